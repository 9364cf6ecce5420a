/* format_html: web pages and article fragments, read with libxml2's HTML
 * parser (which never fetches anything: no network, no external entities).
 *
 * The DOM is walked in document order. Block-level text (p, div, h1-h6, li,
 * ...) becomes paragraphs, and a <br> splits a paragraph, because text copied
 * from a page puts each line on its own. A data table becomes table_begin,
 * one row per <tr>, one cell per <td>/<th> with its rowspan and colspan, and
 * table_end; the host resolves the spans into a grid. Inside a cell, <br> and
 * block boundaries join the pieces: with nothing between two Chinese
 * characters ("商业<br>企业" is 商业企业), with one space otherwise.
 *
 * Pages put their layout in tables too. A table whose cells hold another
 * table, a table of one column, or one with a cell as long as an article is
 * layout: its cells become paragraphs and the tables inside it are read on
 * their own. Scripts, styles, forms' controls and the portal's navigation
 * chrome (nav, header, footer and elements whose class or id names a menu,
 * breadcrumb or share box) are dropped, unless they hold the article body.
 *
 * Everything here is bounded: the walk stops descending at MAX_DEPTH, spans
 * are clamped, and the host's builder refuses more than its cell limit. */
#define _GNU_SOURCE /* memmem */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "ogid/ogid_error.h"
#include "ogid/ogid_log.h"
#include "ogid/ogid_plugin.h"
#include "plugin_text.h"

#define PLUGIN "format_html"
/* Deeper elements are skipped; real pages nest a few dozen levels. */
#define MAX_DEPTH 256
/* How far probe looks for markup. */
#define PROBE_BYTES 4096
/* HTML itself caps colspan at 1000; rowspan is clamped alike. */
#define MAX_SPAN 1000u
/* A cell holding more text than this is a column of the page, not data. */
#define LAYOUT_CELL_BYTES 2048

static const struct ogid_host *host;

/* ---- Text with HTML's white-space rules ---------------------------------- */

enum { PEND_NONE, PEND_SPACE, PEND_BREAK };

/* Text being gathered for one paragraph or cell. Runs of white space become
 * one pending separator, written only when more text follows: a space, or
 * for a line break between two Chinese characters nothing at all (CSS Text 3
 * removes segment breaks between wide characters, and header cells broken
 * with <br> must read as one word). */
struct tbuf {
    struct ogid_pc_text b;
    int pend;
    int last_wide;
    /* Cells join across every line break; paragraphs only across a line
     * break inside one run of text (an exporter's line wrapping), since a
     * newline between two elements (links, spans) is a space on screen. */
    int cell;
};

static void tb_cp(struct tbuf *t, uint32_t cp)
{
    cp = ogid_pc_normal_form(cp);
    if (cp == 0)
        return;
    if (cp == ' ' || cp == '\t' || cp == '\f' || cp == '\v') {
        if (t->pend < PEND_SPACE)
            t->pend = PEND_SPACE;
        return;
    }
    if (cp == '\n' || cp == '\r') {
        t->pend = PEND_BREAK;
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
    int seen = 0;

    if (!t->cell && t->pend == PEND_BREAK)
        t->pend = PEND_SPACE;
    while (i < n) {
        uint32_t cp = ogid_pc_utf8_get(u + i, n - i, &used);

        i += used;
        if (!t->cell && !seen && (cp == '\n' || cp == '\r'))
            cp = ' ';
        tb_cp(t, cp);
        if (t->pend == PEND_NONE && t->b.len > 0)
            seen = 1;
    }
    if (!t->cell && t->pend == PEND_BREAK)
        t->pend = PEND_SPACE;
}

/* A line break or block boundary inside a cell. */
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

/* Text of a text node. Pages saved by Word carry "downlevel-revealed"
 * conditional comments (<![if !supportLists]> … <![endif]>), which the HTML
 * parser leaves in the text; their markers are not text. */
static void node_text(struct tbuf *t, const xmlNode *n)
{
    const char *s = (const char *)n->content, *end, *m;

    if (s == NULL)
        return;
    end = s + strlen(s);
    while ((m = memmem(s, (size_t)(end - s), "<![", 3)) != NULL) {
        const char *close = memmem(m, (size_t)(end - m), "]>", 2);

        if (close == NULL)
            break;
        tb_text(t, s, (size_t)(m - s));
        s = close + 2;
    }
    tb_text(t, s, (size_t)(end - s));
}

/* ---- What an element is ---------------------------------------------------- */

static int name_in(const char *name, const char *const *list)
{
    for (; *list != NULL; list++)
        if (strcmp(name, *list) == 0)
            return 1;
    return 0;
}

/* Never text of the report. */
static const char *const dropped_tags[] = {
    "script", "style",    "noscript", "template", "iframe",   "frame",  "frameset",
    "object", "embed",    "applet",   "svg",      "math",     "canvas", "select",
    "option", "datalist", "button",   "input",    "textarea", "map",    "audio",
    "video",  "head",     "title",    "link",     "meta",     "base",   NULL};

/* Portal chrome by element, unless inside an article or holding the body. */
static const char *const chrome_tags[] = {"nav", "header", "footer", "aside", NULL};

/* Elements that break the flow of text into paragraphs. */
static const char *const block_tags[] = {
    "p",       "div",   "h1",       "h2",     "h3",     "h4",         "h5",      "h6",
    "li",      "ul",    "ol",       "dl",     "dt",     "dd",         "section", "article",
    "main",    "aside", "header",   "footer", "nav",    "blockquote", "pre",     "address",
    "center",  "form",  "fieldset", "legend", "figure", "figcaption", "caption", "details",
    "summary", "hr",    "table",    "tbody",  "thead",  "tfoot",      "tr",      "td",
    "th",      "body",  "html",     "dir",    "menu",   "noframes",   "marquee", NULL};

/* Words in a class or id that name navigation chrome. */
static const char *const chrome_words[] = {"nav",   "menu",  "footer", "breadcrumb",
                                           "crumb", "share", "search", NULL};

/* Words in a class or id that name the article body; an element holding
 * one is never dropped as chrome (portals nest the body in odd places). */
static const char *const body_words[] = {
    "trs_editor",   "article",     "xxgk",         "zoom", "detail",
    "main_content", "maincontent", "content_text", "zwnr", NULL};

static const char *ename(const xmlNode *n)
{
    return (const char *)n->name;
}

/* Does the attribute's value contain one of the words (case-insensitive)? */
static int attr_has(const xmlNode *el, const char *attr, const char *const *words)
{
    xmlChar *v = xmlGetNoNsProp(el, (const xmlChar *)attr);
    int hit = 0;

    if (v == NULL)
        return 0;
    for (xmlChar *p = v; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (xmlChar)(*p + 32);
    for (; *words != NULL && !hit; words++)
        hit = strstr((const char *)v, *words) != NULL;
    xmlFree(v);
    return hit;
}

static int names_body(const xmlNode *el)
{
    return attr_has(el, "class", body_words) || attr_has(el, "id", body_words);
}

/* Does the subtree hold an element named like the article body? */
static int holds_body(const xmlNode *el, int depth)
{
    if (depth > MAX_DEPTH)
        return 0;
    if (names_body(el))
        return 1;
    for (const xmlNode *c = el->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE && holds_body(c, depth + 1))
            return 1;
    return 0;
}

static int hidden(const xmlNode *el)
{
    xmlChar *v;
    int hit = 0;

    if (xmlHasProp(el, (const xmlChar *)"hidden") != NULL)
        return 1;
    v = xmlGetNoNsProp(el, (const xmlChar *)"style");
    if (v == NULL)
        return 0;
    /* "display: none", in any spacing and case. */
    for (const xmlChar *p = v; *p && !hit; p++) {
        const xmlChar *q;

        if ((*p | 0x20) != 'd' || strncasecmp((const char *)p, "display", 7) != 0)
            continue;
        q = p + 7;
        while (*q == ' ' || *q == '\t' || *q == '\n')
            q++;
        if (*q != ':')
            continue;
        q++;
        while (*q == ' ' || *q == '\t' || *q == '\n')
            q++;
        hit = strncasecmp((const char *)q, "none", 4) == 0;
    }
    xmlFree(v);
    return hit;
}

/* Rows and cells are never dropped as chrome by their class, which would
 * shift the grid; only what a browser would not show at all. */
static int not_in_grid(const xmlNode *el)
{
    return name_in(ename(el), dropped_tags) || hidden(el);
}

enum { KEEP, DROP_SILENT, DROP_BLOCK };

/* Whether to skip an element: DROP_SILENT for elements that hold no text of
 * the page (scripts), DROP_BLOCK for chrome that ends a paragraph. */
static int drop_kind(const xmlNode *el, int in_article, int depth)
{
    const char *name = ename(el);

    if (name_in(name, dropped_tags))
        return DROP_SILENT;
    if (strcmp(name, "body") == 0 || strcmp(name, "html") == 0 ||
        strcmp(name, "main") == 0 || strcmp(name, "article") == 0)
        return KEEP;
    if ((name_in(name, chrome_tags) && !in_article) || hidden(el) ||
        attr_has(el, "class", chrome_words) || attr_has(el, "id", chrome_words))
        return holds_body(el, depth) ? KEEP : DROP_BLOCK;
    return KEEP;
}

/* ---- The walk ---------------------------------------------------------------- */

struct walk {
    const struct ogid_doc_builder *b;
    struct tbuf para;
    uint32_t para_line;
    struct tbuf cell;
    int in_article;
    int deep_warned;
};

static uint32_t line_of(const xmlNode *n)
{
    long l = xmlGetLineNo(n);

    return l > 0 && l < (long)UINT32_MAX ? (uint32_t)l : 0;
}

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
        rc = w->b->paragraph(w->b->ctx, w->para.b.s, w->para.b.len, w->para_line);
    tb_reset(&w->para);
    w->para_line = 0;
    return rc;
}

static int element(struct walk *w, xmlNode *el, int depth);

static int children(struct walk *w, xmlNode *n, int depth)
{
    int rc;

    for (xmlNode *c = n->children; c != NULL; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            node_text(&w->para, c);
            if (w->para_line == 0 && w->para.b.len > 0)
                w->para_line = line_of(c);
        } else if (c->type == XML_ELEMENT_NODE) {
            if ((rc = element(w, c, depth + 1)) != 0)
                return rc;
        }
    }
    return 0;
}

/* The text of a cell, joined across <br> and blocks, into w->cell. */
static void cell_text(struct walk *w, xmlNode *n, int depth)
{
    if (depth > MAX_DEPTH) {
        too_deep(w);
        return;
    }
    for (xmlNode *c = n->children; c != NULL; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            node_text(&w->cell, c);
        } else if (c->type == XML_ELEMENT_NODE) {
            const char *name = ename(c);

            if (drop_kind(c, 1, depth) != KEEP)
                continue;
            if (strcmp(name, "br") == 0) {
                tb_break(&w->cell);
            } else if (name_in(name, block_tags)) {
                tb_break(&w->cell);
                cell_text(w, c, depth + 1);
                tb_break(&w->cell);
            } else {
                cell_text(w, c, depth + 1);
            }
        }
    }
}

/* What a table holds, to tell data from layout. */
struct tscan {
    size_t widest; /* most cells in one row */
    size_t row_cells;
    int nested;    /* a table inside */
    int long_cell; /* a cell with an article's worth of text */
};

static size_t text_bytes(const xmlNode *n, size_t limit, int depth)
{
    size_t sum = 0;

    if (depth > MAX_DEPTH)
        return 0;
    for (const xmlNode *c = n->children; c != NULL && sum <= limit; c = c->next) {
        if (c->type == XML_TEXT_NODE && c->content != NULL)
            sum += strlen((const char *)c->content);
        else if (c->type == XML_ELEMENT_NODE && !name_in(ename(c), dropped_tags))
            sum += text_bytes(c, limit - sum, depth + 1);
    }
    return sum;
}

static void scan(const xmlNode *n, struct tscan *s, int depth)
{
    if (depth > MAX_DEPTH)
        return;
    for (const xmlNode *c = n->children; c != NULL && !s->nested; c = c->next) {
        const char *name;

        if (c->type != XML_ELEMENT_NODE)
            continue;
        name = ename(c);
        if (name_in(name, dropped_tags))
            continue;
        if (strcmp(name, "table") == 0) {
            s->nested = 1;
        } else if (strcmp(name, "tr") == 0) {
            s->row_cells = 0;
            scan(c, s, depth + 1);
        } else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
            if (++s->row_cells > s->widest)
                s->widest = s->row_cells;
            if (text_bytes(c, LAYOUT_CELL_BYTES, depth + 1) > LAYOUT_CELL_BYTES)
                s->long_cell = 1;
            scan(c, s, depth + 1);
        } else {
            scan(c, s, depth + 1);
        }
    }
}

/* rowspan/colspan as browsers read them (leading digits), clamped to
 * 1..MAX_SPAN; anything unreadable is 1. */
static uint32_t span_attr(const xmlNode *el, const char *attr)
{
    xmlChar *v = xmlGetNoNsProp(el, (const xmlChar *)attr);
    const xmlChar *p;
    uint32_t n = 0;
    int digits = 0;

    if (v == NULL)
        return 1;
    p = v;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f')
        p++;
    if (*p == '+')
        p++;
    for (; *p >= '0' && *p <= '9'; p++) {
        digits = 1;
        if (n <= MAX_SPAN)
            n = n * 10 + (uint32_t)(*p - '0');
    }
    xmlFree(v);
    if (!digits || n == 0)
        return 1;
    return n > MAX_SPAN ? MAX_SPAN : n;
}

static int emit_cells(struct walk *w, xmlNode *n, int depth)
{
    int rc;

    if (depth > MAX_DEPTH) {
        too_deep(w);
        return 0;
    }
    for (xmlNode *c = n->children; c != NULL; c = c->next) {
        const char *name;

        if (c->type != XML_ELEMENT_NODE || not_in_grid(c))
            continue;
        name = ename(c);
        if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
            tb_reset(&w->cell);
            cell_text(w, c, depth + 1);
            if (w->cell.b.oom)
                return OGID_ENOMEM;
            rc = w->b->cell(w->b->ctx, w->cell.b.s ? w->cell.b.s : "", w->cell.b.len,
                            span_attr(c, "rowspan"), span_attr(c, "colspan"));
            if (rc != 0)
                return rc;
        } else if (strcmp(name, "tr") != 0) {
            /* Cells wrapped in something else (a <form>, a <font>). */
            if ((rc = emit_cells(w, c, depth + 1)) != 0)
                return rc;
        }
    }
    return 0;
}

/* Does the subtree hold no visible text? */
static int blank(const xmlNode *n, int depth)
{
    if (depth > MAX_DEPTH)
        return 1;
    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if (c->type == XML_TEXT_NODE && c->content != NULL) {
            const unsigned char *p = c->content;

            while (*p != '\0') {
                if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                    p++;
                else if (p[0] == 0xC2 && p[1] == 0xA0) /* &nbsp; */
                    p += 2;
                else
                    return 0;
            }
        } else if (c->type == XML_ELEMENT_NODE && !name_in(ename(c), dropped_tags) &&
                   !blank(c, depth + 1)) {
            return 0;
        }
    }
    return 1;
}

/* Word's saved pages end tables with a row of height 0 and empty cells that
 * only fixes column widths (<![if !supportMisalignedColumns]>): no row of
 * the table. */
static int spacer_row(const xmlNode *tr, int depth)
{
    xmlChar *h = xmlGetNoNsProp(tr, (const xmlChar *)"height");
    int zero = h != NULL && strcmp((const char *)h, "0") == 0;

    xmlFree(h);
    return zero && blank(tr, depth);
}

static int emit_rows(struct walk *w, xmlNode *n, int depth)
{
    int rc;

    if (depth > MAX_DEPTH) {
        too_deep(w);
        return 0;
    }
    for (xmlNode *c = n->children; c != NULL; c = c->next) {
        const char *name;

        if (c->type != XML_ELEMENT_NODE || not_in_grid(c))
            continue;
        name = ename(c);
        if (strcmp(name, "caption") == 0)
            continue;
        if (strcmp(name, "tr") == 0) {
            if (spacer_row(c, depth))
                continue;
            if ((rc = w->b->row_begin(w->b->ctx)) != 0 ||
                (rc = emit_cells(w, c, depth + 1)) != 0)
                return rc;
        } else if ((rc = emit_rows(w, c, depth + 1)) != 0) {
            return rc;
        }
    }
    return 0;
}

static int table(struct walk *w, xmlNode *el, int depth)
{
    struct tscan s = {0};
    int rc;

    if ((rc = flush(w)) != 0)
        return rc;
    scan(el, &s, depth);
    if (s.nested || s.widest <= 1 || s.long_cell) {
        /* Layout: its cells are blocks of text, tables inside it stand alone. */
        if (host != NULL)
            host->log(OGID_LOG_DEBUG, PLUGIN, "line %u: layout table read as text",
                      (unsigned)line_of(el));
        if ((rc = children(w, el, depth)) != 0)
            return rc;
        return flush(w);
    }
    /* A caption titles the table: a paragraph before it. */
    for (xmlNode *c = el->children; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && strcmp(ename(c), "caption") == 0) {
            if ((rc = children(w, c, depth + 1)) != 0 || (rc = flush(w)) != 0)
                return rc;
        }
    }
    if ((rc = w->b->table_begin(w->b->ctx, line_of(el))) != 0 ||
        (rc = emit_rows(w, el, depth + 1)) != 0)
        return rc;
    return w->b->table_end(w->b->ctx);
}

static int element(struct walk *w, xmlNode *el, int depth)
{
    const char *name = ename(el);
    int kind, rc, article;

    if (depth > MAX_DEPTH) {
        too_deep(w);
        return 0;
    }
    kind = drop_kind(el, w->in_article, depth);
    if (kind == DROP_SILENT)
        return 0;
    if (kind == DROP_BLOCK)
        return flush(w);
    if (strcmp(name, "br") == 0 || strcmp(name, "hr") == 0)
        return flush(w);
    if (strcmp(name, "table") == 0)
        return table(w, el, depth);
    if (!name_in(name, block_tags))
        return children(w, el, depth);
    article = strcmp(name, "article") == 0 || strcmp(name, "main") == 0 || names_body(el);
    if ((rc = flush(w)) != 0)
        return rc;
    w->in_article += article;
    rc = children(w, el, depth);
    w->in_article -= article;
    if (rc != 0)
        return rc;
    return flush(w);
}

/* ---- The page title ------------------------------------------------------- */

static xmlNode *child_named(xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp(ename(c), name) == 0)
            return c;
    return NULL;
}

/* The <title>, up to the site name portals append ("…年度报告_XX网"), is the
 * first paragraph when the page shows it nowhere else: a bare page may have
 * no other title, and a page that repeats it in its body needs no second. */
static int page_title(struct walk *w, xmlDoc *doc, const char *text, size_t text_len)
{
    static const char *const seps[] = {"_", "|", " - ", " -- ", NULL};
    xmlNode *title = child_named(child_named(xmlDocGetRootElement(doc), "head"), "title");
    xmlChar *v;
    size_t cut, hits = 0;
    const char *p, *end = text + text_len;
    int rc;

    if (title == NULL || (v = xmlNodeGetContent(title)) == NULL)
        return 0;
    tb_text(&w->para, (const char *)v, strlen((const char *)v));
    xmlFree(v);
    if (w->para.b.oom)
        return OGID_ENOMEM;
    cut = w->para.b.len;
    for (size_t i = 0; seps[i] != NULL; i++) {
        const char *x = w->para.b.len ? strstr(w->para.b.s, seps[i]) : NULL;

        if (x != NULL && (size_t)(x - w->para.b.s) < cut)
            cut = (size_t)(x - w->para.b.s);
    }
    while (cut > 0 && w->para.b.s[cut - 1] == ' ')
        cut--;
    if (cut == 0) {
        tb_reset(&w->para);
        return 0;
    }
    for (p = text; p < end && hits < 2; p++) {
        p = memmem(p, (size_t)(end - p), w->para.b.s, cut);
        if (p == NULL)
            break;
        hits++;
    }
    if (hits >= 2) {
        tb_reset(&w->para);
        return 0;
    }
    rc = w->b->paragraph(w->b->ctx, w->para.b.s, cut, line_of(title));
    tb_reset(&w->para);
    return rc;
}

/* ---- The callbacks ---------------------------------------------------------- */

static int html_init(const struct ogid_host *h)
{
    host = h;
    xmlInitParser();
    return 0;
}

static void html_fini(void)
{
    /* No xmlCleanupParser(): other plugins in this process use libxml2. */
    host = NULL;
}

/* Is there a tag `name` at p (after '<'), i.e. followed by a space, '>' or
 * '/'? */
static int tag_at(const char *p, const char *end, const char *name)
{
    size_t n = strlen(name);

    if ((size_t)(end - p) <= n || strncasecmp(p, name, n) != 0)
        return 0;
    return p[n] == '>' || p[n] == '/' || p[n] == ' ' || p[n] == '\t' || p[n] == '\n' ||
           p[n] == '\r';
}

/* A page (a doctype, <html>, <body>, <table>...) is markup for certain; a
 * fragment ("<p style=...>...</p>") is when it has a few tags. A text that
 * only mentions a tag or two is left to the text plugin (which scores 10). */
static int html_probe(const struct ogid_input *in)
{
    static const char *const strong[] = {"!doctype", "html", "head", "body",
                                         "table",    "meta", NULL};
    static const char *const weak[] = {"p",  "div", "br", "span", "td", "tr", "h1",
                                       "h2", "h3",  "li", "font", "b",  NULL};
    const char *p, *end;
    int tags = 0;

    if (in->text == NULL)
        return 0;
    p = in->text;
    end = p + (in->text_len < PROBE_BYTES ? in->text_len : PROBE_BYTES);
    while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        int closing = 0;

        p++;
        if (p < end && *p == '/') {
            closing = 1;
            p++;
        }
        for (size_t i = 0; strong[i] != NULL; i++)
            if (tag_at(p, end, strong[i]))
                return 80;
        /* A closing tag, or one with attributes, is markup; "<br>" alone
         * may be a mention. */
        for (size_t i = 0; weak[i] != NULL; i++) {
            size_t n = strlen(weak[i]);

            if (tag_at(p, end, weak[i]))
                tags += closing || p[n] == ' ' || p[n] == '\t' || p[n] == '\n' ? 2 : 1;
        }
        if (tags >= 3)
            return 80;
    }
    return tags > 0 ? 5 : 0;
}

static int html_parse(const struct ogid_input *in, const struct ogid_doc_builder *b)
{
    /* The host has decoded the page to UTF-8, so the page's own charset
     * declaration must be ignored (else a GBK page would be decoded twice). */
    const int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                     HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT;
    struct walk w = {.b = b, .cell = {.cell = 1}};
    htmlParserCtxtPtr ctxt;
    xmlDoc *doc;
    int rc;

    if (in->text == NULL)
        return OGID_EFORMAT;
    if (in->text_len > INT_MAX)
        return OGID_ETOOBIG;
    ctxt = htmlNewParserCtxt();
    if (ctxt == NULL)
        return OGID_ENOMEM;
    ctxt->linenumbers = 1;
    doc =
        htmlCtxtReadMemory(ctxt, in->text, (int)in->text_len, "input.html", "UTF-8", opts);
    if (doc == NULL) {
        htmlFreeParserCtxt(ctxt);
        return OGID_EFORMAT;
    }
    rc = page_title(&w, doc, in->text, in->text_len);
    if (rc == 0)
        rc = children(&w, (xmlNode *)doc, 0);
    if (rc == 0)
        rc = flush(&w);
    free(w.para.b.s);
    free(w.cell.b.s);
    xmlFreeDoc(doc);
    htmlFreeParserCtxt(ctxt);
    return rc;
}

OGID_PLUGIN_DEFINE(format_html){
    .abi_major = OGID_PLUGIN_ABI_MAJOR,
    .abi_minor = OGID_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(struct ogid_plugin),
    .name = "format_html",
    .version = "1.0",
    .kind = OGID_PLUGIN_FORMAT,
    .format = "html",
    .init = html_init,
    .probe = html_probe,
    .parse = html_parse,
    .fini = html_fini,
};
