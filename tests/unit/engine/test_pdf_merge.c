/* unit.engine.pdf_merge: one-page searchable PDFs made by tesseract's renderer on real pages, merged in the
 * order given; the merged file is read back by poppler (page count, each page's text layer) and by libqpdf
 * (document information, structure), and must carry no object stream. argv[1] = testdata dir. */
#include "engine/eng_pdf_merge.h"
#include "engine/eng_pdf_in.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>
#include <qpdf/qpdf-c.h>

#include "tests/unit/engine/accuracy.h"
#include "tests/unit/tap.h"

static const char *testdata = "tests/data";

/* The one-page searchable PDF of a test image, as a page task makes it. */
static unsigned char *page_pdf(eng_ocr_t *ocr, const char *name, size_t *len)
{
    char path[1024], err[256] = "";
    eng_page_result_t r;
    unsigned char *bytes = NULL;
    snprintf(path, sizeof(path), "%s/%s", testdata, name);
    PIX *pix = pixRead(path);
    eng_pdf_t *pdf = eng_pdf_begin(ocr, "eng", err, sizeof(err));
    int rc = pix != NULL && pdf != NULL ? eng_ocr_page(ocr, pix, 1, NULL, &r, err, sizeof(err)) : ENG_ERR;
    pixDestroy(&pix);
    if (rc == ENG_OK && eng_pdf_add_last_page(pdf, err, sizeof(err)) == 0) {
        if (eng_pdf_end(pdf, &bytes, len, err, sizeof(err)) != 0)
            printf("# %s: %s\n", name, err);
    } else {
        eng_pdf_abort(pdf);
        printf("# %s: %s\n", name, err);
    }
    if (rc == ENG_OK)
        eng_page_result_free(&r);
    return bytes;
}

static double page_accuracy(eng_pdfin_t *in, int index, const char *truth_name)
{
    char path[1024], err[256] = "";
    size_t n;
    snprintf(path, sizeof(path), "%s/%s", testdata, truth_name);
    char *truth = acc_read_file(path, &n), *text = eng_pdfin_text(in, index, err, sizeof(err));
    double a = truth != NULL && text != NULL ? acc_accuracy(text, truth, NULL, NULL) : 0;
    printf("# page %d against %s: accuracy %.3f %s\n", index + 1, truth_name, a, err);
    free(truth);
    free(text);
    return a;
}

/* The value of a key of the merged file's document information, as UTF-8 ("" when absent), valid until the
 * next call (qpdf's own string lives only until its next call). */
static const char *info_value(qpdf_data q, const char *key)
{
    static char v[256];
    qpdf_oh info = qpdf_oh_get_key(q, qpdf_get_trailer(q), "/Info");
    snprintf(v, sizeof(v), "%s",
             qpdf_oh_has_key(q, info, key) ? qpdf_oh_get_utf8_value(q, qpdf_oh_get_key(q, info, key)) : "");
    return v;
}

static int contains(const unsigned char *b, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; ++i)
        if (memcmp(b + i, needle, n) == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        testdata = argv[1];
    char err[512] = "";
    eng_ocr_t *ocr = eng_ocr_create(NULL, 2);
    size_t len[3] = {0};
    unsigned char *one[3] = {page_pdf(ocr, "eurotext.tif", &len[0]), page_pdf(ocr, "phototest.tif", &len[1]),
                             page_pdf(ocr, "eurotext.tif", &len[2])};
    ok(one[0] != NULL && one[1] != NULL && one[2] != NULL, "three one-page PDFs rendered");
    eng_pdf_part_t parts[3] = {{one[0], len[0]}, {one[1], len[1]}, {one[2], len[2]}};
    eng_pdf_meta_t meta = {
        .title = "Prüfbericht", .author = "Zoë Author", .subject = "OCR test", .keywords = "quick, brown"};
    unsigned char *out = NULL;
    size_t out_len = 0;
    int rc = eng_pdf_merge(parts, 3, &meta, &out, &out_len, err, sizeof(err));
    ok(rc == 0 && out != NULL && out_len > 5 && memcmp(out, "%PDF-", 5) == 0, "merged (%zu bytes) %s",
       out_len, err);

    /* Poppler: three pages, in the order given, each with its own page's text layer. */
    eng_pdfin_t *in = out != NULL ? eng_pdfin_open(out, out_len, err, sizeof(err)) : NULL;
    ok(in != NULL && eng_pdfin_npages(in) == 3, "poppler opens it: %d pages %s",
       in ? eng_pdfin_npages(in) : -1, err);
    if (in != NULL) {
        /* eurotext mixes languages; recognized as English it scores about 0.89. */
        ok(page_accuracy(in, 0, "eurotext.txt") > 0.85, "page 1 is eurotext");
        ok(page_accuracy(in, 1, "phototest.txt") > 0.95, "page 2 is phototest");
        ok(page_accuracy(in, 1, "eurotext.txt") < 0.5, "page 2 is not eurotext");
        ok(page_accuracy(in, 2, "eurotext.txt") > 0.85, "page 3 is eurotext");
        eng_pdfin_close(in);
    }

    /* libqpdf: a sound file, classic xref table, no object streams; the document information. */
    qpdf_data q = qpdf_init();
    qpdf_silence_errors(q);
    qpdf_set_suppress_warnings(q, QPDF_TRUE);
    int read =
        out != NULL && !(qpdf_read_memory(q, "merged", (const char *)out, out_len, NULL) & QPDF_ERRORS);
    ok(read && !(qpdf_check_pdf(q) & (QPDF_ERRORS | QPDF_WARNINGS)), "qpdf checks it without a warning");
    ok(out != NULL && !contains(out, out_len, "/ObjStm") && !contains(out, out_len, "/XRef") &&
           contains(out, out_len, "\nxref\n"),
       "no object streams, a classic cross-reference table");
    if (read) {
        is_str(info_value(q, "/Title"), "Prüfbericht", "Title (UTF-8 round trip)");
        is_str(info_value(q, "/Author"), "Zoë Author", "Author");
        is_str(info_value(q, "/Subject"), "OCR test", "Subject");
        is_str(info_value(q, "/Keywords"), "quick, brown", "Keywords");
        const char *v = info_value(q, "/Producer");
        ok(strstr(v, "Tesseract 5") != NULL && strstr(v, "ocrgate") != NULL, "Producer: %s", v);
        v = info_value(q, "/CreationDate");
        ok(strncmp(v, "D:20", 4) == 0, "CreationDate: %s", v);
    }
    qpdf_cleanup(&q);
    free(out);

    /* No metadata: only Producer and CreationDate. */
    out = NULL;
    ok(eng_pdf_merge(parts, 1, NULL, &out, &out_len, err, sizeof(err)) == 0, "one part, no metadata");
    q = qpdf_init();
    qpdf_silence_errors(q);
    if (out != NULL && !(qpdf_read_memory(q, "merged", (const char *)out, out_len, NULL) & QPDF_ERRORS)) {
        is_int(qpdf_get_num_pages(q), 1, "one page");
        is_str(info_value(q, "/Title"), "", "no Title");
        ok(strstr(info_value(q, "/Producer"), "ocrgate") != NULL, "Producer");
    } else {
        ok(0, "the one-part merge reads back");
    }
    qpdf_cleanup(&q);
    free(out);

    /* A part that is not a PDF fails the merge with a sentence; so does an empty list. */
    const char junk[] = "%PDF-1.5\nnot really a pdf";
    eng_pdf_part_t bad[2] = {{one[1], len[1]}, {(const unsigned char *)junk, sizeof(junk) - 1}};
    out = (unsigned char *)"x";
    ok(eng_pdf_merge(bad, 2, &meta, &out, &out_len, err, sizeof(err)) != 0 && out == NULL && out_len == 0 &&
           strstr(err, "page PDF 2") != NULL && strstr(err, "page PDF 2: page PDF 2") == NULL,
       "a broken part fails: %s", err);
    ok(eng_pdf_merge(parts, 0, &meta, &out, &out_len, err, sizeof(err)) != 0 && out == NULL,
       "no part fails: %s", err);

    for (int i = 0; i < 3; ++i)
        free(one[i]);
    eng_ocr_destroy(ocr);
    return done_testing();
}
