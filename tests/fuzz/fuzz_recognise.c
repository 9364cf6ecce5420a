/* libFuzzer target: the form recogniser (core/src/ogid_recognise*.c) over
 * the form definitions of the source tree's rules/forms, loaded once.
 *
 * The input is decoded and normalised as a dropped file is, then read as a
 * small markup that can say both things a plugin emits:
 *
 *   - a line without '|' is a paragraph, trimmed, as format_text makes it
 *     (so the real text reports of tests/fixtures are seeds as they stand);
 *   - a line with '|' is a table row, its cells split at '|' (one leading
 *     and one trailing '|' are dropped, as in Markdown); consecutive such
 *     lines are one table, and any other line ends it;
 *   - a cell that starts with '@' takes its spans from the byte after it:
 *     rowspan 1 + (byte & 7), colspan 1 + ((byte >> 3) & 7), so "@\x09"
 *     is 2 x 2 and "@?" (0x3F) is 8 x 8.
 *
 * tests/fuzz/make-seeds.py writes the fixture reports' HTML tables in this
 * markup. The model is then serialised, as `ogid parse` prints it (and
 * printed on stderr with OGID_FUZZ_VERBOSE set, to check a seed). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_common.h"
#include "ogid_input.h"
#include "ogid_recognise.h"

#ifndef FUZZ_FORMS_DIR
#error "FUZZ_FORMS_DIR must be defined (see tests/fuzz/CMakeLists.txt)"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ogid_forms *forms;
static int verbose; /* OGID_FUZZ_VERBOSE set: print each model, to check seeds */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char err[4096] = "";

    verbose = getenv("OGID_FUZZ_VERBOSE") != NULL;
    if (ogid_forms_load(FUZZ_FORMS_DIR, &forms, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz: cannot load the forms of %s: %s\n", FUZZ_FORMS_DIR, err);
        exit(2);
    }
    return 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && is_space(**s))
        (*s)++;
    while (*e > *s && is_space((*e)[-1]))
        (*e)--;
}

/* One table row from the line [s, e), which holds a '|'. */
static int row(const struct ogid_doc_builder *b, const char *s, const char *e)
{
    int rc;

    trim(&s, &e);
    if (s < e && *s == '|')
        s++;
    if (e > s && e[-1] == '|')
        e--;
    if ((rc = b->row_begin(b->ctx)) != 0)
        return rc;
    for (;;) {
        const char *bar = memchr(s, '|', (size_t)(e - s));
        const char *cs = s, *ce = bar ? bar : e;
        uint32_t rowspan = 1, colspan = 1;

        trim(&cs, &ce);
        if (ce - cs >= 2 && cs[0] == '@') {
            unsigned char span = (unsigned char)cs[1];

            rowspan = 1 + (span & 7u);
            colspan = 1 + ((span >> 3) & 7u);
            cs += 2;
            trim(&cs, &ce);
        }
        if ((rc = b->cell(b->ctx, cs, (size_t)(ce - cs), rowspan, colspan)) != 0)
            return rc;
        if (bar == NULL)
            return 0;
        s = bar + 1;
    }
}

/* The document of the markup above; returns the first builder error. */
static int build(const struct ogid_doc_builder *b, const char *p, size_t len)
{
    const char *end = p + len;
    uint32_t line = 0;
    int in_table = 0, rc;

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *s = p, *e = eol ? eol : end;

        line++;
        if (memchr(s, '|', (size_t)(e - s)) != NULL) {
            if (!in_table && (rc = b->table_begin(b->ctx, line)) != 0)
                return rc;
            in_table = 1;
            if ((rc = row(b, s, e)) != 0)
                return rc;
        } else {
            if (in_table && (rc = b->table_end(b->ctx)) != 0)
                return rc;
            in_table = 0;
            trim(&s, &e);
            if (e > s && (rc = b->paragraph(b->ctx, s, (size_t)(e - s), line)) != 0)
                return rc;
        }
        if (eol == NULL)
            break;
        p = eol + 1;
    }
    return in_table ? b->table_end(b->ctx) : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ogid_file f;
    struct ogid_document *doc = NULL;
    struct ogid_doc_builder b;
    json_t *source = NULL, *model = NULL;
    char *json;

    if (ogid_file_from_buffer(data, size, &f) != 0)
        return 0;
    if (f.text == NULL || ogid_document_new(FUZZ_MAX_CELLS, &doc) != 0)
        goto done;
    ogid_document_builder(doc, &b);
    /* A builder error (the cell limit) makes the worker refuse the file. */
    if (build(&b, f.text, f.text_len) != 0)
        goto done;
    fuzz_check_document(doc);
    source =
        json_pack("{s:s, s:s, s:I, s:s, s:s}", "file", "report.txt", "sha256", f.sha256,
                  "bytes", (json_int_t)f.len, "format", "text", "encoding", f.encoding);
    FUZZ_CHECK(source != NULL);
    FUZZ_CHECK(ogid_recognise(doc, forms, source, &model) == 0 && model != NULL);
    json = json_dumps(model, JSON_COMPACT);
    FUZZ_CHECK(json != NULL); /* every string in the model is valid UTF-8 */
    if (verbose)
        fprintf(stderr, "%s\n", json);
    free(json);
done:
    json_decref(model);
    json_decref(source);
    ogid_document_free(doc);
    ogid_file_clear(&f);
    return 0;
}
