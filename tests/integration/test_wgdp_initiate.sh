#!/usr/bin/env bash
# wgdp initiates: the peer has a configured endpoint and the client none, so only traffic from
# the LAN towards the client's tunnel address can bring the session up.
#
# usage: test_wgdp_initiate.sh PATH/TO/wgdp
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/wgdp.sh"
wgdp=${1:?usage: $0 wgdp}

t_require_root
t_require wireguard-go wg

w_testbed
w_client 1 none
w_peer 1 "192.0.2.11:51820"
w_config 1
w_start "$wgdp" 0 1
c=${W_CLIENT[1]}

hs=$(ip netns exec "$c" wg show wgc1 latest-handshakes | awk '{print $2}')
[ "$hs" = 0 ] || t_fail "a handshake before any traffic ($hs)"
w_ping "$W_LAN" 10.0.1.11 5
w_ping "$W_LAN" fd00:1::11 3
ep=$(ip netns exec "$c" wg show wgc1 endpoints | awk '{print $2}')
[ "$ep" = "192.0.2.1:51820" ] || t_fail "the client learnt endpoint '$ep', not wgdp's"
w_stop
t_log "ok"
