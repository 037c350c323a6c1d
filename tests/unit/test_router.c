/* SPDX-License-Identifier: MIT */
/*
 * The router's shared duties (lib/dp/router.c): which frames are for our link address, which
 * of our addresses an ICMP error comes from, the error path's rules and rate limit as a
 * worker meets them, and IPv4 fragmentation checked by putting the fragments back together.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "pkt.h"
#include "router.h"
#include "unit.h"
#include "unit_eal.h"

static struct rte_mempool *pool;

static struct wgdp_port_config outside_cfg = {
	.role = WGDP_ROLE_OUTSIDE,
	.addrs = {
		{ .addr = { 4, { 192, 0, 2, 1 } }, .len = 24 },
		{ .addr = { 6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } }, .len = 64 },
	},
	.n_addrs = 2,
};
static struct wgdp_port_config inside_cfg = {
	.port_id = 1,
	.role = WGDP_ROLE_INSIDE,
	.addrs = {
		{ .addr = { 4, { 10, 0, 0, 1 } }, .len = 24 },
		{ .addr = { 6, { 0xfd, 0, [15] = 1 } }, .len = 64 },
	},
	.n_addrs = 2,
};
static struct wgdp_port_config inside2_cfg = {
	.port_id = 2,
	.role = WGDP_ROLE_INSIDE,
	.addrs = { { .addr = { 4, { 10, 1, 0, 1 } }, .len = 16 } },
	.n_addrs = 1,
};

static struct dp_ctx *make_dp(void)
{
	struct dp_ctx *dp = calloc(1, sizeof(*dp));

	CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
	dp->ports[0] = (struct dp_port){
		.iface = { .port_id = 0, .cfg = &outside_cfg, .mac = { { 2, 0, 0, 0, 0, 1 } } },
		.outside = true
	};
	dp->ports[1] = (struct dp_port){
		.iface = { .port_id = 1, .cfg = &inside_cfg, .mac = { { 2, 0, 0, 0, 0, 2 } } },
		.inside = true,
		.mtu = 1500
	};
	dp->ports[2] = (struct dp_port){
		.iface = { .port_id = 2, .cfg = &inside2_cfg, .mac = { { 2, 0, 0, 0, 0, 3 } } },
		.inside = true,
		.mtu = 1500
	};
	dp->n_ports = 3;
	dp->pool = pool;
	dp_icmp_global_init(&dp->icmp_global);
	return dp;
}

static struct rte_mbuf *frame_to(const uint8_t mac[6], uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	d = (uint8_t *)rte_pktmbuf_append(m, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	memset(d, 0, len);
	memcpy(d, mac, len < 6 ? len : 6);
	return m;
}

static bool for_us(const struct dp_port *port, const uint8_t mac[6], uint16_t len)
{
	struct rte_mbuf *m = frame_to(mac, len);
	bool yes = dp_frame_for_us(port, m);

	rte_pktmbuf_free(m);
	return yes;
}

static void test_frame_for_us(void)
{
	struct dp_ctx *dp = make_dp();
	const struct dp_port *out = &dp->ports[0];
	static const uint8_t ours[6] = { 2, 0, 0, 0, 0, 1 }, other[6] = { 2, 0, 0, 0, 0, 9 },
			     bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
			     all_nodes[6] = { 0x33, 0x33, 0, 0, 0, 1 },
			     all_routers[6] = { 0x33, 0x33, 0, 0, 0, 2 },
			     sn_ours[6] = { 0x33, 0x33, 0xff, 0, 0, 1 },
			     sn_other[6] = { 0x33, 0x33, 0xff, 0, 0, 2 },
			     v4_mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };

	CU_ASSERT_TRUE(for_us(out, ours, 60));
	CU_ASSERT_FALSE(for_us(out, other, 60));
	CU_ASSERT_FALSE(for_us(&dp->ports[1], ours, 60)); /* port 0's MAC, not port 1's */
	CU_ASSERT_TRUE(for_us(out, bcast, 60));
	CU_ASSERT_TRUE(for_us(out, all_nodes, 60));
	CU_ASSERT_TRUE(for_us(out, sn_ours, 60));	     /* ff02::1:ff00:1 of 2001:db8::1 */
	CU_ASSERT_FALSE(for_us(&dp->ports[2], sn_ours, 60)); /* port 2 has no IPv6 address */
	CU_ASSERT_FALSE(for_us(out, sn_other, 60));
	CU_ASSERT_FALSE(for_us(out, all_routers, 60));
	CU_ASSERT_FALSE(for_us(out, v4_mcast, 60));
	CU_ASSERT_TRUE(for_us(out, other, 10)); /* too short to say: the parser counts it */
	free(dp);
}

static void test_inside_source(void)
{
	struct dp_ctx *dp = make_dp();
	static const uint8_t in2[4] = { 10, 1, 2, 3 }, in1[4] = { 10, 0, 0, 7 },
			     elsewhere[4] = { 172, 16, 0, 1 }, v6[16] = { 0xfd, 0, [15] = 9 };
	const uint8_t *src;

	src = dp_inside_source(dp, NULL, 4, in2);
	CU_ASSERT_TRUE(src && memcmp(src, (uint8_t[]){ 10, 1, 0, 1 }, 4) == 0);
	src = dp_inside_source(dp, NULL, 4, in1);
	CU_ASSERT_TRUE(src && memcmp(src, (uint8_t[]){ 10, 0, 0, 1 }, 4) == 0);
	/* Nowhere on-link: the first inside address of the family, never an outside one. */
	src = dp_inside_source(dp, NULL, 4, elsewhere);
	CU_ASSERT_TRUE(src && memcmp(src, (uint8_t[]){ 10, 0, 0, 1 }, 4) == 0);
	src = dp_inside_source(dp, NULL, 6, v6);
	CU_ASSERT_TRUE(src && memcmp(src, inside_cfg.addrs[1].addr.bytes, 16) == 0);
	dp->ports[1].inside = false;
	CU_ASSERT_PTR_NULL(dp_inside_source(dp, NULL, 6, v6));
	free(dp);
}

/* An IPv4 UDP packet of len bytes from 10.0.0.7 to 10.9.0.2, payload bytes counting up. */
static struct rte_mbuf *udp4(uint16_t len, bool df, uint8_t ihl_words)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint16_t ihl = (uint16_t)(ihl_words * 4);
	uint8_t *ip;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	ip = (uint8_t *)rte_pktmbuf_append(m, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ip);
	memset(ip, 0, ihl);
	ip[0] = (uint8_t)(0x40 | ihl_words);
	ip[2] = (uint8_t)(len >> 8);
	ip[3] = (uint8_t)len;
	ip[4] = 0x12;
	ip[5] = 0x34;
	ip[6] = df ? 0x40 : 0;
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	memcpy(ip + 12, (uint8_t[]){ 10, 0, 0, 7 }, 4);
	memcpy(ip + 16, (uint8_t[]){ 10, 9, 0, 2 }, 4);
	for (uint16_t i = 20; i < ihl; i++)
		ip[i] = 1; /* NOP options */
	for (uint16_t i = ihl; i < len; i++)
		ip[i] = (uint8_t)(i - ihl);
	((struct rte_ipv4_hdr *)ip)->hdr_checksum = rte_ipv4_cksum((struct rte_ipv4_hdr *)ip);
	return m;
}

static void test_error_rules_and_limit(void)
{
	struct dp_ctx *dp = make_dp();
	struct dp_router r;
	unsigned int before = rte_mempool_avail_count(pool), sent = 0;
	const uint8_t *src = dp_inside_source(dp, NULL, 4, NULL);
	struct rte_mbuf *m;

	dp_router_init(dp, &r, 7);
	m = udp4(100, true, 5);
	CU_ASSERT_TRUE_FATAL(dp_router_icmp(&r, m, 4, DP_ICMP_TIME_EXCEEDED, 0, src, 1000));
	/* Now the error itself: ICMP type 11 from 10.0.0.1 back to 10.0.0.7. */
	{
		const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);

		CU_ASSERT_EQUAL(ip[9], IPPROTO_ICMP);
		CU_ASSERT_EQUAL(ip[20], 11);
		CU_ASSERT_EQUAL(memcmp(ip + 12, src, 4), 0);
		CU_ASSERT_EQUAL(memcmp(ip + 16, (uint8_t[]){ 10, 0, 0, 7 }, 4), 0);
	}
	CU_ASSERT_EQUAL(r.stats.icmp_sent[DP_ICMP_TIME_EXCEEDED], 1);
	/* An error about that error: refused, and the mbuf is freed. */
	CU_ASSERT_FALSE(dp_router_icmp(&r, m, 4, DP_ICMP_TIME_EXCEEDED, 0, src, 1000));
	CU_ASSERT_EQUAL(r.stats.icmp_suppressed, 1);
	/* No address of ours to send from: refused. */
	CU_ASSERT_FALSE(
		dp_router_icmp(&r, udp4(100, true, 5), 4, DP_ICMP_HOST_UNREACH, 0, NULL, 1000));
	CU_ASSERT_EQUAL(r.stats.icmp_suppressed, 2);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), before);
	/* One destination, many errors at one instant: the per-destination burst, then no more. */
	for (int i = 0; i < 40; i++) {
		m = udp4(100, true, 5);
		if (dp_router_icmp(&r, m, 4, DP_ICMP_FRAG_NEEDED, 1420, src, 2000)) {
			sent++;
			rte_pktmbuf_free(m);
		}
	}
	CU_ASSERT_TRUE(sent >= 1 && sent < 40);
	CU_ASSERT_EQUAL(r.stats.icmp_sent[DP_ICMP_FRAG_NEEDED], sent);
	CU_ASSERT_EQUAL(r.stats.icmp_ratelimited, 40 - sent);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), before);
	free(dp);
}

/* Fragments of a packet: each within mtu, offsets in 8-byte units, put back equal. */
static void check_fragments(uint16_t len, uint8_t ihl_words, uint16_t mtu)
{
	struct dp_ctx *dp = make_dp();
	struct dp_router r;
	struct rte_mbuf *m = udp4(len, false, ihl_words), *frags[DP_MAX_FRAGMENTS];
	uint16_t ihl = (uint16_t)(ihl_words * 4), payload = (uint16_t)(len - ihl);
	uint8_t *whole = calloc(1, payload), *seen = calloc(1, payload);
	int n;
	unsigned int before = rte_mempool_avail_count(pool) + 1, last = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(whole);
	CU_ASSERT_PTR_NOT_NULL_FATAL(seen);
	dp_router_init(dp, &r, 1);
	n = dp_router_fragment(&r, pool, m, mtu, frags, DP_MAX_FRAGMENTS);
	CU_ASSERT_EQUAL(n, (int)((payload + (((mtu - ihl) & ~7u)) - 1) / ((mtu - ihl) & ~7u)));
	CU_ASSERT_EQUAL(r.stats.fragmented, 1);
	CU_ASSERT_EQUAL(r.stats.fragments, (uint64_t)n);
	for (int i = 0; i < n; i++) {
		const uint8_t *ip = rte_pktmbuf_mtod(frags[i], const uint8_t *);
		uint16_t flen = (uint16_t)(ip[2] << 8 | ip[3]),
			 fihl = (uint16_t)((ip[0] & 0xf) * 4);
		uint16_t fo = (uint16_t)(((ip[6] & 0x1f) << 8 | ip[7]) * 8);
		bool mf = ip[6] & 0x20;

		CU_ASSERT_TRUE(flen <= mtu);
		CU_ASSERT_EQUAL(rte_pktmbuf_data_len(frags[i]), flen);
		CU_ASSERT_EQUAL(rte_raw_cksum(ip, fihl), 0xffff);
		CU_ASSERT_EQUAL(memcmp(ip + 12, (uint8_t[]){ 10, 0, 0, 7, 10, 9, 0, 2 }, 8), 0);
		CU_ASSERT_EQUAL(ip[4] << 8 | ip[5], 0x1234); /* one datagram: the id stays */
		CU_ASSERT_TRUE_FATAL(fo + flen - fihl <= payload);
		CU_ASSERT_EQUAL(mf, fo + flen - fihl < payload);
		memcpy(whole + fo, ip + fihl, flen - fihl);
		memset(seen + fo, 1, flen - fihl);
		if (!mf)
			last++;
		rte_pktmbuf_free(frags[i]);
	}
	CU_ASSERT_EQUAL(last, 1);
	for (uint16_t i = 0; i < payload; i++) {
		if (!seen[i] || whole[i] != (uint8_t)i) {
			CU_FAIL("the fragments do not put the payload back together");
			break;
		}
	}
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), before); /* m freed, fragments too */
	free(whole);
	free(seen);
	free(dp);
}

static void test_fragment(void)
{
	check_fragments(1500, 5, 1420); /* a full Ethernet frame into the tunnel: 1400 + 80 */
	check_fragments(1421, 5, 1420); /* one byte over */
	check_fragments(1500, 6, 1420); /* with options: 1396 -> 1392-byte pieces */
	check_fragments(1900, 5, 576);	/* about the most an mbuf of ours holds, small pieces */
}

/*
 * A fragment whose end lies past 65535 (offset 8100 = 64800 bytes, 1480 bytes of payload: it
 * ends at 66280) cannot be a piece of any datagram. Cut at 1420, its second piece would sit at
 * offset 8100 + 175 = 8275, which 13 bits cannot hold: DPDK adds it into the flags word, so
 * the piece goes out with MF set and offset 83 (664 bytes), a bogus middle fragment of the
 * same datagram id. The router refuses such a packet instead (0, m freed).
 */
static void test_fragment_past_65535(void)
{
	struct dp_ctx *dp = make_dp();
	struct dp_router r;
	struct rte_mbuf *m = udp4(1500, false, 5), *frags[DP_MAX_FRAGMENTS];
	struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	unsigned int before = rte_mempool_avail_count(pool) + 1;
	int n;

	h->fragment_offset = rte_cpu_to_be_16(8100);
	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
	dp_router_init(dp, &r, 1);
	n = dp_router_fragment(&r, pool, m, 1420, frags, DP_MAX_FRAGMENTS);
	for (int i = 0; i < n; i++) {
		const uint8_t *ip = rte_pktmbuf_mtod(frags[i], const uint8_t *);
		uint16_t fw = (uint16_t)(ip[6] << 8 | ip[7]);

		/* Were it cut, the last piece would say "more follow", at the wrong offset. */
		CU_ASSERT_EQUAL(fw & 0x1fff, 8100 + i * 1400 / 8);
		CU_ASSERT_EQUAL(!!(fw & 0x2000), i + 1 < n);
		rte_pktmbuf_free(frags[i]);
	}
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), before);
	free(dp);
}

int main(int argc, char **argv)
{
	static const CU_TestInfo tests[] = {
		{ "frames for our MAC, broadcast, our groups", test_frame_for_us },
		{ "the address an error comes from", test_inside_source },
		{ "error rules and rate limit on the path", test_error_rules_and_limit },
		{ "IPv4 fragments put back together", test_fragment },
		{ "a fragment past 65535 is not cut", test_fragment_past_65535 },
		CU_TEST_INFO_NULL,
	};

	(void)argc;
	if (unit_eal_init(argv[0], "router", "64", (const char *const[]){ "--log-level=1", NULL }) <
	    0)
		return 2;
	pool = rte_pktmbuf_pool_create("test_pool", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (!pool)
		return 2;
	return unit_run("router", tests);
}
