/*
 * eng_util: the bottom of the engine. Process-wide set-up (eng_global_init), the library versions, and the
 * internals every engine file shares (error sentences, a growable string); names with a double underscore
 * (eng__) are for engine/ only. It calls nothing else in the engine, so that every engine file may call it.
 *
 * Threads: everything here is callable from any thread. eng_version() and eng_leptonica_version() return
 * static strings.
 */
#ifndef OCRGATE_ENG_UTIL_H
#define OCRGATE_ENG_UTIL_H

#include <stddef.h>

/* Silences leptonica's and tesseract's stderr chatter process-wide (corrupt uploads would otherwise fill the
 * log with library messages; every failure comes back to the caller as a sentence instead). Idempotent and
 * thread-safe; called by eng_doc_probe, eng_doc_decode_page and eng_ocr_create, and best called once from
 * main() before threads start. Set OCRGATE_ENGINE_VERBOSE=1 in the environment to keep the chatter. */
void eng_global_init(void);

const char *eng_version(void);           /* "tesseract 5.3.0" */
const char *eng_leptonica_version(void); /* "leptonica 1.82.0" */

__attribute__((format(printf, 3, 4))) void eng__set_err(char *err, size_t errlen, const char *fmt, ...);

/* A growable NUL-terminated string; zero-initialise, free(b.s) when done. */
typedef struct {
    char *s;
    size_t len, cap;
} eng_buf_t;

__attribute__((warn_unused_result)) int eng__buf_addn(eng_buf_t *b, const char *s, size_t n);
__attribute__((warn_unused_result)) int eng__buf_add(eng_buf_t *b, const char *s);
/* Appends s with & < > " ' escaped for XML text and attribute values. */
__attribute__((warn_unused_result)) int eng__buf_add_xml(eng_buf_t *b, const char *s);

#endif
