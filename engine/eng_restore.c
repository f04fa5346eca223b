/* Clean-up steps for degraded scans and fastMode's resolution (see eng_restore.h). */
#include "engine/eng_restore.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>

#include "engine/eng_util.h"

/* A colourful pixel: its largest and smallest colour component differ by at least this much. Grey print,
 * paper and the colour fringes that scanners and JPEG leave around black strokes stay below it. */
#define CHROMA_MIN 60

/* The page's resolution, or the one to assume when it carries none (as eng_ocr_page assumes). */
static int res_of(PIX *pix, int dpi)
{
    int r = pixGetYRes(pix);
    if (r >= 70 && r <= 2400)
        return r;
    return dpi > 0 ? dpi : 300;
}

static int at_least(double v, int lo)
{
    return v > lo ? (int)lround(v) : lo;
}

/* Hands `next` to *cur (releasing the old image, keeping its resolution); -1 when next is NULL. */
static int replace(PIX **cur, PIX *next)
{
    if (next == NULL)
        return -1;
    pixCopyResolution(next, *cur);
    pixDestroy(cur);
    *cur = next;
    return 0;
}

/* 1, 8 or 32 bpp without a colormap, the depths every step below understands. */
static PIX *plain(PIX *pix)
{
    int d = pixGetDepth(pix);
    if (pixGetColormap(pix) != NULL)
        return pixRemoveColormap(pix, REMOVE_CMAP_BASED_ON_SRC);
    if (d == 1 || d == 8 || d == 32)
        return pixClone(pix);
    return pixConvertTo8(pix, 0);
}

/* The print of the page as 1 bpp: the page itself at 1 bpp, else its grey (luminance) under one Otsu
 * threshold for the whole page. */
static PIX *ink_of(PIX *pix)
{
    PIX *g = NULL, *b = NULL;
    if (pixGetDepth(pix) == 1)
        return pixClone(pix);
    if ((g = pixConvertTo8(pix, 0)) != NULL &&
        pixOtsuAdaptiveThreshold(g, 10000, 10000, 0, 0, 0.1f, NULL, &b))
        b = NULL;
    pixDestroy(&g);
    return b;
}

/* The grey of the paper: the most common grey of the brighter half of the page (most of a page is paper,
 * and print and marks are darker). 255 when it cannot be measured. */
static int paper_grey(PIX *pix)
{
    PIX *g = pixConvertTo8(pix, 0);
    NUMA *na = g != NULL ? pixGetGrayHistogram(g, 2) : NULL;
    int best = 255;
    l_float32 top = -1;
    for (int v = 128; na != NULL && v < 256; ++v) {
        l_float32 n = 0;
        numaGetFValue(na, v, &n);
        if (n > top) {
            top = n;
            best = v;
        }
    }
    numaDestroy(&na);
    pixDestroy(&g);
    return best;
}

/* A copy of pix with the pixels of `mask` painted as paper. */
static PIX *erase(PIX *pix, PIX *mask)
{
    PIX *r;
    if (pixGetDepth(pix) == 1)
        return pixSubtract(NULL, pix, mask);
    l_uint32 v = (l_uint32)paper_grey(pix), paper = pixGetDepth(pix) == 8 ? v : v << 24 | v << 16 | v << 8;
    if ((r = pixCopy(NULL, pix)) != NULL && pixPaintThroughMask(r, mask, 0, 0, paper) != 0)
        pixDestroy(&r);
    return r;
}

static int luma(l_uint32 rgb)
{
    return (int)((299 * (rgb >> 24) + 587 * (rgb >> 16 & 0xff) + 114 * (rgb >> 8 & 0xff)) / 1000);
}

/* Paints the speck c (at box b of the 32 bpp page r; `specks` holds every speck) with what surrounds it:
 * the pixels of a two-pixel ring around its box that are no speck vote dark (print) or light (paper), and the
 * speck takes the mean colour of the winning side. A speck on a stroke stays part of the stroke; one on the
 * paper becomes paper. */
static void fill_speck(PIX *r, PIX *specks, PIX *c, const BOX *b)
{
    long sum[2][3] = {{0}}, n[2] = {0};
    int w = pixGetWidth(r), h = pixGetHeight(r);
    for (int y = b->y - 2; y < b->y + b->h + 2; ++y)
        for (int x = b->x - 2; x < b->x + b->w + 2; ++x) {
            l_uint32 m = 1, v = 0;
            if (x < 0 || y < 0 || x >= w || y >= h)
                continue;
            pixGetPixel(specks, x, y, &m);
            if (m)
                continue;
            pixGetPixel(r, x, y, &v);
            int dark = luma(v) < 128;
            sum[dark][0] += v >> 24;
            sum[dark][1] += v >> 16 & 0xff;
            sum[dark][2] += v >> 8 & 0xff;
            ++n[dark];
        }
    int side = n[1] > n[0];
    if (n[side] == 0)
        return;
    l_uint32 fill = (l_uint32)(sum[side][0] / n[side]) << 24 | (l_uint32)(sum[side][1] / n[side]) << 16 |
                    (l_uint32)(sum[side][2] / n[side]) << 8;
    for (int y = 0; y < b->h; ++y)
        for (int x = 0; x < b->w; ++x) {
            l_uint32 m = 0;
            pixGetPixel(c, x, y, &m);
            if (m)
                pixSetPixel(r, b->x + x, b->y + y, fill);
        }
}

/* removeColorNoise: components of colourful pixels no larger than ENG_RESTORE_SPECK_IN on either side,
 * grown by a pixel for their fringe, take the colour around them (fill_speck). Larger colour (a stamp, a
 * logo, coloured print) stays; a page without colour is returned as it is. */
static PIX *remove_color_noise(PIX *pix, int res)
{
    PIX *chroma = NULL, *grey = NULL, *small = NULL, *grown = NULL, *r = NULL;
    PIXA *pixa = NULL;
    BOXA *boxa = NULL;
    int k = at_least(res * ENG_RESTORE_SPECK_IN, 2);

    if (pixGetDepth(pix) != 32)
        return pixClone(pix);
    if ((chroma = pixConvertRGBToGrayMinMax(pix, L_CHOOSE_MAXDIFF)) == NULL ||
        (grey = pixThresholdToBinary(chroma, CHROMA_MIN)) == NULL || pixInvert(grey, grey) == NULL ||
        (small = pixSelectBySize(grey, k, k, 8, L_SELECT_IF_BOTH, L_SELECT_IF_LTE, NULL)) == NULL ||
        (grown = pixDilateBrick(NULL, small, 3, 3)) == NULL ||
        (boxa = pixConnComp(grown, &pixa, 8)) == NULL || (r = pixCopy(NULL, pix)) == NULL)
        goto Exit;
    for (int i = 0; i < boxaGetCount(boxa); ++i) {
        BOX *b = boxaGetBox(boxa, i, L_CLONE);
        PIX *c = pixaGetPix(pixa, i, L_CLONE);
        if (b != NULL && c != NULL)
            fill_speck(r, grown, c, b);
        boxDestroy(&b);
        pixDestroy(&c);
    }
Exit:
    pixDestroy(&chroma);
    pixDestroy(&grey);
    pixDestroy(&small);
    pixDestroy(&grown);
    pixaDestroy(&pixa);
    boxaDestroy(&boxa);
    return r;
}

/* The smallest square (2 to k pixels) whose opening removes nine tenths of the dots in `small`: strokes
 * wider than that survive it, the dots do not. */
static int dot_opening(PIX *small, int k)
{
    l_int32 all = 0, left = 0;
    if (pixCountPixels(small, &all, NULL) != 0 || all == 0)
        return 2;
    for (int s = 2; s < k; ++s) {
        PIX *o = pixOpenBrick(NULL, small, s, s);
        int gone = o != NULL && pixCountPixels(o, &left, NULL) == 0 && left * 10 < all;
        pixDestroy(&o);
        if (gone)
            return s;
    }
    return k;
}

/* removeHalftone: a screen is many small dots close together. Components of the print no larger than 1/40
 * inch are dots where such components cover at least 8 % of the surrounding 1/8-inch square: that square is
 * the screen. There the dots become paper, and so do dots that touch a stroke: only what survives an opening
 * that removes the dots (the strokes), grown back by a pixel, is kept of the print. Elsewhere a
 * full stop or the dot of an i has too few small neighbours to count and the print stays as it is. */
static PIX *remove_halftone(PIX *pix, int res)
{
    PIX *ink = NULL, *small = NULL, *s8 = NULL, *dens = NULL, *screen = NULL, *seed = NULL, *keep = NULL,
        *drop = NULL, *r = NULL;
    int k = at_least(res / 40.0, 2), hw = at_least(res / 16.0, 4);

    if ((ink = ink_of(pix)) == NULL ||
        (small = pixSelectBySize(ink, k, k, 8, L_SELECT_IF_BOTH, L_SELECT_IF_LTE, NULL)) == NULL ||
        (s8 = pixConvert1To8(NULL, small, 0, 255)) == NULL || (dens = pixBlockconv(s8, hw, hw)) == NULL ||
        (screen = pixThresholdToBinary(dens, 20)) == NULL || pixInvert(screen, screen) == NULL ||
        pixDilateBrick(screen, screen, 2 * hw + 1, 2 * hw + 1) == NULL)
        goto Exit;
    int o = dot_opening(small, k);
    if ((seed = pixOpenBrick(NULL, ink, o, o)) == NULL || (keep = pixDilateBrick(NULL, seed, 3, 3)) == NULL ||
        pixAnd(keep, keep, ink) == NULL || (drop = pixSubtract(NULL, ink, keep)) == NULL ||
        pixOr(drop, drop, small) == NULL || pixAnd(drop, drop, screen) == NULL)
        goto Exit;
    r = erase(pix, drop);
Exit:
    pixDestroy(&ink);
    pixDestroy(&small);
    pixDestroy(&s8);
    pixDestroy(&dens);
    pixDestroy(&screen);
    pixDestroy(&seed);
    pixDestroy(&keep);
    pixDestroy(&drop);
    return r;
}

/* Whether component c (box b of a w x h page) looks like a punched hole: round, filled, near an edge. */
static int is_hole(PIX *c, const BOX *b, int w, int h, int res)
{
    l_int32 n = 0;
    int bw = b->w, bh = b->h, cx = b->x + bw / 2, cy = b->y + bh / 2;
    int edge = cx < w - cx ? cx : w - cx;
    if (cy < edge)
        edge = cy;
    if (h - cy < edge)
        edge = h - cy;
    if (edge > res * ENG_RESTORE_HOLE_EDGE_IN || 4 * abs(bw - bh) > (bw > bh ? bw : bh))
        return 0;
    if (pixCountPixels(c, &n, NULL) != 0)
        return 0;
    double fill = (double)n / ((double)bw * bh); /* a disc fills pi/4 of its box */
    return fill > 0.65 && fill < 0.92;
}

/* removeHolePunch: every dark component of hole size that is_hole() accepts becomes paper, with a ring of
 * 1/50 inch around it for the hole's shadow. */
static PIX *remove_hole_punch(PIX *pix, int res)
{
    PIX *ink = NULL, *big = NULL, *sized = NULL, *holes = NULL, *r = NULL;
    PIXA *pixa = NULL;
    BOXA *boxa = NULL;
    int lo = at_least(res * ENG_RESTORE_HOLE_MIN_IN, 4), hi = at_least(res * ENG_RESTORE_HOLE_MAX_IN, 8);
    int w = pixGetWidth(pix), h = pixGetHeight(pix), nholes = 0;

    if ((ink = ink_of(pix)) == NULL ||
        (big = pixSelectBySize(ink, lo, lo, 8, L_SELECT_IF_BOTH, L_SELECT_IF_GTE, NULL)) == NULL ||
        (sized = pixSelectBySize(big, hi, hi, 8, L_SELECT_IF_BOTH, L_SELECT_IF_LTE, NULL)) == NULL ||
        (boxa = pixConnComp(sized, &pixa, 8)) == NULL || (holes = pixCreateTemplate(sized)) == NULL)
        goto Exit;
    for (int i = 0; i < boxaGetCount(boxa); ++i) {
        BOX *b = boxaGetBox(boxa, i, L_CLONE);
        PIX *c = pixaGetPix(pixa, i, L_CLONE);
        if (b != NULL && c != NULL && is_hole(c, b, w, h, res)) {
            pixRasterop(holes, b->x, b->y, b->w, b->h, PIX_SRC | PIX_DST, c, 0, 0);
            ++nholes;
        }
        boxDestroy(&b);
        pixDestroy(&c);
    }
    if (nholes == 0) {
        r = pixClone(pix);
        goto Exit;
    }
    int ring = 2 * at_least(res / 50.0, 1) + 1;
    if (pixDilateBrick(holes, holes, ring, ring) != NULL)
        r = erase(pix, holes);
Exit:
    pixDestroy(&ink);
    pixDestroy(&big);
    pixDestroy(&sized);
    pixDestroy(&holes);
    pixaDestroy(&pixa);
    boxaDestroy(&boxa);
    return r;
}

/* improveText: the page's grey with its background flattened, its contrast stretched from the darkest print
 * to the paper, thresholded halfway (so that faint print counts) and closed over gaps of 1/100 inch, which
 * joins broken strokes without joining letters. The result is 1 bpp. */
static PIX *improve_text(PIX *pix, int res)
{
    PIX *g = NULL, *n = NULL, *s = NULL, *b = NULL, *r = NULL;
    l_uint32 black = 0;
    int k = at_least(res / 100.0, 2);

    if (pixGetDepth(pix) == 1) {
        b = pixClone(pix);
    } else {
        if ((g = pixConvertTo8(pix, 0)) == NULL || (n = pixBackgroundNormSimple(g, NULL, NULL)) == NULL ||
            pixGetRankValue(n, 1, 0.01f, &black) != 0)
            goto Exit;
        /* Normalisation brings the paper to 200; the darkest percent of the page is taken as full black. */
        int lo = (int)(black & 0xff) < 150 ? (int)(black & 0xff) : 150;
        if ((s = pixGammaTRC(NULL, n, 1.0f, lo, 200)) == NULL || (b = pixThresholdToBinary(s, 160)) == NULL)
            goto Exit;
    }
    r = pixCloseSafeBrick(NULL, b, k, k);
Exit:
    pixDestroy(&g);
    pixDestroy(&n);
    pixDestroy(&s);
    pixDestroy(&b);
    return r;
}

void eng_restore_paper_size(int w, int h, double degrees, int *pw, int *ph)
{
    double a = fabs(degrees) > 20 ? 20 * M_PI / 180 : fabs(degrees) * M_PI / 180;
    double c = cos(a), s = sin(a), d = c * c - s * s;
    long x = lround((w * c - h * s) / d), y = lround((h * c - w * s) / d);
    *pw = x < 1 ? 1 : x > w ? w : (int)x;
    *ph = y < 1 ? 1 : y > h ? h : (int)y;
}

/* One side of the crop: a window of `size` centred on the content [lo, lo + len), inside [0, total); grown
 * to the content when that is larger. */
static void window(int total, int size, int lo, int len, int *start, int *out)
{
    if (len > size)
        size = len;
    int s = lo + len / 2 - size / 2;
    if (s + size > total)
        s = total - size;
    *start = s < 0 ? 0 : s;
    *out = size;
}

/* deskewAdjustPaperSize: deskew turns the page within its own frame, which holds the skewed sheet, so the
 * straightened page is larger than its paper by white wedges. The page is cropped to the sheet's size
 * (eng_restore_paper_size), centred on the print and never cutting into it. */
static PIX *adjust_paper_size(PIX *pix, double degrees)
{
    PIX *ink = NULL, *r = NULL;
    BOX *content = NULL, *crop = NULL;
    int w = pixGetWidth(pix), h = pixGetHeight(pix), pw, ph, x, y, cw, ch;

    eng_restore_paper_size(w, h, degrees, &pw, &ph);
    if ((ink = ink_of(pix)) == NULL)
        return NULL;
    if (pixClipToForeground(ink, NULL, &content) != 0 || content == NULL)
        content = boxCreate(0, 0, w, h); /* a page without print: centre on the page */
    if (content == NULL)
        goto Exit;
    window(w, pw, content->x, content->w, &x, &cw);
    window(h, ph, content->y, content->h, &y, &ch);
    if ((crop = boxCreate(x, y, cw, ch)) != NULL)
        r = pixClipRectangle(pix, crop, NULL);
Exit:
    pixDestroy(&ink);
    boxDestroy(&content);
    boxDestroy(&crop);
    return r;
}

/* fastMode: a page over ENG_RESTORE_FAST_DPI is scaled down to it (1 bpp to 8 bpp grey, which keeps the
 * strokes' edges). */
static PIX *fast(PIX *pix, int res)
{
    float f = (float)ENG_RESTORE_FAST_DPI / (float)res;
    return pixGetDepth(pix) == 1 ? pixScaleToGray(pix, f) : pixScale(pix, f, f);
}

static int fail(char *err, size_t errlen)
{
    eng__set_err(err, errlen, "Out of memory while cleaning up the page.");
    return -1;
}

int eng_restore_before(struct Pix **pix, const eng_restore_opts_t *o, int dpi, char *err, size_t errlen)
{
    PIX *cur;
    if (!o->remove_color_noise && !o->remove_halftone && !o->remove_hole_punch)
        return 0;
    int res = res_of(*pix, dpi);
    if ((cur = plain(*pix)) == NULL)
        return fail(err, errlen);
    pixCopyResolution(cur, *pix);
    if ((o->remove_color_noise && replace(&cur, remove_color_noise(cur, res)) != 0) ||
        (o->remove_halftone && replace(&cur, remove_halftone(cur, res)) != 0) ||
        (o->remove_hole_punch && replace(&cur, remove_hole_punch(cur, res)) != 0)) {
        pixDestroy(&cur);
        return fail(err, errlen);
    }
    pixDestroy(pix);
    *pix = cur;
    return 0;
}

int eng_restore_after(struct Pix **pix, const eng_restore_opts_t *o, double skew_degrees, int dpi, char *err,
                      size_t errlen)
{
    PIX *cur;
    int res = res_of(*pix, dpi);
    int crop = o->adjust_paper_size && skew_degrees != 0, shrink = o->fast && res > ENG_RESTORE_FAST_DPI;
    if (!crop && !o->improve_text && !shrink)
        return 0;
    if ((cur = plain(*pix)) == NULL)
        return fail(err, errlen);
    pixCopyResolution(cur, *pix);
    if ((crop && replace(&cur, adjust_paper_size(cur, skew_degrees)) != 0) ||
        (o->improve_text && replace(&cur, improve_text(cur, res)) != 0) ||
        (shrink && replace(&cur, fast(cur, res)) != 0)) {
        pixDestroy(&cur);
        return fail(err, errlen);
    }
    if (shrink)
        pixSetResolution(cur, ENG_RESTORE_FAST_DPI, ENG_RESTORE_FAST_DPI);
    pixDestroy(pix);
    *pix = cur;
    return 0;
}
