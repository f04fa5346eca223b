/*
 * job_log: the job runner's log lines, one JSON object per line on stderr
 * ({"level","component":"engine","msg"}: the component name the logs have always carried), written with one
 * write() so that lines from several threads never interleave. Any thread.
 */
#ifndef OCRGATE_JOB_LOG_H
#define OCRGATE_JOB_LOG_H

__attribute__((format(printf, 2, 3))) void job_log(const char *level, const char *fmt, ...);

#endif
