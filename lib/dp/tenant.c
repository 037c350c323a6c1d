/* SPDX-License-Identifier: MIT */
/* Tenants: creation from the config's interfaces, the listen-port demux, teardown. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "crypto/ct.h"
#include "gate.h"
#include "peer.h"
#include "tenant.h"
#include "wg/clock.h"

static void tenant_free(struct dp_tenant *t)
{
	if (!t)
		return;
	dp_aips_free(t->aips);
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
	t->n_workers = dp->n_workers;
	snprintf(t->name, sizeof(t->name), "%s", ic->name);
	t->listen_port = ic->listen_port;
	t->mtu = ic->mtu;
	tenant_set_mss(t, ic);
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

uint16_t dp_tenant_inside_at(const struct dp_ctx *dp, uint16_t port_id, uint16_t vlan)
{
	for (unsigned int i = 0; i < dp->n_tenants; i++) {
		const struct wgdp_interface_config *ic = &dp->cfg->ifaces[i];

		if (!dp->tenants[i])
			continue;
		if (ic->has_inside ? ic->inside.port_id == port_id && ic->inside.vlan == vlan
				   : vlan == 0)
			return (uint16_t)i;
	}
	return DP_TENANT_NONE;
}

void dp_tenant_set_key(struct dp_tenant *t, const uint8_t key[32], uint64_t now)
{
	wg_identity_set(&t->identity, key);
	wg_cookie_checker_init(&t->cookie_checker, t->identity.public_key);
	dp_gate_publish(t, now);
}
