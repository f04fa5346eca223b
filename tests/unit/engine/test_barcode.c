/* unit.engine.barcode: barcode detection with zbar on barcodes that zint draws: every type alone, placed on a
 * page beside text (composited onto a copy of phototest.tif), and turned 90 degrees; each must be found with
 * its type and value, inside the place where it was put, and only the types of the mask are reported. Also
 * the type table (names and ownOCR codes). zint missing = skipped with a TAP skip line (ops/install-deps
 * installs it). argv[1] = testdata dir. */
#include "engine/eng_barcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <leptonica/allheaders.h>

#include "tests/unit/tap.h"

static const char *testdata = "tests/data";
static char dir[] = "/tmp/ocrgate-barcode-XXXXXX";

typedef struct {
    const char *type;  /* eng_barcode type name expected */
    const char *zint;  /* zint symbology */
    const char *data;  /* what zint encodes */
    const char *value; /* what the detection must return */
} case_t;

static const case_t cases[] = {
    {"ean8", "EANX", "9638507", "96385074"},
    {"upce", "UPCE", "0123456", "01234565"},
    {"isbn10", "ISBNX", "9780306406157", "0306406152"},
    {"upca", "UPCA", "72527273070", "725272730706"},
    {"ean13", "EANX", "400638133393", "4006381333931"},
    {"isbn13", "ISBNX", "9780306406157", "9780306406157"},
    {"i25", "C25INTER", "12345678", "12345678"},
    {"code39", "CODE39", "OCRGATE-39", "OCRGATE-39"},
    {"qrcode", "QRCODE", "https://example.com/ocrgate?page=1", "https://example.com/ocrgate?page=1"},
    {"code128", "CODE128", "ocrgate-128 Abc", "ocrgate-128 Abc"},
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static unsigned bit(const char *name)
{
    const eng_barcode_type_t *t = eng_barcode_type_findn(name, strlen(name));
    return t != NULL ? ENG_BARCODE_BIT(t) : 0;
}

/* zint's PNG of a case, as 8 bpp gray; NULL if zint failed. */
static PIX *draw(const case_t *c)
{
    char path[512], cmd[1024];
    snprintf(path, sizeof(path), "%s/%s.png", dir, c->type);
    snprintf(cmd, sizeof(cmd), "zint -b %s -d '%s' --scale=2 -o '%s' >/dev/null 2>&1", c->zint, c->data,
             path);
    if (system(cmd) != 0)
        return NULL;
    PIX *p = pixRead(path), *g = p != NULL ? pixConvertTo8(p, 0) : NULL;
    pixDestroy(&p);
    return g;
}

/* The one detection of the page, or NULL; checks count, type and value. */
static json_t *detect_one(PIX *page, unsigned mask, const case_t *c, const char *how)
{
    json_t *arr = NULL;
    char err[256] = "";
    int rc = eng_barcode_detect(page, mask, &arr, err, sizeof(err));
    if (!ok(rc == 0 && json_is_array(arr), "%s %s: detection ran %s", c->type, how, err))
        return NULL;
    json_t *b = json_array_size(arr) == 1 ? json_array_get(arr, 0) : NULL;
    const char *type = json_string_value(json_object_get(b, "type"));
    const char *value = json_string_value(json_object_get(b, "value"));
    if (!ok(b != NULL && type != NULL && strcmp(type, c->type) == 0 && value != NULL &&
                strcmp(value, c->value) == 0,
            "%s %s: found once as %s '%s'", c->type, how, c->type, c->value)) {
        char *s = json_dumps(arr, 0);
        printf("#   got: %s\n", s != NULL ? s : "?");
        free(s);
        json_decref(arr);
        return NULL;
    }
    json_incref(b);
    json_decref(arr);
    return b;
}

/* The box lies inside [x, x+w) x [y, y+h) (give or take 2 pixels: zbar estimates a QR code's corners) and
 * is not degenerate. */
static int box_inside(json_t *b, int x, int y, int w, int h)
{
    json_t *box = json_object_get(b, "box");
    int bx = (int)json_integer_value(json_object_get(box, "x")),
        by = (int)json_integer_value(json_object_get(box, "y"));
    int bw = (int)json_integer_value(json_object_get(box, "w")),
        bh = (int)json_integer_value(json_object_get(box, "h"));
    int inside = bx >= x - 2 && by >= y - 2 && bx + bw <= x + w + 2 && by + bh <= y + h + 2 && bw >= 1 &&
                 bh >= 1 && bw * 3 >= w / 2;
    if (!inside)
        printf("#   box %d,%d %dx%d, placed at %d,%d %dx%d\n", bx, by, bw, bh, x, y, w, h);
    return inside;
}

static void test_table(void)
{
    size_t n;
    const eng_barcode_type_t *t = eng_barcode_types(&n);
    char names[256];
    is_int(n, 10, "ten types");
    for (size_t i = 0; i < n; ++i)
        ok(t[i].code == (int)i + 1 && eng_barcode_type_by_code(t[i].code) == &t[i] &&
               eng_barcode_type_findn(t[i].name, strlen(t[i].name)) == &t[i] &&
               ENG_BARCODE_BIT(&t[i]) == 1u << i,
           "%s: ownOCR code %d, filter bit 0x%x", t[i].name, t[i].code, ENG_BARCODE_BIT(&t[i]));
    is_str(eng_barcode_type_names(names, sizeof(names)),
           "ean8, upce, isbn10, upca, ean13, isbn13, i25, code39, qrcode, code128", "names sentence");
    ok(bit("ean13") == 0x10 && bit("code128") == 0x200 && bit("qrcode") == 0x100, "ownOCR filter bits");
    ok(eng_barcode_type_findn("EAN13", 5) == NULL && eng_barcode_type_findn("ean1", 4) == NULL &&
           eng_barcode_type_by_code(0) == NULL && eng_barcode_type_by_code(11) == NULL,
       "unknown names and codes");
}

int main(int argc, char **argv)
{
    char path[1024], err[256];
    if (argc > 1)
        testdata = argv[1];
    test_table();
    json_t *arr = NULL;
    ok(eng_barcode_detect(NULL, 0, &arr, err, sizeof(err)) == -1 && arr == NULL && err[0] != '\0',
       "NULL page refused: %s", err);

    snprintf(path, sizeof(path), "%s/phototest.tif", testdata);
    PIX *photo1 = pixRead(path), *photo = photo1 != NULL ? pixConvertTo8(photo1, 0) : NULL;
    pixDestroy(&photo1);
    if (!ok(photo != NULL, "phototest.tif read"))
        return done_testing();
    ok(eng_barcode_detect(photo, 0, &arr, err, sizeof(err)) == 0 && json_array_size(arr) == 0,
       "a page of text only: no barcode");
    json_decref(arr);

    if (system("command -v zint >/dev/null 2>&1") != 0 || mkdtemp(dir) == NULL) {
        ok(1, "# SKIP barcodes drawn by zint: zint is not installed");
        pixDestroy(&photo);
        return done_testing();
    }
    for (size_t i = 0; i < NCASES; ++i) {
        const case_t *c = &cases[i];
        PIX *code = draw(c);
        json_t *b;
        if (!ok(code != NULL, "%s: zint draws %s '%s'", c->type, c->zint, c->data))
            continue;
        int cw = pixGetWidth(code), ch = pixGetHeight(code);

        /* Alone, with only its own type asked for. */
        if ((b = detect_one(code, bit(c->type), c, "alone")) != NULL) {
            ok(box_inside(b, 0, 0, cw, ch), "%s alone: box inside the symbol", c->type);
            json_t *o = json_object_get(b, "orientation");
            ok(json_is_integer(o) && json_integer_value(o) == 0, "%s alone: orientation 0", c->type);
            json_decref(b);
        }

        /* On a page beside text, every type asked for (except that an ISBN is the isbn13 the default finds).
         */
        int pw = pixGetWidth(photo), ph = pixGetHeight(photo), x = pw + 40, y = 60;
        PIX *page = pixCreate(x + cw + 40, ph > y + ch + 40 ? ph : y + ch + 40, 8);
        pixSetAll(page);
        pixRasterop(page, 0, 0, pw, ph, PIX_SRC, photo, 0, 0);
        pixRasterop(page, x, y, cw, ch, PIX_SRC, code, 0, 0);
        PIX *before = pixCopy(NULL, page);
        unsigned all = strcmp(c->type, "isbn10") == 0 ? ENG_BARCODE_ALL & ~bit("isbn13") : 0;
        if ((b = detect_one(page, all, c, "on a page beside text")) != NULL) {
            ok(box_inside(b, x, y, cw, ch), "%s on a page: box where it was placed", c->type);
            json_decref(b);
        }
        int same = 0;
        ok(pixEqual(before, page, &same) == 0 && same, "%s: the page is not modified", c->type);

        /* Turned 90 degrees clockwise on the page. */
        PIX *rot = pixRotate90(page, 1);
        if ((b = detect_one(rot, all, c, "turned 90 degrees")) != NULL) {
            int rw = pixGetWidth(rot);
            /* (x, y) of the upright page goes to (rw - 1 - y, x) */
            ok(box_inside(b, rw - y - ch, x, ch, cw), "%s turned: box where it went", c->type);
            json_t *o = json_object_get(b, "orientation");
            ok(json_is_null(o) || json_integer_value(o) == 90 || json_integer_value(o) == 270,
               "%s turned: orientation %s", c->type,
               json_is_null(o)      ? "null"
               : json_is_integer(o) ? "90 or 270"
                                    : "?");
            json_decref(b);
        }

        /* A mask without the type: not reported. */
        unsigned other = ENG_BARCODE_ALL & ~bit(c->type);
        if (strcmp(c->type, "isbn10") == 0 || strcmp(c->type, "isbn13") == 0 || strcmp(c->type, "upca") == 0)
            other &=
                ~(bit("ean13") | bit("isbn10") | bit("isbn13") | bit("upca")); /* one symbol, four names */
        if (strcmp(c->type, "ean13") == 0)
            other &= ~bit("isbn13") & ~bit("isbn10") & ~bit("upca");
        ok(eng_barcode_detect(page, other, &arr, err, sizeof(err)) == 0 && json_array_size(arr) == 0,
           "%s: not reported when the mask leaves it out", c->type);
        if (json_array_size(arr) != 0) {
            char *s = json_dumps(arr, 0);
            printf("#   got: %s\n", s != NULL ? s : "?");
            free(s);
        }
        json_decref(arr);
        pixDestroy(&rot);
        pixDestroy(&before);
        pixDestroy(&page);
        pixDestroy(&code);
    }
    pixDestroy(&photo);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return done_testing();
}
