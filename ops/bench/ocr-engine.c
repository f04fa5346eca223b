/*
 * bench_ocr_engine IMAGE [N]: recognition throughput of the engine's warm C-API path.
 *
 * Decodes page 1 of IMAGE once, then runs N recognitions (eng, auto layout) on 1 thread and N on 2 threads
 * (N/2 each, one eng_ocr_t per thread, as the job workers do), after one untimed warm-up recognition per
 * recognizer (that one pays the ~150 ms Init). Each recognition also renders text, JSON and hOCR (a job's
 * default outputs); OCRGATE_BENCH_ALL_OUTPUTS=1 adds TSV and ALTO. Prints ms/page and pages/s for each, plus
 * key=value lines that ops/bench/ocr-engine.sh parses to set the tesseract command line beside it in the same
 * run. Run with OMP_THREAD_LIMIT=1 in the environment (the bench re-executes itself with it when missing).
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
#include "ops/bench/bench_page.h"

typedef struct {
    PIX *pix; /* private copy: leptonica's reference counts are not atomic */
    int pages;
    int failed;
    eng_ocr_t *ocr;
} job_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int recognize(job_t *j)
{
    /* Default outputs of a job (text, json, hocr; pdf reuses the recognition): TSV and ALTO off unless
     * OCRGATE_BENCH_ALL_OUTPUTS=1. */
    const char *all = getenv("OCRGATE_BENCH_ALL_OUTPUTS");
    eng_page_opts_t opts = {.languages = "eng",
                            .psm = ENG_PSM_AUTO,
                            .skip = all != NULL && *all == '1' ? 0 : ENG_SKIP_TSV | ENG_SKIP_ALTO};
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

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s IMAGE [N]\n", argv[0]);
        return 2;
    }
    if (bench_omp_single(argv) != 0)
        return 1;
    int n = argc > 2 ? atoi(argv[2]) : 20;
    if (n < 2)
        n = 2;
    PIX *pix = bench_load_page(argv[1]);
    if (pix == NULL)
        return 1;

    job_t jobs[2];
    double t0, init_ms, one, two;
    for (int i = 0; i < 2; ++i) {
        jobs[i] = (job_t){.pix = pixCopy(NULL, pix), .ocr = eng_ocr_create(NULL, 3)};
        t0 = now_s();
        if (recognize(&jobs[i]) != ENG_OK)
            return 1;
        init_ms = (now_s() - t0) * 1000;
        if (i == 0)
            printf("first recognition (Init + page): %.0f ms\n", init_ms);
    }

    jobs[0].pages = n;
    t0 = now_s();
    run(&jobs[0]);
    one = now_s() - t0;

    pthread_t th[2];
    jobs[0].pages = n / 2;
    jobs[1].pages = n - n / 2;
    t0 = now_s();
    for (int i = 0; i < 2; ++i)
        pthread_create(&th[i], NULL, run, &jobs[i]);
    for (int i = 0; i < 2; ++i)
        pthread_join(th[i], NULL);
    two = now_s() - t0;

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    printf("image %s: %dx%d, %ld cores, %s\n", argv[1], pixGetWidth(pix), pixGetHeight(pix), cores,
           eng_version());
    printf("C API warm, 1 thread : %3d pages in %7.2f s = %7.1f ms/page, %5.2f pages/s\n", n, one,
           one * 1000 / n, n / one);
    printf("C API warm, 2 threads: %3d pages in %7.2f s = %7.1f ms/page, %5.2f pages/s (x%.2f)\n", n, two,
           two * 1000 / n, n / two, one / two);
    printf("capi1_ms_per_page=%.1f\ncapi1_pages_per_s=%.2f\ncapi2_pages_per_s=%.2f\n", one * 1000 / n,
           n / one, n / two);
    int failed = jobs[0].failed + jobs[1].failed;
    for (int i = 0; i < 2; ++i) {
        eng_ocr_destroy(jobs[i].ocr);
        pixDestroy(&jobs[i].pix);
    }
    pixDestroy(&pix);
    return failed != 0;
}
