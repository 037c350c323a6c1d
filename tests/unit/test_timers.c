/* SPDX-License-Identifier: MIT */
/*
 * The protocol's timers driven by a hand-held clock: every rule is checked one nanosecond
 * before its deadline (nothing) and at it (the action), with the events that cancel it.
 */
#include <stdint.h>

#include "unit.h"
#include "wg/clock.h"
#include "wg/timers.h"

#define SEC(n) ((uint64_t)(n)*WG_NSEC_PER_SEC)
#define T0     SEC(1000) /* monotonic; anything but 0 */
#define JITTER 123456789ull

static void test_constants(void)
{
	/* Whitepaper 6.1, written out rather than derived from the macros under test. */
	CU_ASSERT_EQUAL(WG_REKEY_AFTER_MESSAGES, 1152921504606846976ull);
	/* 2^64 - 2^13 - 1, the whitepaper's value and wireguard-go's RejectAfterMessages. */
	CU_ASSERT_EQUAL(WG_REJECT_AFTER_MESSAGES, 18446744073709543423ull);
	CU_ASSERT_EQUAL(WG_REKEY_AFTER_TIME, 120000000000ull);
	CU_ASSERT_EQUAL(WG_REJECT_AFTER_TIME, 180000000000ull);
	CU_ASSERT_EQUAL(WG_REKEY_ATTEMPT_TIME, 90000000000ull);
	CU_ASSERT_EQUAL(WG_REKEY_TIMEOUT, 5000000000ull);
	CU_ASSERT_EQUAL(WG_KEEPALIVE_TIMEOUT, 10000000000ull);
	CU_ASSERT_EQUAL(WG_REKEY_TIMEOUT_JITTER_MAX, 333333333ull);
	CU_ASSERT_EQUAL(WG_ZERO_KEYS_AFTER, 540000000000ull);
	CU_ASSERT_EQUAL(WG_MAX_TIMER_HANDSHAKES, 18);
}

static void test_nothing_armed(void)
{
	struct wg_timers t;

	wg_timers_init(&t);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), UINT64_MAX);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0), 0);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, UINT64_MAX - 1), 0);
	CU_ASSERT_EQUAL(t.persistent_keepalive_interval, 0);
	CU_ASSERT_EQUAL(t.handshake_attempts, 0);
}

static void test_retransmit_after_rekey_timeout_plus_jitter(void)
{
	struct wg_timers t;
	uint64_t at = T0 + WG_REKEY_TIMEOUT + JITTER;

	wg_timers_init(&t);
	wg_timers_on_handshake_initiated(&t, T0, JITTER);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), at);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, at - 1), 0);
	CU_ASSERT_EQUAL(t.handshake_attempts, 0);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, at), WG_TIMER_SEND_INITIATION);
	CU_ASSERT_EQUAL(t.handshake_attempts, 1);
	/* One shot: it is the next initiation that arms it again. */
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), UINT64_MAX);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, at + SEC(60)), 0);

	/* A later initiation moves the deadline rather than adding one. */
	wg_timers_on_handshake_initiated(&t, T0, 0);
	wg_timers_on_handshake_initiated(&t, T0 + SEC(2), 0);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + WG_REKEY_TIMEOUT), 0);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + SEC(2) + WG_REKEY_TIMEOUT),
			WG_TIMER_SEND_INITIATION);
}

static void test_jitter_bounds(void)
{
	struct wg_timers t;

	wg_timers_init(&t);
	wg_timers_on_handshake_initiated(&t, T0, 0);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), T0 + WG_REKEY_TIMEOUT);
	wg_timers_on_handshake_initiated(&t, T0, WG_REKEY_TIMEOUT_JITTER_MAX - 1);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t),
			T0 + WG_REKEY_TIMEOUT + WG_REKEY_TIMEOUT_JITTER_MAX - 1);
	/* Out of range: reduced, so a raw random number never stretches the timer. */
	wg_timers_on_handshake_initiated(&t, T0, WG_REKEY_TIMEOUT_JITTER_MAX + 7);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), T0 + WG_REKEY_TIMEOUT + 7);
	wg_timers_on_handshake_initiated(&t, T0, UINT64_MAX);
	CU_ASSERT_TRUE(wg_timers_next_deadline(&t) <
		       T0 + WG_REKEY_TIMEOUT + WG_REKEY_TIMEOUT_JITTER_MAX);
}

/*
 * Plays the control loop for an unanswered handshake: each retransmission sends a new
 * initiation (re-arming the timer) until the timers give up. Returns the time it gave up and
 * the number of initiations sent, counting the first.
 */
static uint64_t run_until_give_up(struct wg_timers *t, uint64_t start, uint64_t jitter_ns,
				  unsigned int *initiations)
{
	uint64_t now = start;
	unsigned int actions;

	wg_timers_on_new_handshake_requested(t);
	wg_timers_on_handshake_initiated(t, now, jitter_ns);
	*initiations = 1;
	for (;;) {
		now = wg_timers_next_deadline(t);
		CU_ASSERT_FATAL(now != UINT64_MAX);
		CU_ASSERT_EQUAL(wg_timers_poll(t, now - 1), 0);
		actions = wg_timers_poll(t, now);
		if (actions != WG_TIMER_SEND_INITIATION)
			break;
		++*initiations;
		wg_timers_on_handshake_initiated(t, now, jitter_ns);
	}
	CU_ASSERT_EQUAL(actions, WG_TIMER_GIVE_UP);
	return now;
}

static void test_retries_until_rekey_attempt_time_then_give_up(void)
{
	struct wg_timers t;
	unsigned int initiations;
	uint64_t gave_up;

	wg_timers_init(&t);
	gave_up = run_until_give_up(&t, T0, 0, &initiations);
	/* The kernel's count: 18 = REKEY_ATTEMPT_TIME / REKEY_TIMEOUT retries allowed past the
	 * first, checked before counting, so 1 + 19 initiations and a give-up at 100 s. */
	CU_ASSERT_EQUAL(initiations, WG_MAX_TIMER_HANDSHAKES + 2);
	CU_ASSERT_EQUAL(gave_up, T0 + 20 * WG_REKEY_TIMEOUT);
	CU_ASSERT_TRUE(gave_up >= T0 + WG_REKEY_ATTEMPT_TIME);
	/* Gave up: no more retransmissions, only the key wipe is left. */
	CU_ASSERT_EQUAL(t.retransmit_handshake_at, 0);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), gave_up + WG_ZERO_KEYS_AFTER);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, gave_up + SEC(60)), 0);

	/* Jitter stretches the attempts, never shortens them. */
	wg_timers_init(&t);
	gave_up = run_until_give_up(&t, T0, WG_REKEY_TIMEOUT_JITTER_MAX - 1, &initiations);
	CU_ASSERT_EQUAL(initiations, WG_MAX_TIMER_HANDSHAKES + 2);
	CU_ASSERT_EQUAL(gave_up, T0 + 20 * (WG_REKEY_TIMEOUT + WG_REKEY_TIMEOUT_JITTER_MAX - 1));
}

static void test_give_up_cancels_keepalive_and_arms_zero_keys(void)
{
	struct wg_timers t;
	uint64_t now = T0;
	unsigned int i;

	wg_timers_init(&t);
	wg_timers_on_handshake_initiated(&t, now, 0);
	for (i = 0; i <= WG_MAX_TIMER_HANDSHAKES; i++) {
		now += WG_REKEY_TIMEOUT;
		CU_ASSERT_EQUAL_FATAL(wg_timers_poll(&t, now), WG_TIMER_SEND_INITIATION);
		wg_timers_on_handshake_initiated(&t, now, 0);
	}
	/* A passive keepalive owed past the give-up is dropped with the attempt. */
	wg_timers_on_data_received(&t, now);
	wg_timers_on_data_received(&t, now);
	CU_ASSERT_EQUAL(t.send_keepalive_at, now + WG_KEEPALIVE_TIMEOUT);
	CU_ASSERT_EQUAL(t.zero_keys_at, 0);
	now += WG_REKEY_TIMEOUT;
	CU_ASSERT_EQUAL(wg_timers_poll(&t, now), WG_TIMER_GIVE_UP);
	CU_ASSERT_EQUAL(t.send_keepalive_at, 0);
	CU_ASSERT_EQUAL(t.zero_keys_at, now + WG_ZERO_KEYS_AFTER);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, now + WG_ZERO_KEYS_AFTER - 1), 0);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, now + WG_ZERO_KEYS_AFTER), WG_TIMER_ZERO_KEYS);

	/* A key wipe already armed by a session is left where it was. */
	wg_timers_init(&t);
	wg_timers_on_session_derived(&t, T0 - SEC(30));
	run_until_give_up(&t, T0, 0, &i);
	CU_ASSERT_EQUAL(t.zero_keys_at, T0 - SEC(30) + WG_ZERO_KEYS_AFTER);
}

static void test_fresh_request_restarts_attempts(void)
{
	struct wg_timers t;
	uint64_t now = T0;
	unsigned int i, retries = 0, actions;

	wg_timers_init(&t);
	wg_timers_on_handshake_initiated(&t, now, 0);
	/* Data keeps wanting out: each request restarts the count, so it never gives up. */
	for (i = 0; i < 3 * WG_MAX_TIMER_HANDSHAKES; i++) {
		now += WG_REKEY_TIMEOUT;
		actions = wg_timers_poll(&t, now);
		CU_ASSERT_EQUAL(actions, WG_TIMER_SEND_INITIATION);
		retries += actions == WG_TIMER_SEND_INITIATION;
		wg_timers_on_handshake_initiated(&t, now, 0);
		if (i % 10 == 9)
			wg_timers_on_new_handshake_requested(&t);
	}
	CU_ASSERT_EQUAL(retries, 3 * WG_MAX_TIMER_HANDSHAKES);
	CU_ASSERT_TRUE(t.handshake_attempts <= 10);

	/* Once the data stops, the full budget runs out and it gives up. */
	for (i = 0; i < 2 * WG_MAX_TIMER_HANDSHAKES; i++) {
		now += WG_REKEY_TIMEOUT;
		actions = wg_timers_poll(&t, now);
		if (actions != WG_TIMER_SEND_INITIATION)
			break;
		wg_timers_on_handshake_initiated(&t, now, 0);
	}
	CU_ASSERT_EQUAL(actions, WG_TIMER_GIVE_UP);
	/* After giving up, a new request starts over with the whole budget. */
	wg_timers_on_new_handshake_requested(&t);
	CU_ASSERT_EQUAL(t.handshake_attempts, 0);
	run_until_give_up(&t, now, 0, &i);
	CU_ASSERT_EQUAL(i, WG_MAX_TIMER_HANDSHAKES + 2);
}

static void test_handshake_complete_stops_retransmit(void)
{
	struct wg_timers t;

	wg_timers_init(&t);
	wg_timers_on_handshake_initiated(&t, T0, JITTER);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + WG_REKEY_TIMEOUT + JITTER),
			WG_TIMER_SEND_INITIATION);
	wg_timers_on_handshake_initiated(&t, T0 + WG_REKEY_TIMEOUT + JITTER, JITTER);
	CU_ASSERT_EQUAL(t.handshake_attempts, 1);
	wg_timers_on_handshake_complete(&t, T0 + SEC(6));
	CU_ASSERT_EQUAL(t.handshake_attempts, 0);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), UINT64_MAX);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + SEC(60)), 0);
}

static void test_passive_keepalive(void)
{
	struct wg_timers t;

	/* Data received, nothing sent back for KEEPALIVE_TIMEOUT: a keepalive. */
	wg_timers_init(&t);
	wg_timers_on_data_received(&t, T0);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + WG_KEEPALIVE_TIMEOUT - 1), 0);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + WG_KEEPALIVE_TIMEOUT), WG_TIMER_SEND_KEEPALIVE);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), UINT64_MAX);

	/* We sent something in between: that answered, no keepalive. */
	wg_timers_init(&t);
	wg_timers_on_data_received(&t, T0);
	wg_timers_on_any_authenticated_sent(&t, T0 + SEC(3));
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), UINT64_MAX);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + WG_KEEPALIVE_TIMEOUT), 0);

	/* Sending data arms no keepalive; only receiving does. */
	wg_timers_init(&t);
	wg_timers_on_data_sent(&t, T0, 0);
	wg_timers_on_any_authenticated_sent(&t, T0);
	CU_ASSERT_EQUAL(t.send_keepalive_at, 0);
}

static void test_keepalive_owed_for_data_while_armed(void)
{
	struct wg_timers t;

	/* More data while armed does not push the deadline, but owes one more keepalive. */
	wg_timers_init(&t);
	wg_timers_on_data_received(&t, T0);
	wg_timers_on_data_received(&t, T0 + SEC(4));
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + WG_KEEPALIVE_TIMEOUT - 1), 0);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + WG_KEEPALIVE_TIMEOUT), WG_TIMER_SEND_KEEPALIVE);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), T0 + 2 * WG_KEEPALIVE_TIMEOUT);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + 2 * WG_KEEPALIVE_TIMEOUT - 1), 0);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + 2 * WG_KEEPALIVE_TIMEOUT), WG_TIMER_SEND_KEEPALIVE);
	/* Owed only once. */
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), UINT64_MAX);

	/* As in the kernel, the keepalive going out (any packet sent) cancels that re-arm. */
	wg_timers_init(&t);
	wg_timers_on_data_received(&t, T0);
	wg_timers_on_data_received(&t, T0 + SEC(4));
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + WG_KEEPALIVE_TIMEOUT), WG_TIMER_SEND_KEEPALIVE);
	wg_timers_on_any_authenticated_sent(&t, T0 + WG_KEEPALIVE_TIMEOUT);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), UINT64_MAX);
}

static void test_new_handshake_when_nothing_heard_back(void)
{
	struct wg_timers t;
	uint64_t at = T0 + WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT;

	/* Sent data, heard nothing for KEEPALIVE_TIMEOUT + REKEY_TIMEOUT: new handshake. */
	wg_timers_init(&t);
	wg_timers_on_data_sent(&t, T0, 0);
	wg_timers_on_data_sent(&t, T0 + SEC(5), 0); /* armed already: no later */
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), at);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, at - 1), 0);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, at), WG_TIMER_SEND_INITIATION);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), UINT64_MAX);

	/* With jitter. */
	wg_timers_init(&t);
	wg_timers_on_data_sent(&t, T0, JITTER);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, at + JITTER - 1), 0);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, at + JITTER), WG_TIMER_SEND_INITIATION);

	/* Anything authenticated heard back, a keepalive will do: no handshake. */
	wg_timers_init(&t);
	wg_timers_on_data_sent(&t, T0, 0);
	wg_timers_on_any_authenticated_received(&t, at - 1);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, at), 0);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), UINT64_MAX);
	/* The next data sent arms it again, from then. */
	wg_timers_on_data_sent(&t, at, 0);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), at + WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT);

	/* Receiving data arms no new handshake; only sending does. */
	wg_timers_init(&t);
	wg_timers_on_data_received(&t, T0);
	CU_ASSERT_EQUAL(t.new_handshake_at, 0);
}

static void test_new_handshake_restarts_attempts(void)
{
	struct wg_timers t;
	uint64_t now = T0;

	/* Retransmitting at 5, 10, 15 s; data sent at 1 s arms a new handshake at 16 s. */
	wg_timers_init(&t);
	wg_timers_on_handshake_initiated(&t, now, 0);
	wg_timers_on_data_sent(&t, T0 + SEC(1), 0);
	for (now = T0 + SEC(5); now <= T0 + SEC(15); now += SEC(5)) {
		CU_ASSERT_EQUAL(wg_timers_poll(&t, now), WG_TIMER_SEND_INITIATION);
		wg_timers_on_handshake_initiated(&t, now, 0);
	}
	CU_ASSERT_EQUAL(t.handshake_attempts, 3);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + SEC(16)), WG_TIMER_SEND_INITIATION);
	CU_ASSERT_EQUAL(t.handshake_attempts, 0);
}

static void test_zero_keys_after_three_reject_after_time(void)
{
	struct wg_timers t;

	wg_timers_init(&t);
	wg_timers_on_session_derived(&t, T0);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), T0 + SEC(540));
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + SEC(540) - 1), 0);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + SEC(540)), WG_TIMER_ZERO_KEYS);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + SEC(1080)), 0);

	/* Each new session pushes the wipe back. */
	wg_timers_init(&t);
	wg_timers_on_session_derived(&t, T0);
	wg_timers_on_session_derived(&t, T0 + SEC(100));
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + SEC(540)), 0);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + SEC(640) - 1), 0);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + SEC(640)), WG_TIMER_ZERO_KEYS);
}

static void test_persistent_keepalive(void)
{
	struct wg_timers t;
	uint64_t now = T0;
	int i;

	wg_timers_init(&t);
	/* Off: traffic arms nothing. */
	wg_timers_on_any_authenticated_traversal(&t, now);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), UINT64_MAX);

	/* Turning it on asks for a keepalive now; changing or repeating it does not. */
	CU_ASSERT_TRUE(wg_timers_set_persistent_keepalive(&t, 25));
	CU_ASSERT_FALSE(wg_timers_set_persistent_keepalive(&t, 25));
	CU_ASSERT_FALSE(wg_timers_set_persistent_keepalive(&t, 30));
	CU_ASSERT_EQUAL(t.persistent_keepalive_interval, 30);
	CU_ASSERT_FALSE(wg_timers_set_persistent_keepalive(&t, 25));

	/* The loop: each keepalive sent is a traversal that re-arms it; every 25 s exactly. */
	wg_timers_on_any_authenticated_traversal(&t, now);
	for (i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(wg_timers_poll(&t, now + SEC(25) - 1), 0);
		now += SEC(25);
		CU_ASSERT_EQUAL(wg_timers_poll(&t, now), WG_TIMER_SEND_KEEPALIVE);
		CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), UINT64_MAX);
		wg_timers_on_any_authenticated_traversal(&t, now);
	}

	/* Other traffic in between pushes it back. */
	wg_timers_on_any_authenticated_traversal(&t, now + SEC(10));
	CU_ASSERT_EQUAL(wg_timers_poll(&t, now + SEC(25)), 0);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, now + SEC(35)), WG_TIMER_SEND_KEEPALIVE);

	/* Turned off while armed: disarmed, and traffic no longer arms it. */
	wg_timers_on_any_authenticated_traversal(&t, now + SEC(35));
	CU_ASSERT_FALSE(wg_timers_set_persistent_keepalive(&t, 0));
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), UINT64_MAX);
	wg_timers_on_any_authenticated_traversal(&t, now + SEC(40));
	CU_ASSERT_EQUAL(wg_timers_poll(&t, now + SEC(100)), 0);
	CU_ASSERT_TRUE(wg_timers_set_persistent_keepalive(&t, 1));
	wg_timers_on_any_authenticated_traversal(&t, now);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), now + SEC(1));

	/* The largest interval the UAPI allows does not overflow. */
	CU_ASSERT_FALSE(wg_timers_set_persistent_keepalive(&t, 65535));
	wg_timers_on_any_authenticated_traversal(&t, now);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), now + SEC(65535));
}

static void test_next_deadline_is_earliest(void)
{
	struct wg_timers t;

	wg_timers_init(&t);
	wg_timers_set_persistent_keepalive(&t, 7);
	wg_timers_on_session_derived(&t, T0);		  /* T0 + 540 s */
	wg_timers_on_data_sent(&t, T0, 0);		  /* T0 + 15 s */
	wg_timers_on_data_received(&t, T0 + SEC(1));	  /* T0 + 11 s */
	wg_timers_on_any_authenticated_traversal(&t, T0); /* T0 + 7 s */
	wg_timers_on_handshake_initiated(&t, T0, JITTER); /* T0 + 5 s + jitter */

	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), T0 + SEC(5) + JITTER);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + SEC(5) + JITTER), WG_TIMER_SEND_INITIATION);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), T0 + SEC(7));
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + SEC(7)), WG_TIMER_SEND_KEEPALIVE);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), T0 + SEC(11));
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + SEC(11)), WG_TIMER_SEND_KEEPALIVE);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), T0 + SEC(15));
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + SEC(15)), WG_TIMER_SEND_INITIATION);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), T0 + SEC(540));
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + SEC(540)), WG_TIMER_ZERO_KEYS);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), UINT64_MAX);
}

static void test_late_poll_fires_everything_due(void)
{
	struct wg_timers t;

	wg_timers_init(&t);
	wg_timers_on_session_derived(&t, T0);
	wg_timers_on_data_sent(&t, T0, 0);
	wg_timers_on_data_received(&t, T0);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + SEC(600)),
			WG_TIMER_SEND_INITIATION | WG_TIMER_SEND_KEEPALIVE | WG_TIMER_ZERO_KEYS);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + SEC(600)), 0);
}

static void test_stop_disarms_all(void)
{
	struct wg_timers t;

	wg_timers_init(&t);
	wg_timers_set_persistent_keepalive(&t, 25);
	wg_timers_on_session_derived(&t, T0);
	wg_timers_on_data_sent(&t, T0, 0);
	wg_timers_on_data_received(&t, T0);
	wg_timers_on_data_received(&t, T0);
	wg_timers_on_any_authenticated_traversal(&t, T0);
	wg_timers_on_handshake_initiated(&t, T0, 0);
	CU_ASSERT_NOT_EQUAL(wg_timers_next_deadline(&t), UINT64_MAX);
	wg_timers_stop(&t);
	CU_ASSERT_EQUAL(wg_timers_next_deadline(&t), UINT64_MAX);
	CU_ASSERT_EQUAL(wg_timers_poll(&t, T0 + SEC(10000)), 0);
	CU_ASSERT_EQUAL(t.persistent_keepalive_interval, 25);
}

static void test_rekey_on_send(void)
{
	uint64_t small = 1000;

	/* Initiator: REKEY_AFTER_TIME old. */
	CU_ASSERT_FALSE(wg_timers_should_rekey_on_send(true, T0, small, T0));
	CU_ASSERT_FALSE(wg_timers_should_rekey_on_send(true, T0, small, T0 + SEC(120) - 1));
	CU_ASSERT_TRUE(wg_timers_should_rekey_on_send(true, T0, small, T0 + SEC(120)));
	/* Responder: never on age, so both ends do not rekey at once. */
	CU_ASSERT_FALSE(wg_timers_should_rekey_on_send(false, T0, small, T0 + SEC(120)));
	CU_ASSERT_FALSE(wg_timers_should_rekey_on_send(false, T0, small, T0 + SEC(179)));
	/* Either side: more than REKEY_AFTER_MESSAGES sent. */
	CU_ASSERT_FALSE(wg_timers_should_rekey_on_send(false, T0, 1ull << 60, T0));
	CU_ASSERT_TRUE(wg_timers_should_rekey_on_send(false, T0, (1ull << 60) + 1, T0));
	CU_ASSERT_FALSE(wg_timers_should_rekey_on_send(true, T0, 1ull << 60, T0));
	CU_ASSERT_TRUE(wg_timers_should_rekey_on_send(true, T0, (1ull << 60) + 1, T0));
}

static void test_rekey_on_receive(void)
{
	uint64_t at = T0 + SEC(165); /* REJECT - KEEPALIVE - REKEY_TIMEOUT */

	CU_ASSERT_FALSE(wg_timers_should_rekey_on_receive(true, T0, T0 + SEC(120)));
	CU_ASSERT_FALSE(wg_timers_should_rekey_on_receive(true, T0, at - 1));
	CU_ASSERT_TRUE(wg_timers_should_rekey_on_receive(true, T0, at));
	CU_ASSERT_FALSE(wg_timers_should_rekey_on_receive(false, T0, at));
	CU_ASSERT_FALSE(wg_timers_should_rekey_on_receive(false, T0, T0 + SEC(10000)));
}

static void test_lastminute_rekey_once_per_session(void)
{
	struct wg_timers t;
	uint64_t at = T0 + SEC(165);
	uint64_t birth2 = at + SEC(1);

	wg_timers_init(&t);
	CU_ASSERT_FALSE(wg_timers_take_lastminute_rekey(&t, false, T0, at));
	CU_ASSERT_FALSE(wg_timers_take_lastminute_rekey(&t, true, T0, at - 1));
	CU_ASSERT_TRUE(wg_timers_take_lastminute_rekey(&t, true, T0, at));
	/* Acted upon: not again for the next packets. */
	CU_ASSERT_FALSE(wg_timers_take_lastminute_rekey(&t, true, T0, at + 1));
	CU_ASSERT_FALSE(wg_timers_take_lastminute_rekey(&t, true, T0, at + SEC(10)));
	/* The handshake completes: the new session gets its own last-minute chance. */
	wg_timers_on_handshake_complete(&t, birth2);
	CU_ASSERT_FALSE(wg_timers_take_lastminute_rekey(&t, true, birth2, birth2 + SEC(165) - 1));
	CU_ASSERT_TRUE(wg_timers_take_lastminute_rekey(&t, true, birth2, birth2 + SEC(165)));
	CU_ASSERT_FALSE(wg_timers_take_lastminute_rekey(&t, true, birth2, birth2 + SEC(166)));
}

static void test_keypair_expiry(void)
{
	CU_ASSERT_FALSE(wg_timers_keypair_expired(T0, 0, T0));
	CU_ASSERT_FALSE(wg_timers_keypair_expired(T0, 0, T0 + SEC(180) - 1));
	CU_ASSERT_TRUE(wg_timers_keypair_expired(T0, 0, T0 + SEC(180)));
	CU_ASSERT_TRUE(wg_timers_keypair_expired(T0, 0, T0 + SEC(540)));
	CU_ASSERT_FALSE(wg_timers_keypair_expired(T0, 18446744073709543422ull, T0));
	CU_ASSERT_TRUE(wg_timers_keypair_expired(T0, 18446744073709543423ull, T0));
	CU_ASSERT_TRUE(wg_timers_keypair_expired(T0, UINT64_MAX, T0));
	/* A keypair born at time 0 of the clock is just as mortal. */
	CU_ASSERT_FALSE(wg_timers_keypair_expired(0, 0, SEC(180) - 1));
	CU_ASSERT_TRUE(wg_timers_keypair_expired(0, 0, SEC(180)));
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "constants are the whitepaper's", test_constants },
		{ "nothing armed, nothing due", test_nothing_armed },
		{ "retransmit at REKEY_TIMEOUT + jitter",
		  test_retransmit_after_rekey_timeout_plus_jitter },
		{ "jitter below 1/3 s", test_jitter_bounds },
		{ "retries for REKEY_ATTEMPT_TIME, then give up",
		  test_retries_until_rekey_attempt_time_then_give_up },
		{ "give up cancels keepalive, arms key wipe",
		  test_give_up_cancels_keepalive_and_arms_zero_keys },
		{ "fresh request restarts the attempts", test_fresh_request_restarts_attempts },
		{ "handshake complete stops retransmit", test_handshake_complete_stops_retransmit },
		{ "passive keepalive after 10 s", test_passive_keepalive },
		{ "one more keepalive owed", test_keepalive_owed_for_data_while_armed },
		{ "new handshake after 15 s unanswered",
		  test_new_handshake_when_nothing_heard_back },
		{ "new handshake restarts the attempts", test_new_handshake_restarts_attempts },
		{ "zero keys at 540 s", test_zero_keys_after_three_reject_after_time },
		{ "persistent keepalive every N s", test_persistent_keepalive },
		{ "next deadline is the earliest", test_next_deadline_is_earliest },
		{ "late poll fires all that is due", test_late_poll_fires_everything_due },
		{ "stop disarms everything", test_stop_disarms_all },
		{ "rekey on send: 120 s initiator, 2^60 messages", test_rekey_on_send },
		{ "rekey on receive: 165 s initiator", test_rekey_on_receive },
		{ "last-minute rekey once a session", test_lastminute_rekey_once_per_session },
		{ "expiry at 180 s or REJECT_AFTER_MESSAGES", test_keypair_expiry },
		CU_TEST_INFO_NULL,
	};

	return unit_run("timers", tests);
}
