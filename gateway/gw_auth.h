/*
 * gw_auth: who is calling. Parses tenant credentials (X-License-Id + X-App-Id, or HTTP Basic) and admin
 * keys, keeps each loop thread's credential cache (positive and negative entries with TTLs, bounded,
 * dropped on catalog NOTIFY, flushed when the listener reconnects), and applies the 401 rules of API.md.
 * Everything here runs on the owning loop thread (gw_auth_notice on any); lookups that miss the cache go
 * through async libpq.
 */
#ifndef OCRGATE_GW_AUTH_H
#define OCRGATE_GW_AUTH_H

#include "gateway/gw.h"

/* Tenant credentials from the headers' values (any may be NULL). Returns 0 and the two ids, or -1. */
int gw_parse_tenant_credentials(const char *lic, size_t lic_len, const char *app, size_t app_len,
                                const char *authz, size_t authz_len, char license_id[37], char app_id[37]);

gw_auth_cache_t *gw_auth_cache_create(int max_entries);
void gw_auth_cache_destroy(gw_auth_cache_t *cache);
/* Drops entries named by a catalog notification payload ("apps:<id>", "licenses:<id>", "tiers:<name>"). */
void gw_auth_cache_invalidate(gw_auth_cache_t *cache, const char *payload);
void gw_auth_cache_flush(gw_auth_cache_t *cache);
/* A catalog notification read by any thread's listener, for every thread's cache: each applies it (as
 * gw_auth_cache_invalidate) before its next look-up, so once one thread has seen a change, none answers from
 * before it. Any thread. */
void gw_auth_notice(const char *payload);
/* Where the cache's invalidations stand now: taken when a catalog look-up begins and given to
 * gw_auth_cache_put with its answer. */
uint64_t gw_auth_cache_generation(gw_auth_cache_t *cache);
/* Caches the answer for "license/app" (p NULL: unknown pair) for ttl seconds, unless an invalidation of that
 * license or app, or a flush, arrived since generation `since`: the answer may then predate the change.
 * Returns 1 when cached. */
int gw_auth_cache_put(gw_auth_cache_t *cache, const char *key, const gw_principal_t *p, int ttl,
                      uint64_t since);
/* A live entry for "license/app": 1 (known, *out filled), 0 (cached as unknown) or -1 (not cached). */
int gw_auth_cache_get(gw_auth_cache_t *cache, const char *key, gw_principal_t *out);
/* Counters for metrics and tests. */
void gw_auth_cache_stats(const gw_auth_cache_t *cache, uint64_t *hits, uint64_t *misses, size_t *entries);

/* Admits the request according to r->route->auth: on success fills r->who and calls next(r); otherwise sends
 * the 401 (or 503 when the catalog cannot be asked) itself. */
void gw_admit(gw_req_t *r, void (*next)(gw_req_t *r));
/* Non-zero when the license is active now (status active and not past its expiry). */
int gw_license_active(const gw_principal_t *p, int64_t now);

#endif
