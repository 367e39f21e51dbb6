-- wrk script for bench/dyndns: dyndns2 updates (GET /nic/update, Basic auth) over a list of
-- configurations, round robin, with a new address for a configuration on every round, so every
-- request is a real change ("good"). Counts the reply lines and prints one JSON line at the end.
-- Usage: wrk -s wrk-update.lua URL -- CONFIG_FILE [ROUND_OFFSET [PACE_MS]]
--   CONFIG_FILE: one "hostname base64(user:token)" per line; ROUND_OFFSET shifts the addresses
--   (a second run must not send the addresses of the first, or they would be "nochg"); PACE_MS:
--   each connection waits about this long before each request (a paced load instead of flat out).
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "wrk-common.lua")
setup = common.setup
pace = 0

-- A random wait around `pace` (0.5x to 1.5x): connections that all waited exactly `pace` would
-- send in lockstep bursts, which measures the burst, not the rate.
function delay()
  if pace <= 0 then return 0 end
  return math.floor(pace * (0.5 + math.random()))
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
  math.randomseed(os.time() + offset)
  counter = 0
  good, nochg, other, bad = 0, 0, 0, 0
  first_other = ""
end

function request()
  local i = counter % #configs
  local round = math.floor(counter / #configs) + offset
  counter = counter + 1
  local c = configs[i + 1]
  return wrk.format("GET", "/nic/update?hostname=" .. c[1] .. "&myip=" .. common.address(round, i), { ["Authorization"] = c[2], ["User-Agent"] = "zonekeeper-bench" })
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
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
  common.done(summary, latency)
end
