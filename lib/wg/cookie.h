/* SPDX-License-Identifier: MIT */
/*
 * WireGuard's DoS defence (whitepaper 5.3 and 5.4.7): mac1 proves a handshake message was
 * made by someone who knows our public key; mac2 proves the sender can receive at its source
 * address, because it carries a cookie we sent there. Under load the responder answers only
 * messages with a valid mac2 and sends cookie replies to the rest.
 *
 *  - the checker is our side as responder (one per interface), keyed by our public key;
 *  - the maker is our side as sender to one peer, keyed by that peer's public key.
 *
 * Time is monotonic ns passed in.
 */
#ifndef WGDP_WG_COOKIE_H
#define WGDP_WG_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "messages.h"

#define WG_COOKIE_SECRET_MAX_AGE (120 * 1000000000ull)
#define WG_COOKIE_SECRET_LATENCY (5 * 1000000000ull)
/* The largest source address a cookie covers: IPv6. */
#define WG_COOKIE_ADDR_MAX 16

struct wg_cookie_checker {
	uint8_t secret[32];	/* R_changing of the whitepaper */
	uint64_t secret_birth;
	bool have_secret;
	uint8_t mac1_key[32];	/* HASH("mac1----" || our public key) */
	uint8_t cookie_key[32]; /* HASH("cookie--" || our public key) */
};

enum wg_cookie_mac_state {
	WG_COOKIE_MAC_INVALID = 0,   /* mac1 wrong: drop silently */
	WG_COOKIE_MAC1_VALID,	     /* mac1 right, mac2 absent or wrong */
	WG_COOKIE_MAC1_AND_MAC2_VALID,
};

struct wg_cookie_maker {
	uint8_t mac1_key[32];
	uint8_t cookie_key[32];
	uint8_t cookie[WG_COOKIE_LEN];
	uint64_t cookie_birth;
	bool have_cookie;
	uint8_t last_mac1[WG_COOKIE_LEN]; /* of the last message we sent, to match a reply */
	bool have_last_mac1;
};

void wg_cookie_checker_init(struct wg_cookie_checker *c, const uint8_t our_public[32]);
void wg_cookie_checker_wipe(struct wg_cookie_checker *c);

/*
 * Checks the macs of a handshake message (initiation or response, by its length) that came
 * from src_addr (4 or 16 bytes, network order) and src_port (host order). mac2 is checked
 * only when check_mac2 (i.e. under load).
 */
enum wg_cookie_mac_state wg_cookie_validate(struct wg_cookie_checker *c, const void *msg,
					    size_t len, const uint8_t *src_addr,
					    size_t src_addr_len, uint16_t src_port, bool check_mac2,
					    uint64_t now);

/* Fills a cookie reply to msg (whose mac1 was valid) for the sender at src. */
void wg_cookie_reply_create(struct wg_msg_cookie *out, struct wg_cookie_checker *c,
			    const void *msg, size_t len, const uint8_t *src_addr,
			    size_t src_addr_len, uint16_t src_port, uint64_t now);

void wg_cookie_maker_init(struct wg_cookie_maker *m, const uint8_t peer_public[32]);
void wg_cookie_maker_wipe(struct wg_cookie_maker *m);

/* Fills mac1 and mac2 (zeros unless we hold a cookie younger than 115 s) of msg. */
void wg_cookie_add_macs(struct wg_cookie_maker *m, void *msg, size_t len, uint64_t now);

/*
 * Takes a cookie reply: it must answer the last message we sent (its mac1 is the AD) and
 * authenticate. Each sent message's reply is accepted once. True when a cookie was stored.
 */
bool wg_cookie_reply_consume(struct wg_cookie_maker *m, const struct wg_msg_cookie *reply,
			     uint64_t now);

#endif
