/*
 * Hand-made TIFFs for tests of the TIFF probe: little-endian, classic or BigTIFF, any number of pages, 8-bit
 * grey PackBits strips (so a large page costs few bytes), and the lies a hostile upload tells: a second
 * ImageWidth/ImageLength entry that disagrees with the first, strip byte counts that do not match the data.
 * Header-only; the caller owns the returned buffer (free()).
 */
#ifndef OCRGATE_TEST_CRAFTED_TIFF_H
#define OCRGATE_TEST_CRAFTED_TIFF_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint32_t w, h;         /* first ImageWidth/ImageLength entries (what libtiff decodes) */
    uint32_t dup_w, dup_h; /* later duplicate entries (0: none) */
    int64_t count_delta;   /* added to the true StripByteCounts (a strip that lies) */
} crafted_page_t;

typedef struct {
    unsigned char *p;
    size_t len, cap;
} crafted_buf_t;

static void crafted_put(crafted_buf_t *b, uint64_t v, int n)
{
    if (b->len + (size_t)n > b->cap) {
        b->cap = (b->len + (size_t)n) * 2;
        b->p = realloc(b->p, b->cap);
    }
    for (int i = 0; i < n; ++i)
        b->p[b->len++] = (unsigned char)(v >> (8 * i));
}

static void crafted_set(crafted_buf_t *b, size_t at, uint64_t v, int n)
{
    for (int i = 0; i < n; ++i)
        b->p[at + (size_t)i] = (unsigned char)(v >> (8 * i));
}

static void crafted_entry(crafted_buf_t *b, int big, uint16_t tag, uint64_t value)
{
    crafted_put(b, tag, 2);
    crafted_put(b, big ? 16 : 4, 2); /* LONG8 or LONG */
    crafted_put(b, 1, big ? 8 : 4);
    crafted_put(b, value, big ? 8 : 4);
}

static unsigned char *crafted_tiff(int big, const crafted_page_t *pages, int npages, size_t *len)
{
    crafted_buf_t b = {NULL, 0, 0};
    crafted_put(&b, 'I' | 'I' << 8, 2);
    crafted_put(&b, big ? 43 : 42, 2);
    if (big) {
        crafted_put(&b, 8, 2);
        crafted_put(&b, 0, 2);
    }
    size_t next_at = b.len;
    crafted_put(&b, 0, big ? 8 : 4);
    for (int i = 0; i < npages; ++i) {
        const crafted_page_t *pg = &pages[i];
        /* One strip of PackBits runs (up to 128 bytes of mid grey per two bytes; a run never crosses a row).
         */
        size_t strip = b.len;
        for (uint32_t y = 0; y < pg->h; ++y)
            for (uint32_t todo = pg->w; todo > 0;) {
                uint32_t run = todo > 128 ? 128 : todo;
                crafted_put(&b, (uint64_t)(uint8_t)(int8_t)(1 - (int)run), 1);
                crafted_put(&b, 0x80, 1);
                todo -= run;
            }
        uint64_t count = (uint64_t)((int64_t)(b.len - strip) + pg->count_delta);
        if (b.len % 2)
            crafted_put(&b, 0, 1);
        crafted_set(&b, next_at, b.len, big ? 8 : 4);
        int n = 9 + (pg->dup_w ? 1 : 0) + (pg->dup_h ? 1 : 0);
        crafted_put(&b, (uint64_t)n, big ? 8 : 2);
        crafted_entry(&b, big, 256, pg->w);
        if (pg->dup_w)
            crafted_entry(&b, big, 256, pg->dup_w);
        crafted_entry(&b, big, 257, pg->h);
        if (pg->dup_h)
            crafted_entry(&b, big, 257, pg->dup_h);
        crafted_entry(&b, big, 258, 8);
        crafted_entry(&b, big, 259, 32773); /* PackBits */
        crafted_entry(&b, big, 262, 1);     /* BlackIsZero */
        crafted_entry(&b, big, 273, strip);
        crafted_entry(&b, big, 277, 1);
        crafted_entry(&b, big, 278, pg->h);
        crafted_entry(&b, big, 279, count);
        next_at = b.len;
        crafted_put(&b, 0, big ? 8 : 4);
    }
    *len = b.len;
    return b.p;
}

#endif
