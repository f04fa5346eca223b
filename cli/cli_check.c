/* `ocrgate check`: what an operator runs before (re)starting a node. Checks in classes, in the order a start
 * would trip over them: config, region, TLS pair, databases, migrations, models. One line per check
 * ("ok", "warn" or "FAIL" first); the first class with a failure ends the run with exit status 1. Changes
 * nothing anywhere. */
#include "cli/cli.h"
#include "engine/eng_ocr.h"
#include "gateway/gw.h"
#include "gateway/gw_tls.h"
#include "regions/rgn.h"
#include "sql/db.h"
#include "sql/db_migrations.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHECK_CERT_WARN_DAYS 14

typedef struct {
    cfg_t cfg;
    int failed, warnings;
    PGconn *conn[3]; /* catalog (this region's replica when replicated), region, catalog primary */
    int ndb;         /* 3 when the catalog is replicated (the primary is checked too), else 2 */
} check_t;

static const char *const db_names[3] = {"catalog", "region", "catalog primary"};
static const char *const db_keys[3] = {"catalog_dsn", "region_dsn", "catalog_primary_dsn"};

__attribute__((format(printf, 3, 4))) static void say(check_t *c, const char *status, const char *fmt, ...)
{
    va_list ap;
    printf("%-4s  ", status);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (strcmp(status, "FAIL") == 0)
        c->failed = 1;
    else if (strcmp(status, "warn") == 0)
        ++c->warnings;
}

static void check_region(check_t *c)
{
    rgn_registry_t reg = {0};
    char err[512];
    if (rgn_load(&reg, c->cfg.regions_file, err, sizeof(err)) != 0) {
        say(c, "FAIL", "regions file: %s", err);
        return;
    }
    const rgn_region_t *self = rgn_find(&reg, c->cfg.region);
    if (self != NULL) {
        say(c, "ok", "region %s listed in %s (%s)", c->cfg.region, c->cfg.regions_file, self->endpoint);
    } else {
        char listed[256] = "";
        size_t o = 0;
        for (size_t i = 0; i < reg.count && o < sizeof(listed); ++i)
            o += (size_t)snprintf(listed + o, sizeof(listed) - o, "%s%s", i ? ", " : "", reg.regions[i].code);
        say(c, "FAIL", "region %s is not listed in %s (it lists: %s)", c->cfg.region, c->cfg.regions_file,
            reg.count ? listed : "none");
    }
    rgn_free(&reg);
}

static void check_tls(check_t *c)
{
    char err[512], subject[256], until[32];
    gw_tls_cred_t *cred = gw_tls_cred_load(c->cfg.tls_cert_file, c->cfg.tls_key_file, err, sizeof(err));
    if (cred == NULL) {
        say(c, "FAIL", "TLS: %s", err);
        return;
    }
    gw_tls_cred_subject(cred, subject, sizeof(subject));
    say(c, "ok", "TLS certificate %s (%s) and key %s readable and matching", c->cfg.tls_cert_file, subject,
        c->cfg.tls_key_file);
    int64_t not_after = gw_tls_cred_not_after(cred), left = not_after - (int64_t)time(NULL);
    gw_format_time(not_after, until, sizeof(until));
    if (left <= 0)
        say(c, "FAIL", "TLS certificate expired at %s", until);
    else if (left < CHECK_CERT_WARN_DAYS * 86400LL)
        say(c, "warn", "TLS certificate expires within %d days, at %s: renew it, then send SIGHUP",
            CHECK_CERT_WARN_DAYS, until);
    else
        say(c, "ok", "TLS certificate valid until %s", until);
    gw_tls_cred_release(cred);
}

static void check_databases(check_t *c)
{
    const char *dsn[3] = {c->cfg.catalog_dsn, c->cfg.region_dsn, cfg_catalog_write_dsn(&c->cfg)};
    char err[1024];
    c->ndb = cfg_catalog_replicated(&c->cfg) ? 3 : 2;
    for (int i = 0; i < c->ndb; ++i) {
        PGresult *res = NULL;
        if ((c->conn[i] = db_connect(dsn[i], err, sizeof(err))) == NULL ||
            (res = db_exec(c->conn[i], DB_PING, NULL, err, sizeof(err))) == NULL)
            say(c, "FAIL", "%s database (%s) not reachable: %s", db_names[i], db_keys[i], err);
        else
            say(c, "ok", "%s database reachable (PostgreSQL %d.%d)", db_names[i],
                PQserverVersion(c->conn[i]) / 10000, PQserverVersion(c->conn[i]) % 100);
        PQclear(res);
    }
}

static void check_migrations(check_t *c)
{
    /* A region's replicated catalog carries the replica schema (sql/replica), not the primary's. */
    const db_migration_t *lists[3] = {cfg_catalog_replicated(&c->cfg) ? db_replica_migrations
                                                                      : db_catalog_migrations,
                                      db_region_migrations, db_catalog_migrations};
    char err[1024], missing[1024];
    for (int i = 0; i < c->ndb; ++i) {
        int n, total = 0;
        for (const db_migration_t *m = lists[i]; m->name != NULL; ++m)
            ++total;
        if (db_migrations_missing(c->conn[i], lists[i], &n, missing, sizeof(missing), err, sizeof(err)) != 0)
            say(c, "FAIL", "%s database: cannot read its migrations: %s", db_names[i], err);
        else if (n > 0)
            say(c, "FAIL", "%s database: %d migration%s missing: %s (run: ocrgate migrate)", db_names[i], n,
                n == 1 ? "" : "s", missing);
        else
            say(c, "ok", "%s database: migrations current (%d)", db_names[i], total);
    }
}

static void check_model(check_t *c, const char *dir, const char *lang, const char *why)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.traineddata", dir, lang);
    if (access(path, R_OK) == 0)
        say(c, "ok", "tessdata %s: %s (%s)", dir, lang, why);
    else
        say(c, "FAIL", "tessdata %s: no readable model '%s' (%s); install tesseract-ocr-%s", dir, lang, why,
            lang);
}

static void check_models(check_t *c)
{
    const char *dir = eng_ocr_tessdata_dir(c->cfg.tessdata_dir[0] ? c->cfg.tessdata_dir : NULL);
    char err[1024];
    check_model(c, dir, "eng", "the default language");
    check_model(c, dir, "osd", "autoRotate");
    PGresult *res = db_exec(c->conn[GW_DB_REGION], DB_RGN_TPL_LANGUAGES, NULL, err, sizeof(err));
    if (res == NULL) {
        say(c, "FAIL", "region database: cannot read the templates' languages: %s", err);
        return;
    }
    for (int i = 0; i < PQntuples(res); ++i) {
        const char *lang = PQgetvalue(res, i, 0);
        if (strcmp(lang, "eng") != 0)
            check_model(c, dir, lang, "named by a template");
    }
    PQclear(res);
}

int cli_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'}, {"help", no_argument, 0, 'h'}, {0}};
    static void (*const classes[])(check_t *) = {check_region, check_tls, check_databases, check_migrations,
                                                 check_models};
    const char *config = NULL;
    int o;
    optind = 1;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        if (o == 'c') {
            config = optarg;
        } else if (o == 'h') {
            printf("usage: ocrgate check [--config FILE]\n\nChecks, in order: the config, this region in the "
                   "regions file, the TLS certificate and key (a warning %d days before expiry), both "
                   "databases, "
                   "their migrations, and the tesseract models (eng, osd and every language a template "
                   "names). One line per check; exit status 1 at the first class that fails.\n",
                   CHECK_CERT_WARN_DAYS);
            return 0;
        } else {
            return cli_usage_error("check", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("check", "unexpected argument '%s'", argv[optind]);

    check_t c = {0};
    if (cli_load_config(config, &c.cfg) != 0) {
        say(&c, "FAIL", "config not valid (the reason is on stderr)");
        return CLI_EXIT_FAIL;
    }
    say(&c, "ok", "config valid");
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]) && !c.failed; ++i)
        classes[i](&c);
    for (int i = 0; i < 3; ++i)
        if (c.conn[i] != NULL)
            PQfinish(c.conn[i]);
    cfg_free(&c.cfg);
    if (c.failed) {
        printf("check failed\n");
        return CLI_EXIT_FAIL;
    }
    printf("all checks passed (%d warning%s)\n", c.warnings, c.warnings == 1 ? "" : "s");
    return 0;
}
