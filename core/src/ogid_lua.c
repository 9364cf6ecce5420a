/* Conversions between jansson values and Lua values for the rule engine.
 *
 * JSON to Lua runs inside a protected call and may raise. Lua to JSON is
 * split in two: a checking pass that may raise (it runs while nothing is
 * allocated on the C heap yet) and a building pass that uses only Lua API
 * calls that cannot raise (lua_next, lua_rawgeti, lua_tolstring on values
 * that already are strings), so a jansson value under construction is never
 * leaked by a longjmp. */
#include <math.h>
#include <string.h>

#include <lauxlib.h>

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
