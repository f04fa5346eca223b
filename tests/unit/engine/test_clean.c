/* unit.engine.clean: page clean-up and blank detection measured by recognition accuracy. Orientation on the
 * rotated phototest images; skew, salt-and-pepper noise, uneven lighting, a black border and blank pages are
 * made here from phototest.tif with leptonica. Every case is recognized without and with its option, so that
 * the test fails if the option stops doing its job. argv[1] = testdata dir. */
#include "engine/eng_clean.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>

#include "engine/eng_doc.h"
#include "engine/eng_ocr.h"
#include "tests/unit/engine/accuracy.h"
#include "tests/unit/tap.h"

static const char *testdata = "tests/data";
static char *truth;

static PIX *decode(const char *name)
{
    char path[1024], err[256] = "";
    size_t len = 0;
    unsigned char *buf;
    PIX *pix = NULL;
    snprintf(path, sizeof(path), "%s/%s", testdata, name);
    if ((buf = (unsigned char *)acc_read_file(path, &len)) != NULL)
        pix = eng_doc_decode_page(buf, len, eng_sniff(buf, len), 0, err, sizeof(err));
    free(buf);
    ok(pix != NULL, "%s decoded %s", name, err);
    return pix;
}

/* Cleans (o may be NULL = no clean-up), recognizes and returns the accuracy against phototest.txt (-1 on
 * failure). *info gets the clean-up report. */
static double run(eng_ocr_t *ocr, PIX *pix, const eng_clean_opts_t *o, eng_clean_info_t *info,
                  const char *what)
{
    char err[256] = "";
    eng_clean_info_t dummy;
    eng_page_result_t r;
    eng_page_opts_t po = {.skip = ENG_SKIP_HOCR | ENG_SKIP_TSV | ENG_SKIP_ALTO};
    double a = -1;
    if (info == NULL)
        info = &dummy;
    PIX *c = eng_clean_page(ocr, pix, o, info, err, sizeof(err));
    if (!ok(c != NULL, "%s: clean-up succeeds %s", what, err))
        return -1;
    ok(pixGetXRes(c) == pixGetXRes(pix), "%s: resolution kept (%d)", what, pixGetXRes(c));
    po.rotation = info->rotation;
    po.skew_degrees = info->skew_degrees;
    if (eng_ocr_page(ocr, c, 1, &po, &r, err, sizeof(err)) == ENG_OK) {
        a = acc_accuracy(r.text, truth, NULL, NULL);
        eng_page_result_free(&r);
    } else {
        printf("# %s: recognition failed: %s\n", what, err);
    }
    printf("# %s: accuracy %.2f%% (rotation %d, skew %.2f, blank %d)\n", what, a * 100, info->rotation,
           info->skew_degrees, info->blank);
    pixDestroy(&c);
    return a;
}

/* Deterministic noise so that the numbers are the same on every run. */
static uint32_t rng = 12345;
static double rnd(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (rng >> 8) / 16777216.0;
}

static void test_orientation(eng_ocr_t *ocr)
{
    static const struct {
        const char *file;
        int rotation;
    } cases[] = {{"phototest-rotated-R.png", 270},
                 {"phototest-rotated-L.png", 90},
                 {"phototest-rotated-180.png", 180}};
    eng_clean_opts_t o = {.auto_rotate = 1};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        PIX *p = decode(cases[i].file);
        eng_clean_info_t info;
        char name[128];
        if (p == NULL)
            continue;
        snprintf(name, sizeof(name), "%s without autoRotate", cases[i].file);
        double a0 = run(ocr, p, NULL, NULL, name);
        snprintf(name, sizeof(name), "%s with autoRotate", cases[i].file);
        double a1 = run(ocr, p, &o, &info, name);
        /* Tesseract itself turns text it finds vertical by 90 degrees one way, so the page turned right reads
         * as it is; the other two do not, which shows that the test bites. */
        if (cases[i].rotation != 270)
            ok(a0 < 0.5, "%s: unreadable as it is (%.2f%%)", cases[i].file, a0 * 100);
        ok(a1 >= 0.99, "%s: >= 99%% once turned upright (%.2f%%)", cases[i].file, a1 * 100);
        is_int(info.rotation, cases[i].rotation, "rotation reported");
        pixDestroy(&p);
    }
    /* An upright page stays as it is. */
    PIX *p = decode("phototest.tif");
    eng_clean_info_t info;
    double a = run(ocr, p, &o, &info, "phototest.tif with autoRotate");
    ok(a >= 0.99, "upright page still recognized (%.2f%%)", a * 100);
    is_int(info.rotation, 0, "upright page: rotation 0");
    pixDestroy(&p);
}

static void test_skew(eng_ocr_t *ocr, PIX *base)
{
    eng_clean_info_t info;
    eng_clean_opts_t o = {.deskew = 1};
    PIX *framed = pixAddBorder(base, 60, 0);
    pixCopyResolution(framed, base);
    PIX *sk = pixRotate(framed, (float)(4.0 * M_PI / 180), L_ROTATE_SAMPLING, L_BRING_IN_WHITE, 0, 0);
    pixCopyResolution(sk, base);
    double a0 = run(ocr, sk, NULL, NULL, "skewed 4 degrees without deskew");
    double a1 = run(ocr, sk, &o, &info, "skewed 4 degrees with deskew");
    ok(a1 >= 0.98, "skew: >= 98%% with deskew (%.2f%%, without %.2f%%)", a1 * 100, a0 * 100);
    ok(fabs(info.skew_degrees + 4.0) < 0.3, "skew: the -4 degree correction is reported (%.2f)",
       info.skew_degrees);
    /* The result is straight: a second measurement finds (almost) no skew left. */
    PIX *c = eng_clean_page(ocr, sk, &o, &info, NULL, 0);
    l_float32 angle = 99, conf = 0;
    if (c != NULL)
        pixFindSkew(c, &angle, &conf);
    ok(fabs(angle) < 0.3, "skew: deskewed page measures %.2f degrees", angle);
    pixDestroy(&c);
    /* A straight page is left alone. */
    run(ocr, base, &o, &info, "straight page with deskew");
    ok(fabs(info.skew_degrees) < 0.2, "straight page: no rotation applied (%.2f)", info.skew_degrees);
    pixDestroy(&framed);
    pixDestroy(&sk);
}

static void test_noise(eng_ocr_t *ocr, PIX *base)
{
    eng_clean_opts_t o = {.despeckle = 1};
    PIX *n = pixCopy(NULL, base);
    int w = pixGetWidth(n), h = pixGetHeight(n);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            double r = rnd();
            if (r < 0.04)
                pixSetPixel(n, x, y, 1);
            else if (r < 0.08)
                pixSetPixel(n, x, y, 0);
        }
    double a0 = run(ocr, n, NULL, NULL, "salt-and-pepper 1 bpp without despeckle");
    double a1 = run(ocr, n, &o, NULL, "salt-and-pepper 1 bpp with despeckle");
    ok(a1 >= 0.98 && a1 > a0 + 0.02, "noise 1 bpp: >= 98%% with despeckle (%.2f%%, without %.2f%%)", a1 * 100,
       a0 * 100);

    /* The same on a gray page: 8 bpp noise of both polarities. */
    PIX *g = pixConvertTo8(base, 0);
    pixCopyResolution(g, base);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            double r = rnd();
            if (r < 0.08)
                pixSetPixel(g, x, y, 0);
            else if (r < 0.16)
                pixSetPixel(g, x, y, 255);
        }
    a0 = run(ocr, g, NULL, NULL, "salt-and-pepper 8 bpp without despeckle");
    a1 = run(ocr, g, &o, NULL, "salt-and-pepper 8 bpp with despeckle");
    ok(a1 >= 0.98 && a1 > a0 + 0.02, "noise 8 bpp: >= 98%% with despeckle (%.2f%%, without %.2f%%)", a1 * 100,
       a0 * 100);
    pixDestroy(&n);
    pixDestroy(&g);
}

/* Uneven lighting: ink reflects 10% and paper 90% of a light that falls from full on the left to a fraction
 * on the right; what the sensor sees is the product. */
static PIX *shade(PIX *base, double darkest)
{
    PIX *g = pixConvertTo8(base, 0);
    int w = pixGetWidth(g), h = pixGetHeight(g);
    pixCopyResolution(g, base);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            l_uint32 v;
            pixGetPixel(g, x, y, &v);
            double light = 1.0 - (1.0 - darkest) * ((double)x / w + (double)y / h) / 2;
            pixSetPixel(g, x, y, (l_uint32)lround((v ? 230 : 25) * light));
        }
    return g;
}

static void test_lighting(eng_ocr_t *ocr, PIX *base)
{
    eng_clean_opts_t o = {.binarize = 1};
    PIX *g = shade(base, 0.2);
    double a0 = run(ocr, g, NULL, NULL, "uneven lighting without binarize");
    PIX *c = eng_clean_page(ocr, g, &o, &(eng_clean_info_t){0}, NULL, 0);
    ok(c != NULL && pixGetDepth(c) == 1, "binarize gives 1 bpp");
    pixDestroy(&c);
    double a1 = run(ocr, g, &o, NULL, "uneven lighting with binarize");
    ok(a1 >= 0.98 && a1 > a0 + 0.02, "lighting: >= 98%% with binarize (%.2f%%, without %.2f%%)", a1 * 100,
       a0 * 100);
    pixDestroy(&g);
}

/* A photocopy border: a black frame whose inner edge frays into specks over the margin (dithered, the density
 * falling with the distance), reaching as close to the print as the margins of phototest allow. */
static PIX *bordered(PIX *base)
{
    PIX *b = pixAddBorder(base, 50, 1);
    int w = pixGetWidth(b), h = pixGetHeight(b);
    pixCopyResolution(b, base);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            /* distance into the page from each edge, and how far the fraying may reach there */
            int dist[4] = {x - 50, w - 51 - x, y - 50, h - 51 - y}, reach[4] = {25, 12, 45, 45};
            for (int e = 0; e < 4; ++e) {
                if (dist[e] >= 0 && dist[e] < reach[e]) {
                    double p = 1.0 - (double)dist[e] / reach[e];
                    if (rnd() < p * p)
                        pixSetPixel(b, x, y, 1);
                }
            }
        }
    return b;
}

static void test_border(eng_ocr_t *ocr, PIX *base)
{
    eng_clean_opts_t o = {.remove_border = 1};
    PIX *b = bordered(base);
    double a0 = run(ocr, b, NULL, NULL, "frayed black border 1 bpp without removeBorder");
    double a1 = run(ocr, b, &o, NULL, "frayed black border 1 bpp with removeBorder");
    ok(a1 >= 0.98 && a1 > a0 + 0.02, "border 1 bpp: >= 98%% with removeBorder (%.2f%%, without %.2f%%)",
       a1 * 100, a0 * 100);
    PIX *g = pixConvertTo8(b, 0);
    pixCopyResolution(g, base);
    a0 = run(ocr, g, NULL, NULL, "frayed black border 8 bpp without removeBorder");
    a1 = run(ocr, g, &o, NULL, "frayed black border 8 bpp with removeBorder");
    ok(a1 >= 0.98 && a1 > a0 + 0.02, "border 8 bpp: >= 98%% with removeBorder (%.2f%%, without %.2f%%)",
       a1 * 100, a0 * 100);
    PIX *c = eng_clean_page(NULL, g, &o, &(eng_clean_info_t){0}, NULL, 0);
    l_uint32 v = 0;
    if (c != NULL)
        pixGetPixel(c, 2, 2, &v);
    ok(c != NULL && pixGetDepth(c) == 8 && v == 255, "8 bpp border painted white, depth kept");
    pixDestroy(&c);
    pixDestroy(&b);
    pixDestroy(&g);
}

static void test_blank(eng_ocr_t *ocr, PIX *base)
{
    int w = pixGetWidth(base), h = pixGetHeight(base);
    eng_clean_info_t info;

    /* White page with 0.2% specks: blank. */
    PIX *bl = pixCreate(w, h, 1);
    pixCopyResolution(bl, base);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            if (rnd() < 0.002)
                pixSetPixel(bl, x, y, 1);
    ok(eng_page_is_blank(bl), "speckled white page is blank");
    /* The same with a black scan border. */
    PIX *blb = pixAddBorder(bl, 40, 1);
    ok(eng_page_is_blank(blb), "speckled page with a black border is blank");
    /* Gray paper with grain and a shadow. */
    PIX *gp = pixCreate(w, h, 8);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            pixSetPixel(gp, x, y, (l_uint32)(200 - 80.0 * x / w + rnd() * 30));
    ok(eng_page_is_blank(gp), "gray paper with grain and a shadow is blank");
    /* Colour: white page. */
    PIX *col = pixCreate(w, h, 32);
    pixSetAllArbitrary(col, 0xf0f0e000);
    ok(eng_page_is_blank(col), "plain colour page is blank");

    /* Not blank: the page, one short word, faint gray print, the shaded page. */
    ok(!eng_page_is_blank(base), "phototest is not blank");
    BOX *box = boxCreate(30, 85, 72, 36); /* the word "This" */
    PIX *word = pixClipRectangle(base, box, NULL), *one = pixCreate(w, h, 1);
    pixRasterop(one, w / 2, h / 2, pixGetWidth(word), pixGetHeight(word), PIX_SRC, word, 0, 0);
    ok(!eng_page_is_blank(one), "a page with one word is not blank");
    PIX *faint = pixConvertTo8(base, 0);
    pixMultConstantGray(faint, 1.0f); /* keeps 0/255 */
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            l_uint32 v;
            pixGetPixel(faint, x, y, &v);
            pixSetPixel(faint, x, y, v ? 250 : 190);
        }
    ok(!eng_page_is_blank(faint), "pale gray print is not blank");
    PIX *sh = shade(base, 0.3);
    ok(!eng_page_is_blank(sh), "shaded page is not blank");

    /* eng_clean_page reports it with and without other options, when asked to measure the ink. */
    PIX *c = eng_clean_page(ocr, blb, &(eng_clean_opts_t){.measure_ink = 1}, &info, NULL, 0);
    ok(c != NULL && info.blank == 1 && info.ink >= 0, "clean-up without options reports blank");
    pixDestroy(&c);
    c = eng_clean_page(ocr, blb,
                       &(eng_clean_opts_t){.despeckle = 1, .remove_border = 1, .deskew = 1, .measure_ink = 1},
                       &info, NULL, 0);
    ok(c != NULL && info.blank == 1, "clean-up with options reports blank");
    pixDestroy(&c);
    c = eng_clean_page(ocr, base, &(eng_clean_opts_t){.despeckle = 1, .measure_ink = 1}, &info, NULL, 0);
    ok(c != NULL && info.blank == 0 && info.ink > 0, "clean-up of a text page reports not blank");
    pixDestroy(&c);
    /* No analysis that nobody asked for: without measure_ink the ink is not measured, with or without other
     * options (it costs a background map and raster operations over the whole page). */
    c = eng_clean_page(ocr, blb, &(eng_clean_opts_t){0}, &info, NULL, 0);
    ok(c != NULL && info.ink == -1 && info.blank == 0, "no options: ink not measured");
    pixDestroy(&c);
    c = eng_clean_page(ocr, blb, &(eng_clean_opts_t){.despeckle = 1}, &info, NULL, 0);
    ok(c != NULL && info.ink == -1 && info.blank == 0, "despeckle only: ink not measured");
    pixDestroy(&c);

    boxDestroy(&box);
    pixDestroy(&word);
    pixDestroy(&one);
    pixDestroy(&faint);
    pixDestroy(&sh);
    pixDestroy(&bl);
    pixDestroy(&blb);
    pixDestroy(&gp);
    pixDestroy(&col);
}

static void test_errors(PIX *base)
{
    char err[256] = "";
    eng_clean_info_t info;
    eng_ocr_t *ocr = eng_ocr_create("/nonexistent-tessdata", 1);
    PIX *c = eng_clean_page(ocr, base, &(eng_clean_opts_t){.auto_rotate = 1}, &info, err, sizeof(err));
    ok(c == NULL && strstr(err, "osd") != NULL, "autoRotate without osd fails with a sentence: %s", err);
    pixDestroy(&c);
    eng_ocr_destroy(ocr);
    /* Every other step works without an eng_ocr_t; colour and colormapped input are accepted. */
    PIX *col = pixConvertTo32(base);
    pixCopyResolution(col, base);
    c = eng_clean_page(NULL, col,
                       &(eng_clean_opts_t){.deskew = 1, .binarize = 1, .despeckle = 1, .remove_border = 1},
                       &info, err, sizeof(err));
    ok(c != NULL && pixGetDepth(c) == 1 && pixGetXRes(c) == pixGetXRes(base), "all steps on a colour page %s",
       err);
    pixDestroy(&c);
    c = eng_clean_page(NULL, col, &(eng_clean_opts_t){.despeckle = 1, .remove_border = 1}, &info, err,
                       sizeof(err));
    ok(c != NULL && pixGetDepth(c) == 32, "colour stays colour without binarize");
    pixDestroy(&c);
    pixDestroy(&col);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        testdata = argv[1];
    char path[1024];
    snprintf(path, sizeof(path), "%s/phototest.txt", testdata);
    truth = acc_read_file(path, NULL);
    eng_ocr_t *ocr = eng_ocr_create(NULL, 2);
    PIX *base = decode("phototest.tif");
    if (!ok(truth != NULL && ocr != NULL && base != NULL, "setup"))
        return done_testing();

    test_orientation(ocr);
    test_skew(ocr, base);
    test_noise(ocr, base);
    test_lighting(ocr, base);
    test_border(ocr, base);
    test_blank(ocr, base);
    test_errors(base);

    pixDestroy(&base);
    eng_ocr_destroy(ocr);
    free(truth);
    return done_testing();
}
