/* Helpers of the libFuzzer targets: see fuzz_common.h. */
#include "fuzz_common.h"

#include <stdarg.h>
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

void fuzz_run_plugin(const struct ogid_plugin *p, const char *file_name, const uint8_t *data,
                     size_t size)
{
    struct ogid_file f;
    struct ogid_document *doc = NULL;
    struct ogid_doc_builder b;
    int score, rc;

    if (ogid_file_from_buffer(data, size, &f) != 0)
        return; /* empty, or out of memory: the worker refuses the file */
    struct ogid_input in = {
        .name = file_name, .bytes = f.bytes, .len = f.len, .text = f.text,
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
