/* The daemon's configuration: YAML through libyaml, or the embedded default.
 *
 * Every key is documented, with its default, in contrib/ogid.yaml. An unknown
 * key or a bad value is an error reported as "FILE:LINE:COLUMN: message". */
#ifndef OGID_CONFIG_H
#define OGID_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* A YAML node kept as read, with its place in the file, for settings that
 * only another module can check: the per-rule settings under `rules:`, which
 * the rule engine checks against the rules it has loaded
 * (ogid_rules_configure), and the rule test cases (ogid_rules_test). */
enum ogid_config_node_type {
    OGID_NODE_SCALAR = 0,
    OGID_NODE_SEQUENCE = 1,
    OGID_NODE_MAPPING = 2,
};

struct ogid_config_node {
    enum ogid_config_node_type type;
    size_t line, column;            /* where the node starts, from 1 */
    char *text;                     /* a scalar's text; "" for the others */
    size_t len;                     /* its length (a quoted scalar may hold NUL) */
    int plain;                      /* a scalar written without quotes */
    size_t n;                       /* items of a sequence, pairs of a mapping */
    struct ogid_config_node *items; /* the items, or the mapping's values */
    struct ogid_config_node *keys;  /* the mapping's keys; NULL otherwise */
};

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
    uint32_t rule_reload_ms; /* reload this long after a rule file changes; 0: SIGHUP only */
    char *forms_dir;       /* form definitions (*.yaml) */
    char *log_path;        /* the findings log */
    enum ogid_fsync_policy fsync;
    char *plugin_dir;      /* ogid-*.so */
    char *history_path;    /* SQLite history store */

    /* rules: the per-rule settings keyed by rule id, kept as read for the
     * rule engine to check against the loaded rules; NULL when the file has
     * none. rules_file is the config file as it was named, for messages. */
    struct ogid_config_node *rule_settings;
    char *rules_file;
    /* Local holidays added to the working-day calendar (ethnic-minority
     * festivals, art. 4 of the holiday measures): a sequence of {date, name,
     * off}, or NULL; holidays_file names the file for messages. */
    struct ogid_config_node *holidays;
    char *holidays_file;
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

/* Reads the YAML file at `path` (one document, at most 1 MiB, UTF-8) into a
 * node tree the caller frees with ogid_config_node_free; an empty file gives
 * *out = NULL. Aliases are expanded (at most 100000 nodes, 64 deep). On
 * error returns OGID_ECONFIG (or OGID_ENOENT, OGID_EIO, OGID_ENOMEM) with
 * "FILE:LINE:COLUMN: message" in errbuf, FILE being `path` as given. Any
 * thread. */
int ogid_config_node_load(const char *path, struct ogid_config_node **out,
                          char *errbuf, size_t errlen);
void ogid_config_node_free(struct ogid_config_node *n);

/* 1 when n is NULL or a plain scalar that YAML reads as null ("", ~, null). */
int ogid_config_node_is_null(const struct ogid_config_node *n);

/* The value of `key` in mapping m, or NULL (also when m is not a mapping). */
const struct ogid_config_node *ogid_config_node_get(const struct ogid_config_node *m,
                                                    const char *key);

/* The JSON value of a node, by YAML 1.2's core schema: a plain scalar may be
 * null, true/false, an integer or a float, anything else is a string; a
 * sequence is an array, a mapping an object (keys by their text). A new
 * reference, or NULL when out of memory. */
json_t *ogid_config_node_json(const struct ogid_config_node *n);

/* Problems found while checking node trees against what a module expects
 * (the rule engine's check of the per-rule settings), gathered as
 * "FILE:LINE:COLUMN: message" lines in buf (truncated to len). */
struct ogid_config_errors {
    char *buf;
    size_t len, used;
    unsigned n;       /* problems found */
    int nomem;        /* set when memory ran out: the result is void */
    const char *file; /* the file the nodes came from */
};

/* Adds one problem at node `at` (NULL: line 1, column 1). */
void ogid_config_error_at(struct ogid_config_errors *e, const struct ogid_config_node *at,
                          const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A scalar's text in double quotes for a message (control characters as
 * '?', cut after 48 bytes), or "a sequence", "a mapping", "nothing". Writes
 * into buf (size bytes, at least 8) or returns a static string. */
const char *ogid_config_node_shown(const struct ogid_config_node *n, char *buf, size_t size);

/* The value of node n as a param of a rule whose declared default is
 * `like`: the same JSON type (an integer for an integer; an integer or a
 * float, as a float, for a float; true/false unquoted for a boolean; any
 * scalar's text for a string), a list of items like like's first (or of
 * anything but null when like is empty), a mapping with only like's keys (or
 * anything when like is an empty object). rule and name (the param, e.g.
 * "limit") go into messages. Returns a new reference, or NULL after adding
 * the problems to e (or setting e->nomem). */
json_t *ogid_config_node_like(struct ogid_config_errors *e, const struct ogid_config_node *n,
                             const json_t *like, const char *rule, const char *name);

#endif
