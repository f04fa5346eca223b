/*
 * What the office writers (eng_docx.c, eng_odt.c, eng_rtf.c, eng_epub.c, eng_mht.c) share, implemented in
 * eng_office.c: escaping, markup of paragraphs, metadata elements, dates. Engine-internal; same threading
 * rules as the writers (pure, any thread).
 */
#ifndef OCRGATE_ENG_OFFICE_INTERNAL_H
#define OCRGATE_ENG_OFFICE_INTERNAL_H

#include <stddef.h>
#include <time.h>

#include "engine/eng_util.h"
#include "engine/eng_office.h"

/* Appends s[0..n) escaped for XML text and attribute values (& < > " '), repaired as the header says. */
__attribute__((warn_unused_result)) int eng__office_add_xml(eng_buf_t *b, const char *s, size_t n);
/* eng__office_add_xml of a NUL-terminated string; NULL appends nothing. */
__attribute__((warn_unused_result)) int eng__office_add_xmls(eng_buf_t *b, const char *s);
/* eng__buf_add of a printf format. */
__attribute__((warn_unused_result, format(printf, 2, 3))) int eng__office_addf(eng_buf_t *b, const char *fmt,
                                                                               ...);
/* The document's title, "Untitled" when it has none (EPUB and MHT require one). */
const char *eng__office_title(const eng_office_doc_t *doc);
/* The page number to write for pages[i]. */
int eng__office_page_no(const eng_office_doc_t *doc, int i);
/* Number of pages that will be written (text not NULL); fills err and returns 0 when there is none or the
 * model is invalid (page numbers not increasing). */
int eng__office_check(const eng_office_doc_t *doc, const char *format, char *err, size_t errlen);
/* doc->modified (or now) as UTC broken-down time and as "2026-12-01T14:55:00Z" (buf of >= 21 bytes). */
void eng__office_time(const eng_office_doc_t *doc, struct tm *tm, char *iso, size_t isolen);
/* How a writer marks up the paragraphs of one page. */
typedef struct {
    const char *open_break;             /* opens the first paragraph of a page that follows a page break */
    const char *open;                   /* opens any other paragraph */
    const char *line_open, *line_close; /* around the text of each line */
    const char *line_break;             /* between the lines of a paragraph */
    const char *close;                  /* closes a paragraph */
    const char *empty_break, *empty;    /* a page without text, after a page break or not */
    int (*add_text)(eng_buf_t *b, const char *s, size_t n); /* escapes a line's text */
} eng_office_markup_t;
/* Appends the paragraphs of one page's text with markup m. */
__attribute__((warn_unused_result)) int eng__office_add_page(eng_buf_t *b, const char *text, int after_break,
                                                             const eng_office_markup_t *m);
/* HTML paragraphs (<p>line<br/>line</p>, valid XHTML too), for EPUB and MHT. */
extern const eng_office_markup_t eng__office_html;
/* Appends <tag>value</tag> (value escaped); nothing when value is NULL or "". */
__attribute__((warn_unused_result)) int eng__office_add_element(eng_buf_t *b, const char *tag,
                                                                const char *value);
/* Appends <tag>keyword</tag> for each keyword of a comma- or semicolon-separated list (trimmed, empty ones
 * left out), for the formats that hold keywords one per element. */
__attribute__((warn_unused_result)) int eng__office_add_keywords(eng_buf_t *b, const char *keywords,
                                                                 const char *tag);
/* One <dc:language> per document language, or one "und" when none is known. */
__attribute__((warn_unused_result)) int eng__office_add_dc_languages(eng_buf_t *b,
                                                                     const eng_office_doc_t *doc);
/* Hands the buffer's bytes to the caller (""-terminated even when empty); NULL on out-of-memory. */
int eng__office_take(eng_buf_t *b, unsigned char **out, size_t *len, char *err, size_t errlen);

#endif
