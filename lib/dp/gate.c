/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <rte_ether.h>
#include <rte_udp.h>

#include "gate.h"
#include "hs_engine.h"
#include "wg/cookie.h"
#include "wg/messages.h"

/* The published secret is renewed this long before it would expire, and published at once;
 * housekeeping runs every second, so no copy is ever used past the secret's 120 s. */
#define SECRET_RENEW_AHEAD_NS (5 * 1000000000ull)
#define LOAD_MARK_GRAIN_NS    1000000ull /* at most one store a ms: no line ping-pong */

void dp_gate_publish(struct dp_tenant *t, uint64_t now)
{
	struct wg_cookie_checker *c = &t->cookie_checker;

	wg_cookie_checker_refresh(c, now, SECRET_RENEW_AHEAD_NS);
	if (t->cookie_pub.checker.secret_birth == c->secret_birth &&
	    !memcmp(t->cookie_pub.checker.mac1_key, c->mac1_key, sizeof(c->mac1_key)))
		return;
	rte_seqlock_write_lock(&t->cookie_pub.lock);
	wg_cookie_checker_borrow(&t->cookie_pub.checker, c);
	rte_seqlock_write_unlock(&t->cookie_pub.lock);
}

void dp_gate_publish_all(struct dp_ctx *dp, uint64_t now)
{
	for (unsigned int i = 0; i < dp->n_tenants; i++)
		if (dp->tenants[i])
			dp_gate_publish(dp->tenants[i], now);
}

struct wg_cookie_checker *dp_gate_checker(struct dp_tenant *t, unsigned int slot)
{
	struct dp_tenant_worker *tw = &t->per_worker[slot];
	struct wg_cookie_checker copy;
	uint32_t sn;

	do {
		sn = rte_seqlock_read_begin(&t->cookie_pub.lock);
		if (sn == tw->cookie_sn)
			return &tw->cookie;
		copy = t->cookie_pub.checker;
	} while (rte_seqlock_read_retry(&t->cookie_pub.lock, sn));
	/* Borrowed again: this worker's reply nonces must be its own. */
	wg_cookie_checker_borrow(&tw->cookie, &copy);
	tw->cookie_sn = sn;
	wg_cookie_checker_wipe(&copy);
	return &tw->cookie;
}

void dp_gate_note_load(struct dp_hs_engine *e, uint64_t now)
{
	uint64_t last = __atomic_load_n(&e->last_under_load, __ATOMIC_RELAXED);

	if ((int64_t)(now - last) > (int64_t)LOAD_MARK_GRAIN_NS)
		__atomic_store_n(&e->last_under_load, now, __ATOMIC_RELAXED);
}

void dp_gate_count_sign(struct dp_hs_engine *e, struct dp_flood_count *c, uint64_t now)
{
	if (now - c->window_ns > DP_FLOOD_WINDOW_NS) {
		c->window_ns = now;
		c->n = 0;
	}
	if (++c->n >= DP_FLOOD_SIGNS)
		dp_gate_note_load(e, now);
}

bool dp_gate_under_load(struct dp_hs_engine *e, uint64_t now)
{
	uint64_t last;

	if (rte_ring_count(e->ring) >= e->dp->under_load_queue) {
		dp_gate_note_load(e, now);
		return true;
	}
	last = __atomic_load_n(&e->last_under_load, __ATOMIC_RELAXED);
	/* Signed: another lcore's clock reading may be a little ahead of ours. */
	return last && (int64_t)(now - last) < (int64_t)DP_UNDER_LOAD_HOLD_NS;
}

static void send_cookie(struct dp_sink *s, struct dp_worker *w, const struct dp_tenant *t,
			uint16_t port, struct rte_mbuf *m, const struct dp_pkt *p,
			uint16_t src_port, const struct wg_msg_cookie *reply)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct wgdp_endpoint to = { .port = src_port };

	dp_addr_set(&to.addr, p->family, p->src);
	if (dp_reply_udp(s, port, &eth->src_addr, p->dst, t->listen_port, &to, reply,
			 sizeof(*reply)))
		w->stats.cookie_replies_sent++;
}

/* One message's worth of the worker's budget, refilled at DP_GATE_BUDGET_PER_S. */
static bool take_budget(struct dp_worker *w, uint64_t now)
{
	uint64_t idle = RTE_MIN(now - w->gate_refill_ns, 1000000000ull); /* no overflow */
	uint64_t refill = idle * DP_GATE_BUDGET_PER_S / 1000000000ull;

	if (refill) {
		w->gate_tokens = RTE_MIN(w->gate_tokens + refill, (uint64_t)DP_GATE_BURST);
		w->gate_refill_ns = now;
	}
	if (!w->gate_tokens)
		return false;
	w->gate_tokens--;
	return true;
}

/* Is the message's engine behind, and may this worker spend time on it? Engine 0 shares
 * the worker's lcore when there is only one. */
static bool gate_open(struct dp_ctx *dp, struct dp_worker *w, struct dp_hs_engine *e, uint64_t now)
{
	if (dp->control_is_worker && e->index == 0)
		return dp_gate_under_load(e, now);
	return rte_ring_count(e->ring) >= dp->under_load_queue && take_budget(w, now);
}

enum dp_gate_verdict dp_gate_handshake(struct dp_sink *s, struct dp_worker *w,
				       struct dp_hs_engine *e, struct dp_tenant *t, uint16_t port,
				       struct rte_mbuf *m, const struct dp_pkt *p,
				       const uint8_t *msg, uint16_t len, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	const struct rte_udp_hdr *udp;
	struct wg_msg_cookie reply;
	enum wg_cookie_mac_state st;
	uint16_t src_port;

	if (!gate_open(dp, w, e, now))
		return DP_GATE_QUEUE;
	udp = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, p->l4_off);
	src_port = rte_be_to_cpu_16(udp->src_port);
	st = wg_cookie_check_or_reply(dp_gate_checker(t, w->index), msg, len, p->src,
				      p->family == 4 ? 4 : 16, src_port, now, &reply);
	if (st == WG_COOKIE_MAC1_AND_MAC2_VALID)
		return DP_GATE_PRIORITY;
	if (st == WG_COOKIE_MAC_INVALID) {
		w->stats.drops[DP_DROP_MAC1]++;
	} else {
		/*
		 * Replies at a flood's rate keep the load on as long as the flood lasts, though
		 * the gate has emptied the queue. At a legitimate rate (every peer's first
		 * initiation) they must not: with one lcore the gate answers all of them while
		 * loaded, and each would hold the load another second, for good (perf/soak.sh).
		 */
		dp_gate_count_sign(e, &w->gate_replies[e->index], now);
		send_cookie(s, w, t, port, m, p, src_port, &reply);
	}
	rte_pktmbuf_free(m);
	return DP_GATE_DONE;
}
