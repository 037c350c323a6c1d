/* SPDX-License-Identifier: MIT */
/* Port and next-hop choice for outer (outside) and inner (inside) destinations. */
#ifndef WGDP_DP_ROUTE_H
#define WGDP_DP_ROUTE_H

#include <stdbool.h>

#include "dp.h"

struct dp_route {
	uint16_t port; /* index into dp->ports */
	struct wgdp_addr nh;
	const struct wgdp_addr *src; /* our address on that port, of dst's family */
};

/* Finds how to reach dst through a port of the outside (or inside) role. */
bool dp_route(const struct dp_ctx *dp, bool outside, const struct wgdp_addr *dst,
	      struct dp_route *r);

/* Whether bytes (of family) is one of the port's own addresses. */
bool dp_is_local_addr(const struct dp_port *port, uint8_t family, const uint8_t *bytes);

#endif
