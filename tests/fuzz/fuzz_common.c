/* Helpers of the libFuzzer targets: see fuzz_common.h. */
#include "fuzz_common.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ogid/ogid_error.h"
#include "ogid_input.h"
#include "ogid_plugin_loader.h"

#ifndef FUZZ_PLUGIN_DIR
#error "FUZZ_PLUGIN_DIR must be defined (see tests/fuzz/CMakeLists.txt)"
#endif

void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", file, line, what);
    abort();
}

static void host_log(int level, const char *plugin, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Formats every message, so a bad format argument in a plugin shows, and
 * prints them only with OGID_FUZZ_VERBOSE set: fuzzing makes millions. */
static void host_log(int level, const char *plugin, const char *fmt, ...)
{
    static int verbose = -1;
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (verbose < 0)
        verbose = getenv("OGID_FUZZ_VERBOSE") != NULL;
    if (verbose)
        fprintf(stderr, "%d [plugin:%s] %s\n", level, plugin, msg);
}

static const struct ogid_host host = {
    .struct_size = sizeof(struct ogid_host),
    .log = host_log,
    .max_input_bytes = FUZZ_MAX_INPUT_BYTES,
    .max_expanded_bytes = FUZZ_MAX_EXPANDED_BYTES,
    .max_cells = FUZZ_MAX_CELLS,
};

/* Kept so that the loader's handle stays reachable (no leak report). */
static void *plugin_handle;

const struct ogid_plugin *fuzz_plugin_load(const char *name)
{
    char path[1024], err[1280];
    const struct ogid_plugin *p;
    int rc;

    snprintf(path, sizeof path, "%s/ogid-%s.so", FUZZ_PLUGIN_DIR, name);
    if (ogid_plugin_open(path, &p, &plugin_handle, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz: %s\n", err);
        exit(2);
    }
    if (p->init != NULL && (rc = p->init(&host)) != 0) {
        fprintf(stderr, "fuzz: %s: init failed: %s\n", path, ogid_strerror(rc));
        exit(2);
    }
    return p;
}

void fuzz_check_document(const struct ogid_document *doc)
{
    for (size_t i = 0; i < doc->n_blocks; i++) {
        const struct ogid_block *blk = &doc->blocks[i];

        if (blk->kind == OGID_BLOCK_PARAGRAPH) {
            FUZZ_CHECK(blk->text != NULL);
            FUZZ_CHECK(ogid_utf8_valid(blk->text, strlen(blk->text)));
            continue;
        }
        FUZZ_CHECK(blk->kind == OGID_BLOCK_TABLE);
        FUZZ_CHECK(blk->rows > 0 && blk->cols > 0 && blk->cells != NULL);
        for (size_t k = 0; k < blk->rows * blk->cols; k++) {
            FUZZ_CHECK(blk->cells[k] != NULL);
            FUZZ_CHECK(ogid_utf8_valid(blk->cells[k], strlen(blk->cells[k])));
            FUZZ_CHECK(blk->origin[k] <= 1);
        }
    }
    FUZZ_CHECK(doc->n_cells <= doc->max_cells);
}

/* ---- Stored zips ------------------------------------------------------ */

#define MAX_PARTS 8
#define MAX_PART_NAME 128

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    static uint32_t table[256];
    uint32_t c = 0xFFFFFFFFu;

    if (table[1] == 0) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t v = i;

            for (int k = 0; k < 8; k++)
                v = v & 1 ? 0xEDB88320u ^ (v >> 1) : v >> 1;
            table[i] = v;
        }
    }
    for (size_t i = 0; i < n; i++)
        c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static uint8_t *put16(uint8_t *o, uint32_t v)
{
    o[0] = (uint8_t)v;
    o[1] = (uint8_t)(v >> 8);
    return o + 2;
}

static uint8_t *put32(uint8_t *o, uint32_t v)
{
    o = put16(o, v & 0xFFFF);
    return put16(o, v >> 16);
}

/* Local header and central directory entry share these fields. */
static uint8_t *put_common(uint8_t *o, const struct fuzz_part *e, uint32_t crc)
{
    o = put16(o, 20);   /* version needed */
    o = put16(o, 0);    /* flags */
    o = put16(o, 0);    /* stored */
    o = put16(o, 0);    /* time */
    o = put16(o, 0x21); /* date: 1980-01-01 */
    o = put32(o, crc);
    o = put32(o, (uint32_t)e->len);
    o = put32(o, (uint32_t)e->len);
    o = put16(o, (uint32_t)strlen(e->name));
    return put16(o, 0); /* extra */
}

static uint8_t *stored_zip(const struct fuzz_part *e, size_t n, size_t *out_len)
{
    size_t cap = 22, off[MAX_PARTS * 2];
    uint32_t crc[MAX_PARTS * 2], cd_start;
    uint8_t *buf, *o;

    for (size_t i = 0; i < n; i++)
        cap += 30 + 46 + 2 * strlen(e[i].name) + e[i].len;
    buf = malloc(cap);
    if (buf == NULL)
        return NULL;
    o = buf;
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(e[i].name);

        off[i] = (size_t)(o - buf);
        crc[i] = crc32_of(e[i].data, e[i].len);
        o = put32(o, 0x04034b50);
        o = put_common(o, &e[i], crc[i]);
        memcpy(o, e[i].name, nl);
        o += nl;
        if (e[i].len > 0)
            memcpy(o, e[i].data, e[i].len);
        o += e[i].len;
    }
    cd_start = (uint32_t)(o - buf);
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(e[i].name);

        o = put32(o, 0x02014b50);
        o = put16(o, 20); /* made by */
        o = put_common(o, &e[i], crc[i]);
        o = put16(o, 0); /* comment */
        o = put16(o, 0); /* disk */
        o = put16(o, 0); /* internal attributes */
        o = put32(o, 0); /* external attributes */
        o = put32(o, (uint32_t)off[i]);
        memcpy(o, e[i].name, nl);
        o += nl;
    }
    {
        uint32_t cd_len = (uint32_t)(o - buf) - cd_start;

        o = put32(o, 0x06054b50);
        o = put16(o, 0);
        o = put16(o, 0);
        o = put16(o, (uint32_t)n);
        o = put16(o, (uint32_t)n);
        o = put32(o, cd_len);
        o = put32(o, cd_start);
        o = put16(o, 0);
    }
    *out_len = (size_t)(o - buf);
    return buf;
}

uint8_t *fuzz_pack_zip(const uint8_t *data, size_t size, const char *first,
                       const struct fuzz_part *defaults, size_t n_defaults, size_t *out_len)
{
    static const char mark[] = "\n====";
    char names[MAX_PARTS][MAX_PART_NAME];
    struct fuzz_part parts[MAX_PARTS * 2];
    const uint8_t *p = data, *end = data + size;
    size_t n = 0;

    if (size > (16u << 20) || n_defaults > MAX_PARTS)
        return NULL; /* stays far from the 32-bit sizes of a plain zip */
    parts[0].name = first;
    parts[0].data = data;
    n = 1;
    while (p < end) {
        const uint8_t *m = memmem(p, (size_t)(end - p), mark, sizeof mark - 1);
        const uint8_t *name, *close;

        if (m == NULL)
            break;
        name = m + sizeof mark - 1;
        close = memmem(name, (size_t)(end - name), "====\n", 5);
        if (close == NULL || close == name || close - name >= MAX_PART_NAME ||
            memchr(name, '\n', (size_t)(close - name)) != NULL || n == MAX_PARTS) {
            p = m + 1;
            continue;
        }
        parts[n - 1].len = (size_t)(m - parts[n - 1].data);
        memcpy(names[n], name, (size_t)(close - name));
        names[n][close - name] = '\0';
        parts[n].name = names[n];
        parts[n].data = close + 5;
        n++;
        p = close + 5;
    }
    parts[n - 1].len = (size_t)(end - parts[n - 1].data);
    for (size_t d = 0, given = n; d < n_defaults; d++) {
        size_t i;

        for (i = 0; i < given && strcmp(parts[i].name, defaults[d].name) != 0; i++)
            ;
        if (i == given)
            parts[n++] = defaults[d];
    }
    return stored_zip(parts, n, out_len);
}

/* ---- Running a plugin ----------------------------------------------------- */

void fuzz_run_plugin(const struct ogid_plugin *p, const char *file_name,
                     const uint8_t *data, size_t size)
{
    struct ogid_file f;
    struct ogid_document *doc = NULL;
    struct ogid_doc_builder b;
    int score, rc;

    if (ogid_file_from_buffer(data, size, &f) != 0)
        return; /* empty, or out of memory: the worker refuses the file */
    struct ogid_input in = {
        .name = file_name,
        .bytes = f.bytes,
        .len = f.len,
        .text = f.text,
        .text_len = f.text_len,
    };
    score = p->probe(&in);
    FUZZ_CHECK(score >= 0 && score <= 100);
    if (ogid_document_new(FUZZ_MAX_CELLS, &doc) != 0)
        goto done;
    ogid_document_builder(doc, &b);
    rc = p->parse(&in, &b);
    FUZZ_CHECK(rc <= 0); /* 0 or a negative OGID_E* code */
    /* A failed parse may leave a table open; the document must still free. */
    if (rc == 0)
        fuzz_check_document(doc);
done:
    ogid_document_free(doc);
    ogid_file_clear(&f);
}
