#!/usr/bin/env bash
# Every benchmark of docs/performance.md, one after another, into one directory of JSON lines,
# then the plots. Root (the handshake and probe benchmarks use network namespaces).
#
#   sudo perf/bench.sh [-o DIR] [--quick] [--peers N]
#
#   -o DIR     where results go (default perf-results/<date>); DIR/plots gets the PNGs
#   --quick    short runs, to see that everything works (figures are not worth keeping)
#   --peers N  peers of the handshake benchmark (default 10000; 100000 takes ~2 minutes more)
#
# The machine is shared and noisy: every figure that is compared is measured beside its
# reference in the same run (crypto ceilings, floors, wireguard-go), so read the ratios.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${WGDP_BUILD:-$top/build}
out=$top/perf-results/$(date +%Y-%m-%d-%H%M)
quick=0
peers=10000

while [ $# -gt 0 ]; do
	case "$1" in
	-o) out=$2; shift ;;
	--quick) quick=1 ;;
	--peers) peers=$2; shift ;;
	-h|--help) sed -n '2,12p' "$0"; exit 0 ;;
	*) echo "bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[ "$(id -u)" -eq 0 ] || { echo "bench.sh: needs root (network namespaces)" >&2; exit 1; }
[ -x "$build/perf/wgdp-perf" ] || { echo "bench.sh: run scripts/setup.sh first" >&2; exit 1; }
mkdir -p "$out"

step() {
	local name=$1; shift
	echo "bench.sh: $name" >&2
	"$@" >"$out/$name.jsonl" 2>"$out/$name.log" || {
		echo "bench.sh: $name failed; see $out/$name.log" >&2
		tail -n 5 "$out/$name.log" >&2
		exit 1
	}
}

# Handshake lcores in process: K=1 and K=2 in turns, the feeder on the first CPU with the
# second engine, the control lcore on the second CPU (perf/hs_inproc.c).
hs_eal="--lcores=0@0,1@1,2@0 --no-huge --no-shconf --no-pci -m 1024 --file-prefix bench-hsi \
--log-level=lib.eal:warning"

{
	echo "date: $(date -Is)"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-) x $(nproc)"
	echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "commit: $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)"
} >"$out/machine.txt"

if [ "$quick" = 1 ]; then
	step crypto "$build/perf/wgdp-perf" crypto --arch all --duration-ms 30 --sizes 64,1420
	step dataplane "$build/perf/wgdp-perf" dataplane --flood --duration-ms 30 --sizes 64,1420 --peers 1
	step handshake "$top/perf/handshake.sh" --peers 1000 --duration-ms 300
	step handshake_lcores "$build/perf/wgdp-perf" handshake $hs_eal -- --inproc --peers 1024 \
		--duration-ms 300 --rounds 1
	step probe "$top/perf/probe-compare.sh" --rounds 2 --handshakes 10
else
	step crypto "$build/perf/wgdp-perf" crypto --arch all --duration-ms 200
	step dataplane "$build/perf/wgdp-perf" dataplane --flood --flood-kinds handshake,bad_mac1,wrong_port \
		--duration-ms 300
	step handshake "$top/perf/handshake.sh" --peers "$peers" --duration-ms 2000 \
		--flood-rates max,100000,200000
	step handshake_lcores "$build/perf/wgdp-perf" handshake $hs_eal -- --inproc --peers 4096 \
		--duration-ms 2000 --rounds 3
	step probe "$top/perf/probe-compare.sh"
	step control "$build/perf/wgdp-perf" control --peers 1000,100000
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"

cat "$out"/*.jsonl >"$out/all.jsonl"
"$top/perf/plot" -o "$out/plots" --label "$(sed -n 's/^cpu: *//p' "$out/machine.txt"), \
$(date +%Y-%m-%d)" "$out/all.jsonl" >&2
echo "bench.sh: results in $out (all.jsonl, plots/)" >&2
