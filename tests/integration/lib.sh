#!/usr/bin/env bash
# Shared by the integration tests: network namespaces, veth links, real wireguard-go peers,
# and a cleanup that runs however the test ends. Source it, then call the helpers.
#
# Every name carries the test's PID so tests may run side by side and a crashed run can be
# told apart from a live one. Addresses stay inside namespaces this test made.
set -euo pipefail

T_ID=${T_ID:-$$}
T_NAMESPACES=()
T_PIDS=()
T_TMP=$(mktemp -d "/tmp/wgdp-test.$T_ID.XXXXXX")

t_log() { echo "[$(date +%T)] $*" >&2; }
t_fail() { echo "FAIL: $*" >&2; exit 1; }
t_skip() { echo "SKIP: $*" >&2; exit 77; }

t_require_root() {
	[ "$(id -u)" -eq 0 ] || t_skip "needs root for network namespaces"
	ip netns list >/dev/null 2>&1 || t_skip "network namespaces unavailable"
}

t_require() {
	for c in "$@"; do
		command -v "$c" >/dev/null || t_skip "$c not installed"
	done
}

t_cleanup() {
	local rc=$?
	set +e
	for pid in "${T_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for ns in "${T_NAMESPACES[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null
		done
	done
	sleep 0.2
	for ns in "${T_NAMESPACES[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		for f in "$T_TMP"/*.log; do
			[ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }
		done >&2
	fi
	rm -rf "$T_TMP"
	exit "$rc"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

# t_ns NAME: creates namespace "wgdp$T_ID-NAME" with loopback up and leaves its name in T_NS.
# (Not printed: a command substitution would run in a subshell and the cleanup list would
# never learn of the namespace.)
t_ns() {
	T_NS="wgdp$T_ID-$1"
	ip netns add "$T_NS"
	T_NAMESPACES+=("$T_NS")
	ip -n "$T_NS" link set lo up
}

# t_veth NS1 IF1 NS2 IF2: a veth pair with one end in each namespace, both up.
t_veth() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# t_bg NS LOG CMD...: runs CMD in NS in the background, output to $T_TMP/LOG; pid in T_LAST_PID.
t_bg() {
	local ns=$1 log=$2
	shift 2
	ip netns exec "$ns" "$@" >"$T_TMP/$log" 2>&1 &
	T_LAST_PID=$!
	T_PIDS+=("$T_LAST_PID")
}

# t_wait_for SECONDS CMD...: retries CMD every 0.1 s until it succeeds or time runs out.
t_wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# t_wireguard_go NS IFACE PRIVKEY_FILE PORT: a real wireguard-go interface in NS, up.
t_wireguard_go() {
	local ns=$1 ifname=$2 key=$3 port=$4
	t_bg "$ns" "wireguard-go-$ifname.log" env WG_PROCESS_FOREGROUND=1 wireguard-go -f "$ifname"
	t_wait_for 5 ip -n "$ns" link show "$ifname" ||
		t_fail "wireguard-go did not create $ifname"
	t_wait_for 5 ip netns exec "$ns" wg show "$ifname" ||
		t_fail "wireguard-go's UAPI socket for $ifname did not appear"
	ip netns exec "$ns" wg set "$ifname" private-key "$key" listen-port "$port"
	ip -n "$ns" link set "$ifname" up
}

# t_keypair NAME: writes $T_TMP/NAME.key and NAME.pub with Debian's wg.
t_keypair() {
	(umask 077; wg genkey >"$T_TMP/$1.key")
	wg pubkey <"$T_TMP/$1.key" >"$T_TMP/$1.pub"
}
