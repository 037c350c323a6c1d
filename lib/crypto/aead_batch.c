/* SPDX-License-Identifier: MIT */
/*
 * Batch ChaCha20-Poly1305 on intel-ipsec-mb. A batch is submitted as one job per packet, all
 * queued before any is flushed, so the library may interleave them on its SIMD lanes.
 */
#include <stdlib.h>
#include <string.h>

#include <intel-ipsec-mb.h>

#include "aead.h"
#include "aead_batch.h"
#include "aead_x8.h"
#include "ct.h"

struct wgc_batch {
	IMB_MGR *mgr;
	enum wgc_arch arch;
	uint32_t x8_len_max; /* payloads up to this go to the 8-lane code; "-x8" archs only */
	/* Per-op scratch the jobs point into until they complete. */
	uint8_t nonce[WGC_BATCH_MAX][WGC_AEAD_NONCE_LEN];
	uint8_t tag[WGC_BATCH_MAX][WGC_AEAD_TAG_LEN];
};

static const char *const arch_names[] = {
	[WGC_ARCH_AUTO] = "auto",	[WGC_ARCH_SSE] = "sse",
	[WGC_ARCH_AVX2] = "avx2",	[WGC_ARCH_AVX512] = "avx512",
	[WGC_ARCH_AVX2_X8] = "avx2-x8", [WGC_ARCH_AVX512_X8] = "avx512-x8",
};

const char *wgc_arch_name(enum wgc_arch arch)
{
	if ((unsigned int)arch >= sizeof(arch_names) / sizeof(arch_names[0]))
		return "unknown";
	return arch_names[arch];
}

bool wgc_arch_is_x8(enum wgc_arch arch)
{
	return arch == WGC_ARCH_AVX2_X8 || arch == WGC_ARCH_AVX512_X8;
}

bool wgc_arch_parse(const char *name, enum wgc_arch *arch)
{
	for (unsigned int i = 0; i < sizeof(arch_names) / sizeof(arch_names[0]); i++) {
		if (strcmp(name, arch_names[i]) == 0) {
			*arch = (enum wgc_arch)i;
			return true;
		}
	}
	return false;
}

bool wgc_arch_supported(enum wgc_arch arch)
{
	uint64_t cpu = imb_get_feature_flags();

	switch (arch) {
	case WGC_ARCH_AUTO:
		return true;
	case WGC_ARCH_SSE:
		return (cpu & IMB_CPUFLAGS_SSE) == IMB_CPUFLAGS_SSE;
	case WGC_ARCH_AVX2:
		return (cpu & IMB_CPUFLAGS_AVX2) == IMB_CPUFLAGS_AVX2;
	case WGC_ARCH_AVX512:
		return (cpu & IMB_CPUFLAGS_AVX512) == IMB_CPUFLAGS_AVX512;
	case WGC_ARCH_AVX2_X8:
		return wgc_arch_supported(WGC_ARCH_AVX2) && wgc_aead_x8_supported();
	case WGC_ARCH_AVX512_X8:
		return wgc_arch_supported(WGC_ARCH_AVX512) && wgc_aead_x8_supported();
	}
	return false;
}

/* The 8-lane code for short packets wherever it runs (on AVX-512 too, until a 16-lane one
 * exists: docs/performance.md), intel-ipsec-mb's widest path for the rest. */
static enum wgc_arch best_arch(void)
{
	static const enum wgc_arch order[] = { WGC_ARCH_AVX512_X8, WGC_ARCH_AVX2_X8,
					       WGC_ARCH_AVX512, WGC_ARCH_AVX2 };

	for (unsigned int i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (wgc_arch_supported(order[i]))
			return order[i];
	return WGC_ARCH_SSE;
}

/* AUTO resolves to the operator's WGDP_CRYPTO_ARCH if set, so a deployment can pin a path. */
static bool resolve_arch(enum wgc_arch *arch)
{
	const char *forced;

	if (*arch != WGC_ARCH_AUTO)
		return true;
	forced = getenv("WGDP_CRYPTO_ARCH");
	if (forced && *forced && strcmp(forced, "auto") != 0)
		return wgc_arch_parse(forced, arch);
	*arch = best_arch();
	return true;
}

struct wgc_batch *wgc_batch_create(enum wgc_arch arch)
{
	struct wgc_batch *b;

	if (!resolve_arch(&arch) || !wgc_arch_supported(arch))
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->mgr = alloc_mb_mgr(0);
	if (!b->mgr) {
		free(b);
		return NULL;
	}
	switch (arch) {
	case WGC_ARCH_AVX512:
	case WGC_ARCH_AVX512_X8:
		init_mb_mgr_avx512(b->mgr);
		break;
	case WGC_ARCH_AVX2:
	case WGC_ARCH_AVX2_X8:
		init_mb_mgr_avx2(b->mgr);
		break;
	default:
		init_mb_mgr_sse(b->mgr);
		break;
	}
	if (imb_get_errno(b->mgr) != 0) {
		free_mb_mgr(b->mgr);
		free(b);
		return NULL;
	}
	b->arch = arch;
	if (arch == WGC_ARCH_AVX2_X8)
		b->x8_len_max = WGC_X8_LEN_MAX_AVX2;
	else if (arch == WGC_ARCH_AVX512_X8)
		b->x8_len_max = WGC_X8_LEN_MAX_AVX512;
	return b;
}

void wgc_batch_set_x8_len_max(struct wgc_batch *b, uint32_t len)
{
	if (wgc_arch_is_x8(b->arch))
		b->x8_len_max = len;
}

void wgc_batch_free(struct wgc_batch *b)
{
	if (!b)
		return;
	free_mb_mgr(b->mgr);
	wgc_memzero(b, sizeof(*b));
	free(b);
}

enum wgc_arch wgc_batch_arch(const struct wgc_batch *b)
{
	return b->arch;
}

static void fill_job(IMB_JOB *job, const struct wgc_batch_op *op, const uint8_t *nonce,
		     uint8_t *tag_out, bool encrypt, unsigned int index)
{
	job->cipher_mode = IMB_CIPHER_CHACHA20_POLY1305;
	job->hash_alg = IMB_AUTH_CHACHA20_POLY1305;
	job->cipher_direction = encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	/* Poly1305 covers the ciphertext: after encryption, before decryption. */
	job->chain_order = encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	job->enc_keys = op->key;
	job->dec_keys = op->key;
	job->key_len_in_bytes = WGC_AEAD_KEY_LEN;
	job->src = op->src;
	job->dst = op->dst;
	job->cipher_start_src_offset_in_bytes = 0;
	job->msg_len_to_cipher_in_bytes = op->len;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = op->len;
	job->iv = nonce;
	job->iv_len_in_bytes = WGC_AEAD_NONCE_LEN;
	job->u.CHACHA20_POLY1305.aad = op->ad;
	job->u.CHACHA20_POLY1305.aad_len_in_bytes = op->adlen;
	job->auth_tag_output = tag_out;
	job->auth_tag_output_len_in_bytes = WGC_AEAD_TAG_LEN;
	job->user_data = (void *)(uintptr_t)index;
}

/*
 * Marks every job the manager hands back. A job that failed (a bug in our parameters, never
 * a property of the packet) is left unmarked, so its packet is treated as not authenticated.
 */
static void collect(uint64_t *done, IMB_JOB *job)
{
	if (job && job->status == IMB_STATUS_COMPLETED)
		*done |= 1ull << (uintptr_t)job->user_data;
}

/* The ops of a burst the 8-lane code takes, by length, so that the eight lanes of a group
 * finish together (a group runs as long as its longest lane). Lengths are public. */
static unsigned int x8_order(const struct wgc_batch *b, const struct wgc_batch_op *ops,
			     unsigned int n, uint8_t *order)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < n; i++) {
		unsigned int j = k++;

		if (ops[i].len > b->x8_len_max) {
			k--;
			continue;
		}
		for (; j > 0 && ops[order[j - 1]].len > ops[i].len; j--)
			order[j] = order[j - 1];
		order[j] = (uint8_t)i;
	}
	return k;
}

/*
 * The short ops of a burst, eight at a time by length, through the 8-lane code; returns the
 * mask of those it handled (decrypt: of those that authenticated, in *authentic).
 */
static uint64_t run_x8(const struct wgc_batch *b, const struct wgc_batch_op *ops, unsigned int n,
		       bool encrypt, uint64_t *authentic)
{
	struct wgc_batch_op lane[WGC_AEAD_X8_LANES];
	uint8_t order[WGC_BATCH_MAX];
	unsigned int k = x8_order(b, ops, n, order);
	uint64_t handled = 0;

	for (unsigned int g = 0; g < k; g += WGC_AEAD_X8_LANES) {
		unsigned int m = k - g < WGC_AEAD_X8_LANES ? k - g : WGC_AEAD_X8_LANES;
		uint32_t ok;

		for (unsigned int j = 0; j < m; j++) {
			lane[j] = ops[order[g + j]];
			handled |= 1ull << order[g + j];
		}
		if (encrypt) {
			wgc_aead_x8_encrypt(lane, m);
			continue;
		}
		ok = wgc_aead_x8_decrypt(lane, m);
		for (unsigned int j = 0; j < m; j++)
			*authentic |= (uint64_t)((ok >> j) & 1) << order[g + j];
	}
	return handled;
}

static uint64_t run_batch(struct wgc_batch *b, const struct wgc_batch_op *ops, unsigned int n,
			  bool encrypt, uint64_t skip)
{
	uint64_t done = 0;
	IMB_JOB *job;

	for (unsigned int i = 0; i < n; i++) {
		if (skip & (1ull << i))
			continue;
		wgc_aead_nonce_from_counter(b->nonce[i], ops[i].counter);
		job = IMB_GET_NEXT_JOB(b->mgr);
		fill_job(job, &ops[i], b->nonce[i], encrypt ? ops[i].tag : b->tag[i], encrypt, i);
		collect(&done, IMB_SUBMIT_JOB(b->mgr));
		while ((job = IMB_GET_COMPLETED_JOB(b->mgr)) != NULL)
			collect(&done, job);
	}
	while ((job = IMB_FLUSH_JOB(b->mgr)) != NULL)
		collect(&done, job);
	return done;
}

void wgc_batch_encrypt(struct wgc_batch *b, const struct wgc_batch_op *ops, unsigned int n)
{
	uint64_t x8 = 0;

	if (n > WGC_BATCH_MAX)
		n = WGC_BATCH_MAX;
	if (b->x8_len_max)
		x8 = run_x8(b, ops, n, true, NULL);
	run_batch(b, ops, n, true, x8);
}

uint64_t wgc_batch_decrypt(struct wgc_batch *b, const struct wgc_batch_op *ops, unsigned int n)
{
	uint64_t completed, authentic = 0, x8 = 0;

	if (n > WGC_BATCH_MAX)
		n = WGC_BATCH_MAX;
	if (b->x8_len_max)
		x8 = run_x8(b, ops, n, false, &authentic);
	completed = run_batch(b, ops, n, false, x8);
	for (unsigned int i = 0; i < n; i++) {
		bool ok;

		if (x8 & (1ull << i))
			continue; /* judged by the 8-lane code */
		/* The library writes the expected tag; judging it is ours, in constant time. */
		ok = wgc_ct_equal(b->tag[i], ops[i].tag, WGC_AEAD_TAG_LEN);
		if (ok && (completed & (1ull << i)))
			authentic |= 1ull << i;
	}
	wgc_memzero(b->tag, sizeof(b->tag[0]) * n);
	return authentic;
}
