/* The gateway's leaf helpers (gw_util.h): they call nothing else of the gateway. */
#include "gateway/gw_util.h"
#include "gateway/gw.h"

#include <ctype.h>
#include <math.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

int64_t gw_now(const gw_server_t *server)
{
    return (int64_t)time(NULL) + server->cfg.test_clock_offset_s;
}

uint64_t gw_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void gw_format_time(int64_t epoch, char *buf, size_t len)
{
    time_t t = (time_t)epoch;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int gw_parse_time(const char *s, int64_t *epoch)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (end == NULL)
        return -1;
    if (*end == '.') {
        if (!isdigit((unsigned char)end[1]))
            return -1;
        for (++end; isdigit((unsigned char)*end); ++end) {
        }
    }
    if (strcmp(end, "Z") != 0)
        return -1;
    *epoch = (int64_t)timegm(&tm);
    return 0;
}

int64_t gw_quota_window_start(int64_t now)
{
    /* The double modulo keeps times before 1970 (negative) in the window that holds them. */
    return now - ((now % GW_QUOTA_WINDOW) + GW_QUOTA_WINDOW) % GW_QUOTA_WINDOW;
}

int gw_uuid_parse(const char *s, size_t len, char out[37])
{
    if (s == NULL || len != 36)
        return -1;
    for (size_t i = 0; i < 36; ++i) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return -1;
        } else if (!isxdigit((unsigned char)c)) {
            return -1;
        }
        out[i] = (char)tolower((unsigned char)c);
    }
    out[36] = '\0';
    return 0;
}

void gw_uuid_new(char out[37])
{
    unsigned char b[16];
    if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
        abort(); /* the kernel's generator does not fail once the system has booted */
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

void gw_admin_key_hash(const char *key, size_t len, char hex[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_Digest(key, len, md, &mdlen, EVP_sha256(), NULL);
    for (int i = 0; i < 32; ++i)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

int gw_admin_key_new(char key[GW_ADMIN_KEY_LEN + 1], char hash[65])
{
    unsigned char raw[32];
    /* getrandom without flags blocks only until the kernel's pool is first seeded, long before any request.
     */
    if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
        return -1;
    memcpy(key, "ocg_", 4);
    for (int i = 0; i < 32; ++i)
        snprintf(key + 4 + 2 * i, 3, "%02x", raw[i]);
    OPENSSL_cleanse(raw, sizeof(raw));
    gw_admin_key_hash(key, GW_ADMIN_KEY_LEN, hash);
    return 0;
}

double gw_round_to(double v, int decimals)
{
    static const double scale[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    double k = scale[decimals < 0 ? 0 : decimals > 6 ? 6 : decimals];
    return round(v * k) / k;
}

void gw_log(gw_server_t *s, const char *level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cfg_logv(s->cfg.log_level, level, NULL, fmt, ap);
    va_end(ap);
}
