#!/usr/bin/env bash
# The demo of what is built so far (it grows into the full wgdp testbed as the concentrator
# lands): keys made by wgdpctl that wg agrees with, the crypto ceiling, and wgdp-probe -- our
# WireGuard protocol core -- handshaking with a real wireguard-go in a network namespace and
# pinging through the tunnel. Namespaces and processes are removed on exit or Ctrl-C.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
ctl=$build/app/wgdpctl/wgdpctl
perf=$build/perf/wgdp-perf
probe=$build/app/wgdp-probe/wgdp-probe
for b in "$ctl" "$perf" "$probe"; do
	[ -x "$b" ] || { echo "demo: $b missing: run scripts/setup.sh first" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (it makes network namespaces)" >&2; exit 1; }
source "$top/tests/integration/lib.sh"

echo "== keys: wgdpctl and wg agree"
(umask 077; "$ctl" genkey >"$T_TMP/probe.key")
echo "wgdpctl pubkey: $("$ctl" pubkey <"$T_TMP/probe.key")"
echo "wg pubkey:      $(wg pubkey <"$T_TMP/probe.key")"

echo
echo "== crypto ceiling: batch AEAD vs libsodium, 1420-byte packets (wgdp-perf crypto)"
"$perf" crypto --sizes 1420 --duration-ms 300

echo
echo "== wgdp-probe against wireguard-go (namespaces srv 192.0.2.1 <-> cli 192.0.2.2)"
t_ns srv; srv=$T_NS
t_ns cli; cli=$T_NS
t_veth "$srv" eth0 "$cli" eth0
ip -n "$srv" addr add 192.0.2.1/24 dev eth0
ip -n "$cli" addr add 192.0.2.2/24 dev eth0
t_keypair server
t_wireguard_go "$srv" wg0 "$T_TMP/server.key" 51820
ip -n "$srv" addr add 10.99.0.1/24 dev wg0
ip netns exec "$srv" wg set wg0 peer "$("$ctl" pubkey <"$T_TMP/probe.key")" \
	allowed-ips 10.99.0.2/32
ip netns exec "$cli" "$probe" --endpoint 192.0.2.1:51820 \
	--server-key "$(cat "$T_TMP/server.pub")" --key-file "$T_TMP/probe.key" \
	-n 50 --ping 10.99.0.2,10.99.0.1
echo
echo "== wireguard-go's view (wg show)"
ip netns exec "$srv" wg show wg0
