/*
 * cx_proc_input: the body of POST /v1/processes/{processType} (cx_proc.h), {"input": {...}} whose `document`
 * is the document in standard base64. Pure and thread-agnostic (the handler runs it on the offload pool for
 * large bodies); what it returns in cx_proc_input_t is owned by that struct until cx_proc_input_free.
 */
#ifndef OCRGATE_CX_PROC_INPUT_H
#define OCRGATE_CX_PROC_INPUT_H

#include <jansson.h>
#include <stddef.h>

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
