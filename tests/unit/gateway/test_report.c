/* gw_report: latency buckets and quantiles, the analytics window (the one API and CLI share), the report. */
#include "gateway/gw_report.h"
#include "gateway/gw_util.h"
#include "tests/unit/tap.h"

#include <math.h>
#include <stdlib.h>

static int64_t at(const char *iso)
{
    int64_t t = 0;
    if (gw_parse_time(iso, &t) != 0)
        abort();
    return t;
}

/* A DB_RGN_USAGE_QUERY-shaped result with the given rows (20 text columns each). */
#define NCOLS 20
static PGresult *usage_result(const char *const (*rows)[NCOLS], int n)
{
    PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    PGresAttDesc cols[NCOLS];
    memset(cols, 0, sizeof(cols));
    for (int c = 0; c < NCOLS; ++c) {
        cols[c].name = (char *)"c";
        cols[c].format = 0;
        cols[c].typid = 25;
        cols[c].typlen = -1;
        cols[c].atttypmod = -1;
    }
    PQsetResultAttrs(res, NCOLS, cols);
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < NCOLS; ++c)
            PQsetvalue(res, r, c, (char *)rows[r][c], (int)strlen(rows[r][c]));
    return res;
}

static void test_buckets(void)
{
    is_int(gw_latency_bucket(50), 0, "50 us: first bucket");
    is_int(gw_latency_bucket(100), 0, "100 us: first bucket's bound");
    is_int(gw_latency_bucket(101), 1, "just above: second bucket");
    is_int(gw_latency_bucket(200), 2, "200 us: two buckets per doubling");
    is_int(gw_latency_bucket(UINT64_MAX / 2), GW_LAT_BUCKETS - 1, "huge latencies: the open last bucket");
    ok(fabs(gw_latency_bucket_ms(2) - 0.2) < 1e-9, "bucket 2 ends at 0.2 ms");
    ok(gw_latency_bucket_ms(GW_LAT_BUCKETS - 1) == gw_latency_bucket_ms(GW_LAT_BUCKETS - 2),
       "the last bucket shows its lower bound");
    for (uint64_t us = 1; us < 10000000; us = us * 3 + 1) {
        int b = gw_latency_bucket(us);
        int upper_ok = b == GW_LAT_BUCKETS - 1 || us <= gw_latency_bucket_ms(b) * 1000 * 1.000001;
        if (!ok(b == 0 || (upper_ok && us > gw_latency_bucket_ms(b - 1) * 1000 / 1.000001),
                "%llu us lies in its bucket %d", (unsigned long long)us, b))
            break;
    }
}

static void test_quantiles(void)
{
    long long hist[GW_LAT_BUCKETS] = {0};
    ok(gw_latency_quantile(hist, GW_LAT_BUCKETS, 0.5) == 0, "empty histogram: 0");
    hist[3] = 50;  /* up to 0.2828 ms */
    hist[10] = 45; /* up to 3.2 ms */
    hist[20] = 5;  /* up to 102.4 ms */
    ok(gw_latency_quantile(hist, GW_LAT_BUCKETS, 0.50) == 0.3, "p50 in bucket 3, rounded to 0.1 ms: %g",
       gw_latency_quantile(hist, GW_LAT_BUCKETS, 0.50));
    ok(gw_latency_quantile(hist, GW_LAT_BUCKETS, 0.51) == 3.2, "p51 in bucket 10");
    ok(gw_latency_quantile(hist, GW_LAT_BUCKETS, 0.95) == 3.2, "p95: the 95th of 100 is still bucket 10");
    ok(gw_latency_quantile(hist, GW_LAT_BUCKETS, 0.99) == 102.4, "p99 in bucket 20");
    ok(gw_latency_quantile(hist, GW_LAT_BUCKETS, 1.0) == 102.4, "p100: the slowest bucket");
    char buf[32];
    snprintf(buf, sizeof(buf), "%.15g", gw_latency_quantile(hist, GW_LAT_BUCKETS, 0.5));
    is_str(buf, "0.3", "a rounded quantile prints as its decimal");
}

static void test_window(void)
{
    int64_t now = at("2026-03-10T14:25:00Z");
    gw_window_t w;
    is_int(gw_report_window(now, NULL, NULL, NULL, &w), GW_WINDOW_OK, "defaults");
    is_int(w.to, at("2026-03-10T15:00:00Z"), "to: the end of the current hour");
    is_int(w.from, at("2026-03-09T15:00:00Z"), "from: 24 hours before");
    is_int(w.day, 0, "by hour");
    is_int(gw_report_window(now, "day", NULL, NULL, &w), GW_WINDOW_OK, "by day");
    is_int(w.to, at("2026-03-11T00:00:00Z"), "to: the end of the current day");
    is_int(w.from, at("2026-02-09T00:00:00Z"), "from: 30 days before");
    is_int(gw_report_window(now, "hour", "2026-03-10T10:30:00Z", "2026-03-10T12:00:00Z", &w), GW_WINDOW_OK,
           "explicit range");
    is_int(w.from, at("2026-03-10T10:30:00Z"), "from as given");
    is_int(gw_report_window(now, "week", NULL, NULL, &w), GW_WINDOW_BAD_GRANULARITY, "granularity week");
    is_int(gw_report_window(now, NULL, NULL, "yesterday", &w), GW_WINDOW_BAD_TO, "to not a time");
    is_int(gw_report_window(now, "week", "x", "y", &w), GW_WINDOW_BAD_FROM, "from reported first");
    is_int(gw_report_window(now, NULL, "2026-03-10T12:00:00Z", "2026-03-10T12:00:00Z", &w),
           GW_WINDOW_BAD_RANGE, "empty range");
    is_int(gw_report_window(now, NULL, "2026-03-10T13:00:00Z", "2026-03-10T12:00:00Z", &w),
           GW_WINDOW_BAD_RANGE, "from after to");
    /* 744 whole hours are allowed; 743 hours and a minute touch 744 hours, 744 and a minute touch 745. */
    is_int(gw_report_window(now, NULL, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", &w), GW_WINDOW_OK,
           "744 hours");
    is_int(gw_report_window(now, NULL, "2026-01-01T00:00:00Z", "2026-02-01T00:01:00Z", &w),
           GW_WINDOW_BAD_RANGE, "744 hours and a minute touch 745 hours (rounded up, as the API always did)");
    is_int(gw_report_window(now, "day", "2025-01-01T00:00:00Z", "2026-01-02T00:00:00Z", &w), GW_WINDOW_OK,
           "366 days");
    is_int(gw_report_window(now, "day", "2025-01-01T00:00:00Z", "2026-01-02T00:00:01Z", &w),
           GW_WINDOW_BAD_RANGE, "366 days and a second touch 367 days");
}

static void test_report(void)
{
    int64_t from = at("2026-03-10T10:00:00Z"), to = at("2026-03-10T13:00:00Z");
    char h11[24];
    snprintf(h11, sizeof(h11), "%lld", (long long)at("2026-03-10T11:00:00Z"));
    /* hour, requests, 2xx, 4xx, 5xx, 429, created, completed, failed, canceled, pages, error pages, bytes in,
     * bytes out, engine ms, confidence sum, confidence pages, histogram, webhooks delivered, failed */
    static char hist[200];
    snprintf(hist, sizeof(hist), "{0,0,0,7,0,0,0,0,0,0,3%s}", ",0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0");
    const char *const rows[1][NCOLS] = {{h11, "10", "8",    "1",    "1",   "1",     "2", "1",  "1", "0",
                                         "3", "1",  "1000", "2000", "450", "288.9", "3", hist, "5", "2"}};
    PGresult *res = usage_result(rows, 1);
    json_t *rep = gw_analytics_report(res, "a1", from, to, 0);
    PQclear(res);
    json_t *series = json_object_get(rep, "series");
    is_int(json_array_size(series), 3, "one entry per hour of the window, empty ones too");
    is_str(json_string_value(json_object_get(json_array_get(series, 0), "start")), "2026-03-10T10:00:00Z",
           "first hour");
    is_int(json_integer_value(json_object_get(json_array_get(series, 0), "requests")), 0,
           "an hour with nothing");
    ok(json_is_null(json_object_get(json_array_get(series, 0), "meanConfidence")),
       "no pages: confidence null");
    json_t *e = json_array_get(series, 1);
    is_int(json_integer_value(json_object_get(e, "requests")), 10, "requests of 11:00");
    is_int(json_integer_value(json_object_get(json_object_get(e, "responses"), "4xx")), 1, "4xx");
    is_int(json_integer_value(json_object_get(json_object_get(e, "jobs"), "failed")), 1, "jobs failed");
    is_int(json_integer_value(json_object_get(json_object_get(e, "webhooks"), "delivered")), 5,
           "webhook attempts delivered");
    is_int(json_integer_value(json_object_get(json_object_get(e, "webhooks"), "failed")), 2,
           "webhook attempts failed");
    is_int(json_integer_value(
               json_object_get(json_object_get(json_object_get(rep, "totals"), "webhooks"), "delivered")),
           5, "webhook attempts in the totals");
    ok(json_real_value(json_object_get(e, "meanConfidence")) == 96.3, "confidence 288.9 / 3 rounded to 96.3");
    json_t *lat = json_object_get(e, "latencyMs");
    ok(json_real_value(json_object_get(lat, "p50")) == 0.3, "p50 0.3 ms");
    ok(json_real_value(json_object_get(lat, "p99")) == 3.2, "p99 3.2 ms");
    json_t *tot = json_object_get(rep, "totals");
    is_int(json_integer_value(json_object_get(tot, "bytesOut")), 2000, "totals add up");
    is_str(json_string_value(json_object_get(rep, "granularity")), "hour", "granularity");
    is_str(json_string_value(json_object_get(rep, "to")), "2026-03-10T13:00:00Z", "to");
    char *text = json_dumps(e, GW_JSON_FLAGS);
    ok(strstr(text, "\"meanConfidence\":96.3") != NULL && strstr(text, "\"p50\":0.3") != NULL,
       "encoded for people: %s", text);
    free(text);
    json_decref(rep);
}

int main(void)
{
    test_buckets();
    test_quantiles();
    test_window();
    test_report();
    return done_testing();
}
