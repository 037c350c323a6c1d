#!/usr/bin/env bash
# wgdp-probe against a real wireguard-go: handshakes over IPv4 and IPv6 outer, with and
# without a preshared key, and one ICMP echo through the tunnel answered by the kernel on
# the wireguard-go side. This is the interoperability proof of lib/wg.
#
# usage: test_probe_wireguard_go.sh PATH/TO/wgdp-probe
source "$(dirname "$0")/lib.sh"
probe=${1:?usage: $0 wgdp-probe}

t_require_root
t_require wireguard-go wg python3

t_ns srv; srv=$T_NS
t_ns cli; cli=$T_NS
t_veth "$srv" eth0 "$cli" eth0
ip -n "$srv" addr add 192.0.2.1/24 dev eth0
ip -n "$cli" addr add 192.0.2.2/24 dev eth0
ip -n "$srv" addr add 2001:db8::1/64 dev eth0 nodad
ip -n "$cli" addr add 2001:db8::2/64 dev eth0 nodad

t_keypair server
t_keypair probe
(umask 077; wg genpsk >"$T_TMP/psk")

t_wireguard_go "$srv" wg0 "$T_TMP/server.key" 51820
ip -n "$srv" addr add 10.99.0.1/24 dev wg0
ip netns exec "$srv" wg set wg0 peer "$(cat "$T_TMP/probe.pub")" allowed-ips 10.99.0.2/32

# run_probe NAME ARGS...: runs the probe in the client namespace, JSON to $T_TMP/NAME.json.
run_probe() {
	local name=$1
	shift
	ip netns exec "$cli" "$probe" --server-key "$(cat "$T_TMP/server.pub")" \
		--key-file "$T_TMP/probe.key" --json "$@" >"$T_TMP/$name.json" \
		2>"$T_TMP/$name.log" || t_fail "$name: wgdp-probe exited $?: $(cat "$T_TMP/$name.log")"
}

# check NAME N PING: every one of N handshakes completed, timings are sane, ping as expected.
check() {
	python3 - "$T_TMP/$1.json" "$2" "$3" <<'PY' || t_fail "$1: $(cat "$T_TMP/$1.json")"
import json, sys
r = json.load(open(sys.argv[1]))
n, ping = int(sys.argv[2]), sys.argv[3]
assert r["sent"] == n and r["completed"] == n, r
assert 0 < r["p50_us"] <= r["p90_us"] <= r["p99_us"] <= r["max_us"], r
if ping == "yes":
    assert r["ping"] == "ok", r
PY
}

t_log "IPv4 outer, no PSK, 20 handshakes and a ping"
run_probe v4 --endpoint 192.0.2.1:51820 -n 20 --interval-ms 25 --ping 10.99.0.2,10.99.0.1
check v4 20 yes
cat "$T_TMP/v4.json"

t_log "IPv6 outer"
run_probe v6 --endpoint '[2001:db8::1]:51820' -n 10 --ping 10.99.0.2,10.99.0.1
check v6 10 yes

t_log "with a preshared key on both sides"
ip netns exec "$srv" wg set wg0 peer "$(cat "$T_TMP/probe.pub")" preshared-key "$T_TMP/psk"
run_probe psk --endpoint 192.0.2.1:51820 -n 10 --psk-file "$T_TMP/psk" --ping 10.99.0.2,10.99.0.1
check psk 10 yes

t_log "a wrong preshared key gets no answer"
(umask 077; wg genpsk >"$T_TMP/wrong.psk")
if ip netns exec "$cli" "$probe" --server-key "$(cat "$T_TMP/server.pub")" \
	--key-file "$T_TMP/probe.key" --psk-file "$T_TMP/wrong.psk" --endpoint 192.0.2.1:51820 \
	-n 2 --timeout-ms 300 --json >"$T_TMP/wrong.json" 2>"$T_TMP/wrong.log"; then
	t_fail "a handshake with the wrong PSK completed"
fi
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["completed"]==0, r' \
	"$T_TMP/wrong.json" || t_fail "wrong PSK: $(cat "$T_TMP/wrong.json")"

t_log "an unknown static key gets no answer"
t_keypair stranger
if ip netns exec "$cli" "$probe" --server-key "$(cat "$T_TMP/server.pub")" \
	--key-file "$T_TMP/stranger.key" --endpoint 192.0.2.1:51820 -n 1 --timeout-ms 300 \
	--json >"$T_TMP/stranger.json" 2>"$T_TMP/stranger.log"; then
	t_fail "a handshake from an unknown key completed"
fi

t_log "wireguard-go saw the probe's handshake"
hs=$(ip netns exec "$srv" wg show wg0 latest-handshakes | awk '{print $2}')
[ "${hs:-0}" -gt 0 ] || t_fail "wg show reports no handshake"
echo "PASS"
