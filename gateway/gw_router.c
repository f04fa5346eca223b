#include "gateway/gw_router.h"

#include <string.h>

/* Matches one pattern; fills params on success. */
static int match_one(const char *pattern, const char *path, size_t plen, h2o_iovec_t *params, int *nparams)
{
    const char *p = pattern, *s = path, *end = path + plen;
    int n = 0;
    while (*p != '\0') {
        if (s >= end || *s != '/' || *p != '/')
            return 0;
        ++p, ++s;
        const char *pseg_end = strchr(p, '/');
        if (pseg_end == NULL)
            pseg_end = p + strlen(p);
        const char *sseg_end = memchr(s, '/', (size_t)(end - s));
        if (sseg_end == NULL)
            sseg_end = end;
        size_t plen_seg = (size_t)(pseg_end - p), slen_seg = (size_t)(sseg_end - s);
        if (plen_seg >= 2 && p[0] == '{') {
            if (slen_seg == 0 || n == GW_MAX_PATH_PARAMS)
                return 0;
            params[n++] = h2o_iovec_init(s, slen_seg);
        } else if (plen_seg != slen_seg || memcmp(p, s, slen_seg) != 0) {
            return 0;
        }
        p = pseg_end;
        s = sseg_end;
    }
    if (s != end)
        return 0;
    *nparams = n;
    return 1;
}

gw_match_t gw_route_match(const gw_route_t *routes, size_t nroutes, const char *method, size_t mlen,
                          const char *path, size_t plen, const gw_route_t **out, h2o_iovec_t *params,
                          int *nparams, char *allow, size_t allowlen)
{
    int path_seen = 0;
    size_t used = 0;
    if (allowlen > 0)
        allow[0] = '\0';
    for (size_t i = 0; i < nroutes; ++i) {
        h2o_iovec_t tmp[GW_MAX_PATH_PARAMS];
        int ntmp = 0;
        if (!match_one(routes[i].pattern, path, plen, tmp, &ntmp))
            continue;
        if (strlen(routes[i].method) == mlen && memcmp(routes[i].method, method, mlen) == 0) {
            *out = &routes[i];
            memcpy(params, tmp, sizeof(tmp[0]) * (size_t)ntmp);
            *nparams = ntmp;
            return GW_MATCH_OK;
        }
        if (allowlen > 0 && strstr(allow, routes[i].method) == NULL) {
            int w = snprintf(allow + used, allowlen - used, "%s%s", path_seen ? ", " : "", routes[i].method);
            if (w > 0 && (size_t)w < allowlen - used)
                used += (size_t)w;
        }
        path_seen = 1;
    }
    return path_seen ? GW_MATCH_NO_METHOD : GW_MATCH_NO_PATH;
}
