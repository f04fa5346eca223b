#include "engine/eng_ocr.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

#include "engine/eng_ocr_internal.h"
#include "engine/eng_util.h"

/* ---------------------------------------------------------------------------------------------------- */

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *dup_tess(char *s)
{
    /* Tesseract's strings come from new[] and must go back through TessDeleteText. */
    char *r = NULL;
    if (s != NULL) {
        r = strdup(s);
        TessDeleteText(s);
    }
    return r;
}

/* ---------------------------------------------------------------------------------------------------- */

/* See ENG_OCR_NICE. Per thread (Linux's nice value belongs to the thread): the process's other threads keep
 * theirs. Where lowering is refused (a sandbox), recognition simply runs at the process's priority. */
static void lower_thread_priority(void)
{
    id_t tid = (id_t)gettid();
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, tid);
    if (nice == -1 && errno != 0)
        return;
    (void)setpriority(PRIO_PROCESS, tid, nice + ENG_OCR_NICE > 19 ? 19 : nice + ENG_OCR_NICE);
}

eng_ocr_t *eng_ocr_create(const char *tessdata_dir, int max_warm_instances)
{
    eng_global_init();
    lower_thread_priority();
    eng_ocr_t *ocr = calloc(1, sizeof(*ocr));
    if (ocr == NULL)
        return NULL;
    ocr->tessdata = strdup(tessdata_dir != NULL ? tessdata_dir : eng__default_tessdata());
    if (ocr->tessdata == NULL) {
        free(ocr);
        return NULL;
    }
    ocr->max_warm = max_warm_instances < 1 ? 1 : max_warm_instances;
    return ocr;
}

static void inst_destroy(eng_inst_t *in)
{
    if (in == NULL)
        return;
    if (in->api != NULL) {
        TessBaseAPIEnd(in->api);
        TessBaseAPIDelete(in->api);
    }
    free(in->langs);
    free(in);
}

void eng_ocr_destroy(eng_ocr_t *ocr)
{
    if (ocr == NULL)
        return;
    for (int i = 0; i < ocr->ninst; ++i)
        inst_destroy(ocr->insts[i]);
    if (ocr->osd != NULL) {
        TessBaseAPIEnd(ocr->osd);
        TessBaseAPIDelete(ocr->osd);
    }
    free(ocr->insts);
    free(ocr->tessdata);
    free(ocr);
}

static void inst_remove(eng_ocr_t *ocr, int i)
{
    if (ocr->last == ocr->insts[i])
        ocr->last = NULL;
    inst_destroy(ocr->insts[i]);
    ocr->insts[i] = ocr->insts[--ocr->ninst];
}

/* Returns the warm instance for `langs`, initialising it (and evicting the least recently used unpinned one
 * beyond max_warm) when needed. */
eng_inst_t *eng__inst_get(eng_ocr_t *ocr, const char *langs, char *err, size_t errlen)
{
    for (int i = 0; i < ocr->ninst; ++i) {
        if (strcmp(ocr->insts[i]->langs, langs) == 0) {
            ocr->insts[i]->last_used = ++ocr->tick;
            return ocr->insts[i];
        }
    }
    if (eng__check_languages(ocr->tessdata, langs, err, errlen) != 0)
        return NULL;
    while (ocr->ninst >= ocr->max_warm) {
        int victim = -1;
        for (int i = 0; i < ocr->ninst; ++i)
            if (ocr->insts[i]->pins == 0 &&
                (victim < 0 || ocr->insts[i]->last_used < ocr->insts[victim]->last_used))
                victim = i;
        if (victim < 0)
            break; /* all pinned by open PDFs: grow temporarily rather than fail */
        inst_remove(ocr, victim);
    }
    if (ocr->ninst == ocr->capinst) {
        int cap = ocr->capinst ? ocr->capinst * 2 : 4;
        eng_inst_t **a2 = realloc(ocr->insts, sizeof(*a2) * (size_t)cap);
        if (a2 == NULL)
            goto Oom;
        ocr->insts = a2;
        ocr->capinst = cap;
    }
    eng_inst_t *in = calloc(1, sizeof(*in));
    if (in == NULL)
        goto Oom;
    if ((in->langs = strdup(langs)) == NULL || (in->api = TessBaseAPICreate()) == NULL) {
        inst_destroy(in);
        goto Oom;
    }
    if (TessBaseAPIInit3(in->api, ocr->tessdata, langs) != 0) {
        eng__set_err(err, errlen, "The recognition models for '%.40s' could not be loaded.", langs);
        inst_destroy(in);
        return NULL;
    }
    in->last_used = ++ocr->tick;
    ocr->insts[ocr->ninst++] = in;
    return in;
Oom:
    eng__set_err(err, errlen, "Out of memory while loading the recognition models.");
    return NULL;
}

/* ---------------------------------------------------------------------------------------------------- */

typedef struct {
    const eng_page_opts_t *opts;
    int canceled;
} cancel_ctx_t;

static bool cancel_cb(void *arg, int words)
{
    cancel_ctx_t *c = arg;
    (void)words;
    if (c->opts->cancel != NULL && c->opts->cancel(c->opts->cancel_arg) != 0)
        c->canceled = 1;
    return c->canceled != 0;
}

static TessPageSegMode psm_of(eng_psm_t psm)
{
    switch (psm) {
    case ENG_PSM_SINGLE_BLOCK:
        return PSM_SINGLE_BLOCK;
    case ENG_PSM_SINGLE_COLUMN:
        return PSM_SINGLE_COLUMN;
    case ENG_PSM_SPARSE:
        return PSM_SPARSE_TEXT;
    default:
        return PSM_AUTO;
    }
}

/* Words through the result iterator: JSON page object, filtered plain text and the statistics. */
static int collect_words(TessBaseAPI *api, const eng_page_opts_t *o, int page_no, eng_page_result_t *out,
                         int build_text, eng_buf_t *text)
{
    json_t *page = NULL, *words = NULL;
    TessResultIterator *ri = NULL;
    int ret = -1, line = -1, block = -1, nl = 0, np = 0, nwords = 0;
    double confsum = 0;

    if ((page = json_object()) == NULL || (words = json_array()) == NULL)
        goto Exit;
    ri = TessBaseAPIGetIterator(api);
    if (ri != NULL) {
        const TessPageIterator *pi = TessResultIteratorGetPageIteratorConst(ri);
        do {
            if (TessPageIteratorIsAtBeginningOf(pi, RIL_BLOCK))
                ++block, np = 1;
            if (TessPageIteratorIsAtBeginningOf(pi, RIL_PARA))
                np = 1;
            if (TessPageIteratorIsAtBeginningOf(pi, RIL_TEXTLINE))
                ++line, nl = 1;
            char *w = TessResultIteratorGetUTF8Text(ri, RIL_WORD);
            if (w == NULL)
                continue;
            float conf = TessResultIteratorConfidence(ri, RIL_WORD);
            int l, t, r, b;
            if (w[0] == '\0' || conf < (float)o->min_confidence ||
                !TessPageIteratorBoundingBox(pi, RIL_WORD, &l, &t, &r, &b)) {
                TessDeleteText(w);
                continue;
            }
            if (conf < 0)
                conf = 0;
            if (conf > 100)
                conf = 100;
            json_t *jw = json_pack("{s:s, s:f, s:{s:i, s:i, s:i, s:i}, s:i, s:i}", "text", w, "confidence",
                                   round(conf * 100) / 100, "box", "x", l, "y", t, "w", r - l, "h", b - t,
                                   "line", line < 0 ? 0 : line, "block", block < 0 ? 0 : block);
            if (build_text) {
                if (text->len > 0 && eng__buf_add(text, np ? "\n\n" : nl ? "\n" : " ") != 0)
                    jw = (json_decref(jw), NULL);
                if (eng__buf_add(text, w) != 0)
                    jw = (json_decref(jw), NULL);
                nl = np = 0;
            }
            TessDeleteText(w);
            if (jw == NULL || json_array_append_new(words, jw) != 0)
                goto Exit;
            ++nwords;
            confsum += conf;
        } while (TessResultIteratorNext(ri, RIL_WORD));
    }
    if (build_text && text->len > 0 && eng__buf_add(text, "\n") != 0)
        goto Exit;
    out->words = nwords;
    out->confidence = nwords > 0 ? round(confsum / nwords * 100) / 100 : 0;
    if (json_object_set_new(page, "page", json_integer(page_no)) != 0 ||
        json_object_set_new(page, "width", json_integer(out->width)) != 0 ||
        json_object_set_new(page, "height", json_integer(out->height)) != 0 ||
        json_object_set_new(page, "dpi", json_integer(out->dpi)) != 0 ||
        json_object_set_new(page, "rotation", json_integer(o->rotation)) != 0 ||
        json_object_set_new(page, "skewDegrees", json_real(round(o->skew_degrees * 100) / 100)) != 0 ||
        json_object_set_new(page, "confidence", json_real(out->confidence)) != 0 ||
        json_object_set(page, "words", words) != 0)
        goto Exit;
    if ((out->json = json_dumps(page, JSON_COMPACT | JSON_REAL_PRECISION(6))) == NULL)
        goto Exit;
    ret = 0;
Exit:
    if (ri != NULL)
        TessResultIteratorDelete(ri);
    json_decref(words);
    json_decref(page);
    return ret;
}

/* tesseract's ALTO writer asserts (aborts the process) on a PT_NOISE block; look before calling it. */
static int has_noise_block(TessBaseAPI *api)
{
    int found = 0;
    TessResultIterator *ri = TessBaseAPIGetIterator(api);
    if (ri == NULL)
        return 0;
    TessPageIterator *pi = TessResultIteratorGetPageIterator(ri);
    do {
        if (TessPageIteratorBlockType(pi) == PT_NOISE)
            found = 1;
    } while (!found && TessPageIteratorNext(pi, RIL_BLOCK));
    TessResultIteratorDelete(ri);
    return found;
}

static char *empty_alto_page(int page_index, int w, int h)
{
    char *s = NULL;
    if (asprintf(&s,
                 "\t\t<Page WIDTH=\"%d\" HEIGHT=\"%d\" PHYSICAL_IMG_NR=\"%d\" ID=\"page_%d\">\n"
                 "\t\t\t<PrintSpace HPOS=\"0\" VPOS=\"0\" WIDTH=\"%d\" HEIGHT=\"%d\">\n"
                 "\t\t\t</PrintSpace>\n\t\t</Page>\n",
                 w, h, page_index, page_index, w, h) < 0)
        return NULL;
    return s;
}

void eng_page_result_free(eng_page_result_t *r)
{
    if (r == NULL)
        return;
    free(r->text);
    free(r->json);
    free(r->hocr);
    free(r->tsv);
    free(r->alto);
    memset(r, 0, sizeof(*r));
}

int eng_ocr_page(eng_ocr_t *ocr, struct Pix *pix, int page_no, const eng_page_opts_t *opts,
                 eng_page_result_t *out, char *err, size_t errlen)
{
    static const eng_page_opts_t defaults = {0};
    const eng_page_opts_t *o = opts != NULL ? opts : &defaults;
    const char *langs = o->languages != NULL && *o->languages != '\0' ? o->languages : "eng";
    eng_inst_t *in;
    PIX *own = NULL;
    ETEXT_DESC *mon = NULL;
    cancel_ctx_t cctx = {o, 0};
    eng_buf_t text = {0};
    int ret = ENG_ERR;
    long t0 = now_ms();

    memset(out, 0, sizeof(*out));
    if (ocr == NULL || pix == NULL || page_no < 1) {
        eng__set_err(err, errlen, "Invalid arguments to the recognizer.");
        return ENG_ERR;
    }
    ocr->last = NULL;
    if (pixGetWidth(pix) > ENG_MAX_SIDE || pixGetHeight(pix) > ENG_MAX_SIDE) {
        eng__set_err(err, errlen,
                     "Page %d is %dx%d px; pages larger than %d px on a side cannot be recognized.", page_no,
                     pixGetWidth(pix), pixGetHeight(pix), ENG_MAX_SIDE);
        return ENG_ERR;
    }
    if ((in = eng__inst_get(ocr, langs, err, errlen)) == NULL)
        return ENG_ERR;

    /* tesseract's SetImage strips an alpha channel by overwriting the caller's Pix, and its thresholder has
     * no path for 16 bpp: hand it a private 8/24/32-bit copy in those cases. */
    if (pixGetDepth(pix) == 16)
        own = pixConvert16To8(pix, L_MS_BYTE);
    else if (pixGetSpp(pix) == 4)
        own = pixRemoveAlpha(pix);
    if ((pixGetDepth(pix) == 16 || pixGetSpp(pix) == 4) && own == NULL) {
        eng__set_err(err, errlen, "Out of memory while preparing page %d.", page_no);
        goto Exit;
    }
    PIX *use = own != NULL ? own : pix;
    if (own != NULL && pixGetSpp(own) == 4)
        pixSetSpp(own, 3);

    out->width = pixGetWidth(use);
    out->height = pixGetHeight(use);
    int res = pixGetYRes(use);
    TessBaseAPISetPageSegMode(in->api, psm_of(o->psm));
    TessBaseAPISetImage2(in->api, use);
    if (res >= 70 && res <= 2400) {
        out->dpi = res;
    } else {
        out->dpi = o->dpi > 0 ? o->dpi : ENG_DEFAULT_DPI;
        TessBaseAPISetSourceResolution(in->api, out->dpi);
    }

    if ((mon = TessMonitorCreate()) == NULL) {
        eng__set_err(err, errlen, "Out of memory.");
        goto Exit;
    }
    TessMonitorSetCancelFunc(mon, cancel_cb);
    TessMonitorSetCancelThis(mon, &cctx);
    if (o->timeout_ms > 0)
        TessMonitorSetDeadlineMSecs(mon, o->timeout_ms);
    long tr = now_ms();
    int rc = TessBaseAPIRecognize(in->api, mon);
    long elapsed = now_ms() - tr;
    if (rc != 0) {
        TessBaseAPIClear(in->api);
        if (cctx.canceled) {
            eng__set_err(err, errlen, "Recognition of page %d was canceled.", page_no);
            ret = ENG_CANCELED;
        } else if (o->timeout_ms > 0 && elapsed >= o->timeout_ms) {
            eng__set_err(err, errlen, "Recognition of page %d took longer than %d ms.", page_no,
                         o->timeout_ms);
            ret = ENG_TIMEOUT;
        } else {
            eng__set_err(err, errlen, "Recognition of page %d failed.", page_no);
        }
        goto Exit;
    }

    int filter = o->min_confidence > 0;
    if (collect_words(in->api, o, page_no, out, filter, &text) != 0)
        goto Oom;
    if (filter) {
        out->text = text.s != NULL ? text.s : strdup("");
        text.s = NULL;
    } else {
        out->text = dup_tess(TessBaseAPIGetUTF8Text(in->api));
    }
    if (out->text == NULL)
        goto Oom;
    if (!(o->skip & ENG_SKIP_HOCR) &&
        (out->hocr = dup_tess(TessBaseAPIGetHOCRText(in->api, page_no - 1))) == NULL)
        goto Oom;
    if (!(o->skip & ENG_SKIP_TSV) &&
        (out->tsv = dup_tess(TessBaseAPIGetTsvText(in->api, page_no - 1))) == NULL)
        goto Oom;
    if (!(o->skip & ENG_SKIP_ALTO)) {
        out->alto = has_noise_block(in->api) ? empty_alto_page(page_no - 1, out->width, out->height)
                                             : dup_tess(TessBaseAPIGetAltoText(in->api, page_no - 1));
        if (out->alto == NULL)
            goto Oom;
    }
    out->engine_ms = now_ms() - t0;
    ocr->last = in;
    ret = ENG_OK;
    goto Exit;
Oom:
    eng__set_err(err, errlen, "Out of memory while rendering the results of page %d.", page_no);
Exit:
    if (ret != ENG_OK)
        eng_page_result_free(out);
    free(text.s);
    if (mon != NULL)
        TessMonitorDelete(mon);
    pixDestroy(&own);
    return ret;
}

/* ---------------------------------------------------------------------------------------------------- */
/* Orientation (OSD)                                                                                      */

int eng_ocr_detect_orientation(eng_ocr_t *ocr, struct Pix *pix, int *deg, float *conf, char *err,
                               size_t errlen)
{
    int orient = 0;
    float oconf = 0, sconf = 0;
    const char *script = NULL; /* points into tesseract: never freed (capi.h says otherwise, wrongly) */
    PIX *own = NULL;

    *deg = 0;
    *conf = 0;
    if (ocr == NULL || pix == NULL) {
        eng__set_err(err, errlen, "Invalid arguments to orientation detection.");
        return -1;
    }
    if (ocr->osd == NULL) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/osd.traineddata", ocr->tessdata);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            eng__set_err(err, errlen,
                         "Automatic rotation needs the orientation model (osd), which is not installed.");
            return -1;
        }
        if ((ocr->osd = TessBaseAPICreate()) == NULL) {
            eng__set_err(err, errlen, "Out of memory while loading the orientation model.");
            return -1;
        }
        if (TessBaseAPIInit3(ocr->osd, ocr->tessdata, "osd") != 0) {
            TessBaseAPIDelete(ocr->osd);
            ocr->osd = NULL;
            eng__set_err(err, errlen, "The orientation model (osd) could not be loaded.");
            return -1;
        }
        TessBaseAPISetPageSegMode(ocr->osd, PSM_OSD_ONLY);
    }
    if (pixGetWidth(pix) > ENG_MAX_SIDE || pixGetHeight(pix) > ENG_MAX_SIDE) {
        eng__set_err(err, errlen, "The page is too large for orientation detection.");
        return -1;
    }
    /* Same private-copy rule as eng_ocr_page: SetImage would strip an alpha channel in the caller's Pix. */
    if (pixGetDepth(pix) == 16)
        own = pixConvert16To8(pix, L_MS_BYTE);
    else if (pixGetSpp(pix) == 4 && (own = pixRemoveAlpha(pix)) != NULL)
        pixSetSpp(own, 3);
    if ((pixGetDepth(pix) == 16 || pixGetSpp(pix) == 4) && own == NULL) {
        eng__set_err(err, errlen, "Out of memory.");
        return -1;
    }
    PIX *use = own != NULL ? own : pix;
    TessBaseAPISetImage2(ocr->osd, use);
    int res = pixGetYRes(use);
    TessBaseAPISetSourceResolution(ocr->osd, res >= 70 && res <= 2400 ? res : ENG_DEFAULT_DPI);
    /* False when the page holds too little text to decide: not an error, the page stays as it is. */
    if (TessBaseAPIDetectOrientationScript(ocr->osd, &orient, &oconf, &script, &sconf)) {
        /* tesseract reports how far the page is turned clockwise ("Orientation in degrees" of --psm 0);
         * undoing it is the rest of the full turn ("Rotate:"). */
        *deg = (360 - ((orient % 360) + 360) % 360) % 360;
        *conf = oconf;
    }
    TessBaseAPIClear(ocr->osd);
    pixDestroy(&own);
    return 0;
}
