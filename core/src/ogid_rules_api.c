/* The `ogid` module of the rule sandbox: what rules get from the host beyond
 * plain Lua.
 *
 *   ogid.numbers(text)            every number in prose, Chinese numerals too
 *   ogid.find_number(text, before, unit)
 *   ogid.sentences(text)          the sentences of a text
 *   ogid.date(s)                  "YYYY-MM-DD" or nil
 *   ogid.section(report, n)       the section numbered n, or nil
 *   ogid.calendar.*               the working-day calendar (条例第三十三条)
 *
 * Report text reaches the rules already normalised (full-width digits,
 * parentheses and colons folded by the reader), so only ASCII digits and the
 * Chinese numerals are looked for here. Every function works on Lua values
 * and the Lua stack only, never on the C heap, so a Lua error (a bad
 * argument, the memory cap) can never leak; the one exception, loading the
 * calendar, hands its result to the host before anything can raise. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "ogid/ogid_error.h"
#include "ogid_calendar.h"
#include "ogid_lua.h"
#include "ogid_paths.h"
#include "ogid_rules_api.h"

/* The longest run of Chinese numeral characters read as one number. */
#define MAX_CN_RUN 24

/* ---- Characters ------------------------------------------------------ */

/* The code point of the UTF-8 sequence at s (n bytes left), its length in
 * *k; *k = 0 for a byte that does not start a valid sequence. */
static uint32_t decode(const unsigned char *s, size_t n, size_t *k)
{
    *k = ogid_utf8_seq(s, n);
    switch (*k) {
    case 1: return s[0];
    case 2: return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    case 3: return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
                   (s[2] & 0x3F);
    case 4: return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
                   ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    default: return 0;
    }
}

/* 零〇一二两三四五六七八九 as 0-9, else -1. */
static int cn_digit(uint32_t c)
{
    switch (c) {
    case 0x96F6: case 0x3007: return 0;
    case 0x4E00: return 1;
    case 0x4E8C: case 0x4E24: return 2;
    case 0x4E09: return 3;
    case 0x56DB: return 4;
    case 0x4E94: return 5;
    case 0x516D: return 6;
    case 0x4E03: return 7;
    case 0x516B: return 8;
    case 0x4E5D: return 9;
    default: return -1;
    }
}

/* 十百千万亿 as their values, else 0. */
static long long cn_unit(uint32_t c)
{
    switch (c) {
    case 0x5341: return 10;
    case 0x767E: return 100;
    case 0x5343: return 1000;
    case 0x4E07: return 10000;
    case 0x4EBF: return 100000000;
    default: return 0;
    }
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Blanks a sentence is trimmed of: ASCII space and tab, U+3000, U+00A0. */
static size_t blank_at(const unsigned char *s, size_t n, size_t i)
{
    if (i < n && (s[i] == ' ' || s[i] == '\t'))
        return 1;
    if (i + 1 < n && s[i] == 0xC2 && s[i + 1] == 0xA0)
        return 2;
    if (i + 2 < n && s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x80)
        return 3;
    return 0;
}

/* The length of a sentence end at s[i] (。；！？ ; ! ? or a line break), or 0. */
static size_t stop_at(const unsigned char *s, size_t n, size_t i)
{
    if (s[i] == '\n' || s[i] == '\r' || s[i] == ';' || s[i] == '!' || s[i] == '?')
        return 1;
    if (i + 2 < n && ((s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x82) ||
                      (s[i] == 0xEF && s[i + 1] == 0xBC &&
                       (s[i + 2] == 0x9B || s[i + 2] == 0x81 || s[i + 2] == 0x9F))))
        return 3;
    return 0;
}

static int starts(const unsigned char *s, size_t n, size_t i, const char *w)
{
    size_t len = strlen(w);

    return i + len <= n && memcmp(s + i, w, len) == 0;
}

/* Words in which a numeral character is not a number (统一, 一般, 十分 …):
 * skipped whole. Only words common in these reports; anything else with
 * 一 in it is reported as the number 1, which a rule that looks for a unit
 * or a phrase before the number never confuses with a count. */
static const char *const not_numbers[] = {
    "统一", "一般", "进一步", "一些", "一直", "一致", "一体", "同一", "唯一",
    "万一", "一起", "一律", "一定", "一旦", "逐一", "一并", "一方面", "一系列",
    "一站式", "一网", "一窗", "一切", "一流", "一线", "一贯", "一览", "一键",
    "一门", "一把手", "第一时间", "零星", "零散", "零售", "十分", "万分", "百姓",
    "千方百计", "千家万户", "一手", "一心", "一道", "一同", "一样", "一带一路",
    NULL};

static size_t not_number_at(const unsigned char *s, size_t n, size_t i)
{
    for (size_t w = 0; not_numbers[w] != NULL; w++)
        if ((unsigned char)not_numbers[w][0] == s[i] && starts(s, n, i, not_numbers[w]))
            return strlen(not_numbers[w]);
    return 0;
}

/* Units recognised after a number, longest first where one is a prefix of
 * another. 万/亿 after a number belong to the unit (3.2万元 is 3.2 in 万元),
 * for Chinese numerals as well (十万元 is 10 in 万元). */
static const char *const units[] = {
    "个工作日", "工作日", "人次", "件次", "万元", "亿元", "千元", "小时", "分钟",
    "个", "件", "条", "次", "人", "份", "项", "元", "万", "亿", "年", "月", "日",
    "号", "天", "页", "家", "篇", "期", "场", "批", "起", "宗", "户", "名", "位",
    "部", "类", "套", "台", "所", "%", "\xef\xbc\x85", "\xe2\x80\xb0", NULL};

/* ---- Finding numbers ------------------------------------------------- */

struct number {
    size_t start, end;  /* the number as written, bytes [start, end) */
    size_t next;        /* where scanning resumes: past the unit */
    int is_int;
    long long i;
    double f;
    const char *unit;   /* one of units[], or NULL */
    int approx;         /* 余 or 多 between the number and its unit */
};

struct scan {
    const unsigned char *s;
    size_t n;
    size_t i;           /* next byte to look at */
    size_t sent_start;  /* the sentence around i: [sent_start, sent_end) */
    size_t sent_end;
};

static size_t find_stop(const struct scan *sc, size_t from)
{
    for (size_t i = from; i < sc->n; i++)
        if (stop_at(sc->s, sc->n, i))
            return i;
    return sc->n;
}

static void scan_init(struct scan *sc, const char *s, size_t n)
{
    sc->s = (const unsigned char *)s;
    sc->n = n;
    sc->i = 0;
    sc->sent_start = 0;
    sc->sent_end = find_stop(sc, 0);
}

/* Moves the current sentence forward to the one holding byte p (< n) and
 * gives its bounds without blanks around, in [*qs, *qe). */
static void sentence_of(struct scan *sc, size_t p, size_t *qs, size_t *qe)
{
    size_t a, b, k;

    while (p >= sc->sent_end) {
        sc->sent_start = sc->sent_end + stop_at(sc->s, sc->n, sc->sent_end);
        sc->sent_end = find_stop(sc, sc->sent_start);
    }
    a = sc->sent_start;
    b = sc->sent_end;
    while (a < b && (k = blank_at(sc->s, b, a)) != 0)
        a += k;
    for (;;) {
        if (b > a && (sc->s[b - 1] == ' ' || sc->s[b - 1] == '\t'))
            b--;
        else if (b >= a + 2 && sc->s[b - 2] == 0xC2 && sc->s[b - 1] == 0xA0)
            b -= 2;
        else if (b >= a + 3 && sc->s[b - 3] == 0xE3 && sc->s[b - 2] == 0x80 &&
                 sc->s[b - 1] == 0x80)
            b -= 3;
        else
            break;
    }
    *qs = a;
    *qe = b;
}

/* Reads the unit after a number that ends at e. */
static void read_unit(const struct scan *sc, size_t e, struct number *nm)
{
    size_t j = e, k;

    nm->unit = NULL;
    nm->approx = 0;
    nm->next = e;
    while ((k = blank_at(sc->s, sc->n, j)) != 0)
        j += k;
    if (starts(sc->s, sc->n, j, "余") || starts(sc->s, sc->n, j, "多")) {
        nm->approx = 1;
        j += 3;
    }
    for (size_t u = 0; units[u] != NULL; u++) {
        if (starts(sc->s, sc->n, j, units[u])) {
            nm->unit = units[u];
            nm->next = j + strlen(units[u]);
            return;
        }
    }
    if (nm->approx)
        nm->next = j;
}

/* An ASCII number at i: digits, optional thousands groups (1,234), an
 * optional fraction, and a sign where the character before the sign is not
 * part of a word or a number (so 2023-01-01 is three numbers, not one and
 * two negative ones). 2024.01.22 is three numbers, not 2024.01 and 22. */
static void read_ascii(const struct scan *sc, size_t i, struct number *nm)
{
    const unsigned char *s = sc->s;
    size_t n = sc->n, j = i, k, o = 0;
    char buf[72];
    int frac = 0, too_long = 0;

    nm->start = i;
    if (i > 0 && (s[i - 1] == '-' || s[i - 1] == '+') &&
        (i < 2 || !(is_digit(s[i - 2]) || (s[i - 2] >= 'A' && s[i - 2] <= 'Z') ||
                    (s[i - 2] >= 'a' && s[i - 2] <= 'z') || s[i - 2] == '.')))
        nm->start = i - 1;
    while (j < n && is_digit(s[j]))
        j++;
    while (j + 3 < n && s[j] == ',' && is_digit(s[j + 1]) && is_digit(s[j + 2]) &&
           is_digit(s[j + 3]) && (j + 4 >= n || !is_digit(s[j + 4])))
        j += 4;
    /* The fraction, unless this is one part of 2024.01.22 or 1.2.3. */
    if (j + 1 < n && s[j] == '.' && is_digit(s[j + 1]) &&
        !(i >= 2 && s[i - 1] == '.' && is_digit(s[i - 2]))) {
        k = j + 1;
        while (k < n && is_digit(s[k]))
            k++;
        if (!(k + 1 < n && s[k] == '.' && is_digit(s[k + 1]))) {
            j = k;
            frac = 1;
        }
    }
    nm->end = j;
    for (k = nm->start; k < j; k++) {
        if (s[k] == ',')
            continue;
        if (o + 1 >= sizeof buf) {
            too_long = 1;
            break;
        }
        buf[o++] = (char)s[k];
    }
    buf[o] = '\0';
    if (!frac && !too_long) {
        char *end;

        errno = 0;
        nm->i = strtoll(buf, &end, 10);
        nm->is_int = errno == 0;
    } else {
        nm->is_int = 0;
    }
    if (!nm->is_int)
        nm->f = too_long ? HUGE_VAL : strtod(buf, NULL);
    read_unit(sc, j, nm);
}

/* A run of Chinese numerals at i. 二〇二三 (digits only) is read digit by
 * digit; 一百零五, 十二, 三千五百, 一万二千 by their units. A digit right
 * after a digit ends a number that has units (十四五 is 14 and 5). A run
 * ending in 万 or 亿 leaves that character to the unit. Returns 0 when the
 * run is no number (a lone 百, 千, 万 or 亿). */
static int read_cn(const struct scan *sc, size_t i, struct number *nm)
{
    const unsigned char *s = sc->s;
    size_t pos[MAX_CN_RUN + 1], j = i, k, count = 0, end_count;
    uint32_t cps[MAX_CN_RUN];
    int has_unit = 0, last_digit = 0, any_digit = 0;
    long long total = 0, section = 0, number = 0, u;

    while (j < sc->n && count < MAX_CN_RUN) {
        uint32_t c = decode(s + j, sc->n - j, &k);

        if (k == 0 || (cn_digit(c) < 0 && cn_unit(c) == 0))
            break;
        if (count > 0 && not_number_at(s, sc->n, j))
            break;
        pos[count] = j;
        cps[count++] = c;
        j += k;
    }
    pos[count] = j;
    for (k = 0; k < count; k++)
        if (cn_unit(cps[k]) != 0)
            has_unit = 1;
    end_count = count;
    if (has_unit) {
        for (k = 0; k < count; k++) {
            int digit = cn_digit(cps[k]) >= 0;

            if (digit && last_digit && cn_digit(cps[k - 1]) != 0 && cn_digit(cps[k]) != 0) {
                end_count = k;
                break;
            }
            last_digit = digit;
        }
        /* 三十万元: 30 in 万元; but 一亿二千万元 is 120000000 元. */
        if (end_count > 1 && cn_unit(cps[end_count - 1]) >= 10000) {
            int higher = 0;

            for (k = 0; k + 1 < end_count; k++)
                if (cn_unit(cps[k]) > cn_unit(cps[end_count - 1]))
                    higher = 1;
            if (!higher)
                end_count--;
        }
    } else if (count > 18) {
        end_count = 18;
    }
    for (k = 0; k < end_count; k++)
        if (cn_digit(cps[k]) >= 0 || cps[k] == 0x5341)
            any_digit = 1;
    if (!any_digit)
        return 0;

    if (!has_unit) {
        for (k = 0; k < end_count; k++)
            total = total * 10 + cn_digit(cps[k]);
    } else {
        for (k = 0; k < end_count; k++) {
            int d = cn_digit(cps[k]);

            if (d >= 0) {
                number = d;
                continue;
            }
            u = cn_unit(cps[k]);
            if (u < 10000) {
                if (number == 0 && u == 10)
                    number = 1;
                section += number * u;
            } else if (u == 10000) {
                total += (section + number) * u;
                section = 0;
            } else {
                total = (total + section + number) * u;
                section = 0;
            }
            number = 0;
        }
        total += section + number;
    }
    nm->start = i;
    nm->end = pos[end_count];
    nm->is_int = 1;
    nm->i = total;
    read_unit(sc, nm->end, nm);
    return 1;
}

/* The next number at or after sc->i; 0 at the end of the text. */
static int next_number(struct scan *sc, struct number *nm)
{
    const unsigned char *s = sc->s;
    size_t k;

    while (sc->i < sc->n) {
        size_t i = sc->i;
        uint32_t c;

        if (is_digit(s[i])) {
            read_ascii(sc, i, nm);
            sc->i = nm->next;
            return 1;
        }
        if (s[i] < 0x80) {
            sc->i++;
            continue;
        }
        if ((k = not_number_at(s, sc->n, i)) != 0) {
            sc->i = i + k;
            continue;
        }
        /* 百分之九十五 and 百分之95 are percentages. */
        if (starts(s, sc->n, i, "百分之") && i + 9 < sc->n) {
            size_t at = i + 9;
            int found = 0;

            c = decode(s + at, sc->n - at, &k);
            if (is_digit(s[at])) {
                read_ascii(sc, at, nm);
                found = 1;
            } else if (k != 0 && (cn_digit(c) >= 0 || cn_unit(c) != 0)) {
                found = read_cn(sc, at, nm);
            }
            if (found) {
                nm->start = i;
                nm->unit = "%";
                sc->i = nm->end;
                return 1;
            }
            sc->i = at;
            continue;
        }
        c = decode(s + i, sc->n - i, &k);
        if (k != 0 && (cn_digit(c) >= 0 || cn_unit(c) != 0) && read_cn(sc, i, nm)) {
            sc->i = nm->next;
            return 1;
        }
        sc->i = i + (k != 0 ? k : 1);
    }
    return 0;
}

static void push_value(lua_State *L, const struct number *nm)
{
    if (nm->is_int)
        lua_pushinteger(L, (lua_Integer)nm->i);
    else
        lua_pushnumber(L, (lua_Number)nm->f);
}

/* Pushes { value, unit, sentence, pos, text, approx } with the sentence
 * string at index sent. */
static void push_record(lua_State *L, const struct scan *sc, const struct number *nm, int sent)
{
    lua_createtable(L, 0, 6);
    push_value(L, nm);
    lua_setfield(L, -2, "value");
    if (nm->unit != NULL) {
        lua_pushstring(L, nm->unit);
        lua_setfield(L, -2, "unit");
    }
    lua_pushvalue(L, sent);
    lua_setfield(L, -2, "sentence");
    lua_pushinteger(L, (lua_Integer)nm->start + 1);
    lua_setfield(L, -2, "pos");
    lua_pushlstring(L, (const char *)sc->s + nm->start, nm->end - nm->start);
    lua_setfield(L, -2, "text");
    if (nm->approx) {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, "approx");
    }
}

/* Keeps the string of the sentence holding nm at index sent. */
static void update_sentence(lua_State *L, struct scan *sc, const struct number *nm, int sent,
                            size_t *shown, size_t *qs)
{
    size_t qe;

    sentence_of(sc, nm->start, qs, &qe);
    if (*shown != sc->sent_start + 1) {
        lua_pushlstring(L, (const char *)sc->s + *qs, qe - *qs);
        lua_replace(L, sent);
        *shown = sc->sent_start + 1;
    }
}

/* ogid.numbers(text) -> { {value=, unit=, sentence=, pos=, text=}, ... } */
static int l_numbers(lua_State *L)
{
    size_t len, shown = 0, qs, count = 0;
    const char *text = luaL_checklstring(L, 1, &len);
    struct scan sc;
    struct number nm;
    int sent;

    lua_settop(L, 1);
    lua_newtable(L);
    lua_pushnil(L);
    sent = lua_gettop(L);
    scan_init(&sc, text, len);
    while (next_number(&sc, &nm)) {
        update_sentence(L, &sc, &nm, sent, &shown, &qs);
        push_record(L, &sc, &nm, sent);
        lua_rawseti(L, 2, (lua_Integer)++count);
    }
    lua_settop(L, 2);
    return 1;
}

/* ogid.find_number(text, before, unit) -> value, record | nil: the first
 * number (with that unit, when given) whose sentence, up to the number,
 * matches the Lua pattern `before` (when given). */
static int l_find_number(lua_State *L)
{
    size_t len, ulen = 0, shown = 0, qs;
    const char *text = luaL_checklstring(L, 1, &len);
    const char *unit;
    struct scan sc;
    struct number nm;
    int sent, match;

    if (!lua_isnoneornil(L, 2))
        luaL_checkstring(L, 2);
    unit = luaL_optlstring(L, 3, NULL, &ulen);
    lua_settop(L, 3);
    lua_pushnil(L);
    sent = lua_gettop(L);
    scan_init(&sc, text, len);
    while (next_number(&sc, &nm)) {
        if (unit != NULL && (nm.unit == NULL || strcmp(nm.unit, unit) != 0))
            continue;
        update_sentence(L, &sc, &nm, sent, &shown, &qs);
        if (!lua_isnil(L, 2)) {
            lua_pushvalue(L, lua_upvalueindex(1)); /* string.find */
            lua_pushlstring(L, text + qs, nm.start > qs ? nm.start - qs : 0);
            lua_pushvalue(L, 2);
            lua_call(L, 2, 1);
            match = !lua_isnil(L, -1);
            lua_pop(L, 1);
            if (!match)
                continue;
        }
        push_value(L, &nm);
        push_record(L, &sc, &nm, sent);
        return 2;
    }
    lua_pushnil(L);
    return 1;
}

/* ogid.sentences(text) -> { "…", … }, without blanks around, empty ones
 * left out. */
static int l_sentences(lua_State *L)
{
    size_t len, qs, qe, count = 0;
    const char *text = luaL_checklstring(L, 1, &len);
    struct scan sc;

    lua_settop(L, 1);
    lua_newtable(L);
    scan_init(&sc, text, len);
    for (size_t p = 0; p < len;) {
        sentence_of(&sc, p, &qs, &qe);
        if (qe > qs) {
            lua_pushlstring(L, text + qs, qe - qs);
            lua_rawseti(L, 2, (lua_Integer)++count);
        }
        p = sc.sent_end + 1;
    }
    return 1;
}

/* ---- Dates ------------------------------------------------------------ */

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

struct cursor {
    const unsigned char *s;
    size_t n, i;
};

static void skip_blanks(struct cursor *c)
{
    size_t k;

    while ((k = blank_at(c->s, c->n, c->i)) != 0)
        c->i += k;
}

static int eat(struct cursor *c, const char *w)
{
    if (!starts(c->s, c->n, c->i, w))
        return 0;
    c->i += strlen(w);
    return 1;
}

/* 1 to max_digits ASCII digits, not followed by another digit. */
static int read_int(struct cursor *c, int max_digits, int *out)
{
    int v = 0, k = 0;

    while (c->i < c->n && is_digit(c->s[c->i])) {
        if (++k > max_digits)
            return 0;
        v = v * 10 + (c->s[c->i++] - '0');
    }
    *out = v;
    return k > 0;
}

/* A Chinese numeral up to the next non-numeral: 一 … 三十一, or digit by
 * digit (二〇二四) when digits_only. */
static int read_cn_int(struct cursor *c, int digits_only, int *out)
{
    uint32_t cp;
    size_t k;
    int v = 0, number = 0, count = 0, d;

    while (c->i < c->n) {
        cp = decode(c->s + c->i, c->n - c->i, &k);
        if (k == 0)
            break;
        d = cn_digit(cp);
        if (d >= 0) {
            if (digits_only)
                v = v * 10 + d;
            else
                number = d;
        } else if (cp == 0x5341 && !digits_only) {
            v += (number == 0 ? 1 : number) * 10;
            number = 0;
        } else {
            break;
        }
        if (++count > 4)
            return 0;
        c->i += k;
    }
    if (!digits_only)
        v += number;
    *out = v;
    return count > 0;
}

/* An optional time after a date: blanks or T, then H:MM or H:MM:SS. */
static int time_tail(struct cursor *c)
{
    size_t before = c->i;
    int h, mi, sec;

    skip_blanks(c);
    if (c->i == c->n)
        return 1;
    if (c->i == before && !eat(c, "T"))
        return 0;
    if (!read_int(c, 2, &h) || !eat(c, ":") || !read_int(c, 2, &mi) || h > 24 || mi > 59)
        return 0;
    if (eat(c, ":") && (!read_int(c, 2, &sec) || sec > 60))
        return 0;
    skip_blanks(c);
    return c->i == c->n;
}

int ogid_rules_parse_date(const char *str, size_t len, int *py, int *pm, int *pd, char out[11])
{
    struct cursor c = {(const unsigned char *)str, len, 0};
    int y = 0, m = 0, d = 0, ok = 0;
    const char *sep;

    skip_blanks(&c);
    if (c.i < c.n && is_digit(c.s[c.i])) {
        size_t start = c.i;

        if (!read_int(&c, 4, &y) || c.i - start != 4)
            return 0;
        if (c.i < c.n && (c.s[c.i] == '-' || c.s[c.i] == '/' || c.s[c.i] == '.')) {
            sep = c.s[c.i] == '-' ? "-" : c.s[c.i] == '/' ? "/" : ".";
            c.i++;
            ok = read_int(&c, 2, &m) && eat(&c, sep) && read_int(&c, 2, &d);
        } else {
            skip_blanks(&c);
            ok = eat(&c, "年");
            skip_blanks(&c);
            ok = ok && read_int(&c, 2, &m);
            skip_blanks(&c);
            ok = ok && eat(&c, "月");
            skip_blanks(&c);
            ok = ok && read_int(&c, 2, &d);
            skip_blanks(&c);
            ok = ok && (eat(&c, "日") || eat(&c, "号"));
        }
    } else {
        size_t start = c.i;

        ok = read_cn_int(&c, 1, &y) && c.i - start == 12 && eat(&c, "年") &&
             read_cn_int(&c, 0, &m) && eat(&c, "月") && read_cn_int(&c, 0, &d) &&
             (eat(&c, "日") || eat(&c, "号"));
    }
    if (!ok || !time_tail(&c))
        return 0;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return 0;
    if (py != NULL)
        *py = y;
    if (pm != NULL)
        *pm = m;
    if (pd != NULL)
        *pd = d;
    if (out != NULL) {
        char buf[40];

        snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
        memcpy(out, buf, 11);
        out[10] = '\0';
    }
    return 1;
}

/* ogid.date(s) -> "YYYY-MM-DD" or nil. */
static int l_date(lua_State *L)
{
    size_t len;
    const char *s;
    char out[11];

    if (lua_type(L, 1) != LUA_TSTRING) {
        luaL_checkany(L, 1);
        lua_pushnil(L);
        return 1;
    }
    s = lua_tolstring(L, 1, &len);
    if (!ogid_rules_parse_date(s, len, NULL, NULL, NULL, out))
        lua_pushnil(L);
    else
        lua_pushstring(L, out);
    return 1;
}

/* ---- Reports ---------------------------------------------------------- */

/* ogid.section(report, n) -> the entry of report.sections numbered n. */
static int l_section(lua_State *L)
{
    lua_Integer no = luaL_checkinteger(L, 2), i;

    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 2);
    if (lua_getfield(L, 1, "sections") != LUA_TTABLE) {
        lua_pushnil(L);
        return 1;
    }
    for (i = 1;; i++) {
        int t = lua_rawgeti(L, 3, i);

        if (t == LUA_TNIL)
            break;
        if (t == LUA_TTABLE) {
            lua_getfield(L, -1, "no");
            if (lua_isinteger(L, -1) && lua_tointeger(L, -1) == no) {
                lua_pop(L, 1);
                return 1;
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_pushnil(L);
    return 1;
}

/* ---- The calendar ----------------------------------------------------- */

static const struct ogid_calendar *calendar(lua_State *L, const char *what)
{
    struct ogid_rules_host *h = lua_touserdata(L, lua_upvalueindex(1));

    if (h->calendar == NULL && !h->calendar_tried) {
        int rc;

        h->calendar_tried = 1;
        rc = ogid_calendar_load(ogid_paths_data(), &h->calendar, h->calendar_err,
                                sizeof h->calendar_err);
        if (rc != 0 && h->calendar_err[0] == '\0')
            snprintf(h->calendar_err, sizeof h->calendar_err, "%s: %s", ogid_paths_data(),
                     ogid_strerror(rc));
    }
    if (h->calendar == NULL)
        luaL_error(L, "%s: the working-day calendar is not available: %s", what,
                   h->calendar_err);
    return h->calendar;
}

static void check_date(lua_State *L, int arg, const char *what, int *y, int *m, int *d)
{
    size_t len;
    const char *s;

    if (lua_type(L, arg) != LUA_TSTRING)
        luaL_error(L, "%s: argument #%d must be a date string like \"2024-01-22\", not %s",
                   what, arg, luaL_typename(L, arg));
    s = lua_tolstring(L, arg, &len);
    if (!ogid_rules_parse_date(s, len, y, m, d, NULL))
        luaL_error(L, "%s: \"%s\" is not a date", what, s);
}

/* Raises the error for a calendar call that failed with rc; the days
 * examined run from year `from` to year `to`. */
static int calendar_error(lua_State *L, const struct ogid_calendar *c, const char *what, int rc,
                          int from, int to)
{
    int y;

    if (rc == OGID_ERANGE) {
        for (y = from; y <= to + 1 && y <= 9999; y++)
            if (!ogid_calendar_covers(c, y))
                return luaL_error(L,
                                  "%s: %d is not covered by the working-day calendar "
                                  "(no holiday notice for %d is loaded)",
                                  what, y, y);
        return luaL_error(L, "%s: a day is not covered by the working-day calendar", what);
    }
    return luaL_error(L, "%s: %s", what, ogid_strerror(rc));
}

static void push_ymd(lua_State *L, int y, int m, int d)
{
    char out[16];

    snprintf(out, sizeof out, "%04d-%02d-%02d", y, m, d);
    lua_pushstring(L, out);
}

static int l_cal_is_workday(lua_State *L)
{
    static const char what[] = "ogid.calendar.is_workday";
    const struct ogid_calendar *c = calendar(L, what);
    int y, m, d, work = 0, rc;

    check_date(L, 1, what, &y, &m, &d);
    rc = ogid_calendar_is_workday(c, y, m, d, &work);
    if (rc != 0)
        return calendar_error(L, c, what, rc, y, y);
    lua_pushboolean(L, work);
    return 1;
}

static int l_cal_add_workdays(lua_State *L)
{
    static const char what[] = "ogid.calendar.add_workdays";
    const struct ogid_calendar *c = calendar(L, what);
    int y, m, d, oy = 0, om = 0, od = 0, rc;
    lua_Integer n;

    check_date(L, 1, what, &y, &m, &d);
    n = luaL_checkinteger(L, 2);
    if (n < 0 || n > 100000)
        return luaL_error(L, "%s: the number of working days must be 0 to 100000", what);
    rc = ogid_calendar_add_workdays(c, y, m, d, (int)n, &oy, &om, &od);
    if (rc != 0)
        return calendar_error(L, c, what, rc, y, 9999);
    push_ymd(L, oy, om, od);
    return 1;
}

static int l_cal_workdays_between(lua_State *L)
{
    static const char what[] = "ogid.calendar.workdays_between";
    const struct ogid_calendar *c = calendar(L, what);
    int fy, fm, fd, ty, tm, td, n = 0, rc;

    check_date(L, 1, what, &fy, &fm, &fd);
    check_date(L, 2, what, &ty, &tm, &td);
    rc = ogid_calendar_workdays_between(c, fy, fm, fd, ty, tm, td, &n);
    if (rc != 0)
        return calendar_error(L, c, what, rc, fy < ty ? fy : ty, fy < ty ? ty : fy);
    lua_pushinteger(L, n);
    return 1;
}

static int l_cal_covers(lua_State *L)
{
    const struct ogid_calendar *c = calendar(L, "ogid.calendar.covers");
    lua_Integer y = luaL_checkinteger(L, 1);

    lua_pushboolean(L, y >= 1 && y <= 9999 && ogid_calendar_covers(c, (int)y));
    return 1;
}

static int l_cal_day_name(lua_State *L)
{
    static const char what[] = "ogid.calendar.day_name";
    const struct ogid_calendar *c = calendar(L, what);
    int y, m, d;
    const char *name;

    check_date(L, 1, what, &y, &m, &d);
    name = ogid_calendar_day_name(c, y, m, d);
    if (name == NULL)
        lua_pushnil(L);
    else
        lua_pushstring(L, name);
    return 1;
}

/* ogid.calendar.weekday(date) -> 0 (Sunday) … 6 (Saturday); needs no
 * holiday notice. */
static int l_cal_weekday(lua_State *L)
{
    int y, m, d;

    check_date(L, 1, "ogid.calendar.weekday", &y, &m, &d);
    lua_pushinteger(L, ogid_calendar_weekday(y, m, d));
    return 1;
}

void ogid_rules_api_push(lua_State *L, struct ogid_rules_host *host)
{
    static const luaL_Reg plain[] = {{"numbers", l_numbers},     {"sentences", l_sentences},
                                     {"date", l_date},           {"section", l_section},
                                     {NULL, NULL}};
    static const luaL_Reg cal[] = {{"is_workday", l_cal_is_workday},
                                   {"add_workdays", l_cal_add_workdays},
                                   {"workdays_between", l_cal_workdays_between},
                                   {"covers", l_cal_covers},
                                   {"day_name", l_cal_day_name},
                                   {NULL, NULL}};

    lua_createtable(L, 0, 8);
    luaL_setfuncs(L, plain, 0);
    lua_pushinteger(L, OGID_RULES_API);
    lua_setfield(L, -2, "api");

    /* find_number matches with the real string.find, whatever the rule
     * did to its own copy of the string library. */
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
    lua_pushliteral(L, "string");
    lua_rawget(L, -2);
    lua_pushliteral(L, "find");
    lua_rawget(L, -2);
    lua_pushcclosure(L, l_find_number, 1);
    lua_setfield(L, -4, "find_number");
    lua_pop(L, 2);

    lua_createtable(L, 0, 6);
    lua_pushlightuserdata(L, host);
    luaL_setfuncs(L, cal, 1);
    lua_pushcfunction(L, l_cal_weekday);
    lua_setfield(L, -2, "weekday");
    lua_setfield(L, -2, "calendar");
}
