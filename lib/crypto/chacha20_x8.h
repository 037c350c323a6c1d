/* SPDX-License-Identifier: MIT */
/*
 * ChaCha20 (RFC 8439) on up to 8 packets at once, one packet a SIMD lane: each lane has its own
 * key, nonce and length, as packets of many peers arrive in one burst. It produces what the
 * ChaCha20-Poly1305 AEAD needs from ChaCha20: the Poly1305 one-time key (block 0) and the data
 * XORed with the keystream from block 1 on. The Poly1305 half lives elsewhere (poly1305_x8).
 */
#ifndef WGDP_CRYPTO_CHACHA20_X8_H
#define WGDP_CRYPTO_CHACHA20_X8_H

#include <stdbool.h>
#include <stdint.h>

#define WGC_CHACHA_X8_LANES 8

/* One lane: RFC 8439 ChaCha20 with a 96-bit nonce. */
struct wgc_chacha_lane {
	const uint8_t *key;   /* 32 bytes */
	const uint8_t *nonce; /* 12 bytes (WireGuard: 4 zero bytes, then the LE 64-bit counter) */
	const uint8_t *src;
	uint8_t *dst; /* src itself, before it, or apart from it (blocks go forward) */
	uint32_t len; /* bytes to XOR; 0 is fine */
};

/* Whether this CPU can run wgc_chacha20_x8_avx2 (AVX2, and the OS saves the YMM state). */
bool wgc_chacha20_x8_supported(void);

/*
 * For each lane i < n (n <= 8; more are ignored): poly_key[i] = the first 32 bytes of the
 * keystream block with block counter 0 (the Poly1305 one-time key of RFC 8439 2.6), and
 * dst = src XOR the keystream from block counter 1 on (RFC 8439 2.8 encryption and decryption
 * are the same XOR). poly_key NULL: block 0 is not computed (the keys are known already).
 * Lanes past n are not touched. Nothing outside dst[0..len) is written.
 * Branches and memory indexes depend on n and the lengths only, never on keys, nonces or data.
 * Only call it when wgc_chacha20_x8_supported().
 */
void wgc_chacha20_x8_avx2(const struct wgc_chacha_lane *lanes, unsigned int n,
			  uint8_t poly_key[][32]);

#endif
