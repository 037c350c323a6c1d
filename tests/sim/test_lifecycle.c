/* SPDX-License-Identifier: MIT */
/*
 * A peer's lifecycle through the real data plane, on a driven clock: each test asserts what
 * the whitepaper (section 6) and the Linux kernel's drivers/net/wireguard (send.c, receive.c,
 * timers.c) say must happen, and when. Tolerances are the protocol's own: the timers' jitter
 * (0..333 ms), the control lcore's 10 ms tick, its one-second sweep where it applies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_ip.h>

#include "dp/control.h"
#include "dp/tenant.h"
#include "crypto/x25519.h"
#include "crypto/ct.h"
#include "dp/gate.h"
#include "dp/hs_engine.h"
#include "sim.h"
#include "unit.h"
#include "wg/index.h"

#define JITTER (WG_REKEY_TIMEOUT_JITTER_MAX + SIM_TICK) /* a retry's window past 5 s */
/* An answer comes a round trip after what it answers: with one peer the control lcore reads
 * its timestamps every tick, so the two are seen as separate events, in their order. */
#define RTT (100 * SIM_MS)

/* The test's data plane; a fatal assertion leaves it open, so the next test closes it. */
static struct sim *current;

static struct sim *open_sim(unsigned int n_peers, bool endpoints, uint16_t keepalive)
{
	struct sim_opts o = { .n_peers = n_peers, .endpoints = endpoints, .keepalive = keepalive };

	sim_close(current);
	current = sim_open(&o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(current);
	return current;
}

static void close_sim(struct sim *s)
{
	sim_close(s);
	current = NULL;
}

static uint64_t now(void)
{
	return wg_clock_mono_ns();
}

/* The peer speaks first (wgdp responds), the host answers: a confirmed session both ways. */
static void session_by_peer(struct sim *s, struct sim_peer *p)
{
	model_peer_send(p, now());
	sim_settle(s);
	sim_run(s, RTT);
	model_host_send(s, p->id);
	sim_settle(s);
	CU_ASSERT_EQUAL_FATAL(s->host.rx[p->id], p->tx_seq);
	CU_ASSERT_EQUAL_FATAL(p->rx_inner, s->host.tx_seq[p->id]);
}

/* Whatever is not staged went back to the pool: nothing leaked, nothing held elsewhere. */
static void assert_pool(struct sim *s)
{
	CU_ASSERT_EQUAL(sim_pool_in_use(s), s->pool_start + sim_staged(s));
}

/* Both directions: every inner packet arrived exactly once. */
static void assert_no_loss(struct sim *s, struct sim_peer *p)
{
	CU_ASSERT_EQUAL(p->rx_inner, s->host.tx_seq[p->id]);
	CU_ASSERT_EQUAL(s->host.rx[p->id], p->tx_seq);
	CU_ASSERT_EQUAL(p->rx_dup, 0);
	CU_ASSERT_EQUAL(s->host.dup[p->id], 0);
}

static uint64_t staged_drops(struct sim *s)
{
	return s->dp->ctl_stats.staged_dropped + sim_drops(s, DP_DROP_NO_ENDPOINT);
}

/*
 * 1. Idle three minutes, then inside traffic with the endpoint known: the session expired
 * (REJECT_AFTER_TIME), so the packet must start a handshake at once (kernel
 * wg_packet_send_staged_packets: no valid keypair → initiation), not wait for a timer.
 */
static void test_idle_then_traffic(void)
{
	struct sim *s = open_sim(1, true, 0);
	struct sim_peer *p = &s->peers[0];
	uint64_t inits;

	sim_run(s, SIM_S);
	model_host_send(s, 0); /* a fresh peer: the endpoint from the config */
	sim_settle(s);
	CU_ASSERT_EQUAL(p->wire.initiations, 1);
	CU_ASSERT_EQUAL(p->rx_inner, 1);
	sim_run(s, RTT);
	model_peer_send(p, now());
	sim_settle(s);
	sim_run(s, 180 * SIM_S);
	inits = p->wire.initiations;
	model_host_send(s, 0);
	sim_step(s);
	CU_ASSERT_EQUAL(p->wire.initiations, inits + 1);
	CU_ASSERT_EQUAL(p->rx_inner, 2);
	sim_run(s, SIM_S);
	assert_no_loss(s, p);
	assert_pool(s);
	close_sim(s);
}

/*
 * 2. No endpoint known: nobody to send an initiation to, so the packet is dropped at once and
 * counted (kernel: wg_packet_send_staged_packets purges when the initiation cannot go out);
 * nothing is held for a handshake that cannot start.
 */
static void test_no_endpoint(void)
{
	struct sim *s = open_sim(1, false, 0);
	struct sim_peer *p = &s->peers[0];
	uint64_t drops;

	sim_run(s, SIM_S);
	drops = staged_drops(s);
	model_host_send(s, 0);
	sim_step(s);
	CU_ASSERT_EQUAL(sim_staged(s), 0);
	CU_ASSERT_EQUAL(sim_pool_in_use(s), s->pool_start);
	CU_ASSERT_EQUAL(staged_drops(s), drops + 1);
	CU_ASSERT_EQUAL(p->wire.initiations, 0);
	/* The peer comes: its endpoint is learnt and traffic flows both ways. */
	model_peer_send(p, now());
	sim_settle(s);
	model_host_send(s, 0);
	sim_settle(s);
	CU_ASSERT_EQUAL(s->host.rx[0], 1);
	CU_ASSERT_EQUAL(p->rx_inner, 1);
	close_sim(s);
}

/*
 * 2b. Inside traffic towards peers that never answer fills the global stage limit (1/8 of the
 * pool); the pool stays whole, the refusals are counted, and a live peer without a session
 * still gets its handshake at once from its first (refused) packet.
 */
static void test_stage_limit(void)
{
	struct sim *s = open_sim(2, true, 0);
	unsigned int dead = s->dp->stage_limit / DP_STAGE_PER_PEER + 2;
	struct sim_peer *live;

	close_sim(s);
	s = open_sim(dead + 1, true, 0);
	live = &s->peers[dead];
	sim_run(s, SIM_S);
	for (unsigned int i = 0; i < dead; i++) {
		s->peers[i].online = false;
		for (unsigned int k = 0; k < DP_STAGE_PER_PEER; k++) {
			model_host_send(s, i);
			if (k % 16 == 15)
				sim_step(s);
		}
		sim_step(s);
	}
	CU_ASSERT_EQUAL(sim_staged(s), s->dp->stage_limit);
	CU_ASSERT(s->dp->ctl_stats.staged_over_limit > 0);
	assert_pool(s);
	model_host_send(s, dead);
	sim_settle(s);
	CU_ASSERT_EQUAL(live->wire.initiations, 1);
	CU_ASSERT_TRUE(model_peer_has_session(live));
	sim_run(s, RTT);
	model_host_send(s, dead);
	sim_settle(s);
	CU_ASSERT_EQUAL(live->rx_inner, 1); /* the first was refused by the limit */
	CU_ASSERT(sim_staged(s) <= s->dp->stage_limit);
	assert_pool(s);
	close_sim(s);
}

/* Both ends send one inner packet every `every` until sim time `until`. */
static void two_way(struct sim *s, struct sim_peer *p, uint64_t every, uint64_t until)
{
	uint64_t next = sim_now(s);

	while (sim_now(s) < until) {
		if (sim_now(s) >= next) {
			model_host_send(s, p->id);
			model_peer_send(p, now());
			next += every;
		}
		sim_step(s);
	}
}

/*
 * 3a. wgdp initiates, then rekeys REKEY_AFTER_TIME later on its next send (whitepaper 6.2),
 * under continuous two-way traffic, without losing an inner packet.
 */
static void test_rekey_wgdp_initiator(void)
{
	struct sim *s = open_sim(1, true, 0);
	struct sim_peer *p = &s->peers[0];
	uint64_t gap;

	sim_run(s, SIM_S);
	model_host_send(s, 0); /* wgdp speaks first: it is the initiator */
	sim_settle(s);
	sim_run(s, RTT);
	two_way(s, p, 50 * SIM_MS, 300 * SIM_S);
	sim_run(s, SIM_S);
	CU_ASSERT_EQUAL(p->wire.initiations, 3);
	gap = p->wire.init_at[1] - p->wire.init_at[0];
	CU_ASSERT(gap >= WG_REKEY_AFTER_TIME && gap <= WG_REKEY_AFTER_TIME + 100 * SIM_MS);
	CU_ASSERT_EQUAL(p->initiations_sent, 0);
	CU_ASSERT_EQUAL(p->handshakes, 3);
	assert_no_loss(s, p);
	assert_pool(s);
	close_sim(s);
}

/* 3b. The peer initiates and rekeys; wgdp, the responder, never rekeys on age. */
static void test_rekey_wgdp_responder(void)
{
	struct sim *s = open_sim(1, false, 0);
	struct sim_peer *p = &s->peers[0];

	sim_run(s, SIM_S);
	model_peer_send(p, now());
	sim_settle(s);
	two_way(s, p, 50 * SIM_MS, 300 * SIM_S);
	sim_run(s, SIM_S);
	CU_ASSERT_EQUAL(p->initiations_sent, 3);
	CU_ASSERT_EQUAL(p->wire.initiations, 0);
	CU_ASSERT_EQUAL(p->wire.responses, 3);
	CU_ASSERT_EQUAL(s->dp->ctl_stats.handshakes_completed, 3);
	assert_no_loss(s, p);
	assert_pool(s);
	close_sim(s);
}

/*
 * 4. Both ends initiate at once. wgdp's initiation is overtaken: the peer's arrives after it
 * and replaces wgdp's handshake state (one per peer, as in the kernel), so the peer's response
 * to wgdp's initiation finds no handshake. The session wgdp answered is confirmed by the
 * peer's data, and that confirmation completes the handshake for the timers (kernel receive.c
 * wg_timers_handshake_complete): no retransmission 5 s later.
 */
static void test_simultaneous(void)
{
	struct sim *s = open_sim(1, true, 0);
	struct sim_peer *p = &s->peers[0];

	sim_run(s, SIM_S);
	s->hold_from_peers = true;
	model_peer_send(p, now()); /* the peer's initiation, in flight */
	s->hold_from_peers = false;
	s->hold_to_peers = true;
	model_host_send(s, 0); /* wgdp's initiation, in flight the other way */
	sim_settle(s);
	CU_ASSERT_EQUAL_FATAL(p->wire.initiations, 1);
	sim_release_from_peers(s); /* wgdp answers the peer */
	CU_ASSERT_EQUAL(p->wire.responses, 1);
	s->hold_to_peers = false;
	sim_release_to_peers(s, true); /* the response overtakes wgdp's initiation */
	sim_run(s, 20 * SIM_S);
	CU_ASSERT_EQUAL(p->wire.initiations, 1);
	CU_ASSERT_EQUAL(p->initiations_sent, 1);
	CU_ASSERT_EQUAL(p->rx_inner, 1);
	CU_ASSERT_EQUAL(s->host.rx[0], 1);
	assert_pool(s);
	close_sim(s);
}

/*
 * 5. A peer that vanished: retries every REKEY_TIMEOUT + jitter, 1 + 19 initiations (kernel
 * MAX_TIMER_HANDSHAKES = 18: give up when the attempts exceed it), then nothing more. The
 * staged packets are freed and counted: by the project's rule no later than
 * REKEY_ATTEMPT_TIME after they were staged (the kernel keeps them until its give-up, ~103 s;
 * a sweep's second of tolerance), and by the give-up at the latest.
 */
static void test_vanished(void)
{
	struct sim *s = open_sim(1, true, 0);
	struct sim_peer *p = &s->peers[0];
	uint64_t drops, last, t_staged;

	p->online = false;
	sim_run(s, SIM_S);
	drops = s->dp->ctl_stats.staged_dropped + s->dp->ctl_stats.staged_expired;
	t_staged = sim_now(s);
	for (int i = 0; i < 3; i++)
		model_host_send(s, 0);
	sim_step(s);
	CU_ASSERT_EQUAL(p->wire.initiations, 1);
	CU_ASSERT_EQUAL(sim_staged(s), 3);
	sim_run_until(s, t_staged + WG_REKEY_ATTEMPT_TIME + SIM_S + SIM_TICK);
	CU_ASSERT_EQUAL(sim_staged(s), 0);
	CU_ASSERT_EQUAL(sim_pool_in_use(s), s->pool_start);
	CU_ASSERT_EQUAL(s->dp->ctl_stats.staged_dropped + s->dp->ctl_stats.staged_expired,
			drops + 3);
	while (p->wire.initiations < 20 && sim_now(s) < 130 * SIM_S)
		sim_step(s);
	CU_ASSERT_EQUAL_FATAL(p->wire.initiations, 20);
	for (unsigned int i = 1; i < 20; i++) {
		uint64_t gap = p->wire.init_at[i] - p->wire.init_at[i - 1];

		CU_ASSERT(gap >= WG_REKEY_TIMEOUT && gap <= WG_REKEY_TIMEOUT + JITTER);
	}
	last = p->wire.init_at[19];
	/* The 20th retransmission timer gives up instead of sending (100-107 s after the
	 * first); the peer's timers are disarmed (lib/dp/peer.h). */
	sim_run_until(s, last + WG_REKEY_TIMEOUT + JITTER);
	CU_ASSERT_EQUAL(s->dp->peers[0]->timers.retransmit_handshake_at, 0);
	CU_ASSERT(sim_now(s) - p->wire.init_at[0] <= 107 * SIM_S);
	sim_run(s, 60 * SIM_S);
	CU_ASSERT_EQUAL(p->wire.initiations, 20);
	CU_ASSERT_EQUAL(sim_pool_in_use(s), s->pool_start);
	close_sim(s);
}

/* 6. No new session for 3 x REJECT_AFTER_TIME: every key wiped, every index gone (6.3). */
static void test_zero_keys(void)
{
	struct sim *s = open_sim(1, false, 0);
	struct sim_peer *p = &s->peers[0];
	struct dp_peer *dpp;
	uint32_t index;
	uint64_t t_hs;

	sim_run(s, SIM_S);
	t_hs = sim_now(s);
	session_by_peer(s, p);
	dpp = s->dp->peers[0];
	sim_run_until(s, t_hs + WG_ZERO_KEYS_AFTER - SIM_S);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dpp->kps.current);
	CU_ASSERT(wg_index_count(s->dp->indexes) > 0);
	index = dpp->kps.current->local_index;
	CU_ASSERT(rte_hash_lookup(s->dp->index_hash, &index) >= 0);
	CU_ASSERT(s->dp->n_keypairs > 0);
	sim_run_until(s, t_hs + WG_ZERO_KEYS_AFTER + SIM_S);
	CU_ASSERT_PTR_NULL(dpp->kps.current);
	CU_ASSERT_PTR_NULL(dpp->kps.previous);
	CU_ASSERT_PTR_NULL(dpp->kps.next);
	CU_ASSERT_PTR_NULL(dpp->send_kp);
	CU_ASSERT_EQUAL(wg_index_count(s->dp->indexes), 0);
	/* The workers' table frees key slots after an RCU grace period: look the index up. */
	CU_ASSERT(rte_hash_lookup(s->dp->index_hash, &index) < 0);
	/* What `stats` reports as resources.keypairs: live ones, not slots awaiting RCU. */
	CU_ASSERT_EQUAL(s->dp->n_keypairs, 0);
	assert_pool(s);
	close_sim(s);
}

/*
 * 7. persistent_keepalive in the config, an endpoint, no traffic: the kernel sends a
 * keepalive when the interval is set (netlink set_peer), which without a session is an
 * initiation; then a keepalive every 25 s.
 */
static void test_persistent_keepalive(void)
{
	struct sim *s = open_sim(1, true, 25);
	struct sim_peer *p = &s->peers[0];
	uint64_t ka;

	sim_run(s, SIM_S);
	CU_ASSERT_EQUAL(p->wire.initiations, 1);
	CU_ASSERT_EQUAL(p->handshakes, 1);
	ka = p->wire.keepalives;
	sim_run(s, 120 * SIM_S);
	CU_ASSERT_EQUAL(p->wire.keepalives, ka + 4);
	close_sim(s);
}

/*
 * 8. Roaming during a rekey: the peer's initiation and the response use the old mapping, its
 * first data under the new session arrives from a new port. wgdp follows the authenticated
 * source (whitepaper 2.1) and loses nothing.
 */
static void test_roaming_rekey(void)
{
	struct sim *s = open_sim(1, false, 0);
	struct sim_peer *p = &s->peers[0];
	struct wgdp_endpoint ep;
	uint64_t wrong;

	sim_run(s, SIM_S);
	model_peer_send(p, now());
	sim_settle(s);
	two_way(s, p, 100 * SIM_MS, 119 * SIM_S);
	sim_run(s, 2 * SIM_S);
	CU_ASSERT_EQUAL_FATAL(p->initiations_sent, 1);
	s->hold_from_peers = true;
	model_peer_send(p, now()); /* old session, then the rekey initiation */
	CU_ASSERT_EQUAL_FATAL(p->initiations_sent, 2);
	sim_release_from_peers(s); /* wgdp answers on the old mapping; the peer's data is held */
	CU_ASSERT_EQUAL(p->handshakes, 2);
	sim_nat_rebind(s, p, (uint16_t)(p->port + 1000));
	s->hold_from_peers = false;
	sim_release_from_peers(s);
	wrong = p->rx_wrong_port;
	two_way(s, p, 100 * SIM_MS, sim_now(s) + 10 * SIM_S);
	sim_run(s, SIM_S);
	CU_ASSERT_EQUAL(p->rx_wrong_port, wrong);
	CU_ASSERT_TRUE(dp_peer_endpoint(s->dp->peers[0], &ep));
	CU_ASSERT_EQUAL(ep.port, p->port);
	assert_no_loss(s, p);
	close_sim(s);
}

/*
 * 9a. The peer under load answers wgdp's initiation with a cookie reply: wgdp takes the
 * cookie, and its retry carries a mac2 the peer verifies (whitepaper 5.4.7).
 */
static void test_cookie_initiation(void)
{
	struct sim *s = open_sim(1, true, 0);
	struct sim_peer *p = &s->peers[0];

	p->loaded = true;
	sim_run(s, SIM_S);
	model_host_send(s, 0);
	sim_settle(s);
	CU_ASSERT_EQUAL(p->cookies_sent, 1);
	CU_ASSERT_EQUAL(s->dp->engines[0].stats.cookies_received, 1);
	sim_run(s, WG_REKEY_TIMEOUT + JITTER);
	CU_ASSERT_EQUAL(p->wire.initiations, 2);
	CU_ASSERT_TRUE(p->wire.last_init_mac2);
	CU_ASSERT_EQUAL(p->mac2_valid_seen, 1);
	CU_ASSERT_EQUAL(p->rx_inner, 1);
	close_sim(s);
}

/*
 * 9b. The peer under load answers wgdp's response: the reply's receiver is the index wgdp put
 * in its response, which by then names the new keypair (kernel cookie.c looks it up among
 * handshakes and keypairs). wgdp must take that cookie too, and its next handshake message
 * carries a mac2 the peer verifies.
 */
static void test_cookie_response(void)
{
	struct sim *s = open_sim(1, false, 0);
	struct sim_peer *p = &s->peers[0];

	sim_run(s, SIM_S);
	p->loaded = true;
	model_peer_send(p, now());
	sim_settle(s);
	CU_ASSERT_EQUAL(p->wire.responses, 1);
	CU_ASSERT_EQUAL(p->cookies_sent, 1);
	CU_ASSERT_EQUAL(s->dp->engines[0].stats.cookies_received, 1);
	/* The next handshake message from wgdp carries the cookie: the response to the peer's
	 * retry 5 s on, or an initiation for inside traffic, whichever comes first. */
	sim_run(s, WG_REKEY_TIMEOUT + SIM_S);
	model_host_send(s, 0);
	sim_settle(s);
	CU_ASSERT_EQUAL(p->mac2_valid_seen, 1);
	CU_ASSERT_EQUAL(p->cookies_sent, 1);
	CU_ASSERT_EQUAL(p->rx_inner, 1);
	close_sim(s);
}

/*
 * 10. REKEY_AFTER_MESSAGES. No test sends 2^60 packets: the send counter of wgdp's published
 * keypair is set just below the limit by hand (struct dp_keypair, lib/dp/peer.h; safe here as
 * the one lcore is between passes). The packet that takes it past the limit asks for a
 * handshake (whitepaper 6.2; kernel send.c keep_key_fresh), even as the responder.
 */
static void test_rekey_after_messages(void)
{
	struct sim *s = open_sim(1, false, 0);
	struct sim_peer *p = &s->peers[0];
	struct dp_keypair *kp;

	sim_run(s, SIM_S);
	session_by_peer(s, p);
	/* Past REKEY_TIMEOUT: the response wgdp sent counts as a handshake sent (kernel). */
	sim_run(s, WG_REKEY_TIMEOUT + SIM_S);
	kp = s->dp->peers[0]->send_kp;
	CU_ASSERT_PTR_NOT_NULL_FATAL(kp);
	__atomic_store_n(&kp->kp.send_counter, WG_REKEY_AFTER_MESSAGES - 1, __ATOMIC_RELAXED);
	model_host_send(s, 0); /* counter 2^60 - 1: the next to send is 2^60, not past it */
	sim_settle(s);
	CU_ASSERT_EQUAL(p->wire.initiations, 0);
	model_host_send(s, 0); /* counter 2^60: now more than REKEY_AFTER_MESSAGES were sent */
	sim_settle(s);
	CU_ASSERT_EQUAL(p->wire.initiations, 1);
	CU_ASSERT_EQUAL(p->handshakes, 2);
	CU_ASSERT_EQUAL(p->rx_inner, 3);
	close_sim(s);
}

/*
 * 11. Sending a handshake response counts as sending a handshake (kernel
 * wg_packet_send_handshake_response sets last_sent_handshake): inside traffic staged within
 * REKEY_TIMEOUT of the response must wait for the confirmation, not start an initiation.
 */
static void test_response_counts(void)
{
	struct sim *s = open_sim(1, true, 0);
	struct sim_peer *p = &s->peers[0];

	sim_run(s, SIM_S);
	s->hold_to_peers = true;
	model_peer_initiate(p, now(), false);
	sim_settle(s);
	CU_ASSERT_EQUAL_FATAL(p->wire.responses, 1);
	model_host_send(s, 0);
	sim_settle(s);
	CU_ASSERT_EQUAL(p->wire.initiations, 0);
	s->hold_to_peers = false;
	sim_release_to_peers(s, false);
	CU_ASSERT_EQUAL(p->rx_inner, 1);
	sim_run(s, WG_REKEY_TIMEOUT);
	CU_ASSERT_EQUAL(p->wire.initiations, 0);
	assert_pool(s);
	close_sim(s);
}

/*
 * 12. The responder does not send a keepalive on confirmation when nothing is queued (kernel
 * receive.c only sends what was staged): the peer's first packet from wgdp is data, counter 0.
 */
static void test_no_keepalive_on_confirm(void)
{
	struct sim *s = open_sim(1, false, 0);
	struct sim_peer *p = &s->peers[0];

	sim_run(s, SIM_S);
	model_peer_send(p, now());
	sim_settle(s);
	sim_run(s, 100 * SIM_MS);
	model_host_send(s, 0);
	sim_settle(s);
	CU_ASSERT_TRUE(p->newest_seen);
	CU_ASSERT_EQUAL(p->first_counter, 0);
	CU_ASSERT_FALSE(p->first_was_keepalive);
	CU_ASSERT_EQUAL(p->rx_keepalives, 0);
	CU_ASSERT_EQUAL(p->rx_inner, 1);
	close_sim(s);
}

/*
 * 13. The initiator's late rekey on receive (REJECT - KEEPALIVE - REKEY_TIMEOUT = 165 s) is
 * acted on once a session (whitepaper 6.2 "and it has not yet acted upon this event"): after
 * it, retries come from the retransmit timer alone and give up after 1 + 19 initiations.
 * Asked afresh on every packet, each request would restart the attempt count.
 */
static void test_lastminute_once(void)
{
	struct sim *s = open_sim(1, true, 0);
	struct sim_peer *p = &s->peers[0];
	uint64_t t_hs, late;

	sim_run(s, SIM_S);
	t_hs = sim_now(s);
	model_host_send(s, 0);
	sim_settle(s);
	CU_ASSERT_EQUAL_FATAL(p->wire.initiations, 1);
	sim_run(s, 500 * SIM_MS);
	model_peer_send(p, now());
	sim_settle(s);
	late = t_hs + WG_REJECT_AFTER_TIME - WG_KEEPALIVE_TIMEOUT - WG_REKEY_TIMEOUT;
	sim_run_until(s, late);
	CU_ASSERT_EQUAL(p->wire.initiations, 1);
	p->ignore_initiations = true; /* its data reaches wgdp; wgdp's handshakes do not reach it */
	while (sim_now(s) < t_hs + WG_REJECT_AFTER_TIME - SIM_S) {
		model_peer_send(p, now());
		sim_run(s, 100 * SIM_MS);
	}
	p->online = false;
	sim_run_until(s, t_hs + 300 * SIM_S);
	CU_ASSERT_EQUAL(p->wire.initiations, 1 + 20);
	CU_ASSERT(p->wire.init_at[1] >= late && p->wire.init_at[1] <= late + 100 * SIM_MS);
	for (unsigned int i = 2; i < 21 && i < p->wire.initiations; i++) {
		uint64_t gap = p->wire.init_at[i] - p->wire.init_at[i - 1];

		CU_ASSERT(gap >= WG_REKEY_TIMEOUT && gap <= WG_REKEY_TIMEOUT + JITTER);
	}
	close_sim(s);
}

/*
 * 14. Timer events in time order. wgdp sends data at t+0.2 s and the peer answers at t+0.5 s,
 * and the control lcore reads both timestamps in one sweep. Applied in time order, the answer
 * cancels the new-handshake timer the data armed, and the data received owes the peer a
 * passive keepalive at t+10.5 s (kernel timers.c). With 200 peers a sweep visits a peer every
 * 0.67 s; the test waits for the visit of peer 0 (dp->sweep_cursor, dp.h) so that both
 * events fall before the next one.
 */
static void test_timer_order(void)
{
	struct sim *s = open_sim(200, false, 0);
	struct sim_peer *p = &s->peers[0];
	uint32_t slice = s->dp->n_peers / 100 + 1;
	uint64_t t, inits, ka;

	sim_run(s, SIM_S);
	session_by_peer(s, p);
	sim_run(s, 30 * SIM_S);
	CU_ASSERT_FALSE_FATAL(s->dp->peers[0]->timer_soon);
	while (s->dp->sweep_cursor != slice)
		sim_step(s);
	t = sim_now(s);
	inits = p->wire.initiations;
	ka = p->wire.keepalives;
	sim_run_until(s, t + 200 * SIM_MS);
	model_host_send(s, 0);
	sim_settle(s);
	sim_run_until(s, t + 500 * SIM_MS);
	model_peer_send(p, now());
	sim_settle(s);
	sim_run_until(s, t + 10 * SIM_S);
	CU_ASSERT_EQUAL(p->wire.keepalives, ka);
	sim_run_until(s, t + 11500 * SIM_MS);
	CU_ASSERT_EQUAL(p->wire.keepalives, ka + 1);
	sim_run_until(s, t + 25 * SIM_S);
	CU_ASSERT_EQUAL(p->wire.initiations, inits);
	CU_ASSERT_EQUAL(p->initiations_sent, 1);
	close_sim(s);
}

/*
 * 15. Under load ends a second after the flood does. With one lcore the gate answers every
 * initiation without mac2 while under load; if each such cookie reply counted as a sign of
 * load, a trickle of legitimate first initiations (a few a second) would keep wgdp under load
 * for good (found by perf/soak.sh). Only a flood's rate of them may prolong it.
 */
static void test_load_ends(void)
{
	struct sim *s = open_sim(10, false, 0);
	uint64_t cookies = 0, responses = 0;

	sim_run(s, SIM_S);
	dp_gate_note_load(&s->dp->engines[0],
			  now()); /* a flood just ended: its queue is empty again */
	CU_ASSERT_TRUE(dp_gate_under_load(&s->dp->engines[0], now()));
	for (unsigned int i = 0; i < 10; i++) {
		model_peer_initiate(&s->peers[i], now(), false);
		sim_settle(s);
		sim_run(s, 400 * SIM_MS);
	}
	CU_ASSERT_FALSE(dp_gate_under_load(&s->dp->engines[0], now()));
	for (unsigned int i = 0; i < 10; i++) {
		cookies += s->peers[i].wire.cookies;
		responses += s->peers[i].wire.responses;
	}
	/* The first second's peers got cookies; the later ones plain responses. */
	CU_ASSERT(cookies >= 1 && cookies <= 4);
	CU_ASSERT(responses >= 6);
	close_sim(s);
}

/*
 * 16. An IPv4 fragment from the inside is forwarded like a whole packet (the inner datagram is
 * the peer's to reassemble, as with the kernel's wg0): the first fragment of a datagram, MF
 * set, reaches the peer. The worker's frame parser used to refuse every fragment as truncated.
 */
static void test_inside_fragment(void)
{
	static const uint8_t host[4] = { 10, 0, 0, 2 };
	struct sim *s = open_sim(1, true, 0);
	struct sim_peer *p = &s->peers[0];
	uint8_t pkt[64], dst[4];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pkt;
	uint16_t len;

	model_host_send(s, 0);
	sim_settle(s);
	CU_ASSERT_EQUAL_FATAL(p->rx_inner, 1);
	sim_inner_ip(0, dst);
	len = sim_inner_packet(pkt, host, dst, 0, s->host.tx_seq[0]++);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	sim_send_inside(s, pkt, len);
	sim_settle(s);
	CU_ASSERT_EQUAL(p->rx_inner, 2);
	CU_ASSERT_EQUAL(s->dp->workers[0].stats.drops[DP_DROP_TRUNCATED], 0);
	assert_pool(s);
	close_sim(s);
}

/* A sim whose handshakes run on two engines (hs_engine.h). */
static struct sim *open_engines_sim(unsigned int n_peers)
{
	struct sim_opts o = { .n_peers = n_peers, .n_engines = 2 };

	sim_close(current);
	current = sim_open(&o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(current);
	return current;
}

static unsigned int engine_of_ip(const struct sim *s, const uint8_t ip[4])
{
	return (unsigned int)(dp_hs_engine_of(s->dp, WG_MSG_INITIATION, 4, ip) - s->dp->engines);
}

/*
 * 17. Two engines: forty peers' initiations spread over both by source; each engine answers
 * its own, the control lcore installs every session, and data flows for all of them. The
 * index table holds the sessions and engine 1's reserved pool, nothing more.
 */
static void test_engines_spread(void)
{
	struct sim *s = open_engines_sim(40);
	struct dp_ctx *dp = s->dp;
	unsigned int on[2] = { 0 };

	for (unsigned int i = 0; i < 40; i++) {
		on[engine_of_ip(s, s->peers[i].ip)]++;
		model_peer_initiate(&s->peers[i], now(), false);
	}
	sim_settle(s);
	CU_ASSERT(on[0] > 0 && on[1] > 0);
	/* Engine 0 shares its lcore here and takes a few a pass: engine 1 took over the rest of
	 * its queue, and nothing from engine 0 took engine 1's. */
	CU_ASSERT_EQUAL(dp->engines[0].stats.initiations_received +
				dp->engines[1].stats.initiations_received,
			40);
	CU_ASSERT_EQUAL(dp->engines[0].stats.taken_over, 0);
	CU_ASSERT_EQUAL(dp->engines[1].stats.initiations_received,
			on[1] + dp->engines[1].stats.taken_over);
	CU_ASSERT_EQUAL(dp->ctl_stats.responses_sent, 40);
	CU_ASSERT_EQUAL(dp->engines[1].stats.index_pool_empty, 0);
	for (unsigned int i = 0; i < 40; i++) {
		CU_ASSERT_EQUAL(s->peers[i].handshakes, 1);
		model_peer_send(&s->peers[i], now());
		sim_settle(s); /* the host's MAC: a short queue holds what waits for it */
	}
	for (unsigned int i = 0; i < 40; i++)
		CU_ASSERT_EQUAL(s->host.rx[i], 1);
	CU_ASSERT_EQUAL(wg_index_count(dp->indexes), 40 + DP_HS_INDEX_POOL);
	sim_run(s, SIM_S);
	assert_pool(s);
	close_sim(s);
}

/* Every peer initiates, and the workers' part only: each initiation into its engine's queue.
 * Returns how many went to engine 0. */
static unsigned int queue_initiations(struct sim *s)
{
	unsigned int on0 = 0;

	for (unsigned int i = 0; i < s->opts.n_peers; i++) {
		on0 += engine_of_ip(s, s->peers[i].ip) == 0;
		model_peer_initiate(&s->peers[i], now(), false);
	}
	for (unsigned int i = 0; i < 4; i++)
		dp_worker_poll(s->dp, s->w);
	CU_ASSERT_EQUAL_FATAL(rte_ring_count(s->dp->engines[0].ring), on0);
	return on0;
}

/* Engine 1 alone, as long as it finds work. */
static void engine1_until_idle(struct sim *s, struct dp_sink *sink)
{
	while (dp_handshakes_drain(&s->dp->engines[1], sink, wg_clock_mono_ns()))
		;
	dp_sink_flush(sink);
}

/*
 * 17b. An idle engine takes over initiations queued for a busy one (here engine 0, the
 * control lcore, which has not run yet), all but the last, and answers them as its own.
 */
static void test_engines_takeover(void)
{
	struct sim *s = open_engines_sim(40);
	struct dp_ctx *dp = s->dp;
	struct dp_hs_engine *e1 = &dp->engines[1];
	struct dp_sink sink = { .dp = dp, .worker = NULL, .drops = e1->drops };
	unsigned int on0 = queue_initiations(s);
	engine1_until_idle(s, &sink);
	CU_ASSERT_EQUAL(e1->stats.taken_over, on0 - 1);
	CU_ASSERT_EQUAL(e1->stats.initiations_received, 40 - 1);
	sim_settle(s);
	CU_ASSERT_EQUAL(dp->engines[0].stats.initiations_received, 1);
	CU_ASSERT_EQUAL(dp->ctl_stats.responses_sent, 40);
	for (unsigned int i = 0; i < 40; i++)
		CU_ASSERT_EQUAL(s->peers[i].handshakes, 1);
	close_sim(s);
}

/*
 * 17c. An idle engine takes nothing from an engine under load: there the rate limiter and the
 * cookies are per source, and the source's engine must see its messages.
 */
static void test_engines_no_takeover_under_load(void)
{
	struct sim *s = open_engines_sim(40);
	struct dp_ctx *dp = s->dp;
	struct dp_hs_engine *e1 = &dp->engines[1];
	struct dp_sink sink = { .dp = dp, .worker = NULL, .drops = e1->drops };
	unsigned int on0 = queue_initiations(s);
	dp_gate_note_load(&dp->engines[0], wg_clock_mono_ns());
	engine1_until_idle(s, &sink);
	CU_ASSERT_EQUAL(e1->stats.taken_over, 0);
	CU_ASSERT_EQUAL(e1->stats.initiations_received, 40 - on0);
	CU_ASSERT_EQUAL(rte_ring_count(dp->engines[0].ring), on0);
	sim_settle(s); /* engine 0 answers them: cookie replies, it is under load */
	CU_ASSERT_EQUAL(rte_ring_count(dp->engines[0].ring), 0);
	CU_ASSERT(dp->engines[0].stats.cookie_replies_sent >= on0);
	close_sim(s);
}

/* An address on engine want that is no peer's (the harness drops what wgdp sends it). */
static void foreign_ip(const struct sim *s, unsigned int want, uint8_t ip[4])
{
	for (unsigned int i = 1; i < 255; i++) {
		ip[0] = 203;
		ip[1] = 0;
		ip[2] = 113;
		ip[3] = (uint8_t)i;
		if (engine_of_ip(s, ip) == want)
			return;
	}
	CU_FAIL_FATAL("no address of 203.0.113.0/24 on that engine");
}

/*
 * 18. A roaming peer's two initiations from two sources at once, on two engines: the one from
 * its own address (engine 0) is answered; the other (engine 1), older or within 20 ms, is
 * refused as a replay or a flood. One session, at the answered source, and no index left
 * behind by the refused one.
 */
static void two_sources(bool older)
{
	struct sim *s = open_engines_sim(40);
	struct dp_ctx *dp = s->dp;
	struct sim_peer *p = NULL;
	struct wg_msg_initiation msg;
	struct wg_handshake hs;
	struct wgdp_endpoint ep;
	struct dp_control_stats st;
	uint8_t home[4], away[4];
	uint64_t real = wg_clock_real_ns();

	for (unsigned int i = 0; i < 40 && !p; i++)
		if (engine_of_ip(s, s->peers[i].ip) == 0)
			p = &s->peers[i];
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	foreign_ip(s, 1, away);
	memcpy(home, p->ip, 4);
	/* The initiation from away: a second state of the same peer, a second or two apart. */
	hs = p->hs;
	CU_ASSERT_EQUAL_FATAL(wg_noise_create_initiation(&msg, &hs, &p->ident, 0x5eed,
							 older ? real - SIM_S : real + 2 * SIM_S),
			      WG_NOISE_OK);
	wg_cookie_add_macs(&p->maker, &msg, sizeof(msg), now());
	wg_handshake_wipe(&hs);
	memcpy(p->ip, away, 4);
	sim_send_outside(s, p, &msg, sizeof(msg));
	memcpy(p->ip, home, 4);
	model_peer_initiate(p, now(), false); /* from home: engine 0, the model's own state */
	sim_settle(s);
	dp_hs_stats_total(dp, &st);
	CU_ASSERT_EQUAL(st.initiations_received, 2);
	CU_ASSERT_EQUAL(dp->engines[1].stats.initiations_received, 1);
	CU_ASSERT_EQUAL(dp->ctl_stats.responses_sent, 1);
	CU_ASSERT_EQUAL(st.noise_errors[older ? WG_NOISE_ERR_REPLAY : WG_NOISE_ERR_FLOOD], 1);
	CU_ASSERT_EQUAL(p->handshakes, 1);
	CU_ASSERT_TRUE_FATAL(dp_peer_endpoint(dp->peers[p->id], &ep));
	CU_ASSERT_EQUAL(memcmp(ep.addr.bytes, home, 4), 0);
	CU_ASSERT_EQUAL(wg_index_count(dp->indexes), 1 + DP_HS_INDEX_POOL);
	model_peer_send(p, now());
	sim_settle(s);
	CU_ASSERT_EQUAL(s->host.rx[p->id], 1);
	assert_pool(s);
	close_sim(s);
}

/*
 * 19. A session an engine made under the interface's old private key is not installed when
 * the key changed before the control lcore took it from the done ring: a new key drops every
 * session, and this one would have been answered with the old key.
 */
static void test_engine_session_old_key(void)
{
	struct sim *s = open_engines_sim(40);
	struct dp_ctx *dp = s->dp;
	struct dp_hs_engine *e1 = &dp->engines[1];
	struct dp_sink sink = { .dp = dp, .worker = NULL, .drops = e1->drops };
	struct sim_peer *p = NULL;
	uint8_t key[32];

	for (unsigned int i = 0; i < 40 && !p; i++)
		if (engine_of_ip(s, s->peers[i].ip) == 1)
			p = &s->peers[i];
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	model_peer_initiate(p, now(), false);
	dp_worker_poll(dp, s->w); /* to engine 1's queue */
	CU_ASSERT_EQUAL(dp_handshakes_drain(e1, &sink, wg_clock_mono_ns()), 1);
	CU_ASSERT_EQUAL(rte_ring_count(dp->hs_done_ring), 1);
	wgc_x25519_generate(key);
	dp_tenant_set_key(dp->tenants[0], key, wg_clock_mono_ns());
	wgc_memzero(key, sizeof(key));
	sim_settle(s);
	CU_ASSERT_EQUAL(rte_ring_count(dp->hs_done_ring), 0);
	CU_ASSERT_EQUAL(dp->ctl_stats.responses_sent, 0);
	CU_ASSERT_EQUAL(p->wire.responses, 0);
	CU_ASSERT_EQUAL(wg_index_count(dp->indexes), DP_HS_INDEX_POOL);
	assert_pool(s);
	close_sim(s);
}

static void test_two_sources_replay(void)
{
	two_sources(true);
}

static void test_two_sources_flood(void)
{
	two_sources(false);
}

/* A data message under an index wgdp never gave out, as from a peer whose session is with
 * another box (docs/scale-out.md): header and tag only. */
static void send_stray_data(struct sim *s, struct sim_peer *p)
{
	uint8_t msg[16 + 16] = { 4 };

	memcpy(msg + 4, (uint8_t[]){ 0xef, 0xbe, 0xad, 0xde }, 4);
	sim_send_outside(s, p, msg, sizeof(msg));
}

/*
 * 20. Stray data from a peer's configured endpoint: one initiation, armed with no
 * retransmission, so a made-up packet buys one message, not 90 s of them; its handshake is
 * forgotten with the key wipe. Data for the peer while one is in flight makes it an ordinary
 * handshake, retried, which a peer that is there answers.
 */
static void test_stray_once(void)
{
	struct sim *s = open_sim(1, true, 0);
	struct sim_peer *p = &s->peers[0];
	struct dp_ctx *dp = s->dp;
	struct dp_peer *dpp = dp->peers[0];
	uint64_t gap;

	p->online = false;
	sim_run(s, SIM_S);
	send_stray_data(s, p);
	sim_run(s, 2 * SIM_S); /* the sweep visits every peer within a second */
	CU_ASSERT_EQUAL(dp->ctl_stats.stray_sources, 1);
	CU_ASSERT_EQUAL(dp->ctl_stats.stray_initiations, 1);
	CU_ASSERT_EQUAL_FATAL(p->wire.initiations, 1);
	CU_ASSERT_EQUAL(dpp->timers.retransmit_handshake_at, 0);
	CU_ASSERT_EQUAL(dpp->timers.handshake_attempts, 0);
	CU_ASSERT_EQUAL(wg_index_count(dp->indexes), 1);
	/* Nothing more without fresh evidence, whatever the time; the wipe forgets it. */
	sim_run(s, 100 * SIM_S);
	CU_ASSERT_EQUAL(p->wire.initiations, 1);
	sim_run_until(s, p->wire.init_at[0] + WG_ZERO_KEYS_AFTER + SIM_S);
	CU_ASSERT_EQUAL(p->wire.initiations, 1);
	CU_ASSERT_EQUAL(wg_index_count(dp->indexes), 0);

	/* Fresh stray data, another once; then data from the host while it is in flight. */
	send_stray_data(s, p);
	sim_run(s, 2 * SIM_S);
	CU_ASSERT_EQUAL_FATAL(p->wire.initiations, 2);
	CU_ASSERT_EQUAL(dp->ctl_stats.stray_initiations, 2);
	model_host_send(s, 0);
	sim_step(s);
	CU_ASSERT_EQUAL(sim_staged(s), 1);
	CU_ASSERT_EQUAL(p->wire.initiations, 2); /* one per REKEY_TIMEOUT */
	CU_ASSERT_NOT_EQUAL(dpp->timers.retransmit_handshake_at, 0);
	p->online = true;
	sim_run(s, 6 * SIM_S);
	CU_ASSERT_EQUAL_FATAL(p->wire.initiations, 3);
	gap = p->wire.init_at[2] - p->wire.init_at[1];
	CU_ASSERT(gap >= WG_REKEY_TIMEOUT && gap <= WG_REKEY_TIMEOUT + JITTER);
	CU_ASSERT_EQUAL(p->handshakes, 1);
	CU_ASSERT_EQUAL(p->rx_inner, 1); /* the staged packet, delivered */
	CU_ASSERT_EQUAL(sim_staged(s), 0);
	CU_ASSERT_EQUAL(sim_drops(s, DP_DROP_UNKNOWN_INDEX), 2);
	assert_pool(s);
	close_sim(s);
}

static const CU_TestInfo tests[] = {
	{ "1 idle 3 min, then traffic: initiate at once", test_idle_then_traffic },
	{ "2 no endpoint: drop at once, counted", test_no_endpoint },
	{ "2b the global stage limit", test_stage_limit },
	{ "3a rekey at 120 s, wgdp initiator, no loss", test_rekey_wgdp_initiator },
	{ "3b rekey at 120 s, wgdp responder, no loss", test_rekey_wgdp_responder },
	{ "4 simultaneous initiations: no retry", test_simultaneous },
	{ "5 vanished peer: 1 + 19 initiations, give up", test_vanished },
	{ "6 keys zeroed after 540 s", test_zero_keys },
	{ "7 persistent keepalive from config load", test_persistent_keepalive },
	{ "8 roaming during a rekey", test_roaming_rekey },
	{ "9a cookie reply to an initiation", test_cookie_initiation },
	{ "9b cookie reply to a response (keypair index)", test_cookie_response },
	{ "10 REKEY_AFTER_MESSAGES", test_rekey_after_messages },
	{ "11 a response counts as a handshake sent", test_response_counts },
	{ "12 no keepalive on confirmation", test_no_keepalive_on_confirm },
	{ "13 late rekey on receive once a session", test_lastminute_once },
	{ "14 timer events in time order", test_timer_order },
	{ "15 under load ends with the flood", test_load_ends },
	{ "16 an inside IPv4 fragment is forwarded", test_inside_fragment },
	{ "17 two engines share the handshakes", test_engines_spread },
	{ "17b an idle engine takes over another's queue", test_engines_takeover },
	{ "17c no taking over from an engine under load", test_engines_no_takeover_under_load },
	{ "18a two sources at once: the older refused", test_two_sources_replay },
	{ "18b two sources at once: the second within 20 ms refused", test_two_sources_flood },
	{ "19 an engine's session under an old private key is dropped",
	  test_engine_session_old_key },
	{ "20 stray data: one initiation, no retries, forgotten", test_stray_once },
	CU_TEST_INFO_NULL,
};

/* WGDP_SIM_ONLY=PREFIX runs the tests whose names start with it (e.g. "9"). */
static const CU_TestInfo *selected(void)
{
	static CU_TestInfo some[sizeof(tests) / sizeof(tests[0])];
	const char *only = getenv("WGDP_SIM_ONLY");
	unsigned int n = 0;

	if (!only)
		return tests;
	for (unsigned int i = 0; tests[i].pName; i++)
		if (strncmp(tests[i].pName, only, strlen(only)) == 0)
			some[n++] = tests[i];
	some[n] = (CU_TestInfo)CU_TEST_INFO_NULL;
	return some;
}

int main(void)
{
	int rc;

	if (sim_eal_init() != 0) {
		fprintf(stderr, "sim: EAL or ring ports failed\n");
		return 2;
	}
	rc = unit_run("sim-lifecycle", selected());
	sim_close(current);
	sim_eal_fini();
	return rc;
}
