-- What the recogniser could not do cleanly, as findings: its notes are not
-- findings themselves (contrib/docs/REPORT-MODEL.md), a rule decides what each one
-- means. Numbers it could not place in their cells (AMBIGUOUS_NUMBERS) are
-- a warning — those cells go unchecked; a table it saw but could not read
-- (UNPARSED_TEXT), an unclear form (FORM_AMBIGUOUS), missing metadata
-- (META_MISSING) and any code this rule does not know are an info; so is a
-- pre-2019 report without the national tables (FORM_UNKNOWN on a legacy
-- year). Notes of one code about one table become one finding, with their
-- count and first message, so a table whose every row needed the same
-- repair does not fill the log.
--
-- Notes other rules report are left to them: BLANK_CELL
-- (consistency.blank_cells), NOT_A_COUNT (consistency.cell_values),
-- SECTION_MISSING (completeness.sections), TABLE_MISSING, ROW_MISSING and
-- FORM_UNKNOWN on a 2019+ report (completeness.tables), META_MISSING of
-- the publication date (deadline.publication) and of the period
-- (completeness.period_stated). Notes the recogniser itself marks "info"
-- and that only say how it read a cell (SPLIT_NUMBERS: digits run together,
-- split the one way the table's identities allow) are left out too: the
-- numbers were read, and the identity rules check them.
--
-- Basis: 年度报告格式 — the notes are about reading its tables.

local R = require "lib.report"

local ELSEWHERE = {
  BLANK_CELL = true, NOT_A_COUNT = true, SECTION_MISSING = true,
  TABLE_MISSING = true, ROW_MISSING = true, SPLIT_NUMBERS = true,
}

local SEVERITY = { AMBIGUOUS_NUMBERS = "warning" }

local MEANING = {
  AMBIGUOUS_NUMBERS = "数字无法对应到单元格，相关单元格未能核对",
  UNPARSED_TEXT = "表格存在但未能读取（单元格连在一起？），相关核对未进行",
  FORM_AMBIGUOUS = "无法确定表格格式",
  FORM_UNKNOWN = "2019年以前的报告，无统一表格格式，不做表格核对",
  META_MISSING = "报告信息缺失",
}

local function check(report, ctx)
  if type(report.notes) ~= "table" then
    return
  end
  local legacy = R.is_legacy(report)
  local groups, order = {}, {}
  for _, n in ipairs(report.notes) do
    local code = type(n) == "table" and n.code
    local w = type(n) == "table" and type(n.where) == "table" and n.where or {}
    local skip = type(code) ~= "string" or ELSEWHERE[code]
        or (code == "FORM_UNKNOWN" and not legacy)
        or (code == "META_MISSING" and (w.field == "published" or w.field == "period"))
    if not skip then
      local key = code .. "\0" .. tostring(w.table)
      if not groups[key] then
        groups[key] = { code = code, where = w, notes = {} }
        order[#order + 1] = key
      end
      table.insert(groups[key].notes, n)
    end
  end
  for _, key in ipairs(order) do
    local g = groups[key]
    local first = g.notes[1]
    local msg = type(first.message) == "string" and first.message or g.code
    local where = {}
    if #g.notes == 1 then
      for _, k in ipairs({ "section", "table", "row", "column", "line" }) do
        where[k] = g.where[k]
      end
    else
      where.table = g.where.table
      msg = string.format("%d处，如：%s", #g.notes, msg)
    end
    ctx:finding{
      code = "PARSE_" .. g.code,
      severity = SEVERITY[g.code] or "info",
      message = string.format("%s%s：%s", g.where.table and (R.TABLE_LABELS[g.where.table] or "") or "",
        MEANING[g.code] or "识别提示", msg),
      where = next(where) and where or nil,
    }
  end
end

return {
  id = "completeness.notes",
  title = "报告识别中的问题",
  severity = "info",
  basis = "年度报告格式（国办公开办函〔2021〕30号）",
  check = check,
}
