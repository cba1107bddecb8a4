-- wrk script: a QR surge. Residents from many addresses open the questionnaire page of one of many units, submit
-- complete answers, and some phones resend a submission they already sent (a flaky network). Used by
-- run_surge.py (rising concurrency, the soak, the fault runs); the report format is submit.lua's, so the same
-- verification applies (every id answered 2xx is stored exactly once).
--
--   wrk -s tests/bench/surge.lua http://127.0.0.1:8000 -- TOKENS_FILE ANSWERS_FILE RUN_ID
--
--   TOKENS_FILE   link tokens, one a line (each unit's QR link)
--   ANSWERS_FILE  the "answers" JSON object for the campaign's questionnaires
--   RUN_ID        letters, digits and "-" only
--   BENCH_MIX     (environment) "pages:submissions:resends" in percent, default "55:38:7"
--   BENCH_DELAY_MS (environment) think time before each request on a connection (steady-rate soak), default 0
--   BENCH_REPORT  (environment) where done() writes the report (see submit.lua)
--
-- Each request carries an X-Forwarded-For address from 198.18.0.0/15 (the range reserved for benchmarks): the
-- servers run with TRUSTED_PROXY_COUNT=1 as behind nginx, so the per-address rate limits see many residents.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_id", #threads)
end

local function read_file(path)
   local file = assert(io.open(path, "rb"), "cannot open " .. tostring(path))
   local content = file:read("*a")
   file:close()
   return content
end

function init(args)
   local tokens_file, answers_file = args[1], args[2]
   run_id = args[3] or "surge"
   assert(run_id:match("^[A-Za-z0-9-]+$"), "RUN_ID: letters, digits and - only")
   tokens = {}
   for line in read_file(tokens_file):gmatch("[^\n]+") do
      tokens[#tokens + 1] = line
   end
   assert(#tokens > 0, "no link tokens")
   answers_json = read_file(answers_file):gsub("%s+$", "")
   local mix = os.getenv("BENCH_MIX") or "55:38:7"
   local pages, submissions = mix:match("^(%d+):(%d+):%d+$")
   page_share, submit_share = tonumber(pages), tonumber(submissions)
   think_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
   id_prefix = run_id .. "-" .. thread_id .. "-"
   math.randomseed(os.time() + thread_id * 7919)
   sent, n, resent = 0, 0, 0
   status_counts = {}
   ok_ids = {}
   last_body, last_path = nil, nil
end

local function address()
   return "198." .. math.random(18, 19) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
end

function delay()
   return think_ms
end

function request()
   n = n + 1
   local token = tokens[math.random(#tokens)]
   local roll = math.random(100)
   local headers = {["X-Forwarded-For"] = address()}
   if roll <= page_share then
      return wrk.format("GET", "/s/" .. token, headers)
   end
   headers["Content-Type"] = "application/json"
   if roll > page_share + submit_share and last_body then
      resent = resent + 1
      return wrk.format("POST", last_path, headers, last_body)
   end
   sent = sent + 1
   local id = id_prefix .. sent
   last_path = "/api/v1/links/" .. token .. "/responses"
   last_body = '{"submission_id":"' .. id .. '","identity":"device-' .. id .. '","answers":' .. answers_json .. '}'
   return wrk.format("POST", last_path, headers, last_body)
end

function response(status, response_headers, body)
   local id = body and body:match('"submission_id"%s*:%s*"([^"]+)"')
   local key = tostring(status)
   if status < 300 then
      key = id and (status == 201 and "201" or "200-resend") or "200-page"
   end
   status_counts[key] = (status_counts[key] or 0) + 1
   if id and status >= 200 and status < 300 then
      ok_ids[#ok_ids + 1] = id
   end
end

function done(summary, latency, requests)
   local report_path = os.getenv("BENCH_REPORT")
   if not report_path or report_path == "" then
      return
   end
   local out = assert(io.open(report_path, "w"))
   local totals = {}
   for _, thread in ipairs(threads) do
      out:write("sent ", thread:get("thread_id"), " ", thread:get("sent") or 0, "\n")
      out:write("resent ", thread:get("thread_id"), " ", thread:get("resent") or 0, "\n")
      for code, count in pairs(thread:get("status_counts") or {}) do
         totals[code] = (totals[code] or 0) + count
      end
      for _, id in ipairs(thread:get("ok_ids") or {}) do
         out:write("ok ", id, "\n")
      end
   end
   for code, count in pairs(totals) do
      out:write("status ", code, " ", count, "\n")
   end
   out:close()
end
