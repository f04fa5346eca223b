/*
 * cli_ocr: the parts of `ocrgate ocr` (the command-line client of the API), one concern each, and what they
 * share: the parsed command line, one file's course and outcome, the run.
 * - cli_ocr.c: the command: options, finding the license's region (GET /v1/licenses), the job query, the
 *   worker threads, the JSON outcome and the exit status.
 * - cli_ocr_file.c: the course of one file: read, upload as a job with its Idempotency-Key, follow the job,
 *   fetch its results; the worker threads' loop.
 * - cli_ocr_out.c: where results are written (beside the input, -o DIR/, -o FILE) and writing them whole.
 * Transport and retries are cli_http's, the terminal display cli_progress's. Runs on the main thread plus
 * its --jobs worker threads; each worker owns its HTTPS session and its file's state. Internal to the
 * command: cli.h has its entry point.
 */
#ifndef OCRGATE_CLI_OCR_H
#define OCRGATE_CLI_OCR_H

#include "cli/cli.h"
#include "cli/cli_http.h"
#include "cli/cli_progress.h"
#include "engine/eng_format.h"

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>

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

/* ---- cli_ocr_file.c ---- */

/* An HTTPS session with the command's credentials and waits; with `w`, its notes and upload progress go to
 * that file's line, else to stderr (discovery, before the files have lines). NULL when out of memory. */
cli_http_t *cli_ocr__session(const ocr_args_t *a, worker_ctx_t *w);
/* The exit code and sentence (into f) of a call that did not get the answer it wanted. */
int cli_ocr__failure(ocr_file_t *f, cli_http_result_t res, const cli_http_resp_t *r);
/* The Idempotency-Key of a file's job ("ocr-" and 64 hex digits). */
void cli_ocr__idempotency_key(const ocr_run_t *run, const char *data, size_t len, char out[80]);
/* A worker thread (arg: the run): takes the next file until none is left, each from upload to results. */
void *cli_ocr__worker(void *arg);

/* ---- cli_ocr_out.c ---- */

const char *cli_ocr__base_name(const char *path);
/* Where format f of input `path` goes (malloc'ed; NULL when out of memory). */
char *cli_ocr__output_path(const ocr_args_t *a, const char *path, const eng_output_t *f);
/* Writes a result whole (through a temporary file and a rename; "-" is stdout); -1 with a sentence in err. */
int cli_ocr__write_result(const char *path, const char *data, size_t len, char *err, size_t errlen);
/* 0, or a usage error when two inputs would write the same path. */
int cli_ocr__check_collisions(const ocr_args_t *a);

#endif
