/* Unit tests of the configuration (ogid_config.c) and of the bundled paths
 * (ogid_paths.c).
 *
 * Config files are written to temporary files made with mkstemp; every
 * error test checks the whole message, with its 1-based line and column.
 * The paths are computed once per process, so each layout (build tree,
 * installed, environment override) is checked in a child process: this
 * executable re-run with --print-paths, from a copy placed in a fake
 * install prefix where the installed layout is tested. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ogid/ogid_error.h"
#include "ogid_config.h"
#include "ogid_paths.h"

#define ERRLEN 4096

/* ---- Helpers -------------------------------------------------------- */

static char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *xprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    return s;
}

static char *cwd_join(const char *rel)
{
    char cwd[PATH_MAX];

    assert_non_null(getcwd(cwd, sizeof cwd));
    return xprintf("%s/%s", cwd, rel);
}

/* The folder of an absolute path, as a new string. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    assert_non_null(slash);
    return strndup(path, (size_t)(slash - path));
}

static void write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, text, len);

        assert_true(n > 0);
        text += n;
        len -= (size_t)n;
    }
}

/* Writes `len` bytes of `text` to a new temporary file; returns its path. */
static char *write_temp(const char *text, size_t len)
{
    const char *tmp = getenv("TMPDIR");
    char *path = xprintf("%s/ogid-config-XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    write_all(fd, text, len);
    assert_int_equal(close(fd), 0);
    return path;
}

/* Loads `text` as a config file. The file's path is returned in *path (to
 * build expected messages); the file itself is already removed. */
static int load_text(const char *text, struct ogid_config **cfg, char *err,
                     char **path)
{
    char *p = write_temp(text, strlen(text));
    int rc = ogid_config_load(p, cfg, err, ERRLEN);

    unlink(p);
    *path = p;
    return rc;
}

/* Returns `s` with every "FILE" replaced by `path`. */
static char *with_path(const char *s, const char *path)
{
    size_t n = 1;
    const char *p;
    char *out, *o;

    for (p = s; (p = strstr(p, "FILE")) != NULL; p += 4)
        n++;
    out = malloc(strlen(s) + n * strlen(path) + 1);
    assert_non_null(out);
    for (o = out; (p = strstr(s, "FILE")) != NULL; s = p + 4) {
        memcpy(o, s, (size_t)(p - s));
        o += p - s;
        o = stpcpy(o, path);
    }
    strcpy(o, s);
    return out;
}

/* Loads `text`, expects OGID_ECONFIG and exactly the message `want`, where
 * FILE stands for the file's path. */
static void expect_error(const char *text, const char *want_tmpl)
{
    struct ogid_config *cfg = (struct ogid_config *)1;
    char err[ERRLEN];
    char *path, *want;
    int rc = load_text(text, &cfg, err, &path);

    want = with_path(want_tmpl, path);
    assert_int_equal(rc, OGID_ECONFIG);
    assert_null(cfg);
    assert_string_equal(err, want);
    free(want);
    free(path);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void assert_config_equal(const struct ogid_config *a,
                                const struct ogid_config *b)
{
    assert_string_equal(a->spool_dir, b->spool_dir);
    assert_int_equal(a->settle_ms, b->settle_ms);
    assert_int_equal(a->debounce_ms, b->debounce_ms);
    assert_int_equal(a->rule_reload_ms, b->rule_reload_ms);
    assert_int_equal(a->rescan_ms, b->rescan_ms);
    assert_int_equal(a->max_bytes, b->max_bytes);
    assert_int_equal(a->workers, b->workers);
    assert_int_equal(a->deadline_ms, b->deadline_ms);
    assert_int_equal(a->n_rule_paths, b->n_rule_paths);
    for (size_t i = 0; i < a->n_rule_paths; i++)
        assert_string_equal(a->rule_paths[i], b->rule_paths[i]);
    assert_string_equal(a->forms_dir, b->forms_dir);
    assert_string_equal(a->log_path, b->log_path);
    assert_int_equal(a->fsync, b->fsync);
    assert_string_equal(a->plugin_dir, b->plugin_dir);
    assert_string_equal(a->history_path, b->history_path);
}

/* ---- Defaults ------------------------------------------------------- */

static void test_ogid_config_default_values(void **state)
{
    struct ogid_config *cfg = NULL;
    char *spool = cwd_join("spool");
    char *log = xprintf("%s/findings.jsonl", spool);
    char *history = xprintf("%s/history.db", spool);

    (void)state;
    assert_int_equal(ogid_config_default(&cfg), 0);
    assert_non_null(cfg);
    assert_string_equal(cfg->source, "<default>");
    assert_string_equal(cfg->spool_dir, spool);
    assert_int_equal(cfg->settle_ms, 300);
    assert_int_equal(cfg->debounce_ms, 50);
    assert_int_equal(cfg->rescan_ms, 5000);
    assert_int_equal(cfg->max_bytes, 32u * 1024 * 1024);
    assert_int_equal(cfg->workers, 0);
    assert_int_equal(cfg->deadline_ms, 10000);
    assert_int_equal(cfg->n_rule_paths, 1);
    assert_string_equal(cfg->rule_paths[0], ogid_paths_rules());
    assert_string_equal(cfg->forms_dir, ogid_paths_forms());
    assert_string_equal(cfg->log_path, log);
    assert_int_equal(cfg->fsync, OGID_FSYNC_REPORT);
    assert_string_equal(cfg->plugin_dir, ogid_paths_plugins());
    assert_string_equal(cfg->history_path, history);
    ogid_config_free(cfg);
    free(spool);
    free(log);
    free(history);
}

/* ---- Valid files ---------------------------------------------------- */

static void test_ogid_config_load_full_file(void **state)
{
    static const char text[] =
        "# every key, none at its default\n"
        "spool: ./state/\n"
        "settle_delay: 0\n"
        "debounce: 2s\n"
        "rescan_period: 1m\n"
        "max_size: 512 KiB\n"
        "workers: 4\n"
        "deadline: 100ms\n"
        "rule_paths:\n"
        "  - rules\n"
        "  - /srv/ogid/rules.d/\n"
        "  - ./local/../more//rules\n"
        "forms: \"forms\"\n"
        "log: logs/out.jsonl\n"
        "fsync: none\n"
        "plugins: /usr/lib/ogid\n"
        "history: /var/lib/ogid/history.db\n"
        "rules:\n"
        "  fees.disclosed: {threshold: 3, enabled: false}\n"
        "  deadline.reply: [1, 2]\n";
    struct ogid_config *cfg = NULL;
    char err[ERRLEN];
    char *path, *dir, *want;

    (void)state;
    assert_int_equal(load_text(text, &cfg, err, &path), 0);
    assert_string_equal(err, "");
    assert_non_null(cfg);
    dir = dir_of(path);

    assert_string_equal(cfg->source, path);
    want = xprintf("%s/state", dir);
    assert_string_equal(cfg->spool_dir, want);
    free(want);
    assert_int_equal(cfg->settle_ms, 0);
    assert_int_equal(cfg->debounce_ms, 2000);
    assert_int_equal(cfg->rescan_ms, 60000);
    assert_int_equal(cfg->max_bytes, 512u * 1024);
    assert_int_equal(cfg->workers, 4);
    assert_int_equal(cfg->deadline_ms, 100);
    assert_int_equal(cfg->n_rule_paths, 3);
    want = xprintf("%s/rules", dir);
    assert_string_equal(cfg->rule_paths[0], want);
    free(want);
    assert_string_equal(cfg->rule_paths[1], "/srv/ogid/rules.d");
    want = xprintf("%s/local/../more/rules", dir);
    assert_string_equal(cfg->rule_paths[2], want);
    free(want);
    want = xprintf("%s/forms", dir);
    assert_string_equal(cfg->forms_dir, want);
    free(want);
    want = xprintf("%s/logs/out.jsonl", dir);
    assert_string_equal(cfg->log_path, want);
    free(want);
    assert_int_equal(cfg->fsync, OGID_FSYNC_NONE);
    assert_string_equal(cfg->plugin_dir, "/usr/lib/ogid");
    assert_string_equal(cfg->history_path, "/var/lib/ogid/history.db");

    ogid_config_free(cfg);
    free(dir);
    free(path);
}

static void test_ogid_config_load_empty_file(void **state)
{
    struct ogid_config *cfg = NULL, *def = NULL;
    char err[ERRLEN];
    char *path;

    (void)state;
    assert_int_equal(load_text("", &cfg, err, &path), 0);
    assert_string_equal(err, "");
    assert_int_equal(ogid_config_default(&def), 0);
    assert_config_equal(cfg, def);
    assert_string_equal(cfg->source, path);
    ogid_config_free(cfg);
    free(path);

    /* Comments only, and a lone document marker, are empty too. */
    assert_int_equal(load_text("# nothing here\n\n", &cfg, err, &path), 0);
    assert_config_equal(cfg, def);
    ogid_config_free(cfg);
    free(path);
    assert_int_equal(load_text("---\n", &cfg, err, &path), 0);
    assert_config_equal(cfg, def);
    ogid_config_free(cfg);
    free(path);
    ogid_config_free(def);
}

static void test_ogid_config_load_units(void **state)
{
    static const struct {
        const char *text;
        uint64_t max_bytes;
        uint32_t settle_ms;
    } cases[] = {
        {"max_size: 100\nsettle_delay: 7ms\n", 100, 7},
        {"max_size: 100B\nsettle_delay: 3s\n", 100, 3000},
        {"max_size: 2K\nsettle_delay: 2m\n", 2048, 120000},
        {"max_size: 3M\nsettle_delay: 0ms\n", 3u << 20, 0},
        {"max_size: 1GiB\nsettle_delay: 0s\n", 1u << 30, 0},
        {"max_size: 5 G\nsettle_delay: 1 s\n", 5ull << 30, 1000},
    };
    char err[ERRLEN];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ogid_config *cfg = NULL;
        char *path;

        assert_int_equal(load_text(cases[i].text, &cfg, err, &path), 0);
        assert_int_equal(cfg->max_bytes, cases[i].max_bytes);
        assert_int_equal(cfg->settle_ms, cases[i].settle_ms);
        ogid_config_free(cfg);
        free(path);
    }
}

static void test_ogid_config_load_log_follows_spool(void **state)
{
    struct ogid_config *cfg = NULL;
    char err[ERRLEN];
    char *path, *dir, *want;

    (void)state;
    /* Not set: log and history go under the spool of the file. */
    assert_int_equal(load_text("spool: /srv/ogid\n", &cfg, err, &path), 0);
    assert_string_equal(cfg->spool_dir, "/srv/ogid");
    assert_string_equal(cfg->log_path, "/srv/ogid/findings.jsonl");
    assert_string_equal(cfg->history_path, "/srv/ogid/history.db");
    ogid_config_free(cfg);
    free(path);

    /* Set before the spool, whatever the order: they stay where set. */
    assert_int_equal(load_text("history: h.db\nspool: /srv/ogid\nlog: /var/log/f\n",
                               &cfg, err, &path), 0);
    dir = dir_of(path);
    want = xprintf("%s/h.db", dir);
    assert_string_equal(cfg->history_path, want);
    assert_string_equal(cfg->log_path, "/var/log/f");
    ogid_config_free(cfg);
    free(want);
    free(dir);
    free(path);
}

/* A config named by a relative path: its paths are relative to its own
 * folder, made absolute against the working directory. */
static void test_ogid_config_load_relative_config_path(void **state)
{
    char cwd[PATH_MAX];
    char tmpl[] = "/tmp/ogid-config-dir-XXXXXX";
    static const char body[] = "spool: ../var/spool\nforms: ./f\n";
    char *dir, *want, *conf;
    struct ogid_config *cfg = NULL;
    char err[ERRLEN];
    int fd;

    (void)state;
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_non_null(mkdtemp(tmpl));
    dir = realpath(tmpl, NULL);
    assert_non_null(dir);
    conf = xprintf("%s/etc", dir);
    assert_int_equal(mkdir(conf, 0700), 0);
    free(conf);
    conf = xprintf("%s/etc/ogid.yaml", dir);
    fd = open(conf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    write_all(fd, body, strlen(body));
    close(fd);

    assert_int_equal(chdir(dir), 0);
    assert_int_equal(ogid_config_load("./etc//ogid.yaml", &cfg, err, ERRLEN), 0);
    assert_int_equal(chdir(cwd), 0);

    assert_string_equal(cfg->source, conf);
    want = xprintf("%s/etc/../var/spool", dir);
    assert_string_equal(cfg->spool_dir, want);
    free(want);
    want = xprintf("%s/etc/../var/spool/findings.jsonl", dir);
    assert_string_equal(cfg->log_path, want);
    free(want);
    want = xprintf("%s/etc/f", dir);
    assert_string_equal(cfg->forms_dir, want);
    free(want);

    ogid_config_free(cfg);
    free(conf);
    rm_tree(dir);
    free(dir);
}

static void test_ogid_config_load_contrib_example(void **state)
{
    struct ogid_config *cfg = NULL, *def = NULL;
    char err[ERRLEN] = "unset";
    int rc;

    (void)state;
    rc = ogid_config_load(OGID_SOURCE_DIR "/contrib/ogid.yaml", &cfg, err, ERRLEN);
    if (rc != 0)
        fail_msg("contrib/ogid.yaml: %s\n%s", ogid_strerror(rc), err);
    assert_string_equal(err, "");
    assert_string_equal(cfg->source, OGID_SOURCE_DIR "/contrib/ogid.yaml");
    /* The example documents the defaults: loaded, it must be the default. */
    assert_int_equal(ogid_config_default(&def), 0);
    assert_config_equal(cfg, def);
    ogid_config_free(cfg);
    ogid_config_free(def);
}

/* ---- Errors --------------------------------------------------------- */

static void test_ogid_config_load_missing_file(void **state)
{
    struct ogid_config *cfg = (struct ogid_config *)1;
    char err[ERRLEN];

    (void)state;
    assert_int_equal(ogid_config_load("/nonexistent/ogid.yaml", &cfg, err, ERRLEN),
                     OGID_ENOENT);
    assert_null(cfg);
    assert_string_equal(err, "/nonexistent/ogid.yaml: No such file or directory");
}

static void test_ogid_config_load_unknown_key(void **state)
{
    (void)state;
    expect_error("spool: ./spool\n"
                 "settle_delay: 300ms\n"
                 "spoool: x\n",
                 "FILE:3:1: unknown key \"spoool\" (known: spool, settle_delay, "
                 "debounce, rescan_period, max_size, workers, deadline, rule_paths, rule_reload_delay, "
                 "forms, log, fsync, plugins, history, holidays, rules)");
}

static void test_ogid_config_load_wrong_type(void **state)
{
    (void)state;
    expect_error("workers: 2\nspool: [a, b]\n",
                 "FILE:2:8: wrong type for \"spool\": expected a string, found a sequence");
    expect_error("deadline:\n  seconds: 10\n",
                 "FILE:2:3: wrong type for \"deadline\": expected a string, found a mapping");
    expect_error("rule_paths: {a: 1}\n",
                 "FILE:1:13: wrong type for \"rule_paths\": expected a sequence of "
                 "paths, found a mapping");
    expect_error("rule_paths:\n  - ok\n  - [nested]\n",
                 "FILE:3:5: wrong type for \"rule_paths[1]\": expected a string, "
                 "found a sequence");
    expect_error("rules: [a]\n",
                 "FILE:1:8: wrong type for \"rules\": expected a mapping of rule ids "
                 "to settings, found a sequence");
    expect_error("- spool\n- log\n",
                 "FILE:1:1: the top level must be a mapping of keys "
                 "(e.g. \"spool: ./spool\"), not a sequence");
    expect_error("just words\n",
                 "FILE:1:1: the top level must be a mapping of keys "
                 "(e.g. \"spool: ./spool\"), not a string");
    expect_error("[a]: 1\n", "FILE:1:1: a key must be a name, not a sequence");
}

static void test_ogid_config_load_bad_values(void **state)
{
    (void)state;
    expect_error("spool: s\nworkers: 1\nfsync: report\ndeadline: 10s\n"
                 "max_size: 12 parsecs\n",
                 "FILE:5:11: bad value for \"max_size\": \"12 parsecs\" is not a size "
                 "(e.g. 32MiB, 512KiB, 1G)");
    expect_error("settle_delay: 300\n",
                 "FILE:1:15: bad value for \"settle_delay\": \"300\" is not a duration "
                 "(e.g. 300ms, 5s, 2m)");
    expect_error("debounce: 5h\n",
                 "FILE:1:11: bad value for \"debounce\": \"5h\" is not a duration "
                 "(e.g. 300ms, 5s, 2m)");
    expect_error("deadline: -5s\n",
                 "FILE:1:11: bad value for \"deadline\": \"-5s\" is negative");
    expect_error("workers: four\n",
                 "FILE:1:10: bad value for \"workers\": \"four\" is not a whole number");
    expect_error("workers: -1\n",
                 "FILE:1:10: bad value for \"workers\": \"-1\" is negative");
    expect_error("workers: 257\n",
                 "FILE:1:10: bad value for \"workers\": \"257\" is over the maximum of 256");
    expect_error("fsync: always\n",
                 "FILE:1:8: bad value for \"fsync\": \"always\" is not one of report, none");
    expect_error("deadline: 99ms\n",
                 "FILE:1:11: bad value for \"deadline\": \"99ms\" is below the minimum "
                 "of 100ms");
    expect_error("rescan_period: 0\n",
                 "FILE:1:16: bad value for \"rescan_period\": \"0\" is below the minimum "
                 "of 100ms");
    expect_error("max_size: 0\n",
                 "FILE:1:11: bad value for \"max_size\": \"0\" is below the minimum of "
                 "1 byte");
    expect_error("max_size: 99999999999999999999\n",
                 "FILE:1:11: bad value for \"max_size\": \"99999999999999999999\" "
                 "is too large");
    expect_error("settle_delay: 50000000m\n",
                 "FILE:1:15: bad value for \"settle_delay\": \"50000000m\" is too long "
                 "(at most 49 days)");
    expect_error("log:\n", "FILE:1:5: missing value for \"log\" (e.g. ./spool/findings.jsonl)");
    expect_error("forms: \"\"\n", "FILE:1:8: missing value for \"forms\" (e.g. forms)");
    expect_error("spool: \"a\\0b\"\n",
                 "FILE:1:8: bad value for \"spool\": contains a NUL character");
    /* A quoted newline is shown as '?', so the message stays one line. */
    expect_error("fsync: \"no\\nne\"\n",
                 "FILE:1:8: bad value for \"fsync\": \"no?ne\" is not one of report, none");
}

static void test_ogid_config_load_duplicate_key(void **state)
{
    (void)state;
    expect_error("spool: a\nworkers: 2\nspool: b\n",
                 "FILE:3:1: duplicate key \"spool\" (first set at line 1)");
}

static void test_ogid_config_load_syntax_error(void **state)
{
    (void)state;
    /* An unclosed flow sequence: libyaml finds out at the end of input. */
    expect_error("spool: ./spool\nrule_paths: [a, b\n",
                 "FILE:3:1: YAML syntax error: did not find expected ',' or ']' "
                 "(while parsing a flow sequence at line 2, column 13)");
    /* A key indented deeper than its mapping. */
    expect_error("spool: a\n  workers: 2\n",
                 "FILE:2:10: YAML syntax error: mapping values are not allowed in "
                 "this context");
    /* A tab where YAML wants spaces. */
    expect_error("rules:\n\tx: 1\n",
                 "FILE:2:1: YAML syntax error: found character that cannot start any "
                 "token (while scanning for the next token at line 2, column 1)");
    expect_error("spool: a\n---\nspool: b\n",
                 "FILE:3:1: a second YAML document; a config file holds one");
}

static void test_ogid_config_load_bad_utf8(void **state)
{
    static const char text[] = "spool: a\n# \xe6\x97\xa5\xff\n";
    struct ogid_config *cfg = (struct ogid_config *)1;
    char err[ERRLEN];
    char *path = write_temp(text, sizeof text - 1);
    char *want = with_path("FILE:2:4: invalid leading UTF-8 octet (byte 0xFF); the "
                           "file must be UTF-8", path);

    (void)state;
    assert_int_equal(ogid_config_load(path, &cfg, err, ERRLEN), OGID_ECONFIG);
    assert_null(cfg);
    assert_string_equal(err, want);
    unlink(path);
    free(path);
    free(want);
}

static void test_ogid_config_load_collects_all_errors(void **state)
{
    (void)state;
    expect_error("spool: ok\n"
                 "workers: many\n"
                 "colour: blue\n"
                 "deadline: 10s\n"
                 "fsync: sometimes\n"
                 "workers: 3\n",
                 "FILE:2:10: bad value for \"workers\": \"many\" is not a whole number\n"
                 "FILE:3:1: unknown key \"colour\" (known: spool, settle_delay, "
                 "debounce, rescan_period, max_size, workers, deadline, rule_paths, rule_reload_delay, "
                 "forms, log, fsync, plugins, history, holidays, rules)\n"
                 "FILE:5:8: bad value for \"fsync\": \"sometimes\" is not one of "
                 "report, none\n"
                 "FILE:6:1: duplicate key \"workers\" (first set at line 2)");
}

/* A small errbuf is cut, still NUL-terminated, and nothing is written past
 * its end. */
static void test_ogid_config_load_errbuf_truncated(void **state)
{
    char *path = write_temp("a: 1\nb: 2\nc: 3\n", 15);
    struct ogid_config *cfg = NULL;
    char buf[32];

    (void)state;
    memset(buf, 'X', sizeof buf);
    assert_int_equal(ogid_config_load(path, &cfg, buf, 20), OGID_ECONFIG);
    assert_int_equal(strlen(buf), 19);
    assert_int_equal(strncmp(buf, path, 19), 0);
    for (size_t i = 20; i < sizeof buf; i++)
        assert_int_equal(buf[i], 'X');
    /* No errbuf at all is allowed too. */
    assert_int_equal(ogid_config_load(path, &cfg, NULL, 0), OGID_ECONFIG);
    assert_null(cfg);
    unlink(path);
    free(path);
}

/* ---- Setters -------------------------------------------------------- */

static void test_ogid_config_set_spool_repoints_log_and_history(void **state)
{
    struct ogid_config *cfg = NULL;
    char err[ERRLEN];
    char *path, *want;

    (void)state;
    assert_int_equal(load_text("spool: /a\nlog: /b/log.jsonl\nhistory: /c/h.db\n",
                               &cfg, err, &path), 0);
    assert_string_equal(cfg->log_path, "/b/log.jsonl");
    assert_int_equal(ogid_config_set_spool(cfg, "/srv/x/"), 0);
    assert_string_equal(cfg->spool_dir, "/srv/x");
    assert_string_equal(cfg->log_path, "/srv/x/findings.jsonl");
    assert_string_equal(cfg->history_path, "/srv/x/history.db");

    /* A relative spool is taken against the working directory. */
    assert_int_equal(ogid_config_set_spool(cfg, "./rel/spool"), 0);
    want = cwd_join("rel/spool");
    assert_string_equal(cfg->spool_dir, want);
    free(want);
    want = cwd_join("rel/spool/history.db");
    assert_string_equal(cfg->history_path, want);
    free(want);

    assert_int_equal(ogid_config_set_spool(cfg, ""), OGID_EINVAL);
    ogid_config_free(cfg);
    free(path);
}

static void test_ogid_config_set_rule_paths_replaces(void **state)
{
    struct ogid_config *cfg = NULL;
    char *const paths[] = {"/x/rules", "mine"};
    char *want = cwd_join("mine");

    (void)state;
    assert_int_equal(ogid_config_default(&cfg), 0);
    assert_int_equal(ogid_config_set_rule_paths(cfg, paths, 2), 0);
    assert_int_equal(cfg->n_rule_paths, 2);
    assert_string_equal(cfg->rule_paths[0], "/x/rules");
    assert_string_equal(cfg->rule_paths[1], want);
    assert_int_equal(ogid_config_set_rule_paths(cfg, NULL, 0), 0);
    assert_int_equal(cfg->n_rule_paths, 0);
    ogid_config_free(cfg);
    free(want);
}

/* ---- Paths ---------------------------------------------------------- */

/* Runs `exe --print-paths` with the OGID_*_DIR variables cleared and then
 * `env` (NAME=VALUE strings, NULL-terminated) set; returns its five lines. */
static void print_paths(const char *exe, const char *const *env, char lines[5][PATH_MAX])
{
    static const char *const vars[] = {"OGID_RULES_DIR", "OGID_FORMS_DIR",
                                       "OGID_DATA_DIR", "OGID_PLUGIN_DIR"};
    char out[5 * PATH_MAX + 64];
    size_t len = 0;
    int fds[2], status;
    pid_t pid;
    char *line, *save = NULL;

    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
            unsetenv(vars[i]);
        for (size_t i = 0; env != NULL && env[i] != NULL; i++)
            putenv((char *)env[i]);
        execl(exe, exe, "--print-paths", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    for (;;) {
        ssize_t n = read(fds[0], out + len, sizeof out - 1 - len);

        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fds[0]);
    out[len] = '\0';
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    line = strtok_r(out, "\n", &save);
    for (int i = 0; i < 5; i++) {
        assert_non_null(line);
        snprintf(lines[i], PATH_MAX, "%s", line);
        line = strtok_r(NULL, "\n", &save);
    }
}

static void test_ogid_paths_build_tree(void **state)
{
    char p[5][PATH_MAX];
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

    (void)state;
    assert_true(n > 0);
    self[n] = '\0';
    print_paths(self, NULL, p);
    assert_string_equal(p[0], OGID_SOURCE_DIR "/rules");
    assert_string_equal(p[1], OGID_SOURCE_DIR "/rules/forms");
    assert_string_equal(p[2], OGID_SOURCE_DIR "/rules/data");
    assert_string_equal(p[3], OGID_BUILD_DIR "/plugins");
    assert_string_equal(p[4], self);
}

static void test_ogid_paths_env_override(void **state)
{
    static const char *const env[] = {"OGID_RULES_DIR=/r", "OGID_PLUGIN_DIR=/p", NULL};
    static const char *const env2[] = {"OGID_RULES_DIR=/r", "OGID_FORMS_DIR=rel/f",
                                       "OGID_DATA_DIR=/d", NULL};
    char p[5][PATH_MAX];
    char self[PATH_MAX];
    char *rel = cwd_join("rel/f");
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

    (void)state;
    assert_true(n > 0);
    self[n] = '\0';
    print_paths(self, env, p);
    assert_string_equal(p[0], "/r");
    assert_string_equal(p[1], "/r/forms");
    assert_string_equal(p[2], "/r/data");
    assert_string_equal(p[3], "/p");

    print_paths(self, env2, p);
    assert_string_equal(p[1], rel);
    assert_string_equal(p[2], "/d");
    assert_string_equal(p[3], OGID_BUILD_DIR "/plugins");
    free(rel);
}

/* A copy of this executable in PREFIX/bin beside PREFIX/share/ogid/rules
 * must take the installed layout. The prefix is made beside the test
 * binary, not in /tmp, which may be mounted noexec. */
static void test_ogid_paths_installed_layout(void **state)
{
    char self[PATH_MAX], prefix[PATH_MAX], real[PATH_MAX];
    char p[5][PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    char *d, *exe, *want;
    int in, out;

    (void)state;
    assert_true(n > 0);
    self[n] = '\0';
    d = dir_of(self);
    snprintf(prefix, sizeof prefix, "%s/paths-test-XXXXXX", d);
    free(d);
    assert_non_null(mkdtemp(prefix));
    assert_non_null(realpath(prefix, real));

    const char *dirs[] = {"bin", "share", "share/ogid", "share/ogid/rules"};
    for (size_t i = 0; i < 4; i++) {
        d = xprintf("%s/%s", real, dirs[i]);
        assert_int_equal(mkdir(d, 0755), 0);
        free(d);
    }
    exe = xprintf("%s/bin/ogid", real);
    in = open(self, O_RDONLY);
    out = open(exe, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    assert_true(in >= 0 && out >= 0);
    for (;;) {
        char buf[65536];
        ssize_t r = read(in, buf, sizeof buf);

        assert_true(r >= 0);
        if (r == 0)
            break;
        write_all(out, buf, (size_t)r);
    }
    close(in);
    assert_int_equal(close(out), 0);

    print_paths(exe, NULL, p);
    want = xprintf("%s/share/ogid/rules", real);
    assert_string_equal(p[0], want);
    free(want);
    want = xprintf("%s/share/ogid/rules/forms", real);
    assert_string_equal(p[1], want);
    free(want);
    want = xprintf("%s/share/ogid/rules/data", real);
    assert_string_equal(p[2], want);
    free(want);
    want = xprintf("%s/lib/ogid", real);
    assert_string_equal(p[3], want);
    free(want);
    assert_string_equal(p[4], exe);
    free(exe);
    rm_tree(real);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ogid_config_default_values),
        cmocka_unit_test(test_ogid_config_load_full_file),
        cmocka_unit_test(test_ogid_config_load_empty_file),
        cmocka_unit_test(test_ogid_config_load_units),
        cmocka_unit_test(test_ogid_config_load_log_follows_spool),
        cmocka_unit_test(test_ogid_config_load_relative_config_path),
        cmocka_unit_test(test_ogid_config_load_contrib_example),
        cmocka_unit_test(test_ogid_config_load_missing_file),
        cmocka_unit_test(test_ogid_config_load_unknown_key),
        cmocka_unit_test(test_ogid_config_load_wrong_type),
        cmocka_unit_test(test_ogid_config_load_bad_values),
        cmocka_unit_test(test_ogid_config_load_duplicate_key),
        cmocka_unit_test(test_ogid_config_load_syntax_error),
        cmocka_unit_test(test_ogid_config_load_bad_utf8),
        cmocka_unit_test(test_ogid_config_load_collects_all_errors),
        cmocka_unit_test(test_ogid_config_load_errbuf_truncated),
        cmocka_unit_test(test_ogid_config_set_spool_repoints_log_and_history),
        cmocka_unit_test(test_ogid_config_set_rule_paths_replaces),
        cmocka_unit_test(test_ogid_paths_build_tree),
        cmocka_unit_test(test_ogid_paths_env_override),
        cmocka_unit_test(test_ogid_paths_installed_layout),
    };

    /* The child mode of the paths tests: print what ogid_paths finds. */
    if (argc == 2 && strcmp(argv[1], "--print-paths") == 0) {
        printf("%s\n%s\n%s\n%s\n%s\n", ogid_paths_rules(), ogid_paths_forms(),
               ogid_paths_data(), ogid_paths_plugins(), ogid_paths_self());
        return 0;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
