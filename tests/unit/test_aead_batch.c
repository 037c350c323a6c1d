/* SPDX-License-Identifier: MIT */
/*
 * The batch AEAD must give, on every SIMD path this CPU has, exactly what the single-message
 * AEAD (libsodium, itself checked against RFC 8439) gives, and must accept only packets whose
 * tag is right.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/aead_batch.h"
#include "crypto/ct.h"
#include "unit.h"

#define MAX_LEN	      9000
#define ROUNDS	      12

struct packet {
	uint8_t key[WGC_AEAD_KEY_LEN];
	uint64_t counter;
	uint32_t len;
	uint8_t plain[MAX_LEN];
	uint8_t sealed[MAX_LEN + WGC_AEAD_TAG_LEN]; /* single-message reference */
	uint8_t batch[MAX_LEN + WGC_AEAD_TAG_LEN];  /* the batch output, ciphertext then tag */
};

static struct packet *packets;

static const enum wgc_arch all_archs[] = { WGC_ARCH_SSE, WGC_ARCH_AVX2, WGC_ARCH_AVX512,
					   WGC_ARCH_AVX2_X8, WGC_ARCH_AVX512_X8 };
/* For the "-x8" archs: every payload to the 8-lane code (MAX_LEN), or the default split (0). */
static uint32_t x8_len_max;

/* Lengths 0..9000, biased so that the edges of 16- and 64-byte blocks come up often. */
static uint32_t random_len(void)
{
	uint32_t r = wgc_random_u32();

	switch (r % 4) {
	case 0:
		return (r >> 8) % 129;
	case 1:
		return ((r >> 8) % 140 + 1) * 64 + (r >> 20) % 3 - 1;
	default:
		return (r >> 8) % (MAX_LEN + 1);
	}
}

static void make_packets(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct packet *p = &packets[i];

		wgc_random(p->key, sizeof(p->key));
		wgc_random(&p->counter, sizeof(p->counter));
		p->len = random_len();
		if (p->len > MAX_LEN)
			p->len = MAX_LEN;
		wgc_random(p->plain, p->len);
		wgc_aead_encrypt(p->sealed, p->plain, p->len, NULL, 0, p->counter, p->key);
	}
}

static void encrypt_ops(struct wgc_batch_op *ops, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct packet *p = &packets[i];

		memcpy(p->batch, p->plain, p->len);
		ops[i] = (struct wgc_batch_op){
			.key = p->key,
			.counter = p->counter,
			.src = p->batch, /* in place, as the data path runs */
			.dst = p->batch,
			.len = p->len,
			.tag = p->batch + p->len,
		};
	}
}

static void decrypt_ops(struct wgc_batch_op *ops, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct packet *p = &packets[i];

		memcpy(p->batch, p->sealed, p->len + WGC_AEAD_TAG_LEN);
		ops[i] = (struct wgc_batch_op){
			.key = p->key,
			.counter = p->counter,
			.src = p->batch,
			.dst = p->batch,
			.len = p->len,
			.tag = p->batch + p->len,
		};
	}
}

static void check_arch(enum wgc_arch arch)
{
	struct wgc_batch_op ops[WGC_BATCH_MAX];
	struct wgc_batch *b = wgc_batch_create(arch);

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(wgc_batch_arch(b), arch);
	if (x8_len_max)
		wgc_batch_set_x8_len_max(b, x8_len_max);
	for (int round = 0; round < ROUNDS; round++) {
		unsigned int n = 1 + wgc_random_u32() % WGC_BATCH_MAX;
		uint64_t all = n == 64 ? ~0ull : (1ull << n) - 1;
		uint64_t tampered = 0;

		make_packets(n);
		encrypt_ops(ops, n);
		wgc_batch_encrypt(b, ops, n);
		for (unsigned int i = 0; i < n; i++)
			UNIT_ASSERT_MEM(packets[i].batch, packets[i].sealed,
					packets[i].len + WGC_AEAD_TAG_LEN);

		decrypt_ops(ops, n);
		CU_ASSERT_EQUAL(wgc_batch_decrypt(b, ops, n), all);
		for (unsigned int i = 0; i < n; i++)
			UNIT_ASSERT_MEM(packets[i].batch, packets[i].plain, packets[i].len);

		/* Spoil every third packet: tag, ciphertext, key or counter in turn. */
		decrypt_ops(ops, n);
		for (unsigned int i = 0; i < n; i += 3) {
			struct packet *p = &packets[i];

			switch ((i / 3) % 4) {
			case 0:
				p->batch[p->len + (wgc_random_u32() % WGC_AEAD_TAG_LEN)] ^= 0x01;
				break;
			case 1:
				if (p->len)
					p->batch[wgc_random_u32() % p->len] ^= 0x80;
				else
					p->batch[0] ^= 0x80; /* the tag of an empty payload */
				break;
			case 2:
				p->key[wgc_random_u32() % WGC_AEAD_KEY_LEN] ^= 0x10;
				break;
			default:
				ops[i].counter++;
				break;
			}
			tampered |= 1ull << i;
		}
		CU_ASSERT_EQUAL(wgc_batch_decrypt(b, ops, n), all & ~tampered);
	}
	wgc_batch_free(b);
}

static void test_every_supported_arch(void)
{
	int tested = 0;

	for (size_t i = 0; i < sizeof(all_archs) / sizeof(all_archs[0]); i++) {
		if (!wgc_arch_supported(all_archs[i]))
			continue;
		check_arch(all_archs[i]);
		tested++;
		if (all_archs[i] != WGC_ARCH_AVX2_X8 && all_archs[i] != WGC_ARCH_AVX512_X8)
			continue;
		/* The 8-lane code alone, at every length. */
		x8_len_max = MAX_LEN;
		check_arch(all_archs[i]);
		x8_len_max = 0;
	}
	/* Every x86-64 CPU ipsec-mb runs on has the SSE path. */
	CU_ASSERT_TRUE(tested >= 1);
	CU_ASSERT_TRUE(wgc_arch_supported(WGC_ARCH_SSE));
}

static void test_auto_takes_best_or_forced(void)
{
	struct wgc_batch *b;
	static const enum wgc_arch order[] = { WGC_ARCH_AVX512_X8, WGC_ARCH_AVX2_X8,
					       WGC_ARCH_AVX512, WGC_ARCH_AVX2, WGC_ARCH_SSE };
	enum wgc_arch best = WGC_ARCH_SSE;

	for (size_t i = sizeof(order) / sizeof(order[0]); i-- > 0;)
		if (wgc_arch_supported(order[i]))
			best = order[i];

	unsetenv("WGDP_CRYPTO_ARCH");
	b = wgc_batch_create(WGC_ARCH_AUTO);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(wgc_batch_arch(b), best);
	wgc_batch_free(b);

	setenv("WGDP_CRYPTO_ARCH", "sse", 1);
	b = wgc_batch_create(WGC_ARCH_AUTO);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(wgc_batch_arch(b), WGC_ARCH_SSE);
	wgc_batch_free(b);

	setenv("WGDP_CRYPTO_ARCH", "neon", 1);
	CU_ASSERT_PTR_NULL(wgc_batch_create(WGC_ARCH_AUTO));
	unsetenv("WGDP_CRYPTO_ARCH");
}

static void test_arch_names(void)
{
	enum wgc_arch arch;

	for (size_t i = 0; i < sizeof(all_archs) / sizeof(all_archs[0]); i++) {
		CU_ASSERT_TRUE(wgc_arch_parse(wgc_arch_name(all_archs[i]), &arch));
		CU_ASSERT_EQUAL(arch, all_archs[i]);
	}
	CU_ASSERT_FALSE(wgc_arch_parse("avx", &arch));
	CU_ASSERT_FALSE(wgc_arch_parse("", &arch));
	CU_ASSERT_STRING_EQUAL(wgc_arch_name(WGC_ARCH_AVX512), "avx512");
	CU_ASSERT_STRING_EQUAL(wgc_arch_name(WGC_ARCH_AVX2_X8), "avx2-x8");
}

/* A full 64-packet batch of keepalives (empty payloads), the smallest thing the data path sees. */
static void test_full_batch_of_keepalives(void)
{
	struct wgc_batch_op ops[WGC_BATCH_MAX];
	struct wgc_batch *b = wgc_batch_create(WGC_ARCH_AUTO);

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	make_packets(WGC_BATCH_MAX);
	for (unsigned int i = 0; i < WGC_BATCH_MAX; i++) {
		packets[i].len = 0;
		wgc_aead_encrypt(packets[i].sealed, NULL, 0, NULL, 0, packets[i].counter,
				 packets[i].key);
	}
	encrypt_ops(ops, WGC_BATCH_MAX);
	wgc_batch_encrypt(b, ops, WGC_BATCH_MAX);
	for (unsigned int i = 0; i < WGC_BATCH_MAX; i++)
		UNIT_ASSERT_MEM(packets[i].batch, packets[i].sealed, WGC_AEAD_TAG_LEN);
	decrypt_ops(ops, WGC_BATCH_MAX);
	CU_ASSERT_EQUAL(wgc_batch_decrypt(b, ops, WGC_BATCH_MAX), ~0ull);
	wgc_batch_free(b);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "batch equals single-message AEAD on every arch", test_every_supported_arch },
		{ "auto picks the best arch, env forces one", test_auto_takes_best_or_forced },
		{ "arch names round trip", test_arch_names },
		{ "64 keepalives in one batch", test_full_batch_of_keepalives },
		CU_TEST_INFO_NULL,
	};
	int rc;

	if (wgc_init() != 0)
		return 2;
	packets = calloc(WGC_BATCH_MAX, sizeof(*packets));
	if (!packets)
		return 2;
	rc = unit_run("aead_batch", tests);
	free(packets);
	return rc;
}
