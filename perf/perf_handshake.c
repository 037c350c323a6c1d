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
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "crypto/ct.h"
#include "crypto/keys.h"
#include "crypto/x25519.h"
#include "perf.h"
#include "wg/clock.h"
#include "wg/cookie.h"
#include "wg/messages.h"
#include "wg/noise.h"

#define BURST	      32
#define WG_PORT	      51820
#define MAX_PEERS     (1u << 20)
#define PHASE_SHIFT   24 /* sender index = phase << 24 | slot */
#define N_FLOOD_TMPL  64
#define TS_STEP_NS    (1ull << 25) /* twice TAI64N's grain: each initiation's stamp is newer */

/* One simulated peer: its keys, its Noise template (static-static done) and its cookie. */
struct peer {
	struct wg_identity id;
	struct wg_handshake tmpl;
	struct wg_cookie_maker cookie;
	uint32_t ip; /* host order; 198.18.0.0/15 + i */
	uint16_t udp_port;
	uint32_t stamps; /* initiations made so far: the next timestamp step */
};

enum slot_state { SLOT_READY, SLOT_SENT, SLOT_DONE, SLOT_LOST };

/* One initiation: the message, the state to check its response, and its times. */
struct slot {
	struct wg_msg_initiation msg;
	struct wg_handshake hs;
	uint32_t peer;
	uint8_t state;
	uint8_t cookie_rounds;
	uint64_t first_tsc, last_tsc, done_tsc;
};

struct phase {
	struct slot *slots;
	uint32_t n, next; /* made, next to send */
	uint32_t tag;
	uint32_t in_flight;
	uint64_t completed, lost, cookie_rounds, verified, verify_failed, stray;
};

enum flood_kind { FLOOD_NONE, FLOOD_JUNK, FLOOD_BAD_MAC1, FLOOD_SPOOFED_MAC1, FLOOD_KINDS };
static const char *const flood_names[FLOOD_KINDS] = { "none", "junk", "bad_mac1",
						      "spoofed_mac1" };

struct opts {
	unsigned int peers;
	unsigned int duration_ms;
	unsigned int window;
	unsigned int verify_every;
	unsigned int legit_rate;
	unsigned int timeout_ms;
	unsigned int wait_ms;
	const char *spawn;
	const char *config_path;
	const char *socket_path;
	const char *phases;
	uint32_t our_ip, server_ip;
};

struct gen {
	struct opts o;
	uint16_t port;
	struct rte_mempool *pool;
	struct rte_ether_addr our_mac, server_mac;
	bool have_server_mac;
	uint8_t server_priv[32], server_pub[32];
	struct peer *peers;
	unsigned int cursor; /* next peer to make an initiation for */
	struct phase ph;
	uint64_t hz;
	pid_t child;
	/* ICMP echo round trips: the path's own floor. */
	uint64_t echo_tx_tsc;
	uint64_t echo_rtt_tsc;
	bool echo_done;
	/* Floods. */
	uint8_t flood_tmpl[N_FLOOD_TMPL][sizeof(struct wg_msg_initiation)];
	uint64_t flood_sent;
	/* The crypto floor, us. */
	double floor_us;
	double capacity;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	RTE_SET_USED(sig);
	interrupted = 1;
}

static uint64_t tsc_us(const struct gen *g, uint64_t t)
{
	return t * 1000000ull / g->hz;
}

/* ---- frames ---------------------------------------------------------------------------- */

static struct rte_mbuf *frame_udp(struct gen *g, uint32_t src_ip, uint16_t sport,
				  const void *payload, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(g->pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	if (!m)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(
		m, (uint16_t)(sizeof(*eth) + sizeof(*ip) + sizeof(*udp) + len));
	if (!eth) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	udp = (struct rte_udp_hdr *)(ip + 1);
	rte_ether_addr_copy(&g->server_mac, &eth->dst_addr);
	rte_ether_addr_copy(&g->our_mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*udp) + len));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(src_ip);
	ip->dst_addr = rte_cpu_to_be_32(g->o.server_ip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(WG_PORT);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + len));
	udp->dgram_cksum = 0; /* optional over IPv4 */
	memcpy(udp + 1, payload, len);
	return m;
}

static void send_burst(struct gen *g, struct rte_mbuf **m, unsigned int n)
{
	unsigned int sent = 0;

	while (sent < n) {
		uint16_t k = rte_eth_tx_burst(g->port, 0, m + sent, (uint16_t)(n - sent));

		if (k == 0)
			break;
		sent += k;
	}
	for (unsigned int i = sent; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

static void send_one(struct gen *g, struct rte_mbuf *m)
{
	if (m)
		send_burst(g, &m, 1);
}

static void send_arp_request(struct gen *g)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(g->pool);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (!m)
		return;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	arp = (struct rte_arp_hdr *)(eth + 1);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	rte_ether_addr_copy(&g->our_mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(&g->our_mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = rte_cpu_to_be_32(g->o.our_ip);
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	arp->arp_data.arp_tip = rte_cpu_to_be_32(g->o.server_ip);
	send_one(g, m);
}

static void send_echo(struct gen *g, uint16_t seq)
{
	uint8_t payload[sizeof(struct rte_icmp_hdr) + 16] = { 0 };
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)payload;
	struct rte_mbuf *m = frame_udp(g, g->o.our_ip, 0, payload, sizeof(payload));
	struct rte_ipv4_hdr *ip;

	if (!m)
		return;
	/* Rewrite the UDP frame into an ICMP one: same sizes but for the UDP header. */
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	ip->next_proto_id = IPPROTO_ICMP;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(payload)));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	rte_pktmbuf_trim(m, sizeof(struct rte_udp_hdr));
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	memset(icmp, 0, sizeof(payload));
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	icmp->icmp_ident = rte_cpu_to_be_16(0x7767);
	icmp->icmp_seq_nb = rte_cpu_to_be_16(seq);
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, sizeof(payload));
	g->echo_done = false;
	g->echo_tx_tsc = rte_rdtsc();
	send_one(g, m);
}

/* ---- receive --------------------------------------------------------------------------- */

static struct slot *slot_of(struct gen *g, uint32_t index)
{
	uint32_t k = index & ((1u << PHASE_SHIFT) - 1);

	if (index >> PHASE_SHIFT != g->ph.tag || k >= g->ph.n)
		return NULL;
	return &g->ph.slots[k];
}

static void send_slot(struct gen *g, struct slot *s, uint64_t now_tsc)
{
	struct peer *p = &g->peers[s->peer];
	struct rte_mbuf *m;

	wg_cookie_add_macs(&p->cookie, &s->msg, sizeof(s->msg), wg_clock_mono_ns());
	m = frame_udp(g, p->ip, p->udp_port, &s->msg, sizeof(s->msg));
	if (!m)
		return;
	if (s->state == SLOT_READY) {
		s->first_tsc = now_tsc;
		s->state = SLOT_SENT;
		g->ph.in_flight++;
	}
	s->last_tsc = now_tsc;
	send_one(g, m);
}

static void on_response(struct gen *g, const struct wg_msg_response *r, uint64_t now)
{
	struct slot *s = slot_of(g, wg_get_le32(r->receiver));
	uint32_t k;

	if (!s || s->state != SLOT_SENT) {
		g->ph.stray++;
		return;
	}
	k = (uint32_t)(s - g->ph.slots);
	if (g->o.verify_every && k % g->o.verify_every == 0) {
		if (wg_noise_consume_response(r, &s->hs, &g->peers[s->peer].id) == WG_NOISE_OK)
			g->ph.verified++;
		else
			g->ph.verify_failed++;
	}
	s->state = SLOT_DONE;
	s->done_tsc = now;
	g->ph.in_flight--;
	g->ph.completed++;
}

/* A cookie reply: keep the cookie and send the same initiation again, now with mac2. */
static void on_cookie(struct gen *g, const struct wg_msg_cookie *c, uint64_t now)
{
	struct slot *s = slot_of(g, wg_get_le32(c->receiver));

	if (!s || s->state != SLOT_SENT)
		return;
	if (!wg_cookie_reply_consume(&g->peers[s->peer].cookie, c, wg_clock_mono_ns()))
		return;
	s->cookie_rounds++;
	g->ph.cookie_rounds++;
	send_slot(g, s, now);
}

static void on_frame(struct gen *g, struct rte_mbuf *m, uint64_t now)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint16_t type = rte_be_to_cpu_16(eth->ether_type);
	const uint8_t *l3 = (const uint8_t *)(eth + 1);
	uint32_t len = rte_pktmbuf_data_len(m);

	if (type == RTE_ETHER_TYPE_ARP && len >= sizeof(*eth) + sizeof(struct rte_arp_hdr)) {
		const struct rte_arp_hdr *arp = (const struct rte_arp_hdr *)l3;

		if (rte_be_to_cpu_16(arp->arp_opcode) == RTE_ARP_OP_REPLY &&
		    rte_be_to_cpu_32(arp->arp_data.arp_sip) == g->o.server_ip) {
			rte_ether_addr_copy(&arp->arp_data.arp_sha, &g->server_mac);
			g->have_server_mac = true;
		}
		return;
	}
	if (type != RTE_ETHER_TYPE_IPV4 || len < sizeof(*eth) + sizeof(struct rte_ipv4_hdr) + 8)
		return;
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;
	const uint8_t *l4 = l3 + rte_ipv4_hdr_len(ip);
	uint32_t l4_len = len - (uint32_t)(l4 - (const uint8_t *)eth);

	if (ip->next_proto_id == IPPROTO_ICMP) {
		const struct rte_icmp_hdr *icmp = (const struct rte_icmp_hdr *)l4;

		if (icmp->icmp_type == RTE_IP_ICMP_ECHO_REPLY && !g->echo_done) {
			g->echo_rtt_tsc = now - g->echo_tx_tsc;
			g->echo_done = true;
		}
		return;
	}
	if (ip->next_proto_id != IPPROTO_UDP || l4_len < sizeof(struct rte_udp_hdr))
		return;
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)l4;
	const uint8_t *msg = (const uint8_t *)(udp + 1);
	size_t msg_len = l4_len - sizeof(*udp);

	if (rte_be_to_cpu_16(udp->src_port) != WG_PORT)
		return;
	switch (wg_msg_classify(msg, msg_len)) {
	case WG_MSG_RESPONSE:
		on_response(g, (const struct wg_msg_response *)msg, now);
		break;
	case WG_MSG_COOKIE:
		on_cookie(g, (const struct wg_msg_cookie *)msg, now);
		break;
	default:
		break;
	}
}

static unsigned int rx_poll(struct gen *g)
{
	struct rte_mbuf *m[BURST];
	uint16_t n = rte_eth_rx_burst(g->port, 0, m, BURST);
	uint64_t now = rte_rdtsc();

	for (uint16_t i = 0; i < n; i++) {
		on_frame(g, m[i], now);
		rte_pktmbuf_free(m[i]);
	}
	return n;
}

/* Slots sent longer ago than the timeout are lost (a real peer would retry after 5 s). */
static void expire(struct gen *g, uint64_t now)
{
	uint64_t limit = g->hz * g->o.timeout_ms / 1000;

	for (uint32_t k = 0; k < g->ph.next; k++) {
		struct slot *s = &g->ph.slots[k];

		if (s->state == SLOT_SENT && now - s->first_tsc > limit) {
			s->state = SLOT_LOST;
			g->ph.in_flight--;
			g->ph.lost++;
		}
	}
}

/* ---- peers and initiations ------------------------------------------------------------- */

static int peers_create(struct gen *g)
{
	uint8_t priv[32];

	g->peers = calloc(g->o.peers, sizeof(*g->peers));
	if (!g->peers)
		return -1;
	for (unsigned int i = 0; i < g->o.peers; i++) {
		struct peer *p = &g->peers[i];

		wgc_x25519_generate(priv);
		if (!wg_identity_set(&p->id, priv))
			return -1;
		wg_handshake_init(&p->tmpl, &p->id, g->server_pub, NULL);
		if (!wg_handshake_precompute(&p->tmpl, &p->id))
			return -1;
		wg_cookie_maker_init(&p->cookie, g->server_pub);
		p->ip = (198u << 24 | 18u << 16) + (i & 0x1ffff);
		p->udp_port = (uint16_t)(20000 + i % 40000);
	}
	wgc_memzero(priv, sizeof(priv));
	return 0;
}

static void phase_clear(struct gen *g)
{
	if (g->ph.slots) {
		wgc_memzero(g->ph.slots, (size_t)g->ph.n * sizeof(g->ph.slots[0]));
		free(g->ph.slots);
	}
	uint32_t tag = g->ph.tag;

	memset(&g->ph, 0, sizeof(g->ph));
	g->ph.tag = tag;
}

/* Makes n initiations, round-robin over the peers (only_peer >= 0: that peer alone). */
static int phase_make(struct gen *g, uint32_t n, int only_peer)
{
	uint64_t base_ns = wg_clock_real_ns();

	phase_clear(g);
	g->ph.tag = (g->ph.tag % 250) + 1;
	g->ph.slots = calloc(n ? n : 1, sizeof(struct slot));
	if (!g->ph.slots)
		return -1;
	for (uint32_t k = 0; k < n; k++) {
		struct slot *s = &g->ph.slots[k];
		uint32_t pi = only_peer >= 0 ? (uint32_t)only_peer : g->cursor++ % g->o.peers;
		struct peer *p = &g->peers[pi];

		s->peer = pi;
		s->hs = p->tmpl;
		if (wg_noise_create_initiation(&s->msg, &s->hs, &p->id,
					       g->ph.tag << PHASE_SHIFT | k,
					       base_ns + ++p->stamps * TS_STEP_NS) != WG_NOISE_OK)
			return -1;
	}
	g->ph.n = n;
	return 0;
}

/* ---- wgdp, its control socket ---------------------------------------------------------- */

static char *subst(const char *tmpl, const char *cfg, const char *sock)
{
	size_t cap = strlen(tmpl) + 8 * (strlen(cfg) + strlen(sock)) + 1, o = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	for (const char *t = tmpl; *t && o + 1 < cap;) {
		const char *rep = NULL;
		size_t skip = 0;

		if (!strncmp(t, "{config}", 8))
			rep = cfg, skip = 8;
		else if (!strncmp(t, "{socket}", 8))
			rep = sock, skip = 8;
		if (rep && o + strlen(rep) < cap) {
			memcpy(out + o, rep, strlen(rep));
			o += strlen(rep);
			t += skip;
		} else {
			out[o++] = *t++;
		}
	}
	out[o] = 0;
	return out;
}

static int write_config(struct gen *g)
{
	char key[WGC_KEY_B64_LEN + 1];
	FILE *f = fopen(g->o.config_path, "w");

	if (!f)
		return -1;
	wgc_key_to_base64(key, g->server_priv);
	fprintf(f, "{\"interface\":{\"name\":\"wgdphs\",\"private_key\":\"%s\",\"listen_port\":%u},\n",
		key, WG_PORT);
	wgc_memzero(key, sizeof(key));
	fprintf(f, "\"ports\":[{\"port\":0,\"role\":\"both\",\"address\":[\"%u.%u.%u.%u/24\"]}],\n",
		g->o.server_ip >> 24, g->o.server_ip >> 16 & 0xff, g->o.server_ip >> 8 & 0xff,
		g->o.server_ip & 0xff);
	fprintf(f, "\"control\":{\"socket\":\"%s\",\"uapi\":false},\n\"peers\":[\n",
		g->o.socket_path);
	for (unsigned int i = 0; i < g->o.peers; i++) {
		wgc_key_to_base64(key, g->peers[i].id.public_key);
		fprintf(f, "%s{\"public_key\":\"%s\",\"allowed_ips\":[\"10.%u.%u.%u/32\"]}\n",
			i ? "," : "", key, i >> 16 & 0xff, i >> 8 & 0xff, i & 0xff);
	}
	fprintf(f, "]}\n");
	return fclose(f) == 0 ? 0 : -1;
}

static int spawn_wgdp(struct gen *g)
{
	char *cmd = subst(g->o.spawn, g->o.config_path, g->o.socket_path);

	if (!cmd)
		return -1;
	g->child = fork();
	if (g->child == 0) {
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	return g->child > 0 ? 0 : -1;
}

static void stop_wgdp(struct gen *g)
{
	int status;

	if (g->child <= 0)
		return;
	kill(-g->child, SIGTERM);
	for (int i = 0; i < 100 && waitpid(g->child, &status, WNOHANG) == 0; i++)
		usleep(50000);
	kill(-g->child, SIGKILL);
	waitpid(g->child, &status, 0);
	g->child = 0;
}

/* One request on the control socket; the answer, or NULL. */
static json_t *ctl_request(struct gen *g, const char *req)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[1 << 16];
	size_t got = 0;
	json_t *ans = NULL;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0)
		return NULL;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", g->o.socket_path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    write(fd, req, strlen(req)) == (ssize_t)strlen(req)) {
		while (got < sizeof(buf) - 1) {
			ssize_t k = read(fd, buf + got, sizeof(buf) - 1 - got);

			if (k <= 0)
				break;
			got += (size_t)k;
			if (memchr(buf, '\n', got))
				break;
		}
		buf[got] = 0;
		ans = json_loads(buf, 0, NULL);
	}
	close(fd);
	return ans;
}

static int64_t stat_at(json_t *stats, const char *obj, const char *key)
{
	json_t *o = json_object_get(stats, obj);

	return json_integer_value(json_object_get(o, key));
}

static int64_t worker_sum(json_t *stats, const char *key)
{
	json_t *workers = json_object_get(stats, "workers"), *w;
	int64_t sum = 0;
	size_t i;

	json_array_foreach(workers, i, w)
		sum += json_integer_value(json_object_get(w, key));
	return sum;
}

/* wgdp's own counters moved by a phase, as one JSON object. */
static void print_wgdp_delta(json_t *before, json_t *after)
{
	static const char *const hs_keys[] = { "initiations_received", "responses_sent",
					       "cookie_replies_sent", "mac_invalid", "ratelimited",
					       "under_load_ticks" };
	static const char *const drop_keys[] = { "handshake_queue_full", "bad_message",
						 "mac1_invalid" };

	printf(",\"wgdp\":{");
	for (size_t i = 0; i < RTE_DIM(hs_keys); i++)
		printf("%s\"%s\":%" PRId64, i ? "," : "", hs_keys[i],
		       stat_at(after, "handshake", hs_keys[i]) -
			       stat_at(before, "handshake", hs_keys[i]));
	for (size_t i = 0; i < RTE_DIM(drop_keys); i++)
		printf(",\"%s\":%" PRId64, drop_keys[i],
		       stat_at(after, "drops", drop_keys[i]) - stat_at(before, "drops", drop_keys[i]));
	printf(",\"worker_cookie_replies_sent\":%" PRId64,
	       worker_sum(after, "cookie_replies_sent") - worker_sum(before, "cookie_replies_sent"));
	json_t *pa = json_array_get(json_object_get(after, "ports"), 0);
	json_t *pb = json_array_get(json_object_get(before, "ports"), 0);

	printf(",\"port_rx_missed\":%" PRId64 "}",
	       (int64_t)(json_integer_value(json_object_get(pa, "rx_missed")) -
			 json_integer_value(json_object_get(pb, "rx_missed"))));
}

/* Waits for wgdp: its control socket answers and it answers our ARP. */
static int wait_for_wgdp(struct gen *g)
{
	uint64_t end = rte_rdtsc() + g->hz * g->o.wait_ms / 1000, next_arp = 0;
	json_t *s = NULL;

	while (rte_rdtsc() < end && !interrupted) {
		int status;

		if (g->child > 0 && waitpid(g->child, &status, WNOHANG) == g->child) {
			g->child = 0;
			fprintf(stderr, "wgdp-perf handshake: wgdp exited early\n");
			return -1;
		}
		if (!s) {
			s = ctl_request(g, "{\"cmd\":\"stats\"}\n");
			if (!s)
				usleep(20000);
			continue;
		}
		if (rte_rdtsc() > next_arp) {
			send_arp_request(g);
			next_arp = rte_rdtsc() + g->hz / 10;
		}
		rx_poll(g);
		if (g->have_server_mac) {
			json_decref(s);
			return 0;
		}
	}
	json_decref(s);
	fprintf(stderr, "wgdp-perf handshake: wgdp did not come up within %u ms\n", g->o.wait_ms);
	return -1;
}

/* ---- figures --------------------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Response times of the phase's sent slots, in us; lost ones count as infinitely slow. */
static void print_times(struct gen *g)
{
	static const double qs[] = { 0,	  0.01, 0.05, 0.1,  0.2,  0.3,	 0.4, 0.5, 0.6,
				     0.7, 0.8,	0.9,  0.95, 0.99, 0.999, 1.0 };
	uint32_t n = 0, total = 0;
	uint64_t *t = malloc(((size_t)g->ph.next + 1) * sizeof(*t));

	if (!t)
		return;
	for (uint32_t k = 0; k < g->ph.next; k++) {
		const struct slot *s = &g->ph.slots[k];

		if (s->state == SLOT_DONE)
			t[n++] = tsc_us(g, s->done_tsc - s->first_tsc);
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

	while (g->ph.in_flight && rte_rdtsc() < end && !interrupted)
		rx_poll(g);
	expire(g, UINT64_MAX / 2 + rte_rdtsc());
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
		if (wg_noise_create_initiation(&msgs[i], &ini, &p->id, i + 1,
					       wg_clock_real_ns()) != WG_NOISE_OK)
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
static void measure_floor(struct gen *g)
{
	uint8_t priv[32], pub[32], out[32];
	unsigned int n = 2000;
	double t0, var_us, base_us, noise_us;

	wgc_x25519_generate(priv);
	wgc_x25519_public(pub, priv);
	t0 = perf_now();
	for (unsigned int i = 0; i < n; i++)
		wgc_x25519(out, priv, pub);
	var_us = (perf_now() - t0) * 1e6 / n;
	t0 = perf_now();
	for (unsigned int i = 0; i < n; i++)
		wgc_x25519_public(out, priv);
	base_us = (perf_now() - t0) * 1e6 / n;
	wgc_memzero(priv, sizeof(priv));
	noise_us = measure_noise_us(g, 200);
	/* Responder: DH(s, e_i), its ephemeral's public key, DH(e_r, e_i), DH(e_r, s_i); the
	 * static-static DH is computed once per peer and is not counted here. */
	g->floor_us = 3 * var_us + base_us;
	printf("{\"bench\":\"handshake\",\"kind\":\"floor\",\"x25519_us\":%.2f,"
	       "\"x25519_base_us\":%.2f,\"ops_per_handshake\":\"3 x25519 + 1 base-point\","
	       "\"floor_us\":%.1f,\"floor_hs_per_s\":%.0f,\"noise_responder_us\":%.1f}\n",
	       var_us, base_us, g->floor_us, 1e6 / g->floor_us, noise_us);
	fflush(stdout);
}

/* The network's own round trip to wgdp and back (ICMP echo, answered by its control lcore). */
static void measure_path(struct gen *g)
{
	uint64_t rtt[64];
	unsigned int n = 0;

	for (unsigned int i = 0; i < RTE_DIM(rtt) && !interrupted; i++) {
		uint64_t end = rte_rdtsc() + g->hz / 10;

		send_echo(g, (uint16_t)i);
		while (!g->echo_done && rte_rdtsc() < end)
			rx_poll(g);
		if (g->echo_done)
			rtt[n++] = tsc_us(g, g->echo_rtt_tsc);
		rte_delay_us_block(2000);
	}
	qsort(rtt, n, sizeof(rtt[0]), cmp_u64);
	printf("{\"bench\":\"handshake\",\"kind\":\"path\",\"echoes\":%u,\"rtt_p50_us\":%" PRIu64
	       ",\"rtt_p99_us\":%" PRIu64 "}\n",
	       n, n ? rtt[n / 2] : 0, n ? rtt[(n * 99) / 100] : 0);
	fflush(stdout);
}

/* Keeps `window` initiations in flight: the rate wgdp sustains when never idle. */
static int run_capacity(struct gen *g, const char *pass, uint64_t duration_tsc)
{
	json_t *before = ctl_request(g, "{\"cmd\":\"stats\"}\n"), *after;
	uint64_t t0, end, last_expire;
	double secs;

	t0 = rte_rdtsc();
	end = duration_tsc ? t0 + duration_tsc : UINT64_MAX;
	last_expire = t0;
	while (!interrupted && rte_rdtsc() < end && (g->ph.next < g->ph.n || g->ph.in_flight)) {
		uint64_t now = rte_rdtsc();

		while (g->ph.in_flight < g->o.window && g->ph.next < g->ph.n)
			send_slot(g, &g->ph.slots[g->ph.next++], now);
		rx_poll(g);
		if (now - last_expire > g->hz / 20) {
			expire(g, now);
			last_expire = now;
		}
	}
	secs = (double)(rte_rdtsc() - t0) / (double)g->hz;
	drain(g);
	after = ctl_request(g, "{\"cmd\":\"stats\"}\n");
	if (!strcmp(pass, "warm"))
		g->capacity = (double)g->ph.completed / secs;
	printf("{\"bench\":\"handshake\",\"kind\":\"capacity\",\"pass\":\"%s\",\"peers\":%u,"
	       "\"window\":%u,\"seconds\":%.3f,\"hs_per_s\":%.0f,\"floor_hs_per_s\":%.0f,"
	       "\"ratio_to_floor\":%.3f",
	       pass, g->o.peers, g->o.window, secs, (double)g->ph.completed / secs,
	       1e6 / g->floor_us, (double)g->ph.completed / secs * g->floor_us / 1e6);
	print_times(g);
	if (before && after)
		print_wgdp_delta(before, after);
	printf("}\n");
	fflush(stdout);
	json_decref(before);
	json_decref(after);
	return g->ph.completed ? 0 : -1;
}

static uint16_t flood_fill(struct gen *g, enum flood_kind kind, struct rte_mbuf **m,
			   uint16_t want)
{
	uint16_t n = 0;

	for (; n < want; n++) {
		uint32_t r = wgc_random_u32();
		uint8_t junk[64];
		uint32_t src = (198u << 24 | 19u << 16) | (r & 0xffff);

		if (kind == FLOOD_JUNK) {
			wgc_random(junk, sizeof(junk));
			m[n] = frame_udp(g, src, (uint16_t)(r >> 16), junk, sizeof(junk));
		} else {
			m[n] = frame_udp(g, src, (uint16_t)(r >> 16), g->flood_tmpl[r % N_FLOOD_TMPL],
					 sizeof(struct wg_msg_initiation));
		}
		if (!m[n])
			break;
	}
	return n;
}

static void flood_templates(struct gen *g, enum flood_kind kind)
{
	struct wg_cookie_maker mk;

	wg_cookie_maker_init(&mk, g->server_pub);
	for (int i = 0; i < N_FLOOD_TMPL; i++) {
		struct wg_msg_initiation *msg = (struct wg_msg_initiation *)g->flood_tmpl[i];

		wgc_random(msg, sizeof(*msg));
		wg_msg_header_init(&msg->header, WG_MSG_INITIATION);
		if (kind == FLOOD_SPOOFED_MAC1)
			wg_cookie_add_macs(&mk, msg, sizeof(*msg), wg_clock_mono_ns());
	}
	wg_cookie_maker_wipe(&mk);
}

/*
 * Open loop: initiations at `rate` per second for the duration (and, with a flood, as many
 * flood frames as we can send in between). The response times are the figures.
 */
static int run_paced(struct gen *g, double rate, uint64_t duration_tsc, enum flood_kind flood,
		     const char *kind, const char *label)
{
	json_t *before = ctl_request(g, "{\"cmd\":\"stats\"}\n"), *after;
	uint64_t gap = (uint64_t)((double)g->hz / rate), t0 = rte_rdtsc(), next = t0;
	uint64_t end = t0 + duration_tsc, last_expire = t0;
	struct rte_mbuf *m[BURST];
	double secs;

	g->flood_sent = 0;
	if (flood != FLOOD_NONE)
		flood_templates(g, flood);
	while (!interrupted && rte_rdtsc() < end && g->ph.next < g->ph.n) {
		uint64_t now = rte_rdtsc();

		while (now >= next && g->ph.next < g->ph.n) {
			send_slot(g, &g->ph.slots[g->ph.next++], now);
			next += gap;
		}
		if (flood != FLOOD_NONE) {
			uint16_t k = flood_fill(g, flood, m, BURST);
			uint16_t sent = rte_eth_tx_burst(g->port, 0, m, k);

			g->flood_sent += sent;
			for (uint16_t i = sent; i < k; i++)
				rte_pktmbuf_free(m[i]);
		}
		rx_poll(g);
		if (now - last_expire > g->hz / 20) {
			expire(g, now);
			last_expire = now;
		}
	}
	secs = (double)(rte_rdtsc() - t0) / (double)g->hz;
	drain(g);
	after = ctl_request(g, "{\"cmd\":\"stats\"}\n");
	printf("{\"bench\":\"handshake\",\"kind\":\"%s\",\"%s\":\"%s\",\"peers\":%u,"
	       "\"offered_hs_per_s\":%.0f,\"flood_pps\":%.0f,\"seconds\":%.3f,\"floor_us\":%.1f",
	       kind, !strcmp(kind, "flood") ? "flood" : "load", label, g->o.peers, rate,
	       (double)g->flood_sent / secs, secs, g->floor_us);
	print_times(g);
	if (before && after)
		print_wgdp_delta(before, after);
	printf("}\n");
	fflush(stdout);
	json_decref(before);
	json_decref(after);
	return 0;
}

static bool want_phase(const struct gen *g, const char *name)
{
	const char *p = strstr(g->o.phases, name);

	return !strcmp(g->o.phases, "all") ||
	       (p && (p == g->o.phases || p[-1] == ',') &&
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
	if (phase_make(g, g->o.peers, -1) || run_capacity(g, "cold", 0))
		return -1;
	if (want_phase(g, "capacity") || want_phase(g, "latency")) {
		uint32_t n = (uint32_t)(1.5 * secs * 1e6 / g->floor_us) + 1000;

		if (phase_make(g, n, -1) || run_capacity(g, "warm", dur))
			return -1;
	}
	if (want_phase(g, "latency") && g->capacity > 0) {
		static const struct {
			const char *label;
			double share;
		} loads[] = { { "light", 0.02 }, { "50%", 0.5 }, { "90%", 0.9 } };

		for (size_t i = 0; i < RTE_DIM(loads) && !interrupted; i++) {
			double rate = fmax(50, loads[i].share * g->capacity);

			if (phase_make(g, (uint32_t)(rate * secs) + 1, -1))
				return -1;
			rc |= run_paced(g, rate, dur, FLOOD_NONE, "latency", loads[i].label);
		}
	}
	if (want_phase(g, "flood")) {
		for (int f = 0; f < FLOOD_KINDS && !interrupted; f++) {
			if (phase_make(g, (uint32_t)(g->o.legit_rate * secs) + 1, -1))
				return -1;
			rc |= run_paced(g, g->o.legit_rate, dur, f, "flood", flood_names[f]);
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
		"  (net_af_packet on a veth whose far end wgdp's port uses). JSON lines on stdout.\n"
		"  --spawn CMD          shell command starting wgdp; {config} and {socket} are\n"
		"                       replaced by the config we write and its control socket\n"
		"  --peers N            distinct peers (default 10000, at most 1048576)\n"
		"  --duration-ms MS     each timed phase (default 2000)\n"
		"  --phases LIST        all, or some of capacity,latency,flood (default all)\n"
		"  --window N           initiations in flight when measuring capacity (default 128)\n"
		"  --legit-rate N       the legitimate peers' handshakes/s during floods (default 200)\n"
		"  --verify-every N     consume one response in N with Noise (default 8; 0: none)\n"
		"  --timeout-ms MS      an initiation unanswered this long is lost (default 1000)\n"
		"  --wait-ms MS         how long wgdp may take to start (default 30000)\n"
		"  --config FILE        where to write wgdp's config (default /tmp/wgdp-perf-hs.json)\n"
		"  --socket PATH        wgdp's control socket (default /tmp/wgdp-perf-hs.sock)\n"
		"  --our-ip A, --server-ip A   the link's addresses (default 192.0.2.2, 192.0.2.1)\n"
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

static int parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "spawn", required_argument, 0, 'S' },	  { "peers", required_argument, 0, 'p' },
		{ "duration-ms", required_argument, 0, 'd' }, { "phases", required_argument, 0, 'P' },
		{ "window", required_argument, 0, 'w' },	  { "legit-rate", required_argument, 0, 'l' },
		{ "verify-every", required_argument, 0, 'v' }, { "timeout-ms", required_argument, 0, 't' },
		{ "wait-ms", required_argument, 0, 'W' },	  { "config", required_argument, 0, 'c' },
		{ "socket", required_argument, 0, 's' },	  { "our-ip", required_argument, 0, 'o' },
		{ "server-ip", required_argument, 0, 'r' },	  { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 }
	};
	int c;

	*o = (struct opts){ .peers = 10000, .duration_ms = 2000, .window = 128, .verify_every = 8,
			    .legit_rate = 200, .timeout_ms = 1000, .wait_ms = 30000,
			    .config_path = "/tmp/wgdp-perf-hs.json",
			    .socket_path = "/tmp/wgdp-perf-hs.sock", .phases = "all",
			    .our_ip = 0xc0000202, .server_ip = 0xc0000201 };
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'S': o->spawn = optarg; break;
		case 'p': o->peers = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'd': o->duration_ms = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'P': o->phases = optarg; break;
		case 'w': o->window = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'l': o->legit_rate = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'v': o->verify_every = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 't': o->timeout_ms = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'W': o->wait_ms = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'c': o->config_path = optarg; break;
		case 's': o->socket_path = optarg; break;
		case 'o':
			if (!parse_ip(optarg, &o->our_ip))
				return -1;
			break;
		case 'r':
			if (!parse_ip(optarg, &o->server_ip))
				return -1;
			break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (!o->spawn || o->peers < 1 || o->peers > MAX_PEERS || o->duration_ms < 10 ||
	    o->window < 1 || o->legit_rate < 1 || o->timeout_ms < 10) {
		fprintf(stderr, "wgdp-perf handshake: --spawn is required; --peers 1..%u, "
				"--duration-ms >= 10, --window/--legit-rate >= 1\n",
			MAX_PEERS);
		return -1;
	}
	return 0;
}

static int port_setup(struct gen *g)
{
	struct rte_eth_conf conf = { 0 };
	int rc;

	if (rte_eth_dev_count_avail() < 1) {
		fprintf(stderr, "wgdp-perf handshake: no ethdev port (give --vdev=net_af_packet0,...)\n");
		return -1;
	}
	g->port = 0;
	g->pool = rte_pktmbuf_pool_create("hs_gen", 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	if (!g->pool)
		return -1;
	rc = rte_eth_dev_configure(g->port, 1, 1, &conf);
	if (!rc)
		rc = rte_eth_rx_queue_setup(g->port, 0, 1024, rte_eth_dev_socket_id(g->port), NULL,
					    g->pool);
	if (!rc)
		rc = rte_eth_tx_queue_setup(g->port, 0, 1024, rte_eth_dev_socket_id(g->port), NULL);
	if (!rc)
		rc = rte_eth_dev_start(g->port);
	if (!rc)
		rc = rte_eth_macaddr_get(g->port, &g->our_mac);
	if (rc)
		fprintf(stderr, "wgdp-perf handshake: port setup failed: %s\n", rte_strerror(-rc));
	return rc;
}

int perf_handshake_main(int argc, char **argv)
{
	struct gen *g = calloc(1, sizeof(*g));
	int eal, rc = 1;

	if (!g)
		return 1;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
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
	wgc_x25519_generate(g->server_priv);
	if (!wgc_x25519_public(g->server_pub, g->server_priv) || port_setup(g) != 0)
		goto out;
	if (peers_create(g) != 0 || write_config(g) != 0) {
		fprintf(stderr, "wgdp-perf handshake: could not make the peers or write %s\n",
			g->o.config_path);
		goto out;
	}
	wgc_memzero(g->server_priv, sizeof(g->server_priv));
	unlink(g->o.socket_path);
	if (spawn_wgdp(g) != 0 || wait_for_wgdp(g) != 0)
		goto out;
	rc = run_all(g) == 0 ? 0 : 1;
out:
	stop_wgdp(g);
	phase_clear(g);
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
