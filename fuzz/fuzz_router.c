/* SPDX-License-Identifier: MIT */
/*
 * The router's own code (lib/dp/router.h) on arbitrary input: dp_frame_for_us on any frame, in
 * an exact-size buffer; dp_router_fragment on an IPv4 packet without DF that is larger than a
 * fuzzed MTU (576..1500), with a fuzzed header (options, flags, offset: it may itself be a
 * fragment), as the worker hands it over (tunnel_too_big, forward_too_big).
 *
 * Oracle for the fragments, with this file's own sums: each is one segment, at most mtu bytes,
 * its total length its size, its header checksum valid, DF still clear, the fixed header the
 * original's but for length, offset and checksum; the first keeps every option, the others
 * none when no option has the copy bit (all of them when the packet was already a fragment at
 * an offset); payloads of all but the last are 8-byte multiples, the
 * offsets run on from the original's, MF is set on all but the last, which keeps the
 * original's MF, and the pieces put back together are the original payload. A refusal (0)
 * only when the header is shorter than 20 bytes or more than max fragments are needed. The
 * pool holds as many mbufs afterwards as before (m is freed, fragments are not leaked).
 *
 * Input: ctl (bit 0: the frame check only), MTU (2 bytes, 576 + v % 925), extra length (2
 * bytes: the packet is mtu + 1 + v bytes, at most 65535), max fragments (1 byte, 0 = all 64),
 * then the packet's bytes: the header as given but for version 4, total length and DF clear;
 * a payload shorter than the length is continued by a counting pattern. The whole input after
 * ctl is also offered to dp_frame_for_us as a frame.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "fuzz_dpdk.h"
#include "dp.h"
#include "router.h"

#define HDR_BYTES 6 /* ctl, mtu, extra length, max */

/*
 * A packet whose offset and length run past 65535 (RFC 791's 13-bit offset cannot say where
 * its later pieces go) must be refused: DPDK would let the offsets overflow into MF and DF
 * (found here, tests/unit/test_router.c "a fragment past 65535").
 */
#define REFUSES_PAST_65535 1

static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static struct wgdp_port_config port_cfg = {
	.role = WGDP_ROLE_INSIDE,
	.addrs = {
		{ .addr = { 4, { 10, 0, 0, 1 } }, .len = 24 },
		{ .addr = { 6, { 0x20, 0x01, 0x0d, 0xb8, [13] = 0xab, 0xcd, 0xef } }, .len = 64 },
		{ .addr = { 6, { 0xfe, 0x80, [11] = 0xff, 0xfe, 0, 0, 0x01 } }, .len = 64 },
	},
	.n_addrs = 3,
};
static struct dp_port port;
static struct dp_ctx *dp;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	fuzz_eal_init((*argv)[0], 256);
	dp = calloc(1, sizeof(*dp));
	CHECK(dp);
	dp_icmp_global_init(&dp->icmp_global);
	port.iface.cfg = &port_cfg;
	memcpy(port.iface.mac.addr_bytes, our_mac, 6);
	port.inside = true;
	return 0;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint32_t sum16(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/* Ours, broadcast, all-nodes, or the solicited-node group of one of the port's IPv6 addresses. */
static bool expect_for_us(const uint8_t *f, size_t len)
{
	const uint8_t *d = f;

	if (len < 14 || memcmp(d, our_mac, 6) == 0)
		return true;
	if (memcmp(d, "\xff\xff\xff\xff\xff\xff", 6) == 0)
		return true;
	if (memcmp(d, "\x33\x33\x00\x00\x00\x01", 6) == 0)
		return true;
	if (d[0] != 0x33 || d[1] != 0x33 || d[2] != 0xff)
		return false;
	for (unsigned int i = 0; i < port_cfg.n_addrs; i++)
		if (port_cfg.addrs[i].addr.family == 6 &&
		    memcmp(port_cfg.addrs[i].addr.bytes + 13, d + 3, 3) == 0)
			return true;
	return false;
}

static void frame_for_us(const uint8_t *f, size_t len)
{
	struct rte_mbuf *m = fuzz_mbuf(f, len, 0);

	if (!m)
		return;
	CHECK(dp_frame_for_us(&port, m) == expect_for_us(f, len));
	rte_pktmbuf_free(m);
}

/* The original packet, for the oracle. */
struct orig {
	const uint8_t *ip;
	uint32_t len, ihl, payload;
	uint16_t flags; /* the flags and offset word as it came */
	bool copies;	/* an option byte has the copy bit: later fragments may carry options */
};

/* One fragment's header against the original; returns its payload length and offset. */
static void check_header(const struct orig *o, const uint8_t *h, uint32_t len, uint16_t mtu,
			 bool first, uint32_t *fihl, uint32_t *off, bool *mf)
{
	uint16_t fw = rd16(h + 6);

	CHECK(len <= mtu && len >= 20 && rd16(h + 2) == len);
	CHECK(h[0] >> 4 == 4);
	*fihl = (uint32_t)(h[0] & 0xf) * 4;
	CHECK(*fihl >= 20 && *fihl < len);
	CHECK(fold(sum16(h, *fihl)) == 0xffff);
	/* Version, TOS, id, TTL, protocol, addresses: one datagram, as it came. */
	CHECK(h[1] == o->ip[1] && memcmp(h + 4, o->ip + 4, 2) == 0);
	CHECK(memcmp(h + 8, o->ip + 8, 2) == 0 && memcmp(h + 12, o->ip + 12, 8) == 0);
	/* DF stays clear, the reserved bit as it came. */
	CHECK((fw & 0xc000) == (o->flags & 0xc000));
	/* RFC 791: a fragment at offset 0 keeps every option, the others only the copied ones;
	 * a packet that was already a later fragment keeps its header as it came. */
	if (first || (o->flags & 0x1fff))
		CHECK(*fihl == o->ihl && memcmp(h + 20, o->ip + 20, o->ihl - 20) == 0);
	else
		CHECK(*fihl <= o->ihl && (o->copies || *fihl == 20));
	*off = (uint32_t)(fw & 0x1fff) * 8;
	*mf = fw & 0x2000;
}

static void check_fragments(const struct orig *o, struct rte_mbuf **frags, unsigned int n,
			    uint16_t mtu)
{
	uint32_t start = (uint32_t)(o->flags & 0x1fff) * 8, at = 0;
	uint8_t *whole = malloc(o->payload);

	CHECK(whole);
	for (unsigned int i = 0; i < n; i++) {
		const struct rte_mbuf *f = frags[i];
		const uint8_t *h = rte_pktmbuf_mtod(f, const uint8_t *);
		uint32_t len = rte_pktmbuf_data_len(f), fihl, off, piece;
		bool mf, last = i + 1 == n;

		CHECK(f->nb_segs == 1 && rte_pktmbuf_pkt_len(f) == len);
		check_header(o, h, len, mtu, i == 0, &fihl, &off, &mf);
		piece = len - fihl;
		CHECK(off == start + at);
		CHECK(last || piece % 8 == 0);
		CHECK(mf == (last ? (o->flags & 0x2000) != 0 : true));
		CHECK(at + piece <= o->payload);
		memcpy(whole + at, h + fihl, piece);
		at += piece;
	}
	CHECK(at == o->payload);
	CHECK(memcmp(whole, o->ip + o->ihl, o->payload) == 0);
	free(whole);
}

/* The packet of len bytes from the input bytes p[0..n), as the worker would hand it over. */
static uint8_t *make_packet(const uint8_t *p, size_t n, uint32_t len)
{
	uint8_t *ip = malloc(len);

	CHECK(ip);
	memcpy(ip, p, n < len ? n : len);
	if (n < 20)
		memset(ip + n, 0, 20 - n);
	for (uint32_t i = (uint32_t)(n > 20 ? n : 20); i < len; i++)
		ip[i] = (uint8_t)(i + i / 251);
	ip[0] = (uint8_t)(0x40 | (ip[0] & 0xf));
	ip[2] = (uint8_t)(len >> 8);
	ip[3] = (uint8_t)len;
	ip[6] &= (uint8_t)~0x40;
	return ip;
}

static void fragment(const uint8_t *p, size_t n, uint16_t mtu, uint32_t len, unsigned int max)
{
	struct rte_mempool *pool = fuzz_pool();
	unsigned int before = rte_mempool_avail_count(pool), got;
	int cut;
	struct rte_mbuf *frags[DP_MAX_FRAGMENTS], *m;
	struct dp_router r;
	struct orig o;
	uint32_t piece;
	bool can, past;

	o.ip = make_packet(p, n, len);
	o.len = len;
	o.ihl = (uint32_t)(o.ip[0] & 0xf) * 4;
	o.payload = len - o.ihl;
	o.flags = rd16(o.ip + 6);
	o.copies = false;
	for (uint32_t i = 20; i < o.ihl; i++)
		o.copies |= (o.ip[i] & 0x80) != 0;
	m = fuzz_mbuf(o.ip, len, 0);
	if (!m) {
		free((void *)o.ip);
		return;
	}
	dp_router_init(dp, &r, 1);
	cut = dp_router_fragment(&r, pool, m, mtu, frags, max);
	CHECK(cut >= 0); /* the pool has room for every piece: never "no mbuf" here */
	got = cut < 0 ? 0 : (unsigned int)cut;
	piece = o.ihl >= 20 ? (mtu - o.ihl) & ~7u : 0;
	can = o.ihl >= 20 && (o.payload + piece - 1) / piece <= max;
	past = (uint32_t)(o.flags & 0x1fff) * 8 + o.payload > 65535;
	CHECK(got <= max && r.stats.fragmented == (got ? 1 : 0) && r.stats.fragments == got);
	if (!can) {
		CHECK(got == 0);
	} else if (past) {
		CHECK(!REFUSES_PAST_65535 || got == 0);
	} else {
		CHECK(got == (o.payload + piece - 1) / piece);
		check_fragments(&o, frags, got, mtu);
	}
	for (unsigned int i = 0; i < got; i++)
		rte_pktmbuf_free(frags[i]);
	CHECK(rte_mempool_avail_count(pool) == before);
	free((void *)o.ip);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t mtu;
	uint32_t len;
	unsigned int max;

	if (size < 1 || size > 8192)
		return 0;
	frame_for_us(data + 1, size - 1);
	if (size < HDR_BYTES || (data[0] & 1))
		return 0;
	mtu = (uint16_t)(576 + rd16(data + 1) % 925);
	len = (uint32_t)mtu + 1 + rd16(data + 3);
	if (len > 65535)
		len = 65535;
	max = data[5] == 0 || data[5] > DP_MAX_FRAGMENTS ? DP_MAX_FRAGMENTS : data[5];
	fragment(data + HDR_BYTES, size - HDR_BYTES, mtu, len, max);
	return 0;
}
