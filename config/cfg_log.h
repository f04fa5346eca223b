/*
 * cfg_log: the one JSON-line log writer of every room (the gateway's process and access logs, the job
 * runner's log). A line is one compact JSON object written with one write(2), so that lines of several
 * threads never interleave. It lives in the base library, beside the config that names the log level, so that
 * rooms which may not call each other (gateway/, jobs/) share it. Any thread; nothing is kept.
 */
#ifndef OCRGATE_CFG_LOG_H
#define OCRGATE_CFG_LOG_H

#include <jansson.h>
#include <stdarg.h>

/* How every JSON document is encoded: compact, ASCII, and reals with at most 15 significant digits, so that a
 * value rounded to a decimal (96.3) prints as that decimal, not as 96.299999999999997. */
#define CFG_JSON_FLAGS (JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(15))

/* Writes `line` (stolen; NULL is ignored) as one JSON line to fd. Lines longer than 4 KB are dropped rather
 * than cut. */
void cfg_log_line(int fd, json_t *line);
/* A process-log line on stderr, {"time","level",["component",]"msg"}, when `level` (error, warn, info, debug)
 * is within `threshold` (the log_level key; NULL: every level). `component` may be NULL. */
void cfg_logv(const char *threshold, const char *level, const char *component, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

#endif
