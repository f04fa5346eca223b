/* The installed recognition languages: listing the model directory and checking a language list against it
 * (see eng_ocr.h). Pure file-system reads; any thread. */
#include "engine/eng_ocr.h"
#include "engine/eng_ocr_internal.h"
#include "engine/eng_util.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *eng__default_tessdata(void)
{
    const char *env = getenv("TESSDATA_PREFIX");
    return env != NULL && *env != '\0' ? env : ENG_TESSDATA_DEFAULT;
}

/* A language name is a model file's stem: letters, digits, '_' and '-'. No '/', '.', so that nothing can name
 * a file outside the model directory. */
static int valid_lang_name(const char *s, size_t n)
{
    if (n == 0 || n > 32)
        return 0;
    for (size_t i = 0; i < n; ++i)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
            return 0;
    return 1;
}

int eng__check_languages(const char *tessdata_dir, const char *languages, char *err, size_t errlen)
{
    const char *dir = tessdata_dir != NULL ? tessdata_dir : eng__default_tessdata();
    const char *p = languages;
    int count = 0;

    if (p == NULL || *p == '\0') {
        eng__set_err(err, errlen, "No language given.");
        return -1;
    }
    for (;;) {
        const char *plus = strchr(p, '+');
        size_t n = plus != NULL ? (size_t)(plus - p) : strlen(p);
        if (!valid_lang_name(p, n)) {
            eng__set_err(err, errlen, "'%.40s' is not a valid language list (use names like eng or eng+deu).",
                         languages);
            return -1;
        }
        if (n == 3 && memcmp(p, "osd", 3) == 0) {
            eng__set_err(err, errlen, "'osd' is not a recognition language.");
            return -1;
        }
        if (++count > 8) {
            eng__set_err(err, errlen, "At most 8 languages can be combined.");
            return -1;
        }
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%.*s.traineddata", dir, (int)n, p);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            eng__set_err(err, errlen, "Language '%.*s' is not installed.", (int)n, p);
            return -1;
        }
        if (plus == NULL)
            break;
        p = plus + 1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int eng_ocr_languages(const char *tessdata_dir, char ***langs, int *n)
{
    const char *dir = tessdata_dir != NULL ? tessdata_dir : eng__default_tessdata();
    static const char suffix[] = ".traineddata";
    const size_t slen = sizeof(suffix) - 1;
    char **arr = NULL;
    int cnt = 0, cap = 0, ret = -1;
    DIR *d;
    struct dirent *de;

    *langs = NULL;
    *n = 0;
    if ((d = opendir(dir)) == NULL)
        return -1;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len <= slen || strcmp(de->d_name + len - slen, suffix) != 0)
            continue;
        len -= slen;
        if (!valid_lang_name(de->d_name, len) || (len == 3 && memcmp(de->d_name, "osd", 3) == 0))
            continue;
        if (cnt == cap) {
            cap = cap ? cap * 2 : 16;
            char **a2 = realloc(arr, sizeof(*a2) * (size_t)cap);
            if (a2 == NULL)
                goto Exit;
            arr = a2;
        }
        if ((arr[cnt] = strndup(de->d_name, len)) == NULL)
            goto Exit;
        ++cnt;
    }
    if (cnt > 1)
        qsort(arr, (size_t)cnt, sizeof(*arr), cmp_str);
    *langs = arr;
    *n = cnt;
    arr = NULL;
    cnt = 0;
    ret = 0;
Exit:
    closedir(d);
    eng_ocr_languages_free(arr, cnt);
    return ret;
}

const char *eng_ocr_tessdata_dir(const char *tessdata_dir)
{
    return tessdata_dir != NULL ? tessdata_dir : eng__default_tessdata();
}

void eng_ocr_languages_free(char **langs, int n)
{
    for (int i = 0; i < n; ++i)
        free(langs[i]);
    free(langs);
}
