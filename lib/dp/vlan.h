/* SPDX-License-Identifier: MIT */
/*
 * 802.1Q VLAN tags at the edges of the data path. Everything between RX and TX parses a fixed
 * 14-byte Ethernet header (pkt.h), so a tag is taken off as a frame arrives (dp_vlan_rx) and
 * put back as it leaves (dp_vlan_tx), by the NIC when the port offers it, else here.
 *
 * One tag is carried: a tenant's inside is an access link (docs/tenants.md). A stacked tag or
 * an 802.1ad / pre-standard QinQ service tag is refused, as is VID 4095 (reserved, 802.1Q
 * 9.6). VID 0 is a priority tag (802.1Q 9.6: the frame belongs to the port's untagged VLAN)
 * and counts as untagged. Only the first segment is looked at: the ports run without scatter.
 *
 * The per-packet functions are inline: they run on the workers for every inside frame.
 */
#ifndef WGDP_DP_VLAN_H
#define WGDP_DP_VLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#define DP_VLAN_VID_MAX 4094 /* 4095 is reserved */

/* What the NIC tells us about tags it saw: one stripped, or two (stripped or not). */
#define DP_VLAN_RX_HW_FLAGS \
	(RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_QINQ | RTE_MBUF_F_RX_QINQ_STRIPPED)

/*
 * Whether an ethertype (network order) opens a tag: 802.1Q's, 802.1ad's or one of the
 * pre-standard QinQ TPIDs. Any of them where a payload type should be means a tag we do not
 * carry, and passing the frame on as untagged would hand a tenant someone else's traffic.
 */
static inline bool dp_vlan_is_tpid(rte_be16_t type)
{
	return type == RTE_BE16(RTE_ETHER_TYPE_VLAN) || type == RTE_BE16(RTE_ETHER_TYPE_QINQ) ||
	       type == RTE_BE16(RTE_ETHER_TYPE_QINQ1) || type == RTE_BE16(RTE_ETHER_TYPE_QINQ2) ||
	       type == RTE_BE16(RTE_ETHER_TYPE_QINQ3);
}

/* The VID of a TCI (host order), the PCP and DEI bits left out; -1 for the reserved 4095. */
static inline int dp_vlan_tci_vid(uint16_t tci)
{
	uint16_t vid = RTE_VLAN_TCI_ID(tci);

	return vid > DP_VLAN_VID_MAX ? -1 : vid;
}

/* dp_vlan_rx once the common case, an untagged frame the NIC said nothing about, is out. */
static inline int dp_vlan_rx_tagged(struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(eth + 1);
	int vid;

	if (m->ol_flags & (RTE_MBUF_F_RX_QINQ | RTE_MBUF_F_RX_QINQ_STRIPPED))
		return -1;
	/* The NIC took one tag off: one still in the data is a second. */
	if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED)
		return dp_vlan_is_tpid(eth->ether_type) ? -1 : dp_vlan_tci_vid(m->vlan_tci);
	/* A service tag outside, or too short to hold a tag and the type after it. */
	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
	    rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*vh) || dp_vlan_is_tpid(vh->eth_proto))
		return -1;
	vid = dp_vlan_tci_vid(rte_be_to_cpu_16(vh->vlan_tci));
	/* Checked before a byte moves, so that a refused frame is left as it came. The strip
	 * leaves the mbuf as a NIC strip would (RX_VLAN_STRIPPED, the TCI in vlan_tci): a second
	 * call gives the same answer. */
	if (vid >= 0)
		rte_vlan_strip(m);
	return vid;
}

/*
 * Takes the 802.1Q tag off a received frame, or reads the one the NIC took off
 * (RTE_MBUF_F_RX_VLAN_STRIPPED, m->vlan_tci). Returns the VID, 1..4094; 0 for an untagged or
 * priority-tagged frame; -1 for a frame to drop: shorter than an Ethernet header or its tag,
 * two tags, a service tag, VID 4095. On success the frame starts with an untagged Ethernet
 * header, whichever way it came; a refused frame is not changed.
 */
static inline int dp_vlan_rx(struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eth)))
		return -1;
	if (likely(!(m->ol_flags & DP_VLAN_RX_HW_FLAGS) && !dp_vlan_is_tpid(eth->ether_type)))
		return 0;
	return dp_vlan_rx_tagged(m);
}

/* Writes the 802.1Q tag into the frame, in the 4 bytes of headroom before it. */
static inline int dp_vlan_tx_insert(struct rte_mbuf *m, uint16_t vid)
{
	struct rte_ether_hdr *eth;
	struct rte_vlan_hdr *vh;

	/* The headroom belongs to the buffer: with a clone or a second reference, writing there
	 * could overwrite someone else's frame. */
	if (unlikely(!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1 ||
		     rte_pktmbuf_data_len(m) < sizeof(*eth) ||
		     rte_pktmbuf_headroom(m) < sizeof(*vh)))
		return -1;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*vh));
	memmove(eth, (uint8_t *)eth + sizeof(*vh), 2 * RTE_ETHER_ADDR_LEN);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
	vh = (struct rte_vlan_hdr *)(eth + 1);
	vh->vlan_tci = rte_cpu_to_be_16(vid); /* PCP 0, DEI 0 */
	/* vh->eth_proto is the frame's own type, already in place. What the mbuf said of a tag
	 * on RX no longer holds, and a TX_VLAN flag left from elsewhere would have the NIC add a
	 * second tag. */
	m->ol_flags &= ~(RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_TX_VLAN);
	return 0;
}

/*
 * Tags a frame to leave on VLAN vid (0: untagged, nothing to do), priority 0. With hw_insert
 * (the port has RTE_ETH_TX_OFFLOAD_VLAN_INSERT enabled) the NIC inserts it; otherwise the tag
 * is written here, which needs 4 bytes of headroom and an mbuf no one else holds (direct,
 * refcnt 1). Returns 0, or -1 when the tag cannot be added (the caller counts a drop); the
 * mbuf is then unchanged. m->l2_len is not updated: the data path asks for no TX offload
 * that reads it.
 */
static inline int dp_vlan_tx(struct rte_mbuf *m, uint16_t vid, bool hw_insert)
{
	if (vid == 0)
		return 0;
	if (unlikely(vid > DP_VLAN_VID_MAX))
		return -1;
	if (!hw_insert)
		return dp_vlan_tx_insert(m, vid);
	m->vlan_tci = vid;
	m->ol_flags |= RTE_MBUF_F_TX_VLAN;
	return 0;
}

/*
 * Marks a frame to leave on VLAN vid (0 = untagged: nothing to do) wherever it is sent from:
 * the tag is written as the frame leaves its port, by the NIC (RTE_ETH_TX_OFFLOAD_VLAN_INSERT
 * reads these fields) or by dp_vlan_tx_finish. Frames that wait on the way (for a neighbour,
 * in a ring to another lcore) keep their mark.
 */
static inline void dp_vlan_tx_mark(struct rte_mbuf *m, uint16_t vid)
{
	if (vid) {
		m->vlan_tci = vid;
		m->ol_flags |= RTE_MBUF_F_TX_VLAN;
	}
}

/*
 * Just before TX on a port without the insert offload: writes the tags of the marked frames
 * in pkts. Returns how many are left to send (in order, packed); a frame that cannot take its
 * tag is freed and counted in *dropped.
 */
static inline uint16_t dp_vlan_tx_finish(struct rte_mbuf **pkts, uint16_t n, uint64_t *dropped)
{
	uint16_t kept = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if ((m->ol_flags & RTE_MBUF_F_TX_VLAN) &&
		    dp_vlan_tx_insert(m, (uint16_t)RTE_VLAN_TCI_ID(m->vlan_tci)) != 0) {
			rte_pktmbuf_free(m);
			(*dropped)++;
			continue;
		}
		pkts[kept++] = m;
	}
	return kept;
}

/*
 * Whether the port can strip tags on RX (RTE_ETH_RX_OFFLOAD_VLAN_STRIP) / insert them on TX
 * (RTE_ETH_TX_OFFLOAD_VLAN_INSERT); the caller enables what is there in the port config.
 * False for a port that does not exist. Control path: asks the driver each call.
 */
bool dp_vlan_rx_offload(uint16_t port_id);
bool dp_vlan_tx_offload(uint16_t port_id);

#endif
