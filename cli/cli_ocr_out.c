/* Where the results of `ocrgate ocr` go and how they are written (cli_ocr.h). Any thread: the workers write
 * their own files' results; the collision check runs on the main thread before anything is sent. */
#include "cli/cli_ocr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *cli_ocr__base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Where format f of input `path` goes: -o FILE, -o DIR/name.ext, or name.ext beside the input. */
char *cli_ocr__output_path(const ocr_args_t *a, const char *path, const eng_output_t *f)
{
    if (a->output != NULL && !a->output_is_dir)
        return strdup(a->output);
    const char *name = cli_ocr__base_name(path), *dot = strrchr(name, '.');
    int stem = dot != NULL && dot != name ? (int)(dot - name) : (int)strlen(name);
    char *out = NULL;
    int r;
    size_t dl = a->output != NULL ? strlen(a->output) : 0;
    while (dl > 1 && a->output[dl - 1] == '/')
        --dl;
    if (a->output != NULL)
        r = asprintf(&out, "%.*s/%.*s.%s", (int)dl, a->output, stem, name, f->extension);
    else
        r = asprintf(&out, "%.*s%.*s.%s", (int)(name - path), path, stem, name, f->extension);
    return r < 0 ? NULL : out;
}

/* Writes the result through a temporary file and a rename, so a reader never sees half of it. */
int cli_ocr__write_result(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
    if (strcmp(path, "-") == 0) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
            snprintf(err, errlen, "stdout: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    char tmp[URL_MAX];
    snprintf(tmp, sizeof(tmp), "%s.part%ld", path, (long)getpid());
    FILE *fp = fopen(tmp, "wb");
    int ok = fp != NULL && fwrite(data, 1, len, fp) == len;
    if (fp != NULL && fclose(fp) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Two inputs whose results would land on the same path (a.tif and a.png into one directory) are refused
 * before anything is sent, rather than one silently overwriting the other. */
int cli_ocr__check_collisions(const ocr_args_t *a)
{
    int ret = 0;
    char **paths = calloc((size_t)a->nfiles, sizeof(char *));
    if (paths == NULL)
        return EXIT_JOB_FAILED;
    for (int i = 0; i < a->nfiles && ret == 0; ++i) {
        paths[i] = cli_ocr__output_path(a, a->files[i], a->formats[0]);
        for (int k = 0; k < i && ret == 0 && paths[i] != NULL; ++k)
            if (paths[k] != NULL && strcmp(paths[k], paths[i]) == 0)
                ret = cli_usage_error("ocr", "'%s' and '%s' would both write %s", a->files[k], a->files[i],
                                      paths[i]);
    }
    for (int i = 0; i < a->nfiles; ++i)
        free(paths[i]);
    free(paths);
    return ret;
}
