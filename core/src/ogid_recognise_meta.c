/* The metadata of a report (meta in contrib/docs/REPORT-MODEL.md): title, agency
 * and year from the title, the publication date after its label, the
 * statistics period from the sentence that states it. Never from page
 * chrome. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ogid/ogid_error.h"
#include "ogid_form.h"
#include "ogid_recognise_int.h"

/* ---- Metadata --------------------------------------------------------- */

static json_t *date_json(const struct ogid_date *t)
{
    char buf[16];

    snprintf(buf, sizeof(buf), "%04d-%02d-%02d", t->y, t->m, t->d);
    return json_string(buf);
}

/* Is cell i page chrome (for the metadata, which never comes from it)? */
static int cell_chrome(const struct ogid_rec *r, size_t i)
{
    int strong;

    return r->cells[i].block >= r->body_end || ogid_rec_chrome(r->cells[i].text, &strong);
}

/* The text the metadata is read from at cell i: the cell's, or for the
 * first piece of a paragraph split like a table row, the paragraph's (so a
 * sentence is read whole); NULL for the other pieces. */
static const char *meta_text(const struct ogid_rec *r, size_t i)
{
    const struct ogid_rec_cell *c = &r->cells[i];

    if (c->grid || c->whole)
        return c->text;
    return c->col == 0 ? r->doc->blocks[c->block].text : NULL;
}

/* Does "时间" at p start a label: at the start of the text or after white
 * space (not 成文时间, 更新时间…), with a colon after it? */
static int time_label(const char *text, const char *p)
{
    const char *q = p + strlen("时间");

    if (p > text &&
        !(p[-1] == ' ' || p[-1] == '\t' ||
          (p - text >= 2 && (unsigned char)p[-2] == 0xC2 && (unsigned char)p[-1] == 0xA0) ||
          (p - text >= 3 && strncmp(p - 3, "\xe3\x80\x80", 3) == 0)))
        return 0;
    while (*q == ' ')
        q++;
    return *q == ':' || strncmp(q, "：", 3) == 0;
}

/* Where no 发布日期-like label is there: a bare "时间：2023-02-20 15:07", as
 * some portals print under the title ("来源：… 时间：…"). Only before the
 * first section: the same word elsewhere is anything but the publication. */
static json_t *bare_time(struct ogid_rec *r)
{
    size_t i, limit = r->n_sec ? r->sec[0].cell : (r->n < 20 ? r->n : 20);
    struct ogid_date t;

    for (i = 0; i < limit; i++) {
        const char *text = meta_text(r, i), *p;

        if (text == NULL || strstr(r->cells[i].text, "时间") == NULL || cell_chrome(r, i))
            continue;
        for (p = strstr(text, "时间"); p != NULL; p = strstr(p + 1, "时间")) {
            char *c;
            const char *d;
            size_t ok;

            if (!time_label(text, p))
                continue;
            c = ogid_compact(p);
            if (c == NULL) {
                r->oom = 1;
                return json_null();
            }
            d = c + strlen("时间");
            d += *d == ':' ? 1 : 3;
            ok = ogid_date_parse(d, &t, 0);
            free(c);
            if (ok)
                return date_json(&t);
        }
    }
    return json_null();
}

/* The publication date: after a 发布日期-like label, in the same cell or the
 * next one (metadata tables put label and date in neighbouring cells). */
static json_t *find_published(struct ogid_rec *r)
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
    return bare_time(r);
}

/* The statistics period: "从2023年1月1日至12月31日", "自2019年1月1日起至
 * 2019年12月31日止", in a sentence that speaks of 统计 or 报告期. */
static json_t *find_period(struct ogid_rec *r)
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
static int find_title(struct ogid_rec *r, char **out)
{
    size_t i, limit = r->n_sec ? r->sec[0].cell : r->n;

    *out = NULL;
    for (i = 0; i < limit; i++) {
        const struct ogid_rec_cell *c = &r->cells[i];
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

json_t *ogid_rec_meta(struct ogid_rec *r)
{
    json_t *meta = json_object(), *v;
    char *title = NULL;
    size_t at = 0, after = 0;
    int year = 0;

    ogid_rec_oom_if_null(r, meta);
    if (meta == NULL)
        return NULL;
    if (find_title(r, &title) != 0) {
        r->oom = 1;
        return meta;
    }
    if (title == NULL) {
        ogid_rec_put(r, meta, "title", json_null());
        ogid_rec_put(r, meta, "agency", json_null());
        ogid_rec_note(r, "warning", "META_MISSING", json_pack("{s:s}", "field", "title"),
                      "no title naming a 年度报告 found");
    } else {
        /* Year and agency from the title without spaces, digits in ASCII. */
        char *flat = ogid_compact(title);

        ogid_rec_put(r, meta, "title", json_string(title));
        if (flat != NULL)
            year = ogid_title_year(flat, &at, &after);
        v = flat ? title_agency(flat, year, at, after) : NULL;
        free(flat);
        ogid_rec_put(r, meta, "agency", v);
        if (v != NULL && json_is_null(v))
            ogid_rec_note(r, "warning", "META_MISSING",
                          json_pack("{s:s}", "field", "agency"), "no agency in the title");
        free(title);
    }
    ogid_rec_put(r, meta, "year", year ? json_integer(year) : json_null());
    if (year == 0)
        ogid_rec_note(r, "warning", "META_MISSING", json_pack("{s:s}", "field", "year"),
                      "no report year in the title");
    v = find_published(r);
    ogid_rec_put(r, meta, "published", v);
    if (v != NULL && json_is_null(v))
        ogid_rec_note(r, "info", "META_MISSING", json_pack("{s:s}", "field", "published"),
                      "no publication date (发布日期) found");
    v = find_period(r);
    ogid_rec_put(r, meta, "period", v);
    if (v != NULL && json_is_null(v))
        ogid_rec_note(r, "info", "META_MISSING", json_pack("{s:s}", "field", "period"),
                      "no statistics period found");
    ogid_rec_put(r, meta, "form", r->form ? json_string(r->form->id) : json_null());
    return meta;
}
