#include "webhooks/wh_target.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The kind of a refused IPv4 address (host byte order), or NULL. */
static const char *v4_kind(uint32_t a)
{
    static const struct {
        uint32_t net;
        int bits;
        const char *kind;
    } ranges[] = {
        {0x00000000u, 8, "unspecified"}, {0x0A000000u, 8, "private"},     {0x64400000u, 10, "private"},
        {0x7F000000u, 8, "loopback"},    {0xA9FE0000u, 16, "link-local"}, {0xAC100000u, 12, "private"},
        {0xC0000000u, 24, "reserved"},   {0xC0000200u, 24, "reserved"},   {0xC0A80000u, 16, "private"},
        {0xC6120000u, 15, "reserved"},   {0xC6336400u, 24, "reserved"},   {0xCB007100u, 24, "reserved"},
        {0xE0000000u, 4, "multicast"},   {0xF0000000u, 4, "reserved"},
    };
    for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); ++i) {
        uint32_t mask = ranges[i].bits == 0 ? 0 : 0xFFFFFFFFu << (32 - ranges[i].bits);
        if ((a & mask) == ranges[i].net)
            return ranges[i].kind;
    }
    return NULL;
}

static const char *v6_kind(const unsigned char *b)
{
    static const unsigned char zero[16] = {0};
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    if (memcmp(b, zero, 15) == 0)
        return b[15] == 1 ? "loopback" : b[15] == 0 ? "unspecified" : "reserved";
    /* IPv4 in IPv6 clothing reaches the IPv4 address: judge that one. */
    if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0 || memcmp(b, zero, 12) == 0) {
        const char *k = v4_kind((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15]);
        return k != NULL ? k : memcmp(b, zero, 12) == 0 ? "reserved" : NULL;
    }
    if ((b[0] & 0xfe) == 0xfc)
        return "private";
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        return "link-local";
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
        return "private"; /* site-local, deprecated but still routed inside some networks */
    if (b[0] == 0xff)
        return "multicast";
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
        return "reserved";
    return NULL;
}

const char *wh_addr_refused(const struct sockaddr *sa, const wh_target_policy_t *policy)
{
    const char *kind;
    if (sa->sa_family == AF_INET)
        kind = v4_kind(ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr));
    else if (sa->sa_family == AF_INET6)
        kind = v6_kind(((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr);
    else
        return "not an internet address";
    return policy->allow_private ? NULL : kind;
}

int wh_url_check(const char *url, const wh_target_policy_t *policy, char *err, size_t errlen)
{
    int ret = -1;
    char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL, *frag = NULL;
    if (strlen(url) > WH_URL_MAX) {
        snprintf(err, errlen, "url: at most %d bytes", WH_URL_MAX);
        return -1;
    }
    CURLU *u = curl_url();
    if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        snprintf(err, errlen, "url: an absolute URL such as https://example.com/hooks/ocr");
        goto Exit;
    }
    if (strcmp(scheme, "https") != 0 && !(strcmp(scheme, "http") == 0 && policy->allow_http)) {
        snprintf(err, errlen, "url: the scheme must be https%s",
                 policy->allow_http ? " or http" : " (this service does not send webhooks over plain http)");
        goto Exit;
    }
    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
        curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK) {
        snprintf(err, errlen, "url: credentials in the URL are not accepted (verify the signature instead)");
        goto Exit;
    }
    if (curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0) == CURLUE_OK) {
        snprintf(err, errlen, "url: a fragment (#...) is never sent: leave it out");
        goto Exit;
    }
    /* A literal address is judged now; a name only once it resolves, at each delivery. */
    struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
    struct sockaddr_in s4 = {.sin_family = AF_INET};
    size_t hl = strlen(host);
    char lit[64];
    const char *kind = NULL;
    if (host[0] == '[' && hl < sizeof(lit) + 2) {
        snprintf(lit, sizeof(lit), "%.*s", (int)(hl - 2), host + 1);
        char *zone = strchr(lit, '%');
        if (zone != NULL)
            *zone = '\0';
        if (inet_pton(AF_INET6, lit, &s6.sin6_addr) == 1)
            kind = wh_addr_refused((struct sockaddr *)&s6, policy);
    } else if (inet_pton(AF_INET, host, &s4.sin_addr) == 1) {
        kind = wh_addr_refused((struct sockaddr *)&s4, policy);
    } else if (strcasecmp(host, "localhost") == 0 ||
               (hl > 10 && strcasecmp(host + hl - 10, ".localhost") == 0)) {
        kind = policy->allow_private ? NULL : "loopback";
    }
    if (kind != NULL) {
        snprintf(err, errlen, "url: %s is a %s address, which this service does not send webhooks to", host,
                 kind);
        goto Exit;
    }
    ret = 0;
Exit:
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(pass);
    curl_free(frag);
    curl_url_cleanup(u);
    return ret;
}
