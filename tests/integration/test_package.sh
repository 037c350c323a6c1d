#!/usr/bin/env bash
# The Debian package end to end (#18): scripts/package.sh builds it (lintian without errors),
# apt-get installs it, every binary's --version says meson's version, systemd-analyze verifies
# wgdp@.service, every man page renders without a warning, and then the unit's own command line
# (ExecStart with %i and the .eal file expanded, under the unit's capability bounding set and
# no_new_privs) starts the installed wgdp on the af_packet testbed with a NOTIFY_SOCKET: READY=1
# comes when the control socket answers, a client pings through it, ExecReload reloads it and
# SIGTERM brings STOPPING=1 and exit 0. wgdp runs there with only the DPDK plugins the package's
# Depends bring, as on a clean box. apt-get purge removes it all again; the source tree is
# left as it was. About 45 s on two CPUs, 40 of them the package build.
#
# usage: test_package.sh VERSION SOURCE_ROOT
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/wgdp.sh"
version=${1:?usage: $0 VERSION SOURCE_ROOT}
src=${2:?usage: $0 VERSION SOURCE_ROOT}
here=$(cd "$(dirname "$0")" && pwd)
began=$SECONDS

t_require_root
t_require git dpkg-buildpackage lintian apt-get systemd-analyze setpriv man python3 wg \
	wireguard-go
case "$(dpkg-query -W -f='${db:Status-Status}' wgdp 2>/dev/null || true)" in
"" | not-installed) ;;
*) t_skip "the wgdp package is installed on this machine: this test would replace and purge it" ;;
esac

inst=pkg$T_ID
unit=/lib/systemd/system/wgdp@.service
P_INSTALLED=0
P_RUNDIR=0

# Before lib.sh's cleanup: stop what we started, then take away what we put in the system.
p_cleanup() {
	local rc=$?
	set +e
	for pid in "${T_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	rm -f "/etc/wgdp/$inst.json" "/etc/wgdp/$inst.eal" "/run/wgdp/$inst.sock"
	rm -rf "/var/run/dpdk/wgdp-$inst" # the EAL's runtime directory (--file-prefix=wgdp-%i)
	if [ "$P_INSTALLED" = 1 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -q wgdp >/dev/null 2>&1
	fi
	[ "$P_RUNDIR" = 1 ] && rmdir /run/wgdp 2>/dev/null
	(exit "$rc")
	t_cleanup
}
trap p_cleanup EXIT

tree_state() { git -C "$src" status --porcelain --ignored --untracked-files=all -- . ':!build*'; }
tree_before=$(tree_state)

# --- the build --------------------------------------------------------------------------
t_log "scripts/package.sh"
start=$SECONDS
deb=$("$src/scripts/package.sh" -o "$T_TMP/out" 2>"$T_TMP/package.log" | tail -n 1) ||
	t_fail "scripts/package.sh failed: $(tail -n 30 "$T_TMP/package.log")"
build_s=$((SECONDS - start))
[ -f "$deb" ] || t_fail "scripts/package.sh printed '$deb', not a .deb"
case "$(basename "$deb")" in
"wgdp_${version}_"*.deb) ;;
*) t_fail "$deb: not wgdp_${version}_*.deb" ;;
esac
grep "^W: " "$T_TMP/package.log" >&2 || true
t_log "package built in $build_s s: $deb"

# --- the man pages, as the package has them ---------------------------------------------
mkdir "$T_TMP/root"
dpkg-deb -x "$deb" "$T_TMP/root"
pages=0
while IFS= read -r -d '' page; do
	warn=$(MANROFFSEQ='' man --warnings -l "$page" 2>&1 >/dev/null)
	[ -z "$warn" ] || t_fail "${page#"$T_TMP/root"} renders with warnings: $warn"
	pages=$((pages + 1))
done < <(find "$T_TMP/root/usr/share/man" -type f -print0 2>/dev/null)
# Once the sources have man pages (man/), the package must carry them.
[ ! -d "$src/man" ] || [ "$pages" -gt 0 ] || t_fail "man/ exists but the package has no man page"
t_log "$pages man page(s) render cleanly"

# --- install ----------------------------------------------------------------------------
t_log "apt-get install $deb"
P_INSTALLED=1
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" \
	>"$T_TMP/apt.log" 2>&1 || t_fail "apt-get install failed: $(tail -n 20 "$T_TMP/apt.log")"
for b in wgdp wgdpctl wgdp-probe wgdp-perf; do
	[ -x "/usr/bin/$b" ] || t_fail "/usr/bin/$b not installed"
	out=$("/usr/bin/$b" --version) || t_fail "$b --version exited non-zero"
	[ "${out##* }" = "$version" ] || t_fail "$b --version printed '$out', not version $version"
done
[ "$(/usr/bin/wgdp -- --version)" = "wgdp $version" ] || t_fail "wgdp -- --version"
[ -d /etc/wgdp ] || t_fail "/etc/wgdp not made"
[ -f /usr/share/doc/wgdp/examples/example.json ] || t_fail "no example config in the docs"
[ -f "$unit" ] || t_fail "$unit not installed"

# --- the unit ---------------------------------------------------------------------------
# Documentation= names man pages: checked once the package carries them.
man_check=no
[ "$pages" -gt 0 ] && man_check=yes
verify=$(systemd-analyze verify --man="$man_check" "wgdp@$inst.service" 2>&1) ||
	t_fail "systemd-analyze verify failed: $verify"
[ -z "$verify" ] || t_fail "systemd-analyze verify is not clean: $verify"
t_log "systemd-analyze verify (--man=$man_check): clean"

# --- the unit's command line, on the testbed --------------------------------------------
w_testbed
w_client 1
w_peer 1
W_IFNAME=$inst
w_config 1 "/etc/wgdp/$inst.json"
# The EAL options of wgdp.sh's w_start, as an operator would write them.
eal="--lcores=0 --no-huge --no-shconf --no-pci -m 512 --log-level=lib.eal:warning"
eal+=" --vdev=net_af_packet0,iface=out0,qpairs=1 --vdev=net_af_packet1,iface=in0,qpairs=1"
# And wgdp's own options as a box behind anycast has them: SIGTERM drains first.
printf '# test_package.sh\nWGDP_EAL="%s"\nWGDP_OPTS="--drain-ms 3000"\n' "$eal" \
	>"/etc/wgdp/$inst.eal"
mapfile -d '' start_cmd < <(python3 "$here/unit_cmd.py" "$unit" "$inst" exec ExecStart)
mapfile -d '' reload_cmd < <(python3 "$here/unit_cmd.py" "$unit" "$inst" exec ExecReload)
bounding=$(python3 "$here/unit_cmd.py" "$unit" "$inst" bounding)
[ "$(python3 "$here/unit_cmd.py" "$unit" "$inst" get Type)" = notify ] || t_fail "not Type=notify"
[ "${start_cmd[0]}" = /usr/bin/wgdp ] || t_fail "ExecStart runs '${start_cmd[0]}'"
printf '%q ' "${start_cmd[@]}" >"$T_TMP/execstart.log"
t_log "ExecStart: $(cat "$T_TMP/execstart.log")"

# RuntimeDirectory=wgdp, as systemd would make it.
[ -d /run/wgdp ] || { mkdir -m 0755 /run/wgdp && P_RUNDIR=1; }
ctl=/run/wgdp/$inst.sock
t_bg "$W_GW" notify.log python3 "$here/notify_listen.py" "$T_TMP/notify.sock" \
	/usr/bin/wgdpctl -s "$ctl" stats
t_wait_for 5 grep -q listening "$T_TMP/notify.log" || t_fail "the notify listener did not start"
unit_env=(env NOTIFY_SOCKET="$T_TMP/notify.sock")
sandbox=(setpriv --no-new-privs --inh-caps=-all --ambient-caps=-all --bounding-set="$bounding")

# A clean box has only the DPDK plugins the package's Depends bring (the EAL loads drivers
# from its pmds directory, which dpkg-shlibdeps cannot see; this machine has them all through
# libdpdk-dev). wgdp runs over a pmds directory holding just those.
pmds=$(dirname "$(dpkg -L librte-mempool-ring23 | grep -m 1 '/pmds-[0-9.]*/')")
mkdir "$T_TMP/pmds"
for pkg in $(dpkg-query -W -f='${Depends}' wgdp | tr ',' '\n' | sed 's/^ *//; s/[ |(].*//'); do
	{ dpkg -L "$pkg" 2>/dev/null || true; } | { grep "^$pmds/." || true; } |
		xargs -r cp -a -t "$T_TMP/pmds"
done
ls "$T_TMP/pmds" | grep -q mempool_ring || t_fail "Depends brings no ring mempool driver"
t_log "DPDK plugins from Depends: $(ls "$T_TMP/pmds" | grep '\.so\.[0-9]*$' | paste -s -d ' ')"
only_depends=(unshare -m --propagation private sh -c 'mount --bind "$1" "$2" && shift 2 &&
	exec "$@"' sh "$T_TMP/pmds" "$pmds")
"${only_depends[@]}" ip netns exec "$W_GW" "${unit_env[@]}" "${sandbox[@]}" -- "${start_cmd[@]}" \
	</dev/null >"$T_TMP/wgdp.log" 2>&1 &
W_PID=$!
T_PIDS+=("$W_PID")
t_wait_for 30 grep -q "^READY=1" "$T_TMP/notify.log" ||
	t_fail "no READY=1: $(tail -n 20 "$T_TMP/wgdp.log")"
t_wait_for 10 grep -q "^check: " "$T_TMP/notify.log" || t_fail "the check at READY=1 did not end"
grep -q "^check: rc=0" "$T_TMP/notify.log" ||
	t_fail "READY=1 came before the control socket answered: $(cat "$T_TMP/notify.log")"
grep "^READY=1" "$T_TMP/notify.log" | grep -q "STATUS=1 interface(s), 2 port(s)" ||
	t_fail "READY=1 without the expected STATUS: $(cat "$T_TMP/notify.log")"
grep -q "wgdp: ready" "$T_TMP/wgdp.log" || t_fail "READY=1 before wgdp said ready"
# The unit's capability set is all it has: the three of CapabilityBoundingSet (bits 12-14).
capeff=$(awk '/^CapEff:/ { print $2 }' "/proc/$W_PID/status")
[ "$capeff" = 0000000000007000 ] ||
	t_fail "wgdp runs with capabilities $capeff, not NET_ADMIN, NET_RAW, IPC_LOCK only"
w_ping "${W_CLIENT[1]}" 10.0.0.2

# ExecReload, in the same sandbox: a second peer appears.
t_keypair extra
python3 - "/etc/wgdp/$inst.json" "$(cat "$T_TMP/extra.pub")" <<'PY'
import json, sys
cfg = json.load(open(sys.argv[1]))
cfg["peers"].append({"public_key": sys.argv[2], "allowed_ips": ["10.0.1.99/32"]})
json.dump(cfg, open(sys.argv[1], "w"))
PY
"${sandbox[@]}" -- "${reload_cmd[@]}" >"$T_TMP/reload.log" 2>&1 ||
	t_fail "ExecReload failed: $(cat "$T_TMP/reload.log")"
/usr/bin/wgdpctl -s "$ctl" show | grep -q "$(cat "$T_TMP/extra.pub")" ||
	t_fail "the reload did not add the peer"
t_log "READY=1 with the control socket answering, traffic, ExecReload: ok"

# systemctl stop, with WGDP_OPTS's drain: health says so at once, wgdp serves on, then stops.
kill -TERM "$W_PID"
t_wait_for 5 sh -c '/usr/bin/wgdpctl -s "$1" health | grep -q "^draining"' sh "$ctl" ||
	t_fail "no \"draining\" after SIGTERM with WGDP_OPTS=--drain-ms: $(tail -n 5 "$T_TMP/wgdp.log")"
/usr/bin/wgdpctl -s "$ctl" health >/dev/null && t_fail "health exits 0 while draining"
w_ping "${W_CLIENT[1]}" 10.0.0.2 2
grep -q "^STOPPING=1" "$T_TMP/notify.log" && t_fail "STOPPING=1 while still draining"
w_stop
t_wait_for 5 grep -q "^STOPPING=1" "$T_TMP/notify.log" ||
	t_fail "no STOPPING=1 after SIGTERM: $(cat "$T_TMP/notify.log")"
[ "$(grep -c "^READY=1" "$T_TMP/notify.log")" = 1 ] || t_fail "READY=1 more than once"
t_log "sd_notify: $(grep -v listening "$T_TMP/notify.log" | paste -s -d ';')"

# --- purge ------------------------------------------------------------------------------
rm -f "/etc/wgdp/$inst.json" "/etc/wgdp/$inst.eal"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q wgdp >"$T_TMP/apt.log" 2>&1 ||
	t_fail "apt-get purge failed: $(tail -n 20 "$T_TMP/apt.log")"
P_INSTALLED=0
for f in /usr/bin/wgdp /usr/bin/wgdpctl /usr/bin/wgdp-probe /usr/bin/wgdp-perf "$unit"; do
	[ ! -e "$f" ] || t_fail "$f is still there after the purge"
done
[ "$(dpkg-query -W -f='${db:Status-Status}' wgdp 2>/dev/null || true)" != installed ] ||
	t_fail "dpkg still has wgdp installed"

[ "$(tree_state)" = "$tree_before" ] ||
	t_fail "the source tree changed: $(diff <(echo "$tree_before") <(tree_state))"
t_log "ok: package built in $build_s s, the whole test $((SECONDS - began)) s"
