/*
 * gw_quota: the hourly quota of API.md. The window is the UTC clock hour, counted per license in the region
 * database. Each loop thread leases blocks of the window with one conditional upsert (single flight per
 * license, adaptive block size, never more than what is left) and gives unused units back when idle and on
 * drain: exact across every node without a round trip per request. Runs on the loop thread.
 */
#ifndef OCRGATE_GW_QUOTA_H
#define OCRGATE_GW_QUOTA_H

#include "gateway/gw.h"

/* Counts the request: next(r) when admitted, else sends 429 (or 503 when the region database is down). */
void gw_quota_take(gw_req_t *r, void (*next)(gw_req_t *r));
/* Reads the window without counting, to fill the quota headers; next(r) runs either way (headers are left
 * out when the database cannot be read). */
void gw_quota_peek(gw_req_t *r, void (*next)(gw_req_t *r));
/* The same, but always read from the database (GET /v1/usage must be exact; a peek may show a window read up
 * to a second ago). */
void gw_quota_read(gw_req_t *r, void (*next)(gw_req_t *r));
/* Fills the request's quota window and the statement parameters for it (license, window start, limit). */
void gw_quota_prepare(gw_req_t *r, char lic[37], char start[24], char limit[24]);
/* Records a count returned by a statement that took the quota (NULL: refused) and sends the 429 when refused;
 * returns 0 when admitted. */
int gw_quota_apply(gw_req_t *r, const char *used);
/* Each loop thread's leased units (see gw_quota.c). */
gw_quota_cache_t *gw_quota_cache_create(gw_thread_t *thr);
/* Frees the cache; no statement for it may be pending. */
void gw_quota_cache_destroy(gw_quota_cache_t *qc);
/* Entries held (licenses seen in the current window, and older ones still pinned by a pending statement). */
size_t gw_quota_cache_entries(const gw_quota_cache_t *qc);
/* Periodic upkeep on the loop thread: gives back units left idle (all of them when `all`, at shutdown) and
 * drops entries of past windows. */
void gw_quota_tick(gw_quota_cache_t *qc, int all);

#endif
