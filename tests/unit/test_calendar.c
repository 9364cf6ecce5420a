/* The working-day calendar: the bundled notices 2018-2026 against a table
 * written here from the notices themselves, the deadline rule of 条例 art. 33
 * (DOMAIN.md §6), years not covered, local days, and the loader's errors.
 *
 * The expectations never come from the YAML under test: the table below lists
 * every holiday block (first and last day off) and every make-up working day
 * (调休上班) of the notices, and the day of the week comes from the C library
 * (timegm), not from the code under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ogid/ogid_error.h"
#include "ogid_calendar.h"

#define DATA_DIR OGID_SOURCE_DIR "/rules/data"

/* ---- The notices, as published ---------------------------------------- */

struct block {
    const char *name;
    const char *first, *last; /* the days off, both included */
    const char *work[3];      /* the make-up working days (调休上班) */
};

static const struct block blocks[] = {
    /* 国务院办公厅关于2018年部分节假日安排的通知 */
    {"元旦", "2018-01-01", "2018-01-01", {NULL}},
    {"春节", "2018-02-15", "2018-02-21", {"2018-02-11", "2018-02-24"}},
    {"清明节", "2018-04-05", "2018-04-07", {"2018-04-08"}},
    {"劳动节", "2018-04-29", "2018-05-01", {"2018-04-28"}},
    {"端午节", "2018-06-18", "2018-06-18", {NULL}},
    {"中秋节", "2018-09-24", "2018-09-24", {NULL}},
    {"国庆节", "2018-10-01", "2018-10-07", {"2018-09-29", "2018-09-30"}},
    /* 2019, and the 2019-03-22 notice moving 劳动节 to four days */
    {"元旦", "2018-12-30", "2019-01-01", {"2018-12-29"}},
    {"春节", "2019-02-04", "2019-02-10", {"2019-02-02", "2019-02-03"}},
    {"清明节", "2019-04-05", "2019-04-05", {NULL}},
    {"劳动节", "2019-05-01", "2019-05-04", {"2019-04-28", "2019-05-05"}},
    {"端午节", "2019-06-07", "2019-06-07", {NULL}},
    {"中秋节", "2019-09-13", "2019-09-13", {NULL}},
    {"国庆节", "2019-10-01", "2019-10-07", {"2019-09-29", "2019-10-12"}},
    /* 2020, and the 2020-01-27 notice extending 春节 to 2 February (which
     * turned the make-up Saturday 2020-02-01 into a day off) */
    {"元旦", "2020-01-01", "2020-01-01", {NULL}},
    {"春节", "2020-01-24", "2020-02-02", {"2020-01-19"}},
    {"清明节", "2020-04-04", "2020-04-06", {NULL}},
    {"劳动节", "2020-05-01", "2020-05-05", {"2020-04-26", "2020-05-09"}},
    {"端午节", "2020-06-25", "2020-06-27", {"2020-06-28"}},
    {"国庆节、中秋节", "2020-10-01", "2020-10-08", {"2020-09-27", "2020-10-10"}},
    /* 2021 */
    {"元旦", "2021-01-01", "2021-01-03", {NULL}},
    {"春节", "2021-02-11", "2021-02-17", {"2021-02-07", "2021-02-20"}},
    {"清明节", "2021-04-03", "2021-04-05", {NULL}},
    {"劳动节", "2021-05-01", "2021-05-05", {"2021-04-25", "2021-05-08"}},
    {"端午节", "2021-06-12", "2021-06-14", {NULL}},
    {"中秋节", "2021-09-19", "2021-09-21", {"2021-09-18"}},
    {"国庆节", "2021-10-01", "2021-10-07", {"2021-09-26", "2021-10-09"}},
    /* 2022 */
    {"元旦", "2022-01-01", "2022-01-03", {NULL}},
    {"春节", "2022-01-31", "2022-02-06", {"2022-01-29", "2022-01-30"}},
    {"清明节", "2022-04-03", "2022-04-05", {"2022-04-02"}},
    {"劳动节", "2022-04-30", "2022-05-04", {"2022-04-24", "2022-05-07"}},
    {"端午节", "2022-06-03", "2022-06-05", {NULL}},
    {"中秋节", "2022-09-10", "2022-09-12", {NULL}},
    {"国庆节", "2022-10-01", "2022-10-07", {"2022-10-08", "2022-10-09"}},
    /* 2023 */
    {"元旦", "2022-12-31", "2023-01-02", {NULL}},
    {"春节", "2023-01-21", "2023-01-27", {"2023-01-28", "2023-01-29"}},
    {"清明节", "2023-04-05", "2023-04-05", {NULL}},
    {"劳动节", "2023-04-29", "2023-05-03", {"2023-04-23", "2023-05-06"}},
    {"端午节", "2023-06-22", "2023-06-24", {"2023-06-25"}},
    {"中秋节、国庆节", "2023-09-29", "2023-10-06", {"2023-10-07", "2023-10-08"}},
    /* 2024 */
    {"元旦", "2024-01-01", "2024-01-01", {NULL}},
    {"春节", "2024-02-10", "2024-02-17", {"2024-02-04", "2024-02-18"}},
    {"清明节", "2024-04-04", "2024-04-06", {"2024-04-07"}},
    {"劳动节", "2024-05-01", "2024-05-05", {"2024-04-28", "2024-05-11"}},
    {"端午节", "2024-06-10", "2024-06-10", {NULL}},
    {"中秋节", "2024-09-15", "2024-09-17", {"2024-09-14"}},
    {"国庆节", "2024-10-01", "2024-10-07", {"2024-09-29", "2024-10-12"}},
    /* 2025 */
    {"元旦", "2025-01-01", "2025-01-01", {NULL}},
    {"春节", "2025-01-28", "2025-02-04", {"2025-01-26", "2025-02-08"}},
    {"清明节", "2025-04-04", "2025-04-06", {NULL}},
    {"劳动节", "2025-05-01", "2025-05-05", {"2025-04-27"}},
    {"端午节", "2025-05-31", "2025-06-02", {NULL}},
    {"国庆节、中秋节", "2025-10-01", "2025-10-08", {"2025-09-28", "2025-10-11"}},
    /* 2026 */
    {"元旦", "2026-01-01", "2026-01-03", {"2026-01-04"}},
    {"春节", "2026-02-15", "2026-02-23", {"2026-02-14", "2026-02-28"}},
    {"清明节", "2026-04-04", "2026-04-06", {NULL}},
    {"劳动节", "2026-05-01", "2026-05-05", {"2026-05-09"}},
    {"端午节", "2026-06-19", "2026-06-21", {NULL}},
    {"中秋节", "2026-09-25", "2026-09-27", {NULL}},
    {"国庆节", "2026-10-01", "2026-10-07", {"2026-09-20", "2026-10-10"}},
};

#define N_BLOCKS (sizeof(blocks) / sizeof(blocks[0]))

/* ---- Dates, by the C library ------------------------------------------ */

struct ymd {
    int y, m, d;
};

static struct ymd parse(const char *s)
{
    struct ymd t;

    assert_int_equal(sscanf(s, "%d-%d-%d", &t.y, &t.m, &t.d), 3);
    return t;
}

static struct ymd add_days(struct ymd t, int n)
{
    struct tm tm = {
        .tm_year = t.y - 1900, .tm_mon = t.m - 1, .tm_mday = t.d + n, .tm_hour = 12};

    timegm(&tm);
    return (struct ymd){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

static int libc_weekday(struct ymd t)
{
    struct tm tm = {
        .tm_year = t.y - 1900, .tm_mon = t.m - 1, .tm_mday = t.d, .tm_hour = 12};

    timegm(&tm);
    return tm.tm_wday;
}

static long key(struct ymd t)
{
    return t.y * 10000L + t.m * 100L + t.d;
}

static int same(struct ymd a, struct ymd b)
{
    return key(a) == key(b);
}

/* What the table says of a day: off inside a block, working on a make-up
 * day, otherwise Monday-Friday. */
static int expected_work(struct ymd t)
{
    size_t i, j;

    for (i = 0; i < N_BLOCKS; i++) {
        if (key(t) >= key(parse(blocks[i].first)) && key(t) <= key(parse(blocks[i].last)))
            return 0;
        for (j = 0; j < 3 && blocks[i].work[j] != NULL; j++)
            if (same(t, parse(blocks[i].work[j])))
                return 1;
    }
    return libc_weekday(t) >= 1 && libc_weekday(t) <= 5;
}

static int is_work(const struct ogid_calendar *c, struct ymd t)
{
    int w = -1;
    int rc = ogid_calendar_is_workday(c, t.y, t.m, t.d, &w);

    if (rc != 0)
        fail_msg("%04d-%02d-%02d: %s", t.y, t.m, t.d, ogid_strerror(rc));
    return w;
}

/* ---- Temporary calendar folders --------------------------------------- */

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ogid-test-cal-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static void remove_tmpdir(void)
{
    nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void put(const char *rel, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void unput(const char *rel)
{
    char path[512];

    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    assert_int_equal(remove(path), 0);
}

static void put_dir(const char *rel)
{
    char path[512];

    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    assert_int_equal(mkdir(path, 0700), 0);
}

static void copy_bundled(const char *year)
{
    char src[512], rel[64], buf[65536];
    size_t n;
    FILE *f;

    snprintf(src, sizeof src, "%s/holidays-cn/%s.yaml", DATA_DIR, year);
    f = fopen(src, "r");
    assert_non_null(f);
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    snprintf(rel, sizeof rel, "%s.yaml", year);
    put(rel, buf);
}

/* Loads tmpdir expecting failure rc; checks the message is "FILE:LINE:COLUMN:
 * ..." for the file rel at line and column (0: any), containing what. */
static void expect_error(int rc, const char *rel, int line, int col, const char *what)
{
    static char dummy;
    struct ogid_calendar *c = (struct ogid_calendar *)(void *)&dummy;
    char err[512], file[512];
    unsigned long l = 0, k = 0;
    int got = ogid_calendar_load(tmpdir, &c, err, sizeof err);

    assert_int_equal(got, rc);
    assert_null(c);
    snprintf(file, sizeof file, "%s/%s:", tmpdir, rel);
    if (strncmp(err, file, strlen(file)) != 0)
        fail_msg("message \"%s\" does not start with %s", err, file);
    if (sscanf(err + strlen(file), "%lu:%lu:", &l, &k) != 2)
        fail_msg("message \"%s\" has no LINE:COLUMN", err);
    if (line > 0 && ((int)l != line || (int)k != col))
        fail_msg("message \"%s\": expected line %d column %d", err, line, col);
    if (strstr(err, what) == NULL)
        fail_msg("message \"%s\" does not say \"%s\"", err, what);
}

#define HEAD(year) "year: " year "\nnotices:\n  - title: 通知\n"

/* ---- The bundled calendar --------------------------------------------- */

static struct ogid_calendar *cal;

static int load_bundled(void **state)
{
    char err[512];
    int rc = ogid_calendar_load(DATA_DIR, &cal, err, sizeof err);

    if (rc != 0) {
        fprintf(stderr, "%s (%s)\n", err, ogid_strerror(rc));
        return -1;
    }
    return 0;
}

static int free_bundled(void **state)
{
    ogid_calendar_free(cal);
    cal = NULL;
    return 0;
}

static void test_calendar_load_covers(void **state)
{
    int y;

    for (y = 2018; y <= 2026; y++)
        assert_true(ogid_calendar_covers(cal, y));
    assert_false(ogid_calendar_covers(cal, 2017));
    assert_false(ogid_calendar_covers(cal, 2027));
    assert_string_equal(ogid_calendar_notice(cal, 2024),
                        "国务院办公厅关于2024年部分节假日安排的通知");
    assert_null(ogid_calendar_notice(cal, 2027));
    assert_int_equal(OGID_ERANGE, -11);
    assert_string_equal(ogid_strerror(OGID_ERANGE), "date outside the calendar");
}

/* Every block: each of its days off, its first and last day, the day
 * before and the day after, and its make-up days. */
static void test_calendar_is_workday_blocks(void **state)
{
    size_t i, j, checked = 0, makeup = 0;
    int w;

    for (i = 0; i < N_BLOCKS; i++) {
        const struct block *b = &blocks[i];
        struct ymd first = parse(b->first), last = parse(b->last), t;

        assert_int_equal(is_work(cal, first), 0);
        assert_int_equal(is_work(cal, last), 0);
        for (t = first; key(t) <= key(last); t = add_days(t, 1), checked++) {
            if (is_work(cal, t) != 0)
                fail_msg("%s: %04d-%02d-%02d should be a day off", b->name, t.y, t.m, t.d);
            assert_string_equal(ogid_calendar_day_name(cal, t.y, t.m, t.d), b->name);
        }
        t = add_days(first, -1);
        if (t.y == 2017) /* before 2018-01-01: no notice */
            assert_int_equal(ogid_calendar_is_workday(cal, t.y, t.m, t.d, &w), OGID_ERANGE);
        else if (is_work(cal, t) != expected_work(t))
            fail_msg("%s: the day before, %04d-%02d-%02d", b->name, t.y, t.m, t.d);
        t = add_days(last, 1);
        if (is_work(cal, t) != expected_work(t))
            fail_msg("%s: the day after, %04d-%02d-%02d", b->name, t.y, t.m, t.d);
        for (j = 0; j < 3 && b->work[j] != NULL; j++, makeup++) {
            t = parse(b->work[j]);
            assert_true(libc_weekday(t) == 0 || libc_weekday(t) == 6);
            if (is_work(cal, t) != 1)
                fail_msg("%s: make-up day %s should be a working day", b->name, b->work[j]);
            assert_string_equal(ogid_calendar_day_name(cal, t.y, t.m, t.d), b->name);
        }
    }
    assert_int_equal(N_BLOCKS, 60);
    assert_int_equal(makeup, 59);
    assert_true(checked > 250);
}

/* Every day from 2018-01-01 to 2026-12-24 against the table: nothing in the
 * data that the notices do not say. */
static void test_calendar_is_workday_every_day(void **state)
{
    struct ymd t = {2018, 1, 1}, end = {2026, 12, 24};
    int days = 0, work = 0;

    for (; key(t) <= key(end); t = add_days(t, 1), days++) {
        int w = is_work(cal, t);

        if (w != expected_work(t))
            fail_msg("%04d-%02d-%02d: is_workday says %d", t.y, t.m, t.d, w);
        work += w;
        if (w != (libc_weekday(t) >= 1 && libc_weekday(t) <= 5))
            assert_non_null(ogid_calendar_day_name(cal, t.y, t.m, t.d));
    }
    assert_int_equal(days, 3280);
    /* 250 working days a year on average, give or take the weekends. */
    assert_true(work > 9 * 244 && work < 9 * 252);
    assert_null(ogid_calendar_day_name(cal, 2024, 3, 5));
}

/* DOMAIN.md §6: received Friday 2023-09-22, 20 working days, the 中秋/国庆
 * break 09-29..10-06 not counted, the make-up weekend 10-07/10-08 counted. */
static void test_calendar_add_workdays_domain_example(void **state)
{
    int y = 0, m = 0, d = 0, n = 0;

    assert_int_equal(ogid_calendar_add_workdays(cal, 2023, 9, 22, 20, &y, &m, &d), 0);
    assert_int_equal(y, 2023);
    assert_int_equal(m, 10);
    assert_int_equal(d, 26);
    assert_int_equal(ogid_calendar_workdays_between(cal, 2023, 9, 22, 2023, 10, 26, &n), 0);
    assert_int_equal(n, 20);
    /* The 5th and 6th working days are the make-up weekend. */
    assert_int_equal(ogid_calendar_add_workdays(cal, 2023, 9, 22, 5, &y, &m, &d), 0);
    assert_true(y == 2023 && m == 10 && d == 7);
    assert_int_equal(ogid_calendar_add_workdays(cal, 2023, 9, 22, 6, &y, &m, &d), 0);
    assert_true(y == 2023 && m == 10 && d == 8);
    /* The 4th is the Thursday before the break. */
    assert_int_equal(ogid_calendar_add_workdays(cal, 2023, 9, 22, 4, &y, &m, &d), 0);
    assert_true(y == 2023 && m == 9 && d == 28);
    /* n = 0 is the day itself; a reply on the day of receipt took 0 days. */
    assert_int_equal(ogid_calendar_add_workdays(cal, 2023, 9, 22, 0, &y, &m, &d), 0);
    assert_true(y == 2023 && m == 9 && d == 22);
    /* The extension of art. 33: another 20 working days. */
    assert_int_equal(ogid_calendar_add_workdays(cal, 2023, 10, 26, 20, &y, &m, &d), 0);
    assert_true(y == 2023 && m == 11 && d == 23);
}

static void test_calendar_not_covered(void **state)
{
    int w = 7, y = 1, m = 1, d = 1, n = 99;

    assert_int_equal(ogid_calendar_is_workday(cal, 2017, 12, 29, &w), OGID_ERANGE);
    assert_int_equal(ogid_calendar_is_workday(cal, 2027, 1, 4, &w), OGID_ERANGE);
    assert_int_equal(w, 7);
    assert_null(ogid_calendar_day_name(cal, 2027, 1, 1));
    /* Late December 2026 waits for the 2027 notice (it places 元旦). */
    assert_int_equal(ogid_calendar_is_workday(cal, 2026, 12, 24, &w), 0);
    assert_int_equal(w, 1);
    assert_int_equal(ogid_calendar_is_workday(cal, 2026, 12, 25, &w), OGID_ERANGE);
    assert_int_equal(ogid_calendar_is_workday(cal, 2026, 12, 31, &w), OGID_ERANGE);
    /* A count that runs into 2027 (or its tail) is refused, not guessed. */
    assert_int_equal(ogid_calendar_add_workdays(cal, 2026, 12, 1, 20, &y, &m, &d),
                     OGID_ERANGE);
    assert_int_equal(ogid_calendar_add_workdays(cal, 2026, 12, 10, 5, &y, &m, &d), 0);
    assert_true(y == 2026 && m == 12 && d == 17);
    assert_int_equal(ogid_calendar_add_workdays(cal, 2017, 12, 20, 3, &y, &m, &d),
                     OGID_ERANGE);
    assert_true(y == 2026 && m == 12 && d == 17);
    assert_int_equal(ogid_calendar_workdays_between(cal, 2017, 6, 1, 2018, 2, 1, &n),
                     OGID_ERANGE);
    assert_int_equal(ogid_calendar_workdays_between(cal, 2026, 12, 1, 2027, 1, 8, &n),
                     OGID_ERANGE);
    assert_int_equal(n, 99);
    /* The day of receipt is not counted, so it need not be judged. */
    assert_int_equal(ogid_calendar_add_workdays(cal, 2017, 12, 31, 1, &y, &m, &d), 0);
    assert_true(y == 2018 && m == 1 && d == 2);
}

static void test_calendar_add_workdays_year_boundary(void **state)
{
    int y, m, d, n;

    /* 12-21, 22, 25..29, then 元旦 2024-01-01, then 01-02..04. */
    assert_int_equal(ogid_calendar_add_workdays(cal, 2023, 12, 20, 10, &y, &m, &d), 0);
    assert_true(y == 2024 && m == 1 && d == 4);
    /* The 2019 notice reaches into 2018: Saturday 12-29 works, 12-30..01-01 off. */
    assert_int_equal(ogid_calendar_add_workdays(cal, 2018, 12, 25, 4, &y, &m, &d), 0);
    assert_true(y == 2018 && m == 12 && d == 29);
    assert_int_equal(ogid_calendar_add_workdays(cal, 2018, 12, 25, 5, &y, &m, &d), 0);
    assert_true(y == 2019 && m == 1 && d == 2);
    assert_string_equal(ogid_calendar_day_name(cal, 2018, 12, 31), "元旦");
    assert_int_equal(ogid_calendar_workdays_between(cal, 2018, 12, 28, 2019, 1, 2, &n), 0);
    assert_int_equal(n, 2);
    /* 2022-12-31 (a Saturday) is in the 2023 notice's 元旦 block. */
    assert_int_equal(ogid_calendar_add_workdays(cal, 2022, 12, 30, 1, &y, &m, &d), 0);
    assert_true(y == 2023 && m == 1 && d == 3);
    /* Across several years. */
    assert_int_equal(ogid_calendar_workdays_between(cal, 2018, 1, 1, 2026, 1, 1, &n), 0);
    assert_int_equal(ogid_calendar_add_workdays(cal, 2018, 1, 1, n, &y, &m, &d), 0);
    assert_true(y == 2025 && m == 12 && d == 31);
}

static void test_calendar_workdays_between(void **state)
{
    static const char *const starts[] = {"2019-09-27", "2020-01-17", "2021-04-30",
                                         "2022-12-23", "2024-02-08", "2025-09-26",
                                         "2026-02-13", "2026-11-20"};
    static const int ns[] = {1, 2, 7, 15, 20, 40};
    int y, m, d, n = 99;
    size_t i, j;

    assert_int_equal(ogid_calendar_workdays_between(cal, 2024, 5, 6, 2024, 5, 6, &n), 0);
    assert_int_equal(n, 0);
    /* (2024-09-30, 2024-10-08]: the 国庆 week, then Tuesday 10-08. */
    assert_int_equal(ogid_calendar_workdays_between(cal, 2024, 9, 30, 2024, 10, 8, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ogid_calendar_workdays_between(cal, 2024, 10, 8, 2024, 9, 30, &n), 0);
    assert_int_equal(n, -1);
    assert_int_equal(ogid_calendar_workdays_between(cal, 2023, 10, 26, 2023, 9, 22, &n), 0);
    assert_int_equal(n, -20);
    /* A make-up Saturday counts; an ordinary Sunday does not. */
    assert_int_equal(ogid_calendar_workdays_between(cal, 2024, 10, 11, 2024, 10, 13, &n),
                     0);
    assert_int_equal(n, 1);
    /* The two functions agree: n working days later is n working days. */
    for (i = 0; i < sizeof starts / sizeof starts[0]; i++) {
        struct ymd s = parse(starts[i]);

        for (j = 0; j < sizeof ns / sizeof ns[0]; j++) {
            if (ogid_calendar_add_workdays(cal, s.y, s.m, s.d, ns[j], &y, &m, &d) != 0) {
                assert_true(s.y == 2026 && ns[j] >= 20);
                continue;
            }
            assert_int_equal(is_work(cal, (struct ymd){y, m, d}), 1);
            assert_int_equal(
                ogid_calendar_workdays_between(cal, s.y, s.m, s.d, y, m, d, &n), 0);
            assert_int_equal(n, ns[j]);
        }
    }
}

static void test_calendar_invalid_dates(void **state)
{
    int w, y, m, d, n;

    assert_int_equal(ogid_calendar_is_workday(cal, 2023, 2, 29, &w), OGID_EINVAL);
    assert_int_equal(ogid_calendar_is_workday(cal, 2024, 2, 29, &w), 0);
    assert_int_equal(w, 1);
    assert_int_equal(ogid_calendar_is_workday(cal, 2023, 4, 31, &w), OGID_EINVAL);
    assert_int_equal(ogid_calendar_is_workday(cal, 2023, 13, 1, &w), OGID_EINVAL);
    assert_int_equal(ogid_calendar_is_workday(cal, 2023, 0, 1, &w), OGID_EINVAL);
    assert_int_equal(ogid_calendar_is_workday(cal, 2023, 1, 0, &w), OGID_EINVAL);
    assert_int_equal(ogid_calendar_is_workday(cal, 0, 1, 1, &w), OGID_EINVAL);
    assert_int_equal(ogid_calendar_is_workday(cal, 10000, 1, 1, &w), OGID_EINVAL);
    assert_int_equal(ogid_calendar_add_workdays(cal, 2023, 2, 29, 1, &y, &m, &d),
                     OGID_EINVAL);
    assert_int_equal(ogid_calendar_add_workdays(cal, 2023, 3, 1, -1, &y, &m, &d),
                     OGID_EINVAL);
    assert_int_equal(ogid_calendar_workdays_between(cal, 2023, 3, 1, 2023, 2, 29, &n),
                     OGID_EINVAL);
    assert_int_equal(ogid_calendar_weekday(2100, 2, 29), OGID_EINVAL);
    assert_int_equal(ogid_calendar_is_workday(NULL, 2023, 3, 1, &w), OGID_EINVAL);
}

/* The day of the week against the C library over 1899-2401 (1900 and 2100
 * are not leap years, 2000 and 2400 are). */
static void test_calendar_weekday(void **state)
{
    struct ymd t = {1899, 1, 1};
    int days = 0;

    assert_int_equal(ogid_calendar_weekday(2023, 9, 22), 5);
    assert_int_equal(ogid_calendar_weekday(1970, 1, 1), 4);
    assert_int_equal(ogid_calendar_weekday(2000, 2, 29), 2);
    assert_int_equal(ogid_calendar_weekday(1, 1, 1), 1);
    assert_int_equal(ogid_calendar_weekday(9999, 12, 31), 5);
    for (; t.y <= 2401; t = add_days(t, 1), days++)
        if (ogid_calendar_weekday(t.y, t.m, t.d) != libc_weekday(t))
            fail_msg("%04d-%02d-%02d", t.y, t.m, t.d);
    assert_int_equal(days, 503 * 365 + 122);
}

/* ---- Local days ------------------------------------------------------- */

static void test_calendar_add_local(void **state)
{
    struct ogid_calendar *c = NULL;
    char err[512];
    int w, y, m, d;

    assert_int_equal(ogid_calendar_load(DATA_DIR, &c, err, sizeof err), 0);
    /* 广西 三月三: a Thursday off. */
    assert_int_equal(ogid_calendar_add_local(c, 2024, 4, 11, 1, "三月三"), 0);
    assert_int_equal(ogid_calendar_is_workday(c, 2024, 4, 11, &w), 0);
    assert_int_equal(w, 0);
    assert_string_equal(ogid_calendar_day_name(c, 2024, 4, 11), "三月三");
    assert_int_equal(ogid_calendar_add_workdays(c, 2024, 4, 10, 1, &y, &m, &d), 0);
    assert_true(y == 2024 && m == 4 && d == 12);
    /* A local working Saturday, and a local day over a national one. */
    assert_int_equal(ogid_calendar_add_local(c, 2024, 4, 13, 0, NULL), 0);
    assert_int_equal(ogid_calendar_is_workday(c, 2024, 4, 13, &w), 0);
    assert_int_equal(w, 1);
    assert_null(ogid_calendar_day_name(c, 2024, 4, 13));
    assert_int_equal(ogid_calendar_add_local(c, 2024, 10, 12, 1, "地方调整"), 0);
    assert_int_equal(ogid_calendar_is_workday(c, 2024, 10, 12, &w), 0);
    assert_int_equal(w, 0);
    /* Added out of order; still found. */
    assert_int_equal(ogid_calendar_add_local(c, 2024, 1, 5, 1, "x"), 0);
    assert_int_equal(ogid_calendar_is_workday(c, 2024, 1, 5, &w), 0);
    assert_int_equal(w, 0);
    assert_int_equal(ogid_calendar_is_workday(c, 2024, 4, 11, &w), 0);
    assert_int_equal(w, 0);
    /* The shared calendar is untouched. */
    assert_int_equal(ogid_calendar_is_workday(cal, 2024, 4, 11, &w), 0);
    assert_int_equal(w, 1);
    /* Refused: a day given twice, an impossible date. */
    assert_int_equal(ogid_calendar_add_local(c, 2024, 4, 11, 1, "again"), OGID_EINVAL);
    assert_int_equal(ogid_calendar_add_local(c, 2023, 2, 29, 1, "x"), OGID_EINVAL);
    /* A local day does not make its year judgeable. */
    assert_int_equal(ogid_calendar_add_local(c, 2030, 3, 1, 1, "x"), 0);
    assert_int_equal(ogid_calendar_is_workday(c, 2030, 3, 1, &w), OGID_ERANGE);
    assert_false(ogid_calendar_covers(c, 2030));
    ogid_calendar_free(c);
}

/* ---- Loading ---------------------------------------------------------- */

static void test_calendar_load_only_one_year(void **state)
{
    struct ogid_calendar *c = NULL;
    char err[512];
    int w;

    make_tmpdir();
    copy_bundled("2018");
    put("README.md", "not a calendar file\n");
    assert_int_equal(ogid_calendar_load(tmpdir, &c, err, sizeof err), 0);
    assert_true(ogid_calendar_covers(c, 2018));
    assert_false(ogid_calendar_covers(c, 2019));
    assert_int_equal(ogid_calendar_is_workday(c, 2018, 12, 24, &w), 0);
    assert_int_equal(w, 1);
    /* Without the 2019 notice, 2018-12-31 (in fact a day off) is unknown. */
    assert_int_equal(ogid_calendar_is_workday(c, 2018, 12, 31, &w), OGID_ERANGE);
    assert_int_equal(ogid_calendar_is_workday(c, 2018, 12, 29, &w), OGID_ERANGE);
    ogid_calendar_free(c);
    remove_tmpdir();
}

static void test_calendar_load_subfolders(void **state)
{
    struct ogid_calendar *c = NULL;
    char err[512];
    int w;

    make_tmpdir();
    put_dir("a");
    put_dir("a/b");
    put_dir(".hidden");
    put("a/2024.yml", HEAD("2024") "off:\n  - {date: 2024-03-05, name: 测试}\n");
    put("a/b/2025.yaml", HEAD("2025"));
    put(".hidden/2023.yaml", HEAD("2023"));
    assert_int_equal(ogid_calendar_load(tmpdir, &c, err, sizeof err), 0);
    assert_true(ogid_calendar_covers(c, 2024));
    assert_false(ogid_calendar_covers(c, 2025));
    assert_false(ogid_calendar_covers(c, 2023));
    assert_int_equal(ogid_calendar_is_workday(c, 2024, 3, 5, &w), 0);
    assert_int_equal(w, 0);
    assert_string_equal(ogid_calendar_notice(c, 2024), "通知");
    ogid_calendar_free(c);
    remove_tmpdir();
}

static void test_calendar_load_missing_or_empty(void **state)
{
    struct ogid_calendar *c = NULL;
    char err[512];

    make_tmpdir();
    put("notes.txt", "x\n");
    assert_int_equal(ogid_calendar_load(tmpdir, &c, err, sizeof err), OGID_ENOENT);
    assert_null(c);
    assert_non_null(strstr(err, "no calendar files"));
    remove_tmpdir();
    assert_int_equal(ogid_calendar_load("/nonexistent/ogid", &c, err, sizeof err),
                     OGID_ENOENT);
    assert_non_null(strstr(err, "/nonexistent/ogid:1:1:"));
}

static void test_calendar_load_yaml_syntax_error(void **state)
{
    make_tmpdir();
    put("2024.yaml", HEAD("2024") "off:\n  - {date: 2024-01-01, name: 元旦\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 0, 0, "");
    put("2024.yaml", "year: 2024\n  notices: x\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 2, 10, "mapping values are not allowed");
    remove_tmpdir();
}

static void test_calendar_load_schema_errors(void **state)
{
    make_tmpdir();
    put("2024.yaml", HEAD("2024") "holidays: []\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 4, 1, "unknown key \"holidays\"");
    put("2024.yaml", "notices:\n  - title: 通知\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 1, 1, "needs year and notices");
    put("2024.yaml", "- 2024\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 1, 1, "expected a mapping");
    put("2024.yaml", "year: twenty\nnotices:\n  - title: t\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 1, 7, "year");
    put("2024.yaml", "year: 2024\nnotices: []\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 2, 10, "notices");
    put("2024.yaml", "year: 2024\nnotices:\n  - url: http://x\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 3, 5, "needs a title");
    put("2024.yaml", HEAD("2024") "off:\n  - {date: 2024-02-30, name: x}\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 5, 12, "2024-02-30 is not a date");
    put("2024.yaml", HEAD("2024") "off:\n  - {date: 2024-1-1, name: x}\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 5, 12, "YYYY-MM-DD");
    put("2024.yaml", HEAD("2024") "off:\n  - {date: 2024-01-01}\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 5, 5, "needs a date and a name");
    put("2024.yaml", HEAD("2024") "off:\n  - {date: 2024-01-01, name: x, off: true}\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 5, 33, "unknown key \"off\"");
    put("2024.yaml", HEAD("2024") "off:\n  - 2024-01-01\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 5, 5, "expected a mapping");
    put("2024.yaml", HEAD("2024") "off: {date: 2024-01-01, name: x}\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 4, 6, "expected a list");
    /* 2024-02-05 is a Monday: a mistyped make-up day. */
    put("2024.yaml", HEAD("2024") "work:\n  - {date: 2024-02-05, name: 春节}\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 5, 12, "is a Monday");
    /* Outside what a notice can govern. */
    put("2024.yaml", HEAD("2024") "off:\n  - {date: 2025-01-01, name: x}\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 5, 12, "outside what the notice for 2024");
    put("2024.yaml", HEAD("2024") "off:\n  - {date: 2023-12-24, name: x}\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 5, 12, "outside what the notice for 2024");
    put("2024.yaml", HEAD("2024") "year: 2024\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 4, 1, "\"year\" given twice");
    remove_tmpdir();
}

static void test_calendar_load_conflicts(void **state)
{
    make_tmpdir();
    /* One date twice in one file. */
    put("2024.yaml", HEAD("2024") "off:\n  - {date: 2024-01-01, name: 元旦}\n"
                                  "  - {date: 2024-01-01, name: 元旦}\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 6, 12, "2024-01-01 already given at");
    put("2024.yaml", HEAD("2024") "off:\n  - {date: 2024-02-04, name: 春节}\n"
                                  "work:\n  - {date: 2024-02-04, name: 春节}\n");
    expect_error(OGID_ECONFIG, "2024.yaml", 7, 12, "already given as a day off");
    /* Two files for one year. */
    put("2024.yaml", HEAD("2024"));
    put("2024-copy.yaml", HEAD("2024"));
    expect_error(OGID_ECONFIG, "2024.yaml", 1, 7, "year 2024 already given by");
    unput("2024-copy.yaml");
    /* Two notices that disagree about the end of December. */
    put("2024.yaml", HEAD("2024") "work:\n  - {date: 2024-12-28, name: 元旦}\n");
    put("2025.yaml", HEAD("2025") "off:\n  - {date: 2024-12-28, name: 元旦}\n");
    expect_error(OGID_ECONFIG, "2025.yaml", 5, 12, "already given as a working day");
    /* Two notices that agree are merged. */
    put("2025.yaml", HEAD("2025") "work:\n  - {date: 2024-12-28, name: 元旦}\n");
    {
        struct ogid_calendar *c = NULL;
        char err[512];
        int w;

        assert_int_equal(ogid_calendar_load(tmpdir, &c, err, sizeof err), 0);
        assert_int_equal(ogid_calendar_is_workday(c, 2024, 12, 28, &w), 0);
        assert_int_equal(w, 1);
        ogid_calendar_free(c);
    }
    remove_tmpdir();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calendar_load_covers),
        cmocka_unit_test(test_calendar_is_workday_blocks),
        cmocka_unit_test(test_calendar_is_workday_every_day),
        cmocka_unit_test(test_calendar_add_workdays_domain_example),
        cmocka_unit_test(test_calendar_not_covered),
        cmocka_unit_test(test_calendar_add_workdays_year_boundary),
        cmocka_unit_test(test_calendar_workdays_between),
        cmocka_unit_test(test_calendar_invalid_dates),
        cmocka_unit_test(test_calendar_weekday),
        cmocka_unit_test(test_calendar_add_local),
        cmocka_unit_test(test_calendar_load_only_one_year),
        cmocka_unit_test(test_calendar_load_subfolders),
        cmocka_unit_test(test_calendar_load_missing_or_empty),
        cmocka_unit_test(test_calendar_load_yaml_syntax_error),
        cmocka_unit_test(test_calendar_load_schema_errors),
        cmocka_unit_test(test_calendar_load_conflicts),
    };

    return cmocka_run_group_tests(tests, load_bundled, free_bundled);
}
