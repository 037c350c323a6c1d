#!/usr/bin/env bash
# Handshakes on two lcores (--handshake-lcores 2, issue #17): wgdp on two lcores mapped onto
# the two CPUs (the main lcore: control, worker and engine 0; lcore 1: engine 1), three
# wireguard-go clients handshaking and pinging at once, a reload while they do, and the
# handshake counters of both engines in `stats`.
#
# usage: test_wgdp_hslcores.sh PATH/TO/wgdp PATH/TO/wgdpctl
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/wgdp.sh"
wgdp=${1:?usage: $0 wgdp wgdpctl}
wgdpctl=${2:?usage: $0 wgdp wgdpctl}

t_require_root
t_require wireguard-go wg python3

w_testbed
for i in 1 2 3 4 5 6; do
	w_client "$i"
	w_peer "$i"
done
w_config 1
W_ARGS=(--handshake-lcores 2)
w_start "$wgdp" "0@0,1@1" 1
grep -q "handshakes on 2 lcore" "$T_TMP/wgdp.log" || t_fail "wgdp did not start two engines"

pids=()
for i in 1 2 3 4 5 6; do
	ip netns exec "${W_CLIENT[$i]}" sh -c '
		for t in $(seq 150); do ping -c 1 -W 1 10.0.0.2 >/dev/null && break; sleep 0.1; done
		ping -c 10 -i 0.2 -W 2 10.0.0.2' >"$T_TMP/ping$i.log" 2>&1 &
	pids+=($!)
done
# A reload while the handshakes run pauses the engines between two messages.
"$wgdpctl" -s "$W_SOCK" reload >"$T_TMP/reload.log" 2>&1 || t_fail "reload: $(cat "$T_TMP/reload.log")"
for n in 0 1 2 3 4 5; do
	wait "${pids[$n]}" || t_fail "client $((n + 1)) lost pings: $(cat "$T_TMP/ping$((n + 1)).log")"
done

"$wgdpctl" -s "$W_SOCK" --json stats >"$T_TMP/stats.json" || t_fail "stats failed"
python3 - "$T_TMP/stats.json" <<'PY' || t_fail "handshake counters: $(cat "$T_TMP/stats.json")"
import json, sys
hs = json.load(open(sys.argv[1]))["handshake"]
lc = hs["lcores"]
assert len(lc) == 2, lc
# Six sources spread by their hash: each engine took some (deterministic for these addresses).
assert all(e["initiations_received"] > 0 for e in lc), lc
assert hs["initiations_received"] == sum(e["initiations_received"] for e in lc), hs
assert hs["handshakes_completed"] >= 6 and hs["responses_sent"] >= 6, hs
assert hs["index_pool_empty"] == 0, hs
PY
w_stop
[ "$(grep -c "handshake completed" "$T_TMP/wgdp.log")" -ge 6 ] ||
	t_fail "fewer than six handshakes logged"
t_log "ok"
