/* Operator commands on the catalog: tiers and licenses. Every change runs in a transaction that names the
 * operator as the audit actor; the catalog's triggers audit it and notify the gateways. Main thread. */
#include "cli/cli_catalog.h"
#include "gateway/gw_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- tiers ---- */

static int tier_limits_valid(cli_ctx_t *c)
{
    int r;
    if ((r = cli__check_number(c, O_QUOTA, "--hourly-quota", 0, 2000000000)) ||
        (r = cli__check_number(c, O_FILE_BYTES, "--max-file-bytes", 1, 1LL << 34)) ||
        (r = cli__check_number(c, O_PAGES, "--max-pages", 1, 100000)) ||
        (r = cli__check_number(c, O_PIXELS, "--max-pixels", 1, 1LL << 34)) ||
        (r = cli__check_number(c, O_RETENTION, "--max-retention-days", 1, 3650)) ||
        (r = cli__check_number(c, O_TIMEOUT, "--page-timeout-ms", 1, 3600000)) ||
        (r = cli__check_number(c, O_ATTEMPTS, "--max-attempts", 1, 100)) ||
        (r = cli__check_number(c, O_CONCURRENT, "--max-concurrent-pages", 0, 1000000)))
        return r;
    return 0;
}

static int tier_write(cli_ctx_t *c, db_stmt_id_t id)
{
    int r = tier_limits_valid(c);
    if (r != 0)
        return r;
    const char *p[9] = {c->v[O_NAME],    c->v[O_QUOTA],    c->v[O_FILE_BYTES],
                        c->v[O_PAGES],   c->v[O_PIXELS],   c->v[O_RETENTION],
                        c->v[O_TIMEOUT], c->v[O_ATTEMPTS], c->v[O_CONCURRENT]};
    PGresult *res = cli__change(c, id, p);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    if (cli__not_found(c, res, "tier"))
        return CLI_EXIT_FAIL;
    if (c->json)
        cli__print_json(json_pack("{s:s}", "name", PQgetvalue(res, 0, 0)));
    else
        printf("tier %s %s\n", PQgetvalue(res, 0, 0), id == DB_CAT_TIER_CREATE ? "created" : "updated");
    PQclear(res);
    return 0;
}

static int tier_create(cli_ctx_t *c)
{
    return tier_write(c, DB_CAT_TIER_CREATE);
}

static int tier_set(cli_ctx_t *c)
{
    return tier_write(c, DB_CAT_TIER_SET);
}

static int tier_list(cli_ctx_t *c)
{
    static const char *const names[] = {"name",          "hourlyQuota", "maxFileBytes",
                                        "maxPages",      "maxPixels",   "maxRetentionDays",
                                        "pageTimeoutMs", "maxAttempts", "maxConcurrentPages"};
    static const int numeric[] = {0, 1, 1, 1, 1, 1, 1, 1, 1};
    PGresult *res = cli__query(c, DB_CAT_TIER_LIST, NULL);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    cli__print_rows(c, res, names, numeric);
    PQclear(res);
    return 0;
}

#define TIER_FIELDS O_QUOTA, O_FILE_BYTES, O_PAGES, O_PIXELS, O_RETENTION, O_TIMEOUT, O_ATTEMPTS, O_CONCURRENT
static const action_t tier_actions[] = {
    {"create",
     tier_create,
     {O_NAME, TIER_FIELDS, 0},
     {O_NAME, O_QUOTA, 0},
     "create --name N --hourly-quota Q [--max-file-bytes B] [--max-pages P] [--max-pixels X] "
     "[--max-retention-days D] "
     "[--page-timeout-ms T] [--max-attempts A] [--max-concurrent-pages C (0, the default: no cap)]"},
    {"set", tier_set, {O_NAME, TIER_FIELDS, 0}, {O_NAME, 0}, "set --name N [any limit of create]"},
    {"list", tier_list, {0}, {0}, "list"},
};

int cli_tier(int argc, char **argv)
{
    return cli__dispatch("tier", tier_actions, sizeof(tier_actions) / sizeof(tier_actions[0]), argc, argv);
}

/* ---- licenses ---- */

/* A new admin key and its stored hash (gw_util.h). */
static int new_admin_key(cli_ctx_t *c, char key[GW_ADMIN_KEY_LEN + 1], char hash[65])
{
    if (gw_admin_key_new(key, hash) != 0) {
        fprintf(stderr, "ocrgate %s: no randomness available\n", c->cmd);
        return -1;
    }
    return 0;
}

static int license_create(cli_ctx_t *c)
{
    int r = cli__check_region(c);
    if (r != 0)
        return r;
    char key[GW_ADMIN_KEY_LEN + 1], hash[65];
    if (new_admin_key(c, key, hash) != 0)
        return CLI_EXIT_FAIL;
    const char *p[5] = {c->v[O_NAME], c->v[O_REGION], c->v[O_TIER], c->v[O_EXPIRES], hash};
    PGresult *res = cli__change(c, DB_CAT_LICENSE_CREATE, p);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    if (c->json)
        cli__print_json(json_pack("{s:s,s:s,s:s,s:s,s:s}", "licenseId", PQgetvalue(res, 0, 0), "adminKey",
                                  key, "name", c->v[O_NAME], "region", c->v[O_REGION], "tier", c->v[O_TIER]));
    else
        printf("License ID: %s\nAdmin key:  %s   (shown once; only its hash is stored)\n",
               PQgetvalue(res, 0, 0), key);
    PQclear(res);
    return 0;
}

static int license_update(cli_ctx_t *c, db_stmt_id_t id, const char *value, const char *what)
{
    int r;
    if ((r = cli__check_uuid(c, O_LICENSE, "--license")) != 0)
        return r;
    const char *p[2] = {c->v[O_LICENSE], value};
    PGresult *res = cli__change(c, id, p);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    if (cli__not_found(c, res, "license"))
        return CLI_EXIT_FAIL;
    if (c->json)
        cli__print_json(json_pack("{s:s,s:s}", "licenseId", PQgetvalue(res, 0, 0), "changed", what));
    else
        printf("license %s: %s changed\n", PQgetvalue(res, 0, 0), what);
    PQclear(res);
    return 0;
}

static int license_set_status(cli_ctx_t *c)
{
    static const char *const ok[] = {"active", "overdue", "expired", "suspended"};
    for (int i = 0; i < 4; ++i)
        if (strcmp(c->v[O_STATUS], ok[i]) == 0)
            return license_update(c, DB_CAT_LICENSE_SET_STATUS, c->v[O_STATUS], "status");
    return cli_usage_error(c->cmd, "--status must be active, overdue, expired or suspended");
}

static int license_set_region(cli_ctx_t *c)
{
    int r = cli__check_region(c);
    return r != 0 ? r : license_update(c, DB_CAT_LICENSE_SET_REGION, c->v[O_REGION], "region");
}

static int license_set_tier(cli_ctx_t *c)
{
    return license_update(c, DB_CAT_LICENSE_SET_TIER, c->v[O_TIER], "tier");
}

static int license_set_expiry(cli_ctx_t *c)
{
    const char *v = strcmp(c->v[O_EXPIRES], "never") == 0 ? NULL : c->v[O_EXPIRES];
    return license_update(c, DB_CAT_LICENSE_SET_EXPIRY, v, "expiry");
}

static int license_rotate_key(cli_ctx_t *c)
{
    char key[GW_ADMIN_KEY_LEN + 1], hash[65];
    int r;
    if ((r = cli__check_uuid(c, O_LICENSE, "--license")) != 0)
        return r;
    if (new_admin_key(c, key, hash) != 0)
        return CLI_EXIT_FAIL;
    const char *p[2] = {c->v[O_LICENSE], hash};
    PGresult *res = cli__change(c, DB_CAT_LICENSE_SET_KEY, p);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    if (cli__not_found(c, res, "license"))
        return CLI_EXIT_FAIL;
    if (c->json)
        cli__print_json(json_pack("{s:s,s:s}", "licenseId", PQgetvalue(res, 0, 0), "adminKey", key));
    else
        printf("License ID: %s\nNew admin key: %s   (shown once)\n", PQgetvalue(res, 0, 0), key);
    PQclear(res);
    return 0;
}

static const char *const license_names[] = {"licenseId", "name",      "processingRegion", "tier",
                                            "status",    "expiresAt", "effectiveStatus",  "hourlyQuota",
                                            "createdAt"};
static const int license_numeric[] = {0, 0, 0, 0, 0, 0, 0, 1, 0};

static int license_show(cli_ctx_t *c)
{
    int r;
    if ((r = cli__check_uuid(c, O_LICENSE, "--license")) != 0)
        return r;
    const char *p[1] = {c->v[O_LICENSE]};
    PGresult *res = cli__query(c, DB_CAT_LICENSE_SHOW, p);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    if (cli__not_found(c, res, "license"))
        return CLI_EXIT_FAIL;
    json_t *o = json_object();
    for (int k = 0; k < PQnfields(res); ++k)
        json_object_set_new(o, license_names[k],
                            PQgetisnull(res, 0, k) ? json_null()
                            : license_numeric[k]   ? json_integer(strtoll(PQgetvalue(res, 0, k), NULL, 10))
                                                   : json_string(PQgetvalue(res, 0, k)));
    /* The quota window lives in the license's region database: shown when this config is that region's. */
    long long limit = strtoll(PQgetvalue(res, 0, 7), NULL, 10);
    if (strcmp(PQgetvalue(res, 0, 2), c->cfg.region) == 0) {
        char err[512], start[24], reset[32], wstart[32];
        int64_t now = (int64_t)time(NULL) + c->cfg.test_clock_offset_s, ws = gw_quota_window_start(now);
        PGconn *rc = db_connect(c->cfg.region_dsn, err, sizeof(err));
        snprintf(start, sizeof(start), "%lld", (long long)ws);
        const char *qp[2] = {c->v[O_LICENSE], start};
        PGresult *q = rc != NULL ? db_exec(rc, DB_RGN_QUOTA_USED, qp, err, sizeof(err)) : NULL;
        if (q != NULL) {
            long long used = strtoll(PQgetvalue(q, 0, 0), NULL, 10);
            gw_format_time(ws + GW_QUOTA_WINDOW, reset, sizeof(reset));
            gw_format_time(ws, wstart, sizeof(wstart));
            json_object_set_new(o, "quotaWindow",
                                json_pack("{s:s,s:I,s:I,s:I,s:s}", "windowStart", wstart, "limit",
                                          (json_int_t)limit, "used", (json_int_t)used, "remaining",
                                          (json_int_t)(used < limit ? limit - used : 0), "resetsAt", reset));
            PQclear(q);
        } else {
            fprintf(stderr, "ocrgate %s: region database: %s\n", c->cmd, err);
        }
        if (rc != NULL)
            PQfinish(rc);
    }
    PQclear(res);
    if (c->json) {
        cli__print_json(o);
        return 0;
    }
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        char *s =
            json_is_string(v) ? strdup(json_string_value(v)) : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        printf("%-17s %s\n", key, s);
        free(s);
    }
    json_decref(o);
    return 0;
}

static int license_list(cli_ctx_t *c)
{
    int r = cli__check_region(c);
    if (r != 0)
        return r;
    const char *p[1] = {c->v[O_REGION]};
    PGresult *res = cli__query(c, DB_CAT_LICENSE_LIST, p);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    cli__print_rows(c, res, license_names, license_numeric);
    PQclear(res);
    return 0;
}

static const action_t license_actions[] = {
    {"create",
     license_create,
     {O_NAME, O_REGION, O_TIER, O_EXPIRES, 0},
     {O_NAME, O_REGION, O_TIER, 0},
     "create --name N --region CODE --tier T [--expires 2027-01-01T00:00:00Z]"},
    {"set-status",
     license_set_status,
     {O_LICENSE, O_STATUS, 0},
     {O_LICENSE, O_STATUS, 0},
     "set-status --license ID --status active|overdue|expired|suspended"},
    {"set-region",
     license_set_region,
     {O_LICENSE, O_REGION, 0},
     {O_LICENSE, O_REGION, 0},
     "set-region --license ID --region CODE"},
    {"set-tier",
     license_set_tier,
     {O_LICENSE, O_TIER, 0},
     {O_LICENSE, O_TIER, 0},
     "set-tier --license ID --tier T"},
    {"set-expiry",
     license_set_expiry,
     {O_LICENSE, O_EXPIRES, 0},
     {O_LICENSE, O_EXPIRES, 0},
     "set-expiry --license ID --expires TIMESTAMP|never"},
    {"rotate-admin-key", license_rotate_key, {O_LICENSE, 0}, {O_LICENSE, 0}, "rotate-admin-key --license ID"},
    {"show", license_show, {O_LICENSE, 0}, {O_LICENSE, 0}, "show --license ID"},
    {"list", license_list, {O_REGION, 0}, {0}, "list [--region CODE]"},
};

int cli_license(int argc, char **argv)
{
    return cli__dispatch("license", license_actions, sizeof(license_actions) / sizeof(license_actions[0]),
                         argc, argv);
}
