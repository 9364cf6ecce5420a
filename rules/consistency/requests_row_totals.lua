-- Table 三, per row: the 总计 column = 自然人 + the five columns under 法人或
-- 其他组织 (商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他); the
-- format has no subtotal column — 年度报告格式（国办公开办函〔2021〕30号）
-- 表三, and the same in the 2019 format.
--
-- A blank applicant cell counts as 0; a row whose 总计 is blank, or whose
-- six applicant cells are all blank, is not checked; nor is a row whose
-- numbers the recogniser could not place (AMBIGUOUS_NUMBERS).

local R = require "lib.report"

local function check(report, ctx)
  local rows = R.requests_rows(report)
  if not rows then
    return
  end
  local order = R.form_of_requests(report) == "2019" and R.ROWS_2019 or R.ROWS_2021
  for _, key in ipairs(order) do
    local row = rows[key]
    if type(row) == "table" and not R.ambiguous(report, "requests", key) then
      local total = R.num(row[7])
      local sum, filled = R.sum(row, 6)
      if total ~= nil and filled > 0 and sum ~= total then
        local parts = {}
        for i = 1, 6 do
          parts[#parts + 1] = R.COLUMN_LABELS[R.COLUMNS[i]] .. R.show(row[i])
        end
        ctx:finding{
          code = "T3_ROW_TOTAL",
          message = string.format("表三“%s”行：总计为%s，而六类申请人之和为%s（%s）",
            R.ROW_LABELS[key] or key, R.show(total), R.show(sum), table.concat(parts, "，")),
          where = { table = "requests", row = key },
          expected = sum,
          actual = total,
        }
      end
    end
  end
end

return {
  id = "consistency.requests.row_totals",
  title = "申请情况表勾稽关系：总计列=六类申请人之和",
  severity = "error",
  basis = "年度报告格式（国办公开办函〔2021〕30号）表三",
  check = check,
}
