/*
 * job_worker: one worker of the pool as the run sees it (its name in leases, its connection, its recognizer),
 * the job it claimed, and the statement runner every write of a run goes through. The bottom of jobs/.
 *
 * Threads: a job_worker_t is used by its own worker thread only (the pool creates and frees it); counters are
 * shared with the pool and added to atomically.
 */
#ifndef OCRGATE_JOB_WORKER_H
#define OCRGATE_JOB_WORKER_H

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
    char owner[300];                       /* "<node id>/<index>": the name this worker's leases carry */
    PGconn *conn;                          /* NULL while disconnected */
    unsigned char prepared[DB_STMT_COUNT]; /* the statements prepared on conn (zeroed when it is dropped) */
    int lost_db;                           /* the connection broke while this worker held a job */
    eng_ocr_t *ocr;
    job_lease_t *lease; /* the pool's keeper; this worker's slot is `index` */
    job_counters_t *counters;
    struct job_pool *pool; /* to wake the node's idle workers when a job's pages are queued */
    /* The document of the last job this worker worked on, kept for its next page of that job: its id, the
     * bytes (binary result) and, for a PDF, the document opened once (it points into those bytes). */
    char doc_job[37];
    PGresult *doc;
    struct eng_pdfin *doc_pdf;
} job_worker_t;

/* What a claim took: the job itself (task -1: preparing it, or a whole-job run), one of its pages (task >= 1)
 * or the assembling of its whole-document outputs (task 0). */
#define JOB_TASK_JOB (-1)
#define JOB_TASK_ASSEMBLE 0

/* One claimed job or page task; attempt is the job's (task -1) or the task's. */
typedef struct {
    char id[37], attempt[16], app[37];
    int task;
    int doc_pages, selected, dpi; /* tasks: the document's pages, pages selected, the page's resolution */
    int attempt_no, max_attempts, stored_pages, max_pages;
    long long max_pixels;
    job_opts_t opts;
    char name[256];
} job_t;

/* Runs a statement on the worker's connection; on failure logs and, when the connection broke, drops it (the
 * pool reconnects) and marks lost_db. The caller PQclear()s the result. */
PGresult *job_exec(job_worker_t *wk, db_stmt_id_t id, const char *const *params, const int *lengths);
/* Drops the kept document (job_worker_t.doc). */
void job_worker_forget_doc(job_worker_t *wk);

#endif
