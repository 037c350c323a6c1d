/* SPDX-License-Identifier: MIT */
/* Port and next-hop choice for outer (outside) and inner (inside) destinations. */
#ifndef WGDP_DP_ROUTE_H
#define WGDP_DP_ROUTE_H

#include <stdbool.h>

#include "dp.h"

struct dp_route {
	uint16_t port; /* index into dp->ports */
	uint16_t vlan; /* the 802.1Q VLAN to leave on, 0 = untagged */
	struct wgdp_addr nh;
	const struct wgdp_addr *src; /* our address on that port, of dst's family */
};

/* Finds how to reach dst through a port of the outside (or inside) role: an on-link prefix of
 * a port, else the first port of that role with a gateway of dst's family. */
bool dp_route(const struct dp_ctx *dp, bool outside, const struct wgdp_addr *dst,
	      struct dp_route *r);

/*
 * Finds how tenant t reaches inner destination dst. A tenant with an inside attachment: its
 * routing table (on-link prefixes and static routes, longest match) on its own link. Without
 * (the only interface): the inside ports' on-link prefixes, then its static routes (a next hop
 * on-link there), then the inside ports' gateway.
 */
bool dp_route_inside(const struct dp_ctx *dp, const struct dp_tenant *t,
		     const struct wgdp_addr *dst, struct dp_route *r);

/* Whether bytes (of family) is one of our addresses on the link ifc. */
bool dp_is_local_addr(const struct dp_iface *ifc, uint8_t family, const uint8_t *bytes);

#endif
