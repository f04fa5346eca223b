/*
 * gw_opt_value: one job option value, checked against its row of jobs/job_opts.h and the caller's tier, and
 * normalized; the parts of the options parser (gw_options.c) below the entry points. Problems are collected
 * in a problems_t so that a client learns about every bad field at once. Internal to gw_options.c (names with
 * a double underscore).
 *
 * Pure: any thread. Returned json_t are new references the caller owns; NULL means the problem was recorded.
 */
#ifndef OCRGATE_GW_OPT_VALUE_H
#define OCRGATE_GW_OPT_VALUE_H

#include <stddef.h>

#include <jansson.h>

#include "gateway/gw_options.h"
#include "jobs/job_opts.h"

typedef struct {
    json_t *details; /* errorDetails, owned */
    size_t count;
    int oom;
    char first[256]; /* the first problem's sentence */
} problems_t;

__attribute__((format(printf, 3, 4))) void gw__opt_problem(problems_t *p, const char *field, const char *fmt,
                                                           ...);
/* Copies client-supplied text into a message: at most cap - 4 bytes (then "..."), anything but printable
 * ASCII as '?'. Returns dst. */
const char *gw__opt_echo(char *dst, size_t cap, const char *s, size_t len);
int gw__opt_in_list(const char *const *list, const char *s);
/* The option's default (capped by the tier where it has a tier limit). */
json_t *gw__opt_default(const job_opt_row_t *row, const gw_opt_limits_t *lim);
/* Checks one given, non-null value; its normalized copy, or NULL after recording the problem. */
json_t *gw__opt_check(const job_opt_row_t *row, const json_t *v, const gw_opt_limits_t *lim, problems_t *p);
/* The JSON value a query-string value stands for, or NULL after recording why it cannot be one. */
json_t *gw__opt_from_text(const job_opt_row_t *row, const char *s, const gw_opt_limits_t *lim, problems_t *p);

#endif
