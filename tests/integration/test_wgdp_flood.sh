#!/usr/bin/env bash
# A flood of junk and of unauthenticated handshake initiations from another host on the
# outside link, at the highest rate it can send, while a client pings through the tunnel: the
# ping keeps answering (at most 10% lost), and wgdp answers none of the flood.
#
# usage: test_wgdp_flood.sh PATH/TO/wgdp
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/wgdp.sh"
wgdp=${1:?usage: $0 wgdp}
here=$(cd "$(dirname "$0")" && pwd)

t_require_root
t_require wireguard-go wg python3 tcpdump

w_testbed
w_client 1
w_peer 1
w_config 1
w_start "$wgdp" 0 1
c=${W_CLIENT[1]}
w_ping "$c" 10.0.0.2 3

w_attach attacker 9
a=$T_NS
t_wait_for 5 ip netns exec "$a" ping -c 1 -W 1 192.0.2.1 || t_fail "attacker cannot reach wgdp"
# Anything wgdp sends the attacker beyond ARP and the ping above would be an answer to the flood.
t_bg "$a" capture.log tcpdump -n -i eth0 -w "$T_TMP/attacker.pcap" udp
cap=$T_LAST_PID
sleep 1
t_bg "$a" flood.log python3 "$here/flood.py" 192.0.2.1 51820 8
flood=$T_LAST_PID
sleep 1
ip netns exec "$c" ping -c 30 -i 0.2 -W 1 10.0.0.2 >"$T_TMP/ping.log" 2>&1 || true
wait "$flood" || t_fail "the flooder failed: $(cat "$T_TMP/flood.log")"
sent=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sent"])' "$T_TMP/flood.log")
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$T_TMP/ping.log")
t_log "flood: $sent datagrams in 8 s; ping loss during it: $loss%"
[ "$sent" -gt 10000 ] || t_fail "the flood was too weak to prove anything ($sent)"
python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= 10 else 1)' "$loss" ||
	t_fail "ping lost $loss% during the flood: $(tail -n 3 "$T_TMP/ping.log")"
sleep 0.5
kill "$cap"
wait "$cap" 2>/dev/null || true
replies=$(tcpdump -n -r "$T_TMP/attacker.pcap" "src host 192.0.2.1" 2>/dev/null | wc -l)
[ "$replies" -eq 0 ] || t_fail "wgdp answered the flood $replies times"
w_ping "$c" 10.0.0.2 3
w_stop
t_log "ok"
