/*
 * gw_jobs: what the job endpoints share (the gw_job_*.c modules): the job of the path, the job object as
 * the API shows it, result formats, document admission, and errors that must be counted first.
 *
 *   gw_job.c          the job of the path (404/410), the job object in its documented key order, formats
 *   gw_job_doc.c      document admission: bytes, format, tier limits, the multipart form
 *   gw_job_create.c   POST /v1/jobs: options, templates, Idempotency-Key, the one counted insert
 *   gw_job_state.c    get, patch, upload, schedule, cancel, delete (each names its own 409 sentence)
 *   gw_job_results.c  whole-document and per-page results, the page list
 *   gw_job_list.c     GET /v1/jobs
 *   gw_job_image.c    page images and thumbnails, scaled on the offload pool
 *
 * Everything here runs on the request's loop thread. Strings handed out point into the request's pool or
 * into static tables; every json_t returned is new and owned by the caller.
 */
#ifndef OCRGATE_GW_JOBS_H
#define OCRGATE_GW_JOBS_H

#include "engine/eng_format.h"
#include "gateway/gw.h"
#include "gateway/gw_counted.h"
#include "gateway/gw_multipart.h"
#include "gateway/gw_options.h"

/* ---- gw_job.c ---- */

/* Non-zero when `format` is one of the job's outputs (`outputs_json`: the options' outputs array as text). */
int gw_job_has_output(const char *outputs_json, const char *format);
/* The output format of path parameter `i` (engine/eng_format.h; one that exists per page when `per_page`), or
 * a 400 naming the formats and NULL. */
__attribute__((warn_unused_result)) const eng_output_t *gw_path_format(gw_req_t *r, int i, int per_page);

/* Runs a statement with $1 the job of the path and $2 the caller's app (a malformed id is a 404); the job
 * id is copied into job_id (37 bytes, from the handler's state) first. */
void gw_job_call(gw_req_t *r, char job_id[37], db_stmt_id_t id, gw_db_cb_t cb);
/* For a DB_RGN_JOB_GET result: answers 404 (no such job of this app) or 410 (past retention) and returns 1;
 * 0 when the job is there. */
int gw_job_gone(gw_req_t *r, PGresult *res);
/* A copy of a job object with its keys in the order of API.md (nested objects too), its options in the key
 * order of `option_order` (gw_options_defaults: the options table's order) and its results in the order of
 * its outputs; keys the order does not name follow in their own order. Pure; a new reference. */
json_t *gw_job_ordered(const json_t *job, const json_t *option_order);
/* The job object of API.md from job_json()'s text, keys in the documented order (new reference; NULL when
 * the text is not JSON). */
json_t *gw_job_object(gw_req_t *r, const char *job_json);
/* The page number of path parameter `i` (1..1000000), or a 404 and -1. */
__attribute__((warn_unused_result)) int gw_path_page(gw_req_t *r, int i, int *page);
/* For a DB_RGN_JOB_GET result: a 404 and 1 when the document's page count is known and below `page`. */
int gw_page_beyond(gw_req_t *r, PGresult *res, int page);
/* A page with nothing stored: 404 "page N has no <what>" in a finished job (it never will have), 202 with
 * Retry-After while it is `still_coming`. */
void gw_page_not_stored(gw_req_t *r, const char *job_id, int page, int still_coming, const char *what);
/* Sends job_json()'s text as the job object with `status`. */
void gw_send_job(gw_req_t *r, int status, const char *job_json);
/* A worker of this node looks for work now (after a request queued a job; a spare wake-up costs one empty
 * claim). */
void gw_job_wake(gw_req_t *r);
/* Sends an options error (its details are taken); through gw_fail_counted when `counted`. */
void gw_send_opt_error(gw_req_t *r, gw_opt_error_t *e, int counted);

/* ---- gw_job_create.c ---- */

/* POST /v1/jobs for a surface whose document does not come as the request's body (it was decoded from it):
 * `options` (normalized, stolen), the document's bytes (alive until the request ends), its declared type (may
 * be NULL) and name (may be NULL). Admits the document, honours Idempotency-Key and stores the job counted,
 * exactly as POST /v1/jobs; answers through the surface's on_job (gw_surface_t; or as v1), errors through
 * gw_send_error. */
void gw_job_create_doc(gw_req_t *r, json_t *options, const char *data, size_t len, const char *declared,
                       const char *name);

/* ---- gw_job_image.c ---- */

/* The stored image of `page` of job `job_id` (found and allowed by the caller) as a PNG scaled into w x h (0:
 * unbounded; never above the page) on the offload pool: 200, 202 while the page is `still_coming`, 404 when
 * it has none. */
void gw_job_image_send(gw_req_t *r, const char *job_id, int page, int w, int h, int still_coming);
/* width and height from the query: 1..10000 each, both optional (0 = unbounded; width `def_w` when neither is
 * given), never above the page. Other parameters and bad values are a 400 (sent; returns -1). */
__attribute__((warn_unused_result)) int gw_job_image_box(gw_req_t *r, int def_w, int *w, int *h);

/* ---- gw_job_doc.c ---- */

/* A document admitted for a job: points into the request's body (alive as long as the request). */
typedef struct {
    const char *data;
    size_t len;
    const char *content_type; /* static: the type the bytes were recognized as */
    int pages;                /* from the headers; 0 for a PDF (counted by the worker) */
    char name[256];           /* the form's file name, last path component, UTF-8 */
    int has_name;
} gw_job_doc_t;

/* Checks document bytes: emptiness, the tier's size, format by content (a declared Content-Type, may be
 * NULL, must be a document type or application/octet-stream), page and pixel limits from the headers. Sends
 * the error itself (counted first, gw_fail_counted) and returns -1; fills *doc on success. */
__attribute__((warn_unused_result)) int gw_job_doc_check(gw_req_t *r, const char *data, size_t len,
                                                         const char *declared, size_t dlen,
                                                         gw_job_doc_t *doc);
/* The `pages` option of `options` (the normalized object) against an image document's page count, known at
 * upload: a selection that names none of its pages is 400 InvalidInput (sent counted; returns -1). A PDF's
 * pages are counted by the worker, which fails such a job instead. */
__attribute__((warn_unused_result)) int gw_job_doc_pages(gw_req_t *r, const json_t *options,
                                                         const gw_job_doc_t *doc);
/* The parts of a multipart/form-data job upload: at most one `file` and one `options`, nothing else. The
 * parts point into the body and into `parts` (GW_JOB_FORM_PARTS entries, which must outlive them). Sends the
 * error itself (counted) and returns -1; *file and *options are NULL when absent. */
#define GW_JOB_FORM_PARTS 8
__attribute__((warn_unused_result)) int gw_job_doc_form(gw_req_t *r, const char *ctype, size_t ctlen,
                                                        h2o_iovec_t body, gw_part_t *parts,
                                                        const gw_part_t **file, const gw_part_t **options);
/* The file name of a form's file part into doc (its last path component, when it is UTF-8). */
void gw_job_doc_name(const gw_part_t *file, gw_job_doc_t *doc);

#endif
