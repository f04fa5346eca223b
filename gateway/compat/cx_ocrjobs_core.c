/* The ownOCR surface's frame (cx_ocrjobs.h): prefix and routes, request state, the hand-off to v1 handlers
 * and the reshaping of their answers, ApiResponse errors, visible apps, the Id of the path. Loop thread. */
#include "gateway/compat/cx_ocrjobs.h"
#include "gateway/gw_counted.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define T GW_AUTH_TENANT_OR_ADMIN
const gw_route_t cx_ocrjobs_routes[] = {
    {"POST", "/create", T, GW_QUOTA_OWN, cx_h_create, GW_BODY_ANY},
    {"POST", "/createfromtemplate/{id}", T, GW_QUOTA_OWN, cx_h_createfromtemplate, GW_BODY_ANY},
    {"POST", "/setoptions/{id}", T, GW_QUOTA_COUNT, cx_h_setoptions, GW_BODY_JSON},
    {"POST", "/upload/{id}", T, GW_QUOTA_COUNT, cx_h_upload, GW_BODY_ANY},
    {"POST", "/upload/{id}/{ext}", T, GW_QUOTA_COUNT, cx_h_upload, GW_BODY_ANY},
    {"POST", "/uploadext/{id}/{ext}", T, GW_QUOTA_COUNT, cx_h_upload, GW_BODY_ANY},
    {"POST", "/schedule/{id}", T, GW_QUOTA_COUNT, cx_h_schedule, GW_BODY_ANY},
    {"GET", "/status/{id}", T, GW_QUOTA_COUNT, cx_h_status, GW_BODY_ANY},
    {"GET", "/download/{id}/{ext}", T, GW_QUOTA_COUNT, cx_h_download, GW_BODY_ANY},
    {"GET", "/info/{id}", T, GW_QUOTA_COUNT, cx_h_info, GW_BODY_ANY},
    {"POST", "/cancel/{id}", T, GW_QUOTA_COUNT, cx_h_cancel, GW_BODY_ANY},
    {"DELETE", "/delete/{id}", T, GW_QUOTA_COUNT, cx_h_delete, GW_BODY_ANY},
    {"POST", "/query", T, GW_QUOTA_COUNT, cx_h_query, GW_BODY_ANY},
    {"POST", "/createtemplate", T, GW_QUOTA_COUNT, cx_h_createtemplate, GW_BODY_ANY},
    {"GET", "/templates", T, GW_QUOTA_COUNT, cx_h_templates, GW_BODY_ANY},
    {"GET", "/count", T, GW_QUOTA_COUNT, cx_h_count, GW_BODY_ANY},
    {"GET", "/runningcount", T, GW_QUOTA_COUNT, cx_h_runningcount, GW_BODY_ANY},
    {"GET", "/all", T, GW_QUOTA_COUNT, cx_h_all, GW_BODY_ANY},
    {"GET", "/allbystatus/{status}", T, GW_QUOTA_COUNT, cx_h_allbystatus, GW_BODY_ANY},
    {"GET", "/folders", T, GW_QUOTA_COUNT, cx_h_folders, GW_BODY_ANY},
    {"GET", "/folder/{id}", T, GW_QUOTA_COUNT, cx_h_folder, GW_BODY_ANY},
    {"POST", "/postfolder/{id}", T, GW_QUOTA_COUNT, cx_h_folder, GW_BODY_ANY},
    {"POST", "/postfolderu/{id}", T, GW_QUOTA_COUNT, cx_h_folder, GW_BODY_ANY},
    {"GET", "/languages", T, GW_QUOTA_COUNT, cx_h_languages, GW_BODY_ANY},
    {"GET", "/version", T, GW_QUOTA_COUNT, cx_h_version, GW_BODY_ANY},
    {"GET", "/test", T, GW_QUOTA_COUNT, cx_h_test, GW_BODY_ANY},
    {"GET", "/name", T, GW_QUOTA_COUNT, cx_h_name, GW_BODY_ANY},
    {"GET", "/nameversion", T, GW_QUOTA_COUNT, cx_h_nameversion, GW_BODY_ANY},
    {"GET", "/stats", T, GW_QUOTA_COUNT, cx_h_stats, GW_BODY_ANY},
    {"GET", "/serverload", T, GW_QUOTA_COUNT, cx_h_serverload, GW_BODY_ANY},
    {"GET", "/guid", T, GW_QUOTA_COUNT, cx_h_guid, GW_BODY_ANY},
    {"GET", "/supportedexts", T, GW_QUOTA_COUNT, cx_h_supportedexts, GW_BODY_ANY},
    {"GET", "/openapi.json", GW_AUTH_NONE, GW_QUOTA_NONE, cx_h_openapi, GW_BODY_ANY},
};
#undef T
const size_t cx_ocrjobs_nroutes = sizeof(cx_ocrjobs_routes) / sizeof(cx_ocrjobs_routes[0]);

static void state_dispose(void *p)
{
    cx_req_t *s = p;
    json_decref(s->apps);
    json_decref(s->object);
    json_decref(s->v1_options);
}

cx_req_t *cx_state(gw_req_t *r)
{
    return gw_sstate(r, sizeof(cx_req_t), state_dispose);
}

/* Which of the surface's answers gw_send hands to reshape() next (the surface's hook, below). */
static void set_mode(gw_req_t *r, cx_mode_t mode)
{
    cx_state(r)->mode = mode;
}

/* The reference lists no 409, 410 or 202: a refused state change is its 400, a job past retention is gone. */
static int mapped_status(int status)
{
    switch (status) {
    case 409:
    case 202:
        return 400;
    case 410:
        return 404;
    default:
        return status;
    }
}

static void send_api_response(gw_req_t *r, int status, json_t *v1 /* stolen, may be NULL */, const char *code,
                              const char *message)
{
    json_t *j = json_pack("{s:i,s:s,s:s,s:s}", "StatusCode", status, "Message", message, "ErrorCode", code,
                          "RequestId", r->request_id);
    if (j == NULL)
        j = json_pack("{s:i,s:s,s:s,s:s}", "StatusCode", status, "Message", "invalid request", "ErrorCode",
                      code, "RequestId", r->request_id);
    static const struct {
        const char *v1, *member;
    } extra[] = {{"processingRegion", "ProcessingRegion"}, {"endpoint", "Endpoint"}};
    for (size_t i = 0; v1 != NULL && i < sizeof(extra) / sizeof(extra[0]); ++i) {
        json_t *v = json_object_get(v1, extra[i].v1);
        if (v != NULL)
            json_object_set(j, extra[i].member, v);
    }
    json_t *details = json_object_get(v1, "errorDetails"), *d;
    size_t i;
    if (json_is_array(details)) {
        json_t *out = json_array();
        json_array_foreach(details, i, d)
        {
            const char *f = json_string_value(json_object_get(d, "field"));
            const char *m = cx_member_of(f != NULL ? f : "");
            json_array_append_new(out, json_pack("{s:s,s:s}", "Field",
                                                 m != NULL   ? m
                                                 : f != NULL ? f
                                                             : "",
                                                 "Message",
                                                 json_string_value(json_object_get(d, "message")) ?: ""));
        }
        json_object_set_new(j, "ErrorDetails", out);
    }
    json_decref(v1);
    set_mode(r, CX_AS_IS);
    gw_send_json(r, status, j);
}

/* A v1 error body (errorCode, message, ...) as the ApiResponse with the reference's status. */
static void reshape_error(gw_req_t *r, int status, const char *body, size_t len)
{
    json_t *v1 = json_loadb(body, len, 0, NULL);
    const char *code = json_string_value(json_object_get(v1, "errorCode"));
    const char *msg = json_string_value(json_object_get(v1, "message"));
    if (status == 202) { /* a result asked for before the job has it */
        const char *st = json_string_value(json_object_get(v1, "status"));
        char m[160];
        snprintf(m, sizeof(m), "the job is not converted yet (its status is %d)",
                 cx_status_code(st != NULL ? st : ""));
        send_api_response(r, 400, v1, "InvalidState", m);
        return;
    }
    char own[160];
    if (code != NULL && strcmp(code, "NoSuchEndpoint") == 0) { /* the router's sentence names v1's document */
        snprintf(own, sizeof(own), "no such action; see %s/openapi.json", r->thr->server->cfg.ocrjobs_prefix);
        msg = own;
    }
    send_api_response(r, mapped_status(status), v1, code != NULL ? code : "InternalError",
                      msg != NULL ? msg : "the request failed");
}

/* The mode of every request of the surface until it hands one to v1: errors of admission, quota and routing
 * become ApiResponse objects. */
static void reshape_default(gw_req_t *r, int status, const char *content_type, const char *body, size_t len)
{
    if (status >= 400 && strncmp(content_type, "application/json", 16) == 0) {
        reshape_error(r, status, body, len);
        return;
    }
    gw_send(r, status, content_type, body, len);
}

static void reshape_v1(gw_req_t *r, int status, const char *content_type, const char *body, size_t len);

/* The surface's hook (gw_surface_t.reshape): one answer in the current mode, after which the surface's own
 * answers go out as they are until a mode is set again (cx_v1, cx_fail_counted). */
static int reshape(gw_req_t *r, int status, const char *content_type, const char *body, size_t len)
{
    cx_req_t *s = cx_state(r);
    cx_mode_t mode = s->mode;
    if (mode == CX_AS_IS)
        return 0;
    s->mode = CX_AS_IS;
    if (mode == CX_V1)
        reshape_v1(r, status, content_type, body, len);
    else
        reshape_default(r, status, content_type, body, len);
    return 1;
}

static const gw_surface_t surface = {.reshape = reshape};

int cx_ocrjobs_claim(gw_req_t *r, h2o_iovec_t *path)
{
    const char *prefix = r->thr->server->cfg.ocrjobs_prefix;
    size_t n = strlen(prefix);
    while (n > 0 && prefix[n - 1] == '/')
        --n;
    if (n == 0 || path->len <= n || memcmp(path->base, prefix, n) != 0 || path->base[n] != '/')
        return 0;
    path->base += n;
    path->len -= n;
    r->surface = &surface;
    set_mode(r, CX_ERRORS);
    return 1;
}

void cx_send_value(gw_req_t *r, json_t *v)
{
    /* The reference answers bare integers, strings and booleans: JSON text that is no object. */
    char *text = json_dumps(v, GW_JSON_FLAGS | JSON_ENCODE_ANY);
    json_decref(v);
    if (text == NULL) {
        cx_send_error(r, 500, "InternalError", "the response could not be encoded");
        return;
    }
    set_mode(r, CX_AS_IS);
    gw_send_json_text(r, 200, text, strlen(text));
    free(text);
}

void cx_send_error(gw_req_t *r, int status, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    send_api_response(r, status, NULL, code, msg);
}

void cx_fail_counted(gw_req_t *r, int status, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    set_mode(r, CX_ERRORS);
    gw_fail_counted(r, status, code, NULL, "%s", msg);
}

static void on_apps(gw_req_t *r, PGresult *res)
{
    cx_req_t *s = cx_state(r);
    s->apps = json_object();
    int n = PQntuples(res);
    char *lit = h2o_mem_alloc_pool(&r->req->pool, (size_t)n * 37 + 40), *p = lit;
    *p++ = '{';
    for (int i = 0; i < n; ++i) {
        const char *id = PQgetvalue(res, i, 0);
        if (!s->admin && strcmp(id, s->user) != 0)
            continue;
        json_object_set_new(s->apps, id, json_string(PQgetvalue(res, i, 1)));
        if (s->admin)
            p += sprintf(p, "%s%s", p - lit > 1 ? "," : "", id);
    }
    /* An app always sees its own jobs, also while the replica has not caught up with its name. */
    if (!s->admin)
        p += sprintf(p, "%s", s->user);
    *p++ = '}';
    *p = '\0';
    s->visible = lit;
    s->after_apps(r);
}

void cx_with_apps(gw_req_t *r, void (*next)(gw_req_t *r))
{
    cx_req_t *s = cx_state(r);
    s->admin = r->who.app_id[0] == '\0';
    memcpy(s->user, r->who.app_id, sizeof(s->user));
    s->after_apps = next;
    const char *p[1] = {r->who.license_id};
    gw_db_query(r, GW_DB_CATALOG, DB_CAT_APP_LIST, p, NULL, on_apps);
}

json_t *cx_row_object(gw_req_t *r, PGresult *res, int row)
{
    cx_req_t *s = cx_state(r);
    json_t *v1 = json_loads(PQgetvalue(res, row, 3), 0, NULL);
    json_t *barcodes = json_loads(PQgetvalue(res, row, 6), 0, NULL);
    const char *name = json_string_value(json_object_get(s->apps, PQgetvalue(res, row, 2)));
    json_t *job = v1 == NULL ? NULL
                             : cx_job_object(v1, strcmp(PQgetvalue(res, row, 0), "template") == 0,
                                             strtoll(PQgetvalue(res, row, 4), NULL, 10),
                                             PQgetisnull(res, row, 5) ? NULL : PQgetvalue(res, row, 5),
                                             barcodes, name != NULL ? name : "");
    json_decref(v1);
    json_decref(barcodes);
    return job;
}

void cx_send_rows(gw_req_t *r, PGresult *res, int as_array)
{
    int n = PQntuples(res);
    if (!as_array && n == 0) {
        cx_send_error(r, 404, "ResourceNotFound", "no such job");
        return;
    }
    json_t *out = json_array();
    for (int i = 0; i < n && (as_array || i == 0); ++i) {
        json_t *job = cx_row_object(r, res, i);
        if (job == NULL) {
            json_decref(out);
            cx_send_error(r, 500, "InternalError", "the job could not be read");
            return;
        }
        json_array_append_new(out, job);
    }
    set_mode(r, CX_AS_IS);
    if (as_array) {
        gw_send_json(r, 200, out);
        return;
    }
    gw_send_json(r, 200, json_incref(json_array_get(out, 0)));
    json_decref(out);
}

/* A 404 for the path's id; counted first on a route that counts its own requests (createfromtemplate). */
static void not_found(gw_req_t *r, const char *msg)
{
    if (r->route->quota == GW_QUOTA_OWN)
        cx_fail_counted(r, 404, "ResourceNotFound", "%s", msg);
    else
        cx_send_error(r, 404, "ResourceNotFound", "%s", msg);
}

static void on_resolved(gw_req_t *r, PGresult *res)
{
    cx_req_t *s = cx_state(r);
    if (PQntuples(res) == 0) {
        not_found(r, "no such job");
        return;
    }
    s->is_template = strcmp(PQgetvalue(res, 0, 0), "template") == 0;
    snprintf(s->id, sizeof(s->id), "%s", PQgetvalue(res, 0, 1));
    snprintf(s->app, sizeof(s->app), "%s", PQgetvalue(res, 0, 2));
    snprintf(s->v1_status, sizeof(s->v1_status), "%s", PQgetvalue(res, 0, 7));
    s->ocr_id = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
    json_decref(s->object);
    s->object = cx_row_object(r, res, 0);
    json_t *v1 = json_loads(PQgetvalue(res, 0, 3), 0, NULL);
    json_decref(s->v1_options);
    s->v1_options = json_incref(json_object_get(v1, "options"));
    json_decref(v1);
    if (s->admin)
        memcpy(r->who.app_id, s->app, sizeof(s->app));
    s->next(r);
}

static void resolve_with_apps(gw_req_t *r)
{
    cx_req_t *s = cx_state(r);
    /* arg holds the path's id: all digits is an Id, anything else must be a Guid. */
    char uuid[37];
    const char *id = NULL, *guid = NULL;
    size_t n = strlen(s->arg), k = 0;
    while (k < n && s->arg[k] >= '0' && s->arg[k] <= '9')
        ++k;
    if (n > 0 && n <= 18 && k == n)
        id = s->arg;
    else if (gw_uuid_parse(s->arg, n, uuid) == 0)
        guid = uuid;
    else {
        not_found(r, "no such job: an id is the job's Id (an integer) or its Guid");
        return;
    }
    const char *p[3] = {s->visible, id, guid};
    gw_db_query(r, GW_DB_REGION, DB_RGN_OCR_RESOLVE, p, NULL, on_resolved);
}

void cx_resolve(gw_req_t *r, int i, void (*next)(gw_req_t *r))
{
    cx_req_t *s = cx_state(r);
    h2o_iovec_t v = r->params[i];
    size_t n = v.len < sizeof(s->arg) ? v.len : sizeof(s->arg) - 1;
    memcpy(s->arg, v.base, n);
    s->arg[n] = '\0';
    s->next = next;
    if (s->apps == NULL)
        cx_with_apps(r, resolve_with_apps);
    else
        resolve_with_apps(r);
}

/* What the v1 handler answers: its errors as ApiResponse objects, its success to the action's done. */
static void reshape_v1(gw_req_t *r, int status, const char *content_type, const char *body, size_t len)
{
    cx_req_t *s = cx_state(r);
    if (status >= 400 || status == 202) {
        if (strncmp(content_type, "application/json", 16) == 0)
            reshape_error(r, status, body, len);
        else
            cx_send_error(r, mapped_status(status), "InternalError", "the request failed");
        return;
    }
    s->done(r, status, content_type, body, len);
}

void cx_v1(gw_req_t *r, gw_handler_t handler, const char *param1, cx_done_t done)
{
    cx_req_t *s = cx_state(r);
    r->params[0] = h2o_strdup(&r->req->pool, s->id, strlen(s->id));
    r->nparams = 1;
    if (param1 != NULL) {
        r->params[1] = h2o_strdup(&r->req->pool, param1, strlen(param1));
        r->nparams = 2;
    }
    s->done = done;
    s->mode = CX_V1;
    handler(r);
}

void cx_set_body(gw_req_t *r, const char *content_type, const char *body, size_t len)
{
    r->req->entity = h2o_strdup(&r->req->pool, body, len);
    h2o_set_header(&r->req->pool, &r->req->headers, H2O_TOKEN_CONTENT_TYPE, content_type,
                   strlen(content_type), 1);
}

void cx_set_query(gw_req_t *r, const char *query)
{
    h2o_req_t *req = r->req;
    size_t plen = req->input.query_at != SIZE_MAX ? req->input.query_at : req->input.path.len;
    if (query == NULL) {
        req->input.path.len = plen;
        req->input.query_at = SIZE_MAX;
        return;
    }
    size_t qlen = strlen(query);
    char *p = h2o_mem_alloc_pool(&req->pool, plen + 1 + qlen);
    memcpy(p, req->input.path.base, plen);
    p[plen] = '?';
    memcpy(p + plen + 1, query, qlen);
    req->input.path = h2o_iovec_init(p, plen + 1 + qlen);
    req->input.query_at = plen;
}

static void on_reread(gw_req_t *r, PGresult *res)
{
    cx_send_rows(r, res, 0);
}

void cx_send_by_v1_id(gw_req_t *r, const char *body, size_t len, const char *key)
{
    cx_req_t *s = cx_state(r);
    json_t *v1 = json_loadb(body, len, 0, NULL);
    const char *id = json_string_value(json_object_get(v1, key));
    if (id == NULL || strlen(id) >= sizeof(s->id)) {
        json_decref(v1);
        cx_send_error(r, 500, "InternalError", "the job could not be read");
        return;
    }
    snprintf(s->id, sizeof(s->id), "%s", id);
    json_decref(v1);
    const char *p[3] = {s->visible, NULL, s->id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_OCR_RESOLVE, p, NULL, on_reread);
}
