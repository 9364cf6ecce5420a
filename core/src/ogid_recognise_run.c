/* Text whose table cells run together. A crawler's dump writes a table with
 * nothing between its cells: "规章000行政规范性文件8855698第二十条第（五）项…",
 * "…1.属于国家秘密00000002.其他法律行政法规禁止公开0000000…" (contrib/docs/DOMAIN.md
 * §9). Such text is cut here into cells: every label of a form's tables
 * (row, column, block and header labels, in the spelling of ogid_norm) and
 * every run of digits between them becomes a cell of its own, so that the
 * table readers find "行政规范性文件" followed by "8855698" as they find a label
 * followed by its values in text copied from a page.
 *
 * The digits of one run may be one cell or several; which, and where they
 * split, is decided later by the table's identities (ogid_split.c), not
 * here. A label's own number ("2." of "2.其他法律行政法规禁止公开") is taken
 * with the label where the digits run into it: labels are tried before
 * digits at every position, the longest first.
 *
 * Only text that is plainly a table is cut: it must have a run of digits
 * next to a label, and no full stop (prose has 。, a table has none). */
#include <stdlib.h>
#include <string.h>

#include "ogid/ogid_error.h"
#include "ogid_form.h"
#include "ogid_recognise_int.h"

/* Longer text is not looked at: a dumped table is a few kilobytes. */
#define MAX_RUN_TEXT 65536
/* Nor more than this in one document, whatever its lines. */
#define MAX_RUN_TOTAL (4 * 1024 * 1024)

enum { TOK_TEXT, TOK_LABEL, TOK_NUMBER };

struct tok {
    int kind;
    size_t a, b;   /* in the normalised text */
    size_t sa, sb; /* in the source text */
};

static int labels_add(struct ogid_rec *r, size_t *cap, const struct ogid_labels *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        if (l->norm[i][0] == '\0')
            continue;
        if (r->n_labels == *cap) {
            size_t c = *cap ? *cap * 2 : 256;
            const char **nl = realloc(r->labels, c * sizeof(*nl));

            if (nl == NULL)
                return OGID_ENOMEM;
            r->labels = nl;
            *cap = c;
        }
        r->labels[r->n_labels++] = l->norm[i];
    }
    return 0;
}

static int cols_add(struct ogid_rec *r, size_t *cap, const struct ogid_form_col *c,
                    size_t n)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < n && rc == 0; i++)
        rc = labels_add(r, cap, &c[i].labels);
    return rc;
}

static int rows_add(struct ogid_rec *r, size_t *cap, const struct ogid_form_row *w,
                    size_t n)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < n && rc == 0; i++)
        rc = labels_add(r, cap, &w[i].labels);
    return rc;
}

static size_t bucket_of(const char *norm)
{
    size_t len;

    return ogid_utf8_decode((const unsigned char *)norm, &len) % 256;
}

static int label_cmp(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    size_t bx = bucket_of(x), by = bucket_of(y), lx = strlen(x), ly = strlen(y);

    if (bx != by)
        return bx < by ? -1 : 1;
    if (lx != ly)
        return lx > ly ? -1 : 1;
    return strcmp(x, y);
}

/* Sorts the labels into buckets by their first code point. */
static void index_labels(struct ogid_rec *r)
{
    size_t i, h = 0;

    qsort(r->labels, r->n_labels, sizeof(*r->labels), label_cmp);
    for (i = 0; i <= r->n_labels; i++) {
        size_t b = i < r->n_labels ? bucket_of(r->labels[i]) : 256;

        while (h <= b)
            r->label_bucket[h++] = i;
    }
    while (h <= 256)
        r->label_bucket[h++] = r->n_labels;
}

/* The labels of the tables of every form (not only the one the report will
 * turn out to use: the stream is built before the form is known). */
static int collect_labels(struct ogid_rec *r)
{
    size_t cap = 0, f, b;
    int rc = 0;

    if (r->labels != NULL)
        return 0;
    for (f = 0; f < r->forms->n && rc == 0; f++) {
        const struct ogid_form *fm = &r->forms->forms[f];

        rc = labels_add(r, &cap, &fm->active.headers);
        for (b = 0; b < fm->active.n_blocks && rc == 0; b++) {
            const struct ogid_form_block *blk = &fm->active.blocks[b];

            if ((rc = labels_add(r, &cap, &blk->labels)) == 0 &&
                (rc = cols_add(r, &cap, blk->cols, blk->n_cols)) == 0)
                rc = rows_add(r, &cap, blk->rows, blk->n_rows);
        }
        if (rc == 0 && (rc = labels_add(r, &cap, &fm->requests.headers)) == 0 &&
            (rc = cols_add(r, &cap, fm->requests.cols, fm->requests.n_cols)) == 0 &&
            (rc = rows_add(r, &cap, fm->requests.rows, fm->requests.n_rows)) == 0 &&
            (rc = labels_add(r, &cap, &fm->appeals.headers)) == 0 &&
            (rc = cols_add(r, &cap, fm->appeals.groups, fm->appeals.n_groups)) == 0)
            rc = cols_add(r, &cap, fm->appeals.results, fm->appeals.n_results);
    }
    if (rc == 0 && r->labels == NULL) {
        /* No labels at all: remember that, so the work is not redone. */
        r->labels = malloc(sizeof(*r->labels));
        if (r->labels == NULL)
            rc = OGID_ENOMEM;
    }
    if (rc == 0)
        index_labels(r);
    return rc;
}

/* Length of the longest label at norm + pos, or 0. */
static size_t label_at(const struct ogid_rec *r, const char *norm, size_t pos, size_t nl)
{
    size_t h = bucket_of(norm + pos), i;

    for (i = r->label_bucket[h]; i < r->label_bucket[h + 1]; i++) {
        size_t k = strlen(r->labels[i]);

        if (k <= nl - pos && memcmp(norm + pos, r->labels[i], k) == 0)
            return k;
    }
    return 0;
}

static int push_tok(struct tok **t, size_t *n, size_t *cap, int kind, size_t a, size_t b)
{
    if (*n > 0 && (*t)[*n - 1].kind == kind && kind != TOK_LABEL && (*t)[*n - 1].b == a) {
        (*t)[*n - 1].b = b;
        return 0;
    }
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 32;
        struct tok *nt = realloc(*t, c * sizeof(*nt));

        if (nt == NULL)
            return OGID_ENOMEM;
        *t = nt;
        *cap = c;
    }
    (*t)[*n].kind = kind;
    (*t)[*n].a = a;
    (*t)[*n].b = b;
    (*n)++;
    return 0;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Cuts norm[0..nl) into labels, digit runs and other text. */
static int tokenise(const struct ogid_rec *r, const char *norm, size_t nl, struct tok **t,
                    size_t *n)
{
    size_t pos = 0, cap = 0, k;
    int rc;

    *t = NULL;
    *n = 0;
    while (pos < nl) {
        if ((k = label_at(r, norm, pos, nl)) > 0) {
            rc = push_tok(t, n, &cap, TOK_LABEL, pos, pos + k);
            pos += k;
        } else if (is_digit(norm[pos])) {
            rc = push_tok(t, n, &cap, TOK_NUMBER, pos, pos + 1);
            pos++;
        } else {
            size_t len;

            ogid_utf8_decode((const unsigned char *)norm + pos, &len);
            rc = push_tok(t, n, &cap, TOK_TEXT, pos, pos + len);
            pos += len;
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Is the text a table with its cells run together: digits next to a
 * label? */
static int glued(const struct tok *t, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (t[i].kind == TOK_NUMBER && ((i > 0 && t[i - 1].kind == TOK_LABEL) ||
                                        (i + 1 < n && t[i + 1].kind == TOK_LABEL)))
            return 1;
    return 0;
}

/* Places each token in the source: from its first code point to the next
 * token's. A run of digits keeps only digits, signs, points and the white
 * space between them (the punctuation after it belongs to the label after
 * it), and takes a sign just before it. */
static void source_ranges(struct tok *t, size_t n, const size_t *map, const char *s)
{
    size_t i;

    for (i = 0; i < n; i++) {
        t[i].sa = map[t[i].a];
        t[i].sb = map[t[i].b];
    }
    for (i = 0; i < n; i++) {
        if (t[i].kind != TOK_NUMBER)
            continue;
        while (t[i].sb > t[i].sa && !is_digit(s[t[i].sb - 1]))
            t[i].sb--;
        if (i > 0 && t[i].sa > t[i - 1].sa &&
            (s[t[i].sa - 1] == '-' || s[t[i].sa - 1] == '+')) {
            t[i].sa--;
            if (t[i - 1].sb > t[i].sa)
                t[i - 1].sb = t[i].sa;
        }
    }
}

/* The digits of a run as ogid_split reads them: punctuation between digits
 * other than a decimal point or a sign separates cells. */
static void as_digits(char *s)
{
    char *p;

    for (p = s; *p; p++)
        if (!(is_digit(*p) || *p == '.' || *p == '+' || *p == '-' || *p == ' '))
            *p = ' ';
}

int ogid_rec_add_text(struct ogid_rec *r, const char *s, size_t len, size_t b,
                      uint32_t line)
{
    char *norm = NULL;
    size_t *map = NULL, nl, n = 0, i, first = r->n;
    struct tok *t = NULL;
    int rc;

    if (len > MAX_RUN_TEXT || len == 0 || r->run_bytes + len > MAX_RUN_TOTAL ||
        memchr(s, '\0', len) != NULL)
        return ogid_rec_add_cell(r, s, len, b, line);
    for (i = 0; i < len && !is_digit(s[i]); i++)
        ;
    /* "。" is E3 80 82. */
    if (i == len || memmem(s, len, "\xe3\x80\x82", 3) != NULL)
        return ogid_rec_add_cell(r, s, len, b, line);
    if ((rc = collect_labels(r)) != 0)
        return rc;
    r->run_bytes += len;
    norm = ogid_norm_map(s, len, &map);
    if (norm == NULL)
        return OGID_ENOMEM;
    nl = strlen(norm);
    if ((rc = tokenise(r, norm, nl, &t, &n)) != 0)
        goto done;
    if (!glued(t, n)) {
        rc = ogid_rec_add_cell(r, s, len, b, line);
        goto done;
    }
    source_ranges(t, n, map, s);
    /* Text before the first token (punctuation only) goes with it. */
    if (n > 0)
        t[0].sa = 0;
    for (i = 0; i < n; i++) {
        struct ogid_rec_cell *c;

        if (t[i].sb <= t[i].sa)
            continue;
        if ((rc = ogid_rec_add_cell(r, s + t[i].sa, t[i].sb - t[i].sa, b, line)) != 0)
            goto done;
        c = &r->cells[r->n - 1];
        c->run = 1;
        if (t[i].kind == TOK_NUMBER && c->v.kind != OGID_VALUE_NUMBER) {
            as_digits(c->text);
            c->v.kind = OGID_VALUE_RUN;
        }
        if (c->text[0] == '\0') {
            free(c->text);
            free(c->norm);
            r->n--;
        }
    }
    rc = r->n > first ? 0 : ogid_rec_add_cell(r, s, len, b, line);
done:
    free(norm);
    free(map);
    free(t);
    return rc;
}
