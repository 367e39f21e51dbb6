-- wrk script for bench/dyndns, the peer side: the same update (replace one host's A RRset with a
-- new address) through PowerDNS's HTTP API, PATCH /api/v1/servers/localhost/zones/<zone>, round
-- robin over the same host names. 204 = done.
-- Usage: wrk -s wrk-pdns.lua URL -- CONFIG_FILE API_KEY [ROUND_OFFSET]   (CONFIG_FILE: "zone. host." lines)
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  configs = {}
  for line in io.lines(args[1]) do
    local zone, host = line:match("^(%S+)%s+(%S+)$")
    if zone then configs[#configs + 1] = { zone, host } end
  end
  if #configs == 0 then error("no host names in " .. args[1]) end
  key = args[2]
  offset = tonumber(args[3] or "0")
  counter = 0
  good, non204 = 0, 0
  first_other = ""
end

function request()
  local i = counter % #configs
  local round = math.floor(counter / #configs) + offset
  counter = counter + 1
  local c = configs[i + 1]
  local ip = string.format("198.%d.%d.%d", 18 + (round % 2), math.floor(round / 2) % 256, (round * 7 + i) % 254 + 1)
  local body = '{"rrsets":[{"name":"' .. c[2] .. '","type":"A","ttl":60,"changetype":"REPLACE","records":[{"content":"' .. ip .. '","disabled":false}]}]}'
  return wrk.format("PATCH", "/api/v1/servers/localhost/zones/" .. c[1], { ["X-API-Key"] = key, ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status == 204 then
    good = good + 1
  else
    non204 = non204 + 1
    if first_other == "" then first_other = tostring(status) .. " " .. body:sub(1, 80) end
  end
end

function done(summary, latency, requests)
  local g, e, fo = 0, 0, ""
  for _, t in ipairs(threads) do
    g = g + t:get("good")
    e = e + t:get("non204")
    if fo == "" then fo = t:get("first_other") end
  end
  io.write(string.format(
    'WRK_JSON {"requests":%d,"durationUs":%d,"good":%d,"nochg":0,"other":0,"non200":%d,"socketErrors":%d,"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f},"firstOther":"%s"}\n',
    summary.requests, summary.duration, g, e,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean,
    fo:gsub('"', "'"):gsub("\n", " ")))
end
