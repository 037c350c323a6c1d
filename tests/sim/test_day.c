/* SPDX-License-Identifier: MIT */
/*
 * A day in the life of a concentrator: many peers through simulated hours of random sessions
 * (both directions, either side speaking first), silences, roaming, peers that vanish for
 * minutes, and config reloads through the admin path, on the driven clock. Invariants are
 * checked as it runs; losses are checked at the end.
 *
 * WGDP_SIM_PEERS (default 1000), WGDP_SIM_HOURS and WGDP_SIM_SEED (default: from the clock) set
 * the run; the seed is printed to stderr so a failing run can be replayed. The whole day
 * (WGDP_SIM_HOURS=24) costs about 30 s of CPU in the normal build; on a shared machine the
 * wall clock is twice that, so the test suite runs a third of it (8 h), and 4 h under the
 * sanitizers.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dp/admin.h"
#include "dp/hs_engine.h"
#include "sim.h"
#include "unit.h"

#define HOUR (3600 * SIM_S)
#define MIN  (60 * SIM_S)
/*
 * How long a peer's staged queue may go without news (a packet added, sent or dropped): no
 * packet waits longer than REKEY_ATTEMPT_TIME; a second for the control lcore's sweep and
 * one for our sampling.
 */
#define STAGE_BOUND (WG_REKEY_ATTEMPT_TIME + 2 * SIM_S)
#define N_KEEPALIVE 10 /* peers whose persistent keepalive the reloads toggle */
#if defined(__SANITIZE_ADDRESS__)
#define DEFAULT_HOURS 4
#else
#define DEFAULT_HOURS 8
#endif

enum ev_kind { EV_SESSION, EV_PEER_SEND, EV_HOST_SEND, EV_OFFLINE, EV_ONLINE, EV_ROAM, EV_RELOAD };

struct event {
	uint64_t at;
	uint32_t peer;
	uint32_t kind;
};

/* A binary min-heap of events by time. */
struct heap {
	struct event *ev;
	size_t n, cap;
};

struct day_peer {
	uint64_t active_until; /* a session runs until then */
	bool flaky;	       /* goes offline now and then: its losses are allowed */
	bool has_endpoint;     /* in the config */
	bool went_offline;
	uint8_t *last_staged; /* the newest staged mbuf we saw, as an identity */
	unsigned int last_n_staged;
	uint64_t staged_news; /* when its staged queue last changed */
};

struct day {
	struct sim *s;
	struct dp_admin *adm;
	struct heap heap;
	struct day_peer *peers;
	uint64_t rng;
	uint64_t end;
	unsigned int reloads;
	uint16_t keepalive_now;
	struct dp_control_stats last_ctl;
	struct dp_worker_stats last_w;
	uint64_t last_ctl_drops[DP_DROP_COUNT];
	uint64_t violations;
	uint64_t inner; /* inner packets sent, both ways */
};

static uint64_t rnd(struct day *d)
{
	/* xorshift64*: reproducible from the seed alone. */
	d->rng ^= d->rng >> 12;
	d->rng ^= d->rng << 25;
	d->rng ^= d->rng >> 27;
	return d->rng * 2685821657736338717ull;
}

static uint64_t uniform(struct day *d, uint64_t lo, uint64_t hi)
{
	return lo + rnd(d) % (hi - lo + 1);
}

static void push(struct day *d, uint64_t at, uint32_t peer, enum ev_kind kind)
{
	struct heap *h = &d->heap;
	size_t i;

	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 4096;
		h->ev = realloc(h->ev, h->cap * sizeof(*h->ev));
		if (!h->ev)
			abort();
	}
	i = h->n++;
	while (i && h->ev[(i - 1) / 2].at > at) {
		h->ev[i] = h->ev[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->ev[i] = (struct event){ .at = at, .peer = peer, .kind = kind };
}

static struct event pop(struct heap *h)
{
	struct event top = h->ev[0], last = h->ev[--h->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->ev[c + 1].at < h->ev[c].at)
			c++;
		if (h->ev[c].at >= last.at)
			break;
		h->ev[i] = h->ev[c];
		i = c;
	}
	if (h->n)
		h->ev[i] = last;
	return top;
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

/* A session: 10 s to 5 min of traffic; then silence for 1 min to 2 h (across REJECT_AFTER_TIME
 * and the 540 s key wipe alike). */
static void start_session(struct day *d, uint32_t i, uint64_t now)
{
	struct day_peer *dp = &d->peers[i];
	uint64_t len = uniform(d, 10 * SIM_S, 5 * MIN);

	dp->active_until = now + len;
	/* Either side may speak first, but the host can only answer a peer wgdp cannot reach
	 * yet: one without an endpoint in the config must speak first. */
	if (!dp->has_endpoint || rnd(d) % 2)
		push(d, now, i, EV_PEER_SEND);
	else
		push(d, now, i, EV_HOST_SEND);
	push(d, now + uniform(d, 100 * SIM_MS, 3 * SIM_S), i, EV_PEER_SEND);
	push(d, now + uniform(d, 100 * SIM_MS, 3 * SIM_S), i, EV_HOST_SEND);
	if (rnd(d) % 5 == 0)
		push(d, now + uniform(d, 0, len), i, EV_ROAM);
	push(d, now + len + uniform(d, MIN, 2 * HOUR), i, EV_SESSION);
}

/*
 * The peer's NAT rebinds; the peer's client notices and speaks at once from the new port.
 * What was sent before reaches the old port first, and the peer's packet reaches wgdp before
 * anything sent after: a packet wgdp encrypts in the same pass as the roaming packet still goes
 * to the old port (the endpoint moves on the control lcore, after that pass), and such a
 * crossing would be lost on any network.
 */
static void roam(struct day *d, struct sim_peer *p)
{
	uint16_t port = (uint16_t)uniform(d, 1024, 65000);

	sim_settle(d->s);
	sim_nat_rebind(d->s, p, port == p->port ? (uint16_t)(port + 1) : port);
	model_peer_send(p, wg_clock_mono_ns());
	sim_settle(d->s);
}

/* A reload through the admin path: the first peers' persistent keepalive toggled. */
static void reload(struct day *d)
{
	struct wgdp_config_error err;
	struct dp_apply_result res;
	struct wgdp_config *next;
	char *text;

	d->keepalive_now = d->keepalive_now ? 0 : 25;
	text = sim_config_text(d->s, d->keepalive_now, N_KEEPALIVE);
	next = wgdp_config_parse(text, strlen(text), &err);
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	CU_ASSERT_EQUAL(dp_admin_apply(d->adm, next, &res, &err), 0);
	CU_ASSERT_EQUAL(res.changed,
			N_KEEPALIVE < d->s->opts.n_peers ? N_KEEPALIVE : d->s->opts.n_peers);
	CU_ASSERT_EQUAL(res.added + res.removed, 0);
	d->reloads++;
}

/* now: sim time, as the events are scheduled in. */
static void run_event(struct day *d, const struct event *e, uint64_t now)
{
	struct sim *s = d->s;
	struct sim_peer *p = e->peer < s->opts.n_peers ? &s->peers[e->peer] : NULL;
	struct day_peer *dp = p ? &d->peers[e->peer] : NULL;
	bool active = dp && now < dp->active_until;

	switch (e->kind) {
	case EV_SESSION:
		start_session(d, e->peer, now);
		break;
	case EV_PEER_SEND:
		if (active && p->online) {
			model_peer_send(p, wg_clock_mono_ns());
			push(d, now + uniform(d, 100 * SIM_MS, 4 * SIM_S), e->peer, EV_PEER_SEND);
		}
		break;
	case EV_HOST_SEND:
		if (!active)
			break;
		if (dp->has_endpoint || s->host.rx[e->peer])
			model_host_send(s, e->peer);
		push(d, now + uniform(d, 100 * SIM_MS, 4 * SIM_S), e->peer, EV_HOST_SEND);
		break;
	case EV_OFFLINE:
		p->online = false;
		dp->went_offline = true;
		sim_due(s, e->peer, model_peer_deadline(p));
		push(d, now + uniform(d, MIN, 10 * MIN), e->peer, EV_ONLINE);
		break;
	case EV_ONLINE:
		p->online = true;
		sim_due(s, e->peer, model_peer_deadline(p));
		push(d, now + uniform(d, 10 * MIN, 4 * HOUR), e->peer, EV_OFFLINE);
		break;
	case EV_ROAM:
		if (active && p->online)
			roam(d, p);
		break;
	case EV_RELOAD:
		reload(d);
		break;
	}
}

/* Every counter only grows. */
static void check_counters(struct day *d)
{
	struct dp_control_stats now;
	const uint64_t *c = (const uint64_t *)&now;
	const uint64_t *lc = (const uint64_t *)&d->last_ctl;
	const uint64_t *w = (const uint64_t *)&d->s->w->stats;
	const uint64_t *lw = (const uint64_t *)&d->last_w;
	size_t nw = (offsetof(struct dp_worker_stats, drops) + sizeof(d->last_w.drops)) / 8;

	dp_hs_stats_total(d->s->dp, &now);
	for (size_t i = 0; i < sizeof(d->last_ctl) / 8; i++)
		if (c[i] < lc[i])
			d->violations++;
	for (size_t i = 0; i < nw; i++)
		if (w[i] < lw[i])
			d->violations++;
	for (size_t i = 0; i < DP_DROP_COUNT; i++)
		if (d->s->dp->ctl_drops[i] < d->last_ctl_drops[i])
			d->violations++;
	d->last_ctl = now;
	memcpy(&d->last_w, &d->s->w->stats, nw * 8);
	memcpy(d->last_ctl_drops, d->s->dp->ctl_drops, sizeof(d->last_ctl_drops));
}

/*
 * Once a (simulated) second: nothing leaked from the pool (what is not staged is back), no
 * staged queue goes without news for longer than STAGE_BOUND, no handshake retried past the
 * kernel's count.
 */
static void check_second(struct day *d, uint64_t now)
{
	struct sim *s = d->s;
	unsigned int staged = 0;

	for (uint32_t i = 0; i < s->opts.n_peers; i++) {
		struct dp_peer *p = s->dp->peers[i];
		struct day_peer *dp = &d->peers[i];
		uint8_t *newest;

		if (!p)
			continue;
		staged += p->n_staged;
		newest = p->n_staged ? (uint8_t *)p->staged[p->n_staged - 1] : NULL;
		if (newest != dp->last_staged || p->n_staged != dp->last_n_staged) {
			dp->last_staged = newest;
			dp->last_n_staged = p->n_staged;
			dp->staged_news = now;
		} else if (p->n_staged && now - dp->staged_news > STAGE_BOUND) {
			if (d->violations < 10)
				fprintf(stderr,
					"sim-day: peer %u: %u packets staged for %" PRIu64 " s\n",
					i, p->n_staged,
					(uint64_t)((now - dp->staged_news) / SIM_S));
			d->violations++;
			dp->staged_news = now; /* one report per episode */
		}
		if (p->timers.handshake_attempts > WG_MAX_TIMER_HANDSHAKES + 1)
			d->violations++;
	}
	if (sim_pool_in_use(s) != s->pool_start + staged) {
		if (d->violations < 10)
			fprintf(stderr, "sim-day: %u mbufs in use, %u at start, %u staged\n",
				sim_pool_in_use(s), s->pool_start, staged);
		d->violations++;
	}
}

static void setup(struct day *d, unsigned int n_peers, uint64_t hours, uint64_t seed)
{
	struct sim_opts o = { .n_peers = n_peers, .endpoints = true, .n_endpoints = n_peers / 2 };

	memset(d, 0, sizeof(*d));
	d->rng = seed ? seed : 1;
	d->s = sim_open(&o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d->s);
	d->adm = dp_admin_create(d->s->dp, d->s->cfg, "");
	d->peers = calloc(n_peers, sizeof(*d->peers));
	CU_ASSERT_FATAL(d->adm && d->peers);
	d->end = hours * HOUR;
	for (uint32_t i = 0; i < n_peers; i++) {
		d->peers[i].has_endpoint = i < n_peers / 2;
		d->peers[i].flaky = rnd(d) % 10 == 0;
		push(d, uniform(d, SIM_S, 2 * HOUR), i, EV_SESSION);
		if (d->peers[i].flaky)
			push(d, uniform(d, 10 * MIN, 4 * HOUR), i, EV_OFFLINE);
	}
	for (unsigned int k = 1; k <= 4; k++)
		push(d, d->end * k / 5, UINT32_MAX, EV_RELOAD);
}

static void teardown(struct day *d)
{
	dp_admin_free(d->adm);
	sim_close(d->s);
	free(d->peers);
	free(d->heap.ev);
	memset(d, 0, sizeof(*d));
}

/* Runs the events, a tick at a time, until the end; then silence. */
static void run(struct day *d)
{
	struct sim *s = d->s;
	uint64_t next_second = SIM_S;

	while (sim_now(s) < d->end) {
		uint64_t now = sim_now(s);

		while (d->heap.n && d->heap.ev[0].at <= now) {
			struct event e = pop(&d->heap);

			run_event(d, &e, now);
		}
		sim_step(s);
		check_counters(d);
		if (sim_now(s) >= next_second) {
			check_second(d, sim_now(s));
			next_second += SIM_S;
		}
	}
}

/* After the traffic: every handshake wgdp started completed or was given up, nothing held. */
static void check_end(struct day *d)
{
	struct sim *s = d->s;
	uint64_t lost_good = 0, dup = 0;

	for (uint32_t i = 0; i < s->opts.n_peers; i++)
		d->peers[i].active_until = 0;
	for (unsigned int i = 0; i < s->opts.n_peers; i++)
		s->peers[i].online = true;
	sim_run(s, 4 * MIN);
	check_second(d, sim_now(s));
	CU_ASSERT_EQUAL(sim_staged(s), 0);
	CU_ASSERT_EQUAL(sim_pool_in_use(s), s->pool_start);
	for (uint32_t i = 0; i < s->opts.n_peers; i++) {
		struct sim_peer *p = &s->peers[i];

		CU_ASSERT_EQUAL(s->dp->peers[i]->timers.retransmit_handshake_at, 0);
		dup += p->rx_dup + s->host.dup[i];
		d->inner += p->tx_seq + s->host.tx_seq[i];
		CU_ASSERT(p->rx_inner <= s->host.tx_seq[i]);
		CU_ASSERT(s->host.rx[i] <= p->tx_seq);
		if (d->peers[i].went_offline)
			continue;
		lost_good += s->host.tx_seq[i] - p->rx_inner + p->tx_seq - s->host.rx[i];
		if ((s->host.tx_seq[i] != p->rx_inner || p->tx_seq != s->host.rx[i]) &&
		    lost_good < 10)
			fprintf(stderr,
				"sim-day: peer %u lost host->peer %" PRIu64 " of %" PRIu64
				", peer->host %" PRIu64 " of %" PRIu64 "\n",
				i, s->host.tx_seq[i] - p->rx_inner, s->host.tx_seq[i],
				p->tx_seq - s->host.rx[i], p->tx_seq);
	}
	fprintf(stderr,
		"sim-day: %" PRIu64 " inner packets, %" PRIu64 " handshakes, %" PRIu64
		" frames in, %" PRIu64 " out\n",
		d->inner, s->dp->ctl_stats.handshakes_completed, s->frames_in, s->frames_out);
	CU_ASSERT_EQUAL(dup, 0);
	CU_ASSERT_EQUAL(lost_good, 0);
	CU_ASSERT_EQUAL(s->host.bad, 0);
	/* Packets that waited for peers gone offline were answered "host unreachable": every
	 * error the control lcore sent reached the host, and no more than it dropped. */
	CU_ASSERT_EQUAL(s->host.unreachable,
			s->dp->ctl_router.stats.icmp_sent[DP_ICMP_HOST_UNREACH]);
	CU_ASSERT(s->host.unreachable <= s->dp->ctl_stats.staged_dropped +
						 s->dp->ctl_stats.staged_expired);
	CU_ASSERT(s->host.unreachable > 0);
	CU_ASSERT_EQUAL(d->violations, 0);
	CU_ASSERT_EQUAL(d->reloads, 4);
	if (lost_good || d->violations)
		fprintf(stderr,
			"sim-day: %" PRIu64 " inner packets lost between peers that never "
			"went offline, %" PRIu64 " invariant violations\n",
			lost_good, d->violations);
}

/* The run's state; a fatal assertion leaves it to main to free. */
static struct day the_day;

static void test_day(void)
{
	unsigned int n_peers = (unsigned int)env_u64("WGDP_SIM_PEERS", 1000);
	uint64_t hours = env_u64("WGDP_SIM_HOURS", DEFAULT_HOURS);
	uint64_t seed = env_u64("WGDP_SIM_SEED", (uint64_t)time(NULL));
	struct day *d = &the_day;

	fprintf(stderr, "sim-day: %u peers, %" PRIu64 " h, WGDP_SIM_SEED=%" PRIu64 "\n", n_peers,
		hours, seed);
	setup(d, n_peers, hours, seed);
	run(d);
	check_end(d);
	teardown(d);
}

static const CU_TestInfo tests[] = {
	{ "a day of many peers", test_day },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	int rc;

	if (sim_eal_init() != 0) {
		fprintf(stderr, "sim: EAL or ring ports failed\n");
		return 2;
	}
	rc = unit_run("sim-day", tests);
	if (the_day.s)
		teardown(&the_day);
	sim_eal_fini();
	return rc;
}
