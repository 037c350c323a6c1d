/* SPDX-License-Identifier: MIT */
/*
 * The duties of a router (RFC 1812, RFC 4443) on the inner packets wgdp forwards between the
 * inside and its peers, for the worker and for the control lcore alike: frames not for our
 * link address, ICMP errors (with their rules and rate limit), fragmentation.
 *
 * The order on the forwarding path, in both directions (worker.c): the destination is looked up
 * (no peer or no route: unreachable), the TTL / hop limit taken down (expired: time
 * exceeded), the size checked against the way out (too big: "fragmentation needed" / "packet
 * too big", or fragments for IPv4 without DF), the MSS of a SYN clamped, then the packet goes.
 *
 * An ICMP error is built in the offending packet's own mbuf (icmp.c): sending one allocates
 * nothing, and a flood of bad packets costs no more mbufs than the packets themselves.
 */
#ifndef WGDP_DP_ROUTER_H
#define WGDP_DP_ROUTER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "icmp.h"

struct dp_ctx;
struct dp_port;
struct dp_tenant;

#define DP_MAX_FRAGMENTS 64 /* of one packet: 65535 bytes in 1280-byte pieces fit */

/* What the router part of one lcore did; summed over lcores in stats. */
struct dp_router_stats {
	uint64_t icmp_sent[DP_ICMP_KIND_COUNT]; /* built and handed on towards the offender */
	uint64_t icmp_ratelimited;
	uint64_t icmp_suppressed; /* the packet may not be answered (an error, a fragment, ...) */
	uint64_t mss_clamped;
	uint64_t fragmented; /* packets cut into fragments */
	uint64_t fragments;  /* fragments made of them */
};

/* One lcore's router state: its counters and its ICMP rate limiter (no sharing). */
struct dp_router {
	struct dp_router_stats stats;
	struct dp_icmp_limiter limit;
};

void dp_router_init(struct dp_ctx *dp, struct dp_router *r, uint32_t seed);

/*
 * Whether the frame m (at its Ethernet header) is addressed to port: its MAC, broadcast, or a
 * multicast group the port has joined (IPv6 all-nodes, the solicited-node group of each of
 * its IPv6 addresses). A frame too short to say is let through for the parser to count.
 */
bool dp_frame_for_us(const struct dp_port *port, const struct rte_mbuf *m);

/*
 * Our address of family on tenant t's inside (t NULL or without an inside attachment: the
 * inside ports), the source of errors we send: the one whose prefix holds near (the
 * offender's destination), else the first of the family; NULL when the inside has none.
 */
/* Our address of family in pc to speak to near from: the one whose prefix holds near, else
 * the first of the family; NULL when pc has none. */
const struct wgdp_addr *dp_addrs_source(const struct wgdp_port_config *pc, uint8_t family,
					const uint8_t *near);

const uint8_t *dp_inside_source(const struct dp_ctx *dp, const struct dp_tenant *t, uint8_t family,
				const uint8_t *near);

/*
 * Turns m (at the offending inner packet's IP header) into the ICMP error kind about it, from
 * src, if the rules allow one and the rate limit has a token: true, m is the error to send to
 * the offender's source. False: m was freed and the refusal counted.
 */
bool dp_router_icmp(struct dp_router *r, struct rte_mbuf *m, uint8_t family, enum dp_icmp_kind kind,
		    uint16_t mtu, const uint8_t *src, uint64_t now);

/* IPv4 without DF: a packet the router may cut into fragments. */
static inline bool dp_inner_may_fragment(const uint8_t *ip, uint8_t family)
{
	return family == 4 && !(ip[6] & 0x40);
}

/*
 * Cuts the IPv4 packet m (at its IP header, larger than mtu) into fragments of at most mtu
 * bytes, in new mbufs from pool, and frees m. Returns how many are in out (at most max); 0 when
 * the packet cannot be cut (a header DPDK refuses, more pieces than max, or a fragment whose
 * end lies past 65535, which no datagram has); -1 when no mbuf was free. The caller counts
 * those drops.
 */
int dp_router_fragment(struct dp_router *r, struct rte_mempool *pool, struct rte_mbuf *m,
		       uint16_t mtu, struct rte_mbuf **out, unsigned int max);

#endif
