/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "prefix_map.h"

struct slot {
	const struct wgdp_prefix *pf; /* NULL: empty */
	uint32_t hash;		      /* compared first: most probes then skip the memcmp */
	uint32_t owner;
};

struct wgdp_prefix_map {
	struct slot *slots;
	uint32_t mask;
};

static unsigned int addr_bytes(const struct wgdp_prefix *pf)
{
	return pf->addr.family == 4 ? 4 : 16;
}

/* murmur3's finaliser: /32s of one subnet differ in a few low bits only, so mix them all. */
static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

static uint32_t prefix_hash(const struct wgdp_prefix *pf)
{
	uint64_t hi = 0, lo = 0;

	memcpy(&hi, pf->addr.bytes, pf->addr.family == 4 ? 4 : 8);
	if (pf->addr.family != 4)
		memcpy(&lo, pf->addr.bytes + 8, 8);
	return (uint32_t)mix(hi ^ mix(lo ^ ((uint64_t)pf->len << 8 | pf->addr.family)));
}

bool wgdp_prefix_equal(const struct wgdp_prefix *a, const struct wgdp_prefix *b)
{
	return a->addr.family == b->addr.family && a->len == b->len &&
	       memcmp(a->addr.bytes, b->addr.bytes, addr_bytes(a)) == 0;
}

struct wgdp_prefix_map *wgdp_prefix_map_new(size_t n)
{
	struct wgdp_prefix_map *m = malloc(sizeof(*m));
	size_t size = 16;

	/* At most half full: probe sequences stay short. */
	while (size < 2 * n)
		size <<= 1;
	if (!m || size > UINT32_MAX) {
		free(m);
		return NULL;
	}
	m->slots = calloc(size, sizeof(*m->slots));
	m->mask = (uint32_t)(size - 1);
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

void wgdp_prefix_map_free(struct wgdp_prefix_map *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}

/* The slot holding pf, or the empty slot where it would go. */
static struct slot *lookup(const struct wgdp_prefix_map *m, const struct wgdp_prefix *pf,
			   uint32_t hash)
{
	uint32_t s = hash & m->mask;

	while (m->slots[s].pf &&
	       (m->slots[s].hash != hash || !wgdp_prefix_equal(m->slots[s].pf, pf)))
		s = (s + 1) & m->mask;
	return &m->slots[s];
}

int64_t wgdp_prefix_map_find(const struct wgdp_prefix_map *m, const struct wgdp_prefix *pf)
{
	const struct slot *s = lookup(m, pf, prefix_hash(pf));

	return s->pf ? (int64_t)s->owner : -1;
}

int64_t wgdp_prefix_map_add(struct wgdp_prefix_map *m, const struct wgdp_prefix *pf, uint32_t owner)
{
	uint32_t hash = prefix_hash(pf);
	struct slot *s = lookup(m, pf, hash);

	if (s->pf)
		return s->owner;
	s->pf = pf;
	s->hash = hash;
	s->owner = owner;
	return -1;
}

void wgdp_prefix_map_set(struct wgdp_prefix_map *m, const struct wgdp_prefix *pf, uint32_t owner)
{
	uint32_t hash = prefix_hash(pf);
	struct slot *s = lookup(m, pf, hash);

	s->pf = pf;
	s->hash = hash;
	s->owner = owner;
}
