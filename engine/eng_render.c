/* Whole-document assembly of per-page fragments, and the PDF metadata update. Pure string work. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

#include "engine/eng_internal.h"
#include "engine/eng_ocr.h"

void eng__set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int eng__buf_addn(eng_buf_t *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *s2 = realloc(b->s, cap);
        if (s2 == NULL)
            return -1;
        b->s = s2;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

int eng__buf_add(eng_buf_t *b, const char *s)
{
    return eng__buf_addn(b, s, strlen(s));
}

int eng__buf_add_xml(eng_buf_t *b, const char *s)
{
    for (; *s != '\0'; ++s) {
        const char *rep = NULL;
        switch (*s) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            break;
        }
        if (rep != NULL ? eng__buf_add(b, rep) != 0 : eng__buf_addn(b, s, 1) != 0)
            return -1;
    }
    return 0;
}

/* Ensures the result is a string even for zero pages. */
static char *buf_take(eng_buf_t *b)
{
    if (b->s == NULL)
        return strdup("");
    return b->s;
}

static int add_all(eng_buf_t *b, const char *const *frags, int n, const char *sep)
{
    int first = 1;
    for (int i = 0; i < n; ++i) {
        if (frags == NULL || frags[i] == NULL)
            continue;
        if (!first && sep != NULL && eng__buf_add(b, sep) != 0)
            return -1;
        if (eng__buf_add(b, frags[i]) != 0)
            return -1;
        first = 0;
    }
    return 0;
}

/* Header and footer as tesseract's TessHOcrRenderer writes them (5.3.0), so that tools that read tesseract's
 * hOCR (hocr-tools, ocrmypdf's hocrtransform) read ours. */
char *eng_hocr_document(const char *const *page_fragments, int n, const char *title)
{
    eng_buf_t b = {0};
    const char *tv = TessVersion();
    if (eng__buf_add(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                         "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"
                         "    \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
                         "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n"
                         " <head>\n  <title>") != 0 ||
        eng__buf_add_xml(&b, title != NULL ? title : "") != 0 ||
        eng__buf_add(&b, "</title>\n"
                         "  <meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/>\n"
                         "  <meta name='ocr-system' content='tesseract ") != 0 ||
        eng__buf_add(&b, tv != NULL ? tv : "") != 0 ||
        eng__buf_add(&b,
                     "' />\n"
                     "  <meta name='ocr-capabilities' content='ocr_page ocr_carea ocr_par ocr_line ocrx_word "
                     "ocrp_wconf'/>\n"
                     " </head>\n"
                     " <body>\n") != 0 ||
        add_all(&b, page_fragments, n, NULL) != 0 || eng__buf_add(&b, " </body>\n</html>\n") != 0) {
        free(b.s);
        return NULL;
    }
    return buf_take(&b);
}

/* As tesseract's TessAltoRenderer (ALTO v3). */
char *eng_alto_document(const char *const *page_fragments, int n, const char *source_name)
{
    eng_buf_t b = {0};
    const char *tv = TessVersion();
    if (eng__buf_add(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                         "<alto xmlns=\"http://www.loc.gov/standards/alto/ns-v3#\" "
                         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                         "xsi:schemaLocation=\"http://www.loc.gov/standards/alto/ns-v3# "
                         "http://www.loc.gov/alto/v3/alto-3-0.xsd\">\n"
                         "\t<Description>\n"
                         "\t\t<MeasurementUnit>pixel</MeasurementUnit>\n"
                         "\t\t<sourceImageInformation>\n"
                         "\t\t\t<fileName>") != 0 ||
        eng__buf_add_xml(&b, source_name != NULL ? source_name : "") != 0 ||
        eng__buf_add(&b, "</fileName>\n"
                         "\t\t</sourceImageInformation>\n"
                         "\t\t<OCRProcessing ID=\"OCR_0\">\n"
                         "\t\t\t<ocrProcessingStep>\n"
                         "\t\t\t\t<processingSoftware>\n"
                         "\t\t\t\t\t<softwareName>Tesseract</softwareName>\n"
                         "\t\t\t\t\t<softwareVersion>") != 0 ||
        eng__buf_add(&b, tv != NULL ? tv : "") != 0 ||
        eng__buf_add(&b, "</softwareVersion>\n"
                         "\t\t\t\t</processingSoftware>\n"
                         "\t\t\t</ocrProcessingStep>\n"
                         "\t\t</OCRProcessing>\n"
                         "\t</Description>\n"
                         "\t<Layout>\n") != 0 ||
        add_all(&b, page_fragments, n, NULL) != 0 || eng__buf_add(&b, "\t</Layout>\n</alto>\n") != 0) {
        free(b.s);
        return NULL;
    }
    return buf_take(&b);
}

char *eng_tsv_document(const char *const *page_tsvs, int n)
{
    eng_buf_t b = {0};
    if (eng__buf_add(
            &b, "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\t"
                "text\n") != 0 ||
        add_all(&b, page_tsvs, n, NULL) != 0) {
        free(b.s);
        return NULL;
    }
    return buf_take(&b);
}

char *eng_json_document(const char *const *page_jsons, int n)
{
    eng_buf_t b = {0};
    /* The engine string is a JSON-safe literal ("tesseract 5.3.0"); the pages are jansson's own output. */
    if (eng__buf_add(&b, "{\"engine\":\"") != 0 || eng__buf_add(&b, eng_version()) != 0 ||
        eng__buf_add(&b, "\",\"pages\":[") != 0 || add_all(&b, page_jsons, n, ",") != 0 ||
        eng__buf_add(&b, "]}") != 0) {
        free(b.s);
        return NULL;
    }
    return buf_take(&b);
}

char *eng_text_document(const char *const *page_texts, int n)
{
    eng_buf_t b = {0};
    if (add_all(&b, page_texts, n, "\f") != 0) {
        free(b.s);
        return NULL;
    }
    return buf_take(&b);
}

/* ---------------------------------------------------------------------------------------------------- */
/* PDF document information by incremental update (ISO 32000-1 7.5.6): append a new Info object, an xref
 * section for it and a trailer whose /Prev points at the renderer's xref. Nothing the renderer wrote moves.
 */

/* Appends <FEFF....> : the UTF-8 string as UTF-16BE hex, invalid bytes as U+FFFD. */
static int add_pdf_text(eng_buf_t *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    char hex[16];
    if (eng__buf_add(b, "<FEFF") != 0)
        return -1;
    while (*p != '\0') {
        uint32_t cp;
        int n;
        if (p[0] < 0x80)
            cp = p[0], n = 1;
        else if ((p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80)
            cp = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F), n = 2;
        else if ((p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80)
            cp = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F), n = 3;
        else if ((p[0] & 0xF8) == 0xF0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
                 (p[3] & 0xC0) == 0x80)
            cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
                 (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F),
            n = 4;
        else
            cp = 0xFFFD, n = 1;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            cp = 0xFFFD;
        p += n;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            snprintf(hex, sizeof(hex), "%04X%04X", 0xD800 + (unsigned)(cp >> 10),
                     0xDC00 + (unsigned)(cp & 0x3FF));
        } else {
            snprintf(hex, sizeof(hex), "%04X", (unsigned)cp);
        }
        if (eng__buf_add(b, hex) != 0)
            return -1;
    }
    return eng__buf_add(b, ">");
}

static const char *rfind(const unsigned char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    if (len < n)
        return NULL;
    for (size_t i = len - n + 1; i-- > 0;)
        if (memcmp(hay + i, needle, n) == 0)
            return (const char *)hay + i;
    return NULL;
}

int eng__pdf_update_info(unsigned char **bytes, size_t *len, const char *title, const char *author,
                         const char *subject, const char *keywords)
{
    const unsigned char *pdf = *bytes;
    size_t n = *len;
    long prev, size, root_obj, root_gen;
    eng_buf_t b = {0};
    char line[256];

    /* Only the tail is searched: the renderer ends with "trailer << ... >> startxref N %%EOF". */
    size_t tail_off = n > 4096 ? n - 4096 : 0;
    const char *sx = rfind(pdf + tail_off, n - tail_off, "startxref");
    const char *tr = rfind(pdf + tail_off, n - tail_off, "trailer");
    if (sx == NULL || tr == NULL || tr > sx)
        return -1;
    /* The tail is text the renderer wrote; copy it to a NUL-terminated string before sscanf. */
    size_t tlen = n - (size_t)((const unsigned char *)tr - pdf);
    char *t = strndup(tr, tlen);
    if (t == NULL)
        return -1;
    const char *s_size = strstr(t, "/Size"), *s_root = strstr(t, "/Root"), *s_sx = strstr(t, "startxref");
    int okp = s_size != NULL && s_root != NULL && s_sx != NULL && sscanf(s_size, "/Size %ld", &size) == 1 &&
              sscanf(s_root, "/Root %ld %ld R", &root_obj, &root_gen) == 2 &&
              sscanf(s_sx, "startxref %ld", &prev) == 1 && size > 0 && prev > 0 && (size_t)prev < n;
    free(t);
    if (!okp)
        return -1;

    char *date = l_getFormattedDate();
    size_t obj_off = n + 1; /* after the "\n" below */
    if (eng__buf_addn(&b, (const char *)pdf, n) != 0)
        goto Fail;
    snprintf(line, sizeof(line),
             "\n%ld 0 obj\n<<\n  /Producer (Tesseract %s; ocrgate)\n  /CreationDate (D:%s)\n", size,
             TessVersion(), date != NULL ? date : "");
    if (date != NULL)
        lept_free(date);
    if (eng__buf_add(&b, line) != 0)
        goto Fail;
    const struct {
        const char *key, *val;
    } fields[] = {{"Title", title}, {"Author", author}, {"Subject", subject}, {"Keywords", keywords}};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); ++i) {
        if (fields[i].val == NULL)
            continue;
        snprintf(line, sizeof(line), "  /%s ", fields[i].key);
        if (eng__buf_add(&b, line) != 0 || add_pdf_text(&b, fields[i].val) != 0 ||
            eng__buf_add(&b, "\n") != 0)
            goto Fail;
    }
    if (eng__buf_add(&b, ">>\nendobj\n") != 0)
        goto Fail;
    size_t xref_off = b.len;
    snprintf(line, sizeof(line),
             "xref\n%ld 1\n%010zu 00000 n \ntrailer\n<<\n  /Size %ld\n  /Root %ld %ld R\n  /Info %ld 0 R\n"
             "  /Prev %ld\n>>\nstartxref\n%zu\n%%%%EOF\n",
             size, obj_off, size + 1, root_obj, root_gen, size, prev, xref_off);
    if (eng__buf_add(&b, line) != 0)
        goto Fail;
    free(*bytes);
    *bytes = (unsigned char *)b.s;
    *len = b.len;
    return 0;
Fail:
    free(b.s);
    return -1;
}
