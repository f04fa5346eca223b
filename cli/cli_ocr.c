/*
 * `ocrgate ocr`: the command-line client of the API. It finds the license's processing region through
 * GET /v1/licenses on whatever endpoint it was given, uploads each file as one job (several at once, one
 * worker thread each), follows the job's pages, and writes every requested format next to the input or into
 * -o. This file is the command: its options, the region's discovery, the job query, the worker threads and
 * the outcome; the course of one file is cli_ocr_file.c's, writing results cli_ocr_out.c's (cli_ocr.h).
 * Runs on the main thread, which starts the --jobs worker threads and joins them.
 */
#include "cli/cli_ocr.h"

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* GET /v1/licenses on the given endpoint: the processing region's endpoint into run->base. */
static int discover(ocr_run_t *run, const char *endpoint)
{
    char url[URL_MAX];
    size_t n = strlen(endpoint);
    while (n > 0 && endpoint[n - 1] == '/')
        --n;
    snprintf(url, sizeof(url), "%.*s/v1/licenses", (int)n, endpoint);
    cli_http_t *h = cli_ocr__session(run->a, NULL);
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
        code = cli_ocr__failure(f, res, &r);
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

int cli_ocr(int argc, char **argv)
{
    ocr_args_t a;
    int code = parse_args(argc, argv, &a);
    if (code != 0 || (code = cli_ocr__check_collisions(&a)) != 0)
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
        if (pthread_create(&threads[started], NULL, cli_ocr__worker, &run) != 0)
            break;
    if (started == 0)
        cli_ocr__worker(&run);
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
