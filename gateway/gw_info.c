/* Option limits of the caller's tier, and server information for tenants: GET /v1/formats, /v1/stats,
 * /v1/serverload. Runs on the request's loop thread. */
#include "engine/eng_format.h"
#include "engine/eng_sniff.h"
#include "jobs/job_pool.h"
#include "gateway/gw_handlers.h"
#include "gateway/gw_options.h"

#include <string.h>

void gw_option_limits(gw_req_t *r, gw_opt_limits_t *lim)
{
    memset(lim, 0, sizeof(*lim));
    lim->max_retention_days = r->who.max_retention_days;
    lim->max_page_timeout_ms = r->who.page_timeout_ms;
    lim->languages = (const char *const *)r->thr->server->languages;
    lim->nlanguages = r->thr->server->nlanguages;
}

void gw_h_formats(gw_req_t *r)
{
    json_t *in = json_array(), *out = json_array();
    for (size_t i = 0; i < eng_input_count(); ++i)
        json_array_append_new(in, json_string(eng_format_mime(eng_input_at(i))));
    size_t n;
    const eng_output_t *f = eng_outputs(&n);
    for (size_t i = 0; i < n; ++i)
        json_array_append_new(out, json_pack("{s:s,s:s,s:s}", "format", f[i].name, "contentType",
                                             f[i].content_type, "extension", f[i].extension));
    gw_send_json(r, 200, json_pack("{s:o,s:o}", "inputs", in, "outputs", out));
}

static void on_stats(gw_req_t *r, PGresult *res)
{
    json_t *by = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    static const char *const st[] = {"created", "scheduled", "processing", "completed", "failed", "canceled"};
    for (size_t i = 0; i < 6; ++i)
        if (json_object_get(by, st[i]) == NULL)
            json_object_set_new(by, st[i], json_integer(0));
    gw_send_json(r, 200,
                 json_pack("{s:s,s:o,s:I,s:I}", "appId", r->who.app_id, "jobsByStatus", by, "pagesProcessed",
                           (json_int_t)strtoll(PQgetvalue(res, 0, 1), NULL, 10), "errorPages",
                           (json_int_t)strtoll(PQgetvalue(res, 0, 2), NULL, 10)));
}

void gw_h_stats(gw_req_t *r)
{
    const char *p[1] = {r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_STATS, p, NULL, on_stats);
}

static void on_load(gw_req_t *r, PGresult *res)
{
    int busy = 0, total = 0;
    unsigned long long jobs, pages;
    job_pool_stats(r->thr->server->pool, &busy, &total, &jobs, &pages);
    long long queued = strtoll(PQgetvalue(res, 0, 0), NULL, 10),
              processing = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    /* Load of this node's workers; the queue counts are region-wide. */
    int load = total > 0 ? busy * 100 / total : 0;
    gw_send_json(r, 200,
                 json_pack("{s:s,s:I,s:I,s:i,s:i,s:i}", "region", r->thr->server->cfg.region, "queued",
                           (json_int_t)queued, "processing", (json_int_t)processing, "workers", total,
                           "busyWorkers", busy, "loadPercent", load));
}

void gw_h_serverload(gw_req_t *r)
{
    gw_db_query(r, GW_DB_REGION, DB_RGN_SERVERLOAD, NULL, NULL, on_load);
}
