/* SPDX-License-Identifier: MIT */
/*
 * dp_local_input, what the control lcore does with frames for us: ARP, IPv6 neighbour
 * discovery, ICMP and ICMPv6 echo. A fresh neighbour table for every input, already resolving
 * two next hops with a frame waiting for each, so that answers have something to learn and
 * release; then the retry timer runs. Every answer we send must be well-formed: checksums
 * right and within the buffer.
 *
 * Input: one control byte (bit 0: the frame has 128 bytes of tailroom, else none), then the
 * frame.
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
static void wait_for(struct dp_neigh *nt, const struct wgdp_addr *nh, struct dp_tx_list *tx)
{
	static const uint8_t frame[60] = { [12] = 0x08, [13] = 0x00, [14] = 0x45 };
	struct rte_mbuf *m = fuzz_mbuf(frame, sizeof(frame), 0);

	if (m)
		dp_neigh_resolve(nt, &ifc, nh, m, 0, tx);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_tx_list tx = { .n = 0 };
	enum dp_local_verdict v;
	struct dp_neigh *nt;
	struct rte_mbuf *m;

	if (size < 1)
		return 0;
	nt = dp_neigh_create("fuzz_neigh", 8, fuzz_pool(), SOCKET_ID_ANY);
	if (!nt)
		abort();
	wait_for(nt, &next_hops[0], &tx);
	wait_for(nt, &next_hops[1], &tx);
	tx_free(&tx);
	m = fuzz_mbuf(data + 1, size - 1, data[0] & 1 ? 128 : 0);
	if (m) {
		v = dp_local_input(nt, &ifc, m, 0, &tx);
		if (v == DP_LOCAL_REPLY) {
			check_reply(m);
			rte_pktmbuf_free(m);
		}
		CHECK(v == DP_LOCAL_REPLY || v == DP_LOCAL_CONSUMED || v == DP_LOCAL_DROP);
	}
	tx_free(&tx);
	for (uint64_t t = 1; t <= 4; t++) {
		dp_neigh_tick(nt, t * DP_NEIGH_RETRY_NS, &tx);
		tx_free(&tx);
	}
	dp_neigh_free(nt);
	return 0;
}
