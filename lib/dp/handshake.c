/* SPDX-License-Identifier: MIT */
/*
 * Receiving handshake messages on the control lcore: mac1, then under load mac2 or a cookie
 * reply, then the rate limiter, then Noise. A completed exchange installs a keypair and
 * answers (a response) or sends what waited (initiator). Kernel: receive.c's handshake half.
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

/*
 * The peer an index belongs to, whether it names a handshake in progress or a keypair: a
 * cookie reply may answer our response, which the peer addresses by the session's index
 * (kernel: lookups for cookies take both kinds).
 */
static struct dp_peer *peer_of_any_index(struct dp_ctx *dp, uint32_t index)
{
	void *v = wg_index_lookup(dp->indexes, index);
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

/* Where an initiation looks its sender up: the peers of the interface it came to. */
struct key_scope {
	struct dp_ctx *dp;
	const struct dp_tenant *t;
};

static struct wg_handshake *lookup_by_key(void *ctx, const uint8_t key[32])
{
	const struct key_scope *scope = ctx;
	struct dp_peer *p = dp_peer_by_key(scope->dp, scope->t, key);

	return p ? &p->hs : NULL;
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

/* Installs a keypair derived from p's finished handshake. */
static struct dp_keypair *install_keypair(struct dp_ctx *dp, struct dp_peer *p, uint64_t now)
{
	struct dp_keypair *kp = rte_zmalloc("wgdp_keypair", sizeof(*kp), RTE_CACHE_LINE_SIZE);
	struct wg_keypair *retired[2];
	unsigned int n;

	if (!kp)
		return NULL;
	if (!wg_noise_derive_keypair(&kp->kp, &p->hs, now)) {
		rte_free(kp);
		return NULL;
	}
	kp->peer = p;
	rte_spinlock_init(&kp->replay_lock);
	/* The handshake's index passes to the keypair: the peer's data will carry it. */
	kp->kp.local_index = p->hs_index;
	wg_index_replace(dp->indexes, p->hs_index, kp);
	p->hs_index_live = false;
	if (dp_keypair_publish(dp, kp) != 0) {
		wg_index_remove(dp->indexes, kp->kp.local_index);
		wg_keypair_wipe(&kp->kp);
		rte_free(kp);
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
static void note_wasted(struct dp_ctx *dp, enum wg_noise_error err, uint64_t now)
{
	if (err != WG_NOISE_ERR_DECRYPT_STATIC && err != WG_NOISE_ERR_UNKNOWN_PEER)
		return;
	dp_gate_count_sign(dp, &dp->wasted, now);
}

/* With an ephemeral made while we were idle, if there is one: 11 us less to wait. */
static enum wg_noise_error create_response(struct dp_ctx *dp, struct wg_msg_response *resp,
					   struct dp_peer *p)
{
	if (!dp->n_ephemerals)
		return wg_noise_create_response(resp, &p->hs, p->hs_index);
	return wg_noise_create_response_with(resp, &p->hs, p->hs_index,
					     &dp->ephemerals[--dp->n_ephemerals]);
}

void dp_ephemeral_make(struct dp_ctx *dp)
{
	if (dp->n_ephemerals < DP_EPHEMERALS &&
	    wg_ephemeral_generate(&dp->ephemerals[dp->n_ephemerals]))
		dp->n_ephemerals++;
}

/*
 * We answer an initiation: the session exists for us at once, but the handshake completes
 * for the timers only when the peer's first data confirms it (events.c). The response counts
 * as a handshake sent: no initiation of ours follows within REKEY_TIMEOUT (kernel
 * wg_packet_send_handshake_response sets last_sent_handshake).
 */
static void consume_initiation(struct dp_sink *s, const struct hs_src *src, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	struct key_scope scope = { .dp = dp, .t = src->t };
	enum wg_noise_error err;
	struct wg_handshake *hs;
	struct dp_peer *p;
	struct wg_msg_response resp;

	dp->ctl_stats.initiations_received++;
	hs = wg_noise_consume_initiation((const struct wg_msg_initiation *)src->msg,
					 &src->t->identity, lookup_by_key, &scope, now, &err);
	if (!hs) {
		dp->ctl_stats.noise_errors[err]++;
		note_wasted(dp, err, now);
		return;
	}
	p = container_of(hs, struct dp_peer, hs);
	dp_timers_catch_up(p);
	dp_peer_set_endpoint(p, &src->ep);
	if (!dp_hs_index_new(dp, p) || create_response(dp, &resp, p) != WG_NOISE_OK) {
		wg_handshake_clear(&p->hs);
		dp_peer_drop_hs_index(dp, p);
		return;
	}
	wg_cookie_add_macs(&p->cookie, &resp, sizeof(resp), now);
	if (!install_keypair(dp, p, now)) {
		dp_peer_drop_hs_index(dp, p);
		return;
	}
	reply_to(s, src, &resp, sizeof(resp));
	p->last_handshake_sent = now;
	dp->ctl_stats.responses_sent++;
	wg_timers_on_any_authenticated_received(&p->timers, now);
	wg_timers_on_any_authenticated_traversal(&p->timers, now);
	wg_timers_on_any_authenticated_sent(&p->timers, now);
	dp_timers_armed(dp, p, now);
	dp_peer_log(p, RTE_LOG_INFO, "handshake completed (responder)");
}

static void consume_response(struct dp_sink *s, const struct hs_src *src, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	const struct wg_msg_response *msg = (const struct wg_msg_response *)src->msg;
	struct dp_peer *p = hs_untag(wg_index_lookup(dp->indexes, wg_get_le32(msg->receiver)));
	enum wg_noise_error err;

	dp->ctl_stats.responses_received++;
	/* An index is unique process-wide; one of another interface's is not for this port. */
	if (!p || p->tenant != src->t) {
		dp->ctl_stats.unknown_index++;
		return;
	}
	err = wg_noise_consume_response(msg, &p->hs, &src->t->identity);
	if (err != WG_NOISE_OK) {
		dp->ctl_stats.noise_errors[err]++;
		return;
	}
	dp_timers_catch_up(p);
	dp_peer_set_endpoint(p, &src->ep);
	if (!install_keypair(dp, p, now))
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

static void consume_cookie(struct dp_ctx *dp, const struct hs_src *src, uint64_t now)
{
	const struct wg_msg_cookie *msg = (const struct wg_msg_cookie *)src->msg;
	struct dp_peer *p = peer_of_any_index(dp, wg_get_le32(msg->receiver));

	if (!p || p->tenant != src->t) {
		dp->ctl_stats.unknown_index++;
		return;
	}
	if (wg_cookie_reply_consume(&p->cookie, msg, now))
		dp->ctl_stats.cookies_received++;
}

/* mac1, then (under load) mac2 or a cookie reply, then the rate limiter. */
static bool hs_admit(struct dp_sink *s, const struct hs_src *src, bool loaded, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	size_t alen = src->ep.addr.family == 4 ? 4 : 16;
	enum wg_cookie_mac_state st;
	struct wg_msg_cookie reply;
	struct wg_rl_addr rl;

	if (loaded)
		st = wg_cookie_check_or_reply(&src->t->cookie_checker, src->msg, src->len,
					      src->ep.addr.bytes, alen, src->ep.port, now, &reply);
	else
		st = wg_cookie_validate(&src->t->cookie_checker, src->msg, src->len,
					src->ep.addr.bytes, alen, src->ep.port, false, now);
	if (st == WG_COOKIE_MAC_INVALID) {
		dp->ctl_stats.mac_invalid++;
		return false;
	}
	if (!loaded)
		return true;
	if (st != WG_COOKIE_MAC1_AND_MAC2_VALID) {
		reply_to(s, src, &reply, sizeof(reply));
		dp->ctl_stats.cookie_replies_sent++;
		return false;
	}
	rl.family = src->ep.addr.family;
	memcpy(rl.bytes, src->ep.addr.bytes, 16);
	rl.scope = src->t->tid;
	if (!wg_ratelimiter_allow(dp->ratelimiter, &rl, now)) {
		dp->ctl_stats.ratelimited++;
		return false;
	}
	return true;
}

static void handle_handshake(struct dp_sink *s, struct rte_mbuf *m, bool loaded, uint64_t now)
{
	struct hs_src src;

	if (!hs_parse(s->dp, m, &src))
		goto out;
	switch (src.msg[0]) {
	case WG_MSG_INITIATION:
		if (hs_admit(s, &src, loaded, now))
			consume_initiation(s, &src, now);
		break;
	case WG_MSG_RESPONSE:
		if (hs_admit(s, &src, loaded, now))
			consume_response(s, &src, now);
		break;
	case WG_MSG_COOKIE:
		consume_cookie(s->dp, &src, now);
		break;
	}
out:
	rte_pktmbuf_free(m);
}

/* Messages whose mac2 a worker's gate already checked come first. */
static unsigned int dequeue_handshakes(struct dp_ctx *dp, struct rte_mbuf **pkts, unsigned int max)
{
	unsigned int n = rte_ring_sc_dequeue_burst(dp->hs_prio_ring, (void **)pkts, max, NULL);

	return n + rte_ring_sc_dequeue_burst(dp->hs_ring, (void **)(pkts + n), max - n, NULL);
}

/*
 * With a control lcore of its own, one batch a pass. Sharing the lcore with a worker: small
 * batches until the time is used up, so a burst of initiations (0.1 ms each) does not hold the
 * data plane, while cookie replies (a few us) still go out by the hundred. The budget is CPU
 * time, read from the monotonic clock even when a test drives it (then the batch count bounds
 * the pass).
 */
unsigned int dp_handshakes_drain(struct dp_sink *s, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	bool shared = dp->control_is_worker;
	unsigned int batch = shared ? HS_PER_SHARED_POLL : HS_PER_POLL;
	uint64_t end = now + SHARED_BUDGET_NS;
	bool loaded = dp_gate_under_load(dp, now);
	unsigned int done = 0, n;

	do {
		struct rte_mbuf *pkts[HS_PER_POLL];

		n = dequeue_handshakes(dp, pkts, batch);
		for (unsigned int i = 0; i < n; i++)
			handle_handshake(s, pkts[i], loaded, now);
		done += n;
	} while (shared && n && done < HS_PER_POLL * 8 && wg_clock_mono_ns() < end);
	if (loaded && done)
		dp->ctl_stats.under_load_ticks++;
	return done;
}
