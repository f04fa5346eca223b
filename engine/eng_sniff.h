/*
 * eng_sniff: decides what kind of document a byte buffer holds, from its magic bytes only (never from a
 * file name or a client's Content-Type), and maps formats to and from MIME types.
 *
 * Pure functions over caller-owned memory: callable from any thread, nothing is allocated, returned strings
 * are static.
 */
#ifndef OCRGATE_ENG_SNIFF_H
#define OCRGATE_ENG_SNIFF_H

#include <stddef.h>

typedef enum {
    ENG_FMT_UNKNOWN = 0,
    ENG_FMT_PNG,
    ENG_FMT_JPEG,
    ENG_FMT_TIFF,
    ENG_FMT_BMP,
    ENG_FMT_GIF,
    ENG_FMT_WEBP,
    ENG_FMT_PDF,
} eng_format_t;

/* Returns the format whose signature starts the buffer, ENG_FMT_UNKNOWN for anything else (including empty
 * or too-short buffers). PDF is also recognized when "%PDF-" starts within the first 1024 bytes, as PDF
 * readers tolerate leading junk there. */
eng_format_t eng_sniff(const void *buf, size_t len);

/* "image/png", "image/jpeg", "image/tiff", "image/bmp", "image/gif", "image/webp", "application/pdf";
 * NULL for ENG_FMT_UNKNOWN or an out-of-range value. */
const char *eng_format_mime(eng_format_t fmt);

/* Short lower-case name ("png", "jpeg", ..., "pdf"), "unknown" for ENG_FMT_UNKNOWN. */
const char *eng_format_name(eng_format_t fmt);

/* Maps a Content-Type value to a format: case-insensitive, ignores surrounding white space and any
 * "; parameters", accepts common aliases (image/jpg, image/pjpeg, image/x-ms-bmp, image/x-tiff, ...).
 * `mime` need not be NUL-terminated; `len` is its length. Unknown or NULL -> ENG_FMT_UNKNOWN. */
eng_format_t eng_format_from_mime(const char *mime, size_t len);

/* The accepted input types in the order /v1/formats lists them: eng_input_at(0 .. eng_input_count() - 1). */
size_t eng_input_count(void);
eng_format_t eng_input_at(size_t i);
/* Writes the accepted types for a sentence, "PNG, JPEG, TIFF, BMP, GIF, WebP or PDF", into buf (truncated
 * output stays NUL-terminated). Returns buf. */
char *eng_input_names(char *buf, size_t len);

#endif
