#include "gateway/gw_frame.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static int name_is(const char *line, size_t nlen, const char *want)
{
    return nlen == strlen(want) && strncasecmp(line, want, nlen) == 0;
}

/* The field's value without surrounding blanks. */
static void value_of(const char *p, const char *end, const char **v, size_t *vlen)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        ++p;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        --end;
    *v = p;
    *vlen = (size_t)(end - p);
}

int gw_frame_check(const char *buf, size_t len, int http11, char *why, size_t whylen)
{
    const char *p = buf, *end = buf + len, *cl = NULL;
    size_t cllen = 0;
    int ncl = 0, nte = 0, nhost = 0;

    /* Skip the request line. */
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL)
        return 0;
    for (p = nl + 1; p < end; p = nl + 1) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            return 0; /* no complete head in the buffer: nothing to judge */
        if (nl == p || (nl == p + 1 && *p == '\r'))
            break; /* the empty line ends the head */
        const char *colon = memchr(p, ':', (size_t)(nl - p));
        if (colon == NULL)
            continue;
        size_t nlen = (size_t)(colon - p);
        const char *v;
        size_t vlen;
        value_of(colon + 1, nl, &v, &vlen);
        if (name_is(p, nlen, "content-length")) {
            if (ncl++ > 0 && (vlen != cllen || memcmp(v, cl, vlen) != 0)) {
                snprintf(why, whylen, "the request has two different Content-Length fields");
                return -1;
            }
            cl = v;
            cllen = vlen;
        } else if (name_is(p, nlen, "transfer-encoding")) {
            ++nte;
        } else if (name_is(p, nlen, "host")) {
            ++nhost;
        }
    }
    if (ncl > 0 && nte > 0) {
        snprintf(why, whylen, "the request has both Content-Length and Transfer-Encoding");
        return -1;
    }
    if (nhost > 1) {
        snprintf(why, whylen, "the request has more than one Host field");
        return -1;
    }
    if (http11 && nhost == 0) {
        snprintf(why, whylen, "an HTTP/1.1 request needs a Host field");
        return -1;
    }
    return 0;
}

int gw_frame_refuse(gw_req_t *r)
{
    h2o_req_t *req = r->req;
    if (req->version >= 0x200 || req->conn->callbacks->get_socket == NULL)
        return 0;
    h2o_socket_t *sock = req->conn->callbacks->get_socket(req->conn);
    if (sock == NULL || sock->input == NULL)
        return 0;
    /* The head of the request being handled is at the start of the input buffer (h2o consumes it only when
     * the response is done); anything else there means this is not the layout we rely on: do not judge. */
    const char *buf = sock->input->bytes;
    size_t len = sock->input->size;
    if (len <= req->method.len || memcmp(buf, req->method.base, req->method.len) != 0 ||
        buf[req->method.len] != ' ')
        return 0;
    char why[128];
    if (gw_frame_check(buf, len, req->version == 0x101, why, sizeof(why)) == 0)
        return 0;
    req->http1_is_persistent = 0;
    gw_send_error(r, 400, "InvalidInput", NULL, "%s; the connection is closed (RFC 9112)", why);
    return 1;
}
