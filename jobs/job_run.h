/*
 * job_run: what one worker does with the database and the engine: claim a scheduled job under a lease and
 * prepare it into page tasks, or claim a page task and recognize it through eng_page_process (storing the
 * page, its one-page searchable PDF when asked for, and the progress in one fenced statement); the worker
 * that stores the last page assembles the whole-document outputs (the searchable PDF merged from the pages'
 * own, eng_pdf_merge.h) and completes the job (job_store.h); and the sweep (jobs past retention purged, old
 * idempotency keys dropped; expired leases are re-queued by the lease keeper, job_lease.h). Every write is
 * fenced on the worker's name and the attempt, so a worker that lost its lease changes nothing.
 *
 * Threads: all of it runs on one worker thread of the pool (job_pool.c), on that worker's own blocking
 * connection and recognizer. A job_t lives on that thread's stack.
 */
#ifndef OCRGATE_JOB_RUN_H
#define OCRGATE_JOB_RUN_H

#include "jobs/job_worker.h"

/* What a claim found. */
enum {
    JOB_CLAIM_NONE, /* nothing claimable (or the database is away) */
    JOB_CLAIM_GOT,  /* *j holds a job or a page task */
    JOB_CLAIM_MORE, /* as GOT, and its app has more queued behind it */
    JOB_CLAIM_BUSY  /* nothing, but a turn another claimer held was skipped: claim again at once */
};
/* Claims, under a lease of cfg->job_lease_s, the next step in the fair order, round-robin over licenses then
 * apps (task_claim, sql/region/013): within an app its oldest scheduled job (to prepare, or to run whole),
 * else its next page task. One of JOB_CLAIM_*. */
int job_claim(job_worker_t *wk, job_t *j);
/* Runs a claimed job or task to its end: a job prepared into page tasks (or failed, canceled), a page
 * recognized and stored (and, when it was the last, the job assembled and completed); or until its lease is
 * lost. */
void job_process(job_worker_t *wk, job_t *j);
/* The sweep: one worker of each node runs it every sweep_interval_ms. */
void job_sweep(job_worker_t *wk);

#endif
