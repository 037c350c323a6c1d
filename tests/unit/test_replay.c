/* SPDX-License-Identifier: MIT */
/*
 * The replay window (whitepaper 5.4.6): a counter is accepted once, and only while it is fewer
 * than 8128 (WG_REPLAY_WINDOW) behind the greatest accepted; counters at or past
 * REJECT_AFTER_MESSAGES never are. The expectations below come from that rule, and the
 * randomized test checks the bitmap against a plain model of it (a set of seen counters and
 * the greatest), not against its own output.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "wg/replay.h"

static struct wg_replay r;

static void test_first_and_duplicates(void)
{
	wg_replay_init(&r);
	CU_ASSERT_TRUE(wg_replay_check(&r, 0));
	CU_ASSERT_FALSE(wg_replay_check(&r, 0));
	CU_ASSERT_TRUE(wg_replay_check(&r, 1));
	CU_ASSERT_FALSE(wg_replay_check(&r, 1));
	CU_ASSERT_FALSE(wg_replay_check(&r, 0));
	/* A first packet need not be counter 0. */
	wg_replay_init(&r);
	CU_ASSERT_TRUE(wg_replay_check(&r, 5000));
	CU_ASSERT_TRUE(wg_replay_check(&r, 0));
	CU_ASSERT_FALSE(wg_replay_check(&r, 5000));
}

static void test_out_of_order_within_window(void)
{
	wg_replay_init(&r);
	CU_ASSERT_TRUE(wg_replay_check(&r, 100));
	for (uint64_t c = 99; c > 0; c--)
		CU_ASSERT_TRUE(wg_replay_check(&r, c));
	for (uint64_t c = 1; c <= 100; c++)
		CU_ASSERT_FALSE(wg_replay_check(&r, c));
}

static void test_window_edge(void)
{
	const uint64_t top = 20000;

	wg_replay_init(&r);
	CU_ASSERT_TRUE(wg_replay_check(&r, top));
	/* 8127 behind: the oldest still inside; 8128 behind: the first outside. */
	CU_ASSERT_FALSE(wg_replay_check(&r, top - WG_REPLAY_WINDOW));
	CU_ASSERT_TRUE(wg_replay_check(&r, top - WG_REPLAY_WINDOW + 1));
	CU_ASSERT_FALSE(wg_replay_check(&r, top - WG_REPLAY_WINDOW + 1));
	CU_ASSERT_FALSE(wg_replay_check(&r, top - WG_REPLAY_WINDOW - 1));
	CU_ASSERT_FALSE(wg_replay_check(&r, 0));
	/* Moving the top by one moves the edge by one. */
	CU_ASSERT_TRUE(wg_replay_check(&r, top + 1));
	CU_ASSERT_FALSE(wg_replay_check(&r, top + 1 - WG_REPLAY_WINDOW));
	CU_ASSERT_TRUE(wg_replay_check(&r, top + 2 - WG_REPLAY_WINDOW));
	CU_ASSERT_EQUAL(WG_REPLAY_WINDOW, 8128);
}

static void test_every_counter_of_a_full_window(void)
{
	/* Fill the whole window out of order, then every one of them is a replay. */
	const uint64_t top = 3 * WG_REPLAY_BITS + 17;

	wg_replay_init(&r);
	CU_ASSERT_TRUE(wg_replay_check(&r, top));
	for (uint64_t d = WG_REPLAY_WINDOW - 1; d > 0; d--)
		CU_ASSERT_TRUE(wg_replay_check(&r, top - d));
	for (uint64_t d = 0; d < WG_REPLAY_WINDOW; d++)
		CU_ASSERT_FALSE(wg_replay_check(&r, top - d));
}

static void test_big_jump_forgets_old(void)
{
	wg_replay_init(&r);
	for (uint64_t c = 0; c < 100; c++)
		CU_ASSERT_TRUE(wg_replay_check(&r, c));
	/* A jump of more than the whole bitmap: the words must not keep old bits. */
	CU_ASSERT_TRUE(wg_replay_check(&r, 10 * WG_REPLAY_BITS + 5));
	/* Same positions mod the bitmap size, now inside the window and never seen. */
	CU_ASSERT_TRUE(wg_replay_check(&r, 10 * WG_REPLAY_BITS + 5 - 64));
	CU_ASSERT_TRUE(wg_replay_check(&r, 10 * WG_REPLAY_BITS));
	CU_ASSERT_TRUE(wg_replay_check(&r, 10 * WG_REPLAY_BITS + 1));
	/* A jump of exactly one word past the top clears only that word's stale bits. */
	wg_replay_init(&r);
	CU_ASSERT_TRUE(wg_replay_check(&r, 63));
	CU_ASSERT_TRUE(wg_replay_check(&r, 63 + WG_REPLAY_BITS));
	CU_ASSERT_TRUE(wg_replay_check(&r, 63 + WG_REPLAY_BITS - 1));
}

static void test_reject_after_messages(void)
{
	const uint64_t last = WG_REJECT_AFTER_MESSAGES - 1;

	wg_replay_init(&r);
	CU_ASSERT_FALSE(wg_replay_check(&r, WG_REJECT_AFTER_MESSAGES));
	CU_ASSERT_FALSE(wg_replay_check(&r, UINT64_MAX));
	CU_ASSERT_TRUE(wg_replay_check(&r, last));
	CU_ASSERT_FALSE(wg_replay_check(&r, last));
	CU_ASSERT_FALSE(wg_replay_check(&r, WG_REJECT_AFTER_MESSAGES));
	CU_ASSERT_TRUE(wg_replay_check(&r, last - 1));
	CU_ASSERT_TRUE(wg_replay_check(&r, last - WG_REPLAY_WINDOW + 1));
	CU_ASSERT_FALSE(wg_replay_check(&r, last - WG_REPLAY_WINDOW));
	/* The constant is the whitepaper's 2^64 - 2^13 - 1. */
	CU_ASSERT_EQUAL(WG_REJECT_AFTER_MESSAGES, UINT64_MAX - 8192 - 1 + 0);
}

/* The model: accepted iff below the limit, never seen, and not 8128 or more behind the top. */
#define MODEL_RANGE (1u << 25)

static void test_against_model(void)
{
	uint8_t *seen = calloc(MODEL_RANGE / 8, 1);
	uint64_t top = 0;
	bool any = false;
	unsigned int mismatches = 0, accepted = 0, ops = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(seen);
	srandom(6479);
	wg_replay_init(&r);
	for (unsigned int i = 0; i < 200000; i++) {
		/* Mostly reordering around the window's edge, some small steps forward, now and
		 * then a jump past the whole bitmap. */
		long dice = random() % 1000;
		long step = dice < 1 ? random() % 30000 : dice < 11 ? random() % 2000
								    : random() % 8400 - 8200;
		int64_t c = (int64_t)top + step;
		bool expect, got;

		if (c < 0)
			c = random() % 64;
		if (c >= MODEL_RANGE)
			break;
		expect = !(seen[c / 8] & (1u << (c % 8))) &&
			 (!any || (uint64_t)c > top || top - (uint64_t)c < WG_REPLAY_WINDOW);
		got = wg_replay_check(&r, (uint64_t)c);
		ops++;
		if (got != expect)
			mismatches++;
		if (expect) {
			seen[c / 8] |= (uint8_t)(1u << (c % 8));
			accepted++;
			if (!any || (uint64_t)c > top)
				top = (uint64_t)c;
			any = true;
		}
	}
	CU_ASSERT_EQUAL(ops, 200000);
	CU_ASSERT_EQUAL(mismatches, 0);
	CU_ASSERT_TRUE(accepted > 10000); /* the walk exercised acceptance, not just refusal */
	free(seen);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "first counter once, duplicates refused", test_first_and_duplicates },
		{ "out of order within the window", test_out_of_order_within_window },
		{ "window edge: 8127 behind in, 8128 out", test_window_edge },
		{ "a whole window filled out of order", test_every_counter_of_a_full_window },
		{ "jumps past the bitmap forget old bits", test_big_jump_forgets_old },
		{ "REJECT_AFTER_MESSAGES", test_reject_after_messages },
		{ "200,000 random counters against a model", test_against_model },
		CU_TEST_INFO_NULL,
	};

	return unit_run("replay", tests);
}
