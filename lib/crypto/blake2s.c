/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "blake2s.h"
#include "ct.h"

void wgc_blake2s_init(struct wgc_blake2s *s, size_t outlen, const void *key, size_t keylen)
{
	s->outlen = outlen;
	if (keylen)
		blake2s_init_key(&s->state, outlen, key, keylen);
	else
		blake2s_init(&s->state, outlen);
}

void wgc_blake2s_update(struct wgc_blake2s *s, const void *in, size_t inlen)
{
	blake2s_update(&s->state, in, inlen);
}

void wgc_blake2s_final(struct wgc_blake2s *s, uint8_t *out)
{
	blake2s_final(&s->state, out, s->outlen);
	wgc_memzero(s, sizeof(*s));
}

void wgc_blake2s(uint8_t *out, size_t outlen, const void *in, size_t inlen, const void *key,
		 size_t keylen)
{
	struct wgc_blake2s s;

	wgc_blake2s_init(&s, outlen, key, keylen);
	wgc_blake2s_update(&s, in, inlen);
	wgc_blake2s_final(&s, out);
}

void wgc_hash(uint8_t out[WGC_BLAKE2S_HASH_LEN], const void *in, size_t inlen)
{
	wgc_blake2s(out, WGC_BLAKE2S_HASH_LEN, in, inlen, NULL, 0);
}

void wgc_mac(uint8_t out[WGC_BLAKE2S_MAC_LEN], const void *key, size_t keylen, const void *in,
	     size_t inlen)
{
	wgc_blake2s(out, WGC_BLAKE2S_MAC_LEN, in, inlen, key, keylen);
}

void wgc_hmac(uint8_t out[WGC_BLAKE2S_HASH_LEN], const void *key, size_t keylen, const void *in,
	      size_t inlen)
{
	uint8_t block[WGC_BLAKE2S_BLOCK_LEN] = { 0 };
	uint8_t inner[WGC_BLAKE2S_HASH_LEN];
	struct wgc_blake2s s;

	/* RFC 2104: a key longer than the block is hashed first. */
	if (keylen > WGC_BLAKE2S_BLOCK_LEN)
		wgc_hash(block, key, keylen);
	else if (keylen)
		memcpy(block, key, keylen);

	for (size_t i = 0; i < sizeof(block); i++)
		block[i] ^= 0x36;
	wgc_blake2s_init(&s, WGC_BLAKE2S_HASH_LEN, NULL, 0);
	wgc_blake2s_update(&s, block, sizeof(block));
	wgc_blake2s_update(&s, in, inlen);
	wgc_blake2s_final(&s, inner);

	/* 0x36 ^ 0x5c turns the inner pad into the outer one. */
	for (size_t i = 0; i < sizeof(block); i++)
		block[i] ^= 0x36 ^ 0x5c;
	wgc_blake2s_init(&s, WGC_BLAKE2S_HASH_LEN, NULL, 0);
	wgc_blake2s_update(&s, block, sizeof(block));
	wgc_blake2s_update(&s, inner, sizeof(inner));
	wgc_blake2s_final(&s, out);

	wgc_memzero(block, sizeof(block));
	wgc_memzero(inner, sizeof(inner));
}

void wgc_kdf(uint8_t out1[WGC_BLAKE2S_HASH_LEN], uint8_t *out2, uint8_t *out3,
	     const uint8_t key[WGC_BLAKE2S_HASH_LEN], const void *input, size_t inlen)
{
	wgc_kdf_keylen(out1, out2, out3, key, WGC_BLAKE2S_HASH_LEN, input, inlen);
}

void wgc_kdf_keylen(uint8_t out1[WGC_BLAKE2S_HASH_LEN], uint8_t *out2, uint8_t *out3,
		    const void *key, size_t keylen, const void *input, size_t inlen)
{
	uint8_t prk[WGC_BLAKE2S_HASH_LEN];
	uint8_t prev[WGC_BLAKE2S_HASH_LEN + 1];
	uint8_t *outs[3] = { out1, out2, out3 };

	/* Extract, then expand: T(i) = HMAC(prk, T(i-1) || i), with T(0) empty. */
	wgc_hmac(prk, key, keylen, input, inlen);
	prev[0] = 1;
	wgc_hmac(prev, prk, sizeof(prk), prev, 1);
	memcpy(out1, prev, WGC_BLAKE2S_HASH_LEN);
	for (int i = 1; i < 3 && outs[i]; i++) {
		prev[WGC_BLAKE2S_HASH_LEN] = (uint8_t)(i + 1);
		wgc_hmac(prev, prk, sizeof(prk), prev, sizeof(prev));
		memcpy(outs[i], prev, WGC_BLAKE2S_HASH_LEN);
	}
	wgc_memzero(prk, sizeof(prk));
	wgc_memzero(prev, sizeof(prev));
}
