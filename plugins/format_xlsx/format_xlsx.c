/* format_xlsx: Excel workbooks (Office Open XML spreadsheets), read with
 * libzip and libxml2 — the form in which offices keep their request register
 * (依申请公开登记台账).
 *
 * Only the first sheet is read (the first <sheet> of the workbook, found
 * through the workbook's relationships), and it becomes one table grid.
 * Cell text comes from the shared strings (t="s"), inline strings, formula
 * strings, booleans and numbers. Phonetic runs (<rPh>, the readings Excel
 * keeps for CJK text) are not text. A number in a cell whose style has a date
 * format (built-in number formats 14-22, the CJK date formats 27-36 and 50-58,
 * or a custom format with y, d, or m without h or s) is a date serial and
 * becomes "YYYY-MM-DD" (the 1900 system with its 29 February 1900, or the
 * 1904 system where the workbook says so); any other number is written
 * plainly ("150", "0.5"). Merged cells become spans.
 *
 * Row r of the grid is sheet row F + r, where F (the table's line) is the
 * first row holding a value: rows without values between two that have them
 * become empty rows, so a consumer can name a record's row as Excel shows it.
 *
 * A zip is a decompression bomb until shown otherwise. Every entry is checked
 * against the host's max_expanded_bytes before anything is inflated (its
 * declared size, and the running total for the file), an entry over 1 MiB
 * compressed better than 200:1 is refused, and entries are read into a
 * buffer one byte larger than declared so that one inflating past its size is
 * caught. The XML parser never touches the network, never loads a DTD and
 * never substitutes entities; a part with a DOCTYPE or an entity declaration
 * (which OOXML forbids) is refused. */
#define _GNU_SOURCE /* memmem */
#include <limits.h>
#include <math.h>
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

#define PLUGIN "format_xlsx"
#define MAX_SMALL_PART (4u << 20) /* relationships and the workbook */
#define DEFAULT_MAX_EXPANDED ((size_t)64 << 20)
#define DEFAULT_MAX_CELLS ((size_t)200000)
#define MAX_COLUMNS 16384u /* XFD, Excel's last column */
#define MAX_ROW 1048576u   /* Excel's last row */
#define MAX_MERGES 1024u
/* Runs of more empty cells than this are emitted as one spanning cell, at
 * most MAX_EMPTY_SPAN wide (the builder's colspan cap). */
#define EMPTY_RUN 64u
#define MAX_EMPTY_SPAN 1000u
#define MAX_PATH_LEN 512

static const struct ogid_host *host;
static size_t max_expanded = DEFAULT_MAX_EXPANDED;
static size_t max_cells = DEFAULT_MAX_CELLS;

#define REL_NS "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define REL_NS_STRICT "http://purl.oclc.org/ooxml/officeDocument/relationships"

/* ---- Text with one spelling ------------------------------------------------ */

/* The host's spelling of a code point, as ogid_normalise gives text input;
 * tabs, form feeds and vertical tabs are spaces too. */
static uint32_t normal_form(uint32_t cp)
{
    if (cp == '\t' || cp == '\f' || cp == '\v')
        return ' ';
    return ogid_pc_normal_form(cp);
}

/* One code point from s (n bytes left); *used = 0 for a byte that starts
 * no valid sequence (libxml2 gives valid UTF-8, so this is defensive). */
static uint32_t utf8_get(const unsigned char *s, size_t n, size_t *used)
{
    uint32_t cp;
    size_t len, i;

    *used = 0;
    if (s[0] < 0x80) {
        *used = 1;
        return s[0];
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
        cp = s[0] & 0x1F;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        cp = s[0] & 0x0F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *used = len;
    return cp;
}

/* Appends s normalised; line breaks become '\n'. */
static void tb_text(struct ogid_pc_text *t, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str), i = 0, used;

    while (i < n) {
        uint32_t cp = utf8_get(s + i, n - i, &used);

        if (used == 0) {
            ogid_pc_text_append(t, (const char *)s + i, 1);
            i++;
            continue;
        }
        i += used;
        cp = normal_form(cp);
        if (cp == 0 || (cp == '\r' && i < n && s[i] == '\n'))
            continue;
        ogid_pc_text_put_cp(t, cp == '\r' ? '\n' : cp);
    }
}

/* A malloc'd copy of t's text trimmed of blanks and line breaks at both
 * ends, or NULL when out of memory. */
static char *tb_trimmed(const struct ogid_pc_text *t)
{
    const char *s = t->s ? t->s : "";
    size_t a = 0, b = t->len;
    char *out;

    while (a < b && (s[a] == ' ' || s[a] == '\n'))
        a++;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\n'))
        b--;
    out = malloc(b - a + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, s + a, b - a);
    out[b - a] = '\0';
    return out;
}

/* ---- The package ------------------------------------------------------------- */

/* One zip entry, read whole under the limits (see plugin_zip.h). */
static int read_entry(zip_t *za, const char *name, size_t limit, size_t *budget, char **out,
                      size_t *out_len)
{
    return ogid_pc_zip_read(host, PLUGIN, za, name, limit, budget, out, out_len);
}

/* XML from the package: no network, no DTD, no entity substitution; a
 * DOCTYPE or an entity declaration (forbidden in OOXML, the way to an entity
 * bomb or an external entity) is refused. */
static xmlDoc *read_xml(const char *buf, size_t len, const char *name)
{
    if (len > INT_MAX || memmem(buf, len, "<!DOCTYPE", 9) != NULL ||
        memmem(buf, len, "<!ENTITY", 8) != NULL)
        return NULL;
    return xmlReadMemory(buf, (int)len, name, NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* Reads and parses one part. *doc is NULL when the part is missing
 * (return 0) or on error. */
static int read_part(zip_t *za, const char *name, size_t limit, size_t *budget,
                     xmlDoc **doc)
{
    char *buf;
    size_t len;
    int rc;

    *doc = NULL;
    rc = read_entry(za, name, limit, budget, &buf, &len);
    if (rc == OGID_ENOENT)
        return 0;
    if (rc != 0)
        return rc;
    *doc = read_xml(buf, len, name);
    free(buf);
    return *doc == NULL ? OGID_EFORMAT : 0;
}

static int named(const xmlNode *n, const char *name)
{
    return n != NULL && n->type == XML_ELEMENT_NODE &&
           strcmp((const char *)n->name, name) == 0;
}

static xmlNode *child(const xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c != NULL; c = c->next)
        if (named(c, name))
            return c;
    return NULL;
}

static xmlChar *attr(const xmlNode *n, const char *name)
{
    return xmlGetNoNsProp(n, (const xmlChar *)name);
}

/* The folder part of a part name, with its slash ("xl/"), into out. */
static void dir_of(const char *path, char *out, size_t outlen)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path + 1) : 0;

    if (n >= outlen)
        n = 0;
    memcpy(out, path, n);
    out[n] = '\0';
}

/* A relationship target resolved against the folder of its source part:
 * "worksheets/sheet1.xml" from "xl/" is "xl/worksheets/sheet1.xml", an
 * absolute "/xl/x.xml" is "xl/x.xml", and "." and ".." segments are
 * resolved. 0, or -1 when it does not fit or climbs out of the package. */
static int resolve(const char *dir, const char *target, char *out, size_t outlen)
{
    char joined[2 * MAX_PATH_LEN];
    size_t o = 0;
    const char *p;

    if (target[0] == '/')
        snprintf(joined, sizeof joined, "%s", target + 1);
    else
        snprintf(joined, sizeof joined, "%s%s", dir, target);
    if (strlen(joined) >= MAX_PATH_LEN)
        return -1;
    p = joined;
    while (*p != '\0') {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);

        if (n == 0 || (n == 1 && p[0] == '.')) {
            /* nothing */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (o == 0)
                return -1;
            o--;
            while (o > 0 && out[o - 1] != '/')
                o--;
        } else {
            if (o + n + 2 > outlen)
                return -1;
            memcpy(out + o, p, n);
            o += n;
            if (e != NULL)
                out[o++] = '/';
        }
        p += n + (e ? 1 : 0);
    }
    if (o == 0 || out[o - 1] == '/')
        return -1;
    out[o] = '\0';
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* The parts of the workbook that are read. */
struct parts {
    char workbook[MAX_PATH_LEN];
    char sheet[MAX_PATH_LEN];
    char strings[MAX_PATH_LEN];
    char styles[MAX_PATH_LEN];
    int date1904;
};

/* The workbook part, from the package relationships; xl/workbook.xml where
 * they do not say. */
static int find_workbook(zip_t *za, size_t *budget, struct parts *pt)
{
    xmlDoc *doc;
    int rc;

    snprintf(pt->workbook, sizeof pt->workbook, "xl/workbook.xml");
    rc = read_part(za, "_rels/.rels", MAX_SMALL_PART, budget, &doc);
    if (rc == OGID_EFORMAT)
        return 0; /* unreadable relationships: the usual place */
    if (rc != 0 || doc == NULL)
        return rc;
    for (xmlNode *c = xmlDocGetRootElement(doc) ? xmlDocGetRootElement(doc)->children
                                                : NULL;
         c != NULL; c = c->next) {
        xmlChar *type, *target;

        if (!named(c, "Relationship"))
            continue;
        type = attr(c, "Type");
        target = attr(c, "Target");
        if (type != NULL && target != NULL &&
            ends_with((const char *)type, "/officeDocument"))
            if (resolve("", (const char *)target, pt->workbook, sizeof pt->workbook) != 0)
                snprintf(pt->workbook, sizeof pt->workbook, "xl/workbook.xml");
        xmlFree(type);
        xmlFree(target);
    }
    xmlFreeDoc(doc);
    return 0;
}

/* The r:id of the first sheet and the date system, from the workbook. */
static int read_workbook(zip_t *za, size_t *budget, struct parts *pt, xmlChar **rid)
{
    xmlDoc *doc;
    xmlNode *root, *sheets, *pr;
    int rc;

    *rid = NULL;
    rc = read_part(za, pt->workbook, MAX_SMALL_PART, budget, &doc);
    if (rc != 0)
        return rc;
    if (doc == NULL)
        return OGID_EFORMAT; /* no workbook: not a spreadsheet */
    root = xmlDocGetRootElement(doc);
    if (!named(root, "workbook")) {
        xmlFreeDoc(doc);
        return OGID_EFORMAT;
    }
    pr = child(root, "workbookPr");
    if (pr != NULL) {
        xmlChar *v = attr(pr, "date1904");

        pt->date1904 = v != NULL && (strcmp((const char *)v, "1") == 0 ||
                                     strcmp((const char *)v, "true") == 0);
        xmlFree(v);
    }
    sheets = child(root, "sheets");
    for (xmlNode *s = sheets ? sheets->children : NULL; s != NULL; s = s->next) {
        if (!named(s, "sheet"))
            continue;
        *rid = xmlGetNsProp(s, (const xmlChar *)"id", (const xmlChar *)REL_NS);
        if (*rid == NULL)
            *rid = xmlGetNsProp(s, (const xmlChar *)"id", (const xmlChar *)REL_NS_STRICT);
        break;
    }
    xmlFreeDoc(doc);
    return 0;
}

/* The sheet, shared strings and styles parts, from the workbook's
 * relationships; the usual names where they do not say. */
static int read_workbook_rels(zip_t *za, size_t *budget, struct parts *pt,
                              const xmlChar *rid)
{
    char dir[MAX_PATH_LEN], rels[2 * MAX_PATH_LEN + 16];
    const char *base;
    xmlDoc *doc;
    int rc;

    dir_of(pt->workbook, dir, sizeof dir);
    base = strrchr(pt->workbook, '/');
    base = base ? base + 1 : pt->workbook;
    /* A workbook part name too long for these is refused, not cut short. */
    if (snprintf(pt->sheet, sizeof pt->sheet, "%sworksheets/sheet1.xml", dir) >=
            (int)sizeof pt->sheet ||
        snprintf(pt->strings, sizeof pt->strings, "%ssharedStrings.xml", dir) >=
            (int)sizeof pt->strings ||
        snprintf(pt->styles, sizeof pt->styles, "%sstyles.xml", dir) >=
            (int)sizeof pt->styles ||
        snprintf(rels, sizeof rels, "%s_rels/%s.rels", dir, base) >= (int)sizeof rels)
        return OGID_EFORMAT;
    rc = read_part(za, rels, MAX_SMALL_PART, budget, &doc);
    if (rc == OGID_EFORMAT)
        return 0;
    if (rc != 0 || doc == NULL)
        return rc;
    for (xmlNode *c = xmlDocGetRootElement(doc) ? xmlDocGetRootElement(doc)->children
                                                : NULL;
         c != NULL; c = c->next) {
        xmlChar *id, *type, *target;
        char *into = NULL;

        if (!named(c, "Relationship"))
            continue;
        id = attr(c, "Id");
        type = attr(c, "Type");
        target = attr(c, "Target");
        if (target != NULL && type != NULL) {
            if (rid != NULL && id != NULL &&
                strcmp((const char *)id, (const char *)rid) == 0)
                into = pt->sheet;
            else if (ends_with((const char *)type, "/sharedStrings"))
                into = pt->strings;
            else if (ends_with((const char *)type, "/styles"))
                into = pt->styles;
        }
        if (into != NULL) {
            char resolved[MAX_PATH_LEN];

            if (resolve(dir, (const char *)target, resolved, sizeof resolved) == 0)
                memcpy(into, resolved, strlen(resolved) + 1);
        }
        xmlFree(id);
        xmlFree(type);
        xmlFree(target);
    }
    xmlFreeDoc(doc);
    return 0;
}

/* ---- Shared strings and styles ---------------------------------------------- */

struct strings {
    char **v;
    size_t n;
};

static void strings_free(struct strings *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

/* The text of a string item (<si> or <is>): its <t>, and the <t> of its
 * rich-text runs <r>; phonetic runs <rPh> are readings, not text. */
static void item_text(const xmlNode *si, struct ogid_pc_text *t)
{
    for (const xmlNode *c = si->children; c != NULL; c = c->next) {
        const xmlNode *tn = NULL;

        if (named(c, "t"))
            tn = c;
        else if (named(c, "r"))
            tn = child(c, "t");
        if (tn != NULL) {
            xmlChar *v = xmlNodeGetContent(tn);

            if (v != NULL) {
                tb_text(t, (const char *)v);
                xmlFree(v);
            }
        }
    }
}

static int read_strings(zip_t *za, const char *part, size_t *budget, struct strings *out)
{
    xmlDoc *doc;
    xmlNode *root;
    struct ogid_pc_text t = {0};
    size_t n = 0;
    int rc;

    memset(out, 0, sizeof *out);
    rc = read_part(za, part, max_expanded, budget, &doc);
    if (rc != 0 || doc == NULL)
        return rc;
    root = xmlDocGetRootElement(doc);
    for (xmlNode *c = root ? root->children : NULL; c != NULL; c = c->next)
        if (named(c, "si"))
            n++;
    if (n > 0 && (out->v = calloc(n, sizeof *out->v)) == NULL) {
        xmlFreeDoc(doc);
        return OGID_ENOMEM;
    }
    for (xmlNode *c = root ? root->children : NULL; c != NULL; c = c->next) {
        if (!named(c, "si"))
            continue;
        ogid_pc_text_reset(&t);
        item_text(c, &t);
        if (t.oom || (out->v[out->n] = tb_trimmed(&t)) == NULL) {
            rc = OGID_ENOMEM;
            break;
        }
        out->n++;
    }
    free(t.s);
    xmlFreeDoc(doc);
    return rc;
}

/* Is a number format code a date (or date and time)? Quoted text, escaped
 * characters, fill and padding characters and [colour]/[$-locale] sections
 * are not format letters; y and d are dates, m is a month unless the code
 * also has h or s (then it is minutes of a time), and [h], [mm], [ss] are
 * elapsed time. */
static int date_code(const char *code)
{
    int y = 0, d = 0, m = 0, hs = 0;

    for (const char *p = code; *p != '\0'; p++) {
        switch (*p) {
        case '"':
            p++;
            while (*p != '\0' && *p != '"')
                p++;
            if (*p == '\0')
                return y || d || (m && !hs);
            break;
        case '\\':
        case '_':
        case '*':
            if (p[1] != '\0')
                p++;
            break;
        case '[': {
            const char *e = strchr(p, ']'), *q = p + 1;

            if (e == NULL)
                return y || d || (m && !hs);
            while (q < e && strchr("hHmMsS", *q) != NULL)
                q++;
            if (q == e && e > p + 1)
                hs = 1;
            p = e;
            break;
        }
        case 'y':
        case 'Y':
            y = 1;
            break;
        case 'd':
        case 'D':
            d = 1;
            break;
        case 'm':
        case 'M':
            m = 1;
            break;
        case 'h':
        case 'H':
        case 's':
        case 'S':
            hs = 1;
            break;
        default:
            break;
        }
    }
    return y || d || (m && !hs);
}

static int builtin_date(long id)
{
    /* 14-22: the international date and date-time formats (18-21 are
     * times, kept because a time in a register column is a date typed
     * oddly); 27-36 and 50-58: the CJK date formats ("yyyy年m月d日"). */
    return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 50 && id <= 58);
}

struct styles {
    unsigned char *is_date; /* per cellXfs index */
    size_t n;
};

static int read_styles(zip_t *za, const char *part, size_t *budget, struct styles *out)
{
    struct custom {
        long id;
        int date;
    } *custom = NULL;
    size_t n_custom = 0, n = 0;
    xmlDoc *doc;
    xmlNode *root, *fmts, *xfs;
    int rc;

    memset(out, 0, sizeof *out);
    rc = read_part(za, part, max_expanded, budget, &doc);
    if (rc != 0 || doc == NULL)
        return rc == OGID_EFORMAT ? 0 : rc; /* unreadable styles: no dates */
    root = xmlDocGetRootElement(doc);
    fmts = child(root, "numFmts");
    for (xmlNode *c = fmts ? fmts->children : NULL; c != NULL; c = c->next)
        if (named(c, "numFmt"))
            n_custom++;
    if (n_custom > 0 && (custom = calloc(n_custom, sizeof *custom)) == NULL) {
        rc = OGID_ENOMEM;
        goto done;
    }
    n_custom = 0;
    for (xmlNode *c = fmts ? fmts->children : NULL; c != NULL; c = c->next) {
        xmlChar *id, *code;

        if (!named(c, "numFmt"))
            continue;
        id = attr(c, "numFmtId");
        code = attr(c, "formatCode");
        if (id != NULL && code != NULL) {
            custom[n_custom].id = strtol((const char *)id, NULL, 10);
            custom[n_custom].date = date_code((const char *)code);
            n_custom++;
        }
        xmlFree(id);
        xmlFree(code);
    }
    xfs = child(root, "cellXfs");
    for (xmlNode *c = xfs ? xfs->children : NULL; c != NULL; c = c->next)
        if (named(c, "xf"))
            n++;
    if (n > 0 && (out->is_date = calloc(n, 1)) == NULL) {
        rc = OGID_ENOMEM;
        goto done;
    }
    for (xmlNode *c = xfs ? xfs->children : NULL; c != NULL; c = c->next) {
        xmlChar *v;
        long id;
        int date;

        if (!named(c, "xf"))
            continue;
        v = attr(c, "numFmtId");
        id = v ? strtol((const char *)v, NULL, 10) : 0;
        xmlFree(v);
        date = builtin_date(id);
        /* A custom format of the same id overrides the built-in one. */
        for (size_t k = 0; k < n_custom; k++)
            if (custom[k].id == id)
                date = custom[k].date;
        out->is_date[out->n++] = (unsigned char)date;
    }
done:
    free(custom);
    xmlFreeDoc(doc);
    return rc;
}

/* ---- Values ------------------------------------------------------------------ */

/* The civil date of a day count from 1970-01-01 (H. Hinnant's algorithm). */
static void civil(long long z, int *y, int *m, int *d)
{
    long long era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* A date serial as "YYYY-MM-DD" into out; 0, or -1 where it is no date
 * (before the epoch, 1900-02-29 that never was, past 9999). */
static int serial_date(double v, int date1904, char *out, size_t len)
{
    long long s, days;
    int y, m, d;

    if (!isfinite(v) || v < 0 || v >= 2958466.0)
        return -1;
    s = (long long)floor(v);
    if (date1904) {
        days = s - 24107; /* 1904-01-01 is day -24107 from 1970-01-01 */
    } else {
        /* Excel counts 1900-02-29, which never was: serial 60. */
        if (s < 1 || s == 60)
            return -1;
        days = (s < 60 ? s + 1 : s) - 25569; /* serial 25569 is 1970-01-01 */
    }
    civil(days, &y, &m, &d);
    if (y < 1 || y > 9999)
        return -1;
    snprintf(out, len, "%04d-%02d-%02d", y, m, d);
    return 0;
}

/* A number as a person writes it: integers without a point, others in at
 * most 15 significant digits. */
static void number_text(const char *v, char *out, size_t len)
{
    char *end;
    double x = strtod(v, &end);

    while (*end == ' ')
        end++;
    if (end == v || *end != '\0' || !isfinite(x)) {
        snprintf(out, len, "%s", v);
        return;
    }
    if (x == floor(x) && fabs(x) < 1e15)
        snprintf(out, len, "%.0f", x);
    else
        snprintf(out, len, "%.15g", x);
}

/* "B12" into a 0-based column and a 1-based row; -1 when malformed. */
static int cell_ref(const char *r, uint32_t *col, uint32_t *row)
{
    uint32_t c = 0, w = 0;
    const char *p = r;

    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
        c = c * 26 + (uint32_t)((*p | 0x20) - 'a' + 1);
        if (c > MAX_COLUMNS)
            return -1;
        p++;
    }
    while (*p >= '0' && *p <= '9') {
        w = w * 10 + (uint32_t)(*p - '0');
        if (w > MAX_ROW)
            return -1;
        p++;
    }
    if (*p != '\0')
        return -1;
    if (p == r || (c == 0 && w == 0))
        return -1;
    *col = c ? c - 1 : UINT32_MAX;
    *row = w ? w : UINT32_MAX;
    return 0;
}

/* ---- The sheet --------------------------------------------------------------- */

struct xcell {
    uint32_t row, col;
    char *text;
};

struct merge {
    uint32_t r1, c1, r2, c2;
};

struct sheet {
    struct xcell *cells;
    size_t n, cap;
    struct merge *merges;
    size_t n_merges;
};

static void sheet_free(struct sheet *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->cells[i].text);
    free(s->cells);
    free(s->merges);
}

static int cmp_cell(const void *a, const void *b)
{
    const struct xcell *x = a, *y = b;

    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return 0;
}

/* The text of one <c>, into t (empty for a cell without a value). */
static void cell_value(const xmlNode *c, const struct strings *sst, const struct styles *st,
                       int date1904, struct ogid_pc_text *t)
{
    xmlChar *type = attr(c, "t"), *style = attr(c, "s"), *v = NULL;
    xmlNode *vn = child(c, "v");
    const char *ty = type ? (const char *)type : "n";
    char buf[64];

    if (strcmp(ty, "inlineStr") == 0) {
        xmlNode *is = child(c, "is");

        if (is != NULL)
            item_text(is, t);
        goto done;
    }
    if (vn == NULL || (v = xmlNodeGetContent(vn)) == NULL)
        goto done;
    if (strcmp(ty, "s") == 0) {
        char *end;
        unsigned long i = strtoul((const char *)v, &end, 10);

        if (end != (char *)v && *end == '\0' && i < sst->n)
            ogid_pc_text_append(t, sst->v[i], strlen(sst->v[i]));
    } else if (strcmp(ty, "b") == 0) {
        tb_text(t, strcmp((const char *)v, "1") == 0 ? "TRUE" : "FALSE");
    } else if (strcmp(ty, "d") == 0) {
        /* An ISO 8601 date (and time): its date. */
        const char *s = (const char *)v;

        if (strlen(s) >= 10 && s[4] == '-' && s[7] == '-')
            ogid_pc_text_append(t, s, 10);
        else
            tb_text(t, s);
    } else if (strcmp(ty, "n") == 0) {
        unsigned long xf = style ? strtoul((const char *)style, NULL, 10) : 0;
        char *end;
        double x = strtod((const char *)v, &end);

        if (xf < st->n && st->is_date[xf] && end != (char *)v &&
            serial_date(x, date1904, buf, sizeof buf) == 0) {
            ogid_pc_text_append(t, buf, strlen(buf));
        } else {
            number_text((const char *)v, buf, sizeof buf);
            tb_text(t, buf);
        }
    } else {
        tb_text(t, (const char *)v); /* str (a formula's text), e (an error) */
    }
done:
    xmlFree(type);
    xmlFree(style);
    xmlFree(v);
}

static int add_cell(struct sheet *s, uint32_t row, uint32_t col, char *text)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        struct xcell *nc = realloc(s->cells, cap * sizeof *nc);

        if (nc == NULL) {
            free(text);
            return OGID_ENOMEM;
        }
        s->cells = nc;
        s->cap = cap;
    }
    s->cells[s->n].row = row;
    s->cells[s->n].col = col;
    s->cells[s->n].text = text;
    s->n++;
    return 0;
}

static void read_merges(const xmlNode *ws, struct sheet *s)
{
    const xmlNode *mc = child(ws, "mergeCells");
    size_t n = 0;

    for (const xmlNode *c = mc ? mc->children : NULL; c != NULL; c = c->next)
        if (named(c, "mergeCell"))
            n++;
    if (n == 0)
        return;
    if (n > MAX_MERGES) {
        if (host != NULL)
            host->log(OGID_LOG_WARN, PLUGIN, "%zu merged ranges: only the first %u kept", n,
                      MAX_MERGES);
        n = MAX_MERGES;
    }
    s->merges = calloc(n, sizeof *s->merges);
    if (s->merges == NULL)
        return; /* merges are layout: the values are read without them */
    for (const xmlNode *c = mc->children; c != NULL && s->n_merges < n; c = c->next) {
        xmlChar *ref;
        char a[32], b[32];
        const char *colon;
        struct merge m;

        if (!named(c, "mergeCell") || (ref = attr(c, "ref")) == NULL)
            continue;
        colon = strchr((const char *)ref, ':');
        if (colon != NULL && (size_t)(colon - (const char *)ref) < sizeof a &&
            strlen(colon + 1) < sizeof b) {
            memcpy(a, ref, (size_t)(colon - (const char *)ref));
            a[colon - (const char *)ref] = '\0';
            snprintf(b, sizeof b, "%s", colon + 1);
            if (cell_ref(a, &m.c1, &m.r1) == 0 && cell_ref(b, &m.c2, &m.r2) == 0 &&
                m.r1 != UINT32_MAX && m.c1 != UINT32_MAX && m.r2 != UINT32_MAX &&
                m.c2 != UINT32_MAX && m.r1 <= m.r2 && m.c1 <= m.c2)
                s->merges[s->n_merges++] = m;
        }
        xmlFree(ref);
    }
}

static int read_sheet(zip_t *za, const char *part, size_t *budget,
                      const struct strings *sst, const struct styles *st, int date1904,
                      struct sheet *s)
{
    xmlDoc *doc;
    xmlNode *ws, *data;
    struct ogid_pc_text t = {0};
    uint32_t row = 0;
    int rc;

    rc = read_part(za, part, max_expanded, budget, &doc);
    if (rc != 0)
        return rc;
    if (doc == NULL)
        return OGID_EFORMAT; /* the workbook names a sheet the package lacks */
    ws = xmlDocGetRootElement(doc);
    data = named(ws, "worksheet") ? child(ws, "sheetData") : NULL;
    if (data == NULL) {
        xmlFreeDoc(doc);
        return OGID_EFORMAT;
    }
    for (xmlNode *r = data->children; r != NULL && rc == 0; r = r->next) {
        xmlChar *rn;
        uint32_t col = 0;

        if (!named(r, "row"))
            continue;
        rn = attr(r, "r");
        if (rn != NULL) {
            unsigned long v = strtoul((const char *)rn, NULL, 10);

            row = v >= 1 && v <= MAX_ROW ? (uint32_t)v : row + 1;
        } else {
            row++;
        }
        xmlFree(rn);
        if (row > MAX_ROW)
            break;
        for (xmlNode *c = r->children; c != NULL && rc == 0; c = c->next) {
            xmlChar *ref;
            uint32_t rc_col = col, rc_row = row;
            char *text;

            if (!named(c, "c"))
                continue;
            if ((ref = attr(c, "r")) != NULL) {
                uint32_t cc, rr;

                if (cell_ref((const char *)ref, &cc, &rr) == 0) {
                    if (cc != UINT32_MAX)
                        rc_col = cc;
                    if (rr != UINT32_MAX)
                        rc_row = rr;
                }
                xmlFree(ref);
            }
            col = rc_col + 1;
            if (rc_col >= MAX_COLUMNS)
                continue;
            ogid_pc_text_reset(&t);
            cell_value(c, sst, st, date1904, &t);
            if (t.oom) {
                rc = OGID_ENOMEM;
                break;
            }
            if (t.len == 0)
                continue;
            if ((text = tb_trimmed(&t)) == NULL) {
                rc = OGID_ENOMEM;
                break;
            }
            if (text[0] == '\0') {
                free(text);
                continue;
            }
            if (s->n >= max_cells) {
                free(text);
                rc = OGID_ETOOBIG;
                break;
            }
            rc = add_cell(s, rc_row, rc_col, text);
        }
    }
    if (rc == 0)
        read_merges(ws, s);
    free(t.s);
    xmlFreeDoc(doc);
    return rc;
}

/* The merge among active[0..n) covering (row, col), or NULL. */
static const struct merge *merge_at(const struct merge *const *active, size_t n,
                                    uint32_t row, uint32_t col)
{
    for (size_t i = 0; i < n; i++) {
        const struct merge *m = active[i];

        if (row >= m->r1 && row <= m->r2 && col >= m->c1 && col <= m->c2)
            return m;
    }
    return NULL;
}

static int emit(const struct sheet *s, const struct ogid_doc_builder *b)
{
    const struct merge **active = NULL;
    size_t i = 0, n_active;
    uint32_t first, last;
    int rc;

    if (s->n == 0)
        return 0;
    if (s->n_merges > 0 && (active = malloc(s->n_merges * sizeof *active)) == NULL)
        return OGID_ENOMEM;
    first = s->cells[0].row;
    last = s->cells[s->n - 1].row;
    if ((rc = b->table_begin(b->ctx, first)) != 0)
        goto done;
    for (uint32_t row = first; row <= last; row++) {
        uint32_t width = 0;
        size_t j;

        if ((rc = b->row_begin(b->ctx)) != 0)
            goto done;
        /* This row's cells are s->cells[i..j); its merges, those whose
         * first row was emitted (one starting above the first row with a
         * value never reached the builder, so it covers nothing). */
        for (j = i; j < s->n && s->cells[j].row == row; j++)
            width = s->cells[j].col + 1;
        n_active = 0;
        for (size_t k = 0; k < s->n_merges; k++) {
            const struct merge *m = &s->merges[k];

            if (m->r1 < first || row < m->r1 || row > m->r2)
                continue;
            active[n_active++] = m;
            /* A merge starting here is emitted even where it is empty, so
             * that the builder knows the positions it covers below. */
            if (m->r1 == row && m->c1 + 1 > width)
                width = m->c1 + 1;
        }
        for (uint32_t col = 0; col < width; col++) {
            const struct merge *m = merge_at(active, n_active, row, col);
            const char *text = "";

            if (m != NULL && (m->r1 != row || m->c1 != col))
                continue; /* covered by the merge's first cell */
            while (i < j && s->cells[i].col < col)
                i++;
            if (i < j && s->cells[i].col == col)
                text = s->cells[i].text;
            if (m == NULL && text[0] == '\0') {
                /* A long run of empty cells (a value far to the right, in
                 * column XFD) is one empty cell spanning it, not thousands. */
                uint32_t run = 1;

                while (col + run < width && run < MAX_EMPTY_SPAN &&
                       !(i < j && s->cells[i].col == col + run) &&
                       merge_at(active, n_active, row, col + run) == NULL)
                    run++;
                if (run > EMPTY_RUN) {
                    if ((rc = b->cell(b->ctx, "", 0, 1, run)) != 0)
                        goto done;
                    col += run - 1;
                    continue;
                }
            }
            rc = b->cell(b->ctx, text, strlen(text), m ? m->r2 - m->r1 + 1 : 1,
                         m ? m->c2 - m->c1 + 1 : 1);
            if (rc != 0)
                goto done;
        }
        i = j;
    }
    rc = b->table_end(b->ctx);
done:
    free(active);
    return rc;
}

/* Sorts the cells by row and column, keeping the last of two that claim one
 * position (as Excel does when it reads such a file). */
static void sort_cells(struct sheet *s)
{
    size_t o = 0;

    if (s->n < 2)
        return;
    qsort(s->cells, s->n, sizeof *s->cells, cmp_cell);
    for (size_t i = 0; i < s->n; i++) {
        if (o > 0 && s->cells[o - 1].row == s->cells[i].row &&
            s->cells[o - 1].col == s->cells[i].col) {
            free(s->cells[o - 1].text);
            s->cells[o - 1] = s->cells[i];
            continue;
        }
        s->cells[o++] = s->cells[i];
    }
    s->n = o;
}

/* ---- The callbacks ---------------------------------------------------------- */

static int xlsx_init(const struct ogid_host *h)
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

static void xlsx_fini(void)
{
    /* No xmlCleanupParser(): other plugins in this process use libxml2. */
    host = NULL;
    max_expanded = DEFAULT_MAX_EXPANDED;
    max_cells = DEFAULT_MAX_CELLS;
}

static int xlsx_probe(const struct ogid_input *in)
{
    if (in->len < 4 || memcmp(in->bytes, "PK\3\4", 4) != 0)
        return 0;
    /* Entry names are stored uncompressed, in each local header and again in
     * the central directory. */
    return memmem(in->bytes, in->len, "xl/workbook", 11) != NULL ? 100 : 0;
}

static int xlsx_parse(const struct ogid_input *in, const struct ogid_doc_builder *b)
{
    struct parts pt = {0};
    struct strings sst = {0};
    struct styles st = {0};
    struct sheet sh = {0};
    zip_t *za;
    xmlChar *rid = NULL;
    size_t budget = max_expanded;
    int rc;

    if (in->bytes == NULL || in->len < 4 || memcmp(in->bytes, "PK\3\4", 4) != 0)
        return OGID_EFORMAT;
    za = ogid_pc_zip_open(host, PLUGIN, in->bytes, in->len, &rc);
    if (za == NULL)
        return rc;
    if ((rc = find_workbook(za, &budget, &pt)) != 0 ||
        (rc = read_workbook(za, &budget, &pt, &rid)) != 0 ||
        (rc = read_workbook_rels(za, &budget, &pt, rid)) != 0 ||
        (rc = read_strings(za, pt.strings, &budget, &sst)) != 0 ||
        (rc = read_styles(za, pt.styles, &budget, &st)) != 0 ||
        (rc = read_sheet(za, pt.sheet, &budget, &sst, &st, pt.date1904, &sh)) != 0)
        goto done;
    sort_cells(&sh);
    rc = emit(&sh, b);
done:
    xmlFree(rid);
    sheet_free(&sh);
    strings_free(&sst);
    free(st.is_date);
    zip_discard(za);
    return rc;
}

OGID_PLUGIN_DEFINE(format_xlsx){
    .abi_major = OGID_PLUGIN_ABI_MAJOR,
    .abi_minor = OGID_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(struct ogid_plugin),
    .name = "format_xlsx",
    .version = "1.0",
    .kind = OGID_PLUGIN_FORMAT,
    .format = "xlsx",
    .init = xlsx_init,
    .probe = xlsx_probe,
    .parse = xlsx_parse,
    .fini = xlsx_fini,
};
