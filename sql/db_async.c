#include "sql/db_async.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DB_RECONNECT_MS 500
/* The shortest time between two waves of connection attempts started by queries (pool_reconnect_soon). */
#define DB_RECONNECT_SOON_MS 20
#define DB_QUEUE_MAX 10000

typedef struct db_query {
    struct db_query *next;
    db_stmt_id_t id;
    db_cb_t cb;
    void *arg;
    int nparams; /* copies held: 0 when the query went out at once and needed none */
    int *lengths;
    char *params[]; /* copies; a NULL entry is SQL NULL */
} db_query_t;

typedef enum { CONN_DOWN, CONN_CONNECTING, CONN_IDLE, CONN_BUSY, CONN_LISTENING } conn_state_t;

typedef struct {
    db_pool_t *pool;
    PGconn *pg;
    h2o_socket_t *sock; /* watches a dup() of PQsocket; closing it never closes libpq's fd */
    conn_state_t state;
    int is_listener;
    int listen_sent;
    db_query_t *current;
    int pqfd; /* libpq's socket that sock watches a dup() of */
    PostgresPollingStatusType last_poll;
    PGresult *result; /* first result of the current query, held until libpq reports the query done */
    int want_write;
} db_conn_t;

struct db_pool {
    h2o_loop_t *loop;
    char *dsn;
    int nconns;
    db_conn_t *conns;
    db_query_t *head, *tail;
    int queued, running;
    h2o_timeout_t retry_timeout;
    h2o_timeout_entry_t retry_entry;
    h2o_timeout_t soon_timeout; /* DB_RECONNECT_SOON_MS: a wave a query asked for, when one just went */
    h2o_timeout_entry_t soon_entry;
    uint64_t last_wave_ms; /* when the last wave of connection attempts started (the loop's clock) */
    db_notify_cb_t on_notify;
    db_reconnect_cb_t on_reconnect;
    void *listen_arg;
    int ever_connected_listener;
};

static void conn_start(db_conn_t *c);
static void conn_on_io(h2o_socket_t *sock, const char *err);
static void pool_dispatch(db_pool_t *pool);

static void query_free(db_query_t *q)
{
    for (int i = 0; i < q->nparams; ++i)
        free(q->params[i]);
    free(q->lengths);
    free(q);
}

static void query_finish(db_query_t *q, PGresult *res, const char *msg)
{
    q->cb(q->arg, res, msg);
    query_free(q);
}

static int pool_any_up(const db_pool_t *pool)
{
    for (int i = 0; i < pool->nconns; ++i)
        if (pool->conns[i].state == CONN_IDLE || pool->conns[i].state == CONN_BUSY)
            return 1;
    return 0;
}

static int pool_any_connecting(const db_pool_t *pool)
{
    for (int i = 0; i < pool->nconns; ++i)
        if (pool->conns[i].state == CONN_CONNECTING)
            return 1;
    return 0;
}

/* With no connection up, waiting queries are failed so that clients get a 503 at once. */
static void pool_fail_queued(db_pool_t *pool, const char *msg)
{
    while (pool->head != NULL) {
        db_query_t *q = pool->head;
        pool->head = q->next;
        if (pool->head == NULL)
            pool->tail = NULL;
        --pool->queued;
        query_finish(q, NULL, msg);
    }
}

static void conn_close(db_conn_t *c, const char *why)
{
    /* `why` is often PQerrorMessage(c->pg), which PQfinish below frees: keep a copy for the callbacks. */
    char reason[512];
    db_copy_error(why, reason, sizeof(reason));
    why = reason;
    if (c->sock != NULL) {
        h2o_socket_close(c->sock);
        c->sock = NULL;
    }
    if (c->pg != NULL) {
        PQfinish(c->pg);
        c->pg = NULL;
    }
    c->state = CONN_DOWN;
    c->listen_sent = 0;
    c->want_write = 0;
    PQclear(c->result);
    c->result = NULL;
    if (c->current != NULL) {
        db_query_t *q = c->current;
        c->current = NULL;
        --c->pool->running;
        query_finish(q, NULL, why);
    }
    db_pool_t *pool = c->pool;
    if (!pool_any_up(pool) && !pool_any_connecting(pool))
        pool_fail_queued(pool, why);
    if (!h2o_timeout_is_linked(&pool->retry_entry))
        h2o_timeout_link(pool->loop, &pool->retry_timeout, &pool->retry_entry);
}

static int conn_watch(db_conn_t *c)
{
    c->pqfd = PQsocket(c->pg);
    int fd = dup(c->pqfd);
    if (fd < 0)
        return -1;
    c->sock = h2o_evloop_socket_create(c->pool->loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    c->sock->data = c;
    h2o_socket_read_start(c->sock, conn_on_io);
    return 0;
}

static void conn_on_writable(h2o_socket_t *sock, const char *err);

/* h2o allows one write notification at a time: remember that one is pending. */
static void conn_want_write(db_conn_t *c)
{
    if (!c->want_write) {
        c->want_write = 1;
        h2o_socket_notify_write(c->sock, conn_on_writable);
    }
}

/* Sends q with the given parameter values (q's own copies, or the caller's when sent at once: libpq copies
 * them into its output buffer before PQsendQueryParams returns). */
static void conn_send(db_conn_t *c, db_query_t *q, const char *const *params, const int *lengths)
{
    const db_stmt_t *s = &db_stmts[q->id];
    int formats[32];
    db__param_formats(s, formats);
    c->current = q;
    c->state = CONN_BUSY;
    ++c->pool->running;
    if (!PQsendQueryParams(c->pg, s->sql, s->nparams, NULL, params, lengths,
                           s->binary_params ? formats : NULL, s->binary_result)) {
        conn_close(c, PQerrorMessage(c->pg));
        return;
    }
    int f = PQflush(c->pg);
    if (f < 0)
        conn_close(c, PQerrorMessage(c->pg));
    else if (f == 1)
        conn_want_write(c);
}

static void conn_poll_connect(db_conn_t *c);

static void conn_on_writable(h2o_socket_t *sock, const char *err)
{
    db_conn_t *c = sock->data;
    c->want_write = 0;
    if (err != NULL) {
        conn_close(c, "database connection lost");
        return;
    }
    if (c->state == CONN_CONNECTING) {
        conn_poll_connect(c);
        return;
    }
    int f = PQflush(c->pg);
    if (f < 0)
        conn_close(c, PQerrorMessage(c->pg));
    else if (f == 1)
        conn_want_write(c);
}

static void conn_drain_notifies(db_conn_t *c)
{
    PGnotify *n;
    while ((n = PQnotifies(c->pg)) != NULL) {
        if (c->pool->on_notify != NULL)
            c->pool->on_notify(c->pool->listen_arg, n->relname, n->extra);
        PQfreemem(n);
    }
}

static void conn_became_ready(db_conn_t *c)
{
    db_pool_t *pool = c->pool;
    PQsetnonblocking(c->pg, 1);
    if (c->is_listener) {
        c->state = CONN_LISTENING;
        /* LISTEN runs like a query but its result is consumed here, not by a caller. */
        if (!PQsendQuery(c->pg, db_stmts[DB_CAT_LISTEN].sql)) {
            conn_close(c, PQerrorMessage(c->pg));
            return;
        }
        c->listen_sent = 1;
        PQflush(c->pg);
        if (pool->ever_connected_listener && pool->on_reconnect != NULL)
            pool->on_reconnect(pool->listen_arg);
        pool->ever_connected_listener = 1;
        return;
    }
    c->state = CONN_IDLE;
    pool_dispatch(pool);
}

static void conn_poll_connect(db_conn_t *c)
{
    c->last_poll = PQconnectPoll(c->pg);
    switch (c->last_poll) {
    case PGRES_POLLING_OK:
        conn_became_ready(c);
        break;
    case PGRES_POLLING_FAILED:
        conn_close(c, PQerrorMessage(c->pg));
        break;
    case PGRES_POLLING_WRITING:
    case PGRES_POLLING_READING:
    default: {
        /* libpq may switch sockets during connect (several hosts, SSL retry): follow it. */
        if (c->sock != NULL && c->pqfd != PQsocket(c->pg)) {
            h2o_socket_close(c->sock);
            c->sock = NULL;
            c->want_write = 0;
        }
        if (c->sock == NULL && conn_watch(c) != 0) {
            conn_close(c, "dup() failed");
            return;
        }
        if (c->last_poll == PGRES_POLLING_WRITING)
            conn_want_write(c);
        break;
    }
    }
}

static void conn_on_io(h2o_socket_t *sock, const char *err)
{
    db_conn_t *c = sock->data;
    (void)err;
    if (c->state == CONN_CONNECTING) {
        conn_poll_connect(c);
        return;
    }
    if (!PQconsumeInput(c->pg)) {
        conn_close(c, PQerrorMessage(c->pg));
        return;
    }
    if (c->state == CONN_LISTENING) {
        while (c->listen_sent && !PQisBusy(c->pg)) {
            PGresult *r = PQgetResult(c->pg);
            if (r == NULL) {
                c->listen_sent = 0;
                break;
            }
            PQclear(r);
        }
        conn_drain_notifies(c);
        return;
    }
    if (c->state != CONN_BUSY) {
        /* An idle connection only hears from the server when it is going away (admin shutdown, restart). */
        if (PQstatus(c->pg) != CONNECTION_OK)
            conn_close(c, "database connection lost");
        return;
    }
    while (!PQisBusy(c->pg)) {
        PGresult *r = PQgetResult(c->pg);
        if (r != NULL) {
            if (c->result == NULL)
                c->result = r;
            else
                PQclear(r);
            continue;
        }
        db_query_t *q = c->current;
        PGresult *first = c->result;
        c->current = NULL;
        c->result = NULL;
        c->state = CONN_IDLE;
        --c->pool->running;
        ExecStatusType st = PQresultStatus(first);
        if (first != NULL && (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)) {
            query_finish(q, first, NULL);
        } else {
            char msg[512];
            db_copy_error(first != NULL ? PQresultErrorMessage(first) : PQerrorMessage(c->pg), msg,
                          sizeof(msg));
            query_finish(q, NULL, msg);
        }
        PQclear(first);
        if (PQstatus(c->pg) != CONNECTION_OK) {
            conn_close(c, "database connection lost");
            return;
        }
        pool_dispatch(c->pool);
        return;
    }
    /* Busy: the rest of the reply comes with a later readable event. */
}

static void conn_start(db_conn_t *c)
{
    c->pg = PQconnectStart(c->pool->dsn);
    if (c->pg == NULL || PQstatus(c->pg) == CONNECTION_BAD) {
        conn_close(c, c->pg != NULL ? PQerrorMessage(c->pg) : "out of memory");
        return;
    }
    c->state = CONN_CONNECTING;
    conn_poll_connect(c);
}

static void pool_start_down(db_pool_t *pool)
{
    pool->last_wave_ms = h2o_now(pool->loop);
    for (int i = 0; i < pool->nconns; ++i)
        if (pool->conns[i].state == CONN_DOWN)
            conn_start(&pool->conns[i]);
}

static void pool_on_retry(h2o_timeout_entry_t *entry)
{
    pool_start_down(H2O_STRUCT_FROM_MEMBER(db_pool_t, retry_entry, entry));
}

static void pool_on_soon(h2o_timeout_entry_t *entry)
{
    pool_start_down(H2O_STRUCT_FROM_MEMBER(db_pool_t, soon_entry, entry));
}

/* A query that finds every connection down starts the reconnect itself instead of failing until the retry
 * timer fires: each loop thread has pools of its own, so without this one thread could answer again while
 * another kept answering 503 for up to DB_RECONNECT_MS after the database came back. Waves are at least
 * DB_RECONNECT_SOON_MS apart, so a burst of requests during an outage is not a burst of connection attempts;
 * a query that comes sooner waits for the next wave. */
static void pool_reconnect_soon(db_pool_t *pool)
{
    if (h2o_timeout_is_linked(&pool->soon_entry))
        return;
    if (h2o_now(pool->loop) - pool->last_wave_ms >= DB_RECONNECT_SOON_MS)
        pool_start_down(pool);
    else
        h2o_timeout_link(pool->loop, &pool->soon_timeout, &pool->soon_entry);
}

static void pool_dispatch(db_pool_t *pool)
{
    for (int i = 0; i < pool->nconns && pool->head != NULL; ++i) {
        db_conn_t *c = &pool->conns[i];
        if (c->state != CONN_IDLE)
            continue;
        db_query_t *q = pool->head;
        pool->head = q->next;
        if (pool->head == NULL)
            pool->tail = NULL;
        --pool->queued;
        conn_send(c, q, (const char *const *)q->params, q->lengths);
    }
}

db_pool_t *db_pool_create(h2o_loop_t *loop, const char *dsn, int nconns)
{
    db_pool_t *pool = calloc(1, sizeof(*pool));
    pool->loop = loop;
    pool->dsn = strdup(dsn);
    pool->nconns = nconns;
    /* One spare slot for the listener that db_pool_listen may add. */
    pool->conns = calloc((size_t)nconns + 1, sizeof(*pool->conns));
    h2o_timeout_init(loop, &pool->retry_timeout, DB_RECONNECT_MS);
    pool->retry_entry.cb = pool_on_retry;
    h2o_timeout_init(loop, &pool->soon_timeout, DB_RECONNECT_SOON_MS);
    pool->soon_entry.cb = pool_on_soon;
    pool->last_wave_ms = h2o_now(loop);
    for (int i = 0; i < nconns; ++i) {
        pool->conns[i].pool = pool;
        conn_start(&pool->conns[i]);
    }
    return pool;
}

void db_pool_listen(db_pool_t *pool, db_notify_cb_t on_notify, db_reconnect_cb_t on_reconnect, void *arg)
{
    pool->on_notify = on_notify;
    pool->on_reconnect = on_reconnect;
    pool->listen_arg = arg;
    /* An extra connection that only listens; reconnects restart LISTEN and report on_reconnect. */
    db_conn_t *c = &pool->conns[pool->nconns++];
    c->pool = pool;
    c->is_listener = 1;
    conn_start(c);
}

void db_pool_destroy(db_pool_t *pool)
{
    if (pool == NULL)
        return;
    if (h2o_timeout_is_linked(&pool->retry_entry))
        h2o_timeout_unlink(&pool->retry_entry);
    if (h2o_timeout_is_linked(&pool->soon_entry))
        h2o_timeout_unlink(&pool->soon_entry);
    for (int i = 0; i < pool->nconns; ++i) {
        db_conn_t *c = &pool->conns[i];
        if (c->sock != NULL)
            h2o_socket_close(c->sock);
        if (c->pg != NULL)
            PQfinish(c->pg);
        c->sock = NULL;
        c->pg = NULL;
        PQclear(c->result);
        if (c->current != NULL)
            query_finish(c->current, NULL, "shutting down");
    }
    pool_fail_queued(pool, "shutting down");
    h2o_timeout_dispose(pool->loop, &pool->retry_timeout);
    h2o_timeout_dispose(pool->loop, &pool->soon_timeout);
    free(pool->conns);
    free(pool->dsn);
    free(pool);
}

void db_pool_query(db_pool_t *pool, db_stmt_id_t id, const char *const *params, db_cb_t cb, void *arg)
{
    db_pool_query_bin(pool, id, params, NULL, cb, arg);
}

void db_pool_query_bin(db_pool_t *pool, db_stmt_id_t id, const char *const *params, const int *lengths,
                       db_cb_t cb, void *arg)
{
    const db_stmt_t *s = &db_stmts[id];
    int n = s->nparams;
    if (!pool_any_up(pool) && !pool_any_connecting(pool)) {
        pool_reconnect_soon(pool);
        if (!pool_any_connecting(pool) && !h2o_timeout_is_linked(&pool->soon_entry)) {
            cb(arg, NULL, "database unavailable"); /* the attempts failed at once */
            return;
        }
    }
    if (pool->queued >= DB_QUEUE_MAX) {
        cb(arg, NULL, "database queue full");
        return;
    }
    db_query_t *q = calloc(1, sizeof(*q) + (size_t)n * sizeof(char *));
    q->id = id;
    q->cb = cb;
    q->arg = arg;
    /* An idle connection and nobody waiting: send now, without copying (documents can be large). */
    if (pool->head == NULL) {
        for (int i = 0; i < pool->nconns; ++i) {
            if (pool->conns[i].state == CONN_IDLE) {
                conn_send(&pool->conns[i], q, params, lengths);
                return;
            }
        }
    }
    q->nparams = n;
    if (lengths != NULL) {
        q->lengths = malloc((size_t)n * sizeof(int));
        memcpy(q->lengths, lengths, (size_t)n * sizeof(int));
    }
    for (int i = 0; i < n; ++i) {
        if (params[i] == NULL)
            continue;
        size_t len = (s->binary_params >> i) & 1 ? (size_t)lengths[i] : strlen(params[i]);
        q->params[i] = malloc(len + 1);
        memcpy(q->params[i], params[i], len);
        q->params[i][len] = '\0';
    }
    if (pool->tail != NULL)
        pool->tail->next = q;
    else
        pool->head = q;
    pool->tail = q;
    ++pool->queued;
    pool_dispatch(pool);
}

int db_pool_ready(const db_pool_t *pool)
{
    int n = 0;
    for (int i = 0; i < pool->nconns; ++i)
        n += pool->conns[i].state == CONN_IDLE || pool->conns[i].state == CONN_BUSY;
    return n;
}

int db_pool_pending(const db_pool_t *pool)
{
    return pool->queued + pool->running;
}
