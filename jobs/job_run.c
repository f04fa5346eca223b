/* Claim, run and sweep (see job_run.h). A run is a sequence of small steps over one run_t; each step returns
 * 0 to go on, or -1 when the job is over for this worker (finished, canceled, lease lost, given back). */
#include "jobs/job_run.h"
#include "engine/eng_doc.h"
#include "engine/eng_format.h"
#include "engine/eng_limits.h"
#include "engine/eng_page.h"
#include "engine/eng_pages.h"
#include "engine/eng_pdf_merge.h"
#include "jobs/job_log.h"
#include "jobs/job_pool.h"
#include "jobs/job_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The state of one job's run on one worker. */
typedef struct {
    job_worker_t *wk;
    job_t *j;
    const char *buf; /* the document's bytes, kept by the worker (job_worker_t.doc) */
    size_t len;
    eng_format_t fmt;
    int npages, failed_pages, timeouts;
    int selected;       /* pages of the `pages` selection in this document (npages without one) */
    eng_pdfin_t *pdfin; /* the kept PDF when the job keeps the text of PDF pages that have some */
    int *pdf_dpi;       /* PDF: the resolution of each page (0: over the tier's pixels even at the lowest) */
    eng_page_job_t page;
} run_t;

/* One claim in the fair order (task_claim, sql/region/013): a scheduled job to prepare or to run whole, or a
 * page task. */
int job_claim(job_worker_t *wk, job_t *j)
{
    char lease[16];
    snprintf(lease, sizeof(lease), "%d", wk->cfg->job_lease_s);
    const char *p[2] = {wk->owner, lease};
    PGresult *r = job_exec(wk, DB_RGN_TASK_CLAIM, p, NULL);
    if (r == NULL || PQntuples(r) == 0 || PQgetisnull(r, 0, 0)) {
        int busy = r != NULL && PQntuples(r) > 0;
        PQclear(r);
        return busy ? JOB_CLAIM_BUSY : JOB_CLAIM_NONE;
    }
    memset(j, 0, sizeof(*j));
    snprintf(j->id, sizeof(j->id), "%s", PQgetvalue(r, 0, 0));
    snprintf(j->attempt, sizeof(j->attempt), "%s", PQgetvalue(r, 0, 1));
    j->attempt_no = atoi(j->attempt);
    j->max_attempts = atoi(PQgetvalue(r, 0, 2));
    json_t *opts = json_loads(PQgetvalue(r, 0, 3), 0, NULL);
    job_opts_decode(opts, &j->opts);
    json_decref(opts);
    j->max_pages = atoi(PQgetvalue(r, 0, 4));
    j->max_pixels = strtoll(PQgetvalue(r, 0, 5), NULL, 10);
    j->task = atoi(PQgetvalue(r, 0, 6));
    snprintf(j->app, sizeof(j->app), "%s", PQgetvalue(r, 0, 7));
    snprintf(j->name, sizeof(j->name), "%s", PQgetvalue(r, 0, 8));
    if (j->task == JOB_TASK_JOB) {
        j->stored_pages = atoi(PQgetvalue(r, 0, 12));
    } else {
        j->doc_pages = atoi(PQgetvalue(r, 0, 9));
        j->selected = atoi(PQgetvalue(r, 0, 10));
        j->dpi = atoi(PQgetvalue(r, 0, 11));
    }
    int more = PQgetvalue(r, 0, 13)[0] == 't';
    PQclear(r);
    return more ? JOB_CLAIM_MORE : JOB_CLAIM_GOT;
}

static int fail(run_t *r, const char *code, const char *message)
{
    job_finish(r->wk, r->j, "failed", code, message, "failed");
    return -1;
}

static int cancel(run_t *r)
{
    job_finish(r->wk, r->j, "canceled", NULL, NULL, "canceled");
    return -1;
}

/* A job that has used up its attempts fails without another try. */
static int check_attempts(run_t *r)
{
    if (r->j->attempt_no <= r->j->max_attempts)
        return 0;
    const char *p[3] = {r->j->id, r->wk->owner, r->j->attempt};
    PQclear(job_exec(r->wk, DB_RGN_FAIL_EXHAUSTED, p, NULL));
    job_log("warn", "job %s failed after %d attempts", r->j->id, r->j->max_attempts);
    return -1;
}

/* The document, kept by the worker for the job's next page on it; a PDF is opened once. */
static int load_document(run_t *r)
{
    job_worker_t *wk = r->wk;
    if (wk->doc == NULL || strcmp(wk->doc_job, r->j->id) != 0) {
        job_worker_forget_doc(wk);
        const char *p[1] = {r->j->id};
        if ((wk->doc = job_exec(wk, DB_RGN_JOB_DOCUMENT, p, NULL)) == NULL || PQntuples(wk->doc) != 1) {
            job_worker_forget_doc(wk);
            return -1;
        }
        snprintf(wk->doc_job, sizeof(wk->doc_job), "%s", r->j->id);
    }
    r->buf = PQgetvalue(wk->doc, 0, 0);
    r->len = (size_t)PQgetlength(wk->doc, 0, 0);
    r->fmt = eng_sniff(r->buf, r->len);
    return 0;
}

/* The kept document opened as a PDF (NULL for other formats, or when it does not open: the page then fails
 * through the ordinary decoding, with its sentence). */
static eng_pdfin_t *open_pdf(run_t *r)
{
    char err[512];
    if (r->fmt == ENG_FMT_PDF && r->wk->doc_pdf == NULL)
        r->wk->doc_pdf = eng_pdfin_open(r->buf, r->len, err, sizeof(err));
    return r->fmt == ENG_FMT_PDF ? r->wk->doc_pdf : NULL;
}

/* The pages option against the page count: a selection that names no page of this document fails the job
 * (for images the gateway refused it at upload already; a PDF's pages are counted only here). */
static int select_pages(run_t *r)
{
    const eng_pages_t *sel = &r->j->opts.pages;
    char msg[256];
    r->selected = eng_pages_count(sel, r->npages);
    if (r->selected > 0 && r->pdf_dpi != NULL) {
        /* When no selected page fits even at the lowest resolution the document is too large as a whole. */
        int first = 0, fit = 0;
        for (int i = 1; i <= r->npages; ++i)
            if (eng_pages_selected(sel, i)) {
                fit += r->pdf_dpi[i - 1] != 0;
                first = first == 0 ? i : first;
            }
        if (fit == 0) {
            snprintf(msg, sizeof(msg), "page %d is over this tier's %lld pixels per page even at %d dpi%s",
                     first, r->j->max_pixels, ENG_LIMITS_MIN_PDF_DPI,
                     r->selected > 1 ? ", as is every other page" : "");
            return fail(r, "DocumentTooLarge", msg);
        }
    }
    if (r->selected > 0)
        return 0;
    snprintf(msg, sizeof(msg), "the pages option selects no page of this %d-page document", r->npages);
    return fail(r, "InvalidInput", msg);
}

/* Counts the pages and checks the tier's limits from the headers, before anything is decoded (the gateway
 * could not do it for PDFs: their pages are sized at the job's resolution here). */
static int probe(run_t *r)
{
    char err[512], msg[256];
    eng_page_info_t *infos = NULL;
    eng_limits_t lim = {r->j->max_pages, r->j->max_pixels};
    int dpi = r->j->opts.dpi > 0 ? r->j->opts.dpi : ENG_PDFIN_DEFAULT_DPI;
    int pr =
        eng_doc_probe_dpi(r->buf, r->len, r->fmt, r->j->max_pages, dpi, &r->npages, &infos, err, sizeof(err));
    int too_large = 0;
    if (r->fmt == ENG_FMT_PDF && pr == ENG_DOC_OK) {
        /* A PDF page over the tier's pixels is rendered at a lower resolution, or is an error page. */
        if ((r->pdf_dpi = calloc((size_t)r->npages + 1, sizeof(int))) == NULL) {
            free(infos);
            return -1;
        }
        for (int i = 0; i < r->npages; ++i)
            r->pdf_dpi[i] = eng_limits_pdf_dpi(&lim, &infos[i], dpi);
    } else {
        too_large = eng_limits_check(&lim, pr, r->npages, infos, msg, sizeof(msg)) != 0;
    }
    free(infos);
    if (too_large)
        return fail(r, "DocumentTooLarge", msg);
    if (pr != ENG_DOC_OK)
        return fail(r, "UnreadableDocument", err);
    return select_pages(r);
}

/* Recognition stops at once when the lease keeper finds the job taken away. */
static int lease_lost(void *arg)
{
    job_worker_t *wk = arg;
    return job_lease_lost(wk->lease, wk->index);
}

/* The engine's options for every page of this job, from its typed options. */
static void prepare(run_t *r)
{
    const job_opts_t *o = &r->j->opts;
    eng_page_job_t *pj = &r->page;
    memset(pj, 0, sizeof(*pj));
    pj->clean = (eng_clean_opts_t){.deskew = o->deskew,
                                   .auto_rotate = o->auto_rotate,
                                   .binarize = o->binarize,
                                   .despeckle = o->despeckle,
                                   .remove_border = o->remove_border};
    pj->restore = (eng_restore_opts_t){
        .remove_color_noise = o->remove_color_noise,
        .remove_halftone = o->remove_halftone,
        .remove_hole_punch = o->remove_hole_punch,
        .improve_text = o->improve_text,
        .adjust_paper_size = o->deskew_adjust_paper_size,
        .fast = o->fast_mode,
    };
    pj->delete_blank = o->delete_blank_pages;
    pj->blank_max_ink = o->blank_page_max_noise / 100.0;
    pj->barcode_types = o->barcode_types;
    pj->dpi = o->dpi;
    pj->max_pixels = r->j->max_pixels;
    pj->ocr.languages = o->languages;
    pj->ocr.psm = (eng_psm_t)o->page_seg_mode;
    pj->ocr.dpi = o->dpi;
    pj->ocr.timeout_ms = o->page_timeout_ms;
    pj->ocr.min_confidence = o->min_confidence;
    pj->ocr.cancel = lease_lost;
    pj->ocr.cancel_arg = r->wk;
    size_t nf;
    const eng_output_t *f = eng_outputs(&nf);
    for (size_t k = 0; k < nf; ++k)
        if (!(o->outputs >> k & 1u))
            pj->ocr.skip |= f[k].skip_unless_wanted;
    /* PDF pages that already carry text keep it when the job asks so (no recognition). */
    pj->pdf_src = open_pdf(r);
    if (o->pdf_text_policy == JOB_PDF_TEXT_SKIP_TEXT_PAGES)
        r->pdfin = pj->pdf_src;
}

/* Preparing a page-parallel run: the pages to recognize become tasks (with the resolution of each PDF page),
 * the pages the selection leaves out and those over the tier's pixels at every resolution are stored at
 * once, and the job's own lease is released, in one fenced statement. */
static int seed(run_t *r)
{
    size_t cap = (size_t)r->npages * 12 + 3;
    char *pages = malloc(cap), *dpis = malloc(cap), *skipped = malloc(cap), *over = malloc(cap);
    char snp[16], ssel[16], scap[16], msg[128];
    int ret = -1;
    if (pages == NULL || dpis == NULL || skipped == NULL || over == NULL)
        goto Exit;
    size_t np = 0, nd = 0, ns = 0, no = 0;
    pages[np++] = dpis[nd++] = skipped[ns++] = over[no++] = '{';
    for (int i = 1; i <= r->npages; ++i) {
        int dpi = r->pdf_dpi != NULL ? r->pdf_dpi[i - 1] : 0;
        if (!eng_pages_selected(&r->j->opts.pages, i))
            ns += (size_t)snprintf(skipped + ns, cap - ns, "%s%d", ns > 1 ? "," : "", i);
        else if (r->pdf_dpi != NULL && dpi == 0)
            no += (size_t)snprintf(over + no, cap - no, "%s%d", no > 1 ? "," : "", i);
        else {
            np += (size_t)snprintf(pages + np, cap - np, "%s%d", np > 1 ? "," : "", i);
            nd += (size_t)snprintf(dpis + nd, cap - nd, "%s%d", nd > 1 ? "," : "", dpi);
        }
    }
    snprintf(pages + np, cap - np, "}");
    snprintf(dpis + nd, cap - nd, "}");
    snprintf(skipped + ns, cap - ns, "}");
    snprintf(over + no, cap - no, "}");
    snprintf(snp, sizeof(snp), "%d", r->npages);
    snprintf(ssel, sizeof(ssel), "%d", r->selected);
    snprintf(scap, sizeof(scap), "%d", r->j->opts.max_parallel_pages);
    snprintf(msg, sizeof(msg), " is over this tier's %lld pixels per page even at %d dpi", r->j->max_pixels,
             ENG_LIMITS_MIN_PDF_DPI);
    const char *p[11] = {r->j->id, r->wk->owner, r->j->attempt, snp,  pages, dpis,
                         skipped,  over,         msg,           ssel, scap};
    PGresult *res = job_exec(r->wk, DB_RGN_JOB_SEED, p, NULL);
    int lost = res == NULL || PQntuples(res) == 0, canceled = !lost && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (!lost && canceled)
        cancel(r);
    for (int i = 1; !lost && !canceled && i < r->selected; ++i)
        job_pool_wake(r->wk->pool); /* the idle workers of this node; other nodes poll */
    ret = lost || canceled ? -1 : 0;
Exit:
    free(pages);
    free(dpis);
    free(skipped);
    free(over);
    return ret;
}

/* The one-page PDF of a page the renderer failed on: stored empty, so that the job gets no PDF rather than
 * one that lacks a page. */
static const unsigned char pdf_render_failed[1];

/* Page `page` of a page task or of a one-page job through the engine, at resolution `dpi`, with its image
 * and barcodes; and, when the job asks for the searchable PDF, its one-page PDF made by tesseract's renderer
 * right after the page's recognition, set in pg->pdf (*pdf: malloc'ed, NULL when the page has no place in the
 * PDF: failed, blank, or its own text kept, as in the PDF of the former whole-job run). Returns the engine's
 * status; *out and *pdf are the caller's to free once the page is stored. */
static int recognize_page(run_t *r, int page, int dpi, eng_page_out_t *out, job_page_t *pg,
                          unsigned char **pdf)
{
    char err[512];
    const job_t *j = r->j;
    int wants = job_opts_wants(&j->opts, "pdf");
    eng_pdf_t *one = NULL;
    *pdf = NULL;
    prepare(r);
    if (wants && (one = eng_pdf_begin(r->wk->ocr, j->opts.languages, err, sizeof(err))) == NULL)
        job_log("warn", "job %s: page %d has no searchable PDF: %s", j->id, page, err);
    r->page.dpi = dpi;
    r->page.pdf_text = r->pdfin;
    r->page.pdf_out = one;
    r->page.want_image = 1;
    r->page.detect_barcodes = j->opts.detect_barcodes;
    int rc = eng_page_process(r->wk->ocr, r->buf, r->len, r->fmt, page - 1, &r->page, out);
    r->page.pdf_out = NULL;
    if (out->warn[0] != '\0')
        job_log("warn", "job %s: %s", j->id, out->warn);
    /* A recognized page is in the PDF: the renderer added it right after recognition (out->pdf_failed when
     * it could not). */
    if (wants) {
        int failed = one == NULL || out->pdf_failed, ended = !failed && eng_pdf_pages(one) > 0;
        if (rc != ENG_OK || out->blank || (!failed && !ended)) {
            eng_pdf_abort(one); /* failed, blank, or its own text kept */
        } else if (ended && eng_pdf_end(one, pdf, &pg->pdf_len, err, sizeof(err)) == 0) {
            pg->pdf = *pdf;
        } else {
            if (ended)
                job_log("warn", "job %s: page %d has no searchable PDF: %s", j->id, page, err);
            else
                eng_pdf_abort(one);
            pg->pdf = pdf_render_failed;
            pg->pdf_len = 0;
        }
    }
    return rc;
}

/* The page to store from the engine's result (pointing into *out, and into the kept document when it is
 * the page's image). */
static void page_result(job_page_t *pg, const eng_page_out_t *out, int rc, const run_t *r)
{
    const job_t *j = r->j;
    pg->status = out->blank ? "blank" : rc == ENG_OK ? "completed" : "failed";
    if (out->blank)
        return;
    pg->error = rc == ENG_OK ? NULL : out->err;
    pg->res = &out->res;
    pg->image_is_document = out->png_is_document;
    pg->png = out->png_is_document ? (const unsigned char *)r->buf : out->png;
    pg->png_len = out->png_is_document ? r->len : out->png_len;
    pg->barcodes = j->opts.detect_barcodes && rc == ENG_OK ? out->barcodes : NULL;
}

/* The job's searchable PDF from its pages' one-page PDFs, in page order, with the job's document information
 * (eng_pdf_merge, its one writer, also for a one-page job); *pdf stays NULL (a warning says why) when one
 * failed (`failed`: the sentence) or none is given. */
static void merge_parts(run_t *r, const eng_pdf_part_t *parts, size_t n, const char *failed,
                        unsigned char **pdf, size_t *len)
{
    char err[512] = "";
    eng_pdf_meta_t meta = job_opts_meta(&r->j->opts);
    if (failed != NULL || eng_pdf_merge(parts, n, &meta, pdf, len, err, sizeof(err)) != 0)
        job_log("warn", "job %s: no searchable PDF: %s", r->j->id, failed != NULL ? failed : err);
}

/* A one-page job (not resumed, its page within the tier's pixels) is recognized by the worker that prepared
 * it and completed with its page in one transaction, its outputs made from the page in memory: no page task,
 * no claim of it, nothing read back. Its searchable PDF, when asked for, is its page's PDF with the job's
 * document information (merge_parts of that one page; none when the page has none, as in a longer job).
 * Returns 1 when the job is not for this path (seed it), else 0. */
static int run_single(run_t *r)
{
    job_t *j = r->j;
    if (r->npages != 1 || j->stored_pages != 0 || (r->pdf_dpi != NULL && r->pdf_dpi[0] == 0))
        return 1;
    int started = job_start_single(r->wk, j, 1);
    if (started != 0)
        return started < 0 ? 1 : (cancel(r), 0);
    eng_page_out_t out;
    unsigned char *pdf = NULL;
    job_page_t pg = {.page = 1, .npages = 1, .done = 1, .selected = 1};
    unsigned char *doc_pdf = NULL;
    size_t doc_pdf_len = 0;
    int rc = recognize_page(r, 1, r->pdf_dpi != NULL ? r->pdf_dpi[0] : j->opts.dpi, &out, &pg, &pdf);
    page_result(&pg, &out, rc, r);
    if (rc == ENG_OK && pg.pdf != NULL) {
        eng_pdf_part_t part = {pg.pdf, pg.pdf_len};
        merge_parts(r, &part, 1, pg.pdf_len == 0 ? "page 1 could not be rendered into it" : NULL, &doc_pdf,
                    &doc_pdf_len);
    }
    pg.pdf = NULL; /* the page's own PDF is the job's now: not stored with the page */
    pg.pdf_len = 0;
    if (rc != ENG_CANCELED) { /* canceled: the lease is gone, the job is not this worker's */
        int stored = job_complete_page(r->wk, j, &pg, rc == ENG_TIMEOUT, doc_pdf, doc_pdf_len);
        __atomic_add_fetch(&r->wk->counters->pages_done, 1, __ATOMIC_RELAXED);
        if (stored == 1)
            cancel(r);
        else if (stored < 0)
            job_log("warn", "job %s: not completed by this worker", j->id);
    }
    eng_page_out_free(&out);
    free(pdf);
    free(doc_pdf);
    return 0;
}

/* The job itself: run here when it has one page, else prepared into page tasks, which every idle worker of
 * the region claims (each page task of a job that asks for the searchable PDF makes its page's PDF, the
 * assembling task merges them). */
static void run_job(run_t *r)
{
    if (check_attempts(r) != 0 || load_document(r) != 0 || probe(r) != 0)
        return;
    if (run_single(r) != 0)
        seed(r);
}

/* The searchable PDF from the pages' stored one-page PDFs. All of them are fetched in one result: libqpdf
 * reads a page's stream data only when it writes the merged file, so each one has to stay in memory until
 * then whatever the fetching (at the peak: the pages' PDFs, qpdf's output and its copy, about three times the
 * PDF). -1 when the database failed. */
static int merge_pdf(run_t *r, unsigned char **pdf, size_t *len)
{
    const char *p[1] = {r->j->id};
    char failed[128] = "";
    PGresult *res = job_exec(r->wk, DB_RGN_JOB_PAGE_PDFS, p, NULL);
    if (res == NULL)
        return -1;
    int n = PQntuples(res);
    eng_pdf_part_t *parts = calloc((size_t)n + 1, sizeof(*parts));
    for (int i = 0; parts != NULL && failed[0] == '\0' && i < n; ++i) {
        parts[i] =
            (eng_pdf_part_t){(const unsigned char *)PQgetvalue(res, i, 1), (size_t)PQgetlength(res, i, 1)};
        if (parts[i].len == 0)
            snprintf(failed, sizeof(failed), "page %s could not be rendered into it", PQgetvalue(res, i, 0));
    }
    if (parts == NULL)
        snprintf(failed, sizeof(failed), "out of memory");
    merge_parts(r, parts, (size_t)n, failed[0] != '\0' ? failed : NULL, pdf, len);
    free(parts);
    PQclear(res);
    return 0;
}

/* The assembling task: the whole-document outputs from the stored pages, and the end of the job. */
static void assemble(run_t *r)
{
    if (r->j->attempt_no > r->j->max_attempts) {
        fail(r, "ProcessingFailed", "the job's outputs could not be assembled");
        return;
    }
    const char *p[1] = {r->j->id};
    PGresult *res = job_exec(r->wk, DB_RGN_JOB_PAGES_ALL, p, NULL);
    if (res == NULL)
        return;
    for (int i = 0; i < PQntuples(res); ++i)
        if (strcmp(PQgetvalue(res, i, 1), "failed") == 0) {
            ++r->failed_pages;
            r->timeouts +=
                strncmp(PQgetvalue(res, i, 7), ENG_TIMEOUT_SENTENCE, strlen(ENG_TIMEOUT_SENTENCE)) == 0;
        }
    PQclear(res);
    unsigned char *pdf = NULL;
    size_t pdf_len = 0;
    if (job_opts_wants(&r->j->opts, "pdf") && r->failed_pages < r->j->selected &&
        merge_pdf(r, &pdf, &pdf_len) != 0)
        return;
    int completed =
        job_complete(r->wk, r->j, r->j->selected, r->failed_pages, r->timeouts, pdf, pdf_len) == 0;
    free(pdf);
    if (!completed) {
        job_log("warn", "job %s: not completed by this worker", r->j->id);
        return;
    }
    /* The pages' own PDFs are in the job's now (should this fail, the retention purge drops them later). */
    if (job_opts_wants(&r->j->opts, "pdf"))
        PQclear(job_exec(r->wk, DB_RGN_JOB_PAGE_PDFS_DROP, p, NULL));
}

/* One page task: recognized and stored; the worker that stores the last page assembles the job at once. A
 * page whose task has used up the tier's attempts (its workers died on it) is stored as failed. */
static void run_task(run_t *r)
{
    job_t *j = r->j;
    job_page_t pg = {.page = j->task, .npages = j->doc_pages, .selected = j->selected};
    eng_page_out_t out;
    unsigned char *pdf = NULL;
    char msg[128];
    int rc = ENG_ERR, processed = 0;
    r->npages = j->doc_pages;
    if (j->attempt_no > j->max_attempts) {
        snprintf(msg, sizeof(msg), "the page failed %d attempts", j->max_attempts);
        pg.status = "failed";
        pg.error = msg;
    } else {
        if (load_document(r) != 0)
            return;
        rc = recognize_page(r, j->task, j->dpi > 0 ? j->dpi : j->opts.dpi, &out, &pg, &pdf);
        processed = 1;
        if (rc == ENG_CANCELED || job_lease_lost(r->wk->lease, r->wk->index)) {
            eng_page_out_free(&out);
            free(pdf);
            return; /* canceled, or taken over: the page is not this worker's to store */
        }
        page_result(&pg, &out, rc, r);
    }
    int stored = job_store_task(r->wk, j, &pg);
    if (processed) {
        __atomic_add_fetch(&r->wk->counters->pages_done, 1, __ATOMIC_RELAXED);
        eng_page_out_free(&out);
        free(pdf);
    }
    if (stored != 2)
        return;
    j->task = JOB_TASK_ASSEMBLE;
    snprintf(j->attempt, sizeof(j->attempt), "1");
    j->attempt_no = 1;
    job_lease_hold(r->wk->lease, r->wk->index, j->id, j->task, r->wk->owner, j->attempt);
    assemble(r);
}

void job_process(job_worker_t *wk, job_t *j)
{
    run_t r = {.wk = wk, .j = j};
    job_lease_hold(wk->lease, wk->index, j->id, j->task, wk->owner, j->attempt);
    if (j->task == JOB_TASK_JOB)
        run_job(&r);
    else if (j->task == JOB_TASK_ASSEMBLE)
        assemble(&r);
    else
        run_task(&r);
    job_lease_drop(wk->lease, wk->index);
    free(r.pdf_dpi);
}

void job_sweep(job_worker_t *wk)
{
    PQclear(job_exec(wk, DB_RGN_TASK_TIDY, NULL, NULL));
    PQclear(job_exec(wk, DB_RGN_TURN_REPAIR, NULL, NULL));
    PQclear(job_exec(wk, DB_RGN_PURGE_EXPIRED, NULL, NULL));
    PQclear(job_exec(wk, DB_RGN_IDEM_SWEEP, NULL, NULL));
}
