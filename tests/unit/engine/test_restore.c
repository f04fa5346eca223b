/* unit.engine.restore: the clean-up steps for degraded scans (removeColorNoise, removeHalftone,
 * removeHolePunch, improveText, deskewAdjustPaperSize) and fastMode's resolution, each on a degraded page
 * made here from phototest.tif with leptonica (deterministic noise, so the figures are the same on every
 * run). Every page goes through eng_page_process without and with its option, as PNG bytes like an upload,
 * and the test asserts that the option measurably improves it: recognition accuracy against phototest.txt,
 * and an image property that names what the step is for. argv[1] = testdata dir. */
#include "engine/eng_restore.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>

#include "engine/eng_doc.h"
#include "engine/eng_page.h"
#include "tests/unit/engine/accuracy.h"
#include "tests/unit/tap.h"

static const char *testdata = "tests/data";

static char *read_data(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", testdata, name);
    char *buf = acc_read_file(path, len);
    ok(buf != NULL, "read %s", name);
    return buf;
}

static PIX *decode(const char *name)
{
    char err[256] = "";
    size_t len = 0;
    unsigned char *buf = (unsigned char *)read_data(name, &len);
    PIX *pix = buf != NULL ? eng_doc_decode_page(buf, len, eng_sniff(buf, len), 0, err, sizeof(err)) : NULL;
    free(buf);
    ok(pix != NULL, "%s decoded %s", name, err);
    return pix;
}

/* Deterministic noise. */
static uint32_t rng = 4711;
static double rnd(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (rng >> 8) / 16777216.0;
}

typedef struct {
    double accuracy;
    int width, height, dpi;
} page_t;

/* The page as PNG bytes through eng_page_process with `job`; accuracy against `truth` (-1 on failure). */
static page_t run(eng_ocr_t *ocr, PIX *pix, const eng_page_job_t *job, const char *truth, const char *what)
{
    unsigned char *png = NULL;
    size_t len = 0;
    eng_page_out_t out;
    page_t p = {-1, 0, 0, 0};
    if (!ok(pixWriteMemPng(&png, &len, pix, 0) == 0, "%s: PNG written", what))
        return p;
    if (ok(eng_page_process(ocr, png, len, ENG_FMT_PNG, 0, job, &out) == ENG_OK, "%s: recognized %s", what,
           out.err)) {
        p = (page_t){acc_accuracy(out.res.text, truth, NULL, NULL), out.res.width, out.res.height,
                     out.res.dpi};
    }
    printf("# %s: accuracy %.2f%%, %dx%d at %d dpi\n", what, p.accuracy * 100, p.width, p.height, p.dpi);
    eng_page_out_free(&out);
    free(png);
    return p;
}

static eng_page_job_t plain_job(void)
{
    eng_page_job_t job = {.max_pixels = 1LL << 30};
    job.ocr.skip = ENG_SKIP_HOCR | ENG_SKIP_TSV | ENG_SKIP_ALTO;
    return job;
}

/* Dark pixels (1 bpp ink, or grey under 128) of pix inside the rectangle. */
static int dark_in(PIX *pix, int x0, int y0, int w, int h)
{
    int n = 0;
    for (int y = y0; y < y0 + h && y < (int)pixGetHeight(pix); ++y)
        for (int x = x0; x < x0 + w && x < (int)pixGetWidth(pix); ++x) {
            l_uint32 v = 0;
            pixGetPixel(pix, x, y, &v);
            if (pixGetDepth(pix) == 1 ? v != 0 : pixGetDepth(pix) == 8 ? v < 128 : (v >> 8 & 0xff) < 128)
                ++n;
        }
    return n;
}

/* Colourful pixels (largest minus smallest component at least 60) of a 32 bpp page. */
static int colourful(PIX *pix)
{
    int n = 0;
    for (int y = 0; y < (int)pixGetHeight(pix); ++y)
        for (int x = 0; x < (int)pixGetWidth(pix); ++x) {
            l_int32 r, g, b;
            l_uint32 v = 0;
            pixGetPixel(pix, x, y, &v);
            extractRGBValues(v, &r, &g, &b);
            int hi = r > g ? (r > b ? r : b) : (g > b ? g : b),
                lo = r < g ? (r < b ? r : b) : (g < b ? g : b);
            n += hi - lo >= 60;
        }
    return n;
}

/* The page after eng_restore_before with one option (a copy; the argument stays). */
static PIX *before(PIX *pix, const eng_restore_opts_t *o)
{
    PIX *c = pixCopy(NULL, pix);
    char err[128] = "";
    if (!ok(c != NULL && eng_restore_before(&c, o, 0, err, sizeof(err)) == 0, "restore step runs %s", err))
        pixDestroy(&c);
    return c;
}

/* A colour scan with coloured specks: dark blue, red, green and purple blots of 2 to 5 pixels, one per 300
 * pixels of the page, as a dirty colour scanner or a sheet with coloured dust leaves them. */
static void test_color_noise(eng_ocr_t *ocr, PIX *base, const char *truth)
{
    static const l_uint32 inks[] = {0x1010c000, 0xc0101000, 0x10801000, 0x80108000};
    PIX *p = pixConvertTo32(base);
    int w = pixGetWidth(p), h = pixGetHeight(p);
    pixCopyResolution(p, base);
    for (int i = 0; i < w * h / 300; ++i) {
        int x = (int)(rnd() * w), y = (int)(rnd() * h), s = 2 + (int)(rnd() * 4);
        BOX *b = boxCreate(x, y, s, s);
        pixSetInRectArbitrary(p, b, inks[i % 4]);
        boxDestroy(&b);
    }
    eng_page_job_t job = plain_job();
    page_t a0 = run(ocr, p, &job, truth, "colour specks without removeColorNoise");
    job.restore.remove_color_noise = 1;
    page_t a1 = run(ocr, p, &job, truth, "colour specks with removeColorNoise");
    ok(a1.accuracy >= 0.95 && a1.accuracy > a0.accuracy + 0.05,
       "removeColorNoise: accuracy %.2f%% (without %.2f%%)", a1.accuracy * 100, a0.accuracy * 100);
    PIX *c = before(p, &job.restore);
    int n0 = colourful(p), n1 = c != NULL ? colourful(c) : -1;
    ok(n1 >= 0 && n1 * 50 < n0, "removeColorNoise: colourful pixels %d -> %d", n0, n1);
    /* Black print is left alone: the text's pixels stay dark. */
    PIX *clean = pixConvertTo32(base);
    PIX *cc = before(clean, &job.restore);
    int d0 = dark_in(clean, 0, 0, w, h), d1 = cc != NULL ? dark_in(cc, 0, 0, w, h) : -1;
    is_int(d1, d0, "removeColorNoise leaves a page without colour as it is");
    /* Coloured print larger than a speck stays. */
    BOX *box = boxCreate(100, 100, 60, 30);
    pixSetInRectArbitrary(clean, box, 0xc0101000);
    boxDestroy(&box);
    pixDestroy(&cc);
    cc = before(clean, &job.restore);
    ok(cc != NULL && colourful(cc) == 60 * 30, "removeColorNoise keeps a coloured area larger than a speck");
    pixDestroy(&cc);
    pixDestroy(&clean);
    pixDestroy(&c);
    pixDestroy(&p);
}

/* A tint behind the text printed as a halftone screen, as a copied form with a shaded field shows it: dots
 * every 5 pixels in rows offset by 2, either round (3x3 with the corners off, about a 20 % grey) or square
 * (2x2, 16 %). The whole page is shaded. */
static PIX *screened(PIX *base, int depth, int square)
{
    PIX *p = pixCopy(NULL, base);
    int w = pixGetWidth(p), h = pixGetHeight(p);
    for (int y = 2; y < h - 2; y += 5)
        for (int x = 2 + (y / 5 % 2) * 2; x < w - 2; x += 5) {
            if (square) {
                pixRasterop(p, x, y, 2, 2, PIX_SET, NULL, 0, 0);
            } else {
                pixRasterop(p, x - 1, y, 3, 1, PIX_SET, NULL, 0, 0);
                pixRasterop(p, x, y - 1, 1, 3, PIX_SET, NULL, 0, 0);
            }
        }
    if (depth == 8) {
        PIX *g = pixConvertTo8(p, 0);
        pixDestroy(&p);
        p = g;
    }
    pixCopyResolution(p, base);
    return p;
}

static void test_halftone(eng_ocr_t *ocr, PIX *base, const char *truth)
{
    for (int square = 0; square < 2; ++square)
        for (int depth = 1; depth <= 8; depth += 7) {
            char what[128];
            const char *dots = square ? "square" : "round";
            PIX *p = screened(base, depth, square);
            eng_page_job_t job = plain_job();
            snprintf(what, sizeof(what), "%s halftone dots %d bpp without removeHalftone", dots, depth);
            page_t a0 = run(ocr, p, &job, truth, what);
            job.restore.remove_halftone = 1;
            snprintf(what, sizeof(what), "%s halftone dots %d bpp with removeHalftone", dots, depth);
            page_t a1 = run(ocr, p, &job, truth, what);
            ok(a1.accuracy >= 0.95 && a1.accuracy > a0.accuracy + 0.05,
               "removeHalftone, %s dots, %d bpp: accuracy %.2f%% (without %.2f%%)", dots, depth,
               a1.accuracy * 100, a0.accuracy * 100);
            pixDestroy(&p);
        }
    /* A page without a screen keeps its full stops and i dots: it reads as well as before. */
    eng_page_job_t job = plain_job();
    job.restore.remove_halftone = 1;
    page_t a = run(ocr, base, &job, truth, "clean page with removeHalftone");
    ok(a.accuracy >= 0.99, "removeHalftone leaves ordinary print readable (%.2f%%)", a.accuracy * 100);
}

/* Punched holes scanned dark (the scanner's lid shows through): three discs a quarter inch across in the
 * left margin, as a two- or three-hole punch leaves them. */
static void test_hole_punch(eng_ocr_t *ocr, PIX *base, const char *truth)
{
    int res = pixGetXRes(base), r = res / 8, margin = res * 3 / 8;
    PIX *p = pixAddBorderGeneral(base, margin, 0, 0, 0, 0);
    int h = pixGetHeight(p);
    pixCopyResolution(p, base);
    for (int k = 1; k <= 3; ++k) {
        int cy = h * k / 4, cx = margin / 2;
        for (int y = -r; y <= r; ++y)
            for (int x = -r; x <= r; ++x)
                if (x * x + y * y <= r * r)
                    pixSetPixel(p, cx + x, cy + y, 1);
    }
    eng_page_job_t job = plain_job();
    page_t a0 = run(ocr, p, &job, truth, "punched holes without removeHolePunch");
    job.restore.remove_hole_punch = 1;
    page_t a1 = run(ocr, p, &job, truth, "punched holes with removeHolePunch");
    ok(a1.accuracy >= 0.99 && a1.accuracy >= a0.accuracy, "removeHolePunch: accuracy %.2f%% (without %.2f%%)",
       a1.accuracy * 100, a0.accuracy * 100);
    PIX *c = before(p, &job.restore);
    int m0 = dark_in(p, 0, 0, margin, h), m1 = c != NULL ? dark_in(c, 0, 0, margin, h) : -1;
    ok(m0 > 3 * 3 * r * r / 2 && m1 == 0, "removeHolePunch: dark pixels in the margin %d -> %d", m0, m1);
    int t0 = dark_in(p, margin, 0, pixGetWidth(p) - margin, h);
    int t1 = c != NULL ? dark_in(c, margin, 0, pixGetWidth(p) - margin, h) : -1;
    is_int(t1, t0, "removeHolePunch: the text is untouched");
    pixDestroy(&c);
    pixDestroy(&p);
}

/* Faint, broken print: two in five of the ink's pixels lost and the rest a pale grey on slightly grey paper,
 * as a worn ribbon or a light photocopy prints it. */
static void test_improve_text(eng_ocr_t *ocr, PIX *base, const char *truth)
{
    PIX *g = pixConvertTo8(base, 0);
    int w = pixGetWidth(g), h = pixGetHeight(g);
    pixCopyResolution(g, base);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            l_uint32 v;
            pixGetPixel(g, x, y, &v);
            int ink = v == 0 && rnd() >= 0.4;
            pixSetPixel(g, x, y, ink ? 170 + (l_uint32)(rnd() * 20) : 215 + (l_uint32)(rnd() * 20));
        }
    eng_page_job_t job = plain_job();
    page_t a0 = run(ocr, g, &job, truth, "faint broken print without improveText");
    job.restore.improve_text = 1;
    page_t a1 = run(ocr, g, &job, truth, "faint broken print with improveText");
    ok(a1.accuracy >= 0.95 && a1.accuracy > a0.accuracy + 0.05,
       "improveText: accuracy %.2f%% (without %.2f%%)", a1.accuracy * 100, a0.accuracy * 100);
    pixDestroy(&g);
}

/* A sheet scanned 5 degrees askew: the scan holds the whole skewed sheet, so it is larger than the paper by
 * the wedges around it. deskew straightens it within that frame; deskewAdjustPaperSize crops the frame back
 * to the paper. */
static void test_paper_size(eng_ocr_t *ocr, PIX *base, const char *truth)
{
    PIX *paper = pixAddBorder(base, 40, 0);
    pixCopyResolution(paper, base);
    int pw = pixGetWidth(paper), ph = pixGetHeight(paper);
    double a = 5 * M_PI / 180;
    int sw = (int)lround(pw * cos(a) + ph * sin(a)), sh = (int)lround(pw * sin(a) + ph * cos(a));
    PIX *scan = pixRotate(paper, (float)a, L_ROTATE_SAMPLING, L_BRING_IN_WHITE, sw, sh);
    pixCopyResolution(scan, base);
    eng_page_job_t job = plain_job();
    job.clean.deskew = 1;
    page_t a0 = run(ocr, scan, &job, truth, "skewed sheet with deskew");
    job.restore.adjust_paper_size = 1;
    page_t a1 = run(ocr, scan, &job, truth, "skewed sheet with deskew and deskewAdjustPaperSize");
    printf("# paper %dx%d, scan %dx%d\n", pw, ph, pixGetWidth(scan), pixGetHeight(scan));
    ok(a0.width > pw + pw / 20 && a0.height > ph + ph / 20, "deskew alone: larger than the paper (%dx%d)",
       a0.width, a0.height);
    ok(abs(a1.width - pw) <= 3 && abs(a1.height - ph) <= 3, "deskewAdjustPaperSize: the paper's size (%dx%d)",
       a1.width, a1.height);
    ok(a1.accuracy >= 0.98 && a1.accuracy >= a0.accuracy - 0.005,
       "deskewAdjustPaperSize cuts no text: accuracy %.2f%% (without %.2f%%)", a1.accuracy * 100,
       a0.accuracy * 100);
    /* Without deskew (or on a straight page) there is nothing to crop. */
    job.clean.deskew = 0;
    page_t a2 = run(ocr, paper, &job, truth, "straight page with deskewAdjustPaperSize alone");
    ok(a2.width == pw && a2.height == ph, "no deskew: the page keeps its size (%dx%d)", a2.width, a2.height);
    int w, h;
    eng_restore_paper_size(679, 534, 5, &w, &h);
    ok(w == 640 && h == 480, "paper size of a 640x480 sheet skewed 5 degrees: %dx%d", w, h);
    eng_restore_paper_size(640, 480, 0, &w, &h);
    ok(w == 640 && h == 480, "no skew: the same size");
    pixDestroy(&paper);
    pixDestroy(&scan);
}

/* fastMode: the 300 dpi multi-column scan is recognized at 150 dpi, and still reads well. */
static void test_fast(eng_ocr_t *ocr)
{
    size_t tl = 0;
    char *truth = read_data("8087_054.3B.txt", &tl);
    PIX *p = decode("8087_054.3B.tif");
    if (truth == NULL || p == NULL)
        return;
    eng_page_job_t job = plain_job();
    page_t a0 = run(ocr, p, &job, truth, "8087_054.3B without fastMode");
    job.restore.fast = 1;
    page_t a1 = run(ocr, p, &job, truth, "8087_054.3B with fastMode");
    is_int(a0.dpi, 300, "without fastMode: recognized at 300 dpi");
    ok(a1.dpi == ENG_RESTORE_FAST_DPI && a1.width == 1280 && a1.height == 1650,
       "fastMode: recognized at %d dpi, %dx%d", a1.dpi, a1.width, a1.height);
    ok(a1.accuracy >= 0.90, "fastMode: accuracy %.2f%% (without %.2f%%)", a1.accuracy * 100,
       a0.accuracy * 100);
    /* Every step on a page that needs none of them costs no accuracy worth speaking of. */
    job.restore = (eng_restore_opts_t){1, 1, 1, 1, 1, 0};
    job.clean.deskew = 1;
    page_t a2 = run(ocr, p, &job, truth, "8087_054.3B with every clean-up for degraded scans");
    ok(a2.accuracy >= a0.accuracy - 0.01,
       "a clean page stays readable with every step (%.2f%%, without %.2f%%)", a2.accuracy * 100,
       a0.accuracy * 100);
    /* A page at or below 150 dpi is left as it is. */
    PIX *low = pixScaleToGray(p, 0.4f);
    pixSetResolution(low, 120, 120);
    char err[64];
    eng_restore_opts_t o = {.fast = 1};
    PIX *c = pixClone(low);
    ok(eng_restore_after(&c, &o, 0, 0, err, sizeof(err)) == 0 && c == low, "fastMode: 120 dpi untouched");
    pixDestroy(&c);
    pixDestroy(&low);
    pixDestroy(&p);
    free(truth);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        testdata = argv[1];
    size_t tl = 0;
    char *truth = read_data("phototest.txt", &tl);
    PIX *base = decode("phototest.tif");
    eng_ocr_t *ocr = eng_ocr_create(NULL, 1);
    if (truth == NULL || base == NULL || ocr == NULL)
        return done_testing();

    /* No option: both calls leave the page as it is (the same Pix). */
    eng_restore_opts_t none = {0};
    PIX *same = pixClone(base);
    char err[64];
    ok(eng_restore_before(&same, &none, 0, err, sizeof(err)) == 0 &&
           eng_restore_after(&same, &none, 3.0, 0, err, sizeof(err)) == 0 && same == base,
       "no option: the page is not touched");
    pixDestroy(&same);

    test_color_noise(ocr, base, truth);
    test_halftone(ocr, base, truth);
    test_hole_punch(ocr, base, truth);
    test_improve_text(ocr, base, truth);
    test_paper_size(ocr, base, truth);
    test_fast(ocr);

    eng_ocr_destroy(ocr);
    pixDestroy(&base);
    free(truth);
    return done_testing();
}
