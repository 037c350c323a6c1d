/* SPDX-License-Identifier: MIT */
/*
 * Receiver indexes: the 32-bit sender/receiver fields of WireGuard messages. Each handshake
 * and keypair of ours gets one, random (so it reveals nothing about how many peers we have or
 * in which order they connected) and unique among the live ones, so an incoming response or
 * data packet finds its state in one lookup.
 *
 * This table is the control side's authority on which indexes are taken; a bounded open-
 * addressing hash, single-threaded. The data plane keeps its own lock-free copy.
 */
#ifndef WGDP_WG_INDEX_H
#define WGDP_WG_INDEX_H

#include <stdbool.h>
#include <stdint.h>

struct wg_index_table;

/* A table for up to `capacity` live indexes. */
struct wg_index_table *wg_index_table_create(uint32_t capacity);
void wg_index_table_free(struct wg_index_table *t);

/* Picks a fresh random index for value (non-NULL); false when the table is full. */
bool wg_index_add(struct wg_index_table *t, void *value, uint32_t *index);

/* The value of a live index, or NULL. */
void *wg_index_lookup(const struct wg_index_table *t, uint32_t index);

/* Frees index; false if it was not live. */
bool wg_index_remove(struct wg_index_table *t, uint32_t index);

/* Points a live index at another value (a handshake's index passing to its keypair, as the
 * kernel does, so the peer's next data finds the keypair under the index it learned). */
bool wg_index_replace(struct wg_index_table *t, uint32_t index, void *value);

uint32_t wg_index_count(const struct wg_index_table *t);

#endif
