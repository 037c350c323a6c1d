/* SPDX-License-Identifier: MIT */
/*
 * Inside the neighbour code only: where the table (neigh_table.c) and the protocols (neigh.c)
 * meet. The threading contract is neigh.h's.
 */
#ifndef WGDP_DP_NEIGH_PRIV_H
#define WGDP_DP_NEIGH_PRIV_H

#include <rte_common.h>

#include "neigh.h"

#define NEIGH_NIL  UINT32_MAX
#define NEIGH_NONE DP_NEIGH_STATE_COUNT /* free, or waiting for its grace period */

/* What an answer says (RFC 4861 4.4; an ARP reply is an overriding answer). */
#define NEIGH_SOLICITED 1u /* it answers a solicitation of ours: the path works both ways */
#define NEIGH_OVERRIDE	2u /* its MAC replaces the one we have */

struct neigh_key {
	uint32_t link; /* dp_link: port and VLAN */
	uint8_t family;
	uint8_t pad[3];
	uint8_t addr[16];
};

struct neigh_entry {
	/* Shared with the workers. */
	uint64_t mac_state; /* MAC_VALID | 48-bit MAC; read by workers atomically */
	uint64_t used;	    /* coarse time of the last use; workers store it, relaxed */
	/* The control lcore's alone. */
	struct neigh_key key;
	uint8_t state; /* enum dp_neigh_state, or NEIGH_NONE */
	uint8_t tries; /* solicitations sent in this INCOMPLETE or PROBE spell */
	uint8_t n_queued;
	uint32_t prev, next;	 /* in its state's list (or, next only, the free / retire list) */
	uint32_t q_head, q_tail; /* frames waiting, in dp_neigh.slots */
	int32_t pos;		 /* its key's slot in the hash, kept until the grace period ends */
	uint64_t since;		 /* when it entered its state */
	uint64_t deadline;	 /* when its state's timer fires */
	uint64_t token;		 /* QSBR token of its deletion */
	const struct dp_iface *ifc;
};

/* A frame waiting for resolution; free ones are chained from dp_neigh.slot_free. */
struct neigh_slot {
	struct rte_mbuf *m;
	uint32_t next;
};

/* Entries of one state in deadline order (each state's timer is a constant). */
struct neigh_list {
	uint32_t head, tail;
};

struct dp_neigh {
	/* Read by the workers on every lookup; clock written once a tick. */
	struct rte_hash *hash;
	struct neigh_entry *entries;
	uint64_t clock; /* now_ns of the last tick: what workers stamp into used */

	/* The control lcore's alone. */
	struct neigh_list lists[DP_NEIGH_STATE_COUNT] __rte_cache_aligned;
	uint32_t free_head;		   /* entries to reuse */
	uint32_t retire_head, retire_tail; /* deleted, oldest first, waiting for a grace period */
	uint32_t n_slots; /* entries allocated: max_entries and room for retiring */
	struct neigh_slot *slots;
	uint32_t slot_free;
	uint64_t budget, budget_at; /* solicitation token bucket, in ns of credit */
	uint64_t tick_at;	    /* the last tick's now_ns */
	uint32_t work_left;	    /* timers that tick may still fire */
	struct rte_rcu_qsbr *rcu;
	struct rte_mempool *mp;
	struct dp_neigh_stats stats;
};

/* The table, for the protocols. */
struct neigh_entry *neigh_find(const struct dp_neigh *nt, uint32_t link, const struct wgdp_addr *a);
/* A neighbour on ifc asked for one of our addresses, from mac (RFC 4861 7.2.3). */
void neigh_asked(struct dp_neigh *nt, const struct dp_iface *ifc, const struct wgdp_addr *a,
		 const struct rte_ether_addr *mac, uint64_t now, struct dp_tx_list *tx);
/*
 * An answer about e (RFC 4861 7.2.5): mac is NULL when the answer carries none. False when
 * it teaches nothing we can use (no MAC for an entry that has none).
 */
bool neigh_answered(struct dp_neigh *nt, struct neigh_entry *e, const struct rte_ether_addr *mac,
		    unsigned int flags, uint64_t now, struct dp_tx_list *tx);
void neigh_tx_add(struct dp_neigh *nt, struct dp_tx_list *tx, uint32_t link, struct rte_mbuf *m);

/*
 * The protocols, for the table: an ARP request or NS for nh from our address on ifc,
 * broadcast / to the solicited-node group, or to unicast when given. NULL (counted) when
 * there is no source address or no mbuf.
 */
struct rte_mbuf *neigh_solicitation(struct dp_neigh *nt, const struct dp_iface *ifc,
				    const struct wgdp_addr *nh,
				    const struct rte_ether_addr *unicast);

#endif
