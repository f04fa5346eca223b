#include "config/cfg.h"
#include "tests/unit/tap.h"

#define CFG_EXAMPLE_HEADER                                                                                   \
    "# ocrgate configuration. Every key with its type, default and meaning; uncomment to change.\n"          \
    "# Format: key = value, # starts a comment. OCRGATE_<KEY> environment variables override this file.\n\n"

#include <stdlib.h>
#include <unistd.h>

static void parses_file_text(void)
{
    cfg_t c;
    char err[256] = "";
    cfg_defaults(&c);
    int r = cfg_parse_text(
        &c, "t.conf",
        "# comment\n\nregion = EU   # trailing\nhttps_port=9443\nhttp2 = on\nmax_request_body = 2MB\n"
        "catalog_dsn = 'host=/tmp dbname=x'\n",
        err, sizeof(err));
    is_int(r, 0, "valid file parses");
    is_str(c.region, "EU", "string value with trailing comment");
    is_int(c.https_port, 9443, "integer value");
    is_int(c.http2, 1, "boolean on");
    is_int(c.max_request_body, 2 * 1024 * 1024, "byte size with unit");
    is_str(c.catalog_dsn, "host=/tmp dbname=x", "single quotes are stripped");
    is_int(c.http_port, 0, "unset key keeps its default");
    cfg_free(&c);
}

static void errors_name_file_line_and_key(void)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"region = US\nhttps_port = 99999\n",
         "t.conf:2: https_port must be an integer from 1 to 65535, not '99999'"},
        {"bogus = 1\n", "t.conf:1: unknown key 'bogus'"},
        {"\n\nregion US\n", "t.conf:3: expected 'key = value', got 'region US'"},
        {"http2 = maybe\n", "t.conf:1: http2 must be on or off, not 'maybe'"},
        {"max_request_body = 10XB\n", "t.conf:1: max_request_body must be a byte number (suffix B, kB, MB or "
                                      "GB) from 1024 to 17179869184, not '10XB'"},
        {"engine_workers = 3x\n", "t.conf:1: engine_workers must be an integer from 0 to 256, not '3x'"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        cfg_t c;
        char err[256] = "";
        cfg_defaults(&c);
        is_int(cfg_parse_text(&c, "t.conf", cases[i].text, err, sizeof(err)), -1, "bad file is refused");
        is_str(err, cases[i].want, "error names file, line and key");
        cfg_free(&c);
    }
}

static void environment_overrides_file(void)
{
    cfg_t c;
    char err[256] = "", path[] = "/tmp/ocrgate-cfg-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fputs("region = EU\nhttps_port = 9000\n", f);
    fclose(f);
    setenv("OCRGATE_HTTPS_PORT", "9100", 1);
    is_int(cfg_load(&c, path, err, sizeof(err)), 0, "file loads");
    is_int(c.https_port, 9100, "OCRGATE_HTTPS_PORT overrides the file");
    is_str(c.region, "EU", "file value kept where no variable is set");
    cfg_free(&c);
    setenv("OCRGATE_HTTPS_PORT", "nope", 1);
    is_int(cfg_load(&c, path, err, sizeof(err)), -1, "bad environment value is refused");
    is_str(err, "environment OCRGATE_HTTPS_PORT: https_port must be an integer from 1 to 65535, not 'nope'",
           "error names the variable");
    cfg_free(&c);
    unsetenv("OCRGATE_HTTPS_PORT");
    is_int(cfg_load(&c, "/nonexistent/ocrgate.conf", err, sizeof(err)), -1, "missing file is an error");
    ok(strstr(err, "/nonexistent/ocrgate.conf") != NULL, "error names the missing file");
    cfg_free(&c);
    unlink(path);
}

/* config/ocrgate.example.conf is generated from the key table; this keeps the two from drifting apart.
 * Regenerate with: OCRGATE_WRITE_EXAMPLE=1 build/tests/unit.config config/ocrgate.example.conf */
static void example_file_matches_table(const char *path)
{
    char *want = NULL, *have = NULL;
    size_t wlen = 0, hlen = 0;
    FILE *m = open_memstream(&want, &wlen);
    fputs(CFG_EXAMPLE_HEADER, m);
    cfg_print_keys(m, 1);
    fclose(m);
    if (getenv("OCRGATE_WRITE_EXAMPLE") != NULL) {
        FILE *w = fopen(path, "w");
        fwrite(want, 1, wlen, w);
        fclose(w);
    }
    FILE *f = fopen(path, "r");
    ok(f != NULL, "example config exists");
    if (f != NULL) {
        size_t cap = 0;
        ssize_t n = getdelim(&have, &cap, '\0', f);
        hlen = n > 0 ? (size_t)n : 0;
        fclose(f);
    }
    ok(have != NULL && hlen == wlen && memcmp(have, want, wlen) == 0,
       "example config lists every key with its default");
    cfg_t c;
    char err[256];
    ok(have != NULL && cfg_load(&c, path, err, sizeof(err)) == 0, "example config loads");
    cfg_free(&c);
    free(want);
    free(have);
}

static void catalog_roles(void)
{
    cfg_t c;
    char err[256];
    cfg_defaults(&c);
    ok(cfg_parse_text(&c, "t", "catalog_dsn = 'dbname=a'\n", err, sizeof(err)) == 0, "one catalog parses");
    is_str(cfg_catalog_write_dsn(&c), "dbname=a", "without a primary, writes go to catalog_dsn");
    ok(!cfg_catalog_replicated(&c), "not replicated");
    cfg_free(&c);
    cfg_defaults(&c);
    ok(cfg_parse_text(&c, "t", "catalog_dsn = 'port=2 dbname=a'\ncatalog_primary_dsn = 'port=1 dbname=a'\n",
                      err, sizeof(err)) == 0,
       "replica and primary parse");
    is_str(cfg_catalog_write_dsn(&c), "port=1 dbname=a", "writes go to the primary");
    ok(cfg_catalog_replicated(&c), "replicated");
    cfg_free(&c);
    cfg_defaults(&c);
    ok(cfg_parse_text(&c, "t", "catalog_dsn = 'dbname=a'\ncatalog_primary_dsn = 'dbname=a'\n", err,
                      sizeof(err)) == 0 &&
           !cfg_catalog_replicated(&c),
       "a primary equal to catalog_dsn is no replication");
    cfg_free(&c);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        example_file_matches_table(argv[1]);
    parses_file_text();
    errors_name_file_line_and_key();
    environment_overrides_file();
    catalog_roles();
    return done_testing();
}
