/* SPDX-License-Identifier: MIT */
/*
 * wgdp-perf handshake's generator: simulated peers, their initiations ("slots") and a phase
 * of them, the frames on the wire (hs_wire.c), and the wgdp it starts and reads the counters
 * of (hs_wgdp.c). The phases and figures are in perf_handshake.c.
 */
#ifndef WGDP_PERF_HS_GEN_H
#define WGDP_PERF_HS_GEN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "wg/cookie.h"
#include "wg/keypair.h"
#include "wg/messages.h"
#include "wg/noise.h"

#define BURST	     32
#define WG_PORT	     51820
#define MAX_PEERS    (1u << 20)
#define PHASE_SHIFT  24 /* sender index = phase << 24 | slot */
#define N_FLOOD_TMPL 64
#define TS_STEP_NS   (1ull << 25) /* twice TAI64N's grain: each initiation's stamp is newer */

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
	uint64_t first_tsc, done_tsc;
};

struct phase {
	struct slot *slots;
	uint32_t n, next; /* made, next to send */
	uint32_t tag;
	uint32_t in_flight;
	uint64_t completed, lost, cookie_rounds, verified, verify_failed;
};

enum flood_kind { FLOOD_NONE, FLOOD_JUNK, FLOOD_BAD_MAC1, FLOOD_SPOOFED_MAC1, FLOOD_KINDS };

struct opts {
	unsigned int peers;
	unsigned int duration_ms;
	unsigned int window;
	unsigned int verify_every;
	unsigned int legit_rate;
	unsigned int flood_rates[4]; /* flood frames/s each flood kind runs at; 0 = flat out */
	unsigned int n_flood_rates;
	unsigned int timeout_ms;
	unsigned int wait_ms;
	const char *spawn;
	const char *config_path;
	const char *socket_path;
	const char *phases;
	uint32_t our_ip, server_ip;
	/* --config-template: wgdp's config around our peers (its ports, its own peers). */
	const char *config_template;
	/* --phases sustain (hs_sustain.c): keep every peer's session alive for sustain_s. */
	unsigned int sustain_s, rekey_s, keepalive_s, flood_every_s, flood_ms;
	const char *flood_kinds;
};

/* A peer's transport session in --phases sustain: the keypair of its last handshake. */
struct hs_session {
	struct wg_keypair kp;
	uint64_t born_tsc;
	bool live;
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
	uint64_t rng;
	/* The crypto floor, us. */
	double floor_us;
	double noise_us; /* lib/wg's responder side alone, in this process */
	double capacity;
	/* --phases sustain: one session a peer (NULL otherwise), what was sent on them. */
	struct hs_session *sessions;
	uint64_t keepalives_sent, sessions_started;
};

/* Set by SIGINT/SIGTERM: every loop ends early, wgdp is still stopped. */
extern volatile sig_atomic_t hs_interrupted;

static inline uint64_t hs_tsc_us(const struct gen *g, uint64_t t)
{
	return t * 1000000ull / g->hz;
}

/* hs_wire.c: the port, frames, what comes back, the peers and their initiations. */
int hs_port_setup(struct gen *g);
struct rte_mbuf *hs_frame_udp(struct gen *g, uint32_t src_ip, uint16_t sport, const void *payload,
			      uint16_t len);
void hs_send_arp_request(struct gen *g);
void hs_send_echo(struct gen *g, uint16_t seq);
/* Sends (or, after a cookie reply, sends again) an initiation; its times start here. */
void hs_send_slot(struct gen *g, struct slot *s, uint64_t now_tsc);
unsigned int hs_rx_poll(struct gen *g);
/* Slots sent longer ago than the timeout are lost (a real peer would retry after 5 s). */
void hs_expire(struct gen *g, uint64_t now);
int hs_peers_create(struct gen *g);
/* A new phase of n initiations, round-robin over the peers, made now (not timed). */
int hs_phase_make(struct gen *g, uint32_t n);
void hs_phase_clear(struct gen *g);
void hs_flood_templates(struct gen *g, enum flood_kind kind);
uint16_t hs_flood_fill(struct gen *g, enum flood_kind kind, struct rte_mbuf **m, uint16_t want);

/* hs_wgdp.c: the wgdp under test. */
/* With --config-template: its interface.private_key (if any) becomes wgdp's key. */
int hs_template_key(struct gen *g);
int hs_write_config(struct gen *g);
int hs_spawn_wgdp(struct gen *g);
/* Stops wgdp; its wait status, or -1 if it was not running. */
int hs_stop_wgdp(struct gen *g);
/* Waits until wgdp's control socket answers and wgdp answers our ARP. */
int hs_wait_for_wgdp(struct gen *g);
/* One request on wgdp's control socket; the answer, or NULL. */
json_t *hs_ctl_request(struct gen *g, const char *req);
/* wgdp's own counters moved between two stats answers, as a ",\"wgdp\":{...}" member. */
void hs_print_wgdp_delta(json_t *before, json_t *after);

/* hs_sustain.c: --phases sustain, the soak's peers (perf/soak.sh). */
/* A verified response of a sustained peer: its new session, confirmed by a keepalive. */
void hs_session_start(struct gen *g, struct slot *s);
int hs_run_sustain(struct gen *g);

#endif
