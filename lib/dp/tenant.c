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

void dp_tenant_free(struct dp_tenant *t)
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

void dp_tenant_mss_of(const struct wgdp_interface_config *ic, uint16_t mss[2])
{
	/* "auto" leaves room for the IP and TCP headers inside the MTU (RFC 879). */
	mss[0] = ic->mss_clamp_auto ? (uint16_t)(ic->mtu - 40) : ic->mss_clamp;
	mss[1] = ic->mss_clamp_auto ? (uint16_t)(ic->mtu - 60) : ic->mss_clamp;
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

static struct dp_tenant *tenant_create(const struct dp_ctx *dp, uint16_t tid,
				       const struct wgdp_interface_config *ic, char *err,
				       size_t errlen)
{
	struct dp_tenant *t = rte_zmalloc("wgdp_tenant", sizeof(*t), RTE_CACHE_LINE_SIZE);

	if (!t) {
		snprintf(err, errlen, "out of memory for interface %s", ic->name);
		return NULL;
	}
	t->tid = tid;
	t->n_workers = dp->n_workers + dp->n_engines; /* the engines' copies after the workers' */
	snprintf(t->name, sizeof(t->name), "%s", ic->name);
	t->listen_port = ic->listen_port;
	t->mtu = ic->mtu;
	dp_tenant_mss_of(ic, t->mss);
	if (tenant_inside_init(t, ic, err, errlen) != 0)
		goto fail;
	t->per_worker = rte_zmalloc("wgdp_tenant_w", sizeof(*t->per_worker) * t->n_workers,
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
	dp_tenant_free(t);
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
		t->named_in_logs = cfg->n_ifaces > 1;
		dp->tenants[i] = t;
		dp->n_tenants = i + 1;
		dp->tenant_of_port[t->listen_port] = t->tid;
	}
	return 0;
}

void dp_tenants_free(struct dp_ctx *dp)
{
	for (unsigned int i = 0; dp->tenants && i < dp->n_tenants; i++)
		dp_tenant_free(dp->tenants[i]);
	free(dp->tenants);
	free(dp->tenant_of_port);
	dp->tenants = NULL;
	dp->tenant_of_port = NULL;
	dp->n_tenants = 0;
}

/* The tenant's inside port (an index into dp->ports) and its MAC there. */
static int tenant_attach(struct dp_ctx *dp, struct dp_tenant *t, char *err, size_t errlen)
{
	int port;

	if (!t->has_inside)
		return 0;
	/* The config checked that inside.port is an inside port of ours. */
	port = dp_port_index(dp, t->inside_ifc.port_id);
	if (port < 0 || !dp->ports[port].tid_of_vlan) {
		snprintf(err, errlen, "%s: inside.port %u is not an inside port of wgdp", t->name,
			 t->inside_ifc.port_id);
		return -1;
	}
	t->inside_port = (uint16_t)port;
	t->inside_ifc.mac = dp->ports[port].iface.mac;
	return 0;
}

/* What a port's workers must look for: tags where a tenant is on a VLAN. Never turned off
 * while the port runs: a tenant that went leaves its VLAN unmapped, which drops its frames. */
static void port_note_tenant(struct dp_port *port, const struct dp_tenant *t)
{
	if (!t->has_inside || t->inside_ifc.port_id != port->port_id)
		return;
	port->tenant_links = true;
	if (t->vlan)
		__atomic_store_n(&port->has_vlans, true, __ATOMIC_RELEASE);
}

/* Where t is found on port: the one interface without an inside has every inside port's
 * untagged link. */
static bool port_has(const struct dp_port *port, const struct dp_tenant *t)
{
	return !t->has_inside || t->inside_ifc.port_id == port->port_id;
}

void dp_tenant_publish(struct dp_ctx *dp, struct dp_tenant *t)
{
	if (t->tid >= dp->n_tenants)
		__atomic_store_n(&dp->n_tenants, t->tid + 1u, __ATOMIC_RELEASE);
	__atomic_store_n(&dp->tenants[t->tid], t, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < dp->n_ports; i++) {
		struct dp_port *port = &dp->ports[i];

		if (!port->tid_of_vlan || !port_has(port, t))
			continue;
		port_note_tenant(port, t);
		__atomic_store_n(&port->tid_of_vlan[t->vlan], t->tid, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&dp->tenant_of_port[t->listen_port], t->tid, __ATOMIC_RELEASE);
}

void dp_tenant_release_port(struct dp_ctx *dp, const struct dp_tenant *t)
{
	if (dp->tenant_of_port[t->listen_port] == t->tid)
		__atomic_store_n(&dp->tenant_of_port[t->listen_port], DP_TENANT_NONE,
				 __ATOMIC_RELEASE);
}

void dp_tenant_unpublish(struct dp_ctx *dp, struct dp_tenant *t)
{
	dp_tenant_release_port(dp, t);
	for (unsigned int i = 0; i < dp->n_ports; i++) {
		struct dp_port *port = &dp->ports[i];

		if (port->tid_of_vlan && port_has(port, t) && port->tid_of_vlan[t->vlan] == t->tid)
			__atomic_store_n(&port->tid_of_vlan[t->vlan], DP_TENANT_NONE,
					 __ATOMIC_RELEASE);
	}
	__atomic_store_n(&dp->tenants[t->tid], NULL, __ATOMIC_RELEASE);
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

		if (!t || !port_has(port, t))
			continue;
		port->tid_of_vlan[t->vlan] = t->tid;
		port_note_tenant(port, t);
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
	for (unsigned int i = 0; i < dp->n_tenants; i++)
		if (dp->tenants[i] && tenant_attach(dp, dp->tenants[i], err, errlen) != 0)
			return -1;
	return 0;
}

struct dp_tenant *dp_tenant_new(struct dp_ctx *dp, uint16_t tid,
				const struct wgdp_interface_config *ic, char *err, size_t errlen)
{
	struct dp_tenant *t = tenant_create(dp, tid, ic, err, errlen);

	if (t && tenant_attach(dp, t, err, errlen) != 0) {
		dp_tenant_free(t);
		return NULL;
	}
	return t;
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
	t->key_serial++; /* sessions made under the old key are not installed (handshake.c) */
	wg_cookie_checker_init(&t->cookie_checker, t->identity.public_key);
	dp_gate_publish(t, now);
}
