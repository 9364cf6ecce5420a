-- luacheck settings for the rule files: plain Lua 5.4, no globals of
-- their own (each file runs in its own sandbox environment and must
-- return its rule table).
--
--   luacheck --std lua54 --config rules/.luacheckrc rules/
--
-- The sandbox (rules/README.md, "沙箱与限制") has no io, os, debug, package,
-- dofile, loadfile, collectgarbage or coroutine: using them is a mistake
-- luacheck can catch before the rule fails at run time. (string.dump is
-- gone too, which luacheck cannot be told.)
std = "lua54"
max_line_length = 120
not_globals = {
  "io", "os", "debug", "package", "dofile", "loadfile", "collectgarbage",
  "coroutine", "module", "loadstring", "unpack", "setfenv", "getfenv",
}
