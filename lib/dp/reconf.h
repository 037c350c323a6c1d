/* SPDX-License-Identifier: MIT */
/*
 * A config change as the control lcore applies it. Everything costly (parsing, validation,
 * the diff, creating peers, building a new allowed-ips generation) is done beforehand by the
 * control thread (admin.c); the control lcore only swaps pointers and edits the peers it owns,
 * so a one-peer change among a million costs it microseconds, and workers never see a
 * half-applied change: they keep the old allowed-ips generation until the new one is
 * published whole, and a removed peer is freed only after an RCU grace period.
 */
#ifndef WGDP_DP_RECONF_H
#define WGDP_DP_RECONF_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct dp_ctx;
struct dp_peer;
struct dp_aips;

enum dp_update_what {
	DP_UPD_PSK = 1 << 0,
	DP_UPD_KEEPALIVE = 1 << 1,
	DP_UPD_ENDPOINT = 1 << 2,
};

/* A peer that stays, with settings the control lcore must change. */
struct dp_peer_update {
	uint32_t id;
	unsigned int what;
	bool has_psk;
	uint8_t psk[32];
	uint16_t keepalive;
	struct wgdp_endpoint endpoint;
};

/*
 * One interface's part of a change: its key and its peers; or the interface itself, added
 * (created: every peer in added) or removed (every peer in removed).
 */
struct dp_tenant_change {
	uint16_t tid;
	struct dp_tenant *created; /* a new interface, built and attached, not yet published */
	bool removing;		   /* the interface goes, with all its sessions */
	/* A live interface's new settings (an interface keeps its inside while it lives). */
	bool new_settings;
	uint16_t listen_port, mtu, mss[2];
	struct dp_rtable *routes; /* the new table (NULL: none) */
	bool new_private_key;
	uint8_t private_key[32];
	uint32_t *removed; /* peer ids */
	unsigned int n_removed;
	struct dp_peer **added; /* created, not yet in any table */
	unsigned int n_added;
	struct dp_peer_update *updated;
	unsigned int n_updated;
	struct dp_aips *aips; /* the new generation, NULL if allowed-ips did not change */
};

/* A change to the interfaces' keys and peers, and to the global settings, applied whole. */
struct dp_reconf {
	struct dp_tenant_change *tc; /* one an interface */
	unsigned int n_tc;
	unsigned int n_ifaces; /* interfaces afterwards: several, and logs name them */
	uint32_t *gone_links;  /* the inside links (dp_link) of removed interfaces, sorted */
	unsigned int n_gone_links;
	uint32_t under_load_queue;
	uint32_t n_peers; /* the id bound afterwards */
	bool applied;
	uint64_t apply_ns; /* how long the control lcore spent on it */
};

/* Control lcore: applies rc whole. Cannot fail: whatever could fail was done before. */
void dp_reconf_apply(struct dp_ctx *dp, struct dp_reconf *rc);

/* Frees rc; peers and a generation it holds are freed too unless it was applied. */
void dp_reconf_free(struct dp_reconf *rc);

/*
 * Any thread: hands rc to the control lcore and waits until it is applied. Returns 0, or -1
 * when the daemon is stopping and rc was not applied. With the control lcore not running
 * yet (start-up), applies directly.
 */
int dp_reconf_submit(struct dp_ctx *dp, struct dp_reconf *rc);

/* Control lcore, once a loop: applies a submitted change, if any. */
unsigned int dp_reconf_poll(struct dp_ctx *dp);

#endif
