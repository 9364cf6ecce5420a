/* Unit tests of the neutral document and its builder (ogid_document.c):
 * paragraphs are copied, tables come out as rectangular grids with rowspan
 * and colspan resolved the way browsers do, short rows are padded, spans are
 * capped, the cell limit holds, bad UTF-8 is repaired and calls out of order
 * are refused. */
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

struct fixture {
    struct ogid_document *doc;
    struct ogid_doc_builder b;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    assert_int_equal(ogid_document_new(10000, &f->doc), 0);
    ogid_document_builder(f->doc, &f->b);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    ogid_document_free(f->doc);
    free(f);
    return 0;
}

static int cell(struct fixture *f, const char *text, uint32_t rs, uint32_t cs)
{
    return f->b.cell(f->b.ctx, text, strlen(text), rs, cs);
}

static void assert_cell(const struct ogid_block *t, size_t r, size_t c, const char *text,
                        int origin)
{
    assert_string_equal(ogid_block_cell(t, r, c), text);
    assert_int_equal(t->origin[r * t->cols + c], origin);
}

static void test_paragraph_copied(void **state)
{
    struct fixture *f = *state;
    char buf[] = "一、总体情况";

    assert_int_equal(f->b.paragraph(f->b.ctx, buf, strlen(buf), 7), 0);
    buf[0] = 'X';
    assert_int_equal(f->doc->n_blocks, 1);
    assert_int_equal(f->doc->blocks[0].kind, OGID_BLOCK_PARAGRAPH);
    assert_int_equal(f->doc->blocks[0].line, 7);
    assert_string_equal(f->doc->blocks[0].text, "一、总体情况");
    assert_int_equal(f->doc->n_cells, 1);
}

static void test_paragraph_len_not_nul(void **state)
{
    struct fixture *f = *state;

    /* Only len bytes are taken; embedded NULs are dropped. */
    assert_int_equal(f->b.paragraph(f->b.ctx, "ab\0cdEF", 5, 0), 0);
    assert_string_equal(f->doc->blocks[0].text, "abcd");
}

static void test_paragraph_bad_utf8_repaired(void **state)
{
    struct fixture *f = *state;
    const char bad[] = "a\xff\xe4\xb8"
                       "b\xed\xa0\x80"; /* stray, cut, surrogate */

    assert_int_equal(f->b.paragraph(f->b.ctx, bad, sizeof(bad) - 1, 0), 0);
    assert_string_equal(f->doc->blocks[0].text, "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                                                "b\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

/* The header of table 三 as the official layout spans it. */
static void test_table_spans_resolved(void **state)
{
    struct fixture *f = *state;
    const struct ogid_block *t;
    const char *sub[] = {"商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"};
    size_t i;

    assert_int_equal(f->b.table_begin(f->b.ctx, 12), 0);
    assert_int_equal(f->b.row_begin(f->b.ctx), 0);
    assert_int_equal(cell(f, "勾稽关系", 3, 3), 0);
    assert_int_equal(cell(f, "申请人情况", 1, 7), 0);
    assert_int_equal(f->b.row_begin(f->b.ctx), 0);
    assert_int_equal(cell(f, "自然人", 2, 1), 0);
    assert_int_equal(cell(f, "法人或其他组织", 1, 5), 0);
    assert_int_equal(cell(f, "总计", 2, 1), 0);
    assert_int_equal(f->b.row_begin(f->b.ctx), 0);
    for (i = 0; i < 5; i++)
        assert_int_equal(cell(f, sub[i], 1, 1), 0);
    assert_int_equal(f->b.row_begin(f->b.ctx), 0);
    assert_int_equal(cell(f, "一、本年新收", 1, 3), 0);
    for (i = 0; i < 7; i++)
        assert_int_equal(cell(f, i == 3 ? "" : "1", 1, 1), 0);
    assert_int_equal(f->b.table_end(f->b.ctx), 0);

    assert_int_equal(f->doc->n_blocks, 1);
    t = &f->doc->blocks[0];
    assert_int_equal(t->kind, OGID_BLOCK_TABLE);
    assert_int_equal(t->line, 12);
    assert_int_equal(t->rows, 4);
    assert_int_equal(t->cols, 10);
    assert_int_equal(f->doc->n_cells, 40);
    assert_cell(t, 0, 0, "勾稽关系", 1);
    assert_cell(t, 2, 2, "勾稽关系", 0);
    assert_cell(t, 0, 3, "申请人情况", 1);
    assert_cell(t, 0, 9, "申请人情况", 0);
    assert_cell(t, 1, 3, "自然人", 1);
    assert_cell(t, 2, 3, "自然人", 0);
    assert_cell(t, 1, 4, "法人或其他组织", 1);
    assert_cell(t, 1, 8, "法人或其他组织", 0);
    assert_cell(t, 1, 9, "总计", 1);
    assert_cell(t, 2, 9, "总计", 0);
    for (i = 0; i < 5; i++)
        assert_cell(t, 2, 4 + i, sub[i], 1);
    assert_cell(t, 3, 0, "一、本年新收", 1);
    assert_cell(t, 3, 2, "一、本年新收", 0);
    assert_cell(t, 3, 6, "", 1);
    assert_cell(t, 3, 9, "1", 1);
}

static void test_table_short_rows_padded(void **state)
{
    struct fixture *f = *state;
    const struct ogid_block *t;

    assert_int_equal(f->b.table_begin(f->b.ctx, 0), 0);
    /* A cell before any row_begin opens the first row. */
    assert_int_equal(cell(f, "a", 1, 1), 0);
    assert_int_equal(cell(f, "b", 1, 1), 0);
    assert_int_equal(cell(f, "c", 1, 1), 0);
    assert_int_equal(f->b.row_begin(f->b.ctx), 0);
    assert_int_equal(cell(f, "d", 1, 1), 0);
    assert_int_equal(f->b.row_begin(f->b.ctx), 0);
    assert_int_equal(f->b.table_end(f->b.ctx), 0);
    t = &f->doc->blocks[0];
    assert_int_equal(t->rows, 3);
    assert_int_equal(t->cols, 3);
    assert_cell(t, 1, 0, "d", 1);
    assert_cell(t, 1, 1, "", 0);
    assert_cell(t, 2, 2, "", 0);
    assert_string_equal(ogid_block_cell(t, 5, 0), "");
    assert_string_equal(ogid_block_cell(t, 0, 5), "");
    assert_string_equal(ogid_block_cell(NULL, 0, 0), "");
}

static void test_table_rowspan_skips_and_clips(void **state)
{
    struct fixture *f = *state;
    const struct ogid_block *t;

    assert_int_equal(f->b.table_begin(f->b.ctx, 0), 0);
    assert_int_equal(f->b.row_begin(f->b.ctx), 0);
    assert_int_equal(cell(f, "x", 1, 1), 0);
    assert_int_equal(cell(f, "tall", 50, 1), 0); /* past the last row: clipped */
    assert_int_equal(cell(f, "y", 1, 1), 0);
    assert_int_equal(f->b.row_begin(f->b.ctx), 0);
    assert_int_equal(cell(f, "p", 1, 1), 0);
    assert_int_equal(cell(f, "q", 1, 1), 0); /* lands after "tall" */
    assert_int_equal(f->b.table_end(f->b.ctx), 0);
    t = &f->doc->blocks[0];
    assert_int_equal(t->rows, 2);
    assert_int_equal(t->cols, 3);
    assert_cell(t, 1, 0, "p", 1);
    assert_cell(t, 1, 1, "tall", 0);
    assert_cell(t, 1, 2, "q", 1);
}

static void test_table_huge_spans_capped(void **state)
{
    struct fixture *f = *state;
    const struct ogid_block *t;

    assert_int_equal(f->b.table_begin(f->b.ctx, 0), 0);
    assert_int_equal(cell(f, "wide", 1, UINT32_MAX), 0);
    assert_int_equal(cell(f, "zero", 0, 0), 0); /* read as 1 x 1 */
    assert_int_equal(f->b.table_end(f->b.ctx), 0);
    t = &f->doc->blocks[0];
    assert_int_equal(t->rows, 1);
    assert_int_equal(t->cols, 1001);
    assert_cell(t, 0, 999, "wide", 0);
    assert_cell(t, 0, 1000, "zero", 1);
}

static void test_max_cells_enforced(void **state)
{
    struct ogid_document *doc;
    struct ogid_doc_builder b;
    size_t i;
    int rc = 0;

    (void)state;
    assert_int_equal(ogid_document_new(10, &doc), 0);
    ogid_document_builder(doc, &b);
    assert_int_equal(b.paragraph(b.ctx, "p", 1, 1), 0);
    assert_int_equal(b.table_begin(b.ctx, 2), 0);
    assert_int_equal(b.row_begin(b.ctx), 0);
    for (i = 0; i < 20 && rc == 0; i++)
        rc = b.cell(b.ctx, "c", 1, 1, 1);
    assert_int_equal(rc, OGID_ETOOBIG);
    assert_int_equal(i, 10); /* the paragraph and 9 cells fit */
    ogid_document_free(doc); /* with the table still being built */

    /* A span that would make the grid too big is refused before it is made. */
    assert_int_equal(ogid_document_new(100, &doc), 0);
    ogid_document_builder(doc, &b);
    assert_int_equal(b.table_begin(b.ctx, 0), 0);
    assert_int_equal(b.cell(b.ctx, "c", 1, 1, 500), OGID_ETOOBIG);
    assert_int_equal(b.table_end(b.ctx), 0);
    assert_int_equal(doc->n_blocks, 0); /* a row, but no cell in it */
    assert_int_equal(b.paragraph(b.ctx, "p", 1, 1), 0);
    ogid_document_free(doc);

    /* Rows count too: 10 columns times 11 rows does not fit in 100. */
    assert_int_equal(ogid_document_new(100, &doc), 0);
    ogid_document_builder(doc, &b);
    assert_int_equal(b.table_begin(b.ctx, 0), 0);
    assert_int_equal(b.cell(b.ctx, "c", 1, 1, 10), 0);
    rc = 0;
    for (i = 0; i < 20 && rc == 0; i++)
        rc = b.row_begin(b.ctx);
    assert_int_equal(rc, OGID_ETOOBIG);
    assert_int_equal(i, 10);
    ogid_document_free(doc);

    /* Paragraphs alone. */
    assert_int_equal(ogid_document_new(2, &doc), 0);
    ogid_document_builder(doc, &b);
    assert_int_equal(b.paragraph(b.ctx, "a", 1, 1), 0);
    assert_int_equal(b.paragraph(b.ctx, "b", 1, 2), 0);
    assert_int_equal(b.paragraph(b.ctx, "c", 1, 3), OGID_ETOOBIG);
    ogid_document_free(doc);
}

static void test_calls_out_of_order_refused(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(f->b.row_begin(f->b.ctx), OGID_EINVAL);
    assert_int_equal(cell(f, "x", 1, 1), OGID_EINVAL);
    assert_int_equal(f->b.table_end(f->b.ctx), OGID_EINVAL);
    assert_int_equal(f->b.table_begin(f->b.ctx, 0), 0);
    assert_int_equal(f->b.table_begin(f->b.ctx, 0), OGID_EINVAL);
    assert_int_equal(f->b.paragraph(f->b.ctx, "p", 1, 0), OGID_EINVAL);
    assert_int_equal(f->b.table_end(f->b.ctx), 0);
    /* A table without cells leaves no block. */
    assert_int_equal(f->doc->n_blocks, 0);
    assert_int_equal(f->b.paragraph(f->b.ctx, "p", 1, 0), 0);
    assert_int_equal(f->doc->n_blocks, 1);
}

static void test_texts_copied_in_tables(void **state)
{
    struct fixture *f = *state;
    char buf[8] = "abc";

    assert_int_equal(f->b.table_begin(f->b.ctx, 0), 0);
    assert_int_equal(f->b.cell(f->b.ctx, buf, 3, 2, 2), 0);
    memcpy(buf, "zzz", 3);
    assert_int_equal(f->b.cell(f->b.ctx, NULL, 0, 1, 1), 0);
    assert_int_equal(f->b.table_end(f->b.ctx), 0);
    assert_int_equal(f->doc->blocks[0].rows, 1); /* the rowspan is clipped */
    assert_string_equal(ogid_block_cell(&f->doc->blocks[0], 0, 1), "abc");
    assert_string_equal(ogid_block_cell(&f->doc->blocks[0], 0, 2), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_paragraph_copied, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paragraph_len_not_nul, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paragraph_bad_utf8_repaired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_spans_resolved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_short_rows_padded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_rowspan_skips_and_clips, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_table_huge_spans_capped, setup, teardown),
        cmocka_unit_test(test_max_cells_enforced),
        cmocka_unit_test_setup_teardown(test_calls_out_of_order_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_texts_copied_in_tables, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
