/* A searchable PDF as tesseract's renderer writes it (eng_pdf_begin .. eng_pdf_end, see eng_ocr.h), into a
 * private temporary directory. The job runner makes one per page; eng_pdf_merge.c joins them and writes the
 * document information. Same threading rule as the eng_ocr_t the PDF was begun on. */
#include "engine/eng_ocr.h"
#include "engine/eng_ocr_internal.h"
#include "engine/eng_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tesseract/capi.h>

struct eng_pdf {
    eng_ocr_t *ocr;
    eng_inst_t *inst;
    TessResultRenderer *renderer;
    char dir[256], path[300];
    int pages;
};

static void pdf_cleanup_files(eng_pdf_t *pdf)
{
    if (pdf->path[0] != '\0')
        unlink(pdf->path);
    if (pdf->dir[0] != '\0')
        rmdir(pdf->dir);
    pdf->path[0] = pdf->dir[0] = '\0';
}

static void pdf_free(eng_pdf_t *pdf)
{
    if (pdf->renderer != NULL)
        TessDeleteResultRenderer(pdf->renderer);
    pdf->renderer = NULL;
    pdf_cleanup_files(pdf);
    if (pdf->inst != NULL)
        pdf->inst->pins--;
    free(pdf);
}

eng_pdf_t *eng_pdf_begin(eng_ocr_t *ocr, const char *languages, char *err, size_t errlen)
{
    const char *langs = languages != NULL && *languages != '\0' ? languages : "eng";
    const char *tmp = getenv("TMPDIR");
    eng_pdf_t *pdf = calloc(1, sizeof(*pdf));
    char base[280];
    int fd;

    if (pdf == NULL) {
        eng__set_err(err, errlen, "Out of memory.");
        return NULL;
    }
    pdf->ocr = ocr;
    if ((pdf->inst = eng__inst_get(ocr, langs, err, errlen)) == NULL)
        goto Fail;
    pdf->inst->pins++;

    if (tmp == NULL || *tmp != '/' || strlen(tmp) > 200)
        tmp = "/tmp";
    snprintf(pdf->dir, sizeof(pdf->dir), "%s/ocrgate-pdf-XXXXXX", tmp);
    if (mkdtemp(pdf->dir) == NULL) {
        pdf->dir[0] = '\0';
        eng__set_err(err, errlen, "Cannot create a temporary directory for the PDF: %s.", strerror(errno));
        goto Fail;
    }
    snprintf(base, sizeof(base), "%s/out", pdf->dir);
    snprintf(pdf->path, sizeof(pdf->path), "%s.pdf", base);
    /* The renderer fopen()s "<base>.pdf" itself; creating it first fixes its mode at 0600 (fopen "wb" keeps
     * the mode of an existing file). The directory is 0700 from mkdtemp anyway. */
    if ((fd = open(pdf->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        pdf->path[0] = '\0';
        eng__set_err(err, errlen, "Cannot create the temporary PDF file: %s.", strerror(errno));
        goto Fail;
    }
    close(fd);
    pdf->renderer = TessPDFRendererCreate(base, ocr->tessdata, 0);
    if (pdf->renderer == NULL || !TessResultRendererBeginDocument(pdf->renderer, "")) {
        eng__set_err(err, errlen, "The PDF renderer could not start.");
        goto Fail;
    }
    return pdf;
Fail:
    pdf_free(pdf);
    return NULL;
}

int eng_pdf_add_last_page(eng_pdf_t *pdf, char *err, size_t errlen)
{
    if (pdf == NULL || pdf->ocr->last != pdf->inst) {
        eng__set_err(err, errlen, "No recognized page with the PDF's languages to add.");
        return -1;
    }
    if (!TessResultRendererAddImage(pdf->renderer, pdf->inst->api)) {
        eng__set_err(err, errlen, "The PDF renderer failed to add page %d.", pdf->pages + 1);
        return -1;
    }
    pdf->pages++;
    return 0;
}

int eng_pdf_pages(const eng_pdf_t *pdf)
{
    return pdf != NULL ? pdf->pages : 0;
}

void eng_pdf_abort(eng_pdf_t *pdf)
{
    if (pdf != NULL)
        pdf_free(pdf);
}

static int read_whole(const char *path, unsigned char **bytes, size_t *len)
{
    int ret = -1;
    struct stat st;
    unsigned char *b = NULL;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return -1;
    if (fstat(fileno(fp), &st) != 0 || st.st_size <= 0)
        goto Exit;
    if ((b = malloc((size_t)st.st_size + 1)) == NULL)
        goto Exit;
    if (fread(b, 1, (size_t)st.st_size, fp) != (size_t)st.st_size)
        goto Exit;
    *bytes = b;
    *len = (size_t)st.st_size;
    b = NULL;
    ret = 0;
Exit:
    free(b);
    fclose(fp);
    return ret;
}

int eng_pdf_end(eng_pdf_t *pdf, unsigned char **bytes, size_t *len, char *err, size_t errlen)
{
    int ret = -1;
    *bytes = NULL;
    *len = 0;
    if (pdf == NULL) {
        eng__set_err(err, errlen, "No PDF in progress.");
        return -1;
    }
    if (pdf->pages == 0) {
        eng__set_err(err, errlen, "The PDF has no pages.");
        goto Exit;
    }
    if (!TessResultRendererEndDocument(pdf->renderer)) {
        eng__set_err(err, errlen, "The PDF renderer failed to finish the document.");
        goto Exit;
    }
    /* Deleting the renderer closes (flushes) its file. */
    TessDeleteResultRenderer(pdf->renderer);
    pdf->renderer = NULL;
    if (read_whole(pdf->path, bytes, len) != 0) {
        eng__set_err(err, errlen, "The rendered PDF could not be read back.");
        goto Exit;
    }
    ret = 0;
Exit:
    pdf_free(pdf);
    return ret;
}
