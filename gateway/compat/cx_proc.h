/*
 * cx_proc: the process manager, POST /v1/processes/{processType} and GET
 * /v1/processes/{processType}/{processId} with their deprecated aliases under /v4 (README "Process manager").
 * A process is a job: processId is the job id, `input` carries the document as base64 with the v1 options
 * under their v1 names, and the errors are the reference's (480 for the input, 580 internal).
 *
 *   cx_proc.c         the handlers, the state mapping, the answer
 *   cx_proc_input.c   the request body: JSON and base64, pure (decoded on the offload pool when large)
 *
 * Handlers run on the request's loop thread; cx_proc_input on any thread (see its functions).
 */
#ifndef OCRGATE_CX_PROC_H
#define OCRGATE_CX_PROC_H

#include <jansson.h>
#include <stddef.h>

#include "gateway/gw.h"

void cx_h_process_create(gw_req_t *r);
void cx_h_process_get(gw_req_t *r);

/* The request body of POST /v1/processes, decoded: `input` with its `document` bytes. */
typedef struct {
    json_t *input;       /* the input object without document (owned) */
    unsigned char *data; /* the decoded document (malloc'ed, owned) */
    size_t len;
    /* on failure: the v1 status (400), the reference's errorCode and the field at fault */
    int status;
    const char *code;
    char field[64];
    char message[200];
} cx_proc_input_t;

/* Parses the body (JSON object with exactly `input`, whose `document` is standard base64 and whose
 * `contentType` is a string). Pure: any thread. Returns 0, or -1 with status, code, field and message set.
 * Call cx_proc_input_free afterwards either way. */
int cx_proc_input_parse(const char *body, size_t len, cx_proc_input_t *in);
void cx_proc_input_free(cx_proc_input_t *in);

#endif
