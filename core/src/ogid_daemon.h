/* The daemon: watches the spool, claims settled files, hands each to a
 * worker process, writes the findings log and moves files on. */
#ifndef OGID_DAEMON_H
#define OGID_DAEMON_H

#include <stddef.h>

#include "ogid_config.h"

struct ogid_daemon_options {
    const char *config_path;  /* -c FILE, or NULL for the embedded default */
    const char *spool;        /* --spool DIR, or NULL */
    char **rules;             /* --rules PATH..., replacing the configured ones */
    size_t n_rules;
};

/* Loads the configuration as the options say (the file or the default, then
 * --spool and --rules over it). On error writes the reasons into errbuf. */
int ogid_daemon_config(const struct ogid_daemon_options *opt, struct ogid_config **out,
                       char *errbuf, size_t errlen);

/* Runs the daemon in the foreground until SIGTERM or SIGINT. Returns the
 * process exit status: 0 after a clean stop, 78 (EX_CONFIG) when the
 * configuration, plugins or rules do not load, 74 (EX_IOERR) when the spool
 * or the log cannot be opened. */
int ogid_daemon_run(const struct ogid_daemon_options *opt);

#endif
