/* SPDX-License-Identifier: MIT */
/* X25519 against RFC 7748 sections 5.2 and 6.1, and refusal of low-order points. */
#include <string.h>

#include "crypto/ct.h"
#include "crypto/x25519.h"
#include "unit.h"

static void check_vector(const char *scalar_hex, const char *u_hex, const char *out_hex)
{
	uint8_t scalar[32], u[32], want[32], out[32];

	unit_hex(scalar, 32, scalar_hex);
	unit_hex(u, 32, u_hex);
	unit_hex(want, 32, out_hex);
	CU_ASSERT_TRUE(wgc_x25519(out, scalar, u));
	UNIT_ASSERT_MEM(out, want, 32);
}

/* RFC 7748 5.2. The second u has its top bit set, which X25519 must ignore. */
static void test_rfc7748_5_2(void)
{
	check_vector("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
		     "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
		     "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
	check_vector("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
		     "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
		     "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
}

/* RFC 7748 5.2, iterated: k = X25519(k, u), u = old k, from k = u = 9. */
static void test_rfc7748_iterated(void)
{
	uint8_t k[32] = { 9 }, u[32] = { 9 }, out[32], want1[32], want1000[32];

	unit_hex(want1, 32, "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
	unit_hex(want1000, 32,
		 "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
	for (int i = 1; i <= 1000; i++) {
		CU_ASSERT_TRUE_FATAL(wgc_x25519(out, k, u));
		memcpy(u, k, 32);
		memcpy(k, out, 32);
		if (i == 1)
			UNIT_ASSERT_MEM(k, want1, 32);
	}
	UNIT_ASSERT_MEM(k, want1000, 32);
}

/* RFC 7748 6.1: Alice and Bob. */
static void test_rfc7748_6_1(void)
{
	uint8_t a_priv[32], a_pub[32], b_priv[32], b_pub[32], shared[32], pub[32], out[32];

	unit_hex(a_priv, 32, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	unit_hex(a_pub, 32, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	unit_hex(b_priv, 32, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	unit_hex(b_pub, 32, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	unit_hex(shared, 32, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

	CU_ASSERT_TRUE(wgc_x25519_public(pub, a_priv));
	UNIT_ASSERT_MEM(pub, a_pub, 32);
	CU_ASSERT_TRUE(wgc_x25519_public(pub, b_priv));
	UNIT_ASSERT_MEM(pub, b_pub, 32);
	CU_ASSERT_TRUE(wgc_x25519(out, a_priv, b_pub));
	UNIT_ASSERT_MEM(out, shared, 32);
	CU_ASSERT_TRUE(wgc_x25519(out, b_priv, a_pub));
	UNIT_ASSERT_MEM(out, shared, 32);
}

/*
 * The points of small order (and their non-canonical encodings p-1, p, p+1), as listed with
 * libsodium's and the Linux kernel's Curve25519 checks: each makes the shared secret all
 * zeros, which must be refused rather than used as a key.
 */
static void test_low_order_points(void)
{
	static const char *const points[] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	};
	uint8_t priv[32], u[32], out[32];

	wgc_x25519_generate(priv);
	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		unit_hex(u, 32, points[i]);
		memset(out, 0xaa, sizeof(out));
		CU_ASSERT_FALSE(wgc_x25519(out, priv, u));
		/* Nothing usable may be left in the output either. */
		CU_ASSERT_TRUE(wgc_ct_is_zero(out, 32));
	}
}

static void test_generate_clamps(void)
{
	uint8_t a[32], b[32], pub[32];

	for (int i = 0; i < 64; i++) {
		wgc_x25519_generate(a);
		CU_ASSERT_EQUAL(a[0] & 7, 0);
		CU_ASSERT_EQUAL(a[31] & 0x80, 0);
		CU_ASSERT_EQUAL(a[31] & 0x40, 0x40);
		CU_ASSERT_TRUE(wgc_x25519_public(pub, a));
	}
	wgc_x25519_generate(b);
	CU_ASSERT_FALSE(memcmp(a, b, 32) == 0);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "RFC 7748 5.2 vectors", test_rfc7748_5_2 },
		{ "RFC 7748 5.2 iterated 1 and 1000", test_rfc7748_iterated },
		{ "RFC 7748 6.1 Diffie-Hellman", test_rfc7748_6_1 },
		{ "low-order points refused", test_low_order_points },
		{ "generated keys are clamped", test_generate_clamps },
		CU_TEST_INFO_NULL,
	};

	if (wgc_init() != 0)
		return 2;
	return unit_run("x25519", tests);
}
