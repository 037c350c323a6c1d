/* SPDX-License-Identifier: MIT */
/* The protocol's timers as deadlines; see timers.h for each rule and where it comes from. */
#include "timers.h"

#include <string.h>

/*
 * A deadline of 0 means "not armed". Monotonic time plus a positive delay is never 0, so an
 * armed deadline cannot be mistaken for an unarmed one.
 */
static inline bool armed(uint64_t at)
{
	return at != 0;
}

static inline bool due(uint64_t at, uint64_t now)
{
	return armed(at) && at <= now;
}

/* The kernel's wg_birthdate_has_expired: inclusive, so "T old" holds from birth + T on. */
static inline bool aged(uint64_t birth, uint64_t age, uint64_t now)
{
	return birth + age <= now;
}

static inline uint64_t jitter(uint64_t jitter_ns)
{
	return jitter_ns % WG_REKEY_TIMEOUT_JITTER_MAX;
}

void wg_timers_init(struct wg_timers *t)
{
	memset(t, 0, sizeof(*t));
}

void wg_timers_stop(struct wg_timers *t)
{
	t->retransmit_handshake_at = 0;
	t->send_keepalive_at = 0;
	t->new_handshake_at = 0;
	t->zero_keys_at = 0;
	t->persistent_keepalive_at = 0;
	t->need_another_keepalive = false;
}

bool wg_timers_set_persistent_keepalive(struct wg_timers *t, uint16_t interval_s)
{
	bool turned_on = t->persistent_keepalive_interval == 0 && interval_s != 0;

	t->persistent_keepalive_interval = interval_s;
	if (interval_s == 0)
		t->persistent_keepalive_at = 0;
	return turned_on;
}

void wg_timers_on_handshake_initiated(struct wg_timers *t, uint64_t now, uint64_t jitter_ns)
{
	t->retransmit_handshake_at = now + WG_REKEY_TIMEOUT + jitter(jitter_ns);
}

void wg_timers_on_new_handshake_requested(struct wg_timers *t)
{
	t->handshake_attempts = 0;
}

void wg_timers_on_handshake_complete(struct wg_timers *t, uint64_t now)
{
	(void)now;
	t->retransmit_handshake_at = 0;
	t->handshake_attempts = 0;
	t->sent_lastminute_handshake = false;
}

void wg_timers_on_session_derived(struct wg_timers *t, uint64_t now)
{
	t->zero_keys_at = now + WG_ZERO_KEYS_AFTER;
}

void wg_timers_on_data_sent(struct wg_timers *t, uint64_t now, uint64_t jitter_ns)
{
	if (!armed(t->new_handshake_at))
		t->new_handshake_at =
			now + WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT + jitter(jitter_ns);
}

void wg_timers_on_data_received(struct wg_timers *t, uint64_t now)
{
	if (!armed(t->send_keepalive_at))
		t->send_keepalive_at = now + WG_KEEPALIVE_TIMEOUT;
	else
		t->need_another_keepalive = true;
}

void wg_timers_on_any_authenticated_sent(struct wg_timers *t, uint64_t now)
{
	(void)now;
	t->send_keepalive_at = 0;
}

void wg_timers_on_any_authenticated_received(struct wg_timers *t, uint64_t now)
{
	(void)now;
	t->new_handshake_at = 0;
}

void wg_timers_on_any_authenticated_traversal(struct wg_timers *t, uint64_t now)
{
	if (t->persistent_keepalive_interval)
		t->persistent_keepalive_at =
			now + (uint64_t)t->persistent_keepalive_interval * WG_NSEC_PER_SEC;
}

static unsigned int expire_retransmit_handshake(struct wg_timers *t, uint64_t now)
{
	t->retransmit_handshake_at = 0;
	if (t->handshake_attempts <= WG_MAX_TIMER_HANDSHAKES) {
		t->handshake_attempts++;
		return WG_TIMER_SEND_INITIATION;
	}
	/* Nobody answers: stop keeping the session alive and clean up what is left of it. */
	t->send_keepalive_at = 0;
	t->need_another_keepalive = false;
	if (!armed(t->zero_keys_at))
		t->zero_keys_at = now + WG_ZERO_KEYS_AFTER;
	return WG_TIMER_GIVE_UP;
}

static unsigned int expire_send_keepalive(struct wg_timers *t, uint64_t now)
{
	t->send_keepalive_at = 0;
	if (t->need_another_keepalive) {
		t->need_another_keepalive = false;
		t->send_keepalive_at = now + WG_KEEPALIVE_TIMEOUT;
	}
	return WG_TIMER_SEND_KEEPALIVE;
}

unsigned int wg_timers_poll(struct wg_timers *t, uint64_t now)
{
	unsigned int actions = 0;

	/* Retransmission first: a new_handshake expiring with it restarts the count after. */
	if (due(t->retransmit_handshake_at, now))
		actions |= expire_retransmit_handshake(t, now);
	if (due(t->send_keepalive_at, now))
		actions |= expire_send_keepalive(t, now);
	if (due(t->new_handshake_at, now)) {
		t->new_handshake_at = 0;
		t->handshake_attempts = 0;
		actions |= WG_TIMER_SEND_INITIATION;
	}
	if (due(t->zero_keys_at, now)) {
		t->zero_keys_at = 0;
		actions |= WG_TIMER_ZERO_KEYS;
	}
	if (due(t->persistent_keepalive_at, now)) {
		t->persistent_keepalive_at = 0;
		if (t->persistent_keepalive_interval)
			actions |= WG_TIMER_SEND_KEEPALIVE;
	}
	return actions;
}

static inline uint64_t earliest(uint64_t best, uint64_t at)
{
	return armed(at) && at < best ? at : best;
}

uint64_t wg_timers_next_deadline(const struct wg_timers *t)
{
	uint64_t next = UINT64_MAX;

	next = earliest(next, t->retransmit_handshake_at);
	next = earliest(next, t->send_keepalive_at);
	next = earliest(next, t->new_handshake_at);
	next = earliest(next, t->zero_keys_at);
	next = earliest(next, t->persistent_keepalive_at);
	return next;
}

bool wg_timers_should_rekey_on_send(bool we_are_initiator, uint64_t keypair_birth,
				    uint64_t send_counter, uint64_t now)
{
	return send_counter > WG_REKEY_AFTER_MESSAGES ||
	       (we_are_initiator && aged(keypair_birth, WG_REKEY_AFTER_TIME, now));
}

bool wg_timers_should_rekey_on_receive(bool we_are_initiator, uint64_t keypair_birth, uint64_t now)
{
	return we_are_initiator &&
	       aged(keypair_birth, WG_REJECT_AFTER_TIME - WG_KEEPALIVE_TIMEOUT - WG_REKEY_TIMEOUT,
		    now);
}

bool wg_timers_take_lastminute_rekey(struct wg_timers *t, bool we_are_initiator,
				     uint64_t keypair_birth, uint64_t now)
{
	if (t->sent_lastminute_handshake ||
	    !wg_timers_should_rekey_on_receive(we_are_initiator, keypair_birth, now))
		return false;
	t->sent_lastminute_handshake = true;
	return true;
}

bool wg_timers_keypair_expired(uint64_t keypair_birth, uint64_t counter, uint64_t now)
{
	return aged(keypair_birth, WG_REJECT_AFTER_TIME, now) ||
	       counter >= WG_REJECT_AFTER_MESSAGES;
}
