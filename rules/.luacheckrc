-- luacheck settings for the rule files: plain Lua 5.4, no globals of
-- their own (each file runs in its own sandbox environment and must
-- return its rule table).
std = "lua54"
max_line_length = 120
