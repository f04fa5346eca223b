/* The job options table and its decoder (see job_opts.h). */
#include "jobs/job_opts.h"
#include "engine/eng_barcode.h"
#include "engine/eng_clean.h"
#include "engine/eng_format.h"

#include <stdio.h>
#include <string.h>

static const char *const page_seg_modes[] = {"auto", "single_block", "single_column", "sparse", NULL};
static const char *const pdf_text_policies[] = {"ocr", "skipTextPages", NULL};

#define F(field) offsetof(job_opts_t, field)
const job_opt_row_t job_opt_table[JOB_OPT_COUNT] = {
    {"languages", JOB_OPT_LANGUAGES, 0, 0, 0, JOB_LIM_NONE, NULL, F(languages)},
    {"outputs", JOB_OPT_OUTPUTS, 0, 0, 0, JOB_LIM_NONE, NULL, F(outputs)},
    {"autostart", JOB_OPT_BOOL, 1, 0, 0, JOB_LIM_NONE, NULL, F(autostart)},
    {"retentionDays", JOB_OPT_INT, 7, 1, 0, JOB_LIM_RETENTION, NULL, F(retention_days)},
    {"correlationId", JOB_OPT_STRING, 0, 0, 0, JOB_LIM_NONE, NULL, F(correlation_id)},
    {"description", JOB_OPT_TEXT, 0, 0, 0, JOB_LIM_NONE, NULL, F(description)},
    {"deskew", JOB_OPT_CLEANUP, 0, 0, 0, JOB_LIM_NONE, NULL, F(deskew)},
    {"autoRotate", JOB_OPT_CLEANUP, 0, 0, 0, JOB_LIM_NONE, NULL, F(auto_rotate)},
    {"binarize", JOB_OPT_CLEANUP, 0, 0, 0, JOB_LIM_NONE, NULL, F(binarize)},
    {"despeckle", JOB_OPT_CLEANUP, 0, 0, 0, JOB_LIM_NONE, NULL, F(despeckle)},
    {"removeBorder", JOB_OPT_CLEANUP, 0, 0, 0, JOB_LIM_NONE, NULL, F(remove_border)},
    {"removeColorNoise", JOB_OPT_CLEANUP, 0, 0, 0, JOB_LIM_NONE, NULL, F(remove_color_noise)},
    {"removeHalftone", JOB_OPT_CLEANUP, 0, 0, 0, JOB_LIM_NONE, NULL, F(remove_halftone)},
    {"removeHolePunch", JOB_OPT_CLEANUP, 0, 0, 0, JOB_LIM_NONE, NULL, F(remove_hole_punch)},
    {"improveText", JOB_OPT_CLEANUP, 0, 0, 0, JOB_LIM_NONE, NULL, F(improve_text)},
    {"deskewAdjustPaperSize", JOB_OPT_CLEANUP, 0, 0, 0, JOB_LIM_NONE, NULL, F(deskew_adjust_paper_size)},
    {"deleteBlankPages", JOB_OPT_CLEANUP, 0, 0, 0, JOB_LIM_NONE, NULL, F(delete_blank_pages)},
    {"blankPageMaxNoise", JOB_OPT_PERCENT, (int)(ENG_BLANK_MAX_INK * 10000 + 0.5), 1, 10000, JOB_LIM_NONE,
     NULL, F(blank_page_max_noise)},
    {"minConfidence", JOB_OPT_INT, 0, 0, 100, JOB_LIM_NONE, NULL, F(min_confidence)},
    {"dpi", JOB_OPT_INT, JOB_OPT_DEF_NULL, 70, 1200, JOB_LIM_NONE, NULL, F(dpi)},
    {"pageSegMode", JOB_OPT_ENUM, 0, 0, 0, JOB_LIM_NONE, page_seg_modes, F(page_seg_mode)},
    {"fastMode", JOB_OPT_BOOL, 0, 0, 0, JOB_LIM_NONE, NULL, F(fast_mode)},
    {"pageTimeoutMs", JOB_OPT_INT, INT_MAX, 1, 0, JOB_LIM_PAGE_TIMEOUT, NULL, F(page_timeout_ms)},
    {"maxParallelPages", JOB_OPT_INT, 0, 0, 10000, JOB_LIM_NONE, NULL, F(max_parallel_pages)},
    {"pdfTitle", JOB_OPT_STRING, 0, 0, 0, JOB_LIM_NONE, NULL, F(pdf_title)},
    {"pdfAuthor", JOB_OPT_STRING, 0, 0, 0, JOB_LIM_NONE, NULL, F(pdf_author)},
    {"pdfSubject", JOB_OPT_STRING, 0, 0, 0, JOB_LIM_NONE, NULL, F(pdf_subject)},
    {"pdfKeywords", JOB_OPT_STRING, 0, 0, 0, JOB_LIM_NONE, NULL, F(pdf_keywords)},
    {"pdfTextPolicy", JOB_OPT_ENUM, 0, 0, 0, JOB_LIM_NONE, pdf_text_policies, F(pdf_text_policy)},
    {"pages", JOB_OPT_PAGES, 0, 0, 0, JOB_LIM_NONE, NULL, F(pages)},
    {"detectBarcodes", JOB_OPT_BOOL, 0, 0, 0, JOB_LIM_NONE, NULL, F(detect_barcodes)},
    {"barcodeTypes", JOB_OPT_BARCODE_TYPES, 0, 0, 0, JOB_LIM_NONE, NULL, F(barcode_types)},
};
#undef F
#define NROWS JOB_OPT_COUNT
static const job_opt_row_t *const rows = job_opt_table;

/* pageSegMode's choices are decoded to eng_psm_t by position. */
_Static_assert(ENG_PSM_AUTO == 0 && ENG_PSM_SINGLE_BLOCK == 1 && ENG_PSM_SINGLE_COLUMN == 2 &&
                   ENG_PSM_SPARSE == 3,
               "page_seg_modes lists eng_psm_t in order");

const job_opt_row_t *job_opt_find(const char *name)
{
    for (size_t i = 0; i < NROWS; ++i)
        if (strcmp(rows[i].name, name) == 0)
            return &rows[i];
    return NULL;
}

static unsigned decode_outputs(const json_t *v)
{
    unsigned set = 0;
    size_t i;
    json_t *f;
    json_array_foreach(v, i, f)
    {
        const eng_output_t *row = eng_output_find(json_string_value(f));
        if (row != NULL)
            set |= 1u << eng_output_index(row);
    }
    return set;
}

static unsigned decode_barcode_types(const json_t *v)
{
    unsigned set = 0;
    size_t i;
    json_t *t;
    json_array_foreach(v, i, t)
    {
        const eng_barcode_type_t *row = eng_barcode_type_findn(json_string_value(t), json_string_length(t));
        if (row != NULL)
            set |= ENG_BARCODE_BIT(row);
    }
    return set;
}

static int decode_choice(const job_opt_row_t *row, const char *s)
{
    for (int k = 0; s != NULL && row->choices[k] != NULL; ++k)
        if (strcmp(row->choices[k], s) == 0)
            return k;
    return 0;
}

void job_opts_decode(const json_t *obj, job_opts_t *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < NROWS; ++i) {
        const job_opt_row_t *row = &rows[i];
        const json_t *v = json_object_get(obj, row->name);
        char *field = (char *)out + row->offset;
        if (v == NULL || json_is_null(v))
            continue;
        switch (row->type) {
        case JOB_OPT_LANGUAGES:
        case JOB_OPT_STRING:
        case JOB_OPT_TEXT:
            if (json_is_string(v))
                snprintf(field, JOB_OPT_MAX_STRING + 1, "%s", json_string_value(v));
            break;
        case JOB_OPT_OUTPUTS:
            *(unsigned *)(void *)field = decode_outputs(v);
            break;
        case JOB_OPT_BOOL:
        case JOB_OPT_CLEANUP:
            *(int *)(void *)field = json_is_true(v);
            break;
        case JOB_OPT_INT:
            *(int *)(void *)field = json_is_integer(v) ? (int)json_integer_value(v) : 0;
            break;
        case JOB_OPT_ENUM:
            *(int *)(void *)field = decode_choice(row, json_string_value(v));
            break;
        case JOB_OPT_BARCODE_TYPES:
            *(unsigned *)(void *)field = decode_barcode_types(v);
            break;
        case JOB_OPT_PAGES: {
            char err[256]; /* the gateway stored a valid selection; anything else selects every page */
            if (json_is_string(v) && eng_pages_parse(json_string_value(v), json_string_length(v),
                                                     (eng_pages_t *)(void *)field, err, sizeof(err)) != 0)
                ((eng_pages_t *)(void *)field)->nparts = 0;
            break;
        }
        case JOB_OPT_PERCENT:
            *(double *)(void *)field = json_is_number(v) ? json_number_value(v) : 0;
            break;
        }
    }
}

static const char *or_null(const char *s)
{
    return s[0] != '\0' ? s : NULL;
}

eng_pdf_meta_t job_opts_meta(const job_opts_t *o)
{
    return (eng_pdf_meta_t){or_null(o->pdf_title), or_null(o->pdf_author), or_null(o->pdf_subject),
                            or_null(o->pdf_keywords)};
}

int job_opts_wants(const job_opts_t *o, const char *name)
{
    const eng_output_t *row = eng_output_find(name);
    return row != NULL && (o->outputs >> eng_output_index(row) & 1u);
}
