/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "key_map.h"

bool wgdp_key_map_init(struct wgdp_key_map *m, size_t n)
{
	size_t size = 16;

	/* At most half full: probe sequences stay short. */
	while (size < 2 * n)
		size <<= 1;
	m->slots = size <= UINT32_MAX ? calloc(size, sizeof(*m->slots)) : NULL;
	m->mask = (uint32_t)(size - 1);
	return m->slots != NULL;
}

void wgdp_key_map_fini(struct wgdp_key_map *m)
{
	free(m->slots);
	m->slots = NULL;
}

void wgdp_key_map_clear(struct wgdp_key_map *m)
{
	memset(m->slots, 0, ((size_t)m->mask + 1) * sizeof(*m->slots));
}

static uint32_t key_slot(const struct wgdp_key_map *m, const uint8_t key[32])
{
	uint32_t h;

	memcpy(&h, key, sizeof(h));
	return h & m->mask;
}

int64_t wgdp_key_map_find_in(const struct wgdp_key_map *m, const struct wgdp_peer_config *peers,
			     const uint8_t key[32])
{
	for (uint32_t s = key_slot(m, key); m->slots[s]; s = (s + 1) & m->mask)
		if (memcmp(peers[m->slots[s] - 1].public_key, key, 32) == 0)
			return m->slots[s] - 1;
	return -1;
}

int64_t wgdp_key_map_find(const struct wgdp_key_map *m, const struct wgdp_config *cfg,
			  const uint8_t key[32])
{
	return wgdp_key_map_find_in(m, cfg->peers, key);
}

void wgdp_key_map_insert(struct wgdp_key_map *m, const uint8_t key[32], uint32_t index)
{
	uint32_t s = key_slot(m, key);

	while (m->slots[s])
		s = (s + 1) & m->mask;
	m->slots[s] = index + 1;
}
