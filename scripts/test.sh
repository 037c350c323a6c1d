#!/usr/bin/env bash
# The test command: builds and runs every test suite in the normal build and again under
# AddressSanitizer + UndefinedBehaviorSanitizer, then runs every libFuzzer target for about
# 60 s (scripts/fuzz.sh; each target counts as one test). Integration tests need root.
#
#   scripts/test.sh                 everything: both builds, then the fuzzers
#   scripts/test.sh --no-sanitize   the normal build only (and the fuzzers)
#   scripts/test.sh --no-fuzz       without the fuzzers
#   scripts/test.sh --suite unit    one meson suite (unit, integration, perf-smoke)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
sanitize=1
fuzz=1
suite_args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--no-sanitize) sanitize=0 ;;
	--no-fuzz) fuzz=0 ;;
	--suite) suite_args+=(--suite "$2"); shift ;;
	-h|--help) sed -n '2,10p' "$0"; exit 0 ;;
	*) echo "test.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

# A fresh machine: install the packages and build first (setup.sh is idempotent).
if ! "$top/scripts/setup.sh" --check; then
	"$top/scripts/setup.sh" || { echo "test.sh: scripts/setup.sh failed" >&2; exit 1; }
fi

passed=0 failed=0 skipped=0

# run_build DIR [meson setup options...]: configure if needed, build, test, add up results.
run_build() {
	local dir=$1; shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$top" "$@" >/dev/null || { failed=$((failed + 1)); return; }
	fi
	if ! ninja -C "$dir"; then
		echo "test.sh: build in $dir failed" >&2
		failed=$((failed + 1))
		return
	fi
	meson test -C "$dir" --print-errorlogs "${suite_args[@]}"
	local counts
	counts=$(python3 - "$dir/meson-logs/testlog.json" <<'PY'
import json, sys
p = f = s = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"): p += 1
    elif r == "SKIP": s += 1
    else: f += 1
print(p, f, s)
PY
) || counts="0 1 0"
	read -r p f s <<<"$counts"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

run_build "$top/build"
if [ "$sanitize" = 1 ]; then
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
	run_build "$top/build-san" -Db_sanitize=address,undefined -Db_lundef=false
fi

# The fuzzers: their own clang build (build-fuzz); "fuzz: N passed, N failed" is their last line.
if [ "$fuzz" = 1 ]; then
	if ! command -v clang >/dev/null; then
		echo "test.sh: clang not found (scripts/setup.sh installs it): fuzzers skipped" >&2
		skipped=$((skipped + 1))
	else
		# Through a file, not `tee /dev/stderr`: that reopens our stderr with O_TRUNC and,
		# when it is a log file, erases everything written before.
		fuzz_log=$(mktemp)
		"$top/scripts/fuzz.sh" 2>&1 | tee "$fuzz_log" >&2
		fuzz_out=$(tail -n 1 "$fuzz_log")
		rm -f "$fuzz_log"
		if [[ "$fuzz_out" =~ ^fuzz:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
			passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2]))
		else
			failed=$((failed + 1))
		fi
	fi
fi

echo
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
