/* The catalog commands' shared machinery (cli_catalog.h). */
#include "cli/cli_catalog.h"
#include "gateway/gw_util.h"
#include "regions/rgn.h"

#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
                                          {"max-concurrent-pages", required_argument, 0, O_CONCURRENT},
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
    /* Reads too: the primary is the one place that is never behind. */
    if ((c->conn = db_connect(cfg_catalog_write_dsn(&c->cfg), err, sizeof(err))) == NULL) {
        fprintf(stderr, "ocrgate %s: catalog primary: %s\n", c->cmd, err);
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

int cli__check_number(cli_ctx_t *c, int id, const char *what, long long lo, long long hi)
{
    if (c->v[id] == NULL)
        return 0;
    char *end;
    long long n = strtoll(c->v[id], &end, 10);
    if (*c->v[id] == '\0' || *end != '\0' || n < lo || n > hi)
        return cli_usage_error(c->cmd, "%s must be a whole number from %lld to %lld", what, lo, hi);
    return 0;
}

int cli__check_uuid(cli_ctx_t *c, int id, const char *what)
{
    char tmp[37];
    if (c->v[id] != NULL && gw_uuid_parse(c->v[id], strlen(c->v[id]), tmp) != 0)
        return cli_usage_error(c->cmd, "%s must be a UUID", what);
    return 0;
}

int cli__check_region(cli_ctx_t *c)
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
PGresult *cli__change(cli_ctx_t *c, db_stmt_id_t id, const char *const *params)
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

PGresult *cli__query(cli_ctx_t *c, db_stmt_id_t id, const char *const *params)
{
    char err[512];
    PGresult *res = db_exec(c->conn, id, params, err, sizeof(err));
    if (res == NULL)
        fprintf(stderr, "ocrgate %s: %s\n", c->cmd, err);
    return res;
}

void cli__print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2));
    printf("%s\n", s);
    free(s);
    json_decref(j);
}

/* Prints a result as a JSON array of objects (--json) or an aligned table. */
void cli__print_rows(cli_ctx_t *c, PGresult *res, const char *const *names, const int *numeric)
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
        cli__print_json(arr);
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

int cli__not_found(cli_ctx_t *c, PGresult *res, const char *what)
{
    if (PQntuples(res) == 0) {
        fprintf(stderr, "ocrgate %s: no such %s\n", c->cmd, what);
        PQclear(res);
        return 1;
    }
    return 0;
}

int cli__dispatch(const char *group, const action_t *actions, size_t n, int argc, char **argv)
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
