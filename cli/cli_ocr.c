/*
 * `ocrgate ocr`: the command-line client of the API. It finds the license's processing region through
 * GET /v1/licenses on whatever endpoint it was given, uploads each file as one job (several at once, one
 * worker thread each), follows the job's pages, and writes every requested format next to the input or into
 * -o. Transport and retries are cli_http's, the terminal display cli_progress's; this file holds the options,
 * the course of one file and the exit codes. Runs on the main thread plus its --jobs worker threads; each
 * worker owns its HTTPS session and its file's state.
 */
#include "cli/cli.h"
#include "cli/cli_http.h"
#include "cli/cli_progress.h"
#include "engine/eng_format.h"

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Exit codes (README "Command-line client"); with several files the largest one wins. */
enum {
    EXIT_OK = 0,
    EXIT_JOB_FAILED = CLI_EXIT_FAIL, /* a job failed or was refused (4xx other than below) */
    EXIT_USAGE = CLI_EXIT_USAGE,     /* the command line, or an option the API refused (400) */
    EXIT_AUTH = 3,                   /* credentials refused (401), or no region to switch to */
    EXIT_QUOTA = 4,                  /* quota used up and waiting not allowed or given up */
    EXIT_UNAVAILABLE = 5,            /* no answer, 503 or TLS failure after the retries */
};

#define MAX_FORMATS 16
#define MAX_OPTIONS 64
#define BASE_MAX 1024
#define QUERY_MAX 4096
#define URL_MAX 8192
/* Polling GET /v1/jobs/{id} counts against the quota: every 0.5 s after a change, slowing to every 2 s. */
#define POLL_FIRST_S 0.5
#define POLL_MAX_S 2.0

static const char USAGE[] =
    "usage: ocrgate ocr [--endpoint URL] [--license ID --app ID] [--format F]... [-o FILE|DIR]\n"
    "                   [--option name=value]... [--cacert FILE] [--jobs N] [--json] [--max-wait S] FILE...\n"
    "\n"
    "Recognizes each FILE as one job and writes each requested format next to it (scan.tif -> scan.txt,\n"
    "scan.pdf, ...) or into -o (a directory, or a file name for one input and one format; - for stdout).\n"
    "\n"
    "  --endpoint URL       any region's endpoint (default $OCRGATE_ENDPOINT); the client asks GET "
    "/v1/licenses\n"
    "                       and switches to the license's processing region by itself\n"
    "  --license ID, --app ID  tenant credentials (default $OCRGATE_LICENSE_ID, $OCRGATE_APP_ID)\n"
    "  --format F           a result to write, repeatable (default text): %s\n"
    "  --option name=value  a job option of the API (languages=eng+deu, deskew=true, ...), repeatable\n"
    "  --cacert FILE        trust the certificates in FILE (default: the system's store)\n"
    "  --jobs N             files processed at once (default 4)\n"
    "  --json               print one JSON document with every file's outcome on stdout\n"
    "  --max-wait S         longest wait for the hourly quota window to reset, in seconds (default 3600;\n"
    "                       0: do not wait, exit 4 at once)\n"
    "  --retry-for S        keep retrying while the service is unavailable (503, no connection) for up to S\n"
    "                       seconds, with backoff from 0.5 s to 8 s (default 120)\n"
    "  --limit-rate BYTES   upload at most BYTES per second per file\n"
    "\n"
    "Progress (an upload bar, then pages done of total) is drawn on stderr when it is a terminal; otherwise\n"
    "the client prints only errors and waits. A file's job has an Idempotency-Key derived from its content,\n"
    "formats and options, so running the same command again returns the same job instead of a new one.\n"
    "\n"
    "Exit status: 0 every file done; 1 a job failed or a file was refused; 2 usage (or an option the API\n"
    "refused); 3 credentials or region refused; 4 quota used up (not waiting, or waited --max-wait); 5 "
    "service\n"
    "unavailable after retrying (503, no connection, TLS failure). With several files, the largest.\n";

typedef struct {
    const char *endpoint, *license_id, *app_id, *cacert, *output;
    const eng_output_t *formats[MAX_FORMATS];
    int nformats;
    const char *options[MAX_OPTIONS];
    int noptions;
    int jobs, json, output_is_dir;
    double max_wait, retry_for;
    long long limit_rate;
    char **files;
    int nfiles;
} ocr_args_t;

/* One file's course and outcome; written by its worker only, read by main after the join. */
typedef struct {
    const char *path;
    int exit_code;
    char job_id[64], status[32], error_code[64], message[1024];
    int pages;
    char *written[MAX_FORMATS]; /* malloc'ed paths, per format */
} ocr_file_t;

typedef struct {
    ocr_args_t *a;
    char base[BASE_MAX]; /* the processing region's endpoint, no trailing slash */
    char query[QUERY_MAX];
    long long max_file_bytes; /* the license's tier, from discovery; 0: not said */
    ocr_file_t *files;
    ocr_file_t discovery; /* the outcome of GET /v1/licenses when it failed */
    cli_progress_t *progress;
    pthread_mutex_t lock;
    int next;
} ocr_run_t;

typedef struct {
    ocr_run_t *run;
    int line;
} worker_ctx_t;

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

static cli_http_t *session(const ocr_args_t *a, worker_ctx_t *w)
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
static int failure(ocr_file_t *f, cli_http_result_t res, const cli_http_resp_t *r)
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
static void idempotency_key(const ocr_run_t *run, const char *data, size_t len, char out[80])
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

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Where format f of input `path` goes: -o FILE, -o DIR/name.ext, or name.ext beside the input. */
static char *output_path(const ocr_args_t *a, const char *path, const eng_output_t *f)
{
    if (a->output != NULL && !a->output_is_dir)
        return strdup(a->output);
    const char *name = base_name(path), *dot = strrchr(name, '.');
    int stem = dot != NULL && dot != name ? (int)(dot - name) : (int)strlen(name);
    char *out = NULL;
    int r;
    size_t dl = a->output != NULL ? strlen(a->output) : 0;
    while (dl > 1 && a->output[dl - 1] == '/')
        --dl;
    if (a->output != NULL)
        r = asprintf(&out, "%.*s/%.*s.%s", (int)dl, a->output, stem, name, f->extension);
    else
        r = asprintf(&out, "%.*s%.*s.%s", (int)(name - path), path, stem, name, f->extension);
    return r < 0 ? NULL : out;
}

/* Writes the result through a temporary file and a rename, so a reader never sees half of it. */
static int write_result(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
    if (strcmp(path, "-") == 0) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
            snprintf(err, errlen, "stdout: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    char tmp[URL_MAX];
    snprintf(tmp, sizeof(tmp), "%s.part%ld", path, (long)getpid());
    FILE *fp = fopen(tmp, "wb");
    int ok = fp != NULL && fwrite(data, 1, len, fp) == len;
    if (fp != NULL && fclose(fp) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
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
            int code = failure(f, res, &r);
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
            int code = failure(f, res, &r);
            cli_http_resp_free(&r);
            return code;
        }
        char *path = output_path(a, f->path, a->formats[i]);
        int w = path != NULL ? write_result(path, r.body, r.len, err, sizeof(err)) : -1;
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
    cli_http_t *h = session(run->a, &w);
    if (h == NULL) {
        free(data);
        snprintf(f->message, sizeof(f->message), "out of memory");
        return EXIT_JOB_FAILED;
    }
    idempotency_key(run, data, len, key);
    snprintf(url, sizeof(url), "%s/v1/jobs?%s", run->base, run->query);
    cli_http_upload_t up = {data, len, base_name(f->path)};
    cli_http_resp_t r;
    cli_http_result_t res = cli_http_call(h, "POST", url, key, &up, &r);
    free(data);
    json_t *job = NULL;
    if (res == CLI_HTTP_ANSWERED && (r.status == 200 || r.status == 201))
        job = json_loadb(r.body, r.len, 0, NULL);
    const char *id = json_string_value(json_object_get(job, "jobId"));
    if (id == NULL) {
        code = failure(f, res, &r);
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

static void *worker(void *arg)
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

/* GET /v1/licenses on the given endpoint: the processing region's endpoint into run->base. */
static int discover(ocr_run_t *run, const char *endpoint)
{
    char url[URL_MAX];
    size_t n = strlen(endpoint);
    while (n > 0 && endpoint[n - 1] == '/')
        --n;
    snprintf(url, sizeof(url), "%.*s/v1/licenses", (int)n, endpoint);
    cli_http_t *h = session(run->a, NULL);
    if (h == NULL)
        return EXIT_JOB_FAILED;
    cli_http_resp_t r;
    ocr_file_t *f = &run->discovery;
    cli_http_result_t res = cli_http_call(h, "GET", url, NULL, NULL, &r);
    cli_http_destroy(h);
    int code = 0;
    json_t *j = res == CLI_HTTP_ANSWERED && r.status == 200 ? json_loadb(r.body, r.len, 0, NULL) : NULL;
    const char *ep = json_string_value(json_object_get(j, "endpoint"));
    if (ep == NULL) {
        code = failure(f, res, &r);
        if (code == EXIT_JOB_FAILED || code == EXIT_USAGE)
            code = EXIT_AUTH; /* no answer that names a region: nothing to run against */
        fprintf(stderr, "ocrgate ocr: %.*s: %s\n", (int)n, endpoint, f->message);
    } else {
        n = strlen(ep);
        while (n > 0 && ep[n - 1] == '/')
            --n;
        snprintf(run->base, sizeof(run->base), "%.*s", (int)n, ep);
        run->max_file_bytes = json_integer_value(json_object_get(json_object_get(j, "tier"), "maxFileBytes"));
        const char *region = json_string_value(json_object_get(j, "processingRegion"));
        if (isatty(STDERR_FILENO) && strncmp(run->base, endpoint, n) != 0)
            fprintf(stderr, "ocrgate ocr: license processed in %s: using %s\n", region ? region : "?",
                    run->base);
    }
    json_decref(j);
    cli_http_resp_free(&r);
    return code;
}

/* The query string every job of the run is created with: outputs, then the --option pairs. */
static int build_query(ocr_run_t *run)
{
    const ocr_args_t *a = run->a;
    size_t o = (size_t)snprintf(run->query, sizeof(run->query), "outputs=");
    for (int i = 0; i < a->nformats; ++i)
        o += (size_t)snprintf(run->query + o, sizeof(run->query) - o, "%s%s", i ? "," : "",
                              a->formats[i]->name);
    for (int i = 0; i < a->noptions; ++i) {
        char name[128], val[1024];
        const char *eq = strchr(a->options[i], '=');
        snprintf(name, sizeof(name), "%.*s", (int)(eq - a->options[i]), a->options[i]);
        cli_http_escape(eq + 1, val, sizeof(val));
        char ename[400];
        cli_http_escape(name, ename, sizeof(ename));
        o += (size_t)snprintf(run->query + o, sizeof(run->query) - o, "&%s=%s", ename, val);
        if (o >= sizeof(run->query))
            return cli_usage_error("ocr", "the options are too long");
    }
    return 0;
}

/* Errors as the API names them: errorCode and message. */
static json_t *error_json(const ocr_file_t *f)
{
    return f->exit_code == 0 ? json_null()
                             : json_pack("{s:s,s:s}", "errorCode", f->error_code, "message", f->message);
}

/* The run's outcome on stdout: the endpoint used (null when discovery failed, with its error), every file's,
 * and the exit status. */
static void print_json(ocr_run_t *run, int code)
{
    json_t *arr = json_array();
    for (int i = 0; run->files != NULL && i < run->a->nfiles; ++i) {
        const ocr_file_t *f = &run->files[i];
        json_t *out = json_object();
        for (int k = 0; k < run->a->nformats; ++k)
            if (f->written[k] != NULL)
                json_object_set_new(out, run->a->formats[k]->name, json_string(f->written[k]));
        json_t *err = error_json(f);
        json_array_append_new(arr, json_pack("{s:s,s:s?,s:s?,s:i,s:o,s:o,s:i}", "file", f->path, "jobId",
                                             f->job_id[0] ? f->job_id : NULL, "status",
                                             f->status[0] ? f->status : NULL, "pages", f->pages, "outputs",
                                             out, "error", err, "exitCode", f->exit_code));
    }
    run->discovery.exit_code = run->base[0] == '\0' ? code : 0;
    json_t *doc = json_pack("{s:s?,s:o,s:o,s:i}", "endpoint", run->base[0] ? run->base : NULL, "files", arr,
                            "error", error_json(&run->discovery), "exitCode", code);
    char *s = json_dumps(doc, JSON_INDENT(2));
    printf("%s\n", s);
    free(s);
    json_decref(doc);
}

static int parse_args(int argc, char **argv, ocr_args_t *a)
{
    enum {
        O_ENDPOINT = 256,
        O_LICENSE,
        O_APP,
        O_FORMAT,
        O_OPTION,
        O_CACERT,
        O_JOBS,
        O_JSON,
        O_WAIT,
        O_RATE,
        O_RETRY
    };
    static const struct option opts[] = {{"endpoint", required_argument, 0, O_ENDPOINT},
                                         {"license", required_argument, 0, O_LICENSE},
                                         {"app", required_argument, 0, O_APP},
                                         {"format", required_argument, 0, O_FORMAT},
                                         {"output", required_argument, 0, 'o'},
                                         {"option", required_argument, 0, O_OPTION},
                                         {"cacert", required_argument, 0, O_CACERT},
                                         {"jobs", required_argument, 0, O_JOBS},
                                         {"json", no_argument, 0, O_JSON},
                                         {"max-wait", required_argument, 0, O_WAIT},
                                         {"limit-rate", required_argument, 0, O_RATE},
                                         {"retry-for", required_argument, 0, O_RETRY},
                                         {"help", no_argument, 0, 'h'},
                                         {0}};
    char names[256], *end;
    int c;
    memset(a, 0, sizeof(*a));
    a->jobs = 4;
    a->max_wait = 3600;
    a->retry_for = 120;
    a->endpoint = getenv("OCRGATE_ENDPOINT");
    a->license_id = getenv("OCRGATE_LICENSE_ID");
    a->app_id = getenv("OCRGATE_APP_ID");
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case O_ENDPOINT:
            a->endpoint = optarg;
            break;
        case O_LICENSE:
            a->license_id = optarg;
            break;
        case O_APP:
            a->app_id = optarg;
            break;
        case O_FORMAT: {
            const eng_output_t *f = eng_output_find(optarg);
            if (f == NULL)
                return cli_usage_error("ocr", "unknown format '%s' (formats: %s)", optarg,
                                       eng_output_names(names, sizeof(names), 0));
            int dup = 0;
            for (int i = 0; i < a->nformats; ++i)
                dup |= a->formats[i] == f;
            if (!dup && a->nformats < MAX_FORMATS)
                a->formats[a->nformats++] = f;
            break;
        }
        case 'o':
            a->output = optarg;
            break;
        case O_OPTION:
            if (strchr(optarg, '=') == NULL || optarg[0] == '=')
                return cli_usage_error("ocr", "--option takes name=value, not '%s'", optarg);
            if (strncmp(optarg, "outputs=", 8) == 0)
                return cli_usage_error("ocr", "name the results with --format, not --option outputs=");
            if (strncmp(optarg, "autostart=", 10) == 0)
                return cli_usage_error("ocr",
                                       "the client starts its jobs itself: --option autostart is not taken");
            if (a->noptions == MAX_OPTIONS)
                return cli_usage_error("ocr", "at most %d --option", MAX_OPTIONS);
            a->options[a->noptions++] = optarg;
            break;
        case O_CACERT:
            a->cacert = optarg;
            break;
        case O_JOBS:
            a->jobs = (int)strtol(optarg, &end, 10);
            if (*end != '\0' || a->jobs < 1 || a->jobs > 64)
                return cli_usage_error("ocr", "--jobs takes a number from 1 to 64, not '%s'", optarg);
            break;
        case O_JSON:
            a->json = 1;
            break;
        case O_WAIT:
            a->max_wait = strtod(optarg, &end);
            if (*end != '\0' || a->max_wait < 0)
                return cli_usage_error("ocr", "--max-wait takes seconds, not '%s'", optarg);
            break;
        case O_RETRY:
            a->retry_for = strtod(optarg, &end);
            if (*end != '\0' || a->retry_for < 0)
                return cli_usage_error("ocr", "--retry-for takes seconds, not '%s'", optarg);
            break;
        case O_RATE:
            a->limit_rate = strtoll(optarg, &end, 10);
            if (*end != '\0' || a->limit_rate < 1)
                return cli_usage_error("ocr", "--limit-rate takes bytes per second, not '%s'", optarg);
            break;
        case 'h':
            printf(USAGE, eng_output_names(names, sizeof(names), 0));
            exit(0);
        default:
            return cli_usage_error("ocr", "unknown option '%s'", argv[optind - 1]);
        }
    }
    a->files = argv + optind;
    a->nfiles = argc - optind;
    if (a->nfiles == 0)
        return cli_usage_error("ocr", "no input file");
    if (a->endpoint == NULL || a->endpoint[0] == '\0')
        return cli_usage_error("ocr", "no endpoint: give --endpoint URL or set OCRGATE_ENDPOINT");
    if (a->license_id == NULL || a->app_id == NULL || !a->license_id[0] || !a->app_id[0])
        return cli_usage_error("ocr", "no credentials: give --license ID --app ID or set OCRGATE_LICENSE_ID "
                                      "and OCRGATE_APP_ID");
    if (a->nformats == 0)
        a->formats[a->nformats++] = eng_output_find("text");
    for (int i = 0; i < a->nfiles; ++i)
        if (access(a->files[i], R_OK) != 0)
            return cli_usage_error("ocr", "cannot read '%s': %s", a->files[i], strerror(errno));
    if (a->output != NULL) {
        struct stat st;
        size_t ol = strlen(a->output);
        a->output_is_dir = (stat(a->output, &st) == 0 && S_ISDIR(st.st_mode)) || a->output[ol - 1] == '/';
        if (a->output_is_dir && mkdir(a->output, 0777) != 0 && errno != EEXIST)
            return cli_usage_error("ocr", "cannot make directory '%s': %s", a->output, strerror(errno));
        if (!a->output_is_dir && (a->nfiles > 1 || a->nformats > 1))
            return cli_usage_error("ocr", "-o FILE takes one input and one --format; use -o DIR/ for more");
    }
    return 0;
}

/* Two inputs whose results would land on the same path (a.tif and a.png into one directory) are refused
 * before anything is sent, rather than one silently overwriting the other. */
static int check_collisions(const ocr_args_t *a)
{
    int ret = 0;
    char **paths = calloc((size_t)a->nfiles, sizeof(char *));
    if (paths == NULL)
        return EXIT_JOB_FAILED;
    for (int i = 0; i < a->nfiles && ret == 0; ++i) {
        paths[i] = output_path(a, a->files[i], a->formats[0]);
        for (int k = 0; k < i && ret == 0 && paths[i] != NULL; ++k)
            if (paths[k] != NULL && strcmp(paths[k], paths[i]) == 0)
                ret = cli_usage_error("ocr", "'%s' and '%s' would both write %s", a->files[k], a->files[i],
                                      paths[i]);
    }
    for (int i = 0; i < a->nfiles; ++i)
        free(paths[i]);
    free(paths);
    return ret;
}

int cli_ocr(int argc, char **argv)
{
    ocr_args_t a;
    int code = parse_args(argc, argv, &a);
    if (code != 0 || (code = check_collisions(&a)) != 0)
        return code;
    ocr_run_t run = {.a = &a};
    pthread_mutex_init(&run.lock, NULL);
    if ((code = build_query(&run)) != 0)
        return code;
    /* libcurl with CURLOPT_NOSIGNAL (threads) leaves SIGPIPE alone: a server closing mid-upload must be an
     * error to retry, not the end of the process. */
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if ((code = discover(&run, a.endpoint)) != 0) {
        if (a.json)
            print_json(&run, code);
        goto Exit;
    }
    run.files = calloc((size_t)a.nfiles, sizeof(ocr_file_t));
    int nthreads = a.jobs < a.nfiles ? a.jobs : a.nfiles;
    pthread_t *threads = calloc((size_t)nthreads, sizeof(pthread_t));
    if (run.files == NULL || threads == NULL ||
        (run.progress = cli_progress_create(stderr, isatty(STDERR_FILENO), a.nfiles,
                                            (const char *const *)a.files)) == NULL) {
        free(threads);
        fprintf(stderr, "ocrgate ocr: out of memory\n");
        code = EXIT_JOB_FAILED;
        goto Exit;
    }
    for (int i = 0; i < a.nfiles; ++i)
        run.files[i].path = a.files[i];
    int started = 0;
    for (; started < nthreads; ++started)
        if (pthread_create(&threads[started], NULL, worker, &run) != 0)
            break;
    if (started == 0)
        worker(&run);
    for (int i = 0; i < started; ++i)
        pthread_join(threads[i], NULL);
    free(threads);
    for (int i = 0; i < a.nfiles; ++i)
        if (run.files[i].exit_code > code)
            code = run.files[i].exit_code;
    if (a.json)
        print_json(&run, code);
Exit:
    if (run.files != NULL)
        for (int i = 0; i < a.nfiles; ++i)
            for (int k = 0; k < MAX_FORMATS; ++k)
                free(run.files[i].written[k]);
    free(run.files);
    cli_progress_destroy(run.progress);
    pthread_mutex_destroy(&run.lock);
    curl_global_cleanup();
    return code;
}
