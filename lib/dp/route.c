/* SPDX-License-Identifier: MIT */
/*
 * Which port and next hop reach an address: an on-link prefix of a port wins, then the first
 * port of the right role with a gateway of the address's family.
 */
#include <string.h>

#include "pkt.h"
#include "route.h"

static bool prefix_holds(const struct wgdp_port_addr *pa, const struct wgdp_addr *a)
{
	unsigned int full = pa->len / 8, rest = pa->len % 8;

	if (pa->addr.family != a->family)
		return false;
	if (memcmp(pa->addr.bytes, a->bytes, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		return (pa->addr.bytes[full] & mask) == (a->bytes[full] & mask);
	}
	return true;
}

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
			if (prefix_holds(&pc->addrs[j], dst)) {
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
