#include "gateway/gw_multipart.h"

#include <stdlib.h>

#include "tests/unit/tap.h"

/* Every body is copied into a heap block of exactly its length, so that ASan catches any read past `len`. */
static char *body;
static size_t body_len, nparts;
static gw_part_t parts[8];
static char err[256];

static int mp_n(const char *ct, const char *text, size_t len, size_t max)
{
    free(body);
    body = malloc(len > 0 ? len : 1);
    memcpy(body, text, len);
    body_len = len;
    err[0] = '\0';
    nparts = 99;
    return gw_multipart_parse(ct, strlen(ct), body, len, parts, max, &nparts, err, sizeof(err));
}
#define MP(ct, lit) mp_n((ct), (lit), sizeof(lit) - 1, 8)

/* A field as a NUL-terminated string (static, two rotating buffers). */
static const char *str(const char *s, size_t len)
{
    static char bufs[2][1024];
    static int which;
    if (s == NULL)
        return NULL;
    char *b = bufs[which ^= 1];
    snprintf(b, sizeof(b[0]) * 1024, "%.*s", (int)len, s);
    return b;
}

static int inside_body(const char *p, size_t len)
{
    return p >= body && p + len <= body + body_len;
}

#define CT "multipart/form-data; boundary=bnd"

static void test_curl(void)
{
    /* Captured from `curl -F file=@x.bin -F 'options={"a":1};type=application/json'` (curl 7.88.1); the file
     * holds "AB\r\n--x\r\nCD". */
    static const char ct[] = "multipart/form-data; boundary=------------------------f70a2efc832005cb";
    static const char b[] = "--------------------------f70a2efc832005cb\r\n"
                            "Content-Disposition: form-data; name=\"file\"; filename=\"x.bin\"\r\n"
                            "Content-Type: application/octet-stream\r\n"
                            "\r\n"
                            "AB\r\n--x\r\nCD\r\n"
                            "--------------------------f70a2efc832005cb\r\n"
                            "Content-Disposition: form-data; name=\"options\"\r\n"
                            "Content-Type: application/json\r\n"
                            "\r\n"
                            "{\"a\":1}\r\n"
                            "--------------------------f70a2efc832005cb--\r\n";
    is_int(MP(ct, b), 0, "curl body parses");
    is_int(nparts, 2, "two parts");
    is_str(str(parts[0].name, parts[0].name_len), "file", "file part name");
    is_str(str(parts[0].filename, parts[0].filename_len), "x.bin", "filename");
    is_str(str(parts[0].content_type, parts[0].content_type_len), "application/octet-stream",
           "file content type");
    is_int(parts[0].len, 11, "file length");
    ok(parts[0].len == 11 && memcmp(parts[0].data, "AB\r\n--x\r\nCD", 11) == 0,
       "file data with CRLF and dashes");
    ok(inside_body(parts[0].data, parts[0].len) && inside_body(parts[0].name, parts[0].name_len) &&
           inside_body(parts[0].filename, parts[0].filename_len),
       "zero-copy: pointers into the body");
    is_str(str(parts[1].name, parts[1].name_len), "options", "options part name");
    ok(parts[1].filename == NULL, "options has no filename");
    is_str(str(parts[1].content_type, parts[1].content_type_len), "application/json", "options content type");
    is_str(str(parts[1].data, parts[1].len), "{\"a\":1}", "options data");

    const gw_part_t *f = gw_multipart_find(parts, nparts, "options");
    ok(f == &parts[1], "find options");
    ok(gw_multipart_find(parts, nparts, "file") == &parts[0], "find file");
    ok(gw_multipart_find(parts, nparts, "fil") == NULL, "find: prefix is not a match");
    ok(gw_multipart_find(parts, nparts, "nope") == NULL, "find: absent");
    ok(gw_multipart_find(parts, 0, "file") == NULL, "find: empty list");

    /* Same body without the final CRLF (some clients), and with max exactly the count. */
    is_int(mp_n(ct, b, sizeof(b) - 3, 2), 0, "close delimiter at the very end, max == parts");
    is_int(nparts, 2, "two parts");
    is_int(mp_n(ct, b, sizeof(b) - 1, 1), -1, "one part too many");
    is_str(err, "multipart body has more than 1 parts", "too many parts sentence");
}

static void test_content_type(void)
{
    static const char b[] = "--a b\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--a b--";
    is_int(MP("multipart/form-data; boundary=\"a b\"", b), 0, "quoted boundary with a space");
    is_str(str(parts[0].name, parts[0].name_len), "x", "unquoted name");
    is_str(str(parts[0].data, parts[0].len), "1", "data");
    static const char b2[] =
        "--=_Part_1.a\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n\r\n--=_Part_1.a--\r\n";
    is_int(MP("Multipart/Form-Data;charset=utf-8 ;  BOUNDARY==_Part_1.a;", b2), 0,
           "case-insensitive, other params, unquoted boundary with '='");
    is_int(parts[0].len, 0, "empty data");
    ok(parts[0].content_type == NULL, "no part content type");
    ok(parts[0].data == body + sizeof(b2) - 1 - strlen("\r\n--=_Part_1.a--\r\n"),
       "empty data points at the delimiter");
    is_int(MP("  multipart/form-data\t; boundary=\"=_Part_1.a\"", b2), 0, "whitespace around the media type");

    char b70[80], ct70[120], body70[300];
    memset(b70, 'z', 70);
    b70[70] = '\0';
    snprintf(ct70, sizeof(ct70), "multipart/form-data; boundary=%s", b70);
    int n = snprintf(body70, sizeof(body70),
                     "--%s\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n--%s--", b70, b70);
    is_int(mp_n(ct70, body70, (size_t)n, 8), 0, "70-character boundary");

    static const struct {
        const char *ct, *err;
    } bad[] = {
        {"multipart/mixed; boundary=bnd", "Content-Type is not multipart/form-data"},
        {"multipart/form-datax; boundary=bnd", "Content-Type is not multipart/form-data"},
        {"application/json", "Content-Type is not multipart/form-data"},
        {"", "Content-Type is not multipart/form-data"},
        {"multipart/form-data", "multipart/form-data Content-Type has no boundary parameter"},
        {"multipart/form-data; charset=utf-8", "multipart/form-data Content-Type has no boundary parameter"},
        {"multipart/form-data; boundary=", "multipart/form-data Content-Type has a malformed parameter"},
        {"multipart/form-data; boundary=\"\"", "multipart boundary must be 1 to 70 characters long"},
        {"multipart/form-data; boundary=\"abc", "multipart/form-data Content-Type has a malformed parameter"},
        {"multipart/form-data; boundary", "multipart/form-data Content-Type has a malformed parameter"},
        {"multipart/form-data; boundary=a; boundary=b",
         "multipart/form-data Content-Type has two boundary parameters"},
        {"multipart/form-data; boundary=a@b", "multipart boundary contains characters that are not allowed"},
        {"multipart/form-data; boundary=\"a\\\"b\"",
         "multipart boundary contains characters that are not allowed"},
        {"multipart/form-data; boundary=\"ab \"", "multipart boundary must not end with a space"},
        {"multipart/form-data; boundary=\"a\rb\"",
         "multipart boundary contains characters that are not allowed"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
        is_int(MP(bad[i].ct, "--bnd--"), -1, bad[i].ct);
        is_str(err, bad[i].err, "error sentence");
        is_int(nparts, 0, "no parts");
    }
    char ct71[120];
    snprintf(ct71, sizeof(ct71), "multipart/form-data; boundary=%sz", b70);
    is_int(MP(ct71, "--bnd--"), -1, "71-character boundary refused");
    is_str(err, "multipart boundary must be 1 to 70 characters long", "error sentence");
    /* ctlen is honoured: the header value is not NUL-terminated in h2o. */
    is_int(gw_multipart_parse(CT "XYZ", strlen(CT), "--bnd--", 7, parts, 8, &nparts, err, sizeof(err)), 0,
           "ctlen bounds the Content-Type");
}

static void test_framing(void)
{
    static const char pre[] =
        "This is a preamble.\r\n--bnd is not a delimiter here\r\nx--bnd\r\n"
        "--bnd  \t\r\n"
        "content-disposition: form-data; name=\"a\"\r\n\r\n"
        "one\r\n"
        "--bnd\r\n"
        "Content-Disposition: form-data; name=\"b\"\r\n\r\n"
        "two\r\n"
        "--bnd--  \r\n"
        "epilogue\r\n--bnd\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\nignored\r\n--bnd--\r\n";
    is_int(MP(CT, pre), 0, "preamble, padding and epilogue");
    is_int(nparts, 2, "epilogue parts are not parts");
    is_str(str(parts[0].data, parts[0].len), "one", "first data");
    is_str(str(parts[1].data, parts[1].len), "two", "second data");
    is_int(MP(CT, "--bnd--"), 0, "no parts at all");
    is_int(nparts, 0, "zero parts");
    is_int(MP(CT, "preamble\r\n--bnd--\r\n"), 0, "preamble then close");

    static const struct {
        const char *name, *body, *err;
    } bad[] = {
        {"empty body", "", "multipart body has no boundary line (check the boundary in Content-Type)"},
        {"other boundary", "--other\r\n\r\n--other--",
         "multipart body has no boundary line (check the boundary in Content-Type)"},
        {"LF line ends", "--bnd\nContent-Disposition: form-data; name=\"a\"\n\nx\n--bnd--\n",
         "multipart body has no boundary line (check the boundary in Content-Type)"},
        {"boundary line with junk", "--bnd x\r\n",
         "multipart body has no boundary line (check the boundary in Content-Type)"},
        {"only the opening line", "--bnd\r\n", "multipart body ends inside a part's headers"},
        {"truncated headers", "--bnd\r\nContent-Disposition: form-data; name=\"a\"",
         "multipart body ends inside a part's headers"},
        {"truncated header block", "--bnd\r\nContent-Disposition: form-data; name=\"a\"\r\n",
         "multipart body ends inside a part's headers"},
        {"truncated header block CR", "--bnd\r\nContent-Disposition: form-data; name=\"a\"\r\n\r",
         "multipart body ends inside a part's headers"},
        {"no closing delimiter", "--bnd\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\ndata",
         "multipart body has no closing boundary"},
        {"data then CRLF", "--bnd\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\ndata\r\n",
         "multipart body has no closing boundary"},
        {"cut in the delimiter", "--bnd\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\ndata\r\n--bn",
         "multipart body has no closing boundary"},
        {"delimiter without line end",
         "--bnd\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\ndata\r\n--bnd",
         "multipart body has no closing boundary"},
        {"half a close", "--bnd\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\ndata\r\n--bnd-",
         "multipart body has no closing boundary"},
        {"second part unclosed",
         "--bnd\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--bnd\r\n"
         "Content-Disposition: form-data; name=\"b\"\r\n\r\n2",
         "multipart body has no closing boundary"},
        {"no headers", "--bnd\r\n\r\ndata\r\n--bnd--", "multipart part has no Content-Disposition header"},
        {"no disposition", "--bnd\r\nContent-Type: text/plain\r\n\r\ndata\r\n--bnd--",
         "multipart part has no Content-Disposition header"},
        {"no name", "--bnd\r\nContent-Disposition: form-data; filename=\"a.tif\"\r\n\r\ndata\r\n--bnd--",
         "multipart part has no name (Content-Disposition: form-data; name=\"...\")"},
        {"empty name", "--bnd\r\nContent-Disposition: form-data; name=\"\"\r\n\r\ndata\r\n--bnd--",
         "multipart part has no name (Content-Disposition: form-data; name=\"...\")"},
        {"bare form-data", "--bnd\r\nContent-Disposition: form-data\r\n\r\ndata\r\n--bnd--",
         "multipart part has no name (Content-Disposition: form-data; name=\"...\")"},
        {"not form-data", "--bnd\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\ndata\r\n--bnd--",
         "multipart part's Content-Disposition is not form-data"},
        {"two names", "--bnd\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\ndata\r\n--bnd--",
         "multipart part's Content-Disposition has two names"},
        {"two filenames",
         "--bnd\r\nContent-Disposition: form-data; name=a; filename=x; FILENAME=y\r\n\r\nd\r\n--bnd--",
         "multipart part's Content-Disposition has two filenames"},
        {"two dispositions",
         "--bnd\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; "
         "name=b\r\n\r\nd\r\n--bnd--",
         "multipart part has two Content-Disposition headers"},
        {"two content types",
         "--bnd\r\nContent-Disposition: form-data; name=a\r\nContent-Type: a/b\r\nContent-Type: "
         "c/d\r\n\r\nd\r\n--bnd--",
         "multipart part has two Content-Type headers"},
        {"unterminated quote", "--bnd\r\nContent-Disposition: form-data; name=\"a\r\n\r\nd\r\n--bnd--",
         "multipart part's Content-Disposition has a malformed parameter"},
        {"junk after quote", "--bnd\r\nContent-Disposition: form-data; name=\"a\"b\r\n\r\nd\r\n--bnd--",
         "multipart part's Content-Disposition has a malformed parameter"},
        {"param without value", "--bnd\r\nContent-Disposition: form-data; name\r\n\r\nd\r\n--bnd--",
         "multipart part's Content-Disposition has a malformed parameter"},
        {"header without colon", "--bnd\r\nContent-Disposition form-data; name=a\r\n\r\nd\r\n--bnd--",
         "multipart part header line is malformed (expected \"Name: value\")"},
        {"space before colon", "--bnd\r\nContent-Disposition : form-data; name=a\r\n\r\nd\r\n--bnd--",
         "multipart part header line is malformed (expected \"Name: value\")"},
        {"folded header", "--bnd\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\nd\r\n--bnd--",
         "multipart part header is folded (continuation lines are not allowed)"},
        {"bare LF in header", "--bnd\r\nContent-Disposition: form-data; name=a\nX: y\r\n\r\nd\r\n--bnd--",
         "multipart part header contains a stray CR, LF or NUL byte"},
        {"bare CR in header", "--bnd\r\nContent-Disposition: form-data; name=a\rX: y\r\n\r\nd\r\n--bnd--",
         "multipart part header contains a stray CR, LF or NUL byte"},
        {"delimiter instead of blank line",
         "--bnd\r\nContent-Disposition: form-data; name=a\r\n--bnd\r\nContent-Disposition: form-data; "
         "name=b\r\n\r\nd"
         "\r\n--bnd--",
         "multipart part header line is malformed (expected \"Name: value\")"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
        is_int(mp_n(CT, bad[i].body, strlen(bad[i].body), 8), -1, bad[i].name);
        is_str(err, bad[i].err, "error sentence");
    }
    static const char nul[] = "--bnd\r\nContent-Disposition: form-data; name=a\r\nX: \0\r\n\r\nd\r\n--bnd--";
    is_int(MP(CT, nul), -1, "NUL in a header");
    is_str(err, "multipart part header contains a stray CR, LF or NUL byte", "error sentence");
    /* err may be NULL. */
    is_int(gw_multipart_parse(CT, strlen(CT), "", 0, parts, 8, &nparts, NULL, 0), -1, "err may be NULL");
}

static void test_headers_and_names(void)
{
    static const char b[] =
        "--bnd\r\n"
        "X-Ignored: whatever\r\n"
        "CONTENT-DISPOSITION:form-data;name=\"a\\\"b\\\\c\";filename=\"C:\\scans\\a.tif\";"
        "filename*=UTF-8''%e2%82%ac.tif; size=12\r\n"
        "content-type:   image/tiff ; x=y  \r\n"
        "\r\n"
        "DATA\r\n"
        "--bnd\r\n"
        "Content-Disposition: form-data; name=\"q\\\\\"; filename=\"\"\r\n\r\n"
        "\r\n\r\n"
        "--bnd--";
    is_int(MP(CT, b), 0, "header variants parse");
    is_str(str(parts[0].name, parts[0].name_len), "a\"b\\c", "\\\" and \\\\ unescaped in the name");
    ok(parts[0].name >= parts[0].unescaped && parts[0].name < parts[0].unescaped + sizeof(parts[0].unescaped),
       "escaped name lives in the part's buffer");
    is_str(str(parts[0].filename, parts[0].filename_len), "C:\\scans\\a.tif",
           "other backslashes are literal");
    ok(inside_body(parts[0].filename, parts[0].filename_len), "unescaped filename points into the body");
    is_str(str(parts[0].content_type, parts[0].content_type_len), "image/tiff ; x=y", "content type trimmed");
    is_str(str(parts[0].data, parts[0].len), "DATA", "data");
    is_str(str(parts[1].name, parts[1].name_len), "q\\", "trailing escaped backslash");
    ok(parts[1].filename != NULL && parts[1].filename_len == 0, "empty filename is present but empty");
    is_str(str(parts[1].data, parts[1].len), "\r\n", "data that is just CRLF");
    ok(gw_multipart_find(parts, nparts, "a\"b\\c") == &parts[0], "find an unescaped name");

    /* Header limits: 16 lines, 8 KiB. */
    char big[12000];
    int n = snprintf(big, sizeof(big), "--bnd\r\n");
    for (int i = 0; i < 15; ++i)
        n += snprintf(big + n, sizeof(big) - (size_t)n, "X-%d: y\r\n", i);
    n += snprintf(big + n, sizeof(big) - (size_t)n,
                  "Content-Disposition: form-data; name=a\r\n\r\nd\r\n--bnd--");
    is_int(mp_n(CT, big, (size_t)n, 8), 0, "16 header lines");
    n = snprintf(big, sizeof(big), "--bnd\r\n");
    for (int i = 0; i < 16; ++i)
        n += snprintf(big + n, sizeof(big) - (size_t)n, "X-%d: y\r\n", i);
    n += snprintf(big + n, sizeof(big) - (size_t)n,
                  "Content-Disposition: form-data; name=a\r\n\r\nd\r\n--bnd--");
    is_int(mp_n(CT, big, (size_t)n, 8), -1, "17 header lines");
    is_str(err, "multipart part has more than 16 header lines", "error sentence");
    n = snprintf(big, sizeof(big), "--bnd\r\nContent-Disposition: form-data; name=a\r\nX: ");
    memset(big + n, 'v', 9000);
    n += 9000;
    n += snprintf(big + n, sizeof(big) - (size_t)n, "\r\n\r\nd\r\n--bnd--");
    is_int(mp_n(CT, big, (size_t)n, 8), -1, "9000-byte header");
    is_str(err, "multipart part headers are longer than 8192 bytes", "error sentence");
    /* A header block of 8 KiB exactly (with its last CRLF) is accepted. */
    const char *cd = "Content-Disposition: form-data; name=a\r\nX: ";
    n = snprintf(big, sizeof(big), "--bnd\r\n%s", cd);
    size_t fill = GW_MULTIPART_MAX_HEADER_BYTES - strlen(cd) - 2;
    memset(big + n, 'v', fill);
    n += (int)fill;
    n += snprintf(big + n, sizeof(big) - (size_t)n, "\r\n\r\nd\r\n--bnd--");
    is_int(mp_n(CT, big, (size_t)n, 8), 0, "8192-byte header block");

    /* A name too long for the unescape buffer. */
    n = snprintf(big, sizeof(big), "--bnd\r\nContent-Disposition: form-data; name=\"\\\\");
    memset(big + n, 'n', 600);
    n += 600;
    n += snprintf(big + n, sizeof(big) - (size_t)n, "\"\r\n\r\nd\r\n--bnd--");
    is_int(mp_n(CT, big, (size_t)n, 8), -1, "escaped name over the buffer");
    is_str(err, "multipart part's name or filename is too long", "error sentence");
    /* Without escapes, names point into the body and have no such limit. */
    n = snprintf(big, sizeof(big), "--bnd\r\nContent-Disposition: form-data; name=\"");
    memset(big + n, 'n', 600);
    n += 600;
    n += snprintf(big + n, sizeof(big) - (size_t)n, "\"\r\n\r\nd\r\n--bnd--");
    is_int(mp_n(CT, big, (size_t)n, 8), 0, "long plain name");
    is_int(parts[0].name_len, 600, "name length");
}

static void test_binary(void)
{
    /* Data holding CR, LF, NUL, "--bnd" not at a line start, a partial delimiter, and delimiters followed by
     * junk (not a delimiter line, so data). */
    static const char data[] =
        "\r\n\r\r\n\n--\r\n--b\r\n--bn\r\n--bndX\r\n--bnd-x\r\n--bn\0d\xff\x00--bnd\r\r\n";
    static const char head[] =
        "--bnd\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\n";
    static const char tail[] = "\r\n--bnd--\r\n";
    char b[512];
    size_t dl = sizeof(data) - 1, n = 0;
    memcpy(b, head, sizeof(head) - 1);
    n += sizeof(head) - 1;
    memcpy(b + n, data, dl);
    n += dl;
    memcpy(b + n, tail, sizeof(tail) - 1);
    n += sizeof(tail) - 1;
    is_int(mp_n(CT, b, n, 8), 0, "binary data parses");
    is_int(nparts, 1, "one part");
    is_int(parts[0].len, dl, "binary length");
    ok(parts[0].len == dl && memcmp(parts[0].data, data, dl) == 0, "binary data intact");

    /* Every prefix of a valid body is refused, never read past (ASan watches). */
    static const char full[] = "--bnd\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nxy\r\n--bnd--";
    int all = 1;
    for (size_t k = 0; k + 1 < sizeof(full) - 1; ++k)
        if (mp_n(CT, full, k, 8) != -1)
            all = 0, printf("# prefix %zu accepted\n", k);
    ok(all, "every strict prefix refused");
    is_int(mp_n(CT, full, sizeof(full) - 1, 8), 0, "the whole body accepted");

    /* Adversarial: megabytes of near-delimiters, in the data and in the preamble. Quadratic work would take
     * minutes here; the linear search takes milliseconds. */
    const char *bd = "0123456789012345678901234567890123456789012345678901234567890123456789";
    char ct[128];
    snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", bd);
    size_t unit = 4 + 69, reps = (8u << 20) / unit, len = 0;
    char *adv = malloc(reps * unit + 512);
    len += (size_t)sprintf(adv, "--%s\r\nContent-Disposition: form-data; name=a\r\n\r\n", bd);
    for (size_t i = 0; i < reps; ++i) {
        memcpy(adv + len, "\r\n--", 4);
        memcpy(adv + len + 4, bd, 69); /* all but the last character */
        len += unit;
    }
    len += (size_t)sprintf(adv + len, "\r\n--%s--", bd);
    is_int(mp_n(ct, adv, len, 8), 0, "8 MiB of near-delimiters in the data");
    is_int(parts[0].len, reps * unit, "all of it is data");
    /* Full delimiters followed by junk: each one is a candidate that fails late. */
    len = 0;
    len += (size_t)sprintf(adv, "--%s\r\nContent-Disposition: form-data; name=a\r\n\r\n", bd);
    for (size_t i = 0; i < reps / 2; ++i)
        len += (size_t)sprintf(adv + len, "\r\n--%s       x", bd);
    is_int(mp_n(ct, adv, len, 8), -1, "MiBs of delimiter-lookalikes without a close");
    is_str(err, "multipart body has no closing boundary", "error sentence");
    /* Many tiny parts: refused at max without scanning the rest. */
    len = 0;
    for (size_t i = 0; i < reps / 2; ++i)
        len += (size_t)sprintf(adv + len, "--%s\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n", bd);
    is_int(mp_n(ct, adv, len, 8), -1, "many parts");
    is_str(err, "multipart body has more than 8 parts", "error sentence");
    /* Header search without a blank line: bounded by the header limit. */
    memset(adv, 'h', 8u << 20);
    memcpy(adv, "--bnd\r\nA: b\r\n", 13);
    is_int(mp_n(CT, adv, 8u << 20, 8), -1, "endless header");
    is_str(err, "multipart part headers are longer than 8192 bytes", "error sentence");
    free(adv);
}

int main(void)
{
    test_curl();
    test_content_type();
    test_framing();
    test_headers_and_names();
    test_binary();
    free(body);
    return done_testing();
}
