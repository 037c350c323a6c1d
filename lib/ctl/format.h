/* SPDX-License-Identifier: MIT */
/*
 * Human-readable renderings of the control socket's answers, shared by `wgdpctl` and the
 * interactive CLI (`wgdp -i`). Input is the decoded JSON answer (jansson), exactly as the
 * daemon sends it (docs/cli.md has the schemas); output is a malloc'd NUL-terminated string.
 * No DPDK here.
 */
#ifndef WGDP_CTL_FORMAT_H
#define WGDP_CTL_FORMAT_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

/* "1 minute, 14 seconds" (wg's wording; "Now" for 0 is the caller's business). */
void ctl_format_duration(uint64_t seconds, char *out, size_t len);

/* "1.23 MiB" / "512 B" as wg prints transfer counters. */
void ctl_format_bytes(uint64_t bytes, char *out, size_t len);

/* `wg show`-like text of a show answer; now_unix is the current unix time in seconds. */
char *ctl_format_show(json_t *answer, uint64_t now_unix);

/* One peer of a show answer (`show peer <key>` in the CLI); NULL if no such peer. */
char *ctl_format_peer(json_t *answer, const char *public_key, uint64_t now_unix);

/* The stats answer: ports, workers, drops by reason (non-zero ones), handshake counters. */
char *ctl_format_stats(json_t *answer);

/* testpmd's `show port stats all` layout from the stats answer's "ports". */
char *ctl_format_port_stats(json_t *answer);

/* `show lcores`: the control lcore and each worker with its queues and packet counts. */
char *ctl_format_lcores(json_t *answer);

/* A health answer: "serving", or "draining: stops in 2.4 s" (a line). */
char *ctl_format_health(json_t *answer);

/* Whether a health answer says serving: a health check passes only then. */
bool ctl_health_serving(json_t *answer);

#endif
