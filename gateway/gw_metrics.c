/* GET /metrics (Prometheus text format) on the loopback metrics listener. Counters are node-wide; queue depth
 * and jobs by state are read from the region database at scrape time, from partial indexes and the kept
 * totals of the final states (region migration 015), which gw_metrics_fold keeps folded. Loop thread. */
#include "jobs/job_pool.h"
#include "gateway/gw_analytics.h"
#include "gateway/gw_auth.h"
#include "gateway/gw_guard.h"
#include "gateway/gw_handlers.h"
#include "gateway/gw_replica.h"
#include "webhooks/wh_pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_load(gw_req_t *r, PGresult *res)
{
    gw_server_t *s = r->thr->server;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    fprintf(m, "# HELP ocrgate_http_responses_total Responses by status class.\n# TYPE "
               "ocrgate_http_responses_total counter\n");
    for (int c = 1; c <= 5; ++c)
        fprintf(m, "ocrgate_http_responses_total{class=\"%dxx\"} %llu\n", c,
                __atomic_load_n(&gw_metrics.responses[c], __ATOMIC_RELAXED));
    fprintf(m, "# HELP ocrgate_http_request_duration_seconds Time from request to response.\n"
               "# TYPE ocrgate_http_request_duration_seconds histogram\n");
    unsigned long long cum = 0;
    for (int b = 0; b < GW_LAT_BUCKETS; ++b) {
        cum += __atomic_load_n(&gw_metrics.latency[b], __ATOMIC_RELAXED);
        if (b < GW_LAT_BUCKETS - 1)
            fprintf(m, "ocrgate_http_request_duration_seconds_bucket{le=\"%.6g\"} %llu\n",
                    gw_latency_bucket_ms(b) / 1000, cum);
    }
    fprintf(m, "ocrgate_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
    fprintf(m, "ocrgate_http_request_duration_seconds_sum %.6f\n",
            (double)__atomic_load_n(&gw_metrics.latency_sum_us, __ATOMIC_RELAXED) / 1e6);
    fprintf(m, "ocrgate_http_request_duration_seconds_count %llu\n", cum);
    uint64_t hits = 0, misses = 0;
    for (int i = 0; i < s->nthreads; ++i) {
        uint64_t h, mi;
        size_t e;
        gw_auth_cache_stats(s->threads[i].auth, &h, &mi, &e);
        hits += h, misses += mi;
    }
    fprintf(
        m,
        "# HELP ocrgate_catalog_cache_hits_total Credential look-ups answered from a loop thread's cache.\n"
        "# TYPE ocrgate_catalog_cache_hits_total counter\nocrgate_catalog_cache_hits_total %llu\n",
        (unsigned long long)hits);
    fprintf(m,
            "# HELP ocrgate_catalog_cache_misses_total Credential look-ups that had to ask the catalog.\n"
            "# TYPE ocrgate_catalog_cache_misses_total counter\nocrgate_catalog_cache_misses_total %llu\n",
            (unsigned long long)misses);
    fprintf(m,
            "# HELP ocrgate_database_errors_total Request statements that failed for want of the database.\n"
            "# TYPE ocrgate_database_errors_total counter\nocrgate_database_errors_total %llu\n",
            __atomic_load_n(&gw_metrics.db_errors, __ATOMIC_RELAXED));
    gw_guard_metrics(m);
    if (cfg_catalog_replicated(&s->cfg))
        fprintf(
            m,
            "# HELP ocrgate_catalog_replication_lag_seconds Seconds since this region's catalog replica last "
            "heard from the catalog primary (pg_stat_subscription; grows while the primary is away).\n"
            "# TYPE ocrgate_catalog_replication_lag_seconds gauge\n"
            "ocrgate_catalog_replication_lag_seconds %.3f\n",
            gw_replica_lag_s(s));
    int busy = 0, total = 0;
    unsigned long long jobs = 0, pages = 0;
    job_pool_stats(s->pool, &busy, &total, &jobs, &pages);
    fprintf(m,
            "# HELP ocrgate_workers OCR worker threads of this node.\n"
            "# TYPE ocrgate_workers gauge\nocrgate_workers %d\n# HELP ocrgate_workers_busy Worker threads "
            "running a job now.\n"
            "# TYPE ocrgate_workers_busy "
            "gauge\nocrgate_workers_busy %d\n",
            total, busy);
    fprintf(m,
            "# HELP ocrgate_pages_total Pages recognized by this node (rate() gives pages/second).\n"
            "# TYPE ocrgate_pages_total counter\nocrgate_pages_total %llu\n",
            pages);
    fprintf(m,
            "# HELP ocrgate_jobs_finished_total Jobs this node finished (completed, failed or canceled).\n"
            "# TYPE ocrgate_jobs_finished_total counter\nocrgate_jobs_finished_total %llu\n",
            jobs);
    unsigned long long wh_ok = 0, wh_failed = 0;
    wh_pool_stats(s->webhooks, &wh_ok, &wh_failed);
    fprintf(
        m,
        "# HELP ocrgate_webhook_deliveries_total Webhook delivery attempts this node made, by result (ok: "
        "answered 2xx).\n# TYPE ocrgate_webhook_deliveries_total counter\n"
        "ocrgate_webhook_deliveries_total{result=\"ok\"} %llu\n"
        "ocrgate_webhook_deliveries_total{result=\"failed\"} %llu\n",
        wh_ok, wh_failed);
    if (res != NULL) {
        fprintf(m,
                "# HELP ocrgate_queue_depth Jobs waiting in the region.\n# TYPE ocrgate_queue_depth gauge\n"
                "ocrgate_queue_depth %s\n",
                PQgetvalue(res, 0, 0));
        json_t *by = json_loads(PQgetvalue(res, 0, 2), 0, NULL);
        json_t *v;
        fprintf(m, "# HELP ocrgate_jobs Jobs in the region by state.\n# TYPE ocrgate_jobs gauge\n");
        static const char *const st[] = {"created",   "scheduled", "processing",
                                         "completed", "failed",    "canceled"};
        for (size_t i = 0; i < 6; ++i) {
            v = json_object_get(by, st[i]);
            fprintf(m, "ocrgate_jobs{state=\"%s\"} %lld\n", st[i],
                    v != NULL ? (long long)json_integer_value(v) : 0LL);
        }
        json_decref(by);
    }
    fclose(m);
    gw_send(r, 200, "text/plain; version=0.0.4; charset=utf-8", buf, len);
    free(buf);
}

void gw_h_metrics(gw_req_t *r)
{
    gw_db_query(r, GW_DB_REGION, DB_RGN_LOAD, NULL, NULL, on_load);
}

static void on_fold(void *arg, PGresult *res, const char *errmsg)
{
    gw_thread_t *t = arg;
    if (res == NULL)
        gw_log(t->server, "warn", "job counts: folding the deltas failed: %s", errmsg);
}

void gw_metrics_fold(gw_thread_t *t)
{
    db_pool_query(t->db[GW_DB_REGION], DB_RGN_JOB_COUNTS_FOLD, NULL, on_fold, t);
}
