/* SPDX-License-Identifier: MIT */
/*
 * Normalised prefix → the peer that holds it: an open-addressing hash sized once for the
 * prefixes it will hold. It is how a config refuses one prefix given to two peers and how a
 * UAPI set moves a prefix to the peer it was last given to, in O(1) a prefix, so that a
 * million peers cost a million lookups and not n^2 comparisons.
 *
 * Prefixes are compared as the parsers leave them (wgdp_parse_prefix with host bits cleared:
 * 10.0.1.5/24 is read as 10.0.1.0/24): by family, length and the family's address bytes. The
 * map points at the prefixes it is given, so they must outlive it and stay where they are.
 */
#ifndef WGDP_CONFIG_PREFIX_MAP_H
#define WGDP_CONFIG_PREFIX_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct wgdp_prefix_map;

/* Whether a and b are the same prefix: family, length and the family's address bytes. */
bool wgdp_prefix_equal(const struct wgdp_prefix *a, const struct wgdp_prefix *b);

/* Room for n prefixes; NULL when out of memory. */
struct wgdp_prefix_map *wgdp_prefix_map_new(size_t n);

void wgdp_prefix_map_free(struct wgdp_prefix_map *m);

/* The owner recorded for pf, or -1. */
int64_t wgdp_prefix_map_find(const struct wgdp_prefix_map *m, const struct wgdp_prefix *pf);

/*
 * Records owner for pf if pf is not there yet and returns -1; otherwise leaves the map as it
 * is and returns the owner already recorded. At most n distinct prefixes (wgdp_prefix_map_new).
 */
int64_t wgdp_prefix_map_add(struct wgdp_prefix_map *m, const struct wgdp_prefix *pf,
			    uint32_t owner);

/* Records owner for pf, replacing the owner already recorded: the latest assignment wins. */
void wgdp_prefix_map_set(struct wgdp_prefix_map *m, const struct wgdp_prefix *pf, uint32_t owner);

#endif
