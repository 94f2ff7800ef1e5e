-- One benchmark scenario for wrk, configured from the environment by
-- scripts/bench, and one machine-readable line of results at the end.
--   WRK_PATH     request path; "{id}" is replaced by a random id in
--                1..WRK_MAX_ID (the same sequence every run)
--   WRK_METHOD   GET (default) or POST
--   WRK_BODY     form-encoded body for POST
--   WRK_TOKEN    sent as PRIVATE-TOKEN
--   WRK_BEARER   sent as Authorization: Bearer (OAuth access tokens)
local path = os.getenv("WRK_PATH") or "/"
local method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
local token = os.getenv("WRK_TOKEN")
local bearer = os.getenv("WRK_BEARER")
local max_id = tonumber(os.getenv("WRK_MAX_ID") or "0")

init = function(args)
  math.randomseed(42)
  if token and token ~= "" then
    wrk.headers["PRIVATE-TOKEN"] = token
  end
  if bearer and bearer ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. bearer
  end
  if body then
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
end

request = function()
  local p = path
  if max_id > 0 then
    p = string.gsub(path, "{id}", tostring(math.random(1, max_id)))
  end
  return wrk.format(method, p, nil, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format("RESULT requests=%d rps=%.1f p50=%.2f p99=%.2f errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
