-- The request register against the annual report of the same agency and
-- year: table 三 must count what the register records (年度报告格式 表三;
-- 条例第五十条第（二）项). Row 一 (new) per applicant type is the requests
-- received in the year; each outcome row is the requests closed in the year
-- with that outcome; row 四 (carried_forward) is those still open on 31
-- December. Every cell that differs is an error naming both numbers.
--
-- Either file may arrive first. The host gives the other one from the
-- history store as ctx.counterpart: the report when a register is checked,
-- the register when a report is checked; the findings go on whichever comes
-- second. Without it (no history, or the other not yet checked) nothing is
-- compared.

local G = require "lib.register"

local function compare(register, report, ctx)
  if type(register.meta) ~= "table" or type(report.meta) ~= "table"
      or register.meta.year ~= report.meta.year then
    return
  end
  G.compare(register, report, function(key, column, mine, theirs)
    ctx:finding{
      code = "REG_REPORT_MISMATCH",
      message = G.mismatch_message(key, column, register, report, mine, theirs),
      where = { table = "requests", row = key, column = column },
      expected = mine,
      actual = theirs,
    }
  end)
end

local BASIS = "年度报告格式（国办公开办函〔2021〕30号）表三；条例第五十条第（二）项"

return {
  {
    id = "register.report_agreement",
    kind = "register",
    title = "登记台账与同年度年度报告表三一致（检查台账时）",
    severity = "error",
    basis = BASIS,
    check = function(report, ctx)
      local other = ctx.counterpart
      if not G.is_register(report) or type(other) ~= "table" or G.is_register(other) then
        return
      end
      compare(report, other, ctx)
    end,
  },
  {
    id = "register.report_agreement_on_report",
    kind = "report",
    title = "年度报告表三与同年度登记台账一致（检查报告时）",
    severity = "error",
    basis = BASIS,
    check = function(report, ctx)
      local other = ctx.counterpart
      if G.is_register(report) or not G.is_register(other) then
        return
      end
      compare(other, report, ctx)
    end,
  },
}
