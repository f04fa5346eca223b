#include "gateway/gw_options.h"
#include "engine/eng_format.h"
#include "gateway/gw_opt_value.h"
#include "jobs/job_opts.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define NROWS JOB_OPT_COUNT
static const job_opt_row_t *const rows = job_opt_table;

static int fail(gw_opt_error_t *err, int status, const char *code, json_t *details, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int fail(gw_opt_error_t *err, int status, const char *code, json_t *details, const char *fmt, ...)
{
    va_list ap;
    err->status = status;
    err->code = code;
    err->details = details;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return -1;
}

static int fail_oom(gw_opt_error_t *err, json_t *details)
{
    json_decref(details);
    return fail(err, 500, "InternalError", NULL, "out of memory while reading the options");
}

/* Assembles the result: for every option the given value, else the base's, else the default. `given[i]` are
 * new references (JSON null for "reset") or NULL; they are released here. */
static int assemble(json_t **given, const json_t *base, const gw_opt_limits_t *lim, json_t **out)
{
    json_t *o = json_object();
    int ret = -1;
    if (o == NULL)
        goto Exit;
    for (size_t i = 0; i < NROWS; ++i) {
        json_t *v = given[i];
        given[i] = NULL;
        if (v == NULL && json_is_object(base)) {
            const json_t *b = json_object_get(base, rows[i].name);
            if (b != NULL && !json_is_null(b))
                v = json_deep_copy(b);
        }
        if (v == NULL || json_is_null(v)) {
            json_decref(v);
            v = gw__opt_default(&rows[i], lim);
        }
        if (json_object_set_new(o, rows[i].name, v) != 0)
            goto Exit;
    }
    *out = o;
    o = NULL;
    ret = 0;
Exit:
    for (size_t i = 0; i < NROWS; ++i)
        json_decref(given[i]);
    json_decref(o);
    return ret;
}

/* The UnrecognizedInput error for the names in `unknown` (an array of strings, consumed). */
static int fail_unknown(gw_opt_error_t *err, json_t *unknown)
{
    json_t *details = json_array();
    size_t i;
    json_t *n;
    char first[256] = "", e[44];
    if (details == NULL) {
        json_decref(unknown);
        return fail_oom(err, NULL);
    }
    json_array_foreach(unknown, i, n)
    {
        const char *name = json_string_value(n);
        char msg[256], hint[128] = "";
        gw__opt_echo(e, sizeof(e), name, strlen(name));
        for (size_t k = 0; k < NROWS; ++k)
            if (strcasecmp(rows[k].name, name) == 0)
                snprintf(hint, sizeof(hint), " (did you mean '%s'?)", rows[k].name);
        snprintf(msg, sizeof(msg), "unknown option '%s'%s", e, hint);
        if (i == 0)
            snprintf(first, sizeof(first), "%s", msg);
        if (json_array_append_new(details, json_pack("{s:s,s:s}", "field", e, "message", msg)) != 0) {
            json_decref(unknown);
            return fail_oom(err, details);
        }
    }
    size_t count = json_array_size(unknown);
    json_decref(unknown);
    if (count == 1)
        return fail(err, 400, "UnrecognizedInput", details, "%s", first);
    return fail(err, 400, "UnrecognizedInput", details, "%s (and %zu more unknown option%s)", first,
                count - 1, count == 2 ? "" : "s");
}

static int fail_problems(gw_opt_error_t *err, problems_t *p)
{
    if (p->oom)
        return fail_oom(err, p->details);
    return fail(err, 400, "InvalidInput", p->details, "%s", p->first);
}

int gw_options_from_query(const gw_query_t *q, const char *const *skip, const json_t *base,
                          const gw_opt_limits_t *lim, json_t **out, gw_opt_error_t *err)
{
    json_t *given[NROWS] = {NULL}, *unknown = NULL;
    problems_t p = {NULL, 0, 0, ""};

    for (size_t i = 0; i < q->count; ++i) {
        const char *key = q->items[i].key;
        if (gw__opt_in_list(skip, key) || job_opt_find(key) != NULL)
            continue;
        if ((unknown == NULL && (unknown = json_array()) == NULL) ||
            json_array_append_new(unknown, json_stringn_nocheck(key, strlen(key))) != 0) {
            json_decref(unknown);
            return fail_oom(err, NULL);
        }
    }
    if (unknown != NULL)
        return fail_unknown(err, unknown);

    for (size_t i = 0; i < q->count; ++i) {
        const job_opt_row_t *row;
        if (gw__opt_in_list(skip, q->items[i].key) || (row = job_opt_find(q->items[i].key)) == NULL)
            continue;
        json_t *v = gw__opt_from_text(row, q->items[i].value, lim, &p);
        if (v != NULL) {
            given[row - rows] = gw__opt_check(row, v, lim, &p);
            json_decref(v);
        }
    }
    if (p.count != 0 || p.oom) {
        for (size_t i = 0; i < NROWS; ++i)
            json_decref(given[i]);
        return fail_problems(err, &p);
    }
    if (assemble(given, base, lim, out) != 0)
        return fail_oom(err, NULL);
    return 0;
}

int gw_options_from_object(const json_t *obj, const char *const *extra, const json_t *base,
                           const gw_opt_limits_t *lim, json_t **out, json_t **extra_out, gw_opt_error_t *err)
{
    json_t *given[NROWS] = {NULL}, *unknown = NULL, *ex = NULL, *v;
    problems_t p = {NULL, 0, 0, ""};
    const char *key;

    if (!json_is_object(obj))
        return fail(err, 400, "MalformedJson", NULL, "the options must be a JSON object");

    json_object_foreach((json_t *)obj, key, v)
    {
        if (job_opt_find(key) != NULL || gw__opt_in_list(extra, key))
            continue;
        /* Keys of a parsed object are valid UTF-8; the nocheck variant also accepts a caller-built one. */
        if ((unknown == NULL && (unknown = json_array()) == NULL) ||
            json_array_append_new(unknown, json_stringn_nocheck(key, strlen(key))) != 0) {
            json_decref(unknown);
            return fail_oom(err, NULL);
        }
    }
    if (unknown != NULL)
        return fail_unknown(err, unknown);

    json_object_foreach((json_t *)obj, key, v)
    {
        const job_opt_row_t *row = job_opt_find(key);
        if (row == NULL)
            continue;
        given[row - rows] = json_is_null(v) ? json_null() : gw__opt_check(row, v, lim, &p);
    }
    if (p.count != 0 || p.oom) {
        for (size_t i = 0; i < NROWS; ++i)
            json_decref(given[i]);
        return fail_problems(err, &p);
    }

    if (extra_out != NULL) {
        if ((ex = json_object()) == NULL)
            goto Oom;
        for (const char *const *e = extra; e != NULL && *e != NULL; ++e)
            if (job_opt_find(*e) == NULL && (v = json_object_get(obj, *e)) != NULL &&
                json_object_set_new(ex, *e, json_deep_copy(v)) != 0)
                goto Oom;
    }
    if (assemble(given, base, lim, out) != 0) {
        json_decref(ex);
        return fail_oom(err, NULL);
    }
    if (extra_out != NULL)
        *extra_out = ex;
    return 0;
Oom:
    json_decref(ex);
    for (size_t i = 0; i < NROWS; ++i)
        json_decref(given[i]);
    return fail_oom(err, NULL);
}

int gw_options_from_json(const char *text, size_t len, const char *const *extra, const json_t *base,
                         const gw_opt_limits_t *lim, json_t **out, json_t **extra_out, gw_opt_error_t *err)
{
    json_error_t jerr;
    char why[sizeof(jerr.text)];
    size_t i;
    for (i = 0; i < len; ++i)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
            break;
    if (i == len)
        return fail(
            err, 400, "MissingInput", NULL,
            "the options are empty: send a JSON object such as {\"languages\": \"eng\"}, or {} for the "
            "defaults");
    /* Duplicate keys are refused: which of two values wins would otherwise be the parser's choice. */
    json_t *obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (obj == NULL)
        /* jansson quotes the offending token, which may be any bytes: gw__opt_echo() keeps the message
         * printable. */
        return fail(err, 400, "MalformedJson", NULL,
                    "the options are not valid JSON: %s (line %d, column %d)",
                    gw__opt_echo(why, sizeof(why), jerr.text, strnlen(jerr.text, sizeof(jerr.text))),
                    jerr.line, jerr.column);
    int ret = gw_options_from_object(obj, extra, base, lim, out, extra_out, err);
    json_decref(obj);
    return ret;
}

json_t *gw_options_defaults(const gw_opt_limits_t *lim)
{
    json_t *given[NROWS] = {NULL}, *out = NULL;
    if (assemble(given, NULL, lim, &out) != 0)
        return NULL;
    return out;
}

void gw_opt_error_clear(gw_opt_error_t *err)
{
    json_decref(err->details);
    err->details = NULL;
}
