#include "gateway/gw_multipart.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* RFC 9110 tchar. */
static int is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* RFC 2046 bchars (space only inside, checked by the caller). */
static int is_bchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != 0 && strchr("'()+_,-./:=? ", c) != NULL);
}

static int ci_eq(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    if (len != n)
        return 0;
    for (size_t i = 0; i < n; ++i) {
        char a = s[i], b = lit[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (a != b)
            return 0;
    }
    return 1;
}

typedef struct {
    const char *name, *value;
    size_t name_len, value_len;
    int escaped; /* a quoted value that contains \" or \\ (value is still the raw text) */
} param_t;

/* Reads the next `; name=value` of a header value from *pos. A value is a quoted string or, leniently, any
 * run of characters up to ';' or whitespace (senders leave boundaries such as ----=_Part_1 unquoted).
 * Returns 1 with *p, 0 at the end, -1 when malformed. */
static int next_param(const char *s, size_t len, size_t *pos, param_t *p)
{
    size_t i = *pos;
    for (;;) { /* tolerate empty parameters (";;") and a trailing ';' */
        while (i < len && is_ows(s[i]))
            ++i;
        if (i == len)
            return 0;
        if (s[i] != ';')
            return -1;
        ++i;
        while (i < len && is_ows(s[i]))
            ++i;
        if (i == len)
            return 0;
        if (s[i] != ';')
            break;
    }
    p->name = s + i;
    while (i < len && is_tchar((unsigned char)s[i]))
        ++i;
    p->name_len = (size_t)(s + i - p->name);
    while (i < len && is_ows(s[i]))
        ++i;
    if (p->name_len == 0 || i == len || s[i] != '=')
        return -1;
    ++i;
    while (i < len && is_ows(s[i]))
        ++i;
    p->escaped = 0;
    if (i < len && s[i] == '"') {
        p->value = s + ++i;
        for (;; ++i) {
            if (i == len)
                return -1;
            if (s[i] == '"')
                break;
            if (s[i] == '\\' && len - i >= 2 && (s[i + 1] == '"' || s[i + 1] == '\\')) {
                ++i;
                p->escaped = 1;
            }
        }
        p->value_len = (size_t)(s + i - p->value);
        ++i;
    } else {
        p->value = s + i;
        while (i < len && s[i] != ';' && !is_ows(s[i]) && s[i] != '"')
            ++i;
        p->value_len = (size_t)(s + i - p->value);
        if (p->value_len == 0)
            return -1;
    }
    *pos = i;
    return 1;
}

/* The boundary from the request's Content-Type; 0 or -1 with err. */
static int parse_content_type(const char *ct, size_t len, const char **boundary, size_t *blen, char *err,
                              size_t errlen)
{
    size_t i = 0, pos;
    int r;
    param_t p;
    *boundary = NULL;
    while (i < len && is_ows(ct[i]))
        ++i;
    pos = i;
    while (pos < len && ct[pos] != ';' && !is_ows(ct[pos]))
        ++pos;
    if (!ci_eq(ct + i, pos - i, "multipart/form-data"))
        return fail(err, errlen, "Content-Type is not multipart/form-data");
    while ((r = next_param(ct, len, &pos, &p)) == 1) {
        if (!ci_eq(p.name, p.name_len, "boundary"))
            continue;
        if (*boundary != NULL)
            return fail(err, errlen, "multipart/form-data Content-Type has two boundary parameters");
        *boundary = p.value;
        *blen = p.value_len;
        if (p.escaped)
            return fail(err, errlen, "multipart boundary contains characters that are not allowed");
    }
    if (r < 0)
        return fail(err, errlen, "multipart/form-data Content-Type has a malformed parameter");
    if (*boundary == NULL)
        return fail(err, errlen, "multipart/form-data Content-Type has no boundary parameter");
    if (*blen < 1 || *blen > GW_MULTIPART_MAX_BOUNDARY)
        return fail(err, errlen, "multipart boundary must be 1 to %d characters long",
                    GW_MULTIPART_MAX_BOUNDARY);
    for (size_t k = 0; k < *blen; ++k)
        if (!is_bchar((unsigned char)(*boundary)[k]))
            return fail(err, errlen, "multipart boundary contains characters that are not allowed");
    if ((*boundary)[*blen - 1] == ' ')
        return fail(err, errlen, "multipart boundary must not end with a space");
    return 0;
}

/* After a boundary's text at q: "--" closes, otherwise transport padding and CRLF must follow. Returns 1 with
 * *after (the first byte past the line, or past "--") and *close, or 0 when this is not a delimiter. */
static int delim_tail(const char *body, size_t len, size_t q, size_t *after, int *close)
{
    if (len - q >= 2 && body[q] == '-' && body[q + 1] == '-') {
        *after = q + 2;
        *close = 1;
        return 1;
    }
    while (q < len && is_ows(body[q]))
        ++q;
    if (len - q >= 2 && body[q] == '\r' && body[q + 1] == '\n') {
        *after = q + 2;
        *close = 0;
        return 1;
    }
    return 0;
}

/* The next delimiter ("\r\n--" boundary, then "--" or padding and CRLF) at or after `from`; returns its
 * offset or len when there is none. Linear: the delimiter's only CR is its first byte, so a partial match
 * that fails after k bytes holds no other candidate, and the next memchr starts past it. */
static size_t find_delim(const char *body, size_t len, size_t from, const char *d, size_t dl, size_t *after,
                         int *close)
{
    while (len - from >= dl) {
        const char *cr = memchr(body + from, '\r', len - from - dl + 1);
        if (cr == NULL)
            break;
        size_t at = (size_t)(cr - body), k = 1;
        while (k < dl && body[at + k] == d[k])
            ++k;
        if (k == dl && delim_tail(body, len, at + dl, after, close))
            return at;
        from = at + (k > 1 ? k : 1);
    }
    return len;
}

/* Copies a quoted string's content with \" and \\ unescaped into the part's buffer. Any other backslash is
 * literal: browsers and curl percent-encode '"' and send '\' as is (HTML's rules, e.g. "C:\scans\a.tif"),
 * while RFC 9110's quoted-pair needs only these two to round-trip. */
static const char *unescape(gw_part_t *part, size_t *used, const char *s, size_t len, size_t *outlen)
{
    char *dst = part->unescaped + *used;
    size_t o = 0;
    for (size_t i = 0; i < len; ++i) {
        if (s[i] == '\\' && len - i >= 2 && (s[i + 1] == '"' || s[i + 1] == '\\'))
            ++i;
        if (*used + o == sizeof(part->unescaped))
            return NULL;
        dst[o++] = s[i];
    }
    *used += o;
    *outlen = o;
    return dst;
}

static int parse_disposition(gw_part_t *part, const char *v, size_t len, char *err, size_t errlen)
{
    size_t pos = 0, used = 0;
    int r, have_name = 0, have_filename = 0;
    param_t p;
    while (pos < len && v[pos] != ';' && !is_ows(v[pos]))
        ++pos;
    if (!ci_eq(v, pos, "form-data"))
        return fail(err, errlen, "multipart part's Content-Disposition is not form-data");
    while ((r = next_param(v, len, &pos, &p)) == 1) {
        const char **dst;
        size_t *dst_len;
        if (ci_eq(p.name, p.name_len, "name")) {
            if (have_name++)
                return fail(err, errlen, "multipart part's Content-Disposition has two names");
            dst = &part->name, dst_len = &part->name_len;
        } else if (ci_eq(p.name, p.name_len, "filename")) {
            if (have_filename++)
                return fail(err, errlen, "multipart part's Content-Disposition has two filenames");
            dst = &part->filename, dst_len = &part->filename_len;
        } else {
            continue; /* filename* (RFC 7578 4.2 forbids it) and anything else */
        }
        if (!p.escaped) {
            *dst = p.value;
            *dst_len = p.value_len;
        } else if ((*dst = unescape(part, &used, p.value, p.value_len, dst_len)) == NULL) {
            return fail(err, errlen, "multipart part's name or filename is too long");
        }
    }
    if (r < 0)
        return fail(err, errlen, "multipart part's Content-Disposition has a malformed parameter");
    if (part->name == NULL || part->name_len == 0)
        return fail(err, errlen, "multipart part has no name (Content-Disposition: form-data; name=\"...\")");
    return 0;
}

/* Parses the header block [h, end), every line of which ends with CRLF. */
static int parse_headers(gw_part_t *part, const char *body, size_t h, size_t end, char *err, size_t errlen)
{
    size_t nlines = 0;
    int have_disposition = 0;
    while (h < end) {
        const char *line = body + h, *crlf = NULL;
        for (const char *c = line; c < body + end; ++c) {
            if (*c == '\r' && c + 1 < body + end && c[1] == '\n') {
                crlf = c;
                break;
            }
            if (*c == '\r' || *c == '\n' || *c == '\0')
                return fail(err, errlen, "multipart part header contains a stray CR, LF or NUL byte");
        }
        if (crlf == NULL)
            return fail(err, errlen, "multipart part header line is not terminated by CRLF");
        size_t ll = (size_t)(crlf - line), nl = 0;
        if (++nlines > GW_MULTIPART_MAX_HEADER_LINES)
            return fail(err, errlen, "multipart part has more than %d header lines",
                        GW_MULTIPART_MAX_HEADER_LINES);
        /* Checked before the line is used, so that a folded Content-Disposition gets this sentence. */
        if ((ll > 0 && is_ows(line[0])) || (crlf + 2 < body + end && is_ows(crlf[2])))
            return fail(err, errlen, "multipart part header is folded (continuation lines are not allowed)");
        while (nl < ll && is_tchar((unsigned char)line[nl]))
            ++nl;
        if (nl == 0 || nl == ll || line[nl] != ':')
            return fail(err, errlen, "multipart part header line is malformed (expected \"Name: value\")");
        size_t vs = nl + 1, ve = ll;
        while (vs < ve && is_ows(line[vs]))
            ++vs;
        while (ve > vs && is_ows(line[ve - 1]))
            --ve;
        if (ci_eq(line, nl, "content-disposition")) {
            if (have_disposition++)
                return fail(err, errlen, "multipart part has two Content-Disposition headers");
            if (parse_disposition(part, line + vs, ve - vs, err, errlen) != 0)
                return -1;
        } else if (ci_eq(line, nl, "content-type")) {
            if (part->content_type != NULL)
                return fail(err, errlen, "multipart part has two Content-Type headers");
            part->content_type = line + vs;
            part->content_type_len = ve - vs;
        }
        h += ll + 2;
    }
    if (!have_disposition)
        return fail(err, errlen, "multipart part has no Content-Disposition header");
    return 0;
}

int gw_multipart_parse(const char *content_type, size_t ctlen, const char *body, size_t len, gw_part_t *parts,
                       size_t max, size_t *nparts, char *err, size_t errlen)
{
    const char *boundary;
    size_t blen = 0, after = 0, n = 0;
    int close = 0;
    char d[4 + GW_MULTIPART_MAX_BOUNDARY];

    *nparts = 0;
    if (parse_content_type(content_type, ctlen, &boundary, &blen, err, errlen) != 0)
        return -1;
    memcpy(d, "\r\n--", 4);
    memcpy(d + 4, boundary, blen);
    size_t dl = 4 + blen;

    /* The first delimiter may open the body (then it lacks the CRLF) or follow a preamble. */
    if (!(len >= dl - 2 && memcmp(body, d + 2, dl - 2) == 0 &&
          delim_tail(body, len, dl - 2, &after, &close)) &&
        find_delim(body, len, 0, d, dl, &after, &close) == len)
        return fail(err, errlen, "multipart body has no boundary line (check the boundary in Content-Type)");

    while (!close) {
        size_t h = after, data, at;
        if (n == max)
            return fail(err, errlen, "multipart body has more than %zu parts", max);
        gw_part_t *part = &parts[n];
        memset(part, 0, offsetof(gw_part_t, unescaped));
        part->unescaped[0] = '\0';
        /* The header block ends at the first empty line; it is searched for within the size limit only. */
        size_t limit =
            len - h < GW_MULTIPART_MAX_HEADER_BYTES + 2 ? len - h : GW_MULTIPART_MAX_HEADER_BYTES + 2;
        if (limit >= 2 && body[h] == '\r' && body[h + 1] == '\n') {
            data = h + 2; /* no headers at all: rejected below for the missing name */
        } else {
            const char *he = NULL;
            for (size_t i = 2; i + 1 < limit; ++i) {
                const char *cr = memchr(body + h + i, '\r', limit - i - 1);
                if (cr == NULL)
                    break;
                i = (size_t)(cr - (body + h));
                if (cr[1] == '\n' && cr[-2] == '\r' && cr[-1] == '\n') {
                    he = cr - 2;
                    break;
                }
            }
            if (he == NULL && limit == len - h)
                return fail(err, errlen, "multipart body ends inside a part's headers");
            if (he == NULL)
                return fail(err, errlen, "multipart part headers are longer than %d bytes",
                            GW_MULTIPART_MAX_HEADER_BYTES);
            data = (size_t)(he - body) + 4;
            if (parse_headers(part, body, h, data - 2, err, errlen) != 0)
                return -1;
        }
        if ((at = find_delim(body, len, data, d, dl, &after, &close)) == len)
            return fail(err, errlen, "multipart body has no closing boundary");
        if (part->name == NULL)
            return fail(err, errlen, "multipart part has no Content-Disposition header");
        part->data = body + data;
        part->len = at - data;
        *nparts = ++n;
    }
    return 0;
}

const gw_part_t *gw_multipart_find(const gw_part_t *parts, size_t n, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < n; ++i)
        if (parts[i].name_len == nl && memcmp(parts[i].name, name, nl) == 0)
            return &parts[i];
    return NULL;
}
