/*
 * gw_router: the route table type and path matching. Pure functions, no h2o state: safe on any thread.
 * Patterns are absolute paths whose segments are literals or `{name}` (one non-empty segment).
 */
#ifndef OCRGATE_GW_ROUTER_H
#define OCRGATE_GW_ROUTER_H

#include "gateway/gw.h"

typedef enum { GW_BODY_ANY = 0, GW_BODY_JSON } gw_body_kind_t;

struct gw_route {
    const char *method;
    const char *pattern;
    gw_auth_kind_t auth;
    gw_quota_kind_t quota;
    gw_handler_t handler;
    gw_body_kind_t body; /* GW_BODY_JSON: the body is JSON and passes gw_json_body_check before the handler */
};

typedef enum { GW_MATCH_OK, GW_MATCH_NO_PATH, GW_MATCH_NO_METHOD } gw_match_t;

/* Finds the route for method + path. On GW_MATCH_NO_METHOD, `allow` lists the methods the path has
 * ("GET, POST"). Path parameters point into `path`. */
gw_match_t gw_route_match(const gw_route_t *routes, size_t nroutes, const char *method, size_t mlen,
                          const char *path, size_t plen, const gw_route_t **out, h2o_iovec_t *params,
                          int *nparams, char *allow, size_t allowlen);

extern const gw_route_t gw_routes[];
extern const size_t gw_nroutes;

#endif
