/*
 * The RTF writer (RTF 1.9.1; see eng_office.h for the structure): \deflang from the primary document
 * language, an \info group with title, subject, author, keywords and dates, one \par per paragraph with \line
 * between its lines, and \pagebb (page break before) on the first paragraph of every page after the first.
 * Text is escaped as RTF wants it: \ { } with a backslash, tab as \tab, other control characters dropped,
 * everything beyond ASCII as \uN? (N signed 16-bit, astral characters as a UTF-16 surrogate pair, one '?'
 * fallback each under \uc1), so the file is plain 7-bit ASCII. Pure; any thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_office_internal.h"
#include "engine/eng_utf8.h"

static int add_unit(eng_buf_t *b, unsigned long u)
{
    return eng__office_addf(b, "\\u%d ?", u > 32767 ? (int)u - 65536 : (int)u);
}

static int add_rtf_text(eng_buf_t *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t adv;
        long cp = eng_utf8_decode(s + i, n - i, &adv);
        int rc = 0;
        if (cp < 0)
            cp = ENG_UTF8_REPLACEMENT;
        if (cp == '\\' || cp == '{' || cp == '}') {
            char e[2] = {'\\', (char)cp};
            rc = eng__buf_addn(b, e, 2);
        } else if (cp == '\t') {
            rc = eng__buf_add(b, "\\tab ");
        } else if (cp < 0x20 || cp == 0x7F) {
            rc = 0; /* control characters have no place in a document */
        } else if (cp < 0x80) {
            char c = (char)cp;
            rc = eng__buf_addn(b, &c, 1);
        } else if (cp < 0x10000) {
            rc = add_unit(b, (unsigned long)cp);
        } else {
            unsigned long v = (unsigned long)cp - 0x10000;
            rc = add_unit(b, 0xD800 + (v >> 10)) != 0 || add_unit(b, 0xDC00 + (v & 0x3FF)) != 0 ? -1 : 0;
        }
        if (rc != 0)
            return -1;
        i += adv;
    }
    return 0;
}

static const eng_office_markup_t markup = {
    .open_break = "\\pard\\plain\\pagebb\\sa160\\f0\\fs24 ",
    .open = "\\pard\\plain\\sa160\\f0\\fs24 ",
    .line_open = "",
    .line_close = "",
    .line_break = "\\line ",
    .close = "\\par\n",
    .empty_break = "\\pard\\plain\\pagebb\\f0\\fs24\\par\n",
    .empty = "\\pard\\plain\\f0\\fs24\\par\n",
    .add_text = add_rtf_text,
};

/* {\tag text} in the \info group, left out when empty. */
static int add_info(eng_buf_t *b, const char *tag, const char *v)
{
    if (v == NULL || *v == '\0')
        return 0;
    return eng__office_addf(b, "{\\%s ", tag) != 0 || add_rtf_text(b, v, strlen(v)) != 0 ||
                   eng__buf_add(b, "}") != 0
               ? -1
               : 0;
}

int eng_rtf_write(const eng_office_doc_t *doc, unsigned char **out, size_t *len, char *err, size_t errlen)
{
    eng_buf_t b = {0};
    struct tm tm;
    char iso[32], tim[96];
    int written = 0;

    *out = NULL;
    *len = 0;
    if (eng__office_check(doc, "rtf", err, errlen) == 0)
        return -1;
    eng__office_time(doc, &tm, iso, sizeof(iso));
    snprintf(tim, sizeof(tim), "\\yr%d\\mo%d\\dy%d\\hr%d\\min%d\\sec%d", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (eng__office_addf(&b,
                         "{\\rtf1\\ansi\\ansicpg1252\\deff0\\uc1\\deflang%d"
                         "{\\fonttbl{\\f0\\froman\\fcharset0 Liberation Serif;}}\n{\\info",
                         eng_office_primary_language(doc)->lcid) != 0 ||
        add_info(&b, "title", doc->meta.title) != 0 || add_info(&b, "subject", doc->meta.subject) != 0 ||
        add_info(&b, "author", doc->meta.author) != 0 || add_info(&b, "keywords", doc->meta.keywords) != 0 ||
        eng__office_addf(&b, "{\\creatim%s}{\\revtim%s}{\\doccomm ocrgate}}\n", tim, tim) != 0)
        goto Oom;
    for (int i = 0; i < doc->npages; ++i)
        if (doc->pages[i].text != NULL &&
            eng__office_add_page(&b, doc->pages[i].text, written++ > 0, &markup) != 0)
            goto Oom;
    if (eng__buf_add(&b, "}\n") != 0)
        goto Oom;
    return eng__office_take(&b, out, len, err, errlen);
Oom:
    free(b.s);
    eng__set_err(err, errlen, "Out of memory while writing the rtf result.");
    return -1;
}
