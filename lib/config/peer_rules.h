/* SPDX-License-Identifier: MIT */
/*
 * The rules across one interface's peers, shared by the JSON config (config.c) and wg-quick
 * files (wgquick.c): no peer has the interface's own key, no two peers share a key, and a
 * prefix routes to one peer (docs/config.md). One walker finds the first peer to break one;
 * each caller says where it is in its own terms (a JSON path, a line of the file).
 */
#ifndef WGDP_CONFIG_PEER_RULES_H
#define WGDP_CONFIG_PEER_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

enum wgdp_peer_rule {
	WGDP_RULE_NO_MEMORY,	/* the check could not run: no peer is at fault */
	WGDP_RULE_OWN_KEY,	/* peer's public key is the interface's own */
	WGDP_RULE_SAME_KEY,	/* peer's public key is the earlier peer other's */
	WGDP_RULE_PREFIX_TAKEN, /* peer's allowed_ips[aip] is the earlier peer other's */
	WGDP_RULE_PREFIX_AGAIN, /* peer's allowed_ips[aip] repeats its allowed_ips[other] */
};

/* The first rule broken, at the later of the two places involved (the one to change). */
struct wgdp_peer_fault {
	enum wgdp_peer_rule rule;
	unsigned int peer;
	unsigned int aip;
	unsigned int other;
	char prefix[64]; /* allowed_ips[aip] as text, for the prefix rules */
};

/*
 * Checks peers[0..n) in the order above: own key first (own: the interface's public key, or
 * NULL to skip that rule), then shared keys, then prefixes. One pass over a hash each, so a
 * million peers are a million lookups. True if every rule holds; false with *fault filled.
 */
bool wgdp_peer_rules_check(const struct wgdp_peer_config *peers, unsigned int n, const uint8_t *own,
			   struct wgdp_peer_fault *fault);

#endif
