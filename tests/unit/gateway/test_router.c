#include "gateway/gw_router.h"
#include "tests/unit/tap.h"

static void h(gw_req_t *r)
{
    (void)r;
}

static const gw_route_t routes[] = {
    {"GET", "/v1/health", GW_AUTH_NONE, GW_QUOTA_NONE, h, GW_BODY_ANY},
    {"GET", "/v1/jobs", GW_AUTH_TENANT, GW_QUOTA_COUNT, h, GW_BODY_ANY},
    {"POST", "/v1/jobs", GW_AUTH_TENANT, GW_QUOTA_COUNT, h, GW_BODY_ANY},
    {"GET", "/v1/jobs/{id}", GW_AUTH_TENANT, GW_QUOTA_COUNT, h, GW_BODY_ANY},
    {"DELETE", "/v1/jobs/{id}", GW_AUTH_TENANT, GW_QUOTA_COUNT, h, GW_BODY_ANY},
    {"GET", "/v1/jobs/{id}/pages/{n}/results/{format}", GW_AUTH_TENANT, GW_QUOTA_COUNT, h, GW_BODY_ANY},
};
#define N (sizeof(routes) / sizeof(routes[0]))

static gw_match_t m(const char *method, const char *path, const gw_route_t **out, h2o_iovec_t *p, int *np,
                    char *allow)
{
    return gw_route_match(routes, N, method, strlen(method), path, strlen(path), out, p, np, allow, 128);
}

int main(void)
{
    const gw_route_t *r = NULL;
    h2o_iovec_t p[GW_MAX_PATH_PARAMS];
    int np = 0;
    char allow[128];

    is_int(m("GET", "/v1/health", &r, p, &np, allow), GW_MATCH_OK, "literal path");
    ok(r == &routes[0] && np == 0, "right route, no params");
    is_int(m("GET", "/v1/jobs/abc", &r, p, &np, allow), GW_MATCH_OK, "one parameter");
    ok(r == &routes[3] && np == 1 && p[0].len == 3 && memcmp(p[0].base, "abc", 3) == 0, "parameter value");
    is_int(m("GET", "/v1/jobs/j1/pages/2/results/text", &r, p, &np, allow), GW_MATCH_OK, "three parameters");
    ok(np == 3 && p[1].len == 1 && p[1].base[0] == '2' && p[2].len == 4, "parameters in order");
    is_int(m("DELETE", "/v1/jobs/x", &r, p, &np, allow), GW_MATCH_OK, "method picks the route");
    ok(r == &routes[4], "DELETE route");
    is_int(m("PUT", "/v1/jobs/x", &r, p, &np, allow), GW_MATCH_NO_METHOD, "known path, other method");
    is_str(allow, "GET, DELETE", "Allow lists the path's methods");
    is_int(m("PATCH", "/v1/jobs", &r, p, &np, allow), GW_MATCH_NO_METHOD, "405 on collection");
    is_str(allow, "GET, POST", "Allow for the collection");
    is_int(m("GET", "/v1/jobs/", &r, p, &np, allow), GW_MATCH_NO_PATH, "empty parameter does not match");
    is_int(m("GET", "/v1/jobs/a/b", &r, p, &np, allow), GW_MATCH_NO_PATH, "extra segment does not match");
    is_int(m("GET", "/v1/healthz", &r, p, &np, allow), GW_MATCH_NO_PATH, "prefix is not a match");
    is_int(m("GET", "/v1/health/", &r, p, &np, allow), GW_MATCH_NO_PATH, "trailing slash is another path");
    is_int(m("GET", "", &r, p, &np, allow), GW_MATCH_NO_PATH, "empty path");
    is_int(m("GETX", "/v1/health", &r, p, &np, allow), GW_MATCH_NO_METHOD, "method compared whole");
    return done_testing();
}
