/* POST /v1/jobs: options (query string, JSON body or the form's `options` part, over a template's when
 * ?template= names one), the Idempotency-Key, the document, and the one statement that counts the request,
 * takes the key and stores the job with its document. Runs on the loop thread. The route is GW_QUOTA_OWN:
 * every refusal before that statement is counted first (gw_fail_counted, gw_counted.h). */
#include "gateway/gw_analytics.h"
#include "gateway/gw_counted.h"
#include "gateway/gw_handlers.h"
#include "gateway/gw_json_body.h"
#include "gateway/gw_jobs.h"
#include "gateway/gw_query.h"
#include "gateway/gw_quota.h"

#include <stdlib.h>
#include <string.h>

#define IDEMPOTENCY_KEY_MAX 255

/* From the request's pool; it dies with the request (callbacks never run after). */
typedef struct {
    char job_id[37];
    char template_id[37];
    char idem_key[IDEMPOTENCY_KEY_MAX + 1];
    int has_key;
    json_t *options;  /* owned: released by the pool's dispose */
    json_t *existing; /* the job an Idempotency-Key already names; owned likewise */
    gw_job_doc_t doc;
    int has_doc;
    int scheduled; /* the job is queued: wake a worker */
    gw_part_t parts[GW_JOB_FORM_PARTS];
} create_req_t;

static void create_dispose(void *p)
{
    create_req_t *c = p;
    json_decref(c->options);
    json_decref(c->existing);
}

static create_req_t *cstate(gw_req_t *r)
{
    return gw_hstate(r, sizeof(create_req_t), create_dispose);
}

/* The surface's hook for the job's answer (gw_surface_t.on_job), NULL for v1's own. */
static gw_on_job_t surface_on_job(const gw_req_t *r)
{
    return r->surface != NULL ? r->surface->on_job : NULL;
}

/* The job's answer: v1's, or the compat surface's that reuses this handler. */
static void answer_job(gw_req_t *r, int status, const char *job_json)
{
    if (surface_on_job(r) != NULL)
        surface_on_job(r)(r, status, job_json);
    else
        gw_send_job(r, status, job_json);
}

static void send_existing(gw_req_t *r)
{
    create_req_t *c = cstate(r);
    if (surface_on_job(r) == NULL) {
        gw_send_json(r, 200, json_incref(c->existing));
        return;
    }
    char *text = json_dumps(c->existing, JSON_COMPACT);
    if (text == NULL) {
        gw_send_error(r, 500, "InternalError", NULL, "the job could not be read");
        return;
    }
    surface_on_job(r)(r, 200, text);
    free(text);
}

static void on_idem_found(gw_req_t *r, PGresult *res)
{
    create_req_t *c = cstate(r);
    if (PQntuples(res) == 0) {
        /* The key's job was deleted between the two statements: treating the request as new would be wrong
         * (the key is still taken), so answer as a conflict the client can retry. */
        gw_fail_counted(r, 409, "InvalidState", NULL, "this Idempotency-Key is in use; retry");
        return;
    }
    json_decref(c->existing);
    c->existing = gw_job_object(r, PQgetvalue(res, 0, 0));
    if (r->counted)
        send_existing(r);
    else
        gw_quota_take(r, send_existing);
}

static void on_created(gw_req_t *r, PGresult *res)
{
    create_req_t *c = cstate(r);
    if (PQgetvalue(res, 0, 0)[0] != 't') {
        /* Another request with the same key won the race: answer with its job. */
        const char *p[2] = {r->who.app_id, c->idem_key};
        gw_db_query(r, GW_DB_REGION, DB_RGN_IDEM_GET, p, NULL, on_idem_found);
        return;
    }
    if (gw_quota_apply(r, PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1)) != 0)
        return;
    if (surface_on_job(r) == NULL) {
        char loc[64];
        snprintf(loc, sizeof(loc), "/v1/jobs/%s", c->job_id);
        gw_add_header(r, "Location", loc);
    }
    gw_analytics_job_created(r);
    if (c->scheduled)
        gw_job_wake(r);
    answer_job(r, 201, PQgetvalue(res, 0, 2));
}

static void insert_job(gw_req_t *r)
{
    create_req_t *c = cstate(r);
    char lic[37], start[24], limit[24], pages[16], attempts[16], maxp[24], maxpx[24], conc[16];
    gw_quota_prepare(r, lic, start, limit);
    gw_uuid_new(c->job_id);
    char *opts = json_dumps(c->options, JSON_COMPACT);
    snprintf(pages, sizeof(pages), "%d", c->doc.pages);
    snprintf(attempts, sizeof(attempts), "%d", r->who.max_attempts);
    snprintf(maxp, sizeof(maxp), "%lld", r->who.max_pages);
    snprintf(maxpx, sizeof(maxpx), "%lld", r->who.max_pixels);
    snprintf(conc, sizeof(conc), "%d", r->who.max_concurrent_pages);
    int pages_known = c->doc.pages > 0; /* a PDF's pages are counted by the worker */
    int autostart = json_is_true(json_object_get(c->options, "autostart"));
    c->scheduled = c->has_doc && autostart;
    const char *p[16] = {c->job_id,
                         lic,
                         r->who.app_id,
                         start,
                         limit,
                         c->has_key ? c->idem_key : NULL,
                         opts,
                         c->scheduled ? "scheduled" : "created",
                         c->doc.has_name ? c->doc.name : NULL,
                         c->has_doc ? c->doc.content_type : NULL,
                         c->has_doc ? c->doc.data : NULL,
                         c->has_doc && pages_known ? pages : NULL,
                         attempts,
                         maxp,
                         maxpx,
                         conc};
    int lens[16] = {0};
    lens[10] = (int)c->doc.len;
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_CREATE, p, lens, on_created);
    free(opts);
}

static void on_idem_checked(gw_req_t *r, PGresult *res)
{
    if (PQntuples(res) == 1) {
        on_idem_found(r, res);
        return;
    }
    insert_job(r);
}

/* Content-Type without parameters, compared without case. */
static int ctype_is(const char *ct, size_t len, const char *want)
{
    size_t n = strlen(want);
    return len >= n && strncasecmp(ct, want, n) == 0 && (len == n || ct[n] == ';' || ct[n] == ' ');
}

/* Options from JSON text over *opts (replaced on success). Sends the error (counted) and returns -1. */
static int merge_json_options(gw_req_t *r, const char *text, size_t len, const gw_opt_limits_t *lim,
                              json_t **opts)
{
    gw_opt_error_t oe;
    json_t *merged = NULL;
    if (gw_json_body_check(r, text, len, 1) != 0)
        return -1;
    if (gw_options_from_json(text, len, NULL, *opts, lim, &merged, NULL, &oe) != 0) {
        gw_send_opt_error(r, &oe, 1);
        return -1;
    }
    json_decref(*opts);
    *opts = merged;
    return 0;
}

/* The Idempotency-Key header into the state: 1 to 255 visible ASCII characters. Sends the 400 (counted). */
static int take_idempotency_key(gw_req_t *r, create_req_t *c)
{
    size_t klen = 0;
    const char *key = gw_header(r, "idempotency-key", &klen);
    if (key == NULL)
        return 0;
    int ok = klen >= 1 && klen <= IDEMPOTENCY_KEY_MAX;
    for (size_t i = 0; ok && i < klen; ++i)
        ok = key[i] > 0x20 && key[i] < 0x7f;
    if (!ok) {
        gw_fail_counted(r, 400, "InvalidInput", NULL,
                        "Idempotency-Key must be 1 to 255 visible ASCII characters");
        return -1;
    }
    memcpy(c->idem_key, key, klen);
    c->idem_key[klen] = '\0';
    c->has_key = 1;
    return 0;
}

/* The options and the document of the request over `base` (a template's options, or NULL for the defaults);
 * sends the error itself and returns -1. */
static int read_request(gw_req_t *r, create_req_t *c, const json_t *base)
{
    static const char *const QUERY_NOT_OPTIONS[] = {"template", NULL};
    gw_opt_limits_t lim;
    gw_opt_error_t oe;
    gw_query_t q;
    char err[256];
    gw_option_limits(r, &lim);
    h2o_iovec_t qs = gw_query(r), body = gw_body(r);
    if (gw_query_parse(qs.base, qs.len, &q, err, sizeof(err)) != 0) {
        gw_fail_counted(r, 400, "InvalidInput", NULL, "%s", err);
        return -1;
    }
    int rc = gw_options_from_query(&q, QUERY_NOT_OPTIONS, base, &lim, &c->options, &oe);
    gw_query_free(&q);
    if (rc != 0) {
        gw_send_opt_error(r, &oe, 1);
        return -1;
    }
    if (take_idempotency_key(r, c) != 0)
        return -1;
    size_t ctlen = 0;
    const char *ct = gw_header_token(r, H2O_TOKEN_CONTENT_TYPE, &ctlen);
    if (ct != NULL && ctype_is(ct, ctlen, "application/json"))
        return merge_json_options(r, body.base, body.len, &lim, &c->options);
    if (ct != NULL && ctype_is(ct, ctlen, "multipart/form-data")) {
        const gw_part_t *file, *options;
        if (gw_job_doc_form(r, ct, ctlen, body, c->parts, &file, &options) != 0)
            return -1;
        if (options != NULL && merge_json_options(r, options->data, options->len, &lim, &c->options) != 0)
            return -1;
        if (file == NULL) {
            gw_fail_counted(r, 400, "MissingInput", NULL, "the form has no 'file' part");
            return -1;
        }
        gw_job_doc_name(file, &c->doc);
        c->has_doc = 1;
        if (gw_job_doc_check(r, file->data, file->len, file->content_type, file->content_type_len, &c->doc) !=
            0)
            return -1;
        return gw_job_doc_pages(r, c->options, &c->doc);
    }
    c->has_doc = 1;
    if (gw_job_doc_check(r, body.base, body.len, ct, ctlen, &c->doc) != 0)
        return -1;
    return gw_job_doc_pages(r, c->options, &c->doc);
}

/* The Idempotency-Key's job, or a new one. */
static void create_checked(gw_req_t *r, create_req_t *c)
{
    if (c->has_key) {
        const char *p[2] = {r->who.app_id, c->idem_key};
        gw_db_query(r, GW_DB_REGION, DB_RGN_IDEM_GET, p, NULL, on_idem_checked);
        return;
    }
    insert_job(r);
}

/* Creation proper; `base` holds a template's options (or NULL for the defaults). */
static void create_with_base(gw_req_t *r, const json_t *base)
{
    create_req_t *c = cstate(r);
    if (read_request(r, c, base) != 0)
        return;
    create_checked(r, c);
}

void gw_job_create_doc(gw_req_t *r, json_t *options, const char *data, size_t len, const char *declared,
                       const char *name)
{
    create_req_t *c = cstate(r);
    c->options = options;
    c->has_doc = 1;
    if (name != NULL && name[0] != '\0') {
        snprintf(c->doc.name, sizeof(c->doc.name), "%s", name);
        c->doc.has_name = 1;
    }
    if (take_idempotency_key(r, c) != 0 ||
        gw_job_doc_check(r, data, len, declared, declared != NULL ? strlen(declared) : 0, &c->doc) != 0 ||
        gw_job_doc_pages(r, c->options, &c->doc) != 0)
        return;
    create_checked(r, c);
}

static void on_template(gw_req_t *r, PGresult *res)
{
    if (PQntuples(res) == 0) {
        gw_fail_counted(r, 404, "ResourceNotFound", NULL, "no such template");
        return;
    }
    json_t *base = json_loads(PQgetvalue(res, 0, 1), 0, NULL);
    create_with_base(r, base);
    json_decref(base);
}

void gw_h_job_create(gw_req_t *r)
{
    create_req_t *c = cstate(r);
    gw_query_t q;
    char err[256];
    h2o_iovec_t qs = gw_query(r);
    if (gw_query_parse(qs.base, qs.len, &q, err, sizeof(err)) != 0) {
        gw_fail_counted(r, 400, "InvalidInput", NULL, "%s", err);
        return;
    }
    const char *t = gw_query_get(&q, "template");
    int bad = t != NULL && gw_uuid_parse(t, strlen(t), c->template_id) != 0;
    int has_template = t != NULL;
    gw_query_free(&q);
    if (bad) {
        gw_fail_counted(r, 404, "ResourceNotFound", NULL, "no such template");
        return;
    }
    if (!has_template) {
        create_with_base(r, NULL);
        return;
    }
    const char *p[2] = {c->template_id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_TPL_GET, p, NULL, on_template);
}
