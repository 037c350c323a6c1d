/* SPDX-License-Identifier: MIT */
/*
 * Handshake engines: the handshake work spread over K lcores (docs/architecture.md,
 * "Handshakes on several lcores").
 *
 * Engine 0 runs on the control lcore, as all handshakes did before; engines 1..K-1 have lcores
 * of their own (`--handshake-lcores K`). A worker steers every initiation to the engine its
 * source address hashes to (an IPv6 source by its /64, the rate limiter's unit), so that one
 * source always meets one engine, and the engine's rate limiter, cookie checker and under-load
 * state need no sharing. Responses and cookie replies answer our own messages: they go to
 * engine 0, which made the initiations and owns the index table they are looked up in.
 *
 * What an engine shares, and how:
 *  - a peer's handshake and cookie maker: its hs_lock, taken for the handshake's length (the
 *    engine that found the peer by its key, or the control lcore);
 *  - receiver indexes: the control lcore stays the one writer of the index table; it keeps each
 *    engine a pool of reserved indexes, and an engine puts one in its response;
 *  - the session: the engine derives the keypair and hands it to the control lcore with the
 *    response (the done ring); the control lcore installs it, then sends the response, so the
 *    peer's first data finds the session;
 *  - the peer and tenant tables, identities and preshared keys: changed only by a reload, which
 *    the control lcore applies with the engines paused between two messages (never the
 *    workers).
 */
#ifndef WGDP_DP_HS_ENGINE_H
#define WGDP_DP_HS_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ring.h>

#include "dp.h"
#include "xmit.h"
#include "wg/messages.h"
#include "wg/noise.h"

#define DP_HS_INDEX_POOL  256  /* reserved receiver indexes an engine holds */
#define DP_HS_DONE_RING	  1024 /* engines → control: sessions to install */

/* Where an index reserved for an engine's response points until the session is installed: no
 * message may use it before (hs_untag and the keypair lookups refuse it). */
#define DP_INDEX_RESERVED ((void *)(uintptr_t)2)

/* A session an engine made, for the control lcore to install and answer. */
struct dp_hs_done {
	struct dp_peer *peer; /* valid only while dp->peers[peer_id] is it, of peer_serial */
	uint32_t peer_id;
	uint32_t peer_serial;
	uint32_t key_serial;   /* the tenant's private key it was made with */
	struct dp_keypair *kp; /* derived, not published; its local_index is reserved */
	uint64_t now;
	struct wgdp_endpoint ep; /* where the initiation came from */
	struct rte_ether_addr mac;
	uint16_t port;
	uint8_t our_addr[16];
	struct wg_msg_response resp;
};

struct dp_hs_engine {
	struct dp_ctx *dp;
	unsigned int index; /* 0: the control lcore's */
	unsigned int lcore_id;
	struct rte_ring *ring;	     /* workers → engine: handshake messages (MP/SC) */
	struct rte_ring *prio_ring;  /* workers → engine: the gate saw a valid mac2 */
	struct rte_ring *index_pool; /* control → engine: reserved indexes (SP/SC) */
	uint32_t spare_index;	     /* one taken and not used (a failed response), 0 = none */
	struct wg_ratelimiter *ratelimiter;
	struct wg_ephemeral ephemerals[DP_EPHEMERALS];
	unsigned int n_ephemerals;
	uint64_t last_under_load;     /* monotonic ns we last saw load (gate.c); relaxed */
	struct dp_flood_count wasted; /* initiations with a good mac1 Noise refused */
	uint64_t next_gc;
	struct dp_control_stats stats; /* what it received and refused (relaxed reads) */
	uint64_t drops[DP_DROP_COUNT]; /* cookie replies it could not send */
	uint32_t running;	       /* its lcore runs the loop (engines 1..K-1) */
	uint32_t paused_gen;	       /* the last pause it acknowledged */
} __rte_cache_aligned;

/* Creates engine 0 and n_lcores more on the given lcores; the engines' tenants slots come
 * after the workers' (dp_tenant_slot). 0 or -1. */
int dp_hs_engines_create(struct dp_ctx *dp, unsigned int n_lcores, const unsigned int *lcores);
void dp_hs_engines_free(struct dp_ctx *dp);

/* A 32-bit mix of a source address: IPv4 whole, IPv6 by its /64. */
static inline uint32_t dp_hs_source_hash(uint8_t family, const uint8_t *addr)
{
	uint64_t x = 0;

	for (unsigned int i = 0; i < (family == 4 ? 4u : 8u); i++)
		x = x << 8 | addr[i];
	/* A 64-bit finaliser (MurmurHash3's constants): every input bit reaches the top half,
	 * so that neighbouring addresses spread. */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return (uint32_t)(x >> 32);
}

/* The engine of an initiation from addr: [0, n) by the source hash. */
static inline unsigned int dp_hs_engine_pick(uint32_t hash, unsigned int n)
{
	return (unsigned int)(((uint64_t)hash * n) >> 32);
}

/* Workers: the engine a handshake message of type msg_type from addr goes to. */
static inline struct dp_hs_engine *dp_hs_engine_of(struct dp_ctx *dp, uint8_t msg_type,
						   uint8_t family, const uint8_t *addr)
{
	if (dp->n_engines == 1 || msg_type != WG_MSG_INITIATION)
		return &dp->engines[0];
	return &dp->engines[dp_hs_engine_pick(dp_hs_source_hash(family, addr), dp->n_engines)];
}

/* Control lcore: tops up every engine's pool of reserved indexes. */
void dp_hs_index_pools_fill(struct dp_ctx *dp);

/* An engine: a reserved index, or false if its pool is empty. */
bool dp_hs_index_take(struct dp_hs_engine *e, uint32_t *index);

/* An engine: an index it took and did not use, kept for its next response. */
void dp_hs_index_give_back(struct dp_hs_engine *e, uint32_t index);

/* Control lcore: installs the sessions the engines made and answers them. */
unsigned int dp_hs_done_drain(struct dp_sink *s);

/*
 * Control lcore: stops engines 1..K-1 between two messages (each has finished the handshake it
 * was in and holds no peer) until dp_hs_engines_resume; what a reload changes in peers,
 * tenants and identities is then the control lcore's alone. No-op without such engines.
 */
void dp_hs_engines_pause(struct dp_ctx *dp);
void dp_hs_engines_resume(struct dp_ctx *dp);

/* An engine: waits here while paused. */
void dp_hs_engine_pause_point(struct dp_hs_engine *e);

/* Entry for rte_eal_remote_launch: engine arg's loop until dp->quit. */
int dp_hs_engine_main(void *arg);

/* The sum of the engines' counters and the control lcore's, as `stats` shows them. */
void dp_hs_stats_total(const struct dp_ctx *dp, struct dp_control_stats *out);

#endif
