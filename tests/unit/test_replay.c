/* SPDX-License-Identifier: MIT */
/*
 * The receive counter window. The rule, from the whitepaper and the header rather than from
 * the bitmap: with G the greatest counter accepted so far, a counter c is accepted once if
 * c < WG_REJECT_AFTER_MESSAGES and either c > G or G - c <= WG_REPLAY_WINDOW (8128); anything
 * else is refused and changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "wg/replay.h"

#define W      WG_REPLAY_WINDOW
#define REJECT WG_REJECT_AFTER_MESSAGES

static struct wg_replay rp;

/* Checks c and, when it is refused, that the state did not change. */
static bool check(uint64_t c)
{
	static struct wg_replay before;
	bool ok;

	memcpy(&before, &rp, sizeof(rp));
	ok = wg_replay_check(&rp, c);
	if (!ok && memcmp(&before, &rp, sizeof(rp)) != 0) {
		fprintf(stderr, "\nrefusing %llu changed the state\n", (unsigned long long)c);
		CU_FAIL("a refusal changed the state");
	}
	return ok;
}

/* Accepts lo..hi (inclusive) in order; true when all were accepted. */
static bool accept_range(uint64_t lo, uint64_t hi)
{
	bool all = true;

	for (uint64_t c = lo; c <= hi; c++)
		all &= check(c);
	return all;
}

static void test_constants(void)
{
	CU_ASSERT_EQUAL(WG_REPLAY_BITS, 8192);
	CU_ASSERT_EQUAL(WG_REPLAY_WINDOW, 8128);
	CU_ASSERT_EQUAL(WG_REPLAY_BITS % 64, 0);
}

static void test_zero_once(void)
{
	wg_replay_init(&rp);
	CU_ASSERT_TRUE(check(0));
	CU_ASSERT_FALSE(check(0));
	CU_ASSERT_TRUE(check(1));
	CU_ASSERT_FALSE(check(0));
	CU_ASSERT_FALSE(check(1));
}

static void test_duplicates(void)
{
	int refused = 0;

	wg_replay_init(&rp);
	CU_ASSERT_TRUE(accept_range(0, 1000));
	for (uint64_t c = 0; c <= 1000; c++)
		refused += !check(c);
	CU_ASSERT_EQUAL(refused, 1001);
	CU_ASSERT_TRUE(check(1001));
}

static void test_out_of_order(void)
{
	static const uint64_t order[] = { 1000, 999, 500, 1, 0, 1002, 1001, 64, 63, 65, 2000 };

	wg_replay_init(&rp);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		CU_ASSERT_TRUE(check(order[i]));
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		CU_ASSERT_FALSE(check(order[i]));
	/* The holes are still open. */
	CU_ASSERT_TRUE(check(2));
	CU_ASSERT_TRUE(check(998));
	CU_ASSERT_TRUE(check(1999));
}

/* The edge at every position of the greatest counter within its 64-bit word. */
static void test_window_edge(void)
{
	for (uint64_t g = 100000; g < 100000 + 64; g++) {
		wg_replay_init(&rp);
		CU_ASSERT_TRUE(check(g));
		CU_ASSERT_FALSE(check(g - W - 1)); /* 8129 behind: too old */
		CU_ASSERT_TRUE(check(g - W));	   /* 8128 behind: the oldest still inside */
		CU_ASSERT_FALSE(check(g - W));
		CU_ASSERT_TRUE(check(g - W + 1));
		CU_ASSERT_TRUE(check(g - 1));
		/* One step forward pushes the edge: g - W is now 8129 behind. */
		CU_ASSERT_TRUE(check(g + 1));
		CU_ASSERT_FALSE(check(g - W - 1));
		CU_ASSERT_TRUE(check(g + 1 - W + 1));
	}
}

/* The edge with the whole window seen except the two counters at it. */
static void test_window_edge_full(void)
{
	const uint64_t g = 3 * WG_REPLAY_BITS + 17;

	wg_replay_init(&rp);
	CU_ASSERT_TRUE(accept_range(0, g - W - 2));
	CU_ASSERT_TRUE(accept_range(g - W + 1, g));
	CU_ASSERT_FALSE(check(g - W - 1));
	CU_ASSERT_TRUE(check(g - W));
	CU_ASSERT_FALSE(check(g - W));
	CU_ASSERT_FALSE(check(g - W + 1));
}

/* Near zero the window reaches counter 0 only once the greatest is 8128. */
static void test_window_edge_low(void)
{
	wg_replay_init(&rp);
	CU_ASSERT_TRUE(check(W));
	CU_ASSERT_TRUE(check(0));
	wg_replay_init(&rp);
	CU_ASSERT_TRUE(check(W + 1));
	CU_ASSERT_FALSE(check(0));
	CU_ASSERT_TRUE(check(1));
}

static void test_jump_clears(void)
{
	uint64_t g;

	/* A jump of more than the bitmap: the new counters that share bits with old ones. */
	wg_replay_init(&rp);
	CU_ASSERT_TRUE(accept_range(0, 127));
	g = WG_REPLAY_BITS + 100;
	CU_ASSERT_TRUE(check(g));
	CU_ASSERT_TRUE(check(WG_REPLAY_BITS + 5)); /* same bit as 5 */
	CU_ASSERT_TRUE(check(g - W));		   /* the edge */
	CU_ASSERT_FALSE(check(g - W - 1));
	CU_ASSERT_FALSE(check(100));

	/* A jump of whole bitmaps at once, to a counter that has the bit of one seen. */
	wg_replay_init(&rp);
	CU_ASSERT_TRUE(accept_range(0, 8191));
	g = 8191 + 5 * (uint64_t)WG_REPLAY_BITS;
	CU_ASSERT_TRUE(check(g));
	CU_ASSERT_TRUE(accept_range(g - W, g - 1));

	/* A jump of a few words: what was skipped is new, what is still in the window is seen. */
	wg_replay_init(&rp);
	CU_ASSERT_TRUE(accept_range(0, 8191));
	g = 8191 + 64 * 5 + 3;
	CU_ASSERT_TRUE(check(g));
	CU_ASSERT_TRUE(accept_range(8192, g - 1));
	CU_ASSERT_FALSE(check(g - W)); /* seen before the jump */
	CU_ASSERT_FALSE(check(8191));
	CU_ASSERT_FALSE(check(g - W - 1));

	/* A jump to just below the limit. */
	wg_replay_init(&rp);
	CU_ASSERT_TRUE(accept_range(0, 10));
	CU_ASSERT_TRUE(check(REJECT - 1000));
	CU_ASSERT_TRUE(check(REJECT - 1000 - W));
	CU_ASSERT_FALSE(check(10));
}

static void test_reject_after_messages(void)
{
	/* The references accept 2^64 - 2^13 - 2, the last counter below 2^64 - 2^13 - 1. */
	wg_replay_init(&rp);
	CU_ASSERT_TRUE(check(18446744073709543422ull));
	CU_ASSERT_FALSE(check(18446744073709543423ull));
	wg_replay_init(&rp);
	CU_ASSERT_FALSE(check(UINT64_MAX));
	CU_ASSERT_FALSE(check(REJECT));
	CU_ASSERT_EQUAL(rp.next, 0);
	CU_ASSERT_TRUE(check(REJECT - 1));
	CU_ASSERT_FALSE(check(REJECT - 1));
	CU_ASSERT_FALSE(check(REJECT));
	CU_ASSERT_FALSE(check(REJECT + 1));
	CU_ASSERT_FALSE(check(UINT64_MAX - 1));
	CU_ASSERT_FALSE(check(UINT64_MAX));
	CU_ASSERT_TRUE(check(REJECT - 2));
	CU_ASSERT_TRUE(check(REJECT - 1 - W));
	CU_ASSERT_FALSE(check(REJECT - 2 - W));
	/* Refusals at the limit do not depend on what came before. */
	wg_replay_init(&rp);
	CU_ASSERT_TRUE(accept_range(REJECT - 300, REJECT - 1));
	CU_ASSERT_FALSE(check(REJECT));
}

/*
 * The reference: every counter accepted in this run, in a hash set, and the greatest. Slots
 * carry the number of the run that filled them, so a new run starts empty without clearing.
 */
#define SET_BITS 19
#define SET_SIZE (1u << SET_BITS)

struct ref_slot {
	uint64_t counter;
	uint32_t run; /* 0: never used */
};

static struct ref_slot *ref_set;
static uint32_t ref_run;
static uint64_t ref_max;
static bool ref_any;

static void ref_reset(void)
{
	ref_run++;
	ref_any = false;
	ref_max = 0;
}

/* The slot of c, or the empty one where it would go. */
static struct ref_slot *ref_find(uint64_t c)
{
	uint64_t h = c * 0x9e3779b97f4a7c15ull;

	for (uint32_t i = (uint32_t)(h >> (64 - SET_BITS));; i = (i + 1) & (SET_SIZE - 1))
		if (ref_set[i].run != ref_run || ref_set[i].counter == c)
			return &ref_set[i];
}

static bool ref_check(uint64_t c)
{
	struct ref_slot *s = ref_find(c);

	if (c >= REJECT || s->run == ref_run)
		return false;
	if (ref_any && c < ref_max && ref_max - c > W)
		return false;
	s->run = ref_run;
	s->counter = c;
	if (!ref_any || c > ref_max)
		ref_max = c;
	ref_any = true;
	return true;
}

static uint64_t rng_state = 0x6a09e667f3bcc908ull;

/* splitmix64: deterministic, so a failure is reproducible. */
static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return rng() % n;
}

/* a + d, or a - d, held inside [0, UINT64_MAX]. */
static uint64_t add_sat(uint64_t a, uint64_t d)
{
	return a > UINT64_MAX - d ? UINT64_MAX : a + d;
}

static uint64_t sub_sat(uint64_t a, uint64_t d)
{
	return a < d ? 0 : a - d;
}

struct diff_stats {
	uint64_t ops, accepted, mismatches;
};

static void diff_one(struct diff_stats *st, uint64_t c)
{
	bool want = ref_check(c), got = check(c);

	if (got != want && st->mismatches++ < 5)
		fprintf(stderr, "\ncounter %llu (greatest %llu): got %d, want %d\n",
			(unsigned long long)c, (unsigned long long)ref_max, got, want);
	st->accepted += got;
	st->ops++;
}

/* The next block of counters after the greatest, shuffled, with some lost and some repeated. */
static void diff_block(struct diff_stats *st, uint64_t *buf, size_t cap)
{
	uint64_t start = ref_any ? add_sat(ref_max, 1 + below(3)) : ref_max;
	size_t n = 1 + below(cap), keep = 0;

	for (size_t i = 0; i < n && keep < cap; i++) {
		if (below(10) == 0)
			continue; /* lost */
		buf[keep++] = add_sat(start, i);
		if (below(20) == 0 && keep < cap)
			buf[keep] = buf[keep - 1], keep++; /* duplicated */
	}
	for (size_t i = keep; i > 1; i--) {
		size_t j = below(i);
		uint64_t t = buf[i - 1];

		buf[i - 1] = buf[j];
		buf[j] = t;
	}
	for (size_t i = 0; i < keep; i++)
		diff_one(st, buf[i]);
}

/* One counter somewhere interesting relative to the greatest. */
static void diff_single(struct diff_stats *st)
{
	switch (below(6)) {
	case 0: /* around the window's edge */
		diff_one(st, sub_sat(ref_max, W - 3 + below(7)));
		break;
	case 1: /* anywhere inside or a little beyond */
		diff_one(st, sub_sat(ref_max, below(W + 200)));
		break;
	case 2: /* a jump of up to a few bitmaps */
		diff_one(st, add_sat(ref_max, below(4 * WG_REPLAY_BITS)));
		break;
	case 3: /* a jump of exactly whole bitmaps, give or take one */
		diff_one(st, add_sat(ref_max, (1 + below(3)) * WG_REPLAY_BITS - 1 + below(3)));
		break;
	case 4: /* near the limit */
		diff_one(st, REJECT - 2 + below(4));
		break;
	default: /* the greatest again */
		diff_one(st, ref_max);
		break;
	}
}

static uint64_t diff_base(void)
{
	switch (below(4)) {
	case 0:
		return 0;
	case 1:
		return below(1ull << 32);
	case 2:
		return rng() >> 2;
	default:
		return REJECT - below(3 * WG_REPLAY_BITS);
	}
}

static void test_differential(void)
{
	enum { OPS = 200000, BLOCK = 700 };
	struct diff_stats st = { 0 };
	uint64_t *buf = calloc(BLOCK, sizeof(*buf));

	ref_set = calloc(SET_SIZE, sizeof(*ref_set));
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ref_set);
	ref_run = 0;
	while (st.ops < OPS) {
		/* A run of up to ~20,000 operations from some starting counter. */
		uint64_t end = st.ops + 1000 + below(20000);

		wg_replay_init(&rp);
		ref_reset();
		diff_one(&st, diff_base());
		while (st.ops < end && st.ops < OPS) {
			if (below(3) == 0)
				diff_single(&st);
			else
				diff_block(&st, buf, BLOCK);
		}
	}
	CU_ASSERT_EQUAL(st.mismatches, 0);
	/* The mix is meant to exercise both answers a lot. */
	CU_ASSERT(st.accepted > st.ops / 4);
	CU_ASSERT(st.ops - st.accepted > st.ops / 20);
	free(ref_set);
	free(buf);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "constants", test_constants },
		{ "counter 0 once", test_zero_once },
		{ "duplicates refused", test_duplicates },
		{ "out of order inside the window", test_out_of_order },
		{ "window edge, every bit position", test_window_edge },
		{ "window edge, window full", test_window_edge_full },
		{ "window edge near zero", test_window_edge_low },
		{ "jumps forward clear old state", test_jump_clears },
		{ "REJECT_AFTER_MESSAGES", test_reject_after_messages },
		{ "200,000 random operations against a model", test_differential },
		CU_TEST_INFO_NULL,
	};

	return unit_run("replay", tests);
}
