#include "engine/eng_sniff.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The BMP signature "BM" is only two bytes, so a BMP is also required to carry one of the known
 * info-header sizes right after the 14-byte file header; plain text starting with "BM" is not a BMP. */
static int looks_like_bmp(const unsigned char *p, size_t len)
{
    if (len < 26 || p[0] != 'B' || p[1] != 'M')
        return 0;
    unsigned hsize = (unsigned)p[14] | (unsigned)p[15] << 8 | (unsigned)p[16] << 16 | (unsigned)p[17] << 24;
    switch (hsize) {
    case 12:  /* OS/2 BITMAPCOREHEADER */
    case 40:  /* BITMAPINFOHEADER */
    case 52:  /* BITMAPV2INFOHEADER */
    case 56:  /* BITMAPV3INFOHEADER */
    case 64:  /* OS/2 v2 */
    case 108: /* BITMAPV4HEADER */
    case 124: /* BITMAPV5HEADER */
        return 1;
    default:
        return 0;
    }
}

eng_format_t eng_sniff(const void *buf, size_t len)
{
    const unsigned char *p = buf;

    if (p == NULL || len < 4)
        return ENG_FMT_UNKNOWN;
    if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return ENG_FMT_PNG;
    if (p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return ENG_FMT_JPEG;
    /* Classic TIFF (42) and BigTIFF (43), both byte orders. */
    if ((p[0] == 'I' && p[1] == 'I' && (p[2] == 42 || p[2] == 43) && p[3] == 0) ||
        (p[0] == 'M' && p[1] == 'M' && p[2] == 0 && (p[3] == 42 || p[3] == 43)))
        return len >= 8 ? ENG_FMT_TIFF : ENG_FMT_UNKNOWN;
    if (len >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
        return ENG_FMT_GIF;
    if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
        return ENG_FMT_WEBP;
    if (looks_like_bmp(p, len))
        return ENG_FMT_BMP;
    if (len >= 5) {
        size_t lim = len < 1024 ? len : 1024;
        if (memmem(p, lim, "%PDF-", 5) != NULL)
            return ENG_FMT_PDF;
    }
    return ENG_FMT_UNKNOWN;
}

/* The accepted input types, defined once: /v1/formats lists the MIME types and the 415 sentence the display
 * names, in this order. */
static const struct {
    eng_format_t fmt;
    const char *mime, *name, *display;
} formats[] = {
    {ENG_FMT_PNG, "image/png", "png", "PNG"},       {ENG_FMT_JPEG, "image/jpeg", "jpeg", "JPEG"},
    {ENG_FMT_TIFF, "image/tiff", "tiff", "TIFF"},   {ENG_FMT_BMP, "image/bmp", "bmp", "BMP"},
    {ENG_FMT_GIF, "image/gif", "gif", "GIF"},       {ENG_FMT_WEBP, "image/webp", "webp", "WebP"},
    {ENG_FMT_PDF, "application/pdf", "pdf", "PDF"},
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

size_t eng_input_count(void)
{
    return NFORMATS;
}

eng_format_t eng_input_at(size_t i)
{
    return i < NFORMATS ? formats[i].fmt : ENG_FMT_UNKNOWN;
}

char *eng_input_names(char *buf, size_t len)
{
    size_t o = 0;
    if (len == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < NFORMATS && o < len; ++i) {
        const char *sep = i == 0 ? "" : i + 1 == NFORMATS ? " or " : ", ";
        int n = snprintf(buf + o, len - o, "%s%s", sep, formats[i].display);
        o += n > 0 ? (size_t)n : 0;
    }
    return buf;
}

/* Aliases seen in the wild (browsers, old scanners, Windows registries). */
static const struct {
    const char *mime;
    eng_format_t fmt;
} aliases[] = {
    {"image/jpg", ENG_FMT_JPEG},        {"image/pjpeg", ENG_FMT_JPEG},
    {"image/x-png", ENG_FMT_PNG},       {"image/tif", ENG_FMT_TIFF},
    {"image/x-tiff", ENG_FMT_TIFF},     {"image/x-bmp", ENG_FMT_BMP},
    {"image/x-ms-bmp", ENG_FMT_BMP},    {"image/x-windows-bmp", ENG_FMT_BMP},
    {"application/x-pdf", ENG_FMT_PDF}, {"application/acrobat", ENG_FMT_PDF},
};

const char *eng_format_mime(eng_format_t fmt)
{
    for (size_t i = 0; i < NFORMATS; ++i)
        if (formats[i].fmt == fmt)
            return formats[i].mime;
    return NULL;
}

const char *eng_format_name(eng_format_t fmt)
{
    for (size_t i = 0; i < NFORMATS; ++i)
        if (formats[i].fmt == fmt)
            return formats[i].name;
    return "unknown";
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

eng_format_t eng_format_from_mime(const char *mime, size_t len)
{
    if (mime == NULL)
        return ENG_FMT_UNKNOWN;
    const char *semi = memchr(mime, ';', len);
    if (semi != NULL)
        len = (size_t)(semi - mime);
    while (len > 0 && is_space(*mime))
        ++mime, --len;
    while (len > 0 && is_space(mime[len - 1]))
        --len;
    if (len == 0)
        return ENG_FMT_UNKNOWN;
    for (size_t i = 0; i < NFORMATS; ++i)
        if (strlen(formats[i].mime) == len && strncasecmp(formats[i].mime, mime, len) == 0)
            return formats[i].fmt;
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); ++i)
        if (strlen(aliases[i].mime) == len && strncasecmp(aliases[i].mime, mime, len) == 0)
            return aliases[i].fmt;
    return ENG_FMT_UNKNOWN;
}
