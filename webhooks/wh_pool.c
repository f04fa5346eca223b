/* The delivery threads (see wh_pool.h). */
#include "webhooks/wh_pool.h"
#include "config/cfg_log.h"
#include "sql/db.h"
#include "webhooks/wh_schedule.h"
#include "webhooks/wh_send.h"
#include "webhooks/wh_sign.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RECONNECT_MS 1000
#define SWEEP_EVERY_S 3600

struct wh_pool {
    const cfg_t *cfg;
    char node_id[256];
    int n;
    pthread_t *threads;
    int stop_pipe[2];                     /* readable once stopping: wakes every thread out of poll() */
    int stopping;                         /* atomic */
    unsigned long long delivered, failed; /* atomic */
};

typedef struct {
    wh_pool_t *p;
    int index;
    char owner[300];
    PGconn *conn;
    CURL *curl;
    int give_back; /* messages of this thread (or, for thread 0 at start, of the node) to take back */
    unsigned seed;
    time_t last_sweep;
} wh_thread_t;

static void wlog(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void wlog(const char *level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cfg_logv(NULL, level, "webhooks", fmt, ap);
    va_end(ap);
}

static int stopping(wh_pool_t *p)
{
    return __atomic_load_n(&p->stopping, __ATOMIC_RELAXED);
}

/* Waits up to `ms` for the connection's socket (when fd >= 0) or the stop; 1 when the socket is readable. */
static int wait_for(wh_pool_t *p, int fd, int ms)
{
    struct pollfd f[2] = {{.fd = p->stop_pipe[0], .events = POLLIN}, {.fd = fd, .events = POLLIN}};
    int n = poll(f, fd >= 0 ? 2 : 1, ms);
    return n > 0 && fd >= 0 && (f[1].revents & POLLIN);
}

static void drop_conn(wh_thread_t *t, const char *why)
{
    wlog("warn", "delivery thread %d lost the database: %s", t->index, why);
    PQfinish(t->conn);
    t->conn = NULL;
    t->give_back = 1;
    /* Not at once: a statement that fails every time must not spin. */
    wait_for(t->p, -1, RECONNECT_MS);
}

static void give_back(wh_thread_t *t, const char *owner)
{
    char err[512];
    const char *prm[1] = {owner};
    PGresult *r = db_exec(t->conn, DB_RGN_WH_REQUEUE_MINE, prm, err, sizeof(err));
    if (r == NULL) {
        drop_conn(t, err);
        return;
    }
    if (PQntuples(r) > 0)
        wlog("info", "%s: %d webhook message(s) taken back to send again", owner, PQntuples(r));
    PQclear(r);
    t->give_back = 0;
}

static int connect_db(wh_thread_t *t)
{
    char err[512];
    if ((t->conn = db_connect(t->p->cfg->region_dsn, err, sizeof(err))) == NULL)
        return -1;
    PGresult *r = db_exec(t->conn, DB_RGN_WH_LISTEN, NULL, err, sizeof(err));
    if (r == NULL) {
        drop_conn(t, err);
        return -1;
    }
    PQclear(r);
    if (t->give_back)
        give_back(t, t->owner);
    return t->conn != NULL ? 0 : -1;
}

/* Frees the notifications libpq has read; how many there were. */
static int drain_notifies(PGconn *conn)
{
    int count = 0;
    PGnotify *n;
    while ((n = PQnotifies(conn)) != NULL) {
        PQfreemem(n);
        ++count;
    }
    return count;
}

/* Idle: until a NOTIFY of a new message, the poll interval, or the stop. A notification libpq read along with
 * the last claim's answer is already off the socket: it ends the wait at once. */
static void idle(wh_thread_t *t)
{
    if (drain_notifies(t->conn) > 0)
        return;
    if (wait_for(t->p, PQsocket(t->conn), t->p->cfg->webhook_poll_ms)) {
        if (PQconsumeInput(t->conn) == 0) {
            drop_conn(t, PQerrorMessage(t->conn));
            return;
        }
        drain_notifies(t->conn);
    }
}

/* The webhook-signature header: the current secret's signature, then the one of the secret being rotated
 * out, if any. -1 when a stored secret is unreadable. */
static int signature(const char *secret, const char *old, const char *id, long long ts, const char *body,
                     size_t len, char *out, size_t outlen)
{
    char a[WH_SIGNATURE_MAX], b[WH_SIGNATURE_MAX];
    if (wh_sign(secret, id, ts, body, len, a) != 0)
        return -1;
    if (old == NULL) {
        snprintf(out, outlen, "%s", a);
        return 0;
    }
    if (wh_sign(old, id, ts, body, len, b) != 0)
        return -1;
    snprintf(out, outlen, "%s %s", a, b);
    return 0;
}

static void deliver(wh_thread_t *t, PGresult *claim)
{
    wh_pool_t *p = t->p;
    const char *id = PQgetvalue(claim, 0, 0), *body = PQgetvalue(claim, 0, 2);
    int attempt = atoi(PQgetvalue(claim, 0, 1));
    size_t len = (size_t)PQgetlength(claim, 0, 2);
    char sig[2 * WH_SIGNATURE_MAX + 2];
    wh_target_policy_t pol = {.allow_http = p->cfg->webhook_allow_http,
                              .allow_private = p->cfg->webhook_allow_private};
    wh_result_t res;
    wh_message_t m = {.url = PQgetvalue(claim, 0, 3),
                      .msg_id = id,
                      .timestamp = (long long)time(NULL),
                      .signature = sig,
                      .body = body,
                      .len = len};
    if (signature(PQgetvalue(claim, 0, 4), PQgetisnull(claim, 0, 5) ? NULL : PQgetvalue(claim, 0, 5), id,
                  m.timestamp, body, len, sig, sizeof(sig)) != 0) {
        memset(&res, 0, sizeof(res));
        res.retry_after_s = -1;
        snprintf(res.error, sizeof(res.error), "the endpoint's signing secret is unreadable: rotate it");
    } else {
        wh_send(t->curl, &pol, &m, &p->stopping, &res);
        if (stopping(p) && res.status == 0) {
            give_back(t, t->owner); /* cut short by the stop: not the receiver's fault */
            return;
        }
    }
    const char *outcome;
    long long delay = 0;
    int ok = res.status >= 200 && res.status <= 299;
    if (ok)
        outcome = "delivered";
    else if (res.status == 410)
        outcome = "gone";
    else if ((delay = wh_retry_delay_ms(attempt, p->cfg->webhook_first_retry_ms, res.retry_after_s,
                                        (uint32_t)rand_r(&t->seed) ^ ((uint32_t)rand_r(&t->seed) << 16))) < 0)
        outcome = "failed";
    else
        outcome = "retry";
    char st[16], lat[24], att[16], dl[24], err[512];
    snprintf(st, sizeof(st), "%ld", res.status);
    snprintf(lat, sizeof(lat), "%lld", res.latency_ms);
    snprintf(att, sizeof(att), "%d", attempt);
    snprintf(dl, sizeof(dl), "%lld", delay);
    const char *prm[8] = {id,      t->owner, att, res.status > 0 ? st : NULL, lat, ok ? NULL : res.error,
                          outcome, dl};
    PGresult *r = db_exec(t->conn, DB_RGN_WH_RESULT, prm, err, sizeof(err));
    __atomic_add_fetch(ok ? &p->delivered : &p->failed, 1, __ATOMIC_RELAXED);
    if (r == NULL) {
        /* The attempt stays unrecorded; the message is taken back once the database returns. */
        drop_conn(t, err);
        return;
    }
    if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) && strcmp(outcome, "delivered") != 0)
        wlog("warn", "webhook endpoint %s disabled (%s) after message %s: %s", PQgetvalue(claim, 0, 6),
             PQgetvalue(r, 0, 0), id, res.error);
    PQclear(r);
}

static void sweep(wh_thread_t *t)
{
    char err[512];
    t->last_sweep = time(NULL);
    PGresult *r = db_exec(t->conn, DB_RGN_WH_SWEEP, NULL, err, sizeof(err));
    if (r == NULL)
        drop_conn(t, err);
    PQclear(r);
}

static void *thread_main(void *arg)
{
    wh_thread_t *t = arg;
    wh_pool_t *p = t->p;
    char lease[16], err[512];
    snprintf(lease, sizeof(lease), "%d", WH_LEASE_S);
    while (!stopping(p)) {
        if (t->conn == NULL && connect_db(t) != 0) {
            wait_for(p, -1, RECONNECT_MS);
            continue;
        }
        if (t->index == 0 && time(NULL) - t->last_sweep >= SWEEP_EVERY_S) {
            sweep(t);
            continue;
        }
        const char *prm[2] = {t->owner, lease};
        PGresult *c = db_exec(t->conn, DB_RGN_WH_CLAIM, prm, err, sizeof(err));
        if (c == NULL) {
            drop_conn(t, err);
            continue;
        }
        if (PQntuples(c) == 0)
            idle(t);
        else
            deliver(t, c);
        PQclear(c);
    }
    PQfinish(t->conn);
    curl_easy_cleanup(t->curl);
    free(t);
    return NULL;
}

wh_pool_t *wh_pool_start(const cfg_t *cfg, const char *node_id, char *err, size_t errlen)
{
    wh_pool_t *p = calloc(1, sizeof(*p));
    p->cfg = cfg;
    snprintf(p->node_id, sizeof(p->node_id), "%s", node_id);
    if (pipe(p->stop_pipe) != 0) {
        snprintf(err, errlen, "webhooks: no pipe for the delivery threads");
        free(p);
        return NULL;
    }
    /* What this node held when it last stopped is due again before any thread claims (a thread that dies
     * later gives back only its own). Without the database now, each thread takes back its own once
     * connected, and the claims of threads this node no longer runs wait for their lease. */
    char e[512];
    PGconn *c = cfg->webhook_threads > 0 ? db_connect(cfg->region_dsn, e, sizeof(e)) : NULL;
    if (c != NULL) {
        const char *prm[1] = {node_id};
        PGresult *r = db_exec(c, DB_RGN_WH_REQUEUE_MINE, prm, e, sizeof(e));
        if (r != NULL && PQntuples(r) > 0)
            wlog("info", "%s: %d webhook message(s) taken back to send again", node_id, PQntuples(r));
        PQclear(r);
        PQfinish(c);
    }
    p->threads = calloc((size_t)(cfg->webhook_threads > 0 ? cfg->webhook_threads : 1), sizeof(pthread_t));
    for (int i = 0; i < cfg->webhook_threads; ++i) {
        wh_thread_t *t = calloc(1, sizeof(*t));
        t->p = p;
        t->index = i;
        snprintf(t->owner, sizeof(t->owner), "%s/wh%d", node_id, i);
        t->curl = curl_easy_init();
        t->give_back = 1;
        t->seed = (unsigned)time(NULL) ^ (unsigned)(i * 2654435761u);
        if (t->curl == NULL || pthread_create(&p->threads[i], NULL, thread_main, t) != 0) {
            snprintf(err, errlen, "webhooks: delivery thread %d could not be started", i);
            curl_easy_cleanup(t->curl);
            free(t);
            wh_pool_stop(p);
            return NULL;
        }
        p->n = i + 1;
    }
    return p;
}

void wh_pool_request_stop(wh_pool_t *p)
{
    if (p == NULL || __atomic_exchange_n(&p->stopping, 1, __ATOMIC_RELAXED))
        return;
    if (write(p->stop_pipe[1], "x", 1) != 1)
        wlog("warn", "the delivery threads could not be woken; they stop within %d ms",
             p->cfg->webhook_poll_ms);
}

void wh_pool_stop(wh_pool_t *p)
{
    if (p == NULL)
        return;
    wh_pool_request_stop(p);
    for (int i = 0; i < p->n; ++i)
        pthread_join(p->threads[i], NULL);
    close(p->stop_pipe[0]);
    close(p->stop_pipe[1]);
    free(p->threads);
    free(p);
}

void wh_pool_stats(wh_pool_t *p, unsigned long long *delivered, unsigned long long *failed)
{
    *delivered = p != NULL ? __atomic_load_n(&p->delivered, __ATOMIC_RELAXED) : 0;
    *failed = p != NULL ? __atomic_load_n(&p->failed, __ATOMIC_RELAXED) : 0;
}
