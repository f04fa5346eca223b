/*
 * eng_image: page images and thumbnails for the API (PNG in memory), from a decoded or cleaned page.
 *
 * Pure functions over the caller's Pix (never modified): callable from any thread. The PNG bytes returned
 * are malloc'ed; the caller free()s them.
 */
#ifndef OCRGATE_ENG_IMAGE_H
#define OCRGATE_ENG_IMAGE_H

#include <stddef.h>

struct Pix;

/* PNG bytes of `pix` scaled to fit within max_w x max_h, keeping the aspect ratio and never enlarging
 * (0 = unbounded on that side; both 0 = original size). 1 bpp pages are converted to 8 bpp gray before
 * scaling, so that a thumbnail of a bilevel scan is anti-aliased rather than sampled; colormaps are removed,
 * 16 bpp reduced to 8. The PNG records the page's resolution scaled with it. Each side is at least 1 px. */
__attribute__((warn_unused_result)) int eng_image_png(struct Pix *pix, int max_w, int max_h,
                                                      unsigned char **png, size_t *len, char *err,
                                                      size_t errlen);

#endif
