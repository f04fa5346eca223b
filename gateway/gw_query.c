#include "gateway/gw_query.h"
#include "engine/eng_utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int gw_percent_decode(const char *src, size_t len, int plus_is_space, char *dst, size_t *outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < len; ++i) {
        char c = src[i];
        if (c == '%') {
            int hi, lo;
            if (i + 2 >= len || (hi = hexval(src[i + 1])) < 0 || (lo = hexval(src[i + 2])) < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0')
            return -1;
        dst[o++] = c;
    }
    dst[o] = '\0';
    *outlen = o;
    return 0;
}

int gw_query_parse(const char *s, size_t len, gw_query_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    size_t i = 0;
    while (i < len) {
        const char *amp = memchr(s + i, '&', len - i);
        size_t end = amp != NULL ? (size_t)(amp - s) : len;
        if (end == i) { /* tolerate "a=1&&b=2" and a trailing '&' */
            ++i;
            continue;
        }
        const char *eq = memchr(s + i, '=', end - i);
        size_t kend = eq != NULL ? (size_t)(eq - s) : end;
        if (out->count == GW_QUERY_MAX_PARAMS) {
            snprintf(err, errlen, "too many query parameters (at most %d)", GW_QUERY_MAX_PARAMS);
            goto Fail;
        }
        char *key = malloc(kend - i + 1), *value = malloc(eq != NULL ? end - kend : 1);
        size_t klen, vlen;
        int bad = gw_percent_decode(s + i, kend - i, 1, key, &klen) != 0 ||
                  (eq != NULL ? gw_percent_decode(eq + 1, end - kend - 1, 1, value, &vlen)
                              : (value[0] = '\0', 0)) != 0;
        if (bad || klen == 0) {
            snprintf(err, errlen,
                     bad ? "malformed percent-encoding in the query string" : "empty query parameter name");
            free(key);
            free(value);
            goto Fail;
        }
        if (gw_query_get(out, key) != NULL) {
            snprintf(err, errlen, "query parameter '%.*s' is given twice", eng_utf8_cut(key, 64), key);
            free(key);
            free(value);
            goto Fail;
        }
        out->items = realloc(out->items, (out->count + 1) * sizeof(*out->items));
        out->items[out->count].key = key;
        out->items[out->count].value = value;
        ++out->count;
        i = end + 1;
    }
    return 0;
Fail:
    gw_query_free(out);
    return -1;
}

void gw_query_free(gw_query_t *q)
{
    for (size_t i = 0; i < q->count; ++i) {
        free(q->items[i].key);
        free(q->items[i].value);
    }
    free(q->items);
    memset(q, 0, sizeof(*q));
}

const char *gw_query_get(const gw_query_t *q, const char *key)
{
    for (size_t i = 0; i < q->count; ++i)
        if (strcmp(q->items[i].key, key) == 0)
            return q->items[i].value;
    return NULL;
}
