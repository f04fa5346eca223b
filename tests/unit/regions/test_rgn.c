#include "regions/rgn.h"
#include "tests/unit/tap.h"

#include <stdlib.h>

int main(void)
{
    rgn_registry_t reg;
    char err[256] = "";
    is_int(rgn_parse_text(&reg, "r",
                          "# regions\nUS https://us.example.com/\nEU https://eu.example.com # eu\n", err,
                          sizeof(err)),
           0, "registry parses");
    is_int(reg.count, 2, "two regions");
    is_str(rgn_find(&reg, "EU")->endpoint, "https://eu.example.com", "endpoint with comment");
    is_str(rgn_find(&reg, "US")->endpoint, "https://us.example.com", "trailing slash dropped");
    ok(rgn_find(&reg, "AU") == NULL, "unknown region is not found");
    char *j = rgn_to_json(&reg);
    is_str(j,
           "[{\"code\":\"US\",\"endpoint\":\"https://"
           "us.example.com\"},{\"code\":\"EU\",\"endpoint\":\"https://eu.example.com\"}]",
           "JSON list keeps file order");
    free(j);
    rgn_free(&reg);

    is_int(rgn_parse_text(&reg, "r", "us https://x\n", err, sizeof(err)), -1, "lower-case code refused");
    is_str(err, "r:1: expected 'CODE https://endpoint' with an upper-case code", "error names file and line");
    is_int(rgn_parse_text(&reg, "r", "US http://x\n", err, sizeof(err)), -1, "plain-http endpoint refused");
    is_int(rgn_parse_text(&reg, "r", "US https://a\nUS https://b\n", err, sizeof(err)), -1,
           "duplicate refused");
    is_str(err, "r:2: region US is listed twice", "duplicate named");
    is_int(rgn_parse_text(&reg, "r", "# nothing\n", err, sizeof(err)), -1, "empty registry refused");
    ok(rgn_code_valid("US") && rgn_code_valid("APAC") && !rgn_code_valid("U") && !rgn_code_valid("usa") &&
           !rgn_code_valid("TOOLONGXX"),
       "region code shape");
    char sub[RGN_SUBSCRIPTION_MAX];
    rgn_subscription_name("APACWEST", sub);
    is_str(sub, "ocrgate_catalog_apacwest", "subscription and slot name: lower case, longest code fits");
    return done_testing();
}
