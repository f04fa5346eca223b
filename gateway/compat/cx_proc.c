/* The process manager's handlers (cx_proc.h): the body decoded (on the offload pool when it is large), the
 * document admitted and the job stored by the v1 creation (gw_job_create_doc), the job read back as a
 * process. Runs on the loop thread, except decode_run on a pool thread. */
#include "gateway/compat/cx_proc.h"
#include "gateway/compat/cx_processing.h"
#include "gateway/gw_counted.h"
#include "gateway/gw_handlers.h"
#include "gateway/gw_jobs.h"
#include "gateway/gw_offload.h"

#include <stdlib.h>
#include <string.h>

/* Bodies above this are parsed and decoded on the offload pool (it is the JSON body bound of v1). */
#define INLINE_BODY_MAX (64 * 1024)
/* What a body may hold besides the base64 of the document: the options, names and JSON punctuation. */
#define ENVELOPE_MAX (64 * 1024)
/* The v4 routes are aliases, deprecated since this date (RFC 9745: an epoch after '@'). */
#define V4_DEPRECATED_SINCE "@1767225600" /* 2026-01-01T00:00:00Z */

typedef enum { PT_OCR, PT_OCR_PDF } proc_type_t;

/* The surface's state (request's pool), beside the v1 creation's; its dispose frees what it owns. */
typedef struct {
    proc_type_t type;
    char id[37];
    cx_proc_input_t in; /* the decoded body: the document must live until the job is stored */
    json_t *job;        /* the job object while its pages are read (owned) */
} proc_req_t;

static void proc_dispose(void *p)
{
    proc_req_t *s = p;
    cx_proc_input_free(&s->in);
    json_decref(s->job);
}

static proc_req_t *pstate(gw_req_t *r)
{
    return gw_sstate(r, sizeof(proc_req_t), proc_dispose);
}

/* The reference's statuses: every refusal of the input is 480, an internal error 580; a v1 MalformedJson is
 * the reference's InvalidInput. Admission (401, 429, 503), 404 and 410 keep theirs. */
static int proc_error_map(int status, const char **code)
{
    if (status == 400 || status == 409 || status == 413 || status == 415) {
        if (strcmp(*code, "MalformedJson") == 0)
            *code = "InvalidInput";
        return 480;
    }
    if (status == 500)
        return 580;
    return status;
}

static void on_created(gw_req_t *r, int status, const char *job_json);

static const gw_surface_t surface = {.error_map = proc_error_map, .on_job = on_created};

/* The process type of path parameter 0, the Deprecation headers of the v4 aliases, the status mapping; a
 * 404 (through gw_fail_counted when `counted`) and -1 for an unknown type. */
static int begin(gw_req_t *r, int counted)
{
    proc_req_t *s = pstate(r);
    r->surface = &surface;
    h2o_iovec_t t = r->params[0];
    const char *path = r->req->path_normalized.base;
    if (r->req->path_normalized.len >= 4 && memcmp(path, "/v4/", 4) == 0) {
        char link[160];
        gw_add_header(r, "Deprecation", V4_DEPRECATED_SINCE);
        snprintf(link, sizeof(link), "</v1/processes/%.*s>; rel=\"successor-version\"",
                 (int)(t.len > 40 ? 40 : t.len), t.base);
        gw_add_header(r, "Link", link);
    }
    if (t.len == 3 && memcmp(t.base, "ocr", 3) == 0) {
        s->type = PT_OCR;
        return 0;
    }
    if (t.len == 7 && memcmp(t.base, "ocr-pdf", 7) == 0) {
        s->type = PT_OCR_PDF;
        return 0;
    }
    if (counted)
        gw_fail_counted(r, 404, "ResourceNotFound", NULL, "no process type '%.*s' (use ocr or ocr-pdf)",
                        (int)(t.len > 40 ? 40 : t.len), t.base);
    else
        gw_send_error(r, 404, "ResourceNotFound", NULL, "no process type '%.*s' (use ocr or ocr-pdf)",
                      (int)(t.len > 40 ? 40 : t.len), t.base);
    return -1;
}

/* The input as the process shows it: the stored options under their v1 names, the document's type and name,
 * and the document as {bytes, sha256}. */
static json_t *input_of(const json_t *job)
{
    json_t *in = json_deep_copy(json_object_get(job, "options"));
    const json_t *doc = json_object_get(job, "document");
    if (in == NULL)
        in = json_object();
    json_object_set_new(in, "document",
                        json_pack("{s:O,s:O}", "bytes", json_object_get(doc, "bytes"), "sha256",
                                  json_object_get(doc, "sha256")));
    json_object_set(in, "contentType", json_object_get(doc, "contentType"));
    if (json_is_string(json_object_get(doc, "name")))
        json_object_set(in, "name", json_object_get(doc, "name"));
    return in;
}

/* The process object of a job; `output` (stolen, may be NULL) when complete. */
static json_t *process_of(const json_t *job, json_t *output)
{
    const char *st = json_string_value(json_object_get(job, "status"));
    const char *state = st == NULL                                                 ? "error"
                        : strcmp(st, "completed") == 0                             ? "complete"
                        : strcmp(st, "failed") == 0 || strcmp(st, "canceled") == 0 ? "error"
                                                                                   : "processing";
    json_t *p =
        json_pack("{s:o,s:O,s:O,s:s}", "input", input_of(job), "processId", json_object_get(job, "jobId"),
                  "expirationDateTime", json_object_get(job, "expiresAt"), "state", state);
    if (strcmp(state, "error") == 0) {
        const json_t *e = json_object_get(job, "error");
        const char *code = json_string_value(json_object_get(e, "errorCode"));
        json_object_set_new(p, "errorCode", json_string(code != NULL ? code : "Canceled"));
        json_object_set_new(p, "errorMessage",
                            json_string(json_string_value(json_object_get(e, "message")) != NULL
                                            ? json_string_value(json_object_get(e, "message"))
                                            : "the process was canceled"));
    }
    if (output != NULL)
        json_object_set_new(p, "output", output);
    return p;
}

static void on_created(gw_req_t *r, int status, const char *job_json)
{
    (void)status; /* a new process and one an Idempotency-Key names answer alike */
    json_t *job = json_loads(job_json, 0, NULL);
    if (job == NULL) {
        gw_send_error(r, 500, "InternalError", NULL, "the process could not be read");
        return;
    }
    gw_send_json(r, 200, process_of(job, NULL));
    json_decref(job);
}

/* The input decoded: options, then the v1 creation. */
static void create(gw_req_t *r)
{
    static const char *const NOT_OPTIONS[] = {"contentType", "name", NULL};
    proc_req_t *s = pstate(r);
    cx_proc_input_t *in = &s->in;
    gw_opt_limits_t lim;
    gw_opt_error_t oe;
    json_t *opts = NULL;
    gw_option_limits(r, &lim);
    json_t *outs = json_object_get(in->input, "outputs");
    if (s->type == PT_OCR_PDF && json_is_array(outs)) {
        /* ocr-pdf is the searchable PDF: among the outputs whatever the input says (the default has it). */
        int has = 0;
        size_t i;
        json_t *f;
        json_array_foreach(outs, i, f) has |= json_is_string(f) && strcmp(json_string_value(f), "pdf") == 0;
        if (!has)
            json_array_append_new(outs, json_string("pdf"));
    }
    if (gw_options_from_object(in->input, NOT_OPTIONS, NULL, &lim, &opts, NULL, &oe) != 0) {
        gw_send_opt_error(r, &oe, 1);
        return;
    }
    json_t *name = json_object_get(in->input, "name");
    gw_job_create_doc(r, opts, (const char *)in->data, in->len,
                      json_string_value(json_object_get(in->input, "contentType")), json_string_value(name));
}

static void send_input_error(gw_req_t *r, cx_proc_input_t *in)
{
    gw_fail_counted(r, in->status, in->code,
                    json_pack("[{s:s,s:s}]", "field", in->field, "message", in->message), "%s", in->message);
}

/* The offload pool decodes a large body; the task owns its copy of the body and the decoded input until
 * decode_done hands the input to the request's state (or frees it when the client left). */
typedef struct {
    gw_task_t super;
    char *body;
    size_t len;
    cx_proc_input_t in;
    int rc;
} decode_task_t;

static void decode_run(gw_task_t *t)
{
    decode_task_t *d = (decode_task_t *)t;
    d->rc = cx_proc_input_parse(d->body, d->len, &d->in);
    free(d->body);
    d->body = NULL;
}

static void decode_done(gw_task_t *t, int gone)
{
    decode_task_t *d = (decode_task_t *)t;
    if (gone) {
        cx_proc_input_free(&d->in);
    } else {
        proc_req_t *s = pstate(t->r);
        s->in = d->in;
        if (d->rc != 0)
            send_input_error(t->r, &s->in);
        else
            create(t->r);
    }
    free(d);
}

void cx_h_process_create(gw_req_t *r)
{
    proc_req_t *s = pstate(r);
    if (begin(r, 1) != 0)
        return;
    size_t ctlen = 0;
    const char *ct = gw_header_token(r, H2O_TOKEN_CONTENT_TYPE, &ctlen);
    if (ct == NULL || ctlen < 16 || strncasecmp(ct, "application/json", 16) != 0 ||
        (ctlen > 16 && ct[16] != ';' && ct[16] != ' ')) {
        gw_fail_counted(
            r, 415, "InvalidInput",
            json_pack("[{s:s,s:s}]", "field", "Content-Type", "message", "must be application/json"),
            "Content-Type must be application/json");
        return;
    }
    h2o_iovec_t body = gw_body(r);
    /* The tier's byte limit in base64 (4 characters per 3 bytes) and room for the options around it. */
    unsigned long long limit = (unsigned long long)r->who.max_file_bytes / 3 * 4 + 4 + ENVELOPE_MAX;
    if (body.len > limit) {
        gw_fail_counted(
            r, 413, "PayloadTooLarge",
            json_pack("[{s:s,s:s}]", "field", "input.document", "message", "over the tier's byte limit"),
            "the body has %zu bytes; this license's tier allows documents of %lld bytes (%llu in base64 "
            "with the options)",
            body.len, r->who.max_file_bytes, limit);
        return;
    }
    if (body.len <= INLINE_BODY_MAX) {
        if (cx_proc_input_parse(body.base, body.len, &s->in) != 0)
            send_input_error(r, &s->in);
        else
            create(r);
        return;
    }
    /* Copied: the request's pool, which holds the body, goes away if the client leaves meanwhile. */
    decode_task_t *d = calloc(1, sizeof(*d));
    d->body = malloc(body.len);
    memcpy(d->body, body.base, body.len);
    d->len = body.len;
    d->super.run = decode_run;
    d->super.done = decode_done;
    gw_offload(r, &d->super);
}

static void on_pages(gw_req_t *r, PGresult *res)
{
    proc_req_t *s = pstate(r);
    json_t *pages = json_array();
    for (int i = 0; i < PQntuples(res); ++i) {
        json_t *pj = json_loads(PQgetvalue(res, i, 3), 0, NULL);
        json_t *conf = json_object_get(pj, "confidence");
        json_array_append_new(pages, json_pack("{s:i,s:s,s:s,s:O}", "page", atoi(PQgetvalue(res, i, 0)),
                                               "status", PQgetvalue(res, i, 1), "text", PQgetvalue(res, i, 2),
                                               "confidence", conf != NULL ? conf : json_null()));
        json_decref(pj);
    }
    char *text = cx_processing_render(res, "text", NULL);
    json_t *out = json_pack("{s:s,s:o,s:O}", "text", text != NULL ? text : "", "pages", pages, "results",
                            json_object_get(s->job, "results"));
    free(text);
    if (s->type == PT_OCR_PDF) {
        json_t *pdf = json_object_get(json_object_get(s->job, "results"), "pdf");
        json_object_set(out, "pdf", pdf != NULL ? pdf : json_null());
    }
    gw_send_json(r, 200, process_of(s->job, out));
}

static void on_job(gw_req_t *r, PGresult *res)
{
    proc_req_t *s = pstate(r);
    if (gw_job_gone(r, res))
        return;
    json_t *job = gw_job_object(r, PQgetvalue(res, 0, 0));
    if (job == NULL) {
        gw_send_error(r, 500, "InternalError", NULL, "the process could not be read");
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 1), "completed") != 0) {
        gw_send_json(r, 200, process_of(job, NULL));
        json_decref(job);
        return;
    }
    s->job = job;
    const char *p[1] = {s->id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_PAGES_ALL, p, NULL, on_pages);
}

void cx_h_process_get(gw_req_t *r)
{
    proc_req_t *s = pstate(r);
    if (begin(r, 0) != 0 || gw_path_uuid(r, 1, "process", s->id) != 0)
        return;
    const char *p[2] = {s->id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_GET, p, NULL, on_job);
}
