/* SPDX-License-Identifier: MIT */
/*
 * WireGuard's cross-platform userspace API (https://www.wireguard.com/xplatform/), the text
 * protocol Debian's `wg` speaks on /var/run/wireguard/<name>.sock:
 *
 *   get=1\n\n                → key=value lines of the device and its peers, then errno=0\n\n
 *   set=1\nkey=value...\n\n  → errno=0\n\n, or errno=N\n\n when refused
 *
 * This module only parses and formats; what a set does to the running concentrator is
 * decided by ctl_uapi_apply(), which edits a copy of the running config, so that a set goes
 * through the same validation and transactional apply as a JSON reload.
 */
#ifndef WGDP_CTL_UAPI_H
#define WGDP_CTL_UAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "snapshot.h"

/* One public_key= section of a set. */
struct ctl_uapi_peer {
	uint8_t public_key[32];
	bool remove;		  /* remove=true */
	bool update_only;	  /* update_only=true: do nothing if the peer does not exist */
	bool has_psk;		  /* preshared_key= given (all zero = remove the psk) */
	uint8_t psk[32];
	bool has_endpoint;
	struct wgdp_endpoint endpoint;
	bool has_keepalive;
	uint16_t persistent_keepalive;
	bool replace_allowed_ips; /* replace_allowed_ips=true */
	struct wgdp_prefix *allowed_ips; /* allowed_ip= lines, in order (malloc'd) */
	unsigned int n_allowed_ips;
};

struct ctl_uapi_set {
	bool has_private_key;
	uint8_t private_key[32]; /* all zero = remove the key: refused by wgdp (errno EINVAL) */
	bool has_listen_port;
	uint16_t listen_port;
	bool has_fwmark; /* accepted and ignored when 0, refused otherwise (no fwmark here) */
	uint32_t fwmark;
	bool replace_peers;
	struct ctl_uapi_peer *peers; /* malloc'd */
	unsigned int n_peers;
};

/*
 * Parses the body of a set (the lines after "set=1", up to but not including the blank line;
 * text need not be NUL-terminated). Keys are hex as the protocol has them. Returns 0, or a
 * positive errno value (EINVAL for a malformed line, a bad key or an unknown key, EPROTO for a
 * protocol_version other than 1) with msg saying which line and why. On error *out holds
 * nothing to free.
 */
int ctl_uapi_parse_set(const char *text, size_t len, struct ctl_uapi_set *out, char *msg,
		       size_t msglen);

void ctl_uapi_set_free(struct ctl_uapi_set *set);

/*
 * Applies a parsed set to a copy of the running config: returns the new config (the caller
 * frees it) or NULL with a positive errno in *errno_out and msg filled. Semantics as
 * wireguard-go: replace_peers drops every peer not named afterwards; remove=true removes;
 * update_only skips unknown peers; a new peer starts empty; replace_allowed_ips clears before
 * the allowed_ip= lines, which otherwise add (duplicates are not repeated); preshared_key of
 * all zeros removes the psk; persistent_keepalive_interval=0 turns it off. A changed
 * private key is applied; a listen_port other than the running one is refused (EBUSY: wgdp
 * cannot move its port while running). The result passes wgdp_config_check_peers().
 */
struct wgdp_config *ctl_uapi_apply(const struct wgdp_config *running,
				   const struct ctl_uapi_set *set, int *errno_out, char *msg,
				   size_t msglen);

/*
 * Formats a get answer from a snapshot, without the final "errno=0\n\n": private_key (hex),
 * listen_port, then for each peer public_key, preshared_key (hex, zeros if none),
 * protocol_version=1, endpoint (if any; [v6]:port), last_handshake_time_sec/_nsec, tx_bytes,
 * rx_bytes, persistent_keepalive_interval, allowed_ip lines. Returns a malloc'd
 * NUL-terminated string the caller wipes and frees (it holds keys), NULL on out of memory.
 */
char *ctl_uapi_format_get(const struct ctl_snapshot *snap, size_t *len);

#endif
