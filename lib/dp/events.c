/* SPDX-License-Identifier: MIT */
/*
 * The workers' notes to the control lcore (struct dp_event): a keypair to confirm, an endpoint
 * that moved, a handshake wanted. Each is posted at most once until handled (a flag on the
 * peer or the keypair), so a burst of packets makes one note.
 */
#include "control.h"
#include "wg/timers.h"

/*
 * The peer's first data under the keypair it made as initiator: the handshake is complete for
 * us too (kernel receive.c: wg_timers_handshake_complete, then wg_packet_send_staged_packets).
 * Only what waited goes out; a keepalive here would start our counter at 1 for nothing.
 */
static void confirm(struct dp_sink *s, struct dp_peer *p, void *keypair, uint64_t now)
{
	struct wg_keypair *retired = NULL;

	/* Only a keypair still in a slot may be looked at: a retired one may be gone. */
	if (!p->kps.next || keypair != dp_keypair_of(p->kps.next) ||
	    !wg_keypairs_confirm(&p->kps, p->kps.next, &retired))
		return;
	dp_peer_publish_send_kp(p);
	if (retired)
		dp_keypair_retire(s->dp, dp_keypair_of(retired));
	dp_timers_catch_up(p);
	wg_timers_on_handshake_complete(&p->timers, now);
	dp_send_staged(s, p, now);
}

/*
 * Data received under our current keypair, 165 s old, that we made as initiator: the last
 * chance to rekey before it expires for want of sending. Once per session (whitepaper 6.2).
 */
static void rekey_on_receive(struct dp_sink *s, struct dp_peer *p, void *keypair, uint64_t now)
{
	struct wg_keypair *cur = p->kps.current;

	if (!cur || keypair != dp_keypair_of(cur) ||
	    !wg_timers_take_lastminute_rekey(&p->timers, cur->initiator, cur->birth, now))
		return;
	dp_send_initiation(s, p, now, false);
}

static void handle_event(struct dp_sink *s, const struct dp_event *ev, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	struct dp_peer *p = ev->peer_id < dp->n_peers ? dp->peers[ev->peer_id] : NULL;

	if (!p || p->serial != ev->peer_serial)
		return; /* the peer went; the id may be another's now */
	switch (ev->kind) {
	case DP_EV_WANT_HANDSHAKE:
		__atomic_store_n(&p->handshake_wanted, 0, __ATOMIC_RELAXED);
		dp_send_initiation(s, p, now, false);
		break;
	case DP_EV_REKEY_ON_RECEIVE:
		rekey_on_receive(s, p, ev->keypair, now);
		break;
	case DP_EV_CONFIRM:
		confirm(s, p, ev->keypair, now);
		break;
	case DP_EV_ROAM:
		__atomic_store_n(&p->roam_posted, 0, __ATOMIC_RELAXED);
		dp_peer_set_endpoint(p, &ev->ep);
		break;
	}
}

unsigned int dp_events_drain(struct dp_sink *s, uint64_t now)
{
	struct dp_event ev[DP_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst_elem(s->dp->event_ring, ev, sizeof(ev[0]),
							DP_BURST, NULL);

	for (unsigned int i = 0; i < n; i++)
		handle_event(s, &ev[i], now);
	return n;
}
