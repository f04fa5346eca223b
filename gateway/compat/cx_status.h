/*
 * cx_status: the task status resource, GET /v1/status/{taskId} (README "Task status resource"), over the v1
 * jobs: the task id is the job id, and the answer is PENDING, PROGRESS, SUCCESS (with the recognition's
 * header, layout and words) or FAILURE.
 *
 * The handler runs on the request's loop thread. cx_status_result is pure (any thread); the json_t it returns
 * is new and owned by the caller.
 */
#ifndef OCRGATE_CX_STATUS_H
#define OCRGATE_CX_STATUS_H

#include <jansson.h>

#include "gateway/gw.h"

void cx_h_task_status(gw_req_t *r);

/* The SUCCESS `result` of a completed job: `job` is the v1 job object, `pages` the page objects of its JSON
 * result in page order (each {"page", "width", "height", "confidence", "words": [...]}, NULL for a page
 * without one). NULL only when memory runs out. */
json_t *cx_status_result(const json_t *job, json_t *const *pages, int npages);

#endif
