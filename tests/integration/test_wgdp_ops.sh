#!/usr/bin/env bash
# The other ways in: Debian's wg over the UAPI socket (show, latest-handshakes, set, showconf,
# syncconf), the testpmd-style CLI driven through a pipe, DPDK telemetry read with
# dpdk-telemetry.py, and the metrics from wgdpctl and over HTTP (control.metrics_listen,
# scraped with curl while iperf3 runs through the tunnel, checked with promtool).
#
# usage: test_wgdp_ops.sh PATH/TO/wgdp PATH/TO/wgdpctl
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/wgdp.sh"
here=$(cd "$(dirname "$0")" && pwd)
wgdp=${1:?usage: $0 wgdp wgdpctl}
wgdpctl=${2:?usage: $0 wgdp wgdpctl}

t_require_root
t_require wireguard-go wg python3 curl iperf3

# A name of our own: the UAPI socket lives in /var/run/wireguard, shared by every namespace.
W_IFNAME=wgdpt$$
W_IFNAME=${W_IFNAME:0:15}
W_UAPI=true
dev=$W_IFNAME

w_testbed
for i in 1 2; do w_client "$i"; done
w_peer 1
w_config 1
# The metrics endpoint on the gw namespace's own loopback.
python3 - "$T_TMP/wgdp.json" <<'PY'
import json, sys
cfg = json.load(open(sys.argv[1]))
cfg["control"]["metrics_listen"] = "127.0.0.1:9586"
json.dump(cfg, open(sys.argv[1], "w"), indent=1)
PY
mkfifo "$T_TMP/cli.in"
exec 3<>"$T_TMP/cli.in" # read-write: opening does not wait for the reader
W_STDIN=$T_TMP/cli.in
W_ARGS=(-i)
w_start "$wgdp" 0 1

t_log "wg show"
[ "$(stat -c %a "/var/run/wireguard/$dev.sock")" = 600 ] || t_fail "UAPI socket is not 0600"
w_ping "${W_CLIENT[1]}" 10.0.0.2 2
wg show "$dev" >"$T_TMP/wgshow" || t_fail "wg show $dev failed"
grep -q "public key: $(cat "$T_TMP/server.pub")" "$T_TMP/wgshow" ||
	t_fail "wg show: no interface key: $(cat "$T_TMP/wgshow")"
grep -q "peer: $(cat "$T_TMP/client1.pub")" "$T_TMP/wgshow" || t_fail "wg show: no peer"
grep -q "endpoint: 192.0.2.11:51820" "$T_TMP/wgshow" || t_fail "wg show: endpoint not learnt"
grep -q "allowed ips: 10.0.1.11/32, fd00:1::11/128" "$T_TMP/wgshow" ||
	t_fail "wg show: allowed ips: $(cat "$T_TMP/wgshow")"
grep -qF "$(cat "$T_TMP/server.key")" "$T_TMP/wgshow" && t_fail "wg show printed the private key"
read -r key hs < <(wg show "$dev" latest-handshakes)
[ "$key" = "$(cat "$T_TMP/client1.pub")" ] && [ "$hs" -gt $(($(date +%s) - 60)) ] ||
	t_fail "latest-handshakes: $key $hs"

t_log "wg set: a new peer behaves like a configured one"
wg set "$dev" peer "$(cat "$T_TMP/client2.pub")" allowed-ips 10.0.1.12/32,fd00:1::12/128 \
	persistent-keepalive 25 || t_fail "wg set failed"
w_ping "${W_CLIENT[2]}" 10.0.0.2 2
"$wgdpctl" -s "$W_SOCK" --json show | grep -q "$(cat "$T_TMP/client2.pub")" ||
	t_fail "a peer set with wg is not in wgdpctl show"
# A new listen port is taken at once (and given back, for the clients configured with it).
wg set "$dev" listen-port 4000 || t_fail "wg set listen-port was refused"
[ "$(wg show "$dev" listen-port)" = 4000 ] || t_fail "wg show after set listen-port 4000"
wg set "$dev" listen-port 51820 || t_fail "wg set listen-port back was refused"

# The prefix goes from client 2 (the later peer) to client 1 (the earlier one): the move must
# follow the latest change, not the peer order. Only the client that should get the traffic
# has 10.0.7.1, so a ping from the LAN answers only if wgdp routes it there (and accepts the
# reply from 10.0.7.1 as that client's).
t_log "wg set: an allowed-ip moves to the peer it was last given to"
c1=$(cat "$T_TMP/client1.pub")
c2=$(cat "$T_TMP/client2.pub")
moved=10.0.7.0/24
# owner_of PREFIX: the keys whose allowed-ips list it in wg show, one a line.
owner_of() {
	wg show "$dev" allowed-ips | awk -v p="$1" '{ for (i = 2; i <= NF; i++) if ($i == p) print $1 }'
}
ip -n "${W_CLIENT[2]}" addr add 10.0.7.1/32 dev wgc2
wg set "$dev" peer "$c2" allowed-ips "10.0.1.12/32,fd00:1::12/128,$moved" || t_fail "wg set (2)"
[ "$(owner_of $moved)" = "$c2" ] || t_fail "$moved not client 2's: $(wg show "$dev" allowed-ips)"
w_ping "$W_LAN" 10.0.7.1 2
ip -n "${W_CLIENT[2]}" addr del 10.0.7.1/32 dev wgc2
ip -n "${W_CLIENT[1]}" addr add 10.0.7.1/32 dev wgc1
# 10.0.7.5/24 is 10.0.7.0/24 once its host bits are cleared, as wg reads it.
wg set "$dev" peer "$c1" allowed-ips 10.0.1.11/32,fd00:1::11/128,10.0.7.5/24 || t_fail "wg set (1)"
[ "$(owner_of $moved)" = "$c1" ] ||
	t_fail "$moved after the move: $(owner_of $moved | tr '\n' ' ')$(wg show "$dev" allowed-ips)"
"$wgdpctl" -s "$W_SOCK" --json show | python3 -c '
import json, sys
peers = json.load(sys.stdin)["peers"]
held = [p["public_key"] for p in peers if sys.argv[1] in p["allowed_ips"]]
sys.exit(0 if held == [sys.argv[2]] else "wgdpctl show: %s held by %s" % (sys.argv[1], held))
' "$moved" "$c1" || t_fail "wgdpctl show lists $moved wrongly"
w_ping "$W_LAN" 10.0.7.1 2
w_ping "${W_CLIENT[2]}" 10.0.0.2 2 # client 2 keeps the rest of its prefixes

# JSON surfaces refuse a prefix held twice, with paths relative to what the request carries.
t_log "set-config and peer-add: a prefix held twice is an error with its path"
sed "s|\"10.0.1.11/32\"|\"10.0.1.11/32\", \"10.0.1.12/32\"|" "$T_TMP/wgdp.json" |
	python3 -c '
import json, sys
cfg = json.load(sys.stdin)
cfg["peers"].append({"public_key": sys.argv[1], "allowed_ips": ["10.0.1.12/32"]})
json.dump(cfg, sys.stdout)' "$c2" >"$T_TMP/dup.json"
"$wgdpctl" -s "$W_SOCK" set-config "$T_TMP/dup.json" 2>"$T_TMP/err" &&
	t_fail "set-config with a prefix held twice was accepted"
grep -qF ": peers[1].allowed_ips[0]: 10.0.1.12/32 is already peers[0]'s" "$T_TMP/err" ||
	t_fail "set-config error: $(cat "$T_TMP/err")"
"$wgdpctl" -s "$W_SOCK" reload "$T_TMP/dup.json" 2>"$T_TMP/err2" &&
	t_fail "reload with a prefix held twice was accepted"
[ "$(cat "$T_TMP/err")" = "$(cat "$T_TMP/err2")" ] ||
	t_fail "set-config and reload disagree: $(cat "$T_TMP/err") / $(cat "$T_TMP/err2")"
"$wgdpctl" -s "$W_SOCK" peer-add "{\"public_key\":\"$(wg genkey | wg pubkey)\",
	\"allowed_ips\":[\"10.0.1.11/32\"]}" 2>"$T_TMP/err" && t_fail "peer-add of a held prefix"
grep -qF ": peer.allowed_ips[0]: 10.0.1.11/32 is already peers[0]'s ($c1)" "$T_TMP/err" ||
	t_fail "peer-add error: $(cat "$T_TMP/err")"
[ "$(owner_of $moved)" = "$c1" ] || t_fail "a refused request changed the allowed-ips"

t_log "wg showconf / syncconf"
wg showconf "$dev" >"$T_TMP/conf" || t_fail "wg showconf failed"
grep -q "^PrivateKey = $(cat "$T_TMP/server.key")" "$T_TMP/conf" || t_fail "showconf key"
grep -q "^PersistentKeepalive = 25" "$T_TMP/conf" || t_fail "showconf: $(cat "$T_TMP/conf")"
# syncconf with client 2 dropped: it goes; client 1 stays with its session.
awk -v k="$(cat "$T_TMP/client2.pub")" '
	/^\[Peer\]/ { hold = $0; next }
	hold != "" { if ($0 == "PublicKey = " k) { skip = 1 } else if (!skip) print hold; hold = "" }
	/^$/ { skip = 0 }
	!skip { print }' "$T_TMP/conf" >"$T_TMP/conf1"
grep -q "$(cat "$T_TMP/client2.pub")" "$T_TMP/conf1" && t_fail "test bug: client 2 still in conf1"
wg syncconf "$dev" "$T_TMP/conf1" || t_fail "wg syncconf failed"
wg show "$dev" peers >"$T_TMP/peers"
[ "$(cat "$T_TMP/peers")" = "$(cat "$T_TMP/client1.pub")" ] ||
	t_fail "after syncconf: $(cat "$T_TMP/peers")"
w_ping "${W_CLIENT[1]}" 10.0.0.2 2

t_log "telemetry"
if command -v dpdk-telemetry.py >/dev/null; then
	# --no-shconf still gives the runtime directory its file prefix: find the socket.
	sock=$(find /var/run/dpdk -name dpdk_telemetry.v2 -newer "$T_TMP/wgdp.json" | head -n 1)
	[ -n "$sock" ] || t_fail "no telemetry socket"
	prefix=$(basename "$(dirname "$sock")")
	for q in /wgdp/info /wgdp/stats /wgdp/peers; do
		echo "$q" | ip netns exec "$W_GW" dpdk-telemetry.py -f "$prefix" >"$T_TMP/tel" 2>&1 ||
			t_fail "dpdk-telemetry.py $q: $(cat "$T_TMP/tel")"
		cp "$T_TMP/tel" "$T_TMP/tel$(basename "$q")"
	done
	grep -q "$(cat "$T_TMP/server.pub")" "$T_TMP/telinfo" || t_fail "info: $(cat "$T_TMP/telinfo")"
	grep -q '"handshake_handshakes_completed": [1-9]' "$T_TMP/telstats" ||
		t_fail "stats: $(cat "$T_TMP/telstats")"
	grep -q "$(cat "$T_TMP/client1.pub")" "$T_TMP/telpeers" || t_fail "peers: $(cat "$T_TMP/telpeers")"
else
	t_fail "dpdk-telemetry.py missing (package dpdk-dev)"
fi

t_log "metrics: Prometheus text that promtool accepts, counters moving with traffic"
command -v promtool >/dev/null || t_fail "promtool missing (package prometheus)"
"$wgdpctl" -s "$W_SOCK" metrics >"$T_TMP/m1" || t_fail "wgdpctl metrics failed"
promtool check metrics <"$T_TMP/m1" >"$T_TMP/promtool" 2>&1 ||
	t_fail "promtool: $(cat "$T_TMP/promtool")"
w_ping "${W_CLIENT[1]}" 10.0.0.2 5
"$wgdpctl" -s "$W_SOCK" metrics 1 >"$T_TMP/m2" || t_fail "wgdpctl metrics 1 failed"
PYTHONPATH=$here python3 - "$T_TMP/m1" "$T_TMP/m2" "$(cat "$T_TMP/client1.pub")" <<'PY' ||
import sys
from prom_text import load
a, b = load(sys.argv[1]), load(sys.argv[2])
key = sys.argv[3]
dec = lambda m: sum(v for k, v in m.items() if k.startswith("wgdp_worker_decrypted_total"))
assert dec(b) > dec(a), (dec(a), dec(b))
rx = [k for k in b if k.startswith("wgdp_peer_rx_bytes_total") and key in k]
assert rx and b[rx[0]] > a.get(rx[0], 0), rx
assert sum(1 for k in b if k.startswith("wgdp_peer_tx_bytes_total")) == 1, "the cap of 1"
assert b["wgdp_peers"] >= 1 and b["wgdp_handshake_handshakes_completed_total"] >= 1
PY
	t_fail "metrics did not move with traffic: $(grep -E 'decrypted|peer_rx' "$T_TMP/m2")"
grep -q "$(cat "$T_TMP/server.key")" "$T_TMP/m1" && t_fail "the private key appeared in metrics"

# scrape PORT OUT: GET /metrics from inside the gw namespace, the headers in OUT.h.
scrape() {
	ip netns exec "$W_GW" curl -sS --max-time 5 -D "$2.h" -o "$2" "http://127.0.0.1:$1/metrics"
}
# status ARGS...: the HTTP status curl gets ("000": no connection).
status() {
	ip netns exec "$W_GW" curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$@" || true
}
# promtool_ok FILE
promtool_ok() {
	promtool check metrics <"$1" >"$T_TMP/promtool" 2>&1 ||
		t_fail "promtool on $1: $(cat "$T_TMP/promtool")"
}

t_log "metrics over HTTP: the same exposition, scraped while iperf3 runs through the tunnel"
scrape 9586 "$T_TMP/h0" || t_fail "GET /metrics failed"
head -n 1 "$T_TMP/h0.h" | grep -q "^HTTP/1.1 200" || t_fail "GET /metrics: $(cat "$T_TMP/h0.h")"
grep -qix "content-type: text/plain; version=0.0.4; charset=utf-8.\?" "$T_TMP/h0.h" ||
	t_fail "GET /metrics: content type: $(cat "$T_TMP/h0.h")"
promtool_ok "$T_TMP/h0"
# One formatting path: the families wgdpctl prints, in its order.
diff <(grep "^#" "$T_TMP/m1") <(grep "^#" "$T_TMP/h0") >"$T_TMP/diff" ||
	t_fail "HTTP and wgdpctl metrics differ: $(head "$T_TMP/diff")"
grep -q "$(cat "$T_TMP/server.key")" "$T_TMP/h0" && t_fail "the private key appeared over HTTP"
[ "$(status http://127.0.0.1:9586/)" = 404 ] || t_fail "GET / is not a 404"
[ "$(status -X POST -d x=1 http://127.0.0.1:9586/metrics)" = 405 ] || t_fail "POST is not a 405"
t_bg "$W_LAN" iperf3-server.log iperf3 -s -1
t_wait_for 5 ip netns exec "$W_LAN" sh -c 'ss -ltn | grep -q ":5201 "' ||
	t_fail "iperf3 server did not start"
ip netns exec "${W_CLIENT[1]}" iperf3 -c 10.0.0.2 -t 6 >"$T_TMP/iperf3.log" 2>&1 &
iperf=$!
sleep 0.5
# 0.6 s apart: of two scrapes in a row one collects again at least (a body answers for a
# second), so h1, h3 and h5 show bodies made 0.6 s apart or more.
for i in 1 2 3 4 5; do
	scrape 9586 "$T_TMP/h$i" || t_fail "GET /metrics during traffic ($i) failed"
	promtool_ok "$T_TMP/h$i"
	sleep 0.6
done
# Back to back, while the counters move: the second gets the body the first collected.
sleep 1.1
scrape 9586 "$T_TMP/hc1" && scrape 9586 "$T_TMP/hc2" || t_fail "GET /metrics twice failed"
cmp -s "$T_TMP/hc1" "$T_TMP/hc2" || t_fail "a scrape within a second collected again"
wait "$iperf" || t_fail "iperf3 through the tunnel failed: $(tail -n 5 "$T_TMP/iperf3.log")"
scrape 9586 "$T_TMP/h6" || t_fail "GET /metrics after the traffic failed"
PYTHONPATH=$here python3 - "$T_TMP" "$(cat "$T_TMP/client1.pub")" <<'PY' || t_fail "HTTP metrics did not move with traffic"
import sys
from prom_text import load
h = [load("%s/h%d" % (sys.argv[1], i)) for i in range(7)]
key = sys.argv[2]
def peer(m, what):
    v = [v for k, v in m.items() if k.startswith("wgdp_peer_%s_bytes_total{" % what) and key in k]
    assert len(v) == 1, (what, v)
    return v[0]
series = [lambda m: peer(m, "rx"), lambda m: peer(m, "tx"),
          lambda m: m['wgdp_port_rx_packets_total{port="0"}'],
          lambda m: m['wgdp_port_tx_packets_total{port="1"}']]
for f in series:
    v = [f(m) for m in h]
    # Counters only grow; they grow while iperf3 runs (h1 .. h5) and over the whole run.
    assert all(a <= b for a, b in zip(v, v[1:])), v
    assert v[1] < v[3] < v[5] and v[0] < v[6], v
# TCP from client 1 to the LAN: megabytes in from the peer.
assert peer(h[6], "rx") - peer(h[0], "rx") > 1e6, (peer(h[0], "rx"), peer(h[6], "rx"))
PY

t_log "metrics over HTTP: metrics_max_peers caps the peer series; reloads move the endpoint"
# mcfg OUT LISTEN CAP [PEER2]: wgdp.json with these metrics settings (and client 2 too).
mcfg() {
	python3 - "$T_TMP/wgdp.json" "$@" <<'PY'
import json, sys
src, out, listen, cap = sys.argv[1:5]
cfg = json.load(open(src))
if len(sys.argv) > 5:
    cfg["peers"].append({"public_key": sys.argv[5], "name": "client2",
                         "allowed_ips": ["10.0.1.12/32"]})
cfg["control"].update(metrics_listen=listen, metrics_max_peers=int(cap))
json.dump(cfg, open(out, "w"))
PY
}
# series_are FILE PEERS OMITTED: the peer series and the count left out.
series_are() {
	[ "$(grep -c '^wgdp_peer_rx_bytes_total{' "$1")" = "$2" ] &&
		grep -qx "wgdp_peer_series_omitted $3" "$1" && grep -qx "wgdp_peers 2" "$1"
}
scraped_series_are() {
	scrape "$1" "$T_TMP/hs" && series_are "$T_TMP/hs" "$2" "$3"
}
mcfg "$T_TMP/cap1.json" 127.0.0.1:9586 1 "$c2"
"$wgdpctl" -s "$W_SOCK" reload "$T_TMP/cap1.json" >/dev/null || t_fail "reload (cap 1) refused"
t_wait_for 5 scraped_series_are 9586 1 1 || t_fail "cap 1: $(grep -E '^wgdp_peer(s|_rx|_ser)' "$T_TMP/hs")"
promtool_ok "$T_TMP/hs"
# wgdpctl metrics has its own cap (its argument), not the endpoint's.
"$wgdpctl" -s "$W_SOCK" metrics >"$T_TMP/m3" || t_fail "wgdpctl metrics failed"
series_are "$T_TMP/m3" 2 0 || t_fail "wgdpctl metrics after the reload: $(grep peer_ "$T_TMP/m3")"

mcfg "$T_TMP/moved.json" 127.0.0.1:9587 1000 "$c2"
"$wgdpctl" -s "$W_SOCK" reload "$T_TMP/moved.json" >/dev/null || t_fail "reload (moved) refused"
t_wait_for 5 scraped_series_are 9587 2 0 || t_fail "moved to 9587: $(cat "$T_TMP/hs.h")"
[ "$(status http://127.0.0.1:9586/metrics)" = 000 ] || t_fail "9586 still served after the move"

# A reload to an address in use fails whole: the endpoint and the peers stay as they were.
t_bg "$W_GW" squatter.log python3 -c '
import socket, time
s = socket.socket()
s.bind(("127.0.0.1", 9588))
s.listen()
time.sleep(120)'
squatter=$T_LAST_PID
t_wait_for 15 ip netns exec "$W_GW" sh -c 'ss -ltn | grep -q "127.0.0.1:9588 "' ||
	t_fail "the squatter on 9588 did not start"
mcfg "$T_TMP/taken.json" 127.0.0.1:9588 1000
"$wgdpctl" -s "$W_SOCK" reload "$T_TMP/taken.json" 2>"$T_TMP/err" &&
	t_fail "a reload to an address in use was accepted"
grep -qF "control.metrics_listen: 127.0.0.1:9588: Address already in use" "$T_TMP/err" ||
	t_fail "reload to an address in use: $(cat "$T_TMP/err")"
"$wgdpctl" -s "$W_SOCK" --json show | grep -q "$c2" || t_fail "the refused reload removed a peer"
scraped_series_are 9587 2 0 || t_fail "the refused reload changed the endpoint"

# At start, an address in use is a config error (exit status 1), named by its path. A wgdp
# of its own: null ports, no UAPI, another interface name, socket and file prefix.
python3 - "$T_TMP/wgdp.json" "$T_TMP/busy.json" <<'PY'
import json, sys
cfg = json.load(open(sys.argv[1]))
cfg["interface"]["name"] = "wgdpbusy"
cfg["peers"] = []
cfg["control"] = {"uapi": False, "metrics_listen": "127.0.0.1:9588"}
json.dump(cfg, open(sys.argv[2], "w"))
PY
rc=0
ip netns exec "$W_GW" "$wgdp" --lcores=0 --no-huge --no-shconf --no-pci -m 512 \
	--file-prefix="wgdpbusy$$" --log-level=lib.eal:warning --vdev=net_null0 --vdev=net_null1 \
	-- -c "$T_TMP/busy.json" -s "$T_TMP/busy.sock" >"$T_TMP/busy.log" 2>&1 || rc=$?
[ "$rc" = 1 ] || t_fail "wgdp with its metrics address in use exited $rc: $(cat "$T_TMP/busy.log")"
grep -qF "busy.json: control.metrics_listen: 127.0.0.1:9588: Address already in use" \
	"$T_TMP/busy.log" || t_fail "wgdp with its metrics address in use: $(cat "$T_TMP/busy.log")"
[ -e "$T_TMP/busy.sock" ] && t_fail "the control socket of a wgdp that did not start is left"
kill "$squatter"

# Back to the start (client 1 alone, 9586), for the CLI below.
"$wgdpctl" -s "$W_SOCK" reload "$T_TMP/wgdp.json" >/dev/null || t_fail "reload back refused"
t_wait_for 5 scrape 9586 "$T_TMP/h7" || t_fail "9586 not served again"

python3 - "$T_TMP/wgdp.json" "$(cat "$T_TMP/client2.pub")" "$T_TMP/peers2.json" <<'PY'
import json, sys
peers = json.load(open(sys.argv[1]))["peers"]
peers.append({"public_key": sys.argv[2], "allowed_ips": ["10.0.1.12/32"]})
json.dump(peers, open(sys.argv[3], "w"))
PY
t_log "CLI through a pipe"
{
	echo "show peers"
	echo "show port stats all"
	echo "show lcores"
	echo "peer add $(cat "$T_TMP/client2.pub") allowed-ips 10.0.1.12/32 persistent-keepalive 5"
	echo "show peer $(cat "$T_TMP/client2.pub")"
	echo "peer remove $(cat "$T_TMP/client2.pub")"
	echo "peer remove $(cat "$T_TMP/client2.pub")"
	echo "show stats"
	echo "show health"
	echo "set peers $T_TMP/peers2.json"
	echo "set peers $T_TMP/wgdp.json"
	echo "set peers $T_TMP/none.json"
	echo "quit"
} >&3
exec 3>&-
for _ in $(seq 100); do kill -0 "$W_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$W_PID" 2>/dev/null && t_fail "quit did not stop wgdp"
wait "$W_PID" || t_fail "wgdp exited non-zero after quit: $(tail "$T_TMP/wgdp.log")"
out=$T_TMP/wgdp.log
grep -q "^peer: $(cat "$T_TMP/client1.pub")" "$out" || t_fail "CLI show peers"
grep -q "NIC statistics for port 0" "$out" || t_fail "CLI show port stats all"
grep -q "RX-packets: [1-9]" "$out" || t_fail "CLI port stats have no packets"
grep -q "worker 0" "$out" || t_fail "CLI show lcores"
grep -q "applied: 1 added" "$out" || t_fail "CLI peer add"
grep -q "persistent keepalive: every 5 seconds" "$out" || t_fail "CLI show peer"
grep -q "applied: 0 added, 1 removed" "$out" || t_fail "CLI peer remove"
grep -q "error: public_key: no such peer" "$out" || t_fail "CLI error for a second removal"
grep -q "handshakes_completed" "$out" || t_fail "CLI show stats"
grep -q "^serving" "$out" || t_fail "CLI show health"
# Each line twice: once from peer add / peer remove, once from set peers.
[ "$(grep -c "applied: 1 added, 0 removed, 0 changed; 2 peers" "$out")" = 2 ] ||
	t_fail "CLI set peers from a list did not add client 2"
[ "$(grep -c "applied: 0 added, 1 removed, 0 changed; 1 peers" "$out")" = 2 ] ||
	t_fail "CLI set peers from a config file did not leave its one peer"
grep -q "error: $T_TMP/none.json: " "$out" || t_fail "CLI set peers of a missing file"
grep -q "$(cat "$T_TMP/server.key")" "$out" && t_fail "the private key appeared in the output"
t_log "ok"
