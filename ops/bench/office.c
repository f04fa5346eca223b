/*
 * bench_office IMAGE [PAGES] [ROUNDS]: what each office output costs per page, against the text output (the
 * join of the page texts, eng_text_document) and against a warm recognition of the same page, measured in
 * the same run.
 *
 * Recognizes page 1 of IMAGE warm (one untimed recognition pays Init first; then ROUNDS timed ones, default
 * 5), takes its text and its page PNG (eng_image_png, which the worker makes for the page images anyway), and
 * builds a document of PAGES copies (default 20). Each writer (and the text join) then writes that document
 * ROUNDS times; the figure is wall time per page. Prints ms/page, the ratio to the text join, and the share
 * of a page's recognition time each output adds. Run with OMP_THREAD_LIMIT=1 (the bench re-executes itself
 * with it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <leptonica/allheaders.h>

#include "engine/eng_doc.h"
#include "engine/eng_image.h"
#include "engine/eng_ocr.h"
#include "engine/eng_office.h"
#include "ops/bench/bench_page.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s IMAGE [PAGES] [ROUNDS]\n", argv[0]);
        return 2;
    }
    if (bench_omp_single(argv) != 0)
        return 1;
    int pages = argc > 2 ? atoi(argv[2]) : 20, rounds = argc > 3 ? atoi(argv[3]) : 5;
    if (pages < 1)
        pages = 1;
    if (rounds < 1)
        rounds = 1;
    char err[256] = "";
    PIX *pix = bench_load_page(argv[1]);
    if (pix == NULL)
        return 1;

    /* Warm recognition: the job's default outputs (text, json, hocr), as the worker runs it. */
    eng_ocr_t *ocr = eng_ocr_create(NULL, 1);
    eng_page_opts_t opts = {.languages = "eng", .skip = ENG_SKIP_TSV | ENG_SKIP_ALTO};
    eng_page_result_t r = {0};
    double t0, ocr_ms = 0;
    for (int i = 0; i <= rounds; ++i) {
        eng_page_result_free(&r);
        t0 = now_s();
        if (eng_ocr_page(ocr, pix, 1, &opts, &r, err, sizeof(err)) != ENG_OK) {
            fprintf(stderr, "bench: recognition failed: %s\n", err);
            return 1;
        }
        if (i > 0) /* the first one pays Init */
            ocr_ms += (now_s() - t0) * 1000;
    }
    ocr_ms /= rounds;
    unsigned char *png = NULL;
    size_t png_len = 0;
    if (eng_image_png(pix, 0, 0, &png, &png_len, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench: %s\n", err);
        return 1;
    }

    eng_office_page_t *pg = calloc((size_t)pages, sizeof(*pg));
    const char **texts = calloc((size_t)pages, sizeof(*texts));
    for (int i = 0; i < pages; ++i) {
        pg[i] = (eng_office_page_t){.page_no = i + 1, .text = r.text, .png = png, .png_len = png_len};
        texts[i] = r.text;
    }
    eng_office_doc_t doc = {.pages = pg,
                            .npages = pages,
                            .languages = "eng",
                            .meta = {.title = "Benchmark", .author = "ocrgate"},
                            .identifier = "urn:uuid:00000000-0000-4000-8000-000000000000",
                            .modified = 1780000000};

    /* The baseline: the text output's join. */
    t0 = now_s();
    size_t text_bytes = 0;
    for (int i = 0; i < rounds; ++i) {
        char *t = eng_text_document(texts, pages);
        text_bytes = t != NULL ? strlen(t) : 0;
        free(t);
    }
    double text_ms = (now_s() - t0) * 1000 / rounds / pages;

    printf("image %s: %dx%d, %zu characters of text, page PNG %zu bytes; %d pages x %d rounds; %s\n", argv[1],
           pixGetWidth(pix), pixGetHeight(pix), strlen(r.text), png_len, pages, rounds, eng_version());
    printf("warm recognition      : %9.3f ms/page\n", ocr_ms);
    printf("text (join, baseline) : %9.4f ms/page  %8zu bytes            %6.3f %% of recognition\n", text_ms,
           text_bytes, text_ms / ocr_ms * 100);
    const struct {
        const char *name;
        eng_office_writer_t write;
    } writers[] = {{"docx", eng_docx_write},
                   {"odt", eng_odt_write},
                   {"rtf", eng_rtf_write},
                   {"epub", eng_epub_write},
                   {"mht", eng_mht_write}};
    int failed = 0;
    for (size_t w = 0; w < sizeof(writers) / sizeof(writers[0]); ++w) {
        size_t bytes = 0;
        t0 = now_s();
        for (int i = 0; i < rounds; ++i) {
            unsigned char *out = NULL;
            if (writers[w].write(&doc, &out, &bytes, err, sizeof(err)) != 0) {
                fprintf(stderr, "bench: %s: %s\n", writers[w].name, err);
                failed = 1;
            }
            free(out);
        }
        double ms = (now_s() - t0) * 1000 / rounds / pages;
        printf("%-22s: %9.4f ms/page  %8zu bytes  x%7.1f text  %6.3f %% of recognition\n", writers[w].name,
               ms, bytes, ms / text_ms, ms / ocr_ms * 100);
    }
    free(pg);
    free(texts);
    free(png);
    eng_page_result_free(&r);
    eng_ocr_destroy(ocr);
    pixDestroy(&pix);
    return failed;
}
