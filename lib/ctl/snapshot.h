/* SPDX-License-Identifier: MIT */
/*
 * What the running concentrator looks like, copied out for the control socket, the UAPI and
 * telemetry: plain data, no DPDK, so the formatting and protocol code is testable alone.
 */
#ifndef WGDP_CTL_SNAPSHOT_H
#define WGDP_CTL_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"

struct ctl_peer_state {
	/* As configured (allowed_ips owned by the snapshot); cfg.endpoint is the endpoint in
	 * use now (configured, or learnt from the peer's packets), has_endpoint if any. */
	struct wgdp_peer_config cfg;
	uint64_t last_handshake_ns; /* unix time of the last completed handshake, 0 = never */
	uint64_t rx_bytes, tx_bytes;
};

struct ctl_snapshot {
	char ifname[WGDP_IFNAME_MAX + 1];
	uint8_t private_key[32]; /* for the UAPI's get only; never printed elsewhere */
	uint8_t public_key[32];
	uint16_t listen_port;
	uint16_t mtu;
	struct ctl_peer_state *peers;
	unsigned int n_peers;
	/* The interface's peers past a limit the taker set (show's max_peers): not copied, so
	 * that a capped scrape costs its cap, not the peer count. show still counts them. */
	unsigned int n_omitted;
};

/* Frees the peers' arrays and wipes the keys. */
void ctl_snapshot_free(struct ctl_snapshot *snap);

/* The control socket's show answer (docs/cli.md): keys in base64, the psk only as a flag;
 * interface.peers counts the omitted peers too. */
typedef struct json_t json_t;
json_t *ctl_show_json(const struct ctl_snapshot *snap);

/*
 * The control socket's export answer (docs/cli.md): the interface's name, listen_port and mtu,
 * and its peers as a config has them (the endpoint in use, as wg showconf prints it); the
 * private and preshared keys only with keys, for `wgdpctl export --keys`. With keys the tree
 * holds secrets: wgdp_json_wipe it before json_decref.
 */
json_t *ctl_export_json(const struct ctl_snapshot *snap, bool keys);

#endif
