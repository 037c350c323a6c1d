/* SPDX-License-Identifier: MIT */
/*
 * The 8-lane ChaCha20 must give, in every lane whatever the other lanes hold, RFC 8439's
 * vectors and exactly what libsodium's one-message ChaCha20 gives, and must write nothing but
 * dst[0..len) of lanes below n and their Poly1305 keys.
 *
 * The random cases come from a fixed seed (WGDP_TEST_SEED overrides it); a failure prints the
 * seed of its case. Exits 77 (meson's "skipped") on a CPU without AVX2.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/chacha20_x8.h"
#include "crypto/ct.h"
#include "unit.h"

#define LANES	    WGC_CHACHA_X8_LANES
#define MAX_LEN	    2048
#define LONG_LEN    70000 /* past 1024 blocks: the counter's second byte and more */
#define GUARD	    48
#define MISALIGN    32
#define BUF_LEN	    (GUARD + MISALIGN + LONG_LEN + GUARD)
#define GUARD_BYTE  0xa5
#define RANDOM_RUNS 4000

/* RFC 8439 section 2.4.2: key 00..1f, this nonce, block counter 1 for the first data block. */
static const char rfc_242_key[] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
static const char rfc_242_nonce[] = "000000000000004a00000000";
static const char rfc_242_plain[] = "Ladies and Gentlemen of the class of '99: If I could offer "
				    "you only one tip for the future, sunscreen would be it.";
static const char rfc_242_cipher[] = "6e 2e 35 9a 25 68 f9 80 41 ba 07 28 dd 0d 69 81"
				     "e9 7e 7a ec 1d 43 60 c2 0a 27 af cc fd 9f ae 0b"
				     "f9 1b 65 c5 52 47 33 ab 8f 59 3d ab cd 62 b3 57"
				     "16 39 d6 24 e6 51 52 ab 8f 53 0c 35 9f 08 61 d8"
				     "07 ca 0d bf 50 0d 6a 61 56 a3 8e 08 8a 22 b6 5e"
				     "52 bc 51 4d 16 cc f8 06 81 8c e9 1a b7 79 37 36"
				     "5a f9 0b bf 74 a3 5b e6 b4 0b 8e ed f2 78 5e 42"
				     "87 4d";

/* RFC 8439 section 2.6.2: Poly1305 key generation (block counter 0). */
static const char rfc_262_key[] =
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
static const char rfc_262_nonce[] = "000000000001020304050607";
static const char rfc_262_poly_key[] =
	"8ad5a08b905f81cc815040274ab29471a833b637e3fd0da508dbb8e2fdd1a646";

/* One lane's inputs and outputs, with guard bytes around where dst may be written. */
struct lane_buf {
	uint8_t key[32];
	uint8_t nonce[12];
	uint32_t len;
	bool in_place;
	unsigned int src_off, dst_off; /* misalignment of src and dst past the front guard */
	uint8_t src[BUF_LEN];
	uint8_t dst[BUF_LEN];
	uint8_t orig[BUF_LEN]; /* the buffer src is in, as it was before the call */
	uint8_t want[LONG_LEN];
};

static struct lane_buf *bufs; /* LANES + 1: the extra one checks that n caps the lanes read */
static uint64_t base_seed = 0x636861636861ull;
static uint64_t rng_state;
static uint64_t case_index, case_seed;
static unsigned int failures_printed;

/* splitmix64: a small deterministic generator, so a failing case can be run again. */
static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rng_below(uint32_t bound)
{
	return (uint32_t)(rng_next() % bound);
}

static void rng_fill(void *p, size_t n)
{
	uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)rng_next();
}

static void seed_case(uint64_t index)
{
	case_index = index;
	case_seed = base_seed + index * 0x100000001b3ull;
	rng_state = case_seed;
}

static uint8_t *src_of(struct lane_buf *b)
{
	return b->in_place ? b->dst + GUARD + b->dst_off : b->src + GUARD + b->src_off;
}

static uint8_t *dst_of(struct lane_buf *b)
{
	return b->dst + GUARD + b->dst_off;
}

/* The bytes of a lane's buffers that a call may touch and the checks look at. */
static size_t window(const struct lane_buf *b)
{
	return GUARD + MISALIGN + b->len + GUARD;
}

/* Random key, nonce, data and placement for lane buffer b, len bytes long. */
static void randomize_lane(struct lane_buf *b, uint32_t len)
{
	rng_fill(b->key, sizeof(b->key));
	rng_fill(b->nonce, sizeof(b->nonce));
	b->len = len;
	b->in_place = rng_below(2);
	b->src_off = rng_below(MISALIGN);
	b->dst_off = rng_below(MISALIGN);
	memset(b->src, GUARD_BYTE, window(b));
	memset(b->dst, GUARD_BYTE, window(b));
	rng_fill(src_of(b), len);
	memcpy(b->orig, b->in_place ? b->dst : b->src, window(b));
}

/* The reference: libsodium's RFC 8439 ChaCha20, data from block counter 1. */
static void reference(struct lane_buf *b, uint8_t poly_key[32])
{
	crypto_stream_chacha20_ietf_xor_ic(b->want, src_of(b), b->len, b->nonce, 1, b->key);
	crypto_stream_chacha20_ietf(poly_key, 32, b->nonce, b->key);
}

static struct wgc_chacha_lane lane_of(struct lane_buf *b)
{
	return (struct wgc_chacha_lane){
		.key = b->key,
		.nonce = b->nonce,
		.src = src_of(b),
		.dst = dst_of(b),
		.len = b->len,
	};
}

static void describe_failure(const char *what, unsigned int lane, unsigned int n)
{
	if (failures_printed++ >= 10)
		return;
	fprintf(stderr, "\n%s: lane %u of n=%u, case %" PRIu64 " (seed 0x%016" PRIx64 "), lengths",
		what, lane, n, case_index, case_seed);
	for (unsigned int i = 0; i < n && i < LANES; i++)
		fprintf(stderr, " %" PRIu32 "%s", bufs[i].len, bufs[i].in_place ? "i" : "");
	fprintf(stderr, "\n");
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != v)
			return false;
	}
	return true;
}

/* Whether lane buffer b is as randomize_lane() left it. */
static bool untouched(const struct lane_buf *b)
{
	if (b->in_place)
		return memcmp(b->dst, b->orig, window(b)) == 0;
	return memcmp(b->src, b->orig, window(b)) == 0 && all_bytes(b->dst, window(b), GUARD_BYTE);
}

/*
 * Lane i < n: dst[0..len) is want, every other byte of the dst buffer is as it was, and an
 * out-of-place src is unchanged.
 */
static bool lane_ok(unsigned int i, unsigned int n)
{
	static uint8_t expect[BUF_LEN];
	struct lane_buf *b = &bufs[i];

	if (memcmp(dst_of(b), b->want, b->len) != 0) {
		describe_failure("wrong output", i, n);
		return false;
	}
	if (b->in_place)
		memcpy(expect, b->orig, window(b));
	else
		memset(expect, GUARD_BYTE, window(b));
	memcpy(expect + GUARD + b->dst_off, b->want, b->len);
	if (memcmp(b->dst, expect, window(b)) != 0) {
		describe_failure("write outside dst[0..len)", i, n);
		return false;
	}
	if (!b->in_place && memcmp(b->src, b->orig, window(b)) != 0) {
		describe_failure("write into src", i, n);
		return false;
	}
	return true;
}

/*
 * Runs lanes 0..n-1 as they are in bufs and checks every lane against libsodium, and that the
 * poly keys and buffers of lanes past n are untouched.
 */
static bool run_and_check(unsigned int n)
{
	struct wgc_chacha_lane lanes[LANES + 1];
	uint8_t poly_key[LANES + 1][32], want_key[LANES + 1][32];
	unsigned int used = n < LANES ? n : LANES;
	bool ok = true;

	for (unsigned int i = 0; i <= LANES; i++)
		lanes[i] = lane_of(&bufs[i]);
	for (unsigned int i = 0; i < used; i++)
		reference(&bufs[i], want_key[i]);
	memset(poly_key, GUARD_BYTE, sizeof(poly_key));

	wgc_chacha20_x8_avx2(lanes, n, poly_key);

	for (unsigned int i = 0; i < used; i++) {
		if (memcmp(poly_key[i], want_key[i], 32) != 0) {
			describe_failure("wrong poly key", i, n);
			ok = false;
		}
		if (!lane_ok(i, n))
			ok = false;
	}
	for (unsigned int i = used; i <= LANES; i++) {
		if (!all_bytes(poly_key[i], 32, GUARD_BYTE) || !untouched(&bufs[i])) {
			describe_failure("lane past n touched", i, n);
			ok = false;
		}
	}
	return ok;
}

/* Lengths near the edges of 16- and 64-byte blocks, where off-by-ones live. */
static const uint32_t edge_lens[] = { 0,   1,	15,  16,  17,  31,  32,	 33,   47,   48,
				      63,  64,	65,  95,  96,  127, 128, 129,  191,  192,
				      193, 255, 256, 257, 319, 320, 321, 1420, 1439, 1440 };

static uint32_t edge_len(void)
{
	return edge_lens[rng_below(sizeof(edge_lens) / sizeof(edge_lens[0]))];
}

/* Fills lengths for one call in one of several mixes, so each kind comes up often. */
static void pick_lengths(uint32_t lens[LANES + 1], unsigned int mix)
{
	uint32_t common = rng_below(MAX_LEN + 1);

	for (unsigned int i = 0; i <= LANES; i++) {
		switch (mix) {
		case 0: /* all lanes the same length */
			lens[i] = common;
			break;
		case 1: /* all different: distinct 64-byte block counts, then a random tail */
			lens[i] = (i * 3 + common % 5) * 64 + rng_below(64);
			break;
		case 2: /* some lanes empty */
			lens[i] = rng_below(3) == 0 ? 0 : rng_below(MAX_LEN + 1);
			break;
		case 3: /* block edges */
			lens[i] = edge_len();
			break;
		case 4: /* one long lane among short ones */
			lens[i] = i == common % LANES ? MAX_LEN - rng_below(64) : rng_below(130);
			break;
		case 5: /* all empty: only the poly keys */
			lens[i] = 0;
			break;
		default:
			lens[i] = rng_below(MAX_LEN + 1);
			break;
		}
	}
}

static void test_random_against_libsodium(void)
{
	unsigned int bad = 0;

	for (uint64_t run = 0; run < RANDOM_RUNS; run++) {
		uint32_t lens[LANES + 1];
		unsigned int n, mix;

		seed_case(run);
		n = 1 + rng_below(LANES);
		mix = rng_below(8);
		pick_lengths(lens, mix);
		for (unsigned int i = 0; i <= LANES; i++)
			randomize_lane(&bufs[i], lens[i]);
		if (!run_and_check(n))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* A lane far past 2048 bytes, in each position, next to short and empty lanes. */
static void test_long_lane(void)
{
	unsigned int bad = 0;

	for (unsigned int pos = 0; pos < LANES; pos++) {
		seed_case(RANDOM_RUNS + pos);
		for (unsigned int i = 0; i <= LANES; i++)
			randomize_lane(&bufs[i], i == pos ? LONG_LEN - rng_below(64) : edge_len());
		if (!run_and_check(LANES))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* n = 0 does nothing; n past 8 runs 8 lanes and leaves the rest alone. */
static void test_lane_count_limits(void)
{
	seed_case(RANDOM_RUNS + LANES);
	for (unsigned int i = 0; i <= LANES; i++)
		randomize_lane(&bufs[i], rng_below(300));
	CU_ASSERT_TRUE(run_and_check(0));
	CU_ASSERT_TRUE(run_and_check(LANES + 1));
}

/* The RFC 8439 2.4.2 vector in lane pos of a call whose other lanes are random. */
static void check_rfc_242_at(unsigned int pos, unsigned int n, bool in_place)
{
	struct wgc_chacha_lane lanes[LANES];
	uint8_t poly_key[LANES][32];
	uint8_t cipher[114], buf[GUARD + 114 + GUARD], src[114];
	uint8_t key[32], nonce[12];

	CU_ASSERT_EQUAL_FATAL(unit_hex(cipher, sizeof(cipher), rfc_242_cipher), 114);
	CU_ASSERT_EQUAL_FATAL(sizeof(rfc_242_plain) - 1, 114);
	unit_hex(key, sizeof(key), rfc_242_key);
	unit_hex(nonce, sizeof(nonce), rfc_242_nonce);
	memcpy(src, rfc_242_plain, 114);
	memset(buf, GUARD_BYTE, sizeof(buf));
	if (in_place)
		memcpy(buf + GUARD, src, 114);

	seed_case(2 * RANDOM_RUNS + pos * 16 + n * 2 + in_place);
	for (unsigned int i = 0; i < LANES; i++) {
		randomize_lane(&bufs[i], rng_below(400));
		lanes[i] = lane_of(&bufs[i]);
	}
	lanes[pos] = (struct wgc_chacha_lane){
		.key = key,
		.nonce = nonce,
		.src = in_place ? buf + GUARD : src,
		.dst = buf + GUARD,
		.len = 114,
	};

	wgc_chacha20_x8_avx2(lanes, n, poly_key);

	UNIT_ASSERT_MEM(buf + GUARD, cipher, 114);
	CU_ASSERT_TRUE(all_bytes(buf, GUARD, GUARD_BYTE));
	CU_ASSERT_TRUE(all_bytes(buf + GUARD + 114, GUARD, GUARD_BYTE));
	CU_ASSERT_TRUE(in_place || memcmp(src, rfc_242_plain, 114) == 0);
}

/* Without poly_key, the data is the same and block 0 is not made (a decryption's 2nd pass). */
static void test_no_poly_key(void)
{
	static uint8_t key[8][32], nonce[8][12], src[8][300], out[2][8][300];
	struct wgc_chacha_lane lanes[2][8];
	uint8_t pk[8][32];

	randombytes_buf(key, sizeof(key));
	randombytes_buf(nonce, sizeof(nonce));
	randombytes_buf(src, sizeof(src));
	for (unsigned int pass = 0; pass < 2; pass++)
		for (unsigned int i = 0; i < 8; i++)
			lanes[pass][i] = (struct wgc_chacha_lane){ .key = key[i],
								   .nonce = nonce[i],
								   .src = src[i],
								   .dst = out[pass][i],
								   .len = 37 * i + 1 };
	wgc_chacha20_x8_avx2(lanes[0], 8, pk);
	wgc_chacha20_x8_avx2(lanes[1], 8, NULL);
	CU_ASSERT_EQUAL(memcmp(out[0], out[1], sizeof(out[0])), 0);
	for (unsigned int i = 0; i < 8; i++) {
		uint8_t want[32];

		crypto_stream_chacha20_ietf(want, sizeof(want), nonce[i], key[i]);
		CU_ASSERT_EQUAL(memcmp(pk[i], want, 32), 0);
	}
}

static void test_rfc_242_every_lane(void)
{
	for (unsigned int pos = 0; pos < LANES; pos++) {
		check_rfc_242_at(pos, LANES, false);
		check_rfc_242_at(pos, LANES, true);
		check_rfc_242_at(pos, pos + 1, false); /* as the last lane of a shorter call */
	}
}

/* The RFC 8439 2.6.2 vector in lane pos, the lane with data or without. */
static void check_rfc_262_at(unsigned int pos, uint32_t len)
{
	struct wgc_chacha_lane lanes[LANES];
	uint8_t poly_key[LANES][32], want[32];
	uint8_t key[32], nonce[12], data[128] = { 0 };

	unit_hex(want, sizeof(want), rfc_262_poly_key);
	unit_hex(key, sizeof(key), rfc_262_key);
	unit_hex(nonce, sizeof(nonce), rfc_262_nonce);

	seed_case(3 * RANDOM_RUNS + pos * 2 + (len != 0));
	for (unsigned int i = 0; i < LANES; i++) {
		randomize_lane(&bufs[i], rng_below(400));
		lanes[i] = lane_of(&bufs[i]);
	}
	lanes[pos] = (struct wgc_chacha_lane){
		.key = key, .nonce = nonce, .src = data, .dst = data, .len = len
	};

	wgc_chacha20_x8_avx2(lanes, LANES, poly_key);

	UNIT_ASSERT_MEM(poly_key[pos], want, 32);
}

static void test_rfc_262_every_lane(void)
{
	for (unsigned int pos = 0; pos < LANES; pos++) {
		check_rfc_262_at(pos, 0);
		check_rfc_262_at(pos, 128);
	}
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "RFC 8439 2.4.2 encryption in every lane", test_rfc_242_every_lane },
		{ "RFC 8439 2.6.2 poly key in every lane", test_rfc_262_every_lane },
		{ "random lanes equal libsodium, nothing else written",
		  test_random_against_libsodium },
		{ "a 70 kB lane among short ones", test_long_lane },
		{ "n = 0 and n > 8", test_lane_count_limits },
		{ "no poly key wanted: the same data", test_no_poly_key },
		CU_TEST_INFO_NULL,
	};
	const char *seed = getenv("WGDP_TEST_SEED");
	int rc;

	if (!wgc_chacha20_x8_supported()) {
		printf("test_chacha20_x8: this CPU has no AVX2, skipped\n");
		return 77;
	}
	if (wgc_init() != 0)
		return 2;
	if (seed)
		base_seed = strtoull(seed, NULL, 0);
	printf("test_chacha20_x8: seed 0x%016" PRIx64 "\n", base_seed);
	bufs = calloc(LANES + 1, sizeof(*bufs));
	if (!bufs)
		return 2;
	rc = unit_run("chacha20_x8", tests);
	free(bufs);
	return rc;
}
