/* unit.engine.pdf_in: PDF input through poppler. PDFs are made here: a scanned page (phototest.tif through
 * our own searchable-PDF renderer), text-only pages written by hand (Helvetica), and the hostile ones:
 * encrypted, damaged, truncated, no pages, a huge MediaBox, too many pages. Also measures open and render
 * times (printed, never asserted) and renders from two threads at once. argv[1] = testdata dir. */
#include "engine/eng_pdf_in.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <leptonica/allheaders.h>

#include "engine/eng_doc.h"
#include "engine/eng_ocr.h"
#include "tests/unit/engine/accuracy.h"
#include "tests/unit/tap.h"

static const char *testdata = "tests/data";

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- a tiny PDF writer: correct xref offsets, one content stream per page ---- */

typedef struct {
    char *s;
    size_t len, cap;
    size_t off[8192];
    int nobj;
} pdfw_t;

__attribute__((format(printf, 2, 3))) static void w_add(pdfw_t *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (w->len + (size_t)n + 1 > w->cap) {
        w->cap = (w->len + (size_t)n + 1) * 2;
        w->s = realloc(w->s, w->cap);
    }
    va_start(ap, fmt);
    vsnprintf(w->s + w->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    w->len += (size_t)n;
}

static void w_obj(pdfw_t *w, int num)
{
    w->off[num] = w->len;
    if (num > w->nobj)
        w->nobj = num;
    w_add(w, "%d 0 obj\n", num);
}

/* npages pages of `mw` x `mh` points, each showing `lines` in 14 pt Helvetica; count_lie != 0 writes that
 * /Count instead of the truth; encrypt adds a standard security handler whose user password is not empty. */
static char *make_pdf(int npages, double mw, double mh, const char *const *lines, int nlines, int count_lie,
                      int encrypt, size_t *len)
{
    pdfw_t *w = calloc(1, sizeof(*w));
    w_add(w, "%%PDF-1.4\n%%\xe2\xe3\xcf\xd3\n");
    w_obj(w, 1);
    w_add(w, "<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    w_obj(w, 2);
    w_add(w, "<< /Type /Pages /Count %d /Kids [", count_lie ? count_lie : npages);
    for (int i = 0; i < npages; ++i)
        w_add(w, " %d 0 R", 4 + 2 * i);
    w_add(w, " ] >>\nendobj\n");
    w_obj(w, 3);
    w_add(w, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>\nendobj\n");
    for (int i = 0; i < npages; ++i) {
        char content[4096];
        int n = snprintf(content, sizeof(content), "BT /F1 14 Tf 16 TL 72 %.0f Td", mh - 100);
        for (int l = 0; l < nlines; ++l)
            n += snprintf(content + n, sizeof(content) - (size_t)n, " (%s) '", lines[l]);
        n += snprintf(content + n, sizeof(content) - (size_t)n, " ET");
        w_obj(w, 4 + 2 * i);
        w_add(w,
              "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.0f %.0f] /Resources << /Font << /F1 3 0 R >> >> "
              "/Contents %d 0 R >>\nendobj\n",
              mw, mh, 5 + 2 * i);
        w_obj(w, 5 + 2 * i);
        w_add(w, "<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", n, content);
    }
    int enc = 0;
    if (encrypt) {
        enc = w->nobj + 1;
        w_obj(w, enc);
        w_add(w, "<< /Filter /Standard /V 1 /R 2 /Length 40 /P -44 /O <");
        for (int i = 0; i < 32; ++i)
            w_add(w, "%02x", (unsigned)(i * 37 + 11) & 0xff);
        w_add(w, "> /U <");
        for (int i = 0; i < 32; ++i)
            w_add(w, "%02x", (unsigned)(i * 53 + 7) & 0xff);
        w_add(w, "> >>\nendobj\n");
    }
    size_t xref = w->len;
    w_add(w, "xref\n0 %d\n0000000000 65535 f \n", w->nobj + 1);
    for (int i = 1; i <= w->nobj; ++i)
        w_add(w, "%010zu 00000 n \n", w->off[i]);
    w_add(w, "trailer\n<< /Size %d /Root 1 0 R", w->nobj + 1);
    if (encrypt)
        w_add(w,
              " /Encrypt %d 0 R /ID [<00112233445566778899aabbccddeeff><00112233445566778899aabbccddeeff>]",
              enc);
    w_add(w, " >>\nstartxref\n%zu\n%%%%EOF\n", xref);
    char *s = w->s;
    *len = w->len;
    free(w);
    return s;
}

static const char *const quick[] = {"The quick brown dog jumped over the",
                                    "lazy fox. The quick brown dog jumped", "over the lazy fox."};
static const char quick_truth[] =
    "The quick brown dog jumped over the lazy fox. The quick brown dog jumped over the lazy fox.";

static double recognize(eng_ocr_t *ocr, PIX *pix, const char *truth, const char *what)
{
    eng_page_result_t r;
    char err[256] = "";
    eng_page_opts_t po = {.skip = ENG_SKIP_HOCR | ENG_SKIP_TSV | ENG_SKIP_ALTO};
    double a = -1;
    if (pix != NULL && eng_ocr_page(ocr, pix, 1, &po, &r, err, sizeof(err)) == ENG_OK) {
        a = acc_accuracy(r.text, truth, NULL, NULL);
        eng_page_result_free(&r);
    }
    printf("# %s: accuracy %.2f%% %s\n", what, a * 100, err);
    return a;
}

/* phototest.tif -> searchable PDF (image + invisible text) with the engine's own renderer. */
static unsigned char *phototest_pdf(eng_ocr_t *ocr, PIX *photo, size_t *len)
{
    char err[256] = "";
    eng_page_result_t r;
    unsigned char *bytes = NULL;
    eng_pdf_t *pdf = eng_pdf_begin(ocr, "eng", err, sizeof(err));
    if (pdf == NULL || eng_ocr_page(ocr, photo, 1, NULL, &r, err, sizeof(err)) != ENG_OK) {
        eng_pdf_abort(pdf);
        return NULL;
    }
    eng_page_result_free(&r);
    if (eng_pdf_add_last_page(pdf, err, sizeof(err)) != 0) {
        eng_pdf_abort(pdf);
        return NULL;
    }
    if (eng_pdf_end(pdf, &bytes, len, err, sizeof(err)) != 0)
        return NULL;
    return bytes;
}

/* The render modes: AUTO gives 8 bpp for a page whose every pixel is neutral gray, with the very pixels of
 * the RGB render and the same recognition, and RGB for a page with one coloured area. */
static void test_modes(eng_ocr_t *ocr, const unsigned char *photo_pdf, size_t photo_len, const char *truth)
{
    char err[256] = "";
    eng_pdfin_t *d = eng_pdfin_open(photo_pdf, photo_len, err, sizeof(err));
    if (!ok(d != NULL, "phototest PDF opened %s", err))
        return;
    PIX *rgb = eng_pdfin_render(d, 0, 300, ENG_PDFIN_RGB, err, sizeof(err));
    PIX *aut = eng_pdfin_render(d, 0, 300, ENG_PDFIN_AUTO, err, sizeof(err));
    ok(rgb != NULL && pixGetDepth(rgb) == 32, "RGB mode: 32 bpp");
    ok(aut != NULL && pixGetDepth(aut) == 8 && pixGetXRes(aut) == 300, "AUTO mode, neutral page: 8 bpp");
    PIX *red = rgb != NULL ? pixGetRGBComponent(rgb, COLOR_RED) : NULL;
    int same = 0;
    ok(red != NULL && aut != NULL && pixEqual(red, aut, &same) == 0 && same, "its gray is the RGB render's");
    char *t_rgb = NULL, *t_aut = NULL;
    eng_page_result_t r;
    eng_page_opts_t po = {.skip = ENG_SKIP_HOCR | ENG_SKIP_TSV | ENG_SKIP_ALTO};
    if (rgb != NULL && eng_ocr_page(ocr, rgb, 1, &po, &r, err, sizeof(err)) == ENG_OK) {
        t_rgb = strdup(r.text);
        eng_page_result_free(&r);
    }
    if (aut != NULL && eng_ocr_page(ocr, aut, 1, &po, &r, err, sizeof(err)) == ENG_OK) {
        t_aut = strdup(r.text);
        eng_page_result_free(&r);
    }
    ok(t_rgb != NULL && t_aut != NULL && strcmp(t_rgb, t_aut) == 0, "the same text from both renders");
    ok(t_aut != NULL && acc_accuracy(t_aut, truth, NULL, NULL) >= 0.98, "AUTO render: >= 98%%");
    free(t_rgb);
    free(t_aut);
    pixDestroy(&red);
    pixDestroy(&rgb);
    pixDestroy(&aut);
    eng_pdfin_close(d);

    /* Black text on white and one small red square: RGB. */
    pdfw_t *w = calloc(1, sizeof(*w));
    const char content[] = "BT /F1 14 Tf 72 700 Td (Red square below) Tj ET 1 0 0 rg 72 600 20 20 re f";
    w_add(w, "%%PDF-1.4\n");
    w_obj(w, 1);
    w_add(w, "<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    w_obj(w, 2);
    w_add(w, "<< /Type /Pages /Count 1 /Kids [3 0 R] >>\nendobj\n");
    w_obj(w, 3);
    w_add(w, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
             "/Contents 4 0 R >>\nendobj\n");
    w_obj(w, 4);
    w_add(w, "<< /Length %zu >>\nstream\n%s\nendstream\nendobj\n", strlen(content), content);
    w_obj(w, 5);
    w_add(w, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n");
    size_t xref = w->len;
    w_add(w, "xref\n0 6\n0000000000 65535 f \n");
    for (int i = 1; i <= 5; ++i)
        w_add(w, "%010zu 00000 n \n", w->off[i]);
    w_add(w, "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", xref);
    d = eng_pdfin_open(w->s, w->len, err, sizeof(err));
    PIX *col = d != NULL ? eng_pdfin_render(d, 0, 150, ENG_PDFIN_AUTO, err, sizeof(err)) : NULL;
    PIX *gray = d != NULL ? eng_pdfin_render(d, 0, 150, ENG_PDFIN_GRAY, err, sizeof(err)) : NULL;
    ok(col != NULL && pixGetDepth(col) == 32 && pixGetSpp(col) == 3, "AUTO mode, a coloured page: RGB %s",
       err);
    ok(gray != NULL && pixGetDepth(gray) == 8, "GRAY mode, the same page: 8 bpp");
    pixDestroy(&col);
    pixDestroy(&gray);
    eng_pdfin_close(d);
    free(w->s);
    free(w);
}

static void test_scanned(eng_ocr_t *ocr, const char *truth)
{
    char err[256] = "", path[1024];
    size_t len = 0;
    snprintf(path, sizeof(path), "%s/phototest.tif", testdata);
    PIX *photo = pixRead(path);
    unsigned char *pdf = photo != NULL ? phototest_pdf(ocr, photo, &len) : NULL;
    if (!ok(pdf != NULL, "searchable PDF of phototest made (%zu bytes)", len))
        return;
    ok(eng_sniff(pdf, len) == ENG_FMT_PDF, "sniffed as PDF");

    /* Probe at 300 dpi: 640x480 px at 200 dpi is 230.4x172.8 pt, so 960x720 px; nothing rendered yet. */
    int n = 0;
    eng_page_info_t *pi = NULL;
    int rc = eng_doc_probe_dpi(pdf, len, ENG_FMT_PDF, 10, 300, &n, &pi, err, sizeof(err));
    ok(rc == ENG_DOC_OK && n == 1, "probe: 1 page %s", err);
    if (pi != NULL) {
        is_int(pi[0].width, 960, "probe width at 300 dpi");
        is_int(pi[0].height, 720, "probe height at 300 dpi");
        is_int(pi[0].dpi, 300, "probe dpi");
    }
    free(pi);
    rc = eng_doc_probe(pdf, len, ENG_FMT_PDF, 10, &n, &pi, err, sizeof(err));
    ok(rc == ENG_DOC_OK && pi != NULL && pi[0].width == 960, "default probe renders at 300 dpi");
    free(pi);

    PIX *p = eng_doc_decode_page_dpi(pdf, len, ENG_FMT_PDF, 0, 200, err, sizeof(err));
    ok(p != NULL && pixGetWidth(p) == 640 && pixGetHeight(p) == 480 && pixGetDepth(p) == 8 &&
           pixGetXRes(p) == 200,
       "decoded at 200 dpi: 640x480, 8 bpp (a black-and-white page), resolution 200 %s", err);
    double a = recognize(ocr, p, truth, "phototest PDF rendered at 200 dpi");
    ok(a >= 0.98, "phototest PDF at 200 dpi: >= 98%% (%.2f%%)", a * 100);
    pixDestroy(&p);
    p = eng_doc_decode_page(pdf, len, ENG_FMT_PDF, 0, err, sizeof(err));
    a = recognize(ocr, p, truth, "phototest PDF rendered at 300 dpi");
    ok(a >= 0.98, "phototest PDF at 300 dpi: >= 98%% (%.2f%%)", a * 100);
    pixDestroy(&p);
    ok(eng_doc_decode_page(pdf, len, ENG_FMT_PDF, 1, err, sizeof(err)) == NULL && strstr(err, "no page 2"),
       "page 2 of 1: %s", err);

    /* Gray rendering and the text layer the renderer put there (skipTextPages). */
    eng_pdfin_t *d = eng_pdfin_open(pdf, len, err, sizeof(err));
    if (ok(d != NULL, "opened %s", err)) {
        p = eng_pdfin_render(d, 0, 300, ENG_PDFIN_GRAY, err, sizeof(err));
        ok(p != NULL && pixGetDepth(p) == 8 && pixGetWidth(p) == 960, "gray render is 8 bpp");
        a = recognize(ocr, p, truth, "phototest PDF rendered gray at 300 dpi");
        ok(a >= 0.98, "gray render: >= 98%% (%.2f%%)", a * 100);
        pixDestroy(&p);
        char *t = eng_pdfin_text(d, 0, err, sizeof(err));
        double ta = t != NULL ? acc_accuracy(t, truth, NULL, NULL) : -1;
        printf("# text layer vs truth: %.2f%%\n", ta * 100);
        ok(ta >= 0.95, "the searchable PDF's text layer is read back (%.2f%%)", ta * 100);
        ok(eng_pdfin_text_chars(d, 0, err, sizeof(err)) > 200, "text layer has characters");
        free(t);
        ok(eng_pdfin_render(d, 0, 5000, ENG_PDFIN_RGB, err, sizeof(err)) == NULL &&
               strstr(err, "dpi") != NULL,
           "absurd dpi refused: %s", err);
        eng_pdfin_close(d);
    }

    /* Truncated: the tail (xref, trailer, part of the image) is cut off. Poppler may rebuild the xref; what
     * must not happen is a crash or a silent success with a broken page. */
    size_t cut = len / 2;
    n = 0;
    pi = NULL;
    rc = eng_doc_probe(pdf, cut, ENG_FMT_PDF, 10, &n, &pi, err, sizeof(err));
    printf("# truncated: probe rc %d, %s\n", rc, rc ? err : "ok");
    if (rc == ENG_DOC_OK) {
        p = eng_doc_decode_page(pdf, cut, ENG_FMT_PDF, 0, err, sizeof(err));
        printf("# truncated: decode %s %s\n", p ? "gave a page" : "failed:", p ? "" : err);
        pixDestroy(&p);
    }
    free(pi);
    ok(1, "truncated PDF handled without a crash");
    rc = eng_doc_probe(pdf, 300, ENG_FMT_PDF, 10, &n, &pi, err, sizeof(err));
    ok(rc == ENG_DOC_ERR && pi == NULL, "PDF cut after 300 bytes refused: %s", err);

    test_modes(ocr, pdf, len, truth);
    free(pdf);
    pixDestroy(&photo);
}

static void test_text_pdf(eng_ocr_t *ocr)
{
    char err[256] = "";
    size_t len;
    char *pdf = make_pdf(1, 612, 792, quick, 3, 0, 0, &len);
    int n = 0;
    eng_page_info_t *pi = NULL;
    ok(eng_doc_probe_dpi(pdf, len, ENG_FMT_PDF, 5, 150, &n, &pi, err, sizeof(err)) == ENG_DOC_OK && n == 1 &&
           pi[0].width == 1275 && pi[0].height == 1650,
       "letter page at 150 dpi is 1275x1650 %s", err);
    free(pi);
    eng_pdfin_t *d = eng_pdfin_open(pdf, len, err, sizeof(err));
    char *t = d != NULL ? eng_pdfin_text(d, 0, err, sizeof(err)) : NULL;
    double ta = t != NULL ? acc_accuracy(t, quick_truth, NULL, NULL) : -1;
    ok(ta >= 0.99, "hand-written Helvetica page: text layer read (%.2f%%)", ta * 100);
    free(t);
    eng_pdfin_close(d);
    PIX *p = eng_doc_decode_page(pdf, len, ENG_FMT_PDF, 0, err, sizeof(err));
    double a = recognize(ocr, p, quick_truth, "Helvetica text page rendered at 300 dpi");
    ok(a >= 0.98, "text-only PDF rendered and recognized: >= 98%% (%.2f%%)", a * 100);
    pixDestroy(&p);
    free(pdf);

    /* A page without text: text "" and 0 characters. */
    pdf = make_pdf(1, 612, 792, NULL, 0, 0, 0, &len);
    d = eng_pdfin_open(pdf, len, err, sizeof(err));
    t = d != NULL ? eng_pdfin_text(d, 0, err, sizeof(err)) : NULL;
    ok(t != NULL && t[0] == '\0' && eng_pdfin_text_chars(d, 0, err, sizeof(err)) == 0, "empty page: no text");
    free(t);
    eng_pdfin_close(d);
    free(pdf);
}

static void test_hostile(void)
{
    char err[256] = "";
    size_t len;
    int n = 0;
    eng_page_info_t *pi = NULL;
    int rc;

    char *pdf = make_pdf(1, 612, 792, quick, 3, 0, 1, &len);
    rc = eng_doc_probe(pdf, len, ENG_FMT_PDF, 5, &n, &pi, err, sizeof(err));
    ok(rc == ENG_DOC_ERR && strstr(err, "password") != NULL, "encrypted PDF refused: %s", err);
    ok(eng_doc_decode_page(pdf, len, ENG_FMT_PDF, 0, err, sizeof(err)) == NULL && strstr(err, "password"),
       "encrypted PDF not decoded");
    free(pdf);

    static const char garbage[] = "%PDF-1.7\nthis is not a PDF at all \x01\x02\x03 no objects, no trailer\n";
    rc = eng_doc_probe(garbage, sizeof(garbage) - 1, ENG_FMT_PDF, 5, &n, &pi, err, sizeof(err));
    ok(rc == ENG_DOC_ERR && pi == NULL && strstr(err, "damaged") != NULL, "corrupt PDF refused: %s", err);

    pdf = make_pdf(0, 612, 792, NULL, 0, 0, 0, &len);
    rc = eng_doc_probe(pdf, len, ENG_FMT_PDF, 5, &n, &pi, err, sizeof(err));
    ok(rc == ENG_DOC_ERR && strstr(err, "no pages") != NULL, "zero-page PDF refused: %s", err);
    free(pdf);

    /* A PDF bomb by size: 200 inches... and then some. The probe reports the size without rendering, so
     * that the caller's pixel limit refuses it; rendering refuses on its own too. */
    pdf = make_pdf(1, 14400, 14400, quick, 3, 0, 0, &len);
    double t0 = now_ms();
    rc = eng_doc_probe_dpi(pdf, len, ENG_FMT_PDF, 5, 300, &n, &pi, err, sizeof(err));
    ok(rc == ENG_DOC_OK && pi != NULL && pi[0].width == 60000 && pi[0].height == 60000,
       "huge MediaBox: probe reports 60000x60000 px without rendering (%.1f ms)", now_ms() - t0);
    free(pi);
    pi = NULL;
    t0 = now_ms();
    ok(eng_doc_decode_page_dpi(pdf, len, ENG_FMT_PDF, 0, 300, err, sizeof(err)) == NULL &&
           strstr(err, "too large") != NULL,
       "huge MediaBox: render refused in %.1f ms: %s", now_ms() - t0, err);
    free(pdf);
    pdf = make_pdf(1, 1e12, 1e12, quick, 3, 0, 0, &len);
    rc = eng_doc_probe_dpi(pdf, len, ENG_FMT_PDF, 5, 300, &n, &pi, err, sizeof(err));
    printf("# MediaBox 1e12 pt: rc %d %s (%d x %d)\n", rc, err, pi ? pi[0].width : 0, pi ? pi[0].height : 0);
    ok(rc == ENG_DOC_ERR || (pi != NULL && (long long)pi[0].width * pi[0].height > 100000000LL),
       "MediaBox of 1e12 points: refused or reported huge");
    free(pi);
    pi = NULL;
    free(pdf);

    /* A PDF bomb by count: 3000 pages against a limit of 100; refused from the page count alone. */
    pdf = make_pdf(3000, 612, 792, quick, 1, 0, 0, &len);
    t0 = now_ms();
    rc = eng_doc_probe(pdf, len, ENG_FMT_PDF, 100, &n, &pi, err, sizeof(err));
    ok(rc == ENG_DOC_TOO_MANY_PAGES && n == 101 && pi == NULL, "3000 pages over a limit of 100: %s (%.1f ms)",
       err, now_ms() - t0);
    rc = eng_doc_probe(pdf, len, ENG_FMT_PDF, 0, &n, &pi, err, sizeof(err));
    ok(rc == ENG_DOC_OK && n == 3000, "3000 pages without a limit: counted (%d)", n);
    free(pi);
    pi = NULL;
    free(pdf);

    /* /Count lies: a million pages claimed, one present. */
    pdf = make_pdf(1, 612, 792, quick, 3, 1000000, 0, &len);
    t0 = now_ms();
    rc = eng_doc_probe(pdf, len, ENG_FMT_PDF, 0, &n, &pi, err, sizeof(err));
    printf("# /Count 1000000 with one page: rc %d n %d %s\n", rc, n, rc ? err : "");
    ok(now_ms() - t0 < 5000 && (rc == ENG_DOC_ERR || n < 100), "lying /Count does not make a million pages");
    free(pi);
    free(pdf);
}

/* Timing: open (parse) cost for 1 and 50 pages, render cost per page. Printed, not asserted. */
static void test_timing(void)
{
    char err[256] = "";
    size_t len1, len50;
    char *p1 = make_pdf(1, 612, 792, quick, 3, 0, 0, &len1),
         *p50 = make_pdf(50, 612, 792, quick, 3, 0, 0, &len50);
    const int reps = 20;
    double t0 = now_ms();
    for (int i = 0; i < reps; ++i)
        eng_pdfin_close(eng_pdfin_open(p1, len1, err, sizeof(err)));
    double open1 = (now_ms() - t0) / reps;
    t0 = now_ms();
    for (int i = 0; i < reps; ++i)
        eng_pdfin_close(eng_pdfin_open(p50, len50, err, sizeof(err)));
    double open50 = (now_ms() - t0) / reps;
    t0 = now_ms();
    for (int i = 0; i < 5; ++i) {
        PIX *p = eng_doc_decode_page(p50, len50, ENG_FMT_PDF, 40 + i, err, sizeof(err));
        pixDestroy(&p);
    }
    double dec = (now_ms() - t0) / 5;
    eng_pdfin_t *d = eng_pdfin_open(p50, len50, err, sizeof(err));
    t0 = now_ms();
    for (int i = 0; i < 5; ++i) {
        PIX *p = eng_pdfin_render(d, 40 + i, 300, ENG_PDFIN_AUTO, err, sizeof(err));
        pixDestroy(&p);
    }
    double ren = (now_ms() - t0) / 5;
    eng_pdfin_close(d);
    printf(
        "# timing: open 1-page %.2f ms, open 50-page %.2f ms; letter page at 300 dpi: decode (open+render) "
        "%.1f ms, render on an open handle %.1f ms\n",
        open1, open50, dec, ren);
    ok(1, "timings measured");
    free(p1);
    free(p50);
}

/* Two threads render at the same time (the mutex inside keeps poppler's shared state safe). */
typedef struct {
    const char *pdf;
    size_t len;
    int fails;
} thr_t;

static void *render_loop(void *arg)
{
    thr_t *t = arg;
    char err[256];
    for (int i = 0; i < 8; ++i) {
        PIX *p = eng_doc_decode_page_dpi(t->pdf, t->len, ENG_FMT_PDF, i % 3, 100, err, sizeof(err));
        if (p == NULL || pixGetWidth(p) != 850)
            t->fails++;
        pixDestroy(&p);
    }
    return NULL;
}

static void test_threads(void)
{
    size_t len;
    char *pdf = make_pdf(3, 612, 792, quick, 3, 0, 0, &len);
    thr_t a = {pdf, len, 0}, b = {pdf, len, 0};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, render_loop, &a);
    pthread_create(&tb, NULL, render_loop, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    ok(a.fails == 0 && b.fails == 0, "two threads render the same bytes concurrently");
    free(pdf);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        testdata = argv[1];
    char path[1024];
    snprintf(path, sizeof(path), "%s/phototest.txt", testdata);
    char *truth = acc_read_file(path, NULL);
    eng_ocr_t *ocr = eng_ocr_create(NULL, 1);
    if (!ok(truth != NULL && ocr != NULL, "setup"))
        return done_testing();
    test_scanned(ocr, truth);
    test_text_pdf(ocr);
    test_hostile();
    test_timing();
    test_threads();
    eng_ocr_destroy(ocr);
    free(truth);
    return done_testing();
}
