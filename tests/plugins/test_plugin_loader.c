/* The plugin loader: every refusal has its own message, a refused plugin
 * fails alone, and the real text plugin loads and reads text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ogid/ogid_error.h"
#include "ogid_plugin_loader.h"

static void expect_refusal(const char *name, const char *text)
{
    char path[1024], err[2048] = "";
    const struct ogid_plugin *p = NULL;
    void *h = NULL;

    snprintf(path, sizeof path, "%s/ogid-%s.so", OGID_TEST_BROKEN_PLUGINS, name);
    assert_int_equal(ogid_plugin_open(path, &p, &h, err, sizeof err), OGID_EPLUGIN);
    if (strstr(err, text) == NULL)
        fail_msg("refusal of %s says \"%s\", expected it to contain \"%s\"", name, err, text);
    assert_null(h);
}

static void test_plugin_open_bad_major(void **state)
{
    expect_refusal("broken_major", "built for plugin ABI 2.x");
}

static void test_plugin_open_bad_minor(void **state)
{
    expect_refusal("broken_minor", "newer than this ogid's");
}

static void test_plugin_open_small_struct(void **state)
{
    expect_refusal("broken_size", "descriptor is 8 bytes");
}

static void test_plugin_open_wrong_name(void **state)
{
    expect_refusal("broken_name", "names the plugin \"somebody_else\"");
}

static void test_plugin_open_no_parse(void **state)
{
    expect_refusal("broken_no_parse", "without a parse callback");
}

static void test_plugin_open_no_symbol(void **state)
{
    expect_refusal("broken_no_symbol", "no entry point ogid_plugin_broken_no_symbol");
}

static void test_plugin_open_missing_file(void **state)
{
    expect_refusal("does_not_exist", "cannot load");
}

static void test_plugins_load_broken_fail_alone(void **state)
{
    struct ogid_plugins *ps = NULL;
    char err[8192] = "";

    /* Every plugin in the broken folder is refused, each on its own line;
     * with no usable plugin left, the load fails as a whole. */
    assert_int_equal(ogid_plugins_load(OGID_TEST_BROKEN_PLUGINS, &ps, err, sizeof err),
                     OGID_ENOENT);
    int lines = 0;
    for (const char *p = err; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 7); /* six refusals and the summary */
}

static int paragraph_cb(void *ctx, const char *text, size_t len, uint32_t line)
{
    int *count = ctx;
    (*count)++;
    if (line == 3)
        assert_memory_equal(text, "third line", len);
    return 0;
}

static void test_plugins_load_format_text(void **state)
{
    struct ogid_plugins *ps = NULL;
    char err[4096] = "";
    static const char text[] = "first\n\n  third line  \n";
    struct ogid_input in = {.name = "r.txt", .bytes = (const unsigned char *)text,
                            .len = sizeof text - 1, .text = text, .text_len = sizeof text - 1};
    int count = 0;
    struct ogid_doc_builder b = {.ctx = &count, .paragraph = paragraph_cb};

    assert_int_equal(ogid_plugins_load(OGID_TEST_PLUGINS, &ps, err, sizeof err), 0);
    const struct ogid_plugin *p = ogid_plugins_pick(ps, &in);
    assert_non_null(p);
    assert_string_equal(p->format, "text");
    assert_int_equal(p->parse(&in, &b), 0);
    assert_int_equal(count, 2);
    /* Bytes that are not text: nobody reads them. */
    in.text = NULL;
    assert_null(ogid_plugins_pick(ps, &in));
    ogid_plugins_free(ps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plugin_open_bad_major),
        cmocka_unit_test(test_plugin_open_bad_minor),
        cmocka_unit_test(test_plugin_open_small_struct),
        cmocka_unit_test(test_plugin_open_wrong_name),
        cmocka_unit_test(test_plugin_open_no_parse),
        cmocka_unit_test(test_plugin_open_no_symbol),
        cmocka_unit_test(test_plugin_open_missing_file),
        cmocka_unit_test(test_plugins_load_broken_fail_alone),
        cmocka_unit_test(test_plugins_load_format_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
