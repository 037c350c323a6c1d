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
 * wgdp_peer_series_omitted). A malloc'd string, or NULL when out of memory.
 */
char *ctl_format_metrics(json_t *stats, json_t *const *shows, size_t n_shows, size_t max_peers);

#endif
