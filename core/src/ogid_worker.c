/* The worker side of the daemon. A worker is a plain blocking loop: the
 * daemon gives it one file at a time and kills it when it overruns the
 * per-report deadline, so nothing here needs to be asynchronous. A worker
 * never touches the spool folders or the findings log; it only reads the
 * file it is given. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ogid/ogid_log.h"
#include "ogid_pipeline.h"
#include "ogid_worker.h"

int ogid_worker_main(const struct ogid_config *cfg)
{
    struct ogid_pipeline *p = NULL;
    char err[4096] = "";
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    /* The daemon handles these; a worker ends at end of input or when
     * killed, never halfway through a report on a terminal's Ctrl-C. */
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGUSR1, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    if (ogid_pipeline_new(cfg, 1, &p, err, sizeof err) != 0) {
        ogid_error("worker", "cannot start: %s", err);
        return 78;
    }
    while ((n = getline(&line, &cap, stdin)) > 0) {
        char *job = line, *path, *name, *skip;
        json_t *result;
        char *out;

        line[strcspn(line, "\n")] = '\0';
        path = strchr(job, '\t');
        name = path ? strchr(path + 1, '\t') : NULL;
        skip = name ? strchr(name + 1, '\t') : NULL;
        if (skip == NULL) {
            ogid_error("worker", "malformed job line");
            continue;
        }
        *path++ = '\0';
        *name++ = '\0';
        *skip++ = '\0';
        result = ogid_pipeline_check(p, path, name);
        if (result == NULL)
            result = ogid_result_failed(name, NULL, "out of memory");
        json_object_set_new(result, "job", json_string(job));
        out = json_dumps(result, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(result);
        if (out == NULL)
            break;
        fputs(out, stdout);
        fputc('\n', stdout);
        free(out);
        if (fflush(stdout) != 0)
            break;
    }
    free(line);
    ogid_pipeline_free(p);
    return 0;
}
