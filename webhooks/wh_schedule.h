/*
 * wh_schedule: when a failed delivery is tried again. The spec's schedule: retries 5 s, 5 min, 30 min, 2 h,
 * 5 h, 10 h and 10 h after the previous attempt (eight attempts in all, about 28 hours), each delay drawn
 * within +-20% so that receivers coming back are not hit by every sender at once; a Retry-After that asks for
 * longer is honoured (up to the longest step). The first retry's delay is the operator's
 * `webhook_first_retry_ms` (5000), and every later step keeps its ratio to it, so tests can run the whole
 * schedule in seconds.
 *
 * Pure, any thread.
 */
#ifndef OCRGATE_WH_SCHEDULE_H
#define OCRGATE_WH_SCHEDULE_H

#include <stdint.h>
#include <time.h>

/* Attempts per message: the first one and its retries. */
#define WH_MAX_ATTEMPTS 8

/* Milliseconds to wait after failed attempt `attempt` (1-based) before the next one, or -1 when that was the
 * last. `retry_after_s` is the receiver's Retry-After in seconds (-1: none); `rnd` any uniformly random
 * 32-bit value (the jitter). */
long long wh_retry_delay_ms(int attempt, long long first_retry_ms, long long retry_after_s, uint32_t rnd);
/* Seconds a Retry-After value asks for: delay-seconds or an HTTP date (relative to `now`); -1 when absent
 * or unreadable. */
long long wh_parse_retry_after(const char *value, time_t now);

#endif
