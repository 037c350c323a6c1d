#!/usr/bin/env bash
# wgdp between a real wireguard-go client and a LAN host: ARP/ND/ping of wgdp's own addresses,
# ping over every inner/outer combination, a 5-second TCP iperf3, the handshake as the client's
# `wg show` sees it, and a clean exit 0 on SIGTERM (under ASan: nothing leaked).
#
# usage: test_wgdp_tunnel.sh PATH/TO/wgdp
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/wgdp.sh"
wgdp=${1:?usage: $0 wgdp}

t_require_root
t_require wireguard-go wg iperf3 python3

w_testbed
w_client 1
w_peer 1
w_config 1
w_start "$wgdp" 0 1
c=${W_CLIENT[1]}

# wgdp's own addresses, no tunnel: ARP, ND, ICMP and ICMPv6 echo answered by wgdp itself.
w_ping "$c" 192.0.2.1
w_ping "$c" 2001:db8:1::1
w_ping "$W_LAN" 10.0.0.1
w_ping "$W_LAN" fd00::1

# Through the tunnel, IPv4 outer: IPv4 and IPv6 inner.
w_ping "$c" 10.0.0.2 5
w_ping "$c" fd00::2 5
hs=$(ip netns exec "$c" wg show wgc1 latest-handshakes | awk '{print $2}')
[ -n "$hs" ] && [ "$hs" -gt 0 ] || t_fail "the client saw no handshake (latest-handshakes: '$hs')"

# Bulk TCP both ways through the tunnel.
t_bg "$W_LAN" iperf3-server.log iperf3 -s -1
t_wait_for 5 ip netns exec "$W_LAN" sh -c 'ss -ltn | grep -q ":5201 "'
ip netns exec "$c" iperf3 -c 10.0.0.2 -t 5 -J >"$T_TMP/iperf3.json" ||
	t_fail "iperf3 failed: $(tail -n 5 "$T_TMP/iperf3.json")"
python3 - "$T_TMP/iperf3.json" <<'PY' || t_fail "iperf3 moved nothing"
import json, sys
r = json.load(open(sys.argv[1]))
bps = r["end"]["sum_received"]["bits_per_second"]
print(f"iperf3 through wgdp: {bps / 1e6:.0f} Mbit/s", file=sys.stderr)
sys.exit(0 if bps > 1e6 else 1)
PY

# IPv6 outer: the client roams to wgdp's IPv6 address; wgdp answers from there.
ip netns exec "$c" wg set wgc1 peer "$(cat "$T_TMP/server.pub")" endpoint "[2001:db8:1::1]:51820"
w_ping "$c" 10.0.0.2 5
w_ping "$c" fd00::2 5
rx_before=$(ip netns exec "$c" wg show wgc1 transfer | awk '{print $2}')
w_ping "$c" 10.0.0.2 3
rx_after=$(ip netns exec "$c" wg show wgc1 transfer | awk '{print $2}')
[ "$rx_after" -gt "$rx_before" ] || t_fail "no bytes received over IPv6 outer"

w_stop
grep -q "handshake completed" "$T_TMP/wgdp.log" || t_fail "no handshake logged"
if grep -q "$(cat "$T_TMP/server.key")" "$T_TMP/wgdp.log"; then
	t_fail "the private key appears in the log"
fi
t_log "ok"
