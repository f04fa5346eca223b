/*
 * libFuzzer target for gw_options: the first byte picks the input's form (JSON text or query string) and
 * whether a base object is used; the rest is the input. Beyond "no crash, no leak, no UB" it checks that a
 * success is a complete, valid options object that reads back as itself, and that a failure is a well-formed
 * API error (a printable message, UTF-8 that jansson accepts, details that are an array).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gw_options.h"
#include "gateway/gw_query.h"
#include "jobs/job_opts.h"

static const char *const fuzz_options_langs[] = {"eng", "deu", "fra", "chi_sim"};
static const gw_opt_limits_t fuzz_options_lim = {30, 60000, fuzz_options_langs, 4};
static const char *const fuzz_options_extra[] = {"name", NULL};
static const char *const fuzz_options_skip[] = {"template", NULL};

static void fuzz_options_check_error(const gw_opt_error_t *err)
{
    if (err->status != 400 || err->code == NULL || err->message[0] == '\0')
        abort();
    if (err->details != NULL && !json_is_array(err->details))
        abort();
    json_t *m = json_string(err->message); /* NULL when the message is not UTF-8 */
    if (m == NULL)
        abort();
    json_decref(m);
}

static void fuzz_options_check_ok(json_t *out)
{
    gw_opt_error_t err;
    json_t *again = NULL;
    if (!json_is_object(out) || json_object_size(out) != JOB_OPT_COUNT)
        abort();
    /* The normalized object is a valid input that normalizes to itself. */
    char *text = json_dumps(out, JSON_COMPACT);
    if (text == NULL)
        abort();
    if (gw_options_from_json(text, strlen(text), NULL, NULL, &fuzz_options_lim, &again, NULL, &err) != 0 ||
        !json_equal(out, again))
        abort();
    json_decref(again);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    json_t *base = NULL, *out = NULL, *extra = NULL;
    gw_opt_error_t err;
    int r;

    if (mode & 2)
        base = json_pack("{s:s,s:[s],s:i,s:s,s:i}", "languages", "deu", "outputs", "pdf", "retentionDays", 14,
                         "description", "template", "dpi", 200);
    if (mode & 1) {
        gw_query_t q;
        char qerr[256];
        if (gw_query_parse(text, len, &q, qerr, sizeof(qerr)) != 0) {
            json_decref(base);
            return 0;
        }
        r = gw_options_from_query(&q, fuzz_options_skip, base, &fuzz_options_lim, &out, &err);
        gw_query_free(&q);
    } else {
        r = gw_options_from_json(text, len, fuzz_options_extra, base, &fuzz_options_lim, &out,
                                 (mode & 4) ? &extra : NULL, &err);
    }
    if (r == 0) {
        fuzz_options_check_ok(out);
        if ((mode & 5) == 4 && !json_is_object(extra))
            abort();
    } else {
        fuzz_options_check_error(&err);
        gw_opt_error_clear(&err);
    }
    json_decref(out);
    json_decref(extra);
    json_decref(base);
    return 0;
}
