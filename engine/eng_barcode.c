/* Barcode detection with zbar (see eng_barcode.h). */
#include "engine/eng_barcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <leptonica/allheaders.h>
#include <zbar.h>

#include "engine/eng_util.h"
#include "engine/eng_utf8.h"

static const eng_barcode_type_t types[] = {
    {"ean8", 1},   {"upce", 2}, {"isbn10", 3}, {"upca", 4},   {"ean13", 5},
    {"isbn13", 6}, {"i25", 7},  {"code39", 8}, {"qrcode", 9}, {"code128", 10},
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

/* zbar's symbology for each row of types[] (same order). */
static const zbar_symbol_type_t zsyms[NTYPES] = {
    ZBAR_EAN8,   ZBAR_UPCE, ZBAR_ISBN10, ZBAR_UPCA,   ZBAR_EAN13,
    ZBAR_ISBN13, ZBAR_I25,  ZBAR_CODE39, ZBAR_QRCODE, ZBAR_CODE128,
};
/* The EAN/UPC family: zbar finds UPC-A and ISBN only as readings of EAN-13, and reports a UPC-E symbol as the
 * UPC-A it expands to when UPC-E is off. So whenever one of the family is asked for, the three structural
 * decoders (EAN-8, UPC-E, EAN-13) are all on, each symbol is reported as what it is, and the mask filters. */
#define EAN_FAMILY 0x3Fu /* ean8 .. isbn13: codes 1..6 */

const eng_barcode_type_t *eng_barcode_types(size_t *n)
{
    *n = NTYPES;
    return types;
}

const eng_barcode_type_t *eng_barcode_type_findn(const char *name, size_t len)
{
    for (size_t i = 0; i < NTYPES; ++i)
        if (strlen(types[i].name) == len && memcmp(types[i].name, name, len) == 0)
            return &types[i];
    return NULL;
}

const eng_barcode_type_t *eng_barcode_type_by_code(int code)
{
    return code >= 1 && code <= (int)NTYPES ? &types[code - 1] : NULL;
}

char *eng_barcode_type_names(char *buf, size_t len)
{
    size_t off = 0;
    if (len == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < NTYPES && off < len; ++i) {
        int n = snprintf(buf + off, len - off, "%s%s", i > 0 ? ", " : "", types[i].name);
        if (n < 0)
            break;
        off += (size_t)n;
    }
    return buf;
}

static const eng_barcode_type_t *type_of(zbar_symbol_type_t sym)
{
    for (size_t i = 0; i < NTYPES; ++i)
        if (zsyms[i] == sym)
            return &types[i];
    return NULL;
}

/* The page as 8 bpp gray bytes, one byte per pixel, rows contiguous (zbar's Y800). NULL on out-of-memory. */
static unsigned char *gray_bytes(PIX *pix, int *w, int *h)
{
    PIX *g = pixConvertTo8(pix, 0);
    unsigned char *buf = NULL;
    if (g == NULL)
        return NULL;
    *w = pixGetWidth(g);
    *h = pixGetHeight(g);
    if ((buf = malloc((size_t)*w * (size_t)*h)) != NULL) {
        l_uint32 *data = pixGetData(g);
        int wpl = pixGetWpl(g);
        for (int y = 0; y < *h; ++y) {
            const l_uint32 *line = data + (size_t)y * (size_t)wpl;
            unsigned char *row = buf + (size_t)y * (size_t)*w;
            for (int x = 0; x < *w; ++x)
                row[x] = (unsigned char)GET_DATA_BYTE(line, x);
        }
    }
    pixDestroy(&g);
    return buf;
}

/* zbar's points are pixel edges (a bar's right edge is at x + 1; QR corners are estimated and may fall
 * outside the image): the box spans them, clamped to the page. */
static json_t *symbol_json(const zbar_symbol_t *s, const eng_barcode_type_t *t, int w, int h)
{
    unsigned n = zbar_symbol_get_loc_size(s);
    int x0 = w, y0 = h, x1 = 0, y1 = 0;
    for (unsigned i = 0; i < n; ++i) {
        int x = zbar_symbol_get_loc_x(s, i), y = zbar_symbol_get_loc_y(s, i);
        x0 = x < x0 ? x : x0;
        x1 = x > x1 ? x : x1;
        y0 = y < y0 ? y : y0;
        y1 = y > y1 ? y : y1;
    }
    x0 = x0 < 0 ? 0 : x0 >= w ? w - 1 : x0;
    y0 = y0 < 0 ? 0 : y0 >= h ? h - 1 : y0;
    x1 = x1 > w ? w : x1 <= x0 ? x0 + 1 : x1;
    y1 = y1 > h ? h : y1 <= y0 ? y0 + 1 : y1;
    size_t vlen;
    char *value = eng_utf8_repair(zbar_symbol_get_data(s), zbar_symbol_get_data_length(s), &vlen);
    if (value == NULL)
        return NULL;
    zbar_orientation_t o = zbar_symbol_get_orientation(s);
    json_t *j = json_pack("{s:s, s:s%, s:{s:i, s:i, s:i, s:i}, s:o}", "type", t->name, "value", value, vlen,
                          "box", "x", x0, "y", y0, "w", x1 - x0, "h", y1 - y0, "orientation",
                          o >= ZBAR_ORIENT_UP && o <= ZBAR_ORIENT_LEFT ? json_integer((json_int_t)o * 90)
                                                                       : json_null());
    free(value);
    return j;
}

int eng_barcode_detect(struct Pix *pix, unsigned mask, struct json_t **out, char *err, size_t errlen)
{
    zbar_image_scanner_t *sc = NULL;
    zbar_image_t *img = NULL;
    unsigned char *gray = NULL;
    json_t *arr = NULL;
    int w, h, ret = -1;

    eng_global_init(); /* leptonica's warnings off */
    *out = NULL;
    if (pix == NULL) {
        eng__set_err(err, errlen, "Invalid arguments to barcode detection.");
        return -1;
    }
    mask &= ENG_BARCODE_ALL;
    if (mask == 0)
        mask = ENG_BARCODE_ALL;
    if ((gray = gray_bytes(pix, &w, &h)) == NULL || (sc = zbar_image_scanner_create()) == NULL ||
        (img = zbar_image_create()) == NULL || (arr = json_array()) == NULL)
        goto Oom;
    /* Everything off, then the decoders the mask needs; results of types outside the mask are dropped. */
    zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
    for (size_t i = 0; i < NTYPES; ++i)
        if (mask & ENG_BARCODE_BIT(&types[i]))
            zbar_image_scanner_set_config(sc, zsyms[i], ZBAR_CFG_ENABLE, 1);
    if (mask & EAN_FAMILY) {
        zbar_image_scanner_set_config(sc, ZBAR_EAN8, ZBAR_CFG_ENABLE, 1);
        zbar_image_scanner_set_config(sc, ZBAR_UPCE, ZBAR_CFG_ENABLE, 1);
        zbar_image_scanner_set_config(sc, ZBAR_EAN13, ZBAR_CFG_ENABLE, 1);
    }
    zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(img, (unsigned)w, (unsigned)h);
    zbar_image_set_data(img, gray, (unsigned long)w * (unsigned long)h, NULL); /* gray stays ours */
    if (zbar_scan_image(sc, img) < 0) {
        eng__set_err(err, errlen, "Barcode detection failed on this page.");
        goto Exit;
    }
    for (const zbar_symbol_t *s = zbar_image_first_symbol(img); s != NULL; s = zbar_symbol_next(s)) {
        const eng_barcode_type_t *t = type_of(zbar_symbol_get_type(s));
        json_t *j;
        if (t == NULL || !(mask & ENG_BARCODE_BIT(t)))
            continue;
        if ((j = symbol_json(s, t, w, h)) == NULL || json_array_append_new(arr, j) != 0)
            goto Oom;
    }
    *out = arr;
    arr = NULL;
    ret = 0;
    goto Exit;
Oom:
    eng__set_err(err, errlen, "Out of memory while detecting barcodes.");
Exit:
    json_decref(arr);
    if (img != NULL)
        zbar_image_destroy(img);
    if (sc != NULL)
        zbar_image_scanner_destroy(sc);
    free(gray);
    return ret;
}
