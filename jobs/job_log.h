/*
 * job_log: the job runner's log lines on stderr, {"time","level","component":"engine","msg"} (the component
 * name the logs have always carried), by the one JSON-line writer (config/cfg_log.h). Every level is written.
 * Any thread.
 */
#ifndef OCRGATE_JOB_LOG_H
#define OCRGATE_JOB_LOG_H

__attribute__((format(printf, 2, 3))) void job_log(const char *level, const char *fmt, ...);

#endif
