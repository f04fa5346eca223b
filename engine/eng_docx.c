/*
 * The docx writer (Office Open XML WordprocessingML, ECMA-376 transitional; see eng_office.h for the
 * structure). Parts: [Content_Types].xml, _rels/.rels, word/document.xml (one w:p per paragraph, w:br between
 * the lines of a paragraph, the first paragraph of every page after the first with w:pageBreakBefore; a page
 * without text is one empty paragraph so that it still starts a page), word/styles.xml (the document language
 * in the default run properties), docProps/core.xml (title, creator, subject, keywords, language, dates) and
 * docProps/app.xml. Pure; any thread.
 */

#include "engine/eng_office_internal.h"
#include "engine/eng_zip.h"

#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define REL_NS "http://schemas.openxmlformats.org/package/2006/relationships"
#define OFFDOC_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

static const char content_types[] = XML_DECL
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/word/document.xml\" "
    "ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
    "<Override PartName=\"/word/styles.xml\" "
    "ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
    "<Override PartName=\"/docProps/core.xml\" "
    "ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
    "<Override PartName=\"/docProps/app.xml\" "
    "ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>"
    "</Types>";

static const char package_rels[] = XML_DECL
    "<Relationships xmlns=\"" REL_NS "\">"
    "<Relationship Id=\"rId1\" Type=\"" OFFDOC_REL "/officeDocument\" Target=\"word/document.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/"
    "metadata/core-properties\" Target=\"docProps/core.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"" OFFDOC_REL "/extended-properties\" Target=\"docProps/app.xml\"/>"
    "</Relationships>";

static const char document_rels[] =
    XML_DECL "<Relationships xmlns=\"" REL_NS "\">"
             "<Relationship Id=\"rId1\" Type=\"" OFFDOC_REL "/styles\" Target=\"styles.xml\"/>"
             "</Relationships>";

static int add_styles(eng_buf_t *b, const eng_office_lang_t *lang)
{
    return eng__office_addf(b,
                            XML_DECL
                            "<w:styles xmlns:w=\"" W_NS "\"><w:docDefaults><w:rPrDefault><w:rPr>"
                            "<w:rFonts w:ascii=\"Liberation Serif\" w:hAnsi=\"Liberation Serif\" "
                            "w:cs=\"Liberation Serif\"/><w:sz w:val=\"24\"/><w:lang w:val=\"%s\"/>"
                            "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after=\"160\"/>"
                            "</w:pPr></w:pPrDefault></w:docDefaults>"
                            "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\">"
                            "<w:name w:val=\"Normal\"/><w:qFormat/></w:style></w:styles>",
                            lang->bcp47);
}

static int add_core(eng_buf_t *b, const eng_office_doc_t *doc, const eng_office_lang_t *lang, const char *iso)
{
    if (eng__buf_add(b, XML_DECL "<cp:coreProperties "
                                 "xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/"
                                 "core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
                                 "xmlns:dcterms=\"http://purl.org/dc/terms/\" "
                                 "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">") != 0 ||
        eng__office_add_element(b, "dc:title", doc->meta.title) != 0 ||
        eng__office_add_element(b, "dc:subject", doc->meta.subject) != 0 ||
        eng__office_add_element(b, "dc:creator", doc->meta.author) != 0 ||
        eng__office_add_element(b, "cp:keywords", doc->meta.keywords) != 0)
        return -1;
    return eng__office_addf(b,
                            "<dc:language>%s</dc:language>"
                            "<dcterms:created xsi:type=\"dcterms:W3CDTF\">%s</dcterms:created>"
                            "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">%s</dcterms:modified>"
                            "</cp:coreProperties>",
                            lang->bcp47, iso, iso);
}

static const eng_office_markup_t markup = {
    .open_break = "<w:p><w:pPr><w:pageBreakBefore/></w:pPr><w:r>",
    .open = "<w:p><w:r>",
    .line_open = "<w:t xml:space=\"preserve\">",
    .line_close = "</w:t>",
    .line_break = "<w:br/>",
    .close = "</w:r></w:p>",
    .empty_break = "<w:p><w:pPr><w:pageBreakBefore/></w:pPr></w:p>",
    .empty = "<w:p/>",
    .add_text = eng__office_add_xml,
};

int eng_docx_write(const eng_office_doc_t *doc, unsigned char **out, size_t *len, char *err, size_t errlen)
{
    eng_buf_t b = {0};
    eng_zip_t *z = NULL;
    struct tm tm;
    char iso[32];
    int pages, written = 0, ret = -1;

    *out = NULL;
    *len = 0;
    if ((pages = eng__office_check(doc, "docx", err, errlen)) == 0)
        return -1;
    const eng_office_lang_t *lang = eng_office_primary_language(doc);
    eng__office_time(doc, &tm, iso, sizeof(iso));
    if ((z = eng__zip_create(timegm(&tm))) == NULL)
        goto Done;
    if (eng__zip_add(z, "[Content_Types].xml", content_types, sizeof(content_types) - 1, 0) != 0 ||
        eng__zip_add(z, "_rels/.rels", package_rels, sizeof(package_rels) - 1, 0) != 0 ||
        eng__zip_add(z, "word/_rels/document.xml.rels", document_rels, sizeof(document_rels) - 1, 0) != 0)
        goto Done;

    if (eng__buf_add(&b, XML_DECL "<w:document xmlns:w=\"" W_NS "\"><w:body>") != 0)
        goto Done;
    for (int i = 0; i < doc->npages; ++i)
        if (doc->pages[i].text != NULL &&
            eng__office_add_page(&b, doc->pages[i].text, written++ > 0, &markup) != 0)
            goto Done;
    if (eng__buf_add(&b, "</w:body></w:document>") != 0 || eng__zip_add_buf(z, "word/document.xml", &b) != 0)
        goto Done;

    if (add_styles(&b, lang) != 0 || eng__zip_add_buf(z, "word/styles.xml", &b) != 0)
        goto Done;
    if (add_core(&b, doc, lang, iso) != 0 || eng__zip_add_buf(z, "docProps/core.xml", &b) != 0)
        goto Done;
    if (eng__office_addf(&b,
                         XML_DECL "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                                  "extended-properties\"><Application>ocrgate</Application><Pages>%d</Pages>"
                                  "</Properties>",
                         pages) != 0 ||
        eng__zip_add_buf(z, "docProps/app.xml", &b) != 0)
        goto Done;
    ret = 0;
Done:
    return eng__zip_done(z, &b, ret, "docx", out, len, err, errlen);
}
