/* The job runner's log lines (see job_log.h), written by the one JSON-line writer. */
#include "jobs/job_log.h"

#include "config/cfg_log.h"

void job_log(const char *level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cfg_logv(NULL, level, "engine", fmt, ap);
    va_end(ap);
}
