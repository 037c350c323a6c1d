/* SPDX-License-Identifier: MIT */
#include <sodium.h>

#include "ct.h"
#include "x25519.h"

void wgc_x25519_clamp(uint8_t key[WGC_X25519_KEY_LEN])
{
	key[0] &= 248;
	key[31] &= 127;
	key[31] |= 64;
}

void wgc_x25519_generate(uint8_t priv[WGC_X25519_KEY_LEN])
{
	wgc_random(priv, WGC_X25519_KEY_LEN);
	wgc_x25519_clamp(priv);
}

bool wgc_x25519_public(uint8_t pub[WGC_X25519_KEY_LEN], const uint8_t priv[WGC_X25519_KEY_LEN])
{
	return crypto_scalarmult_base(pub, priv) == 0;
}

bool wgc_x25519(uint8_t out[WGC_X25519_KEY_LEN], const uint8_t priv[WGC_X25519_KEY_LEN],
		const uint8_t pub[WGC_X25519_KEY_LEN])
{
	/* libsodium refuses (-1) when the result is all zero, i.e. pub has small order. */
	if (crypto_scalarmult(out, priv, pub) != 0) {
		wgc_memzero(out, WGC_X25519_KEY_LEN);
		return false;
	}
	return true;
}
