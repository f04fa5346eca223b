/* What the job endpoints share (gw_jobs.h): the job of the path, the job object in its documented key order,
 * result formats of the path (from the engine's formats table). Runs on the request's loop thread. */
#include "engine/eng_format.h"
#include "jobs/job_pool.h"
#include "gateway/gw_handlers.h"
#include "gateway/gw_jobs.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int gw_job_has_output(const char *outputs_json, const char *fmt)
{
    char quoted[16];
    snprintf(quoted, sizeof(quoted), "\"%s\"", fmt);
    return strstr(outputs_json, quoted) != NULL;
}

const eng_output_t *gw_path_format(gw_req_t *r, int i, int per_page)
{
    h2o_iovec_t f = r->params[i];
    const eng_output_t *o = eng_output_findn(f.base, f.len);
    if (o != NULL && (o->per_page || !per_page))
        return o;
    char list[80];
    eng_output_names(list, sizeof(list), per_page);
    json_t *d = json_pack("[{s:s,s:s}]", "field", "format", "message", list);
    gw_send_error(r, 400, "InvalidInput", d, "unknown result format; use one of %s", list);
    return NULL;
}

void gw_job_call(gw_req_t *r, char job_id[37], db_stmt_id_t id, gw_db_cb_t cb)
{
    if (gw_path_uuid(r, 0, "job", job_id) != 0)
        return;
    const char *p[2] = {job_id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, id, p, NULL, cb);
}

int gw_job_gone(gw_req_t *r, PGresult *res)
{
    if (PQntuples(res) == 0) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "no such job");
        return 1;
    }
    if (PQgetvalue(res, 0, 2)[0] == 't') {
        gw_send_error(r, 410, "ResourceExpired", NULL,
                      "the job is past its retention period and was deleted");
        return 1;
    }
    return 0;
}

/* A copy of `src` with `keys` first, in that order, then any other key of src in its own order (so a key the
 * database adds is never lost). */
static json_t *ordered(const json_t *src, const char *const *keys)
{
    if (!json_is_object(src))
        return json_deep_copy(src);
    json_t *out = json_object();
    for (; *keys; ++keys) {
        json_t *v = json_object_get(src, *keys);
        if (v != NULL)
            json_object_set(out, *keys, v);
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)src, k, v)
    {
        if (json_object_get(out, k) == NULL)
            json_object_set(out, k, v);
    }
    return out;
}

/* The job object's keys in the order of API.md; nested objects likewise. */
static const char *const JOB_KEYS[] = {
    "jobId",       "appId",     "status",     "progress",       "document",     "options", "correlationId",
    "description", "pagesDone", "errorPages", "meanConfidence", "barcodeCount", "attempt", "createdAt",
    "scheduledAt", "startedAt", "finishedAt", "expiresAt",      "results",      "error",   NULL};
static const char *const PROGRESS_KEYS[] = {"current", "message", NULL};
static const char *const DOCUMENT_KEYS[] = {"name", "contentType", "bytes", "pages", "sha256", NULL};
static const char *const ERROR_KEYS[] = {"errorCode", "message", NULL};

/* Keys of an object as a NULL-terminated array (at most `max` - 1 of them). */
static void keys_of(const json_t *obj, const char **out, size_t max)
{
    size_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        if (n + 1 < max)
            out[n++] = k;
    }
    out[n] = NULL;
}

json_t *gw_job_ordered(const json_t *src, const json_t *option_order)
{
    json_t *job = ordered(src, JOB_KEYS);
    static const struct {
        const char *key;
        const char *const *order;
    } nested[] = {{"progress", PROGRESS_KEYS}, {"document", DOCUMENT_KEYS}, {"error", ERROR_KEYS}};
    for (size_t i = 0; i < sizeof(nested) / sizeof(nested[0]); ++i) {
        json_t *v = json_object_get(job, nested[i].key);
        if (json_is_object(v))
            json_object_set_new(job, nested[i].key, ordered(v, nested[i].order));
    }
    /* Options in the options table's order, results in the order of the job's outputs: the database keeps
     * neither order. */
    json_t *opts = json_object_get(job, "options");
    const char *order[64];
    if (json_is_object(option_order) && json_is_object(opts)) {
        keys_of(option_order, order, sizeof(order) / sizeof(order[0]));
        json_object_set_new(job, "options", ordered(opts, order));
    }
    json_t *outputs = json_object_get(json_object_get(job, "options"), "outputs"), *results;
    if (json_is_array(outputs) && json_is_object(results = json_object_get(job, "results"))) {
        size_t n = 0, i;
        json_t *f;
        json_array_foreach(outputs, i, f)
        {
            if (json_is_string(f) && n + 1 < sizeof(order) / sizeof(order[0]))
                order[n++] = json_string_value(f);
        }
        order[n] = NULL;
        json_object_set_new(job, "results", ordered(results, order));
    }
    return job;
}

json_t *gw_job_object(gw_req_t *r, const char *job_json)
{
    json_t *src = json_loads(job_json, 0, NULL);
    if (src == NULL)
        return NULL;
    /* gw_options_defaults builds its object in the options table's order. */
    gw_opt_limits_t lim;
    gw_option_limits(r, &lim);
    json_t *defaults = gw_options_defaults(&lim);
    json_t *job = gw_job_ordered(src, defaults);
    json_decref(defaults);
    json_decref(src);
    return job;
}

void gw_send_job(gw_req_t *r, int status, const char *job_json)
{
    json_t *job = gw_job_object(r, job_json);
    if (job == NULL) {
        gw_send_error(r, 500, "InternalError", NULL, "the job could not be read");
        return;
    }
    gw_send_json(r, status, job);
}

int gw_path_page(gw_req_t *r, int i, int *page)
{
    h2o_iovec_t n = r->params[i];
    long v = 0;
    for (size_t k = 0; k < n.len && v <= 1000000; ++k)
        v = isdigit((unsigned char)n.base[k]) ? v * 10 + (n.base[k] - '0') : -1000000000;
    if (v < 1 || v > 1000000 || n.len > 7) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "pages are numbered from 1");
        return -1;
    }
    *page = (int)v;
    return 0;
}

int gw_page_beyond(gw_req_t *r, PGresult *res, int page)
{
    int pages = PQgetisnull(res, 0, 3) ? 0 : atoi(PQgetvalue(res, 0, 3));
    if (pages > 0 && page > pages) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "the document has %d page%s", pages,
                      pages == 1 ? "" : "s");
        return 1;
    }
    return 0;
}

void gw_page_not_stored(gw_req_t *r, const char *job_id, int page, int still_coming, const char *what)
{
    if (!still_coming) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "page %d has no %s", page, what);
        return;
    }
    gw_add_header(r, "Retry-After", "1");
    gw_send_json(r, 202, json_pack("{s:s,s:i,s:s}", "jobId", job_id, "page", page, "status", "pending"));
}

void gw_job_wake(gw_req_t *r)
{
    job_pool_wake(r->thr->server->pool);
}

void gw_send_opt_error(gw_req_t *r, gw_opt_error_t *e, int counted)
{
    json_t *d = e->details;
    e->details = NULL;
    if (counted)
        gw_fail_counted(r, e->status, e->code, d, "%s", e->message);
    else
        gw_send_error(r, e->status, e->code, d, "%s", e->message);
}
