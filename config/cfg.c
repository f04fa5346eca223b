#include "config/cfg.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum { CFG_STR, CFG_INT, CFG_BOOL, CFG_BYTES } cfg_type_t;

typedef struct {
    const char *name;
    cfg_type_t type;
    size_t offset;
    const char *def;
    long long min, max; /* for numbers */
    const char *doc;
} cfg_key_t;

#define K(n, t, d, lo, hi, doc)                                                                              \
    {                                                                                                        \
#n, t, offsetof(cfg_t, n), d, lo, hi, doc                                                            \
    }
static const cfg_key_t cfg_keys[] = {
    K(region, CFG_STR, "US", 0, 0,
      "processing region this node serves (upper-case code listed in regions_file)"),
    K(regions_file, CFG_STR, "/etc/ocrgate/regions.conf", 0, 0,
      "file listing every region: one `CODE https://endpoint` line each"),
    K(listen_address, CFG_STR, "0.0.0.0", 0, 0, "address the HTTPS and plain-HTTP listeners bind to"),
    K(https_port, CFG_INT, "8443", 1, 65535, "TLS listener port"),
    K(http_port, CFG_INT, "0", 0, 65535, "plain-HTTP listener that answers 403 HttpsRequired; 0 = off"),
    K(tls_cert_file, CFG_STR, "/etc/ocrgate/tls/cert.pem", 0, 0, "PEM certificate chain"),
    K(tls_key_file, CFG_STR, "/etc/ocrgate/tls/key.pem", 0, 0, "PEM private key"),
    K(catalog_dsn, CFG_STR, "dbname=ocrgate_catalog", 0, 0,
      "libpq connection string of the catalog this node reads: its region's replica when the catalog is "
      "replicated, else the catalog itself"),
    K(catalog_primary_dsn, CFG_STR, "", 0, 0,
      "libpq connection string of the catalog primary: catalog writes (CLI, admin API, portal) go there and "
      "`migrate` subscribes this region's replica to it; empty = catalog_dsn is the primary (no "
      "replication)"),
    K(catalog_publisher_dsn, CFG_STR, "", 0, 0,
      "connection string the region cluster itself uses to reach the primary for its subscription, when it "
      "differs from this node's view; empty = catalog_primary_dsn"),
    K(catalog_lag_threshold_s, CFG_INT, "60", 1, 86400,
      "/v1/health says catalog \"lagging\" once the replica has heard nothing from the primary for longer; "
      "keep "
      "it above half the region cluster's wal_receiver_timeout (the idle keepalive interval: 30 s by "
      "default)"),
    K(region_dsn, CFG_STR, "dbname=ocrgate_region", 0, 0,
      "libpq connection string of this region's database"),
    K(event_loop_threads, CFG_INT, "0", 0, 64, "HTTP event-loop threads; 0 = one per core, at most 4"),
    K(engine_workers, CFG_INT, "0", 0, 256, "OCR worker threads; 0 = one per core"),
    K(max_request_body, CFG_BYTES, "100MB", 1024, 1LL << 34,
      "largest request body accepted (plain-text 413 and close above); set it to the largest tier's "
      "max-file-bytes plus 64kB (times 4/3 plus 64kB where POST /v1/processes carries documents in base64): "
      "h2o "
      "buffers every body up to it before anyone is authenticated"),
    K(request_timeout_ms, CFG_INT, "60000", 100, 3600000,
      "time allowed for a request's headers and body; also the keep-alive idle timeout"),
    K(http2, CFG_BOOL, "off", 0, 0, "offer HTTP/2 by ALPN (the packaged h2o lacks the rapid-reset fix)"),
    K(log_level, CFG_STR, "info", 0, 0, "error, warn, info or debug"),
    K(access_log, CFG_STR, "-", 0, 0, "access log file (one JSON line per request); - = stderr, empty = off"),
    K(db_connections, CFG_INT, "4", 1, 64, "database connections per event-loop thread and database"),
    K(health_interval_ms, CFG_INT, "1000", 100, 60000, "how often /v1/health re-checks the databases"),
    K(shutdown_timeout_ms, CFG_INT, "30000", 0, 600000, "longest wait for in-flight work on SIGTERM"),
    K(auth_cache_ttl_s, CFG_INT, "60", 0, 86400, "seconds a verified credential stays cached"),
    K(auth_negative_ttl_s, CFG_INT, "10", 0, 3600, "seconds an unknown credential stays cached"),
    K(auth_cache_max, CFG_INT, "100000", 16, 10000000, "most entries in each loop thread's credential cache"),
    K(max_connections, CFG_INT, "4096", 1, 1000000,
      "client connections open on this node at once; more are closed at accept (keep under the descriptor "
      "limit)"),
    K(max_connections_per_address, CFG_INT, "128", 1, 1000000,
      "client connections one address (an IPv6 /64) may hold open; more are closed at accept"),
    K(unauthenticated_body_limit, CFG_BYTES, "64kB", 0, 1LL << 34,
      "largest body of a request without credential headers (401 and close above; the body was still read)"),
    K(unknown_lookups_per_address, CFG_INT, "20", 0, 1000000,
      "catalog look-ups that find no such credentials one address may cause per second (503 above); 0 = no "
      "cap"),
    K(tessdata_dir, CFG_STR, "", 0, 0, "tesseract model directory; empty = the package default"),
    K(node_id, CFG_STR, "", 0, 0,
      "this node's name in job leases; must be unique in the region and stable across restarts; empty = "
      "host:port"),
    K(metrics_port, CFG_INT, "0", 0, 65535,
      "Prometheus GET /metrics on 127.0.0.1 at this port (plain HTTP); 0 = off"),
    K(queue_poll_ms, CFG_INT, "500", 50, 60000,
      "how often idle workers look for work no notification woke them for"),
    K(sweep_interval_ms, CFG_INT, "30000", 100, 3600000,
      "how often jobs past retention are purged (expired leases are re-queued every half job_lease_s)"),
    K(job_lease_s, CFG_INT, "10", 1, 3600,
      "seconds a worker's lease on a job or a page lasts unrenewed; the node renews it every third of that "
      "while it works, so a dead node's pages are taken over after about one and a half of it"),
    K(webhook_threads, CFG_INT, "2", 0, 64,
      "webhook delivery threads (each sends one message at a time, with its own database connection); 0 = "
      "this node delivers none"),
    K(webhook_poll_ms, CFG_INT, "1000", 50, 60000,
      "how often idle delivery threads look for retries that fell due (new messages wake them at once)"),
    K(webhook_first_retry_ms, CFG_INT, "5000", 10, 3600000,
      "delay before a failed webhook's first retry; the later ones (5 min, 30 min, 2 h, 5 h, 10 h, 10 h at "
      "the default) keep their ratio to it"),
    K(webhook_allow_http, CFG_BOOL, "off", 0, 0, "accept plain-http webhook targets (https only when off)"),
    K(webhook_allow_private, CFG_BOOL, "off", 0, 0,
      "send webhooks to loopback, private and link-local addresses (the cloud metadata address included); "
      "keep off unless every receiver is trusted"),
    K(ocrjobs_prefix, CFG_STR, "/ocrjobs", 0, 0,
      "path the ownOCR Server compatible API is served under (one or more segments); empty = not served"),
    K(sync_timeout_ms, CFG_INT, "30000", 1000, 600000,
      "longest wait of a synchronous POST /processing/{workflow} for its job; then 202 with Location"),
    K(sync_max_pages, CFG_INT, "10", 1, 1000,
      "most pages a synchronous POST /processing/{workflow} waits for (also at most the tier's max-pages); a "
      "longer document is answered 202 at once and runs on"),
    K(test_clock_offset_s, CFG_INT, "0", -86400, 86400,
      "TESTING ONLY: seconds added to the clock used for quota windows; keep 0 in production"),
};
#undef K
#define CFG_NKEYS (sizeof(cfg_keys) / sizeof(cfg_keys[0]))

static int parse_bool(const char *v, int *out)
{
    static const char *const yes[] = {"on", "true", "yes", "1"}, *const no[] = {"off", "false", "no", "0"};
    for (size_t i = 0; i < 4; ++i) {
        if (strcasecmp(v, yes[i]) == 0)
            return *out = 1, 0;
        if (strcasecmp(v, no[i]) == 0)
            return *out = 0, 0;
    }
    return -1;
}

static int parse_number(const char *v, int bytes, long long *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (end == v || errno != 0)
        return -1;
    if (bytes) {
        static const struct {
            const char *suffix;
            long long mul;
        } units[] = {
            {"", 1}, {"B", 1}, {"kB", 1024}, {"KB", 1024}, {"MB", 1024 * 1024}, {"GB", 1024LL * 1024 * 1024}};
        size_t i;
        for (i = 0; i < sizeof(units) / sizeof(units[0]); ++i)
            if (strcmp(end, units[i].suffix) == 0)
                break;
        if (i == sizeof(units) / sizeof(units[0]) || n > LLONG_MAX / units[i].mul)
            return -1;
        n *= units[i].mul;
    } else if (*end != '\0') {
        return -1;
    }
    *out = n;
    return 0;
}

static int set_key(cfg_t *cfg, const cfg_key_t *k, const char *value, const char *where, char *err,
                   size_t errlen)
{
    void *field = (char *)cfg + k->offset;
    long long n;
    int b;
    switch (k->type) {
    case CFG_STR:
        free(*(char **)field);
        *(char **)field = strdup(value);
        return 0;
    case CFG_BOOL:
        if (parse_bool(value, &b) != 0) {
            snprintf(err, errlen, "%s: %s must be on or off, not '%s'", where, k->name, value);
            return -1;
        }
        *(int *)field = b;
        return 0;
    case CFG_INT:
    case CFG_BYTES:
        if (parse_number(value, k->type == CFG_BYTES, &n) != 0 || n < k->min || n > k->max) {
            snprintf(err, errlen, "%s: %s must be %s from %lld to %lld, not '%s'", where, k->name,
                     k->type == CFG_BYTES ? "a byte number (suffix B, kB, MB or GB)" : "an integer", k->min,
                     k->max, value);
            return -1;
        }
        if (k->type == CFG_INT)
            *(int *)field = (int)n;
        else
            *(long long *)field = n;
        return 0;
    }
    return -1;
}

static const cfg_key_t *find_key(const char *name)
{
    for (size_t i = 0; i < CFG_NKEYS; ++i)
        if (strcmp(cfg_keys[i].name, name) == 0)
            return &cfg_keys[i];
    return NULL;
}

void cfg_defaults(cfg_t *cfg)
{
    char err[256];
    memset(cfg, 0, sizeof(*cfg));
    for (size_t i = 0; i < CFG_NKEYS; ++i)
        if (set_key(cfg, &cfg_keys[i], cfg_keys[i].def, "default", err, sizeof(err)) != 0)
            abort(); /* a bad default is a programming error */
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        ++s;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

int cfg_parse_text(cfg_t *cfg, const char *name, const char *text, char *err, size_t errlen)
{
    char *copy = strdup(text), *save = NULL, *line;
    int lineno = 0, ret = -1;
    /* strtok_r would skip empty lines and so miscount them: split by hand. */
    for (line = copy; line != NULL; line = save) {
        char where[512];
        save = strchr(line, '\n');
        if (save != NULL)
            *save++ = '\0';
        ++lineno;
        char *hash = strchr(line, '#');
        if (hash != NULL)
            *hash = '\0';
        char *l = trim(line);
        if (*l == '\0')
            continue;
        snprintf(where, sizeof(where), "%s:%d", name, lineno);
        char *eq = strchr(l, '=');
        if (eq == NULL) {
            snprintf(err, errlen, "%s: expected 'key = value', got '%.80s'", where, l);
            goto Exit;
        }
        *eq = '\0';
        char *key = trim(l), *value = trim(eq + 1);
        size_t vlen = strlen(value);
        if (vlen >= 2 && value[0] == '\'' && value[vlen - 1] == '\'') {
            value[vlen - 1] = '\0';
            ++value;
        }
        const cfg_key_t *k = find_key(key);
        if (k == NULL) {
            snprintf(err, errlen, "%s: unknown key '%.80s'", where, key);
            goto Exit;
        }
        if (set_key(cfg, k, value, where, err, errlen) != 0)
            goto Exit;
    }
    ret = 0;
Exit:
    free(copy);
    return ret;
}

int cfg_load(cfg_t *cfg, const char *path, char *err, size_t errlen)
{
    cfg_defaults(cfg);
    if (path != NULL) {
        FILE *f = fopen(path, "r");
        if (f == NULL) {
            snprintf(err, errlen, "%s: cannot open config file: %s", path, strerror(errno));
            return -1;
        }
        char *text = NULL;
        size_t cap = 0;
        ssize_t n = getdelim(&text, &cap, '\0', f);
        fclose(f);
        if (n < 0) { /* an empty file */
            free(text);
            text = strdup("");
        }
        int r = cfg_parse_text(cfg, path, text, err, errlen);
        free(text);
        if (r != 0)
            return -1;
    }
    for (size_t i = 0; i < CFG_NKEYS; ++i) {
        char env[128], where[160];
        snprintf(env, sizeof(env), "OCRGATE_");
        for (size_t j = 0; cfg_keys[i].name[j] != '\0' && j + 9 < sizeof(env); ++j) {
            env[8 + j] = (char)toupper((unsigned char)cfg_keys[i].name[j]);
            env[9 + j] = '\0';
        }
        const char *v = getenv(env);
        if (v == NULL)
            continue;
        snprintf(where, sizeof(where), "environment %s", env);
        if (set_key(cfg, &cfg_keys[i], v, where, err, errlen) != 0)
            return -1;
    }
    return 0;
}

void cfg_free(cfg_t *cfg)
{
    for (size_t i = 0; i < CFG_NKEYS; ++i)
        if (cfg_keys[i].type == CFG_STR) {
            char **p = (char **)((char *)cfg + cfg_keys[i].offset);
            free(*p);
            *p = NULL;
        }
}

void cfg_print_keys(FILE *out, int as_example_file)
{
    static const char *const type_names[] = {"string", "integer", "on|off", "bytes"};
    for (size_t i = 0; i < CFG_NKEYS; ++i) {
        const cfg_key_t *k = &cfg_keys[i];
        if (as_example_file)
            fprintf(out, "# %s (%s)\n#%s = %s\n\n", k->doc, type_names[k->type], k->name,
                    k->type == CFG_STR ? (k->def[0] ? k->def : "''") : k->def);
        else
            fprintf(out, "  %-22s %-8s default %-28s %s\n", k->name, type_names[k->type],
                    k->def[0] ? k->def : "''", k->doc);
    }
}

const char *cfg_catalog_write_dsn(const cfg_t *cfg)
{
    return cfg->catalog_primary_dsn[0] != '\0' ? cfg->catalog_primary_dsn : cfg->catalog_dsn;
}

int cfg_catalog_replicated(const cfg_t *cfg)
{
    return cfg->catalog_primary_dsn[0] != '\0' && strcmp(cfg->catalog_primary_dsn, cfg->catalog_dsn) != 0;
}

int cfg_loop_threads(const cfg_t *cfg)
{
    if (cfg->event_loop_threads > 0)
        return cfg->event_loop_threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 4 ? 4 : (int)n;
}

int cfg_engine_workers(const cfg_t *cfg)
{
    if (cfg->engine_workers > 0)
        return cfg->engine_workers;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (int)n;
}
