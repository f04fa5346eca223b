/*
 * The EPUB writer (EPUB 3.2; see eng_office.h for the structure). Entries: `mimetype` first and stored (OCF
 * 3.2, 4.3), META-INF/container.xml, EPUB/package.opf (identifier, title, languages, creator, description
 * from the subject, one dc:subject per keyword, dcterms:modified; a manifest and spine of the pages),
 * EPUB/nav.xhtml (the navigation document: one entry per page; in the manifest, not in the spine, so that
 * readers show it as the table of contents rather than as a first page) and one XHTML content document per
 * page, EPUB/page-N.xhtml with N the document's own page number. An untitled document is called "Untitled"
 * because EPUB requires a title. Pure; any thread.
 */
#include <stdio.h>

#include "engine/eng_office_internal.h"
#include "engine/eng_zip.h"

#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define MIMETYPE "application/epub+zip"
#define XHTML_OPEN                                                                                           \
    XML_DECL "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" "                                \
             "xmlns:epub=\"http://www.idpf.org/2007/ops\" xml:lang=\"%s\" lang=\"%s\">\n<head>\n"            \
             "<meta charset=\"utf-8\"/>\n<title>%s</title>\n</head>\n<body>\n"

static const char container[] = XML_DECL
    "<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">"
    "<rootfiles><rootfile full-path=\"EPUB/package.opf\" media-type=\"application/oebps-package+xml\"/>"
    "</rootfiles></container>\n";

static int add_opf(eng_buf_t *b, const eng_office_doc_t *doc, const char *lang, const char *iso)
{
    const char *id =
        doc->identifier != NULL && *doc->identifier != '\0' ? doc->identifier : "urn:ocrgate:document";

    if (eng__office_addf(
            b,
            XML_DECL "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" "
                     "unique-identifier=\"uid\" xml:lang=\"%s\">\n"
                     "<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<dc:identifier id=\"uid\">",
            lang) != 0 ||
        eng__office_add_xmls(b, id) != 0 || eng__buf_add(b, "</dc:identifier>\n") != 0 ||
        eng__office_add_element(b, "dc:title", eng__office_title(doc)) != 0)
        return -1;
    if (eng__office_add_dc_languages(b, doc) != 0)
        return -1;
    if (eng__office_add_element(b, "dc:creator", doc->meta.author) != 0 ||
        eng__office_add_element(b, "dc:description", doc->meta.subject) != 0 ||
        eng__office_add_keywords(b, doc->meta.keywords, "dc:subject") != 0 ||
        eng__office_addf(b,
                         "\n<meta property=\"dcterms:modified\">%s</meta>\n</metadata>\n<manifest>\n"
                         "<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" "
                         "properties=\"nav\"/>\n",
                         iso) != 0)
        return -1;
    for (int i = 0; i < doc->npages; ++i)
        if (doc->pages[i].text != NULL &&
            eng__office_addf(
                b, "<item id=\"p%d\" href=\"page-%d.xhtml\" media-type=\"application/xhtml+xml\"/>\n",
                eng__office_page_no(doc, i), eng__office_page_no(doc, i)) != 0)
            return -1;
    if (eng__buf_add(b, "</manifest>\n<spine>\n") != 0)
        return -1;
    for (int i = 0; i < doc->npages; ++i)
        if (doc->pages[i].text != NULL &&
            eng__office_addf(b, "<itemref idref=\"p%d\"/>\n", eng__office_page_no(doc, i)) != 0)
            return -1;
    return eng__buf_add(b, "</spine>\n</package>\n");
}

static int add_nav(eng_buf_t *b, const eng_office_doc_t *doc, const char *lang)
{
    if (eng__office_addf(b, XHTML_OPEN, lang, lang, "Contents") != 0 ||
        eng__buf_add(b, "<nav epub:type=\"toc\" id=\"toc\">\n<h1>Contents</h1>\n<ol>\n") != 0)
        return -1;
    for (int i = 0; i < doc->npages; ++i)
        if (doc->pages[i].text != NULL &&
            eng__office_addf(b, "<li><a href=\"page-%d.xhtml\">Page %d</a></li>\n",
                             eng__office_page_no(doc, i), eng__office_page_no(doc, i)) != 0)
            return -1;
    return eng__buf_add(b, "</ol>\n</nav>\n</body>\n</html>\n");
}

int eng_epub_write(const eng_office_doc_t *doc, unsigned char **out, size_t *len, char *err, size_t errlen)
{
    eng_buf_t b = {0};
    eng_zip_t *z = NULL;
    struct tm tm;
    char iso[32], name[64], title[32];
    int ret = -1;

    *out = NULL;
    *len = 0;
    if (eng__office_check(doc, "epub", err, errlen) == 0)
        return -1;
    const char *lang = eng_office_primary_language(doc)->bcp47;
    eng__office_time(doc, &tm, iso, sizeof(iso));
    if ((z = eng__zip_create(timegm(&tm))) == NULL)
        goto Done;
    if (eng__zip_add(z, "mimetype", MIMETYPE, sizeof(MIMETYPE) - 1, 1) != 0 ||
        eng__zip_add(z, "META-INF/container.xml", container, sizeof(container) - 1, 0) != 0 ||
        add_opf(&b, doc, lang, iso) != 0 || eng__zip_add_buf(z, "EPUB/package.opf", &b) != 0)
        goto Done;
    if (add_nav(&b, doc, lang) != 0 || eng__zip_add_buf(z, "EPUB/nav.xhtml", &b) != 0)
        goto Done;
    for (int i = 0; i < doc->npages; ++i) {
        if (doc->pages[i].text == NULL)
            continue;
        int no = eng__office_page_no(doc, i);
        snprintf(name, sizeof(name), "EPUB/page-%d.xhtml", no);
        snprintf(title, sizeof(title), "Page %d", no);
        if (eng__office_addf(&b, XHTML_OPEN, lang, lang, title) != 0 ||
            eng__office_addf(&b, "<section id=\"page-%d\">\n", no) != 0 ||
            eng__office_add_page(&b, doc->pages[i].text, 0, &eng__office_html) != 0 ||
            eng__buf_add(&b, "</section>\n</body>\n</html>\n") != 0 || eng__zip_add_buf(z, name, &b) != 0)
            goto Done;
    }
    ret = 0;
Done:
    return eng__zip_done(z, &b, ret, "epub", out, len, err, errlen);
}
