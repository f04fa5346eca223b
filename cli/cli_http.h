/*
 * cli_http: the HTTPS session of `ocrgate ocr`, one libcurl easy handle per thread that uses it. It sends the
 * tenant credentials on every call and owns the retry policy, so that every call the client makes behaves
 * the same way: 429 waits for Retry-After (within the caller's budget), 503 and connection errors are retried
 * with a bounded exponential backoff, and everything else is handed back to the caller as an answer.
 *
 * Blocking, by design: the client is not an event loop. A cli_http_t belongs to the thread that created it;
 * several threads use several sessions. The answer's body belongs to the caller (cli_http_resp_free).
 */
#ifndef OCRGATE_CLI_HTTP_H
#define OCRGATE_CLI_HTTP_H

#include <stddef.h>
#include <stdint.h>

typedef struct cli_http cli_http_t;

/* What the session needs to know; the strings must outlive the session. */
typedef struct {
    const char *license_id, *app_id;
    const char *cacert;  /* CA bundle file, NULL: the system's store */
    double quota_wait_s; /* longest total wait for quota windows per call; 0: give up at the first 429 */
    double unavailable_wait_s; /* give up once 503s or connection errors have lasted this long */
    int64_t max_send_speed;    /* bytes/s for uploads, 0: unlimited */
    /* Told (from the calling thread) whenever the session waits: a sentence for the user. */
    void (*notify)(void *ctx, const char *sentence);
    /* Upload progress of the current call (bytes sent of total); may be NULL. */
    void (*upload_progress)(void *ctx, uint64_t sent, uint64_t total);
    void *ctx;
} cli_http_opts_t;

typedef struct {
    long status; /* HTTP status of the final answer, 0 when none arrived */
    char *body;  /* NUL-terminated, malloc'ed */
    size_t len;
    int retry_after;                   /* seconds, -1 when absent */
    char error_code[64], message[512]; /* from a JSON error body, or a sentence about the transport */
} cli_http_resp_t;

typedef enum {
    CLI_HTTP_ANSWERED,    /* resp holds an answer that is not a retryable one */
    CLI_HTTP_QUOTA,       /* still 429 once the quota budget was spent */
    CLI_HTTP_UNAVAILABLE, /* still 503 or no connection once the retry budget was spent, or a TLS failure */
} cli_http_result_t;

/* An upload: one multipart part `file` with this content and file name. */
typedef struct {
    const void *data;
    size_t len;
    const char *filename;
} cli_http_upload_t;

cli_http_t *cli_http_create(const cli_http_opts_t *opts) __attribute__((warn_unused_result));
void cli_http_destroy(cli_http_t *h);

/* One API call, with retries as described above. url is absolute; idem_key and upload may be NULL. */
cli_http_result_t cli_http_call(cli_http_t *h, const char *method, const char *url, const char *idem_key,
                                const cli_http_upload_t *upload, cli_http_resp_t *resp);
void cli_http_resp_free(cli_http_resp_t *resp);

/* Sleeps s seconds (the waits between attempts and between polls), through signals. */
void cli_http_sleep(double s);

/* url-encodes s into out (NUL-terminated; truncated when it does not fit). */
void cli_http_escape(const char *s, char *out, size_t len);

#endif
