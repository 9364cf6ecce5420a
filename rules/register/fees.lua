-- Information processing fees from the request register: 条例第四十二条 and
-- 《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）. Each request is
-- charged by one method, never both (第三条):
--
-- 按件 (第四条): the same applicant's requests in one calendar month are
--   counted together; the 1st-10th are free, the 11th-30th cost 100 yuan
--   each, and from the 31st every band of 10 costs 100 yuan more. A request
--   split into several (一事一申请) counts as its 件数.
-- 按量 (第五条): the pages of one request: 1-30 free, 31-100 10 yuan a page,
--   101-200 20 yuan, from 201 40 yuan, each band for the pages in it.
--
-- A row with 页数 was charged by the page; a row without, by the request.
-- A charge within the free allowance, or one that differs from the tiers,
-- is an error showing the computation.

local G = require "lib.register"

local function month_key(row)
  local received = G.date(row, "received")
  local applicant = type(row.applicant) == "string" and row.applicant or nil
  if not received or not applicant then
    return nil
  end
  return applicant .. "\0" .. received:sub(1, 7)
end

local function count_of(row)
  local items = row.items
  if math.type(items) == "integer" and items >= 1 then
    return items
  end
  return 1
end

local function check(report, ctx)
  if not G.is_register(report) then
    return -- the engine runs it on registers only; rule tests may not
  end
  -- Every request of an applicant in a month, in the order received, to
  -- know which 件 of the month each one is.
  local rows = G.rows(report)
  local order = {}
  for i, row in ipairs(rows) do
    order[i] = { row = row, i = i }
  end
  table.sort(order, function(a, b)
    local ra, rb = G.date(a.row, "received") or "", G.date(b.row, "received") or ""
    if ra ~= rb then
      return ra < rb
    end
    return a.i < b.i
  end)
  local seen, first = {}, {}
  for _, o in ipairs(order) do
    local key = month_key(o.row)
    if key then
      first[o.row] = (seen[key] or 0) + 1
      seen[key] = (seen[key] or 0) + count_of(o.row)
    end
  end

  for _, row in ipairs(rows) do
    local fee = type(row.fee) == "number" and row.fee or nil
    if fee and fee > 0 then
      local expected, how
      local pages = math.type(row.pages) == "integer" and row.pages or nil
      if pages then
        expected, how = G.per_page_fee(pages)
      elseif first[row] then
        local k = first[row]
        local last = k + count_of(row) - 1
        local total, parts = G.per_request_fee(k, last)
        expected = total
        local y, m = G.date(row, "received"):match("^(%d+)%-(%d+)")
        how = string.format("按件计收：%s%d年%d月的第%s件，%s，合计%d元", row.applicant,
          tonumber(y), tonumber(m), k == last and tostring(k) or (k .. "—" .. last), parts, total)
      end
      if expected == nil then
        ctx:finding{
          code = "REG_FEE_UNVERIFIED",
          severity = "info",
          message = string.format("%s收费%s元，但未登记页数，也未登记申请人或收到日期，无法按件或按量核对",
            G.label(row), tostring(fee)),
          where = G.where(row, "fee"),
        }
      elseif expected == 0 then
        ctx:finding{
          code = "REG_FEE_FREE",
          message = string.format("%s收费%s元，但在免费范围内：%s", G.label(row), tostring(fee), how),
          where = G.where(row, "fee"),
          expected = 0,
          actual = fee,
        }
      elseif math.abs(fee - expected) > 0.005 then
        ctx:finding{
          code = "REG_FEE_WRONG",
          message = string.format("%s收费%s元，应为%d元：%s", G.label(row), tostring(fee), expected, how),
          where = G.where(row, "fee"),
          expected = expected,
          actual = fee,
        }
      end
    end
  end
end

return {
  id = "register.fees",
  title = "信息处理费按件或按量累进计收（登记台账）",
  kind = "register",
  severity = "error",
  basis = "条例第四十二条；国办函〔2020〕109号第三条至第五条",
  check = check,
}
