/* SPDX-License-Identifier: MIT */
/*
 * Receiving handshake messages on a handshake engine (hs_engine.h; engine 0 is the control
 * lcore): mac1, then under load mac2 or a cookie reply, then the rate limiter, then Noise. A
 * completed exchange installs a keypair (on the control lcore) and answers (a response) or
 * sends what waited (initiator). Kernel: receive.c's handshake half.
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_udp.h>

#include "control.h"
#include "crypto/keys.h"
#include "gate.h"
#include "hs_engine.h"
#include "pkt.h"
#include "wg/clock.h"
#include "wg/messages.h"

#define HS_PER_POLL	   32
#define HS_PER_SHARED_POLL 4		   /* one lcore: handshakes a batch */
#define SHARED_BUDGET_NS   (300 * 1000ull) /* one lcore: handshake time a pass */

/* A handshake index points at the peer's handshake; tag it to tell it from a keypair. */
#define HS_TAG 1ul

static void *hs_tag(struct dp_peer *p)
{
	return (void *)((uintptr_t)p | HS_TAG);
}

static struct dp_peer *hs_untag(void *v)
{
	return ((uintptr_t)v & HS_TAG) ? (struct dp_peer *)((uintptr_t)v & ~HS_TAG) : NULL;
}

/* What an index names: a peer's handshake, a keypair, or nothing yet (reserved). */
static void *index_lookup(struct dp_ctx *dp, uint32_t index)
{
	void *v = wg_index_lookup(dp->indexes, index);

	return v == DP_INDEX_RESERVED ? NULL : v;
}

/*
 * The peer an index belongs to, whether it names a handshake in progress or a keypair: a
 * cookie reply may answer our response, which the peer addresses by the session's index
 * (kernel: lookups for cookies take both kinds).
 */
static struct dp_peer *peer_of_any_index(struct dp_ctx *dp, uint32_t index)
{
	void *v = index_lookup(dp, index);
	struct dp_peer *p = hs_untag(v);

	if (p || !v)
		return p;
	return ((struct dp_keypair *)v)->peer;
}

/* The source a handshake message came from, and where it sits in the frame. */
struct hs_src {
	struct dp_tenant *t; /* the interface listening on the datagram's port */
	struct wgdp_endpoint ep;
	struct rte_ether_addr mac; /* reply to the frame's sender: no resolution needed */
	uint16_t port;		   /* index into dp->ports */
	const uint8_t *msg;
	uint16_t len;
	const uint8_t *our_addr;
};

static bool hs_parse(struct dp_ctx *dp, struct rte_mbuf *m, struct hs_src *src)
{
	struct dp_pkt p;
	const struct rte_udp_hdr *udp;
	uint16_t dport, msg_off, msg_len;
	int port = dp_port_index(dp, m->port);

	/* The worker checked all this already; checking again costs little on this path and
	 * keeps the control lcore safe from anything that reaches the ring some other way. */
	if (port < 0 || !dp_pkt_parse(m, &p) || !dp_pkt_udp(m, &p, &dport, &msg_off, &msg_len))
		return false;
	src->t = dp_tenant_of_port(dp, dport);
	if (!src->t)
		return false; /* the interface went while the message waited */
	udp = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, p.l4_off);
	src->port = (uint16_t)port;
	dp_addr_set(&src->ep.addr, p.family, p.src);
	src->ep.port = rte_be_to_cpu_16(udp->src_port);
	rte_ether_addr_copy(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr, &src->mac);
	src->msg = rte_pktmbuf_mtod_offset(m, const uint8_t *, msg_off);
	src->len = msg_len;
	src->our_addr = p.dst;
	return true;
}

/* Answers the sender of a handshake message straight back, to its frame's source MAC. */
static void reply_to(struct dp_sink *s, const struct hs_src *src, const void *msg, uint16_t len)
{
	dp_reply_udp(s, src->port, &src->mac, src->our_addr, src->t->listen_port, &src->ep, msg,
		     len);
}

/*
 * Where an initiation looks its sender up: the peers of the interface it came to. The peer
 * found is locked (hs_lock) for the rest of the handshake: two initiations of one peer on two
 * engines, or one and our own initiation on the control lcore, take turns.
 */
struct key_scope {
	struct dp_ctx *dp;
	const struct dp_tenant *t;
	struct dp_peer *locked;
};

static struct wg_handshake *lookup_by_key(void *ctx, const uint8_t key[32])
{
	struct key_scope *scope = ctx;
	struct dp_peer *p = dp_peer_by_key(scope->dp, scope->t, key);

	if (!p)
		return NULL;
	rte_spinlock_lock(&p->hs_lock);
	scope->locked = p;
	return &p->hs;
}

void dp_peer_drop_hs_index(struct dp_ctx *dp, struct dp_peer *p)
{
	if (p->hs_index_live) {
		wg_index_remove(dp->indexes, p->hs_index);
		p->hs_index_live = false;
	}
}

bool dp_hs_index_new(struct dp_ctx *dp, struct dp_peer *p)
{
	dp_peer_drop_hs_index(dp, p);
	if (!wg_index_add(dp->indexes, hs_tag(p), &p->hs_index))
		return false;
	p->hs_index_live = true;
	return true;
}

/* A keypair derived from p's finished handshake (p locked), to be installed. */
static struct dp_keypair *derive_keypair(struct dp_peer *p, uint32_t index, uint64_t now)
{
	struct dp_keypair *kp = rte_zmalloc("wgdp_keypair", sizeof(*kp), RTE_CACHE_LINE_SIZE);

	if (!kp)
		return NULL;
	if (!wg_noise_derive_keypair(&kp->kp, &p->hs, now)) {
		rte_free(kp);
		return NULL;
	}
	kp->peer = p;
	rte_spinlock_init(&kp->replay_lock);
	/* The handshake's index passes to the keypair: the peer's data will carry it. */
	kp->kp.local_index = index;
	return kp;
}

static void keypair_discard(struct dp_keypair *kp)
{
	wg_keypair_wipe(&kp->kp);
	rte_free(kp);
}

/* Control lcore: publishes kp, whose index names a handshake of its peer or is reserved. */
static struct dp_keypair *install_keypair(struct dp_ctx *dp, struct dp_keypair *kp, uint64_t now)
{
	struct dp_peer *p = kp->peer;
	struct wg_keypair *retired[2];
	unsigned int n;

	wg_index_replace(dp->indexes, kp->kp.local_index, kp);
	if (dp_keypair_publish(dp, kp) != 0) {
		wg_index_remove(dp->indexes, kp->kp.local_index);
		keypair_discard(kp);
		return NULL;
	}
	n = wg_keypairs_add(&p->kps, &kp->kp, retired);
	for (unsigned int i = 0; i < n; i++)
		dp_keypair_retire(dp, dp_keypair_of(retired[i]));
	dp_peer_publish_send_kp(p);
	p->last_handshake_real_ns = wg_clock_real_ns();
	wg_timers_on_session_derived(&p->timers, now);
	dp->ctl_stats.handshakes_completed++;
	return kp;
}

/*
 * An initiation with a good mac1 whose static key does not decrypt (or is no peer's) cost us
 * an X25519 for nothing: a few in a row are a flood made for our public key, so it counts as
 * load at once instead of after a queue of under_load_queue of them (16 ms of X25519s at the
 * default): from then on such messages get a cookie reply. Legitimate peers never fail here.
 */
static void note_wasted(struct dp_hs_engine *e, enum wg_noise_error err, uint64_t now)
{
	if (err != WG_NOISE_ERR_DECRYPT_STATIC && err != WG_NOISE_ERR_UNKNOWN_PEER)
		return;
	dp_gate_count_sign(e, &e->wasted, now);
}

/* With an ephemeral made while the engine was idle, if there is one: 11 us less to wait. */
static enum wg_noise_error create_response(struct dp_hs_engine *e, struct wg_msg_response *resp,
					   struct dp_peer *p, uint32_t index)
{
	if (!e->n_ephemerals)
		return wg_noise_create_response(resp, &p->hs, index);
	return wg_noise_create_response_with(resp, &p->hs, index,
					     &e->ephemerals[--e->n_ephemerals]);
}

void dp_ephemeral_make(struct dp_hs_engine *e)
{
	if (e->n_ephemerals < DP_EPHEMERALS &&
	    wg_ephemeral_generate(&e->ephemerals[e->n_ephemerals]))
		e->n_ephemerals++;
}

/* Under p's lock, after Noise accepted its initiation: the response and the session. */
static bool respond(struct dp_hs_engine *e, struct dp_peer *p, struct dp_hs_done *d, uint64_t now)
{
	uint32_t index;

	if (!dp_hs_index_take(e, &index)) {
		e->stats.index_pool_empty++;
		return false;
	}
	d->kp = NULL;
	if (create_response(e, &d->resp, p, index) == WG_NOISE_OK) {
		wg_cookie_add_macs(&p->cookie, &d->resp, sizeof(d->resp), now);
		d->kp = derive_keypair(p, index, now);
	}
	if (!d->kp)
		dp_hs_index_give_back(e, index);
	return d->kp != NULL;
}

static void done_fill(struct dp_hs_done *d, struct dp_peer *p, const struct hs_src *src,
		      uint64_t now)
{
	d->peer = p;
	d->peer_id = p->id;
	d->peer_serial = p->serial;
	d->key_serial = p->tenant->key_serial;
	d->now = now;
	d->ep = src->ep;
	d->mac = src->mac;
	d->port = src->port;
	memcpy(d->our_addr, src->our_addr, src->ep.addr.family == 4 ? 4 : 16);
}

/*
 * We answer an initiation: the engine derives the session under the peer's lock, and the
 * control lcore installs it and sends the response (dp_hs_done_apply), at once on engine 0,
 * through the done ring from the others.
 */
static void consume_initiation(struct dp_hs_engine *e, struct dp_sink *s, const struct hs_src *src,
			       uint64_t now)
{
	struct dp_ctx *dp = e->dp;
	struct key_scope scope = { .dp = dp, .t = src->t, .locked = NULL };
	enum wg_noise_error err;
	struct dp_hs_done d;
	struct dp_peer *p;
	bool made;

	e->stats.initiations_received++;
	if (!wg_noise_consume_initiation((const struct wg_msg_initiation *)src->msg,
					 &src->t->identity, lookup_by_key, &scope, now, &err)) {
		if (scope.locked)
			rte_spinlock_unlock(&scope.locked->hs_lock);
		e->stats.noise_errors[err]++;
		note_wasted(e, err, now);
		return;
	}
	p = scope.locked;
	made = respond(e, p, &d, now);
	if (!made) {
		wg_handshake_clear(&p->hs);
		/* The initiation of ours it overwrote names nothing now. Engines 1..K-1 leave it
		 * to our next initiation: the index table is the control lcore's. */
		if (e->index == 0)
			dp_peer_drop_hs_index(dp, p);
	}
	rte_spinlock_unlock(&p->hs_lock);
	if (!made)
		return;
	done_fill(&d, p, src, now);
	if (e->index == 0) {
		dp_hs_done_apply(s, &d);
	} else if (rte_ring_mp_enqueue_elem(dp->hs_done_ring, &d, sizeof(d)) != 0) {
		/* Not expected: an engine takes a message only with room for its session. */
		dp_hs_index_give_back(e, d.kp->kp.local_index);
		keypair_discard(d.kp);
		e->stats.index_pool_empty++;
	}
}

/*
 * Control lcore: the session an engine made. The response counts as a handshake sent: no
 * initiation of ours follows within REKEY_TIMEOUT (kernel wg_packet_send_handshake_response
 * sets last_sent_handshake). The handshake completes for the timers only when the peer's first
 * data confirms it (events.c).
 */
void dp_hs_done_apply(struct dp_sink *s, struct dp_hs_done *d)
{
	struct dp_ctx *dp = s->dp;
	struct dp_peer *p = d->peer_id < dp->n_peers ? dp->peers[d->peer_id] : NULL;
	struct hs_src src;

	/* Removed meanwhile, or its interface changed its private key (which drops sessions). */
	if (!p || p != d->peer || p->serial != d->peer_serial ||
	    p->tenant->key_serial != d->key_serial) {
		wg_index_remove(dp->indexes, d->kp->kp.local_index);
		keypair_discard(d->kp);
		return;
	}
	dp_timers_catch_up(p);
	dp_peer_set_endpoint(p, &d->ep);
	/* The initiation of ours that the peer's overwrote, if any: its index names nothing now.
	 * One made since (by this lcore) stays. */
	rte_spinlock_lock(&p->hs_lock);
	if (p->hs.state != WG_HS_CREATED_INITIATION)
		dp_peer_drop_hs_index(dp, p);
	rte_spinlock_unlock(&p->hs_lock);
	if (!install_keypair(dp, d->kp, d->now))
		return;
	src = (struct hs_src){
		.t = p->tenant, .ep = d->ep, .mac = d->mac, .port = d->port, .our_addr = d->our_addr
	};
	reply_to(s, &src, &d->resp, sizeof(d->resp));
	p->last_handshake_sent = d->now;
	dp->ctl_stats.responses_sent++;
	wg_timers_on_any_authenticated_received(&p->timers, d->now);
	wg_timers_on_any_authenticated_traversal(&p->timers, d->now);
	wg_timers_on_any_authenticated_sent(&p->timers, d->now);
	dp_timers_armed(dp, p, d->now);
	dp_peer_log(p, RTE_LOG_INFO, "handshake completed (responder)");
}

/* Engine 0 (the control lcore): a response to an initiation of ours. */
static void consume_response(struct dp_hs_engine *e, struct dp_sink *s, const struct hs_src *src,
			     uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	const struct wg_msg_response *msg = (const struct wg_msg_response *)src->msg;
	struct dp_peer *p = hs_untag(index_lookup(dp, wg_get_le32(msg->receiver)));
	struct dp_keypair *kp = NULL;
	enum wg_noise_error err;

	e->stats.responses_received++;
	/* An index is unique process-wide; one of another interface's is not for this port. */
	if (!p || p->tenant != src->t) {
		e->stats.unknown_index++;
		return;
	}
	rte_spinlock_lock(&p->hs_lock);
	err = wg_noise_consume_response(msg, &p->hs, &src->t->identity);
	if (err == WG_NOISE_OK)
		kp = derive_keypair(p, p->hs_index, now);
	rte_spinlock_unlock(&p->hs_lock);
	if (err != WG_NOISE_OK) {
		e->stats.noise_errors[err]++;
		return;
	}
	if (!kp)
		return;
	p->hs_index_live = false; /* the index passes to the keypair */
	dp_timers_catch_up(p);
	dp_peer_set_endpoint(p, &src->ep);
	if (!install_keypair(dp, kp, now))
		return;
	wg_timers_on_handshake_complete(&p->timers, now);
	wg_timers_on_any_authenticated_received(&p->timers, now);
	wg_timers_on_any_authenticated_traversal(&p->timers, now);
	dp_timers_armed(dp, p, now);
	dp_peer_log(p, RTE_LOG_INFO, "handshake completed");
	/* The responder confirms the session with our first data: what waited, or a keepalive
	 * (kernel wg_packet_send_keepalive after a response). */
	dp_send_keepalive(s, p, now);
}

/* Engine 0: a cookie reply to a message of ours. */
static void consume_cookie(struct dp_hs_engine *e, const struct hs_src *src, uint64_t now)
{
	const struct wg_msg_cookie *msg = (const struct wg_msg_cookie *)src->msg;
	struct dp_peer *p = peer_of_any_index(e->dp, wg_get_le32(msg->receiver));
	bool taken;

	if (!p || p->tenant != src->t) {
		e->stats.unknown_index++;
		return;
	}
	rte_spinlock_lock(&p->hs_lock);
	taken = wg_cookie_reply_consume(&p->cookie, msg, now);
	rte_spinlock_unlock(&p->hs_lock);
	if (taken)
		e->stats.cookies_received++;
}

/* The engine's cookie checker for t: the control lcore's own, or a borrowed copy (gate.c). */
static struct wg_cookie_checker *checker_of(struct dp_hs_engine *e, struct dp_tenant *t)
{
	if (e->index == 0)
		return &t->cookie_checker;
	return dp_gate_checker(t, e->dp->n_workers + e->index);
}

/* mac1, then (under load) mac2 or a cookie reply, then the rate limiter. */
static bool hs_admit(struct dp_hs_engine *e, struct dp_sink *s, const struct hs_src *src,
		     bool loaded, uint64_t now)
{
	struct wg_cookie_checker *checker = checker_of(e, src->t);
	size_t alen = src->ep.addr.family == 4 ? 4 : 16;
	enum wg_cookie_mac_state st;
	struct wg_msg_cookie reply;
	struct wg_rl_addr rl;

	if (loaded)
		st = wg_cookie_check_or_reply(checker, src->msg, src->len, src->ep.addr.bytes, alen,
					      src->ep.port, now, &reply);
	else
		st = wg_cookie_validate(checker, src->msg, src->len, src->ep.addr.bytes, alen,
					src->ep.port, false, now);
	if (st == WG_COOKIE_MAC_INVALID) {
		e->stats.mac_invalid++;
		return false;
	}
	if (!loaded)
		return true;
	if (st != WG_COOKIE_MAC1_AND_MAC2_VALID) {
		reply_to(s, src, &reply, sizeof(reply));
		e->stats.cookie_replies_sent++;
		return false;
	}
	rl.family = src->ep.addr.family;
	memcpy(rl.bytes, src->ep.addr.bytes, 16);
	rl.scope = src->t->tid;
	if (!wg_ratelimiter_allow(e->ratelimiter, &rl, now)) {
		e->stats.ratelimited++;
		return false;
	}
	return true;
}

static void handle_handshake(struct dp_hs_engine *e, struct dp_sink *s, struct rte_mbuf *m,
			     bool loaded, uint64_t now)
{
	struct hs_src src;

	if (!hs_parse(e->dp, m, &src))
		goto out;
	switch (src.msg[0]) {
	case WG_MSG_INITIATION:
		if (hs_admit(e, s, &src, loaded, now))
			consume_initiation(e, s, &src, now);
		break;
	case WG_MSG_RESPONSE: /* workers send these to engine 0 (hs_engine.h) */
		if (e->index == 0 && hs_admit(e, s, &src, loaded, now))
			consume_response(e, s, &src, now);
		break;
	case WG_MSG_COOKIE:
		if (e->index == 0)
			consume_cookie(e, &src, now);
		break;
	}
out:
	rte_pktmbuf_free(m);
}

/* Messages whose mac2 a worker's gate already checked come first. */
static unsigned int dequeue_handshakes(struct dp_hs_engine *e, struct rte_mbuf **pkts,
				       unsigned int max)
{
	unsigned int n = rte_ring_sc_dequeue_burst(e->prio_ring, (void **)pkts, max, NULL);

	return n + rte_ring_dequeue_burst(e->ring, (void **)(pkts + n), max - n, NULL);
}

static bool is_initiation(struct rte_mbuf *m)
{
	uint16_t dport, off, len;
	struct dp_pkt p;

	return dp_pkt_parse(m, &p) && dp_pkt_udp(m, &p, &dport, &off, &len) && len &&
	       *rte_pktmbuf_mtod_offset(m, const uint8_t *, off) == WG_MSG_INITIATION;
}

/*
 * An idle engine takes an initiation from the deepest queue of another engine that is not
 * under load: the control lcore (engine 0) has other work, and sources do not hash evenly at
 * every moment. Under load the shards hold, for the rate limiter and the cookies are per
 * source. Responses and cookie replies stay engine 0's: one taken by mistake goes back.
 */
static struct rte_mbuf *take_over(struct dp_hs_engine *e, uint64_t now)
{
	struct dp_ctx *dp = e->dp;
	struct dp_hs_engine *from = NULL;
	unsigned int most = 1; /* one queued may be the other's next: leave it */
	void *m;

	for (unsigned int i = 0; i < dp->n_engines; i++) {
		struct dp_hs_engine *v = &dp->engines[i];
		unsigned int depth = rte_ring_count(v->ring);

		if (v != e && depth > most && !dp_gate_under_load(v, now)) {
			most = depth;
			from = v;
		}
	}
	if (!from || rte_ring_mc_dequeue(from->ring, &m) != 0)
		return NULL;
	if (!is_initiation(m)) {
		if (rte_ring_mp_enqueue(from->ring, m) != 0)
			rte_pktmbuf_free(
				m); /* its queue filled meanwhile: as if it had been full */
		return NULL;
	}
	e->stats.taken_over++;
	return m;
}

/* Engines 1..K-1 hand their sessions over: room for one more each, whatever the others do. */
static bool done_room(const struct dp_hs_engine *e)
{
	return e->index == 0 || rte_ring_free_count(e->dp->hs_done_ring) > e->dp->n_engines;
}

/*
 * Engine 0 with a control lcore of its own: one batch a pass. Sharing the lcore with a worker:
 * small batches until the time is used up, so a burst of initiations (0.1 ms each) does not
 * hold the data plane, while cookie replies (a few us) still go out by the hundred. The budget
 * is CPU time, read from the monotonic clock even when a test drives it (then the batch count
 * bounds the pass). Engines 1..K-1 take one message at a time, so that a reload's pause waits
 * for one handshake at most.
 */
unsigned int dp_handshakes_drain(struct dp_hs_engine *e, struct dp_sink *s, uint64_t now)
{
	bool shared = e->index == 0 && e->dp->control_is_worker;
	unsigned int batch = e->index ? 1 : shared ? HS_PER_SHARED_POLL : HS_PER_POLL;
	uint64_t end = now + SHARED_BUDGET_NS;
	bool loaded = dp_gate_under_load(e, now);
	unsigned int done = 0, n;
	bool more;

	do {
		struct rte_mbuf *pkts[HS_PER_POLL];

		if (e->index)
			loaded = dp_gate_under_load(e, wg_clock_mono_ns());
		n = done_room(e) ? dequeue_handshakes(e, pkts, batch) : 0;
		if (!n && e->index && !loaded && done_room(e) &&
		    (pkts[0] = take_over(e, wg_clock_mono_ns())))
			n = 1;
		/* A clock reading a message: what Noise and the cookie maker compare it with (a
		 * peer's last initiation, its cookie) may have been stamped by another engine a
		 * moment ago, and a batch of initiations takes milliseconds. */
		for (unsigned int i = 0; i < n; i++)
			handle_handshake(e, s, pkts[i], loaded, wg_clock_mono_ns());
		done += n;
		if (e->index) {
			dp_hs_engine_pause_point(e);
			more = done < HS_PER_POLL;
		} else {
			more = shared && done < HS_PER_POLL * 8 && wg_clock_mono_ns() < end;
		}
	} while (n && more);
	if (loaded && done)
		e->stats.under_load_ticks++;
	return done;
}
