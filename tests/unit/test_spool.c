/* The spool: claims are atomic and exclusive, temporary names are ignored,
 * files are taken only once settled, finished files never overwrite one
 * another, and the files of a dead instance are found again. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ogid/ogid_error.h"
#include "ogid_spool.h"

static char root[64];

static int setup(void **state)
{
    snprintf(root, sizeof root, "/tmp/ogid-test-spool-XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    return system(cmd);
}

static void put(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s/%s", root, dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int exists(const char *dir, const char *name)
{
    char path[1024];
    struct stat st;

    snprintf(path, sizeof path, "%s/%s/%s", root, dir, name);
    return lstat(path, &st) == 0;
}

static void test_spool_ignored_names(void **state)
{
    assert_true(ogid_spool_ignored(".hidden"));
    assert_true(ogid_spool_ignored("report.html.part"));
    assert_true(ogid_spool_ignored("report.tmp"));
    assert_true(ogid_spool_ignored("report.txt~"));
    assert_false(ogid_spool_ignored("report.txt"));
    assert_false(ogid_spool_ignored("同心县2023年报告.html"));
}

static void test_spool_claim_exclusive(void **state)
{
    struct ogid_spool *a, *b;
    char job_a[64], job_b[64];
    char *pa = NULL, *pb = NULL;

    assert_int_equal(ogid_spool_open(root, &a), 0);
    assert_int_equal(ogid_spool_open(root, &b), 0);
    put("incoming", "r.txt", "x");
    assert_int_equal(ogid_spool_claim(a, "r.txt", job_a, &pa), 0);
    /* The second daemon lost the race: the file is gone from incoming/. */
    assert_int_equal(ogid_spool_claim(b, "r.txt", job_b, &pb), OGID_ENOENT);
    assert_null(pb);
    assert_false(exists("incoming", "r.txt"));
    assert_non_null(strstr(pa, "/work/"));
    assert_int_equal(access(pa, R_OK), 0);
    free(pa);
    ogid_spool_close(b);
    ogid_spool_close(a);
}

static void test_spool_scan_settles(void **state)
{
    struct ogid_spool *sp;
    struct ogid_spool_list l = {0};
    uint32_t wait = 0;

    assert_int_equal(ogid_spool_open(root, &sp), 0);
    put("incoming", "fresh.txt", "x");
    put("incoming", ".writing", "x");
    assert_int_equal(ogid_spool_scan(sp, 60000, &l, &wait), 0);
    assert_int_equal(l.n, 0); /* just written: not settled */
    assert_true(wait > 59000 && wait <= 60000);
    ogid_spool_list_clear(&l);
    assert_int_equal(ogid_spool_scan(sp, 0, &l, &wait), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].name, "fresh.txt");
    assert_int_equal(wait, 0);
    ogid_spool_list_clear(&l);
    ogid_spool_close(sp);
}

static void test_spool_finish_no_clobber(void **state)
{
    struct ogid_spool *sp;
    char job1[64], job2[64], path[128];
    char *p;

    assert_int_equal(ogid_spool_open(root, &sp), 0);
    put("incoming", "r.txt", "one");
    assert_int_equal(ogid_spool_claim(sp, "r.txt", job1, &p), 0);
    free(p);
    put("incoming", "r.txt", "two");
    assert_int_equal(ogid_spool_claim(sp, "r.txt", job2, &p), 0);
    free(p);
    assert_int_equal(ogid_spool_finish(sp, job1, "r.txt", NULL), 0);
    assert_int_equal(ogid_spool_finish(sp, job2, "r.txt", NULL), 0);
    assert_true(exists("done", "r.txt"));
    snprintf(path, sizeof path, "r.%s.txt", job2);
    assert_true(exists("done", path));
    put("incoming", "bad.bin", "x");
    assert_int_equal(ogid_spool_claim(sp, "bad.bin", job1, &p), 0);
    free(p);
    assert_int_equal(ogid_spool_finish(sp, job1, "bad.bin", "unrecognised format"), 0);
    assert_true(exists("failed", "bad.bin"));
    assert_true(exists("failed", "bad.bin.error"));
    ogid_spool_close(sp);
}

static void test_spool_orphans_of_dead_instance(void **state)
{
    struct ogid_spool *sp;
    struct ogid_spool_list l = {0};
    char lock[256];
    int fd;

    assert_int_equal(ogid_spool_open(root, &sp), 0);
    /* A dead instance: its file in work/, its lock free. */
    put("work", "20260101T000000-1-7.dead.txt", "x");
    put("work", ".lock-20260101T000000-1", "");
    /* A live one: its lock held (by this process, through another open). */
    put("work", "20260101T000000-2-3.live.txt", "x");
    snprintf(lock, sizeof lock, "%s/work/.lock-20260101T000000-2", root);
    fd = open(lock, O_RDWR | O_CREAT, 0644);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
    assert_int_equal(ogid_spool_orphans(sp, &l), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].name, "dead.txt");
    assert_string_equal(l.v[0].job, "20260101T000000-1-7");
    ogid_spool_list_clear(&l);
    close(fd);
    ogid_spool_close(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spool_ignored_names),
        cmocka_unit_test_setup_teardown(test_spool_claim_exclusive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spool_scan_settles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spool_finish_no_clobber, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spool_orphans_of_dead_instance, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
