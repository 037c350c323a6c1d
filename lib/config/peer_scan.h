/* SPDX-License-Identifier: MIT */
/*
 * The peers arrays of a config text, read straight into wgdp_peer_config without a JSON tree.
 *
 * A million peers are ~95 MB of JSON; building jansson's tree of it (an object with a hash
 * table a peer, a string a value) and walking it took most of a load. This reads the arrays
 * wgdp_config_parse would read as peers, the top-level "peers" and each "interfaces[k].peers",
 * in one pass, and hands back the rest of the text with each of them replaced by "[]" (the
 * skeleton) for jansson and the ordinary parser.
 *
 * It is only ever a shortcut: it accepts a subset of what the parser accepts (no escapes or
 * non-ASCII bytes in a peer's strings, keys written plainly) and gives up on anything else,
 * whether an error or merely unusual, without saying why. The caller then parses the whole
 * text the ordinary way, which finds the same config or names the error with its path: errors
 * are only ever reported by that one parser, so they read as they always have.
 */
#ifndef WGDP_CONFIG_PEER_SCAN_H
#define WGDP_CONFIG_PEER_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* Where a peers array was: the top-level "peers" (iface -1) or interfaces[iface].peers. */
struct wgdp_scanned_peers {
	int iface;
	struct wgdp_peer_config *peers; /* NULL once taken */
	unsigned int n_peers;
};

struct wgdp_peer_scan {
	char *skeleton; /* the text with every scanned array replaced by "[]" */
	size_t skeleton_len;
	struct wgdp_scanned_peers *arrays;
	unsigned int n_arrays;
};

/* Scans text; NULL when the shortcut does not apply (or out of memory): parse the text whole. */
struct wgdp_peer_scan *wgdp_peer_scan(const char *text, size_t len);

/* Frees the scan and whatever peers were not taken. NULL is fine. */
void wgdp_peer_scan_free(struct wgdp_peer_scan *s);

/* A public key as wgc_key_from_base64 reads it (44 characters, the last '=', no unused bits
 * set), from n bytes: not in constant time, so for public keys only. */
bool wgdp_public_key_from_base64(uint8_t key[32], const char *b64, size_t n);

/* Whether two peer configs say the same: every field, and the same allowed_ips in order. */
bool wgdp_peer_config_equal(const struct wgdp_peer_config *a, const struct wgdp_peer_config *b);

/* wgdp_config_parse without the scan: the whole text as one JSON tree. For the tests and the
 * fuzzer, which check that both ways agree. */
struct wgdp_config *wgdp_config_parse_tree(const char *text, size_t len,
					   struct wgdp_config_error *err);

#endif
