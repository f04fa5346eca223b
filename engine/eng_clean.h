/*
 * eng_clean: page clean-up before recognition (the API's deskew, autoRotate, binarize, despeckle and
 * removeBorder options) and the blank-page test behind deleteBlankPages.
 *
 * Threads: eng_page_is_blank is pure (leptonica only) and callable from any thread. eng_clean_page uses
 * the caller's eng_ocr_t for orientation detection when auto_rotate is set, so it runs on the thread that
 * owns that eng_ocr_t (an engine worker); without auto_rotate `ocr` may be NULL.
 *
 * Ownership: the Pix returned by eng_clean_page is the caller's (pixDestroy); the input Pix is never
 * modified. Every step keeps the page's resolution (DPI).
 */
#ifndef OCRGATE_ENG_CLEAN_H
#define OCRGATE_ENG_CLEAN_H

#include <stddef.h>

#include "engine/eng_ocr.h"

struct Pix;

typedef struct {
    int deskew;        /* straighten skew up to ~7 degrees (pixFindSkewAndDeskew) */
    int auto_rotate;   /* turn upright by 90/180/270 (tesseract OSD) */
    int binarize;      /* background normalisation + adaptive threshold -> 1 bpp */
    int despeckle;     /* remove salt-and-pepper noise */
    int remove_border; /* remove dark regions connected to the page edge */
    /* Measure the cleaned page's ink for the blank-page test (info->ink, info->blank). It costs a background
     * map and raster operations over the whole page, so only a job that deletes blank pages asks for it. */
    int measure_ink;
} eng_clean_opts_t;

typedef struct {
    int rotation;        /* degrees clockwise applied: 0, 90, 180 or 270 */
    double skew_degrees; /* deskew rotation applied (degrees, leptonica's sign: positive = clockwise); 0 if
                            none */
    int blank;           /* with measure_ink: the cleaned page is judged blank (eng_page_is_blank); else 0 */
    double ink;          /* with measure_ink: the fraction of the cleaned page that is dark (eng_page_ink); -1
                            when not measured or unknown */
} eng_clean_info_t;

/* Orientation detection below this confidence is treated as "unknown" and the page is not rotated. */
#define ENG_CLEAN_MIN_OSD_CONF 1.5f

/* Returns a new Pix with the requested clean-up applied in this order: rotate upright -> deskew ->
 * background normalisation + binarisation -> despeckle -> border removal, and fills *info (ink and blank
 * only with measure_ink). With no clean-up option set the result is a clone of `pix` (shared pixels: do not
 * modify it in place). The depth of the result is 1 bpp after binarize; otherwise that of the input
 * (colormaps removed, 16 bpp reduced to 8). NULL with a sentence in err on failure (osd not installed for
 * auto_rotate, out of memory). Costs on a 2560x3300 page: OSD ~0.2-0.3 s (+0.1 s once for its Init),
 * despeckle ~0.12 s, the others 3-65 ms (1 bpp is the cheap end). */
__attribute__((warn_unused_result)) struct Pix *eng_clean_page(eng_ocr_t *ocr, struct Pix *pix,
                                                               const eng_clean_opts_t *o,
                                                               eng_clean_info_t *info, char *err,
                                                               size_t errlen);

/* 1 when the page holds no content: after background normalisation and a fixed threshold, with everything
 * connected to the page edge (scan borders) and specks of a few pixels removed, less than
 * ENG_BLANK_MAX_INK of the page is dark. Any depth. Conservative: a page with a single short word is not
 * blank. 0 otherwise (also on out-of-memory, so that nothing is dropped by mistake). */
#define ENG_BLANK_MAX_INK 0.0002
int eng_page_is_blank(struct Pix *pix);
/* The measure behind eng_page_is_blank: the fraction (0..1) of the page that is dark after those steps; -1
 * on out-of-memory. A page is blank when it is below a threshold (ENG_BLANK_MAX_INK by default; the job
 * option blankPageMaxNoise gives another). */
double eng_page_ink(struct Pix *pix);

#endif
