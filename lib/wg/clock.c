/* SPDX-License-Identifier: MIT */
#include <time.h>

#include "clock.h"

/*
 * A driven clock: while driven is set, both clocks read the values a test wrote. Relaxed
 * atomics are enough: every lcore needs only to see time move forward eventually, and the
 * test advances it between passes it runs itself.
 */
static bool driven;
static uint64_t driven_mono_ns, driven_real_ns;

static uint64_t read_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * WG_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t wg_clock_mono_ns(void)
{
	if (__builtin_expect(__atomic_load_n(&driven, __ATOMIC_RELAXED), 0))
		return __atomic_load_n(&driven_mono_ns, __ATOMIC_RELAXED);
	return read_clock(CLOCK_MONOTONIC);
}

uint64_t wg_clock_real_ns(void)
{
	if (__builtin_expect(__atomic_load_n(&driven, __ATOMIC_RELAXED), 0))
		return __atomic_load_n(&driven_real_ns, __ATOMIC_RELAXED);
	return read_clock(CLOCK_REALTIME);
}

void wg_clock_drive(uint64_t mono_ns, uint64_t real_ns)
{
	__atomic_store_n(&driven_mono_ns, mono_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&driven_real_ns, real_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&driven, true, __ATOMIC_RELEASE);
}

void wg_clock_advance(uint64_t ns)
{
	__atomic_fetch_add(&driven_mono_ns, ns, __ATOMIC_RELAXED);
	__atomic_fetch_add(&driven_real_ns, ns, __ATOMIC_RELAXED);
}

void wg_clock_release(void)
{
	__atomic_store_n(&driven, false, __ATOMIC_RELEASE);
}

bool wg_clock_is_driven(void)
{
	return __atomic_load_n(&driven, __ATOMIC_RELAXED);
}
