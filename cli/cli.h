/*
 * cli: the `ocrgate` command line. main.c holds the subcommand table and the shared option handling; each
 * command runs on the main thread and may block (it is not the server).
 */
#ifndef OCRGATE_CLI_H
#define OCRGATE_CLI_H

#include "config/cfg.h"
#include "sql/db_migrations.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    const char *usage;
} cli_command_t;

/* Exit codes: 0 success, 1 failure at run time, 2 wrong usage. */
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

/* Prints "ocrgate CMD: <reason>" and the usage hint; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Loads the config named by --config (or $OCRGATE_CONFIG, else the default path). */
int cli_load_config(const char *path, cfg_t *cfg);

int cli_tier(int argc, char **argv);
int cli_license(int argc, char **argv);
int cli_app(int argc, char **argv);
int cli_check(int argc, char **argv); /* cli_check.c */
int cli_ocr(int argc, char **argv);   /* cli_ocr.c: the API client */

/* cli_region.c: `ocrgate region add|list`, and the steps of `ocrgate migrate`. */
int cli_region(int argc, char **argv);
/* Applies one migration list to the database at dsn and prints how many were new; 0 or -1 (printed). */
int cli_migrate_one(const char *what, const char *dsn, const db_migration_t *list);
/* The catalog replica of this node's region cluster: its schema (on catalog_dsn), the region's replication
 * slot on the primary and the subscription to the primary's publication. Idempotent; 0 or -1 (printed). */
int cli_catalog_subscribe(const cfg_t *cfg);

#endif
