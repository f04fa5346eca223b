/* The searchable PDF (eng_pdf_begin .. eng_pdf_end, see eng_ocr.h): tesseract's PDF renderer writing into a
 * private temporary directory, and the document information added by an incremental update. Same threading
 * rule as the eng_ocr_t the PDF was begun on. */
#include "engine/eng_ocr.h"
#include "engine/eng_ocr_internal.h"
#include "engine/eng_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

struct eng_pdf {
    eng_ocr_t *ocr;
    eng_inst_t *inst;
    TessResultRenderer *renderer;
    char dir[256], path[300];
    char *author, *subject, *keywords, *title;
    int pages;
};

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

static int pdf_update_info(unsigned char **bytes, size_t *len, const char *title, const char *author,
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

/* ---------------------------------------------------------------------------------------------------- */
/* Searchable PDF                                                                                        */

static void pdf_cleanup_files(eng_pdf_t *pdf)
{
    if (pdf->path[0] != '\0')
        unlink(pdf->path);
    if (pdf->dir[0] != '\0')
        rmdir(pdf->dir);
    pdf->path[0] = pdf->dir[0] = '\0';
}

static void pdf_free(eng_pdf_t *pdf)
{
    if (pdf->renderer != NULL)
        TessDeleteResultRenderer(pdf->renderer);
    pdf->renderer = NULL;
    pdf_cleanup_files(pdf);
    if (pdf->inst != NULL)
        pdf->inst->pins--;
    free(pdf->title);
    free(pdf->author);
    free(pdf->subject);
    free(pdf->keywords);
    free(pdf);
}

static char *dup_or_null(const char *s)
{
    return s != NULL && *s != '\0' ? strdup(s) : NULL;
}

eng_pdf_t *eng_pdf_begin(eng_ocr_t *ocr, const char *languages, const eng_pdf_meta_t *meta, char *err,
                         size_t errlen)
{
    const char *langs = languages != NULL && *languages != '\0' ? languages : "eng";
    const char *tmp = getenv("TMPDIR");
    eng_pdf_t *pdf = calloc(1, sizeof(*pdf));
    char base[280];
    int fd;

    if (pdf == NULL) {
        eng__set_err(err, errlen, "Out of memory.");
        return NULL;
    }
    pdf->ocr = ocr;
    if (meta != NULL) {
        pdf->title = dup_or_null(meta->title);
        pdf->author = dup_or_null(meta->author);
        pdf->subject = dup_or_null(meta->subject);
        pdf->keywords = dup_or_null(meta->keywords);
    }
    if ((pdf->inst = eng__inst_get(ocr, langs, err, errlen)) == NULL)
        goto Fail;
    pdf->inst->pins++;

    if (tmp == NULL || *tmp != '/' || strlen(tmp) > 200)
        tmp = "/tmp";
    snprintf(pdf->dir, sizeof(pdf->dir), "%s/ocrgate-pdf-XXXXXX", tmp);
    if (mkdtemp(pdf->dir) == NULL) {
        pdf->dir[0] = '\0';
        eng__set_err(err, errlen, "Cannot create a temporary directory for the PDF: %s.", strerror(errno));
        goto Fail;
    }
    snprintf(base, sizeof(base), "%s/out", pdf->dir);
    snprintf(pdf->path, sizeof(pdf->path), "%s.pdf", base);
    /* The renderer fopen()s "<base>.pdf" itself; creating it first fixes its mode at 0600 (fopen "wb" keeps
     * the mode of an existing file). The directory is 0700 from mkdtemp anyway. */
    if ((fd = open(pdf->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        pdf->path[0] = '\0';
        eng__set_err(err, errlen, "Cannot create the temporary PDF file: %s.", strerror(errno));
        goto Fail;
    }
    close(fd);
    pdf->renderer = TessPDFRendererCreate(base, ocr->tessdata, 0);
    if (pdf->renderer == NULL ||
        !TessResultRendererBeginDocument(pdf->renderer, pdf->title ? pdf->title : "")) {
        eng__set_err(err, errlen, "The PDF renderer could not start.");
        goto Fail;
    }
    return pdf;
Fail:
    pdf_free(pdf);
    return NULL;
}

int eng_pdf_add_last_page(eng_pdf_t *pdf, char *err, size_t errlen)
{
    if (pdf == NULL || pdf->ocr->last != pdf->inst) {
        eng__set_err(err, errlen, "No recognized page with the PDF's languages to add.");
        return -1;
    }
    if (!TessResultRendererAddImage(pdf->renderer, pdf->inst->api)) {
        eng__set_err(err, errlen, "The PDF renderer failed to add page %d.", pdf->pages + 1);
        return -1;
    }
    pdf->pages++;
    return 0;
}

void eng_pdf_abort(eng_pdf_t *pdf)
{
    if (pdf != NULL)
        pdf_free(pdf);
}

static int read_whole(const char *path, unsigned char **bytes, size_t *len)
{
    int ret = -1;
    struct stat st;
    unsigned char *b = NULL;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return -1;
    if (fstat(fileno(fp), &st) != 0 || st.st_size <= 0)
        goto Exit;
    if ((b = malloc((size_t)st.st_size + 1)) == NULL)
        goto Exit;
    if (fread(b, 1, (size_t)st.st_size, fp) != (size_t)st.st_size)
        goto Exit;
    *bytes = b;
    *len = (size_t)st.st_size;
    b = NULL;
    ret = 0;
Exit:
    free(b);
    fclose(fp);
    return ret;
}

int eng_pdf_end(eng_pdf_t *pdf, unsigned char **bytes, size_t *len, char *err, size_t errlen)
{
    int ret = -1;
    *bytes = NULL;
    *len = 0;
    if (pdf == NULL) {
        eng__set_err(err, errlen, "No PDF in progress.");
        return -1;
    }
    if (pdf->pages == 0) {
        eng__set_err(err, errlen, "The PDF has no pages.");
        goto Exit;
    }
    if (!TessResultRendererEndDocument(pdf->renderer)) {
        eng__set_err(err, errlen, "The PDF renderer failed to finish the document.");
        goto Exit;
    }
    /* Deleting the renderer closes (flushes) its file. */
    TessDeleteResultRenderer(pdf->renderer);
    pdf->renderer = NULL;
    if (read_whole(pdf->path, bytes, len) != 0) {
        eng__set_err(err, errlen, "The rendered PDF could not be read back.");
        goto Exit;
    }
    if ((pdf->author != NULL || pdf->subject != NULL || pdf->keywords != NULL) &&
        pdf_update_info(bytes, len, pdf->title, pdf->author, pdf->subject, pdf->keywords) != 0) {
        free(*bytes);
        *bytes = NULL;
        *len = 0;
        eng__set_err(err, errlen, "The PDF metadata could not be written.");
        goto Exit;
    }
    ret = 0;
Exit:
    pdf_free(pdf);
    return ret;
}
