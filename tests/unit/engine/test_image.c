/* unit.engine.image: page images / thumbnails as PNG in memory: fitting sizes, aspect ratio, no enlargement,
 * PNG signature, decoding back, 1 bpp converted to gray, resolution carried. argv[1] = testdata dir. */
#include "engine/eng_image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>

#include "tests/unit/tap.h"

static const char *testdata = "tests/data";

/* Renders and decodes back; returns the decoded Pix (NULL on failure). */
static PIX *roundtrip(PIX *src, int mw, int mh, const char *what)
{
    unsigned char *png = NULL;
    size_t len = 0;
    char err[256] = "";
    PIX *back = NULL;
    int rc = eng_image_png(src, mw, mh, &png, &len, err, sizeof(err));
    if (!ok(rc == 0 && png != NULL && len > 8, "%s: encoded (%zu bytes) %s", what, len, err))
        return NULL;
    ok(memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0, "%s: PNG signature", what);
    back = pixReadMem(png, len);
    ok(back != NULL, "%s: decodes back with pixReadMem", what);
    free(png);
    return back;
}

static void check(PIX *src, int mw, int mh, int want_w, int want_h, const char *what)
{
    PIX *b = roundtrip(src, mw, mh, what);
    if (b == NULL)
        return;
    ok(pixGetWidth(b) == want_w && pixGetHeight(b) == want_h, "%s: %dx%d (want %dx%d)", what, pixGetWidth(b),
       pixGetHeight(b), want_w, want_h);
    pixDestroy(&b);
}

int main(int argc, char **argv)
{
    char path[1024], err[256];
    if (argc > 1)
        testdata = argv[1];
    snprintf(path, sizeof(path), "%s/phototest.tif", testdata);
    PIX *photo = pixRead(path); /* 640x480, 1 bpp, 200 dpi */
    if (!ok(photo != NULL, "phototest.tif read"))
        return done_testing();

    check(photo, 0, 0, 640, 480, "unbounded: original size");
    check(photo, 320, 0, 320, 240, "width bound only");
    check(photo, 0, 120, 160, 120, "height bound only");
    check(photo, 200, 200, 200, 150, "box 200x200: width limits, aspect kept");
    check(photo, 1000, 60, 80, 60, "box 1000x60: height limits, aspect kept");
    check(photo, 4000, 4000, 640, 480, "larger box: never enlarged");
    check(photo, 1, 1, 1, 1, "1x1 box: at least one pixel a side");

    /* 1 bpp becomes gray with intermediate values (anti-aliased), not a sampled bilevel image. */
    PIX *t = roundtrip(photo, 160, 160, "thumbnail of 1 bpp");
    if (t != NULL) {
        l_int32 ngray = 0;
        PIX *g = pixConvertTo8(t, 0);
        NUMA *hist = pixGetGrayHistogram(g, 1);
        for (int i = 1; i < 255; ++i) {
            l_float32 v;
            numaGetFValue(hist, i, &v);
            ngray += v > 0;
        }
        ok(pixGetDepth(t) == 8 && ngray > 20, "1 bpp thumbnail is 8 bpp gray with %d intermediate levels",
           ngray);
        ok(pixGetXRes(t) == 50, "resolution scaled with the image (200 dpi / 4 = %d)", pixGetXRes(t));
        numaDestroy(&hist);
        pixDestroy(&g);
        pixDestroy(&t);
    }
    /* Full size 1 bpp stays bilevel (lossless, small). */
    t = roundtrip(photo, 0, 0, "full-size 1 bpp");
    ok(t != NULL && pixGetDepth(t) == 1 && pixGetXRes(t) == 200, "full-size 1 bpp stays 1 bpp at 200 dpi");
    if (t != NULL) {
        l_int32 same = 0;
        pixEqual(t, photo, &same);
        ok(same, "full-size page image is pixel-identical");
    }
    pixDestroy(&t);

    /* Every depth a page image is written at comes back pixel for pixel, with its resolution. */
    struct {
        int depth, spp;
        const char *what;
    } depths[] = {{2, 1, "2 bpp gray"}, {4, 1, "4 bpp gray"}, {8, 1, "8 bpp gray"},
                  {32, 3, "RGB"},       {32, 4, "RGBA"},      {1, 1, "1 bpp of odd width"}};
    for (size_t k = 0; k < sizeof(depths) / sizeof(depths[0]); ++k) {
        PIX *src = depths[k].depth == 1 ? pixCreate(333, 77, 1) : pixCreate(333, 77, depths[k].depth);
        int max = depths[k].depth >= 8 ? 255 : (1 << depths[k].depth) - 1;
        for (int y = 0; y < 77; ++y)
            for (int x = 0; x < 333; ++x) {
                l_uint32 v = (l_uint32)(x * 7 + y * 13) % (l_uint32)(max + 1);
                if (depths[k].depth == 32)
                    composeRGBAPixel((l_int32)v, (l_int32)((x * 3) & 255), (l_int32)((y * 5) & 255),
                                     (l_int32)((x + y) & 255), &v);
                pixSetPixel(src, x, y, v);
            }
        pixSetSpp(src, depths[k].spp);
        pixSetResolution(src, 150, 300);
        PIX *back = roundtrip(src, 0, 0, depths[k].what);
        l_int32 same = 0;
        if (back != NULL)
            pixEqualWithAlpha(src, back, depths[k].spp == 4, &same);
        ok(back != NULL && same && pixGetDepth(back) == depths[k].depth && pixGetSpp(back) == depths[k].spp,
           "%s: pixel-identical", depths[k].what);
        ok(back != NULL && pixGetXRes(back) == 150 && pixGetYRes(back) == 300, "%s: resolution kept",
           depths[k].what);
        pixDestroy(&back);
        pixDestroy(&src);
    }

    /* Colour and colormapped input. */
    PIX *col = pixConvertTo32(photo);
    check(col, 64, 64, 64, 48, "colour thumbnail");
    pixDestroy(&col);
    snprintf(path, sizeof(path), "%s/phototest-rotated-L.png", testdata);
    PIX *cm = pixRead(path); /* 480x640, 1 bpp colormapped */
    check(cm, 100, 100, 75, 100, "colormapped portrait page");
    pixDestroy(&cm);

    unsigned char *png = (unsigned char *)"x";
    size_t len = 7;
    ok(eng_image_png(NULL, 10, 10, &png, &len, err, sizeof(err)) == -1 && png == NULL && len == 0,
       "NULL page refused: %s", err);
    ok(eng_image_png(photo, -1, 10, &png, &len, err, sizeof(err)) == -1, "negative bound refused");

    pixDestroy(&photo);
    return done_testing();
}
