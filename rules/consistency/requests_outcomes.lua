-- Table 三, per column: （七）总计 = （一）予以公开 + （二）部分公开 + every
-- sub-item of （三）不予公开, （四）无法提供, （五）不予处理 and （六）其他处理
-- (form 2021: its three sub-items; form 2019: the one row （六）其他处理).
-- The rows are the format's own breakdown of the year's outcomes —
-- 年度报告格式（国办公开办函〔2021〕30号）表三, and the same in the 2019
-- format (国办公开办函〔2019〕60号).
--
-- A blank outcome cell counts as 0; a column whose 总计 is blank, or whose
-- outcome cells are all blank, is not checked (a blank is reported once,
-- by consistency.blank_cells). A table that lacks one of the outcome rows
-- is not checked either: the recogniser's ROW_MISSING note says why; nor
-- one with a row whose numbers the recogniser could not place
-- (AMBIGUOUS_NUMBERS: its cells are null without being blank).

local R = require "lib.report"

local function check(report, ctx)
  local rows = R.requests_rows(report)
  if not rows or type(rows.total) ~= "table" then
    return
  end
  local outcomes = R.outcome_rows(report)
  if R.ambiguous(report, "requests", "total") then
    return
  end
  for _, key in ipairs(outcomes) do
    if type(rows[key]) ~= "table" or R.ambiguous(report, "requests", key) then
      return
    end
  end
  for i, column in ipairs(R.COLUMNS) do
    local total = R.num(rows.total[i])
    local sum, filled = 0, 0
    local parts = {}
    for _, key in ipairs(outcomes) do
      local v = R.num(rows[key][i])
      if v then
        sum = sum + v
        filled = filled + 1
        if v ~= 0 then
          parts[#parts + 1] = string.format("%s %s", R.ROW_LABELS[key], R.show(v))
        end
      end
    end
    if total ~= nil and filled > 0 and sum ~= total then
      ctx:finding{
        code = "T3_OUTCOME_SUM",
        message = string.format(
          "表三“%s”列：（七）总计为%s，而各项办理结果之和为%s（%s）",
          R.COLUMN_LABELS[column], R.show(total), R.show(sum),
          #parts > 0 and table.concat(parts, "，") or "均为0"),
        where = { table = "requests", column = column },
        expected = sum,
        actual = total,
      }
    end
  end
end

return {
  id = "consistency.requests.outcomes",
  title = "申请情况表勾稽关系：办理结果各项之和=（七）总计",
  severity = "error",
  basis = "年度报告格式（国办公开办函〔2021〕30号）表三",
  check = check,
}
