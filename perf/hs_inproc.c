/* SPDX-License-Identifier: MIT */
/*
 * wgdp-perf handshake --inproc: the handshake capacity of K handshake lcores, in this process
 * and without I/O (issue #17). A real data plane (lib/dp: the control lcore's loop, the
 * engines, ring ports) answers initiations pre-built for N peers; the feeder steers each to
 * its engine's ring exactly as a worker does (dp_hs_engine_of), takes the responses from the
 * ring the control lcore sends into, and checks one in --verify-every of them with Noise after
 * the timed part. K=1 and K=2 (or any list) run in turns over the same initiations, so that
 * their ratio is measured in one run on a shared machine.
 *
 * Lcores (EAL): the main one feeds (it sleeps between refills); the control lcore is the first
 * other; engines 1..K-1 take the next ones. On two CPUs: --lcores=0@0,1@1,2@0.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_udp.h>

#include "config.h"
#include "crypto/ct.h"
#include "crypto/keys.h"
#include "crypto/x25519.h"
#include "dp/dp.h"
#include "dp/hs_engine.h"
#include "dp/log.h"
#include "perf.h"
#include "wg/clock.h"
#include "wg/cookie.h"
#include "wg/noise.h"
#include "wg/tai64n.h"

#define MAX_K	    DP_MAX_HS_ENGINES
#define DEPTH	    192 /* initiations kept queued an engine: below under_load_queue */
#define TS_STEP	    (1ull << 25)
#define SLOTS_PER_S 24000 /* initiations built for each second of a timed part, at most */
#define FRAME_LEN   (14 + 20 + 8 + (uint16_t)sizeof(struct wg_msg_initiation))

struct hsi_opts {
	unsigned int peers;
	unsigned int duration_ms;
	unsigned int verify_every;
	unsigned int rounds;
	unsigned int ks[MAX_K];
	unsigned int n_ks;
};

struct ip_peer {
	struct wg_identity id;
	struct wg_cookie_maker cookie;
};

/* One initiation: its frame's message, the initiator's state to check the answer with. */
struct ip_slot {
	struct wg_msg_initiation msg;
	struct wg_handshake hs;
	struct wg_msg_response resp;
	bool answered;
};

struct ip_bench {
	struct hsi_opts o;
	uint8_t our_priv[32], our_pub[32];
	struct ip_peer *peers;
	struct ip_slot *slots;
	uint32_t n_slots;
	struct rte_ring *rings[4]; /* out rx, out tx, in rx, in tx */
	int out_port, in_port;
	struct rte_mempool *gen;
	struct wgdp_config *cfg;
	struct rte_ether_addr port_mac;
	unsigned int lcores[RTE_MAX_LCORE], n_lcores; /* all but the main one */
	double x25519_ns, base_ns;
};

/* One run. The control lcore feeds (a worker's part: the steering), polls and collects;
 * the main lcore only sets the range to feed and sleeps. */
struct ip_run {
	struct ip_bench *b;
	struct dp_ctx *dp;
	uint32_t quit;
	uint32_t next, end;    /* slots fed so far, and up to where (main: atomics) */
	uint64_t answered;     /* responses collected (main: atomic reads) */
	uint64_t cold_target;  /* when answered reaches it, the cold pass is over... */
	uint64_t cold_done_ns; /* ...at this time (0: not yet) */
	uint64_t cookies, other;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void peer_ip(uint32_t i, uint8_t a[4])
{
	uint32_t ip = (198u << 24 | 18u << 16) + i + 1; /* 198.18.0.0/15 */

	a[0] = (uint8_t)(ip >> 24);
	a[1] = (uint8_t)(ip >> 16);
	a[2] = (uint8_t)(ip >> 8);
	a[3] = (uint8_t)ip;
}

/* The X25519 floor of this CPU, before anything else runs: best of 5 rounds. */
static void measure_floor(struct ip_bench *b)
{
	uint8_t priv[32], pub[32], out[32];

	wgc_x25519_generate(priv);
	wgc_x25519_public(pub, priv);
	b->x25519_ns = b->base_ns = 1e18;
	for (unsigned int r = 0; r < 5; r++) {
		uint64_t t0 = mono_ns();

		for (unsigned int i = 0; i < 300; i++)
			wgc_x25519(out, priv, pub);
		b->x25519_ns = RTE_MIN(b->x25519_ns, (double)(mono_ns() - t0) / 300);
		t0 = mono_ns();
		for (unsigned int i = 0; i < 300; i++)
			wgc_x25519_public(out, priv);
		b->base_ns = RTE_MIN(b->base_ns, (double)(mono_ns() - t0) / 300);
	}
	wgc_memzero(priv, sizeof(priv));
}

static int slots_build(struct ip_bench *b)
{
	uint64_t real = wg_clock_real_ns();
	uint32_t *stamps = calloc(b->o.peers, sizeof(*stamps));

	b->peers = calloc(b->o.peers, sizeof(*b->peers));
	b->n_slots = b->o.peers + (uint32_t)((uint64_t)b->o.duration_ms * SLOTS_PER_S / 1000);
	b->slots = calloc(b->n_slots, sizeof(*b->slots));
	if (!stamps || !b->peers || !b->slots)
		return -1;
	for (uint32_t i = 0; i < b->o.peers; i++) {
		uint8_t priv[32];

		wgc_x25519_generate(priv);
		if (!wg_identity_set(&b->peers[i].id, priv))
			return -1;
		wg_cookie_maker_init(&b->peers[i].cookie, b->our_pub);
		wgc_memzero(priv, sizeof(priv));
	}
	for (uint32_t s = 0; s < b->n_slots; s++) {
		struct ip_slot *sl = &b->slots[s];
		uint32_t p = s % b->o.peers;

		wg_handshake_init(&sl->hs, &b->peers[p].id, b->our_pub, NULL);
		/* Each of a peer's initiations newer than the last: the replay rule passes. */
		if (wg_noise_create_initiation(&sl->msg, &sl->hs, &b->peers[p].id, s + 1,
					       real + stamps[p]++ * TS_STEP) != WG_NOISE_OK)
			return -1;
		wg_cookie_add_macs(&b->peers[p].cookie, &sl->msg, sizeof(sl->msg), mono_ns());
	}
	free(stamps);
	return 0;
}

static char *config_text(const struct ip_bench *b)
{
	char key[WGC_KEY_B64_LEN + 1], *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	wgc_key_to_base64(key, b->our_priv);
	fprintf(f,
		"{\"interface\":{\"name\":\"wgdp0\",\"private_key\":\"%s\",\"listen_port\":51820},"
		"\"ports\":[{\"port\":%d,\"role\":\"outside\",\"address\":[\"192.0.2.1/24\"]},"
		"{\"port\":%d,\"role\":\"inside\",\"address\":[\"10.255.0.1/16\"]}],"
		"\"limits\":{\"handshake_queue\":4096},\"peers\":[",
		key, b->out_port, b->in_port);
	for (uint32_t i = 0; i < b->o.peers; i++) {
		wgc_key_to_base64(key, b->peers[i].id.public_key);
		fprintf(f, "%s{\"public_key\":\"%s\",\"allowed_ips\":[\"10.%u.%u.%u/32\"]}",
			i ? "," : "", key, (i >> 16) & 127, (i >> 8) & 255, i & 255);
	}
	fprintf(f, "]}");
	fclose(f);
	wgc_memzero(key, sizeof(key));
	return text;
}

/* A run's two ring ports (dp_free closes them; their rings are ours) and its config. */
static int ports_create(struct ip_bench *b, unsigned int run)
{
	static const char *const names[4] = { "orx", "otx", "irx", "itx" };
	char name[RTE_RING_NAMESIZE], *text;
	struct wgdp_config_error cerr;

	for (unsigned int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "ip_%s%u", names[i], run);
		b->rings[i] = rte_ring_create(name, 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (!b->rings[i])
			return -1;
	}
	snprintf(name, sizeof(name), "ip_out%u", run);
	b->out_port = rte_eth_from_rings(name, &b->rings[0], 1, &b->rings[1], 1, 0);
	snprintf(name, sizeof(name), "ip_in%u", run);
	b->in_port = rte_eth_from_rings(name, &b->rings[2], 1, &b->rings[3], 1, 0);
	if (b->out_port < 0 || b->in_port < 0 ||
	    rte_eth_macaddr_get((uint16_t)b->out_port, &b->port_mac) != 0)
		return -1;
	text = config_text(b);
	b->cfg = text ? wgdp_config_parse(text, strlen(text), &cerr) : NULL;
	free(text);
	return b->cfg ? 0 : -1;
}

static void ports_free(struct ip_bench *b)
{
	wgdp_config_free(b->cfg);
	b->cfg = NULL;
	for (unsigned int i = 0; i < 4; i++) {
		struct rte_mbuf *m;

		while (b->rings[i] && rte_ring_dequeue(b->rings[i], (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(b->rings[i]);
		b->rings[i] = NULL;
	}
}

/* Initiation s in a frame from its peer's address to ours, as it would arrive. */
static struct rte_mbuf *frame(struct ip_bench *b, uint32_t s)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(b->gen);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	uint8_t src[4];

	if (!m)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, FRAME_LEN);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	udp = (struct rte_udp_hdr *)(ip + 1);
	rte_ether_addr_copy(&b->port_mac, &eth->dst_addr);
	eth->src_addr = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 0x01 } };
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	peer_ip(s % b->o.peers, src);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(FRAME_LEN - 14);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	memcpy(&ip->src_addr, src, 4);
	ip->dst_addr = rte_cpu_to_be_32(192u << 24 | 2u << 8 | 1u);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(40000);
	udp->dst_port = rte_cpu_to_be_16(51820);
	udp->dgram_len = rte_cpu_to_be_16(8 + sizeof(struct wg_msg_initiation));
	udp->dgram_cksum = 0;
	memcpy(udp + 1, &b->slots[s].msg, sizeof(b->slots[s].msg));
	m->port = (uint16_t)b->out_port;
	return m;
}

/* What the control lcore sent: responses are kept for the check, the rest counted. */
static void collect(struct ip_run *r)
{
	struct rte_mbuf *m[64];
	struct dp_ctx *dp = r->dp;

	for (unsigned int p = 0; p < dp->n_ports; p++) {
		unsigned int n =
			rte_ring_sc_dequeue_burst(dp->ports[p].ctl_tx, (void **)m, 64, NULL);

		for (unsigned int i = 0; i < n; i++) {
			const uint8_t *msg = rte_pktmbuf_mtod_offset(m[i], const uint8_t *, 42);
			uint32_t rx;

			if (rte_pktmbuf_data_len(m[i]) >= 42 + sizeof(struct wg_msg_response) &&
			    msg[0] == WG_MSG_RESPONSE) {
				const struct wg_msg_response *resp = (const void *)msg;

				rx = wg_get_le32(resp->receiver);
				if (rx >= 1 && rx <= r->b->n_slots &&
				    !r->b->slots[rx - 1].answered) {
					r->b->slots[rx - 1].answered = true;
					r->b->slots[rx - 1].resp = *resp;
					__atomic_store_n(&r->answered, r->answered + 1,
							 __ATOMIC_RELEASE);
				}
			} else if (rte_pktmbuf_data_len(m[i]) > 42 && msg[0] == WG_MSG_COOKIE) {
				r->cookies++;
			} else {
				r->other++;
			}
			rte_pktmbuf_free(m[i]);
		}
	}
}

/* Tops every engine's queue up to DEPTH with the next slots, in order, until end. */
static uint32_t feed(struct ip_run *r, uint32_t next, uint32_t end)
{
	struct dp_ctx *dp = r->dp;

	while (next < end) {
		uint8_t src[4];
		struct dp_hs_engine *e;
		struct rte_mbuf *m;

		peer_ip(next % r->b->o.peers, src);
		e = dp_hs_engine_of(dp, WG_MSG_INITIATION, 4, src);
		if (rte_ring_count(e->ring) >= DEPTH)
			break; /* its engine is busy: the others drain meanwhile */
		m = frame(r->b, next);
		if (!m || rte_ring_mp_enqueue(e->ring, m) != 0) {
			rte_pktmbuf_free(m);
			break;
		}
		next++;
	}
	return next;
}

static void nap_ms(unsigned int ms)
{
	const struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static int control_main(void *arg)
{
	struct ip_run *r = arg;

	while (!__atomic_load_n(&r->quit, __ATOMIC_ACQUIRE)) {
		uint32_t end = __atomic_load_n(&r->end, __ATOMIC_ACQUIRE);

		if (r->next < end)
			__atomic_store_n(&r->next, feed(r, r->next, end), __ATOMIC_RELEASE);
		dp_control_poll(r->dp);
		collect(r);
		if (!r->cold_done_ns && r->answered >= r->cold_target)
			__atomic_store_n(&r->cold_done_ns, mono_ns(), __ATOMIC_RELEASE);
	}
	return 0;
}

static int verify(struct ip_bench *b, uint64_t *verified, uint64_t *failed)
{
	*verified = *failed = 0;
	for (uint32_t s = 0; s < b->n_slots; s++) {
		struct wg_handshake hs;

		if (!b->slots[s].answered || s % b->o.verify_every)
			continue;
		hs = b->slots[s].hs;
		if (wg_noise_consume_response(&b->slots[s].resp, &hs,
					      &b->peers[s % b->o.peers].id) == WG_NOISE_OK)
			(*verified)++;
		else
			(*failed)++;
		wg_handshake_wipe(&hs);
	}
	return *failed ? -1 : 0;
}

static int run_k(struct ip_bench *b, unsigned int k, unsigned int round)
{
	static unsigned int runs;
	struct ip_run r = { .b = b, .cold_target = b->o.peers };
	char err[256];
	unsigned int worker = rte_get_main_lcore();
	uint64_t verified = 0, failed = 0, warm_answered, cold_answered, refused = 0, cold_e1;
	struct dp_control_stats st;
	uint32_t next;
	double cold_s, s;
	uint64_t t0;
	double floor;
	int rc = 0;

	if (k > b->n_lcores) {
		fprintf(stderr,
			"wgdp-perf handshake --inproc: K=%u needs %u lcores besides the "
			"main one\n",
			k, k);
		return -1;
	}
	for (uint32_t s2 = 0; s2 < b->n_slots; s2++)
		b->slots[s2].answered = false;
	/* The floor again before each run: the machine is shared, its speed moves. */
	measure_floor(b);
	floor = 1e9 / (3 * b->x25519_ns + b->base_ns);
	snprintf(err, sizeof(err), "ring ports or config");
	r.dp = ports_create(b, runs++) == 0
		       ? dp_create_hs(b->cfg, 1, &worker, k - 1, b->lcores + 1, err, sizeof(err))
		       : NULL;
	if (!r.dp || dp_ports_init(r.dp, err, sizeof(err)) != 0) {
		fprintf(stderr, "wgdp-perf handshake --inproc: %s\n", err);
		if (r.dp) {
			dp_ports_stop(r.dp);
			dp_free(r.dp);
		}
		ports_free(b);
		return -1;
	}
	__atomic_store_n(&r.dp->running, true, __ATOMIC_RELEASE);
	rte_eal_remote_launch(control_main, &r, b->lcores[0]);
	for (unsigned int i = 1; i < k; i++)
		rte_eal_remote_launch(dp_hs_engine_main, &r.dp->engines[i], b->lcores[i]);
	/* Cold: every peer's first handshake (with its static-static DH). */
	t0 = mono_ns();
	__atomic_store_n(&r.end, b->o.peers, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r.cold_done_ns, __ATOMIC_ACQUIRE) &&
	       mono_ns() - t0 < 120ull * 1000000000ull)
		nap_ms(10);
	cold_s = (double)((__atomic_load_n(&r.cold_done_ns, __ATOMIC_ACQUIRE) ?: mono_ns()) - t0) /
		 1e9; /* not over: the time it had, and cold_answered says how many */
	cold_answered = __atomic_load_n(&r.answered, __ATOMIC_ACQUIRE);
	cold_e1 = k > 1 ? __atomic_load_n(&r.dp->engines[1].stats.initiations_received,
					  __ATOMIC_RELAXED)
			: 0;
	/* Warm, timed: as many as the engines answer. */
	t0 = mono_ns();
	warm_answered = __atomic_load_n(&r.answered, __ATOMIC_ACQUIRE);
	__atomic_store_n(&r.end, b->n_slots, __ATOMIC_RELEASE);
	nap_ms(b->o.duration_ms);
	warm_answered = __atomic_load_n(&r.answered, __ATOMIC_ACQUIRE) - warm_answered;
	s = (double)(mono_ns() - t0) / 1e9;
	next = __atomic_load_n(&r.next, __ATOMIC_ACQUIRE);
	__atomic_store_n(&r.dp->quit, true, __ATOMIC_RELEASE);
	__atomic_store_n(&r.quit, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	collect(&r);
	if (next >= b->n_slots)
		fprintf(stderr,
			"wgdp-perf handshake --inproc: K=%u ran out of initiations after "
			"%.2f s: the figure is a lower bound\n",
			k, s);
	if (verify(b, &verified, &failed) != 0)
		rc = -1;
	dp_hs_stats_total(r.dp, &st);
	for (unsigned int e = 1; e < WG_NOISE_ERR_COUNT; e++) {
		refused += st.noise_errors[e];
		if (st.noise_errors[e])
			fprintf(stderr,
				"wgdp-perf handshake --inproc: K=%u: %" PRIu64 " refused: %s\n", k,
				st.noise_errors[e], wg_noise_error_name(e));
	}
	printf("{\"bench\":\"handshake\",\"mode\":\"inproc\",\"round\":%u,\"lcores\":%u,", round,
	       k);
	printf("\"peers\":%u,\"cold_s\":%.3f,\"cold_answered\":%" PRIu64, b->o.peers, cold_s,
	       cold_answered);
	printf(",\"cold_engine1\":%" PRIu64 ",\"cold_per_s\":%.0f,", cold_e1, b->o.peers / cold_s);
	printf("\"seconds\":%.3f,\"handshakes\":%" PRIu64 ",\"per_s\":%.0f,", s, warm_answered,
	       warm_answered / s);
	printf("\"per_lcore_per_s\":%.0f,\"floor_per_s\":%.0f,\"ratio_to_floor\":%.3f,",
	       warm_answered / s / k, floor, warm_answered / s / k / floor);
	printf("\"x25519_us\":%.2f,\"base_us\":%.2f,", b->x25519_ns / 1e3, b->base_ns / 1e3);
	printf("\"verified\":%" PRIu64 ",\"verify_failed\":%" PRIu64 ",", verified, failed);
	printf("\"cookie_replies\":%" PRIu64 ",\"other_frames\":%" PRIu64 ",", r.cookies, r.other);
	printf("\"received\":%" PRIu64 ",\"refused\":%" PRIu64 ",\"index_pool_empty\":%" PRIu64
	       "}\n",
	       st.initiations_received, refused, st.index_pool_empty);
	fflush(stdout);
	dp_ports_stop(r.dp);
	dp_free(r.dp);
	ports_free(b);
	return rc;
}

static int parse_opts(struct hsi_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "inproc", no_argument, NULL, 'i' },
		{ "peers", required_argument, NULL, 'p' },
		{ "duration-ms", required_argument, NULL, 'd' },
		{ "verify-every", required_argument, NULL, 'v' },
		{ "engines", required_argument, NULL, 'k' },
		{ "rounds", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char *tok, *save = NULL;

		switch (c) {
		case 'i':
			break;
		case 'p':
			o->peers = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'd':
			o->duration_ms = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'v':
			o->verify_every = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			o->rounds = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'k':
			o->n_ks = 0;
			for (tok = strtok_r(optarg, ",", &save); tok && o->n_ks < MAX_K;
			     tok = strtok_r(NULL, ",", &save))
				o->ks[o->n_ks++] = (unsigned int)strtoul(tok, NULL, 10);
			break;
		default:
			return -1;
		}
	}
	for (unsigned int i = 0; i < o->n_ks; i++)
		if (o->ks[i] < 1 || o->ks[i] > MAX_K)
			return -1;
	return o->peers >= 64 && o->peers <= 1000000 && o->duration_ms && o->verify_every &&
			       o->n_ks && o->rounds
		       ? 0
		       : -1;
}

void perf_hs_inproc_usage(FILE *out)
{
	fprintf(out, "In-process mode (no I/O; issue #17):\n"
		     "  wgdp-perf handshake [EAL options] -- --inproc [--engines 1,2] [--peers N]\n"
		     "                      [--duration-ms MS] [--rounds R] [--verify-every N]\n"
		     "  initiations pre-built for N peers (default 4096) fed through the workers'\n"
		     "  steering to K handshake engines, each K of --engines in turn, R rounds\n"
		     "  (default 2); a cold pass (every peer's first handshake), then MS (default\n"
		     "  2000) timed; one response in N (default 8) checked with Noise afterwards.\n"
		     "  EAL lcores: the main one feeds, the next is the control lcore, then the\n"
		     "  engines; on two CPUs --lcores=0@0,1@1,2@0.\n");
}

int perf_hs_inproc_main(int argc, char **argv)
{
	struct ip_bench *b = calloc(1, sizeof(*b));
	int eal, rc = 1;
	unsigned int id;

	if (!b)
		return 1;
	b->o = (struct hsi_opts){ .peers = 4096,
				  .duration_ms = 2000,
				  .verify_every = 8,
				  .rounds = 2,
				  .ks = { 1, 2 },
				  .n_ks = 2 };
	eal = rte_eal_init(argc, argv);
	if (eal < 0) {
		fprintf(stderr, "wgdp-perf handshake: EAL initialisation failed\n");
		free(b);
		return 1;
	}
	if (parse_opts(&b->o, argc - eal, argv + eal) != 0) {
		perf_hs_inproc_usage(stderr);
		goto out;
	}
	/* A line a handshake would cost more than the handshake here. */
	dp_log_init();
	rte_log_set_level_pattern("wgdp.*", RTE_LOG_WARNING);
	RTE_LCORE_FOREACH_WORKER (id)
		b->lcores[b->n_lcores++] = id;
	wgc_x25519_generate(b->our_priv);
	wgc_x25519_public(b->our_pub, b->our_priv);
	b->gen = rte_pktmbuf_pool_create("ip_gen", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (!b->gen || slots_build(b) != 0) {
		fprintf(stderr, "wgdp-perf handshake --inproc: setup failed\n");
		goto out;
	}
	rc = 0;
	for (unsigned int round = 0; round < b->o.rounds && !rc; round++)
		for (unsigned int i = 0; i < b->o.n_ks && !rc; i++)
			rc = run_k(b, b->o.ks[i], round) ? 1 : 0;
out:
	rte_mempool_free(b->gen);
	if (b->slots)
		wgc_memzero(b->slots, sizeof(*b->slots) * b->n_slots);
	if (b->peers)
		wgc_memzero(b->peers, sizeof(*b->peers) * b->o.peers);
	free(b->slots);
	free(b->peers);
	wgc_memzero(b->our_priv, sizeof(b->our_priv));
	rte_eal_cleanup();
	free(b);
	return rc;
}
