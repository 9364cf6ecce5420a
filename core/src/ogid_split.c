/* Splitting run-together numbers by the identities of a table: see
 * ogid_split.h for what and why.
 *
 * ogid_split is a depth-first search over the cut positions, one value at a
 * time; the depth is the number of values (at most OGID_SPLIT_MAX_VALUES), so
 * the recursion is bounded whatever the input. A branch is cut as soon as an
 * identity whose values are all placed fails, or the rest of the string
 * cannot make the values still to come. ogid_split_joint is a search of the
 * same kind over the candidates of the rows that have several. Every step
 * of both is counted against a cap. */
#include "ogid_split.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ogid/ogid_error.h"

/* Longest integer part of a value: 15 digits keep sums of 64 values in a
 * long long, and no count in a report comes near. */
#define MAX_INT_DIGITS 15
#define MAX_FRAC_DIGITS 9
#define MAX_VALUE_CHARS (1 + MAX_INT_DIGITS + 1 + MAX_FRAC_DIGITS)

struct search {
    const struct ogid_split_spec *spec;
    const char *c; /* the characters, white space removed */
    size_t len;
    const unsigned char *forced; /* forced[i]: a value must start at i */
    const size_t *forced_after;  /* forced positions in (i, len) */
    size_t *orig;                /* c[i] is text[orig[i]] */
    /* Identities checked once value j is placed: ids_at[j] .. */
    const struct ogid_split_identity **ids_at;
    size_t *ids_at_n;
    size_t max_cand, max_steps, steps;
    size_t *cut; /* cut[j]: where value j starts; cut[k] = len */
    struct ogid_value *cur;
    struct ogid_split_result *out;
    size_t cap; /* candidates allocated in out */
    int oom, stop;
};

/* Reads c[s..e) as value j; 0 when it is not a well-formed value. */
static int piece(const struct search *S, size_t j, size_t s, size_t e, struct ogid_value *v)
{
    const char *c = S->c;
    size_t p = s, int_digits = 0, frac_digits = 0, i;
    int neg = 0, frac_nonzero = 0;
    long long n = 0;
    double d;

    memset(v, 0, sizeof(*v));
    if (c[p] == '+' || c[p] == '-') {
        neg = c[p] == '-';
        p++;
    }
    for (i = p; i < e && c[i] >= '0' && c[i] <= '9'; i++)
        int_digits++;
    if (int_digits == 0 || int_digits > MAX_INT_DIGITS || (int_digits > 1 && c[p] == '0'))
        return 0;
    for (i = p; i < p + int_digits; i++)
        n = n * 10 + (c[i] - '0');
    d = (double)n;
    p += int_digits;
    if (p < e) {
        double scale = 0.1;

        if (c[p] != '.' || S->spec->decimal == NULL || !S->spec->decimal[j])
            return 0;
        for (i = p + 1; i < e; i++) {
            if (c[i] < '0' || c[i] > '9' || ++frac_digits > MAX_FRAC_DIGITS)
                return 0;
            frac_nonzero |= c[i] != '0';
            d += scale * (c[i] - '0');
            scale /= 10;
        }
        if (frac_digits == 0)
            return 0;
    }
    v->kind = OGID_VALUE_NUMBER;
    if (!frac_nonzero) {
        v->is_int = 1;
        v->i = neg ? -n : n;
        v->d = (double)v->i;
    } else {
        v->d = neg ? -d : d;
    }
    return 1;
}

static int identity_holds(const struct ogid_split_identity *id, const struct ogid_value *v)
{
    long long a = 0, b = 0;
    double x = 0, y = 0;
    int whole = 1;
    size_t i;

    for (i = 0; i < id->n_plus; i++) {
        whole &= v[id->plus[i]].is_int;
        a += v[id->plus[i]].i;
        x += v[id->plus[i]].d;
    }
    for (i = 0; i < id->n_minus; i++) {
        whole &= v[id->minus[i]].is_int;
        b += v[id->minus[i]].i;
        y += v[id->minus[i]].d;
    }
    if (whole)
        return a == b;
    return fabs(x - y) <= 1e-6 * (fabs(x) > 1 ? fabs(x) : 1);
}

static void record(struct search *S)
{
    struct ogid_split_result *r = S->out;
    size_t k = S->spec->n_values, j;

    if (r->n == S->cap) {
        size_t cap = S->cap ? S->cap * 2 : 16;
        struct ogid_value *v = realloc(r->vals, cap * k * sizeof(*v));
        size_t *st, *ln;

        if (v == NULL) {
            S->oom = S->stop = 1;
            return;
        }
        r->vals = v;
        st = realloc(r->start, cap * k * sizeof(*st));
        if (st == NULL) {
            S->oom = S->stop = 1;
            return;
        }
        r->start = st;
        ln = realloc(r->len, cap * k * sizeof(*ln));
        if (ln == NULL) {
            S->oom = S->stop = 1;
            return;
        }
        r->len = ln;
        S->cap = cap;
    }
    for (j = 0; j < k; j++) {
        size_t a = S->orig[S->cut[j]], b = S->orig[S->cut[j + 1] - 1] + 1;

        r->vals[r->n * k + j] = S->cur[j];
        r->start[r->n * k + j] = a;
        r->len[r->n * k + j] = b - a;
    }
    r->n++;
    if (r->n >= S->max_cand) {
        r->capped = 1;
        S->stop = 1;
    }
}

/* Places value j at S->cut[j] and everything after it. */
static void place(struct search *S, size_t j)
{
    size_t k = S->spec->n_values, s = S->cut[j], e, left, i;

    for (e = s + 1; e <= S->len && !S->stop; e++) {
        if (e > s + 1 && S->forced[e - 1])
            break; /* a value never crosses a separator the source had */
        if (++S->steps > S->max_steps) {
            S->out->capped = 1;
            S->stop = 1;
            return;
        }
        left = k - 1 - j;
        /* The rest must still make `left` values, one at least for each
         * separator in it. */
        if (left == 0 ? e != S->len
                      : (S->len - e < left || S->forced_after[e] + 1 > left ||
                         S->len - e > left * MAX_VALUE_CHARS))
            continue;
        if (!piece(S, j, s, e, &S->cur[j]))
            continue;
        for (i = 0; i < S->ids_at_n[j]; i++)
            if (!identity_holds(S->ids_at[j * S->spec->n_ids + i], S->cur))
                break;
        if (i < S->ids_at_n[j])
            continue;
        S->cut[j + 1] = e;
        if (left == 0)
            record(S);
        else
            place(S, j + 1);
    }
}

void ogid_split_result_free(struct ogid_split_result *r)
{
    if (r == NULL)
        return;
    free(r->vals);
    free(r->start);
    free(r->len);
    memset(r, 0, sizeof(*r));
}

int ogid_split(const char *text, const struct ogid_split_spec *spec,
               struct ogid_split_result *out)
{
    struct search S;
    size_t tl, i, j, n = 0, k;
    char *c = NULL;
    unsigned char *forced = NULL;
    size_t *forced_after = NULL, *orig = NULL, *cut = NULL, *ids_at_n = NULL;
    const struct ogid_split_identity **ids_at = NULL;
    struct ogid_value *cur = NULL;
    int rc = OGID_ENOMEM, gap = 0;

    memset(out, 0, sizeof(*out));
    if (text == NULL || spec == NULL)
        return OGID_EINVAL;
    k = spec->n_values;
    tl = strlen(text);
    if (k == 0 || k > OGID_SPLIT_MAX_VALUES || tl > OGID_SPLIT_MAX_TEXT)
        return OGID_EINVAL;
    for (i = 0; i < spec->n_ids; i++) {
        const struct ogid_split_identity *id = &spec->ids[i];

        for (j = 0; j < id->n_plus; j++)
            if (id->plus[j] >= k)
                return OGID_EINVAL;
        for (j = 0; j < id->n_minus; j++)
            if (id->minus[j] >= k)
                return OGID_EINVAL;
    }
    c = malloc(tl + 1);
    forced = calloc(tl + 1, 1);
    forced_after = calloc(tl + 1, sizeof(*forced_after));
    orig = calloc(tl + 1, sizeof(*orig));
    cut = calloc(k + 1, sizeof(*cut));
    cur = calloc(k, sizeof(*cur));
    ids_at = calloc(k * (spec->n_ids ? spec->n_ids : 1), sizeof(*ids_at));
    ids_at_n = calloc(k, sizeof(*ids_at_n));
    if (c == NULL || forced == NULL || forced_after == NULL || orig == NULL ||
        cut == NULL || cur == NULL || ids_at == NULL || ids_at_n == NULL)
        goto fail;
    rc = OGID_EINVAL;
    for (i = 0; i < tl; i++) {
        char ch = text[i];

        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
            gap = 1;
            continue;
        }
        if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == '+' || ch == '-'))
            goto fail;
        /* A value starts after white space and at a sign. */
        forced[n] = n > 0 && (gap || ch == '+' || ch == '-');
        if ((ch == '+' || ch == '-') && !(text[i + 1] >= '0' && text[i + 1] <= '9'))
            goto fail;
        gap = 0;
        orig[n] = i;
        c[n++] = ch;
    }
    c[n] = '\0';
    if (n == 0)
        goto fail;
    for (i = n; i-- > 0;)
        forced_after[i] = i + 1 < n ? forced_after[i + 1] + forced[i + 1] : 0;
    /* Each identity is checked once its last value is placed. */
    for (i = 0; i < spec->n_ids; i++) {
        const struct ogid_split_identity *id = &spec->ids[i];
        size_t last = 0;

        for (j = 0; j < id->n_plus; j++)
            last = id->plus[j] > last ? id->plus[j] : last;
        for (j = 0; j < id->n_minus; j++)
            last = id->minus[j] > last ? id->minus[j] : last;
        ids_at[last * spec->n_ids + ids_at_n[last]++] = id;
    }
    memset(&S, 0, sizeof(S));
    S.spec = spec;
    S.c = c;
    S.len = n;
    S.forced = forced;
    S.forced_after = forced_after;
    S.orig = orig;
    S.ids_at = ids_at;
    S.ids_at_n = ids_at_n;
    S.max_cand = spec->max_candidates ? spec->max_candidates : OGID_SPLIT_MAX_CANDIDATES;
    S.max_steps = spec->max_steps ? spec->max_steps : OGID_SPLIT_MAX_STEPS;
    S.cut = cut;
    S.cur = cur;
    S.out = out;
    out->n_values = k;
    out->text = text;
    cut[0] = 0;
    place(&S, 0);
    if (S.oom) {
        ogid_split_result_free(out);
        rc = OGID_ENOMEM;
        goto fail;
    }
    rc = 0;
fail:
    free(c);
    free(forced);
    free(forced_after);
    free(orig);
    free(cut);
    free(cur);
    free(ids_at);
    free(ids_at_n);
    return rc;
}

/* ---- Stated values ----------------------------------------------------- */

static int same_value(const struct ogid_value *a, const struct ogid_value *b)
{
    if (a->is_int && b->is_int)
        return a->i == b->i;
    return fabs(a->d - b->d) <= 1e-9 * (fabs(a->d) > 1 ? fabs(a->d) : 1);
}

size_t ogid_split_prefer(const struct ogid_split_result *res,
                         const struct ogid_split_stated *st, size_t n_st, size_t *best,
                         size_t *tied)
{
    size_t c, i, top = 0, n_top = 0, which = SIZE_MAX;

    for (c = 0; res != NULL && c < res->n; c++) {
        size_t score = 0;

        for (i = 0; i < n_st; i++)
            if (st[i].col < res->n_values &&
                same_value(&res->vals[c * res->n_values + st[i].col], &st[i].v))
                score++;
        if (score > top) {
            top = score;
            n_top = 1;
            which = c;
        } else if (score == top) {
            n_top++;
        }
    }
    if (best != NULL)
        *best = top;
    if (tied != NULL)
        *tied = top ? n_top : 0;
    return top > 0 && n_top == 1 ? which : SIZE_MAX;
}

/* ---- Rows together ---------------------------------------------------- */

struct joint {
    const struct ogid_split_row *rows;
    size_t n_rows, n_cols;
    const struct ogid_split_identity *ids;
    size_t n_ids;
    size_t *amb; /* the rows with several candidates, in order */
    size_t n_amb;
    size_t *pos;    /* pos[row]: its index in amb, or SIZE_MAX */
    size_t *last;   /* last[id]: the amb index after which id is checked */
    size_t *choice; /* choice[row]: the candidate in use */
    unsigned char **alive;
    size_t steps, max_steps;
    size_t solutions;
    int stop;
};

/* Does identity `id` hold in column `col` for the current choices (or is
 * it unusable there, a cell of it being unknown)? */
static int column_holds(const struct joint *J, const struct ogid_split_identity *id,
                        size_t col)
{
    long long a = 0, b = 0;
    size_t i;

    for (i = 0; i < id->n_plus + id->n_minus; i++) {
        size_t r = i < id->n_plus ? id->plus[i] : id->minus[i - id->n_plus];
        const struct ogid_split_row *row = &J->rows[r];
        size_t at = J->choice[r] * J->n_cols + col;

        if (row->known != NULL && !row->known[at])
            return 1;
        if (i < id->n_plus)
            a += row->cand[at];
        else
            b += row->cand[at];
    }
    return a == b;
}

static int ids_hold_at(const struct joint *J, size_t d)
{
    size_t i, col;

    for (i = 0; i < J->n_ids; i++) {
        if (J->last[i] != d)
            continue;
        for (col = 0; col < J->n_cols; col++)
            if (!column_holds(J, &J->ids[i], col))
                return 0;
    }
    return 1;
}

static void assign(struct joint *J, size_t d)
{
    size_t r = J->amb[d], c, i;

    for (c = 0; c < J->rows[r].n_cand && !J->stop; c++) {
        if (++J->steps > J->max_steps) {
            J->stop = 1;
            return;
        }
        J->choice[r] = c;
        if (!ids_hold_at(J, d))
            continue;
        if (d + 1 < J->n_amb) {
            assign(J, d + 1);
            continue;
        }
        J->solutions++;
        for (i = 0; i < J->n_amb; i++)
            J->alive[J->amb[i]][J->choice[J->amb[i]]] = 1;
    }
}

int ogid_split_joint(const struct ogid_split_row *rows, size_t n_rows, size_t n_cols,
                     const struct ogid_split_identity *ids, size_t n_ids, size_t max_steps,
                     unsigned char **alive, int *solved)
{
    struct joint J;
    size_t r, i, j;
    int rc = OGID_ENOMEM;

    *solved = 1;
    for (r = 0; r < n_rows; r++)
        memset(alive[r], 1, rows[r].n_cand);
    memset(&J, 0, sizeof(J));
    J.rows = rows;
    J.n_rows = n_rows;
    J.n_cols = n_cols;
    J.ids = ids;
    J.n_ids = n_ids;
    J.alive = alive;
    J.max_steps = max_steps ? max_steps : OGID_SPLIT_MAX_STEPS;
    J.amb = calloc(n_rows ? n_rows : 1, sizeof(*J.amb));
    J.pos = calloc(n_rows ? n_rows : 1, sizeof(*J.pos));
    J.choice = calloc(n_rows ? n_rows : 1, sizeof(*J.choice));
    J.last = calloc(n_ids ? n_ids : 1, sizeof(*J.last));
    if (J.amb == NULL || J.pos == NULL || J.choice == NULL || J.last == NULL)
        goto fail;
    for (r = 0; r < n_rows; r++) {
        J.pos[r] = SIZE_MAX;
        if (rows[r].n_cand > 1) {
            J.pos[r] = J.n_amb;
            J.amb[J.n_amb++] = r;
        }
    }
    rc = 0;
    if (J.n_amb == 0)
        goto fail;
    /* An identity through no ambiguous row decides nothing here. */
    for (i = 0; i < n_ids; i++) {
        size_t last = SIZE_MAX;

        for (j = 0; j < ids[i].n_plus + ids[i].n_minus; j++) {
            size_t row =
                j < ids[i].n_plus ? ids[i].plus[j] : ids[i].minus[j - ids[i].n_plus];

            if (row >= n_rows) {
                rc = OGID_EINVAL;
                goto fail;
            }
            if (J.pos[row] != SIZE_MAX && (last == SIZE_MAX || J.pos[row] > last))
                last = J.pos[row];
        }
        J.last[i] = last;
    }
    for (i = 0; i < J.n_amb; i++)
        memset(alive[J.amb[i]], 0, rows[J.amb[i]].n_cand);
    assign(&J, 0);
    if (J.stop || J.solutions == 0) {
        *solved = J.stop ? -1 : 0;
        for (i = 0; i < J.n_amb; i++)
            memset(alive[J.amb[i]], 1, rows[J.amb[i]].n_cand);
    }
fail:
    free(J.amb);
    free(J.pos);
    free(J.choice);
    free(J.last);
    return rc;
}
