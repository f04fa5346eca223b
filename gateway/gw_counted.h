/*
 * gw_counted: refusals for routes that count their own requests (GW_QUOTA_OWN: job creation counts the
 * request in the same statement that stores the job). A refusal before that statement must still be counted,
 * so it is sent once the quota has been taken (or as the 429 when the quota is used up). Loop thread.
 */
#ifndef OCRGATE_GW_COUNTED_H
#define OCRGATE_GW_COUNTED_H

#include "gateway/gw.h"

/* Counts the request against the quota, then sends the error (or 429 if the quota is used up); `details` is
 * stolen. Sends at once when the request has been counted already. */
void gw_fail_counted(gw_req_t *r, int status, const char *code, json_t *details, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
