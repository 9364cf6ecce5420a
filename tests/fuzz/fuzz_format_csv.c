/* libFuzzer target: the CSV format plugin (plugins/format_csv). Each input
 * is a file as dropped (a request register): decoded and normalised by the
 * host, probed and parsed into a document under the daemon's cell limit,
 * then freed. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct ogid_plugin *plugin;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    plugin = fuzz_plugin_load("format_csv");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_run_plugin(plugin, "report.csv", data, size);
    return 0;
}
