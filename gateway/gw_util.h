/*
 * gw_util: the gateway's leaf helpers, which call nothing else of the gateway: clocks and ISO 8601 times,
 * UUIDs, the admin-key digest, and JSON-line logging (the process log and the access log share one writer).
 * Every module may use them, and the CLI uses them without the rest of the gateway.
 *
 * Thread-agnostic and reentrant: no state but the caller's arguments (gw_log reads the server's read-only
 * config). Strings are written into the caller's buffers; nothing returned needs freeing.
 */
#ifndef OCRGATE_GW_UTIL_H
#define OCRGATE_GW_UTIL_H

#include "config/cfg_log.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gw_server gw_server_t;

/* Wall clock plus the server's testing offset, epoch seconds. */
int64_t gw_now(const gw_server_t *server);
uint64_t gw_monotonic_ns(void);
/* Parses an ISO 8601 UTC time such as 2026-01-31T12:00:00Z (fractional seconds allowed, dropped); 0 or -1. */
__attribute__((warn_unused_result)) int gw_parse_time(const char *s, int64_t *epoch);
/* ISO 8601 UTC with Z; `len` at least 21. */
void gw_format_time(int64_t epoch, char *buf, size_t len);
/* The hourly quota window of API.md: the UTC clock hour. Start of the window holding `now`. */
#define GW_QUOTA_WINDOW 3600
int64_t gw_quota_window_start(int64_t now);

/* Lower-cases a canonical 8-4-4-4-12 UUID into out (37 bytes); -1 when it is not one. */
__attribute__((warn_unused_result)) int gw_uuid_parse(const char *s, size_t len, char out[37]);
/* A new random (version 4) UUID, lower case. */
void gw_uuid_new(char out[37]);
/* The hex SHA-256 of an admin key (65 bytes with NUL). */
void gw_admin_key_hash(const char *key, size_t len, char hex[65]);
/* A new admin key ("ocg_" + 64 hex digits of kernel randomness, NUL-terminated) and its hex SHA-256; -1 when
 * no randomness is available. Used by `ocrgate license` and by POST /v1/license/admin-key. */
#define GW_ADMIN_KEY_LEN 68
__attribute__((warn_unused_result)) int gw_admin_key_new(char key[GW_ADMIN_KEY_LEN + 1], char hash[65]);

/* How every JSON document of the gateway is encoded (see cfg_log.h). */
#define GW_JSON_FLAGS CFG_JSON_FLAGS
/* `v` rounded half away from zero to `decimals` (0..6) places, for figures shown to people. */
double gw_round_to(double v, int decimals);

/* The process log on stderr: {"time","level","msg"} when `level` (error, warn, info, debug) is within the
 * configured log_level. */
void gw_log(gw_server_t *s, const char *level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
