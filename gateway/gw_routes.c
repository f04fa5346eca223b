/* The route table: every endpoint of API.md this node serves, with its admission and quota rule, and
 * GW_BODY_JSON where the body is JSON (POST /v1/jobs checks its JSON body or options part itself). */
#include "gateway/gw_handlers.h"
#include "gateway/gw_router.h"

const gw_route_t gw_routes[] = {
    {"GET", "/v1/health", GW_AUTH_NONE, GW_QUOTA_NONE, gw_h_health, GW_BODY_ANY},
    {"GET", "/v1/version", GW_AUTH_NONE, GW_QUOTA_NONE, gw_h_version, GW_BODY_ANY},
    {"GET", "/v1/regions", GW_AUTH_NONE, GW_QUOTA_NONE, gw_h_regions, GW_BODY_ANY},
    {"GET", "/v1/openapi.json", GW_AUTH_NONE, GW_QUOTA_NONE, gw_h_openapi, GW_BODY_ANY},
    {"GET", "/v1/licenses", GW_AUTH_TENANT_ANY_REGION, GW_QUOTA_PEEK, gw_h_licenses, GW_BODY_ANY},
    {"GET", "/v1/languages", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_languages, GW_BODY_ANY},
    {"GET", "/v1/usage", GW_AUTH_ADMIN, GW_QUOTA_READ, gw_h_usage, GW_BODY_ANY},
    {"POST", "/v1/jobs", GW_AUTH_TENANT, GW_QUOTA_OWN, gw_h_job_create, GW_BODY_ANY},
    {"GET", "/v1/jobs", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_job_list, GW_BODY_ANY},
    {"GET", "/v1/jobs/{id}", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_job_get, GW_BODY_ANY},
    {"PATCH", "/v1/jobs/{id}", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_job_patch, GW_BODY_JSON},
    {"DELETE", "/v1/jobs/{id}", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_job_delete, GW_BODY_ANY},
    {"PUT", "/v1/jobs/{id}/document", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_job_upload, GW_BODY_ANY},
    {"POST", "/v1/jobs/{id}/schedule", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_job_schedule, GW_BODY_ANY},
    {"POST", "/v1/jobs/{id}/cancel", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_job_cancel, GW_BODY_ANY},
    /* Before the formats: barcodes are not an output format but the result of detectBarcodes. */
    {"GET", "/v1/jobs/{id}/results/barcodes", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_job_barcodes, GW_BODY_ANY},
    {"GET", "/v1/jobs/{id}/results/{format}", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_job_result, GW_BODY_ANY},
    {"GET", "/v1/jobs/{id}/pages", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_page_list, GW_BODY_ANY},
    {"GET", "/v1/jobs/{id}/pages/{n}/results/{format}", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_page_result,
     GW_BODY_ANY},
    {"GET", "/v1/jobs/{id}/pages/{n}/image", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_page_image, GW_BODY_ANY},
    {"GET", "/v1/jobs/{id}/thumbnail", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_thumbnail, GW_BODY_ANY},
    {"GET", "/v1/apps", GW_AUTH_ADMIN, GW_QUOTA_PEEK, gw_h_apps_list, GW_BODY_ANY},
    {"POST", "/v1/apps", GW_AUTH_ADMIN, GW_QUOTA_PEEK, gw_h_apps_create, GW_BODY_JSON},
    {"PATCH", "/v1/apps/{appId}", GW_AUTH_ADMIN, GW_QUOTA_PEEK, gw_h_apps_patch, GW_BODY_JSON},
    {"DELETE", "/v1/apps/{appId}", GW_AUTH_ADMIN, GW_QUOTA_PEEK, gw_h_apps_delete, GW_BODY_ANY},
    {"GET", "/v1/apps/{appId}/analytics", GW_AUTH_ADMIN, GW_QUOTA_PEEK, gw_h_apps_analytics, GW_BODY_ANY},
    {"POST", "/v1/templates", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_tpl_create, GW_BODY_JSON},
    {"GET", "/v1/templates", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_tpl_list, GW_BODY_ANY},
    {"GET", "/v1/templates/{id}", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_tpl_get, GW_BODY_ANY},
    {"PATCH", "/v1/templates/{id}", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_tpl_patch, GW_BODY_JSON},
    {"DELETE", "/v1/templates/{id}", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_tpl_delete, GW_BODY_ANY},
    {"GET", "/v1/formats", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_formats, GW_BODY_ANY},
    {"GET", "/v1/stats", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_stats, GW_BODY_ANY},
    {"GET", "/v1/serverload", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_serverload, GW_BODY_ANY},
    {"GET", "/portal", GW_AUTH_NONE, GW_QUOTA_NONE, gw_h_portal_index, GW_BODY_ANY},
    {"GET", "/portal/", GW_AUTH_NONE, GW_QUOTA_NONE, gw_h_portal_index, GW_BODY_ANY},
    {"GET", "/portal/{file}", GW_AUTH_NONE, GW_QUOTA_NONE, gw_h_portal, GW_BODY_ANY},
};
const size_t gw_nroutes = sizeof(gw_routes) / sizeof(gw_routes[0]);
