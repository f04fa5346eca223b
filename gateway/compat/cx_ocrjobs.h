/*
 * cx_ocrjobs: the ownOCR Server compatible API (ForIT Solutions' "ownOCR Server RESTful Web Services API",
 * v1.3.1) served under the `ocrjobs_prefix` config key (default /ocrjobs). It is a surface over the v1 job
 * core, not a second one: each action runs the v1 handler of the same step (gateway/gw_job_*.c,
 * gw_template.c) on the same jobs with the same admission, region rules, quota, analytics and engine, and
 * reshapes the v1 answer (gw_req_t.reshape) into the reference's shapes: the PascalCase job object, bare
 * integers and strings, and the ApiResponse error object (v1's errorCode and request id carried as ErrorCode
 * and RequestId).
 *
 *   cx_ocrjobs_core.c     the prefix and route table, the request state, the hand-off to v1, ApiResponse
 * errors, the caller's visible apps, the Id of the path, answers with job objects cx_ocrjobs_job.c      the
 * job object: a v1 job or template row mapped to the reference's members (pure) cx_ocrjobs_opts.c     the
 * reference's option members to and from v1 options, language names (pure) cx_ocrjobs_actions.c  create,
 * createfromtemplate, createtemplate, setoptions, upload, schedule, status, download, info, cancel, delete
 *   cx_ocrjobs_lists.c    query, all, allbystatus, count, runningcount, templates
 *   cx_ocrjobs_info.c     languages, version, test, name, nameversion, stats, serverload, guid,
 * supportedexts, folders, openapi.json
 *
 * Everything runs on the request's loop thread. Every json_t returned is new and owned by the caller.
 */
#ifndef OCRGATE_CX_OCRJOBS_H
#define OCRGATE_CX_OCRJOBS_H

#include <libpq-fe.h>

#include "gateway/gw.h"
#include "gateway/gw_router.h"

/* ---- cx_ocrjobs_core.c ---- */

/* When the request's path is under the prefix: 1, *path is the rest of it ("/create"), and errors sent from
 * now on are ApiResponse objects. 0 otherwise. */
int cx_ocrjobs_claim(gw_req_t *r, h2o_iovec_t *path);
extern const gw_route_t cx_ocrjobs_routes[];
extern const size_t cx_ocrjobs_nroutes;

/* What the v1 handler answered, when it succeeded (2xx other than 202). */
typedef void (*cx_done_t)(gw_req_t *r, int status, const char *content_type, const char *body, size_t len);

/* The surface's request state (from the request's pool; released with it). */
typedef struct {
    json_t *apps;  /* app id -> app name, every app the caller may see (owned) */
    char *visible; /* the same ids as a PostgreSQL array literal, for $1 of the DB_RGN_OCR_* statements */
    int admin;     /* admitted with the license's admin key */
    char user[37]; /* the caller's own app (empty for the admin key) */
    void (*after_apps)(gw_req_t *r); /* cx_with_apps */
    void (*next)(gw_req_t *r);       /* cx_resolve */
    cx_done_t done;
    /* the job or template of the path (cx_resolve) */
    int is_template;
    char id[37];
    char app[37];
    char v1_status[16];
    json_t *object;     /* its ownOCR job object (owned) */
    json_t *v1_options; /* its v1 options (owned) */
    long long ocr_id;
    char arg[40]; /* the path's id, as given */
    char ext[16]; /* the path's extension (upload, download), lower case; "?" when too long */
} cx_req_t;

cx_req_t *cx_state(gw_req_t *r);
/* Sends a 200 with any JSON value (stolen), also a bare integer, string or boolean. */
void cx_send_value(gw_req_t *r, json_t *v);
/* Sends the ApiResponse error object. */
void cx_send_error(gw_req_t *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same for a route that counts its own request (GW_QUOTA_OWN): counted first (gw_counted.h). */
void cx_fail_counted(gw_req_t *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Reads the apps the caller may see (its own, or every app of the license for the admin key), then next(r).
 */
void cx_with_apps(gw_req_t *r, void (*next)(gw_req_t *r));
/* The job or template named by path parameter `i` (its integer Id, or its Guid), among the visible apps, into
 * the state, then next(r); 404 when there is none. For the admin key, who.app_id becomes the job's app, so
 * that the v1 handler acts on it (and the request is recorded in that app's analytics). */
void cx_resolve(gw_req_t *r, int i, void (*next)(gw_req_t *r));
/* Runs a v1 handler on the resolved job or template (path parameter 0 = its uuid, `param1` the second one or
 * NULL); its errors become ApiResponse objects (409 -> 400, 410 -> 404, 202 -> 400), its success goes to
 * done. */
void cx_v1(gw_req_t *r, gw_handler_t handler, const char *param1, cx_done_t done);
/* Replaces the request's body and Content-Type for the v1 handler that follows (the body is copied). */
void cx_set_body(gw_req_t *r, const char *content_type, const char *body, size_t len);
/* Replaces the query string the v1 handler sees (NULL: none). */
void cx_set_query(gw_req_t *r, const char *query);
/* Sends rows of a DB_RGN_OCR_* statement as job objects: the first one (404 when there is none), or all of
 * them as an array. */
void cx_send_rows(gw_req_t *r, PGresult *res, int as_array);
/* A done callback: reads the job or template whose uuid is in the v1 answer's `key` and sends it. */
void cx_send_by_v1_id(gw_req_t *r, const char *body, size_t len, const char *key);
/* The ownOCR job object of one row of a DB_RGN_OCR_* statement (new reference, NULL when unreadable). */
json_t *cx_row_object(gw_req_t *r, PGresult *res, int row);

/* ---- cx_ocrjobs_job.c ---- */

/* The reference's Status of a v1 status (created and canceled 0, scheduled 1, processing 2, completed 3,
 * failed 4); -1 for an unknown one. */
int cx_status_code(const char *v1_status);
/* v1 statuses of a reference Status (NULL-terminated, static), or NULL for one out of 0..4. */
const char *const *cx_status_names(long code);
/* The job object of the reference from a v1 job object (job_json) or template object (template_json) and the
 * surface's columns: Id, TemplateId (NULL: none), barcodes (ocr_barcodes' array), the app's name. */
json_t *cx_job_object(const json_t *v1, int is_template, long long ocr_id, const char *template_ocr_id,
                      const json_t *barcodes, const char *user_name);
/* A v1 time ("...Z", or NULL) in the reference's form, with its offset: "2021-01-06T21:10:57.208+00:00". */
json_t *cx_time(const json_t *v1_time);

/* ---- cx_ocrjobs_opts.c ---- */

/* The reference's option members of a job object (`in`, what a client sent to create, createtemplate or
 * setoptions; NULL for none) as v1 options, added to `out` (an object). Members the reference marks read-only
 * are ignored, so that a job object read back can be sent again. `base` is the job's or template's current v1
 * options (setoptions: the output flags change its outputs), or NULL on creation: then members the client
 * left out take the reference's defaults where they differ from v1's (PdfOutput true and the other outputs
 * false, MinConfidence 60, RenderResolution 200, BlankPagesMaxNoise 0.5, RetentionDays the tier's maximum,
 * NrOfOCRThreads 2). On a refusal returns -1 with a sentence naming the member in err. */
__attribute__((warn_unused_result)) int cx_opts_to_v1(const json_t *in, const json_t *base,
                                                      int max_retention_days, json_t *out, char *err,
                                                      size_t errlen);
/* The reference's option members of v1 options, set on `job`. */
void cx_opts_from_v1(const json_t *options, json_t *job);
/* The English name of a tesseract language ("deu" -> "German"), or the code itself when it has none. */
const char *cx_language_name(const char *code);
/* The member of the reference a v1 option is set from ("dpi" -> "RenderResolution"), or NULL. */
const char *cx_member_of(const char *v1_option);

/* ---- actions, lists, info: the route table's handlers ---- */
void cx_h_create(gw_req_t *r);
void cx_h_createfromtemplate(gw_req_t *r);
void cx_h_createtemplate(gw_req_t *r);
void cx_h_setoptions(gw_req_t *r);
void cx_h_upload(gw_req_t *r);
void cx_h_schedule(gw_req_t *r);
void cx_h_status(gw_req_t *r);
void cx_h_download(gw_req_t *r);
void cx_h_info(gw_req_t *r);
void cx_h_cancel(gw_req_t *r);
void cx_h_delete(gw_req_t *r);
void cx_h_query(gw_req_t *r);
void cx_h_all(gw_req_t *r);
void cx_h_allbystatus(gw_req_t *r);
void cx_h_count(gw_req_t *r);
void cx_h_runningcount(gw_req_t *r);
void cx_h_templates(gw_req_t *r);
void cx_h_languages(gw_req_t *r);
void cx_h_version(gw_req_t *r);
void cx_h_test(gw_req_t *r);
void cx_h_name(gw_req_t *r);
void cx_h_nameversion(gw_req_t *r);
void cx_h_stats(gw_req_t *r);
void cx_h_serverload(gw_req_t *r);
void cx_h_guid(gw_req_t *r);
void cx_h_supportedexts(gw_req_t *r);
void cx_h_folders(gw_req_t *r);
void cx_h_folder(gw_req_t *r);
void cx_h_openapi(gw_req_t *r);

#endif
