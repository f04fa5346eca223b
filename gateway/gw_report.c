/* The analytics document of API.md and its window (gw_report.h). */
#include "gateway/gw_report.h"
#include "gateway/gw_util.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
            return gw_round_to(gw_latency_bucket_ms(i), 1);
    }
    return gw_round_to(gw_latency_bucket_ms(n - 1), 1);
}

static json_t *series_entry(long long *v, const long long *hist)
{
    json_t *e =
        json_pack("{s:I,s:{s:I,s:I,s:I},s:I,s:{s:I,s:I,s:I,s:I},s:I,s:I,s:I,s:I,s:I}", "requests",
                  (json_int_t)v[0], "responses", "2xx", (json_int_t)v[1], "4xx", (json_int_t)v[2], "5xx",
                  (json_int_t)v[3], "quotaRejections", (json_int_t)v[4], "jobs", "created", (json_int_t)v[5],
                  "completed", (json_int_t)v[6], "failed", (json_int_t)v[7], "canceled", (json_int_t)v[8],
                  "pages", (json_int_t)v[9], "errorPages", (json_int_t)v[10], "bytesIn", (json_int_t)v[11],
                  "bytesOut", (json_int_t)v[12], "engineMs", (json_int_t)v[13]);
    json_object_set_new(e, "webhooks",
                        json_pack("{s:I,s:I}", "delivered", (json_int_t)v[16], "failed", (json_int_t)v[17]));
    json_object_set_new(e, "latencyMs",
                        json_pack("{s:f,s:f,s:f}", "p50", gw_latency_quantile(hist, GW_LAT_BUCKETS, 0.50),
                                  "p95", gw_latency_quantile(hist, GW_LAT_BUCKETS, 0.95), "p99",
                                  gw_latency_quantile(hist, GW_LAT_BUCKETS, 0.99)));
    return e;
}

gw_window_error_t gw_report_window(int64_t now, const char *granularity, const char *from, const char *to,
                                   gw_window_t *w)
{
    gw_window_error_t e = GW_WINDOW_OK;
    w->day = granularity != NULL && strcmp(granularity, "day") == 0;
    if (granularity != NULL && !w->day && strcmp(granularity, "hour") != 0)
        e = GW_WINDOW_BAD_GRANULARITY;
    int64_t step = w->day ? 86400 : 3600;
    w->to = now - now % step + step;
    if (to != NULL && gw_parse_time(to, &w->to) != 0)
        e = GW_WINDOW_BAD_TO;
    w->from = w->to - (w->day ? 30 * 86400 : 24 * 3600);
    if (from != NULL && gw_parse_time(from, &w->from) != 0)
        e = GW_WINDOW_BAD_FROM;
    if (e != GW_WINDOW_OK)
        return e;
    int64_t buckets = (w->to - w->from + step - 1) / step;
    if (w->to <= w->from || buckets > (w->day ? GW_REPORT_MAX_DAYS : GW_REPORT_MAX_HOURS))
        return GW_WINDOW_BAD_RANGE;
    return GW_WINDOW_OK;
}

/* Values 0..13 as in series_entry, 14 confidence sum (scaled x1000), 15 confidence pages, 16 and 17 webhook
 * attempts delivered and failed */
#define NVALS 18

static void set_confidence(json_t *e, const long long *v)
{
    json_object_set_new(e, "meanConfidence",
                        v[15] > 0 ? json_real(gw_round_to((double)v[14] / 1000.0 / (double)v[15], 1))
                                  : json_null());
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
            for (int k = 16; k < NVALS; ++k)
                v[k] = strtoll(PQgetvalue(res, row, 2 + k), NULL, 10);
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
