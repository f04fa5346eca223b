/* unit.engine.lang: recognition with several languages at once. eurotext.tif mixes English, German and
 * French (and a little more); with "eng+deu+fra" its accented letters and umlauts come out right. Also checks
 * that the installed models are listed and a missing one is named. argv[1] = testdata dir. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>

#include "engine/eng_doc.h"
#include "engine/eng_ocr.h"
#include "engine/eng_ocr_internal.h"
#include "tests/unit/engine/accuracy.h"
#include "tests/unit/tap.h"

static const char *testdata = "tests/data";

static double eurotext(eng_ocr_t *ocr, const char *langs)
{
    char path[1024], err[256] = "";
    size_t len = 0;
    double a = -1;
    snprintf(path, sizeof(path), "%s/eurotext.tif", testdata);
    unsigned char *buf = (unsigned char *)acc_read_file(path, &len);
    snprintf(path, sizeof(path), "%s/eurotext.txt", testdata);
    char *truth = acc_read_file(path, NULL);
    struct Pix *pix =
        buf != NULL ? eng_doc_decode_page(buf, len, eng_sniff(buf, len), 0, err, sizeof(err)) : NULL;
    eng_page_opts_t po = {.languages = langs, .skip = ENG_SKIP_HOCR | ENG_SKIP_TSV | ENG_SKIP_ALTO};
    eng_page_result_t r;
    if (pix != NULL && truth != NULL && eng_ocr_page(ocr, pix, 1, &po, &r, err, sizeof(err)) == ENG_OK) {
        a = acc_accuracy(r.text, truth, NULL, NULL);
        eng_page_result_free(&r);
    }
    printf("# eurotext with %s: accuracy %.2f%% %s\n", langs, a * 100, err);
    pixDestroy(&pix);
    free(buf);
    free(truth);
    return a;
}

int main(int argc, char **argv)
{
    char err[256] = "";
    if (argc > 1)
        testdata = argv[1];
    eng_ocr_t *ocr = eng_ocr_create(NULL, 2);
    if (!ok(ocr != NULL, "setup"))
        return done_testing();

    static const char *const need[] = {"eng", "deu", "fra", "spa", "ita", "por", "nld"};
    for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); ++i)
        ok(eng__check_languages(NULL, need[i], err, sizeof(err)) == 0, "language %s installed %s", need[i],
           err);
    ok(eng__check_languages(NULL, "eng+deu+fra+spa+ita+por+nld", err, sizeof(err)) == 0, "all seven combine");

    double multi = eurotext(ocr, "eng+deu+fra");
    ok(multi >= 0.97, "eurotext with eng+deu+fra >= 97%% (%.2f%%)", multi * 100);
    double eng = eurotext(ocr, "eng");
    printf("# eng alone %.2f%%, eng+deu+fra %.2f%%\n", eng * 100, multi * 100);
    ok(multi >= eng, "the extra languages do not make it worse");

    eng_ocr_destroy(ocr);
    return done_testing();
}
