/* The body of POST /v1/processes (cx_proc_input.h): one JSON object {"input": {...}} whose input.document is
 * the document in standard base64. Pure and thread-agnostic: the handler runs it inline for small bodies and
 * on the offload pool for large ones. */
#include "gateway/compat/cx_proc_input.h"
#include "engine/eng_utf8.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(cx_proc_input_t *in, const char *code, const char *field, const char *msg)
{
    in->status = 400;
    in->code = code;
    snprintf(in->field, sizeof(in->field), "%s", field);
    snprintf(in->message, sizeof(in->message), "%s", msg);
    return -1;
}

static int b64_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* Standard base64 with padding, nothing else (no white space, no URL alphabet): what a client's encoder
 * writes by default. */
static int decode(const char *s, size_t n, unsigned char **out, size_t *olen)
{
    if (n == 0 || n % 4 != 0 || n > (size_t)INT32_MAX)
        return -1;
    size_t pad = s[n - 1] == '=' ? (s[n - 2] == '=' ? 2 : 1) : 0;
    for (size_t i = 0; i < n - pad; ++i)
        if (!b64_char((unsigned char)s[i]))
            return -1;
    unsigned char *buf = malloc(n / 4 * 3 + 1);
    if (buf == NULL)
        return -1;
    int got = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n);
    if (got < 0) {
        free(buf);
        return -1;
    }
    *out = buf;
    *olen = (size_t)got - pad; /* EVP_DecodeBlock counts the padding as zero bytes */
    return 0;
}

int cx_proc_input_parse(const char *body, size_t len, cx_proc_input_t *in)
{
    memset(in, 0, sizeof(*in));
    if (len == 0)
        return fail(in, "MissingInput", "input", "the request body is empty; send {\"input\": {...}}");
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL)
        return fail(in, "InvalidInput", "body", "the request body is not a JSON object");
    int ret = -1;
    const char *k;
    json_t *v, *input = json_object_get(root, "input");
    if (!json_is_object(root)) {
        fail(in, "InvalidInput", "body", "the request body is not a JSON object");
        goto Exit;
    }
    json_object_foreach(root, k, v)
    {
        if (strcmp(k, "input") != 0) {
            char msg[160];
            snprintf(msg, sizeof(msg), "unknown property '%.*s' (the body holds only input)",
                     eng_utf8_cut(k, 60), k);
            fail(in, "UnrecognizedInput", "body", msg);
            goto Exit;
        }
    }
    if (input == NULL) {
        fail(in, "MissingInput", "input", "the body has no input object");
        goto Exit;
    }
    if (!json_is_object(input)) {
        fail(in, "InvalidInput", "input", "input must be an object");
        goto Exit;
    }
    json_t *doc = json_object_get(input, "document"), *ct = json_object_get(input, "contentType");
    json_t *name = json_object_get(input, "name");
    if (doc == NULL) {
        fail(in, "MissingInput", "input.document", "input.document (the document in base64) is missing");
        goto Exit;
    }
    if (!json_is_string(doc) ||
        decode(json_string_value(doc), json_string_length(doc), &in->data, &in->len) != 0) {
        fail(in, "InvalidInput", "input.document", "input.document must be the document in standard base64");
        goto Exit;
    }
    if (ct == NULL) {
        fail(in, "MissingInput", "input.contentType", "input.contentType (e.g. image/tiff) is missing");
        goto Exit;
    }
    if (!json_is_string(ct)) {
        fail(in, "InvalidInput", "input.contentType",
             "input.contentType must be a string such as image/tiff");
        goto Exit;
    }
    if (name != NULL && (!json_is_string(name) || json_string_length(name) > 255)) {
        fail(in, "InvalidInput", "input.name", "input.name must be a string of at most 255 bytes");
        goto Exit;
    }
    in->input = json_deep_copy(input);
    json_object_del(in->input, "document");
    ret = 0;
Exit:
    if (ret != 0) { /* a refused input keeps nothing */
        free(in->data);
        in->data = NULL;
        in->len = 0;
    }
    json_decref(root);
    return ret;
}

void cx_proc_input_free(cx_proc_input_t *in)
{
    json_decref(in->input);
    free(in->data);
    in->input = NULL;
    in->data = NULL;
}
