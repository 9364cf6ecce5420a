-- Every number in tables 二, 三 and 四 counts something — documents,
-- decisions, requests, cases — so it is a whole number, and not negative.
-- The exceptions are the format's own: money (表二 本年收费金额, in 万元, and
-- 采购总金额) may have decimals, and the 2019 form's 本年增/减 is signed —
-- 年度报告格式（国办公开办函〔2021〕30号）, 试行格式（国办公开办函〔2019〕60号）.
-- A blank cell is not a value: consistency.blank_cells reports it.

local R = require "lib.report"

local MONEY = { amount_wan = true, amount = true }
local SIGNED = { change = true }

local function bad(v, money, signed)
  if type(v) ~= "number" then
    return nil
  end
  if v ~= v or v == math.huge or v == -math.huge then
    return "不是有效数字"
  end
  if not money and v ~= math.floor(v) then
    return "不是整数"
  end
  if not signed and v < 0 then
    return "为负数"
  end
  return nil
end

local function check(report, ctx)
  local rows = R.requests_rows(report)
  if rows then
    local order = R.form_of_requests(report) == "2019" and R.ROWS_2019 or R.ROWS_2021
    for _, key in ipairs(order) do
      local row = rows[key]
      if type(row) == "table" then
        for i, column in ipairs(R.COLUMNS) do
          local why = bad(row[i])
          if why then
            ctx:finding{
              code = "T3_VALUE",
              message = string.format("%s的数值%s%s：申请件数应为非负整数",
                R.request_cell_name(key, column), R.show(row[i]), why),
              where = { table = "requests", row = key, column = column },
              actual = row[i],
            }
          end
        end
      end
    end
  end
  if type(report.appeals) == "table" then
    for _, g in ipairs(R.GROUPS) do
      local grp = report.appeals[g]
      if type(grp) == "table" then
        for _, k in ipairs(R.RESULTS) do
          local why = bad(grp[k])
          if why then
            ctx:finding{
              code = "T4_VALUE",
              message = string.format("%s的数值%s%s：案件数应为非负整数",
                R.appeal_cell_name(g, k), R.show(grp[k]), why),
              where = { table = "appeals", row = g, column = k },
              actual = grp[k],
            }
          end
        end
      end
    end
  end
  if type(report.active) == "table" then
    local names = {}
    for name in pairs(report.active) do
      names[#names + 1] = name
    end
    table.sort(names)
    for _, name in ipairs(names) do
      local block = report.active[name]
      if type(block) == "table" then
        local cols = {}
        for col in pairs(block) do
          cols[#cols + 1] = col
        end
        table.sort(cols)
        for _, col in ipairs(cols) do
          local why = bad(block[col], MONEY[col], SIGNED[col])
          if why then
            ctx:finding{
              code = "T2_VALUE",
              message = string.format("%s的数值%s%s", R.active_cell_name(name, col),
                R.show(block[col]), why),
              where = { table = "active", row = name, column = col },
              actual = block[col],
            }
          end
        end
      end
    end
  end
end

return {
  id = "consistency.cell_values",
  title = "表格数值应为非负整数（金额与增减栏除外）",
  severity = "error",
  basis = "年度报告格式（国办公开办函〔2021〕30号）表二至表四",
  check = check,
}
