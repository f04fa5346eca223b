/* The per-result endpoints GET /processing/results/{processing_id}/... and what the synchronous POST shares
 * with them: the status mapping, the 202 body and the full result (cx_processing.h). Runs on the loop thread.
 */
#include "gateway/compat/cx_processing.h"
#include "engine/eng_format.h"
#include "engine/eng_ocr.h"
#include "gateway/gw_jobs.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef enum { RES_OCR, RES_HOCR, RES_PAGE_LIST, RES_PAGE_IMAGE, RES_THUMBNAIL } res_kind_t;

/* From the request's pool (the surface's state, beside gw_job_image's); it dies with the request. */
typedef struct {
    char id[37];
    res_kind_t kind;
    int page, box_w, box_h;
    char doc_name[256];
} res_req_t;

static res_req_t *rstate(gw_req_t *r)
{
    return gw_sstate(r, sizeof(res_req_t), NULL);
}

int cx_processing_error_map(int status, const char **code)
{
    switch (status) {
    case 400:
    case 415:
        return 422;
    case 409:
        *code = "JobFailed";
        return 500;
    case 413:
        return 429;
    case 410:
        return 404;
    default:
        return status;
    }
}

/* The per-result endpoints keep only the statuses of the surface. */
static const gw_surface_t results_surface = {.error_map = cx_processing_error_map};

void cx_processing_pending(gw_req_t *r, const char *id, const char *status, const char *location)
{
    char path[96];
    snprintf(path, sizeof(path), "/processing/results/%s/ocr", id);
    gw_add_header(r, "Retry-After", "1");
    if (location != NULL)
        gw_add_header(r, "Location", location);
    gw_send_json(r, 202,
                 json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "errorCode", "InProgress", "message",
                           "the processing request is still in progress", "requestId", r->request_id,
                           "processing_id", id, "status", status, "results", path));
}

char *cx_processing_render(PGresult *pages, const char *format, const char *doc_name)
{
    /* DB_RGN_JOB_PAGES_ALL: columns 2.. hold the per-page formats in the formats table's order. */
    size_t nf;
    const eng_output_t *f = eng_outputs(&nf);
    int col = 2, n = PQntuples(pages);
    for (size_t k = 0; k < nf && strcmp(f[k].name, format) != 0; ++k)
        col += f[k].per_page;
    const eng_output_t *out = eng_output_find(format);
    const char **frags = calloc((size_t)n + 1, sizeof(char *));
    if (frags == NULL || out == NULL || out->render == NULL) {
        free(frags);
        return NULL;
    }
    for (int i = 0; i < n; ++i)
        frags[i] = strcmp(PQgetvalue(pages, i, 1), "completed") == 0 && !PQgetisnull(pages, i, col)
                       ? PQgetvalue(pages, i, col)
                       : NULL;
    char *doc = out->render(frags, n, doc_name);
    free(frags);
    return doc;
}

/* The result links of a processing id. */
static json_t *links(const char *id)
{
    static const char *const SUB[] = {"ocr", "hocr", "page-images", "thumbnail"};
    json_t *l = json_object();
    for (size_t i = 0; i < sizeof(SUB) / sizeof(SUB[0]); ++i) {
        char path[128];
        snprintf(path, sizeof(path), "/processing/results/%s/%s", id, SUB[i]);
        json_object_set_new(l, SUB[i], json_string(path));
    }
    return l;
}

/* The paths of the page images of DB_RGN_JOB_PAGES_ALL rows: the pages recognized. */
static json_t *page_paths(const char *id, PGresult *pages)
{
    json_t *list = json_array();
    for (int i = 0; i < PQntuples(pages); ++i) {
        if (strcmp(PQgetvalue(pages, i, 1), "completed") != 0)
            continue;
        char path[128];
        snprintf(path, sizeof(path), "/processing/results/%s/page-images/%s", id, PQgetvalue(pages, i, 0));
        json_array_append_new(list, json_string(path));
    }
    return list;
}

json_t *cx_processing_full(const char *job_json, PGresult *pages)
{
    json_t *job = json_loads(job_json, 0, NULL);
    const char *id = json_string_value(json_object_get(job, "jobId"));
    const char *name = json_string_value(json_object_get(json_object_get(job, "document"), "name"));
    char *ocr_text = id != NULL ? cx_processing_render(pages, "json", name) : NULL;
    json_t *ocr = ocr_text != NULL ? json_loads(ocr_text, 0, NULL) : NULL;
    free(ocr_text);
    json_t *out = NULL;
    if (ocr != NULL)
        out = json_pack("{s:s,s:s,s:O,s:o,s:o,s:o}", "processing_id", id, "workflow", "ocr", "job", job,
                        "ocr", ocr, "page_images", page_paths(id, pages), "results", links(id));
    else
        json_decref(ocr);
    json_decref(job);
    return out;
}

static void on_pages(gw_req_t *r, PGresult *res)
{
    res_req_t *s = rstate(r);
    if (s->kind == RES_PAGE_LIST) {
        gw_send_json(r, 200, json_pack("{s:o}", "pages", page_paths(s->id, res)));
        return;
    }
    const char *format = s->kind == RES_OCR ? "json" : "hocr";
    char *doc = cx_processing_render(res, format, s->doc_name);
    if (doc == NULL) {
        gw_send_error(r, 500, "InternalError", NULL, "the result could not be assembled");
        return;
    }
    gw_send(r, 200, eng_output_find(format)->content_type, doc, strlen(doc));
    free(doc);
}

static void on_job(gw_req_t *r, PGresult *res)
{
    res_req_t *s = rstate(r);
    if (gw_job_gone(r, res))
        return;
    if (strcmp(PQgetvalue(res, 0, 4), r->who.app_id) != 0) {
        /* The one place a 403 is right: the credentials are valid and the job is their license's. */
        gw_send_error(r, 403, "Forbidden", NULL,
                      "this processing request belongs to another app of the license");
        return;
    }
    const char *status = PQgetvalue(res, 0, 1);
    json_t *job = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    const char *em = json_string_value(json_object_get(json_object_get(job, "error"), "message"));
    const char *name = json_string_value(json_object_get(json_object_get(job, "document"), "name"));
    snprintf(s->doc_name, sizeof(s->doc_name), "%s", name != NULL ? name : "");
    if (strcmp(status, "failed") == 0 || strcmp(status, "canceled") == 0)
        gw_send_error(r, 500, "JobFailed", NULL, "the processing request failed to complete: %s",
                      em != NULL ? em : "it was canceled");
    else if (strcmp(status, "completed") != 0)
        cx_processing_pending(r, s->id, status, NULL);
    else if (s->kind == RES_PAGE_IMAGE && s->page > atoi(PQgetvalue(res, 0, 3)))
        gw_send_error(r, 422, "InvalidInput",
                      json_pack("[{s:s,s:s}]", "field", "page_num", "message", "beyond the document"),
                      "the document has %s page%s", PQgetvalue(res, 0, 3),
                      strcmp(PQgetvalue(res, 0, 3), "1") == 0 ? "" : "s");
    else if (s->kind == RES_PAGE_IMAGE || s->kind == RES_THUMBNAIL)
        gw_job_image_send(r, s->id, s->kind == RES_THUMBNAIL ? 1 : s->page, s->box_w, s->box_h, 0);
    else {
        const char *p[1] = {s->id};
        gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_PAGES_ALL, p, NULL, on_pages);
    }
    json_decref(job);
}

static void result(gw_req_t *r, res_kind_t kind)
{
    res_req_t *s = rstate(r);
    r->surface = &results_surface;
    s->kind = kind;
    if (gw_path_uuid(r, 0, "processing request", s->id) != 0)
        return;
    if (kind == RES_PAGE_IMAGE) {
        h2o_iovec_t n = r->params[1];
        long v = 0;
        for (size_t k = 0; k < n.len && v <= 1000000; ++k)
            v = isdigit((unsigned char)n.base[k]) ? v * 10 + (n.base[k] - '0') : -1;
        if (v < 1 || v > 1000000 || n.len > 7) {
            gw_send_error(r, 422, "InvalidInput",
                          json_pack("[{s:s,s:s}]", "field", "page_num", "message", "a page number from 1"),
                          "page_num must be a page number (from 1)");
            return;
        }
        s->page = (int)v;
    }
    if (kind == RES_PAGE_IMAGE || kind == RES_THUMBNAIL) {
        if (gw_job_image_box(r, kind == RES_THUMBNAIL ? 200 : 0, &s->box_w, &s->box_h) != 0)
            return;
        /* The reference's rule: when both are given and their ratio is not the page's, the larger one wins
         * (the image keeps its aspect ratio). */
        if (s->box_w > 0 && s->box_h > 0) {
            if (s->box_w >= s->box_h)
                s->box_h = 0;
            else
                s->box_w = 0;
        }
    }
    const char *p[2] = {s->id, r->who.license_id};
    gw_db_query(r, GW_DB_REGION, DB_CX_JOB_GET, p, NULL, on_job);
}

void cx_h_proc_ocr(gw_req_t *r)
{
    result(r, RES_OCR);
}

void cx_h_proc_hocr(gw_req_t *r)
{
    result(r, RES_HOCR);
}

void cx_h_proc_page_images(gw_req_t *r)
{
    result(r, RES_PAGE_LIST);
}

void cx_h_proc_page_image(gw_req_t *r)
{
    result(r, RES_PAGE_IMAGE);
}

void cx_h_proc_thumbnail(gw_req_t *r)
{
    result(r, RES_THUMBNAIL);
}
