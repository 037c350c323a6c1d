#!/usr/bin/env bash
# Handshake response time of wgdp against wireguard-go, measured with wgdp-probe in one run.
#
#                          ┌─ pw0 192.0.2.2 ═veth═ out0 ── ${P}wgdp: wgdp on net_af_packet
#   ${P}probe: wgdp-probe ─┤                                 (192.0.2.1:51820, one lcore)
#                          └─ pg0 198.51.100.2 ═veth═ eth0 198.51.100.1 ── ${P}wggo:
#                                                            wireguard-go (:51820)
#
# The probe namespace reaches each server over one veth pair, offloads off on both ends of
# both pairs, so the probe -> server path is the same kind of hop. Both servers know the
# probe's public key as a peer and run for the whole measurement (wgdp polls one CPU
# throughout, whichever server is being probed). The probe then runs in rounds, alternating
# the servers and which goes first, so the machine's noise falls on both alike; every sample
# of every round is pooled into one set of percentiles per server.
#
# Output: JSON lines on stdout, progress on stderr. See --help. Needs root.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
wgdp=$build/app/wgdp/wgdp
probe=$build/app/wgdp-probe/wgdp-probe
handshakes=50
rounds=10
interval_ms=25
timeout_ms=1000
warmup=5
lcore=0
keep=
P=${TB_PREFIX:-wgdp-cmp-}

usage() {
	cat <<EOF
Usage: $0 [options]

Handshake response time of wgdp (net_af_packet, one lcore, --no-huge --no-shconf) against
wireguard-go on this machine, same topology, measured with wgdp-probe in the same run.

  --handshakes N    handshakes per server per round (default $handshakes)
  --rounds N        rounds; each probes both servers, alternating which goes first
                    (default $rounds)
  --interval-ms MS  pause between handshakes (default $interval_ms; both servers refuse a
                    second initiation from one peer within 20 ms)
  --timeout-ms MS   wait for each response (default $timeout_ms)
  --warmup N        uncounted handshakes per server before round 1, so ARP and first-use
                    costs stay out of the figures (default $warmup; 0 for none)
  --lcore N         the CPU wgdp's one lcore runs on (default $lcore)
  --keep DIR        also copy every run's wgdp-probe JSON (with all samples) into DIR
  --wgdp PATH       the wgdp binary (default \$BUILD/app/wgdp/wgdp, BUILD=$build)
  --probe PATH      the wgdp-probe binary (default \$BUILD/app/wgdp-probe/wgdp-probe)
  -h, --help        this text

Namespaces are named \${TB_PREFIX}probe, \${TB_PREFIX}wgdp and \${TB_PREFIX}wggo
(TB_PREFIX=$P now); the script refuses to start if one of them exists, and removes
everything it made when it exits, however it exits.

Prints one JSON line per server:
  {"bench":"probe","server":"wgdp"|"wireguard-go","handshakes":N,"p50_us":X,"p90_us":X,
   "p99_us":X,"min_us":X,"max_us":X}
then {"bench":"probe_ratio","p50_ratio":X,"p90_ratio":X,"p99_ratio":X}, ratio = wgdp /
wireguard-go from the printed figures (below 1: wgdp answers faster). Percentiles are
nearest-rank over all rounds' samples, as wgdp-probe computes them for one run.

Exit status: 0 when every handshake of every run completed; 1 otherwise (the failing run is
named); 2 for a usage error.
EOF
}

die() { echo "probe-compare: $*" >&2; exit 1; }
usage_error() { echo "probe-compare: $*" >&2; echo "try: $0 --help" >&2; exit 2; }

posint() {
	if ! [[ $2 =~ ^[0-9]+$ ]] || [ "$2" -lt "${3:-1}" ]; then
		usage_error "$1 wants an integer >= ${3:-1}, not '$2'"
	fi
}

while [ $# -gt 0 ]; do
	case $1 in
	--handshakes) posint "$1" "${2-}"; handshakes=$2; shift 2 ;;
	--rounds) posint "$1" "${2-}"; rounds=$2; shift 2 ;;
	--interval-ms) posint "$1" "${2-}" 0; interval_ms=$2; shift 2 ;;
	--timeout-ms) posint "$1" "${2-}"; timeout_ms=$2; shift 2 ;;
	--warmup) posint "$1" "${2-}" 0; warmup=$2; shift 2 ;;
	--lcore) posint "$1" "${2-}" 0; lcore=$2; shift 2 ;;
	--keep) [ -n "${2-}" ] || usage_error "--keep wants a directory"; keep=$2; shift 2 ;;
	--wgdp) [ -n "${2-}" ] || usage_error "--wgdp wants a path"; wgdp=$2; shift 2 ;;
	--probe) [ -n "${2-}" ] || usage_error "--probe wants a path"; probe=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument '$1'" ;;
	esac
done

[ "$(id -u)" -eq 0 ] || die "run as root (it makes network namespaces)"
for b in "$wgdp" "$probe"; do
	[ -x "$b" ] || die "$b missing: build first (meson setup build && ninja -C build)"
done
for c in ip wg wireguard-go ethtool python3; do
	command -v "$c" >/dev/null || die "$c not installed"
done

NS_PROBE=${P}probe
NS_WGDP=${P}wgdp
NS_WGGO=${P}wggo
# wireguard-go's UAPI socket, /var/run/wireguard/NAME.sock, is not per namespace: the
# interface name carries this script's PID so concurrent runs never share one.
WG_IF=pcwg$$
WGDP_EP=192.0.2.1:51820
WGGO_EP=198.51.100.1:51820

made_ns=()
pids=()
wgdp_pid=
tmp=$(mktemp -d /tmp/probe-compare.XXXXXX)

cleanup() {
	local rc=$? ns pid
	set +e
	trap - EXIT INT TERM
	if [ -n "$wgdp_pid" ] && kill -0 "$wgdp_pid" 2>/dev/null; then
		kill -TERM "$wgdp_pid"
		for _ in $(seq 50); do
			kill -0 "$wgdp_pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for ns in "${made_ns[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null
		done
	done
	sleep 0.2
	for ns in "${made_ns[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	wait 2>/dev/null
	# DPDK's runtime directory for our --file-prefix (empty with --no-shconf).
	[ -n "$wgdp_pid" ] && rm -rf "/var/run/dpdk/${P}wgdp"
	if [ "$rc" -ne 0 ]; then
		for f in "$tmp"/*.log; do
			[ -s "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
		done >&2
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "[$(date +%T)] $*" >&2; }

# Offloads off: wgdp sees frames as they are on the wire (af_packet would otherwise hand it
# unfinished checksums and GRO-merged frames). Done on every veth end of both paths alike.
no_offload() {
	ip netns exec "$1" ethtool -K "$2" rx off tx off tso off gso off gro off >/dev/null 2>&1 || true
}

for ns in "$NS_PROBE" "$NS_WGDP" "$NS_WGGO"; do
	if ip netns list | awk '{print $1}' | grep -qx -- "$ns"; then
		die "namespace $ns exists (another run? set TB_PREFIX, or remove it: ip netns del $ns)"
	fi
done

log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
log "topology: $NS_PROBE -> $NS_WGDP (wgdp) and $NS_PROBE -> $NS_WGGO (wireguard-go)"
for ns in "$NS_PROBE" "$NS_WGDP" "$NS_WGGO"; do
	ip netns add "$ns"
	made_ns+=("$ns")
	ip -n "$ns" link set lo up
done
ip link add pw0 netns "$NS_PROBE" type veth peer name out0 netns "$NS_WGDP"
ip link add pg0 netns "$NS_PROBE" type veth peer name eth0 netns "$NS_WGGO"
ip netns exec "$NS_WGDP" sysctl -qw net.ipv6.conf.out0.disable_ipv6=1
for link in "$NS_PROBE pw0" "$NS_PROBE pg0" "$NS_WGDP out0" "$NS_WGGO eth0"; do
	read -r ns ifc <<<"$link"
	ip -n "$ns" link set "$ifc" up
	no_offload "$ns" "$ifc"
done
ip -n "$NS_PROBE" addr add 192.0.2.2/24 dev pw0
ip -n "$NS_PROBE" addr add 198.51.100.2/24 dev pg0
ip -n "$NS_WGGO" addr add 198.51.100.1/24 dev eth0

(
	umask 077
	wg genkey >"$tmp/probe.key"
	wg genkey >"$tmp/wgdp.key"
	wg genkey >"$tmp/wggo.key"
)
for k in probe wgdp wggo; do
	wg pubkey <"$tmp/$k.key" >"$tmp/$k.pub"
done

# wgdp: one port on out0 with both roles (the probe only handshakes; no inside traffic).
cat >"$tmp/wgdp.json" <<EOF
{
  "interface": { "name": "pcmp0", "private_key_file": "$tmp/wgdp.key", "listen_port": 51820 },
  "ports": [ { "port": 0, "role": "both", "address": ["192.0.2.1/24"], "queues": 1 } ],
  "peers": [ { "public_key": "$(cat "$tmp/probe.pub")", "name": "probe",
               "allowed_ips": ["10.99.0.2/32"] } ],
  "control": { "socket": "$tmp/ctl.sock", "uapi": false }
}
EOF
log "starting wgdp (lcore $lcore, net_af_packet on out0, --file-prefix ${P}wgdp)"
ip netns exec "$NS_WGDP" "$wgdp" -l "$lcore" --no-huge --no-shconf --no-pci -m 512 \
	--file-prefix "${P}wgdp" --log-level=lib.eal:warning \
	--vdev=net_af_packet0,iface=out0 -- -c "$tmp/wgdp.json" \
	</dev/null >"$tmp/wgdp.log" 2>&1 &
wgdp_pid=$!
pids+=("$wgdp_pid")
for _ in $(seq 300); do
	grep -qs "wgdp: ready" "$tmp/wgdp.log" && break
	kill -0 "$wgdp_pid" 2>/dev/null || die "wgdp exited before it was ready"
	sleep 0.1
done
grep -qs "wgdp: ready" "$tmp/wgdp.log" || die "wgdp not ready after 30 s"

log "starting wireguard-go ($WG_IF in $NS_WGGO)"
ip netns exec "$NS_WGGO" env WG_PROCESS_FOREGROUND=1 wireguard-go -f "$WG_IF" \
	>"$tmp/wireguard-go.log" 2>&1 &
pids+=("$!")
for _ in $(seq 50); do
	ip netns exec "$NS_WGGO" wg show "$WG_IF" >/dev/null 2>&1 && break
	sleep 0.1
done
ip netns exec "$NS_WGGO" wg show "$WG_IF" >/dev/null 2>&1 ||
	die "wireguard-go's interface $WG_IF (or its UAPI socket) did not appear"
ip netns exec "$NS_WGGO" wg set "$WG_IF" private-key "$tmp/wggo.key" listen-port 51820 \
	peer "$(cat "$tmp/probe.pub")" allowed-ips 10.99.0.2/32
ip -n "$NS_WGGO" addr add 10.99.0.1/24 dev "$WG_IF"
ip -n "$NS_WGGO" link set "$WG_IF" up

# probe_run SERVER N OUT: N handshakes against SERVER (wgdp or wireguard-go), JSON in OUT.
# Fails the script, naming the run, unless every handshake completed.
probe_run() {
	local server=$1 n=$2 out=$3 ep key rc=0
	case $server in
	wgdp) ep=$WGDP_EP key=$tmp/wgdp.pub ;;
	wireguard-go) ep=$WGGO_EP key=$tmp/wggo.pub ;;
	esac
	ip netns exec "$NS_PROBE" "$probe" --endpoint "$ep" --server-key "$(cat "$key")" \
		--key-file "$tmp/probe.key" -n "$n" --interval-ms "$interval_ms" \
		--timeout-ms "$timeout_ms" --json --samples >"$out" 2>"$tmp/probe.log" || rc=$?
	python3 - "$out" "$n" "$server" "$rc" <<'PY' || exit 1
import json, sys
path, n, server, rc = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
try:
    r = json.load(open(path))
except ValueError:
    sys.exit(f"probe-compare: {path}: {server}: wgdp-probe exited {rc} without a report")
if r["completed"] != n or rc != 0 or len(r["samples_us"]) != n:
    sys.exit(f"probe-compare: {path}: {server}: {r['completed']} of {n} handshakes "
             f"completed ({r['failed']} failed, wgdp-probe exit {rc})")
PY
}

if [ "$warmup" -gt 0 ]; then
	log "warm-up: $warmup uncounted handshakes each"
	probe_run wgdp "$warmup" "$tmp/warmup-wgdp.json"
	probe_run wireguard-go "$warmup" "$tmp/warmup-wggo.json"
fi

# wgdp's lcore busy-polls: the time it spent runnable but waiting for a CPU (schedstat's
# run_delay, ns) tells a round where other work took its CPU from one where it had it.
run_delay_ns() { cut -d' ' -f2 "/proc/$wgdp_pid/schedstat"; }

for r in $(seq "$rounds"); do
	if [ $((r % 2)) -eq 1 ]; then order="wgdp wireguard-go"; else order="wireguard-go wgdp"; fi
	t0=$(date +%s%N) w0=$(run_delay_ns)
	for s in $order; do
		probe_run "$s" "$handshakes" "$tmp/round$r-$s.json"
	done
	t1=$(date +%s%N) w1=$(run_delay_ns)
	python3 - "$tmp/round$r-wgdp.json" "$tmp/round$r-wireguard-go.json" "$r" "$rounds" \
		$((w1 - w0)) $((t1 - t0)) <<'PY' >&2
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
print(f"round {sys.argv[3]}/{sys.argv[4]}: p50 wgdp {a['p50_us']:.1f} us, "
      f"wireguard-go {b['p50_us']:.1f} us (ratio {a['p50_us'] / b['p50_us']:.3f}); "
      f"wgdp's lcore waited for its CPU {100 * int(sys.argv[5]) / int(sys.argv[6]):.0f}% "
      f"of the round")
PY
done

# Pool every round's samples per server; nearest-rank percentiles as wgdp-probe computes them.
python3 - "$tmp" "$rounds" <<'PY'
import json, math, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])

def pct(s, p):
    rank = min(max(math.ceil(p / 100 * len(s) - 1e-9), 1), len(s))
    return s[rank - 1]

out = {}
for server in ("wgdp", "wireguard-go"):
    s = []
    for r in range(1, rounds + 1):
        s += json.load(open(f"{tmp}/round{r}-{server}.json"))["samples_us"]
    s.sort()
    line = {"bench": "probe", "server": server, "handshakes": len(s),
            "p50_us": round(pct(s, 50), 1), "p90_us": round(pct(s, 90), 1),
            "p99_us": round(pct(s, 99), 1), "min_us": s[0], "max_us": s[-1]}
    out[server] = line
    print(json.dumps(line, separators=(",", ":")))
a, b = out["wgdp"], out["wireguard-go"]
print(json.dumps({"bench": "probe_ratio",
                  **{f"p{p}_ratio": round(a[f"p{p}_us"] / b[f"p{p}_us"], 3) for p in (50, 90, 99)}},
                 separators=(",", ":")))
PY
if [ -n "$keep" ]; then
	mkdir -p "$keep"
	cp "$tmp"/round*.json "$keep"/
	log "every run's JSON copied to $keep"
fi
log "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); tearing down"
