-- The authorization-code exchange for wrk: every request spends a code
-- made beforehand by `roster dev oidc-codes` (codes are single use), each
-- wrk thread its own share of them. Configured by scripts/bench:
--   WRK_CODES_FILE  the codes, one a line (the client's line first)
--   WRK_BASIC       the client's credentials, base64 (HTTP Basic)
--   WRK_REDIRECT    the redirect URI the codes were issued for
local file = os.getenv("WRK_CODES_FILE")
local basic = os.getenv("WRK_BASIC")
local redirect = os.getenv("WRK_REDIRECT")
local threads = {}
local codes = {}
local next_code = 1

setup = function(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

init = function(args)
  local n = 0
  for line in io.lines(file) do
    if n > 0 and (n % 2) == tid then
      table.insert(codes, line)
    end
    n = n + 1
  end
  wrk.headers["Authorization"] = "Basic " .. basic
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

request = function()
  local code = codes[next_code] or "spent"
  next_code = next_code + 1
  local body = "grant_type=authorization_code&redirect_uri=" .. redirect .. "&code=" .. code
  return wrk.format("POST", "/oauth/token", nil, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format("RESULT requests=%d rps=%.1f p50=%.2f p99=%.2f errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
