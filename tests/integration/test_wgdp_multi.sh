#!/usr/bin/env bash
# Two worker lcores (three lcores, af_packet qpairs=2, two queues a port) and three
# wireguard-go clients at once, each pinging the LAN host.
#
# usage: test_wgdp_multi.sh PATH/TO/wgdp
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/wgdp.sh"
wgdp=${1:?usage: $0 wgdp}

t_require_root
t_require wireguard-go wg

w_testbed
for i in 1 2 3; do
	w_client "$i"
	w_peer "$i"
done
w_config 2
w_start "$wgdp" "(0-2)@(0-1)" 2
grep -q "2 worker lcore" "$T_TMP/wgdp.log" || t_fail "wgdp did not start two workers"

pids=()
for i in 1 2 3; do
	ip netns exec "${W_CLIENT[$i]}" sh -c '
		for t in $(seq 150); do ping -c 1 -W 1 10.0.0.2 >/dev/null && break; sleep 0.1; done
		ping -c 10 -i 0.2 -W 2 10.0.0.2' >"$T_TMP/ping$i.log" 2>&1 &
	pids+=($!)
done
for n in 0 1 2; do
	wait "${pids[$n]}" || t_fail "client $((n + 1)) lost pings: $(cat "$T_TMP/ping$((n + 1)).log")"
done
for i in 1 2 3; do
	w_ping "${W_CLIENT[$i]}" fd00::2 3
done
w_stop
[ "$(grep -c "handshake completed" "$T_TMP/wgdp.log")" -ge 3 ] ||
	t_fail "fewer than three handshakes logged"
t_log "ok"
