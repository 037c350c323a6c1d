/* SPDX-License-Identifier: MIT */
/* Constant-time helpers, zeroing and randomness. */
#include <string.h>

#include "crypto/ct.h"
#include "unit.h"

static void test_equal(void)
{
	uint8_t a[64], b[64];

	wgc_random(a, sizeof(a));
	memcpy(b, a, sizeof(b));
	CU_ASSERT_TRUE(wgc_ct_equal(a, b, sizeof(a)));
	CU_ASSERT_TRUE(wgc_ct_equal(a, b, 0));
	b[0] ^= 1;
	CU_ASSERT_FALSE(wgc_ct_equal(a, b, sizeof(a)));
	CU_ASSERT_TRUE(wgc_ct_equal(a + 1, b + 1, sizeof(a) - 1));
	b[0] ^= 1;
	b[63] ^= 0x80;
	CU_ASSERT_FALSE(wgc_ct_equal(a, b, sizeof(a)));
	CU_ASSERT_TRUE(wgc_ct_equal(a, b, 63));
}

static void test_is_zero(void)
{
	uint8_t z[48] = { 0 };

	CU_ASSERT_TRUE(wgc_ct_is_zero(z, sizeof(z)));
	z[47] = 1;
	CU_ASSERT_FALSE(wgc_ct_is_zero(z, sizeof(z)));
	CU_ASSERT_TRUE(wgc_ct_is_zero(z, 47));
	z[0] = 0x80;
	CU_ASSERT_FALSE(wgc_ct_is_zero(z, 1));
}

static void test_memzero(void)
{
	uint8_t secret[100];

	memset(secret, 0x5a, sizeof(secret));
	wgc_memzero(secret + 10, 80);
	CU_ASSERT_EQUAL(secret[9], 0x5a);
	CU_ASSERT_TRUE(wgc_ct_is_zero(secret + 10, 80));
	CU_ASSERT_EQUAL(secret[90], 0x5a);
}

static void test_random(void)
{
	uint8_t a[32], b[32];
	uint32_t first = wgc_random_u32();
	bool varied = false;

	wgc_random(a, sizeof(a));
	wgc_random(b, sizeof(b));
	CU_ASSERT_FALSE(memcmp(a, b, sizeof(a)) == 0);
	CU_ASSERT_FALSE(wgc_ct_is_zero(a, sizeof(a)));
	/* 2^-32 per draw that this flakes; 16 draws make it vanish. */
	for (int i = 0; i < 16; i++)
		varied |= wgc_random_u32() != first;
	CU_ASSERT_TRUE(varied);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "constant-time equality", test_equal },
		{ "constant-time zero check", test_is_zero },
		{ "memzero zeroes exactly its range", test_memzero },
		{ "random bytes differ", test_random },
		CU_TEST_INFO_NULL,
	};

	if (wgc_init() != 0)
		return 2;
	return unit_run("ct", tests);
}
