-- Replies are due within 20 working days, extendable once by at most 20
-- (条例第三十三条). A report whose prose admits replies that were late —
-- 逾期, 超期, 超过法定期限, 未在法定期限内… about replying to or handling
-- requests — gets a warning quoting the sentence.
--
-- Not a late reply: the table labels 逾期不补正 and 逾期未按收费通知要求缴纳
-- 费用 (the applicant was late, not the agency); sentences that say the
-- opposite (均在法定期限内, 无逾期, 未出现超期…); and plans to prevent it
-- (杜绝/防止/避免逾期) in section 五. A sentence must also be about replies
-- or requests (答复, 回复, 办理, 办结, 申请).

local R = require "lib.report"

local LATE = { "逾期", "超期", "超过法定期限", "超出法定期限", "超过规定期限", "超出规定期限",
  "未在法定期限内", "未在规定期限内", "未按期答复", "未按时答复", "延期答复" }
-- The applicant's lateness, as the table's own labels put it.
local NOT_AGENCY = { "逾期不补正", "逾期未补正", "逾期未按收费通知", "逾期未缴纳", "逾期未缴费",
  "逾期不缴纳", "逾期未按要求补正" }
local DENIED = { "无逾期", "没有逾期", "未出现逾期", "未发生逾期", "不存在逾期", "无一逾期",
  "零逾期", "杜绝逾期", "防止逾期", "避免逾期", "严禁逾期", "无超期", "没有超期", "未出现超期",
  "未发生超期", "不存在超期", "杜绝超期", "防止超期", "避免超期", "逾期答复率为0", "逾期率为0",
  "逾期答复0件", "逾期0件", "超期0件", "均在法定期限内", "均在规定期限内", "全部在法定期限内",
  "均按期", "按时答复率100", "按期答复率100", "未超过法定期限", "未超出法定期限",
  "均未超过", "未有逾期", "未有超期" }
local ABOUT = { "答复", "回复", "办理", "办结", "申请", "处理" }

local function check(report, ctx)
  if type(report.sections) ~= "table" then
    return
  end
  for _, sec in ipairs(report.sections) do
    if type(sec) == "table" and type(sec.text) == "string" then
      for _, s in ipairs(R.sentences(sec.text)) do
        local t = s
        for _, w in ipairs(NOT_AGENCY) do
          t = t:gsub(w, "")
        end
        local hit = R.has_any(t, LATE)
        if hit and not R.has_any(t, DENIED) and R.has_any(t, ABOUT) then
          ctx:finding{
            code = "LATE_REPLIES",
            message = string.format("报告称有申请未在法定期限内答复（“%s”）：%s", hit, R.quote(s)),
            where = { section = sec.no, quote = s },
          }
        end
      end
    end
  end
end

return {
  id = "outcomes.late_replies",
  title = "报告承认有逾期答复",
  severity = "warning",
  basis = "条例第三十三条",
  check = check,
}
