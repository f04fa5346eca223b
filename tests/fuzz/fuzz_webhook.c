/*
 * libFuzzer target for what the webhooks room reads from outside: an endpoint's URL from the API body
 * (wh_url_check, first byte: the policy bits) and a receiver's Retry-After (wh_parse_retry_after). A URL the
 * strict policy accepts must be accepted by the permissive one; a refusal must say why, naming the field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "webhooks/wh_schedule.h"
#include "webhooks/wh_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *s = malloc(size);
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    wh_target_policy_t pol = {.allow_http = data[0] & 1, .allow_private = (data[0] >> 1) & 1};
    wh_target_policy_t all = {.allow_http = 1, .allow_private = 1};
    char err[256] = "";
    int strict = wh_url_check(s, &pol, err, sizeof(err));
    if (strict != 0 && strncmp(err, "url:", 4) != 0)
        abort();
    if (strict == 0 && wh_url_check(s, &all, err, sizeof(err)) != 0)
        abort();
    long long ra = wh_parse_retry_after(s, 1700000000);
    if (ra < -1)
        abort();
    long long d = wh_retry_delay_ms(1 + data[0] % 9, 5000, ra, (uint32_t)size * 2654435761u);
    if (d < -1 || d > 36000000LL * 12 / 10)
        abort();
    free(s);
    return 0;
}
