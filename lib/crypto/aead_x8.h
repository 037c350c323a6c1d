/* SPDX-License-Identifier: MIT */
/*
 * ChaCha20-Poly1305 (RFC 8439) on up to 8 packets at once, one packet a SIMD lane
 * (chacha20_x8.h for the cipher and the Poly1305 keys, poly1305_x8.h for the tags). The batch
 * (aead_batch.c) hands it the short packets of a burst, where one packet's work is too small
 * to fill the vector registers on its own.
 */
#ifndef WGDP_CRYPTO_AEAD_X8_H
#define WGDP_CRYPTO_AEAD_X8_H

#include <stdbool.h>
#include <stdint.h>

#include "aead_batch.h"

#define WGC_AEAD_X8_LANES 8

/* Whether this CPU runs the 8-lane code (AVX2). */
bool wgc_aead_x8_supported(void);

/* Encrypts ops[0..n), n <= 8: dst = ciphertext, *tag = its tag. */
void wgc_aead_x8_encrypt(const struct wgc_batch_op *ops, unsigned int n);

/*
 * Decrypts ops[0..n), n <= 8, and returns a mask with bit i set when op i's tag verified
 * (compared in constant time). Every dst is written; one whose bit is clear holds
 * unauthenticated data the caller must drop.
 */
uint32_t wgc_aead_x8_decrypt(const struct wgc_batch_op *ops, unsigned int n);

#endif
