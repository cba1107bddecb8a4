-- wrk script: POST a complete, valid answer set to /api/v1/links/<token>/responses,
-- with a submission_id that is unique per request: <run_id>-<thread id>-<counter>.
--
-- Usage (arguments after "--" win over the environment):
--   wrk --latency -t2 -c32 -d20s -s tests/bench/submit.lua http://127.0.0.1:8000 -- TOKEN ANSWERS_FILE RUN_ID
--   BENCH_TOKEN=... BENCH_ANSWERS=... BENCH_RUN_ID=... wrk ... -s tests/bench/submit.lua http://127.0.0.1:8000
--
--   TOKEN         the link token of one campaign unit
--   ANSWERS_FILE  a file holding the "answers" JSON object ({form_key: {question_key: answer}}), UTF-8
--   RUN_ID        letters, digits and "-" only; makes ids unique across runs (default "wrk")
--   BENCH_REPORT  (environment only) if set, done() writes a line-based report there:
--                   sent <thread_id> <requests sent by that thread>
--                   status <code> <count>
--                   ok <submission_id>          one line per 2xx answer whose body named its submission_id
--                 run_submission_bench.py uses it to check the database against what the clients were told.

local threads = {}

-- Runs in the main Lua state once per thread, before the threads start: number the threads.
function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_id", #threads)
end

local function read_file(path)
   local file = assert(io.open(path, "rb"), "cannot open answers file " .. tostring(path))
   local content = file:read("*a")
   file:close()
   return content
end

-- Runs in each thread's own Lua state.
function init(args)
   local token = args[1] or os.getenv("BENCH_TOKEN")
   local answers_file = args[2] or os.getenv("BENCH_ANSWERS")
   run_id = args[3] or os.getenv("BENCH_RUN_ID") or "wrk"
   assert(token and token ~= "", "give the link token as the first script argument or BENCH_TOKEN")
   assert(answers_file and answers_file ~= "", "give the answers file as the second argument or BENCH_ANSWERS")
   assert(run_id:match("^[A-Za-z0-9-]+$"), "RUN_ID: letters, digits and - only")
   answers_json = read_file(answers_file):gsub("%s+$", "")
   path = "/api/v1/links/" .. token .. "/responses"
   headers = {["Content-Type"] = "application/json"}
   id_prefix = run_id .. "-" .. thread_id .. "-"
   sent = 0
   status_counts = {}
   ok_ids = {}
end

-- Called for every request wrk writes, including the first one on a reopened connection.
function request()
   sent = sent + 1
   -- The demo campaign counts one answer per device: each request is a new device.
   local body = '{"submission_id":"' .. id_prefix .. sent .. '","identity":"device-' .. id_prefix .. sent
      .. '","answers":' .. answers_json .. '}'
   return wrk.format("POST", path, headers, body)
end

function response(status, response_headers, body)
   local key = tostring(status)
   status_counts[key] = (status_counts[key] or 0) + 1
   if status >= 200 and status < 300 then
      local id = body and body:match('"submission_id"%s*:%s*"([^"]+)"')
      if id then
         ok_ids[#ok_ids + 1] = id
      end
   end
end

-- Runs in the main Lua state after the run: gather the threads' counters.
function done(summary, latency, requests)
   local report_path = os.getenv("BENCH_REPORT")
   if not report_path or report_path == "" then
      return
   end
   local out = assert(io.open(report_path, "w"))
   local totals = {}
   for _, thread in ipairs(threads) do
      out:write("sent ", thread:get("thread_id"), " ", thread:get("sent") or 0, "\n")
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
