/* SPDX-License-Identifier: MIT */
/*
 * WireGuard's DoS defence (whitepaper 5.3, 5.4.4 and 5.4.7). mac1 proves that the sender of a
 * handshake message knows the receiver's static public key; mac2 proves that the sender can
 * receive at its source address, because it carries a cookie that was sent there. Under load
 * the responder processes only messages with a valid mac2 and answers the rest with a cookie
 * reply.
 *
 *  - the checker is our side as responder (one per interface), keyed by OUR public key;
 *  - the maker is our side as sender to one peer, keyed by THAT PEER's public key.
 *
 * Keys: mac1_key = HASH("mac1----" || public key), cookie_key = HASH("cookie--" || public key).
 * mac1 = MAC(mac1_key, msg up to mac1), mac2 = MAC(cookie, msg up to mac2) or 16 zero bytes.
 *
 * The cookie covers the source address exactly as the kernel's does:
 *     cookie = MAC(R_changing, addr || port)
 * where addr is the IP address in network byte order (4 bytes IPv4, 16 bytes IPv6) and port
 * is the UDP source port as its 2 bytes on the wire (big-endian). src_port arguments are in
 * host order; the functions do the conversion.
 *
 * Nothing here locks: a checker belongs to the control lcore (its secret rotates lazily on
 * use), a maker to whoever handles that peer's handshakes. Time is monotonic ns passed in.
 */
#ifndef WGDP_WG_COOKIE_H
#define WGDP_WG_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/blake2s.h"
#include "messages.h"

/* R_changing lives this long; a cookie made with it is good for as long. */
#define WG_COOKIE_SECRET_MAX_AGE (120 * 1000000000ull)
/* The sender stops using a cookie this much earlier, as the secret may predate the cookie. */
#define WG_COOKIE_SECRET_LATENCY (5 * 1000000000ull)

struct wg_cookie_checker {
	uint8_t secret[32]; /* R_changing of the whitepaper */
	uint64_t secret_birth;
	bool have_secret;
	uint8_t mac1_key[32];	/* HASH("mac1----" || our public key) */
	uint8_t cookie_key[32]; /* HASH("cookie--" || our public key) */
	/* mac1_key's block compressed once: every mac1 check costs one compression less. */
	struct wgc_blake2s_key mac1;
	bool secret_borrowed;	/* a copy of another checker's: never renewed here */
	/* Reply nonces: a random prefix of this checker's own and a count, so that a reply
	 * costs no call into the kernel's RNG and no two checkers (copies included) ever use
	 * the same nonce under the cookie key. */
	uint8_t nonce_prefix[16];
	uint64_t nonces_used;
	bool have_nonce_prefix;
};

enum wg_cookie_mac_state {
	WG_COOKIE_MAC_INVALID = 0, /* wrong length or mac1 wrong: drop silently */
	WG_COOKIE_MAC1_VALID,	   /* mac1 right; mac2 absent, wrong or not checked */
	WG_COOKIE_MAC1_AND_MAC2_VALID,
};

struct wg_cookie_maker {
	uint8_t mac1_key[32];	/* HASH("mac1----" || peer's public key) */
	uint8_t cookie_key[32]; /* HASH("cookie--" || peer's public key) */
	uint8_t cookie[WG_COOKIE_LEN];
	uint64_t cookie_birth; /* when we received it, not when the peer made it */
	bool have_cookie;
	uint8_t last_mac1_sent[WG_COOKIE_LEN]; /* the AD a cookie reply to us must carry */
	bool have_sent_mac1;
};

void wg_cookie_checker_init(struct wg_cookie_checker *c, const uint8_t our_public[32]);
/* Zeroes the whole checker, keys and secret; init it again before use. */
void wg_cookie_checker_wipe(struct wg_cookie_checker *c);

/*
 * Renews R_changing if it is missing or will be 120 s old within `ahead` ns. An owner that
 * lends copies of its checker (one per data-plane worker) calls this ahead of time, so that
 * no copy ever holds an expired secret and all of them make the same cookies.
 */
void wg_cookie_checker_refresh(struct wg_cookie_checker *c, uint64_t now, uint64_t ahead);

/* dst becomes a copy of src that never renews the secret and draws its own reply nonces. */
void wg_cookie_checker_borrow(struct wg_cookie_checker *dst, const struct wg_cookie_checker *src);

/*
 * Checks the macs of a handshake message, an initiation (148 bytes) or a response (92 bytes)
 * told apart by len; any other len is INVALID. mac2 is checked only when check_mac2 (i.e.
 * under load), against the cookie of src_addr (src_addr_len bytes, network order: 4 for IPv4,
 * 16 for IPv6) and src_port (host order). Checking mac2 may rotate the secret.
 */
enum wg_cookie_mac_state wg_cookie_validate(struct wg_cookie_checker *c, const void *msg,
					    size_t len, const uint8_t *src_addr,
					    size_t src_addr_len, uint16_t src_port, bool check_mac2,
					    uint64_t now);

/*
 * Fills out with a cookie reply to msg (a handshake message whose mac1 was valid, len bytes)
 * for the sender at src_addr/src_port. receiver_index is the sender index of msg, as a host
 * integer. The cookie is encrypted with a fresh random nonce under our cookie key with msg's
 * mac1 as AD. Returns false, with out zeroed, when len is not a handshake message length.
 */
bool wg_cookie_reply_create(struct wg_msg_cookie *out, struct wg_cookie_checker *c, const void *msg,
			    size_t len, uint32_t receiver_index, const uint8_t *src_addr,
			    size_t src_addr_len, uint16_t src_port, uint64_t now);

/*
 * Under load, in one pass: mac1, then mac2, and when mac2 is missing or wrong the cookie reply
 * to send (the cookie is computed once for both). Returns WG_COOKIE_MAC1_VALID exactly when
 * *reply was filled; a mac2 of zeros, what a peer without a cookie sends, is not computed.
 */
enum wg_cookie_mac_state wg_cookie_check_or_reply(struct wg_cookie_checker *c, const void *msg,
						  size_t len, const uint8_t *src_addr,
						  size_t src_addr_len, uint16_t src_port,
						  uint64_t now, struct wg_msg_cookie *reply);

void wg_cookie_maker_init(struct wg_cookie_maker *m, const uint8_t peer_public[32]);
/* Zeroes the whole maker, keys and cookie; init it again before use. */
void wg_cookie_maker_wipe(struct wg_cookie_maker *m);

/*
 * Fills mac1 and mac2 of msg (initiation or response, by len; other lengths are left alone)
 * and remembers mac1 so that one cookie reply to it can be accepted. mac2 is zeros unless we
 * hold a cookie received at most 115 s ago (MAX_AGE - LATENCY).
 */
void wg_cookie_add_macs(struct wg_cookie_maker *m, void *msg, size_t len, uint64_t now);

/*
 * Takes a cookie reply meant for this peer (the caller matched reply->receiver to one of our
 * handshake indexes). It is accepted only if it answers the last message we sent: its AD is
 * that message's mac1. An accepted reply uses up that mac1, so the same reply, or another
 * one to the same message, is refused afterwards; a refused one leaves the maker as it was.
 * True when a cookie was stored (born now).
 */
bool wg_cookie_reply_consume(struct wg_cookie_maker *m, const struct wg_msg_cookie *reply,
			     uint64_t now);

#endif
