/*
 * eng_worker: the engine's worker pool inside `ocrgate serve`. Each worker thread has its own blocking
 * connection to the region database and its own warm recognizer (eng_ocr_t). Workers claim scheduled jobs
 * with FOR UPDATE SKIP LOCKED under a lease, recognize page by page (storing each page and the progress in
 * one fenced statement), assemble the whole-document outputs and complete the job, fenced on worker and
 * attempt. One worker also runs the sweeper: expired leases are re-queued, jobs past retention are purged.
 *
 * eng_workers_wake() may be called from any thread (the gateway's loop threads call it after queueing a job);
 * the rest is for the main thread.
 */
#ifndef OCRGATE_ENG_WORKER_H
#define OCRGATE_ENG_WORKER_H

#include "config/cfg.h"

typedef struct eng_workers eng_workers_t;

/* Starts cfg_engine_workers(cfg) threads. node_id names this node in leases; jobs it held when it last
 * stopped are re-queued first. */
eng_workers_t *eng_workers_start(const cfg_t *cfg, const char *node_id, char *err, size_t errlen);
/* Wakes one idle worker: a job was queued on this node. */
void eng_workers_wake(eng_workers_t *w);
/* Asks workers to stop: each finishes the page it is on, stores it and gives its job back. Then joins them
 * and frees w. */
void eng_workers_stop(eng_workers_t *w);
/* Snapshot for /v1/serverload and metrics: busy and total workers, jobs finished and pages recognized so far.
 */
void eng_workers_stats(eng_workers_t *w, int *busy, int *total, unsigned long long *jobs,
                       unsigned long long *pages);

#endif
