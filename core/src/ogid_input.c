/* Reading one report file: bounded read, SHA-256 (the report's id), the
 * encoding (BOM, an HTML meta charset, UTF-8 validity, else GB18030 through
 * iconv) and normalisation of variant spellings. Reports are copied from web
 * portals in every state of full-width and half-width punctuation; later
 * stages match labels such as "(一)" and "发布日期:" in one spelling only. */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "ogid/ogid_error.h"
#include "ogid_input.h"

void ogid_sha256_hex(const void *buf, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    static const char hex[] = "0123456789abcdef";

    EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL);
    for (unsigned int i = 0; i < mdlen && i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

int ogid_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        uint32_t cp;

        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (len - i <= n)
            return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
            (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += n + 1;
    }
    return 1;
}

/* Decodes one UTF-8 sequence known to be valid. */
static uint32_t utf8_next(const unsigned char *s, size_t *i)
{
    unsigned char c = s[*i];
    uint32_t cp;
    size_t n;

    if (c < 0x80) {
        (*i)++;
        return c;
    }
    n = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : 3;
    cp = c & (0x3F >> n);
    for (size_t k = 1; k <= n; k++)
        cp = (cp << 6) | (s[*i + k] & 0x3F);
    *i += n + 1;
    return cp;
}

static size_t utf8_put(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The one spelling of a code point, or the code point itself. */
static uint32_t normal_form(uint32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)  /* full-width ASCII forms */
        return cp - 0xFF01 + 0x21;
    switch (cp) {
    case 0x3000: /* ideographic space */
    case 0x00A0: /* no-break space */
    case 0x2002: case 0x2003: case 0x2009: case 0x200A: case 0x202F:
        return ' ';
    case 0x201C: case 0x201D: case 0x201E: case 0x2033:
        return '"';
    case 0x2018: case 0x2019: case 0x201A: case 0x2032:
        return '\'';
    case 0xFEFF: /* a BOM or zero-width no-break space inside text */
    case 0x200B: /* zero-width space */
        return 0;
    default:
        return cp;
    }
}

char *ogid_normalise(const char *s, size_t len, size_t *out_len)
{
    const unsigned char *u = (const unsigned char *)s;
    char *out = malloc(len + 1);
    size_t i = 0, o = 0;

    if (out == NULL)
        return NULL;
    while (i < len) {
        uint32_t cp = normal_form(utf8_next(u, &i));

        if (cp == '\r') {
            /* CRLF and lone CR become LF. */
            if (i < len && u[i] == '\n')
                continue;
            cp = '\n';
        }
        if (cp != 0)
            o += utf8_put(cp, out + o);
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

static int isalnum_ascii(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Looks for <meta charset=...> or content="...charset=..." in the head of an
 * HTML page; writes the lower-case name into out. */
static int html_charset(const unsigned char *b, size_t len, char *out, size_t outlen)
{
    size_t lim = len < 4096 ? len : 4096;

    for (size_t i = 0; i + 8 < lim; i++) {
        if (strncasecmp((const char *)b + i, "charset=", 8) != 0)
            continue;
        size_t j = i + 8, k = 0;
        while (j < lim && (b[j] == '"' || b[j] == '\'' || b[j] == ' '))
            j++;
        while (j < lim && k + 1 < outlen &&
               (isalnum_ascii(b[j]) || b[j] == '-' || b[j] == '_'))
            out[k++] = (char)(b[j++] | 0x20);
        out[k] = '\0';
        return k > 0;
    }
    return 0;
}

/* 1 for the legacy encodings a page may declare other than the GB family
 * (read as GB18030 anyway): Big5 on traditional-character mirrors, and the
 * single-byte and East Asian ones. Wide encodings (UTF-16, UCS-4) declared
 * in a meta tag are ignored, as browsers do. */
static int legacy_web_charset(const char *cs)
{
    static const char *const ok[] = {"big5", "big5-hkscs", "shift_jis", "euc-jp",
                                     "euc-kr", "iso-8859-1", "windows-1252", "latin1",
                                     NULL};

    for (size_t i = 0; ok[i] != NULL; i++)
        if (strcmp(cs, ok[i]) == 0)
            return 1;
    return 0;
}

/* Converts with iconv into a new UTF-8 buffer. Returns 0 or OGID_EFORMAT
 * when the bytes are not in that encoding. */
static int convert(const char *from, const unsigned char *in, size_t len, char **out,
                   size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", from);
    size_t cap = len * 2 + 16, left_in = len, left_out;
    char *buf, *pin = (char *)in, *pout;
    int rc = OGID_EFORMAT;

    if (cd == (iconv_t)-1)
        return OGID_EFORMAT;
    buf = malloc(cap);
    if (buf == NULL) {
        iconv_close(cd);
        return OGID_ENOMEM;
    }
    pout = buf;
    left_out = cap - 1;
    while (left_in > 0) {
        if (iconv(cd, &pin, &left_in, &pout, &left_out) != (size_t)-1)
            continue;
        if (errno != E2BIG)
            goto done;
        size_t used = (size_t)(pout - buf);
        char *nbuf = realloc(buf, cap * 2);
        if (nbuf == NULL) {
            rc = OGID_ENOMEM;
            goto done;
        }
        buf = nbuf;
        cap *= 2;
        pout = buf + used;
        left_out = cap - used - 1;
    }
    *pout = '\0';
    *out_len = (size_t)(pout - buf);
    /* iconv passes some things through that are not text (surrogates from
     * UCS-4, NULs): what later stages see must be valid UTF-8 without NUL. */
    if (!ogid_utf8_valid(buf, *out_len) || memchr(buf, '\0', *out_len) != NULL)
        goto done;
    *out = buf;
    buf = NULL;
    rc = 0;
done:
    free(buf);
    iconv_close(cd);
    return rc;
}

/* 1 when the bytes look like a binary container or data rather than text. */
static int looks_binary(const unsigned char *b, size_t len)
{
    if (len >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4)
        return 1;
    size_t lim = len < 8192 ? len : 8192, ctrl = 0;
    for (size_t i = 0; i < lim; i++) {
        if (b[i] == 0)
            return 1;
        if (b[i] < 0x20 && b[i] != '\n' && b[i] != '\r' && b[i] != '\t' &&
            b[i] != '\f')
            ctrl++;
    }
    return ctrl * 20 > lim;
}

/* Decodes f->bytes into f->text. */
static int decode(struct ogid_file *f)
{
    const unsigned char *b = f->bytes;
    size_t len = f->len, skip = 0, raw_len = 0;
    char charset[32];
    char *raw = NULL;
    int rc;

    if (len >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF))) {
        f->encoding = b[0] == 0xFF ? "utf-16le" : "utf-16be";
        rc = convert(b[0] == 0xFF ? "UTF-16LE" : "UTF-16BE", b + 2, len - 2, &raw,
                     &raw_len);
        if (rc != 0)
            return rc;
        goto normalise;
    }
    if (looks_binary(b, len)) {
        f->encoding = "binary";
        return 0;
    }
    if (len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF)
        skip = 3;
    if (ogid_utf8_valid((const char *)b + skip, len - skip)) {
        f->encoding = "utf-8";
        raw = malloc(len - skip + 1);
        if (raw == NULL)
            return OGID_ENOMEM;
        memcpy(raw, b + skip, len - skip);
        raw[len - skip] = '\0';
        raw_len = len - skip;
        goto normalise;
    }
    /* Not UTF-8: a declared charset where the page gives one (GB2312 and GBK
     * are subsets of GB18030, so read them as GB18030), else GB18030. */
    if (html_charset(b, len, charset, sizeof charset) && legacy_web_charset(charset) &&
        convert(charset, b, len, &raw, &raw_len) == 0) {
        f->encoding = strcmp(charset, "big5") == 0 ? "big5" : "other";
        goto normalise;
    }
    rc = convert("GB18030", b, len, &raw, &raw_len);
    if (rc != 0) {
        f->encoding = "binary";
        return rc == OGID_ENOMEM ? rc : 0;
    }
    f->encoding = "gb18030";
normalise:
    f->text = ogid_normalise(raw, raw_len, &f->text_len);
    free(raw);
    return f->text == NULL ? OGID_ENOMEM : 0;
}

int ogid_file_from_buffer(const void *buf, size_t len, struct ogid_file *f)
{
    memset(f, 0, sizeof *f);
    if (len == 0)
        return OGID_EFORMAT;
    f->bytes = malloc(len + 1);
    if (f->bytes == NULL)
        return OGID_ENOMEM;
    memcpy(f->bytes, buf, len);
    f->bytes[len] = '\0';
    f->len = len;
    ogid_sha256_hex(f->bytes, len, f->sha256);
    int rc = decode(f);
    if (rc != 0)
        ogid_file_clear(f);
    return rc;
}

int ogid_file_read_fd(int fd, uint64_t max_bytes, struct ogid_file *f)
{
    struct stat st;
    unsigned char *buf = NULL;
    size_t len = 0, cap;
    int rc;

    memset(f, 0, sizeof *f);
    if (fstat(fd, &st) != 0)
        return OGID_EIO;
    if (!S_ISREG(st.st_mode))
        return OGID_EFORMAT;
    if ((uint64_t)st.st_size > max_bytes)
        return OGID_ETOOBIG;
    /* Read to EOF, but never past the limit: the file may grow after fstat. */
    cap = (size_t)st.st_size + 1;
    buf = malloc(cap + 1);
    if (buf == NULL)
        return OGID_ENOMEM;
    for (;;) {
        if (len == cap) {
            if (len > max_bytes) {
                free(buf);
                return OGID_ETOOBIG;
            }
            size_t ncap = cap * 2 > max_bytes + 1 ? (size_t)max_bytes + 1 : cap * 2;
            unsigned char *nbuf = realloc(buf, ncap + 1);
            if (nbuf == NULL) {
                free(buf);
                return OGID_ENOMEM;
            }
            buf = nbuf;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            free(buf);
            return OGID_EIO;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    if (len > max_bytes) {
        free(buf);
        return OGID_ETOOBIG;
    }
    rc = ogid_file_from_buffer(buf, len, f);
    free(buf);
    return rc;
}

void ogid_file_clear(struct ogid_file *f)
{
    free(f->bytes);
    free(f->text);
    memset(f, 0, sizeof *f);
}
