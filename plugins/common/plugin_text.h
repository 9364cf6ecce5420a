/* Text helpers shared by the format plugins, linked statically into each.
 *
 * Plugins never link ogid_core, so the host's normalisation (ogid_normalise)
 * is repeated here for the text a plugin builds itself: full-width ASCII
 * forms to ASCII, the wide and non-breaking spaces to ' ', curly quotes and
 * primes to straight quotes, and the BOM and zero-width space dropped.
 * Every symbol is hidden: nothing here is part of a plugin's ABI. */
#ifndef OGID_PLUGIN_TEXT_H
#define OGID_PLUGIN_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define OGID_PC_HIDDEN __attribute__((visibility("hidden")))

/* A growable NUL-terminated UTF-8 buffer. Zero-initialise it; free(s) when
 * done. An allocation failure sets oom, and every later append is a no-op. */
struct ogid_pc_text {
    char *s;
    size_t len, cap;
    int oom;
};

/* Is cp a wide (CJK) character, between two of which a line break is no
 * space? */
OGID_PC_HIDDEN int ogid_pc_wide(uint32_t cp);

/* Appends s[0..n). */
OGID_PC_HIDDEN void ogid_pc_text_append(struct ogid_pc_text *t, const char *s, size_t n);

/* Appends the UTF-8 encoding of cp (a valid scalar value). */
OGID_PC_HIDDEN void ogid_pc_text_put_cp(struct ogid_pc_text *t, uint32_t cp);

/* Empties t, keeping its memory. */
OGID_PC_HIDDEN void ogid_pc_text_reset(struct ogid_pc_text *t);

/* The host's spelling of a code point, as ogid_normalise gives text input;
 * 0 for a code point that is dropped. */
OGID_PC_HIDDEN uint32_t ogid_pc_normal_form(uint32_t cp);

/* Length of a valid UTF-8 sequence at s (n > 0 bytes left) and its code
 * point in *out, or 0 for a byte that starts none (overlong forms,
 * surrogates and code points past U+10FFFF are not valid). */
OGID_PC_HIDDEN size_t ogid_pc_utf8_decode(const unsigned char *s, size_t n, uint32_t *out);

/* One code point from s (n > 0 bytes left), *used bytes long; a byte that
 * starts no valid sequence reads as U+FFFD, one byte long. */
OGID_PC_HIDDEN uint32_t ogid_pc_utf8_get(const unsigned char *s, size_t n, size_t *used);

#endif
