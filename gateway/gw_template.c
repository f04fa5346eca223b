/* Templates: a named set of job options per app (POST /v1/jobs?template=ID starts from them). GET, POST
 * /v1/templates and GET, PATCH, DELETE /v1/templates/{id}. Runs on the request's loop thread. */
#include "gateway/gw_handlers.h"
#include "gateway/gw_jobs.h"
#include "gateway/gw_options.h"

#include <stdlib.h>
#include <string.h>

static const char *const TEMPLATE_EXTRA[] = {"name", NULL};

typedef struct {
    char id[37]; /* the template of the path, or the one being created */
} tpl_req_t;

static tpl_req_t *tstate(gw_req_t *r)
{
    return gw_hstate(r, sizeof(tpl_req_t), NULL);
}

static int path_template(gw_req_t *r, tpl_req_t *t)
{
    return gw_path_uuid(r, 0, "template", t->id);
}

/* Options and name from the body; `need_name` on creation. Sends the 400 itself. */
static int template_body(gw_req_t *r, int need_name, const json_t *base, json_t **opts, char **name)
{
    gw_opt_limits_t lim;
    gw_opt_error_t oe;
    json_t *extra = NULL;
    gw_option_limits(r, &lim);
    h2o_iovec_t b = gw_body(r);
    if (gw_options_from_json(b.base, b.len, TEMPLATE_EXTRA, base, &lim, opts, &extra, &oe) != 0) {
        gw_send_opt_error(r, &oe, 0);
        return -1;
    }
    json_t *n = json_object_get(extra, "name");
    const char *s = json_string_value(n);
    if ((n != NULL && (s == NULL || strlen(s) < 1 || strlen(s) > 200)) || (need_name && n == NULL)) {
        json_decref(extra);
        json_decref(*opts);
        gw_send_error(r, 400, n == NULL ? "MissingInput" : "InvalidInput",
                      json_pack("[{s:s,s:s}]", "field", "name", "message", "a string of 1 to 200 bytes"),
                      "name: a string of 1 to 200 bytes is required");
        return -1;
    }
    *name = s != NULL ? strdup(s) : NULL;
    json_decref(extra);
    return 0;
}

static void send_template(gw_req_t *r, PGresult *res, int status)
{
    if (PQntuples(res) == 0) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "no such template");
        return;
    }
    const char *t = PQgetvalue(res, 0, 0);
    gw_send_json_text(r, status, t, strlen(t));
}

static void on_tpl_created(gw_req_t *r, PGresult *res)
{
    char loc[64];
    snprintf(loc, sizeof(loc), "/v1/templates/%s", tstate(r)->id);
    gw_add_header(r, "Location", loc);
    send_template(r, res, 201);
}

void gw_h_tpl_create(gw_req_t *r)
{
    tpl_req_t *t = tstate(r);
    json_t *opts;
    char *name;
    if (template_body(r, 1, NULL, &opts, &name) != 0)
        return;
    gw_uuid_new(t->id);
    char *o = json_dumps(opts, JSON_COMPACT);
    const char *p[4] = {t->id, r->who.app_id, name, o};
    gw_db_query(r, GW_DB_REGION, DB_RGN_TPL_CREATE, p, NULL, on_tpl_created);
    free(o);
    free(name);
    json_decref(opts);
}

static void on_tpl_list(gw_req_t *r, PGresult *res)
{
    json_t *list = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    if (list == NULL) {
        gw_send_error(r, 500, "InternalError", NULL, "the template list could not be read");
        return;
    }
    gw_send_json(r, 200, json_pack("{s:o}", "templates", list));
}

void gw_h_tpl_list(gw_req_t *r)
{
    const char *p[1] = {r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_TPL_LIST, p, NULL, on_tpl_list);
}

static void on_tpl_one(gw_req_t *r, PGresult *res)
{
    send_template(r, res, 200);
}

void gw_h_tpl_get(gw_req_t *r)
{
    tpl_req_t *t = tstate(r);
    if (path_template(r, t) != 0)
        return;
    const char *p[2] = {t->id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_TPL_GET, p, NULL, on_tpl_one);
}

static void on_tpl_current(gw_req_t *r, PGresult *res)
{
    tpl_req_t *t = tstate(r);
    if (PQntuples(res) == 0) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "no such template");
        return;
    }
    json_t *base = json_loads(PQgetvalue(res, 0, 1), 0, NULL), *opts;
    char *name;
    int rc = template_body(r, 0, base, &opts, &name);
    json_decref(base);
    if (rc != 0)
        return;
    char *o = json_dumps(opts, JSON_COMPACT);
    const char *p[4] = {t->id, r->who.app_id, name, o};
    gw_db_query(r, GW_DB_REGION, DB_RGN_TPL_UPDATE, p, NULL, on_tpl_one);
    free(o);
    free(name);
    json_decref(opts);
}

void gw_h_tpl_patch(gw_req_t *r)
{
    tpl_req_t *t = tstate(r);
    if (path_template(r, t) != 0)
        return;
    const char *p[2] = {t->id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_TPL_GET, p, NULL, on_tpl_current);
}

static void on_tpl_deleted(gw_req_t *r, PGresult *res)
{
    if (PQntuples(res) == 0) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "no such template");
        return;
    }
    gw_send(r, 204, "application/json", "", 0);
}

void gw_h_tpl_delete(gw_req_t *r)
{
    tpl_req_t *t = tstate(r);
    if (path_template(r, t) != 0)
        return;
    const char *p[2] = {t->id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_TPL_DELETE, p, NULL, on_tpl_deleted);
}
