/* GET /v1/status/{taskId} (cx_status.h): one statement for the job (the v1 rule: another app's job is 404),
 * one more for its pages once it is completed. Runs on the loop thread. */
#include "gateway/compat/cx_status.h"
#include "engine/eng_util.h"
#include "gateway/gw_jobs.h"

#include <stdlib.h>
#include <string.h>

/* The surface's state (gw_sstate, from the request's pool); it dies with the request. */
typedef struct {
    char job_id[37];
    json_t *job; /* the v1 job object while its pages are read; owned, released by the dispose */
} status_req_t;

static void status_dispose(void *p)
{
    json_decref(((status_req_t *)p)->job);
}

static status_req_t *sstate(gw_req_t *r)
{
    return gw_sstate(r, sizeof(status_req_t), status_dispose);
}

/* A box covering `a` and `b` (either may be empty: w == 0). */
static void box_union(json_int_t a[4], const json_t *b)
{
    json_int_t x = json_integer_value(json_object_get(b, "x")),
               y = json_integer_value(json_object_get(b, "y"));
    json_int_t r = x + json_integer_value(json_object_get(b, "w")),
               btm = y + json_integer_value(json_object_get(b, "h"));
    if (a[2] == 0) {
        a[0] = x, a[1] = y, a[2] = r - x, a[3] = btm - y;
        return;
    }
    json_int_t ar = a[0] + a[2], ab = a[1] + a[3];
    a[0] = x < a[0] ? x : a[0];
    a[1] = y < a[1] ? y : a[1];
    a[2] = (r > ar ? r : ar) - a[0];
    a[3] = (btm > ab ? btm : ab) - a[1];
}

static json_t *box_json(const json_int_t b[4])
{
    return json_pack("{s:I,s:I,s:I,s:I}", "x", b[0], "y", b[1], "w", b[2], "h", b[3]);
}

/* One page's layout objects (blocks, each with its paragraph and lines) appended to `layout`, and its words
 * as one string. The engine records the block and the line of every word, not its paragraph: a block is one
 * paragraph here. */
static void page_layout(const json_t *page, int n, json_t *layout, json_t *words_out)
{
    json_t *words = json_object_get(page, "words");
    json_t *block = NULL, *par = NULL, *lines = NULL, *line = NULL;
    json_int_t bbox[4] = {0}, lbox[4] = {0}, cur_block = -1, cur_line = -1;
    char *text = NULL;
    size_t tlen = 0;
    size_t i;
    json_t *w;
    json_array_foreach(words, i, w)
    {
        json_int_t b = json_integer_value(json_object_get(w, "block"));
        json_int_t l = json_integer_value(json_object_get(w, "line"));
        const char *t = json_string_value(json_object_get(w, "text"));
        if (t == NULL)
            continue;
        if (block == NULL || b != cur_block) {
            memset(bbox, 0, sizeof(bbox));
            lines = json_array();
            par = json_pack("{s:n,s:o}", "box", "lines", lines);
            block = json_pack("{s:i,s:I,s:n,s:[O]}", "page", n, "block", b, "box", "paragraphs", par);
            json_decref(par);
            json_array_append_new(layout, block);
            cur_block = b;
            cur_line = -1;
        }
        if (line == NULL || l != cur_line) {
            memset(lbox, 0, sizeof(lbox));
            line = json_pack("{s:i,s:I,s:n,s:s}", "page", n, "line", l, "box", "text", "");
            json_array_append_new(lines, line);
            cur_line = l;
        }
        json_t *box = json_object_get(w, "box");
        box_union(bbox, box);
        box_union(lbox, box);
        const char *lt = json_string_value(json_object_get(line, "text"));
        size_t ll = strlen(lt), wl = strlen(t);
        char *nt = malloc(ll + wl + 2);
        memcpy(nt, lt, ll);
        size_t k = ll;
        if (ll > 0)
            nt[k++] = ' ';
        memcpy(nt + k, t, wl + 1);
        json_object_set_new(line, "text", json_string(nt));
        free(nt);
        char *grown = realloc(text, tlen + wl + 2);
        if (grown != NULL) {
            text = grown;
            if (tlen > 0)
                text[tlen++] = ' ';
            memcpy(text + tlen, t, wl + 1);
            tlen += wl;
        }
        /* The paragraph of a block covers the block. */
        json_object_set_new(block, "box", box_json(bbox));
        json_object_set_new(par, "box", box_json(bbox));
        json_object_set_new(line, "box", box_json(lbox));
    }
    json_array_append_new(words_out, json_string(text != NULL ? text : ""));
    free(text);
}

json_t *cx_status_result(const json_t *job, json_t *const *pages, int npages)
{
    const json_t *doc = json_object_get(job, "document");
    json_t *custom = json_object();
    static const char *const CUSTOM[] = {"correlationId", "description"};
    for (size_t i = 0; i < 2; ++i) {
        json_t *v = json_object_get(job, CUSTOM[i]);
        if (json_is_string(v))
            json_object_set(custom, CUSTOM[i], v);
    }
    const char *name = json_string_value(json_object_get(doc, "name"));
    json_t *meta = json_pack(
        "[{s:s,s:O},{s:s,s:O},{s:s,s:O},{s:s,s:O}]", "name", "jobId", "value", json_object_get(job, "jobId"),
        "name", "contentType", "value", json_object_get(doc, "contentType"), "name", "bytes", "value",
        json_object_get(doc, "bytes"), "name", "sha256", "value", json_object_get(doc, "sha256"));
    json_t *layout = json_array(), *words = json_array();
    for (int i = 0; i < npages; ++i) {
        if (pages[i] != NULL)
            page_layout(pages[i], (int)json_integer_value(json_object_get(pages[i], "page")), layout, words);
        else
            json_array_append_new(words, json_string(""));
    }
    json_t *pc = json_object_get(doc, "pages");
    return json_pack("{s:{s:O,s:o,s:s,s:O,s:I,s:s,s:o},s:o,s:o}", "header", "conversionDateTime",
                     json_object_get(job, "finishedAt"), "customInfo", custom, "documentName",
                     name != NULL ? name : "", "errorPages", json_object_get(job, "errorPages"), "totPages",
                     json_is_integer(pc) ? json_integer_value(pc) : (json_int_t)npages, "version",
                     eng_version(), "metadata", meta != NULL ? meta : json_array(), "layout", layout, "words",
                     words);
}

static void on_pages(gw_req_t *r, PGresult *res)
{
    status_req_t *s = sstate(r);
    int n = PQntuples(res);
    json_t **pages = calloc((size_t)(n > 0 ? n : 1), sizeof(*pages));
    int unreadable = 0;
    for (int i = 0; i < n; ++i)
        if (strcmp(PQgetvalue(res, i, 1), "completed") == 0 && !PQgetisnull(res, i, 3))
            unreadable |= (pages[i] = json_loads(PQgetvalue(res, i, 3), 0, NULL)) == NULL;
    /* A stored page that is not JSON is damage, not an empty page: say so rather than answer half a result.
     */
    json_t *result = unreadable ? NULL : cx_status_result(s->job, pages, n);
    for (int i = 0; i < n; ++i)
        json_decref(pages[i]);
    free(pages);
    if (result == NULL) {
        gw_send_error(r, 500, "InternalError", NULL, "the task's result could not be assembled");
        return;
    }
    gw_send_json(r, 200,
                 json_pack("{s:i,s:s,s:o,s:s}", "current", 100, "message", "completed", "result", result,
                           "state", "SUCCESS"));
}

static void on_job(gw_req_t *r, PGresult *res)
{
    status_req_t *s = sstate(r);
    if (gw_job_gone(r, res))
        return;
    json_t *job = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    const char *st = PQgetvalue(res, 0, 1);
    json_t *progress = json_object_get(job, "progress");
    const char *msg = json_string_value(json_object_get(progress, "message"));
    if (job == NULL) {
        gw_send_error(r, 500, "InternalError", NULL, "the task could not be read");
    } else if (strcmp(st, "completed") == 0) {
        s->job = json_incref(job);
        const char *p[1] = {s->job_id};
        gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_PAGES_ALL, p, NULL, on_pages);
    } else if (strcmp(st, "failed") == 0 || strcmp(st, "canceled") == 0) {
        const char *em = json_string_value(json_object_get(json_object_get(job, "error"), "message"));
        gw_send_json(r, 200,
                     json_pack("{s:i,s:s,s:s}", "current", 0, "message",
                               em != NULL                    ? em
                               : strcmp(st, "canceled") == 0 ? "the task was canceled"
                                                             : "failed",
                               "state", "FAILURE"));
    } else {
        /* created (waiting for its document) and scheduled are queued; processing has started. */
        int running = strcmp(st, "processing") == 0;
        gw_send_json(r, 200,
                     json_pack("{s:I,s:s,s:s}", "current",
                               running ? json_integer_value(json_object_get(progress, "current")) : 0,
                               "message", msg != NULL ? msg : "", "state", running ? "PROGRESS" : "PENDING"));
    }
    json_decref(job);
}

void cx_h_task_status(gw_req_t *r)
{
    gw_job_call(r, sstate(r)->job_id, DB_RGN_JOB_GET, on_job);
}
