/*
 * job_pool: the job runner inside `ocrgate serve`. cfg_engine_workers(cfg) worker threads, each with its own
 * blocking connection to the region database (re-established after an outage) and its own warm recognizer,
 * claim and run jobs (job_run.h); idle workers wait for a wake-up or the queue poll interval (the safety
 * net). Wake-ups come from the gateway (a job queued on this node), from a seed (its pages), from a worker
 * whose claim left more queued in its app, and from the lease keeper (job_lease.h), which renews the leases
 * of the jobs being worked on and hears the region's notifications of claimable work. A claim that answered
 * "busy" (it skipped a turn another claimer held) is made again at once. Worker 0 also runs the sweep.
 *
 * Threads: start and stop on the main thread, which owns the pool; wake, request_stop and stats from any
 * thread (the gateway's loop threads wake the pool after queueing a job and read its stats). The pool stays
 * valid until job_pool_stop returns, so its users must be stopped before that.
 */
#ifndef OCRGATE_JOB_POOL_H
#define OCRGATE_JOB_POOL_H

#include <stddef.h>

#include "config/cfg.h"

typedef struct job_pool job_pool_t;

/* Re-queues the jobs this node (node_id, the name its leases carry) held when it last stopped, then starts
 * the workers. NULL with a sentence in err when the database cannot be reached. cfg must outlive the pool. */
job_pool_t *job_pool_start(const cfg_t *cfg, const char *node_id, char *err, size_t errlen);
/* Wakes one idle worker (or the next to wait): work was queued on this node or announced by the region.
 * NULL-safe. */
void job_pool_wake(job_pool_t *p);
/* Asks the workers to stop and returns at once: each finishes the page it is on, stores it and gives its job
 * back. The pool stays readable (stats) until job_pool_stop. NULL-safe, idempotent. */
void job_pool_request_stop(job_pool_t *p);
/* Requests the stop, joins the workers and the lease keeper, frees p. NULL-safe. */
void job_pool_stop(job_pool_t *p);
/* Snapshot for /v1/serverload and metrics: busy and total workers, jobs finished and pages recognized so far.
 * A NULL pool reads as all zero. */
void job_pool_stats(job_pool_t *p, int *busy, int *total, unsigned long long *jobs,
                    unsigned long long *pages);

#endif
