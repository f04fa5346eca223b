/*
 * eng_bytes: little helpers over untrusted bytes for the header parsers (eng_doc.c, eng_tiff.c): every read
 * is bounds-checked by the caller through `have`. Header-only, pure.
 */
#ifndef OCRGATE_ENG_BYTES_H
#define OCRGATE_ENG_BYTES_H

#include <stddef.h>
#include <stdint.h>

static inline int have(size_t len, uint64_t off, uint64_t n)
{
    return off <= len && n <= len - off;
}

static inline uint32_t rd16(const unsigned char *p, int be)
{
    return be ? (uint32_t)p[0] << 8 | p[1] : (uint32_t)p[1] << 8 | p[0];
}

static inline uint32_t rd32(const unsigned char *p, int be)
{
    return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
              : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static inline uint64_t rd64(const unsigned char *p, int be)
{
    return be ? (uint64_t)rd32(p, 1) << 32 | rd32(p + 4, 1) : (uint64_t)rd32(p + 4, 0) << 32 | rd32(p, 0);
}

static inline int depth_of(int bps, int spp)
{
    if (spp >= 2)
        return 32; /* leptonica holds RGB, RGBA and gray+alpha as 32 bpp */
    if (bps <= 1)
        return 1;
    if (bps <= 2)
        return 2;
    if (bps <= 4)
        return 4;
    if (bps <= 8)
        return 8;
    return 16;
}

#endif
