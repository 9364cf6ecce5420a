/* libFuzzer target: the text format plugin (plugins/format_text). Each input
 * is a file as dropped: decoded and normalised by the host, probed and parsed
 * into a document under the daemon's cell limit, then freed. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct ogid_plugin *plugin;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    plugin = fuzz_plugin_load("format_text");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_run_plugin(plugin, "report.txt", data, size);
    return 0;
}
