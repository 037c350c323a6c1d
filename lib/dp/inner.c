/* SPDX-License-Identifier: MIT */
/* MSS clamping of forwarded TCP SYNs (inner.h gives the contract). */
#include <stddef.h>

#include "inner.h"

#define IP4_HDR_MIN  20
#define IP6_HDR_LEN  40
#define TCP_HDR_MIN  20
#define TCP_PROTO    6
#define TCP_FLAG_SYN 0x02
#define TCPOPT_EOL   0
#define TCPOPT_NOP   1
#define TCPOPT_MSS   2
#define TCPOLEN_MSS  4

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * The checksum covers the segment as 16-bit words from its start; a value at an odd offset
 * straddles two of them, its high byte low in one and its low byte high in the next, so it
 * counts byte-swapped.
 */
static uint16_t as_summed(uint16_t v, size_t off)
{
	return off & 1 ? (uint16_t)(v << 8 | v >> 8) : v;
}

/*
 * Walks the options in tcp[TCP_HDR_MIN..doff): the number of MSS options above mss, each
 * lowered to mss (and the checksum with it) when apply; -1 when the list is malformed.
 */
static int walk_options(uint8_t *tcp, uint32_t doff, uint16_t mss, bool apply)
{
	uint32_t o = TCP_HDR_MIN;
	int above = 0;

	while (o < doff) {
		uint8_t kind = tcp[o], olen;
		uint16_t old;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			o++;
			continue;
		}
		if (doff - o < 2)
			return -1;
		olen = tcp[o + 1];
		if (olen < 2 || olen > doff - o || (kind == TCPOPT_MSS && olen != TCPOLEN_MSS))
			return -1;
		old = kind == TCPOPT_MSS ? get16(tcp + o + 2) : 0;
		if (old > mss) {
			above++;
			if (apply) {
				put16(tcp + 16,
				      dp_cksum_update16(get16(tcp + 16), as_summed(old, o + 2),
							as_summed(mss, o + 2)));
				put16(tcp + o + 2, mss);
			}
		}
		o += olen;
	}
	return above;
}

/* A SYN's TCP header at tcp, seg >= TCP_HDR_MIN bytes of segment: its options clamped. */
static bool clamp_syn(uint8_t *tcp, uint32_t seg, uint16_t mss)
{
	uint32_t doff = (uint32_t)(tcp[12] >> 4) * 4;

	if (doff <= TCP_HDR_MIN || doff > seg)
		return false; /* no options, or a header longer than the segment */
	/* The whole list is checked before a byte changes: a malformed one is left as it came. */
	if (walk_options(tcp, doff, mss, false) <= 0)
		return false;
	walk_options(tcp, doff, mss, true);
	return true;
}

static bool clamp4(uint8_t *ip, uint32_t len, uint16_t mss)
{
	uint32_t ihl, total;

	if (len < IP4_HDR_MIN || ip[9] != TCP_PROTO)
		return false;
	ihl = (uint32_t)(ip[0] & 0xf) * 4;
	total = get16(ip + 2);
	if (total < len)
		len = total;
	if (ihl < IP4_HDR_MIN || len < ihl + TCP_HDR_MIN || !(ip[ihl + 13] & TCP_FLAG_SYN))
		return false;
	/* Fragments after the flags: the SYN test already fails for nearly every packet. */
	if (get16(ip + 6) & 0x3fff) /* MF or a fragment offset */
		return false;
	return clamp_syn(ip + ihl, len - ihl, mss);
}

static bool clamp6(uint8_t *ip, uint32_t len, uint16_t mss)
{
	uint32_t total;

	if (len < IP6_HDR_LEN + TCP_HDR_MIN || ip[6] != TCP_PROTO)
		return false;
	total = IP6_HDR_LEN + get16(ip + 4);
	if (total < len)
		len = total;
	if (len < IP6_HDR_LEN + TCP_HDR_MIN || !(ip[IP6_HDR_LEN + 13] & TCP_FLAG_SYN))
		return false;
	return clamp_syn(ip + IP6_HDR_LEN, len - IP6_HDR_LEN, mss);
}

bool dp_inner_clamp_mss(uint8_t *ip, uint32_t len, uint8_t family, uint16_t mss)
{
	if (family == 4)
		return clamp4(ip, len, mss);
	if (family == 6)
		return clamp6(ip, len, mss);
	return false;
}
