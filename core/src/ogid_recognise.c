/* The form recogniser: turns a neutral document into the report model of
 * contrib/docs/REPORT-MODEL.md, using the form definitions of rules/forms/. This
 * file builds the stream of cells, finds the sections and the form, and puts
 * the model together; the tables, the metadata and the cutting of
 * run-together text are in the files ogid_recognise_int.h lists.
 *
 * Everything works on one flat stream of cells. A paragraph is one cell (or,
 * where it reads like a table row written on one line, "label 1 0 0 …", one
 * cell per space-separated piece; or where a crawler ran the whole body into
 * one line, the pieces between the section headings written inside it; or
 * where table cells run together in it, "规章000行政规范性文件8855698", its
 * labels and digit runs); a table grid contributes the cells that start at
 * each position, row by row, so that a spanned cell counts once. Text copied
 * from a web page puts one table cell on each line, so this one stream serves
 * both documents with grids and documents without.
 *
 * On that stream: section headings ("一、总体情况") are found by number and
 * key words; the form is the one whose signature texts appear most; each
 * table is read inside its section, row labels in the form's order, each
 * followed by as many values as the row has columns. A value is a number or
 * a blank ("", "/", "-", "—", "无"): blanks become null with a BLANK_CELL
 * note, never 0. Digits that ran together are split by the table's
 * identities where exactly one split fits (SPLIT_NUMBERS). What does not fit
 * is said in a note, never guessed: a row whose count of values is wrong, or
 * whose digits split several ways, gets nulls and AMBIGUOUS_NUMBERS; a table
 * whose header is there but none of its rows, UNPARSED_TEXT.
 *
 * All loops walk the stream forwards with bounded indices; the only
 * recursion is the split search of ogid_split.c, bounded in depth and steps. */
#include "ogid_recognise.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ogid/ogid_error.h"
#include "ogid_form.h"
#include "ogid_recognise_int.h"

/* A heading longer than this is prose that happens to start with "一、". */
#define MAX_TITLE_BYTES 150

static const char *const numerals[] = {"一", "二", "三", "四", "五",
                                       "六", "七", "八", "九", "十"};

/* ---- The stream of cells ---------------------------------------------- */

int ogid_rec_add_cell(struct ogid_rec *r, const char *text, size_t len, size_t block,
                      uint32_t line)
{
    struct ogid_rec_cell *c;

    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        struct ogid_rec_cell *nc = realloc(r->cells, cap * sizeof(*nc));

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

static int section_keyword(const struct ogid_rec *r, int no, const char *norm);

/* Length of a section heading written inside a paragraph at s, or 0.
 * Crawler dumps run the whole body into one line, and nothing there says
 * where a title ends: the exact titles of the forms are taken anywhere; any
 * other title only after white space or a full stop, ending at its first
 * 情况 or 事项 (as all six official titles do), without digits or spaces,
 * and with a key word of its section. */
static size_t embedded_heading(struct ogid_rec *r, const char *s, int boundary)
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
static int add_piece(struct ogid_rec *r, const char *s, size_t len, size_t b, uint32_t line)
{
    const char *p = s, *end = s + len;
    size_t k, first = r->n;
    int rc;

    if (!tabular(s, len)) {
        if ((rc = ogid_rec_add_text(r, s, len, b, line)) != 0)
            return rc;
        if (r->n == first + 1 && r->cells[first].text[0] == '\0') {
            /* An empty paragraph is no cell: in text it is a blank line. */
            free(r->cells[first].text);
            free(r->cells[first].norm);
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
        first = r->n;
        if ((rc = ogid_rec_add_text(r, q, (size_t)(p - q), b, line)) != 0)
            return rc;
        if (r->n > first)
            r->cells[first].spaced = 1;
    }
    return 0;
}

/* A paragraph as one cell, or where section headings are written inside it,
 * as the pieces between them and the headings. */
static int add_paragraph(struct ogid_rec *r, size_t b, const struct ogid_block *blk)
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
            if ((rc = ogid_rec_add_cell(r, q, h, b, blk->line)) != 0)
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
int ogid_rec_chrome(const char *text, int *strong)
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

static int build_stream(struct ogid_rec *r)
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

            if (ogid_rec_chrome(blk->text, &strong))
                r->block_chrome[b] = strong ? 2 : 1;
            if ((rc = add_paragraph(r, b, blk)) != 0)
                return rc;
        } else if (blk->kind == OGID_BLOCK_TABLE && blk->cells != NULL) {
            for (i = 0; i < blk->rows; i++) {
                for (j = 0; j < blk->cols; j++) {
                    const char *t = blk->cells[i * blk->cols + j];

                    if (!blk->origin[i * blk->cols + j])
                        continue;
                    if ((rc = ogid_rec_add_cell(r, t, strlen(t), b, blk->line)) != 0)
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
int ogid_rec_same_row(const struct ogid_rec *r, size_t a, size_t b)
{
    const struct ogid_rec_cell *x = &r->cells[a], *y = &r->cells[b];

    if (!x->grid && !y->grid)
        return 1;
    return x->grid && y->grid && x->block == y->block && x->row == y->row;
}

/* ---- Notes ------------------------------------------------------------ */

json_t *ogid_rec_note(struct ogid_rec *r, const char *level, const char *code,
                      json_t *where, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    json_t *n;
    int k;

    va_start(ap, fmt);
    k = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (k >= (int)sizeof(msg)) {
        /* Cut at a character, not inside one (the note must be UTF-8). */
        size_t e = sizeof(msg) - 1, l = e;
        unsigned char lead;

        while (l > 0 && ((unsigned char)msg[l - 1] & 0xC0) == 0x80)
            l--;
        lead = l > 0 ? (unsigned char)msg[l - 1] : 0;
        if (lead >= 0xC0 && l - 1 + (lead >= 0xF0 ? 4u : lead >= 0xE0 ? 3u : 2u) > e)
            msg[l - 1] = '\0';
    }
    if (where == NULL)
        where = json_object();
    n = json_pack("{s:s, s:s, s:s, s:o}", "level", level, "code", code, "message", msg,
                  "where", where);
    ogid_rec_push(r, r->notes, n);
    return n;
}

json_t *ogid_rec_where_cell(const char *table, const char *row, const char *column,
                            uint32_t line)
{
    json_t *w = json_pack("{s:s, s:s}", "table", table, "row", row);

    if (w != NULL && column != NULL)
        json_object_set_new(w, "column", json_string(column));
    if (w != NULL && line != 0)
        json_object_set_new(w, "line", json_integer(line));
    return w;
}

/* ---- Sections and page chrome ----------------------------------------- */

static int section_keyword(const struct ogid_rec *r, int no, const char *norm)
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

static const char *section_title(const struct ogid_rec *r, int no)
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
static int heading(struct ogid_rec *r, const struct ogid_rec_cell *c, int after,
                   struct ogid_rec_section *hit)
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

static int find_sections(struct ogid_rec *r)
{
    size_t i;
    int last = 0, rc;

    for (i = 0; i < r->n && r->n_sec < OGID_REC_MAX_SECTIONS; i++) {
        struct ogid_rec_section *h = &r->sec[r->n_sec];

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

static int block_chrome(const struct ogid_rec *r, size_t b, int *strong)
{
    *strong = r->block_chrome[b] == 2;
    return r->block_chrome[b] != 0;
}

/* The footer: the first strong chrome after the last section heading and
 * after the last prose (portals put the same words in the navigation at the
 * top of a page, and a report without headings has only its prose). */
static void find_body_end(struct ogid_rec *r)
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

static const struct ogid_rec_section *section_no(const struct ogid_rec *r, int no)
{
    size_t i;

    for (i = 0; i < r->n_sec; i++)
        if (r->sec[i].no == no)
            return &r->sec[i];
    return NULL;
}

/* The cell after the last of section i. */
size_t ogid_rec_section_end(const struct ogid_rec *r, size_t i)
{
    size_t e = i + 1 < r->n_sec ? r->sec[i + 1].cell : r->block_first[r->body_end];

    return e < r->sec[i].cell + 1 ? r->sec[i].cell + 1 : e;
}

/* Appends s to the growing text *buf (with `sep` before it unless the text
 * is empty). */
static void text_add(struct ogid_rec *r, char **buf, size_t *len, size_t *cap,
                     const char *s, const char *sep)
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
static char *section_text(struct ogid_rec *r, size_t i)
{
    const struct ogid_rec_section *s = &r->sec[i];
    size_t j = s->cell + 1, end = ogid_rec_section_end(r, i), len = 0, cap = 0, je, t;
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

static json_t *sections_json(struct ogid_rec *r)
{
    json_t *arr = json_array();
    size_t i;

    ogid_rec_oom_if_null(r, arr);
    for (i = 0; arr != NULL && i < r->n_sec; i++) {
        char *text = section_text(r, i);

        if (text == NULL) {
            r->oom = 1;
            break;
        }
        ogid_rec_push(r, arr,
                      json_pack("{s:i, s:s, s:s}", "no", r->sec[i].no, "title",
                                r->sec[i].title, "text", text));
        free(text);
    }
    return arr;
}

/* ---- Form ------------------------------------------------------------- */

/* The form whose signatures the document carries most; NULL when none. */
static const struct ogid_form *detect_form(struct ogid_rec *r)
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
        ogid_rec_note(r, "warning", "FORM_AMBIGUOUS", NULL,
                      "the tables fit more than one form equally well; read as form %s",
                      best->id);
    return best;
}

/* ---- The model -------------------------------------------------------- */

static void rec_clear(struct ogid_rec *r)
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
    free(r->labels);
    json_decref(r->notes);
}

int ogid_recognise(const struct ogid_document *doc, const struct ogid_forms *forms,
                   json_t *source, json_t **model)
{
    struct ogid_rec r;
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
        struct ogid_rec_range g;

        g = ogid_rec_table_range(&r, r.form->active.section, end);
        active = ogid_rec_read_active(&r, g, &end);
        g = ogid_rec_table_range(&r, r.form->requests.section, end);
        requests = ogid_rec_read_requests(&r, g, &end);
        g = ogid_rec_table_range(&r, r.form->appeals.section, end);
        appeals = ogid_rec_read_appeals(&r, g, &end);
    } else {
        ogid_rec_note(
            &r, "warning", "FORM_UNKNOWN", NULL,
            "no table of a known form found (a report before 2019, or tables the forms do "
            "not describe); the tables are not read");
        active = json_null();
        requests = json_null();
        appeals = json_null();
    }
    for (no = 1; no <= 6; no++)
        if (section_no(&r, no) == NULL)
            ogid_rec_note(&r, "warning", "SECTION_MISSING",
                          json_pack("{s:i}", "section", no), "section %s (%s) not found",
                          numerals[no - 1], section_title(&r, no));
    m = json_object();
    if (m == NULL)
        goto fail;
    ogid_rec_put(&r, m, "model", json_integer(1));
    ogid_rec_put(&r, m, "source", source ? json_incref(source) : json_null());
    ogid_rec_put(&r, m, "meta", ogid_rec_meta(&r));
    ogid_rec_put(&r, m, "sections", sections_json(&r));
    ogid_rec_put(&r, m, "active", active);
    ogid_rec_put(&r, m, "requests", requests);
    ogid_rec_put(&r, m, "appeals", appeals);
    active = requests = appeals = NULL;
    for (i = 0; i < json_array_size(r.notes); i++)
        if (json_array_get(r.notes, i) == NULL)
            r.oom = 1;
    ogid_rec_put(&r, m, "notes", json_incref(r.notes));
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
