/*
 * cli: the `ocrgate` command line. main.c holds the subcommand table and the shared option handling; each
 * command runs on the main thread and may block (it is not the server).
 */
#ifndef OCRGATE_CLI_H
#define OCRGATE_CLI_H

#include "config/cfg.h"

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

#endif
