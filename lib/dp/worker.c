/* SPDX-License-Identifier: MIT */
/*
 * The worker loop: receive a burst, sort it (WireGuard data, handshakes, our own ARP/ND/ICMP,
 * inside traffic), forward as a router does (router.h), decrypt or encrypt in batches, send.
 * Nothing here blocks, and nothing allocates but the fragments of a packet too big for its
 * way out; the tables are read lock-free and the loop reports RCU quiescence once a pass.
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_prefetch.h>

#include "crypto/aead_batch.h"
#include "gate.h"
#include "hs_engine.h"
#include "peer.h"
#include "pkt.h"
#include "inner.h"
#include "route.h"
#include "router.h"
#include "wg/clock.h"
#include "wg/messages.h"
#include "wg/replay.h"
#include "wg/timers.h"
#include "vlan.h"
#include "xmit.h"

void dp_post_want_handshake(struct dp_ctx *dp, struct dp_peer *peer);

/* A data message waiting for the decrypt batch. */
struct rx_data {
	struct rte_mbuf *m;
	const struct dp_tenant *t; /* the interface whose listen port it came to */
	struct dp_pkt pkt;
	uint16_t wg_off; /* where the WireGuard message starts */
	uint16_t wg_len;
};

/* Inside frames of a burst to encrypt, each with its tenant. */
struct inside_rx {
	struct rte_mbuf *m[DP_BURST];
	struct dp_tenant *t[DP_BURST];
	unsigned int n;
};

static void drop(struct dp_worker *w, struct rte_mbuf *m, enum dp_drop why)
{
	w->stats.drops[why]++;
	rte_pktmbuf_free(m);
}

static void to_control(struct dp_ctx *dp, struct dp_worker *w, struct rte_ring *r,
		       struct rte_mbuf *m, enum dp_drop full, uint64_t *counter)
{
	if (rte_ring_mp_enqueue(r, m) != 0) {
		drop(w, m, full);
		return;
	}
	(*counter)++;
	RTE_SET_USED(dp);
}

static void to_local(struct dp_ctx *dp, struct dp_worker *w, struct rte_mbuf *m)
{
	dp_meta(m)->kind = DP_META_LOCAL;
	to_control(dp, w, dp->local_ring, m, DP_DROP_LOCAL_QUEUE, &w->stats.local_to_control);
}

/*
 * A handshake message to its engine (hs_engine.h): an initiation by its source, the rest to
 * engine 0. When the engine is behind, the gate checks it first (gate.c).
 */
static void to_engine(struct dp_sink *s, struct dp_worker *w, struct dp_tenant *t,
		      struct dp_port *port, struct rte_mbuf *m, const struct dp_pkt *p,
		      const uint8_t *msg, uint16_t msg_len, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	struct dp_hs_engine *e = dp_hs_engine_of(dp, msg[0], p->family, p->src);
	struct rte_ring *r = e->ring;

	if (msg[0] != WG_MSG_COOKIE) {
		switch (dp_gate_handshake(s, w, e, t, (uint16_t)(port - dp->ports), m, p, msg,
					  msg_len, now)) {
		case DP_GATE_DONE:
			return;
		case DP_GATE_PRIORITY:
			r = e->prio_ring;
			break;
		case DP_GATE_QUEUE:
			break;
		}
	}
	to_control(dp, w, r, m, DP_DROP_HANDSHAKE_QUEUE, &w->stats.handshake_to_control);
}

/* True for ICMPv6 that may be neighbour discovery (multicast or for us). */
static bool is_icmp6(const struct dp_pkt *p)
{
	return p->family == 6 && p->proto == IPPROTO_ICMPV6;
}

/* Sorts one outside frame; data messages are collected into rx[]. */
static void classify_outside(struct dp_sink *s, struct dp_worker *w, struct dp_port *port,
			     struct rte_mbuf *m, struct rx_data *rx, unsigned int *n_rx,
			     struct inside_rx *in, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	struct dp_pkt p;
	uint16_t dport, msg_off, msg_len;
	const uint8_t *msg;
	struct dp_tenant *t;

	if (!dp_pkt_parse_any(m, &p)) {
		drop(w, m, DP_DROP_TRUNCATED);
		return;
	}
	if (p.family == 0) {
		if (p.ethertype == RTE_ETHER_TYPE_ARP)
			to_local(dp, w, m);
		else
			drop(w, m, DP_DROP_NOT_IP);
		return;
	}
	if (!dp_is_local_addr(&port->iface, p.family, p.dst)) {
		struct dp_tenant *inside_t = dp_port_tenant(dp, port, 0);

		if (is_icmp6(&p)) {
			to_local(dp, w, m); /* solicitations come to multicast addresses */
		} else if (inside_t) {	    /* one-armed: inside traffic on this port */
			in->m[in->n] = m;
			in->t[in->n++] = inside_t;
		} else {
			drop(w, m, DP_DROP_NOT_FOR_US);
		}
		return;
	}
	if (p.fragment) { /* to us: not reassembled */
		drop(w, m, DP_DROP_TRUNCATED);
		return;
	}
	if (p.proto != IPPROTO_UDP) {
		to_local(dp, w, m);
		return;
	}
	if (!dp_pkt_udp(m, &p, &dport, &msg_off, &msg_len)) {
		drop(w, m, DP_DROP_TRUNCATED);
		return;
	}
	t = dp_tenant_of_port(dp, dport);
	if (!t) {
		drop(w, m, DP_DROP_NOT_FOR_US);
		return;
	}
	msg = rte_pktmbuf_mtod_offset(m, const uint8_t *, msg_off);
	switch (wg_msg_classify(msg, msg_len)) {
	case WG_MSG_DATA:
		rx[*n_rx] = (struct rx_data){
			.m = m, .t = t, .pkt = p, .wg_off = msg_off, .wg_len = msg_len
		};
		(*n_rx)++;
		return;
	case WG_MSG_INITIATION:
	case WG_MSG_RESPONSE:
	case WG_MSG_COOKIE:
		to_engine(s, w, t, port, m, &p, msg, msg_len, now);
		return;
	default:
		drop(w, m, DP_DROP_BAD_MESSAGE);
	}
}

static void post_event(struct dp_ctx *dp, uint32_t *flag, struct dp_event *ev)
{
	if (__atomic_exchange_n(flag, 1, __ATOMIC_RELAXED))
		return;
	if (rte_ring_mp_enqueue_elem(dp->event_ring, ev, sizeof(*ev)) != 0)
		__atomic_store_n(flag, 0, __ATOMIC_RELAXED);
}

/* Where a data message came from. */
static void rx_source(const struct rx_data *d, struct wgdp_endpoint *ep)
{
	const struct rte_udp_hdr *udp =
		rte_pktmbuf_mtod_offset(d->m, const struct rte_udp_hdr *, d->pkt.l4_off);

	dp_addr_set(&ep->addr, d->pkt.family, d->pkt.src);
	ep->port = rte_be_to_cpu_16(udp->src_port);
}

/* Authenticated data from somewhere new: the control lcore moves the endpoint (roaming). */
static void note_source(struct dp_ctx *dp, struct dp_peer *peer, const struct rx_data *d)
{
	struct wgdp_endpoint ep, cur;
	bool have = dp_peer_endpoint(peer, &cur);

	rx_source(d, &ep);
	if (have && cur.port == ep.port && dp_addr_eq(&cur.addr, ep.addr.family, ep.addr.bytes))
		return;
	struct dp_event ev = {
		.kind = DP_EV_ROAM, .peer_id = peer->id, .peer_serial = peer->serial, .ep = ep
	};

	post_event(dp, &peer->roam_posted, &ev);
}

/* One note a keypair and kind: flag is never cleared (plain load first: no locked exchange
 * for every packet once the note went). */
static void note_keypair_once(struct dp_ctx *dp, struct dp_peer *peer, struct dp_keypair *kp,
			      uint32_t *flag, enum dp_event_kind kind)
{
	struct dp_event ev = {
		.kind = kind, .peer_id = peer->id, .peer_serial = peer->serial, .keypair = kp
	};

	if (!__atomic_load_n(flag, __ATOMIC_RELAXED))
		post_event(dp, flag, &ev);
}

/*
 * The first data under a keypair that is not the one we send with: maybe confirm it. Under
 * the one we send with, near its end: the receive-side rekey, asked once a keypair (the
 * control lcore makes it once a session).
 */
static void note_keypair(struct dp_ctx *dp, struct dp_peer *peer, struct dp_keypair *kp,
			 uint64_t now)
{
	if (__atomic_load_n(&peer->send_kp, __ATOMIC_ACQUIRE) != kp)
		note_keypair_once(dp, peer, kp, &kp->confirm_sent, DP_EV_CONFIRM);
	else if (wg_timers_should_rekey_on_receive(kp->kp.initiator, kp->kp.birth, now))
		note_keypair_once(dp, peer, kp, &kp->rekey_posted, DP_EV_REKEY_ON_RECEIVE);
}

static bool replay_ok(struct dp_keypair *kp, uint64_t counter)
{
	bool ok;

	rte_spinlock_lock(&kp->replay_lock);
	ok = wg_replay_check(&kp->kp.replay, counter);
	rte_spinlock_unlock(&kp->replay_lock);
	return ok;
}

/* ICMP errors on their way to peers, built while a decrypted burst is delivered. */
struct to_peers {
	struct rte_mbuf *m[DP_BURST];
	struct dp_peer *peer[DP_BURST];
	unsigned int n;
};

/* dp_router_fragment's refusals: a packet no router could cut, or no mbuf for the pieces. */
static void count_fragment_failure(struct dp_worker *w, int n)
{
	if (n == 0)
		w->stats.drops[DP_DROP_INNER_MALFORMED]++;
	else if (n < 0)
		w->stats.drops[DP_DROP_NO_MBUF]++;
}

/*
 * An ICMP error about m back to the peer it came from, through its tunnel (sent after the
 * burst), from our inside address near the offender's destination. The quote is cut so that
 * the error fits the tunnel: an IPv6 one may quote up to 1280 bytes, more than an MTU below it.
 */
static void error_to_peer(struct dp_worker *w, struct to_peers *errs, struct dp_peer *peer,
			  struct rte_mbuf *m, uint8_t family, enum dp_icmp_kind kind, uint16_t mtu,
			  const uint8_t *src, uint64_t now)
{
	uint16_t fits = (uint16_t)(peer->tenant->mtu - dp_icmp_headroom(family));

	if (rte_pktmbuf_data_len(m) > fits)
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - fits));
	if (!dp_router_icmp(&w->router, m, family, kind, mtu, src, now))
		return;
	errs->m[errs->n] = m;
	errs->peer[errs->n++] = peer;
}

/* An ICMP error about m back to the host on the inside that sent it, from our address there. */
static void error_to_inside(struct dp_sink *s, struct dp_worker *w, const struct dp_tenant *t,
			    struct rte_mbuf *m, uint8_t family, enum dp_icmp_kind kind,
			    uint16_t mtu, uint64_t now)
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *src = dp_inside_source(s->dp, t, family, dp_inner_src(ip, family));

	if (dp_router_icmp(&w->router, m, family, kind, mtu, src, now))
		dp_send_inside(s, t, m, family, NULL);
}

/* Too big for the inside port: fragments, or "fragmentation needed" to the peer. */
static void forward_too_big(struct dp_sink *s, struct dp_worker *w, struct to_peers *errs,
			    struct dp_peer *peer, struct rte_mbuf *m, uint8_t family,
			    const struct dp_route *r, uint16_t mtu, uint64_t now)
{
	struct rte_mbuf *frags[DP_MAX_FRAGMENTS];
	int n;

	if (!dp_inner_may_fragment(rte_pktmbuf_mtod(m, const uint8_t *), family)) {
		w->stats.drops[DP_DROP_TOO_BIG]++;
		error_to_peer(w, errs, peer, m, family, DP_ICMP_FRAG_NEEDED, mtu, r->src->bytes,
			      now);
		return;
	}
	dp_inner_dec_ttl(rte_pktmbuf_mtod(m, uint8_t *), family); /* checked: it stays above 0 */
	n = dp_router_fragment(&w->router, s->dp->pool, m, mtu, frags, DP_MAX_FRAGMENTS);
	count_fragment_failure(w, n);
	for (int i = 0; i < n; i++)
		dp_send_inside(s, peer->tenant, frags[i], family, r);
}

/*
 * A decrypted inner packet (m at its IP header, from peer) out of an inside port, as a router
 * forwards it: route, TTL, size, MSS. Errors about it go back to the peer through errs.
 */
static void forward_inside(struct dp_sink *s, struct dp_worker *w, struct to_peers *errs,
			   struct dp_peer *peer, struct rte_mbuf *m, uint8_t family, uint64_t now)
{
	uint8_t *ip = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	uint16_t mss, mtu;
	struct wgdp_addr dst;
	struct dp_route r;

	dp_addr_set(&dst, family, dp_inner_dst(ip, family));
	if (!dp_route_inside(s->dp, peer->tenant, &dst, &r)) {
		w->stats.drops[DP_DROP_NO_ROUTE]++;
		error_to_peer(w, errs, peer, m, family, DP_ICMP_HOST_UNREACH, 0,
			      dp_inside_source(s->dp, peer->tenant, family, dst.bytes), now);
		return;
	}
	if (unlikely(dp_inner_ttl_expires(ip, family))) {
		w->stats.drops[DP_DROP_TTL_EXPIRED]++;
		error_to_peer(w, errs, peer, m, family, DP_ICMP_TIME_EXCEEDED, 0, r.src->bytes,
			      now);
		return;
	}
	/* Checked before the TTL goes down, so that an error quotes the packet as it came. */
	mtu = s->dp->ports[r.port].mtu;
	if (unlikely(len > mtu)) {
		forward_too_big(s, w, errs, peer, m, family, &r, mtu, now);
		return;
	}
	dp_inner_dec_ttl(ip, family);
	mss = dp_tenant_mss(peer->tenant, family);
	if (mss && dp_inner_clamp_mss(ip, len, family, mss))
		w->router.stats.mss_clamped++;
	dp_send_inside(s, peer->tenant, m, family, &r);
}

/* After authentication: replay, bookkeeping, source check, forwarding. */
static void deliver(struct dp_sink *s, struct dp_worker *w, struct rx_data *d,
		    struct dp_keypair *kp, uint64_t counter, struct to_peers *errs, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	struct dp_peer *peer = kp->peer;
	uint32_t plain_len = d->wg_len - sizeof(struct wg_msg_data) - WGC_AEAD_TAG_LEN;
	const uint8_t *plain;
	uint32_t ip_len, owner;
	uint8_t family;
	struct dp_aips *aips;

	if (!replay_ok(kp, counter)) {
		drop(w, d->m, DP_DROP_REPLAY);
		return;
	}
	w->stats.decrypted++;
	__atomic_fetch_add(&peer->rx_bytes, d->wg_len, __ATOMIC_RELAXED);
	__atomic_store_n(&peer->last_rx_ns, now, __ATOMIC_RELAXED);
	note_keypair(dp, peer, kp, now);
	note_source(dp, peer, d);
	if (plain_len == 0) {
		w->stats.keepalives_received++;
		rte_pktmbuf_free(d->m);
		return;
	}
	rte_pktmbuf_adj(d->m, (uint16_t)(d->wg_off + sizeof(struct wg_msg_data)));
	plain = rte_pktmbuf_mtod(d->m, const uint8_t *);
	if (!dp_inner_parse(plain, plain_len, &ip_len, &family)) {
		drop(w, d->m, DP_DROP_INNER_MALFORMED);
		return;
	}
	aips = __atomic_load_n(&peer->tenant->aips, __ATOMIC_ACQUIRE);
	owner = family == 4 ? dp_aips_lookup4(aips, dp_inner_src(plain, 4))
			    : dp_aips_lookup6(aips, dp_inner_src(plain, 6));
	if (owner != peer->id) {
		drop(w, d->m, DP_DROP_SOURCE);
		return;
	}
	__atomic_store_n(&peer->last_rx_data_ns, now, __ATOMIC_RELAXED);
	rte_pktmbuf_trim(d->m, (uint16_t)(rte_pktmbuf_data_len(d->m) - ip_len));
	forward_inside(s, w, errs, peer, d->m, family, now);
}

/* Data under an index we do not have: maybe a peer whose session is another box's (stray.h). */
static void unknown_index(struct dp_ctx *dp, struct dp_worker *w, const struct rx_data *d,
			  uint64_t now)
{
	struct wgdp_endpoint ep;

	rx_source(d, &ep);
	dp_stray_note(dp, w, d->t->tid, &ep, now);
	drop(w, d->m, DP_DROP_UNKNOWN_INDEX);
}

/* Looks the keypairs up in one bulk call, decrypts the burst in one batch. */
static void rx_data_burst(struct dp_sink *s, struct dp_worker *w, struct rx_data *rx,
			  unsigned int n, struct to_peers *errs, uint64_t now)
{
	uint32_t index[DP_BURST];
	const void *keys[DP_BURST];
	void *data[DP_BURST];
	uint64_t hits = 0, ok;
	struct wgc_batch_op ops[DP_BURST];
	struct dp_keypair *kps[DP_BURST];
	uint64_t counters[DP_BURST];
	unsigned int pos[DP_BURST], k = 0;

	for (unsigned int i = 0; i < n; i++) {
		const struct wg_msg_data *h =
			rte_pktmbuf_mtod_offset(rx[i].m, const struct wg_msg_data *, rx[i].wg_off);

		index[i] = wg_get_le32(h->receiver);
		keys[i] = &index[i];
	}
	rte_hash_lookup_bulk_data(s->dp->index_hash, keys, n, &hits, data);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *wg = rte_pktmbuf_mtod_offset(rx[i].m, uint8_t *, rx[i].wg_off);
		struct dp_keypair *kp = data[i];
		uint64_t counter = wg_get_le64(((struct wg_msg_data *)wg)->counter);
		uint32_t len = rx[i].wg_len - sizeof(struct wg_msg_data) - WGC_AEAD_TAG_LEN;

		/* Indexes are unique process-wide; another interface's is unknown to this one
		 * (the kernel looks them up per device). */
		if (!(hits & (1ull << i)) || kp->peer->tenant != rx[i].t) {
			unknown_index(s->dp, w, &rx[i], now);
			continue;
		}
		if (!kp->kp.valid || wg_timers_keypair_expired(kp->kp.birth, counter, now)) {
			drop(w, rx[i].m, DP_DROP_KEYPAIR_EXPIRED);
			continue;
		}
		ops[k] = (struct wgc_batch_op){
			.key = kp->kp.recv_key,
			.counter = counter,
			.src = wg + sizeof(struct wg_msg_data),
			.dst = wg + sizeof(struct wg_msg_data),
			.len = len,
			.tag = wg + sizeof(struct wg_msg_data) + len,
		};
		kps[k] = kp;
		counters[k] = counter;
		pos[k++] = i;
	}
	if (!k)
		return;
	ok = wgc_batch_decrypt(w->crypto, ops, k);
	for (unsigned int j = 0; j < k; j++) {
		if (!(ok & (1ull << j)))
			drop(w, rx[pos[j]].m, DP_DROP_AUTH);
		else
			deliver(s, w, &rx[pos[j]], kps[j], counters[j], errs, now);
	}
}

/*
 * No usable session: the control lcore keeps the packet and starts a handshake. With no
 * endpoint there is nobody to shake hands with: dropped here, counted (kernel: EDESTADDRREQ).
 */
static void stage(struct dp_ctx *dp, struct dp_worker *w, struct dp_peer *peer,
		  struct rte_mbuf *pkt)
{
	struct dp_mbuf_meta *meta = dp_meta(pkt);

	if (!__atomic_load_n(&peer->endpoint.set, __ATOMIC_RELAXED)) {
		drop(w, pkt, DP_DROP_NO_ENDPOINT);
		return;
	}
	meta->kind = DP_META_STAGE;
	meta->peer_id = peer->id;
	meta->peer_serial = peer->serial;
	if (rte_ring_mp_enqueue(dp->stage_ring, pkt) != 0)
		drop(w, pkt, DP_DROP_STAGE_FULL);
}

/* Packets (at their IP header) on their way into tunnels, encrypted a burst at a time. */
struct peer_batch {
	struct rte_mbuf *m[DP_BURST];
	struct dp_peer *peer[DP_BURST];
	struct dp_keypair *kp[DP_BURST];
	uint64_t counter[DP_BURST];
	unsigned int n;
};

static void batch_flush(struct dp_sink *s, struct dp_worker *w, struct peer_batch *b,
			uint64_t now)
{
	if (!b->n)
		return;
	w->stats.encrypted += b->n;
	dp_encrypt_send(s, w->crypto, b->m, b->peer, b->kp, b->counter, b->n, now);
	b->n = 0;
}

/* Takes a counter of the peer's current keypair for pkt, or stages it for want of one. */
static void batch_add(struct dp_sink *s, struct dp_worker *w, struct peer_batch *b,
		      struct dp_peer *peer, struct rte_mbuf *pkt, uint64_t now)
{
	struct dp_keypair *kp = __atomic_load_n(&peer->send_kp, __ATOMIC_ACQUIRE);
	uint64_t counter = kp ? __atomic_fetch_add(&kp->kp.send_counter, 1, __ATOMIC_RELAXED) : 0;

	if (!kp || wg_timers_keypair_expired(kp->kp.birth, counter, now)) {
		stage(s->dp, w, peer, pkt);
		return;
	}
	if (b->n == DP_BURST)
		batch_flush(s, w, b, now);
	b->m[b->n] = pkt;
	b->peer[b->n] = peer;
	b->kp[b->n] = kp;
	b->counter[b->n++] = counter;
}

/* Above the tunnel's MTU: fragments (IPv4 without DF), or "fragmentation needed" back. */
static void tunnel_too_big(struct dp_sink *s, struct dp_worker *w, struct peer_batch *b,
			   struct dp_peer *peer, struct rte_mbuf *pkt, uint8_t family, uint64_t now)
{
	struct rte_mbuf *frags[DP_MAX_FRAGMENTS];
	uint16_t mtu = peer->tenant->mtu;
	int n;

	if (!dp_inner_may_fragment(rte_pktmbuf_mtod(pkt, const uint8_t *), family)) {
		w->stats.drops[DP_DROP_TOO_BIG]++;
		error_to_inside(s, w, peer->tenant, pkt, family, DP_ICMP_FRAG_NEEDED, mtu, now);
		return;
	}
	dp_inner_dec_ttl(rte_pktmbuf_mtod(pkt, uint8_t *), family); /* checked: it stays above 0 */
	n = dp_router_fragment(&w->router, s->dp->pool, pkt, mtu, frags, DP_MAX_FRAGMENTS);
	count_fragment_failure(w, n);
	for (int i = 0; i < n; i++)
		batch_add(s, w, b, peer, frags[i], now);
}

/*
 * One inside frame towards its peer, as a router forwards it: the peer by destination (none:
 * unreachable), TTL, the tunnel's MTU, MSS; errors about it go back to the sender.
 */
static void inside_to_peer(struct dp_sink *s, struct dp_worker *w, struct peer_batch *b,
			   struct dp_tenant *t, struct rte_mbuf *pkt, uint64_t now)
{
	struct dp_aips *aips = __atomic_load_n(&t->aips, __ATOMIC_ACQUIRE);
	struct dp_ctx *dp = s->dp;
	uint8_t *ip;
	uint32_t ip_len, id;
	uint8_t family;
	uint16_t mss;
	struct dp_peer *peer;

	/* RFC 1812 5.3.4: what came as a link-layer broadcast or multicast is not forwarded
	 * (nor answered with an error). */
	if (unlikely(rte_is_multicast_ether_addr(
		    &rte_pktmbuf_mtod(pkt, struct rte_ether_hdr *)->dst_addr))) {
		drop(w, pkt, DP_DROP_LINK_BROADCAST);
		return;
	}
	rte_pktmbuf_adj(pkt, sizeof(struct rte_ether_hdr));
	ip = rte_pktmbuf_mtod(pkt, uint8_t *);
	if (!dp_inner_parse(ip, rte_pktmbuf_data_len(pkt), &ip_len, &family)) {
		drop(w, pkt, DP_DROP_TRUNCATED);
		return;
	}
	rte_pktmbuf_trim(pkt, (uint16_t)(rte_pktmbuf_data_len(pkt) - ip_len));
	id = family == 4 ? dp_aips_lookup4(aips, dp_inner_dst(ip, 4))
			 : dp_aips_lookup6(aips, dp_inner_dst(ip, 6));
	peer = id < dp->max_peers ? __atomic_load_n(&dp->peers[id], __ATOMIC_ACQUIRE) : NULL;
	/* A tenant's table names only its own peers; checked again, as an id is global. */
	if (unlikely(!peer || peer->tenant != t)) {
		w->stats.drops[DP_DROP_NO_PEER]++;
		error_to_inside(s, w, t, pkt, family, DP_ICMP_HOST_UNREACH, 0, now);
		return;
	}
	if (unlikely(dp_inner_ttl_expires(ip, family))) {
		w->stats.drops[DP_DROP_TTL_EXPIRED]++;
		error_to_inside(s, w, t, pkt, family, DP_ICMP_TIME_EXCEEDED, 0, now);
		return;
	}
	if (unlikely(ip_len > t->mtu)) {
		tunnel_too_big(s, w, b, peer, pkt, family, now);
		return;
	}
	dp_inner_dec_ttl(ip, family);
	mss = dp_tenant_mss(t, family);
	if (mss && dp_inner_clamp_mss(ip, ip_len, family, mss))
		w->router.stats.mss_clamped++;
	batch_add(s, w, b, peer, pkt, now);
}

/* Inside traffic, and our errors about decrypted packets, into their tunnels. */
static void tx_to_peers(struct dp_sink *s, struct dp_worker *w, struct inside_rx *in,
			struct to_peers *errs, uint64_t now)
{
	struct peer_batch b;

	b.n = 0;
	for (unsigned int i = 0; i < errs->n; i++)
		batch_add(s, w, &b, errs->peer[i], errs->m[i], now);
	for (unsigned int i = 0; i < in->n; i++)
		inside_to_peer(s, w, &b, in->t[i], in->m[i], now);
	batch_flush(s, w, &b, now);
}

/* Sorts one inside frame: ours (ARP, ND, ICMP to our address) or to be encrypted. */
static bool inside_is_local(const struct dp_iface *ifc, struct rte_mbuf *m, bool *drop_it)
{
	struct dp_pkt p;

	*drop_it = false;
	if (!dp_pkt_parse_any(m, &p)) {
		*drop_it = true;
		return false;
	}
	if (p.family == 0) {
		*drop_it = p.ethertype != RTE_ETHER_TYPE_ARP;
		return !*drop_it;
	}
	if (is_icmp6(&p) && (p.dst[0] == 0xff || dp_is_local_addr(ifc, 6, p.dst)))
		return true;
	return dp_is_local_addr(ifc, p.family, p.dst);
}

static void drain_ctl_tx(struct dp_ctx *dp, struct dp_worker *w)
{
	struct rte_mbuf *pkts[DP_BURST];

	for (unsigned int i = 0; i < dp->n_ports; i++) {
		struct dp_port *port = &dp->ports[i];
		unsigned int n =
			rte_ring_sc_dequeue_burst(port->ctl_tx, (void **)pkts, DP_BURST, NULL);

		if (n)
			w->stats.tx_packets +=
				dp_port_tx(port, w->tx_queue, pkts, (uint16_t)n, w->stats.drops);
	}
}

/*
 * One frame on the inside of port: its VLAN's tenant (none: not for us), then ours (ARP, ND,
 * ICMP to our address on that link) or to encrypt.
 */
static void classify_inside(struct dp_ctx *dp, struct dp_worker *w, struct dp_port *port,
			    struct rte_mbuf *m, int vlan, struct inside_rx *in)
{
	struct dp_tenant *t;
	bool bad;

	if (unlikely(vlan < 0)) { /* two tags, a service tag, VID 4095 */
		drop(w, m, DP_DROP_NOT_IP);
		return;
	}
	t = dp_port_tenant(dp, port, (uint16_t)vlan);
	if (unlikely(!t)) {
		/* A trunk's untagged link still answers for the port's own addresses. */
		if (vlan == 0 && inside_is_local(&port->iface, m, &bad))
			to_local(dp, w, m);
		else
			drop(w, m, DP_DROP_NOT_FOR_US);
		return;
	}
	if (inside_is_local(t->has_inside ? &t->inside_ifc : &port->iface, m, &bad)) {
		to_local(dp, w, m);
	} else if (bad) {
		drop(w, m, DP_DROP_TRUNCATED);
	} else {
		in->m[in->n] = m;
		in->t[in->n++] = t;
	}
}

static unsigned int poll_queue(struct dp_ctx *dp, struct dp_worker *w, struct dp_sink *s,
			       struct dp_port *port, uint16_t queue)
{
	struct rte_mbuf *pkts[DP_BURST];
	struct inside_rx in;
	struct rx_data rx[DP_BURST];
	struct to_peers errs;
	unsigned int n_rx = 0;
	uint16_t n = rte_eth_rx_burst(port->port_id, queue, pkts, DP_BURST);
	uint64_t now;

	if (!n)
		return 0;
	now = wg_clock_mono_ns();
	w->stats.rx_packets += n;
	/* Every frame's headers are read below, each probably cold: start all the loads now. */
	for (uint16_t i = 0; i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	in.n = 0;
	for (uint16_t i = 0; i < n; i++) {
		/* Tags are looked for only where a tenant is on a VLAN: elsewhere a tagged frame
		 * is no IP of ours (not_ip), as before tenants. */
		int vlan = port->has_vlans ? dp_vlan_rx(pkts[i]) : 0;

		if (unlikely(!dp_frame_for_us(port, pkts[i])))
			drop(w, pkts[i], DP_DROP_NOT_FOR_US);
		else if (port->outside && vlan == 0)
			classify_outside(s, w, port, pkts[i], rx, &n_rx, &in, now);
		else
			classify_inside(dp, w, port, pkts[i], vlan, &in);
	}
	errs.n = 0;
	if (n_rx)
		rx_data_burst(s, w, rx, n_rx, &errs, now);
	if (in.n || errs.n)
		tx_to_peers(s, w, &in, &errs, now);
	return n;
}

unsigned int dp_worker_poll(struct dp_ctx *dp, struct dp_worker *w)
{
	struct dp_sink s;
	unsigned int work = 0;

	s.dp = dp;
	s.worker = w;
	s.drops = w->stats.drops;
	for (unsigned int i = 0; i < dp->n_ports; i++)
		s.tx[i].n = 0;
	for (unsigned int i = 0; i < w->n_rx; i++)
		work += poll_queue(dp, w, &s, &dp->ports[w->rx_port[i]], w->rx_queue[i]);
	dp_sink_flush(&s);
	if (w->drains_ctl_tx)
		drain_ctl_tx(dp, w);
	rte_rcu_qsbr_quiescent(dp->rcu, w->index);
	return work;
}

int dp_worker_main(void *arg)
{
	struct dp_worker *w = arg;
	struct dp_ctx *dp = w->dp;

	rte_rcu_qsbr_thread_register(dp->rcu, w->index);
	rte_rcu_qsbr_thread_online(dp->rcu, w->index);
	while (!__atomic_load_n(&dp->quit, __ATOMIC_RELAXED))
		dp_worker_poll(dp, w);
	rte_rcu_qsbr_thread_offline(dp->rcu, w->index);
	rte_rcu_qsbr_thread_unregister(dp->rcu, w->index);
	return 0;
}

struct dp_worker *dp_worker_of_lcore(struct dp_ctx *dp, unsigned int lcore_id)
{
	for (unsigned int i = 0; i < dp->n_workers; i++)
		if (dp->workers[i].lcore_id == lcore_id)
			return &dp->workers[i];
	return NULL;
}
