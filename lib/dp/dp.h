/* SPDX-License-Identifier: MIT */
/*
 * The concentrator's data plane on DPDK: one struct dp_ctx holds the ports, the peers and
 * their tables, the rings between workers and the control lcore, and the counters.
 *
 * Threads (docs/architecture.md):
 *  - workers poll their RX queues, decrypt and encrypt bursts, and never block, lock (but for a
 *    keypair's replay window, uncontended when RSS keeps a peer's flow on one queue) or
 *    allocate; they read the tables lock-free and report RCU quiescence once a loop;
 *  - the control lcore owns every write: timers, keypair publication, neighbour resolution,
 *    and the packets the control plane sends; handshakes run on it and on the handshake
 *    lcores (hs_engine.h), which hand it the sessions to install.
 * With one lcore, that lcore alternates the two loops.
 */
#ifndef WGDP_DP_DP_H
#define WGDP_DP_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_seqlock.h>

#include "config.h"
#include "neigh.h"
#include "router.h"
#include "stray.h"
#include "tenant.h"
#include "wg/cookie.h"
#include "wg/index.h"
#include "wg/noise.h"
#include "wg/ratelimiter.h"

#define DP_BURST	   32
#define DP_MAX_WORKERS	   RTE_MAX_LCORE
#define DP_MAX_HS_ENGINES   16	 /* handshake engines (hs_engine.h), the control lcore's included */
#define DP_STAGE_PER_PEER  64	/* packets waiting for a session, per peer (kernel: 128) */
#define DP_STAGE_POOL_SHARE 8	/* and in all, at most 1/8 of the mbuf pool (send.c) */
#define DP_LOCAL_RING_SIZE 1024 /* ARP/ND/ICMP for us and packets waiting for resolution */
#define DP_EVENT_RING_SIZE 4096 /* worker → control notes (handshake wanted, confirm, roam) */
#define DP_CTL_TX_RING	   1024 /* control → worker, per port: packets to send */
#define DP_EPHEMERALS	   64	/* responder ephemerals made while idle (control.c) */

/* Why a packet was dropped; every drop is counted per worker under one of these. */
enum dp_drop {
	DP_DROP_TRUNCATED,	   /* shorter than its headers say */
	DP_DROP_NOT_IP,		   /* an ethertype we do not handle */
	DP_DROP_NOT_FOR_US,	   /* not our MAC, or outside: not our address or UDP port */
	DP_DROP_BAD_MESSAGE,	   /* not a well-formed WireGuard message */
	DP_DROP_UNKNOWN_INDEX,	   /* data for a receiver index we do not have */
	DP_DROP_KEYPAIR_EXPIRED,   /* data under a keypair past REJECT_AFTER_* */
	DP_DROP_AUTH,		   /* data that did not authenticate */
	DP_DROP_REPLAY,		   /* counter seen or behind the window */
	DP_DROP_SOURCE,		   /* inner source outside the peer's allowed-ips */
	DP_DROP_INNER_MALFORMED,   /* decrypted, but not an IP packet of the right size */
	DP_DROP_NO_PEER,	   /* inside: no peer's allowed-ips hold the destination */
	DP_DROP_NO_ROUTE,	   /* no port or next hop reaches the destination */
	DP_DROP_NO_ENDPOINT,	   /* the peer has no endpoint yet */
	DP_DROP_HANDSHAKE_QUEUE,   /* the control lcore's handshake ring was full */
	DP_DROP_LOCAL_QUEUE,	   /* the control lcore's local ring was full */
	DP_DROP_RESOLVE_QUEUE,	   /* the ring of frames waiting for next-hop resolution was full */
	DP_DROP_STAGE_FULL,	   /* the ring that stages packets on the control lcore was full */
	DP_DROP_TOO_BIG,	   /* inner packet larger than the MTU, DF set or IPv6 */
	DP_DROP_NO_ROOM,	   /* no headroom or tailroom to encapsulate */
	DP_DROP_TX_FULL,	   /* the TX queue did not take it */
	DP_DROP_INSIDE_UNEXPECTED, /* WireGuard on an inside-only port, or inside traffic outside */
	DP_DROP_MAC1,		   /* a handshake message whose mac1 is not for our key */
	DP_DROP_TTL_EXPIRED,	   /* an inner packet whose TTL / hop limit ran out here */
	DP_DROP_NO_MBUF,	   /* no mbuf for the fragments of an inner packet */
	DP_DROP_LINK_BROADCAST,	   /* IP in a broadcast frame: not forwarded (RFC 1812 5.3.4) */
	DP_DROP_COUNT
};

const char *dp_drop_name(enum dp_drop reason);

/* One worker's counters, on their own cache lines: no sharing on the fast path. */
struct dp_worker_stats {
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t decrypted;
	uint64_t encrypted;
	uint64_t keepalives_received;
	uint64_t handshake_to_control;
	uint64_t cookie_replies_sent; /* under load: answered here, never queued */
	uint64_t local_to_control;
	uint64_t drops[DP_DROP_COUNT];
} __rte_cache_aligned;

/* Handshake-side counters, kept by the control lcore. */
struct dp_control_stats {
	uint64_t initiations_received;
	uint64_t responses_received;
	uint64_t cookies_received;
	uint64_t handshakes_completed;
	uint64_t initiations_sent;
	uint64_t responses_sent;
	uint64_t cookie_replies_sent;
	uint64_t keepalives_sent;
	uint64_t mac_invalid;
	uint64_t ratelimited;
	uint64_t noise_errors[WG_NOISE_ERR_COUNT];
	uint64_t unknown_index;
	uint64_t staged_sent;
	uint64_t staged_dropped;    /* the peer's queue was full (oldest out), or it gave up */
	uint64_t staged_over_limit; /* refused: every peer's staged packets reached the limit */
	uint64_t staged_expired;    /* waited REKEY_ATTEMPT_TIME without a session */
	uint64_t neigh_dropped;
	uint64_t under_load_ticks;
	uint64_t index_pool_empty; /* an engine had no reserved index for a response */
	uint64_t taken_over;	   /* initiations an idle engine took from another's queue */
	uint64_t stray_sources;	   /* sources of data under an index we lack, noted (stray.h) */
	uint64_t stray_initiations; /* initiations sent to a peer whose data was stray */
	uint64_t stray_deferred;    /* not sent: under load, or the budget was spent */
};

/* Why a packet rides the local ring to the control lcore (kept in the mbuf's private area). */
enum dp_meta_kind {
	DP_META_LOCAL = 1, /* ARP/ND/ICMP that may be for us */
	DP_META_RESOLVE,   /* a frame whose next hop needs resolving; out_port, nh say where */
	DP_META_STAGE,	   /* an inside packet for a peer without a usable session */
};

struct dp_mbuf_meta {
	uint8_t kind;
	uint16_t out_port;
	uint16_t vlan; /* DP_META_RESOLVE: the VLAN on out_port */
	uint32_t peer_id;
	uint32_t peer_serial; /* DP_META_STAGE: dp_peer.serial */
	struct wgdp_addr nh;
	uint64_t staged_at; /* DP_META_STAGE, on the control lcore: when it was staged */
};

static inline struct dp_mbuf_meta *dp_meta(struct rte_mbuf *m)
{
	return (struct dp_mbuf_meta *)rte_mbuf_to_priv(m);
}

/* A note from a worker to the control lcore. */
enum dp_event_kind {
	DP_EV_WANT_HANDSHAKE = 1, /* the keypair is due for rekey */
	DP_EV_CONFIRM,		  /* first data authenticated under the peer's next keypair */
	DP_EV_ROAM,		  /* authenticated data from an endpoint other than the peer's */
	DP_EV_REKEY_ON_RECEIVE,	  /* data under a current keypair 165 s old (once a keypair) */
};

struct dp_event {
	uint32_t kind;
	uint32_t peer_id;
	uint32_t peer_serial; /* dp_peer.serial */
	void *keypair;
	struct wgdp_endpoint ep;
};

struct dp_port {
	uint16_t port_id;
	struct dp_iface iface;
	uint16_t n_queues;
	bool outside, inside;
	/* Inside ports: the tenant of each 12-bit VLAN id ([0]: untagged), DP_TENANT_NONE;
	 * NULL elsewhere. has_vlans: a tenant is on a VLAN here, so tags are looked for on RX. */
	uint16_t *tid_of_vlan;
	bool has_vlans;
	bool tenant_links; /* a tenant has a link of its own here (its own addresses) */
	bool vlan_hw_tx;   /* the NIC inserts tags (RTE_ETH_TX_OFFLOAD_VLAN_INSERT) */
	uint16_t mtu; /* inner packets leaving an inside port: at most this */
	struct rte_ring *ctl_tx; /* control and engines → the worker owning TX queue 0 (MP/SC) */
};

struct dp_peer;
struct dp_aips;
struct dp_hs_engine;
struct dp_reconf;

/* Signs of load that count only at a flood's rate: how many within the current window
 * (dp_gate_count_sign). */
struct dp_flood_count {
	uint64_t window_ns;
	uint32_t n;
};

/* Which queues a worker polls and sends on. */
struct dp_worker {
	struct dp_ctx *dp;
	unsigned int lcore_id;
	unsigned int index;
	uint16_t rx_port[RTE_MAX_ETHPORTS];
	uint16_t rx_queue[RTE_MAX_ETHPORTS];
	unsigned int n_rx;
	uint16_t tx_queue; /* the same queue index on every port */
	bool drains_ctl_tx;
	struct wgc_batch *crypto;
	uint64_t gate_tokens;		 /* the gate's budget (gate.c), in messages */
	uint64_t gate_refill_ns;
	/* cookie replies the gate sent for each handshake engine's messages (gate.c) */
	struct dp_flood_count gate_replies[DP_MAX_HS_ENGINES];
	struct dp_worker_stats stats;
	struct dp_router router; /* ICMP errors, fragments, MSS clamping (router.h) */
	/* Stray data (stray.h): the notes' budget, and the sources noted lately. */
	uint64_t stray_tat;
	uint32_t stray_seen[DP_STRAY_WORKER_CACHE];
	uint64_t stray_seen_ns[DP_STRAY_WORKER_CACHE];
};

struct dp_ctx {
	const struct wgdp_config *cfg;
	struct rte_mempool *pool;

	struct dp_port ports[WGDP_MAX_PORTS];
	unsigned int n_ports;

	struct dp_worker *workers;
	unsigned int n_workers;

	/* Handshake engines (hs_engine.h): [0] is the control lcore's. Each has its queues. */
	struct dp_hs_engine *engines;
	unsigned int n_engines;
	struct rte_ring *hs_done_ring; /* engines → control: sessions to install (MP/SC) */
	uint32_t hs_pause_gen;	       /* a reload's pause of the engines (hs_engine.c) */
	uint32_t hs_paused;
	struct rte_ring *local_ring; /* workers → control: ARP/ND/ICMP that may be for us (MP/SC) */
	/* workers → control: frames whose next hop has no MAC yet (MP/SC). Apart from the local
	 * ring, so that a stream to a dead host cannot crowd out the answers that resolve others. */
	struct rte_ring *resolve_ring;
	struct rte_ring *event_ring; /* workers → control: struct dp_event notes (MP/SC) */
	struct rte_ring *stage_ring; /* workers → control: packets waiting for a session */
	struct rte_ring *stray_ring; /* workers → control: struct dp_stray_note (MP/SC) */
	struct dp_stray *stray;	     /* control lcore: stray data's sources (stray.h) */

	struct rte_rcu_qsbr *rcu;
	struct rte_rcu_qsbr_dq *retire_dq;

	/* Peers. The array is sized at start; ids are stable while a peer lives. */
	struct dp_peer **peers;
	uint32_t max_peers;
	uint32_t n_peers;      /* ids below this may be in use (some slots empty) */
	uint32_t n_live_peers;
	struct rte_hash *index_hash;  /* receiver index → struct dp_keypair (lock-free readers) */
	struct rte_hash *pubkey_hash; /* (tenant, public key) → peer id (control only) */
	struct wg_index_table *indexes; /* every live index, handshakes and keypairs (control) */

	/* Tenants (tenant.h): ids are indexes; the UDP listen port names a handshake's. */
	struct dp_tenant **tenants; /* [WGDP_MAX_IFACES], NULL where none */
	unsigned int n_tenants;	    /* ids below this may be in use */
	uint16_t *tenant_of_port;   /* [65536]: tenant id, DP_TENANT_NONE */

	struct dp_neigh *neigh;

	/* Control-lcore state. */
	struct wgc_batch *ctl_crypto;
	struct dp_control_stats ctl_stats;
	uint64_t ctl_drops[DP_DROP_COUNT];
	struct dp_router ctl_router; /* the control lcore's ICMP errors (staged packets given up) */
	struct dp_icmp_global icmp_global; /* every lcore's ICMP errors share this budget */
	uint64_t next_timer_scan;
	/* Timers (control.c): every peer is swept once a second, a slice each tick; the peers
	 * with a deadline before their next sweep sit on the "soon" list, checked every tick. */
	uint32_t *soon;
	uint32_t n_soon;
	uint32_t sweep_cursor;
	/* Packets staged on peers for want of a session (send.c), and their global bound. */
	uint32_t n_staged;
	uint32_t stage_limit;
	uint32_t n_keypairs; /* in index_hash; rte_hash_count also counts slots awaiting RCU */
	uint64_t next_housekeeping;
	uint32_t under_load_queue;

	/* Config changes from the control thread (reconf.c). */
	uint32_t mbox_state;
	struct dp_reconf *mbox_req;
	bool running; /* the control loop runs: changes go through the mailbox */

	bool control_is_worker; /* one lcore: the main lcore is worker 0 too */
	volatile bool quit;
	/* SIGTERM with a drain time (drain.h): when the drain ends, 0 while serving. */
	uint64_t drain_until;
	bool drain_logged;
};

/* The index into dp->ports of the ethdev port_id, or -1 (a handful of ports: a scan). */
static inline int dp_port_index(const struct dp_ctx *dp, uint16_t port_id)
{
	for (unsigned int i = 0; i < dp->n_ports; i++)
		if (dp->ports[i].port_id == port_id)
			return (int)i;
	return -1;
}

/* The tenant of inside traffic on port with VLAN vlan (0 = untagged), or NULL. */
static inline struct dp_tenant *dp_port_tenant(const struct dp_ctx *dp, const struct dp_port *port,
					       uint16_t vlan)
{
	uint16_t tid =
		port->tid_of_vlan ? port->tid_of_vlan[vlan & RTE_VLAN_ID_MASK] : DP_TENANT_NONE;

	return tid == DP_TENANT_NONE ? NULL : __atomic_load_n(&dp->tenants[tid], __ATOMIC_ACQUIRE);
}

/* The tenant listening on UDP port (host order), or NULL. */
static inline struct dp_tenant *dp_tenant_of_port(const struct dp_ctx *dp, uint16_t port)
{
	uint16_t tid = __atomic_load_n(&dp->tenant_of_port[port], __ATOMIC_ACQUIRE);

	return tid == DP_TENANT_NONE ? NULL : __atomic_load_n(&dp->tenants[tid], __ATOMIC_ACQUIRE);
}

/* Creates the context: tables, rings, RCU. Ports are set up by dp_ports_init(). */
struct dp_ctx *dp_create(const struct wgdp_config *cfg, unsigned int n_workers,
			 const unsigned int *worker_lcores, char *err, size_t errlen);

/* The same with n_hs handshake lcores besides the control lcore (hs_engine.h). */
struct dp_ctx *dp_create_hs(const struct wgdp_config *cfg, unsigned int n_workers,
			    const unsigned int *worker_lcores, unsigned int n_hs,
			    const unsigned int *hs_lcores, char *err, size_t errlen);
void dp_free(struct dp_ctx *dp);

/* Frees a ring of mbufs with what it still holds (NULL: nothing). */
void dp_mbuf_ring_free(struct rte_ring *r);

/* Ports: configure, queues, start; fills dp->ports. */
int dp_ports_init(struct dp_ctx *dp, char *err, size_t errlen);
void dp_ports_stop(struct dp_ctx *dp);

/* The worker loop body: one pass over the worker's queues. Returns packets handled. */
unsigned int dp_worker_poll(struct dp_ctx *dp, struct dp_worker *w);

/* The control loop body: one pass. Returns work done (0 = idle). */
unsigned int dp_control_poll(struct dp_ctx *dp);

/* One lcore for everything: drains the RX queues (a few bursts) and then runs one control
 * pass whose handshake work is kept short, so that packets wait in our rings, where the
 * handshake queue's depth can say "under load", and not in the NIC's. */
void dp_shared_lcore_poll(struct dp_ctx *dp, struct dp_worker *w);

/* Entry for rte_eal_remote_launch: runs the worker loop until dp->quit. */
int dp_worker_main(void *arg);

/* The worker that runs on lcore_id, or NULL. */
struct dp_worker *dp_worker_of_lcore(struct dp_ctx *dp, unsigned int lcore_id);

#endif
