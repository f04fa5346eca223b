/* The lease keeper (see job_lease.h). */
#include "jobs/job_lease.h"
#include "jobs/job_log.h"
#include "sql/db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    int held;
    unsigned gen; /* bumped by every hold, so that a late answer about an earlier job marks nothing */
    int lost;     /* read by the worker without the mutex (atomic) */
    int task;     /* < 0: the job itself; else the page task (job_tasks.page) */
    char job_id[37], owner[300], attempt[16];
} slot_t;

struct job_lease {
    char *dsn;
    int nslots, lease_s;
    slot_t *slots;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stopping;
    PGconn *conn; /* the keeper thread's own; NULL while disconnected */
};

/* Renews one lease. 1 renewed, 0 gone, -1 database trouble (try again next time). */
static int renew(job_lease_t *l, const slot_t *s)
{
    char err[512], secs[16];
    if (l->conn == NULL && (l->conn = db_connect(l->dsn, err, sizeof(err))) == NULL)
        return -1;
    char task[16];
    snprintf(secs, sizeof(secs), "%d", l->lease_s);
    snprintf(task, sizeof(task), "%d", s->task);
    const char *p[5] = {s->job_id, s->owner, s->attempt, secs, task};
    PGresult *r = db_exec(l->conn, s->task < 0 ? DB_RGN_JOB_RENEW : DB_RGN_TASK_RENEW, p, err, sizeof(err));
    if (r == NULL) {
        job_log("warn", "lease keeper: %s", err);
        if (PQstatus(l->conn) != CONNECTION_OK) {
            PQfinish(l->conn);
            l->conn = NULL;
        }
        return -1;
    }
    int renewed = PQntuples(r) == 1;
    PQclear(r);
    return renewed;
}

static void renew_all(job_lease_t *l)
{
    for (int i = 0; i < l->nslots; ++i) {
        pthread_mutex_lock(&l->mu);
        slot_t s = l->slots[i];
        pthread_mutex_unlock(&l->mu);
        if (!s.held || s.lost)
            continue;
        if (renew(l, &s) != 0)
            continue;
        pthread_mutex_lock(&l->mu);
        if (l->slots[i].held && l->slots[i].gen == s.gen) {
            __atomic_store_n(&l->slots[i].lost, 1, __ATOMIC_RELAXED);
            job_log("warn", "job %s: the lease of %s is gone", s.job_id, s.owner);
        }
        pthread_mutex_unlock(&l->mu);
    }
}

static void *keeper_main(void *arg)
{
    job_lease_t *l = arg;
    long interval_ms = (long)l->lease_s * 1000 / 3;
    pthread_mutex_lock(&l->mu);
    while (!l->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += interval_ms / 1000;
        ts.tv_nsec += interval_ms % 1000 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec += 1;
            ts.tv_nsec -= 1000000000L;
        }
        while (!l->stopping && pthread_cond_timedwait(&l->cv, &l->mu, &ts) == 0) {
        }
        if (l->stopping)
            break;
        pthread_mutex_unlock(&l->mu);
        renew_all(l);
        pthread_mutex_lock(&l->mu);
    }
    pthread_mutex_unlock(&l->mu);
    if (l->conn != NULL)
        PQfinish(l->conn);
    l->conn = NULL;
    return NULL;
}

job_lease_t *job_lease_start(const char *dsn, int nslots, int lease_s)
{
    job_lease_t *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return NULL;
    l->dsn = strdup(dsn);
    l->nslots = nslots;
    l->lease_s = lease_s;
    l->slots = calloc((size_t)nslots, sizeof(*l->slots));
    if (l->dsn == NULL || l->slots == NULL) {
        free(l->dsn);
        free(l->slots);
        free(l);
        return NULL;
    }
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    pthread_create(&l->thread, NULL, keeper_main, l);
    return l;
}

void job_lease_stop(job_lease_t *l)
{
    if (l == NULL)
        return;
    pthread_mutex_lock(&l->mu);
    l->stopping = 1;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
    pthread_join(l->thread, NULL);
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->cv);
    free(l->slots);
    free(l->dsn);
    free(l);
}

void job_lease_hold(job_lease_t *l, int slot, const char *job_id, int task, const char *owner,
                    const char *attempt)
{
    pthread_mutex_lock(&l->mu);
    slot_t *s = &l->slots[slot];
    s->held = 1;
    s->task = task;
    s->gen++;
    __atomic_store_n(&s->lost, 0, __ATOMIC_RELAXED);
    snprintf(s->job_id, sizeof(s->job_id), "%s", job_id);
    snprintf(s->owner, sizeof(s->owner), "%s", owner);
    snprintf(s->attempt, sizeof(s->attempt), "%s", attempt);
    pthread_mutex_unlock(&l->mu);
}

void job_lease_drop(job_lease_t *l, int slot)
{
    pthread_mutex_lock(&l->mu);
    l->slots[slot].held = 0;
    pthread_mutex_unlock(&l->mu);
}

int job_lease_lost(job_lease_t *l, int slot)
{
    return __atomic_load_n(&l->slots[slot].lost, __ATOMIC_RELAXED);
}
