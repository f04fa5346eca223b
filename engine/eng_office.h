/*
 * eng_office: the document model that the office writers take, and the writers themselves. One writer per
 * file: eng_docx.c (Office Open XML), eng_odt.c (OpenDocument text), eng_rtf.c (RTF 1.9), eng_epub.c
 * (EPUB 3) and eng_mht.c (MHTML, RFC 2557); this file's eng_office.c holds what they share (splitting a
 * page's text into paragraphs and lines, the document languages; their internal helpers are in
 * eng_office_internal.h).
 *
 * Structure of every output: the pages in the order given, each page's paragraphs in reading order (the
 * page text as eng_ocr_page returns it: lines end with \n, a blank line between paragraphs), the lines of a
 * paragraph kept as line breaks inside it (the result reproduces the recognized lines exactly, as the text
 * result does, without guessing at hyphenation), a page break between pages (docx, odt, rtf, mht; EPUB has
 * one XHTML document per page), the document language(s) and the metadata. Error pages (text NULL) are left
 * out, as the text result leaves them out; a document without any page to write is refused.
 *
 * Every text is written through eng_utf8: ill-formed UTF-8 becomes U+FFFD and characters that XML 1.0
 * forbids (C0 controls other than tab and newline, U+FFFE, U+FFFF) are dropped, so no output carries
 * invalid UTF-8 or invalid XML.
 *
 * Pure functions over the caller's model (never modified or kept): callable from any thread. Each writer
 * returns a malloc'ed buffer in *out (the caller free()s it) and its length; on failure *out is NULL and err
 * holds a sentence.
 */
#ifndef OCRGATE_ENG_OFFICE_H
#define OCRGATE_ENG_OFFICE_H

#include <stddef.h>

#include "engine/eng_ocr.h" /* eng_pdf_meta_t: the job's document metadata, one definition for every output */

typedef struct {
    int page_no;      /* the document's own page number, 1-based; 0 = position in pages[] + 1 */
    const char *text; /* the page text as eng_ocr_page returns it (UTF-8); NULL = error page, left out */
    const unsigned char *png; /* the page image as processed (PNG, eng_image_png); only MHT embeds it; NULL =
                                 no image */
    size_t png_len;
} eng_office_page_t;

typedef struct {
    const eng_office_page_t *pages;
    int npages;
    const char *languages;  /* the job's tesseract languages, "eng" or "eng+deu"; NULL or "" = "eng" */
    eng_pdf_meta_t meta;    /* title, author, subject, keywords (pdfTitle, ...); any may be NULL */
    const char *identifier; /* the document's unique identifier (EPUB's dc:identifier), e.g. "urn:uuid:"
                               + the job id; NULL = "urn:ocrgate:document" */
    long long modified;     /* modification (and creation) time written into the metadata, Unix seconds UTC
                               (the job's finish time); <= 0 = now */
} eng_office_doc_t;

/* The writers: one signature, so that the formats table can hold them as renderers. */
typedef int (*eng_office_writer_t)(const eng_office_doc_t *doc, unsigned char **out, size_t *len, char *err,
                                   size_t errlen);
__attribute__((warn_unused_result)) int eng_docx_write(const eng_office_doc_t *doc, unsigned char **out,
                                                       size_t *len, char *err, size_t errlen);
__attribute__((warn_unused_result)) int eng_odt_write(const eng_office_doc_t *doc, unsigned char **out,
                                                      size_t *len, char *err, size_t errlen);
__attribute__((warn_unused_result)) int eng_rtf_write(const eng_office_doc_t *doc, unsigned char **out,
                                                      size_t *len, char *err, size_t errlen);
__attribute__((warn_unused_result)) int eng_epub_write(const eng_office_doc_t *doc, unsigned char **out,
                                                       size_t *len, char *err, size_t errlen);
__attribute__((warn_unused_result)) int eng_mht_write(const eng_office_doc_t *doc, unsigned char **out,
                                                      size_t *len, char *err, size_t errlen);

/* A page text split into paragraphs of lines. Lines point into the text they were split from (not owned);
 * a line has no \n and no trailing white space; blank lines (white space only) separate paragraphs and are
 * not kept; \r\n counts as \n and a form feed as a paragraph break. */
typedef struct {
    const char *s;
    size_t len;
} eng_span_t;
typedef struct {
    size_t first, n; /* lines[first .. first + n) */
} eng_para_t;
typedef struct {
    eng_span_t *lines;
    size_t nlines;
    eng_para_t *paras;
    size_t nparas;
} eng_paras_t;

/* Splits text (NULL = "") into *out (overwritten; free with eng_paras_free). -1 on out-of-memory. */
__attribute__((warn_unused_result)) int eng_paras_split(const char *text, eng_paras_t *out);
void eng_paras_free(eng_paras_t *p); /* NULL-safe, idempotent */

/* A document language: tesseract code, BCP 47 tag, Windows LCID (RTF's \lang). */
typedef struct {
    const char *tess, *bcp47;
    int lcid;
} eng_office_lang_t;

#define ENG_OFFICE_MAX_LANGS 16

/* The BCP 47 languages of a "eng+deu" option, in its order, duplicates and codes without a mapping (e.g.
 * "osd", scripts) left out, at most `max`. Returns how many were written to out[]. When none is known the
 * writers say "und" (undetermined), which EPUB and ODF require rather than nothing. */
size_t eng_office_languages(const char *languages, const eng_office_lang_t **out, size_t max);
/* The row of one tesseract code (exact), or NULL. */
const eng_office_lang_t *eng_office_lang_find(const char *tess, size_t len);
/* The primary language of a document: the first known, else the "und" row (LCID 1024, no language). */
const eng_office_lang_t *eng_office_primary_language(const eng_office_doc_t *doc);

#endif
