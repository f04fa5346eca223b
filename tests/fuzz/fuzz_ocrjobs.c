/*
 * libFuzzer target for the ownOCR surface's options mapping (gateway/compat/cx_ocrjobs_opts.c): the input is
 * a JSON job object as a client sends it to create or setoptions. Beyond "no crash, no leak, no UB" it checks
 * that a refusal is a printable UTF-8 sentence, and that what the mapping produces and v1 accepts reads back
 * as a job object that maps again to the same v1 options (a job object read back can be sent again).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/compat/cx_ocrjobs_map.h"
#include "gateway/gw_options.h"

static const char *const fuzz_ocrjobs_langs[] = {"eng", "deu", "fra"};
static const gw_opt_limits_t fuzz_ocrjobs_lim = {30, 60000, fuzz_ocrjobs_langs, 3};

/* Maps a job object to v1 options and normalizes them; NULL when either step refuses. */
static json_t *fuzz_ocrjobs_normalized(const json_t *in)
{
    char err[256] = "";
    json_t *v1 = json_object(), *norm = NULL;
    if (cx_opts_to_v1(in, NULL, 30, v1, err, sizeof(err)) != 0) {
        json_t *m = json_string(err); /* NULL when the sentence is not UTF-8 */
        if (err[0] == '\0' || m == NULL)
            abort();
        json_decref(m);
        json_decref(v1);
        return NULL;
    }
    gw_opt_error_t oe;
    memset(&oe, 0, sizeof(oe));
    if (gw_options_from_object(v1, NULL, NULL, &fuzz_ocrjobs_lim, &norm, NULL, &oe) != 0)
        norm = NULL;
    gw_opt_error_clear(&oe);
    json_decref(v1);
    return norm;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(in)) {
        json_decref(in);
        return 0;
    }
    json_t *norm = fuzz_ocrjobs_normalized(in);
    if (norm != NULL) {
        /* cx_job_object shows these two beside the options. */
        json_t *job = json_pack("{s:O,s:O}", "Descr", json_object_get(norm, "description"), "CorrelationId",
                                json_object_get(norm, "correlationId"));
        cx_opts_from_v1(norm, job);
        json_t *again = fuzz_ocrjobs_normalized(job);
        if (again == NULL || !json_equal(again, norm))
            abort();
        json_decref(again);
        json_decref(job);
        json_decref(norm);
    }
    json_decref(in);
    return 0;
}
