#include "engine/eng_pdf_in.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <leptonica/allheaders.h>
#include <poppler.h>

#include "engine/eng_util.h"

struct eng_pdfin {
    GBytes *bytes; /* wraps the caller's buffer, no copy */
    PopplerDocument *doc;
    int npages;
};

static pthread_mutex_t poppler_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t pdfin_once = PTHREAD_ONCE_INIT;

static void drop_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
    (void)domain;
    (void)level;
    (void)msg;
    (void)data;
}

static void pdfin_init_once(void)
{
    const char *v = getenv("OCRGATE_ENGINE_VERBOSE");
    if (v != NULL && *v != '\0' && strcmp(v, "0") != 0)
        return;
    g_log_set_handler("Poppler", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION, drop_log, NULL);
}

eng_pdfin_t *eng_pdfin_open(const void *buf, size_t len, char *err, size_t errlen)
{
    GError *gerr = NULL;
    eng_pdfin_t *d;

    eng_global_init();
    pthread_once(&pdfin_once, pdfin_init_once);
    if (buf == NULL || len == 0) {
        eng__set_err(err, errlen, "The document is empty.");
        return NULL;
    }
    if ((d = calloc(1, sizeof(*d))) == NULL || (d->bytes = g_bytes_new_static(buf, len)) == NULL) {
        free(d);
        eng__set_err(err, errlen, "Out of memory.");
        return NULL;
    }
    pthread_mutex_lock(&poppler_lock);
    d->doc = poppler_document_new_from_bytes(d->bytes, NULL, &gerr);
    if (d->doc != NULL)
        d->npages = poppler_document_get_n_pages(d->doc);
    pthread_mutex_unlock(&poppler_lock);
    if (d->doc == NULL) {
        if (gerr != NULL && gerr->domain == POPPLER_ERROR && gerr->code == POPPLER_ERROR_ENCRYPTED)
            eng__set_err(err, errlen, "The PDF is protected by a password; send it without the password.");
        else
            eng__set_err(err, errlen, "The PDF is damaged and could not be read.");
        goto Fail;
    }
    if (d->npages <= 0) {
        eng__set_err(err, errlen, "The PDF holds no pages.");
        goto Fail;
    }
    if (gerr != NULL)
        g_error_free(gerr);
    return d;
Fail:
    if (gerr != NULL)
        g_error_free(gerr);
    eng_pdfin_close(d);
    return NULL;
}

void eng_pdfin_close(eng_pdfin_t *d)
{
    if (d == NULL)
        return;
    if (d->doc != NULL) {
        pthread_mutex_lock(&poppler_lock);
        g_object_unref(d->doc);
        pthread_mutex_unlock(&poppler_lock);
    }
    g_bytes_unref(d->bytes);
    free(d);
}

int eng_pdfin_npages(const eng_pdfin_t *d)
{
    return d != NULL ? d->npages : 0;
}

/* Called with poppler_lock held. */
static PopplerPage *get_page(eng_pdfin_t *d, int index, char *err, size_t errlen)
{
    PopplerPage *p;
    if (d == NULL || index < 0 || index >= d->npages) {
        eng__set_err(err, errlen, "The document has no page %d.", index + 1);
        return NULL;
    }
    if ((p = poppler_document_get_page(d->doc, index)) == NULL)
        eng__set_err(err, errlen, "Page %d of the PDF is damaged.", index + 1);
    return p;
}

static int pixels_of(double points, int dpi, int *out)
{
    double px = ceil(points * dpi / 72.0 - 1e-6);
    if (!isfinite(px) || px < 1 || px > INT_MAX)
        return -1;
    *out = (int)px;
    return 0;
}

int eng_pdfin_page_size(eng_pdfin_t *d, int index, int dpi, int *width, int *height, char *err, size_t errlen)
{
    double w = 0, h = 0;
    *width = *height = 0;
    if (dpi < ENG_PDFIN_MIN_DPI || dpi > ENG_PDFIN_MAX_DPI) {
        eng__set_err(err, errlen, "PDF pages can be rendered at %d to %d dpi.", ENG_PDFIN_MIN_DPI,
                     ENG_PDFIN_MAX_DPI);
        return -1;
    }
    pthread_mutex_lock(&poppler_lock);
    PopplerPage *p = get_page(d, index, err, errlen);
    if (p != NULL) {
        poppler_page_get_size(p, &w, &h);
        g_object_unref(p);
    }
    pthread_mutex_unlock(&poppler_lock);
    if (p == NULL)
        return -1;
    if (pixels_of(w, dpi, width) != 0 || pixels_of(h, dpi, height) != 0) {
        *width = *height = 0;
        eng__set_err(err, errlen, "Page %d of the PDF declares an invalid size.", index + 1);
        return -1;
    }
    return 0;
}

/* Whether every pixel of the rendered page is a neutral gray (R = G = B): a scan, a black-and-white or
 * gray document, text on white. Stops at the first coloured pixel. */
static int neutral(const unsigned char *data, int stride, int w, int h)
{
    for (int y = 0; y < h; ++y) {
        const uint32_t *src = (const uint32_t *)(const void *)(data + (size_t)y * stride);
        for (int x = 0; x < w; ++x) {
            uint32_t v = src[x];
            if ((v >> 16 & 0xff) != (v & 0xff) || (v >> 8 & 0xff) != (v & 0xff))
                return 0;
        }
    }
    return 1;
}

struct Pix *eng_pdfin_render(eng_pdfin_t *d, int index, int dpi, eng_pdfin_mode_t mode, char *err,
                             size_t errlen)
{
    cairo_surface_t *surf = NULL;
    cairo_t *cr = NULL;
    PopplerPage *p = NULL;
    PIX *pix = NULL;
    int w, h;

    if (eng_pdfin_page_size(d, index, dpi, &w, &h, err, errlen) != 0)
        return NULL;
    if (w > 32767 || h > 32767 || (long long)w * h > ENG_PDFIN_MAX_PIXELS) {
        eng__set_err(err, errlen, "Page %d is %dx%d px at %d dpi, too large to render.", index + 1, w, h,
                     dpi);
        return NULL;
    }

    pthread_mutex_lock(&poppler_lock);
    surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
        eng__set_err(err, errlen, "Out of memory while rendering page %d.", index + 1);
        goto Fail;
    }
    if ((p = get_page(d, index, err, errlen)) == NULL)
        goto Fail;
    cr = cairo_create(surf);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, dpi / 72.0, dpi / 72.0);
    poppler_page_render(p, cr);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        eng__set_err(err, errlen, "Page %d of the PDF could not be rendered.", index + 1);
        goto Fail;
    }
    cairo_destroy(cr);
    cr = NULL;
    g_object_unref(p);
    p = NULL;
    pthread_mutex_unlock(&poppler_lock);

    /* Cairo's RGB24 is one native 32-bit word per pixel, 0x??RRGGBB; leptonica's is 0xRRGGBB00. */
    cairo_surface_flush(surf);
    const unsigned char *data = cairo_image_surface_get_data(surf);
    int stride = cairo_image_surface_get_stride(surf);
    int gray = mode == ENG_PDFIN_GRAY || (mode == ENG_PDFIN_AUTO && neutral(data, stride, w, h));
    if ((pix = pixCreate(w, h, gray ? 8 : 32)) == NULL) {
        eng__set_err(err, errlen, "Out of memory while rendering page %d.", index + 1);
        cairo_surface_destroy(surf);
        return NULL;
    }
    pixSetResolution(pix, dpi, dpi);
    if (!gray)
        pixSetSpp(pix, 3);
    int wpl = pixGetWpl(pix);
    l_uint32 *dst = pixGetData(pix);
    for (int y = 0; y < h; ++y) {
        const uint32_t *src = (const uint32_t *)(const void *)(data + (size_t)y * stride);
        l_uint32 *line = dst + (size_t)y * wpl;
        if (gray) {
            for (int x = 0; x < w; ++x) {
                uint32_t v = src[x];
                unsigned r = v >> 16 & 0xff, g = v >> 8 & 0xff, b = v & 0xff;
                SET_DATA_BYTE(line, x, (r * 77 + g * 150 + b * 29 + 128) >> 8);
            }
        } else {
            for (int x = 0; x < w; ++x)
                line[x] = (src[x] & 0xffffffu) << 8;
        }
    }
    cairo_surface_destroy(surf);
    return pix;
Fail:
    if (cr != NULL)
        cairo_destroy(cr);
    if (p != NULL)
        g_object_unref(p);
    if (surf != NULL)
        cairo_surface_destroy(surf);
    pthread_mutex_unlock(&poppler_lock);
    return NULL;
}

char *eng_pdfin_text(eng_pdfin_t *d, int index, char *err, size_t errlen)
{
    char *gtext = NULL, *r = NULL;
    pthread_mutex_lock(&poppler_lock);
    PopplerPage *p = get_page(d, index, err, errlen);
    if (p != NULL) {
        gtext = poppler_page_get_text(p);
        g_object_unref(p);
    }
    pthread_mutex_unlock(&poppler_lock);
    if (p == NULL)
        return NULL;
    r = strdup(gtext != NULL ? gtext : "");
    g_free(gtext);
    if (r == NULL)
        eng__set_err(err, errlen, "Out of memory.");
    return r;
}

int eng_pdfin_text_chars(eng_pdfin_t *d, int index, char *err, size_t errlen)
{
    char *t = eng_pdfin_text(d, index, err, errlen);
    int n = 0;
    if (t == NULL)
        return -1;
    for (const unsigned char *s = (const unsigned char *)t; *s != '\0'; ++s)
        if (!isspace(*s) && (*s & 0xC0) != 0x80) /* count code points, not UTF-8 continuation bytes */
            ++n;
    free(t);
    return n;
}
