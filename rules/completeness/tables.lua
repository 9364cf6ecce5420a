-- Tables 二, 三 and 四 of the format, with all their rows: 年度报告格式
-- （国办公开办函〔2021〕30号） (and the 2019 trial format) prescribe them, and
-- 条例第五十条 the contents they carry. The recogniser says what it did not
-- find: TABLE_MISSING (no such table) and ROW_MISSING (a row of the form
-- absent) are errors. A table that is there but could not be read
-- (UNPARSED_TEXT) is not missing: completeness.notes reports it. No table
-- format applied before 2019, so legacy reports are not checked.

local R = require "lib.report"

local function check(report, ctx)
  if R.is_legacy(report) then
    return
  end
  for _, n in ipairs(R.notes(report, "TABLE_MISSING")) do
    local w = type(n.where) == "table" and n.where or {}
    ctx:finding{
      code = "TABLE_MISSING",
      message = string.format("报告缺少%s（%s）", R.TABLE_LABELS[w.table] or "表格",
        ({ active = "主动公开政府信息情况", requests = "收到和处理政府信息公开申请情况",
           appeals = "政府信息公开行政复议、行政诉讼情况" })[w.table] or tostring(w.table)),
      where = { table = w.table },
    }
  end
  local missing = {}
  for _, n in ipairs(R.notes(report, "ROW_MISSING")) do
    local w = type(n.where) == "table" and n.where or {}
    if type(w.table) == "string" then
      missing[w.table] = missing[w.table] or {}
      table.insert(missing[w.table], w.row)
    end
  end
  for _, tbl in ipairs({ "active", "requests", "appeals" }) do
    for _, row in ipairs(missing[tbl] or {}) do
      local name
      if tbl == "requests" then
        name = R.ROW_LABELS[row]
      elseif tbl == "appeals" then
        name = R.GROUP_LABELS[row]
      else
        name = R.ACTIVE_ROW_LABELS[row]
      end
      ctx:finding{
        code = "ROW_MISSING",
        message = string.format("%s缺少“%s”一行", R.TABLE_LABELS[tbl], name or tostring(row)),
        where = { table = tbl, row = row },
      }
    end
  end
  local meta = type(report.meta) == "table" and report.meta or {}
  local unknown = R.notes(report, "FORM_UNKNOWN")[1]
  if unknown then
    ctx:finding{
      code = "TABLES_NOT_FOUND",
      severity = "warning",
      message = string.format("%s年度报告中未找到符合国家格式的统计表（表二至表四）",
        math.type(meta.year) == "integer" and tostring(meta.year) or "本"),
      actual = type(unknown.message) == "string" and unknown.message or nil,
    }
  end
end

return {
  id = "completeness.tables",
  title = "表二、表三、表四及其各行齐全",
  severity = "error",
  basis = "年度报告格式（国办公开办函〔2021〕30号）；条例第五十条",
  check = check,
}
