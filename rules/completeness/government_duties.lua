-- A government's own report (not a department's) also covers the results
-- of work assessment, public appraisal and accountability: 条例第五十条第
-- （四）项 "人民政府的政府信息公开工作年度报告还应当包括工作考核、社会评议和
-- 责任追究结果情况". Which agencies are governments is the same question as
-- for the deadline (deadline.publication), with the same params.
--
-- Reports word these three in many ways (绩效考核, 评估, 群众评议, 问责…),
-- so keyword matching is weak evidence: none of the three found is a
-- warning, some of them an info naming the missing ones.

local R = require "lib.report"

local TOPICS = {
  { name = "工作考核", words = { "考核", "考评", "绩效" } },
  { name = "社会评议", words = { "社会评议", "评议", "社会评价", "群众评价", "满意度测评", "第三方评估" } },
  { name = "责任追究", words = { "责任追究", "追究责任", "追责", "问责" } },
}

local function check(report, ctx)
  if R.is_legacy(report) then
    return
  end
  local meta = type(report.meta) == "table" and report.meta or {}
  if R.agency_kind(meta.agency, ctx.params) ~= "government" then
    return
  end
  local all = {}
  if type(report.sections) == "table" then
    for _, s in ipairs(report.sections) do
      if type(s) == "table" and type(s.text) == "string" then
        all[#all + 1] = s.text
      end
    end
  end
  local text = table.concat(all, "\n")
  local missing, found = {}, 0
  for _, t in ipairs(TOPICS) do
    if R.has_any(text, t.words) then
      found = found + 1
    else
      missing[#missing + 1] = t.name
    end
  end
  if #missing == 0 then
    return
  end
  ctx:finding{
    code = "GOVERNMENT_DUTIES",
    severity = found == 0 and "warning" or "info",
    message = string.format("%s是人民政府一级，其年度报告应包括工作考核、社会评议和责任追究结果情况；未见%s",
      meta.agency, table.concat(missing, "、")),
  }
end

return {
  id = "completeness.government_duties",
  title = "政府年度报告包括工作考核、社会评议和责任追究结果",
  severity = "warning",
  basis = "条例第五十条第（四）项",
  params = {
    governments = R.GOVERNMENTS,
    government_patterns = R.GOVERNMENT_PATTERNS,
    township_patterns = R.TOWNSHIP_PATTERNS,
  },
  check = check,
}
