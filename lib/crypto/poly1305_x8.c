/* SPDX-License-Identifier: MIT */
/*
 * 8-lane Poly1305 on AVX2, one packet a lane (see poly1305_x8.h for what it computes).
 *
 * Numbers mod p = 2^130 - 5 are held in radix 2^26: five limbs, each in a 64-bit element, so
 * that _mm256_mul_epu32 (32x32 -> 64 bits) multiplies them and sums of products cannot
 * overflow. One __m256i holds one limb of 4 lanes; the 8 lanes' accumulators h and keys r
 * (with 5*r, which folds the part of a product above 2^130 back in, as 2^130 = 5 mod p) take
 * two registers a limb: lanes 0-3 in one half, lanes 4-7 in the other.
 *
 * A step absorbs one 16-byte block per lane, h = (h + m) * r, then a carry chain leaves every
 * limb just above 26 bits at most (a partial reduction, enough for the next step). Each lane
 * takes its own next block from its own message: whole AD blocks straight from the caller's
 * buffer, the zero-padded last AD block from a staging copy, the ciphertext likewise, then the
 * lengths block. The AEAD pads both parts to 16 bytes, so every Poly1305 block is a whole one
 * and gets the 2^128 bit: there is no short final block. Which bytes a lane reads at a step is
 * a function of its lengths, which are public.
 *
 * Long batches go 4 blocks a step: with r^2, r^3 and r^4 computed once,
 * h = (h + m0) * r^4 + m1 * r^3 + m2 * r^2 + m3 * r. That is as many products as 4 single steps
 * but one carry chain instead of four, and the products are independent, so they overlap. A
 * lane's first (blocks % 4) blocks go one at a time so that the rest make whole 4-block steps.
 * Short batches (the usual packet sizes) skip the powers, which would cost more than they save.
 *
 * Both halves go through the same loop, so that the CPU overlaps their two dependency chains;
 * with n <= 4 the second half is left out altogether.
 *
 * Lanes have different numbers of blocks. In a step where a lane has no block (its message is
 * done, or its part of the current phase is), it computes on a zero block and a blend with a
 * mask made from the lengths keeps its h. Nothing branches on or indexes memory with keys, h or
 * message bytes; only n and the lengths steer the code.
 *
 * Last, per lane: a full carry, h - p chosen in constant time when h >= p, plus s mod 2^128,
 * written little-endian.
 */
#include <assert.h>
#include <stddef.h>
#include <string.h>

#include <immintrin.h>

#include "ct.h"
#include "poly1305_x8.h"

#define AVX2	    __attribute__((target("avx2")))
#define INLINE	    static inline __attribute__((always_inline))
#define AVX2_INLINE static inline __attribute__((target("avx2"), always_inline))

#define HALF_LANES 4
#define LIMB_MASK  0x3ffffff
#define BLOCK	   16

/*
 * Batches whose longest message has fewer blocks than this absorb them one at a time. A block
 * costs about a fifth less in 4-block steps, but computing r^2..r^4 (and wiping them) first is
 * a fixed cost that, measured on a Zen 3, they only make up for from about 20 blocks (300
 * bytes).
 */
#define QUAD_MIN_BLOCKS 20

/*
 * One number mod p for 4 lanes: limb i of lane j is element j of l[i]. Loops over the limbs
 * are unrolled (written out, or #pragma GCC unroll) so that the limbs stay in registers.
 */
struct fe {
	__m256i l[5];
};

/* A multiplier for 4 lanes: its limbs, and 5 times its limbs for the wrap past 2^130. */
struct fe_key {
	struct fe r;
	struct fe r5;
};

/*
 * A lane's MAC input as a queue of whole blocks, in up to 5 runs of consecutive blocks: whole
 * blocks of AD in the caller's buffer, its zero-padded tail (staged), the same for the
 * ciphertext, then the lengths block (staged). Empty runs are left out. All of it follows from
 * the lengths.
 */
#define RUNS 5

struct lane_src {
	const uint8_t *p;  /* next block */
	uint32_t run;	   /* blocks left from p on, consecutive */
	unsigned int next; /* the run after this one */
	const uint8_t *run_p[RUNS];
	uint32_t run_n[RUNS];
};

enum { STAGE_AD, STAGE_CT, STAGE_LENS, STAGES };

/*
 * The state of the 8 lanes, as two halves of 4. The secrets and staged bytes come first, in
 * the order they are used, so that one wipe up to the last one used clears them.
 */
struct poly_x8 {
	__m256i s_lo[2]; /* s as 64-bit words, per half */
	__m256i s_hi[2];
	uint8_t stage[WGC_POLY_X8_LANES][STAGES][BLOCK];
	struct fe_key pow[4][2];		    /* pow[k][half] = r^(k + 1) */
	uint8_t quad[WGC_POLY_X8_LANES][4 * BLOCK]; /* 4 blocks from different runs, side by side */
	struct lane_src src[WGC_POLY_X8_LANES];
};

/* What idle lanes absorb (and throw away). */
static const uint8_t zero_blocks[4 * BLOCK];

bool wgc_poly1305_x8_supported(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2");
}

/* The last len % 16 bytes of a part, zero-padded to a block. src may be NULL when len is 0. */
static const uint8_t *stage_tail(uint8_t *block, const uint8_t *src, uint32_t len)
{
	uint32_t tail = len % BLOCK;

	memset(block, 0, BLOCK);
	if (tail)
		memcpy(block, src + (len - tail), tail);
	return block;
}

static void src_add(struct lane_src *s, unsigned int *runs, const uint8_t *p, uint32_t n)
{
	if (n == 0)
		return;
	s->run_p[*runs] = p;
	s->run_n[*runs] = n;
	(*runs)++;
}

/* Sets up a lane's queue; returns its number of blocks. */
static uint32_t src_init(struct lane_src *s, uint8_t stage[STAGES][BLOCK],
			 const struct wgc_poly_lane *l)
{
	const uint64_t lens[2] = { l->adlen, l->ctlen };
	unsigned int runs = 0;

	src_add(s, &runs, l->ad, l->adlen / BLOCK);
	src_add(s, &runs, stage_tail(stage[STAGE_AD], l->ad, l->adlen), l->adlen % BLOCK != 0);
	src_add(s, &runs, l->ct, l->ctlen / BLOCK);
	src_add(s, &runs, stage_tail(stage[STAGE_CT], l->ct, l->ctlen), l->ctlen % BLOCK != 0);
	memcpy(stage[STAGE_LENS], lens, sizeof(lens)); /* x86: little-endian already */
	src_add(s, &runs, stage[STAGE_LENS], 1);
	s->p = s->run_p[0];
	s->run = s->run_n[0];
	s->next = 1;
	return l->adlen / BLOCK + (l->adlen % BLOCK != 0) + l->ctlen / BLOCK +
	       (l->ctlen % BLOCK != 0) + 1;
}

/* The lane's next block; callers take no more than src_init() said there are. */
INLINE const uint8_t *src_next(struct lane_src *s)
{
	const uint8_t *b;

	if (s->run == 0) {
		s->p = s->run_p[s->next];
		s->run = s->run_n[s->next];
		s->next++;
	}
	b = s->p;
	s->p += BLOCK;
	s->run--;
	return b;
}

/*
 * The next 4 blocks, side by side: in place within a run, else copied into buf. The copies are
 * 16-byte vector moves, so that the loads that follow get them by store forwarding.
 */
AVX2_INLINE const uint8_t *src_next4(struct lane_src *s, uint8_t buf[4 * BLOCK])
{
	const uint8_t *b = s->p;

	if (s->run >= 4) {
		s->p += 4 * BLOCK;
		s->run -= 4;
		return b;
	}
	for (int j = 0; j < 4; j++)
		_mm_storeu_si128((__m128i *)(buf + BLOCK * j),
				 _mm_loadu_si128((const __m128i *)src_next(s)));
	return buf;
}

AVX2_INLINE __m256i mask26(void)
{
	return _mm256_set1_epi64x(LIMB_MASK);
}

/* 5 * x, for limbs that are about to be multiplied past 2^130. */
AVX2_INLINE __m256i times5(__m256i x)
{
	return _mm256_add_epi64(x, _mm256_slli_epi64(x, 2));
}

/*
 * Loads the 16 bytes at p[j] + off as the low and high 64-bit words of lane j. Lanes 0 and 2
 * share a register and 1 and 3 the other, so that unpacking puts lane j's words in element j.
 */
AVX2_INLINE void load_words(const uint8_t *const p[HALF_LANES], size_t off, __m256i *lo,
			    __m256i *hi)
{
	__m256i a = _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(p[0] + off)));
	__m256i b = _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(p[1] + off)));

	a = _mm256_inserti128_si256(a, _mm_loadu_si128((const __m128i *)(p[2] + off)), 1);
	b = _mm256_inserti128_si256(b, _mm_loadu_si128((const __m128i *)(p[3] + off)), 1);
	*lo = _mm256_unpacklo_epi64(a, b);
	*hi = _mm256_unpackhi_epi64(a, b);
}

/* Splits 128-bit numbers (as 64-bit words) into limbs; top goes into limb 4 (bit 128 = 2^24). */
AVX2_INLINE void fe_from_words(struct fe *x, __m256i lo, __m256i hi, __m256i top)
{
	const __m256i m = mask26();
	__m256i mid = _mm256_or_si256(_mm256_srli_epi64(lo, 52), _mm256_slli_epi64(hi, 12));

	x->l[0] = _mm256_and_si256(lo, m);
	x->l[1] = _mm256_and_si256(_mm256_srli_epi64(lo, 26), m);
	x->l[2] = _mm256_and_si256(mid, m);
	x->l[3] = _mm256_and_si256(_mm256_srli_epi64(hi, 14), m);
	x->l[4] = _mm256_or_si256(_mm256_srli_epi64(hi, 40), top);
}

/* One message block for each of 4 lanes, at p[j] + off, with the 2^128 bit. */
AVX2_INLINE void fe_load_block(struct fe *m, const uint8_t *const p[HALF_LANES], size_t off)
{
	__m256i lo, hi;

	load_words(p, off, &lo, &hi);
	fe_from_words(m, lo, hi, _mm256_set1_epi64x(1 << 24));
}

AVX2_INLINE void fe_add(struct fe *d, const struct fe *a, const struct fe *b)
{
	d->l[0] = _mm256_add_epi64(a->l[0], b->l[0]);
	d->l[1] = _mm256_add_epi64(a->l[1], b->l[1]);
	d->l[2] = _mm256_add_epi64(a->l[2], b->l[2]);
	d->l[3] = _mm256_add_epi64(a->l[3], b->l[3]);
	d->l[4] = _mm256_add_epi64(a->l[4], b->l[4]);
}

AVX2_INLINE __m256i mac(__m256i acc, __m256i a, __m256i b)
{
	return _mm256_add_epi64(acc, _mm256_mul_epu32(a, b));
}

/*
 * Makes the accumulators opaque to the compiler. Left alone, GCC reassociates the sums of
 * products into wide trees that compute all the products first, 25 to 100 of them, and spill
 * most to the stack; settled after each column of 5, at most a handful are live.
 */
AVX2_INLINE void fe_settle(struct fe *d)
{
	__asm__("" : "+x"(d->l[0]), "+x"(d->l[1]), "+x"(d->l[2]), "+x"(d->l[3]), "+x"(d->l[4]));
}

/* d_j += a * r_j for one limb a of x against all of k (r5 holding the wrapped ones). */
AVX2_INLINE void fe_mac_col(struct fe *d, __m256i a, __m256i r0, __m256i r1, __m256i r2, __m256i r3,
			    __m256i r4)
{
	d->l[0] = mac(d->l[0], a, r0);
	d->l[1] = mac(d->l[1], a, r1);
	d->l[2] = mac(d->l[2], a, r2);
	d->l[3] = mac(d->l[3], a, r3);
	d->l[4] = mac(d->l[4], a, r4);
	fe_settle(d);
}

/*
 * d += x * k, without carries: limb i of x times limb j of k lands in limb i + j, or (as
 * 2^130 = 5 mod p) times 5 in limb i + j - 5. With limbs of x below 2^28 (h + m) and of k
 * below 2^27, a product is below 2^55, or 2^57.4 with 5 * k: even the 20 of a 4-block step
 * sum to less than 2^62.
 */
AVX2_INLINE void fe_mul_add(struct fe *d, const struct fe *x, const struct fe_key *k)
{
	const __m256i *a = x->l, *r = k->r.l, *r5 = k->r5.l;

	fe_mac_col(d, a[0], r[0], r[1], r[2], r[3], r[4]);
	fe_mac_col(d, a[1], r5[4], r[0], r[1], r[2], r[3]);
	fe_mac_col(d, a[2], r5[3], r5[4], r[0], r[1], r[2]);
	fe_mac_col(d, a[3], r5[2], r5[3], r5[4], r[0], r[1]);
	fe_mac_col(d, a[4], r5[1], r5[2], r5[3], r5[4], r[0]);
}

/*
 * Carries each limb into the next, the top one times 5 into limb 0, leaving every limb below
 * 2^26 + 2^12: room to add a block and multiply again. Two chains run at once, from limbs 0
 * and 3, to halve the dependency.
 */
AVX2_INLINE void fe_carry(struct fe *x)
{
	const __m256i m = mask26();
	__m256i x0 = x->l[0], x1 = x->l[1], x2 = x->l[2], x3 = x->l[3], x4 = x->l[4];
	__m256i c0, c1, c2, c3, c4;

	c0 = _mm256_srli_epi64(x0, 26);
	c3 = _mm256_srli_epi64(x3, 26);
	x0 = _mm256_and_si256(x0, m);
	x3 = _mm256_and_si256(x3, m);
	x1 = _mm256_add_epi64(x1, c0);
	x4 = _mm256_add_epi64(x4, c3);

	c1 = _mm256_srli_epi64(x1, 26);
	c4 = _mm256_srli_epi64(x4, 26);
	x1 = _mm256_and_si256(x1, m);
	x4 = _mm256_and_si256(x4, m);
	x2 = _mm256_add_epi64(x2, c1);
	x0 = _mm256_add_epi64(x0, times5(c4));

	c2 = _mm256_srli_epi64(x2, 26);
	c0 = _mm256_srli_epi64(x0, 26);
	x2 = _mm256_and_si256(x2, m);
	x0 = _mm256_and_si256(x0, m);
	x3 = _mm256_add_epi64(x3, c2);
	x1 = _mm256_add_epi64(x1, c0);

	c3 = _mm256_srli_epi64(x3, 26);
	x->l[3] = _mm256_and_si256(x3, m);
	x->l[4] = _mm256_add_epi64(x4, c3);
	x->l[0] = x0;
	x->l[1] = x1;
	x->l[2] = x2;
}

AVX2_INLINE void fe_zero(struct fe *x)
{
#pragma GCC unroll 5
	for (int i = 0; i < 5; i++)
		x->l[i] = _mm256_setzero_si256();
}

AVX2_INLINE void key_set(struct fe_key *k, const struct fe *r)
{
	k->r = *r;
#pragma GCC unroll 5
	for (int i = 0; i < 5; i++)
		k->r5.l[i] = times5(r->l[i]);
}

/* k = a * b, partially reduced. */
AVX2_INLINE void key_mul(struct fe_key *k, const struct fe_key *a, const struct fe_key *b)
{
	struct fe d;

	fe_zero(&d);
	fe_mul_add(&d, &a->r, b);
	fe_carry(&d);
	key_set(k, &d);
}

/* h = d where live (all ones per lane); h stays where live is 0. */
AVX2_INLINE void fe_keep_live(struct fe *h, const struct fe *d, __m256i live, bool all_live)
{
	if (all_live) {
		*h = *d;
		return;
	}
#pragma GCC unroll 5
	for (int i = 0; i < 5; i++)
		h->l[i] = _mm256_blendv_epi8(h->l[i], d->l[i], live);
}

/* One step for 4 lanes: h = (h + m) * r, m the block at p[lane]. */
AVX2_INLINE void absorb1(struct fe *h, const struct fe_key *r, const uint8_t *const p[HALF_LANES],
			 __m256i live, bool all_live)
{
	struct fe m, d;

	fe_load_block(&m, p, 0);
	fe_add(&m, &m, h);
	fe_zero(&d);
	fe_mul_add(&d, &m, r);
	fe_carry(&d);
	fe_keep_live(h, &d, live, all_live);
}

/*
 * Four at once: h = (h + m0) * r^4 + m1 * r^3 + m2 * r^2 + m3 * r, the blocks m0..m3 of a lane
 * side by side at p[lane]; pow[k][half] = r^(k + 1).
 */
AVX2_INLINE void absorb4(struct fe *h, const struct fe_key pow[4][2], unsigned int half,
			 const uint8_t *const p[HALF_LANES], __m256i live, bool all_live)
{
	struct fe m, d;

	fe_load_block(&m, p, 0);
	fe_add(&m, &m, h);
	fe_zero(&d);
	fe_mul_add(&d, &m, &pow[3][half]);
	fe_load_block(&m, p, BLOCK);
	fe_mul_add(&d, &m, &pow[2][half]);
	fe_load_block(&m, p, 2 * BLOCK);
	fe_mul_add(&d, &m, &pow[1][half]);
	fe_load_block(&m, p, 3 * BLOCK);
	fe_mul_add(&d, &m, &pow[0][half]);
	fe_carry(&d);
	fe_keep_live(h, &d, live, all_live);
}

/* The clamped r of 4 lanes (RFC 8439 2.5: top 4 bits of every 4th byte, low 2 of the rest). */
AVX2_INLINE void load_r(struct fe_key *k, const uint8_t *const key[HALF_LANES])
{
	struct fe r;
	__m256i lo, hi;

	load_words(key, 0, &lo, &hi);
	lo = _mm256_and_si256(lo, _mm256_set1_epi64x(0x0ffffffc0fffffff));
	hi = _mm256_and_si256(hi, _mm256_set1_epi64x(0x0ffffffc0ffffffc));
	fe_from_words(&r, lo, hi, _mm256_setzero_si256());
	key_set(k, &r);
}

AVX2_INLINE void load_s(__m256i *lo, __m256i *hi, const uint8_t *const key[HALF_LANES])
{
	load_words(key, 16, lo, hi);
}

/* One pass of carries in order, the top one times 5 into limb 0. */
AVX2_INLINE void fe_carry_seq(struct fe *x)
{
	const __m256i m = mask26();
	__m256i c = _mm256_setzero_si256();

#pragma GCC unroll 5
	for (int i = 0; i < 5; i++) {
		x->l[i] = _mm256_add_epi64(x->l[i], c);
		c = _mm256_srli_epi64(x->l[i], 26);
		x->l[i] = _mm256_and_si256(x->l[i], m);
	}
	x->l[0] = _mm256_add_epi64(x->l[0], times5(c));
}

/*
 * h mod p, fully reduced. Two passes of carries leave limbs below 2^26 and h below 2^130 (the
 * first leaves limb 0 at most 5 over; if the second carries out of limb 4, what is left is
 * under 10). Then g = h + 5 - 2^130 = h - p, taken where adding 5 reaches 2^130.
 */
AVX2_INLINE void fe_reduce(struct fe *h)
{
	const __m256i m = mask26();
	__m256i c = _mm256_set1_epi64x(5), ge;
	struct fe g;

	fe_carry_seq(h);
	fe_carry_seq(h);
#pragma GCC unroll 5
	for (int i = 0; i < 5; i++) {
		g.l[i] = _mm256_add_epi64(h->l[i], c);
		c = _mm256_srli_epi64(g.l[i], 26);
		g.l[i] = _mm256_and_si256(g.l[i], m);
	}
	ge = _mm256_sub_epi64(_mm256_setzero_si256(), c); /* all ones where h >= p */
#pragma GCC unroll 5
	for (int i = 0; i < 5; i++)
		h->l[i] = _mm256_blendv_epi8(h->l[i], g.l[i], ge);
}

/* tag = (h + s) mod 2^128 for 4 lanes, stored for the first n of them. */
AVX2_INLINE void finish(struct fe *h, __m256i s_lo, __m256i s_hi, uint8_t tag[][16], unsigned int n)
{
	const __m256i sign = _mm256_set1_epi64x((long long)(1ull << 63));
	const __m256i *l = h->l;
	__m256i lo, hi, sum, carry, t02, t13;

	fe_reduce(h);
	lo = _mm256_or_si256(_mm256_or_si256(l[0], _mm256_slli_epi64(l[1], 26)),
			     _mm256_slli_epi64(l[2], 52));
	hi = _mm256_or_si256(
		_mm256_or_si256(_mm256_srli_epi64(l[2], 12), _mm256_slli_epi64(l[3], 14)),
		_mm256_slli_epi64(l[4], 40)); /* bits 128 and 129 drop: mod 2^128 */

	/* 128-bit add: the low words carried if the sum is below either (unsigned compare). */
	sum = _mm256_add_epi64(lo, s_lo);
	carry = _mm256_cmpgt_epi64(_mm256_xor_si256(lo, sign), _mm256_xor_si256(sum, sign));
	hi = _mm256_sub_epi64(_mm256_add_epi64(hi, s_hi), carry);

	t02 = _mm256_unpacklo_epi64(sum, hi); /* lane 0's tag, lane 2's */
	t13 = _mm256_unpackhi_epi64(sum, hi);
	_mm_storeu_si128((__m128i *)tag[0], _mm256_castsi256_si128(t02));
	if (n > 1)
		_mm_storeu_si128((__m128i *)tag[1], _mm256_castsi256_si128(t13));
	if (n > 2)
		_mm_storeu_si128((__m128i *)tag[2], _mm256_extracti128_si256(t02, 1));
	if (n > 3)
		_mm_storeu_si128((__m128i *)tag[3], _mm256_extracti128_si256(t13, 1));
}

/* Per-lane step counts of 4 lanes as a vector, to compare with the step number. */
AVX2_INLINE __m256i lane_counts(const uint32_t v[HALF_LANES])
{
	return _mm256_set_epi64x(v[3], v[2], v[1], v[0]);
}

/* Lanes with more than `step` of the counts in cnt: all ones, else 0. */
AVX2_INLINE __m256i live_mask(__m256i cnt, uint32_t step)
{
	return _mm256_cmpgt_epi64(cnt, _mm256_set1_epi64x(step));
}

static uint32_t max_of(const uint32_t *v, unsigned int n)
{
	uint32_t most = 0;

	for (unsigned int i = 0; i < n; i++)
		most = v[i] > most ? v[i] : most;
	return most;
}

static uint32_t min_of(const uint32_t *v, unsigned int n)
{
	uint32_t least = UINT32_MAX;

	for (unsigned int i = 0; i < n; i++)
		least = v[i] < least ? v[i] : least;
	return least;
}

/*
 * Lane i's first head[i] blocks, one a step, for lanes 0-3 (h[0]) and, when two, 4-7 (h[1]).
 * The halves' chains are independent, so the CPU overlaps them.
 */
AVX2_INLINE void absorb_heads(struct fe h[2], struct poly_x8 *st, const uint32_t *head,
			      const bool two)
{
	const unsigned int lanes = two ? 2 * HALF_LANES : HALF_LANES;
	uint32_t most = max_of(head, lanes), least = min_of(head, lanes);
	__m256i cnt0 = lane_counts(head), cnt1 = two ? lane_counts(head + HALF_LANES) : cnt0;

	for (uint32_t j = 0; j < most; j++) {
		const uint8_t *p[WGC_POLY_X8_LANES];

#pragma GCC unroll 8
		for (unsigned int i = 0; i < lanes; i++)
			p[i] = j < head[i] ? src_next(&st->src[i]) : zero_blocks;
		absorb1(&h[0], &st->pow[0][0], p, live_mask(cnt0, j), j < least);
		if (two)
			absorb1(&h[1], &st->pow[0][1], p + HALF_LANES, live_mask(cnt1, j),
				j < least);
	}
}

/* Then quads[i] steps of 4 blocks. */
AVX2_INLINE void absorb_quads(struct fe h[2], struct poly_x8 *st, const uint32_t *quads,
			      const bool two)
{
	const unsigned int lanes = two ? 2 * HALF_LANES : HALF_LANES;
	uint32_t most = max_of(quads, lanes), least = min_of(quads, lanes);
	__m256i cnt0 = lane_counts(quads), cnt1 = two ? lane_counts(quads + HALF_LANES) : cnt0;

	for (uint32_t c = 0; c < most; c++) {
		const uint8_t *p[WGC_POLY_X8_LANES];

#pragma GCC unroll 8
		for (unsigned int i = 0; i < lanes; i++)
			p[i] = c < quads[i] ? src_next4(&st->src[i], st->quad[i]) : zero_blocks;
		absorb4(&h[0], st->pow, 0, p, live_mask(cnt0, c), c < least);
		if (two)
			absorb4(&h[1], st->pow, 1, p + HALF_LANES, live_mask(cnt1, c), c < least);
	}
}

/* r^2, r^3, r^4 of a half from r = pow[0][half]. */
AVX2_INLINE void powers(struct fe_key pow[4][2], unsigned int half)
{
	key_mul(&pow[1][half], &pow[0][half], &pow[0][half]);
	key_mul(&pow[2][half], &pow[1][half], &pow[0][half]);
	key_mul(&pow[3][half], &pow[1][half], &pow[1][half]);
}

/*
 * Lanes 0..n-1, n <= 8, or n <= 4 when !two (the second half then is not computed at all).
 * Lanes past n repeat lane 0, so that they finish when it does; their tags are dropped.
 */
AVX2_INLINE void poly1305_x8(const struct wgc_poly_lane *in, unsigned int n, uint8_t tag[][16],
			     const bool two)
{
	const unsigned int lanes = two ? 2 * HALF_LANES : HALF_LANES;
	const uint8_t *key[WGC_POLY_X8_LANES];
	uint32_t blocks[WGC_POLY_X8_LANES], head[WGC_POLY_X8_LANES], quads[WGC_POLY_X8_LANES];
	struct poly_x8 st;
	bool use_quads;
	struct fe h[2];

	for (unsigned int i = 0; i < lanes; i++) {
		const struct wgc_poly_lane *l = &in[i < n ? i : 0];

		blocks[i] = src_init(&st.src[i], st.stage[i], l);
		key[i] = l->key;
	}
	/* A lane's first blocks % 4 go singly, so that the rest make whole 4-block steps. */
	use_quads = max_of(blocks, lanes) >= QUAD_MIN_BLOCKS;
	for (unsigned int i = 0; i < lanes; i++) {
		head[i] = use_quads ? blocks[i] % 4 : blocks[i];
		quads[i] = (blocks[i] - head[i]) / 4;
	}

	load_r(&st.pow[0][0], key);
	load_s(&st.s_lo[0], &st.s_hi[0], key);
	if (two) {
		load_r(&st.pow[0][1], key + HALF_LANES);
		load_s(&st.s_lo[1], &st.s_hi[1], key + HALF_LANES);
	}
	if (use_quads) {
		powers(st.pow, 0);
		if (two)
			powers(st.pow, 1);
	}
	fe_zero(&h[0]);
	fe_zero(&h[1]);
	absorb_heads(h, &st, head, two);
	if (use_quads)
		absorb_quads(h, &st, quads, two);
	finish(&h[0], st.s_lo[0], st.s_hi[0], tag, n);
	if (two)
		finish(&h[1], st.s_lo[1], st.s_hi[1], tag + HALF_LANES, n - HALF_LANES);

	wgc_memzero(&st, use_quads ? offsetof(struct poly_x8, src)
				   : offsetof(struct poly_x8, pow) + sizeof(st.pow[0]));
}

AVX2 static void poly1305_x8_full(const struct wgc_poly_lane *in, unsigned int n, uint8_t tag[][16])
{
	poly1305_x8(in, n, tag, true);
}

AVX2 static void poly1305_x8_half(const struct wgc_poly_lane *in, unsigned int n, uint8_t tag[][16])
{
	poly1305_x8(in, n, tag, false);
}

AVX2 void wgc_poly1305_aead_x8_avx2(const struct wgc_poly_lane *lanes, unsigned int n,
				    uint8_t tag[][16])
{
	assert(n <= WGC_POLY_X8_LANES);
	if (n > HALF_LANES)
		poly1305_x8_full(lanes, n > WGC_POLY_X8_LANES ? WGC_POLY_X8_LANES : n, tag);
	else if (n > 0)
		poly1305_x8_half(lanes, n, tag);
	/* h, and what is left of r and s, may still be in the vector registers, and gcc spills
	 * r, its powers and h to the frame of the function above (some 5.6 KiB). */
	_mm256_zeroall();
	wgc_scrub_stack();
}
