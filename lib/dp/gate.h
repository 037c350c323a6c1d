/* SPDX-License-Identifier: MIT */
/*
 * The handshake gate: what a worker does with a handshake message before the control lcore
 * sees it. Normally nothing: the message goes to the handshake queue, where the control lcore
 * checks the macs and answers with cookies under load, and the flood costs the worker no
 * more than a queue slot. But when the control lcore has fallen behind (the queue holds
 * limits.under_load_queue messages), a flood it cannot answer fast enough would fill the
 * queue, and a legitimate peer's initiation would wait behind it or be dropped. Then the
 * worker checks the message itself, within a budget: a bad mac1 is dropped, a valid mac2 goes
 * to a priority queue that the control lcore drains first, anything else gets its cookie reply
 * right here. With one lcore for everything the gate has no budget: the cookies cost the same
 * lcore either way, and answering at once spares the queueing.
 *
 * The cookie secret is the control lcore's, one a tenant; it renews each ahead of time and
 * publishes the checker under a seqlock, and each worker keeps a copy a tenant that it
 * refreshes when it changes.
 */
#ifndef WGDP_DP_GATE_H
#define WGDP_DP_GATE_H

#include <stdbool.h>
#include <stdint.h>

#include "dp.h"
#include "pkt.h"
#include "xmit.h"

/* A hint of the kernel's: once loaded, stay so for a second after the last sign of load. */
#define DP_UNDER_LOAD_HOLD_NS 1000000000ull

/* Control lcore: renews t's cookie secret before it expires and publishes the checker. */
void dp_gate_publish(struct dp_tenant *t, uint64_t now);

/* Control lcore: dp_gate_publish for every tenant. */
void dp_gate_publish_all(struct dp_ctx *dp, uint64_t now);

struct dp_hs_engine;

/* Any lcore: a sign of load seen now at engine e (the load then holds for
 * DP_UNDER_LOAD_HOLD_NS there). */
void dp_gate_note_load(struct dp_hs_engine *e, uint64_t now);

/*
 * Any lcore, with a count of its own: one more sign that only a flood makes often (a cookie
 * reply, an X25519 wasted on an initiation made for our key); DP_FLOOD_SIGNS of them within
 * DP_FLOOD_WINDOW_NS are a sign of load. One such message now and then is a peer's.
 */
#define DP_FLOOD_WINDOW_NS (100 * 1000000ull)
#define DP_FLOOD_SIGNS	   16
void dp_gate_count_sign(struct dp_hs_engine *e, struct dp_flood_count *c, uint64_t now);

/* Any lcore: is engine e under load (its handshake queue deep now or lately)? */
bool dp_gate_under_load(struct dp_hs_engine *e, uint64_t now);

/* Slot slot's copy of t's published checker (a worker's index, or n_workers + an engine's),
 * fresh: copied again only when the tenant published since (a tenant no handshake reaches is
 * never copied). */
struct wg_cookie_checker *dp_gate_checker(struct dp_tenant *t, unsigned int slot);

/* A worker's gate may check this many messages a second: a cookie reply costs the worker
 * 2-4 us with its TX, so this bounds what a flood beyond the control lcore takes from the data
 * plane to about a tenth of a core (wgdp-perf dataplane --flood --flood-ratio 2). */
#define DP_GATE_BUDGET_PER_S 25000u
#define DP_GATE_BURST	     512u

enum dp_gate_verdict {
	DP_GATE_QUEUE,	  /* to the handshake queue, unchecked */
	DP_GATE_PRIORITY, /* mac2 checked: to the priority queue */
	DP_GATE_DONE,	  /* dropped (bad mac1) or answered (cookie reply); m is freed */
};

/* m is a UDP datagram (as dp_pkt_udp found it) on port (an index) carrying the handshake
 * message msg of len bytes for tenant t (its listen port), for engine e (hs_engine.h). */
enum dp_gate_verdict dp_gate_handshake(struct dp_sink *s, struct dp_worker *w,
				       struct dp_hs_engine *e, struct dp_tenant *t, uint16_t port,
				       struct rte_mbuf *m, const struct dp_pkt *p,
				       const uint8_t *msg, uint16_t len, uint64_t now);

#endif
