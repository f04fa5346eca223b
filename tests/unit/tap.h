/*
 * A tiny TAP harness for unit tests: ok(cond, fmt, ...) prints "ok N - ..." or "not ok N - ...",
 * done_testing() prints the plan and returns the exit status (non-zero when any check failed).
 * Header-only so that a test can #include the .c under test next to it and reach its statics.
 */
#ifndef OCRGATE_TAP_H
#define OCRGATE_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap__count, tap__failed;

__attribute__((format(printf, 2, 3))) static inline int ok(int cond, const char *fmt, ...)
{
    va_list ap;
    ++tap__count;
    if (!cond)
        ++tap__failed;
    printf("%s %d - ", cond ? "ok" : "not ok", tap__count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    return cond;
}

#define is_str(got, want, name)                                                                              \
    do {                                                                                                     \
        const char *is__g = (got), *is__w = (want);                                                          \
        if (!ok(is__g != NULL && is__w != NULL ? strcmp(is__g, is__w) == 0 : is__g == is__w, "%s", name))    \
            printf("#   got: '%s'\n#  want: '%s'\n", is__g ? is__g : "(null)", is__w ? is__w : "(null)");    \
    } while (0)

#define is_int(got, want, name)                                                                              \
    do {                                                                                                     \
        long long is__g = (long long)(got), is__w = (long long)(want);                                       \
        if (!ok(is__g == is__w, "%s", name))                                                                 \
            printf("#   got: %lld\n#  want: %lld\n", is__g, is__w);                                          \
    } while (0)

static inline int done_testing(void)
{
    printf("1..%d\n", tap__count);
    if (tap__failed)
        printf("# %d of %d checks failed\n", tap__failed, tap__count);
    return tap__failed != 0 || tap__count == 0;
}

#endif
