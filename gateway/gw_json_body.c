/* The gate of JSON request bodies (gw_json_body.h). */
#include "gateway/gw_json_body.h"
#include "gateway/gw_counted.h"

gw_json_check_t gw_json_text_check(const char *text, size_t len)
{
    if (len > GW_JSON_BODY_MAX)
        return GW_JSON_TOO_LARGE;
    int depth = 0, in_string = 0;
    for (size_t i = 0; i < len; ++i) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i; /* the escaped character, whatever it is */
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > GW_JSON_BODY_MAX_DEPTH)
                return GW_JSON_TOO_DEEP;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return GW_JSON_OK;
}

int gw_json_body_check(gw_req_t *r, const char *text, size_t len, int counted)
{
    void (*fail)(gw_req_t *, int, const char *, json_t *, const char *, ...) =
        counted ? gw_fail_counted : gw_send_error;
    switch (gw_json_text_check(text, len)) {
    case GW_JSON_OK:
        return 0;
    case GW_JSON_TOO_LARGE:
        fail(r, 413, "PayloadTooLarge", NULL, "the JSON body has %zu bytes; at most %d are accepted", len,
             GW_JSON_BODY_MAX);
        return -1;
    case GW_JSON_TOO_DEEP:
        fail(r, 400, "MalformedJson", NULL, "the JSON body is nested more than %d levels deep",
             GW_JSON_BODY_MAX_DEPTH);
        return -1;
    }
    return -1;
}
