/* gw_util: ISO 8601 times, the quota window, UUIDs, rounding for people. */
#include "gateway/gw_util.h"
#include "tests/unit/tap.h"

#include <stdlib.h>

static void test_times(void)
{
    int64_t t = -1;
    is_int(gw_parse_time("1970-01-01T00:00:00Z", &t), 0, "the epoch parses");
    is_int(t, 0, "to 0");
    is_int(gw_parse_time("2026-01-31T12:00:00Z", &t), 0, "a plain time");
    is_int(t, 1769860800, "to its epoch");
    is_int(gw_parse_time("2026-01-31T12:00:00.123456Z", &t), 0, "fractional seconds");
    is_int(t, 1769860800, "are dropped");
    is_int(gw_parse_time("2024-02-29T23:59:59Z", &t), 0, "a leap day");
    static const char *const bad[] = {"",
                                      "2026-01-31",
                                      "2026-01-31T12:00:00",
                                      "2026-01-31T12:00:00+01:00",
                                      "2026-01-31T12:00:00.Z",
                                      "2026-01-31 12:00:00Z",
                                      "2026-01-31T12:00:00Zx",
                                      "yesterday"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i)
        is_int(gw_parse_time(bad[i], &t), -1, bad[i]);
    char buf[32];
    gw_format_time(1769860800, buf, sizeof(buf));
    is_str(buf, "2026-01-31T12:00:00Z", "formatting");
    gw_format_time(0, buf, sizeof(buf));
    is_str(buf, "1970-01-01T00:00:00Z", "the epoch formats");
    is_int(gw_parse_time(buf, &t), 0, "round trip");
    is_int(gw_quota_window_start(1769860800 + 3599), 1769860800, "window: the clock hour");
    is_int(gw_quota_window_start(1769860800), 1769860800, "window starts at the hour");
    is_int(gw_quota_window_start(-1), -3600, "before 1970 too");
}

static void test_uuids(void)
{
    char out[37];
    is_int(gw_uuid_parse("0F8FAD5B-D9CB-469F-A165-70867728950E", 36, out), 0, "upper case accepted");
    is_str(out, "0f8fad5b-d9cb-469f-a165-70867728950e", "and lower-cased");
    is_int(gw_uuid_parse("0f8fad5b-d9cb-469f-a165-70867728950", 35, out), -1, "too short");
    is_int(gw_uuid_parse("0f8fad5bxd9cb-469f-a165-70867728950e", 36, out), -1, "dash missing");
    is_int(gw_uuid_parse("0f8fad5b-d9cb-469f-a165-70867728950g", 36, out), -1, "not hex");
    is_int(gw_uuid_parse(NULL, 36, out), -1, "NULL");
    char a[37], b[37];
    gw_uuid_new(a);
    gw_uuid_new(b);
    ok(strcmp(a, b) != 0 && a[14] == '4' && strchr("89ab", a[19]) != NULL, "random version 4 UUIDs: %s", a);
    is_int(gw_uuid_parse(a, strlen(a), out), 0, "a new UUID parses");
}

static void test_rounding(void)
{
    ok(gw_round_to(96.34999, 1) == 96.3, "96.34999 -> 96.3");
    ok(gw_round_to(0.25, 1) == 0.3, "halves away from zero");
    ok(gw_round_to(-0.25, 1) == -0.3, "negative halves too");
    ok(gw_round_to(1.23456789, 3) == 1.235, "three places");
    json_t *j = json_pack("{s:f}", "v", gw_round_to(288.9 / 3, 1));
    char *s = json_dumps(j, GW_JSON_FLAGS);
    is_str(s, "{\"v\":96.3}", "prints as the decimal, not 96.299999999999997");
    free(s);
    json_decref(j);
}

int main(void)
{
    test_times();
    test_uuids();
    test_rounding();
    return done_testing();
}
