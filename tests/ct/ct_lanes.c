/* SPDX-License-Identifier: MIT */
/*
 * The constant-time check of the 8-lane AEAD (the ctgrind method): keys, counters,
 * plaintexts, ciphertexts and tags are marked undefined for valgrind's memcheck, one burst is
 * encrypted and one decrypted, and memcheck reports any conditional jump or memory address
 * that depends on them (meson runs this under valgrind --error-exitcode=1). Only the lengths
 * and the lane count are public, as in the data path. Outside valgrind the marks do nothing
 * and the program only checks that it runs.
 *
 * --canary adds one branch on a key byte: memcheck must report it, or the check would prove
 * nothing (meson expects that run to fail).
 */
#include <stdio.h>
#include <string.h>

#include <valgrind/memcheck.h>

#include "crypto/aead_batch.h"
#include "crypto/aead_x8.h"
#include "crypto/ct.h"

#define LANES WGC_AEAD_X8_LANES

/* Two bursts: one all short (decryption copies the ciphertexts aside), one with a long lane
 * (decryption runs ChaCha20 in two passes). */
static const uint32_t burst_lens[2][LANES] = { { 0, 1, 15, 64, 65, 200, 300, 511 },
					       { 0, 1, 15, 64, 65, 200, 511, 1420 } };
static const uint32_t *lens;
static uint8_t key[LANES][32], buf[LANES][1420 + 16], ad[LANES][16];
static uint64_t counter[LANES];

static void ops_of(struct wgc_batch_op *ops, bool with_ad)
{
	for (unsigned int i = 0; i < LANES; i++)
		ops[i] = (struct wgc_batch_op){ .key = key[i],
						.counter = counter[i],
						.src = buf[i],
						.dst = buf[i],
						.len = lens[i],
						.tag = buf[i] + lens[i],
						.ad = with_ad ? ad[i] : NULL,
						.adlen = with_ad ? (uint32_t)sizeof(ad[i]) : 0 };
}

int main(int argc, char **argv)
{
	struct wgc_batch_op ops[LANES];
	bool canary = argc > 1 && strcmp(argv[1], "--canary") == 0;
	volatile uint32_t sink = 0;
	uint32_t ok = 0;

	if (!wgc_aead_x8_supported()) {
		printf("ct_lanes: this CPU has no AVX2: nothing to check\n");
		return 77;
	}
	for (unsigned int i = 0; i < LANES; i++) {
		memset(key[i], 0x11 * (i + 1), sizeof(key[i]));
		memset(buf[i], i, sizeof(buf[i]));
		memset(ad[i], 0xa0 + i, sizeof(ad[i]));
		counter[i] = 0xfffffffffffffff0ull + i;
	}
	/* The secrets: what an attacker must not learn from timing. */
	VALGRIND_MAKE_MEM_UNDEFINED(key, sizeof(key));
	VALGRIND_MAKE_MEM_UNDEFINED(counter, sizeof(counter));
	VALGRIND_MAKE_MEM_UNDEFINED(buf, sizeof(buf));
	VALGRIND_MAKE_MEM_UNDEFINED(ad, sizeof(ad));
	if (canary && key[3][7] == 0x44)
		sink++;
	for (unsigned int b = 0; b < 2; b++) {
		uint32_t v;

		lens = burst_lens[b];
		ops_of(ops, false);
		wgc_aead_x8_encrypt(ops, LANES);
		ops_of(ops, true);
		wgc_aead_x8_encrypt(ops, LANES);
		v = wgc_aead_x8_decrypt(ops, LANES);
		/* The verdict is the one thing the caller may act on: public from here. */
		VALGRIND_MAKE_MEM_DEFINED(&v, sizeof(v));
		ok |= (v == (1u << LANES) - 1) << b;
	}
	printf("ct_lanes: two bursts each way, %u lanes, %s%s\n", LANES,
	       ok == 3 ? "both authenticated" : "a burst failed", canary ? " (canary)" : "");
	return ok == 3 ? 0 : 1;
}
