-- The six sections of the annual report, in order: 一、总体情况 二、主动公开
-- 政府信息情况 三、收到和处理政府信息公开申请情况 四、政府信息公开行政复议、
-- 行政诉讼情况 五、存在的主要问题及改进情况 六、其他需要报告的事项 — the
-- contents 条例第五十条 requires, laid out by 年度报告格式（国办公开办函
-- 〔2021〕30号）, whose cover text says nothing may be left out.
--
-- A section missing from the model (or noted SECTION_MISSING) is an error;
-- sections out of order a warning. Reports for 2018 and earlier were
-- written to the 2007 regulation (第三十二条, five items) and are not held
-- to this layout.

local R = require "lib.report"

local function check(report, ctx)
  if R.is_legacy(report) then
    return
  end
  local present, order = {}, {}
  if type(report.sections) == "table" then
    for _, s in ipairs(report.sections) do
      if type(s) == "table" and math.type(s.no) == "integer" then
        present[s.no] = true
        order[#order + 1] = s.no
      end
    end
  end
  local noted = {}
  for _, n in ipairs(R.notes(report, "SECTION_MISSING")) do
    local w = type(n.where) == "table" and n.where or {}
    if math.type(w.section) == "integer" then
      noted[w.section] = true
    end
  end
  for no = 1, 6 do
    if not present[no] or noted[no] then
      ctx:finding{
        code = "SECTION_MISSING",
        message = string.format("报告缺少第%s部分“%s”（条例第五十条、年度报告格式要求六个部分）",
          R.CN_NUMERALS[no], R.SECTION_TITLES[no]),
        where = { section = no },
      }
    end
  end
  for i = 2, #order do
    if order[i] <= order[i - 1] then
      local shown = {}
      for _, no in ipairs(order) do
        shown[#shown + 1] = R.CN_NUMERALS[no] or tostring(no)
      end
      ctx:finding{
        code = "SECTION_ORDER",
        severity = "warning",
        message = string.format("报告各部分顺序为%s，不是一至六的顺序", table.concat(shown, "、")),
        where = { section = order[i] },
      }
      break
    end
  end
end

return {
  id = "completeness.sections",
  title = "年度报告六个部分齐全且顺序正确",
  severity = "error",
  basis = "条例第五十条；年度报告格式（国办公开办函〔2021〕30号）",
  check = check,
}
