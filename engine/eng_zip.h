/*
 * eng_zip: zip containers in memory (docx, odt, epub), written by libzip. Entries are written in the order
 * they are added, so that a format's first entry (ODF's and EPUB's `mimetype`, stored uncompressed) comes
 * first; every entry carries the document's time, so that the same document gives the same bytes.
 *
 * Engine-internal. One eng_zip_t per document, used by one thread; the bytes eng__zip_finish returns are
 * malloc'ed and the caller free()s them.
 */
#ifndef OCRGATE_ENG_ZIP_H
#define OCRGATE_ENG_ZIP_H

#include <stddef.h>
#include <time.h>

#include "engine/eng_util.h"

typedef struct eng_zip eng_zip_t;

/* NULL on out-of-memory. mtime: the entries' modification time. */
eng_zip_t *eng__zip_create(time_t mtime);
/* Adds an entry with a copy of data[0..len); store = 1 keeps it uncompressed, else deflate. */
__attribute__((warn_unused_result)) int eng__zip_add(eng_zip_t *z, const char *name, const void *data,
                                                     size_t len, int store);
/* Writes the archive and frees z (also on failure). */
__attribute__((warn_unused_result)) int eng__zip_finish(eng_zip_t *z, unsigned char **out, size_t *len);
void eng__zip_abort(eng_zip_t *z); /* NULL-safe */

/* The writers' way: each part is built in one eng_buf_t, added by eng__zip_add_buf (which empties the buffer
 * for the next part), and eng__zip_done ends the document: with rc 0 it finishes the archive into *out,
 * otherwise (or when z is NULL) it discards it; it frees b and z either way and, on failure, fills err with
 * "Out of memory while writing the <format> result." */
__attribute__((warn_unused_result)) int eng__zip_add_buf(eng_zip_t *z, const char *name, eng_buf_t *b);
__attribute__((warn_unused_result)) int eng__zip_done(eng_zip_t *z, eng_buf_t *b, int rc, const char *format,
                                                      unsigned char **out, size_t *len, char *err,
                                                      size_t errlen);

#endif
