#!/usr/bin/env bash
# Tenants (issue #15): two WireGuard interfaces on one wgdp, each with its own key, listen
# port and peers, and the same inside subnet on VLANs 100 and 200 of one inside port:
#
#   client A (wireguard-go, 10.0.1.11) ─┐                      ┌ trunk ─ lsw (802.1Q switch)
#   client B (wireguard-go, 10.0.1.11) ─┴─ sw ── out0: wgdp: in0 ┘   ├─ VLAN 100: host A 10.0.0.2
#                                                                    │            router 10.0.0.254
#                                                                    │              └ far 10.9.0.1
#                                                                    └─ VLAN 200: host B 10.0.0.2
#
# The switch is vlan_switch.py on packet sockets: this kernel has neither VLAN devices nor
# bridge VLAN filtering (nor tc's vlan action), and a real switch is what the trunk needs.
#
# Both clients have the same inner address and reach 10.0.0.2: each must get its own host
# (told apart by the TTL of their answers), over IPv4 and IPv6, and carry a TCP stream
# (iperf3). A's static route 10.9.0.0/16 via 10.0.0.254 reaches the far namespace; B has no
# such route, so what B sends there goes nowhere (drops.no_route, the far side sees nothing).
# A reload that would move interface B is refused with its path. A reload removing B takes
# B's sessions, traffic and UAPI socket away while A's ping stream goes on without a loss or a
# handshake; a reload adding B back brings its socket and, after a handshake, its traffic.
#
# usage: test_wgdp_tenants.sh PATH/TO/wgdp PATH/TO/wgdpctl
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/wgdp.sh"
wgdp=${1:?usage: $0 wgdp wgdpctl}
wgdpctl=${2:?usage: $0 wgdp wgdpctl}

t_require_root
t_require wireguard-go wg iperf3 python3
here=$(cd "$(dirname "$0")" && pwd)

# wireguard-go's and wgdp's UAPI sockets are shared by all namespaces: names no other test run
# uses.
W_WGC=wt$((T_ID % 100000))c
A_IF=ta$((T_ID % 100000))
B_IF=tb$((T_ID % 100000))
ctl() { "$wgdpctl" -s "$W_SOCK" "$@"; }
# stat KEY: the value at dotted KEY of `wgdpctl --json stats`.
stat() {
	ctl --json stats | python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[k]
print(v)' "$1"
}
# echos_in NS: ICMP echo requests NS has received (its own ARP / ND chatter left out).
echos_in() { ip netns exec "$1" awk '/^Icmp:/ { if (n++) print $10 }' /proc/net/snmp; }

# The outside: wgdp's gw namespace, a switch, two client namespaces.
t_ns gw; W_GW=$T_NS
t_ns sw; W_SW=$T_NS
ip -n "$W_SW" link add br0 type bridge
ip -n "$W_SW" link set br0 up
t_veth "$W_GW" out0 "$W_SW" gwport
ip -n "$W_SW" link set gwport master br0
w_no_offload "$W_SW" gwport

# The inside: one trunk into an 802.1Q switch, an access port per host.
t_ns lsw; LSW=$T_NS
t_veth "$W_GW" in0 "$LSW" trunk
for ifc in out0 in0; do
	ip netns exec "$W_GW" sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=1"
	w_no_offload "$W_GW" "$ifc"
done
w_no_offload "$LSW" trunk
# access NAME: a namespace on an access port of the switch (a$NAME); its name in T_NS.
access() {
	t_ns "$1"
	t_veth "$T_NS" eth0 "$LSW" "a$1"
	w_no_offload "$T_NS" eth0
	w_no_offload "$LSW" "a$1"
}
# The same addresses on both VLANs; the hosts' TTLs tell them apart (64 - 1 at wgdp).
access hosta; HOSTA=$T_NS
access hostb; HOSTB=$T_NS
for h in "$HOSTA" "$HOSTB"; do
	ip -n "$h" addr add 10.0.0.2/24 dev eth0
	ip -n "$h" addr add fd00::2/64 dev eth0 nodad
	ip -n "$h" route add default via 10.0.0.1
	ip -n "$h" -6 route add default via fd00::1
done
ip netns exec "$HOSTA" sysctl -qw net.ipv4.ip_default_ttl=50 net.ipv6.conf.eth0.hop_limit=50
ip netns exec "$HOSTB" sysctl -qw net.ipv4.ip_default_ttl=60 net.ipv6.conf.eth0.hop_limit=60
# Tenant A's router to a second subnet, 10.9.0.0/24, where "far" lives.
access rtr; RTR=$T_NS
ip -n "$RTR" addr add 10.0.0.254/24 dev eth0
ip -n "$RTR" route add default via 10.0.0.1
ip netns exec "$RTR" sysctl -qw net.ipv4.ip_forward=1
t_ns far; FAR=$T_NS
t_veth "$RTR" eth1 "$FAR" eth0
w_no_offload "$FAR" eth0
ip -n "$RTR" addr add 10.9.0.254/24 dev eth1
ip -n "$FAR" addr add 10.9.0.1/24 dev eth0
ip -n "$FAR" route add default via 10.9.0.254
t_bg "$LSW" vlan_switch.log python3 "$here/vlan_switch.py" trunk 100:ahosta,artr 200:ahostb
t_wait_for 5 grep -q "vlan_switch: ready" "$T_TMP/vlan_switch.log" ||
	t_fail "the VLAN switch did not start: $(cat "$T_TMP/vlan_switch.log")"

t_keypair tenanta
t_keypair tenantb
# client I TENANT PORT: a wireguard-go client of interface TENANT at 192.0.2.1:PORT, inner
# 10.0.1.11 and fd00:1::11 whichever the tenant; its namespace in W_CLIENT[I].
client() {
	local i=$1 tenant=$2 port=$3 ns dev=$W_WGC$1
	w_attach "client$i" "$i"
	ns=$T_NS
	W_CLIENT[$i]=$ns
	t_keypair "client$i"
	t_wireguard_go "$ns" "$dev" "$T_TMP/client$i.key" 51820
	ip -n "$ns" addr add 10.0.1.11/24 dev "$dev"
	ip -n "$ns" addr add fd00:1::11/64 dev "$dev" nodad
	ip -n "$ns" link set "$dev" mtu 1420
	ip netns exec "$ns" wg set "$dev" peer "$(cat "$T_TMP/$tenant.pub")" \
		endpoint "192.0.2.1:$port" allowed-ips 10.0.0.0/24,10.9.0.0/16,fd00::/64
	ip -n "$ns" route add 10.0.0.0/24 dev "$dev"
	ip -n "$ns" route add 10.9.0.0/16 dev "$dev"
	ip -n "$ns" -6 route add fd00::/64 dev "$dev"
}
client 1 tenanta 51820; CA=${W_CLIENT[1]}
client 2 tenantb 51821; CB=${W_CLIENT[2]}

# config FILE [B_VLAN [B_PEERS]]: both interfaces; B on VLAN B_VLAN (200) with B_PEERS (client 2).
# config FILE [B_VLAN [B_PEERS]]: B_VLAN "-" leaves interface B out.
config() {
	local b_vlan=${2:-200} b_peers=${3-"{ \"public_key\": \"$(cat "$T_TMP/client2.pub")\",
                   \"allowed_ips\": [\"10.0.1.11/32\", \"fd00:1::11/128\"] }"}
	local b_iface="
    ,{ \"name\": \"$B_IF\", \"private_key_file\": \"$T_TMP/tenantb.key\", \"listen_port\": 51821,
      \"inside\": { \"port\": 1, \"vlan\": $b_vlan, \"address\": [\"10.0.0.1/24\", \"fd00::1/64\"] },
      \"peers\": [ $b_peers ] }"
	[ "$b_vlan" = - ] && b_iface=
	cat >"$1" <<EOF
{
  "interfaces": [
    { "name": "$A_IF", "private_key_file": "$T_TMP/tenanta.key", "listen_port": 51820,
      "inside": { "port": 1, "vlan": 100, "address": ["10.0.0.1/24", "fd00::1/64"] },
      "routes": [ { "prefix": "10.9.0.0/16", "via": "10.0.0.254" } ],
      "peers": [ { "public_key": "$(cat "$T_TMP/client1.pub")", "name": "client-a",
                   "allowed_ips": ["10.0.1.11/32", "fd00:1::11/128"] } ] }$b_iface
  ],
  "ports": [
    { "port": 0, "role": "outside", "address": ["192.0.2.1/24", "2001:db8:1::1/64"] },
    { "port": 1, "role": "inside", "address": ["172.16.0.1/24"] }
  ],
  "control": { "uapi": true }
}
EOF
}
config "$T_TMP/wgdp.json"
mkfifo "$T_TMP/cli.in"
exec 3<>"$T_TMP/cli.in" # the CLI's input: read-write, so that opening it does not wait
W_STDIN=$T_TMP/cli.in
W_ARGS=(-i)
w_start "$wgdp" 0 1
grep -q "interface $A_IF: public key $(cat "$T_TMP/tenanta.pub"), listening on UDP 51820" \
	"$T_TMP/wgdp.log" || t_fail "interface A not announced: $(cat "$T_TMP/wgdp.log")"
grep -q "interface $B_IF: public key $(cat "$T_TMP/tenantb.pub"), listening on UDP 51821" \
	"$T_TMP/wgdp.log" || t_fail "interface B not announced"

# ttl_of NS DST: the TTL / hop limit of DST's answer to one ping from NS.
ttl_of() {
	ip netns exec "$1" ping -c 1 -W 2 "$2" | sed -n 's/.*\(ttl\|hlim\)=\([0-9]*\).*/\2/p'
}
t_log "each client reaches its own LAN host (IPv4, IPv6), none the other's"
w_ping "$CA" 10.0.0.2 5
w_ping "$CB" 10.0.0.2 5
w_ping "$CA" fd00::2 3
w_ping "$CB" fd00::2 3
[ "$(ttl_of "$CA" 10.0.0.2)" = 49 ] || t_fail "client A's ping answered by TTL $(ttl_of "$CA" 10.0.0.2), not host A's 49"
[ "$(ttl_of "$CB" 10.0.0.2)" = 59 ] || t_fail "client B's ping answered by TTL $(ttl_of "$CB" 10.0.0.2), not host B's 59"
[ "$(ttl_of "$CA" fd00::2)" = 49 ] || t_fail "client A's IPv6 ping not answered by host A"
[ "$(ttl_of "$CB" fd00::2)" = 59 ] || t_fail "client B's IPv6 ping not answered by host B"
# And the LAN side: each host's answer goes back to its own tenant's client.
w_ping "$HOSTA" 10.0.1.11 3
w_ping "$HOSTB" 10.0.1.11 3
ip netns exec "$CA" sysctl -qw net.ipv4.ip_default_ttl=40
[ "$(ttl_of "$HOSTA" 10.0.1.11)" = 39 ] || t_fail "host A's ping not answered by client A"
[ "$(ttl_of "$HOSTB" 10.0.1.11)" = 63 ] || t_fail "host B's ping not answered by client B"

t_log "TCP through each tenant (iperf3, 3 s)"
for n in a b; do
	[ $n = a ] && { host=$HOSTA; cl=$CA; } || { host=$HOSTB; cl=$CB; }
	t_bg "$host" "iperf3-$n-server.log" iperf3 -s -1
	t_wait_for 5 ip netns exec "$host" sh -c 'ss -ltn | grep -q ":5201 "' ||
		t_fail "iperf3 server $n did not start"
	ip netns exec "$cl" iperf3 -c 10.0.0.2 -t 3 -J >"$T_TMP/iperf3-$n.json" 2>&1 ||
		t_fail "iperf3 through tenant $n failed: $(tail -5 "$T_TMP/iperf3-$n.json")"
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["end"]["sum_received"]
assert r["bytes"] > 1000000, r
print("tenant %s: %.1f Mbit/s" % (sys.argv[2], r["bits_per_second"] / 1e6))' \
		"$T_TMP/iperf3-$n.json" $n >&2 || t_fail "tenant $n: too little received"
done

t_log "stats per interface"
[ "$(stat "interfaces.$A_IF.peers")" = 1 ] || t_fail "stats: $A_IF peers"
[ "$(stat "interfaces.$B_IF.vlan")" = 200 ] || t_fail "stats: $B_IF vlan"
[ "$(stat "interfaces.$A_IF.rx_bytes")" -gt 1000000 ] || t_fail "stats: $A_IF rx_bytes"
[ "$(stat "interfaces.$B_IF.tx_bytes")" -gt 10000 ] || t_fail "stats: $B_IF tx_bytes"

t_log "wg show and wg set, per interface (one UAPI socket each)"
[ "$(wg show "$A_IF" peers)" = "$(cat "$T_TMP/client1.pub")" ] ||
	t_fail "wg show $A_IF: $(wg show "$A_IF" peers)"
[ "$(wg show "$B_IF" peers)" = "$(cat "$T_TMP/client2.pub")" ] ||
	t_fail "wg show $B_IF: $(wg show "$B_IF" peers)"
[ "$(wg show "$B_IF" listen-port)" = 51821 ] || t_fail "wg show $B_IF listen-port"
[ "$(wg show "$A_IF" public-key)" = "$(cat "$T_TMP/tenanta.pub")" ] || t_fail "wg show $A_IF public-key"
wg set "$B_IF" peer "$(cat "$T_TMP/client2.pub")" persistent-keepalive 25 ||
	t_fail "wg set $B_IF failed"
wg show "$B_IF" persistent-keepalive | grep -q "25$" || t_fail "wg set $B_IF did not reach B"
wg show "$A_IF" persistent-keepalive | grep -q "off$" || t_fail "wg set $B_IF reached A"
ctl show "$B_IF" | grep -q "$(cat "$T_TMP/client2.pub")" || t_fail "wgdpctl show $B_IF"
ctl show "$A_IF" | grep -q "$(cat "$T_TMP/client2.pub")" && t_fail "wgdpctl show $A_IF lists B's peer"
ctl show >/dev/null 2>"$T_TMP/err" && t_fail "wgdpctl show without an interface answered"
grep -q "interface" "$T_TMP/err" || t_fail "show without an interface: $(cat "$T_TMP/err")"
echo "show peers $B_IF" >&3
t_wait_for 5 grep -q "^peer: $(cat "$T_TMP/client2.pub")" "$T_TMP/wgdp.log" ||
	t_fail "CLI show peers $B_IF: $(tail -5 "$T_TMP/wgdp.log")"
grep -q "^peer: $(cat "$T_TMP/client1.pub")" "$T_TMP/wgdp.log" && t_fail "CLI: $B_IF listed A's peer"
echo "show peers" >&3
t_wait_for 5 grep -q "error: interface: is required" "$T_TMP/wgdp.log" ||
	t_fail "CLI show peers without an interface: $(tail -3 "$T_TMP/wgdp.log")"
t_keypair extra
echo "peer add $(cat "$T_TMP/extra.pub") allowed-ips 10.0.7.0/24 interface $B_IF" >&3
t_wait_for 5 grep -q "applied: 1 added" "$T_TMP/wgdp.log" || t_fail "CLI peer add to $B_IF"
[ "$(wg show "$B_IF" peers | grep -c .)" = 2 ] || t_fail "CLI peer add did not reach $B_IF"
echo "peer remove $(cat "$T_TMP/extra.pub") $B_IF" >&3
t_wait_for 5 grep -q "applied: 0 added, 1 removed" "$T_TMP/wgdp.log" || t_fail "CLI peer remove"
# Peer events name their interface when there are several.
grep -q "wgdp.handshake: $A_IF: peer .*handshake completed" "$T_TMP/wgdp.log" ||
	t_fail "handshake log without the interface: $(grep handshake "$T_TMP/wgdp.log" | head -3)"

t_log "telemetry per interface"
if command -v dpdk-telemetry.py >/dev/null; then
	# --no-shconf still gives the runtime directory its file prefix: find the socket.
	sock=$(find /var/run/dpdk -name dpdk_telemetry.v2 -newer "$T_TMP/wgdp.json" | head -n 1)
	[ -n "$sock" ] || t_fail "no telemetry socket"
	tel() { echo "$1" | ip netns exec "$W_GW" dpdk-telemetry.py -f "$(basename "$(dirname "$sock")")"; }
	tel "/wgdp/peers,$B_IF" >"$T_TMP/tel" 2>&1 || t_fail "telemetry peers: $(cat "$T_TMP/tel")"
	grep -q "$(cat "$T_TMP/client2.pub")" "$T_TMP/tel" || t_fail "telemetry $B_IF: $(cat "$T_TMP/tel")"
	grep -q "$(cat "$T_TMP/client1.pub")" "$T_TMP/tel" && t_fail "telemetry $B_IF lists A's peer"
	tel /wgdp/info >"$T_TMP/tel" 2>&1 || t_fail "telemetry info: $(cat "$T_TMP/tel")"
	grep -q "interfaces_${A_IF}_listen_port" "$T_TMP/tel" || t_fail "telemetry info: $(cat "$T_TMP/tel")"
else
	t_fail "dpdk-telemetry.py missing (package dpdk-dev)"
fi

t_log "A's static route carries traffic to 10.9.0.0/16; B's packets there go nowhere"
far_before=$(echos_in "$FAR")
w_ping "$CA" 10.9.0.1 3
[ "$(ttl_of "$CA" 10.9.0.1)" = 62 ] || t_fail "10.9.0.1 not reached through the router"
[ "$(echos_in "$FAR")" -ge $((far_before + 4)) ] || t_fail "the far namespace counted no echo"
far_before=$(echos_in "$FAR")
noroute_before=$(stat drops.no_route)
ip netns exec "$CB" ping -c 5 -i 0.2 -W 1 10.9.0.1 >/dev/null 2>&1 &&
	t_fail "client B reached tenant A's routed subnet"
sleep 1
[ "$(echos_in "$FAR")" -eq "$far_before" ] ||
	t_fail "the far namespace saw pings from tenant B"
[ "$(stat drops.no_route)" -ge $((noroute_before + 5)) ] ||
	t_fail "drops.no_route did not count B's packets: $noroute_before -> $(stat drops.no_route)"

t_log "a reload that moves B to another VLAN is refused by path"
config "$T_TMP/moved.json" 300
ctl reload "$T_TMP/moved.json" 2>"$T_TMP/err" && t_fail "a reload moving interface B was applied"
grep -q "interfaces\[1\]" "$T_TMP/err" || t_fail "refusal without the path: $(cat "$T_TMP/err")"
w_ping "$CB" 10.0.0.2 3

t_log "a reload removing interface B: B's traffic and socket go, A's session and stream stay"
hs_before=$(grep -c "handshake completed" "$T_TMP/wgdp.log")
ip netns exec "$CA" ping -c 40 -i 0.1 -W 1 10.0.0.2 >"$T_TMP/stream.log" 2>&1 &
stream=$!
T_PIDS+=("$stream")
sleep 1
config "$T_TMP/no-b.json" -
ctl reload "$T_TMP/no-b.json" >"$T_TMP/ans" || t_fail "reload removing B failed: $(cat "$T_TMP/ans")"
grep -q "interfaces: 0 added, 1 removed" "$T_TMP/ans" || t_fail "reload answer: $(cat "$T_TMP/ans")"
grep -q "applied: 0 added, 1 removed" "$T_TMP/ans" || t_fail "B's peer not removed: $(cat "$T_TMP/ans")"
wait "$stream" || true
# ping exits 0 if any answer came: the count is what tells a loss.
grep -q " 0% packet loss" "$T_TMP/stream.log" ||
	t_fail "A's stream lost packets during the reload: $(tail -3 "$T_TMP/stream.log")"
ip netns exec "$CB" ping -c 3 -i 0.2 -W 1 10.0.0.2 >/dev/null 2>&1 &&
	t_fail "client B still gets through after its interface went"
[ "$(grep -c "handshake completed" "$T_TMP/wgdp.log")" -eq "$hs_before" ] ||
	t_fail "the reload cost a handshake"
w_ping "$CA" 10.0.0.2 3
[ -S "/var/run/wireguard/$B_IF.sock" ] && t_fail "B's UAPI socket outlived B"
wg show "$B_IF" >/dev/null 2>&1 && t_fail "wg show $B_IF answered after B went"
[ "$(wg show "$A_IF" peers)" = "$(cat "$T_TMP/client1.pub")" ] || t_fail "wg show $A_IF after B went"
ctl show "$B_IF" >/dev/null 2>&1 && t_fail "show $B_IF answered after B went"
ctl show >"$T_TMP/show" || t_fail "show without a name, one interface left: $(cat "$T_TMP/show")"

t_log "a reload adding B back: its socket, a handshake, its traffic"
# B's handshakes so far: none can happen while B is away.
hs_b=$(grep -c "wgdp.handshake: $B_IF: .*handshake completed" "$T_TMP/wgdp.log")
config "$T_TMP/b-back.json"
ctl reload "$T_TMP/b-back.json" >"$T_TMP/ans" || t_fail "reload adding B failed: $(cat "$T_TMP/ans")"
grep -q "interfaces: 1 added, 0 removed" "$T_TMP/ans" || t_fail "reload answer: $(cat "$T_TMP/ans")"
# The server's thread opens the socket as it wakes: a moment after the answer.
t_wait_for 5 wg show "$B_IF" peers >/dev/null || t_fail "no UAPI socket for $B_IF after it came back"
[ "$(wg show "$B_IF" peers)" = "$(cat "$T_TMP/client2.pub")" ] ||
	t_fail "wg show $B_IF after B came back: $(wg show "$B_IF" peers 2>&1)"
# wireguard-go's session with the old B is dead: it gives up on it and handshakes again.
# (It retries once no answer came for 15 s after it sent: up to 20 s here.)
t_wait_for 30 ip netns exec "$CB" ping -c 1 -W 1 10.0.0.2 || t_fail "client B never got back"
w_ping "$CB" 10.0.0.2 3
[ "$(ttl_of "$CB" 10.0.0.2)" = 59 ] || t_fail "client B, back, not answered by host B"
[ "$(grep -c "wgdp.handshake: $B_IF: .*handshake completed" "$T_TMP/wgdp.log")" -gt "$hs_b" ] ||
	t_fail "B came back without a handshake"
w_ping "$CA" 10.0.0.2 3

w_stop
t_log "ok"
