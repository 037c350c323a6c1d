/* SPDX-License-Identifier: MIT */
/*
 * The link layer and our own addresses: ARP and IPv6 neighbour discovery (answering for our
 * addresses, resolving next hops), and ICMP/ICMPv6 echo to our addresses. Nothing else that is
 * addressed to us gets an answer. neigh.c speaks the protocols; neigh_table.c keeps the table.
 *
 * Threads: the control lcore makes every change (it alone calls dp_local_input,
 * dp_neigh_resolve, dp_neigh_tick and dp_neigh_set); workers call dp_neigh_lookup
 * concurrently, without locks: the table is an rte_hash with lock-free readers, and an entry's
 * MAC is one 64-bit word read and written atomically. Workers write one thing: the coarse time
 * an entry was last used (a relaxed store, at most once a second an entry, so the line is not
 * bounced per packet). A deleted entry's memory and hash slot are reused only once every
 * worker has reported a quiescent state since the deletion (the QSBR variable given to
 * dp_neigh_set_rcu); without one (tests, a single thread) at once.
 *
 * States (RFC 4861 7.3.2, kept as Linux's net/core/neighbour.c keeps them):
 *   INCOMPLETE  a next hop we need: frames wait, and a broadcast ARP request / multicast NS
 *               goes out once a second, DP_NEIGH_RETRIES times; then FAILED, frames dropped.
 *   REACHABLE   an answer to a solicitation confirmed the MAC; DP_NEIGH_REACHABLE_NS later,
 *               STALE.
 *   STALE       the MAC is still used. Checked every DP_NEIGH_STALE_CHECK_NS: used since it
 *               went stale -> PROBE; unused for DP_NEIGH_GC_NS -> deleted (expired).
 *   PROBE       a unicast ARP request / NS to the MAC we know, once a second, DP_NEIGH_PROBES
 *               times, while workers keep using the MAC. Answered -> REACHABLE; not -> FAILED.
 *   FAILED      no MAC (workers miss, so the next frame resolves afresh by broadcast /
 *               multicast); deleted DP_NEIGH_FAILED_NS later.
 *   PERMANENT   set by hand (dp_neigh_set): never ages, never evicted.
 * RFC 4861's DELAY is the wait between the first use of a stale entry and its next check (at
 * most DP_NEIGH_STALE_CHECK_NS): a router has no upper-layer confirmation to wait for.
 * REACHABLE_TIME is not randomised: every state's timer is a constant, so each state's entries
 * sit in a FIFO ordered by deadline and dp_neigh_tick only looks at the ones due.
 *
 * Creation: an entry is made for a next hop we must send to (dp_neigh_resolve), or, STALE and
 * never more (RFC 4861 7.2.3), for an on-link neighbour that asked for one of our addresses
 * (an ARP request, an NS with a source link-layer address option).
 *
 * Bounds, each refusal counted:
 *   - max_entries entries live (limits.neighbours). When full, a next hop we need pushes out a
 *     FAILED entry, else the INCOMPLETE one that waited longest (its frames dropped,
 *     "evicted"), else the least recently used of the DP_NEIGH_EVICT_SCAN oldest STALE
 *     entries; REACHABLE, PROBE and PERMANENT ones never (then "table_full"). A neighbour
 *     that asked for us pushes out only FAILED entries or STALE ones unused since they went
 *     stale; else it is answered but not kept (not_learned).
 *   - DP_NEIGH_QUEUE frames a neighbour (the oldest pushed out, "resolve_queue_full"), and
 *     the pool's size / DP_NEIGH_POOL_SHARE (at least DP_NEIGH_QUEUE) in all ("queue_limit":
 *     the new frame is dropped), so unresolved next hops cannot starve the RX refill.
 *   - DP_NEIGH_SOLICIT_RATE broadcast / multicast solicitations a second in all (a token
 *     bucket, "solicit_budget"): a refused one does not count as a try and is retried a
 *     second later. Unicast probes are not in the budget: they go only to neighbours in use.
 *   - dp_neigh_tick handles at most DP_NEIGH_TICK_WORK due timers a tick, the rest wait:
 *     at the largest table (2^20 stale entries checked every 5 s) the checks lag, they do
 *     not pile onto the control lcore.
 */
#ifndef WGDP_DP_NEIGH_H
#define WGDP_DP_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "config.h"

#define DP_NEIGH_QUEUE		16 /* frames waiting for one neighbour's answer */
#define DP_NEIGH_POOL_SHARE	8  /* frames waiting for all neighbours: 1/8 of the mbuf pool */
#define DP_NEIGH_RETRIES	3  /* MAX_MULTICAST_SOLICIT (RFC 4861 10): tries, then FAILED */
#define DP_NEIGH_PROBES		3  /* MAX_UNICAST_SOLICIT: probes of a stale MAC, then FAILED */
#define DP_NEIGH_RETRY_NS	1000000000ull	/* RETRANS_TIMER */
#define DP_NEIGH_REACHABLE_NS	30000000000ull	/* REACHABLE_TIME */
#define DP_NEIGH_STALE_CHECK_NS 5000000000ull	/* DELAY_FIRST_PROBE_TIME, see above */
#define DP_NEIGH_GC_NS		300000000000ull /* stale and unused this long: deleted */
#define DP_NEIGH_FAILED_NS	10000000000ull	/* failed and asked for by nobody: deleted */
#define DP_NEIGH_USED_GRAIN_NS	1000000000ull	/* workers stamp "used" at most this often */
#define DP_NEIGH_SOLICIT_RATE	100		/* broadcast / multicast solicitations a second */
#define DP_NEIGH_TICK_WORK	16384		/* due timers one dp_neigh_tick handles */
#define DP_NEIGH_EVICT_SCAN	8 /* stale entries looked at for the least recently used */
#define DP_TX_LIST_MAX		64

/* One link's identity, what we answer for there: a port, or a tenant's VLAN on a port. */
struct dp_iface {
	uint16_t port_id;
	uint16_t vlan; /* 802.1Q VLAN id, 0 = untagged */
	struct rte_ether_addr mac;
	const struct wgdp_port_config *cfg; /* our addresses there (cfg->addrs) */
};

/*
 * A link: an ethdev port and a VLAN on it (0 = untagged). Each is a neighbour space of its
 * own: tenants on two VLANs of one port may both have a 10.0.0.2. A plain port id is the
 * untagged link of that port.
 */
static inline uint32_t dp_link(uint16_t port_id, uint16_t vlan)
{
	return port_id | (uint32_t)vlan << 16;
}

static inline uint32_t dp_iface_link(const struct dp_iface *ifc)
{
	return dp_link(ifc->port_id, ifc->vlan);
}

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
	DP_NEIGH_DROP_MALFORMED, /* a field we cannot accept (ARP hardware type, ...) */
	DP_NEIGH_DROP_BAD_CHECKSUM,
	DP_NEIGH_DROP_NOT_OURS,	     /* addressed to an address that is not ours */
	DP_NEIGH_DROP_BAD_HOP_LIMIT, /* ND without hop limit 255: not from the link */
	DP_NEIGH_DROP_UNHANDLED,     /* for us, but nothing we answer (UDP, other ICMP, ...) */
	DP_NEIGH_DROP_UNSOLICITED,   /* an ARP reply or NA for nobody we asked about */
	DP_NEIGH_DROP_QUEUE_FULL,    /* a frame waiting for resolution pushed out */
	DP_NEIGH_DROP_UNRESOLVED,    /* waited DP_NEIGH_RETRIES solicitations for nothing */
	DP_NEIGH_DROP_TABLE_FULL,
	DP_NEIGH_DROP_NO_SOURCE,   /* no address of ours on that port to solicit from */
	DP_NEIGH_DROP_NO_MBUF,	   /* no mbuf for a solicitation, or no room in one for an answer */
	DP_NEIGH_DROP_EVICTED,	   /* waiting on an entry pushed out to make room */
	DP_NEIGH_DROP_QUEUE_LIMIT, /* all neighbours together hold their share of the pool */
	DP_NEIGH_DROP_SOLICIT_BUDGET, /* a solicitation not sent (DP_NEIGH_SOLICIT_RATE) */
	DP_NEIGH_DROP_LINK_GONE,      /* waiting on a link a reload took away */
	DP_NEIGH_DROP_COUNT
};

enum dp_neigh_state {
	DP_NEIGH_INCOMPLETE,
	DP_NEIGH_REACHABLE,
	DP_NEIGH_STALE,
	DP_NEIGH_PROBE,
	DP_NEIGH_FAILED,
	DP_NEIGH_PERMANENT,
	DP_NEIGH_STATE_COUNT
};

/* Counters, then gauges (what the table holds now). */
struct dp_neigh_stats {
	uint64_t arp_replies;
	uint64_t neighbor_advertisements;
	uint64_t echo_replies;
	uint64_t solicitations; /* broadcast ARP requests / multicast NS */
	uint64_t probes;	/* unicast ones, to the MAC of a stale entry in use */
	uint64_t learned;	/* a MAC learned or changed */
	uint64_t released;	/* frames sent once their next hop resolved */
	uint64_t created;
	uint64_t deleted;     /* all deletions: evicted + expired */
	uint64_t evicted;     /* pushed out to make room */
	uint64_t expired;     /* aged out: stale and unused, or failed */
	uint64_t not_learned; /* a neighbour that asked for us, not kept for want of room */
	uint64_t drops[DP_NEIGH_DROP_COUNT];
	uint64_t entries; /* live now, at most max_entries */
	uint64_t max_entries;
	uint64_t in_state[DP_NEIGH_STATE_COUNT];
	uint64_t queued; /* frames waiting now, at most queue_limit */
	uint64_t queue_limit;
};

struct dp_neigh;
struct rte_rcu_qsbr;

const char *dp_neigh_drop_name(enum dp_neigh_drop reason);
const char *dp_neigh_state_name(enum dp_neigh_state state);

/*
 * A table for max_entries neighbours; solicitations are built from mp, and frames waiting for
 * resolution may hold mp's size / DP_NEIGH_POOL_SHARE of it. NULL on failure.
 */
struct dp_neigh *dp_neigh_create(const char *name, uint32_t max_entries, struct rte_mempool *mp,
				 int socket);
/* Frees the table and every frame still waiting in it. Workers stopped. NULL is fine. */
void dp_neigh_free(struct dp_neigh *nt);

/*
 * The QSBR variable the workers report quiescence to (struct dp_ctx's rcu): deleted entries
 * are reused only after a grace period. Call before the workers start; NULL frees at once.
 */
void dp_neigh_set_rcu(struct dp_neigh *nt, struct rte_rcu_qsbr *rcu);

const struct dp_neigh_stats *dp_neigh_stats(const struct dp_neigh *nt);

/*
 * Workers: the MAC of next hop nh on port, if known (REACHABLE, STALE, PROBE, PERMANENT).
 * Lock-free; notes the use (coarsely: the time of the last dp_neigh_tick).
 */
bool dp_neigh_lookup(const struct dp_neigh *nt, uint32_t link, const struct wgdp_addr *nh,
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
 * Control lcore, about once a second: runs the timers that are due (at most
 * DP_NEIGH_TICK_WORK a now_ns): solicits again, probes, ages and deletes entries, and reuses
 * the memory of deleted ones past their grace period. What it sends is appended to tx. True
 * when tx filled up with more still due: send tx and call again with the same now_ns (what
 * is left otherwise waits for the next tick).
 */
bool dp_neigh_tick(struct dp_neigh *nt, uint64_t now_ns, struct dp_tx_list *tx);

/* Sets a neighbour by hand, PERMANENT (static entries, benchmarks). False if the table is full. */
bool dp_neigh_set(struct dp_neigh *nt, const struct dp_iface *ifc, const struct wgdp_addr *nh,
		  const struct rte_ether_addr *mac);

/*
 * Control lcore: deletes every entry of the links links[0..n) (sorted ascending; links of
 * tenants a reload removed: entries point at their dp_iface), their waiting frames dropped
 * (link_gone). Returns how many went. Walks the whole table once, whatever n: for reloads,
 * not for packets.
 */
uint32_t dp_neigh_forget_links(struct dp_neigh *nt, const uint32_t *links, unsigned int n);

/* Control lcore (and tests): the state of nh's entry on port, or -1 when it has none. */
int dp_neigh_state(const struct dp_neigh *nt, uint32_t link, const struct wgdp_addr *nh);

#endif
