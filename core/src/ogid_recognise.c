/* The form recogniser: turns a neutral document into the report model of
 * docs/REPORT-MODEL.md, using the form definitions of rules/forms/.
 *
 * Everything works on one flat stream of cells. A paragraph is one cell (or,
 * where it reads like a table row written on one line, "label 1 0 0 …", one
 * cell per space-separated piece; or where a crawler ran the whole body into
 * one line, the pieces between the section headings written inside it); a
 * table grid contributes the cells that start at each position, row by row,
 * so that a spanned cell counts once. Text copied from a web page puts one
 * table cell on each line, so this one stream serves both documents with
 * grids and documents without.
 *
 * On that stream: section headings ("一、总体情况") are found by number and
 * key words; the form is the one whose signature texts appear most; each
 * table is read inside its section, row labels in the form's order, each
 * followed by as many values as the row has columns. A value is a number or
 * a blank ("", "/", "-", "—", "无"): blanks become null with a BLANK_CELL
 * note, never 0. What does not fit is said in a note, never guessed: a row
 * whose count of values is wrong gets nulls and AMBIGUOUS_NUMBERS, a table
 * whose cells run together ("规章000行政规范性文件…") UNPARSED_TEXT.
 *
 * All loops walk the stream forwards with bounded indices; nothing recurses. */
#include "ogid_recognise.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ogid/ogid_error.h"
#include "ogid_form.h"

#define NONE SIZE_MAX
#define MAX_SECTIONS 10
/* A heading longer than this is prose that happens to start with "一、". */
#define MAX_TITLE_BYTES 150
/* A short cell that contains a header word is a header cell. */
#define MAX_HEADER_BYTES 36

struct cell {
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
    struct ogid_value v;
};

struct section_hit {
    int no;
    size_t cell;
    char *title;
    char *rest; /* prose on the heading's own line, or NULL */
};

struct range {
    size_t lo, hi; /* cell indices, [lo, hi) */
};

struct rec {
    const struct ogid_document *doc;
    const struct ogid_forms *forms;
    const struct ogid_form *form;
    struct cell *cells;
    size_t n, cap;
    size_t *block_first;         /* first cell of each block; [n_blocks] = n */
    unsigned char *block_chrome; /* per block: 0, or 1 (weak) or 2 (strong) chrome */
    struct section_hit sec[MAX_SECTIONS];
    size_t n_sec;
    size_t body_end; /* first block of the trailing page chrome */
    json_t *notes;
    int oom;
};

static const char *const numerals[] = {"一", "二", "三", "四", "五",
                                       "六", "七", "八", "九", "十"};

/* ---- Small helpers ---------------------------------------------------- */

static void oom_if_null(struct rec *r, const void *p)
{
    if (p == NULL)
        r->oom = 1;
}

static void put(struct rec *r, json_t *obj, const char *key, json_t *v)
{
    if (v == NULL || json_object_set_new(obj, key, v) != 0)
        r->oom = 1;
}

static void push(struct rec *r, json_t *arr, json_t *v)
{
    if (v == NULL || json_array_append_new(arr, v) != 0)
        r->oom = 1;
}

/* ---- The stream of cells ---------------------------------------------- */

static int add_cell(struct rec *r, const char *text, size_t len, size_t block,
                    uint32_t line)
{
    struct cell *c;

    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        struct cell *nc = realloc(r->cells, cap * sizeof(*nc));

        if (nc == NULL)
            return OGID_ENOMEM;
        r->cells = nc;
        r->cap = cap;
    }
    c = &r->cells[r->n];
    memset(c, 0, sizeof(*c));
    c->text = ogid_trim_dup(text, len);
    c->norm = c->text ? ogid_norm(c->text) : NULL;
    if (c->text == NULL || c->norm == NULL) {
        free(c->text);
        free(c->norm);
        return OGID_ENOMEM;
    }
    c->block = block;
    c->line = line;
    ogid_value_parse(c->text, &c->v);
    r->n++;
    return 0;
}

/* Does the paragraph read like a table row on one line: several pieces
 * separated by white space, at least one after the first being a value? */
static int tabular(const char *s, size_t len)
{
    size_t pieces = 0, values = 0;
    const char *p = s, *end = s + len;

    if (len > 1000)
        return 0;
    while (p < end) {
        const char *b;
        struct ogid_value v;
        size_t k;

        while (p < end && (k = ogid_space_len(p)) != 0)
            p += k;
        if (p >= end)
            break;
        b = p;
        while (p < end && ogid_space_len(p) == 0)
            p++;
        if (pieces++ > 0 && (size_t)(p - b) < 60) {
            char tmp[64];

            memcpy(tmp, b, (size_t)(p - b));
            tmp[p - b] = '\0';
            ogid_value_parse(tmp, &v);
            values += v.kind != OGID_VALUE_NONE;
        }
    }
    return pieces >= 2 && values >= 1;
}

static int numeral_at(const char *s, size_t *len)
{
    size_t i, k;

    for (i = 0; i < sizeof(numerals) / sizeof(numerals[0]); i++) {
        k = strlen(numerals[i]);
        if (strncmp(s, numerals[i], k) == 0) {
            *len = k;
            return (int)i + 1;
        }
    }
    return 0;
}

static int section_keyword(const struct rec *r, int no, const char *norm);

/* Length of a section heading written inside a paragraph at s, or 0.
 * Crawler dumps run the whole body into one line, and nothing there says
 * where a title ends: the exact titles of the forms are taken anywhere; any
 * other title only after white space or a full stop, ending at its first
 * 情况 or 事项 (as all six official titles do), without digits or spaces,
 * and with a key word of its section. */
static size_t embedded_heading(struct rec *r, const char *s, int boundary)
{
    static const char *const ends[] = {"情况", "事项"};
    size_t k, f, i, t, e = 2;
    int no, ok;
    const char *title;
    char *cand, *norm;

    /* Every numeral is three bytes: look for the 、 first, it is rare. */
    if ((unsigned char)s[0] < 0xE4 || s[1] == '\0' || s[2] == '\0' ||
        strncmp(s + 3, "、", 3) != 0 || (no = numeral_at(s, &k)) == 0)
        return 0;
    title = s + k + 3;
    for (f = 0; f < r->forms->n; f++) {
        const struct ogid_form *fm = &r->forms->forms[f];

        for (i = 0; i < fm->n_sections; i++) {
            if (fm->sections[i].no != no || fm->sections[i].title == NULL)
                continue;
            t = strlen(fm->sections[i].title);
            if (t > 0 && strncmp(title, fm->sections[i].title, t) == 0)
                return k + 3 + t;
        }
    }
    if (!boundary)
        return 0;
    for (t = 0; t < MAX_TITLE_BYTES / 2 && title[t] != '\0'; t++) {
        if (ogid_space_len(title + t) != 0 || (title[t] >= '0' && title[t] <= '9'))
            return 0;
        for (e = 0; e < 2; e++)
            if (strncmp(title + t, ends[e], strlen(ends[e])) == 0)
                break;
        if (e < 2)
            break;
    }
    if (e >= 2 || title[t] == '\0' || t >= MAX_TITLE_BYTES / 2)
        return 0;
    t += strlen(ends[e]);
    cand = ogid_trim_dup(title, t);
    norm = cand ? ogid_norm(cand) : NULL;
    if (norm == NULL)
        r->oom = 1;
    ok = norm != NULL && section_keyword(r, no, norm);
    free(cand);
    free(norm);
    return ok ? k + 3 + t : 0;
}

/* Adds text s[0..len) of block b: one cell, or where it reads like a table
 * row on one line, one cell per piece between white space. */
static int add_piece(struct rec *r, const char *s, size_t len, size_t b, uint32_t line)
{
    const char *p = s, *end = s + len;
    size_t k;
    int rc;

    if (!tabular(s, len)) {
        if ((rc = add_cell(r, s, len, b, line)) != 0)
            return rc;
        if (r->cells[r->n - 1].text[0] == '\0') {
            /* An empty paragraph is no cell: in text it is a blank line. */
            free(r->cells[r->n - 1].text);
            free(r->cells[r->n - 1].norm);
            r->n--;
        }
        return 0;
    }
    while (p < end) {
        const char *q;

        while (p < end && (k = ogid_space_len(p)) != 0)
            p += k;
        if (p >= end)
            break;
        q = p;
        while (p < end && ogid_space_len(p) == 0)
            p++;
        if ((rc = add_cell(r, q, (size_t)(p - q), b, line)) != 0)
            return rc;
        r->cells[r->n - 1].spaced = 1;
    }
    return 0;
}

/* A paragraph as one cell, or where section headings are written inside it,
 * as the pieces between them and the headings. */
static int add_paragraph(struct rec *r, size_t b, const struct ogid_block *blk)
{
    const char *p = blk->text, *s = p, *q = p;
    size_t first = r->n, len, k;
    int rc;

    while (*q) {
        int boundary =
            q == p || ogid_space_len(q - 1) == 1 ||
            (q - p >= 3 && (ogid_space_len(q - 3) == 3 || strncmp(q - 3, "。", 3) == 0 ||
                            strncmp(q - 3, "；", 3) == 0));
        size_t h = embedded_heading(r, q, boundary);

        if (h > 0 && !(q == p && q[h] == '\0')) {
            if (q > s && (rc = add_piece(r, s, (size_t)(q - s), b, blk->line)) != 0)
                return rc;
            if ((rc = add_cell(r, q, h, b, blk->line)) != 0)
                return rc;
            r->cells[r->n - 1].heading_piece = 1;
            s = q = q + h;
            continue;
        }
        ogid_utf8_decode((const unsigned char *)q, &len);
        q += len;
    }
    if ((rc = add_piece(r, s, strlen(s), b, blk->line)) != 0)
        return rc;
    if (r->n == first + 1 && !r->cells[first].heading_piece && !r->cells[first].spaced)
        r->cells[first].whole = 1;
    for (k = first; r->n > first + 1 && k < r->n; k++)
        r->cells[k].col = k - first;
    return 0;
}

/* Page chrome, by the words portals put there. Strong markers end the body
 * of the report; weak ones are single controls that are only skipped. */
static int chrome(const char *text, int *strong)
{
    static const char *const contains[] = {
        "扫一扫在手机上", "在手机上查看", "网站地图", "ICP备",    "icp备",      "公网安备",
        "网站标识码",     "关闭窗口",     "打印本页", "版权所有", "Copyright",  "copyright",
        "技术支持:",      "技术支持：",   "主办单位", "承办单位", "建议使用IE", "分辨率"};
    static const char *const prefix[] = {"主办:", "主办：", "承办:", "承办：", "字号"};
    static const char *const equals[] = {
        "打印",   "打印:",    "打印：",  "关闭",     "【打印】", "【关闭】", "[打印]",
        "[关闭]", "打印关闭", "分享到:", "分享到：", "返回顶部", "收藏",     "大 中 小"};
    size_t i;

    *strong = 1;
    for (i = 0; i < sizeof(contains) / sizeof(contains[0]); i++)
        if (strstr(text, contains[i]) != NULL)
            return 1;
    for (i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
        if (strncmp(text, prefix[i], strlen(prefix[i])) == 0)
            return 1;
    *strong = 0;
    for (i = 0; i < sizeof(equals) / sizeof(equals[0]); i++)
        if (strcmp(text, equals[i]) == 0)
            return 1;
    return 0;
}

static int build_stream(struct rec *r)
{
    const struct ogid_document *doc = r->doc;
    size_t b, i, j;
    int rc;

    r->block_first = calloc(doc->n_blocks + 1, sizeof(*r->block_first));
    r->block_chrome = calloc(doc->n_blocks + 1, 1);
    if (r->block_first == NULL || r->block_chrome == NULL)
        return OGID_ENOMEM;
    for (b = 0; b < doc->n_blocks; b++) {
        const struct ogid_block *blk = &doc->blocks[b];

        r->block_first[b] = r->n;
        if (blk->kind == OGID_BLOCK_PARAGRAPH && blk->text != NULL) {
            int strong;

            if (chrome(blk->text, &strong))
                r->block_chrome[b] = strong ? 2 : 1;
            if ((rc = add_paragraph(r, b, blk)) != 0)
                return rc;
        } else if (blk->kind == OGID_BLOCK_TABLE && blk->cells != NULL) {
            for (i = 0; i < blk->rows; i++) {
                for (j = 0; j < blk->cols; j++) {
                    const char *t = blk->cells[i * blk->cols + j];

                    if (!blk->origin[i * blk->cols + j])
                        continue;
                    if ((rc = add_cell(r, t, strlen(t), b, blk->line)) != 0)
                        return rc;
                    r->cells[r->n - 1].grid = 1;
                    r->cells[r->n - 1].row = i;
                    r->cells[r->n - 1].col = j;
                }
            }
        }
    }
    r->block_first[doc->n_blocks] = r->n;
    return 0;
}

/* Are cells a and b in one row, as far as the stream can tell? Grid cells
 * are in one row of one table; text has no rows, one cell per line. */
static int same_row(const struct rec *r, size_t a, size_t b)
{
    const struct cell *x = &r->cells[a], *y = &r->cells[b];

    if (!x->grid && !y->grid)
        return 1;
    return x->grid && y->grid && x->block == y->block && x->row == y->row;
}

/* ---- Notes ------------------------------------------------------------ */

__attribute__((format(printf, 5, 6))) static void note(struct rec *r, const char *level,
                                                       const char *code, json_t *where,
                                                       const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    json_t *n;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (where == NULL)
        where = json_object();
    n = json_pack("{s:s, s:s, s:s, s:o}", "level", level, "code", code, "message", msg,
                  "where", where);
    push(r, r->notes, n);
}

static json_t *where_cell(const char *table, const char *row, const char *column,
                          uint32_t line)
{
    json_t *w = json_pack("{s:s, s:s}", "table", table, "row", row);

    if (w != NULL && column != NULL)
        json_object_set_new(w, "column", json_string(column));
    if (w != NULL && line != 0)
        json_object_set_new(w, "line", json_integer(line));
    return w;
}

/* The JSON of one table value; c is NULL where the row had no cell for it. */
static json_t *value_json(struct rec *r, const struct cell *c, const char *table,
                          const char *row, const char *column, int money, uint32_t line)
{
    if (c == NULL || c->v.kind != OGID_VALUE_NUMBER) {
        note(r, "warning", "BLANK_CELL", where_cell(table, row, column, c ? c->line : line),
             "%s %s %s is blank (\"%s\"): not reported, read as null", table, row, column,
             c ? c->text : "");
        return json_null();
    }
    if (c->v.is_int)
        return json_integer(c->v.i);
    if (!money)
        note(r, "warning", "NOT_A_COUNT", where_cell(table, row, column, c->line),
             "%s %s %s is \"%s\", not a whole number", table, row, column, c->text);
    return json_real(c->v.d);
}

/* ---- Sections and page chrome ----------------------------------------- */

static int section_keyword(const struct rec *r, int no, const char *norm)
{
    size_t f, s, k;

    for (f = 0; f < r->forms->n; f++) {
        const struct ogid_form *fm = &r->forms->forms[f];

        for (s = 0; s < fm->n_sections; s++) {
            if (fm->sections[s].no != no)
                continue;
            for (k = 0; k < fm->sections[s].keywords.n; k++)
                if (fm->sections[s].keywords.norm[k][0] &&
                    strstr(norm, fm->sections[s].keywords.norm[k]) != NULL)
                    return 1;
        }
    }
    return 0;
}

static const char *section_title(const struct rec *r, int no)
{
    size_t f, s;

    for (f = 0; f < r->forms->n; f++)
        for (s = 0; s < r->forms->forms[f].n_sections; s++)
            if (r->forms->forms[f].sections[s].no == no &&
                r->forms->forms[f].sections[s].title)
                return r->forms->forms[f].sections[s].title;
    return "";
}

/* Is paragraph cell c the heading of a section numbered above `after`? On
 * success fills hit (title and rest owned by hit). Returns 1, 0, or
 * OGID_ENOMEM. */
static int heading(struct rec *r, const struct cell *c, int after, struct section_hit *hit)
{
    const char *p = c->text, *t, *cut = NULL;
    size_t k, tl;
    char *title, *norm;
    int no, ok;

    if (c->grid || !(c->whole || c->heading_piece) || (no = numeral_at(p, &k)) == 0 ||
        no <= after)
        return 0;
    p += k;
    if (strncmp(p, "、", 3) == 0 || strncmp(p, "，", 3) == 0 || strncmp(p, "．", 3) == 0 ||
        strncmp(p, "：", 3) == 0)
        p += 3;
    else if (*p == '.' || *p == ',' || *p == ':' || ogid_space_len(p) != 0)
        p += 1;
    else
        return 0;
    while ((k = ogid_space_len(p)) != 0)
        p += k;
    t = p;
    tl = strlen(t);
    if (tl > MAX_TITLE_BYTES || strstr(t, "。") != NULL) {
        /* A heading with its first sentence on the same line. */
        for (p = t; *p && (size_t)(p - t) <= MAX_TITLE_BYTES; p++)
            if (ogid_space_len(p) != 0 || strncmp(p, "。", 3) == 0) {
                cut = p;
                break;
            }
        if (cut == NULL || cut == t)
            return 0;
        tl = (size_t)(cut - t);
    }
    if (tl == 0)
        return 0;
    title = ogid_trim_dup(t, tl);
    norm = title ? ogid_norm(title) : NULL;
    if (norm == NULL) {
        free(title);
        return OGID_ENOMEM;
    }
    ok = section_keyword(r, no, norm);
    free(norm);
    if (!ok) {
        free(title);
        return 0;
    }
    hit->no = no;
    hit->cell = (size_t)(c - r->cells);
    hit->title = title;
    hit->rest = NULL;
    if (cut != NULL) {
        if (strncmp(cut, "。", 3) == 0)
            cut += 3;
        hit->rest = ogid_trim_dup(cut, strlen(cut));
        if (hit->rest == NULL) {
            free(hit->title);
            hit->title = NULL;
            return OGID_ENOMEM;
        }
    }
    return 1;
}

static int find_sections(struct rec *r)
{
    size_t i;
    int last = 0, rc;

    for (i = 0; i < r->n && r->n_sec < MAX_SECTIONS; i++) {
        struct section_hit *h = &r->sec[r->n_sec];

        rc = heading(r, &r->cells[i], last, h);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            last = h->no;
            r->n_sec++;
        }
    }
    return 0;
}

static int block_chrome(const struct rec *r, size_t b, int *strong)
{
    *strong = r->block_chrome[b] == 2;
    return r->block_chrome[b] != 0;
}

/* The footer: the first strong chrome after the last section heading and
 * after the last prose (portals put the same words in the navigation at the
 * top of a page, and a report without headings has only its prose). */
static void find_body_end(struct rec *r)
{
    size_t from = r->n_sec ? r->cells[r->sec[r->n_sec - 1].cell].block + 1 : 0, b;
    int strong;

    for (b = r->doc->n_blocks; b > from; b--) {
        const struct ogid_block *blk = &r->doc->blocks[b - 1];

        if (blk->kind == OGID_BLOCK_TABLE ||
            (blk->text != NULL && strlen(blk->text) >= 150 &&
             !block_chrome(r, b - 1, &strong))) {
            from = b;
            break;
        }
    }
    r->body_end = r->doc->n_blocks;
    for (b = from; b < r->doc->n_blocks; b++)
        if (block_chrome(r, b, &strong) && strong) {
            r->body_end = b;
            return;
        }
}

static const struct section_hit *section_no(const struct rec *r, int no)
{
    size_t i;

    for (i = 0; i < r->n_sec; i++)
        if (r->sec[i].no == no)
            return &r->sec[i];
    return NULL;
}

/* The cell after the last of section i. */
static size_t section_end(const struct rec *r, size_t i)
{
    size_t e = i + 1 < r->n_sec ? r->sec[i + 1].cell : r->block_first[r->body_end];

    return e < r->sec[i].cell + 1 ? r->sec[i].cell + 1 : e;
}

/* Appends s to the growing text *buf (with `sep` before it unless the text
 * is empty). */
static void text_add(struct rec *r, char **buf, size_t *len, size_t *cap, const char *s,
                     const char *sep)
{
    size_t need = *len + strlen(sep) + strlen(s) + 1;

    if (s[0] == '\0')
        return;
    if (need > *cap) {
        size_t c = *cap ? *cap : 256;
        char *nb;

        while (c < need)
            c *= 2;
        nb = realloc(*buf, c);
        if (nb == NULL) {
            r->oom = 1;
            return;
        }
        *buf = nb;
        *cap = c;
    }
    if (*len > 0) {
        memcpy(*buf + *len, sep, strlen(sep));
        *len += strlen(sep);
    }
    memcpy(*buf + *len, s, strlen(s));
    *len += strlen(s);
    (*buf)[*len] = '\0';
}

/* A section's prose: its paragraphs one a line, without tables, page
 * chrome and the cells of tables read from text. A paragraph that is cut
 * by a heading written inside it gives the pieces on this side. */
static char *section_text(struct rec *r, size_t i)
{
    const struct section_hit *s = &r->sec[i];
    size_t j = s->cell + 1, end = section_end(r, i), len = 0, cap = 0, je, t;
    char *buf = NULL;
    int strong, started;

    if (s->rest != NULL)
        text_add(r, &buf, &len, &cap, s->rest, "\n");
    for (; j < end && !r->oom; j = je) {
        size_t b = r->cells[j].block;
        int whole, clean = 1;

        for (je = j; je < end && r->cells[je].block == b; je++)
            clean &= !r->cells[je].in_table;
        if (r->doc->blocks[b].kind != OGID_BLOCK_PARAGRAPH || block_chrome(r, b, &strong))
            continue;
        whole = r->block_first[b] == j && r->block_first[b + 1] == je;
        if (whole && clean) {
            char *p = ogid_trim_dup(r->doc->blocks[b].text, strlen(r->doc->blocks[b].text));

            if (p == NULL) {
                r->oom = 1;
                break;
            }
            text_add(r, &buf, &len, &cap, p, "\n");
            free(p);
            continue;
        }
        for (t = j, started = 0; t < je; t++) {
            if (r->cells[t].in_table)
                continue;
            text_add(r, &buf, &len, &cap, r->cells[t].text,
                     !started             ? "\n"
                     : r->cells[t].spaced ? " "
                                          : "");
            started |= r->cells[t].text[0] != '\0';
        }
    }
    if (buf == NULL && !r->oom)
        buf = strdup("");
    return buf;
}

static json_t *sections_json(struct rec *r)
{
    json_t *arr = json_array();
    size_t i;

    oom_if_null(r, arr);
    for (i = 0; arr != NULL && i < r->n_sec; i++) {
        char *text = section_text(r, i);

        if (text == NULL) {
            r->oom = 1;
            break;
        }
        push(r, arr,
             json_pack("{s:i, s:s, s:s}", "no", r->sec[i].no, "title", r->sec[i].title,
                       "text", text));
        free(text);
    }
    return arr;
}

/* ---- Form ------------------------------------------------------------- */

/* The form whose signatures the document carries most; NULL when none. */
static const struct ogid_form *detect_form(struct rec *r)
{
    const struct ogid_form *best = NULL;
    size_t f, s, i, best_score = 0, second = 0;

    for (f = 0; f < r->forms->n; f++) {
        const struct ogid_form *fm = &r->forms->forms[f];
        size_t score = 0;

        for (s = 0; s < fm->signatures.n; s++)
            for (i = 0; i < r->n; i++)
                if (fm->signatures.norm[s][0] &&
                    strstr(r->cells[i].norm, fm->signatures.norm[s]) != NULL) {
                    score++;
                    break;
                }
        if (score >= best_score && score > 0) {
            second = best_score;
            best_score = score;
            best = fm;
        } else if (score > second) {
            second = score;
        }
    }
    if (best != NULL && second == best_score)
        note(r, "warning", "FORM_AMBIGUOUS", NULL,
             "the tables fit more than one form equally well; read as form %s", best->id);
    return best;
}

/* ---- Tables ----------------------------------------------------------- */

/* The header texts of one table: labels that carry no numbers. */
struct headers {
    const char **norm;
    size_t n, cap;
};

static void headers_add(struct rec *r, struct headers *h, const struct ogid_labels *l)
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

static void headers_cols(struct rec *r, struct headers *h, const struct ogid_form_col *c,
                         size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        headers_add(r, h, &c[i].labels);
}

/* Is the cell a header: one of the texts, a short cell holding one, or
 * texts run together ("结果维持结果纠正其他结果…" in crawler dumps)? */
static int header_ish(const struct cell *c, const struct headers *h)
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
static int value_follows(const struct rec *r, size_t i, size_t hi)
{
    return i + 1 < hi && r->cells[i + 1].v.kind != OGID_VALUE_NONE && same_row(r, i, i + 1);
}

/* First cell in [lo, hi) labelled by l. A row label must be followed by a
 * value unless it equals a label exactly (so prose that merely starts with
 * a label is not taken for the row); a heading needs no value. */
static size_t find_label(const struct rec *r, size_t lo, size_t hi,
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
        return NONE;
    for (i = lo; i < hi; i++)
        if (r->cells[i].v.kind == OGID_VALUE_NONE &&
            ogid_labels_match(l, r->cells[i].norm, 0) == 2)
            return i;
    return NONE;
}

static void extend(size_t *lo, size_t *hi, size_t i)
{
    if (*lo == NONE || i < *lo)
        *lo = i;
    if (*hi == NONE || i > *hi)
        *hi = i;
}

/* Reads the values after row label li: one per column. Returns the values
 * as an array and sets *last to the last cell used. */
static json_t *read_row(struct rec *r, size_t li, size_t hi,
                        const struct ogid_form_col *cols, size_t n_cols, const char *table,
                        const char *key, size_t *last)
{
    const struct cell *lc = &r->cells[li];
    json_t *arr = json_array();
    size_t count = 0, j = li + 1, k;

    oom_if_null(r, arr);
    while (count < n_cols && j < hi && r->cells[j].v.kind != OGID_VALUE_NONE &&
           same_row(r, li, j)) {
        count++;
        j++;
    }
    *last = li + count;
    if (arr == NULL)
        return NULL;
    if (count == n_cols || count == 0 || lc->grid) {
        /* Complete, or a row with no values at all, or a short grid row
         * whose missing cells are at its end. */
        for (k = 0; k < n_cols; k++)
            push(r, arr,
                 value_json(r, k < count ? &r->cells[li + 1 + k] : NULL, table, key,
                            cols[k].key, cols[k].money, lc->line));
    } else {
        char found[256];
        size_t o = 0;

        found[0] = '\0';
        for (k = 0; k < count && o + 24 < sizeof(found); k++)
            o += (size_t)snprintf(found + o, sizeof(found) - o, "%s%s", k ? " " : "",
                                  r->cells[li + 1 + k].text);
        note(r, "warning", "AMBIGUOUS_NUMBERS", where_cell(table, key, NULL, lc->line),
             "%s %s: %zu values (%s) for %zu columns; which cells they fill is unclear, "
             "all read as null",
             table, key, count, found, n_cols);
        for (k = 0; k < n_cols; k++)
            push(r, arr, json_null());
    }
    if (count == n_cols && j < hi && r->cells[j].v.kind == OGID_VALUE_NUMBER &&
        same_row(r, li, j) && lc->grid == r->cells[j].grid)
        note(r, "warning", "AMBIGUOUS_NUMBERS", where_cell(table, key, NULL, lc->line),
             "%s %s: more values than its %zu columns; the first %zu were read", table, key,
             n_cols, n_cols);
    return arr;
}

/* Widens a table's extent back over the header cells just before it. */
static void header_back(const struct rec *r, size_t *lo, size_t floor,
                        const struct headers *h)
{
    while (*lo != NONE && *lo > floor && header_ish(&r->cells[*lo - 1], h))
        (*lo)--;
}

static void mark_extent(struct rec *r, size_t lo, size_t hi)
{
    size_t i;

    if (lo == NONE || hi == NONE || lo > hi || hi >= r->n)
        return;
    for (i = lo; i <= hi; i++)
        if (!r->cells[i].grid)
            r->cells[i].in_table = 1;
}

/* Notes a table that could not be read: TABLE_MISSING where nothing of it
 * is there, UNPARSED_TEXT where its header texts are there but not its
 * cells (crawler dumps run cells together: "规章000行政规范性文件…"). */
static void table_absent(struct rec *r, struct range g, const struct headers *h,
                         const char *table, const char *name)
{
    size_t i, k;

    for (i = g.lo; i < g.hi; i++)
        for (k = 0; k < h->n; k++)
            if (strlen(h->norm[k]) >= 12 && strstr(r->cells[i].norm, h->norm[k]) != NULL) {
                note(r, "warning", "UNPARSED_TEXT",
                     json_pack("{s:s, s:i}", "table", table, "line", (int)r->cells[i].line),
                     "table %s is there but its cells could not be told apart (run "
                     "together?); not read",
                     name);
                return;
            }
    note(r, "warning", "TABLE_MISSING", json_pack("{s:s}", "table", table),
         "table %s not found", name);
}

static void flush_missing(struct rec *r, json_t *missing)
{
    size_t i;
    json_t *v;

    json_array_foreach(missing, i, v) push(r, r->notes, json_incref(v));
}

static void missing_row(struct rec *r, json_t *missing, const char *table, const char *key,
                        const char *label)
{
    json_t *n =
        json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "level", "warning", "code",
                  "ROW_MISSING", "message", "", "where", "table", table, "row", key);
    char msg[512];

    snprintf(msg, sizeof(msg), "%s: row %s (%s) not found", table, key, label);
    if (n != NULL)
        json_object_set_new(n, "message", json_string(msg));
    push(r, missing, n);
}

static json_t *read_active(struct rec *r, struct range g, size_t *end)
{
    const struct ogid_form_active *a = &r->form->active;
    json_t *out = json_object(), *missing = json_array();
    struct headers h = {0};
    size_t cur = g.lo, lo = NONE, hi = NONE, found = 0, b, k, c, last;

    oom_if_null(r, out);
    oom_if_null(r, missing);
    headers_add(r, &h, &a->headers);
    for (b = 0; b < a->n_blocks; b++) {
        headers_add(r, &h, &a->blocks[b].labels);
        headers_cols(r, &h, a->blocks[b].cols, a->blocks[b].n_cols);
    }
    for (b = 0; out != NULL && missing != NULL && b < a->n_blocks; b++) {
        const struct ogid_form_block *blk = &a->blocks[b];
        size_t bi = find_label(r, cur, g.hi, &blk->labels, 0), in_block = 0;
        json_t *bmiss = json_array();

        oom_if_null(r, bmiss);
        if (bi != NONE) {
            cur = bi + 1;
            extend(&lo, &hi, bi);
        }
        for (k = 0; bmiss != NULL && k < blk->n_rows; k++) {
            const struct ogid_form_row *row = &blk->rows[k];
            size_t li = find_label(r, cur, g.hi, &row->labels, 1);
            json_t *vals, *obj;

            if (row->key == NULL)
                continue;
            if (li == NONE) {
                missing_row(r, bmiss, "active", row->key, row->labels.text[0]);
                continue;
            }
            vals = read_row(r, li, g.hi, blk->cols, blk->n_cols, "active", row->key, &last);
            obj = json_object();
            oom_if_null(r, obj);
            for (c = 0; obj != NULL && vals != NULL && c < blk->n_cols; c++)
                put(r, obj, blk->cols[c].key, json_incref(json_array_get(vals, c)));
            json_decref(vals);
            put(r, out, row->key, obj);
            extend(&lo, &hi, li);
            extend(&lo, &hi, last);
            cur = last + 1;
            in_block++;
            found++;
        }
        if (bmiss != NULL && (in_block > 0 || !blk->optional)) {
            size_t i;
            json_t *v;

            json_array_foreach(bmiss, i, v) push(r, missing, json_incref(v));
        }
        json_decref(bmiss);
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

static json_t *read_requests(struct rec *r, struct range g, size_t *end)
{
    const struct ogid_form_requests *q = &r->form->requests;
    json_t *out, *rows = json_object(), *cols = json_array(), *missing = json_array();
    struct headers h = {0};
    size_t cur = g.lo, lo = NONE, hi = NONE, found = 0, k, last;

    oom_if_null(r, rows);
    oom_if_null(r, cols);
    oom_if_null(r, missing);
    headers_add(r, &h, &q->headers);
    headers_cols(r, &h, q->cols, q->n_cols);
    for (k = 0; cols != NULL && k < q->n_cols; k++)
        push(r, cols, json_string(q->cols[k].key));
    for (k = 0; rows != NULL && missing != NULL && k < q->n_rows; k++) {
        const struct ogid_form_row *row = &q->rows[k];
        size_t li = find_label(r, cur, g.hi, &row->labels, row->key != NULL);

        if (row->key == NULL) {
            if (li != NONE) {
                cur = li + 1;
                extend(&lo, &hi, li);
            }
            continue;
        }
        if (li == NONE) {
            missing_row(r, missing, "requests", row->key, row->labels.text[0]);
            continue;
        }
        put(r, rows, row->key,
            read_row(r, li, g.hi, q->cols, q->n_cols, "requests", row->key, &last));
        extend(&lo, &hi, li);
        extend(&lo, &hi, last);
        cur = last + 1;
        found++;
    }
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
    oom_if_null(r, out);
    return out;
}

/* Table 四 has one row of numbers under two or three rows of headers that
 * text breaks into pieces ("结果", "纠正"). The numbers are the values that
 * follow the last header cell, groups times results of them, in order. */
static json_t *read_appeals(struct rec *r, struct range g, size_t *end)
{
    const struct ogid_form_appeals *a = &r->form->appeals;
    size_t need = a->n_groups * a->n_results, h0 = NONE, num = g.hi, hdr, start, count = 0;
    size_t i, k, lo;
    struct headers h = {0};
    json_t *out;
    int grid, unclear;

    headers_add(r, &h, &a->headers);
    headers_cols(r, &h, a->groups, a->n_groups);
    headers_cols(r, &h, a->results, a->n_results);
    for (i = g.lo; i < g.hi && h0 == NONE; i++)
        if (header_ish(&r->cells[i], &h))
            h0 = i;
    if (h0 == NONE) {
        table_absent(r, g, &h, "appeals", "四 (行政复议、行政诉讼情况)");
        free(h.norm);
        return json_null();
    }
    for (i = h0 + 1; i < g.hi && num == g.hi; i++)
        if (r->cells[i].v.kind == OGID_VALUE_NUMBER ||
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
           r->cells[start - 1].v.kind != OGID_VALUE_NONE && same_row(r, start - 1, num))
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
    oom_if_null(r, out);
    /* Too few numbers in text: which cells a lost blank line held is not
     * known. In a grid the missing ones are the row's last. */
    unclear = count > 0 && count < need && !grid;
    if (unclear)
        note(
            r, "warning", "AMBIGUOUS_NUMBERS",
            json_pack("{s:s, s:i}", "table", "appeals", "line", (int)r->cells[start].line),
            "appeals: %zu values for %zu cells; which cells they fill is unclear, all read "
            "as null",
            count, need);
    for (k = 0; out != NULL && k < a->n_groups; k++) {
        json_t *grp = json_object();
        size_t j;

        oom_if_null(r, grp);
        for (j = 0; grp != NULL && j < a->n_results; j++) {
            size_t idx = k * a->n_results + j;
            const struct cell *c = idx < count ? &r->cells[start + idx] : NULL;

            if (unclear)
                put(r, grp, a->results[j].key, json_null());
            else
                put(r, grp, a->results[j].key,
                    value_json(r, c, "appeals", a->groups[k].key, a->results[j].key,
                               a->results[j].money, r->cells[hdr].line));
        }
        put(r, out, a->groups[k].key, grp);
    }
    mark_extent(r, lo, count ? start + count - 1 : hdr);
    *end = (count ? start + count : hdr + 1);
    return out;
}

/* Where to look for the table of section `no`: that section, or when its
 * heading is missing, from the end of the previous table to the next
 * heading found. */
static struct range table_range(const struct rec *r, int no, size_t prev_end)
{
    struct range g = {prev_end, r->block_first[r->body_end]};
    size_t i;

    for (i = 0; i < r->n_sec; i++) {
        if (r->sec[i].no == no) {
            g.lo = r->sec[i].cell + 1;
            g.hi = section_end(r, i);
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

/* ---- Metadata --------------------------------------------------------- */

static json_t *date_json(const struct ogid_date *t)
{
    char buf[16];

    snprintf(buf, sizeof(buf), "%04d-%02d-%02d", t->y, t->m, t->d);
    return json_string(buf);
}

/* Is cell i page chrome (for the metadata, which never comes from it)? */
static int cell_chrome(const struct rec *r, size_t i)
{
    int strong;

    return r->cells[i].block >= r->body_end || chrome(r->cells[i].text, &strong);
}

/* The text the metadata is read from at cell i: the cell's, or for the
 * first piece of a paragraph split like a table row, the paragraph's (so a
 * sentence is read whole); NULL for the other pieces. */
static const char *meta_text(const struct rec *r, size_t i)
{
    const struct cell *c = &r->cells[i];

    if (c->grid || c->whole)
        return c->text;
    return c->col == 0 ? r->doc->blocks[c->block].text : NULL;
}

/* The publication date: after a 发布日期-like label, in the same cell or the
 * next one (metadata tables put label and date in neighbouring cells). */
static json_t *find_published(struct rec *r)
{
    static const char *const labels[] = {"发布日期", "发表日期", "发布时间", "公开日期",
                                         "发文日期"};
    size_t l, i;
    struct ogid_date t;

    for (l = 0; l < sizeof(labels) / sizeof(labels[0]); l++) {
        for (i = 0; i < r->n; i++) {
            const char *text = meta_text(r, i);
            char *c, *p;
            size_t ok = 0;

            if (text == NULL ||
                (text == r->cells[i].text && strstr(r->cells[i].norm, labels[l]) == NULL) ||
                cell_chrome(r, i))
                continue;
            c = ogid_compact(text);
            if (c == NULL) {
                r->oom = 1;
                return json_null();
            }
            p = strstr(c, labels[l]);
            if (p != NULL) {
                p += strlen(labels[l]);
                while (*p == ':' || strncmp(p, "：", 3) == 0)
                    p += *p == ':' ? 1 : 3;
                ok = ogid_date_parse(p, &t, 0);
                if (ok == 0 && *p == '\0' && i + 1 < r->n && !cell_chrome(r, i + 1)) {
                    char *n2 = ogid_compact(r->cells[i + 1].text);

                    if (n2 != NULL)
                        ok = ogid_date_parse(n2, &t, 0);
                    free(n2);
                }
            }
            free(c);
            if (ok)
                return date_json(&t);
        }
    }
    return json_null();
}

/* The statistics period: "从2023年1月1日至12月31日", "自2019年1月1日起至
 * 2019年12月31日止", in a sentence that speaks of 统计 or 报告期. */
static json_t *find_period(struct rec *r)
{
    static const char *const words[] = {"统计", "报告期", "期限"};
    static const char *const joins[] = {"至", "到", "-", "—", "~", "～", "－", "–"};
    size_t i, w, j;

    for (i = 0; i < r->n; i++) {
        const char *text = meta_text(r, i);
        char *s;
        const char *p;

        if (text == NULL)
            continue;
        for (w = 0; w < sizeof(words) / sizeof(words[0]); w++)
            if (strstr(text, words[w]) != NULL)
                break;
        if (w == sizeof(words) / sizeof(words[0]) || cell_chrome(r, i))
            continue;
        s = ogid_compact(text);
        if (s == NULL) {
            r->oom = 1;
            return json_null();
        }
        for (p = s; *p; p++) {
            struct ogid_date a, b;
            size_t k;
            const char *q;

            if (*p < '0' || *p > '9' || (p > s && p[-1] >= '0' && p[-1] <= '9'))
                continue;
            if ((k = ogid_date_parse(p, &a, 0)) == 0)
                continue;
            q = p + k;
            if (strncmp(q, "起", 3) == 0)
                q += 3;
            for (j = 0; j < sizeof(joins) / sizeof(joins[0]); j++)
                if (strncmp(q, joins[j], strlen(joins[j])) == 0)
                    break;
            if (j == sizeof(joins) / sizeof(joins[0]))
                continue;
            q += strlen(joins[j]);
            if (ogid_date_parse(q, &b, a.y) == 0)
                continue;
            if (b.y * 10000 + b.m * 100 + b.d < a.y * 10000 + a.m * 100 + a.d)
                continue;
            free(s);
            return json_pack("{s:o, s:o}", "from", date_json(&a), "to", date_json(&b));
        }
        free(s);
    }
    return json_null();
}

/* The agency: the title's text before the year, or where the year comes
 * first ("2019年上海市人民政府办公厅政府信息公开…") the text after it. */
static json_t *title_agency(const char *t, int year, size_t at, size_t after)
{
    static const char *const ends[] = {"政府信息公开", "政务公开", "信息公开", "年度报告"};
    char *s = NULL, *e;
    size_t i, len;
    json_t *out;

    if (year != 0 && at > 0) {
        s = ogid_trim_dup(t, at);
    } else {
        const char *b = year != 0 ? t + after : t;

        if (strncmp(b, "度", 3) == 0)
            b += 3;
        len = strlen(b);
        for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
            const char *x = strstr(b, ends[i]);

            if (x != NULL && (size_t)(x - b) < len)
                len = (size_t)(x - b);
        }
        s = ogid_trim_dup(b, len);
    }
    if (s == NULL)
        return NULL;
    /* "XX局关于2023年…", "《XX局2023年…": not part of the name. */
    len = strlen(s);
    if (len >= 6 && strcmp(s + len - 6, "关于") == 0)
        s[len - 6] = '\0';
    e = s;
    if (strncmp(e, "《", 3) == 0)
        e += 3;
    out = e[0] != '\0' ? json_string(e) : json_null();
    free(s);
    return out;
}

/* The title: the first line naming a 年度报告, without a "标题:" label.
 * *out is NULL when there is none. Returns 0 or OGID_ENOMEM. */
static int find_title(struct rec *r, char **out)
{
    size_t i, limit = r->n_sec ? r->sec[0].cell : r->n;

    *out = NULL;
    for (i = 0; i < limit; i++) {
        const struct cell *c = &r->cells[i];
        const char *t = c->text, *x;

        /* Not a sentence, nor a breadcrumb ("首页 > … > …年度报告"). */
        if (!c->whole || strstr(t, "年度报告") == NULL || strlen(t) > 300 ||
            strstr(t, "。") != NULL || strchr(t, '>') != NULL ||
            strstr(t, "当前位置") != NULL || cell_chrome(r, i))
            continue;
        if ((x = strstr(t, ":")) != NULL && x - t <= 12)
            t = x + 1;
        else if ((x = strstr(t, "：")) != NULL && x - t <= 12)
            t = x + 3;
        *out = ogid_trim_dup(t, strlen(t));
        return *out ? 0 : OGID_ENOMEM;
    }
    return 0;
}

static json_t *meta_json(struct rec *r)
{
    json_t *meta = json_object(), *v;
    char *title = NULL;
    size_t at = 0, after = 0;
    int year = 0;

    oom_if_null(r, meta);
    if (meta == NULL)
        return NULL;
    if (find_title(r, &title) != 0) {
        r->oom = 1;
        return meta;
    }
    if (title == NULL) {
        put(r, meta, "title", json_null());
        put(r, meta, "agency", json_null());
        note(r, "warning", "META_MISSING", json_pack("{s:s}", "field", "title"),
             "no title naming a 年度报告 found");
    } else {
        /* Year and agency from the title without spaces, digits in ASCII. */
        char *flat = ogid_compact(title);

        put(r, meta, "title", json_string(title));
        if (flat != NULL)
            year = ogid_title_year(flat, &at, &after);
        v = flat ? title_agency(flat, year, at, after) : NULL;
        free(flat);
        put(r, meta, "agency", v);
        if (v != NULL && json_is_null(v))
            note(r, "warning", "META_MISSING", json_pack("{s:s}", "field", "agency"),
                 "no agency in the title");
        free(title);
    }
    put(r, meta, "year", year ? json_integer(year) : json_null());
    if (year == 0)
        note(r, "warning", "META_MISSING", json_pack("{s:s}", "field", "year"),
             "no report year in the title");
    v = find_published(r);
    put(r, meta, "published", v);
    if (v != NULL && json_is_null(v))
        note(r, "info", "META_MISSING", json_pack("{s:s}", "field", "published"),
             "no publication date (发布日期) found");
    v = find_period(r);
    put(r, meta, "period", v);
    if (v != NULL && json_is_null(v))
        note(r, "info", "META_MISSING", json_pack("{s:s}", "field", "period"),
             "no statistics period found");
    put(r, meta, "form", r->form ? json_string(r->form->id) : json_null());
    return meta;
}

/* ---- The model -------------------------------------------------------- */

static void rec_clear(struct rec *r)
{
    size_t i;

    for (i = 0; i < r->n; i++) {
        free(r->cells[i].text);
        free(r->cells[i].norm);
    }
    free(r->cells);
    for (i = 0; i < r->n_sec; i++) {
        free(r->sec[i].title);
        free(r->sec[i].rest);
    }
    free(r->block_first);
    free(r->block_chrome);
    json_decref(r->notes);
}

int ogid_recognise(const struct ogid_document *doc, const struct ogid_forms *forms,
                   json_t *source, json_t **model)
{
    struct rec r;
    json_t *m = NULL, *active = NULL, *requests = NULL, *appeals = NULL;
    size_t end = 0, i;
    int rc = OGID_ENOMEM, no;

    *model = NULL;
    if (doc == NULL || forms == NULL)
        return OGID_EINVAL;
    memset(&r, 0, sizeof(r));
    r.doc = doc;
    r.forms = forms;
    r.notes = json_array();
    if (r.notes == NULL || build_stream(&r) != 0 || find_sections(&r) != 0)
        goto fail;
    find_body_end(&r);
    r.form = detect_form(&r);
    if (r.form != NULL) {
        struct range g;

        g = table_range(&r, r.form->active.section, end);
        active = read_active(&r, g, &end);
        g = table_range(&r, r.form->requests.section, end);
        requests = read_requests(&r, g, &end);
        g = table_range(&r, r.form->appeals.section, end);
        appeals = read_appeals(&r, g, &end);
    } else {
        note(&r, "warning", "FORM_UNKNOWN", NULL,
             "no table of a known form found (a report before 2019, or tables the forms do "
             "not describe); the tables are not read");
        active = json_null();
        requests = json_null();
        appeals = json_null();
    }
    for (no = 1; no <= 6; no++)
        if (section_no(&r, no) == NULL)
            note(&r, "warning", "SECTION_MISSING", json_pack("{s:i}", "section", no),
                 "section %s (%s) not found", numerals[no - 1], section_title(&r, no));
    m = json_object();
    if (m == NULL)
        goto fail;
    put(&r, m, "model", json_integer(1));
    put(&r, m, "source", source ? json_incref(source) : json_null());
    put(&r, m, "meta", meta_json(&r));
    put(&r, m, "sections", sections_json(&r));
    put(&r, m, "active", active);
    put(&r, m, "requests", requests);
    put(&r, m, "appeals", appeals);
    active = requests = appeals = NULL;
    for (i = 0; i < json_array_size(r.notes); i++)
        if (json_array_get(r.notes, i) == NULL)
            r.oom = 1;
    put(&r, m, "notes", json_incref(r.notes));
    if (r.oom)
        goto fail;
    *model = m;
    m = NULL;
    rc = 0;
fail:
    json_decref(active);
    json_decref(requests);
    json_decref(appeals);
    json_decref(m);
    rec_clear(&r);
    return rc;
}
