/* SPDX-License-Identifier: MIT */
/*
 * Single-message AEADs for the handshake: ChaCha20-Poly1305 with WireGuard's 64-bit counter
 * nonce (RFC 8439 with the nonce 32 zero bits || little-endian counter), and
 * XChaCha20-Poly1305 for cookie replies. The data plane uses aead_batch.h instead.
 */
#ifndef WGDP_CRYPTO_AEAD_H
#define WGDP_CRYPTO_AEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WGC_AEAD_KEY_LEN     32
#define WGC_AEAD_TAG_LEN     16
#define WGC_AEAD_NONCE_LEN   12
#define WGC_XAEAD_NONCE_LEN  24

/* RFC 8439 ChaCha20-Poly1305 with any 96-bit nonce (test vectors; general use). */
void wgc_aead_encrypt_nonce(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad,
			    size_t adlen, const uint8_t nonce[WGC_AEAD_NONCE_LEN],
			    const uint8_t key[WGC_AEAD_KEY_LEN]);
bool wgc_aead_decrypt_nonce(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad,
			    size_t adlen, const uint8_t nonce[WGC_AEAD_NONCE_LEN],
			    const uint8_t key[WGC_AEAD_KEY_LEN]);

/* WireGuard's nonce: 32 zero bits then counter as a little-endian 64-bit integer. */
void wgc_aead_nonce_from_counter(uint8_t nonce[WGC_AEAD_NONCE_LEN], uint64_t counter);

/* dst receives srclen bytes of ciphertext followed by the 16-byte tag; dst may equal src. */
void wgc_aead_encrypt(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad,
		      size_t adlen, uint64_t counter, const uint8_t key[WGC_AEAD_KEY_LEN]);

/*
 * src holds srclen bytes: ciphertext then tag (srclen >= 16). On success dst receives
 * srclen - 16 bytes of plaintext and true is returned; on failure dst is left zeroed.
 */
bool wgc_aead_decrypt(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad,
		      size_t adlen, uint64_t counter, const uint8_t key[WGC_AEAD_KEY_LEN]);

void wgc_xaead_encrypt(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad,
		       size_t adlen, const uint8_t nonce[WGC_XAEAD_NONCE_LEN],
		       const uint8_t key[WGC_AEAD_KEY_LEN]);

bool wgc_xaead_decrypt(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad,
		       size_t adlen, const uint8_t nonce[WGC_XAEAD_NONCE_LEN],
		       const uint8_t key[WGC_AEAD_KEY_LEN]);

#endif
