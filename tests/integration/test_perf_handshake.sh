#!/usr/bin/env bash
# perf/handshake.sh, briefly: the handshake load generator against a real wgdp over a veth,
# every phase, with the figures' sanity checked (check_perf_handshake.py); then again against
# wgdp with two handshake lcores (--handshake-lcores 2).
#
# usage: test_perf_handshake.sh BUILD_DIR
source "$(dirname "$0")/lib.sh"
build=${1:?usage: $0 BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

t_require_root
t_require python3 taskset ethtool

peers=600
HS_PREFIX="wgdphs$T_ID-" WGDP_BUILD="$build" "$top/perf/handshake.sh" --peers "$peers" \
	--duration-ms 300 --legit-rate 100 >"$T_TMP/hs.jsonl" 2>"$T_TMP/hs.log" ||
	t_fail "perf/handshake.sh failed: $(tail -n 20 "$T_TMP/hs.log")"
python3 "$here/check_perf_handshake.py" "$T_TMP/hs.jsonl" "$peers" >&2 ||
	t_fail "the figures do not hold together"
# The same generator against two handshake lcores (both on wgdp's CPU here: a check of
# behaviour, not of speed), the capacity and flood phases.
HS_PREFIX="wgdphs$T_ID-" WGDP_BUILD="$build" HS_WGDP_LCORES="0@1,1@1" \
	HS_WGDP_ARGS="--handshake-lcores 2" "$top/perf/handshake.sh" --peers "$peers" \
	--duration-ms 300 --legit-rate 100 >"$T_TMP/hs2.jsonl" 2>"$T_TMP/hs2.log" ||
	t_fail "perf/handshake.sh with two handshake lcores failed: $(tail -n 20 "$T_TMP/hs2.log")"
python3 "$here/check_perf_handshake.py" "$T_TMP/hs2.jsonl" "$peers" >&2 ||
	t_fail "the figures with two handshake lcores do not hold together"
[ -z "$(ip netns list | grep "wgdphs$T_ID-")" ] || t_fail "namespaces left behind"
t_log "ok"
