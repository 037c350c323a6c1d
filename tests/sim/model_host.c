/* SPDX-License-Identifier: MIT */
/*
 * The inside host, 10.0.0.2 on wgdp's inside port: sends each peer's inner address numbered
 * packets, and counts by sequence number what wgdp decrypted and forwarded to it. The harness
 * answers ARP for it.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "sim.h"

static const uint8_t host_ip[4] = { 10, 0, 0, 2 };

int model_host_init(struct sim_host *h, unsigned int n)
{
	memset(h, 0, sizeof(*h));
	h->tx_seq = calloc(n, sizeof(*h->tx_seq));
	h->rx = calloc(n, sizeof(*h->rx));
	h->dup = calloc(n, sizeof(*h->dup));
	h->seen = calloc(n, sizeof(*h->seen));
	h->seen_bits = calloc(n, sizeof(*h->seen_bits));
	return h->tx_seq && h->rx && h->dup && h->seen && h->seen_bits ? 0 : -1;
}

void model_host_free(struct sim_host *h, unsigned int n)
{
	for (unsigned int i = 0; h->seen && i < n; i++)
		free(h->seen[i]);
	free(h->tx_seq);
	free(h->rx);
	free(h->dup);
	free(h->seen);
	free(h->seen_bits);
	memset(h, 0, sizeof(*h));
}

uint16_t sim_inner_packet(uint8_t *out, const uint8_t src[4], const uint8_t dst[4], uint32_t peer,
			  uint64_t seq)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)out;
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint8_t *payload = (uint8_t *)(udp + 1);
	uint32_t magic = SIM_INNER_MAGIC;
	uint16_t len = (uint16_t)(sizeof(*ip) + sizeof(*udp) + 16);

	memset(out, 0, len);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	memcpy(&ip->src_addr, src, 4);
	memcpy(&ip->dst_addr, dst, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(1000);
	udp->dst_port = rte_cpu_to_be_16(2000);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + 16));
	memcpy(payload, &magic, 4);
	memcpy(payload + 4, &peer, 4);
	memcpy(payload + 8, &seq, 8);
	return len;
}

void model_host_send(struct sim *s, unsigned int peer)
{
	uint8_t pkt[64], dst[4];
	uint16_t len;

	sim_inner_ip(peer, dst);
	len = sim_inner_packet(pkt, host_ip, dst, peer, s->host.tx_seq[peer]++);
	sim_send_inside(s, pkt, len);
}

/*
 * wgdp's ICMP host unreachable (type 3 code 1) from its inside address 10.0.0.1, quoting a
 * packet we sent to a peer: what a router says when that peer's handshake never completes.
 */
static bool unreachable_about_ours(struct sim *s, const uint8_t *ip, uint16_t len)
{
	static const uint8_t wgdp_ip[4] = { 10, 0, 0, 1 };
	const uint8_t *quote = ip + 28;

	if (len < 28 + 20 + 8 || ip[9] != IPPROTO_ICMP || memcmp(ip + 12, wgdp_ip, 4) != 0 ||
	    ip[20] != 3 || ip[21] != 1 || memcmp(quote + 12, host_ip, 4) != 0)
		return false;
	/* The quote is the IP header and 8 bytes: our UDP header, not the numbering; its
	 * destination must be one of the peers'. */
	for (unsigned int i = 0; i < s->opts.n_peers; i++) {
		uint8_t dst[4];

		sim_inner_ip(i, dst);
		if (memcmp(quote + 16, dst, 4) == 0)
			return true;
	}
	return false;
}

/* A packet wgdp decrypted: from peer i's inner address, to us, carrying i's numbering. */
void model_host_rx(struct sim *s, const uint8_t *ip, uint16_t len)
{
	struct sim_host *h = &s->host;
	uint32_t magic, peer;
	uint64_t seq;
	uint8_t src[4];

	if (len >= 20 && ip[9] == IPPROTO_ICMP) {
		if (unreachable_about_ours(s, ip, len))
			h->unreachable++;
		else
			h->bad++;
		return;
	}
	if (len < 44 || (ip[0] >> 4) != 4 || memcmp(ip + 16, host_ip, 4) != 0) {
		h->bad++;
		return;
	}
	memcpy(&magic, ip + 28, 4);
	memcpy(&peer, ip + 32, 4);
	memcpy(&seq, ip + 36, 8);
	if (magic != SIM_INNER_MAGIC || peer >= s->opts.n_peers) {
		h->bad++;
		return;
	}
	sim_inner_ip(peer, src);
	if (memcmp(ip + 12, src, 4) != 0) {
		h->bad++;
		return;
	}
	if (sim_seen_mark(&h->seen[peer], &h->seen_bits[peer], seq))
		h->rx[peer]++;
	else
		h->dup[peer]++;
}
