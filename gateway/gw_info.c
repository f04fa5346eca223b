/* Option limits of the caller's tier; templates and server information for tenants: GET /v1/formats,
 * /v1/stats, /v1/serverload. */
#include "engine/eng_format.h"
#include "engine/eng_sniff.h"
#include "jobs/job_pool.h"
#include "gateway/gw_auth.h"
#include "gateway/gw_handlers.h"
#include "gateway/gw_options.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static const char *const TEMPLATE_EXTRA[] = {"name", NULL};

typedef struct {
    char id[37];
} tpl_req_t;

static tpl_req_t *tstate(gw_req_t *r)
{
    if (r->hstate == NULL) {
        r->hstate = h2o_mem_alloc_pool(&r->req->pool, sizeof(tpl_req_t));
        memset(r->hstate, 0, sizeof(tpl_req_t));
    }
    return r->hstate;
}

void gw_option_limits(gw_req_t *r, gw_opt_limits_t *lim)
{
    memset(lim, 0, sizeof(*lim));
    lim->max_retention_days = r->who.max_retention_days;
    lim->max_page_timeout_ms = r->who.page_timeout_ms;
    lim->languages = (const char *const *)r->thr->server->languages;
    lim->nlanguages = r->thr->server->nlanguages;
}

static int path_template(gw_req_t *r, tpl_req_t *t)
{
    if (gw_uuid_parse(r->params[0].base, r->params[0].len, t->id) != 0) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "no such template");
        return -1;
    }
    return 0;
}

/* Options and name from the body; `need_name` on creation. Sends the 400 itself. */
static int template_body(gw_req_t *r, int need_name, const json_t *base, json_t **opts, char **name)
{
    gw_opt_limits_t lim;
    gw_opt_error_t oe;
    json_t *extra = NULL;
    gw_option_limits(r, &lim);
    h2o_iovec_t b = gw_body(r);
    if (gw_options_from_json(b.base, b.len, TEMPLATE_EXTRA, base, &lim, opts, &extra, &oe) != 0) {
        json_t *d = oe.details;
        oe.details = NULL;
        gw_send_error(r, oe.status, oe.code, d, "%s", oe.message);
        return -1;
    }
    json_t *n = json_object_get(extra, "name");
    const char *s = json_string_value(n);
    if ((n != NULL && (s == NULL || strlen(s) < 1 || strlen(s) > 200)) || (need_name && n == NULL)) {
        json_decref(extra);
        json_decref(*opts);
        gw_send_error(r, 400, n == NULL ? "MissingInput" : "InvalidInput",
                      json_pack("[{s:s,s:s}]", "field", "name", "message", "a string of 1 to 200 bytes"),
                      "name: a string of 1 to 200 bytes is required");
        return -1;
    }
    *name = s != NULL ? strdup(s) : NULL;
    json_decref(extra);
    return 0;
}

static void send_template(gw_req_t *r, PGresult *res, int status)
{
    if (PQntuples(res) == 0) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "no such template");
        return;
    }
    const char *t = PQgetvalue(res, 0, 0);
    gw_send_json_text(r, status, t, strlen(t));
}

static void on_tpl_created(gw_req_t *r, PGresult *res)
{
    char loc[64];
    snprintf(loc, sizeof(loc), "/v1/templates/%s", tstate(r)->id);
    gw_add_header(r, "Location", loc);
    send_template(r, res, 201);
}

void gw_h_tpl_create(gw_req_t *r)
{
    tpl_req_t *t = tstate(r);
    json_t *opts;
    char *name;
    if (template_body(r, 1, NULL, &opts, &name) != 0)
        return;
    gw_uuid_new(t->id);
    char *o = json_dumps(opts, JSON_COMPACT);
    const char *p[4] = {t->id, r->who.app_id, name, o};
    gw_db_query(r, GW_DB_REGION, DB_RGN_TPL_CREATE, p, NULL, on_tpl_created);
    free(o);
    free(name);
    json_decref(opts);
}

static void on_tpl_list(gw_req_t *r, PGresult *res)
{
    size_t n = strlen(PQgetvalue(res, 0, 0)) + 32;
    char *s = malloc(n);
    snprintf(s, n, "{\"templates\":%s}", PQgetvalue(res, 0, 0));
    gw_send_json_text(r, 200, s, strlen(s));
    free(s);
}

void gw_h_tpl_list(gw_req_t *r)
{
    const char *p[1] = {r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_TPL_LIST, p, NULL, on_tpl_list);
}

static void on_tpl_one(gw_req_t *r, PGresult *res)
{
    send_template(r, res, 200);
}

void gw_h_tpl_get(gw_req_t *r)
{
    tpl_req_t *t = tstate(r);
    if (path_template(r, t) != 0)
        return;
    const char *p[2] = {t->id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_TPL_GET, p, NULL, on_tpl_one);
}

static void on_tpl_current(gw_req_t *r, PGresult *res)
{
    tpl_req_t *t = tstate(r);
    if (PQntuples(res) == 0) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "no such template");
        return;
    }
    json_t *base = json_loads(PQgetvalue(res, 0, 1), 0, NULL), *opts;
    char *name;
    int rc = template_body(r, 0, base, &opts, &name);
    json_decref(base);
    if (rc != 0)
        return;
    char *o = json_dumps(opts, JSON_COMPACT);
    const char *p[4] = {t->id, r->who.app_id, name, o};
    gw_db_query(r, GW_DB_REGION, DB_RGN_TPL_UPDATE, p, NULL, on_tpl_one);
    free(o);
    free(name);
    json_decref(opts);
}

void gw_h_tpl_patch(gw_req_t *r)
{
    tpl_req_t *t = tstate(r);
    if (path_template(r, t) != 0)
        return;
    const char *p[2] = {t->id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_TPL_GET, p, NULL, on_tpl_current);
}

static void on_tpl_deleted(gw_req_t *r, PGresult *res)
{
    if (PQntuples(res) == 0) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "no such template");
        return;
    }
    gw_send(r, 204, "application/json", "", 0);
}

void gw_h_tpl_delete(gw_req_t *r)
{
    tpl_req_t *t = tstate(r);
    if (path_template(r, t) != 0)
        return;
    const char *p[2] = {t->id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_TPL_DELETE, p, NULL, on_tpl_deleted);
}

void gw_h_formats(gw_req_t *r)
{
    json_t *in = json_array(), *out = json_array();
    for (size_t i = 0; i < eng_input_count(); ++i)
        json_array_append_new(in, json_string(eng_format_mime(eng_input_at(i))));
    size_t n;
    const eng_output_t *f = eng_outputs(&n);
    for (size_t i = 0; i < n; ++i)
        json_array_append_new(out,
                              json_pack("{s:s,s:s}", "format", f[i].name, "contentType", f[i].content_type));
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
