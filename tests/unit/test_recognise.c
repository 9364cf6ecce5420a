/* Unit tests of the form definitions (ogid_form.c) and the form recogniser
 * (ogid_recognise.c).
 *
 * The seed report (tests/fixtures/reports/tongxin-county-office-2023.txt) is
 * turned into a document the way text copied from a page arrives: each
 * non-blank, trimmed line one paragraph, with its 1-based line number. Every
 * meta field and every table cell is compared with the fixture's
 * .expected.json, naming the path that differs. Grids are tested with the
 * tables of the Shanghai 2019 report, cell for cell and span for span as its
 * HTML has them, compared with that report's .expected.json. */
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
#include "ogid_document.h"
#include "ogid_form.h"
#include "ogid_plugin_loader.h"
#include "ogid_recognise.h"

#define REPORTS OGID_TEST_FIXTURES "/reports/"
#define SEED REPORTS "tongxin-county-office-2023"

static struct ogid_forms *forms;

/* ---- Helpers -------------------------------------------------------- */

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *buf;
    long n;

    if (fp == NULL)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    n = ftell(fp);
    assert_true(n >= 0);
    rewind(fp);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

/* A change to one line of a text: its new content, or NULL to drop it. */
struct edit {
    uint32_t line;
    const char *text;
};

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* A document from text, one paragraph per non-blank trimmed line. */
static struct ogid_document *doc_from_text(const char *text, const struct edit *edits,
                                           size_t n_edits)
{
    struct ogid_document *doc;
    struct ogid_doc_builder b;
    const char *p = text;
    uint32_t line = 0;

    assert_int_equal(ogid_document_new(100000, &doc), 0);
    ogid_document_builder(doc, &b);
    while (*p) {
        const char *eol = strchr(p, '\n'), *s = p, *e;
        size_t i;

        e = eol ? eol : p + strlen(p);
        line++;
        for (i = 0; i < n_edits; i++)
            if (edits[i].line == line)
                break;
        if (i < n_edits) {
            s = edits[i].text ? edits[i].text : "";
            e = s + strlen(s);
        }
        while (s < e && is_space(*s))
            s++;
        while (e > s && is_space(e[-1]))
            e--;
        if (e > s)
            assert_int_equal(b.paragraph(b.ctx, s, (size_t)(e - s), line), 0);
        if (eol == NULL)
            break;
        p = eol + 1;
    }
    return doc;
}

static json_t *recognise(const struct ogid_document *doc)
{
    json_t *source = json_pack("{s:s, s:s}", "file", "test.txt", "format", "text");
    json_t *model = NULL;

    assert_non_null(source);
    assert_int_equal(ogid_recognise(doc, forms, source, &model), 0);
    assert_non_null(model);
    assert_ptr_equal(json_object_get(model, "source"), source);
    json_decref(source);
    return model;
}

static json_t *recognise_file(const char *path, const struct edit *edits, size_t n)
{
    char *text = slurp(path);
    struct ogid_document *doc = doc_from_text(text, edits, n);
    json_t *model = recognise(doc);

    ogid_document_free(doc);
    free(text);
    return model;
}

static json_t *load_json(const char *path)
{
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);

    if (j == NULL)
        fail_msg("%s:%d: %s", path, err.line, err.text);
    return j;
}

/* Compares a and b leaf by leaf; prints each path that differs and returns
 * how many do. Where `only` is set, compares only the keys of b's objects
 * (b is the expectation, which may hold less than the model). */
static int diff(const json_t *a, const json_t *b, const char *path, int only)
{
    char sub[512];
    int n = 0;

    if (json_is_object(a) && json_is_object(b)) {
        const char *k;
        json_t *v;

        json_object_foreach((json_t *)b, k, v)
        {
            snprintf(sub, sizeof(sub), "%s.%s", path, k);
            n += diff(json_object_get(a, k), v, sub, only);
        }
        json_object_foreach((json_t *)a, k, v)
        {
            if (only || json_object_get(b, k) != NULL)
                continue;
            printf("  %s.%s: unexpected %s\n", path, k, json_is_null(v) ? "null" : "value");
            n++;
        }
        return n;
    }
    if (json_is_array(a) && json_is_array(b) && json_array_size(a) == json_array_size(b)) {
        size_t i;

        for (i = 0; i < json_array_size(b); i++) {
            snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
            n += diff(json_array_get(a, i), json_array_get(b, i), sub, only);
        }
        return n;
    }
    if (a == NULL || !json_equal((json_t *)a, (json_t *)b)) {
        char *x = a ? json_dumps(a, JSON_ENCODE_ANY) : NULL;
        char *y = json_dumps(b, JSON_ENCODE_ANY);

        printf("  %s: got %s, expected %s\n", path, x ? x : "(missing)", y ? y : "?");
        free(x);
        free(y);
        return 1;
    }
    return 0;
}

/* The notes of `model` with code `code`. */
static size_t count_notes(const json_t *model, const char *code)
{
    json_t *notes = json_object_get(model, "notes"), *n;
    size_t i, k = 0;

    for (i = 0; i < json_array_size(notes); i++) {
        n = json_array_get(notes, i);
        if (strcmp(json_string_value(json_object_get(n, "code")), code) == 0)
            k++;
    }
    return k;
}

/* The first note with `code` whose where.row is `row` and where.column is
 * `column` (NULL: any). */
static json_t *find_cell_note(const json_t *model, const char *code, const char *row,
                              const char *column)
{
    json_t *notes = json_object_get(model, "notes"), *n;
    size_t i;

    json_array_foreach(notes, i, n)
    {
        json_t *w = json_object_get(n, "where");
        const char *r = json_string_value(json_object_get(w, "row"));
        const char *c = json_string_value(json_object_get(w, "column"));

        if (strcmp(json_string_value(json_object_get(n, "code")), code) == 0 &&
            (row == NULL || (r != NULL && strcmp(r, row) == 0)) &&
            (column == NULL || (c != NULL && strcmp(c, column) == 0)))
            return n;
    }
    return NULL;
}

static json_t *find_note(const json_t *model, const char *code, const char *row)
{
    return find_cell_note(model, code, row, NULL);
}

static void print_notes(const json_t *model)
{
    char *s = json_dumps(json_object_get(model, "notes"), JSON_INDENT(1));

    printf("%s\n", s ? s : "?");
    free(s);
}

static json_t *path_get(json_t *model, const char *a, const char *b, const char *c)
{
    json_t *v = json_object_get(model, a);

    if (b != NULL)
        v = json_object_get(v, b);
    if (c != NULL)
        v = json_object_get(v, c);
    return v;
}

/* ---- Grids ---------------------------------------------------------- */

struct gcell {
    const char *text;
    uint32_t rs, cs;
};

#define ROW_END                                                                            \
    {                                                                                      \
        NULL, 0, 0                                                                         \
    }
#define TABLE_END                                                                          \
    {                                                                                      \
        NULL, 1, 1                                                                         \
    }

static void add_grid(struct ogid_doc_builder *b, const struct gcell *g, uint32_t line)
{
    int open = 0;

    assert_int_equal(b->table_begin(b->ctx, line), 0);
    for (; !(g->text == NULL && g->rs == 1); g++) {
        if (g->text == NULL) {
            open = 0;
            continue;
        }
        if (!open) {
            assert_int_equal(b->row_begin(b->ctx), 0);
            open = 1;
        }
        assert_int_equal(b->cell(b->ctx, g->text, strlen(g->text), g->rs, g->cs), 0);
    }
    assert_int_equal(b->table_end(b->ctx), 0);
}

static void add_para(struct ogid_doc_builder *b, const char *text, uint32_t line)
{
    assert_int_equal(b->paragraph(b->ctx, text, strlen(text), line), 0);
}

/* The three tables of shanghai-government-office-2019.html, as its HTML
 * spans them (form 2019, blank cells, the header/data colspan mismatch of
 * table 二, the （九） block). */
static const struct gcell shanghai_table2[] = {
    {"第二十条第（一）项", 1, 5},
    ROW_END,
    {"信息内容", 1, 1},
    {"本年新制作数量", 1, 1},
    {"本年新公开数量", 1, 2},
    {"对外公开总数量", 1, 1},
    ROW_END,
    {"规章", 1, 1},
    {"13", 1, 1},
    {"13", 1, 2},
    {"524", 1, 1},
    ROW_END,
    {"规范性文件", 1, 1},
    {"60", 1, 1},
    {"60", 1, 2},
    {"368", 1, 1},
    ROW_END,
    {"第二十条第（五）项", 1, 5},
    ROW_END,
    {"信息内容", 1, 1},
    {"上一年项目数量", 1, 1},
    {"本年增/减", 1, 2},
    {"处理决定数量", 1, 1},
    ROW_END,
    {"行政许可", 1, 1},
    {"0", 1, 2},
    {"0", 1, 1},
    {"0", 1, 1},
    ROW_END,
    {"其他对外管理服务事项", 1, 1},
    {"0", 1, 2},
    {"0", 1, 1},
    {"0", 1, 1},
    ROW_END,
    {"第二十条第（六）项", 1, 5},
    ROW_END,
    {"信息内容", 1, 1},
    {"上一年项目数量", 1, 1},
    {"本年增/减", 1, 2},
    {"处理决定数量", 1, 1},
    ROW_END,
    {"行政处罚", 1, 1},
    {"0", 1, 2},
    {"0", 1, 1},
    {"0", 1, 1},
    ROW_END,
    {"行政强制", 1, 1},
    {"0", 1, 2},
    {"0", 1, 1},
    {"0", 1, 1},
    ROW_END,
    {"第二十条第（八）项", 1, 5},
    ROW_END,
    {"信息内容", 1, 1},
    {"上一年项目数量", 1, 2},
    {"本年增/减", 1, 2},
    ROW_END,
    {"行政事业性收费", 1, 1},
    {"0", 1, 2},
    {"0", 1, 2},
    ROW_END,
    {"第二十条第（九）项", 1, 5},
    ROW_END,
    {"信息内容", 1, 1},
    {"采购项目数量", 1, 2},
    {"采购总金额", 1, 2},
    ROW_END,
    {"政府集中采购", 1, 1},
    {"6", 1, 2},
    {"251000元", 1, 2},
    ROW_END,
    TABLE_END,
};

static const struct gcell shanghai_table3[] = {
    {"（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3},
    {"申请人情况", 1, 7},
    ROW_END,
    {"自然人", 2, 1},
    {"法人或其他组织", 1, 5},
    {"总计", 2, 1},
    ROW_END,
    {"商业企业", 1, 1},
    {"科研机构", 1, 1},
    {"社会公益组织", 1, 1},
    {"法律服务机构", 1, 1},
    {"其他", 1, 1},
    ROW_END,
    {"一、本年新收政府信息公开申请数量", 1, 3},
    {"821", 1, 1},
    {"35", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"2", 1, 1},
    {"1", 1, 1},
    {"859", 1, 1},
    ROW_END,
    {"二、上年结转政府信息公开申请数量", 1, 3},
    {"18", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"18", 1, 1},
    ROW_END,
    {"三、本年度办理结果", 20, 1},
    {"（一）予以公开", 1, 2},
    {"258", 1, 1},
    {"12", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"1", 1, 1},
    {"1", 1, 1},
    {"", 1, 1},
    ROW_END,
    {"（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2},
    {"3", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    ROW_END,
    {"（三）不予公开", 8, 1},
    {"1.属于国家秘密", 1, 1},
    {"14", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    ROW_END,
    {"2.其他法律行政法规禁止公开", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    ROW_END,
    {"3.危及“三安全一稳定”", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    ROW_END,
    {"4.保护第三方合法权益", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    ROW_END,
    {"5.属于三类内部事务信息", 1, 1},
    {"5", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    ROW_END,
    {"6.属于四类过程性信息", 1, 1},
    {"3", 1, 1},
    {"1", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    ROW_END,
    {"7.属于行政执法案卷", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    ROW_END,
    {"8.属于行政查询事项", 1, 1},
    {"10", 1, 1},
    {"2", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    ROW_END,
    {"（四）无法提供", 3, 1},
    {"1.本机关不掌握相关政府信息", 1, 1},
    {"252", 1, 1},
    {"12", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"1", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    ROW_END,
    {"2.没有现成信息需要另行制作", 1, 1},
    {"44", 1, 1},
    {"3", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    ROW_END,
    {"3.补正后申请内容仍不明确", 1, 1},
    {"25", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    ROW_END,
    {"（五）不予处理", 5, 1},
    {"1.信访举报投诉类申请", 1, 1},
    {"148", 1, 1},
    {"1", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    ROW_END,
    {"2.重复申请", 1, 1},
    {"5", 1, 1},
    {"4", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    ROW_END,
    {"3.要求提供公开出版物", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    ROW_END,
    {"4.无正当理由大量反复申请", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    ROW_END,
    {"5.要求行政机关确认或重新出具已获取信息", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    ROW_END,
    {"（六）其他处理", 1, 2},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    ROW_END,
    {"（七）总计", 1, 2},
    {"767", 1, 1},
    {"35", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"2", 1, 1},
    {"1", 1, 1},
    {"805", 1, 1},
    ROW_END,
    {"四、结转下年度继续办理", 1, 3},
    {"72", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"72", 1, 1},
    ROW_END,
    TABLE_END,
};

static const struct gcell shanghai_table4[] = {
    {"行政复议", 1, 5},
    {"行政诉讼", 1, 10},
    ROW_END,
    {"结果维持", 2, 1},
    {"结果纠正", 2, 1},
    {"其他结果", 2, 1},
    {"尚未审结", 2, 1},
    {"总计", 2, 1},
    {"未经复议直接起诉", 1, 5},
    {"复议后起诉", 1, 5},
    ROW_END,
    {"结果维持", 1, 1},
    {"结果纠正", 1, 1},
    {"其他结果", 1, 1},
    {"尚未审结", 1, 1},
    {"总计", 1, 1},
    {"结果维持", 1, 1},
    {"结果纠正", 1, 1},
    {"其他结果", 1, 1},
    {"尚未审结", 1, 1},
    {"总计", 1, 1},
    ROW_END,
    {"5", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"2", 1, 1},
    {"7", 1, 1},
    {"8", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"1", 1, 1},
    {"9", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    {"", 1, 1},
    ROW_END,
    TABLE_END,
};

static struct ogid_document *shanghai_doc(void)
{
    struct ogid_document *doc;
    struct ogid_doc_builder b;

    assert_int_equal(ogid_document_new(100000, &doc), 0);
    ogid_document_builder(doc, &b);
    add_para(&b, "2019年上海市人民政府办公厅政府信息公开工作年度报告", 1);
    add_para(&b, "发布日期：2020-01-31", 2);
    add_para(&b, "一、总体情况", 3);
    add_para(&b,
             "2019年，上海市人民政府办公厅坚持以习近平新时代中国特色社会主义思想为指导。",
             4);
    add_para(&b, "二、主动公开政府信息情况", 5);
    add_grid(&b, shanghai_table2, 6);
    add_para(&b, "三、收到和处理政府信息公开申请情况", 7);
    add_grid(&b, shanghai_table3, 8);
    add_para(&b, "四、政府信息公开行政复议、行政诉讼情况", 9);
    add_grid(&b, shanghai_table4, 10);
    add_para(&b, "五、政府信息公开工作存在的主要问题及改进情况", 11);
    add_para(&b, "一是……", 12);
    add_para(&b, "六、其他需要报告的事项", 13);
    add_para(&b, "无。", 14);
    return doc;
}

static size_t count_nulls(const json_t *j)
{
    size_t n = 0, i;
    const char *k;
    json_t *v;

    if (json_is_null(j))
        return 1;
    for (i = 0; i < json_array_size(j); i++)
        n += count_nulls(json_array_get(j, i));
    if (json_is_object(j)) {
        json_object_foreach((json_t *)j, k, v)
        {
            n += count_nulls(v);
        }
    }
    return n;
}

/* ---- Group set-up --------------------------------------------------- */

static int load_forms(void **state)
{
    char err[1024];

    (void)state;
    if (ogid_forms_load(OGID_SOURCE_DIR "/rules/forms", &forms, err, sizeof(err)) != 0) {
        fprintf(stderr, "forms: %s\n", err);
        return -1;
    }
    return 0;
}

static int free_forms(void **state)
{
    (void)state;
    ogid_forms_free(forms);
    return 0;
}

/* ---- Form definitions ----------------------------------------------- */

static void test_forms_load_bundled(void **state)
{
    const struct ogid_form *f2019, *f2021;

    (void)state;
    assert_int_equal(forms->n, 2);
    f2019 = &forms->forms[0];
    f2021 = &forms->forms[1];
    assert_string_equal(f2019->id, "2019");
    assert_string_equal(f2021->id, "2021");
    assert_int_equal(f2021->n_sections, 6);
    assert_int_equal(f2021->requests.n_cols, 7);
    assert_string_equal(f2021->requests.cols[6].key, "total");
    assert_int_equal(f2021->appeals.n_groups * f2021->appeals.n_results, 15);
    /* 25 numeric rows in form 2021, 23 in form 2019. */
    {
        size_t i, n21 = 0, n19 = 0;

        for (i = 0; i < f2021->requests.n_rows; i++)
            n21 += f2021->requests.rows[i].key != NULL;
        for (i = 0; i < f2019->requests.n_rows; i++)
            n19 += f2019->requests.rows[i].key != NULL;
        assert_int_equal(n21, 25);
        assert_int_equal(n19, 23);
    }
}

static void test_norm_spelling(void **state)
{
    char *a = ogid_norm("（二）部分公开（区分处理的，只计这一情形，不计其他情形）");
    char *b = ogid_norm("(二)部分公开(区分处理的,只计这一情形。不计其他情形)");
    char *c = ogid_norm(" 发 布 日 期： Ａ１ ");

    (void)state;
    assert_string_equal(a, b);
    assert_string_equal(c, "发布日期a1");
    free(a);
    free(b);
    free(c);
}

static char *make_dir(void)
{
    char tmpl[] = "/tmp/ogid-forms-XXXXXX", *d = mkdtemp(tmpl);

    assert_non_null(d);
    return strdup(d);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void remove_dir(const char *dir, const char *name)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    unlink(path);
    rmdir(dir);
}

static void expect_load_error(const char *yaml, int code, const char *message)
{
    char *dir = make_dir(), err[1024], want[1024];
    struct ogid_forms *f = (struct ogid_forms *)1;

    write_file(dir, "bad.yaml", yaml);
    assert_int_equal(ogid_forms_load(dir, &f, err, sizeof(err)), code);
    assert_null(f);
    snprintf(want, sizeof(want), "%s/bad.yaml:%s", dir, message);
    assert_string_equal(err, want);
    remove_dir(dir, "bad.yaml");
    free(dir);
}

static void test_forms_load_errors(void **state)
{
    struct ogid_forms *f = NULL;
    char err[1024], *dir;

    (void)state;
    expect_load_error("id: \"x\"\ncolour: red\n", OGID_ECONFIG,
                      "2:1: form: unknown key \"colour\"");
    expect_load_error("id: [1, 2]\n", OGID_ECONFIG,
                      "1:5: id: expected a scalar, found a list");
    expect_load_error("id: x\nsections: {a: 1}\n", OGID_ECONFIG,
                      "2:11: sections: expected a list, found a mapping");
    expect_load_error("id: \"x\"\n", OGID_ECONFIG,
                      "1:1: form: needs sections, active, requests and appeals");
    expect_load_error("id: x\nsections:\n  - no: 99x\n", OGID_ECONFIG,
                      "3:9: no: expected a whole number from 1 to 99");
    expect_load_error(
        "id: [unclosed\n", OGID_ECONFIG,
        "2:1: while parsing a flow sequence: did not find expected ',' or ']'");

    assert_int_equal(ogid_forms_load("/nonexistent/ogid", &f, err, sizeof(err)),
                     OGID_ENOENT);
    assert_null(f);
    dir = make_dir();
    assert_int_equal(ogid_forms_load(dir, &f, err, sizeof(err)), OGID_ENOENT);
    assert_non_null(strstr(err, "no form definitions"));
    rmdir(dir);
    free(dir);
}

/* The bundled form 2021 with `from` replaced by `to`, loaded: the error
 * message names the file, line and column. */
static void expect_identity_error(const char *from, const char *to, const char *message)
{
    char *yaml = slurp(OGID_SOURCE_DIR "/rules/forms/2021.yaml"), *p, *edited;
    size_t a, b;

    p = strstr(yaml, from);
    assert_non_null(p);
    a = (size_t)(p - yaml);
    b = strlen(yaml) - a - strlen(from);
    edited = malloc(strlen(yaml) + strlen(to) + 1);
    assert_non_null(edited);
    memcpy(edited, yaml, a);
    memcpy(edited + a, to, strlen(to));
    memcpy(edited + a + strlen(to), p + strlen(from), b + 1);
    expect_load_error(edited, OGID_ECONFIG, message);
    free(edited);
    free(yaml);
}

/* Identities name keys of one table, all columns or all rows, once each. */
static void test_forms_load_identity_errors(void **state)
{
    char buf[160];
    const char *at =
        "    - sum: [new, carried_over]\n      equals: [total, carried_forward]";
    char *yaml = slurp(OGID_SOURCE_DIR "/rules/forms/2021.yaml"), *p = strstr(yaml, at);
    int line = 1;
    const char *q;

    (void)state;
    assert_non_null(p);
    for (q = yaml; q < p; q++)
        line += *q == '\n';
    free(yaml);
    snprintf(buf, sizeof(buf),
             "%d:7: requests identity: not a key of one kind: \"carried\"", line);
    expect_identity_error("equals: [total, carried_forward]", "equals: [total, carried]",
                          buf);
    snprintf(buf, sizeof(buf),
             "%d:7: requests identity: not a key of one kind: \"commercial\"", line);
    expect_identity_error("sum: [new, carried_over]", "sum: [new, commercial]", buf);
    snprintf(buf, sizeof(buf), "%d:7: requests identity: key given twice: \"new\"", line);
    expect_identity_error("sum: [new, carried_over]", "sum: [new, new]", buf);
    snprintf(buf, sizeof(buf),
             "%d:7: requests identity: its keys are rows and columns alike", line);
    expect_identity_error(
        "sum: [new, carried_over]\n      equals: [total, carried_forward]",
        "sum: [total]\n      equals: [total]", buf);
    snprintf(buf, sizeof(buf), "%d:7: identity: needs sum and equals", line);
    expect_identity_error("\n      equals: [total, carried_forward]", "", buf);
}

/* `prose:` words: a word or a list of them, as written in reports. */
static void test_forms_load_prose_errors(void **state)
{
    static const char at[] = "          prose: [废止, 清理]";
    char buf[160], *yaml = slurp(OGID_SOURCE_DIR "/rules/forms/2021.yaml");
    const char *p = strstr(yaml, at), *q;
    int line = 1;

    (void)state;
    assert_non_null(p);
    for (q = yaml; q < p; q++)
        line += *q == '\n';
    free(yaml);
    snprintf(buf, sizeof(buf), "%d:18: prose: expected a list, found a mapping", line);
    expect_identity_error(at, "          prose: {废止: 1}", buf);
    snprintf(buf, sizeof(buf), "%d:18: prose: the list is empty", line);
    expect_identity_error(at, "          prose: []", buf);
    snprintf(buf, sizeof(buf),
             "%d:18: prose: \"废 止\" is empty or holds white space or punctuation", line);
    expect_identity_error(at, "          prose: [\"废 止\"]", buf);
    snprintf(buf, sizeof(buf), "%d:11: columns: unknown key \"prose_words\"", line);
    expect_identity_error(at, "          prose_words: [废止]", buf);
}

/* ---- The seed report ------------------------------------------------ */

static void test_recognise_seed_top_level(void **state)
{
    static const char *const keys[] = {"model",  "source",   "meta",    "sections",
                                       "active", "requests", "appeals", "notes"};
    json_t *m = recognise_file(SEED ".txt", NULL, 0);
    size_t i;

    (void)state;
    assert_int_equal(json_object_size(m), 8);
    for (i = 0; i < 8; i++)
        assert_non_null(json_object_get(m, keys[i]));
    assert_int_equal(json_integer_value(json_object_get(m, "model")), 1);
    if (json_array_size(json_object_get(m, "notes")) != 0)
        print_notes(m);
    assert_int_equal(json_array_size(json_object_get(m, "notes")), 0);
    json_decref(m);
}

static void test_recognise_seed_meta(void **state)
{
    static const char *const keys[] = {"title",     "agency", "year",
                                       "published", "period", "form"};
    json_t *m = recognise_file(SEED ".txt", NULL, 0);
    json_t *want = load_json(SEED ".expected.json");
    json_t *meta = json_object_get(m, "meta");
    size_t i;
    int n = 0;

    (void)state;
    assert_int_equal(json_object_size(meta), 6);
    for (i = 0; i < 6; i++) {
        char path[64];

        snprintf(path, sizeof(path), "meta.%s", keys[i]);
        n += diff(json_object_get(meta, keys[i]),
                  json_object_get(json_object_get(want, "meta"), keys[i]), path, 0);
    }
    assert_int_equal(n, 0);
    json_decref(want);
    json_decref(m);
}

static void test_recognise_seed_tables(void **state)
{
    static const char *const tables[] = {"active", "requests", "appeals"};
    json_t *m = recognise_file(SEED ".txt", NULL, 0);
    json_t *want = load_json(SEED ".expected.json");
    size_t i;
    int n = 0;

    (void)state;
    for (i = 0; i < 3; i++)
        n += diff(json_object_get(m, tables[i]), json_object_get(want, tables[i]),
                  tables[i], 0);
    assert_int_equal(n, 0);
    assert_int_equal(json_object_size(path_get(m, "requests", "rows", NULL)), 25);
    assert_true(json_is_integer(path_get(m, "active", "fees", "amount_wan")));
    json_decref(want);
    json_decref(m);
}

static void test_recognise_seed_sections(void **state)
{
    static const char *const titles[] = {"总体情况",
                                         "主动公开政府信息情况",
                                         "收到和处理政府信息公开申请情况",
                                         "政府信息公开行政复议、行政诉讼情况",
                                         "存在的问题及改进情况",
                                         "其他需要报告的事项"};
    json_t *m = recognise_file(SEED ".txt", NULL, 0);
    json_t *secs = json_object_get(m, "sections"), *s;
    const char *text;
    size_t i;

    (void)state;
    assert_int_equal(json_array_size(secs), 6);
    json_array_foreach(secs, i, s)
    {
        assert_int_equal(json_integer_value(json_object_get(s, "no")), (json_int_t)i + 1);
        assert_string_equal(json_string_value(json_object_get(s, "title")), titles[i]);
    }
    /* Tables are left out of the text: sections 二 to 四 are all table. */
    for (i = 1; i <= 3; i++)
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(secs, i), "text")), "");
    text = json_string_value(json_object_get(json_array_get(secs, 0), "text"));
    assert_true(strncmp(text, "今年以来,同心县人民政府办公室", 40) == 0);
    assert_non_null(strstr(text, "(五)监督管理强化有序"));
    text = json_string_value(json_object_get(json_array_get(secs, 4), "text"));
    assert_true(strncmp(text, "2023年,在政务公开工作中", 30) == 0);
    /* Page chrome is not section text. */
    text = json_string_value(json_object_get(json_array_get(secs, 5), "text"));
    assert_true(strncmp(text, "(一)收取依申请公开处理费情况", 30) == 0);
    assert_non_null(strstr(text, "txxzfbgs2021@163.com)。"));
    assert_null(strstr(text, "扫一扫"));
    assert_null(strstr(text, "网站地图"));
    assert_null(strstr(text, "ICP备"));
    assert_null(strstr(text, "主办"));
    json_decref(m);
}

/* Recognises the seed with `edits` and returns how many model values differ
 * from the plain seed's, printing them. */
static int changes(const struct edit *edits, size_t n, json_t **out)
{
    static const char *const parts[] = {"meta", "sections", "active", "requests",
                                        "appeals"};
    json_t *base = recognise_file(SEED ".txt", NULL, 0);
    json_t *m = recognise_file(SEED ".txt", edits, n);
    size_t i;
    int d = 0;

    for (i = 0; i < 5; i++)
        d += diff(json_object_get(m, parts[i]), json_object_get(base, parts[i]), parts[i],
                  0);
    json_decref(base);
    *out = m;
    return d;
}

static void test_recognise_one_number_changes_one_cell(void **state)
{
    struct edit e;
    json_t *m;

    (void)state;
    /* Table 三: 5.属于三类内部事务信息, 自然人 (line 246). */
    e = (struct edit){246, "6"};
    assert_int_equal(changes(&e, 1, &m), 1);
    assert_int_equal(json_integer_value(json_array_get(
                         path_get(m, "requests", "rows", "withheld.internal_affairs"), 0)),
                     6);
    json_decref(m);
    /* Table 二: 行政规范性文件, 本年废止件数 (line 46). */
    e = (struct edit){46, "12"};
    assert_int_equal(changes(&e, 1, &m), 1);
    assert_int_equal(
        json_integer_value(path_get(m, "active", "normative_documents", "repealed")), 12);
    json_decref(m);
    /* Table 四: the eighth number, 未经复议直接起诉 其他结果 (line 589). */
    e = (struct edit){589, "3"};
    assert_int_equal(changes(&e, 1, &m), 1);
    assert_int_equal(
        json_integer_value(path_get(m, "appeals", "litigation_direct", "other")), 3);
    json_decref(m);
    /* Money may be a real. */
    e = (struct edit){82, "3.25"};
    assert_int_equal(changes(&e, 1, &m), 1);
    assert_true(json_is_real(path_get(m, "active", "fees", "amount_wan")));
    assert_true(json_real_value(path_get(m, "active", "fees", "amount_wan")) == 3.25);
    json_decref(m);
    /* The fee cell in 元 where the form asks for 万元: read as printed, and
     * noted for the rules (fees.amount_unit). */
    e = (struct edit){82, "32000元"};
    assert_int_equal(changes(&e, 1, &m), 1);
    assert_int_equal(json_integer_value(path_get(m, "active", "fees", "amount_wan")),
                     32000);
    assert_non_null(find_cell_note(m, "UNIT_YUAN", "fees", "amount_wan"));
    json_decref(m);
    e = (struct edit){82, "3.2万元"};
    assert_int_equal(changes(&e, 1, &m), 1);
    assert_int_equal(count_notes(m, "UNIT_YUAN"), 0);
    json_decref(m);
}

static void test_recognise_full_width_tolerated(void **state)
{
    const struct edit e[] = {{146, "（一）予以公开"},
                             {148, "７"},
                             {85, "三、收到和处理政府信息公开申请情况"},
                             {1, "同心县人民政府办公室２０２３年政府信息公开工作年度报告"},
                             {2, "来源：同心县人民政府办公室 发 布 日 期：2024年1月22日"}};
    json_t *m;

    (void)state;
    /* Only the title is spelled differently; every value reads the same. */
    assert_int_equal(changes(e, 5, &m), 1);
    assert_string_equal(json_string_value(path_get(m, "meta", "published", NULL)),
                        "2024-01-22");
    assert_int_equal(json_integer_value(path_get(m, "meta", "year", NULL)), 2023);
    json_decref(m);
}

static void test_recognise_blank_cell_is_null(void **state)
{
    const struct edit e[] = {{314, "/"}, {328, "—"}};
    json_t *m, *n, *w;

    (void)state;
    assert_int_equal(changes(e, 2, &m), 2);
    assert_true(json_is_null(
        json_array_get(path_get(m, "requests", "rows", "unavailable.not_held"), 1)));
    assert_true(json_is_null(
        json_array_get(path_get(m, "requests", "rows", "unavailable.needs_creation"), 0)));
    assert_int_equal(count_notes(m, "BLANK_CELL"), 2);
    n = find_note(m, "BLANK_CELL", "unavailable.not_held");
    assert_non_null(n);
    assert_string_equal(json_string_value(json_object_get(n, "level")), "warning");
    w = json_object_get(n, "where");
    assert_string_equal(json_string_value(json_object_get(w, "table")), "requests");
    assert_string_equal(json_string_value(json_object_get(w, "column")), "commercial");
    assert_int_equal(json_integer_value(json_object_get(w, "line")), 314);
    json_decref(m);
}

static void test_recognise_missing_parts_noted(void **state)
{
    /* Section 五's heading and the label of row （三）2 are gone. */
    const struct edit e[] = {{606, NULL}, {196, NULL}};
    json_t *m = recognise_file(SEED ".txt", e, 2), *n;

    (void)state;
    n = find_note(m, "SECTION_MISSING", NULL);
    assert_non_null(n);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(n, "where"), "section")), 5);
    assert_int_equal(json_array_size(json_object_get(m, "sections")), 5);
    assert_non_null(find_note(m, "ROW_MISSING", "withheld.prohibited_by_law"));
    assert_null(path_get(m, "requests", "rows", "withheld.prohibited_by_law"));
    /* Its seven numbers follow the row before: said, not swallowed. */
    assert_non_null(find_note(m, "AMBIGUOUS_NUMBERS", "withheld.state_secret"));
    assert_int_equal(json_integer_value(json_array_get(
                         path_get(m, "requests", "rows", "withheld.internal_affairs"), 0)),
                     1);
    assert_int_equal(
        json_integer_value(json_array_get(path_get(m, "requests", "rows", "total"), 6)),
        16);
    json_decref(m);
}

static void test_recognise_short_row_ambiguous(void **state)
{
    /* A blank line lost from text leaves six numbers for seven columns. */
    const struct edit e[] = {{150, NULL}};
    json_t *m = recognise_file(SEED ".txt", e, 1), *row;
    size_t i;

    (void)state;
    row = path_get(m, "requests", "rows", "granted");
    assert_int_equal(json_array_size(row), 7);
    for (i = 0; i < 7; i++)
        assert_true(json_is_null(json_array_get(row, i)));
    assert_non_null(find_note(m, "AMBIGUOUS_NUMBERS", "granted"));
    assert_int_equal(json_integer_value(json_array_get(
                         path_get(m, "requests", "rows", "partly_granted"), 6)),
                     3);
    json_decref(m);
}

/* ---- Grids ---------------------------------------------------------- */

static void test_recognise_grid_tables(void **state)
{
    static const char *const tables[] = {"active", "requests", "appeals"};
    struct ogid_document *doc = shanghai_doc();
    json_t *m = recognise(doc);
    json_t *want = load_json(REPORTS "shanghai-government-office-2019.expected.json");
    json_t *n;
    size_t i;
    int d = 0;

    (void)state;
    d += diff(json_object_get(m, "meta"), json_object_get(want, "meta"), "meta", 1);
    for (i = 0; i < 3; i++)
        d += diff(json_object_get(m, tables[i]), json_object_get(want, tables[i]),
                  tables[i], 0);
    assert_int_equal(d, 0);
    assert_string_equal(json_string_value(path_get(m, "meta", "form", NULL)), "2019");
    /* Every blank cell is null with a note, and only those. */
    assert_int_equal(count_notes(m, "BLANK_CELL"),
                     count_nulls(json_object_get(want, "requests")) +
                         count_nulls(json_object_get(want, "appeals")));
    assert_non_null(find_cell_note(m, "BLANK_CELL", "granted", "total"));
    n = find_cell_note(m, "BLANK_CELL", "review", "corrected");
    assert_non_null(n);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(n, "where"), "table")),
        "appeals");
    assert_int_equal(count_notes(m, "ROW_MISSING"), 0);
    assert_int_equal(count_notes(m, "TABLE_MISSING"), 0);
    assert_int_equal(json_array_size(json_object_get(m, "sections")), 6);
    json_decref(want);
    json_decref(m);
    ogid_document_free(doc);
}

/* Table 三 alone as a grid after a plain heading: rows whose trailing cells
 * the HTML left out are padded with null, not shifted. */
static void test_recognise_grid_short_rows(void **state)
{
    static const struct gcell t[] = {
        {"申请人情况", 1, 8},
        ROW_END,
        {"一、本年新收政府信息公开申请数量", 1, 1},
        {"3", 1, 1},
        {"1", 1, 1},
        {"", 1, 1},
        {"", 1, 1},
        {"", 1, 1},
        {"", 1, 1},
        {"4", 1, 1},
        ROW_END,
        {"二、上年结转政府信息公开申请数量", 1, 1},
        {"2", 1, 1},
        ROW_END,
        {"（七）总计", 1, 1},
        {"5", 1, 1},
        {"1", 1, 1},
        {"0", 1, 1},
        {"0", 1, 1},
        {"0", 1, 1},
        {"0", 1, 1},
        {"6", 1, 1},
        ROW_END,
        {"本年制发件数", 1, 1},
        ROW_END,
        TABLE_END,
    };
    struct ogid_document *doc;
    struct ogid_doc_builder b;
    json_t *m, *row;

    (void)state;
    assert_int_equal(ogid_document_new(1000, &doc), 0);
    ogid_document_builder(doc, &b);
    add_para(&b, "三、收到和处理政府信息公开申请情况", 1);
    add_grid(&b, t, 2);
    m = recognise(doc);
    assert_string_equal(json_string_value(path_get(m, "meta", "form", NULL)), "2021");
    row = path_get(m, "requests", "rows", "new");
    assert_int_equal(json_integer_value(json_array_get(row, 0)), 3);
    assert_true(json_is_null(json_array_get(row, 2)));
    assert_int_equal(json_integer_value(json_array_get(row, 6)), 4);
    row = path_get(m, "requests", "rows", "carried_over");
    assert_int_equal(json_integer_value(json_array_get(row, 0)), 2);
    assert_true(json_is_null(json_array_get(row, 1)));
    assert_true(json_is_null(json_array_get(row, 6)));
    assert_int_equal(
        json_integer_value(json_array_get(path_get(m, "requests", "rows", "total"), 6)), 6);
    assert_non_null(find_note(m, "ROW_MISSING", "granted"));
    assert_non_null(find_note(m, "TABLE_MISSING", NULL));
    assert_int_equal(count_notes(m, "SECTION_MISSING"), 5);
    json_decref(m);
    ogid_document_free(doc);
}

/* ---- Metadata ------------------------------------------------------- */

struct meta_case {
    const char *lines[6];
    const char *title, *agency, *published, *from, *to;
    int year;
};

static void test_recognise_meta_variants(void **state)
{
    static const struct meta_case cases[] = {
        {{"2019年上海市人民政府办公厅政府信息公开工作年度报告", "成文日期：2020-01-20",
          "发 布 日 期：2020年1月31日", "统计期限自2019年1月1日起至2019年12月31日止。"},
         "2019年上海市人民政府办公厅政府信息公开工作年度报告",
         "上海市人民政府办公厅",
         "2020-01-31",
         "2019-01-01",
         "2019-12-31",
         2019},
        {{"标题: 平潭综合实验区2023年度政府信息公开工作年度报告", "成文日期: 2024-03-01",
          "发布时间: 2024-03-08 15:34"},
         "平潭综合实验区2023年度政府信息公开工作年度报告",
         "平潭综合实验区",
         "2024-03-08",
         NULL,
         NULL,
         2023},
        {{"某市某局关于2022年度政府信息公开工作年度报告", "发文日期:2023/01/20",
          "本报告所列数据统计时间为2022年1月1日到2022年12月31日"},
         "某市某局关于2022年度政府信息公开工作年度报告",
         "某市某局",
         "2023-01-20",
         "2022-01-01",
         "2022-12-31",
         2022},
        {{"某县2021年政府信息公开工作年度报告", "正文。", "扫一扫在手机上查看当前页面",
          "发布日期:2025-05-05"},
         "某县2021年政府信息公开工作年度报告",
         "某县",
         NULL,
         NULL,
         NULL,
         2021},
        {{"首页 > 政府信息公开 > 某县2021年政府信息公开工作年度报告", "网站地图",
          "某县2021年政府信息公开工作年度报告", "发布日期:2022-01-20",
          "本报告统计数据从2021年1月1日至12月31日。本报告由某县人民政府办公室编制，全文包括"
          "总体情况、主动公开政府信息情况等部分。",
          "网站地图"},
         "某县2021年政府信息公开工作年度报告",
         "某县",
         "2022-01-20",
         "2021-01-01",
         "2021-12-31",
         2021},
        {{"二〇二一年度某某镇政府信息公开工作年度报告", "发布日期:2022-02-30"},
         "二〇二一年度某某镇政府信息公开工作年度报告",
         "某某镇",
         NULL,
         NULL,
         NULL,
         2021},
    };
    size_t i, k;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct meta_case *c = &cases[i];
        struct ogid_document *doc;
        struct ogid_doc_builder b;
        json_t *m, *meta, *period;

        assert_int_equal(ogid_document_new(1000, &doc), 0);
        ogid_document_builder(doc, &b);
        for (k = 0; k < 6 && c->lines[k] != NULL; k++)
            add_para(&b, c->lines[k], (uint32_t)k + 1);
        m = recognise(doc);
        meta = json_object_get(m, "meta");
        printf("meta case %zu\n", i);
        assert_string_equal(json_string_value(json_object_get(meta, "title")), c->title);
        assert_string_equal(json_string_value(json_object_get(meta, "agency")), c->agency);
        assert_int_equal(json_integer_value(json_object_get(meta, "year")), c->year);
        if (c->published == NULL)
            assert_true(json_is_null(json_object_get(meta, "published")));
        else
            assert_string_equal(json_string_value(json_object_get(meta, "published")),
                                c->published);
        period = json_object_get(meta, "period");
        if (c->from == NULL) {
            assert_true(json_is_null(period));
        } else {
            assert_string_equal(json_string_value(json_object_get(period, "from")),
                                c->from);
            assert_string_equal(json_string_value(json_object_get(period, "to")), c->to);
        }
        json_decref(m);
        ogid_document_free(doc);
    }
}

static void test_recognise_no_tables_form_null(void **state)
{
    struct ogid_document *doc;
    struct ogid_doc_builder b;
    json_t *m;

    (void)state;
    assert_int_equal(ogid_document_new(1000, &doc), 0);
    ogid_document_builder(doc, &b);
    add_para(&b, "平潭综合实验区2018年度政府信息公开工作年度报告", 1);
    add_para(&b, "一、概述", 2);
    add_para(&b, "2018年，实验区认真贯彻落实。", 3);
    add_para(&b, "二、主动公开政府信息情况", 4);
    add_para(&b, "全年主动公开政府信息13561条。", 5);
    m = recognise(doc);
    assert_true(json_is_null(path_get(m, "meta", "form", NULL)));
    assert_int_equal(json_integer_value(path_get(m, "meta", "year", NULL)), 2018);
    assert_string_equal(json_string_value(path_get(m, "meta", "agency", NULL)),
                        "平潭综合实验区");
    assert_true(json_is_null(json_object_get(m, "active")));
    assert_true(json_is_null(json_object_get(m, "requests")));
    assert_true(json_is_null(json_object_get(m, "appeals")));
    assert_int_equal(count_notes(m, "FORM_UNKNOWN"), 1);
    assert_int_equal(json_array_size(json_object_get(m, "sections")), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(m, "sections"), 1), "text")),
                        "全年主动公开政府信息13561条。");
    json_decref(m);
    ogid_document_free(doc);

    /* An empty document is a model too. */
    assert_int_equal(ogid_document_new(1000, &doc), 0);
    m = recognise(doc);
    assert_true(json_is_null(path_get(m, "meta", "title", NULL)));
    assert_int_equal(count_notes(m, "SECTION_MISSING"), 6);
    json_decref(m);
    ogid_document_free(doc);
}

/* One table row written on one line, cells separated by spaces. */
static void test_recognise_row_on_one_line(void **state)
{
    const struct edit e[] = {{112, "一、本年新收政府信息公开申请数量 15 1 0 0 0 0 16"},
                             {114, NULL},
                             {116, NULL},
                             {118, NULL},
                             {120, NULL},
                             {122, NULL},
                             {124, NULL},
                             {126, NULL}};
    json_t *m;

    (void)state;
    assert_int_equal(changes(e, 8, &m), 0);
    json_decref(m);
}

/* A local variant of the form is a new YAML file, not new C. */
static void test_recognise_local_form_variant(void **state)
{
    char *dir = make_dir(), *yaml = slurp(OGID_SOURCE_DIR "/rules/forms/2021.yaml"), *p;
    char err[1024];
    struct ogid_forms *local = NULL, *saved = forms;
    const struct edit e = {146, "(一)全部公开"};
    json_t *m;

    (void)state;
    p = strstr(yaml, "label: (一)予以公开");
    assert_non_null(p);
    memcpy(p + strlen("label: (一)"), "全部", strlen("全部"));
    write_file(dir, "local.yaml", yaml);
    assert_int_equal(ogid_forms_load(dir, &local, err, sizeof(err)), 0);

    m = recognise_file(SEED ".txt", &e, 1);
    assert_non_null(find_note(m, "ROW_MISSING", "granted"));
    json_decref(m);
    forms = local;
    m = recognise_file(SEED ".txt", &e, 1);
    forms = saved;
    assert_int_equal(count_notes(m, "ROW_MISSING"), 0);
    assert_int_equal(
        json_integer_value(json_array_get(path_get(m, "requests", "rows", "granted"), 6)),
        7);
    json_decref(m);
    ogid_forms_free(local);
    remove_dir(dir, "local.yaml");
    free(dir);
    free(yaml);
}

/* ---- Crawler dumps (cells run together) ----------------------------- */

/* The candidates of an AMBIGUOUS_NUMBERS note: does one equal want[n]? */
static int has_candidate(const json_t *note, const long long *want, size_t n)
{
    json_t *cands = json_object_get(note, "candidates"), *c;
    size_t i, j;

    json_array_foreach(cands, i, c)
    {
        if (json_array_size(c) != n)
            continue;
        for (j = 0; j < n; j++)
            if (json_integer_value(json_array_get(c, j)) != want[j])
                break;
        if (j == n)
            return 1;
    }
    return 0;
}

/* The Pingtan dumps run the whole body into one line and every table's
 * cells together. Every number is read by splitting with the identities,
 * except the three of 行政规范性文件 in table 二, which no identity splits:
 * those are null with the candidates listed. */
static void test_recognise_crawler_dumps(void **state)
{
    static const char *const names[] = {"pingtan-2022", "pingtan-2023"};
    static const long long normative[2][3] = {{88, 55, 698}, {77, 132, 470}};
    size_t i, k;

    (void)state;
    for (i = 0; i < 2; i++) {
        char path[512];
        json_t *m, *want, *secs, *n, *got, *exp;
        const char *key;

        snprintf(path, sizeof(path), REPORTS "%s.txt", names[i]);
        m = recognise_file(path, NULL, 0);
        snprintf(path, sizeof(path), REPORTS "%s.expected.json", names[i]);
        want = load_json(path);
        assert_int_equal(
            diff(json_object_get(m, "meta"), json_object_get(want, "meta"), "meta", 1), 0);
        /* The headings are inside one long line; all six are found. */
        secs = json_object_get(m, "sections");
        assert_int_equal(json_array_size(secs), 6);
        for (k = 0; k < 6; k++)
            assert_int_equal(
                json_integer_value(json_object_get(json_array_get(secs, k), "no")),
                (json_int_t)k + 1);
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(secs, 5), "text")),
            i == 0 ? "2022年，无收取信息处理费情况。" : "2023年，无收取信息处理费情况。");
        /* The tables are not in the prose of their sections. */
        assert_null(
            strstr(json_string_value(json_object_get(json_array_get(secs, 2), "text")),
                   "0000000"));
        assert_int_equal(count_notes(m, "SECTION_MISSING"), 0);
        assert_int_equal(count_notes(m, "TABLE_MISSING"), 0);
        assert_int_equal(count_notes(m, "UNPARSED_TEXT"), 0);
        assert_int_equal(diff(json_object_get(m, "requests"),
                              json_object_get(want, "requests"), "requests", 0),
                         0);
        assert_int_equal(diff(json_object_get(m, "appeals"),
                              json_object_get(want, "appeals"), "appeals", 0),
                         0);
        /* Table 二: all of it in 2022, where the prose (现行有效…698件,
         * 制发…88件) confirms one of the 15 splits of 行政规范性文件; in 2023
         * the prose confirms only 制发 77 (its 现行有效 393 is in no split),
         * which five splits hold: the 21 splits are listed. */
        json_object_foreach(json_object_get(want, "active"), key, exp)
        {
            got = json_object_get(json_object_get(m, "active"), key);
            if (i == 1 && strcmp(key, "normative_documents") == 0)
                assert_int_equal(count_nulls(got), 3);
            else
                assert_int_equal(diff(got, exp, key, 0), 0);
        }
        n = find_note(m, i == 0 ? "SPLIT_NUMBERS" : "AMBIGUOUS_NUMBERS",
                      "normative_documents");
        assert_non_null(n);
        if (i == 0) {
            assert_string_equal(json_string_value(json_object_get(n, "level")), "info");
            assert_non_null(
                strstr(json_string_value(json_object_get(n, "message")), "text confirms"));
        } else {
            assert_int_equal(json_array_size(json_object_get(n, "candidates")), 20);
            assert_true(has_candidate(n, normative[i], 3));
            assert_non_null(strstr(json_string_value(json_object_get(n, "message")),
                                   "5 splits hold 1"));
        }
        /* Only that row is ambiguous; every split is noted. */
        assert_int_equal(count_notes(m, "AMBIGUOUS_NUMBERS"), i == 0 ? 0 : 1);
        assert_true(count_notes(m, "SPLIT_NUMBERS") >= 25);
        n = find_note(m, "SPLIT_NUMBERS", "new");
        assert_non_null(n);
        assert_string_equal(json_string_value(json_object_get(n, "level")), "info");
        json_decref(want);
        json_decref(m);
    }
}

/* pingtan-2022 with its sentence about normative documents replaced. */
static json_t *pingtan_2022_with(const char *to)
{
    static const char from[] =
        "集中公开现行有效行政规范性文件698件，动态更新本年度制发的规范性文件88件。";
    char *text = slurp(REPORTS "pingtan-2022.txt"), *p = strstr(text, from), *edited;
    struct ogid_document *doc;
    json_t *m;
    size_t a;

    assert_non_null(p);
    a = (size_t)(p - text);
    edited = malloc(strlen(text) + strlen(to) + 1);
    assert_non_null(edited);
    memcpy(edited, text, a);
    strcpy(edited + a, to);
    strcat(edited, p + strlen(from));
    doc = doc_from_text(edited, NULL, 0);
    m = recognise(doc);
    ogid_document_free(doc);
    free(edited);
    free(text);
    return m;
}

static void expect_normative(json_t *m, long long issued, long long repealed,
                             long long in_force)
{
    json_t *row = json_object_get(json_object_get(m, "active"), "normative_documents");

    assert_int_equal(json_integer_value(json_object_get(row, "issued")), issued);
    assert_int_equal(json_integer_value(json_object_get(row, "repealed")), repealed);
    assert_int_equal(json_integer_value(json_object_get(row, "in_force")), in_force);
}

/* Run-together digits with several splits and no identity ("8855698"): the
 * report's own prose, where it states numbers for the row, chooses among
 * them; it never fills a cell by itself. */
static void test_recognise_split_prose(void **state)
{
    json_t *m, *n;
    const char *msg;

    (void)state;
    /* Confirmed: the prose states all three. */
    m = pingtan_2022_with("本年度制发规范性文件88件，废止55件，现行有效规范性文件698件。");
    expect_normative(m, 88, 55, 698);
    n = find_note(m, "SPLIT_NUMBERS", "normative_documents");
    assert_non_null(n);
    msg = json_string_value(json_object_get(n, "message"));
    assert_non_null(strstr(msg, "repealed 55 (\"废止55\"), confirmed"));
    assert_null(find_note(m, "AMBIGUOUS_NUMBERS", "normative_documents"));
    json_decref(m);

    /* Undecided: 制发 88 alone is in four splits; and a number of another
     * row (规章), or without a column word, or without a unit, says nothing. */
    m = pingtan_2022_with(
        "制发的规范性文件88件；规章废止55件；规范性文件698件；现行有效规范性文件698。");
    assert_int_equal(
        count_nulls(json_object_get(json_object_get(m, "active"), "normative_documents")),
        3);
    n = find_note(m, "AMBIGUOUS_NUMBERS", "normative_documents");
    assert_non_null(n);
    assert_int_equal(json_array_size(json_object_get(n, "candidates")), 15);
    assert_non_null(
        strstr(json_string_value(json_object_get(n, "message")), "4 splits hold 1"));
    assert_null(find_note(m, "SPLIT_NUMBERS", "normative_documents"));
    json_decref(m);

    /* No prose about the row: as before. */
    m = pingtan_2022_with("集中公开规范性文件。");
    n = find_note(m, "AMBIGUOUS_NUMBERS", "normative_documents");
    assert_non_null(n);
    assert_int_equal(json_array_size(json_object_get(n, "candidates")), 15);
    json_decref(m);

    /* The prose and the table disagree on 现行有效 (700, in no split); 制发
     * 88 and 废止 55 still single out 88 55 698, which the table holds. */
    m = pingtan_2022_with(
        "现行有效行政规范性文件700件，本年制发规范性文件88件、废止55件。");
    expect_normative(m, 88, 55, 698);
    n = find_note(m, "SPLIT_NUMBERS", "normative_documents");
    assert_non_null(n);
    msg = json_string_value(json_object_get(n, "message"));
    assert_non_null(strstr(msg, "in_force 700"));
    assert_non_null(strstr(msg, "which the table does not hold"));
    json_decref(m);

    /* Disagreeing on two of the three: 88 5 5698, 88 55 698, 88 556 98 and
     * 88 5569 8 each hold one; nothing is chosen. */
    m = pingtan_2022_with(
        "现行有效行政规范性文件700件，本年制发规范性文件88件、废止56件。");
    assert_non_null(find_note(m, "AMBIGUOUS_NUMBERS", "normative_documents"));
    json_decref(m);
}

/* A row of table 三 whose digits split two ways that both fit the row
 * (1 9 10 0 0 0 20 and 19 1 0 0 0 0 20): without a column identity to
 * decide, it is null with both candidates; with the rest of the table there
 * (pingtan-2023), the column rule （七）= the outcome rows decides it. */
static void test_recognise_split_ambiguous_row(void **state)
{
    static const long long a[] = {1, 9, 10, 0, 0, 0, 20}, b[] = {19, 1, 0, 0, 0, 0, 20};
    const char *text =
        "标题: 某局2023年度政府信息公开工作年度报告\n"
        "二、主动公开政府信息情况\n"
        "本年制发件数\n"
        "三、收到和处理政府信息公开申请情况\n"
        "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务"
        "机构其他一、本年新收政府信息公开申请数量191000020\n";
    struct ogid_document *doc = doc_from_text(text, NULL, 0);
    json_t *m = recognise(doc), *row, *n;
    size_t k;

    (void)state;
    row = path_get(m, "requests", "rows", "new");
    assert_int_equal(json_array_size(row), 7);
    for (k = 0; k < 7; k++)
        assert_true(json_is_null(json_array_get(row, k)));
    n = find_note(m, "AMBIGUOUS_NUMBERS", "new");
    if (n == NULL)
        print_notes(m);
    assert_non_null(n);
    assert_int_equal(json_array_size(json_object_get(n, "candidates")), 2);
    assert_true(has_candidate(n, a, 7));
    assert_true(has_candidate(n, b, 7));
    assert_non_null(strstr(json_string_value(json_object_get(n, "message")), "191000020"));
    assert_int_equal(count_notes(m, "SPLIT_NUMBERS"), 0);
    json_decref(m);
    ogid_document_free(doc);

    /* In the real report the column identities leave one. */
    m = recognise_file(REPORTS "pingtan-2023.txt", NULL, 0);
    row = path_get(m, "requests", "rows", "partly_granted");
    for (k = 0; k < 7; k++)
        assert_int_equal(json_integer_value(json_array_get(row, k)), b[k]);
    n = find_note(m, "SPLIT_NUMBERS", "partly_granted");
    assert_non_null(n);
    assert_non_null(strstr(json_string_value(json_object_get(n, "message")), "column"));
    json_decref(m);
}

/* The crawler layout, edited: a row with a blank cell written as "-" is
 * nulls with BLANK_CELL; a row whose digits fit no split is noted, not
 * guessed; a label's own number ("2.") is not taken for a digit of the row
 * before it. */
static void test_recognise_split_edge_cases(void **state)
{
    const char *text =
        "标题: 某局2023年度政府信息公开工作年度报告\n"
        "二、主动公开政府信息情况\n"
        "本年制发件数\n"
        "三、收到和处理政府信息公开申请情况\n"
        "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务"
        "机构其他一、本年新收政府信息公开申请数量801000081二、上年结转政府信息"
        "公开申请数量0000000三、本年度办理结果（一）予以公开1234567（三）不予公开"
        "1.属于国家秘密00000002.其他法律行政法规禁止公开1000001\n"
        "四、政府信息公开行政复议、行政诉讼情况\n"
        "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后"
        "起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总"
        "计10100114001510102\n";
    struct ogid_document *doc = doc_from_text(text, NULL, 0);
    json_t *m = recognise(doc), *row, *n;
    size_t k;

    (void)state;
    /* 80 1 0 0 0 0 81 is the one split of 801000081 that sums. */
    row = path_get(m, "requests", "rows", "new");
    assert_int_equal(json_integer_value(json_array_get(row, 0)), 80);
    assert_int_equal(json_integer_value(json_array_get(row, 1)), 1);
    assert_int_equal(json_integer_value(json_array_get(row, 6)), 81);
    /* 1234567: one digit a cell, though it does not sum: the report's own
     * error, kept as printed for the rules to find. */
    row = path_get(m, "requests", "rows", "granted");
    for (k = 0; k < 7; k++)
        assert_int_equal(json_integer_value(json_array_get(row, k)), (json_int_t)k + 1);
    n = find_note(m, "SPLIT_NUMBERS", "granted");
    assert_non_null(n);
    assert_non_null(strstr(json_string_value(json_object_get(n, "message")), "disagree"));
    /* The "2" of "2.其他法律…" is the label's. */
    row = path_get(m, "requests", "rows", "withheld.state_secret");
    for (k = 0; k < 7; k++)
        assert_int_equal(json_integer_value(json_array_get(row, k)), 0);
    row = path_get(m, "requests", "rows", "withheld.prohibited_by_law");
    assert_int_equal(json_integer_value(json_array_get(row, 0)), 1);
    assert_int_equal(json_integer_value(json_array_get(row, 6)), 1);
    /* Table 四: two splits fit the groups' totals: all null, both listed. */
    n = find_note(m, "AMBIGUOUS_NUMBERS", NULL);
    for (k = 0; k < json_array_size(json_object_get(m, "notes")); k++) {
        json_t *x = json_array_get(json_object_get(m, "notes"), k);
        const char *t =
            json_string_value(json_object_get(json_object_get(x, "where"), "table"));

        if (t != NULL && strcmp(t, "appeals") == 0 &&
            strcmp(json_string_value(json_object_get(x, "code")), "AMBIGUOUS_NUMBERS") == 0)
            n = x;
    }
    assert_non_null(n);
    assert_int_equal(json_array_size(json_object_get(n, "candidates")), 2);
    assert_true(json_is_null(path_get(m, "appeals", "review", "total")));
    assert_true(json_is_null(path_get(m, "appeals", "litigation_direct", "upheld")));
    json_decref(m);
    ogid_document_free(doc);
}

/* A row whose seven cells are one digit each reads the same however the
 * identities come out: 1000002 is 1 0 0 0 0 0 2 though it does not sum (the
 * report's own error, kept as printed); and prose with numbers next to a
 * label ("行政许可10690件。") is not cut into cells. */
static void test_recognise_split_kept_as_printed(void **state)
{
    const char *text =
        "标题: 某局2023年度政府信息公开工作年度报告\n"
        "二、主动公开政府信息情况\n"
        "全年办理行政许可10690件。\n"
        "第二十条第（五）项信息内容本年处理决定数量行政许可8\n"
        "三、收到和处理政府信息公开申请情况\n"
        "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务"
        "机构其他一、本年新收政府信息公开申请数量1000002二、上年结转政府信息公开申请"
        "数量12\n";
    struct ogid_document *doc = doc_from_text(text, NULL, 0);
    json_t *m = recognise(doc), *row;

    (void)state;
    row = path_get(m, "requests", "rows", "new");
    assert_int_equal(json_integer_value(json_array_get(row, 0)), 1);
    assert_int_equal(json_integer_value(json_array_get(row, 6)), 2);
    /* Too few digits for the cells: nothing is made up. */
    row = path_get(m, "requests", "rows", "carried_over");
    assert_true(json_is_null(json_array_get(row, 0)));
    assert_non_null(find_note(m, "AMBIGUOUS_NUMBERS", "carried_over"));
    assert_int_equal(json_integer_value(path_get(m, "active", "licensing", "decisions")),
                     8);
    assert_non_null(strstr(json_string_value(json_object_get(
                               json_array_get(json_object_get(m, "sections"), 0), "text")),
                           "全年办理行政许可10690件。"));
    json_decref(m);
    ogid_document_free(doc);
}

/* ---- Rows on one line, cells between tabs (format_text) -------------- */

/* Appends the rows of a grid as a browser copies them: a row a line, its
 * cells between tabs, a spanned cell once (in its first row and column). */
static void grid_as_tabs(char *buf, size_t len, const struct gcell *g)
{
    size_t o = strlen(buf);
    int first = 1;

    for (; !(g->text == NULL && g->rs == 1); g++) {
        int n;

        if (g->text == NULL) {
            n = snprintf(buf + o, len - o, "\n");
            first = 1;
        } else {
            n = snprintf(buf + o, len - o, "%s%s", first ? "" : "\t", g->text);
            first = 0;
        }
        assert_true(n >= 0 && (size_t)n < len - o);
        o += (size_t)n;
    }
}

/* The Shanghai tables copied from a browser (cells between tabs, empty
 * cells kept) through the real format_text plugin: the same tables as the
 * page, blank for blank. */
static void test_recognise_text_plugin_tabs(void **state)
{
    static const char *const tables[] = {"active", "requests", "appeals"};
    const struct ogid_plugin *p = NULL;
    void *handle = NULL;
    char err[512], *text = calloc(1, 65536);
    struct ogid_document *doc;
    struct ogid_doc_builder b;
    json_t *m, *want = load_json(REPORTS "shanghai-government-office-2019.expected.json");
    size_t i;
    int d = 0;

    (void)state;
    assert_non_null(text);
    assert_int_equal(ogid_plugin_open(OGID_TEST_PLUGINS "/ogid-format_text.so", &p, &handle,
                                      err, sizeof(err)),
                     0);
    strcat(text,
           "2019年上海市人民政府办公厅政府信息公开工作年度报告\n发布日期：2020-01-31\n"
           "一、总体情况\n概述。\n二、主动公开政府信息情况\n");
    grid_as_tabs(text, 65536, shanghai_table2);
    strcat(text, "三、收到和处理政府信息公开申请情况\n");
    grid_as_tabs(text, 65536, shanghai_table3);
    strcat(text, "四、政府信息公开行政复议、行政诉讼情况\n");
    grid_as_tabs(text, 65536, shanghai_table4);
    strcat(text, "五、存在的主要问题及改进情况\n无。\n六、其他需要报告的事项\n无。\n");
    {
        struct ogid_input in = {.name = "r.txt",
                                .bytes = (const unsigned char *)text,
                                .len = strlen(text),
                                .text = text,
                                .text_len = strlen(text)};

        assert_int_equal(ogid_document_new(100000, &doc), 0);
        ogid_document_builder(doc, &b);
        assert_int_equal(p->parse(&in, &b), 0);
    }
    m = recognise(doc);
    for (i = 0; i < 3; i++)
        d += diff(json_object_get(m, tables[i]), json_object_get(want, tables[i]),
                  tables[i], 0);
    if (d != 0)
        print_notes(m);
    assert_int_equal(d, 0);
    assert_int_equal(count_notes(m, "AMBIGUOUS_NUMBERS"), 0);
    assert_int_equal(json_array_size(json_object_get(m, "sections")), 6);
    json_decref(m);
    json_decref(want);
    ogid_document_free(doc);
    ogid_plugin_close(handle);
    free(text);
}

/* ---- Values and dates ----------------------------------------------- */

static void test_value_parse(void **state)
{
    static const struct {
        const char *text;
        int kind, is_int;
        double d;
    } cases[] = {
        {"0", OGID_VALUE_NUMBER, 1, 0},
        {"16", OGID_VALUE_NUMBER, 1, 16},
        {"+12", OGID_VALUE_NUMBER, 1, 12},
        {"-3", OGID_VALUE_NUMBER, 1, -3},
        {"1,234", OGID_VALUE_NUMBER, 1, 1234},
        {"3.25", OGID_VALUE_NUMBER, 0, 3.25},
        {"0.00", OGID_VALUE_NUMBER, 1, 0},
        {"251000元", OGID_VALUE_NUMBER, 1, 251000},
        {"１６", OGID_VALUE_NUMBER, 1, 16},
        {"7件", OGID_VALUE_NUMBER, 1, 7},
        {"", OGID_VALUE_BLANK, 0, 0},
        {"/", OGID_VALUE_BLANK, 0, 0},
        {"-", OGID_VALUE_BLANK, 0, 0},
        {"—", OGID_VALUE_BLANK, 0, 0},
        {"无", OGID_VALUE_BLANK, 0, 0},
        {"12,34", OGID_VALUE_NONE, 0, 0},
        {"3.", OGID_VALUE_NONE, 0, 0},
        {"2024-01-22", OGID_VALUE_NONE, 0, 0},
        {"规章", OGID_VALUE_NONE, 0, 0},
        {"+", OGID_VALUE_NONE, 0, 0},
        {"1234567890123456789", OGID_VALUE_NONE, 0, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ogid_value v;

        ogid_value_parse(cases[i].text, &v);
        if (v.kind != cases[i].kind || (v.kind == OGID_VALUE_NUMBER &&
                                        (v.is_int != cases[i].is_int || v.d != cases[i].d ||
                                         (v.is_int && v.i != (long long)cases[i].d))))
            fail_msg("\"%s\": kind %d, whole %d, %g", cases[i].text, v.kind, v.is_int, v.d);
    }
}

static void test_date_parse(void **state)
{
    struct ogid_date t;

    (void)state;
    assert_int_equal(ogid_date_parse("2024-01-22", &t, 0), 10);
    assert_int_equal(t.y * 10000 + t.m * 100 + t.d, 20240122);
    assert_int_equal(ogid_date_parse("2024/1/5x", &t, 0), 8);
    assert_int_equal(ogid_date_parse("2024年1月22日起", &t, 0), 16);
    assert_int_equal(ogid_date_parse("2024-01-2210:05", &t, 0), 10);
    assert_int_equal(t.d, 22);
    assert_int_equal(ogid_date_parse("12月31日", &t, 2023), 10);
    assert_int_equal(t.y, 2023);
    assert_int_equal(ogid_date_parse("12月31日", &t, 0), 0);
    assert_int_equal(ogid_date_parse("2023-02-29", &t, 0), 0);
    assert_int_equal(ogid_date_parse("2024-02-29", &t, 0), 10);
    assert_int_equal(ogid_date_parse("2024-13-01", &t, 0), 0);
    assert_int_equal(ogid_date_parse("2024-01/22", &t, 0), 0);
    assert_int_equal(ogid_date_parse("20240122", &t, 0), 0);
    assert_int_equal(ogid_date_parse("", &t, 0), 0);
}

/* ---- Untrusted input ------------------------------------------------ */

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 8) & 0xFFFFFF;
}

static const char *random_text(char *buf, size_t len)
{
    static const char *const words[] = {"一、总体情况",
                                        "二、主动公开政府信息情况",
                                        "三、收到和处理政府信息公开申请情况",
                                        "四、政府信息公开行政复议、行政诉讼情况",
                                        "五、存在的主要问题及改进情况",
                                        "六、其他需要报告的事项",
                                        "本年制发件数",
                                        "本年新制作数量",
                                        "规章",
                                        "行政许可",
                                        "结果维持",
                                        "总计",
                                        "行政复议",
                                        "(一)予以公开",
                                        "1.属于国家秘密",
                                        "3.其他",
                                        "(七)总计",
                                        "四、结转下年度继续办理",
                                        "发布日期:",
                                        "2024-01-22",
                                        "统计",
                                        "从",
                                        "2023年1月1日至12月31日",
                                        "/",
                                        "—",
                                        "无",
                                        "",
                                        "0",
                                        "7",
                                        "-3",
                                        "+12",
                                        "3.2",
                                        "1,234",
                                        "99999999999999999999",
                                        "扫一扫在手机上查看当前页面",
                                        "2023年度报告",
                                        "\xff\xfe",
                                        "\xe4\xb8",
                                        " ",
                                        "　",
                                        "二〇二三年"};
    size_t n = rnd() % 4, i, o = 0;

    buf[0] = '\0';
    for (i = 0; i <= n; i++) {
        const char *w = words[rnd() % (sizeof(words) / sizeof(words[0]))];
        size_t l = strlen(w);

        if (o + l + 1 >= len)
            break;
        memcpy(buf + o, w, l);
        o += l;
        buf[o] = '\0';
    }
    return buf;
}

static void test_recognise_random_documents(void **state)
{
    int round;

    (void)state;
    for (round = 0; round < 300; round++) {
        struct ogid_document *doc;
        struct ogid_doc_builder b;
        size_t blocks = rnd() % 200, i, k;
        char buf[256], *dump;
        json_t *m = NULL, *source = json_object();

        assert_int_equal(ogid_document_new(5000, &doc), 0);
        ogid_document_builder(doc, &b);
        for (i = 0; i < blocks; i++) {
            if (rnd() % 10 != 0) {
                random_text(buf, sizeof(buf));
                if (b.paragraph(b.ctx, buf, strlen(buf), (uint32_t)i) != 0)
                    break;
                continue;
            }
            assert_int_equal(b.table_begin(b.ctx, (uint32_t)i), 0);
            for (k = rnd() % 60; k > 0; k--) {
                if (rnd() % 6 == 0 && b.row_begin(b.ctx) != 0)
                    break;
                random_text(buf, sizeof(buf));
                if (b.cell(b.ctx, buf, strlen(buf), 1 + rnd() % 3, 1 + rnd() % 3) != 0)
                    break;
            }
            assert_int_equal(b.table_end(b.ctx), 0);
        }
        assert_int_equal(ogid_recognise(doc, forms, source, &m), 0);
        dump = json_dumps(m, 0);
        assert_non_null(dump);
        free(dump);
        json_decref(m);
        json_decref(source);
        ogid_document_free(doc);
    }
}

/* Text like a crawler's dump, made at random from labels of the forms,
 * digits and junk: always a model, in bounded time; and a dump whose every
 * row has forty digits stops at the search caps, with notes, not guesses. */
static void test_recognise_run_together_random(void **state)
{
    static const char *const parts[] = {"规章",
                                        "行政规范性文件",
                                        "第二十条第（一）项",
                                        "本年制发件数",
                                        "行政许可",
                                        "一、本年新收政府信息公开申请数量",
                                        "二、上年结转政府信息公开申请数量",
                                        "（一）予以公开",
                                        "1.属于国家秘密",
                                        "2.其他法律行政法规禁止公开",
                                        "3.其他",
                                        "（七）总计",
                                        "四、结转下年度继续办理",
                                        "结果维持",
                                        "总计",
                                        "复议后起诉",
                                        "二、主动公开政府信息情况",
                                        "三、收到和处理政府信息公开申请情况",
                                        "四、政府信息公开行政复议、行政诉讼情况",
                                        " ",
                                        ".",
                                        "-",
                                        "。",
                                        "无",
                                        "x"};
    int round;
    char *line = malloc(70000);

    (void)state;
    assert_non_null(line);
    for (round = 0; round < 100; round++) {
        size_t o = 0, n = rnd() % 200, i;
        struct ogid_document *doc;
        struct ogid_doc_builder b;
        json_t *m;

        for (i = 0; i < n && o < 60000; i++) {
            if (rnd() % 2) {
                const char *p = parts[rnd() % (sizeof(parts) / sizeof(parts[0]))];

                memcpy(line + o, p, strlen(p));
                o += strlen(p);
            } else {
                size_t d = rnd() % 30;

                while (d-- > 0)
                    line[o++] = (char)('0' + rnd() % (rnd() % 3 ? 2 : 10));
            }
        }
        line[o] = '\0';
        assert_int_equal(ogid_document_new(1000, &doc), 0);
        ogid_document_builder(doc, &b);
        add_para(&b, "标题: 某局2023年度政府信息公开工作年度报告", 1);
        if (o > 0)
            add_para(&b, line, 2);
        m = recognise(doc);
        assert_non_null(json_object_get(m, "notes"));
        json_decref(m);
        ogid_document_free(doc);
    }
    /* Every row forty digits long: too many splits, said so. */
    {
        const char *const rows[] = {"一、本年新收政府信息公开申请数量",
                                    "二、上年结转政府信息公开申请数量", "（一）予以公开",
                                    "（七）总计", "四、结转下年度继续办理"};
        struct ogid_document *doc;
        struct ogid_doc_builder b;
        json_t *m;
        size_t o = 0, i, k;

        o += (size_t)sprintf(line, "申请人情况自然人总计本年制发件数");
        for (i = 0; i < 5; i++) {
            o += (size_t)sprintf(line + o, "%s", rows[i]);
            for (k = 0; k < 40; k++)
                line[o++] = (char)('1' + (k * 7 + i) % 9);
        }
        line[o] = '\0';
        assert_int_equal(ogid_document_new(1000, &doc), 0);
        ogid_document_builder(doc, &b);
        add_para(&b, "三、收到和处理政府信息公开申请情况", 1);
        add_para(&b, line, 2);
        m = recognise(doc);
        assert_non_null(find_note(m, "AMBIGUOUS_NUMBERS", "new"));
        assert_true(
            json_is_null(json_array_get(path_get(m, "requests", "rows", "new"), 0)));
        json_decref(m);
        ogid_document_free(doc);
    }
    free(line);
}

/* The seed with lines dropped or replaced at random: always a model. */
static void test_recognise_mutated_seed(void **state)
{
    char *text = slurp(SEED ".txt"), buf[20][256];
    int round;

    (void)state;
    for (round = 0; round < 100; round++) {
        struct edit e[20];
        struct ogid_document *doc;
        json_t *m;
        size_t i;

        for (i = 0; i < 20; i++) {
            e[i].line = 1 + rnd() % 628;
            e[i].text = rnd() % 3 == 0 ? NULL : random_text(buf[i], sizeof(buf[i]));
        }
        doc = doc_from_text(text, e, 20);
        m = recognise(doc);
        assert_non_null(json_object_get(m, "notes"));
        json_decref(m);
        ogid_document_free(doc);
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms_load_bundled),
        cmocka_unit_test(test_norm_spelling),
        cmocka_unit_test(test_forms_load_errors),
        cmocka_unit_test(test_forms_load_identity_errors),
        cmocka_unit_test(test_forms_load_prose_errors),
        cmocka_unit_test(test_recognise_seed_top_level),
        cmocka_unit_test(test_recognise_seed_meta),
        cmocka_unit_test(test_recognise_seed_tables),
        cmocka_unit_test(test_recognise_seed_sections),
        cmocka_unit_test(test_recognise_one_number_changes_one_cell),
        cmocka_unit_test(test_recognise_full_width_tolerated),
        cmocka_unit_test(test_recognise_blank_cell_is_null),
        cmocka_unit_test(test_recognise_missing_parts_noted),
        cmocka_unit_test(test_recognise_short_row_ambiguous),
        cmocka_unit_test(test_recognise_grid_tables),
        cmocka_unit_test(test_recognise_grid_short_rows),
        cmocka_unit_test(test_recognise_meta_variants),
        cmocka_unit_test(test_recognise_no_tables_form_null),
        cmocka_unit_test(test_recognise_row_on_one_line),
        cmocka_unit_test(test_recognise_local_form_variant),
        cmocka_unit_test(test_recognise_crawler_dumps),
        cmocka_unit_test(test_recognise_split_prose),
        cmocka_unit_test(test_recognise_split_ambiguous_row),
        cmocka_unit_test(test_recognise_split_edge_cases),
        cmocka_unit_test(test_recognise_split_kept_as_printed),
        cmocka_unit_test(test_recognise_text_plugin_tabs),
        cmocka_unit_test(test_recognise_random_documents),
        cmocka_unit_test(test_recognise_mutated_seed),
        cmocka_unit_test(test_recognise_run_together_random),
        cmocka_unit_test(test_value_parse),
        cmocka_unit_test(test_date_parse),
    };

    return cmocka_run_group_tests(tests, load_forms, free_forms);
}
