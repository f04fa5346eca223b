/*
 * job_store: the fenced writes of a run: one page's result with the progress, the whole-document outputs
 * rendered from the stored pages (through the formats table), and the end of a job. Each is fenced on the
 * worker's name and the attempt (of the job, or of the page task): a worker that lost its lease changes
 * nothing.
 *
 * Threads: the worker thread that owns `wk`.
 */
#ifndef OCRGATE_JOB_STORE_H
#define OCRGATE_JOB_STORE_H

#include "jobs/job_worker.h"

/* Finishes the job; status completed | failed | canceled. Fenced on the job's lease (a whole-job run) or on
 * the assembling task (j->task 0). 0, or -1 when the lease was lost. */
int job_finish(job_worker_t *wk, const job_t *j, const char *status, const char *code, const char *message,
               const char *progress);
/* One page as stored. */
typedef struct {
    int page, npages;             /* the document's page number, and its page count */
    int done, selected;           /* pages of the `pages` selection done with this one, and selected in all */
    const char *status;           /* completed | failed | blank | skipped */
    const char *error;            /* why it failed, or NULL */
    const eng_page_result_t *res; /* its results (status completed, failed: engine figures), or NULL */
    const unsigned char *png;     /* the page as processed, or NULL */
    size_t png_len;
    int image_is_document; /* png points at the document's bytes, which are its image: stored as such */
    const char *barcodes;  /* its barcodes (JSON array) when the job detects them, or NULL */
    /* Its one-page searchable PDF when the job asks for one (page tasks only): NULL when the page has no
     * place in it; a non-NULL pointer with pdf_len 0 when the renderer failed on it (the job then gets no
     * PDF). */
    const unsigned char *pdf;
    size_t pdf_len;
} job_page_t;

/* Stores one page's result: 1 when cancel was requested, 0 to go on, -1 when the lease is lost. */
int job_store_page(job_worker_t *wk, const job_t *j, const job_page_t *pg);
/* Stores one page of a page-parallel run and deletes its task (fenced on the task): 2 when it was the last
 * page (the worker now holds the assembling task, attempt 1), 1 when cancel was requested, 0 to go on, -1
 * when the task is no longer this worker's (its page changed nothing). */
int job_store_task(job_worker_t *wk, const job_t *j, const job_page_t *pg);
/* Assembles and stores the whole-document outputs (pdf: the searchable PDF or NULL) and completes the job, in
 * one transaction; a job whose every page failed fails instead. */
int job_complete(job_worker_t *wk, const job_t *j, int npages, int failed_pages, int timeouts,
                 const unsigned char *pdf, size_t pdf_len);
/* A one-page job run whole by the worker that prepared it: records its page count, fenced on the job's lease.
 * 0 to run it, 1 when cancel was requested, -1 when it is not for this worker to run whole (the lease is
 * lost, or the license's tier caps its pages in recognition: such pages go through the fair claim). */
int job_start_single(job_worker_t *wk, const job_t *j, int npages);
/* Stores the one page of a one-page job and completes (or fails) the job with the whole-document outputs
 * made from the page in memory, and `pdf` as its searchable PDF (NULL: none), in one transaction (timed_out:
 * a failed page ran out of time). 1 when cancel was requested (the page is stored, the job not finished), 0
 * done, -1 when the lease is lost. */
int job_complete_page(job_worker_t *wk, const job_t *j, const job_page_t *pg, int timed_out,
                      const unsigned char *pdf, size_t pdf_len);

#endif
