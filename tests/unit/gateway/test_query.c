#include "gateway/gw_query.h"
#include "tests/unit/tap.h"

int main(void)
{
    gw_query_t q;
    char err[256];
    const char *s = "outputs=text%2Cjson&correlationId=a+b%20c&flag&empty=";
    is_int(gw_query_parse(s, strlen(s), &q, err, sizeof(err)), 0, "query parses");
    is_int(q.count, 4, "four parameters");
    is_str(gw_query_get(&q, "outputs"), "text,json", "percent-decoding");
    is_str(gw_query_get(&q, "correlationId"), "a b c", "plus and %20 are spaces");
    is_str(gw_query_get(&q, "flag"), "", "key without value");
    is_str(gw_query_get(&q, "empty"), "", "empty value");
    ok(gw_query_get(&q, "missing") == NULL, "absent key");
    gw_query_free(&q);

    is_int(gw_query_parse("", 0, &q, err, sizeof(err)), 0, "empty query");
    is_int(q.count, 0, "no parameters");
    gw_query_free(&q);
    is_int(gw_query_parse("a=1&&b=2&", 9, &q, err, sizeof(err)), 0, "stray ampersands tolerated");
    is_int(q.count, 2, "two parameters");
    gw_query_free(&q);

    static const struct {
        const char *q, *err;
    } bad[] = {
        {"a=%zz", "malformed percent-encoding in the query string"},
        {"a=%4", "malformed percent-encoding in the query string"},
        {"a=%00", "malformed percent-encoding in the query string"},
        {"=x", "empty query parameter name"},
        {"a=1&a=2", "query parameter 'a' is given twice"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
        err[0] = '\0';
        is_int(gw_query_parse(bad[i].q, strlen(bad[i].q), &q, err, sizeof(err)), -1, bad[i].q);
        is_str(err, bad[i].err, "error sentence");
    }
    char many[1024] = "";
    for (int i = 0; i <= GW_QUERY_MAX_PARAMS; ++i)
        sprintf(many + strlen(many), "k%d=1&", i);
    is_int(gw_query_parse(many, strlen(many), &q, err, sizeof(err)), -1, "too many parameters refused");
    return done_testing();
}
