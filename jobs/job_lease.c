/* The lease keeper (see job_lease.h). */
#include "jobs/job_lease.h"
#include "jobs/job_log.h"
#include "sql/db.h"

#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KEEPER_RECONNECT_MS 1000
/* How often the keeper re-queues expired leases of the region (two index scans of the leases that ran out):
 * often, so that a dead node's work is claimable soon after its leases expire, whatever the workers are busy
 * with. */
#define KEEPER_REQUEUE_MS 1000

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
    void (*on_work)(void *);
    void *arg;
    pthread_t thread;
    pthread_mutex_t mu; /* guards slots */
    int stop_pipe[2];   /* readable once stopping: ends the keeper's wait */
    PGconn *conn;       /* the keeper thread's own, listening on ocrgate_work; NULL while disconnected */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void drop_conn(job_lease_t *l)
{
    PQfinish(l->conn);
    l->conn = NULL;
}

/* Connects and listens. Notifications sent while the keeper was not listening are lost, so the pool is woken
 * once after every (re)connection: its workers look at the queue now rather than at their next poll.
 *
 * The keeper's connection commits without waiting for the disk: it writes only leases (renewals, and the
 * re-queue of expired ones), which decide who may work on a task, never what was done. A renewal lost in a
 * crash of the database leaves the lease shorter: at worst the task is re-queued and claimed by another
 * worker, and the holder's store is fenced out (locked_by and attempt no longer match). A lost re-queue
 * leaves the task held by a lease that has run out: the next re-queue, a second later, gives it back again.
 * Either costs a page recognized again, never a page stored twice (docs/ARCHITECTURE.md, "Durability of
 * claims"). */
static int keeper_connect(job_lease_t *l)
{
    char err[512];
    if (l->conn != NULL)
        return 0;
    if ((l->conn = db_connect(l->dsn, err, sizeof(err))) == NULL)
        return -1;
    if (db_async_commit(l->conn, err, sizeof(err)) != 0) {
        job_log("warn", "lease keeper: %s", err);
        drop_conn(l);
        return -1;
    }
    PGresult *r = db_exec(l->conn, DB_RGN_WORK_LISTEN, NULL, err, sizeof(err));
    if (r == NULL) {
        job_log("warn", "lease keeper: %s", err);
        drop_conn(l);
        return -1;
    }
    PQclear(r);
    l->on_work(l->arg);
    return 0;
}

/* The notifications libpq has read (with a renewal's answer, or off the socket): one wake-up for them all. */
static void take_notices(job_lease_t *l)
{
    int n = 0;
    PGnotify *m;
    while (l->conn != NULL && (m = PQnotifies(l->conn)) != NULL) {
        PQfreemem(m);
        ++n;
    }
    if (n > 0)
        l->on_work(l->arg);
}

/* Renews one lease. 1 renewed, 0 gone, -1 database trouble (try again next time). */
static int renew(job_lease_t *l, const slot_t *s)
{
    char err[512], secs[16];
    if (keeper_connect(l) != 0)
        return -1;
    char task[16];
    snprintf(secs, sizeof(secs), "%d", l->lease_s);
    snprintf(task, sizeof(task), "%d", s->task);
    const char *p[5] = {s->job_id, s->owner, s->attempt, secs, task};
    PGresult *r = db_exec(l->conn, s->task < 0 ? DB_RGN_JOB_RENEW : DB_RGN_TASK_RENEW, p, err, sizeof(err));
    if (r == NULL) {
        job_log("warn", "lease keeper: %s", err);
        if (PQstatus(l->conn) != CONNECTION_OK)
            drop_conn(l);
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

/* Jobs and page tasks of the region whose lease ran out go back to the queue (their re-queue is announced, so
 * that every node's idle workers claim them at once). */
static void requeue_expired(job_lease_t *l)
{
    static const db_stmt_id_t stmts[2] = {DB_RGN_REQUEUE_EXPIRED, DB_RGN_TASK_REQUEUE_EXPIRED};
    char err[512];
    for (int k = 0; k < 2 && keeper_connect(l) == 0; ++k) {
        PGresult *r = db_exec(l->conn, stmts[k], NULL, err, sizeof(err));
        if (r == NULL) {
            job_log("warn", "lease keeper: %s", err);
            if (PQstatus(l->conn) != CONNECTION_OK)
                drop_conn(l);
            return;
        }
        for (int i = 0; i < PQntuples(r); ++i)
            if (k == 0)
                job_log("info", "re-queued job %s whose lease expired", PQgetvalue(r, i, 0));
            else
                job_log("info", "job %s: re-queued page task %s whose lease expired", PQgetvalue(r, i, 0),
                        PQgetvalue(r, i, 1));
        PQclear(r);
    }
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* Renews every third of the lease and re-queues expired leases every KEEPER_REQUEUE_MS; meanwhile waits on
 * the listening socket for notifications. */
static void *keeper_main(void *arg)
{
    job_lease_t *l = arg;
    int64_t interval_ms = (int64_t)l->lease_s * 1000 / 3, next = now_ms() + interval_ms;
    int64_t next_requeue = now_ms();
    for (;;) {
        if (l->conn == NULL)
            keeper_connect(l);
        int64_t wait = min64(next, next_requeue) - now_ms();
        if (wait < 0)
            wait = 0;
        if (l->conn == NULL && wait > KEEPER_RECONNECT_MS)
            wait = KEEPER_RECONNECT_MS;
        struct pollfd f[2] = {{.fd = l->stop_pipe[0], .events = POLLIN},
                              {.fd = l->conn != NULL ? PQsocket(l->conn) : -1, .events = POLLIN}};
        int n = poll(f, 2, (int)wait);
        if (n > 0 && (f[0].revents & POLLIN))
            break;
        if (n > 0 && (f[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            if (PQconsumeInput(l->conn) == 0) {
                job_log("warn", "lease keeper: %s", PQerrorMessage(l->conn));
                drop_conn(l);
            }
            take_notices(l);
        }
        if (now_ms() >= next) {
            renew_all(l);
            take_notices(l);
            next = now_ms() + interval_ms;
        }
        if (now_ms() >= next_requeue) {
            requeue_expired(l);
            take_notices(l);
            next_requeue = now_ms() + KEEPER_REQUEUE_MS;
        }
    }
    if (l->conn != NULL)
        drop_conn(l);
    return NULL;
}

job_lease_t *job_lease_start(const char *dsn, int nslots, int lease_s, void (*on_work)(void *), void *arg)
{
    job_lease_t *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return NULL;
    l->dsn = strdup(dsn);
    l->nslots = nslots;
    l->lease_s = lease_s;
    l->on_work = on_work;
    l->arg = arg;
    l->slots = calloc((size_t)nslots, sizeof(*l->slots));
    if (l->dsn == NULL || l->slots == NULL || pipe(l->stop_pipe) != 0) {
        free(l->dsn);
        free(l->slots);
        free(l);
        return NULL;
    }
    pthread_mutex_init(&l->mu, NULL);
    pthread_create(&l->thread, NULL, keeper_main, l);
    return l;
}

void job_lease_stop(job_lease_t *l)
{
    if (l == NULL)
        return;
    if (write(l->stop_pipe[1], "x", 1) != 1)
        job_log("warn", "lease keeper: could not signal the stop");
    pthread_join(l->thread, NULL);
    close(l->stop_pipe[0]);
    close(l->stop_pipe[1]);
    pthread_mutex_destroy(&l->mu);
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
