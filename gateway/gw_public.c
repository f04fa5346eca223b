/* Public endpoints: no credentials, no quota. Answers come from state prepared at start-up or by the
 * per-thread health tick, so none of them waits on a database. */
#include "gateway/gw_handlers.h"

#include <string.h>

void gw_h_health(gw_req_t *r)
{
    gw_thread_t *t = r->thr;
    int ok = t->db_ok[GW_DB_CATALOG] && t->db_ok[GW_DB_REGION] &&
             !__atomic_load_n(&t->server->stopping, __ATOMIC_ACQUIRE);
    json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s}", "status", ok ? "ok" : "unavailable", "region",
                          t->server->cfg.region, "database", t->db_ok[GW_DB_REGION] ? "ok" : "unavailable",
                          "catalog", t->db_ok[GW_DB_CATALOG] ? "ok" : "unavailable", "regionDatabase",
                          t->db_ok[GW_DB_REGION] ? "ok" : "unavailable");
    if (!ok)
        gw_add_header(r, "Retry-After", "5");
    gw_send_json(r, ok ? 200 : 503, j);
}

void gw_h_version(gw_req_t *r)
{
    const char *v = r->thr->server->version_json;
    gw_send_json_text(r, 200, v, strlen(v));
}

void gw_h_regions(gw_req_t *r)
{
    char *s = rgn_to_json(&r->thr->server->regions);
    gw_send_json_text(r, 200, s, strlen(s));
    free(s);
}

void gw_h_openapi(gw_req_t *r)
{
    gw_server_t *s = r->thr->server;
    gw_send_json_text(r, 200, s->openapi_json, s->openapi_len);
}
