/* SPDX-License-Identifier: MIT */
/*
 * lib/dp/stray.c's memory of stray sources: a source is found while it is fresh and only under
 * its own interface, address and port; a full probe window gives up its oldest source.
 */
#include <stdlib.h>
#include <string.h>

#include "stray.h"
#include "unit.h"

static struct dp_stray_note v4(uint16_t tid, uint8_t last, uint16_t port)
{
	struct dp_stray_note n = { .tid = tid, .ep = { .addr = { .family = 4 }, .port = port } };

	memcpy(n.ep.addr.bytes, (uint8_t[]){ 198, 51, 100, last }, 4);
	return n;
}

static void test_found_while_fresh(void)
{
	struct dp_stray *t = calloc(1, sizeof(*t));
	struct dp_stray_note a = v4(0, 7, 51820), other_port = v4(0, 7, 51821);
	struct dp_stray_note other_iface = v4(1, 7, 51820), other_host = v4(0, 8, 51820);
	uint64_t now = 1000 * WG_NSEC_PER_SEC;

	CU_ASSERT_FALSE(dp_stray_has(t, 0, &a.ep, now));
	dp_stray_add(t, &a, now);
	CU_ASSERT_TRUE(dp_stray_has(t, 0, &a.ep, now));
	CU_ASSERT_TRUE(dp_stray_has(t, 0, &a.ep, now + DP_STRAY_TTL_NS - 1));
	CU_ASSERT_FALSE(dp_stray_has(t, 0, &a.ep, now + DP_STRAY_TTL_NS));
	CU_ASSERT_FALSE(dp_stray_has(t, 0, &other_port.ep, now));
	CU_ASSERT_FALSE(dp_stray_has(t, other_iface.tid, &other_iface.ep, now));
	CU_ASSERT_FALSE(dp_stray_has(t, 0, &other_host.ep, now));
	CU_ASSERT_EQUAL(t->last_ns, now);
	/* Noted again: fresh again. */
	dp_stray_add(t, &a, now + WG_NSEC_PER_SEC);
	CU_ASSERT_TRUE(dp_stray_has(t, 0, &a.ep, now + DP_STRAY_TTL_NS));
	free(t);
}

static void test_ipv6(void)
{
	struct dp_stray *t = calloc(1, sizeof(*t));
	struct dp_stray_note a = { .ep = { .addr = { .family = 6 }, .port = 4500 } }, b;
	uint64_t now = 5 * WG_NSEC_PER_SEC;

	memset(a.ep.addr.bytes, 0x20, 16);
	b = a;
	b.ep.addr.bytes[15] ^= 1;
	dp_stray_add(t, &a, now);
	CU_ASSERT_TRUE(dp_stray_has(t, 0, &a.ep, now));
	CU_ASSERT_FALSE(dp_stray_has(t, 0, &b.ep, now));
	free(t);
}

/* More sources than the table holds: the latest are there, the table never grows. */
static void test_full(void)
{
	struct dp_stray *t = calloc(1, sizeof(*t));
	uint64_t now = 10 * WG_NSEC_PER_SEC;
	unsigned int found = 0, n = 4 * DP_STRAY_SLOTS;

	for (unsigned int i = 0; i < n; i++) {
		struct dp_stray_note s = v4((uint16_t)(i >> 8), (uint8_t)i, 1000);

		dp_stray_add(t, &s, now + i);
	}
	for (unsigned int i = n - 64; i < n; i++) {
		struct dp_stray_note s = v4((uint16_t)(i >> 8), (uint8_t)i, 1000);

		found += dp_stray_has(t, s.tid, &s.ep, now + n);
	}
	/* The newest 64 of 16384: each took the oldest slot of its window. */
	CU_ASSERT_EQUAL(found, 64);
	free(t);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "a source is found while fresh, and only itself", test_found_while_fresh },
		{ "IPv6 sources", test_ipv6 },
		{ "a full table keeps the newest", test_full },
		CU_TEST_INFO_NULL,
	};

	return unit_run("stray", tests);
}
