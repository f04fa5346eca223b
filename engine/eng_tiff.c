/* TIFF page directories read from memory (see eng_tiff.h). */
#include "engine/eng_tiff.h"
#include "engine/eng_bytes.h"
#include "engine/eng_util.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------------- */
/* TIFF: our own walk of the IFD chain. leptonica has no memory-stream page counter (tiffGetCount wants a
 * FILE with a descriptor) and readHeaderMemTiff(n) re-walks the chain from the start for every page, which
 * is quadratic; one pass over the directories here gives the count, every page's header fields and the
 * IFD byte offsets that pixReadMemFromMultipageTiff() accepts to decode one page directly. */

typedef struct {
    const unsigned char *p;
    size_t len;
    int be, big;
} tiff_t;

static int tiff_open(tiff_t *t, const void *buf, size_t len, uint64_t *first)
{
    const unsigned char *p = buf;
    t->p = p;
    t->len = len;
    if (len < 8)
        return -1;
    if (p[0] == 'I' && p[1] == 'I')
        t->be = 0;
    else if (p[0] == 'M' && p[1] == 'M')
        t->be = 1;
    else
        return -1;
    uint32_t ver = rd16(p + 2, t->be);
    if (ver == 42) {
        t->big = 0;
        *first = rd32(p + 4, t->be);
    } else if (ver == 43) {
        if (len < 16 || rd16(p + 4, t->be) != 8 || rd16(p + 6, t->be) != 0)
            return -1;
        t->big = 1;
        *first = rd64(p + 8, t->be);
    } else {
        return -1;
    }
    return 0;
}

static int type_size(uint32_t type)
{
    switch (type) {
    case 1: /* BYTE */
    case 2: /* ASCII */
    case 6: /* SBYTE */
    case 7: /* UNDEFINED */
        return 1;
    case 3: /* SHORT */
    case 8: /* SSHORT */
        return 2;
    case 4:  /* LONG */
    case 9:  /* SLONG */
    case 11: /* FLOAT */
    case 13: /* IFD */
        return 4;
    case 5:  /* RATIONAL */
    case 10: /* SRATIONAL */
    case 12: /* DOUBLE */
    case 16: /* LONG8 */
    case 17: /* SLONG8 */
    case 18: /* IFD8 */
        return 8;
    default:
        return 0;
    }
}

/* Reads element `i` of an entry as a number (rationals as num/den). Returns -1 when out of bounds. */
static int tiff_value(const tiff_t *t, const unsigned char *entry, uint32_t i, double *out)
{
    uint32_t type = rd16(entry + 2, t->be);
    uint64_t count = t->big ? rd64(entry + 4, t->be) : rd32(entry + 4, t->be);
    const unsigned char *field = entry + (t->big ? 12 : 8);
    int sz = type_size(type);
    uint64_t inl = t->big ? 8 : 4;
    const unsigned char *data;

    if (sz == 0 || i >= count || count > UINT32_MAX)
        return -1;
    if (count * (uint64_t)sz <= inl) {
        data = field;
    } else {
        uint64_t off = t->big ? rd64(field, t->be) : rd32(field, t->be);
        if (!have(t->len, off, count * (uint64_t)sz))
            return -1;
        data = t->p + off;
    }
    data += (uint64_t)i * sz;
    switch (type) {
    case 1:
    case 7:
        *out = data[0];
        return 0;
    case 3:
        *out = rd16(data, t->be);
        return 0;
    case 4:
        *out = rd32(data, t->be);
        return 0;
    case 16:
        *out = (double)rd64(data, t->be);
        return 0;
    case 5: {
        uint32_t num = rd32(data, t->be), den = rd32(data + 4, t->be);
        *out = den != 0 ? (double)num / den : 0;
        return 0;
    }
    default:
        return -1;
    }
}

/* Parses the directory at `off`: fills `info` and the offset of the next directory (0 at the end).
 * A directory may repeat ImageWidth or ImageLength; libtiff decodes with the first entry and ignores the
 * others, a naive reader keeps the last. `info` gets the largest value any entry claims, so that a page is
 * checked against the tier at the largest size some reader might decode, and *conflict is set when the
 * entries disagree (such a page is refused at decoding). */
static int tiff_ifd(const tiff_t *t, uint64_t off, eng_page_info_t *info, uint64_t *next, int *conflict)
{
    uint64_t csz = t->big ? 8 : 2, esz = t->big ? 20 : 12, osz = t->big ? 8 : 4;
    if (off < 8 || !have(t->len, off, csz))
        return -1;
    uint64_t n = t->big ? rd64(t->p + off, t->be) : rd16(t->p + off, t->be);
    if (n == 0 || n > 65535 || !have(t->len, off + csz, n * esz + osz))
        return -1;
    double width = -1, height = -1, bps = 1, spp = 1, xres = 0, unit = 2;
    *conflict = 0;
    for (uint64_t i = 0; i < n; ++i) {
        const unsigned char *e = t->p + off + csz + i * esz;
        double v;
        switch (rd16(e, t->be)) {
        case 256:
        case 257: {
            double *dim = rd16(e, t->be) == 256 ? &width : &height;
            if (tiff_value(t, e, 0, &v) != 0)
                return -1;
            if (*dim >= 0 && v != *dim)
                *conflict = 1;
            if (v > *dim)
                *dim = v;
            break;
        }
        case 258:
            if (tiff_value(t, e, 0, &v) == 0)
                bps = v;
            break;
        case 277:
            if (tiff_value(t, e, 0, &v) == 0)
                spp = v;
            break;
        case 282:
            if (tiff_value(t, e, 0, &v) == 0)
                xres = v;
            break;
        case 296:
            if (tiff_value(t, e, 0, &v) == 0)
                unit = v;
            break;
        default:
            break;
        }
    }
    if (width < 1 || height < 1 || width > INT_MAX || height > INT_MAX)
        return -1;
    const unsigned char *np = t->p + off + csz + n * esz;
    *next = t->big ? rd64(np, t->be) : rd32(np, t->be);
    if (info != NULL) {
        info->width = (int)width;
        info->height = (int)height;
        /* Any count past 64 means the same to depth_of; clamped first, as a huge double does not fit an int.
         */
        info->depth = depth_of((int)fmin(bps, 64), (int)fmin(spp, 64));
        if (unit == 3)
            xres *= 2.54;
        info->dpi = unit == 1 || xres < 1 || xres > 100000 ? 0 : (int)lround(xres);
    }
    return 0;
}

/* Walks the chain (see eng_tiff.h). */
int eng__tiff_walk(const void *buf, size_t len, int limit, int *npages, eng_page_info_t **infos, int want,
                   uint64_t *want_off, eng_page_info_t *want_info, char *err, size_t errlen)
{
    tiff_t t;
    uint64_t off, *seen = NULL;
    eng_page_info_t *arr = NULL;
    int n = 0, cap = 0, ret = ENG_DOC_ERR;

    if (tiff_open(&t, buf, len, &off) != 0) {
        eng__set_err(err, errlen, "The TIFF header is damaged.");
        goto Exit;
    }
    while (off != 0) {
        if (n == limit) {
            eng__set_err(err, errlen, "The document has more than %d pages.", limit);
            *npages = limit + 1;
            ret = ENG_DOC_TOO_MANY_PAGES;
            goto Exit;
        }
        /* A directory chain that loops back would otherwise walk until the page limit. */
        for (int i = 0; i < n; ++i) {
            if (seen[i] == off) {
                eng__set_err(err, errlen, "The TIFF directory chain is damaged (it loops).");
                goto Exit;
            }
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            uint64_t *s2 = realloc(seen, sizeof(*s2) * (size_t)cap);
            if (s2 == NULL)
                goto Oom;
            seen = s2;
            eng_page_info_t *a2 = realloc(arr, sizeof(*a2) * (size_t)cap);
            if (a2 == NULL)
                goto Oom;
            arr = a2;
        }
        seen[n] = off;
        uint64_t next;
        int conflict;
        if (tiff_ifd(&t, off, &arr[n], &next, &conflict) != 0) {
            eng__set_err(err, errlen, "The TIFF data is truncated or damaged (page %d).", n + 1);
            goto Exit;
        }
        if (n == want) {
            if (conflict) {
                eng__set_err(err, errlen,
                             "Page %d of the TIFF file states its width or height twice, differently.",
                             n + 1);
                goto Exit;
            }
            *want_off = off;
            *want_info = arr[n];
            *npages = n + 1;
            ret = ENG_DOC_OK;
            goto Exit;
        }
        ++n;
        off = next;
    }
    if (n == 0) {
        eng__set_err(err, errlen, "The TIFF file holds no pages.");
        goto Exit;
    }
    if (want >= 0) {
        eng__set_err(err, errlen, "The document has no page %d (it has %d).", want + 1, n);
        goto Exit;
    }
    *npages = n;
    if (infos != NULL) {
        *infos = arr;
        arr = NULL;
    }
    ret = ENG_DOC_OK;
    goto Exit;
Oom:
    eng__set_err(err, errlen, "Out of memory while reading the TIFF directory.");
Exit:
    free(seen);
    free(arr);
    return ret;
}
