/* SPDX-License-Identifier: MIT */
/*
 * The handshake rate limiter: 20 a second per source with a burst of 5 (whitepaper 5.3),
 * IPv6 by /64, a bounded table, idle entries collected. The clock is driven by hand.
 */
#include <string.h>

#include "unit.h"
#include "wg/clock.h"
#include "wg/ratelimiter.h"

#define T0  (1000 * WG_NSEC_PER_SEC)
#define MS  WG_NSEC_PER_MSEC
#define SEC WG_NSEC_PER_SEC

static struct wg_rl_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct wg_rl_addr x = { .family = 4, .bytes = { a, b, c, d } };

	return x;
}

static struct wg_rl_addr v6(uint16_t net, uint8_t subnet, uint8_t host)
{
	struct wg_rl_addr x = { .family = 6, .bytes = { 0x20, 0x01, 0x0d, 0xb8 } };

	x.bytes[4] = (uint8_t)(net >> 8);
	x.bytes[5] = (uint8_t)net;
	x.bytes[7] = subnet;
	x.bytes[15] = host;
	return x;
}

static unsigned int burst(struct wg_ratelimiter *rl, const struct wg_rl_addr *a, uint64_t now,
			  unsigned int tries)
{
	unsigned int ok = 0;

	for (unsigned int i = 0; i < tries; i++)
		ok += wg_ratelimiter_allow(rl, a, now);
	return ok;
}

static void test_burst_then_refill(void)
{
	struct wg_ratelimiter *rl = wg_ratelimiter_create(64);
	struct wg_rl_addr a = v4(192, 0, 2, 1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(rl);
	CU_ASSERT_EQUAL(burst(rl, &a, T0, 10), 5);
	CU_ASSERT_FALSE(wg_ratelimiter_allow(rl, &a, T0 + 49 * MS));
	CU_ASSERT_TRUE(wg_ratelimiter_allow(rl, &a, T0 + 50 * MS));
	CU_ASSERT_FALSE(wg_ratelimiter_allow(rl, &a, T0 + 50 * MS));
	/* A long pause refills to the burst, not beyond. */
	CU_ASSERT_EQUAL(burst(rl, &a, T0 + 60 * SEC, 10), 5);
	wg_ratelimiter_free(rl);
}

static void test_sustained_rate(void)
{
	struct wg_ratelimiter *rl = wg_ratelimiter_create(64);
	struct wg_rl_addr a = v4(198, 51, 100, 7);
	unsigned int ok = 0;

	/* 1000 attempts a second for 10 s: 5 up front, then 20 a second. */
	for (uint64_t t = 0; t < 10 * SEC; t += MS)
		ok += wg_ratelimiter_allow(rl, &a, T0 + t);
	CU_ASSERT_TRUE(ok >= 204 && ok <= 206);
	wg_ratelimiter_free(rl);
}

static void test_sources_independent(void)
{
	struct wg_ratelimiter *rl = wg_ratelimiter_create(64);
	struct wg_rl_addr a = v4(192, 0, 2, 1), b = v4(192, 0, 2, 2);
	struct wg_rl_addr s1 = v6(1, 0, 1), s2 = v6(1, 0, 2), other64 = v6(1, 1, 1);
	/* An IPv6 address whose first bytes equal an IPv4 address's. */
	struct wg_rl_addr c4 = v4(0x20, 0x01, 0x0d, 0xb8), c6 = v6(0, 0, 0);

	CU_ASSERT_EQUAL(burst(rl, &a, T0, 10), 5);
	CU_ASSERT_EQUAL(burst(rl, &b, T0, 10), 5);
	/* Same /64: one bucket between them. */
	CU_ASSERT_EQUAL(burst(rl, &s1, T0, 3), 3);
	CU_ASSERT_EQUAL(burst(rl, &s2, T0, 10), 2);
	CU_ASSERT_EQUAL(burst(rl, &other64, T0, 10), 5);
	CU_ASSERT_EQUAL(burst(rl, &c4, T0, 10), 5);
	CU_ASSERT_EQUAL(burst(rl, &c6, T0, 10), 5);
	CU_ASSERT_EQUAL(wg_ratelimiter_count(rl), 6);
	wg_ratelimiter_free(rl);
}

/* Tenants: a source that spent its burst on one interface still has its burst on another. */
static void test_scopes_independent(void)
{
	struct wg_ratelimiter *rl = wg_ratelimiter_create(64);
	struct wg_rl_addr a = v4(192, 0, 2, 1), a_b = a, a_c = a;

	a_b.scope = 1;
	a_c.scope = 0x100; /* the scope's high byte counts too */
	CU_ASSERT_PTR_NOT_NULL_FATAL(rl);
	CU_ASSERT_EQUAL(burst(rl, &a, T0, 10), 5);
	CU_ASSERT_EQUAL(burst(rl, &a_b, T0, 10), 5);
	CU_ASSERT_EQUAL(burst(rl, &a_c, T0, 10), 5);
	CU_ASSERT_FALSE(wg_ratelimiter_allow(rl, &a, T0));
	CU_ASSERT_EQUAL(wg_ratelimiter_count(rl), 3);
	wg_ratelimiter_free(rl);
}

static void test_bounded_table(void)
{
	struct wg_ratelimiter *rl = wg_ratelimiter_create(8);
	struct wg_rl_addr a;

	for (uint8_t i = 0; i < 8; i++) {
		a = v4(10, 0, 0, i);
		CU_ASSERT_TRUE(wg_ratelimiter_allow(rl, &a, T0));
	}
	a = v4(10, 0, 0, 200);
	CU_ASSERT_FALSE(wg_ratelimiter_allow(rl, &a, T0));
	CU_ASSERT_EQUAL(wg_ratelimiter_count(rl), 8);
	a = v4(10, 0, 0, 3);
	CU_ASSERT_TRUE(wg_ratelimiter_allow(rl, &a, T0)); /* known sources still served */
	wg_ratelimiter_free(rl);
}

static void test_gc(void)
{
	struct wg_ratelimiter *rl = wg_ratelimiter_create(8);
	struct wg_rl_addr a = v4(10, 0, 0, 1), b = v4(10, 0, 0, 2), c = v4(10, 0, 0, 3);

	CU_ASSERT_EQUAL(burst(rl, &a, T0, 10), 5);
	CU_ASSERT_TRUE(wg_ratelimiter_allow(rl, &b, T0 + 900 * MS));
	wg_ratelimiter_gc(rl, T0 + SEC); /* neither idle for more than a second yet */
	CU_ASSERT_EQUAL(wg_ratelimiter_count(rl), 2);
	wg_ratelimiter_gc(rl, T0 + SEC + 1);
	CU_ASSERT_EQUAL(wg_ratelimiter_count(rl), 1);
	wg_ratelimiter_gc(rl, T0 + 3 * SEC);
	CU_ASSERT_EQUAL(wg_ratelimiter_count(rl), 0);
	/* A collected source starts again with a full burst; freed slots are reused. */
	CU_ASSERT_EQUAL(burst(rl, &a, T0 + 3 * SEC, 10), 5);
	for (uint8_t i = 10; i < 17; i++) {
		c = v4(10, 0, 1, i);
		CU_ASSERT_TRUE(wg_ratelimiter_allow(rl, &c, T0 + 3 * SEC));
	}
	CU_ASSERT_EQUAL(wg_ratelimiter_count(rl), 8);
	wg_ratelimiter_free(rl);
}

static void test_clock_backwards(void)
{
	struct wg_ratelimiter *rl = wg_ratelimiter_create(8);
	struct wg_rl_addr a = v4(10, 0, 0, 1);

	CU_ASSERT_EQUAL(burst(rl, &a, T0, 10), 5);
	/* Time going back grants nothing, and going forward again counts from the step back. */
	CU_ASSERT_EQUAL(burst(rl, &a, T0 - 10 * SEC, 10), 0);
	CU_ASSERT_EQUAL(burst(rl, &a, T0 - 10 * SEC + 50 * MS, 10), 1);
	wg_ratelimiter_gc(rl, 0);
	CU_ASSERT_EQUAL(wg_ratelimiter_count(rl), 1);
	wg_ratelimiter_free(rl);
}

static void test_bad_input(void)
{
	struct wg_ratelimiter *rl = wg_ratelimiter_create(8);
	struct wg_rl_addr junk = { .family = 9 };

	CU_ASSERT_PTR_NULL(wg_ratelimiter_create(0));
	CU_ASSERT_FALSE(wg_ratelimiter_allow(rl, &junk, T0));
	CU_ASSERT_EQUAL(wg_ratelimiter_count(rl), 0);
	wg_ratelimiter_free(rl);
	wg_ratelimiter_free(NULL);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "burst of 5, then one per 50 ms", test_burst_then_refill },
		{ "sustained: 20 a second over 10 s", test_sustained_rate },
		{ "sources independent, IPv6 by /64", test_sources_independent },
		{ "interfaces (scopes) have their own buckets", test_scopes_independent },
		{ "bounded table refuses new sources", test_bounded_table },
		{ "idle entries collected", test_gc },
		{ "clock going backwards", test_clock_backwards },
		{ "bad input", test_bad_input },
		CU_TEST_INFO_NULL,
	};

	return unit_run("ratelimiter", tests);
}
