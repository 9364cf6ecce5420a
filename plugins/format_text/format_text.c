/* format_text: plain text as copied from a portal page or dumped by a
 * crawler. Each non-blank line becomes one paragraph, trimmed of spaces; the
 * recogniser reads tables from this stream of cells (a page copied from a
 * browser puts one table cell on each line). */
#include <stddef.h>
#include <string.h>

#include "ogid/ogid_error.h"
#include "ogid/ogid_plugin.h"

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

static int text_probe(const struct ogid_input *in)
{
    /* Any decodable text can be read as text; richer formats score higher. */
    return in->text != NULL ? 10 : 0;
}

static int text_parse(const struct ogid_input *in, const struct ogid_doc_builder *b)
{
    const char *p = in->text, *end;
    uint32_t line = 0;

    if (p == NULL)
        return OGID_EFORMAT;
    end = p + in->text_len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *s = p, *e = eol ? eol : end;
        int rc;

        line++;
        while (s < e && is_space(*s))
            s++;
        while (e > s && is_space(e[-1]))
            e--;
        if (e > s && (rc = b->paragraph(b->ctx, s, (size_t)(e - s), line)) != 0)
            return rc;
        if (eol == NULL)
            break;
        p = eol + 1;
    }
    return 0;
}

OGID_PLUGIN_DEFINE(format_text){
    .abi_major = OGID_PLUGIN_ABI_MAJOR,
    .abi_minor = OGID_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(struct ogid_plugin),
    .name = "format_text",
    .version = "1.0",
    .kind = OGID_PLUGIN_FORMAT,
    .format = "text",
    .probe = text_probe,
    .parse = text_parse,
};
