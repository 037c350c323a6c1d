/* SPDX-License-Identifier: MIT */
/*
 * Peers and their tables: building them from the config, publishing keypairs to workers and
 * retiring them after an RCU grace period.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>

#include "crypto/ct.h"
#include "hs_engine.h"
#include "peer.h"

/* What the defer queue holds: an object to free once no worker can hold it. */
enum retire_kind {
	RETIRE_KEYPAIR = 1,
	RETIRE_AIPS,
	RETIRE_PEER,
	RETIRE_TENANT,
	RETIRE_RTABLE,
};

struct retire_entry {
	uint32_t kind;
	void *obj;
};

void dp_aips_free(struct dp_aips *a)
{
	if (!a)
		return;
	dp_rtable_free(a->compact);
	rte_fib_free(a->v4);
	rte_fib6_free(a->v6);
	free(a);
}

static void retire_free(void *ctx, void *entries, unsigned int n)
{
	struct retire_entry *e = entries;

	RTE_SET_USED(ctx);
	for (unsigned int i = 0; i < n; i++) {
		if (e[i].kind == RETIRE_KEYPAIR) {
			wg_keypair_wipe(e[i].obj);
			rte_free(e[i].obj);
		} else if (e[i].kind == RETIRE_AIPS) {
			dp_aips_free(e[i].obj);
		} else if (e[i].kind == RETIRE_PEER) {
			dp_peer_destroy(e[i].obj);
		} else if (e[i].kind == RETIRE_TENANT) {
			dp_tenant_free(e[i].obj);
		} else if (e[i].kind == RETIRE_RTABLE) {
			dp_rtable_free(e[i].obj);
		}
	}
}

static void retire(struct dp_ctx *dp, uint32_t kind, void *obj)
{
	struct retire_entry e = { .kind = kind, .obj = obj };

	/* The queue reclaims by itself when it runs full; if even that fails the grace period
	 * is waited out here, which only the control lcore ever does. */
	if (rte_rcu_qsbr_dq_enqueue(dp->retire_dq, &e) != 0) {
		/* With one lcore we are reader 0 ourselves and hold nothing here. */
		rte_rcu_qsbr_synchronize(dp->rcu, dp->control_is_worker ? 0 : RTE_QSBR_THRID_INVALID);
		retire_free(NULL, &e, 1);
	}
}

void dp_reclaim(struct dp_ctx *dp)
{
	unsigned int freed, pending, available;

	rte_rcu_qsbr_dq_reclaim(dp->retire_dq, 64, &freed, &pending, &available);
}

int dp_rcu_init(struct dp_ctx *dp)
{
	size_t sz = rte_rcu_qsbr_get_memsize(dp->n_workers);
	struct rte_rcu_qsbr_dq_parameters params = { 0 };

	dp->rcu = rte_zmalloc("wgdp_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (!dp->rcu || rte_rcu_qsbr_init(dp->rcu, dp->n_workers) != 0)
		return -1;
	params.name = "wgdp_retire";
	params.size = 4 * dp->max_peers + 1024;
	params.esize = sizeof(struct retire_entry);
	params.trigger_reclaim_limit = 64;
	params.max_reclaim_size = 64;
	params.free_fn = retire_free;
	params.v = dp->rcu;
	dp->retire_dq = rte_rcu_qsbr_dq_create(&params);
	return dp->retire_dq ? 0 : -1;
}

void dp_rcu_free(struct dp_ctx *dp)
{
	if (dp->retire_dq) {
		/* Workers have stopped: nothing holds a reference any more. */
		rte_rcu_qsbr_dq_delete(dp->retire_dq);
		dp->retire_dq = NULL;
	}
	rte_free(dp->rcu);
	dp->rcu = NULL;
}

static struct rte_hash *index_hash_create(struct dp_ctx *dp, uint32_t entries)
{
	struct rte_hash_parameters p = {
		.name = "wgdp_index",
		.entries = entries,
		.key_len = sizeof(uint32_t),
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash_rcu_config rcu = { .v = dp->rcu, .mode = RTE_HASH_QSBR_MODE_DQ };
	struct rte_hash *h = rte_hash_create(&p);

	if (h && rte_hash_rcu_qsbr_add(h, &rcu) != 0) {
		rte_hash_free(h);
		return NULL;
	}
	return h;
}

/* The key table's key: the same public key may be a peer of two interfaces. A whole number
 * of 32-bit words: rte_jhash reads the key a word at a time. */
struct peer_key {
	uint8_t public_key[32];
	uint16_t tid;
	uint16_t zero;
};

static void peer_key_of(struct peer_key *k, uint16_t tid, const uint8_t public_key[32])
{
	memset(k, 0, sizeof(*k));
	memcpy(k->public_key, public_key, 32);
	k->tid = tid;
}

static struct rte_hash *pubkey_hash_create(uint32_t entries)
{
	struct rte_hash_parameters p = {
		.name = "wgdp_pubkey",
		.entries = entries,
		.key_len = sizeof(struct peer_key),
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	return rte_hash_create(&p);
}

struct dp_peer *dp_peer_by_key(struct dp_ctx *dp, const struct dp_tenant *t, const uint8_t key[32])
{
	struct peer_key k;
	void *data;

	peer_key_of(&k, t->tid, key);
	if (rte_hash_lookup_data(dp->pubkey_hash, &k, &data) < 0)
		return NULL;
	return dp->peers[(uintptr_t)data];
}

int dp_peer_insert(struct dp_ctx *dp, struct dp_peer *p)
{
	struct peer_key k;

	peer_key_of(&k, p->tenant->tid, p->public_key);
	if (rte_hash_add_key_data(dp->pubkey_hash, &k, (void *)(uintptr_t)p->id) != 0)
		return -1;
	__atomic_store_n(&dp->peers[p->id], p, __ATOMIC_RELEASE);
	dp->n_live_peers++;
	p->tenant->n_live_peers++;
	return 0;
}

/* Sizes one generation for the prefixes of the peers. */
static void aips_count(const struct wgdp_peer_config *peers, unsigned int n_peers, uint32_t *n4,
		       uint32_t *n6, uint32_t *long4)
{
	*n4 = *n6 = *long4 = 0;
	for (uint32_t i = 0; i < n_peers; i++) {
		const struct wgdp_peer_config *pc = &peers[i];

		for (unsigned int j = 0; j < pc->n_allowed_ips; j++) {
			if (pc->allowed_ips[j].addr.family == 4) {
				(*n4)++;
				*long4 += pc->allowed_ips[j].len > 24;
			} else {
				(*n6)++;
			}
		}
	}
}

/* The compact table of the peers' prefixes; false when out of memory. */
static bool aips_compact(struct dp_aips *a, const struct wgdp_peer_config *peers,
			 unsigned int n_peers, const uint32_t *ids, uint32_t n)
{
	struct wgdp_prefix *pf = malloc(sizeof(*pf) * (n ? n : 1));
	uint32_t *val = malloc(sizeof(*val) * (n ? n : 1)), k = 0;

	for (uint32_t i = 0; pf && val && i < n_peers; i++) {
		for (unsigned int j = 0; j < peers[i].n_allowed_ips; j++) {
			pf[k] = peers[i].allowed_ips[j];
			val[k++] = ids[i];
		}
	}
	a->compact = pf && val ? dp_rtable_build_map(pf, val, k) : NULL;
	free(pf);
	free(val);
	return a->compact != NULL;
}

struct dp_aips *dp_aips_build(const struct wgdp_peer_config *peers, unsigned int n_peers,
			      const uint32_t *ids, bool compact_ok, char *err, size_t errlen)
{
	/* LPM tables are named objects: every generation needs a name of its own. */
	static uint32_t generation;
	uint32_t gen = __atomic_add_fetch(&generation, 1, __ATOMIC_RELAXED);
	struct dp_aips *a = calloc(1, sizeof(*a));
	uint32_t n4, n6, long4;
	char name[32];

	if (!a) {
		snprintf(err, errlen, "out of memory for allowed-ips");
		return NULL;
	}
	aips_count(peers, n_peers, &n4, &n6, &long4);
	if (compact_ok && n4 + n6 <= DP_AIPS_COMPACT_MAX) {
		if (aips_compact(a, peers, n_peers, ids, n4 + n6))
			return a;
		snprintf(err, errlen, "out of memory for allowed-ips");
		dp_aips_free(a);
		return NULL;
	}
	snprintf(name, sizeof(name), "wgdp_aips4_%u", gen);
	struct rte_fib_conf c4 = {
		.type = RTE_FIB_DIR24_8,
		.default_nh = DP_AIPS_MISS,
		.max_routes = (int)(n4 + 1024),
		.dir24_8 = { .nh_sz = RTE_FIB_DIR24_8_4B,
			     .num_tbl8 = RTE_MIN(long4 + 256, 1u << 20) },
	};
	a->v4 = rte_fib_create(name, SOCKET_ID_ANY, &c4);
	snprintf(name, sizeof(name), "wgdp_aips6_%u", gen);
	struct rte_fib6_conf c6 = {
		.type = RTE_FIB6_TRIE,
		.default_nh = DP_AIPS_MISS,
		.max_routes = (int)(n6 + 1024),
		/* A prefix longer than /24 costs up to (len - 24) / 8 groups of 1 KiB. */
		.trie = { .nh_sz = RTE_FIB6_TRIE_4B,
			  .num_tbl8 = RTE_MIN(14 * n6 + 1024, 1u << 20) },
	};
	a->v6 = rte_fib6_create(name, SOCKET_ID_ANY, &c6);
	if (!a->v4 || !a->v6) {
		snprintf(err, errlen, "allowed-ips tables: %s", rte_strerror(rte_errno));
		dp_aips_free(a);
		return NULL;
	}
	/* A prefix is one peer's (wgdp_config_check_peers; the UAPI moves it to its latest
	 * holder), so the order of the adds cannot decide who gets it. */
	for (uint32_t i = 0; i < n_peers; i++) {
		const struct wgdp_peer_config *pc = &peers[i];

		for (unsigned int j = 0; j < pc->n_allowed_ips; j++) {
			const struct wgdp_prefix *pf = &pc->allowed_ips[j];
			uint32_t v4;
			int rc;

			if (pf->addr.family == 4) {
				memcpy(&v4, pf->addr.bytes, 4);
				rc = rte_fib_add(a->v4, rte_be_to_cpu_32(v4), pf->len, ids[i]);
			} else {
				rc = rte_fib6_add(a->v6, pf->addr.bytes, pf->len, ids[i]);
			}
			if (rc != 0) {
				snprintf(err, errlen, "peers[%u].allowed_ips[%u]: table full", i, j);
				dp_aips_free(a);
				return NULL;
			}
		}
	}
	return a;
}

/*
 * Peers come from chunks of one rte_malloc each: a million rte_zmalloc calls, each faulting in
 * its own pages, were half of building a million peers. A chunk's pages are faulted in with
 * one madvise, and its slots handed out in order, then from a free list of the slots its
 * peers gave back (dp_peer_destroy, after a grace period; any order). A chunk whose last peer
 * goes is returned to the heap, but one empty chunk is kept so that a peer added and removed
 * in turn does not allocate a chunk each time. Process-wide: dp_peer_new has no dp_ctx; the
 * control thread allocates (reloads), the control lcore frees, hence the lock.
 */
#define PEER_CHUNK_BYTES (2u << 20) /* also the chunk's alignment: a slot finds its chunk */
#define PEER_SLOT_BYTES	 RTE_ALIGN_CEIL(sizeof(struct dp_peer), RTE_CACHE_LINE_SIZE)
#define PEER_SLOTS	 ((PEER_CHUNK_BYTES - RTE_CACHE_LINE_SIZE) / PEER_SLOT_BYTES)

struct peer_chunk {
	struct peer_chunk *prev, *next; /* on the partial list: a slot is free */
	void *free;			/* slots given back, linked through their first word */
	uint32_t used;			/* slots handed out and not given back */
	uint32_t bumped;		/* slots ever handed out; the rest are still zero */
};

static struct {
	rte_spinlock_t lock;
	struct peer_chunk *partial;
	struct peer_chunk *spare; /* an empty chunk kept back */
} peer_pool = { .lock = RTE_SPINLOCK_INITIALIZER };

static void *chunk_slot(struct peer_chunk *c, uint32_t i)
{
	return RTE_PTR_ADD(c, RTE_CACHE_LINE_SIZE + (size_t)i * PEER_SLOT_BYTES);
}

static void partial_unlink(struct peer_chunk *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		peer_pool.partial = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
}

static void partial_push(struct peer_chunk *c)
{
	c->prev = NULL;
	c->next = peer_pool.partial;
	if (c->next)
		c->next->prev = c;
	peer_pool.partial = c;
}

/* A new chunk, zeroed and faulted in: outside the lock, which the control lcore takes too. */
static struct peer_chunk *chunk_create(void)
{
	struct peer_chunk *c = rte_zmalloc("wgdp_peers", PEER_CHUNK_BYTES, PEER_CHUNK_BYTES);

	/* Faulted in at once, not a 4 KiB page at a time (--no-huge); a no-op on hugepages,
	 * and an old kernel's refusal only costs the faults. */
	if (c)
		(void)madvise(c, PEER_CHUNK_BYTES, MADV_POPULATE_WRITE);
	return c;
}

/* A chunk with a free slot, the lock held; NULL when out of memory. */
static struct peer_chunk *chunk_with_room(void)
{
	struct peer_chunk *fresh;

	if (!peer_pool.partial && peer_pool.spare) {
		partial_push(peer_pool.spare);
		peer_pool.spare = NULL;
	}
	if (peer_pool.partial)
		return peer_pool.partial;
	rte_spinlock_unlock(&peer_pool.lock);
	fresh = chunk_create();
	rte_spinlock_lock(&peer_pool.lock);
	/* Another thread may have made room meanwhile: then there are two chunks with room. */
	if (fresh)
		partial_push(fresh);
	return peer_pool.partial;
}

/* A zeroed slot for a peer, or NULL. */
static struct dp_peer *peer_alloc(void)
{
	struct peer_chunk *c;
	void *slot = NULL;

	rte_spinlock_lock(&peer_pool.lock);
	c = chunk_with_room();
	if (c && c->free) {
		slot = c->free;
		c->free = *(void **)slot;
		memset(slot, 0, sizeof(struct dp_peer));
	} else if (c) {
		slot = chunk_slot(c, c->bumped++);
	}
	if (c && ++c->used == PEER_SLOTS)
		partial_unlink(c);
	rte_spinlock_unlock(&peer_pool.lock);
	return slot;
}

static void peer_free(struct dp_peer *p)
{
	struct peer_chunk *c = RTE_PTR_ALIGN_FLOOR((void *)p, PEER_CHUNK_BYTES);
	struct peer_chunk *release = NULL;

	rte_spinlock_lock(&peer_pool.lock);
	if (c->used-- == PEER_SLOTS)
		partial_push(c);
	*(void **)p = c->free;
	c->free = p;
	if (c->used == 0) {
		partial_unlink(c);
		release = peer_pool.spare;
		peer_pool.spare = c;
	}
	rte_spinlock_unlock(&peer_pool.lock);
	rte_free(release);
}

struct dp_peer *dp_peer_new(struct dp_tenant *t, const struct wgdp_peer_config *pc, uint32_t id)
{
	struct dp_peer *p = peer_alloc();

	if (!p)
		return NULL;
	p->allowed_ips = calloc(pc->n_allowed_ips ? pc->n_allowed_ips : 1,
				sizeof(*p->allowed_ips));
	if (!p->allowed_ips) {
		peer_free(p);
		return NULL;
	}
	if (pc->n_allowed_ips)
		memcpy(p->allowed_ips, pc->allowed_ips,
		       pc->n_allowed_ips * sizeof(*pc->allowed_ips));
	p->n_allowed_ips = pc->n_allowed_ips;
	static uint32_t serials;

	p->id = id;
	p->serial = __atomic_add_fetch(&serials, 1, __ATOMIC_RELAXED);
	p->tenant = t;
	memcpy(p->public_key, pc->public_key, 32);
	/* Not snprintf: a million peers load in a few seconds, and it was 2% of them. */
	memcpy(p->name, pc->name, strnlen(pc->name, sizeof(p->name) - 1));
	rte_seqlock_init(&p->endpoint.lock);
	rte_spinlock_init(&p->hs_lock);
	if (pc->has_endpoint)
		dp_peer_set_endpoint(p, &pc->endpoint);
	wg_handshake_init(&p->hs, &t->identity, pc->public_key, pc->has_psk ? pc->psk : NULL);
	p->has_psk = pc->has_psk;
	wg_cookie_maker_init(&p->cookie, pc->public_key);
	wg_timers_init(&p->timers);
	p->persistent_keepalive = pc->persistent_keepalive;
	wg_timers_set_persistent_keepalive(&p->timers, pc->persistent_keepalive);
	return p;
}

void dp_peer_destroy(struct dp_peer *p)
{
	if (!p)
		return;
	wg_handshake_wipe(&p->hs);
	wg_cookie_maker_wipe(&p->cookie);
	free(p->allowed_ips);
	peer_free(p);
}

/* The peers of one interface, ids from *next_id on, and its allowed-ips. */
static int tenant_peers_init(struct dp_ctx *dp, struct dp_tenant *t,
			     const struct wgdp_interface_config *ic, uint32_t *next_id, char *err,
			     size_t errlen)
{
	uint32_t *ids = malloc(sizeof(*ids) * (ic->n_peers ? ic->n_peers : 1));

	if (!ids) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (uint32_t i = 0; i < ic->n_peers; i++) {
		struct dp_peer *p = dp_peer_new(t, &ic->peers[i], *next_id);

		if (!p || dp_peer_insert(dp, p) != 0) {
			snprintf(err, errlen, "%s: peers[%u]: cannot add to the peer tables",
				 t->name, i);
			dp_peer_destroy(p);
			free(ids);
			return -1;
		}
		ids[i] = p->id;
		dp->n_peers = ++*next_id;
		dp_peer_kick(dp, p);
	}
	t->aips = dp_aips_build(ic->peers, ic->n_peers, ids, dp->cfg->n_ifaces > 1, err, errlen);
	free(ids);
	return t->aips ? 0 : -1;
}

int dp_peers_init(struct dp_ctx *dp, char *err, size_t errlen)
{
	const struct wgdp_config *cfg = dp->cfg;
	uint32_t n_cfg = 0, next_id = 0;

	for (unsigned int i = 0; i < cfg->n_ifaces; i++)
		n_cfg += cfg->ifaces[i].n_peers;
	/* Room for every configured peer and more added at run time, up to max_peers: the
	 * hash tables cannot grow, so this is the run-time limit (docs/config.md). */
	dp->max_peers = RTE_MIN(cfg->max_peers, RTE_MAX(n_cfg * 2u, 1024u));
	dp->max_peers = RTE_MAX(dp->max_peers, n_cfg);
	dp->peers = calloc(dp->max_peers, sizeof(*dp->peers));
	dp->soon = calloc(dp->max_peers, sizeof(*dp->soon));
	/* Three keypairs and a handshake a peer, and the engines' pools of reserved indexes. */
	dp->indexes = wg_index_table_create(4 * dp->max_peers +
					    (dp->n_engines - 1) * (DP_HS_INDEX_POOL + 1));
	if (!dp->peers || !dp->soon || !dp->indexes || dp_rcu_init(dp) != 0) {
		snprintf(err, errlen, "out of memory for %u peers", dp->max_peers);
		return -1;
	}
	dp->index_hash = index_hash_create(dp, RTE_MAX(4 * dp->max_peers, 64u));
	dp->pubkey_hash = pubkey_hash_create(RTE_MAX(dp->max_peers, 64u));
	if (!dp->index_hash || !dp->pubkey_hash) {
		snprintf(err, errlen, "peer tables: %s", rte_strerror(rte_errno));
		return -1;
	}
	for (unsigned int i = 0; i < cfg->n_ifaces; i++)
		if (tenant_peers_init(dp, dp->tenants[i], &cfg->ifaces[i], &next_id, err, errlen) !=
		    0)
			return -1;
	return 0;
}

/* Control lcore: what only it may touch, before the peer goes (or the daemon stops). */
static void peer_release(struct dp_ctx *dp, struct dp_peer *p)
{
	dp_peer_clear_keypairs(dp, p);
	for (unsigned int i = 0; i < p->n_staged; i++)
		rte_pktmbuf_free(p->staged[i]);
	dp->n_staged -= p->n_staged;
	p->n_staged = 0;
	if (p->hs_index_live)
		wg_index_remove(dp->indexes, p->hs_index);
	p->hs_index_live = false;
}

void dp_peer_retire(struct dp_ctx *dp, struct dp_peer *p)
{
	struct peer_key k;

	peer_release(dp, p);
	peer_key_of(&k, p->tenant->tid, p->public_key);
	rte_hash_del_key(dp->pubkey_hash, &k);
	__atomic_store_n(&dp->peers[p->id], NULL, __ATOMIC_RELEASE);
	dp->n_live_peers--;
	p->tenant->n_live_peers--;
	retire(dp, RETIRE_PEER, p);
}

void dp_peers_free(struct dp_ctx *dp)
{
	for (uint32_t i = 0; i < dp->n_peers; i++)
		if (dp->peers && dp->peers[i]) {
			peer_release(dp, dp->peers[i]);
			dp_peer_destroy(dp->peers[i]);
		}
	free(dp->peers);
	free(dp->soon);
	dp->peers = NULL;
	dp->n_peers = 0;
	rte_hash_free(dp->index_hash);
	rte_hash_free(dp->pubkey_hash);
	wg_index_table_free(dp->indexes);
	dp->index_hash = NULL;
	dp->pubkey_hash = NULL;
	dp->indexes = NULL;
	dp_rcu_free(dp);
}

bool dp_peer_endpoint(struct dp_peer *p, struct wgdp_endpoint *ep)
{
	uint32_t sn;
	bool set;

	do {
		sn = rte_seqlock_read_begin(&p->endpoint.lock);
		*ep = p->endpoint.ep;
		set = p->endpoint.set;
	} while (rte_seqlock_read_retry(&p->endpoint.lock, sn));
	return set;
}

void dp_peer_set_endpoint(struct dp_peer *p, const struct wgdp_endpoint *ep)
{
	rte_seqlock_write_lock(&p->endpoint.lock);
	p->endpoint.ep = *ep;
	p->endpoint.set = true;
	rte_seqlock_write_unlock(&p->endpoint.lock);
}

int dp_keypair_publish(struct dp_ctx *dp, struct dp_keypair *kp)
{
	uint32_t index = kp->kp.local_index;

	if (rte_hash_add_key_data(dp->index_hash, &index, kp) != 0)
		return -1;
	__atomic_fetch_add(&dp->n_keypairs, 1, __ATOMIC_RELAXED);
	return 0;
}

void dp_keypair_retire(struct dp_ctx *dp, struct dp_keypair *kp)
{
	uint32_t index;

	if (!kp)
		return;
	index = kp->kp.local_index;
	if (rte_hash_del_key(dp->index_hash, &index) >= 0)
		__atomic_fetch_sub(&dp->n_keypairs, 1, __ATOMIC_RELAXED);
	wg_index_remove(dp->indexes, index);
	retire(dp, RETIRE_KEYPAIR, kp);
}

void dp_peer_publish_send_kp(struct dp_peer *p)
{
	struct wg_keypair *cur = p->kps.current;
	struct dp_keypair *kp = cur && cur->valid ? dp_keypair_of(cur) : NULL;

	__atomic_store_n(&p->send_kp, kp, __ATOMIC_RELEASE);
}

void dp_peer_clear_keypairs(struct dp_ctx *dp, struct dp_peer *p)
{
	struct wg_keypair *retired[3];
	unsigned int n = wg_keypairs_clear(&p->kps, retired);

	__atomic_store_n(&p->send_kp, NULL, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < n; i++)
		dp_keypair_retire(dp, dp_keypair_of(retired[i]));
}

void dp_aips_retire(struct dp_ctx *dp, struct dp_aips *a)
{
	retire(dp, RETIRE_AIPS, a);
}

void dp_tenant_retire(struct dp_ctx *dp, struct dp_tenant *t)
{
	retire(dp, RETIRE_TENANT, t);
}

void dp_rtable_retire(struct dp_ctx *dp, struct dp_rtable *r)
{
	if (r)
		retire(dp, RETIRE_RTABLE, r);
}
