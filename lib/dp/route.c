/* SPDX-License-Identifier: MIT */
/*
 * Which port and next hop reach an address: an on-link prefix of a port wins, then the first
 * port of the right role with a gateway of the address's family; for a tenant's inner
 * destinations, its own routing table (rtable.h).
 */
#include <string.h>

#include "pkt.h"
#include "route.h"
#include "router.h"
#include "rtable.h"

static bool route_onlink(const struct dp_ctx *dp, bool outside, const struct wgdp_addr *dst,
			 struct dp_route *r)
{
	for (unsigned int i = 0; i < dp->n_ports; i++) {
		const struct dp_port *port = &dp->ports[i];
		const struct wgdp_port_config *pc = port->iface.cfg;

		if (outside ? !port->outside : !port->inside)
			continue;
		for (unsigned int j = 0; j < pc->n_addrs; j++) {
			if (dp_prefix_holds(&pc->addrs[j], dst->family, dst->bytes)) {
				r->port = (uint16_t)i;
				r->vlan = 0;
				r->nh = *dst;
				r->src = &pc->addrs[j].addr;
				return true;
			}
		}
	}
	return false;
}

static bool route_gateway(const struct dp_ctx *dp, bool outside, const struct wgdp_addr *dst,
			  struct dp_route *r)
{
	for (unsigned int i = 0; i < dp->n_ports; i++) {
		const struct dp_port *port = &dp->ports[i];
		const struct wgdp_port_config *pc = port->iface.cfg;

		if (outside ? !port->outside : !port->inside)
			continue;
		if (pc->has_gateway && pc->gateway.family == dst->family) {
			r->src = dp_addrs_source(pc, dst->family, NULL);
			if (!r->src)
				continue;
			r->port = (uint16_t)i;
			r->vlan = 0;
			r->nh = pc->gateway;
			return true;
		}
	}
	return false;
}

bool dp_route(const struct dp_ctx *dp, bool outside, const struct wgdp_addr *dst,
	      struct dp_route *r)
{
	return route_onlink(dp, outside, dst, r) || route_gateway(dp, outside, dst, r);
}

bool dp_route_inside(const struct dp_ctx *dp, const struct dp_tenant *t,
		     const struct wgdp_addr *dst, struct dp_route *r)
{
	/* A reload may put a new table in place (reconf.c): one load, the old one lives on
	 * until this burst is over. */
	const struct dp_rtable *routes = __atomic_load_n(&t->routes, __ATOMIC_ACQUIRE);
	struct wgdp_addr nh;

	if (t->has_inside) {
		if (!dp_rtable_lookup(routes, dst, &r->nh))
			return false;
		r->port = t->inside_port;
		r->vlan = t->vlan;
		r->src = dp_addrs_source(&t->inside_addrs, r->nh.family, r->nh.bytes);
		return r->src != NULL;
	}
	if (route_onlink(dp, false, dst, r))
		return true;
	if (routes && dp_rtable_lookup(routes, dst, &nh) && route_onlink(dp, false, &nh, r))
		return true;
	return route_gateway(dp, false, dst, r);
}

bool dp_is_local_addr(const struct dp_iface *ifc, uint8_t family, const uint8_t *bytes)
{
	const struct wgdp_port_config *pc = ifc->cfg;

	for (unsigned int i = 0; i < pc->n_addrs; i++)
		if (dp_addr_eq(&pc->addrs[i].addr, family, bytes))
			return true;
	return false;
}
