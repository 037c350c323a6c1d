/* SPDX-License-Identifier: MIT */
/*
 * Sending: the per-port TX buffers of a worker or of the control lcore, and the encrypt path
 * (pad, batch-encrypt, encapsulate) shared by workers (inside traffic) and the control lcore
 * (staged packets, keepalives).
 */
#include <string.h>

#include <rte_ethdev.h>

#include "crypto/aead_batch.h"
#include "peer.h"
#include "pkt.h"
#include "route.h"
#include "vlan.h"
#include "wg/messages.h"
#include "wg/timers.h"
#include "wg/clock.h"
#include "xmit.h"

static void txbuf_flush(struct dp_sink *s, uint16_t port)
{
	struct dp_txbuf *b = &s->tx[port];
	struct dp_port *p = &s->dp->ports[port];
	uint16_t sent;

	if (!b->n)
		return;
	if (s->worker) {
		s->worker->stats.tx_packets +=
			dp_port_tx(p, s->worker->tx_queue, b->pkts, b->n, s->drops);
		b->n = 0;
		return;
	}
	sent = (uint16_t)rte_ring_enqueue_burst(p->ctl_tx, (void **)b->pkts, b->n, NULL);
	if (sent < b->n) {
		s->drops[DP_DROP_TX_FULL] += b->n - sent;
		rte_pktmbuf_free_bulk(&b->pkts[sent], b->n - sent);
	}
	b->n = 0;
}

uint16_t dp_port_tx(struct dp_port *p, uint16_t queue, struct rte_mbuf **pkts, uint16_t n,
		    uint64_t *drops)
{
	uint16_t sent;

	/* Only a port with tenants on VLANs has tagged frames to send. */
	if (p->has_vlans && !p->vlan_hw_tx)
		n = dp_vlan_tx_finish(pkts, n, &drops[DP_DROP_NO_ROOM]);
	sent = rte_eth_tx_burst(p->port_id, queue, pkts, n);
	if (sent < n) {
		drops[DP_DROP_TX_FULL] += n - sent;
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
	}
	return sent;
}

void dp_sink_flush(struct dp_sink *s)
{
	for (uint16_t i = 0; i < s->dp->n_ports; i++)
		txbuf_flush(s, i);
}

void dp_sink_add(struct dp_sink *s, uint16_t port, struct rte_mbuf *m)
{
	struct dp_txbuf *b = &s->tx[port];

	if (b->n == DP_TXBUF)
		txbuf_flush(s, port);
	b->pkts[b->n++] = m;
}

void dp_sink_list(struct dp_sink *s, struct dp_tx_list *l)
{
	for (unsigned int i = 0; i < l->n; i++) {
		struct rte_mbuf *m = l->pkts[i];
		int p = dp_port_index(s->dp, m->port);

		if (p < 0) {
			rte_pktmbuf_free(m);
			continue;
		}
		dp_sink_add(s, (uint16_t)p, m);
	}
	l->n = 0;
}

void dp_sink_l2(struct dp_sink *s, const struct dp_route *r, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct dp_port *p = &s->dp->ports[r->port];
	struct dp_mbuf_meta *meta;

	dp_vlan_tx_mark(m, r->vlan);
	if (dp_neigh_lookup(s->dp->neigh, dp_link(p->port_id, r->vlan), &r->nh, &eth->dst_addr)) {
		dp_sink_add(s, r->port, m);
		return;
	}
	if (!s->worker) {
		const struct dp_iface *ifc = dp_iface_at(s->dp, p, r->vlan);
		struct dp_tx_list out = { .n = 0 };

		if (!ifc) { /* the tenant went */
			s->drops[DP_DROP_NO_ROUTE]++;
			rte_pktmbuf_free(m);
			return;
		}
		dp_neigh_resolve(s->dp->neigh, ifc, &r->nh, m, wg_clock_mono_ns(), &out);
		dp_sink_list(s, &out);
		return;
	}
	meta = dp_meta(m);
	meta->kind = DP_META_RESOLVE;
	meta->out_port = r->port;
	meta->vlan = r->vlan;
	meta->nh = r->nh;
	if (rte_ring_mp_enqueue(s->dp->resolve_ring, m) != 0) {
		s->drops[DP_DROP_RESOLVE_QUEUE]++;
		rte_pktmbuf_free(m);
	}
}

void dp_send_inside(struct dp_sink *s, const struct dp_tenant *t, struct rte_mbuf *m,
		    uint8_t family, const struct dp_route *r)
{
	struct dp_route found;
	struct rte_ether_hdr *eth;

	if (!r) {
		struct wgdp_addr dst;

		dp_addr_set(&dst, family, dp_inner_dst(rte_pktmbuf_mtod(m, const uint8_t *), family));
		if (!dp_route_inside(s->dp, t, &dst, &found)) {
			s->drops[DP_DROP_NO_ROUTE]++;
			rte_pktmbuf_free(m);
			return;
		}
		r = &found;
	}
	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth));
	if (!eth) {
		s->drops[DP_DROP_NO_ROOM]++;
		rte_pktmbuf_free(m);
		return;
	}
	rte_ether_addr_copy(&s->dp->ports[r->port].iface.mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(family == 4 ? RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6);
	dp_sink_l2(s, r, m);
}

/* Posts a note to the control lcore once until it is handled (flag cleared there). */
static void post_event_once(struct dp_ctx *dp, uint32_t *flag, uint32_t kind,
			    struct dp_peer *peer, void *kp)
{
	struct dp_event ev = {
		.kind = kind, .peer_id = peer->id, .peer_serial = peer->serial, .keypair = kp
	};

	if (__atomic_exchange_n(flag, 1, __ATOMIC_RELAXED))
		return;
	if (rte_ring_mp_enqueue_elem(dp->event_ring, &ev, sizeof(ev)) != 0)
		__atomic_store_n(flag, 0, __ATOMIC_RELAXED);
}

void dp_post_want_handshake(struct dp_ctx *dp, struct dp_peer *peer)
{
	post_event_once(dp, &peer->handshake_wanted, DP_EV_WANT_HANDSHAKE, peer, NULL);
}

/* Pads and frames one packet; false (and counted) when it cannot be sent. */
static bool frame_one(struct dp_sink *s, struct rte_mbuf *m, struct dp_peer *peer,
		      struct dp_route *r, struct wgdp_endpoint *ep, uint32_t *padded)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	uint16_t mtu = peer->tenant->mtu;
	char *tail;

	if (len > mtu) {
		s->drops[DP_DROP_TOO_BIG]++;
		return false;
	}
	if (!dp_peer_endpoint(peer, ep)) {
		s->drops[DP_DROP_NO_ENDPOINT]++;
		return false;
	}
	if (!dp_route(s->dp, true, &ep->addr, r)) {
		s->drops[DP_DROP_NO_ROUTE]++;
		return false;
	}
	*padded = (uint32_t)wg_padded_len(len, mtu);
	tail = rte_pktmbuf_append(m, (uint16_t)(*padded - len + WGC_AEAD_TAG_LEN));
	if (!tail || !rte_pktmbuf_prepend(m, (uint16_t)(dp_outer_len(ep->addr.family) +
							sizeof(struct wg_msg_data)))) {
		s->drops[DP_DROP_NO_ROOM]++;
		return false;
	}
	memset(tail, 0, *padded - len);
	return true;
}

void dp_encrypt_send(struct dp_sink *s, struct wgc_batch *crypto, struct rte_mbuf **m,
		     struct dp_peer **peers, struct dp_keypair **kps, const uint64_t *counters,
		     unsigned int n, uint64_t now)
{
	struct wgc_batch_op ops[DP_BURST];
	struct dp_route routes[DP_BURST];
	struct wgdp_endpoint eps[DP_BURST];
	uint32_t padded[DP_BURST], inner[DP_BURST];
	unsigned int idx[DP_BURST], k = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint8_t *wg;
		struct wg_msg_data *hdr;

		inner[k] = rte_pktmbuf_data_len(m[i]);
		if (!frame_one(s, m[i], peers[i], &routes[k], &eps[k], &padded[k])) {
			rte_pktmbuf_free(m[i]);
			continue;
		}
		wg = rte_pktmbuf_mtod_offset(m[i], uint8_t *, dp_outer_len(eps[k].addr.family));
		hdr = (struct wg_msg_data *)wg;
		wg_msg_header_init(&hdr->header, WG_MSG_DATA);
		wg_put_le32(hdr->receiver, kps[i]->kp.remote_index);
		wg_put_le64(hdr->counter, counters[i]);
		ops[k] = (struct wgc_batch_op){
			.key = kps[i]->kp.send_key,
			.counter = counters[i],
			.src = wg + sizeof(*hdr),
			.dst = wg + sizeof(*hdr),
			.len = padded[k],
			.tag = wg + sizeof(*hdr) + padded[k],
		};
		idx[k++] = i;
	}
	if (!k)
		return;
	wgc_batch_encrypt(crypto, ops, k);
	for (unsigned int j = 0; j < k; j++) {
		unsigned int i = idx[j];
		struct dp_peer *peer = peers[i];
		uint16_t payload = (uint16_t)(sizeof(struct wg_msg_data) + padded[j] +
					      WGC_AEAD_TAG_LEN);

		dp_encap_udp(rte_pktmbuf_mtod(m[i], uint8_t *), eps[j].addr.family,
			     &s->dp->ports[routes[j].port].iface.mac, routes[j].src->bytes,
			     eps[j].addr.bytes, peer->tenant->listen_port, eps[j].port, payload);
		__atomic_fetch_add(&peer->tx_bytes, payload, __ATOMIC_RELAXED);
		__atomic_store_n(&peer->last_tx_ns, now, __ATOMIC_RELAXED);
		if (inner[j])
			__atomic_store_n(&peer->last_tx_data_ns, now, __ATOMIC_RELAXED);
		if (wg_timers_should_rekey_on_send(kps[i]->kp.initiator, kps[i]->kp.birth,
						   counters[i] + 1, now))
			dp_post_want_handshake(s->dp, peer);
		dp_sink_l2(s, &routes[j], m[i]);
	}
}

struct rte_mbuf *dp_udp_frame(struct dp_ctx *dp, uint16_t port, const uint8_t *src_ip,
			      uint16_t src_port, const struct wgdp_endpoint *dst,
			      const void *payload, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->pool);
	uint16_t outer = dp_outer_len(dst->addr.family);
	uint8_t *d;

	if (!m)
		return NULL;
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(outer + len));
	if (!d) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(d + outer, payload, len);
	dp_encap_udp(d, dst->addr.family, &dp->ports[port].iface.mac, src_ip, dst->addr.bytes,
		     src_port, dst->port, len);
	return m;
}

bool dp_reply_udp(struct dp_sink *s, uint16_t port, const struct rte_ether_addr *to_mac,
		  const uint8_t *our_ip, uint16_t our_port, const struct wgdp_endpoint *to,
		  const void *msg, uint16_t len)
{
	struct rte_mbuf *m = dp_udp_frame(s->dp, port, our_ip, our_port, to, msg, len);

	if (!m)
		return false;
	rte_ether_addr_copy(to_mac, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr);
	dp_sink_add(s, port, m);
	return true;
}
