/* SPDX-License-Identifier: MIT */
/*
 * wg(8) and wg-quick(8) config files, both ways: a file read into plain data and turned into a
 * wgdp JSON config (`wgdpctl import`), and a running interface written as `wg setconf` text
 * (`wgdpctl export`). No daemon and no sockets here: the conversion alone, tested alone
 * (tests/unit/test_wgquick.c).
 *
 * Reading follows wg and wg-quick: [Interface] and [Peer] sections, keys and section names in
 * any case, '#' to the end of a line is a comment, blank lines, "Key = value" with blanks
 * around either, lists separated by commas, AllowedIPs and Address lines that accumulate,
 * CRLF or LF. Where wgdp is stricter than wg, the error names the line: a single-valued key
 * given twice in a section, a second [Interface], a peer listed twice, a prefix given to two
 * peers or twice to one (wg would move it to the last), a host name as an endpoint (wg
 * resolves it once when it reads the file; wgdp takes addresses: resolve it yourself). The
 * wg-quick keys wgdp has no use for are read and checked, and each becomes a note naming its
 * line (docs/operations.md, "Coming from wg-quick").
 */
#ifndef WGDP_CONFIG_WGQUICK_H
#define WGDP_CONFIG_WGQUICK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define WGDP_WGQ_TEXT_MAX 200

/* An error or a note about a file: its line (from 1; 0 = the file as a whole) and what. */
struct wgdp_wgq_msg {
	unsigned int line;
	char text[WGDP_WGQ_TEXT_MAX];
};

/* Where a peer of a file was written, for the errors found once the file is read. */
struct wgdp_wgq_lines {
	unsigned int peer;  /* its [Peer] line */
	unsigned int key;   /* its PublicKey line */
	unsigned int *aips; /* the AllowedIPs line of each of its allowed_ips */
};

/* What a file says, or what a running interface holds: the part wg and wgdp share. */
struct wgdp_wgq {
	bool has_private_key;
	uint8_t private_key[32];
	bool has_listen_port;
	uint16_t listen_port;
	bool has_mtu;
	uint16_t mtu;			/* wg-quick's MTU; wg setconf has none */
	struct wgdp_peer_config *peers; /* each owns its allowed_ips */
	unsigned int n_peers;
	struct wgdp_wgq_lines *lines; /* one a peer when read from a file; NULL otherwise */
	struct wgdp_wgq_msg *notes;   /* what was read but is not used, in line order */
	unsigned int n_notes;
};

/*
 * Reads a wg / wg-quick file (len bytes; NUL bytes are an error). On success out holds the
 * file's settings and notes (free with wgdp_wgq_free); on failure err names the line and out
 * holds nothing to free.
 */
bool wgdp_wgq_parse(const char *text, size_t len, struct wgdp_wgq *out, struct wgdp_wgq_msg *err);

/* Frees what wq owns and wipes its keys. */
void wgdp_wgq_free(struct wgdp_wgq *wq);

/*
 * The `wg setconf` text of wq, in `wg showconf`'s order: [Interface] ListenPort, PrivateKey;
 * a [Peer] each with PublicKey, PresharedKey, AllowedIPs, Endpoint, PersistentKeepalive. The
 * private and preshared keys only when keys is set; no MTU (wg setconf refuses wg-quick keys).
 * A malloc'd string the caller wipes and frees, or NULL when out of memory.
 */
char *wgdp_wgq_format(const struct wgdp_wgq *wq, bool keys);

/*
 * The wgdp config of wq: tmpl (a wgdp config as JSON, or NULL for none) copied, with the
 * interface named name given wq's private key, listen port and MTU where the file has them,
 * and wq's peers instead of the template's. With "interfaces" in tmpl, the element called
 * name; otherwise "interface" (made if absent), its peers the top-level "peers". The result
 * is new (tmpl is left as it was) and holds the private key: wgdp_json_wipe it before
 * json_decref. NULL with err filled (path in the template's terms) on failure.
 */
json_t *wgdp_wgq_to_json(const struct wgdp_wgq *wq, const char *name, json_t *tmpl,
			 struct wgdp_config_error *err);

/*
 * The other way, for export: an answer of the control socket's export request,
 * {"interface":{"listen_port","private_key"?,...},"peers":[config peers]}, read into out.
 * False with err filled (the answer's JSON path) on failure; out then holds nothing to free.
 */
bool wgdp_wgq_from_json(json_t *answer, struct wgdp_wgq *out, struct wgdp_config_error *err);

/*
 * The interface name wg-quick gives the file at path: its last component without ".conf"
 * ("/etc/wireguard/wg0.conf" is wg0). False if that is not a valid wgdp interface name
 * (1 to 15 letters, digits, '_', '.', '-').
 */
bool wgdp_wgq_name_of(const char *path, char name[WGDP_IFNAME_MAX + 1]);

/* A peer as a wgdp config has it: public_key, then what is set of preshared_key (only with
 * keys), endpoint, allowed_ips (always), persistent_keepalive (non-zero) and name. */
json_t *wgdp_wgq_peer_json(const struct wgdp_peer_config *pc, bool keys);

/* Zeroes every string in v, recursively: keys in a JSON tree, before json_decref frees it. */
void wgdp_json_wipe(json_t *v);

#endif
