-- Table 三's own identity, per column: 一、本年新收 + 二、上年结转 =
-- （七）总计 + 四、结转下年度继续办理. The form prints it in the table's
-- top-left cell (本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四
-- 项之和) — 年度报告格式（国办公开办函〔2021〕30号）表三说明; the 2019 form
-- has the same rule.
--
-- A blank cell counts as 0, but a column whose 总计 is blank, or whose 新收
-- and 上年结转 are both blank, is skipped (it cannot be checked, and the
-- recognizer has already noted the blank). A
-- report without table 三, missing one of the four rows, or with one whose
-- numbers the recognizer could not place (AMBIGUOUS_NUMBERS), is skipped
-- too: that is the recognizer's note to make, not a balance error.

local COLUMNS = {
  "natural_person", "commercial", "research", "social_welfare",
  "legal_services", "other_org", "total",
}

local LABELS = {
  natural_person = "自然人",
  commercial = "商业企业",
  research = "科研机构",
  social_welfare = "社会公益组织",
  legal_services = "法律服务机构",
  other_org = "其他",
  total = "总计",
}

-- A cell's number, or nil when the cell is blank.
local function cell(row, i)
  local v = row[i]
  if type(v) == "number" then
    return v
  end
  return nil
end

local function show(v)
  if v == nil then
    return "（空白）"
  end
  return tostring(v)
end

-- Whether the recognizer could not place the numbers of this table 三 row
-- (an AMBIGUOUS_NUMBERS note): its cells are then null without being blank.
local function ambiguous(report, key)
  if type(report.notes) ~= "table" then
    return false
  end
  for _, n in ipairs(report.notes) do
    local w = type(n) == "table" and type(n.where) == "table" and n.where or nil
    if n.code == "AMBIGUOUS_NUMBERS" and w and w.table == "requests"
        and (w.row == nil or w.row == key) then
      return true
    end
  end
  return false
end

local function check(report, ctx)
  local requests = report.requests
  if type(requests) ~= "table" or type(requests.rows) ~= "table" then
    return
  end
  local rows = requests.rows
  local new, over = rows["new"], rows["carried_over"]
  local total, forward = rows["total"], rows["carried_forward"]
  if type(new) ~= "table" or type(over) ~= "table"
      or type(total) ~= "table" or type(forward) ~= "table" then
    return
  end
  for _, key in ipairs({ "new", "carried_over", "total", "carried_forward" }) do
    if ambiguous(report, key) then
      return
    end
  end
  local columns = type(requests.columns) == "table" and requests.columns or COLUMNS

  for i = 1, #COLUMNS do
    local key = columns[i]
    if type(key) ~= "string" then
      key = COLUMNS[i]
    end
    local a, b, t, f = cell(new, i), cell(over, i), cell(total, i), cell(forward, i)
    if t ~= nil and (a ~= nil or b ~= nil) then
      local left = (a or 0) + (b or 0)
      local right = t + (f or 0)
      if left ~= right then
        ctx:finding{
          code = "T3_BALANCE",
          message = string.format(
            "表三“%s”列：新收%s + 上年结转%s = %s，而办理结果总计%s + 结转下年度%s = %s",
            LABELS[key] or key, show(a), show(b), show(left), show(t), show(f), show(right)),
          where = { table = "requests", column = key },
          expected = left,
          actual = right,
        }
      end
    end
  end
end

return {
  id = "consistency.requests.balance",
  title = "申请情况表勾稽关系：新收+上年结转=办理总计+结转下年度",
  severity = "error",
  basis = "年度报告格式（国办公开办函〔2021〕30号）表三说明",
  check = check,
}
