/* SPDX-License-Identifier: MIT */
/*
 * BLAKE2s (RFC 7693) and the constructions the WireGuard whitepaper builds on it:
 * HASH, MAC (keyed, 16 bytes), HMAC and the HKDF-style KDF1/KDF2/KDF3.
 */
#ifndef WGDP_CRYPTO_BLAKE2S_H
#define WGDP_CRYPTO_BLAKE2S_H

#include <stddef.h>
#include <stdint.h>

#include <blake2.h>

#define WGC_BLAKE2S_HASH_LEN  32
#define WGC_BLAKE2S_BLOCK_LEN 64
#define WGC_BLAKE2S_MAC_LEN   16

/* Incremental hashing, for the Noise hash chain (HASH(h || data)). */
struct wgc_blake2s {
	blake2s_state state;
	size_t outlen;
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

#endif
