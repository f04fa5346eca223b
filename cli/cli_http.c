/* The client's HTTPS session and retry policy (see cli_http.h). */
#include "cli/cli_http.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Backoff for 503 and connection errors: 0.5 s doubling to 8 s, unless the server says how long; each wait
 * is drawn within +-25% so that the parallel jobs of a run (or many clients) do not retry in step. */
#define BACKOFF_FIRST_S 0.5
#define BACKOFF_MAX_S 8.0

struct cli_http {
    CURL *curl;
    cli_http_opts_t o;
    unsigned seed; /* rand_r state for the jitter */
};

cli_http_t *cli_http_create(const cli_http_opts_t *opts)
{
    cli_http_t *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return NULL;
    h->o = *opts;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    h->seed = (unsigned)ts.tv_nsec ^ (unsigned)(uintptr_t)h;
    if ((h->curl = curl_easy_init()) == NULL) {
        free(h);
        return NULL;
    }
    return h;
}

void cli_http_destroy(cli_http_t *h)
{
    if (h == NULL)
        return;
    curl_easy_cleanup(h->curl);
    free(h);
}

void cli_http_resp_free(cli_http_resp_t *resp)
{
    free(resp->body);
    memset(resp, 0, sizeof(*resp));
}

void cli_http_escape(const char *s, char *out, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (; *s != '\0' && o + 4 <= len; ++s) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-._~", c)) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    if (len > 0)
        out[o < len ? o : len - 1] = '\0';
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    cli_http_resp_t *r = arg;
    size_t add = size * n;
    char *nb = realloc(r->body, r->len + add + 1);
    if (nb == NULL)
        return 0; /* curl fails the transfer: CURLE_WRITE_ERROR */
    memcpy(nb + r->len, p, add);
    r->len += add;
    nb[r->len] = '\0';
    r->body = nb;
    return add;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    cli_http_resp_t *r = arg;
    size_t len = size * n;
    static const char name[] = "retry-after:";
    if (len > sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0)
        r->retry_after = atoi(p + sizeof(name) - 1);
    return len;
}

static int on_xfer(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    cli_http_t *h = arg;
    if (ultotal > 0)
        h->o.upload_progress(h->o.ctx, (uint64_t)ulnow, (uint64_t)ultotal);
    return 0;
}

/* The API's errorCode and message from a JSON error body, when there is one. */
static void read_error(cli_http_resp_t *r)
{
    if (r->status < 400 || r->body == NULL)
        return;
    json_t *j = json_loadb(r->body, r->len, 0, NULL);
    const char *code = json_string_value(json_object_get(j, "errorCode"));
    const char *msg = json_string_value(json_object_get(j, "message"));
    snprintf(r->error_code, sizeof(r->error_code), "%s", code ? code : "");
    snprintf(r->message, sizeof(r->message), "%s", msg ? msg : "the server gave no reason");
    json_decref(j);
}

/* One attempt. Returns the curl code; resp holds what arrived. */
static CURLcode attempt(cli_http_t *h, const char *method, const char *url, const char *idem_key,
                        const cli_http_upload_t *up, cli_http_resp_t *resp)
{
    CURL *c = h->curl;
    char lic[128], app[128], key[300];
    struct curl_slist *hdrs = NULL;
    curl_mime *mime = NULL;
    cli_http_resp_free(resp);
    resp->retry_after = -1;
    curl_easy_reset(c);
    snprintf(lic, sizeof(lic), "X-License-Id: %s", h->o.license_id);
    snprintf(app, sizeof(app), "X-App-Id: %s", h->o.app_id);
    hdrs = curl_slist_append(hdrs, lic);
    hdrs = curl_slist_append(hdrs, app);
    hdrs = curl_slist_append(hdrs, "Accept: application/json, */*");
    hdrs =
        curl_slist_append(hdrs, "Expect:"); /* no 100-continue round trip: the gateway reads whole bodies */
    if (idem_key != NULL) {
        snprintf(key, sizeof(key), "Idempotency-Key: %s", idem_key);
        hdrs = curl_slist_append(hdrs, key);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "ocrgate-ocr/" OCRGATE_VERSION);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* a redirect would send the credentials elsewhere */
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    /* A stalled connection (under 1 byte/s for 60 s) counts as a connection error and is retried. */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    if (h->o.cacert != NULL)
        curl_easy_setopt(c, CURLOPT_CAINFO, h->o.cacert);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);
    if (up != NULL) {
        mime = curl_mime_init(c);
        curl_mimepart *part = curl_mime_addpart(mime);
        curl_mime_name(part, "file");
        curl_mime_data(part, up->data, up->len);
        curl_mime_filename(part, up->filename);
        curl_mime_type(part, "application/octet-stream");
        curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        if (h->o.max_send_speed > 0)
            curl_easy_setopt(c, CURLOPT_MAX_SEND_SPEED_LARGE, (curl_off_t)h->o.max_send_speed);
        if (h->o.upload_progress != NULL) {
            curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
            curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_xfer);
            curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
        }
    }
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
    else
        resp->status = 0;
    if (resp->body == NULL)
        resp->body = calloc(1, 1);
    curl_slist_free_all(hdrs);
    curl_mime_free(mime);
    return rc;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_http_sleep(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void notify(cli_http_t *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void notify(cli_http_t *h, const char *fmt, ...)
{
    if (h->o.notify == NULL)
        return;
    char line[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    h->o.notify(h->o.ctx, line);
}

/* Whether a transport error may go away by itself (the server restarting, a dropped connection). */
static int transient(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
        return 1;
    default:
        return 0;
    }
}

cli_http_result_t cli_http_call(cli_http_t *h, const char *method, const char *url, const char *idem_key,
                                const cli_http_upload_t *upload, cli_http_resp_t *resp)
{
    double quota_waited = 0, outage_since = -1, backoff = BACKOFF_FIRST_S;
    memset(resp, 0, sizeof(*resp));
    for (;;) {
        CURLcode rc = attempt(h, method, url, idem_key, upload, resp);
        if (rc == CURLE_OK && resp->status == 429) {
            read_error(resp);
            double wait = resp->retry_after > 0 ? resp->retry_after : 1;
            if (quota_waited + wait > h->o.quota_wait_s)
                return CLI_HTTP_QUOTA;
            notify(h, "quota used up (429): waiting %.0f s for the next window (%s)", wait, resp->message);
            cli_http_sleep(wait);
            quota_waited += wait;
            continue;
        }
        int outage = rc == CURLE_OK ? resp->status == 503 : transient(rc);
        if (!outage) {
            if (rc != CURLE_OK) {
                snprintf(resp->message, sizeof(resp->message), "%s", curl_easy_strerror(rc));
                return CLI_HTTP_UNAVAILABLE;
            }
            read_error(resp);
            return CLI_HTTP_ANSWERED;
        }
        if (rc == CURLE_OK)
            read_error(resp);
        else
            snprintf(resp->message, sizeof(resp->message), "%s", curl_easy_strerror(rc));
        double t = now_s();
        if (outage_since < 0)
            outage_since = t;
        double wait =
            resp->retry_after > 0 && resp->retry_after < BACKOFF_MAX_S ? resp->retry_after : backoff;
        if (t - outage_since + wait > h->o.unavailable_wait_s)
            return CLI_HTTP_UNAVAILABLE;
        notify(h, "service unavailable: retrying in %.1f s (%s)", wait,
               rc == CURLE_OK ? "503 Unavailable" : resp->message);
        cli_http_sleep(wait);
        backoff = backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : backoff * 2;
    }
}
