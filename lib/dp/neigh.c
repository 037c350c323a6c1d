/* SPDX-License-Identifier: MIT */
/*
 * ARP (RFC 826), IPv6 neighbour discovery (RFC 4861) and echo (RFC 792, RFC 4443) for our own
 * addresses, and the solicitations the neighbour table (neigh_table.c) sends.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "neigh_priv.h"
#include "pkt.h"

#define ND_NS		135
#define ND_NA		136
#define ND_OPT_SLLA	1
#define ND_OPT_TLLA	2
#define ND_NA_ROUTER	0x80000000u
#define ND_NA_SOLICITED 0x40000000u
#define ND_NA_OVERRIDE	0x20000000u
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY   129
#define ND_MSG_LEN	24 /* type, code, checksum, flags/reserved, target */
#define ND_OPT_LL_LEN	8

static bool on_link(const struct dp_iface *ifc, const struct wgdp_addr *a)
{
	for (unsigned int i = 0; i < ifc->cfg->n_addrs; i++)
		if (dp_prefix_holds(&ifc->cfg->addrs[i], a->family, a->bytes))
			return true;
	return false;
}

static const struct wgdp_addr *our_addr(const struct dp_iface *ifc, uint8_t family,
					const uint8_t *bytes)
{
	for (unsigned int i = 0; i < ifc->cfg->n_addrs; i++) {
		const struct wgdp_addr *a = &ifc->cfg->addrs[i].addr;

		if (a->family == family && memcmp(a->bytes, bytes, family == 4 ? 4 : 16) == 0)
			return a;
	}
	return NULL;
}

/* Our address of family on ifc that holds nh on-link, else the first of that family. */
static const struct wgdp_addr *source_for(const struct dp_iface *ifc, const struct wgdp_addr *nh)
{
	const struct wgdp_addr *first = NULL;

	for (unsigned int i = 0; i < ifc->cfg->n_addrs; i++) {
		const struct wgdp_port_addr *pa = &ifc->cfg->addrs[i];

		if (pa->addr.family != nh->family)
			continue;
		if (dp_prefix_holds(pa, nh->family, nh->bytes))
			return &pa->addr;
		if (!first)
			first = &pa->addr;
	}
	return first;
}

/* ---- ARP ---- */

static enum dp_local_verdict drop(struct dp_neigh *nt, struct rte_mbuf *m, enum dp_neigh_drop why)
{
	nt->stats.drops[why]++;
	rte_pktmbuf_free(m);
	return DP_LOCAL_DROP;
}

/* Rewrites the request for our address target in place into its answer. */
static enum dp_local_verdict arp_reply(struct dp_neigh *nt, const struct dp_iface *ifc,
				       struct rte_mbuf *m, const struct wgdp_addr *target)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	struct rte_arp_ipv4 *a = &arp->arp_data;

	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&a->arp_sha, &a->arp_tha);
	rte_ether_addr_copy(&ifc->mac, &a->arp_sha);
	a->arp_tip = a->arp_sip;
	memcpy(&a->arp_sip, target->bytes, 4);
	rte_ether_addr_copy(&a->arp_tha, &eth->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eth->src_addr);
	rte_pktmbuf_data_len(m) = sizeof(*eth) + sizeof(*arp);
	rte_pktmbuf_pkt_len(m) = rte_pktmbuf_data_len(m);
	nt->stats.arp_replies++;
	return DP_LOCAL_REPLY;
}

static enum dp_local_verdict arp_input(struct dp_neigh *nt, const struct dp_iface *ifc,
				       struct rte_mbuf *m, uint64_t now, struct dp_tx_list *tx)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	struct rte_arp_ipv4 *a = &arp->arp_data;
	struct wgdp_addr sender, target;
	struct neigh_entry *e;
	unsigned int flags;
	bool neighbour;
	uint16_t op;

	if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*arp))
		return drop(nt, m, DP_NEIGH_DROP_TRUNCATED);
	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4 ||
	    !rte_is_unicast_ether_addr(&a->arp_sha))
		return drop(nt, m, DP_NEIGH_DROP_MALFORMED);
	op = rte_be_to_cpu_16(arp->arp_opcode);
	dp_addr_set(&sender, 4, (const uint8_t *)&a->arp_sip);
	dp_addr_set(&target, 4, (const uint8_t *)&a->arp_tip);
	neighbour = a->arp_sip && on_link(ifc, &sender);
	if (op == RTE_ARP_OP_REQUEST && our_addr(ifc, 4, target.bytes)) {
		/* A neighbour asking for us will be talked to: learn it now (RFC 826). */
		if (neighbour)
			neigh_asked(nt, ifc, &sender, &a->arp_sha, now, tx);
		return arp_reply(nt, ifc, m, &target);
	}
	e = neighbour ? neigh_find(nt, dp_iface_link(ifc), &sender) : NULL;
	if (op == RTE_ARP_OP_REPLY && e) {
		/* Sent to us, it answers our request, as Linux reads it; broadcast, it is news. */
		flags = NEIGH_OVERRIDE;
		if (rte_is_same_ether_addr(&eth->dst_addr, &ifc->mac))
			flags |= NEIGH_SOLICITED;
		neigh_answered(nt, e, &a->arp_sha, flags, now, tx);
		rte_pktmbuf_free(m);
		return DP_LOCAL_CONSUMED;
	}
	if (op == RTE_ARP_OP_REQUEST && e) {
		/* RFC 826's merge: a request not for us (a gratuitous one after a failover, say)
		 * still updates a neighbour we know; it creates none. */
		neigh_asked(nt, ifc, &sender, &a->arp_sha, now, tx);
		rte_pktmbuf_free(m);
		return DP_LOCAL_CONSUMED;
	}
	return drop(nt, m, op == RTE_ARP_OP_REPLY ? DP_NEIGH_DROP_UNSOLICITED
						  : DP_NEIGH_DROP_NOT_OURS);
}

/* ---- IPv4 echo ---- */

static enum dp_local_verdict icmp4_input(struct dp_neigh *nt, const struct dp_iface *ifc,
					 struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_icmp_hdr *icmp;
	uint32_t len = rte_pktmbuf_data_len(m), ihl, total, tmp;

	if (len < sizeof(*eth) + sizeof(*ip))
		return drop(nt, m, DP_NEIGH_DROP_TRUNCATED);
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	total = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) || total < ihl + sizeof(*icmp) ||
	    sizeof(*eth) + total > len)
		return drop(nt, m, DP_NEIGH_DROP_TRUNCATED);
	if (!our_addr(ifc, 4, (const uint8_t *)&ip->dst_addr))
		return drop(nt, m, DP_NEIGH_DROP_NOT_OURS);
	if (ip->next_proto_id != IPPROTO_ICMP)
		return drop(nt, m, DP_NEIGH_DROP_UNHANDLED);
	if (rte_be_to_cpu_16(ip->fragment_offset) & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return drop(nt, m, DP_NEIGH_DROP_UNHANDLED);
	if (rte_raw_cksum(ip, ihl) != 0xffff)
		return drop(nt, m, DP_NEIGH_DROP_BAD_CHECKSUM);
	icmp = (struct rte_icmp_hdr *)((uint8_t *)ip + ihl);
	if (rte_raw_cksum(icmp, total - ihl) != 0xffff)
		return drop(nt, m, DP_NEIGH_DROP_BAD_CHECKSUM);
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0)
		return drop(nt, m, DP_NEIGH_DROP_UNHANDLED);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, total - ihl);
	tmp = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = tmp;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eth->src_addr);
	rte_pktmbuf_data_len(m) = (uint16_t)(sizeof(*eth) + total);
	rte_pktmbuf_pkt_len(m) = rte_pktmbuf_data_len(m);
	nt->stats.echo_replies++;
	return DP_LOCAL_REPLY;
}

/* ---- IPv6: neighbour discovery and echo ---- */

static uint16_t icmp6_cksum(const struct rte_ipv6_hdr *ip6, const void *icmp, uint32_t len)
{
	uint32_t sum = rte_ipv6_phdr_cksum(ip6, 0);

	sum += rte_raw_cksum(icmp, len);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Headers after Ethernet sit at odd offsets: write multi-byte fields bytewise. */
static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void set_icmp6_cksum(const struct rte_ipv6_hdr *ip6, uint8_t *icmp, uint32_t len)
{
	uint16_t c;

	icmp[2] = icmp[3] = 0;
	c = icmp6_cksum(ip6, icmp, len);
	memcpy(icmp + 2, &c, 2); /* already in network order: it was summed over network bytes */
}

static bool is_solicited_node_of(const uint8_t dst[16], const uint8_t target[16])
{
	static const uint8_t prefix[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };

	return memcmp(dst, prefix, 13) == 0 && memcmp(dst + 13, target + 13, 3) == 0;
}

/* The link-layer address option of type want in an ND message's options, if any. */
static const struct rte_ether_addr *nd_ll_option(const uint8_t *opt, uint32_t len, uint8_t want,
						 bool *bad)
{
	*bad = false;
	while (len >= 2) {
		uint32_t olen = (uint32_t)opt[1] * 8;

		if (olen == 0 || olen > len) {
			*bad = true; /* RFC 4861 4.6: a zero-length option invalidates the packet */
			return NULL;
		}
		if (opt[0] == want && olen == ND_OPT_LL_LEN)
			return (const struct rte_ether_addr *)(opt + 2);
		opt += olen;
		len -= olen;
	}
	return NULL;
}

static void ip6_reply_header(struct rte_mbuf *m, struct rte_ipv6_hdr *ip6,
			     const struct dp_iface *ifc, const uint8_t src[16],
			     const uint8_t dst[16], uint8_t hops, uint16_t payload)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint8_t new_dst[16];

	memcpy(new_dst, dst, 16);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(payload);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = hops;
	memmove(ip6->src_addr, src, 16);
	memcpy(ip6->dst_addr, new_dst, 16);
	rte_ether_addr_copy(&ifc->mac, &eth->src_addr);
	rte_pktmbuf_data_len(m) = (uint16_t)(sizeof(*eth) + sizeof(*ip6) + payload);
	rte_pktmbuf_pkt_len(m) = rte_pktmbuf_data_len(m);
}

/* Makes m at least len bytes long, growing it into its tailroom; false when that is short. */
static bool room_for(struct rte_mbuf *m, uint32_t len)
{
	uint32_t have = rte_pktmbuf_data_len(m);

	return have >= len || rte_pktmbuf_append(m, (uint16_t)(len - have)) != NULL;
}

static enum dp_local_verdict ns_input(struct dp_neigh *nt, const struct dp_iface *ifc,
				      struct rte_mbuf *m, struct rte_ipv6_hdr *ip6, uint8_t *icmp,
				      uint32_t len, uint64_t now, struct dp_tx_list *tx)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	static const uint8_t unspecified[16], all_nodes[16] = { 0xff, 2, [15] = 1 };
	const struct rte_ether_addr *slla;
	uint8_t target[16], src[16];
	bool bad, dad;

	memcpy(target, icmp + 8, 16);
	if (!our_addr(ifc, 6, target) ||
	    (!our_addr(ifc, 6, ip6->dst_addr) && !is_solicited_node_of(ip6->dst_addr, target)))
		return drop(nt, m, DP_NEIGH_DROP_NOT_OURS);
	/* The answer carries our link-layer address option, which the question may lack (DAD
	 * probes have none): the frame must have room for it before we write it. */
	if (!room_for(m, sizeof(*eth) + sizeof(*ip6) + ND_MSG_LEN + ND_OPT_LL_LEN))
		return drop(nt, m, DP_NEIGH_DROP_NO_MBUF);
	slla = nd_ll_option(icmp + ND_MSG_LEN, len - ND_MSG_LEN, ND_OPT_SLLA, &bad);
	dad = memcmp(ip6->src_addr, unspecified, 16) == 0;
	if (bad || (dad && slla))
		return drop(nt, m, DP_NEIGH_DROP_MALFORMED);
	memcpy(src, ip6->src_addr, 16);
	if (slla && !dad) {
		struct wgdp_addr sender;

		dp_addr_set(&sender, 6, src);
		if (on_link(ifc, &sender))
			neigh_asked(nt, ifc, &sender, slla, now, tx);
	}
	/* The answer goes where the question came from, or to all nodes for DAD probes. */
	rte_ether_addr_copy(slla ? slla : &eth->src_addr, &eth->dst_addr);
	if (dad)
		rte_ether_addr_copy(&(struct rte_ether_addr){ { 0x33, 0x33, 0, 0, 0, 1 } },
				    &eth->dst_addr);
	ip6_reply_header(m, ip6, ifc, target, dad ? all_nodes : src, 255,
			 ND_MSG_LEN + ND_OPT_LL_LEN);
	icmp[0] = ND_NA;
	icmp[1] = 0;
	put_be32(icmp + 4, ND_NA_OVERRIDE | (dad ? 0 : ND_NA_SOLICITED));
	/* target (icmp + 8) stays */
	icmp[ND_MSG_LEN] = ND_OPT_TLLA;
	icmp[ND_MSG_LEN + 1] = 1;
	memcpy(icmp + ND_MSG_LEN + 2, ifc->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	set_icmp6_cksum(ip6, icmp, ND_MSG_LEN + ND_OPT_LL_LEN);
	nt->stats.neighbor_advertisements++;
	return DP_LOCAL_REPLY;
}

static enum dp_local_verdict na_input(struct dp_neigh *nt, const struct dp_iface *ifc,
				      struct rte_mbuf *m, const struct rte_ipv6_hdr *ip6,
				      const uint8_t *icmp, uint32_t len, uint64_t now,
				      struct dp_tx_list *tx)
{
	const struct rte_ether_addr *tlla;
	struct wgdp_addr target;
	struct neigh_entry *e;
	unsigned int flags = 0;
	bool bad;

	dp_addr_set(&target, 6, icmp + 8);
	tlla = nd_ll_option(icmp + ND_MSG_LEN, len - ND_MSG_LEN, ND_OPT_TLLA, &bad);
	if (icmp[4] & (ND_NA_SOLICITED >> 24))
		flags |= NEIGH_SOLICITED;
	if (icmp[4] & (ND_NA_OVERRIDE >> 24))
		flags |= NEIGH_OVERRIDE;
	/* RFC 4861 7.1.2: an advertisement to a multicast group answers nobody's question. */
	if (bad || ((flags & NEIGH_SOLICITED) && ip6->dst_addr[0] == 0xff))
		return drop(nt, m, DP_NEIGH_DROP_MALFORMED);
	e = neigh_find(nt, dp_iface_link(ifc), &target);
	if (!e)
		return drop(nt, m, DP_NEIGH_DROP_UNSOLICITED);
	/* RFC 4861 7.2.5: without the target's MAC, an answer for an entry with none is void. */
	if (!neigh_answered(nt, e, tlla, flags, now, tx))
		return drop(nt, m, DP_NEIGH_DROP_MALFORMED);
	rte_pktmbuf_free(m);
	return DP_LOCAL_CONSUMED;
}

static enum dp_local_verdict echo6_input(struct dp_neigh *nt, const struct dp_iface *ifc,
					 struct rte_mbuf *m, struct rte_ipv6_hdr *ip6,
					 uint8_t *icmp, uint32_t len)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint8_t us[16], them[16];

	if (!our_addr(ifc, 6, ip6->dst_addr))
		return drop(nt, m, DP_NEIGH_DROP_NOT_OURS);
	memcpy(us, ip6->dst_addr, 16);
	memcpy(them, ip6->src_addr, 16);
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	ip6_reply_header(m, ip6, ifc, us, them, 64, (uint16_t)len);
	icmp[0] = ICMP6_ECHO_REPLY;
	set_icmp6_cksum(ip6, icmp, len);
	nt->stats.echo_replies++;
	return DP_LOCAL_REPLY;
}

static enum dp_local_verdict icmp6_input(struct dp_neigh *nt, const struct dp_iface *ifc,
					 struct rte_mbuf *m, uint64_t now, struct dp_tx_list *tx)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eth + 1);
	uint32_t data = rte_pktmbuf_data_len(m), len;
	uint8_t *icmp;

	if (data < sizeof(*eth) + sizeof(*ip6))
		return drop(nt, m, DP_NEIGH_DROP_TRUNCATED);
	len = rte_be_to_cpu_16(ip6->payload_len);
	if ((rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6 || len < 4 ||
	    sizeof(*eth) + sizeof(*ip6) + len > data)
		return drop(nt, m, DP_NEIGH_DROP_TRUNCATED);
	if (ip6->proto != IPPROTO_ICMPV6)
		return drop(nt, m, our_addr(ifc, 6, ip6->dst_addr) ? DP_NEIGH_DROP_UNHANDLED
								   : DP_NEIGH_DROP_NOT_OURS);
	icmp = (uint8_t *)(ip6 + 1);
	if (icmp6_cksum(ip6, icmp, len) != 0)
		return drop(nt, m, DP_NEIGH_DROP_BAD_CHECKSUM);
	switch (icmp[0]) {
	case ND_NS:
	case ND_NA:
		if (ip6->hop_limits != 255 || icmp[1] != 0)
			return drop(nt, m, DP_NEIGH_DROP_BAD_HOP_LIMIT);
		if (len < ND_MSG_LEN)
			return drop(nt, m, DP_NEIGH_DROP_TRUNCATED);
		return icmp[0] == ND_NS ? ns_input(nt, ifc, m, ip6, icmp, len, now, tx)
					: na_input(nt, ifc, m, ip6, icmp, len, now, tx);
	case ICMP6_ECHO_REQUEST:
		if (len < 8)
			return drop(nt, m, DP_NEIGH_DROP_TRUNCATED);
		return echo6_input(nt, ifc, m, ip6, icmp, len);
	default:
		return drop(nt, m, DP_NEIGH_DROP_UNHANDLED);
	}
}

enum dp_local_verdict dp_local_input(struct dp_neigh *nt, const struct dp_iface *ifc,
				     struct rte_mbuf *m, uint64_t now_ns, struct dp_tx_list *tx)
{
	const struct rte_ether_hdr *eth;

	if (m->nb_segs != 1 || rte_pktmbuf_data_len(m) < sizeof(*eth))
		return drop(nt, m, DP_NEIGH_DROP_TRUNCATED);
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	switch (rte_be_to_cpu_16(eth->ether_type)) {
	case RTE_ETHER_TYPE_ARP:
		return arp_input(nt, ifc, m, now_ns, tx);
	case RTE_ETHER_TYPE_IPV4:
		return icmp4_input(nt, ifc, m);
	case RTE_ETHER_TYPE_IPV6:
		return icmp6_input(nt, ifc, m, now_ns, tx);
	default:
		return drop(nt, m, DP_NEIGH_DROP_UNHANDLED);
	}
}

/* ---- solicitations ---- */

/* Unicast (a probe, RFC 4861 7.3.3) when dst is given, else to everyone (ARP). */
static struct rte_mbuf *arp_request(struct dp_neigh *nt, const struct dp_iface *ifc,
				    const struct wgdp_addr *src, const struct wgdp_addr *nh,
				    const struct rte_ether_addr *dst)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(nt->mp);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (!m)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	arp = (struct rte_arp_hdr *)(eth + 1);
	if (dst)
		rte_ether_addr_copy(dst, &eth->dst_addr);
	else
		memset(eth, 0xff, sizeof(eth->dst_addr));
	rte_ether_addr_copy(&ifc->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(&ifc->mac, &arp->arp_data.arp_sha);
	memcpy(&arp->arp_data.arp_sip, src->bytes, 4);
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	memcpy(&arp->arp_data.arp_tip, nh->bytes, 4);
	return m;
}

/*
 * To nh's solicited-node group ff02::1:ffXX:XXXX (MAC 33:33:ff:XX:XX:XX), or, a probe, to nh
 * itself at dst (RFC 4861 7.2.2).
 */
static struct rte_mbuf *neighbor_solicitation(struct dp_neigh *nt, const struct dp_iface *ifc,
					      const struct wgdp_addr *src,
					      const struct wgdp_addr *nh,
					      const struct rte_ether_addr *dst)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(nt->mp);
	const uint16_t plen = ND_MSG_LEN + ND_OPT_LL_LEN;
	struct rte_ether_hdr *eth;
	struct rte_ipv6_hdr *ip6;
	uint8_t *icmp;

	if (!m)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*ip6) + plen);
	ip6 = (struct rte_ipv6_hdr *)(eth + 1);
	icmp = (uint8_t *)(ip6 + 1);
	eth->dst_addr = (struct rte_ether_addr){
		{ 0x33, 0x33, 0xff, nh->bytes[13], nh->bytes[14], nh->bytes[15] } };
	rte_ether_addr_copy(&ifc->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(plen);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = 255;
	memcpy(ip6->src_addr, src->bytes, 16);
	memset(ip6->dst_addr, 0, 16);
	ip6->dst_addr[0] = 0xff;
	ip6->dst_addr[1] = 0x02;
	ip6->dst_addr[11] = 0x01;
	ip6->dst_addr[12] = 0xff;
	memcpy(ip6->dst_addr + 13, nh->bytes + 13, 3);
	if (dst) {
		rte_ether_addr_copy(dst, &eth->dst_addr);
		memcpy(ip6->dst_addr, nh->bytes, 16);
	}
	memset(icmp, 0, plen);
	icmp[0] = ND_NS;
	memcpy(icmp + 8, nh->bytes, 16);
	icmp[ND_MSG_LEN] = ND_OPT_SLLA;
	icmp[ND_MSG_LEN + 1] = 1;
	memcpy(icmp + ND_MSG_LEN + 2, ifc->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	set_icmp6_cksum(ip6, icmp, plen);
	return m;
}

struct rte_mbuf *neigh_solicitation(struct dp_neigh *nt, const struct dp_iface *ifc,
				    const struct wgdp_addr *nh,
				    const struct rte_ether_addr *unicast)
{
	const struct wgdp_addr *src = source_for(ifc, nh);
	struct rte_mbuf *m;

	if (!src) {
		nt->stats.drops[DP_NEIGH_DROP_NO_SOURCE]++;
		return NULL;
	}
	m = nh->family == 4 ? arp_request(nt, ifc, src, nh, unicast)
			    : neighbor_solicitation(nt, ifc, src, nh, unicast);
	if (!m)
		nt->stats.drops[DP_NEIGH_DROP_NO_MBUF]++;
	return m;
}
