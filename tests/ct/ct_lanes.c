/* SPDX-License-Identifier: MIT */
/*
 * The constant-time check of the 8-lane AEAD (the ctgrind method): keys, counters,
 * plaintexts, AD and tags are marked undefined for valgrind's memcheck, and bursts of every
 * lane count 1..8 are encrypted and decrypted, in place and out of place, short (decryption
 * copies the ciphertexts aside) and with a long lane (decryption in two passes). memcheck
 * reports any conditional jump or memory address that depends on them (run_ct.sh runs this
 * under valgrind). Only the lengths and the lane count are public, as in the data path.
 * Outside valgrind the marks do nothing and the program only checks the round trips.
 *
 * The canaries prove the check can fail, on what the AEAD computed rather than on an input:
 * --canary branches on a tag byte, --canary-index reads a table at a tag byte's index.
 */
#include <stdio.h>
#include <string.h>

#include <valgrind/memcheck.h>

#include "crypto/aead_batch.h"
#include "crypto/aead_x8.h"
#include "crypto/ct.h"

#define LANES WGC_AEAD_X8_LANES
#define MAX   1420

static const uint32_t burst_lens[2][LANES] = { { 0, 1, 15, 64, 65, 200, 300, 511 },
					       { 0, 1, 15, 64, 65, 200, 511, 1420 } };
static uint8_t key[LANES][32], buf[LANES][MAX + 16], out[LANES][MAX + 16], ad[LANES][16];
static uint64_t counter[LANES];

static void ops_of(struct wgc_batch_op *ops, const uint32_t *lens, bool apart)
{
	for (unsigned int i = 0; i < LANES; i++)
		ops[i] = (struct wgc_batch_op){ .key = key[i],
						.counter = counter[i],
						.src = buf[i],
						.dst = apart ? out[i] : buf[i],
						.len = lens[i],
						.tag = buf[i] + lens[i],
						.ad = ad[i],
						.adlen = (uint32_t)sizeof(ad[i]) };
}

static void secrets(void)
{
	for (unsigned int i = 0; i < LANES; i++) {
		memset(key[i], 0x11 * (i + 1), sizeof(key[i]));
		memset(buf[i], (int)i, sizeof(buf[i]));
		memset(ad[i], 0xa0 + (int)i, sizeof(ad[i]));
		counter[i] = 0xfffffffffffffff0ull + i;
	}
	/* What an attacker must not learn from timing. */
	VALGRIND_MAKE_MEM_UNDEFINED(key, sizeof(key));
	VALGRIND_MAKE_MEM_UNDEFINED(counter, sizeof(counter));
	VALGRIND_MAKE_MEM_UNDEFINED(buf, sizeof(buf));
	VALGRIND_MAKE_MEM_UNDEFINED(ad, sizeof(ad));
}

/* One burst of n lanes each way; true when decryption authenticated every lane. */
static bool round_trip(const uint32_t *lens, unsigned int n, bool apart)
{
	struct wgc_batch_op ops[LANES];
	uint32_t v;

	ops_of(ops, lens, false);
	wgc_aead_x8_encrypt(ops, n);
	ops_of(ops, lens, apart);
	v = wgc_aead_x8_decrypt(ops, n);
	/* The verdict is the one thing the caller may act on: public from here. */
	VALGRIND_MAKE_MEM_DEFINED(&v, sizeof(v));
	if (apart) /* back in buf, for the next burst to encrypt */
		for (unsigned int i = 0; i < n; i++)
			memcpy(buf[i], out[i], lens[i]);
	return v == (1u << n) - 1;
}

int main(int argc, char **argv)
{
	const char *canary = argc > 1 ? argv[1] : "";
	static const uint8_t table[256] = { 1 };
	volatile uint32_t sink = 0;
	unsigned int bursts = 0, good = 0;

	if (!wgc_aead_x8_supported()) {
		printf("ct_lanes: this CPU has no AVX2: nothing to check\n");
		return 77;
	}
	secrets();
	for (unsigned int b = 0; b < 2; b++)
		for (unsigned int n = 1; n <= LANES; n++)
			for (unsigned int apart = 0; apart < 2; apart++, bursts++)
				good += round_trip(burst_lens[b], n, apart);
	/* buf[3] holds lane 3's plaintext and, after it, the tag its encryption wrote. */
	if (strcmp(canary, "--canary") == 0 && buf[3][64] == 0x44)
		sink++;
	if (strcmp(canary, "--canary-index") == 0)
		sink += table[buf[3][64]];
	printf("ct_lanes: %u bursts each way, %u authenticated%s\n", bursts, good,
	       *canary ? " (canary)" : "");
	return good == bursts ? 0 : 1;
}
