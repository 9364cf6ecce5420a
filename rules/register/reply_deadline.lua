-- Reply deadlines from the request register, on the real working-day
-- calendar. 条例第三十三条: a reply within 20 working days of receipt,
-- counted from the next day; an extension adds at most 20 more. 第三十条:
-- after a correction the period runs from the receipt of the corrected
-- request. 第三十二条: time spent consulting a third party does not count.
-- 国办函〔2020〕109号 and the implementing rules: the time from the fee notice
-- to the payment does not count either (a param, on by default).
--
-- A reply after the due day is an error naming the dates; a request with no
-- reply (and no outcome) whose due day passed before the register's year
-- ended is a warning. A day whose year has no holiday notice loaded is never
-- guessed: the request gets an info finding saying it cannot be verified.

local G = require "lib.register"
local ogid = require "ogid"

local function check(report, ctx)
  if not G.is_register(report) then
    return -- the engine runs it on registers only; rule tests may not
  end
  local p = ctx.params
  local year = G.year(report)
  local year_end = year and string.format("%04d-12-31", year) or nil

  for _, row in ipairs(G.rows(report)) do
    local received, replied = G.date(row, "received"), G.date(row, "replied")
    local pending = replied == nil and row.outcome == nil
    if received and replied and replied < received then
      ctx:finding{
        code = "REG_DATE_ORDER",
        severity = "warning",
        message = string.format("%s的答复日期%s早于收到日期%s，登记可能有误",
          G.label(row), replied, received),
        where = G.where(row, "replied"),
      }
    elseif received and (replied or pending) then
      local ok, d, why, detail = G.try(G.deadline, row, p)
      local late_by
      if ok and d and replied and replied > d.due then
        ok, late_by = G.try(ogid.calendar.workdays_between, d.due, replied)
        if not ok then
          d = late_by -- the message of the failed call
        end
      end
      if not ok then
        ctx:finding{
          code = "REG_DEADLINE_UNVERIFIED",
          severity = "info",
          message = string.format("%s（%s收到）的答复期限无法核实：%s", G.label(row), received, d),
          where = G.where(row, "received"),
        }
      elseif d == nil then
        if why == "incomplete" then
          ctx:finding{
            code = "REG_DEADLINE_UNVERIFIED",
            severity = "info",
            message = string.format("%s的答复期限无法核实：%s", G.label(row), detail),
            where = G.where(row, "received"),
          }
        end
      elseif replied and replied > d.due then
        ctx:finding{
          code = "REG_REPLY_LATE",
          message = string.format(
            "%s%s收到，答复期限为%s（%s），%s才答复，逾期%d个工作日",
            G.label(row), received, d.due, G.explain(d, row, p), replied, late_by),
          where = G.where(row, "replied"),
          expected = d.due,
          actual = replied,
        }
      elseif pending and year_end and d.due < year_end then
        ctx:finding{
          code = "REG_REPLY_OVERDUE",
          severity = "warning",
          message = string.format(
            "%s%s收到，答复期限为%s（%s），至%d年底台账仍未登记答复日期或办理结果",
            G.label(row), received, d.due, G.explain(d, row, p), year),
          where = G.where(row, "replied"),
          expected = d.due,
        }
      end
    end
  end
end

return {
  id = "register.reply_deadline",
  title = "依申请公开按期答复（登记台账，按法定工作日计算）",
  kind = "register",
  severity = "error",
  basis = "条例第三十条、第三十二条、第三十三条",
  params = {
    reply_days = 20,
    extension_days = 20,
    exclude_fee_period = true,
  },
  check = check,
}
