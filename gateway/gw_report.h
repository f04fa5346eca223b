/*
 * gw_report: the analytics document of API.md (GET /v1/apps/{appId}/analytics and `ocrgate app usage`):
 * the time window a request asks for, the latency histogram's buckets and quantiles, and the report built
 * from the rows of DB_RGN_USAGE_QUERY. API and CLI call the same functions, so they always agree.
 *
 * Pure and thread-agnostic: no I/O, no globals. The report is a new json_t owned by the caller.
 */
#ifndef OCRGATE_GW_REPORT_H
#define OCRGATE_GW_REPORT_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdint.h>

#define GW_LAT_BUCKETS 32
#define GW_REPORT_MAX_HOURS (31 * 24)
#define GW_REPORT_MAX_DAYS 366

/* Bucket of a latency; the upper bound of a bucket in milliseconds (the last is open: its lower bound). */
int gw_latency_bucket(uint64_t micros);
double gw_latency_bucket_ms(int bucket);
/* The p-quantile (0..1) of a histogram, as its bucket's upper bound in ms rounded to 0.1 ms; 0 when empty. */
double gw_latency_quantile(const long long *hist, int n, double p);

/* A report's window: [from, to) in epoch seconds, by hour or by day. */
typedef struct {
    int64_t from, to;
    int day;
} gw_window_t;

typedef enum {
    GW_WINDOW_OK = 0,
    GW_WINDOW_BAD_GRANULARITY, /* not "hour" or "day" */
    GW_WINDOW_BAD_TO,          /* not an ISO 8601 UTC time */
    GW_WINDOW_BAD_FROM,
    GW_WINDOW_BAD_RANGE /* from not before to, or more than GW_REPORT_MAX_HOURS hours / _DAYS days */
} gw_window_error_t;

/* The window of a request at `now`; any argument but `now` may be NULL. Defaults: granularity hour; `to` the
 * end of the current hour (day); `from` 24 hours (30 days) before `to`. A range counts every hour (day) it
 * touches, a partial one included. When several arguments are wrong, `from` is reported before `to` before
 * the granularity. */
gw_window_error_t gw_report_window(int64_t now, const char *granularity, const char *from, const char *to,
                                   gw_window_t *w);

/* The analytics document from a DB_RGN_USAGE_QUERY result: one entry per hour or day of the window (zeros
 * where nothing was counted) and the totals. Confidence is rounded to 0.1, latencies to 0.1 ms. */
json_t *gw_analytics_report(PGresult *res, const char *app_id, int64_t from, int64_t to, int day);

#endif
