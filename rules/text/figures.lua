-- Figures the prose states against the tables. A report's text often
-- repeats its table figures ("全年共受理依申请公开事项16件"); evaluators
-- check that the two agree, because a report whose numbers disagree is
-- inaccurate (条例第五十条 lists what the report states; 年度报告格式
-- （国办公开办函〔2021〕30号） gives the tables the figures must come from).
--
-- What is matched, sentence by sentence: a number with the unit 件 (or 起,
-- 宗) whose own clause — the words since the previous number or the last
-- comma — says what it counts:
--   * disclosure requests (the clause names 依申请/公开申请/申请公开):
--     received (收到, 受理, 接收, 新收…) against 一、本年新收 — or 一+二, or
--     （七）总计, which reports also call "received"; handled (办结, 答复,
--     办理) against （七）总计 or 一+二; 上年结转 and 结转下年度; then
--     applicant types in the same sentence (涉及自然人72件、商业企业3件)
--     against the same rows' columns;
--   * outcomes (予以公开, 部分公开, 予以公开及部分公开, 不予公开, 无法提供,
--     不予处理, 其他处理) in a paragraph about requests, against the sum of
--     their rows; when a paragraph states the handled total and all five
--     outcome groups, their sum against that total;
--   * reconsideration and litigation about disclosure (the sentence names
--     信息公开 or it is section 四): 行政复议…件 against 表四 复议 总计,
--     诉讼…件 against both litigation totals; "均获维持" against 结果维持,
--     "均已结案/审结" against 尚未审结;
--   * normative documents and regulations (…规章/规范性文件 right before the
--     number): 制发/印发/出台/制定 against 本年制发 (form 2019: 新制作 or
--     新公开), 废止/失效 against 本年废止, 现行有效 against 现行有效, a bare
--     公开/发布 against either;
--   * 行政许可/行政处罚/行政强制 with 决定/作出/办结 against 本年处理决定数量.
-- A number any of whose table values is blank is not compared.
--
-- Prose not about a table figure is left alone: numbers in 条 or 个, letters
-- to a mailbox (信箱, 来信, 留言), documents that are interpreted, reviewed
-- or printed (解读, 审核, 刊登…), lists ending in 等. A sum the prose itself
-- states — "公开信息1211条，其中通过政府门户网站公开信息1034条，通过政务
-- 新媒体公开信息177条" — is checked where every part counts the same thing
-- as the whole (their clauses end in the same word): TEXT_SUM, a warning,
-- since a partial list or overlapping channels can be meant. The rest of
-- this rule prefers a miss to a false alarm.

local R = require "lib.report"

-- Units counted: the first three for table figures, all for stated sums.
local TABLE_UNITS = { ["件"] = true, ["起"] = true, ["宗"] = true }
local UNITS = { "人次", "件", "起", "宗", "条", "个", "项", "篇", "份" }
local CLAUSE_BREAKS = { "，", ",", "：", ":", "(", ")", "“", "”", "、" }
local FILLERS = { "共计", "合计", "总计", "累计", "共", "达", "为", "计", "有", "的" }

local REQUEST_MARKERS = { "依申请", "公开申请", "申请公开" }
local RECEIVED = { "收到", "受理", "接收", "新收", "共收", "接到", "收悉", "登记", "提出", "申请数" }
local HANDLED = { "办结", "答复", "办理", "处理完毕", "完成" }
local NOT_REQUESTS = { "信箱", "来信", "留言", "热线", "咨询", "信访", "投诉", "建议", "提案",
  "复议", "诉讼", "许可", "处罚", "12345" }

local OUTCOMES = {
  { words = { "予以公开及部分公开", "予以公开和部分公开", "公开及部分公开", "公开和部分公开",
    "予以公开、部分公开", "全部公开和部分公开", "全部或部分公开" },
    rows = { "granted", "partly_granted" }, name = "予以公开及部分公开", group = "open" },
  { words = { "部分公开" }, rows = { "partly_granted" }, name = "部分公开", group = "partly" },
  { words = { "予以公开", "全部公开" }, rows = { "granted" }, name = "予以公开", group = "granted" },
  { words = { "不予公开" }, rows = R.OUTCOME_GROUPS.withheld, name = "不予公开", group = "withheld" },
  { words = { "无法提供" }, rows = R.OUTCOME_GROUPS.unavailable, name = "无法提供", group = "unavailable" },
  { words = { "不予处理" }, rows = R.OUTCOME_GROUPS.declined, name = "不予处理", group = "declined" },
  { words = { "其他处理" }, rows = R.OUTCOME_GROUPS.other, name = "其他处理", group = "other" },
}
local NOT_OUTCOMES = { "文件", "公文", "规章", "信息公开申请", "事项" }

local APPLICANTS = {
  { words = { "法人或其他组织", "法人和其他组织", "法人及其他组织", "法人" }, columns = R.ORGANISATIONS,
    name = "法人或其他组织" },
  { words = { "自然人", "公民" }, columns = { "natural_person" }, name = "自然人" },
  { words = { "商业企业", "企业" }, columns = { "commercial" }, name = "商业企业" },
  { words = { "科研机构" }, columns = { "research" }, name = "科研机构" },
  { words = { "社会公益组织" }, columns = { "social_welfare" }, name = "社会公益组织" },
  { words = { "法律服务机构" }, columns = { "legal_services" }, name = "法律服务机构" },
}

local DOC_NOT = { "解读", "转发", "审核", "审查", "备案", "征求意见", "合法性", "刊登", "收录", "起草",
  "评估", "政策文件", "等", "各", "部门规范性文件", "下级" }
-- Documents reviewed (清理 may keep, amend or repeal them): not a column.
local DOC_REVIEWED = { "清理", "梳理", "审查" }
local DOC_IN_FORCE = { "现行有效", "有效" }
local DOC_REPEALED = { "废止", "宣布失效", "失效" }
local DOC_ISSUED = { "制发", "印发", "出台", "制定", "新制作", "新制定", "发文" }
local DOC_PUBLISHED = { "公开", "发布", "公布" }

local DECISIONS = {
  { word = "行政许可", row = "licensing" },
  { word = "行政处罚", row = "punishment" },
  { word = "行政强制", row = "coercion" },
}
local DECISION_WORDS = { "决定", "作出", "办结" }

local APPEALS_CONTEXT = { "信息公开", "公开申请", "依申请", "申请公开" }
local APPEALS_NOT = { "纠正", "纠错", "败诉", "维持", "撤销", "确认违法", "驳回", "审结", "结案", "未结",
  "胜诉", "其他结果" }
local ALL_UPHELD = { "均获维持", "均维持", "全部维持", "均被维持", "均予维持", "均予以维持",
  "全部获得维持", "均得到维持" }
local ALL_CLOSED = { "均已结案", "均已审结", "全部结案", "全部审结", "均已办结" }

-- Where in s the last of the plain strings in list begins, or nil.
local function last_of(s, list)
  local best
  for _, w in ipairs(list) do
    local init = 1
    while true do
      local a = s:find(w, init, true)
      if not a then
        break
      end
      if not best or a > best then
        best = a
      end
      init = a + 1
    end
  end
  return best
end

-- The part of s after the last clause break.
local function clause_of(s)
  local at, len = 0, 0
  for _, d in ipairs(CLAUSE_BREAKS) do
    local init = 1
    while true do
      local a = s:find(d, init, true)
      if not a then
        break
      end
      if a > at then
        at, len = a, #d
      end
      init = a + 1
    end
  end
  return at > 0 and s:sub(at + len) or s
end

-- s without the filler words at its end ("…申请共计" → "…申请").
local function strip_fillers(s)
  local changed = true
  while changed do
    changed = false
    for _, f in ipairs(FILLERS) do
      if #s > #f and s:sub(-#f) == f then
        s = s:sub(1, -#f - 1)
        changed = true
      end
    end
  end
  return s
end

local function ends_with(s, w)
  return #s >= #w and s:sub(-#w) == w
end

-- The numbers of a (normalised) sentence that carry a unit, each with the
-- text since the previous one (label) and everything before it (prefix).
local function mentions(s)
  local out, pos, prev_end = {}, 1, 0
  while true do
    local a, b = s:find("%d[%d,]*%.?%d*", pos)
    if not a then
      break
    end
    local num = s:sub(a, b)
    local after = b + 1
    while s:sub(after, after) == " " do
      after = after + 1
    end
    local unit
    for _, u in ipairs(UNITS) do
      if s:sub(after, after + #u - 1) == u then
        unit = u
        break
      end
    end
    local value = tonumber((num:gsub(",", "")))
    local before = s:sub(math.max(1, a - 3), a - 1)
    if unit and value and math.type(value) == "integer" and before ~= "第" then
      local label = s:sub(prev_end + 1, a - 1)
      out[#out + 1] = {
        value = value, unit = unit, first = a, last = after + #unit - 1,
        label = label, clause = clause_of(label), prefix = s:sub(1, a - 1),
      }
      prev_end = after + #unit - 1
    end
    pos = b + 1
  end
  return out
end

-- The table figure for some rows of table 三: their 总计 column (columns
-- nil) or the sum of some columns. A blank cell counts as 0 (as in the
-- identities), and a row whose 总计 is blank counts as the sum of its six
-- applicant cells; rows all blank give nil — the figure was not reported —
-- and so does a row the recogniser could not place (AMBIGUOUS_NUMBERS),
-- or one absent from the table. Rows of the other form (other.* vs other)
-- are skipped.
local function rows_sum(report, rows, keys, columns)
  local s, any = 0, false
  for _, k in ipairs(keys) do
    local r = rows[k]
    if r ~= nil then
      if type(r) ~= "table" or R.ambiguous(report, "requests", k) then
        return nil
      end
      local v
      if columns == nil then
        v = R.num(r[7])
        if v == nil then
          local sum, filled = R.sum(r, 6)
          v = filled > 0 and sum or nil
        end
      else
        local sum, filled = 0, 0
        for _, c in ipairs(columns) do
          local x = R.num(r[R.COLUMN_INDEX[c]])
          if x then
            sum, filled = sum + x, filled + 1
          end
        end
        v = filled > 0 and sum or nil
      end
      if v ~= nil then
        s, any = s + v, true
      end
    elseif k ~= "other" and k:sub(1, 6) ~= "other." then
      return nil
    end
  end
  return any and s or nil
end

local function plus(a, b)
  if a == nil or b == nil then
    return nil
  end
  return a + b
end

-- Candidate table values for a request count of a kind, in some columns.
local function request_values(report, rows, kind, columns)
  local new = rows_sum(report, rows, { "new" }, columns)
  local over = rows_sum(report, rows, { "carried_over" }, columns)
  local total = rows_sum(report, rows, { "total" }, columns)
  if kind == "received" then
    return { { new, "一、本年新收", "new" }, { plus(new, over), "一、本年新收＋二、上年结转" },
      { total, "（七）总计", "total" } }
  elseif kind == "handled" then
    return { { total, "（七）总计", "total" }, { plus(new, over), "一、本年新收＋二、上年结转" } }
  elseif kind == "carried_over" then
    return { { over, "二、上年结转", "carried_over" } }
  elseif kind == "carried_forward" then
    return { { rows_sum(report, rows, { "carried_forward" }, columns), "四、结转下年度继续办理",
      "carried_forward" } }
  end
  return {}
end

local KIND_NAMES = {
  received = "收到的申请", handled = "办结（答复）的申请",
  carried_over = "上年结转的申请", carried_forward = "结转下年度的申请",
}

local function check(report, ctx)
  if type(report.sections) ~= "table" then
    return
  end
  local rows = R.requests_rows(report)
  local form = R.form_of_requests(report)
  local appeals = type(report.appeals) == "table" and report.appeals or nil
  local active = type(report.active) == "table" and report.active or nil

  local function report_mismatch(sec, sentence, what, value, candidates, where)
    local known = {}
    for _, c in ipairs(candidates) do
      if c[1] == nil then
        return
      end
      if c[1] == value then
        return
      end
      known[#known + 1] = c
    end
    if #known == 0 then
      return
    end
    local shown = {}
    for _, c in ipairs(known) do
      shown[#shown + 1] = string.format("%s为%s", c[2], R.show(c[1]))
    end
    where.section = sec.no
    where.quote = sentence
    ctx:finding{
      code = "TEXT_TABLE_MISMATCH",
      message = string.format("第%s部分称“%s”：文中%s为%s件，而%s",
        R.CN_NUMERALS[sec.no] or tostring(sec.no), R.quote(sentence), what, R.show(value),
        table.concat(shown, "，")),
      where = where,
      expected = known[1][1],
      actual = value,
    }
  end

  -- Table 四 figures for some groups: a blank counts as 0, a group whose
  -- 总计 is blank as the sum of its results; nil when all are blank.
  local function appeal_total(groups, field)
    local s, any = 0, false
    for _, g in ipairs(groups) do
      local grp = appeals and appeals[g]
      if type(grp) == "table" then
        local v = R.num(grp[field])
        if v == nil and field == "total" then
          for _, k in ipairs({ "upheld", "corrected", "other", "pending" }) do
            local x = R.num(grp[k])
            if x then
              v = (v or 0) + x
            end
          end
        end
        if v ~= nil then
          s, any = s + v, true
        end
      end
    end
    return any and s or nil
  end

  for _, sec in ipairs(report.sections) do
    local text = type(sec) == "table" and type(sec.text) == "string" and sec.text or nil
    for _, para in ipairs(R.paragraphs(text)) do
      local npara = R.normalize(para)
      local para_requests = npara:find("申请", 1, true) ~= nil
      -- For the outcome sum: the last handled total, and the outcome
      -- groups stated after it.
      local handled, handled_sentence, groups_seen = nil, nil, {}

      for _, sentence in ipairs(R.sentences(para)) do
        local s = R.normalize(sentence)
        local topic, topic_kind, doc_verb = nil, nil, nil
        local ms = mentions(s)
        -- Reconsideration and litigation counts are about disclosure when
        -- their own clause says so, in section 四, or right after such a
        -- count in the same sentence ("…信息公开类行政复议7件，诉讼9件"): a
        -- 司法局 may count all its reconsiderations elsewhere.
        local appeals_chain = false

        for i, m in ipairs(ms) do
          local c = m.clause
          local done = false
          if TABLE_UNITS[m.unit] then
            -- Reconsideration and litigation.
            local rv, lit = c:find("复议", 1, true), c:find("诉讼", 1, true)
            if (rv or lit) and not done then
              done = true
              local context = sec.no == 4 or R.has_any(c, APPEALS_CONTEXT) or appeals_chain
              appeals_chain = context
              if appeals and context and not R.has_any(c, APPEALS_NOT)
                  and not R.ambiguous(report, "appeals", nil) then
                local review = appeal_total({ "review" }, "total")
                local litig = appeal_total({ "litigation_direct", "litigation_after_review" }, "total")
                if rv and lit then
                  report_mismatch(sec, sentence, "行政复议和行政诉讼案件", m.value,
                    { { plus(review, litig), "表四行政复议与行政诉讼总计之和" } }, { table = "appeals" })
                elseif rv then
                  report_mismatch(sec, sentence, "行政复议案件", m.value,
                    { { review, "表四行政复议总计" } }, { table = "appeals", row = "review", column = "total" })
                else
                  report_mismatch(sec, sentence, "行政诉讼案件", m.value,
                    { { litig, "表四行政诉讼（直接起诉与复议后起诉）总计之和" } },
                    { table = "appeals", column = "total" })
                end
              end
            end

            -- Outcomes of requests.
            -- The outcome named last, by where its word ends, so that
            -- "予以公开及部分公开" is the combined one, not 部分公开.
            local oc_end, oc = nil, nil
            for _, o in ipairs(OUTCOMES) do
              for _, w in ipairs(o.words) do
                local at = last_of(c, { w })
                if at and (not oc_end or at + #w > oc_end) then
                  oc_end, oc = at + #w, o
                end
              end
            end
            if oc and not done then
              done = true
              if rows and para_requests and not R.has_any(c, NOT_OUTCOMES) then
                local v = rows_sum(report, rows, oc.rows)
                report_mismatch(sec, sentence, "“" .. oc.name .. "”的申请", m.value,
                  { { v, "表三“" .. oc.name .. "”各项合计" } }, { table = "requests", column = "total" })
                if handled then
                  groups_seen[oc.group] = m.value
                end
              end
            end

            -- Requests received, handled, carried over.
            if not done and rows then
              local marker = R.has_any(c, REQUEST_MARKERS)
                  or (c:find("申请", 1, true) and R.has_any(m.prefix, REQUEST_MARKERS))
              if marker and not R.has_any(c, NOT_REQUESTS) then
                local kind
                if c:find("结转", 1, true) and (c:find("上年", 1, true) or c:find("上一年", 1, true)) then
                  kind = "carried_over"
                elseif c:find("结转", 1, true) or c:find("顺延", 1, true) then
                  kind = "carried_forward"
                else
                  local r_at, h_at = last_of(c, RECEIVED), last_of(c, HANDLED)
                  if r_at and h_at then
                    kind = "either"
                  elseif r_at then
                    kind = "received"
                  elseif h_at then
                    kind = "handled"
                  end
                end
                if kind then
                  done = true
                  local cands
                  if kind == "either" then
                    cands = request_values(report, rows, "received")
                    for _, x in ipairs(request_values(report, rows, "handled")) do
                      cands[#cands + 1] = x
                    end
                  else
                    cands = request_values(report, rows, kind)
                  end
                  for _, x in ipairs(cands) do
                    x[2] = "表三“" .. x[2] .. "”"
                  end
                  report_mismatch(sec, sentence, KIND_NAMES[kind] or "收到和办结的申请", m.value, cands,
                    { table = "requests", row = cands[1] and cands[1][3], column = "total" })
                  topic, topic_kind = true, kind
                  if kind == "handled" or kind == "either" then
                    handled, handled_sentence, groups_seen = m.value, sentence, {}
                  end
                end
              end
            end

            -- Applicant types, after a request count in the same sentence.
            if not done and topic and rows and not R.has_any(c, NOT_REQUESTS) then
              for _, a in ipairs(APPLICANTS) do
                if R.has_any(c, a.words) then
                  done = true
                  local kinds = topic_kind == "either" and { "received", "handled" } or { topic_kind }
                  local cands = {}
                  for _, k in ipairs(kinds) do
                    for _, x in ipairs(request_values(report, rows, k, a.columns)) do
                      x[2] = "表三“" .. x[2] .. "”行“" .. a.name .. "”"
                      cands[#cands + 1] = x
                    end
                  end
                  report_mismatch(sec, sentence, a.name .. "的申请", m.value, cands,
                    { table = "requests", row = cands[1] and cands[1][3],
                      column = #a.columns == 1 and a.columns[1] or nil })
                  break
                end
              end
            end

            -- Regulations and normative documents.
            if not done and active then
              local core = strip_fillers(c)
              local row
              if ends_with(core, "规范性文件") and not c:find("规章", 1, true) then
                row = "normative_documents"
              elseif ends_with(core, "规章") and not c:find("规范性文件", 1, true) then
                row = "regulations"
              end
              if row then
                done = true
                -- The verb nearest the number decides ("清理并集中发布现行有效
                -- 行政规范性文件393件" counts documents in force).
                local verb, best
                for _, v in ipairs({ { "in_force", DOC_IN_FORCE }, { "repealed", DOC_REPEALED },
                    { "issued", DOC_ISSUED }, { "published", DOC_PUBLISHED },
                    { "reviewed", DOC_REVIEWED } }) do
                  for _, w in ipairs(v[2]) do
                    local a = last_of(c, { w })
                    if a and (not best or a + #w > best) then
                      verb, best = v[1], a + #w
                    end
                  end
                end
                if not verb and doc_verb
                    and (core == "规章" or core == "规范性文件" or core == "行政规范性文件") then
                  verb = doc_verb
                end
                if verb == "reviewed" then
                  verb = nil
                end
                if verb and not R.has_any(c, DOC_NOT) then
                  doc_verb = verb
                  local blk = type(active[row]) == "table" and active[row] or {}
                  local cands
                  local name = R.ACTIVE_ROW_LABELS[row]
                  local function cand(col)
                    return { R.num(blk[col]), "表二“" .. name .. "”" .. R.ACTIVE_COLUMN_LABELS[col], col }
                  end
                  if form == "2019" or blk.made ~= nil or blk.total_public ~= nil then
                    if verb == "in_force" then
                      cands = { cand("total_public") }
                    elseif verb ~= "repealed" then
                      cands = { cand("made"), cand("published") }
                    end
                  else
                    if verb == "published" then
                      cands = { cand("issued"), cand("in_force") }
                    else
                      cands = { cand(verb) }
                    end
                  end
                  if cands and not R.ambiguous(report, "active", row) then
                    local what = ({ in_force = "现行有效的", repealed = "废止的", issued = "制发的",
                      published = "公开的" })[verb] .. name
                    report_mismatch(sec, sentence, what, m.value, cands,
                      { table = "active", row = row, column = cands[1][3] })
                  end
                end
              end
            end

            -- Licensing, penalty and coercion decisions.
            if not done and active and R.has_any(c, DECISION_WORDS) then
              local found
              for _, d in ipairs(DECISIONS) do
                if c:find(d.word, 1, true) then
                  found = found and "two" or d
                end
              end
              if type(found) == "table" and not R.ambiguous(report, "active", found.row) then
                local blk = type(active[found.row]) == "table" and active[found.row] or {}
                report_mismatch(sec, sentence, found.word .. "决定", m.value,
                  { { R.num(blk.decisions), "表二“" .. found.word .. "”本年处理决定数量" } },
                  { table = "active", row = found.row, column = "decisions" })
              end
            end
          end

          -- A sum the prose states: N…，其中 A…, B… where every part's
          -- clause ends in the same word as the whole's.
          local nxt = s:sub(m.last + 1, m.last + 12)
          if nxt:find("^[,，:：]?%s*其中") or nxt:find("^，其中") then
            local noun = strip_fillers(c)
            noun = utf8.len(noun) and utf8.len(noun) >= 2 and noun:sub(utf8.offset(noun, -2)) or nil
            local parts, sum = {}, 0
            for j = i + 1, #ms do
              local p = ms[j]
              if p.unit ~= m.unit or p.label:find("另", 1, true) then
                break
              end
              parts[#parts + 1] = p
              sum = sum + p.value
            end
            local same = noun ~= nil and #parts >= 2
            for _, p in ipairs(parts) do
              if not same or not ends_with(strip_fillers(p.clause), noun) then
                same = false
                break
              end
            end
            if same and sum ~= m.value then
              local shown = {}
              for _, p in ipairs(parts) do
                shown[#shown + 1] = R.show(p.value)
              end
              ctx:finding{
                code = "TEXT_SUM",
                severity = "warning",
                message = string.format("第%s部分称“%s”：总数为%s%s，而其中各项之和为%s（%s）",
                  R.CN_NUMERALS[sec.no] or tostring(sec.no), R.quote(sentence), R.show(m.value), m.unit,
                  R.show(sum), table.concat(shown, "＋")),
                where = { section = sec.no, quote = sentence },
                expected = m.value,
                actual = sum,
              }
            end
          end
        end

        -- "均获维持" and "均已结案" about the appeals mentioned.
        local appeals_context = sec.no == 4 or R.has_any(s, APPEALS_CONTEXT)
        if appeals and appeals_context and not R.ambiguous(report, "appeals", nil) then
          local groups = {}
          if s:find("复议", 1, true) then
            groups[#groups + 1] = "review"
          end
          if s:find("诉讼", 1, true) then
            groups[#groups + 1] = "litigation_direct"
            groups[#groups + 1] = "litigation_after_review"
          end
          if #groups > 0 then
            local total = appeal_total(groups, "total")
            local function claim(words, field, wanted, what)
              local w = R.has_any(s, words)
              if not w or total == nil or total == 0 then
                return
              end
              local v = appeal_total(groups, field) or 0
              local want = wanted == "total" and total or 0
              if v ~= want then
                local detail = {}
                for _, g in ipairs(groups) do
                  local grp = type(appeals[g]) == "table" and appeals[g] or {}
                  detail[#detail + 1] = string.format("%s总计%s件，其中结果维持%s、结果纠正%s、其他结果%s、尚未审结%s",
                    R.GROUP_LABELS[g], R.show(grp.total), R.show(grp.upheld), R.show(grp.corrected),
                    R.show(grp.other), R.show(grp.pending))
                end
                ctx:finding{
                  code = "TEXT_APPEALS_CLAIM",
                  message = string.format("第%s部分称“%s”（%s），而表四%s",
                    R.CN_NUMERALS[sec.no] or tostring(sec.no), R.quote(sentence), what,
                    table.concat(detail, "；")),
                  where = { section = sec.no, quote = sentence, table = "appeals", column = field },
                  expected = want,
                  actual = v,
                }
              end
            end
            claim(ALL_UPHELD, "upheld", "total", "即全部结果维持")
            claim(ALL_CLOSED, "pending", "zero", "即没有尚未审结的案件")
          end
        end
      end

      -- The five outcome groups stated after a handled total add up to it.
      local g = groups_seen
      local open = g.open or plus(g.granted, g.partly)
      if handled and open and g.withheld and g.unavailable and g.declined and g.other then
        local sum = open + g.withheld + g.unavailable + g.declined + g.other
        if sum ~= handled then
          ctx:finding{
            code = "TEXT_OUTCOMES_SUM",
            message = string.format(
              "第%s部分称办结（答复）申请%s件（“%s”），而文中所列办理结果予以公开及部分公开%s、不予公开%s、无法提供%s、不予处理%s、其他处理%s件，合计%s件",
              R.CN_NUMERALS[sec.no] or tostring(sec.no), R.show(handled), R.quote(handled_sentence, 60),
              R.show(open), R.show(g.withheld), R.show(g.unavailable), R.show(g.declined), R.show(g.other),
              R.show(sum)),
            where = { section = sec.no, quote = handled_sentence },
            expected = handled,
            actual = sum,
          }
        end
      end
    end
  end
end

return {
  id = "text.figures",
  title = "正文所述数字与表格一致",
  severity = "error",
  basis = "条例第五十条；年度报告格式（国办公开办函〔2021〕30号）",
  check = check,
}
