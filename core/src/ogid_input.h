/* Reading one report file: bounded read, SHA-256, encoding detection and
 * decoding to UTF-8, and normalisation of full-width and other variant
 * characters so that every later stage sees one spelling. */
#ifndef OGID_INPUT_H
#define OGID_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct ogid_file {
    unsigned char *bytes;  /* the raw bytes, NUL-terminated for convenience */
    size_t len;
    char sha256[65];       /* hex */
    char *text;            /* decoded, normalised UTF-8, or NULL (binary) */
    size_t text_len;
    const char *encoding;  /* "utf-8", "gb18030", "utf-16le"... or "binary" */
};

/* Reads at most max_bytes from fd (refusing larger files with OGID_ETOOBIG,
 * empty ones with OGID_EFORMAT), hashes and decodes them. Returns 0, or
 * OGID_EIO (errno set), OGID_ETOOBIG, OGID_EFORMAT, OGID_ENOMEM. The caller
 * frees the contents with ogid_file_clear. */
int ogid_file_read_fd(int fd, uint64_t max_bytes, struct ogid_file *f);

/* Same over a buffer the caller owns (copied). */
int ogid_file_from_buffer(const void *buf, size_t len, struct ogid_file *f);

void ogid_file_clear(struct ogid_file *f);

/* Normalises UTF-8 text in place-free fashion: returns a new string (caller
 * frees) with full-width ASCII forms, ideographic and no-break spaces, and
 * curly quotes mapped to their ASCII spelling. NULL on OGID_ENOMEM. */
char *ogid_normalise(const char *s, size_t len, size_t *out_len);

/* 1 when [s, s+len) is valid UTF-8 (no overlongs, no surrogates). */
int ogid_utf8_valid(const char *str, size_t len);

/* Hex SHA-256 of a buffer into out[65]. */
void ogid_sha256_hex(const void *buf, size_t len, char out[65]);

#endif
