/*
 * eng_utf8: strict UTF-8 decoding and repair for everything the engine writes into documents and JSON
 * (office outputs, barcode values). Recognized text and barcode payloads are bytes from outside; no output
 * may carry invalid UTF-8, so each ill-formed sequence (overlong, surrogate, beyond U+10FFFF, truncated,
 * stray continuation byte) becomes one U+FFFD per offending byte.
 *
 * Pure functions: callable from any thread. eng_utf8_repair's result is malloc'ed; the caller free()s it.
 */
#ifndef OCRGATE_ENG_UTF8_H
#define OCRGATE_ENG_UTF8_H

#include <stddef.h>

#define ENG_UTF8_REPLACEMENT 0xFFFDu

/* Decodes the code point at s[0..len) (len >= 1). Returns it and sets *adv to the bytes it took; an
 * ill-formed sequence returns -1 with *adv = 1 (resynchronizing at the next byte). */
long eng_utf8_decode(const char *s, size_t len, size_t *adv);

/* Writes cp (<= 0x10FFFF, not a surrogate) as UTF-8 into out; returns the byte count (1..4). */
size_t eng_utf8_encode(unsigned long cp, char out[4]);

/* A NUL-terminated copy of s[0..len) with every ill-formed byte replaced by U+FFFD (NUL bytes too, so
 * that the copy's length is its content). *outlen (optional) gets the copy's length. NULL on out-of-memory.
 */
char *eng_utf8_repair(const char *s, size_t len, size_t *outlen);

/* How many bytes of s (NUL-terminated) to quote, at most max, without cutting a UTF-8 sequence: for a
 * message that quotes the start of an input as "%.*s" (a cut sequence makes the whole message invalid UTF-8,
 * which JSON cannot carry). */
int eng_utf8_cut(const char *s, size_t max);

#endif
