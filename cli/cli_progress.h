/*
 * cli_progress: the terminal display of `ocrgate ocr`: one line per input file, redrawn in place (an upload
 * bar in bytes, then the page counter of the running job, then the outcome), and notes (waits, errors)
 * printed above the lines. When the stream is not a terminal nothing but the notes is written.
 *
 * Any thread may call every function: one mutex serializes the drawing. The display owns its copies of
 * the labels; cli_progress_destroy frees it.
 */
#ifndef OCRGATE_CLI_PROGRESS_H
#define OCRGATE_CLI_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct cli_progress cli_progress_t;

/* nlines lines labelled labels[i]; drawn on `out` when draw is set (a terminal), else only notes. */
cli_progress_t *cli_progress_create(FILE *out, int draw, int nlines, const char *const *labels)
    __attribute__((warn_unused_result));
void cli_progress_destroy(cli_progress_t *p);

void cli_progress_bytes(cli_progress_t *p, int line, uint64_t sent, uint64_t total);
/* total 0: not known yet. */
void cli_progress_pages(cli_progress_t *p, int line, int done, int total);
/* The line's final or current state in words ("waiting", "completed: 3 pages, wrote a.txt"). */
void cli_progress_state(cli_progress_t *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A sentence printed above the lines (or alone when not drawing), prefixed by the line's label when line >=
 * 0. */
void cli_progress_note(cli_progress_t *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
