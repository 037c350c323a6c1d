/* SPDX-License-Identifier: MIT */
/*
 * The receive counter window (whitepaper 5.4.6; RFC 6479's bitmap without the per-packet
 * shift). A bitmap of 8192 bits in 64-bit words: the word holding the greatest counter seen is
 * live, the others remember the 8128 counters below it. Moving forward clears only the words
 * skipped over, so the cost does not depend on how far the counter jumps.
 *
 * Call wg_replay_check only after the packet authenticated: an unauthenticated counter must
 * never move the window, or anyone could slide it past real traffic.
 */
#ifndef WGDP_WG_REPLAY_H
#define WGDP_WG_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define WG_REPLAY_BITS	   8192
#define WG_REPLAY_WORDS	   (WG_REPLAY_BITS / 64)
#define WG_REPLAY_WINDOW   (WG_REPLAY_BITS - 64) /* 8128 counters behind the greatest */

#ifndef WG_REKEY_AFTER_MESSAGES
#define WG_REKEY_AFTER_MESSAGES (1ull << 60)
#endif
#ifndef WG_REJECT_AFTER_MESSAGES
#define WG_REJECT_AFTER_MESSAGES (UINT64_MAX - 8192) /* 2^64 - 2^13 - 1 (whitepaper 6.1) */
#endif

struct wg_replay {
	uint64_t next;	/* one past the greatest counter accepted; 0 before the first */
	uint64_t bitmap[WG_REPLAY_WORDS];
};

void wg_replay_init(struct wg_replay *r);

/*
 * True when counter is new: not seen, at most WG_REPLAY_WINDOW below the greatest accepted (or
 * above it), below WG_REJECT_AFTER_MESSAGES. Marks it seen. False otherwise, changing nothing.
 */
bool wg_replay_check(struct wg_replay *r, uint64_t counter);

#endif
