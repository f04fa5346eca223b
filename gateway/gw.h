/*
 * gw: the HTTP edge of one region's gateway node.
 *
 * gw_server_t is built once on the main thread and read-only afterwards. Each event-loop thread owns a
 * gw_thread_t: its h2o loop and context, its listeners, its database pools and its credential cache; nothing
 * in it may be touched from another thread. A gw_req_t carries one request through admission, quota and its
 * handler; it lives until both the request and every database call made for it are over (reference count),
 * and `req` becomes NULL when the client has gone, so late callbacks only release it.
 */
#ifndef OCRGATE_GW_H
#define OCRGATE_GW_H

#include <h2o.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#include "config/cfg.h"
#include "gateway/gw_util.h"
#include "regions/rgn.h"
#include "sql/db_async.h"

typedef struct gw_server gw_server_t;
typedef struct gw_thread gw_thread_t;
typedef struct gw_req gw_req_t;
typedef struct gw_surface gw_surface_t;
typedef struct gw_route gw_route_t;
typedef struct gw_auth_cache gw_auth_cache_t;
typedef struct gw_quota_cache gw_quota_cache_t;
typedef struct gw_analytics gw_analytics_t;

/* What the catalog says about a license (and, for tenant calls, one of its apps). */
typedef struct {
    char license_id[37];
    char app_id[37];
    char region[RGN_CODE_MAX + 1];
    char status[16];
    int64_t expires_at; /* epoch seconds, 0 = never */
    char tier[64];
    long long hourly_quota, max_file_bytes, max_pages, max_pixels;
    int max_retention_days, page_timeout_ms, max_attempts;
    int max_concurrent_pages; /* pages of the license in recognition at once, region-wide; 0 = no cap */
    int app_enabled, app_deleted;
} gw_principal_t;

/* GW_DB_CATALOG is read (its region's replica when replicated); GW_DB_PRIMARY takes catalog writes and is the
 * same pool as GW_DB_CATALOG when there is no replication. */
typedef enum { GW_DB_CATALOG = 0, GW_DB_REGION = 1, GW_DB_PRIMARY = 2, GW_DB_COUNT } gw_db_t;

struct gw_thread {
    gw_server_t *server;
    int index;
    pthread_t tid;
    h2o_evloop_t *loop;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_tls, accept_plain, accept_metrics;
    h2o_socket_t *listen_tls, *listen_plain, *listen_metrics;
    db_pool_t *db[GW_DB_COUNT];
    gw_auth_cache_t *auth;
    gw_quota_cache_t *quota;
    gw_analytics_t *analytics;
    int db_ok[GW_DB_COUNT]; /* last health check */
    h2o_timeout_t tick_timeout;
    h2o_timeout_entry_t tick_entry;
    h2o_timeout_t pause_timeout; /* GW_PAUSE_MS, for gw_pause */
    int inflight;
    uint64_t rng[2];
    h2o_multithread_queue_t *offload_queue;
    h2o_multithread_receiver_t *offload_receiver;
};

struct gw_server {
    cfg_t cfg;
    rgn_registry_t regions;
    const rgn_region_t *self; /* this node's region in the registry */
    struct gw_tls *tls;       /* owns ssl_ctx; reloads its certificate on SIGHUP (gw_tls.h) */
    SSL_CTX *ssl_ctx;
    h2o_globalconf_t h2o_config;
    h2o_globalconf_t metrics_config; /* its own host table, so the metrics listener serves nothing else */
    int listen_fd_tls, listen_fd_plain, listen_fd_metrics; /* bound once; each thread accepts on a dup */
    int nthreads;
    gw_thread_t *threads;
    volatile sig_atomic_t stopping;
    int access_log_fd;
    char *openapi_json;
    size_t openapi_len;
    char *version_json;
    char *languages_json;
    char **languages; /* installed, for option checks */
    size_t nlanguages;
    struct job_pool *pool;    /* the node's job runner: started, stopped and freed by main(), not here */
    struct wh_pool *webhooks; /* the webhook delivery threads: likewise main()'s */
    char node_id[256];
    uint64_t replica_contact_ns; /* gw_replica.c: monotonic time the replica last heard from the primary */
    char replica_subscription[RGN_SUBSCRIPTION_MAX];
};

/* GW_AUTH_TENANT_OR_ADMIN: HTTP Basic with the License ID as user and either an App ID or the license's admin
 * key as password (the ownOCR surface's "admin rights"); an admin is admitted with an empty who.app_id. */
typedef enum {
    GW_AUTH_NONE,
    GW_AUTH_TENANT,
    GW_AUTH_TENANT_ANY_REGION,
    GW_AUTH_ADMIN,
    GW_AUTH_TENANT_OR_ADMIN
} gw_auth_kind_t;
/* GW_QUOTA_OWN: the handler counts the request itself (job creation shares one transaction with the count).
 */
/* PEEK fills the quota headers from a window read up to a second ago; READ reads it every time. */
typedef enum { GW_QUOTA_NONE, GW_QUOTA_PEEK, GW_QUOTA_READ, GW_QUOTA_COUNT, GW_QUOTA_OWN } gw_quota_kind_t;

#define GW_MAX_PATH_PARAMS 4

struct gw_req {
    h2o_req_t *req; /* NULL once the client is gone */
    gw_thread_t *thr;
    int refs;
    const gw_route_t *route;
    h2o_iovec_t params[GW_MAX_PATH_PARAMS];
    int nparams;
    char request_id[65];
    uint64_t start_ns;
    gw_principal_t who;
    int authenticated;
    int quota_known; /* the headers below are valid */
    int counted;     /* this request has been counted against the quota */
    long long quota_limit, quota_remaining;
    int64_t quota_reset; /* epoch of the window's end */
    int status;
    size_t bytes_out;
    void *hstate; /* the handler's own state, from the request's pool */
    /* an error to send once the request has been counted (gw_fail_counted, gw_counted.h) */
    int pend_status;
    const char *pend_code;
    char pend_msg[256];
    json_t *pend_details;
    /* The compat surface (gateway/compat/) serving this request, NULL for v1; its hooks are below. `sstate`
     * is the surface's own state beside the hstate of the v1 handler it reuses (gw_sstate, from the request's
     * pool). */
    const gw_surface_t *surface;
    void *sstate;
};

/* A surface over v1 (gateway/compat/) reuses the v1 handlers and keeps its own vocabulary through these
 * hooks, one const table per surface set on the request (gw_req_t.surface); a NULL hook leaves that step
 * v1's.
 * - reshape: gw_send hands it every response first; it returns 1 when it took the response over (it sends
 *   its own answer, through gw_send, whenever it likes) and 0 to let gw_send send it as it is. A surface
 *   that reshapes keeps in its sstate which of its own answers must go out as they are.
 * - error_map: turns a v1 error status and code into the surface's (applied by gw_send_error, before the
 *   body is made).
 * - on_job: takes over the answer of a v1 job creation (the job object's text; no Location is set then). */
typedef void (*gw_on_job_t)(gw_req_t *r, int status, const char *job_json);
struct gw_surface {
    int (*reshape)(gw_req_t *r, int status, const char *content_type, const char *body, size_t len);
    int (*error_map)(int status, const char **code);
    gw_on_job_t on_job;
};

typedef void (*gw_handler_t)(gw_req_t *r);

/* Clocks, times, UUIDs and the log are in gw_util.h (included above). */

/* --- gw_server.c --- */
int gw_server_run(gw_server_t *server, char *err, size_t errlen);
/* Blocks SIGTERM, SIGINT (drain) and SIGHUP (reopen the access log, reload the TLS pair) in the calling
 * thread and fills `set` with them; call before any thread starts, so that every thread inherits the mask and
 * only gw_server_run's sigtimedwait receives them. Ignores SIGPIPE. */
void gw_server_block_signals(sigset_t *set);

/* --- gw_http.c: responses; every response of the gateway goes through gw_send --- */
/* Sends `body` (copied) with status and content type, adding X-Request-Id, quota headers, Content-Length,
 * security headers, and writes the access-log line. Does nothing if the client has gone. */
void gw_send(gw_req_t *r, int status, const char *content_type, const char *body, size_t len);
void gw_send_json(gw_req_t *r, int status, json_t *body /* stolen */);
void gw_send_json_text(gw_req_t *r, int status, const char *json, size_t len);
/* The API.md error body; `details` (stolen, may be NULL) is the errorDetails array. */
void gw_send_error(gw_req_t *r, int status, const char *code, json_t *details, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void gw_add_header(gw_req_t *r, const char *name, const char *value);
void gw_req_addref(gw_req_t *r);
/* Drops a reference; returns 0 when the request is still alive (client present), -1 when it is gone. */
int gw_req_release(gw_req_t *r);
/* A request header's value or NULL (length in *len). */
const char *gw_header(gw_req_t *r, const char *name, size_t *len);
const char *gw_header_token(gw_req_t *r, const h2o_token_t *token, size_t *len);
/* The request's body, or an empty iovec. */
h2o_iovec_t gw_body(gw_req_t *r);
struct gw_query;
/* Parses the request's query string into *q (gw_query.h; the caller frees it), or answers 400 and returns -1.
 */
int gw_query_or_400(gw_req_t *r, struct gw_query *q);
/* Raw query string after '?', or empty. */
h2o_iovec_t gw_query(gw_req_t *r);

/* The handler's own request state: `size` zeroed bytes from the request's pool, made on first use and the
 * same block afterwards; `dispose` (may be NULL) runs when the pool goes (it releases what the state owns).
 */
void *gw_hstate(gw_req_t *r, size_t size, void (*dispose)(void *));
/* The same for a compat surface's own state (gw_req_t.sstate), beside the hstate of the v1 handler it reuses.
 */
void *gw_sstate(gw_req_t *r, size_t size, void (*dispose)(void *));
/* The UUID of path parameter `i` into out, or a 404 ResourceNotFound "no such <what>" and -1 (an id that is
 * not a UUID names nothing). */
__attribute__((warn_unused_result)) int gw_path_uuid(gw_req_t *r, int i, const char *what, char out[37]);

/* A database call for a request: the callback runs only while the client is still there, with a result of
 * status TUPLES_OK/COMMAND_OK; a failed call answers 503 Unavailable itself. */
typedef void (*gw_db_cb_t)(gw_req_t *r, PGresult *res);
void gw_db_query(gw_req_t *r, gw_db_t db, db_stmt_id_t id, const char *const *params, const int *lengths,
                 gw_db_cb_t cb);

/* Runs `then` on the request's loop thread GW_PAUSE_MS from now, while the client is still there: a wait
 * between two looks of a handler that polls, holding nothing but a reference on the request (no database
 * connection, no blocking call). */
#define GW_PAUSE_MS 50
void gw_pause(gw_req_t *r, void (*then)(gw_req_t *r));

/* --- gw_dispatch.c: route, admission, quota, handler --- */
int gw_on_req(h2o_handler_t *self, h2o_req_t *req);
/* The loopback metrics listener's requests. */
int gw_on_metrics_req(h2o_handler_t *self, h2o_req_t *req);

#endif
