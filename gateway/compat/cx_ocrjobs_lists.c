/* The reference's job lists and counts (cx_ocrjobs.h): query, all, allbystatus, templates, count,
 * runningcount. An app sees its own jobs, the admin key every app's of the license. Loop thread. */
#include "gateway/compat/cx_ocrjobs.h"
#include "gateway/gw_json_body.h"
#include "engine/eng_utf8.h"

#include <stdlib.h>
#include <string.h>

/* The most jobs one list answers with (oldest first): the reference pages nothing, so a bound is ours. */
#define LIST_MAX "10000"

static void on_rows(gw_req_t *r, PGresult *res)
{
    cx_send_rows(r, res, 1);
}

/* A PostgreSQL array literal of strings from the pool ("{"a","b"}"); every element is checked by the caller
 * to hold no quote or backslash. */
static char *array_literal(gw_req_t *r, const char *const *items, size_t n)
{
    size_t len = 3;
    for (size_t i = 0; i < n; ++i)
        len += strlen(items[i]) + 3;
    char *p = h2o_mem_alloc_pool(&r->req->pool, len), *o = p;
    *o++ = '{';
    for (size_t i = 0; i < n; ++i)
        o += sprintf(o, "%s\"%s\"", i ? "," : "", items[i]);
    *o++ = '}';
    *o = '\0';
    return p;
}

static void list_all(gw_req_t *r)
{
    const char *p[8] = {cx_state(r)->visible, NULL, NULL, NULL, NULL, NULL, NULL, LIST_MAX};
    gw_db_query(r, GW_DB_REGION, DB_RGN_OCR_QUERY, p, NULL, on_rows);
}

void cx_h_all(gw_req_t *r)
{
    cx_with_apps(r, list_all);
}

static void list_by_status(gw_req_t *r)
{
    cx_req_t *s = cx_state(r);
    const char *const *names = cx_status_names(strtol(s->arg, NULL, 10));
    size_t n = 0;
    while (names[n] != NULL)
        ++n;
    const char *p[8] = {s->visible, array_literal(r, names, n), NULL, NULL, NULL, NULL, NULL, LIST_MAX};
    gw_db_query(r, GW_DB_REGION, DB_RGN_OCR_QUERY, p, NULL, on_rows);
}

void cx_h_allbystatus(gw_req_t *r)
{
    cx_req_t *s = cx_state(r);
    h2o_iovec_t v = r->params[0];
    if (v.len != 1 || v.base[0] < '0' || v.base[0] > '4') {
        cx_send_error(r, 400, "InvalidInput",
                      "the status must be 0 (created), 1 (scheduled), 2 (converting), 3 "
                      "(converted) or 4 (error)");
        return;
    }
    s->arg[0] = v.base[0];
    s->arg[1] = '\0';
    cx_with_apps(r, list_by_status);
}

static void list_templates(gw_req_t *r)
{
    const char *p[3] = {cx_state(r)->visible, NULL, NULL};
    gw_db_query(r, GW_DB_REGION, DB_RGN_OCR_TEMPLATES, p, NULL, on_rows);
}

void cx_h_templates(gw_req_t *r)
{
    cx_with_apps(r, list_templates);
}

static void on_counts(gw_req_t *r, PGresult *res)
{
    int col = cx_state(r)->arg[0] == 'r' ? 1 : 0;
    cx_send_value(r, json_integer(strtoll(PQgetvalue(res, 0, col), NULL, 10)));
}

static void counts(gw_req_t *r)
{
    const char *p[1] = {cx_state(r)->visible};
    gw_db_query(r, GW_DB_REGION, DB_RGN_OCR_COUNTS, p, NULL, on_counts);
}

void cx_h_count(gw_req_t *r)
{
    cx_with_apps(r, counts);
}

void cx_h_runningcount(gw_req_t *r)
{
    strcpy(cx_state(r)->arg, "r");
    cx_with_apps(r, counts);
}

/* ---- query ---- */

/* A JobQuery time: ISO 8601 with seconds, optional fraction and an offset or Z (or none: UTC). */
static int iso_time(const char *t)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    size_t i = 0;
    for (; shape[i]; ++i)
        if (shape[i] == 'd' ? !(t[i] >= '0' && t[i] <= '9') : t[i] != shape[i])
            return -1;
    if (t[i] == '.') {
        size_t d = 0;
        for (++i; t[i] >= '0' && t[i] <= '9'; ++i)
            ++d;
        if (d == 0 || d > 9)
            return -1;
    }
    if (t[i] == '\0' || (t[i] == 'Z' && t[i + 1] == '\0'))
        return 0;
    if ((t[i] == '+' || t[i] == '-') && t[i + 1] >= '0' && t[i + 1] <= '9' && t[i + 2] >= '0' &&
        t[i + 2] <= '9' && t[i + 3] == ':' && t[i + 4] >= '0' && t[i + 4] <= '9' && t[i + 5] >= '0' &&
        t[i + 5] <= '9' && t[i + 6] == '\0')
        return 0;
    return -1;
}

/* A JobQuery list member into an array literal: integers (`kind` 'i'), statuses ('s': 0-4 to v1 names), Guids
 * ('g') or strings ('c', without quotes or backslashes). NULL with *bad set when a value does not fit. */
static const char *list_param(gw_req_t *r, const json_t *q, const char *member, char kind, int *bad,
                              char *err, size_t errlen)
{
    const json_t *a = json_object_get(q, member);
    if (a == NULL || json_is_null(a))
        return NULL;
    if (!json_is_array(a) || json_array_size(a) > 1000) {
        snprintf(err, errlen, "%s must be an array of at most 1000 values", member);
        *bad = 1;
        return NULL;
    }
    if (json_array_size(a) == 0 && kind != 's')
        return NULL; /* the reference's example sends "IdList": [] for "any" */
    size_t n = json_array_size(a), k = 0;
    const char **items = h2o_mem_alloc_pool(&r->req->pool, sizeof(char *) * (n * 2 + 1));
    for (size_t i = 0; i < n; ++i) {
        const json_t *v = json_array_get(a, i);
        char *buf = h2o_mem_alloc_pool(&r->req->pool, 40);
        if (kind == 'i' && json_is_integer(v) && json_integer_value(v) >= 0) {
            snprintf(buf, 40, "%lld", (long long)json_integer_value(v));
            items[k++] = buf;
        } else if (kind == 's' && json_is_integer(v) && cx_status_names(json_integer_value(v)) != NULL) {
            for (const char *const *s = cx_status_names(json_integer_value(v)); *s; ++s)
                items[k++] = *s;
        } else if (kind == 'g' && json_is_string(v) &&
                   gw_uuid_parse(json_string_value(v), json_string_length(v), buf) == 0) {
            items[k++] = buf;
        } else if (kind == 'c' && json_is_string(v) && strpbrk(json_string_value(v), "\"\\") == NULL &&
                   json_string_length(v) <= 256) {
            items[k++] = json_string_value(v);
        } else {
            snprintf(err, errlen, "%s holds a value that is not %s", member,
                     kind == 'i'   ? "an Id (an integer)"
                     : kind == 's' ? "a status (0 to 4)"
                     : kind == 'g' ? "a Guid"
                                   : "a correlation id");
            *bad = 1;
            return NULL;
        }
    }
    return array_literal(r, items, k);
}

static void query_go(gw_req_t *r)
{
    cx_req_t *s = cx_state(r);
    h2o_iovec_t b = gw_body(r);
    json_t *q = NULL;
    char err[200] = "";
    int bad = 0;
    if (b.len > 0) {
        if (gw_json_body_check(r, b.base, b.len, 0) != 0)
            return;
        q = json_loadb(b.base, b.len, JSON_REJECT_DUPLICATES, NULL);
        if (!json_is_object(q)) {
            json_decref(q);
            cx_send_error(r, 400, "MalformedJson", "the body is not a JSON JobQuery");
            return;
        }
    }
    static const char *const MEMBERS[] = {"IdList",    "StatusList",        "CreatedFrom",
                                          "CreatedTo", "UserName",          "IsTemplate",
                                          "GuidList",  "CorrelationIdList", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(q, k, v)
    {
        size_t i = 0;
        while (MEMBERS[i] != NULL && strcmp(MEMBERS[i], k) != 0)
            ++i;
        if (MEMBERS[i] == NULL) {
            cx_send_error(r, 400, "UnrecognizedInput", "unknown JobQuery member '%.*s'", eng_utf8_cut(k, 64),
                          k);
            json_decref(q);
            return;
        }
    }
    const char *times[2] = {NULL, NULL};
    for (int i = 0; i < 2; ++i) {
        const json_t *t = json_object_get(q, i == 0 ? "CreatedFrom" : "CreatedTo");
        if (t == NULL || json_is_null(t))
            continue;
        if (!json_is_string(t) || iso_time(json_string_value(t)) != 0) {
            cx_send_error(r, 400, "InvalidInput", "%s must be a time like 2020-10-21T00:00:00.000000+03:00",
                          i == 0 ? "CreatedFrom" : "CreatedTo");
            json_decref(q);
            return;
        }
        times[i] = h2o_strdup(&r->req->pool, json_string_value(t), SIZE_MAX).base;
    }
    const json_t *user = json_object_get(q, "UserName"), *tpl = json_object_get(q, "IsTemplate");
    if ((user != NULL && !json_is_null(user) && !json_is_string(user)) ||
        (tpl != NULL && !json_is_null(tpl) && !json_is_boolean(tpl))) {
        cx_send_error(r, 400, "InvalidInput", "UserName must be a string and IsTemplate true or false");
        json_decref(q);
        return;
    }
    const char *ids = list_param(r, q, "IdList", 'i', &bad, err, sizeof(err));
    const char *statuses = bad ? NULL : list_param(r, q, "StatusList", 's', &bad, err, sizeof(err));
    const char *guids = bad ? NULL : list_param(r, q, "GuidList", 'g', &bad, err, sizeof(err));
    const char *corr = bad ? NULL : list_param(r, q, "CorrelationIdList", 'c', &bad, err, sizeof(err));
    if (bad) {
        cx_send_error(r, 400, "InvalidInput", "%s", err);
        json_decref(q);
        return;
    }
    /* UserName narrows the visible apps to those of that name (an app's UserName is its name). */
    const char *visible = s->visible;
    if (json_is_string(user) && json_string_length(user) > 0) {
        const char *id;
        json_t *name;
        const char *items[256];
        size_t n = 0;
        json_object_foreach(s->apps, id, name)
        {
            if (n < 256 && strcmp(json_string_value(name), json_string_value(user)) == 0)
                items[n++] = id;
        }
        visible = array_literal(r, items, n);
    }
    int templates = json_is_true(tpl);
    json_decref(q);
    if (templates) {
        /* A template's status is always created (0); the times of a template are not queried. */
        if (statuses != NULL && strstr(statuses, "\"created\"") == NULL)
            visible = "{}";
        const char *p[3] = {visible, ids, guids};
        gw_db_query(r, GW_DB_REGION, DB_RGN_OCR_TEMPLATES, p, NULL, on_rows);
        return;
    }
    const char *p[8] = {visible, statuses, ids, guids, corr, times[0], times[1], LIST_MAX};
    gw_db_query(r, GW_DB_REGION, DB_RGN_OCR_QUERY, p, NULL, on_rows);
}

void cx_h_query(gw_req_t *r)
{
    cx_with_apps(r, query_go);
}
