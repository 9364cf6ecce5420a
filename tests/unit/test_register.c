/* The request register (core/src/ogid_register.c): which documents are
 * registers, the header found by column names in Chinese or English in any
 * order, every kind of value read or noted, the agency and year from the
 * lines above the header or the file name, row lines, and the counts.
 * Documents are built here through the same builder the plugins use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "ogid/ogid_error.h"
#include "ogid_document.h"
#include "ogid_register.h"

/* ---- Building documents ---------------------------------------------------- */

struct doc {
    struct ogid_document *d;
    struct ogid_doc_builder b;
};

static void doc_init(struct doc *x)
{
    assert_int_equal(ogid_document_new(100000, &x->d), 0);
    ogid_document_builder(x->d, &x->b);
}

static void para(struct doc *x, const char *text, uint32_t line)
{
    assert_int_equal(x->b.paragraph(x->b.ctx, text, strlen(text), line), 0);
}

/* A table of rows; each row a list of cells ending in NULL. */
static void table(struct doc *x, uint32_t line, const char *const *const *rows)
{
    assert_int_equal(x->b.table_begin(x->b.ctx, line), 0);
    for (size_t r = 0; rows[r] != NULL; r++) {
        assert_int_equal(x->b.row_begin(x->b.ctx), 0);
        for (size_t c = 0; rows[r][c] != NULL; c++)
            assert_int_equal(x->b.cell(x->b.ctx, rows[r][c], strlen(rows[r][c]), 1, 1), 0);
    }
    assert_int_equal(x->b.table_end(x->b.ctx), 0);
}

#define ROW(...) ((const char *const[]){__VA_ARGS__, NULL})
#define ROWS(...) ((const char *const *const[]){__VA_ARGS__, NULL})

static json_t *build(struct doc *x, const char *file)
{
    json_t *source = json_pack("{s:s, s:s}", "file", file, "format", "csv");
    json_t *model = NULL;

    assert_non_null(source);
    assert_int_equal(ogid_register_build(x->d, source, &model), 0);
    json_decref(source);
    return model;
}

static json_t *row(json_t *model, size_t i)
{
    json_t *r = json_array_get(json_object_get(model, "rows"), i);

    assert_non_null(r);
    return r;
}

static const char *str(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* The number of notes with this code, and the first one. */
static size_t notes(json_t *model, const char *code, json_t **first)
{
    size_t i, n = 0;
    json_t *note;

    if (first != NULL)
        *first = NULL;
    json_array_foreach(json_object_get(model, "notes"), i, note)
    {
        if (strcmp(str(note, "code"), code) == 0) {
            if (n++ == 0 && first != NULL)
                *first = note;
        }
    }
    return n;
}

/* ---- Tests ---------------------------------------------------------------- */

static void test_register_detect(void **state)
{
    struct doc a, b, c, d;
    json_t *model = (json_t *)1;

    /* Table 三 of a report names no register column. */
    doc_init(&a);
    para(&a, "三、收到和处理政府信息公开申请情况", 1);
    table(
        &a, 2,
        ROWS(ROW("申请人情况", "自然人", "商业企业", "科研机构", "社会公益组织",
                 "法律服务机构", "其他", "总计"),
             ROW("一、本年新收政府信息公开申请数量", "15", "1", "0", "0", "0", "0", "16")));
    assert_false(ogid_register_detect(&*a.d));
    assert_int_equal(ogid_register_build(a.d, NULL, &model), OGID_EINVAL);
    assert_null(model);
    ogid_document_free(a.d);

    /* Two names are not enough; three are. */
    doc_init(&b);
    table(&b, 1, ROWS(ROW("编号", "申请人", "备注"), ROW("1", "甲", "x")));
    assert_false(ogid_register_detect(b.d));
    ogid_document_free(b.d);
    doc_init(&c);
    table(&c, 1,
          ROWS(ROW("id", "备注", "Received", "答复日期"), ROW("1", "x", "2023-01-05", "")));
    assert_true(ogid_register_detect(c.d));
    ogid_document_free(c.d);

    /* A header below a title and meta rows is found; one past the first 30
     * rows is not looked for. */
    doc_init(&d);
    {
        static const char *const note_row[] = {"说明", NULL};
        const char *const *rows[40];
        size_t n = 0;

        rows[n++] = ROW("依申请公开登记台账");
        for (int i = 0; i < 30; i++)
            rows[n++] = note_row;
        rows[n++] = ROW("编号", "申请人", "收到日期");
        rows[n] = NULL;
        table(&d, 1, (const char *const *const *)rows);
    }
    assert_false(ogid_register_detect(d.d));
    ogid_document_free(d.d);
    assert_false(ogid_register_detect(NULL));
}

/* Columns by Chinese name or English alias, in any order, units in
 * brackets, unknown columns ignored, a second column of one name noted. */
static void test_register_columns(void **state)
{
    struct doc x;
    json_t *model, *r, *cols, *note;

    doc_init(&x);
    table(&x, 1,
          ROWS(ROW("备注", "Outcome", "收费金额（元）", "页数(页)", "ID", "received",
                   "Applicant_Type", "答复日期", "received"),
               ROW("x", "granted", "150", "45", "R1", "2023-01-05", "自然人", "2023-01-20",
                   "2023-02-01")));
    model = build(&x, "r.csv");
    cols = json_object_get(model, "columns");
    assert_int_equal(json_array_size(cols), 7);
    assert_string_equal(json_string_value(json_array_get(cols, 0)), "outcome");
    assert_string_equal(json_string_value(json_array_get(cols, 1)), "fee");
    r = row(model, 0);
    assert_string_equal(str(r, "id"), "R1");
    assert_string_equal(str(r, "outcome"), "granted");
    assert_int_equal(json_integer_value(json_object_get(r, "fee")), 150);
    assert_int_equal(json_integer_value(json_object_get(r, "pages")), 45);
    assert_string_equal(str(r, "received"), "2023-01-05"); /* the first of the two */
    assert_string_equal(str(r, "applicant_type"), "natural_person");
    /* Columns the register lacks are null (extended: false). */
    assert_true(json_is_null(json_object_get(r, "applicant")));
    assert_true(json_is_null(json_object_get(r, "correction_requested")));
    assert_true(json_is_false(json_object_get(r, "extended")));
    assert_false(json_object_get(r, "备注") != NULL);
    assert_int_equal(notes(model, "REGISTER_DUPLICATE_COLUMN", &note), 1);
    assert_string_equal(str(json_object_get(note, "where"), "column"), "received");
    assert_int_equal(notes(model, "REGISTER_COLUMN_MISSING", NULL), 0);
    json_decref(model);
    ogid_document_free(x.d);

    /* Without 收到日期, 答复日期, 申请人类型 or 办理结果 it says so. */
    doc_init(&x);
    table(&x, 1, ROWS(ROW("编号", "申请人", "延期"), ROW("1", "甲", "否")));
    model = build(&x, "r.csv");
    assert_int_equal(notes(model, "REGISTER_COLUMN_MISSING", NULL), 4);
    json_decref(model);
    ogid_document_free(x.d);
}

static void test_register_dates(void **state)
{
    struct doc x;
    json_t *model, *note, *where;

    doc_init(&x);
    table(&x, 4,
          ROWS(ROW("编号", "收到日期", "答复日期", "补正通知日期"),
               ROW("1", "2023/1/5", "2023年1月20日", "20230106"),
               ROW("2", "2023-01-05 10:30", "二〇二三年一月二十日", "-"),
               ROW("3", "2023-02-30", "/", "无"), ROW("4", "2023.3.1", "下周", "")));
    model = build(&x, "r.csv");
    assert_string_equal(str(row(model, 0), "received"), "2023-01-05");
    assert_string_equal(str(row(model, 0), "replied"), "2023-01-20");
    assert_string_equal(str(row(model, 0), "correction_requested"), "2023-01-06");
    assert_string_equal(str(row(model, 1), "received"), "2023-01-05");
    assert_string_equal(str(row(model, 1), "replied"), "2023-01-20");
    assert_true(json_is_null(json_object_get(row(model, 1), "correction_requested")));
    assert_true(json_is_null(json_object_get(row(model, 2), "received")));
    assert_true(json_is_null(json_object_get(row(model, 2), "replied")));
    assert_string_equal(str(row(model, 3), "received"), "2023-03-01");
    assert_true(json_is_null(json_object_get(row(model, 3), "replied")));
    /* Two dates could not be read: each noted with its line and column. */
    assert_int_equal(notes(model, "REGISTER_BAD_DATE", &note), 2);
    where = json_object_get(note, "where");
    assert_int_equal(json_integer_value(json_object_get(where, "line")), 7);
    assert_string_equal(str(where, "column"), "received");
    assert_non_null(strstr(str(note, "message"), "2023-02-30"));
    assert_non_null(strstr(str(note, "message"), "第7行"));
    json_decref(model);
    ogid_document_free(x.d);
}

static void test_register_values(void **state)
{
    struct doc x;
    json_t *model, *note;

    doc_init(&x);
    table(&x, 1,
          ROWS(ROW("编号", "延期", "收费金额", "件数", "页数", "申请人类型"),
               ROW("1", "是", "1,100元", "3件", "120", "企业"),
               ROW("2", "否", "¥150", "", "-", "律师事务所"),
               ROW("3", "Y", "0", "1", "0", "research"),
               ROW("4", "", "abc", "2.5", "-3", "法人"),
               ROW("5", "也许", "150.5", "无", "10页", "其他")));
    model = build(&x, "r.csv");
    assert_true(json_is_true(json_object_get(row(model, 0), "extended")));
    assert_true(json_is_false(json_object_get(row(model, 1), "extended")));
    assert_true(json_is_true(json_object_get(row(model, 2), "extended")));
    assert_true(json_is_false(json_object_get(row(model, 3), "extended")));
    assert_true(json_is_false(json_object_get(row(model, 4), "extended")));
    assert_int_equal(json_integer_value(json_object_get(row(model, 0), "fee")), 1100);
    assert_int_equal(json_integer_value(json_object_get(row(model, 1), "fee")), 150);
    assert_int_equal(json_integer_value(json_object_get(row(model, 2), "fee")), 0);
    assert_true(json_is_null(json_object_get(row(model, 3), "fee")));
    assert_true(json_is_real(json_object_get(row(model, 4), "fee")));
    assert_int_equal(json_integer_value(json_object_get(row(model, 0), "items")), 3);
    assert_true(json_is_null(json_object_get(row(model, 1), "items")));
    assert_true(json_is_null(json_object_get(row(model, 3), "items")));
    assert_int_equal(json_integer_value(json_object_get(row(model, 0), "pages")), 120);
    assert_true(json_is_null(json_object_get(row(model, 1), "pages")));
    assert_true(json_is_null(json_object_get(row(model, 3), "pages")));
    assert_int_equal(json_integer_value(json_object_get(row(model, 4), "pages")), 10);
    assert_string_equal(str(row(model, 0), "applicant_type"), "commercial");
    assert_string_equal(str(row(model, 1), "applicant_type"), "legal_services");
    assert_string_equal(str(row(model, 2), "applicant_type"), "research");
    assert_true(json_is_null(json_object_get(row(model, 3), "applicant_type")));
    assert_string_equal(str(row(model, 4), "applicant_type"), "other_org");
    /* abc, -3 and 2.5 件 are not numbers; 也许 is not 是 or 否; 法人 is no
     * column of table 三. */
    assert_int_equal(notes(model, "REGISTER_BAD_NUMBER", NULL), 3);
    assert_int_equal(notes(model, "REGISTER_BAD_VALUE", &note), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(note, "where"), "line")), 6);
    assert_int_equal(notes(model, "REGISTER_UNKNOWN_TYPE", NULL), 1);
    json_decref(model);
    ogid_document_free(x.d);
}

/* Outcomes as the labels of table 三, with or without numbering and group
 * heading, in their short forms, or as the keys of REPORT-MODEL.md. */
static void test_register_outcomes(void **state)
{
    static const char *const cases[][2] = {
        {"予以公开", "granted"},
        {"(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "partly_granted"},
        {"（四）1.本机关不掌握相关政府信息", "unavailable.not_held"},
        {"不予公开—保护第三方合法权益", "withheld.third_party"},
        {"3.危及“三安全一稳定”", "withheld.security_stability"},
        {"危及\"三安全一稳定\"", "withheld.security_stability"},
        {"四类过程性信息", "withheld.process_information"},
        {"unavailable.not_held", "unavailable.not_held"},
        {"Granted", "granted"},
        {"申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
         "other.no_correction"},
        {"逾期未按收费通知要求缴纳费用", "other.unpaid_fee"},
        {"其他处理-3.其他", "other.misc"},
        {"其他", "other.misc"},
        {"重复申请", "declined.duplicate"},
        {"5.要求行政机关确认或重新出具已获取信息", "declined.confirmation"},
    };
    const size_t n = sizeof cases / sizeof cases[0];
    const char *const *rows[32];
    const char *cells[32][5];
    struct doc x;
    json_t *model;

    rows[0] = ROW("编号", "收到日期", "答复日期", "办理结果");
    for (size_t i = 0; i < n; i++) {
        cells[i][0] = "1";
        cells[i][1] = "2023-01-05";
        cells[i][2] = "2023-01-06";
        cells[i][3] = cases[i][0];
        cells[i][4] = NULL;
        rows[i + 1] = cells[i];
    }
    rows[n + 1] = ROW("x", "2023-01-05", "2023-01-06", "已办结");
    rows[n + 2] = NULL;
    doc_init(&x);
    table(&x, 1, (const char *const *const *)rows);
    model = build(&x, "r.csv");
    for (size_t i = 0; i < n; i++) {
        const char *got = str(row(model, i), "outcome");

        if (got == NULL || strcmp(got, cases[i][1]) != 0)
            fail_msg("%s: %s, not %s", cases[i][0], got ? got : "null", cases[i][1]);
    }
    assert_true(json_is_null(json_object_get(row(model, n), "outcome")));
    assert_int_equal(notes(model, "REGISTER_UNKNOWN_OUTCOME", NULL), 1);
    /* Fifteen rows with the id "1": fourteen duplicates. */
    assert_int_equal(notes(model, "REGISTER_DUPLICATE_ID", NULL), n - 1);
    json_decref(model);
    ogid_document_free(x.d);
}

static void test_register_meta(void **state)
{
    struct doc x;
    json_t *model, *meta;

    /* From comment paragraphs (a CSV's "# …" lines), which win over the
     * file name. */
    doc_init(&x);
    para(&x, "机关:同心县人民政府办公室", 1);
    para(&x, "年度:2023年度", 2);
    table(&x, 3, ROWS(ROW("编号", "收到日期", "答复日期"), ROW("1", "2023-01-05", "")));
    model = build(&x, "other-2020-台账.csv");
    meta = json_object_get(model, "meta");
    assert_string_equal(str(meta, "agency"), "同心县人民政府办公室");
    assert_int_equal(json_integer_value(json_object_get(meta, "year")), 2023);
    assert_true(json_is_null(json_object_get(meta, "title")));
    assert_string_equal(str(model, "kind"), "register");
    assert_int_equal(json_integer_value(json_object_get(model, "model")), 1);
    json_decref(model);
    ogid_document_free(x.d);

    /* From rows above the header (a sheet): one cell "key: value", or a
     * key cell and a value cell. */
    doc_init(&x);
    table(&x, 1,
          ROWS(ROW("# 机关：某某市自然资源局"), ROW("年度", "2022"), ROW(""),
               ROW("编号", "收到日期", "答复日期"), ROW("1", "2022-01-05", "")));
    model = build(&x, "x.xlsx");
    meta = json_object_get(model, "meta");
    assert_string_equal(str(meta, "agency"), "某某市自然资源局");
    assert_int_equal(json_integer_value(json_object_get(meta, "year")), 2022);
    /* The row after the header is on sheet row 5. */
    assert_int_equal(json_integer_value(json_object_get(row(model, 0), "line")), 5);
    json_decref(model);
    ogid_document_free(x.d);

    /* From the file name: <agency>-<year>-台账. */
    doc_init(&x);
    table(&x, 1, ROWS(ROW("编号", "收到日期", "答复日期"), ROW("1", "2023-01-05", "")));
    model = build(&x, "/spool/work/同心县人民政府办公室-2023-台账.csv");
    meta = json_object_get(model, "meta");
    assert_string_equal(str(meta, "agency"), "同心县人民政府办公室");
    assert_int_equal(json_integer_value(json_object_get(meta, "year")), 2023);
    assert_int_equal(notes(model, "REGISTER_NO_AGENCY", NULL), 0);
    json_decref(model);
    model = build(&x, "某某局_2021_register.xlsx");
    meta = json_object_get(model, "meta");
    assert_string_equal(str(meta, "agency"), "某某局");
    assert_int_equal(json_integer_value(json_object_get(meta, "year")), 2021);
    json_decref(model);
    /* Nowhere: null, and noted. */
    model = build(&x, "register.csv");
    meta = json_object_get(model, "meta");
    assert_true(json_is_null(json_object_get(meta, "agency")));
    assert_true(json_is_null(json_object_get(meta, "year")));
    assert_int_equal(notes(model, "REGISTER_NO_AGENCY", NULL), 1);
    assert_int_equal(notes(model, "REGISTER_NO_YEAR", NULL), 1);
    json_decref(model);
    ogid_document_free(x.d);
}

/* Row lines: the table's line plus the row; empty rows (blank lines, the
 * second line of a quoted field) are not requests; a totals row is not a
 * request either. A format without lines gives the row in its table. */
static void test_register_rows(void **state)
{
    struct doc x;
    json_t *model, *note;

    doc_init(&x);
    table(&x, 10,
          ROWS(ROW("编号", "收到日期", "答复日期", "备注"), ROW("1", "2023-01-05", "", ""),
               ROW("", "", "", ""), ROW("2", "2023-01-06", "", ""),
               ROW("", "", "", "只有备注的行"), ROW("合计", "", "", "2件")));
    model = build(&x, "r.csv");
    assert_int_equal(json_array_size(json_object_get(model, "rows")), 2);
    assert_int_equal(json_integer_value(json_object_get(row(model, 0), "line")), 11);
    assert_int_equal(json_integer_value(json_object_get(row(model, 1), "line")), 13);
    assert_int_equal(notes(model, "REGISTER_TOTALS_ROW", &note), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(note, "where"), "line")), 15);
    json_decref(model);
    ogid_document_free(x.d);

    doc_init(&x);
    table(&x, 0, ROWS(ROW("编号", "收到日期", "答复日期"), ROW("1", "2023-01-05", "")));
    model = build(&x, "r.docx");
    assert_int_equal(json_integer_value(json_object_get(row(model, 0), "line")), 2);
    json_decref(model);
    ogid_document_free(x.d);
}

static void test_register_counts(void **state)
{
    struct doc x;
    json_t *model, *counts, *by_type, *by_outcome;

    doc_init(&x);
    table(&x, 1,
          ROWS(ROW("编号", "申请人类型", "收到日期", "答复日期", "办理结果"),
               ROW("1", "自然人", "2023-01-05", "2023-01-10", "予以公开"),
               ROW("2", "自然人", "2023-01-05", "", "逾期不补正"),
               ROW("3", "商业企业", "2023-01-05", "", ""),
               ROW("4", "", "2023-01-05", "2023-01-10", "部分公开"),
               ROW("5", "科研机构", "2023-01-05", "2023-01-10", "")));
    model = build(&x, "r.csv");
    counts = json_object_get(model, "counts");
    by_type = json_object_get(counts, "by_applicant_type");
    by_outcome = json_object_get(counts, "by_outcome");
    assert_int_equal(json_integer_value(json_object_get(counts, "rows")), 5);
    assert_int_equal(json_integer_value(json_object_get(by_type, "natural_person")), 2);
    assert_int_equal(json_integer_value(json_object_get(by_type, "commercial")), 1);
    assert_int_equal(json_integer_value(json_object_get(by_type, "research")), 1);
    assert_int_equal(json_integer_value(json_object_get(by_type, "legal_services")), 0);
    assert_int_equal(json_integer_value(json_object_get(by_type, "unknown")), 1);
    assert_int_equal(json_object_size(by_outcome), 3);
    assert_int_equal(json_integer_value(json_object_get(by_outcome, "granted")), 1);
    assert_int_equal(json_integer_value(json_object_get(by_outcome, "other.no_correction")),
                     1);
    /* Pending: neither a reply nor an outcome (row 3). */
    assert_int_equal(json_integer_value(json_object_get(counts, "pending")), 1);
    json_decref(model);
    ogid_document_free(x.d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_detect),   cmocka_unit_test(test_register_columns),
        cmocka_unit_test(test_register_dates),    cmocka_unit_test(test_register_values),
        cmocka_unit_test(test_register_outcomes), cmocka_unit_test(test_register_meta),
        cmocka_unit_test(test_register_rows),     cmocka_unit_test(test_register_counts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
