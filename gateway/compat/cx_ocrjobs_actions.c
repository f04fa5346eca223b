/* The reference's job actions (cx_ocrjobs.h), each over the v1 handler of the same step: create,
 * createfromtemplate, createtemplate, setoptions, upload and uploadext, schedule, status, download, info,
 * cancel, delete. Loop thread. */
#include "engine/eng_format.h"
#include "engine/eng_sniff.h"
#include "gateway/compat/cx_ocrjobs.h"
#include "gateway/gw_handlers.h"
#include "gateway/gw_json_body.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The upload extensions the reference names, and the type each stands for. */
static const struct {
    const char *ext, *mime;
} UPLOAD_EXTS[] = {{"tif", "image/tiff"},     {"tiff", "image/tiff"}, {"jpg", "image/jpeg"},
                   {"jpeg", "image/jpeg"},    {"bmp", "image/bmp"},   {"png", "image/png"},
                   {"gif", "image/gif"},      {"heif", "image/heif"}, {"heic", "image/heic"},
                   {"pdf", "application/pdf"}};
#define NUPLOAD_EXTS (sizeof(UPLOAD_EXTS) / sizeof(UPLOAD_EXTS[0]))

/* The result extensions the reference names for download. */
static const char *const DOWNLOAD_EXTS = "pdf, txt, docx, epub, odt, rtf, mht, xml";

/* The type an upload extension stands for when ocrgate reads it, else NULL. */
static const char *upload_mime(const char *ext, size_t n)
{
    for (size_t i = 0; i < NUPLOAD_EXTS; ++i)
        if (strlen(UPLOAD_EXTS[i].ext) == n && strncasecmp(UPLOAD_EXTS[i].ext, ext, n) == 0)
            return eng_format_from_mime(UPLOAD_EXTS[i].mime, strlen(UPLOAD_EXTS[i].mime)) != ENG_FMT_UNKNOWN
                       ? UPLOAD_EXTS[i].mime
                       : NULL;
    return NULL;
}

void cx_h_supportedexts(gw_req_t *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < NUPLOAD_EXTS; ++i)
        if (upload_mime(UPLOAD_EXTS[i].ext, strlen(UPLOAD_EXTS[i].ext)) != NULL)
            json_array_append_new(a, json_string(UPLOAD_EXTS[i].ext));
    gw_send_json(r, 200, a);
}

/* The body as a JSON job object (NULL when empty), or an ApiResponse 400 and -1. */
static int read_job_body(gw_req_t *r, json_t **out, int counted)
{
    h2o_iovec_t b = gw_body(r);
    *out = NULL;
    if (b.len == 0)
        return 0;
    if (gw_json_body_check(r, b.base, b.len, counted) != 0)
        return -1;
    json_error_t je;
    *out = json_loadb(b.base, b.len, JSON_REJECT_DUPLICATES, &je);
    if (*out == NULL || !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        if (counted)
            cx_fail_counted(r, 400, "MalformedJson", "the body is not a JSON job object");
        else
            cx_send_error(r, 400, "MalformedJson", "the body is not a JSON job object");
        return -1;
    }
    return 0;
}

/* The job object's members as the v1 options body of the v1 handler that follows (`name`: a template's).
 * Sends the refusal and returns -1. */
static int set_options_body(gw_req_t *r, const json_t *in, const json_t *base, int template, int counted)
{
    char err[256];
    json_t *opts = json_object();
    if (cx_opts_to_v1(in, base, r->who.max_retention_days, opts, err, sizeof(err)) != 0) {
        json_decref(opts);
        if (counted)
            cx_fail_counted(r, 400, "InvalidInput", "%s", err);
        else
            cx_send_error(r, 400, "InvalidInput", "%s", err);
        return -1;
    }
    const char *descr = json_string_value(json_object_get(in, "Descr"));
    if (template && (base == NULL || descr != NULL)) {
        /* A v1 template has a name: the description, while it fits one. */
        size_t n = descr != NULL ? strlen(descr) : 0;
        json_object_set_new(opts, "name", json_string(n >= 1 && n <= 200 ? descr : "ownOCR template"));
    }
    char *text = json_dumps(opts, JSON_COMPACT);
    json_decref(opts);
    cx_set_body(r, "application/json", text, strlen(text));
    free(text);
    cx_set_query(r, NULL);
    return 0;
}

static void send_job_of(gw_req_t *r, int status, const char *ct, const char *body, size_t len)
{
    (void)status, (void)ct;
    cx_send_by_v1_id(r, body, len, cx_state(r)->is_template ? "templateId" : "jobId");
}

/* ---- create, createtemplate, createfromtemplate ---- */

static int refuse_admin(gw_req_t *r, int counted)
{
    if (!cx_state(r)->admin)
        return 0;
    static const char msg[] = "the admin key has no app of its own: create with an App ID as the password";
    if (counted)
        cx_fail_counted(r, 400, "InvalidInput", "%s", msg);
    else
        cx_send_error(r, 400, "InvalidInput", "%s", msg);
    return -1;
}

static void create_go(gw_req_t *r)
{
    json_t *in;
    if (refuse_admin(r, 1) != 0 || read_job_body(r, &in, 1) != 0)
        return;
    int rc = set_options_body(r, in, NULL, 0, 1);
    json_decref(in);
    if (rc == 0)
        cx_v1(r, gw_h_job_create, NULL, send_job_of);
}

void cx_h_create(gw_req_t *r)
{
    cx_with_apps(r, create_go);
}

static void template_go(gw_req_t *r)
{
    json_t *in;
    if (refuse_admin(r, 0) != 0 || read_job_body(r, &in, 0) != 0)
        return;
    cx_state(r)->is_template = 1;
    int rc = set_options_body(r, in, NULL, 1, 0);
    json_decref(in);
    if (rc == 0)
        cx_v1(r, gw_h_tpl_create, NULL, send_job_of);
}

void cx_h_createtemplate(gw_req_t *r)
{
    cx_with_apps(r, template_go);
}

static void on_template_set(gw_req_t *r, PGresult *res)
{
    cx_send_rows(r, res, 0);
}

static void from_template_created(gw_req_t *r, int status, const char *ct, const char *body, size_t len)
{
    cx_req_t *s = cx_state(r);
    (void)status, (void)ct;
    json_t *v1 = json_loadb(body, len, 0, NULL);
    const char *id = json_string_value(json_object_get(v1, "jobId"));
    char tpl[24];
    snprintf(tpl, sizeof(tpl), "%lld", s->ocr_id);
    snprintf(s->id, sizeof(s->id), "%s", id != NULL ? id : "");
    json_decref(v1);
    const char *p[2] = {s->id, tpl};
    gw_db_query(r, GW_DB_REGION, DB_RGN_OCR_SET_TEMPLATE, p, NULL, on_template_set);
}

static void from_template_go(gw_req_t *r)
{
    cx_req_t *s = cx_state(r);
    if (!s->is_template) {
        cx_fail_counted(r, 404, "ResourceNotFound", "no such template");
        return;
    }
    if (refuse_admin(r, 1) != 0)
        return;
    char q[64];
    snprintf(q, sizeof(q), "template=%s", s->id);
    cx_set_body(r, "application/json", "{}", 2);
    cx_set_query(r, q);
    s->is_template = 0;
    cx_v1(r, gw_h_job_create, NULL, from_template_created);
}

void cx_h_createfromtemplate(gw_req_t *r)
{
    cx_resolve(r, 0, from_template_go);
}

/* ---- setoptions, upload, schedule ---- */

static void setoptions_go(gw_req_t *r)
{
    cx_req_t *s = cx_state(r);
    json_t *in;
    if (read_job_body(r, &in, 0) != 0)
        return;
    int rc = set_options_body(r, in, s->v1_options, s->is_template, 0);
    json_decref(in);
    if (rc == 0)
        cx_v1(r, s->is_template ? gw_h_tpl_patch : gw_h_job_patch, NULL, send_job_of);
}

void cx_h_setoptions(gw_req_t *r)
{
    cx_resolve(r, 0, setoptions_go);
}

/* Refuses an action on a template (which cannot be scheduled, canceled, uploaded to or downloaded). */
static int refuse_template(gw_req_t *r, const char *what)
{
    if (!cx_state(r)->is_template)
        return 0;
    cx_send_error(r, 400, "InvalidState", "a template cannot be %s", what);
    return -1;
}

static void upload_go(gw_req_t *r)
{
    cx_req_t *s = cx_state(r);
    if (refuse_template(r, "given a file"))
        return;
    if (s->ext[0] != '\0') {
        const char *mime = upload_mime(s->ext, strlen(s->ext));
        if (mime == NULL) {
            char list[160] = "";
            size_t o = 0;
            for (size_t i = 0; i < NUPLOAD_EXTS; ++i)
                if (upload_mime(UPLOAD_EXTS[i].ext, strlen(UPLOAD_EXTS[i].ext)) != NULL)
                    o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", o ? ", " : "",
                                          UPLOAD_EXTS[i].ext);
            cx_send_error(r, 415, "UnsupportedMediaType",
                          "files of type '%s' are not supported; send one of %s", s->ext, list);
            return;
        }
        h2o_set_header(&r->req->pool, &r->req->headers, H2O_TOKEN_CONTENT_TYPE, mime, strlen(mime), 1);
    }
    cx_v1(r, gw_h_job_upload, NULL, send_job_of);
}

/* The path's extension parameter into the state. */
static void take_ext(gw_req_t *r, int i)
{
    cx_req_t *s = cx_state(r);
    h2o_iovec_t e = r->nparams > i ? r->params[i] : h2o_iovec_init("", 0);
    if (e.len >= sizeof(s->ext)) {
        strcpy(s->ext, "?");
        return;
    }
    for (size_t k = 0; k < e.len; ++k)
        s->ext[k] = (char)tolower((unsigned char)e.base[k]);
    s->ext[e.len] = '\0';
}

void cx_h_upload(gw_req_t *r)
{
    take_ext(r, 1);
    cx_resolve(r, 0, upload_go);
}

static void schedule_go(gw_req_t *r)
{
    if (refuse_template(r, "scheduled") == 0)
        cx_v1(r, gw_h_job_schedule, NULL, send_job_of);
}

void cx_h_schedule(gw_req_t *r)
{
    cx_resolve(r, 0, schedule_go);
}

/* ---- status, info, download ---- */

static void send_status(gw_req_t *r, int status, const char *ct, const char *body, size_t len)
{
    (void)status, (void)ct;
    json_t *v1 = json_loadb(body, len, 0, NULL);
    int code = cx_status_code(json_string_value(json_object_get(v1, "status")) ?: "");
    json_decref(v1);
    cx_send_value(r, json_integer(code));
}

static void status_go(gw_req_t *r)
{
    if (cx_state(r)->is_template) {
        cx_send_value(r, json_integer(0)); /* a template's status is always created */
        return;
    }
    cx_v1(r, gw_h_job_get, NULL, send_status);
}

void cx_h_status(gw_req_t *r)
{
    cx_resolve(r, 0, status_go);
}

/* The resolved object, its v1 answer confirming it is there (and not past retention). */
static void send_object(gw_req_t *r, int status, const char *ct, const char *body, size_t len)
{
    cx_req_t *s = cx_state(r);
    (void)status, (void)ct, (void)body, (void)len;
    gw_send_json(r, 200, json_incref(s->object));
}

static void info_go(gw_req_t *r)
{
    cx_req_t *s = cx_state(r);
    if (s->is_template) {
        gw_send_json(r, 200, json_incref(s->object));
        return;
    }
    /* Through v1 so that a job past retention is gone here too. */
    cx_v1(r, gw_h_job_get, NULL, send_job_of);
}

void cx_h_info(gw_req_t *r)
{
    cx_resolve(r, 0, info_go);
}

static void send_file(gw_req_t *r, int status, const char *ct, const char *body, size_t len)
{
    gw_send(r, status, ct, body, len);
}

static void download_go(gw_req_t *r)
{
    cx_req_t *s = cx_state(r);
    if (refuse_template(r, "downloaded"))
        return;
    size_t n;
    const eng_output_t *f = eng_outputs(&n), *found = NULL;
    char list[sizeof("pdf, txt, docx, epub, odt, rtf, mht, xml") + 2];
    snprintf(list, sizeof(list), "%s, ", DOWNLOAD_EXTS);
    char want[20];
    snprintf(want, sizeof(want), "%s, ", s->ext);
    for (size_t i = 0; i < n && strstr(list, want) != NULL; ++i)
        if (strcmp(f[i].extension, s->ext) == 0)
            found = &f[i];
    if (found == NULL) {
        cx_send_error(r, 400, "InvalidInput", "unknown result extension '%s'; use one of %s", s->ext,
                      DOWNLOAD_EXTS);
        return;
    }
    cx_v1(r, gw_h_job_result, found->name, send_file);
}

void cx_h_download(gw_req_t *r)
{
    take_ext(r, 1);
    cx_resolve(r, 0, download_go);
}

/* ---- cancel, delete ---- */

static void cancel_go(gw_req_t *r)
{
    if (refuse_template(r, "canceled") == 0)
        cx_v1(r, gw_h_job_cancel, NULL, send_job_of);
}

void cx_h_cancel(gw_req_t *r)
{
    cx_resolve(r, 0, cancel_go);
}

static void delete_go(gw_req_t *r)
{
    cx_req_t *s = cx_state(r);
    int st = s->is_template ? 0 : cx_status_code(s->v1_status);
    if (st == 1 || st == 2) {
        cx_send_error(r, 400, "InvalidState",
                      "the job is %s: it can be deleted once it is converted, failed or "
                      "canceled (cancel it first)",
                      st == 1 ? "scheduled" : "converting");
        return;
    }
    /* The answer is the job as it was: v1 answers 204 once it is gone. */
    cx_v1(r, s->is_template ? gw_h_tpl_delete : gw_h_job_delete, NULL, send_object);
}

void cx_h_delete(gw_req_t *r)
{
    cx_resolve(r, 0, delete_go);
}
