/* What the office writers share: paragraphs, languages, escaping, dates (see eng_office.h). */
#include "engine/eng_office.h"
#include "engine/eng_office_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_utf8.h"

/* The languages ocrgate installs models for. LCIDs are the primary region's (en-US, de-DE, fr-FR, es-ES
 * modern sort, it-IT, pt-PT, nl-NL): RTF has no region-less form that word processors honour. */
static const eng_office_lang_t langs[] = {
    {"eng", "en", 1033}, {"deu", "de", 1031}, {"fra", "fr", 1036}, {"spa", "es", 3082},
    {"ita", "it", 1040}, {"por", "pt", 2070}, {"nld", "nl", 1043},
};
static const eng_office_lang_t lang_und = {"", "und", 1024};

const eng_office_lang_t *eng_office_lang_find(const char *tess, size_t len)
{
    for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); ++i)
        if (strlen(langs[i].tess) == len && memcmp(langs[i].tess, tess, len) == 0)
            return &langs[i];
    return NULL;
}

size_t eng_office_languages(const char *languages, const eng_office_lang_t **out, size_t max)
{
    size_t n = 0;
    const char *p = languages != NULL && *languages != '\0' ? languages : "eng";
    while (*p != '\0' && n < max) {
        size_t len = strcspn(p, "+");
        const eng_office_lang_t *l = eng_office_lang_find(p, len);
        int dup = 0;
        for (size_t i = 0; l != NULL && i < n; ++i)
            dup |= out[i] == l;
        if (l != NULL && !dup)
            out[n++] = l;
        p += len;
        if (*p == '+')
            ++p;
    }
    return n;
}

const eng_office_lang_t *eng_office_primary_language(const eng_office_doc_t *doc)
{
    const eng_office_lang_t *l[1];
    return eng_office_languages(doc->languages, l, 1) == 1 ? l[0] : &lang_und;
}

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\v')
            return 0;
    return 1;
}

int eng_paras_split(const char *text, eng_paras_t *out)
{
    size_t cap_l = 0, cap_p = 0;
    int in_para = 0;
    const char *p = text != NULL ? text : "";

    memset(out, 0, sizeof(*out));
    while (*p != '\0') {
        size_t n = strcspn(p, "\n\f");
        const char *next = p + n + (p[n] != '\0');
        int ff = p[n] == '\f';
        if (is_blank(p, n)) {
            in_para = 0;
        } else {
            while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' || p[n - 1] == '\v'))
                --n;
            if (out->nlines == cap_l) {
                cap_l = cap_l ? cap_l * 2 : 32;
                eng_span_t *l = realloc(out->lines, cap_l * sizeof(*l));
                if (l == NULL)
                    goto Oom;
                out->lines = l;
            }
            if (!in_para) {
                if (out->nparas == cap_p) {
                    cap_p = cap_p ? cap_p * 2 : 8;
                    eng_para_t *q = realloc(out->paras, cap_p * sizeof(*q));
                    if (q == NULL)
                        goto Oom;
                    out->paras = q;
                }
                out->paras[out->nparas++] = (eng_para_t){out->nlines, 0};
                in_para = 1;
            }
            out->lines[out->nlines++] = (eng_span_t){p, n};
            out->paras[out->nparas - 1].n++;
        }
        if (ff)
            in_para = 0;
        p = next;
    }
    return 0;
Oom:
    eng_paras_free(out);
    return -1;
}

void eng_paras_free(eng_paras_t *p)
{
    if (p == NULL)
        return;
    free(p->lines);
    free(p->paras);
    memset(p, 0, sizeof(*p));
}

int eng__office_add_xml(eng_buf_t *b, const char *s, size_t n)
{
    size_t i = 0, run = 0; /* s[run..i) is plain text not yet appended */
    while (i < n) {
        size_t adv;
        long cp = eng_utf8_decode(s + i, n - i, &adv);
        int markup = cp > 0 && cp < 0x80 && strchr("&<>\"'", (int)cp) != NULL;
        /* Not XML 1.0 characters: dropped. Ill-formed bytes (cp < 0) become U+FFFD. */
        int drop = cp >= 0 && cp != '\t' && cp != '\n' && (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF);
        if (!markup && !drop && cp >= 0) {
            i += adv;
            continue;
        }
        /* The markup characters go through the engine's one XML escaper (eng_util.c). */
        char c[4] = {(char)cp, '\0'};
        if (eng__buf_addn(b, s + run, i - run) != 0 ||
            (markup ? eng__buf_add_xml(b, c)
             : drop ? 0
                    : eng__buf_addn(b, c, eng_utf8_encode(ENG_UTF8_REPLACEMENT, c))) != 0)
            return -1;
        i += adv;
        run = i;
    }
    return eng__buf_addn(b, s + run, i - run);
}

int eng__office_add_xmls(eng_buf_t *b, const char *s)
{
    return s != NULL ? eng__office_add_xml(b, s, strlen(s)) : 0;
}

int eng__office_addf(eng_buf_t *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n < sizeof(small))
        return eng__buf_addn(b, small, (size_t)n);
    char *big = malloc((size_t)n + 1);
    if (big == NULL)
        return -1;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = eng__buf_addn(b, big, (size_t)n);
    free(big);
    return rc;
}

const char *eng__office_title(const eng_office_doc_t *doc)
{
    return doc->meta.title != NULL && *doc->meta.title != '\0' ? doc->meta.title : "Untitled";
}

int eng__office_page_no(const eng_office_doc_t *doc, int i)
{
    return doc->pages[i].page_no > 0 ? doc->pages[i].page_no : i + 1;
}

int eng__office_check(const eng_office_doc_t *doc, const char *format, char *err, size_t errlen)
{
    int n = 0;
    if (doc == NULL || doc->npages < 0 || (doc->npages > 0 && doc->pages == NULL)) {
        eng__set_err(err, errlen, "Invalid arguments to the %s writer.", format);
        return 0;
    }
    for (int i = 0; i < doc->npages; ++i) {
        /* Page numbers name parts and anchors: they must be unique, and pages come in document order. */
        if (i > 0 && eng__office_page_no(doc, i) <= eng__office_page_no(doc, i - 1)) {
            eng__set_err(err, errlen, "Invalid arguments to the %s writer: page numbers must increase.",
                         format);
            return 0;
        }
        n += doc->pages[i].text != NULL;
    }
    if (n == 0)
        eng__set_err(err, errlen, "The %s result needs at least one recognized page; the document has none.",
                     format);
    return n;
}

void eng__office_time(const eng_office_doc_t *doc, struct tm *tm, char *iso, size_t isolen)
{
    time_t t = doc->modified > 0 ? (time_t)doc->modified : time(NULL);
    gmtime_r(&t, tm);
    strftime(iso, isolen, "%Y-%m-%dT%H:%M:%SZ", tm);
}

int eng__office_add_page(eng_buf_t *b, const char *text, int after_break, const eng_office_markup_t *m)
{
    eng_paras_t ps = {0};
    int rc = -1;
    if (eng_paras_split(text, &ps) != 0)
        return -1;
    if (ps.nparas == 0 && eng__buf_add(b, after_break ? m->empty_break : m->empty) != 0)
        goto Exit;
    for (size_t i = 0; i < ps.nparas; ++i) {
        if (eng__buf_add(b, i == 0 && after_break ? m->open_break : m->open) != 0)
            goto Exit;
        for (size_t j = 0; j < ps.paras[i].n; ++j) {
            const eng_span_t *l = &ps.lines[ps.paras[i].first + j];
            if ((j > 0 && eng__buf_add(b, m->line_break) != 0) || eng__buf_add(b, m->line_open) != 0 ||
                m->add_text(b, l->s, l->len) != 0 || eng__buf_add(b, m->line_close) != 0)
                goto Exit;
        }
        if (eng__buf_add(b, m->close) != 0)
            goto Exit;
    }
    rc = 0;
Exit:
    eng_paras_free(&ps);
    return rc;
}

const eng_office_markup_t eng__office_html = {
    .open_break = "<p>",
    .open = "<p>",
    .line_open = "",
    .line_close = "",
    .line_break = "<br/>",
    .close = "</p>\n",
    .empty_break = "",
    .empty = "",
    .add_text = eng__office_add_xml,
};

int eng__office_add_element(eng_buf_t *b, const char *tag, const char *value)
{
    if (value == NULL || *value == '\0')
        return 0;
    return eng__office_addf(b, "<%s>", tag) != 0 || eng__office_add_xmls(b, value) != 0 ||
                   eng__office_addf(b, "</%s>", tag) != 0
               ? -1
               : 0;
}

int eng__office_add_keywords(eng_buf_t *b, const char *keywords, const char *tag)
{
    for (const char *k = keywords; k != NULL && *k != '\0';) {
        size_t n = strcspn(k, ",;"), a = 0, end = n;
        while (a < end && k[a] == ' ')
            ++a;
        while (end > a && k[end - 1] == ' ')
            --end;
        if (end > a &&
            (eng__office_addf(b, "<%s>", tag) != 0 || eng__office_add_xml(b, k + a, end - a) != 0 ||
             eng__office_addf(b, "</%s>", tag) != 0))
            return -1;
        k += n;
        if (*k != '\0')
            ++k;
    }
    return 0;
}

int eng__office_add_dc_languages(eng_buf_t *b, const eng_office_doc_t *doc)
{
    const eng_office_lang_t *l[ENG_OFFICE_MAX_LANGS];
    size_t n = eng_office_languages(doc->languages, l, ENG_OFFICE_MAX_LANGS);
    if (n == 0)
        return eng__buf_add(b, "<dc:language>und</dc:language>");
    for (size_t i = 0; i < n; ++i)
        if (eng__office_addf(b, "<dc:language>%s</dc:language>", l[i]->bcp47) != 0)
            return -1;
    return 0;
}

int eng__office_take(eng_buf_t *b, unsigned char **out, size_t *len, char *err, size_t errlen)
{
    if (b->s == NULL && eng__buf_add(b, "") != 0) {
        eng__set_err(err, errlen, "Out of memory while writing the document.");
        return -1;
    }
    *out = (unsigned char *)b->s;
    *len = b->len;
    memset(b, 0, sizeof(*b));
    return 0;
}
