/* SPDX-License-Identifier: MIT */
/*
 * A tenant's inside routing table (docs/tenants.md §2): where a decrypted packet's inner
 * destination goes. The table holds the on-link prefixes of the tenant's inside addresses
 * (10.0.0.1/24 makes 10.0.0.0/24 on-link) and its static routes (on-link, or via a gateway);
 * the longest prefix that holds the destination decides, over both kinds together. Tenants
 * overlap (everyone uses 10.0.0.0/8), so each has a table of its own. IPv4 and IPv6.
 *
 * Ties: a prefix listed twice (an inside address's prefix and a route, or two inside addresses
 * in one net) answers as the on-link one, else as the first route listed: our own net is
 * always reached directly. lib/config refuses a route listed twice.
 *
 * Threads: a table is immutable once built. Any thread may look up without a lock; a change
 * builds a new table, which the owner publishes by pointer and frees after an RCU grace
 * period. Build and free run on the control thread (they allocate with libc, no EAL needed).
 *
 * Structure and why: per family, the address space cut into disjoint ranges, each with its
 * answer (miss, on-link or a gateway), the range starts in one sorted array searched by
 * branchless binary search. The size is linear in the prefixes (at most 2n + 1 ranges) and
 * there is one code path for 2 prefixes and for 65,536. rte_fib does not fit 1,000 tenants:
 * measured on DPDK 22.11 with --no-huge (rte_malloc heap stats), one DIR-24-8 table holds
 * 64 MiB (16 MiB with 1-byte next hops), one fib6 TRIE 32 MiB, and RTE_FIB_DUMMY
 * preallocates ~420 bytes per max_routes (9 KiB for 16 routes, 6.6 MiB for 16,384) with
 * lookups of 24-92 ns. Each is also a named object of 3 memzones: 853 fit RTE_MAX_MEMZONE
 * (2,560), and 1,000 tenants need 2,000 (one a family).
 *
 * Measured (tests/unit/test_rtable.c, debugoptimized, a 2-vCPU EPYC VM, one lookup at a time):
 *   bytes a table: 2 prefixes (one v4, one v6 on-link) 192, so 1,000 idle tenants 188 KiB;
 *   100 prefixes 2,560; 10,000 v4 prefixes 148,352; 10,000 v6 prefixes 334,208.
 *   lookup: 5 prefixes ~10 ns (v4) / ~12 ns (v6); 10,000 prefixes ~50 ns (v4) / ~140 ns (v6).
 *   The large figures are the binary search's chain of 14 dependent steps (~5 ns a step here,
 *   even in L1); a k-ary layout (a 64-byte node a step) is the way down if a tenant with
 *   thousands of routes ever matters.
 */
#ifndef WGDP_DP_RTABLE_H
#define WGDP_DP_RTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

struct dp_rtable;

/*
 * Builds the table of one tenant: the prefixes of inside's addresses on-link (inside may be
 * NULL: none), then routes[0..n_routes). Returns NULL with a reason in err (naming the element
 * at fault, e.g. "routes[2].via: not of the prefix's family") for input lib/config would have
 * refused, or when out of memory. An empty table is valid: every lookup misses.
 */
struct dp_rtable *dp_rtable_build(const struct wgdp_inside_config *inside,
				  const struct wgdp_route_config *routes, unsigned int n_routes,
				  char *err, size_t errlen);

/* Frees a table no thread can still read; NULL is ignored. */
void dp_rtable_free(struct dp_rtable *t);

/*
 * Finds the next hop for dst: true with *nh = dst when dst's longest match is on-link, or the
 * route's via; false when nothing holds dst (the caller drops the packet as no_route).
 * Any thread, lock-free. nh may be dst itself.
 */
bool dp_rtable_lookup(const struct dp_rtable *t, const struct wgdp_addr *dst, struct wgdp_addr *nh);

/*
 * The same structure as a map from prefixes to values (a small tenant's allowed-ips, peer.h):
 * prefixes[i] (no host bits, no repeats: the caller's config checked) answers values[i], the
 * longest match deciding. NULL when out of memory, for more than DP_RTABLE_MAP_MAX prefixes,
 * or for a value of UINT32_MAX - 2 or more.
 */
#define DP_RTABLE_MAP_MAX (1u << 20)
#define DP_RTABLE_NONE	  UINT32_MAX
struct dp_rtable *dp_rtable_build_map(const struct wgdp_prefix *prefixes, const uint32_t *values,
				      uint32_t n);

/* The value of the longest prefix holding bytes (family 4 or 6), or DP_RTABLE_NONE. */
uint32_t dp_rtable_value(const struct dp_rtable *t, uint8_t family, const uint8_t *bytes);

/* The bytes the table holds (one allocation), for the docs' budget and tests. */
size_t dp_rtable_memory(const struct dp_rtable *t);

#endif
