/* The fenced writes of a run: pages, whole-document outputs, the end of a job (see job_run.h). */
#include "engine/eng_format.h"
#include "jobs/job_log.h"
#include "jobs/job_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A stored page keeps the job for the next page's recognition and twice its deadline, plus slack. */
static int lease_seconds(const job_t *j)
{
    return j->opts.page_timeout_ms / 1000 * 2 + 30;
}

int job_finish(job_worker_t *wk, const job_t *j, const char *status, const char *code, const char *message,
               const char *progress)
{
    const char *p[7] = {j->id, wk->owner, j->attempt, status, code, message, progress};
    PGresult *r = job_exec(wk, j->task == JOB_TASK_JOB ? DB_RGN_JOB_FINISH : DB_RGN_TASK_FINISH, p, NULL);
    int ok = r != NULL && PQntuples(r) == 1;
    PQclear(r);
    if (!ok)
        return -1;
    /* The app's analytics learn the outcome, its pages and engine time (in the completion's transaction when
     * there is one). */
    const char *u[2] = {j->id, status};
    PQclear(job_exec(wk, DB_RGN_USAGE_JOB, u, NULL));
    __atomic_add_fetch(&wk->counters->jobs_done, 1, __ATOMIC_RELAXED);
    job_log("info", "job %s %s%s%s", j->id, status, message ? ": " : "", message ? message : "");
    return 0;
}

/* The parameters both page statements share ($1-$17, $20, $21); the caller fills $18, $19, $22, $23. */
typedef struct {
    char spage[16], w[16], h[16], dpi[16], conf[32], words[16], ms[16];
    const char *p[23];
    int lens[23];
} page_params_t;

static void page_params(page_params_t *pp, job_worker_t *wk, const job_t *j, const job_page_t *pg)
{
    static const eng_page_result_t none;
    const eng_page_result_t *res = pg->res != NULL ? pg->res : &none;
    snprintf(pp->spage, sizeof(pp->spage), "%d", pg->page);
    snprintf(pp->w, sizeof(pp->w), "%d", res->width);
    snprintf(pp->h, sizeof(pp->h), "%d", res->height);
    snprintf(pp->dpi, sizeof(pp->dpi), "%d", res->dpi);
    snprintf(pp->conf, sizeof(pp->conf), "%.3f", res->confidence);
    snprintf(pp->words, sizeof(pp->words), "%d", res->words);
    snprintf(pp->ms, sizeof(pp->ms), "%ld", res->engine_ms);
    int ok = strcmp(pg->status, "completed") == 0;
    const char *p[23] = {j->id,
                         wk->owner,
                         j->attempt,
                         pp->spage,
                         pg->status,
                         ok ? pp->w : NULL,
                         ok ? pp->h : NULL,
                         ok ? pp->dpi : NULL,
                         ok ? pp->conf : NULL,
                         pp->words,
                         pp->ms,
                         pg->error,
                         res->text,
                         res->json,
                         res->hocr,
                         res->tsv,
                         res->alto,
                         NULL,
                         NULL,
                         (const char *)pg->png,
                         pg->barcodes,
                         NULL,
                         NULL};
    memcpy(pp->p, p, sizeof(p));
    memset(pp->lens, 0, sizeof(pp->lens));
    pp->lens[19] = (int)pg->png_len;
    if (pg->image_is_document) { /* an empty image: the statement stores none and marks the document */
        pp->p[19] = "";
        pp->lens[19] = 0;
    }
}

int job_store_page(job_worker_t *wk, const job_t *j, const job_page_t *pg)
{
    page_params_t pp;
    char lease[16], np[16], done[16], sel[16];
    page_params(&pp, wk, j, pg);
    snprintf(lease, sizeof(lease), "%d", lease_seconds(j));
    snprintf(np, sizeof(np), "%d", pg->npages);
    snprintf(done, sizeof(done), "%d", pg->done);
    snprintf(sel, sizeof(sel), "%d", pg->selected);
    pp.p[17] = lease;
    pp.p[18] = np;
    pp.p[21] = done;
    pp.p[22] = sel;
    PGresult *r = job_exec(wk, DB_RGN_PAGE_STORE, pp.p, pp.lens);
    if (r == NULL || PQntuples(r) == 0) {
        PQclear(r);
        return -1;
    }
    int cancel = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return cancel;
}

int job_store_task(job_worker_t *wk, const job_t *j, const job_page_t *pg)
{
    page_params_t pp;
    char lease[16], sel[16];
    page_params(&pp, wk, j, pg);
    snprintf(lease, sizeof(lease), "%d", wk->cfg->job_lease_s);
    snprintf(sel, sizeof(sel), "%d", pg->selected);
    pp.p[17] = lease;
    pp.p[18] = sel;
    pp.p[21] = (const char *)pg->pdf; /* $22, binary */
    pp.lens[21] = (int)pg->pdf_len;
    PGresult *r = job_exec(wk, DB_RGN_TASK_STORE, pp.p, pp.lens);
    if (r == NULL || PQntuples(r) == 0) {
        PQclear(r);
        return -1;
    }
    int ret = PQgetvalue(r, 0, 0)[0] == 't' ? 1 : PQgetvalue(r, 0, 1)[0] == 't' ? 2 : 0;
    PQclear(r);
    return ret;
}

static int store_output(job_worker_t *wk, const job_t *j, const eng_output_t *f, const char *data, size_t len)
{
    const char *p[4] = {j->id, f->name, f->content_type, data};
    int lens[4] = {0, 0, 0, (int)len};
    PGresult *r = job_exec(wk, DB_RGN_OUTPUT_STORE, p, lens);
    PQclear(r);
    return r != NULL ? 0 : -1;
}

/* The pages whole-document outputs are made of: the rows of DB_RGN_JOB_PAGES_ALL (a job whose pages were
 * stored one by one), or the one page of a one-page job, still in memory (nothing read back). */
typedef struct {
    PGresult *rows;         /* or NULL */
    const job_page_t *page; /* when rows is NULL */
} doc_pages_t;

static int doc_count(const doc_pages_t *d)
{
    return d->rows != NULL ? PQntuples(d->rows) : 1;
}

static int doc_page_no(const doc_pages_t *d, int i)
{
    return d->rows != NULL ? atoi(PQgetvalue(d->rows, i, 0)) : d->page->page;
}

static int doc_completed(const doc_pages_t *d, int i)
{
    return strcmp(d->rows != NULL ? PQgetvalue(d->rows, i, 1) : d->page->status, "completed") == 0;
}

/* Page i's fragment of per-page format k (0 text, 1 json, 2 hocr, 3 tsv, 4 alto: the per-page rows of the
 * formats table in its order, the columns 2.. of the rows), or NULL when the page has none. */
static const char *doc_fragment(const doc_pages_t *d, int i, int k)
{
    if (!doc_completed(d, i))
        return NULL;
    if (d->rows != NULL)
        return PQgetisnull(d->rows, i, 2 + k) ? NULL : PQgetvalue(d->rows, i, 2 + k);
    const eng_page_result_t *res = d->page->res;
    const char *in_memory[5] = {res->text, res->json, res->hocr, res->tsv, res->alto};
    return res != NULL && k < 5 ? in_memory[k] : NULL;
}

/* The page images of the completed pages, matched to the pages by page number (NULL where a page has none).
 * `imgs` holds them until the caller PQclear()s it (NULL for a page in memory). */
static int page_images(job_worker_t *wk, const job_t *j, const doc_pages_t *d, PGresult **imgs,
                       eng_office_page_t *op)
{
    if (d->rows == NULL) {
        op[0].png = d->page->png;
        op[0].png_len = d->page->png_len;
        return 0;
    }
    const char *p[1] = {j->id};
    if ((*imgs = job_exec(wk, DB_RGN_JOB_PAGE_IMAGES, p, NULL)) == NULL)
        return -1;
    for (int i = 0, k = 0; i < doc_count(d) && k < PQntuples(*imgs); ++i) {
        if (strcmp(PQgetvalue(*imgs, k, 0), PQgetvalue(d->rows, i, 0)) != 0)
            continue;
        if (!PQgetisnull(*imgs, k, 1)) {
            op[i].png = (const unsigned char *)PQgetvalue(*imgs, k, 1);
            op[i].png_len = (size_t)PQgetlength(*imgs, k, 1);
        }
        ++k;
    }
    return 0;
}

/* An office format (docx, odt, rtf, epub, mht) written from the page texts, with the job's languages and
 * document metadata (the pdf* options). */
static int store_office(job_worker_t *wk, const job_t *j, const eng_output_t *f, const doc_pages_t *d)
{
    int n = doc_count(d), ret = -1;
    eng_office_page_t *op = calloc((size_t)n + 1, sizeof(*op));
    PGresult *imgs = NULL;
    unsigned char *data = NULL;
    size_t len = 0;
    char err[256], ident[64];
    if (op == NULL)
        return -1;
    for (int i = 0; i < n; ++i) {
        op[i].page_no = doc_page_no(d, i);
        op[i].text = doc_fragment(d, i, 0); /* the text, the first per-page format */
    }
    if (f->page_images && page_images(wk, j, d, &imgs, op) != 0)
        goto Exit;
    const job_opts_t *o = &j->opts;
    /* The modification time is left to the writer (now): the job finishes in this transaction. */
    snprintf(ident, sizeof(ident), "urn:uuid:%s", j->id);
    eng_office_doc_t doc = {op, n, o->languages, job_opts_meta(o), ident, 0};
    if (f->office(&doc, &data, &len, err, sizeof(err)) != 0) {
        job_log("warn", "job %s: no %s result: %s", j->id, f->name, err);
        goto Exit;
    }
    ret = store_output(wk, j, f, (const char *)data, len);
Exit:
    free(data);
    PQclear(imgs);
    free(op);
    return ret;
}

/* Renders and stores every whole-document output the job asked for from its pages. */
static int store_outputs(job_worker_t *wk, const job_t *j, const doc_pages_t *d, const unsigned char *pdf,
                         size_t pdf_len)
{
    size_t nf;
    const eng_output_t *f = eng_outputs(&nf);
    int n = doc_count(d), ret = 0;
    const char **frags = calloc((size_t)n + 1, sizeof(char *));
    if (frags == NULL)
        return -1;
    for (size_t k = 0, col = 0; k < nf && ret == 0; col += (size_t)f[k].per_page, ++k) {
        if (!job_opts_wants(&j->opts, f[k].name))
            continue;
        if (f[k].office != NULL) {
            ret = store_office(wk, j, &f[k], d);
            continue;
        }
        if (f[k].render == NULL) { /* the searchable PDF, made while the pages were recognized */
            if (pdf != NULL)
                ret = store_output(wk, j, &f[k], (const char *)pdf, pdf_len);
            continue;
        }
        for (int i = 0; i < n; ++i)
            frags[i] = doc_fragment(d, i, (int)col);
        char *doc = f[k].render(frags, n, j->name);
        ret = doc != NULL ? store_output(wk, j, &f[k], doc, strlen(doc)) : -1;
        free(doc);
    }
    free(frags);
    return ret;
}

/* The end of a job that has pages: failed when every page did, else its outputs stored and the job completed
 * (the caller has begun the transaction and commits it). */
static int finish_with_outputs(job_worker_t *wk, const job_t *j, const doc_pages_t *d, int npages,
                               int failed_pages, int timeouts, const unsigned char *pdf, size_t pdf_len)
{
    char msg[96];
    if (failed_pages == npages)
        return job_finish(wk, j, "failed", timeouts == npages ? "Timeout" : "ProcessingFailed",
                          timeouts == npages ? "every page exceeded its recognition time limit"
                                             : "no page of the document could be recognized",
                          "failed");
    snprintf(msg, sizeof(msg), "completed %d page%s%s", npages, npages == 1 ? "" : "s",
             failed_pages ? " with errors" : "");
    if (store_outputs(wk, j, d, pdf, pdf_len) != 0)
        return -1;
    return job_finish(wk, j, "completed", NULL, NULL, msg);
}

int job_complete(job_worker_t *wk, const job_t *j, int npages, int failed_pages, int timeouts,
                 const unsigned char *pdf, size_t pdf_len)
{
    char err[512];
    if (failed_pages == npages)
        return finish_with_outputs(wk, j, NULL, npages, failed_pages, timeouts, NULL, 0);
    const char *p1[1] = {j->id};
    doc_pages_t d = {job_exec(wk, DB_RGN_JOB_PAGES_ALL, p1, NULL), NULL};
    if (d.rows == NULL)
        return -1;
    int ret = -1;
    if (db_begin(wk->conn, err, sizeof(err)) != 0)
        goto Exit;
    if (finish_with_outputs(wk, j, &d, npages, failed_pages, timeouts, pdf, pdf_len) != 0) {
        if (wk->conn != NULL)
            db_rollback(wk->conn);
        goto Exit;
    }
    ret = db_commit(wk->conn, err, sizeof(err));
Exit:
    PQclear(d.rows);
    return ret;
}

int job_start_single(job_worker_t *wk, const job_t *j, int npages)
{
    char snp[16];
    snprintf(snp, sizeof(snp), "%d", npages);
    const char *p[4] = {j->id, wk->owner, j->attempt, snp};
    PGresult *r = job_exec(wk, DB_RGN_JOB_SINGLE, p, NULL);
    int ret = r == NULL || PQntuples(r) == 0 ? -1 : PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return ret;
}

int job_complete_page(job_worker_t *wk, const job_t *j, const job_page_t *pg, int timed_out,
                      const unsigned char *pdf, size_t pdf_len)
{
    char err[512];
    doc_pages_t d = {NULL, pg};
    if (db_begin(wk->conn, err, sizeof(err)) != 0)
        return -1;
    int stored = job_store_page(wk, j, pg), failed = strcmp(pg->status, "failed") == 0;
    if (stored < 0 ||
        (stored == 0 && finish_with_outputs(wk, j, &d, 1, failed, failed && timed_out, pdf, pdf_len) != 0)) {
        if (wk->conn != NULL)
            db_rollback(wk->conn);
        return -1;
    }
    /* A cancel requested meanwhile: the page stays stored and the caller cancels the job. */
    return db_commit(wk->conn, err, sizeof(err)) != 0 ? -1 : stored;
}
