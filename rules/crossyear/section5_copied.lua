-- Section 五 (存在的主要问题及改进情况) copied from last year's report:
-- supervising offices call out reports that are 内容雷同、敷衍塞责, and a
-- section 五 that repeats last year's problems and plans word for word says
-- nothing about this year (条例第五十条第（四）项 asks for this year's problems
-- and improvements). Similarity is the Jaccard index of the two texts'
-- character 3-grams, counting Chinese characters and letters only (years,
-- numbers and punctuation change every year and are left out); above
-- `threshold` (default 0.8) it is a warning. Texts shorter than
-- `min_chars` are not compared: a short section is similar by chance.

local R = require "lib.report"

local function grams(text)
  local chars = {}
  for _, cp in utf8.codes(text) do
    if (cp >= 0x4E00 and cp <= 0x9FFF) or (cp >= 0x3400 and cp <= 0x4DBF)
        or (cp >= 65 and cp <= 90) or (cp >= 97 and cp <= 122) then
      chars[#chars + 1] = utf8.char(cp)
    end
  end
  local set, n = {}, 0
  for i = 1, #chars - 2 do
    local g = chars[i] .. chars[i + 1] .. chars[i + 2]
    if not set[g] then
      set[g] = true
      n = n + 1
    end
  end
  return set, n, #chars
end

local function check(report, ctx)
  for _, pair in ipairs(R.year_pairs(report, ctx)) do
    local ta, tb = R.section_text(pair.earlier, 5), R.section_text(pair.later, 5)
    if ta and tb and utf8.len(ta) and utf8.len(tb) then
      local a, na, ca = grams(ta)
      local b, nb, cb = grams(tb)
      if ca >= ctx.params.min_chars and cb >= ctx.params.min_chars then
        local both = 0
        for g in pairs(a) do
          if b[g] then
            both = both + 1
          end
        end
        local union = na + nb - both
        local j = union > 0 and both / union or 0
        if j > ctx.params.threshold then
          ctx:finding{
            code = "SECTION5_COPIED",
            message = string.format(
              "内容雷同：%s与%s的第五部分（存在的主要问题及改进情况）相似度为%.0f%%（字符三元组Jaccard系数%.2f，阈值%.2f）",
              R.report_name(pair.later), R.report_name(pair.earlier), j * 100, j, ctx.params.threshold),
            where = { section = 5 },
            expected = ctx.params.threshold,
            actual = math.floor(j * 1000 + 0.5) / 1000,
          }
        end
      end
    end
  end
end

return {
  id = "crossyear.section5_copied",
  title = "第五部分与上年报告雷同",
  severity = "warning",
  basis = "条例第五十条第（四）项",
  params = { threshold = 0.8, min_chars = 50 },
  check = check,
}
