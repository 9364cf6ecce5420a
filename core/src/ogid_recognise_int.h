/* What the parts of the form recogniser share, and nothing else includes:
 * the stream of cells and the state of one recognition.
 *
 *   ogid_recognise.c         the stream of cells, sections, the form, the model
 *   ogid_recognise_run.c     text whose table cells run together, cut into cells
 *   ogid_recognise_tables.c  tables 二, 三 and 四 read from the stream
 *   ogid_recognise_split.c   values that ran together, split by the identities
 *   ogid_recognise_meta.c    title, agency, year, dates
 *
 * Everything here runs on the one thread that calls ogid_recognise. */
#ifndef OGID_RECOGNISE_INT_H
#define OGID_RECOGNISE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ogid_document.h"
#include "ogid_form.h"
#include "ogid_split.h"

#define OGID_REC_NONE SIZE_MAX
#define OGID_REC_MAX_SECTIONS 10

struct ogid_rec_cell {
    char *text; /* trimmed copy */
    char *norm; /* ogid_norm(text) */
    size_t block;
    size_t row, col; /* grid position, for grid cells */
    uint32_t line;
    unsigned char grid;          /* from a table grid */
    unsigned char whole;         /* the whole paragraph, not a piece of it */
    unsigned char spaced;        /* a piece of a paragraph split at white space */
    unsigned char heading_piece; /* a section heading written inside a paragraph */
    unsigned char in_table;      /* part of a table read from text */
    /* Cut out of text whose cells run together (ogid_recognise_run.c); for a
     * number, the digits of one cell or of several. */
    unsigned char run;
    struct ogid_value v;
};

struct ogid_rec_section {
    int no;
    size_t cell;
    char *title;
    char *rest; /* prose on the heading's own line, or NULL */
};

struct ogid_rec_range {
    size_t lo, hi; /* cell indices, [lo, hi) */
};

struct ogid_rec {
    const struct ogid_document *doc;
    const struct ogid_forms *forms;
    const struct ogid_form *form;
    struct ogid_rec_cell *cells;
    size_t n, cap;
    size_t *block_first;         /* first cell of each block; [n_blocks] = n */
    unsigned char *block_chrome; /* per block: 0, or 1 (weak) or 2 (strong) chrome */
    struct ogid_rec_section sec[OGID_REC_MAX_SECTIONS];
    size_t n_sec;
    size_t body_end; /* first block of the trailing page chrome */
    /* The labels of every form's tables (normalised, not owned), for cutting
     * run-together text; built on first use, sorted by their first code
     * point's bucket and, within one, longest first. */
    const char **labels;
    size_t n_labels;
    size_t label_bucket[257]; /* bucket h is labels[label_bucket[h] .. [h + 1]) */
    size_t run_bytes;         /* text looked at for run-together cells so far */
    json_t *notes;
    int oom;
};

/* ---- ogid_recognise.c ------------------------------------------------- */

static inline void ogid_rec_oom_if_null(struct ogid_rec *r, const void *p)
{
    if (p == NULL)
        r->oom = 1;
}

/* Sets obj[key] = v (stealing v); a NULL v or a failure marks out of memory. */
static inline void ogid_rec_put(struct ogid_rec *r, json_t *obj, const char *key, json_t *v)
{
    if (v == NULL || json_object_set_new(obj, key, v) != 0)
        r->oom = 1;
}

static inline void ogid_rec_push(struct ogid_rec *r, json_t *arr, json_t *v)
{
    if (v == NULL || json_array_append_new(arr, v) != 0)
        r->oom = 1;
}

/* Appends a cell for text[0..len) (trimmed) of block `block`. Returns 0 or
 * OGID_ENOMEM. */
int ogid_rec_add_cell(struct ogid_rec *r, const char *text, size_t len, size_t block,
                      uint32_t line);

/* Appends a note {level, code, message, where} (where is stolen; NULL for
 * none) and returns it (borrowed), or NULL when out of memory. */
__attribute__((format(printf, 5, 6))) json_t *ogid_rec_note(struct ogid_rec *r,
                                                            const char *level,
                                                            const char *code, json_t *where,
                                                            const char *fmt, ...);

/* {table, row[, column][, line]}; NULL when out of memory. */
json_t *ogid_rec_where_cell(const char *table, const char *row, const char *column,
                            uint32_t line);

/* Is `text` page chrome? *strong is set for the markers that end the body
 * of a report (footer), clear for single controls that are only skipped. */
int ogid_rec_chrome(const char *text, int *strong);

/* Are cells a and b in one row, as far as the stream can tell? */
int ogid_rec_same_row(const struct ogid_rec *r, size_t a, size_t b);

/* The cell after the last of section i (an index into r->sec). */
size_t ogid_rec_section_end(const struct ogid_rec *r, size_t i);

/* ---- ogid_recognise_run.c --------------------------------------------- */

/* Appends the cells of text s[0..len) of block b: one cell, or where table
 * cells run together in it ("规章000行政规范性文件8855698"), the labels and
 * the digit runs between them as cells of their own (numbers marked run).
 * Returns 0 or OGID_ENOMEM. */
int ogid_rec_add_text(struct ogid_rec *r, const char *s, size_t len, size_t b,
                      uint32_t line);

/* ---- ogid_recognise_tables.c ------------------------------------------ */

/* Where to look for the table of section `no`, given the end of the table
 * read before it. */
struct ogid_rec_range ogid_rec_table_range(const struct ogid_rec *r, int no,
                                           size_t prev_end);

/* Tables 二, 三 and 四 of r->form from the cells of g: a new object, or
 * JSON null where the table is not there (with a note). *end gets the cell
 * after the table. */
json_t *ogid_rec_read_active(struct ogid_rec *r, struct ogid_rec_range g, size_t *end);
json_t *ogid_rec_read_requests(struct ogid_rec *r, struct ogid_rec_range g, size_t *end);
json_t *ogid_rec_read_appeals(struct ogid_rec *r, struct ogid_rec_range g, size_t *end);

/* ---- ogid_recognise_split.c ------------------------------------------- */

/* What to split and how: n_values values, decimal[j] where value j may be
 * money, identities over the value indices; table and row (NULL for table
 * 四) and line for the notes. The pointers must outlive the table's reading. */
struct ogid_rec_prose;

struct ogid_rec_split_req {
    const char *table, *row;
    size_t n_values;
    const unsigned char *decimal;
    const struct ogid_split_identity *ids;
    size_t n_ids;
    uint32_t line;
    /* Where the report's prose may confirm one of several splits, or NULL. */
    const struct ogid_rec_prose *prose;
};

/* The form's words for a row's numbers in prose: row `row` of rows[] (the
 * rows of its block, whose `prose:` words tell which row a sentence is
 * about) and the n_values columns cols[] (whose words tell which cell a
 * number is). */
struct ogid_rec_prose {
    const struct ogid_form_row *rows;
    size_t n_rows, row;
    const struct ogid_form_col *cols;
};

/* Rows of table 三 with several splits, waiting for the column identities. */
struct ogid_rec_pending {
    struct ogid_rec_split_req req;
    json_t *arr; /* the row in the model, nulls until decided (a reference) */
    char *text;  /* the digits split */
    struct ogid_split_result res;
};

struct ogid_rec_splits {
    struct ogid_rec_pending *p;
    size_t n, cap;
};

/* The values of cells [first, first+count), whose digits run together, as
 * a new array of q->n_values values: the one split that fits (with a
 * SPLIT_NUMBERS note), or nulls (with AMBIGUOUS_NUMBERS). Where several
 * fit and q->prose is set, the numbers the report's paragraphs state for
 * the row may single one out (ogid_split_prefer); they never fill a cell
 * themselves. Where several
 * splits fit and `later` is not NULL, the row waits there, nulls for now,
 * for ogid_rec_split_decide. NULL when out of memory. */
json_t *ogid_rec_split_cells(struct ogid_rec *r, size_t first, size_t count,
                             const struct ogid_rec_split_req *q,
                             struct ogid_rec_splits *later);

/* Decides the waiting rows of table 三 by the column identities of q
 * against every row read (`rows`, the model's requests.rows), filling in
 * the rows left with one split and noting the others. */
void ogid_rec_split_decide(struct ogid_rec *r, const struct ogid_form_requests *q,
                           json_t *rows, struct ogid_rec_splits *later);
void ogid_rec_splits_free(struct ogid_rec_splits *s);

/* ---- ogid_recognise_meta.c -------------------------------------------- */

/* The model's "meta" object (title, agency, year, published, period, form),
 * with META_MISSING notes; NULL when out of memory. */
json_t *ogid_rec_meta(struct ogid_rec *r);

#endif
