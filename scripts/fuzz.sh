#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in build-fuzz and runs each on a copy of
# its seed corpus for a bounded time, one after another.
#
#   scripts/fuzz.sh                      every target, 60 s each (WGDP_FUZZ_SECONDS overrides)
#   scripts/fuzz.sh --seconds 3600 config   one target for an hour
#   scripts/fuzz.sh --list               the target names
#   scripts/fuzz.sh --regen-corpus       rewrites the generated seeds in fuzz/corpus
#
# Work dirs are build-fuzz/fuzz-work/<target>/ (the corpus as it grew, crash files); the seed
# corpus in fuzz/corpus/ is never written. Last line: "fuzz: N passed, N failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${WGDP_FUZZ_BUILD_DIR:-$top/build-fuzz}
seconds=${WGDP_FUZZ_SECONDS:-60}
targets=()
list=0
regen=0
while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) seconds=$2; shift ;;
	--list) list=1 ;;
	--regen-corpus) regen=1 ;;
	-h|--help) sed -n '2,11p' "$0"; exit 0 ;;
	-*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
	*) targets+=("$1") ;;
	esac
	shift
done

all=$(cd "$top/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//' | grep -v '^common$\|^dpdk$')
if [ "$list" = 1 ]; then
	echo "$all"
	exit 0
fi
[ ${#targets[@]} -gt 0 ] || read -r -a targets <<<"$(echo $all)"

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" "$top" -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false >/dev/null || { echo "fuzz: setup of $build failed"; exit 1; }
fi
if ! ninja -C "$build" -j2 >/dev/null; then
	ninja -C "$build" -j2 | tail -20
	echo "fuzz: build in $build failed"
	echo "fuzz: 0 passed, ${#targets[@]} failed"
	exit 1
fi
if [ "$regen" = 1 ]; then
	"$build/fuzz/gen_corpus" "$top/fuzz/corpus" && echo "fuzz: seeds written to fuzz/corpus"
	exit
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
passed=0 failed=0
for t in "${targets[@]}"; do
	exe=$build/fuzz/fuzz_$t
	work=$build/fuzz-work/$t
	if [ ! -x "$exe" ] || [ ! -d "$top/fuzz/corpus/$t" ]; then
		echo "fuzz: $t: FAILED (no such target)"
		failed=$((failed + 1))
		continue
	fi
	rm -rf "$work"
	mkdir -p "$work/corpus"
	cp -r "$top/fuzz/corpus/$t/." "$work/corpus/"
	dict=()
	[ -f "$top/fuzz/dict/$t.dict" ] && dict=(-dict="$top/fuzz/dict/$t.dict")
	(cd "$work" && "$exe" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
		-print_final_stats=1 "${dict[@]}" -artifact_prefix="$work/" corpus \
		>"$work/log" 2>&1)
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$work/log" | tail -1)
	crash=$(ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null | head -1)
	if [ "$rc" -eq 0 ] && [ -z "$crash" ]; then
		echo "fuzz: $t: ok (${execs:-0} execs, $(( ${execs:-0} / (seconds > 0 ? seconds : 1) ))/s, $cov)"
		passed=$((passed + 1))
	else
		echo "fuzz: $t: FAILED (${crash:+$(basename "$crash") saved at $crash, }log $work/log)"
		grep -m1 -A12 'ERROR: \|runtime error\|==ERROR\|deadly signal' "$work/log" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
