/* wh_schedule: the retry steps with their jitter, Retry-After, the end of the schedule. */
#include "../tap.h"
#include "webhooks/wh_schedule.h"

int main(void)
{
    static const long long steps_s[] = {5, 300, 1800, 7200, 18000, 36000, 36000};
    for (int a = 1; a < WH_MAX_ATTEMPTS; ++a) {
        long long lo = wh_retry_delay_ms(a, 5000, -1, 0), hi = wh_retry_delay_ms(a, 5000, -1, 0xFFFFFFFFu);
        long long want = steps_s[a - 1] * 1000;
        ok(lo == want * 8 / 10 && hi < want * 12 / 10 && hi > want * 119 / 100,
           "after attempt %d: %lld s within +-20%% (%lld..%lld ms)", a, steps_s[a - 1], lo, hi);
    }
    ok(wh_retry_delay_ms(WH_MAX_ATTEMPTS, 5000, -1, 0) == -1, "no retry after the eighth attempt");
    ok(wh_retry_delay_ms(0, 5000, -1, 0) == -1, "attempt 0 is not an attempt");
    ok(wh_retry_delay_ms(1, 50, -1, 0) == 40 && wh_retry_delay_ms(2, 50, -1, 0) == 2400,
       "the steps scale with the first one");
    ok(wh_retry_delay_ms(1, 5000, 120, 0) == 120000, "a longer Retry-After is honoured");
    ok(wh_retry_delay_ms(2, 5000, 10, 0) == 240000, "a shorter Retry-After does not hasten the schedule");
    ok(wh_retry_delay_ms(1, 5000, 999999, 0) == 36000000, "Retry-After is capped at the longest step");
    ok(wh_retry_delay_ms(1, 5000, wh_parse_retry_after("4848000000000000000000000000000008", 0), 0) ==
           36000000,
       "a Retry-After past any integer is capped too (found by fuzz_webhook)");
    is_int(wh_parse_retry_after("120", 0), 120, "delay-seconds");
    is_int(wh_parse_retry_after(" 7 \r\n", 0), 7, "with white space around");
    is_int(wh_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412420), 60, "an HTTP date");
    is_int(wh_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412500), 0, "a date past is now");
    is_int(wh_parse_retry_after("soon", 0), -1, "unreadable");
    is_int(wh_parse_retry_after("-3", 0), -1, "negative");
    is_int(wh_parse_retry_after(NULL, 0), -1, "absent");
    return done_testing();
}
