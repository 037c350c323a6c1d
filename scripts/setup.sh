#!/usr/bin/env bash
# Installs what wgdp needs to build, test and benchmark on Debian 12, then builds it.
# Idempotent: run it again after a pull. Needs root (or sudo) for apt-get.
#
#   scripts/setup.sh           install what is missing, configure and build build/
#   scripts/setup.sh --check   exit 0 when every package is installed and build/ is
#                              configured, 1 otherwise (demo.sh and test.sh ask this first)
#   scripts/setup.sh --hugepages N
#                              only reserve N 2 MiB hugepages, now and at every boot
#                              (/etc/sysctl.d/80-wgdp-hugepages.conf), and mount hugetlbfs
#                              on /dev/hugepages if nothing is; 0 gives them back
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${WGDP_BUILD_DIR:-$top/build}

packages=(
	# toolchain (clang and its libFuzzer runtime for the fuzz targets, scripts/fuzz.sh)
	gcc pkg-config meson ninja-build python3 clang libclang-rt-14-dev scdoc man-db
	# the constant-time check of the 8-lane AEAD (tests/ct: memcheck, valgrind/memcheck.h)
	valgrind
	# libraries wgdp links (dpdk-dev: dpdk-telemetry.py, dpdk-testpmd)
	libdpdk-dev dpdk-dev libipsec-mb-dev libjansson-dev libsodium-dev libb2-dev libcunit1-dev
	# real WireGuard peers and the network tools the integration tests drive
	wireguard-tools wireguard-go iproute2 iputils-ping iperf3 procps ethtool tcpdump
	# what hosts on either side of wgdp see of it as a router (test_wgdp_router.sh)
	iputils-tracepath traceroute
	# the pktgen kit's checks (tshark; lua5.3 runs wgdp.lua on a stand-in) and perf/plot
	tshark python3-matplotlib lua5.3
	# promtool checks `wgdpctl metrics` (test_wgdp_ops.sh)
	prometheus
	# sd_notify; the Debian package (scripts/package.sh) and what test_package.sh checks it
	# with (systemd-analyze, man); the man pages and the HTTP metrics endpoint
	libsystemd-dev debhelper dpkg-dev fakeroot lintian systemd man-db scdoc libmicrohttpd-dev
	# curl scrapes the metrics endpoint in test_wgdp_ops.sh
	curl
	# the router and the boxes' BGP speakers of scripts/cluster-demo.sh (test_wgdp_cluster.sh),
	# which runs its own daemons in namespaces (see below for the package's service)
	frr
)

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		echo "setup.sh: need root (or sudo) to run: $*" >&2
		exit 1
	fi
}

check=false hugepages=
while [ $# -gt 0 ]; do
	case $1 in
	--check) check=true ;;
	--hugepages)
		hugepages=${2:-}
		[[ $hugepages =~ ^[0-9]+$ ]] || {
			echo "setup.sh: --hugepages needs a number of 2 MiB pages" >&2
			exit 2
		}
		shift
		;;
	*)
		echo "usage: setup.sh [--check | --hugepages N]" >&2
		exit 2
		;;
	esac
	shift
done

# Hugepages for a real run (docs/operations.md, "On a real NIC"). The kernel may grant fewer
# than asked when memory is fragmented, so what it granted is read back, and only a count it
# granted is kept for the next boot, where it would be granted whole: a typo must not take
# the box's memory at the next boot. vm.nr_hugepages counts pages of the default size, so it
# keeps 2 MiB pages only where that is the default.
reserve_hugepages() {
	local want=$1 got conf=/etc/sysctl.d/80-wgdp-hugepages.conf
	local sysfs=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	local mem_kb default_kb

	mem_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
	default_kb=$(awk '/^Hugepagesize:/ { print $2 }' /proc/meminfo)
	if [ "$want" -gt $((mem_kb / 2048 * 3 / 4)) ]; then
		echo "setup.sh: $want hugepages of 2 MiB are more than 3/4 of this box's memory" >&2
		exit 1
	fi
	[ -w "$sysfs" ] || as_root test -w "$sysfs" || {
		echo "setup.sh: this kernel has no 2 MiB hugepages ($sysfs)" >&2
		exit 1
	}
	as_root sh -c "echo $want > $sysfs"
	got=$(cat "$sysfs")
	if [ "$got" -lt "$want" ]; then
		as_root sh -c "echo $got > $sysfs"
		echo "setup.sh: asked for $want hugepages of 2 MiB, the kernel granted $got" \
			"(memory too fragmented: reserve them at boot, see docs/operations.md);" \
			"nothing kept for the next boot" >&2
		exit 1
	fi
	if [ "$want" -eq 0 ]; then
		as_root rm -f "$conf"
	elif [ "$default_kb" = 2048 ]; then
		echo "vm.nr_hugepages = $want" | as_root tee "$conf" >/dev/null
	else
		conf="nothing: the default hugepage size is ${default_kb} kB; add hugepagesz=2M"
		conf+=" hugepages=$want to the kernel command line"
	fi
	if [ "$want" -gt 0 ] && ! grep -qs ' hugetlbfs ' /proc/mounts; then
		as_root mkdir -p /dev/hugepages
		as_root mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages
	fi
	echo "setup.sh: $got hugepages of 2 MiB reserved (at boot: $conf)"
}

if [ -n "$hugepages" ]; then
	reserve_hugepages "$hugepages"
	exit 0
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if $check; then
	[ ${#missing[@]} -eq 0 ] && [ -f "$build_dir/build.ninja" ]
	exit
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup.sh: installing ${missing[*]}"
	as_root apt-get update -q
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}"
	# Installed just now for the demo: the host's own routing is not FRR's to run.
	if [[ " ${missing[*]} " == *" frr "* ]] && [ -d /run/systemd/system ]; then
		as_root systemctl disable --now frr.service >/dev/null 2>&1 || true
	fi
fi
if [ -f "$build_dir/build.ninja" ]; then
	meson setup --reconfigure "$build_dir" "$top" >/dev/null
else
	meson setup "$build_dir" "$top"
fi
ninja -C "$build_dir"
echo "setup.sh: built into $build_dir"
