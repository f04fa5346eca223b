/* gw_json_body: the size and depth bound of JSON request bodies, before any parser sees them. */
#include "gateway/gw_json_body.h"
#include "tests/unit/tap.h"

#include <stdlib.h>

static void test_json_body(void)
{
    is_int(gw_json_text_check("{}", 2), GW_JSON_OK, "an empty object");
    is_int(gw_json_text_check("", 0), GW_JSON_OK, "empty text is for the parser to refuse");
    char deep[64];
    for (int d = 1; d <= 20; ++d) {
        size_t n = 0;
        for (int i = 0; i < d; ++i)
            deep[n++] = i % 2 ? '[' : '{';
        is_int(gw_json_text_check(deep, n), d <= GW_JSON_BODY_MAX_DEPTH ? GW_JSON_OK : GW_JSON_TOO_DEEP,
               d <= GW_JSON_BODY_MAX_DEPTH ? "depth within the bound" : "depth over the bound");
    }
    const char *quoted = "{\"a\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"{{{{{{{{{{{{{{{{{{{{{{{{{{{\"}";
    is_int(gw_json_text_check(quoted, strlen(quoted)), GW_JSON_OK,
           "brackets in strings (and escaped quotes) do not nest");
    const char *closed = "[[[[[[[[[[]]]]]]]]]],[[[[[[[[[[]]]]]]]]]]";
    is_int(gw_json_text_check(closed, strlen(closed)), GW_JSON_OK,
           "depth is the deepest nesting, not the count");
    char *big = malloc(GW_JSON_BODY_MAX + 1);
    memset(big, ' ', GW_JSON_BODY_MAX + 1);
    is_int(gw_json_text_check(big, GW_JSON_BODY_MAX), GW_JSON_OK, "64 KB exactly is accepted");
    is_int(gw_json_text_check(big, GW_JSON_BODY_MAX + 1), GW_JSON_TOO_LARGE, "one byte more is too large");
    free(big);
}

int main(void)
{
    test_json_body();
    return done_testing();
}
