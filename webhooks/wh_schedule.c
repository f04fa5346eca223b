#include "webhooks/wh_schedule.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The spec's steps as multiples of the first (5 s): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
static const long long STEPS[WH_MAX_ATTEMPTS - 1] = {1, 60, 360, 1440, 3600, 7200, 7200};

long long wh_retry_delay_ms(int attempt, long long first_retry_ms, long long retry_after_s, uint32_t rnd)
{
    if (attempt < 1 || attempt >= WH_MAX_ATTEMPTS)
        return -1;
    long long base = STEPS[attempt - 1] * first_retry_ms;
    /* uniform in [0.8, 1.2) of the step */
    long long d = base * 8 / 10 + (long long)((double)base * 0.4 * ((double)rnd / 4294967296.0));
    if (retry_after_s >= 0) {
        long long cap = STEPS[WH_MAX_ATTEMPTS - 2] * first_retry_ms;
        /* compared before multiplying: a receiver may send any number */
        long long ra = retry_after_s > cap / 1000 ? cap : retry_after_s * 1000;
        if (ra > d)
            d = ra;
    }
    return d;
}

long long wh_parse_retry_after(const char *value, time_t now)
{
    if (value == NULL)
        return -1;
    while (*value == ' ' || *value == '\t')
        ++value;
    if (isdigit((unsigned char)*value)) {
        char *end;
        long long s = strtoll(value, &end, 10);
        while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
            ++end;
        return *end == '\0' && s >= 0 ? s : -1;
    }
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *end = strptime(value, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (end == NULL)
        return -1;
    time_t t = timegm(&tm);
    return t > now ? (long long)(t - now) : 0;
}
