/* The route table: every endpoint of API.md this node serves, with its admission and quota rule. */
#include "gateway/gw_handlers.h"
#include "gateway/gw_router.h"

const gw_route_t gw_routes[] = {
    {"GET", "/v1/health", GW_AUTH_NONE, GW_QUOTA_NONE, gw_h_health},
    {"GET", "/v1/version", GW_AUTH_NONE, GW_QUOTA_NONE, gw_h_version},
    {"GET", "/v1/regions", GW_AUTH_NONE, GW_QUOTA_NONE, gw_h_regions},
    {"GET", "/v1/openapi.json", GW_AUTH_NONE, GW_QUOTA_NONE, gw_h_openapi},
    {"GET", "/v1/licenses", GW_AUTH_TENANT_ANY_REGION, GW_QUOTA_PEEK, gw_h_licenses},
    {"GET", "/v1/languages", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_languages},
    {"GET", "/v1/usage", GW_AUTH_ADMIN, GW_QUOTA_PEEK, gw_h_usage},
    {"POST", "/v1/jobs", GW_AUTH_TENANT, GW_QUOTA_OWN, gw_h_job_create},
    {"GET", "/v1/jobs", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_job_list},
    {"GET", "/v1/jobs/{id}", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_job_get},
    {"PATCH", "/v1/jobs/{id}", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_job_patch},
    {"DELETE", "/v1/jobs/{id}", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_job_delete},
    {"PUT", "/v1/jobs/{id}/document", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_job_upload},
    {"POST", "/v1/jobs/{id}/schedule", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_job_schedule},
    {"POST", "/v1/jobs/{id}/cancel", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_job_cancel},
    {"GET", "/v1/jobs/{id}/results/{format}", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_job_result},
    {"GET", "/v1/jobs/{id}/pages", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_page_list},
    {"GET", "/v1/jobs/{id}/pages/{n}/results/{format}", GW_AUTH_TENANT, GW_QUOTA_COUNT, gw_h_page_result},
};
const size_t gw_nroutes = sizeof(gw_routes) / sizeof(gw_routes[0]);
