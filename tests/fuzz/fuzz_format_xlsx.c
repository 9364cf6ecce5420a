/* libFuzzer target: the Excel format plugin (plugins/format_xlsx).
 *
 * As fuzz_format_docx.c: an input starting with "PK" is a workbook as
 * dropped; anything else is the XML of the first sheet, packed into a stored
 * zip as xl/worksheets/sheet1.xml with a minimal xl/workbook.xml. Lines
 * "====NAME====" start other parts (xl/sharedStrings.xml, xl/styles.xml,
 * xl/workbook.xml, xl/_rels/workbook.xml.rels, _rels/.rels); a workbook
 * given so replaces the minimal one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char workbook[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";

static const struct ogid_plugin *plugin;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    plugin = fuzz_plugin_load("format_xlsx");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct fuzz_part defaults[] = {
        {"xl/workbook.xml", (const uint8_t *)workbook, sizeof workbook - 1},
    };
    uint8_t *zip;
    size_t zip_len;

    if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
        fuzz_run_plugin(plugin, "report.xlsx", data, size);
        return 0;
    }
    zip = fuzz_pack_zip(data, size, "xl/worksheets/sheet1.xml", defaults, 1, &zip_len);
    if (zip == NULL)
        return 0;
    fuzz_run_plugin(plugin, "report.xlsx", zip, zip_len);
    free(zip);
    return 0;
}
