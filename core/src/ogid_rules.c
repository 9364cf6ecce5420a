/* The rule engine: loads the Lua rules and runs them over report models.
 *
 * One Lua 5.4 state per rule set. Each rule file runs in its own sandbox
 * environment (string, table, math, utf8 and the harmless base functions,
 * plus a `require` that only knows the host module "ogid"), and every piece
 * of rule code, at load time and per check, runs under an instruction budget
 * (a count hook that, once exhausted, fires on every instruction so a pcall
 * inside the rule cannot swallow it) and a memory cap (enforced by the
 * state's allocator). A check that fails or runs away becomes one RULE_ERROR
 * finding and the state stays usable.
 *
 * Every Lua API call that may raise runs inside lua_pcall; C heap memory is
 * only allocated where no Lua error can follow before it is owned, so a
 * longjmp never leaks and the default panic handler is never reached. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "ogid/ogid_error.h"
#include "ogid/ogid_log.h"
#include "ogid_lua.h"
#include "ogid_rules.h"

/* Lua VM instructions one check (or one rule file's top level) may run. */
#define OGID_RULE_BUDGET 10000000L
/* The count hook fires every this many instructions. */
#define OGID_RULE_HOOK_STEP 1000
/* Bytes the whole Lua state may hold while rule code runs. */
#define OGID_RULE_MEM_LIMIT ((size_t)64 << 20)
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
    char *severity;
    char *basis; /* NULL when the rule gives none */
    char *file;
    json_t *params; /* always an object */
};

struct ogid_rules {
    lua_State *L;
    struct rule *rules;
    size_t n;

    /* Allocator accounting: bytes held, and whether the cap is enforced. */
    size_t mem_used;
    int mem_capped;

    /* Instruction budget of the rule code running now. */
    long steps_left;
    int budget_hit;
    /* Line of the last `return` of a rule file's main chunk. */
    int ret_line;

    /* The check running now: its rule, a serial number that ctx:finding
     * compares so a ctx kept past its check is refused, where its findings
     * go, and whether building one ran out of memory. */
    int running;
    size_t cur;
    lua_Integer serial;
    size_t cur_findings;
    json_t *findings;
    int enomem;
};

/* Addresses used as registry keys. */
static const char rules_key = 'r';
static const char index_key = 'i';

static const char *const rule_fields[] = {"id",     "title", "severity", "basis",
                                          "params", "check", NULL};
static const char *const finding_fields[] = {"code",   "message",  "where", "expected",
                                             "actual", "severity", NULL};
static const char *const severities[] = {"error", "warning", "info", NULL};
static const char *const safe_globals[] = {
    "assert", "error",    "ipairs",       "next",     "pairs",    "pcall",
    "select", "tonumber", "tostring",     "type",     "rawequal", "rawget",
    "rawlen", "rawset",   "getmetatable", "_VERSION", NULL};
static const char *const safe_libs[] = {"string", "table", "math", "utf8", NULL};

static struct ogid_rules *get_rs(lua_State *L)
{
    return *(struct ogid_rules **)lua_getextraspace(L);
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

/* The state's allocator. Lua requires that shrinking never fails, so only
 * growth is refused, and only while rule code runs; Lua answers a refusal
 * with an emergency collection and, failing that, a memory error. */
static void *l_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    struct ogid_rules *rs = ud;
    void *p;

    if (!ptr)
        osize = 0;
    if (nsize == 0) {
        free(ptr);
        rs->mem_used -= osize;
        return NULL;
    }
    if (rs->mem_capped && nsize > osize &&
        (rs->mem_used > OGID_RULE_MEM_LIMIT ||
         nsize - osize > OGID_RULE_MEM_LIMIT - rs->mem_used))
        return NULL;
    p = realloc(ptr, nsize);
    if (!p)
        return nsize <= osize ? ptr : NULL;
    rs->mem_used = rs->mem_used - osize + nsize;
    return p;
}

/* The count hook charges the budget; once it is spent the hook is re-armed
 * to fire on every instruction, so the error comes back as soon as a pcall
 * in the rule has caught it. During loading it also watches returns, to
 * learn the line of the main chunk's `return` for validation messages. */
static void limit_hook(lua_State *L, lua_Debug *ar)
{
    struct ogid_rules *rs = get_rs(L);

    if (ar->event == LUA_HOOKRET) {
        if (lua_getinfo(L, "Sl", ar) && strcmp(ar->what, "main") == 0 &&
            ar->currentline > 0)
            rs->ret_line = ar->currentline;
        return;
    }
    if (!rs->budget_hit) {
        rs->steps_left -= OGID_RULE_HOOK_STEP;
        if (rs->steps_left > 0)
            return;
        rs->budget_hit = 1;
        lua_sethook(L, limit_hook, LUA_MASKCOUNT, 1);
    }
    luaL_where(L, 0);
    lua_pushfstring(L, "instruction budget of %d exceeded", (int)OGID_RULE_BUDGET);
    lua_concat(L, 2);
    lua_error(L);
}

static void limits_on(struct ogid_rules *rs, int mask)
{
    rs->steps_left = OGID_RULE_BUDGET;
    rs->budget_hit = 0;
    rs->mem_capped = 1;
    lua_sethook(rs->L, limit_hook, mask, OGID_RULE_HOOK_STEP);
}

static void limits_off(struct ogid_rules *rs)
{
    lua_sethook(rs->L, NULL, 0, 0);
    rs->mem_capped = 0;
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

/* Sandbox functions. */

static int l_env_print(lua_State *L)
{
    struct ogid_rules *rs = get_rs(L);
    int i, n = lua_gettop(L);
    char tag[160];
    luaL_Buffer b;

    if (ogid_log_level < OGID_LOG_DEBUG)
        return 0;
    luaL_buffinit(L, &b);
    for (i = 1; i <= n; i++) {
        if (i > 1)
            luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    snprintf(tag, sizeof tag, "rule:%s", rs->running ? rs->rules[rs->cur].id : "load");
    ogid_debug(tag, "%s", lua_tostring(L, -1));
    return 0;
}

/* setmetatable without __gc: finalizers run with hooks disabled, so one
 * could loop forever out of the budget's reach. */
static int l_env_setmetatable(lua_State *L)
{
    int t = lua_type(L, 2);

    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    if (t == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "__gc metamethods are not allowed in rules");
        lua_pop(L, 1);
    }
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

/* The message handler xpcall installs around the rule's own handler. An
 * error raised by the budget hook reaches the handler while Lua still has
 * hooks disabled, so the rule's handler could loop forever unmetered: once
 * the budget is spent the error passes through untouched. */
static int l_xpcall_handler(lua_State *L)
{
    if (get_rs(L)->budget_hit)
        return 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int l_env_xpcall(lua_State *L)
{
    int n = lua_gettop(L);

    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, l_xpcall_handler, 1);
    lua_replace(L, 2);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);
    if (lua_pcall(L, n - 2, LUA_MULTRET, 2) != LUA_OK) {
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - 2;
}

static int l_env_require(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);

    if (strcmp(name, "ogid") != 0)
        return luaL_error(L, "module '%s' is not available to rules", name);
    lua_pushvalue(L, lua_upvalueindex(1));
    return 1;
}

/* Pushes a fresh environment for one rule file. The libraries are copies,
 * so a rule that changes string.format changes only its own. */
static void push_env(lua_State *L)
{
    int env, g, i;

    lua_newtable(L);
    env = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
    g = lua_gettop(L);
    for (i = 0; safe_globals[i]; i++) {
        lua_getfield(L, g, safe_globals[i]);
        lua_setfield(L, env, safe_globals[i]);
    }
    for (i = 0; safe_libs[i]; i++) {
        lua_newtable(L);
        lua_getfield(L, g, safe_libs[i]);
        lua_pushnil(L);
        while (lua_next(L, -2) != 0) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, -5);
        }
        lua_pop(L, 1);
        lua_setfield(L, env, safe_libs[i]);
    }
    /* Bytecode is of no use without load, and is not text. */
    lua_getfield(L, env, "string");
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 1);

    lua_pushcfunction(L, l_env_print);
    lua_setfield(L, env, "print");
    lua_pushcfunction(L, l_env_setmetatable);
    lua_setfield(L, env, "setmetatable");
    lua_pushcfunction(L, l_env_xpcall);
    lua_setfield(L, env, "xpcall");

    /* The host module; later tasks add helpers (calendar, history). */
    lua_createtable(L, 0, 1);
    lua_pushinteger(L, 1);
    lua_setfield(L, -2, "api");
    lua_pushcclosure(L, l_env_require, 1);
    lua_setfield(L, env, "require");
    lua_settop(L, env);
}

static int l_state_setup(lua_State *L)
{
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},       {LUA_STRLIBNAME, luaopen_string},
        {LUA_TABLIBNAME, luaopen_table}, {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8}, {NULL, NULL}};
    const luaL_Reg *lib;

    for (lib = libs; lib->func; lib++) {
        luaL_requiref(L, lib->name, lib->func, 1);
        lua_pop(L, 1);
    }
    /* Strings share one metatable whose __index is the real string
     * library; hide it so no rule can reach or change it. */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);

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
    push_env(L);
    if (!lua_setupvalue(L, 1, 1))
        lua_pop(L, 1);

    rs->ret_line = 0;
    limits_on(rs, LUA_MASKCOUNT | LUA_MASKRET);
    status = lua_pcall(L, 0, 1, 0);
    limits_off(rs);
    line = rs->ret_line > 0 ? rs->ret_line : 1;
    if (status == LUA_ERRMEM) {
        lua_pushfstring(L, "%s:%d: memory cap of %d MiB exceeded", job->file, line,
                        (int)(OGID_RULE_MEM_LIMIT >> 20));
        return lua_error(L);
    }
    if (status != LUA_OK)
        return raise_at(L, job->file, line);
    if (rs->budget_hit)
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
        r->params = lua_type(L, -1) == LUA_TTABLE ? ogid_lua_to_json(L, -1) : json_object();
        if (!r->params)
            goto nomem;
        lua_pop(L, 2);
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
    rs->L = lua_newstate(l_alloc, rs);
    if (!rs->L) {
        seterr(errbuf, errlen, "out of memory");
        rc = OGID_ENOMEM;
        goto fail;
    }
    *(struct ogid_rules **)lua_getextraspace(rs->L) = rs;

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
        free(rs->rules[i].basis);
        free(rs->rules[i].file);
        json_decref(rs->rules[i].params);
    }
    free(rs->rules);
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
        json_string(lua_isnil(L, SEVERITY) ? r->severity : lua_tostring(L, SEVERITY)),
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
    lua_createtable(L, 0, 2);
    ogid_lua_push_json(L, rs->rules[i].params);
    lua_setfield(L, -2, "params");
    lua_pushinteger(L, rs->serial);
    lua_pushcclosure(L, l_ctx_finding, 1);
    lua_setfield(L, -2, "finding");
    return 3;
}

/* Records the RULE_ERROR finding of rule i from the error on top of the
 * stack. Plain C apart from reading a string already on the stack. */
static void rule_error(struct ogid_rules *rs, size_t i, int status)
{
    const struct rule *r = &rs->rules[i];
    char reason[OGID_RULE_MAX_REASON], msg[OGID_RULE_MAX_REASON + 256], located[1024];
    json_t *obj;
    int failed = 0;

    if (rs->budget_hit) {
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

    obj = json_object();
    if (!obj) {
        rs->enomem = 1;
        return;
    }
    put(obj, "rule", json_string(r->id), &failed);
    put(obj, "code", json_string("RULE_ERROR"), &failed);
    put(obj, "severity", json_string("error"), &failed);
    put(obj, "message", json_string(msg), &failed);
    append_finding(rs, obj, failed);
}

int ogid_rules_run(struct ogid_rules *rs, json_t *model, json_t *findings)
{
    lua_State *L;
    size_t i;
    int base, status;

    if (!rs || !json_is_object(model) || !json_is_array(findings))
        return OGID_EINVAL;
    L = rs->L;
    base = lua_gettop(L);
    rs->findings = findings;
    rs->enomem = 0;

    for (i = 0; i < rs->n; i++) {
        rs->serial++;
        lua_pushcfunction(L, l_rule_prepare);
        lua_pushlightuserdata(L, model);
        lua_pushinteger(L, (lua_Integer)i);
        status = lua_pcall(L, 2, 3, 0);
        if (status == LUA_ERRMEM) {
            lua_settop(L, base);
            rs->enomem = 1;
            break;
        }
        rs->budget_hit = 0;
        if (status != LUA_OK) {
            /* The model itself could not be converted (too deep). */
            rule_error(rs, i, status);
            lua_settop(L, base);
            continue;
        }

        rs->cur = i;
        rs->cur_findings = 0;
        rs->running = 1;
        limits_on(rs, LUA_MASKCOUNT);
        status = lua_pcall(L, 2, 0, 0);
        limits_off(rs);
        rs->running = 0;
        /* A budget error caught by a pcall in the rule's last statement
         * can end the check normally: it still failed. */
        if (status != LUA_OK || rs->budget_hit)
            rule_error(rs, i, status);
        lua_settop(L, base);
        if (status == LUA_ERRMEM)
            lua_gc(L, LUA_GCCOLLECT);
    }
    rs->findings = NULL;
    return rs->enomem ? OGID_ENOMEM : 0;
}
