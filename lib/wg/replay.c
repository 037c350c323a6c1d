/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "replay.h"

void wg_replay_init(struct wg_replay *r)
{
	memset(r, 0, sizeof(*r));
}

bool wg_replay_check(struct wg_replay *r, uint64_t counter)
{
	uint64_t word = counter / 64, top_word;
	uint64_t bit = 1ull << (counter % 64);
	uint64_t *slot;

	if (counter >= WG_REJECT_AFTER_MESSAGES)
		return false;
	if (counter >= r->next) {
		/* Clear the words between the old top and the new one (at most all of them). */
		top_word = r->next ? (r->next - 1) / 64 : 0;
		if (r->next == 0)
			memset(r->bitmap, 0, sizeof(r->bitmap));
		else if (word - top_word >= WG_REPLAY_WORDS)
			memset(r->bitmap, 0, sizeof(r->bitmap));
		else
			for (uint64_t w = top_word + 1; w <= word; w++)
				r->bitmap[w % WG_REPLAY_WORDS] = 0;
		r->next = counter + 1;
	} else if (r->next - 1 - counter > WG_REPLAY_WINDOW) {
		/*
		 * Exactly WG_REPLAY_WINDOW behind is still inside, as in the kernel: it sits in the
		 * oldest word below the live one, cleared only once the window moves past it.
		 */
		return false;
	}
	slot = &r->bitmap[word % WG_REPLAY_WORDS];
	if (*slot & bit)
		return false;
	*slot |= bit;
	return true;
}
