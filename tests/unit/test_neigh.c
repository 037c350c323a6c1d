/* SPDX-License-Identifier: MIT */
/*
 * ARP/ND/echo answers (lib/dp/neigh.c) on inputs the fuzzer (fuzz/fuzz_neigh.c) found, and the
 * neighbour table's life (lib/dp/neigh_table.c) driven by an injected clock: states, aging,
 * eviction, the global bounds. Fuzz frames sit in an external buffer of exactly their size
 * plus a chosen tailroom, as the fuzzer has it, so that an answer written past the frame shows
 * (and under ASan, faults).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_arp.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "neigh.h"
#include "unit.h"
#include "unit_eal.h"

static struct rte_mempool *pool;

static struct wgdp_port_config port_cfg = {
	.port_id = 0,
	.role = WGDP_ROLE_OUTSIDE,
	.addrs = {
		{ .addr = { 4, { 192, 0, 2, 1 } }, .len = 24 },
		{ .addr = { 6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } }, .len = 64 },
	},
	.n_addrs = 2,
};
static const struct dp_iface ifc = {
	.port_id = 0,
	.mac = { { 0x02, 0, 0, 0, 0, 0x01 } },
	.cfg = &port_cfg,
};

struct ext {
	struct rte_mbuf_ext_shared_info shinfo;
	void *buf;
};

static void ext_free(void *addr, void *opaque)
{
	(void)addr;
	free(((struct ext *)opaque)->buf);
	free(opaque);
}

/* An mbuf holding frame[0..len) in a buffer of exactly len + tailroom bytes. */
static struct rte_mbuf *frame_mbuf(const uint8_t *frame, size_t len, size_t tailroom)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct ext *e = calloc(1, sizeof(*e));

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	e->buf = malloc(len + tailroom);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e->buf);
	memcpy(e->buf, frame, len);
	e->shinfo.free_cb = ext_free;
	e->shinfo.fcb_opaque = e;
	rte_mbuf_ext_refcnt_set(&e->shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, e->buf, 0, (uint16_t)(len + tailroom), &e->shinfo);
	m->data_off = 0;
	rte_pktmbuf_data_len(m) = (uint16_t)len;
	rte_pktmbuf_pkt_len(m) = (uint32_t)len;
	return m;
}

/*
 * fuzz_neigh crash-28524a97...: a DAD neighbour solicitation for our 2001:db8::1 (source ::,
 * to the solicited-node group, no options: 24 bytes of ICMPv6) in a frame with no tailroom.
 * The advertisement answering it carries our link-layer address option, 8 bytes more, and
 * was written past the end of the buffer.
 */
static const char dad_ns_hex[] =
	"000000020100010200000000" "86dd"
	"6000000000183aff" "00000000000000000000000000000000"
	"ff0200000000000000000001ff000001"
	"87004ced00000000" "20010db8000000000000000000000001";

static void run_dad_ns(size_t tailroom, enum dp_local_verdict want)
{
	uint8_t frame[128];
	size_t len = unit_hex(frame, sizeof(frame), dad_ns_hex);
	struct dp_neigh *nt = dp_neigh_create("test_neigh", 8, pool, SOCKET_ID_ANY);
	struct dp_tx_list tx = { .n = 0 };
	struct rte_mbuf *m;
	enum dp_local_verdict v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(nt);
	m = frame_mbuf(frame, len, tailroom);
	v = dp_local_input(nt, &ifc, m, 0, &tx);
	CU_ASSERT_EQUAL(v, want);
	CU_ASSERT_EQUAL(tx.n, 0);
	if (v == DP_LOCAL_REPLY) {
		const struct rte_ipv6_hdr *ip6 =
			rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, 14);
		const uint8_t *icmp = (const uint8_t *)(ip6 + 1);

		/* A neighbour advertisement with our MAC, to all nodes, checksum right. */
		CU_ASSERT_EQUAL(rte_pktmbuf_data_len(m), 14 + 40 + 24 + 8);
		CU_ASSERT_EQUAL(icmp[0], 136);
		CU_ASSERT_EQUAL(icmp[24], 2);
		CU_ASSERT_EQUAL(memcmp(icmp + 26, ifc.mac.addr_bytes, 6), 0);
		CU_ASSERT_EQUAL(ip6->dst_addr[0], 0xff);
		CU_ASSERT_EQUAL(rte_ipv6_udptcp_cksum_verify(ip6, icmp), 0);
		rte_pktmbuf_free(m);
	} else {
		CU_ASSERT_EQUAL(dp_neigh_stats(nt)->drops[DP_NEIGH_DROP_NO_MBUF], 1);
	}
	dp_neigh_free(nt);
}

static void test_dad_ns_no_tailroom(void)
{
	run_dad_ns(0, DP_LOCAL_DROP);
}

static void test_dad_ns_with_tailroom(void)
{
	run_dad_ns(64, DP_LOCAL_REPLY);
}

/* ---- the table's life, by the clock ---- */

#define S  1000000000ull
#define T0 (1000 * S) /* any start but 0 */

/* A second port on a wide link, for floods of distinct neighbours. */
static struct wgdp_port_config wide_cfg = {
	.port_id = 1,
	.role = WGDP_ROLE_INSIDE,
	.addrs = { { .addr = { 4, { 10, 0, 0, 1 } }, .len = 8 } },
	.n_addrs = 1,
};
static const struct dp_iface wide = {
	.port_id = 1,
	.mac = { { 0x02, 0, 0, 0, 0, 0x02 } },
	.cfg = &wide_cfg,
};

static const struct rte_ether_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

static struct wgdp_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct wgdp_addr x = { .family = 4, .bytes = { a, b, c, d } };

	return x;
}

static struct rte_ether_addr mac_of(uint32_t n)
{
	struct rte_ether_addr m = { { 0x02, 0x42, (uint8_t)(n >> 24), (uint8_t)(n >> 16),
				      (uint8_t)(n >> 8), (uint8_t)n } };

	return m;
}

/* An ARP frame: op from (sha, sip) to eth_dst, about tip. */
static struct rte_mbuf *arp_frame(uint16_t op, const struct rte_ether_addr *sha,
				  const struct wgdp_addr *sip, const struct rte_ether_addr *eth_dst,
				  const struct wgdp_addr *tip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	arp = (struct rte_arp_hdr *)(eth + 1);
	memset(eth, 0, sizeof(*eth) + sizeof(*arp));
	eth->dst_addr = *eth_dst;
	eth->src_addr = *sha;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(op);
	arp->arp_data.arp_sha = *sha;
	memcpy(&arp->arp_data.arp_sip, sip->bytes, 4);
	memcpy(&arp->arp_data.arp_tip, tip->bytes, 4);
	return m;
}

/* An IPv4 frame for some next hop: what the control lcore asks the table to send. */
static struct rte_mbuf *ip_frame(const struct dp_iface *i)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, 60);
	memset(eth, 0, 60);
	eth->src_addr = i->mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	return m;
}

static void tx_free(struct dp_tx_list *tx)
{
	for (unsigned int i = 0; i < tx->n; i++)
		rte_pktmbuf_free(tx->pkts[i]);
	tx->n = 0;
}

static const struct rte_ether_addr *eth_dst(const struct rte_mbuf *m)
{
	return &rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->dst_addr;
}

static bool is_arp_request(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_arp_hdr *arp = (const struct rte_arp_hdr *)(eth + 1);

	return eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP) &&
	       arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
}

/* The neighbour at nh (mac) answers us: an ARP reply sent to our MAC. */
static void answer(struct dp_neigh *nt, const struct dp_iface *i, const struct wgdp_addr *nh,
		   const struct rte_ether_addr *mac, uint64_t now, struct dp_tx_list *tx)
{
	struct rte_mbuf *m = arp_frame(RTE_ARP_OP_REPLY, mac, nh, &i->mac, &i->cfg->addrs[0].addr);

	CU_ASSERT_EQUAL(dp_local_input(nt, i, m, now, tx), DP_LOCAL_CONSUMED);
}

/* A neighbour at from (mac) asks for our address: we answer and keep it, STALE. */
static void ask(struct dp_neigh *nt, const struct dp_iface *i, const struct wgdp_addr *from,
		const struct rte_ether_addr *mac, uint64_t now)
{
	struct rte_mbuf *m = arp_frame(RTE_ARP_OP_REQUEST, mac, from, &bcast,
				       &i->cfg->addrs[0].addr);
	struct dp_tx_list tx = { .n = 0 };

	CU_ASSERT_EQUAL(dp_local_input(nt, i, m, now, &tx), DP_LOCAL_REPLY);
	rte_pktmbuf_free(m);
	tx_free(&tx);
}

static void tick(struct dp_neigh *nt, uint64_t now, struct dp_tx_list *tx)
{
	dp_neigh_tick(nt, now, tx);
}

/*
 * INCOMPLETE -> answered -> REACHABLE -> 30 s -> STALE -> used -> PROBE (unicast) -> answered
 * -> REACHABLE -> STALE -> used -> probes unanswered -> FAILED -> a frame resolves afresh ->
 * unanswered -> FAILED, frame dropped -> deleted.
 */
static void test_states(void)
{
	struct dp_neigh *nt = dp_neigh_create("test_states", 64, pool, SOCKET_ID_ANY);
	const struct wgdp_addr nh = v4(192, 0, 2, 2);
	const struct rte_ether_addr m1 = mac_of(1);
	const struct dp_neigh_stats *st;
	struct dp_tx_list tx = { .n = 0 };
	struct rte_ether_addr got;
	unsigned int avail = rte_mempool_avail_count(pool);
	uint64_t t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(nt);
	st = dp_neigh_stats(nt);
	CU_ASSERT_TRUE(dp_neigh_resolve(nt, &ifc, &nh, ip_frame(&ifc), T0, &tx));
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 0, &nh), DP_NEIGH_INCOMPLETE);
	CU_ASSERT_EQUAL_FATAL(tx.n, 1);
	CU_ASSERT_TRUE(is_arp_request(tx.pkts[0]) && rte_is_broadcast_ether_addr(eth_dst(tx.pkts[0])));
	CU_ASSERT_FALSE(dp_neigh_lookup(nt, 0, &nh, &got));
	tx_free(&tx);

	/* Answered: the waiting frame leaves for m1. */
	answer(nt, &ifc, &nh, &m1, T0 + S / 10, &tx);
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 0, &nh), DP_NEIGH_REACHABLE);
	CU_ASSERT_EQUAL_FATAL(tx.n, 1);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(eth_dst(tx.pkts[0]), &m1));
	CU_ASSERT_EQUAL(st->released, 1);
	tx_free(&tx);

	/* Reachable for 30 s, then stale; the MAC is still used. */
	for (t = T0 + S; t <= T0 + 30 * S; t += S)
		tick(nt, t, &tx);
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 0, &nh), DP_NEIGH_REACHABLE);
	tick(nt, T0 + 31 * S, &tx);
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 0, &nh), DP_NEIGH_STALE);
	CU_ASSERT_TRUE(dp_neigh_lookup(nt, 0, &nh, &got));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&got, &m1));
	CU_ASSERT_EQUAL(tx.n, 0);

	/* Used while stale: at the next check, a probe to m1 itself. */
	tick(nt, T0 + 32 * S, &tx);
	CU_ASSERT_TRUE(dp_neigh_lookup(nt, 0, &nh, &got));
	for (t = T0 + 33 * S; t <= T0 + 36 * S; t += S)
		tick(nt, t, &tx);
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 0, &nh), DP_NEIGH_PROBE);
	CU_ASSERT_EQUAL_FATAL(tx.n, 1);
	CU_ASSERT_TRUE(is_arp_request(tx.pkts[0]));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(eth_dst(tx.pkts[0]), &m1));
	CU_ASSERT_EQUAL(st->probes, 1);
	CU_ASSERT_TRUE(dp_neigh_lookup(nt, 0, &nh, &got)); /* still used while probing */
	tx_free(&tx);
	answer(nt, &ifc, &nh, &m1, T0 + 36 * S + S / 2, &tx);
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 0, &nh), DP_NEIGH_REACHABLE);

	/* Stale again and used, but this time nobody answers the probes: FAILED, MAC unused. */
	for (t = T0 + 37 * S; t <= T0 + 67 * S; t += S)
		tick(nt, t, &tx);
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 0, &nh), DP_NEIGH_STALE);
	tick(nt, T0 + 68 * S, &tx);
	CU_ASSERT_TRUE(dp_neigh_lookup(nt, 0, &nh, &got));
	for (t = T0 + 69 * S; t <= T0 + 75 * S; t += S)
		tick(nt, t, &tx);
	CU_ASSERT_EQUAL(st->probes, 1 + DP_NEIGH_PROBES);
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 0, &nh), DP_NEIGH_FAILED);
	CU_ASSERT_FALSE(dp_neigh_lookup(nt, 0, &nh, &got));
	tx_free(&tx);

	/* The next frame resolves afresh, by broadcast; unanswered, it is dropped and counted. */
	CU_ASSERT_TRUE(dp_neigh_resolve(nt, &ifc, &nh, ip_frame(&ifc), T0 + 76 * S, &tx));
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 0, &nh), DP_NEIGH_INCOMPLETE);
	CU_ASSERT_EQUAL_FATAL(tx.n, 1);
	CU_ASSERT_TRUE(rte_is_broadcast_ether_addr(eth_dst(tx.pkts[0])));
	tx_free(&tx);
	for (t = T0 + 77 * S; t <= T0 + 79 * S; t += S)
		tick(nt, t, &tx);
	CU_ASSERT_EQUAL(tx.n, DP_NEIGH_RETRIES - 1);
	tx_free(&tx);
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 0, &nh), DP_NEIGH_FAILED);
	CU_ASSERT_EQUAL(st->drops[DP_NEIGH_DROP_UNRESOLVED], 1);
	CU_ASSERT_EQUAL(st->queued, 0);

	/* Failed and asked for by nobody: deleted. */
	for (t = T0 + 80 * S; t <= T0 + 90 * S; t += S)
		tick(nt, t, &tx);
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 0, &nh), -1);
	CU_ASSERT_EQUAL(st->entries, 0);
	CU_ASSERT_EQUAL(st->expired, 1);
	CU_ASSERT_EQUAL(tx.n, 0);
	dp_neigh_free(nt);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail);
}

/*
 * Neighbours that ask for us are kept STALE (RFC 4861 7.2.3); one in use is probed, one
 * unused is deleted after DP_NEIGH_GC_NS.
 */
static void test_asked_and_unused(void)
{
	struct dp_neigh *nt = dp_neigh_create("test_unused", 64, pool, SOCKET_ID_ANY);
	const struct wgdp_addr a = v4(192, 0, 2, 9), b = v4(192, 0, 2, 10);
	const struct rte_ether_addr ma = mac_of(9), mb = mac_of(10), mb2 = mac_of(11);
	const struct dp_neigh_stats *st;
	struct dp_tx_list tx = { .n = 0 };
	struct rte_ether_addr got;
	uint64_t t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(nt);
	st = dp_neigh_stats(nt);
	/* A neighbour that asks for us is kept STALE, nothing more: no solicitation. */
	ask(nt, &ifc, &a, &ma, T0);
	ask(nt, &ifc, &b, &mb, T0);
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 0, &a), DP_NEIGH_STALE);
	CU_ASSERT_EQUAL(st->entries, 2);
	CU_ASSERT_EQUAL(st->solicitations, 0);
	CU_ASSERT_TRUE(dp_neigh_lookup(nt, 0, &a, &got));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&got, &ma));
	/* Asking again from another MAC: that MAC, still STALE (RFC 4861 7.2.3). */
	ask(nt, &ifc, &b, &mb2, T0 + S);
	CU_ASSERT_TRUE(dp_neigh_lookup(nt, 0, &b, &got));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&got, &mb2));
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 0, &b), DP_NEIGH_STALE);

	/* b is used now and then; a never: a goes after DP_NEIGH_GC_NS, b is probed instead. */
	for (t = T0 + S; t < T0 + DP_NEIGH_GC_NS; t += S) {
		tick(nt, t, &tx);
		if (tx.n) {
			/* b's probe: answered at once */
			CU_ASSERT_TRUE(rte_is_same_ether_addr(eth_dst(tx.pkts[0]), &mb2));
			tx_free(&tx);
			answer(nt, &ifc, &b, &mb2, t, &tx);
			CU_ASSERT_EQUAL(tx.n, 0);
		}
		if (t % (60 * S) == 0)
			dp_neigh_lookup(nt, 0, &b, &got);
	}
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 0, &a), DP_NEIGH_STALE);
	for (; t < T0 + DP_NEIGH_GC_NS + DP_NEIGH_STALE_CHECK_NS + S; t += S)
		tick(nt, t, &tx);
	tx_free(&tx);
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 0, &a), -1);
	CU_ASSERT_NOT_EQUAL(dp_neigh_state(nt, 0, &b), -1);
	CU_ASSERT_EQUAL(st->expired, 1);
	CU_ASSERT_EQUAL(st->entries, 1);
	CU_ASSERT(st->probes >= 4);
	CU_ASSERT_EQUAL(st->solicitations, 0);
	dp_neigh_free(nt);
}

/*
 * 10,000 ARP requests from distinct neighbours into a 64-entry table: never above 64; a next
 * hop we were resolving before the flood and one we need after it both resolve.
 */
static void test_request_flood(void)
{
	struct dp_neigh *nt = dp_neigh_create("test_flood", 64, pool, SOCKET_ID_ANY);
	const struct wgdp_addr before = v4(10, 200, 0, 1), after = v4(10, 200, 0, 2);
	const struct rte_ether_addr mb = mac_of(0xb0), ma = mac_of(0xa0);
	unsigned int avail = rte_mempool_avail_count(pool);
	const struct dp_neigh_stats *st;
	struct dp_tx_list tx = { .n = 0 };
	unsigned int peak = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(nt);
	st = dp_neigh_stats(nt);
	CU_ASSERT_TRUE(dp_neigh_resolve(nt, &wide, &before, ip_frame(&wide), T0, &tx));
	tx_free(&tx);
	for (uint32_t i = 1; i <= 10000; i++) {
		struct wgdp_addr from = v4(10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i);
		struct rte_ether_addr mac = mac_of(i);

		ask(nt, &wide, &from, &mac, T0 + i * (S / 1000));
		peak = RTE_MAX(peak, (unsigned int)st->entries);
	}
	CU_ASSERT_EQUAL(peak, 64);
	CU_ASSERT_EQUAL(st->max_entries, 64);
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 1, &before), DP_NEIGH_INCOMPLETE);
	CU_ASSERT(st->evicted >= 10000 - 64);
	CU_ASSERT_EQUAL(st->drops[DP_NEIGH_DROP_EVICTED], 0); /* no frame waited on the evicted */

	answer(nt, &wide, &before, &mb, T0 + 11 * S, &tx);
	CU_ASSERT_EQUAL_FATAL(tx.n, 1);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(eth_dst(tx.pkts[0]), &mb));
	tx_free(&tx);

	CU_ASSERT_TRUE(dp_neigh_resolve(nt, &wide, &after, ip_frame(&wide), T0 + 12 * S, &tx));
	CU_ASSERT_EQUAL_FATAL(tx.n, 1);
	CU_ASSERT_TRUE(is_arp_request(tx.pkts[0]));
	tx_free(&tx);
	answer(nt, &wide, &after, &ma, T0 + 12 * S, &tx);
	CU_ASSERT_EQUAL_FATAL(tx.n, 1);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(eth_dst(tx.pkts[0]), &ma));
	tx_free(&tx);
	CU_ASSERT_EQUAL(st->entries, 64);
	CU_ASSERT_EQUAL(st->drops[DP_NEIGH_DROP_TABLE_FULL], 0);
	dp_neigh_free(nt);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail);
}

/*
 * A full table: failed entries go first, then the oldest incomplete one (its frames dropped,
 * "evicted"), then stale ones; reachable ones never: then the frame is refused.
 */
static void test_eviction_order(void)
{
	struct dp_neigh *nt = dp_neigh_create("test_evict", 16, pool, SOCKET_ID_ANY);
	unsigned int avail = rte_mempool_avail_count(pool);
	const struct dp_neigh_stats *st;
	struct dp_tx_list tx = { .n = 0 };
	struct wgdp_addr a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(nt);
	st = dp_neigh_stats(nt);
	/* 12 that asked (STALE), 4 we resolve (INCOMPLETE). */
	for (uint8_t i = 0; i < 12; i++) {
		struct rte_ether_addr mac = mac_of(i);

		a = v4(10, 0, 1, i);
		ask(nt, &wide, &a, &mac, T0);
	}
	for (uint8_t i = 0; i < 4; i++) {
		a = v4(10, 0, 2, i);
		CU_ASSERT_TRUE(dp_neigh_resolve(nt, &wide, &a, ip_frame(&wide), T0 + i, &tx));
	}
	tx_free(&tx);
	CU_ASSERT_EQUAL(st->entries, 16);
	/* One more that asks: a stale one goes, never one we are resolving. */
	{
		struct rte_ether_addr mac = mac_of(99);

		a = v4(10, 0, 1, 99);
		ask(nt, &wide, &a, &mac, T0 + S);
	}
	CU_ASSERT_EQUAL(st->in_state[DP_NEIGH_INCOMPLETE], 4);
	CU_ASSERT_EQUAL(st->in_state[DP_NEIGH_STALE], 12);
	/* One more next hop: the incomplete one that waited longest goes, with its frame. */
	a = v4(10, 0, 2, 200);
	CU_ASSERT_TRUE(dp_neigh_resolve(nt, &wide, &a, ip_frame(&wide), T0 + S, &tx));
	tx_free(&tx);
	a = v4(10, 0, 2, 0);
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 1, &a), -1);
	CU_ASSERT_EQUAL(st->drops[DP_NEIGH_DROP_EVICTED], 1);
	CU_ASSERT_EQUAL(st->entries, 16);
	/* Answer every incomplete one: 4 reachable, 12 stale. */
	for (uint8_t i = 1; i < 4; i++) {
		struct rte_ether_addr mac = mac_of(0x100 + i);

		a = v4(10, 0, 2, i);
		answer(nt, &wide, &a, &mac, T0 + 2 * S, &tx);
	}
	{
		struct rte_ether_addr mac = mac_of(0x1c8);

		a = v4(10, 0, 2, 200);
		answer(nt, &wide, &a, &mac, T0 + 2 * S, &tx);
	}
	tx_free(&tx);
	CU_ASSERT_EQUAL(st->in_state[DP_NEIGH_REACHABLE], 4);
	/* One stale entry in use: the least recently used ones go before it. */
	tick(nt, T0 + 3 * S, &tx);
	tx_free(&tx);
	a = v4(10, 0, 1, 1);
	{
		struct rte_ether_addr got;

		CU_ASSERT_TRUE(dp_neigh_lookup(nt, 1, &a, &got));
	}
	/* Next hops push out the stale ones (no incomplete one left); reachable ones stay. */
	for (uint8_t i = 0; i < 11; i++) {
		struct rte_ether_addr mac = mac_of(0x300 + i);

		a = v4(10, 0, 3, i);
		CU_ASSERT_TRUE(dp_neigh_resolve(nt, &wide, &a, ip_frame(&wide), T0 + 3 * S, &tx));
		answer(nt, &wide, &a, &mac, T0 + 3 * S, &tx);
		tx_free(&tx);
		CU_ASSERT_EQUAL(st->in_state[DP_NEIGH_STALE], 11u - i);
	}
	a = v4(10, 0, 1, 1);
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 1, &a), DP_NEIGH_STALE);
	a = v4(10, 0, 3, 11);
	CU_ASSERT_TRUE(dp_neigh_resolve(nt, &wide, &a, ip_frame(&wide), T0 + 3 * S, &tx));
	answer(nt, &wide, &a, &(struct rte_ether_addr){ { 2, 0, 0, 0, 3, 11 } }, T0 + 3 * S, &tx);
	tx_free(&tx);
	CU_ASSERT_EQUAL(st->in_state[DP_NEIGH_REACHABLE], 16);
	CU_ASSERT_EQUAL(st->drops[DP_NEIGH_DROP_EVICTED], 1);
	/* Reachable entries in use stay: with every one used since its confirmation, the table
	 * is full for a new next hop. */
	tick(nt, T0 + 4 * S, &tx);
	tx_free(&tx);
	for (unsigned int i = 0; i < 16; i++) {
		struct rte_ether_addr got;

		a = i < 3 ? v4(10, 0, 2, (uint8_t)(i + 1)) : i == 3 ? v4(10, 0, 2, 200)
								    : v4(10, 0, 3, (uint8_t)(i - 4));
		CU_ASSERT_TRUE(dp_neigh_lookup(nt, 1, &a, &got));
	}
	a = v4(10, 0, 4, 1);
	CU_ASSERT_FALSE(dp_neigh_resolve(nt, &wide, &a, ip_frame(&wide), T0 + 4 * S, &tx));
	CU_ASSERT_EQUAL(st->drops[DP_NEIGH_DROP_TABLE_FULL], 1);
	{
		struct rte_ether_addr mac = mac_of(0x401);

		ask(nt, &wide, &a, &mac, T0 + 4 * S); /* still answered, not kept */
	}
	CU_ASSERT_EQUAL(st->not_learned, 1);
	CU_ASSERT_EQUAL(st->entries, 16);
	CU_ASSERT_EQUAL(tx.n, 0);
	dp_neigh_free(nt);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail);
}

/*
 * Answers nobody asked for (review of #14): a "solicited" ARP reply to our MAC for an entry we
 * are not resolving confirms nothing (it would make it REACHABLE, which is never evicted while
 * in use, and an on-link host could fill the table so for good); a gratuitous ARP request
 * updates a neighbour we know (RFC 826's merge, a failover's announcement) but creates none.
 */
static void test_unasked_answers(void)
{
	struct dp_neigh *nt = dp_neigh_create("test_unasked", 16, pool, SOCKET_ID_ANY);
	unsigned int avail = rte_mempool_avail_count(pool);
	struct rte_ether_addr mac1 = mac_of(0x501), mac2 = mac_of(0x502), got;
	struct wgdp_addr a = v4(10, 0, 5, 1), other = v4(10, 0, 5, 2);
	struct dp_tx_list tx = { .n = 0 };
	struct rte_mbuf *m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(nt);
	ask(nt, &wide, &a, &mac1, T0);
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 1, &a), DP_NEIGH_STALE);
	answer(nt, &wide, &a, &mac1, T0 + S, &tx);
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 1, &a), DP_NEIGH_STALE);
	/* A gratuitous request: sender and target both the neighbour, to everyone. */
	m = arp_frame(RTE_ARP_OP_REQUEST, &mac2, &a, &bcast, &a);
	CU_ASSERT_EQUAL(dp_local_input(nt, &wide, m, T0 + 2 * S, &tx), DP_LOCAL_CONSUMED);
	CU_ASSERT_TRUE(dp_neigh_lookup(nt, 1, &a, &got));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&got, &mac2));
	m = arp_frame(RTE_ARP_OP_REQUEST, &mac2, &other, &bcast, &other);
	CU_ASSERT_EQUAL(dp_local_input(nt, &wide, m, T0 + 2 * S, &tx), DP_LOCAL_DROP);
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 1, &other), -1);
	CU_ASSERT_EQUAL(tx.n, 0);
	dp_neigh_free(nt);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail);
}

/*
 * A backlog of one state does not stop the others' timers (review of #14): 20,000 next hops
 * resolving at once, more than DP_NEIGH_TICK_WORK a tick, and a stale neighbour in use is
 * still probed when its check comes.
 */
static void test_tick_shares(void)
{
	struct dp_neigh *nt = dp_neigh_create("test_shares", 32768, pool, SOCKET_ID_ANY);
	unsigned int avail = rte_mempool_avail_count(pool);
	struct rte_ether_addr mac = mac_of(0x601), got;
	struct wgdp_addr a = v4(10, 0, 6, 1);
	struct dp_tx_list tx = { .n = 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(nt);
	ask(nt, &wide, &a, &mac, T0);
	tick(nt, T0 + S, &tx);
	tx_free(&tx);
	CU_ASSERT_TRUE(dp_neigh_lookup(nt, 1, &a, &got)); /* in use since it went stale */
	for (unsigned int i = 0; i < 20000; i++) {
		struct wgdp_addr nh = v4(10, 1, (uint8_t)(i >> 8), (uint8_t)i);

		dp_neigh_resolve(nt, &wide, &nh, ip_frame(&wide), T0 + S, &tx);
		tx_free(&tx);
	}
	CU_ASSERT(dp_neigh_stats(nt)->in_state[DP_NEIGH_INCOMPLETE] > DP_NEIGH_TICK_WORK);
	for (uint64_t t = T0 + 2 * S; t <= T0 + DP_NEIGH_STALE_CHECK_NS + S; t += S) {
		while (dp_neigh_tick(nt, t, &tx))
			tx_free(&tx);
		tx_free(&tx);
	}
	CU_ASSERT_EQUAL(dp_neigh_state(nt, 1, &a), DP_NEIGH_PROBE);
	dp_neigh_free(nt);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail);
}

/* Frames waiting for resolution: DP_NEIGH_QUEUE a neighbour, pool / 8 in all. */
static void test_queue_limit(void)
{
	struct dp_neigh *nt = dp_neigh_create("test_queue", 64, pool, SOCKET_ID_ANY);
	unsigned int avail = rte_mempool_avail_count(pool), limit, offered = 0;
	const struct dp_neigh_stats *st;
	struct dp_tx_list tx = { .n = 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(nt);
	st = dp_neigh_stats(nt);
	limit = (unsigned int)st->queue_limit;
	CU_ASSERT_EQUAL(limit, pool->size / DP_NEIGH_POOL_SHARE);
	for (uint8_t n = 0; offered < limit + 2 * DP_NEIGH_QUEUE; n++) {
		struct wgdp_addr nh = v4(10, 0, 5, n);

		for (unsigned int f = 0; f < DP_NEIGH_QUEUE; f++, offered++)
			dp_neigh_resolve(nt, &wide, &nh, ip_frame(&wide), T0, &tx);
		tx_free(&tx);
		CU_ASSERT(st->queued <= limit);
	}
	CU_ASSERT_EQUAL(st->queued, limit);
	CU_ASSERT_EQUAL(st->drops[DP_NEIGH_DROP_QUEUE_LIMIT], offered - limit);
	/* One neighbour's own cap: its oldest frame goes (its frames already wait, at 16). */
	{
		struct wgdp_addr nh = v4(10, 0, 5, 0);

		dp_neigh_resolve(nt, &wide, &nh, ip_frame(&wide), T0, &tx);
		CU_ASSERT_EQUAL(st->drops[DP_NEIGH_DROP_QUEUE_FULL], 1);
		CU_ASSERT_EQUAL(st->queued, limit);
	}
	tx_free(&tx);
	dp_neigh_free(nt);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail);
}

/*
 * 250 new next hops at once: DP_NEIGH_SOLICIT_RATE broadcasts in the first second, the rest
 * refused and counted; every one still gets its DP_NEIGH_RETRIES tries later.
 */
static void test_solicit_budget(void)
{
	struct dp_neigh *nt = dp_neigh_create("test_budget", 512, pool, SOCKET_ID_ANY);
	unsigned int avail = rte_mempool_avail_count(pool);
	const struct dp_neigh_stats *st;
	struct dp_tx_list tx = { .n = 0 };
	uint64_t last = 0, t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(nt);
	st = dp_neigh_stats(nt);
	for (unsigned int i = 0; i < 250; i++) {
		struct wgdp_addr nh = v4(10, 1, (uint8_t)(i >> 8), (uint8_t)i);

		dp_neigh_resolve(nt, &wide, &nh, ip_frame(&wide), T0, &tx);
		tx_free(&tx);
	}
	CU_ASSERT_EQUAL(st->solicitations, DP_NEIGH_SOLICIT_RATE);
	CU_ASSERT_EQUAL(st->drops[DP_NEIGH_DROP_SOLICIT_BUDGET], 250 - DP_NEIGH_SOLICIT_RATE);
	/* A second later: tx fills up (64), the caller sends it and calls again. */
	CU_ASSERT_TRUE(dp_neigh_tick(nt, T0 + S, &tx));
	CU_ASSERT_EQUAL(tx.n, DP_TX_LIST_MAX);
	tx_free(&tx);
	CU_ASSERT_FALSE(dp_neigh_tick(nt, T0 + S, &tx));
	tx_free(&tx);
	CU_ASSERT_EQUAL(st->solicitations, 2 * DP_NEIGH_SOLICIT_RATE);
	last = st->solicitations;
	for (t = T0 + 2 * S; t <= T0 + 30 * S; t += S) {
		while (dp_neigh_tick(nt, t, &tx))
			tx_free(&tx);
		tx_free(&tx);
		CU_ASSERT(st->solicitations - last <= DP_NEIGH_SOLICIT_RATE);
		last = st->solicitations;
	}
	/* Resolution ends after DP_NEIGH_RETRIES seconds whatever the budget let through (RFC
	 * 4861 7.2.2): three seconds' worth of solicitations, then every frame dropped (or refused at once
	 * by the global cap). */
	CU_ASSERT_EQUAL(st->solicitations, DP_NEIGH_RETRIES * DP_NEIGH_SOLICIT_RATE);
	CU_ASSERT_EQUAL(st->drops[DP_NEIGH_DROP_UNRESOLVED] + st->drops[DP_NEIGH_DROP_QUEUE_LIMIT],
			250);
	CU_ASSERT_EQUAL(st->in_state[DP_NEIGH_INCOMPLETE], 0);
	CU_ASSERT_EQUAL(st->queued, 0);
	dp_neigh_free(nt);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail);
}

/*
 * With a QSBR variable, a deleted entry is reused only after the readers were quiescent: with
 * a reader that never reports, the spare entries run out and new ones are refused; one report
 * and they come back.
 */
static void test_grace_period(void)
{
	struct dp_neigh *nt = dp_neigh_create("test_rcu", 16, pool, SOCKET_ID_ANY);
	struct rte_rcu_qsbr *rcu = rte_zmalloc("test_rcu", rte_rcu_qsbr_get_memsize(1),
					       RTE_CACHE_LINE_SIZE);
	const struct dp_neigh_stats *st;
	unsigned int refused_at = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(nt);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rcu);
	CU_ASSERT_EQUAL_FATAL(rte_rcu_qsbr_init(rcu, 1), 0);
	rte_rcu_qsbr_thread_register(rcu, 0);
	rte_rcu_qsbr_thread_online(rcu, 0);
	dp_neigh_set_rcu(nt, rcu);
	st = dp_neigh_stats(nt);
	for (uint32_t i = 0; i < 1000 && !refused_at; i++) {
		struct wgdp_addr from = v4(10, 2, (uint8_t)(i >> 8), (uint8_t)i);
		struct rte_ether_addr mac = mac_of(i);

		ask(nt, &wide, &from, &mac, T0);
		if (st->not_learned)
			refused_at = i;
	}
	/* 16 live, then every eviction waits: the spares (at least 64) run out. */
	CU_ASSERT(refused_at >= 16 + 64);
	CU_ASSERT(refused_at < 1000);
	CU_ASSERT_EQUAL(st->entries, 16);
	CU_ASSERT_EQUAL(st->evicted, refused_at - 16);
	rte_rcu_qsbr_quiescent(rcu, 0);
	{
		struct wgdp_addr from = v4(10, 3, 0, 1);
		struct rte_ether_addr mac = mac_of(0x301);

		ask(nt, &wide, &from, &mac, T0);
		CU_ASSERT_EQUAL(dp_neigh_state(nt, 1, &from), DP_NEIGH_STALE);
	}
	rte_rcu_qsbr_thread_offline(rcu, 0);
	rte_rcu_qsbr_thread_unregister(rcu, 0);
	dp_neigh_free(nt);
	rte_free(rcu);
}

int main(int argc, char **argv)
{
	static const CU_TestInfo tests[] = {
		{ "DAD solicitation, no tailroom (fuzz crash-28524a97)", test_dad_ns_no_tailroom },
		{ "DAD solicitation, answered with our MAC", test_dad_ns_with_tailroom },
		{ "states: reachable, stale, probe, failed, deleted", test_states },
		{ "asked-for entries: stale, unused ones age out", test_asked_and_unused },
		{ "10,000 ARP requests into 64 entries", test_request_flood },
		{ "eviction order when full", test_eviction_order },
		{ "frames waiting: per neighbour and global caps", test_queue_limit },
		{ "solicitation budget", test_solicit_budget },
		{ "answers and announcements nobody asked for", test_unasked_answers },
		{ "a backlog of one state does not stop the others", test_tick_shares },
		{ "deleted entries wait for a grace period", test_grace_period },
		CU_TEST_INFO_NULL,
	};

	(void)argc;
	if (unit_eal_init(argv[0], "neigh", "64", (const char *const[]){ "--log-level=1", NULL }) <
	    0)
		return 2;
	pool = rte_pktmbuf_pool_create("test_pool", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (!pool)
		return 2;
	return unit_run("neigh", tests);
}
