/* SPDX-License-Identifier: MIT */
/*
 * The 8-lane AEAD: ChaCha20 across the lanes gives each its Poly1305 key and its ciphertext
 * (or plaintext), Poly1305 across the lanes gives the tags. Decryption authenticates the
 * ciphertext, which decrypting in place overwrites: short in-place payloads are copied aside
 * first (ciphertext is no secret) and ChaCha20 runs once; with a longer one among them, a
 * first pass makes block 0 alone (the Poly1305 keys) and the second the data blocks from
 * block 1, after Poly1305 has read the ciphertext.
 */
#include <string.h>

#include "aead.h"
#include "aead_x8.h"
#include "chacha20_x8.h"
#include "ct.h"
#include "poly1305_x8.h"

/* In-place payloads up to this are copied aside rather than paying ChaCha20's second pass
 * (64 x 8 bytes cost a few dozen cycles, a pass some hundreds). */
#define COPY_MAX 512

struct x8_lanes {
	uint8_t nonce[WGC_AEAD_X8_LANES][WGC_AEAD_NONCE_LEN];
	uint8_t poly_key[WGC_AEAD_X8_LANES][32];
	uint8_t tag[WGC_AEAD_X8_LANES][WGC_AEAD_TAG_LEN];
	struct wgc_chacha_lane chacha[WGC_AEAD_X8_LANES];
	struct wgc_poly_lane poly[WGC_AEAD_X8_LANES];
};

bool wgc_aead_x8_supported(void)
{
	return wgc_chacha20_x8_supported() && wgc_poly1305_x8_supported();
}

/* The lanes of ops, the ciphertext being ct (src to decrypt, dst once encrypted). */
static void lanes_fill(struct x8_lanes *l, const struct wgc_batch_op *ops, unsigned int n,
		       bool decrypt)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct wgc_batch_op *op = &ops[i];

		wgc_aead_nonce_from_counter(l->nonce[i], op->counter);
		l->chacha[i] = (struct wgc_chacha_lane){ .key = op->key,
							 .nonce = l->nonce[i],
							 .src = op->src,
							 .dst = op->dst,
							 .len = op->len };
		l->poly[i] = (struct wgc_poly_lane){ .key = l->poly_key[i],
						     .ad = op->ad,
						     .adlen = op->adlen,
						     .ct = decrypt ? op->src : op->dst,
						     .ctlen = op->len };
	}
}

void wgc_aead_x8_encrypt(const struct wgc_batch_op *ops, unsigned int n)
{
	struct x8_lanes l;

	if (n > WGC_AEAD_X8_LANES)
		n = WGC_AEAD_X8_LANES;
	lanes_fill(&l, ops, n, false);
	wgc_chacha20_x8_avx2(l.chacha, n, l.poly_key);
	wgc_poly1305_aead_x8_avx2(l.poly, n, l.tag);
	for (unsigned int i = 0; i < n; i++)
		memcpy(ops[i].tag, l.tag[i], WGC_AEAD_TAG_LEN);
	wgc_memzero(&l, sizeof(l));
}

/* Whether decrypting op writes over its ciphertext: in place, or a buffer overlapping it
 * (such as a header being stripped). */
static bool overwrites(const struct wgc_batch_op *op)
{
	uintptr_t d = (uintptr_t)op->dst, s = (uintptr_t)op->src;

	return op->len && d < s + op->len && s < d + op->len;
}

/* Whether every lane that overwrites its ciphertext is short enough to be copied aside. */
static bool copies_fit(const struct wgc_batch_op *ops, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (overwrites(&ops[i]) && ops[i].len > COPY_MAX)
			return false;
	return true;
}

/* Each verdict computed whole (no early exit); which lanes failed changes nothing in the
 * work done, as every lane is decrypted either way. */
static uint32_t verdicts(const struct x8_lanes *l, const struct wgc_batch_op *ops, unsigned int n)
{
	uint32_t authentic = 0;

	for (unsigned int i = 0; i < n; i++)
		authentic |= (uint32_t)wgc_ct_equal(l->tag[i], ops[i].tag, WGC_AEAD_TAG_LEN) << i;
	return authentic;
}

/* Short payloads: the ciphertexts decrypted in place copied aside, one ChaCha20 pass. */
static uint32_t decrypt_copied(struct x8_lanes *l, const struct wgc_batch_op *ops, unsigned int n)
{
	static __thread uint8_t ct[WGC_AEAD_X8_LANES][COPY_MAX];

	for (unsigned int i = 0; i < n; i++) {
		if (!overwrites(&ops[i]))
			continue;
		memcpy(ct[i], ops[i].src, ops[i].len);
		l->poly[i].ct = ct[i];
	}
	wgc_chacha20_x8_avx2(l->chacha, n, l->poly_key);
	wgc_poly1305_aead_x8_avx2(l->poly, n, l->tag);
	return verdicts(l, ops, n);
}

/* Longer ones: the Poly1305 keys first, the tags, then the data from block 1. */
static uint32_t decrypt_two_passes(struct x8_lanes *l, const struct wgc_batch_op *ops,
				   unsigned int n)
{
	struct wgc_chacha_lane keys_only[WGC_AEAD_X8_LANES];
	uint32_t authentic;

	for (unsigned int i = 0; i < n; i++) {
		keys_only[i] = l->chacha[i];
		keys_only[i].len = 0;
	}
	wgc_chacha20_x8_avx2(keys_only, n, l->poly_key);
	wgc_poly1305_aead_x8_avx2(l->poly, n, l->tag);
	authentic = verdicts(l, ops, n);
	wgc_chacha20_x8_avx2(l->chacha, n, NULL);
	return authentic;
}

uint32_t wgc_aead_x8_decrypt(const struct wgc_batch_op *ops, unsigned int n)
{
	uint32_t authentic;
	struct x8_lanes l;

	if (n > WGC_AEAD_X8_LANES)
		n = WGC_AEAD_X8_LANES;
	lanes_fill(&l, ops, n, true);
	authentic =
		copies_fit(ops, n) ? decrypt_copied(&l, ops, n) : decrypt_two_passes(&l, ops, n);
	wgc_memzero(&l, sizeof(l));
	return authentic;
}
