/* Splitting numbers that arrive run together. A crawler's text dump writes
 * the cells of a table row with nothing between them, so the row 自然人 64,
 * 商业企业 0, 科研机构 0, 社会公益组织 2, 法律服务机构 0, 其他 4, 总计 70 arrives
 * as "640020470" (contrib/docs/DOMAIN.md §9). The digits alone allow many splits;
 * the identities of the table (the six applicant columns sum to the total,
 * each group of table 四 sums to its total, the column rules of table 三)
 * usually leave one.
 *
 * ogid_split enumerates the splits of one string into a given number of
 * values that satisfy identities over those values; ogid_split_joint then
 * narrows the candidates of several rows by identities that run down the
 * columns. Both are bounded: past a cap on candidates or on search steps
 * they stop and say so, and the caller must then treat the row as
 * ambiguous. Neither guesses: a caller takes values only where exactly one
 * candidate is left.
 *
 * Pure functions over their arguments: no I/O, no globals, any thread. */
#ifndef OGID_SPLIT_H
#define OGID_SPLIT_H

#include <stddef.h>

#include "ogid_form.h"

/* Default caps (a spec field of 0 selects them). */
#define OGID_SPLIT_MAX_CANDIDATES 10000
#define OGID_SPLIT_MAX_STEPS 2000000
/* Longest string ogid_split looks at, in bytes; a longer one is refused. */
#define OGID_SPLIT_MAX_TEXT 256
/* Most values in one string. */
#define OGID_SPLIT_MAX_VALUES 64

/* Sum of the values at plus[] equals the sum of the values at minus[]
 * (indices into the values of one string, or rows of ogid_split_joint). */
struct ogid_split_identity {
    const size_t *plus;
    size_t n_plus;
    const size_t *minus;
    size_t n_minus;
};

struct ogid_split_spec {
    size_t n_values;
    /* Per value: 1 where it may have a decimal fraction (money); NULL for
     * whole numbers everywhere. */
    const unsigned char *decimal;
    const struct ogid_split_identity *ids;
    size_t n_ids;
    size_t max_candidates; /* 0: OGID_SPLIT_MAX_CANDIDATES */
    size_t max_steps;      /* 0: OGID_SPLIT_MAX_STEPS */
};

/* The splits found. Candidate c's value j is vals[c * n_values + j]; its
 * text (for messages) is text[start..start+len) of the same index. */
struct ogid_split_result {
    size_t n_values;
    size_t n; /* candidates */
    struct ogid_value *vals;
    size_t *start, *len;
    const char *text;   /* the caller's string, not owned */
    int capped;         /* a cap stopped the search: there may be more */
    size_t without_ids; /* splits the digits allow before identities (capped
                           at max_candidates too); 0 when not counted */
};

/* Splits `text` into spec->n_values values. `text` holds digits, at most one
 * '.' per value where spec->decimal allows it, and signs ('+' '-') that
 * start a value; white space is a boundary that no value crosses (cells the
 * source did separate). A value is "0" or has no leading zero, at most 15
 * digits before its point. Every candidate satisfies every identity.
 *
 * Returns 0 and fills *out (free with ogid_split_result_free), OGID_EINVAL
 * when the text holds anything else or is longer than OGID_SPLIT_MAX_TEXT or
 * spec asks for 0 or more than OGID_SPLIT_MAX_VALUES values, or OGID_ENOMEM. */
int ogid_split(const char *text, const struct ogid_split_spec *spec,
               struct ogid_split_result *out);
void ogid_split_result_free(struct ogid_split_result *r);

/* A value that something other than the digits (the report's prose) states
 * for value `col` of the string. */
struct ogid_split_stated {
    size_t col;
    struct ogid_value v;
};

/* Which candidate of `res` the stated values single out: each candidate
 * scores the number of stated values it holds (value col equal to v); the
 * one with the highest score is returned when that score is at least 1 and
 * no other candidate reaches it, else SIZE_MAX. A stated value no
 * candidate holds (the prose and the table disagree) only scores nothing.
 * *best gets the highest score and *tied how many candidates reach it
 * (either may be NULL). Stated values are counted as given: the caller
 * drops duplicates. A col out of range is never held. */
size_t ogid_split_prefer(const struct ogid_split_result *res,
                         const struct ogid_split_stated *st, size_t n_st, size_t *best,
                         size_t *tied);

/* One row of a joint problem: n_cand candidate vectors of n_cols values
 * (cand[c * n_cols + j]); known[c * n_cols + j] is 0 where the cell's value
 * is not known (a blank, or a row that could not be split), which makes
 * identities through it unusable in that column. A row with one candidate
 * is fixed. */
struct ogid_split_row {
    size_t n_cand;
    const long long *cand;
    const unsigned char *known;
};

/* Which candidates of each row survive the column identities: for every
 * column, each identity (over row indices) must hold where all its cells are
 * known. On return alive[r][c] is 1 for a candidate of row r that is part of
 * at least one assignment of every row satisfying every identity, and
 * *solved tells what happened: 1 when the search finished (alive is exact),
 * 0 when no assignment satisfies them all (alive is all 1: the table
 * contradicts itself, the identities decide nothing), -1 when a cap stopped
 * it (alive is all 1). `alive` is the caller's: n_rows arrays of n_cand.
 * Returns 0 or OGID_ENOMEM. */
int ogid_split_joint(const struct ogid_split_row *rows, size_t n_rows, size_t n_cols,
                     const struct ogid_split_identity *ids, size_t n_ids, size_t max_steps,
                     unsigned char **alive, int *solved);

#endif
