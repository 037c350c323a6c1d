/* SPDX-License-Identifier: MIT */
/*
 * wgdp-perf dataplane: the worker pipeline of lib/dp in one process, on net_ring ports (no
 * kernel I/O), beside the crypto-only ceiling measured on the same packets in the same run.
 *
 *  - decrypt: outside frames (UDP/IPv4, WireGuard data from N peers, counters increasing) go in,
 *    inner packets come out of the inside port: lookup, batch decrypt, replay, allowed-ips
 *    source check, forwarding;
 *  - encrypt: inside frames for N peers go in, encapsulated WireGuard data comes out of the
 *    outside port: allowed-ips lookup, counter, padding, batch encrypt, encapsulation.
 *
 * Only the worker's poll is timed; building the input (and its encryption, for the decrypt
 * direction) happens outside the timed region. Keypairs are installed directly, as a
 * completed handshake would leave them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "crypto/aead_batch.h"
#include "crypto/ct.h"
#include "dp/dp.h"
#include "dp/log.h"
#include "dp/peer.h"
#include "dp/pkt.h"
#include "perf.h"
#include "wg/clock.h"

#define ROUND 4096 /* packets built per timed round */

struct bench {
	struct wgdp_config cfg;
	struct dp_ctx *dp;
	struct rte_ring *out_rx, *out_tx, *in_rx, *in_tx;
	struct rte_mempool *gen; /* our input packets */
	struct wgc_batch *crypto;
	unsigned int n_peers;
	uint64_t *counters; /* next counter the "remote peer" sends with, per peer */
};

static const uint8_t our_outside[4] = { 192, 0, 2, 1 };
static const uint8_t gateway[4] = { 192, 0, 2, 254 };
static const uint8_t lan_host[4] = { 10, 255, 0, 2 };

/* Peer i: inner 10.(i >> 8 & 0xff).(i & 0xff).0/24 (first octet 11+ past 65536 peers), endpoint
 * 198.18.x.y:51820 behind the outside gateway. */
static void peer_inner(unsigned int i, uint8_t a[4])
{
	a[0] = (uint8_t)(10 + 1 + (i >> 16));
	a[1] = (uint8_t)(i >> 8);
	a[2] = (uint8_t)i;
	a[3] = 1;
}

static void peer_endpoint(unsigned int i, uint8_t a[4])
{
	a[0] = 198;
	a[1] = (uint8_t)(18 + ((i >> 16) & 1));
	a[2] = (uint8_t)(i >> 8);
	a[3] = (uint8_t)i;
}

static void config_build(struct bench *b, uint16_t out_port, uint16_t in_port)
{
	struct wgdp_config *c = &b->cfg;

	memset(c, 0, sizeof(*c));
	snprintf(c->ifname, sizeof(c->ifname), "perf0");
	wgc_random(c->private_key, sizeof(c->private_key));
	c->listen_port = 51820;
	c->mtu = 1420;
	c->n_ports = 2;
	c->ports[0] = (struct wgdp_port_config){ .port_id = out_port, .role = WGDP_ROLE_OUTSIDE,
						 .n_addrs = 1, .has_gateway = true, .queues = 1 };
	c->ports[0].addrs[0].addr.family = 4;
	memcpy(c->ports[0].addrs[0].addr.bytes, our_outside, 4);
	c->ports[0].addrs[0].len = 24;
	c->ports[0].gateway.family = 4;
	memcpy(c->ports[0].gateway.bytes, gateway, 4);
	c->ports[1] = (struct wgdp_port_config){ .port_id = in_port, .role = WGDP_ROLE_INSIDE,
						 .n_addrs = 1, .queues = 1 };
	c->ports[1].addrs[0].addr.family = 4;
	memcpy(c->ports[1].addrs[0].addr.bytes, (uint8_t[]){ 10, 255, 0, 1 }, 4);
	c->ports[1].addrs[0].len = 16;
	c->peers = calloc(b->n_peers, sizeof(*c->peers));
	c->n_peers = b->n_peers;
	for (unsigned int i = 0; i < b->n_peers; i++) {
		struct wgdp_peer_config *p = &c->peers[i];

		wgc_random(p->public_key, 32);
		p->has_endpoint = true;
		p->endpoint.addr.family = 4;
		peer_endpoint(i, p->endpoint.addr.bytes);
		p->endpoint.port = 51820;
		p->allowed_ips = calloc(1, sizeof(*p->allowed_ips));
		p->n_allowed_ips = 1;
		p->allowed_ips[0].addr.family = 4;
		peer_inner(i, p->allowed_ips[0].addr.bytes);
		p->allowed_ips[0].addr.bytes[3] = 0;
		p->allowed_ips[0].len = 24;
	}
	c->under_load_queue = 512;
	c->handshake_queue = 4096;
	c->max_peers = b->n_peers;
}

/* A session for every peer, as a completed handshake (we as initiator) leaves it. */
static int sessions_install(struct bench *b)
{
	struct dp_ctx *dp = b->dp;

	for (unsigned int i = 0; i < b->n_peers; i++) {
		struct dp_peer *p = dp->peers[i];
		struct dp_keypair *kp = rte_zmalloc("perf_kp", sizeof(*kp), RTE_CACHE_LINE_SIZE);
		struct wg_keypair *retired[2];

		if (!kp)
			return -1;
		wgc_random(kp->kp.send_key, sizeof(kp->kp.send_key));
		wgc_random(kp->kp.recv_key, sizeof(kp->kp.recv_key));
		kp->kp.birth = wg_clock_mono_ns();
		kp->kp.local_index = i + 1;
		kp->kp.remote_index = 0x80000000u + i;
		kp->kp.initiator = true;
		kp->kp.valid = true;
		wg_replay_init(&kp->kp.replay);
		kp->peer = p;
		rte_spinlock_init(&kp->replay_lock);
		if (dp_keypair_publish(dp, kp) != 0)
			return -1;
		wg_keypairs_add(&p->kps, &kp->kp, retired);
		dp_peer_publish_send_kp(p);
	}
	return 0;
}

static void neighbours_install(struct bench *b)
{
	struct dp_ctx *dp = b->dp;
	struct rte_ether_addr mac = { { 0x02, 0, 0, 0, 0, 0x01 } };
	struct wgdp_addr a = { .family = 4 };

	memcpy(a.bytes, gateway, 4);
	dp_neigh_set(dp->neigh, &dp->ports[0].iface, &a, &mac);
	memcpy(a.bytes, lan_host, 4);
	dp_neigh_set(dp->neigh, &dp->ports[1].iface, &a, &mac);
}

static void ipv4_header(uint8_t *d, const uint8_t src[4], const uint8_t dst[4], uint8_t proto,
			uint16_t total)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)d;

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(total);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	memcpy(&ip->src_addr, src, 4);
	memcpy(&ip->dst_addr, dst, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* An inside frame: Ethernet + an inner IPv4/UDP packet of size bytes for peer i. */
static struct rte_mbuf *inside_frame(struct bench *b, unsigned int i, uint16_t size)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(b->gen);
	uint8_t dst[4], *d;
	struct rte_ether_hdr *eth;

	if (!m)
		return NULL;
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(sizeof(*eth) + size));
	eth = (struct rte_ether_hdr *)d;
	memset(eth, 0x02, sizeof(*eth));
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	peer_inner(i, dst);
	memset(d + sizeof(*eth), 0xab, size);
	ipv4_header(d + sizeof(*eth), lan_host, dst, IPPROTO_UDP, size);
	return m;
}

/* An outside frame: WireGuard data from peer i, carrying an inner packet of size bytes. */
static struct rte_mbuf *outside_frame(struct bench *b, unsigned int i, uint16_t size,
				      struct wgc_batch_op *op)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(b->gen);
	struct dp_keypair *kp = b->dp->peers[i]->send_kp;
	uint16_t padded = (uint16_t)wg_padded_len(size, 1420);
	uint16_t payload = (uint16_t)(sizeof(struct wg_msg_data) + padded + WGC_AEAD_TAG_LEN);
	uint8_t src[4], inner_src[4], *d, *wg;
	struct wg_msg_data *h;

	if (!m)
		return NULL;
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(dp_outer_len(4) + payload));
	peer_endpoint(i, src);
	dp_encap_udp(d, 4, &(struct rte_ether_addr){ { 2, 0, 0, 0, 0, 1 } }, src, our_outside,
		     51820, b->cfg.listen_port, payload);
	rte_ether_addr_copy(&b->dp->ports[0].iface.mac,
			    &((struct rte_ether_hdr *)d)->dst_addr);
	wg = d + dp_outer_len(4);
	h = (struct wg_msg_data *)wg;
	wg_msg_header_init(&h->header, WG_MSG_DATA);
	wg_put_le32(h->receiver, kp->kp.local_index);
	wg_put_le64(h->counter, b->counters[i]);
	peer_inner(i, inner_src);
	memset(wg + sizeof(*h), 0, padded);
	memset(wg + sizeof(*h), 0xcd, size);
	ipv4_header(wg + sizeof(*h), inner_src, lan_host, IPPROTO_UDP, size);
	/* The remote peer encrypts with what is our receive key. */
	*op = (struct wgc_batch_op){ .key = kp->kp.recv_key, .counter = b->counters[i]++,
				     .src = wg + sizeof(*h), .dst = wg + sizeof(*h),
				     .len = padded, .tag = wg + sizeof(*h) + padded };
	return m;
}

static unsigned int ring_free_all(struct rte_ring *r)
{
	struct rte_mbuf *m[64];
	unsigned int n, total = 0;

	while ((n = rte_ring_dequeue_burst(r, (void **)m, 64, NULL)) > 0) {
		rte_pktmbuf_free_bulk(m, n);
		total += n;
	}
	return total;
}

struct result {
	double packets, seconds;
};

/* Feeds ROUND packets through the worker in bursts; only dp_worker_poll is timed. */
static int run_round(struct bench *b, bool decrypt, uint16_t size, struct result *r,
		     struct result *ceiling)
{
	static struct rte_mbuf *pkts[ROUND];
	static struct wgc_batch_op ops[ROUND];
	struct dp_worker *w = &b->dp->workers[0];
	struct rte_ring *rx = decrypt ? b->out_rx : b->in_rx;
	struct rte_ring *tx = decrypt ? b->in_tx : b->out_tx;
	double t0, spent = 0;
	unsigned int out = 0;

	for (unsigned int k = 0; k < ROUND; k++) {
		unsigned int peer = k % b->n_peers;

		pkts[k] = decrypt ? outside_frame(b, peer, size, &ops[k]) : inside_frame(b, peer, size);
		if (!pkts[k])
			return -1;
	}
	if (decrypt) {
		for (unsigned int k = 0; k < ROUND; k += DP_BURST)
			wgc_batch_encrypt(b->crypto, &ops[k], DP_BURST);
	}
	for (unsigned int k = 0; k < ROUND; k += DP_BURST) {
		rte_ring_enqueue_burst(rx, (void **)&pkts[k], DP_BURST, NULL);
		t0 = perf_now();
		while (!rte_ring_empty(rx))
			dp_worker_poll(b->dp, w);
		spent += perf_now() - t0;
		out += ring_free_all(tx);
	}
	r->packets += out;
	r->seconds += spent;
	if (out != ROUND) {
		fprintf(stderr, "wgdp-perf dataplane: %u of %u packets came out\n", out, ROUND);
		return -1;
	}
	/* The ceiling: the batch AEAD alone, same sizes, same bursts, keys of the same peers. */
	for (unsigned int k = 0; k < ROUND; k++) {
		unsigned int peer = k % b->n_peers;
		struct dp_keypair *kp = b->dp->peers[peer]->send_kp;
		uint16_t padded = (uint16_t)wg_padded_len(size, 1420);
		static uint8_t buf[ROUND][1420 + 16];

		ops[k] = (struct wgc_batch_op){ .key = kp->kp.send_key, .counter = k,
						.src = buf[k], .dst = buf[k], .len = padded,
						.tag = buf[k] + padded };
	}
	t0 = perf_now();
	for (unsigned int k = 0; k < ROUND; k += DP_BURST) {
		/* Decrypting random bytes costs what decrypting real ones does; only the tag
		 * comparison at the end fails. */
		if (decrypt)
			wgc_batch_decrypt(b->crypto, &ops[k], DP_BURST);
		else
			wgc_batch_encrypt(b->crypto, &ops[k], DP_BURST);
	}
	ceiling->seconds += perf_now() - t0;
	ceiling->packets += ROUND;
	return 0;
}

static int bench_setup(struct bench *b, char *err, size_t errlen)
{
	unsigned int lcore = rte_get_main_lcore();
	char name[32];
	static unsigned int instance;
	int out_port, in_port;

	instance++;
	snprintf(name, sizeof(name), "perf_orx%u", instance);
	b->out_rx = rte_ring_create(name, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "perf_otx%u", instance);
	b->out_tx = rte_ring_create(name, 8192, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "perf_irx%u", instance);
	b->in_rx = rte_ring_create(name, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "perf_itx%u", instance);
	b->in_tx = rte_ring_create(name, 8192, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "perf_out%u", instance);
	out_port = rte_eth_from_rings(name, &b->out_rx, 1, &b->out_tx, 1, 0);
	snprintf(name, sizeof(name), "perf_in%u", instance);
	in_port = rte_eth_from_rings(name, &b->in_rx, 1, &b->in_tx, 1, 0);
	snprintf(name, sizeof(name), "perf_gen%u", instance);
	b->gen = rte_pktmbuf_pool_create(name, ROUND + 1024, 256, 64, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	b->crypto = wgc_batch_create(WGC_ARCH_AUTO);
	b->counters = calloc(b->n_peers, sizeof(*b->counters));
	if (out_port < 0 || in_port < 0 || !b->gen || !b->crypto || !b->counters) {
		snprintf(err, errlen, "ring ports, pool or crypto context: out of memory");
		return -1;
	}
	config_build(b, (uint16_t)out_port, (uint16_t)in_port);
	b->dp = dp_create(&b->cfg, 1, &lcore, err, errlen);
	if (!b->dp)
		return -1;
	b->dp->control_is_worker = true;
	if (dp_ports_init(b->dp, err, errlen) != 0 || sessions_install(b) != 0)
		return -1;
	neighbours_install(b);
	rte_rcu_qsbr_thread_register(b->dp->rcu, 0);
	rte_rcu_qsbr_thread_online(b->dp->rcu, 0);
	return 0;
}

static void bench_teardown(struct bench *b)
{
	if (b->dp) {
		rte_rcu_qsbr_thread_offline(b->dp->rcu, 0);
		rte_rcu_qsbr_thread_unregister(b->dp->rcu, 0);
		dp_ports_stop(b->dp);
		dp_free(b->dp);
	}
	for (unsigned int i = 0; i < b->cfg.n_peers; i++)
		free(b->cfg.peers[i].allowed_ips);
	free(b->cfg.peers);
	free(b->counters);
	wgc_batch_free(b->crypto);
	rte_mempool_free(b->gen);
	/* The ring ports were closed with the dp; their rings are ours. */
	rte_ring_free(b->out_rx);
	rte_ring_free(b->out_tx);
	rte_ring_free(b->in_rx);
	rte_ring_free(b->in_tx);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: wgdp-perf dataplane [--duration-ms N] [--sizes LIST] [--peers LIST]\n"
		"  The worker pipeline (lib/dp) on net_ring ports in this process, one worker lcore,\n"
		"  decrypt-and-forward and encrypt-and-send, beside the batch AEAD alone on the same\n"
		"  packets (the crypto ceiling). One JSON line per direction, size and peer count.\n"
		"  --duration-ms N   time per measurement, default 500\n"
		"  --sizes LIST      inner packet sizes, default 64,512,1420\n"
		"  --peers LIST      peer counts, default 1,10000\n");
}

static int parse_list(const char *text, unsigned int *out, unsigned int max)
{
	unsigned int n = 0;
	char *copy = strdup(text), *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t && n < max; t = strtok_r(NULL, ",", &save))
		out[n++] = (unsigned int)strtoul(t, NULL, 10);
	free(copy);
	return (int)n;
}

int perf_dataplane_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "duration-ms", required_argument, NULL, 'd' },
		{ "sizes", required_argument, NULL, 's' },
		{ "peers", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *eal_argv[] = { "wgdp-perf", "-l", "0", "--no-huge", "--no-shconf", "--no-pci",
			     "-m", "1024", "--log-level=*:error", NULL };
	unsigned int sizes[8] = { 64, 512, 1420 }, peers[8] = { 1, 10000 };
	int n_sizes = 3, n_peers = 2, c, rc = 0;
	double duration = 0.5;
	char err[256];

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			duration = strtod(optarg, NULL) / 1000.0;
			break;
		case 's':
			n_sizes = parse_list(optarg, sizes, 8);
			break;
		case 'p':
			n_peers = parse_list(optarg, peers, 8);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (wgc_init() != 0 || rte_eal_init((int)(sizeof(eal_argv) / sizeof(eal_argv[0]) - 1),
					    eal_argv) < 0) {
		fprintf(stderr, "wgdp-perf dataplane: EAL initialisation failed\n");
		return 1;
	}
	dp_log_init();
	for (int pi = 0; pi < n_peers && rc == 0; pi++) {
		struct bench b = { .n_peers = peers[pi] ? peers[pi] : 1 };

		if (bench_setup(&b, err, sizeof(err)) != 0) {
			fprintf(stderr, "wgdp-perf dataplane: %s\n", err);
			bench_teardown(&b);
			rc = 1;
			break;
		}
		for (int si = 0; si < n_sizes && rc == 0; si++) {
			for (int dir = 0; dir < 2 && rc == 0; dir++) {
				struct result r = { 0 }, ceil = { 0 };
				uint16_t size = (uint16_t)RTE_MIN(RTE_MAX(sizes[si], 28u), 1420u);
				double mpps, cmpps;

				while (r.seconds < duration && rc == 0)
					rc = run_round(&b, dir == 0, size, &r, &ceil);
				if (rc)
					break;
				mpps = r.packets / r.seconds / 1e6;
				cmpps = ceil.packets / ceil.seconds / 1e6;
				printf("{\"bench\":\"dataplane\",\"dir\":\"%s\",\"size\":%u,"
				       "\"peers\":%u,\"workers\":1,\"arch\":\"%s\",\"mpps\":%.3f,"
				       "\"gbps\":%.2f,\"crypto_mpps\":%.3f,\"crypto_gbps\":%.2f,"
				       "\"ratio_to_crypto\":%.3f}\n",
				       dir == 0 ? "decrypt" : "encrypt", size, b.n_peers,
				       wgc_arch_name(wgc_batch_arch(b.crypto)), mpps,
				       mpps * size * 8 / 1e3, cmpps, cmpps * size * 8 / 1e3,
				       mpps / cmpps);
				fflush(stdout);
			}
		}
		bench_teardown(&b);
	}
	rte_eal_cleanup();
	return rc;
}
