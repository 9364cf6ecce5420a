/* Tests of the `ogid` module that rules require (ogid_rules_api.c): numbers
 * in prose (Chinese numerals too) and the sentences they come from,
 * find_number, dates, sentences, section lookup and the working-day
 * calendar, called from a real rule in the real sandbox. Each case is a Lua
 * expression; the rule evaluates all of them under pcall and reports each
 * result, serialised, as one finding. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ftw.h>
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
#include "ogid_rules.h"
#include "ogid_rules_api.h"

struct expr {
    const char *lua;  /* an expression */
    const char *want; /* its value, serialised by ser() below; "ERR …" a prefix of the error */
};

/* Serialises a value: tables with sorted keys, strings in quotes. */
static const char harness_head[] =
    "local ogid = require 'ogid'\n"
    "local function ser(v)\n"
    "  if type(v) == 'table' then\n"
    "    local keys, out = {}, {}\n"
    "    for k in pairs(v) do keys[#keys + 1] = k end\n"
    "    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)\n"
    "    for _, k in ipairs(keys) do out[#out + 1] = tostring(k) .. '=' .. ser(v[k]) end\n"
    "    return '{' .. table.concat(out, ',') .. '}'\n"
    "  elseif type(v) == 'string' then return '\"' .. v .. '\"'\n"
    "  else return tostring(v) end\n"
    "end\n"
    "-- Numbers as 'value unit' joined by ';'.\n"
    "local function nums(s)\n"
    "  local out = {}\n"
    "  for _, n in ipairs(ogid.numbers(s)) do\n"
    "    out[#out + 1] = tostring(n.value) .. (n.unit or '') .. (n.approx and '~' or '')\n"
    "  end\n"
    "  return table.concat(out, ';')\n"
    "end\n"
    "local function pick(...) local t = table.pack(...) return t end\n"
    "local cases = {\n";

static const char harness_tail[] =
    "}\n"
    "return { id = 'test.api', title = 't', severity = 'info',\n"
    "  check = function(_, ctx)\n"
    "    for i, f in ipairs(cases) do\n"
    "      local ok, v = pcall(f)\n"
    "      local msg = ok and ser(v) or ('ERR ' .. tostring(v))\n"
    "      if msg == '' then msg = '(empty)' end\n"
    "      ctx:finding{ code = 'R' .. i, message = msg }\n"
    "    end\n"
    "  end }\n";

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Evaluates the expressions in one rule and checks each result. */
static void check_exprs(const struct expr *cases, size_t n)
{
    char dir[] = "/tmp/ogid-test-api-XXXXXX", path[256], code[32], err[1024];
    char *paths[1] = {dir};
    struct ogid_rules *rs = NULL;
    json_t *model, *findings, *f;
    size_t i, k;
    FILE *out;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/api.lua", dir);
    out = fopen(path, "w");
    assert_non_null(out);
    fputs(harness_head, out);
    for (i = 0; i < n; i++)
        fprintf(out, "  function() return %s end,\n", cases[i].lua);
    fputs(harness_tail, out);
    assert_int_equal(fclose(out), 0);

    if (ogid_rules_new(paths, 1, &rs, err, sizeof err) != 0)
        fail_msg("%s", err);
    model = json_pack("{s:i}", "model", 1);
    findings = json_array();
    assert_int_equal(ogid_rules_run(rs, model, findings), 0);
    for (i = 0; i < n; i++) {
        const char *got = NULL;

        snprintf(code, sizeof code, "R%zu", i + 1);
        json_array_foreach(findings, k, f)
        {
            if (strcmp(json_string_value(json_object_get(f, "code")), code) == 0)
                got = json_string_value(json_object_get(f, "message"));
        }
        if (got == NULL) {
            char *dump = json_dumps(findings, 0);
            fail_msg("%s: no result in %s", cases[i].lua, dump);
        }
        if (strncmp(cases[i].want, "ERR ", 4) == 0 ? strstr(got, cases[i].want + 4) == NULL ||
                                                         strncmp(got, "ERR ", 4) != 0
                                                   : strcmp(got, cases[i].want) != 0)
            fail_msg("%s\n  gives: %s\n  wants: %s", cases[i].lua, got, cases[i].want);
    }
    json_decref(findings);
    json_decref(model);
    ogid_rules_free(rs);
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void test_numbers_digits(void **state)
{
    static const struct expr cases[] = {
        {"nums('全年共受理依申请公开事项16件，其中自然人15件。')", "\"16件;15件\""},
        {"nums('收费3.2万元，共1,234件，增长95%，另有100余件')",
         "\"3.2万元;1234件;95%;100件~\""},
        {"nums('2024-01-22')", "\"2024;1;22\""},
        {"nums('2024.01.22 与 3.5')", "\"2024;1;22;3.5\""},
        {"nums('本年增/减 -3 项，1-12月')", "\"-3项;1;12月\""},
        {"nums('20 个工作日内')", "\"20个工作日\""},
        {"nums('没有数字')", "\"\""},
        {"nums('99999999999999999999')", "\"1e+20\""},
        {"math.type(ogid.numbers('16件')[1].value)", "\"integer\""},
        {"math.type(ogid.numbers('3.5')[1].value)", "\"float\""},
    };

    (void)state;
    check_exprs(cases, sizeof cases / sizeof *cases);
}

static void test_numbers_chinese(void **state)
{
    static const struct expr cases[] = {
        {"nums('十二')", "\"12\""},
        {"nums('一百零五件')", "\"105件\""},
        {"nums('两件')", "\"2件\""},
        {"nums('〇')", "\"0\""},
        {"nums('收费为零')", "\"0\""},
        {"nums('二〇二三年')", "\"2023年\""},
        {"nums('三千五百元')", "\"3500元\""},
        {"nums('一万二千件')", "\"12000件\""},
        {"nums('十万元')", "\"10万元\""},
        {"nums('二十个工作日')", "\"20个工作日\""},
        {"nums('百分之九十五')", "\"95%\""},
        {"nums('十四五规划')", "\"14;5\""},
        {"nums('统一部署，进一步加强，一般情况')", "\"\""},
        {"nums('共受理三十一件，办结二十九件')", "\"31件;29件\""},
        {"nums('一亿二千万元')", "\"120000000元\""},
    };

    (void)state;
    check_exprs(cases, sizeof cases / sizeof *cases);
}

static void test_numbers_records(void **state)
{
    static const struct expr cases[] = {
        {"ogid.numbers('第一句。 全年收到申请16件；其余\\n')[2]",
         "{pos=32,sentence=\"全年收到申请16件\",text=\"16\",unit=\"件\",value=16}"},
        {"ogid.numbers('共十二件')[1]",
         "{pos=4,sentence=\"共十二件\",text=\"十二\",unit=\"件\",value=12}"},
        {"ogid.numbers('约100余件')[1].approx", "true"},
        {"ogid.numbers('a\\nb 7')[1].sentence", "\"b 7\""},
        {"ogid.numbers(42)", "{1={pos=1,sentence=\"42\",text=\"42\",value=42}}"},
        {"ogid.numbers()", "ERR bad argument #1 to 'numbers'"},
    };

    (void)state;
    check_exprs(cases, sizeof cases / sizeof *cases);
}

static void test_find_number(void **state)
{
    static const struct expr cases[] = {
        {"ogid.find_number('全年共受理依申请公开事项16件，办结15件。', '共受理', '件')", "16"},
        {"ogid.find_number('本年度收到政府信息公开申请20件。', '收到.-申请', '件')", "20"},
        {"ogid.find_number('共受理2023年度申请16件', '共受理', '件')", "16"},
        {"ogid.find_number('办结12件。共受理16件。', '共受理', '件')", "16"},
        {"ogid.find_number('办结12件。', '共受理', '件')", "nil"},
        {"ogid.find_number('共受理申请十六件', '受理')", "16"},
        {"ogid.find_number('2023年共16件', nil, '件')", "16"},
        {"select(2, ogid.find_number('前言。全年共受理16件，办结15件', '共受理', '件')).sentence",
         "\"全年共受理16件，办结15件\""},
        {"ogid.find_number('共受理16件', '共受理[', '件')", "ERR malformed pattern"},
    };

    (void)state;
    check_exprs(cases, sizeof cases / sizeof *cases);
}

static void test_date(void **state)
{
    static const struct expr cases[] = {
        {"ogid.date('2024-01-22')", "\"2024-01-22\""},
        {"ogid.date('2024-01-22 10:05')", "\"2024-01-22\""},
        {"ogid.date('2024-01-22 10:05:59')", "\"2024-01-22\""},
        {"ogid.date('2024年1月22日')", "\"2024-01-22\""},
        {"ogid.date('2024 年 1 月 22 日')", "\"2024-01-22\""},
        {"ogid.date('2024年01月22号 10:05')", "\"2024-01-22\""},
        {"ogid.date('2024/1/22')", "\"2024-01-22\""},
        {"ogid.date('2024.01.22')", "\"2024-01-22\""},
        {"ogid.date(' 2024-1-2 ')", "\"2024-01-02\""},
        {"ogid.date('二〇二四年一月二十二日')", "\"2024-01-22\""},
        {"ogid.date('二〇二三年十二月三十一日')", "\"2023-12-31\""},
        {"ogid.date('2024-02-29')", "\"2024-02-29\""},
        {"ogid.date('2023-02-29')", "nil"},
        {"ogid.date('2024-13-01')", "nil"},
        {"ogid.date('2024-01-22x')", "nil"},
        {"ogid.date('2024-01/22')", "nil"},
        {"ogid.date('发布日期：2024-01-22')", "nil"},
        {"ogid.date('20240122')", "nil"},
        {"ogid.date('24-01-22')", "nil"},
        {"ogid.date(20240122)", "nil"},
        {"ogid.date(nil)", "nil"},
    };

    (void)state;
    check_exprs(cases, sizeof cases / sizeof *cases);
}

static void test_sentences_section(void **state)
{
    static const struct expr cases[] = {
        {"ogid.sentences('一。二；三！四？五\\n六;七!八?九。。 ')",
         "{1=\"一\",2=\"二\",3=\"三\",4=\"四\",5=\"五\",6=\"六\",7=\"七\",8=\"八\",9=\"九\"}"},
        {"ogid.sentences('')", "{}"},
        {"ogid.section({ sections = { { no = 1, title = 'a' }, { no = 5, title = 'b' } } }, "
         "5).title",
         "\"b\""},
        {"ogid.section({ sections = { { no = 1 } } }, 2)", "nil"},
        {"ogid.section({}, 1)", "nil"},
        {"ogid.api", "2"},
    };

    (void)state;
    check_exprs(cases, sizeof cases / sizeof *cases);
}

static void test_calendar(void **state)
{
    static const struct expr cases[] = {
        /* A Sunday made a working day for the Spring Festival of 2024. */
        {"ogid.calendar.is_workday('2024-02-04')", "true"},
        {"ogid.calendar.is_workday('2024-02-12')", "false"},
        {"ogid.calendar.is_workday('2024年1月22日')", "true"},
        /* DOMAIN.md §6: received Friday 2023-09-22, due 2023-10-26. */
        {"ogid.calendar.add_workdays('2023-09-22', 20)", "\"2023-10-26\""},
        {"ogid.calendar.add_workdays('2023-09-22', 0)", "\"2023-09-22\""},
        {"ogid.calendar.workdays_between('2023-09-22', '2023-10-26')", "20"},
        {"ogid.calendar.workdays_between('2023-10-26', '2023-09-22')", "-20"},
        {"ogid.calendar.weekday('2024-02-04')", "0"},
        {"ogid.calendar.day_name('2023-10-01')", "\"中秋节、国庆节\""},
        {"ogid.calendar.day_name('2023-10-09')", "nil"},
        {"ogid.calendar.covers(2023)", "true"},
        {"ogid.calendar.covers(2031)", "false"},
        /* A year without its holiday notice is never guessed. */
        {"ogid.calendar.is_workday('2031-05-06')",
         "ERR ogid.calendar.is_workday: 2031 is not covered by the working-day calendar"},
        {"ogid.calendar.add_workdays('2026-12-20', 30)", "ERR 2027 is not covered"},
        {"ogid.calendar.workdays_between('2017-06-01', '2018-03-01')", "ERR 2017 is not covered"},
        {"pick(pcall(ogid.calendar.is_workday, '2031-05-06'))[1]", "false"},
        {"ogid.calendar.is_workday('soon')", "ERR \"soon\" is not a date"},
        {"ogid.calendar.is_workday(20240204)", "ERR must be a date string"},
        {"ogid.calendar.add_workdays('2023-09-22', -1)", "ERR must be 0 to 100000"},
    };

    (void)state;
    check_exprs(cases, sizeof cases / sizeof *cases);
}

static void test_parse_date_c(void **state)
{
    char out[11];
    int y, m, d;

    (void)state;
    assert_int_equal(ogid_rules_parse_date("2023年9月22日", strlen("2023年9月22日"), &y, &m, &d, out),
                     1);
    assert_int_equal(y, 2023);
    assert_int_equal(m, 9);
    assert_int_equal(d, 22);
    assert_string_equal(out, "2023-09-22");
    assert_int_equal(ogid_rules_parse_date("", 0, &y, &m, &d, out), 0);
    assert_int_equal(ogid_rules_parse_date("2024-01-22", 7, NULL, NULL, NULL, out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_digits),   cmocka_unit_test(test_numbers_chinese),
        cmocka_unit_test(test_numbers_records),  cmocka_unit_test(test_find_number),
        cmocka_unit_test(test_date),             cmocka_unit_test(test_sentences_section),
        cmocka_unit_test(test_calendar),         cmocka_unit_test(test_parse_date_c),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
