-- 第五部分“存在的主要问题及改进情况”应同时写明存在的问题和改进措施。
-- 依据：《政府信息公开条例》第五十条第（四）项，年度报告应当包括
-- “存在的主要问题及改进情况”：只写问题不写改进，或只写成绩不写问题，
-- 都不算写明。
local ogid = require "ogid"

-- The first of `words` that `text` contains, or nil.
local function mentions(text, words)
  for _, w in ipairs(words) do
    if text:find(w, 1, true) then
      return w
    end
  end
  return nil
end

local function check(report, ctx)
  local s5 = ogid.section(report, 5)
  if s5 == nil then
    return -- 缺少第五部分是另一条规则的事（completeness.sections）
  end
  local text = s5.text or ""
  local first = ogid.sentences(text)[1]
  if not mentions(text, ctx.params.problems) then
    ctx:finding{
      code = "S5_NO_PROBLEMS",
      message = "第五部分“" .. s5.title .. "”没有写明存在的问题",
      where = { section = 5, quote = first },
    }
  end
  if not mentions(text, ctx.params.improvements) then
    ctx:finding{
      code = "S5_NO_IMPROVEMENTS",
      message = "第五部分“" .. s5.title .. "”没有写明改进措施",
      where = { section = 5, quote = first },
    }
  end
end

return {
  id = "my.section5",
  title = "第五部分应同时写明存在的问题和改进措施",
  severity = "warning",
  basis = "条例第五十条第（四）项",
  params = {
    problems = { "问题", "不足", "差距", "短板" },
    improvements = { "改进", "整改", "下一步", "措施" },
  },
  check = check,
}
