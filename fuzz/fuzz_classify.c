/* SPDX-License-Identifier: MIT */
/*
 * The outer packet classifier as a worker runs it on every received frame (classify_outside
 * in lib/dp/worker.c, in the same order): dp_pkt_parse (Ethernet, IPv4, IPv6), our address
 * (dp_is_local_addr on a port of 192.0.2.1 and 2001:db8::1), dp_pkt_udp, the listen port,
 * wg_msg_classify, and for a data message dp_inner_parse on what would be its plaintext. The frame sits in an exact-size buffer, and every offset the
 * parsers hand back is checked against it: they must never point past the frame.
 *
 * Input: one Ethernet frame.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "fuzz_dpdk.h"
#include "dp.h"
#include "pkt.h"
#include "route.h"
#include "wg/messages.h"

static struct wgdp_port_config port_cfg = {
	.role = WGDP_ROLE_OUTSIDE,
	.addrs = {
		{ .addr = { 4, { 192, 0, 2, 1 } }, .len = 24 },
		{ .addr = { 6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } }, .len = 64 },
	},
	.n_addrs = 2,
};
static const struct dp_port port = { .iface = { .cfg = &port_cfg }, .outside = true };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	fuzz_eal_init((*argv)[0], 128);
	return 0;
}

/* A decrypted data payload: the inner IP packet and its addresses. */
static void inner(const uint8_t *plain, uint32_t len)
{
	uint8_t family, addr[16];
	uint32_t ip_len;

	if (!dp_inner_parse(plain, len, &ip_len, &family))
		return;
	CHECK(family == 4 || family == 6);
	CHECK(ip_len <= len);
	memcpy(addr, dp_inner_src(plain, family), family == 4 ? 4 : 16);
	memcpy(addr, dp_inner_dst(plain, family), family == 4 ? 4 : 16);
}

static void udp(struct rte_mbuf *m, const struct dp_pkt *p)
{
	uint16_t dport, off, len;
	const uint8_t *msg;

	/* Not for us (ND to multicast goes to the control lcore), or not UDP: not ours here. */
	if (!dp_is_local_addr(&port.iface, p->family, p->dst) || p->proto != IPPROTO_UDP)
		return;
	if (!dp_pkt_udp(m, p, &dport, &off, &len) || dport != 51820)
		return;
	CHECK((uint32_t)off + len <= rte_pktmbuf_data_len(m));
	msg = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	switch (wg_msg_classify(msg, len)) {
	case WG_MSG_DATA:
		CHECK(len >= WG_MSG_DATA_MIN_LEN);
		/* The worker decrypts in place: the plaintext is where the ciphertext was. */
		inner(msg + sizeof(struct wg_msg_data), len - WG_MSG_DATA_MIN_LEN);
		break;
	case WG_MSG_INITIATION:
		CHECK(len == sizeof(struct wg_msg_initiation));
		break;
	case WG_MSG_RESPONSE:
		CHECK(len == sizeof(struct wg_msg_response));
		break;
	case WG_MSG_COOKIE:
		CHECK(len == sizeof(struct wg_msg_cookie));
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf *m = fuzz_mbuf(data, size, 0);
	struct dp_pkt p;
	uint8_t addr[16];

	if (!m)
		return 0;
	if (dp_pkt_parse(m, &p) && p.family) {
		uint32_t hdr =
			p.family == 4 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr);

		CHECK(p.l3_off + hdr <= p.l4_off);
		CHECK((uint32_t)p.l4_off + p.l4_len <= rte_pktmbuf_data_len(m));
		memcpy(addr, p.src, p.family == 4 ? 4 : 16);
		memcpy(addr, p.dst, p.family == 4 ? 4 : 16);
		udp(m, &p);
	}
	rte_pktmbuf_free(m);
	return 0;
}
