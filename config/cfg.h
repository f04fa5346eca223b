/*
 * cfg: the node's configuration.
 *
 * One table row per key (name, type, default, one-line doc) drives parsing, `--help` output and the example
 * file. A file holds `key = value` lines with `#` comments (postgresql.conf style); an environment variable
 * OCRGATE_<KEY> (upper case) overrides the file. Loaded once on the main thread before any other thread
 * starts; afterwards read-only and shared by every thread. Strings belong to the cfg_t (cfg_free).
 */
#ifndef OCRGATE_CFG_H
#define OCRGATE_CFG_H

#include <stddef.h>
#include <stdio.h>

typedef struct cfg {
    char *region;
    char *regions_file;
    char *listen_address;
    int https_port;
    int http_port;
    char *tls_cert_file;
    char *tls_key_file;
    char *catalog_dsn;
    char *catalog_primary_dsn;
    char *catalog_publisher_dsn;
    int catalog_lag_threshold_s;
    char *region_dsn;
    int event_loop_threads;
    int engine_workers;
    long long max_request_body;
    int request_timeout_ms;
    int http2;
    char *log_level;
    char *access_log;
    int db_connections;
    int health_interval_ms;
    int shutdown_timeout_ms;
    int auth_cache_ttl_s;
    int auth_negative_ttl_s;
    int auth_cache_max;
    int max_connections;
    int max_connections_per_address;
    long long unauthenticated_body_limit;
    int unknown_lookups_per_address;
    char *tessdata_dir;
    int test_clock_offset_s;
    char *node_id;
    int queue_poll_ms;
    int metrics_port;
    int sweep_interval_ms;
    int job_lease_s;
    int webhook_threads;
    int webhook_poll_ms;
    int webhook_first_retry_ms;
    int webhook_allow_http;
    int webhook_allow_private;
    char *ocrjobs_prefix;
    int sync_timeout_ms;
    int sync_max_pages;
} cfg_t;

#define CFG_DEFAULT_PATH "/etc/ocrgate/ocrgate.conf"

/* Fills every key with its default. */
void cfg_defaults(cfg_t *cfg);
/* Reads `path` (NULL: defaults only) then the environment. On error returns -1 with a sentence naming file,
 * line and key in err. */
__attribute__((warn_unused_result)) int cfg_load(cfg_t *cfg, const char *path, char *err, size_t errlen);
/* Parses config text (for tests); `name` is used in error messages. */
__attribute__((warn_unused_result)) int cfg_parse_text(cfg_t *cfg, const char *name, const char *text,
                                                       char *err, size_t errlen);
void cfg_free(cfg_t *cfg);
/* Writes every key with its type, default and doc: for `--help` and config/ocrgate.example.conf. */
void cfg_print_keys(FILE *out, int as_example_file);
/* Where catalog writes go: catalog_primary_dsn, or catalog_dsn when that is empty. */
const char *cfg_catalog_write_dsn(const cfg_t *cfg);
/* Non-zero when catalog_dsn is a replica of a distinct primary (a region cluster subscribing to it). */
int cfg_catalog_replicated(const cfg_t *cfg);
/* Effective number of loop threads / workers after resolving 0 = automatic. */
int cfg_loop_threads(const cfg_t *cfg);
int cfg_engine_workers(const cfg_t *cfg);

#endif
