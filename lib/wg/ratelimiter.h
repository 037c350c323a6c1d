/* SPDX-License-Identifier: MIT */
/*
 * The handshake rate limiter (whitepaper 5.3; the kernel's ratelimiter.c): a token bucket per
 * source, 20 packets a second with a burst of 5. IPv4 sources count by address, IPv6 by /64,
 * since one host holds a whole /64 and could otherwise pick a fresh address per packet.
 *
 * Only messages that already passed mac1 and mac2 (under load) reach it, so its job is to stop
 * one source with valid cookies from taking all of the control lcore.
 *
 * The table is bounded: at max_entries sources it refuses new ones (they wait until idle
 * entries are collected) rather than grow without limit under a spoofed flood. Sources are
 * hashed with a random per-table key, so nobody can aim collisions at one bucket chain.
 *
 * Single-threaded: the control lcore owns it. Time is monotonic ns passed in.
 */
#ifndef WGDP_WG_RATELIMITER_H
#define WGDP_WG_RATELIMITER_H

#include <stdbool.h>
#include <stdint.h>

#define WG_RATELIMIT_PER_SECOND 20
#define WG_RATELIMIT_BURST	5
#define WG_RATELIMIT_COST_NS	(1000000000ull / WG_RATELIMIT_PER_SECOND)
#define WG_RATELIMIT_MAX_TOKENS (WG_RATELIMIT_COST_NS * WG_RATELIMIT_BURST)
/* An entry idle this long has a full bucket again: forgetting it changes nothing. */
#define WG_RATELIMIT_IDLE_NS	1000000000ull

/* A source address: family 4 or 6, bytes in network order (4 or 16 used), and a scope (the
 * interface it spoke to): one source has a bucket a scope, so that what it sends one
 * interface never costs it another's handshakes. */
struct wg_rl_addr {
	uint8_t family;
	uint8_t bytes[16];
	uint16_t scope;
};

struct wg_ratelimiter;

/* A limiter for at most max_entries sources at once (>= 1); NULL on allocation failure. */
struct wg_ratelimiter *wg_ratelimiter_create(uint32_t max_entries);
void wg_ratelimiter_free(struct wg_ratelimiter *rl);

/*
 * True when src may have one more handshake processed now (a token is taken). False when its
 * bucket is empty, or when src is new and the table is full.
 */
bool wg_ratelimiter_allow(struct wg_ratelimiter *rl, const struct wg_rl_addr *src, uint64_t now);

/* Forgets sources idle for more than WG_RATELIMIT_IDLE_NS; call about once a second. */
void wg_ratelimiter_gc(struct wg_ratelimiter *rl, uint64_t now);

/* Sources currently tracked. */
uint32_t wg_ratelimiter_count(const struct wg_ratelimiter *rl);

#endif
