/* The CSV format plugin (plugins/format_csv) through the real loader, the
 * host's reading of the bytes and the real document builder: what its probe
 * takes and leaves, RFC 4180 quoting and where it is lenient, comment lines
 * as paragraphs, row r of the grid on line L + r, UTF-8 and GB18030 alike,
 * and the register fixture read into the register model. */
#include <iconv.h>
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
#include "ogid_register.h"

#define REGISTERS OGID_TEST_FIXTURES "/registers/"
#define REPORTS OGID_TEST_FIXTURES "/reports/"

static const struct ogid_plugin *csv;
static void *csv_handle;

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

    if (ogid_plugin_open(OGID_TEST_PLUGINS "/ogid-format_csv.so", &csv, &csv_handle, err,
                         sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return csv->init(&host);
}

static int group_teardown(void **state)
{
    csv->fini();
    ogid_plugin_close(csv_handle);
    return 0;
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
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    buf[n] = '\0';
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

/* The probe's score for bytes read as the host reads them. */
static int probe(const char *name, const void *bytes, size_t len)
{
    struct ogid_file f;
    struct ogid_input in;
    int score;

    assert_int_equal(ogid_file_from_buffer(bytes, len, &f), 0);
    in = (struct ogid_input){.name = name,
                             .bytes = f.bytes,
                             .len = f.len,
                             .text = f.text,
                             .text_len = f.text_len};
    score = csv->probe(&in);
    ogid_file_clear(&f);
    return score;
}

static int probe_str(const char *name, const char *s)
{
    return probe(name, s, strlen(s));
}

/* Parses bytes as the host does, with a document of max_cells cells. */
static int parse_limited(const void *bytes, size_t len, size_t max_cells,
                         struct ogid_document **doc)
{
    struct ogid_file f;
    struct ogid_doc_builder b;
    struct ogid_input in;
    int rc;

    assert_int_equal(ogid_file_from_buffer(bytes, len, &f), 0);
    in = (struct ogid_input){.name = "register.csv",
                             .bytes = f.bytes,
                             .len = f.len,
                             .text = f.text,
                             .text_len = f.text_len};
    assert_int_equal(ogid_document_new(max_cells, doc), 0);
    ogid_document_builder(*doc, &b);
    rc = csv->parse(&in, &b);
    ogid_file_clear(&f);
    return rc;
}

static struct ogid_document *parse_str(const char *s)
{
    struct ogid_document *doc = NULL;

    assert_int_equal(parse_limited(s, strlen(s), 200000, &doc), 0);
    return doc;
}

static const struct ogid_block *table(const struct ogid_document *doc)
{
    for (size_t k = 0; k < doc->n_blocks; k++)
        if (doc->blocks[k].kind == OGID_BLOCK_TABLE)
            return &doc->blocks[k];
    fail_msg("no table");
    return NULL;
}

/* ---- Tests ---------------------------------------------------------------- */

static void test_csv_probe(void **state)
{
    size_t len;
    char *buf = slurp(REGISTERS "tongxin-county-office-2023-register.csv", &len);

    /* A header and a record of as many fields. */
    assert_int_equal(probe("x.csv", buf, len), 70);
    free(buf);
    assert_int_equal(probe_str("t.tsv", "编号\t申请人\t收到日期\nR1\t张某\t2023-01-05\n"),
                     70);
    /* A header alone. */
    assert_int_equal(probe_str("x", "编号,申请人,收到日期\n"), 50);
    /* Ragged: only where the name says CSV. */
    assert_int_equal(probe_str("x.CSV", "编号,申请人,收到日期\nR1,张某\n"), 40);
    assert_int_equal(probe_str("x.txt", "编号,申请人,收到日期\nR1,张某\n"), 0);
    /* Two fields are not a table. */
    assert_int_equal(probe_str("x.csv", "编号,申请人\nR1,张某\n"), 0);
    /* Prose with commas: long fields, spaces, full stops. */
    assert_int_equal(
        probe_str("x", "Each report is kept byte for byte as it was found (web page, text "
                       "copied from a page, or a crawler dump), with its quirks.\nmore\n"),
        0);
    assert_int_equal(
        probe_str("x", "根据条例,现发布年度报告,本报告统计数据从1月1日至12月31日。\n"), 0);
    /* A bare number is no column name. */
    assert_int_equal(probe_str("x", "15,1,0,0\n1,2,3,4\n"), 0);
    /* The annual reports are text, not CSV. */
    buf = slurp(REPORTS "tongxin-county-office-2023.txt", &len);
    assert_int_equal(probe("tongxin-county-office-2023.txt", buf, len), 0);
    free(buf);
    buf = slurp(REPORTS "pingtan-2022.txt", &len);
    assert_int_equal(probe("pingtan-2022.txt", buf, len), 0);
    free(buf);
    buf = slurp(REPORTS "README.md", &len);
    assert_int_equal(probe("README.md", buf, len), 0);
    free(buf);
}

/* The fixture: three comment lines, the header on line 4, a quoted field
 * over lines 12-13, and row r of the grid on line 4 + r. */
static void test_csv_fixture(void **state)
{
    size_t len;
    char *buf = slurp(REGISTERS "tongxin-county-office-2023-register.csv", &len);
    struct ogid_document *doc = NULL;
    const struct ogid_block *t;

    assert_int_equal(parse_limited(buf, len, 200000, &doc), 0);
    free(buf);
    assert_int_equal(doc->n_blocks, 4);
    assert_int_equal(doc->blocks[0].kind, OGID_BLOCK_PARAGRAPH);
    assert_string_equal(doc->blocks[0].text, "机关:同心县人民政府办公室");
    assert_int_equal(doc->blocks[0].line, 1);
    assert_string_equal(doc->blocks[1].text, "年度:2023");
    assert_int_equal(doc->blocks[2].line, 3);
    t = table(doc);
    assert_int_equal(t->line, 4);
    assert_int_equal(t->cols, 17);
    assert_int_equal(t->rows, 32); /* header, 30 records, one continuation line */
    assert_string_equal(ogid_block_cell(t, 0, 0), "编号");
    assert_string_equal(ogid_block_cell(t, 0, 16), "备注");
    assert_string_equal(ogid_block_cell(t, 1, 0), "R01");
    assert_string_equal(ogid_block_cell(t, 1, 3), "2023-01-05");
    /* R08 on line 12, its remark over two lines; line 13 is an empty row. */
    assert_string_equal(ogid_block_cell(t, 8, 0), "R08");
    assert_string_equal(ogid_block_cell(t, 8, 16), "第三方:某某建材公司,\n书面征求意见");
    for (size_t c = 0; c < t->cols; c++)
        assert_string_equal(ogid_block_cell(t, 9, c), "");
    assert_string_equal(ogid_block_cell(t, 10, 0), "R09");
    assert_string_equal(ogid_block_cell(t, 10, 11), "150");
    assert_string_equal(ogid_block_cell(t, 31, 0), "R30");
    /* Empty fields are kept. */
    assert_string_equal(ogid_block_cell(t, 1, 4), "");
    ogid_document_free(doc);
}

static void test_csv_quoting(void **state)
{
    struct ogid_document *doc =
        parse_str("a,b,c\r\n"
                  "\"x,1\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\n"
                  "plain \"inner\" quote,  padded  ,\"closed\" tail\r\n"
                  ",,\r\n"
                  "last,row,\"never closed\n");
    const struct ogid_block *t = table(doc);

    assert_int_equal(t->line, 1);
    assert_int_equal(t->cols, 3);
    assert_string_equal(ogid_block_cell(t, 1, 0), "x,1");
    assert_string_equal(ogid_block_cell(t, 1, 1), "say \"hi\"");
    assert_string_equal(ogid_block_cell(t, 1, 2), "two\nlines");
    /* Line 3 is the second line of the quoted field: an empty row. */
    assert_string_equal(ogid_block_cell(t, 2, 0), "");
    assert_string_equal(ogid_block_cell(t, 3, 0), "plain \"inner\" quote");
    assert_string_equal(ogid_block_cell(t, 3, 1), "padded");
    assert_string_equal(ogid_block_cell(t, 3, 2), "closed tail");
    /* A record of empty fields is a blank line: an empty row, only because
     * a record follows it. */
    assert_string_equal(ogid_block_cell(t, 4, 0), "");
    /* A quote that never closes was a character. */
    assert_int_equal(t->rows, 6);
    assert_string_equal(ogid_block_cell(t, 5, 0), "last");
    assert_string_equal(ogid_block_cell(t, 5, 2), "\"never closed");
    ogid_document_free(doc);
}

/* Curly quotes: in UTF-8 they are read before they become straight ones;
 * in GB18030 the host's text has straight ones already, and a quote that
 * neither doubles nor ends the field is taken for one of them. Both give
 * the same cells. */
static void test_csv_curly_quotes(void **state)
{
    static const char utf8[] = "编号,办理结果,备注\n"
                               "1,\"危及“三安全一稳定”\",\"“引号”开头,逗号\"\n"
                               "2,危及“三安全一稳定”,x\n";
    char gb[512], *in = (char *)utf8, *out = gb;
    size_t in_left = sizeof utf8 - 1, out_left = sizeof gb;
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    struct ogid_document *docs[2] = {parse_str(utf8), NULL};

    assert_true(cd != (iconv_t)-1);
    assert_true(iconv(cd, &in, &in_left, &out, &out_left) != (size_t)-1);
    iconv_close(cd);
    assert_int_equal(parse_limited(gb, sizeof gb - out_left, 200000, &docs[1]), 0);
    for (int i = 0; i < 2; i++) {
        const struct ogid_block *t = table(docs[i]);

        assert_string_equal(ogid_block_cell(t, 1, 1), "危及\"三安全一稳定\"");
        assert_string_equal(ogid_block_cell(t, 1, 2), "\"引号\"开头,逗号");
        assert_string_equal(ogid_block_cell(t, 2, 1), "危及\"三安全一稳定\"");
        ogid_document_free(docs[i]);
    }
}

static void test_csv_lines(void **state)
{
    struct ogid_document *doc =
        parse_str("\n# 机关:某局\n\n编号,申请人,收到日期\n\nR1,甲,2023-01-05\n\n\n"
                  "R2,乙,2023-01-06\n\n\n");
    const struct ogid_block *t = table(doc);

    assert_int_equal(doc->n_blocks, 2);
    assert_string_equal(doc->blocks[0].text, "机关:某局");
    assert_int_equal(doc->blocks[0].line, 2);
    assert_int_equal(t->line, 4);
    /* Lines 4..9: header, blank, R1, blank, blank, R2; trailing blanks go. */
    assert_int_equal(t->rows, 6);
    assert_string_equal(ogid_block_cell(t, 2, 0), "R1");
    assert_string_equal(ogid_block_cell(t, 5, 0), "R2");
    ogid_document_free(doc);
}

static void test_csv_tabs_and_bom(void **state)
{
    struct ogid_document *doc =
        parse_str("\xEF\xBB\xBF编号\t申请人\t收费金额\nR1\t张某,李某\t１５０\n");
    const struct ogid_block *t = table(doc);

    assert_string_equal(ogid_block_cell(t, 0, 0), "编号");
    assert_string_equal(ogid_block_cell(t, 1, 1), "张某,李某");
    /* Full-width digits get the host's spelling. */
    assert_string_equal(ogid_block_cell(t, 1, 2), "150");
    ogid_document_free(doc);
}

/* GB18030 bytes (Excel on Chinese Windows saves CSV so) give the grid the
 * UTF-8 file gives. */
static void test_csv_gb18030(void **state)
{
    size_t len, out_len;
    char *utf8 = slurp(REGISTERS "tongxin-county-office-2023-register.csv", &len);
    char *gb = malloc(len * 2), *in = utf8, *out = gb;
    size_t in_left = len, out_left = len * 2;
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    struct ogid_document *a = NULL, *b = NULL;
    const struct ogid_block *ta, *tb;

    assert_non_null(gb);
    assert_true(cd != (iconv_t)-1);
    assert_true(iconv(cd, &in, &in_left, &out, &out_left) != (size_t)-1);
    iconv_close(cd);
    out_len = len * 2 - out_left;
    assert_true(probe("x.csv", gb, out_len) >= 50);
    assert_int_equal(parse_limited(utf8, len, 200000, &a), 0);
    assert_int_equal(parse_limited(gb, out_len, 200000, &b), 0);
    ta = table(a);
    tb = table(b);
    assert_int_equal(ta->rows, tb->rows);
    assert_int_equal(ta->cols, tb->cols);
    assert_int_equal(ta->line, tb->line);
    for (size_t k = 0; k < ta->rows * ta->cols; k++)
        assert_string_equal(ta->cells[k], tb->cells[k]);
    ogid_document_free(a);
    ogid_document_free(b);
    free(gb);
    free(utf8);
}

static void test_csv_cell_limit(void **state)
{
    char buf[8192];
    size_t off = 0;
    struct ogid_document *doc = NULL;

    off += (size_t)snprintf(buf + off, sizeof buf - off, "a,b,c\n");
    for (int i = 0; i < 100; i++)
        off += (size_t)snprintf(buf + off, sizeof buf - off, "%d,x,y\n", i);
    assert_int_equal(parse_limited(buf, off, 50, &doc), OGID_ETOOBIG);
    ogid_document_free(doc);
}

/* Many stray quotes cost one scan of the file, not one a field. */
static void test_csv_stray_quotes(void **state)
{
    const size_t n = 200000;
    char *buf = malloc(n * 4 + 16);
    size_t off;
    struct ogid_document *doc = NULL;

    assert_non_null(buf);
    off = (size_t)sprintf(buf, "a,b,c\n");
    for (size_t i = 0; i < n; i++) {
        memcpy(buf + off, "\"x\n", 3);
        off += 3;
    }
    assert_int_equal(parse_limited(buf, off, 0, &doc), 0);
    ogid_document_free(doc);
    free(buf);
}

/* The register of the fixture, through the plugin and ogid_register. */
static void test_csv_register_model(void **state)
{
    size_t len;
    char *buf = slurp(REGISTERS "tongxin-county-office-2023-register.csv", &len);
    struct ogid_document *doc = NULL;
    json_t *source = json_pack("{s:s}", "file", "tongxin-county-office-2023-register.csv");
    json_t *model = NULL, *rows, *r8, *r9;

    assert_int_equal(parse_limited(buf, len, 200000, &doc), 0);
    free(buf);
    assert_true(ogid_register_detect(doc));
    assert_int_equal(ogid_register_build(doc, source, &model), 0);
    assert_string_equal(json_string_value(json_object_get(model, "kind")), "register");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(model, "meta"), "agency")),
        "同心县人民政府办公室");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(model, "meta"), "year")), 2023);
    rows = json_object_get(model, "rows");
    assert_int_equal(json_array_size(rows), 30);
    r8 = json_array_get(rows, 7);
    r9 = json_array_get(rows, 8);
    assert_string_equal(json_string_value(json_object_get(r8, "id")), "R08");
    assert_int_equal(json_integer_value(json_object_get(r8, "line")), 12);
    assert_int_equal(json_integer_value(json_object_get(r9, "line")), 14);
    assert_int_equal(json_array_size(json_object_get(model, "notes")), 0);
    json_decref(model);
    json_decref(source);
    ogid_document_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_probe),        cmocka_unit_test(test_csv_fixture),
        cmocka_unit_test(test_csv_quoting),      cmocka_unit_test(test_csv_curly_quotes),
        cmocka_unit_test(test_csv_lines),        cmocka_unit_test(test_csv_tabs_and_bom),
        cmocka_unit_test(test_csv_gb18030),      cmocka_unit_test(test_csv_cell_limit),
        cmocka_unit_test(test_csv_stray_quotes), cmocka_unit_test(test_csv_register_model),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
