/* Operator commands on the catalog: tiers, licenses, apps. Every change runs in a transaction that names the
 * operator as the audit actor; the catalog's triggers audit it and notify the gateways. */
#include "cli/cli.h"
#include "gateway/gw_report.h"
#include "gateway/gw_util.h"
#include "regions/rgn.h"
#include "sql/db.h"

#include <getopt.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

enum {
    O_CONFIG = 1,
    O_JSON,
    O_NAME,
    O_QUOTA,
    O_FILE_BYTES,
    O_PAGES,
    O_PIXELS,
    O_RETENTION,
    O_TIMEOUT,
    O_ATTEMPTS,
    O_REGION,
    O_TIER,
    O_STATUS,
    O_LICENSE,
    O_APP,
    O_EXPIRES,
    O_FROM,
    O_TO,
    O_GRANULARITY,
    O_HELP,
    O_COUNT
};

static const struct option long_opts[] = {{"config", required_argument, 0, O_CONFIG},
                                          {"json", no_argument, 0, O_JSON},
                                          {"name", required_argument, 0, O_NAME},
                                          {"hourly-quota", required_argument, 0, O_QUOTA},
                                          {"max-file-bytes", required_argument, 0, O_FILE_BYTES},
                                          {"max-pages", required_argument, 0, O_PAGES},
                                          {"max-pixels", required_argument, 0, O_PIXELS},
                                          {"max-retention-days", required_argument, 0, O_RETENTION},
                                          {"page-timeout-ms", required_argument, 0, O_TIMEOUT},
                                          {"max-attempts", required_argument, 0, O_ATTEMPTS},
                                          {"region", required_argument, 0, O_REGION},
                                          {"tier", required_argument, 0, O_TIER},
                                          {"status", required_argument, 0, O_STATUS},
                                          {"license", required_argument, 0, O_LICENSE},
                                          {"app", required_argument, 0, O_APP},
                                          {"expires", required_argument, 0, O_EXPIRES},
                                          {"from", required_argument, 0, O_FROM},
                                          {"to", required_argument, 0, O_TO},
                                          {"granularity", required_argument, 0, O_GRANULARITY},
                                          {"help", no_argument, 0, O_HELP},
                                          {0}};

typedef struct {
    const char *cmd; /* "tier create" */
    const char *v[O_COUNT];
    int json;
    cfg_t cfg;
    PGconn *conn;
} cli_ctx_t;

/* Parses options; `allowed` lists the option ids the action accepts, `required` those it needs. */
static int parse(cli_ctx_t *c, int argc, char **argv, const int *allowed, const int *required)
{
    int o;
    optind = 1;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
        if (o == '?' || o == ':')
            return cli_usage_error(c->cmd, "unknown option or missing value at '%s'", argv[optind - 1]);
        if (o == O_HELP) {
            c->v[O_HELP] = "";
            return 0;
        }
        int ok = o == O_CONFIG || o == O_JSON;
        for (const int *a = allowed; *a; ++a)
            ok |= *a == o;
        if (!ok)
            return cli_usage_error(c->cmd, "option '%s' does not apply here", argv[optind - 1]);
        if (o == O_JSON)
            c->json = 1;
        else
            c->v[o] = optarg;
    }
    if (optind < argc)
        return cli_usage_error(c->cmd, "unexpected argument '%s'", argv[optind]);
    for (const int *r = required; *r; ++r)
        if (c->v[*r] == NULL) {
            for (const struct option *lo = long_opts; lo->name; ++lo)
                if (lo->val == *r)
                    return cli_usage_error(c->cmd, "--%s is required", lo->name);
        }
    return 0;
}

static int connect_catalog(cli_ctx_t *c)
{
    char err[512];
    if (cli_load_config(c->v[O_CONFIG], &c->cfg) != 0)
        return -1;
    if ((c->conn = db_connect(c->cfg.catalog_dsn, err, sizeof(err))) == NULL) {
        fprintf(stderr, "ocrgate %s: catalog database: %s\n", c->cmd, err);
        return -1;
    }
    return 0;
}

static void finish(cli_ctx_t *c)
{
    if (c->conn != NULL)
        PQfinish(c->conn);
    cfg_free(&c->cfg);
}

static int check_number(cli_ctx_t *c, int id, const char *what, long long lo, long long hi)
{
    if (c->v[id] == NULL)
        return 0;
    char *end;
    long long n = strtoll(c->v[id], &end, 10);
    if (*c->v[id] == '\0' || *end != '\0' || n < lo || n > hi)
        return cli_usage_error(c->cmd, "%s must be a whole number from %lld to %lld", what, lo, hi);
    return 0;
}

static int check_uuid(cli_ctx_t *c, int id, const char *what)
{
    char tmp[37];
    if (c->v[id] != NULL && gw_uuid_parse(c->v[id], strlen(c->v[id]), tmp) != 0)
        return cli_usage_error(c->cmd, "%s must be a UUID", what);
    return 0;
}

static int check_region(cli_ctx_t *c)
{
    const char *code = c->v[O_REGION];
    if (code == NULL)
        return 0;
    if (!rgn_code_valid(code))
        return cli_usage_error(c->cmd, "--region must be an upper-case region code such as US or EU");
    rgn_registry_t reg;
    char err[512];
    if (rgn_load(&reg, c->cfg.regions_file, err, sizeof(err)) != 0) {
        fprintf(stderr, "ocrgate %s: %s\n", c->cmd, err);
        return CLI_EXIT_FAIL;
    }
    int known = rgn_find(&reg, code) != NULL;
    rgn_free(&reg);
    if (!known)
        return cli_usage_error(c->cmd, "region %s is not listed in %s", code, c->cfg.regions_file);
    return 0;
}

/* Runs one catalog change as the audit actor "cli:<user>". Returns the result or NULL (message printed). */
static PGresult *change(cli_ctx_t *c, db_stmt_id_t id, const char *const *params)
{
    char err[512], actor[128];
    struct passwd *pw = getpwuid(getuid());
    snprintf(actor, sizeof(actor), "cli:%s", pw != NULL ? pw->pw_name : "unknown");
    const char *ap[1] = {actor};
    PGresult *res = NULL, *r;
    if (db_begin(c->conn, err, sizeof(err)) != 0)
        goto Fail;
    if ((r = db_exec(c->conn, DB_CAT_SET_ACTOR, ap, err, sizeof(err))) == NULL)
        goto Fail;
    PQclear(r);
    if ((res = db_exec(c->conn, id, params, err, sizeof(err))) == NULL)
        goto Fail;
    if (db_commit(c->conn, err, sizeof(err)) != 0) {
        PQclear(res);
        res = NULL;
        goto Fail;
    }
    return res;
Fail:
    db_rollback(c->conn);
    fprintf(stderr, "ocrgate %s: %s\n", c->cmd, err);
    return NULL;
}

static PGresult *query(cli_ctx_t *c, db_stmt_id_t id, const char *const *params)
{
    char err[512];
    PGresult *res = db_exec(c->conn, id, params, err, sizeof(err));
    if (res == NULL)
        fprintf(stderr, "ocrgate %s: %s\n", c->cmd, err);
    return res;
}

static void print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2));
    printf("%s\n", s);
    free(s);
    json_decref(j);
}

/* Prints a result as a JSON array of objects (--json) or an aligned table. */
static void print_rows(cli_ctx_t *c, PGresult *res, const char *const *names, const int *numeric)
{
    int n = PQntuples(res), m = PQnfields(res);
    if (c->json) {
        json_t *arr = json_array();
        for (int i = 0; i < n; ++i) {
            json_t *o = json_object();
            for (int k = 0; k < m; ++k) {
                const char *v = PQgetvalue(res, i, k);
                json_object_set_new(o, names[k],
                                    PQgetisnull(res, i, k) ? json_null()
                                    : numeric[k] == 1      ? json_integer(strtoll(v, NULL, 10))
                                    : numeric[k] == 2      ? json_boolean(v[0] == 't')
                                                           : json_string(v));
            }
            json_array_append_new(arr, o);
        }
        print_json(arr);
        return;
    }
    for (int k = 0; k < m; ++k)
        printf("%s%s", k ? "\t" : "", names[k]);
    printf("\n");
    for (int i = 0; i < n; ++i) {
        for (int k = 0; k < m; ++k)
            printf("%s%s", k ? "\t" : "", PQgetisnull(res, i, k) ? "-" : PQgetvalue(res, i, k));
        printf("\n");
    }
}

static int not_found(cli_ctx_t *c, PGresult *res, const char *what)
{
    if (PQntuples(res) == 0) {
        fprintf(stderr, "ocrgate %s: no such %s\n", c->cmd, what);
        PQclear(res);
        return 1;
    }
    return 0;
}

typedef struct {
    const char *action;
    int (*run)(cli_ctx_t *c);
    int allowed[12];
    int required[4];
    const char *usage;
} action_t;

static int dispatch(const char *group, const action_t *actions, size_t n, int argc, char **argv)
{
    char cmd[64];
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        FILE *out = argc < 2 ? stderr : stdout;
        fprintf(out, "usage:\n");
        for (size_t i = 0; i < n; ++i)
            fprintf(out, "  ocrgate %s %s\n", group, actions[i].usage);
        fprintf(out, "every action takes --config FILE and --json\n");
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    for (size_t i = 0; i < n; ++i) {
        if (strcmp(actions[i].action, argv[1]) != 0)
            continue;
        cli_ctx_t c;
        memset(&c, 0, sizeof(c));
        snprintf(cmd, sizeof(cmd), "%s %s", group, argv[1]);
        c.cmd = cmd;
        int r = parse(&c, argc - 1, argv + 1, actions[i].allowed, actions[i].required);
        if (r != 0)
            return r;
        if (c.v[O_HELP] != NULL) {
            printf("usage: ocrgate %s %s\n", group, actions[i].usage);
            return 0;
        }
        if (connect_catalog(&c) != 0) {
            finish(&c);
            return CLI_EXIT_FAIL;
        }
        r = actions[i].run(&c);
        finish(&c);
        return r;
    }
    return cli_usage_error(group, "unknown action '%s'", argv[1]);
}

/* ---- tiers ---- */

static int tier_limits_valid(cli_ctx_t *c)
{
    int r;
    if ((r = check_number(c, O_QUOTA, "--hourly-quota", 0, 2000000000)) ||
        (r = check_number(c, O_FILE_BYTES, "--max-file-bytes", 1, 1LL << 34)) ||
        (r = check_number(c, O_PAGES, "--max-pages", 1, 100000)) ||
        (r = check_number(c, O_PIXELS, "--max-pixels", 1, 1LL << 34)) ||
        (r = check_number(c, O_RETENTION, "--max-retention-days", 1, 3650)) ||
        (r = check_number(c, O_TIMEOUT, "--page-timeout-ms", 1, 3600000)) ||
        (r = check_number(c, O_ATTEMPTS, "--max-attempts", 1, 100)))
        return r;
    return 0;
}

static int tier_write(cli_ctx_t *c, db_stmt_id_t id)
{
    int r = tier_limits_valid(c);
    if (r != 0)
        return r;
    const char *p[8] = {c->v[O_NAME],   c->v[O_QUOTA],     c->v[O_FILE_BYTES], c->v[O_PAGES],
                        c->v[O_PIXELS], c->v[O_RETENTION], c->v[O_TIMEOUT],    c->v[O_ATTEMPTS]};
    PGresult *res = change(c, id, p);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    if (not_found(c, res, "tier"))
        return CLI_EXIT_FAIL;
    if (c->json)
        print_json(json_pack("{s:s}", "name", PQgetvalue(res, 0, 0)));
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
    static const char *const names[] = {"name",      "hourlyQuota",      "maxFileBytes",  "maxPages",
                                        "maxPixels", "maxRetentionDays", "pageTimeoutMs", "maxAttempts"};
    static const int numeric[] = {0, 1, 1, 1, 1, 1, 1, 1};
    PGresult *res = query(c, DB_CAT_TIER_LIST, NULL);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    print_rows(c, res, names, numeric);
    PQclear(res);
    return 0;
}

#define TIER_FIELDS O_QUOTA, O_FILE_BYTES, O_PAGES, O_PIXELS, O_RETENTION, O_TIMEOUT, O_ATTEMPTS
static const action_t tier_actions[] = {
    {"create",
     tier_create,
     {O_NAME, TIER_FIELDS, 0},
     {O_NAME, O_QUOTA, 0},
     "create --name N --hourly-quota Q [--max-file-bytes B] [--max-pages P] [--max-pixels X] "
     "[--max-retention-days D] "
     "[--page-timeout-ms T] [--max-attempts A]"},
    {"set", tier_set, {O_NAME, TIER_FIELDS, 0}, {O_NAME, 0}, "set --name N [any limit of create]"},
    {"list", tier_list, {0}, {0}, "list"},
};

int cli_tier(int argc, char **argv)
{
    return dispatch("tier", tier_actions, sizeof(tier_actions) / sizeof(tier_actions[0]), argc, argv);
}

/* ---- licenses ---- */

/* A new admin key ("ocg_" + 64 hex digits of randomness) and its stored hash. */
static int new_admin_key(cli_ctx_t *c, char key[80], char hash[65])
{
    unsigned char raw[32];
    if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
        fprintf(stderr, "ocrgate %s: no randomness available\n", c->cmd);
        return -1;
    }
    strcpy(key, "ocg_");
    for (int i = 0; i < 32; ++i)
        snprintf(key + 4 + 2 * i, 3, "%02x", raw[i]);
    gw_admin_key_hash(key, strlen(key), hash);
    return 0;
}

static int license_create(cli_ctx_t *c)
{
    int r = check_region(c);
    if (r != 0)
        return r;
    char key[80], hash[65];
    if (new_admin_key(c, key, hash) != 0)
        return CLI_EXIT_FAIL;
    const char *p[5] = {c->v[O_NAME], c->v[O_REGION], c->v[O_TIER], c->v[O_EXPIRES], hash};
    PGresult *res = change(c, DB_CAT_LICENSE_CREATE, p);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    if (c->json)
        print_json(json_pack("{s:s,s:s,s:s,s:s,s:s}", "licenseId", PQgetvalue(res, 0, 0), "adminKey", key,
                             "name", c->v[O_NAME], "region", c->v[O_REGION], "tier", c->v[O_TIER]));
    else
        printf("License ID: %s\nAdmin key:  %s   (shown once; only its hash is stored)\n",
               PQgetvalue(res, 0, 0), key);
    PQclear(res);
    return 0;
}

static int license_update(cli_ctx_t *c, db_stmt_id_t id, const char *value, const char *what)
{
    int r;
    if ((r = check_uuid(c, O_LICENSE, "--license")) != 0)
        return r;
    const char *p[2] = {c->v[O_LICENSE], value};
    PGresult *res = change(c, id, p);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    if (not_found(c, res, "license"))
        return CLI_EXIT_FAIL;
    if (c->json)
        print_json(json_pack("{s:s,s:s}", "licenseId", PQgetvalue(res, 0, 0), "changed", what));
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
    int r = check_region(c);
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
    char key[80], hash[65];
    int r;
    if ((r = check_uuid(c, O_LICENSE, "--license")) != 0)
        return r;
    if (new_admin_key(c, key, hash) != 0)
        return CLI_EXIT_FAIL;
    const char *p[2] = {c->v[O_LICENSE], hash};
    PGresult *res = change(c, DB_CAT_LICENSE_SET_KEY, p);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    if (not_found(c, res, "license"))
        return CLI_EXIT_FAIL;
    if (c->json)
        print_json(json_pack("{s:s,s:s}", "licenseId", PQgetvalue(res, 0, 0), "adminKey", key));
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
    if ((r = check_uuid(c, O_LICENSE, "--license")) != 0)
        return r;
    const char *p[1] = {c->v[O_LICENSE]};
    PGresult *res = query(c, DB_CAT_LICENSE_SHOW, p);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    if (not_found(c, res, "license"))
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
        print_json(o);
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
    int r = check_region(c);
    if (r != 0)
        return r;
    const char *p[1] = {c->v[O_REGION]};
    PGresult *res = query(c, DB_CAT_LICENSE_LIST, p);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    print_rows(c, res, license_names, license_numeric);
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
    return dispatch("license", license_actions, sizeof(license_actions) / sizeof(license_actions[0]), argc,
                    argv);
}

/* ---- apps ---- */

static int app_ids_valid(cli_ctx_t *c)
{
    int r;
    if ((r = check_uuid(c, O_LICENSE, "--license")) != 0 || (r = check_uuid(c, O_APP, "--app")) != 0)
        return r;
    return 0;
}

static int app_change(cli_ctx_t *c, db_stmt_id_t id, const char *value, const char *done)
{
    int r = app_ids_valid(c);
    if (r != 0)
        return r;
    const char *p[3] = {c->v[O_LICENSE], c->v[O_APP], value};
    PGresult *res = change(c, id, p);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    if (not_found(c, res, "app of this license"))
        return CLI_EXIT_FAIL;
    if (c->json)
        print_json(json_pack("{s:s,s:s}", "appId", PQgetvalue(res, 0, 0), "result", done));
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
    PGresult *res = change(c, DB_CAT_APP_CREATE, p);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    if (c->json)
        print_json(json_pack("{s:s,s:s,s:s}", "appId", PQgetvalue(res, 0, 0), "licenseId", c->v[O_LICENSE],
                             "name", c->v[O_NAME]));
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
    PGresult *res = query(c, DB_CAT_APP_LIST, p);
    if (res == NULL)
        return CLI_EXIT_FAIL;
    print_rows(c, res, names, numeric);
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
        print_json(rep);
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
    return dispatch("app", app_actions, sizeof(app_actions) / sizeof(app_actions[0]), argc, argv);
}
