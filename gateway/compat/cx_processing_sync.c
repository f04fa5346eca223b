/* Synchronous POST /processing/{workflow} (cx_processing.h): the document is taken exactly as POST /v1/jobs
 * takes it (raw body or multipart `file`, options in the query string; the v1 handler runs, counted, with
 * this surface's statuses), then the request waits without blocking its loop thread until the job's final
 * state is announced (cx_wait_job) and answers 201 with the full result, or 202 with Location once
 * sync_timeout_ms has passed. A document with more pages than the synchronous limit is answered 202 at once.
 * The client leaving changes nothing for the job. Runs on the loop thread. */
#include "gateway/compat/cx_processing.h"
#include "gateway/gw_counted.h"
#include "gateway/gw_handlers.h"
#include "gateway/gw_jobs.h"

#include <stdlib.h>
#include <string.h>

/* The surface's state, beside the v1 creation's (request's pool; it dies with the request). */
typedef struct {
    char job_id[37];
    int status; /* 201, or 200 when an Idempotency-Key names an existing job */
    cx_waiter_t *waiter;
    const char *job_json; /* the completed job's object (from the request's pool) */
} sync_req_t;

static sync_req_t *sstate(gw_req_t *r)
{
    return gw_sstate(r, sizeof(sync_req_t), NULL);
}

static void answer_pending(gw_req_t *r, const char *status)
{
    sync_req_t *s = sstate(r);
    char loc[96];
    snprintf(loc, sizeof(loc), "/processing/results/%s/ocr", s->job_id);
    cx_processing_pending(r, s->job_id, status, loc);
}

static void on_full(gw_req_t *r, PGresult *res);

static void on_check(gw_req_t *r, PGresult *res)
{
    sync_req_t *s = sstate(r);
    if (r->status != 0 || s->waiter == NULL || PQntuples(res) == 0)
        return; /* answered meanwhile (timed out), or the job is gone and the time-out answers */
    const char *st = PQgetvalue(res, 0, 1);
    if (strcmp(st, "completed") == 0) {
        /* The job object as it is now, for the full result (the request's pool holds it). */
        s->job_json = h2o_strdup(&r->req->pool, PQgetvalue(res, 0, 0), SIZE_MAX).base;
        const char *p[1] = {s->job_id};
        gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_PAGES_ALL, p, NULL, on_full);
    } else if (strcmp(st, "failed") == 0 || strcmp(st, "canceled") == 0) {
        cx_wait_end(s->waiter);
        s->waiter = NULL;
        json_t *job = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
        const char *em = json_string_value(json_object_get(json_object_get(job, "error"), "message"));
        gw_send_error(r, 500, "JobFailed", NULL, "the processing request failed to complete: %s",
                      em != NULL ? em : "it was canceled");
        json_decref(job);
    }
}

static void check(gw_req_t *r)
{
    sync_req_t *s = sstate(r);
    const char *p[2] = {s->job_id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_GET, p, NULL, on_check);
}

static void on_full(gw_req_t *r, PGresult *res)
{
    sync_req_t *s = sstate(r);
    if (r->status != 0 || s->waiter == NULL)
        return;
    cx_wait_end(s->waiter);
    s->waiter = NULL;
    json_t *full = cx_processing_full(s->job_json, res);
    if (full == NULL) {
        gw_send_error(r, 500, "InternalError", NULL, "the result could not be assembled");
        return;
    }
    char loc[96];
    snprintf(loc, sizeof(loc), "/processing/results/%s/ocr", s->job_id);
    gw_add_header(r, "Location", loc);
    gw_send_json(r, s->status == 200 ? 200 : 201, full);
}

static void woken(gw_req_t *r, int timed_out)
{
    sync_req_t *s = sstate(r);
    if (timed_out) {
        s->waiter = NULL;
        answer_pending(r, "processing");
        return;
    }
    check(r);
}

static void on_created(gw_req_t *r, int status, const char *job_json)
{
    sync_req_t *s = sstate(r);
    json_t *job = json_loads(job_json, 0, NULL);
    const char *id = json_string_value(json_object_get(job, "jobId"));
    const char *st = json_string_value(json_object_get(job, "status"));
    json_t *pages = json_object_get(json_object_get(job, "document"), "pages");
    if (id == NULL || st == NULL) {
        json_decref(job);
        gw_send_error(r, 500, "InternalError", NULL, "the job could not be read");
        return;
    }
    snprintf(s->job_id, sizeof(s->job_id), "%s", id);
    s->status = status;
    long long limit = r->thr->server->cfg.sync_max_pages;
    if (r->who.max_pages > 0 && r->who.max_pages < limit)
        limit = r->who.max_pages;
    if (strcmp(st, "created") == 0 || (json_is_integer(pages) && json_integer_value(pages) > limit)) {
        /* Not started (autostart=false) or too long to wait for: the job runs on, its results come later. */
        answer_pending(r, st);
    } else {
        /* Registered before the job is read, so that an announcement in between is not missed. */
        s->waiter = cx_wait_job(r, s->job_id, woken);
        check(r);
    }
    json_decref(job);
}

/* The per-result endpoints' statuses, and the answer of the v1 job creation taken over. */
static const gw_surface_t surface = {.error_map = cx_processing_error_map, .on_job = on_created};

void cx_h_processing(gw_req_t *r)
{
    r->surface = &surface;
    h2o_iovec_t wf = r->params[0];
    if (!(wf.len == 3 && memcmp(wf.base, "ocr", 3) == 0)) {
        gw_fail_counted(r, 404, "ResourceNotFound", NULL, "unknown workflow '%.*s' (this service offers ocr)",
                        (int)(wf.len > 40 ? 40 : wf.len), wf.base);
        return;
    }
    gw_h_job_create(r);
}
