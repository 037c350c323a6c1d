#!/usr/bin/env bash
# Handshake capacity and response times of wgdp, alone and under floods: one command.
#
#   sudo perf/handshake.sh [wgdp-perf handshake options]     e.g. --peers 100000
#
# Builds two network namespaces joined by a veth, runs wgdp (one lcore, CPU 1, net_af_packet,
# --no-huge --no-shconf) in one and `wgdp-perf handshake` (CPU 0) in the other, and prints the
# generator's JSON lines. Everything is torn down on exit. Needs root and a build in
# $WGDP_BUILD (default build/); $WGDP_BIN runs another wgdp binary (an A/B comparison).
# Namespace names take the prefix $HS_PREFIX (default "wgdphs-").
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${WGDP_BUILD:-$top/build}
P=${HS_PREFIX:-wgdphs-}
GEN=${P}gen
GW=${P}gw
tmp=
wgdp_cpu=${HS_WGDP_CPU:-1}
gen_cpu=${HS_GEN_CPU:-0}

case "${1:-}" in
-h|--help)
	sed -n '2,9p' "$0"
	echo
	"$build/perf/wgdp-perf" handshake --help
	exit 0
	;;
esac

[ "$(id -u)" -eq 0 ] || { echo "handshake.sh: needs root (network namespaces)" >&2; exit 1; }
for b in "$build/app/wgdp/wgdp" "$build/perf/wgdp-perf"; do
	[ -x "$b" ] || { echo "handshake.sh: $b not built (scripts/setup.sh)" >&2; exit 1; }
done

cleanup() {
	for ns in "$GEN" "$GW"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
	done
	sleep 0.2
	for ns in "$GEN" "$GW"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
		ip netns del "$ns" 2>/dev/null || true
	done
	[ -z "$tmp" ] || rm -rf "$tmp"
}
cleanup >/dev/null 2>&1 # what an interrupted run left
trap cleanup EXIT
tmp=$(mktemp -d /tmp/wgdp-hs.XXXXXX)

ip netns add "$GEN"
ip netns add "$GW"
ip link add hsgen0 netns "$GEN" type veth peer name hswg0 netns "$GW"
for pair in "$GEN:hsgen0" "$GW:hswg0"; do
	ns=${pair%%:*} ifc=${pair#*:}
	ip -n "$ns" link set lo up
	ip -n "$ns" link set "$ifc" mtu 1500 up
	# wgdp and the generator see frames as they are on the wire: no offloads.
	ip netns exec "$ns" ethtool -K "$ifc" rx off tx off tso off gso off gro off >/dev/null 2>&1 || true
done

ring="framecnt=4096,blocksz=4096,framesz=2048"
# $HS_WGDP_LCORES: wgdp's EAL lcores (an --lcores map onto $HS_WGDP_CPU), $HS_WGDP_ARGS: its
# options, e.g. HS_WGDP_LCORES=0@1,1@1 HS_WGDP_ARGS="--handshake-lcores 2".
lcores="-l $wgdp_cpu"
[ -z "${HS_WGDP_LCORES:-}" ] || lcores="--lcores=$HS_WGDP_LCORES"
spawn="exec ip netns exec $GW taskset -c $wgdp_cpu ${WGDP_BIN:-$build/app/wgdp/wgdp} $lcores \
--no-huge --no-shconf --no-pci -m 2048 --file-prefix ${P}wgdp --log-level=wgdp.*:warning \
--vdev=net_af_packet0,iface=hswg0,$ring,qdisc_bypass=1 -- -c {config} -s {socket} \
${HS_WGDP_ARGS:-} >$tmp/wgdp.log 2>&1"

if ! ip netns exec "$GEN" taskset -c "$gen_cpu" "$build/perf/wgdp-perf" handshake \
	-l "$gen_cpu" --no-huge --no-shconf --no-pci -m 1024 --file-prefix "${P}gen" \
	--log-level=lib.eal:error --vdev="net_af_packet0,iface=hsgen0,$ring,qdisc_bypass=1" -- \
	--spawn "$spawn" --config "$tmp/wgdp.json" --socket "$tmp/wgdp.sock" "$@"; then
	echo "handshake.sh: wgdp-perf handshake failed; wgdp's log:" >&2
	tail -20 "$tmp/wgdp.log" >&2 || true
	exit 1
fi
