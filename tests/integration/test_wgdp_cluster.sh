#!/usr/bin/env bash
# Issue #19's demo in short: scripts/cluster-demo.sh --check with two wgdp boxes behind ECMP
# anycast (FRR bgpd in namespaces, L4 hash) and four wireguard-go clients, two a box. It
# asserts that the clients spread over both boxes, that wgdpctl with two sockets applies a
# peer-add to both, that a set-config one box refuses changes neither and that set-peers puts
# one file's peers on both, that after box a is
# killed every client passes traffic again within 30 s, and that the survivor lists all four
# with a fresh handshake. Here, besides: box a's client whose endpoint the boxes know is taken
# over by the survivor (stray data, lib/dp/stray.h) well before its own 15 s timers, and the
# other one is back by those timers. About 30 s.
#
# usage: test_wgdp_cluster.sh PATH/TO/wgdp PATH/TO/wgdpctl
source "$(dirname "$0")/lib.sh"
wgdp=${1:?usage: $0 wgdp wgdpctl}
wgdpctl=${2:?usage: $0 wgdp wgdpctl}
demo=$(cd "$(dirname "$0")/../../scripts" && pwd)/cluster-demo.sh

t_require_root
t_require wireguard-go wg python3 ethtool stdbuf
[ -x /usr/lib/frr/zebra ] && [ -x /usr/lib/frr/bgpd ] ||
	t_skip "FRR not installed (scripts/setup.sh installs it)"

rc=0
"$demo" --clients 4 --endpoints half --check --prefix "wgdp$T_ID-cl-" \
	--wgdp "$wgdp" --wgdpctl "$wgdpctl" >"$T_TMP/demo.log" 2>&1 || rc=$?
cat "$T_TMP/demo.log" >&2
[ "$rc" -ne 77 ] || t_skip "the demo could not run here"
[ "$rc" -eq 0 ] || t_fail "the demo's checks failed (exit $rc)"

# The table after the stop: "c1 a 0.5 +0.6 +0": client, box before, unanswered, back at, ...
back_at() { # CLIENT
	awk -v c="$1" '/^== per client/ { on = 1 } on && $1 == c { sub(/^\+/, "", $4); print $4; exit }' \
		"$T_TMP/demo.log"
}
grep -Eq '^c1 +a ' "$T_TMP/demo.log" && grep -Eq '^c3 +a ' "$T_TMP/demo.log" ||
	t_fail "clients 1 and 3 were not on box a"
c1=$(back_at c1)
c3=$(back_at c3)
t_log "box a's clients back after: c1 (endpoint known) ${c1} s, c3 (unknown) ${c3} s"
awk -v t="$c1" 'BEGIN { exit !(t != "-" && t < 10) }' ||
	t_fail "c1 was not taken over by box b within 10 s (back at $c1)"
awk -v t="$c3" 'BEGIN { exit !(t != "-" && t < 30) }' || t_fail "c3 not back within 30 s"
grep -Eq 'initiations for them [1-9]' "$T_TMP/demo.log" ||
	t_fail "box b sent no initiation for stray data"
t_log "ok"
