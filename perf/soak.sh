#!/usr/bin/env bash
# A soak: wgdp under everything at once for minutes, sampled every second; does anything grow?
#
#   sudo perf/soak.sh [--minutes N] [options]        (root; not for CI: 10 minutes by default)
#
#  gen: wgdp-perf handshake --phases sustain ─┐                       ┌ out0 192.0.2.1 (outside)
#       1,000 peers from 198.18.0.0/15         │                       │
#  c1..cN: wireguard-go wgc<i>s<PID> ─────────┼─ sw: bridge ── gwport ┘ gw: wgdp, af_packet,
#       192.0.2.1<i>, inner 172.17.0.1<i>      │                       ┐ --no-huge --no-shconf
#                                                                      └ in0 172.16.0.1 (inside)
#  lan: 172.16.0.2, iperf3 servers ───────────────────────────────────── eth0
#
# What varies, all at once: the generator's peers handshake twice at start, then every
# --rekey-s (one in 8 from a new UDP port each round) and keep their sessions with keepalives;
# every --flood-every-s a 2 s flood (junk, bad mac1, spoofed valid mac1 in turn); the
# wireguard-go clients ping (every 0.2 s) and run iperf3 (TCP, --iperf-rate each) through
# wgdp, rekeying every 120 s; every --roam-every-s one client moves to another listen port
# (`wg set wgc.. listen-port P`); every 30 s `reload` of wgdp's config with one peer more,
# then one less (each must answer ok). Every second: wgdp's VmRSS (and DPDK's share of it),
# what rte_malloc has handed out (DPDK telemetry), stats.resources (mbufs in use, keypairs,
# indexes, staged), peers and handshake counters: one JSON line each on stdout
# (perf/soak_driver.py), events as lines of their own, a summary line at the end.
#
# Exit status 0 when wgdp stayed up (and exited 0 on SIGTERM at the end), every reload
# answered ok and no gauge grew past its bound after the warm-up (perf/soak_driver.py --help
# for the bounds); 1 otherwise; 2 for a usage error. Every name carries this script's PID
# (namespaces wgdpsoak<PID>-*, wireguard-go interfaces wgc<i>s<PID>, whose UAPI sockets are
# machine-wide), so it can run beside the tests; all of it goes away however it ends.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${WGDP_BUILD:-$top/build}
minutes=10
peers=1000
clients=4
lcores=1
cpu=1
warmup=120
rekey=60
flood_every=60
flood_rate=100000
roam_every=40
reload_every=30
iperf_rate=2M
out=
keep=
seconds=
driver_args=()

usage() {
	sed -n '2,28p' "$0"
	cat <<EOF

Options:
  --minutes N        how long (default $minutes)
  --peers N          the generator's peers (default $peers)
  --clients N        wireguard-go clients, 1..9 (default $clients)
  --wgdp-lcores 1|2  one lcore for everything, or a control lcore and a worker (default $lcores)
  --cpu N            the CPU wgdp's (first) lcore runs on (default $cpu; the generator gets
                     the other one of 0/1)
  --warmup S         seconds left out of the bounds (default $warmup)
  --rekey-s S        each generator peer's handshake period (default $rekey)
  --flood-every-s S  (default $flood_every; 0: none)   --flood-rate PPS (default $flood_rate; 0: flat out)
  --roam-every-s S   (default $roam_every)   --reload-every-s S (default $reload_every)
  --iperf-rate R     each client's iperf3 TCP rate (default $iperf_rate; 0: no iperf3)
  -o FILE            also write the JSON lines to FILE
  --keep DIR         keep the logs (wgdp, generator, clients) in DIR
  --rss-slope-max, --gauge-growth-max, --mbuf-tolerance: passed to perf/soak_driver.py
  Environment: WGDP_BUILD (default build/).
EOF
}

while [ $# -gt 0 ]; do
	case "$1" in
	--minutes) minutes=$2; shift ;;
	--seconds) seconds=$2; shift ;; # for trying the script out; the bounds want minutes
	--peers) peers=$2; shift ;;
	--clients) clients=$2; shift ;;
	--wgdp-lcores) lcores=$2; shift ;;
	--cpu) cpu=$2; shift ;;
	--warmup) warmup=$2; shift ;;
	--rekey-s) rekey=$2; shift ;;
	--flood-every-s) flood_every=$2; shift ;;
	--flood-rate) flood_rate=$2; shift ;;
	--roam-every-s) roam_every=$2; shift ;;
	--reload-every-s) reload_every=$2; shift ;;
	--iperf-rate) iperf_rate=$2; shift ;;
	-o) out=$2; shift ;;
	--keep) keep=$2; shift ;;
	--rss-slope-max|--gauge-growth-max|--mbuf-tolerance) driver_args+=("$1" "$2"); shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "soak.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
case "$minutes$peers$clients$warmup" in *[!0-9]*) echo "soak.sh: numbers, please" >&2; exit 2 ;; esac
[ "$clients" -ge 1 ] && [ "$clients" -le 9 ] || { echo "soak.sh: --clients 1..9" >&2; exit 2; }
[ "$lcores" = 1 ] || [ "$lcores" = 2 ] || { echo "soak.sh: --wgdp-lcores 1 or 2" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "soak.sh: needs root (network namespaces)" >&2; exit 1; }
for b in "$build/app/wgdp/wgdp" "$build/perf/wgdp-perf"; do
	[ -x "$b" ] || { echo "soak.sh: $b not built (scripts/setup.sh)" >&2; exit 1; }
done
for c in wireguard-go wg ping iperf3 python3 taskset; do
	command -v "$c" >/dev/null || { echo "soak.sh: $c not installed" >&2; exit 1; }
done

P=wgdpsoak$$
GW=$P-gw SW=$P-sw LAN=$P-lan GEN=$P-gen
gen_cpu=$((cpu == 0 ? 1 : 0))
namespaces=()
tmp=$(mktemp -d "/tmp/wgdp-soak.$$.XXXXXX")
log() { echo "[$(date +%T)] soak.sh: $*" >&2; }

cleanup() {
	local rc=$?
	set +e
	[ -z "${driver_pid:-}" ] || { kill -TERM "$driver_pid" 2>/dev/null; wait "$driver_pid"; }
	[ -z "${gen_pid:-}" ] || kill -TERM "$gen_pid" 2>/dev/null
	for ns in "${namespaces[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
	done
	sleep 0.5
	for ns in "${namespaces[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	for i in $(seq "$clients"); do rm -f "/var/run/wireguard/wgc${i}s$$.sock"; done
	if [ -n "$keep" ]; then
		mkdir -p "$keep" && cp "$tmp"/*.log "$tmp"/*.jsonl "$keep"/ 2>/dev/null
	elif [ "$rc" -ne 0 ]; then
		for f in "$tmp"/wgdp.log "$tmp"/gen.log; do
			[ -s "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
		done >&2
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkns() { ip netns add "$1"; namespaces+=("$1"); ip -n "$1" link set lo up; }
# veth NS1 IF1 NS2 IF2: both up, offloads off (wgdp on af_packet sees frames as on the wire).
veth() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	for end in "$1:$2" "$3:$4"; do
		ip -n "${end%%:*}" link set "${end#*:}" up
		ip netns exec "${end%%:*}" ethtool -K "${end#*:}" rx off tx off tso off gso off gro off \
			>/dev/null 2>&1 || true
	done
}

log "namespaces $P-*"
for ns in "$GW" "$SW" "$LAN" "$GEN"; do mkns "$ns"; done
ip -n "$SW" link add br0 type bridge
ip -n "$SW" link set br0 up
veth "$GW" out0 "$SW" gwport
veth "$GW" in0 "$LAN" eth0
veth "$GEN" hsgen0 "$SW" gen
for ifc in gwport gen; do ip -n "$SW" link set "$ifc" master br0; done
for ifc in out0 in0; do ip netns exec "$GW" sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=1"; done
ip netns exec "$GEN" sysctl -qw net.ipv6.conf.hsgen0.disable_ipv6=1
ip -n "$LAN" addr add 172.16.0.2/24 dev eth0
ip -n "$LAN" route add default via 172.16.0.1

(umask 077; wg genkey >"$tmp/server.key")
server_pub=$(wg pubkey <"$tmp/server.key")
client_peers=
for i in $(seq "$clients"); do
	ns=$P-c$i ifc=wgc${i}s$$
	mkns "$ns"
	veth "$ns" eth0 "$SW" "p$i"
	ip -n "$SW" link set "p$i" master br0
	ip -n "$ns" addr add "192.0.2.1$i/24" dev eth0
	(umask 077; wg genkey >"$tmp/c$i.key")
	ip netns exec "$ns" env WG_PROCESS_FOREGROUND=1 wireguard-go -f "$ifc" >"$tmp/wggo$i.log" 2>&1 &
	for _ in $(seq 50); do ip netns exec "$ns" wg show "$ifc" >/dev/null 2>&1 && break; sleep 0.1; done
	ip netns exec "$ns" wg set "$ifc" private-key "$tmp/c$i.key" listen-port 51820 \
		peer "$server_pub" endpoint 192.0.2.1:51820 allowed-ips 172.16.0.0/24
	ip -n "$ns" addr add "172.17.0.1$i/24" dev "$ifc"
	ip -n "$ns" link set "$ifc" mtu 1420 up
	ip -n "$ns" route add 172.16.0.0/24 dev "$ifc" 2>/dev/null || true
	client_peers+="${client_peers:+,}{\"public_key\":\"$(wg pubkey <"$tmp/c$i.key")\",\"name\":\"client$i\",\"allowed_ips\":[\"172.17.0.1$i/32\"]}"
done

# The generator adds its peers (allowed-ips in 10/8), the key and the socket; wgdp reads the
# result (wgdp.json), and the reloads alternate it with a copy holding one peer more.
cat >"$tmp/template.json" <<EOF
{"interface":{"name":"wgsoak$$","private_key":"$(cat "$tmp/server.key")","listen_port":51820},
 "ports":[{"port":0,"role":"outside","address":["192.0.2.1/24"]},
          {"port":1,"role":"inside","address":["172.16.0.1/24"]}],
 "control":{"uapi":false},
 "peers":[$client_peers]}
EOF
(umask 077; wg genkey | wg pubkey >"$tmp/extra.pub")

if [ "$lcores" = 1 ]; then eal_l="-l $cpu"; pin=$cpu; else eal_l="'--lcores=(0-1)@(0-1)'"; pin=0-1; fi
ring="framecnt=4096,blocksz=4096,framesz=2048,qdisc_bypass=1"
spawn="echo \$\$ >$tmp/wgdp.pid; exec ip netns exec $GW taskset -c $pin $build/app/wgdp/wgdp $eal_l \
--no-huge --no-shconf --no-pci -m 1024 --file-prefix $P --log-level=lib.eal:warning \
--log-level=wgdp.handshake:warning --vdev=net_af_packet0,iface=out0,$ring \
--vdev=net_af_packet1,iface=in0,$ring -- -c {config} -s {socket} >$tmp/wgdp.log 2>&1"
seconds=${seconds:-$((minutes * 60))}
log "wgdp and the generator ($peers peers, $seconds s)"
ip netns exec "$GEN" taskset -c "$gen_cpu" "$build/perf/wgdp-perf" handshake -l "$gen_cpu" \
	--no-huge --no-shconf --no-pci -m 512 --file-prefix "$P-gen" --log-level=lib.eal:error \
	--vdev="net_af_packet0,iface=hsgen0,$ring" -- --spawn "$spawn" \
	--config "$tmp/wgdp.json" --socket "$tmp/wgdp.sock" --config-template "$tmp/template.json" \
	--peers "$peers" --phases sustain --sustain-s $((seconds + 60)) --rekey-s "$rekey" \
	--flood-every-s "$flood_every" --flood-rates "$([ "$flood_rate" = 0 ] && echo max || echo "$flood_rate")" \
	--our-ip 192.0.2.2 >"$tmp/gen.jsonl" 2>"$tmp/gen.log" &
gen_pid=$!
for _ in $(seq 600); do
	grep -q '"event":"round"' "$tmp/gen.jsonl" 2>/dev/null && break
	kill -0 "$gen_pid" 2>/dev/null || { log "the generator stopped: $(tail -n 5 "$tmp/gen.log")"; exit 1; }
	sleep 0.1
done
grep -q '"event":"round"' "$tmp/gen.jsonl" || { log "no first round within 60 s"; exit 1; }
python3 - "$tmp/wgdp.json" "$tmp/wgdp-plus.json" "$(cat "$tmp/extra.pub")" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["peers"].append({"public_key": sys.argv[3], "name": "soak-extra",
                   "allowed_ips": ["172.18.0.1/32"]})
json.dump(c, open(sys.argv[2], "w"))
PY
cp "$tmp/wgdp.json" "$tmp/wgdp-base.json" # the generator deletes its own copy when it ends

log "traffic"
traffic=()
for i in $(seq "$clients"); do
	ip netns exec "$LAN" iperf3 -s -p "520$i" >"$tmp/iperf-server$i.log" 2>&1 &
done
sleep 0.5
for i in $(seq "$clients"); do
	ip netns exec "$P-c$i" ping -i 0.2 -W 2 172.16.0.2 >"$tmp/ping$i.log" 2>&1 &
	traffic+=("ping$i:$!")
	if [ "$iperf_rate" != 0 ]; then
		ip netns exec "$P-c$i" iperf3 -c 172.16.0.2 -p "520$i" -b "$iperf_rate" -t $((seconds > 20 ? seconds - 10 : 10)) \
			--connect-timeout 10000 >"$tmp/iperf$i.log" 2>&1 &
		traffic+=("iperf$i:$!")
	fi
done

roams=()
for i in $(seq "$clients"); do roams+=("$P-c$i:wgc${i}s$$"); done
# In the background, so that a signal to this script is handled at once (the trap stops the
# driver, which still prints its summary, marked interrupted).
python3 "$top/perf/soak_driver.py" --seconds "$seconds" --warmup "$warmup" \
	--socket "$tmp/wgdp.sock" --pidfile "$tmp/wgdp.pid" --gen-out "$tmp/gen.jsonl" \
	--gen-pid "$gen_pid" --reload "$tmp/wgdp-plus.json" --reload "$tmp/wgdp-base.json" \
	--reload-every "$reload_every" --roam-every "$roam_every" --roam "${roams[@]}" \
	--traffic "${traffic[@]}" --logs "$tmp" --telemetry "/var/run/dpdk/$P/dpdk_telemetry.v2" --info "peers=$peers" "clients=$clients" \
	"wgdp_lcores=$lcores" "rekey_s=$rekey" "flood_every_s=$flood_every" \
	"flood_rate=$flood_rate" "iperf_rate=$iperf_rate" "${driver_args[@]}" > >(tee ${out:+"$out"}) &
driver_pid=$!
rc=0
wait "$driver_pid" || rc=$?
driver_pid= gen_pid= # the driver stopped the generator, and with it wgdp
exit "$rc"
