-- items.lua - wrk script for bench/run: the guide's request, POST with a JSON body and a bearer
-- token, with one repeated token or a fresh token from a pool on every request.
--
-- Environment:
--   BENCH_PATH      request path (default: the URL's)
--   BENCH_TOKEN     bearer token sent on every request (none when empty)
--   BENCH_POOL      file of tokens, one a line: each wrk thread takes every Nth line and sends
--                   each in turn, counting how often it had to start over (wraps)
--   BENCH_THREADS   wrk's -t (to split the pool)
--   BENCH_DELAY_MS  pause before each request of a connection (a light, steady probe)
--   BENCH_HEADER    one extra request header, "Name: value"
--   BENCH_RESULT    file that receives the figures as "key value" lines

local path = os.getenv("BENCH_PATH") -- nil: wrk.format takes the URL's path
local token = os.getenv("BENCH_TOKEN") or ""
local pool_file = os.getenv("BENCH_POOL") or ""
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1") or 1
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0") or 0
local result = os.getenv("BENCH_RESULT") or ""
local extra = os.getenv("BENCH_HEADER") or ""
local body = '{"name":"Widget","description":"A test item"}'

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("tid", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

local function format(tok)
   local headers = { ["Content-Type"] = "application/json" }
   if tok ~= "" then
      headers["Authorization"] = "Bearer " .. tok
   end
   local name, value = extra:match("^([^:]+):%s*(.*)$")
   if name then
      headers[name] = value
   end
   return wrk.format("POST", path, headers, body)
end

local reqs = {}
local idx = 0
wraps = 0

function init(args)
   if pool_file ~= "" then
      local f = assert(io.open(pool_file, "r"))
      local n = 0
      for line in f:lines() do
         if n % nthreads == tid and line ~= "" then
            reqs[#reqs + 1] = format(line)
         end
         n = n + 1
      end
      f:close()
      assert(#reqs > 0, "empty token pool for this thread")
   else
      reqs[1] = format(token)
   end
end

function request()
   idx = idx + 1
   if idx > #reqs then
      idx = 1
      if pool_file ~= "" then
         wraps = wraps + 1
      end
   end
   return reqs[idx]
end

if delay_ms > 0 then
   function delay()
      return delay_ms
   end
end

function done(summary, latency, requests)
   if result == "" then
      return
   end
   local total_wraps = 0
   for _, t in ipairs(threads) do
      total_wraps = total_wraps + (t:get("wraps") or 0)
   end
   local e = summary.errors
   local f = assert(io.open(result, "w"))
   f:write(string.format("requests %d\nduration_us %d\n", summary.requests, summary.duration))
   f:write(string.format("err_connect %d\nerr_read %d\nerr_write %d\nerr_status %d\n",
                         e.connect, e.read, e.write, e.status))
   f:write(string.format("err_timeout %d\n", e.timeout))
   f:write(string.format("p50_us %d\np90_us %d\np99_us %d\nmax_us %d\n",
                         latency:percentile(50), latency:percentile(90),
                         latency:percentile(99), latency.max))
   f:write(string.format("pool_wraps %d\n", total_wraps))
   f:close()
end
