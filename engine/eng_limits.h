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

#endif
