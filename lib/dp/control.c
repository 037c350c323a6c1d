/* SPDX-License-Identifier: MIT */
/*
 * The control lcore: handshakes (with cookies and rate limiting under load), the peers'
 * timers, keypair publication, packets staged for want of a session, and the local slow path
 * (ARP, ND, ICMP for us, next-hop resolution). It is the only writer of every table.
 */
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_udp.h>

#include <arpa/inet.h>

#include "crypto/ct.h"
#include "crypto/keys.h"
#include "crypto/x25519.h"
#include "gate.h"
#include "log.h"
#include "peer.h"
#include "pkt.h"
#include "reconf.h"
#include "route.h"
#include "wg/clock.h"
#include "wg/messages.h"
#include "xmit.h"

#define TIMER_SCAN_NS	(10 * WG_NSEC_PER_MSEC)
#define SWEEP_NS	WG_NSEC_PER_SEC /* every peer's worker timestamps are read this often */
#define WASTED_WINDOW_NS (100 * WG_NSEC_PER_MSEC)
#define WASTED_FOR_LOAD	 16 /* refused initiations within the window that make it load */
#define HOUSEKEEPING_NS WG_NSEC_PER_SEC
#define HS_PER_POLL	32
#define HS_PER_SHARED_POLL 4		      /* one lcore: handshakes a batch */
#define SHARED_BUDGET_NS   (300 * 1000ull) /* one lcore: handshake time a pass */
#define WORKER_PASSES	8     /* one lcore: RX bursts per queue before a control pass */

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
 * A peer whose next deadline comes before its next sweep must be looked at every tick. The
 * list is bounded by max_peers: a peer that finds it full still has its sweep.
 */
static void timer_soon(struct dp_ctx *dp, struct dp_peer *p)
{
	if (p->timer_soon || dp->n_soon == dp->max_peers)
		return;
	p->timer_soon = true;
	dp->soon[dp->n_soon++] = p->id;
}

/* After the control lcore armed p's timers: tick it if a deadline is near. */
static void timers_armed(struct dp_ctx *dp, struct dp_peer *p, uint64_t now)
{
	if (wg_timers_next_deadline(&p->timers) < now + SWEEP_NS)
		timer_soon(dp, p);
}

void dp_peer_key_short(const uint8_t key[32], char out[16])
{
	char b64[WGC_KEY_B64_LEN + 1];

	wgc_key_to_base64(b64, key);
	snprintf(out, 16, "%.4s…%s", b64, b64 + WGC_KEY_B64_LEN - 1);
}

static void endpoint_text(const struct wgdp_endpoint *ep, char *out, size_t len)
{
	char a[64];

	if (ep->addr.family == 4) {
		snprintf(out, len, "%u.%u.%u.%u:%u", ep->addr.bytes[0], ep->addr.bytes[1],
			 ep->addr.bytes[2], ep->addr.bytes[3], ep->port);
		return;
	}
	inet_ntop(AF_INET6, ep->addr.bytes, a, sizeof(a));
	snprintf(out, len, "[%s]:%u", a, ep->port);
}

static void log_peer(struct dp_peer *p, uint32_t level, const char *what)
{
	char key[16], ep_text[80] = "no endpoint";
	struct wgdp_endpoint ep;

	if (!rte_log_can_log(dp_log_handshake, level))
		return;
	dp_peer_key_short(p->public_key, key);
	if (dp_peer_endpoint(p, &ep))
		endpoint_text(&ep, ep_text, sizeof(ep_text));
	rte_log(level, dp_log_handshake, "wgdp.handshake: peer %s (%s): %s\n", key, ep_text, what);
}

/* The source a handshake message came from, and where it sits in the frame. */
struct hs_src {
	struct wgdp_endpoint ep;
	struct rte_ether_addr mac; /* reply to the frame's sender: no resolution needed */
	uint16_t port;		   /* index into dp->ports */
	const uint8_t *msg;
	uint16_t len;
	const uint8_t *our_addr;
};

static int port_index(struct dp_ctx *dp, uint16_t port_id)
{
	for (unsigned int i = 0; i < dp->n_ports; i++)
		if (dp->ports[i].port_id == port_id)
			return (int)i;
	return -1;
}

static bool hs_parse(struct dp_ctx *dp, struct rte_mbuf *m, struct hs_src *src)
{
	struct dp_pkt p;
	const struct rte_udp_hdr *udp;
	uint16_t dport, msg_off, msg_len;
	int port = port_index(dp, m->port);

	/* The worker checked all this already; checking again costs little on this path and
	 * keeps the control lcore safe from anything that reaches the ring some other way. */
	if (port < 0 || !dp_pkt_parse(m, &p) || !dp_pkt_udp(m, &p, &dport, &msg_off, &msg_len))
		return false;
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
	dp_reply_udp(s, src->port, &src->mac, src->our_addr, &src->ep, msg, len);
}

/* Sends to a peer's endpoint, resolving the next hop. */
static bool send_to_peer(struct dp_sink *s, struct dp_peer *p, const void *msg, uint16_t len)
{
	struct wgdp_endpoint ep;
	struct dp_route r;
	struct rte_mbuf *m;

	if (!dp_peer_endpoint(p, &ep) || !dp_route(s->dp, true, &ep.addr, &r))
		return false;
	m = dp_udp_frame(s->dp, r.port, r.src->bytes, &ep, msg, len);
	if (!m)
		return false;
	dp_sink_l2(s, r.port, &r.nh, m);
	return true;
}

static struct wg_handshake *lookup_by_key(void *ctx, const uint8_t key[32])
{
	struct dp_ctx *dp = ctx;
	void *data;

	if (rte_hash_lookup_data(dp->pubkey_hash, key, &data) < 0)
		return NULL;
	return &dp->peers[(uintptr_t)data]->hs;
}

void dp_peer_drop_hs_index(struct dp_ctx *dp, struct dp_peer *p)
{
	if (p->hs_index_live) {
		wg_index_remove(dp->indexes, p->hs_index);
		p->hs_index_live = false;
	}
}

static bool new_hs_index(struct dp_ctx *dp, struct dp_peer *p)
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

static void send_staged(struct dp_sink *s, struct dp_peer *p, uint64_t now);

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
	if (now - dp->wasted_window > WASTED_WINDOW_NS) {
		dp->wasted_window = now;
		dp->wasted = 0;
	}
	if (++dp->wasted >= WASTED_FOR_LOAD)
		dp_gate_note_load(dp, now);
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

/* Idle: one more ephemeral for the pool (one base-point multiplication, ~11 us). */
static void make_ephemeral(struct dp_ctx *dp)
{
	if (dp->n_ephemerals < DP_EPHEMERALS &&
	    wg_ephemeral_generate(&dp->ephemerals[dp->n_ephemerals]))
		dp->n_ephemerals++;
}

static void consume_initiation(struct dp_sink *s, const struct hs_src *src, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	enum wg_noise_error err;
	struct wg_handshake *hs;
	struct dp_peer *p;
	struct wg_msg_response resp;

	dp->ctl_stats.initiations_received++;
	hs = wg_noise_consume_initiation((const struct wg_msg_initiation *)src->msg,
					 &dp->identity, lookup_by_key, dp, now, &err);
	if (!hs) {
		dp->ctl_stats.noise_errors[err]++;
		note_wasted(dp, err, now);
		return;
	}
	p = container_of(hs, struct dp_peer, hs);
	dp_peer_set_endpoint(p, &src->ep);
	if (!new_hs_index(dp, p) || create_response(dp, &resp, p) != WG_NOISE_OK) {
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
	dp->ctl_stats.responses_sent++;
	wg_timers_on_any_authenticated_received(&p->timers, now);
	wg_timers_on_any_authenticated_traversal(&p->timers, now);
	wg_timers_on_any_authenticated_sent(&p->timers, now);
	timers_armed(dp, p, now);
	log_peer(p, RTE_LOG_INFO, "handshake completed (responder)");
}

static void consume_response(struct dp_sink *s, const struct hs_src *src, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	const struct wg_msg_response *msg = (const struct wg_msg_response *)src->msg;
	struct dp_peer *p = hs_untag(wg_index_lookup(dp->indexes, wg_get_le32(msg->receiver)));
	enum wg_noise_error err;

	dp->ctl_stats.responses_received++;
	if (!p) {
		dp->ctl_stats.unknown_index++;
		return;
	}
	err = wg_noise_consume_response(msg, &p->hs, &dp->identity);
	if (err != WG_NOISE_OK) {
		dp->ctl_stats.noise_errors[err]++;
		return;
	}
	dp_peer_set_endpoint(p, &src->ep);
	if (!install_keypair(dp, p, now))
		return;
	wg_timers_on_handshake_complete(&p->timers, now);
	wg_timers_on_any_authenticated_received(&p->timers, now);
	wg_timers_on_any_authenticated_traversal(&p->timers, now);
	timers_armed(dp, p, now);
	log_peer(p, RTE_LOG_INFO, "handshake completed");
	/* The responder confirms the session with our first data: send what waited, or a
	 * keepalive. */
	send_staged(s, p, now);
}

static void consume_cookie(struct dp_ctx *dp, const struct hs_src *src, uint64_t now)
{
	const struct wg_msg_cookie *msg = (const struct wg_msg_cookie *)src->msg;
	struct dp_peer *p = hs_untag(wg_index_lookup(dp->indexes, wg_get_le32(msg->receiver)));

	if (!p) {
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
		st = wg_cookie_check_or_reply(&dp->cookie_checker, src->msg, src->len,
					      src->ep.addr.bytes, alen, src->ep.port, now, &reply);
	else
		st = wg_cookie_validate(&dp->cookie_checker, src->msg, src->len,
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

/* Sends an initiation unless one went out less than REKEY_TIMEOUT ago (whitepaper 6.1). */
static void send_initiation(struct dp_sink *s, struct dp_peer *p, uint64_t now, bool retry)
{
	struct dp_ctx *dp = s->dp;
	struct wg_msg_initiation msg;

	if (!retry)
		wg_timers_on_new_handshake_requested(&p->timers);
	if (p->last_initiation_sent && now - p->last_initiation_sent < WG_REKEY_TIMEOUT)
		return;
	if (!new_hs_index(dp, p))
		return;
	if (wg_noise_create_initiation(&msg, &p->hs, &dp->identity, p->hs_index,
				       wg_clock_real_ns()) != WG_NOISE_OK) {
		dp_peer_drop_hs_index(dp, p);
		return;
	}
	wg_cookie_add_macs(&p->cookie, &msg, sizeof(msg), now);
	p->last_initiation_sent = now;
	if (!send_to_peer(s, p, &msg, sizeof(msg))) {
		log_peer(p, RTE_LOG_DEBUG, "no endpoint or route for a handshake initiation");
		return;
	}
	dp->ctl_stats.initiations_sent++;
	wg_timers_on_handshake_initiated(&p->timers, now,
					 wgc_random_u32() % WG_REKEY_TIMEOUT_JITTER_MAX);
	wg_timers_on_any_authenticated_sent(&p->timers, now);
	wg_timers_on_any_authenticated_traversal(&p->timers, now);
	timers_armed(dp, p, now);
	if (retry) {
		char what[96];

		snprintf(what, sizeof(what),
			 "handshake did not complete after 5 seconds, retrying (try %u)",
			 p->timers.handshake_attempts + 1);
		log_peer(p, RTE_LOG_INFO, what);
	}
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

static void send_keepalive(struct dp_sink *s, struct dp_peer *p, uint64_t now)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(s->dp->pool);
	struct dp_keypair *kp;
	uint64_t counter;

	if (!m)
		return;
	kp = take_counter(p, now, &counter);
	if (!kp) {
		rte_pktmbuf_free(m);
		send_initiation(s, p, now, false);
		return;
	}
	s->dp->ctl_stats.keepalives_sent++;
	dp_encrypt_send(s, s->dp->ctl_crypto, &m, &p, &kp, &counter, 1, now);
}

/* Sends what waited for a session, or a keepalive if nothing did. */
static void send_staged(struct dp_sink *s, struct dp_peer *p, uint64_t now)
{
	struct rte_mbuf *m[DP_BURST];
	struct dp_peer *peers[DP_BURST];
	struct dp_keypair *kps[DP_BURST];
	uint64_t counters[DP_BURST];
	unsigned int done = 0;

	if (!p->n_staged) {
		send_keepalive(s, p, now);
		return;
	}
	while (done < p->n_staged) {
		unsigned int k = 0;
		bool out_of_keys = false;

		while (k < DP_BURST && done < p->n_staged) {
			kps[k] = take_counter(p, now, &counters[k]);
			if (!kps[k]) {
				out_of_keys = true;
				break;
			}
			m[k] = p->staged[done++];
			peers[k++] = p;
		}
		if (k) {
			s->dp->ctl_stats.staged_sent += k;
			dp_encrypt_send(s, s->dp->ctl_crypto, m, peers, kps, counters, k, now);
		}
		if (out_of_keys)
			break;
	}
	memmove(p->staged, p->staged + done, (p->n_staged - done) * sizeof(p->staged[0]));
	p->n_staged -= done;
}

static void drop_staged(struct dp_ctx *dp, struct dp_peer *p)
{
	dp->ctl_stats.staged_dropped += p->n_staged;
	for (unsigned int i = 0; i < p->n_staged; i++)
		rte_pktmbuf_free(p->staged[i]);
	p->n_staged = 0;
}

/* An inside packet for a peer without a session: keep it (newest win) and ask for one. */
static void stage(struct dp_sink *s, struct rte_mbuf *m, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	uint32_t id = dp_meta(m)->peer_id;
	struct dp_peer *p = id < dp->n_peers ? dp->peers[id] : NULL;

	if (!p) {
		rte_pktmbuf_free(m);
		return;
	}
	if (p->n_staged == DP_STAGE_PER_PEER) {
		rte_pktmbuf_free(p->staged[0]);
		memmove(p->staged, p->staged + 1, (DP_STAGE_PER_PEER - 1) * sizeof(p->staged[0]));
		p->n_staged--;
		dp->ctl_stats.staged_dropped++;
	}
	p->staged[p->n_staged++] = m;
	if (__atomic_load_n(&p->send_kp, __ATOMIC_ACQUIRE))
		send_staged(s, p, now); /* a session came up since the worker looked */
	else
		send_initiation(s, p, now, false);
}

static void handle_event(struct dp_sink *s, const struct dp_event *ev, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	struct dp_peer *p = ev->peer_id < dp->n_peers ? dp->peers[ev->peer_id] : NULL;
	struct wg_keypair *retired = NULL;

	if (!p)
		return;
	switch (ev->kind) {
	case DP_EV_WANT_HANDSHAKE:
		__atomic_store_n(&p->handshake_wanted, 0, __ATOMIC_RELAXED);
		send_initiation(s, p, now, false);
		break;
	case DP_EV_CONFIRM:
		/* Only a keypair still in a slot may be looked at: a retired one may be gone. */
		if (p->kps.next && ev->keypair == dp_keypair_of(p->kps.next) &&
		    wg_keypairs_confirm(&p->kps, p->kps.next, &retired)) {
			dp_peer_publish_send_kp(p);
			if (retired)
				dp_keypair_retire(dp, dp_keypair_of(retired));
			send_staged(s, p, now);
		}
		break;
	case DP_EV_ROAM:
		__atomic_store_n(&p->roam_posted, 0, __ATOMIC_RELAXED);
		dp_peer_set_endpoint(p, &ev->ep);
		break;
	}
}

static void zero_keys(struct dp_ctx *dp, struct dp_peer *p)
{
	dp_peer_clear_keypairs(dp, p);
	wg_handshake_clear(&p->hs);
	dp_peer_drop_hs_index(dp, p);
	log_peer(p, RTE_LOG_DEBUG, "keys zeroed after 3 x REJECT_AFTER_TIME without a session");
}

/* Workers leave timestamps; the timers want events. Feed what changed, then fire. */
static void peer_timers(struct dp_sink *s, struct dp_peer *p, uint64_t now)
{
	uint64_t rx = __atomic_load_n(&p->last_rx_ns, __ATOMIC_RELAXED);
	uint64_t rxd = __atomic_load_n(&p->last_rx_data_ns, __ATOMIC_RELAXED);
	uint64_t tx = __atomic_load_n(&p->last_tx_ns, __ATOMIC_RELAXED);
	uint64_t txd = __atomic_load_n(&p->last_tx_data_ns, __ATOMIC_RELAXED);
	unsigned int act;

	if (rxd != p->seen_rx_data_ns) {
		p->seen_rx_data_ns = rxd;
		wg_timers_on_data_received(&p->timers, rxd);
	}
	if (rx != p->seen_rx_ns) {
		p->seen_rx_ns = rx;
		wg_timers_on_any_authenticated_received(&p->timers, rx);
		wg_timers_on_any_authenticated_traversal(&p->timers, rx);
	}
	if (txd != p->seen_tx_data_ns) {
		p->seen_tx_data_ns = txd;
		wg_timers_on_data_sent(&p->timers, txd,
				       wgc_random_u32() % WG_REKEY_TIMEOUT_JITTER_MAX);
	}
	if (tx != p->seen_tx_ns) {
		p->seen_tx_ns = tx;
		wg_timers_on_any_authenticated_sent(&p->timers, tx);
		wg_timers_on_any_authenticated_traversal(&p->timers, tx);
	}
	if (now < wg_timers_next_deadline(&p->timers))
		return;
	act = wg_timers_poll(&p->timers, now);
	if (act & WG_TIMER_ZERO_KEYS)
		zero_keys(s->dp, p);
	if (act & WG_TIMER_GIVE_UP) {
		drop_staged(s->dp, p);
		log_peer(p, RTE_LOG_INFO, "handshake did not complete after 90 seconds, giving up");
	}
	if (act & WG_TIMER_SEND_INITIATION) {
		p->last_initiation_sent = 0; /* the timer itself paces retries */
		send_initiation(s, p, now, true);
	}
	if (act & WG_TIMER_SEND_KEEPALIVE)
		send_keepalive(s, p, now);
}

static void timers_visit(struct dp_sink *s, struct dp_peer *p, uint64_t now)
{
	peer_timers(s, p, now);
	timers_armed(s->dp, p, now);
}

/*
 * Ten-millisecond ticks: the soon list, then a slice of the sweep. A full scan every tick
 * would read every peer 100 times a second: 100,000 idle peers cost the control lcore more
 * than half its time. The timestamps the workers leave only start timers of seconds
 * (keepalive 10 s, new handshake 15 s, persistent keepalive), so a sweep a second is soon
 * enough to notice them; what the control lcore itself arms goes on the soon list at once.
 */
static void timers_tick(struct dp_sink *s, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	uint32_t slice = dp->n_peers / (uint32_t)(SWEEP_NS / TIMER_SCAN_NS) + 1;

	for (uint32_t i = 0; i < dp->n_soon;) {
		struct dp_peer *p = dp->soon[i] < dp->n_peers ? dp->peers[dp->soon[i]] : NULL;

		if (p)
			peer_timers(s, p, now);
		if (p && wg_timers_next_deadline(&p->timers) < now + SWEEP_NS) {
			i++;
			continue;
		}
		if (p)
			p->timer_soon = false;
		dp->soon[i] = dp->soon[--dp->n_soon];
	}
	for (uint32_t k = 0; k < slice && dp->n_peers; k++) {
		struct dp_peer *p;

		if (dp->sweep_cursor >= dp->n_peers)
			dp->sweep_cursor = 0;
		p = dp->peers[dp->sweep_cursor++];
		if (p && !p->timer_soon)
			timers_visit(s, p, now);
	}
}

static unsigned int drain_local(struct dp_sink *s, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	struct rte_mbuf *pkts[DP_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst(dp->local_ring, (void **)pkts, DP_BURST, NULL);

	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_mbuf_meta *meta = dp_meta(m);
		struct dp_tx_list out = { .n = 0 };
		int port = meta->kind == DP_META_RESOLVE ? meta->out_port : port_index(dp, m->port);

		if (port < 0) {
			rte_pktmbuf_free(m);
			continue;
		}
		if (meta->kind == DP_META_RESOLVE)
			dp_neigh_resolve(dp->neigh, &dp->ports[port].iface, &meta->nh, m, now,
					 &out);
		else if (dp_local_input(dp->neigh, &dp->ports[port].iface, m, now, &out) ==
			 DP_LOCAL_REPLY)
			dp_sink_add(s, (uint16_t)port, m);
		dp_sink_list(s, &out);
	}
	return n;
}

static unsigned int drain_stage(struct dp_sink *s, uint64_t now)
{
	struct rte_mbuf *pkts[DP_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst(s->dp->stage_ring, (void **)pkts, DP_BURST,
						   NULL);

	for (unsigned int i = 0; i < n; i++)
		stage(s, pkts[i], now);
	return n;
}

static unsigned int drain_events(struct dp_sink *s, uint64_t now)
{
	struct dp_event ev[DP_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst_elem(s->dp->event_ring, ev, sizeof(ev[0]),
							DP_BURST, NULL);

	for (unsigned int i = 0; i < n; i++)
		handle_event(s, &ev[i], now);
	return n;
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
 * data plane, while cookie replies (a few us) still go out by the hundred.
 */
static unsigned int drain_handshakes(struct dp_sink *s, uint64_t now)
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

static void housekeeping(struct dp_sink *s, uint64_t now)
{
	struct dp_tx_list out = { .n = 0 };

	wg_ratelimiter_gc(s->dp->ratelimiter, now);
	dp_gate_publish(s->dp, now);
	dp_neigh_tick(s->dp->neigh, now, &out);
	dp_sink_list(s, &out);
}

unsigned int dp_control_poll(struct dp_ctx *dp)
{
	struct dp_sink s;
	uint64_t now = wg_clock_mono_ns();
	unsigned int work = 0;

	s.dp = dp;
	s.worker = NULL;
	s.drops = dp->ctl_drops;
	for (unsigned int i = 0; i < dp->n_ports; i++)
		s.tx[i].n = 0;
	work += dp_reconf_poll(dp);
	work += drain_local(&s, now);
	work += drain_events(&s, now);
	work += drain_handshakes(&s, now);
	work += drain_stage(&s, now);
	if (now >= dp->next_timer_scan) {
		dp->next_timer_scan = now + TIMER_SCAN_NS;
		timers_tick(&s, now);
	}
	if (now >= dp->next_housekeeping) {
		dp->next_housekeeping = now + HOUSEKEEPING_NS;
		housekeeping(&s, now);
	}
	dp_reclaim(dp);
	dp_sink_flush(&s);
	if (!work && !dp->control_is_worker)
		make_ephemeral(dp);
	return work;
}

void dp_shared_lcore_poll(struct dp_ctx *dp, struct dp_worker *w)
{
	unsigned int work = 0, n;

	for (unsigned int i = 0; i < WORKER_PASSES; i++) {
		n = dp_worker_poll(dp, w);
		work += n;
		if (n < DP_BURST * w->n_rx / 2)
			break;
	}
	if (!dp_control_poll(dp) && !work)
		make_ephemeral(dp);
}
