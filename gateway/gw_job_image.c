/* Page images: GET /v1/jobs/{id}/pages/{n}/image and /thumbnail, the PNG stored with the page, scaled to the
 * requested bounds on the offload pool (decoding and scaling never run on a loop thread). The handlers run on
 * the loop thread; image_run on a pool thread. */
#include "engine/eng_image.h"
#include "gateway/gw_handlers.h"
#include "gateway/gw_jobs.h"
#include "gateway/gw_offload.h"
#include "gateway/gw_query.h"
#include "engine/eng_utf8.h"

#include <leptonica/allheaders.h>
#include <stdlib.h>
#include <string.h>

/* From the request's pool; it dies with the request. */
typedef struct {
    char job_id[37];
    int page;
    int box_w, box_h; /* the requested bounds (0: unbounded) */
    int still_coming; /* the job has not finished, so the page's image may still come */
} image_req_t;

static image_req_t *istate(gw_req_t *r)
{
    return gw_hstate(r, sizeof(image_req_t), NULL);
}

/* Owned by the offload pool while it runs, then by image_done, which frees it. */
typedef struct {
    gw_task_t super;
    unsigned char *src; /* the stored PNG (copied: the result set goes away) */
    size_t src_len;
    int width, height;
    unsigned char *png;
    size_t png_len;
    char err[200];
} image_task_t;

/* Pool thread: decode the stored page and scale it. */
static void image_run(gw_task_t *t)
{
    image_task_t *it = (image_task_t *)t;
    struct Pix *pix = pixReadMem(it->src, it->src_len);
    if (pix == NULL) {
        snprintf(it->err, sizeof(it->err), "the stored page image cannot be read");
        return;
    }
    if (eng_image_png(pix, it->width, it->height, &it->png, &it->png_len, it->err, sizeof(it->err)) != 0)
        it->png = NULL;
    pixDestroy(&pix);
}

static void image_done(gw_task_t *t, int gone)
{
    image_task_t *it = (image_task_t *)t;
    if (!gone) {
        if (it->png != NULL) {
            gw_add_header(t->r, "Cache-Control", "private, max-age=300");
            gw_send(t->r, 200, "image/png", (const char *)it->png, it->png_len);
        } else {
            gw_send_error(t->r, 500, "InternalError", NULL, "%s", it->err);
        }
    }
    free(it->src);
    free(it->png);
    free(it);
}

static void on_page_image(gw_req_t *r, PGresult *res)
{
    image_req_t *s = istate(r);
    if (PQntuples(res) == 0) {
        gw_page_not_stored(r, s->job_id, s->page, s->still_coming, "image");
        return;
    }
    if (PQgetisnull(res, 0, 1)) {
        gw_send_error(r, 404, "ResourceNotFound", NULL, "page %d has no image (%s)", s->page,
                      PQgetvalue(res, 0, 0));
        return;
    }
    image_task_t *it = calloc(1, sizeof(*it));
    it->src_len = (size_t)PQgetlength(res, 0, 1);
    it->src = malloc(it->src_len);
    memcpy(it->src, PQgetvalue(res, 0, 1), it->src_len);
    it->width = s->box_w;
    it->height = s->box_h;
    it->super.run = image_run;
    it->super.done = image_done;
    gw_offload(r, &it->super);
}

void gw_job_image_send(gw_req_t *r, const char *job_id, int page, int w, int h, int still_coming)
{
    image_req_t *s = istate(r);
    if (job_id != s->job_id) /* v1's own handler passes its state's id: never copy onto itself */
        snprintf(s->job_id, sizeof(s->job_id), "%s", job_id);
    s->page = page;
    s->box_w = w;
    s->box_h = h;
    s->still_coming = still_coming;
    char pg[16];
    snprintf(pg, sizeof(pg), "%d", page);
    const char *p[2] = {s->job_id, pg};
    gw_db_query(r, GW_DB_REGION, DB_RGN_PAGE_IMAGE, p, NULL, on_page_image);
}

static void on_image_job(gw_req_t *r, PGresult *res)
{
    image_req_t *s = istate(r);
    if (gw_job_gone(r, res) || gw_page_beyond(r, res, s->page))
        return;
    const char *status = PQgetvalue(res, 0, 1);
    gw_job_image_send(r, s->job_id, s->page, s->box_w, s->box_h,
                      strcmp(status, "processing") == 0 || strcmp(status, "scheduled") == 0 ||
                          strcmp(status, "created") == 0);
}

int gw_job_image_box(gw_req_t *r, int def_w, int *w, int *h)
{
    gw_query_t q;
    *w = def_w;
    *h = 0;
    if (gw_query_or_400(r, &q) != 0)
        return -1;
    int ret = 0;
    for (size_t i = 0; i < q.count && ret == 0; ++i) {
        const char *k = q.items[i].key, *v = q.items[i].value;
        char *end;
        long n = strtol(v, &end, 10);
        if (strcmp(k, "width") != 0 && strcmp(k, "height") != 0) {
            gw_send_error(r, 400, "UnrecognizedInput", NULL,
                          "unknown parameter '%.*s' (expected width, height)", eng_utf8_cut(k, 40), k);
            ret = -1;
        } else if (*v == '\0' || *end != '\0' || n < 1 || n > 10000) {
            gw_send_error(r, 400, "InvalidInput",
                          json_pack("[{s:s,s:s}]", "field", k, "message", "1 to 10000"),
                          "%s must be a whole number from 1 to 10000", k);
            ret = -1;
        } else if (strcmp(k, "width") == 0) {
            *w = (int)n;
        } else {
            *h = (int)n;
            if (gw_query_get(&q, "width") == NULL)
                *w = 0; /* height alone bounds the height only */
        }
    }
    gw_query_free(&q);
    return ret;
}

static void page_image(gw_req_t *r, int page, int def_w)
{
    image_req_t *s = istate(r);
    if (gw_path_uuid(r, 0, "job", s->job_id) != 0 || gw_job_image_box(r, def_w, &s->box_w, &s->box_h) != 0)
        return;
    s->page = page;
    const char *p[2] = {s->job_id, r->who.app_id};
    gw_db_query(r, GW_DB_REGION, DB_RGN_JOB_GET, p, NULL, on_image_job);
}

void gw_h_page_image(gw_req_t *r)
{
    int page;
    if (gw_path_page(r, 1, &page) == 0)
        page_image(r, page, 0);
}

void gw_h_thumbnail(gw_req_t *r)
{
    page_image(r, 1, 200);
}
