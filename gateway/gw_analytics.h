/*
 * gw_analytics: per-app usage counted in memory by each loop thread (requests, responses by class, quota
 * rejections, jobs created, bytes, a latency histogram) and added to the region database's app_usage_hourly
 * in one statement per thread every few seconds and at shutdown. Job outcomes, pages and engine time are
 * added by the workers when a job ends. An unclean crash loses at most one flush interval of these counters,
 * never jobs. Also keeps the node-wide counters behind GET /metrics (atomics, read from any thread).
 */
#ifndef OCRGATE_GW_ANALYTICS_H
#define OCRGATE_GW_ANALYTICS_H

#include "gateway/gw.h"

#define GW_LAT_BUCKETS 32
#define GW_ANALYTICS_FLUSH_MS 2000

typedef struct gw_analytics gw_analytics_t;

gw_analytics_t *gw_analytics_create(gw_thread_t *thr);
/* Records a finished tenant request (called by gw_send). */
void gw_analytics_record(gw_req_t *r, int status, size_t bytes_out);
void gw_analytics_job_created(gw_req_t *r);
/* Sends what was counted since the last flush (when `force` or the interval has passed). */
void gw_analytics_flush(gw_analytics_t *a, int force);
int gw_analytics_pending(const gw_analytics_t *a);

/* Bucket of a latency; the upper bound of a bucket in milliseconds (the last is open: its lower bound). */
int gw_latency_bucket(uint64_t micros);
double gw_latency_bucket_ms(int bucket);
/* The p-quantile (0..1) of a histogram, as its bucket's upper bound in ms; 0 when empty. */
double gw_latency_quantile(const long long *hist, int n, double p);

/* The analytics document of API.md from a DB_RGN_USAGE_QUERY result: one entry per hour or day of [from, to)
 * (zeros where nothing was counted) and the totals. A new reference. */
json_t *gw_analytics_report(PGresult *res, const char *app_id, int64_t from, int64_t to, int day);

/* Node-wide counters for /metrics. */
typedef struct {
    unsigned long long responses[6]; /* by status class 1xx..5xx, [0] unused */
    unsigned long long latency[GW_LAT_BUCKETS];
    unsigned long long latency_sum_us;
    unsigned long long db_errors;
} gw_metrics_t;
extern gw_metrics_t gw_metrics;

#endif
