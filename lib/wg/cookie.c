/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <string.h>

#include "cookie.h"
#include "crypto/aead.h"
#include "crypto/blake2s.h"
#include "crypto/ct.h"

#define LABEL_LEN 8
static const char label_mac1[] = "mac1----";
static const char label_cookie[] = "cookie--";

static_assert(sizeof(label_mac1) == LABEL_LEN + 1 && sizeof(label_cookie) == LABEL_LEN + 1,
	      "labels are 8 bytes, without their NUL");
static_assert(WGC_BLAKE2S_MAC_LEN == WG_COOKIE_LEN, "macs and cookies are MAC outputs");
static_assert(sizeof(((struct wg_msg_cookie *)0)->encrypted_cookie) ==
		      WG_COOKIE_LEN + WGC_AEAD_TAG_LEN,
	      "an encrypted cookie is the cookie and a tag");

/* HASH(label || public key): the key behind mac1 or behind the cookie encryption. */
static void derive_key(uint8_t out[32], const char *label, const uint8_t public_key[32])
{
	struct wgc_blake2s s;

	wgc_blake2s_init(&s, WGC_BLAKE2S_HASH_LEN, NULL, 0);
	wgc_blake2s_update(&s, label, LABEL_LEN);
	wgc_blake2s_update(&s, public_key, 32);
	wgc_blake2s_final(&s, out);
}

/* Where mac1 sits: both handshake messages end with mac1 || mac2. 0 for other lengths. */
static size_t mac1_offset(size_t len)
{
	if (len == sizeof(struct wg_msg_initiation))
		return offsetof(struct wg_msg_initiation, macs);
	if (len == sizeof(struct wg_msg_response))
		return offsetof(struct wg_msg_response, macs);
	return 0;
}

/* mac1 covers everything before it... */
static void compute_mac1(uint8_t out[WG_COOKIE_LEN], const uint8_t key[32], const void *msg,
			 size_t mac1_off)
{
	wgc_mac(out, key, 32, msg, mac1_off);
}

/* ...and mac2 everything before it, mac1 included. */
static void compute_mac2(uint8_t out[WG_COOKIE_LEN], const uint8_t cookie[WG_COOKIE_LEN],
			 const void *msg, size_t mac1_off)
{
	wgc_mac(out, cookie, WG_COOKIE_LEN, msg, mac1_off + WG_COOKIE_LEN);
}

void wg_cookie_checker_init(struct wg_cookie_checker *c, const uint8_t our_public[32])
{
	memset(c, 0, sizeof(*c));
	derive_key(c->mac1_key, label_mac1, our_public);
	derive_key(c->cookie_key, label_cookie, our_public);
	wgc_blake2s_key_init(&c->mac1, WG_COOKIE_LEN, c->mac1_key, sizeof(c->mac1_key));
}

void wg_cookie_checker_wipe(struct wg_cookie_checker *c)
{
	wgc_memzero(c, sizeof(*c));
}

/*
 * R_changing is replaced lazily, at the first use after it turns 120 s old: all cookies made
 * with it die with it. A clock that went backwards also counts as expired (the subtraction
 * wraps), which errs on the safe side.
 */
static void refresh_secret(struct wg_cookie_checker *c, uint64_t now)
{
	if (c->have_secret &&
	    (c->secret_borrowed || now - c->secret_birth <= WG_COOKIE_SECRET_MAX_AGE))
		return;
	wgc_random(c->secret, sizeof(c->secret));
	c->secret_birth = now;
	c->have_secret = true;
	c->have_nonce_prefix = false;
}

void wg_cookie_checker_borrow(struct wg_cookie_checker *dst, const struct wg_cookie_checker *src)
{
	*dst = *src;
	dst->secret_borrowed = true;
	dst->have_nonce_prefix = false;
}

/* prefix || count, little-endian; a fresh random prefix for each checker and each secret. */
static void next_nonce(struct wg_cookie_checker *c, uint8_t nonce[WG_COOKIE_NONCE_LEN])
{
	if (!c->have_nonce_prefix) {
		wgc_random(c->nonce_prefix, sizeof(c->nonce_prefix));
		c->nonces_used = 0;
		c->have_nonce_prefix = true;
	}
	memcpy(nonce, c->nonce_prefix, sizeof(c->nonce_prefix));
	wg_put_le64(nonce + sizeof(c->nonce_prefix), c->nonces_used++);
}

void wg_cookie_checker_refresh(struct wg_cookie_checker *c, uint64_t now, uint64_t ahead)
{
	if (c->have_secret && now + ahead - c->secret_birth <= WG_COOKIE_SECRET_MAX_AGE)
		return;
	c->have_secret = false;
	refresh_secret(c, now);
}

/* cookie = MAC(R_changing, addr || port): address in network order, port big-endian. */
static void make_cookie(uint8_t out[WG_COOKIE_LEN], struct wg_cookie_checker *c,
			const uint8_t *addr, size_t addr_len, uint16_t port, uint64_t now)
{
	const uint8_t port_be[2] = { (uint8_t)(port >> 8), (uint8_t)port };
	struct wgc_blake2s s;

	refresh_secret(c, now);
	wgc_blake2s_init(&s, WG_COOKIE_LEN, c->secret, sizeof(c->secret));
	wgc_blake2s_update(&s, addr, addr_len);
	wgc_blake2s_update(&s, port_be, sizeof(port_be));
	wgc_blake2s_final(&s, out);
}

static bool is_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* mac2 against the cookie for this source; a zero mac2 is no attempt and is not computed. */
static bool mac2_valid(const uint8_t cookie[WG_COOKIE_LEN], const void *msg, size_t off)
{
	const struct wg_msg_macs *macs = (const struct wg_msg_macs *)((const uint8_t *)msg + off);
	uint8_t expected[WG_COOKIE_LEN];
	bool ok;

	if (is_zero(macs->mac2, WG_COOKIE_LEN))
		return false;
	compute_mac2(expected, cookie, msg, off);
	ok = wgc_ct_equal(expected, macs->mac2, WG_COOKIE_LEN);
	wgc_memzero(expected, sizeof(expected));
	return ok;
}

static bool mac1_valid(const struct wg_cookie_checker *c, const void *msg, size_t off)
{
	const struct wg_msg_macs *macs = (const struct wg_msg_macs *)((const uint8_t *)msg + off);
	uint8_t expected[WG_COOKIE_LEN];

	wgc_blake2s_keyed(expected, &c->mac1, msg, off);
	return wgc_ct_equal(expected, macs->mac1, WG_COOKIE_LEN);
}

enum wg_cookie_mac_state wg_cookie_validate(struct wg_cookie_checker *c, const void *msg,
					    size_t len, const uint8_t *src_addr,
					    size_t src_addr_len, uint16_t src_port, bool check_mac2,
					    uint64_t now)
{
	uint8_t cookie[WG_COOKIE_LEN];
	size_t off = mac1_offset(len);
	bool mac2_ok;

	if (!off || !mac1_valid(c, msg, off))
		return WG_COOKIE_MAC_INVALID;
	if (!check_mac2)
		return WG_COOKIE_MAC1_VALID;
	make_cookie(cookie, c, src_addr, src_addr_len, src_port, now);
	mac2_ok = mac2_valid(cookie, msg, off);
	wgc_memzero(cookie, sizeof(cookie));
	return mac2_ok ? WG_COOKIE_MAC1_AND_MAC2_VALID : WG_COOKIE_MAC1_VALID;
}

/* The reply that carries cookie, sealed with mac1 of the message it answers as AD. */
static void seal_reply(struct wg_msg_cookie *out, struct wg_cookie_checker *c,
		       const uint8_t cookie[WG_COOKIE_LEN], const void *msg, size_t off,
		       uint32_t receiver_index)
{
	const struct wg_msg_macs *macs = (const struct wg_msg_macs *)((const uint8_t *)msg + off);

	memset(out, 0, sizeof(*out));
	wg_msg_header_init(&out->header, WG_MSG_COOKIE);
	wg_put_le32(out->receiver, receiver_index);
	next_nonce(c, out->nonce);
	/* mac1 as AD ties the reply to the one message it answers (whitepaper 5.4.7). */
	wgc_xaead_encrypt(out->encrypted_cookie, cookie, WG_COOKIE_LEN, macs->mac1, WG_COOKIE_LEN,
			  out->nonce, c->cookie_key);
}

enum wg_cookie_mac_state wg_cookie_check_or_reply(struct wg_cookie_checker *c, const void *msg,
						  size_t len, const uint8_t *src_addr,
						  size_t src_addr_len, uint16_t src_port,
						  uint64_t now, struct wg_msg_cookie *reply)
{
	uint8_t cookie[WG_COOKIE_LEN];
	size_t off = mac1_offset(len);
	enum wg_cookie_mac_state st = WG_COOKIE_MAC1_AND_MAC2_VALID;

	if (!off || !mac1_valid(c, msg, off))
		return WG_COOKIE_MAC_INVALID;
	make_cookie(cookie, c, src_addr, src_addr_len, src_port, now);
	if (!mac2_valid(cookie, msg, off)) {
		/* The sender index sits right after the header in both handshake messages. */
		seal_reply(reply, c, cookie, msg, off,
			   wg_get_le32((const uint8_t *)msg + sizeof(struct wg_msg_header)));
		st = WG_COOKIE_MAC1_VALID;
	}
	wgc_memzero(cookie, sizeof(cookie));
	return st;
}

bool wg_cookie_reply_create(struct wg_msg_cookie *out, struct wg_cookie_checker *c, const void *msg,
			    size_t len, uint32_t receiver_index, const uint8_t *src_addr,
			    size_t src_addr_len, uint16_t src_port, uint64_t now)
{
	uint8_t cookie[WG_COOKIE_LEN];
	size_t off = mac1_offset(len);

	memset(out, 0, sizeof(*out));
	if (!off)
		return false;
	make_cookie(cookie, c, src_addr, src_addr_len, src_port, now);
	seal_reply(out, c, cookie, msg, off, receiver_index);
	wgc_memzero(cookie, sizeof(cookie));
	return true;
}

void wg_cookie_maker_init(struct wg_cookie_maker *m, const uint8_t peer_public[32])
{
	memset(m, 0, sizeof(*m));
	derive_key(m->mac1_key, label_mac1, peer_public);
	derive_key(m->cookie_key, label_cookie, peer_public);
}

void wg_cookie_maker_wipe(struct wg_cookie_maker *m)
{
	wgc_memzero(m, sizeof(*m));
}

/*
 * We use a cookie for 115 s at most: the responder's secret may already have been up to 5 s
 * old when it made the cookie, and the cookie dies with the secret at 120 s.
 */
static bool cookie_fresh(const struct wg_cookie_maker *m, uint64_t now)
{
	/* Signed: the cookie may have been taken on another lcore whose reading of the clock is
	 * a moment ahead of ours (wgdp's handshake engines); that is a cookie of now. */
	return m->have_cookie &&
	       (int64_t)(now - m->cookie_birth) <=
		       (int64_t)(WG_COOKIE_SECRET_MAX_AGE - WG_COOKIE_SECRET_LATENCY);
}

void wg_cookie_add_macs(struct wg_cookie_maker *m, void *msg, size_t len, uint64_t now)
{
	size_t off = mac1_offset(len);
	struct wg_msg_macs *macs;

	if (!off)
		return;
	macs = (struct wg_msg_macs *)((uint8_t *)msg + off);
	compute_mac1(macs->mac1, m->mac1_key, msg, off);
	memcpy(m->last_mac1_sent, macs->mac1, WG_COOKIE_LEN);
	m->have_sent_mac1 = true;

	if (cookie_fresh(m, now))
		compute_mac2(macs->mac2, m->cookie, msg, off);
	else
		memset(macs->mac2, 0, WG_COOKIE_LEN);
}

bool wg_cookie_reply_consume(struct wg_cookie_maker *m, const struct wg_msg_cookie *reply,
			     uint64_t now)
{
	uint8_t cookie[WG_COOKIE_LEN];
	bool ok;

	/* Unsolicited, or its message was already answered: an attacker could replay these. */
	if (!m->have_sent_mac1)
		return false;
	ok = wgc_xaead_decrypt(cookie, reply->encrypted_cookie, sizeof(reply->encrypted_cookie),
			       m->last_mac1_sent, WG_COOKIE_LEN, reply->nonce, m->cookie_key);
	if (ok) {
		memcpy(m->cookie, cookie, sizeof(cookie));
		m->cookie_birth = now;
		m->have_cookie = true;
		m->have_sent_mac1 = false;
	}
	wgc_memzero(cookie, sizeof(cookie));
	return ok;
}
