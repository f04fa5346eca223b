/*
 * eng_pdf_merge: one searchable PDF from the one-page PDFs of a job's pages (tesseract's renderer makes each
 * page's on the worker that recognized it, eng_pdf_begin .. eng_pdf_end), in the order given, with the
 * document information dictionary (Producer, CreationDate and the job's Title, Author, Subject, Keywords).
 * This is the only place that writes a searchable PDF's document information.
 *
 * Done by libqpdf (Debian's libqpdf29, through its C API): pages are copied with their resources, stream data
 * as it is (no decoding, no recompression), written with a classic cross-reference table and without object
 * streams, so every reader opens the file.
 *
 * Threads: any thread; each call has qpdf objects of its own and no state is shared between calls.
 * Ownership: the parts are read, never kept or modified, and must stay valid during the call; on success *out
 * is malloc'ed (the caller free()s it); on failure *out is NULL and err holds a sentence.
 */
#ifndef OCRGATE_ENG_PDF_MERGE_H
#define OCRGATE_ENG_PDF_MERGE_H

#include <stddef.h>

#include "engine/eng_ocr.h" /* eng_pdf_meta_t */

typedef struct {
    const unsigned char *bytes; /* a whole PDF (its every page is taken, in its order) */
    size_t len;
} eng_pdf_part_t;

/* Merges `n` (>= 1) parts into one PDF with `meta` (NULL or any field NULL: left out) as its document
 * information. */
__attribute__((warn_unused_result)) int eng_pdf_merge(const eng_pdf_part_t *parts, size_t n,
                                                      const eng_pdf_meta_t *meta, unsigned char **out,
                                                      size_t *out_len, char *err, size_t errlen);

#endif
