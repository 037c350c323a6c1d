/* SPDX-License-Identifier: MIT */
/*
 * BLAKE2s as RFC 7693 specifies it (sections 2 and 3), then the whitepaper's constructions.
 *
 * A handshake is about a hundred compressions of short inputs, so what counts beside the
 * compression itself is what happens around it: no parameter block, no double buffer, and a
 * key's first block compressed once where the key is used more than once.
 */
#include <stdbool.h>
#include <string.h>

#include "blake2s.h"
#include "ct.h"

static const uint32_t iv[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/* The message schedule of RFC 7693 section 2.7, one row a round. */
static const uint8_t sigma[10][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
};

static inline uint32_t ror32(uint32_t x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

static inline uint32_t load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The mixing function G (section 3.1) with rotations 16, 12, 8, 7. */
#define G(a, b, c, d, x, y)           \
	do {                          \
		a += b + (x);         \
		d = ror32(d ^ a, 16); \
		c += d;               \
		b = ror32(b ^ c, 12); \
		a += b + (y);         \
		d = ror32(d ^ a, 8);  \
		c += d;               \
		b = ror32(b ^ c, 7);  \
	} while (0)

/* Columns, then diagonals. r is a constant at every use: the loads from sigma fold away. */
#define ROUND(r)                                                               \
	do {                                                                   \
		G(v[0], v[4], v[8], v[12], m[sigma[r][0]], m[sigma[r][1]]);    \
		G(v[1], v[5], v[9], v[13], m[sigma[r][2]], m[sigma[r][3]]);    \
		G(v[2], v[6], v[10], v[14], m[sigma[r][4]], m[sigma[r][5]]);   \
		G(v[3], v[7], v[11], v[15], m[sigma[r][6]], m[sigma[r][7]]);   \
		G(v[0], v[5], v[10], v[15], m[sigma[r][8]], m[sigma[r][9]]);   \
		G(v[1], v[6], v[11], v[12], m[sigma[r][10]], m[sigma[r][11]]); \
		G(v[2], v[7], v[8], v[13], m[sigma[r][12]], m[sigma[r][13]]);  \
		G(v[3], v[4], v[9], v[14], m[sigma[r][14]], m[sigma[r][15]]);  \
	} while (0)

/* F (section 3.2): t is the byte count including this block; last for the final block. */
static void compress_generic(uint32_t h[8], const uint8_t block[WGC_BLAKE2S_BLOCK_LEN],
			     const uint32_t t[2], bool last)
{
	uint32_t m[16], v[16];

	for (int i = 0; i < 16; i++)
		m[i] = load_le32(block + 4 * i);
	memcpy(v, h, 8 * sizeof(uint32_t));
	memcpy(v + 8, iv, 8 * sizeof(uint32_t));
	v[12] ^= t[0];
	v[13] ^= t[1];
	v[14] ^= last ? 0xffffffffu : 0;
	ROUND(0);
	ROUND(1);
	ROUND(2);
	ROUND(3);
	ROUND(4);
	ROUND(5);
	ROUND(6);
	ROUND(7);
	ROUND(8);
	ROUND(9);
	for (int i = 0; i < 8; i++)
		h[i] ^= v[i] ^ v[i + 8];
}

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX __attribute__((target("avx")))

/*
 * The same F with a row of the 4x4 state in each vector: the four G of a column step run side
 * by side, and the diagonal step is the same after rotating rows 2-4 by one, two and three
 * words. Rotations by 16 and 8 are byte shuffles. The message words are gathered off the
 * chain of dependent operations, which sets the speed.
 */
static AVX inline __m128i ror_16(__m128i x)
{
	return _mm_shuffle_epi8(
		x, _mm_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13));
}

static AVX inline __m128i ror_8(__m128i x)
{
	return _mm_shuffle_epi8(
		x, _mm_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12));
}

#define ROR(x, n) _mm_or_si128(_mm_srli_epi32(x, n), _mm_slli_epi32(x, 32 - (n)))

/* Half of G on four columns: the first (16, 12) or second (8, 7) half. */
#define HALF_G(a, b, c, d, mw, ror_d, rb)                   \
	do {                                                \
		a = _mm_add_epi32(_mm_add_epi32(a, b), mw); \
		d = ror_d(_mm_xor_si128(d, a));             \
		c = _mm_add_epi32(c, d);                    \
		b = ROR(_mm_xor_si128(b, c), rb);           \
	} while (0)

#define WORDS(r, i, j, k, l)                                                          \
	_mm_setr_epi32((int)m[sigma[r][i]], (int)m[sigma[r][j]], (int)m[sigma[r][k]], \
		       (int)m[sigma[r][l]])

#define VROUND(r)                                                        \
	do {                                                             \
		HALF_G(a, b, c, d, WORDS(r, 0, 2, 4, 6), ror_16, 12);    \
		HALF_G(a, b, c, d, WORDS(r, 1, 3, 5, 7), ror_8, 7);      \
		b = _mm_shuffle_epi32(b, _MM_SHUFFLE(0, 3, 2, 1));       \
		c = _mm_shuffle_epi32(c, _MM_SHUFFLE(1, 0, 3, 2));       \
		d = _mm_shuffle_epi32(d, _MM_SHUFFLE(2, 1, 0, 3));       \
		HALF_G(a, b, c, d, WORDS(r, 8, 10, 12, 14), ror_16, 12); \
		HALF_G(a, b, c, d, WORDS(r, 9, 11, 13, 15), ror_8, 7);   \
		b = _mm_shuffle_epi32(b, _MM_SHUFFLE(2, 1, 0, 3));       \
		c = _mm_shuffle_epi32(c, _MM_SHUFFLE(1, 0, 3, 2));       \
		d = _mm_shuffle_epi32(d, _MM_SHUFFLE(0, 3, 2, 1));       \
	} while (0)

static AVX void compress_avx(uint32_t h[8], const uint8_t block[WGC_BLAKE2S_BLOCK_LEN],
			     const uint32_t t[2], bool last)
{
	const __m128i h0 = _mm_loadu_si128((const __m128i *)h);
	const __m128i h1 = _mm_loadu_si128((const __m128i *)(h + 4));
	__m128i a = h0, b = h1, c = _mm_loadu_si128((const __m128i *)iv);
	__m128i d = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(iv + 4)),
				  _mm_setr_epi32((int)t[0], (int)t[1], last ? -1 : 0, 0));
	uint32_t m[16];

	/* x86 is little-endian: the block's words as they are. */
	memcpy(m, block, sizeof(m));
	VROUND(0);
	VROUND(1);
	VROUND(2);
	VROUND(3);
	VROUND(4);
	VROUND(5);
	VROUND(6);
	VROUND(7);
	VROUND(8);
	VROUND(9);
	_mm_storeu_si128((__m128i *)h, _mm_xor_si128(h0, _mm_xor_si128(a, c)));
	_mm_storeu_si128((__m128i *)(h + 4), _mm_xor_si128(h1, _mm_xor_si128(b, d)));
}

/*
 * Two independent first blocks at once, one in each 128-bit half (AVX2): an HMAC key's inner
 * and outer pads. F is a chain of dependent operations that leaves most of the core idle, so
 * the second chain costs little more than its message gathers.
 */
#define AVX2 __attribute__((target("avx2")))

#define WORDS2(r, i, j, k, l)                                                               \
	_mm256_setr_epi32((int)ma[sigma[r][i]], (int)ma[sigma[r][j]], (int)ma[sigma[r][k]], \
			  (int)ma[sigma[r][l]], (int)mb[sigma[r][i]], (int)mb[sigma[r][j]], \
			  (int)mb[sigma[r][k]], (int)mb[sigma[r][l]])

static AVX2 inline __m256i ror2_16(__m256i x)
{
	return _mm256_shuffle_epi8(x, _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15,
						       12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9,
						       14, 15, 12, 13));
}

static AVX2 inline __m256i ror2_8(__m256i x)
{
	return _mm256_shuffle_epi8(x, _mm256_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14,
						       15, 12, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8,
						       13, 14, 15, 12));
}

#define ROR2(x, n) _mm256_or_si256(_mm256_srli_epi32(x, n), _mm256_slli_epi32(x, 32 - (n)))

#define HALF_G2(a, b, c, d, mw, ror_d, rb)                        \
	do {                                                      \
		a = _mm256_add_epi32(_mm256_add_epi32(a, b), mw); \
		d = ror_d(_mm256_xor_si256(d, a));                \
		c = _mm256_add_epi32(c, d);                       \
		b = ROR2(_mm256_xor_si256(b, c), rb);             \
	} while (0)

#define VROUND2(r)                                                          \
	do {                                                                \
		HALF_G2(a, b, c, d, WORDS2(r, 0, 2, 4, 6), ror2_16, 12);    \
		HALF_G2(a, b, c, d, WORDS2(r, 1, 3, 5, 7), ror2_8, 7);      \
		b = _mm256_shuffle_epi32(b, _MM_SHUFFLE(0, 3, 2, 1));       \
		c = _mm256_shuffle_epi32(c, _MM_SHUFFLE(1, 0, 3, 2));       \
		d = _mm256_shuffle_epi32(d, _MM_SHUFFLE(2, 1, 0, 3));       \
		HALF_G2(a, b, c, d, WORDS2(r, 8, 10, 12, 14), ror2_16, 12); \
		HALF_G2(a, b, c, d, WORDS2(r, 9, 11, 13, 15), ror2_8, 7);   \
		b = _mm256_shuffle_epi32(b, _MM_SHUFFLE(2, 1, 0, 3));       \
		c = _mm256_shuffle_epi32(c, _MM_SHUFFLE(1, 0, 3, 2));       \
		d = _mm256_shuffle_epi32(d, _MM_SHUFFLE(0, 3, 2, 1));       \
	} while (0)

/* Both states start from the same h and count one block, not the last. */
static AVX2 void first_blocks_avx2(uint32_t ha[8], uint32_t hb[8], const uint32_t h[8],
				   const uint8_t *block_a, const uint8_t *block_b)
{
	const __m256i h0 = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)h));
	const __m256i h1 = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(h + 4)));
	const __m128i d0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(iv + 4)),
					 _mm_setr_epi32(WGC_BLAKE2S_BLOCK_LEN, 0, 0, 0));
	__m256i a = h0, b = h1;
	__m256i c = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)iv));
	__m256i d = _mm256_broadcastsi128_si256(d0);
	uint32_t ma[16], mb[16];

	memcpy(ma, block_a, sizeof(ma));
	memcpy(mb, block_b, sizeof(mb));
	VROUND2(0);
	VROUND2(1);
	VROUND2(2);
	VROUND2(3);
	VROUND2(4);
	VROUND2(5);
	VROUND2(6);
	VROUND2(7);
	VROUND2(8);
	VROUND2(9);
	a = _mm256_xor_si256(h0, _mm256_xor_si256(a, c));
	b = _mm256_xor_si256(h1, _mm256_xor_si256(b, d));
	_mm_storeu_si128((__m128i *)ha, _mm256_castsi256_si128(a));
	_mm_storeu_si128((__m128i *)(ha + 4), _mm256_castsi256_si128(b));
	_mm_storeu_si128((__m128i *)hb, _mm256_extracti128_si256(a, 1));
	_mm_storeu_si128((__m128i *)(hb + 4), _mm256_extracti128_si256(b, 1));
}

/* AVX (hence SSSE3's byte shuffle) where the CPU has it: every x86-64 of the last decade. */
static bool has_avx, has_avx2;

/* Decided when the program is loaded, before any thread hashes. */
static void __attribute__((constructor)) pick_compress(void)
{
	has_avx = __builtin_cpu_supports("avx");
	has_avx2 = has_avx && __builtin_cpu_supports("avx2");
}

static void compress(uint32_t h[8], const uint8_t block[WGC_BLAKE2S_BLOCK_LEN], const uint32_t t[2],
		     bool last)
{
	if (has_avx)
		compress_avx(h, block, t, last);
	else
		compress_generic(h, block, t, last);
}
#else
#define compress compress_generic
#endif

static void add_count(struct wgc_blake2s *s, uint32_t n)
{
	s->t[0] += n;
	s->t[1] += s->t[0] < n;
}

/* The parameter block of section 2.5 reduced to what we use: sequential mode, no salt. */
static void init_h(uint32_t h[8], size_t outlen, size_t keylen)
{
	memcpy(h, iv, sizeof(iv));
	h[0] ^= 0x01010000u ^ (uint32_t)(keylen << 8) ^ (uint32_t)outlen;
}

void wgc_blake2s_init(struct wgc_blake2s *s, size_t outlen, const void *key, size_t keylen)
{
	init_h(s->h, outlen, keylen);
	s->t[0] = s->t[1] = 0;
	s->outlen = (uint32_t)outlen;
	s->buflen = 0;
	if (keylen) {
		/* The key, zero-padded, is the first block. */
		memset(s->buf, 0, sizeof(s->buf));
		memcpy(s->buf, key, keylen);
		s->buflen = WGC_BLAKE2S_BLOCK_LEN;
	}
}

/* A block is compressed only once input follows it: the last one must wait for final. */
void wgc_blake2s_update(struct wgc_blake2s *s, const void *in, size_t inlen)
{
	const uint8_t *p = in;
	size_t fill = WGC_BLAKE2S_BLOCK_LEN - s->buflen;

	if (!inlen)
		return;
	if (inlen > fill) {
		memcpy(s->buf + s->buflen, p, fill);
		add_count(s, WGC_BLAKE2S_BLOCK_LEN);
		compress(s->h, s->buf, s->t, false);
		s->buflen = 0;
		p += fill;
		inlen -= fill;
		while (inlen > WGC_BLAKE2S_BLOCK_LEN) {
			add_count(s, WGC_BLAKE2S_BLOCK_LEN);
			compress(s->h, p, s->t, false);
			p += WGC_BLAKE2S_BLOCK_LEN;
			inlen -= WGC_BLAKE2S_BLOCK_LEN;
		}
	}
	memcpy(s->buf + s->buflen, p, inlen);
	s->buflen += (uint32_t)inlen;
}

void wgc_blake2s_final(struct wgc_blake2s *s, uint8_t *out)
{
	uint8_t full[WGC_BLAKE2S_HASH_LEN];

	add_count(s, s->buflen);
	memset(s->buf + s->buflen, 0, WGC_BLAKE2S_BLOCK_LEN - s->buflen);
	compress(s->h, s->buf, s->t, true);
	for (int i = 0; i < 8; i++) {
		full[4 * i] = (uint8_t)s->h[i];
		full[4 * i + 1] = (uint8_t)(s->h[i] >> 8);
		full[4 * i + 2] = (uint8_t)(s->h[i] >> 16);
		full[4 * i + 3] = (uint8_t)(s->h[i] >> 24);
	}
	memcpy(out, full, s->outlen);
	wgc_memzero(full, sizeof(full));
	wgc_memzero(s, sizeof(*s));
}

void wgc_blake2s(uint8_t *out, size_t outlen, const void *in, size_t inlen, const void *key,
		 size_t keylen)
{
	struct wgc_blake2s s;

	wgc_blake2s_init(&s, outlen, key, keylen);
	wgc_blake2s_update(&s, in, inlen);
	wgc_blake2s_final(&s, out);
}

void wgc_hash(uint8_t out[WGC_BLAKE2S_HASH_LEN], const void *in, size_t inlen)
{
	wgc_blake2s(out, WGC_BLAKE2S_HASH_LEN, in, inlen, NULL, 0);
}

void wgc_mac(uint8_t out[WGC_BLAKE2S_MAC_LEN], const void *key, size_t keylen, const void *in,
	     size_t inlen)
{
	wgc_blake2s(out, WGC_BLAKE2S_MAC_LEN, in, inlen, key, keylen);
}

/* Two first blocks of unkeyed BLAKE2s-256 (HMAC's pads), into ha and hb. */
static void first_blocks(uint32_t ha[8], uint32_t hb[8], const uint8_t *block_a,
			 const uint8_t *block_b)
{
	static const uint32_t one_block[2] = { WGC_BLAKE2S_BLOCK_LEN, 0 };
	uint32_t h[8];

	init_h(h, WGC_BLAKE2S_HASH_LEN, 0);
#if defined(__x86_64__)
	if (has_avx2) {
		first_blocks_avx2(ha, hb, h, block_a, block_b);
		return;
	}
#endif
	memcpy(ha, h, sizeof(h));
	memcpy(hb, h, sizeof(h));
	compress(ha, block_a, one_block, false);
	compress(hb, block_b, one_block, false);
}

/* h after k->block as a first block that more input follows. */
static void first_block(struct wgc_blake2s_key *k, size_t outlen, size_t keylen)
{
	static const uint32_t one_block[2] = { WGC_BLAKE2S_BLOCK_LEN, 0 };

	init_h(k->h, outlen, keylen);
	k->outlen = (uint32_t)outlen;
	k->keylen = (uint32_t)keylen;
	compress(k->h, k->block, one_block, false);
}

/* A hash of k's first block and what follows, with that block already compressed. */
static void resume(struct wgc_blake2s *s, const struct wgc_blake2s_key *k, size_t inlen)
{
	s->t[1] = 0;
	s->outlen = k->outlen;
	if (!inlen) {
		/* Nothing follows: the first block is the last one, which needs its own flag. */
		init_h(s->h, k->outlen, k->keylen);
		s->t[0] = 0;
		memcpy(s->buf, k->block, sizeof(s->buf));
		s->buflen = WGC_BLAKE2S_BLOCK_LEN;
		return;
	}
	memcpy(s->h, k->h, sizeof(s->h));
	s->t[0] = WGC_BLAKE2S_BLOCK_LEN;
	s->buflen = 0;
}

void wgc_blake2s_key_init(struct wgc_blake2s_key *k, size_t outlen, const void *key, size_t keylen)
{
	memset(k->block, 0, sizeof(k->block));
	memcpy(k->block, key, keylen);
	first_block(k, outlen, keylen);
}

void wgc_blake2s_keyed(uint8_t *out, const struct wgc_blake2s_key *k, const void *in, size_t inlen)
{
	struct wgc_blake2s s;

	resume(&s, k, inlen);
	wgc_blake2s_update(&s, in, inlen);
	wgc_blake2s_final(&s, out);
}

/* RFC 2104: a key longer than the block is hashed first, then padded with zeros. */
void wgc_hmac_key_init(struct wgc_hmac_key *k, const void *key, size_t keylen)
{
	struct wgc_blake2s_key *in = &k->inner;
	uint8_t opad[WGC_BLAKE2S_BLOCK_LEN];

	memset(in->block, 0, sizeof(in->block));
	if (keylen > WGC_BLAKE2S_BLOCK_LEN)
		wgc_hash(in->block, key, keylen);
	else if (keylen)
		memcpy(in->block, key, keylen);
	for (size_t i = 0; i < sizeof(in->block); i++) {
		opad[i] = in->block[i] ^ 0x5c;
		in->block[i] ^= 0x36;
	}
	in->outlen = WGC_BLAKE2S_HASH_LEN;
	in->keylen = 0;
	first_blocks(in->h, k->outer, in->block, opad);
	wgc_memzero(opad, sizeof(opad));
}

void wgc_hmac_keyed(uint8_t out[WGC_BLAKE2S_HASH_LEN], const struct wgc_hmac_key *k, const void *in,
		    size_t inlen)
{
	uint8_t inner[WGC_BLAKE2S_HASH_LEN];
	struct wgc_blake2s s;

	wgc_blake2s_keyed(inner, &k->inner, in, inlen);
	/* The outer hash always has its 32 bytes after the pad: resume from the outer state. */
	memcpy(s.h, k->outer, sizeof(s.h));
	s.t[0] = WGC_BLAKE2S_BLOCK_LEN;
	s.t[1] = 0;
	s.buflen = 0;
	s.outlen = WGC_BLAKE2S_HASH_LEN;
	wgc_blake2s_update(&s, inner, sizeof(inner));
	wgc_blake2s_final(&s, out);
	wgc_memzero(inner, sizeof(inner));
}

void wgc_hmac(uint8_t out[WGC_BLAKE2S_HASH_LEN], const void *key, size_t keylen, const void *in,
	      size_t inlen)
{
	struct wgc_hmac_key k;

	/* Both pads at once: as cheap as hashing through them one after the other, or cheaper. */
	wgc_hmac_key_init(&k, key, keylen);
	wgc_hmac_keyed(out, &k, in, inlen);
	wgc_memzero(&k, sizeof(k));
}

/*
 * Extract, then expand: T(i) = HMAC(prk, T(i-1) || i), with T(0) empty. The PRK's pads are
 * compressed once for the (up to three) expansions.
 */
void wgc_kdf_keyed(uint8_t out1[WGC_BLAKE2S_HASH_LEN], uint8_t *out2, uint8_t *out3,
		   const struct wgc_hmac_key *k, const void *input, size_t inlen)
{
	uint8_t prev[WGC_BLAKE2S_HASH_LEN + 1];
	uint8_t *outs[3] = { out1, out2, out3 };
	struct wgc_hmac_key prk;

	wgc_hmac_keyed(prev, k, input, inlen);
	wgc_hmac_key_init(&prk, prev, WGC_BLAKE2S_HASH_LEN);
	prev[0] = 1;
	wgc_hmac_keyed(prev, &prk, prev, 1);
	memcpy(out1, prev, WGC_BLAKE2S_HASH_LEN);
	for (int i = 1; i < 3 && outs[i]; i++) {
		prev[WGC_BLAKE2S_HASH_LEN] = (uint8_t)(i + 1);
		wgc_hmac_keyed(prev, &prk, prev, sizeof(prev));
		memcpy(outs[i], prev, WGC_BLAKE2S_HASH_LEN);
	}
	wgc_memzero(&prk, sizeof(prk));
	wgc_memzero(prev, sizeof(prev));
}

void wgc_kdf_keylen(uint8_t out1[WGC_BLAKE2S_HASH_LEN], uint8_t *out2, uint8_t *out3,
		    const void *key, size_t keylen, const void *input, size_t inlen)
{
	struct wgc_hmac_key k;

	wgc_hmac_key_init(&k, key, keylen);
	wgc_kdf_keyed(out1, out2, out3, &k, input, inlen);
	wgc_memzero(&k, sizeof(k));
}

void wgc_kdf(uint8_t out1[WGC_BLAKE2S_HASH_LEN], uint8_t *out2, uint8_t *out3,
	     const uint8_t key[WGC_BLAKE2S_HASH_LEN], const void *input, size_t inlen)
{
	wgc_kdf_keylen(out1, out2, out3, key, WGC_BLAKE2S_HASH_LEN, input, inlen);
}
