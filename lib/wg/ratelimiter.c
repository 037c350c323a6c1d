/* SPDX-License-Identifier: MIT */
/*
 * Token buckets in a chained hash over a preallocated pool: no allocation per packet, and a
 * bound on memory however many sources a flood spoofs.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/ct.h"
#include "ratelimiter.h"

#define NIL	   UINT32_MAX
#define RL_KEY_LEN 19

struct rl_entry {
	uint8_t key[RL_KEY_LEN]; /* family, scope, the address (IPv6: its /64, rest zero) */
	uint64_t tokens; /* ns worth of credit, at most WG_RATELIMIT_MAX_TOKENS */
	uint64_t last;	 /* when tokens were last brought up to date */
	uint32_t next;	 /* chain (or free list) link */
};

struct wg_ratelimiter {
	uint8_t hash_key[crypto_shorthash_KEYBYTES];
	uint32_t *buckets;
	uint32_t bucket_mask;
	struct rl_entry *pool;
	uint32_t capacity, count, free_head;
};

static void key_of(uint8_t key[RL_KEY_LEN], const struct wg_rl_addr *a)
{
	memset(key, 0, RL_KEY_LEN);
	key[0] = a->family;
	key[1] = (uint8_t)(a->scope >> 8);
	key[2] = (uint8_t)a->scope;
	memcpy(key + 3, a->bytes, a->family == 4 ? 4 : 8);
}

static uint32_t bucket_of(const struct wg_ratelimiter *rl, const uint8_t key[RL_KEY_LEN])
{
	uint8_t h[crypto_shorthash_BYTES];
	uint32_t v;

	crypto_shorthash(h, key, RL_KEY_LEN, rl->hash_key);
	memcpy(&v, h, sizeof(v));
	return v & rl->bucket_mask;
}

struct wg_ratelimiter *wg_ratelimiter_create(uint32_t max_entries)
{
	struct wg_ratelimiter *rl;
	uint32_t nb = 1;

	if (max_entries == 0 || max_entries > (1u << 30) || sodium_init() < 0)
		return NULL;
	rl = calloc(1, sizeof(*rl));
	if (!rl)
		return NULL;
	while (nb < max_entries)
		nb <<= 1;
	rl->buckets = malloc(nb * sizeof(*rl->buckets));
	rl->pool = calloc(max_entries, sizeof(*rl->pool));
	if (!rl->buckets || !rl->pool) {
		wg_ratelimiter_free(rl);
		return NULL;
	}
	crypto_shorthash_keygen(rl->hash_key);
	rl->bucket_mask = nb - 1;
	rl->capacity = max_entries;
	for (uint32_t i = 0; i < nb; i++)
		rl->buckets[i] = NIL;
	for (uint32_t i = 0; i < max_entries; i++)
		rl->pool[i].next = i + 1 < max_entries ? i + 1 : NIL;
	rl->free_head = 0;
	return rl;
}

void wg_ratelimiter_free(struct wg_ratelimiter *rl)
{
	if (!rl)
		return;
	free(rl->buckets);
	free(rl->pool);
	wgc_memzero(rl->hash_key, sizeof(rl->hash_key));
	free(rl);
}

static void refill(struct rl_entry *e, uint64_t now)
{
	/* A clock that steps back grants nothing; the next forward step counts from here. */
	if (now > e->last) {
		uint64_t gained = now - e->last;

		e->tokens = gained >= WG_RATELIMIT_MAX_TOKENS - e->tokens ? WG_RATELIMIT_MAX_TOKENS
									  : e->tokens + gained;
	}
	e->last = now;
}

bool wg_ratelimiter_allow(struct wg_ratelimiter *rl, const struct wg_rl_addr *src, uint64_t now)
{
	uint8_t key[RL_KEY_LEN];
	uint32_t b, i;
	struct rl_entry *e;

	if (src->family != 4 && src->family != 6)
		return false;
	key_of(key, src);
	b = bucket_of(rl, key);
	for (i = rl->buckets[b]; i != NIL; i = rl->pool[i].next) {
		e = &rl->pool[i];
		if (memcmp(e->key, key, sizeof(key)) != 0)
			continue;
		refill(e, now);
		if (e->tokens < WG_RATELIMIT_COST_NS)
			return false;
		e->tokens -= WG_RATELIMIT_COST_NS;
		return true;
	}
	if (rl->free_head == NIL)
		return false;
	i = rl->free_head;
	e = &rl->pool[i];
	rl->free_head = e->next;
	memcpy(e->key, key, sizeof(key));
	e->tokens = WG_RATELIMIT_MAX_TOKENS - WG_RATELIMIT_COST_NS;
	e->last = now;
	e->next = rl->buckets[b];
	rl->buckets[b] = i;
	rl->count++;
	return true;
}

void wg_ratelimiter_gc(struct wg_ratelimiter *rl, uint64_t now)
{
	for (uint32_t b = 0; b <= rl->bucket_mask; b++) {
		uint32_t *link = &rl->buckets[b];

		while (*link != NIL) {
			uint32_t i = *link;
			struct rl_entry *e = &rl->pool[i];

			if (now > e->last && now - e->last > WG_RATELIMIT_IDLE_NS) {
				*link = e->next;
				e->next = rl->free_head;
				rl->free_head = i;
				rl->count--;
			} else {
				link = &e->next;
			}
		}
	}
}

uint32_t wg_ratelimiter_count(const struct wg_ratelimiter *rl)
{
	return rl->count;
}
