/* Responses, request lifetime, access log, pauses on the loop: every response of the gateway leaves through
 * gw_send. Runs on the request's loop thread. Below the handlers, admission and quota: it calls only gw_util,
 * gw_query and the analytics counters (gw_analytics_record), never back up. */
#include "gateway/gw.h"
#include "gateway/gw_analytics.h"
#include "gateway/gw_query.h"
#include "gateway/gw_router.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void gw_req_addref(gw_req_t *r)
{
    ++r->refs;
}

int gw_req_release(gw_req_t *r)
{
    int alive = r->req != NULL;
    if (--r->refs == 0) {
        json_decref(r->pend_details);
        free(r);
    }
    return alive ? 0 : -1;
}

const char *gw_header(gw_req_t *r, const char *name, size_t *len)
{
    ssize_t i = h2o_find_header_by_str(&r->req->headers, name, strlen(name), -1);
    if (i < 0)
        return NULL;
    *len = r->req->headers.entries[i].value.len;
    return r->req->headers.entries[i].value.base;
}

const char *gw_header_token(gw_req_t *r, const h2o_token_t *token, size_t *len)
{
    ssize_t i = h2o_find_header(&r->req->headers, token, -1);
    if (i < 0)
        return NULL;
    *len = r->req->headers.entries[i].value.len;
    return r->req->headers.entries[i].value.base;
}

h2o_iovec_t gw_body(gw_req_t *r)
{
    return r->req->entity.base != NULL ? r->req->entity : h2o_iovec_init("", 0);
}

h2o_iovec_t gw_query(gw_req_t *r)
{
    h2o_req_t *req = r->req;
    if (req->input.query_at == SIZE_MAX)
        return h2o_iovec_init("", 0);
    return h2o_iovec_init(req->input.path.base + req->input.query_at + 1,
                          req->input.path.len - req->input.query_at - 1);
}

/* A header whose name is a string constant (not copied) and whose value is copied into the request's pool. */
static void add_header_const_name(gw_req_t *r, const char *name, size_t nlen, const char *value, size_t vlen)
{
    h2o_req_t *req = r->req;
    h2o_iovec_t v = h2o_strdup(&req->pool, value, vlen);
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, nlen, 0, NULL, v.base, v.len);
}

int gw_query_or_400(gw_req_t *r, gw_query_t *q)
{
    char err[256];
    h2o_iovec_t qs = gw_query(r);
    if (gw_query_parse(qs.base, qs.len, q, err, sizeof(err)) != 0) {
        gw_send_error(r, 400, "InvalidInput", NULL, "%s", err);
        return -1;
    }
    return 0;
}

void gw_add_header(gw_req_t *r, const char *name, const char *value)
{
    h2o_req_t *req = r->req;
    h2o_iovec_t n = h2o_strdup(&req->pool, name, SIZE_MAX), v = h2o_strdup(&req->pool, value, SIZE_MAX);
    h2o_add_header_by_str(&req->pool, &req->res.headers, n.base, n.len, 1, NULL, v.base, v.len);
}

/* Decimal digits of a non-negative number; returns the length. */
static size_t put_num(char *out, long long v)
{
    char tmp[24];
    size_t n = 0, i = 0;
    if (v < 0)
        v = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n > 0)
        out[i++] = tmp[--n];
    return i;
}

/* The quota headers are on most responses: built without printf. */
static void add_quota_headers(gw_req_t *r)
{
    char buf[96], lim[24], rem[24], rst[24];
    int64_t reset_in = r->quota_reset - gw_now(r->thr->server);
    size_t llen = put_num(lim, r->quota_limit), rlen = put_num(rem, r->quota_remaining);
    size_t slen = put_num(rst, r->quota_reset), n;
    n = 0;
    memcpy(buf, "\"hourly\";q=", 11), n = 11;
    memcpy(buf + n, lim, llen), n += llen;
    memcpy(buf + n, ";w=3600", 7), n += 7;
    add_header_const_name(r, H2O_STRLIT("RateLimit-Policy"), buf, n);
    memcpy(buf, "\"hourly\";r=", 11), n = 11;
    memcpy(buf + n, rem, rlen), n += rlen;
    memcpy(buf + n, ";t=", 3), n += 3;
    n += put_num(buf + n, reset_in);
    add_header_const_name(r, H2O_STRLIT("RateLimit"), buf, n);
    add_header_const_name(r, H2O_STRLIT("X-RateLimit-Limit"), lim, llen);
    add_header_const_name(r, H2O_STRLIT("X-RateLimit-Remaining"), rem, rlen);
    add_header_const_name(r, H2O_STRLIT("X-RateLimit-Reset"), rst, slen);
}

static void access_log(gw_req_t *r)
{
    gw_server_t *s = r->thr->server;
    if (s->access_log_fd < 0)
        return;
    h2o_req_t *req = r->req;
    char ts[32];
    gw_format_time((int64_t)time(NULL), ts, sizeof(ts));
    /* The path without its query: query strings may carry correlation ids a tenant considers private. */
    size_t plen = req->input.query_at != SIZE_MAX ? req->input.query_at : req->input.path.len;
    json_t *j =
        json_pack("{s:s,s:s,s:s%,s:s%,s:i,s:I,s:f}", "time", ts, "requestId", r->request_id, "method",
                  req->input.method.base, req->input.method.len, "path", req->input.path.base,
                  plen > 512 ? (size_t)512 : plen, "status", r->status, "bytes", (json_int_t)r->bytes_out,
                  "ms", gw_round_to((double)(gw_monotonic_ns() - r->start_ns) / 1e6, 3));
    if (j == NULL) /* a path that is not UTF-8 */
        j = json_pack("{s:s,s:s,s:i,s:I}", "time", ts, "requestId", r->request_id, "status", r->status,
                      "bytes", (json_int_t)r->bytes_out);
    if (r->authenticated) {
        json_object_set_new(j, "licenseId", json_string(r->who.license_id));
        if (r->who.app_id[0] != '\0')
            json_object_set_new(j, "appId", json_string(r->who.app_id));
    }
    cfg_log_line(s->access_log_fd, j);
}

static const char *reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "";
    }
}

void gw_send(gw_req_t *r, int status, const char *content_type, const char *body, size_t len)
{
    h2o_req_t *req = r->req;
    if (req == NULL || r->status != 0)
        return;
    if (r->surface != NULL && r->surface->reshape != NULL &&
        r->surface->reshape(r, status, content_type, body, len))
        return;
    r->status = status;
    r->bytes_out = len;
    req->res.status = status;
    req->res.reason = reason(status);
    req->res.content_length = len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type,
                   strlen(content_type));
    add_header_const_name(r, H2O_STRLIT("X-Request-Id"), r->request_id, strlen(r->request_id));
    /* Every 401 names the scheme that would work (RFC 9110 15.5.2): Bearer with the admin key for admin
     * calls, Basic (License ID and App ID) for tenant calls. */
    if (status == 401) {
        if (r->route != NULL && r->route->auth == GW_AUTH_ADMIN)
            add_header_const_name(r, H2O_STRLIT("WWW-Authenticate"), H2O_STRLIT("Bearer realm=\"ocrgate\""));
        else
            add_header_const_name(r, H2O_STRLIT("WWW-Authenticate"), H2O_STRLIT("Basic realm=\"ocrgate\""));
    }
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("X-Content-Type-Options"), 0, NULL,
                          H2O_STRLIT("nosniff"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("Strict-Transport-Security"), 0, NULL,
                          H2O_STRLIT("max-age=31536000"));
    if (strncmp(content_type, "application/json", 16) == 0)
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("Cache-Control"), 0, NULL,
                              H2O_STRLIT("no-store"));
    if (r->quota_known)
        add_quota_headers(r);
    gw_analytics_record(r, status, len);
    access_log(r);
    h2o_send_inline(req, body, len);
}

void gw_send_json_text(gw_req_t *r, int status, const char *json, size_t len)
{
    gw_send(r, status, "application/json; charset=utf-8", json, len);
}

void gw_send_json(gw_req_t *r, int status, json_t *body)
{
    char *s = json_dumps(body, GW_JSON_FLAGS);
    json_decref(body);
    if (s == NULL) {
        gw_send_error(r, 500, "InternalError", NULL, "the response could not be encoded");
        return;
    }
    gw_send_json_text(r, status, s, strlen(s));
    free(s);
}

void gw_send_error(gw_req_t *r, int status, const char *code, json_t *details, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (r->surface != NULL && r->surface->error_map != NULL)
        status = r->surface->error_map(status, &code);
    json_t *j = json_pack("{s:s,s:s,s:s}", "errorCode", code, "message", msg, "requestId", r->request_id);
    if (j == NULL) /* msg quoted something that is not UTF-8 */
        j = json_pack("{s:s,s:s,s:s}", "errorCode", code, "message", "invalid request", "requestId",
                      r->request_id);
    if (details != NULL)
        json_object_set_new(j, "errorDetails", details);
    if (status >= 500 && r->req != NULL)
        gw_log(r->thr->server, "error", "request %s: %d %s: %s", r->request_id, status, code, msg);
    gw_send_json(r, status, j);
}

/* A zeroed block of the request's pool kept in *slot: made on first use, the same block afterwards. */
static void *pool_state(gw_req_t *r, void **slot, size_t size, void (*dispose)(void *))
{
    if (*slot == NULL) {
        *slot = dispose != NULL ? h2o_mem_alloc_shared(&r->req->pool, size, dispose)
                                : h2o_mem_alloc_pool(&r->req->pool, size);
        memset(*slot, 0, size);
    }
    return *slot;
}

void *gw_hstate(gw_req_t *r, size_t size, void (*dispose)(void *))
{
    return pool_state(r, &r->hstate, size, dispose);
}

void *gw_sstate(gw_req_t *r, size_t size, void (*dispose)(void *))
{
    return pool_state(r, &r->sstate, size, dispose);
}

int gw_path_uuid(gw_req_t *r, int i, const char *what, char out[37])
{
    if (i >= r->nparams || gw_uuid_parse(r->params[i].base, r->params[i].len, out) != 0) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "no such %s", what);
        return -1;
    }
    return 0;
}

typedef struct {
    gw_req_t *r;
    gw_db_cb_t cb;
} db_call_t;

static void on_db(void *arg, PGresult *res, const char *errmsg)
{
    db_call_t *c = arg;
    gw_req_t *r = c->r;
    gw_db_cb_t cb = c->cb;
    free(c);
    if (gw_req_release(r) != 0)
        return;
    if (res == NULL) {
        __atomic_add_fetch(&gw_metrics.db_errors, 1, __ATOMIC_RELAXED);
        gw_log(r->thr->server, "warn", "request %s: database: %s", r->request_id, errmsg);
        gw_add_header(r, "Retry-After", "5");
        gw_send_error(r, 503, "Unavailable", NULL,
                      "the region database cannot be reached; try again shortly");
        return;
    }
    cb(r, res);
}

void gw_db_query(gw_req_t *r, gw_db_t db, db_stmt_id_t id, const char *const *params, const int *lengths,
                 gw_db_cb_t cb)
{
    db_call_t *c = malloc(sizeof(*c));
    c->r = r;
    c->cb = cb;
    gw_req_addref(r);
    db_pool_query_bin(r->thr->db[db], id, params, lengths, on_db, c);
}

typedef struct {
    h2o_timeout_entry_t entry;
    gw_req_t *r;
    void (*then)(gw_req_t *r);
} pause_t;

static void on_pause_end(h2o_timeout_entry_t *entry)
{
    pause_t *p = H2O_STRUCT_FROM_MEMBER(pause_t, entry, entry);
    gw_req_t *r = p->r;
    void (*then)(gw_req_t *) = p->then;
    free(p);
    if (gw_req_release(r) == 0)
        then(r);
}

void gw_pause(gw_req_t *r, void (*then)(gw_req_t *r))
{
    pause_t *p = calloc(1, sizeof(*p));
    p->r = r;
    p->then = then;
    p->entry.cb = on_pause_end;
    gw_req_addref(r);
    h2o_timeout_link(r->thr->loop, &r->thr->pause_timeout, &p->entry);
}
