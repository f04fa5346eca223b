/*
 * wh_send: one delivery attempt, a signed POST with libcurl. 15 s for the whole exchange, redirects never
 * followed (a 3xx is a failed attempt), no proxy from the environment, https only unless the policy allows
 * http, every address connected to checked by the target guard (wh_target.h), the response body read up to
 * WH_BODY_LIMIT bytes and then the transfer cut (its status still counts).
 *
 * Runs on a delivery thread (it blocks). The CURL handle belongs to that thread and is reused, so connections
 * to a receiver are kept alive between deliveries.
 */
#ifndef OCRGATE_WH_SEND_H
#define OCRGATE_WH_SEND_H

#include <curl/curl.h>
#include <stddef.h>

#include "webhooks/wh_target.h"

#define WH_TIMEOUT_MS 15000
#define WH_BODY_LIMIT 65536

typedef struct {
    const char *url;
    const char *msg_id;
    long long timestamp;   /* webhook-timestamp, epoch seconds */
    const char *signature; /* webhook-signature: one or more "v1,..." separated by spaces */
    const char *body;
    size_t len;
} wh_message_t;

typedef struct {
    long status;             /* HTTP status, 0 when no answer came */
    long long latency_ms;    /* from the start of the attempt to its end */
    long long retry_after_s; /* the answer's Retry-After, -1 when none */
    char error[256];         /* why the attempt failed; empty when the status is 2xx */
} wh_result_t;

/* Sends `m`; fills `out` in every case. `stop` (may be NULL, read atomically) cuts the transfer short when it
 * turns non-zero; the result then says so and must not be recorded as the receiver's answer. */
void wh_send(CURL *curl, const wh_target_policy_t *policy, const wh_message_t *m, const int *stop,
             wh_result_t *out);

#endif
