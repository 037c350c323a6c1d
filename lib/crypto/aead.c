/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <sodium.h>

#include "aead.h"
#include "ct.h"

void wgc_aead_nonce_from_counter(uint8_t nonce[WGC_AEAD_NONCE_LEN], uint64_t counter)
{
	memset(nonce, 0, 4);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(counter >> (8 * i));
}

void wgc_aead_encrypt_nonce(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad,
			    size_t adlen, const uint8_t nonce[WGC_AEAD_NONCE_LEN],
			    const uint8_t key[WGC_AEAD_KEY_LEN])
{
	crypto_aead_chacha20poly1305_ietf_encrypt(dst, NULL, src, srclen, ad, adlen, NULL, nonce,
						  key);
}

bool wgc_aead_decrypt_nonce(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad,
			    size_t adlen, const uint8_t nonce[WGC_AEAD_NONCE_LEN],
			    const uint8_t key[WGC_AEAD_KEY_LEN])
{
	/* libsodium checks the tag in constant time before it decrypts anything. */
	if (srclen < WGC_AEAD_TAG_LEN ||
	    crypto_aead_chacha20poly1305_ietf_decrypt(dst, NULL, NULL, src, srclen, ad, adlen,
						      nonce, key) != 0) {
		if (srclen > WGC_AEAD_TAG_LEN)
			wgc_memzero(dst, srclen - WGC_AEAD_TAG_LEN);
		return false;
	}
	return true;
}

void wgc_aead_encrypt(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad,
		      size_t adlen, uint64_t counter, const uint8_t key[WGC_AEAD_KEY_LEN])
{
	uint8_t nonce[WGC_AEAD_NONCE_LEN];

	wgc_aead_nonce_from_counter(nonce, counter);
	wgc_aead_encrypt_nonce(dst, src, srclen, ad, adlen, nonce, key);
}

bool wgc_aead_decrypt(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad,
		      size_t adlen, uint64_t counter, const uint8_t key[WGC_AEAD_KEY_LEN])
{
	uint8_t nonce[WGC_AEAD_NONCE_LEN];

	wgc_aead_nonce_from_counter(nonce, counter);
	return wgc_aead_decrypt_nonce(dst, src, srclen, ad, adlen, nonce, key);
}

void wgc_xaead_encrypt(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad,
		       size_t adlen, const uint8_t nonce[WGC_XAEAD_NONCE_LEN],
		       const uint8_t key[WGC_AEAD_KEY_LEN])
{
	crypto_aead_xchacha20poly1305_ietf_encrypt(dst, NULL, src, srclen, ad, adlen, NULL, nonce,
						   key);
}

bool wgc_xaead_decrypt(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad,
		       size_t adlen, const uint8_t nonce[WGC_XAEAD_NONCE_LEN],
		       const uint8_t key[WGC_AEAD_KEY_LEN])
{
	if (srclen < WGC_AEAD_TAG_LEN ||
	    crypto_aead_xchacha20poly1305_ietf_decrypt(dst, NULL, NULL, src, srclen, ad, adlen,
						       nonce, key) != 0) {
		if (srclen > WGC_AEAD_TAG_LEN)
			wgc_memzero(dst, srclen - WGC_AEAD_TAG_LEN);
		return false;
	}
	return true;
}
