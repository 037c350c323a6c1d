-- A stand-in for the parts of pktgen-dpdk's Lua library wgdp.lua uses, for check_pktgen_lua.py:
-- port 0 sends 1 Mpps, port 1 receives 0.9 Mpps of 1490-byte frames; time moves only in delay().
local now, calls = 0, {}
local sending = false
pktgen = {}
local function log(name, ...) calls[#calls + 1] = name .. "(" .. table.concat({...}, ",") .. ")" end
for _, n in ipairs({"screen", "set_ipaddr", "process", "set", "pcap", "clr", "quit"}) do
	pktgen[n] = function(...) log(n, ...) end
end
function pktgen.start(p) log("start", p); sending = true end
function pktgen.stop(p) log("stop", p); sending = false end
function pktgen.delay(ms) if sending then now = now + ms / 1000 end end
function pktgen.portStats(p, kind)
	assert(kind == "port")
	local pid = tonumber(p)
	local pps = pid == 0 and 1000000 or 900000
	local t = {n = 1}
	t[pid] = {opackets = math.floor(now * pps), ipackets = math.floor(now * pps),
		ibytes = math.floor(now * pps * 1490), obytes = 0, imissed = 7, ierrors = 0}
	return t
end
dofile(arg[1])
io.stderr:write(table.concat(calls, " "), "\n")
