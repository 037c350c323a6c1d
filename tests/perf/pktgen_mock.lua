-- A stand-in for the parts of pktgen-dpdk's Lua library wgdp.lua uses, for check_pktgen_lua.py.
-- While port 0 is started it sends 1 Mpps; port 1 receives 0.9 Mpps of 1490-byte frames (one
-- per inner packet) plus 45,000 control frames a second of 190 bytes (wgdp's handshake
-- initiations), which the stand-in's `wgdpctl --json stats` (WGDP_STATS_CMD) counts.
-- Time is virtual: it moves in delay() and a little in every call, as in pktgen, where the
-- script's own work takes time. Like pktgen 23.03, portStats returns the counters as a timer
-- last copied them; here that timer's period drifts between 0.9 and 1.2 s (pktgen's is about
-- 1 s), so counters read a second apart can hold zero or two refreshes.
-- /proc/uptime (the script's clock) reads the virtual time.
local now, calls = 0, {}
local started, stopped = nil, nil
local TX_PPS, DATA_PPS, CTL_PPS = 1000000, 900000, 45000
local seed = tonumber(os.getenv("MOCK_SEED") or "1")
local function rnd() -- deterministic: an LCG in [0, 1)
	seed = (seed * 1103515245 + 12345) % 2147483648
	return seed / 2147483648
end

-- seconds port 0 has been sending at time T
local function sending(t)
	if not started or t < started then
		return 0
	end
	return math.max(0, math.min(t, stopped or t) - started)
end

local pings = 0
local function counters_at(t)
	local s = sending(t)
	return {
		[0] = {opackets = math.floor(s * TX_PPS), ipackets = 0, ibytes = 0, obytes = 0,
			imissed = 0, ierrors = 0, rx_nombuf = 0, oerrors = 0},
		[1] = {opackets = pings, obytes = pings * 60,
			ipackets = math.floor(s * DATA_PPS) + math.floor(s * CTL_PPS),
			ibytes = math.floor(s * DATA_PPS) * 1490 + math.floor(s * CTL_PPS) * 190,
			imissed = 7, ierrors = 0, rx_nombuf = 0, oerrors = 0},
	}
end

-- pktgen's timer: refreshes at drifting intervals; the copy is what portStats returns
local copy, next_refresh = counters_at(0), 0.9 + 0.3 * rnd()
local function advance(dt)
	local target = now + dt
	while next_refresh <= target do
		copy = counters_at(next_refresh)
		next_refresh = next_refresh + 0.9 + 0.3 * rnd()
	end
	now = target
end

pktgen = {}
local function log(name, ...) calls[#calls + 1] = name .. "(" .. table.concat({...}, ",") .. ")" end
for _, n in ipairs({"screen", "set_ipaddr", "set_mac", "process", "set", "pcap", "clr", "quit"}) do
	pktgen[n] = function(...) log(n, ...) end
end
function pktgen.start(p) log("start", p); if tonumber(p) == 0 then started = now end end
function pktgen.stop(p) log("stop", p); if tonumber(p) == 0 and started then stopped = now end end
function pktgen.delay(ms) advance(ms / 1000 + 0.0002) end
function pktgen.ping4(p) log("ping4", p); pings = pings + 1; advance(0.0005) end
function pktgen.portStats(list, kind)
	assert(kind == "port")
	advance(0.003) -- a call takes time: the script's loop runs slower than its delays say
	local t = {n = 0}
	for p in tostring(list):gmatch("%d+") do
		local c = copy[tonumber(p)]
		t[tonumber(p)] = {}
		for k, v in pairs(c) do t[tonumber(p)][k] = v end
		t.n = t.n + 1
	end
	return t
end

local real_open, real_popen = io.open, io.popen
function io.open(path, mode)
	if path == "/proc/uptime" then
		local text = string.format("%.2f 0.00\n", 1000 + now)
		return {read = function(_, fmt) return tonumber(text:match("^(%S+)")) end,
			close = function() end}
	end
	return real_open(path, mode)
end
function io.popen(cmd, mode)
	if cmd == os.getenv("WGDP_STATS_CMD") then
		advance(0.02) -- wgdpctl takes a while
		local s = sending(now)
		local text = string.format('{"handshake":{"initiations_received":5,' ..
			'"initiations_sent":%d,"responses_sent":0,"cookie_replies_sent":0,' ..
			'"keepalives_sent":0},"workers":[{"cookie_replies_sent":0,' ..
			'"keepalives_received":99}]}', math.floor(s * CTL_PPS))
		return {read = function() return text end, close = function() end}
	end
	return real_popen(cmd, mode)
end

dofile(arg[1])
io.stderr:write(table.concat(calls, " "), "\n")
