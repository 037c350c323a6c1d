#!/usr/bin/env bash
# The demo of what is built so far: keys exactly as wg makes them, and the crypto ceiling.
# (It grows into the full namespace testbed with wgdp as the concentrator lands.)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
ctl=$build/app/wgdpctl/wgdpctl
perf=$build/perf/wgdp-perf
[ -x "$ctl" ] && [ -x "$perf" ] || { echo "demo: build first with scripts/setup.sh" >&2; exit 1; }

echo "== keys: wgdpctl and wg agree"
priv=$("$ctl" genkey)
echo "wgdpctl pubkey: $(printf '%s\n' "$priv" | "$ctl" pubkey)"
if command -v wg >/dev/null; then
	echo "wg pubkey:      $(printf '%s\n' "$priv" | wg pubkey)"
fi
echo
echo "== crypto ceiling (wgdp-perf crypto, 1420-byte packets)"
"$perf" crypto --sizes 1420 --duration-ms 300
