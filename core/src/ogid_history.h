/* The history store: every checked report's model (and, later, every request
 * register's), kept in an embedded SQLite database so that rules can compare
 * an agency's report with its report of the year before.
 *
 * One row per file: kind ("report" or "register"), the normalised agency name
 * (ogid_agency_key), the agency as printed, the year, the SHA-256 of the
 * file's bytes, the file name, when it was stored, and the model as compact
 * JSON. A file stored again (same kind and SHA-256) replaces its row and
 * becomes the newest. Lookups are by kind, agency and year; the newest row
 * wins.
 *
 * Several processes (the daemon's workers) may open one file at once: the
 * database is in WAL mode with a busy timeout of 5 s, and every write is a
 * single statement. A handle belongs to one thread at a time. */
#ifndef OGID_HISTORY_H
#define OGID_HISTORY_H

#include <stddef.h>

#include <jansson.h>

#define OGID_HISTORY_REPORT "report"
#define OGID_HISTORY_REGISTER "register"

/* The schema version this build writes, kept in PRAGMA user_version. */
#define OGID_HISTORY_SCHEMA 1

struct ogid_history;

/* Opens (creating where missing) the store at `path`, or a private in-memory
 * store for ":memory:". Creates the file's folder when only that last folder
 * is missing (the default store sits in the spool folder, which may not exist
 * yet). Sets WAL mode and a 5 s busy timeout, creates or checks the schema,
 * and prepares the statements. The caller owns *out; close it with
 * ogid_history_close.
 *
 * Returns 0, or OGID_EINVAL (bad argument), OGID_EIO (cannot create, open,
 * read or write the file), OGID_EFORMAT (not an SQLite database, a corrupt
 * one, another program's database, or a schema newer than this build),
 * OGID_EAGAIN (still locked by another process after the timeout) or
 * OGID_ENOMEM; then, where err is not NULL, writes into err a sentence that
 * names the path. Any thread; the handle is then used from that thread. */
int ogid_history_open(const char *path, struct ogid_history **out, char *err,
                      size_t errlen);

/* Finalises the statements and closes the database. NULL is a no-op. */
void ogid_history_close(struct ogid_history *h);

/* The path given to ogid_history_open (owned by h). */
const char *ogid_history_path(const struct ogid_history *h);

/* The text of the last error on h, naming the path ("" when none); owned by
 * h, valid until the next call on h. */
const char *ogid_history_error(const struct ogid_history *h);

/* The key an agency is stored under: `agency` (UTF-8) with the full-width
 * forms U+FF01..U+FF5E folded to their ASCII counterparts, and then with
 * every whitespace character (ASCII space, tab, CR, LF, VT, FF, U+00A0,
 * U+1680, U+2000..U+200B, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF),
 * every bracket ( ) [ ] { } < > 〈 〉 《 》 「 」 『 』 【 】 〔 〕 〖 〗 〘 〙 〚 〛
 * ｟ ｠ ｢ ｣ (full-width ones fold to the ASCII ones first)
 * and the stops 。 ｡ and commas ， , removed. Nothing else changes: the name keeps
 * every other character, including words inside the brackets
 * ("平潭综合实验区（管委会）" and "平潭综合实验区 管委会" both become
 * "平潭综合实验区管委会"). Bytes that are not valid UTF-8 are kept as they
 * are. Returns a malloc'd string the caller frees, or NULL when out of
 * memory or agency is NULL. Any thread. */
char *ogid_agency_key(const char *agency);

/* Stores `model` (not consumed) under kind ("report" or "register"): agency
 * from model.meta.agency, year from model.meta.year, SHA-256 from
 * model.source.sha256 and the file name from model.source.file (optional).
 * A row of the same kind and SHA-256 is replaced, never duplicated.
 *
 * Returns 0, or OGID_EINVAL (bad kind; no agency, year or 64-hex SHA-256 in
 * the model, or an agency whose key is empty), OGID_ENOMEM, OGID_EAGAIN
 * (locked by another writer past the timeout), OGID_EIO or OGID_EFORMAT (the
 * database failed; ogid_history_error says how). */
int ogid_history_put(struct ogid_history *h, const char *kind, json_t *model);

/* Looks up the newest (last stored) model of kind for `agency` (as printed:
 * it is normalised here) and `year`. On success *model is a new reference
 * the caller releases, or NULL when there is none. Returns 0, or OGID_EINVAL,
 * OGID_ENOMEM, OGID_EAGAIN, OGID_EIO or OGID_EFORMAT (a stored model that is
 * not a JSON object counts as corrupt). */
int ogid_history_get(struct ogid_history *h, const char *kind, const char *agency,
                     int year, json_t **model);

#endif
