/* SPDX-License-Identifier: MIT */
/*
 * `wgdpctl metrics`: the Prometheus text exposition of a `stats` answer and of the `show`
 * answers of each interface (docs/operations.md, "Metrics"). No DPDK here.
 */
#ifndef WGDP_CTL_METRICS_H
#define WGDP_CTL_METRICS_H

#include <stddef.h>

#include <jansson.h>

/*
 * Every family with its HELP and TYPE: ports, workers, drops by reason, handshakes (by
 * handshake lcore too), resources, and per peer (interface, public key, name labels) the bytes
 * each way and the latest handshake, for max_peers peers at most (the rest counted in
 * wgdp_peer_series_omitted: each show's interface.peers, less the peers printed). A malloc'd
 * string, or NULL when out of memory.
 */
char *ctl_format_metrics(json_t *stats, json_t *const *shows, size_t n_shows, size_t max_peers);

/* Interfaces a scrape reads at most (WGDP_MAX_IFACES). */
#define CTL_METRICS_MAX_SHOWS 4096

/*
 * One control-socket request (a JSON object, whose reference the callee takes) → its answer
 * when that says ok:true (the caller's reference), else NULL.
 */
typedef json_t *(*ctl_metrics_ask_fn)(void *arg, json_t *req);

/*
 * A whole scrape, the one path of `wgdpctl metrics` and of the HTTP endpoint: `stats`, then
 * `show` for each interface stats names, through ask, formatted by ctl_format_metrics. Each
 * show asks for no more peers than the cap has left ("max_peers"), so a scrape reads its cap,
 * not every peer. A malloc'd string, or NULL when a request failed or memory ran out.
 */
char *ctl_metrics_collect(ctl_metrics_ask_fn ask, void *arg, size_t max_peers);

#endif
