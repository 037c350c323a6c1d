#!/usr/bin/env bash
# run_ct.sh VALGRIND PROGRAM [--canary | --canary-index]: the constant-time check under
# memcheck. Without a canary no error may be reported. With one, memcheck must report it: a
# branch on a secret ("Conditional jump or move depends on uninitialised value") or an address
# made from one ("Use of uninitialised value of size"); a crash is no proof.
set -u
valgrind=$1 prog=$2 canary=${3:-}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$valgrind" --error-exitcode=99 --track-origins=yes "$prog" $canary >"$log" 2>&1
rc=$?
cat "$log"
[ "$rc" = 77 ] && exit 77
case "$canary" in
"")
	[ "$rc" = 0 ] || { echo "run_ct.sh: memcheck saw secret-dependent control flow or addresses"; exit 1; }
	exit 0 ;;
--canary) want="Conditional jump or move depends on uninitialised value" ;;
--canary-index) want="Use of uninitialised value of size" ;;
*) echo "run_ct.sh: unknown canary $canary"; exit 2 ;;
esac
grep -q "$want" "$log" && [ "$rc" = 99 ] ||
	{ echo "run_ct.sh: the canary ($canary) went unseen"; exit 1; }
echo "run_ct.sh: the canary ($canary) was caught, as it must be"
