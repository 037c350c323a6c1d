/* SPDX-License-Identifier: MIT */
/*
 * The running config and its peer ids, and turning a new config into a change for the control
 * lcore: validate what cannot change at run time, diff by public key, create the new peers,
 * build a new allowed-ips generation when prefixes moved, then submit. A peer whose key stays
 * keeps its dp_peer, its keypairs and its sessions.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_rcu_qsbr.h>

#include "admin.h"
#include "admin_priv.h"
#include "crypto/ct.h"
#include "log.h"
#include "peer.h"
#include "reconf.h"
#include "rtable.h"
#include "wg/clock.h"

static void ids_free(uint32_t **ids, unsigned int n)
{
	for (unsigned int k = 0; ids && k < n; k++)
		free(ids[k]);
	free(ids);
}

/* dp_peers_init numbered the configured peers 0..n-1 in interface order. */
static bool ids_init(struct dp_admin *adm)
{
	const struct wgdp_config *run = adm->running;
	uint32_t id = 0;

	adm->ids = calloc(run->n_ifaces ? run->n_ifaces : 1, sizeof(*adm->ids));
	if (!adm->ids)
		return false;
	adm->n_ids = run->n_ifaces;
	for (unsigned int k = 0; k < run->n_ifaces; k++) {
		const struct wgdp_interface_config *ic = &run->ifaces[k];

		adm->ids[k] = malloc(sizeof(**adm->ids) * (ic->n_peers ? ic->n_peers : 1));
		if (!adm->ids[k])
			return false;
		for (uint32_t i = 0; i < ic->n_peers; i++)
			adm->ids[k][i] = id++;
	}
	adm->next_id = id;
	/* dp_tenants_init made interface k tenant k. */
	adm->tids = calloc(run->n_ifaces ? run->n_ifaces : 1, sizeof(*adm->tids));
	adm->tid_state = calloc(WGDP_MAX_IFACES, sizeof(*adm->tid_state));
	adm->tid_token = calloc(WGDP_MAX_IFACES, sizeof(*adm->tid_token));
	if (!adm->tids || !adm->tid_state || !adm->tid_token)
		return false;
	for (unsigned int k = 0; k < run->n_ifaces; k++) {
		adm->tids[k] = (uint16_t)k;
		adm->tid_state[k] = TID_LIVE;
	}
	adm->next_tid = run->n_ifaces;
	return true;
}

struct dp_admin *dp_admin_create(struct dp_ctx *dp, const struct wgdp_config *cfg,
				 const char *config_path)
{
	struct dp_admin *adm = calloc(1, sizeof(*adm));

	if (!adm)
		return NULL;
	adm->dp = dp;
	pthread_mutex_init(&adm->lock, NULL);
	snprintf(adm->config_path, sizeof(adm->config_path), "%s", config_path ? config_path : "");
	adm->running = wgdp_config_dup(cfg, 0);
	adm->free_ids = malloc(sizeof(*adm->free_ids) * dp->max_peers);
	adm->quarantine = malloc(sizeof(*adm->quarantine) * dp->max_peers);
	if (!adm->running || !adm->free_ids || !adm->quarantine || !ids_init(adm)) {
		dp_admin_free(adm);
		return NULL;
	}
	return adm;
}

void dp_admin_free(struct dp_admin *adm)
{
	if (!adm)
		return;
	ids_free(adm->ids, adm->n_ids);
	free(adm->tids);
	free(adm->tid_state);
	free(adm->tid_token);
	wgdp_config_free(adm->running);
	free(adm->free_ids);
	free(adm->quarantine);
	json_decref(adm->stats_base);
	pthread_mutex_destroy(&adm->lock);
	free(adm);
}

/* Ids of removed peers wait out a grace period: a worker may still map the id to the old
 * peer through the allowed-ips generation it holds. */
static void reclaim_ids(struct dp_admin *adm)
{
	uint32_t kept = 0;

	for (uint32_t i = 0; i < adm->n_quarantine; i++) {
		if (rte_rcu_qsbr_check(adm->dp->rcu, adm->quarantine[i].token, false) == 1)
			adm->free_ids[adm->n_free++] = adm->quarantine[i].id;
		else
			adm->quarantine[kept++] = adm->quarantine[i];
	}
	adm->n_quarantine = kept;
}

static bool alloc_id(struct dp_admin *adm, uint32_t *id)
{
	if (adm->n_free == 0)
		reclaim_ids(adm);
	if (adm->n_free) {
		*id = adm->free_ids[--adm->n_free];
		return true;
	}
	if (adm->next_id < adm->dp->max_peers) {
		*id = adm->next_id++;
		return true;
	}
	return false;
}

static void unalloc_id(struct dp_admin *adm, uint32_t id)
{
	adm->free_ids[adm->n_free++] = id;
}

/*
 * Tenant ids for new interfaces: never used ones first, then those of removed interfaces
 * past their grace period (a worker may still have read the id from a demux table), so an
 * id comes back only after WGDP_MAX_IFACES interfaces were added.
 */
static bool alloc_tid(struct dp_admin *adm, uint16_t *tid)
{
	unsigned int t;

	if (adm->next_tid < WGDP_MAX_IFACES) {
		t = adm->next_tid++;
	} else {
		for (t = 0; t < WGDP_MAX_IFACES; t++)
			if (adm->tid_state[t] == TID_FREE ||
			    (adm->tid_state[t] == TID_RETIRING &&
			     rte_rcu_qsbr_check(adm->dp->rcu, adm->tid_token[t], false) == 1))
				break;
		if (t == WGDP_MAX_IFACES)
			return false;
	}
	adm->tid_state[t] = TID_LIVE;
	*tid = (uint16_t)t;
	return true;
}

static void unalloc_tid(struct dp_admin *adm, uint16_t tid)
{
	adm->tid_state[tid] = TID_FREE;
}

/* Public key → index into a peer array, open addressing; keys are random, so their first
 * bytes hash well enough, and the table lives only for one diff. */
struct key_index {
	uint32_t *slots; /* index + 1, 0 = empty */
	uint32_t mask;
	const struct wgdp_peer_config *peers;
};

static uint32_t key_hash(const uint8_t key[32])
{
	uint32_t h;

	memcpy(&h, key, sizeof(h));
	return h;
}

static bool key_index_build(struct key_index *ki, const struct wgdp_peer_config *peers,
			    uint32_t n)
{
	uint32_t size = 16;

	while (size < 2 * n)
		size <<= 1;
	ki->slots = calloc(size, sizeof(*ki->slots));
	ki->mask = size - 1;
	ki->peers = peers;
	if (!ki->slots)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t s = key_hash(peers[i].public_key) & ki->mask;

		while (ki->slots[s])
			s = (s + 1) & ki->mask;
		ki->slots[s] = i + 1;
	}
	return true;
}

static int64_t key_index_find(const struct key_index *ki, const uint8_t key[32])
{
	for (uint32_t s = key_hash(key) & ki->mask; ki->slots[s]; s = (s + 1) & ki->mask)
		if (memcmp(ki->peers[ki->slots[s] - 1].public_key, key, 32) == 0)
			return ki->slots[s] - 1;
	return -1;
}

static bool fail(struct wgdp_config_error *err, const char *path, const char *msg)
{
	snprintf(err->path, sizeof(err->path), "%s", path);
	snprintf(err->message, sizeof(err->message), "%s", msg);
	return false;
}

/* What a running wgdp cannot change: its ports, its tables' sizes, its sockets. (What an
 * interface cannot change while it lives: check_interfaces_fixed.) */
static bool check_fixed(const struct wgdp_config *a, const struct wgdp_config *b,
			struct wgdp_config_error *err)
{
	static const char restart[] = "cannot change while wgdp runs (restart it)";

	if (a->n_ports != b->n_ports ||
	    memcmp(a->ports, b->ports, sizeof(a->ports[0]) * a->n_ports) != 0)
		return fail(err, "ports", restart);
	if (a->handshake_queue != b->handshake_queue)
		return fail(err, "limits.handshake_queue", restart);
	if (a->max_peers != b->max_peers)
		return fail(err, "limits.max_peers", restart);
	if (a->neighbours != b->neighbours)
		return fail(err, "limits.neighbours", restart);
	if (strcmp(a->socket_path, b->socket_path) != 0)
		return fail(err, "control.socket", restart);
	if (a->uapi != b->uapi)
		return fail(err, "control.uapi", restart);
	return true;
}

static bool same_prefixes(const struct wgdp_peer_config *a, const struct wgdp_peer_config *b)
{
	return a->n_allowed_ips == b->n_allowed_ips &&
	       (!a->n_allowed_ips || memcmp(a->allowed_ips, b->allowed_ips,
		      a->n_allowed_ips * sizeof(a->allowed_ips[0])) == 0);
}

static bool same_endpoint(const struct wgdp_endpoint *a, const struct wgdp_endpoint *b)
{
	return a->port == b->port && a->addr.family == b->addr.family &&
	       memcmp(a->addr.bytes, b->addr.bytes, a->addr.family == 4 ? 4 : 16) == 0;
}

/* What an interface is but its peers, as the data path built it. */
static bool same_attachment(const struct wgdp_interface_config *a,
			    const struct wgdp_interface_config *b)
{
	return a->has_inside == b->has_inside &&
	       (!a->has_inside || !memcmp(&a->inside, &b->inside, sizeof(a->inside))) &&
	       a->n_routes == b->n_routes &&
	       (!a->n_routes || !memcmp(a->routes, b->routes, a->n_routes * sizeof(*a->routes)));
}

/* The path of interface k's member (the shorthand's: "interface.<member>"). */
static const char *iface_path(const struct wgdp_config *c, unsigned int k, const char *member,
			      char *buf, size_t len)
{
	if (c->shorthand)
		snprintf(buf, len, "interface%s%s", *member ? "." : "", member);
	else
		snprintf(buf, len, "interfaces[%u]%s%s", k, *member ? "." : "", member);
	return buf;
}

/* The running interface named name, or -1: a new one. */
static int running_iface(const struct wgdp_config *run, const char *name)
{
	for (unsigned int k = 0; k < run->n_ifaces; k++)
		if (strcmp(run->ifaces[k].name, name) == 0)
			return (int)k;
	return -1;
}

/*
 * A reload adds interfaces, removes them and changes everything about them but one thing;
 * interfaces are matched by name. A live interface keeps its inside attachment (its port,
 * VLAN and addresses: its link, its neighbours): it is removed and added again (two reloads,
 * or a new name) to move it, its sessions dropped.
 */
static bool check_interfaces_fixed(const struct wgdp_config *a, const struct wgdp_config *b,
				   struct wgdp_config_error *err)
{
	char path[64];

	for (unsigned int k = 0; k < b->n_ifaces; k++) {
		const struct wgdp_interface_config *y = &b->ifaces[k];
		int ka = running_iface(a, y->name);
		const struct wgdp_interface_config *x = ka >= 0 ? &a->ifaces[ka] : NULL;

		if (x && (x->has_inside != y->has_inside ||
			  (x->has_inside && memcmp(&x->inside, &y->inside, sizeof(x->inside)))))
			return fail(err, iface_path(b, k, "inside", path, sizeof(path)),
				    "cannot change while the interface runs (remove it and add it "
				    "back, or restart wgdp)");
	}
	return true;
}

/* A live interface's listen port, MTU, MSS clamp and routes, if any changed. */
static bool diff_settings(struct dp_tenant_change *tc, const struct wgdp_interface_config *run,
			  const struct wgdp_interface_config *nx, const char *path,
			  struct wgdp_config_error *err)
{
	char why[160];

	if (run->listen_port == nx->listen_port && run->mtu == nx->mtu &&
	    run->mss_clamp == nx->mss_clamp && run->mss_clamp_auto == nx->mss_clamp_auto &&
	    same_attachment(run, nx))
		return true;
	tc->new_settings = true;
	tc->listen_port = nx->listen_port;
	tc->mtu = nx->mtu;
	dp_tenant_mss_of(nx, tc->mss);
	if (!nx->has_inside && !nx->n_routes)
		return true;
	tc->routes = dp_rtable_build(nx->has_inside ? &nx->inside : NULL, nx->routes, nx->n_routes,
				     why, sizeof(why));
	return tc->routes || fail(err, path, why);
}

/* The control-lcore part of a kept peer's change; false if there is none. */
static bool peer_update(const struct wgdp_peer_config *old, const struct wgdp_peer_config *new,
			uint32_t id, struct dp_peer_update *u)
{
	memset(u, 0, sizeof(*u));
	u->id = id;
	if (old->has_psk != new->has_psk ||
	    (new->has_psk && !wgc_ct_equal(old->psk, new->psk, 32))) {
		u->what |= DP_UPD_PSK;
		u->has_psk = new->has_psk;
		memcpy(u->psk, new->psk, 32);
	}
	if (old->persistent_keepalive != new->persistent_keepalive) {
		u->what |= DP_UPD_KEEPALIVE;
		u->keepalive = new->persistent_keepalive;
	}
	/* A config without an endpoint keeps the one the peer roamed to, as wg does. */
	if (new->has_endpoint &&
	    (!old->has_endpoint || !same_endpoint(&old->endpoint, &new->endpoint))) {
		u->what |= DP_UPD_ENDPOINT;
		u->endpoint = new->endpoint;
	}
	return u->what != 0;
}

/*
 * The diff's working state: one part an interface of next (rc->tc[k] is next's interface k),
 * then one an interface that goes (rc->tc[d->n ...]).
 */
struct iface_diff {
	int run_k;	   /* the running interface of that name, -1: a new one */
	uint32_t *new_ids; /* new_ids[j]: the id of next's peer j */
	bool *kept;	   /* per running peer */
	bool aips_changed;
};

struct diff {
	struct dp_reconf *rc;
	struct iface_diff *ifd;
	unsigned int n; /* next's interfaces */
	unsigned int changed;
	unsigned int added_ifaces, removed_ifaces;
};

static void diff_free(struct dp_admin *adm, struct diff *d, bool failed)
{
	for (unsigned int k = 0; failed && d->rc && k < d->rc->n_tc; k++) {
		for (unsigned int i = 0; i < d->rc->tc[k].n_added; i++)
			unalloc_id(adm, d->rc->tc[k].added[i]->id);
		if (d->rc->tc[k].created)
			unalloc_tid(adm, d->rc->tc[k].tid);
	}
	if (failed) {
		dp_reconf_free(d->rc);
		d->rc = NULL;
	}
	for (unsigned int k = 0; d->ifd && k < d->n; k++) {
		free(d->ifd[k].new_ids);
		free(d->ifd[k].kept);
	}
	free(d->ifd);
	d->ifd = NULL;
}

/* Room for next's interface k's change (run: the running one of its name, or NULL). */
static bool diff_alloc_iface(struct diff *d, unsigned int k,
			     const struct wgdp_interface_config *run,
			     const struct wgdp_interface_config *next)
{
	uint32_t nn = next->n_peers ? next->n_peers : 1;
	uint32_t nr = run && run->n_peers ? run->n_peers : 1;
	struct dp_tenant_change *tc = &d->rc->tc[k];

	d->ifd[k].new_ids = malloc(sizeof(*d->ifd[k].new_ids) * nn);
	d->ifd[k].kept = calloc(nr, sizeof(*d->ifd[k].kept));
	tc->added = malloc(sizeof(*tc->added) * nn);
	tc->updated = malloc(sizeof(*tc->updated) * nn);
	tc->removed = malloc(sizeof(*tc->removed) * nr);
	return d->ifd[k].new_ids && d->ifd[k].kept && tc->added && tc->updated && tc->removed;
}

static int link_order(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The interfaces that go: a change each after next's, every peer removed; their links. */
static bool diff_removed_ifaces(struct dp_admin *adm, struct diff *d, const bool *stays)
{
	const struct wgdp_config *run = adm->running;

	d->rc->gone_links =
		malloc(sizeof(*d->rc->gone_links) * (run->n_ifaces ? run->n_ifaces : 1));
	if (!d->rc->gone_links)
		return false;

	for (unsigned int k = 0; k < run->n_ifaces; k++) {
		struct dp_tenant_change *tc = &d->rc->tc[d->rc->n_tc];
		uint32_t n = run->ifaces[k].n_peers;

		if (stays[k])
			continue;
		d->rc->n_tc++;
		d->removed_ifaces++;
		tc->tid = adm->tids[k];
		tc->removing = true;
		tc->removed = malloc(sizeof(*tc->removed) * (n ? n : 1));
		if (!tc->removed)
			return false;
		memcpy(tc->removed, adm->ids[k], sizeof(*tc->removed) * n);
		tc->n_removed = n;
		if (run->ifaces[k].has_inside)
			d->rc->gone_links[d->rc->n_gone_links++] =
				dp_link(run->ifaces[k].inside.port_id, run->ifaces[k].inside.vlan);
	}
	qsort(d->rc->gone_links, d->rc->n_gone_links, sizeof(*d->rc->gone_links), link_order);
	return true;
}

static bool diff_alloc(struct dp_admin *adm, struct diff *d, const struct wgdp_config *next)
{
	const struct wgdp_config *run = adm->running;
	bool *stays = calloc(run->n_ifaces ? run->n_ifaces : 1, sizeof(*stays));
	bool ok = false;

	d->n = next->n_ifaces;
	d->rc = calloc(1, sizeof(*d->rc));
	d->ifd = calloc(d->n ? d->n : 1, sizeof(*d->ifd));
	if (!stays || !d->rc || !d->ifd)
		goto out;
	d->rc->tc = calloc(d->n + run->n_ifaces, sizeof(*d->rc->tc));
	if (!d->rc->tc)
		goto out;
	d->rc->n_tc = d->n;
	for (unsigned int k = 0; k < d->n; k++) {
		int rk = running_iface(run, next->ifaces[k].name);

		d->ifd[k].run_k = rk;
		if (rk >= 0)
			stays[rk] = true;
		if (!diff_alloc_iface(d, k, rk >= 0 ? &run->ifaces[rk] : NULL, &next->ifaces[k]))
			goto out;
	}
	ok = diff_removed_ifaces(adm, d, stays);
out:
	free(stays);
	return ok;
}

/* Whether a kept peer's change shows (for the result's "changed"). */
static bool peer_changed(const struct wgdp_peer_config *old, const struct wgdp_peer_config *pc)
{
	return !same_prefixes(old, pc) || strcmp(old->name, pc->name) ||
	       old->has_psk != pc->has_psk || !wgc_ct_equal(old->psk, pc->psk, 32) ||
	       old->persistent_keepalive != pc->persistent_keepalive ||
	       old->has_endpoint != pc->has_endpoint ||
	       (pc->has_endpoint && !same_endpoint(&old->endpoint, &pc->endpoint));
}

/* The path of next's interface k's peer j: "peers[j]" with the shorthand. */
static void peer_path(const struct wgdp_config *next, unsigned int k, uint32_t j, char *buf,
		      size_t len)
{
	if (next->shorthand)
		snprintf(buf, len, "peers[%u]", j);
	else
		snprintf(buf, len, "interfaces[%u].peers[%u]", k, j);
}

/* Matches interface k's peers in next to the running ones; creates those that are new. */
static bool diff_peers(struct dp_admin *adm, struct diff *d, unsigned int k,
		       const struct wgdp_config *next, struct wgdp_config_error *err)
{
	static const struct wgdp_interface_config none;
	struct iface_diff *f = &d->ifd[k];
	const struct wgdp_interface_config *nx = &next->ifaces[k];
	const struct wgdp_interface_config *run =
		f->run_k >= 0 ? &adm->running->ifaces[f->run_k] : &none;
	struct dp_tenant_change *tc = &d->rc->tc[k];
	struct dp_tenant *t = tc->created ? tc->created : adm->dp->tenants[tc->tid];
	const uint32_t *ids = f->run_k >= 0 ? adm->ids[f->run_k] : NULL;
	struct key_index ki;
	char path[64];

	if (!key_index_build(&ki, run->peers, run->n_peers))
		return fail(err, "peers", "out of memory");
	for (uint32_t j = 0; j < nx->n_peers; j++) {
		const struct wgdp_peer_config *pc = &nx->peers[j];
		int64_t i = key_index_find(&ki, pc->public_key);
		struct dp_peer *p;

		if (i >= 0) {
			const struct wgdp_peer_config *old = &run->peers[i];

			f->kept[i] = true;
			f->new_ids[j] = ids[i];
			f->aips_changed |= !same_prefixes(old, pc);
			if (peer_update(old, pc, ids[i], &tc->updated[tc->n_updated]))
				tc->n_updated++;
			d->changed += peer_changed(old, pc);
			continue;
		}
		peer_path(next, k, j, path, sizeof(path));
		if (!alloc_id(adm, &f->new_ids[j])) {
			free(ki.slots);
			return fail(err, path, "no room for another peer (the peer table is sized "
					       "at start: see limits.max_peers)");
		}
		p = dp_peer_new(t, pc, f->new_ids[j]);
		if (!p) {
			unalloc_id(adm, f->new_ids[j]);
			free(ki.slots);
			return fail(err, path, "out of memory");
		}
		tc->added[tc->n_added++] = p;
		f->aips_changed |= pc->n_allowed_ips > 0;
	}
	free(ki.slots);
	for (uint32_t i = 0; i < run->n_peers; i++) {
		if (f->kept[i])
			continue;
		tc->removed[tc->n_removed++] = ids[i];
		f->aips_changed |= run->peers[i].n_allowed_ips > 0;
	}
	return true;
}

/* Next's interface k is new: a tenant id and the tenant, built whole but not yet published. */
static bool new_tenant(struct dp_admin *adm, struct diff *d, unsigned int k,
		       const struct wgdp_config *next, struct wgdp_config_error *err)
{
	struct dp_tenant_change *tc = &d->rc->tc[k];
	char msg[160], path[64];

	iface_path(next, k, "", path, sizeof(path));
	if (!alloc_tid(adm, &tc->tid))
		return fail(err, path,
			    "no tenant id free (interfaces removed lately are still "
			    "in their grace period)");
	tc->created = dp_tenant_new(adm->dp, tc->tid, &next->ifaces[k], msg, sizeof(msg));
	if (!tc->created) {
		unalloc_tid(adm, tc->tid);
		return fail(err, path, msg);
	}
	d->added_ifaces++;
	return true;
}

/* Interface k's part: its peers, a new allowed-ips generation if prefixes moved, its key. */
static bool diff_iface(struct dp_admin *adm, struct diff *d, unsigned int k,
		       const struct wgdp_config *next, struct wgdp_config_error *err)
{
	const struct wgdp_interface_config *nx = &next->ifaces[k];
	struct dp_tenant_change *tc = &d->rc->tc[k];
	int rk = d->ifd[k].run_k;
	char msg[128], path[64];

	if (rk >= 0) {
		tc->tid = adm->tids[rk];
		if (!diff_settings(tc, &adm->running->ifaces[rk], nx,
				   iface_path(next, k, "routes", path, sizeof(path)), err))
			return false;
	} else if (!new_tenant(adm, d, k, next, err)) {
		return false;
	}
	if (!diff_peers(adm, d, k, next, err))
		return false;
	/* A new interface's workers need a table, empty or not. */
	if (d->ifd[k].aips_changed || tc->created) {
		tc->aips = dp_aips_build(nx->peers, nx->n_peers, d->ifd[k].new_ids,
					 next->n_ifaces > 1, msg, sizeof(msg));
		if (!tc->aips)
			return fail(err,
				    next->shorthand
					    ? "peers"
					    : iface_path(next, k, "peers", path, sizeof(path)),
				    msg);
	}
	tc->new_private_key =
		rk >= 0 && !wgc_ct_equal(adm->running->ifaces[rk].private_key, nx->private_key, 32);
	memcpy(tc->private_key, nx->private_key, 32);
	return true;
}

/* After the apply: what only this thread reads (names, prefixes) of interface k's peers. */
static void adopt_names(struct dp_ctx *dp, const struct wgdp_interface_config *nx,
			const uint32_t *new_ids)
{
	for (uint32_t j = 0; j < nx->n_peers; j++) {
		struct dp_peer *p = dp->peers[new_ids[j]];
		const struct wgdp_peer_config *pc = &nx->peers[j];
		struct wgdp_prefix *copy;

		snprintf(p->name, sizeof(p->name), "%s", pc->name);
		if (p->n_allowed_ips == pc->n_allowed_ips &&
		    (!pc->n_allowed_ips ||
		     memcmp(p->allowed_ips, pc->allowed_ips,
			    pc->n_allowed_ips * sizeof(pc->allowed_ips[0])) == 0))
			continue;
		copy = calloc(pc->n_allowed_ips ? pc->n_allowed_ips : 1, sizeof(*copy));
		if (!copy)
			continue; /* the tables are right; only show would be stale */
		if (pc->n_allowed_ips)
			memcpy(copy, pc->allowed_ips, pc->n_allowed_ips * sizeof(*copy));
		free(p->allowed_ips);
		p->allowed_ips = copy;
		p->n_allowed_ips = pc->n_allowed_ips;
	}
}

/* After the apply: the peers' names and prefixes, removed ids to quarantine, the new model. */
static void adopt(struct dp_admin *adm, struct diff *d, struct wgdp_config *next, uint32_t **ids,
		  uint16_t *tids)
{
	struct dp_ctx *dp = adm->dp;
	uint64_t token = rte_rcu_qsbr_start(dp->rcu);

	for (unsigned int k = 0; k < d->rc->n_tc; k++) {
		const struct dp_tenant_change *tc = &d->rc->tc[k];

		for (unsigned int i = 0; i < tc->n_removed; i++) {
			adm->quarantine[adm->n_quarantine].id = tc->removed[i];
			adm->quarantine[adm->n_quarantine++].token = token;
		}
		if (tc->removing) {
			adm->tid_state[tc->tid] = TID_RETIRING;
			adm->tid_token[tc->tid] = token;
		}
	}
	for (unsigned int k = 0; k < d->n; k++) {
		adopt_names(dp, &next->ifaces[k], d->ifd[k].new_ids);
		ids[k] = d->ifd[k].new_ids;
		d->ifd[k].new_ids = NULL;
		tids[k] = d->rc->tc[k].tid;
	}
	ids_free(adm->ids, adm->n_ids);
	free(adm->tids);
	adm->ids = ids;
	adm->n_ids = d->n;
	adm->tids = tids;
	wgdp_config_free(adm->running);
	adm->running = next;
}

static void result_of(const struct diff *d, struct dp_apply_result *res)
{
	res->apply_ns = d->rc->apply_ns;
	for (unsigned int k = 0; k < d->rc->n_tc; k++) {
		res->added += d->rc->tc[k].n_added;
		res->removed += d->rc->tc[k].n_removed;
	}
	res->changed = d->changed;
	res->ifaces_added = d->added_ifaces;
	res->ifaces_removed = d->removed_ifaces;
}

static uint32_t peers_in_all(const struct wgdp_config *c)
{
	uint32_t n = 0;

	for (unsigned int k = 0; k < c->n_ifaces; k++)
		n += c->ifaces[k].n_peers;
	return n;
}

/* Everything an apply does before the control lcore: validation, the diff, the new peers,
 * tenants and allowed-ips tables. -1 with err filled; d is the caller's to free either way. */
static int prepare(struct dp_admin *adm, struct wgdp_config *next, bool dry_run, struct diff *d,
		   struct wgdp_config_error *err)
{
	if (!wgdp_config_check_interfaces(next, err) || !check_fixed(adm->running, next, err) ||
	    !check_interfaces_fixed(adm->running, next, err) || !wgdp_config_check_peers(next, err))
		return -1;
	if (!diff_alloc(adm, d, next)) {
		fail(err, "peers", "out of memory");
		return -1;
	}
	for (unsigned int k = 0; k < d->n; k++)
		if (!diff_iface(adm, d, k, next, err))
			return -1;
	d->rc->under_load_queue = next->under_load_queue;
	d->rc->n_ifaces = next->n_ifaces;
	d->rc->n_peers = RTE_MAX(adm->dp->n_peers, adm->next_id);
	/* Last, so a config the rules refuse never reaches it; a dry run makes it too (a
	 * metrics address in use refuses the check as it would the apply). */
	if (adm->check_hook && !adm->check_hook(adm->check_hook_arg, next, dry_run, err))
		return -1;
	return 0;
}

int dp_admin_apply_locked(struct dp_admin *adm, struct wgdp_config *next,
			  struct dp_apply_result *res, struct wgdp_config_error *err)
{
	uint64_t t0 = wg_clock_mono_ns();
	struct diff d = { 0 };
	uint32_t **ids = NULL;
	uint16_t *tids = NULL;

	memset(err, 0, sizeof(*err));
	memset(res, 0, sizeof(*res));
	ids = calloc(next->n_ifaces ? next->n_ifaces : 1, sizeof(*ids));
	tids = calloc(next->n_ifaces ? next->n_ifaces : 1, sizeof(*tids));
	if (!ids || !tids) {
		fail(err, "peers", "out of memory");
		goto fail;
	}
	if (prepare(adm, next, false, &d, err) != 0)
		goto fail;
	res->prepare_ns = wg_clock_mono_ns() - t0;
	if (dp_reconf_submit(adm->dp, d.rc) != 0) {
		fail(err, "", "wgdp is stopping");
		goto fail;
	}
	result_of(&d, res);
	adopt(adm, &d, next, ids, tids);
	dp_reconf_free(d.rc);
	d.rc = NULL;
	diff_free(adm, &d, false);
	if (res->ifaces_added || res->ifaces_removed)
		DP_LOG(INFO, config, "interfaces: %u added, %u removed, %u running",
		       res->ifaces_added, res->ifaces_removed, adm->running->n_ifaces);
	DP_LOG(INFO, config,
	       "config applied: %u added, %u removed, %u changed, %u peers "
	       "(control lcore busy %.1f us)",
	       res->added, res->removed, res->changed, peers_in_all(adm->running),
	       (double)res->apply_ns / 1e3);
	/* After every apply, not only when the set changed: a socket that could not be opened
	 * (out of files) is tried again. */
	if (adm->ifaces_hook)
		adm->ifaces_hook(adm->ifaces_hook_arg, adm->running);
	return 0;
fail:
	diff_free(adm, &d, true);
	free(ids);
	free(tids);
	wgdp_config_free(next);
	return -1;
}

int dp_admin_check_locked(struct dp_admin *adm, struct wgdp_config *next,
			  struct dp_apply_result *res, struct wgdp_config_error *err)
{
	uint64_t t0 = wg_clock_mono_ns();
	struct diff d = { 0 };
	int rc;

	memset(err, 0, sizeof(*err));
	memset(res, 0, sizeof(*res));
	rc = prepare(adm, next, true, &d, err);
	if (rc == 0) {
		res->prepare_ns = wg_clock_mono_ns() - t0;
		result_of(&d, res);
	}
	/* Undone as a failed apply is: the ids, tenant ids and new peers go back. */
	diff_free(adm, &d, true);
	return rc;
}

int dp_admin_apply(struct dp_admin *adm, struct wgdp_config *next, struct dp_apply_result *res,
		   struct wgdp_config_error *err)
{
	int rc;

	pthread_mutex_lock(&adm->lock);
	rc = dp_admin_apply_locked(adm, next, res, err);
	pthread_mutex_unlock(&adm->lock);
	return rc;
}

int dp_admin_snapshot_first_locked(struct dp_admin *adm, unsigned int iface, uint32_t max_peers,
				   struct ctl_snapshot *snap)
{
	const struct wgdp_interface_config *run = &adm->running->ifaces[iface];
	struct dp_ctx *dp = adm->dp;
	uint32_t n;

	memset(snap, 0, sizeof(*snap));
	if (iface >= adm->running->n_ifaces)
		return -1;
	snprintf(snap->ifname, sizeof(snap->ifname), "%s", run->name);
	memcpy(snap->private_key, run->private_key, 32);
	memcpy(snap->public_key, dp->tenants[adm->tids[iface]]->identity.public_key, 32);
	snap->listen_port = run->listen_port;
	snap->mtu = run->mtu;
	n = RTE_MIN(run->n_peers, max_peers);
	snap->n_omitted = run->n_peers - n;
	snap->peers = calloc(n ? n : 1, sizeof(*snap->peers));
	if (!snap->peers) {
		ctl_snapshot_free(snap); /* wipes the private key copied above */
		return -1;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct ctl_peer_state *ps = &snap->peers[i];
		struct dp_peer *p = dp->peers[adm->ids[iface][i]];

		if (!wgdp_peer_config_copy(&ps->cfg, &run->peers[i])) {
			ctl_snapshot_free(snap);
			return -1;
		}
		snap->n_peers++;
		ps->cfg.has_endpoint = dp_peer_endpoint(p, &ps->cfg.endpoint);
		ps->last_handshake_ns = __atomic_load_n(&p->last_handshake_real_ns,
							__ATOMIC_RELAXED);
		ps->rx_bytes = __atomic_load_n(&p->rx_bytes, __ATOMIC_RELAXED);
		ps->tx_bytes = __atomic_load_n(&p->tx_bytes, __ATOMIC_RELAXED);
	}
	return 0;
}

int dp_admin_snapshot_locked(struct dp_admin *adm, unsigned int iface, struct ctl_snapshot *snap)
{
	return dp_admin_snapshot_first_locked(adm, iface, UINT32_MAX, snap);
}

void dp_admin_set_check_hook(struct dp_admin *adm, dp_admin_check_fn fn, void *arg)
{
	pthread_mutex_lock(&adm->lock);
	adm->check_hook = fn;
	adm->check_hook_arg = arg;
	pthread_mutex_unlock(&adm->lock);
}

void dp_admin_set_ifaces_hook(struct dp_admin *adm, dp_admin_ifaces_fn fn, void *arg)
{
	pthread_mutex_lock(&adm->lock);
	adm->ifaces_hook = fn;
	adm->ifaces_hook_arg = arg;
	/* An apply may have run between the sockets' start and now. */
	if (fn)
		fn(arg, adm->running);
	pthread_mutex_unlock(&adm->lock);
}

int dp_admin_snapshot(struct dp_admin *adm, struct ctl_snapshot *snap)
{
	int rc;

	pthread_mutex_lock(&adm->lock);
	rc = dp_admin_snapshot_locked(adm, 0, snap);
	pthread_mutex_unlock(&adm->lock);
	return rc;
}
