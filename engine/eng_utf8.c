/* Strict UTF-8 decoding and repair (see eng_utf8.h). */
#include "engine/eng_utf8.h"

#include <stdlib.h>
#include <string.h>

long eng_utf8_decode(const char *s, size_t len, size_t *adv)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned long cp, min;
    size_t n;

    *adv = 1;
    if (p[0] < 0x80)
        return p[0];
    if ((p[0] & 0xE0) == 0xC0) {
        n = 2, cp = p[0] & 0x1Fu, min = 0x80;
    } else if ((p[0] & 0xF0) == 0xE0) {
        n = 3, cp = p[0] & 0x0Fu, min = 0x800;
    } else if ((p[0] & 0xF8) == 0xF0) {
        n = 4, cp = p[0] & 0x07u, min = 0x10000;
    } else {
        return -1; /* continuation byte or 0xF8..0xFF */
    }
    if (len < n)
        return -1;
    for (size_t i = 1; i < n; ++i) {
        if ((p[i] & 0xC0) != 0x80)
            return -1;
        cp = cp << 6 | (p[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return -1;
    *adv = n;
    return (long)cp;
}

size_t eng_utf8_encode(unsigned long cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

char *eng_utf8_repair(const char *s, size_t len, size_t *outlen)
{
    /* Each input byte grows to at most 3 bytes (U+FFFD). */
    char *out = malloc(len * 3 + 1), *q = out;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t adv;
        long cp = eng_utf8_decode(s + i, len - i, &adv);
        if (cp <= 0) {
            q += eng_utf8_encode(ENG_UTF8_REPLACEMENT, q);
        } else {
            memcpy(q, s + i, adv);
            q += adv;
        }
        i += adv;
    }
    *q = '\0';
    if (outlen != NULL)
        *outlen = (size_t)(q - out);
    return out;
}

int eng_utf8_cut(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    /* Cut inside a sequence when the byte after the cut continues it: back to that sequence's first byte. */
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        --n;
    return (int)n;
}
