/* The Excel format plugin (plugins/format_xlsx) through the real loader and
 * the real document builder: the register fixture (made by LibreOffice from
 * the CSV) gives the CSV's grid and the same register model; shared, inline
 * and rich strings, numbers, booleans and date serials under every kind of
 * date style; merged cells as spans; the first sheet found through the
 * relationships; and hostile zips refused: bombs with OGID_ETOOBIG, quickly,
 * DTDs and external entities and anything corrupt with OGID_EFORMAT. */
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
#include "ogid_register.h"

#define REGISTERS OGID_TEST_FIXTURES "/registers/"
#define REPORTS OGID_TEST_FIXTURES "/reports/"

static const struct ogid_plugin *xlsx, *csv;
static void *xlsx_handle, *csv_handle;

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

    if (ogid_plugin_open(OGID_TEST_PLUGINS "/ogid-format_xlsx.so", &xlsx, &xlsx_handle, err,
                         sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    /* The CSV plugin is optional: only the comparison tests need it. */
    if (ogid_plugin_open(OGID_TEST_PLUGINS "/ogid-format_csv.so", &csv, &csv_handle, err,
                         sizeof err) != 0)
        csv = NULL;
    if (csv != NULL && csv->init != NULL && csv->init(&host) != 0)
        return -1;
    return xlsx->init(&host);
}

static int group_teardown(void **state)
{
    xlsx->fini();
    ogid_plugin_close(xlsx_handle);
    if (csv != NULL) {
        if (csv->fini != NULL)
            csv->fini();
        ogid_plugin_close(csv_handle);
    }
    return 0;
}

/* Each test that changes the limits puts them back. */
static int reset_limits(void **state)
{
    xlsx->fini();
    host.max_expanded_bytes = 64u << 20;
    host.max_cells = 200000;
    return xlsx->init(&host);
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
                      size_t max_cells, struct ogid_document **doc)
{
    struct ogid_file f;
    struct ogid_doc_builder b;
    struct ogid_input in;
    int rc;

    assert_int_equal(ogid_file_from_buffer(bytes, len, &f), 0);
    in = (struct ogid_input){.name = "register",
                             .bytes = f.bytes,
                             .len = f.len,
                             .text = f.text,
                             .text_len = f.text_len};
    assert_int_equal(ogid_document_new(max_cells, doc), 0);
    ogid_document_builder(*doc, &b);
    rc = p->parse(&in, &b);
    ogid_file_clear(&f);
    return rc;
}

static struct ogid_document *parse_path(const struct ogid_plugin *p, const char *path)
{
    struct ogid_document *doc = NULL;
    size_t len;
    char *buf = slurp(path, &len);

    assert_int_equal(parse_with(p, buf, len, 200000, &doc), 0);
    free(buf);
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

/* ---- Workbooks made in memory ---------------------------------------------- */

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

#define MAIN_NS "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define REL_NS "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define PKG_NS "http://schemas.openxmlformats.org/package/2006/relationships"
#define XML_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"

static const char root_rels[] = XML_HEAD
    "<Relationships xmlns=\"" PKG_NS "\"><Relationship Id=\"rId1\" "
    "Type=\"" REL_NS "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";

static const char workbook_rels[] =
    XML_HEAD "<Relationships xmlns=\"" PKG_NS "\">"
             "<Relationship Id=\"rId1\" Type=\"" REL_NS "/worksheet\" "
             "Target=\"worksheets/sheet1.xml\"/>"
             "<Relationship Id=\"rId2\" Type=\"" REL_NS "/styles\" Target=\"styles.xml\"/>"
             "<Relationship Id=\"rId3\" Type=\"" REL_NS "/sharedStrings\" "
             "Target=\"sharedStrings.xml\"/></Relationships>";

/* Styles: xf 0 General, 1 built-in 14 (m/d/yyyy), 2 custom 164
 * (yyyy"年"m"月"d"日"), 3 custom 165 (0.00), 4 custom 166 ([Red]#,##0),
 * 5 custom 167 (mm:ss), 6 built-in 20 (h:mm), 7 built-in 31 (CJK date),
 * 8 custom 168 ([h]:mm). */
static const char styles[] =
    XML_HEAD "<styleSheet xmlns=\"" MAIN_NS "\"><numFmts count=\"5\">"
             "<numFmt numFmtId=\"164\" "
             "formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"
             "<numFmt numFmtId=\"165\" formatCode=\"0.00\"/>"
             "<numFmt numFmtId=\"166\" formatCode=\"[Red]#,##0\"/>"
             "<numFmt numFmtId=\"167\" formatCode=\"mm:ss\"/>"
             "<numFmt numFmtId=\"168\" formatCode=\"[h]:mm\"/></numFmts>"
             "<cellXfs count=\"9\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/>"
             "<xf numFmtId=\"164\"/><xf numFmtId=\"165\"/><xf numFmtId=\"166\"/>"
             "<xf numFmtId=\"167\"/><xf numFmtId=\"20\"/><xf numFmtId=\"31\"/>"
             "<xf numFmtId=\"168\"/></cellXfs></styleSheet>";

static const char shared[] =
    XML_HEAD "<sst xmlns=\"" MAIN_NS "\" count=\"4\" uniqueCount=\"4\">"
             "<si><t>编号</t></si>"
             "<si><t xml:space=\"preserve\">  收到日期 </t></si>"
             "<si><r><t>答复</t></r><r><rPr><b/></rPr><t>日期</t></r>"
             "<rPh sb=\"0\" eb=\"2\"><t>ダミー</t></rPh></si>"
             "<si><t>１５０元</t></si></sst>";

static char *workbook_xml(int date1904)
{
    char *s = malloc(1024);

    assert_non_null(s);
    snprintf(s, 1024,
             XML_HEAD "<workbook xmlns=\"" MAIN_NS "\" xmlns:r=\"" REL_NS "\">"
                      "<workbookPr%s/><sheets><sheet name=\"台账\" sheetId=\"1\" "
                      "r:id=\"rId1\"/></sheets></workbook>",
             date1904 ? " date1904=\"1\"" : "");
    return s;
}

static char *sheet_xml(const char *rows, const char *after)
{
    size_t n = strlen(rows) + strlen(after) + 512;
    char *s = malloc(n);

    assert_non_null(s);
    snprintf(s, n,
             XML_HEAD "<worksheet xmlns=\"" MAIN_NS "\"><sheetData>%s</sheetData>%s"
                      "</worksheet>",
             rows, after);
    return s;
}

/* A workbook of one sheet with the styles and shared strings above. */
static unsigned char *make_xlsx(const char *rows, const char *after, int date1904,
                                size_t *len)
{
    char *wb = workbook_xml(date1904), *sh = sheet_xml(rows, after);
    struct entry e[] = {
        {"_rels/.rels", root_rels, sizeof root_rels - 1},
        {"xl/workbook.xml", wb, strlen(wb)},
        {"xl/_rels/workbook.xml.rels", workbook_rels, sizeof workbook_rels - 1},
        {"xl/styles.xml", styles, sizeof styles - 1},
        {"xl/sharedStrings.xml", shared, sizeof shared - 1},
        {"xl/worksheets/sheet1.xml", sh, strlen(sh)},
    };
    unsigned char *zip = make_zip(e, sizeof e / sizeof e[0], len);

    free(wb);
    free(sh);
    return zip;
}

static struct ogid_document *parse_sheet(const char *rows, const char *after, int date1904)
{
    struct ogid_document *doc = NULL;
    size_t len;
    unsigned char *zip = make_xlsx(rows, after, date1904, &len);

    assert_int_equal(parse_with(xlsx, zip, len, 200000, &doc), 0);
    free(zip);
    return doc;
}

static void assert_cell(const struct ogid_block *t, size_t r, size_t c, const char *text,
                        int origin)
{
    assert_string_equal(ogid_block_cell(t, r, c), text);
    assert_int_equal(t->origin[r * t->cols + c], origin);
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- Tests ---------------------------------------------------------------- */

static void test_xlsx_probe(void **state)
{
    size_t len;
    char *buf = slurp(REGISTERS "tongxin-county-office-2023-register.xlsx", &len);
    struct ogid_input in = {.name = "x", .bytes = (const unsigned char *)buf, .len = len};
    static const char text[] = "PK is not a zip";

    assert_int_equal(xlsx->probe(&in), 100);
    free(buf);
    buf = slurp(REPORTS "tongxin-county-office-2023.docx", &len);
    in.bytes = (const unsigned char *)buf;
    in.len = len;
    assert_int_equal(xlsx->probe(&in), 0);
    free(buf);
    in.bytes = (const unsigned char *)text;
    in.len = sizeof text - 1;
    in.text = text;
    in.text_len = in.len;
    assert_int_equal(xlsx->probe(&in), 0);
}

/* LibreOffice made the workbook from the CSV: the same cells, row for row,
 * except the CSV's empty row for the second line of R08's remark (one sheet
 * row holds the whole remark). Dates were typed as dates in the sheet
 * (serials under the custom format yyyy-mm-dd) and come back as text. */
static void test_xlsx_fixture_matches_csv(void **state)
{
    struct ogid_document *x =
        parse_path(xlsx, REGISTERS "tongxin-county-office-2023-register.xlsx");
    const struct ogid_block *t = table(x), *c;
    struct ogid_document *cd;

    assert_int_equal(t->line, 1);
    assert_int_equal(t->rows, 34);
    assert_int_equal(t->cols, 17);
    assert_string_equal(ogid_block_cell(t, 0, 0), "# 机关:同心县人民政府办公室");
    assert_string_equal(ogid_block_cell(t, 1, 0), "# 年度:2023");
    assert_string_equal(ogid_block_cell(t, 4, 3), "2023-01-05");
    assert_string_equal(ogid_block_cell(t, 11, 16), "第三方:某某建材公司,\n书面征求意见");
    assert_string_equal(ogid_block_cell(t, 12, 11), "150");
    /* The one date LibreOffice left as text. */
    assert_string_equal(ogid_block_cell(t, 22, 14), "2023年5月12日");
    if (csv == NULL) {
        ogid_document_free(x);
        skip();
    }
    cd = parse_path(csv, REGISTERS "tongxin-county-office-2023-register.csv");
    c = table(cd);
    for (size_t r = 0, xr = 3; r < c->rows; r++) {
        if (r == 9)
            continue; /* the CSV's continuation line */
        for (size_t k = 0; k < c->cols; k++)
            assert_string_equal(ogid_block_cell(c, r, k), ogid_block_cell(t, xr, k));
        xr++;
    }
    ogid_document_free(cd);
    ogid_document_free(x);
}

/* The same register from the workbook as from the CSV: every row the same
 * but for the line (the sheet row), the same counts, meta and notes. */
static void test_xlsx_register_model(void **state)
{
    struct ogid_document *x =
        parse_path(xlsx, REGISTERS "tongxin-county-office-2023-register.xlsx");
    struct ogid_document *c;
    json_t *sx = json_pack("{s:s}", "file", "a.xlsx"),
           *sc = json_pack("{s:s}", "file", "a.csv");
    json_t *mx = NULL, *mc = NULL;
    size_t i;
    json_t *rx;

    if (csv == NULL) {
        ogid_document_free(x);
        json_decref(sx);
        json_decref(sc);
        skip();
    }
    c = parse_path(csv, REGISTERS "tongxin-county-office-2023-register.csv");
    assert_int_equal(ogid_register_build(x, sx, &mx), 0);
    assert_int_equal(ogid_register_build(c, sc, &mc), 0);
    assert_true(json_equal(json_object_get(mx, "meta"), json_object_get(mc, "meta")));
    assert_true(json_equal(json_object_get(mx, "counts"), json_object_get(mc, "counts")));
    assert_true(json_equal(json_object_get(mx, "notes"), json_object_get(mc, "notes")));
    assert_int_equal(json_array_size(json_object_get(mx, "rows")), 30);
    json_array_foreach(json_object_get(mx, "rows"), i, rx)
    {
        json_t *a = json_deep_copy(rx),
               *b = json_deep_copy(json_array_get(json_object_get(mc, "rows"), i));

        /* Sheet rows 5-12 are CSV lines 5-12; after R08's two-line remark
         * the CSV is one line ahead. */
        assert_int_equal(json_integer_value(json_object_get(a, "line")) + (i >= 8),
                         json_integer_value(json_object_get(b, "line")));
        json_object_del(a, "line");
        json_object_del(b, "line");
        assert_true(json_equal(a, b));
        json_decref(a);
        json_decref(b);
    }
    json_decref(mx);
    json_decref(mc);
    json_decref(sx);
    json_decref(sc);
    ogid_document_free(x);
    ogid_document_free(c);
}

static void test_xlsx_values(void **state)
{
    struct ogid_document *doc = parse_sheet(
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
        "<c r=\"C1\" t=\"s\"><v>2</v></c><c r=\"D1\" t=\"s\"><v>99</v></c></row>"
        "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>R1</t></is></c>"
        "<c r=\"B2\" t=\"s\"><v>3</v></c><c r=\"C2\"><v>1100</v></c>"
        "<c r=\"D2\"><v>0.30000000000000004</v></c><c r=\"E2\" t=\"b\"><v>1</v></c>"
        "<c r=\"F2\" t=\"str\"><f>A2</f><v>R1</v></c><c r=\"G2\" t=\"e\"><v>#N/A</v></c>"
        "<c r=\"H2\" t=\"d\"><v>2023-03-06T00:00:00</v></c><c r=\"I2\"><v>1E+3</v></c>"
        "<c r=\"J2\" s=\"3\"><v>45000</v></c><c r=\"K2\" s=\"4\"><v>45000</v></c></row>",
        "", 0);
    const struct ogid_block *t = table(doc);

    assert_int_equal(t->rows, 2);
    assert_cell(t, 0, 0, "编号", 1);
    assert_cell(t, 0, 1, "收到日期", 1); /* trimmed */
    assert_cell(t, 0, 2, "答复日期", 1); /* rich text runs, no phonetic reading */
    assert_cell(t, 0, 3, "", 0);         /* an index past the table: no cell */
    assert_cell(t, 1, 0, "R1", 1);
    assert_cell(t, 1, 1, "150元", 1); /* full-width digits, the host's way */
    assert_cell(t, 1, 2, "1100", 1);
    assert_cell(t, 1, 3, "0.3", 1);
    assert_cell(t, 1, 4, "TRUE", 1);
    assert_cell(t, 1, 5, "R1", 1);
    assert_cell(t, 1, 6, "#N/A", 1);
    assert_cell(t, 1, 7, "2023-03-06", 1);
    assert_cell(t, 1, 8, "1000", 1);
    assert_cell(t, 1, 9, "45000", 1);  /* 0.00: a number */
    assert_cell(t, 1, 10, "45000", 1); /* [Red]#,##0: a number */
    ogid_document_free(doc);
}

/* Date serials under date styles become dates; under others they stay
 * numbers. 45000 is 2023-03-15; 60 is Excel's 1900-02-29, which never was. */
static void test_xlsx_dates(void **state)
{
    struct ogid_document *doc = parse_sheet(
        "<row r=\"1\"><c r=\"A1\" s=\"1\"><v>45000</v></c><c r=\"B1\" "
        "s=\"2\"><v>45000.75</v></c>"
        "<c r=\"C1\" s=\"7\"><v>45000</v></c><c r=\"D1\" s=\"5\"><v>0.5</v></c>"
        "<c r=\"E1\" s=\"6\"><v>0.5</v></c><c r=\"F1\" s=\"8\"><v>45000</v></c>"
        "<c r=\"G1\" s=\"1\"><v>60</v></c><c r=\"H1\" s=\"1\"><v>61</v></c>"
        "<c r=\"I1\" s=\"1\"><v>59</v></c><c r=\"J1\" s=\"1\"><v>1</v></c>"
        "<c r=\"K1\" s=\"1\"><v>-3</v></c><c r=\"L1\" s=\"42\"><v>45000</v></c></row>",
        "", 0);
    const struct ogid_block *t = table(doc);

    assert_cell(t, 0, 0, "2023-03-15", 1); /* built-in 14 */
    assert_cell(t, 0, 1, "2023-03-15", 1); /* custom 年月日, the time dropped */
    assert_cell(t, 0, 2, "2023-03-15", 1); /* CJK built-in 31 */
    assert_cell(t, 0, 3, "0.5", 1);        /* mm:ss is a time */
    assert_cell(t, 0, 4, "0.5", 1);        /* h:mm of day 0: no date */
    assert_cell(t, 0, 5, "45000", 1);      /* [h]:mm: elapsed time */
    assert_cell(t, 0, 6, "60", 1);
    assert_cell(t, 0, 7, "1900-03-01", 1);
    assert_cell(t, 0, 8, "1900-02-28", 1);
    assert_cell(t, 0, 9, "1900-01-01", 1);
    assert_cell(t, 0, 10, "-3", 1);
    assert_cell(t, 0, 11, "45000", 1); /* a style index past cellXfs */
    ogid_document_free(doc);
    /* The 1904 date system: serial 0 is 1904-01-01. */
    doc = parse_sheet("<row r=\"1\"><c r=\"A1\" s=\"1\"><v>0</v></c>"
                      "<c r=\"B1\" s=\"1\"><v>43538</v></c></row>",
                      "", 1);
    t = table(doc);
    assert_cell(t, 0, 0, "1904-01-01", 1);
    assert_cell(t, 0, 1, "2023-03-15", 1);
    ogid_document_free(doc);
}

/* Rows without values between two that have them are empty rows (row r of
 * the grid is sheet row F + r); cells may come out of order or without a
 * reference; a cell without a value is empty. */
static void test_xlsx_layout(void **state)
{
    struct ogid_document *doc =
        parse_sheet("<row r=\"3\"><c r=\"C3\" s=\"1\"/><c r=\"B3\" "
                    "t=\"inlineStr\"><is><t>b</t></is></c>"
                    "<c r=\"A3\" t=\"inlineStr\"><is><t>a</t></is></c></row>"
                    "<row r=\"4\"><c r=\"A4\"/></row>"
                    "<row r=\"6\"><c t=\"inlineStr\"><is><t>x</t></is></c>"
                    "<c t=\"inlineStr\"><is><t>y</t></is></c></row>"
                    "<row><c r=\"D7\"><v>4</v></c></row>",
                    "", 0);
    const struct ogid_block *t = table(doc);

    assert_int_equal(t->line, 3);
    assert_int_equal(t->rows, 5); /* sheet rows 3-7 */
    assert_int_equal(t->cols, 4);
    assert_cell(t, 0, 0, "a", 1);
    assert_cell(t, 0, 1, "b", 1);
    assert_cell(t, 1, 0, "", 0);
    assert_cell(t, 2, 0, "", 0);
    assert_cell(t, 3, 0, "x", 1);
    assert_cell(t, 3, 1, "y", 1);
    assert_cell(t, 4, 3, "4", 1);
    ogid_document_free(doc);
}

/* A value in the last column, XFD: the empty cells before it are a few
 * spanning cells, not 16 382 of them. */
static void test_xlsx_far_column(void **state)
{
    struct ogid_document *doc =
        parse_sheet("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>near</t></is></c>"
                    "<c r=\"XFD1\" t=\"inlineStr\"><is><t>far</t></is></c></row>"
                    "<row r=\"2\"><c r=\"B2\" t=\"inlineStr\"><is><t>b</t></is></c></row>",
                    "", 0);
    const struct ogid_block *t = table(doc);

    assert_int_equal(t->cols, 16384);
    assert_cell(t, 0, 0, "near", 1);
    assert_cell(t, 0, 1, "", 1);
    assert_cell(t, 0, 2, "", 0);
    assert_cell(t, 0, 1001, "", 1);
    assert_cell(t, 0, 16383, "far", 1);
    assert_cell(t, 1, 0, "", 1);
    assert_cell(t, 1, 1, "b", 1);
    assert_cell(t, 1, 2, "", 0);
    ogid_document_free(doc);
}

static void test_xlsx_merges(void **state)
{
    struct ogid_document *doc = parse_sheet(
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>台账</t></is></c></row>"
        "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>编号</t></is></c>"
        "<c r=\"B2\" t=\"inlineStr\"><is><t>日期</t></is></c>"
        "<c r=\"C2\" t=\"inlineStr\"><is><t>结果</t></is></c></row>"
        "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>R1</t></is></c>"
        "<c r=\"C3\" t=\"inlineStr\"><is><t>予以公开</t></is></c></row>"
        "<row r=\"4\"><c r=\"C4\" t=\"inlineStr\"><is><t>部分公开</t></is></c></row>",
        "<mergeCells count=\"3\"><mergeCell ref=\"A1:C1\"/><mergeCell ref=\"A3:A4\"/>"
        "<mergeCell ref=\"B3:B4\"/></mergeCells>",
        0);
    const struct ogid_block *t = table(doc);

    assert_int_equal(t->rows, 4);
    assert_int_equal(t->cols, 3);
    assert_cell(t, 0, 0, "台账", 1);
    assert_cell(t, 0, 1, "台账", 0);
    assert_cell(t, 0, 2, "台账", 0);
    assert_cell(t, 2, 0, "R1", 1);
    assert_cell(t, 3, 0, "R1", 0);
    /* An empty merged range still takes its positions. */
    assert_cell(t, 2, 1, "", 1);
    assert_cell(t, 3, 1, "", 0);
    assert_cell(t, 2, 2, "予以公开", 1);
    assert_cell(t, 3, 2, "部分公开", 1);
    ogid_document_free(doc);
}

/* The first sheet of the workbook, wherever its relationship points, and
 * the parts named by the relationships rather than by habit. */
static void test_xlsx_first_sheet(void **state)
{
    static const char rels[] =
        XML_HEAD "<Relationships xmlns=\"" PKG_NS "\">"
                 "<Relationship Id=\"rA\" Type=\"" REL_NS "/worksheet\" "
                 "Target=\"/xl/worksheets/sheet1.xml\"/>"
                 "<Relationship Id=\"rB\" Type=\"" REL_NS "/worksheet\" "
                 "Target=\"./sheets/../worksheets/data.xml\"/>"
                 "<Relationship Id=\"rC\" Type=\"" REL_NS "/sharedStrings\" "
                 "Target=\"strings/s.xml\"/></Relationships>";
    static const char wb[] =
        XML_HEAD "<workbook xmlns=\"" MAIN_NS "\" xmlns:r=\"" REL_NS "\"><sheets>"
                 "<sheet name=\"台账\" sheetId=\"2\" r:id=\"rB\"/>"
                 "<sheet name=\"说明\" sheetId=\"1\" r:id=\"rA\"/></sheets></workbook>";
    static const char strings[] =
        XML_HEAD "<sst xmlns=\"" MAIN_NS "\"><si><t>来自共享字符串</t></si></sst>";
    char *first = sheet_xml("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>", "");
    char *other =
        sheet_xml("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>说明页</t></is>"
                  "</c></row>",
                  "");
    struct entry e[] = {
        {"_rels/.rels", root_rels, sizeof root_rels - 1},
        {"xl/workbook.xml", wb, sizeof wb - 1},
        {"xl/_rels/workbook.xml.rels", rels, sizeof rels - 1},
        {"xl/strings/s.xml", strings, sizeof strings - 1},
        {"xl/worksheets/sheet1.xml", other, strlen(other)},
        {"xl/worksheets/data.xml", first, strlen(first)},
    };
    size_t len;
    unsigned char *zip = make_zip(e, sizeof e / sizeof e[0], &len);
    struct ogid_document *doc = NULL;

    assert_int_equal(parse_with(xlsx, zip, len, 200000, &doc), 0);
    assert_string_equal(ogid_block_cell(table(doc), 0, 0), "来自共享字符串");
    ogid_document_free(doc);
    free(zip);
    free(first);
    free(other);
}

/* 100 MiB of zeros deflate to about 100 KiB: refused on its declared size,
 * before anything is inflated. */
static void test_xlsx_zip_bomb(void **state)
{
    const size_t big = (size_t)100 << 20;
    char *zeros = calloc(1, big), *wb = workbook_xml(0);
    struct entry e[] = {
        {"xl/workbook.xml", wb, strlen(wb)},
        {"xl/worksheets/sheet1.xml", zeros, big},
    };
    struct ogid_document *doc = NULL;
    unsigned char *zip;
    size_t len;
    double t0;

    assert_non_null(zeros);
    zip = make_zip(e, 2, &len);
    free(zeros);
    free(wb);
    assert_true(len < ((size_t)1 << 20));
    t0 = now();
    assert_int_equal(parse_with(xlsx, zip, len, 200000, &doc), OGID_ETOOBIG);
    assert_true(now() - t0 < 1.0);
    ogid_document_free(doc);
    free(zip);
}

/* Under the size limit but compressed 1000:1: refused by the ratio. */
static void test_xlsx_ratio_bomb(void **state)
{
    const size_t n = (size_t)4 << 20;
    char *strings = malloc(n), *wb = workbook_xml(0);
    static const char head[] = XML_HEAD "<sst xmlns=\"" MAIN_NS "\"><si><t>";
    static const char tail[] = "</t></si></sst>";
    struct entry e[] = {
        {"xl/workbook.xml", wb, strlen(wb)},
        {"xl/sharedStrings.xml", strings, n},
    };
    struct ogid_document *doc = NULL;
    unsigned char *zip;
    size_t len;

    assert_non_null(strings);
    memcpy(strings, head, sizeof head - 1);
    memset(strings + sizeof head - 1, 'a', n - (sizeof head - 1));
    memcpy(strings + n - (sizeof tail - 1), tail, sizeof tail - 1);
    zip = make_zip(e, 2, &len);
    free(strings);
    free(wb);
    assert_int_equal(parse_with(xlsx, zip, len, 200000, &doc), OGID_ETOOBIG);
    ogid_document_free(doc);
    free(zip);
}

/* The host's max_expanded_bytes, given at init, bounds the whole file. */
static void test_xlsx_expanded_limit(void **state)
{
    struct ogid_document *doc = NULL;
    size_t len;
    unsigned char *zip =
        make_xlsx("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>x</t></is></c></row>",
                  "", 0, &len);

    xlsx->fini();
    host.max_expanded_bytes = 1500;
    assert_int_equal(xlsx->init(&host), 0);
    assert_int_equal(parse_with(xlsx, zip, len, 200000, &doc), OGID_ETOOBIG);
    ogid_document_free(doc);
    free(zip);
}

/* DTDs and entities have no place in OOXML: an entity bomb and an external
 * entity (XXE) are refused, never expanded or fetched. */
static void test_xlsx_entities(void **state)
{
    static const char *const sheets[] = {
        XML_HEAD
        "<!DOCTYPE w [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>"
        "<worksheet xmlns=\"" MAIN_NS "\"><sheetData><row r=\"1\"><c r=\"A1\" "
        "t=\"inlineStr\"><is><t>&b;</t></is></c></row></sheetData></worksheet>",
        XML_HEAD "<!DOCTYPE w [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                 "<worksheet xmlns=\"" MAIN_NS "\"><sheetData><row r=\"1\"><c r=\"A1\" "
                 "t=\"inlineStr\"><is><t>&x;</t></is></c></row></sheetData></worksheet>",
    };

    for (size_t i = 0; i < 2; i++) {
        char *wb = workbook_xml(0);
        struct entry e[] = {
            {"xl/workbook.xml", wb, strlen(wb)},
            {"xl/worksheets/sheet1.xml", sheets[i], strlen(sheets[i])},
        };
        struct ogid_document *doc = NULL;
        size_t len;
        unsigned char *zip = make_zip(e, 2, &len);

        assert_int_equal(parse_with(xlsx, zip, len, 200000, &doc), OGID_EFORMAT);
        ogid_document_free(doc);
        free(zip);
        free(wb);
    }
}

static void test_xlsx_corrupt(void **state)
{
    static const char junk[] = "PK\3\4 this is not a zip, xl/workbook.xml";
    struct ogid_document *doc = NULL;
    size_t len;
    char *buf = slurp(REGISTERS "tongxin-county-office-2023-register.xlsx", &len);
    char *wb = workbook_xml(0);
    struct entry no_workbook[] = {{"xl/styles.xml", styles, sizeof styles - 1}};
    struct entry no_sheet[] = {{"xl/workbook.xml", wb, strlen(wb)}};
    struct entry bad_xml[] = {{"xl/workbook.xml", wb, strlen(wb)},
                              {"xl/worksheets/sheet1.xml", "<worksheet><sheetData>", 22}};
    struct entry not_workbook[] = {{"xl/workbook.xml", "<x/>", 4}};
    unsigned char *zip;

    assert_int_equal(parse_with(xlsx, junk, sizeof junk - 1, 200000, &doc), OGID_EFORMAT);
    ogid_document_free(doc);
    /* Cut short: no central directory. */
    assert_int_equal(parse_with(xlsx, buf, len / 2, 200000, &doc), OGID_EFORMAT);
    ogid_document_free(doc);
    zip = make_zip(no_workbook, 1, &len);
    assert_int_equal(parse_with(xlsx, zip, len, 200000, &doc), OGID_EFORMAT);
    ogid_document_free(doc);
    free(zip);
    zip = make_zip(no_sheet, 1, &len);
    assert_int_equal(parse_with(xlsx, zip, len, 200000, &doc), OGID_EFORMAT);
    ogid_document_free(doc);
    free(zip);
    zip = make_zip(bad_xml, 2, &len);
    assert_int_equal(parse_with(xlsx, zip, len, 200000, &doc), OGID_EFORMAT);
    ogid_document_free(doc);
    free(zip);
    zip = make_zip(not_workbook, 1, &len);
    assert_int_equal(parse_with(xlsx, zip, len, 200000, &doc), OGID_EFORMAT);
    ogid_document_free(doc);
    free(zip);
    free(wb);
    free(buf);
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

/* A sheet whose headers claim fewer bytes than it inflates to is refused,
 * and is never written past the buffer sized by the claim (ASan watches). */
static void test_xlsx_size_lie(void **state)
{
    char rows[8192];
    size_t off = 0, len, patched = 0;
    unsigned char *zip;
    struct ogid_document *doc = NULL;

    for (int i = 1; i <= 100; i++)
        off += (size_t)snprintf(rows + off, sizeof rows - off,
                                "<row r=\"%d\"><c r=\"A%d\"><v>%d</v></c></row>", i, i, i);
    zip = make_xlsx(rows, "", 0, &len);
    for (size_t i = 0; i + 46 <= len; i++) {
        if (memcmp(zip + i, "PK\3\4", 4) == 0 && get32(zip + i + 22) > 3000) {
            put32(zip + i + 22, 3000); /* local header: uncompressed size */
            patched++;
        } else if (memcmp(zip + i, "PK\1\2", 4) == 0 && get32(zip + i + 24) > 3000) {
            put32(zip + i + 24, 3000); /* central directory: uncompressed size */
            patched++;
        }
    }
    assert_int_equal(patched, 2);
    assert_int_equal(parse_with(xlsx, zip, len, 200000, &doc), OGID_EFORMAT);
    ogid_document_free(doc);
    free(zip);
}

static void test_xlsx_cell_limit(void **state)
{
    char rows[8192];
    size_t off = 0, len;
    unsigned char *zip;
    struct ogid_document *doc = NULL;

    for (int i = 1; i <= 60; i++)
        off +=
            (size_t)snprintf(rows + off, sizeof rows - off,
                             "<row r=\"%d\"><c r=\"A%d\"><v>1</v></c><c r=\"B%d\"><v>2</v>"
                             "</c></row>",
                             i, i, i);
    zip = make_xlsx(rows, "", 0, &len);
    assert_int_equal(parse_with(xlsx, zip, len, 50, &doc), OGID_ETOOBIG);
    ogid_document_free(doc);
    doc = NULL;
    /* One value far down the sheet: the empty rows count too. */
    free(zip);
    zip = make_xlsx("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"
                    "<row r=\"1048576\"><c r=\"XFD1048576\"><v>2</v></c></row>",
                    "", 0, &len);
    assert_int_equal(parse_with(xlsx, zip, len, 200000, &doc), OGID_ETOOBIG);
    ogid_document_free(doc);
    free(zip);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xlsx_probe),
        cmocka_unit_test(test_xlsx_fixture_matches_csv),
        cmocka_unit_test(test_xlsx_register_model),
        cmocka_unit_test(test_xlsx_values),
        cmocka_unit_test(test_xlsx_dates),
        cmocka_unit_test(test_xlsx_layout),
        cmocka_unit_test(test_xlsx_far_column),
        cmocka_unit_test(test_xlsx_merges),
        cmocka_unit_test(test_xlsx_first_sheet),
        cmocka_unit_test(test_xlsx_zip_bomb),
        cmocka_unit_test(test_xlsx_ratio_bomb),
        cmocka_unit_test_teardown(test_xlsx_expanded_limit, reset_limits),
        cmocka_unit_test(test_xlsx_entities),
        cmocka_unit_test(test_xlsx_corrupt),
        cmocka_unit_test(test_xlsx_size_lie),
        cmocka_unit_test(test_xlsx_cell_limit),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
