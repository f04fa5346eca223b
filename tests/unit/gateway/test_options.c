#include "gateway/gw_options.h"

#include <stdlib.h>

#include "tests/unit/tap.h"

static const char *const installed[] = {"eng", "deu", "fra"};
static const gw_opt_limits_t lim = {30, 60000, installed, 3};
static const char *const skip[] = {"template", NULL};
static const char *const extra_name[] = {"name", NULL};

#define DEFAULTS                                                                                             \
    "{\"languages\":\"eng\",\"outputs\":[\"text\",\"json\",\"hocr\",\"pdf\"],\"autostart\":true,"            \
    "\"retentionDays\":7,\"correlationId\":null,\"description\":null,\"deskew\":false,\"autoRotate\":false," \
    "\"binarize\":false,\"despeckle\":false,\"removeBorder\":false,\"removeColorNoise\":false,"              \
    "\"removeHalftone\":false,"                                                                              \
    "\"removeHolePunch\":false,\"improveText\":false,\"deskewAdjustPaperSize\":false,\"deleteBlankPages\":"  \
    "false,"                                                                                                 \
    "\"blankPageMaxNoise\":0.02,\"minConfidence\":0,\"dpi\":null,\"pageSegMode\":\"auto\",\"fastMode\":"     \
    "false,"                                                                                                 \
    "\"pageTimeoutMs\":60000,\"maxParallelPages\":0,\"pdfTitle\":null,"                                      \
    "\"pdfAuthor\":null,\"pdfSubject\":null,\"pdfKeywords\":null,\"pdfTextPolicy\":\"ocr\",\"pages\":null,"  \
    "\"detectBarcodes\":false,\"barcodeTypes\":[\"ean8\",\"upce\",\"isbn10\",\"upca\",\"ean13\",\"isbn13\"," \
    "\"i25\",\"code39\",\"qrcode\",\"code128\"]}"

/* Compact JSON text in the object's own key order (so that order is checked too); static, overwritten. */
static const char *dump(const json_t *j)
{
    static char buf[8192];
    if (j == NULL)
        return "(null)";
    size_t n = json_dumpb(j, buf, sizeof(buf) - 1, JSON_COMPACT | JSON_ENCODE_ANY);
    buf[n < sizeof(buf) ? n : 0] = '\0';
    return buf;
}

static const char *dump_key(const json_t *j, const char *key)
{
    const json_t *v = json_object_get(j, key);
    return v != NULL ? dump(v) : "(absent)";
}

static int from_json(const char *text, const json_t *base, json_t **out, gw_opt_error_t *err)
{
    *out = NULL;
    return gw_options_from_json(text, strlen(text), NULL, base, &lim, out, NULL, err);
}

static int from_query(const char *qs, const json_t *base, json_t **out, gw_opt_error_t *err)
{
    gw_query_t q;
    char qerr[256];
    *out = NULL;
    if (gw_query_parse(qs, strlen(qs), &q, qerr, sizeof(qerr)) != 0) {
        printf("# query did not parse: %s\n", qerr);
        return -2;
    }
    int r = gw_options_from_query(&q, skip, base, &lim, out, err);
    gw_query_free(&q);
    return r;
}

static const char *detail(const gw_opt_error_t *err, size_t i, const char *key)
{
    const json_t *d = json_array_get(err->details, i);
    return d != NULL ? json_string_value(json_object_get(d, key)) : NULL;
}

/* Expects one InvalidInput (or other code) problem on `field` with `msg`. */
static void expect_error(int r, gw_opt_error_t *err, const char *code, const char *field, const char *msg,
                         const char *what)
{
    char name[512];
    snprintf(name, sizeof(name), "%s: refused", what);
    is_int(r, -1, name);
    if (r != -1)
        return;
    snprintf(name, sizeof(name), "%s: status 400 %s", what, code);
    ok(err->status == 400 && strcmp(err->code, code) == 0, "%s", name);
    snprintf(name, sizeof(name), "%s: message", what);
    is_str(err->message, msg, name);
    if (field != NULL) {
        snprintf(name, sizeof(name), "%s: one detail", what);
        is_int(json_array_size(err->details), 1, name);
        snprintf(name, sizeof(name), "%s: detail field", what);
        is_str(detail(err, 0, "field"), field, name);
        snprintf(name, sizeof(name), "%s: detail message", what);
        is_str(detail(err, 0, "message"), msg, name);
    } else {
        snprintf(name, sizeof(name), "%s: no details", what);
        ok(err->details == NULL, "%s", name);
    }
    gw_opt_error_clear(err);
}

static void test_defaults(void)
{
    json_t *d = gw_options_defaults(&lim), *out;
    gw_opt_error_t err;
    is_str(dump(d), DEFAULTS, "defaults: every option, table order");
    json_decref(d);

    is_int(from_json("{}", NULL, &out, &err), 0, "{} is accepted");
    is_str(dump(out), DEFAULTS, "{} gives the defaults");
    json_decref(out);
    is_int(from_query("", NULL, &out, &err), 0, "empty query is accepted");
    is_str(dump(out), DEFAULTS, "empty query gives the defaults");
    json_decref(out);
    is_int(from_query("template=abc", NULL, &out, &err), 0, "skipped keys are not options");
    is_str(dump(out), DEFAULTS, "skipped key ignored");
    json_decref(out);

    gw_opt_limits_t small = lim;
    small.max_retention_days = 3;
    small.max_page_timeout_ms = 5000;
    d = gw_options_defaults(&small);
    is_str(dump_key(d, "retentionDays"), "3", "retention default capped by the tier's maximum");
    is_str(dump_key(d, "pageTimeoutMs"), "5000", "page timeout default is the tier's");
    json_decref(d);
}

static void test_valid_json(void)
{
    static char utf8_256[257], ascii_256[257];
    for (int i = 0; i < 128; ++i)
        memcpy(utf8_256 + 2 * i, "\xc3\xa9", 2); /* é: 128 of them are 256 bytes */
    memset(ascii_256, 'a', 256);
    static const struct {
        const char *key, *value, *want; /* want NULL: same as value */
    } cases[] = {
        {"languages", "\"deu\"", NULL},
        {"languages", "\"eng+deu+fra\"", NULL},
        {"languages", "\"fra+eng\"", NULL}, /* order matters to tesseract: kept */
        {"outputs", "[\"alto\",\"text\"]", "[\"text\",\"alto\"]"},
        {"outputs", "[\"alto\",\"tsv\",\"pdf\",\"hocr\",\"json\",\"text\"]",
         "[\"text\",\"json\",\"hocr\",\"pdf\",\"tsv\",\"alto\"]"},
        {"outputs", "[\"tsv\"]", NULL},
        {"outputs", "[\"mht\",\"docx\",\"text\"]", "[\"text\",\"docx\",\"mht\"]"},
        {"barcodeTypes", "[\"qrcode\",\"ean13\"]", "[\"ean13\",\"qrcode\"]"},
        {"pages", "\"1-3,5,8-\"", NULL},
        {"pages", "\" 2 \"", NULL},
        {"detectBarcodes", "true", NULL},
        {"blankPageMaxNoise", "0.01", NULL},
        {"blankPageMaxNoise", "100", "100.0"},
        {"blankPageMaxNoise", "1.5", NULL},
        {"autostart", "false", NULL},
        {"autostart", "true", NULL},
        {"retentionDays", "1", NULL},
        {"retentionDays", "30", NULL},
        {"correlationId", "\"order-4711\"", NULL},
        {"correlationId", "\"\\u00fcber \\u4e2d\"",
         "\"\xc3\xbc"
         "ber \xe4\xb8\xad\""},
        {"description", "\"line one\\n\\tline two\"", NULL},
        {"deskew", "false", NULL},
        {"autoRotate", "false", NULL},
        {"binarize", "false", NULL},
        {"despeckle", "false", NULL},
        {"removeBorder", "false", NULL},
        {"deleteBlankPages", "false", NULL},
        {"minConfidence", "0", NULL},
        {"minConfidence", "100", NULL},
        {"dpi", "70", NULL},
        {"dpi", "1200", NULL},
        {"dpi", "300", NULL},
        {"pageSegMode", "\"auto\"", NULL},
        {"pageSegMode", "\"single_block\"", NULL},
        {"pageSegMode", "\"single_column\"", NULL},
        {"pageSegMode", "\"sparse\"", NULL},
        {"pageTimeoutMs", "1", NULL},
        {"pageTimeoutMs", "60000", NULL},
        {"pdfTitle", "\"Annual report\"", NULL},
        {"pdfAuthor", "\"A. Author\"", NULL},
        {"pdfSubject", "\"Subject\"", NULL},
        {"pdfKeywords", "\"a, b, c\"", NULL},
        {"pdfTextPolicy", "\"ocr\"", NULL},
        {"pdfTextPolicy", "\"skipTextPages\"", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        char text[512], name[600];
        json_t *out;
        gw_opt_error_t err;
        snprintf(text, sizeof(text), "{\"%s\": %s}", cases[i].key, cases[i].value);
        int r = from_json(text, NULL, &out, &err);
        snprintf(name, sizeof(name), "json %s accepted", text);
        if (!ok(r == 0, "%s", name)) {
            printf("#   %s\n", err.message);
            gw_opt_error_clear(&err);
            continue;
        }
        snprintf(name, sizeof(name), "json %s normalized", text);
        is_str(dump_key(out, cases[i].key), cases[i].want != NULL ? cases[i].want : cases[i].value, name);
        is_int(json_object_size(out), JOB_OPT_COUNT, "all options present");
        json_decref(out);
    }

    /* String limits count UTF-8 bytes. */
    const char *keys[] = {"correlationId", "description", "pdfTitle",
                          "pdfAuthor",     "pdfSubject",  "pdfKeywords"};
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); ++k) {
        const char *vals[] = {utf8_256, ascii_256};
        for (int v = 0; v < 2; ++v) {
            json_t *o = json_pack("{s:s}", keys[k], vals[v]), *out;
            gw_opt_error_t err;
            char name[128];
            snprintf(name, sizeof(name), "%s of 256 bytes accepted (%s)", keys[k],
                     v ? "ASCII" : "2-byte UTF-8");
            is_int(gw_options_from_object(o, NULL, NULL, &lim, &out, NULL, &err), 0, name);
            is_str(json_string_value(json_object_get(out, keys[k])), vals[v], "value kept");
            json_decref(out);
            json_decref(o);
        }
    }

    /* Eight languages is the maximum. */
    static const char *const many[] = {"l1", "l2", "l3", "l4", "l5", "l6", "l7", "l8", "l9"};
    gw_opt_limits_t l9 = lim;
    l9.languages = many;
    l9.nlanguages = 9;
    json_t *out;
    gw_opt_error_t err;
    const char *eight = "{\"languages\": \"l1+l2+l3+l4+l5+l6+l7+l8\"}";
    is_int(gw_options_from_json(eight, strlen(eight), NULL, NULL, &l9, &out, NULL, &err), 0,
           "eight languages");
    json_decref(out);
    const char *nine = "{\"languages\": \"l1+l2+l3+l4+l5+l6+l7+l8+l9\"}";
    expect_error(gw_options_from_json(nine, strlen(nine), NULL, NULL, &l9, &out, NULL, &err), &err,
                 "InvalidInput", "languages", "languages may name at most 8 languages", "nine languages");

    /* Cleanup options may be true. */
    gw_opt_limits_t cl = lim;
    const char *all = "{\"deskew\":true,\"autoRotate\":true,\"binarize\":true,\"despeckle\":true,"
                      "\"removeBorder\":true,\"deleteBlankPages\":true}";
    is_int(gw_options_from_json(all, strlen(all), NULL, NULL, &cl, &out, NULL, &err), 0, "cleanup options");
    is_str(dump_key(out, "deleteBlankPages"), "true", "cleanup value kept");
    json_decref(out);
}

static void test_invalid_json(void)
{
    char long_ascii[300], long_utf8[300];
    memset(long_ascii, 'a', 257);
    long_ascii[257] = '\0';
    for (int i = 0; i < 129; ++i)
        memcpy(long_utf8 + 2 * i, "\xc3\xa9", 2);
    long_utf8[258] = '\0';
    static const struct {
        const char *key, *value, *msg;
    } cases[] = {
        {"languages", "\"xx\"", "languages: 'xx' is not installed (installed: eng, deu, fra)"},
        {"barcodeTypes", "[]",
         "barcodeTypes must be a non-empty array of types from ean8, upce, isbn10, upca, ean13, isbn13, i25, "
         "code39, qrcode, code128"},
        {"barcodeTypes", "[\"ean\"]",
         "barcodeTypes: 'ean' is not a barcode type (ean8, upce, isbn10, upca, ean13, isbn13, i25, code39, "
         "qrcode, code128)"},
        {"barcodeTypes", "[\"i25\",\"i25\"]", "barcodeTypes lists 'i25' more than once"},
        {"pages", "\"1-3,,5\"", "The pages option '1-3,,5' has an empty part at position 5."},
        {"pages", "3", "pages must be a string such as \"1-3,5,8-\""},
        {"detectBarcodes", "1", "detectBarcodes must be true or false"},
        {"blankPageMaxNoise", "0", "blankPageMaxNoise must be a number between 0.01 and 100"},
        {"blankPageMaxNoise", "100.5", "blankPageMaxNoise must be a number between 0.01 and 100"},
        {"blankPageMaxNoise", "\"1\"", "blankPageMaxNoise must be a number between 0.01 and 100"},
        {"languages", "\"osd\"", "languages: 'osd' is not installed (installed: eng, deu, fra)"},
        {"languages", "\"eng+xx\"", "languages: 'xx' is not installed (installed: eng, deu, fra)"},
        {"languages", "\"ENG\"", "languages: 'ENG' is not installed (installed: eng, deu, fra)"},
        {"languages", "\"\"", "languages must be language codes joined by '+', such as \"eng+deu\""},
        {"languages", "\"eng+\"", "languages must be language codes joined by '+', such as \"eng+deu\""},
        {"languages", "\"+eng\"", "languages must be language codes joined by '+', such as \"eng+deu\""},
        {"languages", "\"eng++deu\"", "languages must be language codes joined by '+', such as \"eng+deu\""},
        {"languages", "\"eng+deu+eng\"", "languages names 'eng' more than once"},
        {"languages", "5", "languages must be a string such as \"eng\" or \"eng+deu\""},
        {"languages", "[\"eng\"]", "languages must be a string such as \"eng\" or \"eng+deu\""},
        {"outputs", "[]",
         "outputs must be a non-empty array of formats from text, json, hocr, pdf, tsv, alto, docx, odt, "
         "rtf, epub, mht"},
        {"outputs", "\"text\"",
         "outputs must be a non-empty array of formats from text, json, hocr, pdf, tsv, alto, docx, odt, "
         "rtf, epub, mht"},
        {"outputs", "[1]",
         "outputs must be a non-empty array of formats from text, json, hocr, pdf, tsv, alto, docx, odt, "
         "rtf, epub, mht"},
        {"outputs", "{}",
         "outputs must be a non-empty array of formats from text, json, hocr, pdf, tsv, alto, docx, odt, "
         "rtf, epub, mht"},
        {"outputs", "[\"txt\"]",
         "outputs: 'txt' is not a result format (text, json, hocr, pdf, tsv, alto, docx, odt, rtf, epub, "
         "mht)"},
        {"outputs", "[\"TEXT\"]",
         "outputs: 'TEXT' is not a result format (text, json, hocr, pdf, tsv, alto, docx, odt, rtf, epub, "
         "mht)"},
        {"outputs", "[\"text\",\"pdf\",\"text\"]", "outputs lists 'text' more than once"},
        {"autostart", "\"true\"", "autostart must be true or false"},
        {"autostart", "1", "autostart must be true or false"},
        {"retentionDays", "0", "retentionDays must be an integer between 1 and 30"},
        {"retentionDays", "31", "retentionDays must be an integer between 1 and 30"},
        {"retentionDays", "-1", "retentionDays must be an integer between 1 and 30"},
        {"retentionDays", "\"5\"", "retentionDays must be an integer between 1 and 30"},
        {"retentionDays", "5.0", "retentionDays must be an integer between 1 and 30"},
        {"retentionDays", "7.5", "retentionDays must be an integer between 1 and 30"},
        {"retentionDays", "1e1", "retentionDays must be an integer between 1 and 30"},
        {"retentionDays", "true", "retentionDays must be an integer between 1 and 30"},
        {"retentionDays", "9223372036854775807", "retentionDays must be an integer between 1 and 30"},
        {"correlationId", "\"\"", "correlationId must not be empty (use null to clear it)"},
        {"correlationId", "\"a\\nb\"", "correlationId must not contain control characters"},
        {"correlationId", "\"a\\tb\"", "correlationId must not contain control characters"},
        {"correlationId", "\"a\\u007fb\"", "correlationId must not contain control characters"},
        {"correlationId", "5", "correlationId must be a string of at most 256 bytes"},
        {"correlationId", "[]", "correlationId must be a string of at most 256 bytes"},
        {"description", "\"a\\rb\"",
         "description must not contain control characters other than tab and newline"},
        {"description", "\"a\\u0001b\"",
         "description must not contain control characters other than tab and newline"},
        {"deskew", "\"yes\"", "deskew must be true or false"},
        {"deskew", "0", "deskew must be true or false"},
        {"minConfidence", "-1", "minConfidence must be an integer between 0 and 100"},
        {"minConfidence", "101", "minConfidence must be an integer between 0 and 100"},
        {"minConfidence", "50.5", "minConfidence must be an integer between 0 and 100"},
        {"dpi", "69", "dpi must be an integer between 70 and 1200"},
        {"dpi", "1201", "dpi must be an integer between 70 and 1200"},
        {"dpi", "\"300\"", "dpi must be an integer between 70 and 1200"},
        {"pageSegMode", "\"Auto\"", "pageSegMode must be one of auto, single_block, single_column, sparse"},
        {"pageSegMode", "\"\"", "pageSegMode must be one of auto, single_block, single_column, sparse"},
        {"pageSegMode", "3", "pageSegMode must be one of auto, single_block, single_column, sparse"},
        {"pageSegMode", "\"auto\\u0000x\"",
         "pageSegMode must be one of auto, single_block, single_column, sparse"},
        {"pageTimeoutMs", "0", "pageTimeoutMs must be an integer between 1 and 60000"},
        {"pageTimeoutMs", "60001", "pageTimeoutMs must be an integer between 1 and 60000"},
        {"pdfTitle", "\"a\\u001fb\"", "pdfTitle must not contain control characters"},
        {"pdfAuthor", "false", "pdfAuthor must be a string of at most 256 bytes"},
        {"pdfSubject", "\"\"", "pdfSubject must not be empty (use null to clear it)"},
        {"pdfKeywords", "{}", "pdfKeywords must be a string of at most 256 bytes"},
        {"pdfTextPolicy", "\"skip\"", "pdfTextPolicy must be one of ocr, skipTextPages"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        char text[512];
        json_t *out = NULL;
        gw_opt_error_t err;
        snprintf(text, sizeof(text), "{\"%s\": %s}", cases[i].key, cases[i].value);
        /* \u0000 needs JSON_ALLOW_NUL, which the parser does not set: go through an object for that one. */
        if (strstr(text, "\\u0000") != NULL) {
            json_t *o = json_object();
            json_object_set_new(o, cases[i].key, json_stringn("auto\0x", 6));
            expect_error(gw_options_from_object(o, NULL, NULL, &lim, &out, NULL, &err), &err, "InvalidInput",
                         cases[i].key, cases[i].msg, text);
            json_decref(o);
        } else {
            expect_error(from_json(text, NULL, &out, &err), &err, "InvalidInput", cases[i].key, cases[i].msg,
                         text);
        }
        ok(out == NULL, "nothing returned on failure");
    }

    const char *keys[] = {"correlationId", "description", "pdfTitle",
                          "pdfAuthor",     "pdfSubject",  "pdfKeywords"};
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); ++k) {
        const char *vals[] = {long_ascii, long_utf8};
        for (int v = 0; v < 2; ++v) {
            json_t *o = json_pack("{s:s}", keys[k], vals[v]), *out;
            gw_opt_error_t err;
            char msg[128], name[128];
            snprintf(msg, sizeof(msg), "%s must be at most 256 bytes of UTF-8", keys[k]);
            snprintf(name, sizeof(name), "%s over 256 bytes (%s)", keys[k], v ? "2-byte UTF-8" : "ASCII");
            expect_error(gw_options_from_object(o, NULL, NULL, &lim, &out, NULL, &err), &err, "InvalidInput",
                         keys[k], msg, name);
            json_decref(o);
        }
    }

    /* Strings from a caller-built object are checked for UTF-8 too. */
    json_t *o = json_object(), *out;
    gw_opt_error_t err;
    json_object_set_new(o, "pdfTitle", json_stringn_nocheck("\xff\xfe", 2));
    expect_error(gw_options_from_object(o, NULL, NULL, &lim, &out, NULL, &err), &err, "InvalidInput",
                 "pdfTitle", "pdfTitle must be valid UTF-8 text", "invalid UTF-8 in an object");
    json_decref(o);

    /* Every bad field is reported, in the order given; the message is the first one. */
    const char *multi =
        "{\"retentionDays\": 0, \"languages\": \"eng\", \"dpi\": 5, \"outputs\": [], \"deskew\": \"yes\"}";
    is_int(from_json(multi, NULL, &out, &err), -1, "several bad fields refused");
    is_str(err.code, "InvalidInput", "several: InvalidInput");
    is_str(err.message, "retentionDays must be an integer between 1 and 30", "several: message is the first");
    is_int(json_array_size(err.details), 4, "several: one detail per bad field");
    is_str(detail(&err, 0, "field"), "retentionDays", "detail 0");
    is_str(detail(&err, 1, "field"), "dpi", "detail 1");
    is_str(detail(&err, 1, "message"), "dpi must be an integer between 70 and 1200", "detail 1 message");
    is_str(detail(&err, 2, "field"), "outputs", "detail 2");
    is_str(detail(&err, 3, "field"), "deskew", "detail 3");
    gw_opt_error_clear(&err);
    ok(err.details == NULL, "clear releases the details");
    gw_opt_error_clear(&err);
}

static void test_unknown_and_malformed(void)
{
    json_t *out = NULL;
    gw_opt_error_t err;

    expect_error(from_json("{\"foo\": 1}", NULL, &out, &err), &err, "UnrecognizedInput", "foo",
                 "unknown option 'foo'", "unknown name");
    expect_error(from_json("{\"retentiondays\": 3}", NULL, &out, &err), &err, "UnrecognizedInput",
                 "retentiondays", "unknown option 'retentiondays' (did you mean 'retentionDays'?)",
                 "case mistake gets a hint");
    expect_error(from_json("{\"name\": \"x\"}", NULL, &out, &err), &err, "UnrecognizedInput", "name",
                 "unknown option 'name'", "extra keys are unknown unless allowed");

    /* Unknown names win over bad values and every one is listed. */
    const char *t = "{\"foo\": 1, \"dpi\": 5, \"bar\": 2, \"baz\": null}";
    is_int(from_json(t, NULL, &out, &err), -1, "several unknown names");
    is_str(err.code, "UnrecognizedInput", "several unknown: UnrecognizedInput");
    is_str(err.message, "unknown option 'foo' (and 2 more unknown options)", "several unknown: message");
    is_int(json_array_size(err.details), 3, "several unknown: all listed");
    is_str(detail(&err, 0, "field"), "foo", "unknown 0");
    is_str(detail(&err, 1, "field"), "bar", "unknown 1");
    is_str(detail(&err, 2, "field"), "baz", "unknown 2");
    is_str(detail(&err, 2, "message"), "unknown option 'baz'", "unknown 2 message");
    gw_opt_error_clear(&err);
    t = "{\"foo\": 1, \"bar\": 2}";
    is_int(from_json(t, NULL, &out, &err), -1, "two unknown names");
    is_str(err.message, "unknown option 'foo' (and 1 more unknown option)", "two unknown: message");
    gw_opt_error_clear(&err);

    /* Long or odd names are echoed short and printable. */
    t = "{\"\\u00fcber-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": 1}";
    expect_error(from_json(t, NULL, &out, &err), &err, "UnrecognizedInput",
                 "?\?ber-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...",
                 "unknown option '?\?ber-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'", "odd name echoed safely");

    expect_error(
        from_json("", NULL, &out, &err), &err, "MissingInput", NULL,
        "the options are empty: send a JSON object such as {\"languages\": \"eng\"}, or {} for the defaults",
        "empty text");
    expect_error(
        from_json(" \r\n\t", NULL, &out, &err), &err, "MissingInput", NULL,
        "the options are empty: send a JSON object such as {\"languages\": \"eng\"}, or {} for the defaults",
        "blank text");
    static const char *const malformed[] = {"{",
                                            "{\"dpi\": }",
                                            "dpi=300",
                                            "{\"a\":1} x",
                                            "{\"dpi\":300,}",
                                            "{\"x\": \"\xff\"}",
                                            "\xef\xbb\xbf{}"};
    for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); ++i) {
        char name[128];
        snprintf(name, sizeof(name), "malformed #%zu refused", i);
        is_int(from_json(malformed[i], NULL, &out, &err), -1, name);
        is_str(err.code, "MalformedJson", "MalformedJson");
        ok(strncmp(err.message, "the options are not valid JSON: ", 32) == 0 &&
               strstr(err.message, "(line 1, column ") != NULL,
           "message has jansson's reason and position: %s", err.message);
        json_t *m = json_string(err.message);
        ok(m != NULL, "message is valid UTF-8");
        json_decref(m);
        ok(err.details == NULL, "no details");
        gw_opt_error_clear(&err);
    }
    is_int(from_json("{\"dpi\":\n  x}", NULL, &out, &err), -1, "position");
    ok(strstr(err.message, "(line 2, column ") != NULL, "line 2 named: %s", err.message);
    gw_opt_error_clear(&err);
    expect_error(from_json("{\"dpi\": 300, \"dpi\": 400}", NULL, &out, &err), &err, "MalformedJson", NULL,
                 "the options are not valid JSON: duplicate object key near '\"dpi\"' (line 1, column 18)",
                 "duplicate key");
    static const char *const not_object[] = {"[]", "[{}]", "\"x\"", "5", "null", "true"};
    for (size_t i = 0; i < sizeof(not_object) / sizeof(not_object[0]); ++i) {
        int r =
            gw_options_from_json(not_object[i], strlen(not_object[i]), NULL, NULL, &lim, &out, NULL, &err);
        char name[128];
        snprintf(name, sizeof(name), "JSON %s is not an object", not_object[i]);
        /* jansson refuses a bare scalar at top level itself; either way the answer is MalformedJson. */
        ok(r == -1 && strcmp(err.code, "MalformedJson") == 0, "%s", name);
        gw_opt_error_clear(&err);
    }
    expect_error(gw_options_from_json("[]", 2, NULL, NULL, &lim, &out, NULL, &err), &err, "MalformedJson",
                 NULL, "the options must be a JSON object", "array message");
    expect_error(gw_options_from_object(NULL, NULL, NULL, &lim, &out, NULL, &err), &err, "MalformedJson",
                 NULL, "the options must be a JSON object", "NULL object");
    /* Length is honoured: text past len is not read. */
    is_int(gw_options_from_json("{}garbage", 2, NULL, NULL, &lim, &out, NULL, &err), 0,
           "len bounds the text");
    json_decref(out);
}

static void test_null_base_extra(void)
{
    json_t *out, *out2, *ex;
    gw_opt_error_t err;

    /* Null resets to the default, also over a base. */
    json_t *base = json_pack("{s:i,s:s,s:[s],s:s,s:i}", "retentionDays", 14, "languages", "deu", "outputs",
                             "pdf", "description", "from the template", "dpi", 200);
    is_int(from_json("{\"retentionDays\": null, \"description\": null, \"dpi\": null}", base, &out, &err), 0,
           "nulls accepted");
    is_str(dump_key(out, "retentionDays"), "7", "null resets retentionDays to the default");
    is_str(dump_key(out, "description"), "null", "null clears description");
    is_str(dump_key(out, "dpi"), "null", "null resets dpi");
    is_str(dump_key(out, "languages"), "\"deu\"", "base value kept");
    is_str(dump_key(out, "outputs"), "[\"pdf\"]", "base outputs kept");
    json_decref(out);

    /* Template semantics: given keys override the base, the rest comes from the base, then the defaults. */
    is_int(from_json("{\"description\": \"mine\", \"outputs\": [\"text\"]}", base, &out, &err), 0,
           "override");
    is_str(dump_key(out, "description"), "\"mine\"", "given key overrides the base");
    is_str(dump_key(out, "outputs"), "[\"text\"]", "given outputs override");
    is_str(dump_key(out, "retentionDays"), "14", "base retentionDays kept");
    is_str(dump_key(out, "pageSegMode"), "\"auto\"", "key missing from base gets the default");
    is_int(json_object_size(out), JOB_OPT_COUNT, "every option present");
    ok(json_object_get(base, "pageSegMode") == NULL, "base not modified");

    /* PATCH semantics: a job's stored options are the base of the next change. */
    is_int(from_query("dpi=600&autostart=false", out, &out2, &err), 0, "patch over stored options");
    is_str(dump_key(out2, "description"), "\"mine\"", "earlier change kept");
    is_str(dump_key(out2, "dpi"), "600", "new change applied");
    is_str(dump_key(out2, "autostart"), "false", "new bool applied");
    json_decref(out2);
    is_int(from_json("{}", out, &out2, &err), 0, "empty patch");
    ok(json_equal(out, out2), "empty patch changes nothing");
    ok(out != out2, "result is a new object");
    json_decref(out2);
    json_decref(out);

    /* Keys are in table order whatever the input's order; unknown base keys are dropped. */
    json_t *odd = json_pack("{s:s,s:i}", "bogus", "x", "minConfidence", 40);
    is_int(from_json("{\"pdfTextPolicy\": \"skipTextPages\", \"languages\": \"fra\"}", odd, &out, &err), 0,
           "order");
    const char *first = json_object_iter_key(json_object_iter(out));
    is_str(first, "languages", "first key is languages");
    ok(json_object_get(out, "bogus") == NULL, "unknown base key not copied");
    is_str(dump_key(out, "minConfidence"), "40", "base value kept");
    json_decref(out);
    json_decref(odd);

    /* Extra keys (templates' name): allowed, copied out, not in the options. */
    const char *t = "{\"name\": \"invoices\", \"dpi\": 300}";
    is_int(gw_options_from_json(t, strlen(t), extra_name, NULL, &lim, &out, &ex, &err), 0,
           "extra key allowed");
    is_str(dump(ex), "{\"name\":\"invoices\"}", "extra copied out");
    ok(json_object_get(out, "name") == NULL, "extra key is not an option");
    is_str(dump_key(out, "dpi"), "300", "options still read");
    json_decref(out);
    json_decref(ex);
    is_int(gw_options_from_json("{}", 2, extra_name, NULL, &lim, &out, &ex, &err), 0, "extra absent");
    is_str(dump(ex), "{}", "extra_out empty object");
    json_decref(out);
    json_decref(ex);
    is_int(gw_options_from_json(t, strlen(t), extra_name, NULL, &lim, &out, NULL, &err), 0,
           "extra_out may be NULL");
    json_decref(out);
    t = "{\"name\": 5, \"dpi\": 1}";
    is_int(gw_options_from_json(t, strlen(t), extra_name, NULL, &lim, &out, &ex, &err), -1,
           "bad option with extra");
    is_str(err.message, "dpi must be an integer between 70 and 1200",
           "extra's value is the caller's to check");
    gw_opt_error_clear(&err);
    json_decref(base);
}

static void test_query(void)
{
    json_t *out;
    gw_opt_error_t err;
    const char *q = "languages=eng%2Bdeu&outputs=pdf,text&autostart=false&retentionDays=30&dpi=300"
                    "&description=a%0Ab&correlationId=x+y&minConfidence=07&template=abc&pageSegMode=sparse"
                    "&pdfTextPolicy=skipTextPages&deskew=false&pageTimeoutMs=1";
    is_int(from_query(q, NULL, &out, &err), 0, "query options accepted");
    is_str(
        dump(out),
        "{\"languages\":\"eng+deu\",\"outputs\":[\"text\",\"pdf\"],\"autostart\":false,\"retentionDays\":30,"
        "\"correlationId\":\"x y\",\"description\":\"a\\nb\",\"deskew\":false,\"autoRotate\":false,"
        "\"binarize\":false,\"despeckle\":false,\"removeBorder\":false,\"removeColorNoise\":false,"
        "\"removeHalftone\":false,"
        "\"removeHolePunch\":false,\"improveText\":false,\"deskewAdjustPaperSize\":false,"
        "\"deleteBlankPages\":false,"
        "\"blankPageMaxNoise\":0.02,\"minConfidence\":7,\"dpi\":300,\"pageSegMode\":\"sparse\",\"fastMode\":"
        "false,"
        "\"pageTimeoutMs\":1,\"maxParallelPages\":0,\"pdfTitle\":null,\"pdfAuthor\":null,\"pdfSubject\":null,"
        "\"pdfKeywords\":null,"
        "\"pdfTextPolicy\":\"skipTextPages\",\"pages\":null,\"detectBarcodes\":false,\"barcodeTypes\":"
        "[\"ean8\",\"upce\",\"isbn10\",\"upca\",\"ean13\",\"isbn13\",\"i25\",\"code39\",\"qrcode\","
        "\"code128\"]}",
        "query values typed and normalized");
    json_decref(out);
    is_int(from_query("outputs=alto,json,text", NULL, &out, &err), 0, "outputs list");
    is_str(dump_key(out, "outputs"), "[\"text\",\"json\",\"alto\"]", "canonical order from a query");
    json_decref(out);
    is_int(from_query("barcodeTypes=code128,ean8&detectBarcodes=true&pages=2-&blankPageMaxNoise=0.5", NULL,
                      &out, &err),
           0, "barcode, pages and blank options from a query");
    is_str(dump_key(out, "barcodeTypes"), "[\"ean8\",\"code128\"]",
           "barcodeTypes in the types table's order");
    is_str(dump_key(out, "pages"), "\"2-\"", "pages kept as given");
    is_str(dump_key(out, "blankPageMaxNoise"), "0.5", "blankPageMaxNoise a number");
    json_decref(out);

    static const struct {
        const char *q, *field, *msg;
    } bad[] = {
        {"retentionDays=7x", "retentionDays", "retentionDays must be an integer between 1 and 30"},
        {"blankPageMaxNoise=1e1", "blankPageMaxNoise",
         "blankPageMaxNoise must be a number between 0.01 and 100"},
        {"blankPageMaxNoise=1..2", "blankPageMaxNoise",
         "blankPageMaxNoise must be a number between 0.01 and 100"},
        {"blankPageMaxNoise=-1", "blankPageMaxNoise",
         "blankPageMaxNoise must be a number between 0.01 and 100"},
        {"pages=0-2", "pages", "The pages option '0-2' names page 0; pages are numbered from 1."},
        {"barcodeTypes=ean13,", "barcodeTypes",
         "barcodeTypes: '' is not a barcode type (ean8, upce, isbn10, upca, ean13, isbn13, i25, code39, "
         "qrcode, "
         "code128)"},
        {"retentionDays=%2B7", "retentionDays", "retentionDays must be an integer between 1 and 30"},
        {"retentionDays=+7", "retentionDays", "retentionDays must be an integer between 1 and 30"},
        {"retentionDays=%207", "retentionDays", "retentionDays must be an integer between 1 and 30"},
        {"retentionDays=7.0", "retentionDays", "retentionDays must be an integer between 1 and 30"},
        {"retentionDays=-", "retentionDays", "retentionDays must be an integer between 1 and 30"},
        {"retentionDays=-1", "retentionDays", "retentionDays must be an integer between 1 and 30"},
        {"retentionDays=0", "retentionDays", "retentionDays must be an integer between 1 and 30"},
        {"retentionDays=31", "retentionDays", "retentionDays must be an integer between 1 and 30"},
        {"retentionDays=0x10", "retentionDays", "retentionDays must be an integer between 1 and 30"},
        {"dpi=99999999999999999999999", "dpi", "dpi must be an integer between 70 and 1200"},
        {"dpi=4294967596", "dpi", "dpi must be an integer between 70 and 1200"},
        {"retentionDays=", "retentionDays", "retentionDays must not be empty"},
        {"correlationId=", "correlationId", "correlationId must not be empty"},
        {"outputs", "outputs", "outputs must not be empty"},
        {"autostart=True", "autostart", "autostart must be true or false"},
        {"autostart=1", "autostart", "autostart must be true or false"},
        {"autostart=yes", "autostart", "autostart must be true or false"},
        {"deskew=yes", "deskew", "deskew must be true or false"},
        {"outputs=text,,json", "outputs",
         "outputs: '' is not a result format (text, json, hocr, pdf, tsv, alto, docx, odt, rtf, epub, mht)"},
        {"outputs=text,", "outputs",
         "outputs: '' is not a result format (text, json, hocr, pdf, tsv, alto, docx, odt, rtf, epub, mht)"},
        {"outputs=text,%20json", "outputs",
         "outputs: ' json' is not a result format (text, json, hocr, pdf, tsv, alto, docx, odt, rtf, epub, "
         "mht)"},
        {"outputs=text,text", "outputs", "outputs lists 'text' more than once"},
        {"languages=eng+deu", "languages",
         "languages: 'eng deu' is not installed (installed: eng, deu, fra)"},
        {"correlationId=%FF", "correlationId", "correlationId must be valid UTF-8 text"},
        {"correlationId=%C0%80", "correlationId", "correlationId must be valid UTF-8 text"},
        {"correlationId=%ED%A0%80", "correlationId", "correlationId must be valid UTF-8 text"},
        {"correlationId=a%0Ab", "correlationId", "correlationId must not contain control characters"},
        {"pageSegMode=psm3", "pageSegMode",
         "pageSegMode must be one of auto, single_block, single_column, sparse"},
        {"pageTimeoutMs=60001", "pageTimeoutMs", "pageTimeoutMs must be an integer between 1 and 60000"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
        char name[256];
        snprintf(name, sizeof(name), "query %s", bad[i].q);
        expect_error(from_query(bad[i].q, NULL, &out, &err), &err, "InvalidInput", bad[i].field, bad[i].msg,
                     name);
    }
    is_int(from_query("correlationId=%C3%BC", NULL, &out, &err), 0, "UTF-8 from a query");
    is_str(dump_key(out, "correlationId"), "\"\xc3\xbc\"", "UTF-8 kept");
    json_decref(out);

    is_int(from_query("dpi=1&retentionDays=x&languages=eng&autostart=no", NULL, &out, &err), -1,
           "query: several bad");
    is_int(json_array_size(err.details), 3, "query: one detail per bad field");
    is_str(err.message, "dpi must be an integer between 70 and 1200", "query: first problem is the message");
    is_str(detail(&err, 2, "field"), "autostart", "query: last detail");
    gw_opt_error_clear(&err);

    expect_error(from_query("templat=abc&dpi=300", NULL, &out, &err), &err, "UnrecognizedInput", "templat",
                 "unknown option 'templat'", "query: unknown name");
    expect_error(from_query("%FF%FE=1", NULL, &out, &err), &err, "UnrecognizedInput", "?\?",
                 "unknown option '?\?'", "query: binary name echoed safely");
    expect_error(from_query("DPI=300", NULL, &out, &err), &err, "UnrecognizedInput", "DPI",
                 "unknown option 'DPI' (did you mean 'dpi'?)", "query: case hint");
    /* skip == NULL: nothing is skipped. */
    gw_query_t q2;
    char qerr[64];
    if (gw_query_parse("template=x", 10, &q2, qerr, sizeof(qerr)) == 0) {
        is_int(gw_options_from_query(&q2, NULL, NULL, &lim, &out, &err), -1,
               "without skip, template is unknown");
        gw_opt_error_clear(&err);
        gw_query_free(&q2);
    }
}

/* The parser and the runner's decoder read the same table: what one writes, the other reads back. */
static void test_table_round_trip(void)
{
    json_t *d = gw_options_defaults(&lim), *out = NULL;
    job_opts_t o;
    gw_opt_error_t err;
    is_int(json_object_size(d), JOB_OPT_COUNT, "the normalized object has one key per row");
    size_t i = 0;
    const char *key;
    json_t *v;
    json_object_foreach(d, key, v) is_str(key, job_opt_table[i++].name, "keys in the table's order");
    job_opts_decode(d, &o);
    is_str(o.languages, "eng", "default languages decoded");
    ok(job_opts_wants(&o, "text") && job_opts_wants(&o, "json") && job_opts_wants(&o, "hocr") &&
           job_opts_wants(&o, "pdf") && !job_opts_wants(&o, "tsv") && !job_opts_wants(&o, "alto"),
       "default outputs decoded");
    ok(o.autostart && o.retention_days == 7 && o.page_timeout_ms == 60000 && o.dpi == 0 &&
           o.page_seg_mode == ENG_PSM_AUTO && o.pdf_text_policy == JOB_PDF_TEXT_OCR,
       "default values decoded (tier-capped where the tier limits them)");
    json_decref(d);

    const char *q = "languages=deu%2Beng&outputs=alto,text&deskew=true&dpi=150&pageSegMode=single_column"
                    "&pageTimeoutMs=2500&pdfKeywords=a%20b&pdfTextPolicy=skipTextPages&minConfidence=10";
    gw_query_t gq;
    char qerr[128];
    ok(gw_query_parse(q, strlen(q), &gq, qerr, sizeof(qerr)) == 0, "query parsed");
    is_int(gw_options_from_query(&gq, NULL, NULL, &lim, &out, &err), 0, "query options accepted");
    gw_query_free(&gq);
    job_opts_decode(out, &o);
    ok(strcmp(o.languages, "deu+eng") == 0 && o.deskew && !o.binarize && o.dpi == 150 &&
           o.page_seg_mode == ENG_PSM_SINGLE_COLUMN && o.page_timeout_ms == 2500 && o.min_confidence == 10 &&
           strcmp(o.pdf_keywords, "a b") == 0 && o.pdf_text_policy == JOB_PDF_TEXT_SKIP_TEXT_PAGES,
       "what the query set, the runner reads");
    ok(job_opts_wants(&o, "alto") && job_opts_wants(&o, "text") && !job_opts_wants(&o, "pdf"),
       "outputs read");
    json_decref(out);
}

int main(void)
{
    test_defaults();
    test_valid_json();
    test_invalid_json();
    test_unknown_and_malformed();
    test_null_base_extra();
    test_query();
    test_table_round_trip();
    return done_testing();
}
