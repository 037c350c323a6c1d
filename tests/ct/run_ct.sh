#!/usr/bin/env bash
# run_ct.sh VALGRIND PROGRAM [--canary]: the constant-time check under memcheck. Without
# --canary: no error may be reported. With it: memcheck must report the canary's branch on a
# key byte (and only a report of that kind counts: a crash is no proof).
set -u
valgrind=$1 prog=$2 canary=${3:-}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$valgrind" --error-exitcode=99 --track-origins=yes "$prog" $canary >"$log" 2>&1
rc=$?
cat "$log"
[ "$rc" = 77 ] && exit 77
if [ -z "$canary" ]; then
	[ "$rc" = 0 ] || { echo "run_ct.sh: memcheck saw secret-dependent control flow or addresses"; exit 1; }
	exit 0
fi
grep -q "Conditional jump or move depends on uninitialised value" "$log" && [ "$rc" = 99 ] ||
	{ echo "run_ct.sh: the canary's branch on a key byte went unseen"; exit 1; }
echo "run_ct.sh: the canary was caught, as it must be"
