/* SPDX-License-Identifier: MIT */
/*
 * Which port and next hop reach an address: an on-link prefix of a port wins, then the first
 * port of the right role with a gateway of the address's family.
 */
#include <string.h>

#include "pkt.h"
#include "route.h"

static const struct wgdp_addr *port_source(const struct wgdp_port_config *pc, uint8_t family)
{
	for (unsigned int i = 0; i < pc->n_addrs; i++)
		if (pc->addrs[i].addr.family == family)
			return &pc->addrs[i].addr;
	return NULL;
}

bool dp_route(const struct dp_ctx *dp, bool outside, const struct wgdp_addr *dst,
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
				r->nh = *dst;
				r->src = &pc->addrs[j].addr;
				return true;
			}
		}
	}
	for (unsigned int i = 0; i < dp->n_ports; i++) {
		const struct dp_port *port = &dp->ports[i];
		const struct wgdp_port_config *pc = port->iface.cfg;

		if (outside ? !port->outside : !port->inside)
			continue;
		if (pc->has_gateway && pc->gateway.family == dst->family) {
			r->src = port_source(pc, dst->family);
			if (!r->src)
				continue;
			r->port = (uint16_t)i;
			r->nh = pc->gateway;
			return true;
		}
	}
	return false;
}

bool dp_is_local_addr(const struct dp_port *port, uint8_t family, const uint8_t *bytes)
{
	const struct wgdp_port_config *pc = port->iface.cfg;

	for (unsigned int i = 0; i < pc->n_addrs; i++)
		if (dp_addr_eq(&pc->addrs[i].addr, family, bytes))
			return true;
	return false;
}
