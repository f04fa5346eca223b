/* The course of one file of `ocrgate ocr` (cli_ocr.h): read, uploaded as one job, followed to its end, its
 * results fetched and written. Runs on the command's worker threads; each owns its session and its file. */
#include "cli/cli_ocr.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Polling GET /v1/jobs/{id} counts against the quota: every 0.5 s after a change, slowing to every 2 s. */
#define POLL_FIRST_S 0.5
#define POLL_MAX_S 2.0

static void on_notify(void *ctx, const char *sentence)
{
    worker_ctx_t *w = ctx;
    cli_progress_note(w->run->progress, w->line, "%s", sentence);
}

static void on_upload(void *ctx, uint64_t sent, uint64_t total)
{
    worker_ctx_t *w = ctx;
    cli_progress_bytes(w->run->progress, w->line, sent, total);
}

/* Before the files have lines of their own (discovery), waits are told on stderr directly. */
static void on_notify_plain(void *ctx, const char *sentence)
{
    (void)ctx;
    fprintf(stderr, "ocrgate ocr: %s\n", sentence);
}

cli_http_t *cli_ocr__session(const ocr_args_t *a, worker_ctx_t *w)
{
    cli_http_opts_t o = {.license_id = a->license_id,
                         .app_id = a->app_id,
                         .cacert = a->cacert,
                         .quota_wait_s = a->max_wait,
                         .unavailable_wait_s = a->retry_for,
                         .max_send_speed = a->limit_rate,
                         .notify = w ? on_notify : on_notify_plain,
                         .upload_progress = w ? on_upload : NULL,
                         .ctx = w};
    return cli_http_create(&o);
}

/* The exit code and sentence of a call that did not get the answer it wanted. */
int cli_ocr__failure(ocr_file_t *f, cli_http_result_t res, const cli_http_resp_t *r)
{
    snprintf(f->error_code, sizeof(f->error_code), "%s", r->error_code);
    if (res == CLI_HTTP_QUOTA) {
        snprintf(f->message, sizeof(f->message), "quota used up: %s", r->message);
        return EXIT_QUOTA;
    }
    if (res == CLI_HTTP_UNAVAILABLE) {
        snprintf(f->message, sizeof(f->message), "service unavailable: %s", r->message);
        if (f->error_code[0] == '\0')
            snprintf(f->error_code, sizeof(f->error_code), "Unavailable");
        return EXIT_UNAVAILABLE;
    }
    snprintf(f->message, sizeof(f->message), "%ld %s: %s", r->status, r->error_code, r->message);
    if (r->status == 401)
        return EXIT_AUTH;
    if (r->status == 400)
        return EXIT_USAGE;
    return EXIT_JOB_FAILED;
}

static int read_file(const char *path, char **data, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return -1;
    struct stat st;
    int ret = -1;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode))
        goto Exit;
    *len = (size_t)st.st_size;
    if ((*data = malloc(*len + 1)) == NULL)
        goto Exit;
    if (fread(*data, 1, *len, fp) != *len) {
        free(*data);
        goto Exit;
    }
    ret = 0;
Exit:
    fclose(fp);
    return ret;
}

/* The Idempotency-Key of a file: SHA-256 over the app, the bytes, the formats and the options, so that the
 * same command sent again (a retry, a second run) finds its job and a changed one makes a new job. */
void cli_ocr__idempotency_key(const ocr_run_t *run, const char *data, size_t len, char out[80])
{
    unsigned char md[32];
    unsigned mdlen = 0;
    EVP_MD_CTX *x = EVP_MD_CTX_new();
    EVP_DigestInit_ex(x, EVP_sha256(), NULL);
    EVP_DigestUpdate(x, run->a->app_id, strlen(run->a->app_id) + 1);
    EVP_DigestUpdate(x, data, len);
    EVP_DigestUpdate(x, run->query, strlen(run->query) + 1);
    EVP_DigestFinal_ex(x, md, &mdlen);
    EVP_MD_CTX_free(x);
    int o = snprintf(out, 80, "ocr-");
    for (unsigned i = 0; i < mdlen; ++i)
        o += snprintf(out + o, (size_t)(80 - o), "%02x", md[i]);
}

static int is_final(const char *status)
{
    return strcmp(status, "completed") == 0 || strcmp(status, "failed") == 0 ||
           strcmp(status, "canceled") == 0;
}

/* Follows the job until it is over; returns 0 or an exit code (f->message set). */
static int follow(ocr_run_t *run, cli_http_t *h, int line, ocr_file_t *f, json_t *job)
{
    char url[URL_MAX];
    double poll = POLL_FIRST_S;
    int last_done = -1;
    char last_status[32] = "";
    snprintf(url, sizeof(url), "%s/v1/jobs/%s", run->base, f->job_id);
    for (;;) {
        const char *st = json_string_value(json_object_get(job, "status"));
        snprintf(f->status, sizeof(f->status), "%s", st ? st : "unknown");
        f->pages = (int)json_integer_value(json_object_get(json_object_get(job, "document"), "pages"));
        int done = (int)json_integer_value(json_object_get(job, "pagesDone"));
        if (is_final(f->status))
            break;
        if (strcmp(f->status, "processing") == 0)
            cli_progress_pages(run->progress, line, done, f->pages);
        else
            cli_progress_state(run->progress, line, "%s", f->status);
        /* Polls slow down while nothing moves (a long queue) and speed up again once it does. */
        if (done != last_done || strcmp(f->status, last_status) != 0)
            poll = POLL_FIRST_S;
        last_done = done;
        snprintf(last_status, sizeof(last_status), "%s", f->status);
        cli_http_sleep(poll);
        poll = poll * 1.25 > POLL_MAX_S ? POLL_MAX_S : poll * 1.25;
        cli_http_resp_t r;
        cli_http_result_t res = cli_http_call(h, "GET", url, NULL, NULL, &r);
        json_t *next =
            res == CLI_HTTP_ANSWERED && r.status == 200 ? json_loadb(r.body, r.len, 0, NULL) : NULL;
        if (next == NULL) {
            int code = cli_ocr__failure(f, res, &r);
            cli_http_resp_free(&r);
            return code;
        }
        cli_http_resp_free(&r);
        json_decref(job);
        job = next;
    }
    int code = 0;
    if (strcmp(f->status, "completed") != 0) {
        json_t *e = json_object_get(job, "error");
        const char *ec = json_string_value(json_object_get(e, "errorCode"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        snprintf(f->error_code, sizeof(f->error_code), "%s", ec ? ec : "");
        snprintf(f->message, sizeof(f->message), "job %s %s%s%s", f->status, ec ? ec : "", ec ? ": " : "",
                 msg ? msg : "");
        code = EXIT_JOB_FAILED;
    }
    json_decref(job);
    return code;
}

/* Downloads and writes every requested format of a completed job. */
static int fetch_results(ocr_run_t *run, cli_http_t *h, int line, ocr_file_t *f)
{
    const ocr_args_t *a = run->a;
    for (int i = 0; i < a->nformats; ++i) {
        char url[URL_MAX], err[400];
        cli_progress_state(run->progress, line, "downloading %s", a->formats[i]->name);
        snprintf(url, sizeof(url), "%s/v1/jobs/%s/results/%s", run->base, f->job_id, a->formats[i]->name);
        cli_http_resp_t r;
        cli_http_result_t res = cli_http_call(h, "GET", url, NULL, NULL, &r);
        if (res != CLI_HTTP_ANSWERED || r.status != 200) {
            int code = cli_ocr__failure(f, res, &r);
            cli_http_resp_free(&r);
            return code;
        }
        char *path = cli_ocr__output_path(a, f->path, a->formats[i]);
        int w = path != NULL ? cli_ocr__write_result(path, r.body, r.len, err, sizeof(err)) : -1;
        cli_http_resp_free(&r);
        if (w != 0) {
            snprintf(f->message, sizeof(f->message), "cannot write %s", path ? err : "the result");
            free(path);
            return EXIT_JOB_FAILED;
        }
        f->written[i] = path;
    }
    return 0;
}

/* One file from upload to written results. */
static int process_file(ocr_run_t *run, int line)
{
    ocr_file_t *f = &run->files[line];
    worker_ctx_t w = {run, line};
    char *data = NULL, url[URL_MAX], key[80];
    size_t len = 0;
    int code;
    if (read_file(f->path, &data, &len) != 0) {
        snprintf(f->message, sizeof(f->message), "cannot read the file: %s", strerror(errno));
        return EXIT_USAGE;
    }
    if (run->max_file_bytes > 0 && (long long)len > run->max_file_bytes) {
        /* Sent anyway, the body would be refused (413) and the connection closed mid-upload. */
        free(data);
        snprintf(f->error_code, sizeof(f->error_code), "PayloadTooLarge");
        snprintf(f->message, sizeof(f->message), "%zu bytes, over the tier's limit of %lld bytes per file",
                 len, run->max_file_bytes);
        return EXIT_JOB_FAILED;
    }
    cli_http_t *h = cli_ocr__session(run->a, &w);
    if (h == NULL) {
        free(data);
        snprintf(f->message, sizeof(f->message), "out of memory");
        return EXIT_JOB_FAILED;
    }
    cli_ocr__idempotency_key(run, data, len, key);
    snprintf(url, sizeof(url), "%s/v1/jobs?%s", run->base, run->query);
    cli_http_upload_t up = {data, len, cli_ocr__base_name(f->path)};
    cli_http_resp_t r;
    cli_http_result_t res = cli_http_call(h, "POST", url, key, &up, &r);
    free(data);
    json_t *job = NULL;
    if (res == CLI_HTTP_ANSWERED && (r.status == 200 || r.status == 201))
        job = json_loadb(r.body, r.len, 0, NULL);
    const char *id = json_string_value(json_object_get(job, "jobId"));
    if (id == NULL) {
        code = cli_ocr__failure(f, res, &r);
        cli_http_resp_free(&r);
        json_decref(job);
        goto Exit;
    }
    cli_http_resp_free(&r);
    snprintf(f->job_id, sizeof(f->job_id), "%s", id);
    if ((code = follow(run, h, line, f, job)) == 0)
        code = fetch_results(run, h, line, f);
Exit:
    cli_http_destroy(h);
    return code;
}

void *cli_ocr__worker(void *arg)
{
    ocr_run_t *run = arg;
    for (;;) {
        pthread_mutex_lock(&run->lock);
        int i = run->next < run->a->nfiles ? run->next++ : -1;
        pthread_mutex_unlock(&run->lock);
        if (i < 0)
            return NULL;
        ocr_file_t *f = &run->files[i];
        f->exit_code = process_file(run, i);
        if (f->exit_code == 0) {
            cli_progress_state(run->progress, i,
                               "completed [########################] pages %d/%d, wrote %s%s", f->pages,
                               f->pages, f->written[0], run->a->nformats > 1 ? " ..." : "");
        } else {
            cli_progress_state(run->progress, i, "FAILED (exit %d)", f->exit_code);
            cli_progress_note(run->progress, i, "%s", f->message);
        }
    }
}
