-- Table 四's 结果纠正 counts reconsiderations and lawsuits about disclosure
-- that the agency lost: its reply was corrected (条例第五十一条 gives the
-- applicant those remedies). Not an error, but worth a reviewer's look: one
-- info per group with a count above 0.

local R = require "lib.report"

local function check(report, ctx)
  local appeals = report.appeals
  if type(appeals) ~= "table" then
    return
  end
  for _, g in ipairs(R.GROUPS) do
    local grp = appeals[g]
    local n = type(grp) == "table" and R.num(grp.corrected) or nil
    if n and n > 0 then
      ctx:finding{
        code = "APPEALS_CORRECTED",
        message = string.format("表四：%s结果纠正%s件（被纠正的答复），总计%s件", R.GROUP_LABELS[g],
          R.show(n), R.show(grp.total)),
        where = { table = "appeals", row = g, column = "corrected" },
        actual = n,
      }
    end
  end
end

return {
  id = "outcomes.appeals_corrected",
  title = "复议、诉讼中答复被纠正",
  severity = "info",
  basis = "条例第五十一条",
  check = check,
}
