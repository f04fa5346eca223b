#include "webhooks/wh_send.h"
#include "webhooks/wh_schedule.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct {
    const wh_target_policy_t *policy;
    const int *stop;
    char refused[128]; /* the address the guard refused, and why */
    char snippet[160]; /* the start of the answer's body, for the error sentence */
    size_t snippet_len, body_len;
    long long retry_after_s;
} send_ctx_t;

static curl_socket_t open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
    send_ctx_t *c = arg;
    (void)purpose;
    const char *kind = wh_addr_refused(&a->addr, c->policy);
    if (kind != NULL) {
        char ip[INET6_ADDRSTRLEN] = "?";
        const void *src = a->family == AF_INET6
                              ? (const void *)&((struct sockaddr_in6 *)(void *)&a->addr)->sin6_addr
                              : (const void *)&((struct sockaddr_in *)(void *)&a->addr)->sin_addr;
        inet_ntop(a->family, src, ip, sizeof(ip));
        snprintf(c->refused, sizeof(c->refused), "the target resolved to %s, a %s address, which is refused",
                 ip, kind);
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    send_ctx_t *c = arg;
    size_t len = size * n;
    if (c->snippet_len < sizeof(c->snippet) - 1) {
        size_t k = sizeof(c->snippet) - 1 - c->snippet_len;
        if (k > len)
            k = len;
        memcpy(c->snippet + c->snippet_len, data, k);
        c->snippet_len += k;
        c->snippet[c->snippet_len] = '\0';
    }
    c->body_len += len;
    /* Returning less than given cuts the transfer: nothing past the limit is read. */
    return c->body_len > WH_BODY_LIMIT ? 0 : len;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    send_ctx_t *c = arg;
    size_t len = size * n;
    if (len > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
        char v[128];
        snprintf(v, sizeof(v), "%.*s", (int)(len - 12), data + 12);
        c->retry_after_s = wh_parse_retry_after(v, time(NULL));
    }
    return len;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    send_ctx_t *c = arg;
    (void)dt, (void)dn, (void)ut, (void)un;
    return c->stop != NULL && __atomic_load_n(c->stop, __ATOMIC_RELAXED);
}

/* The body snippet made printable: control characters become spaces. */
static void printable(char *s)
{
    for (; *s; ++s)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = ' ';
}

void wh_send(CURL *curl, const wh_target_policy_t *policy, const wh_message_t *m, const int *stop,
             wh_result_t *out)
{
    send_ctx_t c = {.policy = policy, .stop = stop, .retry_after_s = -1};
    char h_id[160], h_ts[64], h_sig[256];
    struct timespec t0, t1;
    memset(out, 0, sizeof(*out));
    out->retry_after_s = -1;
    snprintf(h_id, sizeof(h_id), "webhook-id: %s", m->msg_id);
    snprintf(h_ts, sizeof(h_ts), "webhook-timestamp: %lld", m->timestamp);
    snprintf(h_sig, sizeof(h_sig), "webhook-signature: %s", m->signature);
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, h_id);
    h = curl_slist_append(h, h_ts);
    h = curl_slist_append(h, h_sig);
    h = curl_slist_append(h, "Expect:");
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, m->url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, m->body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)m->len);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "ocrgate-webhooks/" OCRGATE_VERSION);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, policy->allow_http ? "http,https" : "https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)WH_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &c);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &c);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &c);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &c);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CURLcode rc = curl_easy_perform(curl);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->latency_ms = (t1.tv_sec - t0.tv_sec) * 1000LL + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
    out->retry_after_s = c.retry_after_s;
    /* A body cut at the limit still carries the receiver's answer. */
    int answered =
        out->status > 0 && (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && c.body_len > WH_BODY_LIMIT));
    if (!answered) {
        out->status = 0;
        if (c.refused[0] != '\0')
            snprintf(out->error, sizeof(out->error), "%s", c.refused);
        else if (rc == CURLE_ABORTED_BY_CALLBACK)
            snprintf(out->error, sizeof(out->error), "the node stopped during the attempt");
        else if (rc == CURLE_OPERATION_TIMEDOUT)
            snprintf(out->error, sizeof(out->error), "no answer within %d s", WH_TIMEOUT_MS / 1000);
        else
            snprintf(out->error, sizeof(out->error), "%s", curl_easy_strerror(rc));
    } else if (out->status < 200 || out->status > 299) {
        printable(c.snippet);
        snprintf(out->error, sizeof(out->error), "HTTP %ld%s%s%s", out->status,
                 out->status >= 300 && out->status < 400 ? " (redirects are not followed)" : "",
                 c.snippet[0] ? ": " : "", c.snippet);
    }
    curl_slist_free_all(h);
}
