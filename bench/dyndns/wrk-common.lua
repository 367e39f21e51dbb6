-- Shared by wrk-update.lua and wrk-pdns.lua (loaded with dofile from the script's own folder):
-- the thread list, the address of an update, and the one-line JSON summary wrk prints at the end.
local M = {}
M.threads = {}

function M.setup(thread)
  table.insert(M.threads, thread)
end

-- 198.18.0.0/15 (benchmarking addresses, RFC 2544): a new address for name `i` in every round.
function M.address(round, i)
  return string.format("198.%d.%d.%d", 18 + (round % 2), math.floor(round / 2) % 256, (round * 7 + i) % 254 + 1)
end

-- Sums the per-thread counters `good`, `nochg`, `other` and `bad` (a status that is not success).
function M.done(summary, latency)
  local g, n, o, e, fo = 0, 0, 0, 0, ""
  for _, t in ipairs(M.threads) do
    g = g + t:get("good")
    n = n + t:get("nochg")
    o = o + t:get("other")
    e = e + t:get("bad")
    if fo == "" then fo = t:get("first_other") end
  end
  io.write(string.format(
    'WRK_JSON {"requests":%d,"durationUs":%d,"good":%d,"nochg":%d,"other":%d,"non200":%d,"socketErrors":%d,"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f},"firstOther":"%s"}\n',
    summary.requests, summary.duration, g, n, o, e,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean,
    fo:gsub('"', "'"):gsub("\n", " ")))
end

return M
