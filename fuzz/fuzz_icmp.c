/* SPDX-License-Identifier: MIT */
/*
 * The router's building blocks on arbitrary inner packets (lib/dp/icmp.h, lib/dp/inner.h), in
 * the order a worker uses them: dp_inner_parse, dp_icmp_may_answer, then dp_icmp_build of each
 * kind into an mbuf whose buffer is exactly headroom + the bytes (ASan sees any access outside
 * it); and dp_inner_dec_ttl and dp_inner_clamp_mss on exact-size copies.
 *
 * Oracle, checked with this file's own byte-wise RFC 1071 sums: every error built has valid
 * checksums, the quote rule's length (v4 header + 8, v6 at most 1280 in all), the offender's
 * bytes as quote, addresses and TTL as promised, and is itself never answerable; a refusal
 * leaves the mbuf as it was. A TTL decrement keeps a valid IPv4 header checksum valid; an MSS
 * clamp keeps a valid TCP checksum valid, changes only the TCP header, and lowers no MSS
 * below the clamp.
 *
 * Input: a control byte (bits 0-1: headroom exactly enough, one byte short, 64 more, or one
 * more, which puts every header at an odd address; bit
 * 2: the clamp's family from bit 3 rather than the version nibble), two bytes of MTU / MSS
 * (big-endian), then the packet, followed by whatever the fuzzer appends (as WireGuard pads).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "fuzz_dpdk.h"
#include "icmp.h"
#include "inner.h"
#include "pkt.h"

static const uint8_t our4[4] = { 10, 0, 0, 254 };
static const uint8_t our6[16] = { 0xfd, 0, [15] = 0xfe };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	fuzz_eal_init((*argv)[0], 128);
	return 0;
}

static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The sum of an upper-layer message of len bytes at l4 with its pseudo-header (proto). */
static uint16_t l4_sum(const uint8_t *ip, uint8_t family, uint8_t proto, const uint8_t *l4,
		       uint32_t len)
{
	uint32_t s = family == 4 ? sum16(0, ip + 12, 8) : sum16(0, ip + 8, 32);

	return fold(sum16(s + proto + (len >> 16) + (len & 0xffff), l4, len));
}

/* What the offender's own header says its length is, or 0 when less than that header. */
static uint32_t offender_len(const uint8_t *ip, uint32_t n, uint8_t family, uint32_t *hdr)
{
	uint32_t total;

	*hdr = family == 4 ? (uint32_t)(ip[0] & 0xf) * 4 : 40;
	total = family == 4 ? rd16(ip + 2) : 40 + (uint32_t)rd16(ip + 4);
	if (total > n)
		total = n;
	if ((family == 4 && *hdr < 20) || total < *hdr)
		return 0;
	return total;
}

static void check_error(const struct rte_mbuf *m, uint8_t family, enum dp_icmp_kind kind,
			uint16_t mtu, const uint8_t *off, uint32_t off_len, uint32_t off_hdr)
{
	const uint8_t *e = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), quote, ip_len;
	uint8_t fam;

	CHECK(m->data_off <= m->buf_len && len <= m->buf_len - m->data_off);
	CHECK(rte_pktmbuf_pkt_len(m) == len);
	if (family == 4) {
		quote = off_len < off_hdr + 8 ? off_len : off_hdr + 8;
		CHECK(len == 28 + quote && rd16(e + 2) == len);
		CHECK(e[0] == 0x45 && e[8] == 64 && e[9] == 1 && rd16(e + 6) == 0);
		CHECK(memcmp(e + 12, our4, 4) == 0 && memcmp(e + 16, off + 12, 4) == 0);
		CHECK(fold(sum16(0, e, 20)) == 0xffff);
		CHECK(fold(sum16(0, e + 20, len - 20)) == 0xffff);
		CHECK(e[20] == (kind == DP_ICMP_TIME_EXCEEDED ? 11 : 3));
		CHECK(kind != DP_ICMP_FRAG_NEEDED || (e[21] == 4 && rd16(e + 26) == mtu));
	} else {
		quote = off_len < 1280 - 48 ? off_len : 1280 - 48;
		CHECK(len == 48 + quote && len <= 1280 && rd16(e + 4) == len - 40);
		CHECK(e[0] >> 4 == 6 && e[6] == 58 && e[7] == 64);
		CHECK(memcmp(e + 8, our6, 16) == 0 && memcmp(e + 24, off + 8, 16) == 0);
		CHECK(l4_sum(e, 6, 58, e + 40, len - 40) == 0xffff);
		CHECK(e[40] < 128);
		CHECK(kind != DP_ICMP_FRAG_NEEDED || (e[40] == 2 && rd16(e + 46) == mtu));
	}
	CHECK(memcmp(e + len - quote, off, quote) == 0);
	/* What a worker does with it next: it parses, and no error may ever be answered. */
	CHECK(dp_inner_parse(e, len, &ip_len, &fam) && fam == family && ip_len == len);
	CHECK(!dp_icmp_may_answer(e, len, family));
}

/* One kind, in an mbuf with headroom hr in front of the n bytes at p (an exact buffer). */
static void build(const uint8_t *p, uint32_t n, uint8_t family, enum dp_icmp_kind kind,
		  uint16_t mtu, uint16_t hr)
{
	uint8_t *copy = malloc(hr + n ? hr + n : 1), *before = malloc(hr + n ? hr + n : 1);
	uint32_t off_hdr, off_len = offender_len(p, n, family, &off_hdr);
	struct rte_mbuf *m;
	bool ok;

	CHECK(copy && before);
	memset(copy, 0xa5, hr);
	memcpy(copy + hr, p, n);
	memcpy(before, copy, hr + n);
	m = fuzz_mbuf(copy, hr + n, 0);
	free(copy);
	if (!m)
		goto out;
	rte_pktmbuf_adj(m, hr);
	ok = dp_icmp_build(m, family, kind, mtu, family == 4 ? our4 : our6);
	CHECK(ok == (hr >= dp_icmp_headroom(family) && off_len != 0));
	if (ok) {
		check_error(m, family, kind, mtu, p, off_len, off_hdr);
	} else {
		CHECK(m->data_off == hr && rte_pktmbuf_data_len(m) == n);
		CHECK(memcmp(m->buf_addr, before, hr + n) == 0);
	}
	rte_pktmbuf_free(m);
out:
	free(before);
}

/* TTL on an exact copy of a parsed packet: a valid IPv4 header checksum stays valid. */
static void dec_ttl(const uint8_t *p, uint32_t n, uint8_t family)
{
	uint8_t *c = malloc(n);
	uint8_t ttl = family == 4 ? p[8] : p[7];
	uint32_t ihl = family == 4 ? (uint32_t)(p[0] & 0xf) * 4 : 0;
	bool valid = family == 4 && ihl >= 20 && ihl <= n && fold(sum16(0, p, ihl)) == 0xffff;

	CHECK(c);
	memcpy(c, p, n);
	if (!dp_inner_dec_ttl(c, family)) {
		CHECK(ttl <= 1 && memcmp(c, p, n) == 0);
	} else {
		CHECK(ttl > 1 && (family == 4 ? c[8] : c[7]) == ttl - 1);
		CHECK(!valid || fold(sum16(0, c, ihl)) == 0xffff);
		if (family == 4)
			CHECK(memcmp(c, p, 8) == 0 && c[9] == p[9] &&
			      memcmp(c + 12, p + 12, n - 12) == 0);
		else
			CHECK(memcmp(c, p, 7) == 0 && memcmp(c + 8, p + 8, n - 8) == 0);
	}
	free(c);
}

/* Where TCP is and how long its segment, by the IP header; false when not plain TCP. */
static bool tcp_of(const uint8_t *p, uint32_t n, uint8_t family, uint32_t *off, uint32_t *seg)
{
	uint32_t total;

	if (family == 4) {
		if (n < 20 || p[9] != 6 || (rd16(p + 6) & 0x3fff))
			return false;
		*off = (uint32_t)(p[0] & 0xf) * 4;
		total = rd16(p + 2);
	} else {
		if (n < 40 || p[6] != 6)
			return false;
		*off = 40;
		total = 40 + (uint32_t)rd16(p + 4);
	}
	if (total > n)
		total = n; /* as the clamp does: what is there, up to what the header says */
	if (*off < 20 || total < *off + 20)
		return false;
	*seg = total - *off;
	return true;
}

/* MSS clamping on an exact copy of arbitrary bytes. */
static void clamp(const uint8_t *p, uint32_t n, uint8_t family, uint16_t mss)
{
	uint8_t *c = malloc(n ? n : 1);
	uint32_t off = 0, seg = 0, doff;
	bool tcp = tcp_of(p, n, family, &off, &seg);
	bool valid = tcp && l4_sum(p, family, 6, p + off, seg) == 0xffff;

	CHECK(c);
	memcpy(c, p, n);
	if (!dp_inner_clamp_mss(c, n, family, mss)) {
		CHECK(memcmp(c, p, n) == 0);
		free(c);
		return;
	}
	CHECK(tcp && (p[off + 13] & 0x02));
	doff = (uint32_t)(p[off + 12] >> 4) * 4;
	CHECK(doff > 20 && doff <= seg);
	/* Only the checksum and the options changed, and every MSS is now at most the clamp. */
	CHECK(memcmp(c, p, n) != 0);
	CHECK(memcmp(c, p, off + 16) == 0 && memcmp(c + off + 18, p + off + 18, 2) == 0);
	CHECK(memcmp(c + off + doff, p + off + doff, n - off - doff) == 0);
	CHECK(!valid || l4_sum(c, family, 6, c + off, seg) == 0xffff);
	CHECK(!dp_inner_clamp_mss(c, n, family, mss));
	free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t extra[4] = { 0, 0, 64, 1 };
	const uint8_t *p = data + 3;
	uint32_t n, ip_len;
	uint8_t ctl, family, cfam;
	uint16_t mtu;

	if (size < 3 || size > 4096)
		return 0;
	ctl = data[0];
	mtu = rd16(data + 1);
	n = (uint32_t)(size - 3);

	/* The clamp and may_answer take any bytes, whatever the family. */
	cfam = ctl & 4 ? (ctl & 8 ? 6 : 4) : (n ? p[0] >> 4 : 0);
	clamp(p, n, cfam, mtu);
	(void)dp_icmp_may_answer(p, n, 4);
	(void)dp_icmp_may_answer(p, n, 6);

	if (!dp_inner_parse(p, n, &ip_len, &family))
		return 0;
	dec_ttl(p, ip_len, family);
	if (!dp_icmp_may_answer(p, ip_len, family))
		return 0;
	for (int k = 0; k < DP_ICMP_KIND_COUNT; k++) {
		uint16_t hr = dp_icmp_headroom(family);

		hr = (uint16_t)((ctl & 3) == 1 ? hr - 1 : hr + extra[ctl & 3]);
		build(p, n, family, k, mtu, hr);
	}
	return 0;
}
