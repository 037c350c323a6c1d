#!/usr/bin/env bash
# The control socket under a running data plane: reloads that add, change and remove peers
# while a sequence-numbered UDP stream crosses an unchanged peer (not one datagram lost, no
# new handshake for it); peer-add and peer-remove; invalid reloads answered with the JSON path
# and nothing changed; socket mode 0600; garbage, half lines and many idle clients do not stop
# it answering.
#
# usage: test_wgdp_control.sh PATH/TO/wgdp PATH/TO/wgdpctl
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/wgdp.sh"
wgdp=${1:?usage: $0 wgdp wgdpctl}
wgdpctl=${2:?usage: $0 wgdp wgdpctl}
here=$(cd "$(dirname "$0")" && pwd)

t_require_root
t_require wireguard-go wg python3

ctl() { "$wgdpctl" -s "$W_SOCK" "$@"; }
# peers_json: the sorted public keys and allowed-ips wgdp reports, one line a peer.
peers_json() {
	ctl --json show | python3 -c '
import json, sys
a = json.load(sys.stdin)
for p in sorted(a["peers"], key=lambda p: p["public_key"]):
    print(p["public_key"], p["name"], ",".join(p["allowed_ips"]), p["persistent_keepalive"])'
}
handshakes_of() { grep -c "peer $(cut -c1-4 "$T_TMP/client$1.pub")….*handshake completed" "$T_TMP/wgdp.log"; }

w_testbed
for i in 1 2 3; do w_client "$i"; done
w_peer 1
w_config 1
w_start "$wgdp" 0 1

[ "$(stat -c %a "$W_SOCK")" = 600 ] || t_fail "control socket mode $(stat -c %a "$W_SOCK"), not 600"
w_ping "${W_CLIENT[1]}" 10.0.0.2 2
hs1=$(handshakes_of 1)
[ "$hs1" -ge 1 ] || t_fail "no handshake logged for client 1"

# The stream: client 1 → LAN host, 200 datagrams a second, through every change below.
t_bg "$W_LAN" recv.log python3 "$here/udpseq.py" recv 9000 "$T_TMP/recv.out"
recv_pid=$T_LAST_PID
sleep 0.5
t_bg "${W_CLIENT[1]}" send.log python3 "$here/udpseq.py" send 10.0.0.2 9000 200 "$T_TMP/stop"
send_pid=$T_LAST_PID
sleep 1

t_log "reload: add client 2"
w_peer 2
w_config 1 "$T_TMP/two.json"
ctl reload "$T_TMP/two.json" >"$T_TMP/ans" || t_fail "reload adding a peer failed: $(cat "$T_TMP/ans")"
grep -q "1 added, 0 removed" "$T_TMP/ans" || t_fail "reload answer: $(cat "$T_TMP/ans")"
w_ping "${W_CLIENT[2]}" 10.0.0.2 2

t_log "reload: change client 2 (allowed-ips, keepalive, name)"
sed -e 's|"name": "client2"|"name": "branch-2", "persistent_keepalive": 25|' \
	-e 's|"10.0.1.12/32"|"10.0.1.12/32", "10.0.2.0/24"|' "$T_TMP/two.json" >"$T_TMP/changed.json"
ctl reload "$T_TMP/changed.json" >"$T_TMP/ans" || t_fail "changing reload failed"
grep -q "0 added, 0 removed, 1 changed" "$T_TMP/ans" || t_fail "change answer: $(cat "$T_TMP/ans")"
peers_json >"$T_TMP/peers"
grep -q "branch-2 10.0.1.12/32,10.0.2.0/24,fd00:1::12/128 25" "$T_TMP/peers" ||
	t_fail "show does not list the change: $(cat "$T_TMP/peers")"
ip -n "${W_CLIENT[2]}" addr add 10.0.2.1/24 dev wgc2
ip netns exec "${W_CLIENT[2]}" ping -c 2 -W 2 -I 10.0.2.1 10.0.0.2 >/dev/null ||
	t_fail "a source from client 2's new allowed-ips does not pass"

t_log "peer-add client 3, peer-remove client 2"
ctl peer-add "{\"public_key\":\"$(cat "$T_TMP/client3.pub")\",\"allowed_ips\":[\"10.0.1.13/32\"]}" \
	>"$T_TMP/ans" || t_fail "peer-add failed: $(cat "$T_TMP/ans")"
w_ping "${W_CLIENT[3]}" 10.0.0.2 2
ctl peer-remove "$(cat "$T_TMP/client2.pub")" >/dev/null || t_fail "peer-remove failed"
peers_json >"$T_TMP/peers"
grep -q "$(cat "$T_TMP/client2.pub")" "$T_TMP/peers" && t_fail "client 2 still listed after removal"
ip netns exec "${W_CLIENT[2]}" ping -c 2 -W 1 10.0.0.2 >/dev/null 2>&1 &&
	t_fail "client 2 still gets through after its removal"

t_log "invalid requests change nothing"
before=$(peers_json)
bad() { # bad FILE-CONTENT EXPECTED-PATH
	printf '%s' "$1" >"$T_TMP/bad.json"
	if ctl reload "$T_TMP/bad.json" 2>"$T_TMP/err"; then t_fail "accepted: $1"; fi
	grep -qF "$2" "$T_TMP/err" || t_fail "error without path $2: $(cat "$T_TMP/err")"
}
good=$(cat "$T_TMP/two.json")
bad '{"interface": ' 'line 1'
bad "${good/$(cat "$T_TMP/client2.pub")/not-a-key}" 'peers[1].public_key'
bad "${good/10.0.1.12\/32/10.0.1.300\/32}" 'peers[1].allowed_ips[0]'
bad "${good/$(cat "$T_TMP/client2.pub")/$(cat "$T_TMP/client1.pub")}" 'peers[1].public_key'
bad "${good/\"queues\": 1/\"queues\": 2}" 'ports'
ctl peer-add '{"public_key":"x"}' 2>"$T_TMP/err" && t_fail "peer-add of a bad key accepted"
grep -q "peer.public_key" "$T_TMP/err" || t_fail "peer-add error: $(cat "$T_TMP/err")"
ctl peer-remove "$(cat "$T_TMP/client2.pub")" 2>/dev/null && t_fail "removed a peer twice"
[ "$(peers_json)" = "$before" ] || t_fail "a refused request changed the peers"

t_log "garbage, half lines and idle clients"
python3 - "$W_SOCK" <<'PY' || t_fail "the control socket misbehaved on garbage"
import json, socket, sys
path = sys.argv[1]
def conn():
    s = socket.socket(socket.AF_UNIX); s.connect(path); s.settimeout(10); return s
idle = [conn() for _ in range(80)]          # more than the server's slots
half = conn(); half.sendall(b'{"cmd":"sh')  # never finished
g = conn()
for line in [b"garbage\n", b"{}\n", b'{"cmd":42}\n', b'{"cmd":"nope"}\n', b"[1,2]\n"]:
    g.sendall(line)
    ans = json.loads(g.makefile().readline())
    assert ans["ok"] is False and ans["error"], ans
s = conn(); s.sendall(b'{"cmd":"show"}\n')
assert json.loads(s.makefile().readline())["ok"] is True
PY
ctl show >"$T_TMP/show.txt" || t_fail "show failed after the garbage"
grep -q "^interface: wgdp0" "$T_TMP/show.txt" || t_fail "show text: $(cat "$T_TMP/show.txt")"

t_log "stream results"
touch "$T_TMP/stop"
wait "$send_pid" || t_fail "the sender failed"
wait "$recv_pid" || true
sent=$(cat "$T_TMP/send.log")
read -r _ received _ missing _ top <"$T_TMP/recv.out"
t_log "stream: sent $sent, received $received, missing $missing"
[ "$received" -eq "$sent" ] && [ "$missing" -eq 0 ] ||
	t_fail "the unchanged peer lost datagrams: sent $sent, $(cat "$T_TMP/recv.out")"
[ "$(handshakes_of 1)" -eq "$hs1" ] || t_fail "client 1 handshook again during the changes"
w_stop
t_log "ok"
