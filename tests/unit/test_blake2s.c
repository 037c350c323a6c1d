/* SPDX-License-Identifier: MIT */
/*
 * BLAKE2s, MAC, HMAC and the whitepaper's KDF against published vectors, against libb2 (an
 * implementation we do not use any more) and, for the precomputed keys, against themselves
 * computed the plain way.
 */
#include <string.h>

#include <blake2.h>

#include "crypto/blake2s.h"
#include "crypto/ct.h"
#include "unit.h"

/* RFC 7693 appendix B: BLAKE2s-256("abc"). Empty input: the BLAKE2 reference's unkeyed KAT. */
static void test_hash(void)
{
	uint8_t out[32], want[32];

	wgc_hash(out, "abc", 3);
	unit_hex(want, 32, "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	UNIT_ASSERT_MEM(out, want, 32);
	wgc_hash(out, "", 0);
	unit_hex(want, 32, "69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9");
	UNIT_ASSERT_MEM(out, want, 32);
}

/*
 * The BLAKE2 reference implementation's keyed KAT (testvectors/blake2s-kat.txt): key
 * 00 01 .. 1f, input 00 01 .. (n-1).
 */
static void test_keyed_kat(void)
{
	static const struct {
		size_t len;
		const char *hash;
	} kat[] = {
		{ 0, "48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49" },
		{ 1, "40d15fee7c328830166ac3f918650f807e7e01e177258cdc0a39b11f598066f1" },
		{ 2, "6bb71300644cd3991b26ccd4d274acd1adeab8b1d7914546c1198bbe9fc9d803" },
		{ 63, "c65382513f07460da39833cb666c5ed82e61b9e998f4b0c4287cee56c3cc9bcd" },
		{ 64, "8975b0577fd35566d750b362b0897a26c399136df07bababbde6203ff2954ed4" },
		{ 65, "21fe0ceb0052be7fb0f004187cacd7de67fa6eb0938d927677f2398c132317a8" },
		{ 255, "3fb735061abc519dfe979e54c1ee5bfad0a9d858b3315bad34bde999efd724dd" },
	};
	uint8_t key[32], in[255], out[32], want[32];
	struct wgc_blake2s s;

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		unit_hex(want, 32, kat[i].hash);
		wgc_blake2s(out, 32, in, kat[i].len, key, sizeof(key));
		UNIT_ASSERT_MEM(out, want, 32);
		/* Incremental, split at every third of the input: the same. */
		wgc_blake2s_init(&s, 32, key, sizeof(key));
		wgc_blake2s_update(&s, in, kat[i].len / 3);
		wgc_blake2s_update(&s, in + kat[i].len / 3, kat[i].len - kat[i].len / 3);
		wgc_blake2s_final(&s, out);
		UNIT_ASSERT_MEM(out, want, 32);
	}
}

/* MAC is keyed BLAKE2s with a 16-byte output: a different hash, not a truncation. */
static void test_mac(void)
{
	uint8_t key[32], out[16], full[32], direct[16];

	wgc_random(key, sizeof(key));
	wgc_mac(out, key, sizeof(key), "message", 7);
	wgc_blake2s(direct, 16, "message", 7, key, sizeof(key));
	UNIT_ASSERT_MEM(out, direct, 16);
	wgc_blake2s(full, 32, "message", 7, key, sizeof(key));
	CU_ASSERT_FALSE(memcmp(out, full, 16) == 0);
}

/* RFC 2104 built by hand in the test from the hash, against wgc_hmac. */
static void reference_hmac(uint8_t out[32], const uint8_t *key, size_t keylen, const uint8_t *in,
			   size_t inlen)
{
	uint8_t k[64] = { 0 }, pad[64 + 300], inner[32];

	if (keylen > 64)
		wgc_hash(k, key, keylen);
	else if (keylen)
		memcpy(k, key, keylen);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	memcpy(pad + 64, in, inlen);
	wgc_hash(inner, pad, 64 + inlen);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	memcpy(pad + 64, inner, 32);
	wgc_hash(out, pad, 64 + 32);
}

static void test_hmac(void)
{
	static const size_t keylens[] = { 0, 1, 32, 64, 65, 100 };
	uint8_t key[100], in[300], out[32], want[32];

	wgc_random(key, sizeof(key));
	wgc_random(in, sizeof(in));
	for (size_t i = 0; i < sizeof(keylens) / sizeof(keylens[0]); i++) {
		reference_hmac(want, key, keylens[i], in, 200);
		wgc_hmac(out, key, keylens[i], in, 200);
		UNIT_ASSERT_MEM(out, want, 32);
	}
}

/* WireGuard/wireguard-go device/kdf_test.go: KDF1/2/3 of (key, input) in hex. */
static void test_kdf_wireguard_go(void)
{
	static const struct {
		const char *key, *input, *t0, *t1, *t2;
	} v[] = {
		{ "746573742d6b6579", "746573742d696e707574",
		  "6f0e5ad38daba1bea8a0d213688736f19763239305e0f58aba697f9ffc41c633",
		  "df1194df20802a4fe594cde27e92991c8cae66c366e8106aaa937a55fa371e8a",
		  "fac6e2745a325f5dc5d11a5b165aad08b0ada28e7b4e666b7c077934a4d76c24" },
		{ "776972656775617264", "776972656775617264",
		  "491d43bbfdaa8750aaf535e334ecbfe5129967cd64635101c566d4caefda96e8",
		  "1e71a379baefd8a79aa4662212fcafe19a23e2b609a3db7d6bcba8f560e3d25f",
		  "31e1ae48bddfbe5de38f295e5452b1909a1b4e38e183926af3780b0c1e1f0160" },
		{ "", "", "8387b46bf43eccfcf349552a095d8315c4055beb90208fb1be23b894bc2ed5d0",
		  "58a0e5f6faefccf4807bff1f05fa8a9217945762040bcec2f4b4a62bdfe0e86e",
		  "0ce6ea98ec548f8e281e93e32db65621c45eb18dc6f0a7ad94178610a2f7338e" },
	};
	uint8_t key[32], in[32], t[3][32], want[3][32];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t keylen = unit_hex(key, sizeof(key), v[i].key);
		size_t inlen = unit_hex(in, sizeof(in), v[i].input);

		unit_hex(want[0], 32, v[i].t0);
		unit_hex(want[1], 32, v[i].t1);
		unit_hex(want[2], 32, v[i].t2);
		wgc_kdf_keylen(t[0], t[1], t[2], key, keylen, in, inlen);
		UNIT_ASSERT_MEM(t, want, sizeof(want));
		memset(t, 0, sizeof(t));
		wgc_kdf_keylen(t[0], t[1], NULL, key, keylen, in, inlen);
		UNIT_ASSERT_MEM(t, want, 64);
		CU_ASSERT_TRUE(wgc_ct_is_zero(t[2], 32));
		wgc_kdf_keylen(t[0], NULL, NULL, key, keylen, in, inlen);
		UNIT_ASSERT_MEM(t[0], want[0], 32);
	}
}

/* The 32-byte-key form the handshake uses, including output over its own key. */
static void test_kdf_in_place(void)
{
	uint8_t ck[32], copy[32], a[32], b[32], want_a[32], want_b[32];

	wgc_random(ck, sizeof(ck));
	memcpy(copy, ck, 32);
	wgc_kdf_keylen(want_a, want_b, NULL, copy, 32, "dh", 2);
	wgc_kdf(a, b, NULL, ck, "dh", 2);
	UNIT_ASSERT_MEM(a, want_a, 32);
	UNIT_ASSERT_MEM(b, want_b, 32);
	wgc_kdf(ck, b, NULL, ck, "dh", 2);
	UNIT_ASSERT_MEM(ck, want_a, 32);
}

/* Our BLAKE2s against libb2's on every length around the block edges, whole and in pieces. */
static void test_against_libb2(void)
{
	static const size_t outlens[] = { 1, 16, 31, 32 };
	uint8_t in[300], key[32], out[32], want[32];
	struct wgc_blake2s s;

	wgc_random(in, sizeof(in));
	wgc_random(key, sizeof(key));
	for (size_t len = 0; len <= sizeof(in); len++) {
		size_t outlen = outlens[len % 4], keylen = len % 33;

		CU_ASSERT_EQUAL_FATAL(blake2s(want, in, keylen ? key : NULL, outlen, len, keylen),
				      0);
		wgc_blake2s(out, outlen, in, len, key, keylen);
		UNIT_ASSERT_MEM(out, want, outlen);
		/* Pieces of 1, 2, 3, ... bytes: every way the buffer can fill. */
		wgc_blake2s_init(&s, outlen, key, keylen);
		for (size_t at = 0, piece = 1; at < len; at += piece, piece++)
			wgc_blake2s_update(&s, in + at, piece < len - at ? piece : len - at);
		wgc_blake2s_final(&s, out);
		UNIT_ASSERT_MEM(out, want, outlen);
	}
}

/* A key whose block is compressed once gives the same MAC as the plain keyed hash. */
static void test_precomputed_mac_key(void)
{
	uint8_t in[200], key[32], out[32], want[32];
	struct wgc_blake2s_key k;

	wgc_random(in, sizeof(in));
	wgc_random(key, sizeof(key));
	for (size_t keylen = 1; keylen <= 32; keylen += 31)
		for (size_t outlen = 16; outlen <= 32; outlen += 16) {
			wgc_blake2s_key_init(&k, outlen, key, keylen);
			for (size_t len = 0; len <= sizeof(in); len++) {
				wgc_blake2s(want, outlen, in, len, key, keylen);
				wgc_blake2s_keyed(out, &k, in, len);
				UNIT_ASSERT_MEM(out, want, outlen);
			}
		}
	/* The reference KAT: key 00..1f, input 00..3f, 16-byte output (Python's hashlib). */
	for (size_t i = 0; i < 64; i++)
		in[i] = (uint8_t)i;
	for (size_t i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	wgc_blake2s_key_init(&k, 16, key, 32);
	wgc_blake2s_keyed(out, &k, in, 64);
	unit_hex(want, 16, "f1efa90d2547036841ecd3627fafbc36");
	UNIT_ASSERT_MEM(out, want, 16);
	wgc_memzero(&k, sizeof(k));
}

/* HMAC-BLAKE2s vectors from Python's hmac and hashlib, an implementation independent of ours. */
static void test_hmac_known_answers(void)
{
	uint8_t key[100], in[200], out[32], want[32];
	struct wgc_hmac_key k;

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	wgc_hmac(out, key, 32, "WireGuard HMAC-BLAKE2s", 22);
	unit_hex(want, 32, "7dfc48d55f3e5c62ff6bff3e10efcc22bbe8945bbb6f92717144e209a922f74f");
	UNIT_ASSERT_MEM(out, want, 32);
	wgc_hmac_key_init(&k, key, 32);
	wgc_hmac_keyed(out, &k, "WireGuard HMAC-BLAKE2s", 22);
	UNIT_ASSERT_MEM(out, want, 32);

	unit_hex(want, 32, "eaf4bb25938f4d20e72656bbbc7a9bf63c0c18537333c35bdb67db1402661acd");
	wgc_hmac(out, NULL, 0, NULL, 0);
	UNIT_ASSERT_MEM(out, want, 32);
	wgc_hmac_key_init(&k, NULL, 0);
	wgc_hmac_keyed(out, &k, NULL, 0);
	UNIT_ASSERT_MEM(out, want, 32);

	/* A key longer than a block is hashed first. */
	unit_hex(want, 32, "c4c95271905c6f69c1dd7c6fbc0cb3735457a660ccc2c4370f28825e7abef5af");
	wgc_hmac(out, key, 100, in, 200);
	UNIT_ASSERT_MEM(out, want, 32);
	wgc_hmac_key_init(&k, key, 100);
	wgc_hmac_keyed(out, &k, in, 200);
	UNIT_ASSERT_MEM(out, want, 32);
	wgc_memzero(&k, sizeof(k));
}

/* One key, many messages: the precomputed pads give RFC 2104's HMAC at every length. */
static void test_precomputed_hmac_key(void)
{
	static const size_t keylens[] = { 0, 1, 32, 64, 65, 100 };
	uint8_t key[100], in[300], out[32], want[32];
	struct wgc_hmac_key k;

	wgc_random(key, sizeof(key));
	wgc_random(in, sizeof(in));
	for (size_t i = 0; i < sizeof(keylens) / sizeof(keylens[0]); i++) {
		wgc_hmac_key_init(&k, key, keylens[i]);
		for (size_t len = 0; len <= 130; len++) {
			reference_hmac(want, key, keylens[i], in, len);
			wgc_hmac_keyed(out, &k, in, len);
			UNIT_ASSERT_MEM(out, want, 32);
		}
	}
	wgc_memzero(&k, sizeof(k));
}

/* The KDF from a precomputed key: wireguard-go's vectors again, and over its own output. */
static void test_kdf_keyed(void)
{
	uint8_t key[32], in[33], t[3][32], want[3][32];
	struct wgc_hmac_key k;

	wgc_random(key, sizeof(key));
	wgc_random(in, sizeof(in));
	wgc_hmac_key_init(&k, key, sizeof(key));
	for (size_t len = 0; len <= sizeof(in); len++) {
		wgc_kdf(want[0], want[1], want[2], key, in, len);
		wgc_kdf_keyed(t[0], t[1], t[2], &k, in, len);
		UNIT_ASSERT_MEM(t, want, sizeof(want));
		wgc_kdf_keyed(t[0], NULL, NULL, &k, in, len);
		UNIT_ASSERT_MEM(t[0], want[0], 32);
	}
	unit_hex(key, 8, "746573742d6b6579");
	wgc_hmac_key_init(&k, key, 8);
	unit_hex(want[0], 32, "6f0e5ad38daba1bea8a0d213688736f19763239305e0f58aba697f9ffc41c633");
	wgc_kdf_keyed(t[0], NULL, NULL, &k, "test-input", 10);
	UNIT_ASSERT_MEM(t[0], want[0], 32);
	wgc_memzero(&k, sizeof(k));
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "BLAKE2s-256 of abc (RFC 7693) and empty", test_hash },
		{ "keyed BLAKE2s reference KAT", test_keyed_kat },
		{ "MAC is 16-byte keyed BLAKE2s", test_mac },
		{ "HMAC-BLAKE2s matches RFC 2104", test_hmac },
		{ "KDF vectors of wireguard-go", test_kdf_wireguard_go },
		{ "KDF over its own key", test_kdf_in_place },
		{ "the same bytes as libb2, whole and in pieces", test_against_libb2 },
		{ "precomputed MAC key", test_precomputed_mac_key },
		{ "HMAC-BLAKE2s known answers (Python hmac)", test_hmac_known_answers },
		{ "precomputed HMAC key at every length", test_precomputed_hmac_key },
		{ "KDF from a precomputed key", test_kdf_keyed },
		CU_TEST_INFO_NULL,
	};

	if (wgc_init() != 0)
		return 2;
	return unit_run("blake2s", tests);
}
