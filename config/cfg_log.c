/* The one JSON-line log writer (see cfg_log.h). */
#include "config/cfg_log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 4096

void cfg_log_line(int fd, json_t *line)
{
    char buf[LOG_LINE_MAX];
    if (line == NULL)
        return;
    size_t n = json_dumpb(line, buf, sizeof(buf) - 1, CFG_JSON_FLAGS);
    json_decref(line);
    if (n == 0 || n >= sizeof(buf) - 1)
        return;
    buf[n++] = '\n';
    if (write(fd, buf, n) < 0) {
        /* Nowhere left to report a log that cannot be written. */
    }
}

static int rank(const char *level)
{
    static const char *const levels[] = {"error", "warn", "info", "debug"};
    for (int i = 0; i < 4; ++i)
        if (strcmp(level, levels[i]) == 0)
            return i;
    return 2;
}

void cfg_logv(const char *threshold, const char *level, const char *component, const char *fmt, va_list ap)
{
    if (threshold != NULL && rank(level) > rank(threshold))
        return;
    char msg[1024], ts[32];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *j = json_pack("{s:s,s:s}", "time", ts, "level", level);
    if (j != NULL && component != NULL)
        json_object_set_new(j, "component", json_string(component));
    if (j != NULL)
        json_object_set_new(j, "msg", json_string(msg)); /* NULL (dropped) when msg is not UTF-8 */
    cfg_log_line(STDERR_FILENO, j);
}
