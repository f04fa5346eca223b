/* Tenant and license-admin endpoints of the tenancy model: discovery, languages, usage. */
#include "gateway/gw_handlers.h"
#include "gateway/gw_quota.h"

#include <string.h>

static json_t *tier_json(const gw_principal_t *p)
{
    return json_pack("{s:s,s:I,s:I,s:I,s:I,s:i}", "name", p->tier, "hourlyQuota", (json_int_t)p->hourly_quota,
                     "maxFileBytes", (json_int_t)p->max_file_bytes, "maxPages", (json_int_t)p->max_pages,
                     "maxPixelsPerPage", (json_int_t)p->max_pixels, "maxRetentionDays",
                     p->max_retention_days);
}

void gw_h_licenses(gw_req_t *r)
{
    const gw_principal_t *p = &r->who;
    const rgn_region_t *home = rgn_find(&r->thr->server->regions, p->region);
    char exp[32];
    json_t *j = json_pack("{s:s,s:s,s:s,s:o,s:s,s:o}", "licenseId", p->license_id, "appId", p->app_id,
                          "processingRegion", p->region, "endpoint",
                          home != NULL ? json_string(home->endpoint) : json_null(), "status", p->status,
                          "tier", tier_json(p));
    if (p->expires_at != 0) {
        gw_format_time(p->expires_at, exp, sizeof(exp));
        json_object_set_new(j, "expiresAt", json_string(exp));
    } else {
        json_object_set_new(j, "expiresAt", json_null());
    }
    gw_send_json(r, 200, j);
}

void gw_h_languages(gw_req_t *r)
{
    const char *v = r->thr->server->languages_json;
    gw_send_json_text(r, 200, v, strlen(v));
}

void gw_h_usage(gw_req_t *r)
{
    if (!r->quota_known) {
        gw_add_header(r, "Retry-After", "5");
        gw_send_error(r, 503, "Unavailable", NULL,
                      "the region database cannot be reached; try again shortly");
        return;
    }
    char reset[32], start[32];
    gw_format_time(r->quota_reset, reset, sizeof(reset));
    gw_format_time(r->quota_reset - GW_QUOTA_WINDOW, start, sizeof(start));
    json_t *j =
        json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:s,s:s}", "licenseId", r->who.license_id, "processingRegion",
                  r->who.region, "tier", r->who.tier, "limit", (json_int_t)r->quota_limit, "used",
                  (json_int_t)(r->quota_limit - r->quota_remaining), "remaining",
                  (json_int_t)r->quota_remaining, "windowStart", start, "resetsAt", reset);
    gw_send_json(r, 200, j);
}
