/*
 * The MHT writer (MHTML, RFC 2557; see eng_office.h for the structure): a multipart/related message whose
 * root part is one HTML document with a <section> per page (the page image, then the page's paragraphs; CSS
 * breaks the page between sections when printed), followed by each page's PNG as a base64 part with a
 * Content-ID that the HTML references as cid: (RFC 2557, 8.2). The HTML is base64 too, so that no line is
 * longer than 76 characters whatever the text; base64 never contains the boundary's '-' and '_'. The title
 * is the Subject header as RFC 2047 encoded words. Pure; any thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_office_internal.h"
#include "engine/eng_utf8.h"

#define BOUNDARY "----=_ocrgate_related"

/* Base64 (RFC 2045) of data[0..n), in lines of 76 characters ending with CRLF. */
static int add_base64(eng_buf_t *b, const unsigned char *data, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char line[80];
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)data[i] << 16 | (i + 1 < n ? (unsigned)data[i + 1] << 8 : 0) |
                     (i + 2 < n ? data[i + 2] : 0);
        line[k++] = abc[v >> 18 & 63];
        line[k++] = abc[v >> 12 & 63];
        line[k++] = i + 1 < n ? abc[v >> 6 & 63] : '=';
        line[k++] = i + 2 < n ? abc[v & 63] : '=';
        if (k == 76 || i + 3 >= n) {
            line[k++] = '\r';
            line[k++] = '\n';
            if (eng__buf_addn(b, line, k) != 0)
                return -1;
            k = 0;
        }
    }
    return 0;
}

/* Appends value as RFC 2047 "B" encoded words, split at character boundaries into words of at most 45
 * bytes of UTF-8 (60 characters of base64), folded onto continuation lines. */
static int add_encoded_words(eng_buf_t *b, const char *value)
{
    size_t len;
    char *v = eng_utf8_repair(value, strlen(value), &len);
    int rc = -1;
    if (v == NULL)
        return -1;
    for (size_t i = 0; i < len;) {
        size_t end = i, adv;
        while (end < len && end - i < 45) {
            (void)eng_utf8_decode(v + end, len - end, &adv);
            if (end + adv - i > 45)
                break;
            end += adv;
        }
        eng_buf_t w = {0};
        if ((i > 0 && eng__buf_add(b, "\r\n ") != 0) || eng__buf_add(b, "=?utf-8?B?") != 0 ||
            add_base64(&w, (const unsigned char *)v + i, end - i) != 0 || w.len < 2 ||
            eng__buf_addn(b, w.s, w.len - 2) != 0 || eng__buf_add(b, "?=") != 0) {
            free(w.s);
            goto Exit;
        }
        free(w.s);
        i = end;
    }
    rc = 0;
Exit:
    free(v);
    return rc;
}

/* <meta name=".." content=".."> when the value is set. */
static int add_html_meta(eng_buf_t *b, const char *name, const char *v)
{
    if (v == NULL || *v == '\0')
        return 0;
    return eng__office_addf(b, "<meta name=\"%s\" content=\"", name) != 0 ||
                   eng__office_add_xmls(b, v) != 0 || eng__buf_add(b, "\">\n") != 0
               ? -1
               : 0;
}

static int add_html(eng_buf_t *b, const eng_office_doc_t *doc, const char *title)
{
    const eng_office_lang_t *langs[ENG_OFFICE_MAX_LANGS];
    size_t nl = eng_office_languages(doc->languages, langs, ENG_OFFICE_MAX_LANGS);
    if (eng__office_addf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
                         eng_office_primary_language(doc)->bcp47) != 0 ||
        eng__office_add_xmls(b, title) != 0 || eng__buf_add(b, "</title>\n") != 0 ||
        add_html_meta(b, "author", doc->meta.author) != 0 ||
        add_html_meta(b, "description", doc->meta.subject) != 0 ||
        add_html_meta(b, "keywords", doc->meta.keywords) != 0 ||
        eng__buf_add(b, "<meta name=\"generator\" content=\"ocrgate\">\n") != 0)
        return -1;
    if (nl > 1) { /* every language of the document, for readers that use it (hyphenation, speech) */
        if (eng__buf_add(b, "<meta http-equiv=\"content-language\" content=\"") != 0)
            return -1;
        for (size_t i = 0; i < nl; ++i)
            if (eng__office_addf(b, "%s%s", i > 0 ? ", " : "", langs[i]->bcp47) != 0)
                return -1;
        if (eng__buf_add(b, "\">\n") != 0)
            return -1;
    }
    if (eng__buf_add(b,
                     "<style>\nsection { break-after: page; margin-bottom: 2em; }\n"
                     "section:last-child { break-after: auto; }\n"
                     "img.page { display: block; max-width: 100%; height: auto; border: 1px solid #ccc; }\n"
                     "</style>\n</head>\n<body>\n") != 0)
        return -1;
    for (int i = 0; i < doc->npages; ++i) {
        if (doc->pages[i].text == NULL)
            continue;
        int no = eng__office_page_no(doc, i);
        if (eng__office_addf(b, "<section id=\"page-%d\">\n", no) != 0 ||
            (doc->pages[i].png != NULL &&
             eng__office_addf(b, "<img class=\"page\" src=\"cid:page-%d@ocrgate\" alt=\"Page %d\">\n", no,
                              no) != 0) ||
            eng__office_add_page(b, doc->pages[i].text, 0, &eng__office_html) != 0 ||
            eng__buf_add(b, "</section>\n") != 0)
            return -1;
    }
    return eng__buf_add(b, "</body>\n</html>\n");
}

int eng_mht_write(const eng_office_doc_t *doc, unsigned char **out, size_t *len, char *err, size_t errlen)
{
    eng_buf_t b = {0}, html = {0};
    struct tm tm;
    char iso[32], date[64];
    const char *title;

    *out = NULL;
    *len = 0;
    if (eng__office_check(doc, "mht", err, errlen) == 0)
        return -1;
    title = eng__office_title(doc);
    eng__office_time(doc, &tm, iso, sizeof(iso));
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm); /* C locale names: RFC 5322 */
    if (eng__buf_add(&b, "From: <Saved by ocrgate>\r\nSubject: ") != 0 || add_encoded_words(&b, title) != 0 ||
        eng__office_addf(
            &b,
            "\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n"
            "\ttype=\"text/html\";\r\n\tboundary=\"" BOUNDARY "\"\r\n\r\n"
            "This is a multi-part message in MIME format.\r\n\r\n--" BOUNDARY "\r\n"
            "Content-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
            date) != 0 ||
        add_html(&html, doc, title) != 0 || add_base64(&b, (const unsigned char *)html.s, html.len) != 0)
        goto Oom;
    for (int i = 0; i < doc->npages; ++i) {
        if (doc->pages[i].text == NULL || doc->pages[i].png == NULL)
            continue;
        if (eng__office_addf(&b,
                             "\r\n--" BOUNDARY
                             "\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
                             "Content-ID: <page-%d@ocrgate>\r\n\r\n",
                             eng__office_page_no(doc, i)) != 0 ||
            add_base64(&b, doc->pages[i].png, doc->pages[i].png_len) != 0)
            goto Oom;
    }
    if (eng__buf_add(&b, "\r\n--" BOUNDARY "--\r\n") != 0)
        goto Oom;
    free(html.s);
    return eng__office_take(&b, out, len, err, errlen);
Oom:
    free(html.s);
    free(b.s);
    eng__set_err(err, errlen, "Out of memory while writing the mht result.");
    return -1;
}
