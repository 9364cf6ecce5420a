/* The rule engine: loads the Lua rules, applies the config's per-rule
 * settings and runs the rules over report models.
 *
 * One Lua 5.4 state per rule set. Each rule file runs in its own sandbox
 * environment (ogid_lua.c: string, table, math, utf8 and the harmless base
 * functions, a `load` for text chunks only, and a `require` that knows the
 * host module "ogid" (ogid_rules_api.c) and the rule library "lib.*"), and
 * every piece of rule code, at load time and per check, runs under the
 * sandbox's instruction budget and memory cap. A check that fails or runs
 * away becomes one RULE_ERROR finding and the state stays usable. The
 * config's per-rule settings are checked here against the rules loaded, with
 * ogid_config.c's node trees.
 *
 * Every Lua API call that may raise runs inside lua_pcall; C heap memory is
 * only allocated where no Lua error can follow before it is owned, so a
 * longjmp never leaks and the default panic handler is never reached. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>
#include <lua.h>

#include "ogid/ogid_error.h"
#include "ogid_calendar.h"
#include "ogid_config.h"
#include "ogid_lua.h"
#include "ogid_paths.h"
#include "ogid_rules.h"
#include "ogid_rules_api.h"

/* Findings one check may record; more is a runaway rule. */
#define OGID_RULE_MAX_FINDINGS 1000
/* Longest finding message accepted, in bytes. */
#define OGID_RULE_MAX_MESSAGE 16384
/* How deep a rule folder is searched. */
#define OGID_RULE_MAX_DIR_DEPTH 16
/* Bytes of a Lua error message kept in a RULE_ERROR finding. */
#define OGID_RULE_MAX_REASON 480

/* A loaded rule, in load order. Index i here is index i + 1 of the Lua
 * array at registry key rules_key, whose records are sequences
 * { check, id, title, severity, basis|false, file, params|false, path }. */
struct rule {
    char *id;
    char *title;
    char *severity;         /* effective: the config's, else declared */
    char *declared;         /* the severity the rule file gives */
    char *basis;            /* NULL when the rule gives none */
    char *file;
    json_t *params;         /* effective: declared with the config's over them */
    json_t *defaults;       /* as declared; always an object */
    int enabled;
    int for_register;       /* kind = "register": runs on registers only */
};

struct ogid_rules {
    /* The limits, the lib folders and the ogid module's host (ogid_lua.h). */
    struct ogid_sandbox sb;
    lua_State *L;
    struct rule *rules;
    size_t n;

    /* The check running now: its rule, a serial number that ctx:finding
     * compares so a ctx kept past its check is refused, where its findings
     * go, and whether building one ran out of memory. */
    int running;
    size_t cur;
    lua_Integer serial;
    size_t cur_findings;
    json_t *findings;
    int enomem;
    /* What the check running now gets: its params, its default severity,
     * and the reports of the years around it. */
    const json_t *cur_params;
    const char *cur_severity;
    const json_t *previous;
    const json_t *next;
    const json_t *counterpart;
};

/* Addresses used as registry keys. */
static const char rules_key = 'r';
static const char index_key = 'i';

static const char *const rule_fields[] = {"id",     "title", "severity", "basis",
                                          "params", "check", "kind",     NULL};
/* What a rule reads: annual reports, or request registers (model.kind). */
static const char *const kinds[] = {"report", "register", NULL};
static const char *const finding_fields[] = {"code",   "message",  "where", "expected",
                                             "actual", "severity", NULL};
static const char *const severities[] = {"error", "warning", "info", NULL};
static struct ogid_rules *get_rs(lua_State *L)
{
    return (struct ogid_rules *)(void *)((char *)ogid_sandbox_of(L) -
                                         offsetof(struct ogid_rules, sb));
}

static void seterr(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void seterr(char *errbuf, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!errbuf || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(errbuf, errlen, fmt, ap);
    va_end(ap);
}

static int in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

/* Lua shortens long chunk names to "...tail"; put the whole file name back
 * so messages read FILE:LINE. Writes at most outlen - 1 bytes. */
static void fix_location(const char *msg, const char *file, char *out, size_t outlen)
{
    const char *colon, *p;
    size_t tail, flen = strlen(file);

    if (strncmp(msg, "...", 3) == 0 && (colon = strchr(msg + 3, ':')) != NULL) {
        tail = (size_t)(colon - (msg + 3));
        p = colon + 1;
        if (tail <= flen && *p >= '0' && *p <= '9' &&
            memcmp(file + flen - tail, msg + 3, tail) == 0) {
            snprintf(out, outlen, "%s%s", file, colon);
            return;
        }
    }
    snprintf(out, outlen, "%s", msg);
}

/* Copies src into dst as valid UTF-8 of at most dstlen - 1 bytes: invalid
 * bytes become '?', and a cut is marked with "…". */
static void copy_utf8(char *dst, size_t dstlen, const char *src)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t n = strlen(src), i = 0, o = 0, k;
    static const char ellipsis[] = "\xe2\x80\xa6";

    if (dstlen == 0)
        return;
    while (i < n) {
        k = ogid_utf8_seq(s + i, n - i);
        if (o + (k ? k : 1) + sizeof ellipsis > dstlen) {
            memcpy(dst + o, ellipsis, sizeof ellipsis);
            return;
        }
        if (k == 0) {
            dst[o++] = '?';
            i++;
        } else {
            memcpy(dst + o, s + i, k);
            o += k;
            i += k;
        }
    }
    dst[o] = '\0';
}

/* Raises the error message on top of the stack as "FILE:LINE: message",
 * keeping the location Lua already put there. */
static int raise_at(lua_State *L, const char *file, int line)
{
    char buf[1024];
    size_t flen = strlen(file);
    const char *msg;

    if (lua_type(L, -1) != LUA_TSTRING) {
        lua_pushfstring(L, "%s:%d: error object is a %s value", file, line,
                        luaL_typename(L, -1));
        return lua_error(L);
    }
    msg = lua_tostring(L, -1);
    fix_location(msg, file, buf, sizeof buf);
    if (strncmp(buf, file, flen) == 0 && buf[flen] == ':' && buf[flen + 1] >= '0' &&
        buf[flen + 1] <= '9')
        lua_pushstring(L, buf);
    else
        lua_pushfstring(L, "%s:%d: %s", file, line, buf);
    return lua_error(L);
}

static int l_state_setup(lua_State *L)
{
    ogid_sandbox_setup(L);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &rules_key);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &index_key);
    return 0;
}

/* Loading. */

struct load_job {
    const char *file;
    int path;
};

static int valid_id(const char *s, size_t len)
{
    size_t i, dots = 0;
    int start = 1;

    if (len == 0 || len > 128)
        return 0;
    for (i = 0; i < len; i++) {
        char c = s[i];
        if (start) {
            if (c < 'a' || c > 'z')
                return 0;
            start = 0;
        } else if (c == '.') {
            dots++;
            start = 1;
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return 0;
        }
    }
    return dots > 0 && !start;
}

/* Pushes t[name] without metamethods; returns its type. */
static int rawfield(lua_State *L, int t, const char *name)
{
    lua_pushstring(L, name);
    return lua_rawget(L, t);
}

/* Validates the rule table at index t and adds or replaces its record. */
static void add_rule(lua_State *L, int t, const struct load_job *job, int line, int nth)
{
    char label[200];
    const char *id, *s;
    size_t len;
    int rec, rules, index;
    lua_Integer pos;

    if (nth > 0)
        snprintf(label, sizeof label, "rule #%d", nth);
    else
        snprintf(label, sizeof label, "rule");
    if (lua_type(L, t) != LUA_TTABLE)
        luaL_error(L, "%s:%d: %s is a %s, not a table", job->file, line, label,
                   luaL_typename(L, t));

    if (rawfield(L, t, "id") != LUA_TSTRING)
        luaL_error(L, "%s:%d: %s has no string field 'id'", job->file, line, label);
    id = lua_tolstring(L, -1, &len);
    if (!valid_id(id, len))
        luaL_error(L,
                   "%s:%d: %s: id '%s' is not dotted lower-case "
                   "(like consistency.requests.balance)",
                   job->file, line, label, id);
    snprintf(label, sizeof label, "rule '%s'", id);

    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "%s:%d: %s has a key that is not a name", job->file, line, label);
        s = lua_tostring(L, -1);
        if (!in_list(s, rule_fields))
            luaL_error(L,
                       "%s:%d: %s: unknown field '%s' (expected id, title, "
                       "severity, basis, params, check)",
                       job->file, line, label, s);
    }

    lua_createtable(L, 8, 0);
    rec = lua_gettop(L);
    if (rawfield(L, t, "check") != LUA_TFUNCTION)
        luaL_error(L, "%s:%d: %s: 'check' must be a function", job->file, line, label);
    lua_rawseti(L, rec, 1);
    lua_pushvalue(L, rec - 1);
    lua_rawseti(L, rec, 2);
    if (rawfield(L, t, "title") != LUA_TSTRING || lua_rawlen(L, -1) == 0 ||
        !ogid_utf8_valid(lua_tostring(L, -1), lua_rawlen(L, -1)))
        luaL_error(L, "%s:%d: %s: 'title' must be a non-empty UTF-8 string", job->file,
                   line, label);
    lua_rawseti(L, rec, 3);
    if (rawfield(L, t, "severity") != LUA_TSTRING ||
        !in_list(lua_tostring(L, -1), severities))
        luaL_error(L,
                   "%s:%d: %s: 'severity' must be \"error\", \"warning\" or "
                   "\"info\"",
                   job->file, line, label);
    lua_rawseti(L, rec, 4);
    switch (rawfield(L, t, "basis")) {
    case LUA_TNIL:
        lua_pop(L, 1);
        lua_pushboolean(L, 0);
        break;
    case LUA_TSTRING:
        if (ogid_utf8_valid(lua_tostring(L, -1), lua_rawlen(L, -1)))
            break;
        /* fall through */
    default:
        luaL_error(L, "%s:%d: %s: 'basis' must be a UTF-8 string", job->file, line, label);
    }
    lua_rawseti(L, rec, 5);
    lua_pushstring(L, job->file);
    lua_rawseti(L, rec, 6);
    switch (rawfield(L, t, "params")) {
    case LUA_TNIL:
        lua_pop(L, 1);
        lua_pushboolean(L, 0);
        break;
    case LUA_TTABLE:
        /* Params travel as JSON so every check gets a fresh copy and the
         * config can override them later. */
        if (lua_rawlen(L, -1) > 0)
            luaL_error(L, "%s:%d: %s: 'params' must have named fields", job->file, line,
                       label);
        lua_pushfstring(L, "%s:%d: %s: params", job->file, line, label);
        ogid_lua_check(L, -2, lua_tostring(L, -1));
        lua_pop(L, 1);
        break;
    default:
        luaL_error(L, "%s:%d: %s: 'params' must be a table", job->file, line, label);
    }
    lua_rawseti(L, rec, 7);
    lua_pushinteger(L, job->path);
    lua_rawseti(L, rec, 8);
    switch (rawfield(L, t, "kind")) {
    case LUA_TNIL:
        lua_pop(L, 1);
        lua_pushliteral(L, "report");
        break;
    case LUA_TSTRING:
        if (in_list(lua_tostring(L, -1), kinds))
            break;
        /* fall through */
    default:
        luaL_error(L, "%s:%d: %s: 'kind' must be \"report\" or \"register\"", job->file,
                   line, label);
    }
    lua_rawseti(L, rec, 9);

    /* A later path replaces a rule of the same id in place; the same id
     * twice within one path is a mistake. */
    lua_rawgetp(L, LUA_REGISTRYINDEX, &rules_key);
    rules = lua_gettop(L);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &index_key);
    index = lua_gettop(L);
    lua_pushvalue(L, rec - 1);
    if (lua_rawget(L, index) == LUA_TNUMBER) {
        pos = lua_tointeger(L, -1);
        lua_rawgeti(L, rules, pos);
        lua_rawgeti(L, -1, 8);
        if (lua_tointeger(L, -1) == job->path) {
            lua_rawgeti(L, -2, 6);
            luaL_error(L, "%s:%d: %s: id already used in %s", job->file, line, label,
                       lua_tostring(L, -1));
        }
    } else {
        pos = (lua_Integer)lua_rawlen(L, rules) + 1;
        lua_pushvalue(L, rec - 1);
        lua_pushinteger(L, pos);
        lua_rawset(L, index);
    }
    lua_pushvalue(L, rec);
    lua_rawseti(L, rules, pos);
    lua_settop(L, rec - 2);
}

static int l_rules_load(lua_State *L)
{
    const struct load_job *job = lua_touserdata(L, 1);
    struct ogid_rules *rs = get_rs(L);
    int status, line, i, n;

    lua_settop(L, 0);
    if (luaL_loadfilex(L, job->file, "t") != LUA_OK)
        return raise_at(L, job->file, 1);
    ogid_sandbox_push_env(L);
    if (!lua_setupvalue(L, 1, 1))
        lua_pop(L, 1);

    rs->sb.ret_line = 0;
    rs->sb.load_source = job->file;
    ogid_sandbox_limits_on(L, LUA_MASKCOUNT | LUA_MASKRET);
    status = lua_pcall(L, 0, 1, 0);
    ogid_sandbox_limits_off(L);
    rs->sb.load_source = NULL;
    line = rs->sb.ret_line > 0 ? rs->sb.ret_line : 1;
    if (status == LUA_ERRMEM) {
        lua_pushfstring(L, "%s:%d: memory cap of %d MiB exceeded", job->file, line,
                        (int)(OGID_RULE_MEM_LIMIT >> 20));
        return lua_error(L);
    }
    if (status != LUA_OK)
        return raise_at(L, job->file, line);
    if (rs->sb.budget_hit)
        return luaL_error(L, "%s:%d: instruction budget of %d exceeded", job->file, line,
                          (int)OGID_RULE_BUDGET);

    if (lua_type(L, 1) != LUA_TTABLE)
        return luaL_error(L,
                          "%s:%d: a rule file must return a rule table or a "
                          "list of them, not %s",
                          job->file, line, luaL_typename(L, 1));
    /* A rule has named fields; a list of rules has only items. */
    n = (int)lua_rawlen(L, 1);
    lua_rawgeti(L, 1, 1);
    if (n > 0 && lua_type(L, -1) == LUA_TTABLE) {
        lua_pop(L, 1);
        lua_pushnil(L);
        while (lua_next(L, 1) != 0) {
            lua_pop(L, 1);
            if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 ||
                lua_tointeger(L, -1) > n)
                return luaL_error(L,
                                  "%s:%d: a list of rules must have only "
                                  "items 1..n",
                                  job->file, line);
        }
        for (i = 1; i <= n; i++) {
            lua_rawgeti(L, 1, i);
            add_rule(L, lua_gettop(L), job, line, i);
            lua_pop(L, 1);
        }
    } else {
        lua_pop(L, 1);
        add_rule(L, 1, job, line, 0);
    }
    return 0;
}

/* Copies each record's strings and params out of Lua, once loading is
 * done. Only non-raising API calls: the state is idle, so the strings stay
 * where they are while they are copied. */
static int fill_rules(struct ogid_rules *rs)
{
    lua_State *L = rs->L;
    int top = lua_gettop(L), rules;
    char **fields[5];
    size_t i, n, k;
    const char *s;

    if (!lua_checkstack(L, 2 * OGID_LUA_MAX_DEPTH + 8))
        return OGID_ENOMEM;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &rules_key);
    rules = lua_gettop(L);
    n = (size_t)lua_rawlen(L, rules);
    if (n > 0) {
        rs->rules = calloc(n, sizeof *rs->rules);
        if (!rs->rules)
            goto nomem;
    }
    rs->n = n;
    for (i = 0; i < n; i++) {
        struct rule *r = &rs->rules[i];

        fields[0] = &r->id;
        fields[1] = &r->title;
        fields[2] = &r->severity;
        fields[3] = &r->basis;
        fields[4] = &r->file;
        lua_rawgeti(L, rules, (lua_Integer)i + 1);
        for (k = 0; k < 5; k++) {
            lua_rawgeti(L, -1, (lua_Integer)k + 2);
            if (lua_type(L, -1) == LUA_TSTRING) {
                s = lua_tostring(L, -1);
                *fields[k] = strdup(s);
                if (!*fields[k])
                    goto nomem;
            }
            lua_pop(L, 1);
        }
        lua_rawgeti(L, -1, 7);
        r->defaults = lua_type(L, -1) == LUA_TTABLE ? ogid_lua_to_json(L, -1) : json_object();
        if (!r->defaults)
            goto nomem;
        /* A table with only list items converts to an array: the loader
         * refused those, but an empty table is an object either way. */
        if (!json_is_object(r->defaults)) {
            json_decref(r->defaults);
            r->defaults = json_object();
            if (!r->defaults)
                goto nomem;
        }
        r->params = json_deep_copy(r->defaults);
        r->declared = r->severity ? strdup(r->severity) : NULL;
        if (!r->params || !r->declared)
            goto nomem;
        r->enabled = 1;
        lua_rawgeti(L, -2, 9);
        r->for_register = lua_type(L, -1) == LUA_TSTRING &&
                          strcmp(lua_tostring(L, -1), "register") == 0;
        lua_pop(L, 3);
    }
    lua_settop(L, top);
    return 0;

nomem:
    lua_settop(L, top);
    return OGID_ENOMEM;
}

/* Appends path/name to the list if it is a rule file, or descends into it
 * if it is a folder. Folders named "tests" hold rule test cases and
 * "lib" shared helpers: neither holds rules. */
struct file_list {
    char **v;
    size_t n, cap;
};

static int list_push(struct file_list *fl, char *path)
{
    if (fl->n == fl->cap) {
        size_t cap = fl->cap ? fl->cap * 2 : 16;
        char **v = realloc(fl->v, cap * sizeof *v);
        if (!v) {
            free(path);
            return OGID_ENOMEM;
        }
        fl->v = v;
        fl->cap = cap;
    }
    fl->v[fl->n++] = path;
    return 0;
}

static void list_free(struct file_list *fl)
{
    size_t i;

    for (i = 0; i < fl->n; i++)
        free(fl->v[i]);
    free(fl->v);
    fl->v = NULL;
    fl->n = fl->cap = 0;
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(const char *dir, int depth, struct file_list *fl, char *errbuf,
                size_t errlen)
{
    DIR *d;
    struct dirent *e;
    struct stat st;
    char *path;
    size_t dlen = strlen(dir), nlen;
    int rc = 0;

    if (depth > OGID_RULE_MAX_DIR_DEPTH) {
        seterr(errbuf, errlen, "%s: folders nested too deeply", dir);
        return OGID_ERULE;
    }
    d = opendir(dir);
    if (!d) {
        seterr(errbuf, errlen, "%s: cannot open: %s", dir, strerror(errno));
        return OGID_ERULE;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        nlen = strlen(e->d_name);
        path = malloc(dlen + nlen + 2);
        if (!path) {
            rc = OGID_ENOMEM;
            goto out;
        }
        snprintf(path, dlen + nlen + 2, "%s%s%s", dir,
                 dlen > 0 && dir[dlen - 1] == '/' ? "" : "/", e->d_name);
        if (stat(path, &st) != 0) {
            /* A dangling link or a file removed meanwhile: not a rule. */
            free(path);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            if (strcmp(e->d_name, "tests") != 0 && strcmp(e->d_name, "lib") != 0)
                rc = walk(path, depth + 1, fl, errbuf, errlen);
            free(path);
            if (rc != 0)
                goto out;
        } else if (S_ISREG(st.st_mode) && nlen > 4 &&
                   strcmp(e->d_name + nlen - 4, ".lua") == 0) {
            rc = list_push(fl, path);
            if (rc != 0)
                goto out;
        } else {
            free(path);
        }
    }
out:
    closedir(d);
    return rc;
}

static int collect(const char *path, struct file_list *fl, char *errbuf, size_t errlen)
{
    struct stat st;
    char *copy;
    int rc;

    if (stat(path, &st) != 0) {
        seterr(errbuf, errlen, "%s: %s", path, strerror(errno));
        return OGID_ERULE;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = walk(path, 0, fl, errbuf, errlen);
        if (rc == 0 && fl->n > 1)
            qsort(fl->v, fl->n, sizeof *fl->v, cmp_path);
        return rc;
    }
    if (!S_ISREG(st.st_mode)) {
        seterr(errbuf, errlen, "%s: not a file or folder", path);
        return OGID_ERULE;
    }
    copy = strdup(path);
    if (!copy)
        return OGID_ENOMEM;
    return list_push(fl, copy);
}

/* Copies the error on top of the stack to errbuf and pops it. */
static int lua_failure(lua_State *L, int status, char *errbuf, size_t errlen)
{
    const char *msg =
        lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "unknown error";

    seterr(errbuf, errlen, "%s", status == LUA_ERRMEM ? "out of memory" : msg);
    lua_pop(L, 1);
    return status == LUA_ERRMEM ? OGID_ENOMEM : OGID_ERULE;
}

/* The folders `require "lib.x"` searches: the lib/ of each rule path that
 * is a folder, later paths first (as later paths override earlier rules),
 * then the bundled rules' lib/, so a rule of one's own can use the bundled
 * helpers whatever the rule paths. */
static int set_lib_dirs(struct ogid_rules *rs, char *const *paths, size_t n_paths)
{
    struct stat st;
    const char *bundled = ogid_paths_rules();
    char *dir;
    size_t p, i, len;
    int dup;

    rs->sb.lib_dirs = calloc(n_paths + 1, sizeof *rs->sb.lib_dirs);
    if (!rs->sb.lib_dirs)
        return OGID_ENOMEM;
    for (p = 0; p <= n_paths; p++) {
        const char *base = p < n_paths ? paths[n_paths - 1 - p] : bundled;

        if (stat(base, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        len = strlen(base);
        while (len > 1 && base[len - 1] == '/')
            len--;
        dir = malloc(len + 5);
        if (!dir)
            return OGID_ENOMEM;
        memcpy(dir, base, len);
        memcpy(dir + len, "/lib", 5);
        for (dup = 0, i = 0; i < rs->sb.n_lib_dirs; i++)
            if (strcmp(rs->sb.lib_dirs[i], dir) == 0)
                dup = 1;
        if (dup)
            free(dir);
        else
            rs->sb.lib_dirs[rs->sb.n_lib_dirs++] = dir;
    }
    return 0;
}

int ogid_rules_new(char *const *paths, size_t n_paths, struct ogid_rules **out,
                   char *errbuf, size_t errlen)
{
    struct ogid_rules *rs;
    struct file_list fl = {0};
    struct load_job job;
    size_t p, f;
    int rc, status;

    if (!out || (n_paths > 0 && !paths)) {
        seterr(errbuf, errlen, "invalid arguments");
        return OGID_EINVAL;
    }
    *out = NULL;
    rs = calloc(1, sizeof *rs);
    if (!rs) {
        seterr(errbuf, errlen, "out of memory");
        return OGID_ENOMEM;
    }
    rs->L = ogid_sandbox_new_state(&rs->sb);
    if (!rs->L) {
        seterr(errbuf, errlen, "out of memory");
        rc = OGID_ENOMEM;
        goto fail;
    }
    rc = set_lib_dirs(rs, paths, n_paths);
    if (rc != 0) {
        seterr(errbuf, errlen, "out of memory");
        goto fail;
    }

    lua_pushcfunction(rs->L, l_state_setup);
    status = lua_pcall(rs->L, 0, 0, 0);
    if (status != LUA_OK) {
        rc = lua_failure(rs->L, status, errbuf, errlen);
        goto fail;
    }

    for (p = 0; p < n_paths; p++) {
        rc = collect(paths[p], &fl, errbuf, errlen);
        if (rc == OGID_ENOMEM)
            seterr(errbuf, errlen, "out of memory");
        if (rc != 0)
            goto fail;
        for (f = 0; f < fl.n; f++) {
            job.file = fl.v[f];
            job.path = (int)p;
            lua_pushcfunction(rs->L, l_rules_load);
            lua_pushlightuserdata(rs->L, &job);
            status = lua_pcall(rs->L, 1, 0, 0);
            if (status != LUA_OK) {
                rc = lua_failure(rs->L, status, errbuf, errlen);
                goto fail;
            }
        }
        list_free(&fl);
    }

    rc = fill_rules(rs);
    if (rc != 0) {
        seterr(errbuf, errlen, "out of memory");
        goto fail;
    }
    lua_gc(rs->L, LUA_GCCOLLECT);
    *out = rs;
    return 0;

fail:
    list_free(&fl);
    ogid_rules_free(rs);
    return rc;
}

void ogid_rules_free(struct ogid_rules *rs)
{
    size_t i;

    if (!rs)
        return;
    if (rs->L)
        lua_close(rs->L);
    for (i = 0; i < rs->n; i++) {
        free(rs->rules[i].id);
        free(rs->rules[i].title);
        free(rs->rules[i].severity);
        free(rs->rules[i].declared);
        free(rs->rules[i].basis);
        free(rs->rules[i].file);
        json_decref(rs->rules[i].params);
        json_decref(rs->rules[i].defaults);
    }
    free(rs->rules);
    for (i = 0; i < rs->sb.n_lib_dirs; i++)
        free(rs->sb.lib_dirs[i]);
    free(rs->sb.lib_dirs);
    ogid_calendar_free(rs->sb.host.calendar);
    free(rs);
}

size_t ogid_rules_count(const struct ogid_rules *rs)
{
    return rs ? rs->n : 0;
}

void ogid_rules_info(const struct ogid_rules *rs, size_t i, const char **id,
                     const char **severity, const char **title)
{
    const struct rule *r = rs && i < rs->n ? &rs->rules[i] : NULL;

    if (id)
        *id = r ? r->id : NULL;
    if (severity)
        *severity = r ? r->severity : NULL;
    if (title)
        *title = r ? r->title : NULL;
}

const char *ogid_rules_file(const struct ogid_rules *rs, size_t i)
{
    return rs && i < rs->n ? rs->rules[i].file : NULL;
}

int ogid_rules_enabled(const struct ogid_rules *rs, size_t i)
{
    return rs && i < rs->n ? rs->rules[i].enabled : -1;
}

const json_t *ogid_rules_params(const struct ogid_rules *rs, size_t i)
{
    return rs && i < rs->n ? rs->rules[i].params : NULL;
}

long ogid_rules_find(const struct ogid_rules *rs, const char *id)
{
    size_t i;

    for (i = 0; rs && id && i < rs->n; i++)
        if (strcmp(rs->rules[i].id, id) == 0)
            return (long)i;
    return -1;
}

void ogid_rules_set_calendar(struct ogid_rules *rs, struct ogid_calendar *cal)
{
    if (!rs) {
        ogid_calendar_free(cal);
        return;
    }
    ogid_calendar_free(rs->sb.host.calendar);
    rs->sb.host.calendar = cal;
    rs->sb.host.calendar_tried = cal != NULL;
    rs->sb.host.calendar_err[0] = '\0';
}

/* Settings. */

/* Checks params node p against rule r's declared params; returns the merged
 * params, or NULL (after errors). */
static json_t *merge_params(struct ogid_config_errors *e, const struct rule *r,
                            const struct ogid_config_node *p)
{
    json_t *out, *v;
    char known[256], q[80];
    const char *key;
    json_t *dv;
    size_t i, o;
    unsigned before = e->n;

    out = json_deep_copy(r->defaults);
    if (!out) {
        e->nomem = 1;
        return NULL;
    }
    if (ogid_config_node_is_null(p))
        return out;
    if (p->type != OGID_NODE_MAPPING) {
        ogid_config_error_at(e, p, "params of rule \"%s\" must be a mapping of names to values, not %s",
               r->id, ogid_config_node_shown(p, q, sizeof q));
        json_decref(out);
        return NULL;
    }
    for (i = 0; i < p->n; i++) {
        const struct ogid_config_node *k = &p->keys[i];

        dv = k->type == OGID_NODE_SCALAR && strlen(k->text) == k->len
                 ? json_object_get(r->defaults, k->text)
                 : NULL;
        if (!dv) {
            const char *names[64];
            size_t nn = 0, j;

            json_object_foreach(r->defaults, key, v)
            {
                if (nn < 64)
                    names[nn++] = key;
            }
            qsort(names, nn, sizeof *names, cmp_path);
            o = 0;
            known[0] = '\0';
            for (j = 0; j < nn; j++) {
                int w = snprintf(known + o, sizeof known - o, "%s%s", o ? ", " : "", names[j]);
                if (w < 0 || (size_t)w >= sizeof known - o)
                    break;
                o += (size_t)w;
            }
            if (o == 0)
                ogid_config_error_at(e, k, "unknown param %s for rule \"%s\" (the rule declares no params)",
                       ogid_config_node_shown(k, q, sizeof q), r->id);
            else
                ogid_config_error_at(e, k, "unknown param %s for rule \"%s\" (declared: %s)",
                       ogid_config_node_shown(k, q, sizeof q), r->id, known);
            continue;
        }
        v = ogid_config_node_like(e, &p->items[i], dv, r->id, k->text);
        if (v && json_object_set_new(out, k->text, v) != 0)
            e->nomem = 1;
    }
    if (e->n != before || e->nomem) {
        json_decref(out);
        return NULL;
    }
    return out;
}

int ogid_rules_merge_params(const struct ogid_rules *rs, size_t i,
                            const struct ogid_config_node *params, const char *file,
                            json_t **out, char *errbuf, size_t errlen)
{
    struct ogid_config_errors e = {errbuf, errlen, 0, 0, 0, file ? file : "<params>"};

    *out = NULL;
    if (errbuf && errlen)
        errbuf[0] = '\0';
    if (!rs || i >= rs->n)
        return OGID_EINVAL;
    *out = merge_params(&e, &rs->rules[i], params);
    if (e.nomem)
        return OGID_ENOMEM;
    return *out ? 0 : OGID_ECONFIG;
}

/* Reads `enabled`: YAML 1.2's true and false, unquoted. */
static int read_bool(const struct ogid_config_node *n, int *out)
{
    static const char *const yes[] = {"true", "True", "TRUE", NULL};
    static const char *const no[] = {"false", "False", "FALSE", NULL};

    if (n->type != OGID_NODE_SCALAR || !n->plain)
        return 0;
    if (in_list(n->text, yes))
        *out = 1;
    else if (in_list(n->text, no))
        *out = 0;
    else
        return 0;
    return 1;
}

/* The settings of one rule: { enabled, severity, params }. */
static void read_settings(struct ogid_config_errors *e, const struct rule *r,
                          const struct ogid_config_node *v, int *enabled, const char **severity,
                          json_t **params)
{
    char q[80];
    size_t k, j;

    if (ogid_config_node_is_null(v))
        return;
    if (v->type != OGID_NODE_MAPPING) {
        ogid_config_error_at(e, v,
               "settings of rule \"%s\" must be a mapping of enabled, severity and params, "
               "not %s",
               r->id, ogid_config_node_shown(v, q, sizeof q));
        return;
    }
    for (k = 0; k < v->n; k++) {
        const struct ogid_config_node *key = &v->keys[k], *val = &v->items[k];
        const char *name = key->type == OGID_NODE_SCALAR ? key->text : "";

        for (j = 0; j < k; j++)
            if (v->keys[j].type == OGID_NODE_SCALAR && strcmp(v->keys[j].text, name) == 0)
                break;
        if (j < k) {
            ogid_config_error_at(e, key, "duplicate setting \"%s\" for rule \"%s\" (first at line %zu)", name,
                   r->id, v->keys[j].line);
        } else if (strcmp(name, "enabled") == 0) {
            if (!read_bool(val, enabled))
                ogid_config_error_at(e, val, "bad value for \"enabled\" of rule \"%s\": %s is not true or false",
                       r->id, ogid_config_node_shown(val, q, sizeof q));
        } else if (strcmp(name, "severity") == 0) {
            if (val->type == OGID_NODE_SCALAR && in_list(val->text, severities))
                *severity = val->text;
            else
                ogid_config_error_at(e, val,
                       "bad value for \"severity\" of rule \"%s\": %s is not one of error, "
                       "warning, info",
                       r->id, ogid_config_node_shown(val, q, sizeof q));
        } else if (strcmp(name, "params") == 0) {
            json_decref(*params);
            *params = merge_params(e, r, val);
        } else {
            ogid_config_error_at(e, key,
                   "unknown setting %s for rule \"%s\" (known: enabled, severity, params)",
                   ogid_config_node_shown(key, q, sizeof q), r->id);
        }
    }
}

/* The config's local holidays, into the calendar: each {date: YYYY-MM-DD,
 * name: ..., off: true|false (default true: a day off; false: a working
 * day)}. Returns 0, or -1 with the problems in errbuf. */
static int add_local_holidays(struct ogid_calendar *cal, const struct ogid_config *cfg,
                              char *errbuf, size_t errlen)
{
    struct ogid_config_errors e = {errbuf, errlen, 0, 0, 0, cfg->holidays_file};
    const struct ogid_config_node *list = cfg->holidays;

    for (size_t i = 0; i < list->n; i++) {
        const struct ogid_config_node *h = &list->items[i];
        const struct ogid_config_node *date, *name, *off;
        int y, m, d, is_off = 1, n = 0;

        if (h->type != OGID_NODE_MAPPING) {
            ogid_config_error_at(&e, h, "holidays[%zu]: expected {date, name, off}", i);
            continue;
        }
        for (size_t k = 0; k < h->n; k++) {
            const char *key = h->keys[k].text;
            if (strcmp(key, "date") != 0 && strcmp(key, "name") != 0 &&
                strcmp(key, "off") != 0)
                ogid_config_error_at(&e, &h->keys[k],
                                     "holidays[%zu]: unknown key \"%s\" (known: date, name, off)",
                                     i, key);
        }
        date = ogid_config_node_get(h, "date");
        name = ogid_config_node_get(h, "name");
        off = ogid_config_node_get(h, "off");
        if (date == NULL || date->type != OGID_NODE_SCALAR ||
            sscanf(date->text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
            (size_t)n != date->len) {
            ogid_config_error_at(&e, date ? date : h,
                                 "holidays[%zu]: \"date\" must be a date YYYY-MM-DD", i);
            continue;
        }
        if (name == NULL || name->type != OGID_NODE_SCALAR || name->len == 0) {
            ogid_config_error_at(&e, name ? name : h, "holidays[%zu]: \"name\" is required", i);
            continue;
        }
        if (off != NULL && !read_bool(off, &is_off)) {
            ogid_config_error_at(&e, off, "holidays[%zu]: \"off\" must be true or false", i);
            continue;
        }
        int rc = ogid_calendar_add_local(cal, y, m, d, is_off, name->text);
        if (rc != 0)
            ogid_config_error_at(&e, date, "holidays[%zu]: %s: %s", i, date->text,
                                 rc == OGID_EINVAL ? "not a valid date" : ogid_strerror(rc));
    }
    return e.n > 0 || e.nomem ? -1 : 0;
}

int ogid_rules_configure(struct ogid_rules *rs, const struct ogid_config *cfg, char *errbuf,
                         size_t errlen)
{
    const struct ogid_config_node *m = cfg ? cfg->rule_settings : NULL;
    struct ogid_config_errors e = {errbuf, errlen, 0, 0, 0, cfg && cfg->rules_file ? cfg->rules_file : "<config>"};
    int *enabled = NULL;
    const char **sev = NULL;
    char **sev_copy = NULL;
    json_t **params = NULL;
    size_t *first = NULL, i, k;
    char q[80];
    int rc = OGID_ENOMEM;

    if (errbuf && errlen)
        errbuf[0] = '\0';
    if (!rs)
        return OGID_EINVAL;
    if (rs->n > 0) {
        enabled = calloc(rs->n, sizeof *enabled);
        sev = calloc(rs->n, sizeof *sev);
        sev_copy = calloc(rs->n, sizeof *sev_copy);
        params = calloc(rs->n, sizeof *params);
        first = calloc(rs->n, sizeof *first);
        if (!enabled || !sev || !sev_copy || !params || !first)
            goto out;
    }
    for (i = 0; i < rs->n; i++)
        enabled[i] = 1;

    if (m && m->type == OGID_NODE_MAPPING) {
        for (k = 0; k < m->n && !e.nomem; k++) {
            const struct ogid_config_node *key = &m->keys[k];
            long r;

            if (key->type != OGID_NODE_SCALAR) {
                ogid_config_error_at(&e, key, "a rule id must be a name, not %s", ogid_config_node_shown(key, q, sizeof q));
                continue;
            }
            r = strlen(key->text) == key->len ? ogid_rules_find(rs, key->text) : -1;
            if (r < 0) {
                ogid_config_error_at(&e, key, "unknown rule %s (no such rule loaded)", ogid_config_node_shown(key, q, sizeof q));
                continue;
            }
            if (first[r]) {
                ogid_config_error_at(&e, key, "duplicate settings for rule \"%s\" (first at line %zu)",
                       key->text, first[r]);
                continue;
            }
            first[r] = key->line;
            read_settings(&e, &rs->rules[r], &m->items[k], &enabled[r], &sev[r], &params[r]);
        }
    }
    if (e.nomem)
        goto out;
    if (e.n > 0) {
        rc = OGID_ECONFIG;
        goto out;
    }
    for (i = 0; i < rs->n; i++) {
        if (!params[i] && !(params[i] = json_deep_copy(rs->rules[i].defaults)))
            goto out;
        if (!(sev_copy[i] = strdup(sev[i] ? sev[i] : rs->rules[i].declared)))
            goto out;
    }

    /* The calendar: loaded now, so a broken data folder stops the start
     * (and `ogid config check`) with its reason, not every deadline rule. */
    if (!rs->sb.host.calendar) {
        char cerr[512] = "";
        struct ogid_calendar *cal = NULL;
        int crc = ogid_calendar_load(ogid_paths_data(), &cal, cerr, sizeof cerr);

        if (crc == OGID_ENOMEM)
            goto out;
        if (crc != 0) {
            seterr(errbuf, errlen, "working-day calendar: %s",
                   cerr[0] ? cerr : ogid_strerror(crc));
            rc = OGID_ECONFIG;
            goto out;
        }
        if (cfg != NULL && cfg->holidays != NULL &&
            add_local_holidays(cal, cfg, errbuf, errlen) != 0) {
            ogid_calendar_free(cal);
            rc = OGID_ECONFIG;
            goto out;
        }
        ogid_rules_set_calendar(rs, cal);
    }

    /* Nothing can fail from here on. */
    for (i = 0; i < rs->n; i++) {
        struct rule *r = &rs->rules[i];

        r->enabled = enabled[i];
        free(r->severity);
        r->severity = sev_copy[i];
        sev_copy[i] = NULL;
        json_decref(r->params);
        r->params = params[i];
        params[i] = NULL;
    }
    rc = 0;

out:
    if (rc == OGID_ENOMEM || e.nomem) {
        seterr(errbuf, errlen, "out of memory");
        rc = OGID_ENOMEM;
    }
    for (i = 0; i < rs->n; i++) {
        if (params)
            json_decref(params[i]);
        if (sev_copy)
            free(sev_copy[i]);
    }
    free(enabled);
    free(sev);
    free(sev_copy);
    free(params);
    free(first);
    return rc;
}

/* Running. */

/* Adds key = value to obj, taking the reference; notes a failure. */
static void put(json_t *obj, const char *key, json_t *value, int *failed)
{
    if (json_object_set_new(obj, key, value) != 0)
        *failed = 1;
}

static void append_finding(struct ogid_rules *rs, json_t *obj, int failed)
{
    if (failed || !obj || json_array_append_new(rs->findings, obj) != 0) {
        if (failed)
            json_decref(obj);
        rs->enomem = 1;
    }
}

/* ctx:finding{code=, message=, where=, expected=, actual=, severity=}. */
static int l_ctx_finding(lua_State *L)
{
    struct ogid_rules *rs = get_rs(L);
    const struct rule *r;
    const char *s;
    size_t len, i;
    json_t *obj;
    int failed = 0;
    enum { SPEC = 2, CODE, MESSAGE, WHERE, EXPECTED, ACTUAL, SEVERITY };

    if (!rs->running || lua_tointeger(L, lua_upvalueindex(1)) != rs->serial)
        return luaL_error(L, "ctx:finding called outside the check that "
                             "received this ctx");
    if (lua_type(L, SPEC) != LUA_TTABLE)
        return luaL_error(L, "ctx:finding expects a table (call it as "
                             "ctx:finding{...})");
    if (rs->cur_findings >= OGID_RULE_MAX_FINDINGS)
        return luaL_error(L, "more than %d findings from one check",
                          OGID_RULE_MAX_FINDINGS);
    lua_settop(L, SPEC);

    /* Checking: anything wrong raises, before any C allocation. */
    lua_pushnil(L);
    while (lua_next(L, SPEC) != 0) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING || !in_list(lua_tostring(L, -1), finding_fields))
            return luaL_error(L,
                              "ctx:finding: unknown field '%s' (expected "
                              "code, message, where, expected, actual, "
                              "severity)",
                              luaL_tolstring(L, -1, NULL));
    }
    for (i = 0; finding_fields[i]; i++)
        rawfield(L, SPEC, finding_fields[i]);

    if (lua_type(L, CODE) != LUA_TSTRING)
        return luaL_error(L, "ctx:finding: 'code' must be a string");
    s = lua_tolstring(L, CODE, &len);
    if (len == 0 || len > 64 || s[0] < 'A' || s[0] > 'Z')
        return luaL_error(L, "ctx:finding: 'code' must be upper-case, like "
                             "T3_BALANCE");
    for (i = 0; i < len; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return luaL_error(L, "ctx:finding: 'code' must be upper-case, "
                                 "like T3_BALANCE");
    if (lua_type(L, MESSAGE) != LUA_TSTRING || lua_rawlen(L, MESSAGE) == 0)
        return luaL_error(L, "ctx:finding: 'message' must be a non-empty "
                             "string");
    if (lua_rawlen(L, MESSAGE) > OGID_RULE_MAX_MESSAGE)
        return luaL_error(L, "ctx:finding: 'message' longer than %d bytes",
                          OGID_RULE_MAX_MESSAGE);
    ogid_lua_check(L, MESSAGE, "ctx:finding: message");
    if (!lua_isnil(L, WHERE)) {
        if (lua_type(L, WHERE) != LUA_TTABLE || lua_rawlen(L, WHERE) > 0)
            return luaL_error(L, "ctx:finding: 'where' must be a table of "
                                 "named fields");
        ogid_lua_check(L, WHERE, "ctx:finding: where");
    }
    for (i = EXPECTED; i <= ACTUAL; i++) {
        int t = lua_type(L, (int)i);
        if (t != LUA_TNIL && t != LUA_TNUMBER && t != LUA_TSTRING)
            return luaL_error(L,
                              "ctx:finding: '%s' must be a number or a "
                              "string",
                              i == EXPECTED ? "expected" : "actual");
        if (t != LUA_TNIL)
            ogid_lua_check(L, (int)i, "ctx:finding: expected/actual");
    }
    if (!lua_isnil(L, SEVERITY) && (lua_type(L, SEVERITY) != LUA_TSTRING ||
                                    !in_list(lua_tostring(L, SEVERITY), severities)))
        return luaL_error(L, "ctx:finding: 'severity' must be \"error\", "
                             "\"warning\" or \"info\"");
    if (!lua_checkstack(L, 2 * OGID_LUA_MAX_DEPTH + 8))
        return luaL_error(L, "ctx:finding: out of stack");

    /* Building: no Lua call below may raise. */
    r = &rs->rules[rs->cur];
    rs->cur_findings++;
    obj = json_object();
    if (!obj) {
        rs->enomem = 1;
        return 0;
    }
    put(obj, "rule", json_string(r->id), &failed);
    put(obj, "code", json_string(lua_tostring(L, CODE)), &failed);
    put(obj, "severity",
        json_string(lua_isnil(L, SEVERITY) ? rs->cur_severity : lua_tostring(L, SEVERITY)),
        &failed);
    s = lua_tolstring(L, MESSAGE, &len);
    put(obj, "message", json_stringn(s, len), &failed);
    if (!lua_isnil(L, WHERE))
        put(obj, "where", ogid_lua_to_json(L, WHERE), &failed);
    if (!lua_isnil(L, EXPECTED))
        put(obj, "expected", ogid_lua_to_json(L, EXPECTED), &failed);
    if (!lua_isnil(L, ACTUAL))
        put(obj, "actual", ogid_lua_to_json(L, ACTUAL), &failed);
    if (r->basis)
        put(obj, "basis", json_string(r->basis), &failed);
    append_finding(rs, obj, failed);
    return 0;
}

/* Pushes the check of rule i, the report and a fresh ctx. The report is
 * converted for each check, so no rule sees another's changes to it. */
static int l_rule_prepare(lua_State *L)
{
    struct ogid_rules *rs = get_rs(L);
    const json_t *model = lua_touserdata(L, 1);
    lua_Integer i = lua_tointeger(L, 2);

    lua_settop(L, 0);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &rules_key);
    lua_rawgeti(L, 1, i + 1);
    lua_rawgeti(L, 2, 1);
    lua_replace(L, 1);
    lua_settop(L, 1);
    ogid_lua_push_json(L, model);
    lua_createtable(L, 0, 5);
    ogid_lua_push_json(L, rs->cur_params);
    lua_setfield(L, -2, "params");
    lua_pushstring(L, rs->rules[i].id);
    lua_setfield(L, -2, "rule");
    if (rs->previous) {
        ogid_lua_push_json(L, rs->previous);
        lua_setfield(L, -2, "previous");
    }
    if (rs->next) {
        ogid_lua_push_json(L, rs->next);
        lua_setfield(L, -2, "next");
    }
    if (rs->counterpart) {
        ogid_lua_push_json(L, rs->counterpart);
        lua_setfield(L, -2, "counterpart");
    }
    lua_pushinteger(L, rs->serial);
    lua_pushcclosure(L, l_ctx_finding, 1);
    lua_setfield(L, -2, "finding");
    return 3;
}

/* Records a RULE_ERROR finding of rule i saying msg. Plain C. */
static void add_rule_error(struct ogid_rules *rs, size_t i, const char *msg)
{
    json_t *obj = json_object();
    int failed = 0;

    if (!obj) {
        rs->enomem = 1;
        return;
    }
    put(obj, "rule", json_string(rs->rules[i].id), &failed);
    put(obj, "code", json_string("RULE_ERROR"), &failed);
    put(obj, "severity", json_string("error"), &failed);
    put(obj, "message", json_string(msg), &failed);
    append_finding(rs, obj, failed);
}

/* Records the RULE_ERROR finding of rule i from the error on top of the
 * stack. Plain C apart from reading a string already on the stack. */
static void rule_error(struct ogid_rules *rs, size_t i, int status)
{
    const struct rule *r = &rs->rules[i];
    char reason[OGID_RULE_MAX_REASON], msg[OGID_RULE_MAX_REASON + 256], located[1024];

    if (rs->sb.budget_hit) {
        snprintf(reason, sizeof reason, "超出指令数上限（%ld 条）", (long)OGID_RULE_BUDGET);
    } else if (status == LUA_ERRMEM) {
        snprintf(reason, sizeof reason, "超出内存上限（%d MiB）",
                 (int)(OGID_RULE_MEM_LIMIT >> 20));
    } else if (status != LUA_OK && lua_type(rs->L, -1) == LUA_TSTRING) {
        fix_location(lua_tostring(rs->L, -1), r->file, located, sizeof located);
        copy_utf8(reason, sizeof reason, located);
    } else {
        snprintf(reason, sizeof reason, "错误对象为 %s 类型",
                 status != LUA_OK ? luaL_typename(rs->L, -1) : "nil");
    }
    snprintf(msg, sizeof msg, "规则 %s 运行出错：%s", r->id, reason);
    add_rule_error(rs, i, msg);
}

/* Runs rule i's check once, with rs->cur_params and rs->cur_severity set.
 * Returns 0, or OGID_ENOMEM when not even the check could be prepared. */
static int run_rule(struct ogid_rules *rs, size_t i, json_t *model)
{
    lua_State *L = rs->L;
    int base = lua_gettop(L), status;

    rs->serial++;
    lua_pushcfunction(L, l_rule_prepare);
    lua_pushlightuserdata(L, model);
    lua_pushinteger(L, (lua_Integer)i);
    status = lua_pcall(L, 2, 3, 0);
    if (status == LUA_ERRMEM) {
        lua_settop(L, base);
        lua_gc(L, LUA_GCCOLLECT);
        rs->enomem = 1;
        return OGID_ENOMEM;
    }
    rs->sb.budget_hit = 0;
    if (status != LUA_OK) {
        /* The model itself could not be converted (too deep). */
        rule_error(rs, i, status);
        lua_settop(L, base);
        return 0;
    }

    rs->cur = i;
    rs->cur_findings = 0;
    rs->running = 1;
    rs->sb.tag = rs->rules[i].id;
    ogid_sandbox_limits_on(L, LUA_MASKCOUNT);
    status = lua_pcall(L, 2, 0, 0);
    ogid_sandbox_limits_off(L);
    rs->sb.tag = NULL;
    rs->running = 0;
    /* A budget error caught by a pcall in the rule's last statement
     * can end the check normally: it still failed. */
    if (status != LUA_OK || rs->sb.budget_hit)
        rule_error(rs, i, status);
    lua_settop(L, base);
    if (status == LUA_ERRMEM)
        lua_gc(L, LUA_GCCOLLECT);
    return 0;
}

static int skipped(const struct ogid_rules_opts *opts, const char *id)
{
    size_t k;

    if (!opts || !opts->skip)
        return 0;
    for (k = 0; k < opts->n_skip; k++)
        if (opts->skip[k] && strcmp(opts->skip[k], id) == 0)
            return 1;
    return 0;
}

static void begin_run(struct ogid_rules *rs, json_t *findings, const struct ogid_rules_opts *opts)
{
    rs->findings = findings;
    rs->enomem = 0;
    rs->previous = opts && json_is_object(opts->previous) ? opts->previous : NULL;
    rs->next = opts && json_is_object(opts->next) ? opts->next : NULL;
    rs->counterpart = opts && json_is_object(opts->counterpart) ? opts->counterpart : NULL;
}

static int end_run(struct ogid_rules *rs)
{
    rs->findings = NULL;
    rs->previous = rs->next = rs->counterpart = NULL;
    rs->cur_params = NULL;
    rs->cur_severity = NULL;
    return rs->enomem ? OGID_ENOMEM : 0;
}

int ogid_rules_run_opts(struct ogid_rules *rs, json_t *model, json_t *findings,
                        const struct ogid_rules_opts *opts)
{
    char msg[512];
    size_t i;

    if (!rs || !json_is_object(model) || !json_is_array(findings))
        return OGID_EINVAL;
    /* A rule reads one kind of model: a report rule never sees a request
     * register, nor the other way round. */
    const char *kind = json_string_value(json_object_get(model, "kind"));
    int is_register = kind != NULL && strcmp(kind, "register") == 0;

    begin_run(rs, findings, opts);
    for (i = 0; i < rs->n && !rs->enomem; i++) {
        const struct rule *r = &rs->rules[i];

        if (!r->enabled || r->for_register != is_register)
            continue;
        if (skipped(opts, r->id)) {
            snprintf(msg, sizeof msg, "规则 %s 超过处理时限，已跳过", r->id);
            add_rule_error(rs, i, msg);
            continue;
        }
        if (opts && opts->on_rule)
            opts->on_rule(opts->ud, r->id);
        rs->cur_params = r->params;
        rs->cur_severity = r->severity;
        if (run_rule(rs, i, model) != 0)
            break;
    }
    return end_run(rs);
}

int ogid_rules_run(struct ogid_rules *rs, json_t *model, json_t *findings)
{
    return ogid_rules_run_opts(rs, model, findings, NULL);
}

int ogid_rules_run_one(struct ogid_rules *rs, size_t i, const json_t *params, json_t *model,
                       json_t *findings, const struct ogid_rules_opts *opts)
{
    if (!rs || i >= rs->n || !json_is_object(model) || !json_is_array(findings) ||
        (params && !json_is_object(params)))
        return OGID_EINVAL;
    begin_run(rs, findings, opts);
    rs->cur_params = params ? params : rs->rules[i].params;
    rs->cur_severity = rs->rules[i].declared;
    run_rule(rs, i, model);
    return end_run(rs);
}
