/* SPDX-License-Identifier: MIT */
/*
 * Time as the protocol sees it. Every rule in lib/wg takes "now" as an argument, so tests
 * drive the clock by hand; the daemon and tools read the real clocks through these helpers.
 */
#ifndef WGDP_WG_CLOCK_H
#define WGDP_WG_CLOCK_H

#include <stdint.h>

#define WG_NSEC_PER_SEC	 1000000000ull
#define WG_NSEC_PER_MSEC 1000000ull

/* Monotonic nanoseconds (CLOCK_MONOTONIC): what timers and rate limits count in. */
uint64_t wg_clock_mono_ns(void);

/* Wall-clock nanoseconds since the Unix epoch (CLOCK_REALTIME): TAI64N and latest_handshake. */
uint64_t wg_clock_real_ns(void);

#endif
