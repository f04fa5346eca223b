/* The worker pool: threads, wake-ups, stats, reconnection (see job_pool.h). */
#include "jobs/job_pool.h"
#include "engine/eng_util.h"
#include "jobs/job_lease.h"
#include "jobs/job_log.h"
#include "jobs/job_run.h"
#include "jobs/job_worker.h"
#include "sql/db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WORKER_RECONNECT_MS 1000
/* A claim that skipped another claimer's turn is retried at once, up to this many times in a row; then with
 * pauses that double from 1 ms up to the last, so that claimers walking past each other's locked turns (every
 * license at its cap), or past a turn a longer transaction holds, cannot spin. */
#define CLAIM_BUSY_RETRIES 8
#define CLAIM_BUSY_PAUSE_MAX_MS 64

struct job_pool {
    const cfg_t *cfg;
    int n;
    pthread_t *threads;
    job_worker_t *workers;
    job_lease_t *lease;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int wakeups;  /* pending wake-ups, so one that arrives before a worker waits is not lost */
    int idle;     /* workers in idle_wait */
    int stopping; /* written under mu, read atomically by the workers before each claim */
    int busy;
    job_counters_t counters;
};

typedef struct {
    job_pool_t *p;
    job_worker_t *wk;
} worker_arg_t;

static int64_t now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

/* Waits for a wake-up, the poll interval, or stop. */
static void idle_wait(job_pool_t *p, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec += 1;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->mu);
    ++p->idle;
    while (!p->stopping && p->wakeups == 0)
        if (pthread_cond_timedwait(&p->cv, &p->mu, &ts) != 0)
            break;
    if (p->wakeups > 0)
        --p->wakeups;
    --p->idle;
    pthread_mutex_unlock(&p->mu);
}

/* More is queued behind a claim: one idle worker of this node (if any waits) looks now. No pending wake-up is
 * left when none waits: every worker claims again when it is done anyway. */
static void wake_idle(job_pool_t *p)
{
    pthread_mutex_lock(&p->mu);
    if (p->idle > p->wakeups) {
        ++p->wakeups;
        pthread_cond_signal(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
}

static int stopping(job_pool_t *p)
{
    return __atomic_load_n(&p->stopping, __ATOMIC_RELAXED);
}

static void set_busy(job_pool_t *p, int delta)
{
    pthread_mutex_lock(&p->mu);
    p->busy += delta;
    pthread_mutex_unlock(&p->mu);
}

/* (Re)connects a worker. Its session commits synchronously: a stored page, a seed and a completed job are on
 * disk before the worker goes on (a client may read them at once, a webhook announces the completion). Only
 * its claims commit without waiting for the disk, each in its own transaction (task_claim, region migration
 * 016, says why that is safe). */
static int reconnect(job_worker_t *wk)
{
    char err[512];
    if ((wk->conn = db_connect(wk->cfg->region_dsn, err, sizeof(err))) == NULL)
        return -1;
    if (wk->lost_db) {
        /* The job this worker held when the database went away is given back at once rather than when its
         * lease runs out; it resumes after its last stored page. */
        const char *p[1] = {wk->owner};
        PGresult *r = job_exec(wk, DB_RGN_REQUEUE_MINE, p, NULL);
        if (r != NULL && PQntuples(r) > 0)
            job_log("info", "worker %d re-queued %d job(s) after losing the database", wk->index,
                    PQntuples(r));
        PQclear(r);
        wk->lost_db = r == NULL;
    }
    return 0;
}

static void *worker_main(void *arg)
{
    job_pool_t *p = ((worker_arg_t *)arg)->p;
    job_worker_t *wk = ((worker_arg_t *)arg)->wk;
    int64_t last_sweep = 0;
    int busy_retries = 0, busy_pause_ms = 1;
    free(arg);
    wk->ocr = eng_ocr_create(p->cfg->tessdata_dir[0] ? p->cfg->tessdata_dir : NULL, 3);
    while (!stopping(p)) {
        if (wk->conn == NULL && reconnect(wk) != 0) {
            idle_wait(p, WORKER_RECONNECT_MS);
            continue;
        }
        if (wk->index == 0 && now_s() - last_sweep >= p->cfg->sweep_interval_ms / 1000) {
            last_sweep = now_s();
            job_sweep(wk);
        }
        job_t j;
        int got = job_claim(wk, &j);
        if (got == JOB_CLAIM_BUSY) {
            if (++busy_retries > CLAIM_BUSY_RETRIES) {
                idle_wait(p, busy_pause_ms);
                busy_pause_ms =
                    busy_pause_ms * 2 < CLAIM_BUSY_PAUSE_MAX_MS ? busy_pause_ms * 2 : CLAIM_BUSY_PAUSE_MAX_MS;
            }
            continue;
        }
        busy_retries = 0;
        busy_pause_ms = 1;
        if (got == JOB_CLAIM_NONE) {
            idle_wait(p, p->cfg->queue_poll_ms);
            continue;
        }
        if (got == JOB_CLAIM_MORE)
            wake_idle(p);
        set_busy(p, 1);
        job_process(wk, &j);
        set_busy(p, -1);
    }
    job_worker_forget_doc(wk);
    if (wk->conn != NULL)
        PQfinish(wk->conn);
    wk->conn = NULL;
    eng_ocr_destroy(wk->ocr);
    wk->ocr = NULL;
    return NULL;
}

/* Jobs this node held when it stopped go back to the queue before its workers start. */
static int requeue_node(const cfg_t *cfg, const char *node_id, char *err, size_t errlen)
{
    PGconn *conn = db_connect(cfg->region_dsn, err, errlen);
    if (conn == NULL)
        return -1;
    const char *p[1] = {node_id};
    PGresult *r = db_exec(conn, DB_RGN_REQUEUE_MINE, p, err, errlen);
    if (r != NULL && PQntuples(r) > 0)
        job_log("info", "re-queued %d job%s this node held when it stopped", PQntuples(r),
                PQntuples(r) == 1 ? "" : "s");
    PQclear(r);
    PQfinish(conn);
    return r != NULL ? 0 : -1;
}

/* The lease keeper heard that work became claimable somewhere in the region. */
static void on_work(void *arg)
{
    job_pool_wake(arg);
}

job_pool_t *job_pool_start(const cfg_t *cfg, const char *node_id, char *err, size_t errlen)
{
    if (requeue_node(cfg, node_id, err, errlen) != 0)
        return NULL;
    eng_global_init();
    job_pool_t *p = calloc(1, sizeof(*p));
    int n = cfg_engine_workers(cfg);
    if (p == NULL || (p->threads = calloc((size_t)n, sizeof(*p->threads))) == NULL ||
        (p->workers = calloc((size_t)n, sizeof(*p->workers))) == NULL) {
        if (p != NULL) {
            free(p->threads);
            free(p->workers);
        }
        free(p);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->cfg = cfg;
    p->n = n;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    /* The keeper may wake the pool as soon as it runs: the pool's mutex and size are set before it starts. */
    if ((p->lease = job_lease_start(cfg->region_dsn, n, cfg->job_lease_s, on_work, p)) == NULL) {
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
        free(p->threads);
        free(p->workers);
        free(p);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (int i = 0; i < n; ++i) {
        job_worker_t *wk = &p->workers[i];
        wk->cfg = cfg;
        wk->index = i;
        snprintf(wk->owner, sizeof(wk->owner), "%s/%d", node_id, i);
        wk->lease = p->lease;
        wk->counters = &p->counters;
        wk->pool = p;
        worker_arg_t *a = malloc(sizeof(*a));
        a->p = p;
        a->wk = wk;
        pthread_create(&p->threads[i], NULL, worker_main, a);
    }
    return p;
}

void job_pool_wake(job_pool_t *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    if (p->wakeups < p->n)
        ++p->wakeups;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void job_pool_request_stop(job_pool_t *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    __atomic_store_n(&p->stopping, 1, __ATOMIC_RELAXED);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void job_pool_stop(job_pool_t *p)
{
    if (p == NULL)
        return;
    job_pool_request_stop(p);
    for (int i = 0; i < p->n; ++i)
        pthread_join(p->threads[i], NULL);
    job_lease_stop(p->lease);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->threads);
    free(p->workers);
    free(p);
}

void job_pool_stats(job_pool_t *p, int *busy, int *total, unsigned long long *jobs, unsigned long long *pages)
{
    *busy = *total = 0;
    *jobs = *pages = 0;
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    *busy = p->busy;
    *total = p->n;
    pthread_mutex_unlock(&p->mu);
    *jobs = __atomic_load_n(&p->counters.jobs_done, __ATOMIC_RELAXED);
    *pages = __atomic_load_n(&p->counters.pages_done, __ATOMIC_RELAXED);
}
