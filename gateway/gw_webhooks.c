/* Webhook endpoints of an app (admin key): POST, GET /v1/apps/{appId}/webhooks; PATCH, DELETE
 * /v1/apps/{appId}/webhooks/{id}; POST .../{id}/rotate-secret, POST .../{id}/test, GET .../{id}/deliveries.
 * The app is looked up in the catalog (404 when the license has no such app), the endpoints are rows of the
 * region database, where the outbox and the delivery threads (webhooks/) use them. Secrets are made here and
 * shown only in the answers of POST .../webhooks and .../rotate-secret. Runs on the request's loop thread. */
#include "gateway/gw_handlers.h"
#include "gateway/gw_query.h"
#include "webhooks/wh_sign.h"
#include "webhooks/wh_target.h"
#include "engine/eng_utf8.h"

#include <stdlib.h>
#include <string.h>

/* Endpoints one app may have. */
#define WH_MAX_PER_APP 10
#define WH_DELIVERIES_DEFAULT 50
#define WH_DELIVERIES_MAX 100

static const char *const EVENTS[] = {"job.completed", "job.failed", "job.canceled"};
#define NEVENTS (sizeof(EVENTS) / sizeof(EVENTS[0]))

typedef struct {
    char app_id[37];
    char id[37];        /* the endpoint of the path, or the one being created */
    char *url;          /* parsed body fields (free in dispose) */
    char *events;       /* canonical JSON array */
    const char *enable; /* "true", "false" or NULL */
    char limit[16];
    char secret[WH_SECRET_MAX];
    gw_db_cb_t next;   /* what runs once the app is known */
    db_stmt_id_t stmt; /* for an endpoint of the path: the statement, after $1 endpoint, $2 license, $3 app */
    const char *extra[3]; /* its further parameters */
    gw_db_cb_t done;      /* and what answers */
} wh_req_t;

static void wh_dispose(void *p)
{
    wh_req_t *w = p;
    free(w->url);
    free(w->events);
}

static wh_req_t *wstate(gw_req_t *r)
{
    return gw_hstate(r, sizeof(wh_req_t), wh_dispose);
}

static void bad_field(gw_req_t *r, const char *code, const char *field, const char *msg)
{
    gw_send_error(r, 400, code, json_pack("[{s:s,s:s}]", "field", field, "message", msg), "%s", msg);
}

/* events: a non-empty array of known event names, kept in the canonical order without repeats. */
static int parse_events(gw_req_t *r, json_t *v, wh_req_t *w)
{
    int seen[NEVENTS] = {0};
    size_t i;
    json_t *e;
    if (!json_is_array(v) || json_array_size(v) == 0) {
        bad_field(r, "InvalidInput", "events",
                  "events: a non-empty array of job.completed, job.failed, job.canceled");
        return -1;
    }
    json_array_foreach(v, i, e)
    {
        const char *s = json_string_value(e);
        size_t k = 0;
        while (s != NULL && k < NEVENTS && strcmp(s, EVENTS[k]) != 0)
            ++k;
        if (s == NULL || k == NEVENTS) {
            bad_field(r, "InvalidInput", "events",
                      "events: each one of job.completed, job.failed, job.canceled");
            return -1;
        }
        seen[k] = 1;
    }
    json_t *out = json_array();
    for (size_t k = 0; k < NEVENTS; ++k)
        if (seen[k])
            json_array_append_new(out, json_string(EVENTS[k]));
    w->events = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    return 0;
}

static wh_target_policy_t policy_of(gw_req_t *r)
{
    const cfg_t *c = &r->thr->server->cfg;
    return (wh_target_policy_t){.allow_http = c->webhook_allow_http,
                                .allow_private = c->webhook_allow_private};
}

/* Parses {"url", "events", "enabled"} into w; `create` requires url and refuses enabled. Sends the 400
 * itself.
 */
static int parse_body(gw_req_t *r, wh_req_t *w, int create)
{
    h2o_iovec_t b = gw_body(r);
    json_error_t je;
    json_t *o = json_loadb(b.base, b.len, JSON_REJECT_DUPLICATES, &je), *v;
    const char *key;
    int ret = -1;
    if (o == NULL || !json_is_object(o)) {
        gw_send_error(r, 400, "MalformedJson", NULL,
                      "the body must be a JSON object such as {\"url\": \"https://example.com/hooks/ocr\", "
                      "\"events\": [\"job.completed\"]}");
        goto Exit;
    }
    json_object_foreach(o, key, v)
    {
        if (strcmp(key, "url") == 0) {
            char err[256];
            wh_target_policy_t pol = policy_of(r);
            if (!json_is_string(v)) {
                bad_field(r, "InvalidInput", "url", "url: a string");
                goto Exit;
            }
            if (wh_url_check(json_string_value(v), &pol, err, sizeof(err)) != 0) {
                bad_field(r, "InvalidInput", "url", err);
                goto Exit;
            }
            w->url = strdup(json_string_value(v));
        } else if (strcmp(key, "events") == 0) {
            if (parse_events(r, v, w) != 0)
                goto Exit;
        } else if (strcmp(key, "enabled") == 0 && !create) {
            if (!json_is_boolean(v)) {
                bad_field(r, "InvalidInput", "enabled", "enabled: true or false");
                goto Exit;
            }
            w->enable = json_is_true(v) ? "true" : "false";
        } else {
            char msg[160];
            snprintf(msg, sizeof(msg), "unknown field '%.*s' (expected url, events%s)", eng_utf8_cut(key, 40),
                     key, create ? "" : ", enabled");
            bad_field(r, "UnrecognizedInput", key, msg);
            goto Exit;
        }
    }
    if (create && w->url == NULL) {
        bad_field(r, "MissingInput", "url", "url: required, the https address to send events to");
        goto Exit;
    }
    if (create && w->events == NULL)
        w->events = strdup("[\"job.completed\",\"job.failed\",\"job.canceled\"]");
    ret = 0;
Exit:
    json_decref(o);
    return ret;
}

static void not_found(gw_req_t *r)
{
    gw_send_error(r, 404, "ResourceNotFound", NULL, "no such webhook endpoint");
}

static void on_app_known(gw_req_t *r, PGresult *res)
{
    if (PQntuples(res) == 0) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "no such app");
        return;
    }
    wstate(r)->next(r, res);
}

/* Reads the path: the app, and the endpoint when `with_id`. Sends the 404 itself. */
static wh_req_t *begin(gw_req_t *r, int with_id)
{
    wh_req_t *w = wstate(r);
    if (gw_path_uuid(r, 0, "app", w->app_id) != 0)
        return NULL;
    if (with_id && gw_path_uuid(r, 1, "webhook endpoint", w->id) != 0)
        return NULL;
    return w;
}

static void ask_catalog(gw_req_t *r, wh_req_t *w)
{
    const char *p[2] = {r->who.license_id, w->app_id};
    gw_db_query(r, GW_DB_CATALOG, DB_CAT_APP_EXISTS, p, NULL, on_app_known);
}

/* The endpoint object of column 0, with `secret` added when not NULL. */
static void send_endpoint(gw_req_t *r, int status, PGresult *res, const char *secret)
{
    if (PQntuples(res) == 0) {
        not_found(r);
        return;
    }
    json_t *o = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    if (o == NULL) {
        gw_send_error(r, 500, "InternalError", NULL, "the webhook endpoint could not be read");
        return;
    }
    if (secret != NULL)
        json_object_set_new(o, "secret", json_string(secret));
    gw_send_json(r, status, o);
}

/* ---- create ---- */

static void on_created(gw_req_t *r, PGresult *res)
{
    wh_req_t *w = wstate(r);
    if (PQntuples(res) == 0) {
        gw_send_error(r, 409, "InvalidState", NULL,
                      "an app has at most %d webhook endpoints: delete one first", WH_MAX_PER_APP);
        return;
    }
    char loc[128];
    snprintf(loc, sizeof(loc), "/v1/apps/%s/webhooks/%s", w->app_id, w->id);
    gw_add_header(r, "Location", loc);
    gw_add_header(r, "Cache-Control", "no-store");
    send_endpoint(r, 201, res, PQgetvalue(res, 0, 1));
}

static void create_app_known(gw_req_t *r, PGresult *res)
{
    wh_req_t *w = wstate(r);
    char max[16];
    (void)res;
    snprintf(max, sizeof(max), "%d", WH_MAX_PER_APP);
    const char *p[7] = {w->id, r->who.license_id, w->app_id, w->url, w->events, w->secret, max};
    gw_db_query(r, GW_DB_REGION, DB_RGN_WH_CREATE, p, NULL, on_created);
}

void gw_h_webhook_create(gw_req_t *r)
{
    wh_req_t *w = begin(r, 0);
    if (w == NULL || parse_body(r, w, 1) != 0)
        return;
    w->next = create_app_known;
    if (wh_secret_new(w->secret) != 0) {
        gw_send_error(r, 500, "InternalError", NULL, "no random bytes for the secret");
        return;
    }
    gw_uuid_new(w->id);
    ask_catalog(r, w);
}

/* ---- list ---- */

/* `obj` (stolen) with the JSON array of column 0 under `key`. */
static void send_list(gw_req_t *r, PGresult *res, json_t *obj, const char *key)
{
    json_t *list = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    if (list == NULL) {
        json_decref(obj);
        gw_send_error(r, 500, "InternalError", NULL, "the stored %s could not be read", key);
        return;
    }
    json_object_set_new(obj, key, list);
    gw_send_json(r, 200, obj);
}

static void on_list(gw_req_t *r, PGresult *res)
{
    send_list(r, res, json_object(), "webhooks");
}

static void list_app_known(gw_req_t *r, PGresult *res)
{
    (void)res;
    const char *p[2] = {r->who.license_id, wstate(r)->app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_WH_LIST, p, NULL, on_list);
}

void gw_h_webhook_list(gw_req_t *r)
{
    wh_req_t *w = begin(r, 0);
    if (w != NULL) {
        w->next = list_app_known;
        ask_catalog(r, w);
    }
}

/* ---- the statements on one endpoint of the path ---- */

static void endpoint_stmt(gw_req_t *r, PGresult *res)
{
    wh_req_t *w = wstate(r);
    (void)res;
    const char *p[6] = {w->id, r->who.license_id, w->app_id, w->extra[0], w->extra[1], w->extra[2]};
    gw_db_query(r, GW_DB_REGION, w->stmt, p, NULL, w->done);
}

/* Runs `stmt` on the endpoint of the path once the catalog knows the app; `done` answers. */
static void for_endpoint(gw_req_t *r, wh_req_t *w, db_stmt_id_t stmt, gw_db_cb_t done)
{
    w->stmt = stmt;
    w->done = done;
    w->next = endpoint_stmt;
    ask_catalog(r, w);
}

static void on_endpoint(gw_req_t *r, PGresult *res)
{
    send_endpoint(r, 200, res, NULL);
}

void gw_h_webhook_patch(gw_req_t *r)
{
    wh_req_t *w = begin(r, 1);
    if (w == NULL || parse_body(r, w, 0) != 0)
        return;
    w->extra[0] = w->url;
    w->extra[1] = w->events;
    w->extra[2] = w->enable;
    for_endpoint(r, w, DB_RGN_WH_UPDATE, on_endpoint);
}

static void on_deleted(gw_req_t *r, PGresult *res)
{
    if (PQntuples(res) == 0) {
        not_found(r);
        return;
    }
    gw_send(r, 204, "application/json", "", 0);
}

void gw_h_webhook_delete(gw_req_t *r)
{
    wh_req_t *w = begin(r, 1);
    if (w != NULL)
        for_endpoint(r, w, DB_RGN_WH_DELETE, on_deleted);
}

static void on_rotated(gw_req_t *r, PGresult *res)
{
    gw_add_header(r, "Cache-Control", "no-store");
    send_endpoint(r, 200, res, wstate(r)->secret);
}

void gw_h_webhook_rotate(gw_req_t *r)
{
    wh_req_t *w = begin(r, 1);
    if (w == NULL)
        return;
    if (wh_secret_new(w->secret) != 0) {
        gw_send_error(r, 500, "InternalError", NULL, "no random bytes for the secret");
        return;
    }
    w->extra[0] = w->secret;
    for_endpoint(r, w, DB_RGN_WH_ROTATE, on_rotated);
}

static void on_test(gw_req_t *r, PGresult *res)
{
    if (PQntuples(res) == 0) {
        not_found(r);
        return;
    }
    if (PQgetvalue(res, 0, 0)[0] != 't') {
        gw_send_error(r, 409, "InvalidState", NULL, "the webhook endpoint is disabled: enable it first");
        return;
    }
    gw_send_json(r, 202,
                 json_pack("{s:s,s:s}", "messageId", PQgetvalue(res, 0, 1), "eventType", "webhook.test"));
}

void gw_h_webhook_test(gw_req_t *r)
{
    wh_req_t *w = begin(r, 1);
    if (w != NULL)
        for_endpoint(r, w, DB_RGN_WH_TEST, on_test);
}

static void on_deliveries(gw_req_t *r, PGresult *res)
{
    if (PQntuples(res) == 0) {
        not_found(r);
        return;
    }
    send_list(r, res, json_pack("{s:s}", "webhookId", wstate(r)->id), "deliveries");
}

void gw_h_webhook_deliveries(gw_req_t *r)
{
    wh_req_t *w = begin(r, 1);
    if (w == NULL)
        return;
    gw_query_t q;
    if (gw_query_or_400(r, &q) != 0)
        return;
    int limit = WH_DELIVERIES_DEFAULT;
    for (size_t i = 0; i < q.count; ++i) {
        char *end;
        long n = strtol(q.items[i].value, &end, 10);
        if (strcmp(q.items[i].key, "limit") != 0) {
            gw_send_error(r, 400, "UnrecognizedInput", NULL, "unknown parameter '%.*s' (expected limit)",
                          eng_utf8_cut(q.items[i].key, 40), q.items[i].key);
            gw_query_free(&q);
            return;
        }
        if (q.items[i].value[0] == '\0' || *end != '\0' || n < 1 || n > WH_DELIVERIES_MAX) {
            gw_send_error(r, 400, "InvalidInput",
                          json_pack("[{s:s,s:s}]", "field", "limit", "message", "an integer from 1 to 100"),
                          "limit must be an integer from 1 to %d", WH_DELIVERIES_MAX);
            gw_query_free(&q);
            return;
        }
        limit = (int)n;
    }
    gw_query_free(&q);
    snprintf(w->limit, sizeof(w->limit), "%d", limit);
    w->extra[0] = w->limit;
    for_endpoint(r, w, DB_RGN_WH_DELIVERIES, on_deliveries);
}
