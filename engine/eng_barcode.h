/*
 * eng_barcode: barcode detection on a page as processed (after rotation and deskew), by zbar. The types are
 * defined once, in eng_barcode_types(): the name in the API (`barcodeTypes`, the result's "type"), and the
 * integer code of the ownOCR API's Barcode Type (EAN8 = 1 ... CODE128 = 10), whose BarcodeFilter bit is
 * 1 << (code - 1); a type mask here uses the same bits, so that the vendor surface maps a filter unchanged.
 *
 * zbar scans every row and every column of the page, so barcodes at 0, 90, 180 and 270 degrees are found.
 * An EAN-13 symbol that is a UPC-A (leading 0) or an ISBN (978/979) is reported as upca, or as isbn13 (isbn10
 * when isbn13 is not asked for), when that type is in the mask, else as ean13; a UPC-E symbol is always upce.
 * A type not in the mask is never reported.
 *
 * Threads: any; each call uses a zbar scanner of its own. The Pix is not modified. The JSON array returned
 * is a new reference the caller json_decref()s.
 */
#ifndef OCRGATE_ENG_BARCODE_H
#define OCRGATE_ENG_BARCODE_H

#include <stddef.h>

struct Pix;
struct json_t;

typedef struct {
    const char *name; /* "ean8", "upce", "isbn10", "upca", "ean13", "isbn13", "i25", "code39", "qrcode",
                         "code128" */
    int code;         /* ownOCR Barcode Type, 1..10; the mask bit is 1u << (code - 1) */
} eng_barcode_type_t;

#define ENG_BARCODE_BIT(t) (1u << ((t)->code - 1))
#define ENG_BARCODE_ALL 0x3FFu /* every type; a mask of 0 means the same (BarcodeFilter 0 = all) */

/* The table in code order; *n receives its length. */
const eng_barcode_type_t *eng_barcode_types(size_t *n);
/* The row named name[0..len) (exact, case-sensitive), or NULL. */
const eng_barcode_type_t *eng_barcode_type_findn(const char *name, size_t len);
/* The row of an ownOCR type code, or NULL. */
const eng_barcode_type_t *eng_barcode_type_by_code(int code);
/* Writes "ean8, upce, ..., code128" into buf (for error sentences). Returns buf. */
char *eng_barcode_type_names(char *buf, size_t len);

/* Finds the barcodes of the types in mask (0 = all) on pix (any depth). On success *out is a JSON array,
 * in zbar's order, of {"type": name, "value": UTF-8 text (ill-formed bytes as U+FFFD), "box":
 * {"x","y","w","h"} (the bounding box of the points where zbar read the symbol, in page pixels),
 * "orientation": 0, 90, 180 or 270 (degrees clockwise the symbol is turned from upright; null when zbar
 * cannot tell)}; [] when none. On failure *out is NULL and err holds a sentence. Cost: tens of ms on a 300
 * dpi letter page. */
__attribute__((warn_unused_result)) int eng_barcode_detect(struct Pix *pix, unsigned mask,
                                                           struct json_t **out, char *err, size_t errlen);

#endif
