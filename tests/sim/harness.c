/* SPDX-License-Identifier: MIT */
/*
 * The harness: one EAL, two ring ports (rte_eth_from_rings) whose rings we hold, the real
 * data plane on one lcore (dp_shared_lcore_poll, as app/wgdp/main.c runs it with -l 0), and
 * the wire between it and the models. Time is the driven clock (lib/wg/clock.h): nothing moves
 * unless sim_run advances it, so a day of protocol time costs what its packets cost.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_log.h>

#include "config.h"
#include "crypto/ct.h"
#include "crypto/keys.h"
#include "crypto/x25519.h"
#include "dp/log.h"
#include "dp/control.h"
#include "dp/hs_engine.h"
#include "dp/pkt.h"
#include "sim.h"

#define RING_SIZE  4096
#define SETTLE_MAX 10000
#define MONO_BASE  (1000 * SIM_S)	   /* away from 0, which timers read as "not armed" */
#define REAL_BASE  (1800000000ull * SIM_S) /* a wall clock in 2027 */

static const uint8_t out_ip[4] = { 192, 0, 2, 1 };
static const uint8_t gw_ip[4] = { 192, 0, 2, 254 };
static const uint8_t host_ip[4] = { 10, 0, 0, 2 };
static const struct rte_ether_addr gw_mac = { { 0x02, 0, 0, 0, 0xfe, 0xfe } };
static const struct rte_ether_addr host_mac = { { 0x02, 0, 0, 0, 0, 0x02 } };

/* The process's ports: made once, configured by each data plane (dp_ports_init). */
static struct {
	struct rte_ring *rx[2], *tx[2]; /* rx: we enqueue, wgdp receives; tx: the reverse */
	uint16_t port_id[2];
	bool up;
} net;

int sim_eal_init(void)
{
	char prefix[64];
	char *argv[] = {
		"test_sim", "--no-huge", "--no-shconf", "--no-pci", "--no-telemetry", "-l", "0",
		"-m", "256", prefix, NULL,
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	snprintf(prefix, sizeof(prefix), "--file-prefix=wgdp-sim-%d", (int)getpid());
	if (wgc_init() != 0 || rte_eal_init(argc, argv) < 0)
		return -1;
	dp_log_init();
	/* Every handshake logs at INFO: a day of a thousand peers would bury CUnit's output. */
	if (!getenv("WGDP_SIM_LOG"))
		rte_log_set_global_level(RTE_LOG_WARNING);
	for (unsigned int i = 0; i < 2; i++) {
		char name[32];

		snprintf(name, sizeof(name), "sim_rx%u", i);
		net.rx[i] = rte_ring_create(name, RING_SIZE, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "sim_tx%u", i);
		net.tx[i] = rte_ring_create(name, RING_SIZE, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (!net.rx[i] || !net.tx[i])
			return -1;
		snprintf(name, sizeof(name), "net_sim%u", i);
		int id = rte_eth_from_rings(name, &net.rx[i], 1, &net.tx[i], 1, 0);

		if (id < 0)
			return -1;
		net.port_id[i] = (uint16_t)id;
	}
	net.up = true;
	return 0;
}

void sim_eal_fini(void)
{
	char dir[PATH_MAX];

	if (net.up) {
		for (unsigned int i = 0; i < 2; i++) {
			rte_eth_dev_close(net.port_id[i]);
			rte_ring_free(net.rx[i]);
			rte_ring_free(net.tx[i]);
		}
		net.up = false;
	}
	wg_clock_release();
	/* --no-shconf still makes the runtime directory; every run would leave one behind. */
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(dir);
}

void sim_peer_ip(unsigned int i, uint8_t ip[4])
{
	uint32_t v = i + 1;

	ip[0] = 198;
	ip[1] = (uint8_t)(18 + (v >> 16));
	ip[2] = (uint8_t)(v >> 8);
	ip[3] = (uint8_t)v;
}

void sim_inner_ip(unsigned int i, uint8_t ip[4])
{
	uint32_t v = i + 1;

	ip[0] = 10;
	ip[1] = (uint8_t)(128 + (v >> 16));
	ip[2] = (uint8_t)(v >> 8);
	ip[3] = (uint8_t)v;
}

/* The peer an outside address belongs to, or -1. */
static int peer_of_ip(const struct sim *s, const uint8_t ip[4])
{
	uint32_t v;

	if (ip[0] != 198 || ip[1] < 18 || ip[1] > 19)
		return -1;
	v = ((uint32_t)(ip[1] - 18) << 16 | (uint32_t)ip[2] << 8 | ip[3]) - 1;
	return v < s->opts.n_peers ? (int)v : -1;
}

uint64_t sim_now(const struct sim *s)
{
	return wg_clock_mono_ns() - s->t0;
}

/* Appends printf output to a growing buffer. */
static void put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < *cap - *len)
			break;
		*cap *= 2;
		*buf = realloc(*buf, *cap);
		if (!*buf)
			abort();
	}
	*len += (size_t)n;
}

char *sim_config_text(struct sim *s, uint16_t keepalive, unsigned int n_keepalive)
{
	size_t len = 0, cap = 4096;
	char *t = malloc(cap), key[WGC_KEY_B64_LEN + 1];
	unsigned int n_ep = s->opts.n_endpoints ? s->opts.n_endpoints : s->opts.n_peers;

	if (!t)
		abort();
	wgc_key_to_base64(key, s->wgdp_priv);
	put(&t, &len, &cap,
	    "{ \"interface\": { \"name\": \"wgsim0\", \"private_key\": \"%s\", "
	    "\"listen_port\": %u, \"mtu\": 1420 },\n"
	    "  \"ports\": [ { \"port\": %u, \"role\": \"outside\", \"address\": "
	    "[\"192.0.2.1/24\"], "
	    "\"gateway\": \"192.0.2.254\", \"queues\": 1 },\n"
	    "    { \"port\": %u, \"role\": \"inside\", \"address\": [\"10.0.0.1/24\"], "
	    "\"queues\": 1 } ],\n  \"peers\": [\n",
	    key, SIM_LISTEN_PORT, net.port_id[0], net.port_id[1]);
	for (unsigned int i = 0; i < s->opts.n_peers; i++) {
		uint8_t ip[4], inner[4];

		sim_peer_ip(i, ip);
		sim_inner_ip(i, inner);
		wgc_key_to_base64(key, s->peers[i].ident.public_key);
		put(&t, &len, &cap,
		    "    { \"public_key\": \"%s\", \"allowed_ips\": [\"%u.%u.%u.%u/32\"]", key,
		    inner[0], inner[1], inner[2], inner[3]);
		if (s->opts.endpoints && i < n_ep)
			put(&t, &len, &cap, ", \"endpoint\": \"%u.%u.%u.%u:%u\"", ip[0], ip[1],
			    ip[2], ip[3], 40000 + i);
		if (keepalive && i < n_keepalive)
			put(&t, &len, &cap, ", \"persistent_keepalive\": %u", keepalive);
		put(&t, &len, &cap, " }%s\n", i + 1 < s->opts.n_peers ? "," : "");
	}
	put(&t, &len, &cap, "  ],\n  \"limits\": { \"max_peers\": %u } }\n",
	    s->opts.n_peers * 2 + 16);
	return t;
}

static bool start_dp(struct sim *s)
{
	struct wgdp_config_error cerr;
	unsigned int lcore = rte_get_main_lcore();
	char err[256];

	s->cfg_text = sim_config_text(s, s->opts.keepalive, s->opts.n_peers);
	s->cfg = wgdp_config_parse(s->cfg_text, strlen(s->cfg_text), &cerr);
	if (!s->cfg) {
		fprintf(stderr, "sim: config: %s: %s\n", cerr.path, cerr.message);
		return false;
	}
	unsigned int hs_lcores[DP_MAX_HS_ENGINES] = { 0 };
	unsigned int n_hs = s->opts.n_engines > 1 ? s->opts.n_engines - 1 : 0;

	s->dp = dp_create_hs(s->cfg, 1, &lcore, n_hs, hs_lcores, err, sizeof(err));
	if (!s->dp) {
		fprintf(stderr, "sim: dp_create: %s\n", err);
		return false;
	}
	s->dp->control_is_worker = true;
	if (dp_ports_init(s->dp, err, sizeof(err)) != 0) {
		fprintf(stderr, "sim: dp_ports_init: %s\n", err);
		return false;
	}
	s->w = &s->dp->workers[0];
	/* As main.c's run() does for one lcore: the main lcore is RCU reader 0. */
	rte_rcu_qsbr_thread_register(s->dp->rcu, 0);
	rte_rcu_qsbr_thread_online(s->dp->rcu, 0);
	return true;
}

struct sim *sim_open(const struct sim_opts *opts)
{
	struct sim *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->opts = *opts;
	wg_clock_drive(MONO_BASE, REAL_BASE);
	s->t0 = wg_clock_mono_ns();
	wgc_x25519_generate(s->wgdp_priv);
	wgc_x25519_public(s->wgdp_pub, s->wgdp_priv);
	s->peers = calloc(opts->n_peers, sizeof(*s->peers));
	s->due = calloc(opts->n_peers, sizeof(*s->due));
	if (!s->peers || !s->due || model_host_init(&s->host, opts->n_peers) != 0)
		goto fail;
	for (unsigned int i = 0; i < opts->n_peers; i++)
		model_peer_init(&s->peers[i], s, i);
	if (!start_dp(s))
		goto fail;
	sim_settle(s);
	s->pool_start = sim_pool_in_use(s);
	return s;
fail:
	sim_close(s);
	return NULL;
}

static void free_ring_contents(struct rte_ring *r)
{
	void *m;

	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
}

void sim_close(struct sim *s)
{
	if (!s)
		return;
	for (unsigned int i = 0; i < s->n_held_to; i++)
		rte_pktmbuf_free(s->held_to[i]);
	for (unsigned int i = 0; i < s->n_held_from; i++)
		rte_pktmbuf_free(s->held_from[i]);
	if (s->dp) {
		if (s->w) {
			rte_rcu_qsbr_thread_offline(s->dp->rcu, 0);
			rte_rcu_qsbr_thread_unregister(s->dp->rcu, 0);
		}
		/* Stopped, not closed: the next data plane configures the same ports again. */
		for (unsigned int i = 0; i < s->dp->n_ports; i++)
			rte_eth_dev_stop(s->dp->ports[i].port_id);
		for (unsigned int i = 0; i < 2; i++) {
			free_ring_contents(net.rx[i]);
			free_ring_contents(net.tx[i]);
		}
		dp_free(s->dp);
	}
	wgdp_config_free(s->cfg);
	free(s->cfg_text);
	if (s->peers)
		for (unsigned int i = 0; i < s->opts.n_peers; i++)
			model_peer_free(&s->peers[i]);
	model_host_free(&s->host, s->opts.n_peers);
	free(s->peers);
	free(s->due);
	free(s);
}

/* An Ethernet/IPv4/UDP frame from the pool wgdp's RX queues use, as a NIC's would be. */
static struct rte_mbuf *udp4_frame(struct sim *s, const struct rte_ether_addr *src_mac,
				   const struct rte_ether_addr *dst_mac, const uint8_t *src_ip,
				   const uint8_t *dst_ip, uint16_t sport, uint16_t dport,
				   const void *payload, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(s->dp->pool);
	uint16_t outer = dp_outer_len(4);
	uint8_t *d;

	if (!m)
		abort(); /* the harness leaked mbufs: a bug in the test */
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(outer + len));
	memcpy(d + outer, payload, len);
	dp_encap_udp(d, 4, src_mac, src_ip, dst_ip, sport, dport, len);
	rte_ether_addr_copy(dst_mac, &((struct rte_ether_hdr *)d)->dst_addr);
	return m;
}

static void enqueue(struct sim *s, unsigned int port, struct rte_mbuf *m)
{
	/* A NIC's RX path stamps the port; the ring PMD passes mbufs through untouched. */
	m->port = net.port_id[port];
	if (rte_ring_enqueue(net.rx[port], m) != 0)
		abort(); /* 4096 frames in one step: the scenario is broken */
	s->frames_in++;
}

void sim_send_outside(struct sim *s, struct sim_peer *p, const void *msg, uint16_t len)
{
	struct rte_ether_addr wgdp_mac = s->dp->ports[0].iface.mac;
	struct rte_mbuf *m = udp4_frame(s, &gw_mac, &wgdp_mac, p->ip, out_ip, p->port,
					SIM_LISTEN_PORT, msg, len);

	if (s->hold_from_peers && s->n_held_from < SIM_HELD_MAX) {
		s->held_from[s->n_held_from++] = m;
		return;
	}
	enqueue(s, 0, m);
}

void sim_send_inside(struct sim *s, const uint8_t *ip, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(s->dp->pool);
	struct rte_ether_hdr *eth;

	if (!m)
		abort();
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(sizeof(*eth) + len));
	rte_ether_addr_copy(&host_mac, &eth->src_addr);
	rte_ether_addr_copy(&s->dp->ports[1].iface.mac, &eth->dst_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memcpy(eth + 1, ip, len);
	enqueue(s, 1, m);
}

/* Answers an ARP request for the address we stand for, in place; false if not ours. */
static bool answer_arp(struct rte_mbuf *m, const uint8_t *ip, const struct rte_ether_addr *mac)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	uint32_t tip;

	if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*arp) ||
	    arp->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST))
		return false;
	memcpy(&tip, ip, 4);
	if (arp->arp_data.arp_tip != tip)
		return false;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	arp->arp_data.arp_tha = arp->arp_data.arp_sha;
	arp->arp_data.arp_tip = arp->arp_data.arp_sip;
	rte_ether_addr_copy(mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = tip;
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(mac, &eth->src_addr);
	return true;
}

/* What the wire tells us about a message from wgdp to a peer, seen before any hold. */
static void wire_note(struct sim *s, struct sim_peer *p, const uint8_t *msg, uint16_t len)
{
	static const uint8_t zero[WG_COOKIE_LEN];
	struct sim_wire *w = &p->wire;

	switch (len ? msg[0] : 0) {
	case WG_MSG_INITIATION:
		if (w->initiations < SIM_LOG_MAX)
			w->init_at[w->initiations] = sim_now(s);
		w->initiations++;
		w->last_init_mac2 = len == sizeof(struct wg_msg_initiation) &&
				    memcmp(((const struct wg_msg_initiation *)msg)->macs.mac2, zero,
					   sizeof(zero)) != 0;
		break;
	case WG_MSG_RESPONSE:
		w->responses++;
		break;
	case WG_MSG_COOKIE:
		w->cookies++;
		break;
	case WG_MSG_DATA:
		if (len == WG_MSG_DATA_MIN_LEN)
			w->keepalives++;
		else
			w->data++;
		break;
	}
}

/* The UDP payload of a frame to a peer, and which peer; -1 when it is no such frame. */
static int to_peer(struct sim *s, struct rte_mbuf *m, struct dp_pkt *pkt, uint16_t *dport,
		   uint16_t *off, uint16_t *len)
{
	int peer;

	if (!dp_pkt_parse(m, pkt) || pkt->family != 4)
		return -1;
	peer = peer_of_ip(s, pkt->dst);
	if (peer < 0 || memcmp(pkt->src, out_ip, 4) != 0 || !dp_pkt_udp(m, pkt, dport, off, len))
		return -1;
	return peer;
}

/* Hands a frame to its peer model and frees it. */
static void deliver(struct sim *s, struct rte_mbuf *m)
{
	struct dp_pkt pkt = { 0 };
	uint16_t dport, off, len;
	int peer = to_peer(s, m, &pkt, &dport, &off, &len);

	if (peer >= 0)
		model_peer_rx(&s->peers[peer], rte_pktmbuf_mtod_offset(m, uint8_t *, off), len,
			      dport);
	rte_pktmbuf_free(m);
}

/* A frame wgdp sent out of the outside port. */
static void outside_tx(struct sim *s, struct rte_mbuf *m)
{
	struct dp_pkt pkt = { 0 };
	uint16_t dport, off, len;
	int peer = to_peer(s, m, &pkt, &dport, &off, &len);

	if (peer < 0) {
		if (pkt.family == 0 && pkt.ethertype == RTE_ETHER_TYPE_ARP &&
		    answer_arp(m, gw_ip, &gw_mac))
			enqueue(s, 0, m);
		else
			rte_pktmbuf_free(m);
		return;
	}
	wire_note(s, &s->peers[peer], rte_pktmbuf_mtod_offset(m, uint8_t *, off), len);
	if (s->hold_to_peers && s->n_held_to < SIM_HELD_MAX) {
		s->held_to[s->n_held_to++] = m;
		return;
	}
	deliver(s, m);
}

/* A frame wgdp sent out of the inside port. */
static void inside_tx(struct sim *s, struct rte_mbuf *m)
{
	struct dp_pkt pkt = { 0 };

	if (!dp_pkt_parse(m, &pkt) || pkt.family != 4) {
		if (pkt.ethertype == RTE_ETHER_TYPE_ARP && answer_arp(m, host_ip, &host_mac)) {
			enqueue(s, 1, m);
			return;
		}
		s->host.bad++;
		rte_pktmbuf_free(m);
		return;
	}
	model_host_rx(s, rte_pktmbuf_mtod_offset(m, uint8_t *, pkt.l3_off),
		      (uint16_t)(rte_pktmbuf_data_len(m) - pkt.l3_off));
	rte_pktmbuf_free(m);
}

static unsigned int drain_wire(struct sim *s)
{
	struct rte_mbuf *pkts[64];
	unsigned int total = 0, n;

	for (unsigned int port = 0; port < 2; port++) {
		while ((n = rte_ring_dequeue_burst(net.tx[port], (void **)pkts, 64, NULL)) > 0) {
			for (unsigned int i = 0; i < n; i++)
				(port ? inside_tx : outside_tx)(s, pkts[i]);
			total += n;
			s->frames_out += n;
		}
	}
	return total;
}

/* Nothing waits anywhere wgdp would still move it from without time passing. */
static bool quiet(const struct sim *s)
{
	const struct dp_ctx *dp = s->dp;

	for (unsigned int i = 0; i < 2; i++)
		if (rte_ring_count(net.rx[i]) || rte_ring_count(net.tx[i]))
			return false;
	for (unsigned int i = 0; i < dp->n_ports; i++)
		if (rte_ring_count(dp->ports[i].ctl_tx))
			return false;
	for (unsigned int i = 0; i < dp->n_engines; i++)
		if (rte_ring_count(dp->engines[i].ring) || rte_ring_count(dp->engines[i].prio_ring))
			return false;
	return !rte_ring_count(dp->hs_done_ring) && !rte_ring_count(dp->local_ring) &&
	       !rte_ring_count(dp->resolve_ring) && !rte_ring_count(dp->stage_ring) &&
	       !rte_ring_count(dp->event_ring);
}

/* Engines 1..K-1, here in turn after the control pass, as if on lcores of their own. */
static void engines_poll(struct sim *s)
{
	for (unsigned int i = 1; i < s->dp->n_engines; i++) {
		struct dp_hs_engine *e = &s->dp->engines[i];
		struct dp_sink sink = { .dp = s->dp, .worker = NULL, .drops = e->drops };

		dp_handshakes_drain(e, &sink, wg_clock_mono_ns());
		dp_sink_flush(&sink);
	}
}

void sim_settle(struct sim *s)
{
	for (unsigned int i = 0; i < SETTLE_MAX; i++) {
		dp_shared_lcore_poll(s->dp, s->w);
		engines_poll(s);
		if (!drain_wire(s) && quiet(s))
			return;
	}
	fprintf(stderr, "sim: the network did not settle (a packet loop?)\n");
	abort();
}

void sim_due(struct sim *s, unsigned int peer, uint64_t at)
{
	s->due[peer] = at;
	if (at < s->due_min)
		s->due_min = at;
}

/* The models whose timers are due; a scan only when the earliest of them is. */
static bool tick_models(struct sim *s)
{
	uint64_t now = wg_clock_mono_ns(), min = UINT64_MAX;

	if (now < s->due_min)
		return false;
	s->due_min = UINT64_MAX;
	for (unsigned int i = 0; i < s->opts.n_peers; i++)
		if (s->due[i] <= now)
			model_peer_tick(&s->peers[i], now);
	for (unsigned int i = 0; i < s->opts.n_peers; i++)
		min = s->due[i] < min ? s->due[i] : min;
	s->due_min = min;
	return true;
}

void sim_step(struct sim *s)
{
	wg_clock_advance(SIM_TICK);
	sim_settle(s);
	if (tick_models(s))
		sim_settle(s);
}

void sim_run(struct sim *s, uint64_t dt)
{
	sim_run_until(s, sim_now(s) + dt);
}

void sim_run_until(struct sim *s, uint64_t t)
{
	while (sim_now(s) + SIM_TICK <= t)
		sim_step(s);
}

void sim_release_to_peers(struct sim *s, bool reverse)
{
	struct rte_mbuf *m[SIM_HELD_MAX];
	unsigned int n = s->n_held_to;

	/* What the peers send back while we deliver may be held again: take a copy first. */
	memcpy(m, s->held_to, n * sizeof(m[0]));
	s->n_held_to = 0;
	for (unsigned int k = 0; k < n; k++)
		deliver(s, m[reverse ? n - 1 - k : k]);
	sim_settle(s);
}

void sim_release_from_peers(struct sim *s)
{
	struct rte_mbuf *m[SIM_HELD_MAX];
	unsigned int n = s->n_held_from;

	memcpy(m, s->held_from, n * sizeof(m[0]));
	s->n_held_from = 0;
	for (unsigned int k = 0; k < n; k++)
		enqueue(s, 0, m[k]);
	sim_settle(s);
}

void sim_nat_rebind(struct sim *s, struct sim_peer *p, uint16_t port)
{
	uint16_t old = rte_cpu_to_be_16(p->port);

	p->port = port;
	for (unsigned int k = 0; k < s->n_held_from; k++) {
		struct rte_mbuf *m = s->held_from[k];
		struct dp_pkt pkt;
		struct rte_udp_hdr *udp;

		if (!dp_pkt_parse(m, &pkt) || pkt.family != 4 || memcmp(pkt.src, p->ip, 4) != 0)
			continue;
		udp = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, pkt.l4_off);
		if (udp->src_port == old)
			udp->src_port = rte_cpu_to_be_16(port);
	}
}

unsigned int sim_pool_in_use(const struct sim *s)
{
	return rte_mempool_in_use_count(s->dp->pool);
}

unsigned int sim_staged(const struct sim *s)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i < s->dp->n_peers; i++)
		if (s->dp->peers[i])
			n += s->dp->peers[i]->n_staged;
	return n;
}

uint64_t sim_drops(const struct sim *s, enum dp_drop reason)
{
	uint64_t n = s->dp->ctl_drops[reason];

	for (unsigned int i = 0; i < s->dp->n_workers; i++)
		n += s->dp->workers[i].stats.drops[reason];
	return n;
}

bool sim_seen_mark(uint8_t **bitmap, uint64_t *bits, uint64_t seq)
{
	if (seq >= *bits) {
		uint64_t nbits = *bits ? *bits : 1024;

		while (nbits <= seq)
			nbits *= 2;
		*bitmap = realloc(*bitmap, nbits / 8);
		if (!*bitmap)
			abort();
		memset(*bitmap + *bits / 8, 0, (nbits - *bits) / 8);
		*bits = nbits;
	}
	if ((*bitmap)[seq / 8] & (1u << (seq % 8)))
		return false;
	(*bitmap)[seq / 8] |= (uint8_t)(1u << (seq % 8));
	return true;
}
