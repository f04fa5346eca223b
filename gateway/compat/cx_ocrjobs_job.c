/* The reference's job object from a v1 job or template object (cx_ocrjobs.h). Pure, any thread. */
#include "engine/eng_barcode.h"
#include "gateway/compat/cx_ocrjobs_map.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *v1;
    int code;
} STATUSES[] = {{"created", 0},    {"canceled", 0},  {"scheduled", 1},
                {"processing", 2}, {"completed", 3}, {"failed", 4}};

int cx_status_code(const char *v1_status)
{
    for (size_t i = 0; i < sizeof(STATUSES) / sizeof(STATUSES[0]); ++i)
        if (strcmp(STATUSES[i].v1, v1_status) == 0)
            return STATUSES[i].code;
    return -1;
}

const char *const *cx_status_names(long code)
{
    static const char *const names[5][3] = {{"created", "canceled", NULL},
                                            {"scheduled", NULL, NULL},
                                            {"processing", NULL, NULL},
                                            {"completed", NULL, NULL},
                                            {"failed", NULL, NULL}};
    return code >= 0 && code <= 4 ? names[code] : NULL;
}

/* .NET's DateTime.MinValue, what the reference's server shows for a time that has not come yet. */
#define NO_TIME "0001-01-01T00:00:00+00:00"

json_t *cx_time(const json_t *v1_time)
{
    const char *t = json_string_value(v1_time);
    size_t n = t != NULL ? strlen(t) : 0;
    if (n < 2 || n > 40 || t[n - 1] != 'Z')
        return json_string(NO_TIME);
    char buf[48];
    snprintf(buf, sizeof(buf), "%.*s+00:00", (int)(n - 1), t);
    return json_string(buf);
}

static const char *str_or(const json_t *v, const char *dflt)
{
    const char *s = json_string_value(v);
    return s != NULL ? s : dflt;
}

/* The latest of the given v1 times (the same fixed-width form sorts as text), or NULL. */
static const json_t *latest(const json_t *obj, const char *const *keys)
{
    const json_t *best = NULL;
    for (; *keys; ++keys) {
        const json_t *v = json_object_get(obj, *keys);
        if (json_is_string(v) && (best == NULL || strcmp(json_string_value(v), json_string_value(best)) > 0))
            best = v;
    }
    return best;
}

/* One barcode of ocr_barcodes ({type, value, box, orientation, page}) as the reference's Barcodes object. */
static json_t *barcode(const json_t *b)
{
    const json_t *box = json_object_get(b, "box");
    const char *type = str_or(json_object_get(b, "type"), "");
    /* The engine's barcode types carry the reference's Type codes (engine/eng_barcode.c). */
    const eng_barcode_type_t *t = eng_barcode_type_findn(type, strlen(type));
    return json_pack(
        "{s:I,s:s,s:I,s:I,s:I,s:I,s:I}", "PageNo", json_integer_value(json_object_get(b, "page")), "Value",
        str_or(json_object_get(b, "value"), ""), "Type", (json_int_t)(t != NULL ? t->code : 0), "X",
        json_integer_value(json_object_get(box, "x")), "Y", json_integer_value(json_object_get(box, "y")),
        "Width", json_integer_value(json_object_get(box, "w")), "Height",
        json_integer_value(json_object_get(box, "h")));
}

json_t *cx_job_object(const json_t *v1, int is_template, long long ocr_id, const char *template_ocr_id,
                      const json_t *barcodes, const char *user_name)
{
    static const char *const JOB_TIMES[] = {"createdAt", "scheduledAt", "startedAt", "finishedAt", NULL};
    static const char *const TPL_TIMES[] = {"createdAt", "updatedAt", NULL};
    const json_t *opts = json_object_get(v1, "options");
    const json_t *doc = json_object_get(v1, "document");
    const char *status = str_or(json_object_get(v1, "status"), "created");
    const char *descr = is_template ? str_or(json_object_get(opts, "description"), "") : "";
    if (is_template && descr[0] == '\0')
        descr = str_or(json_object_get(v1, "name"), "");
    else if (!is_template)
        descr = str_or(json_object_get(v1, "description"), "");
    long long tpl = template_ocr_id != NULL ? strtoll(template_ocr_id, NULL, 10) : 0;
    json_t *job = json_object();
    json_object_set_new(job, "Status", json_integer(is_template ? 0 : cx_status_code(status)));
    json_object_set_new(job, "Id", json_integer(ocr_id));
    json_object_set_new(job, "TemplateId", json_integer(tpl));
    json_object_set_new(job, "Guid",
                        json_string(str_or(json_object_get(v1, is_template ? "templateId" : "jobId"), "")));
    json_object_set_new(job, "Created", cx_time(json_object_get(v1, "createdAt")));
    json_object_set_new(job, "Modified", cx_time(latest(v1, is_template ? TPL_TIMES : JOB_TIMES)));
    json_object_set_new(job, "Finished", cx_time(json_object_get(v1, "finishedAt")));
    json_object_set_new(job, "Scheduled", cx_time(json_object_get(v1, "scheduledAt")));
    json_object_set_new(job, "Started", cx_time(json_object_get(v1, "startedAt")));
    json_object_set_new(job, "NumberOfPages",
                        json_integer(json_integer_value(json_object_get(doc, "pages"))));
    json_object_set_new(job, "IsTemplate", json_boolean(is_template));
    json_object_set_new(job, "UserName", json_string(user_name));
    json_object_set_new(job, "Descr", json_string(descr));
    json_object_set_new(job, "ErrorDescription",
                        json_string(str_or(json_object_get(json_object_get(v1, "error"), "message"), "")));
    json_object_set_new(job, "FileUploaded", json_boolean(json_is_object(doc)));
    json_object_set_new(job, "CorrelationId",
                        json_string(str_or(json_object_get(is_template ? opts : v1, "correlationId"), "")));
    cx_opts_from_v1(opts, job);
    json_t *list = json_array(), *b;
    size_t i;
    json_array_foreach((json_t *)barcodes, i, b) json_array_append_new(list, barcode(b));
    json_object_set_new(job, "Barcodes", list);
    return job;
}
