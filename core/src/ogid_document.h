/* The neutral document a format plugin produces: paragraphs and tables in
 * document order, tables as grids with row and column spans resolved (a
 * spanned cell's text repeats in every position it covers) and empty cells
 * kept as "". All text is UTF-8. */
#ifndef OGID_DOCUMENT_H
#define OGID_DOCUMENT_H

#include <stddef.h>
#include <stdint.h>

#include "ogid/ogid_plugin.h"

enum ogid_block_kind { OGID_BLOCK_PARAGRAPH = 1, OGID_BLOCK_TABLE = 2 };

struct ogid_block {
    enum ogid_block_kind kind;
    uint32_t line;        /* 1-based source line, 0 if unknown */
    char *text;           /* paragraph text (NULL for tables) */
    size_t rows, cols;    /* table size */
    char **cells;         /* rows*cols strings, row-major; never NULL entries */
    /* For each grid position, 1 where a real cell starts there, 0 where a
     * span from another cell covers it. */
    unsigned char *origin;
};

struct ogid_document {
    struct ogid_block *blocks;
    size_t n_blocks;
    size_t cap_blocks;
    size_t n_cells;       /* cells so far, checked against max_cells */
    size_t max_cells;
    /* Table under construction (between table_begin and table_end). */
    void *building;
};

/* Makes an empty document that refuses more than max_cells cells (paragraphs
 * count as one cell). Returns 0 or OGID_ENOMEM. */
int ogid_document_new(size_t max_cells, struct ogid_document **out);
void ogid_document_free(struct ogid_document *doc);

/* Fills `b` with callbacks that append to `doc`. */
void ogid_document_builder(struct ogid_document *doc, struct ogid_doc_builder *b);

/* Cell (r, c) of a table block; "" outside the grid. */
const char *ogid_block_cell(const struct ogid_block *t, size_t r, size_t c);

#endif
