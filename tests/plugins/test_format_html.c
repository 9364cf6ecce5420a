/* The HTML format plugin (plugins/format_html) through the real loader and
 * the real document builder: the real reports come out with the grids of the
 * official forms, <br> splits paragraphs and joins header cells, scripts and
 * portal chrome never reach the document, layout tables are flattened so
 * the data tables inside them stand alone, and limits hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ogid/ogid_error.h"
#include "ogid_document.h"
#include "ogid_input.h"
#include "ogid_plugin_loader.h"

#define REPORTS OGID_TEST_FIXTURES "/reports/"

static const struct ogid_plugin *plugin;
static void *handle;

static void quiet_log(int level, const char *name, const char *fmt, ...)
{
    (void)level;
    (void)name;
    (void)fmt;
}

static const struct ogid_host host = {
    .struct_size = sizeof(struct ogid_host),
    .log = quiet_log,
    .max_input_bytes = 256u << 20,
    .max_expanded_bytes = 64u << 20,
    .max_cells = 200000,
};

static int group_setup(void **state)
{
    char err[1024] = "";

    if (ogid_plugin_open(OGID_TEST_PLUGINS "/ogid-format_html.so", &plugin, &handle, err,
                         sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return plugin->init != NULL ? plugin->init(&host) : 0;
}

static int group_teardown(void **state)
{
    if (plugin->fini != NULL)
        plugin->fini();
    ogid_plugin_close(handle);
    return 0;
}

/* Parses bytes as the host does (decoded and normalised) into *doc. */
static int parse_bytes(const void *bytes, size_t len, size_t max_cells,
                       struct ogid_document **doc)
{
    struct ogid_file f;
    struct ogid_doc_builder b;
    struct ogid_input in;
    int rc;

    assert_int_equal(ogid_file_from_buffer(bytes, len, &f), 0);
    in = (struct ogid_input){.name = "page.html",
                             .bytes = f.bytes,
                             .len = f.len,
                             .text = f.text,
                             .text_len = f.text_len};
    assert_int_equal(ogid_document_new(max_cells, doc), 0);
    ogid_document_builder(*doc, &b);
    rc = plugin->parse(&in, &b);
    ogid_file_clear(&f);
    return rc;
}

static struct ogid_document *parse_str(const char *html)
{
    struct ogid_document *doc = NULL;

    assert_int_equal(parse_bytes(html, strlen(html), 200000, &doc), 0);
    return doc;
}

static struct ogid_document *parse_file(const char *path)
{
    struct ogid_document *doc = NULL;
    FILE *fp = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    n = ftell(fp);
    assert_true(n > 0);
    rewind(fp);
    buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    assert_int_equal(parse_bytes(buf, (size_t)n, 200000, &doc), 0);
    free(buf);
    return doc;
}

/* The i-th block of a kind (0-based), or NULL. */
static const struct ogid_block *nth(const struct ogid_document *doc,
                                    enum ogid_block_kind kind, size_t i)
{
    for (size_t k = 0; k < doc->n_blocks; k++)
        if (doc->blocks[k].kind == kind && i-- == 0)
            return &doc->blocks[k];
    return NULL;
}

static size_t count(const struct ogid_document *doc, enum ogid_block_kind kind)
{
    size_t n = 0;

    for (size_t k = 0; k < doc->n_blocks; k++)
        n += doc->blocks[k].kind == kind;
    return n;
}

/* Does any paragraph or cell contain s? */
static int anywhere(const struct ogid_document *doc, const char *s)
{
    for (size_t k = 0; k < doc->n_blocks; k++) {
        const struct ogid_block *b = &doc->blocks[k];

        if (b->kind == OGID_BLOCK_PARAGRAPH && strstr(b->text, s) != NULL)
            return 1;
        for (size_t i = 0; b->kind == OGID_BLOCK_TABLE && i < b->rows * b->cols; i++)
            if (strstr(b->cells[i], s) != NULL)
                return 1;
    }
    return 0;
}

static size_t paragraphs_equal(const struct ogid_document *doc, const char *s)
{
    size_t n = 0;

    for (size_t k = 0; k < doc->n_blocks; k++)
        n += doc->blocks[k].kind == OGID_BLOCK_PARAGRAPH &&
             strcmp(doc->blocks[k].text, s) == 0;
    return n;
}

static void assert_cell(const struct ogid_block *t, size_t r, size_t c, const char *text)
{
    assert_string_equal(ogid_block_cell(t, r, c), text);
}

static void test_html_probe_markup(void **state)
{
    static const char page[] = "<p style='text-align: center'>发布日期:2020-01-31</p>";
    static const char doc[] = "<!DOCTYPE html>\n<html><body>x</body></html>";
    static const char text[] = "一、总体情况\n(一)主动公开\n<这不是标签>\n";
    static const char mention[] = "空单元格写作 <br> 或 <p> 的说明\n";
    struct ogid_input in = {.name = "x",
                            .bytes = (const unsigned char *)page,
                            .len = sizeof page - 1,
                            .text = page,
                            .text_len = sizeof page - 1};

    assert_int_equal(plugin->probe(&in), 80);
    in.text = doc;
    in.text_len = sizeof doc - 1;
    assert_int_equal(plugin->probe(&in), 80);
    in.text = text;
    in.text_len = sizeof text - 1;
    assert_int_equal(plugin->probe(&in), 0);
    in.text = mention; /* a text that mentions tags: the text plugin's */
    in.text_len = sizeof mention - 1;
    assert_int_equal(plugin->probe(&in), 5);
    in.text = NULL;
    assert_int_equal(plugin->probe(&in), 0);
}

/* Form 2019: table 二 with the (九) procurement block, table 三 with 23
 * numeric rows under a three-row header, table 四 in one row of 15. */
static void test_html_shanghai_grids(void **state)
{
    struct ogid_document *doc = parse_file(REPORTS "shanghai-government-office-2019.html");
    const struct ogid_block *t2, *t3, *t4;

    assert_int_equal(count(doc, OGID_BLOCK_TABLE), 3);
    t2 = nth(doc, OGID_BLOCK_TABLE, 0);
    t3 = nth(doc, OGID_BLOCK_TABLE, 1);
    t4 = nth(doc, OGID_BLOCK_TABLE, 2);
    assert_int_equal(t2->rows, 18);
    assert_int_equal(t2->cols, 5);
    assert_cell(t2, 0, 4, "第二十条第(一)项"); /* colspan 5 repeats */
    assert_cell(t2, 1, 1, "本年新制作数量");   /* 本年新<br />制作数量 */
    assert_cell(t2, 2, 4, "524");
    assert_cell(t2, 17, 3, "251000元");

    assert_int_equal(t3->rows, 26);
    assert_int_equal(t3->cols, 10);
    assert_cell(t3, 2, 0,
                "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)");
    assert_cell(t3, 2, 4, "商业企业");
    assert_cell(t3, 3, 3, "821");
    assert_cell(t3, 3, 9, "859");
    /* The rowspan label repeats down its column; only its first row has it
     * as an origin. */
    for (size_t r = 5; r <= 24; r++)
        assert_cell(t3, r, 0, "三、本年度办理结果");
    assert_int_equal(t3->origin[5 * t3->cols], 1);
    assert_int_equal(t3->origin[6 * t3->cols], 0);
    for (size_t r = 7; r <= 14; r++)
        assert_cell(t3, r, 1, "(三)不予公开");
    assert_cell(t3, 23, 1, "(六)其他处理"); /* form 2019: one row */
    assert_cell(t3, 23, 3, "");             /* a blank cell is kept */
    assert_cell(t3, 25, 0, "四、结转下年度继续办理");
    assert_cell(t3, 25, 9, "72");

    assert_int_equal(t4->rows, 4);
    assert_int_equal(t4->cols, 15);
    assert_cell(t4, 1, 0, "结果维持");
    assert_cell(t4, 2, 0, "结果维持");
    assert_cell(t4, 3, 4, "7");
    assert_cell(t4, 3, 9, "9");

    assert_string_equal(nth(doc, OGID_BLOCK_PARAGRAPH, 0)->text,
                        "2019年上海市人民政府办公厅政府信息公开工作年度报告");
    assert_int_equal(paragraphs_equal(doc, "一、总体情况"), 1);
    assert_int_equal(paragraphs_equal(doc, "发布日期:2020-01-31"), 1);
    ogid_document_free(doc);
}

/* A whole portal page: the tables, the body's paragraphs with their source
 * lines, and none of the scripts, menus or share boxes around them. */
static void test_html_pingtan_page(void **state)
{
    struct ogid_document *doc = parse_file(REPORTS "pingtan-2022.html");
    const struct ogid_block *t3, *t4, *p;

    assert_int_equal(count(doc, OGID_BLOCK_TABLE), 3);
    assert_int_equal(nth(doc, OGID_BLOCK_TABLE, 0)->rows, 14);
    assert_int_equal(nth(doc, OGID_BLOCK_TABLE, 0)->cols, 4);
    t3 = nth(doc, OGID_BLOCK_TABLE, 1);
    assert_int_equal(t3->rows, 28);
    assert_int_equal(t3->cols, 10);
    assert_cell(t3, 3, 3, "71");
    assert_cell(t3, 25, 2, "3.其他");
    assert_cell(t3, 25, 4, "2");
    assert_cell(t3, 26, 9, "75");
    for (size_t r = 23; r <= 25; r++)
        assert_cell(t3, r, 1, "(六)其他处理");
    t4 = nth(doc, OGID_BLOCK_TABLE, 2);
    assert_int_equal(t4->rows, 4);
    assert_int_equal(t4->cols, 15);
    assert_cell(t4, 3, 1, "1");
    assert_cell(t4, 3, 5, "1");
    /* Line numbers come from the source. */
    assert_int_equal(nth(doc, OGID_BLOCK_TABLE, 0)->line, 352);

    /* The title shows in the body, so the <title> (with the site's name
     * appended) is not repeated. */
    assert_int_equal(
        paragraphs_equal(doc, "平潭综合实验区2022年度政府信息公开工作年度报告"), 1);
    assert_false(anywhere(doc, "_政府信息公开年报"));
    p = NULL;
    for (size_t k = 0; k < doc->n_blocks && p == NULL; k++)
        if (doc->blocks[k].kind == OGID_BLOCK_PARAGRAPH &&
            strcmp(doc->blocks[k].text, "六、其他需要报告的事项") == 0)
            p = &doc->blocks[k];
    assert_non_null(p);
    assert_int_equal(p->line, 1203);
    assert_int_equal(paragraphs_equal(doc, "来源:平潭县人民政府 时间:2023-02-20 15:07"), 1);
    /* Scripts, the top menu, the breadcrumb, the share box, the footer. */
    assert_false(anywhere(doc, "avalon"));
    assert_false(anywhere(doc, "function"));
    assert_false(anywhere(doc, "走进平潭"));
    assert_false(anywhere(doc, "当前位置"));
    assert_false(anywhere(doc, "QQ空间"));
    assert_false(anywhere(doc, "网站标识码"));
    ogid_document_free(doc);
}

static void test_html_br_splits_paragraph(void **state)
{
    struct ogid_document *doc =
        parse_str("<div>标题<br>发布日期:2024-01-22<br/><br />  </div>"
                  "<p>一、总体情况<span>正文</span></p>");

    assert_int_equal(doc->n_blocks, 3);
    assert_string_equal(doc->blocks[0].text, "标题");
    assert_string_equal(doc->blocks[1].text, "发布日期:2024-01-22");
    assert_string_equal(doc->blocks[2].text, "一、总体情况正文");
    ogid_document_free(doc);
}

static void test_html_br_in_cell_joined(void **state)
{
    struct ogid_document *doc =
        parse_str("<table><tr><td>商业<br>企业</td><td><p>本年新</p><p>制作数量</p></td>"
                  "<td>\n   自然人\n  </td><td>&nbsp;</td><td>12 <br> 345</td>"
                  "<td>Word<br>文件</td><td>１２</td></tr></table>");
    const struct ogid_block *t = nth(doc, OGID_BLOCK_TABLE, 0);

    assert_non_null(t);
    assert_int_equal(t->cols, 7);
    assert_cell(t, 0, 0, "商业企业");
    assert_cell(t, 0, 1, "本年新制作数量");
    assert_cell(t, 0, 2, "自然人");
    assert_cell(t, 0, 3, ""); /* &nbsp; is a blank, kept */
    assert_cell(t, 0, 4, "12 345");
    assert_cell(t, 0, 5, "Word 文件");
    assert_cell(t, 0, 6, "12"); /* full-width digits, as the host spells them */
    ogid_document_free(doc);
}

static void test_html_script_style_dropped(void **state)
{
    struct ogid_document *doc =
        parse_str("<html><head><title>t</title><style>p{color:red}</style>"
                  "<script>var secret = 1;</script></head><body>"
                  "<p>正文<script>document.write('脚本')</script>继续</p>"
                  "<noscript>请启用脚本</noscript><template><p>模板</p></template>"
                  "<iframe>框架</iframe><select><option>选项</option></select>"
                  "<div style=\"display: none\">隐藏</div><p hidden>也隐藏</p>"
                  "<table><tr><td>a<script>x()</script></td><td>b<style>td{}</style></td></"
                  "tr></table>"
                  "</body></html>");

    assert_true(anywhere(doc, "正文继续"));
    assert_cell(nth(doc, OGID_BLOCK_TABLE, 0), 0, 0, "a");
    assert_cell(nth(doc, OGID_BLOCK_TABLE, 0), 0, 1, "b");
    assert_false(anywhere(doc, "secret"));
    assert_false(anywhere(doc, "color"));
    assert_false(anywhere(doc, "脚本"));
    assert_false(anywhere(doc, "模板"));
    assert_false(anywhere(doc, "框架"));
    assert_false(anywhere(doc, "选项"));
    assert_false(anywhere(doc, "隐藏"));
    assert_false(anywhere(doc, "x()"));
    ogid_document_free(doc);
}

static void test_html_chrome_dropped_body_kept(void **state)
{
    struct ogid_document *doc = parse_str(
        "<body><nav>首页 政务公开</nav><div id=\"topNav\">导航</div>"
        "<div class=\"breadcrumb\">当前位置</div><ul class=\"menu_list\"><li>菜单</li></ul>"
        "<div class=\"main_menu\"><div class=\"TRS_Editor\"><p>正文一</p></div></div>"
        "<article><header><h1>文章标题</h1></header><p>正文二</p></article>"
        "<div class=\"share_box\">分享到微信</div><footer>版权所有</footer>"
        "<div class=\"footer\">网站标识码</div></body>");

    assert_int_equal(paragraphs_equal(doc, "正文一"), 1);
    assert_int_equal(paragraphs_equal(doc, "文章标题"), 1);
    assert_int_equal(paragraphs_equal(doc, "正文二"), 1);
    assert_false(anywhere(doc, "首页"));
    assert_false(anywhere(doc, "导航"));
    assert_false(anywhere(doc, "当前位置"));
    assert_false(anywhere(doc, "菜单"));
    assert_false(anywhere(doc, "分享"));
    assert_false(anywhere(doc, "版权"));
    assert_false(anywhere(doc, "标识码"));
    ogid_document_free(doc);
}

/* The builder refuses a table inside a table: the plugin reads the outer
 * one as layout, its cells' text as paragraphs, the inner ones as tables. */
static void test_html_nested_layout_table(void **state)
{
    struct ogid_document *doc = parse_str(
        "<table><tr><td>左栏</td><td><p>报告标题</p>"
        "<table><tr><td>规章</td><td>0</td></tr><tr><td>规范性文件</td><td>7</td></tr></"
        "table>"
        "<p>后记</p><table><tr><td>a</td><td>b</td></tr></table></td></tr></table>");

    assert_int_equal(count(doc, OGID_BLOCK_TABLE), 2);
    assert_int_equal(doc->blocks[0].kind, OGID_BLOCK_PARAGRAPH);
    assert_string_equal(doc->blocks[0].text, "左栏");
    assert_string_equal(doc->blocks[1].text, "报告标题");
    assert_int_equal(doc->blocks[2].kind, OGID_BLOCK_TABLE);
    assert_int_equal(doc->blocks[2].rows, 2);
    assert_cell(&doc->blocks[2], 1, 1, "7");
    assert_string_equal(doc->blocks[3].text, "后记");
    assert_int_equal(doc->blocks[4].kind, OGID_BLOCK_TABLE);
    ogid_document_free(doc);
}

/* Tables of one column, or with an article in a cell, are page layout. */
static void test_html_single_column_is_text(void **state)
{
    struct ogid_document *doc =
        parse_str("<table><tr><td><p>一、总体情况</p><p>正文</p></td></tr>"
                  "<tr><td>二、主动公开政府信息情况</td></tr></table>");

    assert_int_equal(count(doc, OGID_BLOCK_TABLE), 0);
    assert_int_equal(doc->n_blocks, 3);
    assert_string_equal(doc->blocks[1].text, "正文");
    ogid_document_free(doc);
}

static void test_html_spans_clamped(void **state)
{
    struct ogid_document *doc = parse_str("<table><tr><td colspan=\"0\">a</td><td "
                                          "colspan=\"x\">b</td><td colspan=\" 2px\">c</td>"
                                          "<td rowspan=\"-3\">d</td></tr><tr><td "
                                          "colspan=\"99999999999\">e</td></tr></table>");
    const struct ogid_block *t = nth(doc, OGID_BLOCK_TABLE, 0);

    assert_int_equal(t->rows, 2);
    assert_int_equal(t->cols, 1000);
    assert_cell(t, 0, 0, "a");
    assert_cell(t, 0, 1, "b");
    assert_cell(t, 0, 2, "c");
    assert_cell(t, 0, 3, "c");
    assert_cell(t, 0, 4, "d");
    assert_cell(t, 1, 0, "e");
    assert_cell(t, 1, 999, "e");
    ogid_document_free(doc);
}

static void test_html_cell_limit(void **state)
{
    struct ogid_document *doc = NULL;
    size_t cap = 64 + 200 * 32, len = 0;
    char *html = malloc(cap);

    assert_non_null(html);
    len += (size_t)snprintf(html + len, cap - len, "<table>");
    for (int r = 0; r < 100; r++)
        len += (size_t)snprintf(html + len, cap - len, "<tr><td>%d</td><td>x</td></tr>", r);
    len += (size_t)snprintf(html + len, cap - len, "</table>");
    assert_int_equal(parse_bytes(html, len, 50, &doc), OGID_ETOOBIG);
    ogid_document_free(doc);
    free(html);
}

/* Nesting far past any real page neither overflows the stack nor fails. */
static void test_html_deep_nesting(void **state)
{
    const size_t depth = 100000;
    char *html = malloc(depth * 11 + 64), *p = html;
    struct ogid_document *doc = NULL;

    assert_non_null(html);
    for (size_t i = 0; i < depth; i++)
        p += sprintf(p, i % 2 ? "<span>" : "<div>");
    p += sprintf(p, "深处");
    *p = '\0';
    assert_int_equal(parse_bytes(html, strlen(html), 200000, &doc), 0);
    ogid_document_free(doc);
    free(html);
}

/* The host has decoded the page already: a charset in the page must not
 * make the parser decode it again. */
static void test_html_declared_charset_ignored(void **state)
{
    struct ogid_document *doc = parse_str("<html><head><meta http-equiv=\"Content-Type\" "
                                          "content=\"text/html; charset=gb2312\">"
                                          "</head><body><p>政府信息公开</p></body></html>");

    assert_int_equal(paragraphs_equal(doc, "政府信息公开"), 1);
    ogid_document_free(doc);
}

static void test_html_title_when_body_lacks_it(void **state)
{
    struct ogid_document *doc = parse_str(
        "<html><head><title>XX局2023年政府信息公开工作年度报告_XX网</title></head>"
        "<body><p>一、总体情况</p></body></html>");

    assert_string_equal(doc->blocks[0].text, "XX局2023年政府信息公开工作年度报告");
    ogid_document_free(doc);
}

/* Pages saved by Word: conditional-comment markers are not text, and the
 * zero-height row that only fixes column widths is not a row. */
static void test_html_word_saved_page(void **state)
{
    struct ogid_document *doc = parse_str(
        "<html><head><!--[if gte mso 9]><xml><w:WordDocument>Print</w:WordDocument></xml>"
        "<![endif]--></head><body><div class=WordSection1>"
        "<p class=MsoListParagraph><![if !supportLists]><span>1.</span><![endif]>"
        "属于国家秘密<o:p></o:p></p>"
        "<table class=MsoTableGrid border=1><tr><td><p>商业<o:p></o:p></p><p>企业</p></td>"
        "<td>2</td></tr><![if !supportMisalignedColumns]><tr height=0>"
        "<td width=100 style='border:none'>&nbsp;</td><td width=50></td></tr><![endif]>"
        "</table></div></body></html>");
    const struct ogid_block *t = nth(doc, OGID_BLOCK_TABLE, 0);

    assert_int_equal(paragraphs_equal(doc, "1.属于国家秘密"), 1);
    assert_false(anywhere(doc, "Print"));
    assert_false(anywhere(doc, "<!["));
    assert_int_equal(t->rows, 1);
    assert_cell(t, 0, 0, "商业企业");
    ogid_document_free(doc);
}

static void test_html_lines(void **state)
{
    struct ogid_document *doc = parse_str(
        "<html>\n<body>\n<p>一</p>\n\n<p>\n二</p>\n<table>\n<tr><td>a</td><td>b</td>"
        "</tr></table>\n</body></html>\n");

    assert_int_equal(doc->blocks[0].line, 3);
    assert_int_equal(doc->blocks[1].line, 6);
    assert_int_equal(doc->blocks[2].line, 7);
    ogid_document_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_probe_markup),
        cmocka_unit_test(test_html_shanghai_grids),
        cmocka_unit_test(test_html_pingtan_page),
        cmocka_unit_test(test_html_br_splits_paragraph),
        cmocka_unit_test(test_html_br_in_cell_joined),
        cmocka_unit_test(test_html_script_style_dropped),
        cmocka_unit_test(test_html_chrome_dropped_body_kept),
        cmocka_unit_test(test_html_nested_layout_table),
        cmocka_unit_test(test_html_single_column_is_text),
        cmocka_unit_test(test_html_spans_clamped),
        cmocka_unit_test(test_html_cell_limit),
        cmocka_unit_test(test_html_deep_nesting),
        cmocka_unit_test(test_html_declared_charset_ignored),
        cmocka_unit_test(test_html_title_when_body_lacks_it),
        cmocka_unit_test(test_html_word_saved_page),
        cmocka_unit_test(test_html_lines),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
