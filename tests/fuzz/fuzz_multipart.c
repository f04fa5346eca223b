/*
 * libFuzzer target for gw_multipart. The input is a Content-Type value and a body separated by the first NUL
 * byte among the first 128 (without one, the Content-Type is a fixed one with boundary "bnd" and the whole
 * input is the body). The body is copied into a block of exactly its size so that ASan sees any read past it.
 * A success must hold parts that lie inside the body (or the part's own buffer), with non-empty names.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gw_multipart.h"

#define FUZZ_MULTIPART_MAX 8

static int fuzz_multipart_inside(const char *p, size_t n, const char *base, size_t len)
{
    return p >= base && n <= len && p - base <= (ptrdiff_t)(len - n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char fixed[] = "multipart/form-data; boundary=bnd";
    const char *ct = fixed;
    size_t ctlen = sizeof(fixed) - 1;
    const uint8_t *nul = memchr(data, '\0', size < 128 ? size : 128);
    if (nul != NULL) {
        ct = (const char *)data;
        ctlen = (size_t)(nul - data);
        size -= ctlen + 1;
        data = nul + 1;
    }
    char *body = malloc(size ? size : 1);
    memcpy(body, data, size);
    gw_part_t *parts = malloc(sizeof(*parts) * FUZZ_MULTIPART_MAX);
    size_t n = 99;
    char err[256] = "";

    if (gw_multipart_parse(ct, ctlen, body, size, parts, FUZZ_MULTIPART_MAX, &n, err, sizeof(err)) == 0) {
        if (n > FUZZ_MULTIPART_MAX)
            abort();
        for (size_t i = 0; i < n; ++i) {
            const gw_part_t *p = &parts[i];
            const char *u = p->unescaped;
            size_t ul = sizeof(p->unescaped);
            if (p->name == NULL || p->name_len == 0 ||
                !(fuzz_multipart_inside(p->name, p->name_len, body, size) ||
                  fuzz_multipart_inside(p->name, p->name_len, u, ul)))
                abort();
            if (p->filename != NULL && !fuzz_multipart_inside(p->filename, p->filename_len, body, size) &&
                !fuzz_multipart_inside(p->filename, p->filename_len, u, ul))
                abort();
            if (p->content_type != NULL &&
                !fuzz_multipart_inside(p->content_type, p->content_type_len, body, size))
                abort();
            if (!fuzz_multipart_inside(p->data, p->len, body, size))
                abort();
            if (i > 0 && p->data < parts[i - 1].data + parts[i - 1].len)
                abort(); /* parts are in order and do not overlap */
        }
        if (n > 0) {
            char name[64];
            size_t nl = parts[0].name_len < sizeof(name) - 1 ? parts[0].name_len : 0;
            memcpy(name, parts[0].name, nl);
            name[nl] = '\0';
            if (nl > 0 && memchr(name, '\0', nl) == NULL && gw_multipart_find(parts, n, name) != &parts[0])
                abort();
        }
    } else if (err[0] == '\0') {
        abort();
    }
    free(parts);
    free(body);
    return 0;
}
