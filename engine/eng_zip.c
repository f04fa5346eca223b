/* Zip containers in memory with libzip (see eng_zip.h). */
#include "engine/eng_zip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

struct eng_zip {
    zip_source_t *mem; /* the archive's bytes; kept past zip_close */
    zip_t *za;
    time_t mtime;
    int failed;
};

eng_zip_t *eng__zip_create(time_t mtime)
{
    eng_zip_t *z = calloc(1, sizeof(*z));
    zip_error_t ze;
    if (z == NULL)
        return NULL;
    zip_error_init(&ze);
    z->mtime = mtime;
    if ((z->mem = zip_source_buffer_create(NULL, 0, 0, &ze)) == NULL)
        goto Fail;
    if ((z->za = zip_open_from_source(z->mem, ZIP_TRUNCATE, &ze)) == NULL)
        goto Fail;
    zip_source_keep(z->mem); /* zip_close would otherwise free the bytes we are after */
    zip_error_fini(&ze);
    return z;
Fail:
    zip_error_fini(&ze);
    if (z->mem != NULL)
        zip_source_free(z->mem);
    free(z);
    return NULL;
}

int eng__zip_add(eng_zip_t *z, const char *name, const void *data, size_t len, int store)
{
    void *copy = malloc(len > 0 ? len : 1);
    zip_source_t *src;
    zip_int64_t idx;
    if (copy == NULL)
        return z->failed = -1;
    memcpy(copy, data, len);
    if ((src = zip_source_buffer(z->za, copy, len, 1)) == NULL) { /* 1: libzip frees copy */
        free(copy);
        return z->failed = -1;
    }
    if ((idx = zip_file_add(z->za, name, src, ZIP_FL_ENC_UTF_8)) < 0) {
        zip_source_free(src);
        return z->failed = -1;
    }
    if (zip_set_file_compression(z->za, (zip_uint64_t)idx, store ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0) != 0 ||
        zip_file_set_mtime(z->za, (zip_uint64_t)idx, z->mtime, 0) != 0)
        return z->failed = -1;
    return 0;
}

int eng__zip_finish(eng_zip_t *z, unsigned char **out, size_t *len)
{
    zip_stat_t st;
    unsigned char *buf = NULL;
    int ret = -1;

    *out = NULL;
    *len = 0;
    /* On failure zip_close leaves the archive open: eng__zip_abort discards it. */
    if (z->failed || zip_close(z->za) != 0)
        goto Exit;
    z->za = NULL;
    zip_stat_init(&st);
    if (zip_source_stat(z->mem, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) || zip_source_open(z->mem) != 0)
        goto Exit;
    if ((buf = malloc(st.size > 0 ? st.size : 1)) != NULL &&
        zip_source_read(z->mem, buf, st.size) == (zip_int64_t)st.size) {
        *out = buf;
        *len = st.size;
        buf = NULL;
        ret = 0;
    }
    zip_source_close(z->mem);
Exit:
    free(buf);
    eng__zip_abort(z);
    return ret;
}

void eng__zip_abort(eng_zip_t *z)
{
    if (z == NULL)
        return;
    if (z->za != NULL)
        zip_discard(z->za);
    zip_source_free(z->mem);
    free(z);
}

int eng__zip_add_buf(eng_zip_t *z, const char *name, eng_buf_t *b)
{
    int rc = eng__zip_add(z, name, b->s != NULL ? b->s : "", b->len, 0);
    b->len = 0;
    return rc;
}

int eng__zip_done(eng_zip_t *z, eng_buf_t *b, int rc, const char *format, unsigned char **out, size_t *len,
                  char *err, size_t errlen)
{
    free(b->s);
    b->s = NULL;
    *out = NULL;
    *len = 0;
    if (rc != 0 || z == NULL)
        eng__zip_abort(z);
    else
        rc = eng__zip_finish(z, out, len);
    if (rc != 0 || z == NULL) {
        eng__set_err(err, errlen, "Out of memory while writing the %s result.", format);
        return -1;
    }
    return 0;
}
