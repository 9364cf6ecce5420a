/* Values that ran together, read with the identities of their table (see
 * ogid_split.h for the search itself). A row whose digits split exactly one
 * way that fits the row's identities gets those values and an info note
 * SPLIT_NUMBERS that shows the split. A row of table 三 with several such
 * splits waits until the whole table is read: the column identities (一 + 二
 * = （七）+ 四, （七）= the outcome rows) may leave one. Otherwise its cells
 * are null, with an AMBIGUOUS_NUMBERS note whose "candidates" lists the
 * splits that fit. Nothing is guessed.
 *
 * One more witness may choose among several splits: the report's own prose.
 * Where the form gives `prose:` words for the row and its columns, a
 * sentence such as "集中公开现行有效行政规范性文件698件，动态更新本年度制发的
 * 规范性文件88件" states values of the row's cells (in_force 698, issued 88).
 * The candidate holding the most of the stated values is taken when it
 * holds at least one and no other holds as many; a stated value no
 * candidate holds is the prose disagreeing with the table and only counts
 * for none. The values still come from the digits: prose only selects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ogid/ogid_error.h"
#include "ogid_form.h"
#include "ogid_recognise_int.h"
#include "ogid_split.h"

/* Candidates listed in a note, and in its message. */
#define MAX_LISTED 20
#define MAX_IN_MESSAGE 4
/* A row with more splits than this is not kept for the column identities:
 * its candidates would cost memory and the joint search its step cap. */
#define MAX_JOINT_CANDIDATES 1000

static json_t *value_of(const struct ogid_value *v)
{
    return v->is_int ? json_integer(v->i) : json_real(v->d);
}

/* "71 3 0 0 0 0 74" into buf. */
static void format_candidate(char *buf, size_t len, const struct ogid_split_result *res,
                             size_t c)
{
    size_t j, o = 0;

    buf[0] = '\0';
    for (j = 0; j < res->n_values && o + 2 < len; j++) {
        int k = snprintf(buf + o, len - o, "%s%.*s", j ? " " : "",
                         (int)res->len[c * res->n_values + j],
                         res->text + res->start[c * res->n_values + j]);

        if (k < 0 || (size_t)k >= len - o)
            break;
        o += (size_t)k;
    }
}

/* The candidates still alive (all when alive is NULL), as JSON and as text
 * for a message. */
static json_t *candidates(struct ogid_rec *r, const struct ogid_split_result *res,
                          const unsigned char *alive, char *msg, size_t len, size_t *count)
{
    json_t *arr = json_array();
    size_t c, j, listed = 0, o = 0;

    ogid_rec_oom_if_null(r, arr);
    msg[0] = '\0';
    *count = 0;
    for (c = 0; c < res->n; c++) {
        char one[160];

        if (alive != NULL && !alive[c])
            continue;
        (*count)++;
        if (listed >= MAX_LISTED)
            continue;
        listed++;
        if (arr != NULL) {
            json_t *v = json_array();

            ogid_rec_oom_if_null(r, v);
            for (j = 0; v != NULL && j < res->n_values; j++)
                ogid_rec_push(r, v, value_of(&res->vals[c * res->n_values + j]));
            ogid_rec_push(r, arr, v);
        }
        if (listed <= MAX_IN_MESSAGE && o + 8 < len) {
            format_candidate(one, sizeof(one), res, c);
            o += (size_t)snprintf(msg + o, len - o, "%s[%s]", listed > 1 ? ", " : "", one);
            if (o >= len)
                o = len - 1;
        }
    }
    if (*count > MAX_IN_MESSAGE && o + 8 < len)
        snprintf(msg + o, len - o, ", …");
    return arr;
}

static json_t *nulls(struct ogid_rec *r, size_t n)
{
    json_t *arr = json_array();
    size_t k;

    ogid_rec_oom_if_null(r, arr);
    for (k = 0; arr != NULL && k < n; k++)
        ogid_rec_push(r, arr, json_null());
    return arr;
}

static json_t *where(const struct ogid_rec_split_req *q)
{
    return q->row ? ogid_rec_where_cell(q->table, q->row, NULL, q->line)
                  : json_pack("{s:s, s:i}", "table", q->table, "line", (int)q->line);
}

static void note_ambiguous(struct ogid_rec *r, const struct ogid_rec_split_req *q,
                           const char *text, const struct ogid_split_result *res,
                           const unsigned char *alive, const char *why)
{
    char list[300];
    size_t count = 0;
    json_t *cand =
        res ? candidates(r, res, alive, list, sizeof(list), &count) : json_array();
    json_t *n;

    if (res == NULL)
        list[0] = '\0';
    n = ogid_rec_note(r, "warning", "AMBIGUOUS_NUMBERS", where(q),
                      "%s%s%s: the digits \"%s\" run together and %s%s%s; which values "
                      "the cells hold is unclear, all read as null",
                      q->table, q->row ? " " : "", q->row ? q->row : "", text, why,
                      count ? ": " : "", list);
    if (n != NULL && cand != NULL)
        json_object_set_new(n, "candidates", cand);
    else
        json_decref(cand);
}

static void note_split(struct ogid_rec *r, const struct ogid_rec_split_req *q,
                       const char *text, const struct ogid_split_result *res, size_t c,
                       const char *how)
{
    char one[300];

    format_candidate(one, sizeof(one), res, c);
    ogid_rec_note(r, "info", "SPLIT_NUMBERS", where(q),
                  "%s%s%s: the digits \"%s\" run together; read as %s, %s", q->table,
                  q->row ? " " : "", q->row ? q->row : "", text, one, how);
}

/* The values of candidate c as a new JSON array. */
static json_t *values(struct ogid_rec *r, const struct ogid_split_result *res, size_t c)
{
    json_t *arr = json_array();
    size_t j;

    ogid_rec_oom_if_null(r, arr);
    for (j = 0; arr != NULL && j < res->n_values; j++)
        ogid_rec_push(r, arr, value_of(&res->vals[c * res->n_values + j]));
    return arr;
}

/* ---- Numbers the prose states for a row -------------------------------- */

/* Most stated values looked at for one row, and how far back (bytes) a
 * sentence is searched for its words. */
#define MAX_STATED 16
#define MAX_LOOKBACK 600

/* Length of a clause (level 1) or sentence (level 2) separator at s, or 0. */
static size_t separator(const char *s, int *level)
{
    static const char *const sentence[] = {"。", "；", "！", "？", ";", "!", "?", "\n"};
    static const char *const clause[] = {"，", "、", "：", ",", ":"};
    size_t i;

    for (i = 0; i < sizeof(sentence) / sizeof(sentence[0]); i++)
        if (strncmp(s, sentence[i], strlen(sentence[i])) == 0) {
            *level = 2;
            return strlen(sentence[i]);
        }
    for (i = 0; i < sizeof(clause) / sizeof(clause[0]); i++)
        if (strncmp(s, clause[i], strlen(clause[i])) == 0) {
            *level = 1;
            return strlen(clause[i]);
        }
    return 0;
}

/* The digit at s (ASCII or full-width): its value, *len its bytes; -1 for none. */
static int digit_at(const char *s, size_t *len)
{
    const unsigned char *u = (const unsigned char *)s;

    if (u[0] >= '0' && u[0] <= '9') {
        *len = 1;
        return u[0] - '0';
    }
    if (u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99) {
        *len = 3;
        return u[2] - 0x90;
    }
    return -1;
}

/* Does a unit of a count follow at s? */
static int unit_at(const char *s)
{
    static const char *const units[] = {"件", "项", "个", "条", "次", "宗"};
    size_t i;

    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strncmp(s, units[i], strlen(units[i])) == 0)
            return 1;
    return 0;
}

/* The last occurrence in t[lo, hi) of one of the words of l (the one that
 * ends last; of those the longest): its end, or SIZE_MAX. */
static size_t last_word(const char *t, size_t lo, size_t hi, const struct ogid_labels *l,
                        size_t *start)
{
    size_t best = SIZE_MAX, best_start = 0, w, p;

    for (w = 0; w < l->n; w++) {
        size_t n = strlen(l->text[w]);

        if (n == 0 || hi < lo + n)
            continue;
        for (p = hi - n + 1; p-- > lo;)
            if (memcmp(t + p, l->text[w], n) == 0) {
                if (best == SIZE_MAX || p + n > best || (p + n == best && p < best_start)) {
                    best = p + n;
                    best_start = p;
                }
                break;
            }
    }
    if (start != NULL)
        *start = best_start;
    return best;
}

/* Adds what one paragraph states for row pr->row to st (no duplicates). */
static void stated_in(const char *t, const struct ogid_rec_prose *pr, size_t n_cols,
                      struct ogid_split_stated *st, size_t *n_st, const char **word)
{
    size_t i = 0, clause = 0, sentence = 0, k;
    int level, prev_digit = 0;

    while (t[i] != '\0' && *n_st < MAX_STATED) {
        size_t sep = separator(t + i, &level), e, dl, best_row = SIZE_MAX, best_end = 0;
        size_t col = SIZE_MAX, col_end = 0, ws = 0, lo;
        long long n = 0;
        int d, digits = 0;

        if (sep > 0) {
            i += sep;
            clause = i;
            if (level == 2)
                sentence = i;
            prev_digit = 0;
            continue;
        }
        if (digit_at(t + i, &dl) < 0 || prev_digit) {
            prev_digit = digit_at(t + i, &dl) >= 0 || t[i] == '.';
            i += digit_at(t + i, &dl) >= 0 ? dl : 1;
            continue;
        }
        /* A whole number of at most 15 digits, followed by a unit. */
        for (e = i; (d = digit_at(t + e, &dl)) >= 0; e += dl)
            if (++digits <= 15)
                n = n * 10 + d;
        prev_digit = 1;
        if (digits > 15 || t[e] == '.' || !unit_at(t + e)) {
            i = e;
            continue;
        }
        /* Its column: the column word nearest before it in its clause, with
         * no other number between. */
        lo = i > MAX_LOOKBACK && clause < i - MAX_LOOKBACK ? i - MAX_LOOKBACK : clause;
        for (k = 0; k < n_cols; k++) {
            size_t s0, end = last_word(t, lo, i, &pr->cols[k].prose, &s0);

            if (end != SIZE_MAX && (col == SIZE_MAX || end > col_end)) {
                col = k;
                col_end = end;
                ws = s0;
            }
        }
        for (k = col_end; col != SIZE_MAX && k < i; k++)
            if (digit_at(t + k, &dl) >= 0)
                col = SIZE_MAX;
        /* Its row: the row word nearest before it in its sentence. */
        lo = i > MAX_LOOKBACK && sentence < i - MAX_LOOKBACK ? i - MAX_LOOKBACK : sentence;
        for (k = 0; col != SIZE_MAX && k < pr->n_rows; k++) {
            size_t end = last_word(t, lo, i, &pr->rows[k].prose, NULL);

            if (end != SIZE_MAX && (best_row == SIZE_MAX || end > best_end)) {
                best_row = k;
                best_end = end;
            }
        }
        if (col != SIZE_MAX && best_row == pr->row) {
            for (k = 0; k < *n_st; k++)
                if (st[k].col == col && st[k].v.i == n)
                    break;
            if (k == *n_st) {
                memset(&st[k], 0, sizeof(st[k]));
                st[k].col = col;
                st[k].v.kind = OGID_VALUE_NUMBER;
                st[k].v.is_int = 1;
                st[k].v.i = n;
                st[k].v.d = (double)n;
                word[k] = t + ws;
                (*n_st)++;
            }
        }
        i = e;
    }
}

/* The values the report's paragraphs state for the row of q (at most
 * MAX_STATED); word[k] points at the column word of st[k] in the text. */
static size_t prose_stated(const struct ogid_rec *r, const struct ogid_rec_split_req *q,
                           struct ogid_split_stated *st, const char **word)
{
    size_t b, n = 0;

    if (q->prose == NULL || q->prose->row >= q->prose->n_rows ||
        q->prose->rows[q->prose->row].prose.n == 0)
        return 0;
    for (b = 0; b < r->doc->n_blocks && n < MAX_STATED; b++)
        if (r->doc->blocks[b].kind == OGID_BLOCK_PARAGRAPH &&
            r->doc->blocks[b].text != NULL)
            stated_in(r->doc->blocks[b].text, q->prose, q->n_values, st, &n, word);
    return n;
}

/* Where the prose singles out one of the candidates of res: its index, and
 * in how[] the reason for the note; SIZE_MAX where it does not (how[] then
 * says what the prose stated, or is empty). */
static size_t prose_pick(const struct ogid_rec *r, const struct ogid_rec_split_req *q,
                         const struct ogid_split_result *res, char *how, size_t len)
{
    struct ogid_split_stated st[MAX_STATED];
    const char *word[MAX_STATED];
    size_t n = prose_stated(r, q, st, word), best = 0, tied = 0, c, k, o;

    how[0] = '\0';
    if (n == 0)
        return SIZE_MAX;
    c = ogid_split_prefer(res, st, n, &best, &tied);
    o = (size_t)snprintf(how, len, "%s",
                         c != SIZE_MAX
                             ? "the one of its splits that the report's own text confirms ("
                             : "the report's text states");
    for (k = 0; k < n && o + 2 < len; k++) {
        size_t wl = 0, dl;
        int held = c != SIZE_MAX && res->vals[c * res->n_values + st[k].col].is_int &&
                   res->vals[c * res->n_values + st[k].col].i == st[k].v.i;

        /* The column word as written, up to the number. */
        while (word[k][wl] != '\0' && digit_at(word[k] + wl, &dl) < 0 && wl < 45) {
            ogid_utf8_decode((const unsigned char *)word[k] + wl, &dl);
            wl += dl;
        }
        o += (size_t)snprintf(how + o, len - o, "%s%s %lld (\"%.*s%lld\")%s",
                              k               ? "; "
                              : c != SIZE_MAX ? ""
                                              : " ",
                              q->prose->cols[st[k].col].key, st[k].v.i, (int)wl, word[k],
                              st[k].v.i,
                              c == SIZE_MAX ? ""
                              : held        ? ", confirmed"
                                            : ", which the table does not hold");
        if (o >= len)
            o = len - 1;
    }
    if (o + 2 < len) {
        if (c != SIZE_MAX)
            snprintf(how + o, len - o, ")");
        else if (best == 0)
            snprintf(how + o, len - o, ", which no split holds");
        else
            snprintf(how + o, len - o, ", and %zu splits hold %zu of these each", tied,
                     best);
    }
    return c;
}

/* How many splits the digits allow, identities aside (0, 1, or 2 for
 * more); where 1, *res holds it (else *res is empty). */
static int only_split(const char *text, const struct ogid_rec_split_req *q,
                      struct ogid_split_result *res)
{
    struct ogid_split_spec spec;

    ogid_split_result_free(res);
    memset(&spec, 0, sizeof(spec));
    spec.n_values = q->n_values;
    spec.decimal = q->decimal;
    spec.max_candidates = 2;
    if (ogid_split(text, &spec, res) != 0)
        return 0;
    if (res->n == 1 && !res->capped)
        return 1;
    ogid_split_result_free(res);
    return 2;
}

json_t *ogid_rec_split_cells(struct ogid_rec *r, size_t first, size_t count,
                             const struct ogid_rec_split_req *q,
                             struct ogid_rec_splits *later)
{
    struct ogid_split_spec spec;
    struct ogid_split_result res;
    char *text = NULL, *p;
    size_t len = 0, k;
    json_t *out = NULL;
    char how[512];
    size_t pick;
    int rc;

    how[0] = '\0';
    for (k = 0; k < count; k++)
        len += strlen(r->cells[first + k].text) + 1;
    text = malloc(len + 1);
    if (text == NULL) {
        r->oom = 1;
        return NULL;
    }
    text[0] = '\0';
    for (k = 0, p = text; k < count; k++)
        p += sprintf(p, "%s%s", k ? " " : "", r->cells[first + k].text);
    /* A comma or any other mark between digits separates cells here. */
    for (p = text; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == '+' || *p == '-'))
            *p = ' ';
    memset(&spec, 0, sizeof(spec));
    spec.n_values = q->n_values;
    spec.decimal = q->decimal;
    spec.ids = q->ids;
    spec.n_ids = q->n_ids;
    rc = ogid_split(text, &spec, &res);
    if (rc == OGID_ENOMEM) {
        r->oom = 1;
        free(text);
        return NULL;
    }
    if (rc != 0) {
        note_ambiguous(r, q, text, NULL, NULL,
                       "cannot be split (too long, or not digits only)");
        out = nulls(r, q->n_values);
    } else if (res.capped) {
        note_ambiguous(r, q, text, NULL, NULL, "split too many ways to search them all");
        out = nulls(r, q->n_values);
    } else if (res.n == 1) {
        note_split(r, q, text, &res, 0,
                   q->n_ids ? "the only split that fits the table's identities"
                            : "the only split the digits allow");
        out = values(r, &res, 0);
    } else if (res.n == 0 && q->n_ids > 0 && only_split(text, q, &res) == 1) {
        /* One digit a cell: the split is certain whatever the sums say, and
         * the report's own disagreement is kept as printed for the rules. */
        note_split(r, q, text, &res, 0,
                   "the only split the digits allow (it does not fit the table's "
                   "identities: the report's own numbers disagree)");
        out = values(r, &res, 0);
    } else if (res.n == 0) {
        note_ambiguous(r, q, text, NULL, NULL,
                       q->n_ids ? "no split of them fits the table's identities"
                                : "are too few for the cells");
        out = nulls(r, q->n_values);
    } else if (res.n > 1 && q->prose != NULL &&
               (pick = prose_pick(r, q, &res, how, sizeof(how))) != SIZE_MAX) {
        note_split(r, q, text, &res, pick, how);
        out = values(r, &res, pick);
    } else if (later != NULL && res.n <= MAX_JOINT_CANDIDATES) {
        /* Several: the column identities may decide, once every row is read. */
        struct ogid_rec_pending *pd;

        if (later->n == later->cap) {
            size_t c = later->cap ? later->cap * 2 : 8;
            struct ogid_rec_pending *np = realloc(later->p, c * sizeof(*np));

            if (np == NULL) {
                r->oom = 1;
                ogid_split_result_free(&res);
                free(text);
                return NULL;
            }
            later->p = np;
            later->cap = c;
        }
        out = nulls(r, q->n_values);
        pd = &later->p[later->n++];
        pd->req = *q;
        pd->arr = json_incref(out);
        pd->text = text;
        pd->res = res;
        pd->res.text = text;
        return out;
    } else {
        char why[600];

        snprintf(why, sizeof(why), "%s%s%s",
                 q->n_ids ? "split in several ways that fit the table's identities"
                          : "split in several ways (the table has no identity to tell "
                            "them apart)",
                 how[0] ? "; " : "", how);
        note_ambiguous(r, q, text, &res, NULL, why);
        out = nulls(r, q->n_values);
    }
    ogid_split_result_free(&res);
    free(text);
    return out;
}

void ogid_rec_splits_free(struct ogid_rec_splits *s)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        json_decref(s->p[i].arr);
        ogid_split_result_free(&s->p[i].res);
        free(s->p[i].text);
    }
    free(s->p);
    memset(s, 0, sizeof(*s));
}

/* One row of the joint problem: its values as read (one candidate) or its
 * candidates. */
static int joint_row(const json_t *arr, const struct ogid_rec_pending *pd, size_t n_cols,
                     struct ogid_split_row *row, long long **cand, unsigned char **known)
{
    size_t n = pd ? pd->res.n : 1, c, j;

    *cand = calloc(n * n_cols, sizeof(**cand));
    *known = calloc(n * n_cols, 1);
    if (*cand == NULL || *known == NULL)
        return OGID_ENOMEM;
    for (c = 0; c < n; c++)
        for (j = 0; j < n_cols; j++) {
            size_t at = c * n_cols + j;

            if (pd != NULL) {
                const struct ogid_value *v = &pd->res.vals[at];

                (*cand)[at] = v->i;
                (*known)[at] = (unsigned char)v->is_int;
            } else if (json_is_integer(json_array_get(arr, j))) {
                (*cand)[at] = json_integer_value(json_array_get(arr, j));
                (*known)[at] = 1;
            }
        }
    row->n_cand = n;
    row->cand = *cand;
    row->known = *known;
    return 0;
}

void ogid_rec_split_decide(struct ogid_rec *r, const struct ogid_form_requests *q,
                           json_t *rows, struct ogid_rec_splits *later)
{
    struct ogid_split_row *jr = NULL;
    struct ogid_split_identity *ids = NULL;
    long long **cand = NULL;
    unsigned char **known = NULL, **alive = NULL;
    size_t *pend = NULL, i, k, n_ids = 0;
    int solved = 0, rc = OGID_ENOMEM;

    if (later->n == 0)
        return;
    jr = calloc(q->n_rows, sizeof(*jr));
    cand = calloc(q->n_rows, sizeof(*cand));
    known = calloc(q->n_rows, sizeof(*known));
    alive = calloc(q->n_rows, sizeof(*alive));
    pend = calloc(q->n_rows, sizeof(*pend));
    ids = calloc(q->n_identities ? q->n_identities : 1, sizeof(*ids));
    if (jr == NULL || cand == NULL || known == NULL || alive == NULL || pend == NULL ||
        ids == NULL)
        goto done;
    for (k = 0; k < q->n_rows; k++)
        pend[k] = SIZE_MAX;
    for (i = 0; i < later->n; i++)
        for (k = 0; k < q->n_rows; k++)
            if (q->rows[k].key != NULL && strcmp(q->rows[k].key, later->p[i].req.row) == 0)
                pend[k] = i;
    for (k = 0; k < q->n_rows; k++) {
        const struct ogid_rec_pending *pd = pend[k] != SIZE_MAX ? &later->p[pend[k]] : NULL;
        const json_t *arr = q->rows[k].key ? json_object_get(rows, q->rows[k].key) : NULL;

        if (joint_row(arr, pd, q->n_cols, &jr[k], &cand[k], &known[k]) != 0)
            goto done;
        alive[k] = calloc(jr[k].n_cand, 1);
        if (alive[k] == NULL)
            goto done;
    }
    for (i = 0; i < q->n_identities; i++) {
        const struct ogid_form_identity *id = &q->identities[i];

        if (id->in != OGID_IDENTITY_IN_COLUMNS)
            continue;
        ids[n_ids].plus = id->plus;
        ids[n_ids].n_plus = id->n_plus;
        ids[n_ids].minus = id->minus;
        ids[n_ids].n_minus = id->n_minus;
        n_ids++;
    }
    if (ogid_split_joint(jr, q->n_rows, q->n_cols, ids, n_ids, 0, alive, &solved) != 0)
        goto done;
    for (k = 0; k < q->n_rows; k++) {
        struct ogid_rec_pending *pd = pend[k] != SIZE_MAX ? &later->p[pend[k]] : NULL;
        size_t c, left = 0, which = 0, j;

        if (pd == NULL)
            continue;
        for (c = 0; c < pd->res.n; c++)
            if (alive[k][c]) {
                left++;
                which = c;
            }
        if (solved == 1 && left == 1) {
            note_split(r, &pd->req, pd->text, &pd->res, which,
                       "the only one of its splits that fits both its row and the "
                       "column identities of the table");
            for (j = 0; j < q->n_cols; j++)
                if (json_array_set_new(pd->arr, j,
                                       value_of(&pd->res.vals[which * q->n_cols + j])) != 0)
                    r->oom = 1;
        } else {
            note_ambiguous(r, &pd->req, pd->text, &pd->res, alive[k],
                           solved == 1   ? "split in several ways that fit the table's "
                                           "identities"
                           : solved == 0 ? "split in several ways that fit its row (the "
                                           "column identities of the table do not hold "
                                           "for any)"
                                         : "split in several ways that fit its row (too "
                                           "many together to search)");
        }
    }
    rc = 0;
done:
    if (rc != 0)
        r->oom = 1;
    for (k = 0; k < q->n_rows; k++) {
        if (cand != NULL)
            free(cand[k]);
        if (known != NULL)
            free(known[k]);
        if (alive != NULL)
            free(alive[k]);
    }
    free(jr);
    free(cand);
    free(known);
    free(alive);
    free(pend);
    free(ids);
}
