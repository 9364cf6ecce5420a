/* The findings log: line format, one append per report, and the repair of a
 * torn tail after a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ogid_findings.h"

static char *tmp_log(void)
{
    static char path[64];
    int fd;

    snprintf(path, sizeof path, "/tmp/ogid-test-log-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    return path;
}

static void write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(s, f);
    fclose(f);
}

static char *read_file(const char *path)
{
    static char buf[8192];
    FILE *f = fopen(path, "r");
    size_t n;

    assert_non_null(f);
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

#define REPORT_A "{\"event\":\"finding\",\"code\":\"X\"}\n{\"event\":\"report\",\"job\":\"a\"}\n"
#define DAEMON "{\"event\":\"daemon\",\"what\":\"start\"}\n"

static void test_findings_repair_partial_line(void **state)
{
    char *path = tmp_log();

    write_file(path, REPORT_A "{\"event\":\"finding\",\"co");
    assert_int_equal(ogid_findings_repair(path), 22);
    assert_string_equal(read_file(path), REPORT_A);
    unlink(path);
}

static void test_findings_repair_findings_without_report(void **state)
{
    char *path = tmp_log();

    /* Whole finding lines whose report line never came: the group is torn
     * and goes, or its findings would appear twice after the retry. */
    write_file(path, DAEMON REPORT_A "{\"event\":\"finding\",\"code\":\"Y\"}\n");
    assert_true(ogid_findings_repair(path) > 0);
    assert_string_equal(read_file(path), DAEMON REPORT_A);
    unlink(path);
}

static void test_findings_repair_clean_log(void **state)
{
    char *path = tmp_log();

    write_file(path, DAEMON REPORT_A);
    assert_int_equal(ogid_findings_repair(path), 0);
    assert_string_equal(read_file(path), DAEMON REPORT_A);
    write_file(path, "{\"event\":\"fin");
    assert_int_equal(ogid_findings_repair(path), 13);
    assert_string_equal(read_file(path), "");
    unlink(path);
    assert_int_equal(ogid_findings_repair(path), 0); /* no log yet */
}

static void test_findings_format_order(void **state)
{
    json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:[{s:s, s:s, s:s, s:s}], "
                          "s:{s:i, s:i, s:i}, s:{s:f, s:f}}",
                          "status", "checked", "report", "abc", "file", "r.txt", "agency",
                          "某县", "year", 2023, "form", "2021", "findings", "rule", "x.y",
                          "code", "T3_BALANCE", "severity", "error", "message", "不平",
                          "counts", "error", 1, "warning", 0, "info", 0, "ms", "parse", 1.0,
                          "rules", 2.0);
    char *buf;
    size_t len;

    assert_non_null(r);
    assert_int_equal(ogid_findings_format(r, "job-1", &buf, &len), 0);
    char *nl = strchr(buf, '\n');
    assert_non_null(nl);
    assert_non_null(strstr(buf, "\"event\":\"finding\""));
    assert_true(strstr(buf, "\"event\":\"finding\"") < nl);
    assert_non_null(strstr(nl, "\"event\":\"report\""));
    assert_non_null(strstr(nl, "\"job\":\"job-1\""));
    assert_int_equal(buf[len - 1], '\n');
    json_t *first = json_loadb(buf, (size_t)(nl - buf), 0, NULL);
    assert_non_null(first);
    assert_string_equal(json_string_value(json_object_get(first, "agency")), "某县");
    assert_string_equal(json_string_value(json_object_get(first, "code")), "T3_BALANCE");
    assert_non_null(json_object_get(first, "ts"));
    json_decref(first);
    free(buf);
    json_decref(r);
}

static void test_findings_jobs_reads_report_lines(void **state)
{
    char *path = tmp_log();
    json_t *jobs = json_object();

    write_file(path, DAEMON REPORT_A "{\"event\":\"report\",\"job\":\"b\",\"status\":\"failed\"}\n");
    assert_int_equal(ogid_findings_jobs(path, jobs), 0);
    assert_int_equal(json_object_size(jobs), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(jobs, "b"), "status")), "failed");
    json_decref(jobs);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_findings_repair_partial_line),
        cmocka_unit_test(test_findings_repair_findings_without_report),
        cmocka_unit_test(test_findings_repair_clean_log),
        cmocka_unit_test(test_findings_format_order),
        cmocka_unit_test(test_findings_jobs_reads_report_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
