/* The pipeline of one report. Everything read from the file is untrusted:
 * sizes are checked before allocation, the format plugin only ever sees a
 * bounded buffer, and every way a file can fail to be read ends in a result
 * with status "failed" and a reason a person can act on. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>

#include "ogid/ogid_error.h"
#include "ogid/ogid_log.h"
#include "ogid_document.h"
#include "ogid_history.h"
#include "ogid_pipeline.h"
#include "ogid_plugin_loader.h"
#include "ogid_recognise.h"
#include "ogid_register.h"
#include "ogid_rules.h"

#define MAX_CELLS 200000

struct ogid_pipeline {
    const struct ogid_config *cfg;
    struct ogid_plugins *plugins;
    struct ogid_forms *forms;
    struct ogid_rules *rules;
    struct ogid_history *history; /* NULL: no store configured, or it failed to open */
};

int ogid_pipeline_new(const struct ogid_config *cfg, int with_rules,
                      struct ogid_pipeline **out, char *errbuf, size_t errlen)
{
    struct ogid_pipeline *p = calloc(1, sizeof *p);
    int rc;

    if (p == NULL)
        return OGID_ENOMEM;
    p->cfg = cfg;
    rc = ogid_plugins_load(cfg->plugin_dir, &p->plugins, errbuf, errlen);
    if (rc != 0)
        goto fail;
    rc = ogid_forms_load(cfg->forms_dir, &p->forms, errbuf, errlen);
    if (rc != 0)
        goto fail;
    if (with_rules) {
        rc = ogid_rules_new(cfg->rule_paths, cfg->n_rule_paths, &p->rules, errbuf, errlen);
        if (rc != 0 || (rc = ogid_rules_configure(p->rules, cfg, errbuf, errlen)) != 0)
            goto fail;
    }
    /* History: a store that cannot be opened costs the cross-year checks,
     * not the daemon; say so once and check without it. */
    if (with_rules && cfg->history_path != NULL && cfg->history_path[0] != '\0') {
        char herr[1024];
        if (ogid_history_open(cfg->history_path, &p->history, herr, sizeof herr) != 0)
            ogid_warn("history", "%s; checking without history (no cross-year checks)",
                      herr);
    }
    *out = p;
    return 0;
fail:
    ogid_pipeline_free(p);
    return rc;
}

void ogid_pipeline_free(struct ogid_pipeline *p)
{
    if (p == NULL)
        return;
    ogid_history_close(p->history);
    ogid_rules_free(p->rules);
    ogid_forms_free(p->forms);
    ogid_plugins_free(p->plugins);
    free(p);
}

struct ogid_rules *ogid_pipeline_rules(struct ogid_pipeline *p)
{
    return p->rules;
}

int ogid_open_report(const char *path, uint64_t max_bytes, char *reason, size_t len)
{
    struct stat st;
    int fd;

    if (lstat(path, &st) != 0) {
        snprintf(reason, len, "cannot stat: %s", strerror(errno));
        return -1;
    }
    if (S_ISLNK(st.st_mode)) {
        snprintf(reason, len, "a symbolic link: not followed");
        return -1;
    }
    if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
        snprintf(reason, len, "a %s, not a regular file: not read",
                 S_ISFIFO(st.st_mode) ? "FIFO" : "socket");
        return -1;
    }
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
        snprintf(reason, len, "a device, not a regular file: not read");
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(reason, len, "not a regular file: not read");
        return -1;
    }
    if (st.st_size == 0) {
        snprintf(reason, len, "empty file");
        return -1;
    }
    if ((uint64_t)st.st_size > max_bytes) {
        snprintf(reason, len, "%lld bytes, over the size limit of %llu bytes",
                 (long long)st.st_size, (unsigned long long)max_bytes);
        return -1;
    }
    /* O_NOFOLLOW and O_NONBLOCK: the file may have been swapped for a link
     * or a FIFO since lstat; neither may be followed or block us. */
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(reason, len, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(reason, len, "not a regular file: not read");
        close(fd);
        return -1;
    }
    return fd;
}

json_t *ogid_pipeline_parse_fd(struct ogid_pipeline *p, int fd, const char *name,
                               char sha[65], char *reason, size_t len)
{
    struct ogid_file f;
    struct ogid_document *doc = NULL;
    struct ogid_doc_builder b;
    const struct ogid_plugin *plugin;
    json_t *source, *model = NULL;
    int rc;

    sha[0] = '\0';
    rc = ogid_file_read_fd(fd, p->cfg->max_bytes, &f);
    if (rc != 0) {
        snprintf(reason, len, "cannot read: %s",
                 rc == OGID_EIO ? strerror(errno) : ogid_strerror(rc));
        return NULL;
    }
    memcpy(sha, f.sha256, 65);
    struct ogid_input in = {
        .name = name, .bytes = f.bytes, .len = f.len, .text = f.text, .text_len = f.text_len,
    };
    plugin = ogid_plugins_pick(p->plugins, &in);
    if (plugin == NULL) {
        snprintf(reason, len, "unrecognised format (%s bytes): no format plugin reads it",
                 f.encoding);
        goto done;
    }
    if (ogid_document_new(MAX_CELLS, &doc) != 0) {
        snprintf(reason, len, "out of memory");
        goto done;
    }
    ogid_document_builder(doc, &b);
    rc = plugin->parse(&in, &b);
    if (rc != 0) {
        snprintf(reason, len, "%s could not read the file: %s", plugin->name,
                 ogid_strerror(rc));
        goto done;
    }
    source = json_pack("{s:s, s:s, s:I, s:s, s:s}", "file", name, "sha256", f.sha256,
                       "bytes", (json_int_t)f.len, "format", plugin->format, "encoding",
                       f.encoding);
    /* Request registers (依申请公开登记台账): a table of requests, not an
     * annual report, so the register model (ogid_register.h) instead of
     * the form recogniser's. */
    if (source == NULL ||
        (ogid_register_detect(doc) ? ogid_register_build(doc, source, &model)
                                   : ogid_recognise(doc, p->forms, source, &model)) != 0) {
        snprintf(reason, len, "out of memory");
        model = NULL;
    }
    json_decref(source);
done:
    ogid_document_free(doc);
    ogid_file_clear(&f);
    return model;
}

static json_t *meta_value(json_t *model, const char *key)
{
    json_t *v = json_object_get(json_object_get(model, "meta"), key);
    return v ? json_incref(v) : json_null();
}

json_t *ogid_result_failed(const char *name, const char *sha, const char *reason)
{
    return json_pack("{s:s, s:o, s:s, s:n, s:n, s:n, s:[], s:{s:i, s:i, s:i}, "
                     "s:{s:f, s:f}, s:s}",
                     "status", "failed", "report",
                     sha && sha[0] ? json_string(sha) : json_null(), "file", name, "agency",
                     "year", "form", "findings", "counts", "error", 0, "warning", 0,
                     "info", 0, "ms", "parse", 0.0, "rules", 0.0, "error", reason);
}

int ogid_result_add_finding(json_t *result, const char *rule, const char *code,
                            const char *severity, const char *message)
{
    json_t *f = json_pack("{s:s, s:s, s:s, s:s}", "rule", rule, "code", code, "severity",
                          severity, "message", message);
    json_t *counts = json_object_get(result, "counts");
    json_t *n = json_object_get(counts, severity);

    if (f == NULL || json_array_append_new(json_object_get(result, "findings"), f) != 0)
        return OGID_ENOMEM;
    if (n != NULL)
        json_integer_set(n, json_integer_value(n) + 1);
    return 0;
}

/* A request register (ogid_register.h) rather than an annual report. */
static int is_register(json_t *model)
{
    const char *kind = json_string_value(json_object_get(model, "kind"));

    return kind != NULL && strcmp(kind, "register") == 0;
}

/* A document with no section, no table and no year is not a report at all;
 * a register is checked whatever it says (its notes say what is missing). */
static int is_report(json_t *model)
{
    json_t *meta = json_object_get(model, "meta");

    return is_register(model) || json_array_size(json_object_get(model, "sections")) > 0 ||
           json_is_integer(json_object_get(meta, "year")) ||
           !json_is_null(json_object_get(meta, "form"));
}

/* History: the same agency's newest model of kind for `year`, or NULL when
 * there is none, no store, or the lookup failed (which is logged, not
 * fatal). */
static json_t *history_get(struct ogid_pipeline *p, const char *kind, const char *agency,
                           json_int_t year)
{
    json_t *m = NULL;
    int rc;

    if (p->history == NULL || agency == NULL || year <= 0 || year > 9999)
        return NULL;
    rc = ogid_history_get(p->history, kind, agency, (int)year, &m);
    if (rc != 0)
        ogid_warn("history", "%s", ogid_history_error(p->history));
    return m;
}

/* History: stores a checked report's or register's model under its kind; a
 * failure is logged, the check stands. */
static void history_put(struct ogid_pipeline *p, const char *name, json_t *model)
{
    json_t *meta = json_object_get(model, "meta");

    if (p->history == NULL || !json_is_string(json_object_get(meta, "agency")) ||
        !json_is_integer(json_object_get(meta, "year")))
        return;
    if (ogid_history_put(p->history,
                         is_register(model) ? OGID_HISTORY_REGISTER : OGID_HISTORY_REPORT,
                         model) != 0)
        ogid_warn("history", "%s: not stored: %s", name, ogid_history_error(p->history));
}

/* Runs the rules with the same agency's reports of the year before
 * (ctx.previous) and the year after (ctx.next: when last year's report
 * arrives after this year's, the pair's cross-year findings go on the later
 * report), and the other file of its register/report pair of the same year
 * (ctx.counterpart: whichever of the two comes second gets the comparison),
 * each NULL when the history has none. */
static int run_rules(struct ogid_pipeline *p, json_t *model, json_t *previous, json_t *next,
                     json_t *counterpart, json_t *findings, const struct ogid_check_opts *co)
{
    struct ogid_rules_opts opts = {
        .previous = previous, .next = next, .counterpart = counterpart};

    if (co != NULL) {
        opts.skip = co->skip;
        opts.n_skip = co->n_skip;
        opts.on_rule = co->on_rule;
        opts.ud = co->ud;
    }

    return ogid_rules_run_opts(p->rules, model, findings, &opts);
}

/* Nanoseconds as milliseconds, to the microsecond. */
static double ms_of(uint64_t ns)
{
    return (double)(ns / 1000) / 1000.0;
}

json_t *ogid_pipeline_check(struct ogid_pipeline *p, const char *path, const char *name)
{
    return ogid_pipeline_check_opts(p, path, name, NULL);
}

json_t *ogid_pipeline_check_opts(struct ogid_pipeline *p, const char *path, const char *name,
                                 const struct ogid_check_opts *co)
{
    char reason[512], sha[65] = "";
    uint64_t t0 = uv_hrtime(), t1, t2;
    json_t *model, *result, *findings, *counts, *previous = NULL, *next = NULL;
    json_t *counterpart = NULL;
    int fd;

    fd = ogid_open_report(path, p->cfg->max_bytes, reason, sizeof reason);
    if (fd < 0)
        return ogid_result_failed(name, NULL, reason);
    model = ogid_pipeline_parse_fd(p, fd, name, sha, reason, sizeof reason);
    close(fd);
    if (model == NULL)
        return ogid_result_failed(name, sha, reason);
    if (!is_report(model)) {
        json_decref(model);
        return ogid_result_failed(name, sha,
                                  "not an annual report: no title year, section or table found");
    }
    t1 = uv_hrtime();
    if (p->rules != NULL) {
        /* The model carries source.file and source.sha256, so cross-year
         * findings can name both files. */
        const char *agency = json_string_value(
            json_object_get(json_object_get(model, "meta"), "agency"));
        json_t *year = json_object_get(json_object_get(model, "meta"), "year");
        if (agency != NULL && json_is_integer(year)) {
            json_int_t y = json_integer_value(year);

            if (is_register(model)) {
                counterpart = history_get(p, OGID_HISTORY_REPORT, agency, y);
            } else {
                previous = history_get(p, OGID_HISTORY_REPORT, agency, y - 1);
                next = history_get(p, OGID_HISTORY_REPORT, agency, y + 1);
                counterpart = history_get(p, OGID_HISTORY_REGISTER, agency, y);
            }
        }
    }
    findings = json_array();
    if (findings != NULL && p->rules != NULL &&
        run_rules(p, model, previous, next, counterpart, findings, co) != 0) {
        json_decref(findings);
        findings = NULL;
    }
    json_decref(previous);
    json_decref(next);
    json_decref(counterpart);
    t2 = uv_hrtime();
    if (findings == NULL) {
        json_decref(model);
        return NULL;
    }
    if (p->rules != NULL)
        history_put(p, name, model);
    counts = json_pack("{s:i, s:i, s:i}", "error", 0, "warning", 0, "info", 0);
    for (size_t i = 0; counts && i < json_array_size(findings); i++) {
        const char *sev = json_string_value(
            json_object_get(json_array_get(findings, i), "severity"));
        json_t *n = sev ? json_object_get(counts, sev) : NULL;
        if (n)
            json_integer_set(n, json_integer_value(n) + 1);
    }
    result = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:{s:f, s:f}}", "status",
                       "checked", "report", sha, "file", name, "agency",
                       meta_value(model, "agency"), "year", meta_value(model, "year"),
                       "form", meta_value(model, "form"), "findings", findings, "counts",
                       counts, "ms", "parse", ms_of(t1 - t0), "rules",
                       ms_of(t2 - t1));
    json_decref(model);
    return result;
}
