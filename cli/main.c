/* ocrgate: one binary, subcommands through a dispatch table. */
#include "cli/cli.h"
#include "gateway/gw.h"
#include "sql/db.h"
#include "sql/db_migrations.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <leptonica/allheaders.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>
#include <unistd.h>

#include "engine/eng_doc.h"
#include "engine/eng_ocr.h"
#include "jobs/job_pool.h"
#include "webhooks/wh_pool.h"

#include <curl/curl.h>

extern const char ocrgate_openapi_json[];

static int cmd_serve(int argc, char **argv);
static int cmd_migrate(int argc, char **argv);
static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const cli_command_t commands[] = {
    {"serve", cmd_serve, "run one region's gateway node (HTTPS API and OCR workers)",
     "ocrgate serve [--config FILE]"},
    {"migrate", cmd_migrate, "create or update the catalog and region database schemas",
     "ocrgate migrate [--config FILE] [--role all|primary|region]   (primary: the catalog and its "
     "publication "
     "on catalog_primary_dsn, or catalog_dsn without one; region: the region database, and with "
     "catalog_primary_dsn set the catalog replica on catalog_dsn and its subscription; all: both)"},
    {"region", cli_region, "register regions and show the catalog's replication to them",
     "ocrgate region add --code CODE --endpoint https://HOST | list [--json]   (ocrgate region --help)"},
    {"tier", cli_tier, "manage service tiers (quotas and limits)",
     "ocrgate tier create|set|list [--config FILE] [options]   (ocrgate tier --help)"},
    {"license", cli_license, "manage licenses",
     "ocrgate license create|set-status|set-region|set-tier|set-expiry|rotate-admin-key|show|list ... "
     "(ocrgate "
     "license --help)"},
    {"app", cli_app, "manage a license's apps",
     "ocrgate app create|enable|disable|rename|delete|list ... (ocrgate app --help)"},
    {"check", cli_check,
     "check a node's config, certificate, databases, migrations and models before it starts",
     "ocrgate check [--config FILE]"},
    {"ocr", cli_ocr, "recognize files through the API of any region (the command-line client)",
     "ocrgate ocr [--endpoint URL] [--license ID --app ID] [--format F]... [-o FILE|DIR] FILE... "
     "(ocrgate ocr --help)"},
    {"version", cmd_version, "print the version of ocrgate and its engine", "ocrgate version"},
    {"help", cmd_help, "list commands, or describe one", "ocrgate help [COMMAND]"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const cli_command_t *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; ++i)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "ocrgate %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see: ocrgate %s --help)\n", cmd);
    return CLI_EXIT_USAGE;
}

int cli_load_config(const char *path, cfg_t *cfg)
{
    char err[512];
    if (path == NULL)
        path = getenv("OCRGATE_CONFIG");
    if (path == NULL)
        path = CFG_DEFAULT_PATH;
    if (cfg_load(cfg, path, err, sizeof(err)) != 0) {
        fprintf(stderr, "ocrgate: %s\n", err);
        cfg_free(cfg);
        return -1;
    }
    return 0;
}

/* Parses the options every server-side command shares: --config FILE and --help. */
static int common_opts(const char *cmd, int argc, char **argv, const char **config, int *help)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'}, {"help", no_argument, 0, 'h'}, {0}};
    int c;
    *help = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        if (c == 'c')
            *config = optarg;
        else if (c == 'h')
            *help = 1;
        else
            return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    return 0;
}

static char *version_json(void)
{
    char *lept = getLeptonicaVersion();
    char engine[64];
    snprintf(engine, sizeof(engine), "tesseract %s", TessVersion());
    json_t *j = json_pack("{s:s,s:s,s:s,s:s}", "name", "ocrgate", "version", OCRGATE_VERSION, "engine",
                          engine, "leptonica", lept);
    lept_free(lept);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

/* The installed languages, kept for option checks, and their JSON for GET /v1/languages. */
static char *languages_json(const cfg_t *cfg, gw_server_t *server)
{
    char **langs = NULL;
    int n = 0;
    json_t *arr = json_array();
    if (eng_ocr_languages(cfg->tessdata_dir[0] ? cfg->tessdata_dir : NULL, &langs, &n) == 0) {
        for (int i = 0; i < n; ++i)
            json_array_append_new(arr, json_string(langs[i]));
        server->languages = langs; /* kept for the life of the process */
        server->nlanguages = (size_t)n;
    }
    json_t *j = json_pack("{s:o}", "languages", arr);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

/* Tesseract reads OMP_THREAD_LIMIT when the process starts; setting it later has no effect, so the server
 * re-executes itself once with it set. */
static void ensure_omp_thread_limit(char **argv)
{
    if (getenv("OMP_THREAD_LIMIT") != NULL)
        return;
    setenv("OMP_THREAD_LIMIT", "1", 1);
    execv("/proc/self/exe", argv);
    fprintf(stderr, "ocrgate: warning: could not re-execute with OMP_THREAD_LIMIT=1: %s\n", strerror(errno));
}

/* This node's name in job leases: node_id from the configuration, else host:port. */
static void node_id_of(const cfg_t *cfg, char *out, size_t len)
{
    if (cfg->node_id[0] != '\0') {
        snprintf(out, len, "%s", cfg->node_id);
        return;
    }
    char hostname[200] = "node";
    gethostname(hostname, sizeof(hostname) - 1);
    snprintf(out, len, "%s:%d", hostname, cfg->https_port);
}

static int cmd_serve(int argc, char **argv)
{
    const char *config = NULL;
    int help, r;
    char **orig_argv = argv - 1;
    if ((r = common_opts("serve", argc, argv, &config, &help)) != 0)
        return r;
    if (help) {
        printf("usage: ocrgate serve [--config FILE]\n\nConfiguration keys (file: key = value; environment: "
               "OCRGATE_<KEY>):\n");
        cfg_print_keys(stdout, 0);
        return 0;
    }
    ensure_omp_thread_limit(orig_argv);
    eng_global_init();
    static gw_server_t server;
    char err[512];
    if (cli_load_config(config, &server.cfg) != 0)
        return CLI_EXIT_FAIL;
    if (rgn_load(&server.regions, server.cfg.regions_file, err, sizeof(err)) != 0) {
        fprintf(stderr, "ocrgate: %s\n", err);
        return CLI_EXIT_FAIL;
    }
    server.version_json = version_json();
    server.languages_json = languages_json(&server.cfg, &server);
    server.openapi_json = (char *)ocrgate_openapi_json;
    server.openapi_len = strlen(ocrgate_openapi_json);
    node_id_of(&server.cfg, server.node_id, sizeof(server.node_id));
    /* The job runner and the gateway run side by side; main owns the runner. The gateway's signals are
     * blocked before any thread starts, so that only its sigtimedwait() receives them. */
    sigset_t set;
    gw_server_block_signals(&set);
    if ((server.pool = job_pool_start(&server.cfg, server.node_id, err, sizeof(err))) == NULL) {
        fprintf(stderr, "ocrgate: engine workers: %s\n", err);
        return CLI_EXIT_FAIL;
    }
    /* The delivery threads use libcurl, whose global set-up must happen before any thread uses it. */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if ((server.webhooks = wh_pool_start(&server.cfg, server.node_id, err, sizeof(err))) == NULL) {
        fprintf(stderr, "ocrgate: %s\n", err);
        job_pool_stop(server.pool);
        return CLI_EXIT_FAIL;
    }
    /* gw_server_run returns once its loop threads are joined: nothing reads the pools after that. */
    int ret = gw_server_run(&server, err, sizeof(err));
    job_pool_stop(server.pool);
    server.pool = NULL;
    wh_pool_stop(server.webhooks);
    server.webhooks = NULL;
    if (ret != 0) {
        fprintf(stderr, "ocrgate: %s\n", err);
        return CLI_EXIT_FAIL;
    }
    return 0;
}

static int cmd_migrate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'}, {"role", required_argument, 0, 'r'},
        {"catalog-only", no_argument, 0, 'C'}, {"region-only", no_argument, 0, 'R'},
        {"help", no_argument, 0, 'h'},         {0}};
    const char *config = NULL, *role = "all";
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            config = optarg;
            break;
        case 'r':
            role = optarg;
            break;
        case 'C': /* the names of the roles before there were replicas */
            role = "primary";
            break;
        case 'R':
            role = "region";
            break;
        case 'h':
            printf("usage: %s\n", find_command("migrate")->usage);
            return 0;
        default:
            return cli_usage_error("migrate", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("migrate", "unexpected argument '%s'", argv[optind]);
    int primary = strcmp(role, "all") == 0 || strcmp(role, "primary") == 0,
        region = strcmp(role, "all") == 0 || strcmp(role, "region") == 0;
    if (!primary && !region)
        return cli_usage_error("migrate", "--role must be all, primary or region, not '%s'", role);
    cfg_t cfg;
    if (cli_load_config(config, &cfg) != 0)
        return CLI_EXIT_FAIL;
    int ret = 0;
    if (primary && cli_migrate_one("catalog", cfg_catalog_write_dsn(&cfg), db_catalog_migrations) != 0)
        ret = CLI_EXIT_FAIL;
    if (ret == 0 && region && cli_migrate_one("region", cfg.region_dsn, db_region_migrations) != 0)
        ret = CLI_EXIT_FAIL;
    if (ret == 0 && region && cfg_catalog_replicated(&cfg) && cli_catalog_subscribe(&cfg) != 0)
        ret = CLI_EXIT_FAIL;
    cfg_free(&cfg);
    return ret;
}

static int cmd_version(int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return cli_usage_error("version", "takes no arguments");
    char *s = version_json();
    json_t *j = json_loads(s, 0, NULL);
    printf("ocrgate %s (%s, %s)\n", OCRGATE_VERSION, json_string_value(json_object_get(j, "engine")),
           json_string_value(json_object_get(j, "leptonica")));
    json_decref(j);
    free(s);
    return 0;
}

static void print_overview(FILE *out)
{
    fprintf(out,
            "usage: ocrgate COMMAND [options]   (every command takes --config FILE; default $OCRGATE_CONFIG, "
            "else " CFG_DEFAULT_PATH ")\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; ++i)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'ocrgate COMMAND --help' describes one command.\n");
}

static int cmd_help(int argc, char **argv)
{
    if (argc > 2)
        return cli_usage_error("help", "takes at most one command name");
    if (argc == 2) {
        const cli_command_t *c = find_command(argv[1]);
        if (c == NULL)
            return cli_usage_error("help", "unknown command '%s'", argv[1]);
        printf("%s: %s\nusage: %s\n", c->name, c->summary, c->usage);
        return 0;
    }
    print_overview(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_overview(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(1, argv + 1);
    const cli_command_t *c = find_command(argv[1]);
    if (c == NULL) {
        fprintf(stderr, "ocrgate: unknown command '%s' (see: ocrgate --help)\n", argv[1]);
        return CLI_EXIT_USAGE;
    }
    return c->run(argc - 1, argv + 1);
}
