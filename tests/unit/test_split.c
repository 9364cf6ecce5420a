/* Unit tests of the splitting of run-together numbers (ogid_split.c): the
 * rows of the Pingtan crawler dumps, a row with two valid splits, the limits
 * of the search, and rows decided together by column identities. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ogid/ogid_error.h"
#include "ogid_split.h"

/* Table 三: the six applicant columns sum to the total. */
static const size_t six[] = {0, 1, 2, 3, 4, 5};
static const size_t seventh[] = {6};
static const struct ogid_split_identity row_sum = {six, 6, seventh, 1};

static struct ogid_split_spec row_spec(void)
{
    struct ogid_split_spec s = {.n_values = 7, .ids = &row_sum, .n_ids = 1};

    return s;
}

/* Splits and checks the candidates against want (n rows of k values). */
static void expect_split(const char *text, const struct ogid_split_spec *spec,
                         const long long *want, size_t n)
{
    struct ogid_split_result r;
    size_t c, j;

    assert_int_equal(ogid_split(text, spec, &r), 0);
    if (r.n != n) {
        for (c = 0; c < r.n; c++) {
            printf("  candidate %zu:", c);
            for (j = 0; j < r.n_values; j++)
                printf(" %lld", r.vals[c * r.n_values + j].i);
            printf("\n");
        }
    }
    assert_int_equal(r.n, n);
    assert_false(r.capped);
    for (c = 0; c < n && want != NULL; c++)
        for (j = 0; j < spec->n_values; j++) {
            assert_true(r.vals[c * r.n_values + j].is_int);
            assert_int_equal(r.vals[c * r.n_values + j].i, want[c * spec->n_values + j]);
        }
    ogid_split_result_free(&r);
}

static void test_split_pingtan_rows(void **state)
{
    static const struct {
        const char *text;
        long long v[7];
    } rows[] = {
        {"640020470", {64, 0, 0, 2, 0, 4, 70}}, /* DOMAIN.md §9 */
        {"713000074", {71, 3, 0, 0, 0, 0, 74}}, {"723000075", {72, 3, 0, 0, 0, 0, 75}},
        {"801000081", {80, 1, 0, 0, 0, 0, 81}}, {"370000037", {37, 0, 0, 0, 0, 0, 37}},
        {"0200002", {0, 2, 0, 0, 0, 0, 2}},     {"0000000", {0, 0, 0, 0, 0, 0, 0}},
    };
    struct ogid_split_spec spec = row_spec();
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        expect_split(rows[i].text, &spec, rows[i].v, 1);
}

/* Two splits fit the row identity: both are given, none is chosen. */
static void test_split_two_candidates(void **state)
{
    static const long long want[] = {1, 9, 10, 0, 0, 0, 20, 19, 1, 0, 0, 0, 0, 20};
    struct ogid_split_spec spec = row_spec();
    struct ogid_split_result r;

    (void)state;
    expect_split("191000020", &spec, want, 2);
    assert_int_equal(ogid_split("191000020", &spec, &r), 0);
    assert_int_equal(r.start[7 + 0], 0);
    assert_int_equal(r.len[7 + 0], 2); /* "19" */
    assert_int_equal(r.start[7 + 6], 7);
    assert_int_equal(r.len[7 + 6], 2); /* "20" */
    ogid_split_result_free(&r);
}

/* Without identities only the digits count: "000" is three zeros, but
 * "8855698" splits fifteen ways into three. */
static void test_split_structure_only(void **state)
{
    static const long long zeros[] = {0, 0, 0};
    struct ogid_split_spec spec = {.n_values = 3};

    (void)state;
    expect_split("000", &spec, zeros, 1);
    expect_split("8855698", &spec, NULL, 15);
    expect_split("77132470", &spec, NULL, 21);
    /* A leading zero is not a number: 0|0|12 only. */
    expect_split("0012", &spec, (const long long[]){0, 0, 12}, 1);
    /* Too few digits for the values. */
    expect_split("12", &spec, NULL, 0);
    /* The row identity can rule everything out. */
    spec = row_spec();
    expect_split("1010102", &spec, NULL, 0);
}

/* White space is a boundary the source drew; values never cross it. */
static void test_split_separators(void **state)
{
    static const long long want[] = {15, 1, 0, 0, 0, 0, 16};
    struct ogid_split_spec spec = row_spec();

    (void)state;
    expect_split("15 1 0 0 0 0 16", &spec, want, 1);
    expect_split("15 1 0000 16", &spec, want, 1);
    /* Separators narrow the splits but need not decide them. */
    expect_split("15 10000 16", &spec, NULL, 2);
    expect_split("1 5 10000 16", &spec, (const long long[]){1, 5, 10, 0, 0, 0, 16}, 1);
    expect_split("150 10000 16", &spec, NULL, 0);
}

static void test_split_decimals_and_signs(void **state)
{
    static const unsigned char money[] = {1};
    static const unsigned char change[] = {0, 0, 0};
    struct ogid_split_spec one = {.n_values = 1, .decimal = money};
    struct ogid_split_spec three = {.n_values = 3, .decimal = change};
    struct ogid_split_result r;

    (void)state;
    assert_int_equal(ogid_split("9116.36", &one, &r), 0);
    assert_int_equal(r.n, 1);
    assert_false(r.vals[0].is_int);
    assert_true(r.vals[0].d > 9116.35 && r.vals[0].d < 9116.37);
    ogid_split_result_free(&r);
    /* A decimal where the column holds counts is no value. */
    one.decimal = NULL;
    expect_split("9116.36", &one, NULL, 0);
    /* A sign starts a value: 12, +3, -4. */
    expect_split("12+3-4", &three, (const long long[]){12, 3, -4}, 1);
    assert_int_equal(ogid_split("12-", &three, &r), OGID_EINVAL);
}

static void test_split_refuses_bad_input(void **state)
{
    struct ogid_split_spec spec = row_spec(), none = {.n_values = 0};
    struct ogid_split_result r;
    char big[OGID_SPLIT_MAX_TEXT + 2];

    (void)state;
    assert_int_equal(ogid_split("12a4", &spec, &r), OGID_EINVAL);
    assert_int_equal(ogid_split("", &spec, &r), OGID_EINVAL);
    assert_int_equal(ogid_split("  ", &spec, &r), OGID_EINVAL);
    assert_int_equal(ogid_split("１２", &spec, &r), OGID_EINVAL);
    assert_int_equal(ogid_split("12", &none, &r), OGID_EINVAL);
    memset(big, '1', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(ogid_split(big, &spec, &r), OGID_EINVAL);
    /* An identity naming a value that is not there. */
    {
        static const size_t nine[] = {9};
        struct ogid_split_identity bad = {nine, 1, NULL, 0};
        struct ogid_split_spec s = {.n_values = 3, .ids = &bad, .n_ids = 1};

        assert_int_equal(ogid_split("123", &s, &r), OGID_EINVAL);
    }
}

/* Long digit strings stop at the caps and say so. */
static void test_split_caps(void **state)
{
    char ones[81];
    struct ogid_split_spec spec = {.n_values = 7, .max_candidates = 100};
    struct ogid_split_result r;

    (void)state;
    memset(ones, '1', 80);
    ones[80] = '\0';
    assert_int_equal(ogid_split(ones, &spec, &r), 0);
    assert_true(r.capped);
    assert_int_equal(r.n, 100);
    ogid_split_result_free(&r);
    /* The step cap holds where the identity rejects everything. */
    spec = row_spec();
    spec.max_steps = 5000;
    memcpy(ones + 70, "0000000009", 10);
    assert_int_equal(ogid_split(ones, &spec, &r), 0);
    assert_true(r.capped);
    ogid_split_result_free(&r);
    /* No value has more than 15 digits before its point: 120 digits make
     * no 7 values, and that is known at once. */
    {
        char many[121];

        memset(many, '1', 120);
        many[120] = '\0';
        spec = row_spec();
        expect_split(many, &spec, NULL, 0);
    }
    /* The default caps bound the worst case too. */
    spec = row_spec();
    assert_int_equal(ogid_split(ones, &spec, &r), 0);
    assert_true(r.capped);
    ogid_split_result_free(&r);
}

/* Table 四: fifteen values, each group's four results sum to its total. */
static void test_split_appeals(void **state)
{
    static const size_t g0[] = {0, 1, 2, 3}, t0[] = {4}, g1[] = {5, 6, 7, 8}, t1[] = {9},
                        g2[] = {10, 11, 12, 13}, t2[] = {14};
    static const struct ogid_split_identity ids[] = {
        {g0, 4, t0, 1}, {g1, 4, t1, 1}, {g2, 4, t2, 1}};
    static const long long want[] = {1, 1, 0, 0, 2, 4, 0, 0, 1, 5, 1, 0, 1, 0, 2};
    struct ogid_split_spec spec = {.n_values = 15, .ids = ids, .n_ids = 3};

    (void)state;
    expect_split("110024001510102", &spec, want, 1);
    /* 1|0|10|0|11 or 10|1|0|0|11 in the first group. */
    expect_split("10100114001510102", &spec, NULL, 2);
}

/* Rows decided together: a row with two candidates, fixed by the column
 * identity total = the outcome rows (here: total = a + b). */
static void test_split_joint_decides(void **state)
{
    /* Row 0 (a): 1 9 10 0 0 0 20 or 19 1 0 0 0 0 20; row 1 (b) fixed;
     * row 2 (total) fixed. Column 0: 19 + 61 = 80. */
    static const long long a[] = {1, 9, 10, 0, 0, 0, 20, 19, 1, 0, 0, 0, 0, 20};
    static const long long b[] = {61, 0, 0, 0, 0, 0, 61};
    static const long long t[] = {80, 1, 0, 0, 0, 0, 81};
    static const size_t plus[] = {0, 1}, minus[] = {2};
    static const struct ogid_split_identity id = {plus, 2, minus, 1};
    struct ogid_split_row rows[3] = {{2, a, NULL}, {1, b, NULL}, {1, t, NULL}};
    unsigned char al0[2], al1[1], al2[1], *alive[3] = {al0, al1, al2};
    int solved;

    (void)state;
    assert_int_equal(ogid_split_joint(rows, 3, 7, &id, 1, 0, alive, &solved), 0);
    assert_int_equal(solved, 1);
    assert_int_equal(al0[0], 0);
    assert_int_equal(al0[1], 1);
    assert_int_equal(al1[0], 1);
    assert_int_equal(al2[0], 1);
}

/* Unknown cells make an identity unusable in their column, not false. */
static void test_split_joint_unknown_cells(void **state)
{
    static const long long a[] = {1, 9, 10, 0, 0, 0, 20, 19, 1, 0, 0, 0, 0, 20};
    static const long long b[] = {61, 0, 0, 0, 0, 0, 61};
    static const long long t[] = {80, 1, 0, 0, 0, 0, 81};
    static const unsigned char b_known[] = {0, 1, 1, 1, 1, 1, 1};
    static const size_t plus[] = {0, 1}, minus[] = {2};
    static const struct ogid_split_identity id = {plus, 2, minus, 1};
    struct ogid_split_row rows[3] = {{2, a, NULL}, {1, b, b_known}, {1, t, NULL}};
    unsigned char al0[2], al1[1], al2[1], *alive[3] = {al0, al1, al2};
    int solved;

    (void)state;
    /* Column 0 unusable; column 1: 9 + 0 ≠ 1 but 1 + 0 = 1; so still decided. */
    assert_int_equal(ogid_split_joint(rows, 3, 7, &id, 1, 0, alive, &solved), 0);
    assert_int_equal(solved, 1);
    assert_int_equal(al0[0], 0);
    assert_int_equal(al0[1], 1);
}

/* Identities that no assignment satisfies decide nothing; nor does a
 * search stopped by its cap. */
static void test_split_joint_undecided(void **state)
{
    static const long long a[] = {1, 9, 10, 0, 0, 0, 20, 19, 1, 0, 0, 0, 0, 20};
    static const long long b[] = {60, 0, 0, 0, 0, 0, 60};
    static const long long t[] = {80, 1, 0, 0, 0, 0, 81};
    static const size_t plus[] = {0, 1}, minus[] = {2};
    static const struct ogid_split_identity id = {plus, 2, minus, 1};
    struct ogid_split_row rows[3] = {{2, a, NULL}, {1, b, NULL}, {1, t, NULL}};
    unsigned char al0[2], al1[1], al2[1], *alive[3] = {al0, al1, al2};
    int solved;

    (void)state;
    assert_int_equal(ogid_split_joint(rows, 3, 7, &id, 1, 0, alive, &solved), 0);
    assert_int_equal(solved, 0);
    assert_int_equal(al0[0], 1);
    assert_int_equal(al0[1], 1);
    rows[1].cand = (const long long[]){61, 0, 0, 0, 0, 0, 61};
    assert_int_equal(ogid_split_joint(rows, 3, 7, &id, 1, 1, alive, &solved), 0);
    assert_int_equal(solved, -1);
    assert_int_equal(al0[0], 1);
    assert_int_equal(al0[1], 1);
    /* Both candidates fit: both stay, the search finished. */
    rows[1].cand = (const long long[]){61, 0, 0, 0, 0, 0, 61};
    rows[2].known = (const unsigned char[]){0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(ogid_split_joint(rows, 3, 7, &id, 1, 0, alive, &solved), 0);
    assert_int_equal(solved, 1);
    assert_int_equal(al0[0], 1);
    assert_int_equal(al0[1], 1);
}

/* Random strings: the search ends, and every candidate it gives reads back
 * to the string and satisfies the identity. */
static void test_split_random(void **state)
{
    static unsigned long seed = 12345;
    int round;

    (void)state;
    for (round = 0; round < 2000; round++) {
        char s[40];
        size_t len, i, c, j;
        struct ogid_split_spec spec = row_spec();
        struct ogid_split_result r;

        seed = seed * 6364136223846793005UL + 1442695040888963407UL;
        len = 1 + (seed >> 33) % 30;
        for (i = 0; i < len; i++) {
            seed = seed * 6364136223846793005UL + 1442695040888963407UL;
            s[i] = "0000012345678911 "[(seed >> 33) % 17];
        }
        s[len] = '\0';
        if (ogid_split(s, &spec, &r) != 0)
            continue;
        for (c = 0; c < r.n; c++) {
            long long sum = 0;
            char back[80];
            size_t o = 0;

            for (j = 0; j < 7; j++) {
                memcpy(back + o, s + r.start[c * 7 + j], r.len[c * 7 + j]);
                o += r.len[c * 7 + j];
                if (j < 6)
                    sum += r.vals[c * 7 + j].i;
            }
            back[o] = '\0';
            assert_int_equal(sum, r.vals[c * 7 + 6].i);
            /* The pieces cover the digits in order. */
            for (i = 0, j = 0; s[i]; i++)
                if (s[i] != ' ')
                    assert_int_equal(s[i], back[j++]);
            assert_int_equal(j, o);
        }
        ogid_split_result_free(&r);
    }
}

/* Prose-stated values choose among the candidates of "8855698" (15 splits,
 * no identity): the one holding the most stated values, if it alone does. */
static void test_split_prefer(void **state)
{
    struct ogid_split_spec spec = {.n_values = 3};
    struct ogid_split_result r;
    struct ogid_split_stated st[3];
    size_t c, best, tied;
    long long want[3] = {88, 55, 698};
    int j;

    (void)state;
    memset(st, 0, sizeof(st));
    for (j = 0; j < 3; j++) {
        st[j].v.kind = OGID_VALUE_NUMBER;
        st[j].v.is_int = 1;
    }
    assert_int_equal(ogid_split("8855698", &spec, &r), 0);
    assert_int_equal(r.n, 15);
    /* Confirmed: issued 88 and in_force 698 leave 88 55 698 alone. */
    st[0].col = 0, st[0].v.i = 88;
    st[1].col = 2, st[1].v.i = 698;
    c = ogid_split_prefer(&r, st, 2, &best, &tied);
    assert_int_not_equal(c, SIZE_MAX);
    assert_int_equal(best, 2);
    assert_int_equal(tied, 1);
    for (j = 0; j < 3; j++)
        assert_int_equal(r.vals[c * 3 + (size_t)j].i, want[j]);
    /* Undecided: issued 88 alone fits four splits equally. */
    c = ogid_split_prefer(&r, st, 1, &best, &tied);
    assert_int_equal(c, SIZE_MAX);
    assert_int_equal(best, 1);
    assert_int_equal(tied, 4);
    /* Nothing stated, or nothing held: no choice. */
    assert_int_equal(ogid_split_prefer(&r, st, 0, &best, &tied), SIZE_MAX);
    assert_int_equal(best, 0);
    st[2].col = 7, st[2].v.i = 88; /* a column out of range is never held */
    assert_int_equal(ogid_split_prefer(&r, &st[2], 1, &best, &tied), SIZE_MAX);
    assert_int_equal(best, 0);
    /* Disagreeing on one cell: in_force 700 is in no split, but issued 88
     * and repealed 55 pick 88 55 698. */
    st[1].col = 1, st[1].v.i = 55;
    st[2].col = 2, st[2].v.i = 700;
    c = ogid_split_prefer(&r, st, 3, &best, &tied);
    assert_int_not_equal(c, SIZE_MAX);
    assert_int_equal(best, 2);
    for (j = 0; j < 3; j++)
        assert_int_equal(r.vals[c * 3 + (size_t)j].i, want[j]);
    ogid_split_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_pingtan_rows),
        cmocka_unit_test(test_split_two_candidates),
        cmocka_unit_test(test_split_structure_only),
        cmocka_unit_test(test_split_separators),
        cmocka_unit_test(test_split_decimals_and_signs),
        cmocka_unit_test(test_split_refuses_bad_input),
        cmocka_unit_test(test_split_caps),
        cmocka_unit_test(test_split_appeals),
        cmocka_unit_test(test_split_joint_decides),
        cmocka_unit_test(test_split_joint_unknown_cells),
        cmocka_unit_test(test_split_joint_undecided),
        cmocka_unit_test(test_split_random),
        cmocka_unit_test(test_split_prefer),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
