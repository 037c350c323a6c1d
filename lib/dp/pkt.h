/* SPDX-License-Identifier: MIT */
/*
 * Outer and inner header parsing and UDP/IP encapsulation. Every length is checked against
 * the mbuf's data before a byte is read; mbufs are single-segment (the ports are configured
 * without scatter), and a chained one is refused.
 */
#ifndef WGDP_DP_PKT_H
#define WGDP_DP_PKT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "config.h"

/* Where the headers of a received frame are. */
struct dp_pkt {
	uint16_t ethertype; /* host order */
	uint8_t family;	    /* 4, 6, or 0 for non-IP */
	uint8_t proto;	    /* IP protocol / IPv6 next header */
	bool fragment;	    /* an IPv4 fragment: l4_off holds no header but the first's */
	uint16_t l3_off;
	uint16_t l4_off;
	uint16_t l4_len; /* bytes after the IP header, as the IP header says */
	const uint8_t *src, *dst;
};

/*
 * Parses Ethernet and IPv4/IPv6 of m, IPv4 fragments included (inside traffic is forwarded
 * whole or in fragments alike). False when truncated or inconsistent.
 */
static inline bool dp_pkt_parse_any(struct rte_mbuf *m, struct dp_pkt *p)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)d;

	p->family = 0;
	p->fragment = false;
	if (m->nb_segs != 1 || len < sizeof(*eth))
		return false;
	p->ethertype = rte_be_to_cpu_16(eth->ether_type);
	p->l3_off = sizeof(*eth);
	if (p->ethertype == RTE_ETHER_TYPE_IPV4) {
		const struct rte_ipv4_hdr *ip = (const void *)(d + p->l3_off);
		uint32_t ihl, total;

		if (len < p->l3_off + sizeof(*ip))
			return false;
		ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
		total = rte_be_to_cpu_16(ip->total_length);
		if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) || total < ihl ||
		    p->l3_off + total > len)
			return false;
		p->fragment = rte_be_to_cpu_16(ip->fragment_offset) &
			      (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK);
		p->family = 4;
		p->proto = ip->next_proto_id;
		p->l4_off = (uint16_t)(p->l3_off + ihl);
		p->l4_len = (uint16_t)(total - ihl);
		p->src = (const uint8_t *)&ip->src_addr;
		p->dst = (const uint8_t *)&ip->dst_addr;
		return true;
	}
	if (p->ethertype == RTE_ETHER_TYPE_IPV6) {
		const struct rte_ipv6_hdr *ip6 = (const void *)(d + p->l3_off);
		uint32_t payload;

		if (len < p->l3_off + sizeof(*ip6))
			return false;
		payload = rte_be_to_cpu_16(ip6->payload_len);
		if ((rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6 ||
		    p->l3_off + sizeof(*ip6) + payload > len)
			return false;
		p->family = 6;
		p->proto = ip6->proto;
		p->l4_off = (uint16_t)(p->l3_off + sizeof(*ip6));
		p->l4_len = (uint16_t)payload;
		p->src = ip6->src_addr;
		p->dst = ip6->dst_addr;
		return true;
	}
	return true; /* not IP: family 0, the caller decides (ARP) */
}

/* dp_pkt_parse_any, and false for an IPv4 fragment too: what is addressed to us is not
 * reassembled (WireGuard's outer packets fit the MTU). */
static inline bool dp_pkt_parse(struct rte_mbuf *m, struct dp_pkt *p)
{
	return dp_pkt_parse_any(m, p) && !p->fragment;
}

/*
 * The UDP datagram of an IP packet that dp_pkt_parse accepted: its destination port (host
 * order) and where its payload is. False when the UDP header does not fit the IP payload or
 * its length disagrees with it.
 */
static inline bool dp_pkt_udp(const struct rte_mbuf *m, const struct dp_pkt *p, uint16_t *dport,
			      uint16_t *payload_off, uint16_t *payload_len)
{
	const struct rte_udp_hdr *udp;
	uint16_t dgram_len;

	if (p->family == 0 || p->proto != IPPROTO_UDP || p->l4_len < sizeof(*udp))
		return false;
	udp = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, p->l4_off);
	dgram_len = rte_be_to_cpu_16(udp->dgram_len);
	if (dgram_len > p->l4_len || dgram_len < sizeof(*udp))
		return false;
	*dport = rte_be_to_cpu_16(udp->dst_port);
	*payload_off = (uint16_t)(p->l4_off + sizeof(*udp));
	*payload_len = (uint16_t)(dgram_len - sizeof(*udp));
	return true;
}

static inline bool dp_addr_eq(const struct wgdp_addr *a, uint8_t family, const uint8_t *bytes)
{
	return a->family == family && memcmp(a->bytes, bytes, family == 4 ? 4 : 16) == 0;
}

/* Whether bytes (of family) lies in the prefix pa (its length over its address). */
static inline bool dp_prefix_holds(const struct wgdp_port_addr *pa, uint8_t family,
				   const uint8_t *bytes)
{
	unsigned int full = pa->len / 8, rest = pa->len % 8;

	if (pa->addr.family != family || memcmp(pa->addr.bytes, bytes, full) != 0)
		return false;
	return !rest || ((pa->addr.bytes[full] ^ bytes[full]) & (0xff << (8 - rest))) == 0;
}

static inline void dp_addr_set(struct wgdp_addr *a, uint8_t family, const uint8_t *bytes)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->bytes, bytes, family == 4 ? 4 : 16);
}

/* The inner packet's length and addresses, from its IP header; false if not IP. */
static inline bool dp_inner_parse(const uint8_t *d, uint32_t len, uint32_t *ip_len,
				  uint8_t *family)
{
	if (len < 1)
		return false;
	if ((d[0] >> 4) == 4 && len >= sizeof(struct rte_ipv4_hdr)) {
		const struct rte_ipv4_hdr *ip = (const void *)d;

		*ip_len = rte_be_to_cpu_16(ip->total_length);
		*family = 4;
		return (d[0] & 0xf) >= 5 && *ip_len >= (d[0] & 0xfu) * 4 && *ip_len <= len;
	}
	if ((d[0] >> 4) == 6 && len >= sizeof(struct rte_ipv6_hdr)) {
		const struct rte_ipv6_hdr *ip6 = (const void *)d;

		*ip_len = sizeof(*ip6) + rte_be_to_cpu_16(ip6->payload_len);
		*family = 6;
		return *ip_len <= len;
	}
	return false;
}

static inline const uint8_t *dp_inner_src(const uint8_t *d, uint8_t family)
{
	return family == 4 ? d + 12 : d + 8;
}

static inline const uint8_t *dp_inner_dst(const uint8_t *d, uint8_t family)
{
	return family == 4 ? d + 16 : d + 24;
}

/* Bytes of outer headers in front of a WireGuard message. */
static inline uint16_t dp_outer_len(uint8_t family)
{
	return (uint16_t)(sizeof(struct rte_ether_hdr) +
			  (family == 4 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr)) +
			  sizeof(struct rte_udp_hdr));
}

/*
 * Writes Ethernet/IP/UDP headers in front of a UDP payload of payload_len bytes that starts
 * dp_outer_len(family) bytes into the frame at d. The Ethernet destination is left for the
 * caller (neighbour resolution). IPv4's UDP checksum is left zero, as RFC 768 allows; IPv6
 * requires one.
 */
static inline void dp_encap_udp(uint8_t *d, uint8_t family, const struct rte_ether_addr *src_mac,
				const uint8_t *src_ip, const uint8_t *dst_ip, uint16_t sport,
				uint16_t dport, uint16_t payload_len)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)d;
	struct rte_udp_hdr *udp;

	rte_ether_addr_copy(src_mac, &eth->src_addr);
	if (family == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		udp = (struct rte_udp_hdr *)(ip + 1);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->type_of_service = 0;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*udp) + payload_len));
		ip->packet_id = 0;
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		memcpy(&ip->src_addr, src_ip, 4);
		memcpy(&ip->dst_addr, dst_ip, 4);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		udp->src_port = rte_cpu_to_be_16(sport);
		udp->dst_port = rte_cpu_to_be_16(dport);
		udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + payload_len));
		udp->dgram_cksum = 0;
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		udp = (struct rte_udp_hdr *)(ip6 + 1);
		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + payload_len));
		ip6->proto = IPPROTO_UDP;
		ip6->hop_limits = 64;
		memcpy(ip6->src_addr, src_ip, 16);
		memcpy(ip6->dst_addr, dst_ip, 16);
		udp->src_port = rte_cpu_to_be_16(sport);
		udp->dst_port = rte_cpu_to_be_16(dport);
		udp->dgram_len = ip6->payload_len;
		udp->dgram_cksum = 0;
		udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip6, udp);
	}
}

#endif
