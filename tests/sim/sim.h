/* SPDX-License-Identifier: MIT */
/*
 * The time-lapse simulation: the real lib/dp data plane in one process, two ring ports whose
 * rings the test holds, a driven clock, and models on both sides of it (model_peer.c: small
 * WireGuard peers behind a gateway on the outside port; model_host.c: one host on the inside
 * port). harness.c owns the EAL, the ports, the clock and the stepping.
 *
 * Topology (addresses are the harness's, not the config's defaults):
 *   outside port 0: 192.0.2.1/24, gateway 192.0.2.254 (the harness answers its ARP);
 *                   peer i at 198.18.0.0 + i + 1, UDP port 40000 + i (+ roaming offsets)
 *   inside port 1:  10.0.0.1/24, the host 10.0.0.2; peer i's allowed-ips 10.128.0.0 + i + 1 /32
 */
#ifndef WGDP_TESTS_SIM_H
#define WGDP_TESTS_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp/dp.h"
#include "dp/peer.h"
#include "wg/clock.h"
#include "wg/cookie.h"
#include "wg/keypair.h"
#include "wg/noise.h"
#include "wg/timers.h"

#define SIM_MS		WG_NSEC_PER_MSEC
#define SIM_S		WG_NSEC_PER_SEC
#define SIM_TICK	(10 * SIM_MS) /* the control lcore's timer tick */
#define SIM_LISTEN_PORT 51820
#define SIM_HELD_MAX	256
#define SIM_INNER_MAGIC 0x73696d31u /* "sim1": a payload the host model wrote */
#define SIM_LOG_MAX	256

struct sim;

/* What wgdp sent one peer, as the harness saw it on the wire (even when the peer is off). */
struct sim_wire {
	uint64_t initiations, responses, cookies, data, keepalives;
	uint64_t init_at[SIM_LOG_MAX]; /* sim time of each initiation (first SIM_LOG_MAX) */
	bool last_init_mac2;	       /* the last initiation carried a non-zero mac2 */
};

/* A small honest WireGuard peer (model_peer.c). */
struct sim_peer {
	struct sim *sim;
	unsigned int id;
	uint8_t ip[4];
	uint16_t port;
	struct wg_identity ident;
	uint8_t wgdp_pub[32];
	struct wg_handshake hs;
	struct wg_cookie_maker maker;	  /* macs of what we send wgdp */
	struct wg_cookie_checker checker; /* our macs, checked when loaded */
	struct wg_keypairs kps;
	struct wg_timers timers;
	uint32_t next_index;
	uint64_t last_initiation_sent;
	uint64_t queued[16]; /* inner sequence numbers waiting for a session */
	unsigned int n_queued;
	/* Behaviour switches the scenarios flip. */
	bool online;		 /* false: drops everything, runs no timers */
	bool loaded;		 /* answers handshake messages with cookie replies */
	bool ignore_initiations; /* drops wgdp's initiations (a broken return path) */
	/* What it saw. */
	struct sim_wire wire;
	uint64_t tx_seq;	   /* next inner sequence number towards the host */
	uint64_t rx_inner, rx_dup; /* inner packets from the host; duplicates */
	uint8_t *seen;		   /* bitmap of sequence numbers received */
	uint64_t seen_bits;
	uint64_t rx_keepalives;
	uint64_t rx_wrong_port;	   /* frames sent to a port we left (roaming) */
	uint64_t handshakes;	   /* completed, either role */
	struct wg_keypair *newest; /* the keypair of the last handshake */
	bool newest_seen;
	uint64_t first_counter;	  /* of the first data under the newest keypair */
	bool first_was_keepalive; /* ... and whether it was a keepalive */
	uint64_t cookies_sent;
	uint64_t initiations_sent;
	uint64_t mac2_valid_seen; /* handshake messages from wgdp whose mac2 we verified */
};

/* The inside host (model_host.c): sends to peers, counts what it receives per peer. */
struct sim_host {
	uint64_t *tx_seq; /* per peer: next sequence number to send */
	uint64_t *rx;	  /* per peer: packets received */
	uint64_t *dup;	  /* per peer: duplicates */
	uint8_t **seen;	  /* per peer bitmap */
	uint64_t *seen_bits;
	uint64_t bad; /* frames that were not ours or came from the wrong source */
	uint64_t unreachable; /* wgdp's ICMP host unreachable about packets of ours */
};

struct sim_opts {
	unsigned int n_peers;
	bool endpoints;		  /* peers' endpoints in the config */
	uint16_t keepalive;	  /* persistent_keepalive of every peer */
	unsigned int n_endpoints; /* with endpoints: only the first n (0 = all) */
	unsigned int n_engines;	  /* handshake engines (0 or 1: the control lcore's only); the
				   * others run inline in sim_settle, after the control pass */
};

struct sim {
	struct sim_opts opts;
	struct wgdp_config *cfg;
	char *cfg_text;
	struct dp_ctx *dp;
	struct dp_worker *w;
	uint8_t wgdp_priv[32], wgdp_pub[32];
	struct sim_peer *peers;
	struct sim_host host;
	uint64_t t0; /* mono ns at the start */
	unsigned int pool_start;
	/* The network can hold frames (to reorder or delay them). */
	bool hold_to_peers, hold_from_peers;
	struct rte_mbuf *held_to[SIM_HELD_MAX], *held_from[SIM_HELD_MAX];
	unsigned int n_held_to, n_held_from;
	uint64_t frames_in, frames_out;
	uint64_t *due; /* per peer: when its model next has timer work (dense, for the scan) */
	uint64_t due_min;
};

/* Once a process: EAL, the two ring ports. */
int sim_eal_init(void);
void sim_eal_fini(void);

/* A data plane for opts with its models, at sim time 0 (the driven clock). */
struct sim *sim_open(const struct sim_opts *opts);
void sim_close(struct sim *s);

/* The config text for s's peers with the given keepalive for peers [0, n_keepalive). */
char *sim_config_text(struct sim *s, uint16_t keepalive, unsigned int n_keepalive);

/* Sim time (ns since sim_open). */
uint64_t sim_now(const struct sim *s);

/* Polls until nothing moves: wgdp, the wire, the models. */
void sim_settle(struct sim *s);

/* One tick: advance the clock, settle, run the models' due timers, settle. */
void sim_step(struct sim *s);

/* Advances the clock by dt in SIM_TICK steps, settling and running the models' timers. */
void sim_run(struct sim *s, uint64_t dt);
/* Runs until sim time t. */
void sim_run_until(struct sim *s, uint64_t t);

/* Frames into wgdp: on the outside port from a peer, on the inside port from the host. */
void sim_send_outside(struct sim *s, struct sim_peer *p, const void *msg, uint16_t len);
void sim_send_inside(struct sim *s, const uint8_t *frame, uint16_t len);

/*
 * Held frames (hold_to_peers, hold_from_peers): delivered to the peers (in reverse order when
 * reverse: the network reorders), or into wgdp; the hold flags are the caller's to clear.
 */
void sim_release_to_peers(struct sim *s, bool reverse);
void sim_release_from_peers(struct sim *s);

/* The peer's NAT mapping moves to port: held frames from it leave from there too. */
void sim_nat_rebind(struct sim *s, struct sim_peer *p, uint16_t port);

/* The mbuf pool's in-use count, and what wgdp holds staged for all peers. */
unsigned int sim_pool_in_use(const struct sim *s);
unsigned int sim_staged(const struct sim *s);

/* Drops counted for reason by every worker and the control lcore. */
uint64_t sim_drops(const struct sim *s, enum dp_drop reason);

/* Peer addresses. */
void sim_peer_ip(unsigned int i, uint8_t ip[4]);
void sim_inner_ip(unsigned int i, uint8_t ip[4]);

/* A model's timer work comes due at `at` (model_peer.c tells the harness). */
void sim_due(struct sim *s, unsigned int peer, uint64_t at);

/* model_peer.c */
void model_peer_init(struct sim_peer *p, struct sim *s, unsigned int id);
void model_peer_free(struct sim_peer *p);
void model_peer_rx(struct sim_peer *p, const uint8_t *msg, uint16_t len, uint16_t dport);
void model_peer_tick(struct sim_peer *p, uint64_t now);
/* An inner packet towards the host (sequence number next); queued if no session. */
void model_peer_send(struct sim_peer *p, uint64_t now);
void model_peer_initiate(struct sim_peer *p, uint64_t now, bool retry);
/* The cheapest next time model_peer_tick has work. */
uint64_t model_peer_deadline(const struct sim_peer *p);
bool model_peer_has_session(const struct sim_peer *p);

/* model_host.c */
int model_host_init(struct sim_host *h, unsigned int n_peers);
void model_host_free(struct sim_host *h, unsigned int n_peers);
void model_host_send(struct sim *s, unsigned int peer);
void model_host_rx(struct sim *s, const uint8_t *ip, uint16_t len);

/* Writes an IPv4/UDP packet carrying (magic, peer, seq) from src to dst; returns its length. */
uint16_t sim_inner_packet(uint8_t *out, const uint8_t src[4], const uint8_t dst[4], uint32_t peer,
			  uint64_t seq);

/* Sequence bookkeeping shared by both models: true when seq is new. */
bool sim_seen_mark(uint8_t **bitmap, uint64_t *bits, uint64_t seq);

#endif
