/* SPDX-License-Identifier: MIT */
/*
 * The control socket's commands (docs/cli.md): one decoded JSON request in, one answer out.
 * A bad request gets {"ok":false,"error":...,"path":...} and changes nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_log.h>

#include "admin_priv.h"
#include "crypto/ct.h"
#include "crypto/keys.h"
#include "ctl/uapi.h"
#include "dp.h"
#include "drain.h"
#include "gate.h"
#include "hs_engine.h"
#include "log.h"
#include "peer.h"
#include "wg/clock.h"
#include "wg/noise.h"
#include "wgquick.h"

static json_t *error_answer(const char *path, const char *msg)
{
	json_t *a = json_object();

	json_object_set_new(a, "ok", json_false());
	json_object_set_new(a, "error", json_string(msg));
	if (path && *path)
		json_object_set_new(a, "path", json_string(path));
	return a;
}

static json_t *config_error_answer(const struct wgdp_config_error *err)
{
	return error_answer(err->path, err->message);
}

int dp_admin_iface_of(const struct dp_admin *adm, const char *name, struct wgdp_config_error *err)
{
	const struct wgdp_config *run = adm->running;

	snprintf(err->path, sizeof(err->path), "interface");
	if (!name) {
		if (run->n_ifaces == 1)
			return 0;
		snprintf(err->message, sizeof(err->message), "is required: wgdp runs %u interfaces",
			 run->n_ifaces);
		return -1;
	}
	for (unsigned int k = 0; k < run->n_ifaces; k++)
		if (strcmp(run->ifaces[k].name, name) == 0)
			return (int)k;
	snprintf(err->message, sizeof(err->message), "no interface %.20s", name);
	return -1;
}

/* The interface a request's "interface" member names; -1 with *answer set when none. */
static int request_iface(struct dp_admin *adm, json_t *req, json_t **answer)
{
	json_t *v = json_object_get(req, "interface");
	struct wgdp_config_error err;
	int k;

	if (v && !json_is_string(v)) {
		*answer = error_answer("interface", "must be a string");
		return -1;
	}
	k = dp_admin_iface_of(adm, v ? json_string_value(v) : NULL, &err);
	if (k < 0)
		*answer = config_error_answer(&err);
	return k;
}

/* "max_peers": N lists the first N peers only (interface.peers still counts them all): a
 * capped scrape copies and sends what it prints, not a million peers under the lock. */
static json_t *show(struct dp_admin *adm, json_t *req)
{
	json_t *max = json_object_get(req, "max_peers"), *a = NULL;
	uint32_t limit = UINT32_MAX;
	struct ctl_snapshot snap;
	int k;

	if (max && (!json_is_integer(max) || json_integer_value(max) < 0))
		return error_answer("max_peers", "must be a number of peers, 0 or more");
	if (max && json_integer_value(max) < UINT32_MAX)
		limit = (uint32_t)json_integer_value(max);
	k = request_iface(adm, req, &a);
	if (k < 0)
		return a;
	if (dp_admin_snapshot_first_locked(adm, (unsigned int)k, limit, &snap) != 0)
		return error_answer(NULL, "out of memory");
	a = ctl_show_json(&snap);
	ctl_snapshot_free(&snap);
	return a;
}

/* The running interface as `wg setconf` would take it (wgdpctl export); its keys only when
 * asked for ("keys": true). The socket is root's alone (0600), and no answer is logged. */
static json_t *export_config(struct dp_admin *adm, json_t *req)
{
	json_t *keys = json_object_get(req, "keys"), *a = NULL;
	struct ctl_snapshot snap;
	int k;

	if (keys && !json_is_boolean(keys))
		return error_answer("keys", "must be true or false");
	k = request_iface(adm, req, &a);
	if (k < 0)
		return a;
	if (dp_admin_snapshot_locked(adm, (unsigned int)k, &snap) != 0)
		return error_answer(NULL, "out of memory");
	a = ctl_export_json(&snap, json_is_true(keys));
	ctl_snapshot_free(&snap);
	return a;
}

static const char *role_name(const struct dp_port *p)
{
	return p->outside && p->inside ? "both" : p->outside ? "outside" : "inside";
}

static json_t *ports_json(struct dp_ctx *dp)
{
	json_t *ports = json_array();

	for (unsigned int i = 0; i < dp->n_ports; i++) {
		const struct dp_port *p = &dp->ports[i];
		struct rte_eth_stats st;
		char mac[RTE_ETHER_ADDR_FMT_SIZE];
		json_t *o = json_object();

		memset(&st, 0, sizeof(st));
		rte_eth_stats_get(p->port_id, &st);
		rte_ether_format_addr(mac, sizeof(mac), &p->iface.mac);
		json_object_set_new(o, "port", json_integer(p->port_id));
		json_object_set_new(o, "role", json_string(role_name(p)));
		json_object_set_new(o, "mac", json_string(mac));
		json_object_set_new(o, "rx_queues", json_integer(p->n_queues));
		json_object_set_new(o, "rx_packets", json_integer((json_int_t)st.ipackets));
		json_object_set_new(o, "rx_bytes", json_integer((json_int_t)st.ibytes));
		json_object_set_new(o, "rx_missed", json_integer((json_int_t)st.imissed));
		json_object_set_new(o, "rx_errors", json_integer((json_int_t)st.ierrors));
		json_object_set_new(o, "rx_nombuf", json_integer((json_int_t)st.rx_nombuf));
		json_object_set_new(o, "tx_packets", json_integer((json_int_t)st.opackets));
		json_object_set_new(o, "tx_bytes", json_integer((json_int_t)st.obytes));
		json_object_set_new(o, "tx_errors", json_integer((json_int_t)st.oerrors));
		json_array_append_new(ports, o);
	}
	return ports;
}

static void set_u64(json_t *o, const char *key, uint64_t v)
{
	json_object_set_new(o, key, json_integer((json_int_t)v));
}

static json_t *drops_json(const uint64_t *drops)
{
	json_t *o = json_object();

	for (unsigned int r = 0; r < DP_DROP_COUNT; r++)
		set_u64(o, dp_drop_name(r), drops[r]);
	return o;
}

static json_t *worker_json(struct dp_ctx *dp, const struct dp_worker *w, uint64_t *totals)
{
	const struct dp_worker_stats *s = &w->stats;
	json_t *o = json_object(), *queues = json_array();
	uint64_t drops[DP_DROP_COUNT];

	for (unsigned int i = 0; i < w->n_rx; i++) {
		json_t *q = json_object();

		json_object_set_new(q, "port", json_integer(dp->ports[w->rx_port[i]].port_id));
		json_object_set_new(q, "queue", json_integer(w->rx_queue[i]));
		json_array_append_new(queues, q);
	}
	json_object_set_new(o, "lcore", json_integer(w->lcore_id));
	json_object_set_new(o, "queues", queues);
	json_object_set_new(o, "tx_queue", json_integer(w->tx_queue));
	set_u64(o, "rx_packets", s->rx_packets);
	set_u64(o, "tx_packets", s->tx_packets);
	set_u64(o, "decrypted", s->decrypted);
	set_u64(o, "encrypted", s->encrypted);
	set_u64(o, "keepalives_received", s->keepalives_received);
	set_u64(o, "handshake_to_control", s->handshake_to_control);
	set_u64(o, "cookie_replies_sent", s->cookie_replies_sent);
	set_u64(o, "local_to_control", s->local_to_control);
	for (unsigned int r = 0; r < DP_DROP_COUNT; r++) {
		drops[r] = __atomic_load_n(&s->drops[r], __ATOMIC_RELAXED);
		totals[r] += drops[r];
	}
	json_object_set_new(o, "drops", drops_json(drops));
	return o;
}

/* Each handshake engine's share: what it received and answered, and its queue. */
static json_t *engines_json(struct dp_ctx *dp, uint64_t now)
{
	json_t *a = json_array();

	for (unsigned int i = 0; i < dp->n_engines; i++) {
		struct dp_hs_engine *e = &dp->engines[i];
		json_t *o = json_object();

		set_u64(o, "lcore", e->lcore_id);
		set_u64(o, "initiations_received",
			__atomic_load_n(&e->stats.initiations_received, __ATOMIC_RELAXED));
		set_u64(o, "cookie_replies_sent",
			__atomic_load_n(&e->stats.cookie_replies_sent, __ATOMIC_RELAXED));
		set_u64(o, "ratelimited", __atomic_load_n(&e->stats.ratelimited, __ATOMIC_RELAXED));
		set_u64(o, "queue_depth", rte_ring_count(e->ring));
		json_object_set_new(o, "under_load", json_boolean(dp_gate_under_load(e, now)));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *handshake_json(struct dp_ctx *dp)
{
	struct dp_control_stats total;
	const struct dp_control_stats *c = &total;
	json_t *o = json_object(), *errs = json_object();
	bool loaded = false;
	uint64_t now = wg_clock_mono_ns(), depth = 0, prio_depth = 0;

	dp_hs_stats_total(dp, &total);
	for (unsigned int i = 0; i < dp->n_engines; i++) {
		depth += rte_ring_count(dp->engines[i].ring);
		prio_depth += rte_ring_count(dp->engines[i].prio_ring);
		loaded |= dp_gate_under_load(&dp->engines[i], now);
	}

	set_u64(o, "initiations_received", c->initiations_received);
	set_u64(o, "responses_received", c->responses_received);
	set_u64(o, "cookies_received", c->cookies_received);
	set_u64(o, "handshakes_completed", c->handshakes_completed);
	set_u64(o, "initiations_sent", c->initiations_sent);
	set_u64(o, "responses_sent", c->responses_sent);
	set_u64(o, "cookie_replies_sent", c->cookie_replies_sent);
	set_u64(o, "keepalives_sent", c->keepalives_sent);
	set_u64(o, "mac_invalid", c->mac_invalid);
	set_u64(o, "ratelimited", c->ratelimited);
	set_u64(o, "unknown_index", c->unknown_index);
	set_u64(o, "staged_sent", c->staged_sent);
	set_u64(o, "staged_dropped", c->staged_dropped);
	set_u64(o, "staged_over_limit", c->staged_over_limit);
	set_u64(o, "staged_expired", c->staged_expired);
	set_u64(o, "under_load_ticks", c->under_load_ticks);
	for (unsigned int e = 1; e < WG_NOISE_ERR_COUNT; e++)
		set_u64(errs, wg_noise_error_name(e), c->noise_errors[e]);
	json_object_set_new(o, "noise_errors", errs);
	set_u64(o, "index_pool_empty", c->index_pool_empty);
	set_u64(o, "taken_over", c->taken_over);
	set_u64(o, "stray_sources", c->stray_sources);
	set_u64(o, "stray_initiations", c->stray_initiations);
	set_u64(o, "stray_deferred", c->stray_deferred);
	set_u64(o, "queue_depth", depth);
	set_u64(o, "priority_queue_depth", prio_depth);
	/* Sticky, as the handshake path sees it (gate.c), not just the queues' depth now: any
	 * engine's. */
	json_object_set_new(o, "under_load", json_boolean(loaded));
	json_object_set_new(o, "lcores", engines_json(dp, now));
	return o;
}

static json_t *neigh_json(struct dp_ctx *dp)
{
	const struct dp_neigh_stats *n;
	json_t *o = json_object(), *drops, *states;

	if (!dp->neigh) /* no ports yet */
		return o;
	n = dp_neigh_stats(dp->neigh);
	drops = json_object();
	states = json_object();
	set_u64(o, "arp_replies", n->arp_replies);
	set_u64(o, "neighbor_advertisements", n->neighbor_advertisements);
	set_u64(o, "echo_replies", n->echo_replies);
	set_u64(o, "solicitations", n->solicitations);
	set_u64(o, "probes", n->probes);
	set_u64(o, "learned", n->learned);
	set_u64(o, "released", n->released);
	set_u64(o, "created", n->created);
	set_u64(o, "deleted", n->deleted);
	set_u64(o, "evicted", n->evicted);
	set_u64(o, "expired", n->expired);
	set_u64(o, "not_learned", n->not_learned);
	for (unsigned int r = 0; r < DP_NEIGH_DROP_COUNT; r++)
		set_u64(drops, dp_neigh_drop_name(r), n->drops[r]);
	json_object_set_new(o, "drops", drops);
	/* Gauges: what the table holds now. */
	set_u64(o, "entries", n->entries);
	for (unsigned int st = 0; st < DP_NEIGH_STATE_COUNT; st++)
		set_u64(states, dp_neigh_state_name(st), n->in_state[st]);
	json_object_set_new(o, "states", states);
	set_u64(o, "queued", n->queued);
	return o;
}

static void router_add(struct dp_router_stats *sum, const struct dp_router_stats *r)
{
	for (unsigned int k = 0; k < DP_ICMP_KIND_COUNT; k++)
		sum->icmp_sent[k] += __atomic_load_n(&r->icmp_sent[k], __ATOMIC_RELAXED);
	sum->icmp_ratelimited += __atomic_load_n(&r->icmp_ratelimited, __ATOMIC_RELAXED);
	sum->icmp_suppressed += __atomic_load_n(&r->icmp_suppressed, __ATOMIC_RELAXED);
	sum->mss_clamped += __atomic_load_n(&r->mss_clamped, __ATOMIC_RELAXED);
	sum->fragmented += __atomic_load_n(&r->fragmented, __ATOMIC_RELAXED);
	sum->fragments += __atomic_load_n(&r->fragments, __ATOMIC_RELAXED);
}

/* What the router part did, every lcore's summed (router.h). */
static json_t *router_json(struct dp_ctx *dp)
{
	struct dp_router_stats sum = { 0 };
	json_t *o = json_object(), *sent = json_object();

	router_add(&sum, &dp->ctl_router.stats);
	for (unsigned int w = 0; w < dp->n_workers; w++)
		router_add(&sum, &dp->workers[w].router.stats);
	for (unsigned int k = 0; k < DP_ICMP_KIND_COUNT; k++)
		set_u64(sent, dp_icmp_kind_name(k), sum.icmp_sent[k]);
	json_object_set_new(o, "icmp_sent", sent);
	set_u64(o, "icmp_ratelimited", sum.icmp_ratelimited);
	set_u64(o, "icmp_suppressed", sum.icmp_suppressed);
	set_u64(o, "mss_clamped", sum.mss_clamped);
	set_u64(o, "fragmented", sum.fragmented);
	set_u64(o, "fragments", sum.fragments);
	return o;
}

/*
 * What wgdp holds now, against its bounds: gauges a soak watches stay flat. Read from the
 * control thread while the control lcore changes them: each is one aligned word, read once.
 */
static json_t *resources_json(struct dp_ctx *dp)
{
	json_t *o = json_object();

	set_u64(o, "mbufs", dp->pool ? dp->pool->size : 0);
	set_u64(o, "mbufs_in_use", dp->pool ? rte_mempool_in_use_count(dp->pool) : 0);
	set_u64(o, "keypairs", __atomic_load_n(&dp->n_keypairs, __ATOMIC_RELAXED));
	set_u64(o, "indexes", wg_index_count(dp->indexes));
	set_u64(o, "staged", __atomic_load_n(&dp->n_staged, __ATOMIC_RELAXED));
	set_u64(o, "stage_limit", dp->stage_limit);
	if (dp->neigh) {
		const struct dp_neigh_stats *n = dp_neigh_stats(dp->neigh);

		set_u64(o, "neighbours", n->entries);
		set_u64(o, "neighbour_limit", n->max_entries);
		set_u64(o, "neighbour_queued", n->queued);
		set_u64(o, "neighbour_queue_limit", n->queue_limit);
	}
	return o;
}

/* Counters as they are, before `clear stats` is taken off. */
/* Each interface's peers and the bytes their tunnels carried (the sum over its peers now). */
static json_t *interfaces_json(struct dp_ctx *dp)
{
	uint64_t *sums = calloc(2 * (dp->n_tenants ? dp->n_tenants : 1), sizeof(*sums));
	json_t *o = json_object();

	/* Peers leave only through the admin, whose lock the caller holds. */
	for (uint32_t id = 0; sums && id < dp->n_peers; id++) {
		const struct dp_peer *p = dp->peers[id];

		if (!p)
			continue;
		sums[2 * p->tenant->tid] += __atomic_load_n(&p->rx_bytes, __ATOMIC_RELAXED);
		sums[2 * p->tenant->tid + 1] += __atomic_load_n(&p->tx_bytes, __ATOMIC_RELAXED);
	}
	for (unsigned int k = 0; k < dp->n_tenants; k++) {
		const struct dp_tenant *t = dp->tenants[k];
		json_t *i = json_object();

		if (!t) {
			json_decref(i);
			continue;
		}
		json_object_set_new(i, "listen_port", json_integer(t->listen_port));
		if (t->has_inside)
			json_object_set_new(i, "vlan", json_integer(t->vlan));
		set_u64(i, "peers", t->n_live_peers);
		set_u64(i, "rx_bytes", sums ? sums[2 * k] : 0);
		set_u64(i, "tx_bytes", sums ? sums[2 * k + 1] : 0);
		json_object_set_new(o, t->name, i);
	}
	free(sums);
	return o;
}

static json_t *raw_stats(struct dp_admin *adm)
{
	struct dp_ctx *dp = adm->dp;
	json_t *a = json_object(), *workers = json_array(), *ctl = json_object();
	uint64_t totals[DP_DROP_COUNT] = { 0 };

	for (unsigned int w = 0; w < dp->n_workers; w++)
		json_array_append_new(workers, worker_json(dp, &dp->workers[w], totals));
	for (unsigned int r = 0; r < DP_DROP_COUNT; r++) {
		totals[r] += dp->ctl_drops[r];
		for (unsigned int i = 1; i < dp->n_engines; i++)
			totals[r] += __atomic_load_n(&dp->engines[i].drops[r], __ATOMIC_RELAXED);
	}
	json_object_set_new(ctl, "lcore", json_integer(rte_get_main_lcore()));
	json_object_set_new(ctl, "shares_lcore_with_worker", json_boolean(dp->control_is_worker));
	json_object_set_new(a, "ok", json_true());
	json_object_set_new(a, "ports", ports_json(dp));
	json_object_set_new(a, "control", ctl);
	json_object_set_new(a, "workers", workers);
	json_object_set_new(a, "drops", drops_json(totals));
	json_object_set_new(a, "handshake", handshake_json(dp));
	json_object_set_new(a, "neighbours", neigh_json(dp));
	json_object_set_new(a, "router", router_json(dp));
	json_object_set_new(a, "resources", resources_json(dp));
	json_object_set_new(a, "interfaces", interfaces_json(dp));
	set_u64(a, "peers", dp->n_live_peers);
	return a;
}

/* Identifiers and gauges are not counters: `clear stats` leaves them. */
static bool is_counter(const char *key)
{
	static const char *const not_counters[] = { "port",
						    "lcore",
						    "queue",
						    "tx_queue",
						    "rx_queues",
						    "queue_depth",
						    "peers",
						    "mbufs",
						    "mbufs_in_use",
						    "keypairs",
						    "indexes",
						    "staged",
						    "stage_limit",
						    "neighbours",
						    "neighbour_limit",
						    "neighbour_queued",
						    "neighbour_queue_limit",
						    "entries",
						    "queued",
						    "incomplete",
						    "reachable",
						    "stale",
						    "probe",
						    "failed",
						    "permanent",
						    "listen_port",
						    "vlan",
						    NULL };

	for (const char *const *k = not_counters; *k; k++)
		if (strcmp(key, *k) == 0)
			return false;
	return true;
}

/* cur -= base, member by member, for the counters both hold. */
static void subtract(json_t *cur, json_t *base)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_object(cur) && json_is_object(base)) {
		json_object_foreach(cur, key, v) {
			json_t *b = json_object_get(base, key);

			if (json_is_integer(v) && json_is_integer(b) && is_counter(key))
				json_integer_set(v, json_integer_value(v) - json_integer_value(b));
			else
				subtract(v, b);
		}
	} else if (json_is_array(cur) && json_is_array(base)) {
		json_array_foreach(cur, i, v)
			subtract(v, json_array_get(base, i));
	}
}

static json_t *stats(struct dp_admin *adm)
{
	json_t *a = raw_stats(adm);
	/* The interfaces' figures are of their peers now (a removed peer takes its bytes with
	 * it): not counters since a clear. */
	json_t *ifaces = json_incref(json_object_get(a, "interfaces"));

	json_object_del(a, "interfaces");
	if (adm->stats_base)
		subtract(a, adm->stats_base);
	json_object_set_new(a, "interfaces", ifaces);
	return a;
}

static json_t *clear_stats(struct dp_admin *adm)
{
	json_t *a = json_object();

	json_decref(adm->stats_base);
	adm->stats_base = raw_stats(adm);
	json_object_set_new(a, "ok", json_true());
	return a;
}

/*
 * A peer-add's error from the apply (no room in the tables, say) names the added peer as the
 * request does, "peer", not as the peer it became in the new config, peers[added].
 */
static void rebase_added(struct wgdp_config_error *err, bool shorthand, int iface, int64_t added)
{
	char was[64];
	size_t len;

	if (added < 0)
		return;
	/* As the admin names an interface's peer (admin.c peer_path). */
	if (shorthand)
		len = (size_t)snprintf(was, sizeof(was), "peers[%" PRId64 "]", added);
	else
		len = (size_t)snprintf(was, sizeof(was), "interfaces[%d].peers[%" PRId64 "]", iface,
				       added);
	if (strncmp(err->path, was, len) != 0 || (err->path[len] && err->path[len] != '.'))
		return;
	/* The prefix is longer than "peer": the rest moves left, in place. */
	memmove(err->path + 4, err->path + len, strlen(err->path + len) + 1);
	memcpy(err->path, "peer", 4);
}

/*
 * A change's "dry_run": true asks for every check of the apply and nothing more (wgdpctl
 * --dry-run, and its first round over several boxes, docs/scale-out.md). -1 with *answer set
 * when the member is not a boolean.
 */
static int dry_run_of(json_t *req, json_t **answer)
{
	json_t *v = json_object_get(req, "dry_run");

	if (v && !json_is_boolean(v)) {
		*answer = error_answer("dry_run", "must be true or false");
		return -1;
	}
	return json_is_true(v);
}

/* Peers of interface iface (-1: of all) in cfg. */
static uint32_t peers_of(const struct wgdp_config *cfg, int iface)
{
	uint32_t peers = 0;

	for (unsigned int k = 0; k < cfg->n_ifaces; k++)
		if (iface < 0 || (unsigned int)iface == k)
			peers += cfg->ifaces[k].n_peers;
	return peers;
}

/*
 * Applies next (which it takes), or with dry_run only checks it. iface: the interface a
 * request named (its peer count goes in the answer), or -1 for a whole config (all peers);
 * added: the index of a peer-add's peer in that interface, or -1.
 */
static json_t *apply_answer(struct dp_admin *adm, struct wgdp_config *next, int iface,
			    int64_t added, bool dry_run)
{
	bool shorthand = next->shorthand;
	struct wgdp_config_error err;
	struct dp_apply_result res;
	uint32_t peers = 0;
	json_t *a;
	int rc;

	if (dry_run) {
		rc = dp_admin_check_locked(adm, next, &res, &err);
		peers = peers_of(next, iface); /* the peers there would be */
		wgdp_config_free(next);
	} else {
		rc = dp_admin_apply_locked(adm, next, &res, &err);
	}
	if (rc != 0) {
		rebase_added(&err, shorthand, iface, added); /* next is gone: shorthand was kept */
		return config_error_answer(&err);
	}
	if (!dry_run)
		peers = peers_of(adm->running, iface);
	a = json_object();
	json_object_set_new(a, "ok", json_true());
	if (dry_run)
		json_object_set_new(a, "dry_run", json_true());
	json_object_set_new(a, "added", json_integer(res.added));
	json_object_set_new(a, "removed", json_integer(res.removed));
	json_object_set_new(a, "changed", json_integer(res.changed));
	json_object_set_new(a, "peers", json_integer(peers));
	if (res.ifaces_added || res.ifaces_removed) {
		json_object_set_new(a, "interfaces_added", json_integer(res.ifaces_added));
		json_object_set_new(a, "interfaces_removed", json_integer(res.ifaces_removed));
	}
	json_object_set_new(a, "prepare_us", json_integer((json_int_t)(res.prepare_ns / 1000)));
	json_object_set_new(a, "apply_us", json_integer((json_int_t)(res.apply_ns / 1000)));
	return a;
}

static json_t *reload(struct dp_admin *adm, json_t *req)
{
	json_t *path = json_object_get(req, "path");
	struct wgdp_config_error err;
	struct wgdp_config *next;

	json_t *a = NULL;
	int dry = dry_run_of(req, &a);

	if (dry < 0)
		return a;
	if (path && !json_is_string(path))
		return error_answer("path", "must be a string");
	next = wgdp_config_load(path ? json_string_value(path) : adm->config_path, &err);
	if (!next)
		return config_error_answer(&err);
	return apply_answer(adm, next, -1, -1, dry);
}

static json_t *set_config(struct dp_admin *adm, json_t *req)
{
	json_t *cfg = json_object_get(req, "config"), *a = NULL;
	struct wgdp_config_error err;
	struct wgdp_config *next;
	int dry = dry_run_of(req, &a);

	if (dry < 0)
		return a;
	if (!cfg)
		return error_answer("config", "is required");
	next = wgdp_config_from_json(cfg, &err);
	/*
	 * Paths inside the config read as they do in the file and from reload (SPEC:
	 * "peers[3].endpoint"); a config that is not an object at all is the request's "config".
	 */
	if (!next)
		return error_answer(strcmp(err.path, "(top level)") ? err.path : "config",
				    err.message);
	return apply_answer(adm, next, -1, -1, dry);
}

/*
 * A copy of run whose interface k has one's peers, key and listen port (one: a dup of k's
 * view, edited),
 * which it takes; NULL when out of memory. For k 0, one is already the whole config.
 */
static struct wgdp_config *iface_splice(const struct wgdp_config *run, unsigned int k,
					struct wgdp_config *one)
{
	struct wgdp_interface_config *dst;
	struct wgdp_config *next;

	if (k == 0)
		return one;
	next = wgdp_config_dup(run, 0);
	if (!next) {
		wgdp_config_free(one);
		return NULL;
	}
	/* The peers change owner: interface k of next owns them, one owns none. */
	dst = &next->ifaces[k];
	for (unsigned int i = 0; i < dst->n_peers; i++)
		wgdp_peer_config_clear(&dst->peers[i]);
	free(dst->peers);
	dst->peers = one->peers;
	dst->n_peers = one->n_peers;
	memcpy(dst->private_key, one->private_key, 32);
	dst->listen_port = one->listen_port;
	one->peers = one->ifaces[0].peers = NULL;
	one->n_peers = one->ifaces[0].n_peers = 0;
	wgdp_config_free(one);
	return next;
}

/* The config to edit for interface k: run itself (0), or k's view. */
static const struct wgdp_config *iface_base(const struct wgdp_config *run, unsigned int k,
					    struct wgdp_config *view)
{
	if (k == 0)
		return run;
	wgdp_config_iface_view(run, k, view);
	return view;
}

static int64_t find_peer(const struct wgdp_config *cfg, const uint8_t key[32])
{
	for (uint32_t i = 0; i < cfg->n_peers; i++)
		if (memcmp(cfg->peers[i].public_key, key, 32) == 0)
			return i;
	return -1;
}

/*
 * The peer is JSON like a config's: a prefix another peer holds is refused, as a config file
 * giving it to two peers is, and not moved as a UAPI set would move it (peer-add only adds).
 */
static json_t *peer_add(struct dp_admin *adm, json_t *req)
{
	struct wgdp_peer_config pc;
	struct wgdp_config_error err;
	struct wgdp_config view, *one, *next;
	const struct wgdp_config *base;
	json_t *obj = json_object_get(req, "peer"), *a = NULL;
	int k = request_iface(adm, req, &a), dry = k < 0 ? 0 : dry_run_of(req, &a);
	int64_t added;

	if (k < 0 || dry < 0)
		return a;
	if (!obj)
		return error_answer("peer", "is required");
	if (!wgdp_peer_config_from_json(obj, "peer", &pc, &err))
		return config_error_answer(&err);
	base = iface_base(adm->running, (unsigned int)k, &view);
	if (!wgdp_config_check_new_peer(base, &pc, "peer", &err)) {
		wgdp_peer_config_clear(&pc);
		return config_error_answer(&err);
	}
	one = wgdp_config_dup(base, 1);
	if (!one) {
		wgdp_peer_config_clear(&pc);
		return error_answer(NULL, "out of memory");
	}
	added = one->n_peers;
	one->peers[one->n_peers++] = pc; /* one owns pc's allowed_ips now */
	next = iface_splice(adm->running, (unsigned int)k, one);
	if (!next)
		return error_answer(NULL, "out of memory");
	return apply_answer(adm, next, k, added, dry);
}

static json_t *peer_remove(struct dp_admin *adm, json_t *req)
{
	json_t *key = json_object_get(req, "public_key"), *a = NULL;
	struct wgdp_config view, *one, *next;
	const struct wgdp_config *base;
	int k = request_iface(adm, req, &a), dry = k < 0 ? 0 : dry_run_of(req, &a);
	uint8_t pub[32];
	int64_t i;

	if (k < 0 || dry < 0)
		return a;
	if (!json_is_string(key) || !wgc_key_from_base64(pub, json_string_value(key)))
		return error_answer("public_key", "must be a base64 public key");
	base = iface_base(adm->running, (unsigned int)k, &view);
	i = find_peer(base, pub);
	if (i < 0)
		return error_answer("public_key", "no such peer");
	one = wgdp_config_dup(base, 0);
	if (!one)
		return error_answer(NULL, "out of memory");
	wgdp_peer_config_clear(&one->peers[i]);
	memmove(&one->peers[i], &one->peers[i + 1],
		(one->n_peers - (uint32_t)i - 1) * sizeof(one->peers[0]));
	one->n_peers--;
	next = iface_splice(adm->running, (unsigned int)k, one);
	if (!next)
		return error_answer(NULL, "out of memory");
	return apply_answer(adm, next, k, -1, dry);
}

/*
 * The request's "peers", checked before any is parsed: an array, and no more than the running
 * config lets interface k have (base: k's config), so a huge list is refused, not allocated.
 */
static json_t *request_peers(json_t *req, const struct wgdp_config *base, json_t **answer)
{
	json_t *list = json_object_get(req, "peers");
	uint32_t iface_max = base->ifaces[0].max_peers;
	char msg[160];

	if (!list) {
		*answer = error_answer("peers", "is required");
		return NULL;
	}
	if (!json_is_array(list)) {
		*answer = error_answer("peers", "must be an array");
		return NULL;
	}
	if (json_array_size(list) > base->max_peers) {
		snprintf(msg, sizeof(msg), "%zu peers exceed limits.max_peers (%u)",
			 json_array_size(list), base->max_peers);
		*answer = error_answer("peers", msg);
		return NULL;
	}
	if (iface_max && json_array_size(list) > iface_max) {
		snprintf(msg, sizeof(msg), "%zu peers exceed the interface's max_peers (%u)",
			 json_array_size(list), iface_max);
		*answer = error_answer("peers", msg);
		return NULL;
	}
	return list;
}

/*
 * base with list as its interface's peers: a copy made without base's peers (no million copied
 * to be dropped), the list parsed into it, checked as a config's peers are. Interface 0's
 * peers are checked again by the apply, but an interface k > 0 edited through its view is
 * checked only here. NULL with *answer set; error paths as the request has them, "peers[3]".
 */
static struct wgdp_config *with_peers(const struct wgdp_config *base, json_t *list, json_t **answer)
{
	struct wgdp_config bare = *base, *one;
	struct wgdp_config_error err;
	char path[32];
	size_t i;
	json_t *v;

	bare.peers = NULL;
	bare.n_peers = 0;
	one = wgdp_config_dup(&bare, (unsigned int)json_array_size(list));
	if (!one) {
		*answer = error_answer(NULL, "out of memory");
		return NULL;
	}
	json_array_foreach(list, i, v)
	{
		snprintf(path, sizeof(path), "peers[%zu]", i);
		if (!wgdp_peer_config_from_json(v, path, &one->peers[i], &err))
			goto refused;
		one->n_peers++; /* one owns its allowed_ips now */
	}
	if (wgdp_config_check_peers(one, &err))
		return one;
refused:
	wgdp_config_free(one); /* the peers parsed so far, their preshared keys wiped */
	*answer = config_error_answer(&err);
	return NULL;
}

/*
 * Interface k's peers replaced by the request's, everything else as it runs: one peer list
 * for boxes whose ports differ (docs/scale-out.md). A key that stays keeps its sessions.
 */
static json_t *set_peers(struct dp_admin *adm, json_t *req)
{
	struct wgdp_config view, *one, *next;
	const struct wgdp_config *base;
	json_t *list, *a = NULL;
	int k = request_iface(adm, req, &a), dry = k < 0 ? 0 : dry_run_of(req, &a);

	if (k < 0 || dry < 0)
		return a;
	base = iface_base(adm->running, (unsigned int)k, &view);
	list = request_peers(req, base, &a);
	one = list ? with_peers(base, list, &a) : NULL;
	if (!one)
		return a;
	next = iface_splice(adm->running, (unsigned int)k, one);
	if (!next)
		return error_answer(NULL, "out of memory");
	return apply_answer(adm, next, k, -1, dry);
}

static json_t *set_log_level(json_t *req)
{
	json_t *type = json_object_get(req, "type"), *level = json_object_get(req, "level");
	static const char *const names[] = { NULL, "emergency", "alert", "critical", "error",
					     "warning", "notice", "info", "debug" };
	char pattern[64];
	int lv = 0;

	if (!json_is_string(type) || !*json_string_value(type))
		return error_answer("type", "must be a log type, e.g. wgdp.handshake or wgdp.*");
	for (int i = 1; i <= 8; i++)
		if (json_is_string(level) && strcmp(json_string_value(level), names[i]) == 0)
			lv = i;
	if (json_is_integer(level) && json_integer_value(level) >= 1 &&
	    json_integer_value(level) <= 8)
		lv = (int)json_integer_value(level);
	if (!lv)
		return error_answer("level", "must be emergency .. debug, or 1 .. 8");
	snprintf(pattern, sizeof(pattern), "%s", json_string_value(type));
	if (rte_log_set_level_pattern(pattern, (uint32_t)lv) != 0)
		return error_answer("type", "not a log type pattern");
	return json_pack("{s:b}", "ok", 1);
}

/*
 * What a route announcer asks before it announces this box (docs/scale-out.md): "serving", or
 * "draining" from SIGTERM with --drain-ms on, with the time left.
 */
static json_t *health(struct dp_admin *adm)
{
	uint64_t until = dp_drain_until(adm->dp), now = wg_clock_mono_ns();
	json_t *a = json_pack("{s:b,s:s}", "ok", 1, "state", until ? "draining" : "serving");

	if (until)
		set_u64(a, "drain_ms_left", until > now ? (until - now) / WG_NSEC_PER_MSEC : 0);
	return a;
}

static json_t *dispatch(struct dp_admin *adm, const char *cmd, json_t *req)
{
	if (strcmp(cmd, "show") == 0)
		return show(adm, req);
	if (strcmp(cmd, "stats") == 0)
		return stats(adm);
	if (strcmp(cmd, "clear-stats") == 0)
		return clear_stats(adm);
	if (strcmp(cmd, "reload") == 0)
		return reload(adm, req);
	if (strcmp(cmd, "set-config") == 0)
		return set_config(adm, req);
	if (strcmp(cmd, "peer-add") == 0)
		return peer_add(adm, req);
	if (strcmp(cmd, "peer-remove") == 0)
		return peer_remove(adm, req);
	if (strcmp(cmd, "set-peers") == 0)
		return set_peers(adm, req);
	if (strcmp(cmd, "set-log-level") == 0)
		return set_log_level(req);
	if (strcmp(cmd, "export") == 0)
		return export_config(adm, req);
	return error_answer("cmd",
			    "unknown command (show, stats, clear-stats, reload, "
			    "set-config, peer-add, peer-remove, set-peers, set-log-level, export, "
			    "health)");
}

json_t *dp_admin_request(struct dp_admin *adm, json_t *req)
{
	json_t *cmd = json_object_get(req, "cmd"), *a;

	if (!json_is_object(req))
		return error_answer(NULL, "a request is a JSON object");
	if (!json_is_string(cmd))
		return error_answer("cmd", "is required (a string)");
	/* A route announcer's health check reads one atomic: it never waits behind a reload. */
	if (strcmp(json_string_value(cmd), "health") == 0)
		return health(adm);
	pthread_mutex_lock(&adm->lock);
	a = dispatch(adm, json_string_value(cmd), req);
	pthread_mutex_unlock(&adm->lock);
	return a;
}

char *dp_admin_json_line(struct dp_admin *adm, const char *line, size_t len)
{
	json_error_t jerr;
	json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr), *ans;
	bool secret = false;
	char *text;

	if (!req) {
		char where[64];

		snprintf(where, sizeof(where), "column %d", jerr.column);
		ans = json_pack("{s:b,s:s+,s:s}", "ok", 0, "error", "not JSON: ", jerr.text,
				"path", where);
	} else {
		json_t *cmd = json_object_get(req, "cmd");

		/* An export may carry keys: its tree is wiped (the server wipes the line). */
		secret = json_is_string(cmd) && strcmp(json_string_value(cmd), "export") == 0;
		ans = dp_admin_request(adm, req);
		json_decref(req);
	}
	text = json_dumps(ans, JSON_COMPACT);
	if (secret)
		wgdp_json_wipe(ans);
	json_decref(ans);
	return text;
}

static char *uapi_errno(int err, size_t *len)
{
	char *r = malloc(32);

	if (r)
		*len = (size_t)snprintf(r, 32, "errno=%d\n\n", err);
	return r;
}

static char *uapi_get(struct dp_admin *adm, unsigned int iface, size_t *len)
{
	struct ctl_snapshot snap;
	size_t body_len = 0;
	char *body, *r;

	if (dp_admin_snapshot_locked(adm, iface, &snap) != 0)
		return uapi_errno(ENOMEM, len);
	body = ctl_uapi_format_get(&snap, &body_len);
	ctl_snapshot_free(&snap);
	if (!body)
		return uapi_errno(ENOMEM, len);
	r = malloc(body_len + 16);
	if (r)
		*len = (size_t)snprintf(r, body_len + 16, "%serrno=0\n\n", body);
	wgc_memzero(body, body_len);
	free(body);
	return r;
}

static char *uapi_set(struct dp_admin *adm, unsigned int iface, const char *body, size_t len,
		      size_t *rlen)
{
	struct wgdp_config_error cerr;
	struct dp_apply_result res;
	struct ctl_uapi_set set;
	struct wgdp_config view, *one, *next;
	char msg[160];
	int err;

	err = ctl_uapi_parse_set(body, len, &set, msg, sizeof(msg));
	if (err) {
		DP_LOG(NOTICE, ctl, "uapi set refused: %s", msg);
		return uapi_errno(err, rlen);
	}
	one = ctl_uapi_apply(iface_base(adm->running, iface, &view), &set, &err, msg, sizeof(msg));
	next = one ? iface_splice(adm->running, iface, one) : NULL;
	if (one && !next) {
		err = ENOMEM;
		snprintf(msg, sizeof(msg), "out of memory");
	}
	ctl_uapi_set_free(&set);
	if (!next) {
		DP_LOG(NOTICE, ctl, "uapi set refused: %s", msg);
		return uapi_errno(err, rlen);
	}
	if (dp_admin_apply_locked(adm, next, &res, &cerr) != 0) {
		DP_LOG(NOTICE, ctl, "uapi set refused: %s: %s", cerr.path, cerr.message);
		return uapi_errno(EINVAL, rlen);
	}
	return uapi_errno(0, rlen);
}

char *dp_admin_uapi(struct dp_admin *adm, const char *ifname, const char *req, size_t len,
		    size_t *reply_len)
{
	struct wgdp_config_error err;
	char *r = NULL;
	int iface;

	pthread_mutex_lock(&adm->lock);
	/* By name under the lock: a reload may have removed or moved the interface. */
	iface = dp_admin_iface_of(adm, ifname, &err);
	if (iface < 0)
		r = uapi_errno(ENODEV, reply_len);
	else if (len >= 6 && memcmp(req, "get=1\n", 6) == 0)
		r = uapi_get(adm, (unsigned int)iface, reply_len);
	else if (len >= 6 && memcmp(req, "set=1\n", 6) == 0)
		r = uapi_set(adm, (unsigned int)iface, req + 6, len - 6, reply_len);
	else
		r = uapi_errno(EINVAL, reply_len);
	pthread_mutex_unlock(&adm->lock);
	return r;
}
