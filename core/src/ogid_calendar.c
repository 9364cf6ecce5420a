/* The working-day calendar (ogid_calendar.h): the yearly holiday notices read
 * from YAML, local days added by the configuration, and the counting of
 * working days for the deadlines of 条例 arts. 30-33.
 *
 * Days are held as day numbers (days since 1970-01-01, proleptic Gregorian),
 * computed with Howard Hinnant's days_from_civil, so the day of the week and
 * the crossing of months and years are exact arithmetic, never the C library's
 * time zone or range. The exceptions to the Monday-Friday rule are two sorted
 * arrays, national and local, searched by day number.
 *
 * The YAML walk follows the schema, never the document's own shape, so
 * aliases (which may form cycles) cannot make it recurse or loop. */
#include "ogid_calendar.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "ogid/ogid_error.h"

/* A year has 366 days; a longer list is a mistake. */
#define MAX_DAYS 400
#define MAX_NOTICES 20

/* The notice for year Y may reach back into the end of Y-1 (the 元旦 break
 * and the make-up day before it), never further than this day of December. */
#define TAIL_FROM 25

struct entry {
    int dn;     /* day number */
    int work;   /* 1: a working day; 0: a day off */
    char *name; /* owned; may be NULL for a local day */
    /* Where a national day was given, for the messages of the load only:
     * the index of its file in years[] (before they are sorted) and the
     * position of its date. */
    size_t year;
    unsigned long line, col;
};

struct entries {
    struct entry *v;
    size_t n, cap;
};

struct year {
    int year;
    char *title; /* the first notice's title */
    char *file;
};

struct ogid_calendar {
    struct year *years; /* sorted by year once loaded */
    size_t n_years, cap_years;
    struct entries national; /* sorted by day number */
    struct entries local;    /* sorted by day number */
};

/* ---- Dates ------------------------------------------------------------ */

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
        return 29;
    return days[m - 1];
}

static int valid_date(int y, int m, int d)
{
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms": the year is
 * counted from March so that February's length falls at the end, and eras of
 * 400 years (146097 days) repeat exactly. Valid for y >= 1 here. */
static int days_from_civil(int y, int m, int d)
{
    int era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = y / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153u * (unsigned)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (unsigned)d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int)doe - 719468;
}

static void civil_from_days(int z, int *y, int *m, int *d)
{
    int era;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = z / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)yoe + era * 400 + (*m <= 2);
}

/* 0 = Sunday; day 0 (1970-01-01) was a Thursday. */
static int weekday_of(int dn)
{
    return ((dn % 7) + 7 + 4) % 7;
}

int ogid_calendar_weekday(int y, int m, int d)
{
    if (!valid_date(y, m, d))
        return OGID_EINVAL;
    return weekday_of(days_from_civil(y, m, d));
}

/* ---- Looking up ------------------------------------------------------- */

static const struct year *find_year(const struct ogid_calendar *c, int year)
{
    size_t lo = 0, hi = c->n_years;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (c->years[mid].year == year)
            return &c->years[mid];
        if (c->years[mid].year < year)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static const struct entry *find_day(const struct entries *e, int dn)
{
    size_t lo = 0, hi = e->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (e->v[mid].dn == dn)
            return &e->v[mid];
        if (e->v[mid].dn < dn)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Can the day be judged? Its year's notice must be loaded, and for the end
 * of December the next year's too: that notice places the 元旦 break, which
 * may begin in December (2018-12-29..31 came from the 2019 notice). */
static int covered(const struct ogid_calendar *c, int y, int m, int d)
{
    if (find_year(c, y) == NULL)
        return 0;
    return !(m == 12 && d >= TAIL_FROM) || find_year(c, y + 1) != NULL;
}

static int judge(const struct ogid_calendar *c, int dn, int *work, const char **name)
{
    const struct entry *e;
    int y, m, d, wd;

    civil_from_days(dn, &y, &m, &d);
    if (!covered(c, y, m, d))
        return OGID_ERANGE;
    if ((e = find_day(&c->local, dn)) != NULL || (e = find_day(&c->national, dn)) != NULL) {
        *work = e->work;
        *name = e->name;
        return 0;
    }
    wd = weekday_of(dn);
    *work = wd >= 1 && wd <= 5;
    *name = NULL;
    return 0;
}

int ogid_calendar_covers(const struct ogid_calendar *c, int year)
{
    return c != NULL && find_year(c, year) != NULL;
}

const char *ogid_calendar_notice(const struct ogid_calendar *c, int year)
{
    const struct year *y = c ? find_year(c, year) : NULL;

    return y ? y->title : NULL;
}

int ogid_calendar_is_workday(const struct ogid_calendar *c, int y, int m, int d,
                             int *is_work)
{
    const char *name;
    int rc, work;

    if (c == NULL || is_work == NULL || !valid_date(y, m, d))
        return OGID_EINVAL;
    if ((rc = judge(c, days_from_civil(y, m, d), &work, &name)) != 0)
        return rc;
    *is_work = work;
    return 0;
}

const char *ogid_calendar_day_name(const struct ogid_calendar *c, int y, int m, int d)
{
    const char *name;
    int work;

    if (c == NULL || !valid_date(y, m, d) ||
        judge(c, days_from_civil(y, m, d), &work, &name) != 0)
        return NULL;
    return name;
}

int ogid_calendar_add_workdays(const struct ogid_calendar *c, int y, int m, int d, int n,
                               int *oy, int *om, int *od)
{
    const char *name;
    int dn, rc, work;

    if (c == NULL || oy == NULL || om == NULL || od == NULL || n < 0 ||
        !valid_date(y, m, d))
        return OGID_EINVAL;
    /* The walk ends: every step either counts or moves towards the end of
     * the loaded years, where judge() refuses. */
    dn = days_from_civil(y, m, d);
    while (n > 0) {
        dn++;
        if ((rc = judge(c, dn, &work, &name)) != 0)
            return rc;
        n -= work;
    }
    civil_from_days(dn, oy, om, od);
    return 0;
}

int ogid_calendar_workdays_between(const struct ogid_calendar *c, int fy, int fm, int fd,
                                   int ty, int tm, int td, int *n)
{
    const char *name;
    int from, to, sign = 1, count = 0, rc, work;

    if (c == NULL || n == NULL || !valid_date(fy, fm, fd) || !valid_date(ty, tm, td))
        return OGID_EINVAL;
    from = days_from_civil(fy, fm, fd);
    to = days_from_civil(ty, tm, td);
    if (to < from) {
        int t = from;

        from = to;
        to = t;
        sign = -1;
    }
    while (from < to) {
        if ((rc = judge(c, ++from, &work, &name)) != 0)
            return rc;
        count += work;
    }
    *n = sign * count;
    return 0;
}

/* ---- Building --------------------------------------------------------- */

static int entries_push(struct entries *e, const struct entry *x)
{
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 64;
        struct entry *v = realloc(e->v, cap * sizeof(*v));

        if (v == NULL)
            return OGID_ENOMEM;
        e->v = v;
        e->cap = cap;
    }
    e->v[e->n++] = *x;
    return 0;
}

static void entries_clear(struct entries *e)
{
    size_t i;

    for (i = 0; i < e->n; i++)
        free(e->v[i].name);
    free(e->v);
    e->v = NULL;
    e->n = e->cap = 0;
}

int ogid_calendar_add_local(struct ogid_calendar *c, int y, int m, int d, int off,
                            const char *name)
{
    struct entry x = {0};
    size_t at;
    int rc;

    if (c == NULL || !valid_date(y, m, d))
        return OGID_EINVAL;
    x.dn = days_from_civil(y, m, d);
    if (find_day(&c->local, x.dn) != NULL)
        return OGID_EINVAL;
    x.work = !off;
    if (name != NULL && (x.name = strdup(name)) == NULL)
        return OGID_ENOMEM;
    if ((rc = entries_push(&c->local, &x)) != 0) {
        free(x.name);
        return rc;
    }
    /* Keep the array sorted: configurations add a handful of days. */
    for (at = c->local.n - 1; at > 0 && c->local.v[at - 1].dn > x.dn; at--)
        c->local.v[at] = c->local.v[at - 1];
    c->local.v[at] = x;
    return 0;
}

void ogid_calendar_free(struct ogid_calendar *c)
{
    size_t i;

    if (c == NULL)
        return;
    for (i = 0; i < c->n_years; i++) {
        free(c->years[i].title);
        free(c->years[i].file);
    }
    free(c->years);
    entries_clear(&c->national);
    entries_clear(&c->local);
    free(c);
}

/* ---- Reading one notice file ----------------------------------------- */

struct loader {
    const char *file;
    yaml_document_t doc;
    char *err;
    size_t errlen;
    struct ogid_calendar *cal;
    size_t year_index; /* of this file in cal->years */
    int year;
};

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
    if (len == 0)
        return fail_at(ld, n, "%s: empty", what);
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

/* Exactly YYYY-MM-DD, a real date: the files are written by a script or by
 * someone copying a notice, and 2023-02-29 there is a typing mistake. */
static int get_date(struct loader *ld, const yaml_node_t *n, int *dn)
{
    const char *s;
    int i, y, m, d;

    if (expect(ld, n, YAML_SCALAR_NODE, "date") != 0)
        return OGID_ECONFIG;
    s = (const char *)n->data.scalar.value;
    if (n->data.scalar.length != 10 || s[4] != '-' || s[7] != '-')
        return fail_at(ld, n, "date: expected YYYY-MM-DD");
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return fail_at(ld, n, "date: expected YYYY-MM-DD");
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (!valid_date(y, m, d))
        return fail_at(ld, n, "date: %.10s is not a date", s);
    /* A notice governs its year and, at most, the 元旦 break reaching back
     * into the end of the year before. */
    if (!(y == ld->year || (y == ld->year - 1 && m == 12 && d >= TAIL_FROM)))
        return fail_at(ld, n,
                       "date: %.10s is outside what the notice for %d can govern "
                       "(%d-12-%d to %d-12-31)",
                       s, ld->year, ld->year - 1, TAIL_FROM, ld->year);
    *dn = days_from_civil(y, m, d);
    return 0;
}

/* One {date: YYYY-MM-DD, name: 春节} of the off or work list. */
static int get_day(struct loader *ld, const yaml_node_t *n, int work)
{
    static const char *const wday[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                       "Thursday", "Friday", "Saturday"};
    const yaml_node_t *date_node = NULL, *name_node = NULL;
    struct entry x = {0};
    yaml_node_pair_t *p;
    int rc, wd;

    if ((rc = expect(ld, n, YAML_MAPPING_NODE, work ? "work" : "off")) != 0)
        return rc;
    for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = node_at(ld, p->key), *v = node_at(ld, p->value);
        const yaml_node_t **slot;

        if ((rc = expect(ld, k, YAML_SCALAR_NODE, "key")) != 0)
            return rc;
        if (strcmp((const char *)k->data.scalar.value, "date") == 0)
            slot = &date_node;
        else if (strcmp((const char *)k->data.scalar.value, "name") == 0)
            slot = &name_node;
        else
            return fail_at(ld, k, "unknown key \"%s\" (a day has date and name)",
                           (const char *)k->data.scalar.value);
        if (*slot != NULL)
            return fail_at(ld, k, "\"%s\" given twice", (const char *)k->data.scalar.value);
        *slot = v;
    }
    if (date_node == NULL || name_node == NULL)
        return fail_at(ld, n, "a day needs a date and a name");
    if ((rc = get_date(ld, date_node, &x.dn)) != 0)
        return rc;
    /* A make-up working day is always a Saturday or Sunday; refusing any
     * other day catches a mistyped date that would otherwise change nothing. */
    wd = weekday_of(x.dn);
    if (work && wd != 0 && wd != 6)
        return fail_at(ld, date_node,
                       "work: %.10s is a %s; only a Saturday or Sunday can be made a "
                       "working day",
                       (const char *)date_node->data.scalar.value, wday[wd]);
    if ((rc = get_string(ld, name_node, "name", &x.name)) != 0)
        return rc;
    x.work = work;
    x.year = ld->year_index;
    x.line = date_node->start_mark.line + 1;
    x.col = date_node->start_mark.column + 1;
    if ((rc = entries_push(&ld->cal->national, &x)) != 0)
        free(x.name);
    return rc;
}

static int get_days(struct loader *ld, const yaml_node_t *n, int work)
{
    const char *what = work ? "work" : "off";
    yaml_node_item_t *it;
    int rc;

    if ((rc = expect(ld, n, YAML_SEQUENCE_NODE, what)) != 0)
        return rc;
    if (n->data.sequence.items.top - n->data.sequence.items.start > MAX_DAYS)
        return fail_at(ld, n, "%s: more than %d days", what, MAX_DAYS);
    for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
        if ((rc = get_day(ld, node_at(ld, *it), work)) != 0)
            return rc;
    return 0;
}

static int get_notices(struct loader *ld, const yaml_node_t *n)
{
    struct year *yr = &ld->cal->years[ld->year_index];
    yaml_node_item_t *it;
    int rc;

    if ((rc = expect(ld, n, YAML_SEQUENCE_NODE, "notices")) != 0)
        return rc;
    if (n->data.sequence.items.top == n->data.sequence.items.start)
        return fail_at(ld, n, "notices: name at least the yearly notice");
    if (n->data.sequence.items.top - n->data.sequence.items.start > MAX_NOTICES)
        return fail_at(ld, n, "notices: more than %d", MAX_NOTICES);
    for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        const yaml_node_t *e = node_at(ld, *it), *title = NULL, *url = NULL;
        yaml_node_pair_t *p;

        if ((rc = expect(ld, e, YAML_MAPPING_NODE, "notice")) != 0)
            return rc;
        for (p = e->data.mapping.pairs.start; p < e->data.mapping.pairs.top; p++) {
            const yaml_node_t *k = node_at(ld, p->key), *v = node_at(ld, p->value);
            const yaml_node_t **slot;

            if ((rc = expect(ld, k, YAML_SCALAR_NODE, "key")) != 0)
                return rc;
            if (strcmp((const char *)k->data.scalar.value, "title") == 0)
                slot = &title;
            else if (strcmp((const char *)k->data.scalar.value, "url") == 0)
                slot = &url;
            else
                return fail_at(ld, k, "unknown key \"%s\" (a notice has title and url)",
                               (const char *)k->data.scalar.value);
            if (*slot != NULL)
                return fail_at(ld, k, "\"%s\" given twice",
                               (const char *)k->data.scalar.value);
            *slot = v;
        }
        if (title == NULL)
            return fail_at(ld, e, "a notice needs a title");
        if ((rc = expect(ld, title, YAML_SCALAR_NODE, "title")) != 0 ||
            (url != NULL && (rc = expect(ld, url, YAML_SCALAR_NODE, "url")) != 0))
            return rc;
        if (it == n->data.sequence.items.start &&
            (rc = get_string(ld, title, "title", &yr->title)) != 0)
            return rc;
    }
    return 0;
}

static int get_year(struct loader *ld, const yaml_node_t *n)
{
    const char *s;
    size_t i, len;
    int y = 0;

    if (expect(ld, n, YAML_SCALAR_NODE, "year") != 0)
        return OGID_ECONFIG;
    s = (const char *)n->data.scalar.value;
    len = n->data.scalar.length;
    for (i = 0; i < len && i < 5; i++) {
        if (s[i] < '0' || s[i] > '9')
            break;
        y = y * 10 + (s[i] - '0');
    }
    if (i != len || len == 0 || y < 2 || y > 9998)
        return fail_at(ld, n, "year: expected a year such as 2024");
    ld->year = y;
    return 0;
}

/* The top-level mapping: year first (the dates are checked against it), then
 * notices, off and work in any order. */
static int get_file(struct loader *ld, const yaml_node_t *root)
{
    static const char *const keys[] = {"year", "notices", "off", "work"};
    const yaml_node_t *val[4] = {NULL, NULL, NULL, NULL};
    yaml_node_pair_t *p;
    size_t i;
    int rc;

    if ((rc = expect(ld, root, YAML_MAPPING_NODE, "calendar file")) != 0)
        return rc;
    for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = node_at(ld, p->key);

        if ((rc = expect(ld, k, YAML_SCALAR_NODE, "key")) != 0)
            return rc;
        for (i = 0; i < 4; i++)
            if (strcmp((const char *)k->data.scalar.value, keys[i]) == 0)
                break;
        if (i == 4)
            return fail_at(ld, k,
                           "unknown key \"%s\" (a calendar file has year, notices, off "
                           "and work)",
                           (const char *)k->data.scalar.value);
        if (val[i] != NULL)
            return fail_at(ld, k, "\"%s\" given twice", keys[i]);
        val[i] = node_at(ld, p->value);
        if (val[i] == NULL)
            return fail_at(ld, k, "%s: missing value", keys[i]);
    }
    if (val[0] == NULL || val[1] == NULL)
        return fail_at(ld, root, "a calendar file needs year and notices");
    if ((rc = get_year(ld, val[0])) != 0)
        return rc;
    for (i = 0; i < ld->year_index; i++)
        if (ld->cal->years[i].year == ld->year)
            return fail_at(ld, val[0], "year %d already given by %s", ld->year,
                           ld->cal->years[i].file);
    ld->cal->years[ld->year_index].year = ld->year;
    if ((rc = get_notices(ld, val[1])) != 0)
        return rc;
    if (val[2] != NULL && (rc = get_days(ld, val[2], 0)) != 0)
        return rc;
    if (val[3] != NULL && (rc = get_days(ld, val[3], 1)) != 0)
        return rc;
    return 0;
}

static int load_file(struct ogid_calendar *c, const char *path, char *err, size_t errlen)
{
    struct loader ld = {.file = path, .err = err, .errlen = errlen, .cal = c};
    yaml_parser_t parser;
    yaml_node_t *root;
    FILE *fp;
    int rc, have_doc = 0;

    if (c->n_years == c->cap_years) {
        size_t cap = c->cap_years ? c->cap_years * 2 : 16;
        struct year *v = realloc(c->years, cap * sizeof(*v));

        if (v == NULL)
            return OGID_ENOMEM;
        c->years = v;
        c->cap_years = cap;
    }
    ld.year_index = c->n_years;
    memset(&c->years[c->n_years], 0, sizeof(c->years[0]));
    if ((c->years[c->n_years].file = strdup(path)) == NULL)
        return OGID_ENOMEM;
    c->n_years++; /* from here on ogid_calendar_free() owns what the file adds */

    fp = fopen(path, "rb");
    if (fp == NULL) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s:1:1: cannot open: %s", path, strerror(errno));
        return OGID_ECONFIG;
    }
    if (!yaml_parser_initialize(&parser)) {
        fclose(fp);
        return OGID_ENOMEM;
    }
    yaml_parser_set_input_file(&parser, fp);
    if (!yaml_parser_load(&parser, &ld.doc)) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s:%lu:%lu: %s%s%s", path,
                     (unsigned long)parser.problem_mark.line + 1,
                     (unsigned long)parser.problem_mark.column + 1,
                     parser.context ? parser.context : "", parser.context ? ": " : "",
                     parser.problem ? parser.problem : "YAML error");
        rc = parser.error == YAML_MEMORY_ERROR ? OGID_ENOMEM : OGID_ECONFIG;
        goto fail;
    }
    have_doc = 1;
    root = yaml_document_get_root_node(&ld.doc);
    if (root == NULL) {
        rc = fail_at(&ld, NULL, "empty calendar file");
        goto fail;
    }
    rc = get_file(&ld, root);
fail:
    if (have_doc)
        yaml_document_delete(&ld.doc);
    yaml_parser_delete(&parser);
    fclose(fp);
    return rc;
}

/* ---- Putting the files together -------------------------------------- */

static int entry_cmp(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;

    if (x->dn != y->dn)
        return x->dn < y->dn ? -1 : 1;
    /* Equal days keep file order, so the first file is the one kept. */
    if (x->year != y->year)
        return x->year < y->year ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int year_cmp(const void *a, const void *b)
{
    const struct year *x = a, *y = b;

    return (x->year > y->year) - (x->year < y->year);
}

/* Sorts the national days and merges a day two notices both give: the
 * 元旦 break can appear in the notices of both years. Giving a day twice in
 * one file, or with two meanings, is an error. */
static int merge(struct ogid_calendar *c, char *err, size_t errlen)
{
    struct entries *e = &c->national;
    size_t i, o;
    int y, m, d;

    if (e->n == 0)
        return 0;
    qsort(e->v, e->n, sizeof(*e->v), entry_cmp);
    for (i = 1, o = 0; i < e->n; i++) {
        struct entry *keep = &e->v[o], *x = &e->v[i];

        if (x->dn != keep->dn) {
            e->v[++o] = *x;
            continue;
        }
        if (x->year == keep->year || x->work != keep->work) {
            civil_from_days(x->dn, &y, &m, &d);
            if (err != NULL && errlen > 0)
                snprintf(err, errlen,
                         "%s:%lu:%lu: %04d-%02d-%02d already given%s at %s:%lu:%lu",
                         c->years[x->year].file, x->line, x->col, y, m, d,
                         x->work != keep->work
                             ? (keep->work ? " as a working day" : " as a day off")
                             : "",
                         c->years[keep->year].file, keep->line, keep->col);
            return OGID_ECONFIG;
        }
        free(x->name);
        x->name = NULL;
    }
    e->n = o + 1;
    return 0;
}

static int has_yaml_suffix(const char *s)
{
    size_t n = strlen(s);

    return (n > 5 && strcmp(s + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(s + n - 4, ".yml") == 0);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct paths {
    char **v;
    size_t n, cap;
};

/* Adds "dir/name", or dir alone when name is NULL. */
static int paths_add(struct paths *p, const char *dir, const char *name)
{
    size_t len = strlen(dir) + 1 + (name ? strlen(name) : 0) + 1;
    char *s;

    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        char **v = realloc(p->v, cap * sizeof(*v));

        if (v == NULL)
            return OGID_ENOMEM;
        p->v = v;
        p->cap = cap;
    }
    if ((s = malloc(len)) == NULL)
        return OGID_ENOMEM;
    snprintf(s, len, "%s%s%s", dir, name ? "/" : "", name ? name : "");
    p->v[p->n++] = s;
    return 0;
}

/* The YAML files in dir, and when depth > 0 those of its subfolders. */
static int scan(const char *dir, int depth, struct paths *out, char *err, size_t errlen)
{
    struct paths sub = {0};
    struct dirent *de;
    struct stat st;
    size_t i;
    DIR *d;
    int rc = 0;

    if ((d = opendir(dir)) == NULL) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s:1:1: cannot open the calendar folder: %s", dir,
                     strerror(errno));
        return errno == ENOENT ? OGID_ENOENT : OGID_ECONFIG;
    }
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if ((rc = paths_add(&sub, dir, de->d_name)) != 0)
            goto fail;
    }
    for (i = 0; i < sub.n; i++) {
        /* stat, not d_type: some file systems leave d_type unknown, and a
         * link to a folder of notices should work. */
        if (stat(sub.v[i], &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode) && depth > 0) {
            if ((rc = scan(sub.v[i], depth - 1, out, err, errlen)) != 0)
                goto fail;
        } else if (S_ISREG(st.st_mode) && has_yaml_suffix(sub.v[i])) {
            if ((rc = paths_add(out, sub.v[i], NULL)) != 0)
                goto fail;
        }
    }
fail:
    closedir(d);
    for (i = 0; i < sub.n; i++)
        free(sub.v[i]);
    free(sub.v);
    return rc;
}

int ogid_calendar_load(const char *dir, struct ogid_calendar **out, char *err,
                       size_t errlen)
{
    struct ogid_calendar *c = NULL;
    struct paths files = {0};
    size_t i;
    int rc;

    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (out == NULL || dir == NULL)
        return OGID_EINVAL;
    *out = NULL;
    if ((rc = scan(dir, 1, &files, err, errlen)) != 0)
        goto fail;
    if (files.n == 0) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s:1:1: no calendar files (*.yaml) in the folder", dir);
        rc = OGID_ENOENT;
        goto fail;
    }
    qsort(files.v, files.n, sizeof(*files.v), str_cmp);
    if ((c = calloc(1, sizeof(*c))) == NULL) {
        rc = OGID_ENOMEM;
        goto fail;
    }
    for (i = 0; i < files.n; i++)
        if ((rc = load_file(c, files.v[i], err, errlen)) != 0)
            goto fail;
    if ((rc = merge(c, err, errlen)) != 0)
        goto fail;
    /* Only now may the years move: the merge reported by index. */
    qsort(c->years, c->n_years, sizeof(*c->years), year_cmp);
    *out = c;
    c = NULL;
fail:
    for (i = 0; i < files.n; i++)
        free(files.v[i]);
    free(files.v);
    ogid_calendar_free(c);
    return rc;
}
