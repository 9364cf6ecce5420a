/* The daemon's configuration: the embedded default, and a YAML file read
 * over it with libyaml's document API.
 *
 * A file is read whole (it is small), composed into a libyaml document, and
 * its top-level mapping walked once against the table of known keys. Every
 * problem found is reported as "FILE:LINE:COLUMN: message", naming the key,
 * and the walk goes on, so one `ogid config check` shows them all. Relative
 * paths in a file are taken against the file's own folder, so a config works
 * wherever the daemon is started from; paths given on the command line
 * (ogid_config_set_spool, ogid_config_set_rule_paths) are taken against the
 * working directory. The example in contrib/ogid.yaml documents every key. */
#include "ogid_config.h"
#include "ogid_paths.h"
#include "ogid/ogid_error.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#define DEFAULT_SPOOL "./spool"
#define LOG_NAME "findings.jsonl"
#define HISTORY_NAME "history.db"
#define MAX_WORKERS 256
/* A config file is a page of text; anything much larger is a mistake (a
 * report given to -c, say) and is refused before libyaml sees it. */
#define MAX_FILE_BYTES (1024 * 1024)
/* How much of a bad value a message quotes. */
#define QUOTE_MAX 48

enum kind { K_PATH, K_DURATION, K_SIZE, K_COUNT, K_FSYNC, K_PATH_LIST, K_MAPPING, K_HOLIDAYS };

struct key {
    const char *name;
    enum kind kind;
    size_t offset;    /* of the field in struct ogid_config, where there is one */
    uint64_t min;     /* K_DURATION in ms, K_SIZE in bytes */
    uint64_t max;     /* K_COUNT */
    const char *example;
};

#define FIELD(f) offsetof(struct ogid_config, f)

/* The known keys, in the order of contrib/ogid.yaml and of the "known:" list
 * in messages. The minimum deadline and rescan period keep a typo such as
 * "10ms" for "10s" from killing every worker or spinning on the spool. */
static const struct key keys[] = {
    {"spool", K_PATH, FIELD(spool_dir), 0, 0, "./spool"},
    {"settle_delay", K_DURATION, FIELD(settle_ms), 0, 0, "300ms"},
    {"debounce", K_DURATION, FIELD(debounce_ms), 0, 0, "50ms"},
    {"rescan_period", K_DURATION, FIELD(rescan_ms), 100, 0, "5s"},
    {"max_size", K_SIZE, FIELD(max_bytes), 1, 0, "32MiB"},
    {"workers", K_COUNT, FIELD(workers), 0, MAX_WORKERS, "0"},
    {"deadline", K_DURATION, FIELD(deadline_ms), 100, 0, "10s"},
    {"rule_paths", K_PATH_LIST, 0, 0, 0, "[rules, /etc/ogid/rules.d]"},
    {"rule_reload_delay", K_DURATION, FIELD(rule_reload_ms), 0, 0, "500ms"},
    {"forms", K_PATH, FIELD(forms_dir), 0, 0, "forms"},
    {"log", K_PATH, FIELD(log_path), 0, 0, "./spool/findings.jsonl"},
    {"fsync", K_FSYNC, 0, 0, 0, "report"},
    {"plugins", K_PATH, FIELD(plugin_dir), 0, 0, "plugins"},
    {"history", K_PATH, FIELD(history_path), 0, 0, "./spool/history.db"},
    {"holidays", K_HOLIDAYS, 0, 0, 0, "[{date: 2023-04-22, name: 开斋节}]"},
    {"rules", K_MAPPING, 0, 0, 0, "{}"},
};

#define N_KEYS (sizeof keys / sizeof keys[0])

/* The state of one ogid_config_load. */
struct loader {
    const char *file;       /* as the caller named it, for messages */
    char *dir;              /* the file's folder, absolute */
    const char *text;       /* the file's bytes, for reader errors */
    size_t text_len;
    yaml_document_t *doc;
    struct ogid_config *cfg;
    char *errbuf;
    size_t errlen;
    size_t used;            /* bytes of errbuf filled, without the NUL */
    unsigned n_errors;
    bool nomem;
    bool log_set;
    bool history_set;
};

/* ---- Paths ---------------------------------------------------------- */

/* Removes "." components and repeated or trailing slashes, in place. ".."
 * is kept: with symbolic links "a/../b" need not be "b", and the kernel
 * resolves it correctly anyway. */
static void normalise(char *p)
{
    char *out = p;
    const char *in = p;

    if (*in == '/') {
        *out++ = '/';
        while (*in == '/')
            in++;
    }
    while (*in != '\0') {
        const char *seg = in;
        size_t n = strcspn(in, "/");

        in += n;
        while (*in == '/')
            in++;
        if (n == 1 && seg[0] == '.')
            continue;
        if (out > p && out[-1] != '/')
            *out++ = '/';
        memmove(out, seg, n);
        out += n;
    }
    if (out == p)
        *out++ = '.';
    *out = '\0';
}

/* Returns dir/rel normalised, or rel alone when it is absolute; NULL when
 * out of memory. */
static char *join(const char *dir, const char *rel)
{
    size_t dl = strlen(dir), rl = strlen(rel);
    char *p;

    if (rel[0] == '/')
        dl = 0;
    p = malloc(dl + 1 + rl + 1);
    if (p == NULL)
        return NULL;
    if (dl > 0) {
        memcpy(p, dir, dl);
        p[dl] = '/';
        memcpy(p + dl + 1, rel, rl + 1);
    } else {
        memcpy(p, rel, rl + 1);
    }
    normalise(p);
    return p;
}

/* Makes `path` absolute against the working directory. */
static int absolute(const char *path, char **out)
{
    char cwd[PATH_MAX];

    *out = NULL;
    if (path[0] != '/' && getcwd(cwd, sizeof cwd) == NULL)
        return OGID_EIO;
    *out = join(path[0] == '/' ? "" : cwd, path);
    return *out != NULL ? 0 : OGID_ENOMEM;
}

/* The folder of an absolute path: "/etc/ogid" for "/etc/ogid/ogid.yaml". */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash == NULL || slash == path ? 1 : (size_t)(slash - path);
    char *d = malloc(n + 1);

    if (d == NULL)
        return NULL;
    memcpy(d, slash == NULL ? "/" : path, n);
    d[n] = '\0';
    return d;
}

static void free_list(char **list, size_t n)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

/* Puts log and history under the spool, for those not set explicitly. */
static int derive_under_spool(struct ogid_config *cfg, bool log_too,
                              bool history_too)
{
    char *log = NULL, *history = NULL;

    if (log_too && (log = join(cfg->spool_dir, LOG_NAME)) == NULL)
        goto fail;
    if (history_too && (history = join(cfg->spool_dir, HISTORY_NAME)) == NULL)
        goto fail;
    if (log_too) {
        free(cfg->log_path);
        cfg->log_path = log;
    }
    if (history_too) {
        free(cfg->history_path);
        cfg->history_path = history;
    }
    return 0;

fail:
    free(log);
    free(history);
    return OGID_ENOMEM;
}

/* ---- The public API, less loading ----------------------------------- */

int ogid_config_default(struct ogid_config **out)
{
    struct ogid_config *cfg;
    int rc = OGID_ENOMEM;

    *out = NULL;
    cfg = calloc(1, sizeof *cfg);
    if (cfg == NULL)
        return OGID_ENOMEM;
    cfg->settle_ms = 300;
    cfg->debounce_ms = 50;
    cfg->rule_reload_ms = 500;
    cfg->rescan_ms = 5000;
    cfg->max_bytes = (uint64_t)32 * 1024 * 1024;
    cfg->workers = 0;
    cfg->deadline_ms = 10000;
    cfg->fsync = OGID_FSYNC_REPORT;

    if ((cfg->source = strdup("<default>")) == NULL)
        goto fail;
    if ((rc = ogid_config_set_spool(cfg, DEFAULT_SPOOL)) < 0)
        goto fail;
    rc = OGID_ENOMEM;
    if ((cfg->rule_paths = calloc(1, sizeof *cfg->rule_paths)) == NULL)
        goto fail;
    if ((cfg->rule_paths[0] = strdup(ogid_paths_rules())) == NULL)
        goto fail;
    cfg->n_rule_paths = 1;
    if ((cfg->forms_dir = strdup(ogid_paths_forms())) == NULL ||
        (cfg->plugin_dir = strdup(ogid_paths_plugins())) == NULL)
        goto fail;

    *out = cfg;
    return 0;

fail:
    ogid_config_free(cfg);
    return rc;
}

/* Whatever the file said about log and history, --spool DIR puts them under
 * DIR too: the option means "everything stateful goes there", which is what
 * a test or a second instance on one machine needs. */
int ogid_config_set_spool(struct ogid_config *cfg, const char *dir)
{
    char *spool = NULL, *old;
    int rc;

    if (dir == NULL || *dir == '\0')
        return OGID_EINVAL;
    if ((rc = absolute(dir, &spool)) < 0)
        return rc;
    old = cfg->spool_dir;
    cfg->spool_dir = spool;
    if ((rc = derive_under_spool(cfg, true, true)) < 0) {
        cfg->spool_dir = old;
        free(spool);
        return rc;
    }
    free(old);
    return 0;
}

/* Paths from the command line are made absolute against the working
 * directory, like the spool, so that they mean the same after a reload. */
int ogid_config_set_rule_paths(struct ogid_config *cfg, char *const *paths,
                               size_t n)
{
    char **list = NULL;
    size_t i = 0;
    int rc = OGID_ENOMEM;

    if (n > 0 && paths == NULL)
        return OGID_EINVAL;
    if (n > 0 && (list = calloc(n, sizeof *list)) == NULL)
        return OGID_ENOMEM;
    for (i = 0; i < n; i++) {
        if (paths[i] == NULL || paths[i][0] == '\0') {
            rc = OGID_EINVAL;
            goto fail;
        }
        if ((rc = absolute(paths[i], &list[i])) < 0)
            goto fail;
    }
    free_list(cfg->rule_paths, cfg->n_rule_paths);
    cfg->rule_paths = list;
    cfg->n_rule_paths = n;
    return 0;

fail:
    free_list(list, i);
    return rc;
}

void ogid_config_free(struct ogid_config *cfg)
{
    if (cfg == NULL)
        return;
    free(cfg->source);
    free(cfg->spool_dir);
    free_list(cfg->rule_paths, cfg->n_rule_paths);
    free(cfg->forms_dir);
    free(cfg->log_path);
    free(cfg->plugin_dir);
    free(cfg->history_path);
    ogid_config_node_free(cfg->rule_settings);
    ogid_config_node_free(cfg->holidays);
    free(cfg->holidays_file);
    free(cfg->rules_file);
    free(cfg);
}

/* ---- Messages ------------------------------------------------------- */

static void add_error(struct loader *L, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Appends one message line to errbuf, keeping it NUL-terminated; a message
 * that does not fit is cut, and later ones are dropped. */
static void add_error(struct loader *L, const char *fmt, va_list ap)
{
    size_t room;
    int n;

    L->n_errors++;
    if (L->errbuf == NULL || L->errlen == 0 || L->used + 1 >= L->errlen)
        return;
    if (L->n_errors > 1) {
        L->errbuf[L->used++] = '\n';
        L->errbuf[L->used] = '\0';
        if (L->used + 1 >= L->errlen)
            return;
    }
    room = L->errlen - L->used;
    n = vsnprintf(L->errbuf + L->used, room, fmt, ap);
    if (n < 0)
        L->errbuf[L->used] = '\0';
    else
        L->used += (size_t)n < room ? (size_t)n : room - 1;
}

static void error_plain(struct loader *L, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A message with no place in the file: "FILE: message". */
static void error_plain(struct loader *L, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    add_error(L, fmt, ap);
    va_end(ap);
}

static void error_at(struct loader *L, yaml_mark_t mark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "FILE:LINE:COLUMN: message"; libyaml counts lines and columns from 0,
 * people and editors from 1. */
static void error_at(struct loader *L, yaml_mark_t mark, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    error_plain(L, "%s:%zu:%zu: %s", L->file, mark.line + 1, mark.column + 1,
                msg);
}

/* Writes `s` in double quotes into buf, for a message: control characters
 * (a quoted YAML scalar may hold a newline) become '?', so each message
 * stays one line, and a long value is cut at a character boundary. */
static const char *quote(const char *s, size_t len, char *buf, size_t size)
{
    size_t o = 0, i = 0;

    buf[o++] = '"';
    while (i < len && o + 5 < size) {
        unsigned char c = (unsigned char)s[i];

        if (i >= QUOTE_MAX && (c & 0xC0) != 0x80) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        buf[o++] = c < 0x20 || c == 0x7F ? '?' : (char)c;
        i++;
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

static const char *node_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a string";
    case YAML_SEQUENCE_NODE: return "a sequence";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

/* Whether a scalar is YAML's null: an empty value ("key:") or ~ or null,
 * unquoted. */
static bool is_null(const yaml_node_t *n)
{
    const char *v = (const char *)n->data.scalar.value;

    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    return n->data.scalar.length == 0 || strcmp(v, "~") == 0 ||
           strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
           strcmp(v, "NULL") == 0;
}

/* Reports a libyaml failure: the scanner's, parser's or composer's problem
 * at its mark, or the reader's (bad UTF-8) at the line and column counted
 * from its byte offset. */
static void syntax_error(struct loader *L, const yaml_parser_t *p)
{
    yaml_mark_t mark = p->problem_mark;
    const char *problem = p->problem != NULL ? p->problem : "unknown problem";

    switch (p->error) {
    case YAML_MEMORY_ERROR:
        L->nomem = true;
        return;
    case YAML_READER_ERROR:
        memset(&mark, 0, sizeof mark);
        for (size_t i = 0; i < p->problem_offset && i < L->text_len; i++) {
            unsigned char c = (unsigned char)L->text[i];

            if (c == '\n') {
                mark.line++;
                mark.column = 0;
            } else if ((c & 0xC0) != 0x80) {
                mark.column++;
            }
        }
        if (p->problem_value != -1)
            error_at(L, mark, "%s (byte 0x%02X); the file must be UTF-8",
                     problem, (unsigned)p->problem_value & 0xFFu);
        else
            error_at(L, mark, "%s; the file must be UTF-8", problem);
        return;
    default:
        if (p->context != NULL)
            error_at(L, mark, "YAML syntax error: %s (%s at line %zu, column %zu)",
                     problem, p->context, p->context_mark.line + 1,
                     p->context_mark.column + 1);
        else
            error_at(L, mark, "YAML syntax error: %s", problem);
        return;
    }
}

/* ---- Values --------------------------------------------------------- */

/* Reads a decimal number at *s into *out and moves *s past it. Returns 0, -1
 * when there is no digit, or -2 when it overflows. */
static int read_number(const char **s, uint64_t *out)
{
    const char *p = *s;
    uint64_t v = 0;

    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');

        if (v > (UINT64_MAX - d) / 10)
            return -2;
        v = v * 10 + d;
    }
    *s = p;
    *out = v;
    return 0;
}

static bool is_negative(const char *s)
{
    return s[0] == '-' && s[1] >= '0' && s[1] <= '9';
}

/* Reads "NUMBER UNIT" with one table of units, blanks allowed between.
 * Returns NULL or why the value is bad, to follow the quoted value. */
static const char *parse_scaled(const char *s, const char *const *units,
                                const uint64_t *factors, bool unit_needed,
                                const char *what, uint64_t *out)
{
    const char *p = s;
    uint64_t n;
    int rc;

    if (is_negative(s))
        return "is negative";
    rc = read_number(&p, &n);
    if (rc == -2)
        return "is too large";
    if (rc < 0)
        return what;
    while (*p == ' ' || *p == '\t')
        p++;
    /* A bare number is ambiguous, except zero, which is zero in any unit. */
    if (*p == '\0' && unit_needed && n != 0)
        return what;
    for (size_t i = 0; units[i] != NULL; i++) {
        if (strcmp(p, units[i]) != 0)
            continue;
        if (n > UINT64_MAX / factors[i])
            return "is too large";
        *out = n * factors[i];
        return NULL;
    }
    if (*p == '\0') {
        *out = n;
        return NULL;
    }
    return what;
}

static const char *parse_duration(const char *s, uint64_t *ms)
{
    static const char *const units[] = {"ms", "s", "m", NULL};
    static const uint64_t factors[] = {1, 1000, 60000};
    const char *why = parse_scaled(s, units, factors, true,
                                   "is not a duration (e.g. 300ms, 5s, 2m)", ms);

    if (why == NULL && *ms > UINT32_MAX)
        return "is too long (at most 49 days)";
    return why;
}

static const char *parse_size(const char *s, uint64_t *bytes)
{
    static const char *const units[] = {"B", "K", "KiB", "M", "MiB", "G", "GiB", NULL};
    static const uint64_t factors[] = {1, 1ull << 10, 1ull << 10, 1ull << 20,
                                       1ull << 20, 1ull << 30, 1ull << 30};

    return parse_scaled(s, units, factors, false,
                        "is not a size (e.g. 32MiB, 512KiB, 1G)", bytes);
}

static const char *parse_count(const char *s, uint64_t *n)
{
    static const char *const units[] = {NULL};

    return parse_scaled(s, units, NULL, false, "is not a whole number", n);
}

/* The scalar text of `v`, or NULL after reporting why there is none. */
static const char *scalar_of(struct loader *L, const struct key *k,
                             const yaml_node_t *v, const char *what)
{
    const char *s;

    if (v->type != YAML_SCALAR_NODE) {
        error_at(L, v->start_mark, "wrong type for \"%s\": expected %s, found %s",
                 what, "a string", node_kind(v));
        return NULL;
    }
    s = (const char *)v->data.scalar.value;
    /* An empty quoted string is no better than no value at all. */
    if (is_null(v) || s[0] == '\0') {
        error_at(L, v->start_mark, "missing value for \"%s\" (e.g. %s)", what,
                 k->kind == K_PATH_LIST ? "/etc/ogid/rules.d" : k->example);
        return NULL;
    }
    if (strlen(s) != v->data.scalar.length) {
        error_at(L, v->start_mark, "bad value for \"%s\": contains a NUL character",
                 what);
        return NULL;
    }
    return s;
}

/* Applies a path, taken against the config file's folder. */
static void apply_path(struct loader *L, const struct key *k, const yaml_node_t *v)
{
    const char *s = scalar_of(L, k, v, k->name);
    char **field = (char **)(void *)((char *)L->cfg + k->offset);
    char *path;

    if (s == NULL)
        return;
    if ((path = join(L->dir, s)) == NULL) {
        L->nomem = true;
        return;
    }
    free(*field);
    *field = path;
    if (k->offset == FIELD(log_path))
        L->log_set = true;
    if (k->offset == FIELD(history_path))
        L->history_set = true;
}

/* rule_paths: a sequence of paths; a single path is taken as a list of
 * one, since that is what someone writing `rule_paths: /srv/rules` means.
 * An empty sequence is allowed and loads no rules. */
static void apply_path_list(struct loader *L, const struct key *k,
                            const yaml_node_t *v)
{
    const yaml_node_item_t *items;
    size_t n, ok = 0;
    char **list = NULL;
    char what[64];

    if (v->type == YAML_SCALAR_NODE) {
        items = NULL;
        n = 1;
    } else if (v->type == YAML_SEQUENCE_NODE) {
        items = v->data.sequence.items.start;
        n = (size_t)(v->data.sequence.items.top - items);
    } else {
        error_at(L, v->start_mark,
                 "wrong type for \"%s\": expected a sequence of paths, found %s",
                 k->name, node_kind(v));
        return;
    }
    if (n > 0 && (list = calloc(n, sizeof *list)) == NULL) {
        L->nomem = true;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *item =
            items == NULL ? v : yaml_document_get_node(L->doc, items[i]);
        const char *s;

        if (items != NULL)
            snprintf(what, sizeof what, "%s[%zu]", k->name, i);
        else
            snprintf(what, sizeof what, "%s", k->name);
        if ((s = scalar_of(L, k, item, what)) == NULL)
            continue;
        if ((list[ok] = join(L->dir, s)) == NULL) {
            L->nomem = true;
            break;
        }
        ok++;
    }
    if (ok != n) {
        free_list(list, ok);
        return;
    }
    free_list(L->cfg->rule_paths, L->cfg->n_rule_paths);
    L->cfg->rule_paths = list;
    L->cfg->n_rule_paths = n;
}

static void apply_number(struct loader *L, const struct key *k, const yaml_node_t *v)
{
    const char *s = scalar_of(L, k, v, k->name);
    const char *why;
    char q[QUOTE_MAX + 8];
    uint64_t n = 0;

    if (s == NULL)
        return;
    quote(s, v->data.scalar.length, q, sizeof q);
    if (k->kind == K_DURATION)
        why = parse_duration(s, &n);
    else if (k->kind == K_SIZE)
        why = parse_size(s, &n);
    else
        why = parse_count(s, &n);
    if (why != NULL) {
        error_at(L, v->start_mark, "bad value for \"%s\": %s %s", k->name, q, why);
        return;
    }
    if (n < k->min) {
        if (k->kind == K_DURATION)
            error_at(L, v->start_mark,
                     "bad value for \"%s\": %s is below the minimum of %" PRIu64 "ms",
                     k->name, q, k->min);
        else
            error_at(L, v->start_mark,
                     "bad value for \"%s\": %s is below the minimum of %" PRIu64 " byte",
                     k->name, q, k->min);
        return;
    }
    if (k->max != 0 && n > k->max) {
        error_at(L, v->start_mark,
                 "bad value for \"%s\": %s is over the maximum of %" PRIu64,
                 k->name, q, k->max);
        return;
    }
    if (k->kind == K_SIZE)
        *(uint64_t *)(void *)((char *)L->cfg + k->offset) = n;
    else
        *(uint32_t *)(void *)((char *)L->cfg + k->offset) = (uint32_t)n;
}

static void apply_fsync(struct loader *L, const struct key *k, const yaml_node_t *v)
{
    const char *s = scalar_of(L, k, v, k->name);
    char q[QUOTE_MAX + 8];

    if (s == NULL)
        return;
    if (strcmp(s, "report") == 0) {
        L->cfg->fsync = OGID_FSYNC_REPORT;
    } else if (strcmp(s, "none") == 0) {
        L->cfg->fsync = OGID_FSYNC_NONE;
    } else {
        error_at(L, v->start_mark,
                 "bad value for \"%s\": %s is not one of report, none", k->name,
                 quote(s, v->data.scalar.length, q, sizeof q));
    }
}

/* ---- Node trees: the per-rule settings, and the rule test cases -------- */

/* How many nodes one tree may have and how deep it may nest: aliases are
 * expanded, so a small file could otherwise describe a huge (or, through
 * an anchor inside itself, an endless) tree. */
#define MAX_NODES 100000
#define MAX_NODE_DEPTH 64

static void node_clear(struct ogid_config_node *n)
{
    if (n->keys != NULL)
        for (size_t i = 0; i < n->n; i++)
            node_clear(&n->keys[i]);
    if (n->items != NULL)
        for (size_t i = 0; i < n->n; i++)
            node_clear(&n->items[i]);
    free(n->keys);
    free(n->items);
    free(n->text);
}

void ogid_config_node_free(struct ogid_config_node *n)
{
    if (n == NULL)
        return;
    node_clear(n);
    free(n);
}

/* Copies the libyaml node y into out. Returns false after reporting a
 * problem (or noting that memory ran out). */
static bool build_node(struct loader *L, const yaml_node_t *y, struct ogid_config_node *out,
                       size_t *count, int depth)
{
    size_t n = 0;

    memset(out, 0, sizeof *out);
    out->line = y->start_mark.line + 1;
    out->column = y->start_mark.column + 1;
    if (++*count > MAX_NODES || depth > MAX_NODE_DEPTH) {
        error_at(L, y->start_mark, "too %s (through aliases?): at most %d nodes, %d deep",
                 depth > MAX_NODE_DEPTH ? "deeply nested" : "many values", MAX_NODES,
                 MAX_NODE_DEPTH);
        return false;
    }
    switch (y->type) {
    case YAML_SCALAR_NODE:
        out->type = OGID_NODE_SCALAR;
        out->len = y->data.scalar.length;
        out->plain = y->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if ((out->text = malloc(out->len + 1)) == NULL) {
            L->nomem = true;
            return false;
        }
        memcpy(out->text, y->data.scalar.value, out->len);
        out->text[out->len] = '\0';
        return true;
    case YAML_SEQUENCE_NODE:
        out->type = OGID_NODE_SEQUENCE;
        n = (size_t)(y->data.sequence.items.top - y->data.sequence.items.start);
        break;
    case YAML_MAPPING_NODE:
        out->type = OGID_NODE_MAPPING;
        n = (size_t)(y->data.mapping.pairs.top - y->data.mapping.pairs.start);
        break;
    default:
        out->type = OGID_NODE_SCALAR;
        break;
    }
    if ((out->text = strdup("")) == NULL) {
        L->nomem = true;
        return false;
    }
    if (n == 0)
        return true;
    out->items = calloc(n, sizeof *out->items);
    if (out->items == NULL ||
        (out->type == OGID_NODE_MAPPING && (out->keys = calloc(n, sizeof *out->keys)) == NULL)) {
        L->nomem = true;
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *k = NULL, *v;

        if (out->type == OGID_NODE_SEQUENCE) {
            v = yaml_document_get_node(L->doc, y->data.sequence.items.start[i]);
        } else {
            k = yaml_document_get_node(L->doc, y->data.mapping.pairs.start[i].key);
            v = yaml_document_get_node(L->doc, y->data.mapping.pairs.start[i].value);
        }
        /* out->n counts the built pairs, so a failure frees only those. */
        out->n = i + 1;
        if ((k != NULL && !build_node(L, k, &out->keys[i], count, depth + 1)) ||
            v == NULL || !build_node(L, v, &out->items[i], count, depth + 1))
            return false;
    }
    return true;
}

static struct ogid_config_node *build_tree(struct loader *L, const yaml_node_t *root)
{
    struct ogid_config_node *n = calloc(1, sizeof *n);
    size_t count = 0;

    if (n == NULL) {
        L->nomem = true;
        return NULL;
    }
    if (!build_node(L, root, n, &count, 0)) {
        ogid_config_node_free(n);
        return NULL;
    }
    return n;
}

int ogid_config_node_is_null(const struct ogid_config_node *n)
{
    if (n == NULL)
        return 1;
    if (n->type != OGID_NODE_SCALAR || !n->plain)
        return 0;
    return n->len == 0 || strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0 ||
           strcmp(n->text, "Null") == 0 || strcmp(n->text, "NULL") == 0;
}

const struct ogid_config_node *ogid_config_node_get(const struct ogid_config_node *m,
                                                    const char *key)
{
    if (m == NULL || m->type != OGID_NODE_MAPPING)
        return NULL;
    for (size_t i = 0; i < m->n; i++)
        if (m->keys[i].type == OGID_NODE_SCALAR && strcmp(m->keys[i].text, key) == 0 &&
            strlen(m->keys[i].text) == m->keys[i].len)
            return &m->items[i];
    return NULL;
}

/* YAML 1.2 core schema: [-+]?[0-9]+ is an integer. */
static bool is_yaml_int(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? is a float. */
static bool is_yaml_float(const char *s)
{
    size_t digits = 0;

    if (*s == '-' || *s == '+')
        s++;
    for (; *s >= '0' && *s <= '9'; s++)
        digits++;
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++)
            digits++;
    if (digits == 0)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (*s < '0' || *s > '9')
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

static json_t *scalar_json(const struct ogid_config_node *n)
{
    const char *s = n->text;

    if (n->plain && strlen(s) == n->len) {
        if (ogid_config_node_is_null(n))
            return json_null();
        if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
            return json_true();
        if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
            return json_false();
        if (is_yaml_int(s)) {
            char *end;
            long long v;

            errno = 0;
            v = strtoll(s, &end, 10);
            if (errno == 0 && *end == '\0')
                return json_integer((json_int_t)v);
            return json_real(strtod(s, NULL));
        }
        if (is_yaml_float(s))
            return json_real(strtod(s, NULL));
    }
    return json_stringn(s, n->len);
}

json_t *ogid_config_node_json(const struct ogid_config_node *n)
{
    json_t *out, *child;

    if (n == NULL)
        return json_null();
    if (n->type == OGID_NODE_SCALAR)
        return scalar_json(n);
    out = n->type == OGID_NODE_SEQUENCE ? json_array() : json_object();
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n->n; i++) {
        child = ogid_config_node_json(&n->items[i]);
        if (child == NULL)
            goto fail;
        if (n->type == OGID_NODE_SEQUENCE) {
            if (json_array_append_new(out, child) != 0)
                goto fail;
        } else if (json_object_setn_new(out, n->keys[i].text, n->keys[i].len, child) != 0) {
            goto fail;
        }
    }
    return out;

fail:
    json_decref(out);
    return NULL;
}

/* ---- Values of the per-rule settings ---------------------------------- */

void ogid_config_error_at(struct ogid_config_errors *e, const struct ogid_config_node *at,
                          const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    int k;

    e->n++;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!e->buf || e->len == 0 || e->used + 1 >= e->len)
        return;
    k = snprintf(e->buf + e->used, e->len - e->used, "%s%s:%zu:%zu: %s", e->n > 1 ? "\n" : "",
                 e->file, at ? at->line : (size_t)1, at ? at->column : (size_t)1, msg);
    if (k > 0)
        e->used += (size_t)k < e->len - e->used ? (size_t)k : e->len - e->used - 1;
}

const char *ogid_config_node_shown(const struct ogid_config_node *n, char *buf, size_t size)
{
    size_t i, o = 0;

    if (n->type == OGID_NODE_SEQUENCE)
        return "a sequence";
    if (n->type == OGID_NODE_MAPPING)
        return "a mapping";
    if (ogid_config_node_is_null(n))
        return "nothing";
    buf[o++] = '"';
    for (i = 0; i < n->len && o + 5 < size; i++) {
        unsigned char c = (unsigned char)n->text[i];

        if (i >= 48 && (c & 0xC0) != 0x80) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        buf[o++] = c < 0x20 || c == 0x7F ? '?' : (char)c;
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

static const char *type_name(const json_t *d)
{
    switch (json_typeof(d)) {
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_STRING: return "a string";
    case JSON_TRUE:
    case JSON_FALSE: return "true or false";
    case JSON_ARRAY: return "a list";
    case JSON_OBJECT: return "a mapping";
    default: return "a value";
    }
}

/* Whether a free-form value (under an empty default) can reach Lua: no
 * nulls (they would leave holes) and not too deep. */
static int free_form_ok(const json_t *j, int depth)
{
    const char *key;
    json_t *v;
    size_t i;

    if (json_is_null(j) || depth > 16)
        return 0;
    if (json_is_array(j)) {
        json_array_foreach(j, i, v) if (!free_form_ok(v, depth + 1)) return 0;
    } else if (json_is_object(j)) {
        json_object_foreach((json_t *)j, key, v) if (!free_form_ok(v, depth + 1)) return 0;
    }
    return 1;
}

static json_t *convert(struct ogid_config_errors *e, const char *rule, const char *path, const json_t *d,
                       const struct ogid_config_node *n)
{
    char q[80], sub[256];
    json_t *v = NULL, *child;
    size_t i;

    if (ogid_config_node_is_null(n)) {
        ogid_config_error_at(e, n, "missing value for param \"%s\" of rule \"%s\" (expected %s)", path,
               rule, type_name(d));
        return NULL;
    }
    switch (json_typeof(d)) {
    case JSON_INTEGER:
    case JSON_REAL:
    case JSON_TRUE:
    case JSON_FALSE:
        if (n->type == OGID_NODE_SCALAR && n->plain && (v = ogid_config_node_json(n)) == NULL) {
            e->nomem = 1;
            return NULL;
        }
        if (json_is_integer(d) && json_is_integer(v))
            return v;
        if (json_is_real(d) && json_is_number(v)) {
            double x = json_number_value(v);
            json_decref(v);
            if ((v = json_real(x)) == NULL)
                e->nomem = 1;
            return v;
        }
        if (json_is_boolean(d) && json_is_boolean(v))
            return v;
        json_decref(v);
        break;
    case JSON_STRING:
        if (n->type == OGID_NODE_SCALAR) {
            if ((v = json_stringn(n->text, n->len)) == NULL)
                e->nomem = 1;
            return v;
        }
        break;
    case JSON_ARRAY:
        if (n->type != OGID_NODE_SEQUENCE &&
            !(json_array_size(d) == 0 && n->type == OGID_NODE_MAPPING))
            break;
        /* fall through */
    case JSON_OBJECT:
        if (n->type == OGID_NODE_SCALAR || (json_is_object(d) && json_object_size(d) > 0 &&
                                            n->type != OGID_NODE_MAPPING))
            break;
        if ((json_is_array(d) && json_array_size(d) == 0) ||
            (json_is_object(d) && json_object_size(d) == 0)) {
            /* An empty default says nothing of its items: take them as
             * they are. */
            if ((v = ogid_config_node_json(n)) == NULL) {
                e->nomem = 1;
                return NULL;
            }
            if (!free_form_ok(v, 0)) {
                ogid_config_error_at(e, n,
                       "bad value for param \"%s\" of rule \"%s\": no empty items, at most "
                       "16 deep",
                       path, rule);
                json_decref(v);
                return NULL;
            }
            return v;
        }
        v = json_is_array(d) ? json_array() : json_deep_copy(d);
        if (!v) {
            e->nomem = 1;
            return NULL;
        }
        for (i = 0; i < n->n; i++) {
            const json_t *dd;

            if (json_is_array(d)) {
                snprintf(sub, sizeof sub, "%s[%zu]", path, i + 1);
                dd = json_array_get(d, 0);
            } else {
                snprintf(sub, sizeof sub, "%s.%s", path, n->keys[i].text);
                dd = json_object_get(d, n->keys[i].text);
                if (!dd) {
                    ogid_config_error_at(e, &n->keys[i], "unknown key \"%s\" in param \"%s\" of rule \"%s\"",
                           n->keys[i].text, path, rule);
                    continue;
                }
            }
            child = convert(e, rule, sub, dd, &n->items[i]);
            if (!child)
                continue;
            if (json_is_array(v) ? json_array_append_new(v, child)
                                 : json_object_set_new(v, n->keys[i].text, child))
                e->nomem = 1;
        }
        return v;
    default:
        break;
    }
    ogid_config_error_at(e, n, "wrong type for param \"%s\" of rule \"%s\": expected %s, found %s", path, rule,
           type_name(d), ogid_config_node_shown(n, q, sizeof q));
    return NULL;
}

json_t *ogid_config_node_like(struct ogid_config_errors *e, const struct ogid_config_node *n,
                             const json_t *like, const char *rule, const char *name)
{
    return convert(e, rule, name, like, n);
}

/* rules: per-rule settings keyed by rule id. Only the rule engine knows the
 * rules, their params and the params' types, so here the mapping is only
 * kept, with the places of its nodes; ogid_rules_configure checks every
 * part of it and reports FILE:LINE:COLUMN for each problem. */
static void apply_mapping(struct loader *L, const struct key *k, const yaml_node_t *v)
{
    struct ogid_config_node *tree;
    char *file;

    if (is_null(v))
        return;
    if (v->type != YAML_MAPPING_NODE) {
        error_at(L, v->start_mark,
                 "wrong type for \"%s\": expected a mapping of rule ids to settings, "
                 "found %s",
                 k->name, node_kind(v));
        return;
    }
    if ((tree = build_tree(L, v)) == NULL)
        return;
    if ((file = strdup(L->file)) == NULL) {
        ogid_config_node_free(tree);
        L->nomem = true;
        return;
    }
    ogid_config_node_free(L->cfg->rule_settings);
    free(L->cfg->rules_file);
    L->cfg->rule_settings = tree;
    L->cfg->rules_file = file;
}

/* Local holidays: kept as a node tree with its positions; the rule engine
 * reads them into the working-day calendar (ogid_rules_configure), where a
 * bad date is reported at its line and column. */
static void apply_holidays(struct loader *L, const struct key *k, const yaml_node_t *v)
{
    struct ogid_config_node *tree;
    char *file;

    if (is_null(v))
        return;
    if (v->type != YAML_SEQUENCE_NODE) {
        error_at(L, v->start_mark,
                 "wrong type for \"%s\": expected a sequence of {date, name, off}, found %s",
                 k->name, node_kind(v));
        return;
    }
    if ((tree = build_tree(L, v)) == NULL)
        return;
    if ((file = strdup(L->file)) == NULL) {
        ogid_config_node_free(tree);
        L->nomem = true;
        return;
    }
    ogid_config_node_free(L->cfg->holidays);
    free(L->cfg->holidays_file);
    L->cfg->holidays = tree;
    L->cfg->holidays_file = file;
}

static const struct key *find_key(const yaml_node_t *n)
{
    const char *s = (const char *)n->data.scalar.value;

    if (strlen(s) != n->data.scalar.length)
        return NULL;
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(s, keys[i].name) == 0)
            return &keys[i];
    return NULL;
}

static void unknown_key(struct loader *L, const yaml_node_t *kn)
{
    char known[256];
    char q[QUOTE_MAX + 8];
    size_t o = 0;

    known[0] = '\0';
    for (size_t i = 0; i < N_KEYS && o < sizeof known; i++) {
        int n = snprintf(known + o, sizeof known - o, "%s%s", i > 0 ? ", " : "",
                         keys[i].name);

        if (n < 0)
            break;
        o += (size_t)n;
    }
    quote((const char *)kn->data.scalar.value, kn->data.scalar.length, q, sizeof q);
    error_at(L, kn->start_mark, "unknown key %s (known: %s)", q, known);
}

static void apply_root(struct loader *L, const yaml_node_t *root)
{
    size_t first_line[N_KEYS];
    bool seen[N_KEYS] = {false};

    if (root->type != YAML_MAPPING_NODE) {
        if (is_null(root))
            return; /* "---" alone, or "~": nothing set, the defaults hold */
        error_at(L, root->start_mark,
                 "the top level must be a mapping of keys (e.g. \"spool: ./spool\"), "
                 "not %s", node_kind(root));
        return;
    }
    for (yaml_node_pair_t *pair = root->data.mapping.pairs.start;
         pair < root->data.mapping.pairs.top && !L->nomem; pair++) {
        const yaml_node_t *kn = yaml_document_get_node(L->doc, pair->key);
        const yaml_node_t *vn = yaml_document_get_node(L->doc, pair->value);
        const struct key *k;
        size_t i;

        if (kn->type != YAML_SCALAR_NODE) {
            error_at(L, kn->start_mark, "a key must be a name, not %s",
                     node_kind(kn));
            continue;
        }
        if ((k = find_key(kn)) == NULL) {
            unknown_key(L, kn);
            continue;
        }
        i = (size_t)(k - keys);
        if (seen[i]) {
            error_at(L, kn->start_mark, "duplicate key \"%s\" (first set at line %zu)",
                     k->name, first_line[i] + 1);
            continue;
        }
        seen[i] = true;
        first_line[i] = kn->start_mark.line;

        switch (k->kind) {
        case K_PATH: apply_path(L, k, vn); break;
        case K_DURATION:
        case K_SIZE:
        case K_COUNT: apply_number(L, k, vn); break;
        case K_FSYNC: apply_fsync(L, k, vn); break;
        case K_PATH_LIST: apply_path_list(L, k, vn); break;
        case K_MAPPING: apply_mapping(L, k, vn); break;
        case K_HOLIDAYS: apply_holidays(L, k, vn); break;
        }
    }
}

/* ---- Loading -------------------------------------------------------- */

/* Reads the whole file into a NUL-terminated buffer. */
static int read_file(struct loader *L, const char *path, char **out, size_t *outlen)
{
    size_t len = 0, cap = 4096;
    char *buf = NULL, *grown;
    int fd, rc;

    *out = NULL;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        rc = errno == ENOENT ? OGID_ENOENT : OGID_EIO;
        error_plain(L, "%s: %s", L->file, strerror(errno));
        return rc;
    }
    for (;;) {
        ssize_t n;

        if (len + 1 >= cap || buf == NULL) {
            if (buf != NULL)
                cap *= 2;
            if ((grown = realloc(buf, cap)) == NULL) {
                rc = OGID_ENOMEM;
                goto fail;
            }
            buf = grown;
        }
        n = read(fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = OGID_EIO;
            error_plain(L, "%s: %s", L->file, strerror(errno));
            goto fail;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > MAX_FILE_BYTES) {
            rc = OGID_ECONFIG;
            error_plain(L, "%s: too large for a config file (over %d KiB)",
                        L->file, MAX_FILE_BYTES / 1024);
            goto fail;
        }
    }
    close(fd);
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    return 0;

fail:
    close(fd);
    free(buf);
    return rc;
}

/* Composes the file into a document and applies its top-level mapping. A
 * second document in the stream ("---" again) is an error: it would
 * otherwise be ignored without a word. */
static void parse(struct loader *L)
{
    yaml_parser_t parser;
    yaml_document_t doc, extra;
    const yaml_node_t *root;

    if (!yaml_parser_initialize(&parser)) {
        L->nomem = true;
        return;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)L->text,
                                 L->text_len);
    if (!yaml_parser_load(&parser, &doc)) {
        syntax_error(L, &parser);
        goto done;
    }
    L->doc = &doc;
    if ((root = yaml_document_get_root_node(&doc)) != NULL)
        apply_root(L, root);
    L->doc = NULL;
    yaml_document_delete(&doc);
    if (root == NULL || L->nomem)
        goto done;

    if (!yaml_parser_load(&parser, &extra)) {
        syntax_error(L, &parser);
        goto done;
    }
    if ((root = yaml_document_get_root_node(&extra)) != NULL)
        error_at(L, root->start_mark,
                 "a second YAML document; a config file holds one");
    yaml_document_delete(&extra);

done:
    yaml_parser_delete(&parser);
}

int ogid_config_load(const char *path, struct ogid_config **out, char *errbuf,
                     size_t errlen)
{
    struct loader L = {.file = path, .errbuf = errbuf, .errlen = errlen};
    struct ogid_config *cfg = NULL;
    char *text = NULL, *abs = NULL;
    int rc;

    *out = NULL;
    if (errbuf != NULL && errlen > 0)
        errbuf[0] = '\0';
    if (path == NULL || path[0] == '\0')
        return OGID_EINVAL;

    if ((rc = read_file(&L, path, &text, &L.text_len)) < 0)
        goto fail;
    L.text = text;
    if ((rc = absolute(path, &abs)) < 0)
        goto fail;
    rc = OGID_ENOMEM;
    if ((L.dir = dir_of(abs)) == NULL)
        goto fail;
    if ((rc = ogid_config_default(&cfg)) < 0)
        goto fail;
    L.cfg = cfg;

    parse(&L);
    rc = OGID_ENOMEM;
    if (L.nomem)
        goto fail;
    rc = OGID_ECONFIG;
    if (L.n_errors > 0)
        goto fail;
    /* Only now is the spool final, whatever the order of the keys. */
    rc = derive_under_spool(cfg, !L.log_set, !L.history_set);
    if (rc < 0)
        goto fail;
    free(cfg->source);
    cfg->source = abs;
    abs = NULL;

    free(text);
    free(L.dir);
    *out = cfg;
    return 0;

fail:
    ogid_config_free(cfg);
    free(text);
    free(abs);
    free(L.dir);
    return rc;
}

int ogid_config_node_load(const char *path, struct ogid_config_node **out,
                          char *errbuf, size_t errlen)
{
    struct loader L = {.file = path, .errbuf = errbuf, .errlen = errlen};
    yaml_parser_t parser;
    yaml_document_t doc, extra;
    const yaml_node_t *root;
    struct ogid_config_node *tree = NULL;
    char *text = NULL;
    int rc;

    *out = NULL;
    if (errbuf != NULL && errlen > 0)
        errbuf[0] = '\0';
    if (path == NULL || path[0] == '\0')
        return OGID_EINVAL;
    if ((rc = read_file(&L, path, &text, &L.text_len)) < 0)
        return rc;
    L.text = text;
    if (!yaml_parser_initialize(&parser)) {
        free(text);
        return OGID_ENOMEM;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, L.text_len);
    if (!yaml_parser_load(&parser, &doc)) {
        syntax_error(&L, &parser);
        goto done;
    }
    L.doc = &doc;
    if ((root = yaml_document_get_root_node(&doc)) != NULL)
        tree = build_tree(&L, root);
    L.doc = NULL;
    yaml_document_delete(&doc);
    if (root == NULL || L.nomem || L.n_errors > 0)
        goto done;
    if (!yaml_parser_load(&parser, &extra)) {
        syntax_error(&L, &parser);
        goto done;
    }
    if ((root = yaml_document_get_root_node(&extra)) != NULL)
        error_at(&L, root->start_mark, "a second YAML document; the file holds one");
    yaml_document_delete(&extra);

done:
    yaml_parser_delete(&parser);
    free(text);
    if (L.nomem || L.n_errors > 0) {
        ogid_config_node_free(tree);
        return L.nomem ? OGID_ENOMEM : OGID_ECONFIG;
    }
    *out = tree;
    return 0;
}
