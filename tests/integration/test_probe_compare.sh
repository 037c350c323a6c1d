#!/usr/bin/env bash
# perf/probe-compare.sh, briefly: wgdp and wireguard-go each answer every handshake of two
# short rounds, the JSON lines are all there and consistent (the ratio line is recomputed
# from the per-server lines), a run with failing handshakes exits non-zero with a clear
# message, and nothing the script made is left behind either way.
#
# usage: test_probe_compare.sh PATH/TO/wgdp PATH/TO/wgdp-probe PATH/TO/probe-compare.sh
source "$(dirname "$0")/lib.sh"
wgdp=${1:?usage: $0 wgdp wgdp-probe probe-compare.sh}
probe=${2:?usage: $0 wgdp wgdp-probe probe-compare.sh}
script=${3:?usage: $0 wgdp wgdp-probe probe-compare.sh}

t_require_root
t_require wireguard-go wg python3 ethtool

prefix=wgdp$T_ID-pc-
# Should the script die before its own cleanup, lib.sh's removes its namespaces.
T_NAMESPACES+=("${prefix}probe" "${prefix}wgdp" "${prefix}wggo")

# leftovers: fails if a namespace of ours outlived the script.
leftovers() {
	local left
	left=$(ip netns list | awk '{print $1}' | grep -- "^$prefix" || true)
	[ -z "$left" ] || t_fail "$1: namespaces left behind: $left"
}

t_log "--help and a usage error"
"$script" --help | grep -q -- "--handshakes" || t_fail "--help does not describe --handshakes"
rc=0
"$script" --rounds x >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || t_fail "--rounds x exited $rc, not 2"

t_log "2 rounds x 5 handshakes against both servers"
TB_PREFIX=$prefix "$script" --wgdp "$wgdp" --probe "$probe" --rounds 2 --handshakes 5 \
	--warmup 2 >"$T_TMP/out.json" 2>"$T_TMP/compare.log" ||
	t_fail "probe-compare exited $?: $(tail -n 30 "$T_TMP/compare.log")"
cat "$T_TMP/out.json"
leftovers "after a run"
python3 - "$T_TMP/out.json" 10 <<'PY' || t_fail "bad output: $(cat "$T_TMP/out.json")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
n = int(sys.argv[2])
per = {l["server"]: l for l in lines if l["bench"] == "probe"}
ratios = [l for l in lines if l["bench"] == "probe_ratio"]
assert sorted(per) == ["wgdp", "wireguard-go"], lines
assert len(ratios) == 1 and len(lines) == 3, lines
for s, l in per.items():
    assert l["handshakes"] == n, l
    assert 0 < l["min_us"] <= l["p50_us"] <= l["p90_us"] <= l["p99_us"] <= l["max_us"], l
r = ratios[0]
for p in ("p50", "p90", "p99"):
    want = per["wgdp"][p + "_us"] / per["wireguard-go"][p + "_us"]
    assert abs(r[p + "_ratio"] - want) <= 0.0005 + 1e-9, (p, r, want)
PY

t_log "a server that never answers: non-zero exit, a clear message, nothing left behind"
# A wgdp-probe that names a server key nobody has: every handshake goes unanswered.
wg genkey | wg pubkey >"$T_TMP/nobody.pub"
cat >"$T_TMP/bad-probe" <<EOS
#!/usr/bin/env bash
args=()
while [ \$# -gt 0 ]; do
	if [ "\$1" = --server-key ]; then args+=("\$1" "$(cat "$T_TMP/nobody.pub")"); shift 2
	else args+=("\$1"); shift; fi
done
exec "$probe" "\${args[@]}"
EOS
chmod +x "$T_TMP/bad-probe"
rc=0
TB_PREFIX=$prefix "$script" --wgdp "$wgdp" --probe "$T_TMP/bad-probe" --rounds 1 \
	--handshakes 2 --warmup 1 --timeout-ms 200 >"$T_TMP/bad.json" 2>"$T_TMP/bad.log" || rc=$?
[ "$rc" -eq 1 ] || t_fail "unanswered handshakes: exit $rc, not 1: $(tail "$T_TMP/bad.log")"
grep -q "0 of 1 handshakes completed" "$T_TMP/bad.log" ||
	t_fail "no clear message: $(tail "$T_TMP/bad.log")"
[ ! -s "$T_TMP/bad.json" ] || t_fail "figures printed despite failures: $(cat "$T_TMP/bad.json")"
leftovers "after a failed run"
echo "PASS"
