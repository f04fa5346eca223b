/* GET /v1/jobs: the app's jobs newest first, filtered by status, correlation id and creation time, in pages
 * of `limit` with a keyset cursor (creation time in microseconds + job id). Runs on the loop thread. */
#include "gateway/gw_handlers.h"
#include "gateway/gw_jobs.h"
#include "gateway/gw_query.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define JOB_LIST_DEFAULT 20
#define JOB_LIST_MAX 100

/* From the request's pool; it dies with the request. */
typedef struct {
    int limit; /* a full page means there may be more: nextCursor */
} list_req_t;

static int in_list(const char *const *list, const char *s)
{
    for (; *list; ++list)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}

static void on_list(gw_req_t *r, PGresult *res)
{
    list_req_t *l = gw_hstate(r, sizeof(list_req_t), NULL);
    int n = PQntuples(res);
    json_t *jobs = json_array();
    for (int i = 0; i < n; ++i) {
        json_t *job = gw_job_object(r, PQgetvalue(res, i, 0));
        if (job != NULL)
            json_array_append_new(jobs, job);
    }
    json_t *next = json_null();
    if (n == l->limit && n > 0) {
        char cur[96];
        snprintf(cur, sizeof(cur), "%s_%s", PQgetvalue(res, n - 1, 1), PQgetvalue(res, n - 1, 2));
        next = json_string(cur);
    }
    gw_send_json(r, 200, json_pack("{s:o,s:o}", "jobs", jobs, "nextCursor", next));
}

static void bad_field(json_t *bad, const char *field, const char *message)
{
    json_array_append_new(bad, json_pack("{s:s,s:s}", "field", field, "message", message));
}

/* A cursor "<epoch us>_<job id>" into its two parts; -1 when it is not one. */
static int parse_cursor(const char *cursor, char us[24], char id[37])
{
    const char *sep = strchr(cursor, '_');
    size_t ulen = sep != NULL ? (size_t)(sep - cursor) : 0;
    if (sep == NULL || ulen < 1 || ulen >= 24 || gw_uuid_parse(sep + 1, strlen(sep + 1), id) != 0)
        return -1;
    for (size_t i = 0; i < ulen; ++i)
        if (!isdigit((unsigned char)cursor[i]))
            return -1;
    memcpy(us, cursor, ulen);
    us[ulen] = '\0';
    return 0;
}

void gw_h_job_list(gw_req_t *r)
{
    static const char *const known[] = {"status", "correlationId", "createdFrom", "createdTo",
                                        "limit",  "cursor",        NULL};
    static const char *const statuses[] = {"created", "scheduled", "processing", "completed",
                                           "failed",  "canceled",  NULL};
    static const char *const iso_time = "an ISO 8601 UTC time such as 2026-01-31T12:00:00Z";
    list_req_t *l = gw_hstate(r, sizeof(list_req_t), NULL);
    gw_query_t q;
    if (gw_query_or_400(r, &q) != 0)
        return;
    json_t *bad = json_array();
    const char *code = "InvalidInput";
    for (size_t i = 0; i < q.count; ++i)
        if (!in_list(known, q.items[i].key)) {
            bad_field(bad, q.items[i].key, "unknown parameter");
            code = "UnrecognizedInput";
        }
    const char *status = gw_query_get(&q, "status"), *from = gw_query_get(&q, "createdFrom"),
               *to = gw_query_get(&q, "createdTo"), *lim = gw_query_get(&q, "limit"),
               *cursor = gw_query_get(&q, "cursor"), *corr = gw_query_get(&q, "correlationId");
    int64_t t;
    if (status != NULL && !in_list(statuses, status))
        bad_field(bad, "status", "one of created, scheduled, processing, completed, failed, canceled");
    if (from != NULL && gw_parse_time(from, &t) != 0)
        bad_field(bad, "createdFrom", iso_time);
    if (to != NULL && gw_parse_time(to, &t) != 0)
        bad_field(bad, "createdTo", iso_time);
    if (corr != NULL && strlen(corr) > 256)
        bad_field(bad, "correlationId", "at most 256 bytes");
    long limit = JOB_LIST_DEFAULT;
    if (lim != NULL) {
        char *end;
        limit = strtol(lim, &end, 10);
        if (*lim == '\0' || *end != '\0' || limit < 1 || limit > JOB_LIST_MAX)
            bad_field(bad, "limit", "a whole number from 1 to 100");
    }
    char cur_us[24] = "", cur_id[37] = "";
    if (cursor != NULL && parse_cursor(cursor, cur_us, cur_id) != 0)
        bad_field(bad, "cursor", "use nextCursor of a previous page");
    if (json_array_size(bad) > 0) {
        json_t *first = json_array_get(bad, 0);
        char msg[160];
        snprintf(msg, sizeof(msg), "%s: %s", json_string_value(json_object_get(first, "field")),
                 json_string_value(json_object_get(first, "message")));
        gw_query_free(&q);
        gw_send_error(r, 400, code, bad, "%s", msg);
        return;
    }
    json_decref(bad);
    char slimit[16];
    snprintf(slimit, sizeof(slimit), "%ld", limit);
    l->limit = (int)limit;
    const char *p[8] = {r->who.app_id,         status, corr, from, to, slimit, cursor ? cur_us : NULL,
                        cursor ? cur_id : NULL};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_LIST, p, NULL, on_list);
    gw_query_free(&q);
}
