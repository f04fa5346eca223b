/* Whole-document assembly of per-page fragments, and the PDF metadata update. Pure string work. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

#include "engine/eng_util.h"
#include "engine/eng_ocr.h"

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
