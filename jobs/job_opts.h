/*
 * job_opts: the job options of API.md (the Options table), defined once. One row per option gives its name,
 * kind, default, range, tier limit, choices and where it lands in the typed job_opts_t. The gateway's parser
 * (gateway/gw_options.c) walks these rows to check and normalize what clients send (query string, JSON body,
 * templates) into the stored JSON object; the job runner decodes that stored object into a job_opts_t with
 * job_opts_decode(), through the same rows. An option added here is parsed, stored, listed and decoded.
 *
 * Pure data and pure functions: any thread; nothing is allocated; returned pointers are static.
 */
#ifndef OCRGATE_JOB_OPTS_H
#define OCRGATE_JOB_OPTS_H

#include <limits.h>
#include <stddef.h>

#include <jansson.h>

#include "engine/eng_ocr.h"
#include "engine/eng_pages.h"

#define JOB_OPT_MAX_LANGUAGES 8 /* parts in "eng+deu+..." */
#define JOB_OPT_MAX_STRING 256  /* bytes of UTF-8 in correlationId, description, pdf*, languages */

typedef enum {
    JOB_OPT_LANGUAGES,
    JOB_OPT_OUTPUTS,
    JOB_OPT_BOOL,
    JOB_OPT_CLEANUP, /* a bool that switches on an image clean-up step */
    JOB_OPT_INT,
    JOB_OPT_STRING, /* one line of text */
    JOB_OPT_TEXT,   /* like JOB_OPT_STRING, but tab and newline are allowed */
    JOB_OPT_ENUM,
    JOB_OPT_BARCODE_TYPES, /* an array of barcode type names (eng_barcode.h), stored in that table's order */
    JOB_OPT_PAGES,         /* a page selection such as "1-3,5,8-" (eng_pages.h); null = every page */
    JOB_OPT_PERCENT,       /* a number; def, min and max in hundredths of a percent */
} job_opt_type_t;

/* Options whose range comes from the caller's tier. */
typedef enum { JOB_LIM_NONE, JOB_LIM_RETENTION, JOB_LIM_PAGE_TIMEOUT } job_opt_lim_t;

#define JOB_OPT_DEF_NULL INT_MIN /* an int option whose default is JSON null */

typedef enum { JOB_PDF_TEXT_OCR = 0, JOB_PDF_TEXT_SKIP_TEXT_PAGES } job_pdf_text_t;

/* The options of one job, decoded. A string option that is null is "" here. */
typedef struct {
    char languages[JOB_OPT_MAX_STRING + 1];
    unsigned outputs; /* bit i: eng_outputs()[i] is wanted */
    int autostart;
    int retention_days;
    char correlation_id[JOB_OPT_MAX_STRING + 1];
    char description[JOB_OPT_MAX_STRING + 1];
    int deskew, auto_rotate, binarize, despeckle, remove_border;
    /* The ownOCR clean-ups (engine/eng_restore.h says what each does). */
    int remove_color_noise, remove_halftone, remove_hole_punch, improve_text, deskew_adjust_paper_size;
    int delete_blank_pages;
    double blank_page_max_noise; /* percent of dark pixels under which a page is blank */
    int min_confidence;
    int dpi;           /* 0: not given (JSON null), the file's own resolution counts */
    int page_seg_mode; /* eng_psm_t: the choices are listed in that enum's order */
    int fast_mode;     /* a faster recognition setting, at some cost in accuracy (eng_ocr.h) */
    int page_timeout_ms;
    int max_parallel_pages; /* pages of this job in recognition at once, region-wide; 0 = no cap */
    char pdf_title[JOB_OPT_MAX_STRING + 1], pdf_author[JOB_OPT_MAX_STRING + 1];
    char pdf_subject[JOB_OPT_MAX_STRING + 1], pdf_keywords[JOB_OPT_MAX_STRING + 1];
    int pdf_text_policy; /* job_pdf_text_t */
    eng_pages_t pages;   /* the pages to recognize; nparts 0 = every page */
    int detect_barcodes;
    unsigned barcode_types; /* ENG_BARCODE_BIT mask of the types to report */
} job_opts_t;

typedef struct {
    const char *name;
    job_opt_type_t type;
    int def;      /* BOOL, CLEANUP, INT, PERCENT; with a tier limit it is capped by the limit */
    int min, max; /* INT, PERCENT; with a tier limit, max comes from the tier */
    job_opt_lim_t lim;
    const char *const *choices; /* ENUM, NULL-terminated, the first is the default */
    size_t offset; /* of the field in job_opts_t (char[] for strings, eng_pages_t for PAGES, double for
                      PERCENT, int or unsigned else) */
} job_opt_row_t;

/* The rows, in the order in which the normalized object lists them (API.md's table order). */
#define JOB_OPT_COUNT 32
extern const job_opt_row_t job_opt_table[JOB_OPT_COUNT];
/* The row named `name`, or NULL. */
const job_opt_row_t *job_opt_find(const char *name);

/* Decodes a stored (normalized) options object. Keys that are missing or null leave the field zero (""), as
 * do values of the wrong kind; strings longer than the field are cut. */
void job_opts_decode(const json_t *obj, job_opts_t *out);

/* The document metadata of every output that carries some (searchable PDF, office formats): the pdfTitle,
 * pdfAuthor, pdfSubject and pdfKeywords options, NULL where not given. The strings point into *o. */
eng_pdf_meta_t job_opts_meta(const job_opts_t *o);

/* Whether output format `name` (eng_format.h) is among o->outputs. */
int job_opts_wants(const job_opts_t *o, const char *name);

#endif
