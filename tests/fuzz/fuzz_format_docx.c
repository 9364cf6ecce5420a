/* libFuzzer target: the Word format plugin (plugins/format_docx).
 *
 * Inputs come in two kinds. One that starts with "PK" is a .docx as dropped
 * (the real reports of tests/fixtures are the seeds), so the zip reader and
 * its limits are fuzzed. Anything else is taken as the XML of the main
 * document part and packed into a stored zip as word/document.xml (see
 * fuzz_pack_zip): a byte flipped in a deflated .docx mostly breaks the CRC,
 * so without this the mutator would seldom reach the walk over paragraphs,
 * tables, spans and merges. A line "====_rels/.rels====" in such an input
 * starts the package relationships, which name the main part. Either way the
 * bytes then go the way of a dropped file: decoded by the host, probed,
 * parsed under the daemon's limits, freed. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct ogid_plugin *plugin;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    plugin = fuzz_plugin_load("format_docx");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *zip;
    size_t zip_len;

    if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
        fuzz_run_plugin(plugin, "report.docx", data, size);
        return 0;
    }
    zip = fuzz_pack_zip(data, size, "word/document.xml", NULL, 0, &zip_len);
    if (zip == NULL)
        return 0;
    fuzz_run_plugin(plugin, "report.docx", zip, zip_len);
    free(zip);
    return 0;
}
