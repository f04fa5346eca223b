/* unit.engine.ocr: recognition with the real tesseract on the real test images, result shapes, whole-document
 * assembly, searchable PDF, deadline, cancel, confidence filter. argv[1] = testdata dir. */
#include "engine/eng_ocr.h"
#include "engine/eng_ocr_internal.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <leptonica/allheaders.h>

#include "engine/eng_doc.h"
#include "tests/unit/engine/accuracy.h"
#include "tests/unit/tap.h"

static const char *testdata = "tests/data";

static char *load(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", testdata, name);
    return acc_read_file(path, len);
}

static PIX *decode(const char *name)
{
    size_t len = 0;
    char err[256] = "";
    unsigned char *buf = (unsigned char *)load(name, &len);
    PIX *pix = NULL;
    if (buf != NULL)
        pix = eng_doc_decode_page(buf, len, eng_sniff(buf, len), 0, err, sizeof(err));
    free(buf);
    ok(pix != NULL, "%s decoded %s", name, err);
    return pix;
}

static double accuracy_vs(const char *got, const char *truth_file)
{
    size_t dist = 0, n = 0;
    char *truth = load(truth_file, NULL);
    double a = truth != NULL ? acc_accuracy(got, truth, &dist, &n) : -1;
    printf("# %s: accuracy %.2f%% (distance %zu over %zu chars)\n", truth_file, a * 100, dist, n);
    free(truth);
    return a;
}

/* Every word of the JSON page: inside the page, confidence 0..100, indices >= 0. Returns the word count or
 * -1 when the JSON is not the documented shape. */
static int check_json_page(const char *json, int page_no, int w, int h, int dpi)
{
    json_error_t jerr;
    json_t *root = json_loads(json, 0, &jerr), *words;
    int bad = 0, n = -1;
    if (!ok(root != NULL, "page JSON parses (%s)", root ? "ok" : jerr.text))
        return -1;
    is_int(json_integer_value(json_object_get(root, "page")), page_no, "json page");
    is_int(json_integer_value(json_object_get(root, "width")), w, "json width");
    is_int(json_integer_value(json_object_get(root, "height")), h, "json height");
    is_int(json_integer_value(json_object_get(root, "dpi")), dpi, "json dpi");
    ok(json_is_integer(json_object_get(root, "rotation")) &&
           json_is_real(json_object_get(root, "skewDegrees")) &&
           json_is_number(json_object_get(root, "confidence")),
       "json rotation, skewDegrees, confidence present");
    words = json_object_get(root, "words");
    if (ok(json_is_array(words), "json words is an array")) {
        size_t i;
        json_t *wd;
        json_array_foreach(words, i, wd)
        {
            json_t *box = json_object_get(wd, "box");
            const char *text = json_string_value(json_object_get(wd, "text"));
            double conf = json_number_value(json_object_get(wd, "confidence"));
            json_int_t x = json_integer_value(json_object_get(box, "x")),
                       y = json_integer_value(json_object_get(box, "y")),
                       bw = json_integer_value(json_object_get(box, "w")),
                       bh = json_integer_value(json_object_get(box, "h"));
            if (text == NULL || text[0] == '\0' || !json_is_number(json_object_get(wd, "confidence")) ||
                conf < 0 || conf > 100 || !json_is_object(box) || x < 0 || y < 0 || bw <= 0 || bh <= 0 ||
                x + bw > w || y + bh > h || json_integer_value(json_object_get(wd, "line")) < 0 ||
                json_integer_value(json_object_get(wd, "block")) < 0 ||
                !json_is_integer(json_object_get(wd, "line")) ||
                !json_is_integer(json_object_get(wd, "block"))) {
                if (bad++ < 3)
                    printf("#   bad word %zu: %s\n", i, json_dumps(wd, JSON_COMPACT));
            }
        }
        ok(bad == 0,
           "every word has text, confidence in 0..100, a box inside the page, line/block >= 0 (%d bad)", bad);
        n = (int)json_array_size(words);
    }
    json_decref(root);
    return n;
}

static int always_cancel(void *arg)
{
    ++*(int *)arg;
    return 1;
}

static int run_cmd_contains(const char *cmd, const char *needle)
{
    FILE *p = popen(cmd, "r");
    char buf[8192];
    size_t n;
    int found = 0;
    if (p == NULL)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, p);
    buf[n] = '\0';
    pclose(p);
    found = strstr(buf, needle) != NULL;
    if (!found)
        printf("#   output of %s:\n#   %.300s\n", cmd, buf);
    return found;
}

/* pdfinfo prints "Key:<spaces>value"; true when the key's line carries exactly that value. */
static int pdfinfo_has(const char *path, const char *key, const char *value)
{
    char cmd[1200], line[1024];
    int found = 0;
    snprintf(cmd, sizeof(cmd), "/usr/bin/pdfinfo '%s' 2>&1", path);
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return 0;
    while (fgets(line, sizeof(line), p) != NULL) {
        size_t kl = strlen(key), n = strlen(line);
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == ' '))
            line[--n] = '\0';
        if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
            const char *v = line + kl + 1;
            while (*v == ' ')
                ++v;
            found = strcmp(v, value) == 0;
            if (!found)
                printf("#   pdfinfo %s: '%s'\n", key, v);
        }
        if (strstr(line, "rror") != NULL) {
            printf("#   pdfinfo: %s\n", line);
            found = 0;
            break;
        }
    }
    pclose(p);
    return found;
}

static int dir_entries(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *de;
    if (d == NULL)
        return -1;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            ++n;
    closedir(d);
    return n;
}

/* A recognizer made on a thread of its own, as a job worker makes it: that thread's nice value before and
 * after. */
typedef struct {
    int before, after;
} nice_probe_t;

static void *make_on_thread(void *arg)
{
    nice_probe_t *p = arg;
    p->before = getpriority(PRIO_PROCESS, (id_t)gettid());
    eng_ocr_t *ocr = eng_ocr_create(NULL, 1);
    p->after = getpriority(PRIO_PROCESS, (id_t)gettid());
    eng_ocr_destroy(ocr);
    return NULL;
}

int main(int argc, char **argv)
{
    char err[256] = "";
    eng_page_result_t r1 = {0}, r2 = {0}, r = {0};
    eng_page_opts_t opts = {.languages = "eng", .psm = ENG_PSM_AUTO};
    int rc;

    if (argc > 1)
        testdata = argv[1];
    const char *omp = getenv("OMP_THREAD_LIMIT");
    ok(omp != NULL && strcmp(omp, "1") == 0, "OMP_THREAD_LIMIT=1 is set (ctest ENVIRONMENT)");

    ok(strncmp(eng_version(), "tesseract 5.", 12) == 0, "eng_version: %s", eng_version());
    ok(strncmp(eng_leptonica_version(), "leptonica 1.", 12) == 0, "eng_leptonica_version: %s",
       eng_leptonica_version());

    /* --- installed languages --- */
    {
        char **langs = NULL;
        int n = 0, has_eng = 0, has_osd = 0, sorted = 1;
        ok(eng_ocr_languages(NULL, &langs, &n) == 0 && n > 0, "eng_ocr_languages lists %d", n);
        for (int i = 0; i < n; ++i) {
            has_eng |= strcmp(langs[i], "eng") == 0;
            has_osd |= strcmp(langs[i], "osd") == 0;
            if (i > 0 && strcmp(langs[i - 1], langs[i]) > 0)
                sorted = 0;
        }
        ok(has_eng, "languages include eng");
        ok(!has_osd, "languages exclude osd");
        ok(sorted, "languages are sorted");
        eng_ocr_languages_free(langs, n);
        ok(eng_ocr_languages("/nonexistent-dir", &langs, &n) != 0, "missing tessdata dir fails");
        ok(eng__check_languages(NULL, "eng", err, sizeof(err)) == 0, "check eng");
        ok(eng__check_languages(NULL, "eng+eng", err, sizeof(err)) == 0, "check eng+eng");
        ok(eng__check_languages(NULL, "xyz", err, sizeof(err)) != 0 && strstr(err, "xyz") != NULL,
           "check xyz: %s", err);
        ok(eng__check_languages(NULL, "../eng", err, sizeof(err)) != 0, "check ../eng: %s", err);
        ok(eng__check_languages(NULL, "eng+", err, sizeof(err)) != 0, "check eng+: %s", err);
        ok(eng__check_languages(NULL, "osd", err, sizeof(err)) != 0, "check osd: %s", err);
        ok(eng__check_languages(NULL, "", err, sizeof(err)) != 0, "check empty: %s", err);
    }

    /* Recognition runs below the process's other threads (the event loops): the recognizer's thread is
     * lowered, and only that thread. */
    {
        nice_probe_t p = {0, 0};
        pthread_t th;
        int main_before = getpriority(PRIO_PROCESS, (id_t)gettid());
        ok(pthread_create(&th, NULL, make_on_thread, &p) == 0 && pthread_join(th, NULL) == 0,
           "recognizer made on its own thread");
        int want = p.before + ENG_OCR_NICE > 19 ? 19 : p.before + ENG_OCR_NICE;
        ok(p.after == want, "its thread's nice value went from %d to %d (want %d)", p.before, p.after, want);
        ok(getpriority(PRIO_PROCESS, (id_t)gettid()) == main_before, "the other threads keep theirs (%d)",
           main_before);
    }

    eng_ocr_t *ocr = eng_ocr_create(NULL, 2);
    if (!ok(ocr != NULL, "eng_ocr_create"))
        return done_testing();

    /* --- phototest: accuracy, shapes --- */
    PIX *photo = decode("phototest.tif");
    PIX *page2 = decode("8087_054.3B.tif");
    if (photo == NULL || page2 == NULL)
        return done_testing();
    rc = eng_ocr_page(ocr, photo, 1, &opts, &r1, err, sizeof(err));
    if (!ok(rc == ENG_OK, "phototest recognized (%s)", rc == ENG_OK ? "ok" : err))
        return done_testing();
    ok(accuracy_vs(r1.text, "phototest.txt") >= 0.99, "phototest accuracy >= 99%%");
    ok(strstr(r1.text, "quick brown dog") != NULL, "phototest text has 'quick brown dog'");
    ok(r1.width == 640 && r1.height == 480 && r1.dpi == 200, "result size 640x480 at 200 dpi");
    ok(r1.words > 40 && r1.confidence > 80 && r1.confidence <= 100, "%d words, mean confidence %.2f",
       r1.words, r1.confidence);
    ok(r1.engine_ms > 0, "engine_ms %ld", r1.engine_ms);
    is_int(check_json_page(r1.json, 1, 640, 480, 200), r1.words, "json word count == words");
    ok(strstr(r1.json, "\"line\":1") != NULL && strstr(r1.json, "\"block\":0") != NULL,
       "json has line 1 and block 0");
    ok(strstr(r1.hocr, "class='ocr_page'") != NULL && strstr(r1.hocr, "id='page_1'") != NULL &&
           strstr(r1.hocr, "ocrx_word") != NULL,
       "hocr fragment is page_1 with words");
    ok(strncmp(r1.tsv, "1\t1\t", 4) == 0 && strstr(r1.tsv, "\tquick") != NULL, "tsv rows start at page 1");
    ok(strstr(r1.alto, "<Page ") != NULL && strstr(r1.alto, "CONTENT=\"quick\"") != NULL,
       "alto page with words");

    /* --- 8087_054.3B: a 300 dpi multi-column scan, as page 2 --- */
    rc = eng_ocr_page(ocr, page2, 2, &opts, &r2, err, sizeof(err));
    if (ok(rc == ENG_OK, "8087_054.3B recognized (%s)", rc == ENG_OK ? "ok" : err)) {
        ok(accuracy_vs(r2.text, "8087_054.3B.txt") >= 0.90, "8087_054.3B accuracy >= 90%%");
        is_int(check_json_page(r2.json, 2, 2560, 3300, 300), r2.words, "page 2 json word count");
        ok(strstr(r2.json, "\"block\":1") != NULL, "multi-column page has several blocks");
        ok(strstr(r2.hocr, "id='page_2'") != NULL, "hocr fragment numbered page_2");
        ok(strncmp(r2.tsv, "1\t2\t", 4) == 0, "tsv numbered page 2");
    }

    /* --- whole-document assembly --- */
    {
        const char *hocrs[3] = {r1.hocr, NULL, r2.hocr}, *altos[2] = {r1.alto, r2.alto},
                   *tsvs[2] = {r1.tsv, r2.tsv}, *jsons[3] = {r1.json, NULL, r2.json},
                   *texts[2] = {r1.text, r2.text};
        char *h = eng_hocr_document(hocrs, 3, "scan <1> & \"co\""),
             *a = eng_alto_document(altos, 2, "scan.tif"), *t = eng_tsv_document(tsvs, 2),
             *j = eng_json_document(jsons, 3), *tx = eng_text_document(texts, 2);
        ok(h != NULL && strncmp(h, "<?xml", 5) == 0 && strstr(h, "<!DOCTYPE html") != NULL &&
               strstr(h, "<title>scan &lt;1&gt; &amp; &quot;co&quot;</title>") != NULL &&
               strstr(h, "id='page_2'") != NULL && strstr(h, "</body>\n</html>\n") != NULL,
           "hOCR document: XHTML head, escaped title, both pages, closed");
        ok(a != NULL && strncmp(a, "<?xml", 5) == 0 && strstr(a, "<alto xmlns=") != NULL &&
               strstr(a, "<fileName>scan.tif</fileName>") != NULL &&
               strstr(a, "</Layout>\n</alto>\n") != NULL,
           "ALTO document");
        ok(t != NULL && strncmp(t, "level\tpage_num\tblock_num", 24) == 0 && strstr(t, "\n1\t2\t") != NULL,
           "TSV document: header + both pages");
        json_error_t jerr;
        json_t *doc = j != NULL ? json_loads(j, 0, &jerr) : NULL;
        ok(doc != NULL && strcmp(json_string_value(json_object_get(doc, "engine")), eng_version()) == 0 &&
               json_array_size(json_object_get(doc, "pages")) == 2,
           "JSON document parses, engine + 2 pages (NULL page skipped)");
        json_decref(doc);
        ok(tx != NULL && strchr(tx, '\f') != NULL, "text document separates pages with form feed");
        char *empty = eng_json_document(NULL, 0);
        is_str(empty, "{\"engine\":\"tesseract 5.3.0\",\"pages\":[]}", "empty JSON document");
        free(empty);
        free(h);
        free(a);
        free(t);
        free(j);
        free(tx);
    }

    /* --- searchable PDF in a private temp dir (its document information: test_pdf_merge.c) --- */
    {
        char tmpd[] = "/tmp/ocrgate-test-ocr-XXXXXX";
        ok(mkdtemp(tmpd) != NULL, "private TMPDIR");
        setenv("TMPDIR", tmpd, 1);
        eng_pdf_t *pdf = eng_pdf_begin(ocr, "eng", err, sizeof(err));
        if (ok(pdf != NULL, "eng_pdf_begin (%s)", pdf ? "ok" : err)) {
            /* While open: one private dir (0700) holding one 0600 file. */
            DIR *d = opendir(tmpd);
            struct dirent *de;
            int checked = 0;
            while (d != NULL && (de = readdir(d)) != NULL) {
                if (de->d_name[0] == '.')
                    continue;
                char sub[512], f[600];
                struct stat st, fst;
                snprintf(sub, sizeof(sub), "%s/%s", tmpd, de->d_name);
                snprintf(f, sizeof(f), "%s/out.pdf", sub);
                checked = stat(sub, &st) == 0 && (st.st_mode & 0777) == 0700 && stat(f, &fst) == 0 &&
                          (fst.st_mode & 0777) == 0600;
            }
            if (d != NULL)
                closedir(d);
            ok(checked, "renderer writes into a 0700 dir, file mode 0600");

            ok(eng_pdf_add_last_page(pdf, err, sizeof(err)) == 0, "add page (8087 recognized last)");
            eng_page_result_free(&r);
            rc = eng_ocr_page(ocr, photo, 2, &opts, &r, err, sizeof(err));
            ok(rc == ENG_OK && eng_pdf_add_last_page(pdf, err, sizeof(err)) == 0,
               "recognize + add phototest");
            ok(eng_pdf_add_last_page(pdf, err, sizeof(err)) == 0, "adding the same page twice is allowed");
            unsigned char *bytes = NULL;
            size_t len = 0;
            ok(eng_pdf_end(pdf, &bytes, &len, err, sizeof(err)) == 0 && bytes != NULL, "eng_pdf_end (%s)",
               err);
            ok(len > 5 && memcmp(bytes, "%PDF-", 5) == 0, "PDF bytes start with %%PDF- (%zu bytes)", len);
            is_int(dir_entries(tmpd), 0, "temp dir and file removed after end");
            if (bytes != NULL && access("/usr/bin/pdftotext", X_OK) == 0) {
                char path[600], cmd[1400];
                snprintf(path, sizeof(path), "%s/check.pdf", tmpd);
                FILE *fp = fopen(path, "wb");
                fwrite(bytes, 1, len, fp);
                fclose(fp);
                snprintf(cmd, sizeof(cmd), "/usr/bin/pdftotext -f 2 -l 2 '%s' - 2>&1", path);
                ok(run_cmd_contains(cmd, "quick brown"), "pdftotext finds 'quick brown' on page 2");
                ok(pdfinfo_has(path, "Pages", "3"), "pdfinfo: 3 pages, no syntax error");
                unlink(path);
            } else {
                ok(1, "# SKIP pdftotext not installed");
            }
            free(bytes);
        }
        /* Begin and abort: nothing left behind. */
        pdf = eng_pdf_begin(ocr, "eng", err, sizeof(err));
        ok(pdf != NULL, "a second PDF begins");
        unsigned char *bytes = NULL;
        size_t len = 0;
        ok(eng_pdf_end(pdf, &bytes, &len, err, sizeof(err)) != 0 && bytes == NULL,
           "a PDF without pages fails: %s", err);
        pdf = eng_pdf_begin(ocr, "eng", err, sizeof(err));
        eng_pdf_abort(pdf);
        is_int(dir_entries(tmpd), 0, "abort removes the temp dir");
        pdf = eng_pdf_begin(ocr, "xyz", err, sizeof(err));
        ok(pdf == NULL, "PDF with an uninstalled language fails: %s", err);
        rmdir(tmpd);
        unsetenv("TMPDIR");
    }

    /* --- deadline, cancel: status, nothing kept --- */
    {
        eng_page_opts_t o = opts;
        o.timeout_ms = 1;
        eng_page_result_free(&r);
        rc = eng_ocr_page(ocr, page2, 1, &o, &r, err, sizeof(err));
        is_int(rc, ENG_TIMEOUT, "timeout 1 ms -> ENG_TIMEOUT");
        ok(r.text == NULL && r.json == NULL && r.hocr == NULL && r.words == 0,
           "timed-out result is empty (%s)", err);
        eng_pdf_t *pdf = eng_pdf_begin(ocr, "eng", err, sizeof(err));
        ok(pdf != NULL && eng_pdf_add_last_page(pdf, err, sizeof(err)) != 0,
           "a timed-out page cannot be added to a PDF: %s", err);
        eng_pdf_abort(pdf);

        int calls = 0;
        o.timeout_ms = 0;
        o.cancel = always_cancel;
        o.cancel_arg = &calls;
        rc = eng_ocr_page(ocr, photo, 1, &o, &r, err, sizeof(err));
        is_int(rc, ENG_CANCELED, "cancel callback returning 1 -> ENG_CANCELED");
        ok(calls > 0 && r.text == NULL && r.json == NULL, "cancel was polled (%d), result empty", calls);

        /* Recognizer still good after interruptions. */
        o.cancel = NULL;
        rc = eng_ocr_page(ocr, photo, 1, &o, &r, err, sizeof(err));
        ok(rc == ENG_OK && strstr(r.text, "quick brown") != NULL,
           "recognizer works after timeout and cancel");
    }

    /* --- confidence filter --- */
    {
        eng_page_opts_t o = opts;
        o.min_confidence = 101;
        eng_page_result_free(&r);
        rc = eng_ocr_page(ocr, photo, 1, &o, &r, err, sizeof(err));
        ok(rc == ENG_OK && r.words == 0 && strcmp(r.text, "") == 0 &&
               strstr(r.json, "\"words\":[]") != NULL && r.confidence == 0,
           "min_confidence 101 drops every word from text and json");
        eng_page_result_free(&r);
        o.min_confidence = 100;
        rc = eng_ocr_page(ocr, photo, 1, &o, &r, err, sizeof(err));
        ok(rc == ENG_OK && r.words < r1.words, "min_confidence 100 drops words (%d of %d kept)", r.words,
           r1.words);
        eng_page_result_free(&r);
        o.min_confidence = 50;
        rc = eng_ocr_page(ocr, photo, 1, &o, &r, err, sizeof(err));
        ok(rc == ENG_OK && r.words <= r1.words && r.words > r1.words / 2,
           "min_confidence 50 keeps most words (%d)", r.words);
        ok(rc == ENG_OK && accuracy_vs(r.text, "phototest.txt") >= 0.97,
           "text rebuilt from filtered words keeps the reading order");
        ok(rc == ENG_OK && r.confidence >= r1.confidence, "mean confidence over kept words %.2f >= %.2f",
           r.confidence, r1.confidence);
    }

    /* --- other modes, no resolution, LRU of language sets --- */
    {
        eng_page_opts_t o = opts;
        PIX *nores = pixCopy(NULL, photo);
        pixSetXRes(nores, 0); /* pixSetResolution ignores values <= 0 */
        pixSetYRes(nores, 0);
        eng_page_result_free(&r);
        o.dpi = 0;
        rc = eng_ocr_page(ocr, nores, 1, &o, &r, err, sizeof(err));
        ok(rc == ENG_OK && r.dpi == 300, "image without dpi: assumed 300 (%d)", r.dpi);
        eng_page_result_free(&r);
        o.dpi = 150;
        rc = eng_ocr_page(ocr, nores, 1, &o, &r, err, sizeof(err));
        ok(rc == ENG_OK && r.dpi == 150 && strstr(r.json, "\"dpi\":150") != NULL,
           "opts.dpi used when none (%d)", r.dpi);
        eng_page_result_free(&r);
        o.psm = ENG_PSM_SINGLE_BLOCK;
        o.rotation = 90;
        o.skew_degrees = -1.25;
        rc = eng_ocr_page(ocr, photo, 1, &o, &r, err, sizeof(err));
        ok(rc == ENG_OK && strstr(r.text, "quick brown") != NULL, "single_block mode");
        ok(rc == ENG_OK && strstr(r.json, "\"rotation\":90") != NULL &&
               strstr(r.json, "\"skewDegrees\":-1.25") != NULL,
           "rotation and skew echoed into json");
        eng_page_result_free(&r);
        o.psm = ENG_PSM_SPARSE;
        rc = eng_ocr_page(ocr, photo, 1, &o, &r, err, sizeof(err));
        ok(rc == ENG_OK && r.words > 0, "sparse mode");
        eng_page_result_free(&r);
        o.psm = ENG_PSM_SINGLE_COLUMN;
        rc = eng_ocr_page(ocr, photo, 1, &o, &r, err, sizeof(err));
        ok(rc == ENG_OK && r.words > 0, "single_column mode");
        eng_page_result_free(&r);
        o.skip = ENG_SKIP_TSV | ENG_SKIP_ALTO;
        rc = eng_ocr_page(ocr, photo, 1, &o, &r, err, sizeof(err));
        ok(rc == ENG_OK && r.tsv == NULL && r.alto == NULL && r.hocr != NULL && r.json != NULL &&
               r.text != NULL,
           "skip TSV and ALTO: those are NULL, the rest present");
        pixDestroy(&nores);

        /* An RGBA page: the caller's Pix keeps its alpha channel (tesseract would strip it in place). */
        PIX *rgba = pixConvertTo32(photo);
        pixSetSpp(rgba, 4);
        pixSetComponentArbitrary(rgba, L_ALPHA_CHANNEL, 255); /* opaque */
        PIX *before = pixCopy(NULL, rgba);
        eng_page_result_free(&r);
        rc = eng_ocr_page(ocr, rgba, 1, &opts, &r, err, sizeof(err));
        int same = 0;
        pixEqual(rgba, before, &same);
        ok(rc == ENG_OK && strstr(r.text, "quick brown") != NULL, "RGBA page recognized (rc %d)", rc);
        ok(pixGetSpp(rgba) == 4 && same, "caller's RGBA Pix untouched (spp %d, same %d)", pixGetSpp(rgba),
           same);
        pixDestroy(&rgba);
        pixDestroy(&before);

        eng_ocr_t *small = eng_ocr_create(NULL, 1);
        eng_page_opts_t a = opts, b = opts;
        b.languages = "eng+eng";
        eng_page_result_free(&r);
        eng_pdf_t *pin = NULL;
        int good = eng_ocr_page(small, photo, 1, &a, &r, err, sizeof(err)) == ENG_OK;
        pin = eng_pdf_begin(small, "eng", err, sizeof(err)); /* pins the eng instance */
        eng_page_result_free(&r);
        good =
            good && eng_ocr_page(small, photo, 1, &b, &r, err, sizeof(err)) == ENG_OK; /* would evict eng */
        eng_page_result_free(&r);
        good = good && eng_ocr_page(small, photo, 1, &a, &r, err, sizeof(err)) == ENG_OK;
        ok(good && pin != NULL && eng_pdf_add_last_page(pin, err, sizeof(err)) == 0,
           "LRU of 1 with a pinned instance: eng, eng+eng, eng again, PDF page added");
        eng_pdf_abort(pin);
        eng_page_result_free(&r);
        good = eng_ocr_page(small, photo, 1, &b, &r, err, sizeof(err)) == ENG_OK;
        eng_page_result_free(&r);
        good = good && eng_ocr_page(small, photo, 1, &a, &r, err, sizeof(err)) == ENG_OK;
        ok(good, "LRU of 1 alternating language sets");
        eng_page_result_free(&r);
        b.languages = "xyz";
        rc = eng_ocr_page(small, photo, 1, &b, &r, err, sizeof(err));
        ok(rc == ENG_ERR && r.text == NULL && strstr(err, "xyz") != NULL, "uninstalled language: %s", err);
        eng_ocr_destroy(small);
    }

    /* --- eurotext (several languages, eng model only) --- */
    {
        PIX *euro = decode("eurotext.tif");
        eng_page_result_free(&r);
        if (euro != NULL && eng_ocr_page(ocr, euro, 1, &opts, &r, err, sizeof(err)) == ENG_OK)
            ok(accuracy_vs(r.text, "eurotext.txt") >= 0.95, "eurotext accuracy >= 95%% with eng alone");
        pixDestroy(&euro);
    }

    eng_page_result_free(&r);
    ok(eng_ocr_page(ocr, NULL, 1, &opts, &r, err, sizeof(err)) == ENG_ERR, "NULL pix -> ENG_ERR");
    {
        PIX *wide = pixCreate(ENG_MAX_SIDE + 1, 8, 1);
        ok(eng_ocr_page(ocr, wide, 1, &opts, &r, err, sizeof(err)) == ENG_ERR && strstr(err, "32767") != NULL,
           "page wider than %d px refused: %s", ENG_MAX_SIDE, err);
        pixDestroy(&wide);
    }
    eng_page_result_free(&r);
    eng_page_result_free(&r1);
    eng_page_result_free(&r2);
    pixDestroy(&photo);
    pixDestroy(&page2);
    eng_ocr_destroy(ocr);
    return done_testing();
}
