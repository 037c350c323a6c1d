#!/usr/bin/env bash
# Two wgdp boxes behind ECMP anycast, and what a client sees when one of them stops
# (docs/scale-out.md). Everything runs in network namespaces on this host:
#
#   clients c1..cN: wireguard-go, 198.51.100.(10+i), each from its own UDP port, pinging the LAN
#        │ br-c 198.51.100.1
#   router: FRR bgpd (iBGP, maximum-paths, L4 ECMP hash) ──── lan0 10.9.0.1 ── lan host 10.9.0.2
#        │ br-o 192.0.2.254            │ br-i 10.0.0.254
#   box a: wgdp (lcore 0), outside 203.0.113.1 (anycast) + 192.0.2.1, inside 10.0.0.1
#   box b: wgdp (lcore 1), outside 203.0.113.1 (anycast) + 192.0.2.2, inside 10.0.0.2
#          each with FRR bgpd and scripts/cluster-announce.py on a management link
#          (10.255.k.2/30): the anycast /32 while wgdp says "serving", and every peer's
#          allowed-ips with a MED that prefers the box of its latest handshake
#
# The boxes share the interface key and the peer list; nothing else crosses between them.
# The demo shows which box serves which client (wgdpctl show on each), stops one box, and
# reports per client how long its pings went unanswered and when it shook hands with the
# survivor.
#
# usage: scripts/cluster-demo.sh [options]
#   --clients N         wireguard-go clients (default 8)
#   --keepalive S       persistent keepalive on the clients (default: off)
#   --traffic FROM      who pings: client (each client pings the LAN host, the default), lan
#                       (the LAN host pings each client, which only answers), or idle (after
#                       their first handshake the clients are idle, but for keepalives; the
#                       LAN host starts pinging each of them 1 s after the stop)
#   --endpoints WHICH   the clients' endpoints in the boxes' config: none (road warriors,
#                       the default), all, or half (clients 1 to N/2: each box serves some
#                       clients of either kind)
#   --stop HOW          kill (wgdp dies: SIGKILL, the default), term (SIGTERM: with
#                       --drain-ms, a drain first), freeze (the whole box hangs: SIGSTOP to
#                       wgdp, its speaker and announcer; the router's BGP hold time finds it)
#   --drain-ms MS       wgdp's --drain-ms on both boxes (default 0)
#   --watch S           seconds to watch after the stop (default 30)
#   --settle S          seconds to wait before the stop (default 0): to stop a box whose
#                       sessions have rekeyed (130) or been idle a while
#   --check             assert, for CI (tests/integration/test_wgdp_cluster.sh): the clients
#                       spread over both boxes, several-box wgdpctl changes, every client
#                       back within 30 s, the survivor lists all with a fresh handshake
#   --keep              keep the logs and configs (their directory is named at the end)
#   --prefix P          namespace prefix (default wgdp-cl-)
#   --wgdp PATH, --wgdpctl PATH   the binaries (default: build/)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
wgdp=$build/app/wgdp/wgdp
wgdpctl=$build/app/wgdpctl/wgdpctl
clients=8 keepalive=0 endpoints=none stop=kill drain_ms=0 watch=30 check=false keep=false
settle=0
traffic=client
back=true
P=wgdp-cl-

while [ $# -gt 0 ]; do
	case $1 in
	--clients) clients=$2; shift ;;
	--keepalive) keepalive=$2; shift ;;
	--traffic) traffic=$2; shift ;;
	--endpoints) endpoints=$2; shift ;;
	--stop) stop=$2; shift ;;
	--drain-ms) drain_ms=$2; shift ;;
	--watch) watch=$2; shift ;;
	--settle) settle=$2; shift ;;
	--check) check=true ;;
	--keep) keep=true ;;
	--prefix) P=$2; shift ;;
	--wgdp) wgdp=$2; shift ;;
	--wgdpctl) wgdpctl=$2; shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "cluster-demo: unknown option $1 (--help)" >&2; exit 2 ;;
	esac
	shift
done
case $stop in kill | term | freeze) ;; *) echo "cluster-demo: --stop kill|term|freeze" >&2; exit 2 ;; esac
case $endpoints in none | all | half) ;; *) echo "cluster-demo: --endpoints none|all|half" >&2; exit 2 ;; esac
case $traffic in client | lan | idle) ;; *) echo "cluster-demo: --traffic client|lan|idle" >&2; exit 2 ;; esac

[ "$(id -u)" -eq 0 ] || { echo "cluster-demo: run as root (network namespaces)" >&2; exit 1; }
FRR=/usr/lib/frr
for c in "$wgdp" "$wgdpctl" "$FRR/zebra" "$FRR/bgpd" "$(command -v wireguard-go)" \
	"$(command -v wg)" "$(command -v python3)"; do
	[ -x "$c" ] || { echo "cluster-demo: $c missing (scripts/setup.sh installs it)" >&2; exit 77; }
done

# Box a's wgdp runs on CPU 0, box b's on CPU 1.
[ "$(nproc)" -ge 2 ] || { echo "cluster-demo: needs two CPUs, one a box" >&2; exit 77; }

ANYCAST=203.0.113.1
LAN_HOST=10.9.0.2
BOXES=(a b)
dir=$(mktemp -d /tmp/wgdp-cluster.XXXXXX)
id=$$
namespaces=()
pids=()
failed=0

say() { echo "$*"; }
check_that() { # DESCRIPTION COMMAND...: with --check, a failure is counted and said
	local what=$1
	shift
	$check || return 0
	if "$@"; then
		say "check: $what: ok"
	else
		say "check: $what: FAILED"
		failed=$((failed + 1))
	fi
}

cleanup() {
	local rc=$?
	set +e
	disown -a
	for pid in "${pids[@]}"; do kill -CONT "$pid" 2>/dev/null; kill "$pid" 2>/dev/null; done
	for ns in "${namespaces[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -CONT "$pid" 2>/dev/null
			kill "$pid" 2>/dev/null
		done
	done
	sleep 0.3
	for ns in "${namespaces[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		for f in "$dir"/*.log; do
			[ -f "$f" ] && { echo "--- $f"; tail -n 25 "$f"; }
		done >&2
	fi
	if $keep; then
		echo "cluster-demo: logs and configs kept in $dir" >&2
	else
		rm -rf "$dir"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ns() { # NAME: a namespace with loopback up
	ip netns add "$P$1"
	namespaces+=("$P$1")
	ip -n "$P$1" link set lo up
}

bg() { # NS LOG CMD...: runs CMD in NS in the background; pid in last_pid
	local n=$1 log=$2
	shift 2
	ip netns exec "$P$n" "$@" >"$dir/$log" 2>&1 &
	last_pid=$!
	pids+=("$last_pid")
	# Its death is the demo's to report, not bash's; a wgdp stays a job, for its exit status.
	[ -n "${BG_JOB:-}" ] || disown "$last_pid"
}

no_offload() { ip netns exec "$P$1" ethtool -K "$2" rx off tx off tso off gso off gro off >/dev/null 2>&1 || true; }

wait_for() { # SECONDS CMD...
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# A port of the router's bridge BR, its other end IF in namespace N.
link() { # N IF BR
	ip link add "$2" netns "$P$1" type veth peer name "$1-$2" netns "${P}rtr"
	ip -n "$P$1" link set "$2" up
	ip -n "${P}rtr" link set "$1-$2" master "$3" up
	no_offload "$1" "$2"
	no_offload rtr "$1-$2"
}

topology() {
	ns rtr
	ns lan
	ip netns exec "${P}rtr" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.fib_multipath_hash_policy=1 net.ipv4.conf.all.send_redirects=0
	for br in br-c br-o br-i; do
		ip -n "${P}rtr" link add "$br" type bridge
		ip -n "${P}rtr" link set "$br" up
	done
	ip -n "${P}rtr" addr add 198.51.100.1/24 dev br-c
	ip -n "${P}rtr" addr add 192.0.2.254/24 dev br-o
	ip -n "${P}rtr" addr add 10.0.0.254/24 dev br-i
	ip link add lan0 netns "${P}rtr" type veth peer name eth0 netns "${P}lan"
	ip -n "${P}rtr" addr add 10.9.0.1/24 dev lan0
	ip -n "${P}rtr" link set lan0 up
	ip -n "${P}lan" addr add "$LAN_HOST/24" dev eth0
	ip -n "${P}lan" link set eth0 up
	ip -n "${P}lan" route add default via 10.9.0.1
	for k in 1 2; do
		local b=${BOXES[$((k - 1))]}
		ns "$b"
		link "$b" out0 br-o
		link "$b" in0 br-i
		for ifc in out0 in0; do
			ip netns exec "$P$b" sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=1"
		done
		ip link add m0 netns "$P$b" type veth peer name "m-$b" netns "${P}rtr"
		ip -n "$P$b" addr add "10.255.$k.2/30" dev m0
		ip -n "$P$b" link set m0 up
		ip -n "${P}rtr" addr add "10.255.$k.1/30" dev "m-$b"
		ip -n "${P}rtr" link set "m-$b" up
	done
}

# FRR: zebra and bgpd of namespace N, its own sockets and files under $dir/frr-N.
frr_start() { # N BGPD.CONF-TEXT
	local n=$1 d=$dir/frr-$1
	mkdir -p "$d"
	echo "hostname $n" >"$d/zebra.conf"
	printf '%s\n' "$2" >"$d/bgpd.conf"
	# FRR drops to its own user: its directory is its own, the demo's may only be crossed.
	chown -R frr:frr "$d"
	chmod 711 "$dir"
	bg "$n" "zebra-$n.log" "$FRR/zebra" -u frr -g frr -P 0 -f "$d/zebra.conf" \
		-i "$d/zebra.pid" -z "$d/zserv.api" --vty_socket "$d" --log stdout
	eval "zebra_$n=$last_pid"
	wait_for 10 test -S "$d/zserv.api" || { echo "cluster-demo: zebra in $n did not start" >&2; exit 1; }
	bg "$n" "bgpd-$n.log" "$FRR/bgpd" -u frr -g frr -P 0 -f "$d/bgpd.conf" \
		-i "$d/bgpd.pid" -z "$d/zserv.api" --vty_socket "$d" --log stdout
	eval "bgpd_$n=$last_pid"
}

router_bgp() {
	frr_start rtr "router bgp 65000
 bgp router-id 10.255.0.1
 neighbor BOXES peer-group
 neighbor BOXES remote-as 65000
 neighbor BOXES timers 1 3
 neighbor BOXES timers connect 1
 neighbor BOXES advertisement-interval 0
 neighbor 10.255.1.2 peer-group BOXES
 neighbor 10.255.2.2 peer-group BOXES
 address-family ipv4 unicast
  maximum-paths ibgp 8
 exit-address-family"
}

# Box k's speaker: the kernel routes the announcer makes, the anycast with wgdp's outside
# address as next hop, the peers' prefixes with its inside address.
box_bgp() { # B K
	frr_start "$1" "router bgp 65000
 bgp router-id 10.255.$2.2
 neighbor 10.255.$2.1 remote-as 65000
 neighbor 10.255.$2.1 timers 1 3
 neighbor 10.255.$2.1 timers connect 1
 neighbor 10.255.$2.1 advertisement-interval 0
 address-family ipv4 unicast
  redistribute kernel route-map OUT
 exit-address-family
ip prefix-list ANYCAST seq 5 permit $ANYCAST/32
route-map OUT permit 10
 match ip address prefix-list ANYCAST
 set ip next-hop 192.0.2.$2
route-map OUT permit 20
 set ip next-hop 10.0.0.$2"
}

keys() {
	(umask 077; wg genkey >"$dir/server.key")
	wg pubkey <"$dir/server.key" >"$dir/server.pub"
	for i in $(seq "$clients"); do
		(umask 077; wg genkey >"$dir/c$i.key")
		wg pubkey <"$dir/c$i.key" >"$dir/c$i.pub"
	done
}

# Whether the boxes' config has client i's endpoint.
endpoint_known() { # I
	[ "$endpoints" = all ] || { [ "$endpoints" = half ] && [ "$1" -le $((clients / 2)) ]; }
}

# Box k's config: the shared interface key and peers, its own ports. PEERS: true for the
# clients, false for none yet (the demo adds them once their ports are known).
box_config() { # K PEERS
	local k=$1 peers="" i ep
	if $2; then
		for i in $(seq "$clients"); do
			ep=""
			if endpoint_known "$i"; then
				ep=", \"endpoint\": \"198.51.100.$((10 + i)):${port[$i]}\""
			fi
			peers+="${peers:+,
    }{ \"public_key\": \"$(cat "$dir/c$i.pub")\", \"name\": \"c$i\",
      \"allowed_ips\": [\"10.0.1.$((10 + i))/32\"]$ep }"
		done
	fi
	cat >"$dir/box-${BOXES[$((k - 1))]}.json" <<EOF
{
  "interface": { "name": "wgdp0", "private_key_file": "$dir/server.key", "listen_port": 51820 },
  "ports": [
    { "port": 0, "role": "outside", "address": ["$ANYCAST/32", "192.0.2.$k/24"],
      "gateway": "192.0.2.254" },
    { "port": 1, "role": "inside", "address": ["10.0.0.$k/24"], "gateway": "10.0.0.254" }
  ],
  "peers": [ $peers ],
  "limits": { "max_peers": 1024 },
  "control": { "socket": "$dir/box-${BOXES[$((k - 1))]}.sock" }
}
EOF
}

# Box k's wgdp on its own lcore; waits for "wgdp: ready".
box_start() { # K
	local k=$1 b=${BOXES[$(($1 - 1))]}
	BG_JOB=1 bg "$b" "wgdp-$b.log" "$wgdp" -l "$((k - 1))" --no-huge --no-shconf --no-pci -m 512 \
		"--file-prefix=wgdp-cl$id$b" --log-level=lib.eal:warning \
		--vdev=net_af_packet0,iface=out0 --vdev=net_af_packet1,iface=in0 \
		-- -c "$dir/box-$b.json" --drain-ms "$drain_ms"
	eval "wgdp_$b=$last_pid"
	wait_for 30 grep -q "wgdp: ready" "$dir/wgdp-$b.log" ||
		{ echo "cluster-demo: wgdp of box $b did not start" >&2; exit 1; }
	bg "$b" "announce-$b.log" python3 "$top/scripts/cluster-announce.py" \
		--socket "$dir/box-$b.sock" --anycast "$ANYCAST/32" --log "$dir/announce-$b.events"
	eval "announce_$b=$last_pid"
}

# Both boxes' next hops are in the router's table for the anycast address.
both_nexthops() {
	[ "$(ip -n "${P}rtr" route show "$ANYCAST/32" | grep -c "nexthop via")" -eq 2 ]
}

# The box the router's L4 hash sends client i's flow from UDP port p to (a or b).
box_of_flow() { # I PORT
	case $(ip -n "${P}rtr" route get "$ANYCAST" from "198.51.100.$((10 + $1))" iif br-c \
		ipproto udp sport "$2" dport 51820) in
	*"via 192.0.2.1 "*) echo a ;;
	*"via 192.0.2.2 "*) echo b ;;
	*) echo "?" ;;
	esac
}

# Client ports: odd clients hash to box a, even ones to box b (ECMP spreads real clients by
# chance; the demo picks ports so that both boxes serve the same number).
pick_ports() {
	local i p=40000 want
	declare -gA port
	for i in $(seq "$clients"); do
		want=${BOXES[$(((i + 1) % 2))]}
		until [ "$(box_of_flow "$i" "$p")" = "$want" ]; do
			p=$((p + 1))
			[ "$p" -lt 41000 ] || {
				echo "cluster-demo: no port of 40000-41000 hashes to box $want" \
					"(the router lost a next hop?)" >&2
				exit 1
			}
		done
		port[$i]=$p
		p=$((p + 1))
	done
}

client() { # I
	local i=$1 dev=cl${id}c$1
	ns "c$i"
	link "c$i" eth0 br-c
	ip -n "${P}c$i" addr add "198.51.100.$((10 + i))/24" dev eth0
	ip -n "${P}c$i" route add default via 198.51.100.1
	bg "c$i" "wireguard-go-c$i.log" env WG_PROCESS_FOREGROUND=1 wireguard-go -f "$dev"
	wait_for 5 ip netns exec "${P}c$i" wg show "$dev" ||
		{ echo "cluster-demo: wireguard-go c$i did not start" >&2; exit 1; }
	ip netns exec "${P}c$i" wg set "$dev" private-key "$dir/c$i.key" listen-port "${port[$i]}" \
		peer "$(cat "$dir/server.pub")" endpoint "$ANYCAST:51820" allowed-ips 10.9.0.0/24 \
		persistent-keepalive "$keepalive"
	ip -n "${P}c$i" addr add "10.0.1.$((10 + i))/32" dev "$dev"
	ip -n "${P}c$i" link set "$dev" mtu 1420 up
	ip -n "${P}c$i" route add 10.9.0.0/24 dev "$dev"
}

# Which box has a session with client i, by their `show`: the latest handshake wins.
serving_box() { # I
	local pub best="" best_t=0 b t
	pub=$(cat "$dir/c$1.pub")
	for b in "${BOXES[@]}"; do
		t=$("$wgdpctl" -s "$dir/box-$b.sock" --json show 2>/dev/null | python3 -c '
import json, sys
pub = sys.argv[1]
for p in json.load(sys.stdin).get("peers", []):
    if p["public_key"] == pub:
        print(p["latest_handshake"])' "$pub" || true)
		if [ -n "$t" ] && [ "$t" -gt "$best_t" ]; then best=$b best_t=$t; fi
	done
	echo "${best:--}"
}

# Pings between each client and the LAN host, one every 0.1 s with timestamps, from now until
# the demo ends: from the client, or from the LAN once the client made its session.
start_pings() {
	for i in $(seq "$clients"); do
		if [ "$traffic" = client ]; then
			bg "c$i" "ping-c$i.log" stdbuf -oL ping -D -n -i 0.1 -W 1 "$LAN_HOST"
			continue
		fi
		[ "${1:-}" = after-stop ] ||
			ip netns exec "${P}c$i" ping -c 1 -W 5 "$LAN_HOST" >/dev/null 2>&1 || true
		bg lan "ping-c$i.log" stdbuf -oL ping -D -n -i 0.1 -W 1 "10.0.1.$((10 + i))"
	done
}

# Client i's session, as its own handshake table says.
has_handshake() { [ "$(latest_handshake "$1")" != 0 ]; }

# The router sends client i's prefix to one box: the announcers' MEDs have arrived.
one_path() {
	local r
	r=$(ip -n "${P}rtr" route show "10.0.1.$((10 + $1))")
	[[ $r == *"via 10.0.0."* && $r != *nexthop* ]]
}

# Each client's session first, made by a keepalive (no data: nothing comes back from the
# LAN), then the router routing its prefix to that box alone. Otherwise the LAN's first
# answers are spread over both boxes while the MEDs travel, and the box without the session
# initiates to a client whose endpoint it knows, and retries for 90 s, which would hide
# what the stray-data takeover does after the stop.
make_sessions() {
	local i pub
	pub=$(cat "$dir/server.pub")
	for i in $(seq "$clients"); do
		ip netns exec "${P}c$i" wg set "cl${id}c$i" peer "$pub" persistent-keepalive 1
	done
	for i in $(seq "$clients"); do
		wait_for 15 has_handshake "$i" ||
			{ echo "cluster-demo: c$i made no handshake" >&2; exit 1; }
		ip netns exec "${P}c$i" wg set "cl${id}c$i" peer "$pub" \
			persistent-keepalive "$keepalive"
	done
	for i in $(seq "$clients"); do
		wait_for 15 one_path "$i" ||
			{ echo "cluster-demo: the router did not learn c$i's box" >&2; exit 1; }
	done
}

# Idle clients: pings from each until one is answered make its session (an answer may be lost
# while the routers learn which box has it); the LAN pings them after the stop.
start_sessions() {
	for i in $(seq "$clients"); do
		wait_for 10 sh -c "ip netns exec '${P}c$i' ping -c 1 -W 1 '$LAN_HOST' >'$dir/ping-c$i.log'" ||
			true
	done
}

everyone_answered() {
	for i in $(seq "$clients"); do
		grep -q "bytes from" "$dir/ping-c$i.log" || return 1
	done
}

# Every client's pings are answered now: its latest answer is less than 0.5 s old.
everyone_passing() {
	local now
	now=$(date +%s.%N)
	for i in $(seq "$clients"); do
		awk -v now="$now" -F'[][]' '/bytes from/ { last = $2 } END { exit !(now - last < 0.5) }' \
			"$dir/ping-c$i.log" || return 1
	done
}

# Client i's pings around the stop at T0, until they stopped at TEND: "GAP BACK", the longest
# time without an answer that began between T0 - 1 s and T0 + 5 s, and when answers came back
# after it (s after T0); "0.0 -" when none went missing, "GAP -" when they never came back.
# Idle clients (pinged from T0 + 1 s only): "- BACK", when the first answer came.
interruption() { # I T0 TEND
	awk -v t0="$2" -v tend="$3" -v idle="$([ "$traffic" = idle ] && echo 1)" -F'[][]' '
		/bytes from/ {
			t = $2 + 0
			if (idle) { if (t > t0 && !first) first = t; next }
			if (t < t0 - 1) { last = t; next }
			if (!last) last = t0 - 1
			if (t - last > gap && last < t0 + 5) {
				gap = t - last
				back = sprintf("+%.1f", t - t0)
			}
			last = t
		}
		END {
			if (idle) {
				if (first) printf "- +%.1f\n", first - t0
				else print "- -"
				exit
			}
			if (!last) last = t0 - 1
			if (tend - last > gap && last < t0 + 5) { gap = tend - last; back = "-" }
			if (gap < 0.15) print "0.0 -"
			else printf "%.1f %s\n", gap - 0.1, back
		}' "$dir/ping-c$1.log"
}

# Client i's latest handshake (unix seconds), as its wireguard-go says.
latest_handshake() { # I
	ip netns exec "${P}c$1" wg show "cl${id}c$1" latest-handshakes | awk '{ print $2 }'
}

# When client i shook hands again after the stop at T0 (whole seconds, as wg gives them), or
# "-" if its latest handshake is still BEFORE's.
rehandshake() { # I T0 BEFORE
	awk -v t="$(latest_handshake "$1")" -v t0="$2" -v before="$3" \
		'BEGIN { if (t != before) printf "+%.0f\n", (t > t0 ? t - t0 : 0); else print "-" }'
}

show_boxes() {
	"$wgdpctl" -s "$dir/box-a.sock" -s "$dir/box-b.sock" show || true
}

# The several-box wgdpctl (docs/scale-out.md): a peer added to both boxes, checked first;
# box a's own file sent to both is refused by box b (its ports differ), so neither changes.
several_boxes() {
	local extra rc=0
	say
	say "== config in step: wgdpctl -s box-a.sock -s box-b.sock peer-add ..."
	(umask 077; wg genkey >"$dir/extra.key")
	extra=$(wg pubkey <"$dir/extra.key")
	"$wgdpctl" -s "$dir/box-a.sock" -s "$dir/box-b.sock" peer-add \
		"{\"public_key\":\"$extra\",\"allowed_ips\":[\"10.0.1.250/32\"],\"name\":\"extra\"}" ||
		rc=$?
	check_that "peer-add applied by both boxes" [ "$rc" -eq 0 ]
	for b in "${BOXES[@]}"; do
		check_that "box $b lists the added peer" \
			sh -c "'$wgdpctl' -s '$dir/box-$b.sock' --json show | grep -q '$extra'"
	done
	say
	say "== box a's file sent to both boxes (set-config): box b must refuse it, box a stay as it is"
	rc=0
	"$wgdpctl" -s "$dir/box-a.sock" -s "$dir/box-b.sock" set-config "$dir/box-a.json" || rc=$?
	check_that "set-config refused everywhere (exit 1)" [ "$rc" -eq 1 ]
	check_that "box a still has the added peer (nothing applied)" \
		sh -c "'$wgdpctl' -s '$dir/box-a.sock' --json show | grep -q '$extra'"
	say
	say "== the peers of box a's file to both boxes: wgdpctl -s ... set-peers box-a.json"
	rc=0
	"$wgdpctl" -s "$dir/box-a.sock" -s "$dir/box-b.sock" set-peers "$dir/box-a.json" || rc=$?
	check_that "set-peers applied by both boxes" [ "$rc" -eq 0 ]
	for b in "${BOXES[@]}"; do
		check_that "box $b has the file's peers: the added one is gone" \
			sh -c "! '$wgdpctl' -s '$dir/box-$b.sock' --json show | grep -q '$extra'"
	done
}

stop_box() { # B
	local b=$1 wpid speaker
	eval "wpid=\$wgdp_$b"
	disown "$wpid"
	# When it is gone, for the report (a drain keeps it a while).
	(while kill -0 "$wpid" 2>/dev/null; do sleep 0.05; done; date +%s.%N >"$dir/gone-$b") &
	case $stop in
	kill) kill -KILL "$wpid" ;;
	term) kill -TERM "$wpid" ;;
	freeze)
		kill -STOP "$wpid"
		for speaker in announce zebra bgpd; do
			eval "kill -STOP \$${speaker}_$b"
		done
		;;
	esac
}

what_stop() {
	case $stop in
	kill) echo "SIGKILL to wgdp (its announcer withdraws the routes)" ;;
	term) echo "SIGTERM to wgdp, --drain-ms $drain_ms" ;;
	freeze) echo "SIGSTOP to wgdp, bgpd, zebra and the announcer (BGP hold time 3 s)" ;;
	esac
}

say "== cluster: 2 wgdp boxes behind ECMP anycast $ANYCAST (FRR $("$FRR/bgpd" -v | head -1 |
	awk '{ print $3 }') bgpd, L4 hash), $clients wireguard-go clients"
say "   pings from the $traffic side, client keepalive ${keepalive:-0} s, endpoints known: $endpoints"
topology
router_bgp
box_bgp a 1
box_bgp b 2
keys
box_config 1 false
box_config 2 false
box_start 1
box_start 2
wait_for 30 both_nexthops ||
	{ echo "cluster-demo: the router did not learn the anycast route from both boxes" >&2; exit 1; }
say "router: $ANYCAST/32 via 192.0.2.1 (box a) and 192.0.2.2 (box b)"
# Linux skips a next hop whose neighbour entry is still unresolved: the first packets of a
# flow would go to the other box while the router asks for this one's MAC. Resolved first.
for k in 1 2; do
	wait_for 10 ip netns exec "${P}rtr" ping -c 1 -W 1 "192.0.2.$k" ||
		{ echo "cluster-demo: box ${BOXES[$((k - 1))]} does not answer ping" >&2; exit 1; }
done

pick_ports
box_config 1 true
box_config 2 true
say
say "== the clients' peers to both boxes: wgdpctl -s box-a.sock -s box-b.sock reload"
"$wgdpctl" -s "$dir/box-a.sock" -s "$dir/box-b.sock" reload

for i in $(seq "$clients"); do client "$i"; done
make_sessions
if [ "$traffic" = idle ]; then
	start_sessions
else
	start_pings
fi
wait_for 30 everyone_answered || { echo "cluster-demo: not every client got through" >&2; exit 1; }
sleep 1
$check && several_boxes

say
say "== which box serves which client (wgdpctl -s box-a.sock -s box-b.sock show)"
show_boxes
say
printf '%-8s %-10s %-6s %s\n' client "udp port" box "endpoint known"
declare -A before handshake_before
na=0 nb=0
for i in $(seq "$clients"); do
	before[$i]=$(serving_box "$i")
	handshake_before[$i]=$(latest_handshake "$i")
	[ "${before[$i]}" = a ] && na=$((na + 1))
	[ "${before[$i]}" = b ] && nb=$((nb + 1))
	known=no
	endpoint_known "$i" && known=yes
	printf '%-8s %-10s %-6s %s\n' "c$i" "${port[$i]}" "${before[$i]}" "$known"
done
say "box a serves $na clients, box b $nb"
check_that "the clients spread over both boxes" [ "$((na > 0 && nb > 0))" -eq 1 ]

victim=a survivor=b
[ "$settle" -eq 0 ] || { say; say "== waiting $settle s"; sleep "$settle"; }
say
t0=$(date +%s.%N)
say "== stopping box $victim at $(date -d "@$t0" +%T.%2N): $(what_stop)"
stop_box "$victim"
if [ "$traffic" = idle ]; then
	sleep 1
	start_pings after-stop
fi
if $check; then
	# Long enough for a client that lost its box to have missed answers, then until every
	# client is answered again, 30 s after the stop at most.
	sleep 3
	back=true
	wait_for 27 everyone_passing || back=false
	sleep 1
else
	sleep "$watch"
fi
tend=$(date +%s.%N)
kill "${pids[@]: -$clients}" 2>/dev/null || true # the pings
check_that "every client passes traffic again within 30 s of the stop" $back

say
say "== per client: pings unanswered, and the handshake with box $survivor"
printf '%-8s %-10s %-16s %-12s %s\n' client "box before" "unanswered (s)" "back at (s)" \
	"handshake (s after stop)"
for i in $(seq "$clients"); do
	read -r gap back <<<"$(interruption "$i" "$t0" "$tend")"
	printf '%-8s %-10s %-16s %-12s %s\n' "c$i" "${before[$i]}" "$gap" "$back" \
		"$(rehandshake "$i" "$t0" "${handshake_before[$i]}")"
done
# The announcer's withdrawals: the one after the stop, and any before it (a flap moves flows).
[ -f "$dir/announce-$victim.events" ] && [ "$stop" != freeze ] &&
	awk -v t0="$t0" '$2 == "withdraw" && (!after || $1 < t0) {
		$2 = ""
		printf "box %s withdrew its anycast route at %+.2f s:%s\n", b, $1 - t0,
			substr($0, length($1) + 2)
		after = $1 >= t0 }' \
		b="$victim" "$dir/announce-$victim.events"
for b in "${BOXES[@]}"; do
	[ "$b" = "$victim" ] && [ "$stop" != freeze ] && continue
	awk -v t0="$t0" '$2 == "withdraw" && $1 < t0 + 60 {
		printf "box %s withdrew its anycast route at %+.2f s\n", b, $1 - t0 }' \
		b="$b" "$dir/announce-$b.events"
done
[ -f "$dir/gone-$victim" ] &&
	awk -v t0="$t0" '{ printf "box %s: wgdp was gone at +%.2f s\n", b, $1 - t0 }' \
		b="$victim" "$dir/gone-$victim"

say
say "== the survivor: wgdpctl -s box-$survivor.sock show"
"$wgdpctl" -s "$dir/box-$survivor.sock" show
"$wgdpctl" -s "$dir/box-$survivor.sock" --json stats | python3 -c '
import json, sys
hs = json.load(sys.stdin)["handshake"]
print("stray data sources noted %d, initiations for them %d (docs/scale-out.md)"
      % (hs["stray_sources"], hs["stray_initiations"]))'

fresh() { # every client has a handshake with the survivor after T0
	"$wgdpctl" -s "$dir/box-$survivor.sock" --json show | python3 -c '
import json, sys
t0, n = float(sys.argv[1]), int(sys.argv[2])
peers = [p for p in json.load(sys.stdin)["peers"] if p["name"].startswith("c")]
sys.exit(0 if len(peers) == n and all(p["latest_handshake"] >= int(t0) - 180 and
         p["latest_handshake"] > 0 for p in peers) else 1)' "$1" "$clients"
}
check_that "the survivor lists all $clients clients with a recent handshake" fresh "$t0"

# The survivor stops as a service manager stops it: SIGTERM, exit status 0 (under ASan, a
# leak makes it non-zero), no sanitizer report.
survivor_stops_clean() {
	local pid rc=0
	eval "pid=\$wgdp_$survivor"
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] && ! grep -q "Sanitizer\|runtime error" "$dir/wgdp-$survivor.log"
}
$check && check_that "box $survivor's wgdp exits 0 on SIGTERM" survivor_stops_clean
if $check; then
	[ "$failed" -eq 0 ] || { say "cluster-demo: $failed checks failed"; exit 1; }
	say "cluster-demo: every check passed"
fi
