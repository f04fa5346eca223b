/*
 * gw_replica: how far this region's catalog replica is behind the catalog primary.
 *
 * When the catalog is replicated (catalog_primary_dsn set, config/cfg.h), loop thread 0 asks the replica's
 * pg_stat_subscription on every health tick, without blocking, how long ago its apply worker last heard from
 * the primary (a change or a keepalive). While the worker is not connected (primary down, subscription
 * broken) the lag keeps growing from the last contact seen. The figure lives in the gw_server_t, written by
 * thread 0 and read by any thread (/v1/health, /metrics) with atomic loads.
 */
#ifndef OCRGATE_GW_REPLICA_H
#define OCRGATE_GW_REPLICA_H

#include "gateway/gw.h"

/* Starts the clock of the last contact (main thread, before the loop threads start). */
void gw_replica_init(gw_server_t *s);
/* Thread 0's health tick: queries the replica's subscription state. */
void gw_replica_tick(gw_thread_t *t);
/* Seconds since the replica last heard from the primary; 0 without replication. */
double gw_replica_lag_s(const gw_server_t *s);
/* The catalog as /v1/health reports it: "ok", "lagging" or "down" (the replica cannot be reached). */
const char *gw_replica_state(const gw_thread_t *t);

#endif
