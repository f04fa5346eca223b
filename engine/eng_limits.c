/* A tier's document limits (see eng_limits.h). */
#include "engine/eng_limits.h"
#include "engine/eng_ocr.h"
#include "engine/eng_util.h"

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
