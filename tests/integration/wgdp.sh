#!/usr/bin/env bash
# The wgdp testbed for integration tests, on top of lib.sh (source lib.sh first):
#
#   client namespaces (wireguard-go) ─┐
#   attacker namespaces              ─┼─ switch namespace (bridge br0) ── out0 ┐
#                                     │                                   gw: wgdp (af_packet)
#   lan namespace (10.0.0.2, fd00::2) ─────────────────────────────────── in0 ┘
#
# wgdp: outside 192.0.2.1/24 + 2001:db8:1::1/64, inside 10.0.0.1/24 + fd00::1/64.
# Client i: outer 192.0.2.(10+i) / 2001:db8:1::(10+i), inner 10.0.1.(10+i) / fd00:1::(10+i).
# Everything made here is in lib.sh's cleanup lists, so it goes away however the test ends.

WGDP_PEERS=()
W_ARGS=()
W_SOCK=""

# No offloads: wgdp sees frames as they are on the wire (complete checksums, no TSO/GRO).
w_no_offload() {
	ip netns exec "$1" ethtool -K "$2" rx off tx off tso off gso off gro off >/dev/null 2>&1 || true
}

# w_testbed: the gw, switch and lan namespaces; names in W_GW, W_SW, W_LAN.
w_testbed() {
	t_ns gw; W_GW=$T_NS
	t_ns sw; W_SW=$T_NS
	t_ns lan; W_LAN=$T_NS
	ip -n "$W_SW" link add br0 type bridge
	ip -n "$W_SW" link set br0 up
	t_veth "$W_GW" out0 "$W_SW" gwport
	ip -n "$W_SW" link set gwport master br0
	t_veth "$W_GW" in0 "$W_LAN" eth0
	for ifc in out0 in0; do
		ip netns exec "$W_GW" sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=1"
		w_no_offload "$W_GW" "$ifc"
	done
	w_no_offload "$W_SW" gwport
	w_no_offload "$W_LAN" eth0
	ip -n "$W_LAN" addr add 10.0.0.2/24 dev eth0
	ip -n "$W_LAN" addr add fd00::2/64 dev eth0 nodad
	ip -n "$W_LAN" route add default via 10.0.0.1
	ip -n "$W_LAN" -6 route add default via fd00::1
	t_keypair server
}

# w_attach NAME I: a namespace on the outside link with outer addresses for index I; in T_NS.
w_attach() {
	local name=$1 i=$2
	t_ns "$name"
	t_veth "$T_NS" eth0 "$W_SW" "p$i"
	ip -n "$W_SW" link set "p$i" master br0
	w_no_offload "$T_NS" eth0
	w_no_offload "$W_SW" "p$i"
	ip -n "$T_NS" addr add "192.0.2.$((10 + i))/24" dev eth0
	ip -n "$T_NS" addr add "2001:db8:1::$((10 + i))/64" dev eth0 nodad
}

# w_client I [ENDPOINT]: client namespace I with wireguard-go interface ${W_WGC}I (wgcI unless
# the test sets W_WGC) peered to wgdp; the namespace's name in W_CLIENT[I]. (Interface names
# differ because wireguard-go's UAPI socket, /var/run/wireguard/NAME.sock, is not per
# namespace; a test that may run beside another copy of the suite sets a W_WGC of its own.)
# ENDPOINT defaults to wgdp's IPv4 address; "none" configures no endpoint on the client.
declare -A W_CLIENT
W_WGC=${W_WGC:-wgc}
w_client() {
	local i=$1 ep=${2:-192.0.2.1:51820} ns dev=$W_WGC$1
	w_attach "client$i" "$i"
	ns=$T_NS
	W_CLIENT[$i]=$ns
	t_keypair "client$i"
	t_wireguard_go "$ns" "$dev" "$T_TMP/client$i.key" 51820
	ip -n "$ns" addr add "10.0.1.$((10 + i))/24" dev "$dev"
	ip -n "$ns" addr add "fd00:1::$((10 + i))/64" dev "$dev" nodad
	ip -n "$ns" link set "$dev" mtu 1420
	if [ "$ep" = none ]; then
		ip netns exec "$ns" wg set "$dev" peer "$(cat "$T_TMP/server.pub")" \
			allowed-ips 10.0.0.0/24,fd00::/64
	else
		ip netns exec "$ns" wg set "$dev" peer "$(cat "$T_TMP/server.pub")" endpoint "$ep" \
			allowed-ips 10.0.0.0/24,fd00::/64
	fi
	ip -n "$ns" route add 10.0.0.0/24 dev "$dev" 2>/dev/null || true
	ip -n "$ns" -6 route add fd00::/64 dev "$dev" 2>/dev/null || true
}

# w_peer I [ENDPOINT]: adds client I to wgdp's config (optionally with an endpoint).
w_peer() {
	local i=$1 ep=${2:-}
	local entry="{ \"public_key\": \"$(cat "$T_TMP/client$i.pub")\", \"name\": \"client$i\","
	entry+=" \"allowed_ips\": [\"10.0.1.$((10 + i))/32\", \"fd00:1::$((10 + i))/128\"]"
	[ -n "$ep" ] && entry+=", \"endpoint\": \"$ep\""
	entry+=" }"
	WGDP_PEERS+=("$entry")
}

# w_config QUEUES [FILE]: writes $T_TMP/wgdp.json (or FILE) with the peers in WGDP_PEERS.
# W_IFNAME names the interface (the UAPI socket is per name), W_UAPI=true turns the UAPI on.
W_IFNAME=wgdp0
W_UAPI=false
w_config() {
	local queues=${1:-1} file=${2:-$T_TMP/wgdp.json} peers
	peers=$(IFS=,; echo "${WGDP_PEERS[*]}")
	cat >"$file" <<EOF
{
  "interface": { "name": "$W_IFNAME", "private_key_file": "$T_TMP/server.key", "listen_port": 51820 },
  "ports": [
    { "port": 0, "role": "outside", "address": ["192.0.2.1/24", "2001:db8:1::1/64"],
      "queues": $queues },
    { "port": 1, "role": "inside", "address": ["10.0.0.1/24", "fd00::1/64"], "queues": $queues }
  ],
  "peers": [ $peers ],
  "control": { "uapi": $W_UAPI }
}
EOF
}

# w_start WGDP LCORES QPAIRS: starts wgdp in the gw namespace and waits for "wgdp: ready".
# Its control socket is $T_TMP/ctl.sock (W_SOCK); W_ARGS adds options after "--", W_STDIN
# feeds its standard input (for -i).
# LCORES is an EAL --lcores map: this machine may have fewer CPUs than the test wants lcores,
# so e.g. "(0-2)@(0-1)" runs three lcores on two CPUs. Its PID is in W_PID, its stderr in
# $T_TMP/wgdp.log. W_MEM replaces the EAL's memory options (default: no hugepages, 512 MB).
w_start() {
	local wgdp=$1 lcores=${2:-0} qpairs=${3:-1} mem
	read -r -a mem <<<"${W_MEM:---no-huge -m 512}"
	W_SOCK=$T_TMP/ctl.sock
	ip netns exec "$W_GW" "$wgdp" "--lcores=$lcores" "${mem[@]}" --no-shconf --no-pci \
		--log-level=lib.eal:warning \
		"--vdev=net_af_packet0,iface=out0,qpairs=$qpairs" \
		"--vdev=net_af_packet1,iface=in0,qpairs=$qpairs" \
		-- -c "$T_TMP/wgdp.json" -s "$W_SOCK" "${W_ARGS[@]}" \
		<"${W_STDIN:-/dev/null}" >"$T_TMP/wgdp.log" 2>&1 &
	W_PID=$!
	T_PIDS+=("$W_PID")
	for _ in $(seq 300); do
		grep -q "wgdp: ready" "$T_TMP/wgdp.log" && return 0
		kill -0 "$W_PID" 2>/dev/null || break
		sleep 0.1
	done
	t_fail "wgdp did not become ready: $(tail -n 20 "$T_TMP/wgdp.log")"
}

# w_stop: SIGTERM, and wgdp must exit 0 within 10 s (under ASan a leak makes it non-zero).
w_stop() {
	local rc=0
	kill -TERM "$W_PID"
	for _ in $(seq 100); do
		kill -0 "$W_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$W_PID" 2>/dev/null && t_fail "wgdp still running 10 s after SIGTERM"
	wait "$W_PID" || rc=$?
	[ "$rc" -eq 0 ] || t_fail "wgdp exited $rc after SIGTERM: $(tail -n 30 "$T_TMP/wgdp.log")"
}

# w_ping NS DST [COUNT]: COUNT pings, all answered (the first may wait for a handshake).
w_ping() {
	local ns=$1 dst=$2 count=${3:-3}
	t_wait_for 15 ip netns exec "$ns" ping -c 1 -W 1 "$dst" ||
		t_fail "$ns: no answer from $dst"
	ip netns exec "$ns" ping -c "$count" -i 0.2 -W 2 "$dst" >"$T_TMP/ping.log" 2>&1 ||
		t_fail "$ns: ping $dst lost packets: $(cat "$T_TMP/ping.log")"
}
