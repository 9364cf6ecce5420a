/* The neutral document and the builder that format plugins fill it through.
 *
 * Paragraphs are copied as they come. Tables are built row by row with the
 * HTML table algorithm: a cell takes the first grid position of its row that
 * no earlier rowspan covers, spans the positions its rowspan and colspan
 * name, and short rows are padded with "" to the widest row. Rowspans that
 * reach past the last row are clipped, as browsers do. Everything a plugin
 * hands over is untrusted: spans are capped, the grid is counted against the
 * document's cell limit before it is allocated, and text that is not valid
 * UTF-8 has its bad bytes replaced with U+FFFD so that every later stage
 * (and jansson, which refuses bad UTF-8) can rely on it.
 *
 * Memory of a table block: all cell texts of one table live in one pool, and
 * cells[] points into it, so a cell spanning many positions costs one copy.
 * The pool's address is kept in one extra slot after the rows*cols pointers,
 * cells[rows * cols], which ogid_document_free releases. Padding positions
 * point at the pool's "" and have origin 0, like covered positions: no cell
 * starts there. */
#include "ogid_document.h"

#include <stdlib.h>
#include <string.h>

#include "ogid/ogid_error.h"

/* Spans beyond these are treated as these; HTML caps colspan at 1000 too. */
#define MAX_ROWSPAN 1000u
#define MAX_COLSPAN 1000u
#define NO_CELL UINT32_MAX

struct slot {
    uint32_t cell; /* index into texts, or NO_CELL */
    unsigned char origin;
};

struct brow {
    struct slot *slot;
    size_t n, cap;
};

/* A rowspan still covering the columns of rows to come. */
struct carry {
    uint32_t cell;
    uint32_t left;
};

struct build {
    uint32_t line;
    char **texts;
    size_t n_texts, cap_texts;
    size_t bytes; /* sum of strlen(texts) + 1 */
    struct brow *rows;
    size_t n_rows, cap_rows;
    struct carry *carry;
    size_t n_carry;
    size_t max_cols;
    size_t cursor;
};

static const char empty_text[] = "";

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    size_t n;
    void *q;

    if (need <= *cap)
        return 0;
    n = *cap ? *cap : 8;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return OGID_ENOMEM;
        n *= 2;
    }
    if (n > SIZE_MAX / size)
        return OGID_ENOMEM;
    q = realloc(*p, n * size);
    if (q == NULL)
        return OGID_ENOMEM;
    *p = q;
    *cap = n;
    return 0;
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0. Overlong
 * forms, surrogates and code points past U+10FFFF are invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len, i;
    uint32_t cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
        cp = s[0] & 0x1F;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        cp = s[0] & 0x0F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* A NUL-terminated copy of text[0..len) with NUL bytes dropped and invalid
 * UTF-8 bytes replaced by U+FFFD. */
static char *copy_text(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, o = 0, cap;
    char *out;

    if (text == NULL)
        len = 0;
    if (len > (SIZE_MAX - 1) / 3)
        return NULL;
    cap = len * 3 + 1; /* each bad byte becomes three */
    out = malloc(cap);
    if (out == NULL)
        return NULL;
    while (i < len) {
        size_t k;

        if (s[i] == 0) {
            i++;
            continue;
        }
        k = utf8_seq(s + i, len - i);
        if (k == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
            continue;
        }
        memcpy(out + o, s + i, k);
        o += k;
        i += k;
    }
    out[o] = '\0';
    return out;
}

static void build_free(struct build *b)
{
    size_t i;

    if (b == NULL)
        return;
    for (i = 0; i < b->n_texts; i++)
        free(b->texts[i]);
    free(b->texts);
    for (i = 0; i < b->n_rows; i++)
        free(b->rows[i].slot);
    free(b->rows);
    free(b->carry);
    free(b);
}

static void block_clear(struct ogid_block *blk)
{
    size_t n;

    free(blk->text);
    if (blk->cells != NULL) {
        n = blk->rows * blk->cols;
        free(blk->cells[n]);
        free(blk->cells);
    }
    free(blk->origin);
}

int ogid_document_new(size_t max_cells, struct ogid_document **out)
{
    struct ogid_document *doc;

    *out = NULL;
    doc = calloc(1, sizeof(*doc));
    if (doc == NULL)
        return OGID_ENOMEM;
    /* 0 means no limit; the arithmetic below is overflow-checked anyway. */
    doc->max_cells = max_cells ? max_cells : SIZE_MAX;
    *out = doc;
    return 0;
}

void ogid_document_free(struct ogid_document *doc)
{
    size_t i;

    if (doc == NULL)
        return;
    for (i = 0; i < doc->n_blocks; i++)
        block_clear(&doc->blocks[i]);
    free(doc->blocks);
    build_free(doc->building);
    free(doc);
}

const char *ogid_block_cell(const struct ogid_block *t, size_t r, size_t c)
{
    if (t == NULL || t->kind != OGID_BLOCK_TABLE || t->cells == NULL || r >= t->rows ||
        c >= t->cols)
        return empty_text;
    return t->cells[r * t->cols + c];
}

static struct ogid_block *new_block(struct ogid_document *doc)
{
    struct ogid_block *blk;

    if (grow((void **)&doc->blocks, &doc->cap_blocks, doc->n_blocks + 1,
             sizeof(*doc->blocks)) != 0)
        return NULL;
    blk = &doc->blocks[doc->n_blocks];
    memset(blk, 0, sizeof(*blk));
    return blk;
}

static int paragraph_cb(void *ctx, const char *text, size_t len, uint32_t line)
{
    struct ogid_document *doc = ctx;
    struct ogid_block *blk;

    if (doc->building != NULL)
        return OGID_EINVAL; /* a paragraph inside a table belongs in a cell */
    if (doc->n_cells >= doc->max_cells)
        return OGID_ETOOBIG;
    blk = new_block(doc);
    if (blk == NULL)
        return OGID_ENOMEM;
    blk->text = copy_text(text, len);
    if (blk->text == NULL)
        return OGID_ENOMEM;
    blk->kind = OGID_BLOCK_PARAGRAPH;
    blk->line = line;
    doc->n_blocks++;
    doc->n_cells++;
    return 0;
}

static int table_begin_cb(void *ctx, uint32_t line)
{
    struct ogid_document *doc = ctx;
    struct build *b;

    if (doc->building != NULL)
        return OGID_EINVAL; /* nested tables: the plugin must flatten them */
    b = calloc(1, sizeof(*b));
    if (b == NULL)
        return OGID_ENOMEM;
    b->line = line;
    doc->building = b;
    return 0;
}

/* Would a grid of rows x cols, on top of the cells already in the document,
 * exceed the limit? */
static int over_limit(const struct ogid_document *doc, size_t rows, size_t cols)
{
    size_t n;

    if (__builtin_mul_overflow(rows, cols, &n) ||
        __builtin_add_overflow(n, doc->n_cells, &n))
        return 1;
    return n > doc->max_cells;
}

static int row_reserve(struct brow *row, size_t n)
{
    size_t old = row->cap, i;

    if (grow((void **)&row->slot, &row->cap, n, sizeof(*row->slot)) != 0)
        return OGID_ENOMEM;
    for (i = old; i < row->cap; i++) {
        row->slot[i].cell = NO_CELL;
        row->slot[i].origin = 0;
    }
    if (row->n < n)
        row->n = n;
    return 0;
}

static int row_begin_cb(void *ctx)
{
    struct ogid_document *doc = ctx;
    struct build *b = doc->building;
    struct brow *row;
    size_t c;

    if (b == NULL)
        return OGID_EINVAL;
    if (over_limit(doc, b->n_rows + 1, b->max_cols))
        return OGID_ETOOBIG;
    if (grow((void **)&b->rows, &b->cap_rows, b->n_rows + 1, sizeof(*b->rows)) != 0)
        return OGID_ENOMEM;
    row = &b->rows[b->n_rows];
    memset(row, 0, sizeof(*row));
    b->n_rows++;
    b->cursor = 0;
    /* Positions that rowspans from the rows above still cover. */
    for (c = 0; c < b->n_carry; c++) {
        if (b->carry[c].left == 0)
            continue;
        if (row_reserve(row, c + 1) != 0)
            return OGID_ENOMEM;
        row->slot[c].cell = b->carry[c].cell;
        row->slot[c].origin = 0;
        b->carry[c].left--;
    }
    return 0;
}

static int cell_cb(void *ctx, const char *text, size_t len, uint32_t rowspan,
                   uint32_t colspan)
{
    struct ogid_document *doc = ctx;
    struct build *b = doc->building;
    struct brow *row;
    size_t c, end, cap;
    uint32_t id;
    char *copy;
    int rc;

    if (b == NULL)
        return OGID_EINVAL;
    if (b->n_rows == 0 && (rc = row_begin_cb(ctx)) != 0)
        return rc;
    if (rowspan == 0)
        rowspan = 1;
    if (colspan == 0)
        colspan = 1;
    if (rowspan > MAX_ROWSPAN)
        rowspan = MAX_ROWSPAN;
    if (colspan > MAX_COLSPAN)
        colspan = MAX_COLSPAN;
    row = &b->rows[b->n_rows - 1];
    while (b->cursor < row->n && row->slot[b->cursor].cell != NO_CELL)
        b->cursor++;
    end = b->cursor + colspan;
    if (over_limit(doc, b->n_rows, end > b->max_cols ? end : b->max_cols))
        return OGID_ETOOBIG;
    if (b->n_texts >= NO_CELL - 1)
        return OGID_ETOOBIG;
    if (grow((void **)&b->texts, &b->cap_texts, b->n_texts + 1, sizeof(*b->texts)) != 0)
        return OGID_ENOMEM;
    if (row_reserve(row, end) != 0)
        return OGID_ENOMEM;
    cap = b->n_carry;
    if (end > cap) {
        /* Geometric growth: a row of many cells must not copy the carry
         * array once per cell. */
        size_t ncap = cap * 2 > end ? cap * 2 : end;
        struct carry *nc = realloc(b->carry, ncap * sizeof(*nc));

        if (nc == NULL)
            return OGID_ENOMEM;
        for (c = cap; c < ncap; c++) {
            nc[c].cell = NO_CELL;
            nc[c].left = 0;
        }
        b->carry = nc;
        b->n_carry = ncap;
    }
    copy = copy_text(text, len);
    if (copy == NULL)
        return OGID_ENOMEM;
    id = (uint32_t)b->n_texts;
    b->texts[b->n_texts++] = copy;
    b->bytes += strlen(copy) + 1;
    /* Positions a rowspan from above already holds keep their owner: the
     * table overlaps there, and the earlier cell wins, as in browsers. */
    for (c = b->cursor; c < end; c++) {
        if (row->slot[c].cell != NO_CELL)
            continue;
        row->slot[c].cell = id;
        row->slot[c].origin = c == b->cursor;
        if (rowspan > 1) {
            b->carry[c].cell = id;
            b->carry[c].left = rowspan - 1;
        }
    }
    if (end > b->max_cols)
        b->max_cols = end;
    b->cursor = end;
    return 0;
}

static int table_end_cb(void *ctx)
{
    struct ogid_document *doc = ctx;
    struct build *b = doc->building;
    struct ogid_block *blk;
    size_t rows, cols, n, r, c, i, off;
    char *pool = NULL, **cells = NULL, **where = NULL;
    unsigned char *origin = NULL;
    int rc = OGID_ENOMEM;

    if (b == NULL)
        return OGID_EINVAL;
    rows = b->n_rows;
    cols = b->max_cols;
    if (rows == 0 || cols == 0) {
        /* A table without cells says nothing; leave no block for it. */
        rc = 0;
        goto done;
    }
    if (over_limit(doc, rows, cols)) {
        rc = OGID_ETOOBIG;
        goto done;
    }
    n = rows * cols;
    if (b->bytes > SIZE_MAX - 1)
        goto done;
    pool = malloc(b->bytes + 1);
    cells = malloc((n + 1) * sizeof(*cells));
    origin = malloc(n);
    where = malloc((b->n_texts ? b->n_texts : 1) * sizeof(*where));
    if (pool == NULL || cells == NULL || origin == NULL || where == NULL)
        goto fail;
    pool[0] = '\0'; /* the padding text */
    off = 1;
    for (i = 0; i < b->n_texts; i++) {
        size_t l = strlen(b->texts[i]) + 1;

        memcpy(pool + off, b->texts[i], l);
        where[i] = pool + off;
        off += l;
    }
    for (r = 0; r < rows; r++) {
        const struct brow *row = &b->rows[r];

        for (c = 0; c < cols; c++) {
            const struct slot *s = c < row->n ? &row->slot[c] : NULL;

            if (s != NULL && s->cell != NO_CELL) {
                cells[r * cols + c] = where[s->cell];
                origin[r * cols + c] = s->origin;
            } else {
                cells[r * cols + c] = pool;
                origin[r * cols + c] = 0;
            }
        }
    }
    cells[n] = pool;
    blk = new_block(doc);
    if (blk == NULL)
        goto fail;
    blk->kind = OGID_BLOCK_TABLE;
    blk->line = b->line;
    blk->rows = rows;
    blk->cols = cols;
    blk->cells = cells;
    blk->origin = origin;
    doc->n_blocks++;
    doc->n_cells += n;
    free(where);
    rc = 0;
    goto done;
fail:
    free(pool);
    free(cells);
    free(origin);
    free(where);
done:
    build_free(b);
    doc->building = NULL;
    return rc;
}

void ogid_document_builder(struct ogid_document *doc, struct ogid_doc_builder *b)
{
    b->ctx = doc;
    b->paragraph = paragraph_cb;
    b->table_begin = table_begin_cb;
    b->row_begin = row_begin_cb;
    b->cell = cell_cb;
    b->table_end = table_end_cb;
}
