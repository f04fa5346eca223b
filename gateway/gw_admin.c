/* License-admin endpoints (admin key): app management on the catalog and per-app analytics. App changes go
 * to the catalog primary (503 while it is down), are audited with the actor "admin-key:<license>" and reach
 * every node's credential cache by NOTIFY once replicated; reads come from the region's replica. */
#include "gateway/gw_analytics.h"
#include "gateway/gw_auth.h"
#include "gateway/gw_handlers.h"
#include "gateway/gw_query.h"
#include "engine/eng_utf8.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    char app_id[37];
    int64_t from, to;
    int day;
} admin_req_t;

static admin_req_t *astate(gw_req_t *r)
{
    return gw_hstate(r, sizeof(admin_req_t), NULL);
}

static void actor(gw_req_t *r, char out[64])
{
    snprintf(out, 64, "admin-key:%s", r->who.license_id);
}

static json_t *app_json(PGresult *res, int row)
{
    return json_pack("{s:s,s:s,s:b,s:s}", "appId", PQgetvalue(res, row, 0), "name", PQgetvalue(res, row, 1),
                     "enabled", PQgetvalue(res, row, 2)[0] == 't', "createdAt", PQgetvalue(res, row, 3));
}

static int path_app(gw_req_t *r, admin_req_t *a)
{
    return gw_path_uuid(r, 0, "app", a->app_id);
}

static void on_app_list(gw_req_t *r, PGresult *res)
{
    json_t *apps = json_array();
    for (int i = 0; i < PQntuples(res); ++i)
        json_array_append_new(apps, app_json(res, i));
    gw_send_json(r, 200, json_pack("{s:o}", "apps", apps));
}

void gw_h_apps_list(gw_req_t *r)
{
    const char *p[1] = {r->who.license_id};
    gw_db_query(r, GW_DB_CATALOG, DB_CAT_APP_LIST, p, NULL, on_app_list);
}

/* Parses {"name"?, "enabled"?}; `need_name` for creation. Sends the 400 itself. */
static json_t *app_body(gw_req_t *r, int need_name)
{
    h2o_iovec_t b = gw_body(r);
    json_error_t je;
    json_t *o = json_loadb(b.base, b.len, JSON_REJECT_DUPLICATES, &je);
    if (o == NULL || !json_is_object(o)) {
        json_decref(o);
        gw_send_error(r, 400, "MalformedJson", NULL,
                      "the body must be a JSON object such as {\"name\": \"scanner\"}");
        return NULL;
    }
    const char *key;
    json_t *v, *details = json_array();
    const char *code = "InvalidInput";
    json_object_foreach(o, key, v)
    {
        if (strcmp(key, "name") == 0) {
            const char *s = json_string_value(v);
            size_t n = s != NULL ? strlen(s) : 0;
            if (s == NULL || n < 1 || n > 200)
                json_array_append_new(details, json_pack("{s:s,s:s}", "field", "name", "message",
                                                         "a string of 1 to 200 bytes"));
        } else if (strcmp(key, "enabled") == 0) {
            if (!json_is_boolean(v) || need_name)
                json_array_append_new(details,
                                      json_pack("{s:s,s:s}", "field", "enabled", "message",
                                                need_name ? "not accepted on creation" : "true or false"));
        } else {
            code = "UnrecognizedInput";
            json_array_append_new(details, json_pack("{s:s%,s:s}", "field", key,
                                                     strlen(key) > 40 ? (size_t)40 : strlen(key), "message",
                                                     "unknown field (expected name, enabled)"));
        }
    }
    if (need_name && json_object_get(o, "name") == NULL)
        json_array_append_new(details, json_pack("{s:s,s:s}", "field", "name", "message", "required"));
    if (json_array_size(details) > 0) {
        json_t *d0 = json_array_get(details, 0);
        char msg[200];
        snprintf(msg, sizeof(msg), "%s: %s", json_string_value(json_object_get(d0, "field")),
                 json_string_value(json_object_get(d0, "message")));
        if (need_name && json_object_size(o) == 0)
            code = "MissingInput";
        json_decref(o);
        gw_send_error(r, 400, code, details, "%s", msg);
        return NULL;
    }
    json_decref(details);
    return o;
}

static void on_app_created(gw_req_t *r, PGresult *res)
{
    char loc[64];
    snprintf(loc, sizeof(loc), "/v1/apps/%s", PQgetvalue(res, 0, 0));
    gw_add_header(r, "Location", loc);
    gw_send_json(r, 201, app_json(res, 0));
}

void gw_h_apps_create(gw_req_t *r)
{
    json_t *o = app_body(r, 1);
    if (o == NULL)
        return;
    char who[64];
    actor(r, who);
    const char *p[3] = {r->who.license_id, json_string_value(json_object_get(o, "name")), who};
    gw_db_query(r, GW_DB_PRIMARY, DB_CAT_APP_CREATE_AS, p, NULL, on_app_created);
    json_decref(o);
}

static void on_app_updated(gw_req_t *r, PGresult *res)
{
    if (PQntuples(res) == 0) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "no such app");
        return;
    }
    gw_send_json(r, 200, app_json(res, 0));
}

void gw_h_apps_patch(gw_req_t *r)
{
    admin_req_t *a = astate(r);
    if (path_app(r, a) != 0)
        return;
    json_t *o = app_body(r, 0);
    if (o == NULL)
        return;
    char who[64];
    actor(r, who);
    json_t *en = json_object_get(o, "enabled");
    const char *p[5] = {r->who.license_id, a->app_id, json_string_value(json_object_get(o, "name")),
                        en == NULL         ? NULL
                        : json_is_true(en) ? "true"
                                           : "false",
                        who};
    gw_db_query(r, GW_DB_PRIMARY, DB_CAT_APP_UPDATE_AS, p, NULL, on_app_updated);
    json_decref(o);
}

static void on_app_deleted(gw_req_t *r, PGresult *res)
{
    if (PQntuples(res) == 0) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "no such app");
        return;
    }
    gw_send(r, 204, "application/json", "", 0);
}

void gw_h_apps_delete(gw_req_t *r)
{
    admin_req_t *a = astate(r);
    if (path_app(r, a) != 0)
        return;
    char who[64];
    actor(r, who);
    const char *p[3] = {r->who.license_id, a->app_id, who};
    gw_db_query(r, GW_DB_PRIMARY, DB_CAT_APP_DELETE_AS, p, NULL, on_app_deleted);
}

/* ---- analytics ---- */

static void on_analytics(gw_req_t *r, PGresult *res)
{
    admin_req_t *a = astate(r);
    gw_send_json(r, 200, gw_analytics_report(res, a->app_id, a->from, a->to, a->day));
}

static void on_app_known(gw_req_t *r, PGresult *res)
{
    admin_req_t *a = astate(r);
    if (PQntuples(res) == 0) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "no such app");
        return;
    }
    char from[24], to[24];
    snprintf(from, sizeof(from), "%lld", (long long)a->from);
    snprintf(to, sizeof(to), "%lld", (long long)a->to);
    const char *p[5] = {r->who.license_id, a->app_id, from, to, a->day ? "day" : "hour"};
    gw_db_query(r, GW_DB_REGION, DB_RGN_USAGE_QUERY, p, NULL, on_analytics);
}

void gw_h_apps_analytics(gw_req_t *r)
{
    admin_req_t *a = astate(r);
    if (path_app(r, a) != 0)
        return;
    gw_query_t q;
    if (gw_query_or_400(r, &q) != 0)
        return;
    for (size_t i = 0; i < q.count; ++i)
        if (strcmp(q.items[i].key, "from") != 0 && strcmp(q.items[i].key, "to") != 0 &&
            strcmp(q.items[i].key, "granularity") != 0) {
            gw_send_error(r, 400, "UnrecognizedInput", NULL,
                          "unknown parameter '%.*s' (expected from, to, granularity)",
                          eng_utf8_cut(q.items[i].key, 40), q.items[i].key);
            gw_query_free(&q);
            return;
        }
    gw_window_t w;
    gw_window_error_t e = gw_report_window(gw_now(r->thr->server), gw_query_get(&q, "granularity"),
                                           gw_query_get(&q, "from"), gw_query_get(&q, "to"), &w);
    gw_query_free(&q);
    if (e == GW_WINDOW_BAD_RANGE) {
        gw_send_error(r, 400, "InvalidInput", NULL, "from must be before to, and the range at most %d %s",
                      w.day ? GW_REPORT_MAX_DAYS : GW_REPORT_MAX_HOURS, w.day ? "days" : "hours");
        return;
    }
    if (e != GW_WINDOW_OK) {
        const char *field = e == GW_WINDOW_BAD_GRANULARITY ? "granularity"
                            : e == GW_WINDOW_BAD_TO        ? "to"
                                                           : "from";
        gw_send_error(r, 400, "InvalidInput",
                      json_pack("[{s:s,s:s}]", "field", field, "message", "see the API description"),
                      "%s must be %s", field,
                      e == GW_WINDOW_BAD_GRANULARITY ? "hour or day"
                                                     : "an ISO 8601 UTC time such as 2026-01-31T00:00:00Z");
        return;
    }
    a->from = w.from;
    a->to = w.to;
    a->day = w.day;
    const char *p[2] = {r->who.license_id, a->app_id};
    gw_db_query(r, GW_DB_CATALOG, DB_CAT_APP_EXISTS, p, NULL, on_app_known);
}
