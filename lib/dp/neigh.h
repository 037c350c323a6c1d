/* SPDX-License-Identifier: MIT */
/*
 * The link layer and our own addresses: ARP and IPv6 neighbour discovery (answering for our
 * addresses, resolving next hops), and ICMP/ICMPv6 echo to our addresses. Nothing else that is
 * addressed to us gets an answer.
 *
 * Threads: the control lcore makes every change (it alone calls dp_local_input,
 * dp_neigh_resolve and dp_neigh_tick); workers call dp_neigh_lookup concurrently, without
 * locks: the table is an rte_hash with lock-free readers, and an entry's MAC and state are
 * one 64-bit word read and written atomically. Entries are never freed while running: the
 * table is bounded (max_entries), and a neighbour that stops answering is marked failed, not
 * removed, so a reader can never hold a freed entry.
 */
#ifndef WGDP_DP_NEIGH_H
#define WGDP_DP_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "config.h"

#define DP_NEIGH_QUEUE	     16 /* frames waiting for one neighbour's answer */
#define DP_NEIGH_RETRIES     3	/* solicitations before giving up */
#define DP_NEIGH_RETRY_NS    1000000000ull
#define DP_TX_LIST_MAX	     64

/* One port's identity: what we answer for. */
struct dp_iface {
	uint16_t port_id;
	struct rte_ether_addr mac;
	const struct wgdp_port_config *cfg;
};

/* Frames ready to send; m->port names the port each is for. */
struct dp_tx_list {
	struct rte_mbuf *pkts[DP_TX_LIST_MAX];
	unsigned int n;
};

enum dp_local_verdict {
	DP_LOCAL_REPLY = 0, /* m was rewritten into the answer: send it out of the same port */
	DP_LOCAL_CONSUMED,  /* m was used (learned from) and freed */
	DP_LOCAL_DROP,	    /* m was freed and counted by reason */
};

enum dp_neigh_drop {
	DP_NEIGH_DROP_TRUNCATED,
	DP_NEIGH_DROP_MALFORMED,     /* a field we cannot accept (ARP hardware type, ...) */
	DP_NEIGH_DROP_BAD_CHECKSUM,
	DP_NEIGH_DROP_NOT_OURS,	     /* addressed to an address that is not ours */
	DP_NEIGH_DROP_BAD_HOP_LIMIT, /* ND without hop limit 255: not from the link */
	DP_NEIGH_DROP_UNHANDLED,     /* for us, but nothing we answer (UDP, other ICMP, ...) */
	DP_NEIGH_DROP_UNSOLICITED,   /* an ARP reply or NA for nobody we asked about */
	DP_NEIGH_DROP_QUEUE_FULL,    /* a frame waiting for resolution pushed out */
	DP_NEIGH_DROP_UNRESOLVED,    /* waited DP_NEIGH_RETRIES solicitations for nothing */
	DP_NEIGH_DROP_TABLE_FULL,
	DP_NEIGH_DROP_NO_SOURCE,     /* no address of ours on that port to solicit from */
	DP_NEIGH_DROP_NO_MBUF,	     /* no mbuf for a solicitation, or no room in one for an answer */
	DP_NEIGH_DROP_COUNT
};

struct dp_neigh_stats {
	uint64_t arp_replies;
	uint64_t neighbor_advertisements;
	uint64_t echo_replies;
	uint64_t solicitations;
	uint64_t learned;
	uint64_t released; /* frames sent once their next hop resolved */
	uint64_t drops[DP_NEIGH_DROP_COUNT];
};

struct dp_neigh;

const char *dp_neigh_drop_name(enum dp_neigh_drop reason);

/* A table for max_entries neighbours; solicitations are built from mp. NULL on failure. */
struct dp_neigh *dp_neigh_create(const char *name, uint32_t max_entries, struct rte_mempool *mp,
				 int socket);
/* Frees the table and every frame still waiting in it. NULL is fine. */
void dp_neigh_free(struct dp_neigh *nt);

const struct dp_neigh_stats *dp_neigh_stats(const struct dp_neigh *nt);

/* Workers: the MAC of next hop nh on port, if resolved. Lock-free. */
bool dp_neigh_lookup(const struct dp_neigh *nt, uint16_t port, const struct wgdp_addr *nh,
		     struct rte_ether_addr *mac);

/*
 * Control lcore: a frame received on ifc that may be for us (ARP, ICMP, ICMPv6). Answers are
 * written into m (REPLY); frames released by what m taught us are appended to tx.
 */
enum dp_local_verdict dp_local_input(struct dp_neigh *nt, const struct dp_iface *ifc,
				     struct rte_mbuf *m, uint64_t now_ns, struct dp_tx_list *tx);

/*
 * Control lcore: m is a whole Ethernet frame (source MAC and type set) for next hop nh on
 * ifc. Resolved: the destination is filled and m appended to tx. Otherwise m waits (at most
 * DP_NEIGH_QUEUE a neighbour, the oldest pushed out) and, at most once a second, an ARP
 * request or neighbour solicitation is appended to tx. Frames that cannot wait are freed and
 * counted. Returns true when m was sent or queued.
 */
bool dp_neigh_resolve(struct dp_neigh *nt, const struct dp_iface *ifc, const struct wgdp_addr *nh,
		      struct rte_mbuf *m, uint64_t now_ns, struct dp_tx_list *tx);

/*
 * Control lcore, about once a second: solicits again for neighbours still unanswered, and
 * after DP_NEIGH_RETRIES drops what waits for them. Solicitations are appended to tx.
 */
void dp_neigh_tick(struct dp_neigh *nt, uint64_t now_ns, struct dp_tx_list *tx);

/* Sets a neighbour by hand (static entries, benchmarks). False if the table is full. */
bool dp_neigh_set(struct dp_neigh *nt, const struct dp_iface *ifc, const struct wgdp_addr *nh,
		  const struct rte_ether_addr *mac);

#endif
