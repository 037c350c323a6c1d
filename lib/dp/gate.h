/* SPDX-License-Identifier: MIT */
/*
 * The handshake gate: what a worker does with a handshake message before the control lcore
 * sees it. mac1 is checked here, so a flood not made for our public key never takes a slot
 * of the handshake queue; under load, a message without a valid mac2 is answered here with a
 * cookie reply (a few us), so that neither a spoofed flood nor a legitimate peer's first
 * message waits behind the queue: only messages whose sender proved its address do.
 *
 * The cookie secret is the control lcore's; it renews it ahead of time and publishes the
 * checker under a seqlock, and each worker keeps a copy that it refreshes when it changes.
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

/* Control lcore: renews the cookie secret before it expires and publishes the checker. */
void dp_gate_publish(struct dp_ctx *dp, uint64_t now);

/* Any lcore: is the concentrator under load (handshake queue deep now or lately)? */
bool dp_gate_under_load(struct dp_ctx *dp, uint64_t now);

/* Worker: true when the message goes on to the control lcore; false when the gate dropped
 * it (bad mac1) or answered it (cookie reply) and freed m. */
bool dp_gate_handshake(struct dp_sink *s, struct dp_worker *w, uint16_t port, struct rte_mbuf *m,
		       const struct dp_pkt *p, uint16_t src_port, const uint8_t *msg, uint16_t len,
		       uint64_t now);

#endif
