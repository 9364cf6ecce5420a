/* The Lua host of the rule engine: conversions between jansson values and
 * Lua values, and the sandbox every piece of rule code runs in (its
 * environments, instruction budget and memory cap).
 *
 * JSON to Lua runs inside a protected call and may raise. Lua to JSON is
 * split in two: a checking pass that may raise (it runs while nothing is
 * allocated on the C heap yet) and a building pass that uses only Lua API
 * calls that cannot raise (lua_next, lua_rawgeti, lua_tolstring on values
 * that already are strings), so a jansson value under construction is never
 * leaked by a longjmp. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>
#include <lualib.h>

#include "ogid/ogid_log.h"
#include "ogid_lua.h"

size_t ogid_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c;

    if (n == 0)
        return 0;
    c = s[0];
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return 0;
    if (c < 0xE0) {
        if (n < 2 || (s[1] & 0xC0) != 0x80)
            return 0;
        return 2;
    }
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        /* Overlong encodings below U+0800 and the UTF-16 surrogates. */
        if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))
            return 0;
        return 3;
    }
    if (c < 0xF5) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
            (s[3] & 0xC0) != 0x80)
            return 0;
        /* Overlong encodings below U+10000 and anything above U+10FFFF. */
        if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

static void push_json(lua_State *L, const json_t *j, int depth)
{
    const char *key;
    json_t *v;
    size_t i;

    if (depth > OGID_LUA_MAX_DEPTH)
        luaL_error(L, "value nested more than %d deep", OGID_LUA_MAX_DEPTH);
    luaL_checkstack(L, 3, "value nested too deeply");
    switch (j ? json_typeof(j) : JSON_NULL) {
    case JSON_OBJECT:
        lua_createtable(L, 0, (int)json_object_size(j));
        json_object_foreach((json_t *)j, key, v) {
            /* A null member is simply absent, as nil is in Lua. */
            if (json_is_null(v))
                continue;
            lua_pushstring(L, key);
            push_json(L, v, depth + 1);
            lua_rawset(L, -3);
        }
        break;
    case JSON_ARRAY:
        /* Nulls leave holes: rules index fixed positions, never use #. */
        lua_createtable(L, (int)json_array_size(j), 0);
        json_array_foreach(j, i, v) {
            if (json_is_null(v))
                continue;
            push_json(L, v, depth + 1);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        break;
    case JSON_STRING:
        lua_pushlstring(L, json_string_value(j), json_string_length(j));
        break;
    case JSON_INTEGER:
        lua_pushinteger(L, (lua_Integer)json_integer_value(j));
        break;
    case JSON_REAL:
        lua_pushnumber(L, (lua_Number)json_real_value(j));
        break;
    case JSON_TRUE:
        lua_pushboolean(L, 1);
        break;
    case JSON_FALSE:
        lua_pushboolean(L, 0);
        break;
    case JSON_NULL:
    default:
        lua_pushnil(L);
        break;
    }
}

void ogid_lua_push_json(lua_State *L, const json_t *j)
{
    push_json(L, j, 0);
}

static void check_value(lua_State *L, int idx, const char *what, int depth)
{
    size_t len, n, ints = 0, strs = 0;
    const char *s;

    switch (lua_type(L, idx)) {
    case LUA_TBOOLEAN:
        return;
    case LUA_TNUMBER:
        if (!lua_isinteger(L, idx) && !isfinite((double)lua_tonumber(L, idx)))
            luaL_error(L, "%s: numbers must be finite", what);
        return;
    case LUA_TSTRING:
        s = lua_tolstring(L, idx, &len);
        if (!ogid_utf8_valid(s, len))
            luaL_error(L, "%s: strings must be valid UTF-8", what);
        return;
    case LUA_TTABLE:
        break;
    default:
        luaL_error(L, "%s: a %s value cannot be converted to JSON", what,
                   luaL_typename(L, idx));
        return;
    }

    if (depth >= OGID_LUA_MAX_DEPTH)
        luaL_error(L, "%s: nested more than %d deep", what, OGID_LUA_MAX_DEPTH);
    /* Room for this level's walk now, and for the building pass later,
     * which descends the same way without being allowed to raise. */
    luaL_checkstack(L, 4, "value nested too deeply");
    n = (size_t)lua_rawlen(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        if (lua_type(L, -2) == LUA_TNUMBER && lua_isinteger(L, -2)) {
            lua_Integer k = lua_tointeger(L, -2);
            if (k < 1 || (size_t)k > n)
                luaL_error(L, "%s: a list must have the keys 1..n only", what);
            ints++;
        } else if (lua_type(L, -2) == LUA_TSTRING) {
            s = lua_tolstring(L, -2, &len);
            if (!ogid_utf8_valid(s, len) || strlen(s) != len)
                luaL_error(L, "%s: keys must be valid UTF-8 without NUL", what);
            strs++;
        } else {
            luaL_error(L, "%s: keys must be strings (or 1..n for a list)", what);
        }
        check_value(L, lua_gettop(L), what, depth + 1);
        lua_pop(L, 1);
    }
    if (ints > 0 && strs > 0)
        luaL_error(L, "%s: a table mixes list items and named fields", what);
    if (ints > 0 && ints != n)
        luaL_error(L, "%s: a list has holes", what);
}

void ogid_lua_check(lua_State *L, int idx, const char *what)
{
    check_value(L, lua_absindex(L, idx), what, 0);
}

static json_t *to_json(lua_State *L, int idx)
{
    json_t *out, *child;
    size_t len, n, i;
    const char *s;

    switch (lua_type(L, idx)) {
    case LUA_TBOOLEAN:
        return json_boolean(lua_toboolean(L, idx));
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx))
            return json_integer((json_int_t)lua_tointeger(L, idx));
        return json_real((double)lua_tonumber(L, idx));
    case LUA_TSTRING:
        s = lua_tolstring(L, idx, &len);
        return json_stringn(s, len);
    case LUA_TTABLE:
        break;
    default:
        return NULL;
    }

    n = (size_t)lua_rawlen(L, idx);
    if (n > 0) {
        out = json_array();
        if (!out)
            return NULL;
        for (i = 1; i <= n; i++) {
            lua_rawgeti(L, idx, (lua_Integer)i);
            child = to_json(L, lua_gettop(L));
            lua_pop(L, 1);
            if (json_array_append_new(out, child) != 0)
                goto fail;
        }
        return out;
    }

    out = json_object();
    if (!out)
        return NULL;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        /* The checking pass made sure every key here is a string, so
         * lua_tolstring does not convert (and so cannot allocate). */
        s = lua_tolstring(L, -2, NULL);
        child = to_json(L, lua_gettop(L));
        lua_pop(L, 1);
        if (json_object_set_new(out, s, child) != 0) {
            lua_pop(L, 1);
            goto fail;
        }
    }
    return out;

fail:
    json_decref(out);
    return NULL;
}

json_t *ogid_lua_to_json(lua_State *L, int idx)
{
    return to_json(L, lua_absindex(L, idx));
}

/* ---- The sandbox: limits and environments ----------------------------- */

static const char *const safe_globals[] = {
    "assert", "error",    "ipairs",       "next",     "pairs",    "pcall",
    "select", "tonumber", "tostring",     "type",     "rawequal", "rawget",
    "rawlen", "rawset",   "getmetatable", "_VERSION", NULL};
static const char *const safe_libs[] = {"string", "table", "math", "utf8", NULL};


struct ogid_sandbox *ogid_sandbox_of(lua_State *L)
{
    return *(struct ogid_sandbox **)lua_getextraspace(L);
}

/* The state's allocator. Lua requires that shrinking never fails, so only
 * growth is refused, and only while rule code runs; Lua answers a refusal
 * with an emergency collection and, failing that, a memory error. */
static void *l_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    struct ogid_sandbox *rs = ud;
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
    struct ogid_sandbox *rs = ogid_sandbox_of(L);

    if (ar->event == LUA_HOOKRET) {
        /* Only the rule file's own main chunk: a module it requires has
         * one too. */
        if (lua_getinfo(L, "Sl", ar) && strcmp(ar->what, "main") == 0 &&
            ar->currentline > 0 && rs->load_source != NULL && ar->source[0] == '@' &&
            strcmp(ar->source + 1, rs->load_source) == 0)
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

void ogid_sandbox_limits_on(lua_State *L, int mask)
{
    struct ogid_sandbox *rs = ogid_sandbox_of(L);

    rs->steps_left = OGID_RULE_BUDGET;
    rs->budget_hit = 0;
    rs->mem_capped = 1;
    lua_sethook(L, limit_hook, mask, OGID_RULE_HOOK_STEP);
}

void ogid_sandbox_limits_off(lua_State *L)
{
    lua_sethook(L, NULL, 0, 0);
    ogid_sandbox_of(L)->mem_capped = 0;
}

lua_State *ogid_sandbox_new_state(struct ogid_sandbox *sb)
{
    lua_State *L = lua_newstate(l_alloc, sb);

    if (L != NULL)
        *(struct ogid_sandbox **)lua_getextraspace(L) = sb;
    return L;
}

/* The sandbox's own functions. */

static int l_env_print(lua_State *L)
{
    struct ogid_sandbox *sb = ogid_sandbox_of(L);
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
    snprintf(tag, sizeof tag, "rule:%s", sb->tag ? sb->tag : "load");
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
    if (ogid_sandbox_of(L)->budget_hit)
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

/* load(chunk [, chunkname [, mode [, env]]]) for text only: the chunk
 * runs in the caller's environment unless env is given, and a binary chunk
 * is an error, not a nil return, so `load(bytes)()` cannot slip past a rule
 * that forgets to check. A syntax error returns nil and the message, as
 * Lua's own load does. */
static int l_env_load(lua_State *L)
{
    const char *s, *mode, *name;
    size_t len;
    int status, have_env = lua_gettop(L) >= 4;

    mode = luaL_optstring(L, 3, "t");
    if (strchr(mode, 't') == NULL)
        return luaL_error(L, "load: only text chunks can be loaded in rules (mode \"t\")");
    if (lua_type(L, 1) == LUA_TFUNCTION) {
        /* A reader function: its pieces joined, under the budget. */
        lua_pushliteral(L, "");
        for (;;) {
            lua_pushvalue(L, 1);
            lua_call(L, 0, 1);
            if (lua_isnil(L, -1) || (lua_type(L, -1) == LUA_TSTRING && lua_rawlen(L, -1) == 0)) {
                lua_pop(L, 1);
                break;
            }
            if (lua_type(L, -1) != LUA_TSTRING)
                return luaL_error(L, "load: the reader function must return strings");
            lua_concat(L, 2);
        }
        lua_replace(L, 1);
    } else if (lua_type(L, 1) != LUA_TSTRING) {
        return luaL_error(L, "load: expects a string (or a reader function), not %s",
                          luaL_typename(L, 1));
    }
    s = lua_tolstring(L, 1, &len);
    if (len > 0 && s[0] == LUA_SIGNATURE[0])
        return luaL_error(L, "load: binary chunks are not allowed in rules");
    name = luaL_optstring(L, 2, "=(load)");
    status = luaL_loadbufferx(L, s, len, name, "t");
    if (status != LUA_OK) {
        if (status == LUA_ERRMEM)
            return lua_error(L);
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    if (have_env)
        lua_pushvalue(L, 4);
    else
        lua_pushvalue(L, lua_upvalueindex(1));
    if (!lua_setupvalue(L, -2, 1))
        lua_pop(L, 1);
    return 1;
}

/* "lib.NAME" or "lib.DIR.NAME": names of letters, digits and _ only, so a
 * module name never leaves the lib folder. */
static int valid_lib_name(const char *name)
{
    size_t seg = 0, n = strlen(name);

    if (strncmp(name, "lib.", 4) != 0 || n > 128)
        return 0;
    for (name += 4; *name; name++) {
        if (*name == '.') {
            if (seg == 0)
                return 0;
            seg = 0;
        } else if ((*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') ||
                   (*name >= '0' && *name <= '9') || *name == '_') {
            seg++;
        } else {
            return 0;
        }
    }
    return seg > 0;
}

static void push_env(lua_State *L, int loaded);

/* require "ogid" gives the host module; require "lib.x" runs x.lua from a
 * rule library folder in a sandbox of its own, once per rule file (so a
 * rule that changes a module's table changes only its own copy). Upvalues:
 * the ogid module, and the file's table of modules already loaded. */
static int l_env_require(lua_State *L)
{
    struct ogid_sandbox *rs = ogid_sandbox_of(L);
    const char *name = luaL_checkstring(L, 1);
    struct stat st;
    const char *path = NULL;
    size_t i;
    int loaded = lua_upvalueindex(2), t;

    if (strcmp(name, "ogid") == 0) {
        lua_pushvalue(L, lua_upvalueindex(1));
        return 1;
    }
    if (!valid_lib_name(name))
        return luaL_error(L,
                          "module '%s' is not available to rules (they may require "
                          "\"ogid\" and \"lib.NAME\" from a rule library)",
                          name);
    lua_settop(L, 1);
    lua_pushvalue(L, 1);
    t = lua_rawget(L, loaded);
    if (t == LUA_TBOOLEAN && !lua_toboolean(L, -1))
        return luaL_error(L, "module '%s' requires itself (a loop of requires)", name);
    if (t != LUA_TNIL)
        return 1;
    lua_pop(L, 1);

    /* lib.a.b is a/b.lua in a lib folder. */
    luaL_gsub(L, name + 4, ".", "/");
    for (i = 0; i < rs->n_lib_dirs; i++) {
        lua_pushfstring(L, "%s/%s.lua", rs->lib_dirs[i], lua_tostring(L, 2));
        if (stat(lua_tostring(L, -1), &st) == 0 && S_ISREG(st.st_mode)) {
            path = lua_tostring(L, -1);
            break;
        }
        lua_pop(L, 1);
    }
    if (path == NULL) {
        luaL_Buffer b;

        luaL_buffinit(L, &b);
        for (i = 0; i < rs->n_lib_dirs; i++) {
            luaL_addstring(&b, "\n\tno file ");
            luaL_addstring(&b, rs->lib_dirs[i]);
            luaL_addchar(&b, '/');
            luaL_addstring(&b, lua_tostring(L, 2));
            luaL_addstring(&b, ".lua");
        }
        luaL_pushresult(&b);
        return luaL_error(L, "module '%s' not found:%s", name, lua_tostring(L, -1));
    }
    /* 3: the path. Mark the module as loading, to catch loops. */
    lua_pushvalue(L, 1);
    lua_pushboolean(L, 0);
    lua_rawset(L, loaded);
    if (luaL_loadfilex(L, path, "t") != LUA_OK)
        goto fail;
    push_env(L, loaded);
    if (!lua_setupvalue(L, -2, 1))
        lua_pop(L, 1);
    lua_pushvalue(L, 1);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK)
        goto fail;
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, 1);
    lua_pushvalue(L, -2);
    lua_rawset(L, loaded);
    return 1;

fail:
    /* Forget the half-loaded module, so the next require says why again
     * rather than calling it a loop. */
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    lua_rawset(L, loaded);
    return lua_error(L);
}

/* Pushes a fresh environment for one rule file (loaded = 0) or for a
 * module it requires (loaded = the file's table of modules). The libraries
 * and the ogid module are copies, so a rule that changes string.format
 * changes only its own. */
static void push_env(lua_State *L, int loaded)
{
    int env, g, i;

    if (loaded != 0)
        loaded = lua_absindex(L, loaded);
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
    /* Bytecode is of no use without a binary load, and is not text. */
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
    lua_pushvalue(L, env);
    lua_pushcclosure(L, l_env_load, 1);
    lua_setfield(L, env, "load");

    ogid_rules_api_push(L, &ogid_sandbox_of(L)->host);
    if (loaded != 0)
        lua_pushvalue(L, loaded);
    else
        lua_newtable(L);
    lua_pushcclosure(L, l_env_require, 2);
    lua_setfield(L, env, "require");
    lua_settop(L, env);
}

void ogid_sandbox_push_env(lua_State *L)
{
    push_env(L, 0);
}

int ogid_sandbox_setup(lua_State *L)
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
    return 0;
}
