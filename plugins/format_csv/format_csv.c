/* format_csv: comma- or tab-separated tables, as an office keeps its request
 * register (依申请公开登记台账) in a spreadsheet and saves it as CSV.
 *
 * Lines starting with '#' before the first row are comments that carry what
 * the table does not (# 机关：…, # 年度：…); each becomes a paragraph,
 * without its '#'. The first other line is the header, and it and every
 * record after it become the rows of one table grid. Fields follow RFC 4180:
 * a field in double quotes may hold the delimiter, line breaks and doubled
 * quotes; after the closing quote, anything up to the delimiter is kept (as
 * Excel reads "a" b). Spreadsheets and hand edits are not always that
 * careful, so the reading is lenient where the RFC is silent: a quote inside
 * an unquoted field is a character, and a quoted field that never closes is
 * read again as an unquoted one.
 *
 * Row r of the grid is line L + r of the file, where L is the line of the
 * header (the table's line): blank lines between records, and the lines a
 * quoted field with line breaks runs over, become empty rows. A consumer can
 * then name the line of every record without the builder carrying one.
 *
 * The text: the host normalises text input (full-width forms, curly quotes to
 * straight ones), which would turn “…” inside a quoted field into quote
 * characters the CSV syntax sees. So where the bytes are valid UTF-8 they are
 * parsed as they are and each field is normalised afterwards, the host's way.
 * Other encodings (GB18030) are parsed from the host's text, and there a
 * quote in a quoted field that is neither doubled nor followed by the end of
 * the field is taken for a former curly quote, a character, and a doubled
 * quote right before the end of the field for a closing curly quote and the
 * field's own closing quote.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ogid/ogid_error.h"
#include "ogid/ogid_log.h"
#include "ogid/ogid_plugin.h"
#include "plugin_text.h"

#define PLUGIN "format_csv"
/* A header cell longer than this, or with more spaces, is prose, not a
 * column name. */
#define MAX_HEADER_CELL 40
#define MAX_HEADER_SPACES 2
/* Lines looked at by probe for the header and the first record. */
#define PROBE_LINES 64

static const struct ogid_host *host;

/* ---- Text with one spelling ------------------------------------------------ */

static int valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    uint32_t cp;

    while (i < n) {
        size_t k = ogid_pc_utf8_decode(s + i, n - i, &cp);

        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

/* Writes s[0..n) into t normalised and trimmed of blanks at both ends;
 * line breaks inside become '\n'. Bytes that are not UTF-8 are kept for the
 * host's builder to replace. */
static void normalise_into(struct ogid_pc_text *t, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, keep;
    uint32_t cp;

    t->len = 0;
    if (t->s != NULL)
        t->s[0] = '\0';
    while (i < n) {
        size_t k = ogid_pc_utf8_decode(s + i, n - i, &cp);

        if (k == 0) {
            ogid_pc_text_append(t, (const char *)s + i, 1);
            i++;
            continue;
        }
        i += k;
        cp = ogid_pc_normal_form(cp);
        if (cp == 0 || (cp == '\r' && i < n && s[i] == '\n'))
            continue;
        if (cp == '\r')
            cp = '\n';
        if (cp == '\t' || cp == '\f' || cp == '\v')
            cp = ' ';
        if (cp == ' ' && t->len == 0)
            continue;
        ogid_pc_text_put_cp(t, cp);
    }
    keep = t->len;
    while (keep > 0 && (t->s[keep - 1] == ' ' || t->s[keep - 1] == '\n'))
        keep--;
    t->len = keep;
    if (t->s != NULL)
        t->s[keep] = '\0';
}

/* ---- Records ---------------------------------------------------------------- */

struct reader {
    const char *p, *end;
    uint32_t line; /* line of *p */
    char delim;
    /* Reading the host's text, in which curly quotes became straight ones:
     * a quote in a quoted field that is neither doubled nor followed by the
     * end of the field is taken for one of them, a character. */
    int curly;
    /* Where a quoted field was found never to close: quoted fields after it
     * are read as unquoted at once, so a file of stray quotes costs one
     * scan, not one a field. */
    const char *no_close;
};

static int is_eol(const struct reader *r, const char *q)
{
    return q < r->end && (*q == '\n' || *q == '\r');
}

/* Steps over one line break at q (\n, \r\n or \r); returns what follows. */
static const char *past_eol(const struct reader *r, const char *q)
{
    if (q < r->end && *q == '\r') {
        q++;
        if (q < r->end && *q == '\n')
            q++;
    } else if (q < r->end && *q == '\n') {
        q++;
    }
    return q;
}

/* One field into raw (bytes as written, quotes resolved). Leaves r->p on the
 * delimiter, the line break or the end that ends it. */
static void read_field(struct reader *r, struct ogid_pc_text *raw)
{
    const char *q = r->p, *start;
    uint32_t line = r->line;

    raw->len = 0;
    if (raw->s != NULL)
        raw->s[0] = '\0';
    while (q < r->end && *q == ' ')
        q++;
    if (q < r->end && *q == '"' && (r->no_close == NULL || q < r->no_close)) {
        start = q++;
        for (;;) {
            if (q >= r->end) {
                /* Never closed: the quote was a character after all. */
                r->no_close = start;
                q = start;
                line = r->line;
                raw->len = 0;
                goto unquoted;
            }
            if (*q == '"') {
                const char *after = q + 1;

                if (after < r->end && *after == '"') {
                    /* A doubled quote; but in the host's text, one before
                     * the end of the field was a closing curly quote and
                     * then the field's own. */
                    const char *end = after + 1;

                    while (r->curly && end < r->end && *end == ' ')
                        end++;
                    ogid_pc_text_append(raw, "\"", 1);
                    if (r->curly && (end >= r->end || *end == r->delim || is_eol(r, end))) {
                        q = end;
                        break;
                    }
                    q += 2;
                    continue;
                }
                while (after < r->end && *after == ' ')
                    after++;
                if (!r->curly || after >= r->end || *after == r->delim ||
                    is_eol(r, after)) {
                    q++;
                    break;
                }
                ogid_pc_text_append(raw, "\"", 1); /* a curly quote inside the field */
                q++;
                continue;
            }
            if (*q == '\n' || *q == '\r') {
                const char *n = past_eol(r, q);

                ogid_pc_text_append(raw, "\n", 1);
                line++;
                q = n;
                continue;
            }
            ogid_pc_text_append(raw, q, 1);
            q++;
        }
        /* Anything between the closing quote and the delimiter is kept. */
        while (q < r->end && *q != r->delim && !is_eol(r, q)) {
            ogid_pc_text_append(raw, q, 1);
            q++;
        }
        r->p = q;
        r->line = line;
        return;
    }
unquoted:
    start = q;
    while (q < r->end && *q != r->delim && !is_eol(r, q))
        q++;
    ogid_pc_text_append(raw, start, (size_t)(q - start));
    r->p = q;
    r->line = line;
}

/* The delimiter of a header line: a tab where the line has at least two tabs
 * and no more commas than tabs, else a comma. Counts outside quotes. */
static char pick_delim(const char *p, const char *end, size_t *commas, size_t *tabs)
{
    int quoted = 0;

    *commas = *tabs = 0;
    for (; p < end && *p != '\n' && *p != '\r'; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted && *p == ',')
            (*commas)++;
        else if (!quoted && *p == '\t')
            (*tabs)++;
    }
    return *tabs >= 2 && *tabs >= *commas ? '\t' : ',';
}

/* The source of the fields: the bytes where they are UTF-8 (without a BOM),
 * else the host's text (*curly = 1). NULL where there is neither. */
static const char *source_of(const struct ogid_input *in, size_t *len, int *curly)
{
    const unsigned char *b = in->bytes;
    size_t n = in->len;

    *curly = 0;
    if (b != NULL && valid_utf8(b, n)) {
        if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
            b += 3;
            n -= 3;
        }
        *len = n;
        return (const char *)b;
    }
    *curly = 1;
    *len = in->text_len;
    return in->text;
}

static int blank_line(const char *p, const char *end)
{
    for (; p < end && *p != '\n' && *p != '\r'; p++)
        if (*p != ' ' && *p != '\t')
            return 0;
    return 1;
}

static const char *next_line(const char *p, const char *end)
{
    while (p < end && *p != '\n' && *p != '\r')
        p++;
    if (p < end && *p == '\r')
        p++;
    if (p < end && *p == '\n')
        p++;
    return p;
}

/* The fields of one record, normalised; buffers are reused. */
struct record {
    struct ogid_pc_text *f;
    size_t n, cap;
};

static void record_free(struct record *rec)
{
    for (size_t i = 0; i < rec->cap; i++)
        free(rec->f[i].s);
    free(rec->f);
}

/* Reads one record into rec and says in *filled whether any field is not
 * empty. Returns 0 or OGID_ENOMEM. */
static int read_record(struct reader *r, struct record *rec, struct ogid_pc_text *raw,
                       int *filled)
{
    *filled = 0;
    rec->n = 0;
    for (;;) {
        struct ogid_pc_text *f;

        if (rec->n == rec->cap) {
            size_t cap = rec->cap ? rec->cap * 2 : 16;
            struct ogid_pc_text *nf = realloc(rec->f, cap * sizeof *nf);

            if (nf == NULL)
                return OGID_ENOMEM;
            memset(nf + rec->cap, 0, (cap - rec->cap) * sizeof *nf);
            rec->f = nf;
            rec->cap = cap;
        }
        read_field(r, raw);
        if (raw->oom)
            return OGID_ENOMEM;
        f = &rec->f[rec->n++];
        normalise_into(f, raw->s ? raw->s : "", raw->len);
        if (f->oom)
            return OGID_ENOMEM;
        if (f->len > 0)
            *filled = 1;
        if (r->p < r->end && *r->p == r->delim) {
            r->p++;
            continue;
        }
        if (r->p < r->end) {
            r->p = past_eol(r, r->p);
            r->line++;
        }
        return 0;
    }
}

/* ---- The callbacks ---------------------------------------------------------- */

static int csv_init(const struct ogid_host *h)
{
    host = h;
    return 0;
}

static void csv_fini(void)
{
    host = NULL;
}

static int has_suffix(const char *name, const char *suffix)
{
    size_t n, k = strlen(suffix);

    if (name == NULL)
        return 0;
    n = strlen(name);
    if (n < k)
        return 0;
    for (size_t i = 0; i < k; i++) {
        char c = name[n - k + i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != suffix[i])
            return 0;
    }
    return 1;
}

/* Counts the fields of the line at p with delim (quotes respected, one line). */
static size_t count_fields(const char *p, const char *end, char delim)
{
    size_t n = 1;
    int quoted = 0;

    for (; p < end && (quoted || (*p != '\n' && *p != '\r')); p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted && *p == delim)
            n++;
    }
    return n;
}

/* Does the line at p look like a header: at least three fields, at least
 * three of them not empty, none longer than a column name, none with the
 * spaces or the full stop of a sentence and none a bare number. */
static int header_like(const char *p, const char *end, char delim, int curly)
{
    struct reader r = {.p = p, .end = end, .line = 1, .delim = delim, .curly = curly};
    struct ogid_pc_text raw = {0};
    size_t fields = 0, filled = 0;
    int ok = 1;

    for (;;) {
        read_field(&r, &raw);
        if (raw.oom) {
            ok = 0;
            break;
        }
        fields++;
        if (raw.len > 0) {
            int digits = 1;
            size_t spaces = 0;

            filled++;
            for (size_t i = 0; i < raw.len; i++)
                spaces += raw.s[i] == ' ';
            if (spaces > MAX_HEADER_SPACES)
                ok = 0;
            if (raw.len > MAX_HEADER_CELL || memchr(raw.s, '\n', raw.len) != NULL ||
                strstr(raw.s, "\xe3\x80\x82") != NULL) /* 。 */
                ok = 0;
            for (size_t i = 0; i < raw.len; i++)
                if (!((raw.s[i] >= '0' && raw.s[i] <= '9') || raw.s[i] == '.' ||
                      raw.s[i] == '-' || raw.s[i] == ' '))
                    digits = 0;
            if (digits)
                ok = 0;
        }
        if (!ok || r.p >= r.end || *r.p != delim)
            break;
        r.p++;
    }
    free(raw.s);
    return ok && fields >= 3 && filled >= 3;
}

static int csv_probe(const struct ogid_input *in)
{
    const char *p, *end;
    size_t len, commas, tabs, fields;
    char delim;
    int lines = 0, curly;

    p = source_of(in, &len, &curly);
    if (p == NULL || len == 0)
        return 0;
    end = p + len;
    /* The header: the first line that is neither blank nor a comment. */
    while (p < end && lines++ < PROBE_LINES && (blank_line(p, end) || *p == '#'))
        p = next_line(p, end);
    if (p >= end || lines > PROBE_LINES)
        return 0;
    delim = pick_delim(p, end, &commas, &tabs);
    if ((delim == ',' ? commas : tabs) < 2 || !header_like(p, end, delim, curly))
        return 0;
    fields = count_fields(p, end, delim);
    /* The first record should have as many fields as the header; a ragged
     * table is still a table when the name says CSV. */
    p = next_line(p, end);
    while (p < end && blank_line(p, end))
        p = next_line(p, end);
    if (p >= end)
        return 50;
    if (count_fields(p, end, delim) == fields)
        return 70;
    return has_suffix(in->name, ".csv") || has_suffix(in->name, ".tsv") ? 40 : 0;
}

static int csv_parse(const struct ogid_input *in, const struct ogid_doc_builder *b)
{
    struct reader r = {0};
    struct record rec = {0};
    struct ogid_pc_text raw = {0}, para = {0};
    const char *src;
    size_t len, commas, tabs;
    uint32_t next_row_line = 0;
    int rc = 0, filled, table = 0;

    src = source_of(in, &len, &r.curly);
    if (src == NULL)
        return OGID_EFORMAT;
    r.p = src;
    r.end = src + len;
    r.line = 1;
    r.delim = ',';

    /* Comments and blank lines before the header. */
    while (r.p < r.end && (blank_line(r.p, r.end) || *r.p == '#')) {
        const char *e = r.p;

        while (e < r.end && *e != '\n' && *e != '\r')
            e++;
        if (*r.p == '#') {
            const char *s = r.p;

            while (s < e && *s == '#')
                s++;
            normalise_into(&para, s, (size_t)(e - s));
            if (para.oom) {
                rc = OGID_ENOMEM;
                goto done;
            }
            if (para.len > 0 && (rc = b->paragraph(b->ctx, para.s, para.len, r.line)) != 0)
                goto done;
        }
        r.p = next_line(r.p, r.end);
        r.line++;
    }
    if (r.p >= r.end)
        goto done;
    r.delim = pick_delim(r.p, r.end, &commas, &tabs);

    while (r.p < r.end) {
        uint32_t line = r.line;

        if ((rc = read_record(&r, &rec, &raw, &filled)) != 0)
            goto done;
        if (!filled)
            continue;
        if (!table) {
            if ((rc = b->table_begin(b->ctx, line)) != 0)
                goto done;
            table = 1;
            next_row_line = line;
        }
        /* Empty rows keep row r of the grid on line L + r. */
        while (next_row_line < line) {
            if ((rc = b->row_begin(b->ctx)) != 0)
                goto done;
            next_row_line++;
        }
        if ((rc = b->row_begin(b->ctx)) != 0)
            goto done;
        for (size_t i = 0; i < rec.n; i++)
            if ((rc = b->cell(b->ctx, rec.f[i].s ? rec.f[i].s : "", rec.f[i].len, 1, 1)) !=
                0)
                goto done;
        next_row_line = line + 1;
    }
    if (table)
        rc = b->table_end(b->ctx);
done:
    if (rc != 0 && rc != OGID_ETOOBIG && host != NULL)
        host->log(OGID_LOG_DEBUG, PLUGIN, "stopped at line %u: %d", (unsigned)r.line, rc);
    record_free(&rec);
    free(raw.s);
    free(para.s);
    return rc;
}

OGID_PLUGIN_DEFINE(format_csv){
    .abi_major = OGID_PLUGIN_ABI_MAJOR,
    .abi_minor = OGID_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(struct ogid_plugin),
    .name = "format_csv",
    .version = "1.0",
    .kind = OGID_PLUGIN_FORMAT,
    .format = "csv",
    .init = csv_init,
    .probe = csv_probe,
    .parse = csv_parse,
    .fini = csv_fini,
};
