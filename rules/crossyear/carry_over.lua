-- Requests carried over: this year's 二、上年结转政府信息公开申请数量 is last
-- year's 四、结转下年度继续办理, column by column — the same requests, counted
-- once as unfinished at the end of one year and once as inherited at the
-- start of the next (年度报告格式（国办公开办函〔2021〕30号）表三; DOMAIN §4).
--
-- The earlier report comes from the history store (ctx.previous), or the
-- later one when last year's report is checked after this year's
-- (ctx.next). A column blank in either report, or a row the recogniser
-- could not place, is not compared.

local R = require "lib.report"

local function check(report, ctx)
  for _, pair in ipairs(R.year_pairs(report, ctx)) do
    local before, after = R.requests_rows(pair.earlier), R.requests_rows(pair.later)
    if before and after and type(before.carried_forward) == "table"
        and type(after.carried_over) == "table"
        and not R.ambiguous(pair.earlier, "requests", "carried_forward")
        and not R.ambiguous(pair.later, "requests", "carried_over") then
      for i, column in ipairs(R.COLUMNS) do
        local f, o = R.num(before.carried_forward[i]), R.num(after.carried_over[i])
        if f ~= nil and o ~= nil and f ~= o then
          local row = pair.this == "later" and "carried_over" or "carried_forward"
          ctx:finding{
            code = "CARRY_OVER_MISMATCH",
            message = string.format(
              "表三“%s”列：%s的“上年结转”为%s件，而%s的“结转下年度继续办理”为%s件，两者应相等",
              R.COLUMN_LABELS[column], R.report_name(pair.later), R.show(o),
              R.report_name(pair.earlier), R.show(f)),
            where = { table = "requests", row = row, column = column },
            expected = pair.this == "later" and f or o,
            actual = pair.this == "later" and o or f,
          }
        end
      end
    end
  end
end

return {
  id = "crossyear.carry_over",
  title = "上年结转数等于上一年度报告的结转下年度数",
  severity = "error",
  basis = "年度报告格式（国办公开办函〔2021〕30号）表三",
  check = check,
}
