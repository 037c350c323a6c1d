/* SPDX-License-Identifier: MIT */
#ifndef WGDP_PROBE_H
#define WGDP_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "wg/keypair.h"

/* The inner addresses of the --ping echo. */
struct probe_ping {
	int family; /* AF_INET or AF_INET6 */
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t id;
	uint16_t seq;
};

struct probe_opts {
	const char *endpoint;
	const char *server_key;
	const char *key_file;
	const char *psk_file;
	unsigned int count;
	unsigned int interval_ms;
	uint64_t timeout_ms;
	bool json;
	bool samples; /* also print every response time, in the order measured */
	bool want_ping;
	struct probe_ping ping;
};

/* Parses "SRC,DST" (both IPv4 or both IPv6). */
int probe_parse_ping(struct probe_ping *ping, const char *text);

/* Writes a transport message carrying an ICMP echo request; returns its length. */
size_t probe_build_echo(uint8_t *out, size_t cap, const struct probe_ping *ping,
			struct wg_keypair *kp);

/* True when msg is a transport message that authenticates under kp and carries the echo
 * reply to our request. */
bool probe_check_echo_reply(const uint8_t *msg, size_t len, const struct probe_ping *ping,
			    struct wg_keypair *kp);

/* Prints the results; ping_rc is -1 (no ping), 0 (failed) or 1 (answered). rtt_ns holds the
 * completed handshakes' times in the order measured and is left as it is. Returns 0, or -1
 * when out of memory (nothing printed). */
int probe_report(FILE *out, const struct probe_opts *o, const uint64_t *rtt_ns,
		 unsigned int sent, unsigned int completed, unsigned int cookies,
		 unsigned int failed, int ping_rc);

#endif
