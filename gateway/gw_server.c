/* Start-up, event-loop threads, listeners and graceful shutdown of one gateway node. */
#include "gateway/gw.h"
#include "gateway/gw_analytics.h"
#include "gateway/gw_auth.h"
#include "gateway/gw_offload.h"
#include "gateway/gw_guard.h"
#include "gateway/gw_handlers.h"
#include "jobs/job_pool.h"
#include "webhooks/wh_pool.h"
#include "gateway/gw_quota.h"
#include "gateway/gw_tls.h"
#include "gateway/gw_replica.h"
#include "gateway/compat/cx_processing.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define GW_LOOP_WAIT_MS 100
#define GW_QUOTA_SWEEP_S 300
#define GW_TLS_TICK_S 60 /* how often the main thread looks whether the ticket key is due */

static int open_listener(const char *addr, int port, char *err, size_t errlen)
{
    struct sockaddr_in6 sa6;
    struct sockaddr_in sa4;
    struct sockaddr *sa;
    socklen_t salen;
    int family;
    memset(&sa6, 0, sizeof(sa6));
    memset(&sa4, 0, sizeof(sa4));
    if (inet_pton(AF_INET, addr, &sa4.sin_addr) == 1) {
        sa4.sin_family = family = AF_INET;
        sa4.sin_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sa4;
        salen = sizeof(sa4);
    } else if (inet_pton(AF_INET6, addr, &sa6.sin6_addr) == 1) {
        sa6.sin6_family = family = AF_INET6;
        sa6.sin6_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sa6;
        salen = sizeof(sa6);
    } else {
        snprintf(err, errlen, "listen_address '%s' is not an IPv4 or IPv6 address", addr);
        return -1;
    }
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), on = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        bind(fd, sa, salen) != 0 || listen(fd, 1024) != 0 || fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
        snprintf(err, errlen, "cannot listen on %s port %d: %s", addr, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    return fd;
}

void gw_server_block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int open_access_log(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

/* SIGHUP: a fresh access log file (logrotate moved the old one) and the TLS pair read again. dup2 swaps the
 * file under the descriptor the loop threads write to, so they never see a closed one. */
static void on_hangup(gw_server_t *s)
{
    char err[512];
    if (s->access_log_fd >= 0 && s->access_log_fd != STDERR_FILENO) {
        int fd = open_access_log(s->cfg.access_log);
        if (fd < 0 || dup2(fd, s->access_log_fd) < 0)
            gw_log(s, "error", "SIGHUP: access_log %s stays as it was: %s", s->cfg.access_log,
                   strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    if (gw_tls_reload(s->tls, (int64_t)time(NULL), err, sizeof(err)) != 0)
        gw_log(s, "error", "SIGHUP: new TLS certificate refused, the previous one stays in use: %s", err);
    else
        gw_log(s, "info", "SIGHUP: TLS certificate %s loaded", s->cfg.tls_cert_file);
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    h2o_accept_ctx_t *actx = listener->data;
    if (err != NULL)
        return;
    /* Accept a bounded batch per wake-up so one busy listener cannot starve the loop. */
    for (int i = 0; i < 16; ++i) {
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (sock == NULL)
            break;
        gw_thread_t *t = H2O_STRUCT_FROM_MEMBER(gw_thread_t, ctx, actx->ctx);
        if (actx != &t->accept_metrics && gw_guard_connection(t, sock) != 0)
            continue;
        h2o_accept(actx, sock);
    }
}

static h2o_socket_t *watch_listener(gw_thread_t *t, int fd, h2o_accept_ctx_t *actx)
{
    int dupfd = dup(fd);
    if (dupfd < 0)
        return NULL;
    h2o_socket_t *sock = h2o_evloop_socket_create(t->loop, dupfd, H2O_SOCKET_FLAG_DONT_READ);
    sock->data = actx;
    h2o_socket_read_start(sock, on_accept);
    return sock;
}

static void on_ping(void *arg, PGresult *res, const char *errmsg)
{
    int *flag = arg;
    (void)errmsg;
    *flag = res != NULL;
}

static void on_sweep(void *arg, PGresult *res, const char *errmsg)
{
    gw_thread_t *t = arg;
    if (res == NULL)
        gw_log(t->server, "warn", "quota sweep failed: %s", errmsg);
}

/* The periodic tick of a loop thread: health of both databases, and (thread 0) the job counts folded and old
 * quota windows. */
static void on_tick(h2o_timeout_entry_t *entry)
{
    gw_thread_t *t = H2O_STRUCT_FROM_MEMBER(gw_thread_t, tick_entry, entry);
    static __thread int64_t last_sweep;
    for (int i = 0; i < GW_DB_COUNT; ++i) {
        if (i == GW_DB_PRIMARY && t->db[i] == t->db[GW_DB_CATALOG]) {
            t->db_ok[i] = t->db_ok[GW_DB_CATALOG];
            continue;
        }
        if (db_pool_ready(t->db[i]) == 0) {
            t->db_ok[i] = 0;
            continue;
        }
        db_pool_query(t->db[i], DB_PING, NULL, on_ping, &t->db_ok[i]);
    }
    if (t->index == 0)
        gw_replica_tick(t);
    if (t->index == 0 && t->db_ok[GW_DB_REGION])
        gw_metrics_fold(t);
    gw_quota_tick(t->quota, 0);
    gw_analytics_flush(t->analytics, 0);
    int64_t now = gw_now(t->server);
    if (t->index == 0 && now - last_sweep >= GW_QUOTA_SWEEP_S && t->db_ok[GW_DB_REGION]) {
        char before[24];
        /* Keep the previous window too: a node whose clock lags a little may still be counting in it. */
        snprintf(before, sizeof(before), "%lld", (long long)(gw_quota_window_start(now) - GW_QUOTA_WINDOW));
        const char *params[1] = {before};
        db_pool_query(t->db[GW_DB_REGION], DB_RGN_QUOTA_SWEEP, params, on_sweep, t);
        last_sweep = now;
    }
    h2o_timeout_link(t->loop, &t->tick_timeout, &t->tick_entry);
}

static void on_catalog_notify(void *arg, const char *channel, const char *payload)
{
    (void)arg;
    (void)channel;
    /* Posted for every thread's cache, this one's included, which applies it before its next look-up. */
    gw_auth_notice(payload);
}

static void on_catalog_reconnect(void *arg)
{
    gw_thread_t *t = arg;
    /* Notifications sent while the listener was away are lost: forget everything cached. */
    gw_auth_cache_flush(t->auth);
    gw_log(t->server, "info", "catalog listener reconnected on thread %d; credential cache flushed",
           t->index);
}

static void *thread_main(void *arg)
{
    gw_thread_t *t = arg;
    gw_server_t *s = t->server;
    getrandom(t->rng, sizeof(t->rng), 0);
    t->rng[0] |= 1;
    t->loop = h2o_evloop_create();
    h2o_context_init(&t->ctx, t->loop, &s->h2o_config);
    t->accept_tls.ctx = &t->ctx;
    t->accept_tls.hosts = s->h2o_config.hosts;
    t->accept_tls.ssl_ctx = s->ssl_ctx;
    t->accept_plain = t->accept_tls;
    t->accept_plain.ssl_ctx = NULL;
    t->auth = gw_auth_cache_create(s->cfg.auth_cache_max);
    t->quota = gw_quota_cache_create(t);
    t->analytics = gw_analytics_create(t);
    gw_offload_attach(t);
    t->db[GW_DB_CATALOG] = db_pool_create(t->loop, s->cfg.catalog_dsn, s->cfg.db_connections);
    t->db[GW_DB_REGION] = db_pool_create(t->loop, s->cfg.region_dsn, s->cfg.db_connections);
    /* Catalog writes are rare (app management): one connection per thread to the primary is plenty. */
    t->db[GW_DB_PRIMARY] = cfg_catalog_replicated(&s->cfg)
                               ? db_pool_create(t->loop, s->cfg.catalog_primary_dsn, 1)
                               : t->db[GW_DB_CATALOG];
    db_pool_listen(t->db[GW_DB_CATALOG], on_catalog_notify, on_catalog_reconnect, t);
    t->listen_tls = watch_listener(t, s->listen_fd_tls, &t->accept_tls);
    if (s->listen_fd_plain >= 0)
        t->listen_plain = watch_listener(t, s->listen_fd_plain, &t->accept_plain);
    if (s->listen_fd_metrics >= 0) {
        t->accept_metrics = t->accept_plain;
        t->accept_metrics.hosts = s->metrics_config.hosts;
        t->listen_metrics = watch_listener(t, s->listen_fd_metrics, &t->accept_metrics);
    }
    h2o_timeout_init(t->loop, &t->tick_timeout, (uint64_t)s->cfg.health_interval_ms);
    h2o_timeout_init(t->loop, &t->pause_timeout, GW_PAUSE_MS);
    t->tick_entry.cb = on_tick;
    on_tick(&t->tick_entry);

    while (!__atomic_load_n(&s->stopping, __ATOMIC_ACQUIRE))
        h2o_evloop_run(t->loop, GW_LOOP_WAIT_MS);

    /* Drain: accept nothing new, let HTTP/1 connections close after their current response, and keep
     * running until every request in flight has been answered (bounded by shutdown_timeout_ms). */
    h2o_socket_close(t->listen_tls);
    if (t->listen_plain != NULL)
        h2o_socket_close(t->listen_plain);
    if (t->listen_metrics != NULL)
        h2o_socket_close(t->listen_metrics);
    h2o_context_request_shutdown(&t->ctx);
    gw_quota_tick(t->quota, 1); /* hand back leased units before leaving */
    uint64_t deadline = gw_monotonic_ns() + (uint64_t)s->cfg.shutdown_timeout_ms * 1000000ULL;
    while (gw_monotonic_ns() < deadline &&
           (t->inflight > 0 || !h2o_linklist_is_empty(&t->ctx.http1._conns) ||
            db_pool_pending(t->db[0]) > 0 || db_pool_pending(t->db[1]) > 0 ||
            db_pool_pending(t->db[GW_DB_PRIMARY]) > 0 || gw_analytics_pending(t->analytics))) {
        if (t->inflight == 0)
            gw_analytics_flush(t->analytics,
                               1); /* the counters of the last requests, once they are answered */
        h2o_evloop_run(t->loop, GW_LOOP_WAIT_MS);
    }
    if (t->inflight > 0)
        gw_log(s, "warn", "thread %d stopped with %d requests unanswered", t->index, t->inflight);
    /* The loop and context are not disposed: h2o 2.2.5 asserts on that after a shutdown request, and the
     * process exits right after. */
    return NULL;
}

int gw_server_run(gw_server_t *s, char *err, size_t errlen)
{
    int ret = -1;
    s->listen_fd_tls = s->listen_fd_plain = s->listen_fd_metrics = -1;
    s->self = rgn_find(&s->regions, s->cfg.region);
    if (s->self == NULL) {
        snprintf(err, errlen, "region %s is not listed in %s", s->cfg.region, s->cfg.regions_file);
        return -1;
    }
    if ((s->tls = gw_tls_create(s->cfg.tls_cert_file, s->cfg.tls_key_file, s->cfg.http2, (int64_t)time(NULL),
                                err, errlen)) == NULL)
        return -1;
    s->ssl_ctx = gw_tls_ctx(s->tls);
    if ((s->listen_fd_tls = open_listener(s->cfg.listen_address, s->cfg.https_port, err, errlen)) < 0)
        goto Exit;
    if (s->cfg.http_port != 0 &&
        (s->listen_fd_plain = open_listener(s->cfg.listen_address, s->cfg.http_port, err, errlen)) < 0)
        goto Exit;
    if (s->cfg.metrics_port != 0 &&
        (s->listen_fd_metrics = open_listener("127.0.0.1", s->cfg.metrics_port, err, errlen)) < 0)
        goto Exit;
    s->access_log_fd = -1;
    if (s->cfg.access_log[0] == '\0') {
    } else if (strcmp(s->cfg.access_log, "-") == 0) {
        s->access_log_fd = STDERR_FILENO;
    } else if ((s->access_log_fd = open_access_log(s->cfg.access_log)) < 0) {
        snprintf(err, errlen, "access_log %s: %s", s->cfg.access_log, strerror(errno));
        goto Exit;
    }

    h2o_config_init(&s->h2o_config);
    s->h2o_config.server_name = h2o_iovec_init(H2O_STRLIT("ocrgate"));
    s->h2o_config.max_request_entity_size = (size_t)s->cfg.max_request_body;
    s->h2o_config.http1.req_timeout = (uint64_t)s->cfg.request_timeout_ms;
    s->h2o_config.http2.idle_timeout = (uint64_t)s->cfg.request_timeout_ms;
    h2o_hostconf_t *host =
        h2o_config_register_host(&s->h2o_config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *handler = h2o_create_handler(path, sizeof(*handler));
    handler->on_req = gw_on_req;
    h2o_config_init(&s->metrics_config);
    s->metrics_config.server_name = s->h2o_config.server_name;
    h2o_hostconf_t *mhost =
        h2o_config_register_host(&s->metrics_config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_create_handler(h2o_config_register_path(mhost, "/", 0), sizeof(h2o_handler_t))->on_req =
        gw_on_metrics_req;

    sigset_t set;
    gw_server_block_signals(&set);

    gw_replica_init(s);
    gw_offload_start(2);
    s->nthreads = cfg_loop_threads(&s->cfg);
    s->threads = calloc((size_t)s->nthreads, sizeof(*s->threads));
    for (int i = 0; i < s->nthreads; ++i) {
        s->threads[i].server = s;
        s->threads[i].index = i;
        pthread_create(&s->threads[i].tid, NULL, thread_main, &s->threads[i]);
    }
    gw_log(s, "info", "region %s serving https on %s:%d%s with %d loop threads", s->cfg.region,
           s->cfg.listen_address, s->cfg.https_port,
           s->listen_fd_plain >= 0 ? " (plain-HTTP refusal on)" : "", s->nthreads);

    int sig;
    const struct timespec tick = {GW_TLS_TICK_S, 0};
    while ((sig = sigtimedwait(&set, NULL, &tick)) < 0 || sig == SIGHUP) {
        if (sig == SIGHUP)
            on_hangup(s);
        gw_tls_tick(s->tls, (int64_t)time(NULL));
    }
    gw_log(s, "info", "signal %d: draining", sig);
    __atomic_store_n(&s->stopping, 1, __ATOMIC_RELEASE); /* read by every loop thread */
    /* Workers finish their page and give their jobs back while the loops drain their requests; the pool
     * stays readable (/v1/serverload, /metrics) until main() frees it after the loops are joined. */
    job_pool_request_stop(s->pool);
    wh_pool_request_stop(s->webhooks);
    for (int i = 0; i < s->nthreads; ++i)
        pthread_join(s->threads[i].tid, NULL);
    cx_wait_stop();
    gw_log(s, "info", "stopped");
    ret = 0;
Exit:
    if (s->listen_fd_tls >= 0)
        close(s->listen_fd_tls);
    if (s->listen_fd_plain >= 0)
        close(s->listen_fd_plain);
    if (s->listen_fd_metrics >= 0)
        close(s->listen_fd_metrics);
    return ret;
}
