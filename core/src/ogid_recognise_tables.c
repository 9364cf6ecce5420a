/* Tables 二, 三 and 四, read from the stream of cells (see
 * ogid_recognise.c): row labels in the form's order, each followed by as many
 * values as the row has columns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ogid/ogid_error.h"
#include "ogid_form.h"
#include "ogid_recognise_int.h"

/* A short cell that contains a header word is a header cell. */
#define MAX_HEADER_BYTES 36

/* Does the cell say 元 where its column is in 万元 (a money column whose
 * label names 万元: the form-2021 fee cell)? */
static int yuan_in_wan(const struct ogid_rec_cell *c, const struct ogid_form_col *col)
{
    size_t i, len = strlen(c->text);
    int wan = 0;

    for (i = 0; i < col->labels.n; i++)
        wan |= strstr(col->labels.text[i], "万元") != NULL;
    return col->money && wan && len >= 3 && strcmp(c->text + len - 3, "元") == 0 &&
           !(len >= 6 && strcmp(c->text + len - 6, "万元") == 0);
}

/* The JSON of one table value in column col; c is NULL where the row had no
 * cell for it. */
static json_t *value_json(struct ogid_rec *r, const struct ogid_rec_cell *c,
                          const char *table, const char *row,
                          const struct ogid_form_col *col, uint32_t line)
{
    const char *column = col->key;

    if (c == NULL || c->v.kind != OGID_VALUE_NUMBER) {
        ogid_rec_note(r, "warning", "BLANK_CELL",
                      ogid_rec_where_cell(table, row, column, c ? c->line : line),
                      "%s %s %s is blank (\"%s\"): not reported, read as null", table, row,
                      column, c ? c->text : "");
        return json_null();
    }
    /* Read as printed; whether the amount was meant in yuan is the rules'. */
    if (yuan_in_wan(c, col))
        ogid_rec_note(r, "warning", "UNIT_YUAN",
                      ogid_rec_where_cell(table, row, column, c->line),
                      "%s %s %s is written in 元 (\"%s\") where the form asks for 万元; "
                      "read as printed",
                      table, row, column, c->text);
    if (c->v.is_int)
        return json_integer(c->v.i);
    if (!col->money)
        ogid_rec_note(
            r, "warning", "NOT_A_COUNT", ogid_rec_where_cell(table, row, column, c->line),
            "%s %s %s is \"%s\", not a whole number", table, row, column, c->text);
    return json_real(c->v.d);
}

/* ---- Tables ----------------------------------------------------------- */

/* The header texts of one table: labels that carry no numbers. */
struct headers {
    const char **norm;
    size_t n, cap;
};

static void headers_add(struct ogid_rec *r, struct headers *h, const struct ogid_labels *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        if (h->n == h->cap) {
            size_t cap = h->cap ? h->cap * 2 : 32;
            const char **nn = realloc(h->norm, cap * sizeof(*nn));

            if (nn == NULL) {
                r->oom = 1;
                return;
            }
            h->norm = nn;
            h->cap = cap;
        }
        if (l->norm[i][0] != '\0')
            h->norm[h->n++] = l->norm[i];
    }
}

static void headers_cols(struct ogid_rec *r, struct headers *h,
                         const struct ogid_form_col *c, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        headers_add(r, h, &c[i].labels);
}

/* Is the cell a header: one of the texts, a short cell holding one, or
 * texts run together ("结果维持结果纠正其他结果…" in crawler dumps)? */
static int header_ish(const struct ogid_rec_cell *c, const struct headers *h)
{
    size_t i, len = strlen(c->norm), best;
    const char *p = c->norm;

    if (c->v.kind != OGID_VALUE_NONE || len == 0)
        return 0;
    for (i = 0; i < h->n; i++)
        if (strcmp(c->norm, h->norm[i]) == 0 ||
            (len <= MAX_HEADER_BYTES && strstr(c->norm, h->norm[i]) != NULL))
            return 1;
    while (*p) {
        best = 0;
        for (i = 0; i < h->n; i++) {
            size_t k = strlen(h->norm[i]);

            if (k > best && strncmp(p, h->norm[i], k) == 0)
                best = k;
        }
        if (best == 0)
            return 0;
        p += best;
    }
    return 1;
}

/* Is the cell after i a value of i's row? */
static int value_follows(const struct ogid_rec *r, size_t i, size_t hi)
{
    return i + 1 < hi && r->cells[i + 1].v.kind != OGID_VALUE_NONE &&
           ogid_rec_same_row(r, i, i + 1);
}

/* First cell in [lo, hi) labelled by l. A row label must be followed by a
 * value unless it equals a label exactly (so prose that merely starts with
 * a label is not taken for the row); a heading needs no value. */
static size_t find_label(const struct ogid_rec *r, size_t lo, size_t hi,
                         const struct ogid_labels *l, int row)
{
    size_t i;

    for (i = lo; i < hi; i++) {
        int m;

        if (r->cells[i].v.kind != OGID_VALUE_NONE)
            continue;
        m = ogid_labels_match(l, r->cells[i].norm, 1);
        if (m == 0)
            continue;
        if (!row || value_follows(r, i, hi))
            return i;
    }
    if (!row)
        return OGID_REC_NONE;
    for (i = lo; i < hi; i++)
        if (r->cells[i].v.kind == OGID_VALUE_NONE &&
            ogid_labels_match(l, r->cells[i].norm, 0) == 2)
            return i;
    return OGID_REC_NONE;
}

static void extend(size_t *lo, size_t *hi, size_t i)
{
    if (*lo == OGID_REC_NONE || i < *lo)
        *lo = i;
    if (*hi == OGID_REC_NONE || i > *hi)
        *hi = i;
}

/* How the rows of one table (or block) are read. */
struct row_read {
    const char *table;
    const struct ogid_form_col *cols;
    size_t n_cols;
    unsigned char *decimal;          /* per column: money */
    struct ogid_split_identity *ids; /* identities within a row */
    size_t n_ids;
    struct ogid_rec_splits *later; /* rows with several splits wait here, or NULL */
    /* The rows of the block, for the prose that may confirm a split (NULL
     * for none), and the one being read. */
    const struct ogid_form_row *rows;
    size_t n_rows, row;
};

static int digits_only(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* Do the cells after a row label hold its values run together: digits cut
 * out of run-together text (ogid_recognise_run.c) that are fewer than the
 * columns or not one number, or a lone string of digits in text? */
static int ran_together(const struct ogid_rec *r, size_t first, size_t count, size_t n_cols)
{
    size_t k;
    int flagged = 0;

    if (count == 0 || r->cells[first].grid)
        return 0;
    for (k = 0; k < count; k++) {
        if (r->cells[first + k].v.kind == OGID_VALUE_RUN)
            return 1;
        flagged |= r->cells[first + k].run;
    }
    return count < n_cols &&
           (flagged || (count == 1 && n_cols > 1 && digits_only(r->cells[first].text) &&
                        strlen(r->cells[first].text) >= n_cols));
}

/* Reads the values after row label li: one per column. Returns the values
 * as an array and sets *last to the last cell used. */
static json_t *read_row(struct ogid_rec *r, size_t li, size_t hi, const struct row_read *rr,
                        const char *key, size_t *last)
{
    const struct ogid_rec_cell *lc = &r->cells[li];
    const struct ogid_form_col *cols = rr->cols;
    const char *table = rr->table;
    size_t n_cols = rr->n_cols, count = 0, j = li + 1, k;
    json_t *arr;

    while (count < n_cols && j < hi && r->cells[j].v.kind != OGID_VALUE_NONE &&
           ogid_rec_same_row(r, li, j)) {
        count++;
        j++;
    }
    *last = li + count;
    if (ran_together(r, li + 1, count, n_cols)) {
        struct ogid_rec_prose pr = {rr->rows, rr->n_rows, rr->row, rr->cols};
        struct ogid_rec_split_req q = {table,   key,       n_cols,   rr->decimal,
                                       rr->ids, rr->n_ids, lc->line, rr->rows ? &pr : NULL};

        return ogid_rec_split_cells(r, li + 1, count, &q, rr->later);
    }
    arr = json_array();
    ogid_rec_oom_if_null(r, arr);
    if (arr == NULL)
        return NULL;
    if (count == n_cols || count == 0 || lc->grid) {
        /* Complete, or a row with no values at all, or a short grid row
         * whose missing cells are at its end. */
        for (k = 0; k < n_cols; k++)
            ogid_rec_push(r, arr,
                          value_json(r, k < count ? &r->cells[li + 1 + k] : NULL, table,
                                     key, &cols[k], lc->line));
    } else {
        char found[256];
        size_t o = 0;

        found[0] = '\0';
        for (k = 0; k < count && o + 24 < sizeof(found); k++)
            o += (size_t)snprintf(found + o, sizeof(found) - o, "%s%s", k ? " " : "",
                                  r->cells[li + 1 + k].text);
        ogid_rec_note(r, "warning", "AMBIGUOUS_NUMBERS",
                      ogid_rec_where_cell(table, key, NULL, lc->line),
                      "%s %s: %zu values (%s) for %zu columns; which cells they fill is "
                      "unclear, all read as null",
                      table, key, count, found, n_cols);
        for (k = 0; k < n_cols; k++)
            ogid_rec_push(r, arr, json_null());
    }
    if (count == n_cols && j < hi && r->cells[j].v.kind == OGID_VALUE_NUMBER &&
        ogid_rec_same_row(r, li, j) && lc->grid == r->cells[j].grid)
        ogid_rec_note(r, "warning", "AMBIGUOUS_NUMBERS",
                      ogid_rec_where_cell(table, key, NULL, lc->line),
                      "%s %s: more values than its %zu columns; the first %zu were read",
                      table, key, n_cols, n_cols);
    return arr;
}

/* Fills rr for columns cols, with the form identities of kind `in` as
 * identities within a row. Returns 0 or OGID_ENOMEM; free with
 * row_read_clear. */
static int row_read_init(struct row_read *rr, const char *table,
                         const struct ogid_form_col *cols, size_t n_cols,
                         const struct ogid_form_identity *ids, size_t n_ids,
                         struct ogid_rec_splits *later)
{
    size_t k;

    memset(rr, 0, sizeof(*rr));
    rr->table = table;
    rr->cols = cols;
    rr->n_cols = n_cols;
    rr->later = later;
    rr->decimal = calloc(n_cols ? n_cols : 1, 1);
    rr->ids = calloc(n_ids ? n_ids : 1, sizeof(*rr->ids));
    if (rr->decimal == NULL || rr->ids == NULL)
        return OGID_ENOMEM;
    for (k = 0; k < n_cols; k++)
        rr->decimal[k] = (unsigned char)(cols[k].money != 0);
    for (k = 0; k < n_ids; k++) {
        if (ids[k].in != OGID_IDENTITY_IN_ROWS)
            continue;
        rr->ids[rr->n_ids].plus = ids[k].plus;
        rr->ids[rr->n_ids].n_plus = ids[k].n_plus;
        rr->ids[rr->n_ids].minus = ids[k].minus;
        rr->ids[rr->n_ids].n_minus = ids[k].n_minus;
        rr->n_ids++;
    }
    return 0;
}

static void row_read_clear(struct row_read *rr)
{
    free(rr->decimal);
    free(rr->ids);
    memset(rr, 0, sizeof(*rr));
}

/* Widens a table's extent back over the header cells just before it. */
static void header_back(const struct ogid_rec *r, size_t *lo, size_t floor,
                        const struct headers *h)
{
    while (*lo != OGID_REC_NONE && *lo > floor && header_ish(&r->cells[*lo - 1], h))
        (*lo)--;
}

static void mark_extent(struct ogid_rec *r, size_t lo, size_t hi)
{
    size_t i;

    if (lo == OGID_REC_NONE || hi == OGID_REC_NONE || lo > hi || hi >= r->n)
        return;
    for (i = lo; i <= hi; i++)
        if (!r->cells[i].grid)
            r->cells[i].in_table = 1;
}

/* Notes a table that could not be read: TABLE_MISSING where nothing of it
 * is there, UNPARSED_TEXT where its header texts are there but none of its
 * rows could be told apart. */
static void table_absent(struct ogid_rec *r, struct ogid_rec_range g,
                         const struct headers *h, const char *table, const char *name)
{
    size_t i, k;

    for (i = g.lo; i < g.hi; i++)
        for (k = 0; k < h->n; k++)
            if (strlen(h->norm[k]) >= 12 && strstr(r->cells[i].norm, h->norm[k]) != NULL) {
                ogid_rec_note(
                    r, "warning", "UNPARSED_TEXT",
                    json_pack("{s:s, s:i}", "table", table, "line", (int)r->cells[i].line),
                    "table %s is there but its cells could not be told apart (run "
                    "together?); not read",
                    name);
                return;
            }
    ogid_rec_note(r, "warning", "TABLE_MISSING", json_pack("{s:s}", "table", table),
                  "table %s not found", name);
}

static void flush_missing(struct ogid_rec *r, json_t *missing)
{
    size_t i;
    json_t *v;

    json_array_foreach(missing, i, v) ogid_rec_push(r, r->notes, json_incref(v));
}

static void missing_row(struct ogid_rec *r, json_t *missing, const char *table,
                        const char *key, const char *label)
{
    json_t *n =
        json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "level", "warning", "code",
                  "ROW_MISSING", "message", "", "where", "table", table, "row", key);
    char msg[512];

    snprintf(msg, sizeof(msg), "%s: row %s (%s) not found", table, key, label);
    if (n != NULL)
        json_object_set_new(n, "message", json_string(msg));
    ogid_rec_push(r, missing, n);
}

json_t *ogid_rec_read_active(struct ogid_rec *r, struct ogid_rec_range g, size_t *end)
{
    const struct ogid_form_active *a = &r->form->active;
    json_t *out = json_object(), *missing = json_array();
    struct headers h = {0};
    struct row_read rr;
    size_t cur = g.lo, lo = OGID_REC_NONE, hi = OGID_REC_NONE, found = 0, b, k, c, last;

    ogid_rec_oom_if_null(r, out);
    ogid_rec_oom_if_null(r, missing);
    headers_add(r, &h, &a->headers);
    for (b = 0; b < a->n_blocks; b++) {
        headers_add(r, &h, &a->blocks[b].labels);
        headers_cols(r, &h, a->blocks[b].cols, a->blocks[b].n_cols);
    }
    for (b = 0; out != NULL && missing != NULL && b < a->n_blocks; b++) {
        const struct ogid_form_block *blk = &a->blocks[b];
        size_t bi = find_label(r, cur, g.hi, &blk->labels, 0), in_block = 0;
        json_t *bmiss = json_array();

        ogid_rec_oom_if_null(r, bmiss);
        if (row_read_init(&rr, "active", blk->cols, blk->n_cols, NULL, 0, NULL) != 0) {
            r->oom = 1;
            json_decref(bmiss);
            bmiss = NULL;
        }
        rr.rows = blk->rows;
        rr.n_rows = blk->n_rows;
        if (bi != OGID_REC_NONE) {
            cur = bi + 1;
            extend(&lo, &hi, bi);
        }
        for (k = 0; bmiss != NULL && k < blk->n_rows; k++) {
            const struct ogid_form_row *row = &blk->rows[k];
            size_t li = find_label(r, cur, g.hi, &row->labels, 1);
            json_t *vals, *obj;

            if (row->key == NULL)
                continue;
            if (li == OGID_REC_NONE) {
                missing_row(r, bmiss, "active", row->key, row->labels.text[0]);
                continue;
            }
            rr.row = k;
            vals = read_row(r, li, g.hi, &rr, row->key, &last);
            obj = json_object();
            ogid_rec_oom_if_null(r, obj);
            for (c = 0; obj != NULL && vals != NULL && c < blk->n_cols; c++)
                ogid_rec_put(r, obj, blk->cols[c].key,
                             json_incref(json_array_get(vals, c)));
            json_decref(vals);
            ogid_rec_put(r, out, row->key, obj);
            extend(&lo, &hi, li);
            extend(&lo, &hi, last);
            cur = last + 1;
            in_block++;
            found++;
        }
        if (bmiss != NULL && (in_block > 0 || !blk->optional)) {
            size_t i;
            json_t *v;

            json_array_foreach(bmiss, i, v) ogid_rec_push(r, missing, json_incref(v));
        }
        json_decref(bmiss);
        row_read_clear(&rr);
    }
    header_back(r, &lo, g.lo, &h);
    if (found == 0) {
        json_decref(out);
        json_decref(missing);
        table_absent(r, g, &h, "active", "二 (主动公开政府信息情况)");
        free(h.norm);
        return json_null();
    }
    free(h.norm);
    flush_missing(r, missing);
    json_decref(missing);
    mark_extent(r, lo, hi);
    *end = hi + 1;
    return out;
}

json_t *ogid_rec_read_requests(struct ogid_rec *r, struct ogid_rec_range g, size_t *end)
{
    const struct ogid_form_requests *q = &r->form->requests;
    json_t *out, *rows = json_object(), *cols = json_array(), *missing = json_array();
    struct headers h = {0};
    struct ogid_rec_splits later = {0};
    struct row_read rr;
    size_t cur = g.lo, lo = OGID_REC_NONE, hi = OGID_REC_NONE, found = 0, k, last;

    ogid_rec_oom_if_null(r, rows);
    ogid_rec_oom_if_null(r, cols);
    ogid_rec_oom_if_null(r, missing);
    if (row_read_init(&rr, "requests", q->cols, q->n_cols, q->identities, q->n_identities,
                      &later) != 0)
        r->oom = 1;
    headers_add(r, &h, &q->headers);
    headers_cols(r, &h, q->cols, q->n_cols);
    for (k = 0; cols != NULL && k < q->n_cols; k++)
        ogid_rec_push(r, cols, json_string(q->cols[k].key));
    for (k = 0; rows != NULL && missing != NULL && k < q->n_rows; k++) {
        const struct ogid_form_row *row = &q->rows[k];
        size_t li = find_label(r, cur, g.hi, &row->labels, row->key != NULL);

        if (row->key == NULL) {
            if (li != OGID_REC_NONE) {
                cur = li + 1;
                extend(&lo, &hi, li);
            }
            continue;
        }
        if (li == OGID_REC_NONE) {
            missing_row(r, missing, "requests", row->key, row->labels.text[0]);
            continue;
        }
        if (r->oom)
            break;
        ogid_rec_put(r, rows, row->key, read_row(r, li, g.hi, &rr, row->key, &last));
        extend(&lo, &hi, li);
        extend(&lo, &hi, last);
        cur = last + 1;
        found++;
    }
    if (rows != NULL && !r->oom)
        ogid_rec_split_decide(r, q, rows, &later);
    ogid_rec_splits_free(&later);
    row_read_clear(&rr);
    header_back(r, &lo, g.lo, &h);
    if (found == 0) {
        json_decref(rows);
        json_decref(cols);
        json_decref(missing);
        table_absent(r, g, &h, "requests", "三 (收到和处理政府信息公开申请情况)");
        free(h.norm);
        return json_null();
    }
    free(h.norm);
    flush_missing(r, missing);
    json_decref(missing);
    mark_extent(r, lo, hi);
    *end = hi + 1;
    out = json_pack("{s:o, s:o}", "columns", cols, "rows", rows);
    ogid_rec_oom_if_null(r, out);
    return out;
}

/* The numbers of table 四 from cells [start, start+count) whose digits run
 * together: need values, the form's identities over results holding in
 * every group (each 总计 is its four results) and those over groups for
 * every result. */
static json_t *split_appeals(struct ogid_rec *r, size_t start, size_t count, size_t need)
{
    const struct ogid_form_appeals *a = &r->form->appeals;
    size_t n_ids = 0, i, g, j, *idx = NULL, used = 0, total = 0;
    struct ogid_split_identity *ids = NULL;
    unsigned char *decimal = calloc(need, 1);
    json_t *out = NULL;

    /* Room for every identity copied per group (or per result). */
    for (i = 0; i < a->n_identities; i++) {
        size_t times =
            a->identities[i].in == OGID_IDENTITY_IN_ROWS ? a->n_groups : a->n_results;

        n_ids += times;
        total += times * (a->identities[i].n_plus + a->identities[i].n_minus);
    }
    ids = calloc(n_ids ? n_ids : 1, sizeof(*ids));
    idx = calloc(total ? total : 1, sizeof(*idx));
    if (ids == NULL || idx == NULL || decimal == NULL) {
        r->oom = 1;
        goto done;
    }
    for (j = 0; j < need; j++)
        decimal[j] = (unsigned char)(a->results[j % a->n_results].money != 0);
    n_ids = 0;
    for (i = 0; i < a->n_identities; i++) {
        const struct ogid_form_identity *id = &a->identities[i];
        int in_rows = id->in == OGID_IDENTITY_IN_ROWS;
        size_t times = in_rows ? a->n_groups : a->n_results;

        for (g = 0; g < times; g++) {
            struct ogid_split_identity *x = &ids[n_ids++];

            /* In a group g, result k is value g * results + k; for a
             * result g, group k is value k * results + g. */
            x->plus = idx + used;
            for (j = 0; j < id->n_plus; j++)
                idx[used++] = in_rows ? g * a->n_results + id->plus[j]
                                      : id->plus[j] * a->n_results + g;
            x->n_plus = id->n_plus;
            x->minus = idx + used;
            for (j = 0; j < id->n_minus; j++)
                idx[used++] = in_rows ? g * a->n_results + id->minus[j]
                                      : id->minus[j] * a->n_results + g;
            x->n_minus = id->n_minus;
        }
    }
    {
        struct ogid_rec_split_req q = {
            "appeals", NULL, need, decimal, ids, n_ids, r->cells[start].line, NULL};

        out = ogid_rec_split_cells(r, start, count, &q, NULL);
    }
done:
    free(ids);
    free(idx);
    free(decimal);
    return out;
}

/* Table 四 has one row of numbers under two or three rows of headers that
 * text breaks into pieces ("结果", "纠正"). The numbers are the values that
 * follow the last header cell, groups times results of them, in order. */
json_t *ogid_rec_read_appeals(struct ogid_rec *r, struct ogid_rec_range g, size_t *end)
{
    const struct ogid_form_appeals *a = &r->form->appeals;
    size_t need = a->n_groups * a->n_results, h0 = OGID_REC_NONE, num = g.hi, hdr, start,
           count = 0;
    size_t i, k, lo;
    struct headers h = {0};
    json_t *out;
    int grid, unclear;

    headers_add(r, &h, &a->headers);
    headers_cols(r, &h, a->groups, a->n_groups);
    headers_cols(r, &h, a->results, a->n_results);
    for (i = g.lo; i < g.hi && h0 == OGID_REC_NONE; i++)
        if (header_ish(&r->cells[i], &h))
            h0 = i;
    if (h0 == OGID_REC_NONE) {
        table_absent(r, g, &h, "appeals", "四 (行政复议、行政诉讼情况)");
        free(h.norm);
        return json_null();
    }
    for (i = h0 + 1; i < g.hi && num == g.hi; i++)
        if (r->cells[i].v.kind == OGID_VALUE_NUMBER ||
            r->cells[i].v.kind == OGID_VALUE_RUN ||
            (r->cells[i].v.kind == OGID_VALUE_BLANK && r->cells[i].text[0] != '\0'))
            num = i;
    hdr = h0;
    for (i = h0; i < num; i++)
        if (header_ish(&r->cells[i], &h))
            hdr = i;
    /* The numbers start at the first one; in a grid, with the blank cells
     * before it in its row. */
    start = num < g.hi ? num : hdr + 1;
    while (num < g.hi && r->cells[num].grid && start > hdr + 1 &&
           r->cells[start - 1].v.kind != OGID_VALUE_NONE &&
           ogid_rec_same_row(r, start - 1, num))
        start--;
    grid = start < g.hi && r->cells[start].grid;
    while (start + count < g.hi && count < need &&
           r->cells[start + count].v.kind != OGID_VALUE_NONE &&
           (!grid || (r->cells[start + count].grid &&
                      r->cells[start + count].block == r->cells[start].block)))
        count++;
    lo = hdr;
    header_back(r, &lo, g.lo, &h);
    free(h.norm);
    out = json_object();
    ogid_rec_oom_if_null(r, out);
    /* Digits run together: split by the identities of the groups. */
    if (!grid && start < g.hi && ran_together(r, start, count, need)) {
        json_t *vals = split_appeals(r, start, count, need);

        for (k = 0; out != NULL && vals != NULL && k < a->n_groups; k++) {
            json_t *grp = json_object();
            size_t j;

            ogid_rec_oom_if_null(r, grp);
            for (j = 0; grp != NULL && j < a->n_results; j++)
                ogid_rec_put(r, grp, a->results[j].key,
                             json_incref(json_array_get(vals, k * a->n_results + j)));
            ogid_rec_put(r, out, a->groups[k].key, grp);
        }
        ogid_rec_oom_if_null(r, vals);
        json_decref(vals);
        mark_extent(r, lo, start + count - 1);
        *end = start + count;
        return out;
    }
    /* Too few numbers in text: which cells a lost blank line held is not
     * known. In a grid the missing ones are the row's last. */
    unclear = count > 0 && count < need && !grid;
    if (unclear)
        ogid_rec_note(
            r, "warning", "AMBIGUOUS_NUMBERS",
            json_pack("{s:s, s:i}", "table", "appeals", "line", (int)r->cells[start].line),
            "appeals: %zu values for %zu cells; which cells they fill is unclear, all read "
            "as null",
            count, need);
    for (k = 0; out != NULL && k < a->n_groups; k++) {
        json_t *grp = json_object();
        size_t j;

        ogid_rec_oom_if_null(r, grp);
        for (j = 0; grp != NULL && j < a->n_results; j++) {
            size_t idx = k * a->n_results + j;
            const struct ogid_rec_cell *c = idx < count ? &r->cells[start + idx] : NULL;

            if (unclear)
                ogid_rec_put(r, grp, a->results[j].key, json_null());
            else
                ogid_rec_put(r, grp, a->results[j].key,
                             value_json(r, c, "appeals", a->groups[k].key, &a->results[j],
                                        r->cells[hdr].line));
        }
        ogid_rec_put(r, out, a->groups[k].key, grp);
    }
    mark_extent(r, lo, count ? start + count - 1 : hdr);
    *end = (count ? start + count : hdr + 1);
    return out;
}

/* Where to look for the table of section `no`: that section, or when its
 * heading is missing, from the end of the previous table to the next
 * heading found. */
struct ogid_rec_range ogid_rec_table_range(const struct ogid_rec *r, int no,
                                           size_t prev_end)
{
    struct ogid_rec_range g = {prev_end, r->block_first[r->body_end]};
    size_t i;

    for (i = 0; i < r->n_sec; i++) {
        if (r->sec[i].no == no) {
            g.lo = r->sec[i].cell + 1;
            g.hi = ogid_rec_section_end(r, i);
            return g;
        }
        if (r->sec[i].no > no && r->sec[i].cell >= prev_end) {
            g.hi = r->sec[i].cell;
            break;
        }
    }
    if (g.hi < g.lo)
        g.hi = g.lo;
    return g;
}
