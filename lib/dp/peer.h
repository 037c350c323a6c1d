/* SPDX-License-Identifier: MIT */
/*
 * Peers, their keypairs and the tables that find them.
 *
 * A peer's handshake, cookie maker, timers and keypair slots belong to the control lcore. What
 * workers need is published: the keypair to send with (send_kp, release/acquire), the
 * endpoint (a seqlock: workers read it per burst, the control lcore rewrites it on roaming),
 * and the receiver index → keypair hash (rte_hash, lock-free readers). A keypair or an
 * allowed-ips generation that leaves the tables is freed after an RCU QSBR grace period, when
 * no worker can still hold it.
 */
#ifndef WGDP_DP_PEER_H
#define WGDP_DP_PEER_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_ring.h>
#include <rte_seqlock.h>
#include <rte_spinlock.h>

#include "dp.h"
#include "rtable.h"
#include "wg/cookie.h"
#include "wg/keypair.h"
#include "wg/noise.h"
#include "wg/timers.h"

#define DP_PEER_NONE UINT32_MAX

struct dp_peer;

/* A transport keypair as the data plane holds it. */
struct dp_keypair {
	struct wg_keypair kp;	  /* first: lib/wg's slot functions take &kp */
	struct dp_peer *peer;
	rte_spinlock_t replay_lock; /* a peer's flow sits on one queue; this is for when not */
	uint32_t confirm_sent;	    /* DP_EV_CONFIRM posted once */
	uint32_t rekey_posted;	    /* DP_EV_REKEY_ON_RECEIVE posted once */
};

static inline struct dp_keypair *dp_keypair_of(struct wg_keypair *kp)
{
	return (struct dp_keypair *)kp;
}

struct dp_endpoint_slot {
	rte_seqlock_t lock;
	struct wgdp_endpoint ep;
	bool set;
};

struct dp_peer {
	uint32_t id;
	/* Which peer of that id: ids are reused, and a note queued to the control lcore (a staged
	 * packet, an event) for an earlier peer of the id must not reach this one, which may be
	 * another interface's. */
	uint32_t serial;
	struct dp_tenant *tenant; /* the interface it belongs to; outlives its peers */
	uint8_t public_key[32];
	char name[WGDP_PEER_NAME_MAX + 1];

	/* Published to workers. */
	struct dp_keypair *send_kp; /* __atomic acquire/release */
	struct dp_endpoint_slot endpoint;
	uint32_t handshake_wanted;    /* DP_EV_WANT_HANDSHAKE posted and not yet handled */
	uint32_t roam_posted;	      /* DP_EV_ROAM posted and not yet handled */
	uint64_t rx_bytes, tx_bytes;  /* relaxed atomics */
	uint64_t last_rx_ns;	      /* any authenticated packet (relaxed) */
	uint64_t last_rx_data_ns;     /* authenticated non-keepalive */
	uint64_t last_tx_ns;	      /* any authenticated packet sent */
	uint64_t last_tx_data_ns;     /* non-keepalive sent */

	/* hs and cookie: under hs_lock, which the handshake engine working on the peer holds for
	 * the handshake's length (hs_engine.h); the control lcore takes it to touch them. */
	rte_spinlock_t hs_lock;
	struct wg_handshake hs;
	struct wg_cookie_maker cookie;

	/* Control lcore only. */
	struct wg_timers timers;
	struct wg_keypairs kps;
	uint32_t hs_index; /* the live index of our handshake state, 0 = none */
	bool hs_index_live;
	struct rte_mbuf *staged[DP_STAGE_PER_PEER]; /* inside packets waiting for a session */
	unsigned int n_staged;
	uint64_t last_handshake_sent; /* an initiation or a response; 0 = never */
	uint64_t last_handshake_real_ns; /* wall clock of the last completed handshake */
	uint64_t seen_rx_ns, seen_rx_data_ns, seen_tx_ns, seen_tx_data_ns;
	uint16_t persistent_keepalive;
	bool timer_soon; /* on dp->soon */
	bool kick;	 /* send a keepalive (or a handshake) at the next tick */
	struct wgdp_prefix *allowed_ips;
	unsigned int n_allowed_ips;
	bool has_psk;
};

/*
 * Allowed-ips: one generation of the tables, replaced whole (copy on write). rte_fib
 * (DIR-24-8) and rte_fib6 (trie) keep their rules in an rte_rib, so building a generation of a
 * million prefixes is O(n log n); rte_lpm's linear rule list made it quadratic. They cost
 * 96 MiB a generation, whatever it holds: with several tenants, one whose prefixes are few
 * (DP_AIPS_COMPACT_MAX) gets the compact range table of rtable.h instead (a few hundred bytes,
 * a binary search: 10-50 ns), so that a thousand small tenants fit.
 */
#define DP_AIPS_COMPACT_MAX 4096

struct dp_aips {
	struct dp_rtable *compact; /* when set, the only table */
	struct rte_fib *v4;
	struct rte_fib6 *v6;
};

/* What the tables answer when no prefix matches (the 4-byte next hops keep a bit). */
#define DP_AIPS_MISS 0x7fffffffull

/* Builds the tables and the peers of dp->cfg's interfaces (ids 0..n-1 in their order) and
 * each tenant's allowed-ips. The tenants exist (dp_tenants_init). */
int dp_peers_init(struct dp_ctx *dp, char *err, size_t errlen);

/* Any thread: a new peer of tenant t from its config, not yet in any table. */
struct dp_peer *dp_peer_new(struct dp_tenant *t, const struct wgdp_peer_config *pc, uint32_t id);

/* Control lcore: the peer of tenant t with this public key, or NULL. */
struct dp_peer *dp_peer_by_key(struct dp_ctx *dp, const struct dp_tenant *t, const uint8_t key[32]);

/* Control lcore: puts a new peer in the key table (sized for max_peers: cannot fail once the
 * caller checked the room) and the peer array. */
int dp_peer_insert(struct dp_ctx *dp, struct dp_peer *p);

/* Frees a peer no table and no worker can reach any more. */
void dp_peer_destroy(struct dp_peer *p);

/* Control lcore: takes the peer out of every table; freed after a grace period. */
void dp_peer_retire(struct dp_ctx *dp, struct dp_peer *p);

/* Any thread: an allowed-ips generation for one interface's peers, ids[i] being peers[i]'s
 * id; compact_ok: the compact table may serve when the prefixes are few (several tenants). */
struct dp_aips *dp_aips_build(const struct wgdp_peer_config *peers, unsigned int n_peers,
			      const uint32_t *ids, bool compact_ok, char *err, size_t errlen);
void dp_aips_free(struct dp_aips *a);
void dp_peers_free(struct dp_ctx *dp);

/* Looks up the peer whose allowed-ips hold an inner address; DP_PEER_NONE if none. */
static inline uint32_t dp_aips_lookup4(const struct dp_aips *a, const uint8_t dst[4])
{
	uint32_t be, ip;
	uint64_t hop;

	if (a->compact)
		return dp_rtable_value(a->compact, 4, dst);
	memcpy(&be, dst, 4); /* inner headers need not be aligned */
	ip = rte_be_to_cpu_32(be);
	rte_fib_lookup_bulk(a->v4, &ip, &hop, 1);
	return hop == DP_AIPS_MISS ? DP_PEER_NONE : (uint32_t)hop;
}

static inline uint32_t dp_aips_lookup6(const struct dp_aips *a, const uint8_t dst[16])
{
	uint8_t ip[1][RTE_FIB6_IPV6_ADDR_SIZE];
	uint64_t hop;

	if (a->compact)
		return dp_rtable_value(a->compact, 6, dst);
	memcpy(ip[0], dst, 16);
	rte_fib6_lookup_bulk(a->v6, ip, &hop, 1);
	return hop == DP_AIPS_MISS ? DP_PEER_NONE : (uint32_t)hop;
}

/* Reads the peer's endpoint; false if it has none. */
bool dp_peer_endpoint(struct dp_peer *p, struct wgdp_endpoint *ep);

/* Control lcore: sets the endpoint (roaming, config). */
void dp_peer_set_endpoint(struct dp_peer *p, const struct wgdp_endpoint *ep);

/* Control lcore: a keypair leaves the tables; freed after a grace period. */
void dp_keypair_retire(struct dp_ctx *dp, struct dp_keypair *kp);

/* Control lcore: installs kp in the index table so workers find it. */
int dp_keypair_publish(struct dp_ctx *dp, struct dp_keypair *kp);

/* Control lcore: what send_kp should be after the slots changed. */
void dp_peer_publish_send_kp(struct dp_peer *p);

/* Control lcore: drops every keypair of the peer (timers' zeroing, peer removal). */
void dp_peer_clear_keypairs(struct dp_ctx *dp, struct dp_peer *p);

/* Control lcore (or before it runs): with persistent keepalive on and an endpoint, a keepalive
 * at the next tick (peer_timers.c). */
void dp_peer_kick(struct dp_ctx *dp, struct dp_peer *p);

/* Control lcore: forgets the index of a handshake in progress. */
void dp_peer_drop_hs_index(struct dp_ctx *dp, struct dp_peer *p);

void dp_aips_retire(struct dp_ctx *dp, struct dp_aips *a);
int dp_rcu_init(struct dp_ctx *dp);
void dp_rcu_free(struct dp_ctx *dp);

/* Frees any retired object whose grace period has passed. */
void dp_reclaim(struct dp_ctx *dp);

#endif
