/* Results: the whole document's (GET /v1/jobs/{id}/results/{format}), one page's, and the page list. A
 * result not ready yet is 202 with Retry-After; a page's result is served as soon as that page is stored.
 * Runs on the loop thread. */
#include "engine/eng_ocr.h"
#include "gateway/gw_handlers.h"
#include "gateway/gw_jobs.h"

#include <stdlib.h>
#include <string.h>

/* From the request's pool; it dies with the request. */
typedef struct {
    char job_id[37];
    const eng_output_t *format; /* static: the formats table's row */
    int page;                   /* the page of the path (page results) */
    int still_coming;           /* the job still runs, so a page not stored yet will be (202, not 404) */
    int pages;                  /* the document's page count (page list; 0 while unknown) */
} result_req_t;

static result_req_t *rstate(gw_req_t *r)
{
    return gw_hstate(r, sizeof(result_req_t), NULL);
}

/* 202 with the job while it is not done; 409 when it failed or was canceled. Returns 1 when it answered. */
static int not_ready(gw_req_t *r, const char *status, const char *job)
{
    if (strcmp(status, "failed") == 0) {
        json_t *j = json_loads(job, 0, NULL);
        json_t *e = json_object_get(json_object_get(j, "error"), "message");
        gw_send_error(r, 409, "JobFailed", NULL, "the job failed: %s",
                      e != NULL ? json_string_value(e) : "unknown error");
        json_decref(j);
        return 1;
    }
    if (strcmp(status, "canceled") == 0) {
        gw_send_error(r, 409, "InvalidState", NULL, "the job was canceled and has no results");
        return 1;
    }
    if (strcmp(status, "completed") != 0) {
        gw_add_header(r, "Retry-After", "1");
        gw_send_job(r, 202, job);
        return 1;
    }
    return 0;
}

static void on_output(gw_req_t *r, PGresult *res)
{
    if (PQntuples(res) == 0) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "this result is not available");
        return;
    }
    gw_send(r, 200, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1));
}

static void send_not_an_output(gw_req_t *r, const char *format)
{
    gw_send_error(r, 404, "ResourceNotFound", NULL, "'%s' is not among this job's outputs", format);
}

static void on_result_job(gw_req_t *r, PGresult *res)
{
    result_req_t *s = rstate(r);
    if (gw_job_gone(r, res))
        return;
    if (!gw_job_has_output(PQgetvalue(res, 0, 4), s->format->name)) {
        send_not_an_output(r, s->format->name);
        return;
    }
    if (not_ready(r, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0)))
        return;
    const char *p[2] = {s->job_id, s->format->name};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_OUTPUT, p, NULL, on_output);
}

void gw_h_job_result(gw_req_t *r)
{
    result_req_t *s = rstate(r);
    if (gw_path_uuid(r, 0, "job", s->job_id) != 0 || (s->format = gw_path_format(r, 1, 0)) == NULL)
        return;
    const char *p[2] = {s->job_id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_GET, p, NULL, on_result_job);
}

/* GET /v1/jobs/{id}/results/barcodes: every recognized page's barcodes in one document. */
static void on_barcodes(gw_req_t *r, PGresult *res)
{
    result_req_t *s = rstate(r);
    json_t *pages = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    if (pages == NULL) {
        gw_send_error(r, 500, "InternalError", NULL, "the barcodes could not be assembled");
        return;
    }
    gw_send_json(r, 200,
                 json_pack("{s:s,s:I,s:o}", "jobId", s->job_id, "barcodeCount",
                           (json_int_t)strtoll(PQgetvalue(res, 0, 1), NULL, 10), "pages", pages));
}

static void on_barcodes_job(gw_req_t *r, PGresult *res)
{
    result_req_t *s = rstate(r);
    if (gw_job_gone(r, res))
        return;
    json_t *opts = json_loads(PQgetvalue(res, 0, 5), 0, NULL);
    int asked = json_is_true(json_object_get(opts, "detectBarcodes"));
    json_decref(opts);
    if (!asked) {
        gw_send_error(r, 404, "ResourceNotFound", NULL,
                      "this job does not detect barcodes (the option detectBarcodes is false)");
        return;
    }
    if (not_ready(r, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0)))
        return;
    const char *p[1] = {s->job_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_BARCODES, p, NULL, on_barcodes);
}

void gw_h_job_barcodes(gw_req_t *r)
{
    gw_job_call(r, rstate(r)->job_id, DB_RGN_JOB_GET, on_barcodes_job);
}

static void on_page_result(gw_req_t *r, PGresult *res)
{
    result_req_t *s = rstate(r);
    if (PQntuples(res) == 0) {
        gw_page_not_stored(r, s->job_id, s->page, s->still_coming, "result");
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 0), "failed") == 0) {
        gw_send_error(r, 409, "JobFailed", NULL, "page %d could not be recognized: %s", s->page,
                      PQgetvalue(res, 0, 2));
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 0), "skipped") == 0) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "page %d is not among the pages this job recognizes",
                      s->page);
        return;
    }
    if (PQgetisnull(res, 0, 1)) {
        send_not_an_output(r, s->format->name);
        return;
    }
    const char *v = PQgetvalue(res, 0, 1);
    if (strcmp(s->format->name, "json") == 0) {
        /* The page object wrapped like the whole-document result, by the engine that wraps that one. */
        char *doc = eng_json_document(&v, 1);
        if (doc == NULL) {
            gw_send_error(r, 500, "InternalError", NULL, "the page result could not be assembled");
            return;
        }
        gw_send(r, 200, s->format->content_type, doc, strlen(doc));
        free(doc);
        return;
    }
    gw_send(r, 200, s->format->content_type, v, strlen(v));
}

static void on_page_job(gw_req_t *r, PGresult *res)
{
    result_req_t *s = rstate(r);
    if (gw_job_gone(r, res) || gw_page_beyond(r, res, s->page))
        return;
    if (s->format->skip_unless_wanted != 0 && !gw_job_has_output(PQgetvalue(res, 0, 4), s->format->name)) {
        send_not_an_output(r, s->format->name);
        return;
    }
    const char *status = PQgetvalue(res, 0, 1);
    /* Pages stored before a job failed or was canceled are still served; in a finished job a page that is not
     * stored never will be (404), while a running job's page is still to come (202). */
    s->still_coming = strcmp(status, "processing") == 0 || strcmp(status, "scheduled") == 0;
    char page[16];
    snprintf(page, sizeof(page), "%d", s->page);
    const char *p[3] = {s->job_id, page, s->format->name};
    gw_db_query(r, GW_DB_REGION, DB_RGN_PAGE_RESULT, p, NULL, on_page_result);
}

void gw_h_page_result(gw_req_t *r)
{
    result_req_t *s = rstate(r);
    if (gw_path_uuid(r, 0, "job", s->job_id) != 0 || (s->format = gw_path_format(r, 2, 1)) == NULL ||
        gw_path_page(r, 1, &s->page) != 0)
        return;
    const char *p[2] = {s->job_id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_GET, p, NULL, on_page_job);
}

static void on_page_list(gw_req_t *r, PGresult *res)
{
    result_req_t *s = rstate(r);
    json_t *pages = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    size_t i;
    json_t *pg;
    json_array_foreach(pages, i, pg)
    {
        char base[96];
        json_int_t n = json_integer_value(json_object_get(pg, "page"));
        snprintf(base, sizeof(base), "/v1/jobs/%s/pages/%lld", s->job_id, (long long)n);
        json_t *links = json_object();
        size_t nf;
        const eng_output_t *f = eng_outputs(&nf);
        for (size_t k = 0; k < nf; ++k) {
            if (!f[k].per_page)
                continue;
            char l[128];
            snprintf(l, sizeof(l), "%s/results/%s", base, f[k].name);
            json_object_set_new(links, f[k].name, json_string(l));
        }
        json_object_set_new(pg, "results", links);
    }
    gw_send_json(r, 200, json_pack("{s:s,s:i,s:o}", "jobId", s->job_id, "pages", s->pages, "items", pages));
}

static void on_pages_job(gw_req_t *r, PGresult *res)
{
    result_req_t *s = rstate(r);
    if (gw_job_gone(r, res))
        return;
    s->pages = PQgetisnull(res, 0, 3) ? 0 : atoi(PQgetvalue(res, 0, 3));
    const char *p[1] = {s->job_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_PAGE_LIST, p, NULL, on_page_list);
}

void gw_h_page_list(gw_req_t *r)
{
    gw_job_call(r, rstate(r)->job_id, DB_RGN_JOB_GET, on_pages_job);
}
