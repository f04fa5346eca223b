/* One request's way through the gateway: refuse plain HTTP, route, admit, count, handle. */
#include "gateway/gw.h"
#include "gateway/gw_auth.h"
#include "gateway/gw_frame.h"
#include "gateway/gw_guard.h"
#include "gateway/gw_handlers.h"
#include "gateway/gw_json_body.h"
#include "gateway/gw_quota.h"
#include "gateway/gw_router.h"
#include "gateway/compat/cx_ocrjobs.h"

#include <stdlib.h>
#include <string.h>

static uint64_t xorshift(uint64_t s[2])
{
    uint64_t a = s[0], b = s[1];
    s[0] = b;
    a ^= a << 23;
    s[1] = a ^ b ^ (a >> 17) ^ (b >> 26);
    return s[1] + b;
}

/* A client's X-Request-Id is echoed only when it is short and plain, so logs cannot be forged with it. */
static void set_request_id(gw_req_t *r)
{
    size_t len = 0;
    const char *v = gw_header(r, "x-request-id", &len);
    if (v != NULL && len >= 1 && len <= 64) {
        size_t i;
        for (i = 0; i < len; ++i) {
            char c = v[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '_' || c == '.' || c == ':'))
                break;
        }
        if (i == len) {
            memcpy(r->request_id, v, len);
            r->request_id[len] = '\0';
            return;
        }
    }
    static const char hex[] = "0123456789abcdef";
    uint64_t rnd[2] = {xorshift(r->thr->rng), xorshift(r->thr->rng)};
    for (int i = 0; i < 32; ++i)
        r->request_id[i] = hex[(rnd[i / 16] >> ((i % 16) * 4)) & 15];
    r->request_id[32] = '\0';
}

static void on_req_gone(void *p)
{
    gw_req_t *r = *(gw_req_t **)p;
    --r->thr->inflight;
    r->req = NULL;
    gw_req_release(r);
}

static void run_handler(gw_req_t *r)
{
    if (r->route->body == GW_BODY_JSON) {
        h2o_iovec_t body = gw_body(r);
        if (gw_json_body_check(r, body.base, body.len, 0) != 0)
            return;
    }
    r->route->handler(r);
}

static void after_admission(gw_req_t *r)
{
    switch (r->route->quota) {
    case GW_QUOTA_COUNT:
        gw_quota_take(r, run_handler);
        break;
    case GW_QUOTA_PEEK:
    case GW_QUOTA_READ:
        /* Headers only in the license's own region: another region's database knows nothing of it. */
        if (strcmp(r->who.region, r->thr->server->cfg.region) == 0) {
            (r->route->quota == GW_QUOTA_READ ? gw_quota_read : gw_quota_peek)(r, run_handler);
            break;
        }
        /* fall through */
    case GW_QUOTA_NONE:
    case GW_QUOTA_OWN:
        run_handler(r);
        break;
    }
}

static gw_req_t *req_new(h2o_req_t *req)
{
    gw_thread_t *t = H2O_STRUCT_FROM_MEMBER(gw_thread_t, ctx, req->conn->ctx);
    gw_req_t *r = calloc(1, sizeof(*r));
    r->req = req;
    r->thr = t;
    r->refs = 1; /* dropped when h2o frees the request's pool */
    r->start_ns = gw_monotonic_ns();
    gw_req_t **guard = h2o_mem_alloc_shared(&req->pool, sizeof(*guard), on_req_gone);
    *guard = r;
    ++t->inflight;
    set_request_id(r);
    return r;
}

int gw_on_metrics_req(h2o_handler_t *self, h2o_req_t *req)
{
    gw_req_t *r = req_new(req);
    (void)self;
    if (req->path_normalized.len == 8 && memcmp(req->path_normalized.base, "/metrics", 8) == 0 &&
        req->method.len == 3 && memcmp(req->method.base, "GET", 3) == 0)
        gw_h_metrics(r);
    else
        gw_send_error(r, 404, "NoSuchEndpoint", NULL, "this listener serves GET /metrics only");
    return 0;
}

int gw_on_req(h2o_handler_t *self, h2o_req_t *req)
{
    gw_req_t *r = req_new(req);
    (void)self;
    if (gw_frame_refuse(r) || gw_guard_body(r))
        return 0;
    if (req->input.scheme != &H2O_URL_SCHEME_HTTPS) {
        /* Never redirect: the credentials would already have crossed the network in clear. */
        gw_send_error(r, 403, "HttpsRequired", NULL, "this API is served over HTTPS only; use https://");
        return 0;
    }
    char allow[128];
    const gw_route_t *routes = gw_routes;
    size_t nroutes = gw_nroutes;
    h2o_iovec_t path = req->path_normalized;
    /* A surface mounted under its own prefix matches the rest of the path in its own table. */
    if (cx_ocrjobs_claim(r, &path))
        routes = cx_ocrjobs_routes, nroutes = cx_ocrjobs_nroutes;
    gw_match_t m = gw_route_match(routes, nroutes, req->method.base, req->method.len, path.base, path.len,
                                  &r->route, r->params, &r->nparams, allow, sizeof(allow));
    if (m == GW_MATCH_NO_PATH) {
        gw_send_error(r, 404, "NoSuchEndpoint", NULL, "no endpoint at this path; see /v1/openapi.json");
        return 0;
    }
    if (m == GW_MATCH_NO_METHOD) {
        gw_add_header(r, "Allow", allow);
        gw_send_error(r, 405, "MethodNotAllowed", NULL, "this endpoint accepts %s", allow);
        return 0;
    }
    if (r->route->auth == GW_AUTH_NONE)
        run_handler(r);
    else
        gw_admit(r, after_admission);
    return 0;
}
