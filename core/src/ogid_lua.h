/* Conversions between jansson values and Lua values, for the rule engine.
 *
 * The report model and a rule's params travel from C to Lua as plain tables
 * (objects become tables with string keys, arrays 1-based sequences, null
 * becomes nil). What a rule hands back (a finding's `where`, `expected`,
 * `actual`, a rule's default params) travels the other way in two phases:
 * ogid_lua_check() validates and may raise a Lua error, then
 * ogid_lua_to_json() builds the jansson value and never raises, so no C
 * allocation is ever lost to a longjmp. Internal to the core. */
#ifndef OGID_LUA_H
#define OGID_LUA_H

#include <stddef.h>

#include <jansson.h>
#include <lua.h>

/* How deeply nested a value may be in either direction. */
#define OGID_LUA_MAX_DEPTH 32

/* Pushes `j` as a Lua value (nil for NULL or JSON null). Raises a Lua error
 * on a memory error or a value nested deeper than OGID_LUA_MAX_DEPTH, so call
 * it only inside a protected call. */
void ogid_lua_push_json(lua_State *L, const json_t *j);

/* Raises a Lua error, prefixed with `what`, unless the value at `idx` can be
 * converted to JSON: a boolean, a finite number, a UTF-8 string, or a table
 * that is either a sequence 1..n or has only string keys, holding such
 * values, at most OGID_LUA_MAX_DEPTH deep. Also makes sure the stack has room
 * for ogid_lua_to_json() on the same value. */
void ogid_lua_check(lua_State *L, int idx, const char *what);

/* Builds the JSON value of the Lua value at `idx`, which ogid_lua_check()
 * has accepted. An empty table becomes an empty object. Never raises a Lua
 * error; returns a new reference, or NULL when out of memory. */
json_t *ogid_lua_to_json(lua_State *L, int idx);

/* Length of the valid UTF-8 sequence at the start of s[0..n), or 0 when the
 * bytes there are not one (overlong forms and surrogates are refused). */
size_t ogid_utf8_seq(const unsigned char *s, size_t n);

/* ogid_utf8_valid(): see ogid_input.h. */
#include "ogid_input.h"

#endif
