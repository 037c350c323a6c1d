/* SPDX-License-Identifier: MIT */
/*
 * wgdp-perf noise: what one responder handshake costs, step by step, in this process (lib/wg
 * and lib/crypto only: no packets, no DPDK, no tables but a small one for the peer lookup).
 *
 * N peers' initiations are made first, outside the timed region. Each is then answered the
 * way wgdp's control lcore answers one when it is not under load: mac1 checked
 * (wg_cookie_validate), wg_noise_consume_initiation, an ephemeral key made
 * (wg_ephemeral_generate, which the pool of lib/dp makes ahead of time but which a saturated
 * lcore still pays for), wg_noise_create_response_with, wg_cookie_add_macs and
 * wg_noise_derive_keypair. Inside lib/wg the steps are told apart by noise.h's probe points.
 *
 * The X25519 floor is measured in the same run, in rounds that alternate with the handshake
 * rounds, so that a noisy machine weighs on both alike. Every figure is a median over all
 * handshakes (or operations) of all rounds: a handshake the scheduler interrupted moves a
 * median very little. The replay and flood memory of a peer is reset between rounds (time is
 * an argument), so each peer's one initiation can be answered again and again.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/blake2s.h"
#include "crypto/ct.h"
#include "crypto/x25519.h"
#include "perf.h"
#include "wg/cookie.h"
#include "wg/noise.h"

/* The marks taken during one handshake; a step is the time between two consecutive marks. */
enum mark {
	M_START,
	M_MAC1,
	M_PROBE_FIRST, /* WG_NOISE_AT_MIXED_E_I .. WG_NOISE_AT_TIMESTAMP */
	M_CONSUMED = M_PROBE_FIRST + WG_NOISE_AT_TIMESTAMP + 1,
	M_EPHEMERAL,
	M_PROBE_RESPONSE, /* WG_NOISE_AT_MIXED_E_R .. WG_NOISE_AT_SEALED */
	M_RESPONDED = M_PROBE_RESPONSE + WG_NOISE_AT_SEALED - WG_NOISE_AT_MIXED_E_R + 1,
	M_MACS,
	M_KEYPAIR,
	M_COUNT
};

#define N_STEPS (M_COUNT - 1)

/* Step i runs from mark i to mark i + 1. */
static const char *const step_names[N_STEPS] = {
	"mac1_verify",
	"start_mix_e_i",
	"x25519_es",
	"kdf_es",
	"decrypt_static",
	"peer_lookup",
	"ss_mix",
	"decrypt_timestamp",
	"consume_checks",
	"ephemeral_generate",
	"response_mix_e_r",
	"x25519_ee",
	"kdf_ee",
	"x25519_se",
	"kdf_se",
	"psk_mix",
	"encrypt_empty",
	"response_finish",
	"macs",
	"keypair_derive",
};

/* The steps that are one X25519 each: variable-base, or the base point (our ephemeral). */
enum { S_X_ES = 2, S_EPHEMERAL = 9, S_X_EE = 11, S_X_SE = 13 };

static const char *const step_x25519[N_STEPS] = {
	[S_X_ES] = "x25519",
	[S_EPHEMERAL] = "base",
	[S_X_EE] = "x25519",
	[S_X_SE] = "x25519",
};

struct nb_peer {
	struct wg_identity id;	      /* the initiator's */
	struct wg_handshake ini;      /* its state after making msg, to verify our response */
	struct wg_handshake resp;     /* ours for this peer */
	struct wg_cookie_maker maker; /* ours towards this peer: the response's macs */
	struct wg_msg_initiation msg;
};

struct nb {
	struct wg_identity server;
	struct wg_cookie_checker checker;
	struct nb_peer *peers;
	uint32_t *table; /* open addressing on the first key bytes: peer index + 1, 0 empty */
	uint32_t mask;
	unsigned int n_peers, rounds;
	uint64_t *samples[N_STEPS]; /* cycles, one per handshake of every round */
	uint64_t *total, *rest, *plain, *var, *base;
	size_t n_samples, n_plain, n_x25519;
	uint64_t now; /* protocol time, driven: 21 ms a handshake, above the flood limit */
};

static uint64_t *marks;

static void probe(enum wg_noise_point p)
{
	unsigned int m = p <= WG_NOISE_AT_TIMESTAMP ? M_PROBE_FIRST + p
						    : M_PROBE_RESPONSE + p - WG_NOISE_AT_MIXED_E_R;

	marks[m] = perf_cycles();
}

static uint32_t key_slot(const struct nb *b, const uint8_t key[32])
{
	uint32_t h;

	memcpy(&h, key, sizeof(h));
	return h & b->mask;
}

static struct wg_handshake *lookup(void *ctx, const uint8_t key[WGC_X25519_KEY_LEN])
{
	struct nb *b = ctx;

	for (uint32_t i = key_slot(b, key); b->table[i]; i = (i + 1) & b->mask) {
		struct nb_peer *p = &b->peers[b->table[i] - 1];

		if (!memcmp(p->resp.remote_static, key, WGC_X25519_KEY_LEN))
			return &p->resp;
	}
	return NULL;
}

/* Peer i: keys, our state for it (static-static done: a warm peer), its initiation. */
static int make_peer(struct nb *b, unsigned int i)
{
	struct nb_peer *p = &b->peers[i];
	struct wg_cookie_maker to_server;
	uint8_t priv[WGC_X25519_KEY_LEN];
	uint32_t s;
	bool ok;

	wgc_x25519_generate(priv);
	ok = wg_identity_set(&p->id, priv);
	wgc_memzero(priv, sizeof(priv));
	if (!ok)
		return -1;
	wg_handshake_init(&p->resp, &b->server, p->id.public_key, NULL);
	wg_handshake_init(&p->ini, &p->id, b->server.public_key, NULL);
	wg_cookie_maker_init(&p->maker, p->id.public_key);
	wg_cookie_maker_init(&to_server, b->server.public_key);
	if (!wg_handshake_precompute(&p->resp, &b->server) ||
	    wg_noise_create_initiation(&p->msg, &p->ini, &p->id, i + 1,
				       1700000000ull * 1000000000ull) != WG_NOISE_OK)
		return -1;
	wg_cookie_add_macs(&to_server, &p->msg, sizeof(p->msg), 0);
	for (s = key_slot(b, p->id.public_key); b->table[s]; s = (s + 1) & b->mask)
		;
	b->table[s] = i + 1;
	return 0;
}

/* One handshake of the responder; m (may be NULL) receives the marks. False on any refusal. */
static bool respond(struct nb *b, struct nb_peer *p, uint64_t *m, struct wg_msg_response *resp,
		    struct wg_keypair *kp)
{
	static const uint8_t src[4] = { 198, 18, 0, 1 };
	struct wg_ephemeral eph;
	struct wg_handshake *hs;
	bool ok = true;

	/* The peer's replay memory, reset: its one initiation is fresh again. */
	memset(p->resp.latest_timestamp, 0, sizeof(p->resp.latest_timestamp));
	b->now += 21 * 1000000ull;
	marks = m;
	if (m)
		m[M_START] = perf_cycles();
	ok = wg_cookie_validate(&b->checker, &p->msg, sizeof(p->msg), src, sizeof(src), 51820,
				false, b->now) == WG_COOKIE_MAC1_VALID;
	if (m)
		m[M_MAC1] = perf_cycles();
	hs = wg_noise_consume_initiation(&p->msg, &b->server, lookup, b, b->now, NULL);
	if (m)
		m[M_CONSUMED] = perf_cycles();
	ok = ok && hs && wg_ephemeral_generate(&eph);
	if (m)
		m[M_EPHEMERAL] = perf_cycles();
	ok = ok && wg_noise_create_response_with(resp, hs, 0x1000, &eph) == WG_NOISE_OK;
	if (m)
		m[M_RESPONDED] = perf_cycles();
	if (ok)
		wg_cookie_add_macs(&p->maker, resp, sizeof(*resp), b->now);
	if (m)
		m[M_MACS] = perf_cycles();
	ok = ok && wg_noise_derive_keypair(kp, hs, b->now);
	if (m)
		m[M_KEYPAIR] = perf_cycles();
	return ok;
}

/* The initiator takes our response: the keys must match, or the figures are for nothing. */
static bool verify(struct nb *b, struct nb_peer *p)
{
	struct wg_msg_response resp;
	struct wg_handshake ini = p->ini;
	struct wg_keypair kp, ikp;
	bool ok;

	ok = respond(b, p, NULL, &resp, &kp) &&
	     wg_noise_consume_response(&resp, &ini, &p->id) == WG_NOISE_OK &&
	     wg_noise_derive_keypair(&ikp, &ini, b->now) &&
	     wgc_ct_equal(kp.send_key, ikp.recv_key, sizeof(kp.send_key)) &&
	     wgc_ct_equal(kp.recv_key, ikp.send_key, sizeof(kp.recv_key));
	wg_handshake_wipe(&ini);
	wgc_memzero(&kp, sizeof(kp));
	wgc_memzero(&ikp, sizeof(ikp));
	return ok;
}

static int round_probed(struct nb *b)
{
	uint64_t m[M_COUNT];
	struct wg_msg_response resp;
	struct wg_keypair kp;

	wg_noise_set_probe(probe);
	for (unsigned int i = 0; i < b->n_peers; i++) {
		if (!respond(b, &b->peers[i], m, &resp, &kp))
			return -1;
		for (int s = 0; s < N_STEPS; s++)
			b->samples[s][b->n_samples] = m[s + 1] - m[s];
		b->total[b->n_samples] = m[M_KEYPAIR] - m[M_START];
		/* What this handshake spent outside its own X25519s (and its ephemeral). */
		b->rest[b->n_samples++] = m[M_KEYPAIR] - m[M_START] - (m[S_X_ES + 1] - m[S_X_ES]) -
					  (m[S_EPHEMERAL + 1] - m[S_EPHEMERAL]) -
					  (m[S_X_EE + 1] - m[S_X_EE]) - (m[S_X_SE + 1] - m[S_X_SE]);
	}
	wg_noise_set_probe(NULL);
	wgc_memzero(&kp, sizeof(kp));
	return 0;
}

/* The same handshakes without the probe: the figure the ratio is taken of. */
static int round_plain(struct nb *b)
{
	struct wg_msg_response resp;
	struct wg_keypair kp;

	for (unsigned int i = 0; i < b->n_peers; i++) {
		uint64_t t0 = perf_cycles();

		if (!respond(b, &b->peers[i], NULL, &resp, &kp))
			return -1;
		b->plain[b->n_plain++] = perf_cycles() - t0;
	}
	wgc_memzero(&kp, sizeof(kp));
	return 0;
}

static void round_x25519(struct nb *b)
{
	uint8_t priv[32], pub[32], out[32];

	wgc_x25519_generate(priv);
	wgc_x25519_public(pub, priv);
	for (unsigned int i = 0; i < b->n_peers; i++) {
		uint64_t t0 = perf_cycles(), t1, t2;

		wgc_x25519(out, priv, pub);
		t1 = perf_cycles();
		wgc_x25519_public(out, priv);
		t2 = perf_cycles();
		b->var[b->n_x25519] = t1 - t0;
		b->base[b->n_x25519++] = t2 - t1;
	}
	wgc_memzero(priv, sizeof(priv));
	wgc_memzero(out, sizeof(out));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double median(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n ? (double)v[n / 2] : 0;
}

/* The hash and KDF shapes a handshake is made of: what a step's BLAKE2s share is built from. */
static void print_primitives(double ns_per_cycle)
{
	enum { REPS = 2001 };
	uint8_t key[32], in[256], out[3][32];
	uint64_t t[REPS];
	const char *names[] = { "hash_64",
				"hash_128",
				"mac_116",
				"hmac_32",
				"kdf1_32",
				"kdf2_32",
				"kdf3_32",
				"aead_seal_32",
				"ephemeral_generate",
				"ephemeral_generate_many_16_per_key" };
	struct wg_ephemeral eph[16];

	wgc_random(key, sizeof(key));
	wgc_random(in, sizeof(in));
	wgc_memzero(eph, sizeof(eph));
	for (size_t op = 0; op < sizeof(names) / sizeof(names[0]); op++) {
		for (int r = 0; r < REPS; r++) {
			uint64_t t0 = perf_cycles();

			switch (op) {
			case 0:
				wgc_hash(out[0], in, 64);
				break;
			case 1:
				wgc_hash(out[0], in, 128);
				break;
			case 2:
				wgc_mac(out[0], key, 32, in, 116);
				break;
			case 3:
				wgc_hmac(out[0], key, 32, in, 32);
				break;
			case 4:
				wgc_kdf(out[0], NULL, NULL, key, in, 32);
				break;
			case 5:
				wgc_kdf(out[0], out[1], NULL, key, in, 32);
				break;
			case 6:
				wgc_kdf(out[0], out[1], out[2], key, in, 32);
				break;
			case 7:
				wgc_aead_encrypt(in + 64, in, 32, out[0], 32, 0, key);
				break;
			case 8:
				wg_ephemeral_generate(eph);
				break;
			default:
				wg_ephemeral_generate_many(eph, 16);
				break;
			}
			t[r] = perf_cycles() - t0;
			if (op == 9) /* sixteen keys a call */
				t[r] /= 16;
			if (op >= 8 && r == 200) /* a base-point multiplication each: enough */
				break;
		}
		printf("{\"bench\":\"noise\",\"kind\":\"primitive\",\"op\":\"%s\",\"ns\":%.0f}\n",
		       names[op], median(t, op >= 8 ? 201 : REPS) * ns_per_cycle);
	}
	wgc_memzero(eph, sizeof(eph));
	wgc_memzero(out, sizeof(out));
}

static void print_figures(struct nb *b, double ns_per_cycle)
{
	double var = median(b->var, b->n_x25519) * ns_per_cycle;
	double base = median(b->base, b->n_x25519) * ns_per_cycle;
	double floor_ns = 3 * var + base, sum = 0;
	double total = median(b->plain, b->n_plain) * ns_per_cycle;
	double probed = median(b->total, b->n_samples) * ns_per_cycle;
	double rest = median(b->rest, b->n_samples) * ns_per_cycle;

	printf("{\"bench\":\"noise\",\"kind\":\"floor\",\"x25519_ns\":%.0f,\"x25519_base_ns\":%.0f,"
	       "\"ops_per_handshake\":\"3 x25519 + 1 base-point\",\"floor_ns\":%.0f,"
	       "\"floor_hs_per_s\":%.0f}\n",
	       var, base, floor_ns, 1e9 / floor_ns);
	for (int s = 0; s < N_STEPS; s++) {
		double ns = median(b->samples[s], b->n_samples) * ns_per_cycle;
		double x = !step_x25519[s] ? 0 : step_x25519[s][0] == 'b' ? base : var;

		sum += ns;
		printf("{\"bench\":\"noise\",\"kind\":\"step\",\"step\":\"%s\",\"ns\":%.0f",
		       step_names[s], ns);
		if (x > 0)
			printf(",\"x25519_ns\":%.0f,\"beyond_x25519_ns\":%.0f", x, ns - x);
		printf("}\n");
	}
	/* The ratio of the floor to the floor plus what the handshake does beside its X25519s:
	 * the second is measured on the same handshakes, so it is steadier than total - floor. */
	printf("{\"bench\":\"noise\",\"kind\":\"total\",\"peers\":%u,\"handshakes\":%zu,"
	       "\"ns\":%.0f,\"hs_per_s\":%.0f,\"probed_ns\":%.0f,\"sum_of_step_medians_ns\":%.0f,"
	       "\"floor_ns\":%.0f,\"beyond_floor_ns\":%.0f,\"ratio_floor_to_total\":%.3f,"
	       "\"non_x25519_ns\":%.0f,\"ratio_floor_to_floor_plus_non_x25519\":%.3f}\n",
	       b->n_peers, b->n_plain, total, 1e9 / total, probed, sum, floor_ns, total - floor_ns,
	       floor_ns / total, rest, floor_ns / (floor_ns + rest));
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: wgdp-perf noise [--peers N] [--rounds R]\n\n"
		"The responder's cost of one handshake in this process, step by step, beside the\n"
		"X25519 floor (3 x25519 + 1 base-point) measured in the same run. Each round "
		"answers\n"
		"every peer's initiation once with the steps timed, once more without, and times\n"
		"N X25519s of each kind. Defaults: 1000 peers, 5 rounds.\n");
}

static void nb_free(struct nb *b)
{
	if (b->peers)
		wgc_memzero(b->peers, b->n_peers * sizeof(*b->peers));
	free(b->peers);
	free(b->table);
	for (int s = 0; s < N_STEPS; s++)
		free(b->samples[s]);
	free(b->total);
	free(b->rest);
	free(b->plain);
	free(b->var);
	free(b->base);
	wg_identity_clear(&b->server);
	wg_cookie_checker_wipe(&b->checker);
}

static int nb_alloc(struct nb *b)
{
	size_t n = (size_t)b->n_peers * b->rounds;
	uint32_t size = 1;

	while (size < 2 * b->n_peers)
		size <<= 1;
	b->mask = size - 1;
	b->peers = calloc(b->n_peers, sizeof(*b->peers));
	b->table = calloc(size, sizeof(*b->table));
	b->total = calloc(n, sizeof(uint64_t));
	b->rest = calloc(n, sizeof(uint64_t));
	b->plain = calloc(n, sizeof(uint64_t));
	b->var = calloc(n, sizeof(uint64_t));
	b->base = calloc(n, sizeof(uint64_t));
	if (!b->peers || !b->table || !b->total || !b->rest || !b->plain || !b->var || !b->base)
		return -1;
	for (int s = 0; s < N_STEPS; s++)
		if (!(b->samples[s] = calloc(n, sizeof(uint64_t))))
			return -1;
	return 0;
}

static int run(struct nb *b)
{
	uint8_t priv[WGC_X25519_KEY_LEN];
	uint64_t c0;
	double t0;
	bool ok;

	wgc_x25519_generate(priv);
	ok = wg_identity_set(&b->server, priv);
	wgc_memzero(priv, sizeof(priv));
	if (!ok || nb_alloc(b) < 0)
		return -1;
	wg_cookie_checker_init(&b->checker, b->server.public_key);
	for (unsigned int i = 0; i < b->n_peers; i++)
		if (make_peer(b, i) < 0 || !verify(b, &b->peers[i])) {
			fprintf(stderr, "wgdp-perf noise: peer %u: the handshake failed\n", i);
			return -1;
		}
	c0 = perf_cycles();
	t0 = perf_now();
	for (unsigned int r = 0; r < b->rounds; r++) {
		if (round_probed(b) < 0 || round_plain(b) < 0)
			return -1;
		round_x25519(b);
	}
	print_figures(b, (perf_now() - t0) * 1e9 / (double)(perf_cycles() - c0));
	print_primitives((perf_now() - t0) * 1e9 / (double)(perf_cycles() - c0));
	return 0;
}

int perf_noise_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "peers", required_argument, NULL, 'p' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct nb b = { .n_peers = 1000, .rounds = 5 };
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			b.n_peers = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			b.rounds = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (b.n_peers < 1 || b.n_peers > 1000000 || b.rounds < 1 || b.rounds > 1000) {
		fprintf(stderr, "wgdp-perf noise: --peers 1..1000000, --rounds 1..1000\n");
		return 2;
	}
	if (wgc_init() != 0 || perf_cycles() == 0) {
		fprintf(stderr, "wgdp-perf noise: needs lib/crypto and a TSC\n");
		return 1;
	}
	rc = run(&b);
	nb_free(&b);
	return rc < 0 ? 1 : 0;
}
