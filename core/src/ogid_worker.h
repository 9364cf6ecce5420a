/* Worker processes: `ogid worker` reads jobs on stdin, one a line
 * "JOB<TAB>PATH<TAB>NAME<TAB>SKIP" (SKIP: rule ids not to run,
 * comma-separated, usually empty), runs the pipeline on each, and writes one result a
 * line (compact JSON, the result of ogid_pipeline_check plus "job") on
 * stdout, after a first line {"ready":true} once it has loaded. It exits on
 * end of input. The daemon supervises it. */
#ifndef OGID_WORKER_H
#define OGID_WORKER_H

#include "ogid_config.h"

/* Runs the worker loop. Returns the process exit status: 0 at end of input,
 * 78 when the pipeline (plugins, forms, rules) cannot be loaded. */
int ogid_worker_main(const struct ogid_config *cfg);

#endif
