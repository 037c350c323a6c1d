/* SPDX-License-Identifier: MIT */
#include <time.h>

#include "clock.h"

static uint64_t read_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * WG_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t wg_clock_mono_ns(void)
{
	return read_clock(CLOCK_MONOTONIC);
}

uint64_t wg_clock_real_ns(void)
{
	return read_clock(CLOCK_REALTIME);
}
