/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "key_map.h"
#include "peer_rules.h"
#include "prefix_map.h"

static bool broken(struct wgdp_peer_fault *f, enum wgdp_peer_rule rule, unsigned int peer,
		   unsigned int other)
{
	f->rule = rule;
	f->peer = peer;
	f->other = other;
	return false;
}

static bool own_key(const struct wgdp_peer_config *peers, unsigned int n, const uint8_t *own,
		    struct wgdp_peer_fault *f)
{
	for (unsigned int i = 0; own && i < n; i++)
		if (memcmp(peers[i].public_key, own, 32) == 0)
			return broken(f, WGDP_RULE_OWN_KEY, i, 0);
	return true;
}

/* A hash of the keys keeps this one pass: sorting a million keys cost more than checking
 * every prefix. */
static bool same_keys(const struct wgdp_peer_config *peers, unsigned int n,
		      struct wgdp_peer_fault *f)
{
	struct wgdp_key_map m;
	int64_t other = -1;
	unsigned int i;

	if (n < 2)
		return true;
	if (!wgdp_key_map_init(&m, n))
		return broken(f, WGDP_RULE_NO_MEMORY, 0, 0);
	for (i = 0; i < n && other < 0; i++) {
		other = wgdp_key_map_find_in(&m, peers, peers[i].public_key);
		if (other < 0)
			wgdp_key_map_insert(&m, peers[i].public_key, i);
	}
	wgdp_key_map_fini(&m);
	return other < 0 || broken(f, WGDP_RULE_SAME_KEY, i - 1, (unsigned int)other);
}

/* Peer i's allowed_ips[j] is owner's already: another peer's, or its own listed before. */
static bool prefix_held(const struct wgdp_peer_config *peers, unsigned int i, unsigned int j,
			uint32_t owner, struct wgdp_peer_fault *f)
{
	const struct wgdp_prefix *aips = peers[i].allowed_ips;
	unsigned int first = 0;

	wgdp_format_prefix(&aips[j], f->prefix, sizeof(f->prefix));
	f->aip = j;
	if (owner != i)
		return broken(f, WGDP_RULE_PREFIX_TAKEN, i, owner);
	while (!wgdp_prefix_equal(&aips[first], &aips[j]))
		first++;
	return broken(f, WGDP_RULE_PREFIX_AGAIN, i, first);
}

/* A second holder of a prefix would get it or not by its place in the list: refused. */
static bool one_holder(const struct wgdp_peer_config *peers, unsigned int n,
		       struct wgdp_peer_fault *f)
{
	struct wgdp_prefix_map *m;
	size_t total = 0;
	bool ok = true;

	for (unsigned int i = 0; i < n; i++)
		total += peers[i].n_allowed_ips;
	if (total < 2)
		return true;
	m = wgdp_prefix_map_new(total);
	if (!m)
		return broken(f, WGDP_RULE_NO_MEMORY, 0, 0);
	for (unsigned int i = 0; i < n && ok; i++) {
		for (unsigned int j = 0; j < peers[i].n_allowed_ips && ok; j++) {
			int64_t owner = wgdp_prefix_map_add(m, &peers[i].allowed_ips[j], i);

			if (owner >= 0)
				ok = prefix_held(peers, i, j, (uint32_t)owner, f);
		}
	}
	wgdp_prefix_map_free(m);
	return ok;
}

bool wgdp_peer_rules_check(const struct wgdp_peer_config *peers, unsigned int n, const uint8_t *own,
			   struct wgdp_peer_fault *fault)
{
	memset(fault, 0, sizeof(*fault));
	return own_key(peers, n, own, fault) && same_keys(peers, n, fault) &&
	       one_holder(peers, n, fault);
}
