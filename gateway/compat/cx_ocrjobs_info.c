/* The reference's server information (cx_ocrjobs.h): languages, version, test, name, nameversion, stats,
 * serverload, guid; folders (which ocrgate does not offer); the surface's OpenAPI document. Loop thread. */
#include "gateway/compat/cx_ocrjobs.h"
#include "gateway/gw_handlers.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

extern const char ocrgate_ocrjobs_openapi_json[];

void cx_h_openapi(gw_req_t *r)
{
    gw_send_json_text(r, 200, ocrgate_ocrjobs_openapi_json, strlen(ocrgate_ocrjobs_openapi_json));
}

void cx_h_languages(gw_req_t *r)
{
    gw_server_t *s = r->thr->server;
    json_t *a = json_array();
    for (size_t i = 0; i < s->nlanguages; ++i)
        json_array_append_new(a, json_string(cx_language_name(s->languages[i])));
    gw_send_json(r, 200, a);
}

void cx_h_version(gw_req_t *r)
{
    cx_send_value(r, json_string("v" OCRGATE_VERSION));
}

void cx_h_test(gw_req_t *r)
{
    cx_send_value(r, json_true());
}

/* The server's name: the product and this node's region (every node of a region answers alike). */
static void server_name(gw_req_t *r, char *buf, size_t len)
{
    snprintf(buf, len, "ocrgate %s", r->thr->server->cfg.region);
}

void cx_h_name(gw_req_t *r)
{
    char name[64];
    server_name(r, name, sizeof(name));
    cx_send_value(r, json_string(name));
}

void cx_h_nameversion(gw_req_t *r)
{
    char name[64], both[96];
    server_name(r, name, sizeof(name));
    snprintf(both, sizeof(both), "%s v%s", name, OCRGATE_VERSION);
    cx_send_value(r, json_string(both));
}

void cx_h_guid(gw_req_t *r)
{
    /* Stable per region, the same on every node: a name-based UUID (the layout of version 5, over SHA-256).
     */
    char seed[64];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    int n = snprintf(seed, sizeof(seed), "ocrgate region %s", r->thr->server->cfg.region);
    EVP_Digest(seed, (size_t)n, md, &mdlen, EVP_sha256(), NULL);
    md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
    md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
    char out[37];
    static const char hex[] = "0123456789abcdef";
    for (int i = 0, o = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[md[i] >> 4];
        out[o++] = hex[md[i] & 15];
        out[o] = '\0';
    }
    cx_send_value(r, json_string(out));
}

static void on_stats(gw_req_t *r, PGresult *res)
{
    long long processing =
        strtoll(PQgetvalue(res, 0, 1), NULL, 10) + strtoll(PQgetvalue(res, 0, 2), NULL, 10);
    long long ok = strtoll(PQgetvalue(res, 0, 3), NULL, 10),
              failed = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
    gw_send_json(r, 200,
                 json_pack("{s:I,s:I,s:I,s:I}", "ProcessingFiles", (json_int_t)processing, "ProcessedFiles",
                           (json_int_t)(ok + failed), "SuccessFiles", (json_int_t)ok, "ErrorFiles",
                           (json_int_t)failed));
}

static void stats_go(gw_req_t *r)
{
    const char *p[1] = {cx_state(r)->visible};
    gw_db_query(r, GW_DB_REGION, DB_RGN_OCR_COUNTS, p, NULL, on_stats);
}

void cx_h_stats(gw_req_t *r)
{
    cx_with_apps(r, stats_go);
}

/* v1's /v1/serverload figures in the reference's ServerLoad object. */
static void send_load(gw_req_t *r, int status, const char *ct, const char *body, size_t len)
{
    (void)status, (void)ct;
    json_t *v1 = json_loadb(body, len, 0, NULL);
    char name[64];
    server_name(r, name, sizeof(name));
    json_int_t queued = json_integer_value(json_object_get(v1, "queued"));
    json_int_t processing = json_integer_value(json_object_get(v1, "processing"));
    json_int_t workers = json_integer_value(json_object_get(v1, "workers"));
    json_int_t load = json_integer_value(json_object_get(v1, "loadPercent"));
    json_decref(v1);
    gw_send_json(r, 200,
                 json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:i,s:I,s:I,s:I,s:I,s:I,s:i,s:i}", "Name", name,
                           "Version", "v" OCRGATE_VERSION, "OverallFilesInProcessing", processing,
                           "JobsInProcessing", processing, "FilesInProcessing", processing, "ScheduledJobs",
                           queued, "ScheduledFiles", queued, "FoldersThreads", 0, "JobsThreads", workers,
                           "LoadPercent", load, "RealLoadPercent", load, "JobsLoadPercent", load,
                           "JobsRealLoadPercent", load, "FoldersLoadPercent", 0, "FoldersRealLoadPercent",
                           0));
}

void cx_h_serverload(gw_req_t *r)
{
    cx_v1(r, gw_h_serverload, NULL, send_load);
}

void cx_h_folders(gw_req_t *r)
{
    gw_send_json(r, 200, json_array());
}

void cx_h_folder(gw_req_t *r)
{
    cx_send_error(r, 404, "ResourceNotFound",
                  "OCR folder definitions are not offered by this server: create a job and upload the file");
}
