/* Merging one-page PDFs into the job's searchable PDF with libqpdf (see eng_pdf_merge.h). */
#include "engine/eng_pdf_merge.h"
#include "engine/eng_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>
#include <qpdf/qpdf-c.h>
#include <tesseract/capi.h>

/* The sentence of the last error of q (qpdf's text names the file: `what` when it says nothing). */
static void qpdf_sentence(qpdf_data q, const char *what, char *err, size_t errlen)
{
    const char *text = qpdf_has_error(q) ? qpdf_get_error_full_text(q, qpdf_get_error(q)) : NULL;
    if (text != NULL && *text != '\0')
        eng__set_err(err, errlen, "%s", text);
    else
        eng__set_err(err, errlen, "%s: unknown error", what);
}

/* "1.5" -> 15; 0 when unreadable. */
static int version_number(const char *v)
{
    int major = 0, minor = 0;
    return v != NULL && sscanf(v, "%d.%d", &major, &minor) == 2 ? major * 10 + minor : 0;
}

/* Appends every page of part i (read into src) to dst. */
static int add_part(qpdf_data dst, qpdf_data src, const eng_pdf_part_t *part, size_t i, char *err,
                    size_t errlen)
{
    char what[64];
    snprintf(what, sizeof(what), "page PDF %zu", i + 1);
    qpdf_silence_errors(src);
    qpdf_set_suppress_warnings(src, QPDF_TRUE);
    if (qpdf_read_memory(src, what, (const char *)part->bytes, part->len, NULL) & QPDF_ERRORS) {
        qpdf_sentence(src, what, err, errlen);
        return -1;
    }
    int pages = qpdf_get_num_pages(src);
    if (pages <= 0) {
        qpdf_sentence(src, what, err, errlen);
        return -1;
    }
    for (int k = 0; k < pages; ++k)
        if (qpdf_add_page(dst, src, qpdf_get_page_n(src, (size_t)k), QPDF_FALSE) & QPDF_ERRORS) {
            qpdf_sentence(dst, what, err, errlen);
            return -1;
        }
    return 0;
}

/* The new document information dictionary, in the trailer. */
static void set_info(qpdf_data dst, const eng_pdf_meta_t *meta)
{
    char producer[96], created[64];
    char *date = l_getFormattedDate();
    snprintf(producer, sizeof(producer), "Tesseract %s; ocrgate", TessVersion());
    snprintf(created, sizeof(created), "D:%s", date != NULL ? date : "");
    if (date != NULL)
        lept_free(date);
    qpdf_oh info = qpdf_oh_new_dictionary(dst);
    qpdf_oh_replace_key(dst, info, "/Producer", qpdf_oh_new_string(dst, producer));
    qpdf_oh_replace_key(dst, info, "/CreationDate", qpdf_oh_new_string(dst, created));
    const struct {
        const char *key, *val;
    } fields[] = {{"/Title", meta != NULL ? meta->title : NULL},
                  {"/Author", meta != NULL ? meta->author : NULL},
                  {"/Subject", meta != NULL ? meta->subject : NULL},
                  {"/Keywords", meta != NULL ? meta->keywords : NULL}};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); ++i)
        if (fields[i].val != NULL && *fields[i].val != '\0')
            qpdf_oh_replace_key(dst, info, fields[i].key, qpdf_oh_new_unicode_string(dst, fields[i].val));
    qpdf_oh_replace_key(dst, qpdf_get_trailer(dst), "/Info", qpdf_make_indirect_object(dst, info));
}

int eng_pdf_merge(const eng_pdf_part_t *parts, size_t n, const eng_pdf_meta_t *meta, unsigned char **out,
                  size_t *out_len, char *err, size_t errlen)
{
    *out = NULL;
    *out_len = 0;
    if (n == 0) {
        eng__set_err(err, errlen, "The PDF has no pages.");
        return -1;
    }
    int ret = -1, version = 0;
    char vtext[16];
    /* qpdf copies a foreign page's stream data only when the merged file is written: every source stays. */
    qpdf_data dst = qpdf_init(), *src = calloc(n, sizeof(*src));
    if (src == NULL) {
        eng__set_err(err, errlen, "Out of memory.");
        goto Exit;
    }
    qpdf_silence_errors(dst);
    qpdf_set_suppress_warnings(dst, QPDF_TRUE);
    if (qpdf_empty_pdf(dst) & QPDF_ERRORS) {
        qpdf_sentence(dst, "empty PDF", err, errlen);
        goto Exit;
    }
    for (size_t i = 0; i < n; ++i) {
        src[i] = qpdf_init();
        if (add_part(dst, src[i], &parts[i], i, err, errlen) != 0)
            goto Exit;
        int v = version_number(qpdf_get_pdf_version(src[i]));
        version = v > version ? v : version;
    }
    set_info(dst, meta);
    if (qpdf_init_write_memory(dst) & QPDF_ERRORS) {
        qpdf_sentence(dst, "writing the PDF", err, errlen);
        goto Exit;
    }
    qpdf_set_object_stream_mode(dst, qpdf_o_disable);
    qpdf_set_stream_data_mode(dst, qpdf_s_preserve);
    if (version > 0) {
        snprintf(vtext, sizeof(vtext), "%d.%d", version / 10, version % 10);
        qpdf_set_minimum_pdf_version(dst, vtext);
    }
    if (qpdf_write(dst) & QPDF_ERRORS) {
        qpdf_sentence(dst, "writing the PDF", err, errlen);
        goto Exit;
    }
    size_t len = qpdf_get_buffer_length(dst);
    const unsigned char *buf = qpdf_get_buffer(dst);
    if (buf == NULL || len == 0 || (*out = malloc(len)) == NULL) {
        eng__set_err(err, errlen, "The merged PDF could not be kept.");
        goto Exit;
    }
    memcpy(*out, buf, len);
    *out_len = len;
    ret = 0;
Exit:
    qpdf_cleanup(&dst);
    for (size_t i = 0; src != NULL && i < n; ++i)
        if (src[i] != NULL)
            qpdf_cleanup(&src[i]);
    free(src);
    return ret;
}
