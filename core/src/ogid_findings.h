/* The findings log (FINDINGS.md): JSON Lines, appended. All lines of one
 * report go out in one write() on an O_APPEND descriptor, finding lines first
 * and the report line last, so a reader never sees a report half-written and
 * recovery can tell a whole group from a torn one. */
#ifndef OGID_FINDINGS_H
#define OGID_FINDINGS_H

#include <stddef.h>

#include <jansson.h>

#include "ogid_config.h"

struct ogid_findings_log;

/* The current time as RFC 3339 UTC with milliseconds, into out[32]. */
void ogid_timestamp(char out[32]);

/* Formats a pipeline result (see ogid_pipeline_check) as the log lines of one
 * report: one "finding" line per finding, then its "report" line, which also
 * carries `job` (the spool's claim id) when job is not NULL. The caller frees
 * *buf. Returns 0 or OGID_ENOMEM. */
int ogid_findings_format(json_t *result, const char *job, char **buf, size_t *len);

/* One "daemon" line: {"ts","event":"daemon","what":what,"message":message}
 * plus the fields of `extra` (may be NULL). The caller frees the result. */
char *ogid_findings_daemon_line(const char *what, const char *message, json_t *extra,
                                size_t *len);

/* Opens (creating, mode 0644) the log for appending. */
int ogid_findings_open(const char *path, enum ogid_fsync_policy fsync,
                       struct ogid_findings_log **out);
void ogid_findings_close(struct ogid_findings_log *log);

/* Appends buf in one write and, under the report policy, fsyncs. On any
 * failure (a short write, ENOSPC, EIO) the file is cut back to where it
 * was, so no partial line stays, and OGID_EIO is returned with errno set. */
int ogid_findings_append(struct ogid_findings_log *log, const char *buf, size_t len);

/* Reopens the file by name (after logrotate moved it). */
int ogid_findings_reopen(struct ogid_findings_log *log);

/* Recovery after a crash, before the log is opened for writing: cuts off a
 * torn tail (anything after the last complete report or daemon line: a
 * partial line, or finding lines whose report line never came). Returns the
 * number of bytes removed, or a negative code. */
long ogid_findings_repair(const char *path);

/* Adds to the object `jobs`, for every job id found on a report line of the
 * log at path, that line (as an object) under the job id. Returns 0, or a negative code (a missing log is 0). */
int ogid_findings_jobs(const char *path, json_t *jobs);

#endif
