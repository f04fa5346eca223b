/*
 * eng_page: one page of a document through the whole engine, as one pure call: decode -> clean-up -> blank
 * check -> recognize -> render the page's outputs -> page image (and the page of the searchable PDF). It
 * takes typed options and touches no database, file or network, so the job runner calls it per page and unit
 * tests call it on the test images.
 *
 * Threads: runs on the thread that owns `ocr` (and the eng_pdf_t / eng_pdfin_t passed in), as eng_ocr.h says.
 * Ownership: the caller keeps `buf` alive during the call; everything in *out is malloc'ed and released by
 * eng_page_out_free().
 */
#ifndef OCRGATE_ENG_PAGE_H
#define OCRGATE_ENG_PAGE_H

#include <stddef.h>

#include "engine/eng_clean.h"
#include "engine/eng_ocr.h"
#include "engine/eng_pdf_in.h"
#include "engine/eng_restore.h"
#include "engine/eng_sniff.h"

/* How the error sentence of a page cut short by its deadline begins (a failed page's stored error tells a
 * timeout from other failures by it). */
#define ENG_TIMEOUT_SENTENCE "page recognition exceeded"

typedef struct {
    eng_clean_opts_t clean;
    eng_restore_opts_t restore; /* steps for degraded scans around clean (eng_restore.h), and fastMode */
    int delete_blank;           /* a blank page is reported as such instead of recognized */
    double blank_max_ink; /* with delete_blank: the fraction of dark pixels under which a page is blank (<= 0:
                             ENG_BLANK_MAX_INK) */
    int detect_barcodes;  /* find barcodes on the page as processed (eng_barcode_detect) */
    unsigned barcode_types; /* their ENG_BARCODE_BIT mask (0 = all) */
    int dpi;                /* PDF pages are rendered at this resolution (<= 0: 300); also ocr.dpi's source */
    /* Recognition: languages, page segmentation, deadline, confidence, skip bits, cancel callback. rotation
     * and skew_degrees are filled in from the clean-up. */
    eng_page_opts_t ocr;
    /* Non-NULL: the document is this PDF and a page that already carries text keeps it (no recognition, no
     * image, no PDF page). */
    eng_pdfin_t *pdf_text;
    /* Non-NULL: the document is this PDF, already open; its pages are rendered from it (a worker opens a PDF
     * once per job rather than once per page). */
    eng_pdfin_t *pdf_src;
    /* Non-NULL: a recognized page is added to this searchable PDF right after its recognition. */
    eng_pdf_t *pdf_out;
    int want_image; /* the page as processed (PNG) for the page image and thumbnail: encoded, or the document
                       itself (png_is_document) */
    long long max_pixels; /* a decoded page larger than this (or than ENG_MAX_SIDE) fails; 0 = no limit */
} eng_page_job_t;

typedef struct {
    int status;            /* ENG_OK, ENG_ERR, ENG_TIMEOUT or ENG_CANCELED */
    int blank;             /* status ENG_OK and the page was dropped as blank (no result, no image) */
    eng_page_result_t res; /* the page's outputs when status is ENG_OK and not blank */
    unsigned char *png;    /* the page as processed, when asked for and it could be rendered */
    size_t png_len;
    /* Asked for, and the document's own bytes are that image (png stays NULL): a plain PNG
     * (eng_doc_png_plain) that no step changed decodes to the very pixels recognized, so it is not encoded
     * again (~4 ms on a 2640x420 gray page) nor stored twice. */
    int png_is_document;
    /* With detect_barcodes: the page's barcodes as a JSON array (also the "barcodes" member of res.json),
     * and how many; NULL when detection was not asked for or failed (see warn). */
    char *barcodes;
    int nbarcodes;
    int pdf_failed; /* the page could not be added to pdf_out: the caller abandons that PDF */
    char err[512];  /* why status is not ENG_OK */
    char warn[512]; /* a non-fatal problem (page image, PDF page) for the log; "" when none */
} eng_page_out_t;

/* Processes page `index` (0-based) of `buf` (format `fmt`). Returns out->status; *out is always filled. */
int eng_page_process(eng_ocr_t *ocr, const void *buf, size_t len, eng_format_t fmt, int index,
                     const eng_page_job_t *job, eng_page_out_t *out);
/* Frees what *out holds and zeroes it; NULL-safe, idempotent. */
void eng_page_out_free(eng_page_out_t *out);

#endif
