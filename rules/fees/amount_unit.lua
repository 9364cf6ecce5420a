-- Table 二's 本年收费金额 (行政事业性收费, 第二十条第（八）项) is in 万元 —
-- 年度报告格式（国办公开办函〔2021〕30号）表二 — so 3.2 means 32 000 yuan.
-- A cell written in 元 (the recogniser notes a unit on the cell), or a value
-- too large to be 万元 for one agency (over `max_wan`, by default 100 000
-- 万元, i.e. one billion yuan), was probably entered in yuan.

local R = require "lib.report"

local function check(report, ctx)
  local active = report.active
  if type(active) ~= "table" or type(active.fees) ~= "table" then
    return
  end
  local v = R.num(active.fees.amount_wan)
  for _, n in ipairs(type(report.notes) == "table" and report.notes or {}) do
    local w = type(n) == "table" and type(n.where) == "table" and n.where or {}
    if w.table == "active" and w.row == "fees" and type(n.code) == "string"
        and n.code:find("UNIT", 1, true) then
      ctx:finding{
        code = "FEE_UNIT",
        message = string.format("表二“行政事业性收费”本年收费金额以“元”填写（%s），格式要求单位为万元",
          R.show(v)),
        where = { table = "active", row = "fees", column = "amount_wan" },
        actual = v,
      }
      return
    end
  end
  if v and v > ctx.params.max_wan then
    ctx:finding{
      code = "FEE_UNIT",
      message = string.format(
        "表二“行政事业性收费”本年收费金额为%s万元（即%s亿元），不像以万元为单位，可能误填为元",
        R.show(v), string.format("%.2f", v / 10000)),
      where = { table = "active", row = "fees", column = "amount_wan" },
      expected = ctx.params.max_wan,
      actual = v,
    }
  end
end

return {
  id = "fees.amount_unit",
  title = "表二收费金额以万元为单位",
  severity = "warning",
  basis = "年度报告格式（国办公开办函〔2021〕30号）表二",
  params = { max_wan = 100000 },
  check = check,
}
