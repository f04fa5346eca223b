/*
 * eng_limits: a tier's document limits (pages per document, pixels per page, and tesseract's side limit),
 * checked in one place: by the gateway at upload, on the probe of the bytes it received, and by the job
 * runner before it decodes anything (PDFs are only probed there, at the job's resolution).
 *
 * Pure: any thread, nothing allocated.
 */
#ifndef OCRGATE_ENG_LIMITS_H
#define OCRGATE_ENG_LIMITS_H

#include <stddef.h>

#include "engine/eng_doc.h"

typedef struct {
    int max_pages;        /* pages per document */
    long long max_pixels; /* pixels per page (width x height); ENG_MAX_SIDE per side applies too */
} eng_limits_t;

/* Checks the result of eng_doc_probe*(): probe_rc, npages and infos as the probe left them. Returns 0 when
 * the document is within the limits (or the probe failed for another reason: the caller reports that), -1
 * when it is too large, with the sentence for the user (413 DocumentTooLarge, or the job's error message) in
 * msg. */
__attribute__((warn_unused_result)) int eng_limits_check(const eng_limits_t *lim, int probe_rc, int npages,
                                                         const eng_page_info_t *infos, char *msg, size_t len);

/* Oversize PDF pages are rendered at a lower resolution instead of failing the job, down to this one. */
#define ENG_LIMITS_MIN_PDF_DPI 150

/* The resolution at which a PDF page probed at `dpi` (info: its size in pixels at that dpi) is rendered:
 * `dpi` itself when the page fits the tier's pixels per page and ENG_MAX_SIDE, else the largest lower one
 * at which it fits, and 0 when that is below ENG_LIMITS_MIN_PDF_DPI (the page is then an error page). */
int eng_limits_pdf_dpi(const eng_limits_t *lim, const eng_page_info_t *info, int dpi);

#endif
