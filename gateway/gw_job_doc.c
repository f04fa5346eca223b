/* Document admission for jobs (gw_jobs.h): the bytes are judged before anything is stored: size, format by
 * content, page and pixel limits read from the headers. Runs on the loop thread; nothing here decodes a page
 * or opens a PDF (poppler serializes its callers, so only workers open PDFs). */
#include "engine/eng_doc.h"
#include "engine/eng_limits.h"
#include "engine/eng_pages.h"
#include "engine/eng_sniff.h"
#include "gateway/gw_jobs.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int gw_job_doc_check(gw_req_t *r, const char *data, size_t len, const char *declared, size_t dlen,
                     gw_job_doc_t *doc)
{
    if (len == 0) {
        gw_fail_counted(r, 415, "EmptyDocument", NULL, "the document is empty");
        return -1;
    }
    if ((long long)len > r->who.max_file_bytes) {
        gw_fail_counted(r, 413, "PayloadTooLarge", NULL,
                        "the document has %zu bytes; this license's tier allows %lld", len,
                        r->who.max_file_bytes);
        return -1;
    }
    eng_format_t fmt = eng_sniff(data, len);
    if (fmt == ENG_FMT_UNKNOWN) {
        char names[80];
        gw_fail_counted(r, 415, "UnsupportedMediaType", NULL, "the document is not %s (judged by its bytes)",
                        eng_input_names(names, sizeof(names)));
        return -1;
    }
    if (declared != NULL && dlen > 0) {
        /* A declared type must be a document type; the bytes decide which one. */
        eng_format_t dfmt = eng_format_from_mime(declared, dlen);
        int generic = dlen >= 24 && strncasecmp(declared, "application/octet-stream", 24) == 0;
        if (dfmt == ENG_FMT_UNKNOWN && !generic) {
            gw_fail_counted(r, 415, "UnsupportedMediaType", NULL,
                            "Content-Type %.*s is not a supported document type",
                            (int)(dlen > 80 ? 80 : dlen), declared);
            return -1;
        }
    }
    int npages = 0;
    if (fmt != ENG_FMT_PDF) {
        /* A PDF's page count and page sizes at the job's dpi are checked by the worker before it renders
         * anything (it fails the job with DocumentTooLarge or UnreadableDocument); here only its signature
         * and size are. */
        eng_page_info_t *infos = NULL;
        char err[256], msg[256];
        eng_limits_t lim = {(int)r->who.max_pages, r->who.max_pixels};
        int pr = eng_doc_probe(data, len, fmt, lim.max_pages, &npages, &infos, err, sizeof(err));
        /* The same check, and the same sentence, as the job runner's before it decodes anything. */
        int too_large = eng_limits_check(&lim, pr, npages, infos, msg, sizeof(msg)) != 0;
        free(infos);
        if (too_large) {
            gw_fail_counted(r, 413, "DocumentTooLarge", NULL, "%s", msg);
            return -1;
        }
        if (pr != ENG_DOC_OK) {
            gw_fail_counted(r, 415, "UnsupportedMediaType", NULL, "the document cannot be read: %s", err);
            return -1;
        }
    }
    doc->data = data;
    doc->len = len;
    doc->content_type = eng_format_mime(fmt);
    doc->pages = npages;
    return 0;
}

int gw_job_doc_pages(gw_req_t *r, const json_t *options, const gw_job_doc_t *doc)
{
    const json_t *v = json_object_get(options, "pages");
    eng_pages_t sel;
    char err[256];
    if (doc->pages <= 0 || !json_is_string(v) ||
        eng_pages_parse(json_string_value(v), json_string_length(v), &sel, err, sizeof(err)) != 0 ||
        eng_pages_any(&sel, doc->pages))
        return 0;
    /* The stored option passed the parser: digits, dashes, commas and spaces only. */
    json_t *d = json_pack("[{s:s,s:s}]", "field", "pages", "message", "selects no page of the document");
    gw_fail_counted(r, 400, "InvalidInput", d,
                    "the pages option '%s' selects no page of this %d-page document", json_string_value(v),
                    doc->pages);
    return -1;
}

static int part_is(const gw_part_t *p, const char *name)
{
    return p->name_len == strlen(name) && memcmp(p->name, name, p->name_len) == 0;
}

int gw_job_doc_form(gw_req_t *r, const char *ctype, size_t ctlen, h2o_iovec_t body, gw_part_t *parts,
                    const gw_part_t **file, const gw_part_t **options)
{
    char err[256];
    size_t n = 0;
    *file = *options = NULL;
    if (gw_multipart_parse(ctype, ctlen, body.base, body.len, parts, GW_JOB_FORM_PARTS, &n, err,
                           sizeof(err)) != 0) {
        gw_fail_counted(r, 400, "InvalidInput", NULL, "%s", err);
        return -1;
    }
    for (size_t i = 0; i < n; ++i) {
        int is_file = part_is(&parts[i], "file"), is_opts = part_is(&parts[i], "options");
        if (!is_file && !is_opts) {
            char shown[65];
            size_t k = 0;
            for (; k < parts[i].name_len && k < sizeof(shown) - 1; ++k) /* echo only plain characters */
                shown[k] = isalnum((unsigned char)parts[i].name[k]) || parts[i].name[k] == '_'
                               ? parts[i].name[k]
                               : '?';
            shown[k] = '\0';
            gw_fail_counted(r, 400, "UnrecognizedInput", NULL,
                            "unknown form part '%s' (expected file, options)", shown);
            return -1;
        }
        const gw_part_t **slot = is_file ? file : options;
        if (*slot != NULL) {
            gw_fail_counted(r, 400, "InvalidInput", NULL, "the form has more than one '%s' part",
                            is_file ? "file" : "options");
            return -1;
        }
        *slot = &parts[i];
    }
    return 0;
}

void gw_job_doc_name(const gw_part_t *file, gw_job_doc_t *doc)
{
    if (file->filename == NULL)
        return;
    /* Browsers may send a whole client path: keep its last component. */
    const char *fn = file->filename;
    size_t fl = file->filename_len;
    for (size_t i = fl; i > 0; --i)
        if (fn[i - 1] == '/' || fn[i - 1] == '\\') {
            fn += i;
            fl -= i;
            break;
        }
    json_t *valid = json_stringn(fn, fl > 255 ? 255 : fl); /* NULL unless UTF-8 */
    if (valid != NULL && fl > 0) {
        snprintf(doc->name, sizeof(doc->name), "%s", json_string_value(valid));
        doc->has_name = 1;
    }
    json_decref(valid);
}
