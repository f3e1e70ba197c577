-- wrk.lua -- the benchmark's wrk script.  Environment:
--
--   BENCH_POOL  a pool file written by presign.mjs (optional).  With one
--               request in it, that request is replayed (wrk's static
--               fast path: no Lua per request).  With more, every request
--               sent is the next pre-signed one (each thread takes its own
--               slice); running past the end wraps around, which the server
--               answers 422 (duplicate identifier), so it shows as errors.
--               A pool with a "#cycle yes" line is meant to be replayed in
--               a loop (requests that may repeat, e.g. OSCP heartbeats with
--               one token per line): wrapping around is not an error then.
--   BENCH_NAME  label copied into the result line.
--
-- No response() callback (it would slow wrk down): wrk itself counts
-- non-2xx/3xx answers (summary.errors.status) and socket errors.  done()
-- prints one line "BENCH_RESULT {json}" with requests, errors and the
-- latency percentiles in microseconds.

local pool_file = os.getenv("BENCH_POOL")
local threads = {}
local tid = 0

-- Parse a pool file: returns method, path, headers, list of {auth, body}.
local function load_pool(file, slice, nslices)
   local f = assert(io.open(file, "r"))
   local method, path, headers, reqs = "GET", "/", {}, {}
   local n, cycle = 0, 0
   for line in f:lines() do
      if line:sub(1, 1) == "#" then
         local key, rest = line:match("^#(%a+) (.*)$")
         if key == "method" then
            method = rest
         elseif key == "path" then
            path = rest
         elseif key == "cycle" then
            cycle = rest == "yes" and 1 or 0
         elseif key == "header" then
            local name, value = rest:match("^([^:]+): ?(.*)$")
            headers[name] = value
         end
      elseif line ~= "" then
         if n % nslices == slice then
            local auth, body = line:match("^([^\t]*)\t(.*)$")
            reqs[#reqs + 1] = { auth, body }
         end
         n = n + 1
      end
   end
   f:close()
   return method, path, headers, reqs, n, cycle
end

function setup(thread)
   thread:set("tid", tid)
   tid = tid + 1
   threads[#threads + 1] = thread
end

local reqs, raw_prefix, nreqs
issued = 0
pool_size = 0
pool_cycle = 0

function init(args)
   if not pool_file or pool_file == "" then
      return
   end
   local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
   local method, path, headers, list, total, cycle = load_pool(pool_file, tid, nthreads)
   pool_size = #list
   pool_cycle = cycle
   if total == 1 then
      -- Static replay: wrk formats this once.
      wrk.method = method
      wrk.path = path
      for k, v in pairs(headers) do
         wrk.headers[k] = v
      end
      wrk.headers["Authorization"] = list[1][1]
      if list[1][2] ~= "" then
         wrk.body = list[1][2]
      end
      return
   end
   -- Dynamic: the fixed part of every request, then per request the
   -- Authorization, Content-Length and body.
   local s = { method .. " " .. path .. " HTTP/1.1" }
   for k, v in pairs(headers) do
      s[#s + 1] = k .. ": " .. v
   end
   raw_prefix = table.concat(s, "\r\n") .. "\r\n"
   reqs = list
   nreqs = #list
   request = function()
      issued = issued + 1
      local r = reqs[(issued - 1) % nreqs + 1]
      local body = r[2]
      if body == "" then
         return raw_prefix .. "Authorization: " .. r[1] .. "\r\n\r\n"
      end
      return raw_prefix .. "Authorization: " .. r[1] ..
         "\r\nContent-Length: " .. #body .. "\r\n\r\n" .. body
   end
end

function done(summary, latency, requests)
   local issued_max, pool_min, cycle = 0, nil, 0
   for _, t in ipairs(threads) do
      local i = tonumber(t:get("issued")) or 0
      if tonumber(t:get("pool_cycle")) == 1 then cycle = 1 end
      local p = tonumber(t:get("pool_size")) or 0
      if i > issued_max then issued_max = i end
      if pool_min == nil or p < pool_min then pool_min = p end
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"name":"%s","requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"connect_errors":%d,"read_errors":%d,"write_errors":%d,' ..
      '"status_errors":%d,"timeouts":%d,"lat_mean_us":%.1f,' ..
      '"lat_p50_us":%d,"lat_p90_us":%d,"lat_p99_us":%d,"lat_p999_us":%d,' ..
      '"lat_max_us":%d,"pool_issued_max":%d,"pool_size_min":%d,' ..
      '"pool_cycle":%d}\n',
      os.getenv("BENCH_NAME") or "", summary.requests, summary.duration,
      summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
      latency.mean, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency:percentile(99.9), latency.max,
      issued_max, pool_min or 0, cycle))
end
