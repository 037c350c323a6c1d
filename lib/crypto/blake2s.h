/* SPDX-License-Identifier: MIT */
/*
 * BLAKE2s (RFC 7693) and the constructions the WireGuard whitepaper builds on it:
 * HASH, MAC (keyed, 16 bytes), HMAC and the HKDF-style KDF1/KDF2/KDF3.
 */
#ifndef WGDP_CRYPTO_BLAKE2S_H
#define WGDP_CRYPTO_BLAKE2S_H

#include <stddef.h>
#include <stdint.h>

#define WGC_BLAKE2S_HASH_LEN  32
#define WGC_BLAKE2S_BLOCK_LEN 64
#define WGC_BLAKE2S_MAC_LEN   16

/*
 * Incremental hashing, for the Noise hash chain (HASH(h || data)). Our own RFC 7693 code
 * rather than libb2's: its state is small (copied and wiped in a few stores) and a block is
 * compressed as soon as more input follows it, which is what lets a key's first block be
 * compressed once and reused (struct wgc_blake2s_key, struct wgc_hmac_key).
 */
struct wgc_blake2s {
	uint32_t h[8];
	uint32_t t[2];	 /* bytes compressed so far, buffer excluded */
	uint32_t buflen; /* 0..64; a full buffer waits for more input or for final */
	uint32_t outlen;
	uint8_t buf[WGC_BLAKE2S_BLOCK_LEN];
};

/* outlen 1..32; key may be NULL when keylen is 0 (keylen at most 32). */
void wgc_blake2s_init(struct wgc_blake2s *s, size_t outlen, const void *key, size_t keylen);
void wgc_blake2s_update(struct wgc_blake2s *s, const void *in, size_t inlen);
/* Writes outlen bytes and wipes the state. */
void wgc_blake2s_final(struct wgc_blake2s *s, uint8_t *out);

/* One-shot BLAKE2s with any outlen (1..32) and optional key (0..32 bytes). */
void wgc_blake2s(uint8_t *out, size_t outlen, const void *in, size_t inlen, const void *key,
		 size_t keylen);

/* Whitepaper HASH(in): unkeyed BLAKE2s-256. */
void wgc_hash(uint8_t out[WGC_BLAKE2S_HASH_LEN], const void *in, size_t inlen);

/* Whitepaper MAC(key, in): keyed BLAKE2s with a 16-byte output. */
void wgc_mac(uint8_t out[WGC_BLAKE2S_MAC_LEN], const void *key, size_t keylen, const void *in,
	     size_t inlen);

/* HMAC-BLAKE2s-256 (RFC 2104 over BLAKE2s, 64-byte block). */
void wgc_hmac(uint8_t out[WGC_BLAKE2S_HASH_LEN], const void *key, size_t keylen, const void *in,
	      size_t inlen);

/*
 * The whitepaper's KDF_n(key, input): HKDF with HMAC-BLAKE2s. Writes the first one, two or
 * three 32-byte outputs; out2 and out3 may be NULL to get KDF1 or KDF2.
 * Every intermediate secret is wiped.
 */
void wgc_kdf(uint8_t out1[WGC_BLAKE2S_HASH_LEN], uint8_t *out2, uint8_t *out3,
	     const uint8_t key[WGC_BLAKE2S_HASH_LEN], const void *input, size_t inlen);

/* The same KDF with a key of any length (the HMAC key), as wireguard-go's test vectors use. */
void wgc_kdf_keylen(uint8_t out1[WGC_BLAKE2S_HASH_LEN], uint8_t *out2, uint8_t *out3,
		    const void *key, size_t keylen, const void *input, size_t inlen);

/*
 * A keyed BLAKE2s whose key block is compressed once, for a key that is used many times (our
 * mac1 key): each use then costs one compression less. The key block is kept too, for the
 * empty input, whose only block is the key block itself. Holds secrets: wipe it.
 */
struct wgc_blake2s_key {
	uint32_t h[8]; /* the state after the first block */
	uint32_t outlen;
	uint32_t keylen; /* of the parameter block: 0 when the first block is data (HMAC) */
	uint8_t block[WGC_BLAKE2S_BLOCK_LEN];
};

void wgc_blake2s_key_init(struct wgc_blake2s_key *k, size_t outlen, const void *key, size_t keylen);
/* The same bytes as wgc_blake2s(out, k's outlen, in, inlen, key, keylen). */
void wgc_blake2s_keyed(uint8_t *out, const struct wgc_blake2s_key *k, const void *in, size_t inlen);

/*
 * An HMAC key with both pads compressed (RFC 2104's precomputation): an HMAC of up to 64 bytes
 * then costs two compressions instead of four. The KDF makes one from each PRK it expands;
 * the handshake keeps one for its constant first chaining key. Holds secrets: wipe it.
 */
struct wgc_hmac_key {
	struct wgc_blake2s_key inner; /* unkeyed BLAKE2s after key ^ ipad */
	uint32_t outer[8];	      /* the same after key ^ opad */
};

void wgc_hmac_key_init(struct wgc_hmac_key *k, const void *key, size_t keylen);
/* The same bytes as wgc_hmac() with k's key. */
void wgc_hmac_keyed(uint8_t out[WGC_BLAKE2S_HASH_LEN], const struct wgc_hmac_key *k, const void *in,
		    size_t inlen);
/* The same bytes as wgc_kdf() / wgc_kdf_keylen() with k's key. */
void wgc_kdf_keyed(uint8_t out1[WGC_BLAKE2S_HASH_LEN], uint8_t *out2, uint8_t *out3,
		   const struct wgc_hmac_key *k, const void *input, size_t inlen);

#endif
