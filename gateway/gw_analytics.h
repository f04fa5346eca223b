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
#include "gateway/gw_report.h"

#define GW_ANALYTICS_FLUSH_MS 2000

typedef struct gw_analytics gw_analytics_t;

gw_analytics_t *gw_analytics_create(gw_thread_t *thr);
/* Records a finished tenant request (called by gw_send). */
void gw_analytics_record(gw_req_t *r, int status, size_t bytes_out);
void gw_analytics_job_created(gw_req_t *r);
/* Sends what was counted since the last flush (when `force` or the interval has passed). */
void gw_analytics_flush(gw_analytics_t *a, int force);
int gw_analytics_pending(const gw_analytics_t *a);

/* Node-wide counters for /metrics. */
typedef struct {
    unsigned long long responses[6]; /* by status class 1xx..5xx, [0] unused */
    unsigned long long latency[GW_LAT_BUCKETS];
    unsigned long long latency_sum_us;
    unsigned long long db_errors;
} gw_metrics_t;
extern gw_metrics_t gw_metrics;

#endif
