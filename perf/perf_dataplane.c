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
 *
 * --tenants: the same peers spread over N interfaces (peer i on interface i % N), each with its
 * own key, listen port and, with N > 1, its own VLAN on the inside port: the inside frames are
 * tagged, the decrypted ones come out tagged (lib/dp writes the tag: net_ring has no insert
 * offload) and each peer's data goes to its interface's port. Every packet is checked to leave
 * on its own tenant's VLAN or listen port.
 *
 * --flood: the real control loop (dp_control_poll) runs on a second lcore and handshake
 * initiations from spoofed sources are mixed into the worker's outside input, in rounds
 * interleaved with rounds without them; every data figure is then printed per flood kind with
 * kept = Mpps with the flood / Mpps without (docs/performance.md, "Flood isolation").
 */
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "crypto/aead_batch.h"
#include "crypto/ct.h"
#include "dp/dp.h"
#include "dp/hs_engine.h"
#include "dp/log.h"
#include "dp/peer.h"
#include "dp/pkt.h"
#include "dp/vlan.h"
#include "perf.h"
#include "wg/clock.h"
#include "wg/cookie.h"
#include "wg/messages.h"

#define ROUND 4096 /* packets built per timed round */
/* The remote peers' receiver indexes: peer i's is this + i. */
#define PEER_INDEX_BASE 0x80000000u
/*
 * EAL memory (MiB) for one bench of one interface, and what each interface of a bench with
 * several adds when its allowed-ips are too many for the compact table (lib/dp/peer.h,
 * DP_AIPS_COMPACT_MAX): an rte_fib DIR-24-8 and an rte_fib6 trie with 4-byte next hops hold
 * some 130 MiB however few peers they map. Below it a tenant costs a few KiB.
 */
#define EAL_MEM_MB    1024u
#define TENANT_MEM_MB 160u

/* What rides along with the data in a round. */
enum flood_kind {
	FLOOD_NONE,	 /* data only: the reference */
	FLOOD_HANDSHAKE, /* initiations with a valid mac1: each costs the control an X25519 or
			  * a cookie reply */
	FLOOD_BAD_MAC1,	 /* initiations with a wrong mac1: dropped after one BLAKE2s */
	FLOOD_WRONG_PORT, /* the same frames to another UDP port: the worker drops them itself,
			   * which prices receiving and sorting a flood, control lcore aside */
	FLOOD_KINDS
};

static const char *const flood_names[FLOOD_KINDS] = { "none", "handshake", "bad_mac1",
						       "wrong_port" };

/* The control lcore's command word: a sequence number above these bits, so each command is
 * acknowledged once. */
#define CTL_RUN	 1u
#define CTL_QUIT 2u

/* Per flood kind, summed over a figure's rounds of that kind. */
struct flood_acc {
	double packets, seconds; /* data packets out, worker time */
	uint64_t flood_in;	 /* flood packets fed to the worker */
	uint64_t hs_to_control, hs_queue_drops, flood_dropped;
	uint64_t worker_cookie_replies; /* answered by the worker's handshake gate (under load) */
	uint64_t worker_mac1_drops;	/* dropped by the gate: mac1 not for our key */
	uint64_t ctl_out; /* frames the control lcore sent out through worker 0 */
	uint64_t ctl_tx_full;
	uint64_t initiations_received, cookie_replies_sent, mac_invalid, responses_sent;
	uint64_t noise_errors, under_load_ticks;
	uint64_t backlog_left; /* still queued for the control lcore when the figure ended */
};

struct bench {
	struct wgdp_config cfg;
	struct wgdp_interface_config *ifaces; /* cfg's interfaces, [n_tenants] */
	struct dp_ctx *dp;
	struct rte_ring *out_rx, *out_tx, *in_rx, *in_tx;
	struct rte_mempool *gen; /* our input packets */
	struct wgc_batch *crypto;
	unsigned int n_peers, n_tenants;
	bool tagged;		/* --tagged: one interface on a VLAN too */
	struct dp_peer **peer;	/* [n_peers]: the bench's peer i (ids follow the interfaces) */
	unsigned int *walk;	/* [n_peers]: the bench's peers in the data path's id order */
	uint64_t *counters;	/* next counter the "remote peer" sends with, per peer */
	unsigned int misplaced; /* frames out on another tenant's VLAN or listen port */

	/* --flood */
	bool flood;
	unsigned int flood_ratio; /* data packets per flood packet */
	unsigned int ctl_lcore;
	bool ctl_launched;
	uint32_t ctl_cmd, ctl_ack, ctl_seq;
	struct rte_mempool *flood_pool;
	/* Each kind's handshake queue backlog, parked while other kinds' rounds run. */
	struct rte_ring *park[FLOOD_KINDS];
	struct wg_cookie_maker maker; /* mac1 for our public key, as any sender computes it */
	uint64_t rng;
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

/* The bench's peer number behind an inner address of peer_inner. */
static unsigned int peer_of_inner(const uint8_t a[4])
{
	return (unsigned int)(a[0] - 11) << 16 | (unsigned int)a[1] << 8 | a[2];
}

/*
 * Where peer i's config sits: interface t holds the peers t, t + N, t + 2N, ... (N tenants) in
 * one run of the array, after the peers of the interfaces before it, so that each interface's
 * peers are a slice of the one array.
 */
static unsigned int peer_slot(const struct bench *b, unsigned int i)
{
	unsigned int n = b->n_tenants, t = i % n;

	return t * (b->n_peers / n) + RTE_MIN(t, b->n_peers % n) + i / n;
}

/* The VLAN tenant t's inside traffic rides on: 0 (untagged) with one tenant. */
static uint16_t tenant_vlan(const struct bench *b, unsigned int t)
{
	return b->ifaces[t].has_inside ? b->ifaces[t].inside.vlan : 0;
}

/* Interface t: its own key and listen port, and with several, its own VLAN on the inside port
 * with the port's prefix, so that the LAN host is on-link in every tenant (as tenants may). */
static void iface_build(struct bench *b, unsigned int t, uint16_t in_port)
{
	struct wgdp_interface_config *ic = &b->ifaces[t];
	unsigned int n = b->n_tenants;

	snprintf(ic->name, sizeof(ic->name), "perf%u", t);
	wgc_random(ic->private_key, sizeof(ic->private_key));
	ic->listen_port = (uint16_t)(51820 + t);
	ic->mtu = 1420;
	ic->peers = &b->cfg.peers[peer_slot(b, t)];
	ic->n_peers = b->n_peers / n + (t < b->n_peers % n);
	if (n == 1 && !b->tagged)
		return; /* the inside port's addresses serve, untagged */
	ic->has_inside = true;
	ic->inside.port_id = in_port;
	ic->inside.vlan = (uint16_t)(t + 1);
	ic->inside.addrs[0] = b->cfg.ports[1].addrs[0];
	ic->inside.n_addrs = 1;
}

static int config_build(struct bench *b, uint16_t out_port, uint16_t in_port)
{
	struct wgdp_config *c = &b->cfg;

	memset(c, 0, sizeof(*c));
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
	if (!c->peers)
		return -1;
	for (unsigned int i = 0; i < b->n_peers; i++) {
		struct wgdp_peer_config *p = &c->peers[peer_slot(b, i)];

		wgc_random(p->public_key, 32);
		p->has_endpoint = true;
		p->endpoint.addr.family = 4;
		peer_endpoint(i, p->endpoint.addr.bytes);
		p->endpoint.port = 51820;
		p->allowed_ips = calloc(1, sizeof(*p->allowed_ips));
		if (!p->allowed_ips)
			return -1;
		p->n_allowed_ips = 1;
		p->allowed_ips[0].addr.family = 4;
		peer_inner(i, p->allowed_ips[0].addr.bytes);
		p->allowed_ips[0].addr.bytes[3] = 0;
		p->allowed_ips[0].len = 24;
	}
	c->under_load_queue = 512;
	c->handshake_queue = 4096;
	c->max_peers = b->n_peers;
	for (unsigned int t = 0; t < b->n_tenants; t++)
		iface_build(b, t, in_port);
	c->ifaces = b->ifaces;
	c->n_ifaces = b->n_tenants;
	/* As the parser leaves them: the legacy fields are interfaces[0]'s (config.h). */
	snprintf(c->ifname, sizeof(c->ifname), "%s", b->ifaces[0].name);
	memcpy(c->private_key, b->ifaces[0].private_key, sizeof(c->private_key));
	c->listen_port = b->ifaces[0].listen_port;
	c->mtu = b->ifaces[0].mtu;
	c->n_peers = b->ifaces[0].n_peers;
	return 0;
}

/*
 * The data path numbers peers interface by interface (dp_peers_init): each of ours is found by
 * its key in its own interface. Rounds and sessions walk the peers in that id order, which is
 * the order their memory was allocated in: with one tenant it is the order of the peers, as it
 * always was, and with N tenants the walk over memory stays the same. Walking peer 0, 1, 2, ...
 * instead would jump across the interfaces' id ranges, and the hardware prefetcher that
 * streams one tenant's sequential walk would make N tenants look a third to a half slower for
 * no cost of the data path's (docs/performance.md, "Tenants").
 */
static int peers_find(struct bench *b)
{
	for (unsigned int i = 0; i < b->n_peers; i++) {
		const struct wgdp_peer_config *pc = &b->cfg.peers[peer_slot(b, i)];

		b->peer[i] =
			dp_peer_by_key(b->dp, b->dp->tenants[i % b->n_tenants], pc->public_key);
		if (!b->peer[i] || b->peer[i]->id >= b->n_peers)
			return -1;
		b->walk[b->peer[i]->id] = i;
	}
	return 0;
}

/* A session for every peer, as a completed handshake (we as initiator) leaves it. */
static int sessions_install(struct bench *b)
{
	struct dp_ctx *dp = b->dp;

	for (unsigned int id = 0; id < b->n_peers; id++) {
		unsigned int i = b->walk[id];
		struct dp_peer *p = b->peer[i];
		struct dp_keypair *kp = rte_zmalloc("perf_kp", sizeof(*kp), RTE_CACHE_LINE_SIZE);
		struct wg_keypair *retired[2];

		if (!kp)
			return -1;
		wgc_random(kp->kp.send_key, sizeof(kp->kp.send_key));
		wgc_random(kp->kp.recv_key, sizeof(kp->kp.recv_key));
		kp->kp.birth = wg_clock_mono_ns();
		kp->kp.local_index = i + 1;
		kp->kp.remote_index = PEER_INDEX_BASE + i;
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

static int neighbours_install(struct bench *b)
{
	struct dp_ctx *dp = b->dp;
	struct rte_ether_addr mac = { { 0x02, 0, 0, 0, 0, 0x01 } };
	struct wgdp_addr a = { .family = 4 };
	bool ok;

	memcpy(a.bytes, gateway, 4);
	ok = dp_neigh_set(dp->neigh, &dp->ports[0].iface, &a, &mac);
	memcpy(a.bytes, lan_host, 4);
	if (!b->ifaces[0].has_inside)
		return ok && dp_neigh_set(dp->neigh, &dp->ports[1].iface, &a, &mac) ? 0 : -1;
	/* Each tenant's VLAN is a link of its own: the same LAN host is a neighbour on each. */
	for (unsigned int t = 0; t < b->n_tenants; t++)
		ok = ok && dp_neigh_set(dp->neigh, &dp->tenants[t]->inside_ifc, &a, &mac);
	return ok ? 0 : -1;
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

/* An inside frame: Ethernet (802.1Q-tagged on peer i's tenant's VLAN, if it has one) + an
 * inner IPv4/UDP packet of size bytes for peer i. */
static struct rte_mbuf *inside_frame(struct bench *b, unsigned int i, uint16_t size)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(b->gen);
	uint16_t vid = tenant_vlan(b, i % b->n_tenants);
	uint16_t l2 = (uint16_t)(RTE_ETHER_HDR_LEN + (vid ? sizeof(struct rte_vlan_hdr) : 0));
	uint8_t dst[4], *d;
	struct rte_ether_hdr *eth;

	if (!m)
		return NULL;
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(l2 + size));
	eth = (struct rte_ether_hdr *)d;
	memset(eth, 0x02, sizeof(*eth));
	/* As a LAN host sends it: to the MAC of wgdp's inside port, its router. */
	rte_ether_addr_copy(&b->dp->ports[1].iface.mac, &eth->dst_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	if (vid) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eth + 1);

		vh->eth_proto = eth->ether_type;
		vh->vlan_tci = rte_cpu_to_be_16(vid);
		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
	}
	peer_inner(i, dst);
	memset(d + l2, 0xab, size);
	ipv4_header(d + l2, lan_host, dst, IPPROTO_UDP, size);
	return m;
}

/* An outside frame: WireGuard data from peer i, carrying an inner packet of size bytes. */
static struct rte_mbuf *outside_frame(struct bench *b, unsigned int i, uint16_t size,
				      struct wgc_batch_op *op)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(b->gen);
	struct dp_keypair *kp = b->peer[i]->send_kp;
	uint16_t padded = (uint16_t)wg_padded_len(size, 1420);
	uint16_t payload = (uint16_t)(sizeof(struct wg_msg_data) + padded + WGC_AEAD_TAG_LEN);
	uint8_t src[4], inner_src[4], *d, *wg;
	struct wg_msg_data *h;

	if (!m)
		return NULL;
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(dp_outer_len(4) + payload));
	peer_endpoint(i, src);
	dp_encap_udp(d, 4, &(struct rte_ether_addr){ { 2, 0, 0, 0, 0, 1 } }, src, our_outside,
		     51820, b->ifaces[i % b->n_tenants].listen_port, payload);
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

/* xorshift64*: flood contents only need to differ, not to be secret. */
static uint64_t rng_next(struct bench *b)
{
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * 0x2545f4914f6cdd1dull;
}

/*
 * A handshake initiation from a spoofed source in 100.64.0.0/10 (random address, port and
 * MAC): random contents, so the control lcore finds no peer behind it, but with a valid mac1
 * for our public key (unless kind is FLOOD_BAD_MAC1), so that it passes the first check and
 * costs an X25519 (not under load) or a cookie reply (under load). FLOOD_WRONG_PORT sends
 * the same frame to the UDP port next to ours.
 */
static struct rte_mbuf *flood_frame(struct bench *b, enum flood_kind kind, uint64_t now)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(b->flood_pool);
	uint16_t len = sizeof(struct wg_msg_initiation);
	struct rte_ether_addr mac;
	struct wg_msg_initiation *msg;
	uint8_t src[4], *d;
	uint64_t r;

	if (!m)
		return NULL;
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(dp_outer_len(4) + len));
	if (!d) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	/* A PMD stamps its port on what it receives; net_ring does not, and the control lcore
	 * answers through the port a handshake came in by. */
	m->port = b->dp->ports[0].port_id;
	r = rng_next(b);
	src[0] = 100;
	src[1] = (uint8_t)(64 | (r & 63));
	src[2] = (uint8_t)(r >> 8);
	src[3] = (uint8_t)(r >> 16);
	memcpy(mac.addr_bytes, &r, sizeof(mac.addr_bytes));
	mac.addr_bytes[0] = 0x02; /* unicast, locally administered */
	dp_encap_udp(d, 4, &mac, src, our_outside, (uint16_t)(1024 + (r >> 32) % 64512),
		     kind == FLOOD_WRONG_PORT ? b->cfg.listen_port + 1 : b->cfg.listen_port, len);
	rte_ether_addr_copy(&b->dp->ports[0].iface.mac, &((struct rte_ether_hdr *)d)->dst_addr);
	msg = (struct wg_msg_initiation *)(d + dp_outer_len(4));
	for (unsigned int i = 0; i + 8 <= len; i += 8) {
		r = rng_next(b);
		memcpy((uint8_t *)msg + i, &r, 8);
	}
	wg_msg_header_init(&msg->header, WG_MSG_INITIATION);
	if (kind == FLOOD_HANDSHAKE)
		wg_cookie_add_macs(&b->maker, msg, len, now);
	else
		memset(msg->macs.mac2, 0, sizeof(msg->macs.mac2)); /* mac1 stays random */
	return m;
}

/* Runs the real control loop until told to quit; pauses (without touching the data plane)
 * when told to, so the bench may read its counters and move its queue. */
static int control_main(void *arg)
{
	struct bench *b = arg;
	uint32_t cmd;

	do {
		cmd = __atomic_load_n(&b->ctl_cmd, __ATOMIC_ACQUIRE);
		/* Acknowledged only between two polls: what the last one did is visible. */
		if (__atomic_load_n(&b->ctl_ack, __ATOMIC_RELAXED) != cmd)
			__atomic_store_n(&b->ctl_ack, cmd, __ATOMIC_RELEASE);
		if (cmd & CTL_RUN)
			dp_control_poll(b->dp);
		else
			rte_pause();
	} while (!(cmd & CTL_QUIT));
	return 0;
}

static void ctl_command(struct bench *b, uint32_t what)
{
	uint32_t cmd = (++b->ctl_seq << 2) | what;

	__atomic_store_n(&b->ctl_cmd, cmd, __ATOMIC_RELEASE);
	while (__atomic_load_n(&b->ctl_ack, __ATOMIC_ACQUIRE) != cmd)
		rte_pause();
}

static void ctl_pause(struct bench *b)
{
	if (b->ctl_launched)
		ctl_command(b, 0);
}

static void ctl_resume(struct bench *b)
{
	if (b->ctl_launched)
		ctl_command(b, CTL_RUN);
}

/* Moves every mbuf from one ring to another (the control lcore paused: we are the only
 * consumer of the handshake queue then); returns how many. */
static unsigned int ring_move(struct rte_ring *from, struct rte_ring *to)
{
	struct rte_mbuf *m[64];
	unsigned int n, total = 0;

	while ((n = rte_ring_dequeue_burst(from, (void **)m, 64, NULL)) > 0) {
		unsigned int put = rte_ring_enqueue_burst(to, (void **)m, n, NULL);

		/* Cannot happen (the park rings hold more than the queue), but never leak. */
		rte_pktmbuf_free_bulk(&m[put], n - put);
		total += n;
	}
	return total;
}

static uint64_t drops_but_tx(const struct dp_worker_stats *st)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < DP_DROP_COUNT; i++)
		if (i != DP_DROP_TX_FULL)
			n += st->drops[i];
	return n;
}

static void ctl_snapshot(const struct dp_ctx *dp, uint64_t v[7])
{
	struct dp_control_stats total;
	const struct dp_control_stats *c = &total;

	dp_hs_stats_total(dp, &total);
	v[0] = c->initiations_received;
	v[1] = c->cookie_replies_sent;
	v[2] = c->mac_invalid;
	v[3] = c->responses_sent;
	v[4] = 0;
	for (unsigned int i = 0; i < WG_NOISE_ERR_COUNT; i++)
		v[4] += c->noise_errors[i];
	v[5] = c->under_load_ticks;
	v[6] = dp->ctl_drops[DP_DROP_TX_FULL];
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

/* A decrypted packet leaves on its peer's tenant's VLAN; the inner source names the peer. */
static bool inside_out_ok(const struct bench *b, const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(eth + 1);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
	uint16_t vid = 0;
	unsigned int i;

	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		vid = (uint16_t)RTE_VLAN_TCI_ID(rte_be_to_cpu_16(vh->vlan_tci));
		ip = (const struct rte_ipv4_hdr *)(vh + 1);
	}
	i = peer_of_inner((const uint8_t *)&ip->src_addr);
	return i < b->n_peers && vid == tenant_vlan(b, i % b->n_tenants);
}

/* Encrypted data leaves from its peer's tenant's listen port; the receiver index names the
 * peer (sessions_install). */
static bool outside_out_ok(const struct bench *b, const uint8_t *frame)
{
	const struct rte_udp_hdr *udp =
		(const struct rte_udp_hdr *)(frame + dp_outer_len(4) - sizeof(*udp));
	const struct wg_msg_data *h = (const struct wg_msg_data *)(frame + dp_outer_len(4));
	uint32_t i = wg_get_le32(h->receiver) - PEER_INDEX_BASE;

	return i < b->n_peers &&
	       rte_be_to_cpu_16(udp->src_port) == b->ifaces[i % b->n_tenants].listen_port;
}

/*
 * Frees what came out of both ports: data (what the round is for) and what the control lcore
 * sent through worker 0 (cookie replies and the like), told apart in the encrypt direction,
 * where both leave by the outside port, by message type and length. Data that left on another
 * tenant's VLAN or listen port is counted in b->misplaced, not in data.
 */
static void collect(struct bench *b, bool decrypt, uint16_t size, unsigned int *data,
		    uint64_t *ctl)
{
	uint32_t data_len = dp_outer_len(4) + sizeof(struct wg_msg_data) +
			    (uint32_t)wg_padded_len(size, 1420) + WGC_AEAD_TAG_LEN;
	struct rte_mbuf *m[64];
	unsigned int n;

	if (decrypt) {
		*ctl += ring_free_all(b->out_tx);
		while ((n = rte_ring_dequeue_burst(b->in_tx, (void **)m, 64, NULL)) > 0) {
			for (unsigned int i = 0; i < n; i++)
				if (inside_out_ok(b, m[i]))
					(*data)++;
				else
					b->misplaced++;
			rte_pktmbuf_free_bulk(m, n);
		}
		return;
	}
	*ctl += ring_free_all(b->in_tx);
	while ((n = rte_ring_dequeue_burst(b->out_tx, (void **)m, 64, NULL)) > 0) {
		for (unsigned int i = 0; i < n; i++) {
			const uint8_t *frame = rte_pktmbuf_mtod(m[i], const uint8_t *);

			if (rte_pktmbuf_pkt_len(m[i]) != data_len ||
			    frame[dp_outer_len(4)] != WG_MSG_DATA)
				(*ctl)++;
			else if (outside_out_ok(b, frame))
				(*data)++;
			else
				b->misplaced++;
		}
		rte_pktmbuf_free_bulk(m, n);
	}
}

/*
 * The worker's (and the ceiling's) clock. With --flood this is the main thread's CPU time,
 * not the wall clock: the flood run keeps both cores busy, and on a shared machine a round
 * the scheduler cut into would otherwise count another process's timeslice as the flood's
 * cost (or the reference's). Without --flood, the monotonic clock, as the dataplane figures
 * always were.
 */
static double worker_now(const struct bench *b)
{
	struct timespec ts;

	if (!b->flood)
		return perf_now();
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool ctl_tx_empty(struct bench *b)
{
	for (unsigned int i = 0; i < b->dp->n_ports; i++)
		if (!rte_ring_empty(b->dp->ports[i].ctl_tx))
			return false;
	return true;
}

/*
 * Feeds ROUND data packets through the worker in bursts, with one flood packet of the given
 * kind after every flood_ratio of them; only dp_worker_poll is timed. The flood goes in the
 * outside port (mixed into the data's bursts for decrypt, beside the inside port's for
 * encrypt). The control lcore works on a kind's handshake queue only during that kind's rounds:
 * its backlog is parked in between, so that one kind's rounds (or the reference's) never pay
 * for another's, and what the control lcore sends is sent by the worker inside the round's
 * timed region. ceiling may be NULL: no crypto ceiling for this round.
 */
static int run_round(struct bench *b, bool decrypt, uint16_t size, enum flood_kind kind,
		     struct flood_acc *acc, struct result *ceiling)
{
	static struct rte_mbuf *pkts[ROUND], *flood[ROUND];
	static struct wgc_batch_op ops[ROUND];
	struct dp_ctx *dp = b->dp;
	struct dp_worker *w = &dp->workers[0];
	struct rte_ring *rx = decrypt ? b->out_rx : b->in_rx;
	unsigned int n_flood = kind == FLOOD_NONE ? 0 : ROUND / b->flood_ratio, fj = 0;
	uint64_t now = wg_clock_mono_ns(), ctl_before[7], ctl_after[7];
	struct dp_worker_stats before;
	double t0, spent = 0;
	unsigned int out = 0;

	b->misplaced = 0;
	for (unsigned int k = 0; k < ROUND; k++) {
		unsigned int peer = b->walk[k % b->n_peers];

		pkts[k] = decrypt ? outside_frame(b, peer, size, &ops[k]) : inside_frame(b, peer, size);
		if (!pkts[k])
			return -1;
	}
	for (unsigned int j = 0; j < n_flood; j++) {
		flood[j] = flood_frame(b, kind, now);
		if (!flood[j]) {
			fprintf(stderr, "wgdp-perf dataplane: flood mbuf pool empty\n");
			return -1;
		}
	}
	if (decrypt) {
		for (unsigned int k = 0; k < ROUND; k += DP_BURST)
			wgc_batch_encrypt(b->crypto, &ops[k], DP_BURST);
	}
	ctl_pause(b);
	ctl_snapshot(dp, ctl_before);
	if (b->flood)
		ring_move(b->park[kind], dp->engines[0].ring);
	before = w->stats;
	ctl_resume(b);
	for (unsigned int k = 0; k < ROUND; k += DP_BURST) {
		struct rte_mbuf *burst[2 * DP_BURST], *side[DP_BURST];
		unsigned int nb = 0, ns = 0;

		for (unsigned int i = k; i < k + DP_BURST; i++) {
			burst[nb++] = pkts[i];
			if (fj < n_flood && (fj + 1) * b->flood_ratio - 1 == i) {
				if (decrypt)
					burst[nb++] = flood[fj++];
				else
					side[ns++] = flood[fj++];
			}
		}
		rte_ring_enqueue_burst(rx, (void **)burst, nb, NULL);
		rte_ring_enqueue_burst(b->out_rx, (void **)side, ns, NULL);
		t0 = worker_now(b);
		while (!rte_ring_empty(b->out_rx) || !rte_ring_empty(b->in_rx))
			dp_worker_poll(dp, w);
		spent += worker_now(b) - t0;
		collect(b, decrypt, size, &out, &acc->ctl_out);
	}
	/* What the control lcore sent during the round is the round's: the worker pays its TX. */
	ctl_pause(b);
	t0 = worker_now(b);
	while (!ctl_tx_empty(b))
		dp_worker_poll(dp, w);
	spent += worker_now(b) - t0;
	collect(b, decrypt, size, &out, &acc->ctl_out);
	if (b->flood)
		ring_move(dp->engines[0].ring, b->park[kind]);
	ctl_snapshot(dp, ctl_after);
	ctl_resume(b);

	acc->packets += out;
	acc->seconds += spent;
	acc->flood_in += n_flood;
	acc->hs_to_control += w->stats.handshake_to_control - before.handshake_to_control;
	acc->hs_queue_drops += w->stats.drops[DP_DROP_HANDSHAKE_QUEUE] -
			       before.drops[DP_DROP_HANDSHAKE_QUEUE];
	acc->flood_dropped += drops_but_tx(&w->stats) - drops_but_tx(&before);
	acc->worker_cookie_replies += w->stats.cookie_replies_sent - before.cookie_replies_sent;
	acc->worker_mac1_drops += w->stats.drops[DP_DROP_MAC1] - before.drops[DP_DROP_MAC1];
	acc->initiations_received += ctl_after[0] - ctl_before[0];
	acc->cookie_replies_sent += ctl_after[1] - ctl_before[1];
	acc->mac_invalid += ctl_after[2] - ctl_before[2];
	acc->responses_sent += ctl_after[3] - ctl_before[3];
	acc->noise_errors += ctl_after[4] - ctl_before[4];
	acc->under_load_ticks += ctl_after[5] - ctl_before[5];
	acc->ctl_tx_full += ctl_after[6] - ctl_before[6];
	if (out != ROUND) {
		fprintf(stderr,
			"wgdp-perf dataplane: %u of %u packets came out (and %u on another "
			"tenant's VLAN or listen port)\n",
			out, ROUND, b->misplaced);
		return -1;
	}
	/* Every packet went in, and every flood packet is either queued for the control lcore,
	 * answered by the worker's gate with a cookie reply, or counted as a drop: data packets
	 * cannot be among the drops, all of them came out. */
	if (w->stats.rx_packets - before.rx_packets != ROUND + n_flood ||
	    (w->stats.handshake_to_control - before.handshake_to_control) +
			    (w->stats.cookie_replies_sent - before.cookie_replies_sent) +
			    (drops_but_tx(&w->stats) - drops_but_tx(&before)) !=
		    n_flood) {
		fprintf(stderr,
			"wgdp-perf dataplane: flood of %u unaccounted for: %" PRIu64
			" received of %u, %" PRIu64 " to the control lcore, %" PRIu64 " dropped\n",
			n_flood, w->stats.rx_packets - before.rx_packets, ROUND + n_flood,
			w->stats.handshake_to_control - before.handshake_to_control,
			drops_but_tx(&w->stats) - drops_but_tx(&before));
		return -1;
	}
	if (!ceiling)
		return 0;
	/* The ceiling: the batch AEAD alone, same sizes, same bursts, keys of the same peers. */
	for (unsigned int k = 0; k < ROUND; k++) {
		unsigned int peer = b->walk[k % b->n_peers];
		struct dp_keypair *kp = b->peer[peer]->send_kp;
		uint16_t padded = (uint16_t)wg_padded_len(size, 1420);
		static uint8_t buf[ROUND][1420 + 16];

		ops[k] = (struct wgc_batch_op){ .key = kp->kp.send_key, .counter = k,
						.src = buf[k], .dst = buf[k], .len = padded,
						.tag = buf[k] + padded };
	}
	t0 = worker_now(b);
	for (unsigned int k = 0; k < ROUND; k += DP_BURST) {
		/* Decrypting random bytes costs what decrypting real ones does; only the tag
		 * comparison at the end fails. */
		if (decrypt)
			wgc_batch_decrypt(b->crypto, &ops[k], DP_BURST);
		else
			wgc_batch_encrypt(b->crypto, &ops[k], DP_BURST);
	}
	ceiling->seconds += worker_now(b) - t0;
	ceiling->packets += ROUND;
	return 0;
}

/* At a figure's end: what is still parked for the control lcore is freed and counted. */
static void flood_figure_end(struct bench *b, struct flood_acc *acc)
{
	for (unsigned int k = 0; k < FLOOD_KINDS; k++)
		if (b->park[k])
			acc[k].backlog_left += ring_free_all(b->park[k]);
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
	b->peer = calloc(b->n_peers, sizeof(*b->peer));
	b->walk = calloc(b->n_peers, sizeof(*b->walk));
	b->ifaces = calloc(b->n_tenants, sizeof(*b->ifaces));
	if (out_port < 0 || in_port < 0 || !b->gen || !b->crypto || !b->counters || !b->peer ||
	    !b->walk || !b->ifaces || config_build(b, (uint16_t)out_port, (uint16_t)in_port) != 0) {
		snprintf(err, errlen, "ring ports, pool, crypto context or config: out of memory");
		return -1;
	}
	b->dp = dp_create(&b->cfg, 1, &lcore, err, errlen);
	if (!b->dp)
		return -1;
	b->dp->control_is_worker = !b->flood;
	if (dp_ports_init(b->dp, err, errlen) != 0)
		return -1;
	if (peers_find(b) != 0 || sessions_install(b) != 0 || neighbours_install(b) != 0) {
		snprintf(err, errlen, "peers, sessions or neighbours: not installed");
		return -1;
	}
	rte_rcu_qsbr_thread_register(b->dp->rcu, 0);
	rte_rcu_qsbr_thread_online(b->dp->rcu, 0);
	if (!b->flood)
		return 0;
	/* A round's flood, plus every kind's parked backlog (at most a full handshake queue). */
	snprintf(name, sizeof(name), "perf_flood%u", instance);
	b->flood_pool = rte_pktmbuf_pool_create(name, ROUND + FLOOD_KINDS * b->cfg.handshake_queue +
							      2048,
						256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	for (unsigned int k = 0; k < FLOOD_KINDS; k++) {
		snprintf(name, sizeof(name), "perf_park%u_%u", instance, k);
		b->park[k] = rte_ring_create(name, 2 * b->cfg.handshake_queue, 0,
					     RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (!b->park[k])
			break;
	}
	if (!b->flood_pool || !b->park[FLOOD_KINDS - 1]) {
		snprintf(err, errlen, "flood pool or rings: out of memory");
		return -1;
	}
	wg_cookie_maker_init(&b->maker, b->dp->tenants[0]->identity.public_key);
	wgc_random(&b->rng, sizeof(b->rng));
	b->rng |= 1; /* xorshift never leaves 0 */
	b->ctl_cmd = CTL_RUN;
	if (rte_eal_remote_launch(control_main, b, b->ctl_lcore) != 0) {
		snprintf(err, errlen, "lcore %u: cannot launch the control loop", b->ctl_lcore);
		return -1;
	}
	b->ctl_launched = true;
	return 0;
}

/* Every mbuf back in its pool: nothing was lost on the way (replies, flood, data). */
static int pool_check(const char *what, struct rte_mempool *mp)
{
	unsigned int avail = mp ? rte_mempool_avail_count(mp) : 0;

	if (!mp || avail == mp->size)
		return 0;
	fprintf(stderr, "wgdp-perf dataplane: %u mbufs of the %s pool were not returned\n",
		mp->size - avail, what);
	return -1;
}

static int bench_teardown(struct bench *b)
{
	int rc = 0;

	if (b->ctl_launched) {
		ctl_command(b, CTL_QUIT);
		rte_eal_wait_lcore(b->ctl_lcore);
		b->ctl_launched = false;
	}
	for (unsigned int k = 0; k < FLOOD_KINDS; k++) {
		if (b->park[k])
			ring_free_all(b->park[k]);
		rte_ring_free(b->park[k]);
	}
	if (b->dp) {
		/* The handshake queue and the control-to-worker rings are empty after a figure;
		 * what they would still hold goes back first, so that a leak is a leak. */
		ring_free_all(b->dp->engines[0].ring);
		for (unsigned int i = 0; i < b->dp->n_ports; i++)
			ring_free_all(b->dp->ports[i].ctl_tx);
		ring_free_all(b->out_tx);
		ring_free_all(b->in_tx);
		if (pool_check("data plane", b->dp->pool) || pool_check("input", b->gen) ||
		    pool_check("flood", b->flood_pool))
			rc = -1;
		rte_rcu_qsbr_thread_offline(b->dp->rcu, 0);
		rte_rcu_qsbr_thread_unregister(b->dp->rcu, 0);
		dp_ports_stop(b->dp);
		dp_free(b->dp);
	}
	/* cfg.peers holds every interface's peers (peer_slot); cfg.n_peers only the first's. */
	for (unsigned int i = 0; b->cfg.peers && i < b->n_peers; i++)
		free(b->cfg.peers[i].allowed_ips);
	free(b->cfg.peers);
	free(b->ifaces);
	free(b->peer);
	free(b->walk);
	free(b->counters);
	wgc_batch_free(b->crypto);
	rte_mempool_free(b->gen);
	rte_mempool_free(b->flood_pool);
	/* The ring ports were closed with the dp; their rings are ours. */
	rte_ring_free(b->out_rx);
	rte_ring_free(b->out_tx);
	rte_ring_free(b->in_rx);
	rte_ring_free(b->in_tx);
	return rc;
}

/* What the largest bench adds for tenants whose allowed-ips are too many for the compact
 * table (each then holds rte_fib's ~130 MiB). */
static unsigned int large_tables_mb(const unsigned int *peers, int n_peers,
				    const unsigned int *tenants, int n_tenants)
{
	unsigned int most = 0;

	for (int p = 0; p < n_peers; p++)
		for (int t = 0; t < n_tenants; t++)
			if (tenants[t] > 1 && peers[p] / tenants[t] > DP_AIPS_COMPACT_MAX)
				most = RTE_MAX(most, tenants[t] * TENANT_MEM_MB);
	return most;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: wgdp-perf dataplane [--duration-ms N] [--sizes LIST] [--peers LIST]\n"
		"                           [--tenants LIST]\n"
		"                           [--flood [--flood-ratio N] [--flood-kinds LIST]]\n"
		"  The worker pipeline (lib/dp) on net_ring ports in this process, one worker "
		"lcore,\n"
		"  decrypt-and-forward and encrypt-and-send, beside the batch AEAD alone on the "
		"same\n"
		"  packets (the crypto ceiling). One JSON line per direction, size and peer "
		"count.\n"
		"  --duration-ms N   time per measurement, default 500\n"
		"  --sizes LIST      inner packet sizes, default 64,512,1420\n"
		"  --peers LIST      peer counts, default 1,10000\n"
		"  --tenants LIST    interface counts, 1 to 4094, default 1: the peers spread\n"
		"                    over that many interfaces (peer i on interface i %% N),\n"
		"                    each with its own key and listen port and, with more\n"
		"                    than one, its own VLAN on the inside port\n"
		"  --tagged          one interface (--tenants 1) on a VLAN too, so that 1 and N\n"
		"                    interfaces differ in the interfaces only, not in the tags\n"
		"  --flood           flood isolation: the control loop runs on a second lcore "
		"(EAL\n"
		"                    lcores: the first two CPUs this process may use) and "
		"handshake\n"
		"                    initiations from spoofed sources ride along with the data, in "
		"rounds\n"
		"                    interleaved with rounds without; adds a \"dataplane_flood\" "
		"line per\n"
		"                    figure and flood kind, none included, with kept = Mpps with / "
		"without\n"
		"  --flood-ratio N   data packets per flood packet, default 8\n"
		"  --flood-kinds L   any of handshake (valid mac1: an X25519 or a cookie reply "
		"each),\n"
		"                    bad_mac1 (refused at mac1 by the control lcore, or by the\n"
		"                    worker's gate while the control lcore is behind) and\n"
		"                    wrong_port (dropped by the worker), default handshake; one\n"
		"                    interface only (--tenants 1)\n");
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

/* Flood kinds by name, FLOOD_NONE first (the reference); -1 on an unknown name. */
static int parse_kinds(const char *text, enum flood_kind *out)
{
	char *copy = strdup(text), *save = NULL;
	int n = 1;

	out[0] = FLOOD_NONE;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int k = FLOOD_HANDSHAKE;

		while (k < FLOOD_KINDS && strcmp(t, flood_names[k]) != 0)
			k++;
		if (k == FLOOD_KINDS) {
			fprintf(stderr, "wgdp-perf dataplane: unknown flood kind '%s'\n", t);
			n = -1;
			break;
		}
		for (int i = 1; i < n; i++)
			if (out[i] == (enum flood_kind)k)
				k = -1;
		if (k > 0)
			out[n++] = (enum flood_kind)k;
	}
	free(copy);
	return n;
}

/* The first two CPUs this process may run on, as an EAL lcore list; false if there is one. */
static bool two_cpus(char *list, size_t len, unsigned int *second)
{
	cpu_set_t set;
	int found[2], n = 0;

	if (pthread_getaffinity_np(pthread_self(), sizeof(set), &set) != 0)
		return false;
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &set))
			found[n++] = c;
	if (n < 2)
		return false;
	snprintf(list, len, "%d,%d", found[0], found[1]);
	*second = (unsigned int)found[1];
	return true;
}

static void print_flood(const struct bench *b, bool decrypt, uint16_t size, enum flood_kind kind,
			const struct flood_acc *a, double ref_mpps)
{
	double mpps = a->packets / a->seconds / 1e6;
	/* The worker time one flood packet costs: the extra time per data packet, times the data
	 * packets per flood packet. Unlike kept, it does not depend on the flood's share. */
	double ns_per_flood = a->flood_in ? (a->seconds / a->packets - 1e-6 / ref_mpps) *
						    a->packets / (double)a->flood_in * 1e9
					  : 0;

	printf("{\"bench\":\"dataplane_flood\",\"dir\":\"%s\",\"size\":%u,\"peers\":%u,"
	       "\"tenants\":%u,\"flood\":\"%s\",\"flood_ratio\":%u,\"flood_pps\":%.0f,"
	       "\"mpps\":%.3f,\"gbps\":%.2f,\"kept\":%.3f,\"ns_per_flood_pkt\":%.0f,"
	       "\"flood_in\":%" PRIu64 ",\"hs_to_control\":%" PRIu64 ",\"hs_queue_drops\":%" PRIu64
	       ",\"flood_dropped\":%" PRIu64 ",\"worker_cookie_replies\":%" PRIu64
	       ",\"worker_mac1_drops\":%" PRIu64 ",\"initiations_received\":%" PRIu64
	       ",\"cookie_replies_sent\":%" PRIu64 ",\"mac_invalid\":%" PRIu64
	       ",\"responses_sent\":%" PRIu64 ",\"noise_errors\":%" PRIu64
	       ",\"under_load_ticks\":%" PRIu64 ",\"ctl_out\":%" PRIu64 ",\"ctl_tx_full\":%" PRIu64
	       ",\"backlog_left\":%" PRIu64 "}\n",
	       decrypt ? "decrypt" : "encrypt", size, b->n_peers, b->n_tenants, flood_names[kind],
	       kind == FLOOD_NONE ? 0 : b->flood_ratio, (double)a->flood_in / a->seconds, mpps,
	       mpps * size * 8 / 1e3, mpps / ref_mpps, ns_per_flood, a->flood_in, a->hs_to_control,
	       a->hs_queue_drops, a->flood_dropped, a->worker_cookie_replies, a->worker_mac1_drops,
	       a->initiations_received, a->cookie_replies_sent, a->mac_invalid, a->responses_sent,
	       a->noise_errors, a->under_load_ticks, a->ctl_out, a->ctl_tx_full, a->backlog_left);
}

/* One (direction, size) figure of bench b: rounds of each kind in turn until each kind has
 * been timed for duration; the crypto ceiling beside the reference rounds. */
static int figure(struct bench *b, bool decrypt, uint16_t size, double duration,
		  const enum flood_kind *kinds, int n_kinds)
{
	struct flood_acc acc[FLOOD_KINDS] = { 0 };
	struct result ceil = { 0 };
	bool more = true;
	double mpps, cmpps;

	while (more) {
		more = false;
		for (int i = 0; i < n_kinds; i++) {
			struct flood_acc *a = &acc[kinds[i]];

			if (a->seconds >= duration)
				continue;
			if (run_round(b, decrypt, size, kinds[i], a,
				      kinds[i] == FLOOD_NONE ? &ceil : NULL) != 0)
				return -1;
			more = more || a->seconds < duration;
		}
	}
	ctl_pause(b);
	flood_figure_end(b, acc);
	ctl_resume(b);
	mpps = acc[FLOOD_NONE].packets / acc[FLOOD_NONE].seconds / 1e6;
	cmpps = ceil.packets / ceil.seconds / 1e6;
	printf("{\"bench\":\"dataplane\",\"dir\":\"%s\",\"size\":%u,"
	       "\"peers\":%u,\"tenants\":%u,\"tagged\":%s,\"workers\":1,\"arch\":\"%s\","
	       "\"mpps\":%.3f,\"gbps\":%.2f,\"crypto_mpps\":%.3f,\"crypto_gbps\":%.2f,"
	       "\"ratio_to_crypto\":%.3f}\n",
	       decrypt ? "decrypt" : "encrypt", size, b->n_peers, b->n_tenants,
	       b->ifaces[0].has_inside ? "true" : "false", wgc_arch_name(wgc_batch_arch(b->crypto)),
	       mpps, mpps * size * 8 / 1e3, cmpps, cmpps * size * 8 / 1e3, mpps / cmpps);
	if (b->flood)
		for (int i = 0; i < n_kinds; i++)
			print_flood(b, decrypt, size, kinds[i], &acc[kinds[i]], mpps);
	fflush(stdout);
	return 0;
}

/* One bench (a peer count and a tenant count): every size, both directions. */
static int bench_run(struct bench *b, const unsigned int *sizes, int n_sizes, double duration,
		     const enum flood_kind *kinds, int n_kinds)
{
	char err[256];
	int rc = 0;

	if (bench_setup(b, err, sizeof(err)) != 0) {
		fprintf(stderr, "wgdp-perf dataplane: %s\n", err);
		bench_teardown(b);
		return -1;
	}
	for (int si = 0; si < n_sizes && rc == 0; si++) {
		uint16_t size = (uint16_t)RTE_MIN(RTE_MAX(sizes[si], 28u), 1420u);

		for (int dir = 0; dir < 2 && rc == 0; dir++)
			rc = figure(b, dir == 0, size, duration, kinds, n_kinds);
	}
	if (bench_teardown(b) != 0)
		rc = -1;
	return rc;
}

int perf_dataplane_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "duration-ms", required_argument, NULL, 'd' },
		{ "sizes", required_argument, NULL, 's' },
		{ "peers", required_argument, NULL, 'p' },
		{ "tenants", required_argument, NULL, 't' },
		{ "tagged", no_argument, NULL, 'g' },
		{ "flood", no_argument, NULL, 'f' },
		{ "flood-ratio", required_argument, NULL, 'r' },
		{ "flood-kinds", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char lcores[32] = "0", mem[16];
	char *eal_argv[] = { "wgdp-perf", "-l", lcores, "--no-huge",	       "--no-shconf",
			     "--no-pci",  "-m", mem,	"--log-level=*:error", NULL };
	unsigned int sizes[8] = { 64, 512, 1420 }, peers[8] = { 1, 10000 }, tenants[8] = { 1 };
	unsigned int flood_ratio = 8, ctl_lcore = 0, most_tenants = 1;
	enum flood_kind kinds[FLOOD_KINDS] = { FLOOD_NONE, FLOOD_HANDSHAKE };
	int n_sizes = 3, n_peers = 2, n_tenants = 1, n_kinds = 2, c, rc = 0;
	bool flood = false, tagged = false;
	double duration = 0.5;

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
		case 't':
			n_tenants = parse_list(optarg, tenants, 8);
			for (int i = 0; i < n_tenants; i++) {
				/* Interface t rides on VLAN t + 1. */
				if (tenants[i] < 1 || tenants[i] > DP_VLAN_VID_MAX) {
					fprintf(stderr, "wgdp-perf dataplane: --tenants: 1 to %u\n",
						DP_VLAN_VID_MAX);
					return 2;
				}
				most_tenants = RTE_MAX(most_tenants, tenants[i]);
			}
			break;
		case 'f':
			flood = true;
			break;
		case 'g':
			tagged = true;
			break;
		case 'r':
			flood_ratio = (unsigned int)strtoul(optarg, NULL, 10);
			if (flood_ratio < 1 || flood_ratio > ROUND) {
				fprintf(stderr, "wgdp-perf dataplane: --flood-ratio: 1 to %u\n",
					ROUND);
				return 2;
			}
			break;
		case 'k':
			n_kinds = parse_kinds(optarg, kinds);
			if (n_kinds < 0)
				return 2;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (flood && (n_tenants != 1 || tenants[0] != 1)) {
		/* The flood's handshakes go to one listen port and its accounting is one
		 * interface's: several would measure something else. */
		fprintf(stderr, "wgdp-perf dataplane: --flood runs one interface: --tenants must "
				"be 1\n");
		usage(stderr);
		return 2;
	}
	if (!flood) {
		n_kinds = 1; /* the reference alone, as without a control lcore */
	} else if (!two_cpus(lcores, sizeof(lcores), &ctl_lcore)) {
		fprintf(stderr, "wgdp-perf dataplane: --flood needs two lcores, the worker's and the "
				"control loop's (EAL -l 0-1), but this process may run on one CPU "
				"only: refusing rather than measuring two loops on one core\n");
		return 2;
	}
	/* Benches run one after the other: the largest one sizes the memory. */
	snprintf(mem, sizeof(mem), "%u",
		 EAL_MEM_MB + large_tables_mb(peers, n_peers, tenants, n_tenants));
	if (wgc_init() != 0 || rte_eal_init((int)(sizeof(eal_argv) / sizeof(eal_argv[0]) - 1),
					    eal_argv) < 0) {
		fprintf(stderr, "wgdp-perf dataplane: EAL initialisation failed\n");
		return 1;
	}
	dp_log_init();
	if (flood && (rte_lcore_count() < 2 || !rte_lcore_is_enabled(ctl_lcore) ||
		      ctl_lcore == rte_get_main_lcore())) {
		fprintf(stderr, "wgdp-perf dataplane: --flood: EAL gave no second lcore (lcores %s)\n",
			lcores);
		rte_eal_cleanup();
		return 2;
	}
	for (int pi = 0; pi < n_peers && rc == 0; pi++) {
		for (int ti = 0; ti < n_tenants && rc == 0; ti++) {
			struct bench b = { .n_peers = peers[pi] ? peers[pi] : 1,
					   .n_tenants = tenants[ti],
					   .tagged = tagged,
					   .flood = flood,
					   .flood_ratio = flood_ratio,
					   .ctl_lcore = ctl_lcore };

			rc = bench_run(&b, sizes, n_sizes, duration, kinds, n_kinds);
		}
	}
	rte_eal_cleanup();
	return rc ? 1 : 0;
}
