/* libFuzzer target: the HTML format plugin (plugins/format_html). Each input
 * is a page as dropped: decoded (BOM, meta charset, UTF-8, GB18030) and
 * normalised by the host, probed and parsed by libxml2's HTML parser and the
 * plugin's walk into a document under the daemon's cell limit, then freed.
 * tests/fuzz/dict/fuzz_format_html.dict gives the mutator the tags and
 * attributes the walk looks at. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct ogid_plugin *plugin;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    plugin = fuzz_plugin_load("format_html");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_run_plugin(plugin, "report.html", data, size);
    return 0;
}
