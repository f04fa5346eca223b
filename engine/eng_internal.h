/*
 * Internals shared by the engine's .c files (not for use outside engine/): error sentences, a growable
 * string, and the PDF information-dictionary update. Same threading rules as the callers.
 */
#ifndef OCRGATE_ENG_INTERNAL_H
#define OCRGATE_ENG_INTERNAL_H

#include <stddef.h>

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

/* Appends an incremental update to the PDF in *bytes (malloc'ed, replaced on success) whose new document
 * information dictionary carries Producer, CreationDate and the given Title/Author/Subject/Keywords (UTF-8,
 * NULL = absent). Returns 0, or -1 if the PDF's trailer could not be understood (bytes unchanged). */
__attribute__((warn_unused_result)) int eng__pdf_update_info(unsigned char **bytes, size_t *len,
                                                             const char *title, const char *author,
                                                             const char *subject, const char *keywords);

#endif
