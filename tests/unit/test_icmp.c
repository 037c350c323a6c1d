/* SPDX-License-Identifier: MIT */
/*
 * lib/dp/icmp.h: the errors built about forwarded packets, whether a packet may be answered,
 * and the rate limits driven by hand-set times. Checksums are verified by this file's own
 * byte-wise RFC 1071 sum, not by the DPDK routines the builder uses; two errors are compared
 * with whole known answers computed apart from this code (Python, by the RFCs' field layout).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "icmp.h"
#include "unit.h"
#include "unit_eal.h"

#define MS  1000000ull
#define SEC 1000000000ull

static struct rte_mempool *pool;

static const uint8_t our4[4] = { 10, 0, 0, 254 };
static const uint8_t peer4[4] = { 10, 0, 1, 2 };
static const uint8_t far4[4] = { 192, 0, 2, 80 };
static const uint8_t our6[16] = { 0xfd, 0, [15] = 0xfe };
static const uint8_t peer6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 1, [15] = 2 };
static const uint8_t far6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x80 };

/* ---- independent helpers (the RFC 1071 sums are unit_sum16 / unit_fold) ---- */

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* True when the ICMPv6 message at ip + 40 sums to all ones with its pseudo-header. */
static bool icmp6_sum_ok(const uint8_t *ip)
{
	uint32_t plen = rd16(ip + 4);
	uint32_t s = unit_sum16(0, ip + 8, 32) + (plen >> 16) + (plen & 0xffff) + 58;

	return unit_fold(unit_sum16(s, ip + 40, plen)) == 0xffff;
}

/* ---- offenders ---- */

/* An IPv4 UDP packet from src to dst: ihl_words of header (options 0x01 NOPs), total bytes. */
static size_t offender4(uint8_t *p, unsigned int ihl_words, size_t total, const uint8_t *src,
			const uint8_t *dst)
{
	size_t ihl = ihl_words * 4;

	memset(p, 0, total);
	p[0] = (uint8_t)(0x40 | ihl_words);
	wr16(p + 2, (unsigned int)total);
	wr16(p + 4, 0x1234);
	wr16(p + 6, 0x4000); /* DF */
	p[8] = 1;
	p[9] = 17;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	memset(p + 20, 1, ihl - 20);
	wr16(p + 10, (uint16_t)~unit_fold(unit_sum16(0, p, ihl)));
	for (size_t i = ihl; i < total; i++)
		p[i] = (uint8_t)(i * 7 + 3);
	return total;
}

static size_t offender6(uint8_t *p, size_t total, uint8_t next, const uint8_t *src,
			const uint8_t *dst)
{
	memset(p, 0, total);
	p[0] = 0x60;
	wr16(p + 4, (unsigned int)(total - 40));
	p[6] = next;
	p[7] = 1;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	for (size_t i = 40; i < total; i++)
		p[i] = (uint8_t)(i * 5 + 1);
	return total;
}

/* An mbuf with data at headroom bytes into its buffer: the offender, then pad bytes of 0xee. */
static struct rte_mbuf *mbuf_with(const uint8_t *p, size_t len, size_t pad, uint16_t headroom)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	m->data_off = headroom;
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(len + pad));
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	memcpy(d, p, len);
	memset(d + len, 0xee, pad);
	return m;
}

/* ---- the IPv4 errors ---- */

/* What every IPv4 error must be; returns the ICMP header. */
static const uint8_t *check4(struct rte_mbuf *m, const uint8_t *offender, size_t quote)
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);

	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_data_len(m), 28 + quote);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 28 + quote);
	CU_ASSERT_EQUAL(ip[0], 0x45);
	CU_ASSERT_EQUAL(rd16(ip + 2), 28 + quote);
	CU_ASSERT_EQUAL(rd16(ip + 4), 0);   /* id */
	CU_ASSERT_EQUAL(rd16(ip + 6), 0);   /* DF clear, no fragment */
	CU_ASSERT_EQUAL(ip[8], 64);
	CU_ASSERT_EQUAL(ip[9], 1);
	UNIT_ASSERT_MEM(ip + 12, our4, 4);
	UNIT_ASSERT_MEM(ip + 16, offender + 12, 4);
	CU_ASSERT_EQUAL(unit_fold(unit_sum16(0, ip, 20)), 0xffff);
	CU_ASSERT_EQUAL(unit_fold(unit_sum16(0, ip + 20, 8 + quote)), 0xffff);
	UNIT_ASSERT_MEM(ip + 28, offender, quote);
	return ip + 20;
}

static void test_time_exceeded4(void)
{
	uint8_t p[120];
	struct rte_mbuf *m = mbuf_with(p, offender4(p, 5, sizeof(p), peer4, far4), 0, 128);
	const uint8_t *icmp;

	CU_ASSERT_TRUE_FATAL(dp_icmp_build(m, 4, DP_ICMP_TIME_EXCEEDED, 1400, our4));
	icmp = check4(m, p, 20 + 8);
	CU_ASSERT_EQUAL(icmp[0], 11);
	CU_ASSERT_EQUAL(icmp[1], 0);
	CU_ASSERT_EQUAL(rd32(icmp + 4), 0); /* unused: the MTU is for FRAG_NEEDED only */
	rte_pktmbuf_free(m);
}

/* An offender with 12 bytes of options: the quote is its whole 32-byte header and 8 more. */
static void test_frag_needed4_options(void)
{
	uint8_t p[1500];
	struct rte_mbuf *m = mbuf_with(p, offender4(p, 8, sizeof(p), peer4, far4), 0, 128);
	const uint8_t *icmp;

	CU_ASSERT_TRUE_FATAL(dp_icmp_build(m, 4, DP_ICMP_FRAG_NEEDED, 1420, our4));
	icmp = check4(m, p, 32 + 8);
	CU_ASSERT_EQUAL(icmp[0], 3);
	CU_ASSERT_EQUAL(icmp[1], 4);
	CU_ASSERT_EQUAL(rd16(icmp + 4), 0);
	CU_ASSERT_EQUAL(rd16(icmp + 6), 1420); /* RFC 1191 next-hop MTU */
	rte_pktmbuf_free(m);
}

/* 23 bytes, followed by WireGuard's padding in the mbuf: quoted whole, the padding not. */
static void test_unreach4_short(void)
{
	uint8_t p[23];
	struct rte_mbuf *m = mbuf_with(p, offender4(p, 5, sizeof(p), peer4, far4), 9, 128);
	const uint8_t *icmp;

	CU_ASSERT_TRUE_FATAL(dp_icmp_build(m, 4, DP_ICMP_HOST_UNREACH, 0, our4));
	icmp = check4(m, p, sizeof(p));
	CU_ASSERT_EQUAL(icmp[0], 3);
	CU_ASSERT_EQUAL(icmp[1], 1);
	rte_pktmbuf_free(m);
}

/* Compares the error built about offender_hex with want_hex (both whole packets). */
static void known_answer(uint8_t family, enum dp_icmp_kind kind, uint16_t mtu,
			 const char *offender_hex, const char *want_hex)
{
	uint8_t p[128], want[256];
	size_t n = unit_hex(p, sizeof(p), offender_hex);
	size_t wn = unit_hex(want, sizeof(want), want_hex);
	struct rte_mbuf *m = mbuf_with(p, n, 0, 64);

	CU_ASSERT_TRUE_FATAL(dp_icmp_build(m, family, kind, mtu, family == 4 ? our4 : our6));
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_data_len(m), wn);
	UNIT_ASSERT_MEM(rte_pktmbuf_mtod(m, const uint8_t *), want, wn);
	rte_pktmbuf_free(m);
}

/*
 * Whole known answers, computed apart from this code (Python, from the field layouts of RFC
 * 791/792 and RFC 8200/4443, RFC 1071 sums). v4: 10.0.1.2 -> 192.0.2.80 UDP 1234 -> 53 with 8
 * bytes of payload; time exceeded from 10.0.0.254, precedence 6, quoting 20 + 8 bytes.
 */
static void test_known_answer4(void)
{
	known_answer(4, DP_ICMP_TIME_EXCEEDED, 0,
		     "45000024000040000111ac770a000102c0000250" "04d2003500100000"
		     "6162636465666768",
		     "45c0003800000000400164060a0000fe0a000102" "0b00efe800000000"
		     "45000024000040000111ac770a000102c0000250" "04d2003500100000");
}

/* v6: fd00:0:0:1::2 -> 2001:db8::80, no next header, 8 bytes; address unreachable from fd00::fe,
 * the whole offender quoted. */
static void test_known_answer6(void)
{
	known_answer(6, DP_ICMP_HOST_UNREACH, 0,
		     "6000000000083b01fd000000000000010000000000000002"
		     "20010db8000000000000000000000080c9ced3d8dde2e7ec",
		     "6000000000383a40fd0000000000000000000000000000fe"
		     "fd000000000000010000000000000002" "0103d9c900000000"
		     "6000000000083b01fd000000000000010000000000000002"
		     "20010db8000000000000000000000080c9ced3d8dde2e7ec");
}

/* ---- the IPv6 errors ---- */

static const uint8_t *check6(struct rte_mbuf *m, const uint8_t *offender, size_t quote)
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);

	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_data_len(m), 48 + quote);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 48 + quote);
	CU_ASSERT(rte_pktmbuf_data_len(m) <= 1280);
	CU_ASSERT_EQUAL(ip[0] >> 4, 6);
	CU_ASSERT_EQUAL(rd16(ip + 4), 8 + quote);
	CU_ASSERT_EQUAL(ip[6], 58);
	CU_ASSERT_EQUAL(ip[7], 64);
	UNIT_ASSERT_MEM(ip + 8, our6, 16);
	UNIT_ASSERT_MEM(ip + 24, offender + 8, 16);
	CU_ASSERT_TRUE(icmp6_sum_ok(ip));
	UNIT_ASSERT_MEM(ip + 48, offender, quote);
	return ip + 40;
}

/* RFC 4443 2.4(c): a 1500-byte offender is cut so that the error is 1280 bytes. */
static void test_time_exceeded6_truncated(void)
{
	uint8_t p[1500];
	struct rte_mbuf *m = mbuf_with(p, offender6(p, sizeof(p), 17, peer6, far6), 0, 128);
	const uint8_t *icmp;

	CU_ASSERT_TRUE_FATAL(dp_icmp_build(m, 6, DP_ICMP_TIME_EXCEEDED, 1400, our6));
	icmp = check6(m, p, 1280 - 48);
	CU_ASSERT_EQUAL(rte_pktmbuf_data_len(m), 1280);
	CU_ASSERT_EQUAL(icmp[0], 3);
	CU_ASSERT_EQUAL(icmp[1], 0);
	CU_ASSERT_EQUAL(rd32(icmp + 4), 0);
	rte_pktmbuf_free(m);
}

static void test_packet_too_big6(void)
{
	uint8_t p[1400];
	struct rte_mbuf *m = mbuf_with(p, offender6(p, sizeof(p), 6, peer6, far6), 0, 128);
	const uint8_t *icmp;

	CU_ASSERT_TRUE_FATAL(dp_icmp_build(m, 6, DP_ICMP_FRAG_NEEDED, 1280, our6));
	icmp = check6(m, p, 1280 - 48);
	CU_ASSERT_EQUAL(icmp[0], 2);
	CU_ASSERT_EQUAL(icmp[1], 0);
	CU_ASSERT_EQUAL(rd32(icmp + 4), 1280);
	rte_pktmbuf_free(m);
}

static void test_unreach6_short(void)
{
	uint8_t p[50];
	struct rte_mbuf *m = mbuf_with(p, offender6(p, sizeof(p), 17, peer6, far6), 14, 48);
	const uint8_t *icmp;

	CU_ASSERT_TRUE_FATAL(dp_icmp_build(m, 6, DP_ICMP_HOST_UNREACH, 0, our6));
	icmp = check6(m, p, sizeof(p));
	CU_ASSERT_EQUAL(icmp[0], 1);
	CU_ASSERT_EQUAL(icmp[1], 3);
	CU_ASSERT_EQUAL(rd32(icmp + 4), 0);
	rte_pktmbuf_free(m);
}

/* ---- refusals leave m as it was ---- */

static void expect_untouched(struct rte_mbuf *m, uint8_t family, enum dp_icmp_kind kind)
{
	uint16_t off = m->data_off, dlen = rte_pktmbuf_data_len(m);
	uint8_t before[RTE_MBUF_DEFAULT_BUF_SIZE];

	memcpy(before, m->buf_addr, m->buf_len);
	CU_ASSERT_FALSE(dp_icmp_build(m, family, kind, 1280, family == 4 ? our4 : our6));
	CU_ASSERT_EQUAL(m->data_off, off);
	CU_ASSERT_EQUAL(rte_pktmbuf_data_len(m), dlen);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), dlen);
	UNIT_ASSERT_MEM(m->buf_addr, before, m->buf_len);
}

static void test_no_headroom(void)
{
	uint8_t p[200];
	struct rte_mbuf *m;

	offender4(p, 5, sizeof(p), peer4, far4);
	m = mbuf_with(p, sizeof(p), 0, 27);
	expect_untouched(m, 4, DP_ICMP_TIME_EXCEEDED);
	rte_pktmbuf_free(m);
	m = mbuf_with(p, sizeof(p), 0, 28); /* exactly enough */
	CU_ASSERT_TRUE(dp_icmp_build(m, 4, DP_ICMP_TIME_EXCEEDED, 0, our4));
	CU_ASSERT_EQUAL(m->data_off, 0);
	rte_pktmbuf_free(m);

	offender6(p, sizeof(p), 17, peer6, far6);
	m = mbuf_with(p, sizeof(p), 0, 47);
	expect_untouched(m, 6, DP_ICMP_FRAG_NEEDED);
	rte_pktmbuf_free(m);
	m = mbuf_with(p, sizeof(p), 0, 48);
	CU_ASSERT_TRUE(dp_icmp_build(m, 6, DP_ICMP_FRAG_NEEDED, 1280, our6));
	CU_ASSERT_EQUAL(m->data_off, 0);
	rte_pktmbuf_free(m);
}

/* Headers at odd addresses (UBSan would see a misaligned access) build the same errors. */
static void test_odd_addresses(void)
{
	uint8_t p[200];
	struct rte_mbuf *m;

	offender4(p, 6, sizeof(p), peer4, far4);
	m = mbuf_with(p, sizeof(p), 0, 29);
	CU_ASSERT_TRUE_FATAL(dp_icmp_build(m, 4, DP_ICMP_FRAG_NEEDED, 1400, our4));
	CU_ASSERT_EQUAL(m->data_off, 1);
	check4(m, p, 24 + 8);
	rte_pktmbuf_free(m);

	offender6(p, sizeof(p), 17, peer6, far6);
	m = mbuf_with(p, sizeof(p), 0, 51);
	CU_ASSERT_TRUE_FATAL(dp_icmp_build(m, 6, DP_ICMP_TIME_EXCEEDED, 0, our6));
	CU_ASSERT_EQUAL(m->data_off, 3);
	check6(m, p, sizeof(p));
	rte_pktmbuf_free(m);
}

/* Shorter than its own header (options cut, IPv6 header cut), chained, or a bad argument. */
static void test_refusals(void)
{
	uint8_t p[60];
	struct rte_mbuf *m, *tail;

	offender4(p, 15, sizeof(p), peer4, far4);
	m = mbuf_with(p, 40, 0, 128); /* a 60-byte header, 40 bytes there */
	expect_untouched(m, 4, DP_ICMP_HOST_UNREACH);
	rte_pktmbuf_free(m);

	offender4(p, 5, 40, peer4, far4);
	p[0] = 0x44; /* IHL 4: 16 bytes, less than any IPv4 header */
	m = mbuf_with(p, 40, 0, 128);
	expect_untouched(m, 4, DP_ICMP_HOST_UNREACH);
	rte_pktmbuf_free(m);

	offender6(p, 60, 17, peer6, far6);
	m = mbuf_with(p, 39, 0, 128);
	expect_untouched(m, 6, DP_ICMP_HOST_UNREACH);
	rte_pktmbuf_free(m);

	m = mbuf_with(p, 60, 0, 128);
	expect_untouched(m, 6, DP_ICMP_KIND_COUNT);
	expect_untouched(m, 5, DP_ICMP_HOST_UNREACH);
	tail = rte_pktmbuf_alloc(pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tail);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rte_pktmbuf_append(tail, 10));
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(m, tail), 0);
	CU_ASSERT_FALSE(dp_icmp_build(m, 6, DP_ICMP_HOST_UNREACH, 0, our6));
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 70);
	rte_pktmbuf_free(m);
}

static void test_kind_names(void)
{
	CU_ASSERT_STRING_EQUAL(dp_icmp_kind_name(DP_ICMP_TIME_EXCEEDED), "time_exceeded");
	CU_ASSERT_STRING_EQUAL(dp_icmp_kind_name(DP_ICMP_FRAG_NEEDED), "frag_needed");
	CU_ASSERT_STRING_EQUAL(dp_icmp_kind_name(DP_ICMP_HOST_UNREACH), "unreachable");
	CU_ASSERT_STRING_EQUAL(dp_icmp_kind_name(DP_ICMP_KIND_COUNT), "unknown");
}

/* ---- may we answer ---- */

/* Every error we build, fed back as an offender, must not be answered; an echo between the
 * same addresses must (so that the refusal is about the error, not the addresses). */
static void test_no_error_about_an_error(void)
{
	for (uint8_t family = 4; family <= 6; family += 2) {
		for (int k = 0; k < DP_ICMP_KIND_COUNT; k++) {
			uint8_t p[300];
			size_t n = family == 4 ? offender4(p, 5, sizeof(p), peer4, far4)
					       : offender6(p, sizeof(p), 17, peer6, far6);
			struct rte_mbuf *m = mbuf_with(p, n, 0, 128);
			const uint8_t *src = family == 4 ? our4 : our6;
			uint8_t *e;
			uint32_t len;

			CU_ASSERT_TRUE(dp_icmp_may_answer(p, (uint32_t)n, family));
			CU_ASSERT_TRUE_FATAL(dp_icmp_build(m, family, k, 1280, src));
			e = rte_pktmbuf_mtod(m, uint8_t *);
			len = rte_pktmbuf_data_len(m);
			CU_ASSERT_FALSE(dp_icmp_may_answer(e, len, family));
			e[family == 4 ? 20 : 40] = family == 4 ? 8 : 128; /* now an echo */
			CU_ASSERT_TRUE(dp_icmp_may_answer(e, len, family));
			rte_pktmbuf_free(m);
		}
	}
}

static bool answer_icmp4(uint8_t type)
{
	uint8_t p[28];

	offender4(p, 5, sizeof(p), peer4, far4);
	p[9] = 1;
	p[20] = type;
	return dp_icmp_may_answer(p, sizeof(p), 4);
}

static bool answer_icmp6(uint8_t type)
{
	uint8_t p[48];

	offender6(p, sizeof(p), 58, peer6, far6);
	p[40] = type;
	return dp_icmp_may_answer(p, sizeof(p), 6);
}

static void test_icmp_types(void)
{
	static const uint8_t queries4[] = { 0, 8, 9, 10, 13, 14, 15, 16, 17, 18 };
	static const uint8_t errors4[] = { 3, 4, 5, 11, 12, 1, 2, 6, 7, 19, 40, 255 };
	static const uint8_t info6[] = { 128, 129, 133, 135, 136, 255 };
	static const uint8_t errors6[] = { 0, 1, 2, 3, 4, 127, 137 };

	for (size_t i = 0; i < sizeof(queries4); i++)
		CU_ASSERT_TRUE(answer_icmp4(queries4[i]));
	for (size_t i = 0; i < sizeof(errors4); i++)
		CU_ASSERT_FALSE(answer_icmp4(errors4[i]));
	for (size_t i = 0; i < sizeof(info6); i++)
		CU_ASSERT_TRUE(answer_icmp6(info6[i]));
	for (size_t i = 0; i < sizeof(errors6); i++)
		CU_ASSERT_FALSE(answer_icmp6(errors6[i]));
}

static void test_fragments4(void)
{
	uint8_t p[100];

	offender4(p, 5, sizeof(p), peer4, far4);
	wr16(p + 6, 0x2000); /* MF, offset 0: the first fragment */
	CU_ASSERT_TRUE(dp_icmp_may_answer(p, sizeof(p), 4));
	wr16(p + 6, 0x2000 | 185);
	CU_ASSERT_FALSE(dp_icmp_may_answer(p, sizeof(p), 4));
	wr16(p + 6, 1); /* the last fragment: offset 8 bytes, MF clear */
	CU_ASSERT_FALSE(dp_icmp_may_answer(p, sizeof(p), 4));
}

/* A hop-by-hop header (8 bytes), then a fragment header with offset frag_off, then UDP. */
static bool answer_frag6(unsigned int frag_off, bool more)
{
	uint8_t p[100];

	offender6(p, sizeof(p), 0, peer6, far6);
	memset(p + 40, 0, 16);
	p[40] = 44; /* next: fragment */
	p[41] = 0;  /* 8 bytes */
	p[48] = 17;
	wr16(p + 50, frag_off << 3 | more);
	return dp_icmp_may_answer(p, sizeof(p), 6);
}

static void test_fragments6(void)
{
	CU_ASSERT_TRUE(answer_frag6(0, true));
	CU_ASSERT_TRUE(answer_frag6(0, false));
	CU_ASSERT_FALSE(answer_frag6(1, true));
	CU_ASSERT_FALSE(answer_frag6(160, false));
	CU_ASSERT_FALSE(answer_frag6(8191, false));
}

/* n destination-options headers of 16 bytes each, then an ICMPv6 message of type type. */
static bool answer_chain6(unsigned int n, uint8_t type, size_t cut)
{
	uint8_t p[40 + 16 * 12 + 8];
	size_t len = 40 + 16 * n + 8;

	offender6(p, len, n ? 60 : 58, peer6, far6);
	for (unsigned int i = 0; i < n; i++) {
		p[40 + 16 * i] = i + 1 < n ? 60 : 58;
		p[40 + 16 * i + 1] = 1;
	}
	p[40 + 16 * n] = type;
	return dp_icmp_may_answer(p, (uint32_t)(len - cut), 6);
}

static void test_ext_chain6(void)
{
	CU_ASSERT_TRUE(answer_chain6(3, 128, 0));
	CU_ASSERT_FALSE(answer_chain6(3, 1, 0));   /* an error behind three headers */
	CU_ASSERT_FALSE(answer_chain6(3, 137, 0)); /* a redirect */
	CU_ASSERT_TRUE(answer_chain6(DP_ICMP_MAX_EXT_HDRS, 128, 0));
	CU_ASSERT_FALSE(answer_chain6(DP_ICMP_MAX_EXT_HDRS + 1, 128, 0)); /* too long to tell */
	CU_ASSERT_FALSE(answer_chain6(3, 128, 8));  /* the ICMPv6 type is past len */
	CU_ASSERT_FALSE(answer_chain6(3, 128, 20)); /* the last header runs past len */
}

static bool answer4(const uint8_t *src, const uint8_t *dst)
{
	uint8_t p[40];

	offender4(p, 5, sizeof(p), src, dst);
	return dp_icmp_may_answer(p, sizeof(p), 4);
}

static bool answer6(const uint8_t *src, const uint8_t *dst)
{
	uint8_t p[60];

	offender6(p, sizeof(p), 17, src, dst);
	return dp_icmp_may_answer(p, sizeof(p), 6);
}

static void test_addresses4(void)
{
	static const uint8_t bad_dst[][4] = {
		{ 224, 0, 0, 1 }, { 239, 255, 255, 250 }, { 255, 255, 255, 255 },
	};
	static const uint8_t bad_src[][4] = {
		{ 0, 0, 0, 0 }, { 0, 1, 2, 3 }, { 127, 0, 0, 1 }, { 224, 0, 0, 5 },
		{ 240, 0, 0, 1 }, { 255, 255, 255, 255 },
	};

	CU_ASSERT_TRUE(answer4(peer4, far4));
	CU_ASSERT_TRUE(answer4(peer4, (const uint8_t[]){ 223, 255, 255, 255 }));
	CU_ASSERT_TRUE(answer4(peer4, (const uint8_t[]){ 240, 0, 0, 1 })); /* not a group */
	CU_ASSERT_TRUE(answer4((const uint8_t[]){ 1, 0, 0, 0 }, far4));
	CU_ASSERT_TRUE(answer4((const uint8_t[]){ 223, 255, 255, 254 }, far4));
	for (size_t i = 0; i < RTE_DIM(bad_dst); i++)
		CU_ASSERT_FALSE(answer4(peer4, bad_dst[i]));
	for (size_t i = 0; i < RTE_DIM(bad_src); i++)
		CU_ASSERT_FALSE(answer4(bad_src[i], far4));
}

static void test_addresses6(void)
{
	static const uint8_t any[16], loopback[16] = { [15] = 1 };
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	static const uint8_t group[16] = { 0xff, 0x0e, [15] = 0x42 };
	static const uint8_t two[16] = { [15] = 2 };

	CU_ASSERT_TRUE(answer6(peer6, far6));
	CU_ASSERT_TRUE(answer6(two, far6));
	CU_ASSERT_FALSE(answer6(peer6, all_nodes));
	CU_ASSERT_FALSE(answer6(peer6, group));
	CU_ASSERT_FALSE(answer6(any, far6));
	CU_ASSERT_FALSE(answer6(loopback, far6));
	CU_ASSERT_FALSE(answer6(all_nodes, far6));
}

static void test_truncated(void)
{
	uint8_t p[64];

	offender4(p, 5, sizeof(p), peer4, far4);
	CU_ASSERT_TRUE(dp_icmp_may_answer(p, 20, 4));
	CU_ASSERT_FALSE(dp_icmp_may_answer(p, 19, 4));
	CU_ASSERT_FALSE(dp_icmp_may_answer(p, 0, 4));
	p[9] = 1; /* ICMP, but no type byte */
	CU_ASSERT_FALSE(dp_icmp_may_answer(p, 20, 4));
	offender4(p, 6, sizeof(p), peer4, far4);
	CU_ASSERT_FALSE(dp_icmp_may_answer(p, 23, 4)); /* options cut */
	CU_ASSERT_TRUE(dp_icmp_may_answer(p, 24, 4));
	p[0] = 0x44;
	CU_ASSERT_FALSE(dp_icmp_may_answer(p, sizeof(p), 4));

	offender6(p, sizeof(p), 17, peer6, far6);
	CU_ASSERT_TRUE(dp_icmp_may_answer(p, 40, 6));
	CU_ASSERT_FALSE(dp_icmp_may_answer(p, 39, 6));
	p[6] = 0; /* a hop-by-hop header that is not there */
	CU_ASSERT_FALSE(dp_icmp_may_answer(p, 41, 6));
	CU_ASSERT_FALSE(dp_icmp_may_answer(p, sizeof(p), 5));
}

/* ---- rate limits ---- */

static struct dp_icmp_global global;
static struct dp_icmp_limiter lim, lim2;

/* How many of n errors to dst at now the limiter allows. */
static unsigned int burst(struct dp_icmp_limiter *l, const uint8_t *dst, uint8_t family,
			  uint64_t now, unsigned int n)
{
	unsigned int ok = 0;

	for (unsigned int i = 0; i < n; i++)
		ok += dp_icmp_limit_allow(l, family, dst, now);
	return ok;
}

static void fresh(void)
{
	dp_icmp_global_init(&global);
	dp_icmp_limiter_init(&lim, &global, 1);
	dp_icmp_limiter_init(&lim2, &global, 2);
}

static void test_limit_burst_refill(void)
{
	const uint64_t t0 = 5 * SEC;

	fresh();
	CU_ASSERT_EQUAL(burst(&lim, peer4, 4, t0, 15), DP_ICMP_DST_BURST);
	CU_ASSERT_EQUAL(burst(&lim, peer4, 4, t0 + 99 * MS, 5), 0);
	CU_ASSERT_EQUAL(burst(&lim, peer4, 4, t0 + 100 * MS, 5), 1); /* 10 a second */
	CU_ASSERT_EQUAL(burst(&lim, peer4, 4, t0 + 350 * MS, 5), 2);
	CU_ASSERT_EQUAL(burst(&lim, peer4, 4, t0 + 10 * SEC, 15), DP_ICMP_DST_BURST);
	CU_ASSERT_FALSE(dp_icmp_limit_allow(&lim, 0, peer4, t0 + 20 * SEC));
}

static void test_limit_per_destination(void)
{
	const uint64_t t0 = 1;

	fresh();
	CU_ASSERT_EQUAL(burst(&lim, peer4, 4, t0, 15), 10);
	CU_ASSERT_EQUAL(burst(&lim, far4, 4, t0, 15), 10);
	CU_ASSERT_EQUAL(burst(&lim, peer6, 6, t0, 15), 10);
	CU_ASSERT_EQUAL(burst(&lim, far6, 6, t0, 15), 10);
	/* Another worker's limiter has buckets of its own; the global one is shared. */
	CU_ASSERT_EQUAL(burst(&lim2, peer4, 4, t0, 15), 10);
	CU_ASSERT_EQUAL(burst(&lim, peer4, 4, t0, 1), 0);
}

/* Distinct destinations 10.1.x.y, so that only the global bucket can refuse. */
static unsigned int spread(struct dp_icmp_limiter *l, uint64_t now, unsigned int n,
			   unsigned int first)
{
	unsigned int ok = 0;

	for (unsigned int i = first; i < first + n; i++) {
		uint8_t dst[4] = { 10, 1, (uint8_t)(i >> 8), (uint8_t)i };

		ok += dp_icmp_limit_allow(l, 4, dst, now);
	}
	return ok;
}

static void test_limit_global(void)
{
	const uint64_t t0 = 7 * SEC;

	fresh();
	CU_ASSERT_EQUAL(spread(&lim, t0, 30, 0) + spread(&lim2, t0, 30, 100),
			DP_ICMP_GLOBAL_BURST);
	CU_ASSERT_EQUAL(spread(&lim, t0, 10, 200), 0);
	CU_ASSERT_EQUAL(spread(&lim2, t0 + 1 * MS, 10, 300), 1); /* 1000 a second */
	CU_ASSERT_EQUAL(spread(&lim, t0 + 21 * MS, 30, 400), 20);
	CU_ASSERT_EQUAL(spread(&lim, t0 + 10 * SEC, 100, 500), DP_ICMP_GLOBAL_BURST);
}

struct racer {
	struct dp_icmp_limiter *l;
	unsigned int first;
	unsigned int allowed;
};

static void *race(void *arg)
{
	struct racer *r = arg;

	r->allowed = spread(r->l, 9 * SEC, 2000, r->first);
	return NULL;
}

/* Two workers at once on the shared bucket: the burst is never exceeded. */
static void test_limit_global_concurrent(void)
{
	for (int round = 0; round < 20; round++) {
		struct racer a = { &lim, 0, 0 }, b = { &lim2, 30000, 0 };
		pthread_t ta, tb;

		fresh();
		CU_ASSERT_EQUAL_FATAL(pthread_create(&ta, NULL, race, &a), 0);
		CU_ASSERT_EQUAL_FATAL(pthread_create(&tb, NULL, race, &b), 0);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		CU_ASSERT_EQUAL(a.allowed + b.allowed, DP_ICMP_GLOBAL_BURST);
	}
}

/* Times near the end of the clock and past its wrap behave as any others. */
static void test_limit_wrap(void)
{
	const uint64_t t0 = UINT64_MAX - 500 * MS;

	fresh();
	CU_ASSERT_EQUAL(burst(&lim, peer4, 4, t0, 15), DP_ICMP_DST_BURST);
	CU_ASSERT_EQUAL(burst(&lim, peer4, 4, t0 + 99 * MS, 5), 0);
	CU_ASSERT_EQUAL(burst(&lim, peer4, 4, t0 + 100 * MS, 5), 1);
	CU_ASSERT_EQUAL(burst(&lim, peer4, 4, t0 + 1 * SEC + 100 * MS, 15), DP_ICMP_DST_BURST);
	CU_ASSERT_EQUAL(burst(&lim, peer4, 4, t0 + 1 * SEC + 150 * MS, 5), 0);
	CU_ASSERT_EQUAL(burst(&lim, peer4, 4, t0 + 1 * SEC + 200 * MS, 5), 1);
	CU_ASSERT_EQUAL(spread(&lim, t0 + 2 * SEC, 60, 0), DP_ICMP_GLOBAL_BURST);
	CU_ASSERT_EQUAL(spread(&lim, t0 + 2 * SEC + 2 * MS, 60, 100), 2);

	/* A first use at the very end of time, and after a jump of half the clock. */
	fresh();
	CU_ASSERT_EQUAL(burst(&lim, peer6, 6, UINT64_MAX, 15), DP_ICMP_DST_BURST);
	CU_ASSERT_EQUAL(burst(&lim, peer6, 6, UINT64_MAX, 15), 0);
	CU_ASSERT_EQUAL(burst(&lim, peer6, 6, UINT64_MAX / 2 + 5, 15), DP_ICMP_DST_BURST);
	fresh();
	CU_ASSERT_EQUAL(burst(&lim, peer6, 6, 0, 15), DP_ICMP_DST_BURST);
}

int main(int argc, char **argv)
{
	static const CU_TestInfo build_tests[] = {
		{ "v4 time exceeded: header + 8 quoted", test_time_exceeded4 },
		{ "v4 frag needed: options header + 8, next-hop MTU", test_frag_needed4_options },
		{ "v4 unreachable: short offender whole, padding not", test_unreach4_short },
		{ "v4 known answer", test_known_answer4 },
		{ "v6 time exceeded: 1500 bytes cut to 1280", test_time_exceeded6_truncated },
		{ "v6 packet too big: 32-bit MTU", test_packet_too_big6 },
		{ "v6 address unreachable: short offender whole", test_unreach6_short },
		{ "v6 known answer", test_known_answer6 },
		{ "too little headroom: untouched", test_no_headroom },
		{ "headers at odd addresses", test_odd_addresses },
		{ "offender shorter than its header, chained, bad args", test_refusals },
		{ "kind names", test_kind_names },
		CU_TEST_INFO_NULL,
	};
	static const CU_TestInfo answer_tests[] = {
		{ "no error about an error we built", test_no_error_about_an_error },
		{ "ICMP and ICMPv6 types", test_icmp_types },
		{ "v4 fragments", test_fragments4 },
		{ "v6 fragments behind hop-by-hop", test_fragments6 },
		{ "v6 extension header chain", test_ext_chain6 },
		{ "v4 multicast, broadcast, non-unicast sources", test_addresses4 },
		{ "v6 multicast, non-unicast sources", test_addresses6 },
		{ "truncated headers", test_truncated },
		CU_TEST_INFO_NULL,
	};
	static const CU_TestInfo limit_tests[] = {
		{ "burst, refusal, refill", test_limit_burst_refill },
		{ "per destination", test_limit_per_destination },
		{ "global cap across limiters", test_limit_global },
		{ "global cap, two threads", test_limit_global_concurrent },
		{ "clock wrap and huge times", test_limit_wrap },
		CU_TEST_INFO_NULL,
	};
	static const CU_SuiteInfo suites[] = {
		{ "icmp_build", NULL, NULL, NULL, NULL, (CU_TestInfo *)build_tests },
		{ "icmp_may_answer", NULL, NULL, NULL, NULL, (CU_TestInfo *)answer_tests },
		{ "icmp_limit", NULL, NULL, NULL, NULL, (CU_TestInfo *)limit_tests },
		CU_SUITE_INFO_NULL,
	};

	(void)argc;
	if (unit_eal_init(argv[0], "icmp", "64", (const char *const[]){ "--log-level=1", NULL }) <
	    0)
		return 2;
	pool = rte_pktmbuf_pool_create("test_pool", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (!pool)
		return 2;
	return unit_run_suites(suites);
}
