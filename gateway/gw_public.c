/* Public endpoints: no credentials, no quota. Answers come from state prepared at start-up or by the
 * per-thread health tick, so none of them waits on a database. */
#include "gateway/gw_handlers.h"
#include "gateway/gw_replica.h"

#include <string.h>

void gw_h_health(gw_req_t *r)
{
    gw_thread_t *t = r->thr;
    gw_server_t *s = t->server;
    /* A lagging replica still admits tenants: only an unreachable one makes the node unavailable. */
    int ok =
        t->db_ok[GW_DB_CATALOG] && t->db_ok[GW_DB_REGION] && !__atomic_load_n(&s->stopping, __ATOMIC_ACQUIRE);
    json_t *j =
        json_pack("{s:s,s:s,s:s,s:s,s:s}", "status", ok ? "ok" : "unavailable", "region", s->cfg.region,
                  "database", t->db_ok[GW_DB_REGION] ? "ok" : "unavailable", "catalog", gw_replica_state(t),
                  "regionDatabase", t->db_ok[GW_DB_REGION] ? "ok" : "unavailable");
    if (cfg_catalog_replicated(&s->cfg))
        json_object_set_new(j, "catalogLagSeconds", json_integer((json_int_t)gw_replica_lag_s(s)));
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
