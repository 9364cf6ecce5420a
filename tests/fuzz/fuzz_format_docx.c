/* libFuzzer target: the Word format plugin (plugins/format_docx).
 *
 * Inputs come in two kinds. One that starts with "PK" is a .docx as dropped
 * (the real reports of tests/fixtures are the seeds), so the zip reader and
 * its limits are fuzzed. Anything else is taken as the XML of the main
 * document part and packed here into a stored (uncompressed) zip as
 * word/document.xml: a byte flipped in a deflated .docx mostly breaks the
 * CRC, so without this the mutator would seldom reach the walk over
 * paragraphs, tables, spans and merges. In that kind, the text after a line
 * "====rels====" becomes the package relationships (_rels/.rels), which name
 * the main part. Either way the bytes then go the way of a dropped file:
 * decoded by the host, probed, parsed under the daemon's limits, freed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RELS_MARK "\n====rels====\n"

static const struct ogid_plugin *plugin;
static uint32_t crc_table[256];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;

        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    plugin = fuzz_plugin_load("format_docx");
    return 0;
}

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;

    for (size_t i = 0; i < n; i++)
        c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
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

struct entry {
    const char *name;
    const uint8_t *data;
    size_t len;
};

/* A zip of stored entries, as libzip reads it: local headers with their
 * data, the central directory, the end record. NULL when out of memory. */
static uint8_t *stored_zip(const struct entry *e, size_t n, size_t *out_len)
{
    size_t cap = 22, off[2];
    uint8_t *buf, *o;
    uint32_t cd_start;

    for (size_t i = 0; i < n; i++)
        cap += 30 + 46 + 2 * strlen(e[i].name) + e[i].len;
    buf = malloc(cap);
    if (buf == NULL)
        return NULL;
    o = buf;
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(e[i].name);

        off[i] = (size_t)(o - buf);
        o = put32(o, 0x04034b50);
        o = put16(o, 20);                      /* version needed */
        o = put16(o, 0);                       /* flags */
        o = put16(o, 0);                       /* stored */
        o = put16(o, 0);                       /* time */
        o = put16(o, 0x21);                    /* date: 1980-01-01 */
        o = put32(o, crc32_of(e[i].data, e[i].len));
        o = put32(o, (uint32_t)e[i].len);
        o = put32(o, (uint32_t)e[i].len);
        o = put16(o, (uint32_t)nl);
        o = put16(o, 0);
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
        o = put16(o, 20); /* needed */
        o = put16(o, 0);
        o = put16(o, 0);
        o = put16(o, 0);
        o = put16(o, 0x21);
        o = put32(o, crc32_of(e[i].data, e[i].len));
        o = put32(o, (uint32_t)e[i].len);
        o = put32(o, (uint32_t)e[i].len);
        o = put16(o, (uint32_t)nl);
        o = put16(o, 0); /* extra */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct entry e[2];
    const uint8_t *mark;
    uint8_t *zip;
    size_t n = 0, zip_len;

    if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
        fuzz_run_plugin(plugin, "report.docx", data, size);
        return 0;
    }
    if (size > (1u << 24))
        return 0; /* stays far from the 32-bit sizes of a plain zip */
    mark = size > 0 ? memmem(data, size, RELS_MARK, strlen(RELS_MARK)) : NULL;
    e[n].name = "word/document.xml";
    e[n].data = data;
    e[n].len = mark ? (size_t)(mark - data) : size;
    n++;
    if (mark != NULL) {
        e[n].name = "_rels/.rels";
        e[n].data = mark + strlen(RELS_MARK);
        e[n].len = size - (size_t)(e[n].data - data);
        n++;
    }
    zip = stored_zip(e, n, &zip_len);
    if (zip == NULL)
        return 0;
    fuzz_run_plugin(plugin, "report.docx", zip, zip_len);
    free(zip);
    return 0;
}
