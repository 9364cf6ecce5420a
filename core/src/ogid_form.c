/* Loads the form definitions (the YAML files of rules/forms) through
 * libyaml's document API and checks them against a fixed schema: an unknown
 * key, a missing one or a value of the wrong kind is an error reported as
 * FILE:LINE:COLUMN.
 *
 * Also the vocabulary in which the text of a form is read, shared by the
 * loader and the recogniser: the spelling labels are compared in (ogid_norm),
 * so that a label in a YAML file and the same label in a report always meet
 * in one form, and the reading of cell values, dates and years.
 *
 * The walk follows the schema, never the document's own shape, so YAML
 * aliases (which may form cycles) cannot make it recurse or loop. */
#include "ogid_form.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "ogid/ogid_error.h"
#include "ogid_recognise.h"

/* No list in a form needs more; a longer one is a mistake. */
#define MAX_ITEMS 1000

struct loader {
    const char *file;
    yaml_document_t doc;
    char *err;
    size_t errlen;
};

/* ---- Matching spelling ------------------------------------------------ */

uint32_t ogid_utf8_decode(const unsigned char *s, size_t *len)
{
    uint32_t cp;
    size_t n, i;

    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        n = 2;
        cp = s[0] & 0x1F;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        n = 3;
        cp = s[0] & 0x0F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        n = 4;
        cp = s[0] & 0x07;
    } else {
        *len = 1;
        return 0xFFFD;
    }
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *len = 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *len = n;
    return cp;
}

static size_t encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Is code point cp white space or punctuation, which matching ignores? */
static int ignorable(uint32_t cp)
{
    if (cp < 0x80)
        return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
                 (cp >= 'A' && cp <= 'Z'));
    if (cp == 0x3007) /* 〇, a digit in dates and titles */
        return 0;
    return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
           (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x2190 && cp <= 0x21FF) ||
           (cp >= 0x2500 && cp <= 0x25FF) || (cp >= 0x3000 && cp <= 0x303F) ||
           (cp >= 0xFE10 && cp <= 0xFE1F) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
           cp == 0xFEFF || (cp >= 0xFF5F && cp <= 0xFF65) || cp == 0xFFFD;
}

char *ogid_norm_map(const char *s, size_t n, size_t **map)
{
    const unsigned char *p = (const unsigned char *)(s ? s : ""), *end = p + n;
    size_t o = 0, k;
    char *out = malloc(n + 1);
    size_t *m = map ? malloc((n + 1) * sizeof(*m)) : NULL;

    if (out == NULL || (map != NULL && m == NULL)) {
        free(out);
        free(m);
        return NULL;
    }
    while (p < end && *p) {
        size_t len;
        const unsigned char *at = p;
        uint32_t cp = ogid_utf8_decode(p, &len);

        if (len > (size_t)(end - p))
            len = (size_t)(end - p);
        p += len;
        if (cp >= 0xFF01 && cp <= 0xFF5E)
            cp -= 0xFEE0; /* full-width ASCII */
        if (ignorable(cp))
            continue;
        if (cp >= 'A' && cp <= 'Z')
            cp += 'a' - 'A';
        /* A code point never grows when re-encoded (full-width ones shrink). */
        k = encode(cp, out + o);
        if (m != NULL)
            while (k-- > 0)
                m[o++] = (size_t)(at - (const unsigned char *)s);
        else
            o += k;
    }
    out[o] = '\0';
    if (m != NULL)
        m[o] = (size_t)(p - (const unsigned char *)s);
    if (map != NULL)
        *map = m;
    return out;
}

char *ogid_norm(const char *s)
{
    return ogid_norm_map(s, s ? strlen(s) : 0, NULL);
}

int ogid_labels_match(const struct ogid_labels *l, const char *norm, int prefix)
{
    int best = 0;
    size_t i;

    if (l == NULL || norm == NULL || norm[0] == '\0')
        return 0;
    for (i = 0; i < l->n; i++) {
        size_t k = strlen(l->norm[i]);

        if (k == 0)
            continue;
        if (strcmp(norm, l->norm[i]) == 0)
            return 2;
        if (prefix && strncmp(norm, l->norm[i], k) == 0)
            best = 1;
    }
    return best;
}

/* ---- Reading the text of a report ----------------------------------- */

size_t ogid_space_len(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    if (*u == ' ' || *u == '\t' || *u == '\r' || *u == '\n' || *u == '\f' || *u == '\v')
        return 1;
    if (u[0] == 0xC2 && u[1] == 0xA0)
        return 2;
    if (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80)
        return 3;
    if (u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        return 3;
    return 0;
}

char *ogid_trim_dup(const char *s, size_t len)
{
    const char *e = s + len;
    size_t k;
    char *out;

    while (s < e && (k = ogid_space_len(s)) != 0 && s + k <= e)
        s += k;
    for (;;) {
        if (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
            e--;
        else if (e - s >= 2 && (unsigned char)e[-2] == 0xC2 && (unsigned char)e[-1] == 0xA0)
            e -= 2;
        else if (e - s >= 3 && (unsigned char)e[-3] == 0xE3 &&
                 (unsigned char)e[-2] == 0x80 && (unsigned char)e[-1] == 0x80)
            e -= 3;
        else
            break;
    }
    out = malloc((size_t)(e - s) + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, s, (size_t)(e - s));
    out[e - s] = '\0';
    return out;
}

char *ogid_compact(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0, len, k;
    char *out = malloc(strlen(s) + 1);

    if (out == NULL)
        return NULL;
    while (*p) {
        uint32_t cp;

        if ((k = ogid_space_len((const char *)p)) != 0) {
            p += k;
            continue;
        }
        cp = ogid_utf8_decode(p, &len);
        if (cp >= 0xFF01 && cp <= 0xFF5E) {
            out[o++] = (char)(cp - 0xFEE0);
        } else {
            memcpy(out + o, p, len);
            o += len;
        }
        p += len;
    }
    out[o] = '\0';
    return out;
}

static int is_blank_marker(const char *s)
{
    static const char *const marks[] = {"",   "/", "／", "-",  "－", "—",  "——", "–",
                                        "--", "─", "无", "\\", "＼", "空", "—/—"};
    size_t i;

    for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
        if (strcmp(s, marks[i]) == 0)
            return 1;
    return 0;
}

void ogid_value_parse(const char *text, struct ogid_value *v)
{
    static const char *const units[] = {"",   "元", "万元", "件",   "个",
                                        "项", "条", "次",   "人次", "家"};
    const unsigned char *p = (const unsigned char *)text;
    char buf[64], digits[64];
    size_t o = 0, d = 0, i, len, int_digits = 0, frac_digits = 0;
    int neg = 0, frac_nonzero = 0;
    const char *q;

    memset(v, 0, sizeof(*v));
    if (is_blank_marker(text)) {
        v->kind = OGID_VALUE_BLANK;
        return;
    }
    /* Full-width digits and signs as ASCII. */
    while (*p) {
        uint32_t cp = ogid_utf8_decode(p, &len);

        if (o + len + 1 >= sizeof(buf))
            return;
        if (cp >= 0xFF10 && cp <= 0xFF19)
            buf[o++] = (char)('0' + (cp - 0xFF10));
        else if (cp == 0xFF0B || cp == 0xFF0D || cp == 0xFF0E || cp == 0xFF0C)
            buf[o++] = (char)(cp - 0xFEE0);
        else {
            memcpy(buf + o, p, len);
            o += len;
        }
        p += len;
    }
    buf[o] = '\0';
    q = buf;
    if (*q == '+' || *q == '-') {
        neg = *q == '-';
        q++;
    }
    while ((*q >= '0' && *q <= '9') || *q == ',') {
        if (*q == ',') {
            /* A thousands separator: digits before, exactly three after. */
            if (int_digits == 0 ||
                !(q[1] >= '0' && q[1] <= '9' && q[2] >= '0' && q[2] <= '9' && q[3] >= '0' &&
                  q[3] <= '9') ||
                (q[4] >= '0' && q[4] <= '9'))
                return;
        } else {
            digits[d++] = *q;
            int_digits++;
        }
        q++;
    }
    if (int_digits == 0 || int_digits > 18)
        return;
    if (*q == '.') {
        digits[d++] = *q++;
        while (*q >= '0' && *q <= '9' && d < sizeof(digits) - 1) {
            frac_nonzero |= *q != '0';
            digits[d++] = *q++;
            frac_digits++;
        }
        if (frac_digits == 0)
            return;
    }
    digits[d] = '\0';
    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strcmp(q, units[i]) == 0)
            break;
    if (i == sizeof(units) / sizeof(units[0]))
        return;
    v->kind = OGID_VALUE_NUMBER;
    if (!frac_nonzero) {
        long long n = 0;

        for (i = 0; i < int_digits; i++)
            n = n * 10 + (digits[i] - '0');
        v->is_int = 1;
        v->i = neg ? -n : n;
        v->d = (double)v->i;
    } else {
        v->d = strtod(digits, NULL);
        if (neg)
            v->d = -v->d;
    }
}

static int valid_date(const struct ogid_date *t)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (t->y % 4 == 0 && t->y % 100 != 0) || t->y % 400 == 0;

    return t->y >= 1980 && t->y <= 2100 && t->m >= 1 && t->m <= 12 && t->d >= 1 &&
           t->d <= days[t->m - 1] + (t->m == 2 && leap);
}

static size_t digits_at(const char *s, size_t max, int *v)
{
    size_t n = 0;

    *v = 0;
    while (n < max && s[n] >= '0' && s[n] <= '9') {
        *v = *v * 10 + (s[n] - '0');
        n++;
    }
    return n;
}

size_t ogid_date_parse(const char *s, struct ogid_date *t, int year_from)
{
    const char *p = s;
    size_t k;
    char sep = 0;

    if ((k = digits_at(p, 5, &t->y)) == 4 && !(p[4] >= '0' && p[4] <= '9')) {
        p += 4;
        if (*p == '-' || *p == '/' || *p == '.')
            sep = *p++;
        else if (strncmp(p, "年", 3) == 0)
            p += 3;
        else
            return 0;
    } else if (year_from) {
        t->y = year_from;
        k = 0;
    } else {
        return 0;
    }
    if ((k = digits_at(p, 2, &t->m)) == 0)
        return 0;
    p += k;
    if (sep != 0 && *p == sep)
        p++;
    else if (sep == 0 && strncmp(p, "月", 3) == 0)
        p += 3;
    else
        return 0;
    if ((k = digits_at(p, 2, &t->d)) == 0)
        return 0;
    p += k;
    if (sep == 0 && strncmp(p, "日", 3) == 0)
        p += 3;
    return valid_date(t) ? (size_t)(p - s) : 0;
}

int ogid_title_year(const char *t, size_t *at, size_t *after)
{
    static const char *const cn[] = {"〇", "一", "二", "三", "四",
                                     "五", "六", "七", "八", "九"};
    const char *p;
    size_t i, k, d;
    int y;

    for (p = t; *p; p++) {
        if ((p == t || !(p[-1] >= '0' && p[-1] <= '9')) && digits_at(p, 5, &y) == 4 &&
            strncmp(p + 4, "年", 3) == 0 && y >= 1980 && y <= 2100) {
            *at = (size_t)(p - t);
            *after = *at + 7;
            return y;
        }
    }
    for (p = t; *p; p++) {
        const char *q = p;

        y = 0;
        for (d = 0; d < 4; d++) {
            for (i = 0; i < 10; i++) {
                k = strlen(cn[i]);
                if (strncmp(q, cn[i], k) == 0)
                    break;
            }
            if (i == 10 && strncmp(q, "零", 3) == 0) {
                i = 0;
                k = 3;
            }
            if (i == 10)
                break;
            y = y * 10 + (int)i;
            q += k;
        }
        if (d == 4 && strncmp(q, "年", 3) == 0 && y >= 1980 && y <= 2100) {
            *at = (size_t)(p - t);
            *after = (size_t)(q - t) + 3;
            return y;
        }
    }
    return 0;
}

/* ---- Freeing ---------------------------------------------------------- */

static void labels_free(struct ogid_labels *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        free(l->text[i]);
        free(l->norm[i]);
    }
    free(l->text);
    free(l->norm);
    memset(l, 0, sizeof(*l));
}

static void cols_free(struct ogid_form_col *c, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(c[i].key);
        labels_free(&c[i].labels);
        labels_free(&c[i].prose);
    }
    free(c);
}

static void rows_free(struct ogid_form_row *r, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(r[i].key);
        labels_free(&r[i].labels);
        labels_free(&r[i].prose);
    }
    free(r);
}

static void keys_free(char **k, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(k[i]);
    free(k);
}

static void identities_free(struct ogid_form_identity *id, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(id[i].plus);
        free(id[i].minus);
        keys_free(id[i].sum, id[i].n_sum);
        keys_free(id[i].equals, id[i].n_equals);
    }
    free(id);
}

static void form_clear(struct ogid_form *f)
{
    size_t i;

    free(f->id);
    free(f->file);
    free(f->basis);
    labels_free(&f->signatures);
    for (i = 0; i < f->n_sections; i++) {
        free(f->sections[i].title);
        labels_free(&f->sections[i].keywords);
    }
    free(f->sections);
    labels_free(&f->active.headers);
    for (i = 0; i < f->active.n_blocks; i++) {
        struct ogid_form_block *b = &f->active.blocks[i];

        labels_free(&b->labels);
        cols_free(b->cols, b->n_cols);
        rows_free(b->rows, b->n_rows);
    }
    free(f->active.blocks);
    labels_free(&f->requests.headers);
    cols_free(f->requests.cols, f->requests.n_cols);
    rows_free(f->requests.rows, f->requests.n_rows);
    identities_free(f->requests.identities, f->requests.n_identities);
    labels_free(&f->appeals.headers);
    cols_free(f->appeals.groups, f->appeals.n_groups);
    cols_free(f->appeals.results, f->appeals.n_results);
    identities_free(f->appeals.identities, f->appeals.n_identities);
    memset(f, 0, sizeof(*f));
}

void ogid_forms_free(struct ogid_forms *forms)
{
    size_t i;

    if (forms == NULL)
        return;
    for (i = 0; i < forms->n; i++)
        form_clear(&forms->forms[i]);
    free(forms->forms);
    free(forms);
}

/* ---- Schema walk ------------------------------------------------------ */

__attribute__((format(printf, 3, 4))) static int
fail_at(struct loader *ld, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (ld->err != NULL && ld->errlen > 0)
        snprintf(ld->err, ld->errlen, "%s:%lu:%lu: %s", ld->file,
                 n ? (unsigned long)n->start_mark.line + 1 : 1UL,
                 n ? (unsigned long)n->start_mark.column + 1 : 1UL, msg);
    return OGID_ECONFIG;
}

static yaml_node_t *node_at(struct loader *ld, int id)
{
    return yaml_document_get_node(&ld->doc, id);
}

static int expect(struct loader *ld, const yaml_node_t *n, yaml_node_type_t type,
                  const char *what)
{
    static const char *names[] = {"nothing", "a scalar", "a list", "a mapping"};

    if (n == NULL)
        return fail_at(ld, n, "%s: missing value", what);
    if (n->type != type)
        return fail_at(ld, n, "%s: expected %s, found %s", what,
                       names[type <= YAML_MAPPING_NODE ? type : 0],
                       names[n->type <= YAML_MAPPING_NODE ? n->type : 0]);
    return 0;
}

static int get_string(struct loader *ld, const yaml_node_t *n, const char *what, char **out)
{
    size_t len;
    char *s;
    int rc;

    if ((rc = expect(ld, n, YAML_SCALAR_NODE, what)) != 0)
        return rc;
    len = n->data.scalar.length;
    if (memchr(n->data.scalar.value, '\0', len) != NULL)
        return fail_at(ld, n, "%s: NUL byte in string", what);
    s = malloc(len + 1);
    if (s == NULL)
        return OGID_ENOMEM;
    memcpy(s, n->data.scalar.value, len);
    s[len] = '\0';
    free(*out);
    *out = s;
    return 0;
}

static int get_int(struct loader *ld, const yaml_node_t *n, const char *what, int lo,
                   int hi, int *out)
{
    char *s = NULL, *end;
    long v;
    int rc;

    if ((rc = get_string(ld, n, what, &s)) != 0)
        return rc;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
        free(s);
        return fail_at(ld, n, "%s: expected a whole number from %d to %d", what, lo, hi);
    }
    free(s);
    *out = (int)v;
    return 0;
}

static int get_bool(struct loader *ld, const yaml_node_t *n, const char *what, int *out)
{
    char *s = NULL;
    int rc;

    if ((rc = get_string(ld, n, what, &s)) != 0)
        return rc;
    if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)
        *out = 1;
    else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0)
        *out = 0;
    else
        rc = fail_at(ld, n, "%s: expected true or false", what);
    free(s);
    return rc;
}

static int labels_add(struct ogid_labels *l, const char *text)
{
    char **t, **m, *a, *b;

    if (l->n >= MAX_ITEMS)
        return OGID_ECONFIG;
    a = strdup(text);
    b = ogid_norm(text);
    t = realloc(l->text, (l->n + 1) * sizeof(*t));
    if (t != NULL)
        l->text = t;
    m = realloc(l->norm, (l->n + 1) * sizeof(*m));
    if (m != NULL)
        l->norm = m;
    if (a == NULL || b == NULL || t == NULL || m == NULL) {
        free(a);
        free(b);
        return OGID_ENOMEM;
    }
    l->text[l->n] = a;
    l->norm[l->n] = b;
    l->n++;
    return 0;
}

/* A scalar or a list of scalars, appended to l. */
static int get_labels(struct loader *ld, const yaml_node_t *n, const char *what,
                      struct ogid_labels *l)
{
    yaml_node_item_t *it;
    char *s = NULL;
    int rc;

    if (n != NULL && n->type == YAML_SCALAR_NODE) {
        if ((rc = get_string(ld, n, what, &s)) == 0) {
            rc = labels_add(l, s);
            if (rc == OGID_ECONFIG)
                rc = fail_at(ld, n, "%s: too many labels", what);
        }
        free(s);
        return rc;
    }
    if ((rc = expect(ld, n, YAML_SEQUENCE_NODE, what)) != 0)
        return rc;
    for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        const yaml_node_t *e = node_at(ld, *it);

        if ((rc = get_string(ld, e, what, &s)) != 0)
            break;
        rc = labels_add(l, s);
        if (rc == OGID_ECONFIG)
            rc = fail_at(ld, e, "%s: too many labels", what);
        if (rc != 0)
            break;
    }
    free(s);
    return rc;
}

/* The items of a list node, checked for length. */
static int get_list(struct loader *ld, const yaml_node_t *n, const char *what,
                    size_t *count)
{
    int rc;

    if ((rc = expect(ld, n, YAML_SEQUENCE_NODE, what)) != 0)
        return rc;
    *count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (*count > MAX_ITEMS)
        return fail_at(ld, n, "%s: more than %d items", what, MAX_ITEMS);
    return 0;
}

/* Calls `one` for each key of mapping n; `one` returns 1 for an unknown key. */
typedef int (*pair_fn)(struct loader *ld, const char *key, const yaml_node_t *value,
                       void *obj);

static int each_pair(struct loader *ld, const yaml_node_t *n, const char *what, pair_fn one,
                     void *obj)
{
    yaml_node_pair_t *p;
    int rc;

    if ((rc = expect(ld, n, YAML_MAPPING_NODE, what)) != 0)
        return rc;
    for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = node_at(ld, p->key), *v = node_at(ld, p->value);
        char *key = NULL;

        if ((rc = get_string(ld, k, "key", &key)) != 0)
            return rc;
        rc = one(ld, key, v, obj);
        if (rc == 1)
            rc = fail_at(ld, k, "%s: unknown key \"%s\"", what, key);
        free(key);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* `prose:` keywords, a word or a list of words, none of them empty or
 * holding white space or punctuation (they are looked for in the report's
 * text as written). */
static int get_prose(struct loader *ld, const yaml_node_t *n, struct ogid_labels *l)
{
    size_t before = l->n, i;
    int rc;

    if ((rc = get_labels(ld, n, "prose", l)) != 0)
        return rc;
    if (l->n == before)
        return fail_at(ld, n, "prose: the list is empty");
    for (i = before; i < l->n; i++)
        if (l->text[i][0] == '\0' || strcmp(l->text[i], l->norm[i]) != 0)
            return fail_at(ld, n,
                           "prose: \"%s\" is empty or holds white space or "
                           "punctuation",
                           l->text[i]);
    return 0;
}

/* A column, result or group: key, label, variants, money, prose. */
static int col_pair(struct loader *ld, const char *key, const yaml_node_t *v, void *obj)
{
    struct ogid_form_col *c = obj;

    if (strcmp(key, "key") == 0)
        return get_string(ld, v, "key", &c->key);
    if (strcmp(key, "label") == 0 || strcmp(key, "variants") == 0)
        return get_labels(ld, v, key, &c->labels);
    if (strcmp(key, "money") == 0)
        return get_bool(ld, v, "money", &c->money);
    if (strcmp(key, "prose") == 0)
        return get_prose(ld, v, &c->prose);
    return 1;
}

static int row_pair(struct loader *ld, const char *key, const yaml_node_t *v, void *obj)
{
    struct ogid_form_row *r = obj;

    if (strcmp(key, "key") == 0)
        return get_string(ld, v, "key", &r->key);
    if (strcmp(key, "label") == 0 || strcmp(key, "variants") == 0)
        return get_labels(ld, v, key, &r->labels);
    if (strcmp(key, "prose") == 0)
        return get_prose(ld, v, &r->prose);
    return 1;
}

static int get_cols(struct loader *ld, const yaml_node_t *n, const char *what,
                    struct ogid_form_col **out, size_t *n_out)
{
    size_t count, i;
    int rc;

    if ((rc = get_list(ld, n, what, &count)) != 0)
        return rc;
    if (count == 0)
        return fail_at(ld, n, "%s: the list is empty", what);
    *out = calloc(count, sizeof(**out));
    if (*out == NULL)
        return OGID_ENOMEM;
    *n_out = count;
    for (i = 0; i < count; i++) {
        const yaml_node_t *e = node_at(ld, n->data.sequence.items.start[i]);

        if ((rc = each_pair(ld, e, what, col_pair, &(*out)[i])) != 0)
            return rc;
        if ((*out)[i].key == NULL || (*out)[i].key[0] == '\0')
            return fail_at(ld, e, "%s: every item needs a key", what);
        if ((*out)[i].labels.n == 0)
            return fail_at(ld, e, "%s: every item needs a label", what);
    }
    return 0;
}

static int get_rows(struct loader *ld, const yaml_node_t *n, const char *what,
                    struct ogid_form_row **out, size_t *n_out)
{
    size_t count, i;
    int rc;

    if ((rc = get_list(ld, n, what, &count)) != 0)
        return rc;
    if (count == 0)
        return fail_at(ld, n, "%s: the list is empty", what);
    *out = calloc(count, sizeof(**out));
    if (*out == NULL)
        return OGID_ENOMEM;
    *n_out = count;
    for (i = 0; i < count; i++) {
        const yaml_node_t *e = node_at(ld, n->data.sequence.items.start[i]);

        if ((rc = each_pair(ld, e, what, row_pair, &(*out)[i])) != 0)
            return rc;
        if ((*out)[i].labels.n == 0)
            return fail_at(ld, e, "%s: every row needs a label", what);
        if ((*out)[i].key != NULL && (*out)[i].key[0] == '\0')
            return fail_at(ld, e, "%s: empty key", what);
    }
    return 0;
}

static int block_pair(struct loader *ld, const char *key, const yaml_node_t *v, void *obj)
{
    struct ogid_form_block *b = obj;

    if (strcmp(key, "label") == 0 || strcmp(key, "variants") == 0)
        return get_labels(ld, v, key, &b->labels);
    if (strcmp(key, "optional") == 0)
        return get_bool(ld, v, "optional", &b->optional);
    if (strcmp(key, "columns") == 0)
        return get_cols(ld, v, "columns", &b->cols, &b->n_cols);
    if (strcmp(key, "rows") == 0)
        return get_rows(ld, v, "rows", &b->rows, &b->n_rows);
    return 1;
}

static int active_pair(struct loader *ld, const char *key, const yaml_node_t *v, void *obj)
{
    struct ogid_form_active *a = obj;
    size_t count, i;
    int rc;

    if (strcmp(key, "section") == 0)
        return get_int(ld, v, "section", 1, 99, &a->section);
    if (strcmp(key, "headers") == 0)
        return get_labels(ld, v, "headers", &a->headers);
    if (strcmp(key, "blocks") != 0)
        return 1;
    if ((rc = get_list(ld, v, "blocks", &count)) != 0)
        return rc;
    a->blocks = calloc(count ? count : 1, sizeof(*a->blocks));
    if (a->blocks == NULL)
        return OGID_ENOMEM;
    a->n_blocks = count;
    for (i = 0; i < count; i++) {
        const yaml_node_t *e = node_at(ld, v->data.sequence.items.start[i]);

        if ((rc = each_pair(ld, e, "block", block_pair, &a->blocks[i])) != 0)
            return rc;
        if (a->blocks[i].n_cols == 0 || a->blocks[i].n_rows == 0)
            return fail_at(ld, e, "block: needs columns and rows");
    }
    return 0;
}

/* A list of keys (scalars). */
static int get_keys(struct loader *ld, const yaml_node_t *n, const char *what, char ***out,
                    size_t *n_out)
{
    size_t count, i;
    int rc;

    if ((rc = get_list(ld, n, what, &count)) != 0)
        return rc;
    if (count == 0)
        return fail_at(ld, n, "%s: the list is empty", what);
    keys_free(*out, *n_out);
    *n_out = 0;
    *out = calloc(count, sizeof(**out));
    if (*out == NULL)
        return OGID_ENOMEM;
    for (i = 0; i < count; i++) {
        if ((rc = get_string(ld, node_at(ld, n->data.sequence.items.start[i]), what,
                             &(*out)[i])) != 0)
            return rc;
        *n_out = i + 1;
    }
    return 0;
}

static int identity_pair(struct loader *ld, const char *key, const yaml_node_t *v,
                         void *obj)
{
    struct ogid_form_identity *id = obj;

    if (strcmp(key, "sum") == 0)
        return get_keys(ld, v, "sum", &id->sum, &id->n_sum);
    if (strcmp(key, "equals") == 0)
        return get_keys(ld, v, "equals", &id->equals, &id->n_equals);
    return 1;
}

/* The identities of a table, as written; resolve_identities gives them
 * their indices once the whole table is read. */
static int get_identities(struct loader *ld, const yaml_node_t *n,
                          struct ogid_form_identity **out, size_t *n_out)
{
    size_t count, i;
    int rc;

    if ((rc = get_list(ld, n, "identities", &count)) != 0)
        return rc;
    identities_free(*out, *n_out);
    *n_out = 0;
    *out = calloc(count ? count : 1, sizeof(**out));
    if (*out == NULL)
        return OGID_ENOMEM;
    for (i = 0; i < count; i++) {
        const yaml_node_t *e = node_at(ld, n->data.sequence.items.start[i]);
        struct ogid_form_identity *id = &(*out)[i];

        *n_out = i + 1;
        if ((rc = each_pair(ld, e, "identity", identity_pair, id)) != 0)
            return rc;
        if (id->n_sum == 0 || id->n_equals == 0)
            return fail_at(ld, e, "identity: needs sum and equals");
        id->line = (unsigned long)e->start_mark.line + 1;
        id->column = (unsigned long)e->start_mark.column + 1;
    }
    return 0;
}

static int requests_pair(struct loader *ld, const char *key, const yaml_node_t *v,
                         void *obj)
{
    struct ogid_form_requests *r = obj;

    if (strcmp(key, "section") == 0)
        return get_int(ld, v, "section", 1, 99, &r->section);
    if (strcmp(key, "headers") == 0)
        return get_labels(ld, v, "headers", &r->headers);
    if (strcmp(key, "columns") == 0)
        return get_cols(ld, v, "columns", &r->cols, &r->n_cols);
    if (strcmp(key, "rows") == 0)
        return get_rows(ld, v, "rows", &r->rows, &r->n_rows);
    if (strcmp(key, "identities") == 0)
        return get_identities(ld, v, &r->identities, &r->n_identities);
    return 1;
}

static int appeals_pair(struct loader *ld, const char *key, const yaml_node_t *v, void *obj)
{
    struct ogid_form_appeals *a = obj;

    if (strcmp(key, "section") == 0)
        return get_int(ld, v, "section", 1, 99, &a->section);
    if (strcmp(key, "headers") == 0)
        return get_labels(ld, v, "headers", &a->headers);
    if (strcmp(key, "groups") == 0)
        return get_cols(ld, v, "groups", &a->groups, &a->n_groups);
    if (strcmp(key, "results") == 0)
        return get_cols(ld, v, "results", &a->results, &a->n_results);
    if (strcmp(key, "identities") == 0)
        return get_identities(ld, v, &a->identities, &a->n_identities);
    return 1;
}

/* Where key names one of the columns (or rows), its index; else SIZE_MAX. */
static size_t col_index(const struct ogid_form_col *c, size_t n, const char *key)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(c[i].key, key) == 0)
            return i;
    return SIZE_MAX;
}

static size_t row_index(const struct ogid_form_row *r, size_t n, const char *key)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (r[i].key != NULL && strcmp(r[i].key, key) == 0)
            return i;
    return SIZE_MAX;
}

static int resolve_fail(struct loader *ld, const struct ogid_form_identity *id,
                        const char *table, const char *msg, const char *key)
{
    if (ld->err != NULL && ld->errlen > 0)
        snprintf(ld->err, ld->errlen, "%s:%lu:%lu: %s identity: %s%s%s%s", ld->file,
                 id->line, id->column, table, msg, key ? " \"" : "", key ? key : "",
                 key ? "\"" : "");
    return OGID_ECONFIG;
}

/* Gives each identity of a table its indices: all its keys are columns
 * (in_rows) or all are rows (in_columns) of the table. `cols`/`rows` are
 * column-like lists (for table 四, results and groups). */
static int resolve_identities(struct loader *ld, struct ogid_form_identity *ids, size_t n,
                              const char *table, const struct ogid_form_col *cols,
                              size_t n_cols, const struct ogid_form_row *rows,
                              size_t n_rows, const struct ogid_form_col *groups,
                              size_t n_groups)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        struct ogid_form_identity *id = &ids[i];
        size_t total = id->n_sum + id->n_equals;
        int as_cols = 1, as_rows = 1;

        for (j = 0; j < total; j++) {
            const char *k = j < id->n_sum ? id->sum[j] : id->equals[j - id->n_sum];
            size_t r = rows ? row_index(rows, n_rows, k) : col_index(groups, n_groups, k);

            if (col_index(cols, n_cols, k) == SIZE_MAX)
                as_cols = 0;
            if (r == SIZE_MAX)
                as_rows = 0;
            if (!as_cols && !as_rows)
                return resolve_fail(ld, id, table, "not a key of one kind:", k);
        }
        if (as_cols && as_rows)
            return resolve_fail(ld, id, table, "its keys are rows and columns alike", NULL);
        id->in = as_cols ? OGID_IDENTITY_IN_ROWS : OGID_IDENTITY_IN_COLUMNS;
        id->plus = calloc(id->n_sum, sizeof(*id->plus));
        id->minus = calloc(id->n_equals, sizeof(*id->minus));
        if (id->plus == NULL || id->minus == NULL)
            return OGID_ENOMEM;
        for (j = 0; j < total; j++) {
            const char *k = j < id->n_sum ? id->sum[j] : id->equals[j - id->n_sum];
            size_t x = as_cols ? col_index(cols, n_cols, k)
                       : rows  ? row_index(rows, n_rows, k)
                               : col_index(groups, n_groups, k);
            size_t m;

            /* A key twice would count a value twice. */
            for (m = 0; m < j; m++)
                if (strcmp(k, m < id->n_sum ? id->sum[m] : id->equals[m - id->n_sum]) == 0)
                    return resolve_fail(ld, id, table, "key given twice:", k);
            if (j < id->n_sum)
                id->plus[id->n_plus++] = x;
            else
                id->minus[id->n_minus++] = x;
        }
    }
    return 0;
}

static int section_pair(struct loader *ld, const char *key, const yaml_node_t *v, void *obj)
{
    struct ogid_form_section *s = obj;

    if (strcmp(key, "no") == 0)
        return get_int(ld, v, "no", 1, 99, &s->no);
    if (strcmp(key, "title") == 0)
        return get_string(ld, v, "title", &s->title);
    if (strcmp(key, "keywords") == 0)
        return get_labels(ld, v, "keywords", &s->keywords);
    return 1;
}

static int form_pair(struct loader *ld, const char *key, const yaml_node_t *v, void *obj)
{
    struct ogid_form *f = obj;
    size_t count, i, j;
    int rc;

    if (strcmp(key, "id") == 0)
        return get_string(ld, v, "id", &f->id);
    if (strcmp(key, "basis") == 0)
        return get_string(ld, v, "basis", &f->basis);
    if (strcmp(key, "signatures") == 0)
        return get_labels(ld, v, "signatures", &f->signatures);
    if (strcmp(key, "active") == 0)
        return each_pair(ld, v, "active", active_pair, &f->active);
    if (strcmp(key, "requests") == 0)
        return each_pair(ld, v, "requests", requests_pair, &f->requests);
    if (strcmp(key, "appeals") == 0)
        return each_pair(ld, v, "appeals", appeals_pair, &f->appeals);
    if (strcmp(key, "sections") != 0)
        return 1;
    if ((rc = get_list(ld, v, "sections", &count)) != 0)
        return rc;
    f->sections = calloc(count ? count : 1, sizeof(*f->sections));
    if (f->sections == NULL)
        return OGID_ENOMEM;
    f->n_sections = count;
    for (i = 0; i < count; i++) {
        const yaml_node_t *e = node_at(ld, v->data.sequence.items.start[i]);

        if ((rc = each_pair(ld, e, "section", section_pair, &f->sections[i])) != 0)
            return rc;
        if (f->sections[i].no == 0 || f->sections[i].keywords.n == 0)
            return fail_at(ld, e, "section: needs no and keywords");
        for (j = 0; j < i; j++)
            if (f->sections[j].no == f->sections[i].no)
                return fail_at(ld, e, "section %d given twice", f->sections[i].no);
    }
    return 0;
}

static int load_file(const char *path, struct ogid_form *f, char *errbuf, size_t errlen)
{
    struct loader ld = {.file = path, .err = errbuf, .errlen = errlen};
    yaml_parser_t parser;
    yaml_node_t *root;
    FILE *fp;
    int rc, have_doc = 0;

    fp = fopen(path, "rb");
    if (fp == NULL) {
        if (errbuf != NULL && errlen > 0)
            snprintf(errbuf, errlen, "%s:1:1: cannot open: %s", path, strerror(errno));
        return errno == ENOENT ? OGID_ENOENT : OGID_ECONFIG;
    }
    if (!yaml_parser_initialize(&parser)) {
        fclose(fp);
        return OGID_ENOMEM;
    }
    yaml_parser_set_input_file(&parser, fp);
    if (!yaml_parser_load(&parser, &ld.doc)) {
        if (errbuf != NULL && errlen > 0)
            snprintf(errbuf, errlen, "%s:%lu:%lu: %s%s%s", path,
                     (unsigned long)parser.problem_mark.line + 1,
                     (unsigned long)parser.problem_mark.column + 1,
                     parser.context ? parser.context : "", parser.context ? ": " : "",
                     parser.problem ? parser.problem : "YAML error");
        rc = parser.error == YAML_MEMORY_ERROR ? OGID_ENOMEM : OGID_ECONFIG;
        goto fail;
    }
    have_doc = 1;
    f->file = strdup(path);
    if (f->file == NULL) {
        rc = OGID_ENOMEM;
        goto fail;
    }
    root = yaml_document_get_root_node(&ld.doc);
    if (root == NULL) {
        rc = fail_at(&ld, NULL, "empty form definition");
        goto fail;
    }
    if ((rc = each_pair(&ld, root, "form", form_pair, f)) != 0)
        goto fail;
    if (f->id == NULL || f->id[0] == '\0') {
        rc = fail_at(&ld, root, "form: needs an id");
        goto fail;
    }
    if (f->n_sections == 0 || f->requests.n_cols == 0 || f->requests.n_rows == 0 ||
        f->appeals.n_groups == 0 || f->appeals.n_results == 0 || f->active.n_blocks == 0) {
        rc = fail_at(&ld, root, "form: needs sections, active, requests and appeals");
        goto fail;
    }
    if ((rc = resolve_identities(&ld, f->requests.identities, f->requests.n_identities,
                                 "requests", f->requests.cols, f->requests.n_cols,
                                 f->requests.rows, f->requests.n_rows, NULL, 0)) != 0 ||
        (rc = resolve_identities(&ld, f->appeals.identities, f->appeals.n_identities,
                                 "appeals", f->appeals.results, f->appeals.n_results, NULL,
                                 0, f->appeals.groups, f->appeals.n_groups)) != 0)
        goto fail;
    rc = 0;
fail:
    if (have_doc)
        yaml_document_delete(&ld.doc);
    yaml_parser_delete(&parser);
    fclose(fp);
    return rc;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);

    return a > b && strcmp(s + a - b, suffix) == 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int ogid_forms_load(const char *dir, struct ogid_forms **out, char *errbuf, size_t errlen)
{
    struct ogid_forms *forms = NULL;
    char **names = NULL, path[4096];
    size_t n = 0, cap = 0, i, j;
    struct dirent *de;
    DIR *d;
    int rc = OGID_ENOMEM;

    *out = NULL;
    if (errbuf != NULL && errlen > 0)
        errbuf[0] = '\0';
    d = opendir(dir);
    if (d == NULL) {
        if (errbuf != NULL && errlen > 0)
            snprintf(errbuf, errlen, "%s:1:1: cannot open the forms folder: %s", dir,
                     strerror(errno));
        return errno == ENOENT ? OGID_ENOENT : OGID_ECONFIG;
    }
    while ((de = readdir(d)) != NULL) {
        char *copy;

        if (de->d_name[0] == '.' ||
            !(has_suffix(de->d_name, ".yaml") || has_suffix(de->d_name, ".yml")))
            continue;
        if (n == cap) {
            char **nn = realloc(names, (cap ? cap * 2 : 8) * sizeof(*nn));

            if (nn == NULL)
                goto fail;
            names = nn;
            cap = cap ? cap * 2 : 8;
        }
        copy = strdup(de->d_name);
        if (copy == NULL)
            goto fail;
        names[n++] = copy;
    }
    if (n == 0) {
        if (errbuf != NULL && errlen > 0)
            snprintf(errbuf, errlen, "%s:1:1: no form definitions (*.yaml) in the folder",
                     dir);
        rc = OGID_ENOENT;
        goto fail;
    }
    qsort(names, n, sizeof(*names), name_cmp);
    forms = calloc(1, sizeof(*forms));
    if (forms == NULL)
        goto fail;
    forms->forms = calloc(n, sizeof(*forms->forms));
    if (forms->forms == NULL)
        goto fail;
    for (i = 0; i < n; i++) {
        struct ogid_form *f = &forms->forms[forms->n];

        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path)) {
            if (errbuf != NULL && errlen > 0)
                snprintf(errbuf, errlen, "%s/%s:1:1: path too long", dir, names[i]);
            rc = OGID_ECONFIG;
            goto fail;
        }
        rc = load_file(path, f, errbuf, errlen);
        forms->n++;
        if (rc != 0)
            goto fail;
        for (j = 0; j + 1 < forms->n; j++) {
            if (strcmp(forms->forms[j].id, f->id) == 0) {
                if (errbuf != NULL && errlen > 0)
                    snprintf(errbuf, errlen, "%s:1:1: form id \"%s\" already given by %s",
                             path, f->id, forms->forms[j].file);
                rc = OGID_ECONFIG;
                goto fail;
            }
        }
    }
    *out = forms;
    forms = NULL;
    rc = 0;
fail:
    closedir(d);
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    ogid_forms_free(forms);
    return rc;
}
