/*
 * gw_query: application/x-www-form-urlencoded query strings. Pure; the caller owns the result
 * (gw_query_free).
 */
#ifndef OCRGATE_GW_QUERY_H
#define OCRGATE_GW_QUERY_H

#include <stddef.h>

#define GW_QUERY_MAX_PARAMS 64

typedef struct {
    char *key, *value; /* percent- and '+'-decoded, NUL-terminated */
} gw_qparam_t;

typedef struct gw_query {
    gw_qparam_t *items;
    size_t count;
} gw_query_t;

/* Parses `a=1&b=x%20y`. Returns -1 with a sentence in err on bad percent-encoding, a NUL byte, an empty key,
 * a repeated key, or more than GW_QUERY_MAX_PARAMS parameters. */
__attribute__((warn_unused_result)) int gw_query_parse(const char *s, size_t len, gw_query_t *out, char *err,
                                                       size_t errlen);
void gw_query_free(gw_query_t *q);
const char *gw_query_get(const gw_query_t *q, const char *key);
/* Percent-decodes in place semantics into dst (capacity >= len + 1); -1 on bad encoding. */
int gw_percent_decode(const char *src, size_t len, int plus_is_space, char *dst, size_t *outlen);

#endif
