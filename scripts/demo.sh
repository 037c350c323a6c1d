#!/usr/bin/env bash
# The demo: wgdp terminating a real WireGuard client. It brings up the namespace testbed
# (scripts/testbed.sh: a wireguard-go client, wgdp on af_packet ports, a LAN host), starts wgdp
# with config/testbed.json, and shows traffic crossing the tunnel: ping over IPv4 and IPv6, a
# short iperf3, the client's `wg show`, and wgdp's log. Everything is torn down on exit or
# Ctrl-C.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
wgdp=$build/app/wgdp/wgdp
perf=$build/perf/wgdp-perf
dir=$(mktemp -d /tmp/wgdp-demo.XXXXXX)
export TB_PREFIX=wgdp-demo-
gw=${TB_PREFIX}gw client=${TB_PREFIX}client lan=${TB_PREFIX}lan

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (it makes network namespaces)" >&2; exit 1; }
# A fresh machine: install and build first (setup.sh is idempotent).
if [ -z "${BUILD:-}" ] && ! "$top/scripts/setup.sh" --check; then
	"$top/scripts/setup.sh"
fi
ninja -C "$build" >/dev/null
for b in "$wgdp" "$perf"; do
	[ -x "$b" ] || { echo "demo: $b missing: run scripts/setup.sh" >&2; exit 1; }
done

wgdp_pid=
cleanup() {
	[ -n "$wgdp_pid" ] && kill "$wgdp_pid" 2>/dev/null
	"$top/scripts/testbed.sh" down "$dir" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== the crypto ceiling on this CPU (wgdp-perf crypto, 1420-byte packets)"
"$perf" crypto --sizes 1420 --duration-ms 200 | grep '"dir":"encrypt"' || true

echo
echo "== testbed"
"$top/scripts/testbed.sh" up "$dir" | head -1

echo
echo "== wgdp (one lcore, no hugepages)"
ip netns exec "$gw" "$wgdp" -l 0 --no-huge --no-shconf --no-pci -m 512 \
	--log-level=lib.eal:warning \
	--vdev=net_af_packet0,iface=out0 --vdev=net_af_packet1,iface=in0 \
	-- -c "$dir/wgdp.json" >"$dir/wgdp.log" 2>&1 &
wgdp_pid=$!
for _ in $(seq 100); do
	grep -q "wgdp: ready" "$dir/wgdp.log" && break
	kill -0 "$wgdp_pid" 2>/dev/null || { cat "$dir/wgdp.log"; exit 1; }
	sleep 0.1
done
grep "wgdp" "$dir/wgdp.log"

echo
echo "== ping through the tunnel: client 10.0.1.2 -> lan 10.0.0.2, then IPv6"
ip netns exec "$client" ping -c 3 -i 0.3 10.0.0.2
ip netns exec "$client" ping -6 -c 3 -i 0.3 fd00::2

echo
echo "== iperf3, 3 seconds, client -> lan through wgdp"
ip netns exec "$lan" iperf3 -s -1 >/dev/null 2>&1 &
sleep 0.5
ip netns exec "$client" iperf3 -c 10.0.0.2 -t 3 | tail -4

echo
echo "== the client's view (wg show)"
ip netns exec "$client" wg show

echo
echo "== stopping wgdp (SIGTERM)"
kill -TERM "$wgdp_pid"
wait "$wgdp_pid" && echo "wgdp exited 0"
wgdp_pid=
grep "handshake" "$dir/wgdp.log" || true
