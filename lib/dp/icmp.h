/* SPDX-License-Identifier: MIT */
/*
 * ICMP and ICMPv6 errors about inner packets we forward (issue #14, wgdp as a router): which
 * packets may be answered (RFC 1812 4.3.2.7, RFC 4443 2.4(e)), the error built in place of the
 * offender, and the rate limits that bound how many we send (RFC 1812 4.3.2.8, RFC 4443 2.4(f);
 * the kernel's icmp_ratelimit and icmp_msgs_per_sec / icmp_msgs_burst).
 *
 * Pure building blocks: no clock (time is an argument), no allocation, no logging. The worker
 * decides when to answer; this file only says whether it may and builds the answer.
 *
 * Ownership: a struct dp_icmp_limiter belongs to one worker and is touched by it alone; the
 * struct dp_icmp_global it points to is shared by every worker and changes only by atomic
 * compare-and-swap.
 */
#ifndef WGDP_DP_ICMP_H
#define WGDP_DP_ICMP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

enum dp_icmp_kind {
	DP_ICMP_TIME_EXCEEDED, /* v4: type 11 code 0; v6: type 3 code 0 */
	DP_ICMP_FRAG_NEEDED,   /* v4: type 3 code 4, next-hop MTU; v6: type 2 (too big), MTU */
	DP_ICMP_HOST_UNREACH,  /* v4: type 3 code 1; v6: type 1 code 3 (address unreachable) */
	DP_ICMP_KIND_COUNT
};

/* "time_exceeded", "frag_needed", "unreachable" (counter names); "unknown" out of range. */
const char *dp_icmp_kind_name(enum dp_icmp_kind k);

/*
 * Bytes dp_icmp_build puts in front of the quoted offender: the new IP header and the ICMP
 * header. m needs at least this much headroom, and the worker more in front of it for
 * whatever it prepends next (Ethernet, or WireGuard's header and the outer headers).
 */
#define DP_ICMP4_HEADROOM 28 /* IPv4 header without options, ICMP header */
#define DP_ICMP6_HEADROOM 48 /* IPv6 header, ICMPv6 header */

static inline uint16_t dp_icmp_headroom(uint8_t family)
{
	return family == 4 ? DP_ICMP4_HEADROOM : DP_ICMP6_HEADROOM;
}

/* RFC 4443 2.4(c): an ICMPv6 error never exceeds the minimum IPv6 MTU, headers included. */
#define DP_ICMP6_MAX_LEN 1280
/* RFC 792: the offender's IP header and the first 8 bytes of its payload. */
#define DP_ICMP4_QUOTE_DATA 8

/*
 * Whether an error may be sent about this packet (RFC 1812 4.3.2.7, RFC 4443 2.4(e)). ip: the
 * offending inner packet at its IP header, len bytes (dp_inner_parse accepted it).
 *
 * False for:
 * - an ICMP error. IPv4 types are answered only when known to be queries or their answers
 *   (echo 0/8, router advertisement/solicitation 9/10, timestamp 13/14, information 15/16,
 *   address mask 17/18): an error type, and any type not known, is not, since an unknown type
 *   could be a newer error and answering an error is what the RFC forbids. ICMPv6: the error
 *   types (< 128) and redirects (137).
 * - a fragment other than the first (v4 offset != 0; v6 a Fragment header with offset != 0,
 *   found by walking at most DP_ICMP_MAX_EXT_HDRS extension headers; a longer chain is not
 *   answered either, since we cannot tell);
 * - a multicast or broadcast destination (v4 224.0.0.0/4, 255.255.255.255; v6 ff00::/8; the
 *   RFC 4443 exception for Packet Too Big to a multicast group is not taken: we do not route
 *   multicast);
 * - a source that is not one host (v4 0.0.0.0/8, 127/8, 224/4, 240/4; v6 ::, ::1, ff00::/8);
 * - a header too short to decide on (the IP header, an extension header, or the ICMP type byte
 *   past len).
 */
#define DP_ICMP_MAX_EXT_HDRS 8
bool dp_icmp_may_answer(const uint8_t *ip, uint32_t len, uint8_t family);

/*
 * Turns m (one segment, its data starting at the offending inner IP packet) into the ICMP error
 * about it, in place: the new IP header (source src, 4 or 16 bytes; destination the offender's
 * source; TTL / hop limit 64; IPv4 with id 0, DF clear, precedence "internetwork control" as
 * RFC 1812 4.3.2.5 asks) and the ICMP header go into the headroom (dp_icmp_headroom), and the
 * quote is trimmed: IPv4 the offender's IP header with its options and 8 bytes of what follows;
 * IPv6 as much as fits DP_ICMP6_MAX_LEN in all. The offender's length is what its own header
 * says, or less when m holds less (padding after it, as WireGuard's, is never quoted).
 *
 * mtu: for DP_ICMP_FRAG_NEEDED, the v4 "next-hop MTU" field (RFC 1191) or the v6 MTU; else
 * ignored. Checksums filled (IPv4 header and ICMP; ICMPv6 with the pseudo-header).
 *
 * False, m untouched: m has too little headroom, more than one segment, or the offender is
 * shorter than its own header; family or kind out of range. The caller has checked
 * dp_icmp_may_answer and the rate limit.
 */
bool dp_icmp_build(struct rte_mbuf *m, uint8_t family, enum dp_icmp_kind kind, uint16_t mtu,
		   const uint8_t *src);

/*
 * Rate limits, each a GCRA ("theoretical arrival time") bucket: one uint64 says when the bucket
 * will be full again, plus the burst. Two tiers, as the kernel has them: per destination (its
 * icmp_ratelimit, here 10 a second with a burst of 10: enough for traceroute's three probes a
 * hop, too few to make us an amplifier against one host) and for all destinations together
 * (icmp_msgs_per_sec / icmp_msgs_burst, the kernel's defaults of 1000 a second, burst 50: the
 * bound on what a spoofed flood can make the whole concentrator send).
 */
#define DP_ICMP_DST_PER_SEC    10
#define DP_ICMP_DST_BURST      10
#define DP_ICMP_GLOBAL_PER_SEC 1000
#define DP_ICMP_GLOBAL_BURST   50

/*
 * Per-destination buckets hashed into this many slots (a power of two): a worker has a fixed
 * 8 KiB and needs no table of destinations. Two destinations in one slot share its bucket,
 * which errs towards fewer errors.
 */
#define DP_ICMP_LIMIT_SLOTS 1024

/* Shared by every worker (in struct dp_ctx); on a cache line of its own, as workers write it. */
struct dp_icmp_global {
	uint64_t tat; /* GCRA; 0 = never used (full). Only through __atomic builtins. */
} __rte_cache_aligned;

/* One per worker (in struct dp_worker), never shared. */
struct dp_icmp_limiter {
	struct dp_icmp_global *global;
	uint32_t seed; /* of the slot hash: which destinations collide differs by worker and run */
	uint64_t tat[DP_ICMP_LIMIT_SLOTS]; /* GCRA per slot; 0 = never used (full) */
};

void dp_icmp_global_init(struct dp_icmp_global *g);
/* seed: random (rte_rand) in the daemon, so that nobody can aim a collision at a slot. */
void dp_icmp_limiter_init(struct dp_icmp_limiter *l, struct dp_icmp_global *g, uint32_t seed);

/*
 * Takes a token from dst's bucket (family 4 or 6, dst 4 or 16 bytes: the address the error
 * goes to) and then one from the global bucket; false = refused (the caller counts it). A
 * refusal by the global bucket after dst's gave a token keeps that token spent: it errs
 * towards fewer errors and needs no undo.
 *
 * now_ns: monotonic ns from the caller (lib/wg/clock.h); times compare modulo 2^64, so the
 * limiter stays right across a wrap of the clock. Callers on several workers may pass times a
 * little out of order to the global bucket: a bucket "in the future" only refuses sooner.
 */
bool dp_icmp_limit_allow(struct dp_icmp_limiter *l, uint8_t family, const uint8_t *dst,
			 uint64_t now_ns);

#endif
