/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include <rte_jhash.h>
#include <rte_log.h>
#include <rte_ring.h>

#include "control.h"
#include "dp.h"
#include "gate.h"
#include "gcra.h"
#include "pkt.h"
#include "stray.h"

#define NOTE_INTERVAL_NS (WG_NSEC_PER_SEC / DP_STRAY_NOTES_PER_SEC)

_Static_assert(sizeof(struct dp_stray_note) % 4 == 0, "rte_ring elements are 32-bit words");

static uint32_t note_hash(uint16_t tid, const struct wgdp_endpoint *ep)
{
	uint32_t words[4]; /* the address's bytes are not 32-bit aligned in the endpoint */
	uint32_t n = ep->addr.family == 4 ? 1 : 4;

	memcpy(words, ep->addr.bytes, n * 4);
	return rte_jhash_32b(words, n, (uint32_t)tid << 16 | ep->port);
}

static bool same_source(const struct dp_stray_note *n, uint16_t tid, const struct wgdp_endpoint *ep)
{
	return n->tid == tid && n->ep.port == ep->port &&
	       dp_addr_eq(&n->ep.addr, ep->addr.family, ep->addr.bytes);
}

static bool live(const struct dp_stray_slot *s, uint64_t now)
{
	return s->seen_ns && now - s->seen_ns < DP_STRAY_TTL_NS;
}

void dp_stray_add(struct dp_stray *t, const struct dp_stray_note *n, uint64_t now)
{
	uint32_t h = note_hash(n->tid, &n->ep);
	struct dp_stray_slot *take = NULL;

	for (uint32_t i = 0; i < DP_STRAY_PROBE; i++) {
		struct dp_stray_slot *s = &t->slot[(h + i) & (DP_STRAY_SLOTS - 1)];

		if (live(s, now) && same_source(&s->note, n->tid, &n->ep)) {
			take = s;
			break;
		}
		if (!take || (live(take, now) && (!live(s, now) || s->seen_ns < take->seen_ns)))
			take = s;
	}
	take->note = *n;
	take->seen_ns = now ? now : 1;
	t->last_ns = now;
}

bool dp_stray_has(const struct dp_stray *t, uint16_t tid, const struct wgdp_endpoint *ep,
		  uint64_t now)
{
	uint32_t h = note_hash(tid, ep);

	for (uint32_t i = 0; i < DP_STRAY_PROBE; i++) {
		const struct dp_stray_slot *s = &t->slot[(h + i) & (DP_STRAY_SLOTS - 1)];

		if (live(s, now) && same_source(&s->note, tid, ep))
			return true;
	}
	return false;
}

int dp_stray_init(struct dp_ctx *dp)
{
	dp->stray = calloc(1, sizeof(*dp->stray));
	dp->stray_ring =
		rte_ring_create_elem("wgdp_stray", sizeof(struct dp_stray_note), DP_STRAY_RING_SIZE,
				     (int)rte_socket_id(), RING_F_SC_DEQ | RING_F_EXACT_SZ);
	return dp->stray && dp->stray_ring ? 0 : -1;
}

void dp_stray_free(struct dp_ctx *dp)
{
	rte_ring_free(dp->stray_ring);
	free(dp->stray);
	dp->stray_ring = NULL;
	dp->stray = NULL;
}

/*
 * A budget as a theoretical arrival time (GCRA): a note is allowed while the worker is no more
 * than a burst ahead of the rate; the same source is not noted twice within half the TTL, so
 * the budget goes to distinct sources.
 */
void dp_stray_note(struct dp_ctx *dp, struct dp_worker *w, uint16_t tid,
		   const struct wgdp_endpoint *ep, uint64_t now)
{
	uint32_t h = note_hash(tid, ep), slot = h % DP_STRAY_WORKER_CACHE;
	struct dp_stray_note n = { .tid = tid, .ep = *ep };
	uint64_t tat;

	if (w->stray_seen[slot] == h && now - w->stray_seen_ns[slot] < DP_STRAY_TTL_NS / 2)
		return;
	if (!dp_gcra_take(w->stray_tat, now, NOTE_INTERVAL_NS, DP_STRAY_NOTES_BURST, &tat))
		return;
	if (rte_ring_mp_enqueue_elem(dp->stray_ring, &n, sizeof(n)) != 0)
		return;
	w->stray_tat = tat;
	w->stray_seen[slot] = h;
	w->stray_seen_ns[slot] = now;
}

unsigned int dp_stray_drain(struct dp_ctx *dp, uint64_t now)
{
	struct dp_stray_note n[DP_BURST];
	unsigned int got =
		rte_ring_sc_dequeue_burst_elem(dp->stray_ring, n, sizeof(n[0]), DP_BURST, NULL);

	for (unsigned int i = 0; i < got; i++)
		dp_stray_add(dp->stray, &n[i], now);
	dp->ctl_stats.stray_sources += got;
	return got;
}

static bool within_budget(struct dp_stray *t, uint64_t now)
{
	return dp_gcra_take(t->budget_tat, now, WG_NSEC_PER_SEC / DP_STRAY_INITIATIONS_PER_SEC,
			    DP_STRAY_INITIATIONS_PER_SEC, &t->budget_tat);
}

void dp_stray_visit(struct dp_sink *s, struct dp_peer *p, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	struct dp_stray *t = dp->stray;
	uint64_t heard = __atomic_load_n(&p->last_rx_ns, __ATOMIC_RELAXED);

	/* The common case, no stray data lately: one compare a peer. */
	if (now - t->last_ns >= DP_STRAY_TTL_NS || !p->endpoint.set)
		return;
	if (!dp_stray_has(t, p->tenant->tid, &p->endpoint.ep, now))
		return;
	if (heard && now - heard < DP_STRAY_QUIET_NS)
		return;
	/* Within the protocol's one handshake message per REKEY_TIMEOUT, or a handshake of ours
	 * in flight (it retries by itself): nothing to do. */
	if ((p->last_handshake_sent && now - p->last_handshake_sent < WG_REKEY_TIMEOUT) ||
	    p->timers.retransmit_handshake_at)
		return;
	/* Handshakes queue up: the peers' own initiations come first. */
	if (dp_gate_under_load(&dp->engines[0], now) || !within_budget(t, now)) {
		dp->ctl_stats.stray_deferred++;
		return;
	}
	/* Once: no retransmission, no attempt count restarted. A retry needs fresh data from
	 * the endpoint, so one made-up packet buys at most one initiation, budgeted. */
	if (!dp_send_initiation_once(s, p, now))
		return;
	dp->ctl_stats.stray_initiations++;
	dp_peer_log(p, RTE_LOG_INFO,
		    "data under a session we do not have came from its endpoint (its session "
		    "was with another box, or from before a restart): initiating");
}
