/* Claim, run and sweep (see job_run.h). A run is a sequence of small steps over one run_t; each step returns
 * 0 to go on, or -1 when the job is over for this worker (finished, canceled, lease lost, given back). */
#include "jobs/job_run.h"
#include "engine/eng_doc.h"
#include "engine/eng_format.h"
#include "engine/eng_limits.h"
#include "engine/eng_page.h"
#include "engine/eng_pages.h"
#include "jobs/job_log.h"
#include "jobs/job_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The state of one job's run on one worker. */
typedef struct {
    job_worker_t *wk;
    job_t *j;
    PGresult *doc; /* the document's bytes (binary result), kept for the whole run */
    const char *buf;
    size_t len;
    eng_format_t fmt;
    int npages, failed_pages, timeouts;
    int selected;       /* pages of the `pages` selection in this document (npages without one) */
    eng_pdfin_t *pdfin; /* open when the job keeps the text of PDF pages that have some */
    eng_pdf_t *pdf;     /* the searchable PDF being built, or NULL */
    int *pdf_dpi;       /* PDF: the resolution of each page (0: over the tier's pixels even at the lowest) */
    eng_page_job_t page;
} run_t;

int job_claim(job_worker_t *wk, job_t *j)
{
    char lease[16];
    snprintf(lease, sizeof(lease), "%d", wk->cfg->job_lease_s);
    const char *p[2] = {wk->owner, lease};
    PGresult *r = job_exec(wk, DB_RGN_JOB_CLAIM, p, NULL);
    if (r == NULL || PQntuples(r) == 0) {
        PQclear(r);
        return 0;
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
    j->stored_pages = atoi(PQgetvalue(r, 0, 6));
    snprintf(j->app, sizeof(j->app), "%s", PQgetvalue(r, 0, 7));
    snprintf(j->name, sizeof(j->name), "%s", PQgetvalue(r, 0, 8));
    PQclear(r);
    return 1;
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

static int load_document(run_t *r)
{
    const char *p[1] = {r->j->id};
    if ((r->doc = job_exec(r->wk, DB_RGN_JOB_DOCUMENT, p, NULL)) == NULL || PQntuples(r->doc) != 1)
        return -1;
    r->buf = PQgetvalue(r->doc, 0, 0);
    r->len = (size_t)PQgetlength(r->doc, 0, 0);
    r->fmt = eng_sniff(r->buf, r->len);
    return 0;
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

/* Records the page count (fenced); a cancel requested meanwhile ends the job here. */
static int set_pages(run_t *r)
{
    char snp[16];
    snprintf(snp, sizeof(snp), "%d", r->npages);
    const char *p[4] = {r->j->id, r->wk->owner, r->j->attempt, snp};
    PGresult *res = job_exec(r->wk, DB_RGN_JOB_SET_PAGES, p, NULL);
    int lost = res == NULL || PQntuples(res) == 0, canceled = !lost && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (lost)
        return -1;
    return canceled ? cancel(r) : 0;
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
    char err[512];
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
    if (r->fmt == ENG_FMT_PDF && o->pdf_text_policy == JOB_PDF_TEXT_SKIP_TEXT_PAGES)
        r->pdfin = eng_pdfin_open(r->buf, r->len, err, sizeof(err));
    if (job_opts_wants(o, "pdf")) {
        eng_pdf_meta_t meta = job_opts_meta(o);
        if ((r->pdf = eng_pdf_begin(r->wk->ocr, o->languages, &meta, err, sizeof(err))) == NULL)
            job_log("warn", "job %s: no searchable PDF: %s", r->j->id, err);
    }
}

/* After a page is stored: a cancel ends the job; a stopping pool gives it back (resumed after this page). */
static int after_store(run_t *r, int page, int stored)
{
    if (stored < 0)
        return -1; /* lease lost: another worker owns the job now */
    if (stored == 1)
        return cancel(r);
    if (page < r->npages && __atomic_load_n(r->wk->stopping, __ATOMIC_RELAXED)) {
        const char *p[3] = {r->j->id, r->wk->owner, r->j->attempt};
        PQclear(job_exec(r->wk, DB_RGN_JOB_RELEASE, p, NULL));
        job_log("info", "job %s released after page %d for shutdown", r->j->id, page);
        return -1;
    }
    return 0;
}

/* One page: processed by the engine, then stored. Pages stored by an earlier attempt are kept; they are only
 * recognized again for the searchable PDF. A page the `pages` option leaves out is stored as skipped. */
static int run_page(run_t *r, int page)
{
    int redo_for_pdf = page <= r->j->stored_pages, selected = eng_pages_selected(&r->j->opts.pages, page);
    job_page_t pg = {.page = page,
                     .npages = r->npages,
                     .done = eng_pages_count(&r->j->opts.pages, page),
                     .selected = r->selected};
    if ((redo_for_pdf && r->pdf == NULL) || (redo_for_pdf && !selected))
        return 0;
    if (!selected) {
        pg.status = "skipped";
        return after_store(r, page, job_store_page(r->wk, r->j, &pg));
    }
    r->page.dpi = r->pdf_dpi != NULL ? r->pdf_dpi[page - 1] : r->j->opts.dpi;
    if (r->pdf_dpi != NULL && r->page.dpi == 0) {
        char msg[256];
        ++r->failed_pages;
        if (redo_for_pdf)
            return 0;
        snprintf(msg, sizeof(msg), "page %d is over this tier's %lld pixels per page even at %d dpi", page,
                 r->j->max_pixels, ENG_LIMITS_MIN_PDF_DPI);
        pg.status = "failed";
        pg.error = msg;
        return after_store(r, page, job_store_page(r->wk, r->j, &pg));
    }
    r->page.pdf_text = redo_for_pdf ? NULL : r->pdfin;
    r->page.pdf_out = r->pdf;
    r->page.want_image = !redo_for_pdf;
    r->page.detect_barcodes = !redo_for_pdf && r->j->opts.detect_barcodes;
    eng_page_out_t out;
    int rc = eng_page_process(r->wk->ocr, r->buf, r->len, r->fmt, page - 1, &r->page, &out);
    if (out.warn[0] != '\0')
        job_log("warn", "job %s: %s", r->j->id, out.warn);
    if (out.pdf_failed) {
        eng_pdf_abort(r->pdf);
        r->pdf = NULL;
    }
    if (rc != ENG_OK) {
        ++r->failed_pages;
        r->timeouts += rc == ENG_TIMEOUT;
    }
    if (redo_for_pdf) {
        eng_page_out_free(&out);
        return 0;
    }
    if (out.blank) {
        /* Recorded (status blank) so that progress and resume see it. */
        pg.status = "blank";
        int stored = job_store_page(r->wk, r->j, &pg);
        eng_page_out_free(&out);
        return stored < 0 ? -1 : stored == 1 ? cancel(r) : 0;
    }
    pg.status = rc == ENG_OK ? "completed" : "failed";
    pg.error = rc == ENG_OK ? NULL : out.err;
    pg.res = &out.res;
    pg.png = out.png;
    pg.png_len = out.png_len;
    /* A page whose detection failed (a warning above) says null rather than an empty list. */
    pg.barcodes = r->j->opts.detect_barcodes && rc == ENG_OK ? out.barcodes : NULL;
    int stored = job_store_page(r->wk, r->j, &pg);
    __atomic_add_fetch(&r->wk->counters->pages_done, 1, __ATOMIC_RELAXED);
    eng_page_out_free(&out);
    return after_store(r, page, stored);
}

/* Failed pages of earlier attempts count too. */
static int count_failed(run_t *r)
{
    if (r->j->stored_pages == 0)
        return 0;
    const char *p[1] = {r->j->id};
    PGresult *res = job_exec(r->wk, DB_RGN_JOB_PAGES_ALL, p, NULL);
    if (res == NULL)
        return -1;
    r->failed_pages = 0;
    for (int i = 0; i < PQntuples(res); ++i)
        r->failed_pages += strcmp(PQgetvalue(res, i, 1), "failed") == 0;
    PQclear(res);
    return 0;
}

/* Completes the job with its outputs, the searchable PDF finished first. */
static void complete(run_t *r)
{
    char err[512];
    unsigned char *pdf = NULL;
    size_t pdf_len = 0;
    if (r->pdf != NULL && r->failed_pages < r->selected &&
        eng_pdf_end(r->pdf, &pdf, &pdf_len, err, sizeof(err)) != 0)
        job_log("warn", "job %s: searchable PDF failed: %s", r->j->id, err);
    else if (r->pdf != NULL && r->failed_pages == r->selected)
        eng_pdf_abort(r->pdf);
    r->pdf = NULL;
    if (job_complete(r->wk, r->j, r->selected, r->failed_pages, r->timeouts, pdf, pdf_len) != 0)
        job_log("warn", "job %s: not completed by this worker", r->j->id);
    free(pdf);
}

void job_process(job_worker_t *wk, job_t *j)
{
    run_t r = {.wk = wk, .j = j};
    job_lease_hold(wk->lease, wk->index, j->id, wk->owner, j->attempt);
    if (check_attempts(&r) == 0 && load_document(&r) == 0 && probe(&r) == 0 && set_pages(&r) == 0) {
        prepare(&r);
        int page = 1;
        while (page <= r.npages && run_page(&r, page) == 0)
            ++page;
        if (page > r.npages && count_failed(&r) == 0)
            complete(&r);
    }
    job_lease_drop(wk->lease, wk->index);
    free(r.pdf_dpi);
    eng_pdfin_close(r.pdfin);
    eng_pdf_abort(r.pdf);
    PQclear(r.doc);
}

void job_sweep(job_worker_t *wk)
{
    PGresult *r;
    if ((r = job_exec(wk, DB_RGN_REQUEUE_EXPIRED, NULL, NULL)) != NULL) {
        if (PQntuples(r) > 0)
            job_log("info", "re-queued %d job%s whose lease expired", PQntuples(r),
                    PQntuples(r) == 1 ? "" : "s");
        PQclear(r);
    }
    PQclear(job_exec(wk, DB_RGN_PURGE_EXPIRED, NULL, NULL));
    PQclear(job_exec(wk, DB_RGN_IDEM_SWEEP, NULL, NULL));
}
