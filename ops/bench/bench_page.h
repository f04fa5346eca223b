/*
 * What the engine benchmarks share: running with OMP_THREAD_LIMIT=1 and loading the page they measure.
 * Header-only, for the programs under ops/bench/ (single-threaded set-up, before any measurement).
 */
#ifndef OCRGATE_BENCH_PAGE_H
#define OCRGATE_BENCH_PAGE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <leptonica/allheaders.h>

#include "engine/eng_doc.h"
#include "tests/unit/engine/accuracy.h" /* acc_read_file */

/* Re-executes the program with OMP_THREAD_LIMIT=1 when it is missing; returns only when it is set (0), or -1
 * when the re-exec failed. */
static inline int bench_omp_single(char **argv)
{
    const char *omp = getenv("OMP_THREAD_LIMIT");
    if (omp != NULL && strcmp(omp, "1") == 0)
        return 0;
    /* Tesseract reads it when the process starts: setenv now would be too late for this process. */
    setenv("OMP_THREAD_LIMIT", "1", 1);
    execv("/proc/self/exe", argv);
    perror("bench: re-exec with OMP_THREAD_LIMIT=1");
    return -1;
}

/* Page 1 of the document at path, decoded; NULL (after a message on stderr) on failure. */
static inline PIX *bench_load_page(const char *path)
{
    size_t len = 0;
    char err[256] = "";
    unsigned char *buf = (unsigned char *)acc_read_file(path, &len);
    if (buf == NULL) {
        fprintf(stderr, "bench: cannot read %s\n", path);
        return NULL;
    }
    PIX *pix = eng_doc_decode_page(buf, len, eng_sniff(buf, len), 0, err, sizeof(err));
    free(buf);
    if (pix == NULL)
        fprintf(stderr, "bench: %s\n", err);
    return pix;
}

#endif
