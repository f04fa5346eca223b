/*
 * The hourly quota with leased blocks. Each loop thread keeps, per license, the units of the current window
 * it has been granted by the region database and not used yet. A request takes a unit locally when one is
 * left; otherwise it waits for one lease statement in flight for that license on this thread (single flight),
 * which asks for a block sized by the recent rate and by what is left of the window. The database never
 * grants more than the limit in total, so no node can admit past it; blocks shrink to one unit as the window
 * nears its limit, so the last units are counted one by one; units a thread leaves unused for LEASE_IDLE_MS
 * go back.
 *
 * The X-RateLimit-Remaining of a counted response is limit - (window count after our grant) + (units we still
 * hold): every unit of the window maps to exactly one remaining value, whichever node serves it.
 */
#include "gateway/gw_quota.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEASE_MAX 1024     /* largest block one thread asks for */
#define LEASE_SHARE 64     /* a block is at most 1/LEASE_SHARE of what is left of the window */
#define LEASE_IDLE_MS 2000 /* unused units go back after this long without a request */
#define PEEK_FRESH_MS 1000 /* non-counted responses may show a window read this long ago */
#define LEASE_BUCKETS 1024
#define LEASE_MAX_ENTRIES 20000

typedef struct waiter {
    struct waiter *next;
    gw_req_t *r;
    void (*cb)(gw_req_t *r);
} waiter_t;

typedef struct lease {
    struct lease *next;
    char lic[37];
    int64_t window;
    long long limit;
    long long db_used; /* the window's count after our last grant (or last read) */
    long long left;    /* units granted to this thread, not used yet */
    int block;         /* next block size */
    int inflight;      /* a lease statement is running */
    int peeks;         /* peek statements running: the entry must outlive them (their answers write to it) */
    int full;          /* the database said the window is full */
    uint64_t last_use_ms, last_grant_ms, read_ms;
    waiter_t *waiters, **wtail;
    int nwaiters;
} lease_t;

struct gw_quota_cache {
    gw_thread_t *thr;
    lease_t *buckets[LEASE_BUCKETS];
    size_t count;
};

typedef struct {
    gw_quota_cache_t *qc;
    lease_t *e;
} lease_call_t;

static uint64_t now_ms(void)
{
    return gw_monotonic_ns() / 1000000ULL;
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

gw_quota_cache_t *gw_quota_cache_create(gw_thread_t *thr)
{
    gw_quota_cache_t *qc = calloc(1, sizeof(*qc));
    qc->thr = thr;
    return qc;
}

void gw_quota_cache_destroy(gw_quota_cache_t *qc)
{
    if (qc == NULL)
        return;
    for (size_t b = 0; b < LEASE_BUCKETS; ++b)
        while (qc->buckets[b] != NULL) {
            lease_t *e = qc->buckets[b];
            qc->buckets[b] = e->next;
            free(e);
        }
    free(qc);
}

size_t gw_quota_cache_entries(const gw_quota_cache_t *qc)
{
    return qc->count;
}

static size_t bucket_of(const char *lic)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *lic; ++lic)
        h = (h ^ (unsigned char)*lic) * 1099511628211ULL;
    return (size_t)(h % LEASE_BUCKETS);
}

/* The entry of a license for the current window (a new window starts it afresh: the old one's units are gone
 * with the old window). */
static lease_t *entry(gw_quota_cache_t *qc, gw_req_t *r, int64_t ws)
{
    lease_t **pp = &qc->buckets[bucket_of(r->who.license_id)];
    for (lease_t *e = *pp; e != NULL; e = e->next) {
        if (strcmp(e->lic, r->who.license_id) != 0)
            continue;
        if (e->window != ws && !e->inflight) {
            e->window = ws;
            e->db_used = e->left = 0;
            e->block = 1;
            e->full = 0;
            e->read_ms = 0;
        }
        e->limit = r->quota_limit;
        return e;
    }
    lease_t *e = calloc(1, sizeof(*e));
    snprintf(e->lic, sizeof(e->lic), "%s", r->who.license_id);
    e->window = ws;
    e->limit = r->quota_limit;
    e->block = 1;
    e->wtail = &e->waiters;
    e->next = *pp;
    *pp = e;
    ++qc->count;
    return e;
}

/* Serves one request from the thread's units. */
static void use_unit(lease_t *e, gw_req_t *r)
{
    --e->left;
    e->last_use_ms = now_ms();
    r->quota_known = 1;
    r->counted = 1;
    long long rem = e->limit - e->db_used + e->left;
    r->quota_remaining = rem < 0 ? 0 : rem > e->limit ? e->limit : rem;
}

static void request_lease(gw_quota_cache_t *qc, lease_t *e);

static void on_lease(void *arg, PGresult *res, const char *errmsg)
{
    lease_call_t *c = arg;
    gw_quota_cache_t *qc = c->qc;
    lease_t *e = c->e;
    free(c);
    e->inflight = 0;
    uint64_t now = now_ms();
    if (res == NULL) {
        gw_log(qc->thr->server, "warn", "quota lease failed: %s", errmsg);
    } else if (PQntuples(res) == 0) {
        e->full = 1;
        e->db_used = e->limit;
    } else {
        e->db_used = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        e->left += strtoll(PQgetvalue(res, 0, 1), NULL, 10);
        e->read_ms = now;
        /* Grow the block while leases follow each other quickly; shrink it when traffic slows. */
        if (now - e->last_grant_ms < 1000)
            e->block = e->block * 2 > LEASE_MAX ? LEASE_MAX : e->block * 2;
        else if (e->block > 1)
            e->block /= 2;
        e->last_grant_ms = now;
    }
    while (e->waiters != NULL) {
        waiter_t *w = e->waiters;
        if (e->left == 0 && res != NULL && !e->full)
            break; /* granted fewer than waiting: ask again below */
        e->waiters = w->next;
        if (e->waiters == NULL)
            e->wtail = &e->waiters;
        --e->nwaiters;
        gw_req_t *r = w->r;
        void (*cb)(gw_req_t *) = w->cb;
        free(w);
        if (gw_req_release(r) != 0)
            continue; /* the client left: its unit stays with us */
        if (res == NULL) {
            gw_add_header(r, "Retry-After", "5");
            gw_send_error(r, 503, "Unavailable", NULL,
                          "the region database cannot be reached; try again shortly");
        } else if (e->left == 0) {
            r->quota_known = 1;
            r->quota_remaining = 0;
            refuse(r);
        } else {
            use_unit(e, r);
            cb(r);
        }
    }
    if (e->waiters != NULL)
        request_lease(qc, e);
}

static void request_lease(gw_quota_cache_t *qc, lease_t *e)
{
    long long want = e->block;
    if (want < e->nwaiters)
        want = e->nwaiters;
    long long cap = (e->limit - e->db_used) / LEASE_SHARE;
    if (want > cap)
        want = cap < 1 ? 1 : cap;
    char start[24], n[24], limit[24];
    snprintf(start, sizeof(start), "%lld", (long long)e->window);
    snprintf(n, sizeof(n), "%lld", want);
    snprintf(limit, sizeof(limit), "%lld", e->limit);
    lease_call_t *c = malloc(sizeof(*c));
    c->qc = qc;
    c->e = e;
    e->inflight = 1;
    const char *params[4] = {e->lic, start, n, limit};
    db_pool_query(qc->thr->db[GW_DB_REGION], DB_RGN_QUOTA_LEASE, params, on_lease, c);
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
    gw_quota_cache_t *qc = r->thr->quota;
    lease_t *e = entry(qc, r, r->quota_reset - GW_QUOTA_WINDOW);
    if (e->left > 0 && e->window == r->quota_reset - GW_QUOTA_WINDOW) {
        use_unit(e, r);
        next(r);
        return;
    }
    waiter_t *w = malloc(sizeof(*w));
    w->next = NULL;
    w->r = r;
    w->cb = next;
    gw_req_addref(r);
    *e->wtail = w;
    e->wtail = &w->next;
    ++e->nwaiters;
    if (!e->inflight)
        request_lease(qc, e);
}

typedef struct {
    gw_req_t *r;
    void (*next)(gw_req_t *r);
    lease_t *e; /* pinned by e->peeks until the answer */
    int64_t window;
} peek_call_t;

static void on_peek(void *arg, PGresult *res, const char *errmsg)
{
    peek_call_t *c = arg;
    gw_req_t *r = c->r;
    void (*next)(gw_req_t *) = c->next;
    lease_t *e = c->e;
    int64_t window = c->window;
    free(c);
    (void)errmsg;
    --e->peeks;
    long long used = res != NULL && PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : -1;
    /* A count read for a window that has since ended says nothing about the entry's new one. */
    if (used >= 0 && e->window == window && e->left == 0 && !e->inflight) {
        e->db_used = used;
        e->read_ms = now_ms();
    }
    if (gw_req_release(r) != 0)
        return;
    if (used >= 0) {
        /* The database counts the units this thread holds leased as used; they are still this license's to
         * spend. */
        long long rem = r->quota_limit - used + (e->window == window ? e->left : 0);
        r->quota_known = 1;
        r->quota_remaining = rem < 0 ? 0 : rem > r->quota_limit ? r->quota_limit : rem;
    }
    next(r);
}

static void peek(gw_req_t *r, void (*next)(gw_req_t *r), int fresh)
{
    char lic[37], start[24], limit[24];
    gw_quota_prepare(r, lic, start, limit);
    lease_t *e = entry(r->thr->quota, r, r->quota_reset - GW_QUOTA_WINDOW);
    if (!fresh && e->window == r->quota_reset - GW_QUOTA_WINDOW &&
        (e->left > 0 || now_ms() - e->read_ms < PEEK_FRESH_MS)) {
        long long rem = e->limit - e->db_used + e->left;
        r->quota_known = 1;
        r->quota_remaining = rem < 0 ? 0 : rem > e->limit ? e->limit : rem;
        next(r);
        return;
    }
    peek_call_t *c = malloc(sizeof(*c));
    c->r = r;
    c->next = next;
    c->e = e;
    c->window = e->window;
    ++e->peeks;
    gw_req_addref(r);
    const char *params[2] = {lic, start};
    db_pool_query(r->thr->db[GW_DB_REGION], DB_RGN_QUOTA_USED, params, on_peek, c);
}

void gw_quota_peek(gw_req_t *r, void (*next)(gw_req_t *r))
{
    peek(r, next, 0);
}

void gw_quota_read(gw_req_t *r, void (*next)(gw_req_t *r))
{
    peek(r, next, 1);
}

static void on_returned(void *arg, PGresult *res, const char *errmsg)
{
    gw_quota_cache_t *qc = arg;
    if (res == NULL)
        gw_log(qc->thr->server, "warn", "returning unused quota failed: %s", errmsg);
}

static void give_back(gw_quota_cache_t *qc, lease_t *e)
{
    char start[24], n[24];
    snprintf(start, sizeof(start), "%lld", (long long)e->window);
    snprintf(n, sizeof(n), "%lld", e->left);
    const char *params[3] = {e->lic, start, n};
    e->left = 0;
    e->block = 1;
    db_pool_query(qc->thr->db[GW_DB_REGION], DB_RGN_QUOTA_RETURN, params, on_returned, qc);
}

void gw_quota_tick(gw_quota_cache_t *qc, int all)
{
    uint64_t now = now_ms();
    int64_t ws = gw_quota_window_start(gw_now(qc->thr->server));
    for (size_t b = 0; b < LEASE_BUCKETS; ++b) {
        lease_t **pp = &qc->buckets[b];
        while (*pp != NULL) {
            lease_t *e = *pp;
            if (e->inflight || e->peeks > 0 || e->waiters != NULL) {
                pp = &e->next;
                continue;
            }
            if (e->left > 0 && e->window == ws && (all || now - e->last_use_ms >= LEASE_IDLE_MS))
                give_back(qc, e);
            /* Entries of past windows, or idle ones in a full cache, are dropped. */
            if (e->window != ws || (qc->count > LEASE_MAX_ENTRIES && e->left == 0)) {
                *pp = e->next;
                --qc->count;
                free(e);
                continue;
            }
            pp = &e->next;
        }
    }
}
