/* unit.engine.doc: probing (headers only) and decoding of in-memory documents. argv[1] = testdata dir. */
#include "engine/eng_doc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <leptonica/allheaders.h>

#include "tests/unit/engine/accuracy.h"
#include "tests/unit/engine/crafted_tiff.h"
#include "tests/unit/tap.h"

static const char *testdata = "tests/data";

static unsigned char *load(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", testdata, name);
    return (unsigned char *)acc_read_file(path, len);
}

static uint32_t crc32_bytes(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return c ^ 0xFFFFFFFFu;
}

static size_t put_chunk(unsigned char *out, const char *type, const unsigned char *data, uint32_t n)
{
    out[0] = (unsigned char)(n >> 24), out[1] = (unsigned char)(n >> 16), out[2] = (unsigned char)(n >> 8),
    out[3] = (unsigned char)n;
    memcpy(out + 4, type, 4);
    if (n > 0)
        memcpy(out + 8, data, n);
    uint32_t crc = crc32_bytes(out + 4, n + 4);
    out[8 + n] = (unsigned char)(crc >> 24), out[9 + n] = (unsigned char)(crc >> 16),
            out[10 + n] = (unsigned char)(crc >> 8), out[11 + n] = (unsigned char)crc;
    return 12 + n;
}

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Probes, expecting success with one page of the given size; returns the info. */
static eng_page_info_t probe1(const void *buf, size_t len, eng_format_t fmt, const char *what)
{
    eng_page_info_t *infos = NULL, r = {0};
    int n = 0;
    char err[256] = "";
    int rc = eng_doc_probe(buf, len, fmt, 10, &n, &infos, err, sizeof(err));
    if (!ok(rc == ENG_DOC_OK && n == 1 && infos != NULL, "%s: probe finds one page", what))
        printf("#   rc=%d n=%d err=%s\n", rc, n, err);
    if (infos != NULL)
        r = infos[0];
    free(infos);
    return r;
}

static void expect_probe_error(const void *buf, size_t len, eng_format_t fmt, const char *what)
{
    eng_page_info_t *infos = (eng_page_info_t *)&infos;
    int n = -1;
    char err[256] = "";
    int rc = eng_doc_probe(buf, len, fmt, 10, &n, &infos, err, sizeof(err));
    ok(rc == ENG_DOC_ERR && infos == NULL && n == 0 && err[0] != '\0', "%s: probe fails (%s)", what, err);
}

static void roundtrip_format(PIX *src, int iff, eng_format_t fmt, const char *what, int check_dpi)
{
    unsigned char *mem = NULL;
    size_t len = 0;
    char err[256] = "", label[128];
    if (!ok(pixWriteMem(&mem, &len, src, iff) == 0 && mem != NULL, "%s: written by leptonica", what))
        return;
    is_int(eng_sniff(mem, len), fmt, what);
    eng_page_info_t in = probe1(mem, len, fmt, what);
    snprintf(label, sizeof(label), "%s: probed size %dx%d", what, in.width, in.height);
    ok(in.width == pixGetWidth(src) && in.height == pixGetHeight(src), "%s", label);
    if (check_dpi)
        is_int(in.dpi, pixGetXRes(src), "probed dpi from the file");
    PIX *pix = eng_doc_decode_page(mem, len, fmt, 0, err, sizeof(err));
    ok(pix != NULL && pixGetWidth(pix) == in.width && pixGetHeight(pix) == in.height,
       "%s: decoded size matches", what);
    if (pix != NULL)
        ok(pixGetDepth(pix) == in.depth, "%s: probed depth %d == decoded depth %d", what, in.depth,
           pixGetDepth(pix));
    pixDestroy(&pix);
    /* Truncated to half: probe or decode must fail, never crash or hand back a page. */
    {
        eng_page_info_t *infos = NULL;
        int n = 0;
        int prc = eng_doc_probe(mem, len / 2, fmt, 10, &n, &infos, err, sizeof(err));
        free(infos);
        PIX *half = prc == ENG_DOC_OK ? eng_doc_decode_page(mem, len / 2, fmt, 0, err, sizeof(err)) : NULL;
        if (fmt == ENG_FMT_JPEG) /* libjpeg pads a truncated scan with gray, by design: a page, not a crash */
            ok(1, "%s truncated: handled (probe rc=%d)", what, prc);
        else
            ok(prc != ENG_DOC_OK || half == NULL, "%s truncated to half: refused (probe rc=%d)", what, prc);
        pixDestroy(&half);
    }
    lept_free(mem);
}

int main(int argc, char **argv)
{
    char err[256];
    eng_page_info_t *infos = NULL;
    int n = 0, rc;

    if (argc > 1)
        testdata = argv[1];
    eng_global_init();

    /* --- phototest.tif: 640x480, 1 bpp, 200 dpi --- */
    size_t plen = 0;
    unsigned char *photo = load("phototest.tif", &plen);
    if (!ok(photo != NULL, "phototest.tif readable in %s", testdata))
        return done_testing();
    rc = eng_doc_probe(photo, plen, ENG_FMT_TIFF, 100, &n, &infos, err, sizeof(err));
    is_int(rc, ENG_DOC_OK, "phototest.tif probes");
    is_int(n, 1, "phototest.tif has 1 page");
    if (infos != NULL) {
        is_int(infos[0].width, 640, "phototest width");
        is_int(infos[0].height, 480, "phototest height");
        is_int(infos[0].dpi, 200, "phototest dpi");
        is_int(infos[0].depth, 1, "phototest depth");
    }
    free(infos);
    infos = NULL;
    PIX *pix = eng_doc_decode_page(photo, plen, ENG_FMT_TIFF, 0, err, sizeof(err));
    ok(pix != NULL && pixGetWidth(pix) == 640 && pixGetHeight(pix) == 480 && pixGetXRes(pix) == 200,
       "phototest.tif decodes to 640x480 at 200 dpi");
    ok(eng_doc_decode_page(photo, plen, ENG_FMT_TIFF, 1, err, sizeof(err)) == NULL,
       "page 2 of a 1-page TIFF: %s", err);
    expect_probe_error(photo, plen, ENG_FMT_PNG, "TIFF bytes declared as PNG");
    expect_probe_error(photo, 100, ENG_FMT_TIFF, "TIFF cut to 100 bytes");

    size_t blen = 0;
    unsigned char *big = load("8087_054.3B.tif", &blen);
    if (big != NULL) {
        eng_page_info_t in = probe1(big, blen, ENG_FMT_TIFF, "8087_054.3B.tif");
        ok(in.width == 2560 && in.height == 3300 && in.dpi == 300,
           "8087_054.3B.tif: 2560x3300 at 300 dpi (%dx%d %d)", in.width, in.height, in.dpi);
    }
    free(big);

    /* --- a 3-page TIFF written by leptonica: three sizes and depths --- */
    if (pix != NULL) {
        char dir[] = "/tmp/ocrgate-test-doc-XXXXXX", path[64];
        PIX *p2 = pixScale(pix, 0.5, 0.5), *p3 = pixConvertTo32(pix);
        pixSetResolution(p3, 300, 300);
        PIXA *pixa = pixaCreate(3);
        pixaAddPix(pixa, pix, L_COPY);
        pixaAddPix(pixa, p2, L_COPY);
        pixaAddPix(pixa, p3, L_COPY);
        ok(mkdtemp(dir) != NULL, "temp dir");
        snprintf(path, sizeof(path), "%s/three.tif", dir);
        ok(pixaWriteMultipageTiff(path, pixa) == 0, "3-page TIFF written");
        size_t tlen = 0;
        unsigned char *tif = (unsigned char *)acc_read_file(path, &tlen);
        unlink(path);
        rmdir(dir);
        rc = eng_doc_probe(tif, tlen, ENG_FMT_TIFF, 10, &n, &infos, err, sizeof(err));
        is_int(rc, ENG_DOC_OK, "3-page TIFF probes");
        is_int(n, 3, "3-page TIFF has 3 pages");
        if (rc == ENG_DOC_OK && n == 3) {
            PIX *expect[3] = {pix, p2, p3};
            for (int i = 0; i < 3; ++i) {
                ok(infos[i].width == pixGetWidth(expect[i]) && infos[i].height == pixGetHeight(expect[i]),
                   "page %d header: %dx%d", i + 1, infos[i].width, infos[i].height);
                PIX *d = eng_doc_decode_page(tif, tlen, ENG_FMT_TIFF, i, err, sizeof(err));
                ok(d != NULL && pixGetWidth(d) == infos[i].width && pixGetHeight(d) == infos[i].height &&
                       pixGetDepth(d) == infos[i].depth,
                   "page %d decodes alone with the probed size and depth %d", i + 1, infos[i].depth);
                int same = 0;
                if (d != NULL)
                    pixEqual(d, expect[i], &same);
                ok(same, "page %d decodes to the pixels written", i + 1);
                pixDestroy(&d);
            }
            is_int(infos[2].dpi, 300, "page 3 dpi");
        }
        free(infos);
        infos = NULL;
        ok(eng_doc_decode_page(tif, tlen, ENG_FMT_TIFF, 3, err, sizeof(err)) == NULL, "page 4 of 3: %s", err);
        rc = eng_doc_probe(tif, tlen, ENG_FMT_TIFF, 2, &n, &infos, err, sizeof(err));
        ok(rc == ENG_DOC_TOO_MANY_PAGES && n == 3 && infos == NULL, "max_pages 2 on 3 pages: too many (%s)",
           err);
        free(tif);
        pixaDestroy(&pixa);
        pixDestroy(&p2);
        pixDestroy(&p3);
    }

    /* --- hand-made TIFFs: a directory chain that loops, an IFD past the end --- */
    {
        static const unsigned char loop[] = {'I', 'I', 42, 0, 8, 0, 0, 0,              /* header */
                                             2,   0,                                   /* 2 entries */
                                             0,   1,   3,  0, 1, 0, 0, 0, 10, 0, 0, 0, /* width 10 */
                                             1,   1,   3,  0, 1, 0, 0, 0, 10, 0, 0, 0, /* height 10 */
                                             8,   0,   0,  0};                         /* next = itself */
        expect_probe_error(loop, sizeof(loop), ENG_FMT_TIFF, "TIFF whose IFD chain loops");
        static const unsigned char past[] = {'M', 'M', 0, 42, 0, 0, 0x40, 0, 0, 0, 0, 0};
        expect_probe_error(past, sizeof(past), ENG_FMT_TIFF, "TIFF whose first IFD lies past the end");
    }

    /* --- crafted TIFFs that lie about their size: the probe reports the largest size any entry claims, and a
     * page never decodes larger than probed (libtiff decodes the first of duplicate entries) --- */
    {
        static const struct {
            const char *what;
            int big;
            crafted_page_t pages[3];
            int npages;
            int refused; /* page index whose decode must fail, -1 none */
        } cases[] = {
            {"honest 100x100", 0, {{100, 100, 0, 0, 0}}, 1, -1},
            {"honest BigTIFF 100x100", 1, {{100, 100, 0, 0, 0}}, 1, -1},
            {"identical duplicate size entries", 0, {{64, 48, 64, 48, 0}}, 1, -1},
            {"first entries 1000x1000, duplicates 10x10", 0, {{1000, 1000, 10, 10, 0}}, 1, 0},
            {"BigTIFF, first entries 1000x1000, duplicates 10x10", 1, {{1000, 1000, 10, 10, 0}}, 1, 0},
            {"duplicate width only", 0, {{1000, 20, 10, 0, 0}}, 1, 0},
            {"page 2 of 3 with duplicates",
             0,
             {{20, 20, 0, 0, 0}, {1000, 1000, 10, 10, 0}, {30, 30, 0, 0, 0}},
             3,
             1},
            {"BigTIFF page 3 of 3 with duplicates",
             1,
             {{20, 20, 0, 0, 0}, {30, 30, 0, 0, 0}, {800, 900, 8, 9, 0}},
             3,
             2},
            {"strip byte count short by half", 0, {{50, 50, 0, 0, -20}}, 1, -1},
            {"strip byte count past the end", 0, {{50, 50, 0, 0, 100000}}, 1, -1},
        };
        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); ++c) {
            size_t tlen = 0;
            unsigned char *tif = crafted_tiff(cases[c].big, cases[c].pages, cases[c].npages, &tlen);
            rc = eng_doc_probe(tif, tlen, ENG_FMT_TIFF, 10, &n, &infos, err, sizeof(err));
            if (ok(rc == ENG_DOC_OK && n == cases[c].npages, "%s: probes (%s)", cases[c].what,
                   rc == ENG_DOC_OK ? "ok" : err)) {
                for (int i = 0; i < n; ++i) {
                    const crafted_page_t *pg = &cases[c].pages[i];
                    uint32_t w = pg->w > pg->dup_w ? pg->w : pg->dup_w,
                             h = pg->h > pg->dup_h ? pg->h : pg->dup_h;
                    ok(infos[i].width == (int)w && infos[i].height == (int)h,
                       "%s: page %d probed at the largest size claimed, %ux%u (got %dx%d)", cases[c].what,
                       i + 1, w, h, infos[i].width, infos[i].height);
                    PIX *d = eng_doc_decode_page(tif, tlen, ENG_FMT_TIFF, i, err, sizeof(err));
                    if (i == cases[c].refused)
                        ok(d == NULL, "%s: page %d with conflicting size entries is not decoded (%s)",
                           cases[c].what, i + 1, d == NULL ? err : "decoded");
                    else
                        ok(d == NULL ||
                               (pixGetWidth(d) == infos[i].width && pixGetHeight(d) == infos[i].height),
                           "%s: page %d decodes at its probed size or not at all", cases[c].what, i + 1);
                    if (cases[c].pages[i].count_delta == 0 && i != cases[c].refused)
                        ok(d != NULL, "%s: page %d decodes", cases[c].what, i + 1);
                    pixDestroy(&d);
                }
            }
            free(infos);
            infos = NULL;
            free(tif);
        }
    }

    /* --- other formats through leptonica's writers --- */
    if (pix != NULL) {
        PIX *g8 = pixConvertTo8(pix, 0), *c32 = pixConvertTo32(pix);
        pixSetResolution(g8, 200, 200);
        pixSetResolution(c32, 200, 200);
        roundtrip_format(pix, IFF_PNG, ENG_FMT_PNG, "PNG 1 bpp", 1);
        roundtrip_format(c32, IFF_PNG, ENG_FMT_PNG, "PNG RGB", 1);
        roundtrip_format(g8, IFF_JFIF_JPEG, ENG_FMT_JPEG, "JPEG gray", 1);
        roundtrip_format(c32, IFF_JFIF_JPEG, ENG_FMT_JPEG, "JPEG RGB", 1);
        roundtrip_format(g8, IFF_BMP, ENG_FMT_BMP, "BMP 8 bpp", 0);
        roundtrip_format(c32, IFF_BMP, ENG_FMT_BMP, "BMP 24 bpp", 0);
        roundtrip_format(g8, IFF_GIF, ENG_FMT_GIF, "GIF", 0);
        roundtrip_format(c32, IFF_WEBP, ENG_FMT_WEBP, "WebP", 0);
        pixDestroy(&g8);
        pixDestroy(&c32);

        unsigned char *png = NULL;
        size_t pnglen = 0;
        if (pixWriteMem(&png, &pnglen, pix, IFF_PNG) == 0) {
            expect_probe_error(png, pnglen / 2, ENG_FMT_PNG, "PNG truncated to half");
            expect_probe_error(png, 30, ENG_FMT_PNG, "PNG truncated inside IHDR");
            expect_probe_error(png, pnglen - 12, ENG_FMT_PNG, "PNG without IEND");
            lept_free(png);
        }
    }

    /* --- a PNG that declares 40000 x 40000 px: the probe reports it without decoding --- */
    {
        unsigned char buf[256],
            ihdr[13] = {0, 0, 0x9C, 0x40, 0, 0, 0x9C, 0x40, 8, 0, 0, 0, 0}; /* 8-bit gray */
        static const unsigned char idat[] = {0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01};
        size_t len = 0;
        memcpy(buf, "\x89PNG\r\n\x1a\n", 8);
        len = 8;
        len += put_chunk(buf + len, "IHDR", ihdr, sizeof(ihdr));
        len += put_chunk(buf + len, "IDAT", idat, sizeof(idat));
        len += put_chunk(buf + len, "IEND", NULL, 0);
        long rss0 = max_rss_kb();
        rc = eng_doc_probe(buf, len, ENG_FMT_PNG, 1, &n, &infos, err, sizeof(err));
        long grown_kb = max_rss_kb() - rss0;
        is_int(rc, ENG_DOC_OK, "40000x40000 PNG header probes");
        if (infos != NULL) {
            is_int(infos[0].width, 40000, "declared width reported");
            is_int(infos[0].height, 40000, "declared height reported");
            is_int(infos[0].depth, 8, "declared depth reported");
        }
        ok(grown_kb < 64 * 1024,
           "probe did not allocate the pixels (peak RSS grew %ld KiB; decoding is 1.6 GB)", grown_kb);
        free(infos);
        infos = NULL;
        /* Same file with a pHYs chunk of 11811 px/m = 300 dpi. */
        unsigned char phys[9] = {0, 0, 0x2e, 0x23, 0, 0, 0x2e, 0x23, 1};
        len = 8;
        len += put_chunk(buf + len, "IHDR", ihdr, sizeof(ihdr));
        len += put_chunk(buf + len, "pHYs", phys, sizeof(phys));
        len += put_chunk(buf + len, "IDAT", idat, sizeof(idat));
        len += put_chunk(buf + len, "IEND", NULL, 0);
        eng_page_info_t in = probe1(buf, len, ENG_FMT_PNG, "PNG with pHYs");
        is_int(in.dpi, 300, "pHYs 11811 px/m -> 300 dpi");
        /* No IDAT at all. */
        len = 8;
        len += put_chunk(buf + len, "IHDR", ihdr, sizeof(ihdr));
        len += put_chunk(buf + len, "IEND", NULL, 0);
        expect_probe_error(buf, len, ENG_FMT_PNG, "PNG without image data");
    }

    /* --- GIF with an absurd animation is refused by the probe --- */
    {
        size_t cap = 13 + 2000 * 14 + 1, len = 0;
        unsigned char *g = calloc(1, cap);
        memcpy(g, "GIF89a\x10\x00\x10\x00\x00\x00\x00", 13);
        len = 13;
        for (int i = 0; i < 2000; ++i) { /* 2000 frames declaring 65535 x 65535 px, no pixel data */
            static const unsigned char fr[12] = {0x2C, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 2, 0};
            memcpy(g + len, fr, sizeof(fr));
            len += sizeof(fr);
        }
        g[len++] = 0x3B;
        eng_page_info_t *gi = NULL;
        rc = eng_doc_probe(g, len, ENG_FMT_GIF, 10, &n, &gi, err, sizeof(err));
        ok(rc == ENG_DOC_ERR && gi == NULL && strstr(err, "frames") != NULL, "GIF with 2000 huge frames: %s",
           err);
        free(gi);
        expect_probe_error(g, len - 1, ENG_FMT_GIF, "GIF without trailer");
        free(g);
    }

    /* --- nothing, garbage, PDF --- */
    expect_probe_error("", 0, ENG_FMT_PNG, "empty buffer");
    expect_probe_error("garbage garbage garbage", 23, ENG_FMT_UNKNOWN, "garbage");
    {
        static const char pdf[] = "%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";
        eng_page_info_t *pi = NULL;
        rc = eng_doc_probe(pdf, sizeof(pdf) - 1, ENG_FMT_PDF, 10, &n, &pi, err, sizeof(err));
        ok(rc == ENG_DOC_ERR && strstr(err, "damaged") != NULL, "PDF: %s", err);
        free(pi);
        ok(eng_doc_decode_page(pdf, sizeof(pdf) - 1, ENG_FMT_PDF, 0, err, sizeof(err)) == NULL,
           "PDF decode fails");
    }

    pixDestroy(&pix);
    free(photo);
    return done_testing();
}
