/* format_text: plain text as copied from a portal page or dumped by a
 * crawler. Each non-blank line becomes one paragraph, trimmed of spaces; the
 * recogniser reads tables from this stream of cells (a page copied from a
 * browser puts one table cell on each line, or a row on a line with its
 * cells between spaces).
 *
 * The one layout that says where its cells are is the tab: a browser copies
 * a table as one row a line with a tab between cells, empty cells included.
 * Two or more consecutive lines with tabs are emitted as a table, one row a
 * line, one cell between tabs, so that an empty cell stays an empty cell. A
 * lone line with tabs is a paragraph (a "标签\t值" line of a page header is
 * no table). Nothing else is split here: cells separated by spaces, or run
 * together with nothing between them (crawler dumps), are told apart by the
 * recogniser, which knows the tables; this plugin knows only text. */
#include <stddef.h>
#include <string.h>

#include "ogid/ogid_error.h"
#include "ogid/ogid_plugin.h"

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

/* Space within a cell: tabs are cell boundaries in a table row. */
static int is_cell_space(char c)
{
    return c == ' ' || c == '\f' || c == '\v' || c == '\r';
}

static int text_probe(const struct ogid_input *in)
{
    /* Any decodable text can be read as text; richer formats score higher. */
    return in->text != NULL ? 10 : 0;
}

/* One line of the input: [s, e) without its newline, and its number. */
struct line {
    const char *s, *e;
    uint32_t no;
};

/* Reads the line at *p (before end); advances *p past it. */
static void next_line(const char **p, const char *end, uint32_t *no, struct line *l)
{
    const char *eol = memchr(*p, '\n', (size_t)(end - *p));

    l->s = *p;
    l->e = eol ? eol : end;
    l->no = ++*no;
    *p = eol ? eol + 1 : end;
}

/* Is the line a table row: a tab, and some text? */
static int tab_row(const struct line *l)
{
    const char *s;
    int tab = 0, text = 0;

    for (s = l->s; s < l->e && !(tab && text); s++) {
        if (*s == '\t')
            tab = 1;
        else if (!is_space(*s))
            text = 1;
    }
    return tab && text;
}

static int emit_row(const struct ogid_doc_builder *b, const struct line *l)
{
    const char *s = l->s, *e = l->e;
    int rc;

    /* A tab at either end is an empty cell there (a row of table 四 may
     * start with one); only spaces are trimmed. */
    while (s < e && is_cell_space(*s))
        s++;
    while (e > s && is_cell_space(e[-1]))
        e--;
    if ((rc = b->row_begin(b->ctx)) != 0)
        return rc;
    for (;;) {
        const char *t = memchr(s, '\t', (size_t)(e - s));
        const char *ce = t ? t : e, *cs = s;

        while (cs < ce && is_cell_space(*cs))
            cs++;
        while (ce > cs && is_cell_space(ce[-1]))
            ce--;
        if ((rc = b->cell(b->ctx, cs, (size_t)(ce - cs), 1, 1)) != 0)
            return rc;
        if (t == NULL)
            return 0;
        s = t + 1;
    }
}

static int text_parse(const struct ogid_input *in, const struct ogid_doc_builder *b)
{
    const char *p = in->text, *end;
    uint32_t no = 0;
    struct line l, next;
    int have_next = 0, rc;

    if (p == NULL)
        return OGID_EFORMAT;
    end = p + in->text_len;
    while (have_next || p < end) {
        const char *s, *e;

        if (have_next) {
            l = next;
            have_next = 0;
        } else {
            next_line(&p, end, &no, &l);
        }
        if (tab_row(&l) && p < end) {
            next_line(&p, end, &no, &next);
            have_next = 1;
            if (tab_row(&next)) {
                /* Two rows or more: a table, to the first line without a tab. */
                if ((rc = b->table_begin(b->ctx, l.no)) != 0 || (rc = emit_row(b, &l)) != 0)
                    return rc;
                while (have_next && tab_row(&next)) {
                    if ((rc = emit_row(b, &next)) != 0)
                        return rc;
                    have_next = 0;
                    if (p < end) {
                        next_line(&p, end, &no, &next);
                        have_next = 1;
                    }
                }
                if ((rc = b->table_end(b->ctx)) != 0)
                    return rc;
                continue;
            }
        }
        s = l.s;
        e = l.e;
        while (s < e && is_space(*s))
            s++;
        while (e > s && is_space(e[-1]))
            e--;
        if (e > s && (rc = b->paragraph(b->ctx, s, (size_t)(e - s), l.no)) != 0)
            return rc;
    }
    return 0;
}

OGID_PLUGIN_DEFINE(format_text){
    .abi_major = OGID_PLUGIN_ABI_MAJOR,
    .abi_minor = OGID_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(struct ogid_plugin),
    .name = "format_text",
    .version = "1.1",
    .kind = OGID_PLUGIN_FORMAT,
    .format = "text",
    .probe = text_probe,
    .parse = text_parse,
};
