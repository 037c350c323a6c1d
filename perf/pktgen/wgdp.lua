-- SPDX-License-Identifier: MIT
-- wgdp.lua: pktgen-dpdk replays a pcap of mkpcap.py into wgdp's inside port and measures
-- what wgdp encrypts out of its outside port. Run by pktgen (built with Lua support; written
-- against pktgen-dpdk 23.03.0):
--
--   pktgen -l 0-4 -n 4 -a <PCI of port 0> -a <PCI of port 1> -- -P -T \
--       -m "[1:2].0, [3:4].1" -s 0:pcaps/inside-v4-1420.pcap -f perf/pktgen/wgdp.lua
--
-- Port 0 sends the pcap (pktgen loops over it) into wgdp's inside port; port 1 receives the
-- encrypted UDP/51820 frames from wgdp's outside port and answers wgdp's ARP requests as
-- 192.0.2.2 (the address the peers' sessions were made from, see handshake.sh).
--
-- Settings come from the environment (pktgen's Lua has os.getenv):
--   WGDP_TX_PORT    port that sends the pcap              (default 0)
--   WGDP_RX_PORT    port that receives the ciphertext     (default 1)
--   WGDP_RX_IP      port 1's address, answered in ARP      (default 192.0.2.2/24)
--   WGDP_RATE       offered load, % of line rate           (default 100)
--   WGDP_DURATION   seconds of sampling                    (default 30)
--   WGDP_WARMUP     seconds sent before sampling starts    (default 2)
--   WGDP_SIZE       the pcap's size: 64, 512, 1420 or imix (default 1420; for the figures)
--   WGDP_FAMILY     the pcap's inner family, 4 or 6         (default 4; a label)
--   WGDP_PEERS      peers the pcap spreads over            (default 0 = unknown; a label)
--   WGDP_OUT        file the JSON lines are appended to   (default wgdp-pktgen.jsonl)
--   WGDP_QUIT       1: quit pktgen when done               (default 0)
--   WGDP_STATS_CMD  a shell command printing wgdp's `wgdpctl --json stats` (e.g.
--                   "ssh wgdp-box wgdpctl --json stats"); when set, the frames wgdp sent that
--                   carry no inner packet are subtracted from port 1's count (default unset)
--   WGDP_POLL_MS    how often pktgen's counters are polled (default 20)
--   WGDP_FLUSH_MAC  where port 1's flush pings go: a MAC nobody has on the outside link
--                   (default 02:00:00:00:00:fe; none: no pings)
--
-- Rates. pktgen copies the ports' counters about once a second, on its own timer, and
-- portStats returns that copy. The script polls the copy every WGDP_POLL_MS, notes the time
-- (/proc/uptime, 10 ms) at which it changes, and divides counter deltas by the time between
-- such changes: the rates do not depend on how long the script's own loop takes.
--
-- ARP. pktgen 23.03 answers ARP into a port's TX buffer and sends the buffer only when the
-- port transmits. Port 1 sends nothing of its own, so at every poll (WGDP_POLL_MS) it sends
-- one ICMP echo (pktgen.ping4) to WGDP_FLUSH_MAC, which flushes the buffer: wgdp's ARP
-- requests for 192.0.2.2 are answered within a poll however often wgdp re-resolves. wgdp
-- drops the pings (not for its address): 50 a second in its not_for_us drops.
-- WGDP_FLUSH_MAC=none sends no pings (and leaves ARP replies in the buffer).
--
-- Output, one JSON object a line (on pktgen's console and in WGDP_OUT), in the style of
-- wgdp-perf: a "sample" line per pktgen counter refresh (about a second) and one "summary":
--   {"bench":"pktgen","kind":"sample","dir":"encrypt","size":"1420","family":4,"peers":..,
--    "rate_pct":..,"t":..,"dt":..,"offered_mpps":..,"mpps":..,"gbps":..,"outer_gbps":..,
--    "ratio_to_offered":..,"rx_frames":..,"control_frames":..}
--   {"bench":"pktgen","kind":"summary","dir":"encrypt","size":"1420","family":4,"peers":..,
--    "rate_pct":..,"duration_s":..,"samples":..,"mean_inner_len":..,"offered_mpps":..,
--    "mpps":..,"gbps":..,"outer_gbps":..,"ratio_to_offered":..,"rx_frames":..,
--    "control_frames":..,"rx_missed":..,"rx_errors":..}
-- t: seconds since the first refresh sampled; dt and duration_s: the seconds the deltas span.
-- offered_mpps: inner packets port 0 sent; rx_frames: the frames port 1 received;
-- control_frames: the handshake messages and keepalives wgdp sent meanwhile (initiations,
-- responses, cookie replies, keepalives: WGDP_STATS_CMD's counters; null without it);
-- mpps: (rx_frames - control_frames) a second, the transport-data frames carrying one inner
-- packet each; gbps: mpps x the mean inner IP length (the payload wgdp encrypted, as
-- wgdp-perf's gbps counts it); outer_gbps: port 1's bytes, less the control frames' (their
-- sizes on an IPv4 outside link). rx_missed and rx_errors: port 1's imissed and ierrors.

local function env(name, default)
	local v = os.getenv(name)
	if v == nil or v == "" then
		return default
	end
	return v
end

local tx = env("WGDP_TX_PORT", "0")
local rx = env("WGDP_RX_PORT", "1")
local rx_ip = env("WGDP_RX_IP", "192.0.2.2/24")
local rate = tonumber(env("WGDP_RATE", "100"))
local duration = tonumber(env("WGDP_DURATION", "30"))
local warmup = tonumber(env("WGDP_WARMUP", "2"))
local size = env("WGDP_SIZE", "1420")
local family = tonumber(env("WGDP_FAMILY", "4"))
local peers = tonumber(env("WGDP_PEERS", "0"))
local out_path = env("WGDP_OUT", "wgdp-pktgen.jsonl")
local quit = env("WGDP_QUIT", "0") == "1"
local stats_cmd = env("WGDP_STATS_CMD", nil)
local poll_ms = tonumber(env("WGDP_POLL_MS", "20"))
local flush_mac = env("WGDP_FLUSH_MAC", "02:00:00:00:00:fe")

-- mean inner IP length of the pcap (mkpcap.py: IMIX is 7 x 64, 4 x 576, 1 x 1420 in 12)
local mean_len
if size == "imix" then
	mean_len = (7 * 64 + 4 * 576 + 1420) / 12
else
	mean_len = tonumber(size)
end
if mean_len == nil or rate == nil or duration == nil or duration < 1 or poll_ms == nil or
	poll_ms < 1 then
	print("wgdp.lua: bad WGDP_SIZE, WGDP_RATE, WGDP_DURATION or WGDP_POLL_MS")
	return
end

local out = io.open(out_path, "a")

local function emit(line)
	print(line)
	if out then
		out:write(line, "\n")
		out:flush()
	end
end

-- seconds, 10 ms resolution: os.time() has whole seconds, os.clock() is CPU time
local function clock()
	local f = io.open("/proc/uptime", "r")
	if f then
		local s = f:read("n")
		f:close()
		if s then
			return s
		end
	end
	return os.time()
end

-- pktgen.portStats(list, "port") returns a table indexed by port id holding the counters
-- (ipackets, opackets, ibytes, obytes, ierrors, oerrors, imissed, rx_nombuf) as of pktgen's
-- last refresh. Both ports in one call: one refresh updates both.
local fields = {"ipackets", "opackets", "ibytes", "obytes", "imissed", "ierrors"}
local function snapshot()
	local st = pktgen.portStats(tx .. "," .. rx, "port")
	local s = {}
	for _, p in ipairs({tx, rx}) do
		local c, copy = st[tonumber(p)], {}
		for _, f in ipairs(fields) do
			copy[f] = c[f]
		end
		s[p] = copy
	end
	return s
end

local function same(a, b)
	for _, p in ipairs({tx, rx}) do
		for _, f in ipairs(fields) do
			if a[p][f] ~= b[p][f] then
				return false
			end
		end
	end
	return true
end

-- The next refresh: the counters as it left them and the time it was seen (within poll_ms).
-- With nothing moving on either port no change shows: after 2.5 s, the counters as they are.
local function flush()
	if flush_mac ~= "none" then
		pktgen.ping4(rx) -- flushes port 1's TX buffer: the ARP replies queued in it go out
	end
end

local function next_refresh()
	local base = snapshot()
	local limit = clock() + 2.5
	while true do
		pktgen.delay(poll_ms)
		flush()
		local s, now = snapshot(), clock()
		if not same(s, base) or now >= limit then
			return s, now
		end
	end
end

-- Frames wgdp sent that carry no inner packet, and their bytes on an IPv4 outside link
-- (message + UDP 8 + IPv4 20 + Ethernet 14): summed over every occurrence of the key in
-- `wgdpctl --json stats` (workers and the control lcore both send cookie replies).
local control_kinds = {initiations_sent = 190, responses_sent = 134, cookie_replies_sent = 106,
	keepalives_sent = 74}
local function control()
	if not stats_cmd then
		return nil
	end
	local p = io.popen(stats_cmd, "r")
	if not p then
		return nil
	end
	local text = p:read("a") or ""
	p:close()
	local frames, bytes, seen = 0, 0, false
	for k, len in pairs(control_kinds) do
		for v in text:gmatch('"' .. k .. '"%s*:%s*(%d+)') do
			frames = frames + tonumber(v)
			bytes = bytes + tonumber(v) * len
			seen = true
		end
	end
	if not seen then
		print("wgdp.lua: WGDP_STATS_CMD printed no wgdp stats: " .. text:sub(1, 200))
		return nil
	end
	return {frames = frames, bytes = bytes}
end

local function head(kind)
	return string.format('{"bench":"pktgen","kind":"%s","dir":"encrypt","size":"%s",' ..
		'"family":%d,"peers":%d,"rate_pct":%g', kind, size, family, peers, rate)
end

-- The figures between two points {s = counters, t = time, c = control counts or nil}.
local function figures(a, b)
	local dt = b.t - a.t
	if dt <= 0 then
		dt = 1e-9
	end
	local sent = b.s[tx].opackets - a.s[tx].opackets
	local frames = b.s[rx].ipackets - a.s[rx].ipackets
	local bytes = b.s[rx].ibytes - a.s[rx].ibytes
	local ctl, ctl_json = 0, "null"
	if a.c and b.c then
		ctl = b.c.frames - a.c.frames
		bytes = bytes - (b.c.bytes - a.c.bytes)
		ctl_json = string.format("%d", ctl)
	end
	local data = frames - ctl
	if data < 0 then
		data = 0
	end
	if bytes < 0 then
		bytes = 0
	end
	local offered, got = sent / dt / 1e6, data / dt / 1e6
	local ratio = 0
	if offered > 0 then
		ratio = got / offered
	end
	return string.format('"offered_mpps":%.6f,"mpps":%.6f,"gbps":%.4f,"outer_gbps":%.4f,' ..
		'"ratio_to_offered":%.4f,"rx_frames":%d,"control_frames":%s', offered, got,
		got * mean_len * 8 / 1e3, bytes * 8 / dt / 1e9, ratio, frames, ctl_json), dt
end

pktgen.screen("off")
pktgen.stop(tx)
-- port 1 answers ARP for its address: wgdp resolves the peers' endpoint (192.0.2.2) to it
pktgen.set_ipaddr(rx, "src", rx_ip)
if flush_mac ~= "none" then
	pktgen.set_mac(rx, "dst", flush_mac)
end
pktgen.process(rx, "on")
pktgen.set(tx, "rate", rate)
pktgen.pcap(tx, "on")          -- send the pcap loaded with -s TX:FILE
pktgen.clr()

pktgen.start(tx)
local warm_until = clock() + warmup
while clock() < warm_until do
	pktgen.delay(poll_ms)
	flush()
end

local s0, t0 = next_refresh()
local first = {s = s0, t = t0, c = control()}
local prev, n = first, 0
repeat
	local s, t = next_refresh()
	local cur = {s = s, t = t, c = control()}
	local fig, dt = figures(prev, cur)
	n = n + 1
	emit(head("sample") .. string.format(',"t":%.2f,"dt":%.2f,', t - t0, dt) .. fig .. "}")
	prev = cur
until prev.t - t0 >= duration - 0.25
pktgen.stop(tx)

local fig, dt = figures(first, prev)
emit(head("summary") .. string.format(',"duration_s":%.2f,"samples":%d,"mean_inner_len":%.1f,',
	dt, n, mean_len) .. fig .. string.format(',"rx_missed":%d,"rx_errors":%d}',
	prev.s[rx].imissed - first.s[rx].imissed, prev.s[rx].ierrors - first.s[rx].ierrors))

if out then
	out:close()
end
if quit then
	pktgen.quit()
end
