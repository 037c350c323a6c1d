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
#include "rfc8439_a5.h"
#include "unit.h"

#define LANES WGC_AEAD_X8_LANES
#define MAX   1500 /* past the copy-aside limit: decryption's two-pass way too */

/* RFC 8439 A.5 (rfc8439_a5.h): key, counter, AAD, ciphertext and tag. */
static const char rfc_a5_key[] = RFC8439_A5_KEY;
static const uint64_t rfc_a5_counter = RFC8439_A5_COUNTER;
static const char rfc_a5_aad[] = RFC8439_A5_AAD;
static const char rfc_a5_cipher[] = RFC8439_A5_CIPHER;
static const char rfc_a5_tag[] = RFC8439_A5_TAG;

struct lane {
	uint8_t out[MAX + 16]; /* out of place */
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

/* Where each lane's decryption writes: in place, 16 bytes before (a header stripped, the
 * buffers overlapping), or a buffer apart. */
enum placement { IN_PLACE, BEFORE, APART };

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

/* Decryption out of place and into a buffer overlapping the ciphertext, short and long
 * payloads (the copy-aside and the two-pass ways), with AD: the plaintext libsodium had. */
static void test_placements(void)
{
	static uint8_t arena[LANES][16 + MAX + 16];
	struct wgc_batch_op ops[LANES];

	for (unsigned int round = 0; round < 300; round++) {
		enum placement where = (enum placement)(round % 3);
		struct lane saved[LANES];

		for (unsigned int i = 0; i < LANES; i++) {
			random_lane(&lanes[i]);
			if (round % 6 < 3) /* all short: the copy-aside way */
				lanes[i].len %= 513;
			seal(&lanes[i]);
			memcpy(arena[i] + 16, lanes[i].buf, lanes[i].len + 16);
		}
		memcpy(saved, lanes, sizeof(saved));
		ops_of(ops);
		for (unsigned int i = 0; i < LANES; i++) {
			/* The "before" case needs 16 bytes ahead of the ciphertext: the arena's. */
			ops[i].src = arena[i] + 16;
			ops[i].tag = arena[i] + 16 + lanes[i].len;
			ops[i].dst = where == BEFORE  ? arena[i]
				     : where == APART ? lanes[i].out
						      : arena[i] + 16;
		}
		CU_ASSERT_EQUAL(wgc_aead_x8_decrypt(ops, LANES), (1u << LANES) - 1);
		for (unsigned int i = 0; i < LANES; i++)
			UNIT_ASSERT_MEM(ops[i].dst, saved[i].plain, saved[i].len);
	}
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "RFC 8439 A.5 in every lane, both ways", test_a5_every_lane },
		{ "forged lanes refused, exactly those", test_forgeries },
		{ "decryption in place, into an overlapping buffer and apart", test_placements },
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
