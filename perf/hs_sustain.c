/* SPDX-License-Identifier: MIT */
/*
 * wgdp-perf handshake --phases sustain: the generator's peers as a soak wants them
 * (perf/soak.sh). Every peer handshakes twice at once (closed loop, --window in flight), so
 * wgdp holds a current and a previous keypair for each from the first seconds on; then once
 * every --rekey-s, spread evenly; every verified response starts a session, confirmed at once
 * by a keepalive, and every peer with a session sends a keepalive each --keepalive-s. Each round
 * one peer in 8 moves to another UDP port (roaming). Every --flood-every-s a flood of
 * --flood-ms, the kinds of --flood-kinds in turn, at the first of --flood-rates (0 = flat
 * out). JSON lines {"bench":"soak_gen","event":"round"|"flood"|"wgdp_exit",...,"unix":S}.
 * If wgdp dies, the run ends at once and fails.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "crypto/ct.h"
#include "hs_gen.h"
#include "wg/clock.h"

#define FAST_ROUNDS 2

static double unix_now(void)
{
	return (double)wg_clock_real_ns() / 1e9;
}

static void send_keepalive(struct gen *g, uint32_t pi)
{
	struct hs_session *s = &g->sessions[pi];
	struct peer *p = &g->peers[pi];
	uint8_t buf[sizeof(struct wg_msg_data) + WGC_AEAD_TAG_LEN];
	struct wg_msg_data *d = (struct wg_msg_data *)buf;
	struct rte_mbuf *m;
	uint64_t counter = s->kp.send_counter++;

	wg_msg_header_init(&d->header, WG_MSG_DATA);
	wg_put_le32(d->receiver, s->kp.remote_index);
	wg_put_le64(d->counter, counter);
	wgc_aead_encrypt(buf + sizeof(*d), buf + sizeof(*d), 0, NULL, 0, counter, s->kp.send_key);
	m = hs_frame_udp(g, p->ip, p->udp_port, buf, sizeof(buf));
	if (m && rte_eth_tx_burst(g->port, 0, &m, 1) == 1)
		g->keepalives_sent++;
	else if (m)
		rte_pktmbuf_free(m);
}

void hs_session_start(struct gen *g, struct slot *sl)
{
	struct hs_session *s = &g->sessions[sl->peer];

	wg_keypair_wipe(&s->kp);
	s->live = wg_noise_derive_keypair(&s->kp, &sl->hs, wg_clock_mono_ns());
	if (!s->live)
		return;
	s->born_tsc = rte_rdtsc();
	g->sessions_started++;
	send_keepalive(g, sl->peer); /* the responder's next keypair becomes its current */
}

static uint32_t live_sessions(const struct gen *g)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < g->o.peers; i++)
		n += g->sessions[i].live;
	return n;
}

static void print_round(struct gen *g, unsigned int round, double started)
{
	printf("{\"bench\":\"soak_gen\",\"event\":\"round\",\"round\":%u,\"unix\":%.3f,"
	       "\"seconds\":%.3f,\"peers\":%u,\"sent\":%u,\"completed\":%" PRIu64
	       ",\"lost\":%" PRIu64 ",\"cookie_rounds\":%" PRIu64 ",\"verify_failed\":%" PRIu64
	       ",\"sessions\":%u,\"keepalives_sent\":%" PRIu64 "}\n",
	       round, started, unix_now() - started, g->o.peers, g->ph.next, g->ph.completed,
	       g->ph.lost + g->ph.in_flight, g->ph.cookie_rounds, g->ph.verify_failed,
	       live_sessions(g), g->keepalives_sent);
	fflush(stdout);
}

/* "junk,bad_mac1,spoofed_mac1": the n-th flood's kind, in turn. */
static enum flood_kind flood_kind_at(const struct gen *g, unsigned int n)
{
	static const char *const names[FLOOD_KINDS] = { "none", "junk", "bad_mac1",
							"spoofed_mac1" };
	char buf[128], *save = NULL;
	enum flood_kind kinds[8];
	unsigned int k = 0;

	snprintf(buf, sizeof(buf), "%s", g->o.flood_kinds);
	for (char *t = strtok_r(buf, ",", &save); t && k < RTE_DIM(kinds);
	     t = strtok_r(NULL, ",", &save))
		for (int f = 1; f < FLOOD_KINDS; f++)
			if (!strcmp(t, names[f]))
				kinds[k++] = (enum flood_kind)f;
	return k ? kinds[n % k] : FLOOD_SPOOFED_MAC1;
}

static const char *flood_name(enum flood_kind f)
{
	return f == FLOOD_JUNK ? "junk" : f == FLOOD_BAD_MAC1 ? "bad_mac1" : "spoofed_mac1";
}

struct flood_run {
	enum flood_kind kind;
	uint64_t t0, end;
	double started;
	json_t *before;
};

static void flood_step(struct gen *g, struct flood_run *f, uint64_t now)
{
	unsigned int limit = g->o.flood_rates[0];
	struct rte_mbuf *m[BURST];

	if (limit && g->flood_sent * g->hz >= (now - f->t0) * limit)
		return;
	uint16_t k = hs_flood_fill(g, f->kind, m, BURST);
	uint16_t sent = rte_eth_tx_burst(g->port, 0, m, k);

	g->flood_sent += sent;
	for (uint16_t i = sent; i < k; i++)
		rte_pktmbuf_free(m[i]);
}

static void flood_done(struct gen *g, struct flood_run *f, uint64_t now)
{
	json_t *after = hs_ctl_request(g, "{\"cmd\":\"stats\"}\n");
	double secs = (double)(now - f->t0) / (double)g->hz;

	printf("{\"bench\":\"soak_gen\",\"event\":\"flood\",\"flood\":\"%s\",\"unix\":%.3f,"
	       "\"seconds\":%.3f,\"frames\":%" PRIu64 ",\"flood_pps\":%.0f,\"flood_limit_pps\":%u",
	       flood_name(f->kind), f->started, secs, g->flood_sent, (double)g->flood_sent / secs,
	       g->o.flood_rates[0]);
	if (f->before && after)
		hs_print_wgdp_delta(f->before, after);
	printf("}\n");
	fflush(stdout);
	json_decref(f->before);
	json_decref(after);
	f->before = NULL;
	f->end = 0;
}

/* wgdp exited under us: say how, and end the run. */
static bool wgdp_gone(struct gen *g)
{
	int status, code;

	if (waitpid(g->child, &status, WNOHANG) != g->child)
		return false;
	g->child = 0;
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("{\"bench\":\"soak_gen\",\"event\":\"wgdp_exit\",\"unix\":%.3f,"
	       "\"during_run\":true,\"status\":%d}\n",
	       unix_now(), code);
	fflush(stdout);
	return true;
}

/* Every --rekey-s a new round; the first FAST_ROUNDS go as fast as --window allows. */
static int new_round(struct gen *g, unsigned int round)
{
	if (round >= FAST_ROUNDS)
		for (uint32_t i = round % 8; i < g->o.peers; i += 8)
			g->peers[i].udp_port =
				(uint16_t)(20000 + (g->peers[i].udp_port + 7) % 40000);
	return hs_phase_make(g, g->o.peers);
}

int hs_run_sustain(struct gen *g)
{
	const uint64_t hz = g->hz, t0 = rte_rdtsc();
	const uint64_t end = t0 + hz * g->o.sustain_s, rekey = hz * g->o.rekey_s;
	const uint64_t ka_gap = hz * g->o.keepalive_s / g->o.peers;
	uint64_t round_t0 = t0, gap = 0, ka_next = t0, last_expire = t0, last_check = t0;
	uint64_t next_flood = g->o.flood_every_s ? t0 + hz * g->o.flood_every_s : UINT64_MAX;
	struct flood_run fl = { 0 };
	unsigned int round = 0, floods = 0;
	uint32_t ka_cursor = 0;
	double round_started = unix_now();
	int rc = 0;

	g->sessions = calloc(g->o.peers, sizeof(*g->sessions));
	if (!g->sessions || new_round(g, 0))
		return -1;
	while (!hs_interrupted) {
		uint64_t now = rte_rdtsc();
		bool busy = false;

		if (now >= end)
			break;
		if (round < FAST_ROUNDS ? g->ph.next == g->ph.n && !g->ph.in_flight
					: now - round_t0 >= rekey) {
			print_round(g, round, round_started);
			if (new_round(g, ++round))
				return -1;
			now = round_t0 = rte_rdtsc();
			round_started = unix_now();
			gap = round < FAST_ROUNDS ? 0 : rekey / g->o.peers;
		}
		while (g->ph.next < g->ph.n && now >= round_t0 + gap * g->ph.next &&
		       (round >= FAST_ROUNDS || g->ph.in_flight < g->o.window)) {
			hs_send_slot(g, &g->ph.slots[g->ph.next++], now);
			busy = true;
		}
		busy |= hs_rx_poll(g) > 0;
		for (; now >= ka_next; ka_next += ka_gap ? ka_gap : 1) {
			struct hs_session *s = &g->sessions[ka_cursor];

			/* Like a peer, nothing on keys past REJECT_AFTER_TIME (180 s). */
			if (s->live && now - s->born_tsc < 180 * hz)
				send_keepalive(g, ka_cursor);
			ka_cursor = (ka_cursor + 1) % g->o.peers;
		}
		if (now >= next_flood && !fl.end) {
			fl = (struct flood_run){ .kind = flood_kind_at(g, floods++),
						 .t0 = now,
						 .end = now + hz * g->o.flood_ms / 1000,
						 .started = unix_now() };
			fl.before = hs_ctl_request(g, "{\"cmd\":\"stats\"}\n");
			g->flood_sent = 0;
			hs_flood_templates(g, fl.kind);
			next_flood += hz * g->o.flood_every_s;
		}
		if (fl.end) {
			if (now < fl.end)
				flood_step(g, &fl, now);
			else
				flood_done(g, &fl, now);
			busy = true;
		}
		if (now - last_expire > hz / 20) {
			hs_expire(g, now);
			last_expire = now;
		}
		if (now - last_check > hz) {
			last_check = now;
			if (wgdp_gone(g)) {
				rc = -1;
				break;
			}
		}
		if (!busy)
			usleep(100); /* a soak, not a benchmark: leave the CPU to the others */
	}
	if (fl.end)
		flood_done(g, &fl, rte_rdtsc());
	print_round(g, round, round_started);
	for (uint32_t i = 0; i < g->o.peers; i++)
		wg_keypair_wipe(&g->sessions[i].kp);
	free(g->sessions);
	g->sessions = NULL;
	return rc;
}
