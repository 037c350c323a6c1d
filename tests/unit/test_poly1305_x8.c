/* SPDX-License-Identifier: MIT */
/*
 * The 8-lane Poly1305 must give every lane RFC 8439's AEAD tag: checked against the RFC's own
 * vectors in every lane position, and against libsodium's Poly1305 over the padded message
 * (built here, byte by byte) for thousands of seeded random batches mixing all sorts of
 * lengths and keys. Messages live in heap buffers of exactly their length, so that ASan or
 * valgrind catch any read past them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/ct.h"
#include "crypto/poly1305_x8.h"
#include "rfc8439_a5.h"
#include "unit.h"

#define LANES  WGC_POLY_X8_LANES
#define MAX_AD 40
#define MAX_CT 2048
#define CASES  5000

/* RFC 8439 2.8.2: the Poly1305 key (from the AEAD key 80..9f and nonce 07000000 40..47). */
static const char rfc_282_polykey[] = "7b ac 2b 25 2d b4 47 af 09 b6 7a 55 a4 e9 55 84"
				      "0a e1 d6 73 10 75 d9 eb 2a 93 75 78 3e d5 53 ff";
static const char rfc_282_aad[] = "50 51 52 53 c0 c1 c2 c3 c4 c5 c6 c7";
static const char rfc_282_cipher[] = "d3 1a 8d 34 64 8e 60 db 7b 86 af bc 53 ef 7e c2"
				     "a4 ad ed 51 29 6e 08 fe a9 e2 b5 a7 36 ee 62 d6"
				     "3d be a4 5e 8c a9 67 12 82 fa fb 69 da 92 72 8b"
				     "1a 71 de 0a 9e 06 0b 29 05 d6 a5 b6 7e cd 3b 36"
				     "92 dd bd 7f 2d 77 8b 8c 98 03 ae e3 28 09 1b 58"
				     "fa b3 24 e4 fa d6 75 94 55 85 80 8b 48 31 d7 bc"
				     "3f f4 de f0 8e 4b 7a 9d e5 76 d2 65 86 ce c6 4b"
				     "61 16";
static const char rfc_282_tag[] = "1a:e1:0b:59:4f:09:e2:6a:7e:90:2e:cb:d0:60:06:91";

/* RFC 8439 A.5: AEAD decryption (rfc8439_a5.h). */
static const char rfc_a5_polykey[] = RFC8439_A5_POLYKEY;
static const char rfc_a5_aad[] = RFC8439_A5_AAD;
static const char rfc_a5_cipher[] = RFC8439_A5_CIPHER;
static const char rfc_a5_tag[] = RFC8439_A5_TAG;

/* One lane's input, its message in heap buffers of exactly its length (NULL when empty). */
struct lane {
	uint8_t key[32];
	uint8_t *ad;
	uint8_t *ct;
	uint32_t adlen;
	uint32_t ctlen;
};

static struct lane lanes[LANES];
static uint64_t seed, rng_state;
static unsigned long case_no;

/* splitmix64: a small generator whose seed, printed, repeats a failing run. */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static void fill(uint8_t *p, size_t n, int ones)
{
	for (size_t i = 0; i < n; i++)
		p[i] = ones ? 0xff : (uint8_t)rnd();
}

static uint8_t *alloc_bytes(uint32_t n, int ones)
{
	uint8_t *p;

	if (n == 0)
		return NULL;
	p = malloc(n);
	if (!p) {
		fprintf(stderr, "out of memory\n");
		abort();
	}
	fill(p, n, ones);
	return p;
}

static void lane_clear(struct lane *l)
{
	free(l->ad);
	free(l->ct);
	memset(l, 0, sizeof(*l));
}

/* A lane with random bytes (all 0xff when ones: the largest limbs) of the given lengths. */
static void lane_set(struct lane *l, uint32_t adlen, uint32_t ctlen, int ones)
{
	lane_clear(l);
	fill(l->key, sizeof(l->key), 0);
	l->adlen = adlen;
	l->ctlen = ctlen;
	l->ad = alloc_bytes(adlen, ones);
	l->ct = alloc_bytes(ctlen, ones);
}

/* A lane from hex: key, AD and ciphertext. */
static void lane_hex(struct lane *l, const char *key, const char *ad, const char *ct)
{
	uint8_t buf[512];

	lane_clear(l);
	CU_ASSERT_EQUAL_FATAL(unit_hex(l->key, sizeof(l->key), key), 32);
	l->adlen = (uint32_t)unit_hex(buf, sizeof(buf), ad);
	l->ad = alloc_bytes(l->adlen, 0);
	if (l->adlen)
		memcpy(l->ad, buf, l->adlen);
	l->ctlen = (uint32_t)unit_hex(buf, sizeof(buf), ct);
	l->ct = alloc_bytes(l->ctlen, 0);
	if (l->ctlen)
		memcpy(l->ct, buf, l->ctlen);
}

static uint32_t pad16(uint32_t n)
{
	return (n + 15) / 16 * 16;
}

/* libsodium's Poly1305 over RFC 8439 2.8's construction, put together here. */
static void reference_tag(const struct lane *l, uint8_t tag[16])
{
	uint32_t len = pad16(l->adlen) + pad16(l->ctlen) + 16;
	uint8_t *msg = calloc(1, len), *p = msg;

	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	if (l->adlen)
		memcpy(p, l->ad, l->adlen);
	p += pad16(l->adlen);
	if (l->ctlen)
		memcpy(p, l->ct, l->ctlen);
	p += pad16(l->ctlen);
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)((uint64_t)l->adlen >> (8 * i));
		p[8 + i] = (uint8_t)((uint64_t)l->ctlen >> (8 * i));
	}
	crypto_onetimeauth_poly1305(tag, msg, len, l->key);
	free(msg);
}

static void run_x8(unsigned int n, uint8_t tag[LANES][16])
{
	struct wgc_poly_lane in[LANES];

	for (unsigned int i = 0; i < n; i++)
		in[i] = (struct wgc_poly_lane){
			.key = lanes[i].key,
			.ad = lanes[i].ad,
			.adlen = lanes[i].adlen,
			.ct = lanes[i].ct,
			.ctlen = lanes[i].ctlen,
		};
	wgc_poly1305_aead_x8_avx2(in, n, tag);
}

/*
 * Runs lanes[0..n) and checks every tag against libsodium, and that tags past n are left
 * alone. Returns false (after saying how to repeat it) on any difference.
 */
static bool check_batch(unsigned int n, const char *what)
{
	uint8_t tag[LANES][16], want[16];
	bool ok = true;

	memset(tag, 0xa5, sizeof(tag));
	run_x8(n, tag);
	for (unsigned int i = 0; i < LANES; i++) {
		if (i < n) {
			reference_tag(&lanes[i], want);
		} else {
			memset(want, 0xa5, sizeof(want));
		}
		if (memcmp(tag[i], want, 16) == 0)
			continue;
		fprintf(stderr,
			"\n%s: seed %" PRIu64 " case %lu: n %u lane %u (adlen %" PRIu32
			" ctlen %" PRIu32 ") %s\n",
			what, seed, case_no, n, i, lanes[i].adlen, lanes[i].ctlen,
			i < n ? "wrong tag" : "written past n");
		ok = false;
	}
	return ok;
}

static void random_lanes(uint32_t max_ad, uint32_t max_ct)
{
	for (unsigned int i = 0; i < LANES; i++)
		lane_set(&lanes[i], below(max_ad + 1), below(max_ct + 1), below(16) == 0);
}

/* The RFC vectors' tags, in every lane of a batch, the others random. */
static void check_rfc_vector(const char *key, const char *ad, const char *ct, const char *tag_hex)
{
	uint8_t want[16];

	CU_ASSERT_EQUAL_FATAL(unit_hex(want, sizeof(want), tag_hex), 16);
	for (unsigned int pos = 0; pos < LANES; pos++) {
		/* Last in a partial batch (n = pos + 1), and in a full one. */
		const unsigned int ns[2] = { pos + 1, LANES };

		for (unsigned int k = 0; k < (pos + 1 < LANES ? 2u : 1u); k++) {
			unsigned int n = ns[k];
			uint8_t tag[LANES][16];

			case_no++;
			random_lanes(MAX_AD, pos % 2 ? MAX_CT : 200);
			lane_hex(&lanes[pos], key, ad, ct);
			memset(tag, 0, sizeof(tag));
			run_x8(n, tag);
			UNIT_ASSERT_MEM(tag[pos], want, 16);
			CU_ASSERT_TRUE(check_batch(n, "rfc vector batch"));
		}
	}
}

static void test_rfc_282(void)
{
	check_rfc_vector(rfc_282_polykey, rfc_282_aad, rfc_282_cipher, rfc_282_tag);
}

static void test_rfc_a5(void)
{
	check_rfc_vector(rfc_a5_polykey, rfc_a5_aad, rfc_a5_cipher, rfc_a5_tag);
}

static const uint32_t edge_ct[] = {
	0,   1,	  15,  16,  17,	 31,  32,  33,	 48,   63,   64,   65,
	112, 127, 128, 129, 255, 256, 257, 1419, 1420, 1421, 2047, 2048
};
static const uint32_t edge_ad[] = { 0, 1, 8, 12, 15, 16, 17, 31, 32, 33, 40 };

#define PICK(a) ((a)[below(sizeof(a) / sizeof((a)[0]))])

enum mix { MIX_EQUAL, MIX_RANDOM, MIX_ZEROS, MIX_EDGES, MIX_ONE_LONG, MIX_SHORT, MIXES };

static const char *const mix_names[] = {
	[MIX_EQUAL] = "equal lengths", [MIX_RANDOM] = "random lengths",
	[MIX_ZEROS] = "some empty",    [MIX_EDGES] = "16/64-byte edges",
	[MIX_ONE_LONG] = "one long",   [MIX_SHORT] = "short",
};

static void lengths_for(enum mix mix, unsigned int i, uint32_t *ad, uint32_t *ct)
{
	static uint32_t same_ad, same_ct, long_lane;

	switch (mix) {
	case MIX_EQUAL:
		if (i == 0) {
			same_ad = below(2) ? PICK(edge_ad) : below(MAX_AD + 1);
			same_ct = below(2) ? PICK(edge_ct) : below(MAX_CT + 1);
		}
		*ad = same_ad;
		*ct = same_ct;
		break;
	case MIX_ZEROS:
		*ad = below(2) ? 0 : below(MAX_AD + 1);
		*ct = below(2) ? 0 : below(MAX_CT + 1);
		break;
	case MIX_EDGES:
		*ad = PICK(edge_ad);
		*ct = PICK(edge_ct);
		break;
	case MIX_ONE_LONG:
		if (i == 0)
			long_lane = below(LANES);
		*ad = below(MAX_AD + 1);
		*ct = i == long_lane ? MAX_CT - below(2) * 628 : below(66);
		break;
	case MIX_SHORT: /* packet sizes, up to where the 4-block steps start (20 blocks) */
		*ad = below(MAX_AD + 1);
		*ct = below(400);
		break;
	default:
		*ad = below(MAX_AD + 1);
		*ct = below(MAX_CT + 1);
		break;
	}
}

/* Keys that stress the arithmetic: the largest r clamping allows, s = 2^128 - 1, r = 0. */
static void key_for(uint8_t key[32])
{
	switch (below(8)) {
	case 0:
		memset(key, 0xff, 16);
		break;
	case 1:
		memset(key + 16, 0xff, 16);
		break;
	case 2:
		memset(key, 0xff, 32);
		break;
	case 3:
		memset(key, 0, 16);
		break;
	default:
		break; /* random, as lane_set left it */
	}
}

static void test_against_libsodium(void)
{
	unsigned long failures = 0, per_mix[MIXES] = { 0 };

	for (unsigned long c = 0; c < CASES; c++) {
		enum mix mix = (enum mix)below(MIXES);
		unsigned int n = 1 + below(LANES);

		case_no++;
		for (unsigned int i = 0; i < LANES; i++) {
			uint32_t ad, ct;

			lengths_for(mix, i, &ad, &ct);
			lane_set(&lanes[i], ad, ct, below(8) == 0);
			key_for(lanes[i].key);
		}
		per_mix[mix]++;
		if (!check_batch(n, mix_names[mix]) && ++failures > 10)
			break;
	}
	CU_ASSERT_EQUAL(failures, 0);
	for (int m = 0; m < MIXES; m++)
		CU_ASSERT_TRUE(per_mix[m] > 0);
}

/* x = (x + y) mod 2^128, both little-endian: the expected tags below, computed by hand. */
static void add128(uint8_t x[16], const uint8_t y[16])
{
	unsigned int carry = 0;

	for (int i = 0; i < 16; i++) {
		carry += x[i] + y[i];
		x[i] = (uint8_t)carry;
		carry >>= 8;
	}
}

/*
 * Puts in lane pos, among random lanes, r = 1 with the given s and no AD, and a ciphertext
 * c0 || 0^16 with c0 = hi * 2^64 + lo; then checks the lane's tag is want (and all the tags
 * against libsodium). With r = 1 a step only adds its block to h, so h is easy to predict.
 */
static void check_r1_lane(unsigned int pos, uint64_t lo, uint64_t hi, const uint8_t s[16],
			  const uint8_t want[16], const char *what)
{
	struct lane *l = &lanes[pos];
	uint8_t tag[LANES][16];

	case_no++;
	/* Short or long neighbours: single steps only, or 4-block ones too. */
	random_lanes(MAX_AD, pos % 2 ? MAX_CT : 64);
	lane_set(l, 0, 32, 0);
	memset(l->key, 0, 16);
	l->key[0] = 1;
	memcpy(l->key + 16, s, 16);
	memset(l->ct, 0, 32);
	for (int i = 0; i < 8; i++) {
		l->ct[i] = (uint8_t)(lo >> (8 * i));
		l->ct[8 + i] = (uint8_t)(hi >> (8 * i));
	}
	run_x8(LANES, tag);
	UNIT_ASSERT_MEM(tag[pos], want, 16);
	CU_ASSERT_TRUE(check_batch(LANES, what));
}

/*
 * h landing just below, at and just above p = 2^130 - 5 before the final reduction. With r = 1
 * and no AD, 32 bytes of ciphertext c0 || 0 give h = c0 + 2^128 + 2^128 + (32 * 2^64 + 2^128):
 * c0 = 2^128 - 32 * 2^64 - 5 + d makes h = p + d exactly, no wrap on the way. The tag is then
 * d + s for d >= 0 and 2^128 - 6 + s for d = -1 (mod 2^128).
 */
static void test_final_reduction(void)
{
	static const uint8_t s_kinds[3][16] = {
		{ 0 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff },
		{ 0x36, 0xe5, 0xf6, 0xb5, 0xc5, 0xe0, 0x60, 0x70, 0xf0, 0xef, 0xca, 0x96, 0x22,
		  0x7a, 0x86, 0x3e },
	};

	for (int d = -1; d <= 4; d++) {
		uint64_t lo = 0xfffffffffffffffbull + (uint64_t)(int64_t)d;
		uint64_t hi = 0xffffffffffffffdfull;

		for (int sk = 0; sk < 3; sk++) {
			uint8_t want[16] = { 0 };

			if (d >= 0) {
				want[0] = (uint8_t)d;
			} else {
				memset(want, 0xff, 16);
				want[0] = 0xfa;
			}
			add128(want, s_kinds[sk]);
			for (unsigned int pos = 0; pos < LANES; pos++)
				check_r1_lane(pos, lo, hi, s_kinds[sk], want, "final reduction");
		}
	}
}

/*
 * Radix 2^26 with lazy carries can end with limb 4 at 2^26: the first carry of the final
 * reduction then pushes limb 0 to 2^26 or over, and only a second pass makes the limbs fit
 * for packing. With r = 1 the steps just add blocks, so ct = c0 || 0^16 (no AD) whose limbs
 * are (2^26 - 2, 1, 2^26 - 2^17, 2^26 - 1, 2^24 - 1) reaches exactly that: with the 2^128 bits
 * and the lengths block (2^17 in limb 2), h = (2^26 - 2, 1, 2^26, 2^26 - 1, 2^26 - 1), that is
 * 2^130 + 2^27 - 2 = 2^27 + 3 mod p.
 */
static void test_final_carry_twice(void)
{
	const uint64_t l[5] = { (1 << 26) - 2, 1, (1 << 26) - (1 << 17), (1 << 26) - 1,
				(1 << 24) - 1 };
	uint64_t lo = l[0] | l[1] << 26 | l[2] << 52, hi = l[2] >> 12 | l[3] << 14 | l[4] << 40;
	const uint8_t s[16] = { 0 }, want[16] = { 3, 0, 0, 8 }; /* 2^27 + 3 */

	for (unsigned int pos = 0; pos < LANES; pos++)
		check_r1_lane(pos, lo, hi, s, want, "final carry");
}

/* Every batch size with the same lanes: lanes past n must change nothing. */
static void test_every_n(void)
{
	for (int round = 0; round < 50; round++) {
		random_lanes(MAX_AD, round % 2 ? MAX_CT : 100);
		for (unsigned int n = 0; n <= LANES; n++) {
			case_no++;
			CU_ASSERT_TRUE(check_batch(n, "every n"));
		}
	}
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "RFC 8439 2.8.2 in every lane", test_rfc_282 },
		{ "RFC 8439 A.5 in every lane", test_rfc_a5 },
		{ "h at and around p before the final reduction", test_final_reduction },
		{ "limb 0 over 2^26 after one final carry", test_final_carry_twice },
		{ "n = 0..8, tags past n untouched", test_every_n },
		{ "random batches against libsodium", test_against_libsodium },
		CU_TEST_INFO_NULL,
	};
	const char *env = getenv("WGDP_TEST_SEED");
	int rc;

	if (!wgc_poly1305_x8_supported()) {
		printf("poly1305_x8: no AVX2 on this CPU, skipped\n");
		return 77; /* meson's "skipped" */
	}
	if (wgc_init() != 0)
		return 2;
	/* A fixed seed by default, so that every CI run checks the same cases. */
	seed = env ? strtoull(env, NULL, 0) : 0x706f6c7931333035ull;
	rng_state = seed;
	printf("poly1305_x8: seed %" PRIu64 " (WGDP_TEST_SEED=%" PRIu64 " repeats this run)\n",
	       seed, seed);
	rc = unit_run("poly1305_x8", tests);
	for (unsigned int i = 0; i < LANES; i++)
		lane_clear(&lanes[i]);
	if (rc)
		fprintf(stderr, "poly1305_x8: failed with seed %" PRIu64 "\n", seed);
	return rc;
}
