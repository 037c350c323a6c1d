/* SPDX-License-Identifier: MIT */
/*
 * ChaCha20 on 8 packets at once with AVX2, one packet a lane.
 *
 * The 8 lanes' states are held transposed: one __m256i per state word, register j holding word
 * j of lanes 0..7. The 20 rounds then run on all lanes at once with plain 32-bit add, xor and
 * rotate (by 16 and 8 with a byte shuffle, by 12 and 7 with two shifts and an or), and no lane
 * needs anything from another. Afterwards the 16x8 words are transposed back into 8 blocks of
 * 64 bytes (two 8x8 transposes of 32-bit words: unpacklo/hi_epi32, then _epi64, then
 * permute2x128) and XORed into each lane's data.
 *
 * Block-round b runs block counter b for every lane (block 0 gives each lane its Poly1305
 * key); the loop goes on until the longest lane is done, and a lane whose data is done simply
 * has no output stored. Only the counter word changes between block-rounds: the constants,
 * keys and nonces are transposed once per call.
 *
 * Constant time: branches and memory indexes depend on n and the lengths, which are public,
 * never on keys, nonces or data. Before returning, the transposed state and the keystream
 * buffer are wiped, vzeroall clears the vector registers, and the stack the rounds spilled to
 * is overwritten (wgc_scrub_stack).
 *
 * Every function that uses AVX2 carries target("avx2"), so the rest of the library stays
 * generic and this file runs only where wgc_chacha20_x8_supported() says so.
 */
#include <immintrin.h>
#include <string.h>

#include "chacha20_x8.h"
#include "ct.h"

#define AVX2 __attribute__((target("avx2")))

#define STATE_WORDS 16
#define BLOCK_LEN   64
#define LANES	    WGC_CHACHA_X8_LANES

/* The 16 state words of the 8 lanes, word-major: v[j] holds word j of lanes 0..7. */
union x8_state {
	__m256i v[STATE_WORDS];
	uint32_t w[STATE_WORDS][LANES];
};

/* One keystream block per lane, in the order its bytes are used. */
union x8_keystream {
	__m256i v[LANES][BLOCK_LEN / 32];
	uint8_t b[LANES][BLOCK_LEN];
};

/* "expand 32-byte k", RFC 8439 2.3. */
static const uint32_t chacha_const[4] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };

bool wgc_chacha20_x8_supported(void)
{
	/* libgcc's answer also requires the OS to save the YMM registers (XGETBV). */
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2");
}

static inline AVX2 __m256i rotl16(__m256i v)
{
	const __m256i rot = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13,
					     2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);

	return _mm256_shuffle_epi8(v, rot);
}

static inline AVX2 __m256i rotl8(__m256i v)
{
	const __m256i rot = _mm256_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14,
					     3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);

	return _mm256_shuffle_epi8(v, rot);
}

static inline AVX2 __m256i rotl12(__m256i v)
{
	return _mm256_or_si256(_mm256_slli_epi32(v, 12), _mm256_srli_epi32(v, 20));
}

static inline AVX2 __m256i rotl7(__m256i v)
{
	return _mm256_or_si256(_mm256_slli_epi32(v, 7), _mm256_srli_epi32(v, 25));
}

/* RFC 8439 2.1's quarter round on words a, b, c, d of all 8 lanes. */
static inline AVX2 void quarter_round(__m256i x[STATE_WORDS], int a, int b, int c, int d)
{
	x[a] = _mm256_add_epi32(x[a], x[b]);
	x[d] = rotl16(_mm256_xor_si256(x[d], x[a]));
	x[c] = _mm256_add_epi32(x[c], x[d]);
	x[b] = rotl12(_mm256_xor_si256(x[b], x[c]));
	x[a] = _mm256_add_epi32(x[a], x[b]);
	x[d] = rotl8(_mm256_xor_si256(x[d], x[a]));
	x[c] = _mm256_add_epi32(x[c], x[d]);
	x[b] = rotl7(_mm256_xor_si256(x[b], x[c]));
}

/* A column round then a diagonal round (RFC 8439 2.3). */
static inline AVX2 void double_round(__m256i x[STATE_WORDS])
{
	quarter_round(x, 0, 4, 8, 12);
	quarter_round(x, 1, 5, 9, 13);
	quarter_round(x, 2, 6, 10, 14);
	quarter_round(x, 3, 7, 11, 15);
	quarter_round(x, 0, 5, 10, 15);
	quarter_round(x, 1, 6, 11, 12);
	quarter_round(x, 2, 7, 8, 13);
	quarter_round(x, 3, 4, 9, 14);
}

/*
 * Transposes 8x8 32-bit words: element i of r[j] goes to element j of out[i * stride]. It turns
 * 8 words of 8 lanes into 8 lanes' 32 bytes, and 8 lanes' 32-byte keys into 8 words of 8 lanes.
 * in and out may overlap: all of in is read first.
 */
static inline AVX2 void transpose8(const __m256i r[8], __m256i *out, size_t stride)
{
	__m256i t0, t1, t2, t3, t4, t5, t6, t7, u0, u1, u2, u3, u4, u5, u6, u7;

	/* Pairs of 32-bit words: t0 = r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5]. */
	t0 = _mm256_unpacklo_epi32(r[0], r[1]);
	t1 = _mm256_unpackhi_epi32(r[0], r[1]);
	t2 = _mm256_unpacklo_epi32(r[2], r[3]);
	t3 = _mm256_unpackhi_epi32(r[2], r[3]);
	t4 = _mm256_unpacklo_epi32(r[4], r[5]);
	t5 = _mm256_unpackhi_epi32(r[4], r[5]);
	t6 = _mm256_unpacklo_epi32(r[6], r[7]);
	t7 = _mm256_unpackhi_epi32(r[6], r[7]);
	/* Quads: u0 = r0..r3 of element 0 | r0..r3 of element 4. */
	u0 = _mm256_unpacklo_epi64(t0, t2);
	u1 = _mm256_unpackhi_epi64(t0, t2);
	u2 = _mm256_unpacklo_epi64(t1, t3);
	u3 = _mm256_unpackhi_epi64(t1, t3);
	u4 = _mm256_unpacklo_epi64(t4, t6);
	u5 = _mm256_unpackhi_epi64(t4, t6);
	u6 = _mm256_unpacklo_epi64(t5, t7);
	u7 = _mm256_unpackhi_epi64(t5, t7);
	/* Element i's r0..r3 and r4..r7 sit in the same 128-bit half of u(i%4) and u(i%4+4). */
	out[0 * stride] = _mm256_permute2x128_si256(u0, u4, 0x20);
	out[1 * stride] = _mm256_permute2x128_si256(u1, u5, 0x20);
	out[2 * stride] = _mm256_permute2x128_si256(u2, u6, 0x20);
	out[3 * stride] = _mm256_permute2x128_si256(u3, u7, 0x20);
	out[4 * stride] = _mm256_permute2x128_si256(u0, u4, 0x31);
	out[5 * stride] = _mm256_permute2x128_si256(u1, u5, 0x31);
	out[6 * stride] = _mm256_permute2x128_si256(u2, u6, 0x31);
	out[7 * stride] = _mm256_permute2x128_si256(u3, u7, 0x31);
}

/* x[j] += s[j] for 8 words: the feed-forward of RFC 8439 2.3. */
static inline AVX2 void add8(__m256i x[8], const __m256i s[8])
{
	x[0] = _mm256_add_epi32(x[0], s[0]);
	x[1] = _mm256_add_epi32(x[1], s[1]);
	x[2] = _mm256_add_epi32(x[2], s[2]);
	x[3] = _mm256_add_epi32(x[3], s[3]);
	x[4] = _mm256_add_epi32(x[4], s[4]);
	x[5] = _mm256_add_epi32(x[5], s[5]);
	x[6] = _mm256_add_epi32(x[6], s[6]);
	x[7] = _mm256_add_epi32(x[7], s[7]);
}

static inline uint32_t load_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v)); /* x86 is little-endian, as ChaCha20's words are */
	return v;
}

/*
 * The transposed initial state of lanes 0..n-1; lanes past n get a zero key and nonce, their
 * keystream is computed alongside but never used.
 */
static AVX2 void load_state(union x8_state *st, const struct wgc_chacha_lane *lanes, unsigned int n)
{
	static const uint8_t zero_key[32];

	for (int j = 0; j < 4; j++)
		st->v[j] = _mm256_set1_epi32((int)chacha_const[j]);
	/* Lane i's key is row i; transposed, row j is key word j of every lane. */
	for (unsigned int i = 0; i < LANES; i++)
		st->v[4 + i] =
			_mm256_loadu_si256((const __m256i *)(i < n ? lanes[i].key : zero_key));
	transpose8(&st->v[4], &st->v[4], 1);
	st->v[12] = _mm256_setzero_si256(); /* the counter, set per block-round */
	for (unsigned int i = 0; i < LANES; i++) {
		for (int j = 0; j < 3; j++)
			st->w[13 + j][i] = i < n ? load_le32(lanes[i].nonce + 4 * j) : 0;
	}
}

/*
 * The block with counter ctr of all 8 lanes into ks. With full false only the first 32 bytes
 * of each block are produced, which is all block 0 (the Poly1305 key) needs.
 *
 * x is written element by element (no loops over it) so that it stays in registers rather
 * than becoming a whole copy of the state on the stack. What the compiler still spills is
 * overwritten by wgc_scrub_stack(), hence noinline: the frame must be one that reuses.
 */
static AVX2 __attribute__((noinline)) void keystream_block(union x8_state *st, uint32_t ctr,
							   union x8_keystream *ks, bool full)
{
	__m256i x[STATE_WORDS];

	st->v[12] = _mm256_set1_epi32((int)ctr);
	x[0] = st->v[0], x[1] = st->v[1], x[2] = st->v[2], x[3] = st->v[3];
	x[4] = st->v[4], x[5] = st->v[5], x[6] = st->v[6], x[7] = st->v[7];
	x[8] = st->v[8], x[9] = st->v[9], x[10] = st->v[10], x[11] = st->v[11];
	x[12] = st->v[12], x[13] = st->v[13], x[14] = st->v[14], x[15] = st->v[15];
	for (int r = 0; r < 10; r++)
		double_round(x);
	add8(&x[0], &st->v[0]);
	transpose8(&x[0], &ks->v[0][0], BLOCK_LEN / 32);
	if (!full)
		return;
	add8(&x[8], &st->v[8]);
	transpose8(&x[8], &ks->v[0][1], BLOCK_LEN / 32);
}

/* dst = src ^ ks for len < 64 bytes: a 32-byte step, 8-byte steps, then single bytes. */
static AVX2 void xor_tail(uint8_t *dst, const uint8_t *src, const uint8_t *ks, uint32_t len)
{
	uint32_t i = 0;

	if (len >= 32) {
		__m256i d = _mm256_loadu_si256((const __m256i *)src);

		d = _mm256_xor_si256(d, _mm256_loadu_si256((const __m256i *)ks));
		_mm256_storeu_si256((__m256i *)dst, d);
		i = 32;
	}
	for (; i + 8 <= len; i += 8) {
		uint64_t d, k;

		memcpy(&d, src + i, 8);
		memcpy(&k, ks + i, 8);
		d ^= k;
		memcpy(dst + i, &d, 8);
	}
	for (; i < len; i++)
		dst[i] = src[i] ^ ks[i];
}

/* XORs keystream block ks (data block index blk, from 0) into the lane, if it reaches there. */
static AVX2 void xor_block(const struct wgc_chacha_lane *lane, uint32_t blk,
			   const union x8_keystream *ks, unsigned int i)
{
	uint32_t off = blk * BLOCK_LEN;
	uint32_t left;

	if (off >= lane->len)
		return;
	left = lane->len - off;
	if (left < BLOCK_LEN) {
		xor_tail(lane->dst + off, lane->src + off, ks->b[i], left);
		return;
	}
	for (int h = 0; h < BLOCK_LEN / 32; h++) {
		const __m256i *s = (const __m256i *)(lane->src + off + 32 * h);
		__m256i d = _mm256_xor_si256(_mm256_loadu_si256(s), ks->v[i][h]);

		_mm256_storeu_si256((__m256i *)(lane->dst + off + 32 * h), d);
	}
}

AVX2 void wgc_chacha20_x8_avx2(const struct wgc_chacha_lane *lanes, unsigned int n,
			       uint8_t poly_key[][32])
{
	union x8_state st;
	union x8_keystream ks;
	uint32_t blocks = 0;

	if (n > LANES)
		n = LANES;
	if (n == 0)
		return;
	for (unsigned int i = 0; i < n; i++) {
		uint32_t b = lanes[i].len / BLOCK_LEN + (lanes[i].len % BLOCK_LEN != 0);

		if (b > blocks)
			blocks = b;
	}
	load_state(&st, lanes, n);

	if (poly_key) { /* NULL: the caller has the keys (a decryption's second pass) */
		keystream_block(&st, 0, &ks, false);
		for (unsigned int i = 0; i < n; i++)
			_mm256_storeu_si256((__m256i *)poly_key[i], ks.v[i][0]);
	}

	/* Data block blk uses block counter blk + 1, the same in every lane. */
	for (uint32_t blk = 0; blk < blocks; blk++) {
		keystream_block(&st, blk + 1, &ks, true);
		for (unsigned int i = 0; i < n; i++)
			xor_block(&lanes[i], blk, &ks, i);
	}

	_mm256_zeroall();
	wgc_memzero(&st, sizeof(st));
	wgc_memzero(&ks, sizeof(ks));
	/* keystream_block() spills words of the state, the key among them, to its frame. */
	wgc_scrub_stack();
}
