#include "gateway/gw_replica.h"

#include <stdlib.h>

void gw_replica_init(gw_server_t *s)
{
    s->replica_contact_ns = gw_monotonic_ns();
    rgn_subscription_name(s->cfg.region, s->replica_subscription);
}

static void on_lag(void *arg, PGresult *res, const char *errmsg)
{
    gw_server_t *s = arg;
    (void)errmsg;
    uint64_t now = gw_monotonic_ns();
    if (res != NULL && PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't') {
        double since = atof(PQgetvalue(res, 0, 1));
        uint64_t back = since > 0 ? (uint64_t)(since * 1e9) : 0;
        __atomic_store_n(&s->replica_contact_ns, back < now ? now - back : 0, __ATOMIC_RELAXED);
    }
    /* Otherwise the worker is away (or the replica is unreachable, which health reports as down): the last
     * contact stays where it was and the lag grows with the clock. */
}

void gw_replica_tick(gw_thread_t *t)
{
    gw_server_t *s = t->server;
    if (!cfg_catalog_replicated(&s->cfg) || db_pool_ready(t->db[GW_DB_CATALOG]) == 0)
        return;
    const char *params[1] = {s->replica_subscription};
    db_pool_query(t->db[GW_DB_CATALOG], DB_REPL_LAG, params, on_lag, s);
}

double gw_replica_lag_s(const gw_server_t *s)
{
    if (!cfg_catalog_replicated(&s->cfg))
        return 0;
    uint64_t now = gw_monotonic_ns(), at = __atomic_load_n(&s->replica_contact_ns, __ATOMIC_RELAXED);
    return now > at ? (double)(now - at) / 1e9 : 0;
}

const char *gw_replica_state(const gw_thread_t *t)
{
    if (!t->db_ok[GW_DB_CATALOG])
        return "down";
    return gw_replica_lag_s(t->server) > t->server->cfg.catalog_lag_threshold_s ? "lagging" : "ok";
}
