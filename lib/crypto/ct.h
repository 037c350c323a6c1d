/* SPDX-License-Identifier: MIT */
/*
 * Helpers for code that handles secrets: comparisons whose time does not depend on the data,
 * and zeroing that the compiler may not elide.
 */
#ifndef WGDP_CRYPTO_CT_H
#define WGDP_CRYPTO_CT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when a and b hold the same n bytes; takes the same time wherever they differ. */
bool wgc_ct_equal(const void *a, const void *b, size_t n);

/* True when all n bytes are zero, in constant time. */
bool wgc_ct_is_zero(const void *p, size_t n);

/* Overwrites n bytes with zeros in a way dead-store elimination cannot remove. */
void wgc_memzero(void *p, size_t n);

/*
 * Zeroes WGC_SCRUB_STACK_LEN bytes of stack below the caller's frame: where a function the
 * caller has just called spilled secrets (vector code spills key words and accumulators to
 * its frame, which C gives no way to wipe). Best effort: C promises nothing about where
 * spills go, and a sanitizer's fake stacks are elsewhere.
 */
#define WGC_SCRUB_STACK_LEN 8192
void wgc_scrub_stack(void);

/* Fills buf with n bytes from the system CSPRNG. */
void wgc_random(void *buf, size_t n);

/* A uniformly random 32-bit value (receiver indexes, jitter). */
uint32_t wgc_random_u32(void);

/*
 * Initialises the crypto layer (libsodium). Call once before anything else in lib/crypto;
 * safe to call again. Returns 0, or -1 if the library cannot be initialised.
 */
int wgc_init(void);

#endif
