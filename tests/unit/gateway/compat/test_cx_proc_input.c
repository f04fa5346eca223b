/* cx_proc_input: the body of POST /v1/processes (base64 document, the reference's error codes and fields),
 * and cx_status_result's layout (blocks, their paragraph and lines, boxes covering their words). */
#include "gateway/compat/cx_proc_input.h"
#include "gateway/compat/cx_status.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>

static void expect_error(const char *body, const char *code, const char *field, const char *name)
{
    cx_proc_input_t in;
    int rc = cx_proc_input_parse(body, strlen(body), &in);
    ok(rc == -1 && in.status == 400 && strcmp(in.code, code) == 0 && strcmp(in.field, field) == 0,
       "%s: %s %s", name, in.code ? in.code : "(none)", in.field);
    ok(in.input == NULL && in.data == NULL, "%s: nothing kept", name);
    cx_proc_input_free(&in);
}

static void test_input(void)
{
    cx_proc_input_t in;
    const char *body =
        "{\"input\":{\"document\":\"aGVsbG8=\",\"contentType\":\"image/tiff\",\"name\":\"a.tif\","
        "\"languages\":\"eng\"}}";
    ok(cx_proc_input_parse(body, strlen(body), &in) == 0, "a document with options parses");
    ok(in.len == 5 && memcmp(in.data, "hello", 5) == 0, "the base64 is decoded (padding is not data)");
    ok(json_object_get(in.input, "document") == NULL && json_object_size(in.input) == 3,
       "input keeps the other keys, not the document");
    cx_proc_input_free(&in);
    const char *two = "{\"input\":{\"document\":\"aGk=\",\"contentType\":\"image/png\"}}";
    ok(cx_proc_input_parse(two, strlen(two), &in) == 0 && in.len == 2 && memcmp(in.data, "hi", 2) == 0,
       "one padding character");
    cx_proc_input_free(&in);
    const char *none = "{\"input\":{\"document\":\"aGV5\",\"contentType\":\"image/png\"}}";
    ok(cx_proc_input_parse(none, strlen(none), &in) == 0 && in.len == 3, "no padding");
    cx_proc_input_free(&in);

    expect_error("", "MissingInput", "input", "empty body");
    expect_error("{", "InvalidInput", "body", "not JSON");
    expect_error("[1]", "InvalidInput", "body", "not an object");
    expect_error("{}", "MissingInput", "input", "no input");
    expect_error("{\"input\":{},\"x\":1}", "UnrecognizedInput", "body", "unknown top-level key");
    expect_error("{\"input\":1,\"input\":2}", "InvalidInput", "body", "duplicate keys");
    expect_error("{\"input\":[]}", "InvalidInput", "input", "input not an object");
    expect_error("{\"input\":{\"contentType\":\"image/png\"}}", "MissingInput", "input.document",
                 "no document");
    expect_error("{\"input\":{\"document\":\"aGVsbG8\",\"contentType\":\"image/png\"}}", "InvalidInput",
                 "input.document", "length not a multiple of 4");
    expect_error("{\"input\":{\"document\":\"aGV s\",\"contentType\":\"image/png\"}}", "InvalidInput",
                 "input.document", "white space");
    expect_error("{\"input\":{\"document\":\"a=Vs\",\"contentType\":\"image/png\"}}", "InvalidInput",
                 "input.document", "padding inside");
    expect_error("{\"input\":{\"document\":\"aG-_\",\"contentType\":\"image/png\"}}", "InvalidInput",
                 "input.document", "URL alphabet");
    expect_error("{\"input\":{\"document\":\"\",\"contentType\":\"image/png\"}}", "InvalidInput",
                 "input.document", "empty document");
    expect_error("{\"input\":{\"document\":7,\"contentType\":\"image/png\"}}", "InvalidInput",
                 "input.document", "document not a string");
    expect_error("{\"input\":{\"document\":\"aGk=\"}}", "MissingInput", "input.contentType",
                 "no contentType");
    expect_error("{\"input\":{\"document\":\"aGk=\",\"contentType\":1}}", "InvalidInput", "input.contentType",
                 "contentType not a string");
    expect_error("{\"input\":{\"document\":\"aGk=\",\"contentType\":\"image/png\",\"name\":false}}",
                 "InvalidInput", "input.name", "name not a string");
}

static void test_layout(void)
{
    json_t *job =
        json_pack("{s:s,s:s,s:s,s:i,s:{s:s,s:i,s:s,s:s,s:i}}", "jobId", "j", "finishedAt",
                  "2026-01-01T00:00:00.000Z", "correlationId", "c", "errorPages", 0, "document", "name",
                  "x.tif", "pages", 1, "contentType", "image/tiff", "sha256", "00", "bytes", 9);
    json_t *page =
        json_loads("{\"page\":1,\"words\":["
                   "{\"text\":\"a\",\"box\":{\"x\":10,\"y\":10,\"w\":5,\"h\":5},\"line\":0,\"block\":0},"
                   "{\"text\":\"b\",\"box\":{\"x\":20,\"y\":12,\"w\":5,\"h\":5},\"line\":0,\"block\":0},"
                   "{\"text\":\"c\",\"box\":{\"x\":10,\"y\":30,\"w\":30,\"h\":5},\"line\":1,\"block\":0},"
                   "{\"text\":\"d\",\"box\":{\"x\":100,\"y\":100,\"w\":8,\"h\":8},\"line\":2,\"block\":1}]}",
                   0, NULL);
    json_t *pages[2] = {page, NULL};
    json_t *res = cx_status_result(job, pages, 2);
    json_t *layout = json_object_get(res, "layout");
    ok(json_array_size(layout) == 2, "two blocks");
    json_t *b0 = json_array_get(layout, 0);
    json_t *box = json_object_get(b0, "box");
    ok(json_integer_value(json_object_get(box, "x")) == 10 &&
           json_integer_value(json_object_get(box, "y")) == 10 &&
           json_integer_value(json_object_get(box, "w")) == 30 &&
           json_integer_value(json_object_get(box, "h")) == 25,
       "a block's box covers its words");
    json_t *lines = json_object_get(json_array_get(json_object_get(b0, "paragraphs"), 0), "lines");
    ok(json_array_size(lines) == 2, "the first block has two lines");
    is_str(json_string_value(json_object_get(json_array_get(lines, 0), "text")), "a b", "a line's text");
    ok(json_integer_value(json_object_get(json_object_get(json_array_get(lines, 0), "box"), "h")) == 7,
       "a line's box covers its words");
    json_t *words = json_object_get(res, "words");
    ok(json_array_size(words) == 2, "one words string per page");
    is_str(json_string_value(json_array_get(words, 0)), "a b c d", "the page's words");
    is_str(json_string_value(json_array_get(words, 1)), "", "a page without a result has no words");
    json_t *h = json_object_get(res, "header");
    is_str(json_string_value(json_object_get(h, "documentName")), "x.tif", "documentName");
    ok(json_object_size(json_object_get(h, "customInfo")) == 1, "customInfo holds what is set");
    json_decref(res);
    json_decref(page);
    json_decref(job);
}

int main(void)
{
    test_input();
    test_layout();
    return done_testing();
}
