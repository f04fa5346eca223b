/*
 * bench_ocr_engine IMAGE [N [THREADS]]: recognition throughput of the engine's warm C-API path.
 *
 * Decodes page 1 of IMAGE once, then runs N recognitions (eng, auto layout) on 1 thread and N on 2 threads
 * (THREADS "1" or "2": that pass only, the baselines ops/bench/ocr sets the API beside)
 * (N/2 each, one eng_ocr_t per thread, as the job workers do), after one untimed warm-up recognition per
 * recognizer (that one pays the ~150 ms Init). Each recognition also renders text, JSON and hOCR (a job's
 * default outputs); OCRGATE_BENCH_ALL_OUTPUTS=1 adds TSV and ALTO. OCRGATE_BENCH_PAGE_PATH=1 runs each
 * recognition the way a job worker runs its page instead (eng_page_process from the document's bytes: decode,
 * clean-up options none, recognition, the page image), which ops/bench/ocr sets between the warm engine and
 * the API to tell what the page's path beside recognition costs from what the service costs. Prints ms/page
 * and pages/s for each, plus
 * key=value lines that ops/bench/ocr-engine.sh parses to set the tesseract command line beside it in the same
 * run. Run with OMP_THREAD_LIMIT=1 in the environment (the bench re-executes itself with it when missing).
 *
 * bench_ocr_engine --line-image SCAN OUT.png writes the small line page the throughput benchmarks use beside
 * the full pages: three text lines of SCAN (tests/data/8087_054.3B.tif) scaled up into an 8 bpp gray 2640x420
 * page, the kind of image a phone or a screen capture gives (gray, anti-aliased), as opposed to a bilevel
 * scan.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <leptonica/allheaders.h>

#include "engine/eng_doc.h"
#include "engine/eng_ocr.h"
#include "engine/eng_page.h"
#include "ops/bench/bench_page.h"

typedef struct {
    PIX *pix;                 /* private copy: leptonica's reference counts are not atomic */
    const unsigned char *doc; /* the document's bytes (page path), shared read-only */
    size_t doc_len;
    int pages;
    int failed;
    eng_ocr_t *ocr;
} job_t;

static double clock_s(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_s(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

static int recognize(job_t *j)
{
    /* Default outputs of a job (text, json, hocr; pdf reuses the recognition): TSV and ALTO off unless
     * OCRGATE_BENCH_ALL_OUTPUTS=1. */
    const char *all = getenv("OCRGATE_BENCH_ALL_OUTPUTS");
    eng_page_opts_t opts = {.languages = "eng",
                            .psm = ENG_PSM_AUTO,
                            .skip = all != NULL && *all == '1' ? 0 : ENG_SKIP_TSV | ENG_SKIP_ALTO};
    const char *path = getenv("OCRGATE_BENCH_PAGE_PATH");
    if (path != NULL && *path == '1') {
        eng_page_job_t pj = {.ocr = opts, .want_image = 1};
        eng_page_out_t out;
        int rc = eng_page_process(j->ocr, j->doc, j->doc_len, eng_sniff(j->doc, j->doc_len), 0, &pj, &out);
        if (rc != ENG_OK)
            fprintf(stderr, "bench: the page failed: %s\n", out.err);
        eng_page_out_free(&out);
        return rc;
    }
    eng_page_result_t r;
    char err[256];
    int rc = eng_ocr_page(j->ocr, j->pix, 1, &opts, &r, err, sizeof(err));
    if (rc != ENG_OK)
        fprintf(stderr, "bench: recognition failed: %s\n", err);
    eng_page_result_free(&r);
    return rc;
}

static void *run(void *arg)
{
    job_t *j = arg;
    for (int i = 0; i < j->pages; ++i)
        if (recognize(j) != ENG_OK)
            j->failed++;
    return NULL;
}

/* The three full-width lines at the top of the first column of 8087_054.3B.tif (x 262..1262, y 588..738 at
 * 300 dpi), scaled 2.6x with interpolation on 8 bpp gray and centred on a white 2640x420 page. */
static int line_image(const char *scan, const char *out)
{
    PIX *page = bench_load_page(scan), *clip = NULL, *gray = NULL, *big = NULL, *canvas = NULL;
    int ret = 1;
    BOX *box = boxCreate(262, 588, 1000, 150);
    if (page == NULL || box == NULL || (clip = pixClipRectangle(page, box, NULL)) == NULL ||
        (gray = pixConvertTo8(clip, 0)) == NULL || (big = pixScaleGrayLI(gray, 2.6f, 2.6f)) == NULL ||
        (canvas = pixCreate(2640, 420, 8)) == NULL) {
        fprintf(stderr, "bench: cannot make the line image from %s\n", scan);
        goto Exit;
    }
    pixSetAllArbitrary(canvas, 255);
    pixRasterop(canvas, (2640 - pixGetWidth(big)) / 2, (420 - pixGetHeight(big)) / 2, pixGetWidth(big),
                pixGetHeight(big), PIX_SRC, big, 0, 0);
    pixSetResolution(canvas, 300, 300);
    if (pixWrite(out, canvas, IFF_PNG) != 0)
        fprintf(stderr, "bench: cannot write %s\n", out);
    else
        ret = 0;
Exit:
    boxDestroy(&box);
    pixDestroy(&page);
    pixDestroy(&clip);
    pixDestroy(&gray);
    pixDestroy(&big);
    pixDestroy(&canvas);
    return ret;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--line-image") == 0)
        return line_image(argv[2], argv[3]);
    if (argc < 2) {
        fprintf(stderr, "usage: %s IMAGE [N]\n", argv[0]);
        return 2;
    }
    if (bench_omp_single(argv) != 0)
        return 1;
    int n = argc > 2 ? atoi(argv[2]) : 20;
    if (n < 2)
        n = 2;
    int two_only = argc > 3 && strcmp(argv[3], "2") == 0, one_only = argc > 3 && strcmp(argv[3], "1") == 0;
    PIX *pix = bench_load_page(argv[1]);
    size_t doc_len = 0;
    unsigned char *doc = (unsigned char *)acc_read_file(argv[1], &doc_len);
    if (pix == NULL || doc == NULL)
        return 1;

    job_t jobs[2];
    double t0, init_ms, one, two;
    for (int i = 0; i < 2; ++i) {
        jobs[i] = (job_t){
            .pix = pixCopy(NULL, pix), .doc = doc, .doc_len = doc_len, .ocr = eng_ocr_create(NULL, 3)};
        t0 = now_s();
        if (recognize(&jobs[i]) != ENG_OK)
            return 1;
        init_ms = (now_s() - t0) * 1000;
        if (i == 0)
            printf("first recognition (Init + page): %.0f ms\n", init_ms);
    }

    jobs[0].pages = two_only ? 0 : n;
    t0 = now_s();
    run(&jobs[0]);
    one = now_s() - t0;

    pthread_t th[2];
    jobs[0].pages = one_only ? 0 : n / 2;
    jobs[1].pages = one_only ? 0 : n - n / 2;
    t0 = now_s();
    double cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (int i = 0; i < 2; ++i)
        pthread_create(&th[i], NULL, run, &jobs[i]);
    for (int i = 0; i < 2; ++i)
        pthread_join(th[i], NULL);
    two = now_s() - t0;
    double cpu2 = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    printf("image %s: %dx%d, %ld cores, %s\n", argv[1], pixGetWidth(pix), pixGetHeight(pix), cores,
           eng_version());
    if (!two_only)
        printf("C API warm, 1 thread : %3d pages in %7.2f s = %7.1f ms/page, %5.2f pages/s\n", n, one,
               one * 1000 / n, n / one);
    if (!one_only) {
        printf("C API warm, 2 threads: %3d pages in %7.2f s = %7.1f ms/page, %5.2f pages/s", n, two,
               two * 1000 / n, n / two);
        printf(two_only ? "\n" : " (x%.2f)\n", one / two);
    }
    if (!two_only)
        printf("capi1_ms_per_page=%.1f\ncapi1_pages_per_s=%.2f\n", one * 1000 / n, n / one);
    if (!one_only)
        printf("capi2_pages_per_s=%.2f\ncapi2_cpu_s_per_page=%.4f\n", n / two, cpu2 / n);
    int failed = jobs[0].failed + jobs[1].failed;
    for (int i = 0; i < 2; ++i) {
        eng_ocr_destroy(jobs[i].ocr);
        pixDestroy(&jobs[i].pix);
    }
    pixDestroy(&pix);
    free(doc);
    return failed != 0;
}
