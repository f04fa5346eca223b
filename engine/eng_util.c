/* The engine's leaf module (see eng_util.h). */
#include "engine/eng_util.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init_once(void)
{
    const char *v = getenv("OCRGATE_ENGINE_VERBOSE");
    if (v != NULL && *v != '\0' && strcmp(v, "0") != 0)
        return;
    setMsgSeverity(L_SEVERITY_NONE);
    /* debug_file is a process-wide tesseract parameter; any instance can set it. tprintf special-cases
     * nothing, it simply opens the file once and writes there. */
    TessBaseAPI *api = TessBaseAPICreate();
    if (api != NULL) {
        TessBaseAPISetVariable(api, "debug_file", "/dev/null");
        TessBaseAPIDelete(api);
    }
}

void eng_global_init(void)
{
    pthread_once(&global_once, global_init_once);
}

static pthread_once_t version_once = PTHREAD_ONCE_INIT;
static char tess_version[64], lept_version[64];

static void version_init(void)
{
    const char *tv = TessVersion();
    snprintf(tess_version, sizeof(tess_version), "tesseract %s", tv != NULL ? tv : "unknown");
    char *lv = getLeptonicaVersion(); /* "leptonica-1.82.0" */
    const char *v = lv != NULL ? lv : "unknown";
    if (strncmp(v, "leptonica-", 10) == 0)
        v += 10;
    snprintf(lept_version, sizeof(lept_version), "leptonica %s", v);
    if (lv != NULL)
        lept_free(lv);
}

const char *eng_version(void)
{
    pthread_once(&version_once, version_init);
    return tess_version;
}

const char *eng_leptonica_version(void)
{
    pthread_once(&version_once, version_init);
    return lept_version;
}

void eng__set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int eng__buf_addn(eng_buf_t *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *s2 = realloc(b->s, cap);
        if (s2 == NULL)
            return -1;
        b->s = s2;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

int eng__buf_add(eng_buf_t *b, const char *s)
{
    return eng__buf_addn(b, s, strlen(s));
}

int eng__buf_add_xml(eng_buf_t *b, const char *s)
{
    for (; *s != '\0'; ++s) {
        const char *rep = NULL;
        switch (*s) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            break;
        }
        if (rep != NULL ? eng__buf_add(b, rep) != 0 : eng__buf_addn(b, s, 1) != 0)
            return -1;
    }
    return 0;
}
