-- The right format for the year: reports for 2019 and 2020 use the trial
-- format of 国办公开办函〔2019〕60号 ("form 2019"), reports for 2021 onward
-- the revised format of 国办公开办函〔2021〕30号 ("form 2021"). The
-- recogniser decides the form from the tables, not the year; this rule
-- compares the two. Reports for 2018 and earlier had no national table
-- format and are not checked.

local function check(report, ctx)
  local meta = type(report.meta) == "table" and report.meta or {}
  local year, form = meta.year, meta.form
  if math.type(year) ~= "integer" or type(form) ~= "string" then
    return
  end
  local want
  if year >= ctx.params.form_2021_from then
    want = "2021"
  elseif year >= ctx.params.form_2019_from then
    want = "2019"
  else
    return
  end
  if form ~= want then
    local names = {
      ["2019"] = "2019年试行格式（国办公开办函〔2019〕60号）",
      ["2021"] = "2021年修订格式（国办公开办函〔2021〕30号）",
    }
    ctx:finding{
      code = "FORM_FOR_YEAR",
      message = string.format("%d年度报告应使用%s，而报告的表格是%s", year,
        names[want], names[form] or ("格式" .. form)),
      expected = want,
      actual = form,
    }
  end
end

return {
  id = "period.form",
  title = "年度报告使用与年份相符的表格格式",
  severity = "warning",
  basis = "年度报告格式（国办公开办函〔2021〕30号、国办公开办函〔2019〕60号）",
  params = { form_2019_from = 2019, form_2021_from = 2021 },
  check = check,
}
