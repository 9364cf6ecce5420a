-- Publication deadline of the annual report, 《政府信息公开条例》第四十九条
-- (2019): a department of a government at county level or above publishes
-- its report for the previous year by 31 January; a county-or-higher local
-- government publishes its own report by 31 March. Before the 2019 revision
-- (2007 条例第三十一条) every report was due by 31 March, so reports for 2018
-- and earlier are held to that. Township and street reports follow local
-- rules; by default they are held only to 31 March.
--
-- A report counts as on time when it is online by the end of the deadline
-- day; whether a weekend moves the deadline is not settled, so the day
-- itself is the deadline (a param). The date checked is meta.published,
-- the publication date printed on the page — never a 成文日期. Without one
-- the rule says it cannot verify, as info.

local R = require "lib.report"

local KIND_NAMES = {
  government = "本级人民政府的年度报告",
  department = "政府部门的年度报告",
  township = "乡镇、街道的年度报告（期限以地方规定为准）",
}

local function check(report, ctx)
  local p = ctx.params
  local meta = type(report.meta) == "table" and report.meta or {}
  local year = meta.year
  if math.type(year) ~= "integer" then
    return
  end
  local published = R.iso_date(meta.published)
  if not published then
    ctx:finding{
      code = "DEADLINE_UNVERIFIED",
      severity = "info",
      message = string.format("未找到发布日期，无法核对%d年度报告是否在条例第四十九条规定的期限内公布", year),
    }
    return
  end

  local kind = R.agency_kind(meta.agency, p) or "department"
  local md, why
  if year <= p.legacy_until_year then
    md = p.legacy_deadline
    why = string.format("%d年度及以前的报告（原条例第三十一条）", p.legacy_until_year)
  elseif kind == "government" then
    md = p.government_deadline
    why = KIND_NAMES.government
  elseif kind == "township" then
    md = p.township_deadline
    why = KIND_NAMES.township
  else
    md = p.department_deadline
    why = KIND_NAMES.department
  end
  local mm, dd = tostring(md):match("^(%d%d)-(%d%d)$")
  if not mm then
    error("params: deadline '" .. tostring(md) .. "' is not MM-DD")
  end
  local deadline = string.format("%04d-%s-%s", year + 1, mm, dd)

  if published > deadline then
    ctx:finding{
      code = "PUBLISHED_LATE",
      message = string.format(
        "%s于%s发布%d年度报告，晚于期限%s：%s应于%d年%d月%d日前公布（条例第四十九条）",
        meta.agency or "本机关", published, year, deadline, why, year + 1,
        tonumber(mm), tonumber(dd)),
      expected = deadline,
      actual = published,
    }
  elseif published < string.format("%04d-01-01", year + 1) then
    ctx:finding{
      code = "PUBLISHED_BEFORE_YEAR_END",
      severity = "info",
      message = string.format("发布日期%s早于%d年度结束，日期或报告年度可能有误", published, year),
      actual = published,
    }
  end
end

return {
  id = "deadline.publication",
  title = "年度报告按时公布（部门1月31日前，本级政府3月31日前）",
  severity = "error",
  basis = "条例第四十九条",
  params = {
    department_deadline = "01-31",
    government_deadline = "03-31",
    township_deadline = "03-31",
    legacy_deadline = "03-31",
    legacy_until_year = 2018,
    governments = R.GOVERNMENTS,
    government_patterns = R.GOVERNMENT_PATTERNS,
    township_patterns = R.TOWNSHIP_PATTERNS,
  },
  check = check,
}
