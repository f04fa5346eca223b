/*
 * libFuzzer target for format sniffing and page probing (eng_sniff, eng_doc_probe): any bytes as an upload.
 * PDF bytes are only sniffed (poppler opens them in the worker, not at upload). Invariants: a probe that
 * succeeds reports at least one page and positive sizes; one that fails reports no pages and a sentence;
 * a small probed page decodes no larger than probed (or not at all).
 */
#include <stdint.h>
#include <stdlib.h>

#include <leptonica/allheaders.h>

#include "engine/eng_doc.h"
#include "engine/eng_sniff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eng_format_t fmt = eng_sniff(data, size);
    if (fmt == ENG_FMT_UNKNOWN || fmt == ENG_FMT_PDF)
        return 0;
    eng_page_info_t *infos = NULL;
    int n = -1;
    char err[256] = "";
    int rc = eng_doc_probe(data, size, fmt, 8, &n, &infos, err, sizeof(err));
    if (rc != ENG_DOC_OK) {
        if (infos != NULL || err[0] == '\0')
            abort();
        return 0;
    }
    if (n < 1 || n > 8 || infos == NULL)
        abort();
    for (int i = 0; i < n; ++i) {
        if (infos[i].width < 1 || infos[i].height < 1)
            abort();
        /* Decoding is what a probe protects; only small pages, so that the fuzzer stays fast. */
        if (i < 2 && (long long)infos[i].width * infos[i].height <= 1 << 20) {
            PIX *pix = eng_doc_decode_page(data, size, fmt, i, err, sizeof(err));
            if (pix != NULL && (pixGetWidth(pix) > infos[i].width || pixGetHeight(pix) > infos[i].height))
                abort();
            pixDestroy(&pix);
        }
    }
    free(infos);
    return 0;
}
