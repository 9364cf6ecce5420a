/* libFuzzer target: reading a report's bytes (core/src/ogid_input.c) —
 * binary detection, BOMs, the HTML meta charset (any name iconv knows),
 * UTF-8 validation, GB18030 through iconv, and normalisation.
 *
 * Besides memory errors it checks what later stages rely on: decoded text is
 * valid UTF-8, NUL-terminated at text_len, and already in normal form
 * (normalising it again changes nothing); the hash is 64 hex digits; and
 * ogid_normalise never grows valid UTF-8 (every mapping is to a shorter or
 * equal spelling, which its single allocation counts on). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "ogid_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_normal_form(const char *text, size_t len)
{
    size_t again_len = 0;
    char *again = ogid_normalise(text, len, &again_len);

    if (again == NULL)
        return;
    FUZZ_CHECK(again_len == len && memcmp(again, text, len) == 0);
    free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ogid_file f;
    int rc = ogid_file_from_buffer(data, size, &f);

    if (rc == 0) {
        FUZZ_CHECK(f.len == size && f.bytes != NULL && f.encoding != NULL);
        FUZZ_CHECK(strlen(f.sha256) == 64 && strspn(f.sha256, "0123456789abcdef") == 64);
        if (f.text != NULL) {
            FUZZ_CHECK(f.text[f.text_len] == '\0');
            FUZZ_CHECK(ogid_utf8_valid(f.text, f.text_len));
            check_normal_form(f.text, f.text_len);
        } else {
            FUZZ_CHECK(strcmp(f.encoding, "binary") == 0);
        }
        ogid_file_clear(&f);
    } else {
        FUZZ_CHECK(rc < 0);
    }
    /* ogid_normalise is documented for UTF-8 only; give it the raw bytes
     * where they are. */
    if (ogid_utf8_valid((const char *)data, size)) {
        size_t out_len = 0;
        char *out = ogid_normalise((const char *)data, size, &out_len);

        if (out != NULL) {
            FUZZ_CHECK(out_len <= size && out[out_len] == '\0');
            FUZZ_CHECK(ogid_utf8_valid(out, out_len));
            free(out);
        }
    }
    return 0;
}
