/*
 * wh_target: the target address guard. A webhook URL is checked twice: when an endpoint is configured
 * (wh_url_check: an absolute http(s) URL without credentials, https unless the operator allows plain http, a
 * literal address that is not a refused one) and on every connection a delivery makes (wh_addr_refused on the
 * address the host name resolved to, so a name that points at the inside, or is re-pointed later, is refused
 * too). Refused unless the operator allows private targets: loopback, private (RFC 1918, unique local,
 * CGNAT), link-local (which holds the cloud metadata address 169.254.169.254), unspecified, multicast,
 * reserved and documentation ranges, and IPv4 reached through mapped or NAT64 IPv6 forms.
 *
 * Pure and reentrant, any thread (the gateway's loop threads check URLs, delivery threads check addresses).
 * Sentences go into the caller's buffers.
 */
#ifndef OCRGATE_WH_TARGET_H
#define OCRGATE_WH_TARGET_H

#include <stddef.h>
#include <sys/socket.h>

#define WH_URL_MAX 2048

typedef struct {
    int allow_http;    /* plain-http targets accepted */
    int allow_private; /* loopback, private and link-local targets accepted */
} wh_target_policy_t;

/* 0 when `url` may be a webhook target under `policy`, else -1 with a sentence for the API user in err. */
__attribute__((warn_unused_result)) int wh_url_check(const char *url, const wh_target_policy_t *policy,
                                                     char *err, size_t errlen);
/* NULL when a connection to `sa` is allowed, else the kind of address it is ("loopback", "private",
 * "link-local", ...), a static string. */
const char *wh_addr_refused(const struct sockaddr *sa, const wh_target_policy_t *policy);

#endif
