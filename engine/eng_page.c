/* One page through the engine (see eng_page.h). */
#include "engine/eng_page.h"
#include "engine/eng_barcode.h"
#include "engine/eng_doc.h"
#include "engine/eng_image.h"
#include "engine/eng_util.h"

#include <jansson.h>
#include <leptonica/allheaders.h>
#include <stdlib.h>
#include <string.h>

/* A PDF page with its own text layer keeps that text when the job asks so. */
static int own_text(const eng_page_job_t *job, int index, eng_page_out_t *out)
{
    char err[256];
    if (job->pdf_text == NULL || eng_pdfin_text_chars(job->pdf_text, index, err, sizeof(err)) <= 0)
        return 0;
    if ((out->res.text = eng_pdfin_text(job->pdf_text, index, err, sizeof(err))) == NULL)
        return 0;
    out->status = ENG_OK;
    return 1;
}

/* The second line of defence behind the probe: a page that decodes larger than its header said. */
static int too_large(const eng_page_job_t *job, struct Pix *pix, int index, eng_page_out_t *out)
{
    int w = pixGetWidth(pix), h = pixGetHeight(pix);
    if ((job->max_pixels <= 0 || (long long)w * h <= job->max_pixels) && w <= ENG_MAX_SIDE &&
        h <= ENG_MAX_SIDE)
        return 0;
    eng__set_err(out->err, sizeof(out->err), "page %d decodes to %dx%d pixels, over this tier's limit",
                 index + 1, w, h);
    return 1;
}

/* The barcodes of the page as processed, kept as their own array and added to the page's JSON result. A
 * failure is a warning: the page's text does not depend on it. */
static void barcodes(struct Pix *clean, int index, const eng_page_job_t *job, eng_page_out_t *out)
{
    char err[256];
    json_t *arr = NULL, *page = NULL;
    if (eng_barcode_detect(clean, job->barcode_types, &arr, err, sizeof(err)) != 0) {
        eng__set_err(out->warn, sizeof(out->warn), "page %d barcodes: %s", index + 1, err);
        return;
    }
    char *list = json_dumps(arr, JSON_COMPACT), *json = NULL;
    if (out->res.json != NULL && (page = json_loads(out->res.json, 0, NULL)) != NULL &&
        json_object_set(page, "barcodes", arr) == 0)
        json = json_dumps(page, JSON_COMPACT | JSON_REAL_PRECISION(6));
    if (list == NULL || (out->res.json != NULL && json == NULL)) {
        eng__set_err(out->warn, sizeof(out->warn), "page %d barcodes: out of memory", index + 1);
        free(list);
        free(json);
    } else {
        out->barcodes = list;
        out->nbarcodes = (int)json_array_size(arr);
        if (json != NULL) {
            free(out->res.json);
            out->res.json = json;
        }
    }
    json_decref(page);
    json_decref(arr);
}

/* The page image: the document itself when it is a plain PNG (eng_doc_png_plain) of a page that no step
 * changed (out->png_is_document), else the page as processed, encoded. */
static void page_image(struct Pix *clean, const void *same_png, size_t same_len, int index,
                       eng_page_out_t *out)
{
    char err[256];
    if (same_png != NULL && eng_doc_png_plain(same_png, same_len))
        out->png_is_document = 1;
    else if (eng_image_png(clean, 0, 0, &out->png, &out->png_len, err, sizeof(err)) != 0)
        eng__set_err(out->warn, sizeof(out->warn), "page %d image: %s", index + 1, err);
}

/* Recognizes the cleaned page and renders what goes with it: the PDF page, the page image (same_png: the
 * document's bytes when it is a PNG and the page is as it decoded, else NULL). */
static void recognize(eng_ocr_t *ocr, struct Pix *clean, int index, const eng_page_job_t *job,
                      const eng_clean_info_t *ci, const void *same_png, size_t same_len, eng_page_out_t *out)
{
    char err[256];
    eng_page_opts_t po = job->ocr;
    po.rotation = ci->rotation;
    po.skew_degrees = ci->skew_degrees;
    out->status = eng_ocr_page(ocr, clean, index + 1, &po, &out->res, out->err, sizeof(out->err));
    if (out->status == ENG_TIMEOUT)
        eng__set_err(out->err, sizeof(out->err), ENG_TIMEOUT_SENTENCE " %d ms", po.timeout_ms);
    if (out->status != ENG_OK)
        return;
    /* The renderer reads the page last recognized, so this must follow eng_ocr_page at once. */
    if (job->pdf_out != NULL && eng_pdf_add_last_page(job->pdf_out, err, sizeof(err)) != 0) {
        out->pdf_failed = 1;
        eng__set_err(out->warn, sizeof(out->warn), "PDF page %d: %s", index + 1, err);
    }
    if (job->detect_barcodes)
        barcodes(clean, index, job, out);
    if (job->want_image)
        page_image(clean, same_png, same_len, index, out);
}

int eng_page_process(eng_ocr_t *ocr, const void *buf, size_t len, eng_format_t fmt, int index,
                     const eng_page_job_t *job, eng_page_out_t *out)
{
    memset(out, 0, sizeof(*out));
    out->status = ENG_ERR;
    if (own_text(job, index, out))
        return out->status;
    int dpi = job->dpi > 0 ? job->dpi : ENG_PDFIN_DEFAULT_DPI;
    struct Pix *pix =
        fmt == ENG_FMT_PDF && job->pdf_src != NULL
            ? eng_pdfin_render(job->pdf_src, index, dpi, ENG_PDFIN_AUTO, out->err, sizeof(out->err))
            : eng_doc_decode_page_dpi(buf, len, fmt, index, dpi, out->err, sizeof(out->err));
    if (pix == NULL)
        return out->status;
    if (too_large(job, pix, index, out)) {
        pixDestroy(&pix);
        return out->status;
    }
    /* Kept alive to be compared with what the steps hand on: a step that changes nothing hands on the same
     * Pix (eng_clean_page a clone of it). */
    struct Pix *decoded = pixClone(pix);
    if (eng_restore_before(&pix, &job->restore, dpi, out->err, sizeof(out->err)) != 0) {
        pixDestroy(&pix);
        pixDestroy(&decoded);
        return out->status;
    }
    eng_clean_info_t ci;
    eng_clean_opts_t co = job->clean;
    co.measure_ink = job->delete_blank; /* the blank-page test is the only reader of the ink */
    struct Pix *clean = eng_clean_page(ocr, pix, &co, &ci, out->err, sizeof(out->err));
    pixDestroy(&pix);
    if (clean == NULL ||
        eng_restore_after(&clean, &job->restore, ci.skew_degrees, dpi, out->err, sizeof(out->err)) != 0) {
        pixDestroy(&clean);
        pixDestroy(&decoded);
        return out->status;
    }
    int same = fmt == ENG_FMT_PNG && clean == decoded;
    pixDestroy(&decoded);
    int blank = job->blank_max_ink > 0 ? ci.ink >= 0 && ci.ink < job->blank_max_ink : ci.blank;
    if (job->delete_blank && blank) {
        out->blank = 1;
        out->status = ENG_OK;
    } else {
        recognize(ocr, clean, index, job, &ci, same ? buf : NULL, same ? len : 0, out);
    }
    pixDestroy(&clean);
    return out->status;
}

void eng_page_out_free(eng_page_out_t *out)
{
    if (out == NULL)
        return;
    eng_page_result_free(&out->res);
    free(out->png);
    free(out->barcodes);
    memset(out, 0, sizeof(*out));
}
