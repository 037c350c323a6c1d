/* SPDX-License-Identifier: MIT */
/*
 * The neighbour table: entries and their states (RFC 4861 7.3, as Linux's neighbour.c runs
 * them), the frames waiting for resolution, aging, eviction, and deletion behind a grace
 * period. neigh.h gives the contract; this file is its whole life cycle.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "neigh_priv.h"
#include "vlan.h"

#define MAC_VALID (1ull << 63)

/* A solicitation costs this much credit; a second's worth is the most the bucket holds. */
#define SOLICIT_COST_NS	 (1000000000ull / DP_NEIGH_SOLICIT_RATE)
#define SOLICIT_BURST_NS 1000000000ull

/* How long an entry stays in each state before its timer fires; 0: no timer. */
static const uint64_t state_timer[DP_NEIGH_STATE_COUNT] = {
	[DP_NEIGH_INCOMPLETE] = DP_NEIGH_RETRY_NS,  [DP_NEIGH_REACHABLE] = DP_NEIGH_REACHABLE_NS,
	[DP_NEIGH_STALE] = DP_NEIGH_STALE_CHECK_NS, [DP_NEIGH_PROBE] = DP_NEIGH_RETRY_NS,
	[DP_NEIGH_FAILED] = DP_NEIGH_FAILED_NS,	    [DP_NEIGH_PERMANENT] = 0,
};

static const char *const state_names[DP_NEIGH_STATE_COUNT] = {
	[DP_NEIGH_INCOMPLETE] = "incomplete", [DP_NEIGH_REACHABLE] = "reachable",
	[DP_NEIGH_STALE] = "stale",	      [DP_NEIGH_PROBE] = "probe",
	[DP_NEIGH_FAILED] = "failed",	      [DP_NEIGH_PERMANENT] = "permanent",
};

static const char *const drop_names[DP_NEIGH_DROP_COUNT] = {
	[DP_NEIGH_DROP_TRUNCATED] = "truncated",
	[DP_NEIGH_DROP_MALFORMED] = "malformed",
	[DP_NEIGH_DROP_BAD_CHECKSUM] = "bad_checksum",
	[DP_NEIGH_DROP_NOT_OURS] = "not_ours",
	[DP_NEIGH_DROP_BAD_HOP_LIMIT] = "nd_bad_hop_limit",
	[DP_NEIGH_DROP_UNHANDLED] = "unhandled",
	[DP_NEIGH_DROP_UNSOLICITED] = "unsolicited",
	[DP_NEIGH_DROP_QUEUE_FULL] = "resolve_queue_full",
	[DP_NEIGH_DROP_UNRESOLVED] = "unresolved",
	[DP_NEIGH_DROP_TABLE_FULL] = "table_full",
	[DP_NEIGH_DROP_NO_SOURCE] = "no_source_address",
	[DP_NEIGH_DROP_NO_MBUF] = "no_mbuf",
	[DP_NEIGH_DROP_EVICTED] = "evicted",
	[DP_NEIGH_DROP_QUEUE_LIMIT] = "queue_limit",
	[DP_NEIGH_DROP_SOLICIT_BUDGET] = "solicit_budget",
	[DP_NEIGH_DROP_LINK_GONE] = "link_gone",
};

const char *dp_neigh_drop_name(enum dp_neigh_drop reason)
{
	return (unsigned int)reason < DP_NEIGH_DROP_COUNT ? drop_names[reason] : "unknown";
}

const char *dp_neigh_state_name(enum dp_neigh_state state)
{
	return (unsigned int)state < DP_NEIGH_STATE_COUNT ? state_names[state] : "unknown";
}

const struct dp_neigh_stats *dp_neigh_stats(const struct dp_neigh *nt)
{
	return &nt->stats;
}

/* ---- lists: each state's entries in deadline order, and the free list ---- */

static uint32_t index_of(const struct dp_neigh *nt, const struct neigh_entry *e)
{
	return (uint32_t)(e - nt->entries);
}

static void list_unlink(struct dp_neigh *nt, struct neigh_entry *e)
{
	struct neigh_list *l = &nt->lists[e->state];

	if (e->prev != NEIGH_NIL)
		nt->entries[e->prev].next = e->next;
	else
		l->head = e->next;
	if (e->next != NEIGH_NIL)
		nt->entries[e->next].prev = e->prev;
	else
		l->tail = e->prev;
	nt->stats.in_state[e->state]--;
}

static void list_append(struct dp_neigh *nt, struct neigh_entry *e)
{
	struct neigh_list *l = &nt->lists[e->state];
	uint32_t i = index_of(nt, e);

	e->prev = l->tail;
	e->next = NEIGH_NIL;
	if (l->tail != NEIGH_NIL)
		nt->entries[l->tail].next = i;
	else
		l->head = i;
	l->tail = i;
	nt->stats.in_state[e->state]++;
}

static struct neigh_entry *list_head(const struct dp_neigh *nt, enum dp_neigh_state st)
{
	uint32_t i = nt->lists[st].head;

	return i == NEIGH_NIL ? NULL : &nt->entries[i];
}

static uint64_t timer_at(enum dp_neigh_state st, uint64_t now)
{
	return state_timer[st] ? now + state_timer[st] : UINT64_MAX;
}

/*
 * Moves e to state st from now on. Every state's timer is a constant, so appending keeps its
 * list in deadline order as long as now does not go back (if it does, timers only fire late).
 */
static void set_state(struct dp_neigh *nt, struct neigh_entry *e, enum dp_neigh_state st,
		      uint64_t now)
{
	if (e->state != NEIGH_NONE)
		list_unlink(nt, e);
	e->state = (uint8_t)st;
	e->since = now;
	e->deadline = timer_at(st, now);
	e->tries = 0;
	list_append(nt, e);
}

/* Restarts e's timer without changing its state. */
static void rearm(struct dp_neigh *nt, struct neigh_entry *e, uint64_t now)
{
	list_unlink(nt, e);
	e->deadline = timer_at(e->state, now);
	list_append(nt, e);
}

/* ---- the MAC word the workers read ---- */

static uint64_t mac_pack(const struct rte_ether_addr *mac)
{
	uint64_t v = 0;

	for (int i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		v = (v << 8) | mac->addr_bytes[i];
	return v | MAC_VALID;
}

static void mac_unpack(uint64_t v, struct rte_ether_addr *mac)
{
	for (int i = RTE_ETHER_ADDR_LEN - 1; i >= 0; i--) {
		mac->addr_bytes[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t mac_word(const struct neigh_entry *e)
{
	return __atomic_load_n(&e->mac_state, __ATOMIC_ACQUIRE);
}

static void mac_set(struct neigh_entry *e, uint64_t v)
{
	__atomic_store_n(&e->mac_state, v, __ATOMIC_RELEASE);
}

/* ---- frames waiting for resolution ---- */

static struct rte_mbuf *queue_pop(struct dp_neigh *nt, struct neigh_entry *e)
{
	uint32_t s = e->q_head;
	struct rte_mbuf *m = nt->slots[s].m;

	e->q_head = nt->slots[s].next;
	if (e->q_head == NEIGH_NIL)
		e->q_tail = NEIGH_NIL;
	nt->slots[s].next = nt->slot_free;
	nt->slot_free = s;
	e->n_queued--;
	nt->stats.queued--;
	return m;
}

/* m waits on e: DP_NEIGH_QUEUE an entry (the oldest goes), queue_limit in all (m goes). */
static bool queue_push(struct dp_neigh *nt, struct neigh_entry *e, struct rte_mbuf *m)
{
	uint32_t s;

	if (e->n_queued == DP_NEIGH_QUEUE) {
		nt->stats.drops[DP_NEIGH_DROP_QUEUE_FULL]++;
		rte_pktmbuf_free(queue_pop(nt, e));
	}
	if (nt->slot_free == NEIGH_NIL) {
		nt->stats.drops[DP_NEIGH_DROP_QUEUE_LIMIT]++;
		rte_pktmbuf_free(m);
		return false;
	}
	s = nt->slot_free;
	nt->slot_free = nt->slots[s].next;
	nt->slots[s].m = m;
	nt->slots[s].next = NEIGH_NIL;
	if (e->q_tail != NEIGH_NIL)
		nt->slots[e->q_tail].next = s;
	else
		e->q_head = s;
	e->q_tail = s;
	e->n_queued++;
	nt->stats.queued++;
	return true;
}

static void queue_drop(struct dp_neigh *nt, struct neigh_entry *e, enum dp_neigh_drop why)
{
	nt->stats.drops[why] += e->n_queued;
	while (e->n_queued)
		rte_pktmbuf_free(queue_pop(nt, e));
}

void neigh_tx_add(struct dp_neigh *nt, struct dp_tx_list *tx, uint32_t link, struct rte_mbuf *m)
{
	if (tx->n == DP_TX_LIST_MAX) {
		nt->stats.drops[DP_NEIGH_DROP_QUEUE_FULL]++;
		rte_pktmbuf_free(m);
		return;
	}
	m->port = (uint16_t)link;
	dp_vlan_tx_mark(m, (uint16_t)(link >> 16));
	tx->pkts[tx->n++] = m;
}

/* e has a MAC now: what waited for it leaves. */
static void queue_release(struct dp_neigh *nt, struct neigh_entry *e, struct dp_tx_list *tx)
{
	struct rte_ether_addr mac;

	mac_unpack(mac_word(e), &mac);
	while (e->n_queued) {
		struct rte_mbuf *m = queue_pop(nt, e);

		rte_ether_addr_copy(&mac, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr);
		nt->stats.released++;
		neigh_tx_add(nt, tx, e->key.link, m);
	}
}

/* ---- creation and deletion ---- */

static void key_of(struct neigh_key *k, uint32_t link, const struct wgdp_addr *a)
{
	memset(k, 0, sizeof(*k));
	k->link = link;
	k->family = a->family;
	memcpy(k->addr, a->bytes, a->family == 4 ? 4 : 16);
}

static void free_push(struct dp_neigh *nt, struct neigh_entry *e)
{
	e->next = nt->free_head;
	nt->free_head = index_of(nt, e);
}

/* Deleted entries whose grace period is over can be reused. */
static void reclaim(struct dp_neigh *nt)
{
	while (nt->retire_head != NEIGH_NIL) {
		struct neigh_entry *e = &nt->entries[nt->retire_head];

		if (nt->rcu && rte_rcu_qsbr_check(nt->rcu, e->token, false) != 1)
			return;
		nt->retire_head = e->next;
		if (nt->retire_head == NEIGH_NIL)
			nt->retire_tail = NEIGH_NIL;
		if (e->pos >= 0)
			rte_hash_free_key_with_position(nt->hash, e->pos);
		free_push(nt, e);
	}
}

/*
 * Out of the hash at once, but a worker may still hold e from a lookup: its memory and its
 * key's slot are reused once every worker has been quiescent since (RW_CONCURRENCY_LF leaves
 * the slot to us: rte_hash_del_key does not free it).
 */
static void neigh_delete(struct dp_neigh *nt, struct neigh_entry *e, enum dp_neigh_drop why)
{
	uint32_t i = index_of(nt, e);

	queue_drop(nt, e, why);
	list_unlink(nt, e);
	e->state = NEIGH_NONE;
	e->pos = rte_hash_del_key(nt->hash, &e->key);
	nt->stats.entries--;
	nt->stats.deleted++;
	e->token = nt->rcu ? rte_rcu_qsbr_start(nt->rcu) : 0;
	e->next = NEIGH_NIL;
	if (nt->retire_tail != NEIGH_NIL)
		nt->entries[nt->retire_tail].next = i;
	else
		nt->retire_head = i;
	nt->retire_tail = i;
	if (!nt->rcu)
		reclaim(nt);
}

static uint64_t used_of(const struct neigh_entry *e)
{
	return __atomic_load_n(&e->used, __ATOMIC_RELAXED);
}

/*
 * The least recently used of the oldest stale entries. For a neighbour that only asked for
 * us, none that has been used since it went stale: active ones are worth more than it is.
 */
static struct neigh_entry *stale_victim(struct dp_neigh *nt, bool need)
{
	struct neigh_entry *best = NULL;
	uint32_t i = nt->lists[DP_NEIGH_STALE].head;

	for (unsigned int n = 0; i != NEIGH_NIL && n < DP_NEIGH_EVICT_SCAN; n++) {
		struct neigh_entry *e = &nt->entries[i];

		if ((need || used_of(e) <= e->since) && (!best || used_of(e) < used_of(best)))
			best = e;
		i = e->next;
	}
	return best;
}

/* Among the oldest reachable entries, one no frame has used since it was confirmed. */
static struct neigh_entry *idle_reachable(struct dp_neigh *nt)
{
	uint32_t i = nt->lists[DP_NEIGH_REACHABLE].head;

	for (unsigned int n = 0; i != NEIGH_NIL && n < DP_NEIGH_EVICT_SCAN; n++) {
		struct neigh_entry *e = &nt->entries[i];

		if (used_of(e) <= e->since)
			return e;
		i = e->next;
	}
	return NULL;
}

/*
 * Room for one more entry. need: a next hop we must send to, which may push out entries still
 * resolving, and last a reachable one no frame has used since its confirmation; else a
 * neighbour that asked for us. PROBE, PERMANENT, and reachable entries in use: never.
 */
static bool evict(struct dp_neigh *nt, bool need)
{
	struct neigh_entry *e = list_head(nt, DP_NEIGH_FAILED);

	if (!e && need)
		e = list_head(nt, DP_NEIGH_INCOMPLETE);
	if (!e)
		e = stale_victim(nt, need);
	if (!e && need)
		e = idle_reachable(nt);
	if (!e)
		return false;
	nt->stats.evicted++;
	neigh_delete(nt, e, DP_NEIGH_DROP_EVICTED);
	return true;
}

/* A new entry for a on ifc in state st, MAC mac (NULL: none yet); NULL when there is no room. */
static struct neigh_entry *neigh_add(struct dp_neigh *nt, const struct dp_iface *ifc,
				     const struct wgdp_addr *a, enum dp_neigh_state st,
				     const struct rte_ether_addr *mac, bool need, uint64_t now)
{
	struct neigh_entry *e;

	/* A spare first: an eviction must not be spent on an entry we cannot make. */
	if (nt->free_head == NEIGH_NIL)
		reclaim(nt);
	if (nt->free_head == NEIGH_NIL)
		return NULL; /* every spare entry still in its grace period */
	if (nt->stats.entries >= nt->stats.max_entries && !evict(nt, need))
		return NULL;
	e = &nt->entries[nt->free_head];
	nt->free_head = e->next;
	key_of(&e->key, dp_iface_link(ifc), a);
	e->ifc = ifc;
	e->mac_state = mac ? mac_pack(mac) : 0;
	e->used = 0;
	e->n_queued = 0;
	e->q_head = e->q_tail = NEIGH_NIL;
	/* Published by the add (a release): a worker that finds e sees it whole. */
	if (rte_hash_add_key_data(nt->hash, &e->key, e) != 0) {
		free_push(nt, e);
		return NULL;
	}
	set_state(nt, e, st, now);
	nt->stats.entries++;
	nt->stats.created++;
	return e;
}

struct neigh_entry *neigh_find(const struct dp_neigh *nt, uint32_t link, const struct wgdp_addr *a)
{
	struct neigh_key k;
	void *data;

	key_of(&k, link, a);
	if (rte_hash_lookup_data(nt->hash, &k, &data) < 0)
		return NULL;
	return data;
}

static bool link_in(uint32_t link, const uint32_t *links, unsigned int n)
{
	unsigned int lo = 0, hi = n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (links[mid] == link)
			return true;
		if (links[mid] < link)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

uint32_t dp_neigh_forget_links(struct dp_neigh *nt, const uint32_t *links, unsigned int n)
{
	uint32_t gone = 0;

	for (unsigned int st = 0; n && st < DP_NEIGH_STATE_COUNT; st++) {
		uint32_t i = nt->lists[st].head;

		while (i != NEIGH_NIL) {
			struct neigh_entry *e = &nt->entries[i];

			i = e->next; /* before the delete reuses next for the retire list */
			if (!link_in(e->key.link, links, n))
				continue;
			neigh_delete(nt, e, DP_NEIGH_DROP_LINK_GONE);
			gone++;
		}
	}
	return gone;
}

int dp_neigh_state(const struct dp_neigh *nt, uint32_t link, const struct wgdp_addr *nh)
{
	const struct neigh_entry *e = neigh_find(nt, link, nh);

	return e ? e->state : -1;
}

/* ---- the table's life ---- */

struct dp_neigh *dp_neigh_create(const char *name, uint32_t max_entries, struct rte_mempool *mp,
				 int socket)
{
	/* Room beyond max_entries for deleted entries waiting out their grace period. */
	uint32_t n = max_entries + RTE_MAX(64u, max_entries / 16);
	uint32_t queue = RTE_MAX((uint32_t)DP_NEIGH_QUEUE, mp->size / DP_NEIGH_POOL_SHARE);
	struct rte_hash_parameters p = {
		.name = name,
		.entries = n,
		.key_len = sizeof(struct neigh_key),
		.hash_func = rte_jhash,
		.socket_id = socket,
		.extra_flag =
			RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct dp_neigh *nt = rte_zmalloc_socket(name, sizeof(*nt), RTE_CACHE_LINE_SIZE, socket);

	if (!nt)
		return NULL;
	nt->mp = mp;
	nt->n_slots = n;
	nt->entries = rte_zmalloc_socket(name, (size_t)n * sizeof(*nt->entries),
					 RTE_CACHE_LINE_SIZE, socket);
	nt->slots = rte_zmalloc_socket(name, (size_t)queue * sizeof(*nt->slots), 0, socket);
	nt->hash = rte_hash_create(&p);
	if (!nt->entries || !nt->slots || !nt->hash) {
		dp_neigh_free(nt);
		return NULL;
	}
	for (unsigned int s = 0; s < DP_NEIGH_STATE_COUNT; s++)
		nt->lists[s].head = nt->lists[s].tail = NEIGH_NIL;
	nt->free_head = nt->retire_head = nt->retire_tail = NEIGH_NIL;
	for (uint32_t i = n; i-- > 0;) {
		nt->entries[i].state = NEIGH_NONE;
		free_push(nt, &nt->entries[i]);
	}
	nt->slot_free = NEIGH_NIL;
	for (uint32_t i = queue; i-- > 0;) {
		nt->slots[i].next = nt->slot_free;
		nt->slot_free = i;
	}
	nt->budget = SOLICIT_BURST_NS;
	nt->stats.max_entries = max_entries;
	nt->stats.queue_limit = queue;
	return nt;
}

void dp_neigh_free(struct dp_neigh *nt)
{
	if (!nt)
		return;
	for (uint32_t i = 0; nt->entries && nt->slots && i < nt->n_slots; i++)
		while (nt->entries[i].n_queued)
			rte_pktmbuf_free(queue_pop(nt, &nt->entries[i]));
	rte_hash_free(nt->hash);
	rte_free(nt->slots);
	rte_free(nt->entries);
	rte_free(nt);
}

void dp_neigh_set_rcu(struct dp_neigh *nt, struct rte_rcu_qsbr *rcu)
{
	nt->rcu = rcu;
	reclaim(nt);
}

/* ---- workers ---- */

bool dp_neigh_lookup(const struct dp_neigh *nt, uint32_t link, const struct wgdp_addr *nh,
		     struct rte_ether_addr *mac)
{
	struct neigh_entry *e = neigh_find(nt, link, nh);
	uint64_t v, clock;

	if (!e)
		return false;
	v = mac_word(e);
	if (!(v & MAC_VALID))
		return false;
	mac_unpack(v, mac);
	/* Aging needs to know it is used; a store at most once a tick keeps the line shared. */
	clock = __atomic_load_n(&nt->clock, __ATOMIC_RELAXED);
	if (used_of(e) + DP_NEIGH_USED_GRAIN_NS <= clock)
		__atomic_store_n(&e->used, clock, __ATOMIC_RELAXED);
	return true;
}

/* ---- solicitations ---- */

/* The global token bucket of broadcast / multicast solicitations. */
static bool budget_take(struct dp_neigh *nt, uint64_t now)
{
	if (now > nt->budget_at) {
		nt->budget = RTE_MIN(SOLICIT_BURST_NS, nt->budget + (now - nt->budget_at));
		nt->budget_at = now;
	}
	if (nt->budget < SOLICIT_COST_NS) {
		nt->stats.drops[DP_NEIGH_DROP_SOLICIT_BUDGET]++;
		return false;
	}
	nt->budget -= SOLICIT_COST_NS;
	return true;
}

/*
 * One more try for e, INCOMPLETE (to everyone, within the budget) or PROBE (unicast to the
 * MAC we know); the next one a timer period later. A try refused by the budget is no try.
 */
static void solicit(struct dp_neigh *nt, struct neigh_entry *e, uint64_t now, struct dp_tx_list *tx)
{
	bool probe = e->state == DP_NEIGH_PROBE;
	struct rte_ether_addr mac;
	struct wgdp_addr nh;
	struct rte_mbuf *m;

	rearm(nt, e, now);
	if (!probe && !budget_take(nt, now))
		return;
	e->tries++;
	memset(&nh, 0, sizeof(nh));
	nh.family = e->key.family;
	memcpy(nh.bytes, e->key.addr, sizeof(nh.bytes));
	mac_unpack(mac_word(e), &mac);
	m = neigh_solicitation(nt, e->ifc, &nh, probe ? &mac : NULL);
	if (!m)
		return;
	if (probe)
		nt->stats.probes++;
	else
		nt->stats.solicitations++;
	neigh_tx_add(nt, tx, e->key.link, m);
}

/* Nobody answered: the MAC (if any) stops being used and what waited is dropped. */
static void neigh_fail(struct dp_neigh *nt, struct neigh_entry *e, uint64_t now)
{
	mac_set(e, 0);
	queue_drop(nt, e, DP_NEIGH_DROP_UNRESOLVED);
	set_state(nt, e, DP_NEIGH_FAILED, now);
}

/* ---- what neighbours tell us ---- */

static void learn(struct dp_neigh *nt, struct neigh_entry *e, const struct rte_ether_addr *mac)
{
	mac_set(e, mac_pack(mac));
	nt->stats.learned++;
}

void neigh_asked(struct dp_neigh *nt, const struct dp_iface *ifc, const struct wgdp_addr *a,
		 const struct rte_ether_addr *mac, uint64_t now, struct dp_tx_list *tx)
{
	struct neigh_entry *e = neigh_find(nt, dp_iface_link(ifc), a);
	uint64_t v = mac_pack(mac);

	if (!e) {
		if (neigh_add(nt, ifc, a, DP_NEIGH_STALE, mac, false, now))
			nt->stats.learned++;
		else
			nt->stats.not_learned++;
		return;
	}
	/* RFC 4861 7.2.3: a new or changed MAC is STALE; the same one changes nothing. */
	if (e->state == DP_NEIGH_PERMANENT || mac_word(e) == v)
		return;
	learn(nt, e, mac);
	set_state(nt, e, DP_NEIGH_STALE, now);
	queue_release(nt, e, tx);
}

bool neigh_answered(struct dp_neigh *nt, struct neigh_entry *e, const struct rte_ether_addr *mac,
		    unsigned int flags, uint64_t now, struct dp_tx_list *tx)
{
	uint64_t v = mac_word(e);
	bool changed = mac && mac_pack(mac) != v;

	if (e->state == DP_NEIGH_PERMANENT)
		return true;
	/* A confirmation counts only while we are asking: "solicited" answers nobody solicited
	 * would keep entries REACHABLE, which are never evicted, and so fill the table for good. */
	if (e->state != DP_NEIGH_INCOMPLETE && e->state != DP_NEIGH_PROBE)
		flags &= ~NEIGH_SOLICITED;
	if (!(v & MAC_VALID)) {
		if (!mac)
			return false;
		learn(nt, e, mac);
		set_state(nt, e, flags & NEIGH_SOLICITED ? DP_NEIGH_REACHABLE : DP_NEIGH_STALE,
			  now);
		queue_release(nt, e, tx);
		return true;
	}
	/* RFC 4861 7.2.5: a MAC that may not override ours only casts doubt on it. */
	if (changed && !(flags & NEIGH_OVERRIDE)) {
		if (e->state == DP_NEIGH_REACHABLE)
			set_state(nt, e, DP_NEIGH_STALE, now);
		return true;
	}
	if (changed)
		learn(nt, e, mac);
	if (flags & NEIGH_SOLICITED)
		set_state(nt, e, DP_NEIGH_REACHABLE, now);
	else if (changed)
		set_state(nt, e, DP_NEIGH_STALE, now);
	return true;
}

/* ---- what the control lcore asks ---- */

bool dp_neigh_resolve(struct dp_neigh *nt, const struct dp_iface *ifc, const struct wgdp_addr *nh,
		      struct rte_mbuf *m, uint64_t now_ns, struct dp_tx_list *tx)
{
	struct neigh_entry *e = neigh_find(nt, dp_iface_link(ifc), nh);
	bool queued;
	uint64_t v;

	if (!e)
		e = neigh_add(nt, ifc, nh, DP_NEIGH_INCOMPLETE, NULL, true, now_ns);
	if (!e) {
		nt->stats.drops[DP_NEIGH_DROP_TABLE_FULL]++;
		rte_pktmbuf_free(m);
		return false;
	}
	v = mac_word(e);
	if (v & MAC_VALID) {
		mac_unpack(v, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr);
		__atomic_store_n(&e->used, now_ns, __ATOMIC_RELAXED);
		neigh_tx_add(nt, tx, dp_iface_link(ifc), m);
		return true;
	}
	if (e->state == DP_NEIGH_FAILED)
		set_state(nt, e, DP_NEIGH_INCOMPLETE, now_ns); /* failed before: try afresh */
	queued = queue_push(nt, e, m);
	if (e->tries == 0 || (e->tries < DP_NEIGH_RETRIES && now_ns >= e->deadline))
		solicit(nt, e, now_ns, tx);
	return queued;
}

bool dp_neigh_set(struct dp_neigh *nt, const struct dp_iface *ifc, const struct wgdp_addr *nh,
		  const struct rte_ether_addr *mac)
{
	struct neigh_entry *e = neigh_find(nt, dp_iface_link(ifc), nh);
	struct dp_tx_list tx = { .n = 0 };
	uint64_t now = nt->clock;

	if (!e)
		e = neigh_add(nt, ifc, nh, DP_NEIGH_PERMANENT, mac, true, now);
	if (!e)
		return false;
	learn(nt, e, mac);
	set_state(nt, e, DP_NEIGH_PERMANENT, now);
	queue_release(nt, e, &tx);
	for (unsigned int i = 0; i < tx.n; i++)
		rte_pktmbuf_free(tx.pkts[i]);
	return true;
}

/* ---- timers ---- */

/* A stale entry's check: used since it went stale -> probe it; unused for long -> delete. */
static void stale_check(struct dp_neigh *nt, struct neigh_entry *e, uint64_t now,
			struct dp_tx_list *tx)
{
	uint64_t used = used_of(e), last = RTE_MAX(used, e->since);

	if (used > e->since) {
		set_state(nt, e, DP_NEIGH_PROBE, now);
		solicit(nt, e, now, tx);
	} else if (now >= last && now - last >= DP_NEIGH_GC_NS) {
		nt->stats.expired++;
		neigh_delete(nt, e, DP_NEIGH_DROP_UNRESOLVED);
	} else {
		rearm(nt, e, now);
	}
}

/* e's timer fired. False when it needs to send and tx is full: it waits for the next tick. */
static bool fire(struct dp_neigh *nt, struct neigh_entry *e, uint64_t now, struct dp_tx_list *tx)
{
	/* Resolution ends after its tries or their time, whichever comes first: tries the
	 * solicitation budget refused still count against the time (RFC 4861 7.2.2). */
	bool sends = e->state == DP_NEIGH_STALE ||
		     (e->state == DP_NEIGH_INCOMPLETE && e->tries < DP_NEIGH_RETRIES &&
		      now - e->since < DP_NEIGH_RETRIES * DP_NEIGH_RETRY_NS) ||
		     (e->state == DP_NEIGH_PROBE && e->tries < DP_NEIGH_PROBES);

	if (sends && tx->n == DP_TX_LIST_MAX)
		return false;
	switch (e->state) {
	case DP_NEIGH_INCOMPLETE:
	case DP_NEIGH_PROBE:
		if (sends)
			solicit(nt, e, now, tx);
		else
			neigh_fail(nt, e, now);
		break;
	case DP_NEIGH_REACHABLE:
		set_state(nt, e, DP_NEIGH_STALE, now);
		break;
	case DP_NEIGH_STALE:
		stale_check(nt, e, now, tx);
		break;
	default: /* FAILED: nothing waits on it (a frame would have made it INCOMPLETE) */
		nt->stats.expired++;
		neigh_delete(nt, e, DP_NEIGH_DROP_UNRESOLVED);
		break;
	}
	return true;
}

/*
 * The due timers of one state, oldest first, at most share of them; false when tx filled up
 * before they were done.
 */
static bool run_timers(struct dp_neigh *nt, enum dp_neigh_state st, uint64_t now,
		       struct dp_tx_list *tx, uint32_t share)
{
	struct neigh_entry *e;

	while (share && nt->work_left && (e = list_head(nt, st)) && e->deadline <= now) {
		if (!fire(nt, e, now, tx))
			return false;
		nt->work_left--;
		share--;
	}
	return true;
}

bool dp_neigh_tick(struct dp_neigh *nt, uint64_t now_ns, struct dp_tx_list *tx)
{
	/* Resolving first: frames wait on them; aging can wait a tick. */
	static const enum dp_neigh_state order[] = { DP_NEIGH_INCOMPLETE, DP_NEIGH_PROBE,
						     DP_NEIGH_REACHABLE, DP_NEIGH_STALE,
						     DP_NEIGH_FAILED };
	bool done = true;

	/* Called again at the same time (tx was full), it goes on with what is left. */
	if (now_ns != nt->tick_at) {
		nt->tick_at = now_ns;
		nt->work_left = DP_NEIGH_TICK_WORK;
	}
	__atomic_store_n(&nt->clock, now_ns, __ATOMIC_RELAXED);
	reclaim(nt);
	/* Each state gets its share of the work, and what one leaves passes on: a backlog of one
	 * (10,000 addresses resolving at once) must not stop the aging of the others. */
	for (unsigned int i = 0; i < RTE_DIM(order); i++)
		done &= run_timers(nt, order[i], now_ns, tx,
				   nt->work_left / (uint32_t)(RTE_DIM(order) - i));
	return !done && nt->work_left;
}
