#include "gateway/gw_analytics.h"

#include <ctype.h>
#include <math.h>
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

int gw_latency_bucket(uint64_t us)
{
    /* Bucket i holds latencies up to 100 us * 2^(i/2): two buckets per doubling, so a percentile read from
     * the histogram is within a factor of 1.42 of the truth. */
    if (us <= 100)
        return 0;
    int b = (int)ceil(2.0 * log2((double)us / 100.0));
    return b >= GW_LAT_BUCKETS ? GW_LAT_BUCKETS - 1 : b;
}

double gw_latency_bucket_ms(int bucket)
{
    return 0.1 * pow(2.0, (bucket == GW_LAT_BUCKETS - 1 ? bucket - 1 : bucket) / 2.0);
}

double gw_latency_quantile(const long long *hist, int n, double p)
{
    long long total = 0, seen = 0;
    for (int i = 0; i < n; ++i)
        total += hist[i];
    if (total == 0)
        return 0;
    long long want = (long long)ceil(p * (double)total);
    for (int i = 0; i < n; ++i) {
        seen += hist[i];
        if (seen >= want)
            return gw_latency_bucket_ms(i);
    }
    return gw_latency_bucket_ms(n - 1);
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

/* ---- reports (API and CLI) ---- */

static json_t *series_entry(long long *v, const long long *hist)
{
    json_t *e =
        json_pack("{s:I,s:{s:I,s:I,s:I},s:I,s:{s:I,s:I,s:I,s:I},s:I,s:I,s:I,s:I,s:I}", "requests",
                  (json_int_t)v[0], "responses", "2xx", (json_int_t)v[1], "4xx", (json_int_t)v[2], "5xx",
                  (json_int_t)v[3], "quotaRejections", (json_int_t)v[4], "jobs", "created", (json_int_t)v[5],
                  "completed", (json_int_t)v[6], "failed", (json_int_t)v[7], "canceled", (json_int_t)v[8],
                  "pages", (json_int_t)v[9], "errorPages", (json_int_t)v[10], "bytesIn", (json_int_t)v[11],
                  "bytesOut", (json_int_t)v[12], "engineMs", (json_int_t)v[13]);
    json_object_set_new(e, "latencyMs",
                        json_pack("{s:f,s:f,s:f}", "p50", gw_latency_quantile(hist, GW_LAT_BUCKETS, 0.50),
                                  "p95", gw_latency_quantile(hist, GW_LAT_BUCKETS, 0.95), "p99",
                                  gw_latency_quantile(hist, GW_LAT_BUCKETS, 0.99)));
    return e;
}

/* Values 0..13 as in series_entry, 14 confidence sum (scaled x1000), 15 confidence pages */
#define NVALS 16

static void set_confidence(json_t *e, const long long *v)
{
    json_object_set_new(e, "meanConfidence",
                        v[15] > 0 ? json_real((double)v[14] / 1000.0 / (double)v[15]) : json_null());
}

static void parse_hist(const char *s, long long *hist)
{
    /* "{1,2,3}" from PostgreSQL */
    int i = 0;
    for (const char *p = s; *p && i < GW_LAT_BUCKETS; ++p) {
        if (isdigit((unsigned char)*p)) {
            hist[i++] += strtoll(p, (char **)&p, 10);
            --p;
        }
    }
}

json_t *gw_analytics_report(PGresult *res, const char *app_id, int64_t from_t, int64_t to_t, int day)
{
    int64_t step = day ? 86400 : 3600;
    long long tot[NVALS] = {0}, thist[GW_LAT_BUCKETS] = {0};
    json_t *series = json_array();
    int row = 0, n = PQntuples(res);
    char ts[32];
    for (int64_t t = from_t - from_t % step; t < to_t; t += step) {
        long long v[NVALS] = {0}, hist[GW_LAT_BUCKETS] = {0};
        if (row < n && strtoll(PQgetvalue(res, row, 0), NULL, 10) == t) {
            for (int k = 0; k < 14; ++k)
                v[k] = strtoll(PQgetvalue(res, row, 1 + k), NULL, 10);
            v[14] = (long long)(strtod(PQgetvalue(res, row, 15), NULL) * 1000.0);
            v[15] = strtoll(PQgetvalue(res, row, 16), NULL, 10);
            parse_hist(PQgetvalue(res, row, 17), hist);
            ++row;
        }
        for (int k = 0; k < NVALS; ++k)
            tot[k] += v[k];
        for (int k = 0; k < GW_LAT_BUCKETS; ++k)
            thist[k] += hist[k];
        json_t *e = series_entry(v, hist);
        set_confidence(e, v);
        gw_format_time(t, ts, sizeof(ts));
        json_object_set_new(e, "start", json_string(ts));
        json_array_append_new(series, e);
    }
    json_t *totals = series_entry(tot, thist);
    set_confidence(totals, tot);
    char from[32], to[32];
    gw_format_time(from_t, from, sizeof(from));
    gw_format_time(to_t, to, sizeof(to));
    return json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "appId", app_id, "granularity", day ? "day" : "hour",
                     "from", from, "to", to, "series", series, "totals", totals);
}
