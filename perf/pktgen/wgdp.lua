-- SPDX-License-Identifier: MIT
-- wgdp.lua: pktgen-dpdk replays a pcap of mkpcap.py into wgdp's inside port and measures
-- what wgdp encrypts out of its outside port. Run by pktgen (built with Lua support):
--
--   pktgen -l 0-4 -n 4 -a <PCI of port 0> -a <PCI of port 1> -- -P -T \
--       -m "[1:2].0, [3:4].1" -s 0:pcaps/inside-v4-1420.pcap -f perf/pktgen/wgdp.lua
--
-- Port 0 sends the pcap (pktgen loops over it) into wgdp's inside port; port 1 receives the
-- encrypted UDP/51820 frames from wgdp's outside port and answers wgdp's ARP requests as
-- 192.0.2.2 (the address the peers' sessions were made from, see handshake.sh).
--
-- Settings come from the environment (pktgen's Lua has os.getenv):
--   WGDP_TX_PORT  port that sends the pcap              (default 0)
--   WGDP_RX_PORT  port that receives the ciphertext     (default 1)
--   WGDP_RX_IP    port 1's address, answered in ARP      (default 192.0.2.2/24)
--   WGDP_RATE     offered load, % of line rate           (default 100)
--   WGDP_DURATION seconds of sending                     (default 30)
--   WGDP_WARMUP   seconds sent before sampling starts    (default 2)
--   WGDP_SIZE     the pcap's size: 64, 512, 1420 or imix (default 1420; for the figures)
--   WGDP_FAMILY   the pcap's inner family, 4 or 6         (default 4; a label)
--   WGDP_PEERS    peers the pcap spreads over            (default 0 = unknown; a label)
--   WGDP_OUT      file the JSON lines are appended to   (default wgdp-pktgen.jsonl)
--   WGDP_QUIT     1: quit pktgen when done               (default 0)
--
-- Output, one JSON object a line (on pktgen's console and in WGDP_OUT), in the style of
-- wgdp-perf: a "sample" line a second and one "summary" line:
--   {"bench":"pktgen","kind":"sample","t":1,"size":"1420","family":4,"offered_mpps":..,
--    "mpps":..,"gbps":..,"outer_gbps":..,"ratio_to_offered":..}
--   {"bench":"pktgen","kind":"summary","dir":"encrypt",...,"offered_mpps":..,"mpps":..,
--    "gbps":..,"ratio_to_offered":..,"rx_missed":..,"tx_port_rx":..}
-- offered_mpps: inner packets port 0 sent; mpps: encrypted frames port 1 received (one per
-- inner packet); gbps: mpps x the mean inner IP length (the payload wgdp encrypted, as
-- wgdp-perf's gbps counts it); outer_gbps: the ciphertext frames' bytes as port 1 counted them.

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

-- mean inner IP length of the pcap (mkpcap.py: IMIX is 7 x 64, 4 x 576, 1 x 1420 in 12)
local mean_len
if size == "imix" then
	mean_len = (7 * 64 + 4 * 576 + 1420) / 12
else
	mean_len = tonumber(size)
end
if mean_len == nil or rate == nil or duration == nil or duration < 1 then
	print("wgdp.lua: bad WGDP_SIZE, WGDP_RATE or WGDP_DURATION")
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

-- cumulative counters of one port: pktgen.portStats(list, "port") returns a table indexed by
-- port id holding ipackets, opackets, ibytes, obytes, ierrors, oerrors, imissed, rx_nombuf
local function counters(port)
	local st = pktgen.portStats(port, "port")
	return st[tonumber(port)]
end

local function head(kind)
	return string.format('{"bench":"pktgen","kind":"%s","dir":"encrypt","size":"%s",' ..
		'"family":%d,"peers":%d,"rate_pct":%g', kind, size, family, peers, rate)
end

pktgen.screen("off")
pktgen.stop(tx)
-- port 1 answers ARP for its address: wgdp resolves the peers' endpoint (192.0.2.2) to it
pktgen.set_ipaddr(rx, "src", rx_ip)
pktgen.process(rx, "on")
pktgen.set(tx, "rate", rate)
pktgen.pcap(tx, "on")          -- send the pcap loaded with -s TX:FILE
pktgen.clr()

pktgen.start(tx)
pktgen.delay(warmup * 1000)

local t0, r0 = counters(tx), counters(rx)
local tprev, rprev = t0, r0
for t = 1, duration do
	pktgen.delay(1000)
	local tc, rc = counters(tx), counters(rx)
	local offered = (tc.opackets - tprev.opackets) / 1e6
	local got = (rc.ipackets - rprev.ipackets) / 1e6
	local outer = (rc.ibytes - rprev.ibytes) * 8 / 1e9
	local ratio = 0
	if offered > 0 then
		ratio = got / offered
	end
	emit(head("sample") .. string.format(',"t":%d,"offered_mpps":%.3f,"mpps":%.3f,' ..
		'"gbps":%.2f,"outer_gbps":%.2f,"ratio_to_offered":%.3f}', t, offered, got,
		got * mean_len * 8 / 1e3, outer, ratio))
	tprev, rprev = tc, rc
end
pktgen.stop(tx)

local offered = (tprev.opackets - t0.opackets) / duration / 1e6
local got = (rprev.ipackets - r0.ipackets) / duration / 1e6
local ratio = 0
if offered > 0 then
	ratio = got / offered
end
emit(head("summary") .. string.format(',"duration_s":%d,"mean_inner_len":%.1f,' ..
	'"offered_mpps":%.3f,"mpps":%.3f,"gbps":%.2f,"outer_gbps":%.2f,' ..
	'"ratio_to_offered":%.3f,"rx_missed":%d,"rx_errors":%d}', duration, mean_len, offered, got,
	got * mean_len * 8 / 1e3, (rprev.ibytes - r0.ibytes) * 8 / duration / 1e9, ratio,
	rprev.imissed - r0.imissed, rprev.ierrors - r0.ierrors))

if out then
	out:close()
end
if quit then
	pktgen.quit()
end
