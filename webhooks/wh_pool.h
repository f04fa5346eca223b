/*
 * wh_pool: the webhook delivery threads inside `ocrgate serve`. `webhook_threads` threads, each with its own
 * blocking connection to the region database (LISTENing for new messages, re-established after an outage)
 * and its own libcurl handle, claim one due message of the outbox at a time (FOR UPDATE SKIP LOCKED under a
 * lease of WH_LEASE_S, so several nodes share the work and never send one message at the same time), sign
 * it, send it (wh_send.h) and record the attempt with the next one scheduled (wh_schedule.h). The first
 * thread also gives back, once connected, what this node held when it last stopped, and drops finished
 * messages after 30 days.
 *
 * Threads: start and stop on the main thread, which owns the pool; stats from any thread (the metrics
 * handler). Never on an event-loop thread. The pool stays valid until wh_pool_stop returns.
 */
#ifndef OCRGATE_WH_POOL_H
#define OCRGATE_WH_POOL_H

#include <stddef.h>

#include "config/cfg.h"

/* A claimed message is not sent again by anyone for this long: well over an attempt's 15 s. */
#define WH_LEASE_S 60

typedef struct wh_pool wh_pool_t;

/* Starts the threads (none when webhook_threads is 0: a pool that delivers nothing). The database need not
 * be reachable yet. cfg must outlive the pool; node_id names this node's claims ("<node_id>/wh<n>"). NULL
 * with a sentence in err when a thread cannot be started. */
wh_pool_t *wh_pool_start(const cfg_t *cfg, const char *node_id, char *err, size_t errlen);
/* Asks the threads to stop and returns at once; an attempt under way is cut short and its message given
 * back. NULL-safe, idempotent. */
void wh_pool_request_stop(wh_pool_t *p);
/* Requests the stop, joins the threads, frees p. NULL-safe. */
void wh_pool_stop(wh_pool_t *p);
/* Attempts this node made since it started: answered with 2xx, and failed. A NULL pool reads as zero. */
void wh_pool_stats(wh_pool_t *p, unsigned long long *delivered, unsigned long long *failed);

#endif
