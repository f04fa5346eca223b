/*
 * libFuzzer target for gw_query: any bytes as a query string. A success must hold non-empty, distinct keys
 * that gw_query_get finds again, and percent-decoding must never write more than it read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gw_query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    gw_query_t q;
    char err[256];

    if (gw_query_parse(s, size, &q, err, sizeof(err)) == 0) {
        if (q.count > GW_QUERY_MAX_PARAMS)
            abort();
        for (size_t i = 0; i < q.count; ++i)
            if (q.items[i].key[0] == '\0' || gw_query_get(&q, q.items[i].key) != q.items[i].value)
                abort();
        gw_query_free(&q);
    } else if (err[0] == '\0' || q.count != 0 || q.items != NULL) {
        abort();
    }

    /* The decoder alone, into a buffer of exactly len + 1 bytes (ASan watches the bound). */
    char *dst = malloc(size + 1);
    size_t outlen;
    if (gw_percent_decode(s, size, size > 0 && (data[0] & 1), dst, &outlen) == 0 &&
        (outlen > size || dst[outlen] != '\0' || memchr(dst, '\0', outlen) != NULL))
        abort();
    free(dst);
    return 0;
}
