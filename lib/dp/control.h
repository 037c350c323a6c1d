/* SPDX-License-Identifier: MIT */
/*
 * The control lcore, split by concept as the kernel splits drivers/net/wireguard:
 *  - handshake.c receives handshake messages (mac1, cookies under load, the rate limiter,
 *    Noise) and installs the sessions they make;
 *  - send.c sends: initiations, keepalives, and the inside packets staged for want of a
 *    session (with their per-peer and global bounds);
 *  - peer_timers.c turns what the workers saw into timer events, in the order they happened,
 *    and carries out what the protocol's timers ask for;
 *  - events.c takes the workers' notes (confirmation, roaming, rekey wanted);
 *  - control.c is the loop that runs them all, and the local slow path.
 * A peer's life reads send.c → peer_timers.c → handshake.c. Everything here runs on the
 * control lcore, the one writer of every peer's timers and keypair slots, but handshake.c's
 * receiving half, which runs on every handshake engine (hs_engine.h); a peer's handshake is
 * under its hs_lock.
 */
#ifndef WGDP_DP_CONTROL_H
#define WGDP_DP_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include "dp.h"
#include "hs_engine.h"
#include "peer.h"
#include "xmit.h"

/* control.c: an INFO/DEBUG line about a peer, named by its short key and endpoint. */
void dp_peer_log(struct dp_peer *p, uint32_t level, const char *what);

/* handshake.c: engine e's queued handshake messages, a batch (or a time budget on a shared
 * lcore); s sends what the engine answers. */
unsigned int dp_handshakes_drain(struct dp_hs_engine *e, struct dp_sink *s, uint64_t now);

/* handshake.c, control lcore: installs a session an engine made and sends its response. */
void dp_hs_done_apply(struct dp_sink *s, struct dp_hs_done *d);

/* handshake.c: a fresh index for p's next handshake (the old one, if any, dropped). */
bool dp_hs_index_new(struct dp_ctx *dp, struct dp_peer *p);

/* handshake.c: idle time makes one responder ephemeral for engine e's pool. */
void dp_ephemeral_make(struct dp_hs_engine *e);

/*
 * send.c: an initiation, unless a handshake message went to the peer less than REKEY_TIMEOUT
 * ago (whitepaper 6.1; a response counts). retry: sent by the retransmit timer, which keeps
 * the attempt count; any other request restarts it. The retransmission is armed even when
 * the message cannot leave (no endpoint, route or mbuf), so that the give-up rule runs.
 */
void dp_send_initiation(struct dp_sink *s, struct dp_peer *p, uint64_t now, bool retry);

/*
 * send.c: one initiation that arms no retransmission (stray.c: data from the peer's endpoint
 * is the only evidence it wants one, and only fresh evidence sends another), only the key
 * wipe if none is armed, so that an unanswered handshake is forgotten in the end; false, and
 * nothing sent, while a handshake of ours is in flight or one went out less than
 * REKEY_TIMEOUT ago. A dp_send_initiation within that time arms the retransmission it lacks.
 */
bool dp_send_initiation_once(struct dp_sink *s, struct dp_peer *p, uint64_t now);

/* send.c: what is staged, or an empty data packet if nothing is; no usable keypair: initiate. */
void dp_send_keepalive(struct dp_sink *s, struct dp_peer *p, uint64_t now);

/* send.c: what is staged, nothing else; no usable keypair: initiate (kernel
 * wg_packet_send_staged_packets). */
void dp_send_staged(struct dp_sink *s, struct dp_peer *p, uint64_t now);

/* send.c: drops the peer's staged packets, counted as given up; their senders are told the
 * host is unreachable. */
void dp_staged_give_up(struct dp_sink *s, struct dp_peer *p, uint64_t now);

/* send.c: the same for staged packets older than REKEY_ATTEMPT_TIME. */
void dp_staged_expire(struct dp_sink *s, struct dp_peer *p, uint64_t now);

/* send.c: packets the workers staged, from their ring onto their peers. */
unsigned int dp_stage_drain(struct dp_sink *s, uint64_t now);

/*
 * peer_timers.c: feeds the timestamps the workers left (data and any packet, each way) into
 * the peer's timers in the order they happened. Called before the control lcore applies an
 * event of its own, so that every timer sees events in time order.
 */
void dp_timers_catch_up(struct dp_peer *p);

/* peer_timers.c: after the control lcore armed p's timers: tick it if a deadline is near. */
void dp_timers_armed(struct dp_ctx *dp, struct dp_peer *p, uint64_t now);

/* peer_timers.c: the soon list every tick, a slice of the once-a-second sweep. */
void dp_timers_tick(struct dp_sink *s, uint64_t now);

/* events.c: the workers' notes. */
unsigned int dp_events_drain(struct dp_sink *s, uint64_t now);

#endif
