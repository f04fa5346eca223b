/*
 * job_run: what one worker does with the database and the engine: claim a scheduled job under a lease and
 * prepare it into page tasks, or claim a page task and recognize it through eng_page_process (storing the
 * page, its one-page searchable PDF when asked for, and the progress in one fenced statement); the worker
 * that stores the last page assembles the whole-document outputs (the searchable PDF merged from the pages'
 * own, eng_pdf_merge.h) and completes the job (job_store.h); and the sweep (expired leases re-queued, jobs
 * past retention purged, old idempotency keys dropped). Every write is fenced on the worker's name and the
 * attempt, so a worker that lost its lease changes nothing.
 *
 * Threads: all of it runs on one worker thread of the pool (job_pool.c), on that worker's own blocking
 * connection and recognizer. A job_t lives on that thread's stack.
 */
#ifndef OCRGATE_JOB_RUN_H
#define OCRGATE_JOB_RUN_H

#include "jobs/job_worker.h"

/* Claims, under a lease of cfg->job_lease_s, the oldest scheduled job (to prepare, or to run whole), else the
 * next page task in the fair order (task_claim, sql/region/008). 1 when *j holds one, 0 when none. */
int job_claim(job_worker_t *wk, job_t *j);
/* Runs a claimed job or task to its end: a job prepared into page tasks (or failed, canceled), a page
 * recognized and stored (and, when it was the last, the job assembled and completed); or until its lease is
 * lost. */
void job_process(job_worker_t *wk, job_t *j);
/* Jobs and page tasks whose lease ran out go back to the queue: one worker of each node runs it every half
 * lease (job_lease_s), so that a dead node's pages are taken over within about a lease and a half. */
void job_requeue_expired(job_worker_t *wk);
/* The sweep: one worker of each node runs it every sweep_interval_ms. */
void job_sweep(job_worker_t *wk);

#endif
