/*
 * gw_json_body: the one gate every JSON request body passes before anything parses it (job options, the
 * form's `options` part, templates, apps). A body over GW_JSON_BODY_MAX bytes is 413 PayloadTooLarge and one
 * nested deeper than GW_JSON_BODY_MAX_DEPTH is 400 MalformedJson, both before a parser sees a byte: parsing
 * runs on the loop thread, and a 20 MB array would hold it for seconds and hundreds of MB.
 *
 * gw_json_text_check is pure (any thread). gw_json_body_check runs on the request's loop thread and answers
 * the refusal itself.
 */
#ifndef OCRGATE_GW_JSON_BODY_H
#define OCRGATE_GW_JSON_BODY_H

#include <stddef.h>

#include "gateway/gw.h"

#define GW_JSON_BODY_MAX 65536
#define GW_JSON_BODY_MAX_DEPTH 16

typedef enum { GW_JSON_OK = 0, GW_JSON_TOO_LARGE, GW_JSON_TOO_DEEP } gw_json_check_t;

/* Size and nesting depth of JSON text (brackets inside strings do not count; the text need not be valid). */
gw_json_check_t gw_json_text_check(const char *text, size_t len);
/* 0 when the text may be parsed; else sends 413 or 400 (through gw_fail_counted when `counted`, for routes
 * that count their own requests) and returns -1. */
__attribute__((warn_unused_result)) int gw_json_body_check(gw_req_t *r, const char *text, size_t len,
                                                           int counted);

#endif
