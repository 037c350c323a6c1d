/* SPDX-License-Identifier: MIT */
/*
 * TAI64N timestamps, as an initiation carries them: the responder accepts an initiation only
 * if its timestamp is greater than the last one it accepted from that peer, which defeats
 * replay of a captured initiation without keeping per-message state.
 */
#ifndef WGDP_WG_TAI64N_H
#define WGDP_WG_TAI64N_H

#include <stdbool.h>
#include <stdint.h>

#include "messages.h"

/*
 * Writes the TAI64N label of the wall-clock time real_ns (ns since the Unix epoch): 8 bytes of
 * big-endian seconds offset by 2^62 + 10, then 4 bytes of big-endian nanoseconds. The
 * nanoseconds are rounded down to a multiple of 2^24 ns (about 16.8 ms, under the 20 ms
 * initiation interval) so the timestamp does not leak a fine-grained clock to observers.
 */
void wg_tai64n(uint8_t out[WG_TAI64N_LEN], uint64_t real_ns);

/* True when a is strictly later than b; the big-endian layout makes this a byte comparison. */
bool wg_tai64n_after(const uint8_t a[WG_TAI64N_LEN], const uint8_t b[WG_TAI64N_LEN]);

#endif
