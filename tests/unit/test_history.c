/* Unit tests of the history store (ogid_history.c) and of its use by the
 * pipeline: models go in and come back, the newest of an agency and year
 * wins, the same file stored twice is one row, agency names are compared by
 * their key, several processes write one file at once without "database is
 * locked", and a file that is not a database is refused with its path named
 * (the pipeline then runs without history). */
#include <fcntl.h>
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
#include <jansson.h>
#include <sqlite3.h>

#include "ogid/ogid_error.h"
#include "ogid_config.h"
#include "ogid_history.h"
#include "ogid_pipeline.h"

#define REPORTS OGID_TEST_FIXTURES "/reports/"

static char root[64];

static int setup(void **state)
{
    snprintf(root, sizeof root, "/tmp/ogid-test-history-XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    return system(cmd);
}

static void path_of(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", root, name);
}

/* A 64-hex SHA-256 made from a small number, distinct for distinct n. */
static void sha_of(char sha[65], unsigned n)
{
    snprintf(sha, 65, "%064x", n);
}

static json_t *model_new(const char *agency, int year, unsigned sha_n, const char *file)
{
    char sha[65];
    json_t *m;

    sha_of(sha, sha_n);
    m = json_pack("{s:i, s:{s:s, s:s, s:I, s:s, s:s}, s:{s:s, s:i, s:s}, s:[]}", "model", 1,
                  "source", "file", file, "sha256", sha, "bytes", (json_int_t)1000, "format",
                  "text", "encoding", "utf-8", "meta", "agency", agency, "year", year, "form",
                  "2021", "notes");
    assert_non_null(m);
    return m;
}

static void put(struct ogid_history *h, const char *agency, int year, unsigned sha_n,
                const char *file)
{
    json_t *m = model_new(agency, year, sha_n, file);
    int rc = ogid_history_put(h, OGID_HISTORY_REPORT, m);

    if (rc != 0)
        fail_msg("put %s %d: %s (%s)", agency, year, ogid_strerror(rc),
                 ogid_history_error(h));
    json_decref(m);
}

/* The file name of the newest stored report of agency and year, or NULL. */
static const char *got_file(struct ogid_history *h, const char *agency, int year,
                            char *buf, size_t len)
{
    json_t *m = (json_t *)1;
    int rc = ogid_history_get(h, OGID_HISTORY_REPORT, agency, year, &m);

    if (rc != 0)
        fail_msg("get %s %d: %s (%s)", agency, year, ogid_strerror(rc),
                 ogid_history_error(h));
    if (m == NULL)
        return NULL;
    snprintf(buf, len, "%s",
             json_string_value(json_object_get(json_object_get(m, "source"), "file")));
    json_decref(m);
    return buf;
}

static long long count_rows(const char *path, const char *where)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    char sql[256];
    long long n = -1;

    snprintf(sql, sizeof sql, "SELECT count(*) FROM models%s%s", where ? " WHERE " : "",
             where ? where : "");
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void write_file(const char *path, const void *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* ---- The store ------------------------------------------------------ */

static void test_ogid_history_open_memory(void **state)
{
    struct ogid_history *h = NULL;
    char err[512], buf[64];

    assert_int_equal(ogid_history_open(":memory:", &h, err, sizeof err), 0);
    assert_non_null(h);
    assert_string_equal(ogid_history_path(h), ":memory:");
    assert_null(got_file(h, "平潭综合实验区", 2022, buf, sizeof buf));
    put(h, "平潭综合实验区", 2022, 1, "pingtan-2022.txt");
    assert_string_equal(got_file(h, "平潭综合实验区", 2022, buf, sizeof buf),
                        "pingtan-2022.txt");
    ogid_history_close(h);

    /* Each :memory: handle is its own store. */
    assert_int_equal(ogid_history_open(":memory:", &h, err, sizeof err), 0);
    assert_null(got_file(h, "平潭综合实验区", 2022, buf, sizeof buf));
    ogid_history_close(h);
    ogid_history_close(NULL);
}

static void test_ogid_history_put_get_round_trip(void **state)
{
    struct ogid_history *h;
    char path[256], err[512];
    json_t *m = model_new("同心县人民政府办公室", 2023, 7, "tongxin.txt"), *got = NULL;

    json_object_set_new(m, "requests",
                        json_pack("{s:{s:[i,i,i,i,i,i,i]}}", "rows", "new", 15, 1, 0, 0, 0, 0,
                                  16));
    path_of(path, sizeof path, "round.db");
    assert_int_equal(ogid_history_open(path, &h, err, sizeof err), 0);
    assert_int_equal(ogid_history_put(h, OGID_HISTORY_REPORT, m), 0);
    ogid_history_close(h);

    /* Back from the file, in a new handle, equal to what went in. */
    assert_int_equal(ogid_history_open(path, &h, err, sizeof err), 0);
    assert_int_equal(ogid_history_get(h, OGID_HISTORY_REPORT, "同心县人民政府办公室", 2023, &got),
                     0);
    assert_non_null(got);
    assert_true(json_equal(m, got));
    json_decref(got);
    /* Another kind, agency or year is not found. */
    assert_int_equal(ogid_history_get(h, OGID_HISTORY_REGISTER, "同心县人民政府办公室", 2023, &got),
                     0);
    assert_null(got);
    assert_int_equal(ogid_history_get(h, OGID_HISTORY_REPORT, "同心县人民政府", 2023, &got), 0);
    assert_null(got);
    assert_int_equal(ogid_history_get(h, OGID_HISTORY_REPORT, "同心县人民政府办公室", 2022, &got),
                     0);
    assert_null(got);
    ogid_history_close(h);
    json_decref(m);
    assert_int_equal(count_rows(path, "kind = 'report' AND agency_key = '同心县人民政府办公室' "
                                      "AND year = 2023 AND file = 'tongxin.txt' "
                                      "AND stored_at LIKE '____-__-__T__:__:__.___Z'"),
                     1);
}

static void test_ogid_history_get_newest_wins(void **state)
{
    struct ogid_history *h;
    char path[256], err[512], buf[64];

    path_of(path, sizeof path, "newest.db");
    assert_int_equal(ogid_history_open(path, &h, err, sizeof err), 0);
    put(h, "平潭综合实验区", 2022, 1, "first.txt");
    put(h, "平潭综合实验区", 2022, 2, "second.txt");
    put(h, "平潭综合实验区", 2022, 3, "third.txt");
    assert_string_equal(got_file(h, "平潭综合实验区", 2022, buf, sizeof buf), "third.txt");
    /* The first file dropped again is the newest again. */
    put(h, "平潭综合实验区", 2022, 1, "first-again.txt");
    assert_string_equal(got_file(h, "平潭综合实验区", 2022, buf, sizeof buf),
                        "first-again.txt");
    ogid_history_close(h);
    assert_int_equal(count_rows(path, NULL), 3);
}

static void test_ogid_history_put_same_sha_replaces(void **state)
{
    struct ogid_history *h;
    char path[256], err[512], buf[64];
    json_t *m;

    path_of(path, sizeof path, "replace.db");
    assert_int_equal(ogid_history_open(path, &h, err, sizeof err), 0);
    for (int i = 0; i < 3; i++)
        put(h, "平潭综合实验区", 2023, 42, "pingtan-2023.txt");
    assert_int_equal(count_rows(path, NULL), 1);
    /* The same bytes read as a report and as a register are two rows. */
    m = model_new("平潭综合实验区", 2023, 42, "register.txt");
    assert_int_equal(ogid_history_put(h, OGID_HISTORY_REGISTER, m), 0);
    json_decref(m);
    assert_int_equal(count_rows(path, NULL), 2);
    assert_string_equal(got_file(h, "平潭综合实验区", 2023, buf, sizeof buf),
                        "pingtan-2023.txt");
    ogid_history_close(h);
}

static void test_ogid_history_get_previous_year(void **state)
{
    struct ogid_history *h;
    char err[512], buf[64];

    assert_int_equal(ogid_history_open(":memory:", &h, err, sizeof err), 0);
    put(h, "平潭综合实验区", 2021, 1, "pingtan-2021.txt");
    put(h, "平潭综合实验区", 2022, 2, "pingtan-2022.txt");
    put(h, "同心县人民政府办公室", 2022, 3, "tongxin-2022.txt");
    put(h, "平潭综合实验区", 2023, 4, "pingtan-2023.txt");
    /* ctx.previous of the 2023 report is the same agency's 2022 report. */
    assert_string_equal(got_file(h, "平潭综合实验区", 2023 - 1, buf, sizeof buf),
                        "pingtan-2022.txt");
    assert_string_equal(got_file(h, "同心县人民政府办公室", 2023 - 1, buf, sizeof buf),
                        "tongxin-2022.txt");
    assert_null(got_file(h, "同心县人民政府办公室", 2021, buf, sizeof buf));
    /* And the next year's, for a report that arrives late. */
    assert_string_equal(got_file(h, "平潭综合实验区", 2021 + 1, buf, sizeof buf),
                        "pingtan-2022.txt");
    ogid_history_close(h);
}

static void test_ogid_history_agency_key(void **state)
{
    static const struct {
        const char *in, *key;
    } cases[] = {
        {"平潭综合实验区", "平潭综合实验区"},
        {" 平潭综合 实验区\t\n", "平潭综合实验区"},
        {"平潭综合实验区\xe3\x80\x80", "平潭综合实验区"},       /* U+3000 */
        {"平潭\xc2\xa0综合\xe2\x80\x8b实验区", "平潭综合实验区"}, /* U+00A0, U+200B */
        {"平潭综合实验区（管委会）", "平潭综合实验区管委会"},
        {"平潭综合实验区(管委会)", "平潭综合实验区管委会"},
        {"平潭综合实验区 管委会", "平潭综合实验区管委会"},
        {"【平潭综合实验区】", "平潭综合实验区"},
        {"〔平潭〕［综合］｛实验区｝《管委会》", "平潭综合实验区管委会"},
        {"平潭综合实验区。", "平潭综合实验区"},
        {"平潭，综合,实验区", "平潭综合实验区"},
        /* Full-width letters and digits fold; case and other punctuation stay. */
        {"ＸＹ第１局", "XY第1局"},
        {"xy第1局", "xy第1局"},
        {"平潭综合实验区、管委会", "平潭综合实验区、管委会"},
        {"同心县人民政府办公室", "同心县人民政府办公室"},
        /* Not UTF-8: kept byte for byte. */
        {"\xff\xfe a", "\xff\xfe" "a"},
        {"", ""},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *key = ogid_agency_key(cases[i].in);
        assert_non_null(key);
        if (strcmp(key, cases[i].key) != 0)
            fail_msg("case %zu: key of \"%s\" is \"%s\", expected \"%s\"", i, cases[i].in,
                     key, cases[i].key);
        free(key);
    }
    assert_null(ogid_agency_key(NULL));
}

static void test_ogid_history_get_by_key(void **state)
{
    struct ogid_history *h;
    char err[512], buf[64];

    assert_int_equal(ogid_history_open(":memory:", &h, err, sizeof err), 0);
    put(h, "平潭综合实验区（管委会）", 2022, 1, "a.txt");
    assert_string_equal(got_file(h, "平潭综合实验区(管委会)", 2022, buf, sizeof buf), "a.txt");
    assert_string_equal(got_file(h, " 平潭综合实验区 管委会 ", 2022, buf, sizeof buf), "a.txt");
    assert_null(got_file(h, "平潭综合实验区", 2022, buf, sizeof buf));
    ogid_history_close(h);
}

static void test_ogid_history_put_incomplete_model(void **state)
{
    struct ogid_history *h;
    char err[512];
    json_t *m = model_new("平潭综合实验区", 2022, 1, "a.txt");

    assert_int_equal(ogid_history_open(":memory:", &h, err, sizeof err), 0);
    assert_int_equal(ogid_history_put(h, "draft", m), OGID_EINVAL);
    json_object_set_new(json_object_get(m, "source"), "sha256", json_string("abc"));
    assert_int_equal(ogid_history_put(h, OGID_HISTORY_REPORT, m), OGID_EINVAL);
    assert_non_null(strstr(ogid_history_error(h), "source.sha256"));
    json_decref(m);

    m = model_new("平潭综合实验区", 2022, 1, "a.txt");
    json_object_set_new(json_object_get(m, "meta"), "year", json_null());
    assert_int_equal(ogid_history_put(h, OGID_HISTORY_REPORT, m), OGID_EINVAL);
    json_decref(m);

    m = model_new(" （ ） ", 2022, 1, "a.txt");
    assert_int_equal(ogid_history_put(h, OGID_HISTORY_REPORT, m), OGID_EINVAL);
    json_decref(m);
    ogid_history_close(h);
}

static void test_ogid_history_two_handles(void **state)
{
    struct ogid_history *a, *b;
    char path[256], err[512], buf[64];

    path_of(path, sizeof path, "two.db");
    assert_int_equal(ogid_history_open(path, &a, err, sizeof err), 0);
    assert_int_equal(ogid_history_open(path, &b, err, sizeof err), 0);
    for (unsigned i = 0; i < 50; i++) {
        put(i % 2 ? a : b, "平潭综合实验区", 2000 + (int)(i % 5), i, "x.txt");
        /* Each sees the other's rows at once. */
        assert_non_null(got_file(i % 2 ? b : a, "平潭综合实验区", 2000 + (int)(i % 5), buf,
                                 sizeof buf));
    }
    ogid_history_close(a);
    ogid_history_close(b);
    assert_int_equal(count_rows(path, NULL), 50);
}

/* Worker processes: each opens its own handle on a new file at the same
 * moment and writes as fast as it can. Not one write may fail. */
static void test_ogid_history_concurrent_processes(void **state)
{
    enum { PROCS = 4, PUTS = 150 };
    char path[256];
    pid_t pids[PROCS];
    int go[2];

    path_of(path, sizeof path, "workers.db");
    assert_int_equal(pipe(go), 0);
    for (int w = 0; w < PROCS; w++) {
        pids[w] = fork();
        assert_true(pids[w] >= 0);
        if (pids[w] == 0) {
            struct ogid_history *h;
            char err[512], c;
            int failed = 0;

            close(go[1]);
            if (read(go[0], &c, 1) < 0)
                _exit(3);
            if (ogid_history_open(path, &h, err, sizeof err) != 0) {
                fprintf(stderr, "worker %d: %s\n", w, err);
                _exit(2);
            }
            for (unsigned i = 0; i < PUTS && !failed; i++) {
                json_t *m = model_new("平潭综合实验区", 2000 + (int)(i % 20),
                                      (unsigned)w * 100000u + i, "x.txt");
                json_t *got = NULL;
                if (ogid_history_put(h, OGID_HISTORY_REPORT, m) != 0 ||
                    ogid_history_get(h, OGID_HISTORY_REPORT, "平潭综合实验区",
                                     2000 + (int)(i % 20), &got) != 0 ||
                    got == NULL) {
                    fprintf(stderr, "worker %d: %s\n", w, ogid_history_error(h));
                    failed = 1;
                }
                json_decref(got);
                json_decref(m);
            }
            ogid_history_close(h);
            _exit(failed);
        }
    }
    close(go[0]);
    close(go[1]); /* every child's read returns now */
    for (int w = 0; w < PROCS; w++) {
        int status;
        assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_int_equal(count_rows(path, NULL), PROCS * PUTS);
}

static void test_ogid_history_open_corrupt(void **state)
{
    struct ogid_history *h = (struct ogid_history *)1;
    char path[256], err[512], garbage[4096];
    struct stat before, after;

    for (size_t i = 0; i < sizeof garbage; i++)
        garbage[i] = (char)(i * 7919 + 13);
    path_of(path, sizeof path, "garbage.db");
    write_file(path, garbage, sizeof garbage);
    assert_int_equal(stat(path, &before), 0);
    assert_int_equal(ogid_history_open(path, &h, err, sizeof err), OGID_EFORMAT);
    assert_null(h);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "not a database"));
    /* Nothing was written to it. */
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(after.st_size, before.st_size);

    /* A short text file too. */
    path_of(path, sizeof path, "text.db");
    write_file(path, "this is not a database\n", 23);
    assert_int_equal(ogid_history_open(path, &h, err, sizeof err), OGID_EFORMAT);
    assert_non_null(strstr(err, path));
}

static void test_ogid_history_open_unusable_path(void **state)
{
    struct ogid_history *h;
    char path[256], err[512];

    /* A folder where the file should be. */
    path_of(path, sizeof path, "folder.db");
    assert_int_equal(mkdir(path, 0755), 0);
    assert_true(ogid_history_open(path, &h, err, sizeof err) < 0);
    assert_non_null(strstr(err, path));
    /* Two missing folders: only the last one is made. */
    path_of(path, sizeof path, "no/such/history.db");
    assert_int_equal(ogid_history_open(path, &h, err, sizeof err), OGID_EIO);
    assert_non_null(strstr(err, path));
    assert_int_equal(ogid_history_open("", &h, err, sizeof err), OGID_EINVAL);
}

static void test_ogid_history_open_makes_folder(void **state)
{
    struct ogid_history *h;
    char path[256], err[512];

    path_of(path, sizeof path, "spool/history.db");
    assert_int_equal(ogid_history_open(path, &h, err, sizeof err), 0);
    ogid_history_close(h);
}

static void test_ogid_history_open_foreign_or_newer(void **state)
{
    struct ogid_history *h;
    char path[256], err[512];
    sqlite3 *db;

    path_of(path, sizeof path, "foreign.db");
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA application_id = 1234", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(ogid_history_open(path, &h, err, sizeof err), OGID_EFORMAT);
    assert_non_null(strstr(err, path));

    path_of(path, sizeof path, "newer.db");
    assert_int_equal(ogid_history_open(path, &h, err, sizeof err), 0);
    ogid_history_close(h);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(ogid_history_open(path, &h, err, sizeof err), OGID_EFORMAT);
    assert_non_null(strstr(err, "99"));
}

static void test_ogid_history_schema(void **state)
{
    struct ogid_history *h;
    char path[256], err[512];
    sqlite3 *db;
    sqlite3_stmt *st;

    path_of(path, sizeof path, "schema.db");
    assert_int_equal(ogid_history_open(path, &h, err, sizeof err), 0);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), OGID_HISTORY_SCHEMA);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
    ogid_history_close(h);
}

/* ---- The pipeline --------------------------------------------------- */

static struct ogid_config *pipeline_config(const char *history)
{
    struct ogid_config *cfg;
    char rules[256];
    char *paths[1] = {rules};

    path_of(rules, sizeof rules, "no-rules");
    mkdir(rules, 0755);
    assert_int_equal(ogid_config_default(&cfg), 0);
    assert_int_equal(ogid_config_set_spool(cfg, root), 0);
    assert_int_equal(ogid_config_set_rule_paths(cfg, paths, 1), 0);
    if (history != NULL) {
        free(cfg->history_path);
        cfg->history_path = strdup(history);
    }
    return cfg;
}

static void new_pipeline(struct ogid_config *cfg, struct ogid_pipeline **p, char *err,
                         size_t len)
{
    int rc = ogid_pipeline_new(cfg, 1, p, err, len);

    if (rc != 0)
        fail_msg("ogid_pipeline_new: %s: %s", ogid_strerror(rc), err);
}

static void test_ogid_pipeline_check_stores_history(void **state)
{
    struct ogid_config *cfg = pipeline_config(NULL);
    struct ogid_pipeline *p;
    struct ogid_history *h;
    char err[4096] = "", buf[64];
    json_t *r, *m = NULL;

    new_pipeline(cfg, &p, err, sizeof err);
    r = ogid_pipeline_check(p, REPORTS "pingtan-2023.txt", "pingtan-2023.txt");
    assert_string_equal(json_string_value(json_object_get(r, "status")), "checked");
    json_decref(r);
    r = ogid_pipeline_check(p, REPORTS "pingtan-2022.txt", "pingtan-2022.txt");
    assert_string_equal(json_string_value(json_object_get(r, "status")), "checked");
    json_decref(r);
    ogid_pipeline_free(p);

    assert_int_equal(count_rows(cfg->history_path, "kind = 'report'"), 2);
    assert_int_equal(ogid_history_open(cfg->history_path, &h, err, sizeof err), 0);
    assert_string_equal(got_file(h, "平潭综合实验区", 2022, buf, sizeof buf), "pingtan-2022.txt");
    assert_int_equal(ogid_history_get(h, OGID_HISTORY_REPORT, "平潭综合实验区", 2023, &m), 0);
    assert_non_null(m);
    assert_int_equal(strlen(json_string_value(
                         json_object_get(json_object_get(m, "source"), "sha256"))),
                     64);
    assert_non_null(json_object_get(m, "requests"));
    json_decref(m);
    ogid_history_close(h);
    ogid_config_free(cfg);
}

/* A rule that reports what the history gave it: the file of ctx.previous
 * and of ctx.next. */
static const char PROBE_RULE[] =
    "local function check(report, ctx)\n"
    "  if ctx.previous then\n"
    "    ctx:finding{code = \"PREVIOUS\", message = ctx.previous.source.file .. \" \" ..\n"
    "      ctx.previous.meta.year .. \" \" .. ctx.previous.source.sha256}\n"
    "  end\n"
    "  if ctx.next then\n"
    "    ctx:finding{code = \"NEXT\", message = ctx.next.source.file .. \" \" ..\n"
    "      ctx.next.meta.year .. \" \" .. ctx.next.source.sha256}\n"
    "  end\n"
    "end\n"
    "return { id = \"test.history_probe\", title = \"历史\", severity = \"info\",\n"
    "  basis = \"-\", check = check }\n";

/* The message of the finding with this code in a result, or NULL. */
static const char *finding(json_t *result, const char *code)
{
    json_t *f;
    size_t i;

    json_array_foreach(json_object_get(result, "findings"), i, f) {
        if (strcmp(json_string_value(json_object_get(f, "code")), code) == 0)
            return json_string_value(json_object_get(f, "message"));
    }
    return NULL;
}

static void test_ogid_pipeline_check_passes_previous_and_next(void **state)
{
    struct ogid_config *cfg = pipeline_config(NULL);
    struct ogid_pipeline *p;
    char err[4096] = "", rule[256], want[256];
    char *paths[1] = {rule};
    json_t *r2023, *r2022, *again;

    path_of(rule, sizeof rule, "probe.lua");
    write_file(rule, PROBE_RULE, strlen(PROBE_RULE));
    assert_int_equal(ogid_config_set_rule_paths(cfg, paths, 1), 0);
    new_pipeline(cfg, &p, err, sizeof err);

    /* This year's report first: nothing in the history yet. */
    r2023 = ogid_pipeline_check(p, REPORTS "pingtan-2023.txt", "pingtan-2023.txt");
    assert_string_equal(json_string_value(json_object_get(r2023, "status")), "checked");
    assert_null(finding(r2023, "PREVIOUS"));
    assert_null(finding(r2023, "NEXT"));

    /* Last year's arrives late: the rules see this year's as ctx.next. */
    r2022 = ogid_pipeline_check(p, REPORTS "pingtan-2022.txt", "pingtan-2022.txt");
    assert_null(finding(r2022, "PREVIOUS"));
    snprintf(want, sizeof want, "pingtan-2023.txt 2023 %s",
             json_string_value(json_object_get(r2023, "report")));
    assert_non_null(finding(r2022, "NEXT"));
    assert_string_equal(finding(r2022, "NEXT"), want);

    /* This year's again: last year's is ctx.previous. */
    again = ogid_pipeline_check(p, REPORTS "pingtan-2023.txt", "pingtan-2023.txt");
    snprintf(want, sizeof want, "pingtan-2022.txt 2022 %s",
             json_string_value(json_object_get(r2022, "report")));
    assert_non_null(finding(again, "PREVIOUS"));
    assert_string_equal(finding(again, "PREVIOUS"), want);
    assert_null(finding(again, "NEXT"));
    json_decref(r2023);
    json_decref(r2022);
    json_decref(again);
    ogid_pipeline_free(p);
    assert_int_equal(count_rows(cfg->history_path, NULL), 2);
    ogid_config_free(cfg);
}

static void test_ogid_pipeline_new_survives_bad_history(void **state)
{
    char path[256], err[4096] = "";
    struct ogid_config *cfg;
    struct ogid_pipeline *p;
    json_t *r;

    path_of(path, sizeof path, "bad-history.db");
    write_file(path, "garbage garbage garbage garbage garbage garbage", 47);
    cfg = pipeline_config(path);
    new_pipeline(cfg, &p, err, sizeof err);
    r = ogid_pipeline_check(p, REPORTS "pingtan-2022.txt", "pingtan-2022.txt");
    assert_string_equal(json_string_value(json_object_get(r, "status")), "checked");
    json_decref(r);
    ogid_pipeline_free(p);
    ogid_config_free(cfg);

    /* No history path: no store, no complaint. */
    cfg = pipeline_config(NULL);
    free(cfg->history_path);
    cfg->history_path = NULL;
    new_pipeline(cfg, &p, err, sizeof err);
    r = ogid_pipeline_check(p, REPORTS "pingtan-2022.txt", "pingtan-2022.txt");
    assert_string_equal(json_string_value(json_object_get(r, "status")), "checked");
    json_decref(r);
    ogid_pipeline_free(p);
    ogid_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ogid_history_open_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ogid_history_put_get_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ogid_history_get_newest_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ogid_history_put_same_sha_replaces, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ogid_history_get_previous_year, setup, teardown),
        cmocka_unit_test(test_ogid_history_agency_key),
        cmocka_unit_test_setup_teardown(test_ogid_history_get_by_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ogid_history_put_incomplete_model, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ogid_history_two_handles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ogid_history_concurrent_processes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ogid_history_open_corrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ogid_history_open_unusable_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ogid_history_open_makes_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ogid_history_open_foreign_or_newer, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ogid_history_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ogid_pipeline_check_stores_history, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ogid_pipeline_check_passes_previous_and_next,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_ogid_pipeline_new_survives_bad_history, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
