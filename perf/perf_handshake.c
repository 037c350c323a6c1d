/* SPDX-License-Identifier: MIT */
/*
 * wgdp-perf handshake: a load generator that plays many WireGuard peers against a real wgdp
 * running in another process, one network hop away (a veth, on net_af_packet), and reports
 * handshake capacity and response times, alone and under floods, beside the crypto floor
 * measured in the same run.
 *
 * wgdp is started by us (--spawn) with a config we write, so that we know every peer's key.
 * The peers' initiations are made before each phase, outside the timed region: our own
 * X25519s must not limit the rate we offer. Responses are matched by receiver index (each
 * initiation has its own sender index) and timed with the TSC from the send of the first copy
 * to the response; one in --verify-every is also consumed with the peer's Noise state, so the
 * figures are for real responses, not for any packet that came back.
 */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "crypto/ct.h"
#include "crypto/x25519.h"
#include "hs_gen.h"
#include "perf.h"
#include "wg/clock.h"
#include "wg/noise.h"

#define STATS_REQ "{\"cmd\":\"stats\"}\n"

static const char *const flood_names[FLOOD_KINDS] = { "none", "junk", "bad_mac1", "spoofed_mac1" };

volatile sig_atomic_t hs_interrupted;

static void on_signal(int sig)
{
	RTE_SET_USED(sig);
	hs_interrupted = 1;
}

/* ---- receive --------------------------------------------------------------------------- */

/* ---- peers and initiations ------------------------------------------------------------- */

/* ---- wgdp, its control socket ---------------------------------------------------------- */

/* ---- figures --------------------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Response times of the phase's sent slots, in us; lost ones count as infinitely slow. */
static void print_times(struct gen *g)
{
	/* Dense enough for a CDF, and into the tail for the p99s. */
	static const double qs[] = { 0,	  0.01, 0.02, 0.05, 0.1,   0.15,  0.2,	 0.25, 0.3, 0.35,
				     0.4, 0.45, 0.5,  0.55, 0.6,   0.65,  0.7,	 0.75, 0.8, 0.85,
				     0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999, 1.0 };
	uint32_t n = 0, total = 0;
	uint64_t *t = malloc(((size_t)g->ph.next + 1) * sizeof(*t));

	if (!t)
		return;
	for (uint32_t k = 0; k < g->ph.next; k++) {
		const struct slot *s = &g->ph.slots[k];

		if (s->state == SLOT_DONE)
			t[n++] = hs_tsc_us(g, s->done_tsc - s->first_tsc);
		if (s->state == SLOT_DONE || s->state == SLOT_LOST)
			total++;
	}
	qsort(t, n, sizeof(*t), cmp_u64);
	/* q of all answered-or-lost initiations; null where it falls among the lost. */
#define AT(q) ((uint32_t)fmin((double)total - 1, floor((q) * (double)total)))
#define Q(q)  (total && AT(q) < n ? (double)t[AT(q)] : NAN)
	printf(",\"sent\":%u,\"completed\":%" PRIu64 ",\"lost\":%" PRIu64
	       ",\"cookie_rounds\":%" PRIu64 ",\"verified\":%" PRIu64 ",\"verify_failed\":%" PRIu64,
	       g->ph.next, g->ph.completed, g->ph.lost, g->ph.cookie_rounds, g->ph.verified,
	       g->ph.verify_failed);
	double p[3] = { Q(0.5), Q(0.99), Q(0.999) };
	const char *names[3] = { "p50_us", "p99_us", "p999_us" };

	for (int i = 0; i < 3; i++) {
		if (isnan(p[i]))
			printf(",\"%s\":null", names[i]);
		else
			printf(",\"%s\":%.0f", names[i], p[i]);
	}
	printf(",\"quantiles\":[");
	for (size_t i = 0; i < RTE_DIM(qs); i++) {
		double v = Q(qs[i]);

		if (isnan(v))
			printf("%s[%g,null]", i ? "," : "", qs[i]);
		else
			printf("%s[%g,%.0f]", i ? "," : "", qs[i], v);
	}
	printf("]");
#undef Q
#undef AT
	free(t);
}

/* ---- phases ---------------------------------------------------------------------------- */

/* Lets what is in flight come back, then declares the rest lost. */
static void drain(struct gen *g)
{
	uint64_t end = rte_rdtsc() + g->hz * g->o.timeout_ms / 1000;

	while (g->ph.in_flight && rte_rdtsc() < end && !hs_interrupted)
		hs_rx_poll(g);
	hs_expire(g, UINT64_MAX / 2 + rte_rdtsc());
}

/* The responder side of lib/wg alone, in this process: what a handshake costs without any
 * packet I/O, queueing or tables. */
struct noise_bench {
	struct wg_identity server;
	struct wg_handshake *resp; /* the responder's state for each initiator */
	unsigned int n;
};

static struct wg_handshake *noise_bench_lookup(void *ctx, const uint8_t key[32])
{
	struct noise_bench *b = ctx;

	for (unsigned int i = 0; i < b->n; i++)
		if (!memcmp(b->resp[i].remote_static, key, 32))
			return &b->resp[i];
	return NULL;
}

static double measure_noise_us(struct gen *g, unsigned int n)
{
	struct noise_bench b = { .n = n };
	struct wg_msg_initiation *msgs = calloc(n, sizeof(*msgs));
	uint8_t priv[32];
	double t0, us = -1;

	b.resp = calloc(n, sizeof(*b.resp));
	wgc_x25519_generate(priv);
	if (!msgs || !b.resp || !wg_identity_set(&b.server, priv))
		goto out;
	for (unsigned int i = 0; i < n; i++) {
		struct peer *p = &g->peers[i % g->o.peers];
		struct wg_handshake ini;

		wg_handshake_init(&ini, &p->id, b.server.public_key, NULL);
		wg_handshake_init(&b.resp[i], &b.server, p->id.public_key, NULL);
		wg_handshake_precompute(&b.resp[i], &b.server);
		if (wg_noise_create_initiation(&msgs[i], &ini, &p->id, i + 1, wg_clock_real_ns()) !=
		    WG_NOISE_OK)
			goto out;
		wg_handshake_wipe(&ini);
	}
	t0 = perf_now();
	for (unsigned int i = 0; i < n; i++) {
		struct wg_msg_response resp;
		struct wg_keypair kp;
		struct wg_handshake *hs = wg_noise_consume_initiation(
			&msgs[i], &b.server, noise_bench_lookup, &b, wg_clock_mono_ns(), NULL);

		if (!hs || wg_noise_create_response(&resp, hs, i + 1) != WG_NOISE_OK ||
		    !wg_noise_derive_keypair(&kp, hs, wg_clock_mono_ns()))
			goto out;
		wg_keypair_wipe(&kp);
	}
	us = (perf_now() - t0) * 1e6 / n;
out:
	wgc_memzero(priv, sizeof(priv));
	wg_identity_clear(&b.server);
	if (b.resp)
		wgc_memzero(b.resp, n * sizeof(*b.resp));
	free(b.resp);
	free(msgs);
	return us;
}

/* X25519 costs measured here, now: the responder's share of a handshake. */
/* The best of five rounds: a round the scheduler interrupted says nothing of the crypto. */
static double best_us(void (*op)(const uint8_t *, const uint8_t *), const uint8_t *priv,
		      const uint8_t *pub)
{
	double best = 1e9;

	for (int round = 0; round < 5; round++) {
		double t0 = perf_now();

		for (int i = 0; i < 400; i++)
			op(priv, pub);
		best = fmin(best, (perf_now() - t0) * 1e6 / 400);
	}
	return best;
}

static void op_x25519(const uint8_t *priv, const uint8_t *pub)
{
	uint8_t out[32];

	wgc_x25519(out, priv, pub);
}

static void op_x25519_base(const uint8_t *priv, const uint8_t *pub)
{
	uint8_t out[32];

	RTE_SET_USED(pub);
	wgc_x25519_public(out, priv);
}

/* X25519 costs measured here, now: the responder's share of a handshake. */
static void measure_floor(struct gen *g)
{
	uint8_t priv[32], pub[32];
	double var_us, base_us, noise_us = 1e9;

	wgc_x25519_generate(priv);
	wgc_x25519_public(pub, priv);
	var_us = best_us(op_x25519, priv, pub);
	base_us = best_us(op_x25519_base, priv, pub);
	wgc_memzero(priv, sizeof(priv));
	for (int round = 0; round < 3; round++)
		noise_us = fmin(noise_us, measure_noise_us(g, 200));
	/* Responder: DH(s, e_i), its ephemeral's public key, DH(e_r, e_i), DH(e_r, s_i); the
	 * static-static DH is computed once per peer and is not counted here. */
	g->floor_us = 3 * var_us + base_us;
	g->noise_us = noise_us;
	printf("{\"bench\":\"handshake\",\"kind\":\"floor\",\"x25519_us\":%.2f,"
	       "\"x25519_base_us\":%.2f,\"ops_per_handshake\":\"3 x25519 + 1 base-point\","
	       "\"floor_us\":%.1f,\"floor_hs_per_s\":%.0f,\"noise_responder_us\":%.1f,"
	       "\"noise_hs_per_s\":%.0f}\n",
	       var_us, base_us, g->floor_us, 1e6 / g->floor_us, noise_us, 1e6 / noise_us);
	fflush(stdout);
}

/* The network's own round trip to wgdp and back (ICMP echo, answered by its control lcore). */
static void measure_path(struct gen *g)
{
	uint64_t rtt[64];
	unsigned int n = 0;

	for (unsigned int i = 0; i < RTE_DIM(rtt) && !hs_interrupted; i++) {
		uint64_t end = rte_rdtsc() + g->hz / 10;

		hs_send_echo(g, (uint16_t)i);
		while (!g->echo_done && rte_rdtsc() < end)
			hs_rx_poll(g);
		if (g->echo_done)
			rtt[n++] = hs_tsc_us(g, g->echo_rtt_tsc);
		rte_delay_us_block(2000);
	}
	qsort(rtt, n, sizeof(rtt[0]), cmp_u64);
	printf("{\"bench\":\"handshake\",\"kind\":\"path\",\"echoes\":%u,\"rtt_p50_us\":%" PRIu64
	       ",\"rtt_p99_us\":%" PRIu64 "}\n",
	       n, n ? rtt[n / 2] : 0, n ? rtt[(n * 99) / 100] : 0);
	fflush(stdout);
}

/* Keeps `window` initiations in flight: the rate wgdp sustains when never idle. */
/* Receives, and every 50 ms declares lost what waited too long. */
static void poll_answers(struct gen *g, uint64_t now, uint64_t *last_expire)
{
	hs_rx_poll(g);
	if (now - *last_expire > g->hz / 20) {
		hs_expire(g, now);
		*last_expire = now;
	}
}

/* Ends a phase's JSON line: the response times, then what wgdp counted meanwhile. */
static void finish_line(struct gen *g, json_t *before)
{
	json_t *after = hs_ctl_request(g, STATS_REQ);

	print_times(g);
	if (before && after)
		hs_print_wgdp_delta(before, after);
	printf("}\n");
	fflush(stdout);
	json_decref(before);
	json_decref(after);
}

static int run_capacity(struct gen *g, const char *pass, uint64_t duration_tsc)
{
	json_t *before = hs_ctl_request(g, STATS_REQ);
	uint64_t t0, end, last_expire;
	double secs;

	t0 = rte_rdtsc();
	end = duration_tsc ? t0 + duration_tsc : UINT64_MAX;
	last_expire = t0;
	while (!hs_interrupted && rte_rdtsc() < end && (g->ph.next < g->ph.n || g->ph.in_flight)) {
		uint64_t now = rte_rdtsc();

		while (g->ph.in_flight < g->o.window && g->ph.next < g->ph.n)
			hs_send_slot(g, &g->ph.slots[g->ph.next++], now);
		poll_answers(g, now, &last_expire);
	}
	secs = (double)(rte_rdtsc() - t0) / (double)g->hz;
	drain(g);
	if (!strcmp(pass, "warm"))
		g->capacity = (double)g->ph.completed / secs;
	printf("{\"bench\":\"handshake\",\"kind\":\"capacity\",\"pass\":\"%s\",\"peers\":%u,"
	       "\"window\":%u,\"seconds\":%.3f,\"hs_per_s\":%.0f,\"floor_hs_per_s\":%.0f,"
	       "\"ratio_to_floor\":%.3f,\"ratio_to_noise\":%.3f",
	       pass, g->o.peers, g->o.window, secs, (double)g->ph.completed / secs,
	       1e6 / g->floor_us, (double)g->ph.completed / secs * g->floor_us / 1e6,
	       (double)g->ph.completed / secs * g->noise_us / 1e6);
	finish_line(g, before);
	return g->ph.completed ? 0 : -1;
}

/*
 * Open loop: initiations at `rate` per second for the duration (and, with a flood, as many
 * flood frames as we can send in between). The response times are the figures.
 */
static int run_paced(struct gen *g, double rate, uint64_t duration_tsc, enum flood_kind flood,
		     unsigned int flood_limit, const char *kind, const char *label)
{
	json_t *before = hs_ctl_request(g, STATS_REQ);
	uint64_t gap = (uint64_t)((double)g->hz / rate), t0 = rte_rdtsc(), next = t0;
	uint64_t end = t0 + duration_tsc, last_expire = t0;
	struct rte_mbuf *m[BURST];
	double secs;

	g->flood_sent = 0;
	if (flood != FLOOD_NONE)
		hs_flood_templates(g, flood);
	while (!hs_interrupted && rte_rdtsc() < end && g->ph.next < g->ph.n) {
		uint64_t now = rte_rdtsc();

		while (now >= next && g->ph.next < g->ph.n) {
			hs_send_slot(g, &g->ph.slots[g->ph.next++], now);
			next += gap;
		}
		/* Flat out, or no faster than the limit (averaged over the phase so far). */
		if (flood != FLOOD_NONE &&
		    (!flood_limit || g->flood_sent * g->hz < (now - t0) * flood_limit)) {
			uint16_t k = hs_flood_fill(g, flood, m, BURST);
			uint16_t sent = rte_eth_tx_burst(g->port, 0, m, k);

			g->flood_sent += sent;
			for (uint16_t i = sent; i < k; i++)
				rte_pktmbuf_free(m[i]);
		}
		poll_answers(g, now, &last_expire);
	}
	secs = (double)(rte_rdtsc() - t0) / (double)g->hz;
	drain(g);
	printf("{\"bench\":\"handshake\",\"kind\":\"%s\",\"%s\":\"%s\",\"peers\":%u,"
	       "\"offered_hs_per_s\":%.0f,\"flood_pps\":%.0f,\"flood_limit_pps\":%u,"
	       "\"seconds\":%.3f,\"floor_us\":%.1f",
	       kind, !strcmp(kind, "flood") ? "flood" : "load", label, g->o.peers, rate,
	       (double)g->flood_sent / secs, flood_limit, secs, g->floor_us);
	finish_line(g, before);
	return 0;
}

static bool want_phase(const struct gen *g, const char *name)
{
	const char *p = strstr(g->o.phases, name);

	return !strcmp(g->o.phases, "all") || (p && (p == g->o.phases || p[-1] == ',') &&
					       (p[strlen(name)] == 0 || p[strlen(name)] == ','));
}

static int run_all(struct gen *g)
{
	uint64_t dur = g->hz * g->o.duration_ms / 1000;
	double secs = g->o.duration_ms / 1000.0;
	int rc = 0;

	measure_floor(g);
	measure_path(g);
	/* Every peer once: the first handshake of a peer also costs wgdp its static-static DH. */
	if (hs_phase_make(g, g->o.peers) || run_capacity(g, "cold", 0))
		return -1;
	if (want_phase(g, "capacity") || want_phase(g, "latency")) {
		uint32_t n = (uint32_t)(1.5 * secs * 1e6 / g->floor_us) + 1000;

		if (hs_phase_make(g, n) || run_capacity(g, "warm", dur))
			return -1;
	}
	if (want_phase(g, "latency") && g->capacity > 0) {
		static const struct {
			const char *label;
			double share;
		} loads[] = { { "light", 0.02 }, { "50%", 0.5 }, { "90%", 0.9 } };

		for (size_t i = 0; i < RTE_DIM(loads) && !hs_interrupted; i++) {
			double rate = fmax(50, loads[i].share * g->capacity);

			if (hs_phase_make(g, (uint32_t)(rate * secs) + 1))
				return -1;
			rc |= run_paced(g, rate, dur, FLOOD_NONE, 0, "latency", loads[i].label);
		}
	}
	if (want_phase(g, "flood")) {
		for (int f = 0; f < FLOOD_KINDS && !hs_interrupted; f++) {
			for (unsigned int r = 0; r < (f ? g->o.n_flood_rates : 1); r++) {
				if (hs_phase_make(g, (uint32_t)(g->o.legit_rate * secs) + 1))
					return -1;
				rc |= run_paced(g, g->o.legit_rate, dur, f, g->o.flood_rates[r],
						"flood", flood_names[f]);
			}
		}
	}
	return rc;
}

/* ---- setup ----------------------------------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: wgdp-perf handshake [EAL options] -- --spawn CMD [options]\n"
		"  Plays WireGuard peers against a wgdp it starts, over the first ethdev port\n"
		"  (net_af_packet on a veth whose far end wgdp's port uses). JSON lines on "
		"stdout.\n"
		"  --spawn CMD          shell command starting wgdp; {config} and {socket} are\n"
		"                       replaced by the config we write and its control socket\n"
		"  --peers N            distinct peers (default 10000, at most 1048576)\n"
		"  --duration-ms MS     each timed phase (default 2000)\n"
		"  --phases LIST        all, or some of capacity,latency,flood (default all)\n"
		"  --window N           initiations in flight when measuring capacity (default "
		"128)\n"
		"  --legit-rate N       the legitimate peers' handshakes/s during floods (default "
		"200)\n"
		"  --flood-rates LIST   up to four flood rates in packets/s, comma-separated, "
		"each\n"
		"                       a run of the flood phase; max = flat out (default max)\n"
		"  --verify-every N     consume one response in N with Noise (default 8; 0: none)\n"
		"  --timeout-ms MS      an initiation unanswered this long is lost (default 1000)\n"
		"  --wait-ms MS         how long wgdp may take to start (default 30000)\n"
		"  --config FILE        where to write wgdp's config (default "
		"/tmp/wgdp-perf-hs.json)\n"
		"  --socket PATH        wgdp's control socket (default /tmp/wgdp-perf-hs.sock)\n"
		"  --our-ip A, --server-ip A   the link's addresses (default 192.0.2.2, "
		"192.0.2.1)\n"
		"  --config-template FILE  wgdp's config around our peers: its interface (and\n"
		"                       private_key, else a random one), ports and peers kept,\n"
		"                       control.socket set, our peers appended (allowed-ips 10/8)\n"
		"Phase sustain (--phases sustain, for perf/soak.sh; no other phase runs):\n"
		"  every peer handshakes twice at once, then once every --rekey-s, each verified\n"
		"  response starting a session kept alive with keepalives; floods now and then.\n"
		"  --sustain-s S        how long (default 600)\n"
		"  --rekey-s S          a handshake per peer this often (default 60)\n"
		"  --keepalive-s S      a keepalive per session this often (default 10)\n"
		"  --flood-every-s S    a flood this often (default 60; 0: none)\n"
		"  --flood-ms MS        each flood's length (default 2000), at the first\n"
		"                       --flood-rates (default max)\n"
		"  --flood-kinds LIST   taken in turn (default junk,bad_mac1,spoofed_mac1)\n"
		"See perf/handshake.sh, which builds the namespaces and runs all of this.\n");
}

static bool parse_ip(const char *s, uint32_t *out)
{
	unsigned int a, b, c, d;
	char extra;

	if (sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &extra) != 4 || a > 255 || b > 255 ||
	    c > 255 || d > 255)
		return false;
	*out = a << 24 | b << 16 | c << 8 | d;
	return true;
}

/* "max,150000": up to four rates, max = 0 = flat out. */
static bool parse_rates(struct opts *o, const char *list)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	o->n_flood_rates = 0;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long v = strcmp(t, "max") ? strtoul(t, &end, 10) : 0;

		if (o->n_flood_rates == RTE_DIM(o->flood_rates) ||
		    (strcmp(t, "max") && (*end || v == 0 || v > 100000000)))
			return false;
		o->flood_rates[o->n_flood_rates++] = (unsigned int)v;
	}
	return o->n_flood_rates > 0;
}

static int parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = { { "spawn", required_argument, 0, 'S' },
					    { "peers", required_argument, 0, 'p' },
					    { "duration-ms", required_argument, 0, 'd' },
					    { "phases", required_argument, 0, 'P' },
					    { "window", required_argument, 0, 'w' },
					    { "legit-rate", required_argument, 0, 'l' },
					    { "flood-rates", required_argument, 0, 'F' },
					    { "verify-every", required_argument, 0, 'v' },
					    { "timeout-ms", required_argument, 0, 't' },
					    { "wait-ms", required_argument, 0, 'W' },
					    { "config", required_argument, 0, 'c' },
					    { "socket", required_argument, 0, 's' },
					    { "our-ip", required_argument, 0, 'o' },
					    { "server-ip", required_argument, 0, 'r' },
					    { "config-template", required_argument, 0, 'T' },
					    { "sustain-s", required_argument, 0, 1001 },
					    { "rekey-s", required_argument, 0, 1002 },
					    { "keepalive-s", required_argument, 0, 1003 },
					    { "flood-every-s", required_argument, 0, 1004 },
					    { "flood-ms", required_argument, 0, 1005 },
					    { "flood-kinds", required_argument, 0, 1006 },
					    { "help", no_argument, 0, 'h' },
					    { 0, 0, 0, 0 } };
	int c;

	*o = (struct opts){ .peers = 10000,
			    .duration_ms = 2000,
			    .window = 128,
			    .verify_every = 8,
			    .legit_rate = 200,
			    .n_flood_rates = 1,
			    .timeout_ms = 1000,
			    .wait_ms = 30000,
			    .config_path = "/tmp/wgdp-perf-hs.json",
			    .socket_path = "/tmp/wgdp-perf-hs.sock",
			    .phases = "all",
			    .our_ip = 0xc0000202,
			    .server_ip = 0xc0000201,
			    .sustain_s = 600,
			    .rekey_s = 60,
			    .keepalive_s = 10,
			    .flood_every_s = 60,
			    .flood_ms = 2000,
			    .flood_kinds = "junk,bad_mac1,spoofed_mac1" };
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'S':
			o->spawn = optarg;
			break;
		case 'p':
			o->peers = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'd':
			o->duration_ms = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'P':
			o->phases = optarg;
			break;
		case 'w':
			o->window = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'F':
			if (!parse_rates(o, optarg))
				return -1;
			break;
		case 'l':
			o->legit_rate = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'v':
			o->verify_every = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 't':
			o->timeout_ms = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'W':
			o->wait_ms = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			o->config_path = optarg;
			break;
		case 's':
			o->socket_path = optarg;
			break;
		case 'o':
			if (!parse_ip(optarg, &o->our_ip))
				return -1;
			break;
		case 'r':
			if (!parse_ip(optarg, &o->server_ip))
				return -1;
			break;
		case 'T':
			o->config_template = optarg;
			break;
		case 1001:
			o->sustain_s = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 1002:
			o->rekey_s = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 1003:
			o->keepalive_s = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 1004:
			o->flood_every_s = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 1005:
			o->flood_ms = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 1006:
			o->flood_kinds = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (!o->spawn || o->peers < 1 || o->peers > MAX_PEERS || o->duration_ms < 10 ||
	    o->window < 1 || o->legit_rate < 1 || o->timeout_ms < 10 || o->sustain_s < 1 ||
	    o->rekey_s < 1 || o->keepalive_s < 1 || o->flood_ms < 10) {
		fprintf(stderr,
			"wgdp-perf handshake: --spawn is required; --peers 1..%u, "
			"--duration-ms >= 10, --window/--legit-rate >= 1\n",
			MAX_PEERS);
		return -1;
	}
	return 0;
}

int perf_handshake_main(int argc, char **argv)
{
	struct gen *g = calloc(1, sizeof(*g));
	int eal, rc = 1;

	if (!g)
		return 1;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--inproc")) {
			free(g);
			return perf_hs_inproc_main(argc, argv);
		}
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			perf_hs_inproc_usage(stdout);
			free(g);
			return 0;
		}
	eal = rte_eal_init(argc, argv);
	if (eal < 0) {
		fprintf(stderr, "wgdp-perf handshake: EAL initialisation failed\n");
		free(g);
		return 1;
	}
	if (parse_opts(&g->o, argc - eal, argv + eal) != 0) {
		usage(stderr);
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	g->hz = rte_get_tsc_hz();
	g->rng = ((uint64_t)wgc_random_u32() << 32 | wgc_random_u32()) | 1;
	if (!strcmp(g->o.phases, "sustain"))
		g->o.verify_every = 1; /* every response starts a session */
	wgc_x25519_generate(g->server_priv);
	if (g->o.config_template && hs_template_key(g) != 0)
		goto out;
	if (!wgc_x25519_public(g->server_pub, g->server_priv) || hs_port_setup(g) != 0)
		goto out;
	if (hs_peers_create(g) != 0 || hs_write_config(g) != 0) {
		fprintf(stderr, "wgdp-perf handshake: could not make the peers or write %s\n",
			g->o.config_path);
		goto out;
	}
	wgc_memzero(g->server_priv, sizeof(g->server_priv));
	unlink(g->o.socket_path);
	if (hs_spawn_wgdp(g) != 0 || hs_wait_for_wgdp(g) != 0)
		goto out;
	if (!strcmp(g->o.phases, "sustain")) {
		int status;

		rc = hs_run_sustain(g) == 0 ? 0 : 1;
		status = hs_stop_wgdp(g);
		if (status != -1)
			printf("{\"bench\":\"soak_gen\",\"event\":\"wgdp_exit\",\"unix\":%.3f,"
			       "\"during_run\":false,\"status\":%d}\n",
			       (double)wg_clock_real_ns() / 1e9,
			       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	} else {
		rc = run_all(g) == 0 ? 0 : 1;
	}
out:
	hs_stop_wgdp(g);
	hs_phase_clear(g);
	if (g->peers) {
		wgc_memzero(g->peers, (size_t)g->o.peers * sizeof(*g->peers));
		free(g->peers);
	}
	if (g->o.config_path)
		unlink(g->o.config_path);
	rte_eth_dev_stop(g->port);
	rte_eth_dev_close(g->port);
	rte_mempool_free(g->pool);
	free(g);
	rte_eal_cleanup();
	return rc;
}
