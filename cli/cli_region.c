/* Regions and the catalog's replication: the schema runner of `ocrgate migrate`, the subscription of a region
 * cluster to the catalog primary, and `ocrgate region add|list`. Blocking; runs on the main thread. */
#include "cli/cli.h"
#include "regions/rgn.h"
#include "sql/db.h"
#include "sql/db_migrations.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_migrate_one(const char *what, const char *dsn, const db_migration_t *list)
{
    char err[1024];
    int applied = 0;
    PGconn *conn = db_connect(dsn, err, sizeof(err));
    if (conn == NULL) {
        fprintf(stderr, "ocrgate migrate: %s database: %s\n", what, err);
        return -1;
    }
    int r = db_migrate(conn, list, &applied, err, sizeof(err));
    PQfinish(conn);
    if (r != 0) {
        fprintf(stderr, "ocrgate migrate: %s database: %s\n", what, err);
        return -1;
    }
    printf("%s database: %d migration%s applied\n", what, applied, applied == 1 ? "" : "s");
    return 0;
}

/* Runs one statement on a new connection and prints its one-word answer as "<what>: <answer>". */
static int run_step(const char *what, const char *dsn, db_stmt_id_t id, const char *const *params,
                    const char *hint)
{
    char err[1024];
    PGconn *conn = db_connect(dsn, err, sizeof(err));
    PGresult *res = conn != NULL ? db_exec(conn, id, params, err, sizeof(err)) : NULL;
    if (res == NULL) {
        fprintf(stderr, "ocrgate migrate: %s: %s%s\n", what, err, hint);
        if (conn != NULL)
            PQfinish(conn);
        return -1;
    }
    printf("%s: %s\n", what, PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(conn);
    return 0;
}

int cli_catalog_subscribe(const cfg_t *cfg)
{
    char sub[RGN_SUBSCRIPTION_MAX], what[64 + RGN_SUBSCRIPTION_MAX];
    rgn_subscription_name(cfg->region, sub);
    if (cli_migrate_one("catalog replica", cfg->catalog_dsn, db_replica_migrations) != 0)
        return -1;
    const char *slot[1] = {sub};
    snprintf(what, sizeof(what), "replication slot %s on the catalog primary", sub);
    /* The slot comes first: the subscription made inside the replica's function cannot create it. */
    if (run_step(what, cfg->catalog_primary_dsn, DB_REPL_SLOT_CREATE, slot,
                 " (the catalog primary needs wal_level = logical and a free max_replication_slots entry)") !=
        0)
        return -1;
    const char *publisher =
        cfg->catalog_publisher_dsn[0] != '\0' ? cfg->catalog_publisher_dsn : cfg->catalog_primary_dsn;
    const char *params[2] = {sub, publisher};
    snprintf(what, sizeof(what), "subscription %s", sub);
    return run_step(what, cfg->catalog_dsn, DB_REPL_SUBSCRIBE, params,
                    " (the region cluster must reach the primary with catalog_publisher_dsn, or "
                    "catalog_primary_dsn when that is empty)");
}

/* ---- ocrgate region add|list ---- */

static int region_add(const cfg_t *cfg, const char *code, const char *endpoint)
{
    char err[1024];
    rgn_registry_t reg;
    if (code == NULL || endpoint == NULL)
        return cli_usage_error("region add", "--code and --endpoint are required");
    FILE *f = fopen(cfg->regions_file, "r");
    char *text = NULL;
    size_t cap = 0;
    FILE *m = open_memstream(&text, &cap);
    if (f != NULL) {
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
            fwrite(buf, 1, n, m);
        fclose(f);
    }
    /* The new line is checked by the same parser every node uses, together with the lines already there, so
     * that a bad code, a plain-HTTP endpoint or a duplicate is refused before the file changes. */
    fflush(m); /* makes text and cap hold what was read */
    int ends_nl = cap == 0 || text[cap - 1] == '\n';
    fprintf(m, "%s%s %s\n", ends_nl ? "" : "\n", code, endpoint);
    fclose(m);
    int bad = rgn_parse_text(&reg, cfg->regions_file, text, err, sizeof(err));
    free(text);
    if (bad != 0)
        return cli_usage_error("region add", "%s", err);
    rgn_free(&reg);
    if ((f = fopen(cfg->regions_file, "a")) == NULL ||
        fprintf(f, "%s%s %s\n", ends_nl ? "" : "\n", code, endpoint) < 0 || fclose(f) != 0) {
        fprintf(stderr, "ocrgate region add: cannot append to %s\n", cfg->regions_file);
        return CLI_EXIT_FAIL;
    }
    printf(
        "region %s (%s) added to %s\nnext: copy that file to every node of every region, then run `ocrgate "
        "migrate --config <the new region's config>` against its cluster (schema, catalog replica, "
        "subscription)\n",
        code, endpoint, cfg->regions_file);
    return 0;
}

static int region_list(const cfg_t *cfg, int as_json)
{
    char err[1024], sub[RGN_SUBSCRIPTION_MAX];
    rgn_registry_t reg;
    if (rgn_load(&reg, cfg->regions_file, err, sizeof(err)) != 0) {
        fprintf(stderr, "ocrgate region list: %s\n", err);
        return CLI_EXIT_FAIL;
    }
    /* Replication state as the primary sees it; without it the registry is still listed. */
    PGconn *conn = db_connect(cfg_catalog_write_dsn(cfg), err, sizeof(err));
    PGresult *slots = conn != NULL ? db_exec(conn, DB_REPL_SLOTS, NULL, err, sizeof(err)) : NULL;
    if (slots == NULL)
        fprintf(stderr, "ocrgate region list: catalog primary: %s (replication state unknown)\n", err);
    json_t *arr = json_array();
    for (size_t i = 0; i < reg.count; ++i) {
        rgn_subscription_name(reg.regions[i].code, sub);
        json_t *o = json_pack("{s:s,s:s,s:s}", "code", reg.regions[i].code, "endpoint",
                              reg.regions[i].endpoint, "slot", sub);
        int row = -1;
        for (int r = 0; slots != NULL && r < PQntuples(slots); ++r)
            if (strcmp(PQgetvalue(slots, r, 0), sub) == 0)
                row = r;
        if (slots != NULL)
            json_object_set_new(o, "replication",
                                row < 0                               ? json_string("not subscribed")
                                : PQgetvalue(slots, row, 1)[0] == 't' ? json_string("streaming")
                                                                      : json_string("disconnected"));
        if (row >= 0)
            json_object_set_new(o, "pendingBytes", json_integer(atoll(PQgetvalue(slots, row, 2))));
        json_array_append_new(arr, o);
    }
    if (as_json) {
        char *s = json_dumps(arr, JSON_INDENT(2));
        printf("%s\n", s);
        free(s);
    } else {
        printf("%-8s %-40s %-16s %s\n", "REGION", "ENDPOINT", "REPLICATION", "PENDING BYTES");
        size_t i;
        json_t *o;
        json_array_foreach(arr, i, o)
        {
            json_t *rep = json_object_get(o, "replication"), *pend = json_object_get(o, "pendingBytes");
            char bytes[24] = "-";
            if (pend != NULL)
                snprintf(bytes, sizeof(bytes), "%lld", (long long)json_integer_value(pend));
            printf("%-8s %-40s %-16s %s\n", json_string_value(json_object_get(o, "code")),
                   json_string_value(json_object_get(o, "endpoint")),
                   rep != NULL ? json_string_value(rep) : "unknown", bytes);
        }
    }
    json_decref(arr);
    PQclear(slots);
    if (conn != NULL)
        PQfinish(conn);
    rgn_free(&reg);
    return 0;
}

int cli_region(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'},   {"code", required_argument, 0, 'r'},
        {"endpoint", required_argument, 0, 'e'}, {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},           {0}};
    static const char usage[] = "ocrgate region add --code CODE --endpoint https://HOST [--config FILE]\n"
                                "       ocrgate region list [--json] [--config FILE]";
    const char *config = NULL, *code = NULL, *endpoint = NULL;
    int c, as_json = 0;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        printf("usage: %s\n", usage);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "add") != 0 && strcmp(sub, "list") != 0)
        return cli_usage_error("region", "unknown subcommand '%s' (expected add or list)", sub);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc - 1, argv + 1, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            config = optarg;
            break;
        case 'r':
            code = optarg;
            break;
        case 'e':
            endpoint = optarg;
            break;
        case 'j':
            as_json = 1;
            break;
        case 'h':
            printf("usage: %s\n", usage);
            return 0;
        default:
            return cli_usage_error("region", "unknown option '%s'", argv[optind]);
        }
    }
    if (optind < argc - 1)
        return cli_usage_error("region", "unexpected argument '%s'", argv[optind + 1]);
    if ((strcmp(sub, "list") == 0 && (code != NULL || endpoint != NULL)) ||
        (strcmp(sub, "add") == 0 && as_json))
        return cli_usage_error("region", "--code and --endpoint are for add, --json for list");
    cfg_t cfg;
    if (cli_load_config(config, &cfg) != 0)
        return CLI_EXIT_FAIL;
    int ret = strcmp(sub, "add") == 0 ? region_add(&cfg, code, endpoint) : region_list(&cfg, as_json);
    cfg_free(&cfg);
    return ret;
}
