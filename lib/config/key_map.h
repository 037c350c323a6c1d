/* SPDX-License-Identifier: MIT */
/*
 * Public key → index into a config's peers: an open-addressing hash sized once, over the key's
 * first bytes (public keys are random, so those are hash enough). It holds indexes only and
 * reads the keys from the config it is asked about. The config refuses duplicate keys with it,
 * and a UAPI set finds the peers it names.
 */
#ifndef WGDP_CONFIG_KEY_MAP_H
#define WGDP_CONFIG_KEY_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct wgdp_key_map {
	uint32_t *slots; /* index + 1; 0 empty */
	uint32_t mask;
};

/* Room for n keys; false when out of memory. */
bool wgdp_key_map_init(struct wgdp_key_map *m, size_t n);

void wgdp_key_map_fini(struct wgdp_key_map *m);

/* Forgets every key (the room stays). */
void wgdp_key_map_clear(struct wgdp_key_map *m);

/* The index of key among cfg's peers as recorded, or -1. */
int64_t wgdp_key_map_find(const struct wgdp_key_map *m, const struct wgdp_config *cfg,
			  const uint8_t key[32]);

/* The same, for the peers array of one interface. */
int64_t wgdp_key_map_find_in(const struct wgdp_key_map *m, const struct wgdp_peer_config *peers,
			     const uint8_t key[32]);

/* Records index for key (not yet in the map). */
void wgdp_key_map_insert(struct wgdp_key_map *m, const uint8_t key[32], uint32_t index);

#endif
