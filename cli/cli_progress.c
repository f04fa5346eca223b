/* The client's terminal display (see cli_progress.h). */
#include "cli/cli_progress.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define BAR_WIDTH 24
/* Longer labels (paths) keep their end, which names the file: "...scans/page-7.tif". */
#define LABEL_MAX 40
#define LINE_MAX_BYTES 512
/* Byte counts arrive per chunk: redraw at most every 100 ms, and at once when a line changes its kind. */
#define REDRAW_NS 100000000LL

typedef struct {
    char *label;
    char text[LINE_MAX_BYTES];
} line_t;

struct cli_progress {
    pthread_mutex_t lock;
    FILE *out;
    int draw, nlines, drawn, label_width;
    long long last_ns;
    line_t *lines;
};

static long long mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The label as drawn: whole, or "..." and its end, cut at a character boundary (UTF-8). */
static char *short_label(const char *label)
{
    size_t len = strlen(label);
    if (len <= LABEL_MAX)
        return strdup(label);
    const char *tail = label + len - (LABEL_MAX - 3);
    while ((*tail & 0xC0) == 0x80)
        ++tail;
    char *out = malloc(LABEL_MAX + 1);
    if (out != NULL)
        snprintf(out, LABEL_MAX + 1, "...%s", tail);
    return out;
}

cli_progress_t *cli_progress_create(FILE *out, int draw, int nlines, const char *const *labels)
{
    cli_progress_t *p = calloc(1, sizeof(*p));
    if (p == NULL || (p->lines = calloc((size_t)nlines, sizeof(line_t))) == NULL) {
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    p->out = out;
    p->draw = draw;
    p->nlines = nlines;
    for (int i = 0; i < nlines; ++i) {
        p->lines[i].label = short_label(labels[i]);
        snprintf(p->lines[i].text, LINE_MAX_BYTES, "waiting");
        int w = p->lines[i].label != NULL ? (int)strlen(p->lines[i].label) : 0;
        if (w > p->label_width)
            p->label_width = w > LABEL_MAX ? LABEL_MAX : w;
    }
    return p;
}

void cli_progress_destroy(cli_progress_t *p)
{
    if (p == NULL)
        return;
    for (int i = 0; i < p->nlines; ++i)
        free(p->lines[i].label);
    free(p->lines);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

static int columns(FILE *out)
{
    struct winsize ws;
    if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
        return ws.ws_col;
    return 80;
}

/* Redraws every line in place: back to the first line, then each one cleared and cut to the width (a
 * wrapped line would throw the cursor arithmetic off). Called with the lock held. */
static void redraw(cli_progress_t *p)
{
    int width = columns(p->out) - 1;
    if (p->drawn)
        fprintf(p->out, "\r\033[%dA", p->nlines);
    for (int i = 0; i < p->nlines; ++i) {
        char buf[LINE_MAX_BYTES + 64];
        int n = snprintf(buf, sizeof(buf), "%-*.*s  %s", p->label_width, p->label_width,
                         p->lines[i].label ? p->lines[i].label : "", p->lines[i].text);
        if (n > width)
            buf[width] = '\0';
        fprintf(p->out, "\r\033[2K%s\n", buf);
    }
    p->drawn = 1;
    p->last_ns = mono_ns();
    fflush(p->out);
}

static void set_text(cli_progress_t *p, int line, int force, const char *fmt, va_list ap)
{
    if (!p->draw || line < 0 || line >= p->nlines)
        return;
    pthread_mutex_lock(&p->lock);
    vsnprintf(p->lines[line].text, LINE_MAX_BYTES, fmt, ap);
    if (force || mono_ns() - p->last_ns >= REDRAW_NS)
        redraw(p);
    pthread_mutex_unlock(&p->lock);
}

static void set_textf(cli_progress_t *p, int line, int force, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_text(p, line, force, fmt, ap);
    va_end(ap);
}

static void bar(char *out, double frac)
{
    int fill = (int)(frac * BAR_WIDTH + 0.5);
    for (int i = 0; i < BAR_WIDTH; ++i)
        out[i] = i < fill ? '#' : '.';
    out[BAR_WIDTH] = '\0';
}

/* 1234567 -> "1.2 MB" */
static void human(uint64_t b, char *out, size_t len)
{
    if (b < 1000)
        snprintf(out, len, "%llu B", (unsigned long long)b);
    else if (b < 1000000)
        snprintf(out, len, "%.1f kB", (double)b / 1e3);
    else
        snprintf(out, len, "%.1f MB", (double)b / 1e6);
}

void cli_progress_bytes(cli_progress_t *p, int line, uint64_t sent, uint64_t total)
{
    char b[BAR_WIDTH + 1], s[32], t[32];
    double frac = total > 0 ? (double)sent / (double)total : 0;
    bar(b, frac);
    human(sent, s, sizeof(s));
    human(total, t, sizeof(t));
    set_textf(p, line, sent == total, "uploading [%s] %3d%% %s of %s", b, (int)(frac * 100), s, t);
}

void cli_progress_pages(cli_progress_t *p, int line, int done, int total)
{
    char b[BAR_WIDTH + 1];
    if (total <= 0) {
        set_textf(p, line, 1, "processing");
        return;
    }
    bar(b, (double)done / total);
    set_textf(p, line, 1, "processing [%s] pages %d/%d", b, done, total);
}

void cli_progress_state(cli_progress_t *p, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_text(p, line, 1, fmt, ap);
    va_end(ap);
}

void cli_progress_note(cli_progress_t *p, int line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&p->lock);
    const char *label = line >= 0 && line < p->nlines ? p->lines[line].label : NULL;
    if (p->draw && p->drawn) {
        /* Over the first line: the note takes its place and the block is drawn again below it. */
        fprintf(p->out, "\r\033[%dA\033[2K", p->nlines);
        p->drawn = 0;
    }
    fprintf(p->out == stdout ? stderr : p->out, "ocrgate ocr: %s%s%s\n", label ? label : "",
            label ? ": " : "", msg);
    if (p->draw)
        redraw(p);
    pthread_mutex_unlock(&p->lock);
}
