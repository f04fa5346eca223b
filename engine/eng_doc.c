#include "engine/eng_doc.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

#include "engine/eng_pdf_in.h"
#include "engine/eng_bytes.h"
#include "engine/eng_tiff.h"
#include "engine/eng_util.h"

/* ---------------------------------------------------------------------------------------------------- */
/* PNG: IHDR fields, pHYs resolution, and a chunk walk that catches truncation without decompressing.    */

/* Ancillary chunks that change nothing a reader shows beside the pixels leptonica decodes: resolution, text,
 * time, and the sRGB tag (what an untagged image is taken to be anyway). */
static int png_chunk_plain(const unsigned char *type)
{
    static const char *const plain[] = {"IHDR", "IDAT", "IEND", "pHYs", "tEXt",
                                        "zTXt", "iTXt", "tIME", "sRGB"};
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); ++i)
        if (memcmp(type, plain[i], 4) == 0)
            return 1;
    return 0;
}

/* With `plain` non-NULL, *plain says whether the PNG is one eng_doc_png_plain() accepts. */
static int png_probe(const unsigned char *p, size_t len, eng_page_info_t *info, int *plain, char *err,
                     size_t errlen)
{
    static const char *const trunc = "The PNG data is truncated or damaged.";
    if (len < 8 + 25 || rd32(p + 8, 1) != 13 || memcmp(p + 12, "IHDR", 4) != 0) {
        eng__set_err(err, errlen, "%s", trunc);
        return -1;
    }
    uint32_t w = rd32(p + 16, 1), h = rd32(p + 20, 1);
    int bitdepth = p[24], ctype = p[25];
    if (w == 0 || h == 0 || w > INT_MAX || h > INT_MAX) {
        eng__set_err(err, errlen, "The PNG declares an invalid size.");
        return -1;
    }
    int spp = ctype == 2 ? 3 : ctype == 4 ? 2 : ctype == 6 ? 4 : 1;
    info->width = (int)w;
    info->height = (int)h;
    info->depth = depth_of(bitdepth > 8 && ctype == 0 ? 8 : bitdepth, spp); /* 16-bit gray reads as 8 */
    info->dpi = 0;

    /* Gray of 1 to 8 bits, RGB or RGBA of 8: decoded as they are (16-bit samples are cut to 8, palettes and
     * transparency keys become something else). */
    int ok = (ctype == 0 && bitdepth <= 8) || ((ctype == 2 || ctype == 6) && bitdepth == 8);
    size_t pos = 8;
    int idat = 0;
    for (;;) {
        if (!have(len, pos, 12)) {
            eng__set_err(err, errlen, "%s", trunc);
            return -1;
        }
        uint32_t clen = rd32(p + pos, 1);
        const unsigned char *type = p + pos + 4;
        if (clen > 0x7fffffffu || !have(len, pos + 8, (uint64_t)clen + 4)) {
            eng__set_err(err, errlen, "%s", trunc);
            return -1;
        }
        ok = ok && png_chunk_plain(type);
        if (memcmp(type, "IDAT", 4) == 0)
            idat = 1;
        else if (memcmp(type, "pHYs", 4) == 0 && clen == 9 && p[pos + 16] == 1)
            info->dpi = (int)lround(rd32(p + pos + 8, 1) * 0.0254);
        else if (memcmp(type, "IEND", 4) == 0)
            break;
        pos += 12 + (size_t)clen;
    }
    if (!idat) {
        eng__set_err(err, errlen, "The PNG holds no image data.");
        return -1;
    }
    if (plain != NULL)
        *plain = ok;
    return 0;
}

int eng_doc_png_plain(const void *buf, size_t len)
{
    eng_page_info_t info;
    int plain = 0;
    char err[128];
    return buf != NULL && eng_sniff(buf, len) == ENG_FMT_PNG &&
           png_probe(buf, len, &info, &plain, err, sizeof(err)) == 0 && plain;
}

/* ---------------------------------------------------------------------------------------------------- */
/* GIF: walk the block structure (no LZW decoding) to find the first frame and the total frame area.     */

static int gif_skip_subblocks(const unsigned char *p, size_t len, size_t *pos)
{
    for (;;) {
        if (*pos >= len)
            return -1;
        size_t n = p[*pos];
        *pos += 1;
        if (n == 0)
            return 0;
        if (!have(len, *pos, n))
            return -1;
        *pos += n;
    }
}

static int gif_probe(const unsigned char *p, size_t len, eng_page_info_t *info, char *err, size_t errlen)
{
    size_t pos = 13;
    long long total = 0;
    int frames = 0;

    if (len < 13)
        goto Trunc;
    if (p[10] & 0x80)
        pos += 3u << ((p[10] & 7) + 1);
    for (;;) {
        if (pos >= len)
            goto Trunc;
        unsigned char b = p[pos++];
        if (b == 0x3B) {
            break;
        } else if (b == 0x21) {
            if (pos >= len)
                goto Trunc;
            ++pos; /* label */
            if (gif_skip_subblocks(p, len, &pos) != 0)
                goto Trunc;
        } else if (b == 0x2C) {
            if (!have(len, pos, 9))
                goto Trunc;
            int w = (int)rd16(p + pos + 4, 0), h = (int)rd16(p + pos + 6, 0), flags = p[pos + 8];
            pos += 9;
            if (flags & 0x80)
                pos += 3u << ((flags & 7) + 1);
            if (pos >= len)
                goto Trunc;
            ++pos; /* LZW minimum code size */
            if (gif_skip_subblocks(p, len, &pos) != 0)
                goto Trunc;
            if (frames++ == 0) {
                if (w == 0 || h == 0) {
                    eng__set_err(err, errlen, "The GIF's first image has an invalid size.");
                    return -1;
                }
                info->width = w;
                info->height = h;
                info->depth = 8;
                info->dpi = 0;
            }
            total += (long long)w * h;
        } else {
            goto Trunc;
        }
    }
    if (frames == 0) {
        eng__set_err(err, errlen, "The GIF holds no image.");
        return -1;
    }
    if (total > ENG_DOC_GIF_MAX_TOTAL_PIXELS) {
        eng__set_err(err, errlen,
                     "The GIF holds too many animation frames to decode; send its first frame alone.");
        return -1;
    }
    return 0;
Trunc:
    eng__set_err(err, errlen, "The GIF data is truncated or damaged.");
    return -1;
}

/* ---------------------------------------------------------------------------------------------------- */
/* BMP: leptonica's own header reader decodes the whole image, so the header is parsed here.             */

static int bmp_probe(const unsigned char *p, size_t len, eng_page_info_t *info, char *err, size_t errlen)
{
    if (len < 54) {
        eng__set_err(err, errlen, "The BMP data is truncated.");
        return -1;
    }
    uint32_t hsize = rd32(p + 14, 0);
    if (hsize < 40) {
        eng__set_err(err, errlen, "BMP files with an OS/2 header are not supported.");
        return -1;
    }
    int32_t w = (int32_t)rd32(p + 18, 0), h = (int32_t)rd32(p + 22, 0);
    int bpp = (int)rd16(p + 28, 0);
    uint32_t compression = rd32(p + 30, 0), dataoff = rd32(p + 10, 0);
    int32_t xppm = (int32_t)rd32(p + 38, 0);
    if (h == INT32_MIN || w <= 0 || h == 0) {
        eng__set_err(err, errlen, "The BMP declares an invalid size.");
        return -1;
    }
    if (h < 0)
        h = -h;
    if (compression == 0) { /* uncompressed: the pixel rows must all be there */
        uint64_t stride = (((uint64_t)w * (uint64_t)bpp + 31) / 32) * 4;
        if (!have(len, dataoff, stride * (uint64_t)h)) {
            eng__set_err(err, errlen, "The BMP data is truncated.");
            return -1;
        }
    }
    info->width = w;
    info->height = h;
    info->depth = bpp > 8 ? 32 : depth_of(bpp, 1);
    info->dpi = xppm > 0 ? (int)lround(xppm * 0.0254) : 0;
    return 0;
}

/* ---------------------------------------------------------------------------------------------------- */

static int jpeg_probe(const unsigned char *p, size_t len, eng_page_info_t *info, char *err, size_t errlen)
{
    l_int32 w = 0, h = 0, spp = 0, xres = 0, yres = 0;
    if (readHeaderMemJpeg(p, len, &w, &h, &spp, NULL, NULL) != 0 || w <= 0 || h <= 0) {
        eng__set_err(err, errlen, "The JPEG data is truncated or damaged.");
        return -1;
    }
    info->width = w;
    info->height = h;
    info->depth = spp == 1 ? 8 : 32;
    info->dpi = 0;
    /* libjpeg reads the JFIF density through stdio; a memory stream avoids a temp file. */
    FILE *fp = fmemopen((void *)p, len, "rb");
    if (fp != NULL) {
        if (fgetJpegResolution(fp, &xres, &yres) == 0 && xres > 0)
            info->dpi = xres;
        fclose(fp);
    }
    return 0;
}

static int webp_probe(const unsigned char *p, size_t len, eng_page_info_t *info, char *err, size_t errlen)
{
    l_int32 w = 0, h = 0, spp = 0;
    if (len < 12 || (uint64_t)rd32(p + 4, 0) + 8 > len) {
        eng__set_err(err, errlen, "The WebP data is truncated.");
        return -1;
    }
    if (readHeaderMemWebP(p, len, &w, &h, &spp) != 0 || w <= 0 || h <= 0) {
        eng__set_err(err, errlen, "The WebP data is damaged.");
        return -1;
    }
    info->width = w;
    info->height = h;
    info->depth = 32;
    info->dpi = 0;
    return 0;
}

static int single_page_probe(const unsigned char *p, size_t len, eng_format_t fmt, eng_page_info_t *info,
                             char *err, size_t errlen)
{
    switch (fmt) {
    case ENG_FMT_PNG:
        return png_probe(p, len, info, NULL, err, errlen);
    case ENG_FMT_JPEG:
        return jpeg_probe(p, len, info, err, errlen);
    case ENG_FMT_BMP:
        return bmp_probe(p, len, info, err, errlen);
    case ENG_FMT_GIF:
        return gif_probe(p, len, info, err, errlen);
    case ENG_FMT_WEBP:
        return webp_probe(p, len, info, err, errlen);
    default:
        eng__set_err(err, errlen, "Unsupported document format.");
        return -1;
    }
}

/* PDF: the page count comes first, so that a document of thousands of pages is refused before any page is
 * looked at; then each page's size at `dpi` from its dictionary (no rendering). */
static int pdf_probe(const void *buf, size_t len, int dpi, int max_pages, int *npages,
                     eng_page_info_t **infos, char *err, size_t errlen)
{
    eng_page_info_t *arr = NULL;
    int ret = ENG_DOC_ERR, n;
    eng_pdfin_t *d = eng_pdfin_open(buf, len, err, errlen);

    if (d == NULL)
        return ENG_DOC_ERR;
    n = eng_pdfin_npages(d);
    if (n > max_pages) {
        eng__set_err(err, errlen, "The document has more than %d pages.", max_pages);
        *npages = max_pages + 1;
        ret = ENG_DOC_TOO_MANY_PAGES;
        goto Exit;
    }
    if ((arr = calloc((size_t)n, sizeof(*arr))) == NULL) {
        eng__set_err(err, errlen, "Out of memory.");
        goto Exit;
    }
    for (int i = 0; i < n; ++i) {
        if (eng_pdfin_page_size(d, i, dpi, &arr[i].width, &arr[i].height, err, errlen) != 0)
            goto Exit;
        arr[i].dpi = dpi;
        arr[i].depth = 32;
    }
    *npages = n;
    *infos = arr;
    arr = NULL;
    ret = ENG_DOC_OK;
Exit:
    free(arr);
    eng_pdfin_close(d);
    return ret;
}

static int pdf_dpi(int dpi)
{
    return dpi > 0 ? dpi : ENG_PDFIN_DEFAULT_DPI;
}

int eng_doc_probe(const void *buf, size_t len, eng_format_t fmt, int max_pages, int *npages,
                  eng_page_info_t **infos, char *err, size_t errlen)
{
    return eng_doc_probe_dpi(buf, len, fmt, max_pages, 0, npages, infos, err, errlen);
}

int eng_doc_probe_dpi(const void *buf, size_t len, eng_format_t fmt, int max_pages, int dpi, int *npages,
                      eng_page_info_t **infos, char *err, size_t errlen)
{
    eng_global_init();
    *npages = 0;
    *infos = NULL;
    if (buf == NULL || len == 0) {
        eng__set_err(err, errlen, "The document is empty.");
        return ENG_DOC_ERR;
    }
    if (eng_sniff(buf, len) != fmt) {
        eng__set_err(err, errlen, "The document's content does not match its declared format (%s).",
                     eng_format_name(fmt));
        return ENG_DOC_ERR;
    }
    if (max_pages <= 0 || max_pages > ENG_DOC_MAX_PAGES_HARD)
        max_pages = ENG_DOC_MAX_PAGES_HARD;

    switch (fmt) {
    case ENG_FMT_TIFF:
        return eng__tiff_walk(buf, len, max_pages, npages, infos, -1, NULL, NULL, err, errlen);
    case ENG_FMT_PDF:
        return pdf_probe(buf, len, pdf_dpi(dpi), max_pages, npages, infos, err, errlen);
    case ENG_FMT_UNKNOWN:
        eng__set_err(err, errlen, "The document is not in a supported format.");
        return ENG_DOC_ERR;
    default: {
        eng_page_info_t *info = calloc(1, sizeof(*info));
        if (info == NULL) {
            eng__set_err(err, errlen, "Out of memory.");
            return ENG_DOC_ERR;
        }
        if (single_page_probe(buf, len, fmt, info, err, errlen) != 0) {
            free(info);
            return ENG_DOC_ERR;
        }
        *npages = 1;
        *infos = info;
        return ENG_DOC_OK;
    }
    }
}

struct Pix *eng_doc_decode_page(const void *buf, size_t len, eng_format_t fmt, int index, char *err,
                                size_t errlen)
{
    return eng_doc_decode_page_dpi(buf, len, fmt, index, 0, err, errlen);
}

struct Pix *eng_doc_decode_page_dpi(const void *buf, size_t len, eng_format_t fmt, int index, int dpi,
                                    char *err, size_t errlen)
{
    PIX *pix = NULL;

    eng_global_init();
    if (buf == NULL || len == 0) {
        eng__set_err(err, errlen, "The document is empty.");
        return NULL;
    }
    if (index < 0 || (fmt != ENG_FMT_TIFF && fmt != ENG_FMT_PDF && index > 0)) {
        eng__set_err(err, errlen, "The document has no page %d.", index + 1);
        return NULL;
    }
    /* The page's header as probed (what the caller checked against its limits): the decoded page must not
     * be larger. */
    eng_page_info_t head;
    uint64_t off = 0; /* TIFF: the page's directory */
    switch (fmt) {
    case ENG_FMT_TIFF: {
        int n = 0, w = 0, h = 0;
        if (eng__tiff_walk(buf, len, ENG_DOC_MAX_PAGES_HARD, &n, NULL, index, &off, &head, err, errlen) !=
            ENG_DOC_OK)
            return NULL;
        /* libtiff, which decodes, reads the directory itself; it must see the size we walked to, before it
         * allocates the page. */
        if (readHeaderMemTiff(buf, len, index, &w, &h, NULL, NULL, NULL, NULL, NULL) != 0 ||
            w != head.width || h != head.height) {
            eng__set_err(err, errlen, "Page %d of the TIFF file has a size its decoder reads differently.",
                         index + 1);
            return NULL;
        }
        break;
    }
    case ENG_FMT_PNG:
    case ENG_FMT_JPEG:
    case ENG_FMT_BMP:
    case ENG_FMT_GIF:
    case ENG_FMT_WEBP:
        if (single_page_probe(buf, len, fmt, &head, err, errlen) != 0)
            return NULL;
        break;
    default:
        break;
    }
    switch (fmt) {
    case ENG_FMT_TIFF: {
        /* Offset 0 means "the first directory" to leptonica; any other value is an IFD byte offset. */
        size_t o = index == 0 ? 0 : (size_t)off;
        pix = pixReadMemFromMultipageTiff(buf, len, &o);
        break;
    }
    case ENG_FMT_PNG:
        pix = pixReadMemPng(buf, len);
        break;
    case ENG_FMT_JPEG:
        pix = pixReadMemJpeg(buf, len, 0, 1, NULL, 0);
        break;
    case ENG_FMT_BMP:
        pix = pixReadMemBmp(buf, len);
        break;
    case ENG_FMT_GIF:
        pix = pixReadMemGif(buf, len);
        break;
    case ENG_FMT_WEBP:
        pix = pixReadMemWebP(buf, len);
        break;
    case ENG_FMT_PDF: {
        /* A document object per call: simple and thread-agnostic; opening costs little next to rendering (see
         * eng_pdf_in.h). A worker walking a long PDF may keep one eng_pdfin_t open instead. */
        eng_pdfin_t *d = eng_pdfin_open(buf, len, err, errlen);
        if (d == NULL)
            return NULL;
        pix = eng_pdfin_render(d, index, pdf_dpi(dpi), ENG_PDFIN_AUTO, err, errlen);
        eng_pdfin_close(d);
        return pix;
    }
    default:
        eng__set_err(err, errlen, "The document is not in a supported format.");
        return NULL;
    }
    if (pix == NULL) {
        eng__set_err(err, errlen,
                     "Page %d could not be decoded: the %s data is damaged or uses an unsupported "
                     "variant.",
                     index + 1, eng_format_name(fmt));
    } else if (pixGetWidth(pix) > head.width || pixGetHeight(pix) > head.height) {
        eng__set_err(err, errlen, "Page %d decoded larger (%dx%d) than its header says (%dx%d).", index + 1,
                     pixGetWidth(pix), pixGetHeight(pix), head.width, head.height);
        pixDestroy(&pix);
    }
    return pix;
}
