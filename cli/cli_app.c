/* Operator commands on apps: create, enable, disable, rename, delete, list, and their analytics (the window
 * and report of the API, gw_report). Changes are audited like every catalog change. Main thread. */
#include "cli/cli_catalog.h"
#include "gateway/gw_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- apps ---- */

static int app_ids_valid(cli_ctx_t *c)
{
    int r;
    if ((r = cli__check_uuid(c, O_LICENSE, "--license")) != 0 ||
        (r = cli__check_uuid(c, O_APP, "--app")) != 0)
        return r;
    return 0;
}

static int app_change(cli_ctx_t *c, db_stmt_id_t id, const char *value, const char *done)
{
    int r = app_ids_valid(c);
    if (r != 0)
        return r;
    const char *p[3] = {c->v[O_LICENSE], c->v[O_APP], value};
    PGresult *res = cli__change(c, id, p);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    if (cli__not_found(c, res, "app of this license"))
        return CLI_EXIT_FAIL;
    if (c->json)
        cli__print_json(json_pack("{s:s,s:s}", "appId", PQgetvalue(res, 0, 0), "result", done));
    else
        printf("app %s %s\n", PQgetvalue(res, 0, 0), done);
    PQclear(res);
    return 0;
}

static int app_create(cli_ctx_t *c)
{
    int r = app_ids_valid(c);
    if (r != 0)
        return r;
    const char *p[2] = {c->v[O_LICENSE], c->v[O_NAME]};
    PGresult *res = cli__change(c, DB_CAT_APP_CREATE, p);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    if (c->json)
        cli__print_json(json_pack("{s:s,s:s,s:s}", "appId", PQgetvalue(res, 0, 0), "licenseId",
                                  c->v[O_LICENSE], "name", c->v[O_NAME]));
    else
        printf("App ID: %s\n", PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

static int app_enable(cli_ctx_t *c)
{
    return app_change(c, DB_CAT_APP_SET_ENABLED, "true", "enabled");
}

static int app_disable(cli_ctx_t *c)
{
    return app_change(c, DB_CAT_APP_SET_ENABLED, "false", "disabled");
}

static int app_rename(cli_ctx_t *c)
{
    return app_change(c, DB_CAT_APP_RENAME, c->v[O_NAME], "renamed");
}

static int app_delete(cli_ctx_t *c)
{
    return app_change(c, DB_CAT_APP_DELETE, NULL, "deleted");
}

static int app_list(cli_ctx_t *c)
{
    static const char *const names[] = {"appId", "name", "enabled", "createdAt"};
    static const int numeric[] = {0, 0, 2, 0};
    int r = app_ids_valid(c);
    if (r != 0)
        return r;
    const char *p[1] = {c->v[O_LICENSE]};
    PGresult *res = cli__query(c, DB_CAT_APP_LIST, p);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    cli__print_rows(c, res, names, numeric);
    PQclear(res);
    return 0;
}

/* The app's analytics from the region database of this config (the license's region), as the API gives them.
 */
static int app_usage(cli_ctx_t *c)
{
    int r = app_ids_valid(c);
    if (r != 0)
        return r;
    int64_t now = (int64_t)time(NULL) + c->cfg.test_clock_offset_s;
    gw_window_t w;
    switch (gw_report_window(now, c->v[O_GRANULARITY], c->v[O_FROM], c->v[O_TO], &w)) {
    case GW_WINDOW_OK:
        break;
    case GW_WINDOW_BAD_GRANULARITY:
        return cli_usage_error(c->cmd, "--granularity must be hour or day");
    case GW_WINDOW_BAD_TO:
        return cli_usage_error(c->cmd, "--to must be a UTC time such as 2026-01-31T00:00:00Z");
    case GW_WINDOW_BAD_FROM:
        return cli_usage_error(c->cmd, "--from must be a UTC time such as 2026-01-31T00:00:00Z");
    case GW_WINDOW_BAD_RANGE:
        return cli_usage_error(c->cmd, "--from must be before --to, at most 744 hours or 366 days apart");
    }
    int64_t from = w.from, to = w.to;
    int day = w.day;
    char err[512], sf[24], st[24];
    PGconn *rc = db_connect(c->cfg.region_dsn, err, sizeof(err));
    if (rc == NULL) {
        fprintf(stderr, "ocrgate %s: region database: %s\n", c->cmd, err);
        return CLI_EXIT_FAIL;
    }
    snprintf(sf, sizeof(sf), "%lld", (long long)from);
    snprintf(st, sizeof(st), "%lld", (long long)to);
    const char *p[5] = {c->v[O_LICENSE], c->v[O_APP], sf, st, day ? "day" : "hour"};
    PGresult *res = db_exec(rc, DB_RGN_USAGE_QUERY, p, err, sizeof(err));
    if (res == NULL) {
        fprintf(stderr, "ocrgate %s: %s\n", c->cmd, err);
        PQfinish(rc);
        return CLI_EXIT_FAIL;
    }
    json_t *rep = gw_analytics_report(res, c->v[O_APP], from, to, day);
    PQclear(res);
    PQfinish(rc);
    if (c->json) {
        cli__print_json(rep);
        return 0;
    }
    printf("%-21s %9s %7s %7s %7s %6s %6s %6s %7s %9s %8s\n", "start", "requests", "2xx", "4xx", "5xx", "429",
           "jobs", "pages", "p50 ms", "p99 ms", "conf");
    size_t i;
    json_t *e;
    json_t *series = json_object_get(rep, "series");
    json_array_foreach(series, i, e)
    {
        if (json_integer_value(json_object_get(e, "requests")) == 0 &&
            json_integer_value(json_object_get(e, "pages")) == 0)
            continue;
        json_t *rs = json_object_get(e, "responses"), *lat = json_object_get(e, "latencyMs");
        json_t *conf = json_object_get(e, "meanConfidence");
        char cbuf[16] = "-";
        if (json_is_real(conf))
            snprintf(cbuf, sizeof(cbuf), "%.1f", json_real_value(conf));
        printf("%-21s %9lld %7lld %7lld %7lld %6lld %6lld %6lld %7.1f %9.1f %8s\n",
               json_string_value(json_object_get(e, "start")),
               (long long)json_integer_value(json_object_get(e, "requests")),
               (long long)json_integer_value(json_object_get(rs, "2xx")),
               (long long)json_integer_value(json_object_get(rs, "4xx")),
               (long long)json_integer_value(json_object_get(rs, "5xx")),
               (long long)json_integer_value(json_object_get(e, "quotaRejections")),
               (long long)json_integer_value(json_object_get(json_object_get(e, "jobs"), "created")),
               (long long)json_integer_value(json_object_get(e, "pages")),
               json_real_value(json_object_get(lat, "p50")), json_real_value(json_object_get(lat, "p99")),
               cbuf);
    }
    json_t *t = json_object_get(rep, "totals");
    printf("total: %lld requests, %lld pages, %lld jobs completed\n",
           (long long)json_integer_value(json_object_get(t, "requests")),
           (long long)json_integer_value(json_object_get(t, "pages")),
           (long long)json_integer_value(json_object_get(json_object_get(t, "jobs"), "completed")));
    json_decref(rep);
    return 0;
}

static const action_t app_actions[] = {
    {"create", app_create, {O_LICENSE, O_NAME, 0}, {O_LICENSE, O_NAME, 0}, "create --license ID --name N"},
    {"enable", app_enable, {O_LICENSE, O_APP, 0}, {O_LICENSE, O_APP, 0}, "enable --license ID --app ID"},
    {"disable", app_disable, {O_LICENSE, O_APP, 0}, {O_LICENSE, O_APP, 0}, "disable --license ID --app ID"},
    {"rename",
     app_rename,
     {O_LICENSE, O_APP, O_NAME, 0},
     {O_LICENSE, O_APP, O_NAME, 0},
     "rename --license ID --app ID --name N"},
    {"delete", app_delete, {O_LICENSE, O_APP, 0}, {O_LICENSE, O_APP, 0}, "delete --license ID --app ID"},
    {"list", app_list, {O_LICENSE, 0}, {O_LICENSE, 0}, "list --license ID"},
    {"usage",
     app_usage,
     {O_LICENSE, O_APP, O_FROM, O_TO, O_GRANULARITY, 0},
     {O_LICENSE, O_APP, 0},
     "usage --license ID --app ID [--from TIME] [--to TIME] [--granularity hour|day]   (config of the "
     "license's region)"},
};

int cli_app(int argc, char **argv)
{
    return cli__dispatch("app", app_actions, sizeof(app_actions) / sizeof(app_actions[0]), argc, argv);
}
