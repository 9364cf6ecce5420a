/* Text helpers shared by the format plugins; see plugin_text.h. */
#include "plugin_text.h"

#include <stdlib.h>
#include <string.h>

#define FIRST_CAP 128

int ogid_pc_wide(uint32_t cp)
{
    return cp >= 0x2E80 && !(cp >= 0xFE70 && cp <= 0xFEFF);
}

void ogid_pc_text_append(struct ogid_pc_text *t, const char *s, size_t n)
{
    if (t->oom)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : FIRST_CAP;
        char *p;

        while (cap < t->len + n + 1) {
            if (cap > SIZE_MAX / 2) {
                t->oom = 1;
                return;
            }
            cap *= 2;
        }
        p = realloc(t->s, cap);
        if (p == NULL) {
            t->oom = 1;
            return;
        }
        t->s = p;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

void ogid_pc_text_put_cp(struct ogid_pc_text *t, uint32_t cp)
{
    char out[4];
    size_t n;

    if (cp < 0x80) {
        out[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    ogid_pc_text_append(t, out, n);
}

void ogid_pc_text_reset(struct ogid_pc_text *t)
{
    t->len = 0;
    if (t->s != NULL)
        t->s[0] = '\0';
}

uint32_t ogid_pc_normal_form(uint32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        return cp - 0xFF01 + 0x21;
    switch (cp) {
    case 0x3000:
    case 0x00A0:
    case 0x2002:
    case 0x2003:
    case 0x2009:
    case 0x200A:
    case 0x202F:
        return ' ';
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x2033:
        return '"';
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x2032:
        return '\'';
    case 0xFEFF:
    case 0x200B:
        return 0;
    default:
        return cp;
    }
}

size_t ogid_pc_utf8_decode(const unsigned char *s, size_t n, uint32_t *out)
{
    uint32_t cp;
    size_t len, i;

    if (s[0] < 0x80) {
        *out = s[0];
        return 1;
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
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *out = cp;
    return len;
}

uint32_t ogid_pc_utf8_get(const unsigned char *s, size_t n, size_t *used)
{
    uint32_t cp;
    size_t len = ogid_pc_utf8_decode(s, n, &cp);

    if (len == 0) {
        *used = 1;
        return 0xFFFD;
    }
    *used = len;
    return cp;
}
