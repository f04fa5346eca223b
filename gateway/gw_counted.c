/* Refusals counted against the quota first (gw_counted.h). */
#include "gateway/gw_counted.h"
#include "gateway/gw_quota.h"

#include <stdarg.h>
#include <stdio.h>

static void send_pending(gw_req_t *r)
{
    json_t *d = r->pend_details;
    r->pend_details = NULL;
    gw_send_error(r, r->pend_status, r->pend_code, d, "%s", r->pend_msg);
}

void gw_fail_counted(gw_req_t *r, int status, const char *code, json_t *details, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->pend_msg, sizeof(r->pend_msg), fmt, ap);
    va_end(ap);
    r->pend_status = status;
    r->pend_code = code;
    json_decref(r->pend_details);
    r->pend_details = details;
    if (r->counted)
        send_pending(r);
    else
        gw_quota_take(r, send_pending);
}
