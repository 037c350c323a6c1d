#!/usr/bin/env bash
# A/B of the data plane: `wgdp-perf dataplane` of an old build against the new one, in the same
# run, alternating (old, new, old, new, ...), with the same arguments and the same pinning
# (each run's EAL puts its one worker lcore on CPU 0). Prices a change to the per-packet path,
# such as the router checks of issue #14 (TTL, MTU, MSS, destination MAC): cost = 1 - new/old.
#
#   WGDP_BIN=/path/to/old/wgdp-perf perf/dataplane_ab.sh [options]
#   perf/dataplane_ab.sh --base REV [options]
#
#   --base REV         without WGDP_BIN: build REV's wgdp-perf in a temporary git worktree
#                      and build directory under /tmp (removed at the end)
#   --size N           inner packet size (default 64)
#   --peers N          peers (default 1)
#   --rounds N         old/new pairs (default 9)
#   --duration-ms N    time per measurement and direction (default 300)
#   --max-cost PCT     exit 3 if either direction costs more than PCT percent
#
# The new binary is WGDP_NEW_BIN, else $WGDP_BUILD/perf/wgdp-perf (WGDP_BUILD defaults to
# build/). Output, JSON lines on stdout: every run's `wgdp-perf dataplane` line with "ab"
# ("old"/"new") and "round" added, then one "dataplane_ab" line per direction: the median
# Mpps of each side, ratio = new median / old median, cost_pct = 100 * (1 - ratio), the
# median of the per-round ratios (paired_ratio) and each side's spread, (max - min) / median.
# A cost is only worth what the spread allows: on a quiet machine a few percent.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
new=${WGDP_NEW_BIN:-${WGDP_BUILD:-$top/build}/perf/wgdp-perf}
old=${WGDP_BIN:-}
base=""
size=64
peers=1
rounds=9
duration=300
max_cost=""

die() { echo "dataplane_ab.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--base) base=${2:?}; shift ;;
	--size) size=${2:?}; shift ;;
	--peers) peers=${2:?}; shift ;;
	--rounds) rounds=${2:?}; shift ;;
	--duration-ms) duration=${2:?}; shift ;;
	--max-cost) max_cost=${2:?}; shift ;;
	-h|--help) sed -n '2,24p' "$0"; exit 0 ;;
	*) die "unknown option $1 (see --help)" ;;
	esac
	shift
done
for v in size peers rounds duration; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "--${v/duration/duration-ms} wants a positive integer"
done
[ -x "$new" ] || die "no new binary at $new (build it, or set WGDP_NEW_BIN / WGDP_BUILD)"

tmp=$(mktemp -d /tmp/wgdp-ab.XXXXXX)
cleanup() {
	if [ -d "$tmp/src" ]; then
		git -C "$top" worktree remove --force "$tmp/src" >/dev/null 2>&1 || true
		git -C "$top" worktree prune >/dev/null 2>&1 || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "$old" ]; then
	[ -n "$base" ] || die "set WGDP_BIN to the old wgdp-perf, or give --base REV"
	rev=$(git -C "$top" rev-parse --verify "$base^{commit}") || die "no such revision: $base"
	# The same build type as the new binary's build, so that only the code differs.
	buildtype=debugoptimized
	info=$(dirname "$(dirname "$new")")/meson-info/intro-buildoptions.json
	if [ -f "$info" ]; then
		buildtype=$(python3 -c '
import json, sys
print(next(o["value"] for o in json.load(open(sys.argv[1])) if o["name"] == "buildtype"))' "$info")
	fi
	echo "dataplane_ab.sh: building wgdp-perf at $base (${rev:0:12}, $buildtype) in $tmp" >&2
	git -C "$top" worktree add --detach "$tmp/src" "$rev" >/dev/null 2>&1 ||
		die "git worktree add failed"
	meson setup "$tmp/build" "$tmp/src" --buildtype="$buildtype" >"$tmp/setup.log" 2>&1 ||
		{ tail -n 20 "$tmp/setup.log" >&2; die "meson setup of $base failed"; }
	ninja -C "$tmp/build" -j "$(nproc)" perf/wgdp-perf >"$tmp/build.log" 2>&1 ||
		{ tail -n 20 "$tmp/build.log" >&2; die "building $base's wgdp-perf failed"; }
	old=$tmp/build/perf/wgdp-perf
fi
[ -x "$old" ] || die "no old binary at $old"

# run SIDE ROUND BIN: one `wgdp-perf dataplane`, its lines tagged, into the results and out.
run() {
	local side=$1 round=$2 bin=$3
	"$bin" dataplane --sizes "$size" --peers "$peers" --duration-ms "$duration" \
		>"$tmp/run.out" 2>"$tmp/run.err" ||
		{ tail -n 5 "$tmp/run.err" >&2; die "$side ($bin) failed in round $round"; }
	python3 -c '
import json, sys
side, rnd = sys.argv[1], int(sys.argv[2])
for line in open(sys.argv[3]):
    r = json.loads(line)
    if r.get("bench") != "dataplane":
        continue
    r["ab"], r["round"] = side, rnd
    print(json.dumps(r, separators=(",", ":")))' "$side" "$round" "$tmp/run.out" |
		tee -a "$tmp/all.jsonl"
}

echo "dataplane_ab.sh: old $old, new $new; $rounds rounds of ${duration} ms, $size B, $peers peer(s)" >&2
for r in $(seq "$rounds"); do
	run old "$r" "$old"
	run new "$r" "$new"
done

python3 - "$tmp/all.jsonl" "$rounds" "$max_cost" <<'PY'
import json, statistics, sys
path, rounds, max_cost = sys.argv[1], int(sys.argv[2]), sys.argv[3]
runs = [json.loads(line) for line in open(path)]
worst = 0.0
for d in ("encrypt", "decrypt"):
    mpps = {side: {r["round"]: r["mpps"] for r in runs if r["dir"] == d and r["ab"] == side}
            for side in ("old", "new")}
    if not mpps["old"] or not mpps["new"]:
        sys.exit(f"dataplane_ab.sh: no {d} figures")
    med = {s: statistics.median(v.values()) for s, v in mpps.items()}
    spread = {s: (max(v.values()) - min(v.values())) / med[s] if med[s] else 0
              for s, v in mpps.items()}
    paired = [mpps["new"][k] / mpps["old"][k] for k in mpps["old"]
              if k in mpps["new"] and mpps["old"][k]]
    ratio = med["new"] / med["old"]
    worst = max(worst, 100 * (1 - ratio))
    any_run = next(r for r in runs if r["dir"] == d)
    print(json.dumps({
        "bench": "dataplane_ab", "dir": d, "size": any_run["size"], "peers": any_run["peers"],
        "rounds": rounds, "old_mpps": round(med["old"], 3), "new_mpps": round(med["new"], 3),
        "ratio": round(ratio, 4), "cost_pct": round(100 * (1 - ratio), 2),
        "paired_ratio": round(statistics.median(paired), 4),
        "old_spread_pct": round(100 * spread["old"], 1),
        "new_spread_pct": round(100 * spread["new"], 1)}, separators=(",", ":")))
if max_cost and worst > float(max_cost):
    print(f"dataplane_ab.sh: the new binary costs {worst:.2f}% (over {max_cost}%)",
          file=sys.stderr)
    sys.exit(3)
PY
