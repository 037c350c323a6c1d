/* SPDX-License-Identifier: MIT */
/*
 * The batch AEAD's 8-lane path (aead_x8.c through aead_batch.c's split) against libsodium,
 * byte for byte: the input picks the burst (1..64 packets), where the split falls, and each
 * packet's length (0..2048), key, counter (near 2^64 too), payload and tampering; every
 * ciphertext and tag must equal libsodium's, and decryption must accept exactly the packets
 * left untouched, with libsodium's plaintext.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "crypto/aead.h"
#include "crypto/aead_batch.h"
#include "fuzz_check.h"

#define MAX_LEN 2048

struct reader {
	const uint8_t *data;
	size_t len, pos;
};

/* The next byte of the input; zeros once it runs out. */
static uint8_t next(struct reader *r)
{
	return r->pos < r->len ? r->data[r->pos++] : 0;
}

struct packet {
	uint8_t key[32];
	uint64_t counter;
	uint32_t len;
	uint8_t tamper; /* 0: none, 1: a ciphertext bit, 2: a tag bit */
	uint8_t plain[MAX_LEN];
	uint8_t sealed[MAX_LEN + 16]; /* libsodium's */
	uint8_t ours[MAX_LEN + 16];
};

static struct packet pkts[WGC_BATCH_MAX];

static void packet_read(struct packet *p, struct reader *r, unsigned int i)
{
	uint8_t kseed = next(r), cbyte = next(r), how = next(r);
	uint8_t nonce[12];

	p->len = ((uint32_t)next(r) << 8 | next(r)) % (MAX_LEN + 1);
	memset(p->key, kseed, sizeof(p->key));
	p->key[0] ^= (uint8_t)i;
	/* Counters near 0 and near 2^64 (the edge of the 64-bit nonce) alike. */
	p->counter = (how & 1) ? UINT64_MAX - cbyte : cbyte;
	p->tamper = (uint8_t)((how >> 1) % 3);
	for (uint32_t j = 0; j < p->len; j++)
		p->plain[j] = (uint8_t)(next(r) + j);
	wgc_aead_nonce_from_counter(nonce, p->counter);
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(p->sealed, p->sealed + p->len, NULL,
							   p->plain, p->len, NULL, 0, NULL, nonce,
							   p->key);
}

static void ops_of(struct wgc_batch_op *ops, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		ops[i] = (struct wgc_batch_op){ .key = pkts[i].key,
						.counter = pkts[i].counter,
						.src = pkts[i].ours,
						.dst = pkts[i].ours,
						.len = pkts[i].len,
						.tag = pkts[i].ours + pkts[i].len };
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wgc_batch *b;
	struct wgc_batch_op ops[WGC_BATCH_MAX];
	struct reader r = { data, size, 0 };
	unsigned int n;
	uint64_t want = 0;

	if (!b) {
		if (sodium_init() < 0 || !wgc_arch_supported(WGC_ARCH_AVX2_X8))
			return 0; /* nothing to compare on this CPU */
		b = wgc_batch_create(WGC_ARCH_AVX2_X8);
		CHECK(b != NULL);
	}
	n = next(&r) % WGC_BATCH_MAX + 1;
	/* Where the split falls: every length, none, or one in between. */
	wgc_batch_set_x8_len_max(b, (uint32_t)next(&r) * 16);
	for (unsigned int i = 0; i < n; i++)
		packet_read(&pkts[i], &r, i);

	for (unsigned int i = 0; i < n; i++)
		memcpy(pkts[i].ours, pkts[i].plain, pkts[i].len);
	ops_of(ops, n);
	wgc_batch_encrypt(b, ops, n);
	for (unsigned int i = 0; i < n; i++)
		CHECK(memcmp(pkts[i].ours, pkts[i].sealed, pkts[i].len + 16) == 0);

	for (unsigned int i = 0; i < n; i++) {
		struct packet *p = &pkts[i];

		if (p->tamper == 1 && p->len)
			p->ours[(p->counter + i) % p->len] ^= 0x04;
		else if (p->tamper == 2)
			p->ours[p->len + (p->counter + i) % 16] ^= 0x80;
		else
			want |= 1ull << i;
	}
	/* A tampered empty payload (no ciphertext bit to flip) stays whole: accepted. */
	ops_of(ops, n);
	CHECK(wgc_batch_decrypt(b, ops, n) == want);
	for (unsigned int i = 0; i < n; i++)
		if (want & (1ull << i))
			CHECK(memcmp(pkts[i].ours, pkts[i].plain, pkts[i].len) == 0);
	return 0;
}
