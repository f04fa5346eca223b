#include "engine/eng_image.h"

#include <math.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <leptonica/allheaders.h>

#include "engine/eng_util.h"

/* The PNG being written, in memory. */
typedef struct {
    unsigned char *data;
    size_t len, cap;
    unsigned char *row; /* one row in PNG byte order */
} png_out_t;

static void png_write_mem(png_structp png, png_bytep bytes, png_size_t n)
{
    png_out_t *o = png_get_io_ptr(png);
    if (n > o->cap - o->len) {
        size_t cap = o->cap * 2 > o->len + n ? o->cap * 2 : o->len + n;
        unsigned char *d = realloc(o->data, cap);
        if (d == NULL)
            png_error(png, "out of memory");
        o->data = d;
        o->cap = cap;
    }
    memcpy(o->data + o->len, bytes, n);
    o->len += n;
}

static void png_flush_mem(png_structp png)
{
    (void)png;
}

/* PNG bytes of a page of depth 1, 2, 4 or 8 (gray, no colormap) or 32 (RGB, or RGBA with spp 4), with its
 * resolution. Page images are written for every page a worker recognizes, so the encoder is chosen for speed:
 * zlib's fastest level and the Up filter (each row against the one above, which suits scanned and rendered
 * pages), run-length matching for bilevel and low-depth gray. On the three benchmark pages that is 3 to 5
 * times faster than leptonica's writer (level 6, every filter tried per row), for images 0-30 % larger (a 1
 * bpp scan comes out smaller). Decodes with any PNG reader; leptonica's gives back the same pixels. 0, or -1
 * on out-of-memory or an unsupported depth. */
static int encode_png(PIX *pix, unsigned char **bytes, size_t *len)
{
    int w = pixGetWidth(pix), h = pixGetHeight(pix), d = pixGetDepth(pix), spp = pixGetSpp(pix);
    int wpl = pixGetWpl(pix), xres = pixGetXRes(pix), yres = pixGetYRes(pix);
    int channels = d == 32 ? (spp == 4 ? 4 : 3) : 1;
    l_uint32 *data = pixGetData(pix);
    png_structp png = NULL;
    png_infop info = NULL;
    /* Touched after setjmp, so reached through a pointer that does not change. */
    png_out_t out = {0}, *volatile o = &out;

    if ((d != 1 && d != 2 && d != 4 && d != 8 && d != 32) || pixGetColormap(pix) != NULL)
        return -1;
    if ((png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL)) == NULL ||
        (info = png_create_info_struct(png)) == NULL) {
        png_destroy_write_struct(&png, NULL);
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(o->data);
        free(o->row);
        return -1;
    }
    size_t rowbytes = d == 32 ? (size_t)w * (size_t)channels : ((size_t)w * (size_t)d + 7) / 8;
    if ((o->row = malloc(rowbytes)) == NULL)
        png_error(png, "out of memory");
    png_set_write_fn(png, o, png_write_mem, png_flush_mem);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, d == 32 ? 8 : d,
                 d == 32 ? (channels == 4 ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB)
                         : PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (xres > 0 && yres > 0) /* pixels per metre, as leptonica writes and reads them */
        png_set_pHYs(png, info, (png_uint_32)(39.37 * xres + 0.5), (png_uint_32)(39.37 * yres + 0.5),
                     PNG_RESOLUTION_METER);
    png_set_compression_level(png, Z_BEST_SPEED);
    png_set_compression_strategy(png, d < 8 ? Z_RLE : Z_DEFAULT_STRATEGY);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_UP);
    png_write_info(png, info);
    for (int y = 0; y < h; ++y) {
        const l_uint32 *line = data + (size_t)y * (size_t)wpl;
        if (d == 32) {
            for (int x = 0; x < w; ++x) {
                unsigned char *px = o->row + (size_t)x * (size_t)channels;
                px[0] = (unsigned char)(line[x] >> L_RED_SHIFT);
                px[1] = (unsigned char)(line[x] >> L_GREEN_SHIFT);
                px[2] = (unsigned char)(line[x] >> L_BLUE_SHIFT);
                if (channels == 4)
                    px[3] = (unsigned char)(line[x] >> L_ALPHA_SHIFT);
            }
        } else {
            /* leptonica keeps pixels in 32-bit words, most significant first; a set bit is black at 1 bpp,
             * where PNG's 0 is black. */
            for (size_t i = 0; i < rowbytes; ++i) {
                unsigned char b = (unsigned char)GET_DATA_BYTE(line, i);
                o->row[i] = d == 1 ? (unsigned char)~b : b;
            }
        }
        png_write_row(png, o->row);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(o->row);
    *bytes = o->data;
    *len = o->len;
    return 0;
}

int eng_image_png(struct Pix *pix, int max_w, int max_h, unsigned char **png, size_t *len, char *err,
                  size_t errlen)
{
    eng_global_init(); /* leptonica's warnings off */
    PIX *src = NULL, *out = NULL;
    unsigned char *data = NULL;
    size_t size = 0;
    int ret = -1;

    *png = NULL;
    *len = 0;
    if (pix == NULL || max_w < 0 || max_h < 0) {
        eng__set_err(err, errlen, "Invalid arguments to the page image renderer.");
        return -1;
    }
    int w = pixGetWidth(pix), h = pixGetHeight(pix), d = pixGetDepth(pix);
    double scale = 1.0;
    if (max_w > 0 && (double)max_w / w < scale)
        scale = (double)max_w / w;
    if (max_h > 0 && (double)max_h / h < scale)
        scale = (double)max_h / h;
    int tw = (int)floor(w * scale + 0.5), th = (int)floor(h * scale + 0.5);
    if (tw < 1)
        tw = 1;
    if (th < 1)
        th = 1;
    if (max_w > 0 && tw > max_w)
        tw = max_w;
    if (max_h > 0 && th > max_h)
        th = max_h;

    /* Gray (or colour) before scaling: pixScaleToSize of a 1 bpp image samples, losing thin strokes. */
    if (pixGetColormap(pix) != NULL)
        src = pixRemoveColormap(pix, REMOVE_CMAP_BASED_ON_SRC);
    else
        src = pixClone(pix);
    if (src != NULL && (pixGetDepth(src) < 8 || pixGetDepth(src) == 16) && (tw != w || th != h || d == 16)) {
        PIX *g = pixGetDepth(src) == 16 ? pixConvert16To8(src, L_MS_BYTE) : pixConvertTo8(src, 0);
        pixDestroy(&src);
        src = g;
    }
    if (src == NULL)
        goto Oom;
    pixCopyResolution(src, pix);
    out = tw == w && th == h ? pixClone(src) : pixScaleToSize(src, tw, th);
    if (out == NULL)
        goto Oom;
    if (out != src) {
        pixCopyResolution(out, pix);
        pixScaleResolution(out, (float)tw / w, (float)th / h);
    }
    if (encode_png(out, &data, &size) != 0) {
        eng__set_err(err, errlen, "The page image could not be encoded as PNG.");
        goto Exit;
    }
    *png = data;
    *len = size;
    data = NULL;
    ret = 0;
    goto Exit;
Oom:
    eng__set_err(err, errlen, "Out of memory while rendering the page image.");
Exit:
    free(data);
    pixDestroy(&src);
    pixDestroy(&out);
    return ret;
}
