/* unit.engine.office: the office writers, judged by real readers. pandoc reads the docx, odt, epub and rtf
 * results back to text (character accuracy within 1 point of the input text, paragraphs and pages in order,
 * metadata); epubcheck validates the epub; headless Chromium opens the MHT (its text, printed to PDF and read
 * by pdftotext, and its page image, rendered in a screenshot). Also: paragraph splitting, languages, escaping
 * and ill-formed UTF-8. A reader that is not installed is skipped with a TAP skip line (ops/install-deps
 * installs them all). argv[1] = testdata dir. */
#include "engine/eng_office.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <leptonica/allheaders.h>

#include "engine/eng_image.h"
#include "engine/eng_util.h" /* eng_buf_t */
#include "tests/unit/engine/accuracy.h"
#include "tests/unit/tap.h"

static const char *testdata = "tests/data";
static char dir[] = "/tmp/ocrgate-office-XXXXXX";

static int have(const char *tool)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

static void skip(const char *what, const char *tool)
{
    ok(1, "# SKIP %s: %s is not installed", what, tool);
}

/* Runs a shell command; returns its stdout (malloc'ed, NUL-terminated) and exit status in *status. */
static char *run(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    eng_buf_t b = {0};
    char chunk[4096];
    size_t n;
    if (p == NULL)
        return NULL;
    while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
        if (eng__buf_addn(&b, chunk, n) != 0)
            break;
    int st = pclose(p);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    if (b.s == NULL && eng__buf_add(&b, "") != 0)
        return NULL;
    return b.s;
}

static char *save(const char *name, const unsigned char *data, size_t len)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    if (fp == NULL || fwrite(data, 1, len, fp) != len) {
        if (fp != NULL)
            fclose(fp);
        return NULL;
    }
    fclose(fp);
    return path;
}

typedef struct {
    const char *name;   /* file extension and writer name */
    const char *pandoc; /* pandoc's reader, NULL = not read by pandoc */
    eng_office_writer_t write;
} writer_t;

static const writer_t writers[] = {
    {"docx", "docx", eng_docx_write}, {"odt", "odt", eng_odt_write}, {"epub", "epub", eng_epub_write},
    {"rtf", "rtf", eng_rtf_write},    {"mht", NULL, eng_mht_write},
};
#define NWRITERS (sizeof(writers) / sizeof(writers[0]))

/* Writes doc with w into dir/<base>.<ext>; returns the path (static) or NULL. */
static const char *write_file(const writer_t *w, const eng_office_doc_t *doc, const char *base)
{
    unsigned char *out = NULL;
    size_t len = 0;
    char err[256] = "", name[128];
    int rc = w->write(doc, &out, &len, err, sizeof(err));
    snprintf(name, sizeof(name), "%s.%s", base, w->name);
    if (!ok(rc == 0 && out != NULL && len > 0, "%s %s: written (%zu bytes) %s", w->name, base, len, err))
        return NULL;
    const char *path = save(name, out, len);
    free(out);
    return path;
}

static char *pandoc_text(const writer_t *w, const char *path, int *status)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "pandoc -f %s -t plain --wrap=none '%s' 2>&1", w->pandoc, path);
    return run(cmd, status);
}

/* Text of the MHT as Chromium renders it: printed to PDF, read by pdftotext. */
#define CHROMIUM                                                                                             \
    "chromium --headless --no-sandbox --disable-gpu --disable-background-networking "                        \
    "--disable-component-update --disable-sync --no-first-run "
static char *chromium_text(const char *path, int *status)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && HOME='%s' timeout 120 " CHROMIUM
             "--no-pdf-header-footer --print-to-pdf='%s/mht.pdf' "
             "'file://%s' >/dev/null 2>&1 && pdftotext -enc UTF-8 '%s/mht.pdf' - 2>&1",
             dir, dir, dir, path, dir);
    return run(cmd, status);
}

#define EPUBCHECK "java -jar \"$(readlink -f \"$(command -v epubcheck)\")\" "

/* The package parts of docx and odt by Python's zipfile and XML parser (pandoc reads neither format's
 * metadata): prints one line per finding; "ok" lines only when all is well. */
static const char parts_py[] =
    "import sys, zipfile, xml.etree.ElementTree as ET\n"
    "f, kind = sys.argv[1], sys.argv[2]\n"
    "z = zipfile.ZipFile(f)\n"
    "assert z.testzip() is None\n"
    "x = lambda n: ET.fromstring(z.read(n))\n"
    "ns = {'dc': 'http://purl.org/dc/elements/1.1/', 'w': "
    "'http://schemas.openxmlformats.org/wordprocessingml/2006/main',\n"
    "      'cp': 'http://schemas.openxmlformats.org/package/2006/metadata/core-properties',\n"
    "      'meta': 'urn:oasis:names:tc:opendocument:xmlns:meta:1.0', 'office': "
    "'urn:oasis:names:tc:opendocument:xmlns:office:1.0',\n"
    "      'text': 'urn:oasis:names:tc:opendocument:xmlns:text:1.0', 'style': "
    "'urn:oasis:names:tc:opendocument:xmlns:style:1.0',\n"
    "      'fo': 'urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0'}\n"
    "t = lambda e, p: [n.text for n in e.iterfind(p, ns)]\n"
    "if kind == 'epub':\n"
    "    i = z.infolist()[0]\n"
    "    print('first', i.filename, i.compress_type == zipfile.ZIP_STORED, i.extra == b'', "
    "z.read('mimetype'))\n"
    "    print('pages', sorted(n for n in z.namelist() if n.startswith('EPUB/page-')))\n"
    "elif kind == 'docx':\n"
    "    c = x('docProps/core.xml')\n"
    "    print('title', t(c, 'dc:title')); print('creator', t(c, 'dc:creator')); print('subject', t(c, "
    "'dc:subject'))\n"
    "    print('keywords', t(c, 'cp:keywords')); print('language', t(c, 'dc:language'))\n"
    "    s = x('word/styles.xml'); print('lang', [e.get('{%s}val' % ns['w']) for e in "
    "s.iterfind('.//w:lang', ns)])\n"
    "    d = x('word/document.xml'); print('breaks', len(d.findall('.//w:pageBreakBefore', ns)))\n"
    "else:\n"
    "    i = z.infolist()[0]\n"
    "    print('first', i.filename, i.compress_type == zipfile.ZIP_STORED, i.extra == b'', "
    "z.read('mimetype'))\n"
    "    m = x('meta.xml')\n"
    "    print('title', t(m, './/dc:title')); print('creator', t(m, './/meta:initial-creator'))\n"
    "    print('subject', t(m, './/dc:subject')); print('keywords', t(m, './/meta:keyword'))\n"
    "    print('language', t(m, './/dc:language'))\n"
    "    s = x('styles.xml'); print('lang', [e.get('{%s}language' % ns['fo']) for e in "
    "s.iterfind('.//style:text-properties', ns)])\n"
    "    c = x('content.xml'); print('breaks', len([p for p in c.iterfind('.//text:p', ns) if "
    "p.get('{%s}style-name' % ns['text']) == 'PageBreak']))\n";

static void check_parts(const char *kind, const char *path)
{
    char cmd[1024], want[1024];
    int st = -1;
    snprintf(cmd, sizeof(cmd), "python3 '%s/parts.py' '%s' %s 2>&1", dir, path, kind);
    char *got = run(cmd, &st);
    if (strcmp(kind, "epub") == 0)
        snprintf(want, sizeof(want),
                 "first mimetype True True b'application/epub+zip'\npages ['EPUB/page-2.xhtml', "
                 "'EPUB/page-5.xhtml']\n");
    else if (strcmp(kind, "docx") == 0)
        snprintf(
            want, sizeof(want),
            "title ['Prüfbericht <2026> & Co']\ncreator [\"Jürgen O'Brien\"]\nsubject ['Scanned letters']\n"
            "keywords ['ocr, scan; letters']\nlanguage ['de']\nlang ['de']\nbreaks 1\n");
    else
        snprintf(
            want, sizeof(want),
            "first mimetype True True b'application/vnd.oasis.opendocument.text'\n"
            "title ['Prüfbericht <2026> & Co']\ncreator [\"Jürgen O'Brien\"]\nsubject ['Scanned letters']\n"
            "keywords ['ocr', 'scan', 'letters']\nlanguage ['de', 'en']\nlang ['de']\nbreaks 1\n");
    ok(st == 0 && got != NULL && strcmp(got, want) == 0,
       "%s: container and parts as Python's zipfile and XML parser read them (metadata, languages, a page "
       "break, or one document per page named by its page number)",
       kind);
    if (got != NULL && strcmp(got, want) != 0)
        printf("# got:\n%s# want:\n%s", got, want);
    free(got);
}

static void check_accuracy(const char *what, const char *got, const char *truth)
{
    size_t dist = 0, n = 0;
    double acc = acc_accuracy(got, truth, &dist, &n);
    if (!ok(acc >= 0.99, "%s: accuracy %.4f (%zu edits over %zu characters) within 1 point of the input",
            what, acc, dist, n))
        printf("# got:\n%s\n", got);
}

static void test_split(void)
{
    eng_paras_t ps = {0};
    ok(eng_paras_split("a b  \nc\n\n\n  \nd\r\n\fe\n", &ps) == 0, "split");
    is_int(ps.nparas, 3, "three paragraphs (blank lines, white-space lines and form feeds separate)");
    is_int(ps.nlines, 4, "four lines");
    if (ps.nparas == 3 && ps.nlines == 4) {
        ok(ps.paras[0].first == 0 && ps.paras[0].n == 2 && ps.paras[1].n == 1 && ps.paras[2].n == 1,
           "lines per paragraph 2, 1, 1");
        ok(ps.lines[0].len == 3 && memcmp(ps.lines[0].s, "a b", 3) == 0, "trailing white space dropped");
        ok(ps.lines[2].len == 1 && ps.lines[2].s[0] == 'd', "\\r\\n is a line end");
    }
    eng_paras_free(&ps);
    ok(eng_paras_split(NULL, &ps) == 0 && ps.nparas == 0 && ps.nlines == 0, "NULL text: no paragraph");
    eng_paras_free(&ps);
    ok(eng_paras_split("\n\n \n", &ps) == 0 && ps.nparas == 0, "white space only: no paragraph");
    eng_paras_free(&ps);
}

static void test_languages(void)
{
    const eng_office_lang_t *l[ENG_OFFICE_MAX_LANGS];
    size_t n = eng_office_languages("eng+deu+fra+spa+ita+por+nld", l, ENG_OFFICE_MAX_LANGS);
    const char *want[] = {"en", "de", "fr", "es", "it", "pt", "nl"};
    ok(n == 7, "seven languages mapped");
    for (size_t i = 0; i < n && i < 7; ++i)
        is_str(l[i]->bcp47, want[i], want[i]);
    n = eng_office_languages("osd+deu+deu+xyz+eng", l, ENG_OFFICE_MAX_LANGS);
    ok(n == 2 && strcmp(l[0]->bcp47, "de") == 0 && strcmp(l[1]->bcp47, "en") == 0,
       "unknown codes and duplicates left out, order kept");
    ok(eng_office_languages(NULL, l, 4) == 1 && strcmp(l[0]->bcp47, "en") == 0, "no languages: eng");
    eng_office_doc_t d = {.languages = "chi_sim"};
    is_str(eng_office_primary_language(&d)->bcp47, "und", "only unknown codes: und");
    d.languages = "fra+eng";
    ok(eng_office_primary_language(&d)->lcid == 1036, "fra: LCID 1036");
}

int main(int argc, char **argv)
{
    char path[1024], err[256];
    if (argc > 1)
        testdata = argv[1];
    if (!ok(mkdtemp(dir) != NULL, "temp dir"))
        return done_testing();
    test_split();
    test_languages();
    ok(save("parts.py", (const unsigned char *)parts_py, sizeof(parts_py) - 1) != NULL, "parts.py saved");

    snprintf(path, sizeof(path), "%s/phototest.txt", testdata);
    char *photo = acc_read_file(path, NULL);
    snprintf(path, sizeof(path), "%s/eurotext.txt", testdata);
    char *euro = acc_read_file(path, NULL);
    snprintf(path, sizeof(path), "%s/phototest.tif", testdata);
    PIX *pix = pixRead(path);
    unsigned char *png = NULL;
    size_t png_len = 0;
    if (!ok(photo != NULL && euro != NULL && pix != NULL, "ground truth and page image read") ||
        !ok(eng_image_png(pix, 0, 0, &png, &png_len, err, sizeof(err)) == 0, "page image as PNG"))
        return done_testing();

    /* Debian's epubcheck is a jar behind a symlink (run by binfmt_misc where that is set up): run it by java.
     */
    int pandoc = have("pandoc"), epubcheck = have("epubcheck") && have("java"),
        chromium = have("chromium") && have("pdftotext");
    const eng_office_doc_t base = {.languages = "eng", .meta = {.title = "Test"}, .modified = 1780000000};

    /* Each text alone: what comes back is the input. */
    const struct {
        const char *name, *text, *langs;
    } inputs[] = {{"phototest", photo, "eng"}, {"eurotext", euro, "deu+fra+ita+spa+por"}};
    for (size_t t = 0; t < 2; ++t) {
        eng_office_page_t pg = {.text = inputs[t].text, .png = png, .png_len = png_len};
        eng_office_doc_t doc = base;
        doc.pages = &pg;
        doc.npages = 1;
        doc.languages = inputs[t].langs;
        for (size_t i = 0; i < NWRITERS; ++i) {
            const writer_t *w = &writers[i];
            const char *p = write_file(w, &doc, inputs[t].name);
            int st = -1;
            char what[128];
            snprintf(what, sizeof(what), "%s %s", w->name, inputs[t].name);
            if (p == NULL)
                continue;
            char *got = NULL;
            if (w->pandoc != NULL) {
                if (!pandoc) {
                    skip(what, "pandoc");
                    continue;
                }
                got = pandoc_text(w, p, &st);
                ok(st == 0, "%s: pandoc reads it", what);
            } else {
                if (!chromium) {
                    skip(what, "chromium or pdftotext");
                    continue;
                }
                got = chromium_text(p, &st);
                ok(st == 0, "%s: Chromium opens it and prints it", what);
            }
            check_accuracy(what, got != NULL ? got : "", inputs[t].text);
            free(got);
        }
    }

    /* Two pages with metadata and an error page between: pages in order, the error page left out. */
    eng_office_page_t two[] = {
        {.page_no = 2, .text = photo, .png = png, .png_len = png_len},
        {.page_no = 3, .text = NULL},
        {.page_no = 5, .text = euro, .png = png, .png_len = png_len},
    };
    eng_office_doc_t doc2 = base;
    doc2.pages = two;
    doc2.npages = 3;
    doc2.languages = "deu+eng";
    doc2.meta = (eng_pdf_meta_t){.title = "Prüfbericht <2026> & Co",
                                 .author = "Jürgen O'Brien",
                                 .subject = "Scanned letters",
                                 .keywords = "ocr, scan; letters"};
    doc2.identifier = "urn:uuid:0b0e6d6a-6f1c-4d8e-9a53-7f3e2f1c2b11";
    char *both = malloc(strlen(photo) + strlen(euro) + 2);
    sprintf(both, "%s\n%s", photo, euro);
    for (size_t i = 0; i < NWRITERS; ++i) {
        const writer_t *w = &writers[i];
        const char *p = write_file(w, &doc2, "two-pages");
        char what[64], cmd[1024];
        int st = -1;
        snprintf(what, sizeof(what), "%s two pages", w->name);
        if (p == NULL)
            continue;
        if (w->pandoc == NULL) {
            if (!chromium) {
                skip(what, "chromium or pdftotext");
                continue;
            }
            char *got = chromium_text(p, &st);
            check_accuracy(what, got != NULL ? got : "", both);
            /* Chromium breaks the printed page after each section: the two pages' texts are on separate PDF
             * pages (pdftotext separates them with a form feed). */
            const char *ff = got != NULL ? strchr(got, '\f') : NULL;
            ok(ff != NULL && strstr(ff, "Fuchs") != NULL && strstr(got, "quick brown dog") < ff,
               "%s: the second page starts on a new printed page", what);
            free(got);
            snprintf(cmd, sizeof(cmd), "HOME='%s' timeout 120 " CHROMIUM "--dump-dom 'file://%s' 2>/dev/null",
                     dir, p);
            got = run(cmd, &st);
            ok(got != NULL && strstr(got, "<title>Prüfbericht &lt;2026&gt; &amp; Co</title>") != NULL &&
                   strstr(got, "lang=\"de\"") != NULL && strstr(got, "content=\"Jürgen O'Brien\"") != NULL,
               "%s: Chromium's DOM has the title, language and author", what);
            free(got);
            continue;
        }
        if (!pandoc) {
            skip(what, "pandoc");
            continue;
        }
        char *got = pandoc_text(w, p, &st);
        check_accuracy(what, got != NULL ? got : "", both);
        free(got);
        if (strcmp(w->name, "docx") == 0 || strcmp(w->name, "odt") == 0) {
            check_parts(w->name, p);
            continue;
        }
        if (strcmp(w->name, "epub") == 0)
            check_parts(w->name, p);
        /* The metadata as pandoc understands it (its standalone markdown writes it as YAML). */
        snprintf(cmd, sizeof(cmd), "pandoc -f %s -t markdown -s '%s' 2>&1", w->pandoc, p);
        got = run(cmd, &st);
        ok(got != NULL && strstr(got, "Prüfbericht") != NULL && strstr(got, "Jürgen O") != NULL,
           "%s: pandoc reads title and author", what);
        if (got != NULL && strstr(got, "Prüfbericht") == NULL)
            printf("# pandoc:\n%.600s\n", got);
        free(got);
    }
    if (epubcheck) {
        char cmd[1024];
        int st;
        snprintf(cmd, sizeof(cmd), EPUBCHECK "'%s/two-pages.epub' 2>&1", dir);
        char *got = run(cmd, &st);
        ok(st == 0 && got != NULL && strstr(got, "No errors or warnings detected") != NULL,
           "epubcheck: no errors or warnings");
        if (st != 0 || got == NULL || strstr(got, "No errors or warnings detected") == NULL)
            printf("# epubcheck:\n%s\n", got != NULL ? got : "");
        free(got);
        snprintf(cmd, sizeof(cmd), EPUBCHECK "'%s/eurotext.epub' 2>&1", dir);
        got = run(cmd, &st);
        ok(st == 0, "epubcheck: eurotext.epub has no errors");
        free(got);
    } else {
        skip("epubcheck", "epubcheck");
    }

    /* Escaping: markup characters, ill-formed UTF-8, a control character, an astral character, runs of spaces
     * and a tab; every reader must parse the result and find the text. */
    const char *tricky = "a<b>&amp;\"q\" 'x' \\ {y}\n\xff\xc0\x80 bad \x01"
                         "ctl \xf0\x9d\x84\x9e clef\n\nsp   aced\ttab\n";
    eng_office_page_t tp = {.text = tricky, .png = png, .png_len = png_len};
    eng_office_doc_t tdoc = base;
    tdoc.pages = &tp;
    tdoc.npages = 1;
    for (size_t i = 0; i < NWRITERS; ++i) {
        const writer_t *w = &writers[i];
        const char *p = write_file(w, &tdoc, "tricky");
        char what[64], cmd[1024];
        int st = -1;
        snprintf(what, sizeof(what), "%s escaping", w->name);
        if (p == NULL)
            continue;
        if (strcmp(w->name, "rtf") == 0) {
            size_t n;
            char *raw = acc_read_file(p, &n);
            int ascii = raw != NULL;
            for (size_t k = 0; raw != NULL && k < n; ++k)
                ascii &= (unsigned char)raw[k] < 0x80;
            ok(ascii && strstr(raw, "a<b>&amp;\"q\" 'x' \\\\ \\{y\\}") != NULL &&
                   strstr(raw, "\\u-3 ?\\u-3 ?\\u-3 ? bad ctl \\u-10188 ?\\u-8930 ? clef") != NULL &&
                   strstr(raw, "sp   aced\\tab tab") != NULL,
               "%s: 7-bit; \\ { } escaped, U+FFFD per ill-formed byte, control dropped, surrogate pair",
               what);
            free(raw);
        }
        if (w->pandoc != NULL) {
            if (!pandoc) {
                skip(what, "pandoc");
                continue;
            }
            char *got = pandoc_text(w, p, &st);
            /* pandoc 2.17's RTF reader does not join surrogate pairs: the clef is checked in the bytes above.
             */
            int rtf = strcmp(w->name, "rtf") == 0;
            ok(st == 0 && got != NULL && strstr(got, "a<b>&amp;\"q\" 'x' \\ {y}") != NULL &&
                   strstr(got, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd bad ctl") != NULL &&
                   (rtf || strstr(got, "\xf0\x9d\x84\x9e clef") != NULL) && strstr(got, "sp") != NULL &&
                   strstr(got, "aced") != NULL,
               "%s: pandoc reads the escaped text back", what);
            if (got != NULL && strstr(got, "bad ctl") == NULL)
                printf("# got:\n%s\n", got);
            free(got);
            if (strcmp(w->name, "odt") == 0) { /* ODF keeps runs of spaces only as text:s */
                snprintf(cmd, sizeof(cmd), "pandoc -f odt -t native '%s' 2>&1", p);
                got = run(cmd, &st);
                ok(got != NULL && strstr(got, "Str \"aced\"") != NULL, "%s: pandoc sees the spaced words",
                   what);
                free(got);
            }
        } else if (chromium) {
            snprintf(cmd, sizeof(cmd), "HOME='%s' timeout 120 " CHROMIUM "--dump-dom 'file://%s' 2>/dev/null",
                     dir, p);
            char *got = run(cmd, &st);
            ok(got != NULL && strstr(got, "a&lt;b&gt;&amp;amp;\"q\" 'x' \\ {y}") != NULL &&
                   strstr(got, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd bad ctl") != NULL &&
                   strstr(got, "\xf0\x9d\x84\x9e clef") != NULL,
               "%s: Chromium's DOM has the text", what);
            free(got);
        } else {
            skip(what, "chromium");
        }
    }

    /* The MHT's page image is there: a page without text whose screenshot is dark where phototest's text is.
     */
    if (chromium) {
        eng_office_page_t ip = {.text = "", .png = png, .png_len = png_len};
        eng_office_doc_t idoc = base;
        idoc.pages = &ip;
        idoc.npages = 1;
        const char *p = write_file(&writers[NWRITERS - 1], &idoc, "image-only");
        char cmd[2048];
        int st = -1;
        snprintf(cmd, sizeof(cmd),
                 "cd '%s' && HOME='%s' timeout 120 " CHROMIUM
                 "--window-size=800,600 --screenshot='%s/shot.png' "
                 "'file://%s' >/dev/null 2>&1",
                 dir, dir, dir, p != NULL ? p : "");
        free(run(cmd, &st));
        snprintf(path, sizeof(path), "%s/shot.png", dir);
        PIX *shot = p != NULL && st == 0 ? pixRead(path) : NULL,
            *g = shot != NULL ? pixConvertTo8(shot, 0) : NULL;
        l_int32 dark = 0;
        if (g != NULL) {
            PIX *bw = pixThresholdToBinary(g, 128);
            pixCountPixels(bw, &dark, NULL);
            pixDestroy(&bw);
        }
        ok(g != NULL && dark > 5000, "mht: Chromium renders the embedded page image (%d dark pixels)",
           (int)dark);
        pixDestroy(&g);
        pixDestroy(&shot);
    } else {
        skip("mht page image", "chromium");
    }

    /* Refusals: no page to write, pages out of order. */
    eng_office_page_t none = {.text = NULL};
    eng_office_doc_t ndoc = base;
    ndoc.pages = &none;
    ndoc.npages = 1;
    for (size_t i = 0; i < NWRITERS; ++i) {
        unsigned char *out = (unsigned char *)"x";
        size_t len = 1;
        err[0] = '\0';
        int rc = writers[i].write(&ndoc, &out, &len, err, sizeof(err));
        ok(rc == -1 && out == NULL && len == 0 && strstr(err, "at least one recognized page") != NULL,
           "%s: a document without a recognized page is refused: %s", writers[i].name, err);
    }
    eng_office_page_t rev[] = {{.page_no = 3, .text = "a"}, {.page_no = 2, .text = "b"}};
    ndoc.pages = rev;
    ndoc.npages = 2;
    unsigned char *out = NULL;
    size_t olen = 0;
    ok(eng_docx_write(&ndoc, &out, &olen, err, sizeof(err)) == -1 && strstr(err, "must increase") != NULL,
       "pages out of order refused: %s", err);

    free(both);
    free(png);
    pixDestroy(&pix);
    free(photo);
    free(euro);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (getenv("KEEP") == NULL && system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return done_testing();
}
