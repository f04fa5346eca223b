/*
 * gw_guard: limits that keep one client address from hurting the others, enforced before anyone is
 * authenticated (h2o 2.2.5 reads a whole request body before the handler runs and cannot authenticate on
 * headers): connections per client address and per node, checked at accept; the body a request without any
 * credential header may carry; and catalog look-ups of unknown credentials (random pairs always miss the
 * cache, and each costs a catalog round trip), per client address and second. An IPv6 client address is its
 * /64 (one host usually holds the whole prefix).
 *
 * Shared by every loop thread: one table of client addresses under a mutex that is held for a few hash-table
 * steps and never across I/O. Counters for /metrics are atomics. Nothing returned is allocated.
 */
#ifndef OCRGATE_GW_GUARD_H
#define OCRGATE_GW_GUARD_H

#include <stdio.h>

#include "gateway/gw.h"

/* A socket just accepted by thread `t`: 0 when admitted (its slot is given back when it closes), -1 when over
 * a cap, and then the socket is already closed. */
int gw_guard_connection(gw_thread_t *t, h2o_socket_t *sock);
/* A request without X-License-Id, X-App-Id or Authorization whose body is over unauthenticated_body_limit:
 * answers 401, closes the connection after the answer and returns 1; otherwise 0. */
int gw_guard_body(gw_req_t *r);
/* Before a catalog look-up for credentials the cache does not hold: 0 when the client address may make one;
 * -1 when its look-ups found no such credentials unknown_lookups_per_address times this second, and then a
 * 503 with Retry-After has been sent. Real tenants' pairs are found and never count. */
int gw_guard_lookup(gw_req_t *r);
/* A catalog look-up for the request found no such credentials: counts against its address. */
void gw_guard_unknown(gw_req_t *r);
/* The guard's counters in Prometheus text format. */
void gw_guard_metrics(FILE *out);

#endif
