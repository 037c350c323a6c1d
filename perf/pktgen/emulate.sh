#!/usr/bin/env bash
# emulate.sh: the pktgen kit end to end on one machine, with namespaces and veths standing in
# for the two boxes (docs/performance.md, "Benchmarking with pktgen"). Needs root and a
# pktgen-dpdk binary built with Lua (23.03.0 is what it was written against); never run in CI.
#
#   perf/pktgen/emulate.sh PKTGEN_BINARY [BUILD_DIR]
#
# Two namespaces, both named with this script's PID: the generator's, where pktgen drives two
# af_packet ports (g0 = port 0, g1 = port 1), and wgdp's, where wgdp runs on two others (wo =
# outside, port 0; wi = inside, port 1); veths join g0-wi (inside) and g1-wo (outside).
# mkconfig.py writes 300 peers with real keys, mkpcap.py the v4-1420 and v6-imix pcaps with
# the veths' MACs; handshake.sh gives every peer a session from g1 (192.0.2.2, kernel) and
# g1's address is then removed, so that only pktgen answers ARP for 192.0.2.2. Then one short
# pktgen run (perf/pktgen/wgdp.lua) per pcap, with wgdp's counters read through
# WGDP_STATS_CMD, and an ARP request sent to g1 mid-run to time pktgen's reply. At the end:
# the JSON lines, wgdp's counters (wgdpctl --json stats) and everything torn down.
#
# Settings: EMU_PCAPS (default "v4-1420 v6-imix"), WGDP_RATE (default 1: % of the veth's nominal 10 Gb/s, a rate two vCPUs keep up
# with), WGDP_DURATION (default 8), WGDP_WARMUP (default 2), WGDP_PEERS (default 300),
# EMU_OUT (default emulate-<pid>.jsonl in the current directory: the JSON lines),
# EMU_KEEP=1 keeps the work directory (logs, config, keys, pcaps). Other WGDP_* settings
# of wgdp.lua pass through (WGDP_FLUSH_MAC=none shows pktgen's unanswered ARP).
# The figures of two vCPUs shared with everything else mean nothing: this checks the kit.
# Exit status: 0 when every run produced a summary, 1 otherwise, 2 for a usage error.
set -uo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
	sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'
	[ $# -ge 1 ] && { [ "$1" = "-h" ] || [ "$1" = "--help" ]; } && exit 0
	exit 2
fi
pktgen=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(realpath "${2:-$top/build}")
wgdp=$build/app/wgdp/wgdp wgdpctl=$build/app/wgdpctl/wgdpctl probe=$build/app/wgdp-probe/wgdp-probe
[ "$(id -u)" -eq 0 ] || { echo "emulate.sh: needs root (namespaces)" >&2; exit 2; }
for f in "$pktgen" "$wgdp" "$wgdpctl" "$probe"; do
	[ -x "$f" ] || { echo "emulate.sh: $f is not executable" >&2; exit 2; }
done

rate=${WGDP_RATE:-1} duration=${WGDP_DURATION:-8} warmup=${WGDP_WARMUP:-2}
peers=${WGDP_PEERS:-300}
id=$$
gen=wgdp-emu-gen-$id wg=wgdp-emu-wg-$id
g0=g0-$id g1=g1-$id wi=wi-$id wo=wo-$id
dir=$(mktemp -d "/tmp/wgdp-emu-$id.XXXXXX") || exit 1
out=$(realpath -m "${EMU_OUT:-emulate-$id.jsonl}")
wgdp_pid=

cleanup() {
	if [ -n "$wgdp_pid" ]; then
		kill -TERM "$wgdp_pid" 2>/dev/null
		wait "$wgdp_pid" 2>/dev/null
	fi
	for ns in "$gen" "$wg"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "/var/run/dpdk/wgdp-emu-wg-$id" "/var/run/dpdk/wgdp-emu-pg-$id"
	if [ "${EMU_KEEP:-0}" = 1 ]; then
		echo "emulate.sh: work directory kept: $dir"
	else
		rm -rf "$dir"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { echo "== $*"; }
die() { echo "emulate.sh: $*" >&2; exit 1; }

step "namespaces $gen, $wg; veths $g0-$wi (inside), $g1-$wo (outside)"
{ ip netns add "$gen" && ip netns add "$wg"; } || die "cannot make the namespaces"
ip link add "$g0" netns "$gen" type veth peer name "$wi" netns "$wg" || die "veth"
ip link add "$g1" netns "$gen" type veth peer name "$wo" netns "$wg" || die "veth"
for pair in "$gen $g0" "$gen $g1" "$wg $wi" "$wg $wo"; do
	# shellcheck disable=SC2086 # two words: namespace, interface
	set -- $pair
	# no IPv6 (no router solicitations or MLD reports in the counters), no offloads
	ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
	ip netns exec "$1" ethtool -K "$2" rx off tx off tso off gso off gro off >/dev/null 2>&1
	ip -n "$1" link set "$2" up
done
ip -n "$gen" link set lo up
mac() { ip -n "$1" -br link show "$2" | awk '{print $3}'; }
wi_mac=$(mac "$wg" "$wi") g0_mac=$(mac "$gen" "$g0") wo_mac=$(mac "$wg" "$wo")

step "config ($peers peers, real keys) and pcaps"
"$here/mkconfig.py" --peers "$peers" --keys-dir "$dir/keys" -o "$dir/wgdp.json" >/dev/null ||
	die "mkconfig.py failed"
python3 - "$dir/wgdp.json" "$dir/wgdp.sock" <<'EOF' || die "cannot set the control socket"
import json, sys
cfg = json.load(open(sys.argv[1]))
cfg["control"] = {"socket": sys.argv[2]}
json.dump(cfg, open(sys.argv[1], "w"), indent=1)
EOF
"$here/mkpcap.py" --family 4 --size 1420 --peers "$peers" --dst-mac "$wi_mac" \
	--src-mac "$g0_mac" -o "$dir/v4-1420.pcap" >/dev/null || die "mkpcap.py failed"
"$here/mkpcap.py" --family 6 --size imix --peers "$peers" --dst-mac "$wi_mac" \
	--src-mac "$g0_mac" -o "$dir/v6-imix.pcap" >/dev/null || die "mkpcap.py failed"

step "wgdp on af_packet ports ($wo outside, $wi inside)"
ip netns exec "$wg" "$wgdp" --lcores '0@(0-1)' --no-huge --no-shconf --no-pci --no-telemetry -m 512 \
	--file-prefix "wgdp-emu-wg-$id" --log-level=lib.eal:warning \
	--vdev="net_af_packet0,iface=$wo" --vdev="net_af_packet1,iface=$wi" \
	-- -c "$dir/wgdp.json" >"$dir/wgdp.log" 2>&1 &
wgdp_pid=$!
for _ in $(seq 100); do
	grep -q "wgdp: ready" "$dir/wgdp.log" && break
	kill -0 "$wgdp_pid" 2>/dev/null || { cat "$dir/wgdp.log"; die "wgdp exited"; }
	sleep 0.1
done
grep -q "wgdp: ready" "$dir/wgdp.log" || die "wgdp not ready: $(tail -3 "$dir/wgdp.log")"
ctl() { ip netns exec "$wg" "$wgdpctl" -s "$dir/wgdp.sock" "$@"; }

arp_probe() { # an ARP request for 192.0.2.2 sent to g1 from wgdp's side; ms to pktgen's reply
	ip netns exec "$wg" python3 - "$wo" "$wo_mac" <<'EOF'
import socket, struct, sys, time
ifc, mac = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.bind((ifc, 0))
req = (b"\xff" * 6 + mac + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac
       + socket.inet_aton("192.0.2.1") + b"\0" * 6 + socket.inet_aton("192.0.2.2"))
t0 = time.monotonic()
s.send(req)
s.settimeout(0.05)
while time.monotonic() - t0 < 5:
    try:
        f = s.recv(128)
    except socket.timeout:
        continue
    if f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x02" and f[28:32] == socket.inet_aton("192.0.2.2"):
        print("%.0f" % ((time.monotonic() - t0) * 1000))
        sys.exit(0)
print("none")
EOF
}

: >"$out"
ok=0 want=0
veth_drops() { # the kernel's drop counters on the outside veth pair, "wo tx/g1 rx"
	echo "$(ip netns exec "$wg" cat "/sys/class/net/$wo/statistics/tx_dropped")/$(
		ip netns exec "$gen" cat "/sys/class/net/$g1/statistics/rx_dropped")"
}
for pcap in ${EMU_PCAPS:-v4-1420 v6-imix}; do
	fam=${pcap:1:1} size=${pcap#*-} want=$((want + 1))
	step "$pcap: sessions for $peers peers from $g1 (192.0.2.2, kernel)"
	ip -n "$gen" addr add 192.0.2.2/24 dev "$g1"
	WGDP_HANDSHAKE_JOBS=16 ip netns exec "$gen" "$here/handshake.sh" "$dir/keys" 192.0.2.1 \
		"$probe" || echo "emulate.sh: not every peer has a session"
	# from here only pktgen answers for 192.0.2.2 (the kernel would answer ARP, and send
	# ICMP port unreachable for the ciphertext)
	ip -n "$gen" addr flush dev "$g1"
	ctl --json stats >"$dir/stats-$pcap-before.json"
	drops_before=$(veth_drops)

	step "$pcap: pktgen, $duration s at $rate%"
	( # once pktgen samples (its start takes a while), halfway through the sampling (at
		# once in short runs: after the last sample nobody answers)
		for _ in $(seq 1200); do
			grep -qs '"kind":"sample"' "$dir/$pcap.jsonl" && break
			sleep 0.1
		done
		[ "$duration" -gt 4 ] && sleep $((duration / 2 - 1))
		echo "arp_reply_ms $(arp_probe) (sent at $(date +%T.%N))"
	) >"$dir/arp-$pcap.txt" 2>&1 &
	arp_job=$!
	# pktgen's console wants a terminal: script(1) gives it one
	(cd "$dir" && WGDP_SIZE=$size WGDP_FAMILY=$fam WGDP_PEERS=$peers WGDP_RATE=$rate \
		WGDP_DURATION=$duration WGDP_WARMUP=$warmup WGDP_OUT="$dir/$pcap.jsonl" WGDP_QUIT=1 \
		WGDP_STATS_CMD="ip netns exec $wg $wgdpctl -s $dir/wgdp.sock --json stats" \
		timeout $((warmup + duration + 60)) ip netns exec "$gen" script -qfec \
		"$pktgen --lcores '(0-2)@(0-1)' -n 1 --no-huge --no-pci --no-telemetry -m 4096 \
		--file-prefix wgdp-emu-pg-$id --vdev=net_af_packet0,iface=$g0 \
		--vdev=net_af_packet1,iface=$g1 -- -P -m '1.0, 2.1' -s 0:$dir/$pcap.pcap \
		-f $here/wgdp.lua" /dev/null </dev/null >"$dir/pktgen-$pcap.log" 2>&1)
	echo "pktgen exit status $?"
	wait "$arp_job"
	cat "$dir/arp-$pcap.txt"
	ctl --json stats >"$dir/stats-$pcap-after.json"
	echo "veth drops (wo tx/g1 rx): before $drops_before, after $(veth_drops)"
	if grep -q '"kind":"summary"' "$dir/$pcap.jsonl" 2>/dev/null; then
		ok=$((ok + 1))
		cat "$dir/$pcap.jsonl" >>"$out"
		cat "$dir/$pcap.jsonl"
	else
		echo "emulate.sh: no summary from pktgen; its log ends:"
		tail -20 "$dir/pktgen-$pcap.log"
	fi
	python3 - "$dir/stats-$pcap-before.json" "$dir/stats-$pcap-after.json" <<'EOF'
import json, sys
def flat(o, pre=""):
    if isinstance(o, dict):
        for k, v in o.items():
            yield from flat(v, pre + k + ".")
    elif isinstance(o, list):
        for i, v in enumerate(o):
            yield from flat(v, pre + str(i) + ".")
    elif isinstance(o, (int, float)) and not isinstance(o, bool):
        yield pre[:-1], o
a, b = (dict(flat(json.load(open(f)))) for f in sys.argv[1:3])
d = {k: b[k] - a.get(k, 0) for k in b if b[k] != a.get(k, 0) and "resources" not in k}
print("wgdp counters, after - before:", json.dumps(d, sort_keys=True))
EOF
done
step "the JSON lines are in $out"
[ "$ok" -eq "$want" ]
