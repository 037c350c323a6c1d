/* SPDX-License-Identifier: MIT */
/*
 * Draining: the way out of an anycast cluster (docs/scale-out.md). On SIGTERM with a drain
 * time, wgdp first says it is leaving (the control socket's "health" answers "draining", which
 * the box's route announcer turns into a withdrawal), keeps serving while the routers move the
 * flows to the other boxes, and quits when the time is up. Nothing on the wire changes: peers
 * still in flight to this box are answered as before.
 */
#ifndef WGDP_DP_DRAIN_H
#define WGDP_DP_DRAIN_H

#include <stdbool.h>
#include <stdint.h>

struct dp_ctx;

/*
 * Any thread, a signal handler too (atomics and clock_gettime only): the drain starts now and
 * ends in ms milliseconds. False when a drain had started already (a second SIGTERM means
 * "now").
 */
bool dp_drain_begin(struct dp_ctx *dp, uint32_t ms);

/* Any thread: the monotonic time (ns) at which the drain ends, 0 while serving. */
uint64_t dp_drain_until(const struct dp_ctx *dp);

/* Control lcore, every pass: says once that the drain began, sets quit when it is over. */
void dp_drain_poll(struct dp_ctx *dp, uint64_t now);

#endif
