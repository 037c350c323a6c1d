/* SPDX-License-Identifier: MIT */
/* Applying a config change on the control lcore, and the mailbox that carries it there. */
#include <stdlib.h>
#include <time.h>

#include <rte_hash.h>
#include <rte_malloc.h>

#include "crypto/ct.h"
#include "hs_engine.h"
#include "log.h"
#include "peer.h"
#include "reconf.h"
#include "rtable.h"
#include "wg/clock.h"

enum mbox_state {
	MBOX_IDLE = 0,
	MBOX_POSTED,
	MBOX_RUNNING,
	MBOX_DONE,
};

/* A new private key invalidates every session of the tenant and every precomputed DH. */
static void rekey_identity(struct dp_ctx *dp, struct dp_tenant *t, const uint8_t key[32])
{
	dp_tenant_set_key(t, key, wg_clock_mono_ns());
	for (uint32_t id = 0; id < dp->n_peers; id++) {
		struct dp_peer *p = dp->peers[id];

		if (!p || p->tenant != t)
			continue;
		dp_peer_clear_keypairs(dp, p);
		dp_peer_drop_hs_index(dp, p);
		wg_handshake_clear(&p->hs);
		wg_handshake_rekey_identity(&p->hs, &t->identity);
	}
}

static void add_peer(struct dp_ctx *dp, struct dp_peer *p)
{
	/* The table was sized for max_peers and checked by the caller: this cannot fail. */
	dp_peer_insert(dp, p);
	dp_peer_kick(dp, p);
}

static void update_peer(struct dp_ctx *dp, const struct dp_peer_update *u)
{
	struct dp_peer *p = dp->peers[u->id];

	if (!p)
		return;
	if (u->what & DP_UPD_PSK) {
		/* Sessions made with the old key stay until they expire, as in the kernel. */
		if (u->has_psk)
			memcpy(p->hs.preshared_key, u->psk, 32);
		else
			wgc_memzero(p->hs.preshared_key, 32);
		p->has_psk = u->has_psk;
	}
	if (u->what & DP_UPD_ENDPOINT)
		dp_peer_set_endpoint(p, &u->endpoint);
	/* Turned on: a keepalive now, as the kernel's set_peer does, or a NAT'd peer stays
	 * unreachable until it speaks first. */
	if (u->what & DP_UPD_KEEPALIVE) {
		p->persistent_keepalive = u->keepalive;
		if (wg_timers_set_persistent_keepalive(&p->timers, u->keepalive))
			dp_peer_kick(dp, p);
	}
}

static void retire_peers(struct dp_ctx *dp, const struct dp_tenant_change *tc)
{
	for (unsigned int i = 0; i < tc->n_removed; i++) {
		struct dp_peer *p = dp->peers[tc->removed[i]];

		if (p)
			dp_peer_retire(dp, p);
	}
}

/*
 * A new key and the removals of one interface: they come before any addition, as they did
 * with one interface. An interface that goes leaves the demux first, so that nothing new
 * reaches it, then its peers (tc->removed has them all); the neighbours of its link, which
 * point at its dp_iface, go with those of the other removed interfaces (dp_reconf_apply).
 * Packets of it that workers hold finish on the old pointers: the tenant is freed after the
 * same grace period as its peers.
 */
static void apply_removals(struct dp_ctx *dp, const struct dp_tenant_change *tc)
{
	struct dp_tenant *t = dp->tenants[tc->tid];

	if (tc->removing) {
		dp_tenant_unpublish(dp, t);
		retire_peers(dp, tc);
		dp_tenant_retire(dp, t);
		return;
	}
	/* A new port is taken with the updates: two interfaces may swap theirs. */
	if (tc->new_settings && tc->listen_port != t->listen_port)
		dp_tenant_release_port(dp, t);
	if (tc->new_private_key)
		rekey_identity(dp, t, tc->private_key);
	retire_peers(dp, tc);
}

/*
 * A live interface's listen port, MTU, MSS clamp and routes. Workers read each as one value
 * (a torn MTU cannot happen); the old routes are freed after a grace period. The old listen
 * port was let go with the removals, so two interfaces may swap ports in one reload.
 */
static void apply_settings(struct dp_ctx *dp, struct dp_tenant *t, struct dp_tenant_change *tc)
{
	struct dp_rtable *old = t->routes;

	__atomic_store_n(&t->listen_port, tc->listen_port, __ATOMIC_RELAXED);
	__atomic_store_n(&dp->tenant_of_port[tc->listen_port], t->tid, __ATOMIC_RELEASE);
	__atomic_store_n(&t->mtu, tc->mtu, __ATOMIC_RELAXED);
	__atomic_store_n(&t->mss[0], tc->mss[0], __ATOMIC_RELAXED);
	__atomic_store_n(&t->mss[1], tc->mss[1], __ATOMIC_RELAXED);
	if (old != tc->routes) {
		__atomic_store_n(&t->routes, tc->routes, __ATOMIC_RELEASE);
		dp_rtable_retire(dp, old);
	}
	tc->routes = NULL; /* the tenant's now */
}

static void apply_updates(struct dp_ctx *dp, struct dp_tenant_change *tc)
{
	struct dp_tenant *t = tc->created ? tc->created : dp->tenants[tc->tid];

	if (tc->removing)
		return;
	if (tc->new_settings)
		apply_settings(dp, t, tc);
	for (unsigned int i = 0; i < tc->n_updated; i++)
		update_peer(dp, &tc->updated[i]);
	if (tc->aips) {
		struct dp_aips *old = t->aips;

		__atomic_store_n(&t->aips, tc->aips, __ATOMIC_RELEASE);
		if (old)
			dp_aips_retire(dp, old);
	}
}

void dp_reconf_apply(struct dp_ctx *dp, struct dp_reconf *rc)
{
	uint64_t t0 = wg_clock_mono_ns();

	for (unsigned int k = 0; k < rc->n_tc; k++)
		apply_removals(dp, &rc->tc[k]);
	if (rc->n_gone_links && dp->neigh)
		dp_neigh_forget_links(dp->neigh, rc->gone_links, rc->n_gone_links);
	/* Ids first, tables after: a worker that finds an id finds its peer. */
	for (unsigned int k = 0; k < rc->n_tc; k++)
		for (unsigned int i = 0; i < rc->tc[k].n_added; i++)
			add_peer(dp, rc->tc[k].added[i]);
	if (rc->n_peers > dp->n_peers)
		__atomic_store_n(&dp->n_peers, rc->n_peers, __ATOMIC_RELEASE);
	for (unsigned int k = 0; k < rc->n_tc; k++)
		apply_updates(dp, &rc->tc[k]);
	/* New interfaces last, whole: peers, allowed-ips, then the demux. */
	for (unsigned int k = 0; k < rc->n_tc; k++)
		if (rc->tc[k].created)
			dp_tenant_publish(dp, rc->tc[k].created);
	for (unsigned int tid = 0; tid < dp->n_tenants; tid++)
		if (dp->tenants[tid])
			dp->tenants[tid]->named_in_logs = rc->n_ifaces > 1;
	dp->under_load_queue = rc->under_load_queue;
	rc->applied = true;
	rc->apply_ns = wg_clock_mono_ns() - t0;
}

static void tenant_change_free(struct dp_tenant_change *tc, bool applied)
{
	if (!applied) {
		for (unsigned int i = 0; i < tc->n_added; i++)
			dp_peer_destroy(tc->added[i]);
		dp_aips_free(tc->aips);
		dp_tenant_free(tc->created);
		dp_rtable_free(tc->routes);
	}
	free(tc->removed);
	free(tc->added);
	if (tc->updated)
		wgc_memzero(tc->updated, tc->n_updated * sizeof(*tc->updated));
	free(tc->updated);
}

void dp_reconf_free(struct dp_reconf *rc)
{
	if (!rc)
		return;
	for (unsigned int k = 0; rc->tc && k < rc->n_tc; k++)
		tenant_change_free(&rc->tc[k], rc->applied);
	if (rc->tc)
		wgc_memzero(rc->tc, rc->n_tc * sizeof(*rc->tc));
	free(rc->tc);
	free(rc->gone_links);
	wgc_memzero(rc, sizeof(*rc));
	free(rc);
}

unsigned int dp_reconf_poll(struct dp_ctx *dp)
{
	uint32_t expected = MBOX_POSTED;

	if (__atomic_load_n(&dp->mbox_state, __ATOMIC_ACQUIRE) != MBOX_POSTED)
		return 0;
	/* The poster may withdraw a change while we stop: claim it first. */
	if (!__atomic_compare_exchange_n(&dp->mbox_state, &expected, MBOX_RUNNING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return 0;
	/* Peers, tenants, keys: what the handshake engines read changes only while they wait
	 * between two messages (hs_engine.h). Workers go on. Sessions they made before and not
	 * yet installed are checked at install: a removed peer's, or one under a private key
	 * that changed, is dropped (dp_hs_done_apply). */
	dp_hs_engines_pause(dp);
	dp_reconf_apply(dp, dp->mbox_req);
	dp_hs_engines_resume(dp);
	__atomic_store_n(&dp->mbox_state, MBOX_DONE, __ATOMIC_RELEASE);
	return 1;
}

int dp_reconf_submit(struct dp_ctx *dp, struct dp_reconf *rc)
{
	const struct timespec pause = { .tv_nsec = 20000 };

	if (!__atomic_load_n(&dp->running, __ATOMIC_ACQUIRE)) {
		dp_reconf_apply(dp, rc);
		return 0;
	}
	dp->mbox_req = rc;
	__atomic_store_n(&dp->mbox_state, MBOX_POSTED, __ATOMIC_RELEASE);
	for (;;) {
		uint32_t st = __atomic_load_n(&dp->mbox_state, __ATOMIC_ACQUIRE);
		uint32_t expected = MBOX_POSTED;

		if (st == MBOX_DONE)
			break;
		if (__atomic_load_n(&dp->quit, __ATOMIC_RELAXED) &&
		    __atomic_compare_exchange_n(&dp->mbox_state, &expected, MBOX_IDLE, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			dp->mbox_req = NULL;
			return -1;
		}
		nanosleep(&pause, NULL);
	}
	dp->mbox_req = NULL;
	__atomic_store_n(&dp->mbox_state, MBOX_IDLE, __ATOMIC_RELEASE);
	return 0;
}
