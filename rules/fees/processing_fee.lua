-- The information processing fee (信息处理费) the agency collected, or that
-- it collected none, is reported in section 六 (其他需要报告的事项): the
-- revised format (国办公开办函〔2021〕30号) asks for it there, under 条例
-- 第四十二条 and the 《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）.
-- Form-2021 reports only: the trial format had no such item.
--
-- A statement is a sentence naming the fee (…处理费) that either gives an
-- amount (…元) or says none was collected (未收取, 没有收取, 无…处理费,
-- 不收取, 未产生…). Said outside section 六 it is a warning; said nowhere,
-- an error.

local R = require "lib.report"

local NONE = {
  "未收取", "没有收取", "未曾收取", "无收取", "不收取", "未收", "未产生", "没有产生",
  "未发生", "没有发生", "未出现", "免收", "免于收取", "零收费", "无信息处理费",
  "无依申请公开处理费", "无处理费", "未向申请人收取",
}

-- The fee sentence of a text, and whether it states the fee; nil if the
-- text never names the fee.
local function statement(text)
  local named
  for _, s in ipairs(R.sentences(text)) do
    if s:find("处理费", 1, true) then
      named = named or s
      local n = R.normalize(s)
      if R.has_any(n, NONE) or n:find("%d[%d,]*%.?%d*%s*元") then
        return s, true
      end
      -- "信息处理费为0", "处理费零元": a zero right after the fee.
      local after = n:match("处理费(.*)$") or ""
      after = R.cut_at(after, { "，", "," })
      if R.has_any(after, { "为0", "为零", "是0", "0元", "零元", "0.00" }) then
        return s, true
      end
    end
  end
  return named, false
end

local function check(report, ctx)
  local meta = type(report.meta) == "table" and report.meta or {}
  if meta.form ~= "2021" or R.is_legacy(report) then
    return
  end
  local six = R.section_text(report, 6)
  if six then
    local _, ok = statement(six)
    if ok then
      return
    end
  end
  if type(report.sections) == "table" then
    for _, s in ipairs(report.sections) do
      if type(s) == "table" and s.no ~= 6 then
        local sentence, ok = statement(s.text)
        if ok then
          ctx:finding{
            code = "FEE_NOT_IN_SECTION6",
            severity = "warning",
            message = string.format(
              "信息处理费收取情况写在第%s部分而非第六部分（其他需要报告的事项）：“%s”",
              R.CN_NUMERALS[s.no] or tostring(s.no), R.quote(sentence)),
            where = { section = s.no, quote = sentence },
          }
          return
        end
      end
    end
  end
  local where = { section = 6 }
  local message
  if not six then
    message = "报告没有第六部分（其他需要报告的事项），也未在别处说明信息处理费的收取情况"
  else
    local named = statement(six)
    if named then
      where.quote = named
      message = string.format("第六部分提到信息处理费，但未说明收取金额或未收取：“%s”", R.quote(named))
    else
      message = "第六部分（其他需要报告的事项）未说明信息处理费的收取情况（收取金额，或未收取）"
    end
  end
  ctx:finding{ code = "FEE_NOT_STATED", message = message, where = where }
end

return {
  id = "fees.processing_fee",
  title = "第六部分说明信息处理费收取情况",
  severity = "error",
  basis = "年度报告格式（国办公开办函〔2021〕30号）；条例第四十二条",
  check = check,
}
