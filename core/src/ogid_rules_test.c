/* The rule test runner: `ogid rules test`.
 *
 * A rule's test cases sit beside it, in <rule>.test.yaml: a list of cases,
 * each naming an input (a report file, parsed through the same plugins and
 * recogniser as the daemon uses, or a report model as .json), optional
 * params, optional edits of the parsed model (`set`), the finding codes that
 * must appear (`expect`) and those that must not (`reject`). The rules are
 * those the pipeline loaded, so start-up, reload and the tests share one
 * loader; each case runs its one rule with the rule's declared params and
 * severity under the case's own params, whatever the site's config says, so
 * a case means the same everywhere. rules/README.md documents the format. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "ogid/ogid_error.h"
#include "ogid_config.h"
#include "ogid_pipeline.h"
#include "ogid_rules.h"
#include "ogid_rules_test.h"

#define SUFFIX ".test.yaml"
#define MAX_DEPTH 16

/* ---- Finding the case files ------------------------------------------ */

struct list {
    char **v;
    size_t n, cap;
};

static int push(struct list *l, char *s)
{
    if (s == NULL)
        return OGID_ENOMEM;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof *v);

        if (v == NULL) {
            free(s);
            return OGID_ENOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return 0;
}

static void list_clear(struct list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n > k && strcmp(s + n - k, suffix) == 0;
}

static char *join2(const char *dir, const char *name)
{
    size_t d = strlen(dir), n = strlen(name);
    char *p = malloc(d + n + 2);

    if (p == NULL)
        return NULL;
    memcpy(p, dir, d);
    if (d > 0 && dir[d - 1] != '/')
        p[d++] = '/';
    memcpy(p + d, name, n + 1);
    return p;
}

/* The case files under dir, as the rule loader walks it. */
static int walk(const char *dir, int depth, struct list *out)
{
    DIR *d;
    struct dirent *e;
    struct stat st;
    int rc = 0;

    if (depth > MAX_DEPTH || (d = opendir(dir)) == NULL)
        return 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        char *path;

        if (e->d_name[0] == '.')
            continue;
        if ((path = join2(dir, e->d_name)) == NULL) {
            rc = OGID_ENOMEM;
            break;
        }
        if (stat(path, &st) != 0) {
            free(path);
        } else if (S_ISDIR(st.st_mode)) {
            if (strcmp(e->d_name, "tests") != 0 && strcmp(e->d_name, "lib") != 0)
                rc = walk(path, depth + 1, out);
            free(path);
        } else if (S_ISREG(st.st_mode) && ends_with(e->d_name, SUFFIX)) {
            rc = push(out, path);
        } else {
            free(path);
        }
    }
    closedir(d);
    return rc;
}

/* The case files of one rule path: those under a folder, or the one beside
 * a rule file. */
static int collect(const char *path, struct list *out)
{
    struct stat st;
    size_t first = out->n;
    int rc = 0;

    if (stat(path, &st) != 0)
        return 0;
    if (S_ISDIR(st.st_mode)) {
        rc = walk(path, 0, out);
        if (rc == 0 && out->n - first > 1)
            qsort(out->v + first, out->n - first, sizeof *out->v, cmp_str);
    } else if (ends_with(path, ".lua")) {
        size_t n = strlen(path) - 4;
        char *t = malloc(n + sizeof SUFFIX);

        if (t == NULL)
            return OGID_ENOMEM;
        memcpy(t, path, n);
        memcpy(t + n, SUFFIX, sizeof SUFFIX);
        if (stat(t, &st) == 0 && S_ISREG(st.st_mode))
            rc = push(out, t);
        else
            free(t);
    }
    return rc;
}

/* ---- One case file ---------------------------------------------------- */

struct run {
    struct ogid_pipeline *p;
    struct ogid_rules *rs;
    const struct ogid_config *cfg;
    FILE *out;
    unsigned passed, failed;
    int nomem;
    unsigned char *tested; /* per rule: has cases */
    /* Inputs parsed for the file being run, by resolved path. */
    struct list input_paths;
    json_t *inputs; /* array, parallel to input_paths */
};

/* "FAIL label: name — why" */
static void fail_case(struct run *R, const char *label, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail_case(struct run *R, const char *label, const char *name, const char *fmt, ...)
{
    char why[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    /* One case, one line. */
    for (char *c = why; *c; c++)
        if (*c == '\n')
            *c = ' ';
    fprintf(R->out, "FAIL %s: %s \xe2\x80\x94 %s\n", label, name ? name : "(unnamed)", why);
    R->failed++;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
    char *d = malloc(n + 1);

    if (d == NULL)
        return NULL;
    memcpy(d, slash == NULL ? "." : path, n);
    d[n] = '\0';
    return d;
}

/* A copy a case may change. */
static json_t *copy_of(struct run *R, const json_t *model, char *why, size_t len)
{
    json_t *c = json_deep_copy(model);

    if (c == NULL) {
        R->nomem = 1;
        snprintf(why, len, "out of memory");
    }
    return c;
}

/* The model of the input at path (relative to the case file's folder):
 * a .json model, or a report through the pipeline. A new reference, or NULL
 * with the reason in why. */
static json_t *load_input(struct run *R, const char *dir, const char *rel, char *why, size_t len)
{
    char *path = rel[0] == '/' ? strdup(rel) : join2(dir, rel);
    char sha[65], reason[512];
    const char *base;
    json_error_t jerr;
    json_t *model = NULL;
    int fd;

    if (path == NULL) {
        R->nomem = 1;
        snprintf(why, len, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < R->input_paths.n; i++) {
        if (strcmp(R->input_paths.v[i], path) == 0) {
            free(path);
            return copy_of(R, json_array_get(R->inputs, i), why, len);
        }
    }
    if (ends_with(path, ".json")) {
        model = json_load_file(path, 0, &jerr);
        if (model == NULL)
            snprintf(why, len, "input %s:%d: %s", path, jerr.line, jerr.text);
        else if (!json_is_object(model)) {
            snprintf(why, len, "input %s: not a report model (a JSON object)", path);
            json_decref(model);
            model = NULL;
        }
    } else {
        fd = ogid_open_report(path, R->cfg->max_bytes, reason, sizeof reason);
        if (fd < 0) {
            snprintf(why, len, "input %s: %s", path, reason);
        } else {
            base = strrchr(path, '/');
            model = ogid_pipeline_parse_fd(R->p, fd, base ? base + 1 : path, sha, reason,
                                           sizeof reason);
            close(fd);
            if (model == NULL)
                snprintf(why, len, "input %s: %s", path, reason);
        }
    }
    if (model == NULL) {
        free(path);
        return NULL;
    }
    if (push(&R->input_paths, path) != 0) {
        json_decref(model);
        model = NULL;
    } else if (json_array_append_new(R->inputs, model) != 0) {
        model = NULL;
        /* Keep the two lists the same length. */
        free(R->input_paths.v[--R->input_paths.n]);
    }
    if (model == NULL) {
        R->nomem = 1;
        snprintf(why, len, "out of memory");
        return NULL;
    }
    return copy_of(R, model, why, len);
}

/* Applies one `set` edit: path like requests.rows.new[1] or
 * requests.rows["withheld.third_party"][7], indexes from 1 as in Lua. */
static int set_path(json_t *model, const char *path, json_t *value, char *why, size_t len)
{
    json_t *cur = model, *next;
    const char *p = path;
    char key[256];
    size_t idx = 0;
    int is_index;

    for (;;) {
        /* Read one step: a name, ["key"] or [n]. */
        is_index = 0;
        if (*p == '[') {
            p++;
            if (*p == '"' || *p == '\'') {
                char q = *p++;
                const char *e = strchr(p, q);

                if (e == NULL || e[1] != ']' || (size_t)(e - p) >= sizeof key)
                    goto bad;
                memcpy(key, p, (size_t)(e - p));
                key[e - p] = '\0';
                p = e + 2;
            } else {
                char *e;

                errno = 0;
                idx = (size_t)strtoul(p, &e, 10);
                if (e == p || *e != ']' || idx == 0 || errno != 0)
                    goto bad;
                is_index = 1;
                p = e + 1;
            }
        } else {
            size_t n = strcspn(p, ".[");

            if (n == 0 || n >= sizeof key)
                goto bad;
            memcpy(key, p, n);
            key[n] = '\0';
            p += n;
        }
        if (*p == '.')
            p++;
        else if (*p != '[' && *p != '\0')
            goto bad;

        if (is_index) {
            if (!json_is_array(cur)) {
                snprintf(why, len, "set %s: [%zu] of something that is not a list", path, idx);
                goto fail;
            }
            if (*p == '\0') {
                if (idx <= json_array_size(cur))
                    return json_array_set_new(cur, idx - 1, value) == 0 ? 0 : -2;
                if (idx == json_array_size(cur) + 1)
                    return json_array_append_new(cur, value) == 0 ? 0 : -2;
                snprintf(why, len, "set %s: index %zu is past the end (%zu items)", path, idx,
                         json_array_size(cur));
                goto fail;
            }
            next = json_array_get(cur, idx - 1);
            if (next == NULL) {
                snprintf(why, len, "set %s: index %zu is past the end (%zu items)", path, idx,
                         json_array_size(cur));
                goto fail;
            }
        } else {
            if (!json_is_object(cur)) {
                snprintf(why, len, "set %s: \"%s\" of something that is not a mapping", path,
                         key);
                goto fail;
            }
            if (*p == '\0')
                return json_object_set_new(cur, key, value) == 0 ? 0 : -2;
            next = json_object_get(cur, key);
            if (next == NULL || json_is_null(next)) {
                /* A missing mapping on the way is made, so a case can add
                 * what a report lacks. */
                next = *p == '[' ? json_array() : json_object();
                if (next == NULL || json_object_set_new(cur, key, next) != 0) {
                    json_decref(value);
                    return -2;
                }
            }
        }
        cur = next;
    }
bad:
    snprintf(why, len,
             "set %s: not a path (names joined by dots, [n] from 1, [\"key.with.dots\"])", path);
fail:
    /* The value is the caller's no longer, whatever happens. */
    json_decref(value);
    return -1;
}

/* How a finding list compares with one `expect` entry. */
struct want {
    const char *code;
    const char *message; /* substring, or NULL */
    const char *severity;
    long count;          /* -1: at least one */
};

static int matches(json_t *f, const struct want *w)
{
    const char *code = json_string_value(json_object_get(f, "code"));
    const char *msg = json_string_value(json_object_get(f, "message"));
    const char *sev = json_string_value(json_object_get(f, "severity"));

    return code && strcmp(code, w->code) == 0 &&
           (w->message == NULL || (msg && strstr(msg, w->message))) &&
           (w->severity == NULL || (sev && strcmp(sev, w->severity) == 0));
}

static void codes_found(json_t *findings, char *buf, size_t len)
{
    size_t i, o = 0;
    json_t *f;

    buf[0] = '\0';
    json_array_foreach(findings, i, f)
    {
        int k = snprintf(buf + o, len - o, "%s%s", o ? ", " : "",
                         json_string_value(json_object_get(f, "code")));
        if (k < 0 || (size_t)k >= len - o)
            break;
        o += (size_t)k;
    }
    if (o == 0)
        snprintf(buf, len, "none");
}

/* Reads one expect entry: a code, or { code, count, message, severity }. */
static int read_want(const struct ogid_config_node *n, struct want *w, char *why, size_t len)
{
    const struct ogid_config_node *v;

    memset(w, 0, sizeof *w);
    w->count = -1;
    if (n->type == OGID_NODE_SCALAR) {
        w->code = n->text;
        return 0;
    }
    if (n->type != OGID_NODE_MAPPING)
        goto bad;
    for (size_t i = 0; i < n->n; i++) {
        const char *k = n->keys[i].text;

        if (strcmp(k, "code") != 0 && strcmp(k, "count") != 0 && strcmp(k, "message") != 0 &&
            strcmp(k, "severity") != 0) {
            snprintf(why, len, "line %zu: unknown key \"%s\" in expect (code, count, message, "
                               "severity)",
                     n->keys[i].line, k);
            return -1;
        }
    }
    v = ogid_config_node_get(n, "code");
    if (v == NULL || v->type != OGID_NODE_SCALAR)
        goto bad;
    w->code = v->text;
    if ((v = ogid_config_node_get(n, "message")) != NULL && v->type == OGID_NODE_SCALAR)
        w->message = v->text;
    if ((v = ogid_config_node_get(n, "severity")) != NULL && v->type == OGID_NODE_SCALAR)
        w->severity = v->text;
    if ((v = ogid_config_node_get(n, "count")) != NULL) {
        char *e;

        w->count = v->type == OGID_NODE_SCALAR ? strtol(v->text, &e, 10) : -1;
        if (v->type != OGID_NODE_SCALAR || *e != '\0' || w->count < 0) {
            snprintf(why, len, "line %zu: count must be a whole number", v->line);
            return -1;
        }
    }
    return 0;
bad:
    snprintf(why, len, "line %zu: an expect entry is a code, or {code: X, count: n, message: "
                       "\"part\", severity: s}",
             n->line);
    return -1;
}

/* Compares the findings with expect and reject; 0 when they agree, else
 * the first disagreement in why. */
static int judge(json_t *findings, const struct ogid_config_node *expect,
                 const struct ogid_config_node *reject, char *why, size_t len)
{
    char found[512];
    struct want w;
    size_t i, k, n;
    json_t *f;
    int rule_error_expected = 0;

    codes_found(findings, found, sizeof found);
    for (i = 0; expect && i < expect->n; i++) {
        if (read_want(&expect->items[i], &w, why, len) != 0)
            return -1;
        if (strcmp(w.code, "RULE_ERROR") == 0)
            rule_error_expected = 1;
        n = 0;
        json_array_foreach(findings, k, f) if (matches(f, &w)) n++;
        if (w.count >= 0 && (long)n != w.count) {
            snprintf(why, len, "expected %ld \xc3\x97 %s%s%s, found %zu (found: %s)", w.count,
                     w.code, w.message ? " saying " : "", w.message ? w.message : "", n, found);
            return -1;
        }
        if (w.count < 0 && n == 0) {
            snprintf(why, len, "expected %s%s%s%s%s, found none (found: %s)", w.code,
                     w.message ? " saying \"" : "", w.message ? w.message : "",
                     w.message ? "\"" : "", w.severity ? " at that severity" : "", found);
            return -1;
        }
    }
    for (i = 0; reject && i < reject->n; i++) {
        const struct ogid_config_node *r = &reject->items[i];

        if (r->type != OGID_NODE_SCALAR) {
            snprintf(why, len, "line %zu: a reject entry is a code", r->line);
            return -1;
        }
        json_array_foreach(findings, k, f)
        {
            const char *code = json_string_value(json_object_get(f, "code"));

            if (code && strcmp(code, r->text) == 0) {
                snprintf(why, len, "%s must not appear, but did: %s", r->text,
                         json_string_value(json_object_get(f, "message")));
                return -1;
            }
        }
    }
    /* A rule that failed fails its case, unless the case is about that. */
    if (!rule_error_expected) {
        json_array_foreach(findings, k, f)
        {
            const char *code = json_string_value(json_object_get(f, "code"));

            if (code && strcmp(code, "RULE_ERROR") == 0) {
                snprintf(why, len, "%s", json_string_value(json_object_get(f, "message")));
                return -1;
            }
        }
    }
    return 0;
}

static const char *const case_keys[] = {"name", "rule",   "input",  "previous", "counterpart",
                                        "params", "set", "expect", "reject",   NULL};

/* The rules loaded from rule_file (resolved path). */
static size_t rules_of_file(struct ogid_rules *rs, const char *rule_file, long *only)
{
    char real[PATH_MAX];
    size_t i, n = 0;

    *only = -1;
    for (i = 0; i < ogid_rules_count(rs); i++) {
        const char *f = ogid_rules_file(rs, i);

        if (f && realpath(f, real) != NULL && strcmp(real, rule_file) == 0) {
            if (n++ == 0)
                *only = (long)i;
        }
    }
    return n;
}

static void run_case(struct run *R, const char *file, const char *dir, const char *rule_file,
                     const struct ogid_config_node *c, size_t nth)
{
    const struct ogid_config_node *name_n, *rule_n, *v;
    char label[PATH_MAX + 32], why[2048], perr[2048];
    const char *name = NULL, *id;
    json_t *model = NULL, *previous = NULL, *counterpart = NULL, *findings = NULL;
    json_t *params = NULL;
    struct ogid_rules_opts opts = {0};
    long only = -1;
    size_t k, n_in_file;
    int rc;

    snprintf(label, sizeof label, "%s", file);
    if (c->type != OGID_NODE_MAPPING) {
        snprintf(why, sizeof why, "case #%zu", nth);
        fail_case(R, label, why, "line %zu: a case is a mapping (name, input, expect, ...)",
                  c->line);
        return;
    }
    name_n = ogid_config_node_get(c, "name");
    if (name_n && name_n->type == OGID_NODE_SCALAR && name_n->len > 0)
        name = name_n->text;
    else
        snprintf(why, sizeof why, "case #%zu", nth);
    for (k = 0; k < c->n; k++) {
        size_t j;

        for (j = 0; case_keys[j] && strcmp(case_keys[j], c->keys[k].text) != 0; j++)
            ;
        if (case_keys[j] == NULL) {
            fail_case(R, label, name ? name : why,
                      "%s:%zu:%zu: unknown key \"%s\" (known: name, rule, input, previous, "
                      "counterpart, params, set, expect, reject)",
                      file, c->keys[k].line, c->keys[k].column, c->keys[k].text);
            return;
        }
    }
    if (name == NULL) {
        fail_case(R, label, why, "%s:%zu:%zu: the case has no name", file, c->line, c->column);
        return;
    }

    /* The rule: named, or the one rule of the file beside. */
    rule_n = ogid_config_node_get(c, "rule");
    n_in_file = rules_of_file(R->rs, rule_file, &only);
    if (rule_n) {
        only = rule_n->type == OGID_NODE_SCALAR ? ogid_rules_find(R->rs, rule_n->text) : -1;
        if (only < 0) {
            fail_case(R, label, name, "%s:%zu:%zu: no rule \"%s\" is loaded", file, rule_n->line,
                      rule_n->column, rule_n->text);
            return;
        }
    } else if (n_in_file != 1) {
        fail_case(R, label, name,
                  n_in_file == 0 ? "no rule is loaded from %s beside it"
                                 : "%s holds several rules: name the case's with rule:",
                  rule_file);
        return;
    }
    id = NULL;
    ogid_rules_info(R->rs, (size_t)only, &id, NULL, NULL);
    R->tested[only] = 1;
    snprintf(label, sizeof label, "%s", id);

    v = ogid_config_node_get(c, "input");
    if (v == NULL || v->type != OGID_NODE_SCALAR || v->len == 0) {
        fail_case(R, label, name, "%s:%zu:%zu: the case has no input", file, c->line, c->column);
        return;
    }
    if ((model = load_input(R, dir, v->text, why, sizeof why)) == NULL) {
        fail_case(R, label, name, "%s", why);
        return;
    }
    if ((v = ogid_config_node_get(c, "previous")) != NULL && !ogid_config_node_is_null(v)) {
        if (v->type != OGID_NODE_SCALAR ||
            (previous = load_input(R, dir, v->text, why, sizeof why)) == NULL) {
            fail_case(R, label, name, "previous: %s",
                      v->type != OGID_NODE_SCALAR ? "must be a file name" : why);
            goto done;
        }
        opts.previous = previous;
    }
    if ((v = ogid_config_node_get(c, "counterpart")) != NULL && !ogid_config_node_is_null(v)) {
        if (v->type != OGID_NODE_SCALAR ||
            (counterpart = load_input(R, dir, v->text, why, sizeof why)) == NULL) {
            fail_case(R, label, name, "counterpart: %s",
                      v->type != OGID_NODE_SCALAR ? "must be a file name" : why);
            goto done;
        }
        opts.counterpart = counterpart;
    }
    if ((v = ogid_config_node_get(c, "set")) != NULL && !ogid_config_node_is_null(v)) {
        if (v->type != OGID_NODE_MAPPING) {
            fail_case(R, label, name, "%s:%zu:%zu: set is a mapping of paths to values", file,
                      v->line, v->column);
            goto done;
        }
        for (k = 0; k < v->n; k++) {
            json_t *value = ogid_config_node_json(&v->items[k]);
            rc = value ? set_path(model, v->keys[k].text, value, why, sizeof why) : -2;
            if (rc == -2) {
                R->nomem = 1;
                goto done;
            }
            if (rc != 0) {
                fail_case(R, label, name, "%s:%zu:%zu: %s", file, v->keys[k].line,
                          v->keys[k].column, why);
                goto done;
            }
        }
    }
    v = ogid_config_node_get(c, "params");
    rc = ogid_rules_merge_params(R->rs, (size_t)only, v, file, &params, perr, sizeof perr);
    if (rc == OGID_ENOMEM) {
        R->nomem = 1;
        goto done;
    }
    if (rc != 0) {
        fail_case(R, label, name, "%s", perr);
        goto done;
    }
    for (const char *list = "expect"; list; list = strcmp(list, "expect") == 0 ? "reject" : NULL) {
        v = ogid_config_node_get(c, list);
        if (v && !ogid_config_node_is_null(v) && v->type != OGID_NODE_SEQUENCE) {
            fail_case(R, label, name, "%s:%zu:%zu: %s is a list of codes", file, v->line,
                      v->column, list);
            goto done;
        }
    }
    if ((findings = json_array()) == NULL ||
        ogid_rules_run_one(R->rs, (size_t)only, params, model, findings, &opts) == OGID_ENOMEM) {
        R->nomem = 1;
        goto done;
    }
    if (judge(findings, ogid_config_node_get(c, "expect"), ogid_config_node_get(c, "reject"),
              why, sizeof why) != 0) {
        fail_case(R, label, name, "%s", why);
        goto done;
    }
    fprintf(R->out, "PASS %s: %s\n", label, name);
    R->passed++;
done:
    json_decref(findings);
    json_decref(params);
    json_decref(previous);
    json_decref(counterpart);
    json_decref(model);
}

static void run_file(struct run *R, const char *file)
{
    struct ogid_config_node *root = NULL;
    char err[2048], real[PATH_MAX], *dir, *rule_file;
    size_t n;
    int rc;

    rc = ogid_config_node_load(file, &root, err, sizeof err);
    if (rc == OGID_ENOMEM) {
        R->nomem = 1;
        return;
    }
    if (rc != 0) {
        fail_case(R, file, "(the file)", "%s", err);
        return;
    }
    if (root == NULL || root->type != OGID_NODE_SEQUENCE) {
        fail_case(R, file, "(the file)", "%s:%zu:%zu: a test file is a list of cases", file,
                  root ? root->line : (size_t)1, root ? root->column : (size_t)1);
        ogid_config_node_free(root);
        return;
    }
    dir = dir_of(file);
    n = strlen(file) - strlen(SUFFIX);
    rule_file = malloc(n + 5);
    if (dir == NULL || rule_file == NULL) {
        R->nomem = 1;
        goto done;
    }
    memcpy(rule_file, file, n);
    memcpy(rule_file + n, ".lua", 5);
    if (realpath(rule_file, real) != NULL) {
        free(rule_file);
        rule_file = strdup(real);
        if (rule_file == NULL) {
            R->nomem = 1;
            goto done;
        }
    }
    if ((R->inputs = json_array()) == NULL) {
        R->nomem = 1;
        goto done;
    }
    for (size_t i = 0; i < root->n && !R->nomem; i++)
        run_case(R, file, dir, rule_file, &root->items[i], i + 1);
done:
    json_decref(R->inputs);
    R->inputs = NULL;
    list_clear(&R->input_paths);
    free(dir);
    free(rule_file);
    ogid_config_node_free(root);
}

int ogid_rules_test(struct ogid_pipeline *p, const struct ogid_config *cfg, FILE *out, FILE *err,
                    unsigned *passed, unsigned *failed)
{
    struct run R = {.p = p, .cfg = cfg, .out = out};
    struct list files = {0};
    size_t i, n_rules, untested = 0;
    int rc = 0;

    R.rs = ogid_pipeline_rules(p);
    n_rules = ogid_rules_count(R.rs);
    if ((R.tested = calloc(n_rules + 1, 1)) == NULL)
        return OGID_ENOMEM;
    for (i = 0; i < cfg->n_rule_paths && rc == 0; i++)
        rc = collect(cfg->rule_paths[i], &files);
    for (i = 0; i < files.n && rc == 0; i++) {
        run_file(&R, files.v[i]);
        if (R.nomem)
            rc = OGID_ENOMEM;
    }
    if (rc == 0) {
        for (i = 0; i < n_rules; i++)
            if (!R.tested[i])
                untested++;
        if (untested > 0 && err != NULL) {
            fprintf(err, "note: %zu rule%s without test cases:", untested,
                    untested == 1 ? "" : "s");
            for (i = 0; i < n_rules; i++) {
                const char *id;

                ogid_rules_info(R.rs, i, &id, NULL, NULL);
                if (!R.tested[i])
                    fprintf(err, " %s", id);
            }
            fputc('\n', err);
        }
        fprintf(out, "%u passed, %u failed\n", R.passed, R.failed);
    }
    *passed = R.passed;
    *failed = R.failed;
    free(R.tested);
    list_clear(&files);
    return rc;
}
