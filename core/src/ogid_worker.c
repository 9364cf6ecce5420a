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
#include "ogid_progress.h"
#include "ogid_worker.h"

#define MAX_SKIP 16

/* Writes the rule about to run onto the progress page, for the daemon to
 * read should this worker be killed at its deadline. */
static void on_rule(void *ud, const char *id)
{
    struct ogid_progress *progress = ud;

    if (progress != NULL)
        ogid_progress_set(progress->rule, sizeof progress->rule, id);
}

int ogid_worker_main(const struct ogid_config *cfg)
{
    struct ogid_progress *progress = ogid_progress_attach();
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
    /* A file size limit fails the history store's write, which is logged;
     * it must not kill the worker. */
    signal(SIGXFSZ, SIG_IGN);
    if (ogid_pipeline_new(cfg, 1, &p, err, sizeof err) != 0) {
        ogid_error("worker", "cannot start: %s", err);
        return 78;
    }
    /* Loaded: the daemon hands out reports, and starts their deadlines,
     * only from now on. */
    fputs("{\"ready\":true}\n", stdout);
    fflush(stdout);
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
        char *skips[MAX_SKIP];
        size_t n_skip = 0;
        for (char *tok = strtok(skip, ","); tok && n_skip < MAX_SKIP; tok = strtok(NULL, ","))
            skips[n_skip++] = tok;
        struct ogid_check_opts opts = {
            .skip = skips, .n_skip = n_skip, .on_rule = on_rule, .ud = progress,
        };
        if (progress != NULL) {
            ogid_progress_set(progress->job, sizeof progress->job, job);
            progress->rule[0] = '\0';
        }
        result = ogid_pipeline_check_opts(p, path, name, &opts);
        if (progress != NULL)
            progress->job[0] = progress->rule[0] = '\0';
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
