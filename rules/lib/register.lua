-- Shared helpers of the request-register rules (rules/register/): reading
-- the register model (core/src/ogid_register.h; a row per request, dates as
-- "YYYY-MM-DD" or nil), the reply deadline of 条例第三十三条 on the
-- working-day calendar, the fee tiers of 国办函〔2020〕109号, and the counts
-- of table 三 a register implies.
--
-- Calendar calls raise a Lua error for a day whose holiday notice is not
-- loaded; M.try turns exactly that error into a "cannot verify" result and
-- lets every other error through, so a rule never guesses a deadline.

local ogid = require "ogid"
local R = require "lib.report"

local M = {}

M.COLUMN_LABELS = {
  id = "编号", applicant = "申请人", applicant_type = "申请人类型", received = "收到日期",
  correction_requested = "补正通知日期", correction_received = "补正收到日期",
  consultation_start = "征求意见开始", consultation_end = "征求意见结束", extended = "延期",
  fee_notice = "收费通知日期", fee_paid = "缴费日期", fee = "收费金额", items = "件数",
  pages = "页数", replied = "答复日期", outcome = "办理结果",
}

-- Whether the model is a register (the report rules' models have no kind).
function M.is_register(model)
  return type(model) == "table" and model.kind == "register"
end

-- The rows of a register that are tables (a defensive copy of the list).
function M.rows(model)
  local out = {}
  if type(model.rows) == "table" then
    for _, row in ipairs(model.rows) do
      if type(row) == "table" then
        out[#out + 1] = row
      end
    end
  end
  return out
end

-- The register's year, or nil.
function M.year(model)
  local y = type(model.meta) == "table" and model.meta.year or nil
  if math.type(y) == "integer" then
    return y
  end
  return nil
end

-- A date field of a row, or nil (the model has "YYYY-MM-DD" or null).
function M.date(row, key)
  local v = row[key]
  if type(v) == "string" and v:match("^%d%d%d%d%-%d%d%-%d%d$") then
    return v
  end
  return nil
end

-- How a message names a row: 申请R04（第8行）.
function M.label(row)
  local id = type(row.id) == "string" and row.id or nil
  local line = math.type(row.line) == "integer" and row.line or nil
  if id and line then
    return string.format("申请%s（第%d行）", id, line)
  elseif id then
    return "申请" .. id
  elseif line then
    return string.format("第%d行的申请", line)
  end
  return "一件申请"
end

-- Where a finding about a row points: the register, the row's id and line,
-- and the column concerned.
function M.where(row, column)
  return {
    table = "register",
    row = type(row.id) == "string" and row.id or nil,
    line = math.type(row.line) == "integer" and row.line or nil,
    column = column,
  }
end

-- Calls f(...) and returns true and its results; for a day the working-day
-- calendar cannot judge, returns false and a sentence saying which year's
-- notice is missing. Any other error is raised again.
function M.try(f, ...)
  local r = table.pack(pcall(f, ...))
  if r[1] then
    return true, table.unpack(r, 2, r.n)
  end
  local err = r[2]
  if type(err) == "string" and err:find("not covered by the working-day calendar", 1, true) then
    local year = err:match("(%d+) is not covered")
    if year then
      return false, string.format("工作日历未载入%s年的节假日安排（国务院办公厅放假通知）", year)
    end
    return false, "所涉日期超出工作日历的范围"
  end
  error(err, 0)
end

-- Working days in (start, upto] that fall within [a, b].
function M.workdays_in(start, a, b, upto)
  local hi = b < upto and b or upto
  if hi <= start or a > hi then
    return 0
  end
  local n = ogid.calendar.workdays_between(start, hi)
  if a > start then
    n = n - ogid.calendar.workdays_between(start, a)
    if ogid.calendar.is_workday(a) then
      n = n + 1
    end
  end
  return n
end

-- The periods that do not count towards the reply deadline, merged where
-- they overlap: consulting a third party (条例第三十二条), and — when
-- with_fee — the time from the fee notice to the payment. Each is
-- { from, to, what }. Returns nil and a reason when a period is recorded
-- with one end only.
function M.pauses(row, with_fee)
  local list = {}
  local cs, ce = M.date(row, "consultation_start"), M.date(row, "consultation_end")
  if cs and ce then
    list[#list + 1] = { cs, ce, "征求意见" }
  elseif cs or ce then
    return nil, cs and "只登记了征求意见开始日期，没有结束日期" or "只登记了征求意见结束日期，没有开始日期"
  end
  if with_fee then
    local fn, fp = M.date(row, "fee_notice"), M.date(row, "fee_paid")
    if fn and fp then
      list[#list + 1] = { fn, fp, "收费通知至缴费" }
    elseif fp then
      return nil, "登记了缴费日期，但没有收费通知日期"
    end
  end
  table.sort(list, function(x, y) return x[1] < y[1] end)
  local merged = {}
  for _, p in ipairs(list) do
    local last = merged[#merged]
    if last and p[1] <= last[2] then
      if p[2] > last[2] then
        last[2] = p[2]
      end
      last[3] = last[3] .. "、" .. p[3]
    else
      merged[#merged + 1] = { p[1], p[2], p[3] }
    end
  end
  return merged
end

-- The reply deadline of a row under params p (reply_days, extension_days,
-- exclude_fee_period): { due, start, days, paused, pauses, corrected }.
-- Returns nil and a reason code when no deadline runs: "no_receipt",
-- "awaiting_correction" (a correction was asked for and never came),
-- "awaiting_payment" (a fee notice was never paid), or "incomplete" with a
-- sentence (a pause recorded with one end). Calendar errors are raised: call
-- it through M.try.
function M.deadline(row, p)
  local received = M.date(row, "received")
  if not received then
    return nil, "no_receipt"
  end
  local corrected = M.date(row, "correction_received")
  if M.date(row, "correction_requested") and not corrected then
    return nil, "awaiting_correction"
  end
  if p.exclude_fee_period and M.date(row, "fee_notice") and not M.date(row, "fee_paid") then
    return nil, "awaiting_payment"
  end
  local pauses, why = M.pauses(row, p.exclude_fee_period)
  if not pauses then
    return nil, "incomplete", why
  end
  -- 条例第三十条: after a correction the period runs from the receipt of
  -- the corrected request.
  local start = corrected or received
  local days = p.reply_days + (row.extended == true and p.extension_days or 0)
  -- The due day is the days-th working day after start that no pause
  -- covers: counting the paused days up to a candidate and moving on until
  -- the candidate stops moving (it only moves forward, and never past the
  -- answer).
  local due = ogid.calendar.add_workdays(start, days)
  local paused = 0
  for _ = 1, 64 do
    local e = 0
    for _, iv in ipairs(pauses) do
      e = e + M.workdays_in(start, iv[1], iv[2], due)
    end
    paused = e
    local next_due = ogid.calendar.add_workdays(start, days + e)
    if next_due == due then
      break
    end
    due = next_due
  end
  return { due = due, start = start, days = days, paused = paused, pauses = pauses,
           corrected = corrected ~= nil }
end

-- How the deadline was counted, for messages.
function M.explain(d, row, p)
  local parts = {}
  if d.corrected then
    parts[#parts + 1] = string.format("补正后自%s起算", d.start)
  else
    parts[#parts + 1] = string.format("自%s收到次日起算", d.start)
  end
  if row.extended == true then
    parts[#parts + 1] = string.format("%d个工作日（含延期%d个工作日）", d.days, p.extension_days)
  else
    parts[#parts + 1] = string.format("%d个工作日", d.days)
  end
  for _, iv in ipairs(d.pauses) do
    parts[#parts + 1] = string.format("%s期间%s至%s不计", iv[3], iv[1], iv[2])
  end
  if d.paused > 0 then
    parts[#parts + 1] = string.format("共扣除%d个工作日", d.paused)
  end
  return table.concat(parts, "，")
end

-- ---- Fees (国办函〔2020〕109号) -------------------------------------------------

-- 按件: the charge for the k-th request of one applicant in one calendar
-- month: 1-10 free, 11-30 100 yuan, then 100 yuan more for every 10.
function M.per_request_price(k)
  if k <= 10 then
    return 0
  elseif k <= 30 then
    return 100
  end
  return 100 * (2 + (k - 31) // 10)
end

-- 按量: the charge for one request of n pages, by the part in each band,
-- and the computation in words.
function M.per_page_fee(n)
  local bands = { { 1, 30, 0 }, { 31, 100, 10 }, { 101, 200, 20 }, { 201, math.maxinteger, 40 } }
  local total, parts = 0, {}
  for _, b in ipairs(bands) do
    local lo, hi, price = b[1], b[2], b[3]
    if n >= lo then
      local count = math.min(n, hi) - lo + 1
      if price == 0 then
        parts[#parts + 1] = string.format("%d页以内免费", hi)
      else
        local upper = hi == math.maxinteger and "" or tostring(hi)
        parts[#parts + 1] = string.format("%d—%s页%d页×%d元=%d元", lo, upper, count, price,
          count * price)
        total = total + count * price
      end
    end
  end
  return total, string.format("按量计收%d页：%s，合计%d元", n, table.concat(parts, "，"), total)
end

-- 按件: the charge for positions first..last of the month, and the
-- computation in words.
function M.per_request_fee(first, last)
  local total, parts = 0, {}
  local k = first
  while k <= last do
    local price = M.per_request_price(k)
    local j = k
    while j + 1 <= last and M.per_request_price(j + 1) == price do
      j = j + 1
    end
    local span = j == k and string.format("第%d件", k) or string.format("第%d—%d件", k, j)
    if price == 0 then
      parts[#parts + 1] = span .. "免费（每月10件以内）"
    else
      parts[#parts + 1] = string.format("%s每件%d元", span, price)
    end
    total = total + (j - k + 1) * price
    k = j + 1
  end
  return total, table.concat(parts, "，")
end

-- ---- Table 三 from the register -----------------------------------------------

-- The counts of table 三 the register gives for its year, per row key and
-- applicant column (1-6 as in report.requests.columns, 7 the total):
-- new (received in the year), each outcome (requests closed in the year:
-- replied by 31 December, or closed without a reply date), and
-- carried_forward (received by 31 December and not closed in the year).
-- Outcome keys are those of the report's form: for form 2019 the three
-- 其他处理 items are one row, "other". Returns the counts and the rows of
-- the register that could not be placed (closed without an outcome).
function M.table3(register, form)
  local year = M.year(register)
  if not year then
    return nil
  end
  local first, last = string.format("%04d-01-01", year), string.format("%04d-12-31", year)
  local index = {}
  for i, col in ipairs(R.APPLICANTS) do
    index[col] = i
  end
  local counts, unplaced = {}, {}
  local function add(key, col)
    local row = counts[key]
    if not row then
      row = { 0, 0, 0, 0, 0, 0, 0 }
      counts[key] = row
    end
    local i = index[col]
    if i then
      row[i] = row[i] + 1
    end
    row[7] = row[7] + 1
  end
  for _, row in ipairs(M.rows(register)) do
    local received, replied = M.date(row, "received"), M.date(row, "replied")
    local col = row.applicant_type
    if received and received >= first and received <= last then
      add("new", col)
    end
    if received and received <= last and not (replied and replied < first) then
      local closed = (replied and replied <= last) or (not replied and row.outcome ~= nil)
      if closed then
        local key = row.outcome
        if key and form == "2019" and key:sub(1, 6) == "other." then
          key = "other"
        end
        if key then
          add(key, col)
        else
          unplaced[#unplaced + 1] = row
        end
      else
        add("carried_forward", col)
      end
    end
  end
  return counts, unplaced
end

-- Compares a register with the report of the same agency and year, calling
-- emit(key, column, register_count, report_value) for each cell of table 三
-- rows new, the outcome rows and carried_forward that differs. Cells the
-- report left blank, and rows it lacks, are not compared (other rules note
-- them). The 总计 column is compared only where the six applicant columns
-- agree, so one misfiled request is named once, in its own column.
function M.compare(register, report, emit)
  local rows = type(report.requests) == "table" and report.requests.rows or nil
  if type(rows) ~= "table" then
    return
  end
  local form = R.form_of_requests(report)
  local counts = M.table3(register, form)
  if not counts then
    return
  end
  local keys = { "new" }
  for _, k in ipairs(form == "2019" and R.OUTCOMES_2019 or R.OUTCOMES_2021) do
    keys[#keys + 1] = k
  end
  keys[#keys + 1] = "carried_forward"
  for _, key in ipairs(keys) do
    local cells = rows[key]
    if type(cells) == "table" then
      local mine = counts[key] or { 0, 0, 0, 0, 0, 0, 0 }
      local differs = false
      for i = 1, 6 do
        local v = cells[i]
        if type(v) == "number" and v ~= mine[i] then
          differs = true
          emit(key, R.APPLICANTS[i], mine[i], v)
        end
      end
      local t = cells[7]
      if not differs and type(t) == "number" and t ~= mine[7] then
        emit(key, "total", mine[7], t)
      end
    end
  end
end

-- The message of one mismatch.
function M.mismatch_message(key, column, register, report, n_register, n_report)
  return string.format(
    "登记台账与年度报告不一致：%s，台账（%s）为%d件，年度报告（%s）为%s件",
    R.request_cell_name(key, column), R.file_of(register), n_register, R.file_of(report),
    R.show(n_report))
end

return M
