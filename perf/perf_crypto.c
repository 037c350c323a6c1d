/* SPDX-License-Identifier: MIT */
/*
 * wgdp-perf crypto: the cost of the crypto the concentrator is built on, measured side by
 * side in one run so a noisy machine skews every figure alike. The batch AEAD runs as the data
 * path does: 64 packets, each with its own key and counter; the single-buffer figure is
 * libsodium, one packet at a time.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/aead_batch.h"
#include "crypto/ct.h"
#include "crypto/x25519.h"
#include "perf.h"

#define MAX_SIZE 9000

struct crypto_opts {
	double seconds;	    /* per measurement */
	unsigned int batch; /* packets per batch call */
	enum wgc_arch only_arch;
	bool all_archs;
	unsigned int sizes[16];
	unsigned int nsizes;
};

struct workload {
	unsigned int n;
	uint32_t size;
	uint8_t keys[WGC_BATCH_MAX][WGC_AEAD_KEY_LEN];
	uint64_t counters[WGC_BATCH_MAX];
	uint8_t *plain[WGC_BATCH_MAX];
	uint8_t *sealed[WGC_BATCH_MAX]; /* ciphertext then tag */
	uint8_t *out[WGC_BATCH_MAX];
};

struct result {
	double seconds;
	uint64_t bytes;
	uint64_t cycles;
};

static void print_aead(const char *impl, const char *arch, const char *dir, uint32_t size,
		       const struct result *r)
{
	double gbps = (double)r->bytes * 8 / r->seconds / 1e9;
	double cpb = r->bytes ? (double)r->cycles / (double)r->bytes : 0;

	printf("{\"bench\":\"aead\",\"impl\":\"%s\",\"arch\":\"%s\",\"dir\":\"%s\",\"size\":%u,"
	       "\"gbps\":%.3f,\"cycles_per_byte\":%.3f}\n",
	       impl, arch, dir, size, gbps, cpb);
	fflush(stdout);
}

static struct workload *workload_create(unsigned int n, uint32_t size)
{
	struct workload *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->n = n;
	w->size = size;
	for (unsigned int i = 0; i < n; i++) {
		w->plain[i] = malloc(size ? size : 1);
		w->sealed[i] = malloc(size + WGC_AEAD_TAG_LEN);
		w->out[i] = malloc(size + WGC_AEAD_TAG_LEN);
		if (!w->plain[i] || !w->sealed[i] || !w->out[i])
			return NULL; /* the process exits on this; nothing to tidy */
		wgc_random(w->keys[i], WGC_AEAD_KEY_LEN);
		wgc_random(w->plain[i], size);
		w->counters[i] = i;
		wgc_aead_encrypt(w->sealed[i], w->plain[i], size, NULL, 0, w->counters[i],
				 w->keys[i]);
	}
	return w;
}

static void workload_free(struct workload *w)
{
	for (unsigned int i = 0; i < w->n; i++) {
		free(w->plain[i]);
		free(w->sealed[i]);
		free(w->out[i]);
	}
	free(w);
}

static void batch_ops(struct workload *w, struct wgc_batch_op *ops, bool encrypt)
{
	for (unsigned int i = 0; i < w->n; i++)
		ops[i] = (struct wgc_batch_op){
			.key = w->keys[i],
			.counter = w->counters[i],
			.src = encrypt ? w->plain[i] : w->sealed[i],
			.dst = w->out[i],
			.len = w->size,
			.tag = encrypt ? w->out[i] + w->size : w->sealed[i] + w->size,
		};
}

/* Runs the batch for at least `seconds`; false if a decryption ever failed to authenticate. */
static bool run_batch(struct wgc_batch *b, struct workload *w, bool encrypt, double seconds,
		      struct result *r)
{
	struct wgc_batch_op ops[WGC_BATCH_MAX];
	uint64_t all = w->n == 64 ? ~0ull : (1ull << w->n) - 1;
	uint64_t calls = 0, c0;
	double t0, t;
	bool ok = true;

	batch_ops(w, ops, encrypt);
	t0 = perf_now();
	c0 = perf_cycles();
	do {
		for (int k = 0; k < 8; k++) {
			if (encrypt)
				wgc_batch_encrypt(b, ops, w->n);
			else
				ok &= wgc_batch_decrypt(b, ops, w->n) == all;
		}
		calls += 8;
		t = perf_now();
	} while (t - t0 < seconds);
	r->cycles = perf_cycles() - c0;
	r->seconds = t - t0;
	r->bytes = calls * w->n * w->size;
	return ok;
}

static bool run_single(struct workload *w, bool encrypt, double seconds, struct result *r)
{
	uint64_t packets = 0, c0;
	double t0, t;
	bool ok = true;

	t0 = perf_now();
	c0 = perf_cycles();
	do {
		for (unsigned int i = 0; i < w->n; i++) {
			if (encrypt)
				wgc_aead_encrypt(w->out[i], w->plain[i], w->size, NULL, 0,
						 w->counters[i], w->keys[i]);
			else
				ok &= wgc_aead_decrypt(w->out[i], w->sealed[i],
						       w->size + WGC_AEAD_TAG_LEN, NULL, 0,
						       w->counters[i], w->keys[i]);
		}
		packets += w->n;
		t = perf_now();
	} while (t - t0 < seconds);
	r->cycles = perf_cycles() - c0;
	r->seconds = t - t0;
	r->bytes = packets * w->size;
	return ok;
}

static void run_x25519(double seconds)
{
	uint8_t priv[WGC_X25519_KEY_LEN], peer_priv[WGC_X25519_KEY_LEN];
	uint8_t peer_pub[WGC_X25519_KEY_LEN], shared[WGC_X25519_KEY_LEN];
	uint64_t ops = 0, c0, cycles;
	double t0, t;

	wgc_x25519_generate(priv);
	wgc_x25519_generate(peer_priv);
	wgc_x25519_public(peer_pub, peer_priv);
	t0 = perf_now();
	c0 = perf_cycles();
	do {
		for (int k = 0; k < 16; k++)
			wgc_x25519(shared, priv, peer_pub);
		ops += 16;
		t = perf_now();
	} while (t - t0 < seconds);
	cycles = perf_cycles() - c0;
	printf("{\"bench\":\"x25519\",\"impl\":\"libsodium\",\"op\":\"shared\",\"ops_per_s\":%.0f,"
	       "\"us_per_op\":%.2f,\"cycles_per_op\":%.0f}\n",
	       (double)ops / (t - t0), (t - t0) * 1e6 / (double)ops, (double)cycles / (double)ops);
	wgc_memzero(priv, sizeof(priv));
	wgc_memzero(peer_priv, sizeof(peer_priv));
	wgc_memzero(shared, sizeof(shared));
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: wgdp-perf crypto [--duration-ms MS] [--sizes 64,256,...] [--batch N]\n"
		"                        [--arch auto|all|sse|avx2|avx512]\n"
		"\n"
		"ChaCha20-Poly1305 throughput of the batch AEAD (intel-ipsec-mb, N packets a call,\n"
		"each its own key) and of libsodium's single-buffer AEAD, encrypt and decrypt, at each\n"
		"size; then X25519 shared-secret operations per second. One JSON object per line:\n"
		"  {\"bench\":\"aead\",\"impl\":\"ipsec-mb\"|\"libsodium\",\"arch\":...,\"dir\":...,\n"
		"   \"size\":bytes,\"gbps\":...,\"cycles_per_byte\":...}\n"
		"  {\"bench\":\"aead_speedup\",\"arch\":...,\"dir\":...,\"size\":...,\"ratio\":batch/libsodium}\n"
		"  {\"bench\":\"x25519\",\"impl\":\"libsodium\",\"ops_per_s\":...}\n"
		"\n"
		"  --duration-ms MS  time per measurement (default 300)\n"
		"  --sizes LIST      payload sizes in bytes, at most %d (default 64,256,512,1420,9000)\n"
		"  --batch N         packets per batch call, 1..64 (default 64)\n"
		"  --arch A          SIMD path of the batch AEAD: auto (best, or WGDP_CRYPTO_ARCH),\n"
		"                    all (every path this CPU has), or one of sse, avx2, avx512\n",
		MAX_SIZE);
}

static bool parse_sizes(struct crypto_opts *o, char *list)
{
	o->nsizes = 0;
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		char *end;
		unsigned long v = strtoul(tok, &end, 10);

		if (*end || end == tok || v > MAX_SIZE || o->nsizes == 16)
			return false;
		o->sizes[o->nsizes++] = (unsigned int)v;
	}
	return o->nsizes > 0;
}

static bool parse_opts(struct crypto_opts *o, int argc, char **argv, bool *help)
{
	static const struct option longopts[] = {
		{ "duration-ms", required_argument, NULL, 'd' },
		{ "sizes", required_argument, NULL, 's' },
		{ "batch", required_argument, NULL, 'b' },
		{ "arch", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const unsigned int default_sizes[] = { 64, 256, 512, 1420, 9000 };
	int c;

	*o = (struct crypto_opts){ .seconds = 0.3, .batch = WGC_BATCH_MAX };
	memcpy(o->sizes, default_sizes, sizeof(default_sizes));
	o->nsizes = sizeof(default_sizes) / sizeof(default_sizes[0]);
	*help = false;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->seconds = atof(optarg) / 1000;
			if (o->seconds <= 0)
				return false;
			break;
		case 's':
			if (!parse_sizes(o, optarg))
				return false;
			break;
		case 'b':
			o->batch = (unsigned int)atoi(optarg);
			if (o->batch < 1 || o->batch > WGC_BATCH_MAX)
				return false;
			break;
		case 'a':
			if (strcmp(optarg, "all") == 0)
				o->all_archs = true;
			else if (!wgc_arch_parse(optarg, &o->only_arch))
				return false;
			break;
		case 'h':
			*help = true;
			return true;
		default:
			return false;
		}
	}
	return optind == argc;
}

/* The batch contexts to measure, in the order printed. */
static unsigned int open_archs(const struct crypto_opts *o, struct wgc_batch **ctx)
{
	static const enum wgc_arch archs[] = { WGC_ARCH_AVX512, WGC_ARCH_AVX2, WGC_ARCH_SSE };
	unsigned int n = 0;

	if (!o->all_archs) {
		ctx[0] = wgc_batch_create(o->only_arch);
		return ctx[0] ? 1 : 0;
	}
	for (size_t i = 0; i < sizeof(archs) / sizeof(archs[0]); i++)
		if (wgc_arch_supported(archs[i]) && (ctx[n] = wgc_batch_create(archs[i])))
			n++;
	return n;
}

static bool bench_size(const struct crypto_opts *o, struct wgc_batch **ctx, unsigned int nctx,
		       uint32_t size)
{
	struct workload *w = workload_create(o->batch, size);
	bool ok = w != NULL;

	for (int enc = 1; ok && enc >= 0; enc--) {
		const char *dir = enc ? "encrypt" : "decrypt";
		struct result single, batch;

		ok &= run_single(w, enc, o->seconds, &single);
		print_aead("libsodium", "generic", dir, size, &single);
		for (unsigned int a = 0; a < nctx; a++) {
			const char *arch = wgc_arch_name(wgc_batch_arch(ctx[a]));

			ok &= run_batch(ctx[a], w, enc, o->seconds, &batch);
			print_aead("ipsec-mb", arch, dir, size, &batch);
			printf("{\"bench\":\"aead_speedup\",\"arch\":\"%s\",\"dir\":\"%s\","
			       "\"size\":%u,\"ratio\":%.2f}\n",
			       arch, dir, size,
			       ((double)batch.bytes / batch.seconds) /
				       ((double)single.bytes / single.seconds));
		}
	}
	if (w)
		workload_free(w);
	return ok;
}

int perf_crypto_main(int argc, char **argv)
{
	struct wgc_batch *ctx[3] = { NULL };
	struct crypto_opts o;
	unsigned int nctx;
	bool help, ok = true;

	if (!parse_opts(&o, argc, argv, &help)) {
		usage(stderr);
		return 1;
	}
	if (help) {
		usage(stdout);
		return 0;
	}
	if (wgc_init() != 0)
		return 1;
	nctx = open_archs(&o, ctx);
	if (nctx == 0) {
		fprintf(stderr, "wgdp-perf crypto: arch '%s' is not available on this CPU\n",
			wgc_arch_name(o.only_arch));
		return 1;
	}
	for (unsigned int i = 0; i < o.nsizes; i++)
		ok &= bench_size(&o, ctx, nctx, o.sizes[i]);
	run_x25519(o.seconds);
	for (unsigned int i = 0; i < nctx; i++)
		wgc_batch_free(ctx[i]);
	if (!ok)
		fprintf(stderr, "wgdp-perf crypto: a decryption did not authenticate\n");
	return ok ? 0 : 1;
}
