-- Table 三 row （六）2 counts requests that lapsed because the applicant did
-- not pay after a fee notice (申请人逾期未按收费通知要求缴纳费用). Under
-- 条例第四十二条 and 国办函〔2020〕109号 a request lapses that way only after
-- the agency sent a fee notice, so a report that counts such requests while
-- section 六 says no fee notice was ever sent contradicts itself.

local R = require "lib.report"

local NEGATIONS = { "未", "没有", "无", "从未", "均未", "不曾" }

local function check(report, ctx)
  local rows = R.requests_rows(report)
  if not rows or type(rows["other.unpaid_fee"]) ~= "table" then
    return
  end
  local row = rows["other.unpaid_fee"]
  local n = R.num(row[7])
  if n == nil then
    n = R.sum(row, 6)
  end
  if n <= 0 then
    return
  end
  local six = R.section_text(report, 6)
  for _, s in ipairs(R.sentences(six)) do
    local at = s:find("收费通知", 1, true)
    if at then
      local before = s:sub(1, at - 1)
      for _, w in ipairs(NEGATIONS) do
        if before:find(w, 1, true) then
          ctx:finding{
            code = "FEE_NOTICE_CONTRADICTION",
            message = string.format(
              "表三“逾期未按收费通知要求缴纳费用”为%s件，但第六部分称未发出收费通知：“%s”",
              R.show(n), R.quote(s)),
            where = { section = 6, table = "requests", row = "other.unpaid_fee", quote = s },
            expected = 0,
            actual = n,
          }
          return
        end
      end
    end
  end
end

return {
  id = "fees.notice",
  title = "有因逾期未缴费而终止的申请，却称未发出收费通知",
  severity = "warning",
  basis = "条例第四十二条；《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）",
  check = check,
}
