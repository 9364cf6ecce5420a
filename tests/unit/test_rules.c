/* Tests of the rule engine (ogid_rules.c) and of the first real rule,
 * consistency.requests.balance: loading and validating rule files, the
 * sandbox (load for text only, require of the rule library), the
 * instruction budget and memory cap, RULE_ERROR isolation, the per-rule
 * settings of the config, the run options, and the table 三 balance on the
 * seed reports. Rule folders for the engine tests are written to a fresh
 * temporary folder per test. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ftw.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "ogid/ogid_error.h"
#include "ogid/ogid_log.h"
#include "ogid_config.h"
#include "ogid_pipeline.h"
#include "ogid_rules.h"
#include "ogid_rules_test.h"

#define SEED "tongxin-county-office-2023"

/* Helpers. */

/* A fixture's expected parse, trimmed to the model's fields. */
static json_t *load_model(const char *name)
{
    char path[512];
    json_error_t err;
    json_t *m;

    snprintf(path, sizeof path, "%s/reports/%s.expected.json", OGID_TEST_FIXTURES, name);
    m = json_load_file(path, 0, &err);
    if (!m)
        fail_msg("%s:%d: %s", path, err.line, err.text);
    json_object_del(m, "known_inconsistencies");
    json_object_del(m, "expected_sections");
    json_object_set_new(m, "model", json_integer(1));
    return m;
}

static json_t *row(json_t *model, const char *name)
{
    json_t *r =
        json_object_get(json_object_get(json_object_get(model, "requests"), "rows"), name);
    assert_non_null(r);
    return r;
}

static void set_cell(json_t *model, const char *name, size_t col, json_t *v)
{
    assert_int_equal(json_array_set_new(row(model, name), col, v), 0);
}

static char *make_tmpdir(void)
{
    char *dir = strdup("/tmp/ogid-test-rules-XXXXXX");

    assert_non_null(dir);
    assert_non_null(mkdtemp(dir));
    return dir;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_tmpdir(char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

/* Writes dir/rel, creating the folders on the way. */
static void write_file(const char *dir, const char *rel, const char *text)
{
    char path[1024], *p;
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, rel);
    for (p = path + strlen(dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0700);
        *p = '/';
    }
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static struct ogid_rules *load_paths(char *const *paths, size_t n)
{
    struct ogid_rules *rs = NULL;
    char err[1024] = "";
    int rc = ogid_rules_new(paths, n, &rs, err, sizeof err);

    if (rc != 0)
        fail_msg("ogid_rules_new: %d: %s", rc, err);
    assert_non_null(rs);
    return rs;
}

static struct ogid_rules *load_dir(const char *dir)
{
    char *paths[1] = {(char *)dir};

    return load_paths(paths, 1);
}

/* Loading must fail with OGID_ERULE; returns the message. */
static void load_fails(const char *dir, char *err, size_t errlen)
{
    struct ogid_rules *rs = (struct ogid_rules *)&rs;
    char *paths[1] = {(char *)dir};

    err[0] = '\0';
    assert_int_equal(ogid_rules_new(paths, 1, &rs, err, errlen), OGID_ERULE);
    assert_null(rs);
    assert_true(err[0] != '\0');
}

static json_t *run(struct ogid_rules *rs, json_t *model)
{
    json_t *findings = json_array();

    assert_non_null(findings);
    assert_int_equal(ogid_rules_run(rs, model, findings), 0);
    return findings;
}

static const char *str(json_t *finding, const char *key)
{
    return json_string_value(json_object_get(finding, key));
}

static size_t count_code(json_t *findings, const char *code)
{
    size_t i, n = 0;
    json_t *f;

    for (i = 0; i < json_array_size(findings); i++) {
        f = json_array_get(findings, i);
        if (strcmp(str(f, "code"), code) == 0)
            n++;
    }
    return n;
}

/* The one finding of `rule` with `code`; fails if there is not exactly one. */
static json_t *the_finding(json_t *findings, const char *rule, const char *code)
{
    size_t i;
    json_t *f, *found = NULL;

    for (i = 0; i < json_array_size(findings); i++) {
        f = json_array_get(findings, i);
        if (strcmp(str(f, "rule"), rule) == 0 && strcmp(str(f, "code"), code) == 0) {
            if (found)
                fail_msg("two %s findings of %s", code, rule);
            found = f;
        }
    }
    if (!found) {
        char *dump = json_dumps(findings, JSON_INDENT(1));
        fail_msg("no %s finding of %s in %s", code, rule, dump);
    }
    return found;
}

static void assert_matches(const char *s, const char *pattern)
{
    regex_t re;
    int rc;

    assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    rc = regexec(&re, s, 0, NULL, 0);
    regfree(&re);
    if (rc != 0)
        fail_msg("'%s' does not match /%s/", s, pattern);
}

/* The bundled rules. */

static struct ogid_rules *bundled(void)
{
    return load_dir(OGID_SOURCE_DIR "/rules");
}

/* The balance rule alone: the bundled pack grows, and other rules have
 * their own findings on the fixtures (and their own test cases). */
static struct ogid_rules *balance(void)
{
    return load_dir(OGID_SOURCE_DIR "/rules/consistency/requests_balance.lua");
}

static void test_rules_new_bundled(void **state)
{
    struct ogid_rules *rs = bundled();
    const char *id, *sev, *title;
    size_t i, found = 0;

    (void)state;
    assert_true(ogid_rules_count(rs) >= 1);
    for (i = 0; i < ogid_rules_count(rs); i++) {
        ogid_rules_info(rs, i, &id, &sev, &title);
        assert_non_null(id);
        if (strcmp(id, "consistency.requests.balance") == 0) {
            found++;
            assert_string_equal(sev, "error");
            assert_string_equal(title,
                                "申请情况表勾稽关系：新收+上年结转=办理总计+结转下年度");
        }
    }
    assert_int_equal(found, 1);
    ogid_rules_info(rs, ogid_rules_count(rs), &id, &sev, &title);
    assert_null(id);
    assert_null(sev);
    assert_null(title);
    ogid_rules_free(rs);
}

static void test_rules_run_fixtures_clean(void **state)
{
    static const char *const names[] = {SEED, "pingtan-2022", "pingtan-2023",
                                        "shanghai-government-office-2019",
                                        "pingtan-2018-legacy"};
    struct ogid_rules *rs = balance();
    size_t i;

    (void)state;
    for (i = 0; i < sizeof names / sizeof *names; i++) {
        json_t *model = load_model(names[i]);
        json_t *findings = run(rs, model);
        if (json_array_size(findings) != 0) {
            char *dump = json_dumps(findings, JSON_INDENT(1));
            fail_msg("%s: unexpected findings %s", names[i], dump);
        }
        json_decref(findings);
        json_decref(model);
    }
    ogid_rules_free(rs);
}

static void test_rules_run_balance_total_changed(void **state)
{
    struct ogid_rules *rs = balance();
    json_t *model = load_model(SEED), *findings, *f, *where;

    (void)state;
    set_cell(model, "total", 0, json_integer(14));
    findings = run(rs, model);
    assert_int_equal(json_array_size(findings), 1);
    f = the_finding(findings, "consistency.requests.balance", "T3_BALANCE");
    assert_string_equal(str(f, "severity"), "error");
    assert_string_equal(str(f, "message"), "表三“自然人”列：新收15 + 上年结转0 = 15，"
                                           "而办理结果总计14 + 结转下年度0 = 14");
    where = json_object_get(f, "where");
    assert_string_equal(str(where, "table"), "requests");
    assert_string_equal(str(where, "column"), "natural_person");
    assert_int_equal(json_object_size(where), 2);
    assert_true(json_is_integer(json_object_get(f, "expected")));
    assert_int_equal(json_integer_value(json_object_get(f, "expected")), 15);
    assert_int_equal(json_integer_value(json_object_get(f, "actual")), 14);
    assert_string_equal(str(f, "basis"),
                        "年度报告格式（国办公开办函〔2021〕30号）表三说明");
    json_decref(findings);

    /* The state is reusable: the unchanged report is clean again. */
    set_cell(model, "total", 0, json_integer(15));
    findings = run(rs, model);
    assert_int_equal(json_array_size(findings), 0);
    json_decref(findings);
    json_decref(model);
    ogid_rules_free(rs);
}

static void test_rules_run_balance_forward_changed(void **state)
{
    struct ogid_rules *rs = balance();
    json_t *model = load_model(SEED), *findings, *f;

    (void)state;
    set_cell(model, "carried_forward", 6, json_integer(1));
    set_cell(model, "new", 3, json_integer(2));
    findings = run(rs, model);
    assert_int_equal(json_array_size(findings), 2);
    assert_int_equal(count_code(findings, "T3_BALANCE"), 2);
    f = json_array_get(findings, 0);
    assert_string_equal(str(json_object_get(f, "where"), "column"), "social_welfare");
    assert_string_equal(str(f, "message"), "表三“社会公益组织”列：新收2 + 上年结转0 = 2，"
                                           "而办理结果总计0 + 结转下年度0 = 0");
    f = json_array_get(findings, 1);
    assert_string_equal(str(json_object_get(f, "where"), "column"), "total");
    assert_string_equal(str(f, "message"), "表三“总计”列：新收16 + 上年结转0 = 16，"
                                           "而办理结果总计16 + 结转下年度1 = 17");
    assert_int_equal(json_integer_value(json_object_get(f, "expected")), 16);
    assert_int_equal(json_integer_value(json_object_get(f, "actual")), 17);
    json_decref(findings);
    json_decref(model);
    ogid_rules_free(rs);
}

static void test_rules_run_balance_blanks(void **state)
{
    struct ogid_rules *rs = balance();
    json_t *model = load_model(SEED), *findings, *f, *rows;

    (void)state;
    /* A blank addend counts as 0. */
    set_cell(model, "carried_over", 0, json_null());
    set_cell(model, "carried_forward", 1, json_null());
    /* A blank 总计 skips the column, whatever the other cells say. */
    set_cell(model, "total", 2, json_null());
    set_cell(model, "new", 2, json_integer(99));
    /* All four blank: skipped. */
    set_cell(model, "new", 4, json_null());
    set_cell(model, "carried_over", 4, json_null());
    set_cell(model, "total", 4, json_null());
    set_cell(model, "carried_forward", 4, json_null());
    findings = run(rs, model);
    assert_int_equal(json_array_size(findings), 0);
    json_decref(findings);

    /* New and carried over both blank: nothing to check the 总计 against. */
    set_cell(model, "new", 0, json_null());
    findings = run(rs, model);
    assert_int_equal(json_array_size(findings), 0);
    json_decref(findings);

    /* A blank 新收 against a non-blank 总计 is a finding, said as blank. */
    set_cell(model, "carried_over", 0, json_integer(0));
    findings = run(rs, model);
    assert_int_equal(json_array_size(findings), 1);
    f = json_array_get(findings, 0);
    assert_string_equal(str(f, "message"),
                        "表三“自然人”列：新收（空白） + 上年结转0 = 0，"
                        "而办理结果总计15 + 结转下年度0 = 15");
    assert_int_equal(json_integer_value(json_object_get(f, "expected")), 0);
    assert_int_equal(json_integer_value(json_object_get(f, "actual")), 15);
    json_decref(findings);

    /* Without one of the four rows, or without table 三: nothing. */
    rows = json_object_get(json_object_get(model, "requests"), "rows");
    json_object_del(rows, "carried_forward");
    findings = run(rs, model);
    assert_int_equal(json_array_size(findings), 0);
    json_decref(findings);
    json_object_del(json_object_get(model, "requests"), "rows");
    findings = run(rs, model);
    assert_int_equal(json_array_size(findings), 0);
    json_decref(findings);
    json_object_del(model, "requests");
    findings = run(rs, model);
    assert_int_equal(json_array_size(findings), 0);
    json_decref(findings);
    json_decref(model);
    ogid_rules_free(rs);
}

/* The engine. */

static const char good_rule[] =
    "return {\n"
    "  id = 'test.good', title = '好', severity = 'warning',\n"
    "  check = function(report, ctx)\n"
    "    ctx:finding{ code = 'GOOD', message = report.meta.agency }\n"
    "  end,\n"
    "}\n";

static void test_rules_run_error_isolated(void **state)
{
    char *dir = make_tmpdir();
    struct ogid_rules *rs;
    json_t *model = load_model(SEED), *findings, *f;
    int pass;

    (void)state;
    write_file(dir, "a_bad.lua",
               "return {\n"
               "  id = 'test.bad', title = '坏', severity = 'info',\n"
               "  basis = '测试',\n"
               "  check = function(_, ctx)\n"
               "    ctx:finding{ code = 'EARLY', message = '先记一条' }\n"
               "    error('boom')\n"
               "  end,\n"
               "}\n");
    write_file(dir, "b_good.lua", good_rule);
    rs = load_dir(dir);
    assert_int_equal(ogid_rules_count(rs), 2);
    for (pass = 0; pass < 2; pass++) {
        findings = run(rs, model);
        assert_int_equal(json_array_size(findings), 3);
        f = the_finding(findings, "test.bad", "RULE_ERROR");
        assert_string_equal(str(f, "severity"), "error");
        assert_matches(str(f, "message"),
                       "^规则 test\\.bad 运行出错：.*/a_bad\\.lua:6: boom$");
        assert_null(json_object_get(f, "basis"));
        f = the_finding(findings, "test.bad", "EARLY");
        assert_string_equal(str(f, "severity"), "info");
        assert_string_equal(str(f, "basis"), "测试");
        f = the_finding(findings, "test.good", "GOOD");
        assert_string_equal(str(f, "severity"), "warning");
        assert_string_equal(str(f, "message"), "同心县人民政府办公室");
        assert_null(json_object_get(f, "basis"));
        assert_null(json_object_get(f, "where"));
        assert_null(json_object_get(f, "expected"));
        json_decref(findings);
    }
    ogid_rules_free(rs);
    json_decref(model);
    rm_tmpdir(dir);
}

static void test_rules_run_budget(void **state)
{
    char *dir = make_tmpdir();
    struct ogid_rules *rs;
    json_t *model = load_model(SEED), *findings, *f;
    int pass;

    (void)state;
    write_file(dir, "loop.lua",
               "return { id = 'test.loop', title = 't', severity = 'info',\n"
               "  check = function() while true do end end }\n");
    /* The budget error caught by pcall comes straight back. */
    write_file(dir, "loop_pcall.lua",
               "return { id = 'test.loop_pcall', title = 't', severity = 'info',\n"
               "  check = function(_, ctx)\n"
               "    for _ = 1, 3 do pcall(function() while true do end end) end\n"
               "    ctx:finding{ code = 'ESCAPED', message = 'x' }\n"
               "  end }\n");
    /* ... also when the pcall is the check's last word. */
    write_file(dir, "loop_tail.lua",
               "return { id = 'test.loop_tail', title = 't', severity = 'info',\n"
               "  check = function()\n"
               "    return pcall(function() while true do end end)\n"
               "  end }\n");
    write_file(dir, "loop_xpcall.lua",
               "return { id = 'test.loop_xpcall', title = 't', severity = 'info',\n"
               "  check = function(_, ctx)\n"
               "    xpcall(function() while true do end end,\n"
               "           function() while true do end end)\n"
               "    ctx:finding{ code = 'ESCAPED', message = 'x' }\n"
               "  end }\n");
    /* A handler that starts running within budget, then loops. */
    write_file(dir, "loop_xpcall2.lua",
               "return { id = 'test.loop_xpcall2', title = 't', severity = 'info',\n"
               "  check = function(_, ctx)\n"
               "    xpcall(function() error('x') end,\n"
               "           function() while true do end end)\n"
               "    ctx:finding{ code = 'ESCAPED', message = 'x' }\n"
               "  end }\n");
    write_file(dir, "z_good.lua", good_rule);
    rs = load_dir(dir);
    for (pass = 0; pass < 2; pass++) {
        findings = run(rs, model);
        assert_int_equal(count_code(findings, "ESCAPED"), 0);
        assert_int_equal(count_code(findings, "RULE_ERROR"), 5);
        f = the_finding(findings, "test.loop", "RULE_ERROR");
        assert_matches(str(f, "message"), "^规则 test\\.loop 运行出错：超出指令数上限");
        the_finding(findings, "test.loop_pcall", "RULE_ERROR");
        the_finding(findings, "test.loop_tail", "RULE_ERROR");
        the_finding(findings, "test.loop_xpcall", "RULE_ERROR");
        the_finding(findings, "test.loop_xpcall2", "RULE_ERROR");
        the_finding(findings, "test.good", "GOOD");
        assert_int_equal(json_array_size(findings), 6);
        json_decref(findings);
    }
    ogid_rules_free(rs);
    json_decref(model);
    rm_tmpdir(dir);
}

static void test_rules_run_memory(void **state)
{
    char *dir = make_tmpdir();
    struct ogid_rules *rs;
    json_t *model = load_model(SEED), *findings, *f;
    int pass;

    (void)state;
    write_file(dir, "rep.lua",
               "return { id = 'test.rep', title = 't', severity = 'info',\n"
               "  check = function() return string.rep('x', 1e10) end }\n");
    /* 1e10 is refused by string.rep itself; 1e9 reaches the allocator. */
    write_file(dir, "rep9.lua",
               "return { id = 'test.rep9', title = 't', severity = 'info',\n"
               "  check = function() return string.rep('x', 1e9) end }\n");
    write_file(dir, "grow.lua",
               "return { id = 'test.grow', title = 't', severity = 'info',\n"
               "  check = function()\n"
               "    local t = {}\n"
               "    for i = 1, 1e8 do t[i] = string.rep('x', 200) .. i end\n"
               "  end }\n");
    /* A rule may recover from a refused allocation. */
    write_file(dir, "recover.lua",
               "return { id = 'test.recover', title = 't', severity = 'info',\n"
               "  check = function(_, ctx)\n"
               "    if not pcall(string.rep, 'x', 1e9) then\n"
               "      ctx:finding{ code = 'RECOVERED', message = 'ok' }\n"
               "    end\n"
               "  end }\n");
    write_file(dir, "z_good.lua", good_rule);
    rs = load_dir(dir);
    for (pass = 0; pass < 2; pass++) {
        findings = run(rs, model);
        f = the_finding(findings, "test.rep", "RULE_ERROR");
        assert_matches(str(f, "message"), "^规则 test\\.rep 运行出错：");
        f = the_finding(findings, "test.rep9", "RULE_ERROR");
        assert_matches(str(f, "message"), "^规则 test\\.rep9 运行出错：超出内存上限");
        f = the_finding(findings, "test.grow", "RULE_ERROR");
        assert_matches(str(f, "message"), "^规则 test\\.grow 运行出错：超出内存上限");
        the_finding(findings, "test.recover", "RECOVERED");
        the_finding(findings, "test.good", "GOOD");
        assert_int_equal(json_array_size(findings), 5);
        json_decref(findings);
    }
    ogid_rules_free(rs);
    json_decref(model);
    rm_tmpdir(dir);
}

static void test_rules_run_sandbox(void **state)
{
    char *dir = make_tmpdir();
    struct ogid_rules *rs;
    json_t *model = load_model(SEED), *findings, *f;
    int saved_level;

    (void)state;
    write_file(dir, "os.lua",
               "return { id = 'test.os', title = 't', severity = 'info',\n"
               "  check = function() os.execute('true') end }\n");
    write_file(dir, "io.lua",
               "return { id = 'test.io', title = 't', severity = 'info',\n"
               "  check = function() io.open('/etc/passwd') end }\n");
    write_file(dir, "req.lua",
               "return { id = 'test.req', title = 't', severity = 'info',\n"
               "  check = function() require('io') end }\n");
    write_file(dir, "gc.lua",
               "return { id = 'test.gc', title = 't', severity = 'info',\n"
               "  check = function()\n"
               "    setmetatable({}, { __gc = function() while true do end end })\n"
               "  end }\n");
    write_file(dir, "env.lua",
               "local names = { 'io', 'os', 'debug', 'package',\n"
               "  'loadfile', 'dofile', 'collectgarbage', 'loadstring',\n"
               "  'coroutine', 'module', '_G' }\n"
               "return { id = 'test.env', title = 't', severity = 'info',\n"
               "  check = function(_, ctx)\n"
               "    for _, n in ipairs(names) do\n"
               "      if _ENV[n] ~= nil then\n"
               "        ctx:finding{ code = 'LEAK', message = n }\n"
               "      end\n"
               "    end\n"
               "    if string.dump ~= nil then\n"
               "      ctx:finding{ code = 'LEAK', message = 'string.dump' }\n"
               "    end\n"
               "    if getmetatable('') ~= false then\n"
               "      ctx:finding{ code = 'LEAK', message = 'string metatable' }\n"
               "    end\n"
               "    if require('ogid').api ~= 2 or type(load) ~= 'function' then\n"
               "      ctx:finding{ code = 'LEAK', message = 'no host module' }\n"
               "    end\n"
               "    for _, lib in ipairs{ 'string', 'table', 'math', 'utf8' } do\n"
               "      if type(_ENV[lib]) ~= 'table' then\n"
               "        ctx:finding{ code = 'LEAK', message = 'missing ' .. lib }\n"
               "      end\n"
               "    end\n"
               "    local ok, e = xpcall(function() error('x', 0) end,\n"
               "                         function(m) return 'handled ' .. m end)\n"
               "    if ok or e ~= 'handled x' then\n"
               "      ctx:finding{ code = 'LEAK', message = 'xpcall broken' }\n"
               "    end\n"
               "    local ok2, a, b = xpcall(function(x, y) return y, x end, print, 1, 2)\n"
               "    if not ok2 or a ~= 2 or b ~= 1 then\n"
               "      ctx:finding{ code = 'LEAK', message = 'xpcall results' }\n"
               "    end\n"
               "    ctx:finding{ code = 'ENV_OK', message = ('%d'):format(7) }\n"
               "  end }\n");
    /* One rule's globals, library changes and report changes stay its own. */
    write_file(dir, "m1.lua",
               "return { id = 'test.m1', title = 't', severity = 'info',\n"
               "  check = function(report)\n"
               "    leaked_global = 1\n"
               "    string.format = nil\n"
               "    report.requests = nil\n"
               "    report.meta.agency = 'x'\n"
               "  end }\n");
    write_file(dir, "m2.lua",
               "return { id = 'test.m2', title = 't', severity = 'info',\n"
               "  check = function(report, ctx)\n"
               "    if leaked_global ~= nil or report.requests == nil\n"
               "        or report.meta.agency == 'x' then\n"
               "      ctx:finding{ code = 'LEAK', message = 'shared state' }\n"
               "    end\n"
               "    ctx:finding{ code = 'M2_OK', message = string.format('%s', 'y') }\n"
               "  end }\n");
    /* print goes to the debug log, never to stdout. */
    write_file(dir, "print.lua",
               "return { id = 'test.print', title = 't', severity = 'info',\n"
               "  check = function(_, ctx)\n"
               "    print('hello', 1, nil, true)\n"
               "    ctx:finding{ code = 'PRINT_OK', message = 'm' }\n"
               "  end }\n");
    rs = load_dir(dir);
    saved_level = ogid_log_level;
    ogid_log_level = OGID_LOG_DEBUG;
    findings = run(rs, model);
    ogid_log_level = saved_level;
    the_finding(findings, "test.print", "PRINT_OK");
    f = the_finding(findings, "test.os", "RULE_ERROR");
    assert_matches(str(f, "message"), "os\\.lua:2: .*'os'");
    f = the_finding(findings, "test.io", "RULE_ERROR");
    assert_matches(str(f, "message"), "io\\.lua:2: .*'io'");
    f = the_finding(findings, "test.req", "RULE_ERROR");
    assert_matches(str(f, "message"), "module 'io' is not available");
    f = the_finding(findings, "test.gc", "RULE_ERROR");
    assert_matches(str(f, "message"), "__gc");
    the_finding(findings, "test.env", "ENV_OK");
    the_finding(findings, "test.m2", "M2_OK");
    if (count_code(findings, "LEAK") != 0)
        fail_msg("sandbox leak: %s", json_dumps(findings, 0));
    assert_int_equal(json_array_size(findings), 7);
    json_decref(findings);
    ogid_rules_free(rs);
    json_decref(model);
    rm_tmpdir(dir);
}

static void test_rules_run_finding_fields(void **state)
{
    char *dir = make_tmpdir();
    struct ogid_rules *rs;
    json_t *model = load_model(SEED), *findings, *f;
    int pass;

    (void)state;
    write_file(dir, "full.lua",
               "return { id = 'test.full', title = 't', severity = 'error',\n"
               "  basis = '条例第五十条', params = { limit = 3, names = { 'a', 'b' } },\n"
               "  check = function(_, ctx)\n"
               "    ctx.params.limit = ctx.params.limit + 1\n"
               "    ctx:finding{ code = 'FULL_1', message = 'm', severity = 'info',\n"
               "      where = { table = 'appeals', row = 'review', line = 3 },\n"
               "      expected = '2023-01-01', actual = ctx.params.limit }\n"
               "  end }\n");
    write_file(
        dir, "lower.lua",
        "return { id = 'test.lower', title = 't', severity = 'info',\n"
        "  check = function(_, ctx) ctx:finding{ code = 'bad', message = 'm' } end }\n");
    write_file(dir, "nomsg.lua",
               "return { id = 'test.nomsg', title = 't', severity = 'info',\n"
               "  check = function(_, ctx) ctx:finding{ code = 'X' } end }\n");
    write_file(dir, "typo.lua",
               "return { id = 'test.typo', title = 't', severity = 'info',\n"
               "  check = function(_, ctx)\n"
               "    ctx:finding{ code = 'X', message = 'm', expect = 1 }\n"
               "  end }\n");
    write_file(
        dir, "dot.lua",
        "return { id = 'test.dot', title = 't', severity = 'info',\n"
        "  check = function(_, ctx) ctx.finding{ code = 'X', message = 'm' } end }\n");
    write_file(dir, "many.lua",
               "return { id = 'test.many', title = 't', severity = 'info',\n"
               "  check = function(_, ctx)\n"
               "    for _ = 1, 2000 do ctx:finding{ code = 'MANY', message = 'm' } end\n"
               "  end }\n");
    /* A ctx kept from an earlier check is refused. */
    write_file(dir, "kept.lua",
               "local kept\n"
               "return { id = 'test.kept', title = 't', severity = 'info',\n"
               "  check = function(_, ctx)\n"
               "    if kept then kept:finding{ code = 'STALE', message = 'm' } end\n"
               "    kept = ctx\n"
               "  end }\n");
    rs = load_dir(dir);
    for (pass = 0; pass < 2; pass++) {
        findings = run(rs, model);
        f = the_finding(findings, "test.full", "FULL_1");
        assert_string_equal(str(f, "severity"), "info");
        assert_string_equal(str(f, "basis"), "条例第五十条");
        assert_string_equal(str(f, "expected"), "2023-01-01");
        /* Params are fresh for every check. */
        assert_int_equal(json_integer_value(json_object_get(f, "actual")), 4);
        assert_string_equal(str(json_object_get(f, "where"), "row"), "review");
        assert_int_equal(
            json_integer_value(json_object_get(json_object_get(f, "where"), "line")), 3);
        assert_matches(str(the_finding(findings, "test.lower", "RULE_ERROR"), "message"),
                       "lower\\.lua:2: ctx:finding: 'code' must be upper-case");
        assert_matches(str(the_finding(findings, "test.nomsg", "RULE_ERROR"), "message"),
                       "'message' must be");
        assert_matches(str(the_finding(findings, "test.typo", "RULE_ERROR"), "message"),
                       "unknown field 'expect'");
        assert_matches(str(the_finding(findings, "test.dot", "RULE_ERROR"), "message"),
                       "ctx:finding\\{");
        assert_matches(str(the_finding(findings, "test.many", "RULE_ERROR"), "message"),
                       "more than 1000 findings");
        assert_int_equal(count_code(findings, "MANY"), 1000);
        assert_int_equal(count_code(findings, "STALE"), 0);
        if (pass == 0)
            assert_int_equal(count_code(findings, "RULE_ERROR"), 5);
        else
            assert_matches(str(the_finding(findings, "test.kept", "RULE_ERROR"), "message"),
                           "outside the check");
        json_decref(findings);
    }
    ogid_rules_free(rs);
    json_decref(model);
    rm_tmpdir(dir);
}

static void test_rules_new_syntax_error(void **state)
{
    char *dir = make_tmpdir();
    char err[1024], want[512];

    (void)state;
    write_file(dir, "ok.lua", good_rule);
    write_file(dir, "sub/bad.lua", "local x = 1\nreturn {\n  id = ,\n}\n");
    load_fails(dir, err, sizeof err);
    snprintf(want, sizeof want, "%s/sub/bad.lua:3: ", dir);
    if (strncmp(err, want, strlen(want)) != 0)
        fail_msg("errbuf '%s' does not start with '%s'", err, want);
    rm_tmpdir(dir);
}

static void test_rules_new_invalid_rule(void **state)
{
    static const struct {
        const char *text, *says;
    } cases[] = {
        {"return {\n id = 'test.x', title = 't', severity = 'info',\n}\n",
         "r\\.lua:3: rule 'test\\.x': 'check' must be a function"},
        {"return { id = 'test.x', title = 't', severity = 'fatal',\n"
         " check = function() end }\n",
         "r\\.lua:2: rule 'test\\.x': 'severity' must be"},
        {"return { id = 'Test.X', title = 't', severity = 'info',\n"
         " check = function() end }\n",
         "r\\.lua:2: rule: id 'Test\\.X' is not dotted lower-case"},
        {"return { id = 'nodots', title = 't', severity = 'info',\n"
         " check = function() end }\n",
         "is not dotted lower-case"},
        {"return { id = 'test.x', title = 't', serverity = 'info',\n"
         " check = function() end }\n",
         "unknown field 'serverity'"},
        {"return { id = 'test.x', severity = 'info', check = function() end }\n",
         "r\\.lua:1: rule 'test\\.x': 'title' must be"},
        {"return { id = 'test.x', title = 't', severity = 'info', basis = 3,\n"
         " check = function() end }\n",
         "'basis' must be"},
        {"return { id = 'test.x', title = 't', severity = 'info',\n"
         " params = { f = print }, check = function() end }\n",
         "params: a function value cannot be converted"},
        {"local x = 1\nreturn 42\n", "r\\.lua:2: a rule file must return"},
        {"return { { id = 'test.x', title = 't', severity = 'info',\n"
         " check = function() end }, 5 }\n",
         "rule #2 is a number"},
        {"return {\n"
         " { id = 'test.x', title = 't', severity = 'info', check = print },\n"
         " { id = 'test.x', title = 'u', severity = 'info', check = print },\n"
         "}\n",
         "r\\.lua:4: rule 'test\\.x': id already used in .*/r\\.lua$"},
        {"error('at load')\n", "r\\.lua:1: at load$"},
        {"error({})\n", "r\\.lua:1: error object is a table value"},
        {"os.exit(1)\n", "r\\.lua:1: .*'os'"},
        {"while true do end\n", "r\\.lua:1: instruction budget of 10000000 exceeded"},
        {"local s = string.rep('x', 1e9)\n", "r\\.lua:1: memory cap of 64 MiB exceeded"},
        {"\x1bLua", "r\\.lua:1: .*binary chunk"},
    };
    size_t i;
    char err[1024], pattern[512];

    (void)state;
    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *dir = make_tmpdir();
        write_file(dir, "r.lua", cases[i].text);
        load_fails(dir, err, sizeof err);
        snprintf(pattern, sizeof pattern, "^%s/.*%s", dir, cases[i].says);
        assert_matches(err, pattern);
        rm_tmpdir(dir);
    }
}

static void test_rules_new_override(void **state)
{
    char *a = make_tmpdir(), *b = make_tmpdir(), *c = make_tmpdir();
    char *paths[2] = {a, b};
    char err[1024];
    struct ogid_rules *rs;
    json_t *model = load_model(SEED), *findings;
    const char *id, *title;

    (void)state;
    write_file(
        a, "one.lua",
        "return { id = 'test.dup', title = '第一', severity = 'info',\n"
        "  check = function(_, ctx) ctx:finding{ code = 'FIRST', message = 'm' } end }\n");
    write_file(a, "two.lua", good_rule);
    write_file(
        b, "z/dup.lua",
        "return { id = 'test.dup', title = '第二', severity = 'error',\n"
        "  check = function(_, ctx) ctx:finding{ code = 'SECOND', message = 'm' } end }\n");
    rs = load_paths(paths, 2);
    assert_int_equal(ogid_rules_count(rs), 2);
    ogid_rules_info(rs, 0, &id, NULL, &title);
    assert_string_equal(id, "test.dup");
    assert_string_equal(title, "第二");
    findings = run(rs, model);
    assert_int_equal(count_code(findings, "FIRST"), 0);
    assert_string_equal(str(the_finding(findings, "test.dup", "SECOND"), "severity"),
                        "error");
    the_finding(findings, "test.good", "GOOD");
    assert_int_equal(json_array_size(findings), 2);
    json_decref(findings);
    ogid_rules_free(rs);

    /* The same id twice within one path is an error. */
    write_file(c, "a.lua", good_rule);
    write_file(c, "b.lua", good_rule);
    load_fails(c, err, sizeof err);
    assert_matches(err,
                   "/b\\.lua:[0-9]+: rule 'test\\.good': id already used in .*/a\\.lua$");

    json_decref(model);
    rm_tmpdir(a);
    rm_tmpdir(b);
    rm_tmpdir(c);
}

static void test_rules_new_files(void **state)
{
    char *dir = make_tmpdir();
    char path[512], *paths[2];
    char err[256];
    struct ogid_rules *rs = NULL;
    const char *id;

    (void)state;
    /* Test cases and helpers are not rules; other files are ignored. */
    write_file(dir, "tests/broken.lua", "this is not lua");
    write_file(dir, "area/tests/broken.lua", "this is not lua");
    write_file(dir, "lib/helper.lua", "return {}\n");
    write_file(dir, "area/notes.txt", "return 1");
    write_file(dir, ".hidden/x.lua", "this is not lua");
    write_file(dir, "b/c.lua", good_rule);
    write_file(dir, "a.lua",
               "local function r(id) return { id = id, title = 't', severity = 'info',\n"
               "  check = function() end } end\n"
               "return { r('test.z'), r('test.y') }\n");
    rs = load_dir(dir);
    assert_int_equal(ogid_rules_count(rs), 3);
    ogid_rules_info(rs, 0, &id, NULL, NULL);
    assert_string_equal(id, "test.z");
    ogid_rules_info(rs, 1, &id, NULL, NULL);
    assert_string_equal(id, "test.y");
    ogid_rules_info(rs, 2, &id, NULL, NULL);
    assert_string_equal(id, "test.good");
    ogid_rules_free(rs);

    /* A single file as a path, and an empty list of paths. */
    snprintf(path, sizeof path, "%s/b/c.lua", dir);
    paths[0] = path;
    rs = load_paths(paths, 1);
    assert_int_equal(ogid_rules_count(rs), 1);
    ogid_rules_free(rs);
    rs = load_paths(paths, 0);
    assert_int_equal(ogid_rules_count(rs), 0);
    ogid_rules_free(rs);

    /* A path that does not exist. */
    snprintf(path, sizeof path, "%s/missing", dir);
    paths[0] = path;
    rs = NULL;
    assert_int_equal(ogid_rules_new(paths, 1, &rs, err, sizeof err), OGID_ERULE);
    assert_null(rs);
    assert_matches(err, "/missing: No such file");
    rm_tmpdir(dir);
}


/* The acceptance list of the rule engine: each of these is a RULE_ERROR,
 * the well-behaved rule beside them still reports, and the next run is the
 * same. */
static void test_rules_run_hostile(void **state)
{
    static const struct {
        const char *id, *body, *says;
    } cases[] = {
        {"os_execute", "os.execute('touch /tmp/ogid-pwned')", "global 'os'"},
        {"io_open", "io.open('/etc/passwd')", "global 'io'"},
        {"load_binary", "load('\\27Lua\\84\\0')", "binary chunks are not allowed"},
        {"load_dump", "load(string.dump(function() end))", "field 'dump'"},
        {"load_mode_b", "load('return 1', 'x', 'b')", "only text chunks"},
        {"require_socket", "require 'socket'", "module 'socket' is not available"},
        {"require_path", "require 'lib.../../etc/passwd'", "is not available"},
        {"string_meta", "getmetatable('').__index = { upper = print }", "index a boolean"},
        {"loop", "while true do end", "超出指令数上限"},
        {"loop_pcall", "pcall(function() while true do end end) ctx:finding{code='ESCAPED', "
                       "message='m'}",
         "超出指令数上限"},
        {"loop_load", "load('while true do end')()", "超出指令数上限"},
        {"rep", "local s = string.rep('x', 1e10)", "运行出错"},
        {"rep9", "local s = string.rep('x', 1e9)", "超出内存上限"},
    };
    char *dir = make_tmpdir();
    char name[64], text[1024], pattern[256];
    struct ogid_rules *rs;
    json_t *model = load_model(SEED), *findings, *f;
    size_t i;
    int pass;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(name, sizeof name, "%s.lua", cases[i].id);
        snprintf(text, sizeof text,
                 "return { id = 'test.%s', title = 't', severity = 'info',\n"
                 "  check = function(_, ctx)\n"
                 "    %s\n"
                 "  end }\n",
                 cases[i].id, cases[i].body);
        write_file(dir, name, text);
    }
    write_file(dir, "zz_good.lua", good_rule);
    rs = load_dir(dir);
    for (pass = 0; pass < 2; pass++) {
        findings = run(rs, model);
        for (i = 0; i < sizeof cases / sizeof *cases; i++) {
            snprintf(name, sizeof name, "test.%s", cases[i].id);
            f = the_finding(findings, name, "RULE_ERROR");
            snprintf(pattern, sizeof pattern, "^规则 %s 运行出错：", name);
            assert_matches(str(f, "message"), pattern);
            if (strstr(str(f, "message"), cases[i].says) == NULL)
                fail_msg("%s: '%s' does not say '%s'", name, str(f, "message"), cases[i].says);
        }
        assert_int_equal(count_code(findings, "ESCAPED"), 0);
        the_finding(findings, "test.good", "GOOD");
        assert_int_equal(json_array_size(findings), sizeof cases / sizeof *cases + 1);
        json_decref(findings);
    }
    assert_int_equal(access("/tmp/ogid-pwned", F_OK), -1);
    ogid_rules_free(rs);
    json_decref(model);
    rm_tmpdir(dir);
}

static void test_rules_run_load(void **state)
{
    char *dir = make_tmpdir();
    struct ogid_rules *rs;
    json_t *model = load_model(SEED), *findings, *f;

    (void)state;
    write_file(dir, "load.lua",
               "local secret = 'mine'\n"
               "return { id = 'test.load', title = 't', severity = 'info',\n"
               "  check = function(report, ctx)\n"
               "    own_global = 41\n"
               "    local f = load('return own_global + 1, type(io), type(load)')\n"
               "    local a, b, c = f()\n"
               "    local g = load('return x', '=(mine)', 't', { x = 7 })\n"
               "    local parts, k = { 'return ', '1 + ', '2' }, 0\n"
               "    local h = load(function() k = k + 1 return parts[k] end)\n"
               "    local bad, msg = load('return +')\n"
               "    ctx:finding{ code = 'LOADED', message = string.format(\n"
               "      '%d %s %s %d %d %s %s', a, b, c, g(), h(), tostring(bad),\n"
               "      msg:match('^%(load%):1:') and 'x' or msg) }\n"
               "  end }\n");
    rs = load_dir(dir);
    findings = run(rs, model);
    f = the_finding(findings, "test.load", "LOADED");
    assert_string_equal(str(f, "message"), "42 nil function 7 3 nil x");
    assert_int_equal(json_array_size(findings), 1);
    json_decref(findings);
    ogid_rules_free(rs);
    json_decref(model);
    rm_tmpdir(dir);
}

static void test_rules_run_require_lib(void **state)
{
    char *dir = make_tmpdir(), *other = make_tmpdir();
    char *paths[2] = {dir, other}, err[1024];
    struct ogid_rules *rs;
    json_t *model = load_model(SEED), *findings, *f;

    (void)state;
    write_file(dir, "lib/util.lua",
               "local M = { count = 0 }\n"
               "local ogid = require 'ogid'\n"
               "function M.bump() M.count = M.count + 1 return M.count end\n"
               "M.date = ogid.date\n"
               "M.deep = require 'lib.sub.deep'\n"
               "return M\n");
    write_file(dir, "lib/sub/deep.lua", "return { answer = 42 }\n");
    write_file(dir, "lib/loop_a.lua", "return require 'lib.loop_b'\n");
    write_file(dir, "lib/loop_b.lua", "return require 'lib.loop_a'\n");
    write_file(dir, "lib/broken.lua", "return {\n");
    /* Two rules with one module: each gets its own copy. */
    write_file(dir, "a.lua",
               "local U = require 'lib.util'\n"
               "return { id = 'test.a', title = 't', severity = 'info',\n"
               "  check = function(_, ctx)\n"
               "    U.bump() U.bump()\n"
               "    ctx:finding{ code = 'A', message = U.count .. ' ' .. U.deep.answer\n"
               "      .. ' ' .. U.date('2024年1月22日') }\n"
               "  end }\n");
    write_file(dir, "b.lua",
               "local U = require 'lib.util'\n"
               "return { id = 'test.b', title = 't', severity = 'info',\n"
               "  check = function(_, ctx)\n"
               "    ctx:finding{ code = 'B', message = tostring(U.bump()) }\n"
               "    require 'lib.loop_a'\n"
               "  end }\n");
    write_file(dir, "c.lua",
               "return { id = 'test.c', title = 't', severity = 'info',\n"
               "  check = function(_, ctx)\n"
               "    local ok, e = pcall(require, 'lib.broken')\n"
               "    local ok2, e2 = pcall(require, 'lib.broken')\n"
               "    local ok3, e3 = pcall(require, 'lib.nothere')\n"
               "    ctx:finding{ code = 'C', message = tostring(ok) .. tostring(ok2) ..\n"
               "      tostring(ok3) .. ' ' .. (e2:find('loop') and 'loop' or 'again') ..\n"
               "      ' ' .. (e3:find('not found') and 'nf' or e3) }\n"
               "  end }\n");
    /* A rule in another path finds the library of the first. */
    write_file(other, "d.lua",
               "local U = require 'lib.util'\n"
               "return { id = 'test.d', title = 't', severity = 'info',\n"
               "  check = function(_, ctx) ctx:finding{ code = 'D', message = 'd' .. U.count } end }\n");
    rs = load_paths(paths, 2);
    findings = run(rs, model);
    assert_string_equal(str(the_finding(findings, "test.a", "A"), "message"), "2 42 2024-01-22");
    assert_string_equal(str(the_finding(findings, "test.b", "B"), "message"), "1");
    f = the_finding(findings, "test.b", "RULE_ERROR");
    assert_matches(str(f, "message"), "module 'lib\\.loop_a' requires itself");
    assert_string_equal(str(the_finding(findings, "test.c", "C"), "message"),
                        "falsefalsefalse again nf");
    assert_string_equal(str(the_finding(findings, "test.d", "D"), "message"), "d0");
    json_decref(findings);
    ogid_rules_free(rs);

    /* A rule file that requires a missing module does not load. */
    write_file(other, "e.lua", "local X = require 'lib.missing'\nreturn X\n");
    assert_int_equal(ogid_rules_new(paths, 2, &rs, err, sizeof err), OGID_ERULE);
    assert_matches(err, "e\\.lua:1: .*module 'lib\\.missing' not found");
    json_decref(model);
    rm_tmpdir(dir);
    rm_tmpdir(other);
}

/* Loads the rules in dir with a config whose `rules:` section is yaml;
 * returns the configure result, with the rule set in *out. */
static int configure_with(const char *dir, const char *yaml, struct ogid_rules **out,
                          char *err, size_t errlen, char **cfg_path)
{
    char text[4096], *paths[1] = {(char *)dir};
    struct ogid_config *cfg = NULL;
    int rc;

    snprintf(text, sizeof text, "rule_paths: [%s]\nrules:\n%s", dir, yaml);
    write_file(dir, "ogid.yaml", text);
    snprintf(text, sizeof text, "%s/ogid.yaml", dir);
    if (cfg_path)
        *cfg_path = strdup(text);
    rc = ogid_config_load(text, &cfg, err, errlen);
    if (rc != 0)
        fail_msg("config: %s", err);
    *out = load_paths(paths, 1);
    rc = ogid_rules_configure(*out, cfg, err, errlen);
    ogid_config_free(cfg);
    return rc;
}

static const char params_rule[] =
    "return { id = 'test.params', title = 't', severity = 'warning',\n"
    "  params = { threshold = 0.5, limit = 3, name = 'x', on = true,\n"
    "             list = { 1, 2 }, map = { a = 1 }, free = {} },\n"
    "  check = function(_, ctx)\n"
    "    local p = ctx.params\n"
    "    ctx:finding{ code = 'P', message = string.format('%s %s %s %s %s %s %s %s',\n"
    "      math.type(p.threshold), p.threshold, p.limit, p.name, p.on,\n"
    "      table.concat(p.list, ','), p.map.a, ctx.rule) }\n"
    "  end }\n";

static void test_rules_configure_apply(void **state)
{
    char *dir = make_tmpdir();
    char err[2048];
    struct ogid_rules *rs;
    json_t *model = load_model(SEED), *findings, *f;
    const char *id, *sev;

    (void)state;
    write_file(dir, "params.lua", params_rule);
    write_file(dir, "good.lua", good_rule);
    write_file(dir, "balance.lua",
               "return { id = 'test.other', title = 't', severity = 'error',\n"
               "  check = function(_, ctx) ctx:finding{ code = 'OTHER', message = 'm' } end }\n");
    assert_int_equal(configure_with(dir,
                                    "  test.params:\n"
                                    "    severity: info\n"
                                    "    params: { threshold: 1, name: '2023', on: false,\n"
                                    "              list: [5, 6, 7], map: { a: 9 } }\n"
                                    "  test.good: { enabled: false }\n"
                                    "  test.other: {}\n",
                                    &rs, err, sizeof err, NULL),
                     0);
    findings = run(rs, model);
    f = the_finding(findings, "test.params", "P");
    assert_string_equal(str(f, "message"), "float 1.0 3 2023 false 5,6,7 9 test.params");
    assert_string_equal(str(f, "severity"), "info");
    assert_int_equal(count_code(findings, "GOOD"), 0);
    the_finding(findings, "test.other", "OTHER");
    assert_int_equal(json_array_size(findings), 2);
    json_decref(findings);
    ogid_rules_info(rs, (size_t)ogid_rules_find(rs, "test.params"), &id, &sev, NULL);
    assert_string_equal(sev, "info");
    assert_int_equal(ogid_rules_enabled(rs, (size_t)ogid_rules_find(rs, "test.good")), 0);

    /* Configuring again starts from the rules' own defaults. */
    assert_int_equal(ogid_rules_configure(rs, NULL, err, sizeof err), 0);
    findings = run(rs, model);
    f = the_finding(findings, "test.params", "P");
    assert_string_equal(str(f, "message"), "float 0.5 3 x true 1,2 1 test.params");
    assert_string_equal(str(f, "severity"), "warning");
    the_finding(findings, "test.good", "GOOD");
    json_decref(findings);
    ogid_rules_free(rs);
    json_decref(model);
    rm_tmpdir(dir);
}

static void test_rules_configure_errors(void **state)
{
    static const struct {
        const char *yaml, *says;
    } cases[] = {
        {"  consistency.requests.balance: { enabled: false }\n",
         ":3:3: unknown rule \"consistency.requests.balance\" (no such rule loaded)"},
        {"  test.params: { params: { thresh: 1 } }\n",
         ":3:28: unknown param \"thresh\" for rule \"test.params\" (declared: "},
        {"  test.params: { params: { limit: high } }\n",
         ":3:35: wrong type for param \"limit\" of rule \"test.params\": expected an integer, "
         "found \"high\""},
        {"  test.params: { params: { limit: 2.5 } }\n", ":3:35: wrong type for param \"limit\""},
        {"  test.params: { params: { threshold: '0.8' } }\n",
         ":3:39: wrong type for param \"threshold\" of rule \"test.params\": expected a number"},
        {"  test.params: { params: { on: yes } }\n", "expected true or false, found \"yes\""},
        {"  test.params: { params: { list: 3 } }\n", "expected a list, found \"3\""},
        {"  test.params: { params: { list: [1, x] } }\n",
         ":3:38: wrong type for param \"list[2]\""},
        {"  test.params: { params: { map: { b: 1 } } }\n",
         ":3:35: unknown key \"b\" in param \"map\""},
        {"  test.params: { params: { free: [1, ~] } }\n", "no empty items"},
        {"  test.params: { params: [1] }\n", "params of rule \"test.params\" must be a mapping"},
        {"  test.params: { enabled: maybe }\n",
         ":3:27: bad value for \"enabled\" of rule \"test.params\": \"maybe\" is not true or false"},
        {"  test.params: { enabled: 'true' }\n", "is not true or false"},
        {"  test.params: { severity: fatal }\n", "is not one of error, warning, info"},
        {"  test.params: { severit: info }\n",
         ":3:18: unknown setting \"severit\" for rule \"test.params\" (known: enabled, "
         "severity, params)"},
        {"  test.params: [1, 2]\n", "settings of rule \"test.params\" must be a mapping"},
        {"  test.params: { threshold: 3 }\n", "unknown setting \"threshold\""},
        {"  test.params: {}\n  test.params: {}\n", ":4:3: duplicate settings for rule"},
        {"  ? [a]\n  : 1\n", "a rule id must be a name"},
    };
    char err[2048], pattern[600], *path;
    struct ogid_rules *rs;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *dir = make_tmpdir();

        write_file(dir, "params.lua", params_rule);
        assert_int_equal(configure_with(dir, cases[i].yaml, &rs, err, sizeof err, &path),
                         OGID_ECONFIG);
        if (strncmp(err, path, strlen(path)) != 0 || strstr(err, cases[i].says) == NULL)
            fail_msg("case %zu: '%s' is not '%s%s…'", i, err, path, cases[i].says);
        /* Nothing was applied. */
        assert_int_equal(ogid_rules_enabled(rs, 0), 1);
        ogid_rules_free(rs);
        free(path);
        rm_tmpdir(dir);
    }

    /* Every problem is reported, one a line. */
    {
        char *dir = make_tmpdir();

        write_file(dir, "params.lua", params_rule);
        assert_int_equal(configure_with(dir,
                                        "  no.such: {}\n"
                                        "  test.params: { enabled: 1, params: { x: 1 } }\n",
                                        &rs, err, sizeof err, &path),
                         OGID_ECONFIG);
        snprintf(pattern, sizeof pattern, "^[^\n]*:3:3: unknown rule[^\n]*\n[^\n]*:4:27: bad "
                                          "value[^\n]*\n[^\n]*:4:40: unknown param \"x\" for rule \"test.params\" "
                                          "\\(declared: free, limit, list, map, name, on, "
                                          "threshold\\)$");
        assert_matches(err, pattern);
        ogid_rules_free(rs);
        free(path);
        rm_tmpdir(dir);
    }
}

static int n_called;
static char called[8][64];

static void on_rule(void *ud, const char *id)
{
    (void)ud;
    if (n_called < 8)
        snprintf(called[n_called], sizeof called[0], "%s", id);
    n_called++;
}

static void test_rules_run_opts(void **state)
{
    char *dir = make_tmpdir();
    char *skip[2] = {"test.b", "no.such"};
    struct ogid_rules *rs;
    json_t *model = load_model(SEED), *previous = load_model(SEED), *findings, *f, *params;
    struct ogid_rules_opts opts = {0};
    long i;

    (void)state;
    json_object_set_new(json_object_get(previous, "meta"), "year", json_integer(2022));
    write_file(dir, "a.lua",
               "return { id = 'test.a', title = 't', severity = 'info',\n"
               "  params = { n = 1 },\n"
               "  check = function(r, ctx)\n"
               "    ctx:finding{ code = 'PREV', message = ctx.rule .. ' ' ..\n"
               "      (ctx.previous and ctx.previous.meta.year or 'none') .. ' ' ..\n"
               "      (ctx.next and 'next' or 'no-next') .. ' ' .. ctx.params.n }\n"
               "  end }\n");
    write_file(dir, "b.lua",
               "return { id = 'test.b', title = 't', severity = 'info',\n"
               "  check = function(_, ctx) ctx:finding{ code = 'B', message = 'm' } end }\n");
    write_file(dir, "c.lua", good_rule);
    rs = load_dir(dir);

    opts.skip = skip;
    opts.n_skip = 2;
    opts.on_rule = on_rule;
    opts.previous = previous;
    n_called = 0;
    findings = json_array();
    assert_int_equal(ogid_rules_run_opts(rs, model, findings, &opts), 0);
    assert_string_equal(str(the_finding(findings, "test.a", "PREV"), "message"),
                        "test.a 2022 no-next 1");
    f = the_finding(findings, "test.b", "RULE_ERROR");
    assert_string_equal(str(f, "message"), "规则 test.b 超过处理时限，已跳过");
    assert_string_equal(str(f, "severity"), "error");
    assert_int_equal(count_code(findings, "B"), 0);
    the_finding(findings, "test.good", "GOOD");
    assert_int_equal(json_array_size(findings), 3);
    assert_int_equal(n_called, 2);
    assert_string_equal(called[0], "test.a");
    assert_string_equal(called[1], "test.good");
    json_decref(findings);

    /* Without options: no previous, nothing skipped. */
    findings = run(rs, model);
    assert_string_equal(str(the_finding(findings, "test.a", "PREV"), "message"),
                        "test.a none no-next 1");
    the_finding(findings, "test.b", "B");
    json_decref(findings);

    /* One rule alone, with params of its own and its declared severity. */
    i = ogid_rules_find(rs, "test.a");
    assert_true(i >= 0);
    params = json_pack("{s:i}", "n", 5);
    opts = (struct ogid_rules_opts){.next = previous};
    findings = json_array();
    assert_int_equal(ogid_rules_run_one(rs, (size_t)i, params, model, findings, &opts), 0);
    assert_int_equal(json_array_size(findings), 1);
    assert_string_equal(str(the_finding(findings, "test.a", "PREV"), "message"),
                        "test.a none next 5");
    assert_int_equal(ogid_rules_find(rs, "no.such"), -1);
    assert_int_equal(ogid_rules_run_one(rs, 99, NULL, model, findings, NULL), OGID_EINVAL);
    json_decref(findings);
    json_decref(params);
    ogid_rules_free(rs);
    json_decref(previous);
    json_decref(model);
    rm_tmpdir(dir);
}

/* The settings are checked where start-up, `ogid run` and reload see them:
 * in ogid_pipeline_new. */
static void test_rules_configure_pipeline(void **state)
{
    char *dir = make_tmpdir();
    char path[512], err[2048], want[600];
    struct ogid_config *cfg = NULL;
    struct ogid_pipeline *p = NULL;
    struct ogid_rules *rs;

    (void)state;
    write_file(dir, "params.lua", params_rule);
    snprintf(path, sizeof path, "%s/ogid.yaml", dir);
    snprintf(err, sizeof err,
             "rule_paths: [%s]\nrules:\n  test.params: { params: { limit: 9 } }\n"
             "  x.y: { enabled: false }\n",
             dir);
    write_file(dir, "ogid.yaml", err);
    assert_int_equal(ogid_config_load(path, &cfg, err, sizeof err), 0);
    /* No history store in the test's spool. */
    free(cfg->history_path);
    cfg->history_path = NULL;
    assert_int_equal(ogid_pipeline_new(cfg, 1, &p, err, sizeof err), OGID_ECONFIG);
    assert_null(p);
    snprintf(want, sizeof want, "%s:4:3: unknown rule \"x.y\" (no such rule loaded)", path);
    assert_string_equal(err, want);
    ogid_config_free(cfg);

    snprintf(err, sizeof err,
             "rule_paths: [%s]\nrules:\n  test.params: { params: { limit: 9 } }\n",
             dir);
    write_file(dir, "ogid.yaml", err);
    assert_int_equal(ogid_config_load(path, &cfg, err, sizeof err), 0);
    free(cfg->history_path);
    cfg->history_path = NULL;
    if (ogid_pipeline_new(cfg, 1, &p, err, sizeof err) != 0)
        fail_msg("%s", err);
    rs = ogid_pipeline_rules(p);
    assert_int_equal(
        json_integer_value(json_object_get(ogid_rules_params(rs, 0), "limit")), 9);
    ogid_pipeline_free(p);
    ogid_config_free(cfg);
    rm_tmpdir(dir);
}

/* ogid rules test: one line a case, and the count last. */
static void test_rules_test_runner(void **state)
{
    char *dir = make_tmpdir();
    char *paths[1] = {dir}, err[1024], *text = NULL, *notes = NULL;
    size_t len = 0, nlen = 0;
    struct ogid_config *cfg = NULL;
    struct ogid_pipeline *p = NULL;
    unsigned passed = 99, failed = 99;
    FILE *out, *errs;

    (void)state;
    write_file(dir, "area/balance.lua",
               "local ogid = require 'ogid'\n"
               "return { id = 'test.balance', title = 't', severity = 'warning',\n"
               "  params = { limit = 15 },\n"
               "  check = function(r, ctx)\n"
               "    local n = r.requests.rows.new[1]\n"
               "    if n == nil then error('blank') end\n"
               "    if n > ctx.params.limit then\n"
               "      ctx:finding{ code = 'OVER', message = '自然人' .. n .. '件' }\n"
               "    end\n"
               "    if ctx.previous then ctx:finding{ code = 'PREV', message = 'p' } end\n"
               "  end }\n");
    write_file(dir, "area/other.lua", good_rule);
    write_file(dir, "area/balance.test.yaml",
               "- name: the seed is within the limit\n"
               "  input: " OGID_SOURCE_DIR "/rules/tests/inputs/tongxin-county-office-2023.txt\n"
               "  reject: [OVER]\n"
               "- name: one more\n"
               "  input: " OGID_SOURCE_DIR "/rules/tests/inputs/tongxin-county-office-2023.txt\n"
               "  set: { \"requests.rows.new[1]\": 16 }\n"
               "  expect: [{ code: OVER, count: 1, message: \"自然人16件\", severity: warning }]\n"
               "- name: a lower limit from params, a model as input\n"
               "  input: model.json\n"
               "  previous: model.json\n"
               "  params: { limit: 3 }\n"
               "  expect: [OVER, PREV]\n"
               "- name: this one fails\n"
               "  input: model.json\n"
               "  expect: [OVER]\n"
               "- name: a rule error fails the case\n"
               "  input: model.json\n"
               "  set: { \"requests.rows.new[1]\": null }\n"
               "- name: unless it is expected\n"
               "  input: model.json\n"
               "  set: { \"requests.rows.new[1]\": null }\n"
               "  expect: [RULE_ERROR]\n"
               "- name: a param of the wrong type\n"
               "  input: model.json\n"
               "  params: { limit: many }\n");
    write_file(dir, "area/model.json",
               "{\"model\": 1, \"meta\": {\"year\": 2023},"
               " \"requests\": {\"rows\": {\"new\": [15, 1, 0, 0, 0, 0, 16]}}}\n");
    write_file(dir, "area/other.test.yaml", "- this is: [not a case list\n");

    assert_int_equal(ogid_config_default(&cfg), 0);
    assert_int_equal(ogid_config_set_rule_paths(cfg, paths, 1), 0);
    free(cfg->history_path);
    cfg->history_path = NULL;
    if (ogid_pipeline_new(cfg, 1, &p, err, sizeof err) != 0)
        fail_msg("%s", err);
    out = open_memstream(&text, &len);
    errs = open_memstream(&notes, &nlen);
    assert_int_equal(ogid_rules_test(p, cfg, out, errs, &passed, &failed), 0);
    fclose(out);
    fclose(errs);
    assert_int_equal(passed, 4);
    assert_int_equal(failed, 4);
    assert_matches(text, "^PASS test\\.balance: the seed is within the limit\n"
                         "PASS test\\.balance: one more\n"
                         "PASS test\\.balance: a lower limit from params, a model as input\n"
                         "FAIL test\\.balance: this one fails — expected OVER, found none "
                         "\\(found: none\\)\n"
                         "FAIL test\\.balance: a rule error fails the case — 规则 test\\.balance "
                         "运行出错：.*balance\\.lua:6: blank\n"
                         "PASS test\\.balance: unless it is expected\n"
                         "FAIL test\\.balance: a param of the wrong type — .*balance\\.test\\.yaml:"
                         "25:20: wrong type for param \"limit\"[^\n]*\n"
                         "FAIL .*other\\.test\\.yaml: \\(the file\\) — .*other\\.test\\.yaml:2:1: "
                         "YAML syntax error[^\n]*\n"
                         "4 passed, 4 failed\n$");
    assert_matches(notes, "^note: 1 rule without test cases: test\\.good\n$");
    free(text);
    free(notes);
    ogid_pipeline_free(p);
    ogid_config_free(cfg);
    rm_tmpdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_new_bundled),
        cmocka_unit_test(test_rules_run_fixtures_clean),
        cmocka_unit_test(test_rules_run_balance_total_changed),
        cmocka_unit_test(test_rules_run_balance_forward_changed),
        cmocka_unit_test(test_rules_run_balance_blanks),
        cmocka_unit_test(test_rules_run_error_isolated),
        cmocka_unit_test(test_rules_run_budget),
        cmocka_unit_test(test_rules_run_memory),
        cmocka_unit_test(test_rules_run_sandbox),
        cmocka_unit_test(test_rules_run_finding_fields),
        cmocka_unit_test(test_rules_new_syntax_error),
        cmocka_unit_test(test_rules_new_invalid_rule),
        cmocka_unit_test(test_rules_new_override),
        cmocka_unit_test(test_rules_new_files),
        cmocka_unit_test(test_rules_run_hostile),
        cmocka_unit_test(test_rules_run_load),
        cmocka_unit_test(test_rules_run_require_lib),
        cmocka_unit_test(test_rules_configure_apply),
        cmocka_unit_test(test_rules_configure_errors),
        cmocka_unit_test(test_rules_run_opts),
        cmocka_unit_test(test_rules_configure_pipeline),
        cmocka_unit_test(test_rules_test_runner),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
