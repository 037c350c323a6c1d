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
#include "ct.h"

struct wgc_batch {
	IMB_MGR *mgr;
	enum wgc_arch arch;
	/* Per-op scratch the jobs point into until they complete. */
	uint8_t nonce[WGC_BATCH_MAX][WGC_AEAD_NONCE_LEN];
	uint8_t tag[WGC_BATCH_MAX][WGC_AEAD_TAG_LEN];
};

static const char *const arch_names[] = {
	[WGC_ARCH_AUTO] = "auto",
	[WGC_ARCH_SSE] = "sse",
	[WGC_ARCH_AVX2] = "avx2",
	[WGC_ARCH_AVX512] = "avx512",
};

const char *wgc_arch_name(enum wgc_arch arch)
{
	if ((unsigned int)arch >= sizeof(arch_names) / sizeof(arch_names[0]))
		return "unknown";
	return arch_names[arch];
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
	}
	return false;
}

static enum wgc_arch best_arch(void)
{
	if (wgc_arch_supported(WGC_ARCH_AVX512))
		return WGC_ARCH_AVX512;
	if (wgc_arch_supported(WGC_ARCH_AVX2))
		return WGC_ARCH_AVX2;
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
		init_mb_mgr_avx512(b->mgr);
		break;
	case WGC_ARCH_AVX2:
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
	return b;
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

static uint64_t run_batch(struct wgc_batch *b, const struct wgc_batch_op *ops, unsigned int n,
			  bool encrypt)
{
	uint64_t done = 0;
	IMB_JOB *job;

	for (unsigned int i = 0; i < n; i++) {
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
	if (n > WGC_BATCH_MAX)
		n = WGC_BATCH_MAX;
	run_batch(b, ops, n, true);
}

uint64_t wgc_batch_decrypt(struct wgc_batch *b, const struct wgc_batch_op *ops, unsigned int n)
{
	uint64_t completed, authentic = 0;

	if (n > WGC_BATCH_MAX)
		n = WGC_BATCH_MAX;
	completed = run_batch(b, ops, n, false);
	for (unsigned int i = 0; i < n; i++) {
		/* The library writes the expected tag; judging it is ours, in constant time. */
		bool ok = wgc_ct_equal(b->tag[i], ops[i].tag, WGC_AEAD_TAG_LEN);

		if (ok && (completed & (1ull << i)))
			authentic |= 1ull << i;
	}
	wgc_memzero(b->tag, sizeof(b->tag[0]) * n);
	return authentic;
}
