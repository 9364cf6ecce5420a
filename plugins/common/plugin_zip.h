/* Reading OOXML packages (zip files) under the host's limits, shared by the
 * format plugins that need it and linked statically into each.
 *
 * A zip is a decompression bomb until shown otherwise. Every entry is checked
 * against the caller's limit and what is left of max_expanded_bytes for the
 * file before anything is inflated, an entry over OGID_PC_RATIO_MIN_SIZE
 * compressed better than OGID_PC_MAX_RATIO:1 is refused, and an entry is read
 * into a buffer one byte larger than declared so that one inflating past its
 * size is caught. Every symbol is hidden. */
#ifndef OGID_PLUGIN_ZIP_H
#define OGID_PLUGIN_ZIP_H

#include <stddef.h>

#include <zip.h>

#include "ogid/ogid_plugin.h"

#define OGID_PC_ZIP_HIDDEN __attribute__((visibility("hidden")))

/* Entries over this size must not be compressed better than
 * OGID_PC_MAX_RATIO:1; office XML compresses about 10:1, a bomb thousands
 * to one. */
#define OGID_PC_RATIO_MIN_SIZE (1u << 20)
#define OGID_PC_MAX_RATIO 200u

/* Opens the zip in bytes[0..len) read-only, without copying it. On failure
 * returns NULL with *rc OGID_ENOMEM or OGID_EFORMAT (logged at info on
 * host, which may be NULL, as plugin). Close with zip_discard. */
OGID_PC_ZIP_HIDDEN zip_t *ogid_pc_zip_open(const struct ogid_host *host, const char *plugin,
                                           const void *bytes, size_t len, int *rc);

/* One zip entry, read whole under the limits into a malloc'd NUL-terminated
 * buffer. `budget` is what is left of max_expanded_bytes for this file and
 * is reduced by the entry's size. Returns 0, OGID_ENOENT (no such entry),
 * OGID_ETOOBIG, OGID_EFORMAT or OGID_ENOMEM; refusals are logged as plugin
 * on host (which may be NULL). */
OGID_PC_ZIP_HIDDEN int ogid_pc_zip_read(const struct ogid_host *host, const char *plugin,
                                        zip_t *za, const char *name, size_t limit,
                                        size_t *budget, char **out, size_t *out_len);

#endif
