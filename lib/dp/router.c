/* SPDX-License-Identifier: MIT */
/* The router's duties shared by workers and the control lcore (router.h). */
#include <errno.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip_frag.h>

#include "dp.h"
#include "pkt.h"
#include "router.h"

void dp_router_init(struct dp_ctx *dp, struct dp_router *r, uint32_t seed)
{
	memset(&r->stats, 0, sizeof(r->stats));
	dp_icmp_limiter_init(&r->limit, &dp->icmp_global, seed);
}

/* 33:33:ff:xx:xx:xx, the solicited-node group of one of our IPv6 addresses (RFC 4291 2.7.1). */
static bool joined_group(const struct dp_port *port, const struct rte_ether_addr *dst)
{
	const struct wgdp_port_config *pc = port->iface.cfg;
	const uint8_t *d = dst->addr_bytes;

	if (d[0] != 0x33 || d[1] != 0x33)
		return false;
	if (d[2] == 0 && d[3] == 0 && d[4] == 0 && d[5] == 1)
		return true; /* all-nodes */
	if (d[2] != 0xff)
		return false;
	/* Tenants' own addresses on this port's links: the control lcore checks the target. */
	if (port->tenant_links)
		return true;
	for (unsigned int i = 0; i < pc->n_addrs; i++) {
		const uint8_t *a = pc->addrs[i].addr.bytes;

		if (pc->addrs[i].addr.family == 6 && memcmp(a + 13, d + 3, 3) == 0)
			return true;
	}
	return false;
}

bool dp_frame_for_us(const struct dp_port *port, const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eth)))
		return true;
	if (likely(rte_is_same_ether_addr(&eth->dst_addr, &port->iface.mac)))
		return true;
	return rte_is_broadcast_ether_addr(&eth->dst_addr) || joined_group(port, &eth->dst_addr);
}

/* In pc's addresses of family: the one whose prefix holds near, else the first (in *first). */
static const struct wgdp_addr *source_in(const struct wgdp_port_config *pc, uint8_t family,
					 const uint8_t *near, const struct wgdp_addr **first)
{
	for (unsigned int j = 0; j < pc->n_addrs; j++) {
		if (pc->addrs[j].addr.family != family)
			continue;
		if (near && dp_prefix_holds(&pc->addrs[j], family, near))
			return &pc->addrs[j].addr;
		if (!*first)
			*first = &pc->addrs[j].addr;
	}
	return NULL;
}

const struct wgdp_addr *dp_addrs_source(const struct wgdp_port_config *pc, uint8_t family,
					const uint8_t *near)
{
	const struct wgdp_addr *first = NULL, *found = source_in(pc, family, near, &first);

	return found ? found : first;
}

const uint8_t *dp_inside_source(const struct dp_ctx *dp, const struct dp_tenant *t, uint8_t family,
				const uint8_t *near)
{
	const struct wgdp_addr *first = NULL, *found;

	/* A tenant with a link of its own speaks from its addresses there only. */
	if (t && t->has_inside) {
		found = dp_addrs_source(&t->inside_addrs, family, near);
		return found ? found->bytes : NULL;
	}
	for (unsigned int i = 0; i < dp->n_ports; i++) {
		if (!dp->ports[i].inside)
			continue;
		found = source_in(dp->ports[i].iface.cfg, family, near, &first);
		if (found)
			return found->bytes;
	}
	return first ? first->bytes : NULL;
}

bool dp_router_icmp(struct dp_router *r, struct rte_mbuf *m, uint8_t family, enum dp_icmp_kind kind,
		    uint16_t mtu, const uint8_t *src, uint64_t now)
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);

	if (!src || !dp_icmp_may_answer(ip, rte_pktmbuf_data_len(m), family)) {
		r->stats.icmp_suppressed++;
	} else if (!dp_icmp_limit_allow(&r->limit, family, dp_inner_src(ip, family), now)) {
		r->stats.icmp_ratelimited++;
	} else if (!dp_icmp_build(m, family, kind, mtu, src)) {
		r->stats.icmp_suppressed++;
	} else {
		r->stats.icmp_sent[kind]++;
		return true;
	}
	rte_pktmbuf_free(m);
	return false;
}

/*
 * A fragment's pieces sit at its offset plus theirs: past 65535 they would need more than the
 * 13 bits of the offset (DPDK adds them into the flags word: bogus MF / DF bits).
 */
static bool ends_past_max(const uint8_t *ip, uint16_t ihl)
{
	uint32_t offset = (uint32_t)((ip[6] & 0x1f) << 8 | ip[7]) * 8;
	uint32_t total = (uint32_t)(ip[2] << 8 | ip[3]);

	return offset + total - ihl > 0xffff;
}

int dp_router_fragment(struct dp_router *r, struct rte_mempool *pool, struct rte_mbuf *m,
		       uint16_t mtu, struct rte_mbuf **out, unsigned int max)
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t ihl = (uint16_t)((ip[0] & 0xf) * 4);
	/* Every fragment but the last carries a multiple of 8 bytes (RFC 791). */
	uint16_t piece = (uint16_t)(ihl + ((mtu - ihl) & ~7u));
	int32_t n = 0;

	if (ihl >= sizeof(struct rte_ipv4_hdr) && !ends_past_max(ip, ihl))
		n = rte_ipv4_fragment_copy_nonseg_packet(m, out, (uint16_t)max, piece, pool);
	rte_pktmbuf_free(m);
	if (n <= 0)
		return n == -ENOMEM ? -1 : 0;
	/* The library leaves the header checksum to an offload we do not ask for. */
	for (int32_t i = 0; i < n; i++) {
		struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(out[i], struct rte_ipv4_hdr *);

		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
	}
	r->stats.fragmented++;
	r->stats.fragments += (uint64_t)n;
	return n;
}
