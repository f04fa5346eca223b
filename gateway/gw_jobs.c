/* OCR jobs: create (raw body, multipart, JSON), upload, patch, schedule, cancel, delete, read, list, results.
 * Every handler runs on its loop thread; database work goes through gw_db_query. Document bytes are checked
 * here (size, format by their bytes, page and pixel limits from the headers) before anything is stored. */
#include "engine/eng_doc.h"
#include "engine/eng_image.h"
#include "engine/eng_ocr.h"
#include "engine/eng_sniff.h"
#include "jobs/job_pool.h"
#include "gateway/gw_analytics.h"
#include "gateway/gw_auth.h"
#include "gateway/gw_handlers.h"
#include "gateway/gw_multipart.h"
#include "gateway/gw_offload.h"
#include "gateway/gw_options.h"
#include "gateway/gw_query.h"
#include "gateway/gw_router.h"
#include "gateway/gw_quota.h"

#include <ctype.h>
#include <leptonica/allheaders.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define JOB_LIST_DEFAULT 20
#define JOB_LIST_MAX 100
#define IDEMPOTENCY_KEY_MAX 255

static const char *const RESULT_FORMATS[] = {"text", "json", "hocr", "pdf", "tsv", "alto", NULL};
static const char *const PAGE_FORMATS[] = {"text", "json", "hocr", "tsv", "alto", NULL};

/* State of one job request, from the request's pool (it dies with the request; callbacks never run after). */
typedef struct {
    char job_id[37];
    char idem_key[IDEMPOTENCY_KEY_MAX + 1];
    int has_key;
    json_t *options;  /* owned: released by the pool dispose */
    json_t *existing; /* the job an Idempotency-Key already names; owned likewise */
    const char *doc;
    size_t doc_len;
    const char *doc_ctype;
    char doc_name[256];
    int has_name;
    int pages;
    int dpi;          /* the job's dpi option, for measuring PDF pages (0: 300) */
    int box_w, box_h; /* a page image's requested bounds (0: unbounded) */
    int scheduled;    /* the request may have queued the job: wake a worker */
    char format[8];
    int page;
} job_req_t;

static void job_req_dispose(void *p)
{
    job_req_t *j = p;
    json_decref(j->options);
    json_decref(j->existing);
}

static job_req_t *jstate(gw_req_t *r)
{
    if (r->hstate == NULL) {
        job_req_t *j = h2o_mem_alloc_shared(&r->req->pool, sizeof(*j), job_req_dispose);
        memset(j, 0, sizeof(*j));
        r->hstate = j;
    }
    return r->hstate;
}

static int in_list(const char *const *list, const char *s, size_t len)
{
    for (; *list; ++list)
        if (strlen(*list) == len && memcmp(*list, s, len) == 0)
            return 1;
    return 0;
}

static void send_opt_error(gw_req_t *r, gw_opt_error_t *e, int counted)
{
    json_t *d = e->details;
    e->details = NULL;
    if (counted)
        gw_fail_counted(r, e->status, e->code, d, "%s", e->message);
    else
        gw_send_error(r, e->status, e->code, d, "%s", e->message);
}

/* The job id of the path, or a 404 (an id that is not a UUID names no job). */
static int path_job_id(gw_req_t *r, char out[37])
{
    if (gw_uuid_parse(r->params[0].base, r->params[0].len, out) != 0) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "no such job");
        return -1;
    }
    return 0;
}

/* Runs a statement on the job named by the path ($1 job, $2 the caller's app); a malformed id is a 404. */
static void job_call(gw_req_t *r, db_stmt_id_t id, gw_db_cb_t cb)
{
    job_req_t *j = jstate(r);
    if (path_job_id(r, j->job_id) != 0)
        return;
    const char *p[2] = {j->job_id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, id, p, NULL, cb);
}

/* Checks document bytes: emptiness, tier size, format by content, page and pixel limits from headers.
 * `declared` is the Content-Type the client gave for them (may be NULL). Sends the error itself (counted). */
static int check_document(gw_req_t *r, const char *data, size_t len, const char *declared, size_t dlen,
                          job_req_t *j)
{
    if (len == 0) {
        gw_fail_counted(r, 415, "EmptyDocument", NULL, "the document is empty");
        return -1;
    }
    if ((long long)len > r->who.max_file_bytes) {
        gw_fail_counted(r, 413, "PayloadTooLarge", NULL,
                        "the document has %zu bytes; this license's tier allows %lld", len,
                        r->who.max_file_bytes);
        return -1;
    }
    eng_format_t fmt = eng_sniff(data, len);
    if (fmt == ENG_FMT_UNKNOWN) {
        gw_fail_counted(r, 415, "UnsupportedMediaType", NULL,
                        "the document is not PNG, JPEG, TIFF, BMP, GIF or WebP (judged by its bytes)");
        return -1;
    }
    if (declared != NULL && dlen > 0) {
        /* A declared type must be a document type; the bytes decide which one. */
        eng_format_t dfmt = eng_format_from_mime(declared, dlen);
        int generic = dlen >= 24 && strncasecmp(declared, "application/octet-stream", 24) == 0;
        if (dfmt == ENG_FMT_UNKNOWN && !generic) {
            gw_fail_counted(r, 415, "UnsupportedMediaType", NULL,
                            "Content-Type %.*s is not a supported document type",
                            (int)(dlen > 80 ? 80 : dlen), declared);
            return -1;
        }
    }
    if (fmt == ENG_FMT_PDF) {
        /* Opening a PDF goes through poppler, which serializes all its callers (workers render under the same
         * lock), so it is never done on a loop thread: the worker checks page count and page sizes at the
         * job's dpi before rendering anything, and fails the job (DocumentTooLarge, UnreadableDocument) when
         * they are wrong. Here only the bytes' signature and the size are checked. */
        j->doc = data;
        j->doc_len = len;
        j->doc_ctype = eng_format_mime(fmt);
        j->pages = 0;
        return 0;
    }
    int npages = 0;
    eng_page_info_t *infos = NULL;
    char err[256];
    int pr = eng_doc_probe(data, len, fmt, (int)r->who.max_pages, &npages, &infos, err, sizeof(err));
    if (pr == ENG_DOC_TOO_MANY_PAGES) {
        gw_fail_counted(r, 413, "DocumentTooLarge", NULL,
                        "the document has more than %lld pages, this tier's limit", r->who.max_pages);
        return -1;
    }
    if (pr != ENG_DOC_OK) {
        gw_fail_counted(r, 415, "UnsupportedMediaType", NULL, "the document cannot be read: %s", err);
        return -1;
    }
    for (int i = 0; i < npages; ++i) {
        long long px = (long long)infos[i].width * infos[i].height;
        if (px > r->who.max_pixels || infos[i].width > ENG_MAX_SIDE || infos[i].height > ENG_MAX_SIDE) {
            gw_fail_counted(r, 413, "DocumentTooLarge", NULL,
                            "page %d is %dx%d pixels; this tier allows %lld pixels per page and %d per side",
                            i + 1, infos[i].width, infos[i].height, r->who.max_pixels, ENG_MAX_SIDE);
            free(infos);
            return -1;
        }
    }
    free(infos);
    j->doc = data;
    j->doc_len = len;
    j->doc_ctype = eng_format_mime(fmt);
    j->pages = npages;
    return 0;
}

/* ---- POST /v1/jobs ---- */

static void on_created(gw_req_t *r, PGresult *res);

static void send_existing(gw_req_t *r)
{
    job_req_t *j = jstate(r);
    char *s = json_dumps(j->existing, JSON_COMPACT);
    gw_send_json_text(r, 200, s, strlen(s));
    free(s);
}

static void on_idem_found(gw_req_t *r, PGresult *res)
{
    job_req_t *j = jstate(r);
    if (PQntuples(res) == 0) {
        /* The key's job was deleted between the two statements: treat the request as new is wrong (the key is
         * still taken), so answer as a conflict the client can retry. */
        gw_fail_counted(r, 409, "InvalidState", NULL, "this Idempotency-Key is in use; retry");
        return;
    }
    json_decref(j->existing);
    j->existing = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    if (r->counted)
        send_existing(r);
    else
        gw_quota_take(r, send_existing);
}

static void insert_job(gw_req_t *r)
{
    job_req_t *j = jstate(r);
    char lic[37], start[24], limit[24], pages[16], attempts[16], maxp[24], maxpx[24];
    gw_quota_prepare(r, lic, start, limit);
    gw_uuid_new(j->job_id);
    char *opts = json_dumps(j->options, JSON_COMPACT);
    snprintf(pages, sizeof(pages), "%d", j->pages);
    snprintf(attempts, sizeof(attempts), "%d", r->who.max_attempts);
    int pages_known = j->pages > 0; /* a PDF's pages are counted by the worker */
    snprintf(maxp, sizeof(maxp), "%lld", r->who.max_pages);
    snprintf(maxpx, sizeof(maxpx), "%lld", r->who.max_pixels);
    int has_doc = j->doc != NULL;
    int autostart = json_is_true(json_object_get(j->options, "autostart"));
    const char *status = has_doc && autostart ? "scheduled" : "created";
    j->scheduled = has_doc && autostart;
    const char *p[15] = {j->job_id,
                         lic,
                         r->who.app_id,
                         start,
                         limit,
                         j->has_key ? j->idem_key : NULL,
                         opts,
                         status,
                         j->has_name ? j->doc_name : NULL,
                         has_doc ? j->doc_ctype : NULL,
                         has_doc ? j->doc : NULL,
                         has_doc && pages_known ? pages : NULL,
                         attempts,
                         maxp,
                         maxpx};
    int lens[15] = {0};
    lens[10] = (int)j->doc_len;
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

static void on_created(gw_req_t *r, PGresult *res)
{
    job_req_t *j = jstate(r);
    if (PQgetvalue(res, 0, 0)[0] != 't') {
        /* Another request with the same key won the race: answer with its job. */
        const char *p[2] = {r->who.app_id, j->idem_key};
        gw_db_query(r, GW_DB_REGION, DB_RGN_IDEM_GET, p, NULL, on_idem_found);
        return;
    }
    if (gw_quota_apply(r, PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1)) != 0)
        return;
    const char *job = PQgetvalue(res, 0, 2);
    char loc[64];
    snprintf(loc, sizeof(loc), "/v1/jobs/%s", j->job_id);
    gw_add_header(r, "Location", loc);
    gw_analytics_job_created(r);
    if (j->scheduled)
        job_pool_wake(r->thr->server->pool);
    gw_send_json_text(r, 201, job, strlen(job));
}

static const char *const QUERY_NOT_OPTIONS[] = {"template", NULL};

/* Content-Type without parameters, lower-cased comparison helper. */
static int ctype_is(const char *ct, size_t len, const char *want)
{
    size_t n = strlen(want);
    return len >= n && strncasecmp(ct, want, n) == 0 && (len == n || ct[n] == ';' || ct[n] == ' ');
}

static void create_with_base(gw_req_t *r, const json_t *base);

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
    job_req_t *j = jstate(r);
    gw_query_t q;
    char err[256], tpl[37];
    h2o_iovec_t qs = gw_query(r);
    if (gw_query_parse(qs.base, qs.len, &q, err, sizeof(err)) != 0) {
        gw_fail_counted(r, 400, "InvalidInput", NULL, "%s", err);
        return;
    }
    const char *t = gw_query_get(&q, "template");
    if (t == NULL) {
        gw_query_free(&q);
        create_with_base(r, NULL);
        return;
    }
    int bad = gw_uuid_parse(t, strlen(t), tpl) != 0;
    gw_query_free(&q);
    if (bad) {
        gw_fail_counted(r, 404, "ResourceNotFound", NULL, "no such template");
        return;
    }
    memcpy(j->job_id, tpl, sizeof(tpl)); /* reused for the lookup; the job gets its own id later */
    const char *p[2] = {j->job_id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_TPL_GET, p, NULL, on_template);
}

/* Creation proper; `base` holds a template's options (or NULL for the defaults). */
static void create_with_base(gw_req_t *r, const json_t *base)
{
    job_req_t *j = jstate(r);
    gw_opt_limits_t lim;
    gw_opt_error_t oe;
    gw_query_t q;
    char err[256];
    gw_option_limits(r, &lim);
    h2o_iovec_t qs = gw_query(r), body = gw_body(r);
    if (gw_query_parse(qs.base, qs.len, &q, err, sizeof(err)) != 0) {
        gw_fail_counted(r, 400, "InvalidInput", NULL, "%s", err);
        return;
    }
    json_t *opts = NULL;
    int r1 = gw_options_from_query(&q, QUERY_NOT_OPTIONS, base, &lim, &opts, &oe);
    gw_query_free(&q);
    if (r1 != 0) {
        send_opt_error(r, &oe, 1);
        return;
    }
    size_t klen = 0, ctlen = 0;
    const char *key = gw_header(r, "idempotency-key", &klen);
    if (key != NULL) {
        int okk = klen >= 1 && klen <= IDEMPOTENCY_KEY_MAX;
        for (size_t i = 0; okk && i < klen; ++i)
            okk = key[i] > 0x20 && key[i] < 0x7f;
        if (!okk) {
            json_decref(opts);
            gw_fail_counted(r, 400, "InvalidInput", NULL,
                            "Idempotency-Key must be 1 to 255 visible ASCII characters");
            return;
        }
        memcpy(j->idem_key, key, klen);
        j->idem_key[klen] = '\0';
        j->has_key = 1;
    }
    const char *ct = gw_header_token(r, H2O_TOKEN_CONTENT_TYPE, &ctlen);
    if (ct != NULL && ctype_is(ct, ctlen, "application/json")) {
        json_t *o2 = NULL;
        if (gw_options_from_json(body.base, body.len, NULL, opts, &lim, &o2, NULL, &oe) != 0) {
            json_decref(opts);
            send_opt_error(r, &oe, 1);
            return;
        }
        json_decref(opts);
        opts = o2;
    } else if (ct != NULL && ctype_is(ct, ctlen, "multipart/form-data")) {
        j->dpi = -1; /* set below, once the options part is read */
        gw_part_t parts[8];
        size_t n = 0;
        if (gw_multipart_parse(ct, ctlen, body.base, body.len, parts, 8, &n, err, sizeof(err)) != 0) {
            json_decref(opts);
            gw_fail_counted(r, 400, "InvalidInput", NULL, "%s", err);
            return;
        }
        int seen_file = 0, seen_options = 0;
        for (size_t i = 0; i < n; ++i) {
            int is_file = parts[i].name_len == 4 && memcmp(parts[i].name, "file", 4) == 0;
            int is_opts = parts[i].name_len == 7 && memcmp(parts[i].name, "options", 7) == 0;
            if (!is_file && !is_opts) {
                char shown[65];
                size_t k = 0;
                for (; k < parts[i].name_len && k < sizeof(shown) - 1; ++k) /* echo only plain characters */
                    shown[k] = isalnum((unsigned char)parts[i].name[k]) || parts[i].name[k] == '_'
                                   ? parts[i].name[k]
                                   : '?';
                shown[k] = '\0';
                json_decref(opts);
                gw_fail_counted(r, 400, "UnrecognizedInput", NULL,
                                "unknown form part '%s' (expected file, options)", shown);
                return;
            }
            if ((is_file && seen_file++) || (is_opts && seen_options++)) {
                json_decref(opts);
                gw_fail_counted(r, 400, "InvalidInput", NULL, "the form has more than one '%s' part",
                                is_file ? "file" : "options");
                return;
            }
        }
        const gw_part_t *op = gw_multipart_find(parts, n, "options"),
                        *fp = gw_multipart_find(parts, n, "file");
        if (op != NULL) {
            json_t *o2 = NULL;
            if (gw_options_from_json(op->data, op->len, NULL, opts, &lim, &o2, NULL, &oe) != 0) {
                json_decref(opts);
                send_opt_error(r, &oe, 1);
                return;
            }
            json_decref(opts);
            opts = o2;
        }
        if (fp == NULL) {
            json_decref(opts);
            gw_fail_counted(r, 400, "MissingInput", NULL, "the form has no 'file' part");
            return;
        }
        j->dpi = (int)json_integer_value(json_object_get(opts, "dpi"));
        if (fp->filename != NULL) {
            /* Browsers may send a whole client path: keep its last component. */
            const char *fn = fp->filename;
            size_t fl = fp->filename_len;
            for (size_t i = fl; i > 0; --i)
                if (fn[i - 1] == '/' || fn[i - 1] == '\\') {
                    fn += i;
                    fl -= i;
                    break;
                }
            json_t *valid = json_stringn(fn, fl > 255 ? 255 : fl); /* NULL unless UTF-8 */
            if (valid != NULL && fl > 0) {
                snprintf(j->doc_name, sizeof(j->doc_name), "%s", json_string_value(valid));
                j->has_name = 1;
            }
            json_decref(valid);
        }
        if (check_document(r, fp->data, fp->len, fp->content_type, fp->content_type_len, j) != 0) {
            json_decref(opts);
            return;
        }
    } else {
        j->dpi = (int)json_integer_value(json_object_get(opts, "dpi"));
        if (check_document(r, body.base, body.len, ct, ctlen, j) != 0) {
            json_decref(opts);
            return;
        }
    }
    j->options = opts;
    if (j->has_key) {
        const char *p[2] = {r->who.app_id, j->idem_key};
        gw_db_query(r, GW_DB_REGION, DB_RGN_IDEM_GET, p, NULL, on_idem_checked);
        return;
    }
    insert_job(r);
}

/* ---- one job ---- */

/* 404 for no such job of this app, 410 past retention; returns 1 when it answered. */
static int expired_or_missing(gw_req_t *r, PGresult *res)
{
    if (PQntuples(res) == 0) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "no such job");
        return 1;
    }
    if (PQgetvalue(res, 0, 2)[0] == 't') {
        gw_send_error(r, 410, "ResourceExpired", NULL,
                      "the job is past its retention period and was deleted");
        return 1;
    }
    return 0;
}

/* After a conditional statement changed nothing: tell 404 (no such job for this app), 410 or 409 apart. */
static void on_state_conflict(gw_req_t *r, PGresult *res)
{
    if (expired_or_missing(r, res))
        return;
    const char *status = PQgetvalue(res, 0, 1);
    const char *what = r->route->method[0] == 'D' ? "cannot be deleted while it is processing"
                       : strstr(r->route->pattern, "/document") != NULL
                           ? "accepts a document only while created without one"
                       : strstr(r->route->pattern, "/schedule") != NULL
                           ? "can be scheduled only while created with a document"
                       : strstr(r->route->pattern, "/cancel") != NULL ? "has already finished"
                                                                      : "can be changed only while created";
    json_t *d = json_pack("[{s:s,s:s}]", "field", "status", "message", status);
    gw_send_error(r, 409, "InvalidState", d, "the job is %s and %s", status, what);
}

static void conflict_or_missing(gw_req_t *r)
{
    job_req_t *j = jstate(r);
    const char *p[2] = {j->job_id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_GET, p, NULL, on_state_conflict);
}

static void on_job_row(gw_req_t *r, PGresult *res)
{
    if (PQntuples(res) == 0) {
        conflict_or_missing(r);
        return;
    }
    const char *job = PQgetvalue(res, 0, 0);
    /* After an upload or a schedule a job may be waiting: a worker of this node looks at once (a spare
     * wake-up costs one empty claim). */
    if (jstate(r)->scheduled)
        job_pool_wake(r->thr->server->pool);
    gw_send_json_text(r, 200, job, strlen(job));
}

static void on_job_get(gw_req_t *r, PGresult *res)
{
    if (expired_or_missing(r, res))
        return;
    const char *job = PQgetvalue(res, 0, 0);
    gw_send_json_text(r, 200, job, strlen(job));
}

void gw_h_job_get(gw_req_t *r)
{
    job_call(r, DB_RGN_JOB_GET, on_job_get);
}

void gw_h_job_schedule(gw_req_t *r)
{
    jstate(r)->scheduled = 1;
    job_call(r, DB_RGN_JOB_SCHEDULE, on_job_row);
}

void gw_h_job_cancel(gw_req_t *r)
{
    job_call(r, DB_RGN_JOB_CANCEL, on_job_row);
}

static void on_deleted(gw_req_t *r, PGresult *res)
{
    if (strcmp(PQgetvalue(res, 0, 0), "1") != 0) {
        conflict_or_missing(r);
        return;
    }
    gw_send(r, 204, "application/json", "", 0);
}

void gw_h_job_delete(gw_req_t *r)
{
    job_call(r, DB_RGN_JOB_DELETE, on_deleted);
}

static void on_patch_current(gw_req_t *r, PGresult *res)
{
    job_req_t *j = jstate(r);
    if (PQntuples(res) == 0 || PQgetvalue(res, 0, 2)[0] == 't' ||
        strcmp(PQgetvalue(res, 0, 1), "created") != 0) {
        on_state_conflict(r, res);
        return;
    }
    gw_opt_limits_t lim;
    gw_opt_error_t oe;
    gw_option_limits(r, &lim);
    json_t *base = json_loads(PQgetvalue(res, 0, 5), 0, NULL), *opts = NULL;
    h2o_iovec_t body = gw_body(r);
    int rc = gw_options_from_json(body.base, body.len, NULL, base, &lim, &opts, NULL, &oe);
    json_decref(base);
    if (rc != 0) {
        send_opt_error(r, &oe, 0);
        return;
    }
    char *s = json_dumps(opts, JSON_COMPACT);
    json_decref(opts);
    const char *p[3] = {j->job_id, r->who.app_id, s};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_PATCH, p, NULL, on_job_row);
    free(s);
}

void gw_h_job_patch(gw_req_t *r)
{
    job_call(r, DB_RGN_JOB_GET, on_patch_current);
}

static void on_uploaded(gw_req_t *r, PGresult *res)
{
    on_job_row(r, res);
}

void gw_h_job_upload(gw_req_t *r)
{
    job_req_t *j = jstate(r);
    if (path_job_id(r, j->job_id) != 0)
        return;
    h2o_iovec_t body = gw_body(r);
    size_t ctlen = 0;
    const char *ct = gw_header_token(r, H2O_TOKEN_CONTENT_TYPE, &ctlen);
    /* The route already counted the request, so check_document's errors are sent without a second count. */
    if (check_document(r, body.base, body.len, ct, ctlen, j) != 0)
        return;
    char pages[16];
    snprintf(pages, sizeof(pages), "%d", j->pages);
    j->scheduled = 1;
    const char *p[6] = {j->job_id, r->who.app_id, NULL, j->doc_ctype, j->doc, j->pages > 0 ? pages : NULL};
    int lens[6] = {0, 0, 0, 0, (int)j->doc_len, 0};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_UPLOAD, p, lens, on_uploaded);
}

/* ---- results ---- */

static const char *content_type_of(const char *fmt)
{
    return strcmp(fmt, "text") == 0   ? "text/plain; charset=utf-8"
           : strcmp(fmt, "json") == 0 ? "application/json"
           : strcmp(fmt, "hocr") == 0 ? "text/html; charset=utf-8"
           : strcmp(fmt, "tsv") == 0  ? "text/tab-separated-values; charset=utf-8"
           : strcmp(fmt, "alto") == 0 ? "application/xml"
                                      : "application/pdf";
}

static int outputs_have(const char *outputs_json, const char *fmt)
{
    char quoted[16];
    snprintf(quoted, sizeof(quoted), "\"%s\"", fmt);
    return strstr(outputs_json, quoted) != NULL;
}

/* 202 with the job while it is not done; 409 when it failed or was canceled. Returns 1 when it answered. */
static int not_ready(gw_req_t *r, const char *status, const char *job)
{
    if (strcmp(status, "failed") == 0) {
        json_t *j = json_loads(job, 0, NULL);
        json_t *e = json_object_get(json_object_get(j, "error"), "message");
        gw_send_error(r, 409, "JobFailed", NULL, "the job failed: %s",
                      e != NULL ? json_string_value(e) : "unknown error");
        json_decref(j);
        return 1;
    }
    if (strcmp(status, "canceled") == 0) {
        gw_send_error(r, 409, "InvalidState", NULL, "the job was canceled and has no results");
        return 1;
    }
    if (strcmp(status, "completed") != 0) {
        gw_add_header(r, "Retry-After", "1");
        gw_send_json_text(r, 202, job, strlen(job));
        return 1;
    }
    return 0;
}

static void on_output(gw_req_t *r, PGresult *res)
{
    if (PQntuples(res) == 0) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "this result is not available");
        return;
    }
    gw_send(r, 200, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1));
}

static void on_result_job(gw_req_t *r, PGresult *res)
{
    job_req_t *j = jstate(r);
    if (expired_or_missing(r, res))
        return;
    if (!outputs_have(PQgetvalue(res, 0, 4), j->format)) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "'%s' is not among this job's outputs", j->format);
        return;
    }
    if (not_ready(r, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0)))
        return;
    const char *p[2] = {j->job_id, j->format};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_OUTPUT, p, NULL, on_output);
}

static int take_format(gw_req_t *r, h2o_iovec_t f, const char *const *allowed, job_req_t *j)
{
    if (!in_list(allowed, f.base, f.len)) {
        char list[80] = "";
        for (const char *const *a = allowed; *a; ++a)
            snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", a == allowed ? "" : ", ", *a);
        json_t *d = json_pack("[{s:s,s:s}]", "field", "format", "message", list);
        gw_send_error(r, 400, "InvalidInput", d, "unknown result format; use one of %s", list);
        return -1;
    }
    memcpy(j->format, f.base, f.len);
    j->format[f.len] = '\0';
    return 0;
}

void gw_h_job_result(gw_req_t *r)
{
    job_req_t *j = jstate(r);
    if (path_job_id(r, j->job_id) != 0 || take_format(r, r->params[1], RESULT_FORMATS, j) != 0)
        return;
    const char *p[2] = {j->job_id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_GET, p, NULL, on_result_job);
}

/* A page with nothing stored: 404 in a finished job (it never will have), 202 while the job runs. */
static void page_not_stored(gw_req_t *r, const char *what)
{
    job_req_t *j = jstate(r);
    if (j->pages < 0) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "page %d has no %s", j->page, what);
        return;
    }
    gw_add_header(r, "Retry-After", "1");
    gw_send_json(r, 202,
                 json_pack("{s:s,s:i,s:s}", "jobId", j->job_id, "page", j->page, "status", "pending"));
}

/* The page number of the path (1..1000000), or a 404. */
static int path_page(gw_req_t *r, h2o_iovec_t n, int *page)
{
    long v = 0;
    for (size_t i = 0; i < n.len && v <= 1000000; ++i)
        v = isdigit((unsigned char)n.base[i]) ? v * 10 + (n.base[i] - '0') : -1000000000;
    if (v < 1 || v > 1000000 || n.len > 7) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "pages are numbered from 1");
        return -1;
    }
    *page = (int)v;
    return 0;
}

static void on_page_result(gw_req_t *r, PGresult *res)
{
    job_req_t *j = jstate(r);
    if (PQntuples(res) == 0) {
        page_not_stored(r, "result");
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 0), "failed") == 0) {
        gw_send_error(r, 409, "JobFailed", NULL, "page %d could not be recognized: %s", j->page,
                      PQgetvalue(res, 0, 2));
        return;
    }
    if (PQgetisnull(res, 0, 1)) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "'%s' is not among this job's outputs", j->format);
        return;
    }
    const char *v = PQgetvalue(res, 0, 1);
    if (strcmp(j->format, "json") == 0) {
        /* The page object wrapped like the whole-document result. */
        size_t n = strlen(v) + 64;
        char *doc = malloc(n);
        snprintf(doc, n, "{\"engine\":\"%s\",\"pages\":[%s]}", eng_version(), v);
        gw_send(r, 200, content_type_of("json"), doc, strlen(doc));
        free(doc);
        return;
    }
    gw_send(r, 200, content_type_of(j->format), v, strlen(v));
}

static void on_page_job(gw_req_t *r, PGresult *res)
{
    job_req_t *j = jstate(r);
    if (expired_or_missing(r, res))
        return;
    const char *status = PQgetvalue(res, 0, 1);
    int pages = PQgetisnull(res, 0, 3) ? 0 : atoi(PQgetvalue(res, 0, 3));
    if (pages > 0 && j->page > pages) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "the document has %d page%s", pages,
                      pages == 1 ? "" : "s");
        return;
    }
    if ((strcmp(j->format, "tsv") == 0 || strcmp(j->format, "alto") == 0) &&
        !outputs_have(PQgetvalue(res, 0, 4), j->format)) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "'%s' is not among this job's outputs", j->format);
        return;
    }
    char page[16];
    snprintf(page, sizeof(page), "%d", j->page);
    const char *p[3] = {j->job_id, page, j->format};
    /* Pages stored before a job failed or was canceled are still served; in a finished job a page that is not
     * stored never will be (404), while a running job's page is still to come (202). */
    j->pages = strcmp(status, "processing") == 0 || strcmp(status, "scheduled") == 0 ? 1 : -1;
    gw_db_query(r, GW_DB_REGION, DB_RGN_PAGE_RESULT, p, NULL, on_page_result);
}

void gw_h_page_result(gw_req_t *r)
{
    job_req_t *j = jstate(r);
    if (path_job_id(r, j->job_id) != 0 || take_format(r, r->params[2], PAGE_FORMATS, j) != 0)
        return;
    if (path_page(r, r->params[1], &j->page) != 0)
        return;
    const char *p[2] = {j->job_id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_GET, p, NULL, on_page_job);
}

static void on_page_list(gw_req_t *r, PGresult *res)
{
    job_req_t *j = jstate(r);
    json_t *pages = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    size_t i;
    json_t *pg;
    json_array_foreach(pages, i, pg)
    {
        char base[96];
        json_int_t n = json_integer_value(json_object_get(pg, "page"));
        snprintf(base, sizeof(base), "/v1/jobs/%s/pages/%lld", j->job_id, (long long)n);
        json_t *links = json_object();
        for (const char *const *f = PAGE_FORMATS; *f; ++f) {
            char l[128];
            snprintf(l, sizeof(l), "%s/results/%s", base, *f);
            json_object_set_new(links, *f, json_string(l));
        }
        json_object_set_new(pg, "results", links);
    }
    gw_send_json(r, 200, json_pack("{s:s,s:i,s:o}", "jobId", j->job_id, "pages", j->pages, "items", pages));
}

static void on_pages_job(gw_req_t *r, PGresult *res)
{
    job_req_t *j = jstate(r);
    if (expired_or_missing(r, res))
        return;
    j->pages = PQgetisnull(res, 0, 3) ? 0 : atoi(PQgetvalue(res, 0, 3));
    const char *p[1] = {j->job_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_PAGE_LIST, p, NULL, on_page_list);
}

void gw_h_page_list(gw_req_t *r)
{
    job_call(r, DB_RGN_JOB_GET, on_pages_job);
}

/* ---- list ---- */

static void on_list(gw_req_t *r, PGresult *res)
{
    job_req_t *j = jstate(r);
    int n = PQntuples(res);
    json_t *jobs = json_array();
    for (int i = 0; i < n; ++i)
        json_array_append_new(jobs, json_loads(PQgetvalue(res, i, 0), 0, NULL));
    json_t *next = json_null();
    if (n == j->page && n > 0) {
        char cur[96];
        snprintf(cur, sizeof(cur), "%s_%s", PQgetvalue(res, n - 1, 1), PQgetvalue(res, n - 1, 2));
        next = json_string(cur);
    }
    gw_send_json(r, 200, json_pack("{s:o,s:o}", "jobs", jobs, "nextCursor", next));
}

void gw_h_job_list(gw_req_t *r)
{
    static const char *const known[] = {"status", "correlationId", "createdFrom", "createdTo",
                                        "limit",  "cursor",        NULL};
    static const char *const statuses[] = {"created", "scheduled", "processing", "completed",
                                           "failed",  "canceled",  NULL};
    job_req_t *j = jstate(r);
    gw_query_t q;
    if (gw_query_or_400(r, &q) != 0)
        return;
    json_t *bad = json_array();
    const char *code = "InvalidInput";
    for (size_t i = 0; i < q.count; ++i)
        if (!in_list(known, q.items[i].key, strlen(q.items[i].key))) {
            json_array_append_new(
                bad, json_pack("{s:s,s:s}", "field", q.items[i].key, "message", "unknown parameter"));
            code = "UnrecognizedInput";
        }
    const char *status = gw_query_get(&q, "status"), *from = gw_query_get(&q, "createdFrom"),
               *to = gw_query_get(&q, "createdTo"), *lim = gw_query_get(&q, "limit"),
               *cursor = gw_query_get(&q, "cursor"), *corr = gw_query_get(&q, "correlationId");
    if (status != NULL && !in_list(statuses, status, strlen(status)))
        json_array_append_new(
            bad, json_pack("{s:s,s:s}", "field", "status", "message",
                           "one of created, scheduled, processing, completed, failed, canceled"));
    if (from != NULL && gw_parse_time(from, &(int64_t){0}) != 0)
        json_array_append_new(bad, json_pack("{s:s,s:s}", "field", "createdFrom", "message",
                                             "an ISO 8601 UTC time such as 2026-01-31T12:00:00Z"));
    if (to != NULL && gw_parse_time(to, &(int64_t){0}) != 0)
        json_array_append_new(bad, json_pack("{s:s,s:s}", "field", "createdTo", "message",
                                             "an ISO 8601 UTC time such as 2026-01-31T12:00:00Z"));
    if (corr != NULL && strlen(corr) > 256)
        json_array_append_new(
            bad, json_pack("{s:s,s:s}", "field", "correlationId", "message", "at most 256 bytes"));
    long limit = JOB_LIST_DEFAULT;
    if (lim != NULL) {
        char *end;
        limit = strtol(lim, &end, 10);
        if (*lim == '\0' || *end != '\0' || limit < 1 || limit > JOB_LIST_MAX)
            json_array_append_new(
                bad, json_pack("{s:s,s:s}", "field", "limit", "message", "a whole number from 1 to 100"));
    }
    char cur_us[24] = "", cur_id[37] = "";
    if (cursor != NULL) {
        const char *us = strchr(cursor, '_');
        size_t ulen = us != NULL ? (size_t)(us - cursor) : 0;
        int okc = us != NULL && ulen >= 1 && ulen < sizeof(cur_us) &&
                  gw_uuid_parse(us + 1, strlen(us + 1), cur_id) == 0;
        for (size_t i = 0; okc && i < ulen; ++i)
            okc = isdigit((unsigned char)cursor[i]);
        if (okc) {
            memcpy(cur_us, cursor, ulen);
            cur_us[ulen] = '\0';
        } else {
            json_array_append_new(bad, json_pack("{s:s,s:s}", "field", "cursor", "message",
                                                 "use nextCursor of a previous page"));
        }
    }
    if (json_array_size(bad) > 0) {
        const char *field = json_string_value(json_object_get(json_array_get(bad, 0), "field"));
        char msg[160];
        snprintf(msg, sizeof(msg), "%s: %s", field,
                 json_string_value(json_object_get(json_array_get(bad, 0), "message")));
        gw_query_free(&q);
        gw_send_error(r, 400, code, bad, "%s", msg);
        return;
    }
    json_decref(bad);
    char slimit[16];
    snprintf(slimit, sizeof(slimit), "%ld", limit);
    j->page = (int)limit;
    const char *p[8] = {r->who.app_id,         status, corr, from, to, slimit, cursor ? cur_us : NULL,
                        cursor ? cur_id : NULL};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_LIST, p, NULL, on_list);
    gw_query_free(&q);
}

/* ---- page images ---- */

typedef struct {
    gw_task_t super;
    unsigned char *src; /* the stored PNG (copied: the result set goes away) */
    size_t src_len;
    int width, height;
    unsigned char *png;
    size_t png_len;
    char err[200];
} image_task_t;

/* Pool thread: decode the stored page and scale it (the loop thread never does this). */
static void image_run(gw_task_t *t)
{
    image_task_t *it = (image_task_t *)t;
    struct Pix *pix = pixReadMem(it->src, it->src_len);
    if (pix == NULL) {
        snprintf(it->err, sizeof(it->err), "the stored page image cannot be read");
        return;
    }
    if (eng_image_png(pix, it->width, it->height, &it->png, &it->png_len, it->err, sizeof(it->err)) != 0)
        it->png = NULL;
    pixDestroy(&pix);
}

static void image_done(gw_task_t *t, int gone)
{
    image_task_t *it = (image_task_t *)t;
    if (!gone) {
        if (it->png != NULL) {
            gw_add_header(t->r, "Cache-Control", "private, max-age=300");
            gw_send(t->r, 200, "image/png", (const char *)it->png, it->png_len);
        } else {
            gw_send_error(t->r, 500, "InternalError", NULL, "%s", it->err);
        }
    }
    free(it->src);
    free(it->png);
    free(it);
}

static void on_page_image(gw_req_t *r, PGresult *res)
{
    job_req_t *j = jstate(r);
    if (PQntuples(res) == 0) {
        page_not_stored(r, "image");
        return;
    }
    if (PQgetisnull(res, 0, 1)) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "page %d has no image (%s)", j->page,
                      PQgetvalue(res, 0, 0));
        return;
    }
    image_task_t *it = calloc(1, sizeof(*it));
    it->src_len = (size_t)PQgetlength(res, 0, 1);
    it->src = malloc(it->src_len);
    memcpy(it->src, PQgetvalue(res, 0, 1), it->src_len);
    it->width = j->box_w;
    it->height = j->box_h;
    it->super.run = image_run;
    it->super.done = image_done;
    gw_offload(r, &it->super);
}

static void on_image_job(gw_req_t *r, PGresult *res)
{
    job_req_t *j = jstate(r);
    if (expired_or_missing(r, res))
        return;
    int pages = PQgetisnull(res, 0, 3) ? 0 : atoi(PQgetvalue(res, 0, 3));
    if (pages > 0 && j->page > pages) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "the document has %d page%s", pages,
                      pages == 1 ? "" : "s");
        return;
    }
    const char *status = PQgetvalue(res, 0, 1);
    j->pages = strcmp(status, "processing") == 0 || strcmp(status, "scheduled") == 0 ||
                       strcmp(status, "created") == 0
                   ? 1
                   : -1;
    char page[16];
    snprintf(page, sizeof(page), "%d", j->page);
    const char *p[2] = {j->job_id, page};
    gw_db_query(r, GW_DB_REGION, DB_RGN_PAGE_IMAGE, p, NULL, on_page_image);
}

/* width and height from the query: 1..10000 each, both optional (0 = unbounded), never above the page. */
static int image_box(gw_req_t *r, int def_w, int *w, int *h)
{
    gw_query_t q;
    *w = def_w;
    *h = 0;
    if (gw_query_or_400(r, &q) != 0)
        return -1;
    int ret = 0;
    for (size_t i = 0; i < q.count && ret == 0; ++i) {
        const char *k = q.items[i].key, *v = q.items[i].value;
        char *end;
        long n = strtol(v, &end, 10);
        if (strcmp(k, "width") != 0 && strcmp(k, "height") != 0) {
            gw_send_error(r, 400, "UnrecognizedInput", NULL,
                          "unknown parameter '%.40s' (expected width, height)", k);
            ret = -1;
        } else if (*v == '\0' || *end != '\0' || n < 1 || n > 10000) {
            gw_send_error(r, 400, "InvalidInput",
                          json_pack("[{s:s,s:s}]", "field", k, "message", "1 to 10000"),
                          "%s must be a whole number from 1 to 10000", k);
            ret = -1;
        } else if (strcmp(k, "width") == 0) {
            *w = (int)n;
        } else {
            *h = (int)n;
            if (gw_query_get(&q, "width") == NULL)
                *w = 0; /* height alone bounds the height only */
        }
    }
    gw_query_free(&q);
    return ret;
}

static void page_image(gw_req_t *r, int page, int def_w)
{
    job_req_t *j = jstate(r);
    int w, h;
    if (path_job_id(r, j->job_id) != 0 || image_box(r, def_w, &w, &h) != 0)
        return;
    j->page = page;
    j->box_w = w;
    j->box_h = h;
    const char *p[2] = {j->job_id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_GET, p, NULL, on_image_job);
}

void gw_h_page_image(gw_req_t *r)
{
    int page;
    if (path_page(r, r->params[1], &page) == 0)
        page_image(r, page, 0);
}

void gw_h_thumbnail(gw_req_t *r)
{
    page_image(r, 1, 200);
}
