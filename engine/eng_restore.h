/*
 * eng_restore: the clean-up steps for degraded scans that the ownOCR surface names (the v1 options
 * removeColorNoise, removeHalftone, removeHolePunch, improveText, deskewAdjustPaperSize) and the page side of
 * fastMode. eng_page runs eng_restore_before() on the decoded page, ahead of eng_clean_page() (the steps
 * that need the page's colour or its screen before anything binarizes it), and eng_restore_after() on the
 * cleaned page, right before recognition. Each step runs only when its option asks for it; with none set
 * both calls return at once and leave the page as it is.
 *
 * Threads: pure leptonica; callable from any thread.
 * Ownership: each call replaces *pix by a new Pix (the caller's, pixDestroy) and releases the old one, or
 * leaves *pix as it is when no step applies. On failure *pix is unchanged and still the caller's. Every step
 * keeps the page's resolution.
 */
#ifndef OCRGATE_ENG_RESTORE_H
#define OCRGATE_ENG_RESTORE_H

#include <stddef.h>

struct Pix;

typedef struct {
    int remove_color_noise; /* coloured specks up to ENG_RESTORE_SPECK_IN across become paper */
    int remove_halftone;    /* the dots of a halftone screen (tint behind text) become paper */
    int remove_hole_punch;  /* dark discs of a punched hole near the page edge become paper */
    int improve_text;       /* faint, broken strokes: contrast stretched, thresholded, small gaps closed */
    int adjust_paper_size;  /* after deskew: the page is cropped back to the size of the skewed sheet */
    int fast;               /* pages over ENG_RESTORE_FAST_DPI are recognized at that resolution */
} eng_restore_opts_t;

/* The largest coloured speck removeColorNoise removes, in inches (both sides at most this). */
#define ENG_RESTORE_SPECK_IN (1.0 / 20)
/* fastMode's resolution: tesseract's line recognizer scales every text line to its own height, so 150 dpi
 * keeps ordinary print readable while layout analysis and thresholding see half as many pixels as at 300. */
#define ENG_RESTORE_FAST_DPI 150
/* A punched hole: a filled, round dark blob 0.15-0.5 inch across whose centre is within 1 inch of an edge. */
#define ENG_RESTORE_HOLE_MIN_IN 0.15
#define ENG_RESTORE_HOLE_MAX_IN 0.5
#define ENG_RESTORE_HOLE_EDGE_IN 1.0

/* Colour noise, halftone and punched holes, in that order, on the decoded page (any depth; a colormap is
 * fine). `dpi` is the resolution to assume when the page carries none (<= 0: 300). 0, or -1 with a
 * sentence in err (out of memory). */
__attribute__((warn_unused_result)) int eng_restore_before(struct Pix **pix, const eng_restore_opts_t *o,
                                                           int dpi, char *err, size_t errlen);

/* The paper size after deskew (skew_degrees: the rotation eng_clean_page applied, 0 = none, and then nothing
 * is cropped), then improveText, then fastMode's resolution, on the cleaned page. 0 or -1 as above. */
__attribute__((warn_unused_result)) int eng_restore_after(struct Pix **pix, const eng_restore_opts_t *o,
                                                          double skew_degrees, int dpi, char *err,
                                                          size_t errlen);

/* The size of the sheet that, skewed by `degrees`, has a bounding box of w x h (a scan of that sheet that
 * holds all of it): the inverse of w' = w cos a + h sin a, h' = w sin a + h cos a. Angles up to 20 degrees;
 * the result is never larger than w x h nor below 1. */
void eng_restore_paper_size(int w, int h, double degrees, int *pw, int *ph);

#endif
