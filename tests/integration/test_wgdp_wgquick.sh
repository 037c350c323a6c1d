#!/usr/bin/env bash
# wg-quick files into wgdp and back (issue #18). Three files shaped like real ones (IPv6
# first; comments, wg-quick keys, CRLF and several peers; preshared keys, endpoints and
# keepalives) are each imported with a template holding the testbed's ports, run by wgdp, and
# pinged through by wireguard-go clients configured as their peers. With each one running:
# `wgdpctl export --keys` → `wg setconf` on a wireguard-go interface → its `wg showconf` must
# equal `wg showconf` of wgdp itself (its UAPI socket), and hold the file's keys and prefixes;
# `wgdpctl export` without --keys holds no private or preshared key. A broken file is refused
# with FILE:LINE and nothing on stdout.
#
# usage: test_wgdp_wgquick.sh PATH/TO/wgdp PATH/TO/wgdpctl
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/wgdp.sh"
wgdp=${1:?usage: $0 wgdp wgdpctl}
wgdpctl=${2:?usage: $0 wgdp wgdpctl}
here=$(cd "$(dirname "$0")" && pwd)
umask 077 # the imported configs and exports hold private keys

t_require_root
t_require wireguard-go wg python3

# Interface names are global (UAPI sockets in /var/run/wireguard): ours carry the PID.
W_WGC=wq${T_ID}c
ctl() { "$wgdpctl" -s "$W_SOCK" "$@"; }
canon() { python3 "$here/wgconf.py" "$@"; }

w_testbed
for i in 1 2 3; do w_client "$i"; done
server_key=$(cat "$T_TMP/server.key")
pub() { cat "$T_TMP/client$1.pub"; }
for i in 1 2 3; do wg genpsk >"$T_TMP/psk$i"; done

# The testbed's ports; the interface (key, port, peers) comes from each file.
cat >"$T_TMP/template.json" <<EOF
{
  "interface": { "name": "placeholder", "mss_clamp": "auto" },
  "ports": [
    { "port": 0, "role": "outside", "address": ["192.0.2.1/24", "2001:db8:1::1/64"] },
    { "port": 1, "role": "inside", "address": ["10.0.0.1/24", "fd00::1/64"] }
  ],
  "limits": { "max_peers": 64 },
  "control": { "uapi": true }
}
EOF

# A server as wg-quick users write them: dual-stack with IPv6 first, an IPv6 endpoint.
file_a=$T_TMP/wq${T_ID}a.conf
cat >"$file_a" <<EOF
[Interface]
# dual-stack, IPv6 first
Address = fd00:1::1/64, 10.0.1.1/24
ListenPort = 51821
PrivateKey = $server_key
MTU = 1400

[Peer]
PublicKey = $(pub 1)
AllowedIPs = fd00:1::11/128, 10.0.1.11/32
Endpoint = [2001:db8:1::11]:51820

[Peer]
PublicKey = $(pub 2)
AllowedIPs = fd00:1::12/128
AllowedIPs = 10.0.1.12/32
EOF

# An office server kept by hand: comments everywhere, wg-quick's keys, CRLF, any case.
file_b=$T_TMP/wq${T_ID}b.conf
sed 's/$/\r/' >"$file_b" <<EOF
# /etc/wireguard/office.conf -- managed by hand
# one [Peer] per laptop

[Interface]
Address = 10.0.1.1/24
SaveConfig = false
PostUp = iptables -A FORWARD -i %i -j ACCEPT; iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
PostDown = iptables -D FORWARD -i %i -j ACCEPT; iptables -t nat -D POSTROUTING -o eth0 -j MASQUERADE
ListenPort = 51820
privatekey = $server_key
DNS = 10.0.0.53, office.example

### laptop-1 ###
[Peer]
PublicKey = $(pub 1)
AllowedIPs = 10.0.1.11/32   # IPv4 only

# laptop-2
[peer]
publickey=$(pub 2)
allowedips=10.0.1.12/32,fd00:1::12/128

[Peer]
# laptop-3: one prefix a line
PublicKey = $(pub 3)
AllowedIPs = 10.0.1.13/32
AllowedIPs = fd00:1::13/128
EOF

# Branch offices: preshared keys, endpoints and keepalives (wgdp dials them at start).
file_c=$T_TMP/wq${T_ID}cc.conf
cat >"$file_c" <<EOF
[Interface]
PrivateKey = $server_key
ListenPort = 51822

[Peer]
# branch 1
PublicKey = $(pub 1)
PresharedKey = $(cat "$T_TMP/psk1")
Endpoint = 192.0.2.11:51820
AllowedIPs = 10.0.1.11/32, fd00:1::11/128
PersistentKeepalive = 25

[Peer]
# branch 2
PublicKey = $(pub 2)
PresharedKey = $(cat "$T_TMP/psk2")
Endpoint = 192.0.2.12:51820
AllowedIPs = 10.0.1.12/32
PersistentKeepalive = 25

[Peer]
# branch 3, no preshared key
PublicKey = $(pub 3)
AllowedIPs = 10.0.1.13/32
EOF

# client_peer I ENDPOINT [PSK-FILE]: client I's wgdp peer afresh (a new session at once).
client_peer() {
	local ns=${W_CLIENT[$1]} dev=$W_WGC$1 server
	server=$(cat "$T_TMP/server.pub")
	ip netns exec "$ns" wg set "$dev" peer "$server" remove
	ip netns exec "$ns" wg set "$dev" peer "$server" endpoint "$2" \
		allowed-ips 10.0.0.0/24,fd00::/64 ${3:+preshared-key "$3"}
}

# import_run FILE: imports FILE (notes to $T_TMP/import.err) and starts wgdp on it.
import_run() {
	"$wgdpctl" import "$1" --template "$T_TMP/template.json" >"$T_TMP/wgdp.json" \
		2>"$T_TMP/import.err" || t_fail "import of $1 failed: $(cat "$T_TMP/import.err")"
	w_start "$wgdp" 0 1
}

# round_trip NAME FILE: export → wg setconf on wireguard-go → wg showconf, against wgdp's.
round_trip() {
	local name=$1 file=$2 keys=privatekey,listenport,publickey,presharedkey,allowedips
	ctl export --keys >"$T_TMP/export.conf" || t_fail "$name: export --keys failed"
	ctl export -i "$name" >"$T_TMP/plain.conf" || t_fail "$name: export -i $name failed"
	grep -Eiq 'PrivateKey|PresharedKey' "$T_TMP/plain.conf" &&
		t_fail "$name: export without --keys printed a key: $(cat "$T_TMP/plain.conf")"
	for secret in "$server_key" $(cat "$T_TMP"/psk?); do
		grep -qF "$secret" "$T_TMP/plain.conf" && t_fail "$name: a secret in the export"
	done
	cmp -s <(grep -v Key "$T_TMP/export.conf") <(grep -v Key "$T_TMP/plain.conf") ||
		t_fail "$name: exports with and without keys differ beyond the keys"

	ip netns exec "$W_RT" wg setconf "$rt_dev" "$T_TMP/export.conf" ||
		t_fail "$name: wg setconf refused the export: $(cat "$T_TMP/export.conf")"
	ip netns exec "$W_RT" wg showconf "$rt_dev" >"$T_TMP/rt.conf"
	wg showconf "$name" >"$T_TMP/wgdp.conf" || t_fail "$name: wg showconf on wgdp failed"
	diff <(canon "$T_TMP/rt.conf") <(canon "$T_TMP/wgdp.conf") >"$T_TMP/diff" ||
		t_fail "$name: wireguard-go's showconf differs from wgdp's: $(cat "$T_TMP/diff")"
	# What the file said came through: keys, port, preshared keys, prefixes.
	diff <(canon "$file" "$keys") <(canon "$T_TMP/export.conf" "$keys") >"$T_TMP/diff" ||
		t_fail "$name: the export lost what the file said: $(cat "$T_TMP/diff")"
	grep -c '^\[Peer\]' "$T_TMP/export.conf" >"$T_TMP/n"
	t_log "$name: export round trip ok ($(cat "$T_TMP/n") peers)"
}

# A wireguard-go interface to `wg setconf` the exports on, in a namespace of its own.
t_ns rt
W_RT=$T_NS
rt_dev=wq${T_ID}x
t_keypair rt
t_wireguard_go "$W_RT" "$rt_dev" "$T_TMP/rt.key" 51899

t_log "a broken file: FILE:LINE, exit 1, nothing on stdout"
printf '[Interface]\nPrivateKey = %s\n\n[Peer]\nPublicKey = %s\nEndpoint = vpn.example.org:51820\n' \
	"$server_key" "$(pub 1)" >"$T_TMP/broken.conf"
"$wgdpctl" import "$T_TMP/broken.conf" >"$T_TMP/out" 2>"$T_TMP/err" &&
	t_fail "a host name endpoint was imported"
[ -s "$T_TMP/out" ] && t_fail "a failed import printed: $(cat "$T_TMP/out")"
grep -q "^$T_TMP/broken.conf:6: Endpoint: vpn.example.org:51820 is a host name" "$T_TMP/err" ||
	t_fail "the error does not name the line: $(cat "$T_TMP/err")"

t_log "file A: IPv6 first, port 51821, MTU 1400"
import_run "$file_a"
grep -q '"mtu": 1400' "$T_TMP/wgdp.json" || t_fail "MTU not imported: $(cat "$T_TMP/wgdp.json")"
grep -q "wgdp.config: interface wq${T_ID}a: .*UDP 51821, 2 peers" "$T_TMP/wgdp.log" ||
	t_fail "wgdp did not take file A's interface: $(grep interface "$T_TMP/wgdp.log")"
client_peer 1 "[2001:db8:1::1]:51821"
client_peer 2 "[2001:db8:1::1]:51821"
w_ping "${W_CLIENT[1]}" fd00::2 2
w_ping "${W_CLIENT[1]}" 10.0.0.2 2
w_ping "${W_CLIENT[2]}" fd00::2 2
round_trip "wq${T_ID}a" "$file_a"
ctl export -i nosuch >/dev/null 2>"$T_TMP/err" && t_fail "export of an unknown interface worked"
grep -q "interface: no interface nosuch" "$T_TMP/err" || t_fail "export -i nosuch: $(cat "$T_TMP/err")"
w_stop

t_log "file B: comments, wg-quick keys, CRLF, three peers"
import_run "$file_b"
for key in Address PostUp PostDown DNS; do
	line=$(grep -n "^$key" "$file_b" | cut -d: -f1)
	grep -q "^$file_b:$line: warning: $key" "$T_TMP/import.err" ||
		t_fail "no warning naming line $line ($key): $(cat "$T_TMP/import.err")"
done
grep -q SaveConfig "$T_TMP/import.err" && t_fail "SaveConfig = false warned"
for i in 1 2 3; do client_peer "$i" 192.0.2.1:51820; done
for i in 1 2 3; do w_ping "${W_CLIENT[$i]}" 10.0.0.2 2; done
w_ping "${W_CLIENT[3]}" fd00::2 2
ip netns exec "${W_CLIENT[1]}" ping -c 1 -W 1 fd00::2 >/dev/null 2>&1 &&
	t_fail "laptop-1 (IPv4 only) reached the LAN over IPv6"
round_trip "wq${T_ID}b" "$file_b"
w_stop

t_log "file C: preshared keys, endpoints, keepalives"
for i in 1 2 3; do
	client_peer "$i" 192.0.2.1:51822 "$([ "$i" -lt 3 ] && echo "$T_TMP/psk$i")"
done
import_run "$file_c"
# wgdp dials the branches with endpoints itself: the LAN reaches them first.
w_ping "$W_LAN" 10.0.1.11 2
w_ping "$W_LAN" 10.0.1.12 2
w_ping "${W_CLIENT[3]}" 10.0.0.2 2
w_ping "${W_CLIENT[1]}" fd00::2 2
# A preshared key that differs keeps the handshake from completing.
client_peer 2 192.0.2.1:51822 "$T_TMP/psk3"
ip netns exec "${W_CLIENT[2]}" ping -c 2 -W 1 10.0.0.2 >/dev/null 2>&1 &&
	t_fail "branch 2 got through with the wrong preshared key"
client_peer 2 192.0.2.1:51822 "$T_TMP/psk2"
w_ping "${W_CLIENT[2]}" 10.0.0.2 2
round_trip "wq${T_ID}cc" "$file_c"
w_stop
t_log "ok"
