/* SPDX-License-Identifier: MIT */
/*
 * A rate limit as a theoretical arrival time (GCRA): the ICMP error limits (icmp.c) and the
 * stray data budgets (stray.c) count with it.
 */
#ifndef WGDP_DP_GCRA_H
#define WGDP_DP_GCRA_H

#include <stdbool.h>
#include <stdint.h>

/*
 * tat is when the bucket will be full again (0: never used, full). Taking a token moves it one
 * interval later; refused when that would put it more than burst intervals ahead of now.
 * Differences are taken modulo 2^64, so a wrap of the clock changes nothing; a tat more than
 * 2^63 ns "ahead" is in fact behind (the bucket is full). The new tat goes in *next.
 */
static inline bool dp_gcra_take(uint64_t tat, uint64_t now, uint64_t interval, uint64_t burst,
				uint64_t *next)
{
	uint64_t ahead = tat - now;

	if (tat == 0 || ahead > INT64_MAX)
		ahead = 0;
	if (ahead + interval > burst * interval)
		return false;
	*next = now + ahead + interval;
	if (*next == 0)
		*next = 1; /* 0 means "never used"; one ns later is no difference */
	return true;
}

#endif
