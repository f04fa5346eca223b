/*
 * cx_proc: the process manager, POST /v1/processes/{processType} and GET
 * /v1/processes/{processType}/{processId} with their deprecated aliases under /v4 (README "Process manager").
 * A process is a job: processId is the job id, `input` carries the document as base64 with the v1 options
 * under their v1 names, and the errors are the reference's (480 for the input, 580 internal).
 *
 *   cx_proc.c         the handlers, the state mapping, the answer
 *   cx_proc_input.c   the request body: JSON and base64, pure (decoded on the offload pool when large)
 *
 * Handlers run on the request's loop thread.
 */
#ifndef OCRGATE_CX_PROC_H
#define OCRGATE_CX_PROC_H

#include "gateway/compat/cx_proc_input.h"
#include "gateway/gw.h"

void cx_h_process_create(gw_req_t *r);
void cx_h_process_get(gw_req_t *r);

#endif
