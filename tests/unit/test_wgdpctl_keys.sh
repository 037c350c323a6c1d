#!/bin/bash
# wgdpctl genkey | pubkey | genpsk must agree with Debian's wg, byte for byte.
# Usage: test_wgdpctl_keys.sh PATH_TO_WGDPCTL
set -u
ctl=$1
fail=0
check() { # description, condition result
	if [ "$2" -eq 0 ]; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi
}
if ! command -v wg >/dev/null; then
	echo "wg (wireguard-tools) is not installed"
	exit 1
fi

# A key from wg gives the same public key through both tools, for several keys.
for i in 1 2 3 4 5; do
	priv=$(wg genkey)
	want=$(printf '%s\n' "$priv" | wg pubkey)
	got=$(printf '%s\n' "$priv" | "$ctl" pubkey)
	[ -n "$want" ] && [ "$got" = "$want" ]
	check "wg genkey key $i: wgdpctl pubkey = wg pubkey" $?
done

# Without the trailing newline too.
priv=$(wg genkey)
[ "$(printf '%s' "$priv" | "$ctl" pubkey)" = "$(printf '%s' "$priv" | wg pubkey)" ]
check "key without newline" $?

# Our keys are keys wg accepts, and wg agrees on their public half.
priv=$("$ctl" genkey)
[ ${#priv} -eq 44 ] && [ "$(printf '%s\n' "$priv" | wg pubkey)" = "$(printf '%s\n' "$priv" | "$ctl" pubkey)" ]
check "wgdpctl genkey key: wg pubkey = wgdpctl pubkey" $?

# genkey clamps like wg: decoding gives a 32-byte key with the curve25519 bits set.
bytes=$(printf '%s' "$priv" | base64 -d | od -An -tu1 | tr -s ' ' '\n' | grep -v '^$')
first=$(echo "$bytes" | head -1); last=$(echo "$bytes" | tail -1); count=$(echo "$bytes" | wc -l)
[ "$count" -eq 32 ] && [ $((first & 7)) -eq 0 ] && [ $((last & 128)) -eq 0 ] && [ $((last & 64)) -eq 64 ]
check "genkey output is a clamped 32-byte key" $?

# Two keys are never the same.
[ "$("$ctl" genkey)" != "$("$ctl" genkey)" ] && [ "$("$ctl" genpsk)" != "$("$ctl" genpsk)" ]
check "fresh keys differ" $?

psk=$("$ctl" genpsk)
[ ${#psk} -eq 44 ] && [ "$(printf '%s' "$psk" | base64 -d | wc -c)" -eq 32 ]
check "genpsk prints 32 bytes in base64" $?

# wg refuses what we refuse.
for bad in "" "short" "${priv%?}" "${priv}A" "$(printf '%s' "$priv" | tr 'A-Za-z' '!')"; do
	printf '%s\n' "$bad" | "$ctl" pubkey >/dev/null 2>&1
	ours=$?
	printf '%s\n' "$bad" | wg pubkey >/dev/null 2>&1
	theirs=$?
	[ $ours -ne 0 ] && [ $theirs -ne 0 ]
	check "bad key '${bad:0:12}...' refused by both" $?
done

# Unknown commands fail.
"$ctl" frobnicate >/dev/null 2>&1
[ $? -ne 0 ]
check "unknown command exits non-zero" $?

exit $fail
