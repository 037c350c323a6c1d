/* SPDX-License-Identifier: MIT */
/*
 * Tenants: the WireGuard interfaces of one wgdp (docs/tenants.md). A tenant is an identity
 * (private key, listen port, MTU) with its own peers, allowed-ips and cookie secret. Tenants
 * share the lcores, ports, rings, the peer array and the receiver-index table (indexes are
 * random and unique process-wide); they share no secret and no table entry: a peer belongs to
 * one tenant, and every lookup that picks a peer or a destination is the tenant's.
 *
 * The tenant of a packet comes from what it already tells us: the UDP destination port of a
 * handshake (tenant_of_port), the keypair's peer of a data message, the inside port of a
 * packet to encrypt. Tenant ids are stable while the tenant lives.
 */
#ifndef WGDP_DP_TENANT_H
#define WGDP_DP_TENANT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_seqlock.h>

#include "config.h"
#include "neigh.h"
#include "wg/cookie.h"
#include "wg/noise.h"

#define DP_TENANT_NONE UINT16_MAX

struct dp_ctx;
struct dp_aips;
struct dp_rtable;
struct dp_port;

/* What one worker keeps of a tenant, on its own cache lines. */
struct dp_tenant_worker {
	struct wg_cookie_checker cookie; /* a copy of the tenant's published checker (gate.c) */
	uint32_t cookie_sn;		 /* the publication it was copied from */
} __rte_cache_aligned;

struct dp_tenant {
	uint16_t tid;
	bool named_in_logs; /* one of several interfaces: peer events name it */
	unsigned int n_workers; /* slots in per_worker: workers, then handshake engines */
	char name[WGDP_IFNAME_MAX + 1];
	uint16_t listen_port;
	uint16_t mtu;	 /* inner packets into the tunnel: at most this */
	uint16_t mss[2]; /* SYNs crossing the tunnel lowered to this, [0] IPv4, [1] IPv6; 0 = off */
	struct dp_aips *aips; /* allowed-ips of the tenant's peers, published by pointer */
	uint32_t n_live_peers;

	/*
	 * The inside. With an "inside" attachment the tenant has a link of its own (a port, a
	 * VLAN on it) with its own addresses, neighbours and routes. Without (one interface),
	 * it has the inside ports and their addresses, as before tenants.
	 */
	bool has_inside;
	uint16_t inside_port;		      /* dp->ports index (dp_tenants_attach) */
	uint16_t vlan;			      /* 0 = untagged */
	struct wgdp_port_config inside_addrs; /* our addresses there, shaped as a port's */
	struct dp_iface inside_ifc;	      /* what ARP / ND / echo answer for there */
	struct dp_rtable *routes;	      /* on-link and static routes; NULL: none */

	/* Control lcore. */
	struct wg_identity identity;
	uint32_t key_serial; /* which private key: a new one each change (dp_tenant_set_key) */
	struct wg_cookie_checker cookie_checker;
	/* The checker as workers may copy it: the control lcore publishes, workers read. */
	struct {
		rte_seqlock_t lock;
		struct wg_cookie_checker checker;
	} cookie_pub;

	/* [n_workers]: a slot a worker, then one a handshake engine (dp_gate_checker). */
	struct dp_tenant_worker *per_worker;
};

/* The MSS that SYNs of family (4 or 6) are clamped to in t's tunnels; 0 = none. */
static inline uint16_t dp_tenant_mss(const struct dp_tenant *t, uint8_t family)
{
	return t->mss[family == 6];
}

/* The MSS clamp of ic's tunnels, [0] IPv4, [1] IPv6 (see dp_tenant_mss). */
void dp_tenant_mss_of(const struct wgdp_interface_config *ic, uint16_t mss[2]);

/* Creates the tenants of dp->cfg->ifaces (tid = the index) and the listen-port demux. */
int dp_tenants_init(struct dp_ctx *dp, char *err, size_t errlen);
void dp_tenants_free(struct dp_ctx *dp);

/* Once the ports run: the tenants' inside links (port index, MAC) and each inside port's
 * VLAN → tenant table. */
int dp_tenants_attach(struct dp_ctx *dp, char *err, size_t errlen);

/* The link identity (addresses, MAC) of port's VLAN vlan: the tenant's own inside link, or
 * the port's; NULL for a VLAN no tenant has. */
const struct dp_iface *dp_iface_at(const struct dp_ctx *dp, const struct dp_port *port,
				   uint16_t vlan);

/*
 * Tenants a reload adds and removes (reconf.c). dp_tenant_new builds one on the control
 * thread, complete and attached, as tid (an id no live or retiring tenant has); the control
 * lcore publishes it (dp->tenants, then its inside links, then its listen port: a handshake
 * finds it only once all else is in place) or unpublishes it (the other way round), and
 * retires it once its peers are gone: freed after a grace period (dp_tenant_retire, peer.c).
 */
struct dp_tenant *dp_tenant_new(struct dp_ctx *dp, uint16_t tid,
				const struct wgdp_interface_config *ic, char *err, size_t errlen);
void dp_tenant_publish(struct dp_ctx *dp, struct dp_tenant *t);
void dp_tenant_unpublish(struct dp_ctx *dp, struct dp_tenant *t);
/* Control lcore: t's listen port leads to no tenant any more (unpublishing, or a new port). */
void dp_tenant_release_port(struct dp_ctx *dp, const struct dp_tenant *t);
void dp_tenant_retire(struct dp_ctx *dp, struct dp_tenant *t);
/* A tenant's routes replaced by a reload: freed after a grace period. NULL is fine. */
void dp_rtable_retire(struct dp_ctx *dp, struct dp_rtable *r);
/* Frees t at once: it was never published, or its grace period is over. NULL is fine. */
void dp_tenant_free(struct dp_tenant *t);

/* Control lcore: a new private key for t; the caller drops the sessions made with the old. */
void dp_tenant_set_key(struct dp_tenant *t, const uint8_t key[32], uint64_t now);

#endif
