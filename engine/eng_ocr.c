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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

#include "engine/eng_doc.h"
#include "engine/eng_internal.h"

/* One initialised TessBaseAPI for one language set. Heap-allocated so that a pointer held by an eng_pdf_t
 * stays valid while the cache array changes. */
typedef struct {
    char *langs;
    TessBaseAPI *api;
    unsigned long last_used;
    int pins; /* open PDFs using it; a pinned instance is never evicted */
} eng_inst_t;

struct eng_ocr {
    char *tessdata;
    int max_warm;
    eng_inst_t **insts;
    int ninst, capinst;
    unsigned long tick;
    eng_inst_t *last; /* instance holding the last successfully recognized page, NULL if none */
    TessBaseAPI *osd; /* orientation detection (eng_ocr_detect_orientation), initialised on first use */
};

struct eng_pdf {
    eng_ocr_t *ocr;
    eng_inst_t *inst;
    TessResultRenderer *renderer;
    char dir[256], path[300];
    char *author, *subject, *keywords, *title;
    int pages;
};

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

static const char *default_tessdata(void)
{
    const char *env = getenv("TESSDATA_PREFIX");
    return env != NULL && *env != '\0' ? env : ENG_TESSDATA_DEFAULT;
}

/* A language name is a model file's stem: letters, digits, '_' and '-'. No '/', '.', so that nothing can name
 * a file outside the model directory. */
static int valid_lang_name(const char *s, size_t n)
{
    if (n == 0 || n > 32)
        return 0;
    for (size_t i = 0; i < n; ++i)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
            return 0;
    return 1;
}

int eng_ocr_check_languages(const char *tessdata_dir, const char *languages, char *err, size_t errlen)
{
    const char *dir = tessdata_dir != NULL ? tessdata_dir : default_tessdata();
    const char *p = languages;
    int count = 0;

    if (p == NULL || *p == '\0') {
        eng__set_err(err, errlen, "No language given.");
        return -1;
    }
    for (;;) {
        const char *plus = strchr(p, '+');
        size_t n = plus != NULL ? (size_t)(plus - p) : strlen(p);
        if (!valid_lang_name(p, n)) {
            eng__set_err(err, errlen, "'%.40s' is not a valid language list (use names like eng or eng+deu).",
                         languages);
            return -1;
        }
        if (n == 3 && memcmp(p, "osd", 3) == 0) {
            eng__set_err(err, errlen, "'osd' is not a recognition language.");
            return -1;
        }
        if (++count > 8) {
            eng__set_err(err, errlen, "At most 8 languages can be combined.");
            return -1;
        }
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%.*s.traineddata", dir, (int)n, p);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            eng__set_err(err, errlen, "Language '%.*s' is not installed.", (int)n, p);
            return -1;
        }
        if (plus == NULL)
            break;
        p = plus + 1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int eng_ocr_languages(const char *tessdata_dir, char ***langs, int *n)
{
    const char *dir = tessdata_dir != NULL ? tessdata_dir : default_tessdata();
    static const char suffix[] = ".traineddata";
    const size_t slen = sizeof(suffix) - 1;
    char **arr = NULL;
    int cnt = 0, cap = 0, ret = -1;
    DIR *d;
    struct dirent *de;

    *langs = NULL;
    *n = 0;
    if ((d = opendir(dir)) == NULL)
        return -1;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len <= slen || strcmp(de->d_name + len - slen, suffix) != 0)
            continue;
        len -= slen;
        if (!valid_lang_name(de->d_name, len) || (len == 3 && memcmp(de->d_name, "osd", 3) == 0))
            continue;
        if (cnt == cap) {
            cap = cap ? cap * 2 : 16;
            char **a2 = realloc(arr, sizeof(*a2) * (size_t)cap);
            if (a2 == NULL)
                goto Exit;
            arr = a2;
        }
        if ((arr[cnt] = strndup(de->d_name, len)) == NULL)
            goto Exit;
        ++cnt;
    }
    if (cnt > 1)
        qsort(arr, (size_t)cnt, sizeof(*arr), cmp_str);
    *langs = arr;
    *n = cnt;
    arr = NULL;
    cnt = 0;
    ret = 0;
Exit:
    closedir(d);
    eng_ocr_languages_free(arr, cnt);
    return ret;
}

void eng_ocr_languages_free(char **langs, int n)
{
    for (int i = 0; i < n; ++i)
        free(langs[i]);
    free(langs);
}

/* ---------------------------------------------------------------------------------------------------- */

eng_ocr_t *eng_ocr_create(const char *tessdata_dir, int max_warm_instances)
{
    eng_global_init();
    eng_ocr_t *ocr = calloc(1, sizeof(*ocr));
    if (ocr == NULL)
        return NULL;
    ocr->tessdata = strdup(tessdata_dir != NULL ? tessdata_dir : default_tessdata());
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
static eng_inst_t *inst_get(eng_ocr_t *ocr, const char *langs, char *err, size_t errlen)
{
    for (int i = 0; i < ocr->ninst; ++i) {
        if (strcmp(ocr->insts[i]->langs, langs) == 0) {
            ocr->insts[i]->last_used = ++ocr->tick;
            return ocr->insts[i];
        }
    }
    if (eng_ocr_check_languages(ocr->tessdata, langs, err, errlen) != 0)
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
    if ((in = inst_get(ocr, langs, err, errlen)) == NULL)
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

/* ---------------------------------------------------------------------------------------------------- */
/* Searchable PDF                                                                                        */

static void pdf_cleanup_files(eng_pdf_t *pdf)
{
    if (pdf->path[0] != '\0')
        unlink(pdf->path);
    if (pdf->dir[0] != '\0')
        rmdir(pdf->dir);
    pdf->path[0] = pdf->dir[0] = '\0';
}

static void pdf_free(eng_pdf_t *pdf)
{
    if (pdf->renderer != NULL)
        TessDeleteResultRenderer(pdf->renderer);
    pdf->renderer = NULL;
    pdf_cleanup_files(pdf);
    if (pdf->inst != NULL)
        pdf->inst->pins--;
    free(pdf->title);
    free(pdf->author);
    free(pdf->subject);
    free(pdf->keywords);
    free(pdf);
}

static char *dup_or_null(const char *s)
{
    return s != NULL && *s != '\0' ? strdup(s) : NULL;
}

eng_pdf_t *eng_pdf_begin(eng_ocr_t *ocr, const char *languages, const eng_pdf_meta_t *meta, char *err,
                         size_t errlen)
{
    const char *langs = languages != NULL && *languages != '\0' ? languages : "eng";
    const char *tmp = getenv("TMPDIR");
    eng_pdf_t *pdf = calloc(1, sizeof(*pdf));
    char base[280];
    int fd;

    if (pdf == NULL) {
        eng__set_err(err, errlen, "Out of memory.");
        return NULL;
    }
    pdf->ocr = ocr;
    if (meta != NULL) {
        pdf->title = dup_or_null(meta->title);
        pdf->author = dup_or_null(meta->author);
        pdf->subject = dup_or_null(meta->subject);
        pdf->keywords = dup_or_null(meta->keywords);
    }
    if ((pdf->inst = inst_get(ocr, langs, err, errlen)) == NULL)
        goto Fail;
    pdf->inst->pins++;

    if (tmp == NULL || *tmp != '/' || strlen(tmp) > 200)
        tmp = "/tmp";
    snprintf(pdf->dir, sizeof(pdf->dir), "%s/ocrgate-pdf-XXXXXX", tmp);
    if (mkdtemp(pdf->dir) == NULL) {
        pdf->dir[0] = '\0';
        eng__set_err(err, errlen, "Cannot create a temporary directory for the PDF: %s.", strerror(errno));
        goto Fail;
    }
    snprintf(base, sizeof(base), "%s/out", pdf->dir);
    snprintf(pdf->path, sizeof(pdf->path), "%s.pdf", base);
    /* The renderer fopen()s "<base>.pdf" itself; creating it first fixes its mode at 0600 (fopen "wb" keeps
     * the mode of an existing file). The directory is 0700 from mkdtemp anyway. */
    if ((fd = open(pdf->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        pdf->path[0] = '\0';
        eng__set_err(err, errlen, "Cannot create the temporary PDF file: %s.", strerror(errno));
        goto Fail;
    }
    close(fd);
    pdf->renderer = TessPDFRendererCreate(base, ocr->tessdata, 0);
    if (pdf->renderer == NULL ||
        !TessResultRendererBeginDocument(pdf->renderer, pdf->title ? pdf->title : "")) {
        eng__set_err(err, errlen, "The PDF renderer could not start.");
        goto Fail;
    }
    return pdf;
Fail:
    pdf_free(pdf);
    return NULL;
}

int eng_pdf_add_last_page(eng_pdf_t *pdf, char *err, size_t errlen)
{
    if (pdf == NULL || pdf->ocr->last != pdf->inst) {
        eng__set_err(err, errlen, "No recognized page with the PDF's languages to add.");
        return -1;
    }
    if (!TessResultRendererAddImage(pdf->renderer, pdf->inst->api)) {
        eng__set_err(err, errlen, "The PDF renderer failed to add page %d.", pdf->pages + 1);
        return -1;
    }
    pdf->pages++;
    return 0;
}

void eng_pdf_abort(eng_pdf_t *pdf)
{
    if (pdf != NULL)
        pdf_free(pdf);
}

static int read_whole(const char *path, unsigned char **bytes, size_t *len)
{
    int ret = -1;
    struct stat st;
    unsigned char *b = NULL;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return -1;
    if (fstat(fileno(fp), &st) != 0 || st.st_size <= 0)
        goto Exit;
    if ((b = malloc((size_t)st.st_size + 1)) == NULL)
        goto Exit;
    if (fread(b, 1, (size_t)st.st_size, fp) != (size_t)st.st_size)
        goto Exit;
    *bytes = b;
    *len = (size_t)st.st_size;
    b = NULL;
    ret = 0;
Exit:
    free(b);
    fclose(fp);
    return ret;
}

int eng_pdf_end(eng_pdf_t *pdf, unsigned char **bytes, size_t *len, char *err, size_t errlen)
{
    int ret = -1;
    *bytes = NULL;
    *len = 0;
    if (pdf == NULL) {
        eng__set_err(err, errlen, "No PDF in progress.");
        return -1;
    }
    if (pdf->pages == 0) {
        eng__set_err(err, errlen, "The PDF has no pages.");
        goto Exit;
    }
    if (!TessResultRendererEndDocument(pdf->renderer)) {
        eng__set_err(err, errlen, "The PDF renderer failed to finish the document.");
        goto Exit;
    }
    /* Deleting the renderer closes (flushes) its file. */
    TessDeleteResultRenderer(pdf->renderer);
    pdf->renderer = NULL;
    if (read_whole(pdf->path, bytes, len) != 0) {
        eng__set_err(err, errlen, "The rendered PDF could not be read back.");
        goto Exit;
    }
    if ((pdf->author != NULL || pdf->subject != NULL || pdf->keywords != NULL) &&
        eng__pdf_update_info(bytes, len, pdf->title, pdf->author, pdf->subject, pdf->keywords) != 0) {
        free(*bytes);
        *bytes = NULL;
        *len = 0;
        eng__set_err(err, errlen, "The PDF metadata could not be written.");
        goto Exit;
    }
    ret = 0;
Exit:
    pdf_free(pdf);
    return ret;
}

/* ---------------------------------------------------------------------------------------------------- */

static pthread_once_t version_once = PTHREAD_ONCE_INIT;
static char tess_version[64], lept_version[64];

static void version_init(void)
{
    const char *tv = TessVersion();
    snprintf(tess_version, sizeof(tess_version), "tesseract %s", tv != NULL ? tv : "unknown");
    char *lv = getLeptonicaVersion(); /* "leptonica-1.82.0" */
    const char *v = lv != NULL ? lv : "unknown";
    if (strncmp(v, "leptonica-", 10) == 0)
        v += 10;
    snprintf(lept_version, sizeof(lept_version), "leptonica %s", v);
    if (lv != NULL)
        lept_free(lv);
}

const char *eng_version(void)
{
    pthread_once(&version_once, version_init);
    return tess_version;
}

const char *eng_leptonica_version(void)
{
    pthread_once(&version_once, version_init);
    return lept_version;
}
