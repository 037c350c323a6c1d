/* SPDX-License-Identifier: MIT */
/*
 * Batch ChaCha20-Poly1305 for the data plane, on intel-ipsec-mb's multi-buffer job API.
 *
 * One context per lcore (it owns an IMB_MGR, which is not thread-safe). Each operation in a
 * batch has its own key and counter, as packets of many peers arrive in one burst. The nonce
 * is WireGuard's: 32 zero bits then the 64-bit counter, little-endian. WireGuard's transport
 * messages carry no AD; ad/adlen exist for RFC 8439 vectors and may be NULL/0.
 *
 * The SIMD path is picked at run time from what the CPU offers, or forced by the caller
 * (or by the WGDP_CRYPTO_ARCH environment variable: sse, avx2, avx512, avx2-x8, avx512-x8).
 * The "-x8" paths hand a burst's short packets to the 8-lane code (aead_x8.h: eight packets
 * at once, one a lane) and the rest to intel-ipsec-mb's path of that name; the others are
 * intel-ipsec-mb alone, one packet after the other.
 */
#ifndef WGDP_CRYPTO_AEAD_BATCH_H
#define WGDP_CRYPTO_AEAD_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#define WGC_BATCH_MAX 64

enum wgc_arch {
	WGC_ARCH_AUTO = 0,
	WGC_ARCH_SSE,
	WGC_ARCH_AVX2,
	WGC_ARCH_AVX512,
	WGC_ARCH_AVX2_X8,
	WGC_ARCH_AVX512_X8,
};

/*
 * The longest payload the "-x8" paths give the 8-lane code (docs/performance.md,
 * `wgdp-perf crypto --arch all`): on AVX2 it is ahead of intel-ipsec-mb's AVX2 path at every
 * size up to 9000 bytes, so it takes all. Against intel-ipsec-mb's AVX-512 path it was not
 * measured in one run (no AVX-512 CPU in the session that wrote it): that path's figures of
 * 2026-11-22 (2.9 Gbit/s at 64 B, 9.5 at 256) against the 8-lane code's on AVX2 (3.5-4.3 and
 * 6.5) put the crossover near 128 bytes.
 */
#define WGC_X8_LEN_MAX_AVX2   UINT32_MAX
#define WGC_X8_LEN_MAX_AVX512 128

struct wgc_batch_op {
	const uint8_t *key; /* 32 bytes */
	uint64_t counter;
	const uint8_t *src;
	uint8_t *dst;	/* src itself, before it (a header stripped), or apart from it */
	uint32_t len;	/* payload bytes, without the tag */
	uint8_t *tag;	/* encrypt: receives the 16-byte tag; decrypt: the tag received */
	const uint8_t *ad;
	uint32_t adlen;
};

struct wgc_batch;

/* Name of an arch ("sse", "avx2", "avx512", "auto"). */
const char *wgc_arch_name(enum wgc_arch arch);

/* Whether arch hands short packets to the 8-lane code (the "-x8" paths). */
bool wgc_arch_is_x8(enum wgc_arch arch);

/* Parses a name as above; returns false if unknown. */
bool wgc_arch_parse(const char *name, enum wgc_arch *arch);

/* Whether this CPU (and the ipsec-mb build) can run arch. AUTO is always supported. */
bool wgc_arch_supported(enum wgc_arch arch);

/*
 * A context on arch. WGC_ARCH_AUTO takes WGDP_CRYPTO_ARCH if set, else the best the CPU
 * supports. Returns NULL if arch is not supported here (or allocation fails).
 */
struct wgc_batch *wgc_batch_create(enum wgc_arch arch);
void wgc_batch_free(struct wgc_batch *b);

/* The arch the context actually runs. */
enum wgc_arch wgc_batch_arch(const struct wgc_batch *b);

/* A "-x8" context: payloads of at most len bytes go to the 8-lane code (0: none; for the
 * benchmark that finds the crossover). Other contexts ignore it. */
void wgc_batch_set_x8_len_max(struct wgc_batch *b, uint32_t len);

/* Encrypts n (<= WGC_BATCH_MAX) operations. */
void wgc_batch_encrypt(struct wgc_batch *b, const struct wgc_batch_op *ops, unsigned int n);

/*
 * Decrypts n (<= WGC_BATCH_MAX) operations and returns a mask with bit i set when op i
 * authenticated (tags compared in constant time). The dst of an op whose bit is clear holds
 * unauthenticated data: the caller must drop it.
 */
uint64_t wgc_batch_decrypt(struct wgc_batch *b, const struct wgc_batch_op *ops, unsigned int n);

#endif
