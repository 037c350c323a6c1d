/* SPDX-License-Identifier: MIT */
/*
 * Sending from the control lcore: handshake initiations, keepalives, and the inside packets
 * that wait for a session. Kernel: send.c (wg_packet_send_handshake_initiation,
 * wg_packet_send_keepalive, wg_packet_send_staged_packets).
 *
 * Staged packets are bounded three ways, each refusal counted: DP_STAGE_PER_PEER a peer
 * (the oldest goes, as in the kernel), dp->stage_limit in all (a share of the mbuf pool, so
 * that inside traffic towards peers that never answer cannot starve the RX refill), and
 * REKEY_ATTEMPT_TIME of age. A packet for a peer with no endpoint is not staged at all: there
 * is nowhere to send a handshake (the kernel answers EDESTADDRREQ).
 */
#include <stdio.h>
#include <string.h>

#include <rte_log.h>

#include "control.h"
#include "crypto/ct.h"
#include "pkt.h"
#include "route.h"
#include "router.h"
#include "wg/clock.h"
#include "wg/messages.h"

/* Sends to a peer's endpoint, resolving the next hop. */
static bool send_to_peer(struct dp_sink *s, struct dp_peer *p, const void *msg, uint16_t len)
{
	struct wgdp_endpoint ep;
	struct dp_route r;
	struct rte_mbuf *m;

	if (!dp_peer_endpoint(p, &ep) || !dp_route(s->dp, true, &ep.addr, &r))
		return false;
	m = dp_udp_frame(s->dp, r.port, r.src->bytes, p->tenant->listen_port, &ep, msg, len);
	if (!m)
		return false;
	dp_sink_l2(s, &r, m);
	return true;
}

static void log_retry(struct dp_peer *p)
{
	char what[96];

	snprintf(what, sizeof(what),
		 "handshake did not complete after 5 seconds, retrying (try %u)",
		 p->timers.handshake_attempts + 1);
	dp_peer_log(p, RTE_LOG_INFO, what);
}

/* The message itself, with a new index and the MACs; counted when it leaves. */
static void initiation_out(struct dp_sink *s, struct dp_peer *p, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	struct wg_msg_initiation msg;
	bool built;

	p->last_handshake_sent = now;
	/* An engine may be answering the peer's own initiation: the wait is one handshake. */
	rte_spinlock_lock(&p->hs_lock);
	built = dp_hs_index_new(dp, p) &&
		wg_noise_create_initiation(&msg, &p->hs, &p->tenant->identity, p->hs_index,
					   wg_clock_real_ns()) == WG_NOISE_OK;
	if (built)
		wg_cookie_add_macs(&p->cookie, &msg, sizeof(msg), now);
	rte_spinlock_unlock(&p->hs_lock);
	if (built) {
		wg_timers_on_any_authenticated_traversal(&p->timers, now);
		wg_timers_on_any_authenticated_sent(&p->timers, now);
		if (send_to_peer(s, p, &msg, sizeof(msg)))
			dp->ctl_stats.initiations_sent++;
		else
			dp_peer_log(p, RTE_LOG_DEBUG,
				    "no route or mbuf for a handshake initiation");
	} else {
		dp_peer_drop_hs_index(dp, p);
	}
}

void dp_send_initiation(struct dp_sink *s, struct dp_peer *p, uint64_t now, bool retry)
{
	dp_timers_catch_up(p);
	if (!retry)
		wg_timers_on_new_handshake_requested(&p->timers);
	if (p->last_handshake_sent && now - p->last_handshake_sent < WG_REKEY_TIMEOUT) {
		/* The one in flight went once (stray.c): now that something wants a session, it
		 * is retried as ours would be. */
		if (!p->timers.retransmit_handshake_at) {
			wg_timers_on_handshake_initiated(&p->timers, p->last_handshake_sent,
							 wgc_random_u32());
			dp_timers_armed(s->dp, p, now);
		}
		return;
	}
	initiation_out(s, p, now);
	/* Armed whatever became of the message: its expiry retries, and in the end gives up
	 * and frees what is staged. */
	wg_timers_on_handshake_initiated(&p->timers, now, wgc_random_u32());
	dp_timers_armed(s->dp, p, now);
	/* The new-handshake timer's initiation is no retry: its count restarted at 0. */
	if (retry && p->timers.handshake_attempts)
		log_retry(p);
}

bool dp_send_initiation_once(struct dp_sink *s, struct dp_peer *p, uint64_t now)
{
	dp_timers_catch_up(p);
	/* A handshake of our own in flight retries by itself; one message per REKEY_TIMEOUT. */
	if (p->timers.retransmit_handshake_at ||
	    (p->last_handshake_sent && now - p->last_handshake_sent < WG_REKEY_TIMEOUT))
		return false;
	initiation_out(s, p, now);
	/* Unanswered, its handshake (ephemeral key, index) must not outlive the key wipe's
	 * bound: no retransmission will give it up, so the wipe is armed here. */
	if (!p->timers.zero_keys_at) {
		p->timers.zero_keys_at = now + WG_ZERO_KEYS_AFTER;
		dp_timers_armed(s->dp, p, now);
	}
	return true;
}

/* The keypair to send with now, with its counter taken; NULL when none is usable. */
static struct dp_keypair *take_counter(struct dp_peer *p, uint64_t now, uint64_t *counter)
{
	struct dp_keypair *kp = __atomic_load_n(&p->send_kp, __ATOMIC_ACQUIRE);

	if (!kp)
		return NULL;
	*counter = __atomic_fetch_add(&kp->kp.send_counter, 1, __ATOMIC_RELAXED);
	return wg_timers_keypair_expired(kp->kp.birth, *counter, now) ? NULL : kp;
}

static bool usable_keypair(struct dp_peer *p, uint64_t now)
{
	struct dp_keypair *kp = __atomic_load_n(&p->send_kp, __ATOMIC_ACQUIRE);

	return kp &&
	       !wg_timers_keypair_expired(
		       kp->kp.birth, __atomic_load_n(&kp->kp.send_counter, __ATOMIC_RELAXED), now);
}

static void staged_forget(struct dp_ctx *dp, struct dp_peer *p, unsigned int n)
{
	memmove(p->staged, p->staged + n, (p->n_staged - n) * sizeof(p->staged[0]));
	p->n_staged -= n;
	dp->n_staged -= n;
}

/* Encrypts and sends the staged packets in bursts; false when the keys ran out first. */
static bool send_staged_bursts(struct dp_sink *s, struct dp_peer *p, uint64_t now)
{
	struct rte_mbuf *m[DP_BURST];
	struct dp_peer *peers[DP_BURST];
	struct dp_keypair *kps[DP_BURST];
	uint64_t counters[DP_BURST];

	while (p->n_staged) {
		unsigned int k = 0;

		while (k < DP_BURST && k < p->n_staged) {
			kps[k] = take_counter(p, now, &counters[k]);
			if (!kps[k])
				break;
			m[k] = p->staged[k];
			peers[k++] = p;
		}
		if (!k)
			return false;
		staged_forget(s->dp, p, k);
		s->dp->ctl_stats.staged_sent += k;
		dp_encrypt_send(s, s->dp->ctl_crypto, m, peers, kps, counters, k, now);
	}
	return true;
}

void dp_send_staged(struct dp_sink *s, struct dp_peer *p, uint64_t now)
{
	if (!send_staged_bursts(s, p, now))
		dp_send_initiation(s, p, now, false);
}

void dp_send_keepalive(struct dp_sink *s, struct dp_peer *p, uint64_t now)
{
	struct rte_mbuf *m;
	struct dp_keypair *kp;
	uint64_t counter;

	if (p->n_staged) {
		dp_send_staged(s, p, now);
		return;
	}
	kp = take_counter(p, now, &counter);
	if (!kp) {
		dp_send_initiation(s, p, now, false);
		return;
	}
	m = rte_pktmbuf_alloc(s->dp->pool);
	if (!m)
		return;
	s->dp->ctl_stats.keepalives_sent++;
	dp_encrypt_send(s, s->dp->ctl_crypto, &m, &p, &kp, &counter, 1, now);
}

static void staged_free(struct dp_ctx *dp, struct dp_peer *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		rte_pktmbuf_free(p->staged[i]);
	staged_forget(dp, p, n);
}

/*
 * The first n staged packets will never leave: as a router whose next hop does not answer,
 * each sender hears "host unreachable" (rate-limited), built in the packet's own mbuf.
 */
static void staged_unreachable(struct dp_sink *s, struct dp_peer *p, unsigned int n,
			       uint64_t now)
{
	struct dp_ctx *dp = s->dp;

	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = p->staged[i];
		const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);
		uint8_t family = (ip[0] >> 4) == 4 ? 4 : 6;
		const uint8_t *src =
			dp_inside_source(dp, p->tenant, family, dp_inner_src(ip, family));

		if (dp_router_icmp(&dp->ctl_router, m, family, DP_ICMP_HOST_UNREACH, 0, src, now))
			dp_send_inside(s, p->tenant, m, family, NULL);
	}
	staged_forget(dp, p, n);
}

void dp_staged_give_up(struct dp_sink *s, struct dp_peer *p, uint64_t now)
{
	s->dp->ctl_stats.staged_dropped += p->n_staged;
	staged_unreachable(s, p, p->n_staged, now);
}

void dp_staged_expire(struct dp_sink *s, struct dp_peer *p, uint64_t now)
{
	unsigned int n = 0;

	while (n < p->n_staged && now - dp_meta(p->staged[n])->staged_at >= WG_REKEY_ATTEMPT_TIME)
		n++;
	s->dp->ctl_stats.staged_expired += n;
	staged_unreachable(s, p, n, now);
}

/* Room for one more packet on p: the oldest of its own goes first; the global cap refuses. */
static bool stage_room(struct dp_ctx *dp, struct dp_peer *p)
{
	if (p->n_staged == DP_STAGE_PER_PEER) {
		dp->ctl_stats.staged_dropped++;
		staged_free(dp, p, 1);
	}
	if (dp->n_staged >= dp->stage_limit) {
		dp->ctl_stats.staged_over_limit++;
		return false;
	}
	return true;
}

/* An inside packet for a peer without a usable session: keep it and ask for one. */
static void stage(struct dp_sink *s, struct rte_mbuf *m, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	const struct dp_mbuf_meta *meta = dp_meta(m);
	struct dp_peer *p = meta->peer_id < dp->n_peers ? dp->peers[meta->peer_id] : NULL;
	struct wgdp_endpoint ep;

	if (p && p->serial != meta->peer_serial)
		p = NULL; /* its peer went and the id is another's now */

	if (!p || !dp_peer_endpoint(p, &ep)) {
		dp->ctl_drops[p ? DP_DROP_NO_ENDPOINT : DP_DROP_NO_PEER]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (!stage_room(dp, p)) {
		/* Refused, but the handshake is still asked for: peers that never answer must
		 * not keep a live one from getting its session. */
		rte_pktmbuf_free(m);
		if (!usable_keypair(p, now))
			dp_send_initiation(s, p, now, false);
		return;
	}
	dp_meta(m)->staged_at = now;
	p->staged[p->n_staged++] = m;
	dp->n_staged++;
	/* A session may have come up since the worker looked; if not, this initiates. */
	dp_send_staged(s, p, now);
}

unsigned int dp_stage_drain(struct dp_sink *s, uint64_t now)
{
	struct rte_mbuf *pkts[DP_BURST];
	unsigned int n =
		rte_ring_sc_dequeue_burst(s->dp->stage_ring, (void **)pkts, DP_BURST, NULL);

	for (unsigned int i = 0; i < n; i++)
		stage(s, pkts[i], now);
	return n;
}
