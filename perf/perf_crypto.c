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
/* --sizes imix: a burst of 64/576/1500-byte payloads, 7:4:1 (37, 21 and 6 of 64), mixed. */
#define IMIX	UINT32_MAX
#define MAX_CTX 8

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
	uint32_t size;		     /* IMIX, or every packet's */
	uint32_t len[WGC_BATCH_MAX]; /* each packet's */
	uint64_t bytes;		     /* of one burst */
	uint8_t keys[WGC_BATCH_MAX][WGC_AEAD_KEY_LEN];
	uint64_t counters[WGC_BATCH_MAX];
	uint8_t *plain[WGC_BATCH_MAX];
	uint8_t *sealed[WGC_BATCH_MAX]; /* ciphertext then tag */
	uint8_t *out[WGC_BATCH_MAX];
};

struct result {
	double seconds;
	uint64_t bytes;
	uint64_t packets;
	uint64_t cycles;
};

/* "size":N, or "size":"imix". */
static const char *size_text(uint32_t size, char *buf, size_t len)
{
	if (size == IMIX)
		snprintf(buf, len, "\"imix\"");
	else
		snprintf(buf, len, "%u", size);
	return buf;
}

static void print_aead(const char *impl, const char *arch, const char *dir, uint32_t size,
		       const struct result *r)
{
	double gbps = (double)r->bytes * 8 / r->seconds / 1e9;
	double cpb = r->bytes ? (double)r->cycles / (double)r->bytes : 0;
	char st[16];

	printf("{\"bench\":\"aead\",\"impl\":\"%s\",\"arch\":\"%s\",\"dir\":\"%s\",\"size\":%s,"
	       "\"gbps\":%.3f,\"cycles_per_byte\":%.3f,\"cycles_per_packet\":%.0f}\n",
	       impl, arch, dir, size_text(size, st, sizeof(st)), gbps, cpb,
	       r->packets ? (double)r->cycles / (double)r->packets : 0);
	fflush(stdout);
}

/* Packet i's payload: the size, or IMIX's share, spread through the burst. */
static uint32_t packet_len(uint32_t size, unsigned int i)
{
	static const uint32_t mix[12] = { 64, 576, 64, 64, 1500, 64, 576, 64, 64, 576, 64, 576 };

	return size == IMIX ? mix[i % 12] : size;
}

static struct workload *workload_create(unsigned int n, uint32_t size)
{
	struct workload *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->n = n;
	w->size = size;
	for (unsigned int i = 0; i < n; i++) {
		uint32_t len = packet_len(size, i);

		w->len[i] = len;
		w->bytes += len;
		w->plain[i] = malloc(len ? len : 1);
		w->sealed[i] = malloc(len + WGC_AEAD_TAG_LEN);
		w->out[i] = malloc(len + WGC_AEAD_TAG_LEN);
		if (!w->plain[i] || !w->sealed[i] || !w->out[i])
			return NULL; /* the process exits on this; nothing to tidy */
		wgc_random(w->keys[i], WGC_AEAD_KEY_LEN);
		wgc_random(w->plain[i], len);
		w->counters[i] = i;
		wgc_aead_encrypt(w->sealed[i], w->plain[i], len, NULL, 0, w->counters[i],
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
			.len = w->len[i],
			.tag = encrypt ? w->out[i] + w->len[i] : w->sealed[i] + w->len[i],
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
	r->bytes = calls * w->bytes;
	r->packets = calls * w->n;
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
				wgc_aead_encrypt(w->out[i], w->plain[i], w->len[i], NULL, 0,
						 w->counters[i], w->keys[i]);
			else
				ok &= wgc_aead_decrypt(w->out[i], w->sealed[i],
						       w->len[i] + WGC_AEAD_TAG_LEN, NULL, 0,
						       w->counters[i], w->keys[i]);
		}
		packets += w->n;
		t = perf_now();
	} while (t - t0 < seconds);
	r->cycles = perf_cycles() - c0;
	r->seconds = t - t0;
	r->bytes = packets / w->n * w->bytes;
	r->packets = packets;
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
		"                        [--arch auto|all|sse|avx2|avx512|avx2-x8|avx512-x8]\n"
		"\n"
		"ChaCha20-Poly1305 throughput of the batch AEAD (N packets a call, each its own "
		"key)\n"
		"and of libsodium's single-buffer AEAD, encrypt and decrypt, at each size; then "
		"X25519\n"
		"shared-secret operations per second. The batch runs as the data path does: on\n"
		"intel-ipsec-mb (impl ipsec-mb), on the 8-lane code for short packets and "
		"ipsec-mb\n"
		"for the rest (x8+ipsec-mb, the \"-x8\" archs), and, to find where ipsec-mb "
		"catches up,\n"
		"on the 8-lane code at every size (x8). One JSON object per line:\n"
		"  "
		"{\"bench\":\"aead\",\"impl\":...,\"arch\":...,\"dir\":...,\"size\":bytes|\"imix\","
		"\n"
		"   \"gbps\":...,\"cycles_per_byte\":...,\"cycles_per_packet\":...}\n"
		"  "
		"{\"bench\":\"aead_speedup\",\"arch\":...,\"dir\":...,\"size\":...,\"ratio\":batch/"
		"libsodium}\n"
		"  {\"bench\":\"x25519\",\"impl\":\"libsodium\",\"ops_per_s\":...}\n"
		"\n"
		"  --duration-ms MS  time per measurement (default 300)\n"
		"  --sizes LIST      payload sizes in bytes, at most %d, or imix (64/576/1500 B\n"
		"                    7:4:1) (default 64,256,512,1420,9000,imix)\n"
		"  --batch N         packets per batch call, 1..64 (default 64)\n"
		"  --arch A          SIMD path of the batch AEAD: auto (best, or "
		"WGDP_CRYPTO_ARCH),\n"
		"                    all (every path this CPU has), or one of sse, avx2, avx512\n",
		MAX_SIZE);
}

static bool parse_sizes(struct crypto_opts *o, char *list)
{
	o->nsizes = 0;
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		char *end;
		unsigned long v = strtoul(tok, &end, 10);

		if (strcmp(tok, "imix") == 0)
			v = IMIX, end = tok + 4;
		if (*end || end == tok || (v > MAX_SIZE && v != IMIX) || o->nsizes == 16)
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
	static const unsigned int default_sizes[] = { 64, 256, 512, 1420, 9000, IMIX };
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

/* A context on arch, and for a "-x8" one a second one with every size on the lanes. */
static unsigned int open_arch(enum wgc_arch arch, struct wgc_batch **ctx, const char **impl)
{
	ctx[0] = wgc_batch_create(arch);
	if (!ctx[0])
		return 0;
	arch = wgc_batch_arch(ctx[0]);
	impl[0] = wgc_arch_is_x8(arch) ? "x8+ipsec-mb" : "ipsec-mb";
	if (!wgc_arch_is_x8(arch))
		return 1;
	ctx[1] = wgc_batch_create(arch);
	if (!ctx[1])
		return 1;
	wgc_batch_set_x8_len_max(ctx[1], MAX_SIZE);
	impl[1] = "x8";
	return 2;
}

/* The batch contexts to measure, in the order printed. */
static unsigned int open_archs(const struct crypto_opts *o, struct wgc_batch **ctx,
			       const char **impl)
{
	static const enum wgc_arch archs[] = { WGC_ARCH_AVX512_X8, WGC_ARCH_AVX2_X8,
					       WGC_ARCH_AVX512, WGC_ARCH_AVX2, WGC_ARCH_SSE };
	unsigned int n = 0;

	if (!o->all_archs)
		return open_arch(o->only_arch, ctx, impl);
	for (size_t i = 0; i < sizeof(archs) / sizeof(archs[0]); i++)
		if (wgc_arch_supported(archs[i]))
			n += open_arch(archs[i], &ctx[n], &impl[n]);
	return n;
}

static bool bench_size(const struct crypto_opts *o, struct wgc_batch **ctx, const char **impl,
		       unsigned int nctx, uint32_t size)
{
	char st[16];

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
			print_aead(impl[a], arch, dir, size, &batch);
			printf("{\"bench\":\"aead_speedup\",\"impl\":\"%s\",\"arch\":\"%s\","
			       "\"dir\":\"%s\",\"size\":%s,\"ratio\":%.2f}\n",
			       impl[a], arch, dir, size_text(size, st, sizeof(st)),
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
	struct wgc_batch *ctx[MAX_CTX] = { NULL };
	const char *impl[MAX_CTX] = { NULL };
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
	nctx = open_archs(&o, ctx, impl);
	if (nctx == 0) {
		fprintf(stderr, "wgdp-perf crypto: arch '%s' is not available on this CPU\n",
			wgc_arch_name(o.only_arch));
		return 1;
	}
	for (unsigned int i = 0; i < o.nsizes; i++)
		ok &= bench_size(&o, ctx, impl, nctx, o.sizes[i]);
	run_x25519(o.seconds);
	for (unsigned int i = 0; i < nctx; i++)
		wgc_batch_free(ctx[i]);
	if (!ok)
		fprintf(stderr, "wgdp-perf crypto: a decryption did not authenticate\n");
	return ok ? 0 : 1;
}
