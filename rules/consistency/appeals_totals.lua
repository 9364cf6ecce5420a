-- Table 四: in each of 行政复议, 行政诉讼（未经复议直接起诉） and 行政诉讼
-- （复议后起诉）, 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结 —
-- 年度报告格式（国办公开办函〔2021〕30号）表四, and the same in the 2019
-- format.
--
-- A blank result counts as 0; a group whose 总计 is blank, or whose four
-- results are all blank, is not checked; nor is a table whose numbers the
-- recogniser could not place (AMBIGUOUS_NUMBERS).

local R = require "lib.report"

local PARTS = { "upheld", "corrected", "other", "pending" }

local function check(report, ctx)
  local appeals = report.appeals
  if type(appeals) ~= "table" then
    return
  end
  if R.ambiguous(report, "appeals", nil) then
    return
  end
  for _, g in ipairs(R.GROUPS) do
    local grp = appeals[g]
    if type(grp) == "table" then
      local total = R.num(grp.total)
      local sum, filled = 0, 0
      local shown = {}
      for _, k in ipairs(PARTS) do
        local v = R.num(grp[k])
        if v then
          sum = sum + v
          filled = filled + 1
        end
        shown[#shown + 1] = R.RESULT_LABELS[k] .. R.show(grp[k])
      end
      if total ~= nil and filled > 0 and sum ~= total then
        ctx:finding{
          code = "T4_TOTAL",
          message = string.format("表四“%s”：总计为%s，而%s之和为%s",
            R.GROUP_LABELS[g], R.show(total), table.concat(shown, "、"), R.show(sum)),
          where = { table = "appeals", row = g, column = "total" },
          expected = sum,
          actual = total,
        }
      end
    end
  end
end

return {
  id = "consistency.appeals.totals",
  title = "复议诉讼表勾稽关系：总计=维持+纠正+其他+尚未审结",
  severity = "error",
  basis = "年度报告格式（国办公开办函〔2021〕30号）表四",
  check = check,
}
