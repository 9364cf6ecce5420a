/* The pipeline of one report: read, detect, parse through a format plugin,
 * recognise, run the rules. `ogid check` and `ogid parse` run it in-process;
 * the daemon runs it in worker processes. */
#ifndef OGID_PIPELINE_H
#define OGID_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ogid_config.h"
#include "ogid_input.h"

struct ogid_pipeline;

/* Loads plugins, forms and rules named by cfg (which must outlive the
 * pipeline). with_rules = 0 skips the rules (for `ogid parse`). On error
 * returns a negative code with every problem, one a line, in errbuf. */
int ogid_pipeline_new(const struct ogid_config *cfg, int with_rules,
                      struct ogid_pipeline **out, char *errbuf, size_t errlen);
void ogid_pipeline_free(struct ogid_pipeline *p);

struct ogid_rules *ogid_pipeline_rules(struct ogid_pipeline *p);

/* Checks that `path` is something to read: not a symlink, FIFO, device or
 * folder, not empty, not over max_bytes, readable. Returns an open fd
 * (O_CLOEXEC), or -1 with the reason for a person in `reason`. */
int ogid_open_report(const char *path, uint64_t max_bytes, char *reason, size_t len);

/* Parses the file open at fd into the report model. `name` is the file name
 * as dropped. On failure returns NULL and the reason in `reason`; sets *sha
 * (65 bytes) when the bytes could be read. */
json_t *ogid_pipeline_parse_fd(struct ogid_pipeline *p, int fd, const char *name,
                               char sha[65], char *reason, size_t len);

/* Runs the whole pipeline on the file at `path` and returns the result, a
 * new object: status ("checked"/"failed"), report (sha256 or null), file,
 * agency, year, form, findings (array), counts, ms, and error when failed.
 * NULL only when out of memory. */
json_t *ogid_pipeline_check(struct ogid_pipeline *p, const char *path, const char *name);

/* What the daemon's workers add to a check: rules to skip (each gets a
 * RULE_ERROR finding instead; a rule that overran the deadline last time),
 * and a callback before each rule, for the progress page. */
struct ogid_check_opts {
    char *const *skip;
    size_t n_skip;
    void (*on_rule)(void *ud, const char *id);
    void *ud;
};

/* ogid_pipeline_check with options; opts may be NULL. */
json_t *ogid_pipeline_check_opts(struct ogid_pipeline *p, const char *path, const char *name,
                                 const struct ogid_check_opts *opts);

/* A result for a report that failed before or outside the pipeline. */
json_t *ogid_result_failed(const char *name, const char *sha, const char *reason);

/* Adds a finding to a result (e.g. WORKER_CRASHED), updating its counts. */
int ogid_result_add_finding(json_t *result, const char *rule, const char *code,
                            const char *severity, const char *message);

#endif
