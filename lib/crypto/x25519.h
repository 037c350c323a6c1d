/* SPDX-License-Identifier: MIT */
/* Curve25519 Diffie-Hellman (RFC 7748), the DH of WireGuard's Noise_IKpsk2. */
#ifndef WGDP_CRYPTO_X25519_H
#define WGDP_CRYPTO_X25519_H

#include <stdbool.h>
#include <stdint.h>

#define WGC_X25519_KEY_LEN 32

/* A new private key: 32 random bytes, clamped as `wg genkey` does. */
void wgc_x25519_generate(uint8_t priv[WGC_X25519_KEY_LEN]);

/* The clamping of RFC 7748 section 5, for random bytes drawn some other way. */
void wgc_x25519_clamp(uint8_t priv[WGC_X25519_KEY_LEN]);

/* The public key of priv. Returns false only if the result would be all-zero. */
bool wgc_x25519_public(uint8_t pub[WGC_X25519_KEY_LEN], const uint8_t priv[WGC_X25519_KEY_LEN]);

/*
 * out = X25519(priv, pub). Returns false, with out zeroed, when the shared secret is all
 * zero: pub was a low-order point and the exchange contributes nothing secret.
 */
bool wgc_x25519(uint8_t out[WGC_X25519_KEY_LEN], const uint8_t priv[WGC_X25519_KEY_LEN],
		const uint8_t pub[WGC_X25519_KEY_LEN]);

#endif
