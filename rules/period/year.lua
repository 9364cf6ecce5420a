-- The report year, three ways: the year in the title, meta.year (the
-- statistics year the recogniser settled on) and the statistics period the
-- report states must agree, and the period is the whole calendar year:
-- 1 January–31 December. 条例第四十九条 asks for the report on the previous
-- year's work; the format (国办公开办函〔2021〕30号) for the statistics of
-- that year. A report that states no period is completeness.period_stated's
-- to report.

local R = require "lib.report"

local function title_year(title)
  if type(title) ~= "string" then
    return nil
  end
  local y = R.normalize(title):match("(%d%d%d%d)%s*年")
  return y and tonumber(y) or nil
end

local function check(report, ctx)
  local meta = type(report.meta) == "table" and report.meta or {}
  local year = meta.year
  if math.type(year) ~= "integer" then
    return
  end
  local ty = title_year(meta.title)
  if ty and ty ~= year then
    ctx:finding{
      code = "TITLE_YEAR_MISMATCH",
      message = string.format("标题中的年份%d与报告统计年度%d不一致（标题：%s）", ty, year, meta.title),
      expected = year,
      actual = ty,
    }
  end
  local period = meta.period
  if type(period) ~= "table" then
    return
  end
  local from, to = R.iso_date(period.from), R.iso_date(period.to)
  if not from or not to then
    return
  end
  local fy, ty2 = tonumber(from:sub(1, 4)), tonumber(to:sub(1, 4))
  if fy ~= year or ty2 ~= year then
    ctx:finding{
      code = "PERIOD_YEAR_MISMATCH",
      message = string.format("报告所述统计期限%s至%s不在报告年度%d年内", from, to, year),
      expected = string.format("%d-01-01/%d-12-31", year, year),
      actual = from .. "/" .. to,
    }
  elseif from ~= string.format("%d-01-01", year) or to ~= string.format("%d-12-31", year) then
    ctx:finding{
      code = "PERIOD_NOT_FULL_YEAR",
      severity = "warning",
      message = string.format("报告所述统计期限%s至%s不是%d年1月1日至12月31日的完整年度", from, to, year),
      expected = string.format("%d-01-01/%d-12-31", year, year),
      actual = from .. "/" .. to,
    }
  end
end

return {
  id = "period.year",
  title = "标题年份、统计年度与统计期限一致，期限为1月1日至12月31日",
  severity = "error",
  basis = "条例第四十九条；年度报告格式（国办公开办函〔2021〕30号）",
  check = check,
}
