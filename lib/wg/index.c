/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "crypto/ct.h"
#include "index.h"

/* Slots are twice the capacity, rounded up to a power of two, so probe chains stay short. */
struct slot {
	uint32_t index;
	uint8_t state; /* SLOT_EMPTY, SLOT_USED or SLOT_DELETED */
	void *value;
};

enum { SLOT_EMPTY, SLOT_USED, SLOT_DELETED };

struct wg_index_table {
	uint32_t mask;
	uint32_t capacity;
	uint32_t count;
	uint32_t deleted;
	struct slot *slots;
};

/* Indexes are random already, but mixing keeps an attacker-chosen index from clustering. */
static uint32_t slot_of(const struct wg_index_table *t, uint32_t index)
{
	uint32_t h = index * 0x9e3779b1u;

	return (h ^ (h >> 16)) & t->mask;
}

struct wg_index_table *wg_index_table_create(uint32_t capacity)
{
	struct wg_index_table *t;
	uint64_t nslots = 16;

	if (capacity == 0 || capacity > (1u << 30))
		return NULL;
	while (nslots < 2ull * capacity)
		nslots <<= 1;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->slots = calloc(nslots, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return NULL;
	}
	t->mask = (uint32_t)(nslots - 1);
	t->capacity = capacity;
	return t;
}

void wg_index_table_free(struct wg_index_table *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t);
}

static struct slot *find(const struct wg_index_table *t, uint32_t index)
{
	for (uint32_t i = slot_of(t, index), n = 0; n <= t->mask; i = (i + 1) & t->mask, n++) {
		struct slot *s = &t->slots[i];

		if (s->state == SLOT_EMPTY)
			return NULL;
		if (s->state == SLOT_USED && s->index == index)
			return s;
	}
	return NULL;
}

/* Tombstones lengthen probes; once they crowd the table, rebuild it in place. */
static void compact(struct wg_index_table *t)
{
	uint32_t nslots = t->mask + 1;
	struct slot *old = malloc(sizeof(*old) * nslots);

	if (!old)
		return; /* still correct, only slower */
	for (uint32_t i = 0; i < nslots; i++)
		old[i] = t->slots[i];
	for (uint32_t i = 0; i < nslots; i++)
		t->slots[i] = (struct slot){ 0 };
	t->deleted = 0;
	for (uint32_t i = 0; i < nslots; i++) {
		uint32_t j;

		if (old[i].state != SLOT_USED)
			continue;
		for (j = slot_of(t, old[i].index); t->slots[j].state != SLOT_EMPTY;
		     j = (j + 1) & t->mask)
			;
		t->slots[j] = old[i];
	}
	free(old);
}

bool wg_index_add(struct wg_index_table *t, void *value, uint32_t *index)
{
	uint32_t candidate, i;

	if (!value || t->count >= t->capacity)
		return false;
	if (t->count + t->deleted > t->mask / 4 * 3)
		compact(t);
	do
		candidate = wgc_random_u32();
	while (find(t, candidate));
	for (i = slot_of(t, candidate); t->slots[i].state == SLOT_USED; i = (i + 1) & t->mask)
		;
	if (t->slots[i].state == SLOT_DELETED)
		t->deleted--;
	t->slots[i] = (struct slot){ .index = candidate, .state = SLOT_USED, .value = value };
	t->count++;
	*index = candidate;
	return true;
}

void *wg_index_lookup(const struct wg_index_table *t, uint32_t index)
{
	const struct slot *s = find(t, index);

	return s ? s->value : NULL;
}

bool wg_index_remove(struct wg_index_table *t, uint32_t index)
{
	struct slot *s = find(t, index);

	if (!s)
		return false;
	s->state = SLOT_DELETED;
	s->value = NULL;
	t->count--;
	t->deleted++;
	return true;
}

bool wg_index_replace(struct wg_index_table *t, uint32_t index, void *value)
{
	struct slot *s = find(t, index);

	if (!s || !value)
		return false;
	s->value = value;
	return true;
}

uint32_t wg_index_count(const struct wg_index_table *t)
{
	return t->count;
}
