-- Normative documents (and regulations) in force: last year's 现行有效件数
-- + this year's 本年制发件数 − 本年废止件数 should give this year's 现行有效件数
-- (年度报告格式（国办公开办函〔2021〕30号）表二, 第二十条第（一）项). It need
-- not: documents amended, expiring on their own, or found in a clean-up
-- (清理) change the count too. So a difference is an info naming the
-- numbers, for a reviewer to look at, not an error. Form-2021 tables only;
-- blank cells are not compared.

local R = require "lib.report"

local ROWS = { "regulations", "normative_documents" }

local function check(report, ctx)
  for _, pair in ipairs(R.year_pairs(report, ctx)) do
    local a, b = pair.earlier.active, pair.later.active
    if type(a) == "table" and type(b) == "table" then
      for _, row in ipairs(ROWS) do
        local x, y = a[row], b[row]
        if type(x) == "table" and type(y) == "table"
            and not R.ambiguous(pair.earlier, "active", row)
            and not R.ambiguous(pair.later, "active", row) then
          local prev, issued = R.num(x.in_force), R.num(y.issued)
          local repealed, now = R.num(y.repealed), R.num(y.in_force)
          if prev and issued and repealed and now and prev + issued - repealed ~= now then
            local want = prev + issued - repealed
            ctx:finding{
              code = "DOCUMENTS_IN_FORCE",
              message = string.format(
                "表二“%s”：%s现行有效%s件，加%s本年制发%s件、减本年废止%s件，应为%s件，而%s现行有效为%s件（修订、自然失效或清理可能造成差异）",
                R.ACTIVE_ROW_LABELS[row], R.report_name(pair.earlier), R.show(prev),
                R.report_name(pair.later), R.show(issued), R.show(repealed), R.show(want),
                R.report_name(pair.later), R.show(now)),
              where = { table = "active", row = row, column = "in_force" },
              expected = want,
              actual = now,
            }
          end
        end
      end
    end
  end
end

return {
  id = "crossyear.documents",
  title = "现行有效规范性文件数与上年衔接",
  severity = "info",
  basis = "年度报告格式（国办公开办函〔2021〕30号）表二",
  check = check,
}
