/* SPDX-License-Identifier: MIT */
/*
 * lib/dp/vlan.h: 802.1Q tags taken off on RX and put on for TX. Every expected frame is
 * written out in hex from the 802.1Q layout (TPID 0x8100, then the TCI: PCP 3 bits, DEI 1,
 * VID 12, then the frame's own ethertype), never taken from the code's own output. A refused
 * frame must come back unchanged: the whole buffer and the mbuf fields are compared.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "unit.h"
#include "unit_eal.h"
#include "vlan.h"

#define POOL_SIZE 63

static struct rte_mempool *pool;

/* The frame's own parts: destination and source MAC, an IPv4/UDP packet of 32 bytes. */
#define MACS	 "020000000002 020000000001"
#define IP4	 "45000020 12340000 40110000 c0000201 c0000202 cafe0035 000c0000 deadbeef"
#define UNTAGGED MACS "0800" IP4

/* ---- building and comparing frames ---- */

/* A frame of the given bytes, headroom bytes into its buffer. */
static struct rte_mbuf *frame_at(const char *hex, uint16_t headroom)
{
	uint8_t b[256];
	size_t n = unit_hex(b, sizeof(b), hex);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	m->data_off = headroom;
	d = rte_pktmbuf_append(m, (uint16_t)n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	memcpy(d, b, n);
	return m;
}

static struct rte_mbuf *frame(const char *hex)
{
	return frame_at(hex, RTE_PKTMBUF_HEADROOM);
}

/* The frame holds exactly these bytes. */
static void assert_frame(const struct rte_mbuf *m, const char *hex)
{
	uint8_t want[256];
	size_t n = unit_hex(want, sizeof(want), hex);

	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_data_len(m), n);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), n);
	UNIT_ASSERT_MEM(rte_pktmbuf_mtod(m, const uint8_t *), want, n);
}

/* Everything a tag operation could change: the buffer and the fields that describe it. */
struct snap {
	uint16_t data_off, data_len, vlan_tci;
	uint32_t pkt_len;
	uint64_t ol_flags;
	uint8_t buf[RTE_MBUF_DEFAULT_BUF_SIZE];
};

static void snap_take(const struct rte_mbuf *m, struct snap *s)
{
	s->data_off = m->data_off;
	s->data_len = m->data_len;
	s->vlan_tci = m->vlan_tci;
	s->pkt_len = m->pkt_len;
	s->ol_flags = m->ol_flags;
	memcpy(s->buf, m->buf_addr, RTE_MIN((size_t)m->buf_len, sizeof(s->buf)));
}

static void assert_unchanged(const struct rte_mbuf *m, const struct snap *s)
{
	CU_ASSERT_EQUAL(m->data_off, s->data_off);
	CU_ASSERT_EQUAL(m->data_len, s->data_len);
	CU_ASSERT_EQUAL(m->pkt_len, s->pkt_len);
	CU_ASSERT_EQUAL(m->vlan_tci, s->vlan_tci);
	CU_ASSERT_EQUAL(m->ol_flags, s->ol_flags);
	CU_ASSERT_EQUAL(memcmp(m->buf_addr, s->buf, RTE_MIN((size_t)m->buf_len, sizeof(s->buf))),
			0);
}

/* dp_vlan_rx refuses the frame and leaves it as it was. */
static void assert_rx_refused(const char *hex)
{
	static struct snap s;
	struct rte_mbuf *m = frame(hex);

	snap_take(m, &s);
	CU_ASSERT_EQUAL(dp_vlan_rx(m), -1);
	assert_unchanged(m, &s);
	rte_pktmbuf_free(m);
}

/* dp_vlan_rx takes the tag off tagged and gives vid; the frame is then untagged. */
static void assert_rx_strips(const char *tagged, int vid, const char *untagged)
{
	struct rte_mbuf *m = frame(tagged);

	CU_ASSERT_EQUAL(dp_vlan_rx(m), vid);
	assert_frame(m, untagged);
	rte_pktmbuf_free(m);
}

/* ---- RX ---- */

static void test_rx_untagged(void)
{
	static const char *const frames[] = {
		UNTAGGED, MACS "0806 0001 0800 0604 0001", /* ARP, cut short: not ours to judge */
		MACS "86dd 60000000 0000 3b40",		   /* IPv6, cut short */
	};
	static struct snap s;

	for (size_t i = 0; i < RTE_DIM(frames); i++) {
		struct rte_mbuf *m = frame(frames[i]);

		snap_take(m, &s);
		CU_ASSERT_EQUAL(dp_vlan_rx(m), 0);
		assert_unchanged(m, &s);
		rte_pktmbuf_free(m);
	}
}

static void test_rx_software_strip(void)
{
	struct rte_mbuf *m = frame(MACS "8100 0064 0800" IP4);
	uint8_t ip[32];
	const uint8_t *d;

	CU_ASSERT_EQUAL(dp_vlan_rx(m), 100);
	assert_frame(m, UNTAGGED);
	d = rte_pktmbuf_mtod(m, const uint8_t *);
	CU_ASSERT_EQUAL(d[12], 0x08);
	CU_ASSERT_EQUAL(d[13], 0x00);
	unit_hex(ip, sizeof(ip), IP4);
	UNIT_ASSERT_MEM(d + 14, ip, sizeof(ip));
	/* Left as a NIC strip leaves it, so that a second look agrees. */
	CU_ASSERT_TRUE((m->ol_flags & RTE_MBUF_F_RX_VLAN) &&
		       (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED));
	CU_ASSERT_EQUAL(m->vlan_tci, 0x0064);
	CU_ASSERT_EQUAL(dp_vlan_rx(m), 100);
	assert_frame(m, UNTAGGED);
	rte_pktmbuf_free(m);

	/* The tag's other end of the range; an ARP frame keeps its type. */
	assert_rx_strips(MACS "8100 0001 0800" IP4, 1, UNTAGGED);
	assert_rx_strips(MACS "8100 0ffe 0800" IP4, 4094, UNTAGGED);
	assert_rx_strips(MACS "8100 0123 0806 00010800", 0x123, MACS "0806 00010800");
}

/* The PCP (top 3 bits) and DEI (next bit) of the TCI are not part of the VID. */
static void test_rx_pcp_dei(void)
{
	assert_rx_strips(MACS "8100 e00a 0800" IP4, 10, UNTAGGED);    /* PCP 7 */
	assert_rx_strips(MACS "8100 1001 0800" IP4, 1, UNTAGGED);     /* DEI */
	assert_rx_strips(MACS "8100 fabc 0800" IP4, 0xabc, UNTAGGED); /* PCP 7, DEI, 2748 */
	assert_rx_strips(MACS "8100 7ffe 0800" IP4, 4094, UNTAGGED);  /* PCP 3, DEI */
	for (unsigned int pcp_dei = 0; pcp_dei < 16; pcp_dei++) {
		struct rte_mbuf *m = frame(MACS "8100 0abc 0800" IP4);
		uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);

		d[14] = (uint8_t)(pcp_dei << 4 | 0x0a);
		CU_ASSERT_EQUAL(dp_vlan_rx(m), 0xabc);
		rte_pktmbuf_free(m);
	}
}

/* VID 0 carries a priority only (802.1Q 9.6): the frame is the untagged VLAN's. */
static void test_rx_priority_tag(void)
{
	assert_rx_strips(MACS "8100 a000 0800" IP4, 0, UNTAGGED);
	assert_rx_strips(MACS "8100 0000 0800" IP4, 0, UNTAGGED);
}

/* VID 4095 is reserved (802.1Q 9.6), whatever the priority bits say. */
static void test_rx_vid_4095(void)
{
	assert_rx_refused(MACS "8100 0fff 0800" IP4);
	assert_rx_refused(MACS "8100 efff 0800" IP4);
	assert_rx_refused(MACS "8100 ffff 0800" IP4);
}

static void test_rx_qinq(void)
{
	assert_rx_refused(MACS "88a8 0064 8100 00c8 0800" IP4); /* 802.1ad S-tag, C-tag */
	assert_rx_refused(MACS "88a8 0064 0800" IP4);		/* an S-tag alone */
	assert_rx_refused(MACS "8100 0064 8100 00c8 0800" IP4); /* two C-tags */
	assert_rx_refused(MACS "8100 0064 88a8 00c8 0800" IP4);
	assert_rx_refused(MACS "9100 0064 0800" IP4); /* pre-standard QinQ TPIDs */
	assert_rx_refused(MACS "9200 0064 0800" IP4);
	assert_rx_refused(MACS "8100 0064 9100 00c8 0800" IP4);
}

static void test_rx_truncated(void)
{
	static const char tagged[] = MACS "8100 0064 0800";
	char hex[64];
	struct rte_mbuf *m;

	/* Shorter than an Ethernet header; then 14..17 bytes: a TPID but no whole tag. */
	for (size_t n = 0; n < 18; n++) {
		size_t digits = 0;
		size_t i;

		for (i = 0; tagged[i] && digits < 2 * n; i++) {
			hex[i] = tagged[i];
			digits += tagged[i] != ' ';
		}
		hex[i] = '\0';
		assert_rx_refused(hex);
	}
	/* 18 bytes hold the tag and the type: enough, an empty payload is not our business. */
	m = frame(tagged);
	CU_ASSERT_EQUAL(dp_vlan_rx(m), 100);
	assert_frame(m, MACS "0800");
	rte_pktmbuf_free(m);
}

/* The NIC took the tag off: the VID comes from vlan_tci, the bytes are not touched. */
static void test_rx_nic_stripped(void)
{
	static const struct {
		uint16_t tci;
		int vid;
	} cases[] = {
		{ 0xa123, 0x123 }, { 0x0064, 100 }, { 0x0ffe, 4094 }, { 0xf001, 1 },
		{ 0x0000, 0 },	   { 0xe000, 0 },   { 0x0fff, -1 },   { 0xefff, -1 },
	};
	static struct snap s;

	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		struct rte_mbuf *m = frame(UNTAGGED);

		m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
		m->vlan_tci = cases[i].tci;
		snap_take(m, &s);
		CU_ASSERT_EQUAL(dp_vlan_rx(m), cases[i].vid);
		assert_unchanged(m, &s);
		rte_pktmbuf_free(m);
	}
}

/* What the NIC leaves behind when there were two tags. */
static void test_rx_nic_second_tag(void)
{
	static const struct {
		const char *hex;
		uint64_t flags;
	} cases[] = {
		/* it took the outer tag, an inner one is still in the data */
		{ MACS "8100 00c8 0800" IP4, RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED },
		{ MACS "88a8 00c8 0800" IP4, RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED },
		/* it says there were two, taken off or not */
		{ UNTAGGED, RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_QINQ |
				    RTE_MBUF_F_RX_QINQ_STRIPPED },
		{ MACS "88a8 0064 8100 00c8 0800" IP4, RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_QINQ },
	};
	static struct snap s;

	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		struct rte_mbuf *m = frame(cases[i].hex);

		m->ol_flags |= cases[i].flags;
		m->vlan_tci = 0x0064;
		snap_take(m, &s);
		CU_ASSERT_EQUAL(dp_vlan_rx(m), -1);
		assert_unchanged(m, &s);
		rte_pktmbuf_free(m);
	}
}

/* RX_VLAN without RX_VLAN_STRIPPED: the tag is still in the data (net_af_packet puts the
 * kernel's back this way) and is taken off here. */
static void test_rx_nic_reported_not_stripped(void)
{
	struct rte_mbuf *m = frame(MACS "8100 2064 0800" IP4);

	m->ol_flags |= RTE_MBUF_F_RX_VLAN;
	m->vlan_tci = 0x2064;
	CU_ASSERT_EQUAL(dp_vlan_rx(m), 100);
	assert_frame(m, UNTAGGED);
	rte_pktmbuf_free(m);
}

/* ---- TX ---- */

/* dp_vlan_tx refuses the frame and leaves it as it was. */
static void assert_tx_refused(struct rte_mbuf *m, uint16_t vid, bool hw_insert)
{
	static struct snap s;

	snap_take(m, &s);
	CU_ASSERT_EQUAL(dp_vlan_tx(m, vid, hw_insert), -1);
	assert_unchanged(m, &s);
}

static void test_tx_software(void)
{
	static const struct {
		uint16_t vid;
		const char *tagged;
	} cases[] = {
		{ 100, MACS "8100 0064 0800" IP4 },
		{ 1, MACS "8100 0001 0800" IP4 },
		{ 4094, MACS "8100 0ffe 0800" IP4 },
		{ 0x123, MACS "8100 0123 0800" IP4 },
	};

	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		struct rte_mbuf *m = frame(UNTAGGED);

		/* A stale request for the NIC's tag must not add a second one; the RX flags
		 * of a stripped tag no longer hold. */
		m->ol_flags |=
			RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
		CU_ASSERT_EQUAL(dp_vlan_tx(m, cases[i].vid, false), 0);
		assert_frame(m, cases[i].tagged);
		CU_ASSERT_EQUAL(m->data_off, RTE_PKTMBUF_HEADROOM - 4);
		/* (A 64-bit flag word compared, not passed as CUnit's int.) */
		CU_ASSERT_EQUAL(m->ol_flags & (RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_RX_VLAN |
					       RTE_MBUF_F_RX_VLAN_STRIPPED),
				0);
		/* And back: what we send, we can read. */
		CU_ASSERT_EQUAL(dp_vlan_rx(m), cases[i].vid);
		assert_frame(m, UNTAGGED);
		rte_pktmbuf_free(m);
	}
}

static void test_tx_hw_insert(void)
{
	struct rte_mbuf *m = frame(UNTAGGED);

	CU_ASSERT_EQUAL(dp_vlan_tx(m, 300, true), 0);
	CU_ASSERT_EQUAL(m->ol_flags & RTE_MBUF_F_TX_VLAN, RTE_MBUF_F_TX_VLAN);
	CU_ASSERT_EQUAL(m->vlan_tci, 300);
	CU_ASSERT_EQUAL(m->data_off, RTE_PKTMBUF_HEADROOM);
	assert_frame(m, UNTAGGED);
	rte_pktmbuf_free(m);
}

static void test_tx_untagged(void)
{
	static struct snap s;
	struct rte_mbuf *m = frame(UNTAGGED);

	snap_take(m, &s);
	CU_ASSERT_EQUAL(dp_vlan_tx(m, 0, false), 0);
	assert_unchanged(m, &s);
	CU_ASSERT_EQUAL(dp_vlan_tx(m, 0, true), 0);
	assert_unchanged(m, &s);
	rte_pktmbuf_free(m);
}

static void test_tx_bad_vid(void)
{
	struct rte_mbuf *m = frame(UNTAGGED);

	assert_tx_refused(m, 4095, false);
	assert_tx_refused(m, 4095, true);
	assert_tx_refused(m, 0xffff, false);
	assert_tx_refused(m, 0xffff, true);
	rte_pktmbuf_free(m);
}

static void test_tx_headroom(void)
{
	struct rte_mbuf *m;

	for (uint16_t room = 0; room < 4; room++) {
		m = frame_at(UNTAGGED, room);
		assert_tx_refused(m, 100, false);
		rte_pktmbuf_free(m);
	}
	/* The NIC needs none. */
	m = frame_at(UNTAGGED, 0);
	CU_ASSERT_EQUAL(dp_vlan_tx(m, 100, true), 0);
	rte_pktmbuf_free(m);
	/* Exactly enough. */
	m = frame_at(UNTAGGED, 4);
	CU_ASSERT_EQUAL(dp_vlan_tx(m, 100, false), 0);
	CU_ASSERT_EQUAL(m->data_off, 0);
	assert_frame(m, MACS "8100 0064 0800" IP4);
	rte_pktmbuf_free(m);
}

/* Marked where the frame is made, written at the port's TX (xmit.c dp_port_tx): a burst keeps
 * its order, untagged frames stay so, one that cannot take its tag is freed and counted. */
static void test_tx_mark_finish(void)
{
	struct rte_mbuf *pkts[4] = { frame(UNTAGGED), frame(UNTAGGED), frame_at(UNTAGGED, 2),
				     frame(UNTAGGED) };
	uint64_t dropped = 0;

	dp_vlan_tx_mark(pkts[0], 0);
	dp_vlan_tx_mark(pkts[1], 100);
	dp_vlan_tx_mark(pkts[2], 200); /* no room for the tag */
	dp_vlan_tx_mark(pkts[3], 4094);
	CU_ASSERT_EQUAL(pkts[0]->ol_flags & RTE_MBUF_F_TX_VLAN, 0);
	CU_ASSERT_EQUAL(pkts[1]->ol_flags & RTE_MBUF_F_TX_VLAN, RTE_MBUF_F_TX_VLAN);
	assert_frame(pkts[1], UNTAGGED); /* nothing written yet */
	CU_ASSERT_EQUAL(dp_vlan_tx_finish(pkts, 4, &dropped), 3);
	CU_ASSERT_EQUAL(dropped, 1);
	assert_frame(pkts[0], UNTAGGED);
	assert_frame(pkts[1], MACS "8100 0064 0800" IP4);
	assert_frame(pkts[2], MACS "8100 0ffe 0800" IP4);
	/* Written: no flag left for a NIC to add a second tag. */
	CU_ASSERT_EQUAL(pkts[1]->ol_flags & RTE_MBUF_F_TX_VLAN, 0);
	rte_pktmbuf_free_bulk(pkts, 3);
}

/* Writing the tag into a buffer someone else also holds could change their frame. */
static void test_tx_shared(void)
{
	struct rte_mbuf *m = frame(UNTAGGED), *clone;

	rte_mbuf_refcnt_update(m, 1);
	assert_tx_refused(m, 100, false);
	rte_mbuf_refcnt_update(m, -1);

	clone = rte_pktmbuf_clone(m, pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(clone);
	assert_tx_refused(clone, 100, false);
	assert_tx_refused(m, 100, false);
	/* Each holds its own flags and TCI: the NIC path is safe. */
	CU_ASSERT_EQUAL(dp_vlan_tx(clone, 100, true), 0);
	rte_pktmbuf_free(clone);
	CU_ASSERT_EQUAL(dp_vlan_tx(m, 100, false), 0);
	assert_frame(m, MACS "8100 0064 0800" IP4);
	rte_pktmbuf_free(m);
}

/* No Ethernet header to put a tag into. */
static void test_tx_short(void)
{
	struct rte_mbuf *m = frame(MACS "08");

	assert_tx_refused(m, 100, false);
	rte_pktmbuf_free(m);
}

/* Every VID through one mbuf, software out and back: the flags of one pass must not confuse
 * the next (the RX strip marks the mbuf stripped, the TX insert puts the tag back in data). */
static void test_roundtrip_all_vids(void)
{
	struct rte_mbuf *m = frame(UNTAGGED);
	uint8_t want[64];
	size_t n = unit_hex(want, sizeof(want), UNTAGGED);

	for (uint16_t vid = 1; vid <= 4094; vid++) {
		const uint8_t *d;

		CU_ASSERT_EQUAL_FATAL(dp_vlan_tx(m, vid, false), 0);
		d = rte_pktmbuf_mtod(m, const uint8_t *);
		CU_ASSERT_FATAL(d[12] == 0x81 && d[13] == 0x00 && d[14] == vid >> 8 &&
				d[15] == (vid & 0xff) && d[16] == 0x08 && d[17] == 0x00);
		CU_ASSERT_EQUAL_FATAL(dp_vlan_rx(m), vid);
		CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_data_len(m), n);
		CU_ASSERT_EQUAL_FATAL(memcmp(rte_pktmbuf_mtod(m, const uint8_t *), want, n), 0);
	}
	rte_pktmbuf_free(m);
}

/* ---- port capabilities ---- */

/* Hot-plugs a virtual device and gives its port, or false when it cannot be made. */
static bool vdev_port(const char *devargs, const char *name, uint16_t *port)
{
	return rte_dev_probe(devargs) == 0 && rte_eth_dev_get_port_by_name(name, port) == 0;
}

static void test_offload_capability(void)
{
	uint16_t port;

	CU_ASSERT_FALSE(dp_vlan_rx_offload(RTE_MAX_ETHPORTS - 1));
	CU_ASSERT_FALSE(dp_vlan_tx_offload(RTE_MAX_ETHPORTS - 1));

	CU_ASSERT_TRUE_FATAL(vdev_port("net_null_vlantest", "net_null_vlantest", &port));
	CU_ASSERT_FALSE(dp_vlan_rx_offload(port));
	CU_ASSERT_FALSE(dp_vlan_tx_offload(port));
	CU_ASSERT_EQUAL(rte_eal_hotplug_remove("vdev", "net_null_vlantest"), 0);

	/* vlan.c's comment on af_packet; it needs a packet socket (CAP_NET_RAW). */
	if (!vdev_port("net_af_packet_vlantest,iface=lo", "net_af_packet_vlantest", &port)) {
		fprintf(stderr, "\n  net_af_packet on lo not available: its part skipped\n");
		return;
	}
	CU_ASSERT_TRUE(dp_vlan_rx_offload(port));
	CU_ASSERT_TRUE(dp_vlan_tx_offload(port));
	CU_ASSERT_EQUAL(rte_eal_hotplug_remove("vdev", "net_af_packet_vlantest"), 0);
}

/* Last: every test gave its mbufs back. */
static void test_no_leak(void)
{
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), POOL_SIZE);
}

int main(int argc, char **argv)
{
	static const CU_TestInfo rx_tests[] = {
		{ "untagged stays as it is", test_rx_untagged },
		{ "tag stripped in software", test_rx_software_strip },
		{ "PCP and DEI are not the VID", test_rx_pcp_dei },
		{ "VID 0 is a priority tag", test_rx_priority_tag },
		{ "VID 4095 refused", test_rx_vid_4095 },
		{ "QinQ and service tags refused", test_rx_qinq },
		{ "truncated", test_rx_truncated },
		{ "stripped by the NIC", test_rx_nic_stripped },
		{ "NIC saw a second tag", test_rx_nic_second_tag },
		{ "NIC reported the tag but left it", test_rx_nic_reported_not_stripped },
		CU_TEST_INFO_NULL,
	};
	static const CU_TestInfo tx_tests[] = {
		{ "tag written in software", test_tx_software },
		{ "tag left to the NIC", test_tx_hw_insert },
		{ "VID 0 untagged", test_tx_untagged },
		{ "VID out of range", test_tx_bad_vid },
		{ "headroom", test_tx_headroom },
		{ "shared and cloned mbufs", test_tx_shared },
		{ "shorter than an Ethernet header", test_tx_short },
		{ "marked, then written at TX", test_tx_mark_finish },
		{ "every VID out and back", test_roundtrip_all_vids },
		CU_TEST_INFO_NULL,
	};
	static const CU_TestInfo port_tests[] = {
		{ "offload capabilities", test_offload_capability },
		{ "no mbuf leaked", test_no_leak },
		CU_TEST_INFO_NULL,
	};
	static const CU_SuiteInfo suites[] = {
		{ "vlan_rx", NULL, NULL, NULL, NULL, (CU_TestInfo *)rx_tests },
		{ "vlan_tx", NULL, NULL, NULL, NULL, (CU_TestInfo *)tx_tests },
		{ "vlan_port", NULL, NULL, NULL, NULL, (CU_TestInfo *)port_tests },
		CU_SUITE_INFO_NULL,
	};

	(void)argc;
	if (unit_eal_init(argv[0], "vlan", "64", (const char *const[]){ "--log-level=1", NULL }) <
	    0)
		return 2;
	pool = rte_pktmbuf_pool_create("test_pool", POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (!pool)
		return 2;
	return unit_run_suites(suites);
}
