/* SPDX-License-Identifier: MIT */
/*
 * The 8-lane AEAD whole (aead_x8.c): RFC 8439 A.5 (its nonce is WireGuard's form: 32 zero bits
 * then a 64-bit counter) decrypted and encrypted in every lane position among random lanes,
 * and forged tags refused in exactly the lanes forged, with counters near 2^64. (The cipher
 * and the MAC have their own vectors in test_chacha20_x8 and test_poly1305_x8; bursts against
 * libsodium at every length go through the batch in test_aead_batch.)
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "crypto/aead.h"
#include "crypto/aead_x8.h"
#include "crypto/ct.h"
#include "unit.h"

#define LANES WGC_AEAD_X8_LANES
#define MAX   400

/* RFC 8439 A.5, typed from the RFC: key, nonce 00000000 0102030405060708, AAD, ciphertext
 * and tag. */
static const char rfc_a5_key[] = "1c 92 40 a5 eb 55 d3 8a f3 33 88 86 04 f6 b5 f0"
				 "47 39 17 c1 40 2b 80 09 9d ca 5c bc 20 70 75 c0";
static const uint64_t rfc_a5_counter = 0x0807060504030201ull;
static const char rfc_a5_aad[] = "f3 33 88 86 00 00 00 00 00 00 4e 91";
static const char rfc_a5_cipher[] = "64 a0 86 15 75 86 1a f4 60 f0 62 c7 9b e6 43 bd"
				    "5e 80 5c fd 34 5c f3 89 f1 08 67 0a c7 6c 8c b2"
				    "4c 6c fc 18 75 5d 43 ee a0 9e e9 4e 38 2d 26 b0"
				    "bd b7 b7 3c 32 1b 01 00 d4 f0 3b 7f 35 58 94 cf"
				    "33 2f 83 0e 71 0b 97 ce 98 c8 a8 4a bd 0b 94 81"
				    "14 ad 17 6e 00 8d 33 bd 60 f9 82 b1 ff 37 c8 55"
				    "97 97 a0 6e f4 f0 ef 61 c1 86 32 4e 2b 35 06 38"
				    "36 06 90 7b 6a 7c 02 b0 f9 f6 15 7b 53 c8 67 e4"
				    "b9 16 6c 76 7b 80 4d 46 a5 9b 52 16 cd e7 a4 e9"
				    "90 40 c5 a4 04 33 22 5e e2 82 a1 b0 a0 6c 52 3e"
				    "af 45 34 d7 f8 3f a1 15 5b 00 47 71 8c bc 54 6a"
				    "0d 07 2b 04 b3 56 4e ea 1b 42 22 73 f5 48 27 1a"
				    "0b b2 31 60 53 fa 76 99 19 55 eb d6 31 59 43 4e"
				    "ce bb 4e 46 6d ae 5a 10 73 a6 72 76 27 09 7a 10"
				    "49 e6 17 d9 1d 36 10 94 fa 68 f0 ff 77 98 71 30"
				    "30 5b ea ba 2e da 04 df 99 7b 71 4d 6c 6f 2c 29"
				    "a6 ad 5c b4 02 2b 02 70 9b";
static const char rfc_a5_tag[] = "ee ad 9d 67 89 0c bb 22 39 23 36 fe a1 85 1f 38";

struct lane {
	uint8_t key[32];
	uint64_t counter;
	uint8_t ad[16];
	uint32_t adlen, len;
	uint8_t plain[MAX];
	uint8_t buf[MAX + 16]; /* what the AEAD works on, in place */
};

static struct lane lanes[LANES];
static uint8_t a5_ad[12], a5_ct[MAX], a5_tag[16];
static size_t a5_len;

static void unhex(uint8_t *out, size_t cap, const char *hex, size_t *len)
{
	CU_ASSERT_EQUAL_FATAL(sodium_hex2bin(out, cap, hex, strlen(hex), " ", len, NULL), 0);
}

static void random_lane(struct lane *l)
{
	randombytes_buf(l->key, sizeof(l->key));
	randombytes_buf(&l->counter, sizeof(l->counter));
	l->counter |= 0xfffffffffffff000ull; /* the top of the nonce space */
	l->len = randombytes_uniform(MAX + 1);
	l->adlen = randombytes_uniform(17);
	randombytes_buf(l->ad, sizeof(l->ad));
	randombytes_buf(l->plain, l->len);
}

/* Lane l sealed by libsodium into its buf. */
static void seal(struct lane *l)
{
	uint8_t nonce[12];

	wgc_aead_nonce_from_counter(nonce, l->counter);
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(l->buf, l->buf + l->len, NULL, l->plain,
							   l->len, l->ad, l->adlen, NULL, nonce,
							   l->key);
}

static void ops_of(struct wgc_batch_op *ops)
{
	for (unsigned int i = 0; i < LANES; i++)
		ops[i] = (struct wgc_batch_op){ .key = lanes[i].key,
						.counter = lanes[i].counter,
						.src = lanes[i].buf,
						.dst = lanes[i].buf,
						.len = lanes[i].len,
						.tag = lanes[i].buf + lanes[i].len,
						.ad = lanes[i].ad,
						.adlen = lanes[i].adlen };
}

static void a5_into(struct lane *l)
{
	size_t n;

	unhex(l->key, sizeof(l->key), rfc_a5_key, &n);
	CU_ASSERT_EQUAL_FATAL(n, 32);
	l->counter = rfc_a5_counter;
	memcpy(l->ad, a5_ad, sizeof(a5_ad));
	l->adlen = sizeof(a5_ad);
	l->len = (uint32_t)a5_len;
	memcpy(l->buf, a5_ct, a5_len);
	memcpy(l->buf + a5_len, a5_tag, 16);
}

static void load_a5(void)
{
	size_t n;

	unhex(a5_ad, sizeof(a5_ad), rfc_a5_aad, &n);
	CU_ASSERT_EQUAL_FATAL(n, sizeof(a5_ad));
	unhex(a5_ct, sizeof(a5_ct), rfc_a5_cipher, &a5_len);
	unhex(a5_tag, sizeof(a5_tag), rfc_a5_tag, &n);
	CU_ASSERT_EQUAL_FATAL(n, 16);
}

/* A.5 decrypted in lane pos: its tag verifies and the text is the RFC's; then encrypting
 * that text in lane pos gives the RFC's ciphertext and tag back. */
static void test_a5_every_lane(void)
{
	static const char text[] = "Internet-Drafts are draft documents valid for a maximum of "
				   "six months";
	struct wgc_batch_op ops[LANES];

	load_a5();
	for (unsigned int pos = 0; pos < LANES; pos++) {
		for (unsigned int i = 0; i < LANES; i++) {
			random_lane(&lanes[i]);
			seal(&lanes[i]);
		}
		a5_into(&lanes[pos]);
		ops_of(ops);
		CU_ASSERT_EQUAL(wgc_aead_x8_decrypt(ops, LANES), (1u << LANES) - 1);
		CU_ASSERT_EQUAL(memcmp(lanes[pos].buf, text, sizeof(text) - 1), 0);
		for (unsigned int i = 0; i < LANES; i++)
			if (i != pos)
				UNIT_ASSERT_MEM(lanes[i].buf, lanes[i].plain, lanes[i].len);
		memcpy(lanes[pos].plain, lanes[pos].buf, a5_len);
		for (unsigned int i = 0; i < LANES; i++)
			memcpy(lanes[i].buf, lanes[i].plain, lanes[i].len);
		ops_of(ops);
		wgc_aead_x8_encrypt(ops, LANES);
		UNIT_ASSERT_MEM(lanes[pos].buf, a5_ct, a5_len);
		UNIT_ASSERT_MEM(lanes[pos].buf + a5_len, a5_tag, 16);
	}
}

/* Forged lanes (a ciphertext bit, a tag bit, the counter) refused, exactly those. */
static void test_forgeries(void)
{
	struct wgc_batch_op ops[LANES];

	for (unsigned int round = 0; round < 2000; round++) {
		uint32_t forged = randombytes_uniform(1u << LANES),
			 n = 1 + randombytes_uniform(LANES);
		uint32_t want = ((1u << n) - 1) & ~forged;

		for (unsigned int i = 0; i < LANES; i++) {
			random_lane(&lanes[i]);
			seal(&lanes[i]);
		}
		ops_of(ops);
		for (unsigned int i = 0; i < n; i++) {
			struct lane *l = &lanes[i];

			if (!(forged & (1u << i)))
				continue;
			if (round % 3 == 0 && l->len)
				l->buf[randombytes_uniform(l->len)] ^= 1u << randombytes_uniform(8);
			else if (round % 3 == 1)
				ops[i].counter ^= 1ull << randombytes_uniform(64);
			else
				l->buf[l->len + randombytes_uniform(16)] ^=
					1u << randombytes_uniform(8);
		}
		CU_ASSERT_EQUAL(wgc_aead_x8_decrypt(ops, n), want);
		for (unsigned int i = 0; i < n; i++)
			if (want & (1u << i))
				UNIT_ASSERT_MEM(lanes[i].buf, lanes[i].plain, lanes[i].len);
	}
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "RFC 8439 A.5 in every lane, both ways", test_a5_every_lane },
		{ "forged lanes refused, exactly those", test_forgeries },
		CU_TEST_INFO_NULL,
	};

	if (wgc_init() != 0)
		return 2;
	if (!wgc_aead_x8_supported()) {
		printf("test_aead_x8: no AVX2 on this CPU: skipped\n");
		return 77;
	}
	return unit_run("aead_x8", tests);
}
