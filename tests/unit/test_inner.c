/* SPDX-License-Identifier: MIT */
/*
 * lib/dp/inner.h: TTL / hop limit and MSS clamping of forwarded packets. Every checksum the code
 * fixes incrementally is compared with a full recomputation by this file's own RFC 1071 sum.
 */
#include <stdlib.h>
#include <string.h>

#include "inner.h"
#include "unit.h"

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void wr16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The IPv4 header checksum of ip, computed from scratch with its checksum field as zero. */
static uint16_t ip4_cksum(const uint8_t *ip)
{
	uint8_t h[60];
	size_t ihl = (size_t)(ip[0] & 0xf) * 4;

	memcpy(h, ip, ihl);
	h[10] = h[11] = 0;
	return (uint16_t)~unit_fold(unit_sum16(0, h, ihl));
}

/* ---- TTL ---- */

/* Random headers of every length, TTL 2..255: the incremental checksum equals a full one. */
static void test_ttl4_random(void)
{
	srand(14);
	for (int i = 0; i < 100000; i++) {
		uint8_t ip[60], before[60];
		size_t ihl = (size_t)(5 + rand() % 11) * 4;

		for (size_t j = 0; j < ihl; j++)
			ip[j] = (uint8_t)rand();
		ip[0] = (uint8_t)(0x40 | ihl / 4);
		ip[8] = (uint8_t)(2 + rand() % 254);
		if (i < 256)
			ip[8] = (uint8_t)(i < 2 ? 2 + i : i); /* every TTL, at least once */
		wr16(ip + 10, ip4_cksum(ip));
		memcpy(before, ip, ihl);
		CU_ASSERT_TRUE_FATAL(dp_inner_dec_ttl(ip, 4));
		CU_ASSERT_EQUAL_FATAL(ip[8], before[8] - 1);
		CU_ASSERT_EQUAL_FATAL(rd16(ip + 10), ip4_cksum(ip));
		CU_ASSERT_EQUAL_FATAL(memcmp(ip, before, 8), 0);
		CU_ASSERT_EQUAL_FATAL(ip[9], before[9]);
		CU_ASSERT_EQUAL_FATAL(memcmp(ip + 12, before + 12, ihl - 12), 0);
	}
}

/* One header whose checksums were computed by hand (Python): TTL 64 -> 63. */
static void test_ttl4_known(void)
{
	uint8_t ip[20];

	unit_hex(ip, sizeof(ip), "45000054abcd4000" "4001" "0000" "c0a80001c0a800c7");
	wr16(ip + 10, ip4_cksum(ip));
	CU_ASSERT_EQUAL(rd16(ip + 10), 0x0cc3);
	CU_ASSERT_TRUE(dp_inner_dec_ttl(ip, 4));
	CU_ASSERT_EQUAL(ip[8], 63);
	CU_ASSERT_EQUAL(rd16(ip + 10), 0x0dc3);
}

static void test_ttl_expires(void)
{
	for (uint8_t ttl = 0; ttl <= 1; ttl++) {
		uint8_t ip4[20] = { 0x45, [8] = ttl, [9] = 6, [10] = 0x12, [11] = 0x34 };
		uint8_t ip6[40] = { 0x60, [6] = 17, [7] = ttl };
		uint8_t b4[20], b6[40];

		memcpy(b4, ip4, sizeof(ip4));
		memcpy(b6, ip6, sizeof(ip6));
		CU_ASSERT_FALSE(dp_inner_dec_ttl(ip4, 4));
		CU_ASSERT_FALSE(dp_inner_dec_ttl(ip6, 6));
		UNIT_ASSERT_MEM(ip4, b4, sizeof(b4));
		UNIT_ASSERT_MEM(ip6, b6, sizeof(b6));
	}
}

static void test_hop_limit6(void)
{
	uint8_t ip[40], before[40];

	for (size_t i = 0; i < sizeof(ip); i++)
		ip[i] = (uint8_t)(i * 13);
	ip[0] = 0x60;
	ip[7] = 64;
	memcpy(before, ip, sizeof(ip));
	CU_ASSERT_TRUE(dp_inner_dec_ttl(ip, 6));
	CU_ASSERT_EQUAL(ip[7], 63);
	ip[7] = 64;
	UNIT_ASSERT_MEM(ip, before, sizeof(ip)); /* nothing else changed */
	ip[7] = 2;
	CU_ASSERT_TRUE(dp_inner_dec_ttl(ip, 6));
	CU_ASSERT_EQUAL(ip[7], 1);
	CU_ASSERT_FALSE(dp_inner_dec_ttl(ip, 0));
	CU_ASSERT_EQUAL(ip[7], 1);
}

/* ---- MSS ---- */

#define SYN 0x02
#define ACK 0x10

static const uint8_t src4[4] = { 10, 0, 0, 1 }, dst4[4] = { 10, 9, 0, 2 };
static const uint8_t src6[16] = { 0xfd, 0, [15] = 1 }, dst6[16] = { 0xfd, 9, [15] = 2 };

/* The TCP checksum of the segment at tcp, from scratch with the pseudo-header (RFC 793 /
 * RFC 8200 8.1), its checksum field as zero. */
static uint16_t tcp_cksum(const uint8_t *ip, uint8_t family, const uint8_t *tcp, size_t seg)
{
	uint8_t t[128];
	uint32_t s;

	memcpy(t, tcp, seg);
	t[16] = t[17] = 0;
	if (family == 4)
		s = unit_sum16(0, ip + 12, 8) + 6 + (uint32_t)seg;
	else
		s = unit_sum16(0, ip + 8, 32) + 6 + (uint32_t)seg;
	return (uint16_t)~unit_fold(unit_sum16(s, t, seg));
}

/*
 * A TCP segment (flags, options of olen bytes, padded with EOLs to a multiple of 4, and 5 bytes
 * of payload) in an IPv4 or IPv6 packet; checksums right. Returns the packet's length and
 * where TCP is.
 */
static size_t segment(uint8_t *p, uint8_t family, uint8_t flags, const uint8_t *opts,
		      size_t olen, size_t *tcp_off)
{
	size_t ihl = family == 4 ? 20 : 40, doff = 20 + ((olen + 3) & ~(size_t)3);
	size_t seg = doff + 5, total = ihl + seg;
	uint8_t *tcp = p + ihl;

	memset(p, 0, total);
	if (family == 4) {
		p[0] = 0x45;
		wr16(p + 2, (unsigned int)total);
		wr16(p + 6, 0x4000);
		p[8] = 64;
		p[9] = 6;
		memcpy(p + 12, src4, 4);
		memcpy(p + 16, dst4, 4);
		wr16(p + 10, ip4_cksum(p));
	} else {
		p[0] = 0x60;
		wr16(p + 4, (unsigned int)seg);
		p[6] = 6;
		p[7] = 64;
		memcpy(p + 8, src6, 16);
		memcpy(p + 24, dst6, 16);
	}
	wr16(tcp, 40000);
	wr16(tcp + 2, 443);
	wr16(tcp + 4, 0x1234);
	wr16(tcp + 6, 0x5678);
	tcp[12] = (uint8_t)(doff / 4 << 4);
	tcp[13] = flags;
	wr16(tcp + 14, 64240);
	if (olen)
		memcpy(tcp + 20, opts, olen);
	memcpy(tcp + doff, "hello", 5);
	wr16(tcp + 16, tcp_cksum(p, family, tcp, seg));
	*tcp_off = ihl;
	return total;
}

/* Clamps to 1380: true, the MSS at mss_at (from the TCP header) is 1380, the checksum right,
 * and nothing but those 4 bytes changed. */
static void expect_clamped(uint8_t family, uint8_t flags, const uint8_t *opts, size_t olen,
			   size_t mss_at)
{
	uint8_t p[128], before[128];
	size_t off, len = segment(p, family, flags, opts, olen, &off);

	memcpy(before, p, len);
	CU_ASSERT_TRUE(dp_inner_clamp_mss(p, (uint32_t)len, family, 1380));
	CU_ASSERT_EQUAL(rd16(p + off + mss_at), 1380);
	CU_ASSERT_EQUAL(rd16(p + off + 16), tcp_cksum(p, family, p + off, len - off));
	p[off + mss_at] = before[off + mss_at];
	p[off + mss_at + 1] = before[off + mss_at + 1];
	p[off + 16] = before[off + 16];
	p[off + 17] = before[off + 17];
	UNIT_ASSERT_MEM(p, before, len);
}

static void expect_untouched(uint8_t *p, size_t len, uint8_t family)
{
	uint8_t before[128];

	memcpy(before, p, len);
	CU_ASSERT_FALSE(dp_inner_clamp_mss(p, (uint32_t)len, family, 1380));
	UNIT_ASSERT_MEM(p, before, len);
}

static void expect_left(uint8_t family, uint8_t flags, const uint8_t *opts, size_t olen)
{
	uint8_t p[128];
	size_t off, len = segment(p, family, flags, opts, olen, &off);

	expect_untouched(p, len, family);
}

static const uint8_t mss1460[] = { 2, 4, 0x05, 0xb4 };

static void test_mss_syn(void)
{
	expect_clamped(4, SYN, mss1460, sizeof(mss1460), 22);
	expect_clamped(6, SYN, mss1460, sizeof(mss1460), 22);
}

static void test_mss_syn_ack(void)
{
	expect_clamped(4, SYN | ACK, mss1460, sizeof(mss1460), 22);
	expect_clamped(6, SYN | ACK, mss1460, sizeof(mss1460), 22);
}

/* Linux's SYN: MSS, SACK permitted, timestamps, NOP, window scale; and orders that put MSS
 * behind the others, at even and at odd offsets (the value then straddles checksum words). */
static void test_mss_after_other_options(void)
{
	static const uint8_t linux_syn[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0,
					     0, 0, 1, 3, 3, 7 };
	static const uint8_t nop_mss[] = { 1, 2, 4, 0x23, 0x28, 3, 3, 7 };
	static const uint8_t late_odd[] = { 4, 2, 8, 10, 9, 9, 9, 9, 0, 0, 0, 0, 1, 2, 4, 0xff,
					    0xff, 3, 3, 7 };
	static const uint8_t late_even[] = { 1, 1, 8, 10, 9, 9, 9, 9, 0, 0, 0, 0, 4, 2, 1, 1,
					     1, 3, 3, 7, 2, 4, 0x05, 0x78 };

	for (uint8_t family = 4; family <= 6; family += 2) {
		expect_clamped(family, SYN, linux_syn, sizeof(linux_syn), 22);
		expect_clamped(family, SYN, nop_mss, sizeof(nop_mss), 23);
		expect_clamped(family, SYN | ACK, late_odd, sizeof(late_odd), 35);
		expect_clamped(family, SYN, late_even, sizeof(late_even), 42);
	}
}

/* Both of two MSS options are clamped; the checksum covers both changes. */
static void test_mss_twice(void)
{
	static const uint8_t two[] = { 2, 4, 0x05, 0xb4, 1, 2, 4, 0x20, 0x00 };
	uint8_t p[128];
	size_t off, len = segment(p, 4, SYN, two, sizeof(two), &off);

	CU_ASSERT_TRUE(dp_inner_clamp_mss(p, (uint32_t)len, 4, 1380));
	CU_ASSERT_EQUAL(rd16(p + off + 22), 1380);
	CU_ASSERT_EQUAL(rd16(p + off + 27), 1380);
	CU_ASSERT_EQUAL(rd16(p + off + 16), tcp_cksum(p, 4, p + off, len - off));
}

static void test_mss_not_above(void)
{
	static const uint8_t mss1300[] = { 2, 4, 0x05, 0x14 };
	static const uint8_t mss1380[] = { 2, 4, 0x05, 0x64 };

	for (uint8_t family = 4; family <= 6; family += 2) {
		expect_left(family, SYN, mss1300, sizeof(mss1300));
		expect_left(family, SYN, mss1380, sizeof(mss1380));
	}
}

static void test_mss_no_option(void)
{
	static const uint8_t no_mss[] = { 1, 1, 4, 2, 1, 3, 3, 7, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0 };
	/* An MSS after EOL is not an option at all. */
	static const uint8_t after_eol[] = { 1, 0, 2, 4, 0x05, 0xb4 };

	for (uint8_t family = 4; family <= 6; family += 2) {
		expect_left(family, SYN, NULL, 0);
		expect_left(family, SYN, no_mss, sizeof(no_mss));
		expect_left(family, SYN, after_eol, sizeof(after_eol));
	}
}

static void test_mss_malformed(void)
{
	static const uint8_t len0[] = { 1, 8, 0, 2, 4, 0x05, 0xb4 };
	static const uint8_t len1[] = { 3, 1, 2, 4, 0x05, 0xb4 };
	static const uint8_t past_end[] = { 2, 4, 0x05, 0xb4, 8, 10, 1, 2 }; /* TS cut by doff */
	static const uint8_t mss_past_end[] = { 1, 1, 1, 1, 1, 1, 2, 4, 0x05 };
	static const uint8_t mss_len3[] = { 2, 3, 0x05, 0xb4 };
	static const uint8_t mss_len3_nop[] = { 2, 3, 0x06, 1 }; /* well-formed but for the 3 */
	static const uint8_t no_len_byte[] = { 1, 1, 1, 8 };

	for (uint8_t family = 4; family <= 6; family += 2) {
		expect_left(family, SYN, len0, sizeof(len0));
		expect_left(family, SYN, len1, sizeof(len1));
		expect_left(family, SYN, mss_len3, sizeof(mss_len3));
		expect_left(family, SYN, mss_len3_nop, sizeof(mss_len3_nop));
		expect_left(family, SYN, no_len_byte, sizeof(no_len_byte));
	}
	/* Malformed after a good MSS: nothing is changed. */
	expect_left(4, SYN, past_end, sizeof(past_end));
	/* The MSS's value lies past the data offset (in the payload): left alone. */
	{
		uint8_t p[128];
		size_t off, len = segment(p, 4, SYN, mss_past_end, sizeof(mss_past_end), &off);

		p[off + 12] = 7 << 4; /* 28 bytes: the MSS option's length byte is the last */
		expect_untouched(p, len, 4);
	}
}

/* A data offset past the segment, or a packet shorter than its header says. */
static void test_mss_truncated(void)
{
	uint8_t p[128];
	size_t off, len = segment(p, 4, SYN, mss1460, sizeof(mss1460), &off);

	expect_untouched(p, len - 6, 4); /* len ends inside the options */
	wr16(p + 2, (unsigned int)(off + 22)); /* total length ends inside them too */
	expect_untouched(p, len, 4);
	len = segment(p, 4, SYN, mss1460, sizeof(mss1460), &off);
	p[off + 12] = 15 << 4;
	expect_untouched(p, len, 4);
	p[off + 12] = 4 << 4; /* less than a TCP header */
	expect_untouched(p, len, 4);
	len = segment(p, 6, SYN, mss1460, sizeof(mss1460), &off);
	wr16(p + 4, 20); /* payload length cuts the options */
	expect_untouched(p, len, 6);
	expect_untouched(p, 50, 6);
}

static void test_mss_not_syn(void)
{
	for (uint8_t family = 4; family <= 6; family += 2) {
		expect_left(family, ACK, mss1460, sizeof(mss1460));
		expect_left(family, 0x01 | ACK, mss1460, sizeof(mss1460)); /* FIN */
	}
}

static void test_mss_fragments4(void)
{
	uint8_t p[128];
	size_t off, len = segment(p, 4, SYN, mss1460, sizeof(mss1460), &off);

	wr16(p + 6, 0x2000); /* MF: the first fragment of several */
	expect_untouched(p, len, 4);
	wr16(p + 6, 0x0003); /* a later fragment that happens to look like a SYN */
	expect_untouched(p, len, 4);
	wr16(p + 6, 0x4000); /* DF only: clamped */
	CU_ASSERT_TRUE(dp_inner_clamp_mss(p, (uint32_t)len, 4, 1380));
}

/* Other protocols, IPv6 with an extension header first, or a family that is neither. */
static void test_mss_others(void)
{
	uint8_t p[128];
	size_t off, len = segment(p, 4, SYN, mss1460, sizeof(mss1460), &off);

	p[9] = 17;
	expect_untouched(p, len, 4);
	p[9] = 6;
	expect_untouched(p, len, 0);
	len = segment(p, 6, SYN, mss1460, sizeof(mss1460), &off);
	p[6] = 0; /* hop-by-hop first: not walked */
	expect_untouched(p, len, 6);
}

int main(void)
{
	static const CU_TestInfo ttl_tests[] = {
		{ "v4: incremental checksum = full, random headers", test_ttl4_random },
		{ "v4: TTL 64 -> 63, known checksum", test_ttl4_known },
		{ "TTL / hop limit 1 and 0 expire, untouched", test_ttl_expires },
		{ "v6 hop limit", test_hop_limit6 },
		CU_TEST_INFO_NULL,
	};
	static const CU_TestInfo mss_tests[] = {
		{ "SYN 1460 -> 1380, v4 and v6", test_mss_syn },
		{ "SYN-ACK", test_mss_syn_ack },
		{ "behind NOP, timestamps, window scale, SACK-permitted",
		  test_mss_after_other_options },
		{ "two MSS options", test_mss_twice },
		{ "MSS not above the clamp: untouched", test_mss_not_above },
		{ "no MSS option: untouched", test_mss_no_option },
		{ "malformed options: untouched", test_mss_malformed },
		{ "truncated headers: untouched", test_mss_truncated },
		{ "not a SYN: untouched", test_mss_not_syn },
		{ "v4 fragments: untouched", test_mss_fragments4 },
		{ "not TCP, v6 extension headers, bad family", test_mss_others },
		CU_TEST_INFO_NULL,
	};
	static const CU_SuiteInfo suites[] = {
		{ "inner_ttl", NULL, NULL, NULL, NULL, (CU_TestInfo *)ttl_tests },
		{ "inner_mss", NULL, NULL, NULL, NULL, (CU_TestInfo *)mss_tests },
		CU_SUITE_INFO_NULL,
	};

	return unit_run_suites(suites);
}
