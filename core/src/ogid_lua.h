/* The Lua host of the rule engine: conversions between jansson values and
 * Lua values, and the sandbox rule code runs in.
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

/* The sandbox. Every rule file, and every module it requires, runs in an
 * environment of its own: string, table, math and utf8 (copies, without
 * string.dump), the harmless base functions, a print that goes to the debug
 * log, setmetatable without __gc, an xpcall whose handler cannot outlive the
 * budget, load for text chunks only, and a require that knows "ogid" (the
 * host module, ogid_rules_api.c) and "lib.NAME" (lib/NAME.lua in one of
 * lib_dirs). Rule code runs between ogid_sandbox_limits_on and _off, under
 * an instruction budget (a count hook that, once the budget is spent, fires
 * on every instruction, so a pcall in the rule cannot swallow the error) and
 * a memory cap (enforced by the state's allocator). One state, one thread. */
#include "ogid_rules_api.h"

/* Lua VM instructions one check (or one rule file's top level) may run. */
#define OGID_RULE_BUDGET 10000000L
/* The count hook fires every this many instructions. */
#define OGID_RULE_HOOK_STEP 1000
/* Bytes the whole Lua state may hold while rule code runs. */
#define OGID_RULE_MEM_LIMIT ((size_t)64 << 20)

struct ogid_sandbox {
    /* Allocator accounting: bytes held, and whether the cap is enforced. */
    size_t mem_used;
    int mem_capped;
    /* Instruction budget of the rule code running now; budget_hit is set
     * once it is spent. */
    long steps_left;
    int budget_hit;
    /* While a rule file loads (with LUA_MASKRET): its file name, and the
     * line of its main chunk's last `return`, for messages. */
    const char *load_source;
    int ret_line;
    /* The log tag's rule id for print; NULL while loading. */
    const char *tag;
    /* Where require "lib.x" looks, first to last (owned by the caller). */
    char **lib_dirs;
    size_t n_lib_dirs;
    /* What the ogid module needs. */
    struct ogid_rules_host host;
};

/* A new Lua state whose allocator and hooks account to sb (which must
 * outlive it, zeroed before), or NULL when out of memory. */
lua_State *ogid_sandbox_new_state(struct ogid_sandbox *sb);

/* The sandbox of a state made by ogid_sandbox_new_state. */
struct ogid_sandbox *ogid_sandbox_of(lua_State *L);

/* A lua_CFunction: opens the safe libraries and hides the strings'
 * metatable. Call once, protected, on a new state. */
int ogid_sandbox_setup(lua_State *L);

/* Pushes a fresh environment for one rule file. May raise (memory). */
void ogid_sandbox_push_env(lua_State *L);

/* Arms the budget and the memory cap (mask: LUA_MASKCOUNT, plus
 * LUA_MASKRET while loading a file), and disarms them. */
void ogid_sandbox_limits_on(lua_State *L, int mask);
void ogid_sandbox_limits_off(lua_State *L);

#endif
