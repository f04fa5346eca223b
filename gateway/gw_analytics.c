/* Per-app usage counters of each loop thread and their periodic flush (gw_analytics.h). */
#include "gateway/gw_analytics.h"

#include <stdlib.h>
#include <string.h>

gw_metrics_t gw_metrics;

#define BUCKETS 256

typedef struct counters {
    struct counters *next;
    char app[37], license[37];
    int64_t hour;
    long long requests, r2, r4, r5, quota, jobs, bytes_in, bytes_out;
    long long hist[GW_LAT_BUCKETS];
} counters_t;

struct gw_analytics {
    gw_thread_t *thr;
    counters_t *buckets[BUCKETS];
    int count;
    int inflight;
    uint64_t last_flush_ms;
};

gw_analytics_t *gw_analytics_create(gw_thread_t *thr)
{
    gw_analytics_t *a = calloc(1, sizeof(*a));
    a->thr = thr;
    a->last_flush_ms = gw_monotonic_ns() / 1000000ULL;
    return a;
}

static counters_t *slot(gw_analytics_t *a, const gw_principal_t *p, int64_t hour)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *c = p->app_id; *c; ++c)
        h = (h ^ (unsigned char)*c) * 1099511628211ULL;
    counters_t **pp = &a->buckets[(h ^ (uint64_t)hour) % BUCKETS];
    for (counters_t *e = *pp; e != NULL; e = e->next)
        if (e->hour == hour && strcmp(e->app, p->app_id) == 0)
            return e;
    counters_t *e = calloc(1, sizeof(*e));
    memcpy(e->app, p->app_id, 37);
    memcpy(e->license, p->license_id, 37);
    e->hour = hour;
    e->next = *pp;
    *pp = e;
    ++a->count;
    return e;
}

static int64_t hour_now(gw_req_t *r)
{
    int64_t now = gw_now(r->thr->server);
    return now - now % 3600;
}

void gw_analytics_record(gw_req_t *r, int status, size_t bytes_out)
{
    uint64_t us = (gw_monotonic_ns() - r->start_ns) / 1000;
    int b = gw_latency_bucket(us);
    int cls = status / 100;
    if (cls >= 1 && cls <= 5)
        __atomic_add_fetch(&gw_metrics.responses[cls], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&gw_metrics.latency[b], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&gw_metrics.latency_sum_us, us, __ATOMIC_RELAXED);
    /* Per-app analytics: tenant calls whose app is known and processed here. */
    if (!r->authenticated || r->who.app_id[0] == '\0' ||
        strcmp(r->who.region, r->thr->server->cfg.region) != 0 || status == 401)
        return;
    counters_t *c = slot(r->thr->analytics, &r->who, hour_now(r));
    ++c->requests;
    if (cls == 2)
        ++c->r2;
    else if (cls == 4)
        ++c->r4;
    else if (cls == 5)
        ++c->r5;
    if (status == 429)
        ++c->quota;
    c->bytes_in += (long long)(r->req != NULL ? r->req->entity.len : 0);
    c->bytes_out += (long long)bytes_out;
    ++c->hist[b];
}

void gw_analytics_job_created(gw_req_t *r)
{
    ++slot(r->thr->analytics, &r->who, hour_now(r))->jobs;
}

typedef struct {
    gw_analytics_t *a;
    counters_t *batch;
} flush_t;

/* Puts a batch back after a failed flush, so the next one carries it. */
static void merge_back(gw_analytics_t *a, counters_t *batch)
{
    while (batch != NULL) {
        counters_t *e = batch, *s;
        batch = e->next;
        gw_principal_t p;
        memcpy(p.app_id, e->app, 37);
        memcpy(p.license_id, e->license, 37);
        s = slot(a, &p, e->hour);
        s->requests += e->requests, s->r2 += e->r2, s->r4 += e->r4, s->r5 += e->r5, s->quota += e->quota;
        s->jobs += e->jobs, s->bytes_in += e->bytes_in, s->bytes_out += e->bytes_out;
        for (int i = 0; i < GW_LAT_BUCKETS; ++i)
            s->hist[i] += e->hist[i];
        free(e);
    }
}

static void on_flushed(void *arg, PGresult *res, const char *errmsg)
{
    flush_t *f = arg;
    f->a->inflight = 0;
    if (res == NULL) {
        __atomic_add_fetch(&gw_metrics.db_errors, 1, __ATOMIC_RELAXED);
        gw_log(f->a->thr->server, "warn", "analytics flush failed (kept for the next one): %s", errmsg);
        merge_back(f->a, f->batch);
    } else {
        while (f->batch != NULL) {
            counters_t *e = f->batch;
            f->batch = e->next;
            free(e);
        }
    }
    free(f);
}

void gw_analytics_flush(gw_analytics_t *a, int force)
{
    uint64_t now = gw_monotonic_ns() / 1000000ULL;
    if (a->inflight || a->count == 0 || (!force && now - a->last_flush_ms < GW_ANALYTICS_FLUSH_MS))
        return;
    a->last_flush_ms = now;
    json_t *rows = json_array();
    counters_t *batch = NULL;
    for (int b = 0; b < BUCKETS; ++b) {
        while (a->buckets[b] != NULL) {
            counters_t *e = a->buckets[b];
            a->buckets[b] = e->next;
            json_t *hist = json_array();
            for (int i = 0; i < GW_LAT_BUCKETS; ++i)
                json_array_append_new(hist, json_integer(e->hist[i]));
            json_array_append_new(rows, json_pack("{s:s,s:I,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o}",
                                                  "app_id", e->app, "hour", (json_int_t)e->hour, "license_id",
                                                  e->license, "requests", (json_int_t)e->requests, "r2",
                                                  (json_int_t)e->r2, "r4", (json_int_t)e->r4, "r5",
                                                  (json_int_t)e->r5, "q", (json_int_t)e->quota, "jobs",
                                                  (json_int_t)e->jobs, "bin", (json_int_t)e->bytes_in, "bout",
                                                  (json_int_t)e->bytes_out, "hist", hist));
            e->next = batch;
            batch = e;
        }
    }
    a->count = 0;
    char *s = json_dumps(rows, JSON_COMPACT);
    json_decref(rows);
    flush_t *f = malloc(sizeof(*f));
    f->a = a;
    f->batch = batch;
    a->inflight = 1;
    const char *params[1] = {s};
    db_pool_query(a->thr->db[GW_DB_REGION], DB_RGN_USAGE_FLUSH, params, on_flushed, f);
    free(s);
}

int gw_analytics_pending(const gw_analytics_t *a)
{
    return a->inflight || a->count > 0;
}
