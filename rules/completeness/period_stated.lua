-- The report states its statistics period (本报告所列数据的统计期限自…至…):
-- evaluators check that it does, and period.year that it is the calendar
-- year. The format's preamble (年度报告格式（国办公开办函〔2021〕30号）) asks
-- for it. A report without one gets a warning; a legacy report (2018 and
-- earlier) an info.

local R = require "lib.report"

local function check(report, ctx)
  local meta = type(report.meta) == "table" and report.meta or {}
  if type(meta.period) == "table" then
    return
  end
  ctx:finding{
    code = "PERIOD_MISSING",
    severity = R.is_legacy(report) and "info" or "warning",
    message = "报告未说明统计数据的期限（应为报告年度1月1日至12月31日）",
  }
end

return {
  id = "completeness.period_stated",
  title = "报告说明统计期限",
  severity = "warning",
  basis = "年度报告格式（国办公开办函〔2021〕30号）",
  check = check,
}
