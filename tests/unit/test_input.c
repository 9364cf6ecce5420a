/* Reading a report file: the encoding is found from the bytes (BOM, UTF-8,
 * else GB18030), variant spellings are normalised, binary data is told
 * apart, and the size limit holds without reading past it. */
#include <fcntl.h>
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ogid/ogid_error.h"
#include "ogid_input.h"

static void test_file_from_buffer_utf8(void **state)
{
    struct ogid_file f;
    static const char s[] = "（一）予以公开：１５，“三安全一稳定”　完";

    assert_int_equal(ogid_file_from_buffer(s, sizeof s - 1, &f), 0);
    assert_string_equal(f.encoding, "utf-8");
    assert_string_equal(f.text, "(一)予以公开:15,\"三安全一稳定\" 完");
    ogid_file_clear(&f);
}

static void test_file_from_buffer_bom(void **state)
{
    struct ogid_file f;
    static const char s[] = "\xEF\xBB\xBF报告";

    assert_int_equal(ogid_file_from_buffer(s, sizeof s - 1, &f), 0);
    assert_string_equal(f.encoding, "utf-8");
    assert_string_equal(f.text, "报告");
    ogid_file_clear(&f);
}

static void test_file_from_buffer_gb18030(void **state)
{
    static const char utf8[] = "同心县人民政府办公室2023年政府信息公开工作年度报告\r\n一、总体情况\r\n";
    char gb[256], *in = (char *)utf8, *out = gb;
    size_t inleft = sizeof utf8 - 1, outleft = sizeof gb;
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    struct ogid_file f;

    assert_true(cd != (iconv_t)-1);
    assert_true(iconv(cd, &in, &inleft, &out, &outleft) != (size_t)-1);
    iconv_close(cd);
    assert_int_equal(ogid_file_from_buffer(gb, (size_t)(out - gb), &f), 0);
    assert_string_equal(f.encoding, "gb18030");
    /* Decoded, with CRLF made LF. */
    assert_string_equal(f.text, "同心县人民政府办公室2023年政府信息公开工作年度报告\n一、总体情况\n");
    /* The id is the hash of the bytes as dropped, not of the decoded text. */
    char sha[65];
    ogid_sha256_hex(gb, (size_t)(out - gb), sha);
    assert_string_equal(f.sha256, sha);
    ogid_file_clear(&f);
}

static void test_file_from_buffer_binary(void **state)
{
    unsigned char b[4096];
    struct ogid_file f;

    srand(42);
    for (size_t i = 0; i < sizeof b; i++)
        b[i] = (unsigned char)rand();
    b[10] = 0;
    assert_int_equal(ogid_file_from_buffer(b, sizeof b, &f), 0);
    assert_string_equal(f.encoding, "binary");
    assert_null(f.text);
    ogid_file_clear(&f);
    assert_int_equal(ogid_file_from_buffer("PK\x03\x04rest", 8, &f), 0);
    assert_string_equal(f.encoding, "binary");
    ogid_file_clear(&f);
}

static void test_file_read_fd_limit(void **state)
{
    char path[] = "/tmp/ogid-test-input-XXXXXX";
    int fd = mkstemp(path);
    struct ogid_file f;
    char buf[1000];

    assert_true(fd >= 0);
    memset(buf, 'a', sizeof buf);
    assert_int_equal(write(fd, buf, sizeof buf), (ssize_t)sizeof buf);
    lseek(fd, 0, SEEK_SET);
    assert_int_equal(ogid_file_read_fd(fd, 999, &f), OGID_ETOOBIG);
    lseek(fd, 0, SEEK_SET);
    assert_int_equal(ogid_file_read_fd(fd, 1000, &f), 0);
    assert_int_equal(f.len, 1000);
    ogid_file_clear(&f);
    assert_int_equal(ftruncate(fd, 0), 0);
    lseek(fd, 0, SEEK_SET);
    assert_int_equal(ogid_file_read_fd(fd, 1000, &f), OGID_EFORMAT); /* empty */
    close(fd);
    unlink(path);
}

static void test_utf8_valid_rejects_overlong(void **state)
{
    assert_true(ogid_utf8_valid("报告", strlen("报告")));
    assert_false(ogid_utf8_valid("\xC0\xAF", 2));         /* overlong '/' */
    assert_false(ogid_utf8_valid("\xED\xA0\x80", 3));     /* a surrogate */
    assert_false(ogid_utf8_valid("\xE6\x8A", 2));         /* truncated */
    assert_false(ogid_utf8_valid("\xF4\x90\x80\x80", 4)); /* past U+10FFFF */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_from_buffer_utf8),
        cmocka_unit_test(test_file_from_buffer_bom),
        cmocka_unit_test(test_file_from_buffer_gb18030),
        cmocka_unit_test(test_file_from_buffer_binary),
        cmocka_unit_test(test_file_read_fd_limit),
        cmocka_unit_test(test_utf8_valid_rejects_overlong),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
