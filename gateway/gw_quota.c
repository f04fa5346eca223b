#include "gateway/gw_quota.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct {
    gw_req_t *r;
    void (*next)(gw_req_t *r);
} quota_call_t;

int64_t gw_quota_window_start(int64_t now)
{
    return now - ((now % GW_QUOTA_WINDOW) + GW_QUOTA_WINDOW) % GW_QUOTA_WINDOW;
}

static void refuse(gw_req_t *r)
{
    char buf[32], reset[32];
    int64_t left = r->quota_reset - gw_now(r->thr->server);
    snprintf(buf, sizeof(buf), "%lld", (long long)(left < 1 ? 1 : left));
    gw_add_header(r, "Retry-After", buf);
    gw_format_time(r->quota_reset, reset, sizeof(reset));
    json_t *j = json_pack("{s:s,s:s,s:s,s:I,s:s}", "errorCode", "QuotaExceeded", "message",
                          "the hourly quota of this license is used up", "requestId", r->request_id, "limit",
                          (json_int_t)r->quota_limit, "resetsAt", reset);
    gw_send_json(r, 429, j);
}

void gw_quota_prepare(gw_req_t *r, char lic[37], char start[24], char limit[24])
{
    int64_t now = gw_now(r->thr->server), ws = gw_quota_window_start(now);
    r->quota_limit = r->who.hourly_quota;
    r->quota_reset = ws + GW_QUOTA_WINDOW;
    snprintf(lic, 37, "%s", r->who.license_id);
    snprintf(start, 24, "%lld", (long long)ws);
    snprintf(limit, 24, "%lld", r->quota_limit);
}

static void on_take(void *arg, PGresult *res, const char *errmsg)
{
    quota_call_t *c = arg;
    gw_req_t *r = c->r;
    void (*next)(gw_req_t *) = c->next;
    free(c);
    if (gw_req_release(r) != 0)
        return;
    if (res == NULL) {
        gw_log(r->thr->server, "warn", "quota update failed: %s", errmsg);
        gw_add_header(r, "Retry-After", "5");
        gw_send_error(r, 503, "Unavailable", NULL, "the region database cannot be reached; try again shortly");
        return;
    }
    if (gw_quota_apply(r, PQntuples(res) == 0 ? NULL : PQgetvalue(res, 0, 0)) == 0)
        next(r);
}

int gw_quota_apply(gw_req_t *r, const char *used)
{
    r->quota_known = 1;
    if (used == NULL) {
        r->quota_remaining = 0;
        refuse(r);
        return -1;
    }
    long long n = strtoll(used, NULL, 10);
    r->counted = 1;
    r->quota_remaining = r->quota_limit > n ? r->quota_limit - n : 0;
    return 0;
}

void gw_quota_take(gw_req_t *r, void (*next)(gw_req_t *r))
{
    char lic[37], start[24], limit[24];
    gw_quota_prepare(r, lic, start, limit);
    if (r->quota_limit <= 0) {
        r->quota_known = 1;
        r->quota_remaining = 0;
        refuse(r);
        return;
    }
    quota_call_t *c = malloc(sizeof(*c));
    c->r = r;
    c->next = next;
    gw_req_addref(r);
    const char *params[3] = {lic, start, limit};
    db_pool_query(r->thr->db[GW_DB_REGION], DB_RGN_QUOTA_TAKE, params, on_take, c);
}

static void on_peek(void *arg, PGresult *res, const char *errmsg)
{
    quota_call_t *c = arg;
    gw_req_t *r = c->r;
    void (*next)(gw_req_t *) = c->next;
    free(c);
    (void)errmsg;
    if (gw_req_release(r) != 0)
        return;
    if (res != NULL && PQntuples(res) == 1) {
        long long used = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        r->quota_known = 1;
        r->quota_remaining = r->quota_limit > used ? r->quota_limit - used : 0;
    }
    next(r);
}

void gw_quota_peek(gw_req_t *r, void (*next)(gw_req_t *r))
{
    char lic[37], start[24], limit[24];
    gw_quota_prepare(r, lic, start, limit);
    quota_call_t *c = malloc(sizeof(*c));
    c->r = r;
    c->next = next;
    gw_req_addref(r);
    const char *params[2] = {lic, start};
    db_pool_query(r->thr->db[GW_DB_REGION], DB_RGN_QUOTA_USED, params, on_peek, c);
}
