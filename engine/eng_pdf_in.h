/*
 * eng_pdf_in: PDF input through poppler-glib (GPL; not MuPDF, which is AGPL). A document is opened from the
 * caller's bytes (nothing is copied, nothing touches a file), then page sizes are read without rendering so
 * that the caller can apply its pixel limits first, and single pages are rendered at a given resolution into
 * a leptonica Pix, one at a time: a 500-page PDF never holds more than one page image.
 *
 * Threads: poppler's font engine (one FreeType library for the whole process) and its lazily built global
 * state are not safe to use from several threads at once, so every call into poppler made here holds one
 * process-wide mutex. A handle (eng_pdfin_t) belongs to one thread at a time. The mutex is held while poppler
 * draws the page (4-5 ms for a scanned phototest.tif page at 300 dpi, about 50 ms for a letter page of vector
 * text), not while its pixels are converted and never while a page is recognized (~200 ms): two workers
 * rendering the same 20-page PDF at once took 5.4-7.5 ms a render against 5 ms alone.
 *
 * Poppler's warnings about damaged files go to GLib's log domain "Poppler" at INFO level; they are dropped
 * (OCRGATE_ENGINE_VERBOSE=1 keeps them), and every failure comes back as a sentence.
 *
 * Ownership: the caller keeps `buf` alive and unchanged until eng_pdfin_close. Returned Pix and strings are
 * the caller's (pixDestroy / free).
 */
#ifndef OCRGATE_ENG_PDF_IN_H
#define OCRGATE_ENG_PDF_IN_H

#include <stddef.h>

struct Pix;

/* Resolution used for PDF pages when the caller gives none. */
#define ENG_PDFIN_DEFAULT_DPI 300
/* Accepted rendering resolutions. */
#define ENG_PDFIN_MIN_DPI 36
#define ENG_PDFIN_MAX_DPI 1200
/* Hard ceiling on one rendered page whatever the caller's limits: 32767 px a side (cairo's and tesseract's
 * limit) and 2^28 pixels (1 GiB of 32-bit pixels). Callers should refuse far earlier from the probed size. */
#define ENG_PDFIN_MAX_PIXELS (1LL << 28)

typedef struct eng_pdfin eng_pdfin_t;

/* Parses the document. Fails with a sentence when it is damaged beyond repair, needs a password to open
 * (PDFs with an empty user password, i.e. only permission restrictions, open), or holds no page. Cost:
 * the cross-reference table and catalog only (~1 ms for 1 page, a few ms for 50). */
__attribute__((warn_unused_result)) eng_pdfin_t *eng_pdfin_open(const void *buf, size_t len, char *err,
                                                                size_t errlen);
void eng_pdfin_close(eng_pdfin_t *d); /* NULL-safe */

int eng_pdfin_npages(const eng_pdfin_t *d);

/* Size in pixels of page `index` (0-based) rendered at `dpi` (its crop box, /Rotate applied), computed from
 * the page dictionary without rendering. Fails for a damaged page or a size beyond INT_MAX pixels. */
__attribute__((warn_unused_result)) int eng_pdfin_page_size(eng_pdfin_t *d, int index, int dpi, int *width,
                                                            int *height, char *err, size_t errlen);

/* How a page is rendered: always 32 bpp RGB (spp 3); always 8 bpp luminance (a quarter of the memory); or 8
 * bpp when every pixel of the page came out a neutral gray (R = G = B: scans, black-and-white and gray
 * documents) and RGB otherwise. AUTO is what recognition wants: the same pixels (the gray value of a neutral
 * pixel is its R, G and B), but tesseract thresholds and copies one channel instead of three (phototest.tif
 * as a PDF page at 300 dpi: 12-18 % less recognition time, measured interleaved) and half the page image's
 * PNG encoding time. */
typedef enum { ENG_PDFIN_RGB = 0, ENG_PDFIN_GRAY = 1, ENG_PDFIN_AUTO = 2 } eng_pdfin_mode_t;

/* Renders page `index` at `dpi` on white, as `mode` says. The Pix carries `dpi` as its resolution. Peak
 * memory: the cairo surface (4 bytes/pixel) plus the Pix. Fails beyond ENG_PDFIN_MAX_PIXELS. */
__attribute__((warn_unused_result)) struct Pix *
eng_pdfin_render(eng_pdfin_t *d, int index, int dpi, eng_pdfin_mode_t mode, char *err, size_t errlen);

/* The page's existing text layer as UTF-8 (malloc'ed; "" when it has none), for the skipTextPages policy.
 * NULL with a sentence on failure. */
__attribute__((warn_unused_result)) char *eng_pdfin_text(eng_pdfin_t *d, int index, char *err, size_t errlen);

/* Number of non-white-space characters in eng_pdfin_text's result: a page with text worth keeping has more
 * than a handful. -1 on failure. */
int eng_pdfin_text_chars(eng_pdfin_t *d, int index, char *err, size_t errlen);

#endif
