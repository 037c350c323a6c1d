#!/usr/bin/env bash
# handshake.sh: gives every peer of a mkconfig.py --keys-dir config a session with wgdp, so
# that wgdp encrypts the pktgen traffic for it instead of staging it.
#
#   perf/pktgen/handshake.sh KEYS_DIR WGDP_HOST[:PORT] [PROBE]
#
# For each peer in KEYS_DIR/peers.tsv it runs wgdp-probe once (default
# build/app/wgdp-probe/wgdp-probe): one handshake with the peer's private key, then one ICMP
# echo through the tunnel from the peer's inner IPv4 address to 10.0.0.2. The handshake
# makes the session; the echo, the first data packet wgdp receives on it, confirms it, which
# a responder needs before it may send (whitepaper 5.4.6). The echo's reply is not needed
# (nobody answers 10.0.0.2 before pktgen runs), so a missing reply is not counted as a failure.
#
# Run it from the host that will be the peers' endpoint: wgdp sends each peer's ciphertext to
# the address and port this script's probes came from. For the two-port pktgen topology that
# is the generator's port 1, still under the kernel driver, addressed 192.0.2.2/24; then bind
# it to vfio-pci and start pktgen. Sessions made here last REJECT_AFTER_TIME (180 s) from the
# handshake: wgdp, the responder, does not rekey them, so start pktgen within a minute or two.
# WGDP_HANDSHAKE_JOBS=N runs N probes at a time (default 32).
# Exit status: 0 when every peer completed its handshake, 1 otherwise, 2 for a usage error.
set -uo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
	sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'
	[ $# -ge 1 ] && { [ "$1" = "-h" ] || [ "$1" = "--help" ]; } && exit 0
	exit 2
fi
keys=$1 host=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
probe=${3:-$top/build/app/wgdp-probe/wgdp-probe}
case "$host" in *:*) endpoint=$host ;; *) endpoint=$host:51820 ;; esac

for f in "$keys/peers.tsv" "$keys/server.pub"; do
	[ -r "$f" ] || { echo "handshake.sh: cannot read $f (mkconfig.py --keys-dir)" >&2; exit 2; }
done
[ -x "$probe" ] || { echo "handshake.sh: $probe is not executable (build first)" >&2; exit 2; }
server=$(tr -d ' \n' <"$keys/server.pub")

# Probes run $jobs at a time: each waits up to 100 ms for the echo's reply that never comes.
jobs=${WGDP_HANDSHAKE_JOBS:-32}
res=$(mktemp -d) || exit 1
trap 'rm -rf "$res"' EXIT
start=$(date +%s) running=0
while IFS=$'\t' read -r idx keyfile v4 _v6 _pub; do
	case "$idx" in '#'* | '') continue ;; esac
	"$probe" --endpoint "$endpoint" --server-key "$server" --key-file "$keyfile" \
		-n 1 --timeout-ms 100 --ping "$v4,10.0.0.2" --json >"$res/$idx" 2>&1 &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done <"$keys/peers.tsv"
wait
ok=0 failed=0
for f in "$res"/*; do
	[ -e "$f" ] || continue
	if grep -q '"completed":1' "$f"; then
		ok=$((ok + 1))
	else
		failed=$((failed + 1))
		[ "$failed" -le 5 ] && echo "handshake.sh: peer ${f##*/}: no handshake: $(head -c 200 "$f")" >&2
	fi
done
echo "handshake.sh: $ok peers with a session, $failed without, in $(( $(date +%s) - start )) s"
[ "$failed" -eq 0 ]
