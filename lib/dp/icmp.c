/* SPDX-License-Identifier: MIT */
/*
 * ICMP errors about forwarded inner packets: may we answer, the answer, and its rate limits
 * (icmp.h gives the contract). Headers are read and written byte by byte or through DPDK's
 * packed structs: an inner packet sits wherever decryption left it, with no alignment promise.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_jhash.h>

#include "gcra.h"
#include "icmp.h"

#define ICMP_HDR_LEN 8 /* type, code, checksum, 4 bytes that depend on the type */

/* IPv4 types (RFC 792, 950, 1256) and ICMPv6 types (RFC 4443, 4861). */
enum {
	ICMP4_DEST_UNREACH = 3,
	ICMP4_TIME_EXCEEDED = 11,
	ICMP4_CODE_HOST_UNREACH = 1,
	ICMP4_CODE_FRAG_NEEDED = 4,
	ICMP6_DEST_UNREACH = 1,
	ICMP6_PACKET_TOO_BIG = 2,
	ICMP6_TIME_EXCEEDED = 3,
	ICMP6_CODE_ADDR_UNREACH = 3,
	ICMP6_INFO_MIN = 128, /* below: errors */
	ICMP6_REDIRECT = 137,
};

/* IPv6 extension headers that may stand between the fixed header and the upper layer. */
enum {
	IP6_HOPOPTS = 0,
	IP6_ROUTING = 43,
	IP6_FRAGMENT = 44,
	IP6_AH = 51,
	IP6_DSTOPTS = 60,
};

#define IP4_TOS_NETCONTROL 0xc0 /* precedence 6, RFC 1812 4.3.2.5 */
#define ICMP_TTL	   64

const char *dp_icmp_kind_name(enum dp_icmp_kind k)
{
	static const char *const names[DP_ICMP_KIND_COUNT] = {
		[DP_ICMP_TIME_EXCEEDED] = "time_exceeded",
		[DP_ICMP_FRAG_NEEDED] = "frag_needed",
		[DP_ICMP_HOST_UNREACH] = "unreachable",
	};

	return (unsigned int)k < DP_ICMP_KIND_COUNT ? names[k] : "unknown";
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ---- may we answer ---- */

/*
 * IPv4 ICMP types that are not errors: queries and their answers. Anything else, errors and
 * types we do not know alike, is never answered (the reason is in icmp.h).
 */
static bool icmp4_is_query(uint8_t type)
{
	switch (type) {
	case 0:	 /* echo reply */
	case 8:	 /* echo */
	case 9:	 /* router advertisement */
	case 10: /* router solicitation */
	case 13: /* timestamp */
	case 14: /* timestamp reply */
	case 15: /* information request */
	case 16: /* information reply */
	case 17: /* address mask request */
	case 18: /* address mask reply */
		return true;
	default:
		return false;
	}
}

/* A v4 source that names one host: not "this network", loopback, multicast or class E. */
static bool ip4_src_is_unicast(const uint8_t *a)
{
	return a[0] != 0 && a[0] != 127 && a[0] < 224;
}

static bool ip4_dst_is_group(const uint8_t *a)
{
	static const uint8_t bcast[4] = { 255, 255, 255, 255 };

	return (a[0] & 0xf0) == 224 || memcmp(a, bcast, 4) == 0;
}

static bool may_answer4(const uint8_t *ip, uint32_t len)
{
	uint32_t ihl;

	if (len < sizeof(struct rte_ipv4_hdr) || (ip[0] >> 4) != 4)
		return false;
	ihl = (uint32_t)(ip[0] & 0xf) * 4;
	if (ihl < sizeof(struct rte_ipv4_hdr) || ihl > len)
		return false;
	/* Only the first fragment: the others would each draw an error about one datagram. */
	if (get16(ip + 6) & RTE_IPV4_HDR_OFFSET_MASK)
		return false;
	if (ip4_dst_is_group(ip + 16) || !ip4_src_is_unicast(ip + 12))
		return false;
	if (ip[9] == IPPROTO_ICMP)
		return ihl < len && icmp4_is_query(ip[ihl]);
	return true;
}

static bool ip6_is_loopback_or_any(const uint8_t *a)
{
	static const uint8_t zero[15];

	return memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1);
}

/*
 * Walks the extension headers to the upper layer (bounded by len and DP_ICMP_MAX_EXT_HDRS):
 * false when a fragment other than the first, an ICMPv6 error or redirect, or too short or
 * long a chain to tell.
 */
static bool ip6_payload_may_answer(const uint8_t *ip, uint32_t len)
{
	uint32_t off = sizeof(struct rte_ipv6_hdr);
	uint8_t next = ip[6];

	for (unsigned int n = 0; n <= DP_ICMP_MAX_EXT_HDRS; n++) {
		const uint8_t *h = ip + off;

		switch (next) {
		case IP6_HOPOPTS:
		case IP6_ROUTING:
		case IP6_DSTOPTS:
			if (len - off < 2)
				return false;
			next = h[0];
			off += ((uint32_t)h[1] + 1) * 8;
			break;
		case IP6_AH:
			if (len - off < 2)
				return false;
			next = h[0];
			off += ((uint32_t)h[1] + 2) * 4;
			break;
		case IP6_FRAGMENT:
			if (len - off < 8)
				return false;
			if (get16(h + 2) & 0xfff8)
				return false;
			next = h[0];
			off += 8;
			break;
		case IPPROTO_ICMPV6:
			return off < len && h[0] >= ICMP6_INFO_MIN && h[0] != ICMP6_REDIRECT;
		default:
			return true; /* an upper layer that is not ICMPv6 */
		}
		if (off > len)
			return false;
	}
	return false;
}

static bool may_answer6(const uint8_t *ip, uint32_t len)
{
	if (len < sizeof(struct rte_ipv6_hdr) || (ip[0] >> 4) != 6)
		return false;
	if (ip[24] == 0xff) /* destination multicast */
		return false;
	if (ip[8] == 0xff || ip6_is_loopback_or_any(ip + 8))
		return false;
	return ip6_payload_may_answer(ip, len);
}

bool dp_icmp_may_answer(const uint8_t *ip, uint32_t len, uint8_t family)
{
	if (family == 4)
		return may_answer4(ip, len);
	if (family == 6)
		return may_answer6(ip, len);
	return false;
}

/* ---- the error ---- */

/* The checksum to store, from a sum of 16-bit words as __rte_raw_cksum loads them (host
 * order): one's complement sums commute with byte swapping, so it is already in wire order. */
static uint16_t cksum_fold(uint32_t sum)
{
	return (uint16_t)~__rte_raw_cksum_reduce(sum);
}

/* The offender's own length, at most what m holds; 0 when its header does not fit in that. */
static uint32_t offender_len(const uint8_t *ip, uint32_t have, uint8_t family)
{
	uint32_t hdr, total;

	if (family == 4) {
		if (have < sizeof(struct rte_ipv4_hdr))
			return 0;
		hdr = (uint32_t)(ip[0] & 0xf) * 4;
		if (hdr < sizeof(struct rte_ipv4_hdr))
			return 0;
		total = get16(ip + 2);
	} else {
		hdr = sizeof(struct rte_ipv6_hdr);
		if (have < hdr)
			return 0;
		total = hdr + get16(ip + 4);
	}
	total = RTE_MIN(total, have);
	return total >= hdr ? total : 0;
}

/* How much of an offender of off_len bytes the error quotes. */
static uint32_t quote_len(const uint8_t *ip, uint32_t off_len, uint8_t family)
{
	if (family == 4)
		return RTE_MIN(off_len, (uint32_t)(ip[0] & 0xf) * 4 + DP_ICMP4_QUOTE_DATA);
	return RTE_MIN(off_len, (uint32_t)(DP_ICMP6_MAX_LEN - DP_ICMP6_HEADROOM));
}

/* Type, code and the 4 type-specific bytes of the ICMP header; false for an unknown kind. */
static bool icmp_header(uint8_t *h, uint8_t family, enum dp_icmp_kind kind, uint16_t mtu)
{
	memset(h, 0, ICMP_HDR_LEN);
	switch (kind) {
	case DP_ICMP_TIME_EXCEEDED:
		h[0] = family == 4 ? ICMP4_TIME_EXCEEDED : ICMP6_TIME_EXCEEDED;
		return true;
	case DP_ICMP_FRAG_NEEDED:
		/* v4: RFC 1191's next-hop MTU in the low half; v6: RFC 4443 3.2's 32-bit MTU. */
		h[0] = family == 4 ? ICMP4_DEST_UNREACH : ICMP6_PACKET_TOO_BIG;
		h[1] = family == 4 ? ICMP4_CODE_FRAG_NEEDED : 0;
		h[6] = (uint8_t)(mtu >> 8);
		h[7] = (uint8_t)mtu;
		return true;
	case DP_ICMP_HOST_UNREACH:
		h[0] = family == 4 ? ICMP4_DEST_UNREACH : ICMP6_DEST_UNREACH;
		h[1] = family == 4 ? ICMP4_CODE_HOST_UNREACH : ICMP6_CODE_ADDR_UNREACH;
		return true;
	default:
		return false;
	}
}

static void build4(uint8_t *d, uint32_t quote, const uint8_t *src, const uint8_t *dst)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)d;
	uint8_t *icmp = d + sizeof(*ip);
	uint16_t c;

	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = IP4_TOS_NETCONTROL;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(DP_ICMP4_HEADROOM + quote));
	ip->packet_id = 0;
	ip->fragment_offset = 0;
	ip->time_to_live = ICMP_TTL;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->hdr_checksum = 0;
	memcpy(&ip->src_addr, src, 4);
	memcpy(&ip->dst_addr, dst, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	c = cksum_fold(__rte_raw_cksum(icmp, ICMP_HDR_LEN + quote, 0));
	memcpy(icmp + 2, &c, 2);
}

static void build6(uint8_t *d, uint32_t quote, const uint8_t *src, const uint8_t *dst)
{
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)d;
	uint8_t *icmp = d + sizeof(*ip6);
	uint16_t c;

	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16((uint16_t)(ICMP_HDR_LEN + quote));
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = ICMP_TTL;
	memcpy(ip6->src_addr, src, 16);
	memcpy(ip6->dst_addr, dst, 16);
	c = cksum_fold(__rte_raw_cksum(icmp, ICMP_HDR_LEN + quote, rte_ipv6_phdr_cksum(ip6, 0)));
	memcpy(icmp + 2, &c, 2);
}

bool dp_icmp_build(struct rte_mbuf *m, uint8_t family, enum dp_icmp_kind kind, uint16_t mtu,
		   const uint8_t *src)
{
	uint16_t room = dp_icmp_headroom(family);
	uint8_t hdr[ICMP_HDR_LEN], dst[16];
	uint32_t have, off_len, quote;
	const uint8_t *ip;
	uint8_t *d;

	if ((family != 4 && family != 6) || m->nb_segs != 1 || rte_pktmbuf_headroom(m) < room)
		return false;
	if (!icmp_header(hdr, family, kind, mtu))
		return false;
	ip = rte_pktmbuf_mtod(m, const uint8_t *);
	have = rte_pktmbuf_data_len(m);
	off_len = offender_len(ip, have, family);
	if (off_len == 0)
		return false;
	quote = quote_len(ip, off_len, family);
	/* The error goes back to whoever sent the offender. */
	memcpy(dst, family == 4 ? ip + 12 : ip + 8, family == 4 ? 4 : 16);

	rte_pktmbuf_trim(m, (uint16_t)(have - quote));
	d = (uint8_t *)rte_pktmbuf_prepend(m, room);
	memcpy(d + room - ICMP_HDR_LEN, hdr, ICMP_HDR_LEN);
	if (family == 4)
		build4(d, quote, src, dst);
	else
		build6(d, quote, src, dst);
	return true;
}

/* ---- rate limits ---- */

#define DST_INTERVAL_NS	   (1000000000ull / DP_ICMP_DST_PER_SEC)
#define GLOBAL_INTERVAL_NS (1000000000ull / DP_ICMP_GLOBAL_PER_SEC)

void dp_icmp_global_init(struct dp_icmp_global *g)
{
	__atomic_store_n(&g->tat, 0, __ATOMIC_RELAXED);
}

void dp_icmp_limiter_init(struct dp_icmp_limiter *l, struct dp_icmp_global *g, uint32_t seed)
{
	memset(l->tat, 0, sizeof(l->tat));
	l->global = g;
	l->seed = seed;
}

static uint32_t dst_slot(const struct dp_icmp_limiter *l, uint8_t family, const uint8_t *dst)
{
	uint32_t w[4];

	/* Copied out: dst may be unaligned, and the hash reads whole words. */
	memcpy(w, dst, family == 4 ? 4 : 16);
	return rte_jhash_32b(w, family == 4 ? 1 : 4, l->seed + family) & (DP_ICMP_LIMIT_SLOTS - 1);
}

/* The shared bucket: a CAS loop, since every worker may take from it at once. */
static bool global_take(struct dp_icmp_global *g, uint64_t now)
{
	uint64_t tat = __atomic_load_n(&g->tat, __ATOMIC_RELAXED), next;

	do {
		if (!dp_gcra_take(tat, now, GLOBAL_INTERVAL_NS, DP_ICMP_GLOBAL_BURST, &next))
			return false;
	} while (!__atomic_compare_exchange_n(&g->tat, &tat, next, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return true;
}

bool dp_icmp_limit_allow(struct dp_icmp_limiter *l, uint8_t family, const uint8_t *dst,
			 uint64_t now_ns)
{
	uint64_t *slot, next;

	if (family != 4 && family != 6)
		return false;
	slot = &l->tat[dst_slot(l, family, dst)];
	if (!dp_gcra_take(*slot, now_ns, DST_INTERVAL_NS, DP_ICMP_DST_BURST, &next))
		return false;
	*slot = next;
	return global_take(l->global, now_ns);
}
