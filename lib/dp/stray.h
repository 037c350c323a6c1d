/* SPDX-License-Identifier: MIT */
/*
 * Stray data: data messages under a receiver index we do not have, from an endpoint that one
 * of our peers has. In an anycast cluster (docs/scale-out.md) that is a peer whose session is
 * with another box, one that died or left the route, and whose flow the routers now hash to
 * us; after a restart of wgdp, the same. The peer goes on sending under keys nobody here holds
 * until its own timers make it initiate (KEEPALIVE_TIMEOUT + REKEY_TIMEOUT, 15 s after its
 * first unanswered packet). We initiate instead, as either side of a WireGuard session may at
 * any time (whitepaper 6.1): the peer answers, its answer takes the same route as its data, and
 * our first packet under the new session moves it over. Nothing on the wire is new.
 *
 * Workers note the source (a bounded rate each, deduplicated, on a ring of their own, so a
 * flood of made-up data crowds out nothing); the control lcore remembers the sources for a
 * few seconds, and its once-a-second sweep of the peers (peer_timers.c) looks each peer's
 * endpoint up among them. A peer found there that said nothing under a session of ours lately
 * gets an initiation, within the protocol's one per REKEY_TIMEOUT and a global budget, and
 * none while handshakes are under load.
 */
#ifndef WGDP_DP_STRAY_H
#define WGDP_DP_STRAY_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "wg/clock.h"
#include "wg/timers.h"

#define DP_STRAY_RING_SIZE 1024
#define DP_STRAY_SLOTS	   4096 /* sources remembered (a power of two) */
#define DP_STRAY_PROBE	   8	/* slots a source may take, from its hash on */
/* Longer than a sweep: every peer is looked at while its source is remembered. */
#define DP_STRAY_TTL_NS	       (2 * WG_NSEC_PER_SEC)
#define DP_STRAY_NOTES_PER_SEC 1024 /* notes a worker may post */
#define DP_STRAY_NOTES_BURST   32
#define DP_STRAY_WORKER_CACHE  64 /* sources a worker noted lately, not noted again */
/* Initiations the sweep may send for stray data, a second, all peers together. */
#define DP_STRAY_INITIATIONS_PER_SEC 1024
/* A peer heard under a session of ours this recently is talking to us: its stray data is
 * late packets of a session we replaced, or made up. */
#define DP_STRAY_QUIET_NS WG_REKEY_TIMEOUT

/* A worker's note: who sent data we could not place. */
struct dp_stray_note {
	uint16_t tid;	 /* the interface whose listen port it came to */
	uint16_t unused; /* ring elements are whole 32-bit words */
	struct wgdp_endpoint ep;
};

struct dp_stray_slot {
	struct dp_stray_note note;
	uint64_t seen_ns; /* 0: empty */
};

/* The control lcore's memory of stray sources. */
struct dp_stray {
	struct dp_stray_slot slot[DP_STRAY_SLOTS];
	uint64_t last_ns;    /* the latest note: older than the TTL, the table is empty */
	uint64_t budget_tat; /* the initiations' budget (gcra.h) */
};

/* Remembers a source (the oldest in its probe window gives way when all are taken). */
void dp_stray_add(struct dp_stray *t, const struct dp_stray_note *n, uint64_t now);

/* Whether tenant tid's endpoint ep sent stray data within the TTL. */
bool dp_stray_has(const struct dp_stray *t, uint16_t tid, const struct wgdp_endpoint *ep,
		  uint64_t now);

struct dp_ctx;
struct dp_worker;
struct dp_sink;
struct dp_peer;

/* The ring and the table; -1 when out of memory. Freed by dp_stray_free. */
int dp_stray_init(struct dp_ctx *dp);
void dp_stray_free(struct dp_ctx *dp);

/* Worker: data under an index we do not have came from ep to tenant tid. */
void dp_stray_note(struct dp_ctx *dp, struct dp_worker *w, uint16_t tid,
		   const struct wgdp_endpoint *ep, uint64_t now);

/* Control lcore, every pass: the workers' notes into the table. */
unsigned int dp_stray_drain(struct dp_ctx *dp, uint64_t now);

/* Control lcore, from the sweep: initiates to p if its endpoint sent stray data. */
void dp_stray_visit(struct dp_sink *s, struct dp_peer *p, uint64_t now);

#endif
