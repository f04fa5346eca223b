#include "engine/eng_worker.h"
#include "engine/eng_clean.h"
#include "engine/eng_doc.h"
#include "engine/eng_format.h"
#include "engine/eng_image.h"
#include "engine/eng_pdf_in.h"
#include "engine/eng_ocr.h"
#include "engine/eng_sniff.h"
#include "sql/db.h"

#include <jansson.h>
#include <leptonica/allheaders.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WORKER_RECONNECT_MS 1000

struct eng_workers {
    const cfg_t *cfg;
    char node_id[256];
    int n;
    pthread_t *threads;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int wakeups; /* pending wake-ups, so one that arrives before a worker waits is not lost */
    int stopping;
    int busy;
    unsigned long long jobs_done, pages_done;
};

typedef struct {
    eng_workers_t *w;
    int index;
    char owner[300]; /* "<node id>/<index>": the name this worker's leases carry */
    int lost_db;     /* the connection broke while this worker held a job */
    PGconn *conn;
    eng_ocr_t *ocr;
    int64_t last_sweep;
} worker_t;

/* One claimed job as the worker sees it. */
typedef struct {
    char id[37], attempt[16], app[37];
    int attempt_no, max_attempts, stored_pages, max_pages;
    long long max_pixels;
    json_t *options;
    char name[256];
} job_t;

static void wlog(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void wlog(const char *level, const char *fmt, ...)
{
    char msg[1024], line[1300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_t *j = json_pack("{s:s,s:s,s:s}", "level", level, "component", "engine", "msg", msg);
    size_t n = j != NULL ? json_dumpb(j, line, sizeof(line) - 1, JSON_COMPACT) : 0;
    json_decref(j);
    if (n > 0 && n < sizeof(line) - 1) {
        line[n++] = '\n';
        if (write(STDERR_FILENO, line, n) < 0) {
        }
    }
}

static int64_t now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

static int stopping(eng_workers_t *w)
{
    pthread_mutex_lock(&w->mu);
    int s = w->stopping;
    pthread_mutex_unlock(&w->mu);
    return s;
}

/* Waits for a wake-up, the poll interval, or stop. */
static void idle_wait(eng_workers_t *w, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec += 1;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&w->mu);
    while (!w->stopping && w->wakeups == 0)
        if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) != 0)
            break;
    if (w->wakeups > 0)
        --w->wakeups;
    pthread_mutex_unlock(&w->mu);
}

void eng_workers_wake(eng_workers_t *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    if (w->wakeups < w->n)
        ++w->wakeups;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void eng_workers_stats(eng_workers_t *w, int *busy, int *total, unsigned long long *jobs,
                       unsigned long long *pages)
{
    pthread_mutex_lock(&w->mu);
    *busy = w->busy;
    *total = w->n;
    pthread_mutex_unlock(&w->mu);
    *jobs = __atomic_load_n(&w->jobs_done, __ATOMIC_RELAXED);
    *pages = __atomic_load_n(&w->pages_done, __ATOMIC_RELAXED);
}

/* Runs a statement; on failure logs and drops the connection so the loop reconnects. */
static PGresult *run(worker_t *wk, db_stmt_id_t id, const char *const *params, const int *lengths)
{
    char err[512];
    if (wk->conn == NULL)
        return NULL;
    PGresult *res = db_exec_bin(wk->conn, id, params, lengths, err, sizeof(err));
    if (res == NULL) {
        wlog("warn", "worker %d: %s: %s", wk->index, db_stmts[id].name, err);
        if (PQstatus(wk->conn) != CONNECTION_OK) {
            PQfinish(wk->conn);
            wk->conn = NULL;
            wk->lost_db = 1;
        }
    }
    return res;
}

static int lease_seconds(const job_t *j)
{
    json_int_t t = json_integer_value(json_object_get(j->options, "pageTimeoutMs"));
    return (int)(t / 1000) * 2 + 30;
}

/* Finishes the job (fenced). status: completed | failed | canceled. */
static int finish(worker_t *wk, job_t *j, const char *status, const char *code, const char *message,
                  const char *progress)
{
    const char *p[7] = {j->id, wk->owner, j->attempt, status, code, message, progress};
    PGresult *r = run(wk, DB_RGN_JOB_FINISH, p, NULL);
    int ok = r != NULL && PQntuples(r) == 1;
    PQclear(r);
    if (ok) {
        /* The app's analytics learn the outcome, its pages and engine time (in the completion's transaction
         * when there is one). */
        const char *u[2] = {j->id, status};
        PQclear(run(wk, DB_RGN_USAGE_JOB, u, NULL));
        __atomic_add_fetch(&wk->w->jobs_done, 1, __ATOMIC_RELAXED);
    }
    if (ok)
        wlog("info", "job %s %s%s%s", j->id, status, message ? ": " : "", message ? message : "");
    return ok ? 0 : -1;
}

static const char *opt_str(const job_t *j, const char *key)
{
    return json_string_value(json_object_get(j->options, key));
}

static int opt_bool(const job_t *j, const char *key)
{
    return json_is_true(json_object_get(j->options, key));
}

static int want_output(const job_t *j, const char *fmt)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j->options, "outputs"), i,
                       v) if (strcmp(json_string_value(v), fmt) == 0) return 1;
    return 0;
}

static eng_psm_t psm_of(const char *s)
{
    if (s == NULL)
        return ENG_PSM_AUTO;
    if (strcmp(s, "single_block") == 0)
        return ENG_PSM_SINGLE_BLOCK;
    if (strcmp(s, "single_column") == 0)
        return ENG_PSM_SINGLE_COLUMN;
    if (strcmp(s, "sparse") == 0)
        return ENG_PSM_SPARSE;
    return ENG_PSM_AUTO;
}

/* Assembles and stores the whole-document outputs, then completes the job, in one transaction. */
static int complete(worker_t *wk, job_t *j, int npages, int failed_pages, int timeouts, unsigned char *pdf,
                    size_t pdf_len)
{
    char err[512];
    const char *p1[1] = {j->id};
    PGresult *pages = run(wk, DB_RGN_JOB_PAGES_ALL, p1, NULL);
    if (pages == NULL)
        return -1;
    int n = PQntuples(pages), ret = -1;
    const char **cols[5];
    for (int c = 0; c < 5; ++c) {
        cols[c] = calloc((size_t)n + 1, sizeof(char *));
        for (int i = 0; i < n; ++i)
            cols[c][i] = strcmp(PQgetvalue(pages, i, 1), "completed") == 0 && !PQgetisnull(pages, i, 2 + c)
                             ? PQgetvalue(pages, i, 2 + c)
                             : NULL;
    }
    if (failed_pages == npages) {
        ret = finish(wk, j, "failed", timeouts == npages ? "Timeout" : "ProcessingFailed",
                     timeouts == npages ? "every page exceeded its recognition time limit"
                                        : "no page of the document could be recognized",
                     "failed");
        goto Exit;
    }
    if (db_begin(wk->conn, err, sizeof(err)) != 0)
        goto Exit;
    size_t nf;
    const eng_output_t *fmts = eng_outputs(&nf);
    /* The page columns hold the per-page formats in the table's order. */
    for (size_t k = 0, col = 0; k < nf; col += fmts[k].per_page, ++k) {
        if (fmts[k].render == NULL || !want_output(j, fmts[k].name))
            continue;
        char *doc = fmts[k].render((const char *const *)cols[col], n, j->name);
        if (doc == NULL)
            goto Rollback;
        const char *p[4] = {j->id, fmts[k].name, fmts[k].content_type, doc};
        int lens[4] = {0, 0, 0, (int)strlen(doc)};
        PGresult *r = run(wk, DB_RGN_OUTPUT_STORE, p, lens);
        free(doc);
        if (r == NULL)
            goto Rollback;
        PQclear(r);
    }
    if (pdf != NULL) {
        const char *p[4] = {j->id, "pdf", eng_output_find("pdf")->content_type, (const char *)pdf};
        int lens[4] = {0, 0, 0, (int)pdf_len};
        PGresult *r = run(wk, DB_RGN_OUTPUT_STORE, p, lens);
        if (r == NULL)
            goto Rollback;
        PQclear(r);
    }
    char msg[96];
    snprintf(msg, sizeof(msg), "completed %d page%s%s", npages, npages == 1 ? "" : "s",
             failed_pages ? " with errors" : "");
    if (finish(wk, j, "completed", NULL, NULL, msg) != 0)
        goto Rollback;
    if (db_commit(wk->conn, err, sizeof(err)) != 0)
        goto Exit;
    ret = 0;
    goto Exit;
Rollback:
    if (wk->conn != NULL)
        db_rollback(wk->conn);
Exit:
    for (int c = 0; c < 5; ++c)
        free(cols[c]);
    PQclear(pages);
    return ret;
}

/* Stores one page's result, fenced. Returns 1 when cancel was requested, 0 to go on, -1 when the lease is
 * lost. */
static int store_page(worker_t *wk, job_t *j, int page, int npages, const eng_page_result_t *res,
                      const char *status, const char *error, const unsigned char *png, size_t png_len)
{
    char spage[16], w[16], h[16], dpi[16], conf[32], words[16], ms[16], lease[16], np[16];
    snprintf(spage, sizeof(spage), "%d", page);
    snprintf(w, sizeof(w), "%d", res->width);
    snprintf(h, sizeof(h), "%d", res->height);
    snprintf(dpi, sizeof(dpi), "%d", res->dpi);
    snprintf(conf, sizeof(conf), "%.3f", res->confidence);
    snprintf(words, sizeof(words), "%d", res->words);
    snprintf(ms, sizeof(ms), "%ld", res->engine_ms);
    snprintf(lease, sizeof(lease), "%d", lease_seconds(j));
    snprintf(np, sizeof(np), "%d", npages);
    int ok = strcmp(status, "completed") == 0;
    const char *p[20] = {
        j->id,           wk->owner,        j->attempt, spage, status, ok ? w : NULL,    ok ? h : NULL,
        ok ? dpi : NULL, ok ? conf : NULL, words,      ms,    error,  res->text,        res->json,
        res->hocr,       res->tsv,         res->alto,  lease, np,     (const char *)png};
    int lens[20] = {0};
    lens[19] = (int)png_len;
    PGresult *r = run(wk, DB_RGN_PAGE_STORE, p, lens);
    if (r == NULL || PQntuples(r) == 0) {
        PQclear(r);
        return -1;
    }
    int cancel = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return cancel;
}

/* A blank page dropped by deleteBlankPages: recorded (status skipped) so that progress and resume see it. */
static int store_blank(worker_t *wk, job_t *j, int page, int npages)
{
    eng_page_result_t none;
    memset(&none, 0, sizeof(none));
    return store_page(wk, j, page, npages, &none, "blank", NULL, NULL, 0);
}

static void process(worker_t *wk, job_t *j)
{
    char err[512];
    const char *p1[1] = {j->id};
    eng_page_info_t *infos = NULL;
    eng_pdf_t *pdf = NULL;
    unsigned char *pdf_bytes = NULL;
    size_t pdf_len = 0;
    PGresult *doc = NULL;
    int npages = 0, failed_pages = 0, timeouts = 0;
    eng_pdfin_t *pdfin = NULL;

    if (j->attempt_no > j->max_attempts) {
        const char *p[3] = {j->id, wk->owner, j->attempt};
        PQclear(run(wk, DB_RGN_FAIL_EXHAUSTED, p, NULL));
        wlog("warn", "job %s failed after %d attempts", j->id, j->max_attempts);
        return;
    }
    if ((doc = run(wk, DB_RGN_JOB_DOCUMENT, p1, NULL)) == NULL || PQntuples(doc) != 1)
        goto Exit;
    const char *buf = PQgetvalue(doc, 0, 0);
    size_t len = (size_t)PQgetlength(doc, 0, 0);
    eng_format_t fmt = eng_sniff(buf, len);
    json_t *dpi_opt = json_object_get(j->options, "dpi");
    int dpi = json_is_integer(dpi_opt) ? (int)json_integer_value(dpi_opt) : 300;
    int pr = eng_doc_probe_dpi(buf, len, fmt, j->max_pages, dpi, &npages, &infos, err, sizeof(err));
    if (pr == ENG_DOC_TOO_MANY_PAGES) {
        char msg[160];
        snprintf(msg, sizeof(msg), "the document has more than %d pages, the limit of this license's tier",
                 j->max_pages);
        finish(wk, j, "failed", "DocumentTooLarge", msg, "failed");
        goto Exit;
    }
    if (pr != ENG_DOC_OK) {
        finish(wk, j, "failed", "UnreadableDocument", err, "failed");
        goto Exit;
    }
    for (int i = 0; i < npages; ++i) {
        if ((long long)infos[i].width * infos[i].height > j->max_pixels || infos[i].width > ENG_MAX_SIDE ||
            infos[i].height > ENG_MAX_SIDE) {
            char msg[200];
            snprintf(msg, sizeof(msg),
                     "page %d is %dx%d pixels, over the limit of %lld pixels (or %d per side)", i + 1,
                     infos[i].width, infos[i].height, j->max_pixels, ENG_MAX_SIDE);
            finish(wk, j, "failed", "DocumentTooLarge", msg, "failed");
            goto Exit;
        }
    }
    char snp[16];
    snprintf(snp, sizeof(snp), "%d", npages);
    const char *ps[4] = {j->id, wk->owner, j->attempt, snp};
    PGresult *r = run(wk, DB_RGN_JOB_SET_PAGES, ps, NULL);
    int lost = r == NULL || PQntuples(r) == 0, cancel = !lost && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (lost)
        goto Exit;
    if (cancel) {
        finish(wk, j, "canceled", NULL, NULL, "canceled");
        goto Exit;
    }

    eng_clean_opts_t co = {opt_bool(j, "deskew"), opt_bool(j, "autoRotate"), opt_bool(j, "binarize"),
                           opt_bool(j, "despeckle"), opt_bool(j, "removeBorder")};
    int delete_blank = opt_bool(j, "deleteBlankPages");
    /* PDF pages that already carry text keep it when the job asks so (no recognition). */
    if (fmt == ENG_FMT_PDF && opt_str(j, "pdfTextPolicy") != NULL &&
        strcmp(opt_str(j, "pdfTextPolicy"), "skipTextPages") == 0)
        pdfin = eng_pdfin_open(buf, len, err, sizeof(err));
    const char *langs = opt_str(j, "languages");
    eng_page_opts_t po;
    memset(&po, 0, sizeof(po));
    po.languages = langs;
    po.psm = psm_of(opt_str(j, "pageSegMode"));
    po.dpi = (int)json_integer_value(json_object_get(j->options, "dpi"));
    po.timeout_ms = (int)json_integer_value(json_object_get(j->options, "pageTimeoutMs"));
    po.min_confidence = (int)json_integer_value(json_object_get(j->options, "minConfidence"));
    size_t nf;
    const eng_output_t *fmts = eng_outputs(&nf);
    for (size_t k = 0; k < nf; ++k)
        if (!want_output(j, fmts[k].name))
            po.skip |= fmts[k].skip_unless_wanted;
    if (want_output(j, "pdf")) {
        eng_pdf_meta_t meta = {opt_str(j, "pdfTitle"), opt_str(j, "pdfAuthor"), opt_str(j, "pdfSubject"),
                               opt_str(j, "pdfKeywords")};
        if ((pdf = eng_pdf_begin(wk->ocr, langs, &meta, err, sizeof(err))) == NULL)
            wlog("warn", "job %s: no searchable PDF: %s", j->id, err);
    }

    for (int page = 1; page <= npages; ++page) {
        /* Pages stored by an earlier attempt are kept; they are only recognized again for the PDF. */
        int redo_for_pdf = page <= j->stored_pages;
        if (redo_for_pdf && pdf == NULL)
            continue;
        eng_page_result_t res;
        memset(&res, 0, sizeof(res));
        const char *status = "completed";
        char perr[512] = "";
        int rc = ENG_ERR, blank = 0;
        char *own_text = NULL;
        unsigned char *png = NULL;
        size_t png_len = 0;
        if (pdfin != NULL && !redo_for_pdf && eng_pdfin_text_chars(pdfin, page - 1, perr, sizeof(perr)) > 0 &&
            (own_text = eng_pdfin_text(pdfin, page - 1, perr, sizeof(perr))) != NULL) {
            rc = ENG_OK;
            res.text = own_text;
            res.json = NULL;
        }
        struct Pix *pix = own_text != NULL
                              ? NULL
                              : eng_doc_decode_page_dpi(buf, len, fmt, page - 1, dpi, perr, sizeof(perr));
        if (pix != NULL) {
            eng_clean_info_t ci;
            struct Pix *clean = eng_clean_page(wk->ocr, pix, &co, &ci, perr, sizeof(perr));
            pixDestroy(&pix);
            if (clean != NULL) {
                blank = delete_blank && ci.blank;
                po.rotation = ci.rotation;
                po.skew_degrees = ci.skew_degrees;
                if (blank) {
                    rc = ENG_OK;
                } else {
                    rc = eng_ocr_page(wk->ocr, clean, page, &po, &res, perr, sizeof(perr));
                    /* The page as processed, for GET .../pages/{n}/image and the thumbnail. */
                    if (rc == ENG_OK && !redo_for_pdf &&
                        eng_image_png(clean, 0, 0, &png, &png_len, err, sizeof(err)) != 0)
                        wlog("warn", "job %s: page %d image: %s", j->id, page, err);
                }
                pixDestroy(&clean);
            }
        }
        if (blank) {
            free(png);
            eng_page_result_free(&res);
            if (!redo_for_pdf) {
                int s = store_blank(wk, j, page, npages);
                if (s < 0)
                    goto Exit;
                if (s == 1) {
                    finish(wk, j, "canceled", NULL, NULL, "canceled");
                    goto Exit;
                }
            }
            continue;
        }
        if (rc == ENG_OK && own_text == NULL && pdf != NULL &&
            eng_pdf_add_last_page(pdf, err, sizeof(err)) != 0) {
            wlog("warn", "job %s: PDF page %d: %s", j->id, page, err);
            eng_pdf_abort(pdf);
            pdf = NULL;
        }
        if (rc != ENG_OK) {
            status = "failed";
            ++failed_pages;
            if (rc == ENG_TIMEOUT) {
                ++timeouts;
                snprintf(perr, sizeof(perr), "page recognition exceeded %d ms", po.timeout_ms);
            }
        }
        if (redo_for_pdf) {
            eng_page_result_free(&res);
            continue;
        }
        int s = store_page(wk, j, page, npages, &res, status, rc == ENG_OK ? NULL : perr, png, png_len);
        free(png);
        __atomic_add_fetch(&wk->w->pages_done, 1, __ATOMIC_RELAXED);
        eng_page_result_free(&res);
        if (s < 0)
            goto Exit; /* lease lost: another worker owns the job now */
        if (s == 1) {
            finish(wk, j, "canceled", NULL, NULL, "canceled");
            goto Exit;
        }
        if (page < npages && stopping(wk->w)) {
            const char *p[3] = {j->id, wk->owner, j->attempt};
            PQclear(run(wk, DB_RGN_JOB_RELEASE, p, NULL));
            wlog("info", "job %s released after page %d for shutdown", j->id, page);
            goto Exit;
        }
    }
    /* Failed pages of earlier attempts count too. */
    if (j->stored_pages > 0) {
        PGresult *pr2 = run(wk, DB_RGN_JOB_PAGES_ALL, p1, NULL);
        if (pr2 == NULL)
            goto Exit;
        failed_pages = 0;
        for (int i = 0; i < PQntuples(pr2); ++i)
            failed_pages += strcmp(PQgetvalue(pr2, i, 1), "failed") == 0;
        PQclear(pr2);
    }
    if (pdf != NULL) {
        if (failed_pages < npages && eng_pdf_end(pdf, &pdf_bytes, &pdf_len, err, sizeof(err)) != 0)
            wlog("warn", "job %s: searchable PDF failed: %s", j->id, err);
        else if (failed_pages == npages)
            eng_pdf_abort(pdf);
        pdf = NULL;
    }
    complete(wk, j, npages, failed_pages, timeouts, pdf_bytes, pdf_len);
Exit:
    eng_pdfin_close(pdfin);
    eng_pdf_abort(pdf);
    free(pdf_bytes);
    free(infos);
    PQclear(doc);
}

static int claim(worker_t *wk, job_t *j)
{
    char lease[16];
    snprintf(lease, sizeof(lease), "%d", 120);
    const char *p[2] = {wk->owner, lease};
    PGresult *r = run(wk, DB_RGN_JOB_CLAIM, p, NULL);
    if (r == NULL || PQntuples(r) == 0) {
        PQclear(r);
        return 0;
    }
    memset(j, 0, sizeof(*j));
    snprintf(j->id, sizeof(j->id), "%s", PQgetvalue(r, 0, 0));
    snprintf(j->attempt, sizeof(j->attempt), "%s", PQgetvalue(r, 0, 1));
    j->attempt_no = atoi(j->attempt);
    j->max_attempts = atoi(PQgetvalue(r, 0, 2));
    j->options = json_loads(PQgetvalue(r, 0, 3), 0, NULL);
    j->max_pages = atoi(PQgetvalue(r, 0, 5));
    j->max_pixels = strtoll(PQgetvalue(r, 0, 6), NULL, 10);
    j->stored_pages = atoi(PQgetvalue(r, 0, 8));
    snprintf(j->app, sizeof(j->app), "%s", PQgetvalue(r, 0, 10));
    snprintf(j->name, sizeof(j->name), "%s", PQgetvalue(r, 0, 11));
    PQclear(r);
    if (j->options == NULL)
        j->options = json_object();
    return 1;
}

static void sweep(worker_t *wk)
{
    PGresult *r;
    if ((r = run(wk, DB_RGN_REQUEUE_EXPIRED, NULL, NULL)) != NULL) {
        if (PQntuples(r) > 0)
            wlog("info", "re-queued %d job%s whose lease expired", PQntuples(r),
                 PQntuples(r) == 1 ? "" : "s");
        PQclear(r);
    }
    if ((r = run(wk, DB_RGN_PURGE_EXPIRED, NULL, NULL)) != NULL)
        PQclear(r);
    if ((r = run(wk, DB_RGN_IDEM_SWEEP, NULL, NULL)) != NULL)
        PQclear(r);
}

static void *worker_main(void *arg)
{
    worker_t *wk = arg;
    eng_workers_t *w = wk->w;
    char err[512];
    wk->ocr = eng_ocr_create(w->cfg->tessdata_dir[0] ? w->cfg->tessdata_dir : NULL, 3);
    while (!stopping(w)) {
        if (wk->conn == NULL) {
            if ((wk->conn = db_connect(w->cfg->region_dsn, err, sizeof(err))) == NULL) {
                idle_wait(w, WORKER_RECONNECT_MS);
                continue;
            }
            /* A worker's writes need not wait for the disk: the job itself was stored durably when it was
             * accepted, and whatever a database crash takes back (a page, a completion) is done again when
             * the lease expires. Job creation and every gateway write keep synchronous commits. */
            if (db_async_commit(wk->conn, err, sizeof(err)) != 0)
                wlog("warn", "worker %d: %s", wk->index, err);
            if (wk->lost_db) {
                /* The job this worker held when the database went away is given back at once rather than
                 * when its lease runs out; it resumes after its last stored page. */
                const char *p[1] = {wk->owner};
                PGresult *r = run(wk, DB_RGN_REQUEUE_MINE, p, NULL);
                if (r != NULL && PQntuples(r) > 0)
                    wlog("info", "worker %d re-queued %d job(s) after losing the database", wk->index,
                         PQntuples(r));
                PQclear(r);
                wk->lost_db = r == NULL;
            }
        }
        if (wk->index == 0 && now_s() - wk->last_sweep >= w->cfg->sweep_interval_ms / 1000) {
            wk->last_sweep = now_s();
            sweep(wk);
        }
        job_t j;
        if (!claim(wk, &j)) {
            idle_wait(w, w->cfg->queue_poll_ms);
            continue;
        }
        pthread_mutex_lock(&w->mu);
        ++w->busy;
        pthread_mutex_unlock(&w->mu);
        process(wk, &j);
        json_decref(j.options);
        pthread_mutex_lock(&w->mu);
        --w->busy;
        pthread_mutex_unlock(&w->mu);
    }
    if (wk->conn != NULL)
        PQfinish(wk->conn);
    eng_ocr_destroy(wk->ocr);
    free(wk);
    return NULL;
}

eng_workers_t *eng_workers_start(const cfg_t *cfg, const char *node_id, char *err, size_t errlen)
{
    PGconn *conn = db_connect(cfg->region_dsn, err, errlen);
    if (conn == NULL)
        return NULL;
    const char *p[1] = {node_id};
    PGresult *r = db_exec(conn, DB_RGN_REQUEUE_MINE, p, err, errlen);
    if (r == NULL) {
        PQfinish(conn);
        return NULL;
    }
    if (PQntuples(r) > 0)
        wlog("info", "re-queued %d job%s this node held when it stopped", PQntuples(r),
             PQntuples(r) == 1 ? "" : "s");
    PQclear(r);
    PQfinish(conn);

    eng_global_init();
    eng_workers_t *w = calloc(1, sizeof(*w));
    w->cfg = cfg;
    snprintf(w->node_id, sizeof(w->node_id), "%s", node_id);
    w->n = cfg_engine_workers(cfg);
    w->threads = calloc((size_t)w->n, sizeof(*w->threads));
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    for (int i = 0; i < w->n; ++i) {
        worker_t *wk = calloc(1, sizeof(*wk));
        wk->w = w;
        wk->index = i;
        snprintf(wk->owner, sizeof(wk->owner), "%s/%d", w->node_id, i);
        pthread_create(&w->threads[i], NULL, worker_main, wk);
    }
    return w;
}

void eng_workers_stop(eng_workers_t *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    for (int i = 0; i < w->n; ++i)
        pthread_join(w->threads[i], NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w->threads);
    free(w);
}
