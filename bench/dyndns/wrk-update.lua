-- wrk script for bench/dyndns: dyndns2 updates (GET /nic/update, Basic auth) over a list of
-- configurations, round robin, with a new address for a configuration on every round, so every
-- request is a real change ("good"). Counts the reply lines and prints one JSON line at the end.
-- Usage: wrk -s wrk-update.lua URL -- CONFIG_FILE [ROUND_OFFSET [PACE_MS]]
--   CONFIG_FILE: one "hostname base64(user:token)" per line; ROUND_OFFSET shifts the addresses
--   (a second run must not send the addresses of the first, or they would be "nochg"); PACE_MS:
--   each connection waits this long before each request (a paced load instead of flat out).
local threads = {}
pace = 0

-- A random wait around `pace` (0.5x to 1.5x): connections that all waited exactly `pace` would
-- send in lockstep bursts, which measures the burst, not the rate.
function delay()
  if pace <= 0 then return 0 end
  return math.floor(pace * (0.5 + math.random()))
end

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  configs = {}
  for line in io.lines(args[1]) do
    local host, auth = line:match("^(%S+)%s+(%S+)$")
    if host then configs[#configs + 1] = { host, "Basic " .. auth } end
  end
  if #configs == 0 then error("no configurations in " .. args[1]) end
  offset = tonumber(args[2] or "0")
  pace = tonumber(args[3] or "0")
  math.randomseed(os.time() + (offset or 0))
  counter = 0
  good, nochg, other, non200 = 0, 0, 0, 0
  first_other = ""
end

function request()
  local i = counter % #configs
  local round = math.floor(counter / #configs) + offset
  counter = counter + 1
  local c = configs[i + 1]
  -- 198.18.0.0/15 (benchmarking addresses, RFC 2544): 65,536 distinct addresses per round
  local ip = string.format("198.%d.%d.%d", 18 + (round % 2), math.floor(round / 2) % 256, (round * 7 + i) % 254 + 1)
  return wrk.format("GET", "/nic/update?hostname=" .. c[1] .. "&myip=" .. ip, { ["Authorization"] = c[2], ["User-Agent"] = "zonekeeper-bench" })
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  elseif body:sub(1, 5) == "good " then
    good = good + 1
  elseif body:sub(1, 6) == "nochg " then
    nochg = nochg + 1
  else
    other = other + 1
    if first_other == "" then first_other = body:sub(1, 80) end
  end
end

function done(summary, latency, requests)
  local g, n, o, e, fo = 0, 0, 0, 0, ""
  for _, t in ipairs(threads) do
    g = g + t:get("good")
    n = n + t:get("nochg")
    o = o + t:get("other")
    e = e + t:get("non200")
    if fo == "" then fo = t:get("first_other") end
  end
  io.write(string.format(
    'WRK_JSON {"requests":%d,"durationUs":%d,"good":%d,"nochg":%d,"other":%d,"non200":%d,"socketErrors":%d,"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f},"firstOther":"%s"}\n',
    summary.requests, summary.duration, g, n, o, e,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean,
    fo:gsub('"', "'"):gsub("\n", " ")))
end
