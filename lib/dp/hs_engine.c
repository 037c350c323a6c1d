/* SPDX-License-Identifier: MIT */
/*
 * Handshake engines (hs_engine.h): their queues, their pools of reserved indexes, the hand-over
 * of the sessions they make, the pause a reload needs, and the loop of an engine's own lcore.
 * The handshake itself is handshake.c's, the same on every engine.
 */
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include "control.h"
#include "crypto/ct.h"
#include "hs_engine.h"
#include "wg/clock.h"
#include "wg/ratelimiter.h"

#define GC_NS WG_NSEC_PER_SEC

static struct rte_ring *engine_ring(const char *what, unsigned int e, unsigned int count,
				    unsigned int esize, unsigned int flags)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "wgdp_%s%u", what, e); /* ring names are global */
	return rte_ring_create_elem(name, esize, count, (int)rte_socket_id(),
				    flags | RING_F_EXACT_SZ);
}

static int engine_init(struct dp_ctx *dp, struct dp_hs_engine *e, unsigned int index,
		       unsigned int lcore_id)
{
	const struct wgdp_config *cfg = dp->cfg;
	unsigned int depth = RTE_MAX(cfg->handshake_queue, 64u);

	e->dp = dp;
	e->index = index;
	e->lcore_id = lcore_id;
	/* Several consumers: an idle engine takes from another's queue (handshake.c). */
	e->ring = engine_ring("hs", index, depth, sizeof(void *), 0);
	e->prio_ring = engine_ring("hs_prio", index, RTE_MAX(depth / 4, 64u), sizeof(void *),
				   RING_F_SC_DEQ);
	e->ratelimiter = wg_ratelimiter_create(RTE_MAX(cfg->handshake_queue * 4u, 4096u));
	/* Engine 0 runs on the index table's one writer and allocates its indexes itself. */
	if (index)
		e->index_pool = engine_ring("hs_ix", index, DP_HS_INDEX_POOL, sizeof(uint32_t),
					    RING_F_SP_ENQ | RING_F_SC_DEQ);
	return e->ring && e->prio_ring && e->ratelimiter && (!index || e->index_pool) ? 0 : -1;
}

int dp_hs_engines_create(struct dp_ctx *dp, unsigned int n_lcores, const unsigned int *lcores)
{
	if (n_lcores + 1 > DP_MAX_HS_ENGINES)
		return -1;
	dp->engines = rte_zmalloc("wgdp_hs_engines", sizeof(*dp->engines) * (n_lcores + 1),
				  RTE_CACHE_LINE_SIZE);
	if (!dp->engines)
		return -1;
	dp->n_engines = n_lcores + 1;
	for (unsigned int i = 0; i < dp->n_engines; i++)
		if (engine_init(dp, &dp->engines[i], i, i ? lcores[i - 1] : rte_get_main_lcore()))
			return -1;
	dp->hs_done_ring =
		rte_ring_create_elem("wgdp_hs_done", sizeof(struct dp_hs_done), DP_HS_DONE_RING,
				     (int)rte_socket_id(), RING_F_SC_DEQ | RING_F_EXACT_SZ);
	return dp->hs_done_ring ? 0 : -1;
}

/* With the engines stopped. Sessions still waiting are discarded, with their secrets. */
void dp_hs_engines_free(struct dp_ctx *dp)
{
	struct dp_hs_done d;

	while (dp->hs_done_ring && rte_ring_dequeue_elem(dp->hs_done_ring, &d, sizeof(d)) == 0) {
		wg_keypair_wipe(&d.kp->kp);
		rte_free(d.kp);
	}
	rte_ring_free(dp->hs_done_ring);
	dp->hs_done_ring = NULL;
	for (unsigned int i = 0; dp->engines && i < dp->n_engines; i++) {
		struct dp_hs_engine *e = &dp->engines[i];

		dp_mbuf_ring_free(e->ring);
		dp_mbuf_ring_free(e->prio_ring);
		rte_ring_free(e->index_pool);
		wg_ratelimiter_free(e->ratelimiter);
		wgc_memzero(e->ephemerals, sizeof(e->ephemerals));
	}
	rte_free(dp->engines);
	dp->engines = NULL;
	dp->n_engines = 0;
}

void dp_hs_index_pools_fill(struct dp_ctx *dp)
{
	for (unsigned int i = 1; i < dp->n_engines; i++) {
		struct rte_ring *pool = dp->engines[i].index_pool;

		for (unsigned int n = rte_ring_free_count(pool); n; n--) {
			uint32_t index;

			if (!wg_index_add(dp->indexes, DP_INDEX_RESERVED, &index))
				return; /* the table is full: the pools wait for room */
			rte_ring_sp_enqueue_elem(pool, &index, sizeof(index));
		}
	}
}

bool dp_hs_index_take(struct dp_hs_engine *e, uint32_t *index)
{
	if (e->spare_index) {
		*index = e->spare_index;
		e->spare_index = 0;
		return true;
	}
	if (e->index == 0)
		return wg_index_add(e->dp->indexes, DP_INDEX_RESERVED, index);
	return rte_ring_sc_dequeue_elem(e->index_pool, index, sizeof(*index)) == 0;
}

void dp_hs_index_give_back(struct dp_hs_engine *e, uint32_t index)
{
	if (e->spare_index && e->index == 0) /* at most one spare: engine 0 can free */
		wg_index_remove(e->dp->indexes, e->spare_index);
	e->spare_index = index;
}

unsigned int dp_hs_done_drain(struct dp_sink *s)
{
	struct dp_hs_done d;
	unsigned int n = 0;

	if (!s->dp->hs_done_ring)
		return 0;
	for (; n < DP_BURST && rte_ring_sc_dequeue_elem(s->dp->hs_done_ring, &d, sizeof(d)) == 0;
	     n++)
		dp_hs_done_apply(s, &d);
	return n;
}

void dp_hs_engines_pause(struct dp_ctx *dp)
{
	uint32_t gen;

	if (dp->n_engines <= 1)
		return;
	gen = __atomic_add_fetch(&dp->hs_pause_gen, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&dp->hs_paused, 1, __ATOMIC_SEQ_CST);
	for (unsigned int i = 1; i < dp->n_engines; i++) {
		struct dp_hs_engine *e = &dp->engines[i];

		while (__atomic_load_n(&e->running, __ATOMIC_SEQ_CST) &&
		       __atomic_load_n(&e->paused_gen, __ATOMIC_ACQUIRE) != gen)
			rte_pause();
	}
}

void dp_hs_engines_resume(struct dp_ctx *dp)
{
	if (dp->n_engines > 1)
		__atomic_store_n(&dp->hs_paused, 0, __ATOMIC_RELEASE);
}

void dp_hs_engine_pause_point(struct dp_hs_engine *e)
{
	struct dp_ctx *dp = e->dp;

	/* Acknowledged on every turn: a resume and the next pause may both come and go while
	 * this thread is off its CPU, and the pause that waits is the newest. */
	while (__atomic_load_n(&dp->hs_paused, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&e->paused_gen,
				 __atomic_load_n(&dp->hs_pause_gen, __ATOMIC_ACQUIRE),
				 __ATOMIC_RELEASE);
		rte_pause();
	}
}

int dp_hs_engine_main(void *arg)
{
	struct dp_hs_engine *e = arg;
	struct dp_ctx *dp = e->dp;
	struct dp_sink s = { .dp = dp, .worker = NULL, .drops = e->drops };

	__atomic_store_n(&e->running, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&dp->quit, __ATOMIC_RELAXED)) {
		uint64_t now = wg_clock_mono_ns();

		dp_hs_engine_pause_point(e);
		if (!dp_handshakes_drain(e, &s, now))
			dp_ephemeral_make(e);
		dp_sink_flush(&s);
		if (now >= e->next_gc) {
			e->next_gc = now + GC_NS;
			wg_ratelimiter_gc(e->ratelimiter, now);
		}
	}
	__atomic_store_n(&e->running, 0, __ATOMIC_SEQ_CST);
	return 0;
}

void dp_hs_stats_total(const struct dp_ctx *dp, struct dp_control_stats *out)
{
	uint64_t *sum = (uint64_t *)out;
	size_t n = sizeof(*out) / sizeof(uint64_t);

	RTE_BUILD_BUG_ON(sizeof(*out) % sizeof(uint64_t) != 0);
	memcpy(out, &dp->ctl_stats, sizeof(*out));
	for (unsigned int i = 0; i < dp->n_engines; i++) {
		const uint64_t *e = (const uint64_t *)&dp->engines[i].stats;

		for (size_t k = 0; k < n; k++)
			sum[k] += __atomic_load_n(&e[k], __ATOMIC_RELAXED);
	}
}
