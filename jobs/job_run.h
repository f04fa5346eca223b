/*
 * job_run: what one worker does with the database and the engine: claim a scheduled job under a lease, run it
 * page by page through eng_page_process (storing each page and the progress in one fenced statement), then
 * store the whole-document outputs and complete it (job_store.c); and the sweep (expired leases re-queued,
 * jobs past retention purged, old idempotency keys dropped). Every write is fenced on the worker's name and
 * the attempt, so a worker that lost its lease changes nothing.
 *
 * Threads: all of it runs on one worker thread of the pool (job_pool.c), on that worker's own blocking
 * connection and recognizer. A job_t lives on that thread's stack.
 */
#ifndef OCRGATE_JOB_RUN_H
#define OCRGATE_JOB_RUN_H

#include <libpq-fe.h>
#include <stddef.h>

#include "config/cfg.h"
#include "engine/eng_ocr.h"
#include "jobs/job_lease.h"
#include "jobs/job_opts.h"
#include "sql/db.h"

/* Counters of a pool, added to atomically by its workers. */
typedef struct {
    unsigned long long jobs_done, pages_done;
} job_counters_t;

/* One worker as the run sees it; the pool owns it. */
typedef struct {
    const cfg_t *cfg;
    int index;
    char owner[300]; /* "<node id>/<index>": the name this worker's leases carry */
    PGconn *conn;    /* NULL while disconnected */
    int lost_db;     /* the connection broke while this worker held a job */
    eng_ocr_t *ocr;
    job_lease_t *lease;  /* the pool's keeper; this worker's slot is `index` */
    const int *stopping; /* the pool's stop flag (read atomically) */
    job_counters_t *counters;
} job_worker_t;

/* One claimed job. */
typedef struct {
    char id[37], attempt[16], app[37];
    int attempt_no, max_attempts, stored_pages, max_pages;
    long long max_pixels;
    job_opts_t opts;
    char name[256];
} job_t;

/* Runs a statement on the worker's connection; on failure logs and, when the connection broke, drops it (the
 * pool reconnects) and marks lost_db. The caller PQclear()s the result. */
PGresult *job_exec(job_worker_t *wk, db_stmt_id_t id, const char *const *params, const int *lengths);
/* Claims the oldest scheduled job under a lease of cfg->job_lease_s. 1 when *j holds one, 0 when none. */
int job_claim(job_worker_t *wk, job_t *j);
/* Runs a claimed job to its end (completed, failed, canceled), or until its lease is lost or the pool stops
 * (then the job is given back after the page in progress). */
void job_process(job_worker_t *wk, job_t *j);
/* The sweep: one worker of each node runs it every sweep_interval_ms. */
void job_sweep(job_worker_t *wk);

/* job_store.c: the fenced writes of a run. */
/* Finishes the job; status completed | failed | canceled. 0, or -1 when the lease was lost. */
int job_finish(job_worker_t *wk, const job_t *j, const char *status, const char *code, const char *message,
               const char *progress);
/* Stores one page's result: 1 when cancel was requested, 0 to go on, -1 when the lease is lost. */
int job_store_page(job_worker_t *wk, const job_t *j, int page, int npages, const eng_page_result_t *res,
                   const char *status, const char *error, const unsigned char *png, size_t png_len);
/* Assembles and stores the whole-document outputs (pdf: the searchable PDF or NULL) and completes the job, in
 * one transaction; a job whose every page failed fails instead. */
int job_complete(job_worker_t *wk, const job_t *j, int npages, int failed_pages, int timeouts,
                 const unsigned char *pdf, size_t pdf_len);

#endif
