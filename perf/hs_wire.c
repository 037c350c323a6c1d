/* SPDX-License-Identifier: MIT */
/* The generator's side of the wire: frames out, answers in, peers and their initiations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "crypto/ct.h"
#include "crypto/x25519.h"
#include "hs_gen.h"
#include "wg/clock.h"

struct rte_mbuf *hs_frame_udp(struct gen *g, uint32_t src_ip, uint16_t sport, const void *payload,
			      uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(g->pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	if (!m)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(
		m, (uint16_t)(sizeof(*eth) + sizeof(*ip) + sizeof(*udp) + len));
	if (!eth) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	udp = (struct rte_udp_hdr *)(ip + 1);
	rte_ether_addr_copy(&g->server_mac, &eth->dst_addr);
	rte_ether_addr_copy(&g->our_mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*udp) + len));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(src_ip);
	ip->dst_addr = rte_cpu_to_be_32(g->o.server_ip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(WG_PORT);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + len));
	udp->dgram_cksum = 0; /* optional over IPv4 */
	memcpy(udp + 1, payload, len);
	return m;
}

static void send_burst(struct gen *g, struct rte_mbuf **m, unsigned int n)
{
	unsigned int sent = 0;

	while (sent < n) {
		uint16_t k = rte_eth_tx_burst(g->port, 0, m + sent, (uint16_t)(n - sent));

		if (k == 0)
			break;
		sent += k;
	}
	for (unsigned int i = sent; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

static void send_one(struct gen *g, struct rte_mbuf *m)
{
	if (m)
		send_burst(g, &m, 1);
}

void hs_send_arp_request(struct gen *g)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(g->pool);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (!m)
		return;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	arp = (struct rte_arp_hdr *)(eth + 1);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	rte_ether_addr_copy(&g->our_mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(&g->our_mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = rte_cpu_to_be_32(g->o.our_ip);
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	arp->arp_data.arp_tip = rte_cpu_to_be_32(g->o.server_ip);
	send_one(g, m);
}

void hs_send_echo(struct gen *g, uint16_t seq)
{
	uint8_t payload[sizeof(struct rte_icmp_hdr) + 16] = { 0 };
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)payload;
	struct rte_mbuf *m = hs_frame_udp(g, g->o.our_ip, 0, payload, sizeof(payload));
	struct rte_ipv4_hdr *ip;

	if (!m)
		return;
	/* Rewrite the UDP frame into an ICMP one: same sizes but for the UDP header. */
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	ip->next_proto_id = IPPROTO_ICMP;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(payload)));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	rte_pktmbuf_trim(m, sizeof(struct rte_udp_hdr));
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	memset(icmp, 0, sizeof(payload));
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	icmp->icmp_ident = rte_cpu_to_be_16(0x7767);
	icmp->icmp_seq_nb = rte_cpu_to_be_16(seq);
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, sizeof(payload));
	g->echo_done = false;
	g->echo_tx_tsc = rte_rdtsc();
	send_one(g, m);
}

static struct slot *slot_of(struct gen *g, uint32_t index)
{
	uint32_t k = index & ((1u << PHASE_SHIFT) - 1);

	if (index >> PHASE_SHIFT != g->ph.tag || k >= g->ph.n)
		return NULL;
	return &g->ph.slots[k];
}

void hs_send_slot(struct gen *g, struct slot *s, uint64_t now_tsc)
{
	struct peer *p = &g->peers[s->peer];
	struct rte_mbuf *m;

	wg_cookie_add_macs(&p->cookie, &s->msg, sizeof(s->msg), wg_clock_mono_ns());
	m = hs_frame_udp(g, p->ip, p->udp_port, &s->msg, sizeof(s->msg));
	if (!m)
		return;
	if (s->state == SLOT_READY) {
		s->first_tsc = now_tsc;
		s->state = SLOT_SENT;
		g->ph.in_flight++;
	}
	send_one(g, m);
}

static void on_response(struct gen *g, const struct wg_msg_response *r, uint64_t now)
{
	struct slot *s = slot_of(g, wg_get_le32(r->receiver));
	uint32_t k;

	if (!s || s->state != SLOT_SENT)
		return; /* late (already lost) or from another phase */
	k = (uint32_t)(s - g->ph.slots);
	if (g->o.verify_every && k % g->o.verify_every == 0) {
		if (wg_noise_consume_response(r, &s->hs, &g->peers[s->peer].id) == WG_NOISE_OK) {
			g->ph.verified++;
			if (g->sessions)
				hs_session_start(g, s);
		} else {
			g->ph.verify_failed++;
		}
	}
	s->state = SLOT_DONE;
	s->done_tsc = now;
	g->ph.in_flight--;
	g->ph.completed++;
}

/* A cookie reply: keep the cookie and send the same initiation again, now with mac2. */
static void on_cookie(struct gen *g, const struct wg_msg_cookie *c, uint64_t now)
{
	struct slot *s = slot_of(g, wg_get_le32(c->receiver));

	if (!s || s->state != SLOT_SENT)
		return;
	if (!wg_cookie_reply_consume(&g->peers[s->peer].cookie, c, wg_clock_mono_ns()))
		return;
	s->cookie_rounds++;
	g->ph.cookie_rounds++;
	hs_send_slot(g, s, now);
}

static void on_frame(struct gen *g, struct rte_mbuf *m, uint64_t now)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint16_t type = rte_be_to_cpu_16(eth->ether_type);
	const uint8_t *l3 = (const uint8_t *)(eth + 1);
	uint32_t len = rte_pktmbuf_data_len(m);

	if (type == RTE_ETHER_TYPE_ARP && len >= sizeof(*eth) + sizeof(struct rte_arp_hdr)) {
		const struct rte_arp_hdr *arp = (const struct rte_arp_hdr *)l3;

		if (rte_be_to_cpu_16(arp->arp_opcode) == RTE_ARP_OP_REPLY &&
		    rte_be_to_cpu_32(arp->arp_data.arp_sip) == g->o.server_ip) {
			rte_ether_addr_copy(&arp->arp_data.arp_sha, &g->server_mac);
			g->have_server_mac = true;
		}
		return;
	}
	if (type != RTE_ETHER_TYPE_IPV4 || len < sizeof(*eth) + sizeof(struct rte_ipv4_hdr) + 8)
		return;
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;
	const uint8_t *l4 = l3 + rte_ipv4_hdr_len(ip);
	uint32_t l4_len = len - (uint32_t)(l4 - (const uint8_t *)eth);

	if (ip->next_proto_id == IPPROTO_ICMP) {
		const struct rte_icmp_hdr *icmp = (const struct rte_icmp_hdr *)l4;

		if (icmp->icmp_type == RTE_IP_ICMP_ECHO_REPLY && !g->echo_done) {
			g->echo_rtt_tsc = now - g->echo_tx_tsc;
			g->echo_done = true;
		}
		return;
	}
	if (ip->next_proto_id != IPPROTO_UDP || l4_len < sizeof(struct rte_udp_hdr))
		return;
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)l4;
	const uint8_t *msg = (const uint8_t *)(udp + 1);
	size_t msg_len = l4_len - sizeof(*udp);

	if (rte_be_to_cpu_16(udp->src_port) != WG_PORT)
		return;
	switch (wg_msg_classify(msg, msg_len)) {
	case WG_MSG_RESPONSE:
		on_response(g, (const struct wg_msg_response *)msg, now);
		break;
	case WG_MSG_COOKIE:
		on_cookie(g, (const struct wg_msg_cookie *)msg, now);
		break;
	default:
		break;
	}
}

unsigned int hs_rx_poll(struct gen *g)
{
	struct rte_mbuf *m[BURST];
	uint16_t n = rte_eth_rx_burst(g->port, 0, m, BURST);
	uint64_t now = rte_rdtsc();

	for (uint16_t i = 0; i < n; i++) {
		on_frame(g, m[i], now);
		rte_pktmbuf_free(m[i]);
	}
	return n;
}

void hs_expire(struct gen *g, uint64_t now)
{
	uint64_t limit = g->hz * g->o.timeout_ms / 1000;

	for (uint32_t k = 0; k < g->ph.next; k++) {
		struct slot *s = &g->ph.slots[k];

		if (s->state == SLOT_SENT && now - s->first_tsc > limit) {
			s->state = SLOT_LOST;
			g->ph.in_flight--;
			g->ph.lost++;
		}
	}
}

int hs_peers_create(struct gen *g)
{
	uint8_t priv[32];

	g->peers = calloc(g->o.peers, sizeof(*g->peers));
	if (!g->peers)
		return -1;
	for (unsigned int i = 0; i < g->o.peers; i++) {
		struct peer *p = &g->peers[i];

		wgc_x25519_generate(priv);
		if (!wg_identity_set(&p->id, priv))
			return -1;
		wg_handshake_init(&p->tmpl, &p->id, g->server_pub, NULL);
		if (!wg_handshake_precompute(&p->tmpl, &p->id))
			return -1;
		wg_cookie_maker_init(&p->cookie, g->server_pub);
		p->ip = (198u << 24 | 18u << 16) + (i & 0x1ffff);
		p->udp_port = (uint16_t)(20000 + i % 40000);
	}
	wgc_memzero(priv, sizeof(priv));
	return 0;
}

void hs_phase_clear(struct gen *g)
{
	if (g->ph.slots) {
		wgc_memzero(g->ph.slots, (size_t)g->ph.n * sizeof(g->ph.slots[0]));
		free(g->ph.slots);
	}
	uint32_t tag = g->ph.tag;

	memset(&g->ph, 0, sizeof(g->ph));
	g->ph.tag = tag;
}

int hs_phase_make(struct gen *g, uint32_t n)
{
	uint64_t base_ns = wg_clock_real_ns();

	hs_phase_clear(g);
	g->ph.tag = (g->ph.tag % 250) + 1;
	g->ph.slots = calloc(n ? n : 1, sizeof(struct slot));
	if (!g->ph.slots)
		return -1;
	for (uint32_t k = 0; k < n; k++) {
		struct slot *s = &g->ph.slots[k];
		uint32_t pi = g->cursor++ % g->o.peers;
		struct peer *p = &g->peers[pi];

		s->peer = pi;
		s->hs = p->tmpl;
		if (wg_noise_create_initiation(&s->msg, &s->hs, &p->id,
					       g->ph.tag << PHASE_SHIFT | k,
					       base_ns + ++p->stamps * TS_STEP_NS) != WG_NOISE_OK)
			return -1;
	}
	g->ph.n = n;
	return 0;
}

/* xorshift64*: flood contents need speed, not secrecy (a syscall a packet would halve the
 * flood). */
static uint64_t fast_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dull;
}

uint16_t hs_flood_fill(struct gen *g, enum flood_kind kind, struct rte_mbuf **m, uint16_t want)
{
	uint16_t n = 0;

	for (; n < want; n++) {
		uint64_t r = fast_random(&g->rng);
		uint64_t junk[8];
		uint32_t src = (198u << 24 | 19u << 16) | (uint32_t)(r & 0xffff);

		if (kind == FLOOD_JUNK) {
			for (size_t i = 0; i < RTE_DIM(junk); i++)
				junk[i] = fast_random(&g->rng);
			m[n] = hs_frame_udp(g, src, (uint16_t)(r >> 16), junk, sizeof(junk));
		} else {
			m[n] = hs_frame_udp(g, src, (uint16_t)(r >> 16),
					    g->flood_tmpl[(r >> 32) % N_FLOOD_TMPL],
					    sizeof(struct wg_msg_initiation));
		}
		if (!m[n])
			break;
	}
	return n;
}

void hs_flood_templates(struct gen *g, enum flood_kind kind)
{
	struct wg_cookie_maker mk;

	wg_cookie_maker_init(&mk, g->server_pub);
	for (int i = 0; i < N_FLOOD_TMPL; i++) {
		struct wg_msg_initiation *msg = (struct wg_msg_initiation *)g->flood_tmpl[i];

		wgc_random(msg, sizeof(*msg));
		wg_msg_header_init(&msg->header, WG_MSG_INITIATION);
		if (kind == FLOOD_SPOOFED_MAC1)
			wg_cookie_add_macs(&mk, msg, sizeof(*msg), wg_clock_mono_ns());
	}
	wg_cookie_maker_wipe(&mk);
}

int hs_port_setup(struct gen *g)
{
	struct rte_eth_conf conf = { 0 };
	int rc;

	if (rte_eth_dev_count_avail() < 1) {
		fprintf(stderr,
			"wgdp-perf handshake: no ethdev port (give --vdev=net_af_packet0,...)\n");
		return -1;
	}
	g->port = 0;
	g->pool = rte_pktmbuf_pool_create("hs_gen", 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	if (!g->pool)
		return -1;
	rc = rte_eth_dev_configure(g->port, 1, 1, &conf);
	if (!rc)
		rc = rte_eth_rx_queue_setup(g->port, 0, 1024, rte_eth_dev_socket_id(g->port), NULL,
					    g->pool);
	if (!rc)
		rc = rte_eth_tx_queue_setup(g->port, 0, 1024, rte_eth_dev_socket_id(g->port), NULL);
	if (!rc)
		rc = rte_eth_dev_start(g->port);
	if (!rc)
		rc = rte_eth_macaddr_get(g->port, &g->our_mac);
	if (rc)
		fprintf(stderr, "wgdp-perf handshake: port setup failed: %s\n", rte_strerror(-rc));
	return rc;
}
