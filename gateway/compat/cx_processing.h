/*
 * cx_processing: the per-result endpoints GET /processing/results/{processing_id}/{ocr, hocr, page-images,
 * page-images/{page_num}, thumbnail} and synchronous POST /processing/{workflow} (README "Per-result
 * endpoints and synchronous processing"). The processing id is the job id; the statuses are the reference's
 * table: 202 while the job runs, 403 for a job of another app of the same license, 422 for a validation
 * error, 429 for the quota or a document over the tier's size, 500 when the job failed.
 *
 *   cx_processing.c       the results endpoints, the status mapping and the full result
 *   cx_processing_sync.c  POST /processing/{workflow}: the v1 creation, then waiting for the job's end
 *   cx_processing_wait.c  the node's waiting requests and the listener that wakes them (its own thread)
 *
 * Handlers run on the request's loop thread. Every json_t returned is new and owned by the caller.
 */
#ifndef OCRGATE_CX_PROCESSING_H
#define OCRGATE_CX_PROCESSING_H

#include "gateway/gw.h"

void cx_h_proc_ocr(gw_req_t *r);
void cx_h_proc_hocr(gw_req_t *r);
void cx_h_proc_page_images(gw_req_t *r);
void cx_h_proc_page_image(gw_req_t *r);
void cx_h_proc_thumbnail(gw_req_t *r);
void cx_h_processing(gw_req_t *r);

/* The surface's status for a v1 error (its gw_surface_t error_map): 400 and 415 are 422, 409 (a failed or
 * canceled job) is 500, 413 is 429 (the reference's "uploaded document too large"), 410 is 404. */
int cx_processing_error_map(int status, const char **code);
/* The 202 of a job that is not done: the error body's shape with the processing id and the job's status. */
void cx_processing_pending(gw_req_t *r, const char *id, const char *status, const char *location);
/* The full result of a completed job: `job_json` the v1 job object's text, `pages` the rows of
 * DB_RGN_JOB_PAGES_ALL. NULL when a stored page cannot be read. */
json_t *cx_processing_full(const char *job_json, PGresult *pages);
/* The whole document's result in `format` (json or hocr) assembled from DB_RGN_JOB_PAGES_ALL rows, as the
 * worker assembles its outputs (malloc'ed; NULL on out-of-memory). */
char *cx_processing_render(PGresult *pages, const char *format, const char *doc_name);

/* cx_processing_wait.c: a request waiting for its job's final state, woken by the job's announcement (the
 * region database's NOTIFY, from whichever node finished it; one listening connection per node, on a thread
 * of its own). `woken` runs on the request's loop thread, with timed_out 0 each time the job may have
 * finished (the caller reads it and calls cx_wait_end once it answers), or once with timed_out 1 after
 * sync_timeout_ms, after which the waiter is gone. The waiter holds a reference on the request; when the
 * client leaves, `woken` is no longer called and the waiter goes at its next wake-up or time-out. */
typedef struct cx_waiter cx_waiter_t;
typedef void (*cx_woken_cb)(gw_req_t *r, int timed_out);
cx_waiter_t *cx_wait_job(gw_req_t *r, const char *job_id, cx_woken_cb woken);
void cx_wait_end(cx_waiter_t *w);
/* At drain, on the main thread once the loop threads are joined (no request waits any more): stops the
 * listener thread, if one was started, closes its connection and joins it. */
void cx_wait_stop(void);

#endif
