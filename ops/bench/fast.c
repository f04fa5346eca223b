/*
 * bench_fast IMAGE [TRUTH] [ROUNDS]: what the job option fastMode buys, against the same page without it, in
 * the same run.
 *
 * Runs page 1 of IMAGE through eng_page_process (decode, clean-up, recognition, text, JSON and hOCR: a job's
 * default page outputs) ROUNDS times (default 6) without and ROUNDS times with fastMode, alternating so that
 * both see the same load, after one untimed page that pays tesseract's Init. Prints pages/s by wall clock and
 * by the process's CPU time (steadier on a shared machine), the ratio of fastMode to the baseline, and, with
 * TRUTH (the ground-truth text), the character accuracy of both. Re-executes itself with OMP_THREAD_LIMIT=1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/eng_page.h"
#include "ops/bench/bench_page.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct {
    double wall, cpu, accuracy;
    int dpi;
} figures_t;

/* One page; adds its times to *f. -1 when the page failed. */
static int page(eng_ocr_t *ocr, const unsigned char *buf, size_t len, int fast, const char *truth,
                figures_t *f)
{
    eng_page_job_t job = {.max_pixels = 1LL << 31};
    eng_page_out_t out;
    job.ocr.skip = ENG_SKIP_TSV | ENG_SKIP_ALTO;
    job.restore.fast = fast;
    double w = clock_s(CLOCK_MONOTONIC), c = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    int rc = eng_page_process(ocr, buf, len, eng_sniff(buf, len), 0, &job, &out);
    f->wall += clock_s(CLOCK_MONOTONIC) - w;
    f->cpu += clock_s(CLOCK_PROCESS_CPUTIME_ID) - c;
    if (rc != ENG_OK) {
        fprintf(stderr, "bench: %s\n", out.err);
        eng_page_out_free(&out);
        return -1;
    }
    f->dpi = out.res.dpi;
    if (truth != NULL)
        f->accuracy = acc_accuracy(out.res.text, truth, NULL, NULL);
    eng_page_out_free(&out);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s IMAGE [TRUTH] [ROUNDS]\n", argv[0]);
        return 2;
    }
    if (bench_omp_single(argv) != 0)
        return 1;
    size_t len = 0, tlen = 0;
    unsigned char *buf = (unsigned char *)acc_read_file(argv[1], &len);
    char *truth = argc > 2 ? acc_read_file(argv[2], &tlen) : NULL;
    int rounds = argc > 3 ? atoi(argv[3]) : 6;
    if (buf == NULL || (argc > 2 && truth == NULL)) {
        fprintf(stderr, "bench: cannot read %s\n", buf == NULL ? argv[1] : argv[2]);
        return 1;
    }
    if (rounds < 1)
        rounds = 1;
    eng_ocr_t *ocr = eng_ocr_create(NULL, 1);
    figures_t warm, f[2];
    memset(&warm, 0, sizeof(warm));
    memset(f, 0, sizeof(f));
    int rc = page(ocr, buf, len, 0, NULL, &warm);
    for (int i = 0; rc == 0 && i < rounds; ++i)
        for (int fast = 0; fast < 2 && rc == 0; ++fast)
            rc = page(ocr, buf, len, fast, i == 0 ? truth : NULL, &f[fast]);
    if (rc == 0) {
        printf("%s, %s, %d pages each\n", argv[1], eng_version(), rounds);
        for (int fast = 0; fast < 2; ++fast) {
            printf("%-12s at %3d dpi: %5.2f pages/s wall, %5.2f pages/s CPU", fast ? "fastMode" : "baseline",
                   f[fast].dpi, rounds / f[fast].wall, rounds / f[fast].cpu);
            if (truth != NULL)
                printf(", accuracy %.2f%%", f[fast].accuracy * 100);
            printf("\n");
        }
        printf("fastMode / baseline: x%.2f wall, x%.2f CPU\n", f[0].wall / f[1].wall, f[0].cpu / f[1].cpu);
    }
    eng_ocr_destroy(ocr);
    free(buf);
    free(truth);
    return rc == 0 ? 0 : 1;
}
