/* The history store in SQLite. Several worker processes write one file at
 * once, so the database runs in WAL mode (readers never wait for the writer)
 * with a busy timeout, and every write is one autocommit statement: nothing
 * here holds a lock across two statements. A lower layer: it returns codes
 * and keeps the last error's text on the handle, and never logs. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "ogid/ogid_error.h"
#include "ogid_history.h"

/* PRAGMA application_id: "OGID". A database with another non-zero id belongs
 * to another program and is left alone. */
#define APPLICATION_ID 0x4F474944

#define BUSY_TIMEOUT_MS 5000

/* The row identity is (kind, sha256): one file, one row, also when a better
 * recogniser later reads another agency or year out of the same bytes. The
 * index serves the lookup by (kind, agency_key, year), newest id first:
 * INSERT OR REPLACE gives a replaced row a new, highest id, so id order is
 * the order of storing, whatever the clocks of the writing processes say. */
static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS models ("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL CHECK (kind IN ('report', 'register')),"
    " agency_key TEXT NOT NULL,"
    " agency TEXT NOT NULL,"
    " year INTEGER NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " file TEXT,"
    " stored_at TEXT NOT NULL,"
    " model TEXT NOT NULL,"
    " UNIQUE (kind, sha256));"
    "CREATE INDEX IF NOT EXISTS models_lookup ON models (kind, agency_key, year, id);";

static const char PUT_SQL[] =
    "INSERT OR REPLACE INTO models"
    " (kind, agency_key, agency, year, sha256, file, stored_at, model)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?7)";

static const char GET_SQL[] =
    "SELECT model FROM models WHERE kind = ?1 AND agency_key = ?2 AND year = ?3"
    " ORDER BY id DESC LIMIT 1";

struct ogid_history {
    sqlite3 *db;
    sqlite3_stmt *put;
    sqlite3_stmt *get;
    char *path;
    char err[1024];
};

static int code_of(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return 0;
    case SQLITE_NOMEM:
        return OGID_ENOMEM;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return OGID_EAGAIN;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_FORMAT:
    case SQLITE_SCHEMA:
        return OGID_EFORMAT;
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
    case SQLITE_TOOBIG:
        return OGID_EINVAL;
    default: /* CANTOPEN, IOERR, READONLY, PERM, FULL, PROTOCOL, … */
        return OGID_EIO;
    }
}

/* Records "history store PATH: WHAT: sqlite's reason" and returns the code. */
static int fail_db(struct ogid_history *h, int rc, const char *what)
{
    /* sqlite3_errmsg describes the last call on the connection, which for a
     * failed prepare or step is the one that failed; errstr is the fallback
     * when it says nothing more than "not an error". */
    const char *why = h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(rc);
    int sys = h->db ? sqlite3_system_errno(h->db) : 0;

    if (why == NULL || strcmp(why, "not an error") == 0)
        why = sqlite3_errstr(rc);
    /* For a file that cannot be opened, SQLite's own words ("unable to open
     * database file") leave out why; the OS error says it. */
    if (sys != 0 && ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_IOERR ||
                     (rc & 0xff) == SQLITE_FULL))
        snprintf(h->err, sizeof h->err, "history store %s: %s: %s (%s)", h->path, what, why,
                 strerror(sys));
    else
        snprintf(h->err, sizeof h->err, "history store %s: %s: %s", h->path, what, why);
    return code_of(rc) ? code_of(rc) : OGID_EIO;
}

static int fail_msg(struct ogid_history *h, int code, const char *what)
{
    snprintf(h->err, sizeof h->err, "history store %s: %s", h->path, what);
    return code;
}

/* Runs one statement that returns at most one integer (a PRAGMA read). */
static int exec_int(struct ogid_history *h, const char *sql, long long *value,
                    const char *what)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h->db, sql, -1, &st, NULL);

    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && value != NULL)
            *value = sqlite3_column_int64(st, 0);
        if (rc == SQLITE_ROW)
            rc = SQLITE_OK;
        else if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK)
        rc = fail_db(h, rc, what);
    sqlite3_finalize(st);
    return rc;
}

static int exec(struct ogid_history *h, const char *sql)
{
    int rc = sqlite3_exec(h->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : fail_db(h, rc, "cannot set up the schema");
}

/* Switching to WAL needs a moment alone with the file. SQLite's busy handler
 * covers most of it, but a journal-mode change can still come back BUSY at
 * once while another worker is opening the same new file, so retry for as
 * long as the busy timeout. */
static int set_wal(struct ogid_history *h)
{
    struct timespec pause = {0, 20 * 1000 * 1000};
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;

    for (int waited = 0; waited <= BUSY_TIMEOUT_MS; waited += 20) {
        rc = sqlite3_prepare_v2(h->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(st);
            sqlite3_finalize(st);
            st = NULL;
        }
        if (rc == SQLITE_ROW || rc == SQLITE_DONE)
            return 0;
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
            break;
        nanosleep(&pause, NULL);
    }
    return fail_db(h, rc, "cannot switch to WAL mode");
}

/* Creates the schema in a new file, or checks that an existing one is ours
 * and not newer than this build. BEGIN IMMEDIATE so that two workers opening
 * a new file do not both create it halfway. */
static int set_schema(struct ogid_history *h)
{
    long long version = 0, app = 0;
    char msg[160];
    int rc;

    if ((rc = exec(h, "BEGIN IMMEDIATE")) != 0)
        return rc;
    if ((rc = exec_int(h, "PRAGMA application_id", &app, "cannot read")) != 0 ||
        (rc = exec_int(h, "PRAGMA user_version", &version, "cannot read")) != 0)
        goto fail;
    if (app != 0 && app != APPLICATION_ID) {
        rc = fail_msg(h, OGID_EFORMAT, "another program's database (application_id "
                                       "is not ogid's); not used");
        goto fail;
    }
    if (version > OGID_HISTORY_SCHEMA) {
        snprintf(msg, sizeof msg,
                 "schema version %lld is newer than this ogid knows (%d); not used",
                 version, OGID_HISTORY_SCHEMA);
        rc = fail_msg(h, OGID_EFORMAT, msg);
        goto fail;
    }
    if (version < OGID_HISTORY_SCHEMA) {
        /* Version 0 is a new file. Later versions add their migrations here,
         * one step at a time. */
        snprintf(msg, sizeof msg, "PRAGMA application_id = %d; PRAGMA user_version = %d",
                 APPLICATION_ID, OGID_HISTORY_SCHEMA);
        if ((rc = exec(h, SCHEMA)) != 0 || (rc = exec(h, msg)) != 0)
            goto fail;
    }
    return exec(h, "COMMIT");
fail:
    sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* The default store sits in the spool folder, which the daemon creates only
 * after it has loaded the pipeline; make that one missing folder, no more. */
static int make_folder(struct ogid_history *h)
{
    char *dir, *slash;
    struct stat st;
    int rc = 0;

    if (strcmp(h->path, ":memory:") == 0 || (slash = strrchr(h->path, '/')) == NULL ||
        slash == h->path)
        return 0;
    dir = strndup(h->path, (size_t)(slash - h->path));
    if (dir == NULL)
        return fail_msg(h, OGID_ENOMEM, "out of memory");
    if (stat(dir, &st) != 0 && errno == ENOENT && mkdir(dir, 0755) != 0 &&
        errno != EEXIST) {
        snprintf(h->err, sizeof h->err, "history store %s: cannot create the folder %s: %s",
                 h->path, dir, strerror(errno));
        rc = OGID_EIO;
    }
    free(dir);
    return rc;
}

int ogid_history_open(const char *path, struct ogid_history **out, char *err,
                      size_t errlen)
{
    struct ogid_history *h;
    long long version;
    int rc;

    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (out == NULL)
        return OGID_EINVAL;
    *out = NULL;
    if (path == NULL || path[0] == '\0') {
        if (err != NULL)
            snprintf(err, errlen, "history store: no path given");
        return OGID_EINVAL;
    }
    h = calloc(1, sizeof *h);
    if (h == NULL || (h->path = strdup(path)) == NULL) {
        free(h);
        if (err != NULL)
            snprintf(err, errlen, "history store %s: out of memory", path);
        return OGID_ENOMEM;
    }
    if ((rc = make_folder(h)) != 0)
        goto fail;
    /* No SQLITE_OPEN_URI: the configured path is a file name, never a URI. */
    rc = sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        rc = fail_db(h, rc, "cannot open");
        goto fail;
    }
    sqlite3_extended_result_codes(h->db, 1);
    sqlite3_busy_timeout(h->db, BUSY_TIMEOUT_MS);
    /* A plain read first: a file that is not a database (or is corrupt) fails
     * here, before anything could write to it. */
    if ((rc = exec_int(h, "PRAGMA user_version", &version, "cannot read")) != 0)
        goto fail;
    if ((rc = set_wal(h)) != 0)
        goto fail;
    /* WAL with synchronous NORMAL survives a crash of the process intact;
     * a power cut may lose the last few reports, which the next check of
     * those files stores again. */
    if ((rc = exec(h, "PRAGMA synchronous = NORMAL")) != 0 || (rc = set_schema(h)) != 0)
        goto fail;
    rc = sqlite3_prepare_v3(h->db, PUT_SQL, -1, SQLITE_PREPARE_PERSISTENT, &h->put, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3(h->db, GET_SQL, -1, SQLITE_PREPARE_PERSISTENT, &h->get,
                                NULL);
    if (rc != SQLITE_OK) {
        rc = fail_db(h, rc, "cannot prepare the statements");
        goto fail;
    }
    *out = h;
    return 0;
fail:
    if (err != NULL)
        snprintf(err, errlen, "%s", h->err);
    ogid_history_close(h);
    return rc;
}

void ogid_history_close(struct ogid_history *h)
{
    if (h == NULL)
        return;
    sqlite3_finalize(h->put);
    sqlite3_finalize(h->get);
    /* sqlite3_close_v2: the statements are finalised, so this closes now;
     * the last connection to close checkpoints and removes the WAL file. */
    sqlite3_close_v2(h->db);
    free(h->path);
    free(h);
}

const char *ogid_history_path(const struct ogid_history *h)
{
    return h->path;
}

const char *ogid_history_error(const struct ogid_history *h)
{
    return h->err;
}

/* Decodes one UTF-8 sequence at s; returns its length, or 0 when the bytes
 * are not valid UTF-8 (overlong forms, surrogates and values past U+10FFFF
 * included). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    uint32_t c = s[0], min;
    size_t n;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, c &= 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, c &= 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

/* The characters ogid_agency_key drops (after full-width folding); the list
 * in ogid_history.h is the contract. */
static int dropped(uint32_t c)
{
    switch (c) {
    case ' ': case '\t': case '\n': case '\v': case '\f': case '\r':
    case 0x00A0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F:
    case 0x3000: case 0xFEFF:
    case '(': case ')': case '[': case ']': case '{': case '}': case '<': case '>':
    case 0xFF5F: case 0xFF60: case 0xFF62: case 0xFF63:
    case 0x3002: case 0xFF61: case ',':
        return 1;
    default:
        return (c >= 0x2000 && c <= 0x200B) || (c >= 0x3008 && c <= 0x3011) ||
               (c >= 0x3014 && c <= 0x301B);
    }
}

char *ogid_agency_key(const char *agency)
{
    const unsigned char *s = (const unsigned char *)agency;
    char *key, *o;

    if (agency == NULL || (key = malloc(strlen(agency) + 1)) == NULL)
        return NULL;
    o = key;
    while (*s != '\0') {
        uint32_t c;
        size_t n = utf8_decode(s, &c);

        if (n == 0) {
            *o++ = (char)*s++;
            continue;
        }
        /* Full-width ASCII forms: the host already folds digits, brackets
         * and colons in report text, but names may also come from elsewhere
         * (a register, a caller of this API). */
        if (c >= 0xFF01 && c <= 0xFF5E)
            c -= 0xFEE0;
        if (!dropped(c)) {
            if (c < 0x80 && n > 1)
                *o++ = (char)c;
            else {
                memcpy(o, s, n);
                o += n;
            }
        }
        s += n;
    }
    *o = '\0';
    return key;
}

static int is_sha256(const char *s)
{
    size_t i;

    for (i = 0; s[i] != '\0'; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return i == 64;
}

static int kind_ok(const char *kind)
{
    return kind != NULL &&
           (strcmp(kind, OGID_HISTORY_REPORT) == 0 || strcmp(kind, OGID_HISTORY_REGISTER) == 0);
}

/* Steps a cached statement to its end or first row, mapping the result. */
static int step(struct ogid_history *h, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return rc;
    return fail_db(h, rc, what);
}

int ogid_history_put(struct ogid_history *h, const char *kind, json_t *model)
{
    json_t *meta = json_object_get(model, "meta"), *source = json_object_get(model, "source");
    const char *agency = json_string_value(json_object_get(meta, "agency"));
    const char *sha = json_string_value(json_object_get(source, "sha256"));
    const char *file = json_string_value(json_object_get(source, "file"));
    json_t *year = json_object_get(meta, "year");
    char *key = NULL, *text = NULL;
    int rc;

    if (h == NULL || !kind_ok(kind) || !json_is_object(model))
        return OGID_EINVAL;
    h->err[0] = '\0';
    if (agency == NULL || !json_is_integer(year) || sha == NULL || !is_sha256(sha))
        return fail_msg(h, OGID_EINVAL, "cannot store: the model lacks meta.agency, "
                                        "meta.year or source.sha256");
    key = ogid_agency_key(agency);
    text = json_dumps(model, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (key == NULL || text == NULL) {
        rc = fail_msg(h, OGID_ENOMEM, "out of memory");
        goto done;
    }
    if (key[0] == '\0') {
        rc = fail_msg(h, OGID_EINVAL, "cannot store: the agency name is empty once "
                                      "spaces and brackets are removed");
        goto done;
    }
    if (sqlite3_bind_text(h->put, 1, kind, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_text(h->put, 2, key, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_text(h->put, 3, agency, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_int64(h->put, 4, (sqlite3_int64)json_integer_value(year)) != SQLITE_OK ||
        sqlite3_bind_text(h->put, 5, sha, -1, SQLITE_STATIC) != SQLITE_OK ||
        (file ? sqlite3_bind_text(h->put, 6, file, -1, SQLITE_STATIC)
              : sqlite3_bind_null(h->put, 6)) != SQLITE_OK ||
        sqlite3_bind_text(h->put, 7, text, -1, SQLITE_STATIC) != SQLITE_OK) {
        rc = fail_db(h, sqlite3_errcode(h->db), "cannot store");
        goto reset;
    }
    rc = step(h, h->put, "cannot store");
    rc = rc < 0 ? rc : 0;
reset:
    sqlite3_reset(h->put);
    sqlite3_clear_bindings(h->put);
done:
    free(key);
    free(text);
    return rc;
}

int ogid_history_get(struct ogid_history *h, const char *kind, const char *agency,
                     int year, json_t **model)
{
    json_error_t jerr;
    char *key;
    int rc;

    if (model != NULL)
        *model = NULL;
    if (h == NULL || !kind_ok(kind) || agency == NULL || model == NULL)
        return OGID_EINVAL;
    h->err[0] = '\0';
    if ((key = ogid_agency_key(agency)) == NULL)
        return fail_msg(h, OGID_ENOMEM, "out of memory");
    if (sqlite3_bind_text(h->get, 1, kind, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_text(h->get, 2, key, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_int64(h->get, 3, year) != SQLITE_OK) {
        rc = fail_db(h, sqlite3_errcode(h->db), "cannot look up");
        goto done;
    }
    rc = step(h, h->get, "cannot look up");
    if (rc == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(h->get, 0);
        int len = sqlite3_column_bytes(h->get, 0);

        if (text == NULL && sqlite3_errcode(h->db) == SQLITE_NOMEM) {
            rc = fail_msg(h, OGID_ENOMEM, "out of memory");
            goto done;
        }
        *model = text ? json_loadb(text, (size_t)len, 0, &jerr) : NULL;
        if (!json_is_object(*model)) {
            json_decref(*model);
            *model = NULL;
            rc = fail_msg(h, OGID_EFORMAT, "a stored model is not a JSON object");
            goto done;
        }
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = 0;
    }
done:
    sqlite3_reset(h->get);
    sqlite3_clear_bindings(h->get);
    free(key);
    return rc;
}
