#!/usr/bin/env bash
# The namespace testbed: wgdp between a WireGuard client and a LAN host.
#
#   wgdp-client (wireguard-go wg0: 10.0.1.2/24, fd00:1::2/64)
#      eth0 192.0.2.2/24 2001:db8:1::2/64
#        │ veth
#      out0 ── wgdp-gw: wgdp on net_af_packet (outside 192.0.2.1/24, 2001:db8:1::1/64)
#      in0  ──          (inside 10.0.0.1/24, fd00::1/64)
#        │ veth
#      eth0 10.0.0.2/24 fd00::2/64 ── wgdp-lan (routes via wgdp)
#
# scripts/testbed.sh up [DIR]    builds it, keys and DIR/wgdp.json (DIR: /run/wgdp-testbed)
# scripts/testbed.sh down [DIR]  tears it down (safe to run twice)
#
# The kernel interfaces out0/in0 carry no addresses: wgdp answers ARP, ND and ping itself.
# Namespace names take the prefix in $TB_PREFIX (default "wgdp-"), so tests can run their own.
set -euo pipefail

P=${TB_PREFIX:-wgdp-}
GW=${P}gw
CLIENT=${P}client
LAN=${P}lan
cmd=${1:-}
DIR=${2:-/run/wgdp-testbed}
HERE=$(cd "$(dirname "$0")" && pwd)

# Offloads make the kernel hand af_packet frames with unfinished checksums, and TSO/GRO make
# frames bigger than the MTU: wgdp sees what is on the wire, so turn them off on every veth.
no_offload() {
	ip netns exec "$1" ethtool -K "$2" rx off tx off tso off gso off gro off >/dev/null 2>&1 || true
}

down() {
	if [ -f "$DIR/wireguard-go.pid" ]; then
		kill "$(cat "$DIR/wireguard-go.pid")" 2>/dev/null || true
	fi
	for ns in "$CLIENT" "$LAN" "$GW"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null || true
		done
	done
	sleep 0.2
	for ns in "$CLIENT" "$LAN" "$GW"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null || true
		done
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -f "$DIR/wireguard-go.pid"
}

# The config is config/testbed.json with this testbed's key file and client key filled in.
write_config() {
	sed -e "s|@DIR@|$DIR|g" -e "s|@CLIENT_PUB@|$1|g" "$HERE/../config/testbed.json" \
		>"$DIR/wgdp.json"
}

up() {
	mkdir -p "$DIR"
	chmod 700 "$DIR"
	down
	for ns in "$GW" "$CLIENT" "$LAN"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	ip link add out0 netns "$GW" type veth peer name eth0 netns "$CLIENT"
	ip link add in0 netns "$GW" type veth peer name eth0 netns "$LAN"
	for ifc in out0 in0; do
		ip netns exec "$GW" sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=1"
		ip -n "$GW" link set "$ifc" up
		no_offload "$GW" "$ifc"
	done
	for ns in "$CLIENT" "$LAN"; do
		ip -n "$ns" link set eth0 up
		no_offload "$ns" eth0
	done
	ip -n "$CLIENT" addr add 192.0.2.2/24 dev eth0
	ip -n "$CLIENT" addr add 2001:db8:1::2/64 dev eth0 nodad
	ip -n "$LAN" addr add 10.0.0.2/24 dev eth0
	ip -n "$LAN" addr add fd00::2/64 dev eth0 nodad
	ip -n "$LAN" route add default via 10.0.0.1
	ip -n "$LAN" -6 route add default via fd00::1

	(umask 077 && wg genkey >"$DIR/server.key" && wg genkey >"$DIR/client.key")
	wg pubkey <"$DIR/server.key" >"$DIR/server.pub"
	wg pubkey <"$DIR/client.key" >"$DIR/client.pub"
	write_config "$(cat "$DIR/client.pub")"

	ip netns exec "$CLIENT" env WG_PROCESS_FOREGROUND=1 wireguard-go wg0 \
		>"$DIR/wireguard-go.log" 2>&1 &
	echo $! >"$DIR/wireguard-go.pid"
	for _ in $(seq 50); do
		ip -n "$CLIENT" link show wg0 >/dev/null 2>&1 && break
		sleep 0.1
	done
	ip netns exec "$CLIENT" wg set wg0 listen-port 51820 private-key "$DIR/client.key" \
		peer "$(cat "$DIR/server.pub")" endpoint 192.0.2.1:51820 \
		allowed-ips 10.0.0.0/24,fd00::/64
	ip -n "$CLIENT" addr add 10.0.1.2/24 dev wg0
	ip -n "$CLIENT" addr add fd00:1::2/64 dev wg0 nodad
	ip -n "$CLIENT" link set wg0 mtu 1420 up
	ip -n "$CLIENT" route add 10.0.0.0/24 dev wg0 2>/dev/null || true
	ip -n "$CLIENT" -6 route add fd00::/64 dev wg0 2>/dev/null || true

	cat <<EOF
testbed up: namespaces $GW, $CLIENT, $LAN; config $DIR/wgdp.json
start wgdp by hand with:
  ip netns exec $GW $HERE/../build/app/wgdp/wgdp -l 0 --no-huge --no-shconf --no-pci -m 512 \\
      --vdev=net_af_packet0,iface=out0 --vdev=net_af_packet1,iface=in0 -- -c $DIR/wgdp.json
then, e.g.: ip netns exec $CLIENT ping 10.0.0.2
EOF
}

case "$cmd" in
up) up ;;
down) down ;;
*)
	echo "usage: $0 up|down [DIR]" >&2
	exit 2
	;;
esac
