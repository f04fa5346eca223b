/* unit.engine.page: eng_page_process, one page through decode, clean-up, blank check, recognition, outputs,
 * page image and searchable PDF, on the real test images without any database. argv[1] = testdata dir. */
#include "engine/eng_page.h"

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

    eng_ocr_destroy(ocr);
    free(blank);
    free(tif);
    free(truth);
    return done_testing();
}
