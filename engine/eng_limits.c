/* A tier's document limits (see eng_limits.h). */
#include "engine/eng_limits.h"
#include "engine/eng_ocr.h"
#include "engine/eng_util.h"

#include <math.h>

/* A page's size at `to` dpi from its size at `from`, rounded up (poppler may round either way). */
static long long side_at(int px, int from, int to)
{
    return ((long long)px * to + from - 1) / from + 1;
}

static int fits(const eng_limits_t *lim, const eng_page_info_t *info, int from, int to)
{
    long long w = side_at(info->width, from, to), h = side_at(info->height, from, to);
    return w <= ENG_MAX_SIDE && h <= ENG_MAX_SIDE && (lim->max_pixels <= 0 || w * h <= lim->max_pixels);
}

int eng_limits_pdf_dpi(const eng_limits_t *lim, const eng_page_info_t *info, int dpi)
{
    long long px = (long long)info->width * info->height;
    if ((lim->max_pixels <= 0 || px <= lim->max_pixels) && info->width <= ENG_MAX_SIDE &&
        info->height <= ENG_MAX_SIDE)
        return dpi;
    double scale = lim->max_pixels > 0 && px > 0 ? sqrt((double)lim->max_pixels / (double)px) : 1.0;
    if (info->width > 0 && (double)ENG_MAX_SIDE / info->width < scale)
        scale = (double)ENG_MAX_SIDE / info->width;
    if (info->height > 0 && (double)ENG_MAX_SIDE / info->height < scale)
        scale = (double)ENG_MAX_SIDE / info->height;
    int to = (int)floor(dpi * scale);
    while (to >= ENG_LIMITS_MIN_PDF_DPI && !fits(lim, info, dpi, to))
        --to;
    return to >= ENG_LIMITS_MIN_PDF_DPI ? to : 0;
}

int eng_limits_check(const eng_limits_t *lim, int probe_rc, int npages, const eng_page_info_t *infos,
                     char *msg, size_t len)
{
    if (probe_rc == ENG_DOC_TOO_MANY_PAGES) {
        eng__set_err(msg, len, "the document has more than %d pages, this tier's limit", lim->max_pages);
        return -1;
    }
    if (probe_rc != ENG_DOC_OK)
        return 0;
    for (int i = 0; i < npages; ++i) {
        long long px = (long long)infos[i].width * infos[i].height;
        if (px > lim->max_pixels || infos[i].width > ENG_MAX_SIDE || infos[i].height > ENG_MAX_SIDE) {
            eng__set_err(msg, len,
                         "page %d is %dx%d pixels; this tier allows %lld pixels per page and %d per side",
                         i + 1, infos[i].width, infos[i].height, lim->max_pixels, ENG_MAX_SIDE);
            return -1;
        }
    }
    return 0;
}
