#!/usr/bin/env bash
# Installs what wgdp needs to build, test and benchmark on Debian 12, then builds it.
# Idempotent: run it again after a pull. Needs root (or sudo) for apt-get.
#
#   scripts/setup.sh           install what is missing, configure and build build/
#   scripts/setup.sh --check   exit 0 when every package is installed and build/ is
#                              configured, 1 otherwise (demo.sh and test.sh ask this first)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${WGDP_BUILD_DIR:-$top/build}

packages=(
	# toolchain (clang and its libFuzzer runtime for the fuzz targets, scripts/fuzz.sh)
	gcc pkg-config meson ninja-build python3 clang libclang-rt-14-dev
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

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ "${1:-}" = --check ]; then
	[ ${#missing[@]} -eq 0 ] && [ -f "$build_dir/build.ninja" ]
	exit
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup.sh: installing ${missing[*]}"
	as_root apt-get update -q
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}"
fi

if [ -f "$build_dir/build.ninja" ]; then
	meson setup --reconfigure "$build_dir" "$top" >/dev/null
else
	meson setup "$build_dir" "$top"
fi
ninja -C "$build_dir"
echo "setup.sh: built into $build_dir"
