-- wrk script: round-robin over the request paths in a file (one a line), or POST a
-- prepared body to each of them; prints one machine-readable summary line.
--   wrk ... -s bench/paths.lua URL -- PATHS_FILE [BODY_FILE]

local paths = {}
local i = 0
local method = "GET"
local headers = {}
local body = nil

function init(args)
  local f = assert(io.open(args[1], "r"))
  for line in f:lines() do
    if #line > 0 then paths[#paths + 1] = line end
  end
  f:close()
  assert(#paths > 0, "no paths in " .. args[1])
  if args[2] then
    local b = assert(io.open(args[2], "rb"))
    body = b:read("*a")
    b:close()
    method = "POST"
    headers["Content-Type"] = "application/json"
  end
end

function request()
  i = i % #paths + 1
  return wrk.format(method, paths[i], headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
