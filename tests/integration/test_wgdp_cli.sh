#!/usr/bin/env bash
# The command line's contract: -h and --version exit 0, a usage error 2, an invalid config 1
# with the JSON path of the error on stderr, before any port is touched. Needs no root.
#
# usage: test_wgdp_cli.sh PATH/TO/wgdp
source "$(dirname "$0")/lib.sh"
wgdp=${1:?usage: $0 wgdp}

run() {
	local rc=0
	"$wgdp" "$@" >"$T_TMP/out" 2>"$T_TMP/err" || rc=$?
	echo "$rc"
}

[ "$(run -h)" = 0 ] || t_fail "-h did not exit 0"
grep -q -- "--config" "$T_TMP/out" || t_fail "-h printed no usage"
[ "$(run --no-huge -- -h)" = 0 ] || t_fail "-- -h did not exit 0"
[ "$(run --version)" = 0 ] || t_fail "--version did not exit 0"
grep -Eq "^wgdp [0-9]+\.[0-9]+\.[0-9]+" "$T_TMP/out" || t_fail "--version printed $(cat "$T_TMP/out")"
[ "$(run --no-huge -- --version)" = 0 ] || t_fail "-- --version did not exit 0"
[ "$(run --no-huge -- --bogus)" = 2 ] || t_fail "an unknown option did not exit 2"
[ "$(run --no-huge --)" = 2 ] || t_fail "a missing -c did not exit 2"
grep -q -- "-c FILE is required" "$T_TMP/err" || t_fail "no word on the missing -c"

# A key as wg genkey prints it (RFC 7748's Alice); only its shape matters here.
key="dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="
cat >"$T_TMP/bad.json" <<JSON
{ "interface": { "private_key": "$key" },
  "ports": [ { "port": 0, "role": "both", "address": ["192.0.2.1/24"] } ],
  "peers": [ { "public_key": "$key", "allowed_ips": ["10.0.1.0/33"] } ] }
JSON
[ "$(run --no-huge -- -c "$T_TMP/bad.json")" = 1 ] || t_fail "a bad prefix did not exit 1"
grep -q "peers\[0\].allowed_ips\[0\]" "$T_TMP/err" ||
	t_fail "the error does not name peers[0].allowed_ips[0]: $(cat "$T_TMP/err")"
if grep -q "$key" "$T_TMP/err"; then
	t_fail "the private key was printed"
fi
[ "$(run --no-huge -- -c "$T_TMP/missing.json")" = 1 ] || t_fail "a missing file did not exit 1"
echo '{ "interface": {' >"$T_TMP/trunc.json"
[ "$(run --no-huge -- -c "$T_TMP/trunc.json")" = 1 ] || t_fail "broken JSON did not exit 1"
t_log "ok"
