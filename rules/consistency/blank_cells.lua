-- Blank cells in tables 二, 三 and 四. The format asks for a number in every
-- cell (年度报告格式（国办公开办函〔2021〕30号）); a blank, "/", "-" or "无" is
-- "not reported", which evaluators count against a report even though many
-- readers take it for 0. One warning per table lists every blank cell, so a
-- table left mostly empty does not bury the log under one line per cell.
--
-- The cells come from the recogniser's BLANK_CELL notes, and from any cell
-- the model holds as null without a note — except cells the recogniser
-- could not place (AMBIGUOUS_NUMBERS), which are unknown, not blank.

local R = require "lib.report"

local ORDER = { "active", "requests", "appeals" }

local function check(report, ctx)
  local seen, lists = {}, { active = {}, requests = {}, appeals = {} }
  local function add(tbl, row, column)
    if not lists[tbl] or R.ambiguous(report, tbl, row) then
      return
    end
    local key = tostring(row) .. "\0" .. tostring(column)
    seen[tbl] = seen[tbl] or {}
    if seen[tbl][key] then
      return
    end
    seen[tbl][key] = true
    lists[tbl][#lists[tbl] + 1] = { row = row, column = column }
  end

  for _, n in ipairs(R.notes(report, "BLANK_CELL")) do
    local w = type(n.where) == "table" and n.where or {}
    if type(w.table) == "string" then
      add(w.table, w.row, w.column)
    end
  end

  local rows = R.requests_rows(report)
  if rows then
    local order = R.form_of_requests(report) == "2019" and R.ROWS_2019 or R.ROWS_2021
    for _, key in ipairs(order) do
      if type(rows[key]) == "table" then
        for i, column in ipairs(R.COLUMNS) do
          if rows[key][i] == nil then
            add("requests", key, column)
          end
        end
      end
    end
  end
  if type(report.appeals) == "table" then
    for _, g in ipairs(R.GROUPS) do
      if type(report.appeals[g]) == "table" then
        for _, k in ipairs(R.RESULTS) do
          if report.appeals[g][k] == nil then
            add("appeals", g, k)
          end
        end
      end
    end
  end

  for _, tbl in ipairs(ORDER) do
    local list = lists[tbl]
    if #list > 0 then
      -- Grouped by row: "予以公开：科研机构、社会公益组织".
      local groups, order = {}, {}
      for _, c in ipairs(list) do
        local row, col
        if tbl == "requests" then
          row = R.ROW_SHORT[c.row] or tostring(c.row)
          col = R.COLUMN_LABELS[c.column] or tostring(c.column)
        elseif tbl == "appeals" then
          row = R.GROUP_LABELS[c.row] or tostring(c.row)
          col = R.RESULT_LABELS[c.column] or tostring(c.column)
        else
          row = R.ACTIVE_ROW_LABELS[c.row] or tostring(c.row)
          col = R.ACTIVE_COLUMN_LABELS[c.column] or tostring(c.column)
        end
        if not groups[row] then
          groups[row] = {}
          order[#order + 1] = row
        end
        table.insert(groups[row], col)
      end
      local names = {}
      for _, row in ipairs(order) do
        names[#names + 1] = row .. "：" .. table.concat(groups[row], "、")
      end
      ctx:finding{
        code = "BLANK_CELLS",
        message = string.format("%s有%d个单元格空白（未填数字，视为未报告）：%s",
          R.TABLE_LABELS[tbl], #list, table.concat(names, "；")),
        where = { table = tbl },
        actual = #list,
      }
    end
  end
end

return {
  id = "consistency.blank_cells",
  title = "表格单元格空白（未报告）",
  severity = "warning",
  basis = "年度报告格式（国办公开办函〔2021〕30号）",
  check = check,
}
