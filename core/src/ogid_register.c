/* The request register: from a table of requests to the register model.
 *
 * The table comes from any format plugin (CSV and XLSX in practice); its
 * header row is found by the names of its columns, in Chinese or English, in
 * any order, and columns not known here are ignored. Each value is read for
 * what its column holds — dates to "YYYY-MM-DD", 是/否 to a boolean, yuan and
 * counts to numbers, the applicant type to a column key of table 三 and the
 * outcome to a row key of table 三 (REPORT-MODEL.md) — and what cannot be
 * read is null with a note saying where, never a guess.
 *
 * The agency and the year come from "# 机关：…" and "# 年度：…" lines above
 * the header (paragraphs from a CSV, rows of a sheet above the header), or
 * else from a file name of the form <agency>-<year>-台账.csv.
 *
 * Row lines: the CSV and XLSX plugins keep row r of the grid on line (sheet
 * row) L + r of the file, L being the table's line, so a row's "line" is
 * where a person finds it. A format without lines gives the row's place in
 * its table. */
#include "ogid_register.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ogid/ogid_error.h"
#include "ogid_rules_api.h"

/* The header is looked for among a table's first rows: a sheet may carry a
 * title and the agency and year above it. */
#define HEADER_SEARCH_ROWS 30
#define MIN_HEADER_COLUMNS 3

enum kind { K_TEXT, K_DATE, K_BOOL, K_MONEY, K_COUNT, K_TYPE, K_OUTCOME };

struct column {
    const char *key;
    const char *label; /* the Chinese name, for notes */
    enum kind kind;
    const char *const *names;
};

#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})

static const struct column columns[] = {
    {"id", "编号", K_TEXT, NAMES("编号", "id", "序号", "登记编号", "申请编号")},
    {"applicant", "申请人", K_TEXT,
     NAMES("申请人", "applicant", "申请人姓名", "申请人名称", "申请人姓名或名称")},
    {"applicant_type", "申请人类型", K_TYPE,
     NAMES("申请人类型", "applicant_type", "申请人类别", "申请人性质")},
    {"received", "收到日期", K_DATE,
     NAMES("收到日期", "received", "收到申请日期", "申请收到日期")},
    {"correction_requested", "补正通知日期", K_DATE,
     NAMES("补正通知日期", "correction_requested", "补正告知日期", "通知补正日期")},
    {"correction_received", "补正收到日期", K_DATE,
     NAMES("补正收到日期", "correction_received", "收到补正日期", "补正申请收到日期")},
    {"consultation_start", "征求意见开始", K_DATE,
     NAMES("征求意见开始", "consultation_start", "征求意见开始日期")},
    {"consultation_end", "征求意见结束", K_DATE,
     NAMES("征求意见结束", "consultation_end", "征求意见结束日期")},
    {"extended", "延期", K_BOOL, NAMES("延期", "extended", "是否延期", "延期答复")},
    {"fee_notice", "收费通知日期", K_DATE, NAMES("收费通知日期", "fee_notice")},
    {"fee_paid", "缴费日期", K_DATE, NAMES("缴费日期", "fee_paid", "缴纳日期")},
    {"fee", "收费金额", K_MONEY, NAMES("收费金额", "fee", "信息处理费", "信息处理费金额")},
    {"items", "件数", K_COUNT, NAMES("件数", "items", "计费件数")},
    {"pages", "页数", K_COUNT, NAMES("页数", "pages", "计费页数")},
    {"replied", "答复日期", K_DATE, NAMES("答复日期", "replied", "答复时间", "办结日期")},
    {"outcome", "办理结果", K_OUTCOME,
     NAMES("办理结果", "outcome", "处理结果", "答复结果")},
};

#define N_COLUMNS (sizeof columns / sizeof columns[0])

/* Applicant types: the table 三 columns (REPORT-MODEL.md). */
static const struct {
    const char *key;
    const char *const *names;
} types[] = {
    {"natural_person", NAMES("自然人", "公民", "个人")},
    {"commercial", NAMES("商业企业", "企业", "公司")},
    {"research", NAMES("科研机构")},
    {"social_welfare", NAMES("社会公益组织", "公益组织")},
    {"legal_services", NAMES("法律服务机构", "律师事务所")},
    {"other_org", NAMES("其他", "其他组织", "其他法人或其他组织")},
};

#define N_TYPES (sizeof types / sizeof types[0])

/* Outcomes: the rows of table 三 (form 2021) with the labels of
 * rules/forms/2021.yaml, without their numbering, and shorter forms offices
 * write. */
static const struct {
    const char *key;
    const char *const *names;
} outcomes[] = {
    {"granted", NAMES("予以公开")},
    {"partly_granted", NAMES("部分公开", "部分公开(区分处理的,只计这一情形,不计其他情形)")},
    {"withheld.state_secret", NAMES("属于国家秘密", "国家秘密")},
    {"withheld.prohibited_by_law",
     NAMES("其他法律行政法规禁止公开", "法律行政法规禁止公开")},
    {"withheld.security_stability", NAMES("危及“三安全一稳定”", "危及三安全一稳定")},
    {"withheld.third_party", NAMES("保护第三方合法权益")},
    {"withheld.internal_affairs",
     NAMES("属于三类内部事务信息", "三类内部事务信息", "内部事务信息")},
    {"withheld.process_information",
     NAMES("属于四类过程性信息", "四类过程性信息", "过程性信息")},
    {"withheld.enforcement_files", NAMES("属于行政执法案卷", "行政执法案卷")},
    {"withheld.inquiry_matters", NAMES("属于行政查询事项", "行政查询事项")},
    {"unavailable.not_held", NAMES("本机关不掌握相关政府信息", "不掌握相关政府信息")},
    {"unavailable.needs_creation", NAMES("没有现成信息需要另行制作", "需要另行制作")},
    {"unavailable.still_unclear", NAMES("补正后申请内容仍不明确")},
    {"declined.complaint", NAMES("信访举报投诉类申请")},
    {"declined.duplicate", NAMES("重复申请")},
    {"declined.publication", NAMES("要求提供公开出版物")},
    {"declined.excessive", NAMES("无正当理由大量反复申请")},
    {"declined.confirmation", NAMES("要求行政机关确认或重新出具已获取信息")},
    {"other.no_correction",
     NAMES("申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
           "申请人无正当理由逾期不补正", "逾期不补正")},
    {"other.unpaid_fee",
     NAMES("申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
           "申请人逾期未按收费通知要求缴纳费用", "逾期未按收费通知要求缴纳费用",
           "逾期未缴费")},
    {"other.misc", NAMES("其他", "其他处理")},
};

#define N_OUTCOMES (sizeof outcomes / sizeof outcomes[0])

/* Group headings of table 三 an office may write before the item
 * ("不予公开—保护第三方合法权益"). */
static const char *const groups[] = {"不予公开", "无法提供", "不予处理", "其他处理", NULL};

/* ---- Comparing names ---------------------------------------------------------- */

static int starts(const char *s, const char *w)
{
    return strncmp(s, w, strlen(w)) == 0;
}

/* Punctuation and blanks that never tell two names apart, ASCII and CJK. */
static size_t ignorable(const char *s)
{
    static const char *const cjk[] = {"、", "，", "。", "；", "：", "“",  "”",
                                      "‘",  "’",  "（", "）", "《", "》", "—",
                                      "·",  "　", "【", "】", "－", NULL};

    unsigned char c = (unsigned char)*s;

    if (c < 0x80)
        return c != '\0' && strchr(" \t\n\r.,;:'\"()[]{}-_/\\*", c) != NULL;
    /* Only these lead bytes start the marks below; CJK characters do not. */
    if (c != 0xC2 && c != 0xE2 && c != 0xE3 && c != 0xEF)
        return 0;
    for (size_t i = 0; cjk[i] != NULL; i++)
        if (starts(s, cjk[i]))
            return strlen(cjk[i]);
    return 0;
}

/* The length of a numbering prefix at s ("(一)", "一、", "1.", "(3)"), or 0. */
static size_t numbering(const char *s)
{
    static const char *const cn[] = {"一", "二", "三", "四", "五", "六",
                                     "七", "八", "九", "十", NULL};
    const char *p = s;
    int open = 0, any = 0;

    if (*p == '(') {
        open = 1;
        p++;
    } else if (starts(p, "（")) {
        open = 1;
        p += strlen("（");
    }
    for (;;) {
        size_t k = 0;

        if (*p >= '0' && *p <= '9') {
            k = 1;
        } else {
            for (size_t i = 0; cn[i] != NULL; i++)
                if (starts(p, cn[i]))
                    k = strlen(cn[i]);
        }
        if (k == 0)
            break;
        p += k;
        any = 1;
    }
    if (!any)
        return 0;
    if (open) {
        if (*p == ')')
            return (size_t)(p + 1 - s);
        if (starts(p, "）"))
            return (size_t)(p + strlen("）") - s);
        return 0;
    }
    if (*p == '.' || *p == ')')
        return (size_t)(p + 1 - s);
    if (starts(p, "、"))
        return (size_t)(p + strlen("、") - s);
    if (starts(p, "．"))
        return (size_t)(p + strlen("．") - s);
    return 0;
}

/* The comparable form of a name into out (at most outlen bytes with the
 * NUL): numbering prefixes (where asked), blanks and punctuation dropped,
 * ASCII in lower case. */
static void fold(const char *s, char *out, size_t outlen, int drop_numbering)
{
    size_t o = 0, k;
    const char *p = s;

    while (*p == ' ' || *p == '#')
        p++;
    while (drop_numbering && (k = numbering(p)) != 0)
        p += k;
    while (*p != '\0' && o + 1 < outlen) {
        if ((k = ignorable(p)) != 0) {
            p += k;
            continue;
        }
        out[o++] = (char)tolower((unsigned char)*p);
        p++;
    }
    out[o] = '\0';
}

/* The column names folded once: detection looks at every cell of the first
 * rows of every table of every report. */
#define MAX_NAMES 128
#define NAME_BYTES 64

static struct {
    char folded[MAX_NAMES][NAME_BYTES];
    int column[MAX_NAMES];
    size_t n;
} header_names;
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void fold_names(void)
{
    for (size_t c = 0; c < N_COLUMNS; c++)
        for (size_t i = 0; columns[c].names[i] != NULL && header_names.n < MAX_NAMES; i++) {
            fold(columns[c].names[i], header_names.folded[header_names.n], NAME_BYTES, 0);
            header_names.column[header_names.n++] = (int)c;
        }
}

/* The column a header cell names, or -1. A name with a bracketed tail
 * ("收费金额(元)", "页数（页）") is tried without it too. */
static int column_of(const char *cell)
{
    char f[NAME_BYTES], base[NAME_BYTES];
    const char *br;
    size_t len = strlen(cell);

    /* Numbers and prose are no column names. */
    if (len == 0 || len >= NAME_BYTES || (*cell >= '0' && *cell <= '9'))
        return -1;
    pthread_once(&names_once, fold_names);
    fold(cell, f, sizeof f, 0);
    if (f[0] == '\0')
        return -1;
    base[0] = '\0';
    br = strchr(cell, '(');
    if (br == NULL)
        br = strstr(cell, "（");
    if (br != NULL && br > cell) {
        char head[NAME_BYTES];

        memcpy(head, cell, (size_t)(br - cell));
        head[br - cell] = '\0';
        fold(head, base, sizeof base, 0);
    }
    for (size_t i = 0; i < header_names.n; i++)
        if (strcmp(f, header_names.folded[i]) == 0 ||
            (base[0] != '\0' && strcmp(base, header_names.folded[i]) == 0))
            return header_names.column[i];
    return -1;
}

/* Does the folded text f equal one of names (folded)? */
static int named_as(const char *f, const char *const *names)
{
    for (size_t i = 0; names[i] != NULL; i++) {
        char n[512];

        fold(names[i], n, sizeof n, 1);
        if (strcmp(f, n) == 0)
            return 1;
    }
    return 0;
}

/* The key of an applicant type, written as a label or as the key; NULL. */
static const char *type_key(const char *text)
{
    char f[512], k[128];

    fold(text, f, sizeof f, 1);
    for (size_t t = 0; t < N_TYPES; t++) {
        fold(types[t].key, k, sizeof k, 0);
        if (strcmp(f, k) == 0 || named_as(f, types[t].names))
            return types[t].key;
    }
    return NULL;
}

static const char *outcome_match(const char *f)
{
    char k[128];

    for (size_t o = 0; o < N_OUTCOMES; o++) {
        fold(outcomes[o].key, k, sizeof k, 0);
        if (strcmp(f, k) == 0 || named_as(f, outcomes[o].names))
            return outcomes[o].key;
    }
    return NULL;
}

/* The table 三 row key of an outcome, written as a label (with or without
 * its numbering, and with or without its group heading before it) or as the
 * key; NULL. */
static const char *outcome_key(const char *text)
{
    char f[512];
    const char *p = text, *key;
    size_t k;

    fold(text, f, sizeof f, 1);
    if ((key = outcome_match(f)) != NULL)
        return key;
    while (*p == ' ')
        p++;
    while ((k = numbering(p)) != 0)
        p += k;
    for (size_t g = 0; groups[g] != NULL; g++) {
        const char *rest;

        if (!starts(p, groups[g]))
            continue;
        rest = p + strlen(groups[g]);
        while ((k = ignorable(rest)) != 0)
            rest += k;
        if (*rest == '\0')
            return NULL;
        fold(rest, f, sizeof f, 1);
        return outcome_match(f);
    }
    return NULL;
}

/* ---- Reading values ----------------------------------------------------------- */

/* Cells that say "nothing here". */
static int blank(const char *s)
{
    static const char *const none[] = {"",   "-",  "/",   "—",   "——", "无",
                                       "空", "--", "N/A", "n/a", "\\", NULL};

    for (size_t i = 0; none[i] != NULL; i++)
        if (strcmp(s, none[i]) == 0)
            return 1;
    return 0;
}

/* A date, into out "YYYY-MM-DD"; also the compact 20230105. */
static int read_date(const char *s, char out[11])
{
    int y, m, d;

    if (ogid_rules_parse_date(s, strlen(s), &y, &m, &d, out))
        return 1;
    if (strlen(s) == 8 && strspn(s, "0123456789") == 8) {
        char buf[16];

        snprintf(buf, sizeof buf, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
        return ogid_rules_parse_date(buf, strlen(buf), &y, &m, &d, out);
    }
    return 0;
}

/* 是/否 and their spellings: 1 or 0, -1 when unreadable. A blank is 0:
 * no extension unless the register says so. */
static int read_bool(const char *s)
{
    static const char *const yes[] = {"是", "y",      "yes",  "true", "1", "√",
                                      "✓",  "已延期", "延期", "有",   NULL};
    static const char *const no[] = {"否", "n",      "no",     "false", "0",
                                     "×",  "未延期", "不延期", NULL};
    char f[64];

    if (blank(s))
        return 0;
    fold(s, f, sizeof f, 0);
    for (size_t i = 0; yes[i] != NULL; i++)
        if (strcmp(f, yes[i]) == 0)
            return 1;
    for (size_t i = 0; no[i] != NULL; i++)
        if (strcmp(f, no[i]) == 0)
            return 0;
    return -1;
}

/* A non-negative number with an optional unit (元, 件, 页) or currency sign
 * and thousands separators. 0 and the value, or -1. */
static int read_number(const char *s, double *out)
{
    static const char *const drop[] = {"元", "件", "页", "¥", "￥", ",", " ", NULL};
    char buf[128];
    size_t o = 0;
    const char *p = s;
    char *end;
    double v;

    while (*p != '\0') {
        size_t k = 0;

        for (size_t i = 0; drop[i] != NULL && k == 0; i++)
            if (starts(p, drop[i]))
                k = strlen(drop[i]);
        if (k > 0) {
            p += k;
            continue;
        }
        if (o + 1 >= sizeof buf)
            return -1;
        buf[o++] = *p++;
    }
    buf[o] = '\0';
    if (o == 0)
        return -1;
    v = strtod(buf, &end);
    if (*end != '\0' || !isfinite(v) || v < 0 || v > 1e12)
        return -1;
    *out = v;
    return 0;
}

/* ---- Building ----------------------------------------------------------------- */

struct build {
    json_t *notes;
    int nomem;
};

static void put(struct build *b, json_t *obj, const char *key, json_t *v)
{
    if (v == NULL || json_object_set_new(obj, key, v) != 0)
        b->nomem = 1;
}

static void note(struct build *b, const char *code, long line, const char *column,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void note(struct build *b, const char *code, long line, const char *column,
                 const char *fmt, ...)
{
    char msg[1024];
    json_t *n, *where;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    where = json_object();
    if (where != NULL && line > 0)
        put(b, where, "line", json_integer(line));
    if (where != NULL && column != NULL)
        put(b, where, "column", json_string(column));
    n = json_pack("{s:s, s:s, s:s, s:o*}", "level", "warning", "code", code, "message", msg,
                  "where", where);
    if (n == NULL || json_array_append_new(b->notes, n) != 0)
        b->nomem = 1;
}

/* Where the header of a register table is: block index and row; -1. */
static long find_header(const struct ogid_document *doc, size_t *row)
{
    for (size_t i = 0; i < doc->n_blocks; i++) {
        const struct ogid_block *t = &doc->blocks[i];

        if (t->kind != OGID_BLOCK_TABLE)
            continue;
        for (size_t r = 0; r < t->rows && r < HEADER_SEARCH_ROWS; r++) {
            unsigned char seen[N_COLUMNS] = {0};
            size_t n = 0;

            for (size_t c = 0; c < t->cols; c++) {
                int k = column_of(ogid_block_cell(t, r, c));

                if (k >= 0 && !seen[k]) {
                    seen[k] = 1;
                    n++;
                }
            }
            if (n >= MIN_HEADER_COLUMNS) {
                *row = r;
                return (long)i;
            }
        }
    }
    return -1;
}

int ogid_register_detect(const struct ogid_document *doc)
{
    size_t row;

    return doc != NULL && find_header(doc, &row) >= 0;
}

/* ---- The agency and the year -------------------------------------------------- */

struct meta {
    char agency[512];
    int year;
};

static const char *const agency_keys[] = {"机关",     "单位",   "机关名称",
                                          "单位名称", "agency", NULL};
static const char *const year_keys[] = {"年度", "年份", "统计年度", "year", NULL};

/* The first year 1900-2999 written in s, or 0. */
static int year_in(const char *s)
{
    for (const char *p = s; *p != '\0'; p++) {
        if (isdigit((unsigned char)*p) && (p == s || !isdigit((unsigned char)p[-1]))) {
            size_t n = strspn(p, "0123456789");

            if (n == 4) {
                int y = atoi(p);

                if (y >= 1900 && y <= 2999)
                    return y;
            }
            p += n - 1;
        }
    }
    return 0;
}

static void trim_copy(char *out, size_t outlen, const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
        n--;
    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

/* A "key: value" line ("# 机关：同心县人民政府办公室"); key and value may
 * also come as two cells (value != NULL). */
static void meta_line(struct meta *m, const char *text, const char *value)
{
    char key[128], val[512];
    const char *p = text, *sep;
    size_t seplen = 1;

    while (*p == '#' || *p == ' ')
        p++;
    if (value == NULL) {
        sep = strchr(p, ':');
        if (sep == NULL && (sep = strstr(p, "：")) != NULL)
            seplen = strlen("：");
        if (sep == NULL)
            return;
        trim_copy(key, sizeof key, p, (size_t)(sep - p));
        trim_copy(val, sizeof val, sep + seplen, strlen(sep + seplen));
    } else {
        trim_copy(key, sizeof key, p, strlen(p));
        if (key[0] != '\0' && (strcmp(key + strlen(key) - 1, ":") == 0))
            key[strlen(key) - 1] = '\0';
        else if (strlen(key) >= 3 && strcmp(key + strlen(key) - 3, "：") == 0)
            key[strlen(key) - 3] = '\0';
        trim_copy(val, sizeof val, value, strlen(value));
    }
    if (val[0] == '\0')
        return;
    for (size_t i = 0; agency_keys[i] != NULL; i++) {
        char f[128];

        fold(key, f, sizeof f, 0);
        if (strcmp(f, agency_keys[i]) == 0 && m->agency[0] == '\0')
            snprintf(m->agency, sizeof m->agency, "%s", val);
    }
    for (size_t i = 0; year_keys[i] != NULL; i++) {
        char f[128];

        fold(key, f, sizeof f, 0);
        if (strcmp(f, year_keys[i]) == 0 && m->year == 0)
            m->year = year_in(val);
    }
}

/* The rows above the header: each either one cell holding "key: value" or a
 * key cell and a value cell. */
static void meta_rows(struct meta *m, const struct ogid_block *t, size_t header)
{
    for (size_t r = 0; r < header; r++) {
        const char *first = NULL, *second = NULL;

        for (size_t c = 0; c < t->cols; c++) {
            const char *s = ogid_block_cell(t, r, c);

            if (s[0] == '\0' || !t->origin[r * t->cols + c])
                continue;
            if (first == NULL)
                first = s;
            else if (second == NULL)
                second = s;
        }
        if (first == NULL)
            continue;
        if (strchr(first, ':') != NULL || strstr(first, "：") != NULL)
            meta_line(m, first, NULL);
        else if (second != NULL)
            meta_line(m, first, second);
    }
}

/* <agency>-<year>-台账.ext (or _ between, or 登记台账/register). */
static void meta_from_name(struct meta *m, const char *file)
{
    static const char *const tails[] = {"登记台账", "台账", "register", NULL};
    char name[512];
    const char *base;
    char *dot, *p;
    size_t n;

    if (file == NULL)
        return;
    base = strrchr(file, '/');
    base = base ? base + 1 : file;
    snprintf(name, sizeof name, "%s", base);
    if ((dot = strrchr(name, '.')) != NULL && dot != name)
        *dot = '\0';
    n = strlen(name);
    for (size_t i = 0; tails[i] != NULL; i++) {
        size_t k = strlen(tails[i]);

        if (n > k + 1 && strcmp(name + n - k, tails[i]) == 0 &&
            (name[n - k - 1] == '-' || name[n - k - 1] == '_')) {
            name[n - k - 1] = '\0';
            n = strlen(name);
            break;
        }
    }
    if (n < 6)
        return;
    p = name + n - 4;
    if (strspn(p, "0123456789") != 4 || (p[-1] != '-' && p[-1] != '_'))
        return;
    if (m->year == 0)
        m->year = year_in(p);
    p[-1] = '\0';
    if (m->agency[0] == '\0' && name[0] != '\0')
        snprintf(m->agency, sizeof m->agency, "%s", name);
}

/* ---- Rows --------------------------------------------------------------------- */

struct counts {
    long by_type[N_TYPES];
    long unknown_type;
    long by_outcome[N_OUTCOMES];
    long pending;
    long rows;
};

static json_t *value_of(struct build *b, const struct column *col, const char *s, long line)
{
    char date[11];
    const char *key;
    double v;
    int flag;

    switch (col->kind) {
    case K_TEXT:
        return blank(s) ? json_null() : json_string(s);
    case K_DATE:
        if (blank(s))
            return json_null();
        if (read_date(s, date))
            return json_string(date);
        note(b, "REGISTER_BAD_DATE", line, col->key,
             "第%ld行“%s”列的“%s”不是日期，按空白处理", line, col->label, s);
        return json_null();
    case K_BOOL:
        flag = read_bool(s);
        if (flag < 0)
            note(b, "REGISTER_BAD_VALUE", line, col->key,
                 "第%ld行“%s”列的“%s”不是“是”或“否”，按“否”处理", line, col->label, s);
        return json_boolean(flag > 0);
    case K_MONEY:
    case K_COUNT:
        if (blank(s))
            return json_null();
        if (read_number(s, &v) != 0 || (col->kind == K_COUNT && v != floor(v))) {
            note(b, "REGISTER_BAD_NUMBER", line, col->key,
                 "第%ld行“%s”列的“%s”不是%s，按空白处理", line, col->label, s,
                 col->kind == K_COUNT ? "非负整数" : "金额");
            return json_null();
        }
        return v == floor(v) && v < 9e15 ? json_integer((json_int_t)v) : json_real(v);
    case K_TYPE:
        if (blank(s))
            return json_null();
        if ((key = type_key(s)) != NULL)
            return json_string(key);
        note(b, "REGISTER_UNKNOWN_TYPE", line, col->key,
             "第%ld行的申请人类型“%s”不是表三的六类申请人之一", line, s);
        return json_null();
    case K_OUTCOME:
        if (blank(s))
            return json_null();
        if ((key = outcome_key(s)) != NULL)
            return json_string(key);
        note(b, "REGISTER_UNKNOWN_OUTCOME", line, col->key,
             "第%ld行的办理结果“%s”不是表三的办理结果之一", line, s);
        return json_null();
    }
    return json_null();
}

static void count_row(json_t *row, struct counts *cn)
{
    const char *type = json_string_value(json_object_get(row, "applicant_type"));
    const char *outcome = json_string_value(json_object_get(row, "outcome"));
    size_t i;

    cn->rows++;
    for (i = 0; type != NULL && i < N_TYPES && strcmp(types[i].key, type) != 0; i++)
        ;
    if (type != NULL && i < N_TYPES)
        cn->by_type[i]++;
    else
        cn->unknown_type++;
    for (i = 0; outcome != NULL && i < N_OUTCOMES && strcmp(outcomes[i].key, outcome) != 0;
         i++)
        ;
    if (outcome != NULL && i < N_OUTCOMES)
        cn->by_outcome[i]++;
    if (outcome == NULL && json_is_null(json_object_get(row, "replied")))
        cn->pending++;
}

/* A totals row at the bottom of a register: not a request. */
static int totals_row(const char *first)
{
    char f[64];

    fold(first, f, sizeof f, 0);
    return strcmp(f, "合计") == 0 || strcmp(f, "总计") == 0 || strcmp(f, "小计") == 0 ||
           strcmp(f, "total") == 0;
}

static json_t *read_rows(struct build *b, const struct ogid_block *t, size_t header,
                         const int *col_of, struct counts *cn)
{
    json_t *rows = json_array(), *ids = json_object();

    if (rows == NULL || ids == NULL) {
        b->nomem = 1;
        json_decref(ids);
        return rows;
    }
    for (size_t r = header + 1; r < t->rows && !b->nomem; r++) {
        long line = t->line > 0 ? (long)(t->line + r) : (long)(r + 1);
        const char *first = NULL;
        json_t *row;
        int any = 0;

        for (size_t c = 0; c < t->cols; c++) {
            const char *s = ogid_block_cell(t, r, c);

            if (col_of[c] >= 0 && s[0] != '\0') {
                any = 1;
                if (first == NULL)
                    first = s;
            }
        }
        if (!any)
            continue;
        if (totals_row(first) || totals_row(ogid_block_cell(t, r, 0))) {
            note(b, "REGISTER_TOTALS_ROW", line, NULL, "第%ld行是合计行，不作为一件申请",
                 line);
            continue;
        }
        row = json_object();
        if (row == NULL || json_array_append_new(rows, row) != 0) {
            b->nomem = 1;
            break;
        }
        for (size_t k = 0; k < N_COLUMNS; k++)
            put(b, row, columns[k].key,
                columns[k].kind == K_BOOL ? json_false() : json_null());
        for (size_t c = 0; c < t->cols; c++) {
            const struct column *col;

            if (col_of[c] < 0)
                continue;
            col = &columns[col_of[c]];
            put(b, row, col->key, value_of(b, col, ogid_block_cell(t, r, c), line));
        }
        put(b, row, "line", json_integer(line));
        {
            const char *id = json_string_value(json_object_get(row, "id"));

            if (id != NULL) {
                json_t *seen = json_object_get(ids, id);

                if (seen != NULL)
                    note(b, "REGISTER_DUPLICATE_ID", line, "id",
                         "第%ld行的编号“%s”与第%lld行重复", line, id,
                         (long long)json_integer_value(seen));
                else
                    put(b, ids, id, json_integer(line));
            }
        }
        count_row(row, cn);
    }
    json_decref(ids);
    return rows;
}

static json_t *counts_json(struct build *b, const struct counts *cn)
{
    json_t *by_type = json_object(), *by_outcome = json_object(), *c;

    c = json_object();
    if (by_type == NULL || by_outcome == NULL || c == NULL) {
        b->nomem = 1;
        json_decref(by_type);
        json_decref(by_outcome);
        json_decref(c);
        return NULL;
    }
    for (size_t i = 0; i < N_TYPES; i++)
        put(b, by_type, types[i].key, json_integer(cn->by_type[i]));
    if (cn->unknown_type > 0)
        put(b, by_type, "unknown", json_integer(cn->unknown_type));
    for (size_t i = 0; i < N_OUTCOMES; i++)
        if (cn->by_outcome[i] > 0)
            put(b, by_outcome, outcomes[i].key, json_integer(cn->by_outcome[i]));
    put(b, c, "rows", json_integer(cn->rows));
    put(b, c, "by_applicant_type", by_type);
    put(b, c, "by_outcome", by_outcome);
    put(b, c, "pending", json_integer(cn->pending));
    return c;
}

int ogid_register_build(const struct ogid_document *doc, json_t *source, json_t **model)
{
    struct build b = {0};
    struct meta m = {{0}, 0};
    struct counts cn;
    const struct ogid_block *t;
    json_t *out = NULL, *meta, *cols, *rows;
    int *col_of = NULL;
    size_t header = 0;
    long ti;

    *model = NULL;
    if (doc == NULL || (ti = find_header(doc, &header)) < 0)
        return OGID_EINVAL;
    t = &doc->blocks[ti];
    memset(&cn, 0, sizeof cn);
    if ((b.notes = json_array()) == NULL ||
        (col_of = calloc(t->cols, sizeof *col_of)) == NULL)
        goto nomem;

    /* The columns: the first of two with one name counts. */
    if ((cols = json_array()) == NULL)
        goto nomem;
    {
        unsigned char seen[N_COLUMNS] = {0};

        for (size_t c = 0; c < t->cols; c++) {
            int k = column_of(ogid_block_cell(t, header, c));

            col_of[c] = -1;
            if (k < 0 || !t->origin[header * t->cols + c])
                continue;
            if (seen[k]) {
                note(&b, "REGISTER_DUPLICATE_COLUMN", 0, columns[k].key,
                     "表头有两列“%s”，只读第一列", columns[k].label);
                continue;
            }
            seen[k] = 1;
            col_of[c] = k;
            if (json_array_append_new(cols, json_string(columns[k].key)) != 0)
                b.nomem = 1;
        }
        for (size_t k = 0; k < N_COLUMNS; k++) {
            if (!seen[k] && (strcmp(columns[k].key, "received") == 0 ||
                             strcmp(columns[k].key, "replied") == 0 ||
                             strcmp(columns[k].key, "applicant_type") == 0 ||
                             strcmp(columns[k].key, "outcome") == 0))
                note(&b, "REGISTER_COLUMN_MISSING", 0, columns[k].key, "台账没有“%s”列",
                     columns[k].label);
        }
    }

    /* The agency and the year: lines above the header, then the name. */
    for (long i = 0; i < ti; i++)
        if (doc->blocks[i].kind == OGID_BLOCK_PARAGRAPH && doc->blocks[i].text != NULL)
            meta_line(&m, doc->blocks[i].text, NULL);
    meta_rows(&m, t, header);
    meta_from_name(&m, json_string_value(json_object_get(source, "file")));
    if (m.agency[0] == '\0')
        note(&b, "REGISTER_NO_AGENCY", 0, NULL,
             "台账未写明机关（表头上方的“# 机关：…”，或文件名“机关-年度-台账”）");
    if (m.year == 0)
        note(&b, "REGISTER_NO_YEAR", 0, NULL,
             "台账未写明年度（表头上方的“# 年度：…”，或文件名“机关-年度-台账”）");

    rows = read_rows(&b, t, header, col_of, &cn);
    meta = json_pack("{s:o, s:o, s:n}", "agency",
                     m.agency[0] ? json_string(m.agency) : json_null(), "year",
                     m.year ? json_integer(m.year) : json_null(), "title");
    out = json_pack("{s:i, s:s, s:O, s:o*, s:o*, s:o*, s:o*, s:O}", "model", 1, "kind",
                    "register", "source", source, "meta", meta, "columns", cols, "rows",
                    rows, "counts", counts_json(&b, &cn), "notes", b.notes);
    if (out == NULL || b.nomem)
        goto nomem;
    json_decref(b.notes);
    free(col_of);
    *model = out;
    return 0;
nomem:
    json_decref(out);
    json_decref(b.notes);
    free(col_of);
    return OGID_ENOMEM;
}
