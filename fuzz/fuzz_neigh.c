/* SPDX-License-Identifier: MIT */
/*
 * dp_local_input, what the control lcore does with frames for us: ARP, IPv6 neighbour
 * discovery, ICMP and ICMPv6 echo; and the neighbour table's life under a clock the input
 * drives. A fresh table of TABLE_SIZE entries for every input, already resolving two next
 * hops with a frame waiting for each, so that answers have something to learn and release.
 * Every answer we send must be well-formed (checksums right, within the buffer), the table
 * within its bounds after every step, and every mbuf back in the pool at the end.
 *
 * Input: one control byte (bit 0: frames have 128 bytes of tailroom, else none; bit 1: a
 * script follows, else one frame, then the retry timer runs). A script is a list of steps,
 * each a byte whose low two bits say what it is:
 *   0  a frame: a length byte, then that many bytes (dp_local_input)
 *   1  time passes: a byte b, b * 50 ms below 200, else (b - 199) * 10 s; then a tick
 *   2  a frame for a next hop: a byte k (bit 7: IPv6) naming the next hop (dp_neigh_resolve)
 *   3  a worker sends to next hop k (dp_neigh_lookup), or, bit 2 of the step, sets it by hand
 */
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>

#include "fuzz_check.h"
#include "fuzz_dpdk.h"
#include "neigh.h"
#include "pkt.h"

static struct wgdp_port_config port_cfg = {
	.port_id = 0,
	.role = WGDP_ROLE_OUTSIDE,
	.addrs = {
		{ .addr = { 4, { 192, 0, 2, 1 } }, .len = 24 },
		{ .addr = { 6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } }, .len = 64 },
		{ .addr = { 6, { 0xfe, 0x80, [15] = 1 } }, .len = 64 },
	},
	.n_addrs = 3,
};
static struct dp_iface ifc = {
	.port_id = 0,
	.mac = { { 0x02, 0, 0, 0, 0, 0x01 } },
	.cfg = &port_cfg,
};
static const struct wgdp_addr next_hops[2] = {
	{ 4, { 192, 0, 2, 2 } },
	{ 6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } },
};

#define TABLE_SIZE 8
#define MS	   1000000ull

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	fuzz_eal_init((*argv)[0], 128);
	return 0;
}

static void tx_free(struct dp_tx_list *tx)
{
	for (unsigned int i = 0; i < tx->n; i++)
		rte_pktmbuf_free(tx->pkts[i]);
	tx->n = 0;
}

/* A frame waiting for next hop nh: the table solicits and queues it. */
static void wait_for(struct dp_neigh *nt, const struct wgdp_addr *nh, uint64_t now,
		     struct dp_tx_list *tx)
{
	static const uint8_t frame[60] = { [12] = 0x08, [13] = 0x00, [14] = 0x45 };
	struct rte_mbuf *m = fuzz_mbuf(frame, sizeof(frame), 0);

	if (m)
		dp_neigh_resolve(nt, &ifc, nh, m, now, tx);
}

/* Our answer: the checksums we wrote must verify. */
static void check_reply(struct rte_mbuf *m)
{
	struct dp_pkt p;

	CHECK(rte_pktmbuf_data_len(m) <= m->buf_len - m->data_off);
	CHECK(dp_pkt_parse(m, &p));
	if (p.family == 4) {
		const struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, p.l3_off);

		CHECK(rte_raw_cksum(ip, rte_ipv4_hdr_len(ip)) == 0xffff);
		CHECK(rte_raw_cksum(rte_pktmbuf_mtod_offset(m, const void *, p.l4_off), p.l4_len) ==
		      0xffff);
	} else if (p.family == 6) {
		const struct rte_ipv6_hdr *ip6 =
			rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, p.l3_off);

		CHECK(p.proto == IPPROTO_ICMPV6);
		CHECK(rte_ipv6_udptcp_cksum_verify(
			      ip6, rte_pktmbuf_mtod_offset(m, const void *, p.l4_off)) == 0);
	}
}

/* What we send on our own (solicitations, probes): IPv6 ones must have their checksum right. */
static void check_sent(struct dp_tx_list *tx)
{
	for (unsigned int i = 0; i < tx->n; i++) {
		struct dp_pkt p;

		if (dp_pkt_parse(tx->pkts[i], &p) && p.family == 6 && p.proto == IPPROTO_ICMPV6)
			check_reply(tx->pkts[i]);
	}
	tx_free(tx);
}

/* The table's bounds hold after every step. */
static void check_bounds(const struct dp_neigh *nt)
{
	const struct dp_neigh_stats *st = dp_neigh_stats(nt);
	uint64_t sum = 0;

	for (unsigned int s = 0; s < DP_NEIGH_STATE_COUNT; s++)
		sum += st->in_state[s];
	CHECK(st->entries <= st->max_entries);
	CHECK(sum == st->entries);
	CHECK(st->queued <= st->queue_limit);
	CHECK(st->queued <= st->in_state[DP_NEIGH_INCOMPLETE] * DP_NEIGH_QUEUE);
}

static struct wgdp_addr hop(uint8_t k)
{
	struct wgdp_addr a = next_hops[k >> 7];

	a.bytes[a.family == 4 ? 3 : 15] = (uint8_t)(k & 0x7f);
	return a;
}

static void local_frame(struct dp_neigh *nt, const uint8_t *f, size_t len, size_t tailroom,
			uint64_t now, struct dp_tx_list *tx)
{
	struct rte_mbuf *m = fuzz_mbuf(f, len, tailroom);
	enum dp_local_verdict v;

	if (!m)
		return;
	v = dp_local_input(nt, &ifc, m, now, tx);
	if (v == DP_LOCAL_REPLY) {
		check_reply(m);
		rte_pktmbuf_free(m);
	}
	CHECK(v == DP_LOCAL_REPLY || v == DP_LOCAL_CONSUMED || v == DP_LOCAL_DROP);
}

/* One script step at data[*at]; false at the end of the input. */
static bool step(struct dp_neigh *nt, const uint8_t *data, size_t size, size_t *at, size_t tailroom,
		 uint64_t *now, struct dp_tx_list *tx)
{
	uint8_t op, b;
	struct wgdp_addr nh;
	struct rte_ether_addr mac = { { 0x02, 0x42, 0, 0, 0, 0 } };

	if (*at + 2 > size)
		return false;
	op = data[(*at)++];
	b = data[(*at)++];
	switch (op & 3) {
	case 0:
		if (*at + b > size)
			return false;
		local_frame(nt, data + *at, b, tailroom, *now, tx);
		*at += b;
		break;
	case 1:
		*now += b < 200 ? b * 50 * MS : (uint64_t)(b - 199) * 10000 * MS;
		dp_neigh_tick(nt, *now, tx);
		break;
	case 2:
		nh = hop(b);
		wait_for(nt, &nh, *now, tx);
		break;
	default:
		nh = hop(b);
		mac.addr_bytes[5] = op;
		if (op & 4)
			dp_neigh_set(nt, &ifc, &nh, &mac);
		else
			dp_neigh_lookup(nt, ifc.port_id, &nh, &mac);
		break;
	}
	check_sent(tx);
	check_bounds(nt);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_tx_list tx = { .n = 0 };
	unsigned int avail = rte_mempool_avail_count(fuzz_pool());
	uint64_t now = 1000 * 1000 * MS;
	size_t tailroom, at = 1;
	struct dp_neigh *nt;

	if (size < 1)
		return 0;
	tailroom = data[0] & 1 ? 128 : 0;
	nt = dp_neigh_create("fuzz_neigh", TABLE_SIZE, fuzz_pool(), SOCKET_ID_ANY);
	if (!nt)
		abort();
	wait_for(nt, &next_hops[0], now, &tx);
	wait_for(nt, &next_hops[1], now, &tx);
	check_sent(&tx);
	if (data[0] & 2) {
		while (step(nt, data, size, &at, tailroom, &now, &tx))
			;
	} else {
		local_frame(nt, data + 1, size - 1, tailroom, now, &tx);
		check_sent(&tx);
		for (unsigned int t = 1; t <= 4; t++) {
			dp_neigh_tick(nt, now + t * DP_NEIGH_RETRY_NS, &tx);
			check_sent(&tx);
		}
	}
	check_bounds(nt);
	dp_neigh_free(nt);
	CHECK(rte_mempool_avail_count(fuzz_pool()) == avail);
	return 0;
}
