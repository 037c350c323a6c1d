/* SPDX-License-Identifier: MIT */
/* Tenants: creation from the config's interfaces, the listen-port demux, teardown. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "crypto/ct.h"
#include "gate.h"
#include "peer.h"
#include "rtable.h"
#include "tenant.h"
#include "vlan.h"
#include "wg/clock.h"

static void tenant_free(struct dp_tenant *t)
{
	if (!t)
		return;
	dp_aips_free(t->aips);
	dp_rtable_free(t->routes);
	if (t->per_worker)
		wgc_memzero(t->per_worker, sizeof(*t->per_worker) * t->n_workers);
	rte_free(t->per_worker);
	wgc_memzero(t, sizeof(*t));
	rte_free(t);
}

static void tenant_set_mss(struct dp_tenant *t, const struct wgdp_interface_config *ic)
{
	/* "auto" leaves room for the IP and TCP headers inside the MTU (RFC 879). */
	t->mss[0] = ic->mss_clamp_auto ? (uint16_t)(ic->mtu - 40) : ic->mss_clamp;
	t->mss[1] = ic->mss_clamp_auto ? (uint16_t)(ic->mtu - 60) : ic->mss_clamp;
}

/* The tenant's own inside link and routes, from its "inside" and "routes". */
static int tenant_inside_init(struct dp_tenant *t, const struct wgdp_interface_config *ic,
			      char *err, size_t errlen)
{
	char why[160];

	if (ic->has_inside) {
		t->has_inside = true;
		t->vlan = ic->inside.vlan;
		t->inside_addrs.port_id = ic->inside.port_id;
		t->inside_addrs.role = WGDP_ROLE_INSIDE;
		memcpy(t->inside_addrs.addrs, ic->inside.addrs, sizeof(ic->inside.addrs));
		t->inside_addrs.n_addrs = ic->inside.n_addrs;
		t->inside_ifc.port_id = ic->inside.port_id;
		t->inside_ifc.vlan = ic->inside.vlan;
		t->inside_ifc.cfg = &t->inside_addrs;
	}
	if (!ic->has_inside && !ic->n_routes)
		return 0;
	t->routes = dp_rtable_build(ic->has_inside ? &ic->inside : NULL, ic->routes, ic->n_routes,
				    why, sizeof(why));
	if (!t->routes) {
		snprintf(err, errlen, "%s: %s", ic->name, why);
		return -1;
	}
	return 0;
}

static struct dp_tenant *tenant_create(struct dp_ctx *dp, uint16_t tid,
				       const struct wgdp_interface_config *ic, char *err,
				       size_t errlen)
{
	struct dp_tenant *t = rte_zmalloc("wgdp_tenant", sizeof(*t), RTE_CACHE_LINE_SIZE);

	if (!t) {
		snprintf(err, errlen, "out of memory for interface %s", ic->name);
		return NULL;
	}
	t->tid = tid;
	t->named_in_logs = dp->cfg->n_ifaces > 1;
	t->n_workers = dp->n_workers;
	snprintf(t->name, sizeof(t->name), "%s", ic->name);
	t->listen_port = ic->listen_port;
	t->mtu = ic->mtu;
	tenant_set_mss(t, ic);
	if (tenant_inside_init(t, ic, err, errlen) != 0)
		goto fail;
	t->per_worker = rte_zmalloc("wgdp_tenant_w", sizeof(*t->per_worker) * dp->n_workers,
				    RTE_CACHE_LINE_SIZE);
	if (!t->per_worker) {
		snprintf(err, errlen, "out of memory for interface %s", ic->name);
		goto fail;
	}
	if (!wg_identity_set(&t->identity, ic->private_key)) {
		snprintf(err, errlen, "%s: private_key: not a usable X25519 key", ic->name);
		goto fail;
	}
	wg_cookie_checker_init(&t->cookie_checker, t->identity.public_key);
	rte_seqlock_init(&t->cookie_pub.lock);
	dp_gate_publish(t, wg_clock_mono_ns());
	return t;
fail:
	tenant_free(t);
	return NULL;
}

int dp_tenants_init(struct dp_ctx *dp, char *err, size_t errlen)
{
	const struct wgdp_config *cfg = dp->cfg;

	dp->tenants = calloc(WGDP_MAX_IFACES, sizeof(*dp->tenants));
	dp->tenant_of_port = malloc(sizeof(*dp->tenant_of_port) * 65536);
	if (!dp->tenants || !dp->tenant_of_port) {
		snprintf(err, errlen, "out of memory for the interfaces");
		return -1;
	}
	for (unsigned int port = 0; port < 65536; port++)
		dp->tenant_of_port[port] = DP_TENANT_NONE;
	for (unsigned int i = 0; i < cfg->n_ifaces; i++) {
		struct dp_tenant *t = tenant_create(dp, (uint16_t)i, &cfg->ifaces[i], err, errlen);

		if (!t)
			return -1;
		dp->tenants[i] = t;
		dp->n_tenants = i + 1;
		dp->tenant_of_port[t->listen_port] = t->tid;
	}
	return 0;
}

void dp_tenants_free(struct dp_ctx *dp)
{
	for (unsigned int i = 0; dp->tenants && i < dp->n_tenants; i++)
		tenant_free(dp->tenants[i]);
	free(dp->tenants);
	free(dp->tenant_of_port);
	dp->tenants = NULL;
	dp->tenant_of_port = NULL;
	dp->n_tenants = 0;
}

/* The VLAN → tenant table of an inside port. */
static int port_attach(struct dp_ctx *dp, struct dp_port *port)
{
	/* Every 12-bit VID has a slot, the reserved 4095 too (always none). */
	port->tid_of_vlan = malloc(sizeof(*port->tid_of_vlan) * (RTE_VLAN_ID_MASK + 1));
	if (!port->tid_of_vlan)
		return -1;
	for (unsigned int v = 0; v <= RTE_VLAN_ID_MASK; v++)
		port->tid_of_vlan[v] = DP_TENANT_NONE;
	for (unsigned int i = 0; i < dp->n_tenants; i++) {
		struct dp_tenant *t = dp->tenants[i];

		if (!t)
			continue;
		if (!t->has_inside) /* the only interface: every inside port, untagged */
			port->tid_of_vlan[0] = t->tid;
		else if (t->inside_ifc.port_id == port->port_id)
			port->tid_of_vlan[t->vlan] = t->tid;
		if (t->has_inside && t->inside_ifc.port_id == port->port_id) {
			port->tenant_links = true;
			port->has_vlans |= t->vlan != 0;
		}
	}
	return 0;
}

int dp_tenants_attach(struct dp_ctx *dp, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < dp->n_ports; i++) {
		if (dp->ports[i].inside && port_attach(dp, &dp->ports[i]) != 0) {
			snprintf(err, errlen, "out of memory for the VLAN table");
			return -1;
		}
	}
	for (unsigned int i = 0; i < dp->n_tenants; i++) {
		struct dp_tenant *t = dp->tenants[i];
		int port;

		if (!t || !t->has_inside)
			continue;
		/* The config checked that inside.port is an inside port of ours. */
		port = dp_port_index(dp, t->inside_ifc.port_id);
		if (port < 0) {
			snprintf(err, errlen, "%s: inside.port %u is not a port of wgdp", t->name,
				 t->inside_ifc.port_id);
			return -1;
		}
		t->inside_port = (uint16_t)port;
		t->inside_ifc.mac = dp->ports[port].iface.mac;
	}
	return 0;
}

const struct dp_iface *dp_iface_at(const struct dp_ctx *dp, const struct dp_port *port,
				   uint16_t vlan)
{
	const struct dp_tenant *t = dp_port_tenant(dp, port, vlan);

	if (t && t->has_inside)
		return &t->inside_ifc;
	return vlan ? NULL : &port->iface;
}

void dp_tenant_set_key(struct dp_tenant *t, const uint8_t key[32], uint64_t now)
{
	wg_identity_set(&t->identity, key);
	wg_cookie_checker_init(&t->cookie_checker, t->identity.public_key);
	dp_gate_publish(t, now);
}
