/* unit.engine.page: eng_page_process, one page through decode, clean-up, blank check, recognition, outputs,
 * page image and searchable PDF, on the real test images without any database. argv[1] = testdata dir. */
#include "engine/eng_page.h"
#include "engine/eng_doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>

#include "tests/unit/engine/accuracy.h"
#include "tests/unit/tap.h"

static const char *testdata = "tests/data";

static unsigned char *load(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", testdata, name);
    unsigned char *buf = (unsigned char *)acc_read_file(path, len);
    ok(buf != NULL, "read %s", name);
    return buf;
}

/* A white 1-bit page of 1700x2200 (A4-ish at 200 dpi) as PNG bytes. */
static unsigned char *blank_png(size_t *len)
{
    PIX *pix = pixCreate(1700, 2200, 1);
    unsigned char *png = NULL;
    pixSetResolution(pix, 200, 200);
    if (pixWriteMemPng(&png, len, pix, 0) != 0)
        png = NULL;
    pixDestroy(&pix);
    return png;
}

/* phototest.tif as an 8-bit gray PNG (plain: served as it is) or, with `palette`, as a PNG with a colormap
 * (encoded again as the page as processed). */
static unsigned char *gray_png(const unsigned char *tif, size_t len, int palette, size_t *out_len)
{
    char err[256];
    PIX *page = eng_doc_decode_page(tif, len, ENG_FMT_TIFF, 0, err, sizeof(err));
    PIX *gray = page != NULL ? pixConvertTo8(page, palette) : NULL;
    unsigned char *png = NULL;
    if (gray != NULL) {
        pixCopyResolution(gray, page);
        if (pixWriteMemPng(&png, out_len, gray, 0) != 0)
            png = NULL;
    }
    pixDestroy(&page);
    pixDestroy(&gray);
    return png;
}

/* Whether PNG bytes a and b decode (leptonica) to the same pixels, colormaps set aside. */
static int same_pixels(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
    PIX *pa = a != NULL ? pixReadMemPng(a, alen) : NULL, *pb = b != NULL ? pixReadMemPng(b, blen) : NULL;
    PIX *ra = pa != NULL ? pixRemoveColormap(pa, REMOVE_CMAP_BASED_ON_SRC) : NULL;
    PIX *rb = pb != NULL ? pixRemoveColormap(pb, REMOVE_CMAP_BASED_ON_SRC) : NULL;
    l_int32 same = 0;
    if (ra == NULL || rb == NULL || pixEqual(ra, rb, &same) != 0)
        same = 0;
    pixDestroy(&pa);
    pixDestroy(&pb);
    pixDestroy(&ra);
    pixDestroy(&rb);
    return same;
}

/* The page image of a PNG page: the document's bytes when it is plain and nothing changed the page; else the
 * page as processed, encoded. Either way it decodes to the pixels that were recognized. */
static void png_page_image(eng_ocr_t *ocr, const unsigned char *tif, size_t len)
{
    size_t glen = 0, plen = 0;
    unsigned char *gray = gray_png(tif, len, 0, &glen), *pal = gray_png(tif, len, 1, &plen);
    eng_page_job_t job = {.want_image = 1};
    eng_page_out_t out;
    job.ocr.skip = ENG_SKIP_HOCR | ENG_SKIP_TSV | ENG_SKIP_ALTO;
    ok(gray != NULL && pal != NULL, "gray and palette PNGs made");
    ok(eng_doc_png_plain(gray, glen) && !eng_doc_png_plain(pal, plen) && !eng_doc_png_plain(tif, len),
       "8-bit gray PNG is plain; a palette PNG and a TIFF are not");

    is_int(eng_page_process(ocr, gray, glen, ENG_FMT_PNG, 0, &job, &out), ENG_OK, "gray PNG recognized");
    ok(out.png_is_document && out.png == NULL, "unchanged plain PNG: the page image is the document itself");
    eng_page_out_free(&out);

    is_int(eng_page_process(ocr, pal, plen, ENG_FMT_PNG, 0, &job, &out), ENG_OK, "palette PNG recognized");
    ok(!out.png_is_document && out.png != NULL && same_pixels(out.png, out.png_len, pal, plen),
       "palette PNG: the page image is encoded, same pixels");
    eng_page_out_free(&out);

    /* A clean-up step changes the page: the image is the page as processed (1 bpp after binarize). */
    job.clean.binarize = 1;
    is_int(eng_page_process(ocr, gray, glen, ENG_FMT_PNG, 0, &job, &out), ENG_OK, "binarized PNG recognized");
    PIX *img = out.png != NULL ? pixReadMemPng(out.png, out.png_len) : NULL;
    ok(!out.png_is_document && img != NULL && pixGetDepth(img) == 1,
       "cleaned page: the image is the page as processed");
    pixDestroy(&img);
    eng_page_out_free(&out);
    free(gray);
    free(pal);
}

static int cancel_now(void *arg)
{
    (void)arg;
    return 1;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        testdata = argv[1];
    char *truth = NULL;
    size_t len = 0, tlen = 0;
    char path[1024];
    snprintf(path, sizeof(path), "%s/phototest.txt", testdata);
    truth = acc_read_file(path, &tlen);
    unsigned char *tif = load("phototest.tif", &len);
    eng_ocr_t *ocr = eng_ocr_create(NULL, 2);
    eng_page_out_t out;
    char err[256] = "";

    eng_page_job_t job = {.want_image = 1, .max_pixels = 1LL << 30};
    job.ocr.skip = ENG_SKIP_TSV | ENG_SKIP_ALTO;
    is_int(eng_page_process(ocr, tif, len, eng_sniff(tif, len), 0, &job, &out), ENG_OK,
           "phototest recognized");
    ok(out.res.text != NULL && acc_accuracy(out.res.text, truth, NULL, NULL) > 0.95, "text accurate");
    ok(out.res.json != NULL && strstr(out.res.json, "\"page\":1") != NULL, "json page object");
    ok(out.res.hocr != NULL && out.res.tsv == NULL && out.res.alto == NULL,
       "hocr made, tsv and alto skipped");
    ok(out.png != NULL && out.png_len > 8 && memcmp(out.png, "\x89PNG", 4) == 0, "page image is a PNG");
    ok(!out.blank && out.warn[0] == '\0' && !out.pdf_failed, "not blank, nothing to warn about");
    eng_page_out_free(&out);
    ok(out.res.text == NULL && out.png == NULL, "freed and zeroed");

    /* The searchable PDF gets the page right after its recognition. */
    job.want_image = 0;
    if ((job.pdf_out = eng_pdf_begin(ocr, "eng", err, sizeof(err))) != NULL) {
        is_int(eng_page_process(ocr, tif, len, eng_sniff(tif, len), 0, &job, &out), ENG_OK,
               "page for the PDF");
        ok(out.png == NULL, "no page image when not asked");
        eng_page_out_free(&out);
        unsigned char *pdf = NULL;
        size_t pdf_len = 0;
        ok(eng_pdf_end(job.pdf_out, &pdf, &pdf_len, err, sizeof(err)) == 0 && pdf_len > 0 &&
               memcmp(pdf, "%PDF", 4) == 0,
           "searchable PDF has the page %s", err);
        free(pdf);
    } else {
        ok(0, "PDF begun: %s", err);
    }
    job.pdf_out = NULL;

    /* The decoded size is checked again, whatever the header said. */
    job.max_pixels = 1000;
    is_int(eng_page_process(ocr, tif, len, eng_sniff(tif, len), 0, &job, &out), ENG_ERR,
           "over the pixel limit");
    ok(strstr(out.err, "over this tier's limit") != NULL, "sentence: %s", out.err);
    eng_page_out_free(&out);
    job.max_pixels = 0;

    /* A cancel before the first word: nothing is kept. */
    job.ocr.cancel = cancel_now;
    is_int(eng_page_process(ocr, tif, len, eng_sniff(tif, len), 0, &job, &out), ENG_CANCELED, "canceled");
    ok(out.res.text == NULL, "no result after cancel");
    eng_page_out_free(&out);
    job.ocr.cancel = NULL;

    /* Blank pages are reported, not recognized, when the job deletes them; recognized otherwise. */
    size_t blen = 0;
    unsigned char *blank = blank_png(&blen);
    job.delete_blank = 1;
    is_int(eng_page_process(ocr, blank, blen, eng_sniff(blank, blen), 0, &job, &out), ENG_OK,
           "blank page ok");
    ok(out.blank && out.res.text == NULL && out.png == NULL, "blank page dropped");
    eng_page_out_free(&out);
    job.delete_blank = 0;
    is_int(eng_page_process(ocr, blank, blen, eng_sniff(blank, blen), 0, &job, &out), ENG_OK, "blank kept");
    ok(!out.blank && out.res.text != NULL && out.res.words == 0, "blank page recognized with no words");
    eng_page_out_free(&out);

    /* Undecodable bytes and a page past the end fail with a sentence. */
    is_int(eng_page_process(ocr, tif, 100, ENG_FMT_TIFF, 0, &job, &out), ENG_ERR, "truncated TIFF fails");
    ok(out.err[0] != '\0', "sentence: %s", out.err);
    eng_page_out_free(&out);
    is_int(eng_page_process(ocr, tif, len, eng_sniff(tif, len), 5, &job, &out), ENG_ERR, "page 6 of 1 fails");
    eng_page_out_free(&out);

    png_page_image(ocr, tif, len);

    eng_ocr_destroy(ocr);
    free(blank);
    free(tif);
    free(truth);
    return done_testing();
}
