/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "cookie.h"
#include "crypto/ct.h"

static const char label_mac1[] = "mac1----";
static const char label_cookie[] = "cookie--";

/* HASH(label || public key): the keys both macs and the cookie encryption hang off. */
static void derive_key(uint8_t out[32], const char *label, const uint8_t public_key[32])
{
	struct wgc_blake2s s;

	wgc_blake2s_init(&s, 32, NULL, 0);
	wgc_blake2s_update(&s, label, 8);
	wgc_blake2s_update(&s, public_key, 32);
	wgc_blake2s_final(&s, out);
}

/* mac1 and mac2 sit at the end of both handshake messages; 0 for any other length. */
static size_t macs_offset(size_t len)
{
	if (len == sizeof(struct wg_msg_initiation))
		return offsetof(struct wg_msg_initiation, macs);
	if (len == sizeof(struct wg_msg_response))
		return offsetof(struct wg_msg_response, macs);
	return 0;
}

static void compute_mac1(uint8_t out[WG_COOKIE_LEN], const uint8_t key[32], const void *msg,
			 size_t offset)
{
	wgc_mac(out, key, 32, msg, offset);
}

static void compute_mac2(uint8_t out[WG_COOKIE_LEN], const uint8_t cookie[WG_COOKIE_LEN],
			 const void *msg, size_t offset)
{
	wgc_mac(out, cookie, WG_COOKIE_LEN, msg, offset + WG_COOKIE_LEN);
}

void wg_cookie_checker_init(struct wg_cookie_checker *c, const uint8_t our_public[32])
{
	memset(c, 0, sizeof(*c));
	derive_key(c->mac1_key, label_mac1, our_public);
	derive_key(c->cookie_key, label_cookie, our_public);
}

void wg_cookie_checker_wipe(struct wg_cookie_checker *c)
{
	wgc_memzero(c, sizeof(*c));
}

/* R_changing is replaced lazily once it is 120 s old, so cookies expire with it. */
static void refresh_secret(struct wg_cookie_checker *c, uint64_t now)
{
	if (c->have_secret && now - c->secret_birth < WG_COOKIE_SECRET_MAX_AGE)
		return;
	wgc_random(c->secret, sizeof(c->secret));
	c->secret_birth = now;
	c->have_secret = true;
}

/* cookie := MAC(R_changing, source address bytes || source port, big-endian as on the wire). */
static void make_cookie(uint8_t out[WG_COOKIE_LEN], struct wg_cookie_checker *c,
			const uint8_t *addr, size_t addr_len, uint16_t port, uint64_t now)
{
	uint8_t input[WG_COOKIE_ADDR_MAX + 2];

	if (addr_len > WG_COOKIE_ADDR_MAX)
		addr_len = WG_COOKIE_ADDR_MAX;
	refresh_secret(c, now);
	memcpy(input, addr, addr_len);
	input[addr_len] = (uint8_t)(port >> 8);
	input[addr_len + 1] = (uint8_t)port;
	wgc_mac(out, c->secret, sizeof(c->secret), input, addr_len + 2);
}

enum wg_cookie_mac_state wg_cookie_validate(struct wg_cookie_checker *c, const void *msg,
					    size_t len, const uint8_t *src_addr,
					    size_t src_addr_len, uint16_t src_port, bool check_mac2,
					    uint64_t now)
{
	const struct wg_msg_macs *macs;
	uint8_t expected[WG_COOKIE_LEN], cookie[WG_COOKIE_LEN];
	size_t offset = macs_offset(len);
	enum wg_cookie_mac_state state = WG_COOKIE_MAC_INVALID;

	if (!offset)
		return WG_COOKIE_MAC_INVALID;
	macs = (const struct wg_msg_macs *)((const uint8_t *)msg + offset);
	compute_mac1(expected, c->mac1_key, msg, offset);
	if (!wgc_ct_equal(expected, macs->mac1, WG_COOKIE_LEN))
		goto out;
	state = WG_COOKIE_MAC1_VALID;
	if (!check_mac2)
		goto out;
	make_cookie(cookie, c, src_addr, src_addr_len, src_port, now);
	compute_mac2(expected, cookie, msg, offset);
	if (wgc_ct_equal(expected, macs->mac2, WG_COOKIE_LEN))
		state = WG_COOKIE_MAC1_AND_MAC2_VALID;
out:
	wgc_memzero(cookie, sizeof(cookie));
	return state;
}

void wg_cookie_reply_create(struct wg_msg_cookie *out, struct wg_cookie_checker *c,
			    const void *msg, size_t len, const uint8_t *src_addr,
			    size_t src_addr_len, uint16_t src_port, uint64_t now)
{
	const struct wg_msg_header *hdr = msg;
	size_t offset = macs_offset(len);
	const struct wg_msg_macs *macs = (const struct wg_msg_macs *)((const uint8_t *)msg + offset);
	const uint8_t *sender = (const uint8_t *)msg + sizeof(*hdr);
	uint8_t cookie[WG_COOKIE_LEN];

	memset(out, 0, sizeof(*out));
	wg_msg_header_init(&out->header, WG_MSG_COOKIE);
	/* Both handshake messages carry their sender index right after the header. */
	memcpy(out->receiver, sender, sizeof(out->receiver));
	wgc_random(out->nonce, sizeof(out->nonce));
	make_cookie(cookie, c, src_addr, src_addr_len, src_port, now);
	wgc_xaead_encrypt(out->encrypted_cookie, cookie, sizeof(cookie), macs->mac1, WG_COOKIE_LEN,
			  out->nonce, c->cookie_key);
	wgc_memzero(cookie, sizeof(cookie));
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

/* A cookie is used for 115 s at most: the responder's secret may be up to 5 s older. */
static bool cookie_fresh(const struct wg_cookie_maker *m, uint64_t now)
{
	return m->have_cookie &&
	       now - m->cookie_birth < WG_COOKIE_SECRET_MAX_AGE - WG_COOKIE_SECRET_LATENCY;
}

void wg_cookie_add_macs(struct wg_cookie_maker *m, void *msg, size_t len, uint64_t now)
{
	size_t offset = macs_offset(len);
	struct wg_msg_macs *macs;

	if (!offset)
		return;
	macs = (struct wg_msg_macs *)((uint8_t *)msg + offset);
	compute_mac1(macs->mac1, m->mac1_key, msg, offset);
	memcpy(m->last_mac1, macs->mac1, WG_COOKIE_LEN);
	m->have_last_mac1 = true;
	if (cookie_fresh(m, now))
		compute_mac2(macs->mac2, m->cookie, msg, offset);
	else
		memset(macs->mac2, 0, WG_COOKIE_LEN);
}

bool wg_cookie_reply_consume(struct wg_cookie_maker *m, const struct wg_msg_cookie *reply,
			     uint64_t now)
{
	uint8_t cookie[WG_COOKIE_LEN];

	if (!m->have_last_mac1)
		return false;
	if (!wgc_xaead_decrypt(cookie, reply->encrypted_cookie, sizeof(reply->encrypted_cookie),
			       m->last_mac1, WG_COOKIE_LEN, reply->nonce, m->cookie_key))
		return false;
	memcpy(m->cookie, cookie, sizeof(cookie));
	m->cookie_birth = now;
	m->have_cookie = true;
	m->have_last_mac1 = false;
	wgc_memzero(cookie, sizeof(cookie));
	return true;
}
