-- Section 五 reports the main problems of the year's work and how they are
-- being improved (条例第五十条第（四）项: 存在的主要问题及改进情况). A section
-- 五 that names no problem (问题, 不足, 短板, 差距…) or no improvement (改进,
-- 下一步, 措施, 整改, 将…) does not do that: a warning. Its absence is
-- completeness.sections' to report.

local R = require "lib.report"

local PROBLEMS = { "问题", "不足", "短板", "差距", "薄弱", "有待", "不够", "欠缺" }
local IMPROVEMENTS = { "改进", "下一步", "措施", "整改", "加强", "提升", "完善", "推进", "将" }

local function check(report, ctx)
  if R.is_legacy(report) then
    return
  end
  local five = R.section(report, 5)
  if not five then
    return
  end
  local text = type(five.text) == "string" and five.text or ""
  local has_p = R.has_any(text, PROBLEMS)
  local has_i = R.has_any(text, IMPROVEMENTS)
  if not has_p or not has_i then
    local what
    if not has_p and not has_i then
      what = "既未说明存在的问题，也未说明改进措施"
    elseif not has_p then
      what = "未说明存在的问题（问题、不足等）"
    else
      what = "未说明改进情况（改进、下一步、措施等）"
    end
    ctx:finding{
      code = "SECTION5_INCOMPLETE",
      message = "第五部分（存在的主要问题及改进情况）" .. what,
      where = { section = 5 },
    }
  end
end

return {
  id = "completeness.problems",
  title = "第五部分说明存在的问题和改进情况",
  severity = "warning",
  basis = "条例第五十条第（四）项",
  check = check,
}
