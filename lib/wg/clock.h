/* SPDX-License-Identifier: MIT */
/*
 * Time as the protocol sees it. Every rule in lib/wg takes "now" as an argument, so tests
 * drive the clock by hand; the daemon and tools read the real clocks through these helpers.
 *
 * The one clock of a process: lib/dp's control lcore and workers read time only here, so a
 * test that drives it (wg_clock_drive) runs the whole data plane through hours of protocol
 * time in seconds (tests/sim). Driven, both clocks move only when the test advances them.
 */
#ifndef WGDP_WG_CLOCK_H
#define WGDP_WG_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define WG_NSEC_PER_SEC	 1000000000ull
#define WG_NSEC_PER_MSEC 1000000ull

/* Monotonic nanoseconds (CLOCK_MONOTONIC): what timers and rate limits count in. */
uint64_t wg_clock_mono_ns(void);

/* Wall-clock nanoseconds since the Unix epoch (CLOCK_REALTIME): TAI64N and latest_handshake. */
uint64_t wg_clock_real_ns(void);

/* From now on both clocks read these values, until advanced or released (tests only). */
void wg_clock_drive(uint64_t mono_ns, uint64_t real_ns);

/* Moves a driven clock forward by ns, both readings alike. */
void wg_clock_advance(uint64_t ns);

/* Back to the system clocks. */
void wg_clock_release(void);

bool wg_clock_is_driven(void);

#endif
