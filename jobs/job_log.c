/* The job runner's JSON log lines (see job_log.h). */
#include "jobs/job_log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

void job_log(const char *level, const char *fmt, ...)
{
    char msg[1024], line[1300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_t *j = json_pack("{s:s,s:s,s:s}", "level", level, "component", "engine", "msg", msg);
    size_t n = j != NULL ? json_dumpb(j, line, sizeof(line) - 1, JSON_COMPACT) : 0;
    json_decref(j);
    if (n > 0 && n < sizeof(line) - 1) {
        line[n++] = '\n';
        if (write(STDERR_FILENO, line, n) < 0) {
            /* nowhere left to report it */
        }
    }
}
