/* Shared by the libFuzzer targets of tests/fuzz: loading one format plugin
 * the way the daemon does (ogid_plugin_open, then init with a host), and
 * running one input through the path a report takes in a worker: decode and
 * normalise (ogid_file_from_buffer), probe, parse into a fresh document under
 * the daemon's cell limit, free. Nothing here is used outside the fuzzers. */
#ifndef OGID_FUZZ_COMMON_H
#define OGID_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "ogid/ogid_plugin.h"
#include "ogid_document.h"

/* The daemon's limits (ogid_plugin_loader.c's host, ogid_pipeline.c's
 * MAX_CELLS), so that what the fuzzers find is what a worker would meet. */
#define FUZZ_MAX_CELLS 200000u
#define FUZZ_MAX_INPUT_BYTES ((size_t)256 << 20)
#define FUZZ_MAX_EXPANDED_BYTES ((size_t)64 << 20)

/* An invariant of ours was broken: print it and abort, which libFuzzer
 * reports as a crash with the input that caused it. */
#define FUZZ_CHECK(cond)                                                                   \
    do {                                                                                   \
        if (!(cond))                                                                       \
            fuzz_fail(__FILE__, __LINE__, #cond);                                          \
    } while (0)

void fuzz_fail(const char *file, int line, const char *what) __attribute__((noreturn));

/* Loads FUZZ_PLUGIN_DIR/ogid-<name>.so (a compile definition: the fuzz
 * build's own, instrumented copies of the plugins) and calls its init with a
 * host carrying the daemon's limits. Exits the process when the plugin does
 * not load: the fuzzer cannot run without it. The plugin stays loaded until
 * the process exits (never dlclosed, so leak reports keep their symbols). */
const struct ogid_plugin *fuzz_plugin_load(const char *name);

/* Runs bytes through decode, probe and parse, as a worker would with this
 * plugin picked, then walks the document (every cell is read, so a dangling
 * pointer shows) and frees everything. `file_name` is the name hint the
 * plugin sees. Parse runs whatever probe says: the ABI does not promise that
 * probe comes first, and a plugin must survive any bytes. */
void fuzz_run_plugin(const struct ogid_plugin *p, const char *file_name,
                     const uint8_t *data, size_t size);

/* The parts of a zip package packed by fuzz_pack_zip. */
struct fuzz_part {
    const char *name;
    const uint8_t *data;
    size_t len;
};

/* Packs an input into a zip of stored (uncompressed) entries, so that the
 * mutator works on the XML of an Office document rather than on deflated
 * bytes whose CRC it would break. The bytes before the first line
 * "====NAME====" are the part `first`; each such line starts a part NAME
 * (at most 8 parts, names under 128 bytes). Each part of `defaults` whose
 * name the input does not give is added after them. Returns the zip
 * (caller frees) or NULL when out of memory or over 16 MiB. */
uint8_t *fuzz_pack_zip(const uint8_t *data, size_t size, const char *first,
                       const struct fuzz_part *defaults, size_t n_defaults,
                       size_t *out_len);

/* Reads every block of doc and checks the builder's promises: tables have
 * rows*cols cells, none NULL, all valid UTF-8; paragraphs are valid UTF-8. */
void fuzz_check_document(const struct ogid_document *doc);

#endif
