/* One job's state: GET, PATCH (options), PUT document, schedule, cancel, DELETE. Each change is one
 * conditional statement; when it changes nothing the job is read again to tell 404, 410 and 409 apart, and
 * the 409 names the rule of the handler that was refused. Runs on the loop thread. */
#include "gateway/gw_handlers.h"
#include "gateway/gw_jobs.h"

#include <stdlib.h>
#include <string.h>

/* From the request's pool; it dies with the request. */
typedef struct {
    char job_id[37];
    const char *conflict; /* static: the rule a 409 states ("... and <conflict>") */
    int wake;             /* the change may have queued the job */
    gw_job_doc_t doc;
} state_req_t;

static state_req_t *sstate(gw_req_t *r, const char *conflict)
{
    state_req_t *s = gw_hstate(r, sizeof(state_req_t), NULL);
    if (conflict != NULL)
        s->conflict = conflict;
    return s;
}

/* After a conditional statement changed nothing (or a patch found the job not `created`): 404, 410 or 409. */
static void on_state_conflict(gw_req_t *r, PGresult *res)
{
    if (gw_job_gone(r, res))
        return;
    const char *status = PQgetvalue(res, 0, 1);
    json_t *d = json_pack("[{s:s,s:s}]", "field", "status", "message", status);
    gw_send_error(r, 409, "InvalidState", d, "the job is %s and %s", status, sstate(r, NULL)->conflict);
}

static void conflict_or_missing(gw_req_t *r)
{
    state_req_t *s = sstate(r, NULL);
    const char *p[2] = {s->job_id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_GET, p, NULL, on_state_conflict);
}

/* The answer of a statement that RETURNING job_json(): the changed job, or no row when nothing changed. */
static void on_job_row(gw_req_t *r, PGresult *res)
{
    if (PQntuples(res) == 0) {
        conflict_or_missing(r);
        return;
    }
    if (sstate(r, NULL)->wake)
        gw_job_wake(r);
    gw_send_job(r, 200, PQgetvalue(res, 0, 0));
}

static void on_job_get(gw_req_t *r, PGresult *res)
{
    if (gw_job_gone(r, res))
        return;
    gw_send_job(r, 200, PQgetvalue(res, 0, 0));
}

void gw_h_job_get(gw_req_t *r)
{
    gw_job_call(r, sstate(r, NULL)->job_id, DB_RGN_JOB_GET, on_job_get);
}

void gw_h_job_schedule(gw_req_t *r)
{
    state_req_t *s = sstate(r, "can be scheduled only while created with a document");
    s->wake = 1;
    gw_job_call(r, s->job_id, DB_RGN_JOB_SCHEDULE, on_job_row);
}

void gw_h_job_cancel(gw_req_t *r)
{
    gw_job_call(r, sstate(r, "has already finished")->job_id, DB_RGN_JOB_CANCEL, on_job_row);
}

static void on_deleted(gw_req_t *r, PGresult *res)
{
    if (strcmp(PQgetvalue(res, 0, 0), "1") != 0) {
        conflict_or_missing(r);
        return;
    }
    gw_send(r, 204, "application/json", "", 0);
}

void gw_h_job_delete(gw_req_t *r)
{
    gw_job_call(r, sstate(r, "cannot be deleted while it is processing")->job_id, DB_RGN_JOB_DELETE,
                on_deleted);
}

static void on_patch_current(gw_req_t *r, PGresult *res)
{
    state_req_t *s = sstate(r, NULL);
    if (PQntuples(res) == 0 || PQgetvalue(res, 0, 2)[0] == 't' ||
        strcmp(PQgetvalue(res, 0, 1), "created") != 0) {
        on_state_conflict(r, res);
        return;
    }
    gw_opt_limits_t lim;
    gw_opt_error_t oe;
    gw_option_limits(r, &lim);
    json_t *base = json_loads(PQgetvalue(res, 0, 5), 0, NULL), *opts = NULL;
    h2o_iovec_t body = gw_body(r);
    int rc = gw_options_from_json(body.base, body.len, NULL, base, &lim, &opts, NULL, &oe);
    json_decref(base);
    if (rc != 0) {
        gw_send_opt_error(r, &oe, 0);
        return;
    }
    char *text = json_dumps(opts, JSON_COMPACT);
    json_decref(opts);
    const char *p[3] = {s->job_id, r->who.app_id, text};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_PATCH, p, NULL, on_job_row);
    free(text);
}

void gw_h_job_patch(gw_req_t *r)
{
    /* The body is checked by the route (GW_BODY_JSON) before this runs. */
    gw_job_call(r, sstate(r, "can be changed only while created")->job_id, DB_RGN_JOB_GET, on_patch_current);
}

void gw_h_job_upload(gw_req_t *r)
{
    state_req_t *s = sstate(r, "accepts a document only while created without one");
    if (gw_path_uuid(r, 0, "job", s->job_id) != 0)
        return;
    h2o_iovec_t body = gw_body(r);
    size_t ctlen = 0;
    const char *ct = gw_header_token(r, H2O_TOKEN_CONTENT_TYPE, &ctlen);
    /* The route has counted the request already, so gw_fail_counted sends the refusal at once. */
    if (gw_job_doc_check(r, body.base, body.len, ct, ctlen, &s->doc) != 0)
        return;
    char pages[16];
    snprintf(pages, sizeof(pages), "%d", s->doc.pages);
    s->wake = 1;
    const char *p[6] = {s->job_id,           r->who.app_id, NULL,
                        s->doc.content_type, s->doc.data,   s->doc.pages > 0 ? pages : NULL};
    int lens[6] = {0, 0, 0, 0, (int)s->doc.len, 0};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_UPLOAD, p, lens, on_job_row);
}
