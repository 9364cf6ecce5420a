/* Form definitions: what one version of the official report format looks
 * like, loaded from the YAML files of rules/forms (see the comment at the top of
 * rules/forms/2021.yaml for the file's keys). The recogniser reads these
 * structures and nothing else about the format, so a local variant of the
 * form is a new YAML file, not new C.
 *
 * Every label is kept twice: as written in the YAML (text) and in the
 * matching spelling of ogid_norm (norm), computed once at load time. */
#ifndef OGID_FORM_H
#define OGID_FORM_H

#include <stddef.h>
#include <stdint.h>

/* A label and its known variants; text[0] is the official label. */
struct ogid_labels {
    char **text;
    char **norm;
    size_t n;
};

/* A column (or a result/group of table 四): a model key and its labels. */
struct ogid_form_col {
    char *key;
    struct ogid_labels labels;
    int money; /* the value is an amount of money (may be a real) */
    /* Words that, in the report's prose, say a number is this column's
     * (制发, 废止 ...): `prose:` in the YAML, empty where not given. */
    struct ogid_labels prose;
};

/* A row. key is NULL for a heading row, one that carries no numbers of its
 * own (the merged group labels of table 三) and only helps place the rows
 * after it. */
struct ogid_form_row {
    char *key;
    struct ogid_labels labels;
    /* Words that name this row in the report's prose (规范性文件): `prose:`
     * in the YAML, empty where not given. */
    struct ogid_labels prose;
};

/* One block of table 二: a 第二十条 item with its own columns and rows. */
struct ogid_form_block {
    struct ogid_labels labels;
    struct ogid_form_col *cols;
    size_t n_cols;
    struct ogid_form_row *rows;
    size_t n_rows;
    int optional; /* absent from many reports; no note when missing */
};

/* A section: its number (一 = 1) and the key words one of which its title
 * must contain. */
struct ogid_form_section {
    int no;
    char *title;
    struct ogid_labels keywords;
};

/* An identity a correct table satisfies: the values under the keys of
 * `sum` add up to the values under the keys of `equals` (contrib/docs/DOMAIN.md §4,
 * §5). The keys are all columns of the table (it then holds in every row),
 * or all rows (in every column); for table 四 all results (in every group)
 * or all groups (for every result). plus and minus are indices into those
 * lists, resolved when the file is loaded. The recogniser uses identities to
 * split numbers that arrive run together, never to change a number. */
enum { OGID_IDENTITY_IN_ROWS = 1, OGID_IDENTITY_IN_COLUMNS = 2 };

struct ogid_form_identity {
    int in; /* OGID_IDENTITY_IN_ROWS: over column keys; _IN_COLUMNS: over row keys */
    size_t *plus, n_plus;
    size_t *minus, n_minus;
    /* As written, for resolving and for messages. */
    char **sum, **equals;
    size_t n_sum, n_equals;
    unsigned long line, column;
};

struct ogid_form_active {
    int section;
    struct ogid_labels headers; /* header cells that carry no numbers */
    struct ogid_form_block *blocks;
    size_t n_blocks;
};

struct ogid_form_requests {
    int section;
    struct ogid_labels headers;
    struct ogid_form_col *cols;
    size_t n_cols;
    struct ogid_form_row *rows;
    size_t n_rows;
    struct ogid_form_identity *identities;
    size_t n_identities;
};

/* In table 四 the groups play the rows and the results the columns. */
struct ogid_form_appeals {
    int section;
    struct ogid_labels headers;
    struct ogid_form_col *groups;
    size_t n_groups;
    struct ogid_form_col *results;
    size_t n_results;
    struct ogid_form_identity *identities;
    size_t n_identities;
};

struct ogid_form {
    char *id;                      /* "2021", "2019"... as meta.form */
    char *file;                    /* the YAML file it came from */
    char *basis;                   /* the document that set the format */
    struct ogid_labels signatures; /* texts only this form's tables have */
    struct ogid_form_section *sections;
    size_t n_sections;
    struct ogid_form_active active;
    struct ogid_form_requests requests;
    struct ogid_form_appeals appeals;
};

struct ogid_forms {
    struct ogid_form *forms; /* in file-name order */
    size_t n;
};

/* Returns a new string: `s` in the spelling labels are compared in. White
 * space and punctuation (ASCII and CJK, full- or half-width) are dropped,
 * full-width letters and digits become ASCII, ASCII letters become lower
 * case; everything else (Han characters, digits, 〇) is kept. NULL when out
 * of memory. Any thread. */
char *ogid_norm(const char *s);

/* ogid_norm of s[0..n) (up to a NUL), and where map is not NULL, *map gets
 * a new array of strlen(result) + 1 offsets: map[k] is the offset in s of
 * the code point that gave byte k of the result, map[strlen(result)] the
 * offset after the last code point read. The caller frees both. NULL when
 * out of memory. Any thread. */
char *ogid_norm_map(const char *s, size_t n, size_t **map);

/* Decodes the code point at s (which must not be at its NUL); *len gets
 * its length. A bad byte decodes as U+FFFD with length 1. */
uint32_t ogid_utf8_decode(const unsigned char *s, size_t *len);

/* Does normalised text `norm` match one of the labels: equal to one, or
 * (where `prefix` is set) starting with one? Returns 2 for equality, 1 for a
 * prefix match, 0 for none. */
int ogid_labels_match(const struct ogid_labels *l, const char *norm, int prefix);

/* ---- Reading the text of a report ----------------------------------- */

/* Length of the white space at s (ASCII, U+00A0, U+3000, U+FEFF), or 0. */
size_t ogid_space_len(const char *s);

/* A new copy of s[0..len) without white space at either end; NULL when out
 * of memory. */
char *ogid_trim_dup(const char *s, size_t len);

/* A new copy of s without white space and with full-width ASCII made ASCII,
 * the form page-header labels and dates are read in ("发 布 日 期：2024"
 * becomes "发布日期:2024"); NULL when out of memory. */
char *ogid_compact(const char *s);

/* OGID_VALUE_RUN: digits of several cells run together (set by the
 * recogniser, never by ogid_value_parse). */
enum {
    OGID_VALUE_NONE = 0,
    OGID_VALUE_BLANK = 1,
    OGID_VALUE_NUMBER = 2,
    OGID_VALUE_RUN = 3
};

/* What a table cell holds. */
struct ogid_value {
    int kind;   /* OGID_VALUE_* */
    int is_int; /* the number is whole: i holds it */
    long long i;
    double d; /* the number, whole or not */
};

/* Reads a trimmed cell text: a blank ("", "/", "-", "—", "无" …), a number
 * (optionally signed, thousands commas, decimals, a unit such as 元, 万元 or
 * 件; full-width digits too; a fraction of zeros is whole), or neither. */
void ogid_value_parse(const char *text, struct ogid_value *v);

struct ogid_date {
    int y, m, d;
};

/* Parses a date at the start of compacted text s: 2024-01-22, 2024/01/22,
 * 2024.1.22, 2024年1月22日, or where year_from is not 0 also "12月31日" in
 * that year (the second end of a period). Checks the calendar. Returns the
 * bytes read, 0 when there is no date. */
size_t ogid_date_parse(const char *s, struct ogid_date *t, int year_from);

/* The first year in t written "2023年" (ASCII digits) or "二〇二三年",
 * 1980-2100; *at and *after get the byte offsets of its start and of the
 * byte after 年. Returns the year, or 0. */
int ogid_title_year(const char *t, size_t *at, size_t *after);

#endif
