/*
 * eng_format: the output formats of a job, defined once. One row per format: its name in the API (`outputs`,
 * `?format=`), the Content-Type it is served with (and that /v1/formats announces), whether it exists per
 * page as well as for the whole document, whether it is in a job's default `outputs`, and how the whole
 * document is assembled from the stored page fragments. The rows are in the canonical order in which
 * `outputs` lists them.
 *
 * The accepted input types are eng_sniff's table (eng_input_names() there writes the sentence that names
 * them).
 *
 * Pure data and pure functions: callable from any thread; returned pointers are static, except what a
 * renderer returns (malloc'ed, the caller free()s it).
 */
#ifndef OCRGATE_ENG_FORMAT_H
#define OCRGATE_ENG_FORMAT_H

#include <stddef.h>

#include "engine/eng_office.h"

typedef struct {
    const char *name;         /* "text", "json", "hocr", "pdf", "tsv", "alto", "docx", "odt", ... */
    const char *content_type; /* as results are served, e.g. "text/plain; charset=utf-8" */
    int per_page;             /* also served per page (GET /v1/jobs/{id}/pages/{n}?format=) */
    int is_default;           /* in `outputs` when a job does not say */
    /* eng_ocr_page skip bit (ENG_SKIP_*) when the job does not ask for this format; 0 = always produced
     * (text, json and hOCR serve the page endpoints of every job). */
    unsigned skip_unless_wanted;
    /* Whole-document assembly from the per-page fragments (NULL entries skipped); doc_name is the job's name
     * ("" or NULL: a neutral title). NULL for pdf, which is rendered while the pages are recognized. Returns
     * a malloc'ed string, NULL on out-of-memory. */
    char *(*render)(const char *const *pages, int n, const char *doc_name);
    /* The office formats (docx, odt, rtf, epub, mht): the whole document written from the stored page texts
     * by this writer (render is NULL for them). */
    eng_office_writer_t office;
    int page_images; /* the office writer embeds each page's image as processed (mht) */
    /* The file name extension of a saved result, without the dot ("txt", "xml"): what `ocrgate ocr` names
     * the files it writes. */
    const char *extension;
} eng_output_t;

/* The table, in canonical order; *n receives its length. */
const eng_output_t *eng_outputs(size_t *n);
/* The row named `name` (exact, case-sensitive, `len` bytes; need not be NUL-terminated), or NULL. */
const eng_output_t *eng_output_findn(const char *name, size_t len);
const eng_output_t *eng_output_find(const char *name);
/* The row's position in the table (0-based): bit i of an output set stands for row i. */
int eng_output_index(const eng_output_t *f);

/* Writes "text, json, hocr, pdf, tsv, alto, docx, ..." (every format; only per-page ones when per_page_only)
 * into buf. Returns buf; truncated output stays NUL-terminated. */
char *eng_output_names(char *buf, size_t len, int per_page_only);

#endif
