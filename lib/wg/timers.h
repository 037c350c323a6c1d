/* SPDX-License-Identifier: MIT */
/*
 * The protocol's timers (whitepaper section 6; Linux drivers/net/wireguard/timers.c, the
 * rekey checks of send.c and receive.c) as pure functions of an injected clock.
 *
 * Nothing here sleeps, spawns or calls out. A timer is a deadline in monotonic ns (0 = not
 * armed). The owner of the peer feeds events in (wg_timers_on_*) as packets come and go, calls
 * wg_timers_poll() when wg_timers_next_deadline() has passed, and carries out the actions it
 * returns. The rekey rules the data path needs per packet are stateless predicates.
 *
 * All times are nanoseconds, including the constants below.
 *
 * What the caller does for each action returned by wg_timers_poll(), in this order:
 *  - WG_TIMER_ZERO_KEYS: wipe the handshake and all three keypairs (kernel
 *    wg_queued_expired_zero_key_material).
 *  - WG_TIMER_GIVE_UP: drop the packets staged for want of a keypair; no more retries
 *    (kernel wg_expired_retransmit_handshake, giving-up branch).
 *  - WG_TIMER_SEND_INITIATION: forget the endpoint's cached source address (it may be why
 *    nobody answers) and send a fresh initiation, subject to noise's one-per-REKEY_TIMEOUT
 *    limit. After sending it: on_handshake_initiated, on_any_authenticated_sent,
 *    on_any_authenticated_traversal (kernel wg_packet_send_handshake_initiation).
 *  - WG_TIMER_SEND_KEEPALIVE: send an empty data packet with the current keypair (or, having
 *    none, ask for a handshake as any data would: on_new_handshake_requested).
 */
#ifndef WGDP_WG_TIMERS_H
#define WGDP_WG_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"

/* Whitepaper 6.1. replay.h defines the two message limits identically. */
#ifndef WG_REKEY_AFTER_MESSAGES
#define WG_REKEY_AFTER_MESSAGES (1ull << 60)
#endif
#ifndef WG_REJECT_AFTER_MESSAGES
#define WG_REJECT_AFTER_MESSAGES (UINT64_MAX - 8192) /* 2^64 - 2^13 - 1 */
#endif

#define WG_REKEY_AFTER_TIME	    (120 * WG_NSEC_PER_SEC)
#define WG_REJECT_AFTER_TIME	    (180 * WG_NSEC_PER_SEC)
#define WG_REKEY_ATTEMPT_TIME	    (90 * WG_NSEC_PER_SEC)
#define WG_REKEY_TIMEOUT	    (5 * WG_NSEC_PER_SEC)
#define WG_KEEPALIVE_TIMEOUT	    (10 * WG_NSEC_PER_SEC)
#define WG_REKEY_TIMEOUT_JITTER_MAX (WG_NSEC_PER_SEC / 3) /* exclusive bound, ~333 ms */
#define WG_ZERO_KEYS_AFTER	    (3 * WG_REJECT_AFTER_TIME)
/* Retransmissions allowed before giving up: REKEY_ATTEMPT_TIME / REKEY_TIMEOUT (kernel). */
#define WG_MAX_TIMER_HANDSHAKES (WG_REKEY_ATTEMPT_TIME / WG_REKEY_TIMEOUT)

/* Actions wg_timers_poll() asks for; a bitmask since several timers can expire together. */
#define WG_TIMER_SEND_INITIATION 0x1u
#define WG_TIMER_SEND_KEEPALIVE	 0x2u
#define WG_TIMER_ZERO_KEYS	 0x4u
#define WG_TIMER_GIVE_UP	 0x8u

/* One peer's timers. Deadlines are monotonic ns; 0 means not armed. */
struct wg_timers {
	uint64_t retransmit_handshake_at; /* no response to our initiation: retry or give up */
	uint64_t send_keepalive_at;	  /* got data, sent nothing back: passive keepalive */
	uint64_t new_handshake_at;	  /* sent data, heard nothing back: new handshake */
	uint64_t zero_keys_at;		  /* no new session for 3 * REJECT_AFTER_TIME: wipe */
	uint64_t persistent_keepalive_at; /* quiet for the configured interval: keepalive */
	unsigned int handshake_attempts;  /* retransmissions since the last fresh request */
	uint16_t persistent_keepalive_interval; /* seconds; 0 = off */
	bool need_another_keepalive;		/* data arrived while send_keepalive was armed */
	bool sent_lastminute_handshake;		/* receive-side rekey already asked this session */
};

/* All timers disarmed, no attempts counted, persistent keepalive off (kernel wg_timers_init). */
void wg_timers_init(struct wg_timers *t);

/*
 * Disarms every timer, e.g. when the peer is removed or the device goes down (kernel
 * wg_timers_stop). Counters and the persistent keepalive interval are kept.
 */
void wg_timers_stop(struct wg_timers *t);

/*
 * Sets the persistent keepalive interval in seconds (0 = off; whitepaper 6.5, kernel
 * netlink.c set_peer). Turning it off disarms its timer. Returns true when it was off and is
 * now on: the caller then sends a keepalive at once, whose traversal arms the timer.
 */
bool wg_timers_set_persistent_keepalive(struct wg_timers *t, uint16_t interval_s);

/*
 * A handshake initiation was sent: arm the retransmission at
 * now + REKEY_TIMEOUT + jitter (whitepaper 6.4; kernel wg_timers_handshake_initiated).
 * jitter_ns is random, in [0, WG_REKEY_TIMEOUT_JITTER_MAX); larger values are reduced modulo
 * that bound, so a raw random number will do. Passed in so that tests are deterministic.
 */
void wg_timers_on_handshake_initiated(struct wg_timers *t, uint64_t now, uint64_t jitter_ns);

/*
 * A handshake is asked for afresh, not by the retransmit timer: data to send with no usable
 * keypair, a rekey predicate below, a keepalive with no keypair. Restarts the attempt count
 * (whitepaper 6.4: "this counter is reset when a peer explicitly attempts to send a new
 * transport data message"; kernel wg_packet_send_handshake_initiation with is_retry false,
 * which resets even when the flood limit then suppresses the initiation).
 */
void wg_timers_on_new_handshake_requested(struct wg_timers *t);

/*
 * The handshake completed: a response was consumed (initiator) or the first data packet
 * under the new keypair authenticated (responder). Stops the retransmissions, resets the
 * attempt count and re-allows the receive-side rekey (kernel wg_timers_handshake_complete).
 */
void wg_timers_on_handshake_complete(struct wg_timers *t, uint64_t now);

/*
 * Transport keys were derived (before sending a response, or on consuming one): (re)arm the
 * key wipe at now + 3 * REJECT_AFTER_TIME (whitepaper 6.3; kernel wg_timers_session_derived).
 */
void wg_timers_on_session_derived(struct wg_timers *t, uint64_t now);

/*
 * An authenticated data packet (not a keepalive) was sent: if not already armed, arm the new
 * handshake at now + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter, cancelled by anything heard
 * back (whitepaper 6.5 "if no packets are received"; kernel wg_timers_data_sent). jitter_ns as
 * for wg_timers_on_handshake_initiated.
 */
void wg_timers_on_data_sent(struct wg_timers *t, uint64_t now, uint64_t jitter_ns);

/*
 * An authenticated data packet (not a keepalive) was received: if not armed, arm the passive
 * keepalive at now + KEEPALIVE_TIMEOUT; if armed, remember that one more is owed after it
 * fires (whitepaper 6.5; kernel wg_timers_data_received).
 */
void wg_timers_on_data_received(struct wg_timers *t, uint64_t now);

/*
 * Any authenticated packet was sent (data, keepalive, handshake): we answered, so the passive
 * keepalive is not needed (kernel wg_timers_any_authenticated_packet_sent).
 */
void wg_timers_on_any_authenticated_sent(struct wg_timers *t, uint64_t now);

/*
 * Any authenticated packet was received (data, keepalive, handshake): the peer is alive, so
 * cancel the new handshake (kernel wg_timers_any_authenticated_packet_received).
 */
void wg_timers_on_any_authenticated_received(struct wg_timers *t, uint64_t now);

/*
 * Any authenticated packet is about to be sent or was received: if persistent keepalive is
 * on, re-arm it at now + interval (whitepaper 6.5; kernel
 * wg_timers_any_authenticated_packet_traversal).
 */
void wg_timers_on_any_authenticated_traversal(struct wg_timers *t, uint64_t now);

/*
 * Fires every timer whose deadline is <= now, disarming it, and returns the actions
 * (WG_TIMER_*) they ask for:
 *  - retransmit_handshake (kernel wg_expired_retransmit_handshake): while handshake_attempts
 *    <= WG_MAX_TIMER_HANDSHAKES, count one more and SEND_INITIATION. Past that, GIVE_UP:
 *    also cancel the passive keepalive and, unless already armed, arm the key wipe at
 *    now + 3 * REJECT_AFTER_TIME for any residue of the partial exchange. With 18 retries
 *    allowed this is 1 + 19 initiations, giving up ~100 s after the first, as the kernel and
 *    wireguard-go do: the whitepaper's REKEY_ATTEMPT_TIME counted in REKEY_TIMEOUTs.
 *  - send_keepalive (wg_expired_send_keepalive): SEND_KEEPALIVE; if data arrived while it
 *    was armed, re-arm it at now + KEEPALIVE_TIMEOUT once. (Sending the keepalive reports
 *    on_any_authenticated_sent, which cancels that re-arm, as it does in the kernel.)
 *  - new_handshake (wg_expired_new_handshake): a fresh request, so the attempt count
 *    restarts; SEND_INITIATION.
 *  - zero_keys (wg_expired_zero_key_material): ZERO_KEYS.
 *  - persistent_keepalive (wg_expired_send_persistent_keepalive): SEND_KEEPALIVE if the
 *    interval is still set.
 */
unsigned int wg_timers_poll(struct wg_timers *t, uint64_t now);

/*
 * The earliest armed deadline, or UINT64_MAX when none is armed: nothing to do for this peer
 * until now >= that value, so the control loop can skip it or sleep.
 */
uint64_t wg_timers_next_deadline(const struct wg_timers *t);

/*
 * Asked by the send path after sending with the current keypair (born at keypair_birth,
 * send_counter = the next counter to use): true when a new handshake is due because more than
 * REKEY_AFTER_MESSAGES were sent, or we are the initiator and the keypair is REKEY_AFTER_TIME
 * old (whitepaper 6.2; kernel send.c keep_key_fresh). Only initiators rekey on age so that
 * both ends do not start a handshake at once.
 */
bool wg_timers_should_rekey_on_send(bool we_are_initiator, uint64_t keypair_birth,
				    uint64_t send_counter, uint64_t now);

/*
 * Asked by the receive path after data authenticated under the current keypair: true when
 * we are the initiator and the keypair is REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT -
 * REKEY_TIMEOUT (165 s) old, the last chance to rekey before it expires for lack of sending
 * (whitepaper 6.2; kernel receive.c keep_key_fresh).
 */
bool wg_timers_should_rekey_on_receive(bool we_are_initiator, uint64_t keypair_birth, uint64_t now);

/*
 * wg_timers_should_rekey_on_receive() acted upon once per session: true the first time it
 * holds, false after until the next handshake completes (whitepaper 6.2 "and it has not yet
 * acted upon this event"; kernel sent_lastminute_handshake). The caller then requests a
 * handshake.
 */
bool wg_timers_take_lastminute_rekey(struct wg_timers *t, bool we_are_initiator,
				     uint64_t keypair_birth, uint64_t now);

/*
 * True when a keypair may no longer be used, to send or to receive: it is REJECT_AFTER_TIME
 * old, or counter (the next to send, or one past the greatest received) reached
 * REJECT_AFTER_MESSAGES (whitepaper 6.1; kernel send.c wg_packet_send_staged_packets /
 * encrypt, receive.c decrypt_packet).
 */
bool wg_timers_keypair_expired(uint64_t keypair_birth, uint64_t counter, uint64_t now);

#endif
