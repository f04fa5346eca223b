/*
 * eng_doc: a view of an in-memory document (the bytes of a job's upload) as a sequence of page images.
 *
 * eng_doc_probe() counts the pages and reads each page's header without decoding pixels, so that the caller
 * can refuse oversize pages (tier pixel limits) before any large allocation; eng_doc_decode_page() then
 * decodes one page with leptonica. Nothing here touches files or the network, and no function keeps state:
 * any thread may call them, on buffers the caller owns and keeps alive for the duration of the call.
 *
 * Page model: TIFF has one page per image file directory (main IFD chain; BigTIFF too); PNG, JPEG, BMP and
 * WebP have one page; GIF has one page (the first frame, as leptonica decodes it). PDF pages are rendered by
 * poppler (eng_pdf_in.h) at a resolution the caller chooses (the _dpi variants; 300 otherwise): the probe
 * reports each page's pixel size at that resolution, depth 32, without rendering; a password-protected PDF
 * is refused as unreadable.
 */
#ifndef OCRGATE_ENG_DOC_H
#define OCRGATE_ENG_DOC_H

#include <stddef.h>

#include "engine/eng_sniff.h"
#include "engine/eng_util.h" /* eng_global_init */

struct Pix;

typedef struct {
    int width, height;
    int dpi;   /* horizontal resolution from the file (pHYs, JFIF/EXIF density, TIFF XResolution, BMP ppm);
                  0 if unknown */
    int depth; /* bits per pixel of the Pix that decoding will produce: 1, 2, 4, 8, 16 or 32 (colour) */
} eng_page_info_t;

enum {
    ENG_DOC_OK = 0,
    ENG_DOC_ERR = -1,            /* unreadable: truncated, corrupt, empty, unsupported format */
    ENG_DOC_TOO_MANY_PAGES = -2, /* more pages than max_pages (answer 413, not 422/415) */
};

/* Pixel budget for an animated GIF: giflib decodes every frame of a GIF before leptonica keeps the first,
 * so a GIF whose frames together exceed this many pixels is refused by the probe. */
#define ENG_DOC_GIF_MAX_TOTAL_PIXELS (256LL * 1024 * 1024)

/* Hard limit on the directory walk when max_pages <= 0 ("no limit"). */
#define ENG_DOC_MAX_PAGES_HARD 100000

/* Counts the pages of `buf` (format `fmt`, normally from eng_sniff) and reads every page's header.
 * On ENG_DOC_OK, *npages >= 1 and *infos is a malloc'ed array of *npages entries the caller free()s.
 * On failure *infos is NULL and `err` holds a sentence for the user; ENG_DOC_TOO_MANY_PAGES sets *npages to
 * max_pages + 1 (the walk stops there). Cost: a few microseconds per page, no pixel memory.
 * max_pages <= 0 means no limit other than ENG_DOC_MAX_PAGES_HARD. */
__attribute__((warn_unused_result)) int eng_doc_probe(const void *buf, size_t len, eng_format_t fmt,
                                                      int max_pages, int *npages, eng_page_info_t **infos,
                                                      char *err, size_t errlen);

/* The same with the resolution at which PDF pages will be rendered (dpi <= 0: ENG_PDFIN_DEFAULT_DPI, 300);
 * ignored for other formats. */
__attribute__((warn_unused_result)) int eng_doc_probe_dpi(const void *buf, size_t len, eng_format_t fmt,
                                                          int max_pages, int dpi, int *npages,
                                                          eng_page_info_t **infos, char *err, size_t errlen);

/* Decodes page `index` (0-based). Returns a Pix the caller pixDestroy()s, or NULL with a sentence in `err`.
 * Only that page is decoded (TIFF pages are located by walking the directory chain). The Pix's resolution
 * is what the file says (0 when absent). A PDF page is rendered at 300 dpi (32 bpp RGB). */
__attribute__((warn_unused_result)) struct Pix *
eng_doc_decode_page(const void *buf, size_t len, eng_format_t fmt, int index, char *err, size_t errlen);
/* The same, rendering a PDF page at `dpi` (<= 0: 300); the Pix's resolution is then `dpi`. */
__attribute__((warn_unused_result)) struct Pix *eng_doc_decode_page_dpi(const void *buf, size_t len,
                                                                        eng_format_t fmt, int index, int dpi,
                                                                        char *err, size_t errlen);

/* 1 when `buf` is a PNG whose bytes any reader decodes to exactly the page eng_doc_decode_page() gives, and
 * shows as nothing but those pixels: gray of 1 to 8 bits, RGB or RGBA of 8 bits, interlaced or not, with no
 * chunk beside the image data other than resolution, text, time and the sRGB tag (no palette, transparency
 * key, gamma, colour profile, orientation or animation). A page left as it was can then be served as these
 * bytes instead of a PNG encoded again (eng_page.h). 0 otherwise, also for anything that is not a readable
 * PNG. Reads chunk headers only. */
int eng_doc_png_plain(const void *buf, size_t len);

#endif
