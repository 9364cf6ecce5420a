/* The daemon's configuration: YAML through libyaml, or the embedded default.
 *
 * Every key is documented, with its default, in contrib/ogid.yaml. An unknown
 * key or a bad value is an error reported as "FILE:LINE:COLUMN: message". */
#ifndef OGID_CONFIG_H
#define OGID_CONFIG_H

#include <stddef.h>
#include <stdint.h>

enum ogid_fsync_policy {
    OGID_FSYNC_REPORT = 0, /* fsync the findings log after each report (default) */
    OGID_FSYNC_NONE = 1,   /* leave flushing to the kernel */
};

struct ogid_config {
    char *source;          /* the file read, or "<default>" */
    char *spool_dir;       /* holds incoming/ work/ done/ failed/ */
    uint32_t settle_ms;    /* a file is taken once unchanged this long */
    uint32_t debounce_ms;  /* delay between a watch event and the scan */
    uint32_t rescan_ms;    /* periodic scan of incoming/, whatever the events */
    uint64_t max_bytes;    /* larger files are refused */
    uint32_t workers;      /* worker processes; 0 = one per CPU */
    uint32_t deadline_ms;  /* wall-clock limit for one report in a worker */
    char **rule_paths;     /* rule files or folders, later ones override */
    size_t n_rule_paths;
    char *forms_dir;       /* form definitions (*.yaml) */
    char *log_path;        /* the findings log */
    enum ogid_fsync_policy fsync;
    char *plugin_dir;      /* ogid-*.so */
    char *history_path;    /* SQLite history store */
};


/* Makes the embedded default: spool ./spool, bundled rules, forms and
 * plugins, log spool/findings.jsonl, history spool/history.db. The caller
 * owns *out and frees it with ogid_config_free. Returns 0 or OGID_ENOMEM. */
int ogid_config_default(struct ogid_config **out);

/* Reads `path` over the defaults. On error returns OGID_ECONFIG (or
 * OGID_ENOENT, OGID_ENOMEM) and, where errbuf is not NULL, writes every
 * problem as "FILE:LINE:COLUMN: message" lines into errbuf (truncated to
 * errlen). Relative paths in the file are relative to the file's folder. */
int ogid_config_load(const char *path, struct ogid_config **out, char *errbuf,
                     size_t errlen);

/* Points every stateful path (spool, log, history) under `dir`. Returns 0 or
 * OGID_ENOMEM. */
int ogid_config_set_spool(struct ogid_config *cfg, const char *dir);

/* Replaces the rule paths with the n given ones. Returns 0 or OGID_ENOMEM. */
int ogid_config_set_rule_paths(struct ogid_config *cfg, char *const *paths,
                               size_t n);

void ogid_config_free(struct ogid_config *cfg);

#endif
