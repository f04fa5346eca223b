/*
 * gw_handlers: the endpoint handlers named in the route table (gw_routes.c). Each runs on the loop thread
 * after routing, admission and quota, and answers through gw_send* exactly once (possibly after async calls).
 */
#ifndef OCRGATE_GW_HANDLERS_H
#define OCRGATE_GW_HANDLERS_H

#include "gateway/gw.h"
#include "gateway/gw_options.h"

/* gw_public.c */
void gw_h_health(gw_req_t *r);
void gw_h_version(gw_req_t *r);
void gw_h_regions(gw_req_t *r);
void gw_h_openapi(gw_req_t *r);
/* gw_tenant.c */
void gw_h_licenses(gw_req_t *r);
void gw_h_languages(gw_req_t *r);
void gw_h_usage(gw_req_t *r);
/* gw_jobs.c */
void gw_h_job_create(gw_req_t *r);
void gw_h_job_list(gw_req_t *r);
void gw_h_job_get(gw_req_t *r);
void gw_h_job_patch(gw_req_t *r);
void gw_h_job_delete(gw_req_t *r);
void gw_h_job_upload(gw_req_t *r);
void gw_h_job_schedule(gw_req_t *r);
void gw_h_job_cancel(gw_req_t *r);
void gw_h_job_result(gw_req_t *r);
void gw_h_job_barcodes(gw_req_t *r);
void gw_h_page_list(gw_req_t *r);
void gw_h_page_result(gw_req_t *r);
void gw_h_page_image(gw_req_t *r);
void gw_h_thumbnail(gw_req_t *r);
/* gw_admin.c */
void gw_h_apps_list(gw_req_t *r);
void gw_h_apps_create(gw_req_t *r);
void gw_h_apps_patch(gw_req_t *r);
void gw_h_apps_delete(gw_req_t *r);
void gw_h_apps_analytics(gw_req_t *r);
/* gw_webhooks.c */
void gw_h_webhook_create(gw_req_t *r);
void gw_h_webhook_list(gw_req_t *r);
void gw_h_webhook_patch(gw_req_t *r);
void gw_h_webhook_delete(gw_req_t *r);
void gw_h_webhook_rotate(gw_req_t *r);
void gw_h_webhook_test(gw_req_t *r);
void gw_h_webhook_deliveries(gw_req_t *r);
/* gw_admin_key.c */
void gw_h_admin_key_rotate(gw_req_t *r);
/* gw_info.c */
/* The option limits of the caller's tier and of this node (languages, clean-up). */
void gw_option_limits(gw_req_t *r, gw_opt_limits_t *lim);
void gw_h_tpl_create(gw_req_t *r);
void gw_h_tpl_list(gw_req_t *r);
void gw_h_tpl_get(gw_req_t *r);
void gw_h_tpl_patch(gw_req_t *r);
void gw_h_tpl_delete(gw_req_t *r);
void gw_h_formats(gw_req_t *r);
void gw_h_stats(gw_req_t *r);
void gw_h_serverload(gw_req_t *r);
/* gw_metrics.c */
void gw_h_metrics(gw_req_t *r);
/* Folds the region's job-count deltas into their totals (DB_RGN_JOB_COUNTS_FOLD), so that what /metrics adds
 * up stays short: from the periodic tick of loop thread 0, without waiting for its answer. */
void gw_metrics_fold(gw_thread_t *t);
/* gw_portal.c */
void gw_h_portal(gw_req_t *r);
void gw_h_portal_index(gw_req_t *r);

#endif
