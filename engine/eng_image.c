#include "engine/eng_image.h"

#include <math.h>
#include <stdlib.h>

#include <leptonica/allheaders.h>

#include "engine/eng_util.h"

int eng_image_png(struct Pix *pix, int max_w, int max_h, unsigned char **png, size_t *len, char *err,
                  size_t errlen)
{
    eng_global_init(); /* leptonica's warnings off */
    PIX *src = NULL, *out = NULL;
    l_uint8 *data = NULL;
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
    if (pixWriteMem(&data, &size, out, IFF_PNG) != 0 || data == NULL) {
        eng__set_err(err, errlen, "The page image could not be encoded as PNG.");
        goto Exit;
    }
    /* leptonica allocates with malloc (LEPT_MALLOC), so the caller's free() matches. */
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
