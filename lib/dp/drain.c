/* SPDX-License-Identifier: MIT */
#include "dp.h"
#include "drain.h"
#include "log.h"
#include "wg/clock.h"

bool dp_drain_begin(struct dp_ctx *dp, uint32_t ms)
{
	uint64_t none = 0, until = wg_clock_mono_ns() + (uint64_t)ms * WG_NSEC_PER_MSEC;

	/* 0 means "serving": a clock that reads 0 cannot make a drain that never starts. */
	return __atomic_compare_exchange_n(&dp->drain_until, &none, until ? until : 1, false,
					   __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

uint64_t dp_drain_until(const struct dp_ctx *dp)
{
	return __atomic_load_n(&dp->drain_until, __ATOMIC_ACQUIRE);
}

void dp_drain_poll(struct dp_ctx *dp, uint64_t now)
{
	uint64_t until = __atomic_load_n(&dp->drain_until, __ATOMIC_ACQUIRE);

	if (!until)
		return;
	/* Logged here, not in the signal handler, where rte_log may not run. */
	if (!dp->drain_logged) {
		dp->drain_logged = true;
		DP_LOG(NOTICE, config, "draining: health says \"draining\", stopping in %.1f s",
		       until > now ? (double)(until - now) / 1e9 : 0.0);
	}
	if (now >= until)
		__atomic_store_n(&dp->quit, true, __ATOMIC_RELAXED);
}
