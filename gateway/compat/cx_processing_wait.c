/* Waiting requests of synchronous processing and their wake-up (cx_processing.h).
 *
 * Threads: cx_wait_job, cx_wait_end, the time-outs and the wake-up messages run on the waiting request's loop
 * thread; the listener runs on a thread of its own, started by the node's first synchronous request, with a
 * blocking connection to the region database that LISTENs on ocrgate_job_final (migration 011). The registry
 * of waiters is shared under `mu`: the listener only marks a waiter kicked and hands it to its loop through
 * h2o's multithread queue (one receiver per loop thread, made on that thread); everything else is done on the
 * loop. Waiters are malloc'ed (they may outlive the request's pool) and freed on their loop thread.
 * cx_wait_stop (the main thread, once the loops are joined) stops the listener, closes its connection and
 * joins it. */
#include "gateway/compat/cx_processing.h"
#include "gateway/gw_util.h"

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LOOPS 64 /* event_loop_threads' maximum */

struct cx_waiter {
    h2o_multithread_message_t msg; /* queued to the loop while `kicked` */
    cx_waiter_t *prev, *next;      /* the registry, under mu */
    h2o_timeout_entry_t timer;
    gw_req_t *r; /* a reference is held */
    gw_thread_t *thr;
    char job_id[37];
    cx_woken_cb woken;
    int kicked; /* under mu: msg is queued */
    int ended;  /* on the loop: answered, free it once its message is back */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static cx_waiter_t *waiters;
static pthread_once_t listener_once = PTHREAD_ONCE_INIT;
static gw_server_t *listener_server;
/* The listener, once started (written before any loop can see `listener_started` under mu). */
static pthread_t listener_tid;
static int listener_started;  /* under mu */
static int stop_pipe[2];      /* readable once stopping: wakes the listener out of poll() */
static int listener_stopping; /* atomic */

/* Per loop thread, touched only by it (the listener reads `receivers` under mu, after the loop set it). */
static struct {
    h2o_multithread_queue_t *queue;
    h2o_multithread_receiver_t receiver;
    h2o_timeout_t timeout;
    int ready;
} loops[MAX_LOOPS];

/* Under mu. */
static void kick(cx_waiter_t *w)
{
    if (w->kicked)
        return;
    w->kicked = 1;
    h2o_multithread_send_message(&loops[w->thr->index].receiver, &w->msg);
}

static void unregister(cx_waiter_t *w)
{
    pthread_mutex_lock(&mu);
    if (w->prev != NULL)
        w->prev->next = w->next;
    else if (waiters == w)
        waiters = w->next;
    if (w->next != NULL)
        w->next->prev = w->prev;
    w->prev = w->next = NULL;
    int queued = w->kicked;
    pthread_mutex_unlock(&mu);
    if (h2o_timeout_is_linked(&w->timer))
        h2o_timeout_unlink(&w->timer);
    w->ended = 1;
    if (!queued) { /* else the queued message frees it */
        gw_req_release(w->r);
        free(w);
    }
}

static void on_messages(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    (void)receiver;
    while (!h2o_linklist_is_empty(messages)) {
        cx_waiter_t *w = H2O_STRUCT_FROM_MEMBER(cx_waiter_t, msg.link, messages->next);
        h2o_linklist_unlink(&w->msg.link);
        pthread_mutex_lock(&mu);
        w->kicked = 0;
        pthread_mutex_unlock(&mu);
        if (w->ended) {
            gw_req_release(w->r);
            free(w);
        } else if (w->r->req == NULL) {
            unregister(w); /* the client left: the job goes on, nobody waits for it */
        } else {
            w->woken(w->r, 0);
        }
    }
}

static void on_timeout(h2o_timeout_entry_t *entry)
{
    cx_waiter_t *w = H2O_STRUCT_FROM_MEMBER(cx_waiter_t, timer, entry);
    gw_req_t *r = w->r;
    cx_woken_cb woken = w->woken;
    gw_req_addref(r);
    unregister(w);
    if (gw_req_release(r) == 0)
        woken(r, 1);
}

/* Waits up to `ms` for `fd` to be readable (fd < 0: only waits) or the stop to be asked; returns 1 once
 * stopping, 0 otherwise (readable, timed out or interrupted). */
static int wait_or_stop(int fd, int ms)
{
    struct pollfd f[2] = {{.fd = stop_pipe[0], .events = POLLIN}, {.fd = fd, .events = POLLIN}};
    poll(f, fd >= 0 ? 2 : 1, ms);
    return __atomic_load_n(&listener_stopping, __ATOMIC_ACQUIRE);
}

/* The listener thread: LISTEN, then hand every announced job to its waiters; after a lost connection every
 * waiter is woken once, since an announcement may have been missed meanwhile. Returns once stopping, its
 * connection closed. */
static void *listener_main(void *arg)
{
    gw_server_t *s = arg;
    for (int failures = 0; !__atomic_load_n(&listener_stopping, __ATOMIC_ACQUIRE); ++failures) {
        char err[256];
        PGconn *c = db_connect(s->cfg.region_dsn, err, sizeof(err));
        PGresult *res = c != NULL ? db_exec(c, DB_CX_LISTEN, NULL, err, sizeof(err)) : NULL;
        if (res == NULL) {
            if (failures % 30 == 0)
                gw_log(s, "warn", "synchronous processing: the job announcements cannot be heard: %s", err);
            if (c != NULL)
                PQfinish(c);
            wait_or_stop(-1, 1000);
            continue;
        }
        PQclear(res);
        failures = -1;
        pthread_mutex_lock(&mu);
        for (cx_waiter_t *w = waiters; w != NULL; w = w->next)
            kick(w);
        pthread_mutex_unlock(&mu);
        while (PQstatus(c) == CONNECTION_OK) {
            if (wait_or_stop(PQsocket(c), 1000) || PQconsumeInput(c) == 0)
                break;
            PGnotify *n;
            while ((n = PQnotifies(c)) != NULL) {
                pthread_mutex_lock(&mu);
                for (cx_waiter_t *w = waiters; w != NULL; w = w->next)
                    if (strcmp(w->job_id, n->extra) == 0)
                        kick(w);
                pthread_mutex_unlock(&mu);
                PQfreemem(n);
            }
        }
        PQfinish(c);
    }
    return NULL;
}

static void start_listener(void)
{
    gw_server_t *s = __atomic_load_n(&listener_server, __ATOMIC_ACQUIRE);
    if (pipe(stop_pipe) != 0) {
        gw_log(s, "error",
               "synchronous processing: no pipe for the listener; requests wait for their time-out");
        return;
    }
    int started = pthread_create(&listener_tid, NULL, listener_main, s) == 0;
    pthread_mutex_lock(&mu);
    listener_started = started;
    pthread_mutex_unlock(&mu);
    if (!started) {
        close(stop_pipe[0]);
        close(stop_pipe[1]);
    }
}

void cx_wait_stop(void)
{
    pthread_mutex_lock(&mu);
    int started = listener_started;
    listener_started = 0;
    pthread_mutex_unlock(&mu);
    if (!started)
        return;
    __atomic_store_n(&listener_stopping, 1, __ATOMIC_RELEASE);
    if (write(stop_pipe[1], "x", 1) != 1)
        gw_log(__atomic_load_n(&listener_server, __ATOMIC_ACQUIRE), "warn",
               "synchronous processing: the listener could not be woken; it stops within a second");
    pthread_join(listener_tid, NULL);
    close(stop_pipe[0]);
    close(stop_pipe[1]);
    gw_log(__atomic_load_n(&listener_server, __ATOMIC_ACQUIRE), "info",
           "synchronous processing: listener stopped");
}

cx_waiter_t *cx_wait_job(gw_req_t *r, const char *job_id, cx_woken_cb woken)
{
    gw_thread_t *thr = r->thr;
    if (!loops[thr->index].ready) {
        loops[thr->index].queue = h2o_multithread_create_queue(thr->loop);
        h2o_multithread_register_receiver(loops[thr->index].queue, &loops[thr->index].receiver, on_messages);
        h2o_timeout_init(thr->loop, &loops[thr->index].timeout, (uint64_t)thr->server->cfg.sync_timeout_ms);
        loops[thr->index].ready = 1;
    }
    __atomic_store_n(&listener_server, thr->server, __ATOMIC_RELEASE); /* the same node from every loop */
    pthread_once(&listener_once, start_listener);
    cx_waiter_t *w = calloc(1, sizeof(*w));
    w->r = r;
    w->thr = thr;
    w->woken = woken;
    snprintf(w->job_id, sizeof(w->job_id), "%s", job_id);
    w->timer.cb = on_timeout;
    gw_req_addref(r);
    h2o_timeout_link(thr->loop, &loops[thr->index].timeout, &w->timer);
    pthread_mutex_lock(&mu);
    w->next = waiters;
    if (waiters != NULL)
        waiters->prev = w;
    waiters = w;
    pthread_mutex_unlock(&mu);
    return w;
}

void cx_wait_end(cx_waiter_t *w)
{
    if (w != NULL)
        unregister(w);
}
