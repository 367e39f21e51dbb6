-- wrk script for bench/dyndns, the peer side: the same update (replace one host's A RRset with a
-- new address) through PowerDNS's HTTP API, PATCH /api/v1/servers/localhost/zones/<zone>, round
-- robin over the same host names. 204 = done.
-- Usage: wrk -s wrk-pdns.lua URL -- CONFIG_FILE API_KEY [ROUND_OFFSET]   (CONFIG_FILE: "zone. host." lines)
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "wrk-common.lua")
setup = common.setup

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
  good, nochg, other, bad = 0, 0, 0, 0
  first_other = ""
end

function request()
  local i = counter % #configs
  local round = math.floor(counter / #configs) + offset
  counter = counter + 1
  local c = configs[i + 1]
  local body = '{"rrsets":[{"name":"' .. c[2] .. '","type":"A","ttl":60,"changetype":"REPLACE","records":[{"content":"' .. common.address(round, i) .. '","disabled":false}]}]}'
  return wrk.format("PATCH", "/api/v1/servers/localhost/zones/" .. c[1], { ["X-API-Key"] = key, ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status == 204 then
    good = good + 1
  else
    bad = bad + 1
    if first_other == "" then first_other = tostring(status) .. " " .. body:sub(1, 80) end
  end
end

function done(summary, latency, requests)
  common.done(summary, latency)
end
