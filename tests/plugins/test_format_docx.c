/* The Word format plugin (plugins/format_docx) through the real loader and
 * the real document builder: the .docx fixtures (made by LibreOffice from
 * the HTML reports) give the very grids the HTML gives, w:gridSpan and
 * w:vMerge come out as spans, and hostile zips are refused: decompression
 * bombs with OGID_ETOOBIG, quickly, and anything corrupt with OGID_EFORMAT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <zip.h>

#include "ogid/ogid_error.h"
#include "ogid_document.h"
#include "ogid_input.h"
#include "ogid_plugin_loader.h"

#define REPORTS OGID_TEST_FIXTURES "/reports/"
#define VARIANTS OGID_TEST_FIXTURES "/variants/"

static const struct ogid_plugin *docx, *html;
static void *docx_handle, *html_handle;

static void quiet_log(int level, const char *name, const char *fmt, ...)
{
    (void)level;
    (void)name;
    (void)fmt;
}

static struct ogid_host host = {
    .struct_size = sizeof(struct ogid_host),
    .log = quiet_log,
    .max_input_bytes = 256u << 20,
    .max_expanded_bytes = 64u << 20,
    .max_cells = 200000,
};

static int group_setup(void **state)
{
    char err[1024] = "";

    if (ogid_plugin_open(OGID_TEST_PLUGINS "/ogid-format_docx.so", &docx, &docx_handle, err,
                         sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    /* The HTML plugin is optional: only the comparison tests need it. */
    if (ogid_plugin_open(OGID_TEST_PLUGINS "/ogid-format_html.so", &html, &html_handle, err,
                         sizeof err) != 0)
        html = NULL;
    if (html != NULL && html->init != NULL && html->init(&host) != 0)
        return -1;
    return docx->init(&host);
}

static int group_teardown(void **state)
{
    docx->fini();
    ogid_plugin_close(docx_handle);
    if (html != NULL) {
        if (html->fini != NULL)
            html->fini();
        ogid_plugin_close(html_handle);
    }
    return 0;
}

/* Each test that changes the limits puts them back. */
static int reset_limits(void **state)
{
    docx->fini();
    host.max_expanded_bytes = 64u << 20;
    host.max_cells = 200000;
    return docx->init(&host);
}

static char *slurp(const char *path, size_t *len)
{
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
    *len = (size_t)n;
    return buf;
}

/* Parses bytes with plugin p as the host does into *doc. */
static int parse_with(const struct ogid_plugin *p, const void *bytes, size_t len,
                      struct ogid_document **doc)
{
    struct ogid_file f;
    struct ogid_doc_builder b;
    struct ogid_input in;
    int rc;

    assert_int_equal(ogid_file_from_buffer(bytes, len, &f), 0);
    in = (struct ogid_input){.name = "report",
                             .bytes = f.bytes,
                             .len = f.len,
                             .text = f.text,
                             .text_len = f.text_len};
    assert_int_equal(ogid_document_new(200000, doc), 0);
    ogid_document_builder(*doc, &b);
    rc = p->parse(&in, &b);
    ogid_file_clear(&f);
    return rc;
}

static int parse_docx(const void *bytes, size_t len, struct ogid_document **doc)
{
    return parse_with(docx, bytes, len, doc);
}

static struct ogid_document *parse_path(const struct ogid_plugin *p, const char *path)
{
    struct ogid_document *doc = NULL;
    size_t len;
    char *buf = slurp(path, &len);

    assert_int_equal(parse_with(p, buf, len, &doc), 0);
    free(buf);
    return doc;
}

/* ---- Zips made in memory ------------------------------------------------- */

struct entry {
    const char *name;
    const void *data;
    size_t len;
};

/* A zip of the entries, deflated; caller frees. */
static unsigned char *make_zip(const struct entry *e, size_t n, size_t *len)
{
    zip_error_t err;
    zip_source_t *out;
    zip_t *za;
    zip_stat_t st;
    unsigned char *buf;

    zip_error_init(&err);
    out = zip_source_buffer_create(NULL, 0, 0, &err);
    assert_non_null(out);
    zip_source_keep(out);
    za = zip_open_from_source(out, ZIP_TRUNCATE, &err);
    assert_non_null(za);
    for (size_t i = 0; i < n; i++) {
        zip_source_t *s = zip_source_buffer(za, e[i].data, e[i].len, 0);
        zip_int64_t idx;

        assert_non_null(s);
        idx = zip_file_add(za, e[i].name, s, ZIP_FL_ENC_UTF_8);
        assert_true(idx >= 0);
        assert_int_equal(zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 9),
                         0);
    }
    assert_int_equal(zip_close(za), 0);
    assert_int_equal(zip_source_stat(out, &st), 0);
    assert_int_equal(zip_source_open(out), 0);
    buf = malloc(st.size);
    assert_non_null(buf);
    assert_int_equal(zip_source_read(out, buf, st.size), (zip_int64_t)st.size);
    zip_source_close(out);
    zip_source_free(out);
    zip_error_fini(&err);
    *len = (size_t)st.size;
    return buf;
}

#define W_DOC_OPEN                                                                         \
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"                        \
    "<w:document "                                                                         \
    "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"            \
    "<w:body>"
#define W_DOC_CLOSE "</w:body></w:document>"

static unsigned char *make_docx(const char *body_xml, size_t *len)
{
    size_t n = strlen(W_DOC_OPEN) + strlen(body_xml) + strlen(W_DOC_CLOSE) + 1;
    char *xml = malloc(n);
    unsigned char *zip;

    assert_non_null(xml);
    snprintf(xml, n, "%s%s%s", W_DOC_OPEN, body_xml, W_DOC_CLOSE);
    {
        struct entry e[] = {{"word/document.xml", xml, strlen(xml)}};

        zip = make_zip(e, 1, len);
    }
    free(xml);
    return zip;
}

static struct ogid_document *parse_body(const char *body_xml)
{
    struct ogid_document *doc = NULL;
    size_t len;
    unsigned char *zip = make_docx(body_xml, &len);

    assert_int_equal(parse_docx(zip, len, &doc), 0);
    free(zip);
    return doc;
}

/* ---- Helpers on documents ------------------------------------------------ */

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

static void assert_cell(const struct ogid_block *t, size_t r, size_t c, const char *text,
                        int origin)
{
    assert_string_equal(ogid_block_cell(t, r, c), text);
    assert_int_equal(t->origin[r * t->cols + c], origin);
}

/* The same tables, cell for cell and span for span, and the same text. */
static void assert_same_document(const struct ogid_document *a,
                                 const struct ogid_document *b)
{
    size_t ta = count(a, OGID_BLOCK_TABLE);

    assert_int_equal(ta, count(b, OGID_BLOCK_TABLE));
    for (size_t i = 0; i < ta; i++) {
        const struct ogid_block *x = nth(a, OGID_BLOCK_TABLE, i);
        const struct ogid_block *y = nth(b, OGID_BLOCK_TABLE, i);

        assert_int_equal(x->rows, y->rows);
        assert_int_equal(x->cols, y->cols);
        for (size_t k = 0; k < x->rows * x->cols; k++) {
            assert_string_equal(x->cells[k], y->cells[k]);
            assert_int_equal(x->origin[k], y->origin[k]);
        }
    }
}

static int has_paragraph(const struct ogid_document *doc, const char *s)
{
    for (size_t k = 0; k < doc->n_blocks; k++)
        if (doc->blocks[k].kind == OGID_BLOCK_PARAGRAPH &&
            strcmp(doc->blocks[k].text, s) == 0)
            return 1;
    return 0;
}

/* ---- Tests ---------------------------------------------------------------- */

static void test_docx_probe(void **state)
{
    size_t len;
    char *buf = slurp(REPORTS "tongxin-county-office-2023.docx", &len);
    struct ogid_input in = {.name = "x", .bytes = (const unsigned char *)buf, .len = len};
    static const char text[] = "PK is not a zip";
    struct entry e[] = {{"xl/workbook.xml", "<x/>", 4}};
    unsigned char *xlsx;

    assert_int_equal(docx->probe(&in), 100);
    free(buf);
    in.bytes = (const unsigned char *)text;
    in.len = sizeof text - 1;
    in.text = text;
    in.text_len = in.len;
    assert_int_equal(docx->probe(&in), 0);
    xlsx = make_zip(e, 1, &len);
    in.bytes = xlsx;
    in.len = len;
    in.text = NULL;
    assert_int_equal(docx->probe(&in), 0);
    free(xlsx);
}

/* LibreOffice turned the HTML reports into Word files; their grids are the
 * HTML's, spans and blanks included. */
static void test_docx_fixtures_match_html(void **state)
{
    static const char *const pairs[][2] = {
        {REPORTS "shanghai-government-office-2019.docx",
         REPORTS "shanghai-government-office-2019.html"},
        {REPORTS "pingtan-2022.docx", REPORTS "pingtan-2022.html"},
        {REPORTS "tongxin-county-office-2023.docx",
         VARIANTS "tongxin-county-office-2023.html"},
    };

    if (html == NULL)
        skip();
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        struct ogid_document *d = parse_path(docx, pairs[i][0]);
        struct ogid_document *h = parse_path(html, pairs[i][1]);

        assert_int_equal(count(d, OGID_BLOCK_TABLE), 3);
        assert_same_document(d, h);
        ogid_document_free(d);
        ogid_document_free(h);
    }
}

static void test_docx_shanghai(void **state)
{
    struct ogid_document *doc =
        parse_path(docx, REPORTS "shanghai-government-office-2019.docx");
    const struct ogid_block *t3 = nth(doc, OGID_BLOCK_TABLE, 1);

    assert_string_equal(nth(doc, OGID_BLOCK_PARAGRAPH, 0)->text,
                        "2019年上海市人民政府办公厅政府信息公开工作年度报告");
    assert_true(has_paragraph(doc, "一、总体情况"));
    assert_true(has_paragraph(doc, "六、其他需要报告的事项"));
    assert_int_equal(t3->rows, 26);
    assert_int_equal(t3->cols, 10);
    /* vMerge restart + 19 continuations: one cell over 20 rows. */
    for (size_t r = 5; r <= 24; r++)
        assert_cell(t3, r, 0, "三、本年度办理结果", r == 5);
    assert_cell(t3, 2, 4, "商业企业", 1);
    assert_cell(t3, 24, 9, "805", 1);
    ogid_document_free(doc);
}

static void test_docx_spans(void **state)
{
    struct ogid_document *doc = parse_body(
        "<w:tbl>"
        "<w:tr><w:tc><w:tcPr><w:vMerge "
        "w:val=\"restart\"/></w:tcPr><w:p><w:r><w:t>A</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:tcPr><w:gridSpan "
        "w:val=\"2\"/></w:tcPr><w:p><w:r><w:t>B</w:t></w:r></w:p></w:tc></w:tr>"
        "<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>"
        "<w:tc><w:p><w:r><w:t>C</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>D</w:t></"
        "w:r></w:p></w:tc></w:tr>"
        "<w:tr><w:tc><w:tcPr><w:vMerge w:val=\"continue\"/></w:tcPr><w:p/></w:tc>"
        "<w:tc><w:tcPr><w:gridSpan w:val=\"2\"/><w:vMerge "
        "w:val=\"restart\"/></w:tcPr><w:p><w:r><w:t>E</w:t></w:r></w:p></w:tc></w:tr>"
        "<w:tr><w:tc><w:p><w:r><w:t>F</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:tcPr><w:gridSpan w:val=\"2\"/><w:vMerge/></w:tcPr><w:p/></w:tc></w:tr>"
        "<w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr>"
        "<w:tc><w:p><w:r><w:t>G</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:vMerge/></"
        "w:tcPr><w:p><w:r><w:t>H</w:t></w:r></w:p></w:tc></w:tr>"
        "</w:tbl>");
    const struct ogid_block *t = nth(doc, OGID_BLOCK_TABLE, 0);

    assert_non_null(t);
    assert_int_equal(t->rows, 5);
    assert_int_equal(t->cols, 3);
    assert_cell(t, 0, 0, "A", 1);
    assert_cell(t, 0, 1, "B", 1);
    assert_cell(t, 0, 2, "B", 0);
    assert_cell(t, 1, 0, "A", 0);
    assert_cell(t, 1, 1, "C", 1);
    assert_cell(t, 1, 2, "D", 1);
    assert_cell(t, 2, 0, "A", 0);
    assert_cell(t, 2, 1, "E", 1);
    assert_cell(t, 2, 2, "E", 0);
    assert_cell(t, 3, 0, "F", 1);
    assert_cell(t, 3, 1, "E", 0);
    assert_cell(t, 3, 2, "E", 0);
    /* gridBefore keeps the column; a continuation with nothing above it to
     * continue is a cell of its own. */
    assert_cell(t, 4, 0, "", 1);
    assert_cell(t, 4, 1, "G", 1);
    assert_cell(t, 4, 2, "H", 1);
    ogid_document_free(doc);
}

static void test_docx_text(void **state)
{
    struct ogid_document *doc = parse_body(
        "<w:p><w:r><w:t>一、</w:t></w:r><w:r><w:t>总体情况</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>发布日期</w:t><w:tab/><w:t>２０２４－０１－２２</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>第一行</w:t><w:br/><w:t>第二行</w:t></w:r></w:p>"
        "<w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>"
        "<w:del><w:r><w:delText>删除</w:delText></w:r></w:del>"
        "<w:ins><w:r><w:t>插入</w:t></w:r></w:ins>"
        "<w:hyperlink><w:r><w:t>链接</w:t></w:r></w:hyperlink>"
        "<w:r><w:fldChar "
        "w:fldCharType=\"begin\"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>"
        "<w:r><w:t xml:space=\"preserve\">  1  </w:t></w:r></w:p>"
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>控件</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>商业</w:t></w:r></w:p><w:p><w:r><w:t>企业</"
        "w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>结果</w:t><w:br/><w:t>纠正</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>１２</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc></w:tr></"
        "w:tbl>");
    const struct ogid_block *t = nth(doc, OGID_BLOCK_TABLE, 0);

    assert_int_equal(count(doc, OGID_BLOCK_PARAGRAPH), 6);
    assert_string_equal(doc->blocks[0].text, "一、总体情况");
    assert_string_equal(doc->blocks[1].text, "发布日期 2024-01-22");
    assert_string_equal(doc->blocks[2].text, "第一行");
    assert_string_equal(doc->blocks[3].text, "第二行");
    assert_string_equal(doc->blocks[4].text, "插入链接 1");
    assert_string_equal(doc->blocks[5].text, "控件");
    assert_int_equal(doc->blocks[0].line, 0);
    assert_cell(t, 0, 0, "商业企业", 1);
    assert_cell(t, 0, 1, "结果纠正", 1);
    assert_cell(t, 0, 2, "12", 1);
    assert_cell(t, 0, 3, "", 1);
    ogid_document_free(doc);
}

/* The builder takes no table inside a table: the outer one is layout. */
static void test_docx_nested_table(void **state)
{
    struct ogid_document *doc = parse_body(
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>外</w:t></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>规章</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>0</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        "</w:tc><w:tc><w:p><w:r><w:t>右</w:t></w:r></w:p></w:tc></w:tr></w:tbl>");

    assert_int_equal(doc->n_blocks, 3);
    assert_string_equal(doc->blocks[0].text, "外");
    assert_int_equal(doc->blocks[1].kind, OGID_BLOCK_TABLE);
    assert_cell(&doc->blocks[1], 0, 1, "0", 1);
    assert_string_equal(doc->blocks[2].text, "右");
    ogid_document_free(doc);
}

/* Numbers Word adds itself (w:numPr, on the paragraph or its style) are
 * written before the text, as Word shows them. */
static void test_docx_list_numbering(void **state)
{
#define NS "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""
    static const char numbering[] =
        "<w:numbering " NS "><w:abstractNum w:abstractNumId=\"7\">"
        "<w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"chineseCounting\"/>"
        "<w:lvlText w:val=\"%1、\"/></w:lvl>"
        "<w:lvl w:ilvl=\"1\"><w:start w:val=\"1\"/><w:numFmt w:val=\"chineseCounting\"/>"
        "<w:lvlText w:val=\"（%2）\"/></w:lvl>"
        "<w:lvl w:ilvl=\"2\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimal\"/>"
        "<w:lvlText w:val=\"%3.\"/></w:lvl>"
        "<w:lvl w:ilvl=\"3\"><w:numFmt w:val=\"bullet\"/><w:lvlText w:val=\"•\"/></w:lvl>"
        "</w:abstractNum>"
        "<w:num w:numId=\"1\"><w:abstractNumId w:val=\"7\"/></w:num>"
        "<w:num w:numId=\"2\"><w:abstractNumId w:val=\"7\"/>"
        "<w:lvlOverride w:ilvl=\"0\"><w:startOverride "
        "w:val=\"11\"/></w:lvlOverride></w:num>"
        "</w:numbering>";
    static const char styles[] =
        "<w:styles " NS ">"
        "<w:style w:type=\"paragraph\" w:styleId=\"H1\"><w:pPr><w:numPr><w:ilvl "
        "w:val=\"0\"/>"
        "<w:numId w:val=\"1\"/></w:numPr></w:pPr></w:style>"
        "<w:style w:type=\"paragraph\" w:styleId=\"H2\"><w:basedOn w:val=\"H1\"/>"
        "<w:pPr><w:numPr><w:ilvl w:val=\"1\"/></w:numPr></w:pPr></w:style>"
        "</w:styles>";
#define PARA(style, text)                                                                  \
    "<w:p><w:pPr><w:pStyle w:val=\"" style "\"/></w:pPr><w:r><w:t>" text                   \
    "</w:t></w:r></w:p>"
#define NUMBERED(num, lvl, text)                                                           \
    "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"" lvl "\"/><w:numId w:val=\"" num "\"/>"         \
    "</w:numPr></w:pPr><w:r><w:t>" text "</w:t></w:r></w:p>"
    static const char document[] = W_DOC_OPEN PARA("H1", "总体情况") PARA("H2", "主动公开")
        PARA("H2", "依申请公开") PARA("H1", "主动公开政府信息情况") PARA("H2", "规章")
            NUMBERED("1", "2", "甲") NUMBERED("1", "2", "乙") NUMBERED("1", "3", "要点")
                NUMBERED("0", "0", "不编号") NUMBERED("2", "0", "其他")
                    PARA("Normal", "正文") W_DOC_CLOSE;
    static const char *const want[] = {"一、总体情况",
                                       "(一)主动公开",
                                       "(二)依申请公开",
                                       "二、主动公开政府信息情况",
                                       "(一)规章",
                                       "1.甲",
                                       "2.乙",
                                       "要点",
                                       "不编号",
                                       "十一、其他",
                                       "正文"};
    struct entry e[] = {{"word/document.xml", document, sizeof document - 1},
                        {"word/numbering.xml", numbering, sizeof numbering - 1},
                        {"word/styles.xml", styles, sizeof styles - 1}};
    struct ogid_document *doc = NULL;
    size_t len;
    unsigned char *zip = make_zip(e, 3, &len);

    assert_int_equal(parse_docx(zip, len, &doc), 0);
    assert_int_equal(doc->n_blocks, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < doc->n_blocks; i++)
        assert_string_equal(doc->blocks[i].text, want[i]);
    ogid_document_free(doc);
    free(zip);
#undef PARA
#undef NUMBERED
#undef NS
}

/* The main part is the one the package relationships name. */
static void test_docx_main_part_from_rels(void **state)
{
    static const char rels[] =
        "<?xml version=\"1.0\"?><Relationships "
        "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
        "2006/relationships/officeDocument\" "
        "Target=\"/word/document2.xml\"/></Relationships>";
    static const char doc2[] =
        W_DOC_OPEN "<w:p><w:r><w:t>正文</w:t></w:r></w:p>" W_DOC_CLOSE;
    struct entry e[] = {{"_rels/.rels", rels, sizeof rels - 1},
                        {"word/document2.xml", doc2, sizeof doc2 - 1}};
    struct ogid_document *doc = NULL;
    size_t len;
    unsigned char *zip = make_zip(e, 2, &len);

    assert_int_equal(parse_docx(zip, len, &doc), 0);
    assert_true(has_paragraph(doc, "正文"));
    ogid_document_free(doc);
    free(zip);
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 100 MiB of zeros deflate to about 100 KiB: refused on its declared size,
 * before anything is inflated. */
static void test_docx_zip_bomb(void **state)
{
    const size_t big = (size_t)100 << 20;
    char *zeros = calloc(1, big);
    struct entry e[] = {{"word/document.xml", zeros, big}};
    struct ogid_document *doc = NULL;
    unsigned char *zip;
    size_t len;
    double t0;

    assert_non_null(zeros);
    zip = make_zip(e, 1, &len);
    free(zeros);
    assert_true(len < ((size_t)1 << 20));
    t0 = now();
    assert_int_equal(parse_docx(zip, len, &doc), OGID_ETOOBIG);
    assert_true(now() - t0 < 1.0);
    ogid_document_free(doc);
    free(zip);
}

/* Under the size limit but compressed 1000:1: refused by the ratio. */
static void test_docx_ratio_bomb(void **state)
{
    static const char tail[] = "</w:t></w:r></w:p>" W_DOC_CLOSE;
    const size_t n = (size_t)4 << 20;
    char *xml = malloc(n);
    struct entry e[] = {{"word/document.xml", xml, n}};
    struct ogid_document *doc = NULL;
    unsigned char *zip;
    size_t len, off;

    assert_non_null(xml);
    off = (size_t)snprintf(xml, n, "%s<w:p><w:r><w:t>", W_DOC_OPEN);
    memset(xml + off, 'a', n - off);
    memcpy(xml + n - strlen(tail), tail, strlen(tail));
    zip = make_zip(e, 1, &len);
    free(xml);
    assert_int_equal(parse_docx(zip, len, &doc), OGID_ETOOBIG);
    ogid_document_free(doc);
    free(zip);
}

/* The host's max_expanded_bytes, given at init, is the limit. */
static void test_docx_expanded_limit(void **state)
{
    struct ogid_document *doc = NULL;
    size_t len;
    unsigned char *zip =
        make_docx("<w:p><w:r><w:t>正文正文正文正文</w:t></w:r></w:p>", &len);

    docx->fini();
    host.max_expanded_bytes = 100;
    assert_int_equal(docx->init(&host), 0);
    assert_int_equal(parse_docx(zip, len, &doc), OGID_ETOOBIG);
    ogid_document_free(doc);
    free(zip);
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* An entry whose headers claim fewer bytes than it inflates to is refused,
 * and is never written past the buffer sized by the claim (ASan watches). */
static void test_docx_size_lie(void **state)
{
    char body[4096];
    struct ogid_document *doc = NULL;
    unsigned char *zip;
    size_t len, off = 0, patched = 0;

    for (int i = 0; i < 100; i++)
        off += (size_t)snprintf(body + off, sizeof body - off,
                                "<w:p><w:r><w:t>%d</w:t></w:r></w:p>", i);
    zip = make_docx(body, &len);
    for (size_t i = 0; i + 46 <= len; i++) {
        if (memcmp(zip + i, "PK\3\4", 4) == 0 && get32(zip + i + 22) > 1000) {
            put32(zip + i + 22, 1000); /* local header: uncompressed size */
            patched++;
        } else if (memcmp(zip + i, "PK\1\2", 4) == 0 && get32(zip + i + 24) > 1000) {
            put32(zip + i + 24, 1000); /* central directory: uncompressed size */
            patched++;
        }
    }
    assert_int_equal(patched, 2);
    assert_int_equal(parse_docx(zip, len, &doc), OGID_EFORMAT);
    ogid_document_free(doc);
    free(zip);
}

static void test_docx_corrupt(void **state)
{
    static const char junk[] = "PK\3\4 this is not a zip, word/document.xml";
    struct ogid_document *doc = NULL;
    size_t len;
    char *buf = slurp(REPORTS "tongxin-county-office-2023.docx", &len);
    char *copy = malloc(len);
    unsigned char *zip;
    struct entry no_doc[] = {{"word/styles.xml", "<x/>", 4}};
    struct entry bad_xml[] = {{"word/document.xml", "<w:document><w:body>", 20}};
    static const char bomb[] =
        "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
        "<w:document "
        "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
        "<w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>";
    struct entry entities[] = {{"word/document.xml", bomb, sizeof bomb - 1}};

    assert_non_null(copy);
    assert_int_equal(parse_docx(junk, sizeof junk - 1, &doc), OGID_EFORMAT);
    ogid_document_free(doc);
    /* Cut short: no central directory. */
    assert_int_equal(parse_docx(buf, len / 2, &doc), OGID_EFORMAT);
    ogid_document_free(doc);
    /* Deflate data of document.xml scrambled: inflate or CRC fails. */
    memcpy(copy, buf, len);
    {
        char *p = memmem(copy, len, "word/document.xml", 17);

        assert_non_null(p);
        for (size_t i = 17 + 40; i < 17 + 240 && (size_t)(p - copy) + i < len; i++)
            p[i] = (char)(p[i] ^ 0x5A);
    }
    assert_int_equal(parse_docx(copy, len, &doc), OGID_EFORMAT);
    ogid_document_free(doc);
    zip = make_zip(no_doc, 1, &len);
    assert_int_equal(parse_docx(zip, len, &doc), OGID_EFORMAT);
    ogid_document_free(doc);
    free(zip);
    zip = make_zip(bad_xml, 1, &len);
    assert_int_equal(parse_docx(zip, len, &doc), OGID_EFORMAT);
    ogid_document_free(doc);
    free(zip);
    /* A DOCTYPE has no place in OOXML: refused, entities never expanded. */
    zip = make_zip(entities, 1, &len);
    assert_int_equal(parse_docx(zip, len, &doc), OGID_EFORMAT);
    ogid_document_free(doc);
    free(zip);
    free(copy);
    free(buf);
}

static void test_docx_cell_limit(void **state)
{
    char body[8192];
    size_t off = 0;
    struct ogid_document *doc = NULL;
    struct ogid_doc_builder b;
    struct ogid_input in;
    size_t len;
    unsigned char *zip;

    off += (size_t)snprintf(body + off, sizeof body - off, "<w:tbl>");
    for (int r = 0; r < 60; r++)
        off += (size_t)snprintf(body + off, sizeof body - off,
                                "<w:tr><w:tc><w:p/></w:tc><w:tc><w:p/></w:tc></w:tr>");
    snprintf(body + off, sizeof body - off, "</w:tbl>");
    zip = make_docx(body, &len);
    in = (struct ogid_input){.name = "x.docx", .bytes = zip, .len = len};
    assert_int_equal(ogid_document_new(50, &doc), 0);
    ogid_document_builder(doc, &b);
    assert_int_equal(docx->parse(&in, &b), OGID_ETOOBIG);
    ogid_document_free(doc);
    free(zip);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_docx_probe),
        cmocka_unit_test(test_docx_fixtures_match_html),
        cmocka_unit_test(test_docx_shanghai),
        cmocka_unit_test(test_docx_spans),
        cmocka_unit_test(test_docx_text),
        cmocka_unit_test(test_docx_nested_table),
        cmocka_unit_test(test_docx_list_numbering),
        cmocka_unit_test(test_docx_main_part_from_rels),
        cmocka_unit_test(test_docx_zip_bomb),
        cmocka_unit_test(test_docx_ratio_bomb),
        cmocka_unit_test_teardown(test_docx_expanded_limit, reset_limits),
        cmocka_unit_test(test_docx_size_lie),
        cmocka_unit_test(test_docx_corrupt),
        cmocka_unit_test(test_docx_cell_limit),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
