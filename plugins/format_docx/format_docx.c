/* format_docx: Word documents (Office Open XML), read with libzip and
 * libxml2.
 *
 * A .docx is a zip of XML parts; the text is in the main document part
 * (word/document.xml, or whatever _rels/.rels names). Each w:p becomes a
 * paragraph (w:br splits it, w:tab is a space); each w:tbl a table whose
 * cells carry w:gridSpan as colspan. Vertical merges are told cell by cell in
 * Word (w:vMerge="restart" on the first, bare w:vMerge on the cells below),
 * so the rowspan of a restart cell is counted by looking down its column, and
 * the continuation cells are not emitted: the host's builder places the
 * spanned cell over them. Tables holding tables, and tables of one column,
 * are layout: their cells become paragraphs and the inner tables stand alone.
 * Numbers Word generates for list paragraphs ("一、" before a heading) are
 * written before the text, as Word shows them.
 *
 * A zip is a decompression bomb until shown otherwise. Every entry read is
 * checked against the host's max_expanded_bytes before any allocation (its
 * declared size, the running total, and a compression ratio over 200:1 for
 * entries over 1 MiB), and read into a buffer one byte larger than declared,
 * so an entry that inflates past its declared size is caught, not trusted.
 * The XML parser never touches the network, never loads a DTD and never
 * substitutes entities; a part with a DOCTYPE (which OOXML forbids) is
 * refused. Word's text is not normalised by the host (only text input is),
 * so this plugin maps full-width forms and odd spaces the way the host does. */
#define _GNU_SOURCE /* memmem */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zip.h>

#include "ogid/ogid_error.h"
#include "ogid/ogid_log.h"
#include "ogid/ogid_plugin.h"
#include "plugin_text.h"
#include "plugin_zip.h"

#define PLUGIN "format_docx"
#define MAX_DEPTH 256
#define MAX_SPAN 1000u
#define LAYOUT_CELL_BYTES 2048
/* The package relationships are a few hundred bytes. */
#define MAX_RELS_BYTES (1u << 20)
#define DEFAULT_MAX_EXPANDED ((size_t)64 << 20)
#define DEFAULT_MAX_CELLS ((size_t)200000)

static const struct ogid_host *host;
static size_t max_expanded = DEFAULT_MAX_EXPANDED;
static size_t max_cells = DEFAULT_MAX_CELLS;

#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define W_NS_STRICT "http://purl.oclc.org/ooxml/wordprocessingml/main"
#define MC_NS "http://schemas.openxmlformats.org/markup-compatibility/2006"

/* ---- Text with one spelling ------------------------------------------------ */

enum { PEND_NONE, PEND_SPACE, PEND_BREAK };

/* Text being gathered for one paragraph or cell. White space collapses to
 * one pending separator, written only when more text follows; a break
 * inside a cell (a second paragraph, a w:br) is nothing between two Chinese
 * characters ("商业" + "企业" is 商业企业) and a space otherwise. */
struct tbuf {
    struct ogid_pc_text b;
    int pend;
    int last_wide;
};

static void tb_cp(struct tbuf *t, uint32_t cp)
{
    cp = ogid_pc_normal_form(cp);
    if (cp == 0)
        return;
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v') {
        if (t->pend < PEND_SPACE)
            t->pend = PEND_SPACE;
        return;
    }
    if (t->b.len > 0 && t->pend != PEND_NONE &&
        (t->pend == PEND_SPACE || !(t->last_wide && ogid_pc_wide(cp))))
        ogid_pc_text_append(&t->b, " ", 1);
    t->pend = PEND_NONE;
    ogid_pc_text_put_cp(&t->b, cp);
    t->last_wide = ogid_pc_wide(cp);
}

static void tb_text(struct tbuf *t, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, used;

    while (i < n) {
        tb_cp(t, ogid_pc_utf8_get(u + i, n - i, &used));
        i += used;
    }
}

static void tb_break(struct tbuf *t)
{
    t->pend = PEND_BREAK;
}

static void tb_reset(struct tbuf *t)
{
    ogid_pc_text_reset(&t->b);
    t->pend = PEND_NONE;
    t->last_wide = 0;
}

/* ---- WordprocessingML ------------------------------------------------------ */

/* Is n the element w:<name> (transitional or strict namespace)? */
static int is_w(const xmlNode *n, const char *name)
{
    const char *href;

    if (n == NULL || n->type != XML_ELEMENT_NODE ||
        strcmp((const char *)n->name, name) != 0 || n->ns == NULL || n->ns->href == NULL)
        return 0;
    href = (const char *)n->ns->href;
    return strcmp(href, W_NS) == 0 || strcmp(href, W_NS_STRICT) == 0;
}

static int is_mc(const xmlNode *n, const char *name)
{
    return n != NULL && n->type == XML_ELEMENT_NODE &&
           strcmp((const char *)n->name, name) == 0 && n->ns != NULL &&
           n->ns->href != NULL && strcmp((const char *)n->ns->href, MC_NS) == 0;
}

static xmlNode *w_child(const xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c != NULL; c = c->next)
        if (is_w(c, name))
            return c;
    return NULL;
}

/* The w:val attribute (namespaced, or bare as some writers put it). Caller
 * frees with xmlFree. */
static xmlChar *w_val(const xmlNode *n)
{
    xmlChar *v;

    if (n == NULL)
        return NULL;
    v = xmlGetNsProp(n, (const xmlChar *)"val", (const xmlChar *)W_NS);
    if (v == NULL)
        v = xmlGetNsProp(n, (const xmlChar *)"val", (const xmlChar *)W_NS_STRICT);
    if (v == NULL)
        v = xmlGetNoNsProp(n, (const xmlChar *)"val");
    return v;
}

/* An on/off property (w:vanish): present and not switched off. */
static int w_on(const xmlNode *n)
{
    xmlChar *v;
    int on;

    if (n == NULL)
        return 0;
    v = w_val(n);
    if (v == NULL)
        return 1;
    on = strcmp((const char *)v, "0") != 0 && strcmp((const char *)v, "false") != 0 &&
         strcmp((const char *)v, "off") != 0;
    xmlFree(v);
    return on;
}

/* A decimal w:val clamped to 0..MAX_SPAN; `dflt` when absent or unreadable. */
static uint32_t w_num(const xmlNode *n, uint32_t dflt)
{
    xmlChar *v = w_val(n);
    uint32_t x = 0;
    int digits = 0;

    if (v == NULL)
        return dflt;
    for (const xmlChar *p = v; *p >= '0' && *p <= '9'; p++) {
        digits = 1;
        if (x <= MAX_SPAN)
            x = x * 10 + (uint32_t)(*p - '0');
    }
    xmlFree(v);
    if (!digits)
        return dflt;
    return x > MAX_SPAN ? MAX_SPAN : x;
}

/* Containers whose content is read as if they were not there. */
static int transparent(const xmlNode *n)
{
    static const char *const names[] = {"hyperlink", "smartTag", "customXml", "fldSimple",
                                        "ins",       "moveTo",   "sdt",       "sdtContent",
                                        "bdo",       "dir",      NULL};

    for (size_t i = 0; names[i] != NULL; i++)
        if (is_w(n, names[i]))
            return 1;
    return 0;
}

/* ---- The walk ---------------------------------------------------------------- */

struct numbering;

struct walk {
    const struct ogid_doc_builder *b;
    struct tbuf para;
    struct tbuf cell;
    struct numbering *num; /* list numbering, or NULL */
    int deep_warned;
};

static void number_prefix(struct walk *w, const xmlNode *p, struct tbuf *t);

static void too_deep(struct walk *w)
{
    if (!w->deep_warned && host != NULL)
        host->log(OGID_LOG_WARN, PLUGIN, "elements nested deeper than %d skipped",
                  MAX_DEPTH);
    w->deep_warned = 1;
}

static int flush(struct walk *w)
{
    int rc = 0;

    if (w->para.b.oom)
        return OGID_ENOMEM;
    if (w->para.b.len > 0)
        rc = w->b->paragraph(w->b->ctx, w->para.b.s, w->para.b.len, 0);
    tb_reset(&w->para);
    return rc;
}

/* The text of the runs under n into t. A line break ends the paragraph
 * (in a cell: joins, see struct tbuf). */
static int runs(struct walk *w, const xmlNode *n, struct tbuf *t, int depth)
{
    int rc;

    if (depth > MAX_DEPTH) {
        too_deep(w);
        return 0;
    }
    for (xmlNode *c = n->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (is_w(c, "r")) {
            if (w_on(w_child(w_child(c, "rPr"), "vanish")))
                continue; /* hidden text */
            if ((rc = runs(w, c, t, depth + 1)) != 0)
                return rc;
        } else if (is_w(c, "t")) {
            xmlChar *v = xmlNodeGetContent(c);

            if (v != NULL) {
                tb_text(t, (const char *)v, strlen((const char *)v));
                xmlFree(v);
            }
        } else if (is_w(c, "tab") || is_w(c, "ptab")) {
            tb_cp(t, ' ');
        } else if (is_w(c, "noBreakHyphen")) {
            tb_cp(t, '-');
        } else if (is_w(c, "br") || is_w(c, "cr")) {
            if (t == &w->cell)
                tb_break(t);
            else if ((rc = flush(w)) != 0)
                return rc;
        } else if (transparent(c)) {
            if ((rc = runs(w, c, t, depth + 1)) != 0)
                return rc;
        }
        /* Everything else holds no text of the paragraph: properties,
         * deleted text (w:del, w:delText, w:moveFrom), field codes
         * (w:instrText), drawings and text boxes, math. */
    }
    return t->b.oom ? OGID_ENOMEM : 0;
}

static int paragraph(struct walk *w, const xmlNode *p, int depth)
{
    int rc;

    if ((rc = flush(w)) != 0)
        return rc;
    number_prefix(w, p, &w->para);
    if ((rc = runs(w, p, &w->para, depth + 1)) != 0)
        return rc;
    return flush(w);
}

static int blocks(struct walk *w, const xmlNode *n, int depth);

/* One row of a table as read: where each cell starts in the grid. */
struct dcell {
    const xmlNode *tc;
    uint32_t col, span, rowspan;
    int merge;   /* 0, RESTART or CONTINUE */
    int covered; /* a continuation the restart above spans */
};

struct drow {
    struct dcell *cells;
    size_t n, cap;
    uint32_t before;
};

enum { RESTART = 1, CONTINUE = 2 };

struct dtable {
    struct drow *rows;
    size_t n, cap;
    int nested, long_cell;
    size_t widest;
};

static void dtable_free(struct dtable *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->rows[i].cells);
    free(t->rows);
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    size_t n = *cap ? *cap : 8;
    void *q;

    if (need <= *cap)
        return 0;
    while (n < need) {
        if (n > SIZE_MAX / 2 / size)
            return OGID_ENOMEM;
        n *= 2;
    }
    q = realloc(*p, n * size);
    if (q == NULL)
        return OGID_ENOMEM;
    *p = q;
    *cap = n;
    return 0;
}

static size_t text_bytes(const xmlNode *n, size_t limit, int depth)
{
    size_t sum = 0;

    if (depth > MAX_DEPTH)
        return 0;
    for (const xmlNode *c = n->children; c != NULL && sum <= limit; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (is_w(c, "t")) {
            for (const xmlNode *x = c->children; x != NULL; x = x->next)
                if (x->type == XML_TEXT_NODE && x->content != NULL)
                    sum += strlen((const char *)x->content);
        } else {
            sum += text_bytes(c, limit - sum, depth + 1);
        }
    }
    return sum;
}

static int holds_table(const xmlNode *n, int depth)
{
    if (depth > MAX_DEPTH)
        return 0;
    for (const xmlNode *c = n->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE && (is_w(c, "tbl") || holds_table(c, depth + 1)))
            return 1;
    return 0;
}

static int add_cell(struct dtable *t, struct drow *r, const xmlNode *tc, uint32_t *col,
                    int depth)
{
    const xmlNode *pr = w_child(tc, "tcPr"), *vm = w_child(pr, "vMerge");
    struct dcell *d;
    uint32_t span = w_num(w_child(pr, "gridSpan"), 1);

    if (grow((void **)&r->cells, &r->cap, r->n + 1, sizeof(*r->cells)) != 0)
        return OGID_ENOMEM;
    d = &r->cells[r->n++];
    memset(d, 0, sizeof(*d));
    d->tc = tc;
    d->col = *col;
    d->span = span ? span : 1;
    d->rowspan = 1;
    if (vm != NULL) {
        xmlChar *v = w_val(vm);

        d->merge =
            v != NULL && strcmp((const char *)v, "restart") == 0 ? RESTART : CONTINUE;
        xmlFree(v);
    }
    if (*col > max_cells || d->span > max_cells - *col)
        return OGID_ETOOBIG;
    *col += d->span;
    if (r->n > t->widest)
        t->widest = r->n;
    if (holds_table(tc, depth))
        t->nested = 1;
    if (text_bytes(tc, LAYOUT_CELL_BYTES, depth) > LAYOUT_CELL_BYTES)
        t->long_cell = 1;
    return 0;
}

/* The cells of a w:tr, through content controls and custom XML wrappers. */
static int row_cells(struct dtable *t, struct drow *r, const xmlNode *n, uint32_t *col,
                     int depth)
{
    int rc;

    if (depth > MAX_DEPTH)
        return 0;
    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if (is_w(c, "tc")) {
            if ((rc = add_cell(t, r, c, col, depth + 1)) != 0)
                return rc;
        } else if (transparent(c)) {
            if ((rc = row_cells(t, r, c, col, depth + 1)) != 0)
                return rc;
        }
    }
    return 0;
}

static int read_rows(struct dtable *t, const xmlNode *n, int depth)
{
    int rc;

    if (depth > MAX_DEPTH)
        return 0;
    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if (is_w(c, "tr")) {
            struct drow *r;
            uint32_t col;

            if (grow((void **)&t->rows, &t->cap, t->n + 1, sizeof(*t->rows)) != 0)
                return OGID_ENOMEM;
            r = &t->rows[t->n++];
            memset(r, 0, sizeof(*r));
            r->before = w_num(w_child(w_child(c, "trPr"), "gridBefore"), 0);
            col = r->before;
            if ((rc = row_cells(t, r, c, &col, depth + 1)) != 0)
                return rc;
        } else if (transparent(c)) {
            if ((rc = read_rows(t, c, depth + 1)) != 0)
                return rc;
        }
    }
    return 0;
}

/* The cell of row r that starts at grid column col, or NULL. */
static struct dcell *cell_at(struct drow *r, uint32_t col)
{
    size_t lo = 0, hi = r->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (r->cells[mid].col == col)
            return &r->cells[mid];
        if (r->cells[mid].col < col)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Rowspans from w:vMerge: a restart cell spans the continuation cells that
 * start in its column in the rows right below it. Each continuation is
 * looked at once, by the restart above it. */
static void merge_rows(struct dtable *t)
{
    for (size_t r = 0; r < t->n; r++) {
        for (size_t i = 0; i < t->rows[r].n; i++) {
            struct dcell *d = &t->rows[r].cells[i];
            size_t k;

            if (d->merge != RESTART)
                continue;
            for (k = r + 1; k < t->n && d->rowspan < MAX_SPAN; k++) {
                struct dcell *below = cell_at(&t->rows[k], d->col);

                if (below == NULL || below->merge != CONTINUE)
                    break;
                below->covered = 1;
                d->rowspan++;
            }
        }
    }
}

static int cell_text(struct walk *w, const xmlNode *tc, int depth)
{
    int rc;

    if (depth > MAX_DEPTH) {
        too_deep(w);
        return 0;
    }
    for (const xmlNode *c = tc->children; c != NULL; c = c->next) {
        if (is_w(c, "p")) {
            tb_break(&w->cell);
            number_prefix(w, c, &w->cell);
            if ((rc = runs(w, c, &w->cell, depth + 1)) != 0)
                return rc;
            tb_break(&w->cell);
        } else if (transparent(c)) {
            if ((rc = cell_text(w, c, depth + 1)) != 0)
                return rc;
        }
    }
    return w->cell.b.oom ? OGID_ENOMEM : 0;
}

static int emit_table(struct walk *w, struct dtable *t, int depth)
{
    int rc;

    if ((rc = w->b->table_begin(w->b->ctx, 0)) != 0)
        return rc;
    for (size_t r = 0; r < t->n; r++) {
        const struct drow *row = &t->rows[r];

        if ((rc = w->b->row_begin(w->b->ctx)) != 0)
            return rc;
        /* Columns the row leaves out before its first cell keep their place. */
        if (row->before > 0 && (rc = w->b->cell(w->b->ctx, "", 0, 1, row->before)) != 0)
            return rc;
        for (size_t i = 0; i < row->n; i++) {
            const struct dcell *d = &row->cells[i];

            if (d->covered)
                continue;
            tb_reset(&w->cell);
            if ((rc = cell_text(w, d->tc, depth + 1)) != 0)
                return rc;
            rc = w->b->cell(w->b->ctx, w->cell.b.s ? w->cell.b.s : "", w->cell.b.len,
                            d->rowspan, d->span);
            if (rc != 0)
                return rc;
        }
    }
    return w->b->table_end(w->b->ctx);
}

static int table(struct walk *w, const xmlNode *tbl, int depth)
{
    struct dtable t = {0};
    int rc;

    if ((rc = flush(w)) != 0)
        return rc;
    if ((rc = read_rows(&t, tbl, depth + 1)) != 0)
        goto done;
    if (t.nested || t.widest <= 1 || t.long_cell) {
        /* Layout: the cells' paragraphs, and the tables inside on their own. */
        if (host != NULL)
            host->log(OGID_LOG_DEBUG, PLUGIN, "layout table read as text");
        for (size_t r = 0; r < t.n && rc == 0; r++)
            for (size_t i = 0; i < t.rows[r].n && rc == 0; i++)
                rc = blocks(w, t.rows[r].cells[i].tc, depth + 1);
        goto done;
    }
    merge_rows(&t);
    rc = emit_table(w, &t, depth);
done:
    dtable_free(&t);
    return rc;
}

/* Block-level content: the body, a cell of a layout table, a content
 * control. */
static int blocks(struct walk *w, const xmlNode *n, int depth)
{
    int rc;

    if (depth > MAX_DEPTH) {
        too_deep(w);
        return 0;
    }
    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (is_w(c, "p"))
            rc = paragraph(w, c, depth);
        else if (is_w(c, "tbl"))
            rc = table(w, c, depth);
        else if (transparent(c))
            rc = blocks(w, c, depth + 1);
        else if (is_mc(c, "AlternateContent"))
            /* The first choice only: the others say the same again. */
            rc = c->children != NULL ? blocks(w, c->children, depth + 1) : 0;
        else
            rc = 0;
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---- List numbering ------------------------------------------------------------
 *
 * Word can number paragraphs itself ("一、" "(一)" "1." before headings),
 * from word/numbering.xml, either on the paragraph (w:numPr) or through its
 * style (styles.xml). The numbers are then not in the text, and a heading
 * would reach the recogniser as "总体情况" without its "一、". The counters
 * are kept per abstract numbering, as Word does for lists that share one;
 * a w:startOverride restarts its level at the list's first paragraph. */

#define MAX_LVL 9
#define MAX_STYLE_CHAIN 16

struct lvl {
    uint32_t start;
    char fmt[32];
    char text[96]; /* w:lvlText, e.g. "%1、" */
};

struct absnum {
    long id;
    struct lvl lvl[MAX_LVL];
    uint32_t count[MAX_LVL];
    unsigned char started[MAX_LVL];
};

struct num {
    long id;
    long abs;
    uint32_t override[MAX_LVL];
    unsigned char has_override[MAX_LVL];
    unsigned char used;
};

struct style_num {
    char id[96];
    char based_on[96];
    long num_id; /* -1: none given */
    int ilvl;    /* -1: none given */
};

struct numbering {
    struct absnum *abs;
    size_t n_abs, cap_abs;
    struct num *num;
    size_t n_num, cap_num;
    struct style_num *styles;
    size_t n_styles, cap_styles;
};

static void numbering_free(struct numbering *nb)
{
    if (nb == NULL)
        return;
    free(nb->abs);
    free(nb->num);
    free(nb->styles);
    free(nb);
}

static void copy_attr(char *dst, size_t len, const xmlNode *n)
{
    xmlChar *v = w_val(n);

    dst[0] = '\0';
    if (v != NULL && strlen((const char *)v) < len)
        memcpy(dst, v, strlen((const char *)v) + 1);
    xmlFree(v);
}

/* A decimal attribute of w:'s namespace, or dflt. */
static long w_long_attr(const xmlNode *n, const char *name, long dflt)
{
    xmlChar *v = n ? xmlGetNsProp(n, (const xmlChar *)name, (const xmlChar *)W_NS) : NULL;
    long x = 0;
    int digits = 0;

    if (v == NULL && n != NULL)
        v = xmlGetNsProp(n, (const xmlChar *)name, (const xmlChar *)W_NS_STRICT);
    if (v == NULL)
        return dflt;
    for (const xmlChar *p = v; *p >= '0' && *p <= '9' && x < 100000000; p++) {
        digits = 1;
        x = x * 10 + (*p - '0');
    }
    xmlFree(v);
    return digits ? x : dflt;
}

static long w_long(const xmlNode *n, long dflt)
{
    xmlChar *v = w_val(n);
    long x = 0;
    int digits = 0;

    if (v == NULL)
        return dflt;
    for (const xmlChar *p = v; *p >= '0' && *p <= '9' && x < 100000000; p++) {
        digits = 1;
        x = x * 10 + (*p - '0');
    }
    xmlFree(v);
    return digits ? x : dflt;
}

static int numbering_read(struct numbering *nb, const xmlNode *root)
{
    for (const xmlNode *c = root ? root->children : NULL; c != NULL; c = c->next) {
        if (is_w(c, "abstractNum")) {
            struct absnum *a;

            if (grow((void **)&nb->abs, &nb->cap_abs, nb->n_abs + 1, sizeof(*nb->abs)) != 0)
                return OGID_ENOMEM;
            a = &nb->abs[nb->n_abs++];
            memset(a, 0, sizeof(*a));
            a->id = w_long_attr(c, "abstractNumId", -1);
            for (int i = 0; i < MAX_LVL; i++)
                a->lvl[i].start = 1;
            for (const xmlNode *l = c->children; l != NULL; l = l->next) {
                long il = w_long_attr(l, "ilvl", -1);

                if (!is_w(l, "lvl") || il < 0 || il >= MAX_LVL)
                    continue;
                a->lvl[il].start = (uint32_t)w_long(w_child(l, "start"), 1);
                copy_attr(a->lvl[il].fmt, sizeof a->lvl[il].fmt, w_child(l, "numFmt"));
                copy_attr(a->lvl[il].text, sizeof a->lvl[il].text, w_child(l, "lvlText"));
            }
        } else if (is_w(c, "num")) {
            struct num *n;

            if (grow((void **)&nb->num, &nb->cap_num, nb->n_num + 1, sizeof(*nb->num)) != 0)
                return OGID_ENOMEM;
            n = &nb->num[nb->n_num++];
            memset(n, 0, sizeof(*n));
            n->id = w_long_attr(c, "numId", -1);
            n->abs = w_long(w_child(c, "abstractNumId"), -1);
            for (const xmlNode *o = c->children; o != NULL; o = o->next) {
                long il = w_long_attr(o, "ilvl", -1);
                const xmlNode *so = w_child(o, "startOverride");

                if (!is_w(o, "lvlOverride") || il < 0 || il >= MAX_LVL || so == NULL)
                    continue;
                n->override[il] = (uint32_t)w_long(so, 1);
                n->has_override[il] = 1;
            }
        }
    }
    return 0;
}

static int styles_read(struct numbering *nb, const xmlNode *root)
{
    for (const xmlNode *c = root ? root->children : NULL; c != NULL; c = c->next) {
        const xmlNode *ppr, *npr;
        struct style_num *st;
        xmlChar *id;

        if (!is_w(c, "style"))
            continue;
        ppr = w_child(c, "pPr");
        npr = w_child(ppr, "numPr");
        if (npr == NULL && w_child(c, "basedOn") == NULL)
            continue;
        if (grow((void **)&nb->styles, &nb->cap_styles, nb->n_styles + 1,
                 sizeof(*nb->styles)) != 0)
            return OGID_ENOMEM;
        st = &nb->styles[nb->n_styles];
        memset(st, 0, sizeof(*st));
        id = xmlGetNsProp(c, (const xmlChar *)"styleId", (const xmlChar *)W_NS);
        if (id == NULL || strlen((const char *)id) >= sizeof st->id) {
            xmlFree(id);
            continue;
        }
        memcpy(st->id, id, strlen((const char *)id) + 1);
        xmlFree(id);
        copy_attr(st->based_on, sizeof st->based_on, w_child(c, "basedOn"));
        st->num_id = npr ? w_long(w_child(npr, "numId"), -1) : -1;
        st->ilvl = npr ? (int)w_long(w_child(npr, "ilvl"), -1) : -1;
        nb->n_styles++;
    }
    return 0;
}

static const struct style_num *style_find(const struct numbering *nb, const char *id)
{
    for (size_t i = 0; i < nb->n_styles; i++)
        if (strcmp(nb->styles[i].id, id) == 0)
            return &nb->styles[i];
    return NULL;
}

static void put_utf8(char **o, char *end, uint32_t cp)
{
    char *p = *o;

    if (cp < 0x80 && p + 1 <= end) {
        *p++ = (char)cp;
    } else if (cp < 0x800 && p + 2 <= end) {
        *p++ = (char)(0xC0 | (cp >> 6));
        *p++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp >= 0x800 && p + 3 <= end) {
        *p++ = (char)(0xE0 | (cp >> 12));
        *p++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *p++ = (char)(0x80 | (cp & 0x3F));
    }
    *o = p;
}

/* Writes counter n in Word's number format fmt; bullets were caught before. */
static void format_number(char **o, char *end, uint32_t n, const char *fmt)
{
    static const uint32_t han[] = {0x3007, 0x4E00, 0x4E8C, 0x4E09, 0x56DB,
                                   0x4E94, 0x516D, 0x4E03, 0x516B, 0x4E5D}; /* 〇一二…九 */
    static const uint32_t legal[] = {0x96F6, 0x58F9, 0x8D30, 0x53C1, 0x8086, 0x4F0D,
                                     0x9646, 0x67D2, 0x634C, 0x7396}; /* 零壹贰…玖 */
    static const uint32_t gan[] = {0x7532, 0x4E59, 0x4E19, 0x4E01, 0x620A,
                                   0x5DF1, 0x5E9A, 0x8F9B, 0x58EC, 0x7678}; /* 甲…癸 */
    char buf[16];

    if (strcmp(fmt, "none") == 0)
        return;
    if ((strncmp(fmt, "chineseCounting", 15) == 0 || strcmp(fmt, "japaneseCounting") == 0 ||
         strcmp(fmt, "taiwaneseCounting") == 0 ||
         strcmp(fmt, "chineseLegalSimplified") == 0) &&
        n >= 1 && n <= 99) {
        const uint32_t *d = strcmp(fmt, "chineseLegalSimplified") == 0 ? legal : han;
        uint32_t ten = d == legal ? 0x62FE : 0x5341; /* 拾 or 十 */

        if (n >= 20)
            put_utf8(o, end, d[n / 10]);
        if (n >= 10)
            put_utf8(o, end, ten);
        if (n % 10 != 0)
            put_utf8(o, end, d[n % 10]);
        return;
    }
    if (strcmp(fmt, "ideographDigital") == 0) {
        int len = snprintf(buf, sizeof buf, "%u", (unsigned)n);

        for (int i = 0; i < len; i++)
            put_utf8(o, end, han[buf[i] - '0']);
        return;
    }
    if (strcmp(fmt, "ideographTraditional") == 0 && n >= 1 && n <= 10) {
        put_utf8(o, end, gan[n - 1]);
        return;
    }
    if (strncmp(fmt, "decimalEnclosedCircle", 21) == 0 && n >= 1 && n <= 20) {
        put_utf8(o, end, 0x2460 + n - 1); /* ① */
        return;
    }
    if ((strcmp(fmt, "upperLetter") == 0 || strcmp(fmt, "lowerLetter") == 0) && n >= 1) {
        char a = fmt[0] == 'u' ? 'A' : 'a';

        for (uint32_t k = 0; k <= (n - 1) / 26 && k < 8; k++)
            put_utf8(o, end, (uint32_t)(a + (n - 1) % 26));
        return;
    }
    if ((strcmp(fmt, "upperRoman") == 0 || strcmp(fmt, "lowerRoman") == 0) && n >= 1 &&
        n < 4000) {
        static const char *const r[] = {"M",  "CM", "D",  "CD", "C",  "XC", "L",
                                        "XL", "X",  "IX", "V",  "IV", "I"};
        static const uint32_t v[] = {1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1};

        for (int i = 0; i < 13; i++)
            for (; n >= v[i]; n -= v[i])
                for (const char *c = r[i]; *c; c++)
                    put_utf8(o, end, (uint32_t)(fmt[0] == 'u' ? *c : *c + 32));
        return;
    }
    snprintf(buf, sizeof buf, strcmp(fmt, "decimalZero") == 0 ? "%02u" : "%u", (unsigned)n);
    for (const char *c = buf; *c; c++)
        put_utf8(o, end, (uint32_t)*c);
}

/* The number of paragraph p, if Word numbers it, at the start of t. */
static void number_prefix(struct walk *w, const xmlNode *p, struct tbuf *t)
{
    struct numbering *nb = w->num;
    const xmlNode *ppr = w_child(p, "pPr"), *npr = w_child(ppr, "numPr");
    long num_id = -1, ilvl = -1;
    struct num *n = NULL;
    struct absnum *a = NULL;
    char out[256], *o = out, *end = out + sizeof out;
    const char *s;

    if (nb == NULL)
        return;
    if (npr != NULL) {
        num_id = w_long(w_child(npr, "numId"), -1);
        ilvl = w_long(w_child(npr, "ilvl"), -1);
    }
    if (num_id < 0 || ilvl < 0) {
        /* From the paragraph's style and the styles it is based on. */
        char id[96];
        const struct style_num *st;

        copy_attr(id, sizeof id, w_child(ppr, "pStyle"));
        for (int k = 0; k < MAX_STYLE_CHAIN && id[0] && (st = style_find(nb, id)); k++) {
            if (num_id < 0 && st->num_id >= 0)
                num_id = st->num_id;
            if (ilvl < 0 && st->ilvl >= 0)
                ilvl = st->ilvl;
            if (num_id >= 0 && ilvl >= 0)
                break;
            memmove(id, st->based_on, sizeof id);
        }
    }
    if (num_id <= 0) /* numId 0 switches numbering off */
        return;
    if (ilvl < 0 || ilvl >= MAX_LVL)
        ilvl = 0;
    for (size_t i = 0; i < nb->n_num && n == NULL; i++)
        if (nb->num[i].id == num_id)
            n = &nb->num[i];
    for (size_t i = 0; n != NULL && i < nb->n_abs && a == NULL; i++)
        if (nb->abs[i].id == n->abs)
            a = &nb->abs[i];
    if (a == NULL || strcmp(a->lvl[ilvl].fmt, "bullet") == 0)
        return;
    if (!n->used) {
        for (int l = 0; l < MAX_LVL; l++) {
            if (n->has_override[l]) {
                a->started[l] = 0;
                a->lvl[l].start = n->override[l];
            }
        }
        n->used = 1;
    }
    a->count[ilvl] = a->started[ilvl] ? a->count[ilvl] + 1 : a->lvl[ilvl].start;
    a->started[ilvl] = 1;
    for (int l = (int)ilvl + 1; l < MAX_LVL; l++)
        a->started[l] = 0;
    for (s = a->lvl[ilvl].text; *s != '\0'; s++) {
        if (s[0] == '%' && s[1] >= '1' && s[1] <= '9') {
            int l = s[1] - '1';

            format_number(&o, end - 1, a->started[l] ? a->count[l] : a->lvl[l].start,
                          a->lvl[l].fmt);
            s++;
        } else if (o + 1 < end) {
            *o++ = *s;
        }
    }
    if (o == out)
        return;
    tb_text(t, out, (size_t)(o - out));
    /* Word puts a tab after the number; typed headings have nothing after
     * punctuation ("一、总体情况", "1.属于国家秘密"), so only a bare number
     * or letter gets a space. */
    if ((o[-1] >= '0' && o[-1] <= '9') || ((o[-1] | 0x20) >= 'a' && (o[-1] | 0x20) <= 'z'))
        tb_cp(t, ' ');
}

/* ---- The package ------------------------------------------------------------- */

/* One zip entry, read whole under the limits (see plugin_zip.h). */
static int read_entry(zip_t *za, const char *name, size_t limit, size_t *budget, char **out,
                      size_t *out_len)
{
    return ogid_pc_zip_read(host, PLUGIN, za, name, limit, budget, out, out_len);
}

/* XML from the package: no network, no DTD, no entity substitution; a
 * DOCTYPE (forbidden in OOXML, the way to an entity bomb) is refused. */
static xmlDoc *read_xml(const char *buf, size_t len, const char *name)
{
    if (len > INT_MAX || memmem(buf, len, "<!DOCTYPE", 9) != NULL ||
        memmem(buf, len, "<!ENTITY", 8) != NULL)
        return NULL;
    return xmlReadMemory(buf, (int)len, name, NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* The main document part named by the package relationships, into out;
 * word/document.xml where they do not say. */
static int main_part(zip_t *za, size_t *budget, char *out, size_t outlen)
{
    static const char suffix[] = "/officeDocument";
    char *buf = NULL;
    size_t len = 0;
    xmlDoc *doc;
    int rc;

    snprintf(out, outlen, "word/document.xml");
    rc = read_entry(za, "_rels/.rels", MAX_RELS_BYTES, budget, &buf, &len);
    if (rc == OGID_ENOENT)
        return 0;
    if (rc != 0)
        return rc;
    doc = read_xml(buf, len, "rels.xml");
    free(buf);
    if (doc == NULL)
        return 0;
    for (xmlNode *c = xmlDocGetRootElement(doc) ? xmlDocGetRootElement(doc)->children
                                                : NULL;
         c != NULL; c = c->next) {
        xmlChar *type, *target;

        if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "Relationship"))
            continue;
        type = xmlGetNoNsProp(c, (const xmlChar *)"Type");
        target = xmlGetNoNsProp(c, (const xmlChar *)"Target");
        if (type != NULL && target != NULL && strlen((const char *)type) > strlen(suffix) &&
            strcmp((const char *)type + strlen((const char *)type) - strlen(suffix),
                   suffix) == 0) {
            const char *t = (const char *)target;

            while (*t == '/')
                t++;
            if (*t != '\0' && strlen(t) < outlen)
                snprintf(out, outlen, "%s", t);
        }
        xmlFree(type);
        xmlFree(target);
    }
    xmlFreeDoc(doc);
    return 0;
}

/* Numbering and styles beside the main part, if any. A part that is over a
 * limit or corrupt in the zip fails the file; one whose XML is unreadable
 * only costs the numbers. */
static int numbering_load(zip_t *za, const char *main_name, size_t *budget,
                          struct numbering **out)
{
    static const char *const parts[] = {"numbering.xml", "styles.xml"};
    const char *slash = strrchr(main_name, '/');
    size_t dir = slash ? (size_t)(slash - main_name) + 1 : 0;
    struct numbering *nb = calloc(1, sizeof(*nb));
    int rc = 0;

    *out = NULL;
    if (nb == NULL)
        return OGID_ENOMEM;
    for (size_t i = 0; i < 2 && rc == 0; i++) {
        char name[512], *buf = NULL;
        size_t len = 0;
        xmlDoc *doc;

        if (dir + strlen(parts[i]) >= sizeof name)
            break;
        memcpy(name, main_name, dir);
        memcpy(name + dir, parts[i], strlen(parts[i]) + 1);
        rc = read_entry(za, name, *budget, budget, &buf, &len);
        if (rc == OGID_ENOENT) {
            rc = 0;
            continue;
        }
        if (rc != 0)
            break;
        doc = read_xml(buf, len, parts[i]);
        free(buf);
        if (doc == NULL)
            continue;
        rc = i == 0 ? numbering_read(nb, xmlDocGetRootElement(doc))
                    : styles_read(nb, xmlDocGetRootElement(doc));
        xmlFreeDoc(doc);
    }
    if (rc != 0 || nb->n_num == 0) {
        numbering_free(nb);
        return rc;
    }
    *out = nb;
    return 0;
}

/* ---- The callbacks ---------------------------------------------------------- */

static int docx_init(const struct ogid_host *h)
{
    host = h;
    if (h->struct_size >= offsetof(struct ogid_host, max_cells) + sizeof(h->max_cells)) {
        if (h->max_expanded_bytes > 0)
            max_expanded = h->max_expanded_bytes;
        if (h->max_cells > 0)
            max_cells = h->max_cells;
    }
    xmlInitParser();
    return 0;
}

static void docx_fini(void)
{
    /* No xmlCleanupParser(): other plugins in this process use libxml2. */
    host = NULL;
    max_expanded = DEFAULT_MAX_EXPANDED;
    max_cells = DEFAULT_MAX_CELLS;
}

static int docx_probe(const struct ogid_input *in)
{
    if (in->len < 4 || memcmp(in->bytes, "PK\3\4", 4) != 0)
        return 0;
    /* Entry names are stored uncompressed, in each local header and again in
     * the central directory. */
    return memmem(in->bytes, in->len, "word/document", 13) != NULL ? 100 : 0;
}

static int docx_parse(const struct ogid_input *in, const struct ogid_doc_builder *b)
{
    struct walk w = {.b = b};
    zip_t *za;
    xmlDoc *doc = NULL;
    xmlNode *root, *body;
    char part[256], *xml = NULL;
    size_t len = 0, budget = max_expanded;
    int rc;

    if (in->bytes == NULL || in->len < 4 || memcmp(in->bytes, "PK\3\4", 4) != 0)
        return OGID_EFORMAT;
    za = ogid_pc_zip_open(host, PLUGIN, in->bytes, in->len, &rc);
    if (za == NULL)
        return rc;
    if ((rc = main_part(za, &budget, part, sizeof part)) != 0)
        goto done;
    rc = read_entry(za, part, max_expanded, &budget, &xml, &len);
    if (rc == OGID_ENOENT)
        rc = OGID_EFORMAT;
    if (rc != 0 || (rc = numbering_load(za, part, &budget, &w.num)) != 0)
        goto done;
    doc = read_xml(xml, len, "document.xml");
    if (doc == NULL) {
        rc = OGID_EFORMAT;
        goto done;
    }
    root = xmlDocGetRootElement(doc);
    body = is_w(root, "document") ? w_child(root, "body") : NULL;
    if (body == NULL) {
        rc = OGID_EFORMAT;
        goto done;
    }
    rc = blocks(&w, body, 0);
    if (rc == 0)
        rc = flush(&w);
done:
    xmlFreeDoc(doc);
    free(xml);
    free(w.para.b.s);
    free(w.cell.b.s);
    numbering_free(w.num);
    zip_discard(za);
    return rc;
}

OGID_PLUGIN_DEFINE(format_docx){
    .abi_major = OGID_PLUGIN_ABI_MAJOR,
    .abi_minor = OGID_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(struct ogid_plugin),
    .name = "format_docx",
    .version = "1.0",
    .kind = OGID_PLUGIN_FORMAT,
    .format = "docx",
    .init = docx_init,
    .probe = docx_probe,
    .parse = docx_parse,
    .fini = docx_fini,
};
