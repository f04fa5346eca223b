/*
 * gw_options: the job options of API.md (the Options table), parsed from a query string, a JSON body or the
 * `options` part of a multipart upload, checked against the caller's tier and the installed languages, and
 * normalized into one JSON object that holds every option (defaults filled in, keys in the table's order,
 * `outputs` in canonical order). That object is what jobs and templates store and what the job object shows.
 *
 * The options themselves (names, kinds, defaults, ranges) are the rows of jobs/job_opts.h; this module is
 * their parser and checker.
 *
 * Pure and thread-agnostic: no I/O, no globals. Every json_t the functions return is new and owned by the
 * caller (json_decref). On failure nothing is returned and the error (gw_opt_error_t) is filled in; its
 * `details` array is owned by the error and released by gw_opt_error_clear (or handed over to the response by
 * setting it to NULL after taking it).
 *
 * A `base` object is the starting point (a template's options on POST /v1/jobs?template=, a job's or
 * template's current options on PATCH): given keys override it, missing keys keep the base's value, and JSON
 * null resets a key to its default. Base values are trusted (they were checked when stored); only known keys
 * of the base are copied and a missing or null one takes the default.
 */
#ifndef OCRGATE_GW_OPTIONS_H
#define OCRGATE_GW_OPTIONS_H

#include <stddef.h>

#include <jansson.h>

#include "gateway/gw_query.h"
#include "jobs/job_opts.h"

#define GW_OPT_MAX_LANGUAGES JOB_OPT_MAX_LANGUAGES /* parts in "eng+deu+..." */
#define GW_OPT_MAX_STRING JOB_OPT_MAX_STRING       /* bytes of UTF-8 in correlationId, description, pdf* */

typedef struct {
    int max_retention_days;  /* the tier's maximum; retentionDays must be 1..this, default min(7, this) */
    int max_page_timeout_ms; /* the tier's page timeout: pageTimeoutMs must be 1..this; default = this */
    const char *const *languages; /* installed tesseract languages (without "osd") */
    size_t nlanguages;
} gw_opt_limits_t;

typedef struct {
    int status;        /* 400 (500 "InternalError" only when memory runs out) */
    const char *code;  /* "UnrecognizedInput" | "InvalidInput" | "MalformedJson" | "MissingInput" (static) */
    char message[256]; /* one sentence naming the (first) field; for the response's "message" */
    json_t *details;   /* errorDetails [{"field", "message"}, ...] per bad or unknown key, or NULL; owned */
} gw_opt_error_t;

/* From a query string parsed by gw_query_parse. Keys listed in `skip` (NULL-terminated, may be NULL; e.g.
 * "template") are not options and are ignored. Arrays are comma-separated, booleans exactly true/false,
 * integers plain decimal; an empty value is InvalidInput. `err` need not be initialized; it is written only
 * on failure. */
__attribute__((warn_unused_result)) int gw_options_from_query(const gw_query_t *q, const char *const *skip,
                                                              const json_t *base, const gw_opt_limits_t *lim,
                                                              json_t **out, gw_opt_error_t *err);
/* From JSON text (a request body or a multipart `options` part). Keys listed in `extra` (NULL-terminated, may
 * be NULL; e.g. "name" for templates) are allowed besides the options and, when extra_out is not NULL, copied
 * unchecked into a new object *extra_out (empty when none was given). Empty text is MissingInput; text that
 * is not JSON, or JSON that is not an object, is MalformedJson. Duplicate keys are MalformedJson. */
__attribute__((warn_unused_result)) int gw_options_from_json(const char *text, size_t len,
                                                             const char *const *extra, const json_t *base,
                                                             const gw_opt_limits_t *lim, json_t **out,
                                                             json_t **extra_out, gw_opt_error_t *err);
/* The same from an already-parsed JSON value (MalformedJson when it is not an object). */
__attribute__((warn_unused_result)) int gw_options_from_object(const json_t *obj, const char *const *extra,
                                                               const json_t *base, const gw_opt_limits_t *lim,
                                                               json_t **out, json_t **extra_out,
                                                               gw_opt_error_t *err);
/* Every option at its default, as a new object (NULL only when memory runs out). */
json_t *gw_options_defaults(const gw_opt_limits_t *lim);
/* Releases err->details; safe to call twice and on a zeroed struct. */
void gw_opt_error_clear(gw_opt_error_t *err);

#endif
