/* SPDX-License-Identifier: MIT */
/*
 * Where finished frames go. A worker collects them per port and sends them on its own TX
 * queue; the control lcore collects them too, then hands them to the worker that owns TX
 * queue 0 through that port's ctl_tx ring, so no TX queue is ever shared.
 */
#ifndef WGDP_DP_XMIT_H
#define WGDP_DP_XMIT_H

#include "dp.h"
#include "route.h"

struct dp_keypair;

#define DP_TXBUF 64

struct dp_txbuf {
	struct rte_mbuf *pkts[DP_TXBUF];
	uint16_t n;
};

struct dp_sink {
	struct dp_ctx *dp;
	struct dp_worker *worker; /* NULL for the control lcore */
	uint64_t *drops;	  /* counters of whoever sends */
	struct dp_txbuf tx[WGDP_MAX_PORTS];
};

/* Sends what sink holds for every port. */
void dp_sink_flush(struct dp_sink *s);

/* Queues a complete frame (Ethernet destination set) for port index port. */
void dp_sink_add(struct dp_sink *s, uint16_t port, struct rte_mbuf *m);

/* Queues the frames of a neighbour-table list (each for port id m->port). */
void dp_sink_list(struct dp_sink *s, struct dp_tx_list *l);

/*
 * Sends a frame whose Ethernet destination is r's next hop on r's port and VLAN: filled from
 * the neighbour table, or the frame waits on the control lcore while the next hop is resolved.
 */
void dp_sink_l2(struct dp_sink *s, const struct dp_route *r, struct rte_mbuf *m);

/*
 * Sends an inner packet (m at its IP header) of tenant t out of the inside link that reaches
 * its destination: r says which (NULL: looked up here, dp_route_inside). No route or no
 * headroom: dropped, counted.
 */
void dp_send_inside(struct dp_sink *s, const struct dp_tenant *t, struct rte_mbuf *m,
		    uint8_t family, const struct dp_route *r);

/* Sends n frames out of port p on TX queue: tags written where the NIC does not, what the
 * queue does not take freed. Counts into drops; returns how many left. */
uint16_t dp_port_tx(struct dp_port *p, uint16_t queue, struct rte_mbuf **pkts, uint16_t n,
		    uint64_t *drops);

/*
 * Encrypts n inner IP packets (m[i] starts at the IP header) for peers[i] under kps[i] with
 * counters[i], encapsulates them to the peer's endpoint and sends them through s.
 */
void dp_encrypt_send(struct dp_sink *s, struct wgc_batch *crypto, struct rte_mbuf **m,
		     struct dp_peer **peers, struct dp_keypair **kps, const uint64_t *counters,
		     unsigned int n, uint64_t now);

/* A UDP datagram from our port (index), address src_ip and UDP port src_port (an interface's
 * listen port) to dst, Ethernet destination left zero; NULL when no mbuf is free. */
struct rte_mbuf *dp_udp_frame(struct dp_ctx *dp, uint16_t port, const uint8_t *src_ip,
			      uint16_t src_port, const struct wgdp_endpoint *dst,
			      const void *payload, uint16_t len);

/* Answers a frame straight back to the MAC it came from, from the address it was sent to:
 * handshake replies need no next-hop resolution. False when no mbuf was free. */
bool dp_reply_udp(struct dp_sink *s, uint16_t port, const struct rte_ether_addr *to_mac,
		  const uint8_t *our_ip, uint16_t our_port, const struct wgdp_endpoint *to,
		  const void *msg, uint16_t len);

#endif
