/* unit.engine.format: the output formats table and the accepted-input sentence. */
#include "engine/eng_format.h"
#include "engine/eng_ocr.h"
#include "engine/eng_sniff.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/tap.h"

int main(void)
{
    size_t n;
    const eng_output_t *t = eng_outputs(&n);
    char buf[128];

    is_int(n, 11, "eleven output formats");
    is_str(eng_output_names(buf, sizeof(buf), 0),
           "text, json, hocr, pdf, tsv, alto, docx, odt, rtf, epub, mht", "canonical order");
    is_str(eng_output_names(buf, sizeof(buf), 1), "text, json, hocr, tsv, alto",
           "per-page formats: all but pdf");
    is_str(eng_output_find("text")->content_type, "text/plain; charset=utf-8", "text is served with charset");
    is_str(eng_output_find("hocr")->content_type, "text/html; charset=utf-8", "hocr content type");
    is_str(eng_output_find("tsv")->content_type, "text/tab-separated-values; charset=utf-8",
           "tsv content type");
    is_str(eng_output_find("json")->content_type, "application/json", "json content type");
    is_str(eng_output_find("alto")->content_type, "application/xml", "alto content type");
    is_str(eng_output_find("pdf")->content_type, "application/pdf", "pdf content type");
    int exts = 1;
    for (size_t i = 0; i < n; ++i) {
        exts &= t[i].extension != NULL && t[i].extension[0] != '\0' && strchr(t[i].extension, '.') == NULL;
        for (size_t k = 0; k < i; ++k)
            exts &= strcmp(t[i].extension, t[k].extension) != 0;
    }
    ok(exts, "every format has a file extension of its own, without the dot");
    is_str(eng_output_find("text")->extension, "txt", "text results are .txt files");
    is_str(eng_output_find("alto")->extension, "xml", "ALTO results are .xml files");
    ok(eng_output_find("PDF") == NULL && eng_output_find("") == NULL && eng_output_find(NULL) == NULL,
       "lookup is exact");
    is_str(eng_output_find("docx")->content_type,
           "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx content type");
    is_str(eng_output_find("odt")->content_type, "application/vnd.oasis.opendocument.text",
           "odt content type");
    is_str(eng_output_find("rtf")->content_type, "application/rtf", "rtf content type");
    is_str(eng_output_find("epub")->content_type, "application/epub+zip", "epub content type");
    is_str(eng_output_find("mht")->content_type, "multipart/related", "mht content type");
    ok(eng_output_find("docx")->office == eng_docx_write && eng_output_find("odt")->office == eng_odt_write &&
           eng_output_find("rtf")->office == eng_rtf_write &&
           eng_output_find("epub")->office == eng_epub_write &&
           eng_output_find("mht")->office == eng_mht_write,
       "the office formats are written by their writers");
    ok(eng_output_find("mht")->page_images && !eng_output_find("docx")->page_images,
       "only mht embeds the page images");
    ok(eng_output_findn("textual", 4) == eng_output_find("text"), "lookup by length");
    ok(eng_output_find("pdf")->render == NULL && !eng_output_find("pdf")->per_page,
       "pdf is rendered during recognition, not per page");

    unsigned defaults = 0;
    for (size_t i = 0; i < n; ++i) {
        is_int(eng_output_index(&t[i]), i, "index of a row is its position");
        defaults |= (unsigned)t[i].is_default << i;
        ok(t[i].per_page == (t[i].render != NULL), "%s: a renderer exactly for per-page formats", t[i].name);
        ok(t[i].render == NULL || t[i].office == NULL, "%s: one way to assemble the document", t[i].name);
    }
    is_int(defaults, 0x0f, "defaults are text, json, hocr, pdf");
    ok(eng_output_find("tsv")->skip_unless_wanted == ENG_SKIP_TSV &&
           eng_output_find("alto")->skip_unless_wanted == ENG_SKIP_ALTO &&
           eng_output_find("hocr")->skip_unless_wanted == 0,
       "tsv and alto are produced only when asked for");

    /* The renderers assemble stored fragments; NULL pages (failed ones) are skipped. */
    const char *texts[3] = {"one\n", NULL, "three\n"};
    char *doc = eng_output_find("text")->render(texts, 3, NULL);
    is_str(doc, "one\n\fthree\n", "text: pages separated by form feeds");
    free(doc);
    const char *frag[1] = {"<div class='ocr_page' id='page_1'></div>"};
    doc = eng_output_find("hocr")->render(frag, 1, "");
    ok(doc != NULL && strstr(doc, "<title>ocrgate</title>") != NULL,
       "hocr: unnamed job gets a neutral title");
    free(doc);
    doc = eng_output_find("hocr")->render(frag, 1, "scan & co");
    ok(doc != NULL && strstr(doc, "<title>scan &amp; co</title>") != NULL,
       "hocr: the job's name is the title");
    free(doc);

    is_str(eng_input_names(buf, sizeof(buf)), "PNG, JPEG, TIFF, BMP, GIF, WebP or PDF", "accepted inputs");
    is_int(eng_input_count(), 7, "seven input types");
    is_str(eng_format_mime(eng_input_at(6)), "application/pdf", "PDF is an input");
    is_int(eng_input_at(7), ENG_FMT_UNKNOWN, "past the end");
    is_str(eng_input_names(buf, 8), "PNG, JP", "truncated sentence stays terminated");
    return done_testing();
}
