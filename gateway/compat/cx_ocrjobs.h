/*
 * cx_ocrjobs: the ownOCR Server compatible API (ForIT Solutions' "ownOCR Server RESTful Web Services API",
 * v1.3.1) served under the `ocrjobs_prefix` config key (default /ocrjobs). It is a surface over the v1 job
 * core, not a second one: each action runs the v1 handler of the same step (gateway/gw_job_*.c,
 * gw_template.c) on the same jobs with the same admission, region rules, quota, analytics and engine, and
 * reshapes the v1 answer (its gw_surface_t reshape hook) into the reference's shapes: the PascalCase job
 * object, bare integers and strings, and the ApiResponse error object (v1's errorCode and request id carried
 * as ErrorCode and RequestId).
 *
 * Its files:
 * - cx_ocrjobs_core.c: prefix and route table, request state, the hand-off to v1, ApiResponse errors, the
 *   caller's visible apps, the Id of the path, answers with job objects.
 * - cx_ocrjobs_job.c and cx_ocrjobs_opts.c (pure, cx_ocrjobs_map.h): the job object from a v1 job or
 * template; the option members to and from v1 options, language names.
 * - cx_ocrjobs_actions.c: create, createfromtemplate, createtemplate, setoptions, upload, schedule, status,
 *   download, info, cancel, delete.
 * - cx_ocrjobs_lists.c: query, all, allbystatus, count, runningcount, templates.
 * - cx_ocrjobs_info.c: languages, version, test, name, nameversion, stats, serverload, guid, supportedexts,
 *   folders, openapi.json.
 *
 * Everything runs on the request's loop thread. Every json_t returned is new and owned by the caller.
 */
#ifndef OCRGATE_CX_OCRJOBS_H
#define OCRGATE_CX_OCRJOBS_H

#include <libpq-fe.h>

#include "gateway/compat/cx_ocrjobs_map.h"
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

/* What the surface's reshape hook does with the next answer gw_send is given: make an error an ApiResponse
 * (every request of the surface starts so), hand v1's answer to the action (cx_v1), or let it out as it is
 * (the surface's own answers). */
typedef enum { CX_ERRORS, CX_V1, CX_AS_IS } cx_mode_t;

/* The surface's request state (gw_req_t.sstate, from the request's pool; released with it). */
typedef struct {
    cx_mode_t mode;
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
