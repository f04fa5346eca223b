/*
 * cli_catalog: what the catalog commands (cli_admin.c: tier, license; cli_app.c: app) share: their options,
 * the per-action context, the action tables' dispatcher, argument checks, the audited change and the
 * printers. Main thread; every command may block. A cli_ctx_t lives on the dispatcher's stack for one action;
 * results of cli__change and cli__query are the caller's (PQclear).
 */
#ifndef OCRGATE_CLI_CATALOG_H
#define OCRGATE_CLI_CATALOG_H

#include "cli/cli.h"
#include "sql/db.h"

#include <jansson.h>

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
    O_CONCURRENT,
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

typedef struct {
    const char *cmd; /* "tier create" */
    const char *v[O_COUNT];
    int json;
    cfg_t cfg;
    PGconn *conn;
} cli_ctx_t;

typedef struct {
    const char *action;
    int (*run)(cli_ctx_t *c);
    int allowed[12];
    int required[4];
    const char *usage;
} action_t;

int cli__check_number(cli_ctx_t *c, int id, const char *what, long long lo, long long hi);
int cli__check_uuid(cli_ctx_t *c, int id, const char *what);
int cli__check_region(cli_ctx_t *c);
PGresult *cli__change(cli_ctx_t *c, db_stmt_id_t id, const char *const *params);
PGresult *cli__query(cli_ctx_t *c, db_stmt_id_t id, const char *const *params);
void cli__print_json(json_t *j);
void cli__print_rows(cli_ctx_t *c, PGresult *res, const char *const *names, const int *numeric);
int cli__not_found(cli_ctx_t *c, PGresult *res, const char *what);
int cli__dispatch(const char *group, const action_t *actions, size_t n, int argc, char **argv);

#endif
