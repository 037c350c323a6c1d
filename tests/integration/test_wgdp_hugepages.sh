#!/usr/bin/env bash
# wgdp on hugepages, as on a real box: `scripts/setup.sh --hugepages N` reserves
# them (and keeps them at boot), wgdp runs on them without --no-huge, a wireguard-go client
# pings through it, and the pages go back afterwards. Every other test runs with --no-huge.
#
# usage: test_wgdp_hugepages.sh PATH/TO/wgdp PATH/TO/scripts/setup.sh
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/wgdp.sh"
wgdp=${1:?usage: $0 wgdp setup.sh}
setup=${2:?usage: $0 wgdp setup.sh}

t_require_root
t_require wireguard-go wg python3

sysfs=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
conf=/etc/sysctl.d/80-wgdp-hugepages.conf
[ -w "$sysfs" ] || t_skip "no 2 MiB hugepages on this kernel"
old_pages=$(cat "$sysfs")
old_conf=$(cat "$conf" 2>/dev/null || true)
mounted_before=$(grep -c ' hugetlbfs ' /proc/mounts || true)

# What the test changed goes back whatever happens; then the usual cleanup.
restore() {
	echo "$old_pages" >"$sysfs"
	if [ -n "$old_conf" ]; then echo "$old_conf" >"$conf"; else rm -f "$conf"; fi
	[ "$mounted_before" -gt 0 ] || umount /dev/hugepages 2>/dev/null || true
}
trap 'rc=$?; restore; (exit $rc); t_cleanup' EXIT

free_pages() { awk '/^HugePages_Free:/ {print $2}' /proc/meminfo; }

"$setup" --hugepages 300 >"$T_TMP/setup.log" 2>&1 ||
	t_fail "setup.sh --hugepages failed: $(cat "$T_TMP/setup.log")"
[ "$(cat "$sysfs")" -ge 300 ] || t_fail "setup.sh reserved $(cat "$sysfs") pages, not 300"
grep -qx 'vm.nr_hugepages = 300' "$conf" || t_fail "$conf does not keep the pages at boot"
grep -qs ' hugetlbfs ' /proc/mounts || t_fail "no hugetlbfs mounted after setup.sh"
"$setup" --hugepages x 2>/dev/null && t_fail "setup.sh took --hugepages x"
# More than the box has: refused, and nothing kept for the next boot.
"$setup" --hugepages 100000000 2>/dev/null && t_fail "setup.sh took 200 TB of hugepages"
grep -qx 'vm.nr_hugepages = 300' "$conf" || t_fail "a refused count reached $conf"

w_testbed
w_client 1
w_peer 1
w_config 1
before=$(free_pages)
W_MEM="-m 256 --huge-unlink" w_start "$wgdp" 0 1
after=$(free_pages)
t_log "hugepages free: $before before wgdp, $after while it runs"
[ $((before - after)) -ge 100 ] || t_fail "wgdp took $((before - after)) hugepages, not its 256 MB"
grep -q "no-huge\|No free hugepages" "$T_TMP/wgdp.log" && t_fail "wgdp fell back from hugepages"

c=${W_CLIENT[1]}
w_ping "$c" 10.0.0.2 5
w_ping "$c" fd00::2 5
w_stop
[ "$(free_pages)" -ge "$before" ] || t_fail "wgdp left hugepages behind: $(free_pages) of $before free"

"$setup" --hugepages 0 >"$T_TMP/setup0.log" 2>&1 ||
	t_fail "setup.sh --hugepages 0 failed: $(cat "$T_TMP/setup0.log")"
[ "$(cat "$sysfs")" -eq 0 ] || t_fail "--hugepages 0 left $(cat "$sysfs") pages"
[ ! -e "$conf" ] || t_fail "--hugepages 0 left $conf"
t_log "ok"
