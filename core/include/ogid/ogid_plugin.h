/* The plugin ABI of ogid: the one header a format plugin includes.
 *
 * A plugin is a shared object named ogid-<name>.so that exports one symbol,
 * ogid_plugin_<name>, a const struct ogid_plugin. The loader checks, in order:
 * the symbol exists, abi_major equals OGID_PLUGIN_ABI_MAJOR, abi_minor is not
 * newer than the host's, struct_size is at least what this ABI version needs,
 * the name equals the file's, and the callbacks the kind requires are set.
 * Each refusal has its own message, and a refused plugin fails alone.
 *
 * Format plugins turn the bytes of one file format into a neutral document:
 * paragraphs and tables, emitted through the host's struct ogid_doc_builder.
 * They know file formats, nothing of reports, and never link Lua or the daemon.
 *
 * Threads: the host calls init once, before any parse, and fini once, after
 * the last. probe and parse may be called from any one thread at a time per
 * process (workers are single-threaded processes). */
#ifndef OGID_PLUGIN_H
#define OGID_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#define OGID_PLUGIN_ABI_MAJOR 1
#define OGID_PLUGIN_ABI_MINOR 0

/* Kinds of plugin. */
#define OGID_PLUGIN_FORMAT 1

/* Services the host gives a plugin at init. Valid until fini returns. */
struct ogid_host {
    uint32_t struct_size;
    /* Log a line tagged "[plugin:<name>]"; level as in ogid_log.h. */
    void (*log)(int level, const char *plugin, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
    /* Limits the plugin must respect where its input decides an allocation. */
    size_t max_input_bytes;     /* bytes of one file */
    size_t max_expanded_bytes;  /* bytes after decompression (containers) */
    size_t max_cells;           /* cells of one document */
};

/* One file handed to a plugin. The host owns every pointer; they are valid
 * only during the call. */
struct ogid_input {
    const char *name;            /* file name as dropped, a hint only */
    const unsigned char *bytes;  /* the raw bytes */
    size_t len;
    /* The bytes decoded to UTF-8 and normalised (full-width digits, brackets,
     * colons...), or NULL where the host could not decode them as text. */
    const char *text;
    size_t text_len;
};

/* How a plugin emits the document. Every callback returns 0, or a negative
 * OGID_E* code that the plugin must pass back from parse unchanged (for
 * example OGID_ETOOBIG when a limit is reached). Strings are UTF-8, copied by
 * the host before the callback returns. `line` is the 1-based line in the
 * source where the item starts, or 0 where the format has no lines. */
struct ogid_doc_builder {
    void *ctx;
    int (*paragraph)(void *ctx, const char *text, size_t len, uint32_t line);
    int (*table_begin)(void *ctx, uint32_t line);
    int (*row_begin)(void *ctx);
    /* A cell; the host resolves spans into a grid, repeating the text into
     * every grid position the cell covers. rowspan and colspan are >= 1. */
    int (*cell)(void *ctx, const char *text, size_t len, uint32_t rowspan,
                uint32_t colspan);
    int (*table_end)(void *ctx);
};

struct ogid_plugin {
    uint16_t abi_major;    /* OGID_PLUGIN_ABI_MAJOR at build time */
    uint16_t abi_minor;    /* OGID_PLUGIN_ABI_MINOR at build time */
    uint32_t struct_size;  /* sizeof(struct ogid_plugin) at build time */
    const char *name;      /* must equal the <name> of ogid-<name>.so */
    const char *version;
    uint32_t kind;         /* OGID_PLUGIN_FORMAT */
    const char *format;    /* the source.format it produces: "text", "html"... */

    /* Optional. Called once after loading; return 0 or an OGID_E* code. */
    int (*init)(const struct ogid_host *host);
    /* Required for formats. How sure the plugin is that it can read the
     * input: 0 (not at all) to 100 (certain, e.g. a magic number). The host
     * picks the highest score; ties go to the plugin whose format the name
     * suggests. Must not allocate more than it frees. */
    int (*probe)(const struct ogid_input *in);
    /* Required for formats. Emit the document; return 0 or an OGID_E* code. */
    int (*parse)(const struct ogid_input *in, const struct ogid_doc_builder *b);
    /* Optional. Called once before unloading. */
    void (*fini)(void);
};

#if defined(__GNUC__)
#define OGID_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define OGID_PLUGIN_EXPORT
#endif

/* Declares the entry point of plugin `name`: OGID_PLUGIN_DEFINE(format_text)
 * { ...initialiser... }; */
#define OGID_PLUGIN_DEFINE(name)                                               \
    OGID_PLUGIN_EXPORT const struct ogid_plugin ogid_plugin_##name =

#endif
