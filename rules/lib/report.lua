-- Shared helpers for the compliance rules: the keys of the report model
-- (contrib/docs/REPORT-MODEL.md) with the Chinese names a reader of the report
-- knows them by, cell access that keeps a blank cell blank, sections by
-- number, sentences of the prose, and the recogniser's notes.
--
-- Nothing here decides what is wrong; it only reads. Rules `require
-- "lib.report"`.

local M = {}

M.COLUMNS = {
  "natural_person", "commercial", "research", "social_welfare",
  "legal_services", "other_org", "total",
}

-- The six applicant columns, without 总计.
M.APPLICANTS = {
  "natural_person", "commercial", "research", "social_welfare",
  "legal_services", "other_org",
}

-- The five columns under 法人或其他组织.
M.ORGANISATIONS = {
  "commercial", "research", "social_welfare", "legal_services", "other_org",
}

M.COLUMN_LABELS = {
  natural_person = "自然人",
  commercial = "商业企业",
  research = "科研机构",
  social_welfare = "社会公益组织",
  legal_services = "法律服务机构",
  other_org = "其他",
  total = "总计",
}

-- Table 三 rows in document order (form 2021), with the label printed in
-- the table.
M.ROWS_2021 = {
  "new", "carried_over", "granted", "partly_granted",
  "withheld.state_secret", "withheld.prohibited_by_law", "withheld.security_stability",
  "withheld.third_party", "withheld.internal_affairs", "withheld.process_information",
  "withheld.enforcement_files", "withheld.inquiry_matters",
  "unavailable.not_held", "unavailable.needs_creation", "unavailable.still_unclear",
  "declined.complaint", "declined.duplicate", "declined.publication",
  "declined.excessive", "declined.confirmation",
  "other.no_correction", "other.unpaid_fee", "other.misc",
  "total", "carried_forward",
}

M.ROWS_2019 = {
  "new", "carried_over", "granted", "partly_granted",
  "withheld.state_secret", "withheld.prohibited_by_law", "withheld.security_stability",
  "withheld.third_party", "withheld.internal_affairs", "withheld.process_information",
  "withheld.enforcement_files", "withheld.inquiry_matters",
  "unavailable.not_held", "unavailable.needs_creation", "unavailable.still_unclear",
  "declined.complaint", "declined.duplicate", "declined.publication",
  "declined.excessive", "declined.confirmation",
  "other",
  "total", "carried_forward",
}

M.ROW_LABELS = {
  new = "一、本年新收政府信息公开申请数量",
  carried_over = "二、上年结转政府信息公开申请数量",
  granted = "（一）予以公开",
  partly_granted = "（二）部分公开",
  ["withheld.state_secret"] = "（三）不予公开·1.属于国家秘密",
  ["withheld.prohibited_by_law"] = "（三）不予公开·2.其他法律行政法规禁止公开",
  ["withheld.security_stability"] = "（三）不予公开·3.危及“三安全一稳定”",
  ["withheld.third_party"] = "（三）不予公开·4.保护第三方合法权益",
  ["withheld.internal_affairs"] = "（三）不予公开·5.属于三类内部事务信息",
  ["withheld.process_information"] = "（三）不予公开·6.属于四类过程性信息",
  ["withheld.enforcement_files"] = "（三）不予公开·7.属于行政执法案卷",
  ["withheld.inquiry_matters"] = "（三）不予公开·8.属于行政查询事项",
  ["unavailable.not_held"] = "（四）无法提供·1.本机关不掌握相关政府信息",
  ["unavailable.needs_creation"] = "（四）无法提供·2.没有现成信息需要另行制作",
  ["unavailable.still_unclear"] = "（四）无法提供·3.补正后申请内容仍不明确",
  ["declined.complaint"] = "（五）不予处理·1.信访举报投诉类申请",
  ["declined.duplicate"] = "（五）不予处理·2.重复申请",
  ["declined.publication"] = "（五）不予处理·3.要求提供公开出版物",
  ["declined.excessive"] = "（五）不予处理·4.无正当理由大量反复申请",
  ["declined.confirmation"] = "（五）不予处理·5.要求行政机关确认或重新出具已获取信息",
  ["other.no_correction"] = "（六）其他处理·1.逾期不补正",
  ["other.unpaid_fee"] = "（六）其他处理·2.逾期未按收费通知要求缴纳费用",
  ["other.misc"] = "（六）其他处理·3.其他",
  other = "（六）其他处理",
  total = "（七）总计",
  carried_forward = "四、结转下年度继续办理",
}

-- Short row names, for lists of cells.
M.ROW_SHORT = {
  new = "本年新收", carried_over = "上年结转", granted = "予以公开", partly_granted = "部分公开",
  ["withheld.state_secret"] = "属于国家秘密",
  ["withheld.prohibited_by_law"] = "其他法律行政法规禁止公开",
  ["withheld.security_stability"] = "危及“三安全一稳定”",
  ["withheld.third_party"] = "保护第三方合法权益",
  ["withheld.internal_affairs"] = "属于三类内部事务信息",
  ["withheld.process_information"] = "属于四类过程性信息",
  ["withheld.enforcement_files"] = "属于行政执法案卷",
  ["withheld.inquiry_matters"] = "属于行政查询事项",
  ["unavailable.not_held"] = "本机关不掌握相关政府信息",
  ["unavailable.needs_creation"] = "没有现成信息需要另行制作",
  ["unavailable.still_unclear"] = "补正后申请内容仍不明确",
  ["declined.complaint"] = "信访举报投诉类申请",
  ["declined.duplicate"] = "重复申请",
  ["declined.publication"] = "要求提供公开出版物",
  ["declined.excessive"] = "无正当理由大量反复申请",
  ["declined.confirmation"] = "要求行政机关确认或重新出具已获取信息",
  ["other.no_correction"] = "逾期不补正",
  ["other.unpaid_fee"] = "逾期未缴纳费用",
  ["other.misc"] = "其他处理·其他",
  other = "其他处理",
  total = "（七）总计",
  carried_forward = "结转下年度",
}

-- The outcome rows that add up to （七）总计, by form.
M.OUTCOMES_2021 = {
  "granted", "partly_granted",
  "withheld.state_secret", "withheld.prohibited_by_law", "withheld.security_stability",
  "withheld.third_party", "withheld.internal_affairs", "withheld.process_information",
  "withheld.enforcement_files", "withheld.inquiry_matters",
  "unavailable.not_held", "unavailable.needs_creation", "unavailable.still_unclear",
  "declined.complaint", "declined.duplicate", "declined.publication",
  "declined.excessive", "declined.confirmation",
  "other.no_correction", "other.unpaid_fee", "other.misc",
}

M.OUTCOMES_2019 = {
  "granted", "partly_granted",
  "withheld.state_secret", "withheld.prohibited_by_law", "withheld.security_stability",
  "withheld.third_party", "withheld.internal_affairs", "withheld.process_information",
  "withheld.enforcement_files", "withheld.inquiry_matters",
  "unavailable.not_held", "unavailable.needs_creation", "unavailable.still_unclear",
  "declined.complaint", "declined.duplicate", "declined.publication",
  "declined.excessive", "declined.confirmation",
  "other",
}

-- Outcome groups: the rows under each group label of table 三.
M.OUTCOME_GROUPS = {
  withheld = {
    "withheld.state_secret", "withheld.prohibited_by_law", "withheld.security_stability",
    "withheld.third_party", "withheld.internal_affairs", "withheld.process_information",
    "withheld.enforcement_files", "withheld.inquiry_matters",
  },
  unavailable = { "unavailable.not_held", "unavailable.needs_creation", "unavailable.still_unclear" },
  declined = {
    "declined.complaint", "declined.duplicate", "declined.publication",
    "declined.excessive", "declined.confirmation",
  },
  -- Form 2021 has the three sub-rows, form 2019 the one row `other`; a
  -- table has one or the other.
  other = { "other.no_correction", "other.unpaid_fee", "other.misc", "other" },
}

M.GROUPS = { "review", "litigation_direct", "litigation_after_review" }
M.GROUP_LABELS = {
  review = "行政复议",
  litigation_direct = "行政诉讼（未经复议直接起诉）",
  litigation_after_review = "行政诉讼（复议后起诉）",
}
M.RESULTS = { "upheld", "corrected", "other", "pending", "total" }
M.RESULT_LABELS = {
  upheld = "结果维持",
  corrected = "结果纠正",
  other = "其他结果",
  pending = "尚未审结",
  total = "总计",
}

M.TABLE_LABELS = { active = "表二", requests = "表三", appeals = "表四" }

M.ACTIVE_ROW_LABELS = {
  regulations = "规章",
  normative_documents = "行政规范性文件",
  licensing = "行政许可",
  other_services = "其他对外管理服务事项",
  punishment = "行政处罚",
  coercion = "行政强制",
  fees = "行政事业性收费",
  procurement = "政府集中采购",
}
M.ACTIVE_COLUMN_LABELS = {
  issued = "本年制发件数",
  repealed = "本年废止件数",
  in_force = "现行有效件数",
  decisions = "本年处理决定数量",
  amount_wan = "本年收费金额（万元）",
  made = "本年新制作数量",
  published = "本年新公开数量",
  total_public = "对外公开总数量",
  previous_items = "上一年项目数量",
  change = "本年增/减",
  items = "采购项目数量",
  amount = "采购总金额",
}

M.SECTION_TITLES = {
  "总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
  "政府信息公开行政复议、行政诉讼情况", "存在的主要问题及改进情况", "其他需要报告的事项",
}
M.CN_NUMERALS = { "一", "二", "三", "四", "五", "六" }

-- A cell's number, or nil when the report left it blank.
function M.num(v)
  if type(v) == "number" then
    return v
  end
  return nil
end

function M.show(v)
  if type(v) ~= "number" then
    return "（空白）"
  end
  if math.type(v) == "float" and v == math.floor(v) and math.abs(v) < 2 ^ 53 then
    return string.format("%d", v)
  end
  return tostring(v)
end

-- Adds the values of cells given as numbers or nils (a blank counts as 0).
-- Returns the sum and how many of the cells had a number.
function M.sum(values, n)
  local s, filled = 0, 0
  for i = 1, n do
    local v = values[i]
    if type(v) == "number" then
      s = s + v
      filled = filled + 1
    end
  end
  return s, filled
end

function M.requests_rows(report)
  local t = type(report) == "table" and report.requests
  if type(t) ~= "table" or type(t.rows) ~= "table" then
    return nil
  end
  return t.rows
end

-- The 1-based position of a column key in table 三's rows.
M.COLUMN_INDEX = {}
for i, k in ipairs(M.COLUMNS) do
  M.COLUMN_INDEX[k] = i
end

-- The value of table 三 at row key, column key; nil when blank or absent.
function M.request_cell(rows, row, column)
  local r = rows and rows[row]
  if type(r) ~= "table" then
    return nil
  end
  return M.num(r[M.COLUMN_INDEX[column]])
end

-- Which rows of table 三 the report's form has: the 2019 form when the
-- table has the single row `other` (or says form 2019), else 2021.
function M.form_of_requests(report)
  local rows = M.requests_rows(report)
  if rows and rows["other"] ~= nil then
    return "2019"
  end
  if rows and (rows["other.no_correction"] ~= nil or rows["other.unpaid_fee"] ~= nil
      or rows["other.misc"] ~= nil) then
    return "2021"
  end
  local meta = report.meta
  if type(meta) == "table" and meta.form == "2019" then
    return "2019"
  end
  return "2021"
end

function M.outcome_rows(report)
  if M.form_of_requests(report) == "2019" then
    return M.OUTCOMES_2019
  end
  return M.OUTCOMES_2021
end

-- "表三“（一）予以公开”行“自然人”列".
function M.request_cell_name(row, column)
  local s = "表三“" .. (M.ROW_LABELS[row] or row) .. "”行"
  if column then
    s = s .. "“" .. (M.COLUMN_LABELS[column] or column) .. "”列"
  end
  return s
end

function M.appeal_cell_name(group, result)
  local s = "表四“" .. (M.GROUP_LABELS[group] or group) .. "”"
  if result then
    s = s .. "“" .. (M.RESULT_LABELS[result] or result) .. "”"
  end
  return s
end

function M.active_cell_name(row, column)
  local s = "表二“" .. (M.ACTIVE_ROW_LABELS[row] or row) .. "”"
  if column then
    s = s .. "“" .. (M.ACTIVE_COLUMN_LABELS[column] or column) .. "”"
  end
  return s
end

-- The name of any table cell named by a `where` of the model's notes.
function M.cell_name(tbl, row, column)
  if tbl == "requests" then
    return M.request_cell_name(row or "?", column)
  elseif tbl == "appeals" then
    return M.appeal_cell_name(row or "?", column)
  elseif tbl == "active" then
    return M.active_cell_name(row or "?", column)
  end
  return tostring(tbl) .. " " .. tostring(row) .. " " .. tostring(column)
end

-- The section numbered n (1–6), or nil.
function M.section(report, n)
  if type(report.sections) ~= "table" then
    return nil
  end
  for _, s in ipairs(report.sections) do
    if type(s) == "table" and s.no == n then
      return s
    end
  end
  return nil
end

function M.section_text(report, n)
  local s = M.section(report, n)
  if s and type(s.text) == "string" then
    return s.text
  end
  return nil
end

-- The notes the recogniser left with this code.
function M.notes(report, code)
  local out = {}
  if type(report.notes) ~= "table" then
    return out
  end
  for _, n in ipairs(report.notes) do
    if type(n) == "table" and n.code == code then
      out[#out + 1] = n
    end
  end
  return out
end

-- Whether the recogniser could not tell which cells of a row hold which
-- numbers (an AMBIGUOUS_NUMBERS note): such cells are null without being
-- blank, and no identity or blank-cell check may read them. row nil asks
-- about any row of the table; a note without a row covers the whole table.
function M.ambiguous(report, tbl, row)
  for _, n in ipairs(M.notes(report, "AMBIGUOUS_NUMBERS")) do
    local w = type(n.where) == "table" and n.where or {}
    if w.table == tbl and (w.row == nil or row == nil or w.row == row) then
      return true
    end
  end
  return false
end

-- Which agencies publish a government's own report (条例第四十九条: "县级以上
-- 地方人民政府" — its report is due by 31 March) rather than a department's
-- (due by 31 January). A government is named …人民政府 with nothing after
-- it (上海市人民政府, but not 上海市人民政府办公厅; 同心县人民政府办公室 is a
-- department). Some areas are run by a body with a government's powers and
-- no 人民政府 in its name (平潭综合实验区): those are named in `governments`.
-- Township governments and street offices publish on dates set by local
-- rules. Rules copy these into their params, where a configuration can
-- change them.
M.GOVERNMENT_PATTERNS = { "人民政府$" }
M.GOVERNMENTS = { "平潭综合实验区", "平潭综合实验区管理委员会", "平潭综合实验区管委会" }
M.TOWNSHIP_PATTERNS = { "乡人民政府$", "镇人民政府$", "街道办事处$", "苏木人民政府$" }

local function matches(name, patterns)
  if type(patterns) ~= "table" then
    return false
  end
  for _, p in ipairs(patterns) do
    if type(p) == "string" and name:find(p) then
      return true
    end
  end
  return false
end

local function listed(name, list)
  if type(list) ~= "table" then
    return false
  end
  for _, v in ipairs(list) do
    if v == name then
      return true
    end
  end
  return false
end

-- "government", "township" or "department" for an agency name, by the
-- params' lists (governments, government_patterns, township_patterns;
-- missing ones default to the lists above); nil without a name.
function M.agency_kind(agency, params)
  if type(agency) ~= "string" or agency == "" then
    return nil
  end
  params = type(params) == "table" and params or {}
  local name = agency:gsub("%s+", "")
  if listed(name, params.governments or M.GOVERNMENTS) then
    return "government"
  end
  if matches(name, params.township_patterns or M.TOWNSHIP_PATTERNS) then
    return "township"
  end
  if matches(name, params.government_patterns or M.GOVERNMENT_PATTERNS) then
    return "government"
  end
  return "department"
end

-- A date given as "YYYY-MM-DD", "YYYY-MM-DD hh:mm", "YYYY/M/D" or
-- "YYYY年M月D日", as "YYYY-MM-DD"; nil when it is none of these.
function M.iso_date(s)
  if type(s) ~= "string" then
    return nil
  end
  s = M.normalize(s)
  local y, m, d = s:match("^%s*(%d%d%d%d)[-/.](%d%d?)[-/.](%d%d?)")
  if not y then
    y, m, d = s:match("^%s*(%d%d%d%d)年(%d%d?)月(%d%d?)日")
  end
  if not y then
    return nil
  end
  m, d = tonumber(m), tonumber(d)
  if m < 1 or m > 12 or d < 1 or d > 31 then
    return nil
  end
  return string.format("%s-%02d-%02d", y, m, d)
end

-- A report for 2018 or earlier, before the national table format: no
-- table, section or form checks apply to it.
function M.is_legacy(report)
  local meta = type(report.meta) == "table" and report.meta or {}
  return type(meta.year) == "number" and meta.year <= 2018
end

-- Full-width digits, letters and the common punctuation as ASCII, so that
-- Lua patterns can read numbers in the prose.
local FULLWIDTH = {
  ["０"] = "0", ["１"] = "1", ["２"] = "2", ["３"] = "3", ["４"] = "4",
  ["５"] = "5", ["６"] = "6", ["７"] = "7", ["８"] = "8", ["９"] = "9",
  ["．"] = ".", ["％"] = "%", ["（"] = "(", ["）"] = ")",
  ["："] = ":", ["　"] = " ", ["﹪"] = "%",
}

function M.normalize(text)
  if type(text) ~= "string" then
    return ""
  end
  return (text:gsub("[\xef\xe3][\x80-\xbf][\x80-\xbf]", function(c)
    return FULLWIDTH[c]
  end))
end

-- Splits prose into sentences at 。！？；, a semicolon or a line end.
-- Returns a list of strings, white space trimmed, empty ones left out.
function M.sentences(text)
  local out = {}
  if type(text) ~= "string" then
    return out
  end
  local s = text:gsub("。", "。\n"):gsub("！", "！\n"):gsub("？", "？\n")
      :gsub("；", "；\n"):gsub(";", ";\n")
  for line in s:gmatch("[^\n]+") do
    line = line:gsub("^%s+", ""):gsub("%s+$", "")
    if line ~= "" then
      out[#out + 1] = line
    end
  end
  return out
end

-- Paragraphs: the prose split at line ends.
function M.paragraphs(text)
  local out = {}
  if type(text) ~= "string" then
    return out
  end
  for line in text:gmatch("[^\n]+") do
    line = line:gsub("^%s+", ""):gsub("%s+$", "")
    if line ~= "" then
      out[#out + 1] = line
    end
  end
  return out
end

-- A sentence for a message: at most max characters (default 120), cut
-- with "…".
function M.quote(s, max)
  max = max or 120
  if type(s) ~= "string" then
    return ""
  end
  local n = utf8.len(s)
  if not n or n <= max then
    return s
  end
  return s:sub(1, utf8.offset(s, max + 1) - 1) .. "…"
end

-- Whether text contains any of the plain strings in list.
function M.has_any(text, list)
  if type(text) ~= "string" then
    return false
  end
  for _, w in ipairs(list) do
    if text:find(w, 1, true) then
      return w
    end
  end
  return false
end

-- The part of s before the first of the plain strings in delims (all of s
-- when none occurs). Lua's [...] classes work on bytes, so multi-byte
-- punctuation is cut this way instead.
function M.cut_at(s, delims)
  local best
  for _, d in ipairs(delims) do
    local at = s:find(d, 1, true)
    if at and (not best or at < best) then
      best = at
    end
  end
  if best then
    return s:sub(1, best - 1)
  end
  return s
end

-- A finding's `where` for a report file: the file, for cross-year messages.
function M.file_of(report)
  local src = type(report) == "table" and report.source
  if type(src) == "table" and type(src.file) == "string" then
    return src.file
  end
  return "（文件名未知）"
end

-- The pairs of consecutive years a cross-year rule compares: this report
-- with ctx.previous (the same agency's report for the year before) and,
-- when the host gives it, ctx.next (the year after, checked earlier). Each
-- pair is { earlier = model, later = model, this = "earlier"|"later" };
-- a model whose year is not one apart from this report's is left out.
function M.year_pairs(report, ctx)
  local out = {}
  local meta = type(report.meta) == "table" and report.meta or {}
  local year = meta.year
  if math.type(year) ~= "integer" then
    return out
  end
  local function year_of(m)
    return type(m) == "table" and type(m.meta) == "table" and m.meta.year or nil
  end
  if year_of(ctx.previous) == year - 1 then
    out[#out + 1] = { earlier = ctx.previous, later = report, this = "later" }
  end
  if year_of(ctx["next"]) == year + 1 then
    out[#out + 1] = { earlier = report, later = ctx["next"], this = "earlier" }
  end
  return out
end

-- "2022年度报告（pingtan-2022.txt）".
function M.report_name(m)
  local year = type(m.meta) == "table" and m.meta.year or nil
  return string.format("%s年度报告（%s）", tostring(year or "?"), M.file_of(m))
end

return M
