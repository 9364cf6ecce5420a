-- The correction notice from the request register. 条例第三十条: where a
-- request is unclear, the agency asks for all corrections at once within 7
-- working days of receipt (counted from the next day). A notice sent later
-- is an error naming the working days it took; a day whose year has no
-- holiday notice loaded is never guessed: info "cannot verify".

local G = require "lib.register"
local ogid = require "ogid"

local function check(report, ctx)
  if not G.is_register(report) then
    return -- the engine runs it on registers only; rule tests may not
  end
  local limit = ctx.params.correction_days
  for _, row in ipairs(G.rows(report)) do
    local received, asked = G.date(row, "received"), G.date(row, "correction_requested")
    if received and asked and asked >= received then
      local ok, n = G.try(ogid.calendar.workdays_between, received, asked)
      if not ok then
        ctx:finding{
          code = "REG_CORRECTION_UNVERIFIED",
          severity = "info",
          message = string.format("%s的补正通知期限无法核实：%s", G.label(row), n),
          where = G.where(row, "correction_requested"),
        }
      elseif n > limit then
        ctx:finding{
          code = "REG_CORRECTION_LATE",
          message = string.format(
            "%s%s收到，%s才发出补正通知，为收到后第%d个工作日，超过条例第三十条规定的%d个工作日",
            G.label(row), received, asked, n, limit),
          where = G.where(row, "correction_requested"),
          expected = limit,
          actual = n,
        }
      end
    end
  end
end

return {
  id = "register.correction_deadline",
  title = "补正通知在收到申请之日起7个工作日内发出（登记台账）",
  kind = "register",
  severity = "error",
  basis = "条例第三十条",
  params = {
    correction_days = 7,
  },
  check = check,
}
