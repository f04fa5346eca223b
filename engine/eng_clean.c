#include "engine/eng_clean.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>

#include "engine/eng_util.h"

/* Replaces *cur by next (which may be NULL on failure: then *cur is kept and -1 returned). Every step
 * hands its result through here so that the resolution survives and the previous image is released. */
static int step(PIX **cur, PIX *next)
{
    if (next == NULL)
        return -1;
    if (next != *cur)
        pixCopyResolution(next, *cur);
    pixDestroy(cur);
    *cur = next;
    return 0;
}

/* A depth every later step understands: 1, 8 or 32 bpp (spp 3), no colormap. */
static PIX *workable(PIX *pix)
{
    PIX *a = NULL, *b = NULL;
    int d;

    if (pixGetColormap(pix) != NULL)
        a = pixRemoveColormap(pix, REMOVE_CMAP_BASED_ON_SRC);
    else
        a = pixClone(pix);
    if (a == NULL)
        return NULL;
    d = pixGetDepth(a);
    if (d == 16)
        b = pixConvert16To8(a, L_MS_BYTE);
    else if (d == 2 || d == 4)
        b = pixConvertTo8(a, 0);
    else if (d == 32 && pixGetSpp(a) == 4)
        b = pixRemoveAlpha(a);
    else
        return a;
    if (b != NULL) {
        pixCopyResolution(b, pix);
        if (pixGetDepth(b) == 32)
            pixSetSpp(b, 3);
    }
    pixDestroy(&a);
    return b;
}

/* 8 bpp gray of any workable depth (a clone when already 8 bpp). */
static PIX *gray_of(PIX *pix)
{
    PIX *g;
    switch (pixGetDepth(pix)) {
    case 8:
        return pixClone(pix);
    case 32:
        g = pixConvertRGBToLuminance(pix);
        break;
    default:
        g = pixConvertTo8(pix, 0);
        break;
    }
    if (g != NULL)
        pixCopyResolution(g, pix);
    return g;
}

/* Background normalisation: paper brought to 200 everywhere, so that one threshold fits a page lit unevenly.
 * The foreground threshold is lower than pixBackgroundNormSimple's 100 so that the paper in a dark corner
 * (a shadow at a third of full light) still counts as background when the map is estimated. */
static PIX *normalize_bg(PIX *gray)
{
    PIX *n = pixBackgroundNorm(gray, NULL, NULL, 10, 15, 60, 40, 200, 2, 1);
    if (n != NULL)
        pixCopyResolution(n, gray);
    return n;
}

static PIX *binarize(PIX *pix)
{
    PIX *g = NULL, *n = NULL, *b = NULL;

    if (pixGetDepth(pix) == 1)
        return pixClone(pix);
    if ((g = gray_of(pix)) == NULL || (n = normalize_bg(g)) == NULL)
        goto Exit;
    /* After normalisation one Otsu threshold over the whole page is right (tiles as large as the page); the
     * score fraction picks the threshold in the flat valley of the histogram rather than its exact minimum.
     */
    if (pixOtsuAdaptiveThreshold(n, 10000, 10000, 0, 0, 0.1f, NULL, &b) != 0)
        b = NULL;
Exit:
    pixDestroy(&g);
    pixDestroy(&n);
    return b;
}

/* Salt-and-pepper removal: a 3x3 median. For 1 bpp the median is the 5-of-9 majority, done through 8 bpp
 * (leptonica's median wants 8 or 32 bpp); it removes isolated dots and fills pinholes in strokes, while
 * strokes two pixels wide or more survive. */
static PIX *despeckle(PIX *pix)
{
    PIX *e = NULL, *m = NULL, *r = NULL;
    if (pixGetDepth(pix) != 1)
        return pixMedianFilter(pix, 3, 3);
    if ((e = pixConvert1To8(NULL, pix, 255, 0)) == NULL || (m = pixMedianFilter(e, 3, 3)) == NULL)
        goto Exit;
    r = pixThresholdToBinary(m, 128);
Exit:
    pixDestroy(&e);
    pixDestroy(&m);
    return r;
}

/* Dark mask of a workable page: 1 bpp as is, others background-normalised and thresholded at `thresh`
 * (on the 0..255 scale where paper sits at 200). */
static PIX *dark_mask(PIX *pix, int thresh)
{
    PIX *g = NULL, *n = NULL, *b = NULL;
    if (pixGetDepth(pix) == 1)
        return pixClone(pix);
    if ((g = gray_of(pix)) == NULL || (n = normalize_bg(g)) == NULL)
        goto Exit;
    b = pixThresholdToBinary(n, thresh);
Exit:
    pixDestroy(&g);
    pixDestroy(&n);
    return b;
}

/* Dark regions connected to the page edge become white. A scan border is rarely one clean component: its
 * inner edge frays into specks (toner, dithering, dust) that tesseract reads as punctuation. So connectivity
 * is taken on the dark mask grown by a few pixels (gaps up to ~1/75 inch are bridged) and everything
 * reachable from the edge that way is painted white. Print closer than that to a border goes with it. */
static PIX *remove_border(PIX *pix)
{
    PIX *mask = NULL, *grown = NULL, *border = NULL, *r = NULL;
    int res = pixGetXRes(pix), k = (res >= 70 && res <= 2400 ? res : 300) / 75;

    if (k < 2)
        k = 2;
    if ((mask = dark_mask(pix, 128)) == NULL ||
        (grown = pixDilateBrick(NULL, mask, 2 * k + 1, 2 * k + 1)) == NULL ||
        (border = pixExtractBorderConnComps(grown, 8)) == NULL)
        goto Exit;
    if (pixGetDepth(pix) == 1) {
        r = pixSubtract(NULL, pix, border);
    } else if ((r = pixCopy(NULL, pix)) != NULL &&
               pixPaintThroughMask(r, border, 0, 0, pixGetDepth(r) == 8 ? 255 : 0xffffff00) != 0) {
        pixDestroy(&r);
    }
Exit:
    pixDestroy(&mask);
    pixDestroy(&grown);
    pixDestroy(&border);
    return r;
}

int eng_page_is_blank(struct Pix *pix)
{
    double ink = eng_page_ink(pix);
    return ink >= 0 && ink < ENG_BLANK_MAX_INK;
}

double eng_page_ink(struct Pix *pix)
{
    PIX *w = NULL, *mask = NULL, *noborder = NULL, *open = NULL;
    l_int32 count = 0;
    double ink = -1;

    eng_global_init(); /* leptonica's warnings off */
    if (pix == NULL || (w = workable(pix)) == NULL)
        return -1;
    /* 160 rather than 128: after normalisation faint (light gray) print still counts as ink, so that a page
     * of pale text is not dropped. Paper noise stays well above it. */
    if ((mask = dark_mask(w, 160)) == NULL || (noborder = pixRemoveBorderConnComps(mask, 8)) == NULL)
        goto Exit;
    /* A 2x2 opening removes isolated specks (dust, scanner noise) yet keeps strokes of any real print. */
    if ((open = pixOpenBrick(NULL, noborder, 2, 2)) == NULL || pixCountPixels(open, &count, NULL) != 0)
        goto Exit;
    double area = (double)pixGetWidth(open) * pixGetHeight(open);
    ink = area > 0 ? count / area : -1;
Exit:
    pixDestroy(&w);
    pixDestroy(&mask);
    pixDestroy(&noborder);
    pixDestroy(&open);
    return ink;
}

static void set_ink(eng_clean_info_t *info, const eng_clean_opts_t *o, struct Pix *pix)
{
    info->ink = o->measure_ink ? eng_page_ink(pix) : -1;
    info->blank = info->ink >= 0 && info->ink < ENG_BLANK_MAX_INK;
}

struct Pix *eng_clean_page(eng_ocr_t *ocr, struct Pix *pix, const eng_clean_opts_t *o, eng_clean_info_t *info,
                           char *err, size_t errlen)
{
    static const eng_clean_opts_t none = {0};
    PIX *cur = NULL;

    eng_global_init();
    memset(info, 0, sizeof(*info));
    if (pix == NULL) {
        eng__set_err(err, errlen, "Invalid arguments to page clean-up.");
        return NULL;
    }
    if (o == NULL)
        o = &none;
    if (!o->deskew && !o->auto_rotate && !o->binarize && !o->despeckle && !o->remove_border) {
        set_ink(info, o, pix);
        return pixClone(pix);
    }
    if ((cur = workable(pix)) == NULL)
        goto Oom;

    if (o->auto_rotate) {
        int deg = 0;
        float conf = 0;
        if (ocr == NULL) {
            eng__set_err(err, errlen, "Automatic rotation is not available here.");
            goto Fail;
        }
        if (eng_ocr_detect_orientation(ocr, cur, &deg, &conf, err, errlen) != 0)
            goto Fail;
        if (deg != 0 && conf >= ENG_CLEAN_MIN_OSD_CONF) {
            if (step(&cur, pixRotateOrth(cur, deg / 90)) != 0)
                goto Oom;
            info->rotation = deg;
        }
    }
    if (o->deskew) {
        l_float32 angle = 0, conf = 0;
        PIX *d = pixFindSkewAndDeskew(cur, 2, &angle, &conf);
        if (d == NULL)
            goto Oom;
        /* A clone (the same Pix) comes back when the skew was too small or too uncertain to correct. */
        if (d != cur)
            info->skew_degrees = angle;
        if (step(&cur, d) != 0)
            goto Oom;
    }
    if (o->binarize && step(&cur, binarize(cur)) != 0)
        goto Oom;
    if (o->despeckle && step(&cur, despeckle(cur)) != 0)
        goto Oom;
    if (o->remove_border && step(&cur, remove_border(cur)) != 0)
        goto Oom;
    set_ink(info, o, cur);
    return cur;
Oom:
    eng__set_err(err, errlen, "Out of memory while cleaning up the page.");
Fail:
    pixDestroy(&cur);
    memset(info, 0, sizeof(*info));
    return NULL;
}
