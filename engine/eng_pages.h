/*
 * eng_pages: the `pages` option, a selection of a document's pages such as "1-3,5,8-": comma-separated
 * parts, each a page number or a range first-last (both included) or an open range first- (to the end);
 * 1-based, in document order (every part starts after the previous one ends). Spaces around numbers, dashes
 * and commas are allowed. Pages beyond the end of the document are simply not there: "8-" of a 5-page
 * document selects nothing, and "2-9" of a 5-page document selects pages 2 to 5.
 *
 * Pure data and functions: callable from any thread; an eng_pages_t is a plain value (copy it freely).
 */
#ifndef OCRGATE_ENG_PAGES_H
#define OCRGATE_ENG_PAGES_H

#include <stddef.h>

#define ENG_PAGES_MAX_LEN 200     /* characters of the option; also bounds the number of parts */
#define ENG_PAGES_MAX_PARTS 100   /* "1,3,5,..." in ENG_PAGES_MAX_LEN characters */
#define ENG_PAGES_MAX_PAGE 100000 /* highest page number accepted (ENG_DOC_MAX_PAGES_HARD) */

typedef struct {
    int nparts; /* 0 = no selection: every page */
    struct {
        int first, last; /* 1-based, inclusive; last = 0: to the end of the document */
    } part[ENG_PAGES_MAX_PARTS];
} eng_pages_t;

/* Parses s[0..len) into *out. On failure returns -1, *out selects every page, and err holds a sentence that
 * names the problem (for a 400 InvalidInput): "The pages option '1-3,,5' has an empty part at position 5." */
__attribute__((warn_unused_result)) int eng_pages_parse(const char *s, size_t len, eng_pages_t *out,
                                                        char *err, size_t errlen);

/* Whether 1-based page n is selected. */
int eng_pages_selected(const eng_pages_t *p, int n);
/* Number of pages selected in a document of npages pages (0: the selection names no existing page). */
int eng_pages_count(const eng_pages_t *p, int npages);
/* Whether the selection names any page of a document of npages pages. */
int eng_pages_any(const eng_pages_t *p, int npages);

#endif
