/* The output formats table (see eng_format.h). */
#include "engine/eng_format.h"
#include "engine/eng_ocr.h"

#include <stdio.h>
#include <string.h>

/* The renderers take the job's name where the format has a title; an unnamed job gets a neutral one. */
static const char *name_or(const char *doc_name, const char *fallback)
{
    return doc_name != NULL && doc_name[0] != '\0' ? doc_name : fallback;
}

static char *render_text(const char *const *pages, int n, const char *doc_name)
{
    (void)doc_name;
    return eng_text_document(pages, n);
}

static char *render_json(const char *const *pages, int n, const char *doc_name)
{
    (void)doc_name;
    return eng_json_document(pages, n);
}

static char *render_hocr(const char *const *pages, int n, const char *doc_name)
{
    return eng_hocr_document(pages, n, name_or(doc_name, "ocrgate"));
}

static char *render_tsv(const char *const *pages, int n, const char *doc_name)
{
    (void)doc_name;
    return eng_tsv_document(pages, n);
}

static char *render_alto(const char *const *pages, int n, const char *doc_name)
{
    return eng_alto_document(pages, n, name_or(doc_name, "document"));
}

static const eng_output_t outputs[] = {
    {"text", "text/plain; charset=utf-8", 1, 1, 0, render_text, NULL, 0, "txt"},
    {"json", "application/json", 1, 1, 0, render_json, NULL, 0, "json"},
    {"hocr", "text/html; charset=utf-8", 1, 1, 0, render_hocr, NULL, 0, "hocr"},
    {"pdf", "application/pdf", 0, 1, 0, NULL, NULL, 0, "pdf"},
    {"tsv", "text/tab-separated-values; charset=utf-8", 1, 0, ENG_SKIP_TSV, render_tsv, NULL, 0, "tsv"},
    {"alto", "application/xml", 1, 0, ENG_SKIP_ALTO, render_alto, NULL, 0, "xml"},
    /* Whole-document only: a page of them is the text result's page. */
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 0, 0, 0, NULL,
     eng_docx_write, 0, "docx"},
    {"odt", "application/vnd.oasis.opendocument.text", 0, 0, 0, NULL, eng_odt_write, 0, "odt"},
    {"rtf", "application/rtf", 0, 0, 0, NULL, eng_rtf_write, 0, "rtf"},
    {"epub", "application/epub+zip", 0, 0, 0, NULL, eng_epub_write, 0, "epub"},
    {"mht", "multipart/related", 0, 0, 0, NULL, eng_mht_write, 1, "mht"},
};
#define NOUTPUTS (sizeof(outputs) / sizeof(outputs[0]))

const eng_output_t *eng_outputs(size_t *n)
{
    *n = NOUTPUTS;
    return outputs;
}

const eng_output_t *eng_output_findn(const char *name, size_t len)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < NOUTPUTS; ++i)
        if (strlen(outputs[i].name) == len && memcmp(outputs[i].name, name, len) == 0)
            return &outputs[i];
    return NULL;
}

const eng_output_t *eng_output_find(const char *name)
{
    return name != NULL ? eng_output_findn(name, strlen(name)) : NULL;
}

int eng_output_index(const eng_output_t *f)
{
    return (int)(f - outputs);
}

char *eng_output_names(char *buf, size_t len, int per_page_only)
{
    size_t o = 0;
    if (len == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < NOUTPUTS && o < len; ++i) {
        if (per_page_only && !outputs[i].per_page)
            continue;
        int n = snprintf(buf + o, len - o, "%s%s", o == 0 ? "" : ", ", outputs[i].name);
        o += n > 0 ? (size_t)n : 0;
    }
    return buf;
}
