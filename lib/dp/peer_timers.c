/* SPDX-License-Identifier: MIT */
/*
 * The protocol's timers on the control lcore (kernel: timers.c). lib/wg/timers.c holds the
 * rules; this file feeds them events and carries out what they ask for.
 *
 * Workers do not call into the timers: they leave four timestamps on the peer (any packet and
 * data packets, each way). The control lcore turns them into events in the order they
 * happened, at each visit and before any event of its own on that peer, so that "sent at .2,
 * answered at .5" cancels the new-handshake timer as it would in the kernel. Only the latest
 * of each kind is seen, which is all the rules need: each event either arms a timer if it is
 * not armed or cancels it, so the last send and the last receive decide.
 */
#include <rte_log.h>

#include "control.h"
#include "crypto/ct.h"
#include "wg/clock.h"

#define TIMER_SCAN_NS (10 * WG_NSEC_PER_MSEC)
#define SWEEP_NS      WG_NSEC_PER_SEC /* every peer's worker timestamps are read this often */

/* What a worker saw, in the order the kernel applies them for one packet. */
enum seen_kind {
	SEEN_TX_ANY, /* traversal, then sent (kernel wg_packet_create_data_done) */
	SEEN_TX_DATA,
	SEEN_RX_ANY, /* received, then traversal (kernel wg_packet_consume_data_done) */
	SEEN_RX_DATA,
};

struct seen {
	uint64_t at;
	enum seen_kind kind;
};

/*
 * Ties (a test's driven clock makes them common) put sending first: the peer answered what we
 * sent, so no new handshake is due, and what it sent us may still owe a keepalive.
 */
static bool before(const struct seen *a, const struct seen *b)
{
	return a->at < b->at || (a->at == b->at && a->kind < b->kind);
}

static void apply(struct dp_peer *p, const struct seen *e)
{
	struct wg_timers *t = &p->timers;

	switch (e->kind) {
	case SEEN_TX_ANY:
		wg_timers_on_any_authenticated_traversal(t, e->at);
		wg_timers_on_any_authenticated_sent(t, e->at);
		break;
	case SEEN_TX_DATA:
		wg_timers_on_data_sent(t, e->at, wgc_random_u32());
		break;
	case SEEN_RX_ANY:
		wg_timers_on_any_authenticated_received(t, e->at);
		wg_timers_on_any_authenticated_traversal(t, e->at);
		break;
	case SEEN_RX_DATA:
		wg_timers_on_data_received(t, e->at);
		break;
	}
}

/* Adds an event if the worker's timestamp moved since the last look. */
static unsigned int take(uint64_t *worker_ts, uint64_t *seen_ts, enum seen_kind kind,
			 struct seen *ev, unsigned int n)
{
	uint64_t at = __atomic_load_n(worker_ts, __ATOMIC_RELAXED);

	if (at == *seen_ts)
		return n;
	*seen_ts = at;
	ev[n] = (struct seen){ .at = at, .kind = kind };
	return n + 1;
}

void dp_timers_catch_up(struct dp_peer *p)
{
	struct seen ev[4];
	unsigned int n = 0;

	n = take(&p->last_tx_ns, &p->seen_tx_ns, SEEN_TX_ANY, ev, n);
	n = take(&p->last_tx_data_ns, &p->seen_tx_data_ns, SEEN_TX_DATA, ev, n);
	n = take(&p->last_rx_ns, &p->seen_rx_ns, SEEN_RX_ANY, ev, n);
	n = take(&p->last_rx_data_ns, &p->seen_rx_data_ns, SEEN_RX_DATA, ev, n);
	/* Four at most: an insertion sort. */
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j > 0 && before(&ev[j], &ev[j - 1]); j--) {
			struct seen tmp = ev[j];

			ev[j] = ev[j - 1];
			ev[j - 1] = tmp;
		}
	for (unsigned int i = 0; i < n; i++)
		apply(p, &ev[i]);
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

void dp_timers_armed(struct dp_ctx *dp, struct dp_peer *p, uint64_t now)
{
	if (wg_timers_next_deadline(&p->timers) < now + SWEEP_NS)
		timer_soon(dp, p);
}

/*
 * The interface came up with this peer, or its persistent keepalive was just turned on: with
 * the keepalive on and an endpoint known, send a keepalive at the next tick, which without a
 * session is a handshake. This is what makes a peer behind NAT reachable before it says
 * anything (kernel: wg_open, set_peer).
 */
void dp_peer_kick(struct dp_ctx *dp, struct dp_peer *p)
{
	if (!p->persistent_keepalive || !p->endpoint.set)
		return;
	p->kick = true;
	timer_soon(dp, p);
}

static void zero_keys(struct dp_ctx *dp, struct dp_peer *p)
{
	dp_peer_clear_keypairs(dp, p);
	rte_spinlock_lock(&p->hs_lock);
	wg_handshake_clear(&p->hs);
	rte_spinlock_unlock(&p->hs_lock);
	dp_peer_drop_hs_index(dp, p);
	dp_peer_log(p, RTE_LOG_DEBUG, "keys zeroed after 3 x REJECT_AFTER_TIME without a session");
}

static void fire(struct dp_sink *s, struct dp_peer *p, unsigned int act, uint64_t now)
{
	if (act & WG_TIMER_ZERO_KEYS)
		zero_keys(s->dp, p);
	if (act & WG_TIMER_GIVE_UP) {
		dp_staged_give_up(s, p, now);
		dp_peer_log(p, RTE_LOG_INFO,
			    "handshake did not complete after 90 seconds, giving up");
	}
	/* The retransmit timer's initiation keeps the attempt count (wg_timers_poll restarted
	 * it already when the new-handshake timer fired); both obey the REKEY_TIMEOUT limit. */
	if (act & WG_TIMER_SEND_INITIATION)
		dp_send_initiation(s, p, now, true);
	if (act & WG_TIMER_SEND_KEEPALIVE)
		dp_send_keepalive(s, p, now);
}

static void peer_timers(struct dp_sink *s, struct dp_peer *p, uint64_t now)
{
	dp_timers_catch_up(p);
	if (p->n_staged)
		dp_staged_expire(s, p, now);
	if (p->kick) {
		p->kick = false;
		dp_send_keepalive(s, p, now);
	}
	if (now >= wg_timers_next_deadline(&p->timers))
		fire(s, p, wg_timers_poll(&p->timers, now), now);
}

/* On the soon list while a deadline or staged packets need ticks. */
static bool needs_ticks(const struct dp_peer *p, uint64_t now)
{
	return p->kick || wg_timers_next_deadline(&p->timers) < now + SWEEP_NS;
}

/*
 * Ten-millisecond ticks: the soon list, then a slice of the sweep. A full scan every tick
 * would read every peer 100 times a second: 100,000 idle peers cost the control lcore more
 * than half its time. The timestamps the workers leave only start timers of seconds
 * (keepalive 10 s, new handshake 15 s, persistent keepalive), so a sweep a second is soon
 * enough to notice them; what the control lcore itself arms goes on the soon list at once.
 */
static void tick(struct dp_sink *s, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	uint32_t slice = dp->n_peers / (uint32_t)(SWEEP_NS / TIMER_SCAN_NS) + 1;

	for (uint32_t i = 0; i < dp->n_soon;) {
		struct dp_peer *p = dp->soon[i] < dp->n_peers ? dp->peers[dp->soon[i]] : NULL;

		if (p)
			peer_timers(s, p, now);
		if (p && needs_ticks(p, now)) {
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
		if (p && !p->timer_soon) {
			peer_timers(s, p, now);
			dp_timers_armed(dp, p, now);
		}
		if (p)
			dp_stray_visit(s, p, now);
	}
}

void dp_timers_tick(struct dp_sink *s, uint64_t now)
{
	if (now < s->dp->next_timer_scan)
		return;
	s->dp->next_timer_scan = now + TIMER_SCAN_NS;
	tick(s, now);
}
