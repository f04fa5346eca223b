/*
 * The odt writer (OpenDocument 1.2 text; see eng_office.h for the structure). Entries: `mimetype` first and
 * stored (ODF 1.2 part 3, 3.3), META-INF/manifest.xml, content.xml (one text:p per paragraph, text:line-break
 * between its lines, runs of spaces as text:s and tabs as text:tab because ODF collapses white space; the
 * first paragraph of every page after the first carries the automatic style "PageBreak",
 * fo:break-before="page"), styles.xml (the document language on the default paragraph style) and meta.xml
 * (title, subject, keywords, creator, language, dates, page count). Pure; any thread.
 */
#include <string.h>

#include "engine/eng_office_internal.h"
#include "engine/eng_zip.h"

#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define NS_OFFICE "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\""
#define NS_STYLE "xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\""
#define NS_TEXT "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\""
#define NS_FO "xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\""
#define MIMETYPE "application/vnd.oasis.opendocument.text"

static const char manifest[] =
    XML_DECL "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" "
             "manifest:version=\"1.2\">"
             "<manifest:file-entry manifest:full-path=\"/\" manifest:version=\"1.2\" "
             "manifest:media-type=\"" MIMETYPE "\"/>"
             "<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>"
             "<manifest:file-entry manifest:full-path=\"styles.xml\" manifest:media-type=\"text/xml\"/>"
             "<manifest:file-entry manifest:full-path=\"meta.xml\" manifest:media-type=\"text/xml\"/>"
             "</manifest:manifest>";

/* One line of text: XML-escaped, with ODF's white-space elements. */
static int add_line(eng_buf_t *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t k = strcspn(s + i, " \t");
        if (i + k > n)
            k = n - i;
        if (eng__office_add_xml(b, s + i, k) != 0)
            return -1;
        i += k;
        if (i < n && s[i] == '\t') {
            if (eng__buf_add(b, "<text:tab/>") != 0)
                return -1;
            ++i;
        } else if (i < n) {
            size_t sp = 0;
            while (i + sp < n && s[i + sp] == ' ')
                ++sp;
            /* One plain space is kept as text unless it leads the line (ODF drops leading white space). */
            int plain = i > 0;
            if ((plain && eng__buf_add(b, " ") != 0) ||
                (sp > (size_t)plain && eng__office_addf(b, "<text:s text:c=\"%zu\"/>", sp - plain) != 0))
                return -1;
            i += sp;
        }
    }
    return 0;
}

static const eng_office_markup_t markup = {
    .open_break = "<text:p text:style-name=\"PageBreak\">",
    .open = "<text:p text:style-name=\"Standard\">",
    .line_open = "",
    .line_close = "",
    .line_break = "<text:line-break/>",
    .close = "</text:p>",
    .empty_break = "<text:p text:style-name=\"PageBreak\"/>",
    .empty = "<text:p text:style-name=\"Standard\"/>",
    .add_text = add_line,
};

static int add_meta_xml(eng_buf_t *b, const eng_office_doc_t *doc, const char *iso, int pages)
{
    if (eng__buf_add(b, XML_DECL "<office:document-meta " NS_OFFICE
                                 " xmlns:meta=\"urn:oasis:names:tc:opendocument:xmlns:meta:1.0\" "
                                 "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" office:version=\"1.2\">"
                                 "<office:meta><meta:generator>ocrgate</meta:generator>") != 0 ||
        eng__office_add_element(b, "dc:title", doc->meta.title) != 0 ||
        eng__office_add_element(b, "dc:subject", doc->meta.subject) != 0 ||
        eng__office_add_element(b, "meta:initial-creator", doc->meta.author) != 0 ||
        eng__office_add_element(b, "dc:creator", doc->meta.author) != 0)
        return -1;
    /* Keywords are one element each in ODF. */
    if (eng__office_add_keywords(b, doc->meta.keywords, "meta:keyword") != 0)
        return -1;
    if (eng__office_add_dc_languages(b, doc) != 0)
        return -1;
    return eng__office_addf(b,
                            "<meta:creation-date>%s</meta:creation-date><dc:date>%s</dc:date>"
                            "<meta:document-statistic meta:page-count=\"%d\"/></office:meta>"
                            "</office:document-meta>",
                            iso, iso, pages);
}

int eng_odt_write(const eng_office_doc_t *doc, unsigned char **out, size_t *len, char *err, size_t errlen)
{
    eng_buf_t b = {0};
    eng_zip_t *z = NULL;
    struct tm tm;
    char iso[32];
    int pages, written = 0, ret = -1;

    *out = NULL;
    *len = 0;
    if ((pages = eng__office_check(doc, "odt", err, errlen)) == 0)
        return -1;
    eng__office_time(doc, &tm, iso, sizeof(iso));
    if ((z = eng__zip_create(timegm(&tm))) == NULL)
        goto Done;
    if (eng__zip_add(z, "mimetype", MIMETYPE, sizeof(MIMETYPE) - 1, 1) != 0 ||
        eng__zip_add(z, "META-INF/manifest.xml", manifest, sizeof(manifest) - 1, 0) != 0)
        goto Done;

    if (eng__buf_add(&b, XML_DECL "<office:document-content " NS_OFFICE " " NS_STYLE " " NS_TEXT " " NS_FO
                                  " office:version=\"1.2\"><office:automatic-styles>"
                                  "<style:style style:name=\"PageBreak\" style:family=\"paragraph\" "
                                  "style:parent-style-name=\"Standard\">"
                                  "<style:paragraph-properties fo:break-before=\"page\"/></style:style>"
                                  "</office:automatic-styles><office:body><office:text>") != 0)
        goto Done;
    for (int i = 0; i < doc->npages; ++i)
        if (doc->pages[i].text != NULL &&
            eng__office_add_page(&b, doc->pages[i].text, written++ > 0, &markup) != 0)
            goto Done;
    if (eng__buf_add(&b, "</office:text></office:body></office:document-content>") != 0 ||
        eng__zip_add_buf(z, "content.xml", &b) != 0)
        goto Done;

    if (eng__office_addf(&b,
                         XML_DECL "<office:document-styles " NS_OFFICE " " NS_STYLE " " NS_FO
                                  " office:version=\"1.2\"><office:styles>"
                                  "<style:default-style style:family=\"paragraph\"><style:text-properties "
                                  "fo:font-family=\"Liberation Serif\" fo:font-size=\"12pt\" "
                                  "fo:language=\"%s\" fo:country=\"none\"/></style:default-style>"
                                  "<style:style style:name=\"Standard\" style:family=\"paragraph\" "
                                  "style:class=\"text\"><style:paragraph-properties "
                                  "fo:margin-bottom=\"0.28cm\"/></style:style>"
                                  "</office:styles></office:document-styles>",
                         eng_office_primary_language(doc)->bcp47) != 0 ||
        eng__zip_add_buf(z, "styles.xml", &b) != 0)
        goto Done;
    if (add_meta_xml(&b, doc, iso, pages) != 0 || eng__zip_add_buf(z, "meta.xml", &b) != 0)
        goto Done;
    ret = 0;
Done:
    return eng__zip_done(z, &b, ret, "odt", out, len, err, errlen);
}
