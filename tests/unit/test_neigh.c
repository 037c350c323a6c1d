/* SPDX-License-Identifier: MIT */
/*
 * ARP/ND/echo answers (lib/dp/neigh.c) on inputs the fuzzer (fuzz/fuzz_neigh.c) found. Each
 * frame sits in an external buffer of exactly its size plus a chosen tailroom, as the fuzzer
 * has it, so that an answer written past the frame shows (and under ASan, faults).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "neigh.h"
#include "unit.h"

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

int main(int argc, char **argv)
{
	static const CU_TestInfo tests[] = {
		{ "DAD solicitation, no tailroom (fuzz crash-28524a97)", test_dad_ns_no_tailroom },
		{ "DAD solicitation, answered with our MAC", test_dad_ns_with_tailroom },
		CU_TEST_INFO_NULL,
	};
	char prefix[64];
	char *eal_argv[] = { argv[0], "-l", "0", "--no-huge", "--no-shconf", "--no-pci",
			     "--no-telemetry", "-m", "64", "--log-level=1", "--file-prefix",
			     prefix, NULL };

	(void)argc;
	snprintf(prefix, sizeof(prefix), "wgdp-test-neigh-%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal_argv) / sizeof(eal_argv[0])) - 1, eal_argv) < 0)
		return 2;
	pool = rte_pktmbuf_pool_create("test_pool", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (!pool)
		return 2;
	return unit_run("neigh", tests);
}
