/* SPDX-License-Identifier: MIT */
/*
 * Poly1305 across packets: one packet a SIMD lane, up to 8 lanes a call, each lane with its own
 * one-time key and its own lengths (issue #16). The MAC input of a lane is RFC 8439 section
 * 2.8's AEAD construction, built on the fly from the lane's AD and ciphertext:
 *
 *   ad || zero pad to 16 || ct || zero pad to 16 || le64(adlen) || le64(ctlen)
 *
 * The time taken depends on n and the lengths only, never on keys or message bytes.
 */
#ifndef WGDP_CRYPTO_POLY1305_X8_H
#define WGDP_CRYPTO_POLY1305_X8_H

#include <stdbool.h>
#include <stdint.h>

#define WGC_POLY_X8_LANES 8

struct wgc_poly_lane {
	const uint8_t *key; /* 32 bytes: r || s (RFC 8439 2.5), e.g. ChaCha20 block 0 */
	const uint8_t *ad;  /* may be NULL when adlen is 0 */
	uint32_t adlen;
	const uint8_t *ct; /* may be NULL when ctlen is 0 */
	uint32_t ctlen;
};

/* True when this CPU (and OS) can run wgc_poly1305_aead_x8_avx2(). */
bool wgc_poly1305_x8_supported(void);

/*
 * tag[i] (i < n <= 8) = Poly1305(key_i, ad_i || pad16 || ct_i || pad16 || le64(adlen_i) ||
 * le64(ctlen_i)). Only call when wgc_poly1305_x8_supported(). n = 0 writes nothing.
 */
void wgc_poly1305_aead_x8_avx2(const struct wgc_poly_lane *lanes, unsigned int n,
			       uint8_t tag[][16]);

#endif
